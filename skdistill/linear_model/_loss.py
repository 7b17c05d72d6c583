"""Loss and gradient of the soft-target logistic objective, evaluated by row blocks."""

import numpy as np
import scipy.sparse as sp

# Rows of X are processed in blocks of about this many bytes of X (or of the
# per-block work arrays for sparse X): small enough that the block read by
# ``X_b @ W`` is still in cache for ``G_b @ X_b``, large enough that the Python
# overhead of a block (about twenty numpy calls) stays a few percent.
_BLOCK_BYTES = 1 << 20
_MIN_BLOCK_ROWS = 8192


def _block_rows(X, n_classes):
    """Number of rows per block for ``X`` with ``n_classes`` work columns."""
    n_samples, n_features = X.shape
    if sp.issparse(X):
        width = 8 * n_classes
    else:
        width = max(X.itemsize * n_features, 8 * n_classes)
    return int(min(n_samples, max(_MIN_BLOCK_ROWS, _BLOCK_BYTES // max(width, 1))))


def _compressed_view(cls, data, indices, indptr, shape):
    """A CSR/CSC matrix on the given arrays, never copied.

    scipy's constructor copies index and data arrays that are small views of
    a larger array (``prune``); assigning the attributes keeps the views.
    """
    M = cls(shape, dtype=data.dtype)
    M.data, M.indices, M.indptr = data, indices, indptr
    return M


def _row_blocks(X, block_rows):
    """``[(start, stop, X_block, X_block.T), ...]``: consecutive row blocks.

    Dense and CSR blocks (and their transposes) are views of ``X`` (a CSR
    block only owns its ``indptr``). A CSC matrix has no row views: it is one
    block.
    """
    n_samples, n_features = X.shape
    if sp.issparse(X) and X.format != "csr":
        return [(0, n_samples, X, X.T)]
    blocks = []
    for start in range(0, n_samples, block_rows):
        stop = min(start + block_rows, n_samples)
        if sp.issparse(X):
            lo, hi = X.indptr[start], X.indptr[stop]
            args = (X.data[lo:hi], X.indices[lo:hi], X.indptr[start : stop + 1] - lo)
            Xb = _compressed_view(sp.csr_matrix, *args, (stop - start, n_features))
            XbT = _compressed_view(sp.csc_matrix, *args, (n_features, stop - start))
        else:
            Xb = X[start:stop]
            XbT = Xb.T
        blocks.append((start, stop, Xb, XbT))
    return blocks


class _SoftLogisticLoss:
    """Loss and gradient of the soft-target logistic objective.

    ``loss(w)`` returns ``(value, grad)`` of::

        sum_i sw_i sum_k Y_ik (-log p_ik(w)) / sw_sum + ||coef||^2 / (2 C sw_sum)

    for the parameter vector ``w = [coef.ravel(), intercept]`` (``coef`` of
    shape ``(n_rows, n_features)``, ``n_rows = 1`` for two classes and
    ``n_classes`` otherwise), with ``sw_sum = sum_i sw_i sum_k Y_ik`` unless
    given.

    The rows are processed in blocks: each block's logits, its fused
    log-sum-exp (one ``exp`` per entry; binary: one ``exp`` and one ``log``
    per row, ``softplus`` and ``expit`` both read from ``exp(-|z|)``) and its
    gradient contribution ``G_b @ X_b`` are computed while the block is in
    cache, in work arrays allocated once and reused by every evaluation.
    Neither ``X`` nor ``Y`` is copied or written.

    Extra memory: two float64 vectors of length ``n_samples`` (the per-row
    weights), plus O(block_rows * n_classes) work arrays, for dense and CSR
    ``X`` whatever its sparsity pattern; a CSC matrix is one block, so its work
    arrays are O(n_samples * n_classes).

    To evaluate the objective over row blocks held elsewhere (e.g. the
    partitions of a dask array), build one loss per block with ``C=np.inf``
    and the same ``sw_sum`` (the total over all blocks), sum the values and
    gradients, and add the penalty ``||coef||^2 / (2 C sw_sum)`` (and its
    gradient ``coef / (C sw_sum)``) once.

    Parameters
    ----------
    X : {ndarray, CSR or CSC matrix} of shape (n_samples, n_features)
        float32 or float64; products with it are computed in its dtype.
    Y : ndarray of shape (n_samples, n_classes)
        Non-negative float64 targets (Fortran order is fastest).
    sw : ndarray of shape (n_samples,)
        Sample weights.
    C : float
        Inverse penalty strength; ``np.inf`` for no penalty.
    fit_intercept : bool
        Whether ``w`` ends with ``n_rows`` intercepts.
    coef_mask : ndarray of bool of shape (n_rows, n_features) or None
        Coefficients set to ``False`` get a zero gradient.
    overwrite_Y : bool, default=False
        Accepted for compatibility; ``Y`` is never written.
    sw_sum : float, default=None
        Normaliser of the objective; ``None`` means this data's own
        ``sum_i sw_i sum_k Y_ik``.
    block_rows : int, default=None
        Rows per block; ``None`` picks a cache-sized block.
    """

    def __init__(
        self,
        X,
        Y,
        sw,
        C,
        fit_intercept,
        coef_mask,
        overwrite_Y=False,
        *,
        sw_sum=None,
        block_rows=None,
    ):
        n_samples, n_features = X.shape
        n_classes = Y.shape[1]
        self.X = X
        self.sparse = sp.issparse(X)
        self.dtype = X.dtype
        self.n_features = n_features
        self.fit_intercept = fit_intercept
        self.binary = n_classes == 2
        self.n_rows = 1 if self.binary else n_classes
        sw = np.asarray(sw, dtype=np.float64)
        row_sums = Y.sum(axis=1)
        if sw_sum is None:
            sw_sum = float(sw @ row_sums)
            if not sw_sum > 0:
                raise ValueError(
                    "The total weight sum_i sample_weight_i * sum_k Y_ik must be "
                    f"positive; got {sw_sum!r} (all weights zero or negative?)."
                )
        self.sw_sum = float(sw_sum)
        self.l2 = 0.0 if np.isinf(C) else 1.0 / (C * self.sw_sum)
        # per-row weights: ws_i = sw_i sum_k Y_ik / sw_sum
        scale = np.divide(sw, self.sw_sum)
        self.ws = np.multiply(row_sums, scale, out=row_sums)
        if self.binary:
            # wy_i = sw_i Y_i1 / sw_sum; Y itself is not kept
            self.wy = np.multiply(Y[:, 1], scale, out=scale)
            self.Y = None
        else:
            self.scale = scale
            self.Y = Y
        if block_rows is None:
            block_rows = _block_rows(X, n_classes)
        self.blocks = _row_blocks(X, max(1, int(block_rows)))
        size = max(stop - start for start, stop, _, _ in self.blocks)
        n_rows = self.n_rows
        # work arrays, reused by every evaluation
        self._buf = [np.empty(n_rows * size) for _ in range(3 if self.binary else 2)]
        self._vec = [np.empty(size) for _ in range(0 if self.binary else 2)]
        self._low = None  # X's dtype, for the products with float32 X
        if self.dtype != np.float64:
            self._low = np.empty(n_rows * size, dtype=self.dtype)
        self._gtmp = np.empty((n_rows, n_features))
        dense_multinomial = not (self.binary or self.sparse)
        self._zrow = np.empty(n_rows * size) if dense_multinomial else None
        self.n_coef = n_rows * n_features
        self.mask = None
        if coef_mask is not None:
            self.mask = ~np.asarray(coef_mask, dtype=bool).ravel()

    def split(self, w):
        """Views ``(coef, intercept)`` of the parameter vector ``w``."""
        coef = w[: self.n_coef].reshape(self.n_rows, self.n_features)
        intercept = w[self.n_coef :] if self.fit_intercept else None
        return coef, intercept

    def _logits(self, W, Xb, out, low, intercept):
        """Write ``W @ Xb.T + intercept`` (float64, (n_rows, m)) into ``out``.

        The product is computed row-major, ``Xb @ W.T`` (the fast layout for
        BLAS on a C-ordered ``X``), then transposed into ``out`` (class-major,
        for fast per-sample reductions) while adding the intercept.
        """
        m = Xb.shape[0]
        if self.sparse:
            Z = Xb @ W.T
        elif low is None:
            Z = self._zrow[: m * self.n_rows].reshape(m, self.n_rows)
            np.matmul(Xb, W.T, out=Z)
        else:
            Z = low.reshape(-1)[: m * self.n_rows].reshape(m, self.n_rows)
            np.matmul(Xb, W.T, out=Z)
        if intercept is None:
            np.copyto(out, Z.T)
        else:
            np.add(Z.T, intercept[:, None], out=out)
        return out

    def _add_grad(self, GT, Xb, XbT, grad_coef, low):
        """``grad_coef += GT @ Xb`` with the product in ``X``'s dtype."""
        if low is not None:
            np.copyto(low, GT)
            GT = low
        if self.sparse:
            grad_coef += (XbT @ GT.T).T
        elif low is None:
            grad_coef += np.matmul(GT, Xb, out=self._gtmp)
        else:
            grad_coef += GT @ Xb

    def __call__(self, w):
        coef, intercept = self.split(w)
        W = coef.astype(self.dtype, copy=False)
        grad = np.zeros_like(w)
        grad_coef = grad[: self.n_coef].reshape(self.n_rows, self.n_features)
        grad_intercept = grad[self.n_coef :]
        block = self._binary_block if self.binary else self._multinomial_block
        loss = 0.0
        acc = grad_coef
        if self.sparse:
            # C-ordered W.T: scipy's sparse product would copy it per block
            W = np.ascontiguousarray(W.T).T
            # and sum the products X_b.T @ G_b.T in their own layout
            acc = np.zeros((self.n_features, self.n_rows)).T
        for start, stop, Xb, XbT in self.blocks:
            loss += block(start, stop, Xb, XbT, W, intercept, acc, grad_intercept)
        if acc is not grad_coef:
            grad_coef[...] = acc
        if self.l2:
            loss += 0.5 * self.l2 * float(w[: self.n_coef] @ w[: self.n_coef])
            grad_coef += self.l2 * coef
        if self.mask is not None:
            grad[: self.n_coef][self.mask] = 0.0
        return float(loss), grad

    def _binary_block(
        self, start, stop, Xb, XbT, W, intercept, grad_coef, grad_intercept
    ):
        """Loss of rows ``start:stop``; adds their gradient.

        With ``z = X w + b``, the loss is ``sum_i ws_i softplus(z_i) - wy_i z_i``
        and its gradient in ``z`` is ``ws_i expit(z_i) - wy_i``. Both come from
        ``e = exp(-|z|)``: ``softplus(z) = max(z, 0) + log(1 + e)`` and
        ``expit(z) = 1/2 + sign(z) (r - 1/2)`` with ``r = 1 / (1 + e)``.
        """
        m = stop - start
        ws, wy = self.ws[start:stop], self.wy[start:stop]
        z, e, d = (buf[:m] for buf in self._buf)
        low = None if self._low is None else self._low[:m]
        w = W[0]
        if self.sparse:
            z[...] = Xb @ w
        elif low is None:
            np.dot(Xb, w, out=z)
        else:
            np.copyto(z, np.dot(Xb, w, out=low))
        if intercept is not None:
            z += intercept[0]
        np.abs(z, out=e)
        # sum ws max(z, 0) - wy z, with max(z, 0) = (z + |z|) / 2
        loss = 0.5 * float(ws @ e) + 0.5 * float(ws @ z) - float(wy @ z)
        np.negative(e, out=e)
        np.exp(e, out=e)
        e += 1.0
        np.reciprocal(e, out=d)  # expit(|z|), in [1/2, 1]
        loss += float(ws @ np.log(e, out=e))  # sum ws log(1 + exp(-|z|))
        d -= 0.5  # exact (Sterbenz), as is 1/2 + (-(r - 1/2)) = 1 - r
        np.copysign(d, z, out=d)
        d += 0.5  # expit(z)
        d *= ws
        d -= wy
        if self.sparse:
            grad_coef[0] += XbT @ d
        elif low is None:
            grad_coef[0] += np.dot(d, Xb, out=self._gtmp[0])
        else:
            np.copyto(low, d)
            grad_coef[0] += np.dot(low, Xb)
        if intercept is not None:
            grad_intercept += d.sum()
        return loss

    def _multinomial_block(
        self, start, stop, Xb, XbT, W, intercept, grad_coef, grad_intercept
    ):
        """Loss of rows ``start:stop``; adds their gradient.

        Class-major work arrays (n_classes, m). With raw logits ``Z`` and the
        row maxima ``M``, ``-sum_k Yw_ik log p_ik = ws_i (M_i + log sum_k
        exp(Z_ik - M_i)) - sum_k Yw_ik Z_ik`` (fused log-sum-exp, one ``exp``
        per entry) and the gradient in ``Z`` is ``ws_i p_ik - Yw_ik``.
        """
        m = stop - start
        K = self.n_rows
        ZT = self._buf[0][: K * m].reshape(K, m)
        YwT = self._buf[1][: K * m].reshape(K, m)
        mx, norm = (v[:m] for v in self._vec)
        low = None if self._low is None else self._low[: K * m].reshape(K, m)
        self._logits(W, Xb, ZT, low, intercept)
        np.multiply(self.Y[start:stop].T, self.scale[start:stop], out=YwT)
        loss = -float(np.vdot(YwT, ZT))
        np.max(ZT, axis=0, out=mx)
        ZT -= mx
        ET = np.exp(ZT, out=ZT)
        np.sum(ET, axis=0, out=norm)
        ws = self.ws[start:stop]
        loss += float(ws @ mx)
        loss += float(ws @ np.log(norm, out=mx))
        ET *= np.divide(ws, norm, out=norm)  # ws * p
        ET -= YwT
        self._add_grad(ET, Xb, XbT, grad_coef, low)
        if intercept is not None:
            grad_intercept += ET.sum(axis=1)
        return loss
