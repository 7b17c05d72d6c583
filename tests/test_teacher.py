"""Teachers: label encoding, which outputs are read as logits, cache ownership."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import make_blobs, make_classification
from sklearn.ensemble import (
    BaggingClassifier,
    RandomForestClassifier,
    StackingClassifier,
)
from sklearn.feature_selection import RFE
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    cross_val_predict,
)
from sklearn.multiclass import OneVsOneClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.svm import SVC, LinearSVC, NuSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skdistill import (
    DistillationSearchCV,
    DistilledClassifier,
    DistilledRegressor,
    SparsifyTransformer,
)
from skdistill._targets import (
    decision_is_per_class,
    logits_from_output,
    resolve_response_method,
    soften,
)
from skdistill._teacher import LabelEncodedClassifier, fit_teacher
from skdistill.metrics import fidelity_score


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=240,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        class_sep=2.0,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


def _boosting_teacher(name):
    if name == "xgboost":
        xgb = pytest.importorskip("xgboost")
        return xgb.XGBClassifier(n_estimators=10, max_depth=2, n_jobs=1)
    if name == "lightgbm":
        lgb = pytest.importorskip("lightgbm")
        return lgb.LGBMClassifier(n_estimators=10, num_leaves=4, n_jobs=1, verbose=-1)
    cb = pytest.importorskip("catboost")
    return cb.CatBoostClassifier(
        iterations=10, depth=2, thread_count=1, verbose=0, allow_writing_files=False
    )


# --- labels for teachers -----------------------------------------------------


LABELS = {
    "strings": np.array(["cat", "dog", "emu"]),
    "sparse_ints": np.array([3, 7, 11]),
}


@pytest.mark.parametrize("labels", sorted(LABELS))
@pytest.mark.parametrize("name", ["xgboost", "lightgbm", "catboost"])
@pytest.mark.parametrize("teacher_cv", [None, 3])
def test_boosted_teachers_with_any_labels(data, name, labels, teacher_cv, tmp_path):
    X, y = data
    classes = LABELS[labels]
    y_labels = classes[y]
    teacher = _boosting_teacher(name)
    clf = DistilledClassifier(
        teacher,
        LogisticRegression(max_iter=1000),
        alpha=1.0,
        teacher_cv=teacher_cv,
        memory=str(tmp_path),
    ).fit(X, y_labels)
    assert_array_equal(clf.classes_, classes)
    assert_array_equal(clf.teacher_.classes_, classes)
    teacher_labels = np.ravel(clf.teacher_.predict(X))  # CatBoost's are 2-D
    assert set(teacher_labels) <= set(classes)
    assert set(clf.predict(X)) <= set(classes)
    # the same teacher fitted by hand on the codes 0..2 gives the same outputs
    by_hand = clone(teacher).fit(X, y)
    assert_allclose(clf.teacher_.predict_proba(X), by_hand.predict_proba(X), atol=1e-6)
    assert_array_equal(teacher_labels, classes[np.ravel(by_hand.predict(X))])
    assert fidelity_score(teacher_labels, clf.predict(X)) > 0.8
    # a cache hit gives the same model
    again = clone(clf).fit(X, y_labels)
    assert_allclose(again.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("labels", ["strings", "codes"])
def test_out_of_fold_teacher_with_a_class_missing_from_a_fold(data, labels):
    # with KFold on sorted labels, the first training fold has no "dog" (1):
    # its codes are {0, 2}, which a 0..K-1-only teacher refuses unless
    # re-encoded, whether y's labels are strings or already 0..K-1
    X, y = data
    classes = LABELS["strings"] if labels == "strings" else np.arange(3)
    order = np.r_[np.flatnonzero(y == 1)[:80], np.flatnonzero(y != 1)]
    X, y_labels = X[order], classes[y[order]]  # first fold: 80 dogs
    clf = DistilledClassifier(
        ZeroToKOnly(), LogisticRegression(), alpha=1.0, teacher_cv=KFold(3)
    )
    clf.fit(X, y_labels)
    assert_array_equal(clf.classes_, classes)
    assert np.all(np.isfinite(clf.predict_proba(X)))
    # the rows of the fold without "dog" got no "dog" target from the teacher
    oof = cross_val_predict(
        LogisticRegression(), X, y[order], cv=KFold(3), method="predict_proba"
    )
    assert_array_equal(oof[:80, 1], 0.0)


@pytest.mark.parametrize("name", ["xgboost", "lightgbm", "catboost"])
def test_boolean_labels_stay_booleans_with_boosted_teachers(data, name):
    # XGBoost takes booleans but reports classes_ [0, 1]: it is fitted on the
    # codes instead, so that the distiller's classes_ are y's labels
    X, y = data
    keep = y < 2
    X, y_bool = X[keep], y[keep] == 1
    clf = DistilledClassifier(
        _boosting_teacher(name), LogisticRegression(max_iter=1000)
    ).fit(X, y_bool)
    expected = LogisticRegression().fit(X, y_bool).classes_
    assert_array_equal(clf.classes_, expected)
    assert clf.classes_.dtype == bool and clf.predict(X).dtype == bool
    assert np.asarray(clf.teacher_.classes_).dtype == bool
    assert np.mean(clf.predict(X) == y_bool) > 0.9


@pytest.mark.parametrize("alpha", [0.0, 0.5])
@pytest.mark.parametrize("name", ["xgboost", "lightgbm", "catboost"])
def test_boolean_labels_stay_booleans_with_boosted_students(data, name, alpha):
    # XGBoost fitted on booleans reports and predicts 0 and 1: the
    # distiller's predictions are its classes_, y's booleans
    X, y = data
    keep = y < 2
    X, y_bool = X[keep], y[keep] == 1
    clf = DistilledClassifier(
        LogisticRegression(), _boosting_teacher(name), alpha=alpha
    ).fit(X, y_bool)
    assert clf.classes_.dtype == bool
    predicted = clf.predict(X)
    assert predicted.dtype == bool
    assert_array_equal(predicted, clf.classes_[np.argmax(clf.predict_proba(X), axis=1)])


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_boolean_labels_stay_booleans_with_a_frozen_teacher_on_0_1(data, alpha):
    # a teacher trained elsewhere that reports [0, 1] for boolean labels: the
    # classes stay y's booleans, the teacher's columns read by value
    X, y = data
    keep = y < 2
    X, y_bool = X[keep], y[keep] == 1
    teacher = LogisticRegression().fit(X, y[keep])  # classes_ [0, 1]
    clf = DistilledClassifier(
        FrozenEstimator(teacher), LogisticRegression(), alpha=alpha
    ).fit(X, y_bool)
    assert clf.classes_.dtype == bool and clf.predict(X).dtype == bool
    if alpha:
        by_codes = DistilledClassifier(
            FrozenEstimator(teacher), LogisticRegression(), alpha=alpha
        ).fit(X, y[keep])
        assert_allclose(clf.predict_proba(X), by_codes.predict_proba(X))


def test_teacher_that_accepts_labels_is_not_wrapped(data):
    X, y = data
    y_labels = LABELS["strings"][y]
    clf = DistilledClassifier(
        RandomForestClassifier(n_estimators=5, random_state=0), LogisticRegression()
    ).fit(X, y_labels)
    assert isinstance(clf.teacher_, RandomForestClassifier)
    assert_array_equal(clf.teacher_.classes_, LABELS["strings"])


class ZeroToKOnly(ClassifierMixin, BaseEstimator):
    """A classifier that, like XGBoost's, accepts only the labels 0..K-1."""

    def fit(self, X, y):
        y = np.asarray(y)
        if y.dtype.kind not in "iu" or set(np.unique(y)) != set(range(y.max() + 1)):
            raise ValueError("Invalid classes: expected 0..K-1.")
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def test_labels_encoded_only_when_the_teacher_needs_it(data):
    X, y = data
    y_labels = LABELS["sparse_ints"][y]
    clf = DistilledClassifier(ZeroToKOnly(), LogisticRegression(), alpha=1.0)
    clf.fit(X, y_labels)
    assert isinstance(clf.teacher_, LabelEncodedClassifier)
    assert_array_equal(clf.teacher_.estimator_.classes_, [0, 1, 2])
    assert_array_equal(clf.teacher_.classes_, [3, 7, 11])
    expected = LogisticRegression().fit(X, y)
    assert_allclose(clf.teacher_.predict_proba(X), expected.predict_proba(X))
    expected_labels = LABELS["sparse_ints"][expected.predict(X)]
    assert_array_equal(clf.teacher_.predict(X), expected_labels)
    # labels already 0..K-1: fitted as given
    clf.fit(X, y)
    assert isinstance(clf.teacher_, ZeroToKOnly)


class AlwaysFails(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise ValueError(f"cannot fit labels of dtype {np.asarray(y).dtype.kind}")

    def predict_proba(self, X):
        raise NotImplementedError


def _text_and_notes(exc):
    """An exception's message with its notes (Python 3.10 has none)."""
    return "\n".join([str(exc), *getattr(exc, "__notes__", [])])


def test_teacher_refusing_codes_too_reports_the_original_error(data):
    X, y = data
    clf = DistilledClassifier(AlwaysFails(), LogisticRegression())
    with pytest.raises(ValueError, match="labels of dtype U") as info:
        clf.fit(X, LABELS["strings"][y])
    # and says what the attempt on the codes gave
    text = _text_and_notes(info.value)
    assert "encoded as 0..K-1 instead, it failed too" in text
    assert "labels of dtype i" in text


class ZeroToKWithOptions(ZeroToKOnly):
    """ZeroToKOnly whose fit takes per-row weights and XGBoost-like options."""

    calls = []

    def fit(self, X, y, sample_weight=None, eval_set=None, verbose=True):
        super().fit(X, y)
        type(self).calls.append(
            {"y": y, "sample_weight": sample_weight, "eval_set": eval_set,
             "verbose": verbose}
        )
        return self


def _options_teacher():
    ZeroToKWithOptions.calls = []
    return ZeroToKWithOptions().set_fit_request(
        sample_weight=True, eval_set=True, verbose=True
    )


@pytest.mark.parametrize("teacher_cv", [None, 3])
def test_routed_options_reach_a_teacher_fitted_on_codes(data, teacher_cv):
    from sklearn import config_context

    X, y = data
    y_labels = LABELS["strings"][y]
    weights = np.linspace(0.5, 1.5, len(y))
    eval_set = [(X[:20], y_labels[:20])]
    with config_context(enable_metadata_routing=True):
        clf = DistilledClassifier(
            _options_teacher(),
            LogisticRegression().set_fit_request(sample_weight=False),
            teacher_cv=teacher_cv,
        )
        clf.fit(X, y_labels, sample_weight=weights, eval_set=eval_set, verbose=False)
    assert isinstance(clf.teacher_, LabelEncodedClassifier)
    calls = ZeroToKWithOptions.calls
    assert len(calls) == (1 if teacher_cv is None else 4)  # full fit, folds
    for call in calls:
        # eval_set's labels are encoded like y's, the options handed on
        X_eval, y_eval = call["eval_set"][0]
        assert X_eval is eval_set[0][0]
        assert_array_equal(y_eval, y[:20])
        assert call["verbose"] is False
        assert len(call["sample_weight"]) == len(call["y"])
    assert_array_equal(calls[0]["sample_weight"], weights)
    # eval_set labels the teacher does not know are refused by name
    with config_context(enable_metadata_routing=True):
        with pytest.raises(ValueError) as info:
            clf.fit(X, y_labels, sample_weight=weights, eval_set=[(X[:2], [0, 1])])
    assert "The labels of eval_set must be among y's labels" in _text_and_notes(
        info.value
    )


def test_search_hands_eval_set_codes_to_out_of_fold_teachers(data):
    # as the distiller does (test above): the folds of a teacher fitted on
    # codes get eval_set's labels as codes
    from sklearn import config_context

    X, y = data
    y_labels = LABELS["strings"][y]
    eval_set = [(X[:20], y_labels[:20])]
    with config_context(enable_metadata_routing=True):
        grid = {
            "student": [LogisticRegression().set_fit_request(sample_weight=False)],
            "teacher_cv": [3],
            "alpha": [1.0],
        }
        search = DistillationSearchCV(_options_teacher(), grid, cv=2, refit=False)
        search.fit(X, y_labels, eval_set=eval_set, verbose=False)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    calls = ZeroToKWithOptions.calls
    assert len(calls) == 2 * (1 + 3)  # per split: the teacher, its 3 folds
    for call in calls:
        assert_array_equal(call["eval_set"][0][1], y[:20])


def test_unlabeled_rows_cut_only_per_row_teacher_options(data):
    from sklearn import config_context

    X, y = data
    y_partial = y.copy()
    y_partial[:30] = -1
    weights = np.linspace(0.5, 1.5, len(y))
    eval_set = [(X[:20], y[:20])]
    with config_context(enable_metadata_routing=True):
        clf = DistilledClassifier(
            _options_teacher(),
            LogisticRegression().set_fit_request(sample_weight=False),
            unlabeled=-1,
        )
        clf.fit(X, y_partial, sample_weight=weights, eval_set=eval_set, verbose=False)
    (call,) = ZeroToKWithOptions.calls
    assert_array_equal(call["y"], y[30:])
    assert_array_equal(call["sample_weight"], weights[30:])
    assert call["eval_set"] is eval_set
    assert call["verbose"] is False


class ForeignError(Exception):
    """Another library's own exception type (LightGBM's LightGBMError)."""


class ForeignFailure(LogisticRegression):
    def predict_proba(self, X):
        raise ForeignError("shape mismatch")


def test_other_libraries_exceptions_name_the_teacher(data):
    X, y = data
    teacher = FrozenEstimator(ForeignFailure().fit(X, y))
    with pytest.raises(ForeignError, match="shape mismatch") as info:
        DistilledClassifier(teacher, LogisticRegression()).fit(X, y)
    assert (
        "The teacher FrozenEstimator(ForeignFailure) failed in predict_proba"
        in _text_and_notes(info.value)
    )


def test_frozen_teacher_keeps_its_classes(data):
    X, y = data
    teacher = LogisticRegression().fit(X, LABELS["sparse_ints"][y])
    clf = DistilledClassifier(FrozenEstimator(teacher), LogisticRegression(), alpha=1.0)
    clf.fit(X, LABELS["sparse_ints"][y])
    assert clf.teacher_.estimator is teacher
    assert_array_equal(clf.classes_, [3, 7, 11])


# --- which outputs are per-class logits ------------------------------------


@pytest.mark.parametrize(
    "teacher",
    [
        SVC(decision_function_shape="ovo"),
        NuSVC(decision_function_shape="ovo", nu=0.3),
        make_pipeline(StandardScaler(), SVC(decision_function_shape="ovo")),
        GridSearchCV(SVC(decision_function_shape="ovo"), {"C": [0.5, 1.0]}, cv=2),
        # meta-estimators whose decision_function is their inner SVC's (or
        # its average)
        SelfTrainingClassifier(SVC(decision_function_shape="ovo")),
        RFE(
            SVC(kernel="linear", decision_function_shape="ovo"),
            n_features_to_select=3,
        ),
        # a stack's decision_function is its final estimator's
        StackingClassifier(
            [("lr", LogisticRegression())],
            final_estimator=SVC(decision_function_shape="ovo"),
            cv=2,
        ),
    ],
    ids=["SVC", "NuSVC", "Pipeline", "GridSearchCV", "SelfTraining", "RFE", "Stacking"],
)
@pytest.mark.parametrize("teacher_response", ["auto", "decision_function"])
def test_one_vs_one_scores_are_refused(data, teacher, teacher_response):
    X, y = data  # 3 classes: as many pairs as classes
    clf = DistilledClassifier(
        teacher, LogisticRegression(), teacher_response=teacher_response
    )
    with pytest.raises(ValueError, match="(?s)teacher_response.*one-vs-one"):
        clf.fit(X, y)


def test_bagged_one_vs_one_scores_are_refused(data):
    # its decision_function averages its SVCs' one-vs-one scores (its
    # predict_proba, the SVCs' votes, is what "auto" reads)
    X, y = data
    teacher = BaggingClassifier(SVC(decision_function_shape="ovo"), n_estimators=3)
    clf = DistilledClassifier(
        teacher, LogisticRegression(), teacher_response="decision_function"
    )
    with pytest.raises(ValueError, match="one-vs-one"):
        clf.fit(X, y)


def test_stack_with_per_class_final_scores_is_read(data):
    X, y = data
    for final in (None, SVC()):
        stack = StackingClassifier([("svc", SVC())], final_estimator=final, cv=2)
        assert decision_is_per_class(stack)
        assert decision_is_per_class(FrozenEstimator(clone(stack).fit(X, y)))


def test_search_that_chooses_one_vs_one_is_refused_once_fitted(data):
    # unfitted, the search's estimator gives per-class scores; the one it
    # picks does not, which only the fitted teacher shows
    X, y = data
    teacher = GridSearchCV(SVC(), {"decision_function_shape": ["ovo"]}, cv=2)
    with pytest.raises(ValueError, match="fitted teacher GridSearchCV .*one-vs-one"):
        DistilledClassifier(teacher, LogisticRegression()).fit(X, y)
    search = DistillationSearchCV(teacher, {"student": [LogisticRegression()]}, cv=2)
    with pytest.raises(ValueError, match="fitted teacher GridSearchCV .*one-vs-one"):
        search.fit(X, y)
    # also inside the meta-estimators whose scores are their inner model's
    for wrapper in (
        SelfTrainingClassifier(teacher),
        BaggingClassifier(teacher, n_estimators=2, random_state=0),
    ):
        clf = DistilledClassifier(
            wrapper, LogisticRegression(), teacher_response="decision_function"
        )
        with pytest.raises(ValueError, match="fitted teacher .*one-vs-one"):
            clf.fit(X, y)


def test_frozen_one_vs_one_teacher_is_refused(data):
    X, y = data
    frozen = FrozenEstimator(SVC(decision_function_shape="ovo").fit(X, y))
    assert not decision_is_per_class(frozen)
    with pytest.raises(ValueError, match="teacher_response"):
        DistilledClassifier(frozen, LogisticRegression()).fit(X, y)


@pytest.mark.parametrize("frozen", [False, True])
def test_binary_one_vs_one_teacher_gives_per_class_scores(frozen):
    # two classes: one pair, and SVC's binary score whatever the shape setting
    X, y = make_classification(n_samples=120, random_state=0)
    teacher = SVC(decision_function_shape="ovo")
    if frozen:
        teacher = FrozenEstimator(teacher.fit(X, y))
    clf = DistilledClassifier(teacher, LogisticRegression(), alpha=1.0).fit(X, y)
    ovr = DistilledClassifier(SVC(), LogisticRegression(), alpha=1.0).fit(X, y)
    assert_allclose(clf.predict_proba(X), ovr.predict_proba(X))


class CentredScores(ClassifierMixin, BaseEstimator):
    """A two-class teacher whose margin is ``2 s - 1``, ``s`` another's score."""

    def __init__(self, fitted):
        self.fitted = fitted

    def fit(self, X, y):
        self.classes_ = self.fitted.classes_
        return self

    def predict(self, X):
        return self.fitted.predict(X)

    def decision_function(self, X):
        return 2.0 * self.fitted.decision_function(X) - 1.0


def test_binary_one_vs_one_classifier_scores_are_centred():
    # with two classes OneVsOneClassifier returns the second class's score s
    # (a vote plus a confidence in (-1/3, 1/3)), whose complement 1 - s is the
    # first class's: the logits [1 - s, s], not [0, s] (which made uncertain
    # rows lean to the second class and the student disagree with the teacher)
    X, y = make_blobs(
        n_samples=300, centers=2, n_features=4, cluster_std=4.0, random_state=0
    )
    labels = np.array(["spam", "ham"])[y]
    ovo = OneVsOneClassifier(LinearSVC(random_state=0)).fit(X, labels)
    scores = ovo.decision_function(X)
    assert scores.ndim == 1 and np.all((scores > -0.5) & (scores < 1.5))
    reference = CentredScores(ovo).fit(X, labels)
    grid = {"alpha": [0.5, 1.0], "T": [1.0, 3.0]}
    for teacher in (FrozenEstimator(ovo), make_pipeline(clone(ovo))):
        for params in ParameterGrid(grid):
            clf = DistilledClassifier(teacher, LogisticRegression(), **params)
            clf.fit(X, labels)
            ref = DistilledClassifier(
                FrozenEstimator(reference), LogisticRegression(), **params
            ).fit(X, labels)
            assert_allclose(clf.predict_proba(X), ref.predict_proba(X), rtol=1e-6)
    distilled = DistilledClassifier(
        FrozenEstimator(ovo), LogisticRegression(), alpha=1.0
    ).fit(X, labels)
    assert fidelity_score(ovo.predict(X), distilled.predict(X)) > 0.95
    # out-of-fold outputs too (the folds' clones' scores, centred alike)
    folds = DistilledClassifier(
        clone(ovo), LogisticRegression(), alpha=1.0, teacher_cv=3
    )
    assert fidelity_score(ovo.predict(X), folds.fit(X, labels).predict(X)) > 0.95
    # the search's teachers (outputs computed once per split) agree with the
    # distillers fitted one by one
    search = DistillationSearchCV(
        FrozenEstimator(ovo), {"student": [LogisticRegression()], **grid}, cv=3
    ).fit(X, labels)
    one_by_one = GridSearchCV(
        DistilledClassifier(FrozenEstimator(ovo), LogisticRegression()), grid, cv=3
    ).fit(X, labels)
    assert_allclose(
        search.cv_results_["mean_test_score"], one_by_one.cv_results_["mean_test_score"]
    )


class ReversedClasses(ClassifierMixin, BaseEstimator):
    """A logistic regression that keeps its classes in reverse order (as
    CatBoost's ``class_names`` may), its outputs' columns following them."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        self.model_ = LogisticRegression(C=self.C).fit(X, y)
        self.classes_ = self.model_.classes_[::-1]
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)[:, ::-1]

    def decision_function(self, X):
        scores = self.model_.decision_function(X)
        return -scores if scores.ndim == 1 else scores[:, ::-1]


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("teacher_response", ["predict_proba", "decision_function"])
def test_out_of_fold_outputs_of_a_teacher_with_unsorted_classes(
    n_classes, teacher_response
):
    # cross_val_predict reads the folds' columns as sorted unless a fold
    # lacks a class: they are put in that order, not read by position
    X, y = make_classification(
        n_samples=150, n_informative=3, n_classes=n_classes, random_state=0
    )
    labels = np.array(["zeta", "alpha", "mu"])[y]
    params = dict(alpha=1.0, teacher_cv=3, teacher_response=teacher_response)
    student = LogisticRegression()
    reversed_ = DistilledClassifier(ReversedClasses(), student, **params).fit(X, labels)
    plain = DistilledClassifier(LogisticRegression(), student, **params).fit(X, labels)
    assert_allclose(reversed_.predict_proba(X), plain.predict_proba(X), rtol=1e-6)
    assert fidelity_score(plain.teacher_.predict(X), reversed_.predict(X)) > 0.8
    grid = {"student": [student], "alpha": [1.0], "teacher_cv": [3]}
    grid["teacher_response"] = [teacher_response]
    scores = [
        DistillationSearchCV(teacher, grid, cv=3).fit(X, labels).cv_results_[
            "mean_test_score"
        ]
        for teacher in (ReversedClasses(), LogisticRegression())
    ]
    assert_allclose(scores[0], scores[1])


class ProbaFails(ClassifierMixin, BaseEstimator):
    """A teacher whose fit works and whose predict_proba raises."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def predict_proba(self, X):
        raise ValueError("predict_proba is broken on this input")


@pytest.mark.parametrize("teacher_cv", [None, 3])
def test_teacher_output_failure_is_named_as_such(data, teacher_cv):
    X, y = data
    clf = DistilledClassifier(ProbaFails(), LogisticRegression(), teacher_cv=teacher_cv)
    with pytest.raises(
        ValueError, match="The teacher ProbaFails failed in predict_proba: .*broken"
    ):
        clf.fit(X, y)


def test_refit_reads_the_teacher_output_that_fit_read(data):
    # "auto" is decided on the unfitted teacher: a hinge model's scores; the
    # search then fits log-loss models, which also have predict_proba. The
    # refit of a pruning (soft_refit_set) rebuilds fit's targets, not others
    from scipy.special import softmax

    from skdistill._classifier import soft_refit_set

    X, y = data
    teacher = GridSearchCV(
        SGDClassifier(loss="hinge", random_state=0), {"loss": ["log_loss"]}, cv=2
    )
    clf = DistilledClassifier(teacher, LogisticRegression(), alpha=1.0).fit(X, y)
    assert hasattr(clf.teacher_, "predict_proba")
    expected = softmax(clf.teacher_.decision_function(X), axis=1)
    assert_allclose(soft_refit_set(clf, X, y).Y, expected, atol=1e-12)
    pruned = SparsifyTransformer(clf, sparsity=0.0).fit(X, y)
    assert_allclose(
        pruned.estimator_.predict_proba(X), clf.predict_proba(X), atol=1e-6
    )


def test_refit_says_when_out_of_fold_outputs_are_drawn_again(data):
    # without a cache, the refit of a pruning computes the out-of-fold
    # outputs again: an unseeded teacher gives others than fit's, which it
    # says; a seeded one gives fit's
    from skdistill._classifier import soft_refit_set

    X, y = data
    for seed, expect_warning in ((None, True), (0, False)):
        teacher = RandomForestClassifier(n_estimators=10, random_state=seed)
        clf = DistilledClassifier(teacher, LogisticRegression(), teacher_cv=3)
        clf.fit(X, y)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            soft_refit_set(clf, X, y)
        said = [w for w in caught if "differ from those fit used" in str(w.message)]
        assert bool(said) == expect_warning


def test_unfitted_search_that_tries_per_class_scores_is_checked_once_fitted(data):
    # the base SVC gives one-vs-one scores, the grid tries only one-vs-rest:
    # the fitted search's scores are per class, and read
    X, y = data
    teacher = GridSearchCV(
        SVC(decision_function_shape="ovo"),
        {"decision_function_shape": ["ovr"], "C": [0.5, 1.0]},
        cv=2,
    )
    assert decision_is_per_class(teacher)
    clf = DistilledClassifier(
        teacher, LogisticRegression(), alpha=1.0, teacher_response="decision_function"
    ).fit(X, y)
    assert fidelity_score(clf.teacher_.predict(X), clf.predict(X)) > 0.9
    # and one that tries one-vs-one is refused once fitted, as before
    teacher.set_params(param_grid={"decision_function_shape": ["ovo"]})
    with pytest.raises(ValueError, match="fitted teacher GridSearchCV .*one-vs-one"):
        DistilledClassifier(teacher, LogisticRegression()).fit(X, y)


@pytest.mark.filterwarnings("ignore:The `probability` parameter:FutureWarning")
def test_one_vs_one_teacher_with_probabilities_uses_them(data):
    X, y = data
    teacher = SVC(decision_function_shape="ovo", probability=True, random_state=0)
    assert resolve_response_method(teacher, "auto") == "predict_proba"
    clf = DistilledClassifier(teacher, LogisticRegression(), alpha=1.0).fit(X, y)
    assert fidelity_score(clf.teacher_.predict(X), clf.predict(X)) > 0.9


@pytest.mark.parametrize(
    "teacher",
    [
        SVC(),
        OneVsOneClassifier(LogisticRegression()),
        SVC(decision_function_shape="ovr"),
    ],
    ids=["SVC-default", "OneVsOneClassifier", "SVC-ovr"],
)
def test_per_class_decision_functions_are_read(data, teacher):
    # SVC's default and OneVsOneClassifier turn pairwise votes into per-class scores
    X, y = data
    assert decision_is_per_class(teacher)
    clf = DistilledClassifier(
        teacher, LogisticRegression(), alpha=1.0, teacher_response="decision_function"
    ).fit(X, y)
    assert fidelity_score(clf.teacher_.predict(X), clf.predict(X)) > 0.9


class MultiOutputTeacher(ClassifierMixin, BaseEstimator):
    """A frozen teacher with a list of probabilities (two outputs)."""

    def fit(self, X, y):
        self.classes_ = [np.array([0, 1]), np.array([0, 1, 2])]
        return self

    def predict(self, X):
        return np.zeros((X.shape[0], 2), dtype=int)

    def predict_proba(self, X):
        n = X.shape[0]
        return [np.full((n, 2), 0.5), np.full((n, 3), 1 / 3)]


def test_multioutput_teacher_is_refused(data):
    X, y = data
    frozen = FrozenEstimator(MultiOutputTeacher().fit(X, y))
    with pytest.raises(ValueError, match="multi-output|multilabel"):
        DistilledClassifier(frozen, LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="list of 2 arrays"):
        classes = np.array([0, 1])
        logits_from_output(frozen.predict_proba(X), classes, classes, "predict_proba")


class ListProbaTeacher(LogisticRegression):
    """A teacher whose predict_proba is a list of rows (lists of floats)."""

    def predict_proba(self, X):
        return super().predict_proba(X).tolist()


def test_teacher_output_as_a_list_of_rows_is_one_output(data):
    X, y = data
    listed = DistilledClassifier(ListProbaTeacher(), LogisticRegression()).fit(X, y)
    arrays = DistilledClassifier(LogisticRegression(), LogisticRegression()).fit(X, y)
    assert_allclose(listed.student_.coef_, arrays.student_.coef_)


def test_non_finite_teacher_output_is_refused():
    classes = np.array([0, 1])
    with pytest.raises(ValueError, match="NaN"):
        logits_from_output(np.array([[np.nan, 1.0]]), classes, classes, "predict_proba")
    with pytest.raises(ValueError, match="NaN values"):
        logits_from_output(np.array([np.nan]), classes, classes, "decision_function")
    with pytest.raises(ValueError, match="-inf scores only"):
        logits_from_output(
            np.array([[-np.inf, -np.inf]]), classes, classes, "decision_function"
        )


@pytest.mark.parametrize(
    "scores, expected",
    [
        # binary: -inf and +inf are certain negatives and positives
        ([-np.inf, np.inf, 0.0], [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]),
        ([[-np.inf], [np.inf]], [[1.0, 0.0], [0.0, 1.0]]),  # one column
        ([[0.0, np.inf, -1.0]], [[0.0, 1.0, 0.0]]),
        ([[np.inf, np.inf, 3.0]], [[0.5, 0.5, 0.0]]),
        ([[-np.inf, 0.0, 0.0]], [[0.0, 0.5, 0.5]]),
    ],
)
def test_infinite_scores_are_read_as_the_softmax_limits(scores, expected):
    scores = np.array(scores)
    classes = np.arange(len(expected[0]))
    before = scores.copy()
    for T in (0.5, 1.0, 4.0):
        logits = logits_from_output(scores, classes, classes, "decision_function")
        assert_allclose(soften(logits, T), expected)
    assert_array_equal(scores, before)  # the teacher's array is not written


@pytest.mark.parametrize("T", [1.0, 2.0, 4.0, 10.0])
def test_a_probability_of_zero_stays_negligible_once_softened(T):
    # a forest's class without a vote: finite logit, no share of the targets
    # (so no repeated row for it) at the usual temperatures
    from skdistill._students import MIN_TARGET

    classes = np.arange(3)
    proba = np.array([[0.7, 0.3, 0.0]])
    logits = logits_from_output(proba, classes, classes, "predict_proba")
    assert np.isfinite(logits).all()
    softened = soften(logits, T)
    assert softened[0, 2] < 1e-30 < MIN_TARGET
    expected = proba[0, :2] ** (1 / T) / np.sum(proba[0, :2] ** (1 / T))
    assert_allclose(softened[0, :2], expected)


@pytest.mark.parametrize("T", [1e-300, 1e-30, 1.0, 1e30, 1e300])
def test_soften_is_finite_at_every_temperature(T):
    logits = np.array([[-0.3, -2.0, -50.0], [3.0, 3.0, -np.inf], [-27.6, -1e-12, -5.0]])
    proba = soften(logits, T)
    assert np.all(np.isfinite(proba))
    assert_allclose(proba.sum(axis=1), 1.0)
    if T <= 1e-30:
        assert_allclose(proba, [[1, 0, 0], [0.5, 0.5, 0], [0, 1, 0]])
    if T >= 1e30:
        assert_allclose(proba[0], 1 / 3)
        assert_allclose(proba[1], [0.5, 0.5, 0])


@pytest.mark.parametrize("T", [1e-300, 0.5, 1.0, 2.0, 1e300, 1e308])
def test_soften_of_logits_near_the_largest_float(T):
    # their differences overflow, where the softened ones do not
    logits = np.array([[-1e308, 1e308, 0.0], [1e308, 5e307, -np.inf]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        proba = soften(logits, T)
    if T >= 1:
        with np.errstate(over="ignore"):
            expected = softmax(logits / T, axis=1)
    else:  # one-hot: the differences are beyond the largest float / T
        expected = [[0, 1, 0], [1, 0, 0]]
    assert_allclose(proba, expected, atol=1e-300)
    assert_allclose(proba.sum(axis=1), 1.0)


def test_soften_keeps_the_precision_of_logits_with_a_large_offset():
    # scores 1e14 apart from zero, a few apart from each other (a decision
    # function of huge coefficients): divided first, they lost 1e-3
    rng = np.random.RandomState(0)
    spread = rng.standard_normal((50, 4))
    for offset in (1e6, 1e10, 1e14):
        logits = offset + spread
        # (exact: floats within a factor 2 of each other subtract exactly)
        shifted = logits - logits.max(axis=1, keepdims=True)
        for T in (1.5, 3.0, 7.0):
            assert_allclose(soften(logits, T), softmax(shifted / T, axis=1), rtol=1e-12)


def test_tiny_temperature_gives_the_teachers_labels_to_a_tree(data):
    X, y = data
    teacher = LogisticRegression().fit(X, y)
    clf = DistilledClassifier(
        FrozenEstimator(teacher),
        DecisionTreeClassifier(random_state=0),
        alpha=1.0,
        T=1e-300,
    ).fit(X, y)
    assert np.all(np.isfinite(clf.predict_proba(X)))
    assert_array_equal(clf.predict(X), teacher.predict(X))


# --- arrays the library does not own ---------------------------------------


@pytest.mark.parametrize("mmap_mode", ["r+", "r", "c"])
def test_memory_mapped_cache_is_never_written(data, tmp_path, mmap_mode):
    X, y = data
    reference = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(max_iter=500),
        alpha=0.8,
        T=2.0,
    ).fit(X, y)
    memory = joblib.Memory(tmp_path, mmap_mode=mmap_mode, verbose=0)
    clf = clone(reference).set_params(memory=memory)
    for _ in range(3):  # a miss, then hits on the same cache entry
        clf.fit(X, y)
        assert_allclose(clf.predict_proba(X), reference.predict_proba(X), atol=1e-8)
    # the cache entry still holds probabilities
    _, output, _ = fit_teacher(
        clone(reference.teacher), X, y, {}, "predict_proba", memory=memory
    )
    assert_allclose(output.sum(axis=1), 1.0)


@pytest.mark.parametrize("mmap_mode", ["r+", "r"])
def test_pruning_refit_with_out_of_fold_cache_is_not_poisoned(
    data, tmp_path, mmap_mode
):
    X, y = data
    kwargs = dict(alpha=0.8, T=2.0, teacher_cv=3)
    distiller = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(max_iter=500),
        **kwargs,
    )
    plain = SparsifyTransformer(clone(distiller), sparsity=0.5).fit(X, y)
    memory = joblib.Memory(tmp_path, mmap_mode=mmap_mode, verbose=0)
    cached = SparsifyTransformer(
        clone(distiller).set_params(memory=memory), sparsity=0.5
    )
    for _ in range(2):
        cached.fit(X, y)
        proba = cached.estimator_.predict_proba(X)
        assert proba.std() > 0.05  # not uniform
        assert_allclose(proba, plain.estimator_.predict_proba(X), atol=1e-6)


class StoredProbaTeacher(ClassifierMixin, BaseEstimator):
    """A prefit teacher whose predict_proba returns its own writable array."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        rng = np.random.RandomState(0)
        p = rng.uniform(0.1, 1.0, size=(len(y), len(self.classes_)))
        self.proba_ = p / p.sum(axis=1, keepdims=True)
        return self

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def predict_proba(self, X):
        return self.proba_[: X.shape[0]]


@pytest.mark.parametrize("frozen", [True, False])
def test_callers_arrays_are_left_byte_identical(data, frozen):
    X, y = data
    X = np.asfortranarray(X)
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    teacher = StoredProbaTeacher().fit(X, y)
    before = [a.copy() for a in (X, y, sw, teacher.proba_)]
    teacher_param = FrozenEstimator(teacher) if frozen else StoredProbaTeacher()
    clf = DistilledClassifier(teacher_param, LogisticRegression(), alpha=0.7, T=3.0)
    clf.fit(X, y, sample_weight=sw)
    for a, b in zip((X, y, sw, teacher.proba_), before):
        assert a.tobytes() == b.tobytes()
        assert a.flags.writeable


# --- frozen teachers under memory= ----------------------------------------

PROBA_CALLS = []


class CountingLogistic(LogisticRegression):
    """Records each predict_proba call in PROBA_CALLS (same process only)."""

    def predict_proba(self, X):
        PROBA_CALLS.append(X.shape[0])
        return super().predict_proba(X)


def _frozen_search(X, y, memory):
    teacher = FrozenEstimator(CountingLogistic().fit(X, y))
    clf = DistilledClassifier(
        teacher, LogisticRegression(max_iter=500), memory=memory
    )
    grid = {"alpha": [0.3, 0.9], "T": [1.0, 4.0], "student__C": [0.1, 1.0]}
    return GridSearchCV(clf, grid, cv=3).fit(X, y)


def test_frozen_teacher_is_queried_once_per_training_set(data, tmp_path):
    X, y = data
    PROBA_CALLS.clear()
    uncached = _frozen_search(X, y, memory=None)
    assert len(PROBA_CALLS) == 8 * 3 + 1  # every candidate and fold, and the refit
    PROBA_CALLS.clear()
    cached = _frozen_search(X, y, memory=str(tmp_path))
    # one call per distinct training set: 3 folds and the refit on all rows
    assert len(PROBA_CALLS) == 3 + 1
    assert sorted(PROBA_CALLS) == sorted([160, 160, 160, 240])
    assert cached.best_params_ == uncached.best_params_
    assert_allclose(
        cached.cv_results_["mean_test_score"], uncached.cv_results_["mean_test_score"]
    )
    # another frozen model is another key
    PROBA_CALLS.clear()
    other = FrozenEstimator(CountingLogistic(C=0.1).fit(X, y))
    DistilledClassifier(other, LogisticRegression(), memory=str(tmp_path)).fit(X, y)
    assert len(PROBA_CALLS) == 1


def test_knn_teacher_with_string_labels(data):
    X, y = data
    y_labels = LABELS["strings"][y]
    clf = DistilledClassifier(KNeighborsClassifier(), LogisticRegression()).fit(
        X, y_labels
    )
    assert_array_equal(clf.classes_, LABELS["strings"])


def test_label_encoded_teacher_pickles_and_clones(data):
    X, y = data
    y_labels = LABELS["sparse_ints"][y]
    clf = DistilledClassifier(ZeroToKOnly(), LogisticRegression(), alpha=1.0)
    clf.fit(X, y_labels)
    loaded = pickle.loads(pickle.dumps(clf))
    assert_array_equal(loaded.teacher_.predict(X), clf.teacher_.predict(X))
    assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))
    refit = clone(clf.teacher_).fit(X, y_labels)  # a plain estimator itself
    assert_array_equal(refit.predict(X), clf.teacher_.predict(X))
    # a distilled model's teacher can be frozen and reused with the same labels
    again = DistilledClassifier(FrozenEstimator(clf.teacher_), LogisticRegression())
    assert_array_equal(again.fit(X, y_labels).classes_, [3, 7, 11])


def test_group_splitter_as_teacher_cv_gets_its_groups_by_routing(data):
    from sklearn import config_context
    from sklearn.model_selection import GroupKFold

    X, y = data
    groups = np.arange(len(y)) % 7
    splits = list(GroupKFold(3).split(X, y, groups))
    by_splits = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), alpha=1.0, teacher_cv=splits
    ).fit(X, y)
    with config_context(enable_metadata_routing=True):
        cv = GroupKFold(3).set_split_request(groups=True)
        clf = DistilledClassifier(
            LogisticRegression(), LogisticRegression(), alpha=1.0, teacher_cv=cv
        )
        clf.fit(X, y, groups=groups)
    assert_allclose(clf.student_.coef_, by_splits.student_.coef_)


def test_teacher_cv_that_cannot_give_out_of_fold_outputs_is_refused(data):
    X, y = data
    splits = list(KFold(3).split(X))
    generator = (split for split in splits)
    clf = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), teacher_cv=generator
    )
    with pytest.raises(ValueError, match="iterator"):
        clf.fit(X, y)
    # with unlabeled rows, the splits index the labeled rows
    y_partial = y.copy()
    y_partial[:30] = -1
    clf = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), teacher_cv=splits, unlabeled=-1
    )
    with pytest.raises(ValueError, match=f"partition the {len(y) - 30} rows"):
        clf.fit(X, y_partial)
    labeled_splits = list(KFold(3).split(X[30:]))
    clf.set_params(teacher_cv=labeled_splits).fit(X, y_partial)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_a_fold_failure_names_teacher_cv():
    # scikit-learn's own message does not say which setting asked for folds
    rng = np.random.RandomState(0)
    X = rng.standard_normal((60, 3))
    y = np.r_[np.zeros(30), np.ones(29), [2]].astype(int)  # a class of one row
    clf = DistilledClassifier(SVC(), LogisticRegression(), teacher_cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # fewer members than folds
        with pytest.raises(ValueError) as info:
            clf.fit(X, y)
    assert str(info.value).startswith("teacher_cv=3: a fold's training rows lack")


def test_out_of_fold_teachers_read_options_keyed_by_label(data):
    # cross_val_predict hands the folds y's codes 0..K-1: a class_weight
    # keyed by label (here 2, code 1) must still weigh the class labelled 2
    X, y = data
    y_labels = y + 1  # labels 1, 2, 3
    teacher = LogisticRegression(class_weight={2: 20.0})
    cv = KFold(3, shuffle=True, random_state=0)
    clf = DistilledClassifier(
        teacher, LogisticRegression(), alpha=1.0, teacher_cv=cv
    ).fit(X, y_labels)
    by_hand = np.zeros((len(y), 3))
    for train, test in cv.split(X):
        fold = clone(teacher).fit(X[train], y_labels[train])
        by_hand[test] = fold.predict_proba(X[test])
    _, output, classes = fit_teacher(
        teacher, X, y_labels, {}, "predict_proba", cv=cv
    )
    assert_array_equal(classes, [1, 2, 3])
    assert_allclose(output, by_hand)
    assert fidelity_score(clf.teacher_.predict(X), clf.predict(X)) > 0.9


@pytest.mark.filterwarnings("ignore:The argument 'eval_set' is deprecated")
def test_out_of_fold_lightgbm_takes_eval_set_in_the_labels(data):
    # LightGBM takes string labels itself (it is not fitted on codes): its
    # folds get eval_set in y's labels, as its fit on all rows does
    from sklearn import config_context

    X, y = data
    y_labels = LABELS["strings"][y]
    with config_context(enable_metadata_routing=True):
        teacher = _boosting_teacher("lightgbm").set_fit_request(eval_set=True)
        clf = DistilledClassifier(
            teacher, LogisticRegression(), alpha=1.0, teacher_cv=3
        )
        clf.fit(X, y_labels, eval_set=[(X[:40], y_labels[:40])])
    assert not isinstance(clf.teacher_, LabelEncodedClassifier)
    assert_array_equal(clf.classes_, LABELS["strings"])
    assert fidelity_score(clf.teacher_.predict(X), clf.predict(X)) > 0.8


@pytest.mark.parametrize("splitter", ["GroupKFold", "KFold"])
def test_a_splitter_that_cannot_split_is_named_as_teacher_cv(data, splitter):
    # not as the teacher; the routing hint only when groups are missing
    from sklearn.model_selection import GroupKFold

    X, y = data
    teacher_cv = GroupKFold(3) if splitter == "GroupKFold" else KFold(500)
    clf = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), teacher_cv=teacher_cv
    )
    with pytest.raises(ValueError, match=f"^teacher_cv={splitter}") as info:
        clf.fit(X, y)
    hinted = "enable_metadata_routing" in str(info.value)
    assert hinted == (splitter == "GroupKFold")


def test_boolean_labels_against_a_frozen_teacher_of_other_numbers(data):
    X, y = data
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))  # classes 0, 1, 2
    clf = DistilledClassifier(teacher, LogisticRegression())
    with pytest.raises(ValueError, match=r"classes_ \[2\] cannot be booleans"):
        clf.fit(X, y > 0)
    binary = FrozenEstimator(LogisticRegression().fit(X, y > 0))  # booleans
    clf = DistilledClassifier(binary, LogisticRegression())
    with pytest.raises(ValueError, match=r"labels in y \[2\] cannot be booleans"):
        clf.fit(X, y)


def test_boolean_labels_stay_booleans_with_a_frozen_teacher_on_floats(data):
    X, y = data
    binary = y > 0
    teacher = FrozenEstimator(LogisticRegression().fit(X, binary.astype(float)))
    clf = DistilledClassifier(teacher, LogisticRegression()).fit(X, binary)
    assert clf.classes_.dtype == bool
    assert clf.predict(X).dtype == bool



@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_integer_labels_stay_integers_with_a_frozen_teacher_on_floats(data, alpha):
    # numpy's union of int labels and float classes is float: the classes and
    # the predictions keep y's integer type, as a student fitted on y does
    X, y = data
    teacher = FrozenEstimator(LogisticRegression().fit(X, y.astype(float)))
    clf = DistilledClassifier(teacher, LogisticRegression(), alpha=alpha).fit(X, y)
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.classes_.dtype == y.dtype and clf.predict(X).dtype == y.dtype
    streamed = DistilledClassifier(
        teacher, SGDClassifier(loss="log_loss", random_state=0), alpha=alpha
    ).partial_fit(X, y)
    assert streamed.classes_.dtype == y.dtype
    assert streamed.predict(X).dtype == y.dtype


def _multilabel_teachers():
    from sklearn.linear_model import RidgeClassifier
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neural_network import MLPClassifier

    teachers = [
        OneVsRestClassifier(LogisticRegression()),
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0),
        RidgeClassifier(),
        KNeighborsClassifier(),
        DecisionTreeClassifier(max_depth=2),
    ]
    return [pytest.param(t, id=type(t).__name__) for t in teachers] + [
        pytest.param("xgboost", id="XGBClassifier")
    ]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("teacher", _multilabel_teachers())
def test_a_frozen_multilabel_teacher_is_refused(data, teacher):
    # some multilabel models return one array of per-label probabilities (or
    # scores), which has the shape of per-class ones: read as classes, the
    # student learned labels y never has
    X, y = data
    if teacher == "xgboost":
        xgb = pytest.importorskip("xgboost")
        teacher = xgb.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1)
    Y = np.column_stack([y == 0, y == 1]).astype(int)
    frozen = FrozenEstimator(clone(teacher).fit(X, Y))
    clf = DistilledClassifier(frozen, LogisticRegression())
    with pytest.raises(ValueError, match="fitted on multilabel or multi-output"):
        clf.fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="fitted on multilabel or multi-output"):
        DistilledClassifier(frozen, SGDClassifier(loss="log_loss")).partial_fit(
            X, Y[:, 0]
        )
    # the same model fitted on one output is distilled, binary or multiclass
    for target in (Y[:, 0], y):
        single = FrozenEstimator(clone(teacher).fit(X, target))
        fitted = DistilledClassifier(single, LogisticRegression()).fit(X, target)
        assert fitted.score(X, target) > 0.7


def test_a_frozen_teacher_that_knows_the_unlabeled_marker_is_refused(data):
    # fitted by mistake on the semi-supervised y: the marker is one of its
    # classes, and the distiller would learn and predict it
    X, y = data
    y_semi = y.copy()
    y_semi[::3] = -1
    teacher = LogisticRegression().fit(X, y_semi)
    clf = DistilledClassifier(
        FrozenEstimator(teacher), SGDClassifier(loss="log_loss"), unlabeled=-1
    )
    with pytest.raises(ValueError, match="include the unlabeled marker -1"):
        clf.fit(X, y_semi)
    with pytest.raises(ValueError, match="include the unlabeled marker -1"):
        clone(clf).partial_fit(X, y_semi)
    # a teacher of the labeled rows only is used
    labeled = y_semi != -1
    good = LogisticRegression().fit(X[labeled], y_semi[labeled])
    clf.set_params(teacher=FrozenEstimator(good)).fit(X, y_semi)
    assert_array_equal(clf.classes_, [0, 1, 2])


def test_teacher_cv_folds_get_an_aliased_teachers_weights(data):
    # cross_val_predict routes the folds' parameters again: under the alias
    # the teacher requests, not the name they were routed under
    from sklearn import config_context

    X, y = data
    w = np.random.RandomState(0).uniform(0.1, 3, len(y))
    with config_context(enable_metadata_routing=True):
        student = LogisticRegression().set_fit_request(sample_weight=False)
        aliased = DistilledClassifier(
            LogisticRegression().set_fit_request(sample_weight="teacher_weight"),
            student, teacher_cv=3,
        ).fit(X, y, teacher_weight=w)
        plain = DistilledClassifier(
            LogisticRegression().set_fit_request(sample_weight=True),
            student, teacher_cv=3,
        ).fit(X, y, sample_weight=w)
    assert_allclose(aliased.student_.coef_, plain.student_.coef_)
    unweighted = DistilledClassifier(LogisticRegression(), student, teacher_cv=3)
    assert not np.allclose(unweighted.fit(X, y).student_.coef_, plain.student_.coef_)


def test_a_teacher_the_cache_cannot_hash_is_memorys_error(data, tmp_path):
    # a lambda among the teacher's parameters: joblib cannot key the cache on
    # it; the error said the teacher failed in fit, which it never ran
    from sklearn.preprocessing import FunctionTransformer

    X, y = data
    teacher = make_pipeline(FunctionTransformer(lambda Z: Z), LogisticRegression())
    clf = DistilledClassifier(teacher, LogisticRegression(), memory=str(tmp_path))
    with pytest.raises(ValueError, match=r"^memory=.* which joblib cannot hash"):
        clf.fit(X, y)
    assert clf.set_params(memory=None).fit(X, y).score(X, y) > 0.8


class CallbackTeacher(LogisticRegression):
    """A teacher whose fit takes a callback (as LightGBM's does)."""

    def fit(self, X, y, callback=None):
        return super().fit(X, y)


def test_a_fit_parameter_the_cache_cannot_hash_is_memorys_error(data, tmp_path):
    # a lambda routed to the teacher's fit: the error said the teacher failed
    # in fit (a 18,000-character PicklingError holding X and y)
    from sklearn import config_context

    X, y = data
    with config_context(enable_metadata_routing=True):
        teacher = CallbackTeacher().set_fit_request(callback=True)
        clf = DistilledClassifier(teacher, LogisticRegression(), memory=str(tmp_path))
        with pytest.raises(ValueError, match="fit parameter 'callback'") as info:
            clf.fit(X, y, callback=lambda env: None)
        assert len(str(info.value)) < 1000
        clf.set_params(memory=None).fit(X, y, callback=lambda env: None)


@pytest.mark.parametrize("distiller", ["classifier", "regressor"])
def test_the_cache_is_keyed_on_the_folds_drawn(distiller, tmp_path):
    # a teacher_cv seeded with a RandomState instance draws other folds at
    # each fit; a warm cache keyed on the splitter did not advance it, and
    # served the first fit's outputs to the second
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    if distiller == "regressor":
        y = X @ np.arange(5.0)

    def two_fits(memory):
        cv = KFold(3, shuffle=True, random_state=np.random.RandomState(0))
        if distiller == "regressor":
            model = DistilledRegressor(
                DecisionTreeRegressor(max_depth=4, random_state=0), Ridge(),
                alpha=1.0, teacher_cv=cv, memory=memory,
            )
            return [model.fit(X, y).student_.coef_.copy() for _ in range(2)]
        model = DistilledClassifier(
            DecisionTreeClassifier(max_depth=4, random_state=0), LogisticRegression(),
            alpha=1.0, teacher_cv=cv, memory=memory,
        )
        return [model.fit(X, y).student_.coef_.copy() for _ in range(2)]

    plain = two_fits(None)
    assert not np.allclose(plain[0], plain[1])  # other folds, other outputs
    for _ in range(2):  # a cold cache, then a warm one
        cached = two_fits(str(tmp_path))
        assert_allclose(cached[0], plain[0])
        assert_allclose(cached[1], plain[1])


class _UnseenRowsNaN(BaseEstimator):
    """A teacher whose outputs are NaN on the rows it was not fitted on."""

    def fit(self, X, y):
        self.seen_ = {row.tobytes() for row in np.asarray(X)}
        self.classes_ = np.unique(y)
        self.mean_ = float(np.mean(y))
        return self

    def _unseen(self, X):
        return np.array([row.tobytes() not in self.seen_ for row in np.asarray(X)])


class _UnseenNaNClassifier(ClassifierMixin, _UnseenRowsNaN):
    def predict_proba(self, X):
        P = np.full((len(X), len(self.classes_)), 1.0 / len(self.classes_))
        P[self._unseen(X)] = np.nan
        return P

    def predict(self, X):
        return self.classes_[np.zeros(len(X), dtype=int)]


class _UnseenNaNRegressor(RegressorMixin, _UnseenRowsNaN):
    def predict(self, X):
        return np.where(self._unseen(X), np.nan, self.mean_)


@pytest.mark.parametrize("kind", ["classifier", "regressor", "search"])
def test_refused_teacher_output_says_it_is_out_of_fold(data, kind):
    # NaN on the rows the teacher did not see: with teacher_cv, on every row
    X, y = data
    if kind == "regressor":
        y = X[:, 0]

    def make(teacher_cv):
        if kind == "regressor":
            return DistilledRegressor(
                _UnseenNaNRegressor(), Ridge(), teacher_cv=teacher_cv
            )
        return DistilledClassifier(
            _UnseenNaNClassifier(), LogisticRegression(), teacher_cv=teacher_cv
        )

    make(None).fit(X, y)  # in sample: no NaN
    estimator = make(3)
    if kind == "search":
        grid = {"student": [LogisticRegression()], "teacher_cv": [3]}
        estimator = DistillationSearchCV(
            estimator.teacher, grid, cv=3, error_score="raise"
        )
    with pytest.raises(ValueError, match="NaN") as info:
        estimator.fit(X, y)
    assert "out of fold (teacher_cv=3)" in _text_and_notes(info.value)


def test_refused_teacher_output_in_sample_has_no_out_of_fold_note(data):
    X, y = data
    teacher = _UnseenNaNClassifier().fit(X[:10], y[:10])
    clf = DistilledClassifier(FrozenEstimator(teacher), LogisticRegression())
    with pytest.raises(ValueError, match="NaN") as info:
        clf.fit(X, y)
    assert "out of fold" not in _text_and_notes(info.value)


def test_a_fold_lacking_a_class_is_not_the_teachers_failure():
    # cross_val_predict refuses a fold's binary scores among three classes;
    # the fold's fit succeeded
    from sklearn.model_selection import KFold

    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    y = np.r_[np.zeros(15, int), np.ones(14, int), [2]]
    clf = DistilledClassifier(LinearSVC(), LogisticRegression(), teacher_cv=KFold(3))
    with pytest.raises(ValueError, match=r"^teacher_cv=KFold.*lack a class") as info:
        clf.fit(X, y)
    assert "failed in fit" not in _text_and_notes(info.value)
    assert "predict_proba" not in str(info.value)  # LinearSVC has none
    # a teacher that has probabilities is told to use them
    clf.set_params(teacher=LogisticRegression(), teacher_response="decision_function")
    with pytest.raises(ValueError, match="teacher_response='predict_proba'"):
        clf.fit(X, y)


class _SeenNaNClassifier(_UnseenNaNClassifier):
    """NaN on the rows it was fitted on (its in-sample outputs) only."""

    def predict_proba(self, X):
        P = np.full((len(X), len(self.classes_)), 1.0 / len(self.classes_))
        P[~self._unseen(X)] = np.nan
        return P


def test_in_sample_outputs_at_alpha_zero_are_not_said_out_of_fold(data):
    # at alpha=0 the search hands a candidate the split's in-sample outputs,
    # whatever its teacher_cv
    X, y = data
    grid = {"student": [Ridge()], "alpha": [0.0], "teacher_cv": [3]}
    search = DistillationSearchCV(_SeenNaNClassifier(), grid, cv=3, error_score="raise")
    with pytest.raises(ValueError, match="NaN") as info:
        search.fit(X, y)
    assert "out of fold" not in _text_and_notes(info.value)


class _RowsOff(ClassifierMixin, BaseEstimator):
    """Answers with ``extra`` rows more (or fewer) than it is asked about."""

    def __init__(self, extra=1):
        self.extra = extra

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        n = max(len(X) + self.extra, 0)
        return np.full((n, len(self.classes_)), 1.0 / len(self.classes_))

    def predict(self, X):
        return self.classes_[np.zeros(len(X), dtype=int)]


@pytest.mark.parametrize("teacher_cv", [None, 3])
@pytest.mark.parametrize("extra", [-1, 3])
def test_a_teacher_answering_other_rows_is_refused_as_the_teachers(
    data, extra, teacher_cv
):
    # n - 1 rows gave an IndexError, n + 3 blamed the student (or, in the
    # folds, passed silently)
    X, y = data
    clf = DistilledClassifier(
        _RowsOff(extra), LogisticRegression(), teacher_cv=teacher_cv
    )
    with pytest.raises(ValueError, match="_RowsOff failed in predict_proba.*rows"):
        clf.fit(X, y)


class _SparseProba(LogisticRegression):
    """A teacher whose probabilities come as a scipy sparse matrix."""

    def predict_proba(self, X):
        import scipy.sparse as sp

        return sp.csr_matrix(super().predict_proba(X))


@pytest.mark.parametrize("teacher_cv", [None, 3])
def test_sparse_probabilities_are_read_as_the_dense_ones(data, teacher_cv):
    X, y = data
    student = LogisticRegression()
    sparse = DistilledClassifier(_SparseProba(), student, teacher_cv=teacher_cv)
    dense = DistilledClassifier(LogisticRegression(), student, teacher_cv=teacher_cv)
    assert_allclose(
        sparse.fit(X, y).predict_proba(X), dense.fit(X, y).predict_proba(X)
    )


@pytest.mark.parametrize("frozen", [False, True])
def test_a_teacher_deciding_by_a_moved_threshold_is_said_not_followed(frozen):
    from sklearn.model_selection import (
        FixedThresholdClassifier,
        TunedThresholdClassifierCV,
    )

    X, y = make_classification(n_samples=300, weights=[0.85], random_state=0)
    moved = FixedThresholdClassifier(LogisticRegression(), threshold=0.2)
    tuned = TunedThresholdClassifierCV(LogisticRegression(), cv=3)
    in_pipeline = make_pipeline(StandardScaler(), clone(moved))
    searched = GridSearchCV(
        FixedThresholdClassifier(LogisticRegression()), {"threshold": [0.2, 0.3]}
    )
    # a decision function's neutral point is 0, also with response "auto"
    on_scores = FixedThresholdClassifier(LinearSVC(), threshold=0.5)
    for teacher in (moved, tuned, in_pipeline, searched, on_scores):
        if frozen:
            teacher = FrozenEstimator(clone(teacher).fit(X, y))
        with pytest.warns(UserWarning, match="decisions differ from the teacher's"):
            DistilledClassifier(teacher, LogisticRegression()).fit(X, y)
    neutral = (
        FixedThresholdClassifier(LogisticRegression(), threshold=0.5),
        FixedThresholdClassifier(LogisticRegression(), threshold="auto"),
        FixedThresholdClassifier(
            LogisticRegression(), threshold=0.0, response_method="decision_function"
        ),
        FixedThresholdClassifier(LinearSVC(), threshold=0.0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for teacher in neutral:
            DistilledClassifier(teacher, LogisticRegression()).fit(X, y)
        # alpha=0: the teacher is not used
        DistilledClassifier(moved, LogisticRegression(), alpha=0.0).fit(X, y)


def test_teacher_cv_with_a_class_of_one_row_says_what_can_help():
    # "fewer folds" cannot help a class of one row
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=3,
        n_clusters_per_class=1, random_state=0,
    )
    y[np.flatnonzero(y == 2)[1:]] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="A class of y has a single row") as info:
            DistilledClassifier(LinearSVC(), LogisticRegression(), teacher_cv=2).fit(
                X, y
            )
    assert "fewer folds" not in str(info.value)


class _PositionalTeacher(RegressorMixin, BaseEstimator):
    """Keeps the names of its columns but reads X by position, as LightGBM."""

    def fit(self, X, y):
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self.coef_ = np.linalg.lstsq(self._values(X), y, rcond=None)[0]
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    @staticmethod
    def _values(X):  # missing values as 0
        return np.nan_to_num(X.to_numpy(dtype=float, na_value=np.nan))

    def predict(self, X):
        return self._values(X) @ self.coef_


def _columns_in_another_order():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.rand(60, 3), columns=["c", "a", "b"])
    y = 3.0 * X["c"].to_numpy() + X["a"].to_numpy()
    return X, y, X[["a", "b", "c"]]


@pytest.mark.parametrize("name", ["positional", "lightgbm"])
def test_a_teacher_reading_reordered_columns_by_position_is_refused(name):
    X, y, reordered = _columns_in_another_order()
    if name == "lightgbm":
        lgb = pytest.importorskip("lightgbm")
        fitted = lgb.LGBMRegressor(n_estimators=20, verbose=-1).fit(X, y)
    else:
        fitted = _PositionalTeacher().fit(X, y)
    with pytest.raises(ValueError, match="same columns in another order"):
        DistilledRegressor(FrozenEstimator(fitted), Ridge()).fit(reordered, y)
    labels = (y > np.median(y)).astype(int)
    if name == "lightgbm":
        classifier = lgb.LGBMClassifier(n_estimators=20, verbose=-1).fit(X, labels)
        with pytest.raises(ValueError, match="same columns in another order"):
            DistilledClassifier(
                FrozenEstimator(classifier), LogisticRegression()
            ).fit(reordered, labels)
    # in the teacher's order, the same student as on its own rows
    student = DistilledRegressor(FrozenEstimator(fitted), Ridge(), alpha=1.0)
    student.fit(reordered[list(fitted.feature_names_in_)], y)
    expected = Ridge().fit(X, fitted.predict(X))
    assert_allclose(student.student_.coef_, expected.coef_)


def test_reordered_columns_equal_on_the_first_rows_are_refused():
    # two rare indicators, 0 on the first 300 rows (a table sorted by them):
    # the first rows answer the same in either order, which let the
    # positional reading through (the distilled model 0.66 accurate where
    # the student alone is 0.91)
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 400
    X = pd.DataFrame({"x": rng.randn(n), "d1": 0.0, "d2": 0.0})
    X.loc[300::2, "d1"] = 1.0
    X.loc[301::2, "d2"] = 1.0
    y = X["x"].to_numpy() + 3 * X["d1"].to_numpy() - 3 * X["d2"].to_numpy()
    fitted = _PositionalTeacher().fit(X, y)
    reordered = X[["x", "d2", "d1"]]
    with pytest.raises(ValueError, match=r"another order \(\['x', 'd1', 'd2'\]\)"):
        DistilledRegressor(FrozenEstimator(fitted), Ridge()).fit(reordered, y)
    # coded as missing where not 1 (NaN; pandas' nullable NA), as LightGBM
    # takes them, on 4,000 rows of which 10 have a 1: rows missing in both
    # columns are alike in either order (they were probed as differing, and
    # 200 rows evenly spaced over the table missed the ten)
    n = 4000
    x = rng.randn(n)
    for missing, dtype in ((np.nan, "float64"), (pd.NA, "Int64")):
        coded = pd.DataFrame({"x": x, "d1": missing, "d2": missing}).astype(
            {"d1": dtype, "d2": dtype}
        )
        coded.loc[3001:3005, "d1"] = 1
        coded.loc[3006:3010, "d2"] = 1
        y_coded = x + 3 * coded["d1"].fillna(0).to_numpy(float)
        y_coded -= 3 * coded["d2"].fillna(0).to_numpy(float)
        fitted = _PositionalTeacher().fit(coded, y_coded)
        student = make_pipeline(SimpleImputer(strategy="constant"), Ridge())
        with pytest.raises(ValueError, match="same columns in another order"):
            DistilledRegressor(FrozenEstimator(fitted), student).fit(
                coded[["x", "d2", "d1"]], y_coded
            )
    # the same values in both columns: either order answers the same
    X["d2"] = X["d1"]
    fitted = _PositionalTeacher().fit(X, y)
    DistilledRegressor(FrozenEstimator(fitted), Ridge()).fit(X[["x", "d2", "d1"]], y)


def test_a_teacher_reading_columns_by_name_takes_them_in_any_order():
    from sklearn.compose import make_column_transformer

    X, y, reordered = _columns_in_another_order()
    by_name = make_pipeline(
        make_column_transformer((StandardScaler(), ["c", "a", "b"])), Ridge()
    ).fit(X, y)
    student = DistilledRegressor(FrozenEstimator(by_name), Ridge(), alpha=1.0)
    student.fit(reordered, y)
    expected = Ridge().fit(reordered, by_name.predict(X))
    assert_allclose(student.student_.coef_, expected.coef_)
