"""Benchmark the exact soft-target logistic regression against scikit-learn.

Side by side, in one run, with the same ``C``, ``tol`` and ``max_iter`` and one
BLAS thread (medians of ``--repeat`` interleaved runs):

1. Fit time: ``_fit_soft_logistic`` on teacher-like soft targets vs
   ``LogisticRegression`` (lbfgs) on their argmax hard labels, binary
   (n = 1e5 and 1e6, d = 20 and 50) and 10 classes, dense (L-BFGS-B) and
   CSR (Newton-CG, its default for sparse X; L-BFGS-B side by side, the
   same optimum with another optimizer); soft targets need fewer
   iterations, so the per-iteration ratio and the soft solver on the one-hot
   labels (scikit-learn's very problem, same iterates) compare like with like.
2. Cost of one loss-and-gradient evaluation in "passes": its time divided by
   the time of ``X @ W`` plus ``G.T @ X`` (the two products it cannot avoid).
3. Peak extra memory (tracemalloc, which numpy reports its allocations to, and
   the resident size sampled by ``_memory.PeakRSS``) of the soft fit and of
   scikit-learn's hard fit, dense (K = 2 and 10) and on a CSR
   matrix (100,000 x 20,000, 0.1% density), where it is also given relative to
   the bytes of ``X``.
4. Frozen-teacher grid search: ``GridSearchCV`` over ``alpha``, ``T`` and
   ``student__C`` of ``DistilledClassifier(FrozenEstimator(teacher),
   LogisticRegression(), memory=...)`` with a teacher that counts its
   ``predict_proba`` calls: calls per training set (1 when the teacher's
   outputs are cached across the grid).

Run ``python benchmarks/bench_soft_logistic.py`` (full size) or with ``--quick``.
"""

import argparse
import tempfile
import time
import timeit
import tracemalloc
import warnings

import joblib
import numpy as np
import scipy.sparse as sp
from scipy import optimize
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from _memory import PeakRSS
from skdistill import DistilledClassifier
from skdistill.linear_model._loss import _SoftLogisticLoss
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
    return np.asfortranarray(P)  # the layout DistilledClassifier builds


def medians(funcs, repeat):
    """Median wall time of each function over ``repeat`` interleaved rounds."""
    times = [[] for _ in funcs]
    outs = [None] * len(funcs)
    for _ in range(repeat):
        for i, func in enumerate(funcs):
            t0 = time.perf_counter()
            outs[i] = func()
            times[i].append(time.perf_counter() - t0)
    return [float(np.median(t)) for t in times], outs


def peak_memory(func):
    """Peak bytes allocated (tracemalloc) while ``func`` runs."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def lbfgs_workspace(n_params):
    """Peak memory of scipy's L-BFGS-B alone on ``n_params`` variables."""

    def quadratic(w):
        return 0.5 * float(w @ w), w.copy()

    w0 = np.ones(n_params)
    return peak_memory(
        lambda: optimize.minimize(
            quadratic, w0, method="L-BFGS-B", jac=True, options={"maxiter": 3}
        )
    )


def nbytes(X):
    if sp.issparse(X):
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def eval_passes(X, Y, C, repeat):
    """Time of one evaluation of the loss in passes of ``X @ W`` + ``G.T @ X``.

    Each of the three is timed as ``timeit`` does: called in a loop long
    enough to last 0.2 s, the fastest of ``max(repeat, 7)`` interleaved
    loops. One call lasts well under a millisecond at n = 1e5, where a single
    timed call moved the ratio by +-0.15 from one run to the next.
    """
    n_rows = 1 if Y.shape[1] == 2 else Y.shape[1]
    rng = np.random.RandomState(0)
    loss = _SoftLogisticLoss(X, Y, np.ones(X.shape[0]), C, True, None)
    w = rng.normal(scale=0.1, size=n_rows * X.shape[1] + n_rows)
    if n_rows == 1:  # the products as scikit-learn's binary loss does them
        W, G = w[:-1], rng.normal(size=X.shape[0])
        products = [lambda: X @ W, lambda: G @ X]
    else:
        W, G = w[:-n_rows].reshape(n_rows, -1), rng.normal(size=(n_rows, X.shape[0]))
        products = [lambda: X @ W.T, lambda: G @ X]
    timers = [timeit.Timer(func) for func in products + [lambda: loss(w)]]
    loops = [timer.autorange()[0] for timer in timers]
    best = [np.inf] * len(timers)
    for _ in range(max(repeat, 7)):
        for i, (timer, number) in enumerate(zip(timers, loops)):
            best[i] = min(best[i], timer.timeit(number) / number)
    t_xw, t_gx, t_eval = best
    return t_eval / (t_xw + t_gx)


def fit_case(name, X, Y, *, C, tol, max_iter, repeat, memory, solver="auto"):
    """Soft fit vs scikit-learn's hard-label fit: time, iterations, memory."""
    y_hard = Y.argmax(axis=1)
    params = dict(C=C, tol=tol, max_iter=max_iter)
    soft_params = dict(params, solver=solver)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        Y_onehot = np.asfortranarray(np.eye(Y.shape[1])[y_hard])
        (t_soft, t_hard, t_onehot), (soft, hard, onehot) = medians(
            [
                lambda: _fit_soft_logistic(X, Y, **soft_params),
                lambda: LogisticRegression(**params).fit(X, y_hard),
                lambda: _fit_soft_logistic(X, Y_onehot, **soft_params),
            ],
            repeat,
        )
        it_soft, it_hard = soft[2], int(hard.n_iter_[0])
        del Y_onehot
        passes = eval_passes(X, Y, C, repeat)
        row = dict(
            case=name,
            t_soft=t_soft,
            t_hard=t_hard,
            it_soft=it_soft,
            it_hard=it_hard,
            ratio=t_soft / t_hard,
            per_it=(t_soft / max(it_soft, 1)) / (t_hard / max(it_hard, 1)),
            onehot=t_onehot / t_hard,
            it_onehot=onehot[2],
            passes=passes,
        )
        if memory:
            m_soft = peak_memory(lambda: _fit_soft_logistic(X, Y, **soft_params))
            m_hard = peak_memory(lambda: LogisticRegression(**params).fit(X, y_hard))
            with PeakRSS() as rss_soft:
                _fit_soft_logistic(X, Y, **soft_params)
            with PeakRSS() as rss_hard:
                LogisticRegression(**params).fit(X, y_hard)
            n_rows = 1 if Y.shape[1] == 2 else Y.shape[1]
            row.update(
                m_lbfgs=lbfgs_workspace(n_rows * (X.shape[1] + 1)),
                m_soft=m_soft,
                m_hard=m_hard,
                x_bytes=nbytes(X),
                rss_soft=rss_soft.extra,
                rss_hard=rss_hard.extra,
            )
    return row


def print_fit_table(rows):
    print(
        f"{'case':34s} {'soft s':>7s} {'hard s':>7s} {'it s/h':>8s} "
        f"{'soft/hard':>9s} {'per-it':>6s} {'1hot/hard':>9s} {'it 1h':>5s} "
        f"{'passes':>6s}"
    )
    for r in rows:
        print(
            f"{r['case']:34s} {r['t_soft']:7.2f} {r['t_hard']:7.2f} "
            f"{r['it_soft']:>4d}/{r['it_hard']:<3d} {r['ratio']:9.2f} "
            f"{r['per_it']:6.2f} {r['onehot']:9.2f} {r['it_onehot']:5d} "
            f"{r['passes']:6.2f}"
        )
    print(
        "1hot/hard: the soft solver on the one-hot argmax labels, i.e. the very "
        "problem scikit-learn solves (same iterates)\n"
        "targets: binary soft/hard <= 1.0; passes <= 1.3 at n >= 1e5"
    )


def print_memory_table(rows):
    print(
        f"{'case':34s} {'soft MB':>8s} {'hard MB':>8s} {'soft/hard':>9s} "
        f"{'soft/X':>7s} {'hard/X':>7s} {'L-BFGS-B/X':>10s} "
        f"{'RSS soft/hard MB':>17s}"
    )
    for r in rows:
        if "m_soft" not in r:
            continue
        print(
            f"{r['case']:34s} {r['m_soft'] / 1e6:8.1f} {r['m_hard'] / 1e6:8.1f} "
            f"{r['m_soft'] / r['m_hard']:9.2f} {r['m_soft'] / r['x_bytes']:7.2f} "
            f"{r['m_hard'] / r['x_bytes']:7.2f} {r['m_lbfgs'] / r['x_bytes']:10.2f} "
            f"{r['rss_soft'] / 1e6:8.1f}/{r['rss_hard'] / 1e6:<8.1f}"
        )
    print(
        "targets: dense soft/hard <= 1.0 (K=2), <= 1.2 (K=10); sparse soft/X <= 1.5\n"
        "(tracemalloc counts every numpy allocation, including the optimizer's "
        "state: L-BFGS-B (dense X) keeps about 37 * n_params floats (10 "
        "corrections), measured alone in 'L-BFGS-B/X'; Newton-CG (sparse X) about "
        "15 * n_params, plus the n x K curvature if no larger than 2 * n_params; "
        "the sampled RSS misses memory the allocator reuses)"
    )


class CountingTeacher(ClassifierMixin, BaseEstimator):
    """A prefit tree that counts its ``predict_proba`` calls.

    The count lives on the class, not the instance, so that the teacher's
    hash (the cache key) does not change when it is called.
    """

    calls = []

    def __init__(self, tree=None):
        self.tree = tree

    def fit(self, X, y):  # never called: the teacher is frozen
        raise AssertionError("a frozen teacher is not refitted")

    def __sklearn_is_fitted__(self):
        return True

    @property
    def classes_(self):
        return self.tree.classes_

    @property
    def n_features_in_(self):
        return self.tree.n_features_in_

    def predict(self, X):
        return self.tree.predict(X)

    def predict_proba(self, X):
        CountingTeacher.calls.append(len(X))
        return self.tree.predict_proba(X)


def frozen_grid_search(quick):
    X, y = make_classification(
        n_samples=600 if quick else 3000, n_features=20, n_informative=8,
        n_classes=3, random_state=0,
    )
    tree = DecisionTreeClassifier(max_depth=8, random_state=0).fit(X, y)
    teacher = CountingTeacher(tree)
    grid = {"alpha": [0.3, 0.7], "T": [1.0, 3.0], "student__C": [0.1, 1.0]}
    cv = 3
    n_candidates = int(np.prod([len(v) for v in grid.values()]))
    with tempfile.TemporaryDirectory() as tmp:
        search = GridSearchCV(
            DistilledClassifier(
                FrozenEstimator(teacher),
                LogisticRegression(max_iter=500),
                memory=joblib.Memory(tmp, verbose=0),
            ),
            grid,
            cv=cv,
        )
        CountingTeacher.calls.clear()
        search.fit(X, y)
    n_training_sets = cv + 1  # the folds and the final refit
    calls = len(CountingTeacher.calls)
    print(
        f"{n_candidates} candidates x {cv} folds + refit: {calls} predict_proba "
        f"calls for {n_training_sets} training sets = "
        f"{calls / n_training_sets:.2f} per training set (target 1; without "
        f"the cache, {n_candidates} per fold, one per candidate)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke-test sizes")
    parser.add_argument("--repeat", type=int, default=3, help="timing repetitions")
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--T", type=float, default=4.0, help="teacher temperature")
    parser.add_argument(
        "--sparse-only", action="store_true", help="only the CSR case (memory)"
    )
    args = parser.parse_args()
    threadpool_limits(1)  # a shared machine: spinning BLAS threads are noise
    common = dict(C=args.C, tol=args.tol, max_iter=args.max_iter, repeat=args.repeat)
    rng = np.random.RandomState(0)
    scale = 10 if args.quick else 1

    rows = []
    binary = [(100_000, 20), (100_000, 50), (1_000_000, 20), (1_000_000, 50)]
    if args.sparse_only:
        binary = []
    for n, d in binary:
        n //= scale
        X = rng.normal(size=(n, d))
        Y = teacher_targets(X, 2, args.T, rng)
        name = f"dense binary n={n:.0e} d={d}"
        rows.append(fit_case(name, X, Y, memory=n <= 100_000 // scale, **common))
    if not args.sparse_only:
        n, d = 200_000 // scale, 50
        X = rng.normal(size=(n, d))
        Y = teacher_targets(X, 10, args.T, rng)
        name = f"dense K=10 n={n:.0e} d={d}"
        rows.append(fit_case(name, X, Y, memory=True, **common))
        del X, Y
    n, d = 100_000 // scale, 20_000 // scale
    X = sp.random(  # a Generator: a RandomState would shuffle all n * d cells
        n, d, density=0.001, format="csr", random_state=np.random.default_rng(0)
    )
    Y = teacher_targets(X, 10, args.T, rng)
    rows.append(fit_case(f"CSR K=10 {n}x{d} 0.1%", X, Y, memory=True, **common))
    # the default for sparse X is Newton-CG; L-BFGS-B side by side
    rows.append(
        fit_case("  same, solver='lbfgs'", X, Y, memory=True, solver="lbfgs", **common)
    )

    print(f"\n== fit time (median of {args.repeat}, 1 thread, C={args.C}, "
          f"tol={args.tol}; hard = LogisticRegression on argmax labels)")
    print_fit_table(rows)
    print("\n== peak extra memory (tracemalloc)")
    print_memory_table(rows)
    if not args.sparse_only:
        print("\n== frozen-teacher grid search (memory=joblib.Memory)")
        frozen_grid_search(args.quick)


if __name__ == "__main__":
    main()
