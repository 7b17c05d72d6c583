"""Tests of skdistill.metrics against independent numpy / scipy computations."""

import numpy as np
import pytest
from scipy.special import rel_entr
from scipy.stats import entropy
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skdistill.metrics import (
    serialized_size,
    compression_report,
    count_nonzero_parameters,
    fidelity_score,
    format_report,
    kl_divergence,
    prediction_time,
    soft_cross_entropy,
)


@pytest.fixture
def probabilities():
    rng = np.random.RandomState(0)
    p_teacher = rng.dirichlet(np.ones(4), size=30)
    p_student = rng.dirichlet(np.ones(4), size=30)
    weight = rng.uniform(0.1, 2.0, size=30)
    return p_teacher, p_student, weight


def test_soft_cross_entropy_matches_numpy(probabilities):
    p_teacher, p_student, weight = probabilities
    rows = [
        -sum(t * np.log(s) for t, s in zip(pt, ps))
        for pt, ps in zip(p_teacher, p_student)
    ]
    assert soft_cross_entropy(p_teacher, p_student) == pytest.approx(np.mean(rows))
    expected = np.sum(weight * np.array(rows)) / np.sum(weight)
    assert soft_cross_entropy(
        p_teacher, p_student, sample_weight=weight
    ) == pytest.approx(expected)


def test_kl_divergence_matches_scipy(probabilities):
    p_teacher, p_student, weight = probabilities
    rows = np.array([entropy(pt, ps) for pt, ps in zip(p_teacher, p_student)])
    assert kl_divergence(p_teacher, p_student) == pytest.approx(rows.mean())
    assert kl_divergence(p_teacher, p_student, sample_weight=weight) == pytest.approx(
        np.average(rows, weights=weight)
    )


def test_cross_entropy_is_kl_plus_teacher_entropy(probabilities):
    p_teacher, p_student, _ = probabilities
    teacher_entropy = np.mean([entropy(pt) for pt in p_teacher])
    assert soft_cross_entropy(p_teacher, p_student) == pytest.approx(
        kl_divergence(p_teacher, p_student) + teacher_entropy
    )
    assert soft_cross_entropy(p_teacher, p_teacher) == pytest.approx(teacher_entropy)
    assert kl_divergence(p_teacher, p_teacher) == pytest.approx(0.0, abs=1e-12)


def test_zero_teacher_probabilities_contribute_nothing():
    p_teacher = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
    p_student = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]])
    expected = rel_entr(p_teacher, p_student).sum(axis=1).mean()
    assert kl_divergence(p_teacher, p_student) == pytest.approx(expected)
    assert np.isfinite(soft_cross_entropy(p_teacher, p_student))


def test_zero_student_probability_is_clipped():
    # the student gives probability 0 to the teacher's class: log(1e-12)
    p_teacher = [[1.0, 0.0]]
    p_student = [[0.0, 1.0]]
    assert soft_cross_entropy(p_teacher, p_student) == pytest.approx(12 * np.log(10))
    assert kl_divergence(p_teacher, p_student) == pytest.approx(12 * np.log(10))


@pytest.mark.parametrize("func", [soft_cross_entropy, kl_divergence])
@pytest.mark.parametrize(
    "p_teacher, p_student, match",
    [
        ([[0.5, 0.5]], [[0.5, 0.5], [0.5, 0.5]], "same shape"),
        ([[0.5, 0.5]], [[0.2, 0.3, 0.5]], "same shape"),
        ([0.5, 0.5], [0.5, 0.5], "2-D"),
        ([[0.6, 0.6]], [[0.5, 0.5]], "p_teacher.*sum to 1"),
        ([[0.5, 0.5]], [[0.2, 0.2]], "p_student.*sum to 1"),
        ([[1.5, -0.5]], [[0.5, 0.5]], "non-negative"),
        ([[np.nan, 0.5]], [[0.5, 0.5]], "finite"),
        ([["a", "b"]], [[0.5, 0.5]], "numeric"),
    ],
)
def test_invalid_probabilities(func, p_teacher, p_student, match):
    with pytest.raises(ValueError, match=match):
        func(p_teacher, p_student)


@pytest.mark.parametrize("func", [soft_cross_entropy, kl_divergence])
def test_sample_weight_length_checked(func):
    with pytest.raises(ValueError, match="inconsistent"):
        func([[0.5, 0.5]] * 3, [[0.5, 0.5]] * 3, sample_weight=[1.0, 2.0])


@pytest.mark.parametrize("func", [soft_cross_entropy, kl_divergence, fidelity_score])
@pytest.mark.parametrize("shape", [(3, 1), (3, 2)])
def test_sample_weight_of_two_dimensions_is_refused_by_name(func, shape):
    # as accuracy_score: sample_weight of shape (n, 1) is not taken as a column
    p = [0, 1, 1] if func is fidelity_score else [[0.5, 0.5]] * 3
    with pytest.raises(ValueError, match="sample_weight must be a 1-D array"):
        func(p, p, sample_weight=np.ones(shape))


def test_fidelity_score_weighted():
    assert fidelity_score([0, 1, 1], [0, 1, 0], sample_weight=[1, 1, 2]) == 0.5


def _tree_parameters(tree):
    # a split stores a feature and a threshold; a leaf its class values
    is_leaf = tree.tree_.children_left == -1
    values_per_leaf = tree.tree_.value.shape[1] * tree.tree_.value.shape[2]
    return 2 * int(np.sum(~is_leaf)) + int(np.sum(is_leaf)) * values_per_leaf


def test_count_nonzero_parameters_forest_sums_its_trees():
    X, y = load_iris(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    expected = sum(_tree_parameters(tree) for tree in forest.estimators_)
    assert expected > 0
    assert count_nonzero_parameters(forest) == expected


def test_count_nonzero_parameters_tree_and_linear():
    X, y = load_iris(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    assert count_nonzero_parameters(tree) == _tree_parameters(tree)
    logistic = LogisticRegression(max_iter=1000).fit(X, y)
    logistic.coef_[0, :2] = 0.0
    assert count_nonzero_parameters(logistic) == 3 * 4 - 2 + 3


def test_count_nonzero_parameters_hist_gradient_boosting_is_positive():
    X, y = load_iris(return_X_y=True)
    small = HistGradientBoostingClassifier(max_iter=2, random_state=0).fit(X, y)
    large = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y)
    assert 0 < count_nonzero_parameters(small) < count_nonzero_parameters(large)


def test_compression_report_and_table():
    X, y = load_iris(return_X_y=True)
    models = {
        "tree": DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y),
        "logistic": LogisticRegression(max_iter=1000).fit(X, y),
    }
    report = compression_report(models, X, y, teacher="tree", n_repeats=1)
    assert list(report) == ["tree", "logistic"]
    tree_pred = models["tree"].predict(X)
    logistic_pred = models["logistic"].predict(X)
    assert report["tree"]["fidelity"] == 1.0
    assert report["logistic"]["fidelity"] == pytest.approx(
        np.mean(tree_pred == logistic_pred)
    )
    assert report["logistic"]["accuracy"] == pytest.approx(np.mean(logistic_pred == y))
    assert report["logistic"]["n_parameters"] == 15
    table = format_report(report).splitlines()
    assert table[0].split() == [
        "model",
        "accuracy",
        "fidelity",
        "parameters",
        "bytes",
        "ms/1000",
        "rows",
    ]
    assert table[2].startswith("logistic")
    with pytest.raises(ValueError, match="teacher='svm'"):
        compression_report(models, X, y, teacher="svm")


def test_report_bytes_are_those_of_what_predicts():
    # a distiller's size in the report is its student's: the fitted teacher
    # is not shipped (and n_parameters counts the student's coefficients)
    from skdistill import DistilledClassifier

    X, y = load_iris(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    distilled = DistilledClassifier(
        RandomForestClassifier(n_estimators=20, random_state=0),
        LogisticRegression(max_iter=1000),
    ).fit(X, y)
    models = {"forest": forest, "distilled": distilled}
    report = compression_report(models, X, y, teacher="forest", n_repeats=1)
    assert report["distilled"]["bytes"] == serialized_size(distilled.student_)
    assert report["distilled"]["bytes"] < report["forest"]["bytes"] / 5
    assert report["forest"]["bytes"] == serialized_size(forest)


def test_fidelity_refuses_labels_of_two_kinds():
    with pytest.raises(ValueError, match="Mix of label input types"):
        fidelity_score([0, 1, 1], ["0", "1", "1"])
    assert fidelity_score(np.array(["a", "b"], dtype=object), ["a", "a"]) == 0.5


def test_nonzero_parameters_of_quantized_models_and_column_transformers():
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skdistill import quantize

    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    # the quantized model's intercepts count, as the float model's do
    assert count_nonzero_parameters(quantize(model, n_bits=8)) == (
        count_nonzero_parameters(model)
    )
    scaler = StandardScaler().fit(X)
    inner = make_column_transformer((StandardScaler(), [0, 1, 2, 3])).fit(X)
    assert count_nonzero_parameters(inner) == count_nonzero_parameters(scaler)
    pipe = make_pipeline(
        make_column_transformer((StandardScaler(), [0, 1]), remainder="passthrough"),
        LogisticRegression(max_iter=1000),
    ).fit(X, y)
    assert count_nonzero_parameters(pipe) == count_nonzero_parameters(
        StandardScaler().fit(X[:, :2])
    ) + count_nonzero_parameters(pipe[-1])


def test_nonzero_parameters_skip_a_column_selection_that_matched_nothing():
    # a reusable preprocessor on an all-numeric table: its categorical part
    # is left unfitted by ColumnTransformer, which predicts without it
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X, y = load_iris(return_X_y=True, as_frame=True)
    pipe = make_pipeline(
        make_column_transformer(
            (StandardScaler(), make_column_selector(dtype_include="number")),
            (OneHotEncoder(), make_column_selector(dtype_exclude="number")),
        ),
        LogisticRegression(max_iter=1000),
    ).fit(X, y)
    expected = count_nonzero_parameters(StandardScaler().fit(X)) + (
        count_nonzero_parameters(pipe[-1])
    )
    assert count_nonzero_parameters(pipe) == expected
    report = compression_report({"pipe": pipe}, X, y)
    assert report["pipe"]["n_parameters"] == expected
    assert isinstance(pd.DataFrame(report), pd.DataFrame)


def test_compression_report_accuracy_refuses_labels_it_cannot_compare():
    X, y = load_iris(return_X_y=True)
    models = {"logistic": LogisticRegression(max_iter=500).fit(X, y)}
    with pytest.raises(ValueError, match="Mix of label input types"):
        compression_report(models, X, y.astype(str))
    y_missing = y.astype(float)
    y_missing[::10] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        compression_report(models, X, y_missing)
    report = compression_report(models, X, y)
    assert report["logistic"]["accuracy"] == models["logistic"].score(X, y)


def test_fidelity_refuses_missing_labels():
    # NaN never equals NaN: counted, it would be a disagreement
    with pytest.raises(ValueError, match="y_teacher contains NaN"):
        fidelity_score([np.nan, 1.0], [np.nan, 1.0])
    with pytest.raises(ValueError, match="y_student contains NaN"):
        fidelity_score(np.array(["a", "b"], dtype=object), np.array(["a", None]))


def test_compression_report_refuses_mixed_kinds_and_lengths():
    from sklearn.linear_model import LinearRegression

    X, y = load_iris(return_X_y=True)
    classifier = LogisticRegression(max_iter=500).fit(X, y)
    regressor = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"not both; the regressors are \['ridge'\]"):
        compression_report({"logistic": classifier, "ridge": regressor}, X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        compression_report({"logistic": classifier}, X, y[:-1])


def test_count_nonzero_parameters_of_a_stack_and_a_linear_svm():
    from sklearn.ensemble import StackingClassifier
    from sklearn.svm import SVC

    X, y = load_iris(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=2, random_state=0)
    stack = StackingClassifier([("tree", tree)], cv=2).fit(X, y)
    members = (stack.estimators_[0], stack.final_estimator_)
    expected = sum(count_nonzero_parameters(m) for m in members)
    assert count_nonzero_parameters(stack) == expected
    # an SVM stores its support vectors, dual coefficients and intercepts,
    # also with a linear kernel (whose coef_ is computed from them)
    svm = SVC(kernel="linear").fit(X, y)
    stored = (
        np.count_nonzero(svm.support_vectors_)
        + np.count_nonzero(svm.dual_coef_)
        + np.count_nonzero(svm.intercept_)
    )
    assert count_nonzero_parameters(svm) == stored


def test_count_nonzero_parameters_of_wrapped_models():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    ridge = Ridge().fit(X, y)
    n_ridge = np.count_nonzero(ridge.coef_) + 1
    # the fitted model inside: a search's best model, a transformed target's
    # regressor (and its scaler's mean and scale), a calibrated model's
    # members and their sigmoids
    search = GridSearchCV(Ridge(), {"alpha": [1.0, 2.0]}, cv=2).fit(X, y)
    assert count_nonzero_parameters(search) == n_ridge
    ttr = TransformedTargetRegressor(Ridge()).fit(X, y)
    assert count_nonzero_parameters(ttr) == n_ridge
    scaled = TransformedTargetRegressor(Ridge(), transformer=StandardScaler())
    scaled.fit(X, y)
    assert count_nonzero_parameters(scaled) == n_ridge + 3  # mean_, scale_, var_
    binary = y < 2
    calibrated = CalibratedClassifierCV(LogisticRegression(), cv=3)
    calibrated.fit(X[binary], y[binary])
    per_fold = X.shape[1] + 1 + 2  # coefficients, intercept, a and b
    assert count_nonzero_parameters(calibrated) == 3 * per_fold
    try:  # scikit-learn >= 1.8: one temperature beta_ per fold
        calibrated.set_params(method="temperature").fit(X[binary], y[binary])
    except (ValueError, TypeError):
        return
    assert count_nonzero_parameters(calibrated) == 3 * (per_fold - 1)


def test_fidelity_score_refuses_continuous_values():
    with pytest.raises(ValueError, match="r2_score"):
        fidelity_score([0.5, 1.25, 2.0], [0.5, 1.0, 2.0])
    # integer-valued floats are labels
    assert fidelity_score([0.0, 1.0, 2.0], [0.0, 1.0, 1.0]) == pytest.approx(2 / 3)


def test_count_nonzero_parameters_refuses_a_search_without_refit():
    from skdistill import DistillationSearchCV

    X, y = load_iris(return_X_y=True)
    search = DistillationSearchCV(
        LogisticRegression(max_iter=500),
        {"student": [LogisticRegression(max_iter=500)], "alpha": [0.5, 1.0]},
        cv=2,
        refit=False,
    ).fit(X, y)
    with pytest.raises(ValueError, match="refit=False and holds no model"):
        count_nonzero_parameters(search)


def test_count_nonzero_parameters_does_not_count_the_labels():
    from sklearn.neighbors import KNeighborsClassifier

    X = np.random.RandomState(0).uniform(1, 2, size=(50, 4))
    counts = []
    for labels in ([0, 1], [10, 20], [0, 1, 2, 3, 4]):
        y = np.asarray(labels)[np.arange(50) % len(labels)]
        counts.append(count_nonzero_parameters(KNeighborsClassifier().fit(X, y)))
    assert counts == [200, 200, 200]  # the stored rows' non-zero values


@pytest.mark.parametrize("fmt", ["coo", "bsr", "dok", "lil"])
def test_prediction_time_takes_every_sparse_format(fmt):
    # rows of COO and BSR matrices cannot be indexed: a TypeError, or a bare
    # NotImplementedError, though the model itself predicts on them
    import scipy.sparse as sp

    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    Xs = sp.csr_matrix(X).asformat(fmt)
    model.predict(Xs)
    assert prediction_time(model, Xs, n_repeats=1) > 0


@pytest.mark.parametrize("library", ["xgboost", "lightgbm", "catboost"])
def test_count_nonzero_parameters_of_other_libraries_trees(library):
    # their trees live in the library's booster: the generic count of array
    # attributes found none, and reported 0 parameters
    pytest.importorskip(library)
    X, y = load_iris(return_X_y=True)
    if library == "xgboost":
        from xgboost import XGBClassifier

        model = XGBClassifier(n_estimators=4, max_depth=3).fit(X, y)
        nodes = model.get_booster().trees_to_dataframe()
        n_leaves = int((nodes["Feature"] == "Leaf").sum())
    elif library == "lightgbm":
        from lightgbm import LGBMClassifier

        model = LGBMClassifier(n_estimators=4, num_leaves=5, verbose=-1).fit(X, y)
        nodes = model.booster_.trees_to_dataframe()
        n_leaves = int(nodes["split_feature"].isna().sum())
    else:
        from catboost import CatBoostClassifier

        model = CatBoostClassifier(
            iterations=4, depth=2, verbose=0, allow_writing_files=False
        ).fit(X, y)
        # 4 symmetric trees of 2 levels (a split per level), 4 leaves of 3
        # classes' values
        nodes, n_leaves = None, 4 * 4 * 3
        assert count_nonzero_parameters(model) == 2 * 4 * 2 + n_leaves
        return
    n_splits = len(nodes) - n_leaves
    assert n_splits > 0
    assert count_nonzero_parameters(model) == 2 * n_splits + n_leaves


def test_count_nonzero_parameters_of_frozen_and_sparse_fitted_models():
    from scipy import sparse
    from sklearn.frozen import FrozenEstimator
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier

    X, y = load_iris(return_X_y=True)
    for model in (KNeighborsClassifier().fit(X, y), GaussianNB().fit(X, y)):
        expected = count_nonzero_parameters(model)
        assert expected > 0
        assert count_nonzero_parameters(FrozenEstimator(model)) == expected
    # a nearest-neighbours model stores its rows: as many, stored sparse
    X[X < 1.0] = 0.0
    dense = KNeighborsClassifier().fit(X, y)
    stored = KNeighborsClassifier().fit(sparse.csr_matrix(X), y)
    assert count_nonzero_parameters(stored) == count_nonzero_parameters(dense)
    assert count_nonzero_parameters(dense) == np.count_nonzero(X)


def test_report_bytes_of_a_calibrated_distiller_are_its_students():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    from skdistill import DistilledClassifier
    from skdistill.io import prediction_model

    X, y = load_iris(return_X_y=True)
    distilled = DistilledClassifier(
        RandomForestClassifier(n_estimators=20, random_state=0),
        LogisticRegression(max_iter=1000),
    ).fit(X, y)
    calibrated = CalibratedClassifierCV(FrozenEstimator(distilled)).fit(X, y)
    student = CalibratedClassifierCV(FrozenEstimator(distilled.student_)).fit(X, y)
    small = prediction_model(calibrated)
    np.testing.assert_array_equal(small.predict_proba(X), calibrated.predict_proba(X))
    assert serialized_size(small) == serialized_size(student)
    report = compression_report(
        {"calibrated": calibrated, "student": student}, X, y, n_repeats=1
    )
    assert report["calibrated"]["bytes"] == report["student"]["bytes"]
    # the clones it fits (cv=3) are reduced too
    clones = CalibratedClassifierCV(clone(distilled), cv=3).fit(X, y)
    small = prediction_model(clones)
    members = small.calibrated_classifiers_
    assert not any(hasattr(member.estimator, "teacher_") for member in members)
    np.testing.assert_array_equal(small.predict_proba(X), clones.predict_proba(X))


def test_compression_report_of_regressors_with_several_outputs():
    from sklearn.datasets import make_regression
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score

    from skdistill import DistilledRegressor

    X, Y = make_regression(200, 5, n_targets=2, random_state=0)
    model = DistilledRegressor(
        RandomForestRegressor(n_estimators=10, random_state=0), Ridge()
    ).fit(X, Y)
    models = {"teacher": model.teacher_, "student": model}
    report = compression_report(models, X, Y, teacher="teacher", n_repeats=1)
    assert report["student"]["r2"] == pytest.approx(r2_score(Y, model.predict(X)))
    assert report["student"]["fidelity"] == pytest.approx(
        r2_score(model.teacher_.predict(X), model.predict(X))
    )
    with pytest.raises(ValueError, match="1d array"):
        compression_report({"tree": DecisionTreeClassifier().fit(X, Y[:, 0] > 0)},
                           X, np.column_stack([Y[:, 0] > 0] * 2))


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("scale", [1e308, 5e-324])
def test_weights_at_the_ends_of_the_float_range_weigh_as_their_ratios(scale):
    # weights whose total overflows (equal 1e308s: 0 and NaN were returned) or
    # that are subnormal (their ratios lost) give the averages of their ratios
    p = np.array([[1.0, 0.0], [0.5, 0.5], [0.2, 0.8]])
    q = np.array([[0.0, 1.0], [0.5, 0.5], [0.3, 0.7]])
    ratios = np.array([1.0, 1.0, 0.0]) if scale > 1 else np.array([1.0, 0.0, 0.0])
    weights = ratios * scale
    with np.errstate(all="ignore"):
        row_kl = np.sum(rel_entr(p, np.clip(q, 1e-12, None)), axis=1)
        row_ce = -np.sum(p * np.log(np.clip(q, 1e-12, None)), axis=1)
    agree = np.array([0, 1, 1]) == np.array([1, 1, 1])
    assert fidelity_score([0, 1, 1], [1, 1, 1], sample_weight=weights) == (
        pytest.approx(np.average(agree, weights=ratios))
    )
    assert kl_divergence(p, q, sample_weight=weights) == pytest.approx(
        np.average(row_kl, weights=ratios), rel=1e-6
    )
    assert soft_cross_entropy(p, q, sample_weight=weights) == pytest.approx(
        np.average(row_ce, weights=ratios), rel=1e-6
    )


def test_count_nonzero_parameters_of_boosting_counts_its_initial_model():
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
    )

    X, y = load_iris(return_X_y=True)
    for model in (
        GradientBoostingClassifier(n_estimators=3, random_state=0).fit(X, y),
        GradientBoostingRegressor(n_estimators=3, random_state=0).fit(X, X[:, 0]),
    ):
        trees = sum(_tree_parameters(t) for t in np.ravel(model.estimators_))
        # the priors of the three classes, the regressor's mean: non-zero
        initial = 3 if hasattr(model, "classes_") else 1
        assert count_nonzero_parameters(model) == trees + initial
    zero = GradientBoostingRegressor(n_estimators=3, init="zero").fit(X, X[:, 0])
    assert count_nonzero_parameters(zero) == sum(
        _tree_parameters(t) for t in np.ravel(zero.estimators_)
    )


def test_count_nonzero_parameters_of_a_neighbours_regressor_counts_its_targets():
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    X, y = load_iris(return_X_y=True)
    target = np.where(np.arange(len(y)) % 3 == 0, 0.0, X[:, 0])
    rows = np.count_nonzero(X)
    assert count_nonzero_parameters(KNeighborsRegressor().fit(X, target)) == (
        rows + np.count_nonzero(target)
    )
    # a classifier's are codes of its labels, which are not counted
    assert count_nonzero_parameters(KNeighborsClassifier().fit(X, y)) == rows
