"""Tests of the support search of SparsifyTransformer (skdistill._pruning)."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdistill import DistilledClassifier, SparsifyTransformer
from skdistill._pruning import (
    METHODS,
    REFIT_METHODS,
    SearchedSupport,
    _SoftCrossEntropy,
    l1_path_support,
    magnitude_prune,
    prune_logistic,
    search_support,
    set_coefficients,
)
from skdistill.linear_model._soft_logistic import _fit_soft_logistic


@pytest.fixture
def multiclass():
    X, y = make_classification(
        n_samples=200, n_features=12, n_informative=5, n_classes=3,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


@pytest.fixture
def overfit():
    # many features for the rows: the L2 model at C=1 overfits
    X, y = make_classification(
        n_samples=200, n_features=100, n_informative=8, n_redundant=4,
        n_classes=3, random_state=1,
    )
    return StandardScaler().fit_transform(X), y


def _onehot(y):
    return (y[:, None] == np.unique(y)[None, :]).astype(np.float64)


@pytest.mark.parametrize("sparsity", [0.5, 0.8, 0.95])
def test_default_prunes_exactly_the_requested_count(multiclass, sparsity):
    X, y = multiclass
    sel = SparsifyTransformer(LogisticRegression(), sparsity=sparsity).fit(X, y)
    coef = sel.estimator_.coef_
    n_pruned = round(sparsity * coef.size)
    assert np.count_nonzero(coef) == coef.size - n_pruned
    assert sel.coef_mask_.sum() == coef.size - n_pruned
    assert np.all(coef[~sel.coef_mask_] == 0)
    assert sel.sparsity_ == pytest.approx(n_pruned / coef.size)
    assert sel.sparsity_schedule_.shape == (1,)


def test_default_is_a_masked_refit_on_the_searched_support(multiclass):
    # when a refit method is chosen, the final model is the L2 soft-target
    # fit with the zeros held fixed
    X, y = multiclass
    sel = SparsifyTransformer(LogisticRegression(tol=1e-8), sparsity=0.8).fit(X, y)
    assert sel.method_ in REFIT_METHODS
    coef, intercept, _ = _fit_soft_logistic(
        X, _onehot(y), C=1.0, tol=1e-8, max_iter=1000, coef_mask=sel.coef_mask_
    )
    np.testing.assert_allclose(sel.estimator_.coef_, coef, atol=1e-4)
    np.testing.assert_allclose(sel.estimator_.intercept_, intercept, atol=1e-4)


def test_method_magnitude_is_the_one_shot_pruning(multiclass):
    X, y = multiclass
    sel = SparsifyTransformer(
        LogisticRegression(), sparsity=0.5, method="magnitude"
    ).fit(X, y)
    dense = LogisticRegression().fit(X, y).coef_
    n_keep = dense.size - round(0.5 * dense.size)
    kept = np.argsort(-np.abs(dense).ravel(), kind="stable")[:n_keep]
    expected = np.zeros(dense.size, dtype=bool)
    expected[kept] = True
    np.testing.assert_array_equal(sel.coef_mask_.ravel(), expected)


def test_search_applies_only_to_searchable_models(multiclass):
    X, y = multiclass
    ridge = RidgeClassifier().fit(X, y)
    assert search_support(ridge, X, y, 5) is None
    weighted = LogisticRegression(class_weight="balanced").fit(X, y)
    assert search_support(weighted, X, y, 5) is None
    plain = LogisticRegression().fit(X, y)
    searched = search_support(plain, X, y, 5)
    assert searched.mask.sum() == 5
    assert searched.method in METHODS
    assert (searched.coef is None) == (searched.method in REFIT_METHODS)
    # models the search does not cover keep magnitude pruning
    sel = SparsifyTransformer(RidgeClassifier(), sparsity=0.5).fit(X, y)
    assert sel.sparsity_ == pytest.approx(0.5)
    sel = SparsifyTransformer(
        LogisticRegression(), sparsity=0.5, granularity="feature"
    ).fit(X, y)
    assert sel.n_features_ == 6


def test_l1_path_support_keeps_the_features_of_the_l1_solution():
    # the strongly informative columns enter the path first
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6))
    y = (X[:, 0] + 0.5 * X[:, 3] > 0).astype(int)
    mask, coef, _ = l1_path_support(X, _onehot(y), 2)
    assert mask.shape == (1, 6)
    np.testing.assert_array_equal(np.flatnonzero(mask[0]), [0, 3])
    assert np.all(coef[~mask] == 0)


@pytest.mark.parametrize("n_keep", [1, 4, 9])
def test_prune_logistic_returns_the_requested_support(multiclass, n_keep):
    X, y = multiclass
    Y = _onehot(y)
    dense = LogisticRegression().fit(X, y)
    coef, intercept, mask, method = prune_logistic(
        X, Y, n_keep, dense.coef_, dense.intercept_
    )
    assert method in METHODS
    assert mask.sum() == n_keep
    assert np.count_nonzero(coef) == n_keep
    assert np.all(coef[~mask] == 0)
    assert intercept.shape == (3,)


def test_refits_lower_the_objective_of_the_pruned_model(multiclass):
    # magnitude pruning with refits beats zeroing the dense model's weights
    X, y = multiclass
    Y = _onehot(y)
    dense = LogisticRegression().fit(X, y)
    coef, intercept, mask = magnitude_prune(
        X, Y, 10, dense.coef_, dense.intercept_, n_steps=1
    )
    loss = _SoftCrossEntropy(X, Y, None, C=1.0)
    zeroed = np.where(mask, dense.coef_, 0.0)
    assert loss(coef, intercept)[0] < loss(zeroed, dense.intercept_)[0]


def test_sparse_input_gives_the_dense_result():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = LogisticRegression(tol=1e-8, max_iter=1000)
    dense = SparsifyTransformer(model, sparsity=0.75).fit(X, y)
    csr = SparsifyTransformer(model, sparsity=0.75).fit(sp.csr_matrix(X), y)
    np.testing.assert_array_equal(dense.coef_mask_, csr.coef_mask_)
    np.testing.assert_allclose(
        dense.estimator_.coef_, csr.estimator_.coef_, atol=1e-4
    )


def test_sample_weight_as_repeated_rows():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X[:120])
    y = y[:120]
    weight = np.random.RandomState(0).randint(1, 3, size=len(y))
    Y = _onehot(y)
    rows = np.repeat(np.arange(len(y)), weight)
    mask_w, _, _ = l1_path_support(X, Y, 5, sample_weight=weight.astype(float))
    mask_r, _, _ = l1_path_support(X[rows], Y[rows], 5)
    np.testing.assert_array_equal(mask_w, mask_r)


def test_distilled_student_is_pruned_on_its_soft_targets(multiclass):
    X, y = multiclass
    distiller = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(),
    )
    sel = SparsifyTransformer(distiller, sparsity=0.8).fit(X, y)
    coef = sel.estimator_.student_.coef_
    assert np.count_nonzero(coef) == coef.size - round(0.8 * coef.size)
    assert sel.sparsity_schedule_.shape == (1,)
    assert sel.predict(X).shape == y.shape


def _l1_penalties(model, X, y):
    """``-sign(w) * d(objective)/dw`` on the non-zero coefficients.

    ``objective`` is the model's own: the mean log-loss plus
    ``||W||^2 / (2 C n)``. At a solution of ``objective + lam * ||W||_1``
    this is ``lam`` for every non-zero coefficient; at a refit of the
    objective on the support it is 0.
    """
    Y = (y[:, None] == model.classes_[None, :]).astype(np.float64)
    P = model.predict_proba(X)
    G = (P - Y).T @ X / len(y) + model.coef_ / (model.C * len(y))
    kept = model.coef_ != 0
    return -G[kept] * np.sign(model.coef_[kept])


def test_l1_solution_is_kept_without_refit_on_an_overfit_problem(overfit):
    X, y = overfit
    sel = SparsifyTransformer(LogisticRegression(), sparsity=0.8).fit(X, y)
    assert sel.method_ == "l1"
    coef = sel.estimator_.coef_
    n_keep = coef.size - round(0.8 * coef.size)
    assert np.count_nonzero(coef) == n_keep
    assert sel.coef_mask_.sum() == n_keep
    assert np.all(coef[~sel.coef_mask_] == 0)
    # an L1 solution on its support: one penalty for all the kept coefficients
    lam = _l1_penalties(sel.estimator_, X, y)
    assert np.all(lam > 0)
    assert np.ptp(lam) < 0.05 * np.mean(lam)
    # which the masked L2 refit (the one-shot path's model) is not
    refit, _, _ = _fit_soft_logistic(
        X, _onehot(y), C=1.0, tol=1e-8, max_iter=1000, coef_mask=sel.coef_mask_
    )
    assert np.max(np.abs(refit - coef)) > 0.1 * np.max(np.abs(coef))
    assert sel.predict(X).shape == y.shape


def test_l1_solution_matches_the_top_of_an_independent_l1_path(overfit):
    # the kept model is the L1-path solution computed on its own
    X, y = overfit
    sel = SparsifyTransformer(LogisticRegression(), sparsity=0.8).fit(X, y)
    n_keep = sel.coef_mask_.sum()
    mask, coef, intercept = l1_path_support(X, _onehot(y), n_keep, C=1.0)
    np.testing.assert_array_equal(sel.coef_mask_, mask)
    np.testing.assert_allclose(sel.estimator_.coef_, coef, rtol=1e-10)
    np.testing.assert_allclose(sel.estimator_.intercept_, intercept, rtol=1e-10)


@pytest.mark.parametrize("pipeline", [False, True])
def test_distilled_student_gets_the_kept_l1_solution(overfit, pipeline):
    # alpha=0 trains the student on the labels alone: the same search as for
    # the bare model, its coefficients written into the student
    X, y = overfit
    bare = SparsifyTransformer(LogisticRegression(), sparsity=0.8).fit(X, y)
    student = LogisticRegression()
    if pipeline:
        student = make_pipeline(StandardScaler(), student)
    distiller = DistilledClassifier(LogisticRegression(), student, alpha=0.0)
    sel = SparsifyTransformer(distiller, sparsity=0.8).fit(X, y)
    assert sel.method_ == bare.method_ == "l1"
    last = sel.estimator_.student_
    last = last[-1] if pipeline else last
    np.testing.assert_allclose(last.coef_, bare.estimator_.coef_, atol=1e-8)
    assert np.count_nonzero(last.coef_) == np.count_nonzero(bare.estimator_.coef_)
    assert np.all(last.coef_[~sel.coef_mask_] == 0)
    np.testing.assert_array_equal(sel.predict(X), bare.predict(X))


def test_set_coefficients_writes_into_the_pipeline_last_step(multiclass):
    X, y = multiclass
    distiller = DistilledClassifier(
        LogisticRegression(), make_pipeline(StandardScaler(), LogisticRegression())
    ).fit(X, y)
    refit_set = type("Set", (), {})()  # only its presence matters here
    last = distiller.student_[-1]
    mask = np.zeros(last.coef_.shape, dtype=bool)
    mask[:, :2] = True
    coef = np.where(mask, 1.5, 7.0)  # values off the mask are not written
    intercept = np.arange(last.intercept_.size, dtype=float)
    searched = SearchedSupport(mask, coef, intercept, "l1")
    assert set_coefficients(distiller, searched, refit_set) is distiller
    np.testing.assert_array_equal(last.coef_, np.where(mask, 1.5, 0.0))
    np.testing.assert_array_equal(last.intercept_, intercept)


def test_method_magnitude_keeps_the_one_shot_refit(overfit):
    # method="magnitude" is unchanged: top-|w| mask, then a masked L2 refit
    X, y = overfit
    sel = SparsifyTransformer(
        LogisticRegression(tol=1e-8, max_iter=1000), sparsity=0.8,
        method="magnitude",
    ).fit(X, y)
    assert sel.method_ == "magnitude"
    dense = LogisticRegression(tol=1e-8, max_iter=1000).fit(X, y).coef_
    n_keep = dense.size - round(0.8 * dense.size)
    kept = np.argsort(-np.abs(dense).ravel(), kind="stable")[:n_keep]
    np.testing.assert_array_equal(np.flatnonzero(sel.coef_mask_.ravel()), np.sort(kept))
    coef, _, _ = _fit_soft_logistic(
        X, _onehot(y), C=1.0, tol=1e-8, max_iter=1000, coef_mask=sel.coef_mask_
    )
    np.testing.assert_allclose(sel.estimator_.coef_, coef, atol=1e-4)


def test_prune_logistic_restricted_methods(overfit):
    X, y = overfit
    Y = _onehot(y)
    dense = LogisticRegression().fit(X, y)
    for method in METHODS:
        coef, _, mask, chosen = prune_logistic(
            X, Y, 30, dense.coef_, dense.intercept_, methods=(method,)
        )
        assert chosen == method
        assert np.count_nonzero(coef) == mask.sum() == 30
    with pytest.raises(ValueError, match="methods"):
        prune_logistic(X, Y, 30, dense.coef_, dense.intercept_, methods=("lasso",))


def test_the_l1_path_is_not_searched_for_many_coefficients(multiclass, monkeypatch):
    # its L-BFGS-B solves over twice the coefficients cost hundreds of times
    # a fit on wide problems (400,000 coefficients: 89 s against 0.3 s);
    # above the limit gradual magnitude pruning is the one candidate
    from skdistill import _pruning

    X, y = multiclass
    calls = []
    path = _pruning._l1_path

    def counting_path(*args, **kwargs):
        calls.append(1)
        return path(*args, **kwargs)

    monkeypatch.setattr(_pruning, "_l1_path", counting_path)
    model = LogisticRegression()
    searched = SparsifyTransformer(model, sparsity=0.5).fit(X, y)
    assert calls  # below the limit: the path is searched
    calls.clear()
    monkeypatch.setattr(_pruning, "_L1_PATH_MAX_COEF", model.fit(X, y).coef_.size - 1)
    limited = SparsifyTransformer(model, sparsity=0.5).fit(X, y)
    assert not calls
    assert limited.method_ == "gradual_magnitude"
    assert limited.sparsity_ == pytest.approx(searched.sparsity_)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_the_search_reads_weights_whose_total_overflows_as_their_ratios():
    from sklearn.frozen import FrozenEstimator

    # equal weights of 1e307 (their total overflows) and of 1e300 (it does
    # not) are the same weights: the same candidate and model (the first
    # gave NaN intercepts and held-out losses of 0, and another candidate)
    X, y = make_classification(
        n_samples=300, n_features=10, n_informative=4, n_classes=3, random_state=0
    )
    teacher = FrozenEstimator(LogisticRegression(C=0.05).fit(X, y))
    fitted = [
        SparsifyTransformer(
            DistilledClassifier(teacher, LogisticRegression()), sparsity=0.5
        ).fit(X, y, sample_weight=np.full(len(y), weight))
        for weight in (1e307, 1e300)
    ]
    assert fitted[0].method_ == fitted[1].method_
    huge, large = (model.estimator_.student_ for model in fitted)
    np.testing.assert_allclose(huge.coef_, large.coef_, atol=1e-8)
    np.testing.assert_allclose(huge.intercept_, large.intercept_, atol=1e-8)
