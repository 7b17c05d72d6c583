"""Knowledge distillation of a regressor teacher into a small student."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context, clone
from sklearn.utils import check_array
from sklearn.utils.metadata_routing import _raise_for_params
from sklearn.utils.metaestimators import available_if
from sklearn.utils import get_tags
from sklearn.utils.validation import (
    _check_sample_weight,
    column_or_1d,
    check_is_fitted,
    has_fit_parameter,
)

from ._base import _BaseDistiller
from ._teacher import fit_teacher, stack_rows, teacher_response


def _student_has_partial_fit(self):
    return hasattr(self.student, "partial_fit")


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
        :class:`~sklearn.frozen.FrozenEstimator` is used as is.

    student : regressor
        The small model, fitted on the blended targets.

    alpha : float, default=0.5
        Weight of the teacher in ``[0, 1]``. ``alpha=0`` is plain supervised
        training (exactly ``clone(student).fit(X, y)``); ``alpha=1`` fits the
        teacher's predictions only.

    teacher_cv : int, cross-validation generator, iterable or None, default=None
        With ``None``, the teacher's in-sample predictions are used on the
        training rows; otherwise out-of-fold predictions of cross-validated
        clones (``teacher_`` is still fitted on all rows). Not available with
        a frozen teacher.

    augment : {"munge", "gaussian"}, callable or None, default=None
        Synthetic inputs labeled by the teacher only, added to the student's
        training rows with the row weight ``alpha`` (see
        :class:`DistilledClassifier`). The student's ``fit`` must then accept
        ``sample_weight`` unless ``alpha=1``.

    augment_size : float, default=1.0
        Number of generated rows as a multiple of the training rows.

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

    def _check_y(self, y, n_samples):
        if y is None:
            raise ValueError(
                "DistilledRegressor requires y to be passed, but the target y is None."
            )
        y = check_array(
            y, ensure_2d=False, dtype=np.float64, input_name="y", ensure_min_samples=1
        )
        if y.ndim > 2:
            raise ValueError(f"y must be 1-D or 2-D; got shape {y.shape}.")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.shape[0] != n_samples:
            raise ValueError(
                f"X has {n_samples} samples but y has {y.shape[0]}; they must match."
            )
        return y

    def _fit_kwargs(self, sample_weight):
        if sample_weight is None:
            return {}
        if not has_fit_parameter(self.student, "sample_weight"):
            raise TypeError(
                f"The student {self.student!r} does not accept sample_weight, which "
                "is needed here (sample_weight given, or generated rows weighted "
                "by alpha < 1)."
            )
        return {"sample_weight": sample_weight}

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the teacher (unless frozen), then the student on blended targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs (a DataFrame is passed to the teacher as is).

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows, for the teacher and the student alike.

        **fit_params : dict
            Only with metadata routing enabled: parameters routed to the
            teacher's ``fit``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        _raise_for_params(fit_params, self, "fit")
        X, X_teacher = self._validate_X_pair(X, reset=True)
        y = self._check_y(y, X.shape[0])
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        teacher_params, student_weight = self._split_params(sample_weight, fit_params)

        self.teacher_, output, _ = fit_teacher(
            clone(self.teacher),
            X_teacher,
            y,
            teacher_params,
            "predict",
            cv=self.teacher_cv,
            memory=self.memory,
            n_jobs=self.n_jobs,
        )
        student = clone(self.student)
        if self.alpha == 0:
            self.student_ = student.fit(X, y, **self._fit_kwargs(student_weight))
            return self

        target = self.alpha * np.asarray(output, dtype=np.float64).reshape(y.shape)
        target += (1 - self.alpha) * y
        X_new_teacher, X_new = self._augmented_rows(X_teacher, X.shape[0])
        if X_new is not None:
            new_target = teacher_response(
                self.teacher_, X_new_teacher, "predict", n_jobs=self.n_jobs
            )
            target = np.concatenate(
                [target, np.asarray(new_target, dtype=np.float64).reshape(-1, *y.shape[1:])]
            )
            if self.alpha < 1 or student_weight is not None:
                base = np.ones(X.shape[0]) if student_weight is None else student_weight
                student_weight = np.concatenate(
                    [base, np.full(X_new.shape[0], self.alpha)]
                )
            X = stack_rows(X, X_new)
        self.student_ = student.fit(X, target, **self._fit_kwargs(student_weight))
        return self

    @available_if(_student_has_partial_fit)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Distil one chunk of rows into the student (streaming).

        The teacher must be prefit and wrapped in
        :class:`~sklearn.frozen.FrozenEstimator`; the student must have
        ``partial_fit`` (e.g. :class:`~sklearn.linear_model.SGDRegressor`).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of inputs.

        y : array-like of shape (n_samples,), default=None
            Targets of the chunk; ``None`` is pure distillation.

        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        self : object
            The estimator, with ``student_`` updated.
        """
        first_call, X, X_teacher, sample_weight = self._start_partial_fit(
            X, sample_weight
        )
        if first_call:
            self.teacher_ = self.teacher
            self.student_ = clone(self.student)
        target = np.asarray(
            teacher_response(self.teacher_, X_teacher, "predict", n_jobs=self.n_jobs),
            dtype=np.float64,
        )
        if y is not None:
            y = self._check_y(y, X.shape[0])
            target = self.alpha * target.reshape(y.shape) + (1 - self.alpha) * y
        self.student_.partial_fit(X, target, **self._fit_kwargs(sample_weight))
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = (
            get_tags(self.teacher).target_tags.multi_output
            and get_tags(self.student).target_tags.multi_output
        )
        return tags

    def predict(self, X):
        """Predict with the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The student's predictions.
        """
        check_is_fitted(self)
        return self.student_.predict(self._validate_X(X, reset=False))
