"""Soft targets: teacher logits aligned to the classes, temperature and blending."""

import json
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import BaggingClassifier, StackingClassifier
from sklearn.feature_selection import RFE
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV
from sklearn.multiclass import OneVsOneClassifier
from sklearn.pipeline import Pipeline
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.utils.extmath import softmax

from ._teacher import LabelEncodedClassifier

# Floor of the teacher's probabilities before their logarithm: the smallest
# normal float64, so that every logit is finite while a probability of 0
# stays negligible once softened (about 1e-77 of the top class at T=4, where
# a floor of 1e-12 gave 1e-3: a share of the targets, and of the repeated
# rows, for every class the teacher rules out).
PROBA_FLOOR = np.finfo(np.float64).tiny


def _final_estimator(estimator, grids=None):
    """The estimator that produces the outputs of ``estimator``.

    Looks through :class:`~sklearn.frozen.FrozenEstimator`, the
    label-encoding wrapper of a teacher, the last step of a
    :class:`~sklearn.pipeline.Pipeline`, a search's (best) estimator, and the
    meta-estimators whose ``decision_function`` is their inner estimator's
    (:class:`~sklearn.semi_supervised.SelfTrainingClassifier`,
    :class:`~sklearn.feature_selection.RFE` and ``RFECV``) or its average
    (:class:`~sklearn.ensemble.BaggingClassifier`), and the final estimator of
    a :class:`~sklearn.ensemble.StackingClassifier`. The parameter grids (or
    distributions) of the unfitted searches it looks through are appended to
    the list ``grids`` when one is given.
    """
    while True:
        if isinstance(estimator, FrozenEstimator):
            estimator = estimator.estimator
        elif isinstance(estimator, BaggingClassifier):
            # fitted, its first clone (they share their parameters)
            fitted = getattr(estimator, "estimators_", None)
            estimator = fitted[0] if fitted else estimator.estimator
        elif isinstance(estimator, (LabelEncodedClassifier, RFE)):
            estimator = getattr(estimator, "estimator_", estimator.estimator)
        elif isinstance(estimator, SelfTrainingClassifier):
            # ``base_estimator`` before scikit-learn 1.6 renamed it
            inner = getattr(estimator, "estimator_", None)
            if inner is None:
                inner = getattr(estimator, "estimator", None)
            if inner is None:
                inner = getattr(estimator, "base_estimator", None)
            estimator = inner
        elif isinstance(estimator, StackingClassifier):
            final = getattr(estimator, "final_estimator_", estimator.final_estimator)
            if final is None:  # a LogisticRegression: per class
                return estimator
            estimator = final
        elif isinstance(estimator, Pipeline) and estimator.steps:
            estimator = estimator.steps[-1][1]
        elif hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        elif hasattr(estimator, "param_grid") or hasattr(
            estimator, "param_distributions"
        ):  # an unfitted search
            if grids is not None:
                grid = getattr(estimator, "param_grid", None)
                if grid is None:
                    grid = estimator.param_distributions
                grids.extend(grid if isinstance(grid, (list, tuple)) else [grid])
            inner = getattr(estimator, "estimator", None)
            if inner is None:
                # a search without one estimator (DistillationSearchCV: its
                # candidates answer as their students, in its grid)
                return estimator
            estimator = inner
        else:
            return estimator


def check_single_output(teacher):
    """Refuse a fitted classifier teacher trained on multilabel or multi-output y.

    Some of them (one-vs-rest, MLP and ridge classifiers, XGBoost) return one
    array of per-label values, which would be read as per-class outputs and
    distilled silently into a model of the wrong classes; they are recognised
    by what their fit records.

    Raises
    ------
    ValueError
        If the teacher was fitted on multilabel or multi-output targets.
    """
    estimator = _final_estimator(teacher)
    binarizer = getattr(estimator, "_label_binarizer", None) or getattr(
        estimator, "label_binarizer_", None
    )
    # (not n_outputs_: a network's is its number of output units)
    classes = getattr(estimator, "classes_", None)
    multiple = (
        str(getattr(binarizer, "y_type_", "")).startswith("multilabel")
        or getattr(estimator, "outputs_2d_", False) is True
        # one array of classes per output (a list of labels is one output)
        or isinstance(classes, list) and any(np.ndim(c) == 1 for c in classes)
        or _xgboost_targets(estimator) > 1
    )
    if multiple:
        raise ValueError(
            f"The teacher's {type(estimator).__name__} was fitted on multilabel or "
            "multi-output targets: a multi-output or multilabel teacher cannot "
            "be distilled; skdistill distils one output."
        )


def _xgboost_targets(estimator):
    """The number of targets an XGBoost model was fitted on (1 for others)."""
    booster = getattr(estimator, "get_booster", None)
    if booster is None or not type(estimator).__module__.startswith("xgboost"):
        return 1
    try:
        config = json.loads(booster().save_config())
        return int(config["learner"]["learner_model_param"]["num_target"])
    except (AttributeError, KeyError, TypeError, ValueError):
        # unfitted (XGBoostError is a ValueError), or another layout
        return 1


def decision_is_per_class(teacher, n_classes=None):
    """Whether the teacher's ``decision_function`` gives one score per class.

    One-vs-rest and multinomial scores are per class, and so is a binary
    score; one-vs-one scores (one column per pair of classes, e.g.
    :class:`~sklearn.svm.SVC` with ``decision_function_shape="ovo"``) are not,
    even when there are as many pairs as classes (three classes). With two
    classes, one-vs-one is the binary score. An unfitted search whose grid
    sets ``decision_function_shape`` shows its shape once fitted only: True
    until then (:func:`check_fitted_response` checks the fitted teacher).

    Parameters
    ----------
    teacher : estimator
    n_classes : int, default=None
        The number of classes an unfitted teacher will be fitted on.

    Returns
    -------
    per_class : bool
    """
    grids = []
    final = _final_estimator(teacher, grids)
    if getattr(final, "decision_function_shape", "ovr") != "ovo":
        return True
    if any(
        name.endswith("decision_function_shape") for grid in grids for name in grid
    ):
        return True  # an unfitted search that sets it: checked once fitted
    classes = getattr(final, "classes_", None)
    return (n_classes if classes is None else len(classes)) == 2


def centred_binary_scores(teacher, output, method):
    """``output`` of the teacher's ``method``, a two-class vote share centred.

    With two classes, scikit-learn's
    :class:`~sklearn.multiclass.OneVsOneClassifier` returns the second
    class's per-class score ``s`` (its vote, 0 or 1, plus a confidence in
    (-1/3, 1/3)), whose complement ``1 - s`` is the first class's: not a
    margin centred on zero. Its logits ``[1 - s, s]`` are the binary score
    ``2 s - 1``, which this returns (a new array: ``output`` is not
    written); every other output is returned as it is.
    """
    if (
        method == "decision_function"
        and np.ndim(output) == 1
        and isinstance(_final_estimator(teacher), OneVsOneClassifier)
    ):
        output = 2.0 * np.asarray(output, dtype=np.float64) - 1.0
    return output


def resolve_response_method(teacher, teacher_response, n_classes=None):
    """Name the teacher method that gives its per-class logits.

    Parameters
    ----------
    teacher : estimator
        The (fitted or unfitted) teacher.
    teacher_response : {"auto", "predict_proba", "decision_function"}
        The requested response; "auto" prefers ``predict_proba``, and uses
        ``decision_function`` only when it is per class (see
        :func:`decision_is_per_class`).
    n_classes : int, default=None
        The number of classes an unfitted teacher will be fitted on.

    Returns
    -------
    method : str
        ``"predict_proba"`` or ``"decision_function"``.

    Raises
    ------
    TypeError
        If the teacher has neither method.
    ValueError
        If the requested method is not available on the teacher, or the
        teacher's only response is a decision function that is not per class
        (one-vs-one scores).
    """
    if (
        isinstance(teacher, StackingClassifier)
        and teacher.final_estimator is None
        and not hasattr(teacher, "final_estimator_")
    ):
        # unfitted, it shows neither method (they depend on its final
        # estimator, None): it answers as the LogisticRegression it will fit
        teacher = clone(teacher).set_params(final_estimator=LogisticRegression())
    has_proba = hasattr(teacher, "predict_proba")
    has_decision = hasattr(teacher, "decision_function")
    if not (has_proba or has_decision):
        raise TypeError(
            f"The teacher {teacher!r} has neither predict_proba nor "
            "decision_function; a classifier teacher needs one of them to "
            "provide soft targets."
        )
    if teacher_response == "auto":
        if has_proba:
            return "predict_proba"
    elif not hasattr(teacher, teacher_response):
        raise ValueError(
            f"teacher_response={teacher_response!r} but the teacher {teacher!r} "
            f"has no {teacher_response} method. Use teacher_response='auto' or a "
            "method the teacher has."
        )
    elif teacher_response == "predict_proba":
        return teacher_response
    if not decision_is_per_class(teacher, n_classes):
        raise ValueError(
            f"teacher_response={teacher_response!r}: the teacher {teacher!r} "
            "returns one-vs-one scores from decision_function (one column per "
            f"pair of classes), which are not per-class logits. {_OVO_REMEDY}"
        )
    return "decision_function"


_OVO_REMEDY = (
    "Set decision_function_shape='ovr' on the teacher, or give it predict_proba "
    "(e.g. wrap it in CalibratedClassifierCV) with "
    "teacher_response='predict_proba' or 'auto'."
)


def check_fitted_response(teacher, method):
    """Refuse a fitted teacher whose ``decision_function``, read as ``method``,
    turned out one-vs-one (a search that chose ``decision_function_shape="ovo"``,
    which its unfitted form could not show)."""
    if method == "decision_function" and not decision_is_per_class(teacher):
        raise ValueError(
            f"The fitted teacher {type(teacher).__name__} returns one-vs-one "
            "scores from decision_function (one column per pair of classes; "
            f"its model is {_final_estimator(teacher)!r}), which are not "
            f"per-class logits. {_OVO_REMEDY}"
        )


def align_columns(values, teacher_classes, classes, fill):
    """Reorder per-class columns from the teacher's classes to ``classes``.

    Parameters
    ----------
    values : ndarray of shape (n_samples, len(teacher_classes))
        Per-class values in the order of ``teacher_classes``.
    teacher_classes : ndarray
        The teacher's labels, each of which must be in ``classes``.
    classes : ndarray
        Sorted labels of the meta-estimator.
    fill : float
        Value for the classes the teacher does not know.

    Returns
    -------
    aligned : ndarray of shape (n_samples, len(classes))
    """
    teacher_classes = np.asarray(teacher_classes)
    if len(teacher_classes) == len(classes) and np.array_equal(
        teacher_classes, classes
    ):
        return np.asarray(values, dtype=np.float64)
    index = np.searchsorted(classes, teacher_classes)
    aligned = np.full((values.shape[0], len(classes)), fill, dtype=np.float64)
    aligned[:, index] = values
    return aligned


def logits_from_output(output, teacher_classes, classes, method, overwrite=False):
    """Teacher logits over ``classes``, aligned by label.

    Parameters
    ----------
    output : ndarray of shape (n_samples,) or (n_samples, len(teacher_classes))
        What the teacher's ``method`` returned; it must be per class (see
        :func:`resolve_response_method`).
    teacher_classes : ndarray of shape (n_teacher_classes,)
        Labels of the output's columns; each must be in ``classes``.
    classes : ndarray of shape (n_classes,)
        Sorted labels of the meta-estimator.
    method : {"predict_proba", "decision_function"}
        Which teacher output ``output`` is.
    overwrite : bool, default=False
        Whether ``output`` may be overwritten (saves a copy of probabilities).
        Only the code that allocated ``output`` may say so: an array from the
        user or from a cache is never written to, whatever its flags say.

    Returns
    -------
    logits : ndarray of shape (n_samples, n_classes)
        ``log(max(p, PROBA_FLOOR))`` for probabilities; decision scores as they are
        (a binary 1-D score ``s`` becomes ``[0, s]``). Infinite scores are
        read as the softmax's limits: ``-inf`` gives probability 0, and a row
        with ``+inf`` scores puts all its mass on them (a binary ``+inf`` is
        ``[-inf, 0]``). Classes the teacher does not know get ``-inf``, hence
        probability 0 at every temperature.

    Raises
    ------
    ValueError
        If the output is not one value per class and row (a list of arrays
        from a multi-output teacher, a column count that is not the teacher's
        number of classes), has NaN, infinite or negative probabilities, or
        a row of ``-inf`` scores only.
    """
    teacher_classes = np.asarray(teacher_classes)
    if teacher_classes.ndim != 1 or teacher_classes.dtype == object and any(
        isinstance(c, np.ndarray) for c in teacher_classes
    ):
        raise ValueError(
            "The teacher's classes_ must be one 1-D array of labels; a "
            "multi-output or multilabel teacher cannot provide per-class soft "
            "targets."
        )
    if isinstance(output, (list, tuple)):
        raise ValueError(
            f"The teacher's {method} returned a list of {len(output)} arrays (a "
            "multi-output or multilabel teacher); a teacher of a "
            "DistilledClassifier must return one array of per-class values."
        )
    output = np.asarray(output, dtype=np.float64)
    if output.ndim not in (1, 2):
        raise ValueError(
            f"The teacher's {method} returned an array of shape {output.shape}; "
            "expected (n_samples, n_classes) (a multi-output teacher cannot "
            "provide per-class soft targets)."
        )
    if method == "predict_proba":
        if output.ndim != 2:
            raise ValueError(
                f"The teacher's predict_proba returned shape {output.shape}; "
                "expected (n_samples, n_classes)."
            )
        if not np.all(np.isfinite(output)) or np.any(output < 0):
            raise ValueError(
                "The teacher's predict_proba returned NaN, infinite or negative "
                "values; the teacher cannot provide soft targets on this input."
            )
        # a new array unless the caller owns ``output`` (then overwritten)
        logits = np.maximum(output, PROBA_FLOOR, out=output if overwrite else None)
        np.log(logits, out=logits)
    else:
        if output.ndim == 1 or output.shape[1] == 1:
            if len(teacher_classes) != 2:
                raise ValueError(
                    "The teacher's decision_function returned one column for "
                    f"{len(teacher_classes)} classes; expected a binary teacher."
                )
            scores = output.reshape(-1)
            logits = np.column_stack([np.zeros_like(scores), scores])
        else:
            logits = output
        if np.isnan(logits).any() or np.isneginf(logits).all(axis=1).any():
            raise ValueError(
                "The teacher's decision_function returned NaN values, or a row "
                "of -inf scores only; the teacher cannot provide soft targets on "
                "this input."
            )
        positive = np.isposinf(logits)
        if positive.any():
            # a score of +inf takes its row's mass (the limit of the softmax),
            # shared between the row's +inf scores; a new array, never output
            certain = positive.any(axis=1, keepdims=True)
            logits = np.where(certain, np.where(positive, 0.0, -np.inf), logits)
    if logits.shape[1] != len(teacher_classes):
        raise ValueError(
            f"The teacher's {method} returned {logits.shape[1]} columns but the "
            f"teacher has {len(teacher_classes)} classes; only one column per "
            "class can be read as logits. Choose another teacher_response."
        )
    return align_columns(logits, teacher_classes, classes, fill=-np.inf)


def soften(logits, T):
    """Temperature softmax ``softmax(logits / T)`` over the classes.

    Computed as ``softmax((logits - max(logits)) / T)`` row by row (the
    softmax does not change when a row is shifted): every finite row gives
    finite probabilities at any ``T > 0``, a tiny ``T`` the one-hot vector of
    the largest logit (shared equally between ties) and a huge ``T`` the
    uniform distribution.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)
        Finite values, or ``-inf`` for impossible classes (at least one finite
        value per row).
    T : float
        Temperature, ``T > 0``.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        Rows sum to one. A new Fortran-ordered array (the soft-target solver
        then uses the targets in place).
    """
    proba = np.empty(logits.shape, order="F")
    T = float(T)  # (a Python float)
    top = np.max(logits, axis=1, keepdims=True)
    # in [-inf, 0], 0 at each row's maximum. The difference overflows to
    # -inf where the exact one is below -max float; divided by T >= 1 it may
    # not be (logits near +-1e308, T near 1e308): such rows are divided
    # first (subtracting first keeps the precision of logits with a large
    # common offset)
    with np.errstate(over="ignore", under="ignore"):
        np.subtract(logits, top, out=proba)
        overflowed = np.flatnonzero(
            (np.isinf(proba) & np.isfinite(logits)).any(axis=1) if T >= 1 else []
        )
        proba /= T
        if overflowed.size:
            scaled = logits[overflowed] / T
            proba[overflowed] = scaled - np.max(scaled, axis=1, keepdims=True)
    return softmax(proba, copy=False)


def blend_targets(soft, y_encoded, alpha):
    """Training targets ``alpha * soft + (1 - alpha) * onehot(y)``.

    Parameters
    ----------
    soft : ndarray of shape (n_samples, n_classes)
        Softened teacher probabilities; overwritten (the result is stored in
        it, to save memory).
    y_encoded : ndarray of shape (n_samples,)
        Index of each row's label in the classes, or ``-1`` for a row without
        a label (a generated or unlabeled row).
    alpha : float
        The teacher's weight in ``[0, 1]``.

    Returns
    -------
    Y : ndarray of shape (n_samples, n_classes)
        Rows sum to one. A row without a label gets the teacher's targets.
    row_weight : ndarray of shape (n_samples,) or None
        ``None`` when every row has a label or ``alpha`` is 1. Otherwise 1
        for labeled rows and ``alpha`` for rows without a label: the
        objective is
        ``alpha * CE(teacher) + (1 - alpha) * CE(label)`` summed over rows,
        and a row without a label only has the first term.
    """
    Y = soft  # in place: ``soft`` is not used after blending
    # a Python float: 1 - alpha of a numpy float16 alpha is a float16
    alpha = float(alpha)
    labeled = y_encoded >= 0
    if labeled.all():
        Y *= alpha
        Y[np.arange(len(y_encoded)), y_encoded] += 1.0 - alpha
        return Y, None
    rows = np.flatnonzero(labeled)
    Y[rows] *= alpha
    Y[rows, y_encoded[rows]] += 1.0 - alpha
    if alpha == 1.0:
        # every row has weight 1: no weights, so that a student whose fit
        # takes no sample_weight can still be used
        return Y, None
    # rows without a label keep the teacher's targets, with the weight alpha
    row_weight = np.where(labeled, 1.0, alpha)
    return Y, row_weight


def warn_if_thresholded(teacher, alpha):
    """Warn that a teacher deciding by a moved threshold is not followed.

    scikit-learn's :class:`~sklearn.model_selection.FixedThresholdClassifier`
    and :class:`~sklearn.model_selection.TunedThresholdClassifierCV` (fitted
    or frozen) predict the positive class where their score passes a
    threshold other than the neutral one; their probabilities, which the
    student learns, do not carry it, and the student predicts by its largest
    probability. Silent, its decisions would differ from the teacher's.
    """
    if alpha == 0:
        return
    model = teacher
    while True:  # through the wrappers whose predict is their inner model's
        if isinstance(model, FrozenEstimator):
            model = model.estimator
        elif isinstance(model, LabelEncodedClassifier):
            model = getattr(model, "estimator_", model.estimator)
        elif isinstance(model, Pipeline):
            model = model.steps[-1][1]
        elif hasattr(model, "best_estimator_"):  # a fitted search
            model = model.best_estimator_
        else:
            break
    if isinstance(model, TunedThresholdClassifierCV):
        threshold = getattr(model, "best_threshold_", None)
    elif isinstance(model, FixedThresholdClassifier):
        threshold = model.threshold
    else:
        return
    if threshold is None or isinstance(threshold, str):  # "auto": the neutral one
        return
    # "auto": the probability when the model it wraps has one
    inner = getattr(model, "estimator_", model.estimator)
    on_proba = model.response_method == "predict_proba" or (
        model.response_method == "auto" and hasattr(inner, "predict_proba")
    )
    neutral = 0.5 if on_proba else 0.0
    if threshold == neutral:
        return
    response = "probability" if on_proba else "decision function"
    warnings.warn(
        f"The teacher {type(model).__name__} predicts the positive class where "
        f"its {response} passes {threshold:.4g}, not {neutral:g}; the student "
        "learns its probabilities and predicts by the "
        "largest one, so its decisions differ from the teacher's. Tune the "
        "student's threshold as the teacher's was: wrap the distiller in "
        "TunedThresholdClassifierCV (or FixedThresholdClassifier with a "
        "threshold chosen on the student's probabilities, which differ from "
        "the teacher's).",
        UserWarning,
        stacklevel=5,
    )
