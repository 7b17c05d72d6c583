"""Behaviour of DistilledClassifier."""

import warnings
import pickle
import re

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.cluster import KMeans
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning, UnsetMetadataPassedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import (
    LogisticRegression,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
)
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.fixes import parse_version
from sklearn.utils.validation import has_fit_parameter

from skdistill import DistilledClassifier


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """A classifier that stores what its fit received; predicts the majority."""

    def fit(self, X, y, sample_weight=None):
        self.X_ = X
        self.y_ = np.asarray(y)
        self.sample_weight_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[0])


class RecordingTeacher(ClassifierMixin, BaseEstimator):
    """A teacher with fixed probabilities and classes in a given order."""

    def __init__(self, proba=None, classes=None):
        self.proba = proba
        self.classes = classes

    def fit(self, X, y, sample_weight=None):
        self.sample_weight_ = sample_weight
        self.classes_ = np.asarray(self.classes)
        return self

    def predict_proba(self, X):
        return np.asarray(self.proba)[: X.shape[0]]


class NoResponseClassifier(ClassifierMixin, BaseEstimator):
    """A classifier with only predict."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[0])


def _tempered(p, T):
    """softmax(log(p) / T), written independently of skdistill."""
    q = np.power(p, 1.0 / T)
    return q / q.sum(axis=1, keepdims=True)


def _targets_from_repetition(student, n_samples, classes):
    """Rebuild the (n_samples, n_classes) target matrix from repeated rows."""
    rows = np.asarray(student.X_[:, 0], dtype=int)
    cols = np.searchsorted(classes, student.y_)
    Y = np.zeros((n_samples, len(classes)))
    np.add.at(Y, (rows, cols), student.sample_weight_)
    return Y


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X, y


@pytest.fixture
def index_X():
    # The first column holds the row index, so repeated rows can be traced.
    rng = np.random.RandomState(0)
    X = np.column_stack([np.arange(6), rng.normal(size=6)])
    return X


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("T", [0.5, 1.0, 4.0])
def test_targets_blend_tempered_teacher_and_labels(index_X, alpha, T):
    proba = np.array(
        [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]] * 2, dtype=float
    )
    y = np.array(["a", "b", "c", "a", "b", "b"])
    clf = DistilledClassifier(
        RecordingTeacher(proba, ["a", "b", "c"]),
        RecordingClassifier(),
        alpha=alpha,
        T=T,
    )
    if alpha == 0:
        # plain supervised training: the student sees X and y unchanged
        clf.fit(index_X, y)
        assert_array_equal(clf.student_.y_, y)
        assert clf.student_.sample_weight_ is None
        return
    clf.fit(index_X, y)
    expected = alpha * _tempered(proba, T)
    expected[np.arange(6), np.searchsorted(["a", "b", "c"], y)] += 1 - alpha
    Y = _targets_from_repetition(clf.student_, 6, clf.classes_)
    assert_allclose(Y, expected, rtol=1e-10)
    assert_array_equal(clf.classes_, ["a", "b", "c"])


def test_teacher_columns_aligned_by_label_not_position(index_X):
    # The teacher lists its classes in another order and knows an extra class.
    proba = np.array([[0.6, 0.3, 0.1]] * 6)
    teacher = FrozenEstimator(
        RecordingTeacher(proba, ["c", "a", "d"]).fit(index_X, None)
    )
    y = np.array(["a", "b", "a", "b", "a", "b"])
    clf = DistilledClassifier(teacher, RecordingClassifier(), alpha=1.0).fit(
        index_X, y
    )
    assert_array_equal(clf.classes_, ["a", "b", "c", "d"])
    Y = _targets_from_repetition(clf.student_, 6, clf.classes_)
    # a: 0.3, b (unknown to the teacher): 0, c: 0.6, d: 0.1
    assert_allclose(Y, np.tile([0.3, 0.0, 0.6, 0.1], (6, 1)))


def test_unknown_class_gets_zero_probability_at_any_temperature(index_X):
    proba = np.array([[0.9, 0.1]] * 6)
    teacher = FrozenEstimator(RecordingTeacher(proba, [0, 2]).fit(index_X, None))
    y = np.array([0, 1, 2, 0, 1, 2])
    clf = DistilledClassifier(teacher, RecordingClassifier(), alpha=1.0, T=10.0)
    clf.fit(index_X, y)
    Y = _targets_from_repetition(clf.student_, 6, clf.classes_)
    assert_array_equal(Y[:, 1], 0.0)
    assert_allclose(Y[:, [0, 2]], _tempered(proba, 10.0))


@pytest.mark.parametrize("teacher", [SVC(), LinearSVC(), RidgeClassifier()])
def test_binary_decision_function_teacher_gives_sigmoid(teacher):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    y = np.where(y == 1, "pos", "neg")
    X_indexed = np.column_stack([np.arange(60), X])
    fitted = clone(teacher).fit(X_indexed, y)
    clf = DistilledClassifier(
        FrozenEstimator(fitted), RecordingClassifier(), alpha=1.0, T=3.0
    ).fit(X_indexed, y)
    s = fitted.decision_function(X_indexed)
    positive = 1.0 / (1.0 + np.exp(-s / 3.0))
    Y = _targets_from_repetition(clf.student_, 60, clf.classes_)
    assert_array_equal(clf.classes_, ["neg", "pos"])
    assert_allclose(Y[:, 1], positive, rtol=1e-10)
    assert_allclose(Y[:, 0], 1 - positive, rtol=1e-10)


@pytest.mark.parametrize("teacher", [SVC(), LinearSVC(), RidgeClassifier()])
def test_multiclass_decision_function_teacher_scores_are_logits(data, teacher):
    X, y = data
    X_indexed = np.column_stack([np.arange(len(X)), X])
    fitted = clone(teacher).fit(X_indexed, y)
    clf = DistilledClassifier(
        FrozenEstimator(fitted), RecordingClassifier(), alpha=1.0, T=2.0
    ).fit(X_indexed, y)
    scores = fitted.decision_function(X_indexed) / 2.0
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    Y = _targets_from_repetition(clf.student_, len(X), clf.classes_)
    mask = expected > 1e-8
    assert_allclose(Y[mask], expected[mask], rtol=1e-10)


def test_teacher_response_can_be_forced(data):
    X, y = data
    teacher = LogisticRegression(max_iter=1000).fit(X, y)
    X_indexed = np.column_stack([np.arange(len(X)), X])
    teacher_indexed = LogisticRegression(max_iter=1000).fit(X_indexed, y)
    clf = DistilledClassifier(
        FrozenEstimator(teacher_indexed),
        RecordingClassifier(),
        alpha=1.0,
        teacher_response="decision_function",
    ).fit(X_indexed, y)
    scores = teacher_indexed.decision_function(X_indexed)
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    Y = _targets_from_repetition(clf.student_, len(X), clf.classes_)
    assert_allclose(Y[expected > 1e-8], expected[expected > 1e-8], rtol=1e-8)
    assert teacher is not None


def test_logistic_student_is_a_real_logistic_regression(data):
    X, y = data
    clf = DistilledClassifier(
        RandomForestClassifier(n_estimators=20, random_state=0),
        LogisticRegression(C=0.5),
        alpha=0.7,
        T=2.0,
    ).fit(X, y)
    student = clf.student_
    assert type(student) is LogisticRegression
    assert student.coef_.shape == (3, X.shape[1])
    assert student.intercept_.shape == (3,)
    assert_array_equal(student.classes_, [0, 1, 2])
    assert student.n_iter_.shape == (1,)
    assert_allclose(clf.predict_proba(X), student.predict_proba(X))
    assert_array_equal(clf.predict(X), student.predict(X))
    assert_allclose(clf.decision_function(X), student.decision_function(X))


def test_a_linear_regressor_student_of_a_tree_teacher_classifies():
    # a tree's exact zeros became targets of log(1e-12) = -27.6, against
    # about -4 for small non-zero ones: a Ridge student of a depth-3 tree
    # fell below scikit-learn's accuracy check (0.75 < 0.83) on its blobs
    from sklearn.utils.estimator_checks import check_classifiers_train

    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    distiller = DistilledClassifier(teacher, Ridge())
    check_classifiers_train("DistilledClassifier", distiller)


def test_regressor_student_fits_centred_log_targets(data):
    X, y = data
    teacher = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    clf = DistilledClassifier(
        FrozenEstimator(teacher), DecisionTreeRegressor(random_state=0), alpha=0.5, T=2.0
    ).fit(X, y)
    # A fully grown tree reproduces its training targets.
    Z = clf.student_.predict(X)
    p = teacher.predict_proba(X)
    Y = 0.5 * _tempered(np.maximum(p, np.finfo(float).tiny), 2.0)
    Y[np.arange(len(y)), y] += 0.5
    expected = np.log(np.maximum(Y, 1e-3))  # the documented floor
    expected -= expected.mean(axis=1, keepdims=True)
    assert_allclose(Z, expected, atol=1e-8)
    proba = clf.predict_proba(X)
    softmax = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    assert_allclose(proba, softmax)
    assert_allclose(clf.predict_log_proba(X), np.log(softmax), atol=1e-10)
    assert_array_equal(clf.predict(X), np.argmax(Z, axis=1))


@pytest.mark.parametrize(
    "student, match",
    [
        (KMeans(n_clusters=2), "KMeans.*neither a classifier nor a regressor"),
        (KNeighborsClassifier(), "KNeighborsClassifier.*does not accept sample_weight"),
    ],
)
def test_unsupported_student_raises_type_error_naming_it(data, student, match):
    X, y = data
    clf = DistilledClassifier(LogisticRegression(), student)
    with pytest.raises(TypeError, match=match):
        clf.fit(X, y)


def test_frozen_teacher_is_never_refitted(data):
    X, y = data
    teacher = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    before = teacher.predict_proba(X)
    frozen = FrozenEstimator(teacher)
    clf = DistilledClassifier(frozen, LogisticRegression()).fit(X[:40], y[:40])
    assert clf.teacher_ is frozen
    assert clf.teacher_.estimator is teacher
    assert_array_equal(teacher.predict_proba(X), before)


@pytest.mark.parametrize(
    "student",
    [
        LogisticRegression(C=0.3),
        DecisionTreeClassifier(random_state=0),
        LinearSVC(),
    ],
)
def test_alpha_zero_is_plain_supervised_training(data, student):
    X, y = data
    sw = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    clf = DistilledClassifier(SVC(), student, alpha=0.0).fit(X, y, sample_weight=sw)
    plain = clone(student).fit(X, y, sample_weight=sw)
    assert_array_equal(clf.predict(X), plain.predict(X))
    if hasattr(plain, "coef_"):
        assert_array_equal(clf.student_.coef_, plain.coef_)
        assert_array_equal(clf.student_.intercept_, plain.intercept_)


def test_sample_weight_reaches_teacher_and_student(index_X):
    proba = np.array([[0.7, 0.3]] * 6)
    y = np.array([0, 1, 0, 1, 0, 1])
    sw = np.arange(1.0, 7.0)
    clf = DistilledClassifier(
        RecordingTeacher(proba, [0, 1]), RecordingClassifier(), alpha=0.5
    ).fit(index_X, y, sample_weight=sw)
    assert_array_equal(clf.teacher_.sample_weight_, sw)
    Y = _targets_from_repetition(clf.student_, 6, clf.classes_)
    expected = 0.5 * proba
    expected[np.arange(6), y] += 0.5
    assert_allclose(Y, expected * sw[:, None])


def test_teacher_without_sample_weight_warns(data):
    X, y = data
    clf = DistilledClassifier(KNeighborsClassifier(), LogisticRegression())
    with pytest.warns(UserWarning, match="does not accept sample_weight"):
        clf.fit(X, y, sample_weight=np.ones(len(y)))


def test_sample_weight_routed_with_metadata_routing(index_X):
    proba = np.array([[0.7, 0.3]] * 6)
    y = np.array([0, 1, 0, 1, 0, 1])
    sw = np.arange(1.0, 7.0)
    with config_context(enable_metadata_routing=True):
        teacher = RecordingTeacher(proba, [0, 1]).set_fit_request(sample_weight=True)
        student = RecordingClassifier().set_fit_request(sample_weight=False)
        clf = DistilledClassifier(teacher, student, alpha=1.0)
        clf.fit(index_X, y, sample_weight=sw)
        assert_array_equal(clf.teacher_.sample_weight_, sw)
        Y = _targets_from_repetition(clf.student_, 6, clf.classes_)
        assert_allclose(Y, proba)  # the student did not get the weights

        student = RecordingClassifier().set_fit_request(sample_weight=True)
        teacher = RecordingTeacher(proba, [0, 1]).set_fit_request(sample_weight=False)
        clf = DistilledClassifier(teacher, student, alpha=1.0)
        clf.fit(index_X, y, sample_weight=sw)
        assert clf.teacher_.sample_weight_ is None
        Y = _targets_from_repetition(clf.student_, 6, clf.classes_)
        assert_allclose(Y, proba * sw[:, None])

        clf = DistilledClassifier(RecordingTeacher(proba, [0, 1]), RecordingClassifier())
        with pytest.raises(UnsetMetadataPassedError):
            clf.fit(index_X, y, sample_weight=sw)


def test_routing_without_weights_when_nobody_takes_them(data):
    # sample_weight=None is no metadata: nothing to route, whatever the
    # requests (a frozen teacher requests nothing)
    from skdistill import QuantizedLinearModel, SparsifyTransformer

    X, y = data
    with config_context(enable_metadata_routing=True):
        declining = LogisticRegression().set_fit_request(sample_weight=False)
        frozen = FrozenEstimator(LogisticRegression().fit(X, y))
        for estimator in (
            DistilledClassifier(frozen, declining),
            DistilledClassifier(frozen, declining, teacher_cv=None, alpha=0.0),
            SparsifyTransformer(declining, sparsity=0.5),
            QuantizedLinearModel(declining),
        ):
            assert_array_equal(
                estimator.fit(X, y).predict(X), clone(estimator).fit(X, y).predict(X)
            )


@pytest.mark.parametrize("distiller", ["classifier", "regressor"])
def test_weights_routed_under_an_alias_are_checked(data, distiller):
    X, y = data
    if distiller == "classifier":
        model = DistilledClassifier(LogisticRegression(), LogisticRegression())
    else:
        from skdistill import DistilledRegressor

        model = DistilledRegressor(Ridge(), Ridge())
        y = y.astype(float)
    with config_context(enable_metadata_routing=True):
        model.student.set_fit_request(sample_weight="sw")
        with pytest.raises(ValueError, match=f"expected \\({len(y)},\\)"):
            model.fit(X, y, sw=np.ones(len(y) // 2))
        with pytest.raises(ValueError, match="(?i)negative"):
            model.fit(X, y, sw=-np.ones(len(y)))


def test_an_alias_inside_a_routing_student_is_refused_saying_why(data):
    # a Pipeline student routes what it gets under the caller's names: the
    # refusal said the distiller passes only sample_weight, which it is
    from sklearn.pipeline import make_pipeline

    X, y = data
    w = np.ones(len(y))
    with config_context(enable_metadata_routing=True):
        student = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            LogisticRegression().set_fit_request(sample_weight="student_w"),
        )
        clf = DistilledClassifier(
            LogisticRegression().set_fit_request(sample_weight=True), student
        )
        with pytest.raises(TypeError, match="request sample_weight without an alias"):
            clf.fit(X, y, sample_weight=w, student_w=w)
        bare = LogisticRegression().set_fit_request(sample_weight="student_w")
        clf.set_params(student=bare).fit(X, y, sample_weight=w, student_w=w)


@pytest.mark.parametrize("distiller", ["classifier", "regressor"])
def test_pipeline_last_step_declining_weights_is_fitted_without_them(data, distiller):
    # with routing, the leading steps that request sample_weight get it and a
    # last step that declines it does not, as Pipeline.fit does
    from sklearn.pipeline import make_pipeline

    from skdistill import DistilledRegressor

    X, y = data
    X = X * np.arange(1, 7) + 3
    sw = np.random.RandomState(0).uniform(0.1, 3.0, size=len(y))
    if distiller == "classifier":
        teacher, last, model = LogisticRegression(), LogisticRegression(), (
            DistilledClassifier
        )
    else:
        teacher, last, model = Ridge(), Ridge(), DistilledRegressor
        y = y.astype(float)
    with config_context(enable_metadata_routing=True):
        student = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=True),
            clone(last).set_fit_request(sample_weight=False),
        )
        fitted = model(
            clone(teacher).set_fit_request(sample_weight=True), student, alpha=0.5
        ).fit(X, y, sample_weight=sw)
    weighted_scaler = StandardScaler().fit(X, sample_weight=sw)
    assert_allclose(fitted.student_[0].mean_, weighted_scaler.mean_)
    # the last step on the same targets and scaled rows, unweighted
    expected = model(
        FrozenEstimator(fitted.teacher_),
        make_pipeline(FrozenEstimator(weighted_scaler), clone(last)),
        alpha=0.5,
    ).fit(X, y)
    assert_allclose(
        fitted.student_[-1].coef_, expected.student_[-1].coef_, rtol=1e-6, atol=1e-9
    )
    if distiller == "classifier":
        # pruning nothing, the pruning's refit gives the same last step
        from skdistill import SparsifyTransformer

        with config_context(enable_metadata_routing=True):
            sel = SparsifyTransformer(
                clone(fitted), threshold=0.0, method="magnitude"
            ).set_fit_request(sample_weight=True)
            sel.fit(X, y, sample_weight=sw)
        assert_allclose(
            sel.estimator_.student_[-1].coef_, fitted.student_[-1].coef_, atol=1e-6
        )


@pytest.mark.parametrize("kind", ["distilled", "sparsify", "quantized", "regressor"])
def test_score_takes_the_weights_it_requests(data, kind):
    # the routers listed no score request: scikit-learn 1.9's scorers
    # dropped requested test weights, and Pipeline.score refused its own
    # sample_weight=None
    from sklearn.model_selection import cross_validate
    from sklearn.pipeline import make_pipeline

    from skdistill import DistilledRegressor, QuantizedLinearModel, SparsifyTransformer

    X, y = data
    w = np.where(y == 1, 5.0, 0.2)

    def unweighted(model):  # fitted without the weights, scored with them
        return model.set_fit_request(sample_weight=False)

    if kind == "regressor":
        y = X[:, 0] + 0.5 * np.random.RandomState(0).normal(size=len(y))
        make = lambda: DistilledRegressor(  # noqa: E731
            unweighted(Ridge()), unweighted(Ridge())
        )
    else:
        make = {
            "distilled": lambda: DistilledClassifier(
                unweighted(LogisticRegression()), unweighted(LogisticRegression())
            ),
            "sparsify": lambda: SparsifyTransformer(
                unweighted(LogisticRegression()), sparsity=0.5
            ),
            "quantized": lambda: QuantizedLinearModel(
                unweighted(LogisticRegression())
            ),
        }[kind]
    cv = [(np.arange(0, len(y), 2), np.arange(1, len(y), 2))]
    train, test = cv[0]
    with config_context(enable_metadata_routing=True):
        model = make().set_score_request(sample_weight=True)
        scores = cross_validate(model, X, y, cv=cv, params={"sample_weight": w})
        fitted = make().fit(X[train], y[train])
        expected = fitted.score(X[test], y[test], sample_weight=w[test])
        assert scores["test_score"][0] == pytest.approx(expected)
        assert expected != pytest.approx(fitted.score(X[test], y[test]))
        with pytest.raises(UnsetMetadataPassedError):
            cross_validate(make(), X, y, cv=cv, params={"sample_weight": w})
        pipe = make_pipeline(StandardScaler(), make()).fit(X, y)
        expected = pipe[-1].score(pipe[0].transform(X), y)
        assert pipe.score(X, y) == pytest.approx(expected)


@pytest.mark.parametrize("wrapper", ["quantized", "sparsify"])
def test_a_last_step_wrapping_a_declining_model_gets_no_weights(data, wrapper):
    # the last step of a Pipeline student is a meta-estimator whose estimator
    # declines the weights: Pipeline.fit gives it none, the distiller did
    from sklearn.pipeline import make_pipeline

    from skdistill import QuantizedLinearModel, SparsifyTransformer

    X, y = data
    sw = np.random.RandomState(0).uniform(0.1, 3.0, size=len(y))

    def last():
        inner = LogisticRegression().set_fit_request(sample_weight=False)
        if wrapper == "quantized":
            return QuantizedLinearModel(inner)
        return SparsifyTransformer(inner, sparsity=0.5, method="magnitude", refit=False)

    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    with config_context(enable_metadata_routing=True):
        student = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=True), last()
        )
        weighted = DistilledClassifier(teacher, student, alpha=0.5, augment=None)
        weighted.fit(X, y, sample_weight=sw)
        unit = clone(weighted).fit(X, y, sample_weight=np.ones(len(y)))
    # the leading step got the weights; the last one only the targets'
    weighted_scaler = StandardScaler().fit(X, sample_weight=sw)
    assert_allclose(weighted.student_[0].mean_, weighted_scaler.mean_)
    with config_context(enable_metadata_routing=True):
        expected = DistilledClassifier(
            teacher, make_pipeline(FrozenEstimator(weighted_scaler), last()),
            alpha=0.5, augment=None,
        ).fit(X, y)
    assert_allclose(
        weighted.predict_proba(X), expected.predict_proba(X), rtol=1e-6, atol=1e-9
    )
    assert not np.allclose(unit.predict_proba(X), weighted.predict_proba(X))


@pytest.mark.parametrize("distiller", ["classifier", "regressor"])
def test_partial_fit_routes_the_weights_as_the_student_requests(data, distiller):
    from sklearn.linear_model import SGDRegressor

    from skdistill import DistilledRegressor

    X, y = data
    w = np.where(y == 1, 10.0, 0.1)
    if distiller == "classifier":
        teacher = FrozenEstimator(LogisticRegression().fit(X, y))
        make = lambda student: DistilledClassifier(  # noqa: E731
            teacher, student, alpha=0.0
        )
        student = GaussianNB

        def state(model):
            return model.student_.class_count_
    else:
        y = X[:, 0] + y
        teacher = FrozenEstimator(Ridge().fit(X, y))
        make = lambda student: DistilledRegressor(  # noqa: E731
            teacher, student, alpha=0.0
        )

        def student():
            return SGDRegressor(random_state=0, max_iter=5)

        def state(model):
            return model.student_.coef_

    with config_context(enable_metadata_routing=True):
        requested = make(student().set_partial_fit_request(sample_weight=True))
        requested.partial_fit(X, y, sample_weight=w)
        declining = make(student().set_partial_fit_request(sample_weight=False))
        with pytest.raises(TypeError, match="not routed to any object"):
            declining.partial_fit(X, y, sample_weight=w)
        with pytest.raises(UnsetMetadataPassedError):
            make(student()).partial_fit(X, y, sample_weight=w)
        unweighted = make(student()).partial_fit(X, y)
    plain = make(student()).partial_fit(X, y, sample_weight=w)
    assert_allclose(state(requested), state(plain))
    assert not np.allclose(state(unweighted), state(plain))


def test_regressor_routes_no_weights_of_its_own():
    # the weight alpha of generated rows is the method's, not metadata: with
    # routing on and no sample_weight, students that request nothing are
    # fitted as with routing off
    from sklearn.datasets import make_friedman1

    from skdistill import DistilledRegressor, SparsifyTransformer

    X, y = make_friedman1(n_samples=60, random_state=0)
    teacher = DecisionTreeRegressor(random_state=0)
    for student in (
        Pipeline([("scale", StandardScaler()), ("ridge", Ridge())]),
        SparsifyTransformer(Ridge(), sparsity=0.5),
    ):
        reg = DistilledRegressor(teacher, student, augment="munge", random_state=0)
        expected = clone(reg).fit(X, y).predict(X)
        with config_context(enable_metadata_routing=True):
            assert_allclose(reg.fit(X, y).predict(X), expected)


@pytest.mark.parametrize("alpha", [0.0, 1e-9, 0.5])
def test_pipeline_student_steps_get_the_weights_they_request(data, alpha):
    X, y = data
    X = X + np.arange(len(y))[:, None] / len(y)  # weighted and plain means differ
    sw = np.linspace(0.1, 3.0, len(y))

    def student(scaler_request):
        scaler = StandardScaler().set_fit_request(sample_weight=scaler_request)
        return Pipeline([
            ("scale", scaler),
            ("lr", LogisticRegression().set_fit_request(sample_weight=True)),
        ])

    weighted = StandardScaler().fit(X, sample_weight=sw)
    with config_context(enable_metadata_routing=True):
        teacher = LogisticRegression().set_fit_request(sample_weight=True)
        clf = DistilledClassifier(teacher, student(True), alpha=alpha)
        clf.fit(X, y, sample_weight=sw)
        assert_allclose(clf.student_[0].mean_, weighted.mean_)
        clf = DistilledClassifier(teacher, student(False), alpha=alpha)
        clf.fit(X, y, sample_weight=sw)
        assert_allclose(clf.student_[0].mean_, X.mean(axis=0))
    # without routing, the leading steps are fitted unweighted
    plain = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression())])
    clf = DistilledClassifier(LogisticRegression(), plain, alpha=alpha)
    clf.fit(X, y, sample_weight=sw)
    assert_allclose(clf.student_[0].mean_, X.mean(axis=0))


def test_fit_params_without_routing_raise(data):
    X, y = data
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression())
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        clf.fit(X, y, foo=1)


def test_fitted_attributes_and_feature_names(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0), LogisticRegression()
    ).fit(df, y)
    assert clf.n_features_in_ == X.shape[1]
    assert_array_equal(clf.feature_names_in_, df.columns)
    # the teacher and the student both received the DataFrame
    assert_array_equal(clf.teacher_.feature_names_in_, df.columns)
    assert_array_equal(clf.student_.feature_names_in_, df.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "fitted without feature names"
        assert_allclose(clf.predict_proba(df), clf.student_.predict_proba(df))


def test_methods_follow_the_student(data):
    X, y = data
    clf = DistilledClassifier(LogisticRegression(), SVC(), alpha=0.0)
    assert not hasattr(clf, "predict_proba")
    assert hasattr(clf, "decision_function")
    clf = DistilledClassifier(LogisticRegression(), DecisionTreeClassifier())
    assert hasattr(clf, "predict_proba")
    assert not hasattr(clf, "decision_function")
    clf.fit(X, y)
    assert not hasattr(clf, "decision_function")
    clf = DistilledClassifier(LogisticRegression(), Ridge())
    assert hasattr(clf, "predict_proba") and hasattr(clf, "decision_function")


def test_no_decision_function_from_a_student_of_fewer_classes(data):
    # a frozen teacher knows a class y lacks: at alpha=0 the student never
    # sees it; its probability is 0, but no score can stand for it
    X, y = data
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    rows = y != 2
    clf = DistilledClassifier(teacher, LogisticRegression(), alpha=0.0)
    clf.fit(X[rows], y[rows])
    assert len(clf.student_.classes_) < len(clf.classes_)
    assert not hasattr(clf, "decision_function")
    assert clf.predict_proba(X).shape == (len(y), len(clf.classes_))
    clf.fit(X, y)  # every class: available again
    assert clf.decision_function(X).shape == (len(y), len(clf.classes_))


@pytest.mark.parametrize(
    "student",
    [
        HistGradientBoostingClassifier(max_iter=5),
        DecisionTreeClassifier(max_depth=2),
    ],
    ids=["HistGradientBoosting", "tree"],
)
def test_student_of_one_class_predicts_it_with_probability_one(student):
    # a frozen teacher certain of one class on every row the student sees: a
    # student fitted on one class may still return two columns (scikit-learn's
    # boosting and networks do); the class it knows has probability 1
    rng = np.random.RandomState(0)
    X_lab = np.r_[rng.randn(50, 2) - 10, rng.randn(50, 2) + 10]
    teacher = FrozenEstimator(GaussianNB().fit(X_lab, np.repeat([0, 1], 50)))
    X = rng.randn(60, 2) - 10
    clf = DistilledClassifier(
        teacher, student, alpha=1.0, unlabeled=-1, augment=None
    ).fit(X, np.full(60, -1))
    assert_array_equal(clf.student_.classes_, [0])
    assert_array_equal(clf.predict(X), 0)
    assert_array_equal(clf.predict_proba(X), np.tile([1.0, 0.0], (60, 1)))
    if hasattr(student, "predict_log_proba"):  # not the boosting
        assert_array_equal(clf.predict_log_proba(X)[:, 0], 0.0)


def test_string_labels_and_score(data):
    X, y = data
    labels = np.array(["cat", "dog", "emu"])[y]
    clf = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0), LogisticRegression()
    ).fit(X, labels)
    assert_array_equal(clf.classes_, ["cat", "dog", "emu"])
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, labels) == pytest.approx(np.mean(clf.predict(X) == labels))


def test_sparse_input_matches_dense(data):
    X, y = data
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    kwargs = dict(alpha=0.6, T=2.0)
    # sparse X is fitted by Newton-CG, dense X by L-BFGS: the same optimum,
    # compared at a tolerance tighter than the difference of their stops
    student = LogisticRegression(tol=1e-10, max_iter=1000)
    dense = DistilledClassifier(LogisticRegression(), student, **kwargs)
    sparse = clone(dense)
    dense.fit(X, y)
    sparse.fit(sp.csr_matrix(X), y)
    assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-5
    )


def test_pipeline_and_grid_search(data):
    X, y = data
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "distill",
                DistilledClassifier(
                    RandomForestClassifier(n_estimators=10, random_state=0),
                    LogisticRegression(),
                ),
            ),
        ]
    )
    grid = GridSearchCV(
        pipe,
        {
            "distill__alpha": [0.0, 0.5, 1.0],
            "distill__T": [1.0, 3.0],
            "distill__student__C": [0.1, 1.0],
        },
        cv=3,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 12
    best = grid.best_estimator_[-1]
    assert best.alpha == grid.best_params_["distill__alpha"]
    assert best.student_.C == grid.best_params_["distill__student__C"]
    assert grid.score(X, y) > 0.5  # three balanced classes: chance is 1/3


def test_get_params_clone_and_persistence(data, tmp_path):
    X, y = data
    clf = DistilledClassifier(SVC(C=2.0), LogisticRegression(C=0.3), alpha=0.4)
    params = clf.get_params(deep=True)
    assert params["teacher__C"] == 2.0 and params["student__C"] == 0.3
    clf.set_params(student__C=0.7)
    assert clf.student.C == 0.7
    assert "DistilledClassifier" in clf._repr_html_()
    clf.fit(X, y)
    assert clone(clf).get_params()["alpha"] == 0.4
    restored = pickle.loads(pickle.dumps(clf))
    assert_array_equal(restored.predict(X), clf.predict(X))
    joblib.dump(clf, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    assert_allclose(restored.predict_proba(X), clf.predict_proba(X))


def test_fit_does_not_change_parameters(data):
    X, y = data
    teacher, student = SVC(), LogisticRegression()
    clf = DistilledClassifier(teacher, student).fit(X, y)
    assert clf.teacher is teacher and clf.student is student
    assert not hasattr(teacher, "classes_") and not hasattr(student, "coef_")


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_X_raises(data, value):
    X, y = data
    X = X.copy()
    X[3, 2] = value
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression())
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        clf.fit(X, y)


def test_single_class_raises(data):
    X, _ = data
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression())
    with pytest.raises(ValueError, match="at least 2 classes.*only one class: 1"):
        clf.fit(X, np.ones(len(X)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": -0.1}, "'alpha' parameter .* range \\[0.0, 1.0\\]"),
        ({"alpha": 1.5}, "'alpha' parameter .* range \\[0.0, 1.0\\]"),
        ({"T": 0.0}, "'T' parameter .* range \\(0.0, inf\\)"),
        ({"T": -2.0}, "'T' parameter .* range \\(0.0, inf\\)"),
        ({"teacher_response": "predict"}, "'teacher_response' parameter"),
    ],
)
def test_invalid_parameters_raise(data, params, match):
    X, y = data
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression(), **params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


@pytest.mark.parametrize("alpha", [0.0, 0.5])
@pytest.mark.parametrize(
    "params",
    [
        {"C": -1.0},
        {"C": 0.0},
        {"C": np.nan},
        {"max_iter": -1},
        {"tol": -1.0},
        {"solver": "bogus"},
        {"penalty": "none"},
        {"fit_intercept": "yes"},
        {"dual": True},
        {"penalty": "elasticnet", "l1_ratio": 0.0},
    ],
)
def test_student_parameters_refused_as_its_own_fit_refuses_them(data, params, alpha):
    # the soft-target path (alpha > 0) refuses what LogisticRegression.fit
    # refuses (alpha = 0), naming the student
    X, y = data
    student = LogisticRegression(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(ValueError) as own:
            clone(student).fit(X, y)
        clf = DistilledClassifier(DecisionTreeClassifier(max_depth=3), student)
        with pytest.raises(ValueError, match="student LogisticRegression") as exc:
            clf.set_params(alpha=alpha).fit(X, y)
    assert type(exc.value) is type(own.value)


@pytest.mark.skipif(
    LogisticRegression().get_params()["penalty"] != "deprecated",
    reason="'penalty' is deprecated from scikit-learn 1.8",
)
@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_student_deprecated_penalty_warns_at_any_alpha(data, alpha):
    X, y = data
    clf = DistilledClassifier(
        DecisionTreeClassifier(max_depth=3), LogisticRegression(penalty="l2")
    )
    with pytest.warns(FutureWarning, match="'penalty'"):
        clf.set_params(alpha=alpha).fit(X, y)


def test_student_refusing_the_labels_gets_a_hint(data):
    xgb = pytest.importorskip("xgboost")
    X, y = data
    student = xgb.XGBClassifier(n_estimators=2, max_depth=2)
    clf = DistilledClassifier(LogisticRegression(), student, alpha=0.5)
    for alpha in (0.0, 0.5):  # plain fit too
        with pytest.raises(ValueError, match="student XGBClassifier") as exc:
            clf.set_params(alpha=alpha).fit(X, y + 1)
        assert any("LabelEncoder" in note for note in exc.value.__notes__)
    # an error about the student's own parameters gets no such hint
    bad = DistilledClassifier(LogisticRegression(), DecisionTreeClassifier(max_depth=0))
    with pytest.raises(ValueError, match="max_depth") as exc:
        bad.fit(X, y + 1)
    assert not getattr(exc.value, "__notes__", [])
    clf.fit(X, y)  # its own labels 0..K-1
    assert_array_equal(clf.classes_, [0, 1, 2])
    # nor does its error about X (a text column it cannot read)
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder

    # (a value that reads like a label: quoted, it is not read)
    X_text = np.column_stack([X[:, :3], np.array(["a", "class y"])[y % 2]])
    X_text = X_text.astype(object)
    teacher = make_pipeline(
        make_column_transformer((OneHotEncoder(), [3]), remainder="passthrough"),
        LogisticRegression(max_iter=1000),
    )
    clf = DistilledClassifier(teacher, DecisionTreeClassifier(max_depth=2))
    with pytest.raises(ValueError, match="could not convert string") as exc:
        clf.fit(X_text, np.array(["x", "y", "z"])[y])
    assert not [n for n in getattr(exc.value, "__notes__", []) if "0..K-1" in n]


@pytest.mark.parametrize("alpha", [0.0, 0.6])
def test_soft_logistic_regression_student_is_fitted_exactly(data, alpha):
    # as a LogisticRegression student: by the soft-target solver, no row
    # repeated; pruning it refits it the same way
    from skdistill import SparsifyTransformer
    from skdistill._students import student_path
    from skdistill.linear_model import SoftLogisticRegression

    X, y = data
    labels = np.array(["a", "b", "c"])[y]
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    soft = SoftLogisticRegression(C=0.5, tol=1e-8, max_iter=1000)
    assert student_path(soft) == "soft_logistic"
    fitted = DistilledClassifier(teacher, soft, alpha=alpha).fit(
        X, labels, sample_weight=sw
    )
    reference = DistilledClassifier(
        teacher, LogisticRegression(C=0.5, tol=1e-8, max_iter=1000), alpha=alpha
    ).fit(X, labels, sample_weight=sw)
    assert_array_equal(fitted.student_.classes_, reference.student_.classes_)
    assert fitted.student_.classes is None  # its parameter, as given
    assert_allclose(fitted.student_.coef_, reference.student_.coef_, atol=1e-6)
    pruned = [
        SparsifyTransformer(model, sparsity=0.5, method="magnitude").fit(
            X, labels, sample_weight=sw
        ).estimator_.student_.coef_
        for model in (clone(fitted), clone(reference))
    ]
    assert_allclose(pruned[0], pruned[1], atol=1e-6)


def test_teacher_without_response_raises(data):
    X, y = data
    clf = DistilledClassifier(NoResponseClassifier(), LogisticRegression())
    with pytest.raises(
        TypeError,
        match="NoResponseClassifier.*neither predict_proba nor decision_function",
    ):
        clf.fit(X, y)


def test_missing_requested_response_raises(data):
    X, y = data
    clf = DistilledClassifier(
        SVC(), LogisticRegression(), teacher_response="predict_proba"
    )
    with pytest.raises(ValueError, match="teacher_response='predict_proba'.*SVC"):
        clf.fit(X, y)


def test_wrong_number_of_features_at_predict(data):
    X, y = data
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression()).fit(X, y)
    msg = re.escape(
        f"X has {X.shape[1] - 1} features, but DistilledClassifier is expecting "
        f"{X.shape[1]} features as input"
    )
    with pytest.raises(ValueError, match=msg):
        clf.predict(X[:, 1:])


def test_y_of_wrong_shape_raises(data):
    X, y = data
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression())
    with pytest.raises(ValueError, match="y should be a 1d array"):
        clf.fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="X has 120 samples but y has 100"):
        clf.fit(X, y[:100])


def test_continuous_y_raises(data):
    X, _ = data
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression())
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X, np.linspace(0, 1, len(X)))


def test_regressor_teacher_raises(data):
    X, y = data
    clf = DistilledClassifier(Ridge(), LogisticRegression())
    with pytest.raises(TypeError, match="neither predict_proba nor decision_function"):
        clf.fit(X, y)


def test_logistic_student_solves_the_soft_target_problem_exactly(data):
    # The exact solver gives the coefficients of the row-repetition workaround.
    X, y = data
    teacher = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    student = LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000)
    clf = DistilledClassifier(FrozenEstimator(teacher), student, alpha=0.6, T=3.0)
    clf.fit(X, y)
    p = _tempered(np.maximum(teacher.predict_proba(X), np.finfo(float).tiny), 3.0)
    Y = 0.6 * p
    Y[np.arange(len(y)), y] += 0.4
    rows, cols = np.nonzero(Y > 0)
    repeated = clone(student).fit(X[rows], cols, sample_weight=Y[rows, cols])
    assert_allclose(clf.student_.coef_, repeated.coef_, rtol=1e-4, atol=1e-8)
    assert_allclose(clf.student_.intercept_, repeated.intercept_, rtol=1e-4, atol=1e-8)


def test_elastic_net_logistic_student_takes_the_repetition_path(data):
    from skdistill._students import student_path

    X, y = data
    # from scikit-learn 1.8, l1_ratio selects the penalty (penalty is
    # deprecated); before, l1_ratio applies only with penalty="elasticnet" and
    # alone leaves the default L2 penalty (the exact soft-target path)
    sklearn_version = parse_version(parse_version(sklearn.__version__).base_version)
    l1_params = dict(l1_ratio=1.0, solver="saga", C=0.5, max_iter=2000)
    if sklearn_version >= parse_version("1.8"):
        l1 = LogisticRegression(**l1_params)
    else:
        l1 = LogisticRegression(penalty="elasticnet", **l1_params)
        assert student_path(LogisticRegression(**l1_params)) == "soft_logistic"
    assert student_path(l1) == "repeat"
    assert student_path(LogisticRegression()) == "soft_logistic"
    assert student_path(LogisticRegression(C=np.inf)) == "soft_logistic"
    assert student_path(LogisticRegression(solver="liblinear")) == "repeat"
    clf = DistilledClassifier(LogisticRegression(), l1, alpha=0.5).fit(X, y)
    assert type(clf.student_) is LogisticRegression
    assert np.any(clf.student_.coef_ == 0)


@pytest.mark.parametrize("kind", ["KMeans", "IsolationForest"])
def test_alpha_0_refuses_a_student_that_is_no_classifier(data, kind):
    # alpha=0 is the student fitted on y for a classifier student; a
    # clusterer's cluster ids (or a detector's +-1) are no class labels
    from sklearn.cluster import KMeans
    from sklearn.ensemble import IsolationForest

    X, y = data
    student = KMeans(n_clusters=2, n_init=1) if kind == "KMeans" else IsolationForest()
    with pytest.raises(TypeError, match="neither a classifier nor a regressor"):
        DistilledClassifier(LogisticRegression(), student, alpha=0.0).fit(X, y)


def test_alpha_0_regressor_pipeline_student_sees_labeled_rows_only(data):
    # rows without a label and generated rows weigh alpha = 0: a Pipeline
    # student's scaler was fitted on them all the same
    from sklearn.pipeline import make_pipeline

    X, y = data
    y_semi = y.copy()
    y_semi[::3] = -1
    student = make_pipeline(StandardScaler(), Ridge())
    labeled = y_semi != -1
    reference = DistilledClassifier(LogisticRegression(), student, alpha=0.0).fit(
        X[labeled], y[labeled]
    )
    for params in ({"unlabeled": -1}, {"unlabeled": -1, "augment": "munge"}):
        clf = DistilledClassifier(
            LogisticRegression(), student, alpha=0.0, **params
        ).fit(X, y_semi)
        assert clf.augment_ is None
        assert_allclose(clf.predict_proba(X), reference.predict_proba(X))


def test_catboost_student_is_fitted_on_repeated_rows():
    # its fit takes sample_weight; restoring no parameter after the fit was
    # still a set_params call, which a fitted CatBoost model refuses
    catboost = pytest.importorskip("catboost")
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    student = catboost.CatBoostClassifier(
        iterations=10, verbose=0, allow_writing_files=False, thread_count=1
    )
    clf = DistilledClassifier(LogisticRegression(), student, alpha=0.5).fit(X, y)
    assert isinstance(clf.student_, catboost.CatBoostClassifier)
    assert clf.score(X, y) > 0.8


@pytest.mark.parametrize("kind", ["LinearSVC", "SGDClassifier"])
@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 3.0, 2: 10.0}, "balanced"])
def test_one_vs_rest_students_keep_their_class_weights(kind, class_weight):
    # their class weights weigh only the class's rows in its binary problem:
    # made row weights, they fitted another model (alpha near 0 against 0)
    from sklearn.svm import LinearSVC

    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=3,
        weights=[0.6, 0.3, 0.1], random_state=0,
    )
    student = (
        LinearSVC(class_weight=class_weight, random_state=0)
        if kind == "LinearSVC"
        else SGDClassifier(class_weight=class_weight, random_state=0)
    )
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    plain = DistilledClassifier(teacher, student, alpha=0.0).fit(X, y)
    tiny = DistilledClassifier(teacher, student, alpha=1e-12).fit(X, y)
    assert_allclose(tiny.student_.coef_, plain.student_.coef_, atol=1e-5)
    assert tiny.student_.get_params()["class_weight"] == class_weight


def test_xgboost_student_told_why_a_class_is_missing():
    # the targets gave a class no weight: XGBoost, which needs every label,
    # said only "Invalid classes inferred", with labels already 0..K-1
    xgb = pytest.importorskip("xgboost")
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    teacher = FrozenEstimator(LogisticRegression().fit(X[y != 1], y[y != 1]))
    clf = DistilledClassifier(
        teacher, xgb.XGBClassifier(n_estimators=5, n_jobs=1), alpha=1.0
    )
    with pytest.raises(ValueError) as info:
        clf.fit(X, y)
    notes = " ".join(getattr(info.value, "__notes__", []))
    assert "give no weight to the classes [1]" in notes


def test_a_voting_student_is_fitted_on_the_repeated_rows():
    # scikit-learn 1.9's VotingClassifier.fit(X, y, **fit_params) takes
    # sample_weight, which its signature no longer shows
    from sklearn.ensemble import VotingClassifier

    from skdistill import _students

    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    student = VotingClassifier(
        [("nb", GaussianNB()), ("tree", DecisionTreeClassifier(max_depth=2))],
        voting="soft",
    )
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    clf = DistilledClassifier(teacher, student, alpha=0.5, augment=None).fit(X, y)
    Y = 0.5 * teacher.predict_proba(X)
    Y[np.arange(len(y)), y] += 0.5
    rows, cols, weight = _students._repeated_rows(Y, None)
    by_hand = clone(student).fit(X[rows], cols, sample_weight=weight)
    assert_allclose(clf.student_.predict_proba(X), by_hand.predict_proba(X))

# MLPClassifier.fit takes sample_weight (the row-repetition path) from
# scikit-learn 1.7
MLP_CLASSIFIER_STUDENT = has_fit_parameter(MLPClassifier(), "sample_weight")


def test_sgd_student_keeps_its_penalty_on_the_repeated_rows():
    # SGD weighs its penalty against the mean loss per row: on the rows
    # repeated 2.7 times per row (weights summing to the rows'), it was
    # penalized 2.7 times more than the same student fitted on the labels
    X, y = make_classification(
        n_samples=400, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    teacher = FrozenEstimator(LogisticRegression(C=0.1).fit(X, y))
    student = SGDClassifier(
        loss="log_loss", alpha=0.01, max_iter=1000, tol=None, random_state=0
    )
    # the teacher's weight 1e-6: the labels' fit, up to 1e-6
    clf = DistilledClassifier(teacher, clone(student), alpha=1e-6).fit(X, y)
    Y = 1e-6 * teacher.predict_proba(X)
    Y[np.arange(len(y)), y] += 1 - 1e-6
    copies = np.count_nonzero(Y > 1e-8) / len(y)
    assert copies > 2

    def distance(fitted):
        return np.linalg.norm(fitted.coef_ - clf.student_.coef_) / np.linalg.norm(
            fitted.coef_
        )

    assert distance(clone(student).fit(X, y)) < 1e-3
    assert distance(clone(student).set_params(alpha=0.01 * copies).fit(X, y)) > 0.05
    # within skdistill's wrappers, which fit it with the rows' weights
    from skdistill import QuantizedLinearModel, SparsifyTransformer

    for wrapper in (
        SparsifyTransformer(clone(student), sparsity=0.0),
        QuantizedLinearModel(clone(student), n_bits=16),
    ):
        clf = DistilledClassifier(teacher, clone(wrapper), alpha=1e-6).fit(X, y)
        alone = clone(wrapper).fit(X, y)
        gap = np.linalg.norm(clf.student_.estimator_.coef_ - alone.estimator_.coef_)
        assert gap < 1e-3 * np.linalg.norm(alone.estimator_.coef_)


@pytest.mark.skipif(
    not MLP_CLASSIFIER_STUDENT, reason="MLPClassifier.fit takes no sample_weight"
)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_network_student_keeps_its_penalty_on_the_repeated_rows(solver):
    # trained by minibatches, a network divides its penalty by each batch's
    # total weight: the repeated rows' weights are scaled to the rows' mean
    # (trained by lbfgs, by the total weight of all rows: kept as they are)
    X, y = make_classification(
        n_samples=1000, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    teacher = FrozenEstimator(LogisticRegression(C=0.1).fit(X, y))
    student = MLPClassifier(
        (10,), alpha=5.0, solver=solver, max_iter=500, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = DistilledClassifier(teacher, clone(student), alpha=1e-6).fit(X, y)
        alone = clone(student).fit(X, y)
        penalized = clone(student).set_params(alpha=5.0 * 2).fit(X, y)

    def norm(model):
        return np.sqrt(sum(np.sum(c**2) for c in model.coefs_))

    gap = norm(alone) - norm(penalized)
    assert gap > 0.2
    assert abs(norm(clf.student_) - norm(alone)) < 0.2 * gap


def test_a_student_whose_predict_appears_once_fitted_is_accepted():
    # StackingClassifier without a final_estimator hides predict until fitted
    from sklearn.ensemble import StackingClassifier

    from skdistill import _students

    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    student = StackingClassifier(
        [("tree", DecisionTreeClassifier(max_depth=2, random_state=0))], cv=3
    )
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    plain = DistilledClassifier(teacher, student, alpha=0.0).fit(X, y)
    assert_allclose(
        plain.predict_proba(X), clone(student).fit(X, y).predict_proba(X)
    )
    assert _students.student_path(student) == "repeat"
    # (on repeated rows, its cross-validation is refused: see
    # test_students_that_split_their_own_rows_are_refused_on_repeated_rows)
    # what neither classifies nor regresses is still refused, at fit
    with pytest.raises(TypeError, match="neither a classifier nor a regressor"):
        DistilledClassifier(teacher, StandardScaler()).fit(X, y)



def test_a_one_vs_rest_student_is_refused_saying_why_routing_does_not_help():
    # its fit hands sample_weight on by metadata routing only, which the
    # student's fit does not use: refused even with routing on, and said so
    from sklearn import config_context
    from sklearn.multiclass import OneVsRestClassifier

    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    with config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        clf = DistilledClassifier(LogisticRegression(), OneVsRestClassifier(inner))
        with pytest.raises(TypeError, match="the soft targets, not metadata"):
            clf.fit(X, y)
    with pytest.raises(TypeError, match="routes fit parameters"):
        DistilledClassifier(
            LogisticRegression(), OneVsRestClassifier(LogisticRegression())
        ).fit(X, y)


@pytest.mark.parametrize(
    "inner, error, match",
    [
        (KNeighborsClassifier(), TypeError, "does not hand it to the estimator"),
        (LinearSVC(), ValueError, "cross-validates its training rows"),
    ],
)
def test_a_calibrated_student_needs_an_estimator_that_takes_weights(
    inner, error, match
):
    # CalibratedClassifierCV fits a KNN without the weights (its calibrators
    # alone see them): the soft targets would never reach it; with one that
    # takes them, its cross-validation would split a row's repetitions
    from sklearn.calibration import CalibratedClassifierCV

    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    student = CalibratedClassifierCV(inner, cv=3)
    clf = DistilledClassifier(LogisticRegression(), student, alpha=0.5)
    with pytest.raises(error, match=match):
        clf.fit(X, y)


def test_a_student_with_its_own_classes_order_is_read_by_its_labels():
    # SoftLogisticRegression(classes=[1, 0]) at alpha=0 (its own fit): its
    # columns were read as if in the distiller's order, every probability
    # against its prediction; with a class the distiller does not know,
    # predict_proba raised an IndexError
    from skdistill.linear_model import SoftLogisticRegression

    X, y = make_classification(n_samples=150, n_features=4, random_state=0)
    teacher = LogisticRegression()
    for student in (
        SoftLogisticRegression(classes=[1, 0]),
        SoftLogisticRegression(classes=[2, 0, 1]),
    ):
        if len(student.classes) == 3:
            y3 = np.arange(len(y)) % 3
            clf = DistilledClassifier(teacher, student, alpha=0.0).fit(X, y3)
            reference = clone(student).fit(X, y3)
            order = [1, 2, 0]  # the distiller's sorted labels in the student's
        else:
            clf = DistilledClassifier(teacher, student, alpha=0.0).fit(X, y)
            reference = clone(student).fit(X, y)
            order = [1, 0]
        assert_array_equal(clf.classes_, np.sort(student.classes))
        assert_allclose(clf.predict_proba(X), reference.predict_proba(X)[:, order])
        assert_array_equal(
            clf.classes_[clf.predict_proba(X).argmax(axis=1)], clf.predict(X)
        )
        assert_allclose(
            clf.predict_log_proba(X), reference.predict_log_proba(X)[:, order]
        )
        scores = reference.decision_function(X)
        expected = -scores if scores.ndim == 1 else scores[:, order]
        assert_allclose(clf.decision_function(X), expected)
    unknown = DistilledClassifier(
        teacher, SoftLogisticRegression(classes=[0, 1, 2]), alpha=0.0
    )
    with pytest.raises(ValueError, match=r"fitted with the classes \[0, 1, 2\]"):
        unknown.fit(X, y)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # multi_class, deprecated
@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky"])
def test_a_binary_multinomial_student_is_the_model_it_predicts_with(solver):
    # scikit-learn < 1.8's multi_class="multinomial" with two classes fits
    # the symmetric softmax and predicts expit(2 d): the binary model fitted
    # in its place gave probabilities up to 0.14 too confident
    if "multi_class" not in LogisticRegression().get_params():
        pytest.skip("LogisticRegression has no multi_class parameter")
    rng = np.random.RandomState(0)
    X = rng.randn(200, 4)
    y = (X @ [1.0, -2.0, 0.5, 0.0] + rng.logistic(size=200) > 0).astype(int)
    student = LogisticRegression(
        multi_class="multinomial", solver=solver, tol=1e-8, max_iter=1000
    )
    one_hot = FrozenEstimator(KNeighborsClassifier(1).fit(X, y))  # on X
    clf = DistilledClassifier(one_hot, student, alpha=1.0, augment=None).fit(X, y)
    reference = clone(student).fit(X, y)
    assert_allclose(clf.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    sw = rng.uniform(0.5, 2.0, size=len(y))
    weighted = clf.fit(X, y, sample_weight=sw)
    reference = clone(student).fit(X, y, sample_weight=sw)
    assert_allclose(weighted.predict_proba(X), reference.predict_proba(X), atol=1e-6)


def _one_hot_case(n_classes, n_samples=300):
    rng = np.random.RandomState(0)
    X = rng.randn(n_samples, 4)
    logits = X @ rng.randn(4, n_classes) + rng.gumbel(size=(n_samples, n_classes))
    y = np.argmax(logits, axis=1)
    return X, y, FrozenEstimator(KNeighborsClassifier(1).fit(X, y))  # one-hot on X


@pytest.mark.filterwarnings("ignore::FutureWarning")  # multi_class, deprecated
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("class_weight", [{0: 3.0, 1: 0.5}, "balanced"])
def test_liblinear_class_weights_weigh_each_problems_own_class(n_classes, class_weight):
    # liblinear's one-vs-rest weighs only the class's own rows in its
    # problem: as row weights, the weights changed 35 of 300 predictions
    X, y, one_hot = _one_hot_case(n_classes)
    student = LogisticRegression(solver="liblinear", class_weight=class_weight)
    try:
        reference = clone(student).fit(X, y)
    except ValueError:  # scikit-learn >= 1.9: no multiclass liblinear
        pytest.skip("liblinear fits two classes only")
    clf = DistilledClassifier(one_hot, student, alpha=1.0, augment=None).fit(X, y)
    assert_allclose(clf.predict_proba(X), reference.predict_proba(X), atol=1e-8)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # multi_class, deprecated
def test_one_vs_rest_balanced_classes_are_refused_saying_why():
    if "multi_class" not in LogisticRegression().get_params():
        pytest.skip("LogisticRegression has no multi_class parameter")
    X, y, one_hot = _one_hot_case(3)
    student = LogisticRegression(multi_class="ovr", class_weight="balanced")
    clf = DistilledClassifier(one_hot, student, alpha=0.5)
    with pytest.raises(TypeError, match="per one-vs-rest problem"):
        clf.fit(X, y)
    student.set_params(class_weight={0: 2.0})  # row weights by label: exact
    reference = clone(student).fit(X, y)
    clf = DistilledClassifier(one_hot, student, alpha=1.0, augment=None).fit(X, y)
    assert_allclose(clf.predict_proba(X), reference.predict_proba(X), atol=1e-6)


def test_a_student_with_callbacks_has_them_called():
    # the exact solver calls no callback: such a student goes through row
    # repetition, whose fit calls them (scikit-learn >= 1.9)
    if not hasattr(LogisticRegression(), "set_callbacks"):
        pytest.skip("no callbacks before scikit-learn 1.9")

    class Recorder:
        def __init__(self):
            self.calls = 0

        def setup(self, estimator, context):
            self.calls += 1

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context, **kwargs):
            self.calls += 1

        def on_fit_task_end(self, estimator, context, **kwargs):
            return False

    X, y, one_hot = _one_hot_case(3)
    recorder = Recorder()
    student = LogisticRegression(tol=1e-8, max_iter=1000).set_callbacks(recorder)
    clf = DistilledClassifier(one_hot, student, alpha=1.0, augment=None).fit(X, y)
    assert recorder.calls > 0
    reference = LogisticRegression(tol=1e-8, max_iter=1000).fit(X, y)
    assert_allclose(clf.predict_proba(X), reference.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cg"])
@pytest.mark.parametrize("sparse", [False, True])
def test_float32_students_have_scikit_learns_dtype_and_no_spurious_warning(
    solver, sparse
):
    # scikit-learn < 1.9's lbfgs gives float64 coefficients for float32 X;
    # float32 CSR X at a tight tol warned of newton-cg's "precision loss"
    X, y, _ = _one_hot_case(3, n_samples=200)
    X = X.astype(np.float32)
    if sparse:
        X = sp.csr_matrix(X)
    one_hot = FrozenEstimator(KNeighborsClassifier(1).fit(X, y))
    student = LogisticRegression(solver=solver, tol=1e-6, max_iter=1000)
    reference = clone(student).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = DistilledClassifier(one_hot, student, alpha=1.0, augment=None).fit(X, y)
    assert clf.student_.coef_.dtype == reference.coef_.dtype
    assert clf.student_.intercept_.dtype == reference.intercept_.dtype
    assert_allclose(clf.predict_proba(X), reference.predict_proba(X), atol=1e-3)


def test_settings_logistic_regression_ignores_are_said_on_the_exact_path():
    from skdistill._students import student_path

    X, y, one_hot = _one_hot_case(3)
    student = LogisticRegression(C=0.01, l1_ratio=0.5)
    if "penalty" in student.get_params() and student.penalty != "deprecated":
        student.set_params(penalty="l2")  # l1_ratio then ignored
    else:
        student.set_params(C=np.inf)  # no penalty: l1_ratio ignored
    with pytest.warns(UserWarning, match="only the 'elasticnet' penalty uses"):
        DistilledClassifier(one_hot, student, alpha=0.5).fit(X, y)
    assert student_path(student) == "soft_logistic"


@pytest.mark.parametrize(
    "params",
    [
        dict(penalty="l2", l1_ratio=1.0),
        dict(penalty="l2", l1_ratio=0.0),
        dict(l1_ratio=1.0, C=np.inf),
        dict(l1_ratio=0.0),
    ],
)
def test_an_ignored_l1_ratio_warns_when_logistic_regression_fit_does(params):
    # scikit-learn < 1.8 warns of any l1_ratio without the elasticnet
    # penalty, 1.8 of one in (0, 1) and of penalty="l2" with l1_ratio != 0;
    # the exact path said so only of the first
    X, y, one_hot = _one_hot_case(3)
    student = LogisticRegression(**params)

    def l1_ratio_warnings(fit):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit()
        # (not 1.8's "penalty=None will ignore the C and l1_ratio")
        return [
            w for w in caught
            if w.category is UserWarning
            and ("elasticnet" in str(w.message) or "nconsistent" in str(w.message))
        ]

    alone = l1_ratio_warnings(lambda: clone(student).fit(X, y))
    distilled = l1_ratio_warnings(
        lambda: DistilledClassifier(one_hot, student, alpha=0.5).fit(X, y)
    )
    assert len(distilled) == len(alone)


def test_an_explicit_multi_class_warns_as_scikit_learn_does():
    # scikit-learn 1.5 to 1.7 deprecate multi_class; the exact path bypasses
    # LogisticRegression.fit, which says so
    if "multi_class" not in LogisticRegression().get_params():
        pytest.skip("this scikit-learn has no multi_class")
    X, y = make_classification(
        n_samples=120, n_informative=4, n_classes=3, random_state=0
    )
    student = LogisticRegression(multi_class="multinomial")
    with pytest.warns(FutureWarning, match="multi_class"):
        clone(student).fit(X, y)
    with pytest.warns(FutureWarning, match="'multi_class', which scikit-learn"):
        DistilledClassifier(LogisticRegression(), student, alpha=0.5).fit(X, y)


# --- a frozen teacher trained on another encoding of the labels -------------

RELABELLED = "The frozen teacher's predictions on the training rows agree"


def _relabel_warnings(record):
    return [str(w.message) for w in record if str(w.message).startswith(RELABELLED)]


def test_frozen_teacher_trained_on_swapped_labels_is_said():
    # trained elsewhere with 0 and 1 swapped: its probabilities, aligned by
    # label, gave a distilled model 6% accurate, without any message
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    teacher = FrozenEstimator(LogisticRegression().fit(X, 1 - y))
    with pytest.warns(UserWarning, match=RELABELLED) as record:
        DistilledClassifier(teacher, LogisticRegression(), alpha=0.8).fit(X, y)
    (message,) = _relabel_warnings(record)
    assert "(its 1 as y's 0, its 0 as y's 1)" in message
    # string labels of three classes, permuted
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    names = np.array(["high", "low", "mid"])
    trained_as = np.array(["mid", "high", "low"])
    teacher = FrozenEstimator(LogisticRegression().fit(X, trained_as[y]))
    clf = DistilledClassifier(teacher, LogisticRegression(), alpha=0.5)
    with pytest.warns(UserWarning, match=RELABELLED) as record:
        clf.fit(X, names[y])
    (message,) = _relabel_warnings(record)
    assert "its 'mid' as y's 'high'" in message
    # a stream says it at its first chunk of enough labelled rows (50)
    clf = DistilledClassifier(teacher, SGDClassifier(loss="log_loss"), alpha=0.5)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf.partial_fit(X[:10], names[y[:10]])  # too few rows to read
        clf.partial_fit(X[10:20])  # no labels
    assert not _relabel_warnings(record)
    with pytest.warns(UserWarning, match=RELABELLED):
        clf.partial_fit(X[20:100], names[y[20:100]])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf.partial_fit(X[100:200], names[y[100:200]])
    assert not _relabel_warnings(record)


def test_frozen_teachers_whose_labels_agree_are_not_said_relabelled():
    # imbalanced, and a class-weighted teacher below the most frequent
    # label's accuracy (0.81 against 0.87): its classes as given are still
    # its best reading
    X, y = make_classification(
        n_samples=400, n_features=6, n_informative=2, weights=[0.9], flip_y=0.05,
        random_state=0,
    )
    weak = LogisticRegression(class_weight="balanced").fit(X, y)
    majority = np.bincount(y).max() / len(y)
    assert np.mean(weak.predict(X) == y) < majority
    for teacher in (LogisticRegression().fit(X, y), weak, DummyClassifier().fit(X, y)):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            DistilledClassifier(FrozenEstimator(teacher), LogisticRegression()).fit(
                X, y
            )
        assert not _relabel_warnings(record)
    # a weak teacher of 50 classes (7% accurate on these rows): a one-to-one
    # matching of its classes found 25% agreement in noise, and was said
    X50, y50 = make_classification(
        n_samples=400, n_features=30, n_informative=20, n_classes=50,
        n_clusters_per_class=1, random_state=0,
    )
    forest = RandomForestClassifier(n_estimators=100, random_state=0)
    forest.fit(X50[:200], y50[:200])
    assert forest.score(X50[200:], y50[200:]) < 0.1
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        DistilledClassifier(
            FrozenEstimator(forest), LogisticRegression(max_iter=200), alpha=0.5
        ).fit(X50[200:], y50[200:])
    assert not _relabel_warnings(record)
    # the rows it gets wrong the only ones of any weight: three rows read
    good = LogisticRegression().fit(X, y)
    weight = (good.predict(X) != y).astype(float)
    weight[np.flatnonzero(weight)[3:]] = 0.0
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        DistilledClassifier(FrozenEstimator(good), LogisticRegression()).fit(
            X, y, sample_weight=weight
        )
    assert not _relabel_warnings(record)
    # alpha=0 does not read the teacher
    swapped = FrozenEstimator(LogisticRegression().fit(X, 1 - y))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        DistilledClassifier(swapped, LogisticRegression(), alpha=0.0).fit(X, y)
    assert not _relabel_warnings(record)


def test_text_labels_keep_their_type_against_a_teacher_of_object_classes():
    # CatBoost holds its classes as objects: numpy's union of y's text
    # labels with them gave classes_ and predictions of objects, where the
    # student alone gives y's type
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    names = np.array(["high", "low", "mid"])
    teacher = LogisticRegression().fit(X, names[y].astype(object))
    assert teacher.classes_.dtype == object
    for given in (teacher, FrozenEstimator(teacher)):
        clf = DistilledClassifier(given, LogisticRegression()).fit(X, names[y])
        assert clf.classes_.dtype == names.dtype
        assert clf.predict(X).dtype == names.dtype
        assert_array_equal(clf.classes_, names)


def test_the_teacher_can_be_dropped_after_fit():
    # a frozen teacher is teacher_ itself: dropping it takes teacher=None,
    # after which scikit-learn 1.9's check_is_fitted read the teacher's tags
    # and every prediction failed on NoneType
    from skdistill import DistilledRegressor

    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    clf = DistilledClassifier(FrozenEstimator(forest), LogisticRegression()).fit(X, y)
    expected = clf.predict_proba(X)
    del clf.teacher_
    clf.set_params(teacher=None)
    assert_allclose(clf.predict_proba(X), expected)
    assert_array_equal(clf.predict(X), clf.classes_[np.argmax(expected, axis=1)])
    assert clf.score(X, y) == np.mean(clf.predict(X) == y)
    assert clf.decision_function(X).shape == (len(y),)
    teacher = FrozenEstimator(Ridge().fit(X, y))
    reg = DistilledRegressor(teacher, Ridge(alpha=10.0)).fit(X, y)
    expected = reg.predict(X)
    del reg.teacher_
    reg.set_params(teacher=None)
    assert_allclose(reg.predict(X), expected)
