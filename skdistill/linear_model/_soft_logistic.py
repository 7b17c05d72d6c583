"""Logistic regression fitted exactly on probabilistic (soft) labels."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from scipy import optimize
from scipy.special import expit, log_expit, softmax
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._loss import _SoftLogisticLoss
from ._stream import _IncrementalSoftLogistic

__all__ = ["SoftLogisticRegression", "check_soft_targets"]

_CONVERGENCE_MSG = (
    "{solver} failed to converge after {n_iter} iteration(s) (status={status}):\n"
    "{message}\n"
)
_CONVERGENCE_MAX_ITER_MSG = (
    "\nIncrease the number of iterations to improve the convergence "
    "(max_iter={max_iter}).\n"
    "You might also want to scale the data as shown in:\n"
    "    https://scikit-learn.org/stable/modules/preprocessing.html"
)


def release(module):
    """``(major, minor)`` of an installed module's version, as ints."""
    return tuple(int(part) for part in module.__version__.split(".")[:2])


# scipy >= 1.15 deprecated the `iprint` / `disp` options of L-BFGS-B.
_SCIPY_HAS_IPRINT = release(scipy) < (1, 15)
# scikit-learn >= 1.7's LogisticRegression weighs the class counts of
# class_weight="balanced" by sample_weight; 1.6's counts the labels unweighted
_LOGISTIC_BALANCE_WEIGHTED = release(sklearn) >= (1, 7)


def check_soft_targets(Y, *, n_classes=None, rtol=1e-6):
    """Validate a matrix of soft (probabilistic) class targets.

    Parameters
    ----------
    Y : array-like or sparse matrix of shape (n_samples, n_classes)
        Class probabilities, one row per sample. Every entry must be finite and
        non-negative and every row must sum to 1.

    n_classes : int, default=None
        Expected number of columns (the number of classes). ``None`` only
        requires at least two columns.

    rtol : float, default=1e-6
        Tolerance on ``|sum_k Y_ik - 1|``. It is raised to
        ``10 * n_classes * eps`` for low-precision dtypes (float32 inputs).

    Returns
    -------
    Y : ndarray of shape (n_samples, n_classes), dtype float64
        The validated targets (a copy only when a conversion was needed).

    Raises
    ------
    ValueError
        If ``Y`` is not 2-D, has the wrong number of columns, contains NaN,
        infinite or negative entries, or has a row that does not sum to 1.

    See Also
    --------
    SoftLogisticRegression : Logistic regression fitted on such targets.

    Examples
    --------
    >>> from skdistill.linear_model import check_soft_targets
    >>> check_soft_targets([[0.2, 0.8], [1.0, 0.0]])
    array([[0.2, 0.8],
           [1. , 0. ]])
    >>> check_soft_targets([[0.2, 0.7]])
    Traceback (most recent call last):
        ...
    ValueError: ...
    """
    if (
        not isinstance(rtol, Real)
        or isinstance(rtol, bool)
        or not 0 <= rtol < np.inf  # NaN too
    ):
        raise ValueError(f"rtol must be a finite number >= 0; got {rtol!r}.")
    if sp.issparse(Y):
        Y = Y.toarray()
    try:
        Y_arr = np.asarray(Y)
        if Y_arr.dtype.kind == "c":  # astype would drop the imaginary part
            raise TypeError("complex values are not probabilities")
        in_dtype = Y_arr.dtype if Y_arr.dtype.kind == "f" else np.dtype(np.float64)
        Y_arr = Y_arr.astype(np.float64, copy=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Soft targets Y must be numeric class probabilities; got {exc}"
        ) from exc
    if Y_arr.ndim != 2:
        raise ValueError(
            "Soft targets Y must be a 2-D array of shape (n_samples, n_classes); "
            f"got an array with shape {Y_arr.shape}."
        )
    if n_classes is not None and Y_arr.shape[1] != n_classes:
        raise ValueError(
            f"Soft targets Y have {Y_arr.shape[1]} columns but there are "
            f"{n_classes} classes; the columns of Y must follow `classes`."
        )
    if Y_arr.shape[1] < 2:
        raise ValueError(
            f"Soft targets Y need at least 2 columns (classes); got {Y_arr.shape[1]}."
        )
    if not np.isfinite(Y_arr).all():
        raise ValueError("Soft targets Y contain NaN or infinite values.")
    if (Y_arr < 0).any():
        raise ValueError(
            f"Soft targets Y contain negative entries (min {Y_arr.min():.3g}); "
            "probabilities must be non-negative."
        )
    tol = max(rtol, 10 * Y_arr.shape[1] * np.finfo(in_dtype).eps)
    row_sums = Y_arr.sum(axis=1)
    bad = np.abs(row_sums - 1.0) > tol
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"Rows of the soft targets Y must sum to 1; {int(bad.sum())} row(s) do "
            f"not (e.g. row {i} sums to {float(row_sums[i])!r})."
        )
    return Y_arr


def _check_weights(sample_weight, n_samples):
    """Return ``sample_weight`` as a float64 array of shape (n_samples,)."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=np.float64)
    sw = np.asarray(sample_weight, dtype=np.float64)
    if sw.ndim == 0:
        return np.full(n_samples, float(sw), dtype=np.float64)
    if sw.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {sw.shape}, expected {(n_samples,)}!"
        )
    if not np.isfinite(sw).all():
        raise ValueError("sample_weight contains NaN or infinite values.")
    if not sw.any():
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sw


def _fit_soft_logistic(
    X,
    Y,
    *,
    sample_weight=None,
    C=1.0,
    fit_intercept=True,
    tol=1e-4,
    max_iter=100,
    coef_init=None,
    intercept_init=None,
    coef_mask=None,
    verbose=0,
    overwrite_Y=False,
    solver="auto",
):
    """Fit an L2-penalised logistic regression on soft targets.

    Minimises scikit-learn's ``LogisticRegression(solver="lbfgs")`` objective
    with the hard labels replaced by class probabilities::

        sum_i sw_i sum_k Y_ik (-log p_ik) / sw_sum + ||coef||^2 / (2 C sw_sum)

    where ``sw_sum = sum_i sw_i sum_k Y_ik`` and the intercept is not penalised.
    With one-hot ``Y`` this is exactly the objective (same parametrisation,
    starting point and L-BFGS options) that scikit-learn minimises, so the
    solutions agree to solver tolerance.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data, float32 or float64, dense (any memory order) or CSR/CSC.
        It is never copied: products with it are computed in its dtype.

    Y : ndarray of shape (n_samples, n_classes)
        Non-negative targets, ``n_classes >= 2``. Rows normally sum to 1;
        scaling a column (e.g. by a class weight) weights that class as
        ``class_weight`` does in scikit-learn. Not validated here, see
        :func:`check_soft_targets`.

    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples. ``None`` means unit weights.

    C : float, default=1.0
        Inverse of the regularisation strength; ``np.inf`` disables the penalty.

    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.

    tol : float, default=1e-4
        Stop when the largest absolute gradient entry falls below it (the
        ``gtol`` of L-BFGS-B, which also stops, as scikit-learn's ``lbfgs``,
        when a step's relative decrease of the objective is below 64 eps:
        on badly scaled features, before the gradient reaches ``tol``).

    max_iter : int, default=100
        Maximum number of iterations of the optimizer (Newton steps for
        Newton-CG).

    coef_init : ndarray of shape (n_coef_rows, n_features), default=None
        Starting coefficients (warm start); zeros if ``None``.

    intercept_init : ndarray of shape (n_coef_rows,), default=None
        Starting intercept; zeros if ``None``. Ignored without intercept.

    coef_mask : ndarray of bool of shape (n_coef_rows, n_features), default=None
        Entries set to ``False`` are held at exactly zero during the fit.

    verbose : int, default=0
        Print the loss and gradient norm of each iteration when positive.

    overwrite_Y : bool, default=False
        Kept for compatibility, without effect: ``Y`` is never copied nor
        written (the weighted targets are formed block by block). Fortran
        order is the fastest layout for ``Y``.

    solver : {"auto", "lbfgs", "newton-cg"}, default="auto"
        The optimizer: scipy's L-BFGS-B, or its Newton-CG (truncated Newton)
        with exact Hessian-vector products. ``"auto"`` is L-BFGS-B for dense
        ``X`` and Newton-CG for sparse ``X``, where it was measured 1.1 to
        8 times faster and keeps about 15 vectors of parameters instead
        of L-BFGS-B's 37 (``benchmarks/bench_soft_logistic.py``). Both
        minimise the same objective with the same stopping rule.

    Returns
    -------
    coef : ndarray of shape (n_coef_rows, n_features)
        Coefficients in ``X``'s dtype; ``n_coef_rows`` is 1 when
        ``n_classes == 2`` (logit of the second class, as scikit-learn) and
        ``n_classes`` otherwise (symmetric multinomial parametrisation).

    intercept : ndarray of shape (n_coef_rows,)
        Intercepts (zeros if ``fit_intercept=False``), in ``X``'s dtype.

    n_iter : int
        Number of iterations of the optimizer run.

    Warns
    -----
    ConvergenceWarning
        When the optimizer stops without converging (e.g. ``max_iter``
        reached).
    """
    if sp.issparse(X):
        if X.format not in ("csr", "csc"):
            raise ValueError(f"Sparse X must be CSR or CSC; got {X.format!r}.")
    elif not isinstance(X, np.ndarray):
        raise TypeError(f"X must be a numpy array or sparse matrix; got {type(X)}.")
    if X.dtype not in (np.float32, np.float64):
        raise ValueError(f"X must be float32 or float64; got {X.dtype}.")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D; got shape {X.shape}.")
    Y = np.asarray(Y, dtype=np.float64)
    n_samples, n_features = X.shape
    if Y.ndim != 2 or Y.shape[0] != n_samples or Y.shape[1] < 2:
        raise ValueError(
            f"Y must have shape (n_samples={n_samples}, n_classes>=2); "
            f"got {Y.shape}."
        )
    sw = _check_weights(sample_weight, n_samples)

    # sparse X: the coefficients laid out as the sparse products return them
    loss = _SoftLogisticLoss(
        X, Y, sw, C, fit_intercept, coef_mask, overwrite_Y,
        coef_order="F" if sp.issparse(X) else "C",
    )
    n_rows = loss.n_rows
    if coef_mask is not None and np.shape(coef_mask) != (n_rows, n_features):
        raise ValueError(
            f"coef_mask has shape {np.shape(coef_mask)}, expected "
            f"{(n_rows, n_features)}."
        )
    w0 = np.zeros(loss.n_coef + (n_rows if fit_intercept else 0), dtype=np.float64)
    if coef_init is not None:
        coef_init = np.asarray(coef_init, dtype=np.float64)
        if coef_init.shape != (n_rows, n_features):
            raise ValueError(
                f"coef_init has shape {coef_init.shape}, expected "
                f"{(n_rows, n_features)}."
            )
        loss.split(w0)[0][...] = coef_init
    if fit_intercept and intercept_init is not None:
        intercept_init = np.asarray(intercept_init, dtype=np.float64).ravel()
        if intercept_init.shape != (n_rows,):
            raise ValueError(
                f"intercept_init has shape {intercept_init.shape}, expected "
                f"{(n_rows,)}."
            )
        w0[loss.n_coef :] = intercept_init
    if loss.mask is not None:
        w0[: loss.n_coef][loss.mask] = 0.0

    if solver == "auto":
        solver = "newton-cg" if sp.issparse(X) else "lbfgs"
    minimize = {"lbfgs": _lbfgs, "newton-cg": _newton_cg}[solver]
    w, n_iter, failure = minimize(
        loss, w0, tol=tol, max_iter=max_iter, verbose=verbose
    )
    if failure is not None:
        msg = _CONVERGENCE_MSG.format(
            solver=solver, n_iter=n_iter, status=failure[0], message=failure[1]
        )
        if n_iter == max_iter:
            msg += _CONVERGENCE_MAX_ITER_MSG.format(max_iter=max_iter)
        warnings.warn(msg, ConvergenceWarning, stacklevel=2)

    if loss.mask is not None:
        w[: loss.n_coef][loss.mask] = 0.0
    coef, intercept = loss.split(w)
    coef = np.ascontiguousarray(coef, dtype=X.dtype)
    if intercept is None:
        intercept = np.zeros(n_rows, dtype=X.dtype)
    else:
        intercept = np.array(intercept, dtype=X.dtype)
    return coef, intercept, n_iter


def _lbfgs(loss, w0, *, tol, max_iter, verbose):
    """Minimise ``loss`` (value and gradient) with scipy's L-BFGS-B.

    Returns ``(w, n_iter, failure)``, ``failure`` being ``None`` or
    ``(status, message)``.
    """
    callback = None
    options = {
        "maxiter": max_iter,
        "maxls": 50,  # default is 20
        "gtol": tol,
        "ftol": 64 * np.finfo(float).eps,
    }
    if _SCIPY_HAS_IPRINT:
        options["iprint"] = [-1, 50, 1, 100, 101][
            np.searchsorted(np.array([0, 1, 2, 3]), verbose)
        ]
    elif verbose:
        state = {"it": 0}

        def callback(intermediate_result):
            state["it"] += 1
            print(
                f"[soft-logistic] iter {state['it']:4d}  "
                f"loss {intermediate_result.fun:.10g}"
            )

    res = optimize.minimize(
        loss, w0, method="L-BFGS-B", jac=True, options=options, callback=callback
    )
    failure = None if res.status == 0 else (res.status, res.message)
    return res.x, min(int(res.nit), max_iter), failure


class _GradientTolReached(Exception):
    """Raised by :func:`_newton_cg`'s callback to stop scipy's Newton-CG."""


class _CurvatureNotFinite(Exception):
    """Raised by :func:`_newton_cg`'s Hessian products when they overflow."""


# Restarts of scipy's Newton-CG on the rescaled loss (see _newton_cg)
_NEWTON_RESTARTS = 3


def _newton_cg(loss, w0, *, tol, max_iter, verbose):
    """Minimise ``loss`` with scipy's Newton-CG and the loss's ``hessp``.

    Stops, as L-BFGS-B with ``gtol=tol`` does, when the largest absolute
    gradient entry is at most ``tol`` (checked after each Newton step, on the
    gradient the line search computed there), or after ``max_iter`` Newton
    steps. scipy's Newton-CG keeps about 15 vectors of parameters, where
    L-BFGS-B keeps ``2 * maxcor + 5``; the loss's ``hessp`` keeps its
    ``(n_samples, n_classes)`` curvature only when it is no larger than two
    of them.

    scipy's conjugate gradients stop at a curvature along the gradient ``g``
    below ``3 eps`` in absolute terms: ``g.T H g`` falls below it at
    gradients of about ``1e-8 / sqrt(eigenvalue)``, and the step vanishes
    there, before ``tol`` on a weakly penalized model (2.8e-7 where 1e-10
    was asked). Newton-CG then starts again from there on the loss divided
    by its largest gradient entry (the same steps, whose curvature scales
    by ``1 / max|g| ** 3``), up to ``_NEWTON_RESTARTS`` times; a vanishing
    step or a line search that finds no decrease after that is the
    precision's limit, and ends it as converged (as L-BFGS-B's relative
    decrease stops it). When a Hessian product is not finite (it overflows
    float32 on features of about 1e14), L-BFGS-B takes over from the last
    point. Returns ``(w, n_iter, failure)`` as :func:`_lbfgs`.
    """
    state = {"w": None, "gmax": np.inf, "it": 0, "scale": 1.0}

    def fun(w):
        value, grad = loss(w)
        state["w"] = np.array(w, copy=True)
        state["gmax"] = float(np.max(np.abs(grad))) if grad.size else 0.0
        return value * state["scale"], grad * state["scale"]

    def callback(xk):
        state["it"] += 1
        if not np.array_equal(state["w"], xk):
            fun(xk)
        if verbose:
            print(
                f"[soft-logistic] newton iter {state['it']:4d}  "
                f"max |gradient| {state['gmax']:.3g}"
            )
        if state["gmax"] <= tol:
            raise _GradientTolReached

    def hessp(w, v):
        product = loss.hessp(w, v)
        if not np.isfinite(product).all():
            raise _CurvatureNotFinite
        return product * state["scale"]

    fun(w0)
    if state["gmax"] <= tol:
        return state["w"], 0, None
    w = w0
    for restart in range(_NEWTON_RESTARTS + 1):
        try:
            res = optimize.minimize(
                fun,
                w,
                method="Newton-CG",
                jac=True,
                hessp=hessp,
                callback=callback,
                # only a vanishing step ends it (xtol=0 never starts scipy < 1.11)
                options={
                    "maxiter": max_iter - state["it"],
                    "xtol": np.finfo(float).tiny,
                },
            )
        except _GradientTolReached:
            return state["w"], state["it"], None
        except _CurvatureNotFinite:
            # the Hessian products overflow X's dtype (float32 features of 1e14
            # and more): L-BFGS, which needs gradients only, goes on from here
            w, n_iter, failure = _lbfgs(
                loss, state["w"], tol=tol, max_iter=max_iter, verbose=verbose
            )
            return w, state["it"] + n_iter, failure
        if res.status == 0 and state["it"] < max_iter and restart < _NEWTON_RESTARTS:
            # the step vanished before tol: again on the rescaled loss
            fun(res.x)
            if state["gmax"] <= tol:
                return res.x, state["it"], None
            state["scale"] /= state["gmax"] * state["scale"]
            w = res.x
            continue
        break
    n_iter = min(state["it"], max_iter)
    if res.status == 0 or (res.status == 2 and restart > 0):
        # the step vanished even so, or no step decreases the rescaled loss:
        # the precision's limit
        return res.x, n_iter, None
    if res.status == 2 and getattr(loss, "dtype", None) == np.float32:
        # "precision loss": no step decreases the loss of float32 products
        # any more, the float32 optimum (as L-BFGS-B stops quietly there)
        return res.x, n_iter, None
    return res.x, n_iter, (res.status, res.message)


def _effective_penalty(estimator):
    """Return the penalty a ``LogisticRegression`` would apply: "l2", None or other.

    Mirrors ``LogisticRegression.fit`` of scikit-learn 1.6 to 1.9 without
    emitting its warnings: with ``penalty="deprecated"`` (>= 1.8),
    ``C=np.inf`` means no penalty (whatever ``l1_ratio`` is) and ``l1_ratio``
    in ``{0, None}`` is L2; an
    explicit ``penalty`` ("l2", None, "l1", "elasticnet") wins otherwise
    (``"elasticnet"`` with ``l1_ratio=0`` is an L2 penalty).
    """
    penalty = getattr(estimator, "penalty", "deprecated")
    l1_ratio = getattr(estimator, "l1_ratio", None)
    if isinstance(penalty, str) and penalty == "deprecated":
        if estimator.C == np.inf:  # whatever l1_ratio is
            return None
        if l1_ratio is None or l1_ratio == 0:
            return "l2"
        return "l1" if l1_ratio == 1 else "elasticnet"
    if penalty is None or (isinstance(penalty, str) and penalty == "none"):
        return None
    if penalty == "elasticnet" and l1_ratio is not None and l1_ratio == 0:
        return "l2"
    return penalty


# scikit-learn >= 1.8 deprecates LogisticRegression's penalty (its default
# is then "deprecated")
_PENALTY_DEPRECATED = LogisticRegression().get_params()["penalty"] == "deprecated"
# before 1.9, LogisticRegression's lbfgs solver fits float32 X in float64
# (float64 coef_); it keeps float32 from 1.9, as its other solvers always do
_LBFGS_CASTS_FLOAT32 = release(sklearn) < (1, 9)


def _check_logistic_params(estimator):
    """Refuse what ``LogisticRegression.fit`` would refuse, before the soft path.

    The parameters are validated by scikit-learn's own constraints, and the
    solver, penalty and ``dual`` must go together as scikit-learn's ``fit``
    requires (an ``"elasticnet"`` penalty needs ``solver="saga"`` and an
    ``l1_ratio``; ``dual=True`` needs ``"liblinear"``). An explicit
    ``penalty``, deprecated since scikit-learn 1.8, warns as there.
    """
    estimator._validate_params()
    penalty = getattr(estimator, "penalty", "deprecated")
    solver = estimator.solver
    if isinstance(penalty, str) and penalty == "deprecated":
        if getattr(estimator, "l1_ratio", 0) is None:
            warnings.warn(
                "The student's LogisticRegression sets l1_ratio=None, which "
                "scikit-learn deprecated in 1.8 (an error from 1.10): use a "
                "value in [0, 1].",
                FutureWarning,
                stacklevel=3,
            )
        penalty = _effective_penalty(estimator)
    elif _PENALTY_DEPRECATED:
        warnings.warn(
            "The student's LogisticRegression sets 'penalty', which scikit-learn "
            "deprecated in 1.8 and removes in 1.10: use 'l1_ratio' (0 for 'l2') "
            "and C=np.inf for no penalty.",
            FutureWarning,
            stacklevel=3,
        )
    if getattr(estimator, "multi_class", "deprecated") in ("multinomial", "auto"):
        # (scikit-learn 1.5 to 1.7; "ovr" goes to LogisticRegression.fit)
        warnings.warn(
            "The student's LogisticRegression sets 'multi_class', which "
            "scikit-learn deprecated in 1.5 and removes in 1.8: leave it to its "
            "default (as LogisticRegression.fit says).",
            FutureWarning,
            stacklevel=3,
        )
    # the settings LogisticRegression.fit says it ignores, said here too
    if estimator.penalty is None and estimator.C != 1.0:
        warnings.warn(
            "The student's LogisticRegression sets penalty=None, which ignores "
            f"C={estimator.C!r} (as LogisticRegression.fit says).",
            UserWarning,
            stacklevel=3,
        )
    l1_ratio = getattr(estimator, "l1_ratio", None)
    # scikit-learn < 1.8 says so of any l1_ratio, 1.8 of one in (0, 1)
    ignored = l1_ratio is not None and (
        0 < l1_ratio < 1 or not _PENALTY_DEPRECATED
    )
    if penalty != "elasticnet" and ignored:
        warnings.warn(
            f"The student's LogisticRegression sets l1_ratio={l1_ratio!r}, which "
            f"only the 'elasticnet' penalty uses; its penalty is {penalty!r} (as "
            "LogisticRegression.fit says).",
            UserWarning,
            stacklevel=3,
        )
    if _PENALTY_DEPRECATED and estimator.penalty == "l2" and l1_ratio != 0:
        warnings.warn(
            f"The student's LogisticRegression sets penalty='l2' with "
            f"l1_ratio={l1_ratio!r}: inconsistent values (as "
            "LogisticRegression.fit says); penalty is deprecated, use l1_ratio "
            "only.",
            UserWarning,
            stacklevel=3,
        )
    if _PENALTY_DEPRECATED and getattr(estimator, "n_jobs", None) is not None:
        warnings.warn(
            "The student's LogisticRegression sets n_jobs, which has no effect "
            "(as LogisticRegression.fit says from scikit-learn 1.8).",
            FutureWarning,
            stacklevel=3,
        )
    name = f"LogisticRegression(solver={solver!r})"
    if solver not in ("liblinear", "saga") and penalty not in ("l2", None):
        raise ValueError(
            f"{name} supports only an 'l2' penalty or none; got {penalty!r}."
        )
    if solver != "liblinear" and estimator.dual:
        raise ValueError(f"{name} supports only dual=False; got dual=True.")
    if penalty == "elasticnet" and estimator.l1_ratio is None:
        raise ValueError(
            "LogisticRegression's 'elasticnet' penalty needs l1_ratio to be set."
        )


def _supports_soft_targets(estimator):
    """Whether ``estimator`` can be fitted exactly on soft targets.

    Parameters
    ----------
    estimator : object
        Any estimator.

    Returns
    -------
    supported : bool
        True for a :class:`~sklearn.linear_model.LogisticRegression` (not
        ``LogisticRegressionCV``, nor a subclass with its own ``fit``, which
        may mean something else) whose effective penalty is L2 or none and
        whose solver is not ``"liblinear"`` (which penalises the intercept),
        nor set to ``multi_class="ovr"`` (scikit-learn < 1.8), whose classes
        are fitted one against the rest, not jointly; and without callbacks
        (``set_callbacks``, scikit-learn >= 1.9), which its own ``fit`` calls
        on the repeated rows and this solver would not.
    """
    if not isinstance(estimator, LogisticRegression) or isinstance(
        estimator, LogisticRegressionCV
    ):
        return False
    if type(estimator).fit is not LogisticRegression.fit:
        return False
    if getattr(estimator, "solver", "lbfgs") == "liblinear":
        return False
    if getattr(estimator, "multi_class", "auto") == "ovr":
        return False
    if getattr(estimator, "_skl_callbacks", None):
        return False
    return _effective_penalty(estimator) in ("l2", None)


def _soft_class_weight(class_weight, classes, Y, sw, *, weighted=True):
    """Per-class weights, shape (n_classes,), for soft targets ``Y``.

    ``"balanced"`` uses the soft class totals ``t_k = sum_i sw_i Y_ik``
    (``sum_i Y_ik`` unless ``weighted``):
    ``w_k = sum(t) / (n_present * t_k)`` with ``n_present`` the number of
    classes with ``t_k > 0`` (classes without mass get weight 1, which has no
    effect). With one-hot ``Y`` this is scikit-learn's ``compute_class_weight``.
    A dict behaves as in scikit-learn: missing classes get weight 1.
    """
    n_classes = len(classes)
    if class_weight is None:
        return np.ones(n_classes)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                "class_weight must be a dict, 'balanced' or None; got "
                f"{class_weight!r}."
            )
        totals = sw @ Y if weighted else Y.sum(axis=0)
        present = totals > 0
        weight = np.ones(n_classes)
        weight[present] = totals.sum() / (present.sum() * totals[present])
        return weight
    weight = np.ones(n_classes)
    unweighted = []
    for k, c in enumerate(classes):
        key = c.item() if hasattr(c, "item") else c
        if key in class_weight:
            weight[k] = class_weight[key]
        else:
            unweighted.append(key)
    if unweighted and n_classes - len(unweighted) != len(class_weight):
        raise ValueError(f"The classes, {unweighted}, are not in class_weight")
    return weight


def _binary_multinomial_scale(estimator, n_classes):
    """2 for a ``LogisticRegression(multi_class="multinomial")`` of two
    classes (scikit-learn < 1.8), 1 otherwise.

    That model is the symmetric two-row softmax, whose second row scikit-learn
    stores and predicts with as ``softmax([-d, d]) = expit(2 d)``: the binary
    model of twice its coefficients, at twice ``C``, fitted in its place and
    divided by the scale.
    """
    if n_classes == 2 and getattr(estimator, "multi_class", None) == "multinomial":
        return 2.0
    return 1.0


def _fitted_dtype(estimator, dtype):
    """The dtype of the coefficients scikit-learn's fit gives ``estimator``
    for ``X`` of ``dtype`` (float64 for lbfgs before 1.9)."""
    if (
        isinstance(estimator, LogisticRegression)
        and _LBFGS_CASTS_FLOAT32
        and estimator.solver == "lbfgs"
    ):
        return np.dtype(np.float64)
    return dtype


def _fit_logistic_regression_soft(
    estimator,
    X,
    Y,
    classes,
    *,
    sample_weight=None,
    coef_mask=None,
    overwrite_Y=False,
    labels=False,
):
    """Fit a ``LogisticRegression`` in place on soft targets.

    The estimator's ``C``, ``fit_intercept``, ``tol``, ``max_iter``,
    ``class_weight``, ``warm_start`` and ``verbose`` are honoured and its
    effective penalty (L2 or none) is resolved as scikit-learn does. Whatever
    its ``solver`` (except ``"liblinear"``, rejected), the objective minimised
    is the one of ``solver="lbfgs"``; the optimizer is Newton-CG when the
    solver is ``"newton-cg"`` or ``X`` is sparse, L-BFGS otherwise (see
    :func:`_fit_soft_logistic`), and ``n_iter_`` counts its iterations. The
    fitted estimator is indistinguishable from one that
    scikit-learn fitted: ``coef_``, ``intercept_``, ``classes_``, ``n_iter_``
    and ``n_features_in_`` (and ``feature_names_in_``) are set.

    Parameters
    ----------
    estimator : LogisticRegression
        Unfitted (or, with ``warm_start=True``, previously fitted) estimator,
        modified in place.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data. float32/float64 ndarrays and CSR/CSC matrices are used
        without copy.

    Y : array-like of shape (n_samples, n_classes)
        Soft targets whose columns follow ``classes``; rows sum to 1.

    classes : array-like of shape (n_classes,)
        Class labels, becomes ``classes_``.

    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    coef_mask : ndarray of bool of shape ``coef_.shape``, default=None
        Coefficients set to ``False`` are held at exactly zero.

    overwrite_Y : bool, default=False
        Without effect (see :func:`_fit_soft_logistic`): ``Y`` is not copied.

    labels : bool, default=False
        Whether ``Y`` is the one-hot encoding of labels weighted by the user's
        ``sample_weight`` only (a refit in place of ``LogisticRegression.fit``),
        whose ``"balanced"`` class weights then count them as the installed
        scikit-learn does (see Notes).

    Returns
    -------
    estimator : LogisticRegression
        The fitted estimator.

    Notes
    -----
    ``class_weight="balanced"`` is computed from the soft class totals
    ``sum_i sample_weight_i * Y_ik``, as scikit-learn >= 1.7 weighs the class
    counts (see its ``compute_class_weight`` for hard labels, which it
    generalises); with ``labels=True`` and scikit-learn 1.6, whose
    ``LogisticRegression`` counts the labels unweighted, from ``sum_i Y_ik``.
    """
    if isinstance(estimator, SoftLogisticRegression):
        return _fit_soft_estimator(estimator, X, Y, classes, sample_weight, coef_mask)
    _check_logistic_params(estimator)
    if not _supports_soft_targets(estimator):
        raise TypeError(
            "Soft targets need a LogisticRegression with an L2 penalty or none, "
            "a solver other than 'liblinear' and multi_class other than 'ovr'; "
            f"got {estimator!r}."
        )
    classes = np.asarray(classes)
    if classes.ndim != 1 or len(np.unique(classes)) != len(classes):
        raise ValueError("classes must be a 1-D array of distinct labels.")
    X = validate_data(
        estimator,
        X,
        accept_sparse=["csr", "csc"],
        dtype=[np.float64, np.float32],
        reset=True,  # a warm start too, as scikit-learn's fit does
    )
    Y = check_soft_targets(Y, n_classes=len(classes))
    if Y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} samples but the soft targets Y have {Y.shape[0]}."
        )
    sw = _check_weights(sample_weight, X.shape[0])
    cw = _soft_class_weight(
        estimator.class_weight,
        classes,
        Y,
        sw,
        weighted=_LOGISTIC_BALANCE_WEIGHTED or not labels,
    )
    if not np.all(cw == 1):
        Y = Y * cw
    C = np.inf if _effective_penalty(estimator) is None else estimator.C
    scale = _binary_multinomial_scale(estimator, len(classes))

    coef_init = intercept_init = None
    n_rows = 1 if len(classes) == 2 else len(classes)
    if (
        estimator.warm_start
        and hasattr(estimator, "coef_")
        and np.shape(estimator.coef_) == (n_rows, X.shape[1])
    ):
        coef_init = np.asarray(estimator.coef_) * scale
        intercept_init = np.asarray(estimator.intercept_) * scale
    coef, intercept, n_iter = _fit_soft_logistic(
        X,
        Y,
        sample_weight=sw,
        C=C * scale,
        fit_intercept=estimator.fit_intercept,
        tol=estimator.tol,
        max_iter=estimator.max_iter,
        coef_init=coef_init,
        intercept_init=intercept_init,
        coef_mask=coef_mask,
        verbose=estimator.verbose,
        overwrite_Y=overwrite_Y,
        solver="newton-cg" if estimator.solver == "newton-cg" else "auto",
    )
    dtype = _fitted_dtype(estimator, coef.dtype)
    coef, intercept = (coef / scale).astype(dtype), (intercept / scale).astype(dtype)
    estimator.classes_ = classes
    # column-major, as scikit-learn's lbfgs leaves it (and as fast to predict)
    estimator.coef_ = np.asfortranarray(coef)
    estimator.intercept_ = intercept
    estimator.n_iter_ = np.asarray([n_iter], dtype=np.int32)
    return estimator


def _fit_soft_estimator(estimator, X, Y, classes, sample_weight, coef_mask):
    """Fit a :class:`SoftLogisticRegression` in place on soft targets ``Y``
    whose columns follow ``classes`` (its own ``classes`` parameter is left
    as it is)."""
    estimator._validate_params()  # as its own fit would
    own = estimator.classes
    estimator.classes = np.asarray(classes)
    try:
        estimator._fit(
            X, Y, sample_weight, warm_start=estimator.warm_start, coef_mask=coef_mask
        )
    finally:
        estimator.classes = own
    return estimator


class SoftLogisticRegression(LinearClassifierMixin, SparseCoefMixin, BaseEstimator):
    """Logistic regression fitted on hard labels or class probabilities.

    Minimises the L2-penalised multinomial (binomial for two classes) cross
    entropy between the model and *soft* targets ``Y`` (one probability per
    class and sample), exactly scikit-learn's
    :class:`~sklearn.linear_model.LogisticRegression` objective with
    ``solver="lbfgs"`` with the one-hot labels replaced by ``Y``. No row is
    duplicated and ``X`` is never copied. With hard labels it reproduces
    ``LogisticRegression(C=C)`` to solver tolerance.

    Parameters
    ----------
    C : float, default=1.0
        Inverse of the regularisation strength; ``np.inf`` means no penalty.
        The penalty is ``||coef||^2 / (2 * C * sw_sum)`` with
        ``sw_sum = sum_i sample_weight_i * sum_k Y_ik``.

    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept.

    tol : float, default=1e-4
        Stop when the largest absolute gradient entry is below ``tol`` (see
        ``solver`` for L-BFGS-B's second rule).

    max_iter : int, default=100
        Maximum number of iterations of the optimizer.

    solver : {"auto", "lbfgs", "newton-cg"}, default="auto"
        The optimizer: scipy's L-BFGS-B, or its Newton-CG with exact
        Hessian-vector products. ``"auto"`` is L-BFGS-B for dense ``X`` and
        Newton-CG for sparse ``X`` (faster there and lighter, see Notes).
        Both minimise the same objective and stop by the gradient rule of
        ``tol``; L-BFGS-B also stops on a step's relative decrease below
        64 eps, as scikit-learn's ``lbfgs`` (on badly scaled features the
        two can then differ: standardize them).

    warm_start : bool, default=False
        Start from the previous solution when refitting with the same
        classes and features.

    classes : array-like of shape (n_classes,), default=None
        Class labels. With 2-D targets they label the columns of ``Y``
        (default ``np.arange(n_classes)``); with 1-D labels they fix the set and
        order of classes (default: the sorted unique labels).

    verbose : int, default=0
        Print the progress of the optimizer when positive.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of the columns of ``predict_proba``.

    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients; one row (for ``classes_[1]``) in the binary case.

    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).

    n_iter_ : ndarray of shape (1,), dtype int32
        Number of iterations of the optimizer run.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The same model on hard labels.
    check_soft_targets : Validation applied to 2-D targets.

    Notes
    -----
    The loss is ``sum_i sw_i sum_k Y_ik (-log p_ik) / sw_sum``, the
    cross-entropy to the targets, i.e. the KL divergence up to a constant; it
    is minimised from zero coefficients, by L-BFGS-B with the options of
    scikit-learn (``gtol=tol``, ``maxls=50``, ``ftol=64 * eps``) or by
    Newton-CG stopped by the same gradient rule. Each evaluation costs the
    two products with ``X``, computed by blocks of rows with the rest of the
    work while the block is in cache (the part of the loss linear in the
    coefficients is computed once); a Hessian-vector product of Newton-CG
    costs two more when its curvature, an ``(n_samples, n_classes)`` array,
    is no larger than two vectors of parameters (it is then kept across the
    products at one point), three otherwise (recomputed block by block).
    Beyond the optimizer's state (L-BFGS-B: about ``37 * n_params`` float64,
    as in scikit-learn; Newton-CG: about ``15 * n_params``), the extra memory
    is two float64 vectors of length ``n_samples`` (the sample weights, ones
    when none are given, and the row weights), a few arrays of
    ``n_params`` floats and O(block * n_classes) work arrays, for dense and
    CSR ``X`` whatever its sparsity (O(n_samples * n_classes) for CSC).
    With ``solver="auto"``, sparse ``X`` is fitted by Newton-CG, which needs
    fewer passes over it.
    :meth:`partial_fit` minimises the same objective chunk by chunk (see its
    docstring).

    ``score`` (from :class:`~sklearn.base.ClassifierMixin`) is the accuracy
    against *hard* labels ``y``; to evaluate against soft targets use e.g.
    :func:`sklearn.metrics.log_loss` on ``predict_proba``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdistill.linear_model import SoftLogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> Y = np.array([[0.9, 0.1], [0.7, 0.3], [0.3, 0.7], [0.1, 0.9]])
    >>> clf = SoftLogisticRegression(C=10.0).fit(X, Y)
    >>> clf.classes_
    array([0, 1])
    >>> clf.predict([[0.5], [2.5]])
    array([0, 1])
    >>> clf.predict_proba([[1.5]]).round(3)
    array([[0.5..., 0.5...]])
    """

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="right")],
        "fit_intercept": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "solver": [StrOptions({"auto", "lbfgs", "newton-cg"})],
        "warm_start": ["boolean"],
        "classes": ["array-like", None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        C=1.0,
        *,
        fit_intercept=True,
        tol=1e-4,
        max_iter=100,
        solver="auto",
        warm_start=False,
        classes=None,
        verbose=0,
    ):
        self.C = C
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.warm_start = warm_start
        self.classes = classes
        self.verbose = verbose

    def _targets(self, y, classes=None):
        """Return ``(classes, Y)``: class labels and soft targets for ``y``.

        ``classes`` (default: the ``classes`` parameter) fixes the labels.
        """
        if classes is None:
            classes = self.classes
        if classes is not None and np.ndim(classes) != 1:
            raise ValueError(
                f"classes must be a 1-D array of labels; got shape "
                f"{np.shape(classes)}."
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.ndim == 1:
            check_classification_targets(y)
            labels = np.unique(y)
            if classes is None:
                classes = labels
            else:
                classes = np.array(classes)  # a copy: classes_ is its own
                unknown = np.setdiff1d(labels, classes)
                if unknown.size:
                    raise ValueError(
                        f"y contains labels {unknown.tolist()} that are not in "
                        "`classes`."
                    )
            if len(classes) < 2:
                raise ValueError(
                    "This solver needs samples of at least 2 classes in the data, "
                    f"but the data contains only one class: {classes[0]!r}"
                )
            sorter = np.argsort(classes)
            idx = sorter[np.searchsorted(classes, y, sorter=sorter)]
            Y = np.zeros((y.shape[0], len(classes)))
            Y[np.arange(y.shape[0]), idx] = 1.0
            return classes, Y
        Y = check_soft_targets(y)
        if classes is None:
            classes = np.arange(Y.shape[1])
        else:
            classes = np.array(classes)  # a copy: classes_ is its own
            if classes.shape != (Y.shape[1],):
                raise ValueError(
                    f"Soft targets Y have {Y.shape[1]} columns but `classes` has "
                    f"{classes.shape[0] if classes.ndim else 0} labels."
                )
        return classes, Y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model on hard labels or soft targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32/float64 ndarrays and CSR/CSC matrices are
            used without copy; float32 data gives float32 coefficients.

        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Hard class labels, or class probabilities (rows summing to 1)
            whose columns follow ``classes``.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; ``None`` means unit weights.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, sample_weight, warm_start=self.warm_start)

    def _fit(self, X, y, sample_weight, *, warm_start, coef_mask=None):
        """:meth:`fit`, with coefficients where ``coef_mask`` is False held at 0.

        Used by :class:`~skdistill.SparsifyTransformer` to refit a pruned model
        (``warm_start=True``: from the current coefficients).
        """
        first_call = not (warm_start and hasattr(self, "coef_"))
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            multi_output=True,
            reset=True,  # a warm start too, as scikit-learn's fit does
        )
        classes, Y = self._targets(y)
        if len(np.unique(classes)) != len(classes):
            raise ValueError("`classes` must contain distinct labels.")
        coef_init = intercept_init = None
        if not first_call:
            n_rows = 1 if len(classes) == 2 else len(classes)
            if self.coef_.shape == (n_rows, X.shape[1]):
                coef_init, intercept_init = self.coef_, self.intercept_
        coef, intercept, n_iter = _fit_soft_logistic(
            X,
            Y,
            sample_weight=sample_weight,
            C=self.C,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
            coef_init=coef_init,
            intercept_init=intercept_init,
            coef_mask=coef_mask,
            verbose=self.verbose,
            solver=self.solver,
        )
        self.classes_ = classes
        self.coef_ = np.asfortranarray(coef)
        self.intercept_ = intercept
        self.n_iter_ = np.asarray([n_iter], dtype=np.int32)
        self._stream = None  # a later partial_fit starts a new stream from here
        self.__dict__.pop("_stream_dropped", None)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one chunk of rows (streaming, out of core).

        The objective is the one of :meth:`fit` on the union of the distinct
        chunks given so far, with the same penalty
        ``||coef||^2 / (2 * C * sw_sum)`` (``sw_sum`` summed over those chunks).
        Each chunk is fitted exactly (L-BFGS, up to ``tol`` and ``max_iter``)
        together with a second-order model of every earlier chunk, so one pass
        over the chunks is close to the batch fit, and further passes over the
        same chunks (a chunk is recognised by its contents and replaces its
        earlier model; give it in the same kind of container, dense or
        sparse, at each pass) converge to the solution of :meth:`fit` on
        their union.
        No row is kept: the memory is ``n_params ** 2`` floats for the summed
        curvature (a diagonal when ``n_params > 2048``), plus ``n_params + 2``
        floats per distinct chunk, with ``n_params = n_coef_rows *
        (n_features + fit_intercept)``. A call to :meth:`fit` resets it.

        A chunk identical to an earlier one (rows, targets and weights) is taken
        as a later pass: it counts once. Rows that really occur again (one-row
        chunks of discrete features) must come in chunks that do not repeat;
        a new chunk after a repeated one warns. ``partial_fit`` after
        :meth:`fit` starts from fit's coefficients, but the stream does not
        hold fit's rows: the model becomes the fit of the chunks streamed since
        (it warns).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of training data.

        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Hard labels, or class probabilities whose columns follow
            ``classes_``.

        classes : array-like of shape (n_classes,), default=None
            All the class labels. Required at the first call with hard labels
            unless the ``classes`` parameter is set (as in scikit-learn's
            ``partial_fit``); with 2-D targets it labels their columns
            (default ``np.arange(n_classes)``). Later calls may repeat it.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; ``None`` means unit weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        first_call = not hasattr(self, "classes_")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            multi_output=True,
            reset=first_call,
        )
        if first_call:
            if (
                classes is None
                and self.classes is None
                and (y.ndim == 1 or y.shape[1] == 1)
            ):
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            classes_, Y = self._targets(y, classes)
            if len(np.unique(classes_)) != len(classes_):
                raise ValueError("`classes` must contain distinct labels.")
        else:
            if classes is not None and not np.array_equal(
                np.asarray(classes), self.classes_
            ):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on the first call "
                    f"to partial_fit: {self.classes_!r}."
                )
            classes_, Y = self._targets(y, self.classes_)
        sw = _check_weights(sample_weight, X.shape[0])
        n_rows = 1 if len(classes_) == 2 else len(classes_)
        stream = getattr(self, "_stream", None)
        if stream is None:
            w0 = np.zeros(n_rows * (X.shape[1] + int(self.fit_intercept)))
            if not first_call and getattr(self, "_stream_dropped", False):
                warnings.warn(
                    "This model was saved without its stream's state "
                    "(skdistill.io's prediction_only): partial_fit starts a new "
                    "stream from its coefficients, which does not hold the rows "
                    "streamed before; the model becomes the fit of the chunks "
                    "streamed from now on. Save with prediction_only=False to "
                    "go on with the stream.",
                    UserWarning,
                    stacklevel=3,
                )
            elif not first_call:  # start from the model of fit
                warnings.warn(
                    "partial_fit after fit starts a stream from fit's "
                    "coefficients, but the stream does not hold the rows fit saw: "
                    "each chunk is solved exactly, so the model becomes the fit "
                    "of the chunks streamed from now on. To keep those rows in "
                    "the model, stream them with partial_fit instead of fit.",
                    UserWarning,
                    stacklevel=3,
                )
                n_coef = n_rows * X.shape[1]
                w0[:n_coef] = np.ravel(self.coef_)
                if self.fit_intercept:
                    w0[n_coef:] = self.intercept_
            stream = _IncrementalSoftLogistic(
                n_rows, X.shape[1], self.C, self.fit_intercept, w0
            )
        stream.C = self.C
        n_iter = stream.partial_fit(X, Y, sw, tol=self.tol, max_iter=self.max_iter)
        coef, intercept = stream.coef_intercept(X.dtype)
        self._stream = stream
        self.__dict__.pop("_stream_dropped", None)
        self.classes_ = classes_
        self.coef_ = np.asfortranarray(coef)
        self.intercept_ = intercept
        self.n_iter_ = np.asarray([n_iter], dtype=np.int32)
        return self

    def predict_proba(self, X):
        """Probability estimates, columns ordered as ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Sigmoid (binary) or softmax (multiclass) of the decision function.
        """
        check_is_fitted(self)
        decision = self.decision_function(X)
        if decision.ndim == 1:
            p1 = expit(decision)
            return np.column_stack([1.0 - p1, p1])
        return softmax(decision, axis=1)

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns ordered as ``classes_``.
        """
        check_is_fitted(self)
        decision = self.decision_function(X)
        if decision.ndim == 1:
            return np.column_stack([log_expit(-decision), log_expit(decision)])
        return scipy.special.log_softmax(decision, axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
