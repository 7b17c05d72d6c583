"""Benchmark the exact soft-target logistic regression against its alternatives.

Side by side, in one run, with the same ``C``, ``tol`` and ``max_iter``:

(a) ``_fit_soft_logistic`` on teacher-like soft targets,
(b) ``LogisticRegression`` (lbfgs) on the argmax hard labels,
(c) the row-repetition workaround: every row repeated once per class, weighted by
    its target, fitted with ``LogisticRegression``.

Wall-time ratios only compare like with like when the iteration counts are similar,
so they are printed too. Peak extra memory of the soft fit is measured with
tracemalloc (numpy reports its allocations to it) and with the process RSS sampled
in a thread.

Run ``python benchmarks/bench_soft_logistic.py`` (full size) or with ``--quick``.
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits
from sklearn.linear_model import LogisticRegression

from _memory import PeakRSS
from skdistill.linear_model._soft_logistic import _fit_soft_logistic


def teacher_targets(X, n_classes, T, rng):
    """Softmax of a random linear teacher's logits at temperature T."""
    W = rng.normal(size=(X.shape[1], n_classes))
    logits = np.asarray(X @ W)
    logits *= 3.0 / logits.std()  # a confident teacher before softening
    logits /= T
    logits -= logits.max(axis=1, keepdims=True)
    P = np.exp(logits)
    P /= P.sum(axis=1, keepdims=True)
    return P


def timed(func, repeat):
    """Best wall time over ``repeat`` runs and the last result."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run_case(name, X, Y, *, C, tol, max_iter, repeat, with_repetition):
    n_samples, n_classes = Y.shape
    y_hard = Y.argmax(axis=1)
    params = dict(C=C, tol=tol, max_iter=max_iter)
    print(f"\n== {name}: X {X.shape} {type(X).__name__} {X.dtype}, K={n_classes}, "
          f"C={C}, tol={tol}, max_iter={max_iter}")
    if sp.issparse(X):
        x_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    else:
        x_bytes = X.nbytes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t_soft, (_, _, it_soft) = timed(
            lambda: _fit_soft_logistic(X, Y, **params), repeat
        )
        t_hard, lr = timed(lambda: LogisticRegression(**params).fit(X, y_hard), repeat)
        # the very problem (b) solves, through the soft solver: same iterates
        Y_hard = np.eye(n_classes)[y_hard]
        t_onehot, (_, _, it_onehot) = timed(
            lambda: _fit_soft_logistic(X, Y_hard, **params), repeat
        )

        # memory of the soft fit (separate run, tracemalloc slows numpy down)
        tracemalloc.start()
        _fit_soft_logistic(X, Y, **params)
        _, tm_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        with PeakRSS() as rss:
            _fit_soft_logistic(X, Y, **params)

        t_rep = it_rep = None
        if with_repetition:
            def repetition():
                X_rep = X[np.repeat(np.arange(n_samples), n_classes)]
                y_rep = np.tile(np.arange(n_classes), n_samples)
                return LogisticRegression(**params).fit(
                    X_rep, y_rep, sample_weight=Y.ravel()
                )
            t_rep, rep = timed(repetition, 1)
            it_rep = int(rep.n_iter_[0])

    print(f"  (a) soft fit               {t_soft:8.2f} s   n_iter={it_soft}")
    print(f"  (b) LogisticRegression     {t_hard:8.2f} s   n_iter={int(lr.n_iter_[0])}"
          "   (argmax hard labels)")
    print(f"  (a') soft fit, one-hot Y   {t_onehot:8.2f} s   n_iter={it_onehot}"
          "   (same labels as (b))")
    if t_rep is not None:
        print(f"  (c) row repetition + LR    {t_rep:8.2f} s   n_iter={it_rep}")
    print(f"  soft / hard-LR             {t_soft / t_hard:8.2f}     (target <= 1.3)")
    print(f"  per-iteration soft/hard-LR "
          f"{(t_soft / max(it_soft, 1)) / (t_hard / max(int(lr.n_iter_[0]), 1)):8.2f}")
    print(f"  one-hot soft / hard-LR     {t_onehot / t_hard:8.2f}     (same problem,"
          " same iterations)")
    if t_rep is not None:
        print(f"  repetition / soft          {t_rep / t_soft:8.2f}     (target >= 5)")
    print(f"  peak extra memory / X      {tm_peak / x_bytes:8.3f}     (tracemalloc, "
          "target <= 0.5)")
    print(f"  peak extra RSS / X         {rss.extra / x_bytes:8.3f}     (psutil)")
    if sp.issparse(X):
        print("  (sparse: the O(n_samples * K) work buffers dominate a small X)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke-test sizes")
    parser.add_argument("--repeat", type=int, default=1, help="timing repetitions")
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--T", type=float, default=4.0, help="teacher temperature")
    parser.add_argument("--no-sparse-repetition", action="store_true")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS/OpenMP threads for every fit (default 1: on a shared machine "
        "spinning BLAS threads make timings erratic); 0 leaves the default",
    )
    args = parser.parse_args()
    if args.threads > 0:
        threadpool_limits(args.threads)
    print(f"threads={args.threads or 'default'}")

    rng = np.random.RandomState(0)
    n_dense, p_dense, K = (20_000, 100, 10) if args.quick else (200_000, 100, 10)
    n_sparse, p_sparse = (10_000, 2_000) if args.quick else (100_000, 20_000)
    common = dict(C=args.C, tol=args.tol, max_iter=args.max_iter, repeat=args.repeat)

    X = rng.normal(size=(n_dense, p_dense))
    Y = teacher_targets(X, K, args.T, rng)
    run_case("dense", X, Y, with_repetition=True, **common)
    del X, Y

    X = sp.random(n_sparse, p_sparse, density=0.001, format="csr", random_state=rng,
                  data_rvs=rng.standard_normal)
    Y = teacher_targets(X, K, args.T, rng)
    run_case("sparse", X, Y, with_repetition=not args.no_sparse_repetition, **common)


if __name__ == "__main__":
    main()
