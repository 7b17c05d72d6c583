"""Command line, ``skdistill predict``: predictions of a saved model on a CSV file."""

import os

from ._cli import (
    UsageError,
    check_output_path,
    print_note,
    print_text,
    separator,
    write_atomically,
)
from ._optional import optional_error


def add_predict_parser(subparsers):
    """Add the ``predict`` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "predict",
        help="predict with a model saved by 'skdistill --save'",
        description=(
            "Predict with a model saved by 'skdistill ... --save FILE.skops' "
            "(its preprocessing and student) on the rows of a CSV file: one "
            "prediction per row, in the order of the file, as a CSV with a "
            "'prediction' column (and one 'proba_<class>' column per class "
            "with --proba). The columns the model was trained on are taken by "
            "name; other columns (e.g. the target) are ignored. A model without "
            "column names (trained on --dataset where pandas was not "
            "installed) takes the file's columns in their order, as a note "
            "says."
        ),
    )
    parser.add_argument(
        "--model", required=True, metavar="FILE.skops", help="the saved model"
    )
    parser.add_argument(
        "--csv",
        required=True,
        metavar="PATH",
        help="the rows to predict (needs pandas)",
    )
    parser.add_argument(
        "--sep",
        type=separator,
        default=",",
        metavar="CHAR",
        help="field separator of --csv and of the output; \\t for TSV "
        "(default: ',')",
    )
    parser.add_argument(
        "--out",
        metavar="FILE.csv",
        help="write the predictions to this file (atomically) instead of stdout",
    )
    parser.add_argument(
        "--proba",
        action="store_true",
        help="add the class probabilities (classifiers with predict_proba)",
    )
    return parser


def _categorical_columns(model):
    """``{column: categories}`` of the model's one-hot encoded columns."""
    preprocess = model[0] if hasattr(model, "steps") else None
    for name, encoder, columns in getattr(preprocess, "transformers_", ()):
        if name == "categorical":
            return dict(zip(columns, getattr(encoder, "categories_", ())))
    return {}


def _text_columns(model):
    """The categorical columns whose training values were text: read as text,
    so that a file whose values there are all digits ("1", "2") is not read
    as numbers, which no category would match."""
    return [
        column
        for column, categories in _categorical_columns(model).items()
        if all(isinstance(c, str) for c in categories if c == c)  # NaN aside
    ]


def _feature_frame(model, frame, path, sep=","):
    """The columns ``model`` was fitted on, typed as in training."""
    import numpy as np

    from ._cli_data import _separator_hint, check_finite_columns

    names = getattr(model, "feature_names_in_", None)
    if names is None:
        n = getattr(model, "n_features_in_", None)
        if n is not None and frame.shape[1] != n:
            raise UsageError(
                f"--csv: the model takes {n} columns and {path!r} has "
                f"{frame.shape[1]}{_separator_hint(list(frame.columns), sep)}"
            )
        check_finite_columns(frame, list(frame.columns), "--csv")
        print_note(
            "the model has no column names (it was trained on an array): the "
            f"{frame.shape[1]} columns of {path!r} are taken in their order"
        )
        return frame.to_numpy(dtype=np.float64)
    names = [str(n) for n in names]
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise UsageError(
            f"--csv: {path!r} lacks {len(missing)} of the model's columns: "
            + ", ".join(repr(m) for m in missing[:10])
            + _separator_hint(list(frame.columns), sep)
        )
    X = frame[names]
    categorical = set(_categorical_columns(model))
    numeric = [c for c in names if c not in categorical]
    import pandas as pd

    for column in numeric:
        if not pd.api.types.is_numeric_dtype(X[column]):
            raise UsageError(
                f"--csv: the column {column!r} was numeric in training and holds "
                f"text in {path!r}"
            )
    check_finite_columns(X, numeric, "--csv")
    if categorical:
        X = X.astype({c: object for c in categorical})
    return X


def run_predict(args):
    """Run ``skdistill predict``; the predictions go to ``--out`` or stdout."""
    check_output_path("--out", args.out)
    if not os.path.isfile(args.model):
        raise UsageError(f"--model: no such file: {args.model!r}")
    for module in ("pandas", "skops.io"):
        message = optional_error(module, "predict")
        if message is not None:
            raise UsageError(message)
    import numpy as np
    import pandas as pd

    from ._cli_data import read_frame
    from .io import load, other_version_note

    import zipfile

    try:
        model = load(args.model)
    except TypeError as exc:
        text = str(exc).replace(
            "pass them in `trusted`",
            "load it in Python with skdistill.io.load(path, trusted=[...]) "
            "(skdistill predict trusts no other type)",
        )
        raise UsageError(f"--model: {text}") from None
    except (AttributeError, ImportError) as exc:
        if other_version_note(args.model) is None:
            raise
        raise UsageError(f"--model: {exc}") from None  # it names the versions
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise UsageError(
            f"--model: {args.model!r} is not a model saved by skdistill ({exc})"
        ) from None
    if not hasattr(model, "predict"):
        raise UsageError(f"--model: {args.model!r} holds no model that predicts")
    frame = read_frame(args.csv, sep=args.sep, text_columns=_text_columns(model))
    if len(frame) == 0:
        raise UsageError(f"--csv: {args.csv!r} has a header but no data rows")
    X = _feature_frame(model, frame, args.csv, args.sep)
    try:
        predictions = model.predict(X)
        proba = None
        if args.proba and hasattr(model, "predict_proba"):
            proba = np.asarray(model.predict_proba(X))
    except AttributeError as exc:
        # loaded, but built by another scikit-learn than the one it needs
        note = other_version_note(args.model)
        if note is None:
            raise
        raise UsageError(f"--model: {type(exc).__name__}: {exc}. {note}") from None
    except ValueError as exc:
        missing = [str(c) for c in frame.columns if frame[c].isna().any()]
        if "NaN" not in str(exc) or not missing:
            raise
        raise UsageError(
            f"--csv: {args.csv!r} has missing values (in "
            f"{', '.join(repr(c) for c in missing[:10])}), which the model "
            "cannot take: it was trained without imputation (as on an embedded "
            "data set). Fill them in, or train on a CSV file, whose missing "
            "values are imputed."
        ) from None
    out = pd.DataFrame({"prediction": predictions})
    if args.proba:
        if proba is None:
            raise UsageError("--proba: the model has no class probabilities")
        for k, label in enumerate(model.classes_):
            out[f"proba_{label}"] = proba[:, k]
    text = out.to_csv(index=False, sep=args.sep, lineterminator="\n")
    if args.out is None:
        return print_text(text.rstrip("\n"))
    write_atomically(args.out, text)
    return 0
