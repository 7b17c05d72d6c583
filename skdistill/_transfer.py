"""Transfer-set generators: synthetic inputs for a teacher to label."""

import math
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from scipy.special import ndtri
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._frames import (
    column_kinds,
    column_names,
    float_column_dtype,
    float_dtype,
    frame_like,
    get_column,
    has_missing,
    is_dataframe,
    select_columns,
    take_rows,
)

_COMMON_CONSTRAINTS = {
    "X": ["array-like", "sparse matrix"],
    "n_samples": [Interval(Integral, 1, None, closed="left"), None],
    "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
    "random_state": ["random_state"],
    "chunk_size": [Interval(Integral, 1, None, closed="left")],
}


def _categorical_mask(X, categorical_features):
    """Resolve `categorical_features` into a boolean mask over the columns of `X`.

    Parameters
    ----------
    X : ndarray or DataFrame of shape (n_samples, n_features)
        The input data.

    categorical_features : {"from_dtype"}, array-like of int, bool or str, or None
        Same meaning as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`, except
        that `"from_dtype"` also takes the boolean columns of a DataFrame.

    Returns
    -------
    mask : ndarray of shape (n_features,), dtype=bool
        True for categorical columns.
    """
    n_features = X.shape[1]
    is_df = is_dataframe(X)
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str):  # "from_dtype", validated upstream
        if not is_df:
            return np.zeros(n_features, dtype=bool)
        # category columns, and booleans: two categories, never a number between
        return np.isin(column_kinds(X), ["c", "b"])

    categories = np.asarray(categorical_features)
    if categories.ndim != 1:
        raise ValueError(
            "categorical_features must be a 1-D array-like of bool, int or str; got "
            f"an array of shape {categories.shape}."
        )
    if categories.size == 0:
        return np.zeros(n_features, dtype=bool)
    if categories.dtype.kind == "b":
        if categories.shape[0] != n_features:
            raise ValueError(
                "categorical_features as a boolean mask must have shape "
                f"(n_features,)=({n_features},); got shape {categories.shape}."
            )
        return categories.copy()
    if categories.dtype.kind in "iu":
        bad = categories[(categories < 0) | (categories >= n_features)]
        if bad.size:
            raise ValueError(
                f"categorical_features indices must be in [0, {n_features - 1}] "
                f"(X has {n_features} features); got {bad.tolist()}."
            )
        mask = np.zeros(n_features, dtype=bool)
        mask[categories] = True
        return mask
    if categories.dtype.kind in "OU" and all(isinstance(c, str) for c in categories):
        if not is_df:
            raise ValueError(
                "categorical_features given as feature names requires X to be a "
                "DataFrame (pandas or polars) with string column names."
            )
        names = [str(c) for c in categories]
        columns = column_names(X)
        unknown = [c for c in names if c not in set(columns)]
        if unknown:
            raise ValueError(
                f"categorical_features names {unknown} are not columns of X; "
                f"the columns are {list(columns)}."
            )
        return np.asarray([column in set(names) for column in columns], dtype=bool)
    raise ValueError(
        "categorical_features must be None, 'from_dtype', or an array-like of bool "
        f"(mask), int (indices) or str (names); got dtype {categories.dtype}."
    )


def has_sparse_columns(X):
    """Whether ``X`` is a DataFrame with sparse columns (``pd.SparseDtype``,
    whose ``kind`` is its values' numeric one)."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(X, "iloc"):
        return False
    return any(type(dtype).__name__ == "SparseDtype" for dtype in dtypes)


def _validate_input(X, categorical_features, ensure_min_samples):
    """Validate `X` and split it into continuous values and categorical columns.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        The input data, without missing values; sparse matrices are rejected.

    categorical_features : {"from_dtype"}, array-like or None
        Which columns are categorical, see :func:`_categorical_mask`.

    ensure_min_samples : int
        Minimal number of rows of `X`.

    Returns
    -------
    X : ndarray or DataFrame of shape (n_samples, n_features)
        `X` as an ndarray (numeric) or the DataFrame itself.

    X_cont : ndarray of shape (n_samples, n_continuous), dtype=float64
        The continuous columns.

    mask : ndarray of shape (n_features,), dtype=bool
        True for categorical columns.
    """
    if sparse.issparse(X) or has_sparse_columns(X):
        raise TypeError(
            "Sparse input is not supported: transfer-set generators add dense noise "
            "to every continuous value. Convert X with X.toarray() first (or, "
            "in a distiller, set augment=None)."
        )
    if is_dataframe(X):
        if X.shape[0] < ensure_min_samples or X.shape[1] < 1:
            raise ValueError(
                f"X has shape {X.shape}; at least {ensure_min_samples} sample(s) and "
                "1 feature are required."
            )
        kinds = column_kinds(X)
        mask = _categorical_mask(X, categorical_features)
        # a boolean column, listed or not, has two values and nothing between
        mask |= kinds == "b"
        for name, dtype, kind, is_cat in zip(X.columns, X.dtypes, kinds, mask):
            if not is_cat and kind not in "biuf":
                raise ValueError(
                    f"Column {name!r} of X has non-numeric dtype {dtype} but is not "
                    "listed in categorical_features; mark it as categorical or "
                    "convert it to a numeric dtype."
                )
        if mask.any() and has_missing(select_columns(X, np.flatnonzero(mask))):
            raise ValueError("Input X contains NaN in a categorical column.")
        X_cont = np.empty((X.shape[0], 0), dtype=np.float64)
        if not mask.all():
            X_cont = check_array(
                select_columns(X, np.flatnonzero(~mask)), dtype=np.float64, copy=False
            )
        return X, X_cont, mask

    X = check_array(X, dtype="numeric", ensure_min_samples=ensure_min_samples)
    mask = _categorical_mask(X, categorical_features)
    X_cont = X[:, ~mask].astype(np.float64, copy=False)
    return X, X_cont, mask


def _uniforms(key, start, n_rows, n_draws):
    """Draw reproducible uniforms in (0, 1) for rows `start` to `start + n_rows`.

    Row `i` of the result depends only on `key`, the global row index
    `start + i` and `n_draws`, never on how the rows are chunked: a counter-based
    Philox generator is positioned at the row's counter.

    Parameters
    ----------
    key : int
        128-bit Philox key.

    start : int
        Global index of the first row.

    n_rows : int
        Number of rows to draw.

    n_draws : int
        Number of uniforms per row.

    Returns
    -------
    u : ndarray of shape (n_rows, n_draws), dtype=float64
        Uniforms strictly inside (0, 1).
    """
    # Philox yields 4 uint64 per counter step and `Generator.random` consumes
    # exactly one uint64 per double, so a row of `4 * per_row` draws starts at
    # counter `start * per_row`.
    per_row = max(1, math.ceil(n_draws / 4))
    bit_generator = np.random.Philox(key=key, counter=start * per_row)
    u = np.random.Generator(bit_generator).random((n_rows, 4 * per_row))
    return _open_interval(u[:, :n_draws].copy())


def _open_interval(u):
    """Multiples of ``2**-53`` in [0, 1) moved, in place, strictly inside (0, 1).

    Those below 1/2 are shifted by ``2**-54`` (exactly) to avoid 0; the others
    stay as they are, below 1 (the largest, ``1 - 2**-53``, shifted, would
    round to 1).
    """
    np.add(u, 2.0**-54, out=u, where=u < 0.5)
    return u


def _draw_key(random_state):
    """Draw a 128-bit Philox key from `random_state`.

    Parameters
    ----------
    random_state : RandomState
        The validated random state.

    Returns
    -------
    key : int
        A non-negative integer below 2**128.
    """
    return int.from_bytes(random_state.bytes(16), "little")


class _Output:
    """Generated rows in the container type of `X`, filled chunk by chunk.

    For an ndarray the final array is allocated once and written in place, so
    generating needs no second copy of the output.

    Parameters
    ----------
    X : ndarray or DataFrame of shape (n_samples, n_features)
        The validated input.

    mask : ndarray of shape (n_features,), dtype=bool
        True for categorical columns.

    n_out : int
        Number of rows to generate.
    """

    def __init__(self, X, mask, n_out):
        self.X, self.n_out = X, n_out
        self.cont_idx, self.cat_idx = np.flatnonzero(~mask), np.flatnonzero(mask)
        self.is_df = is_dataframe(X)
        if self.is_df:
            self.cont = [
                np.empty(n_out, dtype=float_column_dtype(X, j)) for j in self.cont_idx
            ]
            self.source = np.empty((n_out, self.cat_idx.size), dtype=np.intp)
        else:
            dtype = float_dtype(X.dtype) if self.cont_idx.size else X.dtype
            self.array = np.empty((n_out, X.shape[1]), dtype=dtype)

    def write(self, start, values, source):
        """Write rows from `start` on, dropping those beyond `n_out`.

        Parameters
        ----------
        start : int
            Index of the first row to write.

        values : ndarray of shape (n_rows, n_continuous)
            Generated continuous columns.

        source : ndarray of shape (n_rows, n_categorical), dtype=intp
            For each row and categorical column, the row of `X` whose value
            is copied.
        """
        stop = min(start + values.shape[0], self.n_out)
        values, source = values[: stop - start], source[: stop - start]
        if self.is_df:
            for k, column in enumerate(self.cont):
                column[start:stop] = _within(values[:, k], column.dtype)
            self.source[start:stop] = source
        else:
            self.array[start:stop, self.cont_idx] = _within(values, self.array.dtype)
            self.array[start:stop, self.cat_idx] = self.X[source, self.cat_idx]

    def result(self):
        """Return the filled output.

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_out, n_features)
            Same columns as `X`; floating dtypes and all categorical dtypes are
            kept, other continuous dtypes become float64.
        """
        if not self.is_df:
            return self.array
        columns = dict(zip(self.cont_idx, self.cont))
        for k, j in enumerate(self.cat_idx):
            columns[j] = take_rows(get_column(self.X, j), self.source[:, k])
        return frame_like(self.X, [columns[j] for j in range(self.X.shape[1])])


def _column_std(X_cont):
    """Standard deviation of each column, without overflow for huge values.

    The columns are scaled by a power of two (exact) into ``[-1, 1]`` first,
    so that squaring values near the largest float does not overflow.
    """
    if X_cont.size == 0:
        return np.zeros(X_cont.shape[1])
    peak = np.max(np.abs(X_cont), axis=0)
    exponent = np.frexp(np.where(peak > 0, peak, 1.0))[1]
    return np.ldexp(np.ldexp(X_cont, -exponent).std(axis=0), exponent)


def _within(values, dtype):
    """``values`` clipped to the finite range of ``dtype`` (a float32 output
    of values computed in float64 would overflow to infinity)."""
    if np.dtype(dtype).kind != "f" or values.dtype.kind != "f":
        return values
    fmax = np.finfo(dtype).max
    if fmax >= np.finfo(values.dtype).max:
        return values
    return np.clip(values, -fmax, fmax)


def _finite(values):
    """``values`` with overflowed entries clipped to the largest finite float."""
    fmax = np.finfo(values.dtype).max
    return np.clip(values, -fmax, fmax, out=values)


def _neighbours(X, X_cont, mask):
    """Nearest other training row of every row of `X`.

    Continuous columns are standardised; each categorical column is one-hot
    encoded and scaled so that a mismatch adds 1 to the squared distance (a
    Hamming term).

    Parameters
    ----------
    X : ndarray or DataFrame of shape (n_samples, n_features)
        The validated input.

    X_cont : ndarray of shape (n_samples, n_continuous)
        Its continuous columns.

    mask : ndarray of shape (n_features,), dtype=bool
        True for categorical columns.

    Returns
    -------
    neighbours : ndarray of shape (n_samples,), dtype=intp
        Index of the nearest neighbour of each row, never the row itself.
    """
    std = _column_std(X_cont)
    constant = std == 0
    std[constant] = 1.0
    Z = X_cont / std  # a new array
    # a constant column adds nothing to the distances (and its mean, summed
    # over the rows, could overflow: a column of 1e306)
    Z[:, constant] = 0.0
    Z -= Z.mean(axis=0)
    if mask.any():
        cat_idx = np.flatnonzero(mask)
        X_cat = select_columns(X, cat_idx) if is_dataframe(X) else X[:, cat_idx]
        # sparse, whatever the global transform_output (pandas cannot be)
        encoder = OneHotEncoder(dtype=np.float64).set_output(transform="default")
        onehot = encoder.fit_transform(X_cat) * np.sqrt(0.5)
        Z = sparse.hstack([sparse.csr_matrix(Z), onehot], format="csr")
    nn = NearestNeighbors(n_neighbors=1).fit(Z)
    return nn.kneighbors(return_distance=False)[:, 0]


@validate_params(
    {
        **_COMMON_CONSTRAINTS,
        "p": [Interval(Real, 0, 1, closed="both")],
        "s": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def munge(
    X,
    *,
    n_samples=None,
    p=0.5,
    s=1.0,
    categorical_features="from_dtype",
    random_state=None,
    chunk_size=4096,
):
    """Generate a transfer set with MUNGE (Bucilua et al., 2006).

    Every row `e` of `X` is paired with its nearest neighbour `e'` among the
    other rows. Each attribute is then, with probability `p`, changed in both
    copies: a categorical value is swapped between `e` and `e'`; a continuous
    value becomes ``e_a ~ N(e'_a, sd)`` and ``e'_a ~ N(e_a, sd)`` with
    ``sd = |e_a - e'_a| / s``. Both modified copies are output, one pair per
    row and pass over `X`, until `n_samples` rows are generated.

    Parameters
    ----------
    X : {array-like, DataFrame} of shape (n_samples_X, n_features)
        Training inputs, at least 2 rows, no missing values: an array, or a
        pandas or polars DataFrame. Sparse matrices raise a `TypeError`.

    n_samples : int, default=None
        Number of rows to generate. `None` generates as many rows as `X` has.
        Each pass over `X` yields ``2 * n_samples_X`` rows (a pair per row);
        the last pass is truncated, and its pairs come from a random subset of
        the rows.

    p : float, default=0.5
        Probability that an attribute is modified, in [0, 1]. `p=0` returns
        copies of training rows.

    s : float, default=1.0
        Local variance parameter, > 0: the standard deviation of a modified
        continuous value is ``|e_a - e'_a| / s``. A large `s` moves the value
        onto the neighbour's value.

    categorical_features : {"from_dtype"}, array-like of int, bool or str, or \
            None, default="from_dtype"
        Categorical columns, as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`: `None` (no
        categorical column), indices, a boolean mask of shape
        ``(n_features,)``, column names (DataFrame only), or `"from_dtype"`:
        the columns of a DataFrame with `category` or boolean dtype (polars:
        ``Categorical``, ``Enum`` or ``Boolean``; no column of an ndarray). A boolean column of a DataFrame is categorical
        whatever this says: it is swapped or copied, never turned into a
        number between its two values.

    random_state : int, RandomState instance or None, default=None
        Controls all random draws. Pass an int for reproducible output.

    chunk_size : int, default=4096
        Number of rows generated at a time; bounds the temporary memory to
        ``O(chunk_size * n_features)``. The generated rows do not depend on
        it.

    Returns
    -------
    X_new : {ndarray, DataFrame} of shape (n_samples, n_features)
        Generated inputs. A DataFrame of the library of `X` keeps its
        columns, dtypes and categories (integer continuous columns, and
        pandas' nullable ``Int64`` and ``Float64`` ones, become float64); an
        ndarray keeps
        a floating dtype and is float64 otherwise (unless all columns are
        categorical).

    See Also
    --------
    gaussian_noise : Training rows plus small Gaussian noise.

    Notes
    -----
    Neighbours are computed once, on the continuous columns standardised to
    unit variance plus, for each categorical column, a Hamming term (a
    one-hot encoding scaled so that a mismatch adds 1 to the squared
    Euclidean distance).

    The published Algorithm 1 modifies the copy of the training set in place
    while it walks over it, so a row may be modified again as somebody else's
    neighbour. This vectorised version draws every pair from the original rows
    (both new values are centred on the *original* value of the other), so a
    pass is a set of independent pairs; the per-attribute distribution of a
    pair is the published one.

    Random numbers come from a counter-based generator indexed by the
    generated pair, which makes the result independent of `chunk_size`.

    References
    ----------
    .. [1] C. Bucilua, R. Caruana and A. Niculescu-Mizil, "Model Compression",
       Proceedings of the 12th ACM SIGKDD International Conference on
       Knowledge Discovery and Data Mining (KDD), 2006, Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from skdistill import munge
    >>> X = np.array([[0.0, 1.0], [0.1, 1.1], [5.0, 0.0], [5.2, 0.1]])
    >>> X_new = munge(X, n_samples=10, random_state=0)
    >>> X_new.shape
    (10, 2)
    >>> X_new[:2]
    array([[5.03..., 0.  ...],
           [4.93..., 0.1 ...]])
    """
    X, X_cont, mask = _validate_input(X, categorical_features, ensure_min_samples=2)
    n_rows = X_cont.shape[0]
    n_samples = n_rows if n_samples is None else n_samples
    random_state = check_random_state(random_state)
    # One random order shared by all passes: the truncated last pass uses a
    # random subset of the rows rather than the first ones.
    order = random_state.permutation(n_rows)
    key = _draw_key(random_state)
    neighbours = _neighbours(X, X_cont, mask)

    n_features, n_cont = mask.shape[0], X_cont.shape[1]
    output = _Output(X, mask, n_samples)
    n_pairs = -(-n_samples // 2)
    pairs_per_chunk = max(1, chunk_size // 2)
    for start in range(0, n_pairs, pairs_per_chunk):
        stop = min(start + pairs_per_chunk, n_pairs)
        rows = order[np.arange(start, stop) % n_rows]
        other = neighbours[rows]
        u = _uniforms(key, start, stop - start, n_features + 2 * n_cont)
        changed = u[:, :n_features] < p
        z_row = u[:, n_features : n_features + n_cont]
        z_other = u[:, n_features + n_cont :]

        # Output rows alternate: the modified e, then the modified e'.
        values = np.empty((2 * (stop - start), n_cont))
        source = np.empty((2 * (stop - start), int(mask.sum())), dtype=np.intp)

        # Continuous attributes: each copy is redrawn around the other's value.
        a, b = X_cont[rows], X_cont[other]
        change = changed[:, ~mask]
        with np.errstate(over="ignore", invalid="ignore"):
            # halved values: |a - b| does not overflow for finite a and b
            half_sd = np.abs(a / 2 - b / 2) / s
            values[0::2] = np.where(change, b + 2 * half_sd * ndtri(z_row), a)
            values[1::2] = np.where(change, a + 2 * half_sd * ndtri(z_other), b)
        _finite(values)

        # Categorical attributes: swapped, recorded as the row to copy from.
        swap = changed[:, mask]
        source[0::2] = np.where(swap, other[:, None], rows[:, None])
        source[1::2] = np.where(swap, rows[:, None], other[:, None])
        output.write(2 * start, values, source)
    return output.result()


@validate_params(
    {**_COMMON_CONSTRAINTS, "scale": [Interval(Real, 0, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def gaussian_noise(
    X,
    *,
    n_samples=None,
    scale=0.1,
    categorical_features="from_dtype",
    random_state=None,
    chunk_size=4096,
):
    """Generate a transfer set by adding Gaussian noise to resampled rows.

    Rows are drawn from `X` uniformly with replacement; every continuous
    feature `j` gets independent noise ``N(0, (scale * std_j) ** 2)``, where
    `std_j` is the standard deviation of that column in `X`. Categorical
    columns are copied unchanged.

    Parameters
    ----------
    X : {array-like, DataFrame} of shape (n_samples_X, n_features)
        Training inputs, no missing values: an array, or a pandas or polars
        DataFrame. Sparse matrices raise a `TypeError`.

    n_samples : int, default=None
        Number of rows to generate. `None` generates as many rows as `X` has.

    scale : float, default=0.1
        Noise standard deviation as a fraction of each column's standard
        deviation, >= 0. `scale=0` returns resampled training rows.

    categorical_features : {"from_dtype"}, array-like of int, bool or str, or \
            None, default="from_dtype"
        Categorical columns, as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`: `None` (no
        categorical column), indices, a boolean mask of shape
        ``(n_features,)``, column names (DataFrame only), or `"from_dtype"`:
        the columns of a DataFrame with `category` or boolean dtype (polars:
        ``Categorical``, ``Enum`` or ``Boolean``; no column of an ndarray). A boolean column of a DataFrame is categorical
        whatever this says: it is swapped or copied, never turned into a
        number between its two values.

    random_state : int, RandomState instance or None, default=None
        Controls all random draws. Pass an int for reproducible output.

    chunk_size : int, default=4096
        Number of rows generated at a time; bounds the temporary memory to
        ``O(chunk_size * n_features)``. The generated rows do not depend on
        it.

    Returns
    -------
    X_new : {ndarray, DataFrame} of shape (n_samples, n_features)
        Generated inputs. A DataFrame of the library of `X` keeps its
        columns, dtypes and categories (integer continuous columns, and
        pandas' nullable ``Int64`` and ``Float64`` ones, become float64); an
        ndarray keeps
        a floating dtype and is float64 otherwise (unless all columns are
        categorical).

    See Also
    --------
    munge : Transfer set from swapping and perturbing nearest-neighbour pairs.

    Notes
    -----
    This is the simple baseline for a transfer set: it ignores how features
    depend on each other, so with a large `scale` it produces points away from
    the data; :func:`munge` follows the local structure of the data instead.

    Random numbers come from a counter-based generator indexed by the
    generated row, which makes the result independent of `chunk_size`.

    References
    ----------
    .. [1] C. Bucilua, R. Caruana and A. Niculescu-Mizil, "Model Compression",
       Proceedings of the 12th ACM SIGKDD International Conference on
       Knowledge Discovery and Data Mining (KDD), 2006. Motivates labelling
       synthetic inputs with the teacher; this generator is not from the
       paper, which compares MUNGE with other, non-Gaussian, baselines.

    Examples
    --------
    >>> import numpy as np
    >>> from skdistill import gaussian_noise
    >>> X = np.array([[0.0, 1.0], [0.1, 1.1], [5.0, 0.0], [5.2, 0.1]])
    >>> X_new = gaussian_noise(X, n_samples=10, scale=0.05, random_state=0)
    >>> X_new.shape
    (10, 2)
    >>> X_new[:2]
    array([[4.94..., 0.02...],
           [5.10..., 0.00...]])
    """
    X, X_cont, mask = _validate_input(X, categorical_features, ensure_min_samples=1)
    n_rows, n_cont = X_cont.shape
    n_samples = n_rows if n_samples is None else n_samples
    key = _draw_key(check_random_state(random_state))
    noise_sd = scale * _column_std(X_cont)

    output = _Output(X, mask, n_samples)
    for start in range(0, n_samples, chunk_size):
        stop = min(start + chunk_size, n_samples)
        u = _uniforms(key, start, stop - start, 1 + n_cont)
        rows = np.minimum((u[:, 0] * n_rows).astype(np.intp), n_rows - 1)
        with np.errstate(over="ignore"):
            values = _finite(X_cont[rows] + noise_sd * ndtri(u[:, 1:]))
        output.write(start, values, np.repeat(rows[:, None], mask.sum(), axis=1))
    return output.result()
