"""Decision-tree students: grown on the rows against grown on the repeated rows.

A Gini tree student is grown as the multi-output regression tree of the soft
targets on the student's rows; before, on rows repeated once per class with a
target above 1e-8, weighted by it. Both give the same tree up to ties (two
features that part a node's rows alike). This prints, side by side in one run
over stratified 70/30 splits, with a random forest teacher fitted once per
split (frozen, so that neither path pays it):

* ``fit s``: the distiller's fit time with each path (the default
  ``augment="auto"``: five MUNGE rows per training row on these tables,
  made and labeled by the teacher in both) and their ratio;
* ``acc``: the student's test accuracy with each path, mean ± sd over the
  splits; ``Δ points``: the paired difference (rows minus repeated), mean ±
  its standard error; ``same``: the share of test rows both predict alike.

    python benchmarks/bench_tree_students.py [--splits 5] [--datasets ...]
"""

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import time  # noqa: E402
from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits, load_wine  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from skdistill import DistilledClassifier, _students  # noqa: E402

DATASETS = {
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
}
DEPTHS = (3, 5, 8, None)


def fit_timed(model, X, y, repeated):
    """``model.fit(X, y)`` and its time, by row repetition if ``repeated``."""
    grow = (lambda *args: None) if repeated else _students._fit_tree
    with mock.patch.object(_students, "_fit_tree", grow):
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start


def run_dataset(name, n_splits, n_trees):
    X, y = DATASETS[name](return_X_y=True)
    print(f"\n== {name}: {X.shape[0]} rows, {X.shape[1]} features, "
          f"{np.unique(y).size} classes; {n_splits} splits")
    print(f"  {'depth':>5s}  {'fit s (rows)':>12s} {'(repeated)':>10s} {'ratio':>6s}"
          f"  {'acc (rows)':>14s} {'acc (repeated)':>14s} {'Δ points':>13s} "
          f"{'same':>6s}")
    results = {depth: [] for depth in DEPTHS}
    for split in range(n_splits):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, stratify=y, random_state=split
        )
        teacher = RandomForestClassifier(n_trees, random_state=split, n_jobs=1)
        teacher = FrozenEstimator(teacher.fit(X_train, y_train))
        for depth in DEPTHS:
            row = []
            for repeated in (False, True):
                model = DistilledClassifier(
                    teacher, DecisionTreeClassifier(max_depth=depth, random_state=0),
                    random_state=split,
                )
                seconds = fit_timed(model, X_train, y_train, repeated)
                row.append((seconds, model.predict(X_test)))
            (t_rows, p_rows), (t_rep, p_rep) = row
            results[depth].append((
                t_rows, t_rep, np.mean(p_rows == y_test), np.mean(p_rep == y_test),
                np.mean(p_rows == p_rep),
            ))
    for depth, values in results.items():
        t_rows, t_rep, acc_rows, acc_rep, same = np.array(values).T
        diff = acc_rows - acc_rep
        se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.nan
        print(
            f"  {str(depth):>5s}  {np.median(t_rows):12.3f} {np.median(t_rep):10.3f} "
            f"{np.median(t_rep) / np.median(t_rows):5.1f}x"
            f"  {acc_rows.mean():.4f} ± {acc_rows.std():.3f}"
            f" {acc_rep.mean():.4f} ± {acc_rep.std():.3f}"
            f" {100 * diff.mean():+6.2f} ± {100 * se:4.2f} {same.mean():6.3f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--trees", type=int, default=300)
    parser.add_argument(
        "--datasets", default=",".join(DATASETS),
        help="comma-separated, among " + ", ".join(DATASETS),
    )
    args = parser.parse_args()
    names = args.datasets.split(",")
    unknown = sorted(set(names) - set(DATASETS))
    if unknown:
        parser.error(f"unknown --datasets {unknown}; choose among {list(DATASETS)}")
    print(f"teacher: RandomForestClassifier(n_estimators={args.trees}), frozen; "
          "student: DistilledClassifier(teacher, DecisionTreeClassifier(max_depth))"
          " with its defaults; fit times are medians over the splits")
    for name in names:
        run_dataset(name, args.splits, args.trees)


if __name__ == "__main__":
    main()
