"""Distillation at scale: teacher caching in a grid search, parallel teacher
inference, and peak memory of a large distillation.

    python benchmarks/bench_scale.py [--part cache|inference|memory|all] [--quick]

Each part times the alternatives side by side in one run and prints ratios.
"""

import argparse
import os
import tempfile
import time

import numpy as np
import psutil
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from _memory import PeakRSS
from skdistill import DistilledClassifier
from skdistill._teacher import teacher_response

FITS = []


class CountingForest(RandomForestClassifier):
    """RandomForestClassifier that records each fit (in this process)."""

    def fit(self, X, y, sample_weight=None):
        FITS.append(X.shape[0])
        return super().fit(X, y, sample_weight=sample_weight)


def cache_part(quick):
    n_samples, n_trees = (4000, 30) if quick else (20000, 300)
    X, y = make_classification(n_samples=n_samples, n_features=50, random_state=0)
    grid = {"alpha": [0.2, 0.5, 0.8], "T": [1.0, 2.0, 4.0], "student__C": [0.01, 0.1, 1.0, 10.0]}

    def search(memory):
        FITS.clear()
        clf = DistilledClassifier(
            CountingForest(n_estimators=n_trees, random_state=0, n_jobs=2),
            LogisticRegression(max_iter=1000),
            memory=memory,
        )
        start = time.perf_counter()
        gs = GridSearchCV(clf, grid, cv=5).fit(X, y)
        return time.perf_counter() - start, len(FITS), gs

    print(f"== cache: GridSearchCV, 36 candidates x 5 folds, forest({n_trees}), "
          f"make_classification({n_samples}, 50)")
    with tempfile.TemporaryDirectory() as cache:
        t_cached, n_cached, gs_cached = search(cache)
    t_plain, n_plain, gs_plain = search(None)
    print(f"uncached: {t_plain:8.1f} s, {n_plain} teacher fits")
    print(f"cached:   {t_cached:8.1f} s, {n_cached} teacher fits")
    same = np.allclose(gs_plain.cv_results_["mean_test_score"],
                       gs_cached.cv_results_["mean_test_score"])
    print(f"same cv results: {same}; best {gs_cached.best_params_}")
    ratio = t_plain / t_cached
    print(f"{'PASS' if n_cached <= 6 else 'MISS'} teacher fits with memory: {n_cached} <= 6")
    print(f"{'PASS' if ratio >= 10 else 'MISS'} uncached / cached wall time: {ratio:.1f}x >= 10x")


def inference_part(quick):
    n_rows = 200_000 if quick else 1_000_000
    X, y = make_classification(n_samples=n_rows, n_features=20, random_state=0)
    teacher = RandomForestClassifier(n_estimators=50, max_depth=12, random_state=0)
    teacher.fit(X[:20000], y[:20000])
    print(f"\n== inference: forest(50) predict_proba on {n_rows} rows in chunks")
    times = {}
    for n_jobs in (1, 2):
        with PeakRSS() as mem:
            start = time.perf_counter()
            out = teacher_response(teacher, X, "predict_proba", n_jobs=n_jobs)
            times[n_jobs] = time.perf_counter() - start
        print(f"n_jobs={n_jobs}: {times[n_jobs]:6.1f} s, peak extra memory "
              f"{(mem.peak - mem.base) / 2**20:7.1f} MiB (X is {X.nbytes / 2**20:.0f} MiB)")
        del out
    print(f"n_jobs=1 / n_jobs=2 time: {times[1] / times[2]:.2f}x")


def memory_part(quick):
    n_rows = 400_000 if quick else 2_000_000
    X, y = make_classification(
        n_samples=n_rows, n_features=50, n_informative=20, n_classes=10, random_state=0
    )
    teacher = FrozenEstimator(LogisticRegression(max_iter=200).fit(X[:20000], y[:20000]))
    clf = DistilledClassifier(teacher, LogisticRegression(max_iter=100), alpha=0.5, T=2.0)
    process = psutil.Process(os.getpid())
    print(f"\n== memory: distil {n_rows} x 50 (K=10) with the soft-target solver")
    with PeakRSS() as mem:
        start = time.perf_counter()
        clf.fit(X, y)
        elapsed = time.perf_counter() - start
    ratio = mem.peak / X.nbytes
    print(f"fit {elapsed:.1f} s; X {X.nbytes / 2**20:.0f} MiB; peak resident "
          f"{mem.peak / 2**20:.0f} MiB (before fit {mem.base / 2**20:.0f} MiB, "
          f"now {process.memory_info().rss / 2**20:.0f} MiB)")
    print(f"{'PASS' if ratio <= 2.0 else 'MISS'} peak resident / bytes of X: {ratio:.2f} <= 2.0")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["cache", "inference", "memory", "all"], default="all")
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    args = parser.parse_args()
    if args.part in ("memory", "all"):
        memory_part(args.quick)
    if args.part in ("inference", "all"):
        inference_part(args.quick)
    if args.part in ("cache", "all"):
        cache_part(args.quick)


if __name__ == "__main__":
    main()
