"""Loss and gradient of the soft-target logistic objective, evaluated by row blocks."""

import math

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

# Rows of X are processed in blocks of about this many bytes of X (or of the
# per-block work arrays for sparse X): small enough that the block read by
# ``X_b @ W`` is still in cache for ``G_b @ X_b``, large enough that the Python
# overhead of a block (about twenty numpy calls) stays a few percent.
_BLOCK_BYTES = 1 << 20
_MIN_BLOCK_ROWS = 8192
# Binary, dense X: at least this many (features + 4) per block, the work of
# a block in units of about one feature of one row
_BINARY_ROW_WORK = 1 << 19


# What to do with weights whose total overflows float64, where the sums are
# weighted by it (a stream's chunks, a dask array's blocks)
OVERFLOW_ADVICE = (
    "Divide sample_weight by a constant s and multiply C by s: the model is "
    "the same."
)


def _block_rows(X, n_classes):
    """Number of rows per block for ``X`` with ``n_classes`` work columns."""
    n_samples, n_features = X.shape
    if sp.issparse(X):
        width = 8 * n_classes
    else:
        width = max(X.itemsize * n_features, 8 * n_classes)
    rows = max(_MIN_BLOCK_ROWS, _BLOCK_BYTES // max(width, 1))
    if n_classes == 2 and not sp.issparse(X):
        # binary, dense: a row costs a few ns, so a block must be long for
        # its Python overhead to stay small; with few features that outweighs
        # keeping the block in cache (the "passes" of
        # benchmarks/bench_soft_logistic.py: 1.5 to 1.3 at n=1e5, d=20)
        rows = max(rows, _BINARY_ROW_WORK // (n_features + 4))
    return int(min(n_samples, rows))


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


# Logits are exponentiated without the row-maximum shift when a bound on
# their magnitude (row norm of X times coefficient norm plus intercept) stays
# below this: exp neither overflows nor underflows to subnormals, and the sum
# of n_classes terms stays finite.
_UNSHIFTED_LOGIT_BOUND = 500.0
# The same for ``X coef.T`` alone when the intercepts are folded into the
# normaliser as ``exp(intercept - max(intercept))`` (several classes): terms
# stay below ``exp(bound)``, and the class of the largest intercept keeps the
# normaliser above ``exp(-bound)``, so terms that underflow are negligible.
_FOLDED_LOGIT_BOUND = 300.0


# Most rows whose factors exp(-b) + exp(X w) are multiplied before one
# logarithm (fewer when the logits' bound is above 10)
_LOG_GROUP = 64
# Largest |intercept| folded into the binary loss's sum exp(-b) + exp(X w):
# the log of that sum is the loss term plus -b, whose rounding (|b| ulp of
# 1) would swamp terms near zero (rows far on their side) for a larger b
_FOLDED_BINARY_INTERCEPT = 1.0


def _sum_of_logs(d, work, bound):
    """``sum(log(d))``, a logarithm per group of rows of their product.

    ``d`` (positive, float64) has ``|log(d_i)| <= bound + 1``: the product of
    ``k`` rows, ``k (bound + 1) <= 700``, neither overflows nor underflows
    (nor does that of the fewer than ``k`` last rows, one more group).
    ``work`` is a buffer of ``d``'s length.
    """
    k = _LOG_GROUP if bound is None else min(_LOG_GROUP, int(700.0 // (bound + 1.0)))
    if bound is None or k < 2:
        return float(np.log(d, out=work).sum())
    m = d.shape[0]
    q = m // k
    np.multiply.reduce(d[: q * k].reshape(k, q), axis=0, out=work[:q])
    if q * k < m:
        work[q] = np.multiply.reduce(d[q * k :])
        q += 1
    products = work[:q]
    return float(np.log(products, out=products).sum())


def _row_norm_max(Xb):
    """Largest Euclidean norm of a row of ``Xb`` (dense or CSR), as float64."""
    if Xb.shape[0] == 0:
        return 0.0
    if sp.issparse(Xb):
        starts = Xb.indptr[:-1][np.diff(Xb.indptr) > 0]  # non-empty rows
        if len(starts) == 0:
            return 0.0
        data = Xb.data[: Xb.indptr[-1]]
        if not Xb.has_canonical_format:
            # duplicate entries, which the products sum: the sum of their
            # magnitudes bounds the norm of the row (triangle inequality)
            return float(np.add.reduceat(np.abs(data, dtype=np.float64), starts).max())
        squares = np.square(data, dtype=np.float64)
        return float(np.sqrt(np.add.reduceat(squares, starts).max()))
    return float(np.sqrt(np.einsum("ij,ij->i", Xb, Xb, dtype=np.float64).max()))


class _SoftLogisticLoss:
    """Loss and gradient of the soft-target logistic objective.

    ``loss(w)`` returns ``(value, grad)`` of::

        sum_i sw_i sum_k Y_ik (-log p_ik(w)) / sw_sum + ||coef||^2 / (2 C sw_sum)

    for the parameter vector ``w = [coef.ravel(order=coef_order), intercept]``
    (``coef`` of shape ``(n_rows, n_features)``, ``n_rows = 1`` for two
    classes and ``n_classes`` otherwise; :meth:`split` reads it back), with
    ``sw_sum = sum_i sw_i sum_k Y_ik`` unless given.

    With ``Yw_ik = sw_i Y_ik / sw_sum``, ``ws_i = sum_k Yw_ik`` and the logits
    ``Z = X coef.T + intercept``, the data term is
    ``sum_i ws_i logsumexp(Z_i) - sum_ik Yw_ik Z_ik``. Its second part is
    linear in the parameters: ``<coef, Yw.T X> + <intercept, sum_i Yw_i>``, so
    ``A = Yw.T X`` and the column sums of ``Yw`` are computed once, at
    construction, and an evaluation no longer reads the targets. The gradient
    is ``(ws * softmax(Z)).T X - A`` (binary: ``(ws * expit(z)).T X - a``).

    The rows are processed in blocks: each block's logits, one ``exp`` per
    entry (plus one ``log`` per row of the normaliser; for two classes with
    equal weights and float64 ``X``, one per group of up to 64 rows, of the
    product of their normalisers) and its gradient contribution are computed
    while the block is in cache, in work arrays allocated once and reused by
    every evaluation. The row-maximum shift of the log-sum-exp is skipped when a
    bound on the block's logits (``max_i ||x_i|| * max_k ||coef_k|| + max
    |intercept|``) shows that ``exp`` cannot overflow; otherwise the shifted,
    overflow-free form is used. The intercepts are then not added to the
    logits but folded into the normaliser: ``sum_k exp(Z_ik) exp(b_k - max
    b)`` with several classes (float64), whose bound is on ``X coef.T``
    alone, and ``exp(-b) + exp(X w)`` (times ``exp(b)``) for two, when
    ``|b| <= 1``. Neither
    ``X`` nor ``Y`` is copied or written.
    For float32 ``X``, whose products are computed in float32, the gradient
    of the coefficients is instead the product of the float64 residual
    ``ws * softmax(Z) - Yw`` with ``X`` (rounded to float32 once): the
    difference of two float32 products would lose the gradient's accuracy
    near the optimum; and the linear part of the loss is ``sum_ik Yw_ik
    Z_ik`` of the float32 logits themselves, so that their rounding cancels
    between the loss's two parts as it does in the gradient (with features
    of large mean, ``A`` in float64 left the loss at odds with its gradient,
    and the line search stopped far from the optimum).

    Extra memory: one float64 vector of length ``n_samples`` (the per-row
    weights), a few arrays of the shape of ``coef`` (``A``, a product buffer
    for dense ``X``, the gradient; for sparse ``X`` with ``coef_order="C"``
    an accumulator and a copy of ``coef.T``), plus O(block_rows * n_classes)
    work arrays (one more block for :meth:`hessp`, which keeps its
    ``(n_samples, n_rows)`` curvature only when it is no larger than two
    vectors of parameters), for dense and CSR ``X`` whatever its sparsity
    pattern; a CSC matrix is one block, so its work arrays are
    O(n_samples * n_classes).

    To evaluate the objective over row blocks held elsewhere (e.g. the
    partitions of a dask array), build one loss per block with ``C=np.inf``
    and the same ``sw_sum`` (the total over all blocks), sum the values and
    gradients, and add the penalty ``||coef||^2 / (2 C sw_sum)`` (and its
    gradient ``coef / (C sw_sum)``) once.

    Parameters
    ----------
    X : {ndarray, CSR or CSC matrix} of shape (n_samples, n_features)
        float32 or float64; products with it are computed in its dtype (the
        constant ``A`` in float64).
    Y : ndarray of shape (n_samples, n_classes)
        Non-negative float64 targets; read at construction only, except
        for float32 ``X`` (see below).
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
    coef_order : {"C", "F"}, default="C"
        Memory order of ``coef`` in ``w``: ``"F"`` stores ``coef.T`` row by
        row, the layout of the sparse products' results, which are then
        accumulated straight into the gradient (no work array of the shape
        of ``coef``) and whose operand ``coef.T`` is then not copied.
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
        coef_order="C",
    ):
        n_samples, n_features = X.shape
        n_classes = Y.shape[1]
        self.X = X
        self.sparse = sp.issparse(X)
        self.dtype = X.dtype
        self.n_features = n_features
        self.fit_intercept = fit_intercept
        self.coef_order = coef_order
        self.binary = n_classes == 2
        self.n_rows = n_rows = 1 if self.binary else n_classes
        sw = np.asarray(sw, dtype=np.float64)
        row_sums = Y.sum(axis=1)
        given = sw_sum is not None  # a stream's total, over its chunks
        if not given:
            with np.errstate(over="ignore"):  # an overflow: read below
                sw_sum = float(sw @ row_sums)
            if not sw_sum > 0:
                raise ValueError(
                    "The total weight sum_i sample_weight_i * sum_k Y_ik must be "
                    f"positive; got {sw_sum!r} (all weights zero or negative?)."
                )
        self.sw_sum = float(sw_sum)
        self.l2 = 0.0 if np.isinf(C) else 1.0 / (C * self.sw_sum)
        if np.isinf(self.sw_sum) and sw.size and not given:
            # finite weights whose total overflows (equal weights of 1e307):
            # the rows' shares sw_i / sw_sum, read relative to the largest
            # weight (sw / sw_sum would be all zeros, a model of zeros), and
            # the penalty's 1 / (C sw_sum) as 1 / (C max) / (sw_sum / max)
            top = float(np.max(sw))
            sw = sw / top
            sw_sum = float(sw @ row_sums)
            self.l2 = 0.0 if np.isinf(C) else 1.0 / (C * top) / sw_sum
        # per-row weights: ws_i = sw_i sum_k Y_ik / sw_sum
        # (in place: no other n-length array than the weights themselves)
        self.ws = row_sums
        self.ws *= sw
        self.ws /= sw_sum
        # the weight shared by every row when all are equal (0.0 otherwise):
        # equal sample weights, targets whose rows sum to one up to rounding
        self._ws_const = 0.0
        if self.ws.size:
            low, high = float(self.ws.min()), float(self.ws.max())
            if low > 0 and high - low <= 1e-13 * high:
                self._ws_const = float(np.mean(self.ws))
        if block_rows is None:
            block_rows = _block_rows(X, n_classes)
        self.blocks = _row_blocks(X, max(1, int(block_rows)))
        size = max(stop - start for start, stop, _, _ in self.blocks)
        # work arrays, reused by every evaluation (row-major blocks of logits)
        self._buf = [np.empty(n_rows * size) for _ in range(3 if self.binary else 1)]
        self._vec = [np.empty(size) for _ in range(0 if self.binary else 2)]
        self._low = None  # X's dtype, for the products with float32 X
        if self.dtype != np.float64:
            self._low = np.empty(n_rows * size, dtype=self.dtype)
        # binary: each block's rows, work arrays and weights, in the order
        # _binary_block reads them
        self._binary_views = []
        if self.binary:
            for start, stop, Xb, XbT in self.blocks:
                m = stop - start
                low = None if self._low is None else self._low[:m]
                z, e, d = (buf[:m] for buf in self._buf)
                self._binary_views.append(
                    (start, stop, Xb, XbT, z, e, d, low, self.ws[start:stop])
                )
        # the dense products' buffer (a sparse product allocates its result)
        self._gtmp = None if self.sparse else np.empty((n_rows, n_features))
        # hessp's curvature, kept when no larger than two parameter vectors,
        # and the parameters it is at
        n_params = n_rows * (n_features + 1)
        self._keep_curvature = n_samples * n_rows <= 2 * n_params
        self._curv = self._curv_w = None
        self._ones = np.ones(n_rows)
        self._ones_m = np.ones(size)
        # float32 X: the coefficients' gradient is the product of the float64
        # residual ws * p - Yw with X (rounded to float32 once), not the
        # difference of two float32 products, which would cancel near the
        # optimum; the targets are then read by every evaluation
        self._residual = None
        if self._low is not None:
            self._residual = (Y, sw / sw_sum, np.empty(n_rows * size))
        self.n_coef = n_rows * n_features
        self.mask = None
        if coef_mask is not None:
            self.mask = ~np.asarray(coef_mask, dtype=bool).ravel(order=coef_order)
        # largest row norm per block: bounds the logits (CSC: not computed)
        self._row_norm = [
            np.inf if self.sparse and Xb.format != "csr" else _row_norm_max(Xb)
            for _, _, Xb, _ in self.blocks
        ]
        # the linear part of the loss: A = Yw.T X (float64) and sum_i Yw_i
        self._lin_coef = np.zeros((n_rows, n_features))
        self._lin_intercept = np.zeros(n_rows)
        for start, stop, Xb, XbT in self.blocks:
            if self.binary:
                YwT = (Y[start:stop, 1] * (sw[start:stop] / sw_sum))[None, :]
            else:
                YwT = Y[start:stop].T * (sw[start:stop] / sw_sum)
            self._lin_intercept += YwT.sum(axis=1)
            if self.sparse:
                self._lin_coef += (XbT.astype(np.float64, copy=False) @ YwT.T).T
            elif Xb.dtype == np.float64:
                self._lin_coef += YwT @ Xb
            else:
                # float32 X summed in float64, by rows of about _BLOCK_BYTES
                # in float64 (the whole block's copy was the fit's peak)
                step = max(1, _BLOCK_BYTES // (32 * max(n_features, 1)))
                for part in range(0, stop - start, step):
                    rows = slice(part, part + step)
                    self._lin_coef += YwT[:, rows] @ Xb[rows].astype(np.float64)

    def split(self, w):
        """Views ``(coef, intercept)`` of the parameter vector ``w``."""
        shape = (self.n_rows, self.n_features)
        coef = w[: self.n_coef].reshape(shape, order=self.coef_order)
        intercept = w[self.n_coef :] if self.fit_intercept else None
        return coef, intercept

    def _logits(self, W, Xb, out, low, intercept):
        """Write ``Xb @ W.T + intercept`` (float64, (m, n_rows)) into ``out``."""
        if self.sparse:
            np.copyto(out, Xb @ W.T)
        elif low is None:
            np.matmul(Xb, W.T, out=out)
        else:
            np.copyto(out, np.matmul(Xb, W.T, out=low))
        if intercept is not None:
            out += intercept
        return out

    def _add_grad(self, G, Xb, XbT, grad_coef, low):
        """``grad_coef += G.T @ Xb`` (``G`` of shape (m, n_rows)), in X's dtype."""
        if low is not None:
            np.copyto(low, G)
            G = low
        if self.sparse:
            grad_coef += (XbT @ G).T
        elif low is None:
            grad_coef += np.matmul(G.T, Xb, out=self._gtmp)
        else:
            grad_coef += G.T @ Xb

    def __call__(self, w):
        if self._curv_w is not None and not np.array_equal(self._curv_w, w):
            # hessp's curvature is for its own point: released while the
            # optimizer evaluates the loss elsewhere (its line search)
            self._curv = self._curv_w = None
        coef, intercept = self.split(w)
        grad = np.zeros_like(w)
        grad_coef = self.split(grad)[0]
        grad_intercept = grad[self.n_coef :]
        if self.binary:
            loss = self._binary_terms(coef, intercept, grad_coef, grad_intercept)
        else:
            loss = self._multinomial_terms(coef, intercept, grad_coef, grad_intercept)
        # the linear part (float32 X: already subtracted by the blocks, from
        # the logits themselves), and the penalty
        if self._residual is None:
            loss -= float(np.vdot(self._lin_coef, coef))
            grad_coef -= self._lin_coef
            if intercept is not None:
                loss -= float(self._lin_intercept @ intercept)
        if intercept is not None:
            grad_intercept -= self._lin_intercept
        if self.l2:
            loss += 0.5 * self.l2 * float(w[: self.n_coef] @ w[: self.n_coef])
            grad_coef += self.l2 * coef
        if self.mask is not None:
            grad[: self.n_coef][self.mask] = 0.0
        return float(loss), grad

    def _binary_terms(self, coef, intercept, grad_coef, grad_intercept):
        """``sum_i ws_i softplus(z_i)``; adds its gradient (see :meth:`_binary_block`).

        With equal weights (no sample_weight) the rows' terms are summed
        unweighted and scaled by the weight once, with the gradient.
        """
        W = self._operand(coef)[0]
        coef_norm = math.sqrt(float(coef[0] @ coef[0]))
        b = None if intercept is None else float(intercept[0])
        b_norm = 0.0 if b is None else abs(b)
        c = self._ws_const if self._residual is None else 0.0
        g = grad_coef[0]
        loss = g_b = 0.0
        for block, r in zip(self._binary_views, self._row_norm):
            bound = r * coef_norm + b_norm
            part, part_b = self._binary_block(
                block, W, b, g, not bound <= _UNSHIFTED_LOGIT_BOUND, bound, c
            )
            loss += part
            g_b += part_b
        if c:
            loss *= c
            g_b *= c
            g *= c
        if b is not None:
            grad_intercept += g_b
        return loss

    def _multinomial_terms(self, coef, intercept, grad_coef, grad_intercept):
        """``sum_i ws_i logsumexp(Z_i)``; adds its gradient (see
        :meth:`_multinomial_block`)."""
        W = self._operand(coef)
        coef_norm, intercept_norm = self._logit_bound(coef, intercept)
        acc = self._accumulator(grad_coef)
        # float64: the intercepts are folded into the normaliser, exp(Z + b)
        # = exp(Z) * exp(b), which saves a pass over the logits, when the
        # bound holds on every block; the gradient is then scaled by exp(b)
        # once
        folded = None
        if (
            intercept is not None
            and self._residual is None
            and max(self._row_norm, default=0.0) * coef_norm <= _FOLDED_LOGIT_BOUND
        ):
            b_max = float(np.max(intercept))
            folded = (np.exp(intercept - b_max), b_max)
        loss = 0.0
        for (start, stop, Xb, XbT), r in zip(self.blocks, self._row_norm):
            if folded is not None:
                loss += self._multinomial_block(
                    start, stop, Xb, XbT, W, None, acc, grad_intercept, False,
                    folded=folded,
                )
                continue
            bound = r * coef_norm + intercept_norm
            loss += self._multinomial_block(
                start, stop, Xb, XbT, W, intercept, acc, grad_intercept,
                not bound <= _UNSHIFTED_LOGIT_BOUND,
            )
        if acc is not grad_coef:
            grad_coef[...] = acc
        if folded is not None:
            grad_coef *= folded[0][:, None]
            grad_intercept *= folded[0]
        return loss

    def hessp(self, w, v):
        """Product of the objective's Hessian at ``w`` with the vector ``v``.

        With ``p = softmax(Z)``, the Hessian in the logits of row ``i`` is
        ``ws_i (diag(p_i) - p_i p_i.T)`` (binary: ``ws_i p_i (1 - p_i)``), so
        the product is ``X.T R + l2 V`` (and ``sum_i R_i`` for the intercepts)
        with ``R_i = ws_i p_i * (Zv_i - p_i . Zv_i)`` and ``Zv = X V.T + bv``.

        The curvature (``p``; binary ``ws p (1 - p)``) at ``w`` is kept for
        the next products at the same ``w`` when it is no larger than two
        vectors of parameters (``n_samples * n_rows <= 2 * n_params``, a
        tenth of Newton-CG's own state): a product then costs the two
        products with ``X``. Otherwise it is recomputed block by block (one
        more product with ``X`` and one ``exp`` per entry), so that no
        ``(n_samples, n_classes)`` array is kept, and released when the loss
        is evaluated elsewhere. Masked coefficients get a zero product.
        """
        K = self.n_rows
        if self._keep_curvature:
            if self._curv_w is None or not np.array_equal(self._curv_w, w):
                self._curv = np.empty((self.ws.shape[0], K))
                for _ in self._curvature_blocks(w, self._curv):
                    pass
                self._curv_w = np.array(w, copy=True)
            curvatures = [self._curv[b[0] : b[1]] for b in self.blocks]
            zv_buf = self._buf[0]
        else:
            curvatures = self._curvature_blocks(w)
            zv_buf = np.empty_like(self._buf[0])
        coef_v, intercept_v = self.split(v)
        out = np.zeros_like(v)
        out_coef = self.split(out)[0]
        out_intercept = out[self.n_coef :]
        acc = self._accumulator(out_coef)
        V = self._operand(coef_v)
        for (start, stop, Xb, XbT), P in zip(self.blocks, curvatures):
            m = stop - start
            low = None if self._low is None else self._low[: K * m].reshape(m, K)
            Zv = self._logits(V, Xb, zv_buf[: K * m].reshape(m, K), low, intercept_v)
            if self.binary:
                Zv *= P
            else:  # R = ws * P * (Zv - rowsum(P * Zv))
                Zv -= np.einsum("ik,ik->i", Zv, P, out=self._vec[0][:m])[:, None]
                Zv *= P
                Zv *= self.ws[start:stop, None]
            if out_intercept.size:
                out_intercept += self._ones_m[:m] @ Zv
            self._add_grad(Zv, Xb, XbT, acc, low)
        if acc is not out_coef:
            out_coef[...] = acc
        if self.l2:
            out_coef += self.l2 * coef_v
        if self.mask is not None:
            out[: self.n_coef][self.mask] = 0.0
        return out

    def _curvature_blocks(self, w, out=None):
        """Yield the curvature at ``w`` of each block of rows, shape (m, n_rows):
        ``softmax(Z)`` (binary: ``ws expit(z) (1 - expit(z))``).

        Written into the rows of ``out`` (n_samples, n_rows) when given, else
        into a work array that the next block reuses.
        """
        coef, intercept = self.split(w)
        W = self._operand(coef)
        coef_norm, intercept_norm = self._logit_bound(coef, intercept)
        K = self.n_rows
        for (start, stop, Xb, _), r in zip(self.blocks, self._row_norm):
            m = stop - start
            low = None if self._low is None else self._low[: K * m].reshape(m, K)
            Z = self._logits(W, Xb, self._buf[0][: K * m].reshape(m, K), low, intercept)
            P = Z if out is None else out[start:stop]
            if self.binary:  # ws p (1 - p), as -(ws p (p - 1))
                q = self._buf[1][:m, None]
                expit(Z, out=P)
                np.subtract(P, 1.0, out=q)  # exact for p >= 1/2
                P *= q
                P *= self.ws[start:stop, None]
                np.negative(P, out=P)
            else:
                norm = self._vec[1][:m]
                if not r * coef_norm + intercept_norm <= _UNSHIFTED_LOGIT_BOUND:
                    Z -= np.max(Z, axis=1, out=norm)[:, None]
                np.exp(Z, out=P)
                np.matmul(P, self._ones, out=norm)
                P *= np.reciprocal(norm, out=norm)[:, None]
            yield P

    def _logit_bound(self, coef, intercept):
        """``(coef_norm, intercept_norm)``: a row of norm ``r`` has logits of
        magnitude at most ``r * coef_norm + intercept_norm``."""
        coef_norm = float(np.sqrt(np.max(np.einsum("kj,kj->k", coef, coef))))
        intercept_norm = 0.0 if intercept is None else float(np.max(np.abs(intercept)))
        return coef_norm, intercept_norm

    def _accumulator(self, grad_coef):
        """Where the products ``X_b.T @ G_b`` are summed: in ``grad_coef``
        unless X is sparse and ``grad_coef`` is not in their layout."""
        if self.sparse and self.coef_order == "C" and not self.binary:
            return np.zeros((self.n_features, self.n_rows)).T
        return grad_coef

    def _operand(self, coef):
        """``coef`` in X's dtype, laid out for the products with X's blocks."""
        W = coef.astype(self.dtype, copy=False)
        if self.sparse:
            # C-ordered W.T: scipy's sparse product would copy it per block
            W = np.ascontiguousarray(W.T).T
        return W

    def _binary_block(self, block, W, b, g, shift, bound, c):
        """``(sum_i v_i softplus(z_i), sum_i v_i expit(z_i))`` of a block of rows;
        adds ``sum_i v_i expit(z_i) x_i`` (less the targets' part with
        float32 X) to ``g``.

        ``v_i = ws_i``, or 1 with equal weights ``c`` (then scaled by the
        caller). With ``z = X w + b``, ``softplus(z) = log1p(exp(z))`` and
        the gradient in ``z`` is ``expit(z) = e / (1 + e)``, ``e = exp(z)``.
        Unless ``shift``, an intercept of at most 1 in magnitude is folded
        into the sum: with ``e = exp(X w)``, ``1 + exp(z) = exp(b) (exp(-b) +
        e)``, so ``softplus(z) = b + log(exp(-b) + e)`` and ``expit(z) = e /
        (exp(-b) + e)``, which saves adding ``b`` to every row; with equal
        weights the logarithms of groups of rows are taken of their
        products, whose factors ``bound`` (at least the rows' ``|z|`` bound)
        keeps in range.
        When ``shift``, ``e = exp(-|z|)`` instead (which cannot overflow):
        ``softplus(z) = max(z, 0) + log1p(e)`` and ``expit(z) = 1/2 + sign(z)
        (1 / (1 + e) - 1/2)``.
        """
        start, stop, Xb, XbT, z, e, d, low, ws = block
        if self.sparse:
            z[...] = Xb @ W
        elif low is None:
            np.dot(Xb, W, out=z)
        else:
            np.copyto(z, np.dot(Xb, W, out=low))
        linear = 0.0
        if not shift:
            # the intercept folded in while b + log(exp(-b) + e) loses no more
            # than log(1 + e) does (|b| ulp): added to the logits beyond
            folded = b is None or abs(b) <= _FOLDED_BINARY_INTERCEPT
            if not folded:
                z += b
            if self._residual is not None:
                linear = self._linear_part(start, stop, z, b if folded else None)
            np.exp(z, out=e)
            # softplus as the log of the sum that expit needs anyway: where
            # log1p would differ (exp(z) below one ulp of 1), the term is
            # below 2.3e-16, and the total is a sum of terms of its magnitude
            np.add(e, math.exp(-b) if folded and b else 1.0, out=d)
            if c:
                loss = _sum_of_logs(d, z, bound)
                if folded and b:
                    loss += b * (stop - start)
            else:
                loss = float(ws @ np.log(d, out=z))
                if folded and b:
                    loss += b * float(ws.sum())
            np.divide(e, d, out=d)  # expit(z)
        else:
            if b is not None:
                z += b
            if self._residual is not None:
                linear = self._linear_part(start, stop, z, None)
            np.abs(z, out=e)
            # sum ws max(z, 0), with max(z, 0) = (z + |z|) / 2
            if c:
                loss = 0.5 * (float(e.sum()) + float(z.sum()))
            else:
                loss = 0.5 * float(ws @ e) + 0.5 * float(ws @ z)
            np.negative(e, out=e)
            np.exp(e, out=e)
            np.log1p(e, out=d)  # log(1 + exp(-|z|))
            loss += float(d.sum()) if c else float(ws @ d)
            e += 1.0
            np.reciprocal(e, out=d)  # expit(|z|), in [1/2, 1]
            d -= 0.5  # exact (Sterbenz), as is 1/2 + (-(r - 1/2)) = 1 - r
            np.copysign(d, z, out=d)
            d += 0.5  # expit(z)
        if not c:
            d *= ws
        loss_b = 0.0 if b is None else float(d.sum())
        if self._residual is not None:
            Y, scale, _ = self._residual
            d -= Y[start:stop, 1] * scale[start:stop]
        if self.sparse:
            g += XbT @ d
        elif low is None:
            g += np.dot(d, Xb, out=self._gtmp[0])
        else:
            np.copyto(low, d)
            g += np.dot(low, Xb)
        return loss - linear, loss_b

    def _linear_part(self, start, stop, Z, b):
        """``sum_ik Yw_ik (Z_ik + b_k)`` of rows ``start:stop`` (float32 X).

        The linear part of the loss from the logits ``Z`` themselves (plus
        the intercepts ``b`` not added to them), not from ``Yw.T X`` in
        float64: the rounding of ``Z`` in float32 then cancels between the
        two parts of the loss, as in the gradient. With features of large
        mean, the two large parts nearly cancel, and the loss of float32
        logits less a float64 linear part disagreed with its gradient: the
        line search stopped the solver far from the optimum.
        """
        Y, scale, _ = self._residual
        if self.binary:
            Yw = Y[start:stop, 1] * scale[start:stop]
            linear = float(Yw @ Z)
        else:
            Yw = Y[start:stop] * scale[start:stop, None]
            linear = float(np.vdot(Yw, Z))
        if b is not None:  # (a float: the binary loss's folded intercept)
            linear += b * float(Yw.sum())
        return linear

    def _multinomial_block(
        self, start, stop, Xb, XbT, W, intercept, grad_coef, grad_intercept, shift,
        folded=None,
    ):
        """``sum_i ws_i logsumexp(Z_i)`` of rows ``start:stop``; adds its gradient.

        Row-major work array ``Z`` of shape (m, n_classes), exponentiated in
        place into ``ws * softmax(Z)``, the gradient in ``Z``; the row sums are
        matrix-vector products. When ``shift``, each row's maximum ``M_i`` is
        subtracted first and ``ws_i M_i`` added back. With ``folded = (eb,
        b_max)``, ``Z = X_b coef.T`` has no intercept: the normaliser is
        ``exp(Z) @ eb`` with ``eb = exp(intercept - b_max)``, ``ws_i b_max`` is
        added back, and the gradient added (``ws * softmax / eb``, per class)
        is to be scaled by ``eb`` by the caller.
        """
        m = stop - start
        K = self.n_rows
        Z = self._buf[0][: K * m].reshape(m, K)
        mx, norm = (v[:m] for v in self._vec)
        low = None if self._low is None else self._low[: K * m].reshape(m, K)
        ws = self.ws[start:stop]
        self._logits(W, Xb, Z, low, intercept)
        loss = 0.0
        if self._residual is not None:  # (the intercepts are in Z)
            loss -= self._linear_part(start, stop, Z, None)
        if shift:
            np.max(Z, axis=1, out=mx)
            Z -= mx[:, None]
            loss += float(ws @ mx)
        E = np.exp(Z, out=Z)
        if folded is None:
            np.matmul(E, self._ones, out=norm)
        else:
            eb, b_max = folded
            np.matmul(E, eb, out=norm)
            loss += b_max * float(ws.sum())
        loss += float(ws @ np.log(norm, out=mx))
        E *= np.divide(ws, norm, out=norm)[:, None]  # ws * p
        if grad_intercept.size:
            grad_intercept += self._ones_m[:m] @ E
        if self._residual is not None:
            Y, scale, buf = self._residual
            Yw = np.multiply(
                Y[start:stop], scale[start:stop, None], out=buf[: K * m].reshape(m, K)
            )
            E -= Yw
        self._add_grad(E, Xb, XbT, grad_coef, low)
        return loss
