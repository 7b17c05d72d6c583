"""Knowledge distillation of a regressor teacher into a small student."""

import re
import warnings

import numpy as np
from sklearn.base import RegressorMixin, _fit_context, clone, is_regressor
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import r2_score
from sklearn.utils import check_array, get_tags
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.metadata_routing import _raise_for_params
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._base import _BaseDistiller, can_stream, undo_first_call_on_error
from ._fitting import (
    add_note,
    blame,
    check_nan,
    fit_on_targets,
    fit_plain,
    n_rows,
    unfitted_on_error,
)
from ._teacher import check_teacher_cv, fit_teacher, stack_rows, teacher_response
from .metrics import _relative_weights


def _as_targets(output, output_shape, n_samples):
    """The teacher's predictions as float64 of shape ``(n_samples, *output_shape)``.

    ``output_shape`` is ``y.shape[1:]``; a single-output teacher may return
    ``(n, 1)`` for a 1-D ``y``. Any other shape is refused, naming both, and so
    are NaN and infinite predictions.
    """
    output = np.asarray(output, dtype=np.float64)
    n_outputs = int(np.prod(output_shape))  # 1 for a 1-D y
    if output.shape[:1] != (n_samples,) or output[:1].size != n_outputs:
        y_says = (
            f"y has {n_outputs} output(s) per row" if output_shape else "y is 1-D"
        )
        raise ValueError(
            f"The teacher's predict returned shape {output.shape} for "
            f"{n_samples} rows but {y_says}; the teacher must predict the "
            "outputs of y."
        )
    bad = ~np.isfinite(output)
    if bad.any():
        raise ValueError(
            f"The teacher's predict returned NaN or infinite values on "
            f"{int(bad.reshape(n_samples, -1).any(axis=1).sum())} of {n_samples} "
            "rows; the teacher cannot provide targets on this input."
        )
    return output.reshape(n_samples, *output_shape)


def _with_generated_rows(weight, n_samples, n_new, alpha):
    """Row weights for the training rows then the generated rows (weight
    ``alpha`` times the mean given weight, so that scaling the weights scales
    every row's), or None when every row weighs 1."""
    if weight is None:
        return None if alpha == 1 else np.concatenate(
            [np.ones(n_samples), np.full(n_new, alpha)]
        )
    return np.concatenate([weight, np.full(n_new, alpha * np.mean(weight))])


def _check_kinds(teacher, student):
    """Refuse a teacher or a student that is not a regressor."""
    for role, estimator in (("teacher", teacher), ("student", student)):
        if is_regressor(estimator):
            continue
        kind = get_tags(estimator).estimator_type or "not a regressor"
        hint = (
            " To distil a classifier into a regressor student, use "
            "DistilledClassifier(teacher, student=<regressor>): the student is "
            "fitted on the teacher's logits (logit matching)."
            if role == "teacher"
            else ""
        )
        raise TypeError(
            f"The {role} of a DistilledRegressor must be a regressor; got "
            f"{type(estimator).__name__} ({kind}).{hint}"
        )


def _about_targets(exc):
    """Whether a student's error may be about its targets' values: not a
    parameter's (whose message speaks of ranges too), and naming y, labels,
    targets, a sign or a range (scikit-learn's Poisson and Gamma models:
    "Some value(s) of y are out of the valid range", XGBoost's "label must
    be nonnegative")."""
    if isinstance(exc, InvalidParameterError):
        return False
    return re.search(
        r"\by\b|\blabels?\b|\btargets?\b|negative|range", str(exc), re.IGNORECASE
    ) is not None


def _targets_beyond_y(target, y, alpha, generated):
    """Say, for a student's error, that its targets cross zero where ``y`` does not.

    A student whose loss takes ``y >= 0`` or ``y > 0`` (Poisson, Gamma,
    Tweedie models) may accept ``y`` and refuse its blend with the teacher's
    predictions, which need not share that range. ``None`` when the targets
    keep y's sign (the student's error is then about something else: a note
    on the range would mislead).
    """
    low = float(np.min(y))
    if low < 0:
        return None
    if low > 0:
        count, bound = int(np.sum(target <= 0)), "at or below 0, where y > 0"
    else:
        count, bound = int(np.sum(target < 0)), "below 0, where y >= 0"
    if not count:
        return None
    rows = " (the teacher's alone on the generated rows)" if generated else ""
    return (
        f"The student's targets are alpha * teacher.predict(X) + (1 - alpha) "
        f"* y with alpha={alpha:g}{rows}: of the {target.size}, {count} "
        f"{bound}. A student that needs y's range (a Poisson or Gamma model: "
        "y >= 0 or y > 0) needs a teacher that predicts within it (the same "
        "loss, or a log link), or alpha=0."
    )


def _warn_off_target(output, y, sample_weight):
    """Warn of a frozen teacher that predicts ``y`` worse than its mean.

    A teacher trained elsewhere on another unit, scale or offset of the
    target (``y / 1000``) would give the student a blend of two scales
    without any error.
    """
    if y.shape[0] < 2:
        return
    r2 = r2_score(  # (weights whose total overflows: relative)
        y, output, sample_weight=_relative_weights(sample_weight),
        multioutput="raw_values",
    )
    worst = int(np.argmin(r2))
    if not r2[worst] < 0:
        return
    which = f" (output {worst})" if y.ndim == 2 and y.shape[1] > 1 else ""
    warnings.warn(
        f"The frozen teacher's predictions on the training rows have R² = "
        f"{r2[worst]:.3g} against y{which}: they fit y worse than its mean. A "
        "teacher trained on another unit, scale or offset of the target (y / "
        "1000, say) gives the student targets alpha * teacher.predict(X) + (1 - "
        "alpha) * y on its scale, not y's. Check the teacher against y, or fit "
        "it on these rows (without FrozenEstimator).",
        UserWarning,
    )


class DistilledRegressor(RegressorMixin, _BaseDistiller):
    """Regressor distilled from a teacher into a small student.

    The teacher is fitted on ``(X, y)`` (or used as is when wrapped in
    :class:`~sklearn.frozen.FrozenEstimator`), and the student is fitted with
    squared error on::

        alpha * teacher.predict(X) + (1 - alpha) * y

    which is the minimiser of ``alpha * (f - teacher)^2 + (1 - alpha) * (f - y)^2``
    row by row. Predictions come from the fitted student only.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    teacher : regressor
        The large model. An unfitted teacher is cloned and fitted on
        ``(X, y)``; a teacher wrapped in
        :class:`~sklearn.frozen.FrozenEstimator` is used as is. A classifier
        teacher is refused: distil it with :class:`DistilledClassifier` and a
        regressor student (which is fitted on the teacher's logits).

    student : regressor
        The small model, fitted on the blended targets; a
        :class:`~sklearn.pipeline.Pipeline` ending in a regressor gets the
        row weights on its last step.

    alpha : float, default=0.5
        Weight of the teacher in ``[0, 1]``. ``alpha=0`` is plain supervised
        training (exactly ``clone(student).fit(X, y)``); ``alpha=1`` fits the
        teacher's predictions only.

    teacher_cv : int, cross-validation splitter, list of splits or None, default=None
        With ``None``, the teacher's in-sample predictions are used on the
        training rows; otherwise out-of-fold predictions of cross-validated
        clones (``teacher_`` is still fitted on all rows). Not available with
        a frozen teacher. Splits, iterators and group splitters as for
        :class:`DistilledClassifier`.

    augment : {"munge", "gaussian"}, callable or None, default=None
        Synthetic inputs labeled by the teacher only, added to the student's
        training rows with the row weight ``alpha`` (see
        :class:`DistilledClassifier`). The student's ``fit`` must then accept
        ``sample_weight`` unless ``alpha=1``.

    augment_size : float or None, default=1.0
        Number of generated rows as a multiple of the training rows (``None``
        is 1.0, as for :class:`DistilledClassifier`'s explicit generators).

    augment_params : dict, default=None
        Keyword arguments of the generator.

    memory : str, joblib.Memory or None, default=None
        Cache of the teacher's fit and of its outputs on the training rows,
        keyed on the teacher's parameters and the data.

    n_jobs : int, default=None
        Parallel jobs (joblib) for the teacher's inference on row chunks and
        for ``teacher_cv``.

    random_state : int, RandomState instance or None, default=None
        Seed of the augmentation.

    Attributes
    ----------
    teacher_ : estimator
        The fitted teacher (the teacher itself when it is frozen).

    student_ : estimator
        The fitted student; all predictions come from it.

    augment_ : {"munge", "gaussian"}, callable or None
        The generator of the rows added in ``fit`` (``augment``).

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    DistilledClassifier : Distillation of a classifier.

    References
    ----------
    .. [1] C. Bucilua, R. Caruana and A. Niculescu-Mizil, "Model Compression",
       KDD, 2006.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from sklearn.linear_model import Ridge
    >>> from skdistill import DistilledRegressor
    >>> X, y = make_friedman1(n_samples=200, random_state=0)
    >>> reg = DistilledRegressor(
    ...     RandomForestRegressor(n_estimators=20, random_state=0), Ridge(), alpha=0.5
    ... ).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        teacher,
        student,
        *,
        alpha=0.5,
        teacher_cv=None,
        augment=None,
        augment_size=1.0,
        augment_params=None,
        memory=None,
        n_jobs=None,
        random_state=None,
    ):
        self.teacher = teacher
        self.student = student
        self.alpha = alpha
        self.teacher_cv = teacher_cv
        self.augment = augment
        self.augment_size = augment_size
        self.augment_params = augment_params
        self.memory = memory
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _check_y(self, y, n_samples, flatten_column=False):
        """``y`` as float64, of its own shape: a column ``(n, 1)`` stays one
        (the student, given it, decides, as it does at ``alpha=0``) unless
        ``flatten_column``."""
        if y is None:
            raise ValueError(
                "DistilledRegressor requires y to be passed, but the target y is None."
            )
        y = check_array(
            y, ensure_2d=False, dtype=np.float64, input_name="y", ensure_min_samples=1
        )
        if y.ndim > 2:
            raise ValueError(f"y must be 1-D or 2-D; got shape {y.shape}.")
        if flatten_column and y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.shape[0] != n_samples:
            raise ValueError(
                f"X has {n_samples} samples but y has {y.shape[0]}; they must match."
            )
        return y

    @_fit_context(prefer_skip_nested_validation=False)
    @unfitted_on_error
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the teacher (unless frozen), then the student on blended targets.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training inputs, handed to the teacher and the student as given.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows, for the teacher and the student
            alike.

        **fit_params : dict
            Only with metadata routing enabled: parameters routed to the
            teacher's ``fit``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        _raise_for_params(fit_params, self, "fit")
        _check_kinds(self.teacher, self.student)
        X = self._check_X(X, reset=True)
        y_given, y = y, self._check_y(y, n_rows(X))
        sample_weight = self._check_sample_weight(sample_weight, X)
        check_nan(X, self.teacher, self.student)
        teacher_params, student_weight, split_params = self._split_params(
            sample_weight, fit_params, X
        )
        check_teacher_cv(self.teacher_cv, n_rows(X), self.teacher)

        teacher = clone(self.teacher)
        frozen = isinstance(teacher, FrozenEstimator)  # never fitted: queried
        with blame("teacher", teacher, "predict" if frozen else "fit"):
            self.teacher_, output, _ = fit_teacher(
                teacher,
                X,
                y,
                teacher_params,
                "predict",
                cv=self.teacher_cv,
                memory=self.memory,
                n_jobs=self.n_jobs,
                split_params=split_params,
            )
        if self.alpha == 0:
            # exactly clone(student).fit(X, y): y as given (dtype and shape)
            self.augment_ = None
            self.student_ = fit_plain(self.student, X, y_given, student_weight)
            return self

        alpha = float(self.alpha)  # (1 - alpha of a numpy float16 is one)
        with self._on_out_of_fold_rows():
            output = _as_targets(output, y.shape[1:], n_rows(X))
        if type(teacher) is FrozenEstimator:  # trained elsewhere, on its own y
            _warn_off_target(output, y, sample_weight)
        target = alpha * output
        target += (1 - alpha) * y
        last_weight = self._last_step_weight(student_weight)
        X_new = self._augmented_rows(X)
        if X_new is not None:
            n_new = n_rows(X_new)
            # its output checked there too: a NaN on generated rows is theirs
            with self._on_generated_rows():
                with blame("teacher", self.teacher_, "predict"):
                    new_target = teacher_response(
                        self.teacher_, X_new, "predict", n_jobs=self.n_jobs
                    )
                new_target = _as_targets(new_target, y.shape[1:], n_new)
            target = np.concatenate([target, new_target])
            head_weight = _with_generated_rows(student_weight, n_rows(X), n_new, alpha)
            if last_weight is student_weight:
                last_weight = head_weight
            else:  # declined by the last step
                last_weight = _with_generated_rows(
                    last_weight, n_rows(X), n_new, alpha
                )
            X = stack_rows(X, X_new)
        else:
            head_weight = student_weight
        try:
            self.student_ = fit_on_targets(
                self.student, X, target, last_weight, head_weight=head_weight
            )
        except ValueError as exc:
            note = None
            if _about_targets(exc):
                note = _targets_beyond_y(target, y, alpha, X_new is not None)
            if note:
                add_note(exc, note)
            raise
        return self

    @available_if(can_stream)
    @undo_first_call_on_error
    def partial_fit(self, X, y=None, sample_weight=None):
        """Distil one chunk of rows into the student (streaming).

        Available only when the teacher is prefit and wrapped in
        :class:`~sklearn.frozen.FrozenEstimator` and the student has
        ``partial_fit`` (e.g. :class:`~sklearn.linear_model.SGDRegressor`).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            A chunk of inputs, handed to the teacher and the student as given.

        y : array-like of shape (n_samples,), default=None
            Targets of the chunk; ``None`` is pure distillation.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights.

        Returns
        -------
        self : object
            The estimator, with ``student_`` updated.
        """
        _check_kinds(self.teacher, self.student)
        first_call, X, sample_weight = self._start_partial_fit(X, sample_weight)
        if y is not None:
            y = self._check_y(y, n_rows(X), flatten_column=True)
        if first_call:
            self.teacher_ = self.teacher
            self.augment_ = None  # chunks are fitted as they come
            self.student_ = clone(self.student)
            self._scale_checked = False  # the teacher's, against y
        with blame("teacher", self.teacher_, "predict"):
            target = teacher_response(self.teacher_, X, "predict", n_jobs=self.n_jobs)
        if y is not None:
            target = _as_targets(target, y.shape[1:], n_rows(X))
            if not vars(self).get("_scale_checked", True) and y.shape[0] >= 2:
                # at the first chunk with labelled rows to check it on
                self._scale_checked = True
                if self.alpha > 0:
                    _warn_off_target(target, y, sample_weight)
            alpha = float(self.alpha)
            target = alpha * target + (1 - alpha) * y
        else:  # the teacher's outputs, whatever their shape: finite
            target = np.asarray(target, dtype=np.float64)
            target = _as_targets(target, target.shape[1:], n_rows(X))
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        with blame("student", self.student_, "partial_fit"):
            self.student_.partial_fit(X, target, **kwargs)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = (
            get_tags(self._tags_teacher()).target_tags.multi_output
            and get_tags(self.student).target_tags.multi_output
        )
        return tags

    def predict(self, X):
        """Predict with the student.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Input samples, handed to the student as given.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The student's predictions.
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        # the rule of fit holds here too
        check_nan(X, self.teacher, self.student, infinity=True)
        with blame("student", self.student_, "predict"):
            return self.student_.predict(X)
