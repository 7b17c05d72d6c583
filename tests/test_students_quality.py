"""How non-linear students are fitted on soft targets and on generated rows."""

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import load_digits, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skdistill import DistilledClassifier, munge
from skdistill.metrics import fidelity_score


@pytest.fixture
def wine():
    return load_wine(return_X_y=True)


@pytest.mark.parametrize("depth", [2, 4])
def test_tree_student_is_a_regression_tree_on_the_soft_targets(wine, depth):
    # rows repeated once per class, weighted by the target: the Gini decrease
    # equals the squared-error decrease of the probability vector, and a leaf
    # predicts the mean target of its rows (the training rows only: no
    # generated ones, which augment="auto" adds on a table this small)
    X, y = wine
    teacher = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    tree = DecisionTreeClassifier(max_depth=depth, random_state=0)
    alpha, T = 0.5, 2.0
    distilled = DistilledClassifier(
        teacher.__class__(**teacher.get_params()), tree, alpha=alpha, T=T,
        augment=None,
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


def test_generated_rows_reach_the_tree_with_the_weight_alpha(wine):
    # MUNGE rows labeled by the teacher join the training rows: the tree is the
    # regression tree on the stacked rows, the training rows with the blended
    # targets (weight 1), the generated rows with the teacher's (weight alpha)
    X, y = wine
    teacher = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    tree = DecisionTreeClassifier(max_depth=4, random_state=0)
    alpha, generated = 0.5, []

    def recorded_munge(X, **params):
        generated.append(munge(X, **params))
        return generated[-1]

    distilled = DistilledClassifier(
        FrozenEstimator(teacher),
        tree,
        alpha=alpha,
        augment=recorded_munge,
        augment_size=3.0,
        random_state=0,
    ).fit(X, y)
    (X_new,) = generated
    assert X_new.shape == (3 * len(X), X.shape[1])
    onehot = (y[:, None] == np.unique(y)[None, :]).astype(float)
    proba = [
        softmax(np.log(np.maximum(teacher.predict_proba(rows), 1e-12)), axis=1)
        for rows in (X, X_new)
    ]
    Y = np.vstack([alpha * proba[0] + (1 - alpha) * onehot, proba[1]])
    Y[Y < 1e-8] = 0.0  # the repeated rows leave out negligible targets
    weight = np.concatenate([np.ones(len(X)), np.full(len(X_new), alpha)])
    regression = DecisionTreeRegressor(max_depth=4, random_state=0).fit(
        np.vstack([X, X_new]), Y, sample_weight=weight
    )
    np.testing.assert_allclose(
        distilled.predict_proba(X), regression.predict(X), atol=1e-10
    )


def test_generated_rows_make_a_tree_more_faithful_than_the_hard_labels():
    # a depth-8 tree on 1257 rows of digits copies the forest better from
    # five MUNGE rows per training row than from the labels, on held-out rows
    X, y = load_digits(return_X_y=True)
    gains = []
    for seed in range(3):
        X_train, X_test, y_train, _ = train_test_split(
            X, y, test_size=0.3, stratify=y, random_state=seed
        )
        teacher = RandomForestClassifier(n_estimators=100, random_state=seed)
        teacher.fit(X_train, y_train)
        tree = DecisionTreeClassifier(max_depth=8, random_state=0)
        hard = clone(tree).fit(X_train, y_train)
        distilled = DistilledClassifier(
            FrozenEstimator(teacher),
            tree,
            augment="munge",
            augment_size=5.0,
            random_state=0,
        ).fit(X_train, y_train)
        reference = teacher.predict(X_test)
        gains.append(
            fidelity_score(reference, distilled.predict(X_test))
            - fidelity_score(reference, hard.predict(X_test))
        )
    assert np.mean(gains) > 0
