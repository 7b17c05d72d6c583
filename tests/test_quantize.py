"""Tests for coefficient quantization (uniform and k-means codes)."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from _checks import parametrize_with_checks

from skdistill import DistilledClassifier
from skdistill._quantize import QuantizedLinearModel, quantize, quantize_values
from skdistill._sparsify import SparsifyTransformer


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X, y, LogisticRegression(max_iter=1000).fit(X, y)


@pytest.mark.parametrize("method", ["uniform", "kmeans"])
@pytest.mark.parametrize("n_bits", [1, 2, 4, 8, 12])
def test_codes_dtype_and_number_of_values(method, n_bits):
    rng = np.random.RandomState(0)
    values = rng.standard_normal(3000)
    codes, codebook = quantize_values(
        values, n_bits=n_bits, method=method, random_state=0
    )
    assert codes.dtype == (np.uint8 if n_bits <= 8 else np.uint16)
    assert len(np.unique(codes)) <= 2**n_bits
    assert codes.max() < len(codebook) <= 2**n_bits
    assert np.all(np.diff(codebook) > 0)
    # a finer code never reconstructs worse than half a uniform step
    error = np.abs(codebook[codes] - values).max()
    if method == "uniform":
        step = (values.max() - values.min()) / (2**n_bits - 1)
        assert error <= step / 2 + 1e-12


def test_kmeans_is_lossless_with_few_distinct_values():
    values = np.array([0.5, -1.0, 0.5, 2.0, -1.0])
    codes, codebook = quantize_values(values, n_bits=2, method="kmeans")
    assert_array_equal(codebook[codes], values)


@pytest.mark.parametrize("method", ["uniform", "kmeans"])
def test_eight_bits_agree_with_the_float_model(digits, method):
    X, _y, clf = digits
    q = quantize(clf, n_bits=8, method=method, random_state=0)
    assert (q.predict(X) == clf.predict(X)).mean() >= 0.99
    assert_allclose(q.predict_proba(X), clf.predict_proba(X), atol=0.05)
    assert_array_equal(q.classes_, clf.classes_)
    assert q.n_features_in_ == 64
    assert clf.coef_.dtype == np.float64 and not hasattr(clf, "codes_")


@pytest.mark.parametrize("method", ["uniform", "kmeans"])
def test_predictions_are_the_original_class_with_dequantized_coef(digits, method):
    X, _y, clf = digits
    q = quantize(clf, n_bits=3, method=method, random_state=0)
    twin = clone(clf)
    twin.__dict__.update(clf.__dict__)
    twin.coef_ = q.coef_.copy()
    assert_array_equal(q.predict(X), twin.predict(X))
    assert_array_equal(q.predict_proba(X), twin.predict_proba(X))
    assert_array_equal(q.decision_function(X), twin.decision_function(X))
    assert len(np.unique(q.coef_[q.coef_ != 0])) <= 2**3


@pytest.mark.parametrize("method", ["uniform", "kmeans"])
def test_zeros_stay_zero_after_pruning(digits, method):
    X, y, _ = digits
    sel = SparsifyTransformer(LogisticRegression(max_iter=1000), sparsity=0.8)
    sel.fit(X, y)
    q = quantize(sel, n_bits=2, method=method, random_state=0)
    zeros = sel.estimator_.coef_ == 0
    assert_array_equal(q.coef_ == 0, zeros)
    assert q.codes_.size == (~zeros).sum()
    # survives pickling too
    q2 = pickle.loads(pickle.dumps(q))
    assert_array_equal(q2.coef_ == 0, zeros)


def test_pickle_round_trip_and_size(digits):
    _X, _y, _ = digits
    rng = np.random.RandomState(0)
    X_wide = rng.standard_normal((500, 400))
    y_wide = rng.randint(0, 10, 500)
    clf = LogisticRegression(max_iter=200).fit(X_wide, y_wide)
    n_coef = clf.coef_.size

    base = clone(clf)
    base.__dict__.update(clf.__dict__)
    del base.coef_
    overhead = len(pickle.dumps(base))
    float_payload = len(pickle.dumps(clf)) - overhead
    assert float_payload >= 8 * n_coef

    for n_bits, per_coef in [(8, 1), (12, 2)]:
        q = quantize(clf, n_bits=n_bits)
        blob = pickle.dumps(q)
        q_payload = len(blob) - overhead
        # codes plus a small constant (scale, offset, parameters)
        assert q_payload <= per_coef * n_coef + 1500
        assert float_payload / q_payload > 0.7 * 8 / per_coef
        loaded = pickle.loads(blob)
        assert_array_equal(loaded.coef_, q.coef_)
        assert_array_equal(loaded.predict(X_wide), q.predict(X_wide))
        assert "coef_" not in q.__getstate__()["estimator_"].__dict__
        assert q.estimator_.coef_ is not None  # pickling left the model intact


def test_sparse_pattern_costs_one_bit_per_coef():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((300, 400))
    y = rng.randint(0, 5, 300)
    sel = SparsifyTransformer(
        LogisticRegression(max_iter=200), sparsity=0.9, refit=False
    ).fit(X, y)
    dense_q = quantize(LogisticRegression(max_iter=200).fit(X, y), n_bits=8)
    sparse_q = quantize(sel, n_bits=8)
    n_coef = sel.estimator_.coef_.size
    saved = len(pickle.dumps(dense_q)) - len(pickle.dumps(sparse_q))
    # 90% of the one-byte codes are gone, one bit per coefficient is added
    assert saved >= 0.9 * n_coef - n_coef / 8 - 600


def test_store_sparse_coef_is_rebuilt_sparse(digits):
    X, y, _ = digits
    sel = SparsifyTransformer(
        LogisticRegression(max_iter=1000), sparsity=0.9, store_sparse=True
    ).fit(X, y)
    q = quantize(sel, n_bits=8)
    assert sp.issparse(q.coef_)
    assert sp.issparse(pickle.loads(pickle.dumps(q)).coef_)
    assert (q.predict(X) == sel.predict(X)).mean() >= 0.99


def test_distilled_classifier_and_regressor(digits):
    X, y, _ = digits
    dc = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(max_iter=1000),
    ).fit(X, y)
    q = quantize(dc, n_bits=8)
    assert isinstance(q.estimator_, LogisticRegression)
    assert (q.predict(X) == dc.predict(X)).mean() >= 0.99
    assert get_tags(q).estimator_type == "classifier"
    # the teacher is not stored
    assert len(pickle.dumps(q)) < len(pickle.dumps(dc.student_))

    Xr, yr = make_regression(n_samples=100, n_features=5, random_state=0)
    reg = Ridge().fit(Xr, yr)
    qr = quantize(FrozenEstimator(reg), n_bits=10, method="kmeans", random_state=0)
    assert get_tags(qr).estimator_type == "regressor"
    assert_allclose(qr.predict(Xr), reg.predict(Xr), rtol=1e-2, atol=1e-1)
    assert qr.score(Xr, yr) > 0.99


def test_pipeline_students_are_quantized_in_their_last_step():
    from sklearn.pipeline import Pipeline, make_pipeline

    X, y = load_digits(return_X_y=True)
    student = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    dc = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0), student
    ).fit(X, y)
    coef = dc.student_[-1].coef_.copy()
    for model in (dc, dc.student_, FrozenEstimator(dc.student_)):
        q = quantize(model, n_bits=8)
        assert isinstance(q, Pipeline)
        assert isinstance(q[-1], QuantizedLinearModel)
        # the fitted scaler, copied: the model given is not modified
        assert q[0] is not dc.student_[0]
        assert_array_equal(q[0].mean_, dc.student_[0].mean_)
        assert_array_equal(dc.student_[-1].coef_, coef)
        # the same predictions as the quantized last step after the scaler
        last = quantize(dc.student_[-1], n_bits=8)
        Z = dc.student_[0].transform(X)
        assert_array_equal(q.predict(X), last.predict(Z))
        assert_allclose(q.predict_proba(X), last.predict_proba(Z))
        assert (q.predict(X) == dc.predict(X)).mean() >= 0.99
        assert len(pickle.dumps(q)) < len(pickle.dumps(dc.student_))
    # a pruned pipeline: the sparsifier's mask is kept, the last model coded
    pruned = make_pipeline(
        StandardScaler(),
        SparsifyTransformer(LogisticRegression(max_iter=1000), sparsity=0.8),
    ).fit(X, y)
    q = quantize(pruned, n_bits=4)
    assert isinstance(q[-1], QuantizedLinearModel)
    kept = np.count_nonzero(pruned[-1].estimator_.coef_)
    assert np.count_nonzero(q[-1].coef_) <= kept
    assert (q.predict(X) == pruned.predict(X)).mean() >= 0.95
    # a pruned distiller whose student is a Pipeline: its pruned last step
    # coded, the zeros kept
    sparsified = SparsifyTransformer(dc, sparsity=0.8).fit(X, y)
    q = quantize(sparsified, n_bits=8)
    assert isinstance(q, Pipeline) and isinstance(q[-1], QuantizedLinearModel)
    pruned_student = sparsified.estimator_.student_
    assert_array_equal(q[-1].coef_ == 0, pruned_student[-1].coef_ == 0)
    assert (q.predict(X) == sparsified.predict(X)).mean() >= 0.99
    # a regressor student of a classifier is refused, inside a Pipeline too
    with pytest.raises(TypeError, match="regressor fitted on log-probabilities"):
        quantize(
            DistilledClassifier(
                RandomForestClassifier(n_estimators=2), make_pipeline(Ridge())
            ).fit(X[:200], y[:200])
        )


def test_fit_quantizes_and_frozen_is_not_refitted(digits):
    X, y, clf = digits
    q = QuantizedLinearModel(LogisticRegression(max_iter=1000), n_bits=8).fit(X, y)
    assert (q.predict(X) == clf.predict(X)).mean() >= 0.99
    qf = QuantizedLinearModel(FrozenEstimator(clf), n_bits=8).fit(X[:10], y[:10])
    assert_array_equal(qf.coef_, quantize(clf, n_bits=8).coef_)


def test_frozen_estimator_refuses_unrouted_params_with_routing(digits):
    # as SparsifyTransformer (and a frozen estimator's own router) does; a
    # misspelled parameter was accepted silently
    from sklearn import config_context

    X, y, clf = digits
    model = QuantizedLinearModel(FrozenEstimator(clf), n_bits=8)
    with config_context(enable_metadata_routing=True):
        with pytest.raises(TypeError, match="not routed to any object"):
            model.fit(X, y, sampel_weight=np.ones(len(y)))
        model.fit(X, y, sample_weight=None)  # None is no metadata
    assert_array_equal(model.coef_, quantize(clf, n_bits=8).coef_)


def test_bad_input(digits):
    X, y, clf = digits
    with pytest.raises(ValueError, match="'n_bits' parameter .* range \\[1, 16\\]"):
        quantize(clf, n_bits=17)
    with pytest.raises(ValueError, match="'method' parameter"):
        quantize(clf, method="log")
    forest = RandomForestClassifier(n_estimators=2).fit(X, y)
    with pytest.raises(TypeError, match="no `coef_`"):
        quantize(forest)
    with pytest.raises(TypeError, match="regressor fitted on log-probabilities"):
        quantize(
            DistilledClassifier(
                RandomForestClassifier(n_estimators=2), Ridge()
            ).fit(X[:200], y[:200])
        )


@parametrize_with_checks(
    [
        QuantizedLinearModel(LogisticRegression(), n_bits=8),
        QuantizedLinearModel(Ridge(), n_bits=8, method="kmeans", random_state=0),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("n_bits", [1, 2, 3, 4, 7])
def test_codes_are_bit_packed_when_pickled(n_bits):
    from skdistill._quantize import _pack_codes, _unpack_codes

    rng = np.random.RandomState(0)
    codes = rng.randint(0, 2**n_bits, size=1001).astype(np.uint8)
    packed = _pack_codes(codes, n_bits)
    assert packed.nbytes == int(np.ceil(1001 * n_bits / 8))
    np.testing.assert_array_equal(_unpack_codes(packed, 1001, n_bits), codes)

    X = rng.normal(size=(300, 200))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    q = quantize(model, n_bits=n_bits)
    restored = pickle.loads(pickle.dumps(q))
    np.testing.assert_array_equal(restored.codes_, q.codes_)
    np.testing.assert_array_equal(restored.coef_, q.coef_)
    q8 = quantize(model, n_bits=8)
    saved = len(pickle.dumps(q8)) - len(pickle.dumps(q))
    assert saved >= 200 * (8 - n_bits) / 8 - 16


def test_sample_weight_reaches_the_estimator_and_a_quantized_student(digits):
    X, y, _ = digits
    sw = np.random.RandomState(0).uniform(0.1, 3.0, size=len(y))
    q = QuantizedLinearModel(LogisticRegression(max_iter=1000), n_bits=8)
    q.fit(X, y, sample_weight=sw)
    weighted = LogisticRegression(max_iter=1000).fit(X, y, sample_weight=sw)
    assert_array_equal(q.coef_, quantize(FrozenEstimator(weighted), n_bits=8).coef_)
    # a distiller fits a quantized student on soft targets (weighted rows)
    dc = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        QuantizedLinearModel(LogisticRegression(max_iter=1000), n_bits=4),
    ).fit(X, y)
    assert isinstance(dc.student_, QuantizedLinearModel)
    assert len(np.unique(dc.student_.coef_)) <= 2**4 + 1  # 16 levels and zero
    assert dc.score(X, y) > 0.9


def test_metadata_routing_reaches_the_estimator_as_requested(digits):
    from sklearn import config_context

    X, y, _ = digits
    X, y = X[::3], y[::3]
    sw = np.random.RandomState(0).uniform(0.1, 3.0, size=len(y))
    with config_context(enable_metadata_routing=True):
        requested = LogisticRegression(max_iter=1000).set_fit_request(
            sample_weight=True
        )
        q = QuantizedLinearModel(requested, n_bits=8).fit(X, y, sample_weight=sw)
        weighted = clone(requested).fit(X, y, sample_weight=sw)
        assert_array_equal(q.coef_, quantize(weighted, n_bits=8).coef_)
        # an estimator that does not want the weights: refused, as by
        # scikit-learn's meta-estimators
        refusing = LogisticRegression(max_iter=1000).set_fit_request(
            sample_weight=False
        )
        with pytest.raises(TypeError, match="not routed"):
            QuantizedLinearModel(refusing).fit(X, y, sample_weight=sw)
        # as a distiller's student, the row weights of soft targets are the
        # method's own, not metadata: no request needed
        for student in (
            QuantizedLinearModel(LogisticRegression(max_iter=1000), n_bits=8),
            SparsifyTransformer(LogisticRegression(max_iter=1000), sparsity=0.5),
        ):
            dc = DistilledClassifier(
                RandomForestClassifier(n_estimators=5, random_state=0), student
            ).fit(X, y)
            assert dc.score(X, y) > 0.8


@pytest.mark.parametrize("new_bits", [2, 12])
def test_saved_codes_keep_their_fitted_width(digits, new_bits):
    # n_bits changed after fit (set_params) does not change how the fitted
    # codes are packed and read back
    X, _, model = digits
    q = quantize(model, n_bits=4)
    expected = q.predict_proba(X)
    q.set_params(n_bits=new_bits)
    restored = pickle.loads(pickle.dumps(q))
    assert_array_equal(restored.coef_, q.coef_)
    assert_allclose(restored.predict_proba(X), expected)


def test_kmeans_levels_of_finite_values_are_finite():
    # k-means' rounding could put a center just beyond the largest float
    fmax = np.finfo(np.float64).max
    values = np.array([1e308, fmax, -fmax, 3.0])
    codes, codebook = quantize_values(values, n_bits=1, method="kmeans", random_state=0)
    assert np.all(np.isfinite(codebook))
    assert codebook.min() >= -fmax and codebook.max() <= fmax


def test_models_whose_coef_is_computed_are_refused():
    from sklearn.svm import SVC

    X, y = make_regression(n_samples=60, n_features=4, random_state=0)
    svc = SVC(kernel="linear").fit(X, y > 0)
    for make in (
        lambda: quantize(svc),
        lambda: QuantizedLinearModel(SVC(kernel="linear")).fit(X, y > 0),
        lambda: SparsifyTransformer(SVC(kernel="linear"), sparsity=0.5).fit(X, y > 0),
    ):
        with pytest.raises(TypeError, match="read-only property"):
            make()


# LogisticRegressionCV's changing defaults (scikit-learn >= 1.8), whichever
# version runs
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("name", ["SGDClassifier", "LogisticRegressionCV"])
def test_float_coefficient_copies_are_not_kept(name):
    # SGD's averaged / unaveraged weights and LogisticRegressionCV's paths
    # are float coefficients too: neither in memory nor in the pickle
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegressionCV, SGDClassifier

    X, y = make_classification(150, 40, n_informative=8, n_classes=3, random_state=0)
    estimator = {
        "SGDClassifier": SGDClassifier(average=True, random_state=0),
        "LogisticRegressionCV": LogisticRegressionCV(Cs=2, cv=2, max_iter=200),
    }[name]
    fitted = estimator.fit(X, y)
    model = quantize(fitted, n_bits=4)
    loaded = pickle.loads(pickle.dumps(model))
    copies = {"_average_coef", "_standard_coef", "coefs_paths_"}
    for kept in (model.estimator_, loaded.estimator_):
        assert not copies & set(vars(kept)), sorted(copies & set(vars(kept)))
    assert len(pickle.dumps(model)) < len(pickle.dumps(fitted)) / 2
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert_array_equal(loaded.decision_function(X), model.decision_function(X))
    assert_array_equal(loaded.coef_, model.coef_)


def test_pipeline_student_of_a_distiller_is_pointed_to_quantize():
    # QuantizedLinearModel holds one linear model: a Pipeline student is
    # quantized by quantize(), and the message says so
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline

    X, y = load_digits(return_X_y=True)
    X, y = X[::10], y[::10]
    student = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
    distiller = DistilledClassifier(KNeighborsClassifier(), student)
    with pytest.raises(TypeError, match=r"Pipeline.*skdistill\.quantize"):
        QuantizedLinearModel(distiller, n_bits=4).fit(X, y)
    quantized = quantize(distiller.fit(X, y), n_bits=4)  # what it points to
    assert quantized.score(X, y) > 0.8


def test_distiller_whose_student_lacks_a_class_is_refused():
    # the student never saw a class the distiller knows (a frozen teacher of
    # two classes, alpha=1): its quantized copy lost that class silently
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    teacher = LogisticRegression().fit(X[y < 2], y[y < 2])
    clf = DistilledClassifier(
        FrozenEstimator(teacher), SGDClassifier(loss="log_loss", random_state=0),
        alpha=1.0,
    ).fit(X, y)
    assert clf.predict_proba(X).shape == (300, 3)
    assert_array_equal(clf.student_.classes_, [0, 1])
    with pytest.raises(ValueError, match=r"student knows the classes \[0, 1\]"):
        quantize(clf, n_bits=8)
    with pytest.raises(ValueError, match=r"student knows the classes \[0, 1\]"):
        QuantizedLinearModel(FrozenEstimator(clf)).fit(X, y)
    # its student itself, if that is what the user wants
    assert_array_equal(quantize(clf.student_, n_bits=8).classes_, [0, 1])


def test_weights_that_are_not_numbers_are_refused_as_the_estimator_does():
    # numpy 1.24 gave a bare UFuncTypeError from the all-zero check
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    weight = np.array(["a"] * 60)
    with pytest.raises(ValueError, match="could not convert"):
        LogisticRegression().fit(X, y, sample_weight=weight)
    with pytest.raises(ValueError, match="could not convert"):
        QuantizedLinearModel(LogisticRegression()).fit(X, y, sample_weight=weight)


LOST_ON_THE_GRID = "features of a large scale are lost among the codes"


def _scale_warnings(model, X, y):
    import warnings

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.fit(X, y)
    return [str(w.message) for w in record if LOST_ON_THE_GRID in str(w.message)]


def test_a_grid_that_loses_features_of_a_large_scale_is_warned_of():
    # one grid for all coefficients: on raw columns of very different scales
    # the small coefficients of the large columns fall below its step, and
    # the intercept (not quantized) no longer matches their means
    from sklearn.datasets import load_wine
    from sklearn.pipeline import make_pipeline

    X, y = load_wine(return_X_y=True)  # proline near 750 beside hues near 1
    logistic = LogisticRegression(max_iter=10000)
    raw = QuantizedLinearModel(logistic, n_bits=4)
    (message,) = _scale_warnings(raw, X, y)
    float_score = clone(logistic).fit(X, y).score(X, y)
    assert raw.score(X, y) < float_score - 0.2  # what it warns of
    assert "Quantized to 4 bits" in message and "StandardScaler" in message
    # the same columns as a CSR matrix or a DataFrame
    assert _scale_warnings(clone(raw), sp.csr_matrix(X), y)
    pd = pytest.importorskip("pandas")
    assert _scale_warnings(clone(raw), pd.DataFrame(X), y)
    # standardized, nothing is lost and nothing said
    scaled = make_pipeline(StandardScaler(), clone(raw))
    assert not _scale_warnings(scaled, X, y)
    assert scaled.score(X, y) > float_score - 0.02
    # k-means codes lose them too (4 bits: 0.508 of 0.958 on breast cancer),
    # without one grid to blame
    kmeans = QuantizedLinearModel(logistic, n_bits=4, method="kmeans", random_state=0)
    (message,) = _scale_warnings(kmeans, X, y)
    assert "one grid" not in message
    # a frozen model quantized without rows to read (None, one row, whose
    # columns have no spread): no warning, as before the check
    frozen = QuantizedLinearModel(FrozenEstimator(clone(logistic).fit(X, y)))
    for rows in (None, X[:1], X[0]):
        assert not _scale_warnings(clone(frozen), rows, None)
    # pixels of one scale (0 to 16), unscaled: what few bits lose is the
    # grid's, on every feature alike, and is not said
    X, y = load_digits(return_X_y=True)
    assert not _scale_warnings(QuantizedLinearModel(logistic, n_bits=3), X, y)


def test_a_regressor_beside_a_column_near_50000_is_warned_of():
    rng = np.random.RandomState(0)
    income = rng.normal(50_000, 15_000, 1000)
    X = np.c_[income, rng.uniform(18, 80, 1000), rng.randn(1000, 3)]
    y = 3e-4 * income + 0.5 * X[:, 1] + 20 * X[:, 2] - X[:, 3] + rng.randn(1000)
    # (8 bits: levels 0.08 apart from -1 to 20 beside a coefficient of 3e-4,
    # which 16 bits lose too when it falls between two levels)
    model = QuantizedLinearModel(Ridge(), n_bits=8)
    assert _scale_warnings(model, X, y)
    assert model.score(X, y) < Ridge().fit(X, y).score(X, y) - 0.05
    X[:, 0] = (income - 50_000) / 15_000
    assert not _scale_warnings(model, X, y)
