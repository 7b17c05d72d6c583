"""Benchmark streaming distillation (``partial_fit``) against the batch fit.

A random forest, frozen, labels a stream of chunks (make_classification,
3 classes, 4 chunks of 500 rows); students learn them with ``partial_fit``
through ``DistilledClassifier(FrozenEstimator(teacher), student, alpha=1)``.
Side by side, after 1, 3 and 10 passes over the chunks, mean +- sd over
``--seeds`` random problems:

- fidelity (agreement with the teacher) and accuracy on held-out rows;
- ``SoftLogisticRegression`` (exact soft cross-entropy, incremental Newton
  across chunks) and its distance to the batch solution;
- ``SGDClassifier(loss="log_loss")`` and ``MLPClassifier`` through
  ``DistilledClassifier`` (the encoding ``partial_fit_student`` chooses),
  given the teacher's hard labels directly, and, for SGD, the two other soft
  encodings (rows repeated per class weighted by the targets; labels sampled
  from the targets);
- the batch soft-target fit of a ``LogisticRegression`` on all the rows.

Run ``python benchmarks/bench_stream.py`` (``--seeds 5``).
"""

import argparse
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from skdistill import DistilledClassifier
from skdistill.linear_model import SoftLogisticRegression

PASSES = (1, 3, 10)
N_CHUNKS, CHUNK = 4, 500


def problem(seed):
    X, y = make_classification(
        n_samples=1000 + N_CHUNKS * CHUNK + 1000,
        n_features=20,
        n_informative=10,
        n_classes=3,
        random_state=seed,
    )
    teacher = RandomForestClassifier(100, random_state=seed).fit(X[:1000], y[:1000])
    stream = X[1000 : 1000 + N_CHUNKS * CHUNK]
    X_test, y_test = X[-1000:], y[-1000:]
    return teacher, stream, X_test, y_test


def chunks(stream):
    return [stream[i * CHUNK : (i + 1) * CHUNK] for i in range(N_CHUNKS)]


def run_seed(seed):
    teacher, stream, X_test, y_test = problem(seed)
    t_test = teacher.predict(X_test)
    classes = teacher.classes_
    rng = np.random.RandomState(seed)

    def scores(model):
        pred = model.predict(X_test)
        return np.mean(pred == t_test), np.mean(pred == y_test)

    batch = DistilledClassifier(
        FrozenEstimator(teacher), LogisticRegression(), alpha=1.0
    ).fit(stream, teacher.predict(stream))
    results = {"batch LogisticRegression (soft fit)": [scores(batch)] * len(PASSES)}
    # the exact optimum, to measure how far the batch fit and the stream are
    tight = SoftLogisticRegression(tol=1e-10, max_iter=10_000).fit(
        stream, teacher.predict_proba(stream)
    )
    optimum = np.r_[tight.coef_.ravel(), tight.intercept_]
    batch_params = np.r_[batch.student_.coef_.ravel(), batch.student_.intercept_]

    def distilled(student):
        return DistilledClassifier(FrozenEstimator(teacher), student, alpha=1.0)

    def hard(student):
        def update(model, X):
            model.partial_fit(X, teacher.predict(X), classes=classes)
        return student, update

    def soft(student):
        def update(model, X):
            model.partial_fit(X)
        return distilled(student), update

    def sgd_encoding(kind):
        def update(model, X):
            P = teacher.predict_proba(X)
            if kind == "repeat":
                rows, cols = np.nonzero(P > 1e-8)
                model.partial_fit(
                    X[rows], classes[cols], classes=classes, sample_weight=P[rows, cols]
                )
            else:
                u = rng.uniform(size=(len(P), 1))
                label = np.minimum((P.cumsum(axis=1) < u).sum(axis=1), len(classes) - 1)
                model.partial_fit(X, classes[label], classes=classes)
        return SGDClassifier(loss="log_loss", random_state=seed), update

    sgd = SGDClassifier(loss="log_loss", random_state=seed)
    mlp = MLPClassifier((20,), random_state=seed)
    runs = {
        "SoftLogisticRegression, stream": soft(SoftLogisticRegression()),
        "SGD log_loss, stream soft (argmax)": soft(clone(sgd)),
        "SGD log_loss, stream hard labels": hard(clone(sgd)),
        "SGD log_loss, soft: repeated rows": sgd_encoding("repeat"),
        "SGD log_loss, soft: sampled labels": sgd_encoding("sample"),
        "MLP(20), stream soft (repeated rows)": soft(clone(mlp)),
        "MLP(20), stream hard labels": hard(clone(mlp)),
    }
    distance = []
    for name, (model, update) in runs.items():
        out = []
        for p in range(1, max(PASSES) + 1):
            for X in chunks(stream):
                update(model, X)
            if p in PASSES:
                out.append(scores(model))
                if name.startswith("SoftLogistic"):
                    student = model.student_
                    coef = np.r_[student.coef_.ravel(), student.intercept_]
                    distance.append(np.max(np.abs(coef - optimum)))
        results[name] = out
    distance.append(np.max(np.abs(batch_params - optimum)))
    return results, distance


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    threadpool_limits(1)
    all_results, distances = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in range(args.seeds):
            res, dist = run_seed(seed)
            all_results.append(res)
            distances.append(dist)
    header = "  ".join(f"{f'{p} pass' + ('es' if p > 1 else ''):>13s}" for p in PASSES)
    for metric, idx in [("fidelity to the teacher", 0), ("accuracy", 1)]:
        print(f"\n== {metric}, mean +- sd over {args.seeds} seeds "
              f"({N_CHUNKS} chunks of {CHUNK} rows)")
        print(f"{'':40s}{header}")
        for name in all_results[0]:
            values = np.array([[s[idx] for s in r[name]] for r in all_results])
            cells = "  ".join(
                f"{m:.3f}+-{sd:.3f}" for m, sd in zip(values.mean(0), values.std(0))
            )
            print(f"{name:40s}{cells}")
    d = np.array(distances)
    print("\nmax |params - optimum| (optimum: fit at tol=1e-10), worst seed; "
          "stream and batch at the default tol=1e-4:")
    print("  SoftLogisticRegression stream: " + "  ".join(
        f"{p} pass(es) {v:.1e}" for p, v in zip(PASSES, d.max(0)[:-1])))
    print(f"  batch fit:                     {d.max(0)[-1]:.1e}")
    fid = np.array([[s[0] for s in r["SoftLogisticRegression, stream"]]
                    for r in all_results]).mean(0)
    fid_batch = np.mean([r["batch LogisticRegression (soft fit)"][0][0]
                         for r in all_results])
    print(f"one-pass fidelity gap to batch: {100 * (fid_batch - fid[0]):+.1f} points "
          "(target within 2)")


if __name__ == "__main__":
    main()
