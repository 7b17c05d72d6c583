"""Command line, ``skdistill search``: the frontier of a default student space."""


from ._cli import (
    UsageError,
    add_source_arguments,
    check_fold_counts,
    check_output_path,
    finite_float,
    print_note,
    print_text,
    seed,
)
from ._cli_data import add_encoding_arguments
from ._optional import optional_error

TEACHERS = ("boosting", "forest", "svm", "knn")
STUDENTS = ("linear", "pruned", "tree", "mlp")


def student_list(text):
    """argparse type: a comma-separated list of student kinds."""
    import argparse

    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in STUDENTS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"{unknown[0] if unknown else text!r} is not a student kind; choose "
            f"from {', '.join(STUDENTS)} (comma-separated)"
        )
    return names


def add_search_parser(subparsers):
    """Add the ``search`` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "search",
        help="compare students of a teacher: the accuracy-size frontier",
        description=(
            "Search a default space of students (logistic or ridge models, a "
            "pruned logistic model, trees of depth 3 to 8, a 16-unit network; "
            "teacher weight alpha 0.5 and 0.9) distilled from one teacher, "
            "with the teacher fitted once per cross-validation split "
            "(DistillationSearchCV), and print the candidates of the frontier: "
            "none of them is beaten on score, size and prediction time at "
            "once. The best candidate is the most accurate within the budgets."
        ),
    )
    add_source_arguments(parser)
    add_encoding_arguments(parser)
    parser.add_argument(
        "--teacher",
        choices=TEACHERS,
        default="boosting",
        help="the teacher (default: %(default)s)",
    )
    parser.add_argument(
        "--students",
        type=student_list,
        default=list(STUDENTS),
        metavar="KINDS",
        help="the kinds of student to search, comma-separated, among "
        f"{', '.join(STUDENTS)} (default: all)",
    )
    parser.add_argument(
        "--n-estimators",
        type=int,
        default=100,
        metavar="N",
        help="trees or boosting iterations of the teacher (default: %(default)s)",
    )
    parser.add_argument(
        "--cv", type=int, default=5, metavar="K", help="folds (default: %(default)s)"
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=None,
        metavar="N",
        help="budget on the size of the student file",
    )
    parser.add_argument(
        "--max-latency-ms",
        type=finite_float,
        default=None,
        metavar="MS",
        help="budget on the prediction time per 1,000 rows",
    )
    parser.add_argument(
        "--min-fidelity",
        type=finite_float,
        default=None,
        metavar="F",
        help="least agreement with the teacher's predictions",
    )
    parser.add_argument(
        "--n-jobs", type=int, default=1, metavar="N", help="parallel jobs (default: 1)"
    )
    parser.add_argument(
        "--save",
        metavar="FILE.skops",
        help="save the best candidate refitted on all rows (its student and "
        "preprocessing, no teacher; needs skops)",
    )
    parser.add_argument(
        "--random-state", type=seed, default=0, metavar="SEED", help="(default: 0)"
    )
    return parser


def _check_args(args):
    if args.csv is not None and args.target is None:
        raise UsageError("--csv needs --target COLUMN")
    if args.csv is None and (
        args.target is not None or args.drop or args.sep != "," or args.task != "auto"
    ):
        raise UsageError("--target, --drop, --sep and --task apply to --csv only")
    for option, value, least in (
        ("--max-categories", args.max_categories, 1),
        ("--n-estimators", args.n_estimators, 1),
        ("--cv", args.cv, 2),
        ("--max-bytes", args.max_bytes, 1),
        ("--n-jobs", args.n_jobs, None),
    ):
        if value is not None and least is not None and value < least:
            raise UsageError(f"{option} must be at least {least}, got {value}")
    if args.n_jobs == 0:
        raise UsageError("--n-jobs must not be 0 (use -1 for all cores)")
    if args.max_latency_ms is not None and args.max_latency_ms <= 0:
        raise UsageError(
            f"--max-latency-ms must be positive, got {args.max_latency_ms}"
        )
    if args.min_fidelity is not None and args.min_fidelity > 1:
        raise UsageError(f"--min-fidelity must be at most 1, got {args.min_fidelity}")
    check_output_path("--save", args.save)
    for value, module, option in (
        (args.csv, "pandas", "--csv"),
        (args.save, "skops.io", "--save"),
    ):
        message = None if value is None else optional_error(module, option)
        if message is not None:
            raise UsageError(message)


def default_space(preprocessor, task, random_state=0, students=STUDENTS):
    """The default students and distillation settings of ``skdistill search``.

    Parameters
    ----------
    preprocessor : transformer
        The first step of every student (cloned).
    task : {"classification", "regression"}
    random_state : int, default=0
    students : sequence of str, default=STUDENTS
        The kinds of student to include.

    Returns
    -------
    param_grid : list of dict
        A grid for :class:`~skdistill.DistillationSearchCV`.
    """
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    from sklearn.utils.validation import has_fit_parameter

    from ._cli_models import scaled_target
    from ._sparsify import SparsifyTransformer

    def student(*steps):
        return Pipeline([("preprocess", clone(preprocessor)), *steps])

    alphas = [0.5, 0.9]
    if task == "regression":
        linear = student(("ridge", Ridge()))
        linear_grid = {"student__ridge__alpha": [1.0, 10.0]}
        tree = student(("tree", DecisionTreeRegressor(random_state=random_state)))
        mlp = scaled_target(
            MLPRegressor(
                hidden_layer_sizes=(16,), max_iter=500, random_state=random_state
            )
        )
        pruned = student(
            (
                "prune",
                SparsifyTransformer(Ridge(), sparsity=0.8, granularity="feature"),
            ),
            ("ridge", Ridge()),
        )
    else:
        linear = student(("logistic", LogisticRegression(max_iter=1000)))
        linear_grid = {"student__logistic__C": [0.1, 1.0]}
        tree = student(("tree", DecisionTreeClassifier(random_state=random_state)))
        # an MLPRegressor on the log targets where MLPClassifier.fit takes
        # no sample_weight (scikit-learn < 1.7), as the main command does
        network = (
            MLPClassifier
            if has_fit_parameter(MLPClassifier(), "sample_weight")
            else MLPRegressor
        )
        mlp = network(hidden_layer_sizes=(16,), max_iter=500, random_state=random_state)
        pruned = student(
            (
                "prune",
                SparsifyTransformer(
                    LogisticRegression(max_iter=1000),
                    sparsity=0.8,
                    granularity="feature",
                ),
            ),
            ("logistic", LogisticRegression(max_iter=1000)),
        )
    grids = {
        "linear": {"student": [linear], "alpha": alphas, **linear_grid},
        "pruned": {"student": [pruned], "alpha": alphas},
        "tree": {
            "student": [tree],
            "student__tree__max_depth": [3, 5, 8],
            "alpha": alphas,
        },
        "mlp": {"student": [student(("mlp", mlp))], "alpha": alphas},
    }
    # the seed of the generated rows (augment="auto" gives tree students some)
    return [
        {**grids[name], "random_state": [random_state]}
        for name in STUDENTS
        if name in students
    ]


def _teacher(args, preprocessor, task):
    from sklearn.base import clone
    from sklearn.pipeline import Pipeline

    from ._cli_models import make_teacher

    teacher = make_teacher(
        args.teacher,
        task=task,
        n_estimators=args.n_estimators,
        random_state=args.random_state,
    )
    return Pipeline([("preprocess", clone(preprocessor)), ("teacher", teacher)])


def format_frontier(search):
    """The frontier of a fitted search as a plain-text table (smallest first).

    The chosen candidate (``best_index_``, marked ``*``) is a row too when a
    budget (``min_fidelity``) left it off the frontier: a less faithful
    candidate may beat it on score, size and latency.

    Parameters
    ----------
    search : DistillationSearchCV

    Returns
    -------
    table : str
    """
    import numpy as np

    from ._frontier_display import describe_candidate

    results = search.cv_results_
    front = search.frontier_
    best = getattr(search, "best_index_", None)
    if best is not None and best not in front:
        front = np.append(front, best)
    front = front[np.argsort(results["student_bytes"][front], kind="stable")]
    header = ["", "candidate", "score", "fidelity", "bytes", "ms/1000 rows", "nonzero"]
    labels = [describe_candidate(results["params"][i]) for i in front]
    # the preprocessing step every student starts with goes without saying
    first = {label.split("+", 1)[0] for label in labels}
    if len(first) == 1 and all("+" in label.split(" ")[0] for label in labels):
        labels = [label.split("+", 1)[1] for label in labels]
    rows = []
    for i, label in zip(front, labels):
        rows.append(
            [
                "*" if i == best else "",
                label,
                f"{results['mean_test_score'][i]:.3f} ± "
                f"{results['std_test_score'][i]:.3f}",
                f"{results['mean_test_fidelity'][i]:.3f}",
                f"{results['student_bytes'][i]:d}",
                f"{results['student_latency_ms'][i]:.3f}",
                f"{results['n_nonzero'][i]:d}",
            ]
        )
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1])] + [
            cell.rjust(width) for cell, width in zip(r[2:], widths[2:])
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def run_search(args):
    """Run ``skdistill search``; return the exit status.

    Raises
    ------
    UsageError
        Bad options or data.
    """
    _check_args(args)
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from ._cli_data import load_csv_of, load_embedded
    from ._search import DistillationSearchCV

    if args.csv is not None:
        X, y, preprocessor, notes, task = load_csv_of(
            args, split="the stratified folds"
        )
        source = args.csv
    else:
        name = args.dataset or "digits"
        X, y, preprocessor = load_embedded(name)
        notes, task, source = [], "classification", name
    for note in notes:
        print_note(note)
    check_fold_counts(y, args.cv, task, f"--cv {args.cv}")
    search = DistillationSearchCV(
        _teacher(args, preprocessor, task),
        default_space(preprocessor, task, args.random_state, args.students),
        cv=args.cv,
        max_bytes=args.max_bytes,
        max_latency_ms=args.max_latency_ms,
        min_fidelity=args.min_fidelity,
        n_jobs=args.n_jobs,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            search.fit(X, y)
        except ValueError as exc:
            if "No candidate is within the budgets" in str(exc):
                raise UsageError(str(exc).split(" Loosen")[0]) from None
            raise
    score = "accuracy" if task == "classification" else "R²"
    n_candidates = len(search.cv_results_["params"])
    print_text(
        f"{source}: {n_candidates} candidates x {search.n_splits_} folds; teacher "
        f"{args.teacher} {score} {search.teacher_score_:.3f}; score = {score}, "
        "mean ± sd over the folds; * = best within the budgets"
    )
    print_text(format_frontier(search))
    from ._cli_report import pickle_sizes_note

    note = pickle_sizes_note()
    if note is not None:
        print_note(f"bytes: {note}")
    if args.save is not None:
        from ._cli import write_atomically
        from .io import dumps

        write_atomically(args.save, dumps(search.best_estimator_, prediction_only=True))
        print_text(f"saved the best candidate to {args.save}")
    return 0
