"""Agreement with the teacher, model size and speed: metrics and a report."""

import json
import pickle
import time
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.base import is_regressor
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import r2_score
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from ._labels import missing_labels

__all__ = [
    "compression_report",
    "count_nonzero_parameters",
    "fidelity_score",
    "format_report",
    "kl_divergence",
    "prediction_time",
    "serialized_size",
    "soft_cross_entropy",
]

# Student probabilities are clipped at this value before taking their log.
_EPS = 1e-12


@validate_params(
    {
        "y_teacher": ["array-like"],
        "y_student": ["array-like"],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def fidelity_score(y_teacher, y_student, *, sample_weight=None):
    """Fraction of samples on which the student predicts the teacher's label.

    Parameters
    ----------
    y_teacher : array-like of shape (n_samples,)
        Labels predicted by the teacher.

    y_student : array-like of shape (n_samples,)
        Labels predicted by the student.

    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    fidelity : float
        Weighted agreement in ``[0, 1]``.

    Examples
    --------
    >>> from skdistill.metrics import fidelity_score
    >>> fidelity_score([0, 1, 1, 2], [0, 1, 2, 2])
    0.75
    """
    return _label_agreement(
        y_teacher, y_student, ("y_teacher", "y_student"), sample_weight
    )


def _label_agreement(y_a, y_b, names, sample_weight=None):
    """Weighted fraction of equal labels, refusing what cannot be compared
    (missing labels, continuous values, strings against numbers)."""
    y_a, y_b = column_or_1d(y_a), column_or_1d(y_b)
    check_consistent_length(y_a, y_b, sample_weight)
    if len(y_a) == 0:
        raise ValueError(
            f"{names[0]} and {names[1]} are empty; at least one sample is needed."
        )
    for name, labels in zip(names, (y_a, y_b)):
        if missing_labels(labels).any():  # NaN never equals NaN: refused
            raise ValueError(f"Input {name} contains NaN (missing labels).")
        if type_of_target(labels, input_name=name) == "continuous":
            # as accuracy_score: equal floats are not a regressor's fidelity
            raise ValueError(
                f"{name} holds continuous values, not labels. For a "
                "regressor, compare the predictions with "
                "sklearn.metrics.r2_score(y_teacher, y_student), the fidelity "
                "that compression_report and DistillationSearchCV report."
            )
    kinds = {
        isinstance(label, str)
        for labels in (y_a, y_b)
        for label in set(labels.tolist())
    }
    if len(kinds) > 1:  # "1" never equals 1: an error, not an agreement of 0
        raise ValueError(
            f"Mix of label input types (string and number) in {names[0]} and "
            f"{names[1]}; give both the same kind of labels."
        )
    sample_weight = _check_weights(sample_weight)
    return float(np.average(y_a == y_b, weights=sample_weight))


def _relative_weights(sample_weight):
    """``sample_weight`` relative to its largest (None stays None; all zeros
    stay zeros): what a weighted mean reads of the weights, without a total
    that overflows (equal weights of 1e308) or loses precision (subnormal
    weights)."""
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    top = np.max(sample_weight) if sample_weight.size else 0.0
    return sample_weight / top if top > 0 else sample_weight


def _check_weights(sample_weight):
    """Validate sample weights: finite, non-negative, not all zero.

    Returned relative to the largest (the averages they weigh are the same),
    so that their total neither overflows (equal weights of 1e308) nor loses
    precision (subnormal weights).
    """
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight)
    if sample_weight.ndim != 1:
        # (column_or_1d would name y, and take a column)
        raise ValueError(
            "sample_weight must be a 1-D array of shape (n_samples,); got shape "
            f"{sample_weight.shape}."
        )
    sample_weight = sample_weight.astype(np.float64)
    if (
        not np.all(np.isfinite(sample_weight))
        or np.any(sample_weight < 0)
        or not np.any(sample_weight > 0)
    ):
        raise ValueError(
            "sample_weight must be finite and non-negative with a positive "
            "sum."
        )
    return _relative_weights(sample_weight)


def _check_probabilities(p, name, rtol=1e-6):
    """Validate a matrix of class probabilities; return it as float64."""
    if np.iscomplexobj(p):
        raise ValueError(
            f"{name} must be a real array of class probabilities; got complex "
            "values."
        )
    try:
        p = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a numeric array of class probabilities; got {exc}"
        ) from exc
    if p.ndim != 2 or p.shape[0] == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D array of shape (n_samples, n_classes) "
            f"of class probabilities; got shape {p.shape}."
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must contain finite, non-negative probabilities.")
    sums = p.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1) > rtol)
    if bad.size:
        raise ValueError(
            f"Every row of {name} must sum to 1; row {bad[0]} sums to {sums[bad[0]]!r}."
        )
    return p


def _check_pair(p_teacher, p_student, sample_weight):
    p_teacher = _check_probabilities(p_teacher, "p_teacher")
    p_student = _check_probabilities(p_student, "p_student")
    if p_teacher.shape != p_student.shape:
        raise ValueError(
            "p_teacher and p_student must have the same shape (n_samples, "
            f"n_classes); got {p_teacher.shape} and {p_student.shape}."
        )
    if sample_weight is not None:
        sample_weight = _check_weights(sample_weight)
        check_consistent_length(p_teacher, sample_weight)
    return p_teacher, p_student, sample_weight


@validate_params(
    {
        "p_teacher": ["array-like"],
        "p_student": ["array-like"],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def soft_cross_entropy(p_teacher, p_student, *, sample_weight=None):
    """Cross-entropy of the student's probabilities under the teacher's.

    The mean over rows of ``-sum_k p_teacher[i, k] * log(p_student[i, k])``,
    in nats (natural logarithm). This is the loss a distilled student
    minimises on pure soft targets (``alpha=1``). The student's
    probabilities are clipped at ``1e-12`` before taking the logarithm, so
    the result is finite.

    Parameters
    ----------
    p_teacher : array-like of shape (n_samples, n_classes)
        Target (teacher) class probabilities; every row sums to 1.

    p_student : array-like of shape (n_samples, n_classes)
        Predicted (student) class probabilities, columns in the same order.

    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    cross_entropy : float
        Non-negative; equal to :func:`kl_divergence` plus the teacher's
        entropy.

    Raises
    ------
    ValueError
        If an input is not 2-D, the shapes differ, or a row is not a
        probability distribution (negative entries or a sum other than 1).

    See Also
    --------
    kl_divergence : The same comparison without the teacher's own entropy.
    sklearn.metrics.log_loss : Cross-entropy against hard labels.

    Examples
    --------
    >>> from skdistill.metrics import soft_cross_entropy
    >>> p_teacher = [[0.5, 0.5], [0.9, 0.1]]
    >>> p_student = [[0.5, 0.5], [0.8, 0.2]]
    >>> round(soft_cross_entropy(p_teacher, p_student), 4)
    0.5275
    >>> round(soft_cross_entropy(p_teacher, p_teacher), 4)  # teacher's entropy
    0.5091
    """
    p_teacher, p_student, sample_weight = _check_pair(
        p_teacher, p_student, sample_weight
    )
    log_student = np.log(np.maximum(p_student, _EPS))
    row_loss = -np.sum(p_teacher * log_student, axis=1)
    return float(np.average(row_loss, weights=sample_weight))


@validate_params(
    {
        "p_teacher": ["array-like"],
        "p_student": ["array-like"],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def kl_divergence(p_teacher, p_student, *, sample_weight=None):
    """Kullback-Leibler divergence from the student's probabilities to the teacher's.

    The mean over rows of
    ``sum_k p_teacher[i, k] * log(p_teacher[i, k] / p_student[i, k])``, in
    nats (natural logarithm), with ``0 * log(0 / q) = 0``. The student's
    probabilities are clipped at ``1e-12``, so the result is finite. It is 0
    when the student reproduces the teacher's probabilities.

    Parameters
    ----------
    p_teacher : array-like of shape (n_samples, n_classes)
        Reference (teacher) class probabilities; every row sums to 1.

    p_student : array-like of shape (n_samples, n_classes)
        Approximating (student) class probabilities, columns in the same
        order.

    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    divergence : float
        Non-negative, up to rounding.

    Raises
    ------
    ValueError
        If an input is not 2-D, the shapes differ, or a row is not a
        probability distribution (negative entries or a sum other than 1).

    See Also
    --------
    soft_cross_entropy : The same comparison plus the teacher's entropy.
    scipy.stats.entropy : The divergence of one pair of distributions.

    Examples
    --------
    >>> from skdistill.metrics import kl_divergence
    >>> p_teacher = [[0.5, 0.5], [0.9, 0.1]]
    >>> p_student = [[0.5, 0.5], [0.8, 0.2]]
    >>> round(kl_divergence(p_teacher, p_student), 4)
    0.0183
    >>> kl_divergence(p_teacher, p_teacher)
    0.0
    """
    p_teacher, p_student, sample_weight = _check_pair(
        p_teacher, p_student, sample_weight
    )
    log_ratio = np.log(np.maximum(p_teacher, _EPS)) - np.log(
        np.maximum(p_student, _EPS)
    )
    row_kl = np.sum(np.where(p_teacher > 0, p_teacher * log_ratio, 0.0), axis=1)
    return float(np.average(row_kl, weights=sample_weight))


def _fitted_array_attributes(estimator):
    """Fitted numeric arrays of ``estimator``, its labels (``classes_``) aside."""
    for name, value in vars(estimator).items():
        if name == "classes_":
            continue
        # (a nearest-neighbours model's rows, and its targets when numbers:
        # a regressor averages them, a classifier's are codes of its labels)
        stored = name == "_fit_X" or (name == "_y" and is_regressor(estimator))
        if name.endswith("_") and not name.startswith("_") or stored:
            if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
                yield name, value
            elif sparse.issparse(value) and value.dtype.kind in "fiu":
                yield name, value  # a nearest-neighbours model's sparse rows


def _boosted_trees(estimator):
    """``(n_splits, n_leaf_values)`` of an XGBoost, LightGBM or CatBoost model
    of trees, or None for another model.

    Their trees live in the library's own booster, not in array attributes.
    """
    library = type(estimator).__module__.partition(".")[0]
    if library == "xgboost" and hasattr(estimator, "get_booster"):
        dumps = estimator.get_booster().get_dump(dump_format="json")
        nodes = [json.loads(dump) for dump in dumps]
        if any("weight" in node for node in nodes):
            return None  # a linear booster (coef_)
        children, leaf = ("children",), "leaf"
    elif library == "lightgbm" and hasattr(estimator, "booster_"):
        trees = estimator.booster_.dump_model()["tree_info"]
        nodes = [tree["tree_structure"] for tree in trees]
        children, leaf = ("left_child", "right_child"), "leaf_value"
    elif library == "catboost" and hasattr(estimator, "get_tree_leaf_counts"):
        leaves = np.asarray(estimator.get_tree_leaf_counts(), dtype=np.float64)
        policy = estimator.get_all_params().get("grow_policy", "SymmetricTree")
        # a symmetric tree has one split per level: log2 of its leaves
        splits = np.log2(leaves) if policy == "SymmetricTree" else leaves - 1
        return int(np.round(splits).sum()), int(np.size(estimator.get_leaf_values()))
    else:
        return None
    n_splits = n_leaf_values = 0
    while nodes:
        node = nodes.pop()
        if leaf in node:
            n_leaf_values += int(np.size(node[leaf]))  # a vector per leaf, or one
        else:
            n_splits += 1
            for key in children:
                child = node.get(key, ())
                nodes.extend(child if isinstance(child, list) else [child])
    return n_splits, n_leaf_values


def _nnz(values):
    """Non-zero entries of a dense or sparse array."""
    return int(values.nnz if hasattr(values, "nnz") else np.count_nonzero(values))


def _count_calibrator(calibrator):
    """Non-zero parameters of a calibrator: its arrays (isotonic thresholds)
    and its scalars (sigmoid's ``a_`` and ``b_``, temperature's ``beta_``),
    which the generic count, of arrays only, leaves out."""
    scalars = [
        value
        for name, value in vars(calibrator).items()
        if name.endswith("_")
        and not name.startswith("_")
        and isinstance(value, (float, np.floating))
    ]
    return count_nonzero_parameters(calibrator) + int(np.count_nonzero(scalars))


def count_nonzero_parameters(estimator):
    """Number of non-zero learned parameters of a fitted model.

    Parameters
    ----------
    estimator : fitted estimator
        A linear model (``coef_`` and ``intercept_``), a neural network
        (``coefs_`` and ``intercepts_``), a support vector machine (support
        vectors, dual coefficients and intercepts), a decision tree (a feature
        and a threshold per split, the values of the leaves), an ensemble (the
        sum over its fitted members, and gradient boosting's initial model), a
        histogram gradient boosting model (a feature and a threshold per
        split, a value per leaf, the baseline), an
        XGBoost, LightGBM or CatBoost model of trees (a feature and a
        threshold per split, the values of the leaves), a
        :class:`~sklearn.frozen.FrozenEstimator` (its model), a
        meta-estimator with a fitted ``estimator_`` (that model, e.g. the
        pruned model of a sparsifier or the dequantized model of a quantized
        one), a fitted search (its ``best_estimator_``), a
        :class:`~sklearn.compose.TransformedTargetRegressor` (its regressor
        and its target transformer), a
        :class:`~sklearn.calibration.CalibratedClassifierCV` (its fitted
        models and calibrators), a nearest-neighbours model (its stored
        training rows, and a regressor's targets), a
        :class:`~sklearn.pipeline.Pipeline` or
        :class:`~sklearn.compose.ColumnTransformer` (the sum over its fitted
        parts), or a distilled model (its student). For any other model,
        the non-zero entries of its numeric fitted array attributes.

    Returns
    -------
    n_parameters : int
        The number of non-zero parameters.

    Raises
    ------
    NotFittedError
        If the estimator is not fitted.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdistill.metrics import count_nonzero_parameters
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    >>> model = LogisticRegression().fit(X, [0, 1, 0, 1])
    >>> count_nonzero_parameters(model)
    3
    """
    check_is_fitted(estimator)
    if isinstance(estimator, FrozenEstimator):  # its model's, all of them
        return count_nonzero_parameters(estimator.estimator)
    if hasattr(estimator, "student_"):
        return count_nonzero_parameters(estimator.student_)
    if hasattr(estimator, "best_estimator_"):  # a refitted search: its model
        return count_nonzero_parameters(estimator.best_estimator_)
    if hasattr(estimator, "cv_results_"):
        raise ValueError(
            f"The {type(estimator).__name__} was fitted with refit=False and "
            "holds no model to count; refit it, or count a candidate fitted on "
            "its own."
        )
    if hasattr(estimator, "regressor_"):  # TransformedTargetRegressor
        transformer = getattr(estimator, "transformer_", None)
        return count_nonzero_parameters(estimator.regressor_) + (
            0 if transformer is None else count_nonzero_parameters(transformer)
        )
    if hasattr(estimator, "calibrated_classifiers_"):
        # CalibratedClassifierCV: each fitted model and its calibrators
        return int(
            sum(
                count_nonzero_parameters(calibrated.estimator)
                + sum(
                    _count_calibrator(calibrator)
                    for calibrator in calibrated.calibrators
                )
                for calibrated in estimator.calibrated_classifiers_
            )
        )
    if hasattr(estimator, "steps"):
        return sum(
            count_nonzero_parameters(step)
            for _, step in estimator.steps
            if step not in (None, "passthrough")
        )
    if hasattr(estimator, "estimators_"):
        # ensembles; their estimator_ is the unfitted template, not a member
        # (a stack's final estimator is one too)
        members = list(np.ravel(np.asarray(estimator.estimators_, dtype=object)))
        members += [getattr(estimator, "final_estimator_", None)]
        # gradient boosting's initial model (a fitted DummyRegressor's
        # constant, a DummyClassifier's priors); "zero" has none
        members += [getattr(estimator, "init_", None)]
        return int(
            sum(
                count_nonzero_parameters(m)
                for m in members
                if m is not None and not isinstance(m, str)  # "drop"
            )
        )
    if hasattr(estimator, "_predictors"):
        # histogram gradient boosting: a split stores a feature and a threshold
        nodes = [p.nodes for iteration in estimator._predictors for p in iteration]
        n_leaves = sum(int(np.sum(n["is_leaf"])) for n in nodes)
        n_splits = sum(len(n) for n in nodes) - n_leaves
        return int(
            2 * n_splits + n_leaves + np.count_nonzero(estimator._baseline_prediction)
        )
    if hasattr(estimator, "transformers_"):  # ColumnTransformer: its fitted parts
        return sum(
            count_nonzero_parameters(part)
            for _, part, columns in estimator.transformers_
            # a part whose selector matched no column is left unfitted
            if part not in ("drop", "passthrough") and not _no_columns(columns)
        )
    if hasattr(estimator, "estimator_") and not hasattr(estimator, "intercept_"):
        # a meta-estimator's model, e.g. a quantized model's (with its
        # intercepts, which its own coef_ does not come with)
        return count_nonzero_parameters(estimator.estimator_)
    if hasattr(estimator, "support_vectors_"):  # what an SVM stores, also linear
        return (
            _nnz(estimator.support_vectors_)
            + _nnz(estimator.dual_coef_)
            + _nnz(estimator.intercept_)
        )
    if hasattr(estimator, "coef_"):
        return _nnz(estimator.coef_) + _nnz(getattr(estimator, "intercept_", 0.0))
    if hasattr(estimator, "coefs_"):
        return int(
            sum(np.count_nonzero(w) for w in estimator.coefs_)
            + sum(np.count_nonzero(b) for b in estimator.intercepts_)
        )
    if hasattr(estimator, "tree_"):
        tree = estimator.tree_
        n_splits = int(np.sum(tree.children_left >= 0))
        n_leaves = tree.node_count - n_splits
        return 2 * n_splits + n_leaves * int(np.prod(tree.value.shape[1:]))
    boosted = _boosted_trees(estimator)
    if boosted is not None:  # a feature and a threshold per split, the leaves
        n_splits, n_leaf_values = boosted
        return 2 * n_splits + n_leaf_values
    return int(sum(_nnz(value) for _, value in _fitted_array_attributes(estimator)))


def _skops_available():
    try:
        import skops.io  # noqa: F401
    except ImportError:
        return False
    return True


def serialized_size(estimator, *, method="auto"):
    """Bytes of the file that ships the estimator.

    Parameters
    ----------
    estimator : object
        The fitted model.

    method : {"auto", "skops", "pickle"}, default="auto"
        ``"skops"``: the size of what :func:`skdistill.io.dump` writes (a
        deflate-compressed skops archive; mostly-zero linear coefficients
        stored as CSR when that is smaller), so a pruned model is reported
        smaller than its dense twin. ``"pickle"``: the uncompressed pickle
        (protocol 5). ``"auto"``: ``"skops"`` when skops is installed, else
        ``"pickle"``.

    Returns
    -------
    n_bytes : int
        The file's size in bytes.

    Examples
    --------
    >>> from skdistill.metrics import serialized_size
    >>> serialized_size([1, 2, 3], method="pickle") > 0
    True
    """
    if method not in ("auto", "skops", "pickle"):
        raise ValueError(
            f"method must be one of 'auto', 'skops', 'pickle'; got {method!r}."
        )
    if method == "auto":
        method = "skops" if _skops_available() else "pickle"
    if method == "skops":
        from .io import dumps

        return len(dumps(estimator))
    return len(pickle.dumps(estimator, protocol=5))


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", "sparse matrix"],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def prediction_time(estimator, X, *, n_repeats=5):
    """Seconds that ``estimator.predict`` takes per 1,000 rows (best of repeats).

    The rows of ``X`` are tiled up to at least 1,000 rows so that small test
    sets are timed on a meaningful batch; one untimed warm-up call precedes
    the timed repeats.

    Parameters
    ----------
    estimator : fitted estimator
        Must have ``predict``.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Inputs to predict on.

    n_repeats : int, default=5
        Number of timed repeats; the fastest is kept.

    Returns
    -------
    seconds : float
        Time per 1,000 rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from skdistill.metrics import prediction_time
    >>> X = np.zeros((10, 2))
    >>> model = DummyClassifier().fit(X, [0, 1] * 5)
    >>> prediction_time(model, X) >= 0
    True
    """
    n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
    if n_rows == 0:
        raise ValueError("X is empty; prediction_time needs at least one row.")
    reps = int(np.ceil(1000 / n_rows))
    if sparse.issparse(X) and X.format not in ("csr", "csc"):
        X = X.tocsr()  # COO, BSR, DOK, LIL: rows are not indexed
    batch = _safe_indexing(X, np.tile(np.arange(n_rows), reps))
    # One untimed call first: the first call on a new array layout can pay
    # for thread-pool start-up and code paths the later calls do not.
    estimator.predict(batch)
    best = np.inf
    for _ in range(n_repeats):
        start = time.perf_counter()
        estimator.predict(batch)
        best = min(best, time.perf_counter() - start)
    return best * 1000 / (n_rows * reps)


def _no_columns(columns):
    """Whether a ColumnTransformer's resolved column selection is empty."""
    if isinstance(columns, (str, Integral, slice)) or callable(columns):
        return False
    columns = np.asarray(columns)
    return columns.size == 0 or (columns.dtype == bool and not columns.any())


def compression_report(
    models, X, y, *, teacher=None, n_repeats=5, print_table=False, size_method="auto"
):
    """Accuracy, fidelity, size and speed of fitted models on a test set.

    Parameters
    ----------
    models : dict of str to fitted estimator
        The models to compare, by display name, in display order: all
        classifiers, or all regressors.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Test inputs.

    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Test labels, or test targets (several outputs for regressors only:
        their R² is averaged over the outputs, as :func:`~sklearn.metrics.r2_score`
        does).

    teacher : str, default=None
        Name (a key of ``models``) of the model the others are compared with
        for fidelity. With ``None``, fidelity is not reported.

    n_repeats : int, default=5
        Timing repeats for :func:`prediction_time`.

    print_table : bool, default=False
        Also print the table (see :func:`format_report`).

    size_method : {"auto", "skops", "pickle"}, default="auto"
        How ``bytes`` is measured (see :func:`serialized_size`): by default
        the compressed file that :func:`skdistill.io.dump` writes. Every
        model is measured the same way: with ``"auto"``, if skops cannot save
        one of them (a fitted HistGradientBoosting with NumPy < 1.25), all
        are measured as pickles.

    Returns
    -------
    report : dict of str to dict
        For each model: ``accuracy`` (classifiers) or ``r2`` (the
        coefficient of determination, regressors), ``fidelity`` (when
        ``teacher`` is given: the fraction of rows where the model predicts
        the teacher's label, or for regressors the R2 of its predictions
        against the teacher's),
        ``n_parameters`` (non-zero), ``bytes`` (size of the shipped file,
        see ``size_method``: of what predicts, as
        ``skdistill.io.dump(model, prediction_only=True)`` writes it, so a
        distiller's fitted teacher is not counted) and
        ``ms_per_1000`` (prediction time per 1,000 rows, in milliseconds).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skdistill.metrics import compression_report
    >>> X, y = load_iris(return_X_y=True)
    >>> models = {"tree": DecisionTreeClassifier(random_state=0).fit(X, y),
    ...           "logistic": LogisticRegression(max_iter=500).fit(X, y)}
    >>> report = compression_report(models, X, y, teacher="tree")
    >>> sorted(report["logistic"])
    ['accuracy', 'bytes', 'fidelity', 'ms_per_1000', 'n_parameters']
    >>> report["tree"]["fidelity"]
    1.0
    """
    if teacher is not None and teacher not in models:
        raise ValueError(
            f"teacher={teacher!r} is not one of the models: {sorted(models)}."
        )
    kinds = {name: is_regressor(m) for name, m in models.items()}
    if len(set(kinds.values())) > 1:
        regressors = sorted(name for name, kind in kinds.items() if kind)
        raise ValueError(
            "compression_report compares classifiers or regressors, not both; "
            f"the regressors are {regressors}, the others are not (a "
            "classifier's accuracy against a regressor's predictions would be "
            "meaningless)."
        )
    regression = bool(models) and all(kinds.values())
    if regression and np.ndim(y) == 2:  # several outputs: r2_score's average
        y = check_array(y, ensure_2d=False, input_name="y")
    else:
        y = column_or_1d(y)
    check_consistent_length(X, y)
    predictions = {name: model.predict(X) for name, model in models.items()}
    sizes = _report_sizes(models, size_method)
    report = {}
    for name, model in models.items():
        if regression:
            row = {"r2": float(r2_score(y, predictions[name]))}
        else:
            row = {
                "accuracy": _label_agreement(
                    y, predictions[name], ("y", f"the predictions of {name!r}")
                )
            }
        if teacher is not None:
            if regression:
                row["fidelity"] = float(r2_score(predictions[teacher], predictions[name]))
            else:
                row["fidelity"] = fidelity_score(
                    predictions[teacher], predictions[name]
                )
        row["n_parameters"] = count_nonzero_parameters(model)
        row["bytes"] = sizes[name]
        row["ms_per_1000"] = 1000 * prediction_time(model, X, n_repeats=n_repeats)
        report[name] = row
    if print_table:
        print(format_report(report))
    return report


def _report_sizes(models, method):
    """Bytes of what predicts for every model, all measured with one method."""
    from .io import prediction_model

    models = {name: prediction_model(m) for name, m in models.items()}
    if method == "auto" and _skops_available():
        from .io import _GeneratorNotSaved

        try:
            return {
                name: serialized_size(m, method="skops") for name, m in models.items()
            }
        except _GeneratorNotSaved:
            method = "pickle"
    return {name: serialized_size(m, method=method) for name, m in models.items()}


def format_report(report, *, markdown=False):
    """Render a :func:`compression_report` as a plain-text table.

    Parameters
    ----------
    report : dict of str to dict
        As returned by :func:`compression_report`.

    markdown : bool, default=False
        Render a Markdown (GitHub) table instead of aligned plain text.

    Returns
    -------
    table : str
        The report as a text table.

    Examples
    --------
    >>> from skdistill.metrics import format_report
    >>> print(format_report({"m": {"accuracy": 0.5, "n_parameters": 3,
    ...                            "bytes": 100, "ms_per_1000": 0.1}}))
    model  accuracy  parameters  bytes  ms/1000 rows
    m         0.500           3    100         0.100
    >>> print(format_report({"m": {"r2": 0.5, "bytes": 100}}, markdown=True))
    | model | R2 | bytes |
    |:---|---:|---:|
    | m | 0.500 | 100 |
    """
    columns = [
        ("accuracy", "accuracy", "{:.3f}"),
        ("r2", "R2", "{:.3f}"),
        ("fidelity", "fidelity", "{:.3f}"),
        ("n_parameters", "parameters", "{:d}"),
        ("bytes", "bytes", "{:d}"),
        ("ms_per_1000", "ms/1000 rows", "{:.3f}"),
    ]
    present = [c for c in columns if any(c[0] in row for row in report.values())]
    header = ["model"] + [title for _, title, _ in present]
    rows = [
        [name]
        + [fmt.format(row[key]) if key in row else "-" for key, _, fmt in present]
        for name, row in report.items()
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |"]
        lines.append("|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [r[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(r[1:], widths[1:])
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
