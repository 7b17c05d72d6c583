"""How non-linear students are fitted on soft targets (behaviour, not accuracy)."""

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skdistill import DistilledClassifier


@pytest.fixture
def wine():
    return load_wine(return_X_y=True)


@pytest.mark.parametrize("depth", [2, 4])
def test_tree_student_is_a_regression_tree_on_the_soft_targets(wine, depth):
    # rows repeated once per class, weighted by the target: the Gini decrease
    # equals the squared-error decrease of the probability vector, and a leaf
    # predicts the mean target of its rows
    X, y = wine
    teacher = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    tree = DecisionTreeClassifier(max_depth=depth, random_state=0)
    alpha, T = 0.5, 2.0
    distilled = DistilledClassifier(
        teacher.__class__(**teacher.get_params()), tree, alpha=alpha, T=T
    ).fit(X, y)
    logits = np.log(np.maximum(distilled.teacher_.predict_proba(X), 1e-12))
    onehot = (y[:, None] == np.unique(y)[None, :]).astype(float)
    Y = alpha * softmax(logits / T, axis=1) + (1 - alpha) * onehot
    regression = DecisionTreeRegressor(max_depth=depth, random_state=0).fit(X, Y)
    np.testing.assert_allclose(
        distilled.predict_proba(X), regression.predict(X), atol=1e-12
    )


def test_alpha_zero_tree_is_the_hard_label_tree(wine):
    X, y = wine
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    distilled = DistilledClassifier(
        RandomForestClassifier(n_estimators=5, random_state=0), tree, alpha=0.0
    ).fit(X, y)
    hard = clone(tree).fit(X, y)
    np.testing.assert_array_equal(
        distilled.student_.tree_.feature, hard.tree_.feature
    )
    np.testing.assert_array_equal(distilled.predict_proba(X), hard.predict_proba(X))
