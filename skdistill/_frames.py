"""The DataFrames that skdistill reads itself: pandas and polars.

Neither library is imported here: a DataFrame of a library is recognised
only when that library is already loaded (the user made the frame with it).
The distillers hand any X through to the teacher and the student; these
helpers serve the few places that read X's columns themselves (the
transfer-set generators and the checks before them).
"""

import sys

import numpy as np


def frame_library(X):
    """``"pandas"`` or ``"polars"`` for a DataFrame of that library, else None."""
    for name in ("pandas", "polars"):
        module = sys.modules.get(name)
        if module is not None and isinstance(X, module.DataFrame):
            return name
    return None


def is_dataframe(X):
    """Whether ``X`` is a pandas or a polars DataFrame."""
    return frame_library(X) is not None


def _polars_kind(dtype):
    if dtype.is_integer():
        return "u" if dtype.is_unsigned_integer() else "i"
    if dtype.is_float():
        return "f"
    pl = sys.modules["polars"]
    if dtype == pl.Boolean:
        return "b"
    if isinstance(dtype, (pl.Categorical, pl.Enum)):
        return "c"
    return "O"


def column_kinds(X):
    """The kind of each column of a DataFrame, as an array of one-letter codes.

    ``"b"`` boolean, ``"i"``/``"u"``/``"f"`` numbers (pandas' nullable ones
    included), ``"c"`` categorical (pandas ``category``, polars
    ``Categorical`` and ``Enum``), ``"O"`` anything else (strings, objects,
    dates).
    """
    if frame_library(X) == "polars":
        kinds = [_polars_kind(dtype) for dtype in X.dtypes]
    else:
        kinds = [
            "c" if dtype.name == "category" else getattr(dtype, "kind", "O")
            for dtype in X.dtypes
        ]
    return np.asarray(kinds, dtype="U1").reshape(-1)


def column_names(X):
    """The column names of a DataFrame, as a 1-D array of objects (tuples
    for pandas' MultiIndex columns)."""
    names = np.empty(len(X.columns), dtype=object)
    names[:] = list(X.columns)
    return names


def select_columns(X, indices):
    """The columns of a DataFrame at the positions ``indices``, as a DataFrame."""
    indices = np.asarray(indices, dtype=np.intp).reshape(-1)
    if frame_library(X) == "polars":
        return X.select([X.columns[j] for j in indices])
    return X.iloc[:, indices]


def float_dtype(dtype):
    """The numpy dtype of generated values of a column of ``dtype`` (numpy or
    pandas): ``dtype`` if it is a numpy float, else float64."""
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return dtype
    return np.dtype(np.float64)


def float_column_dtype(X, j):
    """:func:`float_dtype` of column ``j`` of a DataFrame (float32 for a polars
    ``Float32`` column)."""
    if frame_library(X) == "polars":
        float32 = X.dtypes[j] == sys.modules["polars"].Float32
        return np.dtype(np.float32 if float32 else np.float64)
    return float_dtype(X.dtypes.iloc[j])


def has_missing(X):
    """Whether a DataFrame (or a pandas Series) has a missing value (NA, null,
    or NaN in floats)."""
    if frame_library(X) == "polars":
        if sum(X.null_count().row(0)) > 0:
            return True
        return any(
            bool(X.get_column(name).is_nan().any())
            for name, dtype in zip(X.columns, X.dtypes)
            if dtype.is_float()
        )
    return _pandas_has(X, np.isnan)


def has_infinity(X):
    """Whether a DataFrame (or a pandas Series) has an infinite number in a
    column of floats."""
    if frame_library(X) == "polars":
        return any(
            bool(X.get_column(name).is_infinite().any())
            for name, dtype in zip(X.columns, X.dtypes)
            if dtype.is_float()
        )
    return _pandas_has(X, np.isinf)


# Bytes of floats read at a time by _pandas_has, and the most chunks it
# reads (a chunk slices every block of a fragmented frame: a wide frame is
# read in larger chunks)
_CHUNK_BYTES = 1 << 22
_MAX_CHUNKS = 16


def _pandas_has(X, test):
    """Whether ``test`` (np.isnan: also pandas' NA and NaT; np.isinf) holds at a
    value of a pandas DataFrame or Series.

    The columns of floats (and complex numbers) are read by chunks of rows,
    as float64 (NA as NaN), without a copy of ``X`` or a mask of its size,
    in one pass over ``X`` whatever its layout (a frame made from a
    row-major array holds each column with a stride); a chunk is scanned
    only when its sum is not finite (a finite sum has neither NaN nor
    infinity). The other columns are asked for missing values one by one
    (numpy's integers and booleans have none).
    """
    frame = X.to_frame() if not hasattr(X, "columns") else X
    floats, others, dtype = [], [], np.float64
    for j, column_dtype in enumerate(frame.dtypes):
        kind = getattr(column_dtype, "kind", "O")
        if kind in "fc":
            floats.append(j)
            if kind == "c":
                dtype = np.complex128
        elif not (isinstance(column_dtype, np.dtype) and kind in "iub"):
            others.append(j)
    if test is np.isnan and any(bool(frame.iloc[:, j].isna().any()) for j in others):
        return True
    if not floats:
        return False
    n_samples = frame.shape[0]
    step = max(1, _CHUNK_BYTES // (8 * len(floats)), -(-n_samples // _MAX_CHUNKS))
    for start in range(0, n_samples, step):
        rows = frame.iloc[start : start + step]  # (rows first: a view)
        if len(floats) < frame.shape[1]:
            rows = rows.iloc[:, floats]
        chunk = rows.to_numpy(dtype=dtype, na_value=np.nan)
        if not sum_is_finite(chunk) and test(chunk).any():
            return True
    return False


def sum_is_finite(values):
    """Whether the sum of an array of numbers is finite, in one pass without
    a temporary array: then it holds neither NaN nor infinity (finite values
    whose sum overflows are read again by the caller)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.isfinite(np.sum(values)))


def take_rows(column, rows):
    """Values of one column (a pandas or polars Series) at the positions ``rows``,
    as a Series of the same dtype with a fresh index."""
    if hasattr(column, "gather"):  # polars
        return column.gather(rows)
    return column.iloc[rows].reset_index(drop=True)


def get_column(X, j):
    """Column ``j`` of a DataFrame, as a Series."""
    if frame_library(X) == "polars":
        return X.get_column(X.columns[j])
    return X.iloc[:, j]


def frame_like(X, columns):
    """A DataFrame of X's library from one array or Series per column of X.

    The columns take X's names; a Series keeps its dtype (categories included).
    """
    if frame_library(X) == "polars":
        pl = sys.modules["polars"]
        return pl.DataFrame(
            [
                column.alias(name)
                if isinstance(column, pl.Series)
                else pl.Series(name, column)
                for name, column in zip(X.columns, columns)
            ]
        )
    pd = sys.modules["pandas"]
    frame = pd.concat([pd.Series(column) for column in columns], axis=1)
    frame.columns = X.columns
    return frame


def concat_rows(A, B):
    """The rows of two DataFrames of one library (or pandas Series), ``A``'s first.

    A column whose dtypes differ (integers in ``A``, floats in ``B``) takes
    the common one, as :func:`pandas.concat` gives it.
    """
    if frame_library(A) == "polars":
        return sys.modules["polars"].concat([A, B], how="vertical_relaxed")
    return sys.modules["pandas"].concat([A, B], ignore_index=True)
