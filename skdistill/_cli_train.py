"""Command line, default command: distil a teacher and report on a test set."""

import os
import sys
import time

from . import __version__
from ._cli import (
    UsageError,
    _Parser,
    add_source_arguments,
    check_output_path,
    finite_float,
    print_text,
    seed,
)
from ._cli_data import add_encoding_arguments
from ._cli_models import (
    GRID_ALPHA,
    GRID_CV,
    GRID_T,
    LINEAR_STUDENTS,
    REGRESSION_STUDENTS,
    STUDENTS,
    TEACHERS,
)
from ._cli_report import report_image_path
from ._optional import optional_error


_DESCRIPTION = (
    "Distil a large teacher into a small student and print the test score "
    "(accuracy, or R2 for a numeric target), agreement with the teacher "
    "(fidelity), non-zero parameters, size of the saved file and prediction "
    "time per 1,000 rows (both with the preprocessing) for the teacher, the "
    "student trained on the labels alone and the distilled student. Without "
    "arguments: an RBF-SVM teacher "
    "and a logistic-regression student on scikit-learn's digits data set "
    "(embedded, no download)."
)
_EPILOG = (
    "CSV files: numeric columns are median-imputed and standardized, other "
    "columns one-hot encoded (missing values are a category of their own, "
    "unknown test values are ignored); rows with a missing target are dropped "
    "(with a note on stderr); columns with no value at all are dropped; a "
    "non-numeric column with more than --max-categories distinct values (an "
    "identifier, free text, a timestamp) cannot be encoded and is an error "
    "unless --drop'ped; a column whose values are all distinct (an identifier) "
    "is noted on stderr. Target values are read as written (1 and 01 are two "
    "labels); numbers with a fractional part are a regression target, "
    "distilled with DistilledRegressor (see --task)."
)


def build_parser(subcommands=()):
    """The argument parser of ``skdistill`` / ``python -m skdistill``."""
    epilog = _EPILOG
    if subcommands:
        epilog += " Other commands: " + ", ".join(
            f"'skdistill {name} --help'" for name in subcommands
        ) + "."
    parser = _Parser(prog="skdistill", description=_DESCRIPTION, epilog=epilog)
    _add_data_arguments(parser.add_argument_group("data"))
    _add_model_arguments(parser.add_argument_group("models"))
    _add_output_arguments(parser.add_argument_group("output"))
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    return parser


def _add_data_arguments(data):
    add_source_arguments(data)
    add_encoding_arguments(data)
    data.add_argument(
        "--test-size",
        type=finite_float,
        default=0.3,
        help="fraction of the rows held out for testing (default: %(default)s)",
    )
    data.add_argument(
        "--random-state",
        type=seed,
        default=0,
        help="seed of the split and of the randomized models (default: %(default)s)",
    )


def _add_model_arguments(models):
    models.add_argument(
        "--teacher",
        choices=list(TEACHERS),
        default="svm",
        help="svm: SVC() (its decision function gives the soft targets) or "
        "SVR() on the standardized target; "
        "forest: random forest; boosting: histogram gradient boosting; knn: "
        "k-nearest neighbours (default: %(default)s)",
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
        default=None,
        help="logistic: LogisticRegression; ridge: Ridge (fitted on the log "
        "targets for a classification); tree: a decision tree (max_depth=...); "
        "mlp: a multi-layer perceptron with 32 hidden units (on the "
        "standardized target for a regression) (default: logistic, ridge for "
        "a regression target)",
    )
    models.add_argument(
        "-C",
        dest="C",
        type=finite_float,
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
        type=finite_float,
        default=0.5,
        help="weight of the teacher in the training targets, in [0, 1] "
        "(default: %(default)s)",
    )
    models.add_argument(
        "-T",
        "--temperature",
        dest="T",
        type=finite_float,
        default=None,
        help="temperature applied to the teacher's logits, > 0 (default: 4 "
        "with ten classes or more, except for the tree student; else 1; "
        "classification only)",
    )
    models.add_argument(
        "--augment",
        choices=("auto", "none", "munge", "gaussian"),
        default=None,
        help="synthetic transfer-set rows labelled by the teacher (default: auto, "
        "five MUNGE rows per training row for a tree student on at most 1,500 "
        "rows, none otherwise; regression: none)",
    )
    models.add_argument(
        "--augment-size",
        type=finite_float,
        default=None,
        metavar="FACTOR",
        help="synthetic rows per training row when rows are generated "
        "(default: 5 with auto, 1.0 with munge or gaussian)",
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
        type=finite_float,
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
        "--n-jobs", type=int, default=None, help="parallel jobs of --grid (default: 1)"
    )


def _add_output_arguments(output):
    output.add_argument(
        "--json",
        action="store_true",
        help="print the report as JSON instead of a table (a number that is "
        "not finite, such as a NaN cross-validated score, is null)",
    )
    output.add_argument(
        "--plot",
        metavar="FILE.png",
        help="save the student-vs-teacher agreement plot (needs matplotlib)",
    )
    output.add_argument(
        "--report",
        metavar="FILE.md",
        help="also write the report as Markdown, with the agreement plot saved "
        "next to it (FILE_agreement.png; needs matplotlib)",
    )
    output.add_argument(
        "--save",
        metavar="FILE.skops",
        help="save the fitted preprocessing and student (no teacher) to a "
        "compressed skops file, atomically (needs skops); use it with "
        "'skdistill predict'",
    )
    output.add_argument(
        "--verbose",
        action="store_true",
        help="print progress with elapsed seconds to stderr (per grid "
        "candidate and fold with --grid)",
    )


def check_args(parser, args):
    """Usage errors that argparse cannot see by itself (before any fitting)."""
    if not 0 <= args.alpha <= 1:
        parser.error(f"--alpha must be in [0, 1], got {args.alpha}")
    if args.T is not None and args.T <= 0:
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
    if args.csv is None and (
        args.target is not None
        or args.drop
        or args.sep != ","
        or args.task != "auto"
    ):
        parser.error("--target, --drop, --sep and --task apply only to --csv")
    if args.csv is not None and args.target is None:
        parser.error("--csv needs --target COLUMN, the target column")
    if args.sparsity is not None:
        if not 0 <= args.sparsity < 1:
            parser.error(f"--sparsity must be in [0, 1), got {args.sparsity}")
        if args.student is not None and args.student not in LINEAR_STUDENTS:
            parser.error(
                f"--sparsity prunes linear coefficients; --student {args.student} "
                f"has none (use one of {', '.join(LINEAR_STUDENTS)})"
            )
    if args.teacher_cv is not None and args.teacher_cv < 2:
        parser.error(f"--teacher-cv must be >= 2, got {args.teacher_cv}")
    if args.augment_size is not None:
        if args.augment == "none":
            parser.error("--augment-size needs generated rows, not --augment none")
        if args.augment_size <= 0:
            parser.error(f"--augment-size must be > 0, got {args.augment_size}")
        if args.augment_size > 100:
            parser.error(
                f"--augment-size must be at most 100 (synthetic rows per "
                f"training row), got {args.augment_size}"
            )
    if args.n_jobs is not None and not args.grid:
        parser.error("--n-jobs applies only to --grid")
    if args.n_jobs == 0:
        parser.error("--n-jobs must not be 0 (use a positive count, or -1 for all)")
    if args.report is not None and not args.report.endswith(".md"):
        parser.error(f"--report must name a .md file, got {args.report!r}")
    try:
        for option in ("--plot", "--save", "--report"):
            check_output_path(option, getattr(args, option[2:]))
        if args.report is not None:
            check_output_path(
                "--report (the plot next to it)", report_image_path(args.report)
            )
    except UsageError as exc:
        parser.error(str(exc))
    if args.plot is not None:
        _check_image_format(parser, args.plot)
    # Optional dependencies: fail before the long steps, not after.
    # (--plot: by _check_image_format above)
    for needed, module, option in (
        (args.csv, "pandas", "--csv"),
        (args.save, "skops.io", "--save"),
    ):
        message = None if needed is None else optional_error(module, option)
        if message is not None:
            parser.error(message)


def _check_image_format(parser, path):
    """A usage error unless matplotlib can write ``path``'s extension."""
    message = optional_error("matplotlib.backend_bases", "--plot")
    if message is not None:
        parser.error(message)
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if extension not in formats:
        parser.error(
            f"--plot must name an image file ending in one of "
            f"{', '.join('.' + f for f in sorted(formats))}; got {path!r}"
        )


def check_task_args(parser, args, task):
    """Usage errors that depend on the task (known once the target is read)."""
    if task != "regression":
        return
    if args.student == "logistic":
        parser.error(
            "--student logistic is a classifier; the target is numeric "
            f"(regression): use one of {', '.join(REGRESSION_STUDENTS)}, or "
            "--task classification"
        )
    if args.T is not None:
        parser.error("-T applies only to classification; the target is numeric")
    if args.augment == "auto" or (
        args.augment is None and args.augment_size is not None
    ):
        parser.error(
            "--augment auto applies only to classification; the target is "
            "numeric: use --augment munge or --augment gaussian"
        )


class Progress:
    """Progress lines with elapsed seconds on stderr (only when verbose)."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.start = time.perf_counter()

    def __call__(self, message):
        if self.verbose:
            elapsed = time.perf_counter() - self.start
            print(f"[{elapsed:7.2f}s] {message}", file=sys.stderr, flush=True)


def run(args, progress=None, parser=None):
    """Fit the models and return the result (a dict; see ``run_train``)."""
    from ._cli_job import run_job

    return run_job(args, progress or Progress(False), parser or build_parser())


def run_train(args, parser):
    """Run the default command: check, fit, print the report, save."""
    check_args(parser, args)
    result = run(args, Progress(args.verbose), parser)
    from ._cli_report import format_result, to_json

    if args.json:
        text = to_json({k: v for k, v in result.items() if k != "report"})
    else:
        text = format_result(result)
    return print_text(text)

