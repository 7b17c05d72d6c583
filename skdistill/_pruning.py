"""Which logistic coefficients survive pruning: L1 path or magnitude, by CV."""

import warnings

import numpy as np
import scipy.sparse as sp
from scipy import optimize
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold

from .linear_model._soft_logistic import _effective_penalty, _supports_soft_targets

# Ratio of consecutive penalties along the L1 path.
PATH_RATIO = 0.8


class _SoftCrossEntropy:
    """Soft-target cross-entropy of a linear-softmax model and its gradient.

    ``f(W, b) = sum_i sw_i sum_k Y_ik (-log p_ik) / sum_i sw_i sum_k Y_ik``
    ``+ l2 / 2 * ||W||^2``, with ``W`` of shape ``(n_rows, n_features)``: one
    row (the logit of the second class) for two classes, one row per class
    otherwise, as in scikit-learn's ``LogisticRegression``. With
    ``l2 = 1 / (C * sum_i sw_i sum_k Y_ik)`` it is the objective of the
    soft-target solver.
    """

    def __init__(self, X, Y, sample_weight, l2=0.0):
        sw = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        self.total = float(sw @ Y.sum(axis=1))
        self.X = X
        self.Yw = Y * (sw / self.total)[:, None]
        self.ws = self.Yw.sum(axis=1)
        self.binary = Y.shape[1] == 2
        self.l2 = l2

    def __call__(self, W, b):
        """Return the loss, its gradient in ``W`` and its gradient in ``b``."""
        Z = np.asarray(self.X @ W.T) + b
        if self.binary:
            z = Z[:, 0]
            loss = -(self.Yw[:, 0] @ log_expit(-z)) - self.Yw[:, 1] @ log_expit(z)
            R = (expit(z) * self.ws - self.Yw[:, 1])[:, None]
        else:
            loss = -np.vdot(self.Yw, log_softmax(Z, axis=1))
            R = softmax(Z, axis=1) * self.ws[:, None] - self.Yw
        G = np.asarray(self.X.T @ R).T
        if self.l2:
            loss += 0.5 * self.l2 * float(np.vdot(W, W))
            G = G + self.l2 * W
        return float(loss), G, R.sum(axis=0)

    def lipschitz(self, fit_intercept, n_iter=50):
        """Upper estimate of the Lipschitz constant of the gradient.

        ``c * sigma_max(diag(sqrt(ws)) [X, 1])^2 + l2``, ``c = 1/4`` for the
        logistic and ``1/2`` for the softmax loss; the largest singular value
        is estimated by power iteration, with a safety margin.
        """
        n_features = self.X.shape[1]
        v = np.full(n_features + 1, 1.0 / np.sqrt(n_features + 1))
        if not fit_intercept:
            v[-1] = 0.0
        sigma2 = 0.0
        for _ in range(n_iter):
            u = (np.asarray(self.X @ v[:-1]).ravel() + v[-1]) * self.ws
            w = np.empty_like(v)
            w[:-1] = np.asarray(self.X.T @ u).ravel()
            w[-1] = u.sum() if fit_intercept else 0.0
            sigma2 = float(np.linalg.norm(w))
            if sigma2 == 0.0:
                break
            v = w / sigma2
        return (0.25 if self.binary else 0.5) * 1.2 * sigma2 + self.l2


def _soft_threshold(W, t):
    return np.sign(W) * np.maximum(np.abs(W) - t, 0.0)


def _l1_fit(loss, W, b, lam, step, fit_intercept, *, max_iter=200, tol=1e-3):
    """Minimise ``loss + lam * ||W||_1`` by FISTA with adaptive restart."""
    W_y, b_y = W.copy(), b.copy()
    t = 1.0
    for _ in range(max_iter):
        _, G, g_b = loss(W_y, b_y)
        W_new = _soft_threshold(W_y - step * G, step * lam)
        b_new = b_y - step * g_b if fit_intercept else b_y
        if np.vdot(W_y - W_new, W_new - W) > 0:  # restart the momentum
            t = 1.0
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        beta = (t - 1.0) / t_new
        change = np.max(np.abs(W_new - W), initial=0.0)
        W_y = W_new + beta * (W_new - W)
        b_y = b_new + beta * (b_new - b)
        W, b, t = W_new, b_new, t_new
        if change <= tol * max(1.0, np.max(np.abs(W), initial=0.0)):
            break
    return W, b


def _intercept_only(Y, sample_weight, binary, fit_intercept):
    """Intercept of the model with all coefficients zero (class log-frequencies)."""
    if not fit_intercept:
        return np.zeros(1 if binary else Y.shape[1])
    sw = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
    freq = np.maximum(sw @ Y, 1e-12)
    log_freq = np.log(freq / freq.sum())
    if binary:
        return np.array([log_freq[1] - log_freq[0]])
    return log_freq - log_freq.mean()


def _top_mask(W, n_keep, tie_break):
    """Mask of the ``n_keep`` largest ``|W|``, ties broken by ``|tie_break|``."""
    order = np.lexsort((-np.abs(tie_break).ravel(), -np.abs(W).ravel()))
    mask = np.zeros(W.size, dtype=bool)
    mask[order[:n_keep]] = True
    return mask.reshape(W.shape)


def l1_path_support(X, Y, n_keep, *, sample_weight=None, fit_intercept=True):
    """Coefficients kept at ``n_keep`` non-zeros along an L1 regularisation path.

    The L1-penalised soft-target logistic regression is solved (FISTA, warm
    started) for penalties decreasing geometrically from the smallest one that
    zeroes every coefficient, until at least ``n_keep`` coefficients are
    non-zero; the crossing is refined by bisection on the log-penalty. The
    ``n_keep`` coefficients of largest magnitude there are kept.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_classes)
        Soft targets (rows sum to one).
    n_keep : int
        Number of coefficients to keep.
    sample_weight : ndarray of shape (n_samples,) or None
    fit_intercept : bool

    Returns
    -------
    mask : ndarray of bool of shape (n_rows, n_features)
        ``True`` for the kept coefficients; ``n_rows`` is 1 for two classes,
        else ``n_classes``.
    coef : ndarray of shape (n_rows, n_features)
        The L1 solution where the mask was taken (a warm start for a refit).
    intercept : ndarray of shape (n_rows,)
    """
    loss = _SoftCrossEntropy(X, Y, sample_weight)
    n_rows = 1 if loss.binary else Y.shape[1]
    b = _intercept_only(Y, sample_weight, loss.binary, fit_intercept)
    W = np.zeros((n_rows, X.shape[1]))
    if n_keep <= 0:
        return np.zeros(W.shape, dtype=bool), W, b
    lipschitz = loss.lipschitz(fit_intercept)
    if not (np.isfinite(lipschitz) and lipschitz > 0):
        raise FloatingPointError(
            f"the curvature bound of the loss is {lipschitz!r} (extreme inputs)"
        )
    step = 1.0 / lipschitz
    _, G, _ = loss(W, b)
    lam_max = float(np.max(np.abs(G)))
    if n_keep >= W.size or lam_max == 0.0:
        return _top_mask(G, n_keep, G), W, b
    lam_hi, state_hi = lam_max, (W, b)
    lam = lam_max
    nnz = 0
    while nnz < n_keep and lam > lam_max * 1e-6:
        lam *= PATH_RATIO
        W_new, b_new = _l1_fit(loss, W, b, lam, step, fit_intercept)
        nnz = np.count_nonzero(W_new)
        if nnz < n_keep:
            lam_hi, state_hi = lam, (W_new, b_new)
        W, b = W_new, b_new
    lam_lo, state_lo = lam, (W, b)
    # bisect the log-penalty while far more than n_keep coefficients are non-zero
    for _ in range(4):
        if np.count_nonzero(state_lo[0]) <= n_keep + max(1, n_keep // 20):
            break
        lam_mid = np.sqrt(lam_hi * lam_lo)
        W_mid, b_mid = _l1_fit(loss, *state_hi, lam_mid, step, fit_intercept)
        if np.count_nonzero(W_mid) >= n_keep:
            lam_lo, state_lo = lam_mid, (W_mid, b_mid)
        else:
            lam_hi, state_hi = lam_mid, (W_mid, b_mid)
    W, b = state_lo
    _, G, _ = loss(W, b)
    mask = _top_mask(W, n_keep, G)
    return mask, np.where(mask, W, 0.0), b


def _refit(X, Y, mask, coef, intercept, sample_weight, C, fit_intercept, tol, max_iter):
    """Minimise the L2-penalised soft-target objective over the kept coefficients.

    L-BFGS-B on the coefficients where ``mask`` is True (and the intercept),
    warm-started from ``coef`` and ``intercept``; the others stay at zero.
    """
    loss = _objective(X, Y, sample_weight, C)
    n_kept = int(mask.sum())
    shape = mask.shape

    def fun(w):
        W = np.zeros(shape)
        W[mask] = w[:n_kept]
        b = w[n_kept:] if fit_intercept else np.zeros(shape[0])
        value, G, g_b = loss(W, b)
        return value, np.concatenate([G[mask], g_b if fit_intercept else []])

    w0 = np.concatenate(
        [np.asarray(coef, dtype=np.float64)[mask], intercept if fit_intercept else []]
    )
    res = optimize.minimize(
        fun, w0, jac=True, method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": tol},
    )
    W = np.zeros(shape)
    W[mask] = res.x[:n_kept]
    b = res.x[n_kept:] if fit_intercept else np.zeros(shape[0])
    return W, b


def _objective(X, Y, sample_weight, C):
    loss = _SoftCrossEntropy(X, Y, sample_weight)
    loss.l2 = 0.0 if np.isinf(C) else 1.0 / (C * loss.total)
    return loss


def _candidate(method, X, Y, n_keep, sample_weight, C, fit_intercept, tol, max_iter,
               coef=None, intercept=None):
    """Support and refitted model of one candidate method on ``(X, Y)``."""
    if method == "l1_path":
        mask, coef, intercept = l1_path_support(
            X, Y, n_keep, sample_weight=sample_weight, fit_intercept=fit_intercept
        )
        coef, intercept = _refit(
            X, Y, mask, coef, intercept, sample_weight, C, fit_intercept, tol,
            max_iter,
        )
        return coef, intercept, mask
    if coef is None:  # the dense model on these rows
        n_rows = 1 if Y.shape[1] == 2 else Y.shape[1]
        full = np.ones((n_rows, X.shape[1]), dtype=bool)
        coef, intercept = _refit(
            X, Y, full, np.zeros(full.shape), np.zeros(n_rows), sample_weight, C,
            fit_intercept, tol, max_iter,
        )
    return magnitude_prune(
        X, Y, n_keep, coef, intercept, sample_weight=sample_weight, C=C,
        fit_intercept=fit_intercept, tol=tol, max_iter=max_iter,
    )


def prune_logistic(
    X,
    Y,
    n_keep,
    coef,
    intercept,
    *,
    sample_weight=None,
    C=1.0,
    fit_intercept=True,
    tol=1e-4,
    max_iter=100,
    cv=3,
    random_state=0,
):
    """Soft-target logistic regression with ``n_keep`` coefficients kept.

    Two ways of choosing the support, each followed by a refit with the L2
    (or no) penalty ``C`` of the soft-target objective and the other
    coefficients held at zero:

    - ``"l1_path"``: along an L1 path (:func:`l1_path_support`);
    - ``"magnitude"``: gradual magnitude pruning of the dense model with 10
      warm-started refits (:func:`magnitude_prune`).

    The one with the lower held-out soft cross-entropy in a ``cv``-fold
    cross-validation (stratified on the targets' argmax) is run on all the
    rows. The lower training objective would favour the method that adapts the
    support most to the training rows, which overfits when features are many.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_classes)
        Soft targets (rows sum to one).
    n_keep : int
        Number of coefficients kept.
    coef : ndarray of shape (n_rows, n_features)
        The dense model fitted on ``(X, Y)`` (start of magnitude pruning).
    intercept : ndarray of shape (n_rows,)
    sample_weight : ndarray of shape (n_samples,) or None
    C : float
        Inverse of the L2 penalty of the refits (``np.inf``: none).
    fit_intercept : bool
    tol, max_iter : float, int
        Of each refit (L-BFGS).
    cv : int
        Number of folds choosing the method; ``0`` or ``1`` uses the L1 path.
    random_state : int
        Seed of the folds.

    Returns
    -------
    coef : ndarray of shape (n_rows, n_features)
    intercept : ndarray of shape (n_rows,)
    mask : ndarray of bool of shape (n_rows, n_features)
        ``n_keep`` entries are True; ``coef`` is zero elsewhere.
    method : str
        The method chosen.
    """
    args = (sample_weight, C, fit_intercept, tol, max_iter)
    method = "l1_path"
    labels = np.argmax(Y, axis=1)
    n_min = np.min(np.bincount(labels)) if len(labels) else 0
    if cv > 1 and 0 < n_keep < np.size(coef) and n_min >= cv:
        folds = StratifiedKFold(cv, shuffle=True, random_state=random_state)
        scores = {"l1_path": 0.0, "magnitude": 0.0}
        for train, test in folds.split(labels, labels):
            sw_train = None if sample_weight is None else sample_weight[train]
            sw_test = None if sample_weight is None else sample_weight[test]
            held_out = _SoftCrossEntropy(X[test], Y[test], sw_test)
            for name in scores:
                c, b, _ = _candidate(
                    name, X[train], Y[train], n_keep, sw_train, *args[1:]
                )
                scores[name] += held_out(c, b)[0]
        method = min(scores, key=scores.get)
    coef, intercept, mask = _candidate(
        method, X, Y, n_keep, *args, coef=np.asarray(coef, dtype=np.float64),
        intercept=np.asarray(intercept, dtype=np.float64),
    )
    return coef, intercept, mask, method


def magnitude_prune(
    X, Y, n_keep, coef, intercept, *, n_steps=10, sample_weight=None, C=1.0,
    fit_intercept=True, tol=1e-4, max_iter=100,
):
    """Gradual magnitude pruning of ``coef`` with warm-started masked refits.

    The number of pruned coefficients follows the cubic schedule of Zhu and
    Gupta (2017) from 0 to ``coef.size - n_keep`` in ``n_steps`` steps; after
    each step the model is refitted with the pruned coefficients held at zero.

    Returns
    -------
    coef, intercept, mask : ndarray
        As :func:`prune_logistic`.
    """
    n_coef = coef.size
    n_final = n_coef - n_keep
    t = np.arange(1, n_steps + 1, dtype=np.float64)
    schedule = (n_final / n_coef) * (1.0 - (1.0 - t / n_steps) ** 3)
    pruned = np.zeros(n_coef, dtype=bool)
    for step, s_t in enumerate(schedule):
        n_pruned = n_final if step == n_steps - 1 else min(round(s_t * n_coef), n_final)
        n_pruned = max(n_pruned, int(pruned.sum()))
        ranked = np.where(pruned, -np.inf, np.abs(coef).ravel())
        pruned[np.argsort(ranked, kind="stable")[:n_pruned]] = True
        mask = ~pruned.reshape(coef.shape)
        coef, intercept = _refit(
            X, Y, mask, coef, intercept, sample_weight, C, fit_intercept, tol, max_iter
        )
    return coef, intercept, mask


def searchable(model):
    """Whether :func:`logistic_support` can prune ``model`` (a fitted last step).

    An L2-penalised or unpenalised ``LogisticRegression`` without class
    weights, which the soft-target solver refits.
    """
    return _supports_soft_targets(model) and model.class_weight is None


def logistic_support(model, X, Y, n_keep, *, sample_weight=None):
    """Mask of the ``n_keep`` coefficients of a logistic model to keep.

    Runs :func:`prune_logistic` with the model's penalty, ``fit_intercept``,
    ``tol`` and ``max_iter``, starting magnitude pruning from its fitted
    coefficients; the convergence warnings of the intermediate refits are
    silenced (the caller's final refit reports its own).

    Parameters
    ----------
    model : LogisticRegression
        Fitted on ``(X, Y)``, such that :func:`searchable` is True.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The rows the model was fitted on (as its ``fit`` saw them).
    Y : ndarray of shape (n_samples, n_classes)
        Its (soft or one-hot) targets, columns following ``model.classes_``.
    n_keep : int
        Number of coefficients to keep.
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    mask : ndarray of bool, shape of ``model.coef_``
    """
    C = np.inf if _effective_penalty(model) is None else float(model.C)
    X = X if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    if sp.issparse(X):
        X = X.astype(np.float64).tocsr()
    Y = np.asarray(Y, dtype=np.float64)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, _, mask, _ = prune_logistic(
            X,
            Y,
            n_keep,
            np.asarray(model.coef_, dtype=np.float64),
            np.asarray(model.intercept_, dtype=np.float64),
            sample_weight=sample_weight,
            C=C,
            fit_intercept=model.fit_intercept,
            tol=model.tol,
            max_iter=model.max_iter,
        )
    return mask.reshape(np.shape(model.coef_))


def search_support(estimator, X, y, n_keep, *, sample_weight=None, refit_set=None):
    """Searched support of a fitted logistic model, or None where it does not apply.

    Parameters
    ----------
    estimator : estimator
        The fitted model being pruned: a ``LogisticRegression``, or a
        distiller whose student (or a Pipeline student's last step) is one.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The validated training inputs (used for a ``LogisticRegression``).
    y : array-like of shape (n_samples,)
        The training labels (used for a ``LogisticRegression``).
    n_keep : int
        Number of coefficients to keep.
    sample_weight : ndarray of shape (n_samples,) or None
    refit_set : RefitSet or None
        The student's training set for a distiller (its rows, soft targets,
        weights and classes); ``None`` otherwise.

    Returns
    -------
    mask : ndarray of bool of the shape of the coefficients, or None
        None when the model is not a searchable logistic regression, or when
        its inputs are too extreme for the path (then magnitude pruning
        applies).
    """
    if refit_set is not None:
        model = getattr(estimator, "student_", None)
        if hasattr(model, "steps"):
            model = model.steps[-1][1]
        if model is None or not searchable(model):
            return None
        X, Y, sample_weight = refit_set.X, refit_set.Y, refit_set.sample_weight
    else:
        model = estimator
        if not searchable(model) or not hasattr(model, "coef_"):
            return None
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            return None
        Y = (y[:, None] == np.asarray(model.classes_)[None, :]).astype(np.float64)
    if not np.all(np.isfinite(model.coef_)):
        return None
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return logistic_support(model, X, Y, n_keep, sample_weight=sample_weight)
    except FloatingPointError:  # extreme inputs: magnitude pruning instead
        return None
