"""Students trained on hard labels vs distilled, with and without MUNGE and teacher_cv.

Teacher: RandomForestClassifier(n_estimators=300). Students: MLPClassifier(64),
DecisionTreeClassifier(max_depth=8), LogisticRegression. Prints test accuracy,
agreement with the teacher, and teacher/student ratios of pickled size and
prediction time, side by side in one run.

    python benchmarks/bench_transfer.py [--quick]
"""

import argparse
import time

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from skdistill import DistilledClassifier
from skdistill.metrics import fidelity_score, prediction_time, serialized_size


def students(quick):
    return {
        "mlp(64)": MLPClassifier(
            hidden_layer_sizes=(64,), max_iter=100 if quick else 300,
            early_stopping=False, random_state=0,
        ),
        "tree(8)": DecisionTreeClassifier(max_depth=8, random_state=0),
        "logistic": LogisticRegression(max_iter=1000),
    }


def run(name, X, y, quick, augment_size):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    n_trees = 60 if quick else 300
    start = time.perf_counter()
    teacher = RandomForestClassifier(n_estimators=n_trees, n_jobs=2, random_state=0)
    teacher.fit(X_train, y_train)
    teacher.set_params(n_jobs=1)  # time predictions single-threaded, like students
    print(f"\n== {name}: {X_train.shape[0]} train rows, teacher fit "
          f"{time.perf_counter() - start:.1f}s")
    t_pred = teacher.predict(X_test)
    t_acc = np.mean(t_pred == y_test)
    t_bytes = serialized_size(teacher)
    t_time = prediction_time(teacher, X_test, n_repeats=7)
    header = (f"{'student':10s} {'training':22s} {'accuracy':>8s} {'fidelity':>8s} "
              f"{'size x':>8s} {'speed x':>8s} {'fit s':>6s}")
    print(header)
    print(f"{'teacher':10s} {'forest(' + str(n_trees) + ')':22s} {t_acc:8.3f} "
          f"{1.0:8.3f} {1.0:8.1f} {1.0:8.1f}")
    frozen = FrozenEstimator(teacher)
    # the same forest, unfitted: teacher_cv fits it on folds (and on all rows)
    oof_teacher = RandomForestClassifier(n_estimators=n_trees, n_jobs=2, random_state=0)
    results = {}
    for s_name, student in students(quick).items():
        variants = {
            "hard labels": None,
            "distilled": DistilledClassifier(frozen, student, alpha=1.0, T=1.0),
            "distilled+cv": DistilledClassifier(
                oof_teacher, student, alpha=1.0, teacher_cv=3
            ),
            "distilled+munge": DistilledClassifier(
                frozen, student, alpha=1.0, augment="munge",
                augment_size=augment_size, random_state=0,
            ),
            "distilled+munge+cv": DistilledClassifier(
                oof_teacher, student, alpha=1.0, teacher_cv=3, augment="munge",
                augment_size=augment_size, random_state=0,
            ),
        }
        for v_name, model in variants.items():
            start = time.perf_counter()
            if model is None:
                fitted = clone(student).fit(X_train, y_train)
            else:
                fitted = model.fit(X_train, y_train).student_
            fit_s = time.perf_counter() - start
            pred = fitted.predict(X_test)
            acc = np.mean(pred == y_test)
            fid = fidelity_score(t_pred, pred)
            size = t_bytes / serialized_size(fitted)
            speed = t_time / prediction_time(fitted, X_test, n_repeats=7)
            results[(s_name, v_name)] = (acc, size, speed)
            print(f"{s_name:10s} {v_name:22s} {acc:8.3f} {fid:8.3f} {size:8.1f} "
                  f"{speed:8.1f} {fit_s:6.1f}")
    return t_acc, results


def main():
    # One BLAS thread: predictions of teacher and students are timed alike, and
    # idle BLAS threads on a busy machine do not distort the small models.
    with threadpool_limits(1):
        _main()


def _main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    args = parser.parse_args()
    X, y = make_classification(
        n_samples=6000, n_features=20, n_informative=10, n_classes=3,
        n_clusters_per_class=3, random_state=0,
    )
    t_acc, res = run("make_classification", X, y, args.quick, augment_size=5.0)
    acc, size, speed = res[("mlp(64)", "distilled+munge")]
    hard = res[("mlp(64)", "hard labels")][0]
    checks = [
        (f"distilled MLP+MUNGE accuracy {acc:.3f} >= teacher {t_acc:.3f} - 0.01",
         acc >= t_acc - 0.01),
        (f"distilled MLP+MUNGE accuracy {acc:.3f} > hard-label MLP {hard:.3f}",
         acc > hard),
        (f"teacher/student pickled size {size:.0f}x >= 100x", size >= 100),
        (f"teacher/student prediction time {speed:.0f}x >= 20x", speed >= 20),
    ]
    for text, ok in checks:
        print(("PASS " if ok else "MISS ") + text)
    X, y = load_digits(return_X_y=True)
    run("load_digits", X, y, args.quick, augment_size=5.0)


if __name__ == "__main__":
    main()
