"""How non-linear students are fitted on soft targets and on generated rows."""

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import load_digits, load_wine, make_blobs, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skdistill import DistilledClassifier, munge
from skdistill.metrics import fidelity_score

# the floor of the teacher's probabilities before their logarithm
TINY = np.finfo(np.float64).tiny


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
    logits = np.log(np.maximum(distilled.teacher_.predict_proba(X), TINY))
    onehot = (y[:, None] == np.unique(y)[None, :]).astype(float)
    Y = alpha * softmax(logits / T, axis=1) + (1 - alpha) * onehot
    regression = DecisionTreeRegressor(max_depth=depth, random_state=0).fit(X, Y)
    np.testing.assert_allclose(
        distilled.predict_proba(X), regression.predict(X), atol=1e-12
    )


def _linear_teacher():
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.1))


def _blended_targets(teacher, X, y, alpha, T):
    logits = np.log(np.maximum(teacher.predict_proba(X), TINY))
    onehot = (y[:, None] == np.unique(y)[None, :]).astype(float)
    return alpha * softmax(logits / T, axis=1) + (1 - alpha) * onehot


@pytest.mark.parametrize("min_samples_leaf", [7, 0.1, 100])
def test_min_samples_leaf_counts_the_students_rows(wine, min_samples_leaf):
    # not their repetitions: the tree is the regression tree on the soft
    # targets with the same min_samples_leaf (100 of 178 rows: no split). A
    # linear teacher: no two rows have the same targets (a forest's tied
    # outputs make tied splits, which the two trees may break differently)
    X, y = wine
    tree = DecisionTreeClassifier(min_samples_leaf=min_samples_leaf, random_state=0)
    distilled = DistilledClassifier(
        _linear_teacher(), tree, alpha=0.5, T=2.0, augment=None
    ).fit(X, y)
    Y = _blended_targets(distilled.teacher_, X, y, 0.5, 2.0)
    regression = DecisionTreeRegressor(
        min_samples_leaf=min_samples_leaf, random_state=0
    ).fit(X, Y)
    assert distilled.student_.get_n_leaves() == regression.get_n_leaves()
    np.testing.assert_allclose(
        distilled.predict_proba(X), regression.predict(X), atol=1e-12
    )
    # the student's parameters are the user's
    assert distilled.student_.get_params() == tree.get_params()


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 3.0, 2: 0.5}])
def test_class_weight_weighs_the_classes_of_the_soft_targets(wine, class_weight):
    # on the repeated rows every class would count n times ("balanced" would
    # change nothing): the class weights multiply the targets. The tree is the
    # regression tree on the class-weighted targets, renormalised, with each
    # row weighing its class-weighted total
    X, y = wine
    keep = np.r_[np.flatnonzero(y != 1), np.flatnonzero(y == 1)[:15]]
    X, y = X[keep], y[keep]  # imbalanced: 15 rows of class 1
    tree = DecisionTreeClassifier(
        max_depth=3, class_weight=class_weight, random_state=0
    )
    distilled = DistilledClassifier(
        _linear_teacher(), tree, alpha=0.5, T=2.0, augment=None
    ).fit(X, y)
    Y = _blended_targets(distilled.teacher_, X, y, 0.5, 2.0)
    if class_weight == "balanced":
        per_class = Y.sum() / (3 * Y.sum(axis=0))
    else:
        per_class = np.array([class_weight[k] for k in range(3)])
    weighted = Y * per_class
    row_weight = weighted.sum(axis=1)
    regression = DecisionTreeRegressor(max_depth=3, random_state=0).fit(
        X, weighted / row_weight[:, None], sample_weight=row_weight
    )
    np.testing.assert_allclose(
        distilled.predict_proba(X), regression.predict(X), atol=1e-12
    )
    assert distilled.student_.class_weight == class_weight
    # with the teacher's weight near 0, the tree the labels give
    almost_plain = clone(distilled).set_params(alpha=1e-12).fit(X, y)
    np.testing.assert_array_equal(
        almost_plain.predict(X), clone(tree).fit(X, y).predict(X)
    )


def test_balanced_class_weight_with_a_class_of_zero_weight_rows():
    # zero sample weights drop the rows of class 2, and the teacher gives it
    # probability 0 elsewhere: the class has no mass, keeps weight 1 (as in
    # the soft-target solver), and the tree is the one on the other rows
    X, y = make_blobs(150, centers=3, cluster_std=0.5, random_state=0)
    sw = np.where(y == 2, 0.0, 1.0)
    teacher = FrozenEstimator(DecisionTreeClassifier(random_state=0).fit(X, y))
    tree = DecisionTreeClassifier(max_depth=3, class_weight="balanced", random_state=0)
    distilled = DistilledClassifier(teacher, tree, alpha=0.5, augment=None)
    distilled.fit(X, y, sample_weight=sw)
    kept = y != 2
    plain = clone(tree).fit(X[kept], y[kept])
    proba = distilled.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba[:, :2], plain.predict_proba(X), atol=1e-12)


def test_histogram_boosting_early_stopping_is_decided_on_the_students_rows():
    # 4,000 rows, 3 classes: 12,000 repeated rows, above the 10,000 at which
    # early_stopping="auto" turns on; the student's rows are below it
    X, y = make_classification(
        n_samples=4000, n_informative=5, n_classes=3, random_state=0
    )
    student = HistGradientBoostingClassifier(max_iter=15, random_state=0)
    distilled = DistilledClassifier(
        LogisticRegression(), student, alpha=0.5, augment=None
    ).fit(X, y)
    assert not distilled.student_.do_early_stopping_
    assert distilled.student_.n_iter_ == 15
    assert distilled.student_.early_stopping == "auto"


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
        softmax(np.log(np.maximum(teacher.predict_proba(rows), TINY)), axis=1)
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
