"""Command line, default command: the fitting job behind ``skdistill``."""

import math
import os
import tempfile

from ._cli import UsageError, check_fold_counts, print_note
from ._cli_models import (
    GRID_ALPHA,
    GRID_CV,
    GRID_PENALTY,
    GRID_T,
    TEACHERS,
    default_temperature,
    describe_student,
    make_student,
    penalty_parameter,
    student_settings,
    make_teacher,
)


def run_job(args, progress, parser):
    """Fit the models and return the result (a dict).

    The teacher's fit and outputs are cached for the run (``memory``), so the
    grid search and the pruning fit the teacher once per training set.
    """
    with tempfile.TemporaryDirectory(prefix="skdistill-") as cache:
        return _run(args, progress, parser, cache)


def _load(args, progress):
    from ._cli_data import load_csv_of, load_embedded

    if args.csv is not None:
        progress(f"loading {args.csv}")
        X, y, preprocessor, notes, task = load_csv_of(args)
        return X, y, preprocessor, notes, task, os.path.basename(args.csv)
    dataset = args.dataset or "digits"
    progress(f"loading {dataset}")
    X, y, preprocessor = load_embedded(dataset)
    return X, y, preprocessor, [], "classification", dataset


def _split(X, y, args, task):
    """Train/test split (stratified for classification), with clear errors."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    n = len(y)
    n_test = math.ceil(args.test_size * n)
    n_train = n - n_test
    if task == "classification":
        n_classes = np.unique(y).size
        if min(n_test, n_train) < n_classes:
            side = "test" if n_test < n_classes else "training"
            raise UsageError(
                f"--test-size {args.test_size} leaves {min(n_test, n_train)} "
                f"{side} rows of {n} for {n_classes} classes; the stratified split "
                f"needs at least one row per class on each side (more rows or "
                f"another --test-size)"
            )
    elif min(n_test, n_train) < 2:
        raise UsageError(
            f"--test-size {args.test_size} leaves {min(n_test, n_train)} rows of "
            f"{n} on one side; at least 2 are needed"
        )
    return train_test_split(
        X,
        y,
        test_size=args.test_size,
        stratify=y if task == "classification" else None,
        random_state=args.random_state,
    )


def _check_teacher_cv(args, y_train, task):
    """--teacher-cv K needs K rows (of every class) in each fitted training set."""
    import numpy as np

    if args.teacher_cv is None:
        return
    k = args.teacher_cv
    fraction = (GRID_CV - 1) / GRID_CV if args.grid else 1.0
    where = " in a --grid fold" if args.grid else ""
    if task == "classification":
        _, counts = np.unique(y_train, return_counts=True)
        smallest = int(math.floor(counts.min() * fraction))
        if k > smallest:
            advice = (
                f"use at most {smallest}"
                if smallest >= 2
                else "out-of-fold targets need 2; leave --teacher-cv out"
            )
            raise UsageError(
                f"--teacher-cv {k} is larger than the {smallest} training rows of "
                f"the smallest class{where}; {advice}"
            )
    else:
        rows = int(math.floor(len(y_train) * fraction))
        if k > rows:
            raise UsageError(
                f"--teacher-cv {k} is larger than the {rows} training rows{where}"
            )


def _check_grid_folds(args, y_train, task):
    """--grid's GRID_CV stratified folds need that many rows of some class."""
    if not args.grid:
        return
    check_fold_counts(y_train, GRID_CV, task, f"--grid (its {GRID_CV} folds)")


def _extra_params(args):
    """Distiller parameters given on the command line only."""
    extra = {"random_state": args.random_state}
    if args.augment is not None:  # by default the distiller's "auto"
        extra["augment"] = None if args.augment == "none" else args.augment
    if args.augment_size is not None:
        extra["augment_size"] = args.augment_size
    if args.teacher_cv is not None:
        extra["teacher_cv"] = args.teacher_cv
    return extra


def _make_distilled(
    task, teacher, student, student_name, args, extra, memory, *, n_classes
):
    if task == "regression":
        from ._regressor import DistilledRegressor

        return DistilledRegressor(
            teacher, student, alpha=args.alpha, memory=memory, **extra
        )
    from ._classifier import DistilledClassifier

    return DistilledClassifier(
        teacher,
        student,
        alpha=args.alpha,
        T=default_temperature(student_name, n_classes) if args.T is None else args.T,
        memory=memory,
        **extra,
    )


class GridProgress:
    """A scorer that reports every (candidate, fold) score to ``progress``.

    The score is the model's own ``score`` (accuracy or R2), as
    :class:`~sklearn.model_selection.GridSearchCV` uses by default. Candidate
    and fold numbers are counted in this process: with parallel jobs, each
    worker counts its own, so they are not shown.
    """

    def __init__(self, progress, n_candidates, n_folds, metric, numbered):
        self.progress = progress
        self.n_candidates = n_candidates
        self.n_folds = n_folds
        self.metric = metric
        self.numbered = numbered
        self._folds = {}

    def __call__(self, estimator, X, y):
        score = float(estimator.score(X, y))
        params = estimator[-1].get_params()
        shown = {"alpha": params["alpha"]}
        if "T" in params:
            shown["T"] = params["T"]
        for key, value in params.items():
            # the student's own penalty (a regression MLP's, inside its
            # target standardization)
            name = key.removeprefix("student__").removeprefix("regressor__")
            if key.startswith("student__") and "__" not in name:
                if name in {p for p, _ in GRID_PENALTY.values()}:
                    # a ridge's or MLP's penalty is also "alpha": its full name
                    shown[key if name in shown else name] = value
        text = ", ".join(f"{k}={v}" for k, v in shown.items())
        if self.numbered:
            key = tuple(shown.items())
            if key not in self._folds:
                self._folds[key] = 0
            self._folds[key] += 1
            index = list(self._folds).index(key) + 1
            self.progress(
                f"grid candidate {index}/{self.n_candidates} ({text}): fold "
                f"{self._folds[key]}/{self.n_folds} {self.metric} {score:.3f}"
            )
        else:
            self.progress(
                f"grid candidate ({text}): a fold done, {self.metric} {score:.3f}"
            )
        return score


def _to_builtin(value):
    from ._cli_report import to_builtin

    return to_builtin(value)


def _run(args, progress, parser, cache):
    import numpy as np
    from sklearn.base import clone
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import Pipeline

    from ._cli_report import write_markdown, plot_agreement
    from ._cli_train import check_task_args
    from .io import prediction_model
    from .metrics import compression_report, count_nonzero_parameters

    X, y, preprocessor, notes, task, dataset = _load(args, progress)
    for note in notes:
        print_note(note)
    check_task_args(parser, args, task)
    X_train, X_test, y_train, y_test = _split(X, y, args, task)
    _check_grid_folds(args, y_train, task)
    _check_teacher_cv(args, y_train, task)

    student_name = args.student or (
        "ridge" if task == "regression" else "logistic"
    )
    C = 1.0 if args.C is None else args.C
    max_depth = 5 if args.max_depth is None else args.max_depth
    teacher = make_teacher(
        args.teacher,
        task=task,
        n_estimators=args.n_estimators,
        random_state=args.random_state,
    )
    student = make_student(
        student_name,
        task=task,
        C=C,
        max_depth=max_depth,
        random_state=args.random_state,
    )
    extra = _extra_params(args)
    pipe = Pipeline(
        [
            ("preprocess", preprocessor),
            ("distill", _make_distilled(
                task, teacher, student, student_name, args, extra, cache,
                n_classes=np.unique(y_train).size,
            )),
        ]
    )
    metric = "R2" if task == "regression" else "accuracy"
    best_params = None
    if args.grid:
        from sklearn.model_selection import GridSearchCV

        values = GRID_PENALTY[student_name][1]
        grid = {"distill__alpha": GRID_ALPHA}
        if task == "classification":
            grid["distill__T"] = GRID_T
        grid[f"distill__student__{penalty_parameter(student_name, student)}"] = values
        n_candidates = int(np.prod([len(v) for v in grid.values()]))
        progress(
            f"grid search: {n_candidates} candidates x {GRID_CV} folds, teacher "
            f"{TEACHERS[args.teacher]} fitted once per training set (cached)"
        )
        scoring = None
        if args.verbose:
            scoring = GridProgress(
                progress,
                n_candidates,
                GRID_CV,
                metric,
                numbered=args.n_jobs in (None, 1),
            )
        search = GridSearchCV(
            pipe, grid, cv=GRID_CV, n_jobs=args.n_jobs, scoring=scoring
        )
        search.fit(X_train, y_train)
        best_params = {
            key.removeprefix("distill__"): _to_builtin(value)
            for key, value in search.best_params_.items()
        }
        best_params[f"cv_{metric.lower()}"] = float(search.best_score_)
        pipe = search.best_estimator_
    else:
        progress(f"fitting the teacher ({TEACHERS[args.teacher]}) and the student")
        pipe.fit(X_train, y_train)

    preprocess = pipe[0]
    distilled = pipe[-1]
    Xt_train = preprocess.transform(X_train)
    Xt_test = preprocess.transform(X_test)
    student = distilled.student  # with the penalty chosen by --grid
    progress("fitting the student on the labels alone")
    hard = type(distilled)(
        FrozenEstimator(distilled.teacher_), student, alpha=0.0
    ).fit(Xt_train, y_train)

    teacher_name = f"teacher ({TEACHERS[args.teacher]})"
    models = {
        teacher_name: distilled.teacher_,
        "student, hard labels": prediction_model(hard),
        "student, distilled": prediction_model(distilled),
    }
    final = distilled
    achieved = None
    if args.sparsity is not None:
        from ._sparsify import SparsifyTransformer

        progress(f"pruning the distilled student to sparsity {args.sparsity}")
        # the teacher's fit and outputs come from the run's cache (memory)
        sparse = SparsifyTransformer(
            clone(distilled), sparsity=args.sparsity, refit=student_name == "logistic"
        ).fit(Xt_train, y_train)
        final = sparse.estimator_
        achieved = float(sparse.sparsity_)
        models["student, distilled, pruned"] = prediction_model(final)

    progress(f"measuring the report ({metric}, fidelity, size, speed)")
    # size and speed of each model as it ships (as --save writes it and as
    # `search` measures it): with the preprocessing, on the test rows as
    # read; its parameters are the model's own
    shipped = {
        name: Pipeline([("preprocess", preprocess), ("student", model)])
        for name, model in models.items()
    }
    report = compression_report(shipped, X_test, y_test, teacher=teacher_name)
    for name, model in models.items():
        report[name]["n_parameters"] = count_nonzero_parameters(model)
    # the student's own settings: --grid may have chosen them
    chosen_C, chosen_depth = student_settings(student_name, student)

    result = {
        "task": task,
        "dataset": dataset,
        "source": os.path.abspath(args.csv) if args.csv else "scikit-learn (embedded)",
        "target": args.target,
        "n_train": len(y_train),
        "n_test": len(y_test),
        "n_features": int(np.asarray(X).shape[1]),
        "n_features_encoded": int(Xt_train.shape[1]),
        "classes": (
            None
            if task == "regression"
            else [_to_builtin(c) for c in distilled.classes_]
        ),
        "teacher": args.teacher,
        "student": student_name,
        "student_description": describe_student(student_name, student),
        "parameters": {
            "alpha": float(distilled.alpha),
            "T": float(distilled.T) if task == "classification" else None,
            "C": chosen_C,
            "max_depth": chosen_depth,
            "sparsity": args.sparsity,
            "augment": distilled.augment_ or "none",  # "auto" resolved
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

    if args.save is not None:  # first: the model is what took long
        progress(f"saving to {args.save}")
        from .io import dump

        saved = Pipeline([("preprocess", preprocess), ("student", final)])
        dump(saved, args.save, prediction_only=True)
    plots = {}
    if args.plot is not None:
        progress(f"plotting to {args.plot}")
        plot_agreement(final, Xt_test, distilled.teacher_, args.plot, dataset, task)
        plots["agreement"] = args.plot
    if args.report is not None:
        progress(f"writing the report to {args.report}")
        note = write_markdown(result, args.report, final, Xt_test, distilled.teacher_)
        if note is not None:
            print_note(note)
    progress("done")
    return result
