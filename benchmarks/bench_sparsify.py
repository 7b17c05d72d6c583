"""Benchmark pruning against L1 at the same number of non-zeros, and quantization.

Side by side, in one run, on four data sets (digits and breast_cancer with
standardised features, a dense 200-feature 5-class synthetic problem, a sparse
text-like tf-idf CSR problem), 5 stratified 70/30 splits each, at 50, 80, 90
and 95% zero coefficients:

* ``default``: ``SparsifyTransformer(LogisticRegression(), sparsity=s)`` with no
  other setting: ``method="auto"`` chooses by 3-fold cross-validation (held-out
  cross-entropy at the best common scale of the logits) between the L1-path
  solution at ``s`` kept without refit (``L1:``), its support refitted with
  ``C`` (``ref:``), and 10-step gradual magnitude pruning (``gm:``);
  ``chosen`` counts the candidates it picked over the splits;
* ``one-shot``: ``method="magnitude"`` (one prune, one refit);
* ``grad. 10``: ``method="magnitude", n_steps=10``;
* ``L1``: ``LogisticRegression(l1_ratio=1, solver="saga", random_state=0)``
  whose ``C`` is bisected on a log scale until its number of non-zeros is the
  target (what a user does by hand); ``L1 nnz`` is its mean number of
  non-zeros (saga visits the rows in random order: unseeded, it and
  ``L1+refit`` moved by up to half a point from one run to the next);
* ``L1+refit``: the L1 model's support refitted with the L2 penalty of the
  pruned model (``C=1``), the other coefficients held at zero;
* ``MCP`` (binary data sets, when skglm is installed): skglm's MCP-penalised
  logistic regression, its ``alpha`` bisected to the target non-zeros.

``nnz`` is the default's number of non-zeros (the target of the others).
Accuracies are mean ± sd over the splits; fit times are summed over the splits
(``fit s``: the default; ``L1 s``: the whole bisection of the L1 ``C``). The
checks then say whether the default is at least as accurate as ``L1`` and
``L1+refit`` at each sparsity. Then the dense and a pruned digits model
quantized to 8/4/2 bits (uniform and k-means): accuracy and pickled bytes.

Run ``python benchmarks/bench_sparsify.py`` (``--splits N`` for fewer splits,
``--datasets digits,text-csr`` for a subset).
"""

import argparse
import os

# one BLAS thread, set before numpy and scipy load their BLAS (scipy's L-BFGS-B
# is many times slower on a busy machine with threads)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import pickle  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_digits,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.feature_extraction.text import TfidfTransformer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skdistill._quantize import quantize  # noqa: E402
from skdistill._sparsify import SparsifyTransformer  # noqa: E402
from skdistill.linear_model._soft_logistic import _fit_soft_logistic  # noqa: E402

SPARSITIES = (0.5, 0.8, 0.9, 0.95)
C = 1.0
# short names of the default's candidates in the ``chosen`` column
ABBREV = {
    "l1": "L1:", "l1_refit": "ref:",
    "gradual_magnitude": "gm:", "magnitude": "mag:",
}


def text_like(n_docs=1500, n_words=3000, n_classes=4, random_state=0):
    """Tf-idf of documents drawn from class-dependent Zipf word distributions."""
    rng = np.random.RandomState(random_state)
    base = 1.0 / np.arange(1, n_words + 1) ** 1.1
    y = rng.randint(n_classes, size=n_docs)
    topic = np.exp(
        rng.normal(0.0, 1.0, size=(n_classes, n_words))
        * (rng.rand(n_classes, n_words) < 0.05)
    )
    P = base * topic
    P /= P.sum(axis=1, keepdims=True)
    lengths = rng.poisson(60, size=n_docs) + 5
    counts = np.array([rng.multinomial(n, P[c]) for n, c in zip(lengths, y)])
    return TfidfTransformer().fit_transform(sp.csr_matrix(counts, dtype=float)), y


DATASETS = {
    "digits": lambda: load_digits(return_X_y=True),
    "breast_cancer": lambda: load_breast_cancer(return_X_y=True),
    "synthetic-200": lambda: make_classification(
        n_samples=1000, n_features=200, n_informative=20, n_redundant=20,
        n_classes=5, random_state=0,
    ),
    "text-csr": text_like,
}


def bisect(fit, target_nnz, lo, hi, n_iter=12, increasing=True):
    """Bisect a log10 parameter of ``fit`` until its model has target_nnz non-zeros."""
    best = None
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        model, nnz = fit(10.0**mid)
        if best is None or abs(nnz - target_nnz) < abs(best[1] - target_nnz):
            best = (model, nnz)
        if nnz == target_nnz:
            break
        if (nnz < target_nnz) == increasing:
            lo = mid
        else:
            hi = mid
    return best


def l1_model(X, y, target_nnz):
    def fit(c):
        clf = LogisticRegression(  # saga visits the rows in a seeded order
            l1_ratio=1.0, solver="saga", C=c, tol=1e-3, max_iter=300, random_state=0
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        return clf, int(np.count_nonzero(clf.coef_))

    return bisect(fit, target_nnz, -4.0, 2.0)


def mcp_model(X, y, target_nnz):
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Logistic
    from skglm.penalties import MCPenalty
    from skglm.solvers import AndersonCD

    y_pm = np.where(y == np.unique(y)[1], 1.0, -1.0)

    def fit(alpha):
        clf = GeneralizedLinearEstimator(
            datafit=Logistic(), penalty=MCPenalty(alpha=alpha, gamma=3.0),
            solver=AndersonCD(fit_intercept=True, tol=1e-4),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y_pm)
        return clf, int(np.count_nonzero(clf.coef_))

    clf, nnz = bisect(fit, target_nnz, -4.0, 0.0, increasing=False)
    return clf, nnz, y_pm


def refit_on_support(X, y, coef, classes):
    """L2 (``C``) logistic refit with the zeros of ``coef`` held fixed."""
    Y = (y[:, None] == classes[None, :]).astype(np.float64)
    mask = np.asarray(coef) != 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        coef, intercept, _ = _fit_soft_logistic(
            X, Y, C=C, max_iter=1000, coef_init=np.where(mask, coef, 0.0),
            coef_mask=mask,
        )
    model = LogisticRegression(C=C)
    model.coef_, model.intercept_, model.classes_ = coef, intercept, classes
    return model


def splits(X, y, n_splits):
    for seed in range(n_splits):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, stratify=y, random_state=seed
        )
        if not sp.issparse(X_train):
            scaler = StandardScaler().fit(X_train)
            X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        yield X_train, X_test, y_train, y_test


def timed(func, *args):
    start = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - start


def run_dataset(name, n_splits, have_skglm, checks):
    X, y = DATASETS[name]()
    binary = len(np.unique(y)) == 2
    use_mcp = have_skglm and binary
    acc = {}  # (s, column) -> list of accuracies
    nnz = {}
    times = {}
    dense_acc = []
    base = LogisticRegression(C=C, max_iter=1000)
    for X_train, X_test, y_train, y_test in splits(X, y, n_splits):
        dense = LogisticRegression(C=C, max_iter=1000).fit(X_train, y_train)
        dense_acc.append(dense.score(X_test, y_test))
        classes = dense.classes_
        for s in SPARSITIES:
            columns = {}
            chosen = None
            for col, kwargs in (
                ("default", {}),
                ("one-shot", {"method": "magnitude"}),
                ("grad. 10", {"method": "magnitude", "n_steps": 10}),
            ):
                sel, t = timed(
                    SparsifyTransformer(base, sparsity=s, **kwargs).fit,
                    X_train, y_train,
                )
                columns[col] = sel.score(X_test, y_test)
                times[(s, col)] = times.get((s, col), 0.0) + t
                chosen = sel.method_ if col == "default" else chosen
            nnz.setdefault((s, "chosen"), []).append(chosen)
            target = int(np.count_nonzero(sel.estimator_.coef_))
            (l1, l1_nnz), t = timed(l1_model, X_train, y_train, target)
            times[(s, "L1 search")] = times.get((s, "L1 search"), 0.0) + t
            columns["L1"] = l1.score(X_test, y_test)
            columns["L1+refit"] = refit_on_support(
                X_train, y_train, l1.coef_, classes
            ).score(X_test, y_test)
            nnz.setdefault((s, "target"), []).append(target)
            nnz.setdefault((s, "L1"), []).append(l1_nnz)
            if use_mcp:
                (mcp, mcp_nnz, _), t = timed(mcp_model, X_train, y_train, target)
                pred = np.where(mcp.predict(X_test) > 0, classes[1], classes[0])
                columns["MCP"] = float(np.mean(pred == y_test))
                nnz.setdefault((s, "MCP"), []).append(mcp_nnz)
            for col, value in columns.items():
                acc.setdefault((s, col), []).append(value)

    n_coef = dense.coef_.size
    print(f"\n{name}: X {X.shape}{' CSR' if sp.issparse(X) else ''}, "
          f"{len(np.unique(y))} classes, {n_coef} coefficients, {n_splits} splits; "
          f"dense L2 accuracy {np.mean(dense_acc):.4f} ± {np.std(dense_acc):.4f}")
    cols = ["default", "one-shot", "grad. 10", "L1", "L1+refit"]
    cols += ["MCP"] if use_mcp else []
    header = f"{'zeros':>5} {'nnz':>5} | " + " ".join(f"{c:>15}" for c in cols)
    header += f" | {'L1 nnz':>7}" + (f" {'MCP nnz':>7}" if use_mcp else "")
    header += f" | {'fit s':>6} {'L1 s':>6} {'ratio':>5} | chosen"
    print(header)
    print("-" * len(header))
    for s in SPARSITIES:
        line = f"{s:>5.0%} {np.mean(nnz[(s, 'target')]):>5.0f} | "
        line += " ".join(
            f"{np.mean(acc[(s, c)]):>7.4f} ± {np.std(acc[(s, c)]):.3f}" for c in cols
        )
        line += f" | {np.mean(nnz[(s, 'L1')]):>7.1f}"
        if use_mcp:
            line += f" {np.mean(nnz[(s, 'MCP')]):>7.1f}"
        t_default, t_l1 = times[(s, "default")], times[(s, "L1 search")]
        line += f" | {t_default:>6.1f} {t_l1:>6.1f} {t_default / t_l1:>5.2f}"
        names, counts = np.unique(nnz[(s, "chosen")], return_counts=True)
        line += " | " + " ".join(
            f"{ABBREV[n]}{c}" for n, c in zip(names, counts)
        )
        print(line)
        default = np.mean(acc[(s, "default")])
        for other in ("L1", "L1+refit"):
            checks.append((
                default >= np.mean(acc[(s, other)]) - 1e-9,  # float ties
                f"{name} {s:.0%}: default {default:.4f} >= {other} "
                f"{np.mean(acc[(s, other)]):.4f}",
            ))


def quantization():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = next(splits(X, y, 1))
    dense = LogisticRegression(C=C, max_iter=1000).fit(X_train, y_train)
    pruned = SparsifyTransformer(
        LogisticRegression(C=C, max_iter=1000), sparsity=0.9
    ).fit(X_train, y_train)
    print("\nquantization, digits split 0 (test accuracy / pickled bytes)")
    header = f"{'model':<12} {'method':<8} {'bits':>4} | {'accuracy':>8} {'bytes':>7}"
    print(header)
    print("-" * len(header))
    for name, model in (("dense", dense), ("pruned 90%", pruned)):
        float_model = model if name == "dense" else model.estimator_
        print(f"{name:<12} {'float64':<8} {64:>4} | "
              f"{float_model.score(X_test, y_test):>8.4f} "
              f"{len(pickle.dumps(float_model)):>7d}")
        for method in ("uniform", "kmeans"):
            for n_bits in (8, 4, 2):
                q = quantize(model, n_bits=n_bits, method=method, random_state=0)
                print(f"{name:<12} {method:<8} {n_bits:>4} | "
                      f"{q.score(X_test, y_test):>8.4f} {len(pickle.dumps(q)):>7d}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--no-quantization", action="store_true")
    args = parser.parse_args()
    try:
        import skglm  # noqa: F401

        have_skglm = True
    except ImportError:
        have_skglm = False
        print("skglm is not installed: no MCP column (pip install skglm)")
    start = time.perf_counter()
    checks = []
    for name in args.datasets.split(","):
        run_dataset(name, args.splits, have_skglm, checks)
    print("\nchecks: the default is at least as accurate as L1 and L1+refit "
          "(mean over the splits)")
    for ok, text in checks:
        print(f"{'PASS' if ok else 'MISS'}: {text}")
    if not args.no_quantization:
        quantization()
    print(f"\ntotal time {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
