"""How non-linear students are fitted on soft targets and on generated rows."""

import pickle

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import load_digits, load_wine, make_blobs, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    export_text,
)

from skdistill import DistilledClassifier, _students, munge
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


@pytest.mark.parametrize(
    "setting",
    [
        {"min_samples_leaf": 7},
        {"min_samples_leaf": 0.1},
        {"min_samples_leaf": 100},
        {"min_samples_split": 12},
        {"min_samples_split": 30},
    ],
)
def test_row_counts_of_a_tree_are_the_students_rows(wine, setting):
    # not their repetitions: the tree is the regression tree on the soft
    # targets with the same setting (100 of 178 rows: no split). A linear
    # teacher: no two rows have the same targets (a forest's tied outputs make
    # tied splits, which the two trees may break differently)
    X, y = wine
    tree = DecisionTreeClassifier(**setting, random_state=0)
    distilled = DistilledClassifier(
        _linear_teacher(), tree, alpha=0.5, T=2.0, augment=None
    ).fit(X, y)
    Y = _blended_targets(distilled.teacher_, X, y, 0.5, 2.0)
    regression = DecisionTreeRegressor(**setting, random_state=0).fit(X, Y)
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


def test_histogram_boosting_leaves_hold_the_students_rows():
    # 100 classes: rows repeated about 9 times; min_samples_leaf counted in
    # repetitions let leaves of a few rows of tiny weight take huge values,
    # and the distilled student fell to chance (0.10 against 0.55)
    K = 100
    X, y = make_blobs(
        n_samples=20 * K, centers=K, n_features=10, cluster_std=3.0, random_state=0
    )
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    student = HistGradientBoostingClassifier(max_iter=10, random_state=0)
    hard = clone(student).fit(X_tr, y_tr)
    teacher = RandomForestClassifier(n_estimators=20, random_state=0)
    distilled = DistilledClassifier(teacher, student, alpha=0.5, augment=None)
    distilled.fit(X_tr, y_tr)
    assert distilled.score(X_te, y_te) >= hard.score(X_te, y_te) - 0.05
    assert distilled.student_.min_samples_leaf == 20  # the user's, restored
    # what it is: min_samples_leaf times the rows' average repetitions
    rows, cols, weight = _students._repeated_rows(
        _blend(distilled.teacher_.predict_proba(X_tr), y_tr, 0.5), None
    )
    leaf = int(np.ceil(20 * len(rows) / len(y_tr)))
    by_hand = clone(student).set_params(min_samples_leaf=leaf)
    by_hand.fit(X_tr[rows], cols, sample_weight=weight)
    np.testing.assert_allclose(
        distilled.student_.predict_proba(X_te), by_hand.predict_proba(X_te)
    )


def _blend(P, y, alpha):
    """The training targets at temperature 1: alpha P + (1 - alpha) onehot."""
    Y = alpha * P
    Y[np.arange(len(y)), y] += 1 - alpha
    return Y


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


def test_generated_rows_weigh_alpha_times_the_mean_given_weight(wine):
    # with sample_weight, the generated rows weigh alpha times the mean given
    # weight: multiplying the weights by a constant leaves the tree as it is,
    # as it leaves the tree fitted alone
    X, y = wine
    teacher = FrozenEstimator(
        RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    )
    tree = DecisionTreeClassifier(max_depth=4, random_state=0)
    alpha, generated = 0.5, []

    def recorded_munge(X, **params):
        generated.append(munge(X, **params))
        return generated[-1]

    weight = np.random.RandomState(0).uniform(0.5, 3.0, len(y))
    distiller = DistilledClassifier(
        teacher, tree, alpha=alpha, augment=recorded_munge, augment_size=2.0,
        random_state=0,
    )
    distilled = clone(distiller).fit(X, y, sample_weight=weight)
    X_new = generated[-1]
    onehot = (y[:, None] == np.unique(y)[None, :]).astype(float)
    proba = [
        softmax(np.log(np.maximum(teacher.predict_proba(rows), TINY)), axis=1)
        for rows in (X, X_new)
    ]
    Y = np.vstack([alpha * proba[0] + (1 - alpha) * onehot, proba[1]])
    Y[Y < 1e-8] = 0.0
    rows_weight = np.concatenate([weight, np.full(len(X_new), alpha * weight.mean())])
    regression = DecisionTreeRegressor(max_depth=4, random_state=0).fit(
        np.vstack([X, X_new]), Y, sample_weight=rows_weight
    )
    np.testing.assert_allclose(
        distilled.predict_proba(X), regression.predict(X), atol=1e-10
    )
    for scale in (0.01, 100.0):
        scaled = clone(distiller).fit(X, y, sample_weight=scale * weight)
        np.testing.assert_allclose(
            scaled.predict_proba(X), distilled.predict_proba(X), atol=1e-10
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


def _by_repetition(monkeypatch):
    """Make the tree students go through row repetition (the reference)."""
    monkeypatch.setattr(_students, "_fit_tree", lambda *args: None)


def _continuous_problem(n_samples=300, n_classes=3, seed=0):
    # continuous features, a linear teacher: no two splits tie, so both
    # paths choose the same ones
    X, y = make_classification(
        n_samples=n_samples, n_features=8, n_informative=5, n_classes=n_classes,
        random_state=seed,
    )
    return X, y


@pytest.mark.parametrize(
    "tree",
    [
        DecisionTreeClassifier(max_depth=4, random_state=0),
        DecisionTreeClassifier(max_leaf_nodes=9, random_state=0),
        DecisionTreeClassifier(max_depth=3, max_features=3, random_state=0),
        DecisionTreeClassifier(ccp_alpha=0.01, random_state=0),
        DecisionTreeClassifier(min_impurity_decrease=0.005, random_state=0),
        DecisionTreeClassifier(
            max_depth=4, class_weight={0: 2.0, 1: 1.0, 2: 0.5}, random_state=0
        ),
        ExtraTreeClassifier(max_depth=3, random_state=0),
    ],
    ids=["depth", "leaves", "features", "ccp", "decrease", "weights", "extra"],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_tree_grown_on_the_rows_is_the_tree_of_the_repeated_rows(
    monkeypatch, tree, weighted
):
    # a Gini tree is grown as the regression tree of the soft targets on the
    # n rows, not on the nnz(Y) repeated rows: the same tree, as a classifier.
    # Two features that part a node's rows alike tie (in nodes of a few rows),
    # and either is chosen: the same partition of the training rows. (Trees
    # that draw features or thresholds at random draw the same ones down to
    # the first node of one row, which the repeated rows try to split.)
    X, y = _continuous_problem()
    sw = np.random.RandomState(2).uniform(0.5, 2.0, len(y)) if weighted else None
    distilled = DistilledClassifier(
        _linear_teacher(), tree, alpha=0.5, T=2.0, augment=None
    )
    fast = clone(distilled).fit(X, y, sample_weight=sw)
    # each node holds the student's rows, not their repetitions
    assert fast.student_.tree_.n_node_samples[0] == len(y)
    _by_repetition(monkeypatch)
    repeated = clone(distilled).fit(X, y, sample_weight=sw)
    assert repeated.student_.tree_.n_node_samples[0] > len(y)
    fast_tree, repeated_tree = fast.student_, repeated.student_
    assert type(fast_tree) is type(tree)
    assert fast_tree.get_params() == tree.get_params()
    for attribute in ("n_classes_", "n_outputs_", "n_features_in_", "max_features_"):
        fast_value = getattr(fast_tree, attribute)
        assert fast_value == getattr(repeated_tree, attribute)
        assert type(fast_value) is type(getattr(repeated_tree, attribute))
    np.testing.assert_array_equal(fast_tree.classes_, repeated_tree.classes_)
    assert fast_tree.tree_.node_count == repeated_tree.tree_.node_count
    np.testing.assert_allclose(
        fast.predict_proba(X), repeated.predict_proba(X), atol=1e-10
    )
    # the same nodes (a tie may swap two children): weights, Gini impurities
    for name in ("weighted_n_node_samples", "impurity"):
        np.testing.assert_allclose(
            np.sort(getattr(fast_tree.tree_, name)),
            np.sort(getattr(repeated_tree.tree_, name)),
            atol=1e-10,
        )


def test_tree_of_a_class_without_mass_leaves_it_out(monkeypatch):
    # the teacher never gives class 2 any probability and alpha=1: the tree
    # knows classes 0 and 1, as on the repeated rows, and the distiller
    # answers 0 for class 2
    X, y = _continuous_problem()
    teacher = FrozenEstimator(DecisionTreeClassifier(max_depth=1).fit(X, y % 2))
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    distilled = DistilledClassifier(teacher, tree, alpha=1.0, augment=None)
    fast = clone(distilled).fit(X, y)
    assert fast.student_.tree_.n_node_samples[0] == len(y)
    # a class_weight dict may name the class without mass, as a plain fit's
    weighted = clone(distilled).set_params(
        student__class_weight={0: 2.0, 2: 5.0}
    ).fit(X, y)
    assert weighted.student_.tree_.n_node_samples[0] == len(y)
    _by_repetition(monkeypatch)
    repeated = clone(distilled).fit(X, y)
    repeated_weighted = clone(weighted).fit(X, y)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated_weighted.predict_proba(X), atol=1e-10
    )
    np.testing.assert_array_equal(fast.student_.classes_, [0, 1])
    np.testing.assert_array_equal(fast.student_.classes_, repeated.student_.classes_)
    assert fast.student_.n_classes_ == 2
    np.testing.assert_allclose(fast.predict_proba(X), repeated.predict_proba(X))
    assert (fast.predict_proba(X)[:, 2] == 0).all()


def test_tree_on_sparse_missing_and_named_features(monkeypatch):
    pd = pytest.importorskip("pandas")
    from scipy import sparse

    X, y = _continuous_problem()
    X_missing = X.copy()
    X_missing[np.random.RandomState(0).uniform(size=X.shape) < 0.1] = np.nan
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    teacher = make_pipeline(
        SimpleImputer(), StandardScaler(with_mean=False), LogisticRegression(C=0.1)
    )
    tree = DecisionTreeClassifier(max_depth=4, random_state=0)
    cases = [sparse.csr_matrix(np.where(X > 0.5, X, 0.0)), X_missing, frame]
    fitted = {}
    for reference in (False, True):
        if reference:
            _by_repetition(monkeypatch)
        fitted[reference] = [
            DistilledClassifier(teacher, tree, alpha=0.5, augment=None).fit(Xc, y)
            for Xc in cases
        ]
    # before scikit-learn 1.9, rows with missing values go through repetition
    grown = [True, _students._TREES_AGREE_ON_MISSING, True]
    for Xc, fast, repeated, rows in zip(cases, *fitted.values(), grown):
        assert (fast.student_.tree_.n_node_samples[0] == len(y)) == rows
        np.testing.assert_allclose(
            fast.predict_proba(Xc), repeated.predict_proba(Xc), atol=1e-10
        )
    np.testing.assert_array_equal(
        fitted[False][2].student_.feature_names_in_, frame.columns
    )


def test_tree_student_is_a_whole_classifier():
    # what users do with a fitted tree: read it, walk it, save it
    X, y = _continuous_problem()
    distilled = DistilledClassifier(
        _linear_teacher(), DecisionTreeClassifier(max_depth=3, random_state=0),
        alpha=0.5, augment=None,
    ).fit(X, y)
    tree = distilled.student_
    leaves = tree.apply(X)
    assert tree.decision_path(X).shape == (len(X), tree.tree_.node_count)
    proba = tree.tree_.value[leaves, 0]
    np.testing.assert_allclose(proba, tree.predict_proba(X))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert "class: " in export_text(tree)
    again = pickle.loads(pickle.dumps(tree))
    np.testing.assert_array_equal(again.predict_proba(X), tree.predict_proba(X))
    # Gini impurity at the root, of the weighted class proportions
    root = tree.tree_.value[0, 0]
    assert tree.tree_.impurity[0] == pytest.approx(1 - root @ root)


@pytest.mark.parametrize(
    "tree",
    [
        DecisionTreeClassifier(criterion="entropy", max_depth=3, random_state=0),
        DecisionTreeClassifier(monotonic_cst=[1] + [0] * 7, max_depth=3),
    ],
    ids=["entropy", "monotonic"],
)
def test_trees_beyond_the_gini_case_are_fitted_on_repeated_rows(tree):
    X, y = _continuous_problem(n_classes=2)
    distilled = DistilledClassifier(
        _linear_teacher(), tree, alpha=0.5, augment=None
    ).fit(X, y)
    assert distilled.student_.tree_.n_node_samples[0] > len(y)


def test_tree_with_an_invalid_setting_fails_as_the_student():
    X, y = _continuous_problem()
    distilled = DistilledClassifier(
        _linear_teacher(), DecisionTreeClassifier(max_depth=-1), augment=None
    )
    with pytest.raises(
        ValueError,
        match="student DecisionTreeClassifier failed in fit: The 'max_depth' "
        "parameter of DecisionTreeClassifier",
    ) as info:
        distilled.fit(X, y)
    assert "Regressor" not in str(info.value)


@pytest.mark.parametrize("class_weight", [{"0": 10.0}, {0: 10.0, 7: 1.0}])
@pytest.mark.parametrize(
    "student",
    [DecisionTreeClassifier(max_depth=3), HistGradientBoostingClassifier(max_iter=5)],
    ids=["tree", "boosting"],
)
def test_class_weight_keys_that_are_no_class_are_refused(student, class_weight):
    # as scikit-learn reads them: labels written as strings, or a typo, with
    # a class left without weight; before, the keys were ignored silently
    X, y = _continuous_problem()
    with pytest.raises(ValueError, match="are not in class_weight"):
        clone(student).set_params(class_weight=class_weight).fit(X, y)
    distilled = DistilledClassifier(
        _linear_teacher(), clone(student).set_params(class_weight=class_weight),
        augment=None,
    )
    with pytest.raises(ValueError, match="student .* failed in fit: The classes"):
        distilled.fit(X, y)


@pytest.mark.parametrize(
    "student",
    [DecisionTreeClassifier(max_depth=3), HistGradientBoostingClassifier(max_iter=5)],
    ids=["tree", "boosting"],
)
def test_class_weight_keyed_by_labels_that_read_as_numbers(student):
    # labels "1", "2", "3" keyed as written: every class has its weight (the
    # logistic student reads them so too)
    X, y = _continuous_problem()
    labels = np.array(["1", "2", "3"])[y]
    class_weight = {"1": 1.0, "2": 2.0, "3": 0.5}
    distilled = DistilledClassifier(
        _linear_teacher(), clone(student).set_params(class_weight=class_weight),
        augment=None,
    ).fit(X, labels)
    unweighted = DistilledClassifier(
        _linear_teacher(), clone(student), augment=None
    ).fit(X, labels)
    np.testing.assert_array_equal(distilled.classes_, ["1", "2", "3"])
    assert not np.allclose(distilled.predict_proba(X), unweighted.predict_proba(X))
