"""Distilled students against the same students trained on the hard labels.

For each data set and student family and size (logistic, logistic pruned to
80/90% zeros, decision tree of depth 3/5/8, MLP with 16/64 hidden units,
histogram gradient boosting with 10 trees), side by side in one run over
stratified 70/30 splits (features standardised on the training rows), with a
random forest teacher:

* ``hard``: the student fitted on the labels;
* ``default``: ``DistilledClassifier(forest, student)`` with default settings
  (pruned students: ``SparsifyTransformer`` of it, default settings);
  (``augment="auto"``: five MUNGE rows per training row, labeled by the
  teacher, for the trees and boosting on tables of at most 1,500 rows);
* ``no rows``: the same with ``augment=None`` (the blended targets of the
  training rows only; the default before ``augment="auto"``);
* ``grid``: a 3-fold ``GridSearchCV`` of the distiller over
  ``teacher_cv in (None, 5)`` and ``augment in (None, "munge")`` (the teacher's
  fits and outputs cached with ``memory``);
* ``fid.``: agreement of the distilled student with the teacher on the
  test rows (``hard fid.``: of the hard-label student);
* ``bytes``: pickled size of the default student; ``µs/row``: its
  ``predict`` time per test row.

Accuracies are mean ± sd over the splits. ``Δ`` is the paired comparison:
the mean over the splits of (distilled minus hard) accuracy, in points,
± its standard error (sd of the per-split differences / sqrt(splits)). On
small tables a single test row is worth 0.5 (breast_cancer) to 1.9 (wine)
points, and a tree's splits change with any change of its targets, so a
difference within two standard errors is not evidence either way.

Run ``python benchmarks/bench_students.py`` (``--splits N``, ``--datasets``,
``--students``, ``--trees``, ``--no-grid`` for a shorter run; ``--munge-x5``
puts MUNGE rows in the ``default`` column whatever the student and the table,
which is how the limits of ``augment="auto"`` were measured).
"""

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import pickle  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
    make_moons,
)
from sklearn.ensemble import (  # noqa: E402
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from skdistill import DistilledClassifier, SparsifyTransformer  # noqa: E402

DATASETS = {
    "breast_cancer": lambda: load_breast_cancer(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
    # tables not used to choose the defaults, and larger ones
    "iris": lambda: load_iris(return_X_y=True),
    "moons": lambda: make_moons(400, noise=0.3, random_state=0),
    "synthetic-400": lambda: make_classification(
        400, 10, n_informative=5, n_classes=3, random_state=0
    ),
    "synthetic-800": lambda: make_classification(
        800, 20, n_informative=8, n_classes=4, flip_y=0.05, random_state=1
    ),
    "synthetic-3000": lambda: make_classification(
        3000, 20, n_informative=8, n_classes=4, flip_y=0.05, random_state=1
    ),
    "synthetic-10000": lambda: make_classification(
        10000, 20, n_informative=8, n_classes=4, flip_y=0.05, random_state=1
    ),
}

STUDENTS = {
    "logistic": (LogisticRegression(max_iter=1000), None),
    "logistic 80%": (LogisticRegression(max_iter=1000), 0.8),
    "logistic 90%": (LogisticRegression(max_iter=1000), 0.9),
    "tree d3": (DecisionTreeClassifier(max_depth=3, random_state=0), None),
    "tree d5": (DecisionTreeClassifier(max_depth=5, random_state=0), None),
    "tree d8": (DecisionTreeClassifier(max_depth=8, random_state=0), None),
    "mlp 16": (MLPClassifier((16,), max_iter=500, random_state=0), None),
    "mlp 64": (MLPClassifier((64,), max_iter=500, random_state=0), None),
    "hgb 10": (HistGradientBoostingClassifier(max_iter=10, random_state=0), None),
}

GRID = {"teacher_cv": [None, 5], "augment": [None, "munge"]}


NO_ROWS = {"augment": None}
MUNGE_X5 = {"augment": "munge", "augment_size": 5.0}


def build(student, sparsity, teacher=None, memory=None, **params):
    """The hard-label model (no teacher) or the distiller, pruned if asked."""
    model = clone(student)
    if teacher is not None:
        model = DistilledClassifier(
            teacher, model, memory=memory, random_state=0, **params
        )
    if sparsity is not None:
        model = SparsifyTransformer(model, sparsity=sparsity)
    return model


def fitted_student(model):
    inner = model.estimator_ if isinstance(model, SparsifyTransformer) else model
    return getattr(inner, "student_", inner)


def grid_search(student, sparsity, teacher, memory, X, y):
    prefix = "estimator__" if sparsity is not None else ""
    grid = {prefix + k: v for k, v in GRID.items()}
    search = GridSearchCV(build(student, sparsity, teacher, memory), grid, cv=3)
    return search.fit(X, y)


def latency(model, X, repeat=5):
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        model.predict(X)
        best = min(best, time.perf_counter() - start)
    return best / X.shape[0] * 1e6


def paired(row, key):
    """Mean and standard error of the per-split differences key - hard."""
    diff = np.asarray(row[key]) - np.asarray(row["hard"])
    se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.nan
    return diff.mean(), se


def run_dataset(
    name, n_splits, use_grid, n_trees, memory, families=STUDENTS, default_params=None
):
    X, y = DATASETS[name]()
    rows = {}
    teacher_acc = []
    for seed in range(n_splits):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, stratify=y, random_state=seed
        )
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        teacher = RandomForestClassifier(n_estimators=n_trees, random_state=seed)
        teacher_pred = clone(teacher).fit(X_train, y_train).predict(X_test)
        teacher_acc.append(np.mean(teacher_pred == y_test))
        for family in families:
            student, sparsity = STUDENTS[family]
            row = rows.setdefault(family, {})
            hard = build(student, sparsity).fit(X_train, y_train)
            default = build(
                student, sparsity, teacher, memory, **(default_params or {})
            ).fit(X_train, y_train)
            no_rows = build(student, sparsity, teacher, memory, **NO_ROWS).fit(
                X_train, y_train
            )
            models = (("hard", hard), ("default", default), ("no rows", no_rows))
            for key, model in models:
                pred = model.predict(X_test)
                row.setdefault(key, []).append(np.mean(pred == y_test))
                row.setdefault(key + " fid", []).append(np.mean(pred == teacher_pred))
            small = fitted_student(default)
            row.setdefault("bytes", []).append(len(pickle.dumps(small)))
            row.setdefault("latency", []).append(latency(small, X_test))
            if use_grid:
                search = grid_search(
                    student, sparsity, teacher, memory, X_train, y_train
                )
                row.setdefault("grid", []).append(search.score(X_test, y_test))
        print(f"  {name}: split {seed} done", flush=True)

    print(f"\n{name}: X {X.shape}, {len(np.unique(y))} classes, {n_splits} splits; "
          f"teacher RandomForest({n_trees}) accuracy "
          f"{np.mean(teacher_acc):.4f} ± {np.std(teacher_acc):.4f}")
    cols = ["hard", "default", "no rows"] + (["grid"] if use_grid else [])
    header = f"{'student':<13} | " + " ".join(f"{c:>15}" for c in cols)
    header += f" | {'Δ default':>13} {'Δ no rows':>13}"
    header += f" | {'hard fid.':>9} {'fid.':>6} {'no rows':>7}"
    header += f" | {'bytes':>7} {'µs/row':>7}"
    print(header)
    print("-" * len(header))
    checks = []
    for family, row in rows.items():
        line = f"{family:<13} | " + " ".join(
            f"{np.mean(row[c]):>7.4f} ± {np.std(row[c]):.3f}" for c in cols
        )
        for key in ("default", "no rows"):
            mean, se = paired(row, key)
            line += (" | " if key == "default" else " ") + (
                f"{100 * mean:>+6.2f} ± {100 * se:4.2f}"
            )
        line += f" | {np.mean(row['hard fid']):>9.4f} "
        line += f"{np.mean(row['default fid']):>6.4f} "
        line += f"{np.mean(row['no rows fid']):>7.4f} | "
        line += f"{np.mean(row['bytes']):>7.0f} {np.mean(row['latency']):>7.2f}"
        print(line)
        mean, se = paired(row, "default")
        fid_gain = np.mean(row["default fid"]) - np.mean(row["hard fid"])
        checks.append((
            mean >= 0 and fid_gain > 0,
            f"{name} {family}: default {np.mean(row['default']):.4f} vs hard "
            f"{np.mean(row['hard']):.4f} (Δ {100 * mean:+.2f} ± {100 * se:.2f} "
            f"points), fidelity {np.mean(row['default fid']):.4f} vs "
            f"{np.mean(row['hard fid']):.4f} ({100 * fid_gain:+.2f})",
        ))
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--datasets", default="breast_cancer,wine")
    parser.add_argument("--trees", type=int, default=300)
    parser.add_argument("--no-grid", action="store_true")
    parser.add_argument(
        "--students",
        default=",".join(STUDENTS),
        # argparse %-formats help: a student named "logistic 80%" needs %%
        help="comma-separated, among: " + ", ".join(STUDENTS).replace("%", "%%"),
    )
    parser.add_argument(
        "--munge-x5",
        action="store_true",
        help='the "default" column with augment="munge", augment_size=5 for '
        "every student and table (what augment='auto' would do without its "
        "limits)",
    )
    args = parser.parse_args()
    default_params = MUNGE_X5 if args.munge_x5 else None
    families = args.students.split(",")
    unknown = sorted(set(families) - set(STUDENTS))
    if unknown:
        parser.error(f"unknown --students {unknown}; choose among {list(STUDENTS)}")
    warnings.simplefilter("ignore", ConvergenceWarning)
    start = time.perf_counter()
    checks = []
    with tempfile.TemporaryDirectory() as memory:
        for name in args.datasets.split(","):
            checks += run_dataset(
                name,
                args.splits,
                not args.no_grid,
                args.trees,
                memory,
                families,
                default_params,
            )
    print("\nchecks: default distilled accuracy >= hard-label accuracy and "
          "fidelity > hard-label fidelity (means over the splits; Δ ± its "
          "standard error)")
    for ok, text in checks:
        print(f"{'PASS' if ok else 'MISS'}: {text}")
    print(f"\ntotal time {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
