"""How a student is fitted on soft targets: the three fitting paths."""

import numpy as np
from scipy.special import log_softmax, softmax
from sklearn.base import is_classifier, is_regressor
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.validation import has_fit_parameter

from ._targets import EPS
from .linear_model._soft_logistic import (
    _fit_logistic_regression_soft,
    _supports_soft_targets,
)

# Targets below this value are dropped by the row-repetition path.
MIN_TARGET = 1e-8


def student_path(student):
    """Name the path used to fit ``student`` on soft targets.

    Parameters
    ----------
    student : estimator
        The (unfitted) student.

    Returns
    -------
    path : {"soft_logistic", "repeat", "regressor"}
        ``"soft_logistic"``: the exact soft-target logistic solver;
        ``"repeat"``: rows repeated once per class with a non-negligible target,
        weighted by it; ``"regressor"``: multi-output regression on the centred
        log targets (a regressor that cannot fit several outputs raises a
        TypeError at fit suggesting MultiOutputRegressor).

    Raises
    ------
    TypeError
        If the student is none of the above.
    """
    if _supports_soft_targets(student):
        return "soft_logistic"
    if is_classifier(student):
        if has_fit_parameter(student, "sample_weight"):
            return "repeat"
        raise TypeError(
            f"The student {student!r} is a classifier whose fit does not accept "
            "sample_weight, so it cannot be fitted on soft targets. Use a "
            "LogisticRegression, a classifier whose fit takes sample_weight, "
            "or a regressor."
        )
    if is_regressor(student):
        return "regressor"
    raise TypeError(
        f"The student {student!r} is neither a classifier nor a regressor; "
        "skdistill cannot fit it on soft targets."
    )


def _fit_kwargs(sample_weight):
    return {} if sample_weight is None else {"sample_weight": sample_weight}


def _repeated_rows(Y, sample_weight):
    """Rows, classes and weights of the row-repetition path.

    Each row is repeated once per class whose target exceeds ``MIN_TARGET``,
    weighted by that target (times the row's sample weight).
    """
    rows, cols = np.nonzero(Y > MIN_TARGET)
    weight = Y[rows, cols]
    if sample_weight is not None:
        weight = weight * sample_weight[rows]
    return rows, cols, weight


def _centred_log_targets(Y):
    """Row-centred ``log(max(Y, EPS))``: the logits a regressor student fits."""
    Z = np.log(np.maximum(Y, EPS))
    Z -= Z.mean(axis=1, keepdims=True)
    return Z


def fit_student(student, path, X, Y, classes, sample_weight=None):
    """Fit ``student`` (already cloned) on soft targets ``Y``.

    Parameters
    ----------
    student : estimator
        Unfitted clone of the student.
    path : str
        As returned by :func:`student_path`.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_classes)
        Soft targets whose columns follow ``classes``; rows sum to one. The
        soft-target solver may overwrite them (to avoid a copy).
    classes : ndarray of shape (n_classes,)
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    student : estimator
        The fitted student.
    """
    if path == "soft_logistic":
        return _fit_logistic_regression_soft(
            student, X, Y, classes, sample_weight=sample_weight, overwrite_Y=True
        )
    if path == "repeat":
        rows, cols, weight = _repeated_rows(Y, sample_weight)
        return student.fit(
            _safe_indexing(X, rows), classes[cols], sample_weight=weight
        )
    Z = _centred_log_targets(Y)
    try:
        return student.fit(X, Z, **_fit_kwargs(sample_weight))
    except ValueError as exc:
        if get_tags(student).target_tags.multi_output:
            raise
        raise TypeError(
            f"The regressor student {student!r} failed on the multi-output "
            "targets (one log-probability column per class): "
            f"{exc} Wrap it in sklearn.multioutput.MultiOutputRegressor."
        ) from exc


def partial_fit_student(student, X, Y, classes, sample_weight=None):
    """Update ``student`` with one chunk of soft targets through ``partial_fit``.

    A classifier gets rows repeated once per class with a non-negligible
    target (weighted by it) and ``classes``; a regressor gets the centred log
    targets.

    Parameters
    ----------
    student : estimator with ``partial_fit``
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_classes)
    classes : ndarray of shape (n_classes,)
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    student : estimator
    """
    if is_regressor(student):
        Z = _centred_log_targets(Y)
        return student.partial_fit(X, Z, **_fit_kwargs(sample_weight))
    rows, cols, weight = _repeated_rows(Y, sample_weight)
    return student.partial_fit(
        _safe_indexing(X, rows), classes[cols], classes=classes, sample_weight=weight
    )


def regressor_logits(student, X):
    """Per-class logits predicted by a regressor student, as a 2-D array."""
    Z = np.asarray(student.predict(X), dtype=np.float64)
    return Z.reshape(Z.shape[0], -1)


def regressor_proba(student, X):
    """``softmax`` of a regressor student's predictions."""
    return softmax(regressor_logits(student, X), axis=1)


def regressor_log_proba(student, X):
    """``log_softmax`` of a regressor student's predictions."""
    return log_softmax(regressor_logits(student, X), axis=1)
