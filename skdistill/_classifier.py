"""Knowledge distillation of a classifier teacher into a small student."""

import warnings
from numbers import Real

import joblib
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.base import ClassifierMixin, _fit_context, clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metadata_routing import _raise_for_params
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_memory, column_or_1d

from ._base import _BaseDistiller, can_stream, undo_first_call_on_error
from ._fitting import (
    RefitSet,
    blame,
    check_nan,
    fit_on_soft_targets,
    fit_plain,
    index_params,
    last_step_input,
    n_rows,
    unfitted_on_error,
)
from ._labels import (
    check_comparable_integers,
    check_label_kind,
    check_label_overlap,
    labeled_mask,
    numbers_with_missing_labels,
    union_classes,
)
from ._students import (
    partial_fit_student,
    regressor_log_proba,
    regressor_logits,
    regressor_proba,
    student_path,
)
from ._targets import (
    blend_targets,
    check_fitted_response,
    check_single_output,
    logits_from_output,
    resolve_response_method,
    soften,
    warn_if_thresholded,
)
from ._teacher import (
    check_teacher_cv,
    fit_teacher,
    out_of_fold_response,
    stack_rows,
    teacher_response,
)
from .metrics import _relative_weights


def _student_has(attr):
    """Check that the student (fitted if available) provides ``attr``.

    A regressor student provides every classifier method through the softmax
    of its predictions.
    """

    def check(self):
        student = getattr(self, "student_", self.student)
        if attr == "predict" or is_regressor_student(student):
            return True
        if not hasattr(student, attr):
            return False
        if attr == "decision_function" and hasattr(self, "student_"):
            # scores of fewer classes than classes_ cannot be completed (no
            # score means "probability 0"), unlike probabilities
            return len(student.classes_) == len(self.classes_)
        return True

    return check


def is_regressor_student(student):
    """Whether ``student`` is fitted on log targets (regression path)."""
    return get_tags(student).estimator_type == "regressor"


def _student_columns(student_classes, classes):
    """Index in ``classes`` (sorted) of each of the student's labels, or None
    when a label is not there."""
    student_classes = np.asarray(student_classes)
    try:
        columns = np.searchsorted(classes, student_classes)
    except TypeError:  # labels that do not compare with classes'
        return None
    if np.any(columns >= len(classes)):
        return None
    if not np.array_equal(np.asarray(classes)[columns], student_classes):
        return None
    return columns


# A frozen teacher's agreement with y is read on at least this many labelled
# rows, and _RELABEL_ROWS_PER_CLASS per class it knows (in rows of equal
# weight: Kish's effective number); its best relabelling must agree on half
# the rows at least, and lead its classes as given and the most frequent
# label by _RELABEL_MARGIN, or by two standard errors of an agreement on
# that many rows (2 / sqrt(n)) when more: on fewer rows, or with many
# classes, a one-to-one matching of a weak teacher's classes finds
# agreement in noise
_RELABEL_MIN_ROWS = 50
_RELABEL_ROWS_PER_CLASS = 10
_RELABEL_MARGIN = 0.1


def _warn_relabelled(predicted, y_encoded, sample_weight, classes, teacher_classes):
    """Warn of a frozen teacher whose classes look relabelled against ``y``.

    ``predicted``: the teacher's likeliest class on labelled rows, and
    ``y_encoded`` their labels, as indices in ``classes``. A teacher trained
    elsewhere on another encoding of the labels (0 and 1 swapped,
    ``pd.factorize`` codes where y holds ``LabelEncoder``'s) gives the
    student targets for the wrong classes without any error. Its predictions
    then agree with y far better once its classes are matched to y's by the
    best one-to-one relabelling than as given, and better than the most
    frequent label alone. Only the rows of labels among ``teacher_classes``
    are read (it never predicts the others).

    Returns
    -------
    read : bool
        Whether there were rows enough to read the agreement on.
    """
    known = np.isin(classes, teacher_classes)
    rows = known[y_encoded] & known[predicted]
    n_classes = np.count_nonzero(known)
    if n_classes < 2:
        return True  # nothing to relabel
    # on the teacher's classes only
    index = np.cumsum(known) - 1
    predicted, y_encoded = index[predicted[rows]], index[y_encoded[rows]]
    classes = classes[known]
    weight = np.ones(len(y_encoded))
    if sample_weight is not None:
        weight = _relative_weights(sample_weight[rows])
    total = weight.sum()
    if not total > 0:
        return False
    n_rows = total**2 / np.sum(weight**2)  # (equal weights: their number)
    if n_rows < max(_RELABEL_MIN_ROWS, _RELABEL_ROWS_PER_CLASS * n_classes):
        return False
    # agreement[k, j]: the weight share of rows labelled k predicted j
    agreement = np.bincount(
        y_encoded * n_classes + predicted, weights=weight, minlength=n_classes**2
    ).reshape(n_classes, n_classes) / total
    as_given, majority = np.trace(agreement), agreement.sum(axis=1).max()
    bar = max(0.5, max(as_given, majority) + max(_RELABEL_MARGIN, 2 / n_rows**0.5))
    # (at most: each predicted class read as its most frequent label)
    if not agreement.max(axis=0).sum() > bar:
        return True
    labels, predictions = linear_sum_assignment(agreement, maximize=True)
    best = agreement[labels, predictions].sum()
    if not best > bar:
        return True
    names = classes.tolist()
    moved = [
        f"its {names[j]!r} as y's {names[k]!r}"
        for k, j in zip(labels, predictions)
        if k != j and agreement[k, j] > 0
    ]
    warnings.warn(
        f"The frozen teacher's predictions on the training rows agree with y "
        f"on {as_given:.1%} of them, and the most frequent label alone on "
        f"{majority:.1%}; read with its classes relabelled "
        f"({', '.join(moved[:5])}{', ...' if len(moved) > 5 else ''}) they "
        f"would agree on {best:.1%}. A teacher trained on another encoding of "
        "the labels (0 and 1 swapped, codes in another order) gives the "
        "student targets for the wrong classes. Check the teacher's classes_ "
        "against y's labels, or fit it on these rows (without "
        "FrozenEstimator).",
        UserWarning,
    )
    return True


def _as_classes(predicted, student, classes):
    """A student's predicted labels as the distiller's ``classes_`` hold them.

    A student that encodes labels its own way (XGBoost fitted on booleans
    reports and predicts 0 and 1) predicts values equal to the labels but of
    another type; they are mapped to ``classes_`` by the student's own.
    """
    student_classes = getattr(student, "classes_", None)
    if student_classes is None:
        return predicted
    student_classes = np.asarray(student_classes)
    if student_classes.dtype == classes.dtype or student_classes.ndim != 1:
        return predicted
    columns = _student_columns(student_classes, classes)
    predicted = np.asarray(predicted)
    order = np.argsort(student_classes, kind="stable")
    try:
        position = np.searchsorted(student_classes, predicted, sorter=order)
    except TypeError:
        return predicted
    if columns is None or np.any(position >= len(order)):
        return predicted
    position = order[position]
    if not np.array_equal(student_classes[position], predicted):
        return predicted
    return classes[columns[position]]


def _expand_proba(proba, student_classes, classes):
    """Place a student's probability columns at their labels in ``classes``.

    A student fitted on one class predicts it with probability 1, whatever
    it returns (``MLPClassifier`` and ``HistGradientBoostingClassifier``
    then give two columns). The columns are read by the student's labels,
    which may be in another order (``SoftLogisticRegression(classes=...)``
    at ``alpha=0``).
    """
    if len(student_classes) == len(classes) and np.array_equal(
        student_classes, classes
    ):
        return proba
    columns = _student_columns(student_classes, classes)
    if columns is None:
        raise ValueError(
            f"The student's classes_ {np.asarray(student_classes).tolist()!r} are "
            f"not among the distiller's classes_ {np.asarray(classes).tolist()!r}: "
            "its probabilities cannot be placed."
        )
    out = np.zeros((proba.shape[0], len(classes)), dtype=proba.dtype)
    out[:, columns] = 1.0 if len(student_classes) == 1 else proba
    return out


def check_student_classes(student, classes):
    """Refuse a fitted student with labels the distiller does not know (its
    own ``classes`` setting: its columns could not be placed)."""
    student_classes = getattr(student, "classes_", None)
    if student_classes is None or is_regressor_student(student):
        return
    if _student_columns(student_classes, classes) is None:
        raise ValueError(
            f"The student {student!r} was fitted with the classes "
            f"{np.asarray(student_classes).tolist()!r}, which are not among the "
            f"distiller's classes_ {np.asarray(classes).tolist()!r} (the labels "
            "of y and of a frozen teacher); its outputs could not be placed. "
            "Leave the student's own classes setting out."
        )


def check_two_classes(labels):
    """Refuse fewer than two labels (``np.unique`` of the labeled rows') for
    a teacher fitted on them."""
    if len(labels) < 2:
        raise ValueError(
            "DistilledClassifier needs samples of at least 2 classes in y; "
            + (
                f"got only one class: {labels.tolist()[0]!r}."
                if len(labels)
                else "got no labeled sample."
            )
        )


class DistilledClassifier(ClassifierMixin, _BaseDistiller):
    """Classifier distilled from a teacher into a small student.

    The teacher is fitted on ``(X, y)`` (or used as is when wrapped in
    :class:`~sklearn.frozen.FrozenEstimator`); its outputs, softened by the
    temperature ``T``, are blended with the hard labels, and the student is
    fitted on the result::

        Y = alpha * softmax(v / T) + (1 - alpha) * onehot(y)

    where ``v`` are the teacher's logits. Predictions come from the fitted
    student only.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    teacher : classifier
        The large model. It must have ``predict_proba`` or
        ``decision_function``. An unfitted teacher is cloned and fitted on
        ``(X, y)``; a teacher wrapped in
        :class:`~sklearn.frozen.FrozenEstimator` is used as is.

    student : estimator
        The small model. A :class:`~sklearn.linear_model.LogisticRegression`
        with an L2 penalty (or none) is fitted exactly on the soft targets; any
        other classifier whose ``fit`` accepts ``sample_weight`` is fitted on
        rows repeated once per class, weighted by the target (a Gini decision
        tree is grown as the regression tree of the targets, the same tree
        without the repetition); a multi-output
        regressor is fitted on the row-centred log targets (logit matching).
        A :class:`~sklearn.pipeline.Pipeline` whose last step is one of these
        is fitted the same way: its leading steps on the student's rows, its
        last step by the path of a bare student. The student receives ``X`` as
        given (with its column names).

    alpha : float, default=0.5
        Weight of the teacher in ``[0, 1]``. ``alpha=0`` is plain supervised
        training (exactly ``clone(student).fit(X, y)`` for a classifier
        student; a regressor student matches the logits of the one-hot
        labels); ``alpha=1`` is pure distillation. Note that some libraries
        use ``alpha`` for the weight of the hard labels instead.

    T : float, default=1.0
        Temperature applied to the teacher's logits only, ``T > 0``. ``T > 1``
        softens the teacher's distribution, ``T < 1`` sharpens it.

    teacher_response : {"auto", "predict_proba", "decision_function"}, \
            default="auto"
        Teacher output turned into logits. ``"auto"`` uses ``predict_proba``
        when the teacher has it, else ``decision_function``, as the teacher
        is given (before it is fitted: a search is judged by its base
        estimator, and its fitted best model is asked for the same output). Probabilities
        become ``log(max(p, tiny))``, ``tiny`` being the smallest normal
        float64 (about ``2.2e-308``); a binary decision score ``s`` becomes
        the logits ``[0, s]`` (a two-class ``OneVsOneClassifier``'s, a vote
        share, ``[1 - s, s]``).

    teacher_cv : int, cross-validation splitter, list of splits or None, default=None
        With ``None``, the soft targets on the training rows are the teacher's
        in-sample outputs. Otherwise they come from cross-validated clones of
        the teacher (out of fold, as :func:`~sklearn.model_selection.cross_val_predict`;
        an int is the number of stratified folds); ``teacher_`` is still fitted
        on all rows. In-sample outputs of a forest or a boosted model are
        nearly one-hot on its own training rows; out-of-fold outputs are the
        honest soft targets there. Not available with a frozen teacher. A list
        of ``(train, test)`` splits must partition the rows the teacher is
        fitted on (with ``unlabeled``, the labeled rows, numbered in their
        order); an iterator, which the first fit would use up, is refused. A
        group splitter gets its ``groups`` through metadata routing
        (``teacher_cv=GroupKFold().set_split_request(groups=True)``, then
        ``fit(X, y, groups=groups)``).

    augment : {"auto", "munge", "gaussian"}, callable or None, default="auto"
        Synthetic inputs labeled by the teacher only (no hard label), added to
        the student's training rows: ``"munge"`` is :func:`~skdistill.munge`,
        ``"gaussian"`` is :func:`~skdistill.gaussian_noise`; a callable is
        called as ``augment(X, n_samples=n, random_state=seed, **augment_params)``
        and returns the new rows. Generated rows get the teacher's targets with
        the row weight ``alpha`` (the teacher's share of the objective),
        times the mean given weight with ``sample_weight``. ``"auto"`` is
        ``"munge"`` with five generated rows per training row when the
        student is a decision-tree or gradient-boosted-trees classifier of
        scikit-learn (alone or as the last step of a Pipeline), ``alpha >
        0``, and X has at most 1,500 rows, dense, numeric or categorical,
        without missing values; otherwise no rows are generated
        (``augment_`` says which).
        ``None`` never generates rows.

    augment_size : float, default=None
        Number of generated rows as a multiple of the training rows. ``None``
        is 5.0 for the rows of ``augment="auto"`` and 1.0 otherwise.

    augment_params : dict, default=None
        Keyword arguments of the generator (e.g. ``{"p": 0.5, "s": 1.0}`` for
        MUNGE, ``{"scale": 0.1}`` for the gaussian noise).

    unlabeled : object, default=None
        Label marking rows without a label, following scikit-learn's
        semi-supervised convention (e.g. ``-1``). Opt-in: with ``None`` every
        value of ``y`` is a class. ``np.nan`` (or ``pd.NA``) marks the rows
        whose label is missing, whether NaN, None or ``pd.NA``; a missing
        label is refused otherwise. Unlabeled rows get the teacher's targets
        only; the teacher is fitted on the labeled rows unless it is frozen.

    memory : str, joblib.Memory or None, default=None
        Cache of the teacher's fit and of its outputs on the training rows
        (out-of-fold outputs included), keyed on the teacher's parameters and
        the data, as in :class:`~sklearn.pipeline.Pipeline`. It is shared by
        processes, so a grid search over ``alpha``, ``T`` and the student
        fits the teacher once per training set.

    n_jobs : int, default=None
        Parallel jobs (joblib) for the teacher's inference on row chunks and
        for ``teacher_cv``. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context.

    random_state : int, RandomState instance or None, default=None
        Seed of the augmentation.

    Attributes
    ----------
    teacher_ : estimator
        The fitted teacher (the teacher itself when it is frozen).

    student_ : estimator
        The fitted student; all predictions come from it.

    classes_ : ndarray of shape (n_classes,)
        Sorted union of the labels in ``y`` and the teacher's ``classes_``.

    augment_ : {"munge", "gaussian"}, callable or None
        The generator of the rows added in ``fit`` (``augment`` with
        ``"auto"`` resolved), None when no row was generated.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.frozen.FrozenEstimator : Use a prefit teacher without refitting it.

    Notes
    -----
    This is Hinton et al.'s objective with the student-side temperature folded
    away: the student is trained at temperature 1 on the blend of the softened
    teacher and the labels. For a linear-softmax student this is exact up to
    the scaling of the penalty.

    With the defaults (the teacher's in-sample outputs, ``alpha=0.5``,
    ``T=1``), small MLPs distilled from a random forest were as accurate as
    the same student fitted on the labels or better, over 20 to 30 random
    splits of three small tables (see the user guide and
    ``benchmarks/bench_students.py``). Trees fitted on the blended targets
    alone lost 0.5 to 0.7 point on wine (100 splits): a forest's outputs on
    its own training rows are nearly one-hot, and out-of-fold targets or
    other values of ``T`` did not help. What a tree lacks is inputs: five
    MUNGE rows per training row, labeled by the teacher, made trees of depth
    5 or more and 10-tree boosting 0.6 to 6.2 points more accurate than on
    the labels, and more faithful to the teacher, on seven tables of 105 to
    1,257 training rows, hence ``augment="auto"``; on 2,100 and 7,000
    training rows boosting lost 1.5 and 3.0 points with them, hence the limit
    of 1,500 rows. The generated
    rows multiply the teacher's inference and the student's rows by six and
    make the fit depend on ``random_state``.

    A class the teacher does not know gets probability 0 in its targets. A
    frozen teacher whose labels are of another kind than ``y``'s, or share
    none of them, is refused.

    ``X`` is handed to the teacher and the student as given; NaN is accepted
    when both accept it (as their tags say, derived from the steps for a
    Pipeline).

    References
    ----------
    .. [1] G. Hinton, O. Vinyals and J. Dean, "Distilling the Knowledge in a
       Neural Network", NIPS Deep Learning Workshop, 2014.
    .. [2] J. Ba and R. Caruana, "Do Deep Nets Really Need to be Deep?",
       NIPS, 2014.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdistill import DistilledClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DistilledClassifier(
    ...     RandomForestClassifier(n_estimators=50, random_state=0),
    ...     LogisticRegression(max_iter=1000), alpha=0.7, T=2.0,
    ... ).fit(X, y)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    >>> clf.student_
    LogisticRegression(max_iter=1000)
    """

    _parameter_constraints = {
        **_BaseDistiller._parameter_constraints,
        "augment": [StrOptions({"auto", "munge", "gaussian"}), callable, None],
        "T": [Interval(Real, 0, None, closed="neither")],
        "teacher_response": [
            StrOptions({"auto", "predict_proba", "decision_function"})
        ],
        "unlabeled": "no_validation",
    }

    def __init__(
        self,
        teacher,
        student,
        *,
        alpha=0.5,
        T=1.0,
        teacher_response="auto",
        teacher_cv=None,
        augment="auto",
        augment_size=None,
        augment_params=None,
        unlabeled=None,
        memory=None,
        n_jobs=None,
        random_state=None,
    ):
        self.teacher = teacher
        self.student = student
        self.alpha = alpha
        self.T = T
        self.teacher_response = teacher_response
        self.teacher_cv = teacher_cv
        self.augment = augment
        self.augment_size = augment_size
        self.augment_params = augment_params
        self.unlabeled = unlabeled
        self.memory = memory
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _check_y(self, y, n_samples):
        y = column_or_1d(y, warn=True)
        if len(y) != n_samples:
            raise ValueError(
                f"X has {n_samples} samples but y has {len(y)}; they must match."
            )
        labeled = labeled_mask(y, self.unlabeled)
        y = numbers_with_missing_labels(y, labeled)
        check_classification_targets(y[labeled])
        return y, labeled

    @_fit_context(prefer_skip_nested_validation=False)
    @unfitted_on_error
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the teacher (unless frozen), then the student on soft targets.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training inputs, handed to the teacher and to the student as
            given (a DataFrame with strings, categories or missing values
            stays one; the student then needs to encode them, e.g. as a
            :class:`~sklearn.pipeline.Pipeline`).

        y : array-like of shape (n_samples,)
            Class labels. With ``unlabeled`` set, rows labeled ``unlabeled``
            get the teacher's targets only.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows, for the teacher and the student
            alike.

        **fit_params : dict
            Only with metadata routing enabled: parameters routed to the
            teacher's ``fit`` (and ``sample_weight`` to the student's).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        self._response_method = None  # read from the fitted teacher (dask)
        if hasattr(X, "__dask_graph__"):  # a dask array: the rows stay on the workers
            from ._dask_fit import fit_on_dask

            return fit_on_dask(self, X, y, sample_weight, fit_params)
        _raise_for_params(fit_params, self, "fit")
        X = self._check_X(X, reset=True)
        y, labeled = self._check_y(y, n_rows(X))
        sample_weight = self._check_sample_weight(sample_weight, X)
        # alpha=0 is clone(student).fit(X, y) for any classifier student
        plain = self.alpha == 0 and get_tags(self.student).estimator_type == (
            "classifier"
        )
        path = None if plain else student_path(self.student)
        check_nan(X, self.teacher, self.student)

        teacher = clone(self.teacher)
        labels = np.unique(y[labeled])
        method = resolve_response_method(teacher, self.teacher_response, len(labels))
        if isinstance(teacher, FrozenEstimator):
            with blame("teacher", teacher, "fit"):
                check_is_fitted(teacher.estimator)
            check_single_output(teacher)
            if hasattr(teacher, "classes_"):
                check_label_overlap(labels, teacher.classes_, unlabeled=self.unlabeled)
        else:
            check_two_classes(labels)
        teacher_params, student_weight, split_params = self._split_params(
            sample_weight, fit_params, X
        )

        self.teacher_, output, output_classes = self._teacher_on_labeled(
            teacher, X, y, labeled, teacher_params, method, split_params
        )
        # the out-of-fold outputs' fingerprint (before the targets overwrite
        # them): the refit of soft_refit_set, which computes them again,
        # says when they differ (an unseeded teacher or splitter)
        self._out_of_fold_hash = None
        if self.teacher_cv is not None and output is not None:
            self._out_of_fold_hash = (joblib.hash(y[labeled]), joblib.hash(output))
        check_fitted_response(self.teacher_, method)
        warn_if_thresholded(self.teacher_, self.alpha)
        # the method read, decided before the teacher was fitted: the refit
        # of soft_refit_set reads the same (a search teacher may answer
        # otherwise once fitted)
        self._response_method = method
        if not hasattr(self.teacher_, "classes_"):
            raise TypeError(
                f"The teacher {self.teacher!r} has no classes_ after fit; the "
                "teacher of a DistilledClassifier must be a classifier."
            )
        self.classes_ = union_classes(labels, self.teacher_.classes_)
        if len(self.classes_) < 2:
            raise ValueError(
                "DistilledClassifier needs at least 2 classes; the labels and "
                f"the teacher know only {self.classes_.tolist()[0]!r}."
            )

        if self.alpha == 0:
            # rows without a label have no weight at alpha=0: out, before a
            # Pipeline student's leading steps would see them
            if not labeled.any():
                raise ValueError(
                    "With alpha=0 the student learns from labels only, and y "
                    f"has no labeled row (it is unlabeled={self.unlabeled!r} "
                    "throughout)."
                )
            if not labeled.all():
                rows = np.flatnonzero(labeled)
                X, y, labeled = _safe_indexing(X, rows), y[rows], labeled[rows]
                if student_weight is not None:
                    student_weight = student_weight[rows]
        if plain:
            # Plain supervised training: exactly clone(student).fit(X, y) on the
            # labeled rows.
            self.augment_ = None
            self.student_ = fit_plain(self.student, X, y, student_weight)
            check_student_classes(self.student_, self.classes_)
            return self

        X, Y, head_weight, last_weight = self._training_set(
            X, y, labeled, output, output_classes, method, student_weight,
            check_labels=type(teacher) is FrozenEstimator,  # trained elsewhere
        )
        del output  # only Y is needed from here on (memory of large fits)
        self.student_ = fit_on_soft_targets(
            self.student, path, X, Y, self.classes_, last_weight,
            head_weight=head_weight,
        )
        return self

    def _teacher_on_labeled(
        self, teacher, X, y, labeled, teacher_params, method, split_params=None,
        fitted=None,
    ):
        """Fit the teacher on the labeled rows; its outputs there (maybe out of fold).

        A frozen teacher with no labeled row gives no output (``None``). Given
        the teacher ``fitted`` on them (by ``fit``), with ``teacher_cv`` and
        no cache (``memory`` None, or a Memory without location), only the
        folds' clones are fitted for the out-of-fold outputs (a cache gives
        both back).
        """
        frozen = isinstance(teacher, FrozenEstimator)
        if frozen and not labeled.any():
            return teacher, None, teacher.classes_
        split_params = split_params or {}
        if labeled.all():
            X_lab, y_lab, params = X, y, teacher_params
        else:
            rows = np.flatnonzero(labeled)
            X_lab, y_lab = _safe_indexing(X, rows), y[rows]
            params = index_params(teacher_params, rows, len(y))
            split_params = index_params(split_params, rows, len(y))
        check_teacher_cv(self.teacher_cv, n_rows(X_lab), teacher)
        if (
            fitted is not None
            and self.teacher_cv is not None
            and getattr(check_memory(self.memory), "location", "") is None
        ):
            with blame("teacher", teacher, "fit"):
                output = out_of_fold_response(
                    teacher, fitted, X_lab, y_lab, params, method, self.teacher_cv,
                    self.n_jobs, split_params,
                )
            return fitted, output, np.unique(y_lab)
        with blame("teacher", teacher, method if frozen else "fit"):
            return fit_teacher(
                teacher,
                X_lab,
                y_lab,
                params,
                method,
                cv=self.teacher_cv,
                memory=self.memory,
                n_jobs=self.n_jobs,
                split_params=split_params,
            )

    def _training_set(
        self, X, y, labeled, output, output_classes, method, sample_weight, seed=None,
        check_labels=False,
    ):
        """The student's rows (as given), soft targets and row weights.

        Labeled rows get the blend of the teacher's ``output`` on them and
        their labels; unlabeled and generated rows get the fitted teacher's
        targets with the weight ``alpha``. Returns ``(X, Y, head_weight,
        last_weight)``: the rows' weights for a Pipeline student's leading
        steps, and for its last step (or the bare student), which differ when
        routing gives the user's weights to the first and not to the second
        (see :meth:`_last_step_weight`). ``check_labels``: warn of a teacher
        whose classes look relabelled against the labels.
        """
        n_samples = n_rows(X)
        y_encoded = np.full(n_samples, -1)
        if labeled.all():
            y_encoded[:] = np.searchsorted(self.classes_, y)
            # the teacher's output is ours (a fresh array): overwrite it
            with self._on_out_of_fold_rows():
                logits = logits_from_output(
                    output, output_classes, self.classes_, method, overwrite=True
                )
        else:
            rows = np.flatnonzero(labeled)
            y_encoded[rows] = np.searchsorted(self.classes_, y[rows])
            logits = np.empty((n_samples, len(self.classes_)))
            if rows.size:
                with self._on_out_of_fold_rows():
                    logits[rows] = logits_from_output(
                        output, output_classes, self.classes_, method, overwrite=True
                    )
            unl = np.flatnonzero(~labeled)
            logits[unl] = self._teacher_logits(_safe_indexing(X, unl), method)
        del output
        if check_labels and self.alpha > 0:
            # (the classes it does not know are at -inf: never its likeliest)
            _warn_relabelled(
                np.argmax(logits, axis=1)[labeled], y_encoded[labeled],
                None if sample_weight is None else sample_weight[labeled],
                self.classes_, output_classes,
            )

        if self.alpha == 0:  # generated rows would weigh alpha = 0: none
            self.augment_, X_new = None, None
        else:
            X_new = self._augmented_rows(X, seed)
        if X_new is not None:
            n_new = n_rows(X_new)
            with self._on_generated_rows():
                new_logits = self._teacher_logits(X_new, method)
            logits = np.concatenate([logits, new_logits])
            y_encoded = np.concatenate([y_encoded, np.full(n_new, -1)])
            X = stack_rows(X, X_new)

        Y, row_weight = blend_targets(soften(logits, self.T), y_encoded, self.alpha)

        def rows_weight(weight):
            if weight is not None and X_new is not None:
                # the mean given weight: scaling the weights scales every row's
                weight = np.concatenate(
                    [weight, np.full(n_rows(X_new), np.mean(weight))]
                )
            if row_weight is not None:
                weight = row_weight if weight is None else row_weight * weight
            return weight

        head_weight = rows_weight(sample_weight)
        if self._last_step_weight(sample_weight) is sample_weight:
            return X, Y, head_weight, head_weight
        return X, Y, head_weight, rows_weight(None)  # the method's weights only

    def _teacher_logits(self, X, method):
        with blame("teacher", self.teacher_, method):
            output = teacher_response(self.teacher_, X, method, n_jobs=self.n_jobs)
        return logits_from_output(
            output, self.teacher_.classes_, self.classes_, method, overwrite=True
        )

    def _given_classes(self, classes):
        """``partial_fit``'s ``classes`` without the ``unlabeled`` marker
        (``np.unique(y)`` of a chunk holds it), as ``fit`` never takes it for
        a class."""
        classes = np.asarray(classes)
        if self.unlabeled is None or classes.ndim != 1:
            return classes
        return classes[labeled_mask(classes, self.unlabeled)]

    @available_if(can_stream)
    @undo_first_call_on_error
    def partial_fit(self, X, y=None, classes=None, sample_weight=None):
        """Distil one chunk of rows into the student (streaming).

        Available only when the teacher is prefit and wrapped in
        :class:`~sklearn.frozen.FrozenEstimator` and the student has
        ``partial_fit``. Each chunk is labeled by the teacher and fed to the
        student; augmentation and ``teacher_cv`` are not used here.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            A chunk of inputs, handed to the teacher and the student as given.

        y : array-like of shape (n_samples,), default=None
            Labels of the chunk. ``None`` is pure distillation (as if
            ``alpha=1`` for this chunk); rows equal to ``unlabeled`` get the
            teacher's targets only (with ``alpha=0`` they are left out, and a
            chunk of them only is skipped).

        classes : array-like of shape (n_classes,), default=None
            All the labels, required at the first call when ``y`` has labels
            the teacher does not know (as in scikit-learn's ``partial_fit``);
            by default the teacher's ``classes_``. Later chunks may hold any
            of them.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights.

        Returns
        -------
        self : object
            The estimator, with ``student_`` updated.
        """
        if not hasattr(self, "student_") and get_tags(
            self.student
        ).estimator_type not in ("classifier", "regressor"):
            # a clear TypeError for what is neither (a classifier whose
            # partial_fit takes no weights is streamed its rows' likeliest class)
            student_path(self.student)
        first_call, X, sample_weight = self._start_partial_fit(X, sample_weight)
        # the teacher of the first call labels every chunk (teacher_, as the
        # student it trains), its output chosen on it
        teacher = self.teacher if first_call else self.teacher_
        method = resolve_response_method(teacher, self.teacher_response)
        self._response_method = method
        if first_call:
            self.teacher_ = self.teacher
            self.augment_ = None  # chunks are fitted as they come
            check_single_output(self.teacher_)
            known = np.asarray(self.teacher_.classes_)
            check_label_overlap([], known, unlabeled=self.unlabeled)
            if classes is not None:
                classes = self._given_classes(classes)
                check_label_overlap(classes, known, name="classes")
                check_comparable_integers(classes, known, "classes")
                known = np.union1d(known, classes)
            self.classes_ = np.unique(known)
            self.student_ = clone(self.student)
            self._labels_checked = False  # the teacher's, against y
        elif classes is not None and not np.array_equal(
            np.unique(np.union1d(self.teacher_.classes_, self._given_classes(classes))),
            self.classes_,
        ):
            raise ValueError(
                f"classes={classes!r} is not the same as on the first call: "
                f"{self.classes_!r}."
            )
        y_encoded = np.full(n_rows(X), -1)
        alpha = 1.0
        if y is not None:
            y, labeled = self._check_y(y, n_rows(X))
            # every chunk's labels of the teacher's kind (True would equal a
            # class 1); their overlap with the teacher's classes is checked
            # at the first call (on classes= when given): later chunks may
            # hold any of classes_, even only unknown ones
            labels = np.unique(y[labeled])
            check_label_kind(labels, self.teacher_.classes_)
            others = (  # (text classes: numpy < 1.25 warns comparing them)
                self.classes_[~np.isin(self.classes_, [0, 1])]
                if labels.dtype.kind == "b" else []
            )
            if len(others):
                # classes= of the first call added a class a boolean cannot be
                raise ValueError(
                    f"The labels in y are booleans, but classes_ "
                    f"{self.classes_.tolist()} (the teacher's and those of "
                    f"classes= at the first call) hold {others[:5].tolist()}: "
                    "True and False would be taken as 1 and 0. Encode y as the "
                    "classes are."
                )
            if first_call and classes is None:
                if not np.isin(y[labeled], self.classes_).any():
                    # the error says why: another kind, or no shared label
                    check_label_overlap(np.unique(y[labeled]), self.teacher_.classes_)
                # y's integer type against a teacher's float classes, as fit
                typed = union_classes(np.unique(y[labeled]), self.classes_)
                if len(typed) == len(self.classes_):
                    self.classes_ = typed
            unknown = np.setdiff1d(y[labeled], self.classes_)
            if unknown.size:
                raise ValueError(
                    f"y has labels {unknown.tolist()} that are not in classes_ "
                    f"{self.classes_.tolist()}; pass classes= at the first call."
                )
            y_encoded[labeled] = np.searchsorted(self.classes_, y[labeled])
            alpha = self.alpha
            if alpha == 0 and not labeled.all():
                # as in fit: rows without a label weigh alpha = 0, out
                if not labeled.any():
                    if first_call:
                        raise ValueError(
                            "With alpha=0 the student learns from labels only, "
                            "and the first chunk has no labeled rows (y is "
                            f"unlabeled={self.unlabeled!r} throughout)."
                        )
                    return self  # the chunk weighs nothing
                X, y_encoded = _safe_indexing(X, labeled), y_encoded[labeled]
                if sample_weight is not None:
                    sample_weight = sample_weight[labeled]
        logits = self._teacher_logits(X, method)
        if y is not None and alpha > 0 and not vars(self).get("_labels_checked", True):
            # at the first chunk with enough labelled rows to read
            rows = np.flatnonzero(y_encoded >= 0)
            self._labels_checked = _warn_relabelled(
                np.argmax(logits, axis=1)[rows], y_encoded[rows],
                None if sample_weight is None else sample_weight[rows],
                self.classes_, self.teacher_.classes_,
            )
        Y, row_weight = blend_targets(soften(logits, self.T), y_encoded, alpha)
        if row_weight is not None:
            sample_weight = (
                row_weight if sample_weight is None else row_weight * sample_weight
            )
        with blame("student", self.student_, "partial_fit"):
            partial_fit_student(self.student_, X, Y, self.classes_, sample_weight)
        return self

    def _student_X(self, X):
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        # the rule of fit holds here too
        check_nan(X, self.teacher, self.student, infinity=True)
        return X

    @available_if(_student_has("predict"))
    def predict(self, X):
        """Predict class labels with the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        X = self._student_X(X)
        with blame("student", self.student_, "predict"):
            if is_regressor_student(self.student_):
                logits = regressor_logits(self.student_, X)
                return self.classes_[np.argmax(logits, axis=1)]
            return _as_classes(self.student_.predict(X), self.student_, self.classes_)

    @available_if(_student_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        X = self._student_X(X)
        with blame("student", self.student_, "predict_proba"):
            if is_regressor_student(self.student_):
                return regressor_proba(self.student_, X)
            proba = self.student_.predict_proba(X)
        return _expand_proba(proba, self.student_.classes_, self.classes_)

    @available_if(_student_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Logarithm of the student's class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        X = self._student_X(X)
        with blame("student", self.student_, "predict_log_proba"):
            if is_regressor_student(self.student_):
                return regressor_log_proba(self.student_, X)
            log_proba = self.student_.predict_log_proba(X)
        student_classes = self.student_.classes_
        if len(student_classes) == len(self.classes_):
            if np.array_equal(student_classes, self.classes_):
                return log_proba
            # the same labels in another order (SoftLogisticRegression(classes=...)
            # at alpha=0): its columns read by label, as predict_proba's
            columns = _student_columns(student_classes, self.classes_)
            if columns is not None:
                out = np.empty_like(log_proba)
                out[:, columns] = log_proba
                return out
        with np.errstate(divide="ignore"):
            return np.log(_expand_proba(np.exp(log_proba), self.student_.classes_, self.classes_))

    @available_if(_student_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For a regressor student, its per-class logits (their difference in
            the binary case).
        """
        X = self._student_X(X)
        if is_regressor_student(self.student_):
            with blame("student", self.student_, "predict"):
                Z = regressor_logits(self.student_, X)
            return Z[:, 1] - Z[:, 0] if Z.shape[1] == 2 else Z
        with blame("student", self.student_, "decision_function"):
            scores = self.student_.decision_function(X)
        student_classes = getattr(self.student_, "classes_", self.classes_)
        if len(student_classes) == len(self.classes_) and not np.array_equal(
            student_classes, self.classes_
        ):  # the student's labels in another order (alpha=0, its classes=)
            columns = _student_columns(student_classes, self.classes_)
            if np.ndim(scores) == 1:  # a binary score: for student_classes[1]
                return scores if columns[1] == 1 else -scores
            ordered = np.empty_like(scores)
            ordered[:, columns] = scores
            return ordered
        return scores


def _check_same_out_of_fold(distiller, y_labeled, output):
    """Warn when the out-of-fold outputs computed again for a refit are not
    fit's, on fit's rows (the teacher's folds drawn again without a seed)."""
    fingerprint = getattr(distiller, "_out_of_fold_hash", None)
    if fingerprint is None or joblib.hash(y_labeled) != fingerprint[0]:
        return  # not known, or other rows than fit's
    if joblib.hash(output) != fingerprint[1]:
        warnings.warn(
            f"The refit computed the out-of-fold outputs of teacher_cv="
            f"{distiller.teacher_cv!r} again, and they differ from those fit "
            "used: the teacher's clones or the folds are drawn at random "
            "without an integer seed (random_state=None, or a RandomState "
            "instance, which draws other folds at each split). The refitted "
            "student is fitted on these. Seed the teacher and teacher_cv with "
            "integers; memory= gives the refit fit's outputs when only the "
            "teacher is unseeded (the same folds).",
            UserWarning,
        )


def soft_refit_set(distiller, X, y, sample_weight=None, fit_params=None):
    """The training set of a fitted DistilledClassifier's student, rebuilt.

    This and :func:`~skdistill._fitting.refit_student` are the interface through which
    :class:`~skdistill.SparsifyTransformer` fine-tunes a pruned student: the
    same teacher outputs (out of fold with ``teacher_cv``, cached with
    ``memory``), the same generated rows (the seed ``fit`` drew) and unlabeled
    rows as in ``fit``.

    Parameters
    ----------
    distiller : DistilledClassifier
        Fitted, with a student (or Pipeline student whose last step is) an
        L2-penalized or unpenalized LogisticRegression.
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        The training inputs given to ``fit``.
    y : array-like of shape (n_samples,)
        The training labels given to ``fit``.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights, as given to ``fit``.
    fit_params : dict, default=None
        The other parameters given to ``fit`` (metadata routing): the
        teacher's and ``teacher_cv``'s, so that its out-of-fold outputs are
        those of ``fit``.

    Returns
    -------
    refit_set : RefitSet

    Raises
    ------
    NotImplementedError
        If the student is not fitted by the soft-target logistic solver.
    """
    check_is_fitted(distiller)
    if student_path(distiller.student) != "soft_logistic":
        raise NotImplementedError(
            f"The student {distiller.student!r} cannot be refitted with "
            "coefficients held at zero; only an L2 or unpenalized "
            "LogisticRegression (alone or as a Pipeline's last step) can."
        )
    X = distiller._check_X(X, reset=False)
    y, labeled = distiller._check_y(y, n_rows(X))
    sample_weight = distiller._check_sample_weight(sample_weight, X)
    teacher_params, sample_weight, split_params = distiller._split_params(
        sample_weight, dict(fit_params or {}), X
    )
    # the weights of the last step, which the refit fits (routing: none if it
    # declines them), as fit gave them
    if distiller.alpha == 0:
        # plain supervised training: the student's own classes and labels
        rows = np.flatnonzero(labeled)
        X, y = _safe_indexing(X, rows), y[rows]
        sample_weight = distiller._last_step_weight(sample_weight)
        if sample_weight is not None:
            sample_weight = sample_weight[rows]
        classes = distiller.student_.classes_
        Y = (y[:, None] == classes[None, :]).astype(np.float64)
    else:
        method = getattr(distiller, "_response_method", None)
        if method is None:  # fitted on dask arrays: its frozen teacher decides
            method = resolve_response_method(
                distiller.teacher_, distiller.teacher_response
            )
        output = output_classes = None
        if distiller.teacher_cv is None and labeled.any():
            rows = np.flatnonzero(labeled)
            with blame("teacher", distiller.teacher_, method):
                output = teacher_response(
                    distiller.teacher_,
                    _safe_indexing(X, rows),
                    method,
                    n_jobs=distiller.n_jobs,
                )
            output_classes = distiller.teacher_.classes_
        elif labeled.any():  # the same out-of-fold outputs as fit
            _, output, output_classes = distiller._teacher_on_labeled(
                clone(distiller.teacher), X, y, labeled, teacher_params, method,
                split_params, fitted=distiller.teacher_,
            )
            _check_same_out_of_fold(distiller, y[labeled], output)
        # the rows fit generated, whatever random_state is (None, an instance)
        X, Y, _, sample_weight = distiller._training_set(
            X, y, labeled, output, output_classes, method, sample_weight,
            seed=getattr(distiller, "_augment_seed", None),
        )
        classes = distiller.classes_
    with blame("student", distiller.student_, "transform"):
        X = last_step_input(distiller.student_, X)
    return RefitSet(X, Y, sample_weight, classes)
