"""One student space three ways: GridSearchCV, with memory=, DistillationSearchCV.

Teacher: RandomForestClassifier(n_estimators=300). 24 candidates, the
student families a user weighs against each other (8 logistic, 4 logistic
pruned to 80% zeros, 2 logistic quantized to 4 bits, 8 trees of depth 3/5/8,
2 MLPs with 16 units; alpha, T and penalties) x 5 random splits
(StratifiedShuffleSplit, 20% test), on three data sets (breast cancer,
digits, a synthetic 2,000-row problem; smallest first). Prints the
wall-clock time of each search and the ratios, measured side by side in one
run, checks that the three searches give the same scores, and prints the
frontier table of DistillationSearchCV (mean ± sd over the 5 splits). A small
run of each search first starts the worker processes and their imports, so
that no search pays them in its timing.

    python benchmarks/bench_search.py [--quick] [--n-jobs 2]
"""

import argparse
import os
import tempfile
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedShuffleSplit
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from skdistill import (
    DistillationSearchCV,
    DistilledClassifier,
    QuantizedLinearModel,
    SparsifyTransformer,
)
from skdistill._frontier_display import describe_candidate


def datasets(quick, names):
    """The data sets, smallest first."""
    if "breast_cancer" in names:
        yield "breast_cancer", *load_breast_cancer(return_X_y=True)
    if "digits" in names and not quick:
        yield "digits", *load_digits(return_X_y=True)
    if "synthetic" in names:
        X, y = make_classification(
            n_samples=1000 if quick else 2000,
            n_features=20,
            n_informative=10,
            n_classes=3,
            random_state=0,
        )
        yield "synthetic", X, y


def param_grid(quick):
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    pruned = make_pipeline(
        StandardScaler(),
        SparsifyTransformer(LogisticRegression(max_iter=1000), sparsity=0.8),
        LogisticRegression(max_iter=1000),
    )
    tree = DecisionTreeClassifier(random_state=0)
    four_bit = make_pipeline(
        StandardScaler(),
        QuantizedLinearModel(LogisticRegression(max_iter=1000), n_bits=4),
    )
    mlp = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=200, random_state=0),
    )
    grid = [
        {  # 8
            "student": [logistic],
            "student__logisticregression__C": [0.1, 1.0],
            "alpha": [0.5, 0.9],
            "T": [1.0, 3.0],
        },
        {"student": [pruned], "alpha": [0.5, 0.9], "T": [1.0, 3.0]},  # 4
        {"student": [four_bit], "alpha": [0.5, 0.9]},  # 2
        {  # 6; random_state: the trees' MUNGE rows (augment="auto")
            "student": [tree],
            "student__max_depth": [3, 5, 8],
            "alpha": [0.5, 0.9],
            "random_state": [0],
        },
        {"student": [mlp], "alpha": [0.5, 0.9]},  # 2
        {
            "student": [tree],
            "student__max_depth": [5],
            "alpha": [0.0, 1.0],
            "random_state": [0],
        },  # 2
    ]
    if quick:
        grid = [grid[0], grid[2]]
    return grid


def _warm_up(teacher, grid, n_jobs):
    """Start the workers and import what every search needs, before any timing.

    A small run of each search over the same space (150 rows, a 10-tree
    teacher): whichever search ran first would otherwise pay the workers'
    start and imports.
    """
    X, y = make_classification(
        n_samples=150, n_features=20, n_informative=10, n_classes=3, random_state=0
    )
    small = clone(teacher).set_params(n_estimators=10)
    cv = StratifiedShuffleSplit(n_splits=2, test_size=0.2, random_state=0)
    DistillationSearchCV(small, grid, cv=cv, n_jobs=n_jobs).fit(X, y)
    with tempfile.TemporaryDirectory() as cache:
        base = DistilledClassifier(small, grid[0]["student"][0], memory=cache)
        GridSearchCV(base, grid, cv=cv, n_jobs=n_jobs).fit(X, y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (smoke test)")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--datasets",
        default="breast_cancer,digits,synthetic",
        help="comma-separated, among breast_cancer, digits, synthetic",
    )
    args = parser.parse_args()
    n_trees = 30 if args.quick else 300
    teacher = RandomForestClassifier(n_estimators=n_trees, random_state=0)
    grid = param_grid(args.quick)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    # the workers' MLP convergence warnings (a UserWarning) too
    os.environ["PYTHONWARNINGS"] = "ignore::UserWarning"
    _warm_up(teacher, grid, args.n_jobs)
    print(
        f"teacher: RandomForestClassifier(n_estimators={n_trees}); n_jobs="
        f"{args.n_jobs}; 5 random splits (20% test)"
    )
    for name, X, y in datasets(args.quick, args.datasets.split(",")):
        cv = StratifiedShuffleSplit(n_splits=5, test_size=0.2, random_state=0)
        times, scores = {}, {}
        with threadpool_limits(limits=1):
            start = time.perf_counter()
            search = DistillationSearchCV(teacher, grid, cv=cv, n_jobs=args.n_jobs)
            search.fit(X, y)
            times["DistillationSearchCV"] = time.perf_counter() - start
            scores["DistillationSearchCV"] = search.cv_results_["mean_test_score"]
            n_candidates = len(search.cv_results_["params"])

            with tempfile.TemporaryDirectory() as cache:
                for label, memory in (
                    ("GridSearchCV", None),
                    ("GridSearchCV(memory=)", cache),
                ):
                    student = grid[0]["student"][0]
                    base = DistilledClassifier(teacher, student, memory=memory)
                    start = time.perf_counter()
                    reference = GridSearchCV(
                        base, grid, cv=cv, n_jobs=args.n_jobs, refit=True
                    ).fit(X, y)
                    times[label] = time.perf_counter() - start
                    scores[label] = reference.cv_results_["mean_test_score"]

        print(
            f"\n== {name}: {X.shape[0]} rows, {X.shape[1]} features, "
            f"{len(np.unique(y))} classes; {n_candidates} candidates x 5 splits"
        )
        base_time = times["DistillationSearchCV"]
        for label, seconds in times.items():
            print(
                f"  {label:<22s} {seconds:8.1f} s   "
                f"{seconds / base_time:5.1f}x the time of DistillationSearchCV"
            )
        gap = max(
            float(np.max(np.abs(scores[k] - scores["DistillationSearchCV"])))
            for k in scores
        )
        print(f"  largest |difference| of mean_test_score between searches: {gap:.2e}")
        print(
            f"  teacher: {search.teacher_score_:.3f} ± "
            f"{np.std(search.teacher_test_scores_):.3f}; best within no budget: "
            f"{describe_candidate(search.best_params_)}"
        )
        results = search.cv_results_
        front = search.frontier_
        # whole labels: cut, different candidates would read the same
        labels = {i: describe_candidate(results["params"][i]) for i in front}
        width = max([len("frontier candidate"), *map(len, labels.values())])
        print(
            f"  {'frontier candidate':<{width}s} {'accuracy':>15s} {'fidelity':>8s} "
            f"{'bytes':>8s} {'ms/1000':>8s} {'nonzero':>8s}"
        )
        for i in front[np.argsort(results["student_bytes"][front])]:
            print(
                f"  {labels[i]:<{width}s} "
                f"{results['mean_test_score'][i]:.3f} ± "
                f"{results['std_test_score'][i]:.3f} "
                f"{results['mean_test_fidelity'][i]:8.3f} "
                f"{results['student_bytes'][i]:8d} "
                f"{results['student_latency_ms'][i]:8.3f} "
                f"{results['n_nonzero'][i]:8d}",
                flush=True,
            )


if __name__ == "__main__":
    main()
