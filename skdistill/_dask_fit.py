"""Distillation on dask arrays: the rows stay on the workers."""

import warnings

import numpy as np
import scipy.sparse as sp
from scipy import optimize
from scipy.special import expit, log_expit, log_softmax
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.utils.metadata_routing import _raise_for_params
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._fitting import blame, nan_message, nan_refusers
from ._labels import (
    check_label_overlap,
    check_no_missing_labels,
    is_missing,
    labeled_mask,
    missing_labels,
    union_classes,
)
from ._targets import (
    blend_targets,
    check_single_output,
    logits_from_output,
    resolve_response_method,
    soften,
)
from ._teacher import teacher_response
from .linear_model._loss import OVERFLOW_ADVICE
from .linear_model._soft_logistic import (
    _LOGISTIC_BALANCE_WEIGHTED,
    SoftLogisticRegression,
    _check_logistic_params,
    _binary_multinomial_scale,
    _effective_penalty,
    _fitted_dtype,
    _soft_class_weight,
    _supports_soft_targets,
)

# Partial sums added by one task of the reduction tree.
_FAN_IN = 32

_STREAMING_HINT = (
    "To distil into another student, stream the blocks through partial_fit "
    "(a student with partial_fit, e.g. SGDClassifier(loss='log_loss'), and a "
    "FrozenEstimator teacher), in blocks of whole rows: `X = X.rechunk({1: "
    "-1})`, then `for block in X.to_delayed().ravel(): "
    "clf.partial_fit(block.compute())`, with y's blocks alongside."
)


def _import_dask():
    try:
        import dask
        import dask.array as da
    except ImportError as exc:  # pragma: no cover - a dask input implies dask
        raise ImportError(
            "Fitting on dask arrays needs dask: pip install skdistill[dask]"
        ) from exc
    return dask, da


def _check_X(X, da):
    """A 2-D numeric dask array with known row chunks and one column chunk."""
    if not isinstance(X, da.Array):
        raise TypeError(
            f"X is a dask collection of type {type(X).__name__}; DistilledClassifier "
            "fits on a dask.array.Array (convert a dask DataFrame with "
            "to_dask_array(lengths=True))."
        )
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D dask array; got {X.ndim} dimension(s).")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X has unknown chunk sizes; compute them first, e.g. with "
            "X.compute_chunk_sizes() or to_dask_array(lengths=True)."
        )
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must be a numeric dask array; got dtype {X.dtype}.")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must have at least one row and one column; got {X.shape}.")
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})  # whole rows in each block (on the workers)
    return X


def _rows_like(values, X, name, da):
    """``y`` or ``sample_weight`` as a 1-D dask array chunked like X's rows."""
    n_samples = X.shape[0]
    if not isinstance(values, da.Array):
        values = np.asarray(values)
        if values.ndim == 0 and name == "sample_weight":
            return da.full(n_samples, float(values), chunks=(X.chunks[0],))
        if values.ndim == 2 and values.shape[1] == 1:
            values = values.ravel()
    elif values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if isinstance(values, da.Array) and any(np.isnan(c) for c in values.chunks[0]):
        raise ValueError(
            f"{name} has unknown chunk sizes; compute them first, e.g. with "
            f"{name}.compute_chunk_sizes() or to_dask_array(lengths=True)."
        )
    if values.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {values.shape}.")
    if values.shape[0] != n_samples:
        raise ValueError(
            f"X has {n_samples} samples but {name} has {values.shape[0]}; they "
            "must match."
        )
    if not isinstance(values, da.Array):
        return da.from_array(values, chunks=(X.chunks[0],))
    if values.chunks[0] != X.chunks[0]:
        values = values.rechunk((X.chunks[0],))
    return values


def _block_labels(y, unlabeled):
    """Sorted distinct labels of one block, rows marked ``unlabeled`` left out.

    Also returns the number of missing labels that ``unlabeled`` does not mark
    (refused on the client, counted over all the blocks).
    """
    y = np.asarray(y).reshape(-1)
    n_missing = 0
    if unlabeled is None or not is_missing(unlabeled):
        missing = missing_labels(y)
        n_missing = int(missing.sum())
        y = y[~missing]
    return np.unique(y[labeled_mask(y, unlabeled)]), n_missing


def _block_targets(
    X, y, sample_weight, teacher, *, method, classes, T, alpha, unlabeled, nan_error
):
    """Training targets and row weights of one block of rows.

    Runs on a worker. Exactly the in-memory construction: the teacher's
    logits aligned by label to ``classes``, softened by ``T`` and blended with
    the one-hot labels (``alpha=0`` does not query the teacher).

    Returns
    -------
    YW : ndarray of shape (n_rows, n_classes + 1)
        The targets ``Y`` in the first ``n_classes`` columns and the row
        weights in the last (``alpha`` for a row without label, times
        ``sample_weight``).
    """
    values = X.data if sp.issparse(X) else X
    if nan_error is not None and not np.isfinite(values).all():
        raise ValueError(nan_error)
    y = np.asarray(y).reshape(-1)
    labeled = labeled_mask(y, unlabeled)
    y_encoded = np.full(len(y), -1)
    y_encoded[labeled] = np.searchsorted(classes, y[labeled])
    n_classes = len(classes)
    if alpha == 0 or len(y) == 0:  # an empty block asks the teacher nothing
        soft = np.zeros((len(y), n_classes), order="F")
    else:
        with blame("teacher", teacher, method):  # as in memory
            output = teacher_response(teacher, X, method)
        logits = logits_from_output(output, teacher.classes_, classes, method)
        soft = soften(logits, T)
    Y, row_weight = blend_targets(soft, y_encoded, alpha)
    YW = np.empty((len(y), n_classes + 1))
    YW[:, :n_classes] = Y
    YW[:, n_classes] = 1.0 if row_weight is None else row_weight
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
        if not np.isfinite(sample_weight).all():
            raise ValueError("sample_weight contains NaN or infinite values.")
        if (sample_weight < 0).any():
            raise ValueError("Negative values in data passed to sample_weight.")
        YW[:, n_classes] *= sample_weight
    return YW


def _block_loss_grad(X, YW, w, *, class_weight, fit_intercept):
    """Unnormalised soft-target log-loss of one block and its gradient.

    Runs on a worker. With ``sw`` the row weights and ``Y`` the targets (times
    the class weights), the loss is ``sum_i sw_i sum_k Y_ik (-log p_ik)``, the
    numerator of the objective of :func:`_fit_soft_logistic`; the parameter
    vector ``w`` is ``[coef.ravel(), intercept]``.

    Returns
    -------
    out : ndarray of shape (1 + w.size,)
        ``[loss, gradient]``.
    """
    n_classes = YW.shape[1] - 1
    Y = YW[:, :n_classes] * class_weight
    sw = YW[:, n_classes]
    n_rows = 1 if n_classes == 2 else n_classes
    n_features = X.shape[1]
    n_coef = n_rows * n_features
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    coef = w[:n_coef].reshape(n_rows, n_features)
    Z = np.asarray(X @ coef.T.astype(X.dtype), dtype=np.float64)
    if fit_intercept:
        Z += w[n_coef:]
    if n_rows == 1:
        z = Z[:, 0]
        Yw0, Yw1 = Y[:, 0] * sw, Y[:, 1] * sw
        loss = -(Yw0 @ log_expit(-z)) - Yw1 @ log_expit(z)
        G = (Yw0 + Yw1) * expit(z) - Yw1
        G = G[:, None]
    else:
        log_p = log_softmax(Z, axis=1)
        Yw = Y * sw[:, None]
        loss = -np.vdot(Yw, log_p)
        G = np.exp(log_p)
        G *= Yw.sum(axis=1)[:, None]
        G -= Yw
    out = np.zeros(1 + w.size)
    out[0] = loss
    out[1 : 1 + n_coef] = np.asarray(G.T.astype(X.dtype) @ X, np.float64).ravel()
    if fit_intercept:
        out[1 + n_coef :] = G.sum(axis=0)
    return out


def _add(*parts):
    """Sum of per-block partial sums."""
    return np.sum(parts, axis=0)


def _solver_params(student):
    """``C``, ``fit_intercept``, ``tol``, ``max_iter`` and ``class_weight``."""
    if isinstance(student, SoftLogisticRegression):
        C = student.C
        class_weight = None
    else:
        C = np.inf if _effective_penalty(student) is None else student.C
        class_weight = student.class_weight
    return C, student.fit_intercept, student.tol, student.max_iter, class_weight


def _minimize_blockwise(
    X, YW, classes, *, C, fit_intercept, tol, max_iter, class_weight, dask,
    labels=False,
):
    """L-BFGS on the client; losses and gradients summed from the blocks.

    Minimises ``_fit_soft_logistic``'s objective (scikit-learn's lbfgs
    logistic objective with soft targets) with the same options and starting
    point. Each evaluation is one pass over the blocks of ``X`` on the
    workers; only the ``1 + n_params`` sums come back.

    Returns
    -------
    w : ndarray
        ``[coef.ravel(), intercept]`` at the optimum.
    n_iter : int
        L-BFGS iterations.
    n_evals : int
        Loss evaluations (passes over ``X``).
    """
    n_rows = 1 if len(classes) == 2 else len(classes)
    n_coef = n_rows * X.shape[1]
    n_params = n_coef + (n_rows if fit_intercept else 0)
    totals = (YW[:, :-1] * YW[:, -1:]).sum(axis=0)
    counts = None
    if labels and class_weight == "balanced" and not _LOGISTIC_BALANCE_WEIGHTED:
        # one-hot labels (alpha=0): as scikit-learn 1.6 counts them, unweighted
        counts = YW[:, :-1].sum(axis=0)
    totals, counts = dask.compute(totals, counts)
    cw = np.ones(len(totals))
    if class_weight is not None:
        # the class totals sum_i sw_i Y_ik are all that "balanced" needs
        own = totals if counts is None else counts
        cw = _soft_class_weight(class_weight, classes, own[None, :], np.ones(1))
    with np.errstate(over="ignore"):  # an overflow: refused below
        sw_sum = float(totals @ cw)
    if not sw_sum > 0:
        raise ValueError(
            "The total weight sum_i sample_weight_i * sum_k Y_ik must be "
            f"positive; got {sw_sum!r} (all weights zero or negative?)."
        )
    if not np.isfinite(sw_sum):
        # the blocks' weighted sums would be infinite: a model of zeros
        raise ValueError(
            "The total weight sum_i sample_weight_i * sum_k Y_ik overflows "
            f"float64. {OVERFLOW_ADVICE}"
        )
    l2 = 0.0 if np.isinf(C) else 1.0 / (C * sw_sum)
    # one task per block (fused with the tasks that make the block of X), then
    # sums of at most _FAN_IN partial results: only the sums reach the client
    x_blocks = X.to_delayed().ravel()
    yw_blocks = YW.to_delayed().ravel()
    block_loss_grad = dask.delayed(_block_loss_grad, pure=True)
    add = dask.delayed(_add, pure=True)
    n_evals = 0

    def fun(w):
        nonlocal n_evals
        n_evals += 1
        parts = [
            block_loss_grad(xb, yb, w, class_weight=cw, fit_intercept=fit_intercept)
            for xb, yb in zip(x_blocks, yw_blocks)
        ]
        while len(parts) > 1:
            parts = [
                add(*parts[i : i + _FAN_IN]) for i in range(0, len(parts), _FAN_IN)
            ]
        (total,) = dask.compute(parts[0])
        loss, grad = total[0] / sw_sum, total[1:] / sw_sum
        if l2:
            coef = w[:n_coef]
            loss += 0.5 * l2 * float(coef @ coef)
            grad[:n_coef] += l2 * coef
        return float(loss), grad

    options = {
        "maxiter": max_iter,
        "maxls": 50,
        "gtol": tol,
        "ftol": 64 * np.finfo(float).eps,
    }
    res = optimize.minimize(
        fun, np.zeros(n_params), method="L-BFGS-B", jac=True, options=options
    )
    n_iter = min(int(res.nit), max_iter)
    if res.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {n_iter} iteration(s) "
            f"(status={res.status}):\n{res.message}\nIncrease the number of "
            f"iterations (max_iter={max_iter}) or scale the data.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return res.x, n_iter, n_evals


def _check_student(student):
    """Refuse a student that is not fitted exactly from the blocks."""
    if isinstance(student, SoftLogisticRegression):
        student._validate_params()  # as its own fit would
        return
    if _supports_soft_targets(student):
        _check_logistic_params(student)
        return
    raise TypeError(
        f"The student {student!r} cannot be fitted on dask arrays: only a "
        "LogisticRegression with an L2 penalty or none (solver other than "
        "'liblinear', multi_class other than 'ovr') and a SoftLogisticRegression "
        "are fitted exactly from the blocks. " + _STREAMING_HINT
    )


def _check_teacher(teacher):
    if not isinstance(teacher, FrozenEstimator):
        raise ValueError(
            "With dask arrays, the teacher must be prefit and wrapped in "
            "sklearn.frozen.FrozenEstimator: it is queried block by block on the "
            f"workers, never fitted on X. Got {type(teacher).__name__}; fit it on "
            "a sample that fits in memory, e.g. `teacher.fit(X[:n].compute(), "
            "y[:n].compute())`, and pass FrozenEstimator(teacher)."
        )
    with blame("teacher", teacher, "fit"):
        check_is_fitted(teacher.estimator)
    if not hasattr(teacher, "classes_"):
        raise TypeError(
            f"The teacher {teacher!r} has no classes_; the teacher of a "
            "DistilledClassifier must be a classifier."
        )


def fit_on_dask(estimator, X, y, sample_weight, fit_params):
    """:meth:`DistilledClassifier.fit` on a dask array, rows kept on the workers.

    The teacher (a :class:`~sklearn.frozen.FrozenEstimator`) is queried block
    by block on the workers, the training targets are built and kept there
    (persisted, ``n_samples * (n_classes + 1)`` floats), and the student is
    fitted by L-BFGS on the client over its ``n_classes * (n_features + 1)``
    parameters, each loss and gradient summed from per-block partial sums.
    Only labels, sums and the parameter vector travel to and from the client.

    Parameters
    ----------
    estimator : DistilledClassifier
        Its parameters are validated already; its fitted attributes are set.
    X : dask.array.Array of shape (n_samples, n_features)
    y : dask.array.Array or array-like of shape (n_samples,)
    sample_weight : dask.array.Array, array-like or None
    fit_params : dict
        Only with metadata routing enabled: ``sample_weight`` may be routed to
        the student; parameters of the teacher's ``fit`` are not used (the
        teacher is frozen).

    Returns
    -------
    estimator : DistilledClassifier
        Fitted: ``student_`` is an in-memory estimator.
    """
    dask, da = _import_dask()
    _raise_for_params(fit_params, estimator, "fit")
    # augment="auto" generates no rows from dask arrays
    for name, unset in (
        ("teacher_cv", estimator.teacher_cv is None),
        ("augment", estimator.augment in (None, "auto")),
    ):
        if not unset:
            raise ValueError(
                f"{name}={getattr(estimator, name)!r} is not available with dask "
                f"arrays; set {name}=None."
            )
    X = _check_X(X, da)
    teacher = estimator.teacher
    _check_teacher(teacher)
    method = resolve_response_method(teacher, estimator.teacher_response)
    student = clone(estimator.student)
    _check_student(student)
    if y is None:
        raise ValueError("y is required; mark rows without a label with `unlabeled`.")
    # the student's weights (routed with metadata routing); parameters for the
    # teacher's fit are not used, as in memory: a frozen teacher is not fitted
    _, sample_weight, _ = estimator._split_params(sample_weight, fit_params)
    y = _rows_like(y, X, "y", da)
    if sample_weight is not None:
        sample_weight = _rows_like(sample_weight, X, "sample_weight", da)

    # the labels: one small result per block of y
    unlabeled = estimator.unlabeled
    per_block = [dask.delayed(_block_labels)(b, unlabeled) for b in y.to_delayed()]
    (per_block,) = dask.compute(per_block)
    check_no_missing_labels(sum(n_missing for _, n_missing in per_block))
    per_block = [labels for labels, _ in per_block]
    labels = np.unique(np.concatenate(per_block)) if per_block else np.array([])
    if len(labels):
        check_classification_targets(labels)
    check_single_output(teacher)
    check_label_overlap(labels, teacher.classes_, unlabeled=unlabeled)
    classes = union_classes(labels, teacher.classes_)
    if len(classes) < 2:
        raise ValueError(
            "DistilledClassifier needs at least 2 classes; the labels and the "
            f"teacher know only {classes.tolist()}."
        )
    alpha = float(estimator.alpha)
    # alpha=0 is plain supervised training: the student knows y's labels only
    student_classes = classes if alpha > 0 else labels
    if len(student_classes) < 2:
        raise ValueError(
            "With alpha=0, DistilledClassifier needs samples of at least 2 "
            f"classes in y; got {student_classes.tolist()}."
        )

    # the distiller's allow_nan tag, with the estimators that make it False
    refusing = nan_refusers(
        estimator.teacher, estimator.student, composite_decides=False
    )
    nan_error = nan_message("NaN or infinity", refusing) if refusing else None
    YW = da.map_blocks(
        _block_targets,
        X,
        y[:, None],
        None if sample_weight is None else sample_weight[:, None],
        dask.delayed(teacher, pure=True),
        method=method,
        classes=student_classes,
        T=float(estimator.T),
        alpha=alpha,
        unlabeled=unlabeled,
        nan_error=nan_error,
        chunks=(X.chunks[0], (len(student_classes) + 1,)),
        dtype=np.float64,
        meta=np.empty((0, 0)),
    )
    (YW,) = dask.persist(YW)  # the targets stay on the workers
    try:
        C, fit_intercept, tol, max_iter, class_weight = _solver_params(student)
        scale = _binary_multinomial_scale(student, len(student_classes))
        w, n_iter, _ = _minimize_blockwise(
            X,
            YW,
            student_classes,
            C=C * scale,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            class_weight=class_weight,
            dask=dask,
            labels=alpha == 0,
        )
    finally:
        del YW  # release the persisted targets
    n_rows = 1 if len(student_classes) == 2 else len(student_classes)
    n_coef = n_rows * X.shape[1]
    dtype = _fitted_dtype(student, X.dtype if X.dtype == np.float32 else np.float64)
    w = w / scale
    student.classes_ = student_classes
    student.coef_ = np.asfortranarray(w[:n_coef].reshape(n_rows, X.shape[1]), dtype)
    student.intercept_ = (
        np.array(w[n_coef:], dtype=dtype) if fit_intercept else np.zeros(n_rows, dtype)
    )
    student.n_iter_ = np.asarray([n_iter], dtype=np.int32)
    student.n_features_in_ = X.shape[1]

    estimator.teacher_ = teacher
    estimator.augment_ = None
    estimator.classes_ = classes
    estimator.n_features_in_ = X.shape[1]
    if hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    estimator.student_ = student
    return estimator
