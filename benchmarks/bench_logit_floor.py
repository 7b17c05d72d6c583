"""Which floor EPS (skdistill._students.EPS) is the best default for the
regressor (logit-matching) student path of DistilledClassifier?

A regressor student fits the row-centred log(max(Y, EPS)); a teacher's exact
zeros become targets of log(EPS). Compares EPS from 1e-12 (the default until
this benchmark) to 1e-2 side by side, on four data sets, four teachers (two
with exact zeros, two without), three students, alpha 0.5 and 1 and T 1 and
2: test accuracy, fidelity and log-loss, mean over random splits (the MLP on
the first three only: it dominates the run time), and each EPS paired
against 1e-12. About 12 minutes on one core.

    python benchmarks/bench_logit_floor.py [n_splits] [dataset,...]

EPS is set on the module at run time (the library reads it at each fit).

Speed-up (the regressor fit is the only step that depends on EPS): per
(dataset, split, teacher, student, alpha, T) one full DistilledClassifier fit
is made at EPS=1e-12 while skdistill._students._fit_regressor is wrapped to
record its inputs (student rows, soft targets Y, row weights); for the other
EPS values the real _fit_regressor (which calls _centred_log_targets, which
reads the patched module attribute S.EPS) is re-run on those inputs and the
fitted student is swapped into a copy of the fitted DistilledClassifier, whose
own predict_proba is used. check_shortcut() verifies that this equals a full
DistilledClassifier fit at the patched EPS.
"""
import copy
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_wine,
    make_classification,
)
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import Ridge
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skdistill
import skdistill._students as S

warnings.filterwarnings("ignore", category=ConvergenceWarning)

EPSS = [1e-12, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2]
N_SPLITS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ONLY = sys.argv[2].split(",") if len(sys.argv) > 2 else None
# The MLP student dominates the run time (it usually runs its 500 epochs):
# it is fitted on the first MLP_SPLITS splits only, to stay within ~12 min.
MLP_SPLITS = min(3, N_SPLITS)


def datasets():
    yield "breast_cancer", *load_breast_cancer(return_X_y=True)
    yield "digits", *load_digits(return_X_y=True)
    yield "wine", *load_wine(return_X_y=True)
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=10,
                               n_classes=5, random_state=0)
    yield "mkclass5", X, y


TEACHERS = {
    "tree4": lambda: DecisionTreeClassifier(max_depth=4, random_state=0),
    "rf100": lambda: RandomForestClassifier(100, random_state=0, n_jobs=1),
    "hgb": lambda: HistGradientBoostingClassifier(random_state=0),
    "svc": lambda: SVC(probability=True, random_state=0),
}
STUDENTS = {
    "ridge": lambda: Ridge(alpha=1.0),
    "mlp": lambda: MLPRegressor(hidden_layer_sizes=(32,), max_iter=500, random_state=0),
    "dtr5": lambda: DecisionTreeRegressor(max_depth=5, random_state=0),
}
SETTINGS = [(0.5, 1.0), (1.0, 1.0), (0.5, 2.0)]


class _Spy(Ridge):
    """Ridge recording the targets it is fitted on (patch check)."""

    def fit(self, X, y, sample_weight=None):
        self.Z_ = np.asarray(y).copy()
        return super().fit(X, y, sample_weight=sample_weight)


def check_patch(X, y):
    """The patched EPS must reach _centred_log_targets at fit time."""
    teacher = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    for eps in (1e-12, 1e-2):
        S.EPS = eps
        m = skdistill.DistilledClassifier(FrozenEstimator(teacher), _Spy(), alpha=1.0,
                                          random_state=0).fit(X, y)
        Z = m.student_.Z_
        spread = (Z.max(axis=1) - Z.min(axis=1)).max()
        print(f"# patch check EPS={eps:g}: max row spread of Z = {spread:.3f} "
              f"(-log EPS = {-np.log(eps):.3f})")
        assert abs(spread - (-np.log(eps))) < 0.5, "patch did not reach the targets"
    S.EPS = 1e-12


_ORIG_FIT_REGRESSOR = S._fit_regressor
_REC = {}


def _recording_fit_regressor(student, method, X, Y, sample_weight):
    weight = None if sample_weight is None else sample_weight.copy()
    _REC["args"] = (X, Y.copy(), weight)
    return _ORIG_FIT_REGRESSOR(student, method, X, Y, sample_weight)


S._fit_regressor = _recording_fit_regressor


def fit_all_eps(teacher, smk, a, T, Xtr, ytr):
    """Fitted DistilledClassifier per EPS (see the module docstring)."""
    S.EPS = EPSS[0]
    m0 = skdistill.DistilledClassifier(FrozenEstimator(teacher), smk(), alpha=a, T=T,
                                       n_jobs=1, random_state=0).fit(Xtr, ytr)
    Xs, Y, sw = _REC.pop("args")
    out = {EPSS[0]: m0}
    for eps in EPSS[1:]:
        S.EPS = eps
        m = copy.copy(m0)
        m.student_ = _ORIG_FIT_REGRESSOR(smk(), "fit", Xs, Y.copy(), sw)
        out[eps] = m
    S.EPS = EPSS[0]
    return out


def check_shortcut(teacher, Xtr, ytr, Xte):
    for sn, smk in STUDENTS.items():
        a, T = SETTINGS[-1]
        ms = fit_all_eps(teacher, smk, a, T, Xtr, ytr)
        for eps in (1e-12, 1e-3):
            S.EPS = eps
            full = skdistill.DistilledClassifier(
                FrozenEstimator(teacher), smk(), alpha=a, T=T, n_jobs=1,
                random_state=0,
            ).fit(Xtr, ytr)
            _REC.pop("args", None)
            assert np.allclose(full.predict_proba(Xte), ms[eps].predict_proba(Xte)), sn
        S.EPS = EPSS[0]
    print("# shortcut check passed (full fit == re-fit on recorded inputs)")


def main():
    t0 = time.time()
    orig = S.EPS
    checked = False
    res = {}  # (ds, teacher, student, setting) -> eps -> list of (acc, fid, ll)
    for ds, X, y in datasets():
        if ONLY and ds not in ONLY:
            continue
        if ds == "wine":
            check_patch(StandardScaler().fit_transform(X), y)
        classes = np.unique(y)
        sss = StratifiedShuffleSplit(n_splits=N_SPLITS, test_size=0.25, random_state=0)
        for isplit, (tr, te) in enumerate(sss.split(X, y)):
            sc = StandardScaler().fit(X[tr])
            Xtr, Xte = sc.transform(X[tr]), sc.transform(X[te])
            ytr, yte = y[tr], y[te]
            for tn, tmk in TEACHERS.items():
                teacher = tmk().fit(Xtr, ytr)
                t_pred = teacher.predict(Xte)
                if ds == "wine" and tn == "tree4" and not checked:
                    check_shortcut(teacher, Xtr, ytr, Xte)
                    checked = True
                for sn, smk in STUDENTS.items():
                    if sn == "mlp" and isplit >= MLP_SPLITS:
                        continue
                    for a, T in SETTINGS:
                        key = (ds, tn, sn, f"a={a:g},T={T:g}")
                        for eps, m in fit_all_eps(teacher, smk, a, T, Xtr, ytr).items():
                            P = m.predict_proba(Xte)
                            pred = m.classes_[P.argmax(axis=1)]
                            res.setdefault(key, {}).setdefault(eps, []).append((
                                np.mean(pred == yte), np.mean(pred == t_pred),
                                log_loss(yte, P, labels=classes)))
            print(f"# {ds} split done, {time.time() - t0:.0f}s", flush=True)
    S.EPS = orig
    report(res)
    print(f"# total {time.time() - t0:.0f}s")


def report(res):
    keys = list(res)
    acc = np.array([[np.mean([r[0] for r in res[k][e]]) for e in EPSS] for k in keys])
    sd = np.array([[np.std([r[0] for r in res[k][e]]) for e in EPSS] for k in keys])
    fid = np.array([[np.mean([r[1] for r in res[k][e]]) for e in EPSS] for k in keys])
    ll = np.array([[np.mean([r[2] for r in res[k][e]]) for e in EPSS] for k in keys])
    print(
        f"\n## Test accuracy (%), mean ± sd over splits ({N_SPLITS} splits; "
        f"mlp rows {MLP_SPLITS})"
    )
    head = "".join(f"{e:>13g}" for e in EPSS)
    print(f"{'dataset/teacher/student/alpha,T':<40}" + head)
    for i, k in enumerate(keys):
        cells = "".join(
            f"{100*acc[i, j]:>7.1f}±{100*sd[i, j]:<4.1f} " for j in range(len(EPSS))
        )
        print(f"{'/'.join(k):<40}" + cells)
    print("\n## Test log-loss, mean over splits")
    for i, k in enumerate(keys):
        row = "".join(f"{ll[i, j]:>13.3f}" for j in range(len(EPSS)))
        print(f"{'/'.join(k):<40}" + row)
    print("\n## Fidelity (%), mean over splits")
    for i, k in enumerate(keys):
        row = "".join(f"{100*fid[i, j]:>13.1f}" for j in range(len(EPSS)))
        print(f"{'/'.join(k):<40}" + row)
    best = acc.max(axis=1, keepdims=True)
    near = (acc >= best - 0.005).sum(axis=0)
    print(f"\n## Summary over {len(keys)} rows")
    print(f"{'':<22}" + "".join(f"{e:>10g}" for e in EPSS))
    means = "".join(f"{100 * v:>10.2f}" for v in acc.mean(0))
    print(f"{'mean accuracy (%)':<22}" + means)
    print(f"{'best/within 0.5pt':<22}" + "".join(f"{v:>10d}" for v in near))
    means = "".join(f"{100 * v:>10.2f}" for v in fid.mean(0))
    print(f"{'mean fidelity (%)':<22}" + means)
    print(f"{'mean log-loss':<22}" + "".join(f"{v:>10.3f}" for v in ll.mean(0)))
    print(f"{'median log-loss':<22}" + "".join(f"{v:>10.3f}" for v in np.median(ll, 0)))
    d = acc - acc[:, [0]]
    dl = ll - ll[:, [0]]
    print(
        "\n## Paired vs EPS=1e-12 (accuracy points; rows better/worse by "
        "> 0.5 pt; log-loss)"
    )
    for j, e in enumerate(EPSS[1:], 1):
        better, worse = np.sum(d[:, j] > 0.005), np.sum(d[:, j] < -0.005)
        ll_better, ll_worse = np.sum(dl[:, j] < -0.01), np.sum(dl[:, j] > 0.01)
        print(
            f"EPS={e:<6g} mean d_acc {100 * d[:, j].mean():+6.2f}  better "
            f"{better:>3d}  worse {worse:>3d}   mean d_logloss "
            f"{dl[:, j].mean():+7.3f}  ll better {ll_better:>3d} worse {ll_worse:>3d}"
        )
    # breakdowns
    for idx, name in ((1, "teacher"), (2, "student")):
        print(f"\n## Mean accuracy (%) by {name}")
        for v in dict.fromkeys(k[idx] for k in keys):
            rows = [i for i, k in enumerate(keys) if k[idx] == v]
            print(f"{v:<22}" + "".join(f"{100*x:>10.2f}" for x in acc[rows].mean(0))
                  + "   logloss " + " ".join(f"{x:.3f}" for x in ll[rows].mean(0)))


if __name__ == "__main__":
    main()
