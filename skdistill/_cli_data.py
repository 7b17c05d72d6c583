"""Command line: data sets, CSV files and their preprocessing."""

import os
import shlex
import warnings

from ._cli import UsageError

# Largest magnitude a numeric feature may have: tree models compute in
# float32, where larger values overflow to infinity.
FLOAT32_MAX = 3.4028234663852886e38

# A non-numeric target, or a numeric one with integer values only, is a
# classification target; numbers with a fractional part are a regression one.
TASKS = ("auto", "classification", "regression")


def add_encoding_arguments(group):
    """The options of how a CSV file's target and text columns are read."""
    group.add_argument(
        "--task",
        choices=TASKS,
        default="auto",
        help="auto: regression when every target value is a number and some "
        "have a fractional part, else classification (default: %(default)s)",
    )
    group.add_argument(
        "--max-categories",
        type=int,
        default=100,
        metavar="N",
        help="most distinct values of a one-hot encoded column (default: %(default)s)",
    )


def load_embedded(name):
    """``X``, ``y`` and a standardizing preprocessor for an embedded data set.

    ``X`` is a DataFrame with the data set's column names when pandas is
    installed, so that a saved model takes a CSV's columns by name
    (``skdistill predict``); an array otherwise.
    """
    from sklearn import datasets
    from sklearn.preprocessing import StandardScaler

    bunch = getattr(datasets, f"load_{name}")()
    X = bunch.data
    try:
        import pandas as pd
    except ImportError:
        pass
    else:
        X = pd.DataFrame(X, columns=[str(c) for c in bunch.feature_names])
    return X, bunch.target, StandardScaler()


# pandas.read_csv's default missing-value markers (its documentation's list),
# for the columns that are not read as written
_DEFAULT_NA = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
    "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
    "nan", "null",
)


def _row_names_and_columns(path, sep, columns):
    """The names to read a file whose rows have more fields than its header
    ``columns`` under, or None when the fields beyond are all empty.

    The fields beyond the header's that are empty on every row, at the end
    of the rows, are a separator ending them; the others, at the start of
    the rows, are the rows' names (R's ``write.table``). The names are the
    header's, after one placeholder per row-name field and before one per
    empty trailing field.
    """
    import pandas as pd

    raw = pd.read_csv(
        path, sep=sep, header=None, skiprows=1, dtype=str, keep_default_na=False,
        index_col=False,
    )
    extra = raw.shape[1] - len(columns)
    trailing = 0
    while trailing < extra and (raw.iloc[:, -1 - trailing] == "").all():
        trailing += 1
    if extra <= trailing:
        return None
    return [
        *(f"\x00row name {i}" for i in range(extra - trailing)),
        *columns,
        *(f"\x00trailing {i}" for i in range(trailing)),
    ]


def read_frame(path, *, sep=",", option="--csv", text_columns=(), as_written=()):
    """Read a CSV file into a DataFrame; ``text_columns`` are read as text.

    The values of the ``as_written`` columns (the target) are read as written,
    as text: only an empty cell is missing there (a class named ``"NA"`` or
    ``"None"`` is a class); the other columns take pandas' missing-value
    markers.

    The columns are those the header names: a separator ending every data
    row (but not the header) adds no column, and a first value beyond the
    header's names is the row's name (R's ``write.table``), not a column. In
    a file of one column, an empty line is a row whose value is missing
    (blank lines after the last value are not rows).

    Raises
    ------
    UsageError
        Missing, unreadable or empty file.
    """
    import pandas as pd

    if not os.path.isfile(path):
        raise UsageError(f"{option}: no such file: {path!r}")
    try:
        # Read the header first, to read the given columns as written.
        header = pd.read_csv(path, sep=sep, nrows=0)
        columns = [str(c) for c in header.columns]
        written = {c for c in header.columns if str(c) in set(as_written)}
        text = written | {c for c in header.columns if str(c) in set(text_columns)}

        def read(**options):
            return pd.read_csv(
                path,
                sep=sep,
                dtype={c: str for c in text} or None,
                keep_default_na=False,
                na_values={
                    c: [""] if c in written else list(_DEFAULT_NA)
                    for c in header.columns
                },
                **options,
            )

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            # never the first values as the rows' index: a trailing separator
            # would otherwise shift every column by one
            frame = read(index_col=False, skip_blank_lines=len(columns) != 1)
        longer = [w for w in caught if "Length of header" in str(w.message)]
        # (pandas 3 with pyarrow warns of an empty trailing field too)
        names = _row_names_and_columns(path, sep, header.columns) if longer else None
        if names is not None:
            # values beyond the header's that are not empty trailing fields:
            # first the row's names (R's write.table), read under names of
            # their own and dropped, as are the empty trailing fields
            frame = read(
                header=0, names=names, index_col=False,
                skip_blank_lines=len(columns) != 1,
            )[list(header.columns)]
    except pd.errors.EmptyDataError:
        raise UsageError(f"{option}: {path!r} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError) as exc:
        text = str(exc).strip()
        first = text.splitlines()[0] if text else type(exc).__name__
        raise UsageError(f"{option}: cannot read {path!r}: {first}") from None
    for warning in caught:
        if warning not in longer:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    if len(columns) == 1:  # blank lines at the end of the file are no rows
        with open(path, "rb") as file:
            lines = file.read().splitlines()
        blank = 0
        while blank < len(lines) and not lines[len(lines) - 1 - blank].strip():
            blank += 1
        frame = frame.iloc[: max(len(frame) - blank, 0)]
    frame.columns = columns
    return frame


def _separator_hint(columns, sep):
    if len(columns) == 1:
        for other, name in (("\t", "\\t"), (";", ";"), ("|", "|"), (",", ",")):
            if other != sep and other in columns[0]:
                return f" (the header has one column; is the separator --sep '{name}'?)"
    return ""


def check_finite_columns(frame, columns, option):
    """Refuse infinite values and values that overflow float32."""
    import numpy as np

    for column in columns:
        values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
        finite = values[~np.isnan(values)]
        if np.isinf(finite).any():
            raise UsageError(
                f"{option}: the column {column!r} holds infinite values; "
                "replace or remove them"
            )
        if finite.size and np.abs(finite).max() > FLOAT32_MAX:
            raise UsageError(
                f"{option}: the column {column!r} holds values beyond "
                f"+-{FLOAT32_MAX:.3g} (they overflow 32-bit floats); rescale it"
            )


# Fewer values than this may all differ by chance: no note of an identifier.
_MIN_IDENTIFIER_VALUES = 20


def _looks_like_row_number(values):
    """An integer column whose values are all distinct (an index, an id)."""
    import numpy as np

    values = values.dropna().to_numpy()
    if values.size < _MIN_IDENTIFIER_VALUES or values.dtype.kind not in "iuf":
        return False
    if not np.all(np.isfinite(values)):
        return False
    if values.dtype.kind == "f" and not np.all(np.mod(values, 1) == 0):
        return False
    return np.unique(values).size == values.size


def _looks_like_text_identifier(values):
    """A text column whose values are all distinct (an id, a name)."""
    values = values.dropna()
    return values.size >= _MIN_IDENTIFIER_VALUES and values.nunique() == values.size


def _identifier_note(column, why):
    """The note on a column that looks like an identifier (``why``: its
    values are all distinct)."""
    return (
        f"the column {column!r} looks like a row number or an identifier "
        f"({why}); it is used as a feature: --drop {shlex.quote(column)} to "
        "leave it out"
    )


def _numbers_but_for(values, target=False):
    """Why a text column looks numeric, or ``None``.

    A column of numbers written with a decimal comma, or of numbers but for a
    few tokens ("?", "-") that spell out missing values (which, in the
    ``target`` column, drop their rows once left empty).
    """
    import pandas as pd

    present = values.dropna().astype(str)
    if present.empty:
        return None
    column = values.name
    commas = present[present.str.contains(",", regex=False)]
    if not commas.empty and pd.to_numeric(
        present.str.replace(",", ".", regex=False), errors="coerce"
    ).notna().all():
        if commas.str.fullmatch(r"-?\d{1,3}(,\d{3})+").all():
            return (
                f"the column {column!r} holds numbers with commas (such as "
                f"{commas.iloc[0]!r}), which are read as text; write them "
                "without thousands separators (or, if the commas are decimal "
                "commas, with a decimal point)"
            )
        return (
            f"the column {column!r} holds numbers written with a decimal comma "
            f"(such as {commas.iloc[0]!r}), which are read as text; write them "
            "with a decimal point"
        )
    odd = present[pd.to_numeric(present, errors="coerce").isna()]
    if 0 < len(odd) <= 0.05 * len(present):
        return (
            f"the column {column!r} holds numbers except for {len(odd)} cell(s) "
            f"such as {odd.iloc[0]!r}; if those mark missing values, leave the "
            "cells empty ("
            + ("their rows are then dropped" if target else "they are then imputed")
            + ")"
        )
    return None


def _numeric_target(values):
    """The target as floats when every value is a number, else ``None``."""
    import pandas as pd

    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any():
        return None
    return numbers.to_numpy(dtype=float)


def load_csv_of(args, **options):
    """:func:`load_csv` of the command line's ``--csv`` with its options."""
    return load_csv(
        args.csv,
        args.target,
        drop=args.drop,
        max_categories=args.max_categories,
        sep=args.sep,
        task=args.task,
        **options,
    )


def load_csv(
    path,
    target,
    *,
    drop=(),
    max_categories=100,
    sep=",",
    task="auto",
    split="the stratified train/test split's two parts",
):
    """Read a CSV file into ``X`` (a DataFrame), ``y`` and a preprocessor.

    Parameters
    ----------
    path : str
        The CSV file, with a header row.
    target : str
        The target column. Its values are read as written (``1`` and ``01``
        are two labels).
    drop : sequence of str, default=()
        Columns not used as features.
    max_categories : int, default=100
        Most distinct values of a non-numeric column; a column with more
        cannot be one-hot encoded usefully and is a :class:`UsageError`.
    sep : str, default=","
        Field separator.
    task : {"auto", "classification", "regression"}, default="auto"
        ``"auto"``: regression when every target value is a number and one
        has a fractional part, else classification.
    split : str, default="the stratified train/test split's two parts"
        What needs two rows per class (plural), for the message refusing fewer.

    Returns
    -------
    X : DataFrame
    y : ndarray
        Labels as strings (classification) or floats (regression).
    preprocessor : ColumnTransformer
        Median imputation and standardization of the numeric columns,
        one-hot encoding of the others (unknown values ignored).
    notes : list of str
        What was dropped or looks suspicious, for the user.
    task : {"classification", "regression"}

    Raises
    ------
    UsageError
        Missing or unreadable file, empty file, unknown column, a column that
        cannot be encoded or holds infinite values, no feature left, fewer
        than two classes.
    """
    import numpy as np
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = read_frame(path, sep=sep, as_written=[target])
    columns = list(frame.columns)
    if target not in columns:
        raise UsageError(
            f"--target: no column {target!r} in {path!r}; the columns are "
            f"{_short_list(columns)}{_separator_hint(columns, sep)}"
        )
    unknown = [c for c in drop if c not in columns]
    if unknown:
        raise UsageError(
            f"--drop: no column {unknown[0]!r} in {path!r}; the columns are "
            f"{_short_list(columns)}"
        )
    if target in drop:
        raise UsageError(f"--drop: {target!r} is the --target column")
    if len(frame) == 0:
        raise UsageError(f"--csv: {path!r} has a header but no data rows")

    notes = []
    missing_target = frame[target].isna().to_numpy()
    if missing_target.all():
        raise UsageError(f"--target: the column {target!r} has no values")
    if missing_target.any():
        notes.append(
            f"dropped {int(missing_target.sum())} of {len(frame)} rows with a "
            f"missing {target!r}"
        )
        frame = frame.loc[~missing_target]
    labels = frame[target].astype(str)
    numbers = _numeric_target(labels)
    if task == "auto":
        # (an infinite number has no fractional part: "inf" is read as a label)
        fractional = numbers is not None and not np.all(
            np.mod(numbers[np.isfinite(numbers)], 1) == 0
        )
        task = "regression" if fractional else "classification"
    if task == "regression":
        if numbers is None:
            raise UsageError(
                f"--task regression: the column {target!r} holds values that are "
                "not numbers"
            )
        if not np.all(np.isfinite(numbers)):
            raise UsageError(
                f"--target: the column {target!r} holds infinite or NaN values"
            )
        if np.abs(numbers).max() > FLOAT32_MAX:
            raise UsageError(
                f"--target: the column {target!r} holds values beyond "
                f"+-{FLOAT32_MAX:.3g}; rescale it"
            )
        if np.unique(numbers).size < 2:
            raise UsageError(f"--target: the column {target!r} is constant")
        y = numbers
    else:
        y = labels.to_numpy(dtype=object)
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise UsageError(
                f"--target: the column {target!r} has a single class "
                f"({classes[0]!r}); at least two are needed"
            )
        if counts.min() < 2:
            rare = classes[counts < 2]
            odd = None if numbers is not None else _numbers_but_for(labels, True)
            hint = (
                "; if it is a quantity, use --task regression"
                if numbers is not None
                else f"; {odd} (then --task regression)" if odd is not None else ""
            )
            raise UsageError(
                f"--target: {len(rare)} of the {len(classes)} classes of "
                f"{target!r} have a single row (e.g. {rare[0]!r}); {split} "
                f"need at least 2 rows per class{hint}"
            )

    X = frame.drop(columns=[target, *drop])
    numeric, categorical = [], []
    for column in X.columns:
        values = X[column]
        if values.isna().all():
            notes.append(f"dropped the column {column!r}, which has no values")
            continue
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
            values
        ):
            numeric.append(column)
            if column.startswith("Unnamed:") or _looks_like_row_number(values):
                notes.append(_identifier_note(column, "all values distinct integers"))
            continue
        n_values = values.nunique(dropna=True)
        odd = _numbers_but_for(values)
        if n_values > max_categories:
            if odd is not None:
                raise UsageError(f"--csv: {odd}, or --drop {shlex.quote(column)}")
            raise UsageError(
                f"--csv: the non-numeric column {column!r} has {n_values} distinct "
                f"values (more than --max-categories {max_categories}) and cannot "
                f"be one-hot encoded; --drop {shlex.quote(column)} or raise "
                "--max-categories"
            )
        if odd is not None:
            notes.append(f"{odd}; it is one-hot encoded as text meanwhile")
        elif _looks_like_text_identifier(values):
            notes.append(_identifier_note(column, "all values distinct"))
        categorical.append(column)
    if not numeric and not categorical:
        raise UsageError(f"--csv: {path!r} has no feature column besides {target!r}")
    check_finite_columns(X, numeric, "--csv")
    X = X[numeric + categorical]
    if categorical:
        # One type per column for the encoder: text, missing values kept as NaN.
        X = X.astype({c: object for c in categorical})
    transformers = []
    if numeric:
        transformers.append(
            (
                "numeric",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="median")),
                        ("scale", StandardScaler()),
                    ]
                ),
                numeric,
            )
        )
    if categorical:
        transformers.append(
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            )
        )
    preprocessor = ColumnTransformer(transformers, sparse_threshold=0.0)
    return X, y, preprocessor, notes, task


def _short_list(names, n=10):
    shown = ", ".join(repr(n_) for n_ in names[:n])
    return shown + (f", ... ({len(names)} in all)" if len(names) > n else "")
