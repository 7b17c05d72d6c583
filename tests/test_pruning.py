"""Tests of the support search of SparsifyTransformer (skdistill._pruning)."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.preprocessing import StandardScaler

from skdistill import DistilledClassifier, SparsifyTransformer
from skdistill._pruning import (
    _SoftCrossEntropy,
    l1_path_support,
    magnitude_prune,
    prune_logistic,
    search_support,
)
from skdistill.linear_model._soft_logistic import _fit_soft_logistic


@pytest.fixture
def multiclass():
    X, y = make_classification(
        n_samples=200, n_features=12, n_informative=5, n_classes=3,
        random_state=0,
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
    # the final model is the L2 soft-target fit with the zeros held fixed
    X, y = multiclass
    sel = SparsifyTransformer(LogisticRegression(tol=1e-8), sparsity=0.8).fit(X, y)
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
    assert search_support(plain, X, y, 5).sum() == 5
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
    assert method in ("l1_path", "magnitude")
    assert mask.sum() == n_keep
    assert np.count_nonzero(coef) <= n_keep
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
    loss = _SoftCrossEntropy(X, Y, None, l2=1.0 / len(y))
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
