"""Tests of the display objects (rendered with the Agg backend)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsOneClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from skdistill import DistilledClassifier
from skdistill._plotting import AgreementDisplay, SparsityCurveDisplay

pytest.importorskip("matplotlib").use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_agreement_from_predictions_points_and_legend():
    p_teacher = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    p_student = np.array([[0.8, 0.2], [0.3, 0.7], [0.4, 0.6], [0.35, 0.65]])
    display = AgreementDisplay.from_predictions(p_teacher, p_student, name="student")

    np.testing.assert_allclose(display.teacher_confidence, [0.9, 0.8, 0.6, 0.7])
    np.testing.assert_allclose(display.student_proba, [0.8, 0.7, 0.4, 0.65])
    assert display.fidelity == pytest.approx(0.75)
    assert display.scatter_.get_offsets().shape == (4, 2)
    np.testing.assert_allclose(display.disagree_scatter_.get_offsets(), [[0.6, 0.4]])
    np.testing.assert_allclose(display.line_.get_xdata(), [0, 1])
    texts = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert texts == [
        "student = teacher",
        "student (fidelity = 0.750)",
        "different class (1 rows)",
    ]
    assert display.ax_.get_xlabel() == "Teacher's probability of its predicted class"
    assert display.ax_.get_ylabel() == "Student's probability of the teacher's class"
    assert display.figure_ is display.ax_.figure


def test_agreement_full_agreement_has_no_disagreement_artist():
    p = np.array([[0.9, 0.1], [0.2, 0.8]])
    _, ax = plt.subplots()
    display = AgreementDisplay.from_predictions(p, p, ax=ax, ref_line=False)
    assert display.ax_ is ax
    assert display.disagree_scatter_ is None
    assert display.line_ is None
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["fidelity = 1.000"]


def test_agreement_from_predictions_validates():
    with pytest.raises(ValueError, match="same shape"):
        AgreementDisplay.from_predictions([[0.5, 0.5]], [[0.2, 0.3, 0.5]])
    with pytest.raises(ValueError, match="sum to 1"):
        AgreementDisplay.from_predictions([[0.5, 0.6]], [[0.5, 0.5]])


def test_agreement_from_estimator_uses_fitted_teacher(iris):
    X, y = iris
    clf = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(max_iter=1000),
        alpha=0.9,
        T=2.0,
    ).fit(X, y)
    display = AgreementDisplay.from_estimator(clf, X)

    p_teacher = clf.teacher_.predict_proba(X)
    teacher_class = p_teacher.argmax(axis=1)
    rows = np.arange(len(y))
    np.testing.assert_allclose(
        display.teacher_confidence, p_teacher[rows, teacher_class]
    )
    np.testing.assert_allclose(
        display.student_proba, clf.predict_proba(X)[rows, teacher_class]
    )
    expected = np.mean(clf.predict(X) == clf.teacher_.predict(X))
    assert display.fidelity == pytest.approx(expected)
    assert display.scatter_.get_offsets().shape == (len(y), 2)
    legend = display.ax_.get_legend().get_texts()[1].get_text()
    assert legend == f"DistilledClassifier (fidelity = {expected:.3f})"


def test_agreement_from_estimator_binary_decision_function_teacher():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)[::4]
    y = y[::4]
    teacher = SVC().fit(X, y)
    student = LogisticRegression(max_iter=1000).fit(X, y)
    display = AgreementDisplay.from_estimator(student, X, teacher=teacher, name="lr")
    # softmax of [0, s] is sigmoid(s) for the positive class
    s = teacher.decision_function(X)
    confidence = np.where(s > 0, 1 / (1 + np.exp(-s)), 1 / (1 + np.exp(s)))
    np.testing.assert_allclose(display.teacher_confidence, confidence)
    agreement = np.mean(teacher.predict(X) == student.predict(X))
    assert display.fidelity == pytest.approx(agreement)


def test_agreement_of_a_pipeline_ending_in_a_distiller(iris):
    # the getting-started model: its teacher saw X scaled, as it is asked here
    from sklearn.pipeline import make_pipeline

    X, y = iris
    X = X * 10 + 5  # so that a teacher asked about raw X would answer otherwise
    model = make_pipeline(
        StandardScaler(),
        DistilledClassifier(SVC(), LogisticRegression(max_iter=1000)),
    ).fit(X, y)
    display = AgreementDisplay.from_estimator(model, X)
    teacher = model[-1].teacher_
    expected = np.mean(teacher.predict(model[:-1].transform(X)) == model.predict(X))
    assert display.fidelity == pytest.approx(expected)
    assert display.fidelity > 0.9
    plt.close("all")


def test_agreement_refuses_one_vs_one_teacher_scores(iris):
    # three classes, three pairs: read by shape they would pass as per-class
    X, y = iris
    teacher = SVC(decision_function_shape="ovo").fit(X, y)
    student = LogisticRegression(max_iter=1000).fit(X, y)
    with pytest.raises(ValueError, match="one-vs-one"):
        AgreementDisplay.from_estimator(student, X, teacher=teacher)


def test_agreement_centres_binary_one_vs_one_scores():
    # two classes: OneVsOneClassifier's score s is a vote share, the logits
    # [1 - s, s], as for the distillation targets
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    teacher = OneVsOneClassifier(LinearSVC(random_state=0)).fit(X, y)
    student = LogisticRegression().fit(X, y)
    display = AgreementDisplay.from_estimator(student, X, teacher=teacher)
    p_second = 1.0 / (1.0 + np.exp(1.0 - 2.0 * teacher.decision_function(X)))
    np.testing.assert_allclose(
        display.teacher_confidence, np.maximum(p_second, 1.0 - p_second)
    )


@pytest.mark.parametrize("order", [[1, 0, 2], [2, 0, 1]])
def test_agreement_with_a_student_whose_classes_are_not_sorted(iris, order):
    from skdistill import SoftLogisticRegression

    X, y = iris
    teacher = LogisticRegression(max_iter=1000).fit(X, y)
    student = SoftLogisticRegression(classes=order, max_iter=1000).fit(X, y)
    display = AgreementDisplay.from_estimator(student, X, teacher=teacher)
    agreement = np.mean(teacher.predict(X) == student.predict(X))
    assert display.fidelity == pytest.approx(agreement)
    proba = teacher.predict_proba(X)
    np.testing.assert_allclose(display.teacher_confidence, proba.max(axis=1))


def test_agreement_from_estimator_needs_a_teacher(iris):
    X, y = iris
    student = LogisticRegression(max_iter=1000).fit(X, y)
    with pytest.raises(ValueError, match="teacher"):
        AgreementDisplay.from_estimator(student, X)


def test_sparsity_curve_plot():
    display = SparsityCurveDisplay(
        [0.0, 0.5, 0.9], [0.97, 0.95, 0.80], score_name="balanced accuracy", name="lr"
    ).plot()
    np.testing.assert_allclose(display.line_.get_xdata(), [0.0, 0.5, 0.9])
    np.testing.assert_allclose(display.line_.get_ydata(), [0.97, 0.95, 0.80])
    assert display.ax_.get_xlabel() == "Sparsity (fraction of zero coefficients)"
    assert display.ax_.get_ylabel() == "balanced accuracy"
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == ["lr"]


class _MagnitudePruner(ClassifierMixin, BaseEstimator):
    """A minimal stand-in with SparsifyTransformer's interface (no refit)."""

    def __init__(self, estimator, *, sparsity=None):
        self.estimator = estimator
        self.sparsity = sparsity

    def fit(self, X, y):
        self.estimator_ = clone(self.estimator).fit(X, y)
        coef = self.estimator_.coef_
        n_zero = int(np.floor(self.sparsity * coef.size))
        order = np.argsort(np.abs(coef), axis=None)
        coef.flat[order[:n_zero]] = 0.0
        self.sparsity_ = np.mean(coef == 0)
        return self


def test_sparsity_curve_from_estimator_with_sparsifier_interface(iris):
    X, y = iris
    sparsities = [0.0, 0.5, 0.75]
    display = SparsityCurveDisplay.from_estimator(
        _MagnitudePruner(LogisticRegression(max_iter=1000)),
        X[::2],
        y[::2],
        X[1::2],
        y[1::2],
        sparsities=sparsities,
        name="logistic",
    )
    expected_scores = []
    for sparsity in sparsities:
        pruned = (
            _MagnitudePruner(LogisticRegression(max_iter=1000), sparsity=sparsity)
            .fit(X[::2], y[::2])
            .estimator_
        )
        expected_scores.append(np.mean(pruned.predict(X[1::2]) == y[1::2]))
    np.testing.assert_allclose(display.sparsity, sparsities)
    np.testing.assert_allclose(display.scores, expected_scores)
    np.testing.assert_array_equal(display.n_nonzero, [15, 9, 6])
    assert len(display.line_.get_xdata()) == 3
    assert display.ax_.get_ylabel() == "accuracy"


def test_sparsity_curve_from_estimator_scoring_and_validation(iris):
    X, y = iris
    display = SparsityCurveDisplay.from_estimator(
        _MagnitudePruner(LogisticRegression(max_iter=1000)),
        X,
        y,
        X,
        y,
        sparsities=[0.0, 0.5],
        scoring="balanced_accuracy",
    )
    assert display.ax_.get_ylabel() == "balanced_accuracy"
    assert display.ax_.get_legend() is None
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        SparsityCurveDisplay.from_estimator(
            _MagnitudePruner(LogisticRegression()), X, y, X, y, sparsities=[1.0]
        )


def test_sparsity_curve_with_sparsify_transformer(iris):
    from skdistill import SparsifyTransformer

    X, y = iris
    distilled = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(max_iter=1000),
        alpha=0.5,
        T=2.0,
    )
    display = SparsityCurveDisplay.from_estimator(
        distilled, X[::2], y[::2], X[1::2], y[1::2], sparsities=[0.0, 0.5, 0.9]
    )
    assert len(display.line_.get_xdata()) == 3
    np.testing.assert_allclose(display.sparsity, [0.0, 0.5, 0.9], atol=0.1)
    assert display.n_nonzero[0] > display.n_nonzero[-1]
    # an explicit SparsifyTransformer is cloned with each sparsity
    display = SparsityCurveDisplay.from_estimator(
        SparsifyTransformer(distilled, sparsity=0.1, refit=False),
        X[::2],
        y[::2],
        X[1::2],
        y[1::2],
        sparsities=[0.2, 0.6],
    )
    assert display.sparsity[1] > display.sparsity[0]


class CountingForest(RandomForestClassifier):
    """A forest that counts its fits (in this process)."""

    n_fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).n_fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


def test_sparsity_curve_fits_the_teacher_once(iris):
    from skdistill import SparsifyTransformer

    X, y = iris
    distilled = DistilledClassifier(
        CountingForest(n_estimators=5, random_state=0),
        LogisticRegression(max_iter=1000),
        T=2.0,
    )
    sparsities = [0.0, 0.3, 0.6, 0.9]
    CountingForest.n_fits = 0
    display = SparsityCurveDisplay.from_estimator(
        distilled, X[::2], y[::2], X[1::2], y[1::2], sparsities=sparsities
    )
    assert CountingForest.n_fits == 1
    assert distilled.memory is None  # the estimator given is not changed
    # the same curve as pruning each model on its own
    for sparsity, score in zip(sparsities, display.scores):
        alone = SparsifyTransformer(distilled, sparsity=sparsity).fit(X[::2], y[::2])
        assert alone.estimator_.score(X[1::2], y[1::2]) == pytest.approx(score)
    assert CountingForest.n_fits == 1 + len(sparsities)


def test_agreement_from_estimator_refuses_a_regressor():
    from sklearn.datasets import make_regression
    from sklearn.linear_model import Ridge

    from skdistill import DistilledRegressor

    X, y = make_regression(60, 4, random_state=0)
    model = DistilledRegressor(Ridge(), Ridge()).fit(X, y)
    with pytest.raises(TypeError, match="must be a classifier with predict_proba"):
        AgreementDisplay.from_estimator(model, X)


@pytest.mark.parametrize(
    "results, frontier, match",
    [
        ({}, [True, False, True], "candidate indices"),
        ({}, [0.7], "candidate indices"),
        ({}, [-1], "outside 0..2"),
        ({}, [5], "outside 0..2"),
        ({"params": [{}, {}]}, None, "'params'] has 2 entries for 3"),
        ({"student_latency_ms": [1.0]}, None, "'student_latency_ms'] has 1"),
    ],
)
def test_frontier_display_refuses_bad_results(results, frontier, match):
    from skdistill import FrontierDisplay

    cv_results = {
        "mean_test_score": [0.9, 0.8, 0.95],
        "student_bytes": [100, 50, 400],
        **results,
    }
    with pytest.raises(ValueError, match=match):
        FrontierDisplay.from_results(cv_results, frontier=frontier)


class _LowThresholdTeacher(LogisticRegression):
    """Predicts the second class from a probability of 0.3: its predict
    differs from the argmax of its probabilities (as SVC's Platt scaling)."""

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.3).astype(int)]


def test_agreement_from_estimator_compares_the_predicted_classes():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from skdistill.metrics import fidelity_score

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    teacher = _LowThresholdTeacher(C=0.01).fit(X, y)
    assert np.any(teacher.predict(X) != teacher.predict_proba(X).argmax(axis=1))
    student = LogisticRegression(C=0.001).fit(X, y)
    display = AgreementDisplay.from_estimator(student, X, teacher=teacher)
    agree = teacher.predict(X) == student.predict(X)
    np.testing.assert_array_equal(display.agree, agree)
    assert display.fidelity == fidelity_score(teacher.predict(X), student.predict(X))
    # the confidence is the teacher's probability of the class it predicts
    rows = np.arange(len(y))
    predicted = teacher.predict(X)
    np.testing.assert_allclose(
        display.teacher_confidence, teacher.predict_proba(X)[rows, predicted]
    )
    plt.close("all")


@pytest.mark.parametrize("make", ["regressor", "unfitted"])
def test_agreement_refuses_a_teacher_that_is_no_fitted_classifier(make):
    pytest.importorskip("matplotlib")
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import Ridge

    X, y = load_iris(return_X_y=True)
    student = LogisticRegression(max_iter=1000).fit(X, y)
    if make == "regressor":
        teacher, error = Ridge().fit(X, y), TypeError
    else:
        teacher, error = RandomForestClassifier(n_estimators=5), NotFittedError
    with pytest.raises(error):
        AgreementDisplay.from_estimator(student, X, teacher=teacher)


def test_frontier_keeps_a_candidate_without_a_size_off_the_front():
    # the search's student_bytes of -1: a candidate that failed on every split
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from skdistill import FrontierDisplay

    cv_results = {"mean_test_score": [0.75, 0.0, 0.7], "student_bytes": [1500, -1, 900]}
    display = FrontierDisplay.from_results(cv_results)
    assert display.frontier.tolist() == [0, 2]
    plt.close("all")


def test_frontier_from_results_leaves_off_a_candidate_failed_on_a_split():
    # with a number as error_score, a candidate failed on some split has a
    # mean score (0.5 here) but a NaN fidelity: off the front, as the search
    # keeps it (it was drawn on the frontier)
    from skdistill import FrontierDisplay

    cv_results = {
        "mean_test_score": [0.9, 0.95, 0.5],
        "student_bytes": [2000, 2500, 600],
        "mean_test_fidelity": [0.97, 0.98, np.nan],
    }
    assert FrontierDisplay.from_results(cv_results).frontier.tolist() == [0, 1]
    # the search's count of failed splits decides where it is given: a NaN
    # fidelity of a candidate that did not fail (a regressor's R² on one-row
    # test splits) keeps it
    failed = {**cv_results, "n_failed_splits": [0, 0, 1]}
    assert FrontierDisplay.from_results(failed).frontier.tolist() == [0, 1]
    kept = {**cv_results, "n_failed_splits": [0, 0, 0]}
    assert FrontierDisplay.from_results(kept).frontier.tolist() == [0, 1, 2]
    del cv_results["mean_test_fidelity"]
    assert FrontierDisplay.from_results(cv_results).frontier.tolist() == [0, 1, 2]


def test_frontier_labels_of_results_read_back_from_a_file():
    # JSON holds a student as its text, CSV a candidate as its text: labels
    # of them ("str alpha=0.5" was drawn; CSV failed with a bare TypeError)
    from skdistill import FrontierDisplay

    scores, sizes = [0.9, 0.95], [2000, 2500]
    json_params = [
        {"student": "LogisticRegression(C=0.1)", "alpha": 0.5},
        {"student": "DecisionTreeClassifier()", "alpha": 0.9},
    ]
    display = FrontierDisplay.from_results(
        {"mean_test_score": scores, "student_bytes": sizes, "params": json_params}
    )
    assert display.labels == [
        "LogisticRegression alpha=0.5", "DecisionTreeClassifier alpha=0.9"
    ]
    csv_params = [str(p) for p in json_params]
    display = FrontierDisplay.from_results(
        {"mean_test_score": scores, "student_bytes": sizes, "params": csv_params}
    )
    assert display.labels == csv_params


def test_agreement_weighs_the_fidelity_by_sample_weight(iris):
    X, y = iris
    model = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(C=0.01, max_iter=1000),
    ).fit(X, y)
    weight = np.where(np.arange(len(y)) % 3 == 0, 5.0, 1.0)
    agree = model.teacher_.predict(X) == model.predict(X)
    assert not agree.all()
    expected = np.average(agree, weights=weight)
    display = AgreementDisplay.from_estimator(model, X, sample_weight=weight)
    assert display.fidelity == pytest.approx(expected)
    legend = " ".join(t.get_text() for t in display.ax_.get_legend().get_texts())
    assert f"fidelity = {expected:.3f}" in legend
    p_teacher, p_student = model.teacher_.predict_proba(X), model.predict_proba(X)
    by_argmax = np.argmax(p_teacher, axis=1) == np.argmax(p_student, axis=1)
    display = AgreementDisplay.from_predictions(
        p_teacher, p_student, sample_weight=weight
    )
    assert display.fidelity == pytest.approx(np.average(by_argmax, weights=weight))
    with pytest.raises(ValueError):
        AgreementDisplay.from_predictions(
            p_teacher, p_student, sample_weight=weight[1:]
        )


def test_agreement_refuses_a_search_without_refit_as_no_classifier(iris):
    # it has no teacher_ and cannot predict: the advice to pass teacher= was
    # a dead end
    from sklearn.tree import DecisionTreeClassifier

    from skdistill import DistillationSearchCV

    X, y = iris
    search = DistillationSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"student": [LogisticRegression(max_iter=1000)], "alpha": [0.5]},
        cv=2,
        refit=False,
    ).fit(X, y)
    with pytest.raises(TypeError, match="must be a classifier with predict_proba"):
        AgreementDisplay.from_estimator(search, X)


@pytest.mark.parametrize("setting", [{"threshold": "mean"}, {"max_features": 2}])
def test_sparsity_curve_of_a_sparsifier_set_by_threshold_or_count(iris, setting):
    # the curve's sparsities replace them (the display's own sparsity=0.0
    # met the user's setting: "Give only one of sparsity, threshold...")
    from skdistill import SparsifyTransformer

    X, y = iris
    sparsifier = SparsifyTransformer(LogisticRegression(max_iter=1000), **setting)
    display = SparsityCurveDisplay.from_estimator(
        sparsifier, X[::2], y[::2], X[1::2], y[1::2], sparsities=[0.0, 0.5]
    )
    assert display.sparsity.tolist() == [0.0, 0.5]
    assert sparsifier.get_params()[next(iter(setting))] == setting[next(iter(setting))]


def test_frontier_display_takes_a_name_and_kwargs_of_its_parts():
    from skdistill import FrontierDisplay

    cv_results = {"mean_test_score": [0.9, 0.95], "student_bytes": [2000, 2500]}
    _, ax = plt.subplots()
    display = FrontierDisplay.from_results(
        cv_results,
        teacher_score=0.97,
        ax=ax,
        name="search A",
        candidate_kwargs={"color": "k", "s": 5},
        teacher_kwargs={"linestyle": ":"},
        linewidth=3,
    )
    assert display.frontier_line_.get_label() == "search A"
    assert display.frontier_line_.get_linewidth() == 3
    assert display.points_.get_sizes().tolist() == [5]
    assert display.teacher_line_.get_linestyle() == ":"
    assert display.ax_ is ax
    # colours by value, without the default colour's clash
    shown = FrontierDisplay.from_results(
        cv_results, candidate_kwargs={"c": [1.0, 2.0], "cmap": "viridis"}
    )
    assert shown.points_.get_array().tolist() == [1.0, 2.0]
