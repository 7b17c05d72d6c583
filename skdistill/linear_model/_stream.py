"""Incremental (chunk by chunk) solver of the soft-target logistic objective."""

import warnings

import numpy as np
import scipy.sparse as sp
from joblib import hash as joblib_hash
from scipy import optimize

from ._loss import OVERFLOW_ADVICE, _SoftLogisticLoss

# Above this many parameters the per-chunk curvature is kept as a diagonal
# (O(n_params) memory) instead of a full matrix (O(n_params ** 2)).
MAX_FULL_CURVATURE = 2048


def _with_ones(X):
    """``[X, 1]``: the design matrix of the intercept."""
    ones = np.ones((X.shape[0], 1), dtype=X.dtype)
    if sp.issparse(X):
        return sp.hstack([X, ones], format="csr")
    return np.hstack([X, ones])


def _weighted_gram(X, d):
    """``X.T @ diag(d) @ X``, dense float64."""
    if sp.issparse(X):
        return np.asarray((X.T @ X.multiply(d[:, None]).tocsr()).toarray())
    Xf = np.asarray(X, dtype=np.float64)
    return Xf.T @ (Xf * d[:, None])


def _canonical(X):
    """The chunk's values in one layout, for recognising it by its contents:
    C-ordered if dense; canonical CSR (sorted, no duplicates, no stored zero)
    if sparse, as arrays (a CSC copy, unsorted indices or stored zeros of the
    same rows then match). A dense chunk and a sparse one are two chunks."""
    if not sp.issparse(X):
        return np.ascontiguousarray(X)
    if X.format != "csr" or not X.has_canonical_format or np.any(X.data == 0):
        X = sp.csr_matrix(X, copy=True)
        X.sum_duplicates()  # sorts the indices too
        X.eliminate_zeros()
    index = np.int64  # whatever index dtype the format gave
    return ("csr", X.shape, X.data, X.indices.astype(index), X.indptr.astype(index))


class _ChunkCurvature:
    """Curvature of a chunk's unnormalised loss, in parameter order.

    The Hessian at ``w`` or (``diagonal=True``) its diagonal.

    The parameters are ``[coef.ravel(), intercept]`` as in
    :class:`_SoftLogisticLoss`; the unnormalised loss of a chunk is
    ``F_c(w) = sum_i sw_i sum_k Y_ik (-log p_ik(w))``.
    """

    def __init__(self, n_rows, n_features, fit_intercept, diagonal):
        self.n_rows = n_rows
        self.n_features = n_features
        self.fit_intercept = fit_intercept
        self.diagonal = diagonal
        d1 = n_features + int(fit_intercept)
        # position in parameter order of entry (k, j) of the extended design
        k, j = np.divmod(np.arange(n_rows * d1), d1)
        self.order = np.where(
            j < n_features, k * n_features + j, n_rows * n_features + k
        )

    def __call__(self, X, Y, sw, w):
        n_rows, n_features = self.n_rows, self.n_features
        Xe = _with_ones(X) if self.fit_intercept else X
        s = sw * Y.sum(axis=1)
        d1 = Xe.shape[1]
        p = n_rows * d1
        inverse = np.empty_like(self.order)
        inverse[self.order] = np.arange(p)
        coef = w[: n_rows * n_features].reshape(n_rows, n_features)
        Z = np.asarray(X @ coef.T.astype(X.dtype), dtype=np.float64)
        if self.fit_intercept:
            Z += w[n_rows * n_features :]
        if n_rows == 1:
            P = 1.0 / (1.0 + np.exp(-Z[:, 0]))[:, None]
        else:
            Z -= Z.max(axis=1, keepdims=True)
            P = np.exp(Z)
            P /= P.sum(axis=1, keepdims=True)
        if self.diagonal:
            # sum_i s_i p_ik (1 - p_ik) x_ij^2, class by class
            X2 = Xe.multiply(Xe) if sp.issparse(Xe) else np.square(Xe, dtype=float)
            D = np.asarray(X2.T @ (s[:, None] * P * (1.0 - P)), dtype=np.float64)
            return D.T.ravel()[inverse]
        if n_rows == 1:
            H = _weighted_gram(Xe, s * P[:, 0] * (1.0 - P[:, 0]))
        else:
            H = np.empty((p, p))
            for k in range(n_rows):
                for l in range(k, n_rows):
                    block = _weighted_gram(Xe, s * P[:, k] * ((k == l) - P[:, l]))
                    H[k * d1 : (k + 1) * d1, l * d1 : (l + 1) * d1] = block
                    H[l * d1 : (l + 1) * d1, k * d1 : (k + 1) * d1] = block.T
        return H[np.ix_(inverse, inverse)]


class _IncrementalSoftLogistic:
    """Chunk-by-chunk minimiser of the soft-target logistic objective.

    Minimises ``[sum_c F_c(w) + ||coef||^2 / (2 C)] / W`` over every distinct
    chunk ``c`` seen, with ``F_c`` a chunk's unnormalised soft cross-entropy and
    ``W`` the total weight: :func:`_fit_soft_logistic`'s objective on the union
    of the chunks.

    Each chunk ``c`` seen is remembered by the point ``w_c`` where its loss was
    last expanded. The other chunks' losses are replaced by their second-order
    Taylor models at their ``w_c``, summed into one quadratic
    ``q(w) = w' A w / 2 + b' w + const`` (``A`` the sum of their Hessians).
    Given a chunk, the solver removes its previous model (recomputed from the
    chunk's rows at its stored ``w_c``), minimises the exact loss of the chunk
    plus ``q`` plus the penalty with L-BFGS from the current point, and adds
    the chunk's model at the new point. This is an incremental Newton method
    (Rodomanov & Kropotov, 2016): its fixed points are exactly the minimiser
    of the objective on the union of the chunks, and repeated passes over a
    fixed set of chunks converge to it. A chunk is recognised by a hash of its
    rows, targets and weights.

    Memory: ``A``, ``n_params ** 2`` floats, plus ``n_params + 2`` floats per
    distinct chunk; no row is stored. When ``n_params > MAX_FULL_CURVATURE``
    the models keep only the Hessians' diagonals (``n_params`` floats): one
    pass is still close to the batch fit, but further passes approach the
    batch solution without the guarantee of reaching it (they may settle
    within about 1e-2 of it).
    """

    def __init__(self, n_rows, n_features, C, fit_intercept, w0):
        self.n_rows = n_rows
        self.n_features = n_features
        self.C = C
        self.fit_intercept = fit_intercept
        self.n_params = n_rows * (n_features + int(fit_intercept))
        self.diagonal = self.n_params > MAX_FULL_CURVATURE
        self.curvature = _ChunkCurvature(
            n_rows, n_features, fit_intercept, self.diagonal
        )
        shape = (self.n_params,) if self.diagonal else (self.n_params,) * 2
        self.A = np.zeros(shape)
        self.b = np.zeros(self.n_params)
        self.const = 0.0
        self.weight = 0.0
        self.chunks = {}  # key -> (w_c, chunk weight)
        self.repeated = False  # a chunk was seen again
        self.warned = False  # about a new chunk after a repeated one
        self.w = np.array(w0, dtype=np.float64)

    def _quad(self, v):
        return self.A * v if self.diagonal else self.A @ v

    def _model(self, X, Y, sw, w, chunk_weight):
        """Value, gradient and Hessian of a chunk's unnormalised loss at ``w``."""
        loss = _SoftLogisticLoss(
            X, Y, sw, np.inf, self.fit_intercept, None, sw_sum=chunk_weight
        )
        f, g = loss(w)
        return f * chunk_weight, g * chunk_weight, self.curvature(X, Y, sw, w)

    def _add_model(self, sign, f, g, H, w_c):
        Hw = H * w_c if self.diagonal else H @ w_c
        self.A += sign * H
        self.b += sign * (g - Hw)
        self.const += sign * (f - g @ w_c + 0.5 * w_c @ Hw)

    def partial_fit(self, X, Y, sw, *, tol, max_iter):
        """Update the solution with one chunk; return the L-BFGS iterations run."""
        with np.errstate(over="ignore"):  # an overflow: refused below
            chunk_weight = float(sw @ Y.sum(axis=1))
        if not chunk_weight > 0:
            raise ValueError(
                "The total weight of the chunk, sum_i sample_weight_i * sum_k Y_ik, "
                f"must be positive; got {chunk_weight!r}."
            )
        # the same values in any memory layout (joblib's hash reads strides)
        key = joblib_hash(
            (_canonical(X), np.ascontiguousarray(Y), np.ascontiguousarray(sw))
        )
        replaced = self.chunks.get(key, (None, 0.0))[1]  # a pass again
        if not np.isfinite(self.weight - replaced + chunk_weight):
            # the stream's model is kept as sums weighted by the chunks'
            # totals, which would be infinite
            raise ValueError(
                "The total weight of the stream, sum_i sample_weight_i * sum_k "
                "Y_ik over its chunks, overflows float64 (sample_weight of "
                f"{float(np.max(sw)):.3g}). {OVERFLOW_ADVICE}"
            )
        if key in self.chunks:
            w_old, old_weight = self.chunks.pop(key)
            self._add_model(-1.0, *self._model(X, Y, sw, w_old, old_weight), w_old)
            self.weight -= old_weight
            self.repeated = True
        elif self.repeated and not self.warned:
            # a new chunk after a repeated one: the repeat was not a later
            # pass over fixed chunks, but rows that occur again
            self.warned = True
            warnings.warn(
                "partial_fit got a chunk identical to an earlier one (same rows, "
                "targets and weights), then new chunks. An identical chunk is "
                "taken as a later pass over the same chunk: it replaces the "
                "earlier one instead of counting twice, so rows that really "
                "occur again in the stream count once. Group such rows into "
                "larger chunks that do not repeat (or give them sample_weight).",
                UserWarning,
                stacklevel=4,
            )
        self.weight += chunk_weight
        W = self.weight
        loss = _SoftLogisticLoss(X, Y, sw, self.C, self.fit_intercept, None, sw_sum=W)

        def objective(w):
            value, grad = loss(w)
            Aw = self._quad(w)
            value += (0.5 * w @ Aw + self.b @ w + self.const) / W
            grad += (Aw + self.b) / W
            return value, grad

        res = optimize.minimize(
            objective,
            self.w,
            method="L-BFGS-B",
            jac=True,
            options={
                "maxiter": max_iter,
                "maxls": 50,
                "gtol": tol,
                "ftol": 64 * np.finfo(float).eps,
            },
        )
        self.w = np.array(res.x)
        self._add_model(1.0, *self._model(X, Y, sw, self.w, chunk_weight), self.w)
        self.chunks[key] = (self.w.copy(), chunk_weight)
        return min(int(res.nit), max_iter)

    def coef_intercept(self, dtype):
        """``(coef, intercept)`` of the current solution in ``dtype``."""
        n_coef = self.n_rows * self.n_features
        coef = self.w[:n_coef].reshape(self.n_rows, self.n_features).astype(dtype)
        if self.fit_intercept:
            intercept = self.w[n_coef:].astype(dtype)
        else:
            intercept = np.zeros(self.n_rows, dtype=dtype)
        return coef, intercept
