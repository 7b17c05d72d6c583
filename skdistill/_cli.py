"""Command line: distil a teacher into a small student and report on a test set."""

import argparse
import copy
import json
import os
import sys
import tempfile
import time

import numpy as np
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.validation import has_fit_parameter

from . import __version__
from ._classifier import DistilledClassifier
from .metrics import compression_report, format_report

DATASETS = ("digits", "wine", "breast_cancer", "iris")
TEACHERS = {
    "svm": "RBF SVM",
    "forest": "random forest",
    "boosting": "gradient boosting",
    "knn": "k-NN",
}
STUDENTS = ("logistic", "ridge", "tree", "mlp")
LINEAR_STUDENTS = ("logistic", "ridge")

# The penalty searched by --grid for each student (name of the student's
# parameter, candidate values).
GRID_PENALTY = {
    "logistic": ("C", [0.1, 1.0, 10.0]),
    "ridge": ("alpha", [0.1, 1.0, 10.0]),
    "tree": ("max_depth", [2, 4, 8]),
    "mlp": ("alpha", [1e-4, 1e-2, 1.0]),
}
GRID_ALPHA = [0.0, 0.5, 0.9]
GRID_T = [1.0, 4.0]
GRID_CV = 3


class UsageError(Exception):
    """Bad input from the user: reported as ``skdistill: error: ...``, exit 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit code 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser():
    """The argument parser of ``skdistill`` / ``python -m skdistill``."""
    parser = _Parser(
        prog="skdistill",
        description=(
            "Distil a large teacher into a small student and print test "
            "accuracy, agreement with the teacher (fidelity), non-zero "
            "parameters, pickled size and prediction time per 1,000 rows for "
            "the teacher, the student trained on the hard labels and the "
            "distilled student. Without arguments: an RBF-SVM teacher and a "
            "logistic-regression student on scikit-learn's digits data set "
            "(embedded, no download)."
        ),
        epilog=(
            "CSV files: numeric columns are median-imputed and standardized, "
            "other columns one-hot encoded (missing values are a category of "
            "their own, unknown test values are ignored); rows with a missing "
            "target are dropped (with a note on stderr); columns with no "
            "value at all are dropped; a non-numeric column with more than "
            "--max-categories distinct values (an identifier, free text, a "
            "timestamp) cannot be encoded and is an error unless --drop'ped."
        ),
    )
    data = parser.add_argument_group("data")
    source = data.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        choices=DATASETS,
        default=None,
        help="scikit-learn's embedded data set (default: digits)",
    )
    source.add_argument(
        "--csv", metavar="PATH", help="a CSV file with a header row (needs pandas)"
    )
    data.add_argument(
        "--target",
        metavar="COLUMN",
        help="the label column of --csv (required with it)",
    )
    data.add_argument(
        "--drop",
        metavar="COLUMN",
        action="append",
        default=[],
        help="a column of --csv not to use as a feature (repeatable)",
    )
    data.add_argument(
        "--max-categories",
        type=int,
        default=100,
        metavar="N",
        help="most distinct values of a one-hot encoded column (default: %(default)s)",
    )
    data.add_argument(
        "--test-size",
        type=float,
        default=0.3,
        help="fraction of the rows held out for testing (default: %(default)s)",
    )
    data.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the split and of the randomized models (default: %(default)s)",
    )

    models = parser.add_argument_group("models")
    models.add_argument(
        "--teacher",
        choices=list(TEACHERS),
        default="svm",
        help="svm: SVC() (its decision function gives the soft targets); "
        "forest: RandomForestClassifier; boosting: "
        "HistGradientBoostingClassifier; knn: KNeighborsClassifier "
        "(default: %(default)s)",
    )
    models.add_argument(
        "--n-estimators",
        type=int,
        default=100,
        metavar="N",
        help="trees of the forest / boosting iterations (default: %(default)s)",
    )
    models.add_argument(
        "--student",
        choices=STUDENTS,
        default="logistic",
        help="logistic: LogisticRegression; ridge: Ridge fitted on the log "
        "targets; tree: DecisionTreeClassifier(max_depth=...); mlp: "
        "MLPClassifier(hidden_layer_sizes=(32,)) (default: %(default)s)",
    )
    models.add_argument(
        "-C",
        dest="C",
        type=float,
        default=None,
        help="inverse penalty of the student: C of logistic, alpha=1/C of "
        "ridge, alpha=1e-4/C of mlp; C=1 gives scikit-learn's default "
        "penalty (default: 1.0; not for tree)",
    )
    models.add_argument(
        "--max-depth",
        type=int,
        default=None,
        help="depth of the tree student (default: 5; only for tree)",
    )
    models.add_argument(
        "--alpha",
        type=float,
        default=0.5,
        help="weight of the teacher in the training targets, in [0, 1] "
        "(default: %(default)s)",
    )
    models.add_argument(
        "-T",
        "--temperature",
        dest="T",
        type=float,
        default=4.0,
        help="temperature applied to the teacher's logits, > 0 (default: %(default)s)",
    )
    models.add_argument(
        "--augment",
        choices=("none", "munge", "gaussian"),
        default=None,
        help="synthetic transfer-set rows labelled by the teacher (default: none)",
    )
    models.add_argument(
        "--augment-size",
        type=float,
        default=None,
        metavar="FACTOR",
        help="synthetic rows per training row with --augment (default: 1.0)",
    )
    models.add_argument(
        "--teacher-cv",
        type=int,
        default=None,
        metavar="K",
        help="use K-fold out-of-fold teacher outputs as soft targets",
    )
    models.add_argument(
        "--sparsity",
        type=float,
        default=None,
        metavar="S",
        help="prune the distilled linear student to this fraction of zero "
        "coefficients with SparsifyTransformer (logistic and ridge only)",
    )
    models.add_argument(
        "--grid",
        action="store_true",
        help=f"choose alpha in {GRID_ALPHA}, T in {GRID_T} and the student's "
        f"penalty by {GRID_CV}-fold GridSearchCV on the training rows",
    )
    models.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="parallel jobs of --grid (default: 1)",
    )

    output = parser.add_argument_group("output")
    output.add_argument(
        "--json",
        action="store_true",
        help="print the report as JSON instead of a table",
    )
    output.add_argument(
        "--plot",
        metavar="FILE.png",
        help="save the student-vs-teacher agreement plot (needs matplotlib)",
    )
    output.add_argument(
        "--save",
        metavar="FILE.skops",
        help="save the fitted preprocessing + distilled model with skops.io.dump "
        "(needs skops; the teacher is dropped, predictions come from the student)",
    )
    output.add_argument(
        "--verbose",
        action="store_true",
        help="print progress with elapsed seconds to stderr",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    return parser


def _check_args(parser, args):
    """Usage errors that argparse cannot see by itself."""
    if not 0 <= args.alpha <= 1:
        parser.error(f"--alpha must be in [0, 1], got {args.alpha}")
    if args.T <= 0:
        parser.error(f"-T must be > 0, got {args.T}")
    if args.C is not None and args.C <= 0:
        parser.error(f"-C must be > 0, got {args.C}")
    if args.C is not None and args.student == "tree":
        parser.error("-C does not apply to --student tree; use --max-depth")
    if args.max_depth is not None and args.student != "tree":
        parser.error("--max-depth applies only to --student tree")
    if args.max_depth is not None and args.max_depth < 1:
        parser.error(f"--max-depth must be >= 1, got {args.max_depth}")
    if not 0 < args.test_size < 1:
        parser.error(f"--test-size must be in (0, 1), got {args.test_size}")
    if args.n_estimators < 1:
        parser.error(f"--n-estimators must be >= 1, got {args.n_estimators}")
    if args.max_categories < 1:
        parser.error(f"--max-categories must be >= 1, got {args.max_categories}")
    if args.csv is None and (args.target is not None or args.drop):
        parser.error("--target and --drop apply only to --csv")
    if args.csv is not None and args.target is None:
        parser.error("--csv needs --target COLUMN, the label column")
    if args.sparsity is not None:
        if not 0 <= args.sparsity < 1:
            parser.error(f"--sparsity must be in [0, 1), got {args.sparsity}")
        if args.student not in LINEAR_STUDENTS:
            parser.error(
                f"--sparsity prunes linear coefficients; --student {args.student} "
                f"has none (use one of {', '.join(LINEAR_STUDENTS)})"
            )
    if args.teacher_cv is not None and args.teacher_cv < 2:
        parser.error(f"--teacher-cv must be >= 2, got {args.teacher_cv}")
    if args.augment_size is not None:
        if args.augment in (None, "none"):
            parser.error("--augment-size needs --augment munge or --augment gaussian")
        if args.augment_size <= 0:
            parser.error(f"--augment-size must be > 0, got {args.augment_size}")
    if args.n_jobs is not None and not args.grid:
        parser.error("--n-jobs applies only to --grid")
    for option, path in (("--plot", args.plot), ("--save", args.save)):
        if path is not None:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                parser.error(f"{option}: the folder {folder!r} does not exist")
    # Optional dependencies: fail before the long steps, not after.
    for needed, module, package in (
        (args.csv, "pandas", "pandas"),
        (args.plot, "matplotlib", "matplotlib"),
        (args.save, "skops.io", "skops"),
    ):
        if needed is not None:
            try:
                __import__(module)
            except ImportError:
                parser.error(
                    f"{_option_of(module)} needs {package}: pip install {package}"
                )


def _option_of(module):
    return {"pandas": "--csv", "matplotlib": "--plot", "skops.io": "--save"}[module]


class _Progress:
    """Progress lines with elapsed seconds on stderr (only when verbose)."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.start = time.perf_counter()

    def __call__(self, message):
        if self.verbose:
            elapsed = time.perf_counter() - self.start
            print(f"[{elapsed:7.2f}s] {message}", file=sys.stderr, flush=True)


def load_embedded(name):
    """``X, y`` and a standardizing preprocessor for an embedded data set."""
    from sklearn import datasets

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return X, y, StandardScaler()


def load_csv(path, target, *, drop=(), max_categories=100):
    """Read a CSV file into ``X`` (a DataFrame), ``y`` and a preprocessor.

    Parameters
    ----------
    path : str
        The CSV file, with a header row.
    target : str
        The label column.
    drop : sequence of str, default=()
        Columns not used as features.
    max_categories : int, default=100
        Most distinct values of a non-numeric column; a column with more
        cannot be one-hot encoded usefully and is a :class:`UsageError`.

    Returns
    -------
    X : DataFrame
    y : ndarray
    preprocessor : ColumnTransformer
        Median imputation and standardization of the numeric columns,
        one-hot encoding of the others (unknown values ignored).
    notes : list of str
        What was dropped, for the user.

    Raises
    ------
    UsageError
        Missing or unreadable file, empty file, unknown column, a column that
        cannot be encoded, no feature left, fewer than two classes.
    """
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder

    if not os.path.isfile(path):
        raise UsageError(f"--csv: no such file: {path!r}")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise UsageError(f"--csv: {path!r} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        first = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        raise UsageError(f"--csv: cannot read {path!r}: {first}") from None
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if target not in columns:
        raise UsageError(
            f"--target: no column {target!r} in {path!r}; the columns are "
            f"{_short_list(columns)}"
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
    y = frame[target].to_numpy()
    if np.asarray(y).dtype.kind == "f":
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise UsageError(
                f"--target: the column {target!r} holds non-integer numbers; "
                "skdistill's command line does classification (labels)"
            )
        y = y.astype(np.int64)
    classes, counts = np.unique(
        y.astype(str) if y.dtype == object else y, return_counts=True
    )
    if len(classes) < 2:
        raise UsageError(
            f"--target: the column {target!r} has a single class "
            f"({_to_builtin(classes[0])!r}); classification needs at least 2"
        )
    if counts.min() < 2:
        raise UsageError(
            f"--target: the class {_to_builtin(classes[np.argmin(counts)])!r} of "
            f"{target!r} "
            "has a single row; the stratified train/test split needs at least 2 "
            "rows per class"
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
            continue
        n_values = values.nunique(dropna=True)
        if n_values > max_categories:
            raise UsageError(
                f"--csv: the non-numeric column {column!r} has {n_values} distinct "
                f"values (more than --max-categories {max_categories}) and cannot "
                f"be one-hot encoded; --drop {column} or raise --max-categories"
            )
        categorical.append(column)
    if not numeric and not categorical:
        raise UsageError(f"--csv: {path!r} has no feature column besides {target!r}")
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
    return X, y, preprocessor, notes


def _short_list(names, n=10):
    shown = ", ".join(repr(n_) for n_ in names[:n])
    return shown + (f", ... ({len(names)} in all)" if len(names) > n else "")


def make_teacher(name, *, n_estimators=100, random_state=0):
    """The unfitted teacher for ``--teacher name``."""
    if name == "svm":
        from sklearn.svm import SVC

        return SVC()
    if name == "forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(
            n_estimators=n_estimators, random_state=random_state
        )
    if name == "boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            max_iter=n_estimators, random_state=random_state
        )
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier()


def make_student(name, *, C=1.0, max_depth=5, random_state=0):
    """The unfitted student for ``--student name``.

    ``C`` is an inverse penalty: ``C`` of the logistic regression,
    ``alpha=1/C`` of the ridge, ``alpha=1e-4/C`` of the MLP (``C=1`` gives
    scikit-learn's defaults). The MLP is an ``MLPClassifier`` when its ``fit``
    takes ``sample_weight`` (scikit-learn >= 1.7), else an ``MLPRegressor``
    fitted on the log targets (logit matching).
    """
    if name == "logistic":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=C, max_iter=1000)
    if name == "ridge":
        from sklearn.linear_model import Ridge

        return Ridge(alpha=1.0 / C)
    if name == "tree":
        from sklearn.tree import DecisionTreeClassifier

        return DecisionTreeClassifier(max_depth=max_depth, random_state=random_state)
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    params = {
        "hidden_layer_sizes": (32,),
        "alpha": 1e-4 / C,
        "max_iter": 500,
        "random_state": random_state,
    }
    if has_fit_parameter(MLPClassifier(), "sample_weight"):
        return MLPClassifier(**params)
    return MLPRegressor(**params)


def describe_student(name, student):
    if name == "logistic":
        return f"logistic (C={student.C})"
    if name == "ridge":
        return f"ridge (alpha={student.alpha:g})"
    if name == "tree":
        return f"tree (max_depth={student.max_depth})"
    kind = type(student).__name__
    return f"mlp (32 hidden units, alpha={student.alpha:g}, {kind})"


def _is_regressor(estimator):
    return get_tags(estimator).estimator_type == "regressor"


def _extra_params(args):
    """DistilledClassifier parameters given on the command line only."""
    extra = {}
    if args.augment not in (None, "none"):
        extra["augment"] = args.augment
        extra["random_state"] = args.random_state
        if args.augment_size is not None:
            extra["augment_size"] = args.augment_size
    if args.teacher_cv is not None:
        extra["teacher_cv"] = args.teacher_cv
    return extra


def _make_distilled(teacher, student, args, extra, memory):
    return DistilledClassifier(
        teacher, student, alpha=args.alpha, T=args.T, memory=memory, **extra
    )


def _without_teacher(model, teacher):
    """A shallow copy of a fitted DistilledClassifier that predicts without its teacher.

    ``teacher_`` is deleted and the ``teacher`` parameter reset to the
    unfitted ``teacher`` (the design lets the teacher go after ``fit``).
    """
    small = copy.copy(model)
    small.teacher = teacher
    small.memory = None  # the run's cache is gone after the run
    if hasattr(small, "teacher_"):
        del small.teacher_
    return small


def _report_model(distilled, teacher):
    """What the report measures for a distilled model: its student when the
    student is a classifier, else the distilled model without its teacher."""
    if _is_regressor(distilled.student_):
        return _without_teacher(distilled, teacher)
    return distilled.student_


def _to_builtin(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def run(args, progress=None):
    """Fit the models and return the result (a dict; see ``main``).

    The teacher's fit and outputs are cached for the run (``memory``), so the
    grid search and the pruning fit the teacher once per training set.
    """
    with tempfile.TemporaryDirectory(prefix="skdistill-") as cache:
        return _run(args, progress or _Progress(False), cache)


def _run(args, progress, cache):
    from sklearn.model_selection import train_test_split

    if args.csv is not None:
        progress(f"loading {args.csv}")
        X, y, preprocessor, notes = load_csv(
            args.csv, args.target, drop=args.drop, max_categories=args.max_categories
        )
        dataset = os.path.basename(args.csv)
    else:
        dataset = args.dataset or "digits"
        progress(f"loading {dataset}")
        X, y, preprocessor = load_embedded(dataset)
        notes = []
    for note in notes:
        print(f"skdistill: note: {note}", file=sys.stderr)
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=args.test_size, stratify=y, random_state=args.random_state
        )
    except ValueError as exc:
        raise UsageError(f"--test-size {args.test_size}: {exc}") from None

    C = 1.0 if args.C is None else args.C
    max_depth = 5 if args.max_depth is None else args.max_depth
    teacher = make_teacher(
        args.teacher, n_estimators=args.n_estimators, random_state=args.random_state
    )
    student = make_student(
        args.student, C=C, max_depth=max_depth, random_state=args.random_state
    )
    extra = _extra_params(args)
    pipe = Pipeline(
        [
            ("preprocess", preprocessor),
            ("distill", _make_distilled(teacher, student, args, extra, cache)),
        ]
    )
    best_params = None
    if args.grid:
        from sklearn.model_selection import GridSearchCV

        penalty, values = GRID_PENALTY[args.student]
        grid = {
            "distill__alpha": GRID_ALPHA,
            "distill__T": GRID_T,
            f"distill__student__{penalty}": values,
        }
        n_candidates = int(np.prod([len(v) for v in grid.values()]))
        progress(
            f"grid search: {n_candidates} candidates x {GRID_CV} folds, teacher "
            f"{TEACHERS[args.teacher]} fitted once per training set (cached)"
        )
        search = GridSearchCV(pipe, grid, cv=GRID_CV, n_jobs=args.n_jobs)
        search.fit(X_train, y_train)
        best_params = {
            key.removeprefix("distill__"): _to_builtin(value)
            for key, value in search.best_params_.items()
        }
        best_params["cv_accuracy"] = float(search.best_score_)
        pipe = search.best_estimator_
    else:
        progress(f"fitting the teacher ({TEACHERS[args.teacher]}) and the student")
        pipe.fit(X_train, y_train)

    preprocess = pipe[0]
    distilled = pipe[-1]
    Xt_train = preprocess.transform(X_train)
    Xt_test = preprocess.transform(X_test)
    student = distilled.student  # with the penalty chosen by --grid
    progress("fitting the student on the hard labels")
    hard = DistilledClassifier(
        FrozenEstimator(distilled.teacher_), student, alpha=0.0
    ).fit(Xt_train, y_train)

    teacher_name = f"teacher ({TEACHERS[args.teacher]})"
    models = {
        teacher_name: distilled.teacher_,
        "student, hard labels": _report_model(hard, teacher),
        "student, distilled": _report_model(distilled, teacher),
    }
    final = distilled
    achieved = None
    if args.sparsity is not None:
        from ._sparsify import SparsifyTransformer

        progress(f"pruning the distilled student to sparsity {args.sparsity}")
        # the teacher's fit and outputs come from the run's cache (memory)
        sparse = SparsifyTransformer(
            clone(distilled), sparsity=args.sparsity, refit=args.student == "logistic"
        ).fit(Xt_train, y_train)
        final = sparse.estimator_
        achieved = float(sparse.sparsity_)
        models["student, distilled, pruned"] = _report_model(final, teacher)

    progress("measuring the report (accuracy, fidelity, size, speed)")
    report = compression_report(models, Xt_test, y_test, teacher=teacher_name)

    if args.plot is not None:
        progress(f"plotting to {args.plot}")
        _plot(final, Xt_test, distilled.teacher_, args.plot, dataset)
    if args.save is not None:
        progress(f"saving to {args.save}")
        import skops.io as sio

        saved = Pipeline(
            [("preprocess", preprocess), ("distill", _without_teacher(final, teacher))]
        )
        sio.dump(saved, args.save)
    progress("done")

    return {
        "dataset": dataset,
        "source": os.path.abspath(args.csv) if args.csv else "scikit-learn (embedded)",
        "target": args.target,
        "n_train": len(y_train),
        "n_test": len(y_test),
        "n_features": int(np.asarray(X).shape[1]),
        "n_features_encoded": int(Xt_train.shape[1]),
        "classes": [_to_builtin(c) for c in distilled.classes_],
        "teacher": args.teacher,
        "student": args.student,
        "student_description": describe_student(args.student, student),
        "parameters": {
            "alpha": float(distilled.alpha),
            "T": float(distilled.T),
            "C": None if args.student == "tree" else C,
            "max_depth": max_depth if args.student == "tree" else None,
            "sparsity": args.sparsity,
            "augment": args.augment or "none",
            "augment_size": args.augment_size,
            "teacher_cv": args.teacher_cv,
            "grid": args.grid,
            "test_size": args.test_size,
            "random_state": args.random_state,
        },
        "best_params": best_params,
        "sparsity_achieved": achieved,
        "teacher_name": teacher_name,
        "models": [
            {"name": name, "role": role, **row}
            for (name, row), role in zip(
                report.items(), ["teacher", "hard_labels", "distilled", "pruned"]
            )
        ],
        "report": report,
    }


def _plot(model, X, teacher, path, dataset):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ._plotting import AgreementDisplay

    display = AgreementDisplay.from_estimator(
        model, X, teacher=teacher, name="distilled student"
    )
    display.ax_.set_title(f"{dataset}: distilled student vs teacher (test set)")
    display.figure_.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(display.figure_)


def format_result(result):
    """The table printed by the command line (header line, best parameters)."""
    params = result["parameters"]
    header = (
        f"{result['dataset']}: teacher {TEACHERS[result['teacher']]}, students "
        f"{result['student_description']}; alpha={params['alpha']}, T={params['T']}"
    )
    extras = []
    if params["augment"] != "none":
        extras.append(f"augment={params['augment']}")
    if params["teacher_cv"] is not None:
        extras.append(f"teacher_cv={params['teacher_cv']}")
    if params["sparsity"] is not None:
        extras.append(
            f"sparsity={params['sparsity']} (achieved {result['sparsity_achieved']:.3f})"
        )
    lines = [header + "".join(f", {e}" for e in extras)]
    if result["best_params"] is not None:
        best = ", ".join(
            f"{k}={v}" for k, v in result["best_params"].items() if k != "cv_accuracy"
        )
        lines.append(
            f"grid search best: {best} "
            f"(cv accuracy {result['best_params']['cv_accuracy']:.3f})"
        )
    lines.append(format_report(result["report"]))
    return "\n".join(lines)


def main(argv=None):
    """Entry point of ``skdistill`` and ``python -m skdistill``.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success. Usage errors exit with status 2 and a one-line message
        ``skdistill: error: ...`` on stderr.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_args(parser, args)
    progress = _Progress(args.verbose)
    try:
        result = run(args, progress)
    except UsageError as exc:
        parser.error(str(exc))
    if args.json:
        payload = {k: v for k, v in result.items() if k != "report"}
        text = json.dumps(payload, indent=2, default=_to_builtin)
    else:
        text = format_result(result)
    try:
        print(text, flush=True)
    except BrokenPipeError:  # e.g. piped into `head`
        # Python flushes stdout again at exit: point it at devnull first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0
