"""Soft targets: teacher logits aligned to the classes, temperature and blending."""

import numpy as np
from sklearn.utils.extmath import softmax

# Floor applied to probabilities before taking their logarithm.
EPS = 1e-12


def resolve_response_method(teacher, teacher_response):
    """Name the teacher method that gives its logits.

    Parameters
    ----------
    teacher : estimator
        The (fitted or unfitted) teacher.
    teacher_response : {"auto", "predict_proba", "decision_function"}
        The requested response; "auto" prefers ``predict_proba``.

    Returns
    -------
    method : str
        ``"predict_proba"`` or ``"decision_function"``.

    Raises
    ------
    TypeError
        If the teacher has neither method.
    ValueError
        If the requested method is not available on the teacher.
    """
    has_proba = hasattr(teacher, "predict_proba")
    has_decision = hasattr(teacher, "decision_function")
    if not (has_proba or has_decision):
        raise TypeError(
            f"The teacher {teacher!r} has neither predict_proba nor "
            "decision_function; a classifier teacher needs one of them to "
            "provide soft targets."
        )
    if teacher_response == "auto":
        return "predict_proba" if has_proba else "decision_function"
    if not hasattr(teacher, teacher_response):
        raise ValueError(
            f"teacher_response={teacher_response!r} but the teacher {teacher!r} "
            f"has no {teacher_response} method. Use teacher_response='auto' or a "
            "method the teacher has."
        )
    return teacher_response


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
        What the teacher's ``method`` returned.
    teacher_classes : ndarray
        Labels of the output's columns; each must be in ``classes``.
    classes : ndarray of shape (n_classes,)
        Sorted labels of the meta-estimator.
    method : {"predict_proba", "decision_function"}
        Which teacher output ``output`` is.
    overwrite : bool, default=False
        Whether ``output`` may be overwritten (saves a copy of probabilities).

    Returns
    -------
    logits : ndarray of shape (n_samples, n_classes)
        ``log(max(p, EPS))`` for probabilities; decision scores as they are
        (a binary 1-D score ``s`` becomes ``[0, s]``). Classes the teacher does
        not know get ``-inf``, hence probability 0 at every temperature.
    """
    teacher_classes = np.asarray(teacher_classes)
    output = np.asarray(output, dtype=np.float64)
    if method == "predict_proba":
        in_place = overwrite and output.flags.writeable
        logits = np.maximum(output, EPS, out=output if in_place else None)
        np.log(logits, out=logits)
    elif output.ndim == 1 or output.shape[1] == 1:
        if len(teacher_classes) != 2:
            raise ValueError(
                "The teacher's decision_function returned one column for "
                f"{len(teacher_classes)} classes; expected a binary teacher."
            )
        scores = output.reshape(-1)
        logits = np.column_stack([np.zeros_like(scores), scores])
    else:
        logits = output
    if logits.shape[1] != len(teacher_classes):
        raise ValueError(
            f"The teacher's {method} returned {logits.shape[1]} columns but the "
            f"teacher has {len(teacher_classes)} classes."
        )
    return align_columns(logits, teacher_classes, classes, fill=-np.inf)


def soften(logits, T):
    """Temperature softmax ``softmax(logits / T)`` over the classes.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)
    T : float
        Temperature, ``T > 0``.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        Rows sum to one.
    """
    # Fortran order: the soft-target solver then uses the targets in place
    proba = np.divide(logits, T, out=np.empty(logits.shape, order="F"))
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
        ``None`` when every row has a label. Otherwise 1 for labeled rows and
        ``alpha`` for rows without a label: the objective is
        ``alpha * CE(teacher) + (1 - alpha) * CE(label)`` summed over rows,
        and a row without a label only has the first term.
    """
    Y = soft  # in place: ``soft`` is not used after blending
    labeled = y_encoded >= 0
    if labeled.all():
        Y *= alpha
        Y[np.arange(len(y_encoded)), y_encoded] += 1.0 - alpha
        return Y, None
    rows = np.flatnonzero(labeled)
    Y[rows] *= alpha
    Y[rows, y_encoded[rows]] += 1.0 - alpha
    # rows without a label keep the teacher's targets, with the weight alpha
    row_weight = np.where(labeled, 1.0, alpha)
    return Y, row_weight
