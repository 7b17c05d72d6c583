"""Tests for the soft-target logistic regression solver, bridge and estimator."""

import pickle
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.svm import SVC
from sklearn.utils.fixes import parse_version
from _checks import parametrize_with_checks

from skdistill.linear_model import SoftLogisticRegression, check_soft_targets
from skdistill.linear_model._soft_logistic import (
    _fit_logistic_regression_soft,
    _fit_soft_logistic,
    _supports_soft_targets,
)

TIGHT = dict(tol=1e-10, max_iter=10000)

sklearn_version = parse_version(parse_version(sklearn.__version__).base_version)
# LogisticRegression's lbfgs solver casts float32 input to float64 (float64
# coef_) before scikit-learn 1.9, and keeps float32 from 1.9.
LR_LBFGS_KEEPS_FLOAT32 = sklearn_version >= parse_version("1.9")
# class_weight="balanced" counts sample weights from scikit-learn 1.7
# (compute_class_weight takes sample_weight); before, it counts rows only.
BALANCED_COUNTS_WEIGHTS = sklearn_version >= parse_version("1.7")
# From scikit-learn 1.8, l1_ratio selects the penalty (penalty is deprecated);
# before, l1_ratio is used only with penalty="elasticnet", otherwise ignored.
L1_RATIO_SETS_PENALTY = sklearn_version >= parse_version("1.8")


def _l1_ratio_logistic(l1_ratio, **params):
    """A LogisticRegression with an L1 / elastic-net penalty of ``l1_ratio``."""
    if L1_RATIO_SETS_PENALTY:
        return LogisticRegression(l1_ratio=l1_ratio, **params)
    return LogisticRegression(penalty="elasticnet", l1_ratio=l1_ratio, **params)


def _data(n_classes, n_samples=200, n_features=6, seed=0, **kwargs):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
        **kwargs,
    )
    return X, y


def _soft_targets(X, n_classes, seed=0, T=2.0):
    """Teacher-like soft targets: softmax of a random linear model at temperature T."""
    rng = np.random.RandomState(seed)
    logits = X @ rng.normal(size=(X.shape[1], n_classes)) / T
    logits -= logits.max(axis=1, keepdims=True)
    P = np.exp(logits)
    return P / P.sum(axis=1, keepdims=True)


def _repetition_fit(X, Y, sample_weight=None, **lr_params):
    """Reference: each row repeated once per class, weighted by its target."""
    n_samples, n_classes = Y.shape
    sw = np.ones(n_samples) if sample_weight is None else sample_weight
    X_rep = np.repeat(X, n_classes, axis=0)
    y_rep = np.tile(np.arange(n_classes), n_samples)
    sw_rep = (sw[:, None] * Y).ravel()
    return LogisticRegression(**lr_params).fit(X_rep, y_rep, sample_weight=sw_rep)


# --------------------------------------------------------------------------- solver


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_solver_matches_logistic_regression_on_hard_labels(
    n_classes, sparse, fit_intercept, weighted
):
    X, y = _data(n_classes)
    rng = np.random.RandomState(1)
    sw = rng.uniform(0.5, 2.0, size=y.shape[0]) if weighted else None
    Xf = sp.csr_matrix(X) if sparse else X
    ref = LogisticRegression(fit_intercept=fit_intercept, **TIGHT).fit(
        Xf, y, sample_weight=sw
    )
    coef, intercept, n_iter = _fit_soft_logistic(
        Xf, np.eye(n_classes)[y], sample_weight=sw, fit_intercept=fit_intercept, **TIGHT
    )
    assert coef.shape == ref.coef_.shape
    assert intercept.shape == ref.intercept_.shape
    assert_allclose(coef, ref.coef_, rtol=1e-4)
    assert_allclose(intercept, ref.intercept_, rtol=1e-4, atol=1e-12)
    assert isinstance(n_iter, int) and 0 < n_iter <= TIGHT["max_iter"]


@pytest.mark.parametrize("n_classes", [2, 3])
def test_solver_float32(n_classes):
    X, y = _data(n_classes)
    X32 = X.astype(np.float32)
    Y = np.eye(n_classes)[y]
    ref32 = LogisticRegression().fit(X32, y)
    coef, intercept, _ = _fit_soft_logistic(X32, Y)
    assert coef.dtype == intercept.dtype == np.float32
    ref_dtype = np.float32 if LR_LBFGS_KEEPS_FLOAT32 else np.float64
    assert ref32.coef_.dtype == ref32.intercept_.dtype == ref_dtype
    # float32 products limit both solvers' accuracy; compare at default tol
    assert_allclose(coef, ref32.coef_, rtol=1e-3, atol=1e-5)
    # and the float32 solution is close to the float64 optimum
    ref64 = LogisticRegression(**TIGHT).fit(X, y)
    coef32, intercept32, _ = _fit_soft_logistic(X32, Y, tol=1e-6, max_iter=1000)
    proba = ref64.predict_proba(X)
    ours = LogisticRegression().fit(X, y)  # only to borrow predict_proba
    ours.coef_, ours.intercept_ = coef32.astype(float), intercept32.astype(float)
    # float32 products end both solvers' line searches early, at a point that
    # depends on the CPU's float32 kernels: scikit-learn's float32 lbfgs fit
    # (>= 1.8) is 1.3e-4 away on some machines, as is this one
    assert_allclose(ours.predict_proba(X), proba, atol=5e-4)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_solver_float32_features_of_large_mean(n_classes):
    # raw readings around 100: the loss of float32 logits less a float64
    # linear part disagreed with its gradient, and the line search stopped
    # far from the optimum (1.2e-3 and 9.4e-4 above it), without a warning
    from scipy.special import log_softmax

    X, y = make_classification(
        n_samples=2000, n_features=10, n_informative=5, n_classes=n_classes,
        random_state=0,
    )
    X = X + 100.0
    X32 = X.astype(np.float32)
    Y = np.eye(n_classes)[y]

    def objective(coef, intercept):  # in float64
        Z = X @ coef.T.astype(np.float64) + intercept.astype(np.float64)
        if n_classes == 2:
            Z = np.c_[np.zeros(len(y)), Z]
        data = -log_softmax(Z, axis=1)[np.arange(len(y)), y].mean()
        return data + 0.5 * float(np.sum(coef.astype(np.float64) ** 2)) / len(y)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        optimum = objective(*_fit_soft_logistic(X, Y, max_iter=5000)[:2])
        reached = objective(*_fit_soft_logistic(X32, Y, max_iter=5000)[:2])
    # scikit-learn's float32 fit stops 1e-5 to 2e-4 above the optimum here
    assert reached - optimum < 2e-4


@pytest.mark.parametrize("n_classes", [2, 4])
def test_solver_no_penalty(n_classes):
    # overlapping classes so that the unpenalised optimum is finite
    X, y = _data(n_classes, n_samples=400, flip_y=0.3, class_sep=0.5)
    ref = LogisticRegression(C=np.inf, **TIGHT).fit(X, y)
    coef, intercept, _ = _fit_soft_logistic(X, np.eye(n_classes)[y], C=np.inf, **TIGHT)
    assert_allclose(coef, ref.coef_, rtol=1e-4)
    assert_allclose(intercept, ref.intercept_, rtol=1e-4)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("class_weight", [None, "balanced", "dict"])
def test_soft_targets_match_row_repetition(n_classes, class_weight):
    X, _ = _data(n_classes, n_samples=150)
    Y = _soft_targets(X, n_classes)
    rng = np.random.RandomState(2)
    sw = rng.uniform(0.5, 2.0, size=X.shape[0])
    if class_weight == "dict":
        class_weight = {k: 0.5 + k for k in range(n_classes)}
    ref_class_weight = class_weight
    if class_weight == "balanced" and not BALANCED_COUNTS_WEIGHTS:
        # scikit-learn < 1.7 balances the repeated rows by count, ignoring
        # their weights; the soft solver balances the weighted class totals
        # t_k = sum_i sw_i Y_ik, as scikit-learn >= 1.7 does: pass them as a dict
        totals = (sw[:, None] * Y).sum(axis=0)
        ref_class_weight = dict(enumerate(totals.sum() / (n_classes * totals)))
    ref = _repetition_fit(
        X, Y, sample_weight=sw, class_weight=ref_class_weight, **TIGHT
    )
    est = LogisticRegression(class_weight=class_weight, **TIGHT)
    _fit_logistic_regression_soft(est, X, Y, np.arange(n_classes), sample_weight=sw)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4)
    assert_allclose(est.intercept_, ref.intercept_, rtol=1e-4, atol=1e-10)


def test_solver_warm_start():
    X, y = _data(3)
    Y = np.eye(3)[y]
    coef, intercept, _ = _fit_soft_logistic(X, Y, **TIGHT)
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        coef3, intercept3, n_iter3 = _fit_soft_logistic(X, Y, max_iter=3)
    assert n_iter3 == 3
    coef_w, intercept_w, _ = _fit_soft_logistic(
        X, Y, coef_init=coef3, intercept_init=intercept3, **TIGHT
    )
    assert_allclose(coef_w, coef, rtol=1e-5)
    # starting at the optimum: (almost) nothing to do
    _, _, n_iter = _fit_soft_logistic(
        X, Y, coef_init=coef, intercept_init=intercept, tol=1e-4
    )
    assert n_iter <= 1


def test_solver_coef_mask():
    X, y = _data(3, n_features=8)
    Y = _soft_targets(X, 3)
    rng = np.random.RandomState(3)
    mask = rng.uniform(size=(3, 8)) > 0.4
    coef, _, _ = _fit_soft_logistic(
        X, Y, coef_mask=mask, coef_init=np.ones((3, 8)), **TIGHT
    )
    assert np.all(coef[~mask] == 0.0)
    assert np.all(coef[mask] != 0.0)
    full, full_b, _ = _fit_soft_logistic(X, Y, **TIGHT)
    all_true, all_true_b, _ = _fit_soft_logistic(
        X, Y, coef_mask=np.ones((3, 8), dtype=bool), **TIGHT
    )
    assert_array_equal(all_true, full)
    assert_array_equal(all_true_b, full_b)


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cg"])
def test_solver_coef_mask_and_init_on_sparse_X(solver):
    # sparse X stores coef.T in the parameters: the mask and the starting
    # coefficients must land on the same entries as for dense X
    X, y = _data(3, n_features=8)
    Y = _soft_targets(X, 3)
    rng = np.random.RandomState(3)
    mask = rng.uniform(size=(3, 8)) > 0.4
    init = rng.normal(size=(3, 8))
    params = dict(coef_mask=mask, coef_init=init, solver=solver, **TIGHT)
    dense, dense_b, _ = _fit_soft_logistic(X, Y, **params)
    sparse, sparse_b, _ = _fit_soft_logistic(sp.csr_matrix(X), Y, **params)
    assert_array_equal(sparse[~mask], 0.0)
    assert_allclose(sparse, dense, rtol=1e-6, atol=1e-7)
    assert_allclose(sparse_b, dense_b, rtol=1e-6, atol=1e-7)
    # a start at the optimum is recognised as one: no iteration
    _, _, n_iter = _fit_soft_logistic(
        sp.csr_matrix(X), Y, coef_mask=mask, coef_init=sparse,
        intercept_init=sparse_b, solver=solver,
    )
    assert n_iter == 0


def test_solver_coef_mask_equals_dropping_features():
    # binary: masking whole features is fitting on the remaining columns
    X, y = _data(2, n_features=8)
    keep = np.array([True, False, True, True, False, True, True, False])
    coef, intercept, _ = _fit_soft_logistic(
        X, np.eye(2)[y], coef_mask=keep[None, :], **TIGHT
    )
    ref = LogisticRegression(**TIGHT).fit(X[:, keep], y)
    assert_array_equal(coef[0, ~keep], 0.0)
    assert_allclose(coef[0, keep], ref.coef_[0], rtol=1e-4)
    assert_allclose(intercept, ref.intercept_, rtol=1e-4)
    with pytest.raises(ValueError, match="coef_mask has shape"):
        _fit_soft_logistic(X, np.eye(2)[y], coef_mask=np.ones((2, 8), dtype=bool))


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
def test_solver_read_only_and_layouts(order, fmt):
    X, y = _data(3)
    Y = _soft_targets(X, 3)
    expected, _, _ = _fit_soft_logistic(X, Y, **TIGHT)
    if fmt == "dense":
        Xf = np.asarray(X, order=order)
        Xf.setflags(write=False)
    else:
        Xf = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
        Xf.data.setflags(write=False)
    coef, _, _ = _fit_soft_logistic(Xf, Y, **TIGHT)
    # sparse X is fitted by Newton-CG: the same optimum to its tolerance
    assert_allclose(coef, expected, rtol=1e-6, atol=1e-6)


def test_solver_does_not_copy_X():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20000, 50))
    Y = _soft_targets(X, 3)
    _fit_soft_logistic(X[:100], Y[:100])  # warm up imports and caches
    tracemalloc.start()
    try:
        _fit_soft_logistic(X, Y, max_iter=20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.5 * X.nbytes  # a single copy of X would be 1.0


def test_float32_X_takes_about_the_memory_of_float64_X():
    # the linear part of the loss, summed in float64, copied each float32
    # block of X to float64 (15.4 MB where float64 X took 2.0 MB); now a few
    # hundred KB at a time, beside the float32 path's residual vector
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40000, 200))
    Y = rng.dirichlet(np.ones(5), size=40000)
    _fit_soft_logistic(X[:100], Y[:100])  # warm up imports and caches
    peaks = {}
    for dtype in (np.float64, np.float32):
        Xd = X.astype(dtype)
        tracemalloc.start()
        try:
            _fit_soft_logistic(Xd, Y, max_iter=5)
            peaks[dtype] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # (one more vector of 40,000 float64: 0.32 MB; work arrays: 0.5 MB)
    assert peaks[np.float32] < peaks[np.float64] + 1.2e6


def test_solver_bad_input():
    X, y = _data(3)
    with pytest.raises(ValueError, match="n_classes>=2"):
        _fit_soft_logistic(X, np.ones((X.shape[0], 1)))
    with pytest.raises(ValueError, match="float32 or float64"):
        _fit_soft_logistic(X.astype(np.int64), np.eye(3)[y])
    with pytest.raises(ValueError, match="coef_init has shape"):
        _fit_soft_logistic(X, np.eye(3)[y], coef_init=np.zeros((2, 6)))
    with pytest.raises(ValueError, match="sample_weight.shape"):
        _fit_soft_logistic(X, np.eye(3)[y], sample_weight=np.ones(3))


# ------------------------------------------------------------------ target checks


@pytest.mark.parametrize(
    "Y, n_classes, match",
    [
        ([[0.5, 0.5], [1.5, -0.5]], None, "negative"),
        ([[0.5, 0.4], [0.5, 0.5]], None, "sum to 1"),
        ([[0.5, np.nan], [0.5, 0.5]], None, "NaN or infinite"),
        ([[np.inf, 0.0], [0.5, 0.5]], None, "NaN or infinite"),
        ([[0.5, 0.5], [0.5, 0.5]], 3, "2 columns but there are 3 classes"),
        ([[1.0], [1.0]], None, "at least 2 columns"),
        ([0.5, 0.5], None, "2-D array"),
    ],
)
def test_check_soft_targets_errors(Y, n_classes, match):
    with pytest.raises(ValueError, match=match):
        check_soft_targets(np.asarray(Y), n_classes=n_classes)


def test_check_soft_targets_tolerance():
    Y = np.array([[0.3, 0.7 + 1e-9], [1.0, 0.0]])
    assert_array_equal(check_soft_targets(Y), Y)
    Y32 = _soft_targets(np.random.RandomState(0).normal(size=(50, 4)), 5)
    check_soft_targets(Y32.astype(np.float32))


# ------------------------------------------------------------------------- bridge


def test_supports_soft_targets():
    assert _supports_soft_targets(LogisticRegression())
    assert _supports_soft_targets(LogisticRegression(C=np.inf))
    assert _supports_soft_targets(LogisticRegression(solver="newton-cg"))
    assert _supports_soft_targets(_l1_ratio_logistic(0.0, solver="saga"))
    assert not _supports_soft_targets(_l1_ratio_logistic(1.0, solver="saga"))
    assert not _supports_soft_targets(_l1_ratio_logistic(0.5, solver="saga"))
    # before scikit-learn 1.8, l1_ratio alone leaves the default L2 penalty
    assert _supports_soft_targets(
        LogisticRegression(l1_ratio=1.0, solver="saga")
    ) is not L1_RATIO_SETS_PENALTY
    assert not _supports_soft_targets(LogisticRegression(solver="liblinear"))
    assert not _supports_soft_targets(LogisticRegressionCV())
    assert not _supports_soft_targets(SVC())
    assert not _supports_soft_targets(SoftLogisticRegression())


def test_supports_soft_targets_explicit_penalty():
    # explicit ``penalty`` (a real parameter before scikit-learn 1.8): resolved
    # without triggering scikit-learn's FutureWarning (an error in this suite)
    for penalty, expected in [("l2", True), (None, True), ("l1", False)]:
        est = LogisticRegression()
        est.penalty = penalty
        assert _supports_soft_targets(est) is expected
    est = LogisticRegression()
    est.penalty, est.l1_ratio = "elasticnet", 0.0
    assert _supports_soft_targets(est)


def test_bridge_explicit_penalty_none_ignores_C():
    X, y = _data(2, n_samples=300, flip_y=0.3, class_sep=0.5)
    est = LogisticRegression(C=0.01, **TIGHT)
    est.penalty = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # 'penalty' (>= 1.8)
        _fit_logistic_regression_soft(est, X, np.eye(2)[y], np.array([0, 1]))
    ref = LogisticRegression(C=np.inf, **TIGHT).fit(X, y)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4)


def test_bridge_rejects_unsupported():
    X, y = _data(2)
    with pytest.raises(TypeError, match="liblinear"):
        _fit_logistic_regression_soft(
            LogisticRegression(solver="liblinear"), X, np.eye(2)[y], [0, 1]
        )


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_bridge_matches_fit_on_hard_labels(class_weight, weighted):
    # with sample_weight, "balanced" counts the labels (labels=True) as the
    # installed scikit-learn does: weighted from 1.7 on, unweighted by 1.6
    X, y = _data(3)
    labels = np.array(["a", "b", "c"])
    sw = np.random.RandomState(3).uniform(0.1, 3.0, len(y)) if weighted else None
    ref = LogisticRegression(class_weight=class_weight, **TIGHT).fit(
        X, labels[y], sample_weight=sw
    )
    est = LogisticRegression(class_weight=class_weight, **TIGHT)
    out = _fit_logistic_regression_soft(
        est, X, np.eye(3)[y], labels, sample_weight=sw, labels=True
    )
    assert out is est
    assert_array_equal(est.classes_, ref.classes_)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4)
    assert_allclose(est.intercept_, ref.intercept_, rtol=1e-4)
    assert est.n_iter_.dtype == ref.n_iter_.dtype == np.int32
    assert est.n_iter_.shape == ref.n_iter_.shape == (1,)
    assert est.n_features_in_ == ref.n_features_in_
    assert_array_equal(est.predict(X), ref.predict(X))


def test_bridge_bad_targets():
    X, y = _data(3)
    Y = np.eye(3)[y]
    with pytest.raises(ValueError, match="3 columns but there are 2 classes"):
        _fit_logistic_regression_soft(LogisticRegression(), X, Y, [0, 1])
    with pytest.raises(ValueError, match="sum to 1"):
        _fit_logistic_regression_soft(LogisticRegression(), X, Y * 0.5, [0, 1, 2])
    with pytest.raises(ValueError, match="samples"):
        _fit_logistic_regression_soft(LogisticRegression(), X, Y[:-1], [0, 1, 2])


def test_bridge_warm_start():
    X, _ = _data(3)
    Y = _soft_targets(X, 3)
    est = LogisticRegression(warm_start=True, **TIGHT)
    _fit_logistic_regression_soft(est, X, Y, [0, 1, 2])
    first = est.n_iter_[0]
    est.set_params(tol=1e-4)
    _fit_logistic_regression_soft(est, X, Y, [0, 1, 2])
    assert first > 5 and est.n_iter_[0] <= 1


@pytest.mark.parametrize("n_classes", [2, 3])
def test_bridge_fitted_model_is_a_genuine_logistic_regression(n_classes):
    X, _ = _data(n_classes)
    Y = _soft_targets(X, n_classes)
    classes = np.arange(n_classes) * 10
    est = _fit_logistic_regression_soft(LogisticRegression(), X, Y, classes)
    # predict_proba / decision_function from LogisticRegression's own code
    proba = est.predict_proba(X)
    assert proba.shape == (X.shape[0], n_classes)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert set(np.unique(est.predict(X))) <= set(classes)
    # pickle round trip
    clone_ = pickle.loads(pickle.dumps(est))
    assert_allclose(clone_.predict_proba(X), proba)
    # SelectFromModel on the prefit model
    selector = SelectFromModel(est, prefit=True, max_features=3, threshold=-np.inf)
    assert selector.transform(X).shape == (X.shape[0], 3)
    # sparsify keeps the predictions
    est.sparsify()
    assert sp.issparse(est.coef_)
    assert_allclose(est.predict_proba(X), proba)
    est.densify()


@pytest.mark.parametrize("n_classes", [2, 3])
def test_bridge_fitted_model_converts_to_onnx(n_classes):
    skl2onnx = pytest.importorskip("skl2onnx")
    ort = pytest.importorskip("onnxruntime")
    X, _ = _data(n_classes)
    X = X.astype(np.float32)
    Y = _soft_targets(X.astype(float), n_classes)
    est = LogisticRegression()
    _fit_logistic_regression_soft(est, X, Y, np.arange(n_classes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # third-party internals
        onx = skl2onnx.to_onnx(est, X[:1], options={"zipmap": False})
    sess = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels, proba = sess.run(None, {sess.get_inputs()[0].name: X})
    assert_array_equal(labels, est.predict(X))
    assert_allclose(proba, est.predict_proba(X), atol=1e-5)


# ---------------------------------------------------------------------- estimator


@parametrize_with_checks([SoftLogisticRegression()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_estimator_matches_logistic_regression(n_classes, sparse):
    X, y = _data(n_classes)
    Xf = sp.csr_matrix(X) if sparse else X
    labels = np.array(["cat", "dog", "eel"])[:n_classes]
    ref = LogisticRegression(C=0.5, **TIGHT).fit(Xf, labels[y])
    est = SoftLogisticRegression(C=0.5, **TIGHT).fit(Xf, labels[y])
    assert_array_equal(est.classes_, ref.classes_)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4)
    assert_allclose(est.intercept_, ref.intercept_, rtol=1e-4)
    assert_allclose(est.predict_proba(Xf), ref.predict_proba(Xf), rtol=1e-5)
    assert_allclose(est.predict_log_proba(Xf), ref.predict_log_proba(Xf), rtol=1e-5)
    assert_allclose(est.decision_function(Xf), ref.decision_function(Xf), rtol=1e-4)
    assert_array_equal(est.predict(Xf), ref.predict(Xf))
    assert est.score(Xf, labels[y]) == ref.score(Xf, labels[y])
    # the same labels given as one-hot probabilities with `classes`
    soft = SoftLogisticRegression(C=0.5, classes=labels, **TIGHT)
    soft.fit(Xf, np.eye(n_classes)[y])
    assert_array_equal(soft.classes_, labels)
    assert_allclose(soft.coef_, est.coef_, rtol=1e-8)


def test_estimator_soft_targets_match_repetition():
    X, _ = _data(3)
    Y = _soft_targets(X, 3)
    sw = np.random.RandomState(4).uniform(0.5, 2, size=X.shape[0])
    est = SoftLogisticRegression(**TIGHT).fit(X, Y, sample_weight=sw)
    ref = _repetition_fit(X, Y, sample_weight=sw, **TIGHT)
    assert_array_equal(est.classes_, [0, 1, 2])
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4)
    assert_allclose(est.predict_proba(X), ref.predict_proba(X), rtol=1e-6)


def test_estimator_classes_with_hard_labels():
    X, y = _data(3)
    est = SoftLogisticRegression(classes=[2, 1, 0, 5]).fit(X, y)
    assert_array_equal(est.classes_, [2, 1, 0, 5])
    assert est.predict_proba(X).shape == (X.shape[0], 4)
    # class 5 has no sample: it is never the most likely
    assert np.all(est.predict_proba(X)[:, 3] < 0.3)
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in `classes`"):
        SoftLogisticRegression(classes=[0, 1]).fit(X, y)


def test_estimator_bad_targets():
    X, y = _data(3)
    Y = np.eye(3)[y]
    with pytest.raises(ValueError, match="3 columns but `classes` has 2"):
        SoftLogisticRegression(classes=["a", "b"]).fit(X, Y)
    Y_neg = Y.copy()
    Y_neg[0] = [1.5, -0.5, 0.0]
    with pytest.raises(ValueError, match="negative"):
        SoftLogisticRegression().fit(X, Y_neg)
    with pytest.raises(ValueError, match="sum to 1"):
        SoftLogisticRegression().fit(X, Y * 0.9)
    with pytest.raises(ValueError, match="only one class"):
        SoftLogisticRegression().fit(X, np.zeros(X.shape[0]))


def test_estimator_warm_start_and_float32():
    X, _ = _data(3)
    Y = _soft_targets(X, 3)
    est = SoftLogisticRegression(warm_start=True).fit(X, Y)
    assert est.n_iter_[0] > 5
    est.fit(X, Y)
    assert est.n_iter_[0] <= 1
    est32 = SoftLogisticRegression().fit(X.astype(np.float32), Y)
    assert est32.coef_.dtype == np.float32
    assert est32.predict_proba(X.astype(np.float32)).shape == (X.shape[0], 3)


# ------------------------------------------------------------------ blocked loss


def _loss_inputs(n_classes, fmt, seed=0, n_samples=250, scale=1.0, weights="varied"):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 5))
    Y = rng.dirichlet(np.ones(n_classes), size=n_samples)
    sw = rng.uniform(0.5, 2.0, size=n_samples)
    if weights == "equal":  # every row the same weight: the loss's shortcut
        sw = np.ones(n_samples)
    n_rows = 1 if n_classes == 2 else n_classes
    w = scale * rng.normal(size=n_rows * 6)
    if fmt != "dense":
        X = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    return X, Y, sw, w


def _reference_loss(X, Y, sw, w, C):
    """The objective written with scipy.special, independently of the solver."""
    from scipy.special import log_softmax

    X = X.toarray() if sp.issparse(X) else X
    n_classes = Y.shape[1]
    n_rows = 1 if n_classes == 2 else n_classes
    coef = w[: n_rows * X.shape[1]].reshape(n_rows, -1)
    Z = X @ coef.T + w[n_rows * X.shape[1] :]
    if n_rows == 1:
        Z = np.hstack([np.zeros_like(Z), Z])
    total = sw @ Y.sum(axis=1)
    data = -np.sum(sw[:, None] * Y * log_softmax(Z, axis=1))
    return (data + 0.5 * np.sum(coef**2) / C) / total


@pytest.mark.parametrize("weights", ["varied", "equal"])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
def test_loss_value_gradient_and_blocks(n_classes, fmt, weights):
    from scipy.optimize import check_grad

    from skdistill.linear_model._loss import _SoftLogisticLoss

    X, Y, sw, w = _loss_inputs(n_classes, fmt, weights=weights)
    Y.setflags(write=False)  # never written
    full = _SoftLogisticLoss(X, Y, sw, 2.0, True, None)
    assert (full._ws_const > 0) == (weights == "equal")  # the path under test
    value, grad = full(w)
    assert_allclose(value, _reference_loss(X, Y, sw, w, 2.0), rtol=1e-12)
    assert check_grad(lambda v: full(v)[0], lambda v: full(v)[1], w) < 1e-6
    for block_rows in (1, 7, 100):
        v, g = _SoftLogisticLoss(X, Y, sw, 2.0, True, None, block_rows=block_rows)(w)
        assert_allclose(v, value, rtol=1e-12)
        assert_allclose(g, grad, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("weights", ["varied", "equal"])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_loss_extreme_logits(n_classes, weights):
    from skdistill.linear_model._loss import _SoftLogisticLoss

    X, Y, sw, w = _loss_inputs(n_classes, "dense", scale=300.0, weights=weights)
    value, grad = _SoftLogisticLoss(X, Y, sw, np.inf, True, None)(w)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert_allclose(value, _reference_loss(X, Y, sw, w, np.inf), rtol=1e-12)


@pytest.mark.parametrize("weights", ["varied", "equal"])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fmt", ["dense", "csr", "float32"])
def test_loss_shifted_and_unshifted_forms_agree(n_classes, fmt, weights, monkeypatch):
    # blocks of one row: rows scaled so that some blocks' logit bound exceeds
    # the limit (shifted log-sum-exp) and others do not (plain exp)
    from skdistill.linear_model import _loss

    X, Y, sw, w = _loss_inputs(n_classes, "dense", scale=2.0, weights=weights)
    X = X * np.where(np.arange(X.shape[0]) % 3 == 0, 200.0, 1.0)[:, None]
    if fmt == "csr":
        X = sp.csr_matrix(X)
    elif fmt == "float32":
        X = X.astype(np.float32)
    expected = _reference_loss(X.astype(np.float64), Y, sw, w, 3.0)
    results = []
    bounds = (_loss._UNSHIFTED_LOGIT_BOUND, _loss._FOLDED_LOGIT_BOUND)
    for unshifted, folded in (bounds, (-1.0, -1.0), (bounds[0], -1.0)):
        # the default mixes the forms (a third of the blocks have logits far
        # beyond exp's range; several classes fold the intercepts into the
        # normaliser); -1 shifts every block, or turns the folding off
        monkeypatch.setattr(_loss, "_UNSHIFTED_LOGIT_BOUND", unshifted)
        monkeypatch.setattr(_loss, "_FOLDED_LOGIT_BOUND", folded)
        loss = _loss._SoftLogisticLoss(X, Y, sw, 3.0, True, None, block_rows=1)
        results.append(loss(w))
    rtol = 1e-5 if fmt == "float32" else 1e-12
    for value, grad in results:
        assert_allclose(value, expected, rtol=rtol)
        grad_rtol = 1e-5 if fmt == "float32" else 1e-10
        assert_allclose(grad, results[1][1], rtol=grad_rtol, atol=1e-12)


@pytest.mark.parametrize("weights", ["varied", "equal"])
@pytest.mark.parametrize("intercept", [0.0, 40.0, -40.0])
@pytest.mark.parametrize("scale", [0.01, 1.0, 30.0, 90.0])
def test_binary_loss_with_the_intercept_folded_and_grouped_logs(
    scale, intercept, weights, monkeypatch
):
    # two classes, logits within exp's range: the intercept is folded into
    # exp(-b) + exp(X w), and with equal weights one logarithm is taken per
    # group of rows (up to 64, fewer as the logits' bound grows to 500);
    # the same value as the objective written with scipy.special, and the
    # same gradient as the shifted form, which does neither
    from skdistill.linear_model import _loss

    X, Y, sw, w = _loss_inputs(2, "dense", n_samples=1000, scale=scale, weights=weights)
    w[-1] = intercept
    loss = _loss._SoftLogisticLoss(X, Y, sw, 3.0, True, None)
    bound = max(loss._row_norm) * np.abs(w[:-1]).sum() + abs(intercept)
    if scale < 90.0:
        assert bound <= _loss._UNSHIFTED_LOGIT_BOUND
    value, grad = loss(w)
    assert_allclose(value, _reference_loss(X, Y, sw, w, 3.0), rtol=1e-12)
    monkeypatch.setattr(_loss, "_UNSHIFTED_LOGIT_BOUND", -1.0)
    shifted_value, shifted_grad = _loss._SoftLogisticLoss(X, Y, sw, 3.0, True, None)(w)
    assert_allclose(value, shifted_value, rtol=1e-12)
    assert_allclose(grad, shifted_grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("intercept", [-23.0, 23.0])
def test_binary_loss_keeps_tiny_terms_with_a_large_intercept(intercept, monkeypatch):
    # near-hard targets and logits far on their side: each row's term is
    # about 1e-10; folding an intercept of 23 into log(exp(-b) + exp(X w))
    # would cost |b| ulp per row (the total off by about 1e-7). The shifted
    # form, log1p of exp(-|z|), is the accurate reference
    from skdistill.linear_model import _loss

    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 5))
    q = np.full(len(X), 1e-10)
    Y = np.column_stack([1 - q, q]) if intercept < 0 else np.column_stack([q, 1 - q])
    w = np.r_[0.01 * rng.normal(size=5), intercept]
    sw = np.ones(len(X))
    value, grad = _loss._SoftLogisticLoss(X, Y, sw, 1.0, True, None)(w)
    monkeypatch.setattr(_loss, "_UNSHIFTED_LOGIT_BOUND", -1.0)
    shifted_value, shifted_grad = _loss._SoftLogisticLoss(X, Y, sw, 1.0, True, None)(w)
    assert_allclose(value, shifted_value, rtol=1e-9)
    # the intercept's gradient is a difference of sums of about 1e-10 per row
    assert_allclose(grad, shifted_grad, rtol=1e-9, atol=1e-17)


def test_sum_of_logs_in_groups():
    from skdistill.linear_model._loss import _sum_of_logs

    rng = np.random.RandomState(0)
    for bound in (0.5, 10.0, 100.0, 349.0, 499.0):
        # factors as large and as small as the bound allows, and a length
        # that the groups do not divide
        d = np.exp(rng.uniform(-bound, bound + 0.69, size=1001))
        work = np.empty_like(d)
        expected = np.log(d).sum()
        assert_allclose(_sum_of_logs(d, work, bound), expected, rtol=1e-13, atol=1e-9)
        d_max = np.full(1001, np.exp(bound + 0.69))
        assert np.isfinite(_sum_of_logs(d_max, work, bound))
        assert_allclose(_sum_of_logs(d_max, work, bound), 1001 * (bound + 0.69))
        d_min = np.full(1001, np.exp(-bound))
        assert_allclose(_sum_of_logs(d_min, work, bound), -1001 * bound)


def test_loss_with_extreme_intercepts():
    # intercepts far beyond exp's range are folded into the normaliser as
    # exp(b - max(b)): a class whose term underflows has probability ~0
    from scipy.special import softmax

    from skdistill.linear_model._loss import _SoftLogisticLoss

    X, Y, sw, w = _loss_inputs(3, "dense")
    w[-3:] = [800.0, -900.0, 1.0]
    loss = _SoftLogisticLoss(X, Y, sw, 2.0, True, None)
    value, grad = loss(w)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert_allclose(value, _reference_loss(X, Y, sw, w, 2.0), rtol=1e-12)
    # the gradient written with scipy.special, independently of the solver
    coef, intercept = w[:-3].reshape(3, -1), w[-3:]
    total = sw @ Y.sum(axis=1)
    P = softmax(X @ coef.T + intercept, axis=1)
    R = sw[:, None] * (P * Y.sum(axis=1)[:, None] - Y)
    expected = np.concatenate([(R.T @ X + coef / 2.0).ravel(), R.sum(axis=0)]) / total
    assert_allclose(grad, expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_loss_on_row_blocks_composes(n_classes):
    # the documented recipe: per-block losses with C=inf and the global sw_sum
    from skdistill.linear_model._loss import _SoftLogisticLoss

    X, Y, sw, w = _loss_inputs(n_classes, "dense")
    C = 0.7
    value, grad = _SoftLogisticLoss(X, Y, sw, C, True, None)(w)
    total = float(sw @ Y.sum(axis=1))
    v_sum, g_sum = 0.0, np.zeros_like(w)
    for rows in np.array_split(np.arange(X.shape[0]), 3):
        v, g = _SoftLogisticLoss(
            X[rows], Y[rows], sw[rows], np.inf, True, None, sw_sum=total
        )(w)
        v_sum, g_sum = v_sum + v, g_sum + g
    n_coef = (1 if n_classes == 2 else n_classes) * X.shape[1]
    v_sum += 0.5 * w[:n_coef] @ w[:n_coef] / (C * total)
    g_sum[:n_coef] += w[:n_coef] / (C * total)
    assert_allclose(v_sum, value, rtol=1e-12)
    assert_allclose(g_sum, grad, rtol=1e-10, atol=1e-14)


def test_fit_leaves_targets_untouched():
    X, _ = _data(3)
    Y = np.asfortranarray(_soft_targets(X, 3))
    Y_before = Y.copy()
    _fit_logistic_regression_soft(
        LogisticRegression(), X, Y, np.arange(3), overwrite_Y=True
    )
    assert_array_equal(Y, Y_before)


# ------------------------------------------------------------- Newton-CG


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
@pytest.mark.parametrize("coef_order", ["C", "F"])
@pytest.mark.parametrize("keep_curvature", [False, True])
def test_loss_hessian_vector_product(n_classes, fmt, coef_order, keep_curvature):
    from skdistill.linear_model._loss import _SoftLogisticLoss

    X, Y, sw, w = _loss_inputs(n_classes, fmt)
    rng = np.random.RandomState(1)
    mask = rng.uniform(size=(1 if n_classes == 2 else n_classes, 5)) < 0.7
    loss = _SoftLogisticLoss(
        X, Y, sw, 2.0, True, mask, block_rows=7, coef_order=coef_order
    )
    # 250 rows and 6 parameters per row of coef: recomputed, unless forced
    assert not loss._keep_curvature
    loss._keep_curvature = keep_curvature
    w[: loss.n_coef][loss.mask] = 0.0
    for v in rng.normal(size=(3, w.size)):
        v[: loss.n_coef][loss.mask] = 0.0
        # central differences of the gradient (itself checked above)
        h = 1e-6
        expected = (loss(w + h * v)[1] - loss(w - h * v)[1]) / (2 * h)
        assert_allclose(loss.hessp(w, v), expected, rtol=1e-6, atol=1e-9)
    assert_array_equal(loss.hessp(w, v)[: loss.n_coef][loss.mask], 0.0)
    # a curvature kept for w is recomputed at another point, and released
    # by an evaluation of the loss elsewhere
    w2 = w + rng.normal(size=w.size)
    fresh = _SoftLogisticLoss(X, Y, sw, 2.0, True, mask, coef_order=coef_order)
    assert_allclose(loss.hessp(w2, v), fresh.hessp(w2, v), rtol=1e-12)
    assert (loss._curv is not None) == keep_curvature
    loss(w)
    assert loss._curv is None


def test_loss_keeps_the_curvature_when_smaller_than_two_parameter_vectors():
    from skdistill.linear_model._loss import _SoftLogisticLoss

    rng = np.random.RandomState(0)
    # n_samples * n_classes against 2 * n_classes * (n_features + 1)
    for n_samples, n_features, keep in [(100, 49, True), (101, 49, False)]:
        X = sp.random(n_samples, n_features, density=0.1, format="csr", random_state=0)
        Y = rng.dirichlet(np.ones(3), size=n_samples)
        loss = _SoftLogisticLoss(X, Y, np.ones(n_samples), 1.0, True, None)
        assert loss._keep_curvature is keep


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_loss_coef_order_only_permutes_the_parameters(n_classes, fmt, fit_intercept):
    """``coef_order="F"`` stores ``coef.T``: the same loss, gradient and
    Hessian products, with the coefficients permuted alike."""
    from skdistill.linear_model._loss import _SoftLogisticLoss

    X, Y, sw, _ = _loss_inputs(n_classes, fmt)
    rng = np.random.RandomState(3)
    n_rows = 1 if n_classes == 2 else n_classes
    coef, v_coef = rng.normal(size=(2, n_rows, 5))
    intercept, v_intercept = rng.normal(size=(2, n_rows * fit_intercept))
    mask = rng.uniform(size=(n_rows, 5)) < 0.7
    coef[~mask] = v_coef[~mask] = 0.0
    results = {}
    for order in ("C", "F"):
        loss = _SoftLogisticLoss(
            X, Y, sw, 2.0, fit_intercept, mask, block_rows=60, coef_order=order
        )
        w = np.r_[coef.ravel(order=order), intercept]
        v = np.r_[v_coef.ravel(order=order), v_intercept]
        value, grad = loss(w)
        hv = loss.hessp(w, v)
        # split() reads both layouts back as (n_rows, n_features)
        assert_array_equal(loss.split(w)[0], coef)
        results[order] = (
            value, loss.split(grad)[0], grad[loss.n_coef :],
            loss.split(hv)[0], hv[loss.n_coef :],
        )
    assert_allclose(results["F"][0], results["C"][0], rtol=1e-13)
    for got, expected in zip(results["F"][1:], results["C"][1:]):
        assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_loss_hessian_vector_product_float32(n_classes):
    from skdistill.linear_model._loss import _SoftLogisticLoss

    X, Y, sw, w = _loss_inputs(n_classes, "dense")
    v = np.random.RandomState(1).normal(size=w.size)
    hv64 = _SoftLogisticLoss(X, Y, sw, 2.0, True, None).hessp(w, v)
    hv32 = _SoftLogisticLoss(X.astype(np.float32), Y, sw, 2.0, True, None).hessp(w, v)
    assert_allclose(hv32, hv64, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_newton_cg_reaches_the_lbfgs_optimum(n_classes, sparse, fit_intercept):
    X, y = _data(n_classes)
    Y = _soft_targets(X, n_classes)
    rng = np.random.RandomState(2)
    sw = rng.uniform(0.5, 2.0, size=y.shape[0])
    mask = rng.uniform(size=(1 if n_classes == 2 else n_classes, X.shape[1])) < 0.8
    Xf = sp.csr_matrix(X) if sparse else X
    params = dict(sample_weight=sw, coef_mask=mask, fit_intercept=fit_intercept)
    coef_l, intercept_l, _ = _fit_soft_logistic(
        Xf, Y, solver="lbfgs", **params, **TIGHT
    )
    coef_n, intercept_n, n_iter = _fit_soft_logistic(
        Xf, Y, solver="newton-cg", **params, **TIGHT
    )
    assert 0 < n_iter < 100
    assert_array_equal(coef_n[~mask], 0.0)
    # both stop at gradients of about 1e-8
    assert_allclose(coef_n, coef_l, rtol=1e-5, atol=1e-6)
    assert_allclose(intercept_n, intercept_l, rtol=1e-5, atol=1e-6)
    # and scikit-learn's newton-cg on one-hot targets (its very problem)
    ref = LogisticRegression(solver="newton-cg", fit_intercept=fit_intercept, **TIGHT)
    ref.fit(Xf, y, sample_weight=sw)
    coef, intercept, _ = _fit_soft_logistic(
        Xf, np.eye(n_classes)[y], sample_weight=sw, solver="newton-cg",
        fit_intercept=fit_intercept, **TIGHT,
    )
    assert_allclose(coef, ref.coef_, rtol=1e-5, atol=1e-6)
    assert_allclose(intercept, ref.intercept_, rtol=1e-5, atol=1e-6)


def _record_methods(monkeypatch):
    """The ``method`` of every scipy.optimize.minimize call, in order."""
    from scipy import optimize

    methods, minimize = [], optimize.minimize

    def recording(*args, **kwargs):
        methods.append(kwargs["method"])
        return minimize(*args, **kwargs)

    monkeypatch.setattr(optimize, "minimize", recording)
    return methods


def test_solver_auto_is_newton_cg_for_sparse_X(monkeypatch):
    X, y = _data(3)
    Y = _soft_targets(X, 3)
    methods = _record_methods(monkeypatch)
    _fit_soft_logistic(X, Y)
    _fit_soft_logistic(sp.csr_matrix(X), Y)
    SoftLogisticRegression(solver="newton-cg").fit(X, Y)
    SoftLogisticRegression(solver="lbfgs").fit(sp.csr_matrix(X), Y)
    # a LogisticRegression student: its newton-cg is honoured, sparse X too
    classes = [0, 1, 2]
    _fit_logistic_regression_soft(LogisticRegression(solver="newton-cg"), X, Y, classes)
    _fit_logistic_regression_soft(LogisticRegression(), sp.csr_matrix(X), Y, classes)
    _fit_logistic_regression_soft(LogisticRegression(), X, Y, classes)
    assert methods == [
        "L-BFGS-B", "Newton-CG", "Newton-CG", "L-BFGS-B", "Newton-CG", "Newton-CG",
        "L-BFGS-B",
    ]


@pytest.mark.parametrize("sparse", [False, True])
def test_newton_cg_warm_start_at_the_optimum_runs_no_iteration(sparse):
    X, y = _data(3)
    Y = _soft_targets(X, 3)
    X = sp.csr_matrix(X) if sparse else X  # sparse: coef.T in the parameters
    coef, intercept, _ = _fit_soft_logistic(X, Y, solver="newton-cg")
    again, _, n_iter = _fit_soft_logistic(
        X, Y, solver="newton-cg", coef_init=coef, intercept_init=intercept
    )
    assert n_iter == 0
    assert_array_equal(again, coef)


@pytest.mark.parametrize("seed", [4, 5, 8])
def test_newton_cg_reaches_a_tight_tol_on_a_weak_penalty(seed):
    # scipy's conjugate gradients stop at an absolute curvature of 3 eps
    # along the gradient, which a weakly penalized model reaches at
    # gradients above a tight tol: the step vanished there, read as
    # converged (1.6e-5 from the optimum in probability at tol=1e-10)
    from sklearn.frozen import FrozenEstimator
    from sklearn.tree import DecisionTreeClassifier

    from skdistill import DistilledClassifier

    X, y = make_classification(
        n_samples=300, n_features=10, n_informative=4, n_redundant=4,
        class_sep=2.0, random_state=seed,
    )
    optimum = LogisticRegression(
        C=10.0, solver="newton-cg", tol=1e-14, max_iter=20000
    ).fit(X, y)
    model = SoftLogisticRegression(C=10.0, solver="newton-cg", **TIGHT).fit(X, y)
    assert_allclose(model.predict_proba(X), optimum.predict_proba(X), atol=1e-6)
    # a distilled LogisticRegression on sparse X (newton-cg), on one-hot
    # targets: a tree that predicts y in sample as the teacher
    tree = FrozenEstimator(DecisionTreeClassifier(random_state=0).fit(X, y))
    student = LogisticRegression(C=10.0, **TIGHT)
    distilled = DistilledClassifier(tree, student, alpha=0.5).fit(sp.csr_matrix(X), y)
    assert_allclose(distilled.predict_proba(X), optimum.predict_proba(X), atol=1e-6)


def test_newton_cg_max_iter_warns():
    X, y = _data(3)
    Y = _soft_targets(X, 3)
    with pytest.warns(ConvergenceWarning, match="newton-cg failed to converge"):
        _, _, n_iter = _fit_soft_logistic(
            X, Y, solver="newton-cg", max_iter=1, tol=1e-12
        )
    assert n_iter == 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_newton_cg_needs_less_memory_on_sparse_X():
    rng = np.random.RandomState(0)
    X = sp.random(2000, 20000, density=0.002, format="csr", random_state=rng)
    Y = rng.dirichlet(np.ones(5), size=2000)
    peaks = {}
    for solver in ("lbfgs", "newton-cg"):
        tracemalloc.start()
        try:
            _fit_soft_logistic(X, Y, solver=solver, max_iter=5)
            peaks[solver] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    n_params = 5 * 20001
    # L-BFGS-B keeps 2 * 10 + 5 vectors of parameters, Newton-CG a few
    assert peaks["lbfgs"] > 25 * 8 * n_params
    assert peaks["newton-cg"] < 0.6 * peaks["lbfgs"]


def test_newton_cg_keeps_no_n_samples_by_n_classes_array():
    # many rows, few features, 20 classes: the Hessian products compute the
    # curvature block by block; an n x K float64 array (16 MB here) kept
    # across them would be the largest allocation of the fit
    rng = np.random.RandomState(0)
    n, n_classes = 100_000, 20
    X = sp.random(n, 50, density=0.02, format="csr", random_state=rng)
    Y = rng.dirichlet(np.ones(n_classes), size=n)
    _fit_soft_logistic(X[:100], Y[:100])  # warm up imports and caches
    tracemalloc.start()
    try:
        _, _, n_iter = _fit_soft_logistic(X, Y, solver="newton-cg", max_iter=3)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n_iter > 0
    # about 6.3 MB: two blocks of 8,192 x 20 logits, the row weights, and
    # the products' temporaries (21 MB with the curvature kept)
    assert peak < 0.5 * 8 * n * n_classes


def test_csr_with_duplicate_entries_fits_as_its_canonical_form():
    # a valid CSR matrix whose values are stored in several pieces (summed by
    # the products): the bound on the logits must hold for the summed values
    rng = np.random.RandomState(0)
    n, d, pieces = 300, 3, 50
    X = rng.randn(n, d) * 30
    y = np.argmax(X @ rng.randn(d, 3), axis=1)
    data = np.repeat(X.ravel() / pieces, pieces)
    indices = np.repeat(np.tile(np.arange(d, dtype=np.int32), n), pieces)
    indptr = np.arange(0, n * d * pieces + 1, d * pieces)
    X_dup = sp.csr_matrix((data, indices, indptr), shape=(n, d))
    assert not X_dup.has_canonical_format
    X_can = X_dup.copy()
    X_can.sum_duplicates()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        dup = SoftLogisticRegression(C=1e4, max_iter=300).fit(X_dup, y)
    can = SoftLogisticRegression(C=1e4, max_iter=300).fit(X_can, y)
    assert_allclose(dup.coef_, can.coef_, rtol=1e-6, atol=1e-8)
    assert not X_dup.has_canonical_format  # the user's matrix is not changed


def test_warm_start_refit_resets_the_input_checks():
    # as scikit-learn's fit: new column names are taken, an array drops them
    pd = pytest.importorskip("pandas")
    X, y = make_classification(n_samples=120, n_features=4, random_state=0)
    model = SoftLogisticRegression(warm_start=True)
    model.fit(pd.DataFrame(X, columns=list("abcd")), y)
    model.fit(pd.DataFrame(X, columns=list("wxyz")), y)
    assert_array_equal(model.feature_names_in_, list("wxyz"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.fit(X, y)
    assert not hasattr(model, "feature_names_in_")
    # a warm start on other features starts afresh
    model.fit(X[:, :3], y)
    assert model.coef_.shape[1] == 3


def test_complex_soft_targets_are_refused():
    with pytest.raises(ValueError, match="complex"):
        check_soft_targets(np.array([[0.5 + 1j, 0.5], [0.3, 0.7]]))


def test_classes_must_be_one_dimensional():
    X, y = make_classification(
        n_samples=60, n_classes=3, n_informative=3, random_state=0
    )
    with pytest.raises(ValueError, match="1-D array of labels"):
        SoftLogisticRegression(classes=[[0, 1, 2]]).fit(X, y)


def test_newton_cg_hessian_products_overflowing_float32_hand_over_to_lbfgs():
    # sparse X is fitted by Newton-CG, whose Hessian products are in X's
    # dtype: float32 features of 1e14 overflow them, and the fit stopped at
    # its start (all-zero coefficients) with a misleading warning
    rng = np.random.RandomState(0)
    X = rng.randn(300, 8)
    X[rng.rand(300, 8) < 0.5] = 0
    y = (X[:, 0] + X[:, 1] + 0.3 * rng.randn(300) > 0).astype(int)
    X = (X * 1e14).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = SoftLogisticRegression().fit(X, y)
        sparse = SoftLogisticRegression().fit(sp.csr_matrix(X), y)
    assert np.all(np.isfinite(sparse.coef_)) and np.any(sparse.coef_ != 0)
    assert sparse.score(X, y) > 0.8
    assert np.mean(sparse.predict(X) == dense.predict(X)) > 0.97


@pytest.mark.parametrize("rtol", [np.nan, -1e-3, np.inf, "1e-3", True])
def test_check_soft_targets_refuses_a_bad_tolerance(rtol):
    # NaN accepted any row sum (every comparison with NaN is False)
    with pytest.raises(ValueError, match="rtol must be a finite number"):
        check_soft_targets([[0.5, 0.5], [5.0, 6.0]], rtol=rtol)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_weights_whose_total_overflows_give_the_model_of_their_shares(n_classes):
    # equal weights of 1e307: sum_i sw_i overflows, but the rows' shares are
    # 1/n and the penalty 1 / (C sum_i sw_i) is ~0: the model of C = 1e307
    # (the shares were read as sw / inf = 0: a model of zeros, silently)
    X, y = make_classification(
        n_samples=200, n_features=5, n_informative=3, n_classes=n_classes,
        random_state=0,
    )
    Y = np.eye(n_classes)[y] * 0.8 + 0.2 / n_classes
    sample_weight = np.full(len(y), 1e307)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        weighted = SoftLogisticRegression().fit(X, Y, sample_weight=sample_weight)
    plain = SoftLogisticRegression(C=1e307).fit(X, Y)
    assert np.abs(weighted.coef_).max() > 0.1
    assert_allclose(weighted.predict_proba(X), plain.predict_proba(X), atol=1e-6)
    assert sample_weight[0] == 1e307  # the caller's weights left as they were
    # the penalty 1 / (C sum_i sw_i) kept where C brings it back in range
    strong = SoftLogisticRegression(C=1e-308).fit(X, Y, sample_weight=sample_weight)
    assert_allclose(
        strong.predict_proba(X),
        SoftLogisticRegression(C=0.1).fit(X, Y).predict_proba(X),
        atol=1e-6,
    )
    # a stream's total over its chunks: refused (its sums would be infinite)
    stream = SoftLogisticRegression()
    stream.partial_fit(X[:100], Y[:100], sample_weight=sample_weight[:100] / 10)
    # a second pass over that chunk replaces it: its total stays finite
    stream.partial_fit(X[:100], Y[:100], sample_weight=sample_weight[:100] / 10)
    with pytest.raises(ValueError, match="overflows float64.*multiply C by s"):
        stream.partial_fit(X[100:], Y[100:], sample_weight=sample_weight[100:])
