"""Sparse logistic models: L1-path solution, its refit or magnitude pruning, by CV."""

import warnings
from functools import partial
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy import optimize
from scipy.special import log_softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold

from .linear_model._loss import _SoftLogisticLoss
from .linear_model._soft_logistic import _effective_penalty, _supports_soft_targets
from .metrics import _relative_weights

# Ratio of consecutive penalties along the L1 path.
PATH_RATIO = 0.6
# Iterations of each warm-started L1 solve, at most.
L1_MAX_ITER = 100
# Tolerance of the L1 solves, relative to the penalty (L-BFGS-B's ``gtol`` is
# ``L1_TOL * lam``): whether a coefficient is zero is decided against ``lam``.
L1_TOL = 1e-2


class _SoftCrossEntropy:
    """The soft-target solver's objective as a function of ``(W, b)``.

    ``f(W, b) = sum_i sw_i sum_k Y_ik (-log p_ik) / sum_i sw_i sum_k Y_ik``
    ``+ ||W||^2 / (2 * C * sum_i sw_i sum_k Y_ik)``, with ``W`` of shape
    ``(n_rows, n_features)``: one row (the logit of the second class) for two
    classes, one row per class otherwise, as in scikit-learn's
    ``LogisticRegression``. It is evaluated by the soft-target solver's own
    loss (:class:`~skdistill.linear_model._loss._SoftLogisticLoss`), which
    neither copies nor writes ``X`` (a float ndarray, CSR or CSC matrix) and
    ``Y`` (float64).
    """

    def __init__(self, X, Y, sample_weight, C=np.inf, fit_intercept=True):
        sw = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        self._loss = _SoftLogisticLoss(X, Y, sw, C, fit_intercept, None)
        self.binary = self._loss.binary
        self.n_rows = self._loss.n_rows
        self.n_features = self._loss.n_features
        self.fit_intercept = fit_intercept
        self._w = np.zeros(self._loss.n_coef + (self.n_rows if fit_intercept else 0))

    def __call__(self, W, b):
        """Return the loss, its gradient in ``W`` and its gradient in ``b``.

        ``b`` is ignored (and its gradient is zero) without an intercept.
        """
        n_coef = self._loss.n_coef
        self._w[:n_coef] = np.ravel(W)
        if self.fit_intercept:
            self._w[n_coef:] = b
        value, grad = self._loss(self._w)
        G = grad[:n_coef].reshape(self.n_rows, self.n_features)
        g_b = grad[n_coef:] if self.fit_intercept else np.zeros(self.n_rows)
        return value, G, g_b


def _l1_fit(loss, W, b, lam, fit_intercept, *, mask=None, max_iter=100):
    """Minimise ``loss + lam * ||W||_1`` with L-BFGS-B, warm-started at ``W, b``.

    Writing ``W = P - N`` with ``P, N >= 0`` turns the penalty into the linear
    term ``lam * sum(P + N)``: a smooth problem with bounds, which L-BFGS-B
    solves to exact zeros where a bound is active. The coefficients where
    ``mask`` is False are held at zero.
    """
    shape, n = W.shape, W.size
    n_b = b.size if fit_intercept else 0
    upper = np.full(2 * n + n_b, np.inf)
    if mask is not None:
        upper[:n][~mask.ravel()] = 0.0
        upper[n : 2 * n][~mask.ravel()] = 0.0
    lower = np.concatenate([np.zeros(2 * n), np.full(n_b, -np.inf)])

    def fun(v):
        W_v = (v[:n] - v[n : 2 * n]).reshape(shape)
        value, G, g_b = loss(W_v, v[2 * n :] if fit_intercept else b)
        g = G.ravel()
        grad = np.concatenate([g + lam, lam - g, g_b if fit_intercept else []])
        return value + lam * float(v[: 2 * n].sum()), grad

    v0 = np.concatenate(
        [np.maximum(W, 0.0).ravel(), np.maximum(-W, 0.0).ravel(),
         b if fit_intercept else []]
    )
    v0 = np.minimum(v0, upper)
    res = optimize.minimize(
        fun, v0, jac=True, method="L-BFGS-B", bounds=optimize.Bounds(lower, upper),
        options={"maxiter": max_iter, "gtol": L1_TOL * lam},
    )
    W = (res.x[:n] - res.x[n : 2 * n]).reshape(shape)
    return W, (res.x[2 * n :] if fit_intercept else b)


def _intercept_only(Y, sample_weight, binary, fit_intercept):
    """Intercept of the model with all coefficients zero (class log-frequencies)."""
    if not fit_intercept:
        return np.zeros(1 if binary else Y.shape[1])
    sw = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
    sw = _relative_weights(sw)  # (a total that overflows)
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


def _l1_path(loss, n_keep, b, fit_intercept, max_iter):
    """Walk down the L1 path to ``n_keep`` non-zeros.

    Returns ``(mask, W, b, lam_lo, lam_hi)``: the ``n_keep`` largest ``|W|``
    of the solution ``(W, b)`` at penalty ``lam_lo``, the largest penalty met
    with at least ``n_keep`` non-zeros, and ``lam_hi``, the smallest met with
    fewer. ``W`` may have fewer when the path ends first; when ``n_keep`` is
    every coefficient ``W`` is zero and both penalties are 0.
    """
    W = np.zeros((loss.n_rows, loss.n_features))
    _, G, _ = loss(W, b)
    if not np.all(np.isfinite(G)):
        raise FloatingPointError("the gradient of the loss is not finite")
    lam_max = float(np.max(np.abs(G), initial=0.0))
    if n_keep >= W.size or lam_max == 0.0:
        return _top_mask(G, n_keep, G), W, b, 0.0, 0.0
    fit = partial(_l1_fit, loss, fit_intercept=fit_intercept, max_iter=max_iter)
    lam_hi, state_hi = lam_max, (W, b)
    lam = lam_max
    nnz = 0
    while nnz < n_keep and lam > lam_max * 1e-6:
        lam *= PATH_RATIO
        W, b = fit(W, b, lam)
        nnz = np.count_nonzero(W)
        if nnz < n_keep:
            lam_hi, state_hi = lam, (W, b)
    lam_lo, state_lo = lam, (W, b)
    # bisect the log-penalty while far more than n_keep coefficients are non-zero
    for _ in range(4):
        if np.count_nonzero(state_lo[0]) <= n_keep + max(1, n_keep // 20):
            break
        lam_mid = np.sqrt(lam_hi * lam_lo)
        W_mid, b_mid = fit(*state_hi, lam_mid)
        if np.count_nonzero(W_mid) >= n_keep:
            lam_lo, state_lo = lam_mid, (W_mid, b_mid)
        else:
            lam_hi, state_hi = lam_mid, (W_mid, b_mid)
    W, b = state_lo
    _, G, _ = loss(W, b)
    mask = _top_mask(W, n_keep, G)
    return mask, W, b, lam_lo, lam_hi


def l1_path_support(
    X, Y, n_keep, *, sample_weight=None, C=np.inf, fit_intercept=True, max_iter=100
):
    """Coefficients kept at ``n_keep`` non-zeros along an L1 regularisation path.

    The L1-penalised soft-target logistic regression
    ``f(W, b) + lam * ||W||_1`` (``f`` the objective of the soft-target
    solver, with the L2 penalty ``C``: an elastic net, or none) is solved
    (L-BFGS-B on the positive and negative parts of ``W``, warm started) for
    penalties ``lam`` decreasing geometrically from the smallest one that
    zeroes every coefficient, until at least ``n_keep`` coefficients are
    non-zero; the crossing is refined by bisection on the log-penalty. The
    ``n_keep`` coefficients of largest magnitude there are kept, and the L1
    problem at that penalty is solved again with the others held at zero:
    the L1-path solution with exactly ``n_keep`` non-zeros (the truncated
    one if the re-solve zeroes a kept coefficient).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_classes)
        Soft targets (rows sum to one).
    n_keep : int
        Number of coefficients to keep.
    sample_weight : ndarray of shape (n_samples,) or None
    C : float, default=np.inf
        Inverse of the L2 penalty added to the L1 one (``np.inf``: none).
    fit_intercept : bool
    max_iter : int
        Iterations of each L-BFGS-B solve (whose tolerance is ``1e-2 * lam``
        on the projected gradient: whether a coefficient is zero is decided
        against ``lam``).

    Returns
    -------
    mask : ndarray of bool of shape (n_rows, n_features)
        ``True`` for the kept coefficients; ``n_rows`` is 1 for two classes,
        else ``n_classes``.
    coef : ndarray of shape (n_rows, n_features)
        The L1 solution on the mask, zero elsewhere. It has ``n_keep``
        non-zeros, unless the path ended with fewer (then it has fewer).
    intercept : ndarray of shape (n_rows,)
    """
    loss = _SoftCrossEntropy(X, Y, sample_weight, C, fit_intercept)
    return _l1_support(loss, Y, sample_weight, n_keep, max_iter)


def _l1_support(loss, Y, sample_weight, n_keep, max_iter):
    """:func:`l1_path_support` on the objective ``loss`` of ``(X, Y)``."""
    fit_intercept = loss.fit_intercept
    b = _intercept_only(Y, sample_weight, loss.binary, fit_intercept)
    mask, W, b, lam_lo, _ = _l1_path(loss, n_keep, b, fit_intercept, max_iter)
    coef = np.where(mask, W, 0.0)
    if lam_lo > 0.0 and np.count_nonzero(coef) == n_keep:
        solved, b_solved = _l1_fit(
            loss, coef, b, lam_lo, fit_intercept, mask=mask, max_iter=max_iter
        )
        # the re-solve may zero a kept coefficient: keep n_keep non-zeros
        if np.count_nonzero(solved) == n_keep:
            coef, b = solved, b_solved
    return mask, coef, b


def _refit(loss, mask, coef, intercept, tol, max_iter):
    """Minimise the objective ``loss`` over the kept coefficients.

    L-BFGS-B on the coefficients where ``mask`` is True (and the intercept),
    warm-started from ``coef`` and ``intercept``; the others stay at zero.
    """
    fit_intercept = loss.fit_intercept
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


# Candidates of the support search; the first two share one L1 path. (The
# relaxed lasso's blends of the two were measured too: the more candidates,
# the noisier the choice, for no gain.)
L1_METHODS = ("l1", "l1_refit")
METHODS = L1_METHODS + ("gradual_magnitude",)
# Methods whose final model is a refit on their mask with the model's penalty.
REFIT_METHODS = ("l1_refit", "gradual_magnitude")
# Above this many coefficients the L1 path is not searched: its L-BFGS-B
# solves over twice as many variables cost hundreds of times a fit (400,000
# coefficients, 1,500 x 20,000 CSR rows, 20 classes: 89 s against 0.3 s for
# magnitude pruning), and gradual magnitude pruning is the candidate left
_L1_PATH_MAX_COEF = 50_000


def _candidates(methods, X, Y, n_keep, sample_weight, C, fit_intercept, tol, max_iter,
                coef=None, intercept=None):
    """Models with ``n_keep`` coefficients of the ``methods`` on ``(X, Y)``.

    Returns a dict ``method -> (coef, intercept, mask)``, one L1 path serving
    the two L1 methods. ``"l1"`` is left out when the path ends with fewer
    than ``n_keep`` non-zeros.
    """
    out = {}
    loss = _SoftCrossEntropy(X, Y, sample_weight, C, fit_intercept)
    if any(m in L1_METHODS for m in methods):
        mask, l1_coef, l1_b = _l1_support(
            loss, Y, sample_weight, n_keep, min(max_iter, L1_MAX_ITER)
        )
        if np.count_nonzero(l1_coef) == n_keep:
            out["l1"] = (l1_coef, l1_b, mask)
        if "l1_refit" in methods:
            r_coef, r_b = _refit(loss, mask, l1_coef, l1_b, tol, max_iter)
            out["l1_refit"] = (r_coef, r_b, mask)
    if "gradual_magnitude" in methods:
        if coef is None:  # the dense model on these rows
            full = np.ones((loss.n_rows, loss.n_features), dtype=bool)
            coef, intercept = _refit(
                loss, full, np.zeros(full.shape), np.zeros(loss.n_rows), tol, max_iter
            )
        out["gradual_magnitude"] = _magnitude_prune(
            loss, n_keep, coef, intercept, 10, tol, max_iter
        )
    return {m: out[m] for m in methods if m in out}


def _scaled_cross_entropy(Z, Y, sample_weight):
    """Soft cross-entropy of the logits ``t * Z`` at the best scale ``t > 0``.

    Which class is predicted does not depend on a common scale of the logits;
    the unscaled cross-entropy would also penalise a model's shrinkage (an L1
    solution predicts the same classes with lower confidence).
    """
    if Z.shape[1] == 1:  # one logit for two classes
        Z = np.hstack([np.zeros_like(Z), Z])
    sw = np.ones(Z.shape[0]) if sample_weight is None else sample_weight
    sw = _relative_weights(sw)  # (a total that overflows)
    Yw = Y * (sw / float(sw @ Y.sum(axis=1)))[:, None]

    def loss(log_scale):
        return -np.vdot(Yw, log_softmax(np.exp(log_scale) * Z, axis=1))

    return optimize.minimize_scalar(loss, bounds=(-5.0, 5.0), method="bounded").fun


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
    methods=METHODS,
):
    """Soft-target logistic regression with ``n_keep`` coefficients kept.

    Candidate models with exactly ``n_keep`` non-zero coefficients:

    - ``"l1"``: the solution of the model's objective (with its L2 penalty
      ``C``) plus an L1 penalty, an elastic net, along an L1 path where it
      crosses ``n_keep`` non-zeros, kept as it is (:func:`l1_path_support`;
      the relaxed lasso with ``phi = 0``). Its shrinkage regularises where
      the L2 penalty ``C`` alone leaves the model overfit;
    - ``"l1_refit"``: that support refitted with the L2 (or no) penalty ``C``
      of the soft-target objective, the other coefficients held at zero (the
      relaxed lasso with ``phi = 1``);
    - ``"gradual_magnitude"``: gradual magnitude pruning of the dense model
      with 10 warm-started refits with the penalty ``C``
      (:func:`magnitude_prune`).

    The one with the lowest held-out soft cross-entropy of its
    out-of-fold logits in a ``cv``-fold cross-validation (stratified on the
    targets' argmax), each scaled by its best common factor (which does not
    change the predicted classes, but would otherwise penalise the L1
    solution's shrinkage), is built on all the rows; the two L1 candidates
    share one L1 path in each fold. The lower training objective would
    favour the method that adapts most to the training rows, which overfits
    when features are many.

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
        Of each refit (L-BFGS); ``max_iter`` also bounds each L1 solve.
    cv : int
        Number of folds choosing the method; ``0`` or ``1`` uses
        ``"l1_refit"`` (or the first of ``methods``).
    random_state : int
        Seed of the folds.
    methods : sequence of str, default=METHODS
        The candidates compared.

    Returns
    -------
    coef : ndarray of shape (n_rows, n_features)
    intercept : ndarray of shape (n_rows,)
    mask : ndarray of bool of shape (n_rows, n_features)
        ``n_keep`` entries are True; ``coef`` is zero elsewhere.
    method : str
        The method chosen.
    """
    unknown = set(methods) - set(METHODS)
    if unknown or not methods:
        raise ValueError(
            f"methods must be a non-empty subset of {METHODS}; got {methods!r}."
        )
    args = (sample_weight, C, fit_intercept, tol, max_iter)
    method = "l1_refit" if "l1_refit" in methods else methods[0]
    labels = np.argmax(Y, axis=1)
    n_min = np.min(np.bincount(labels)) if len(labels) else 0
    if len(methods) > 1 and cv > 1 and 0 < n_keep < np.size(coef) and n_min >= cv:
        folds = StratifiedKFold(cv, shuffle=True, random_state=random_state)
        n_rows = np.shape(coef)[0]
        logits = {name: np.zeros((X.shape[0], n_rows)) for name in methods}
        for train, test in folds.split(labels, labels):
            sw_train = None if sample_weight is None else sample_weight[train]
            fitted = _candidates(
                methods, X[train], Y[train], n_keep, sw_train, *args[1:]
            )
            for name in methods:  # a candidate missing in a fold is out
                if name not in fitted:
                    logits.pop(name, None)
                elif name in logits:
                    W, b, _ = fitted[name]
                    logits[name][test] = np.asarray(X[test] @ W.T) + b
        scores = {
            name: _scaled_cross_entropy(Z, Y, sample_weight)
            for name, Z in logits.items()
        }
        if scores:
            method = min(scores, key=scores.get)
    dense = (
        np.asarray(coef, dtype=np.float64), np.asarray(intercept, dtype=np.float64)
    )
    fitted = _candidates((method,), X, Y, n_keep, *args, *dense)
    if method not in fitted:  # the L1 path ends before n_keep on all the rows
        method = "l1_refit"
        fitted = _candidates((method,), X, Y, n_keep, *args, *dense)
    coef, intercept, mask = fitted[method]
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
    loss = _SoftCrossEntropy(X, Y, sample_weight, C, fit_intercept)
    return _magnitude_prune(loss, n_keep, coef, intercept, n_steps, tol, max_iter)


def _magnitude_prune(loss, n_keep, coef, intercept, n_steps, tol, max_iter):
    """:func:`magnitude_prune` on the objective ``loss`` of ``(X, Y)``."""
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
        coef, intercept = _refit(loss, mask, coef, intercept, tol, max_iter)
    return coef, intercept, mask


def searchable(model):
    """Whether :func:`logistic_support` can prune ``model`` (a fitted last step).

    An L2-penalised or unpenalised ``LogisticRegression`` without class
    weights, which the soft-target solver refits.
    """
    return _supports_soft_targets(model) and model.class_weight is None


class SearchedSupport(NamedTuple):
    """Outcome of :func:`logistic_support`.

    Attributes
    ----------
    mask : ndarray of bool, shape of the model's ``coef_``
        The ``n_keep`` coefficients kept.
    coef : ndarray of the shape of ``coef_``, or None
        The final coefficients when the chosen method is not a refit on
        ``mask`` (``"l1"``); None when the caller refits
        the model on ``mask`` with its own penalty.
    intercept : ndarray of the shape of ``intercept_``, or None
        Likewise.
    method : str
        The method chosen (one of :data:`METHODS`).
    """

    mask: np.ndarray
    coef: object
    intercept: object
    method: str


def logistic_support(model, X, Y, n_keep, *, sample_weight=None):
    """Support (and coefficients) of a logistic model with ``n_keep`` kept.

    Runs :func:`prune_logistic` with the model's penalty, ``fit_intercept``,
    ``tol`` and ``max_iter`` (gradual magnitude pruning alone above
    ``_L1_PATH_MAX_COEF`` coefficients), starting magnitude pruning from its fitted
    coefficients; the convergence warnings of the intermediate refits are
    silenced (the caller's final refit reports its own; the L1 solves stop
    at ``min(max_iter, 100)`` iterations, warm-started along the path).

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
    searched : SearchedSupport
    """
    C = np.inf if _effective_penalty(model) is None else float(model.C)
    X = X if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    if sp.issparse(X):
        X = X.astype(np.float64).tocsr()
    Y = np.asarray(Y, dtype=np.float64)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
    methods = METHODS
    if np.size(model.coef_) > _L1_PATH_MAX_COEF:
        methods = ("gradual_magnitude",)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        coef, intercept, mask, method = prune_logistic(
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
            methods=methods,
        )
    shape = np.shape(model.coef_)
    if method in REFIT_METHODS:
        return SearchedSupport(mask.reshape(shape), None, None, method)
    return SearchedSupport(
        mask.reshape(shape),
        coef.reshape(shape),
        intercept.reshape(np.shape(model.intercept_)),
        method,
    )


def _logistic_model(estimator, refit_set):
    """The LogisticRegression being pruned: the estimator or its student's last step."""
    if refit_set is None:
        return estimator
    model = getattr(estimator, "student_", None)
    if hasattr(model, "steps"):
        model = model.steps[-1][1]
    return model


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
    searched : SearchedSupport or None
        None when the model is not a searchable logistic regression, or when
        its inputs are too extreme for the path (then magnitude pruning
        applies). Its ``coef`` is written into the model by
        :func:`set_coefficients` when it is not None.
    """
    model = _logistic_model(estimator, refit_set)
    if model is None or not searchable(model) or not hasattr(model, "coef_"):
        return None
    if refit_set is not None:
        X, Y, sample_weight = refit_set.X, refit_set.Y, refit_set.sample_weight
    else:
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


def set_coefficients(estimator, searched, refit_set=None):
    """Write the searched coefficients into the pruned logistic model.

    Parameters
    ----------
    estimator : estimator
        As given to :func:`search_support` (fitted, owned by the caller).
    searched : SearchedSupport
        With ``coef`` and ``intercept`` not None.
    refit_set : RefitSet or None
        As given to :func:`search_support`.

    Returns
    -------
    estimator : estimator
        The same object, its ``LogisticRegression`` holding the coefficients
        (exact zeros outside ``searched.mask``).
    """
    model = _logistic_model(estimator, refit_set)
    dtype = np.asarray(model.coef_).dtype
    model.coef_ = np.where(searched.mask, searched.coef, 0.0).astype(dtype)
    model.intercept_ = np.asarray(searched.intercept, dtype=dtype)
    return estimator
