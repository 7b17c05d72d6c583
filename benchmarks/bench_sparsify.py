"""Benchmark magnitude pruning and coefficient quantization on ``load_digits``.

Side by side, in one run, on one fixed train/test split (standardised features):

* a dense ``LogisticRegression`` (L2, ``C=1``);
* the same model pruned to 50/80/90/95% zero coefficients by
  ``SparsifyTransformer``: (1) one shot without refit, (2) one shot with refit
  (the masked exact solver), (3) gradual pruning (cubic schedule, 5 and 10
  prune-and-refit steps);
* (4) an L1 ``LogisticRegression(l1_ratio=1, solver="saga")`` whose ``C`` is
  bisected on a log scale until its number of non-zero coefficients matches
  the pruned model's as closely as possible;
* the dense and a pruned model quantized to 8/4/2 bits (uniform and k-means):
  test accuracy and pickled bytes.

Run ``python benchmarks/bench_sparsify.py``.
"""

import pickle
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdistill._quantize import quantize
from skdistill._sparsify import SparsifyTransformer

SPARSITIES = (0.5, 0.8, 0.9, 0.95)
C = 1.0


def l1_model_with_nnz(X, y, target_nnz, n_iter=12):
    """Bisect log10(C) of an L1 logistic regression until its nnz is target_nnz."""
    lo, hi = -4.0, 1.0
    best = None
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        clf = LogisticRegression(
            l1_ratio=1.0, solver="saga", C=10**mid, tol=1e-3, max_iter=300
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        nnz = int(np.count_nonzero(clf.coef_))
        if best is None or abs(nnz - target_nnz) < abs(best[1] - target_nnz):
            best = (clf, nnz)
        if nnz == target_nnz:
            break
        if nnz < target_nnz:
            lo = mid
        else:
            hi = mid
    return best


def main():
    start = time.perf_counter()
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    dense = LogisticRegression(C=C, max_iter=2000).fit(X_train, y_train)
    dense_acc = dense.score(X_test, y_test)
    n_coef = dense.coef_.size
    print(f"load_digits: {X_train.shape[0]} train / {X_test.shape[0]} test rows, "
          f"{n_coef} coefficients")
    print(f"dense LogisticRegression(C={C}): test accuracy {dense_acc:.4f}, "
          f"nnz {np.count_nonzero(dense.coef_)}\n")

    header = (f"{'sparsity':>8} {'nnz':>5} | {'no refit':>8} {'refit':>8} "
              f"{'grad. 5':>8} {'grad. 10':>8} | {'L1 acc':>8} {'L1 nnz':>6} "
              f"{'L1 C':>9}")
    print(header)
    print("-" * len(header))
    rows = {}
    base = LogisticRegression(C=C, max_iter=2000)
    for s in SPARSITIES:
        accs = []
        for kwargs in (
            {"refit": False}, {"refit": True}, {"n_steps": 5}, {"n_steps": 10}
        ):
            sel = SparsifyTransformer(base, sparsity=s, **kwargs)
            sel.fit(X_train, y_train)
            accs.append(sel.score(X_test, y_test))
            if kwargs == {"refit": True}:
                refit_model = sel
            if kwargs == {"n_steps": 10}:
                gradual_model = sel
        nnz = int(np.count_nonzero(refit_model.estimator_.coef_))
        l1, l1_nnz = l1_model_with_nnz(X_train, y_train, nnz)
        l1_acc = l1.score(X_test, y_test)
        rows[s] = (accs, l1_acc, nnz, l1_nnz, gradual_model)
        print(f"{s:>8.2f} {nnz:>5d} | {accs[0]:>8.4f} {accs[1]:>8.4f} "
              f"{accs[2]:>8.4f} {accs[3]:>8.4f} | {l1_acc:>8.4f} {l1_nnz:>6d} "
              f"{l1.C:>9.3g}")

    print("\nchecks (one 540-row test set: one point is about 5 rows)")

    def check(ok, text):
        print(f"{'PASS' if ok else 'MISS'}: {text}")

    for col, name in ((1, "one-shot refit"), (3, "gradual-10 refit")):
        for s, budget in ((0.8, 0.01), (0.9, 0.03)):
            acc = rows[s][0][col]
            check(acc >= dense_acc - budget,
                  f"{s:.0%} {name} loses <= {budget * 100:.0f} point(s): "
                  f"{dense_acc:.4f} -> {acc:.4f}")
        for s in SPARSITIES:
            accs, l1_acc, nnz, l1_nnz, _ = rows[s]
            check(accs[col] >= l1_acc,
                  f"{s:.0%} {name} ({accs[col]:.4f}, nnz {nnz}) >= L1 "
                  f"({l1_acc:.4f}, nnz {l1_nnz})")

    print("\nquantization (test accuracy / pickled bytes of the predicting model)")
    pruned = rows[0.9][4]
    models = (("dense", dense), ("grad10 90%", pruned))
    header = f"{'model':<12} {'method':<8} {'bits':>4} | {'accuracy':>8} {'bytes':>7}"
    print(header)
    print("-" * len(header))
    for name, model in models:
        float_model = model if name == "dense" else model.estimator_
        print(f"{name:<12} {'float64':<8} {64:>4} | "
              f"{float_model.score(X_test, y_test):>8.4f} "
              f"{len(pickle.dumps(float_model)):>7d}")
        for method in ("uniform", "kmeans"):
            for n_bits in (8, 4, 2):
                q = quantize(model, n_bits=n_bits, method=method, random_state=0)
                print(f"{name:<12} {method:<8} {n_bits:>4} | "
                      f"{q.score(X_test, y_test):>8.4f} {len(pickle.dumps(q)):>7d}")
    sparse = SparsifyTransformer(base, sparsity=0.9, n_steps=10, store_sparse=True)
    sparse.fit(X_train, y_train)
    print(f"{'grad10 90%':<12} {'csr f64':<8} {64:>4} | "
          f"{sparse.score(X_test, y_test):>8.4f} "
          f"{len(pickle.dumps(sparse.estimator_)):>7d}")
    empty = LogisticRegression(C=C, max_iter=2000).fit(X_train[:50], y_train[:50])
    del empty.coef_
    print(f"(a LogisticRegression pickled without coef_: "
          f"{len(pickle.dumps(empty))} bytes)")
    print(f"\ntotal time {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
