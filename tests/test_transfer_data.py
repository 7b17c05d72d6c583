"""Out-of-fold targets, augmentation, unlabeled rows, regression and streaming."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.compose import make_column_transformer
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from scipy import sparse
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skdistill import DistilledClassifier, DistilledRegressor, munge
from skdistill._base import AUTO_MAX_ROWS, resolve_augment
from skdistill._classifier import soft_refit_set
from skdistill._fitting import refit_student


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        self.X_, self.y_, self.sample_weight_ = X, np.asarray(y), sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[0])


class RecordingRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        self.X_, self.y_, self.sample_weight_ = X, np.asarray(y), sample_weight
        return self

    def predict(self, X):
        return np.zeros(X.shape[0])


def _targets(student, n_rows, classes):
    rows = np.asarray(student.X_[:, 0], dtype=int)
    Y = np.zeros((n_rows, len(classes)))
    np.add.at(Y, (rows, np.searchsorted(classes, student.y_)), student.sample_weight_)
    return Y


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    return np.column_stack([np.arange(150), X]), y


def test_teacher_cv_targets_are_out_of_fold(data):
    X, y = data
    teacher = LogisticRegression(max_iter=1000)
    cv = StratifiedKFold(3)
    clf = DistilledClassifier(
        teacher, RecordingClassifier(), alpha=1.0, teacher_cv=cv
    ).fit(X, y)
    expected = np.zeros((150, 3))
    for train, test in cv.split(X, y):
        expected[test] = clone(teacher).fit(X[train], y[train]).predict_proba(X[test])
    assert_allclose(_targets(clf.student_, 150, clf.classes_), expected, rtol=1e-8)
    # teacher_ is still fitted on all rows
    full = clone(teacher).fit(X, y)
    assert_allclose(clf.teacher_.coef_, full.coef_)


def test_teacher_cv_softens_a_forest(data):
    X, y = data
    forest = RandomForestClassifier(n_estimators=30, random_state=0)
    in_sample = DistilledClassifier(forest, RecordingClassifier(), alpha=1.0).fit(X, y)
    oof = DistilledClassifier(
        forest, RecordingClassifier(), alpha=1.0, teacher_cv=3
    ).fit(X, y)
    top_in = _targets(in_sample.student_, 150, in_sample.classes_).max(axis=1).mean()
    top_oof = _targets(oof.student_, 150, oof.classes_).max(axis=1).mean()
    assert top_oof < top_in


def test_teacher_cv_with_frozen_teacher_raises(data):
    X, y = data
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    clf = DistilledClassifier(frozen, LogisticRegression(), teacher_cv=3)
    # a setting's error, not the teacher's ("The teacher ... failed in")
    with pytest.raises(ValueError, match="^teacher_cv needs a teacher that can be"):
        clf.fit(X, y)
    frozen = FrozenEstimator(LinearRegression().fit(X, y))
    reg = DistilledRegressor(frozen, Ridge(), teacher_cv=3)
    with pytest.raises(ValueError, match="^teacher_cv needs a teacher that can be"):
        reg.fit(X, y.astype(float))


def test_teacher_cv_one_fold_raises(data):
    X, y = data
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression(), teacher_cv=1)
    with pytest.raises(ValueError, match="'teacher_cv' parameter"):
        clf.fit(X, y)


@pytest.mark.parametrize("distiller", [DistilledClassifier, DistilledRegressor])
def test_teacher_cv_splitter_that_is_not_a_partition_is_named(data, distiller):
    from sklearn.model_selection import ShuffleSplit, TimeSeriesSplit

    X, y = data
    if distiller is DistilledRegressor:
        teacher, student = DecisionTreeRegressor(), Ridge()
    else:
        teacher, student = DecisionTreeClassifier(), LogisticRegression()
    for cv in (TimeSeriesSplit(3), ShuffleSplit(3, random_state=0)):
        model = distiller(teacher, student, teacher_cv=cv)
        with pytest.raises(ValueError, match="^teacher_cv=.*must partition the"):
            model.fit(X, y)


@pytest.mark.parametrize("augment", ["munge", "gaussian"])
def test_augmented_rows_get_teacher_targets_only(data, augment):
    X, y = data
    teacher = LogisticRegression(max_iter=1000).fit(X, y)
    clf = DistilledClassifier(
        FrozenEstimator(teacher),
        RecordingRegressor(),
        alpha=0.4,
        T=2.0,
        augment=augment,
        augment_size=2.0,
        random_state=0,
    ).fit(X, y)
    X_seen = clf.student_.X_
    assert X_seen.shape == (450, X.shape[1])
    assert_array_equal(X_seen[:150], X)
    X_new = X_seen[150:]
    weights = clf.student_.sample_weight_
    assert_allclose(weights[:150], 1.0)
    assert_allclose(weights[150:], 0.4)
    # Generated rows: centred log of the tempered teacher, no hard label.
    logp = np.log(teacher.predict_proba(X_new)) / 2.0
    logp -= logp.mean(axis=1, keepdims=True)
    expected = logp - np.log(np.exp(logp).sum(axis=1, keepdims=True))
    expected -= expected.mean(axis=1, keepdims=True)
    assert_allclose(clf.student_.y_[150:], expected, atol=1e-8)


def test_augment_with_munge_is_reproducible_and_matches_public_function(data):
    X, y = data
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    kwargs = dict(alpha=1.0, augment="munge", augment_params={"p": 0.3, "s": 2.0})
    a = DistilledClassifier(teacher, RecordingClassifier(), random_state=3, **kwargs)
    b = DistilledClassifier(teacher, RecordingClassifier(), random_state=3, **kwargs)
    a.fit(X, y)
    b.fit(X, y)
    assert_array_equal(a.student_.X_, b.student_.X_)
    seed = np.random.RandomState(3).randint(np.iinfo(np.int32).max)
    generated = munge(X, n_samples=150, p=0.3, s=2.0, random_state=seed)
    rows = np.unique(a.student_.X_[:, 1:], axis=0)
    assert len(rows) >= 150
    for row in generated[:5]:
        assert np.any(np.all(np.isclose(a.student_.X_, row), axis=1))


def test_callable_augment_and_bad_output(data):
    X, y = data

    def jitter(X, n_samples, random_state):
        rng = np.random.RandomState(random_state)
        return X[rng.randint(len(X), size=n_samples)] + 0.01

    clf = DistilledClassifier(
        LogisticRegression(max_iter=1000), RecordingClassifier(), augment=jitter,
        augment_size=0.5, random_state=0,
    ).fit(X, y)
    assert clf.student_.X_.shape[0] > 150

    def broken(X, n_samples, random_state):
        return X[:, :2]

    clf.set_params(augment=broken)
    with pytest.raises(ValueError, match="augment generator returned shape"):
        clf.fit(X, y)

    # rows as a list, as X may be given: taken as an array, as X is
    clf.set_params(augment=lambda X, n_samples, random_state: jitter(
        X, n_samples, random_state).tolist())
    assert clf.fit(X, y).student_.X_.shape[0] > 150


def test_callable_augment_with_reordered_columns_is_named(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    X = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])

    def reordered(X, n_samples, random_state):
        return X.iloc[:n_samples, ::-1]

    clf = DistilledClassifier(LogisticRegression(), LogisticRegression(),
                              augment=reordered)
    with pytest.raises(ValueError, match="feature names") as exc:
        clf.fit(X, y)
    assert any("returned by augment" in note for note in exc.value.__notes__)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"augment": "munge", "augment_size": 0.0}, "'augment_size' parameter"),
        ({"augment": "munge", "augment_size": -1.0}, "'augment_size' parameter"),
        ({"augment": "munge", "augment_params": {"p": 1.5}}, "'p' parameter"),
        ({"augment": "munge", "augment_params": {"s": 0.0}}, "'s' parameter"),
        ({"augment": "smote"}, "'augment' parameter"),
    ],
)
def test_bad_augmentation_parameters(data, params, match):
    X, y = data
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression(), **params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


def test_munge_categorical_columns_out_of_range(data):
    X, y = data
    clf = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), augment="munge",
        augment_params={"categorical_features": [99]},
    )
    with pytest.raises(ValueError, match="categorical_features"):
        clf.fit(X, y)


def test_unlabeled_rows(data):
    X, y = data
    y_partial = y.copy()
    y_partial[100:] = -1
    teacher = LogisticRegression(max_iter=1000)
    clf = DistilledClassifier(
        teacher, RecordingClassifier(), alpha=0.3, unlabeled=-1
    ).fit(X, y_partial)
    assert_array_equal(clf.classes_, [0, 1, 2])
    fitted = clone(teacher).fit(X[:100], y[:100])  # fitted on the labeled rows
    assert_allclose(clf.teacher_.coef_, fitted.coef_)
    Y = _targets(clf.student_, 150, clf.classes_)
    p = fitted.predict_proba(X)
    expected = 0.3 * p
    expected[np.arange(100), y[:100]] += 0.7
    expected[100:] = 0.3 * p[100:]  # teacher targets with the row weight alpha
    assert_allclose(Y, expected, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize(
    "labels, marker", [(np.arange(3), "-1"), (np.array(["a", "b", "c"]), -1)]
)
def test_unlabeled_marker_of_another_kind_is_refused(data, labels, marker):
    # a string marker among integer labels (or the reverse) marks no row: it
    # would silently become a class
    X, y = data
    clf = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), unlabeled=marker
    )
    with pytest.raises(ValueError, match="can mark no row"):
        clf.fit(X, labels[y])
    if labels.dtype.kind == "U":
        # the marker in y (an object array of both kinds): found and used
        y_labels = labels[y].astype(object)
        y_labels[100:] = marker
        clf.fit(X, y_labels)
        assert_array_equal(clf.classes_, labels)


def test_munge_refusing_a_column_says_where_its_options_go(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    df["colour"] = np.where(y == 0, "red", "blue")
    student = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(), ["colour"]), remainder="passthrough"
        ),
        DecisionTreeClassifier(max_depth=3, random_state=0),
    )
    teacher = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(), ["colour"]), remainder="passthrough"
        ),
        LogisticRegression(),
    )
    clf = DistilledClassifier(teacher, student, augment="munge", random_state=0)
    with pytest.raises(ValueError, match="(?s)augment='munge'.*augment_params"):
        clf.fit(df, y)
    clf.set_params(augment_params={"categorical_features": ["colour"]}).fit(df, y)
    assert clf.augment_ == "munge"


def test_unlabeled_is_opt_in(data):
    X, y = data
    y_neg = np.where(y == 0, -1, y)
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression()).fit(X, y_neg)
    assert_array_equal(clf.classes_, [-1, 1, 2])


def test_unlabeled_alpha_zero_ignores_unlabeled_rows(data):
    X, y = data
    y_partial = y.copy()
    y_partial[100:] = -1
    clf = DistilledClassifier(
        LogisticRegression(), LogisticRegression(C=0.5), alpha=0.0, unlabeled=-1
    ).fit(X, y_partial)
    plain = LogisticRegression(C=0.5).fit(X[:100], y[:100])
    assert_array_equal(clf.student_.coef_, plain.coef_)


# ---------------------------------------------------------------- regressor


@pytest.fixture
def reg_data():
    X, y = make_regression(n_samples=120, n_features=4, noise=5.0, random_state=0)
    return X, y


def test_regressor_targets_blend(reg_data):
    X, y = reg_data
    teacher = RandomForestRegressor(n_estimators=10, random_state=0).fit(X, y)
    reg = DistilledRegressor(FrozenEstimator(teacher), RecordingRegressor(), alpha=0.3)
    reg.fit(X, y)
    assert_allclose(reg.student_.y_, 0.3 * teacher.predict(X) + 0.7 * y)


@pytest.mark.parametrize("augment", ["munge", "gaussian"])
def test_regressor_generated_rows_weigh_alpha_times_the_mean_weight(reg_data, augment):
    # multiplying sample_weight by a constant multiplies every row's weight,
    # the generated rows' too: their share is the same
    X, y = reg_data
    forest = RandomForestRegressor(n_estimators=5, random_state=0).fit(X, y)
    teacher = FrozenEstimator(forest)
    weight = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    reg = DistilledRegressor(
        teacher, RecordingRegressor(), alpha=0.3, augment=augment, augment_size=1.0,
        random_state=0,
    )
    recorded = clone(reg).fit(X, y, sample_weight=weight).student_.sample_weight_
    n_new = len(recorded) - len(y)
    assert n_new > 0
    assert_allclose(
        recorded, np.concatenate([weight, np.full(n_new, 0.3 * weight.mean())])
    )
    scaled = clone(reg).fit(X, y, sample_weight=50 * weight).student_.sample_weight_
    assert_allclose(scaled, 50 * recorded)
    unweighted = clone(reg).fit(X, y).student_.sample_weight_
    assert_allclose(unweighted, np.concatenate([np.ones(len(y)), np.full(n_new, 0.3)]))


@pytest.mark.parametrize("student", [Ridge(alpha=0.1), DecisionTreeRegressor(random_state=0)])
def test_regressor_alpha_zero_is_plain_student(reg_data, student):
    X, y = reg_data
    sw = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    reg = DistilledRegressor(RandomForestRegressor(n_estimators=5), student, alpha=0.0)
    reg.fit(X, y, sample_weight=sw)
    plain = clone(student).fit(X, y, sample_weight=sw)
    assert_array_equal(reg.predict(X), plain.predict(X))


@pytest.mark.parametrize("y_shape", ["float32", "column"])
def test_regressor_alpha_zero_keeps_y_as_given(reg_data, y_shape):
    X, y = reg_data
    X = X.astype(np.float32)
    y = y.astype(np.float32) if y_shape == "float32" else y.reshape(-1, 1)
    student = KNeighborsRegressor(n_neighbors=3)
    reg = DistilledRegressor(LinearRegression(), student, alpha=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)
        reg.fit(X, y)
    plain = clone(student).fit(X, y)
    assert reg.predict(X).dtype == plain.predict(X).dtype
    assert_array_equal(reg.predict(X), plain.predict(X))
    assert reg.augment_ is None


def test_regressor_column_y_keeps_its_shape_at_every_alpha(reg_data):
    # predict's shape follows y's, as the student's own fit would
    X, y = reg_data
    y = y.reshape(-1, 1)
    shape = LinearRegression().fit(X, y).predict(X).shape
    for alpha in (0.0, 0.5, 1.0):
        reg = DistilledRegressor(LinearRegression(), LinearRegression(), alpha=alpha)
        assert reg.fit(X, y).predict(X).shape == shape


@pytest.mark.parametrize("wrapper", ["ttr", "search", "voting"])
@pytest.mark.parametrize("role", ["teacher", "student"])
def test_a_wrapper_takes_sample_weight_as_what_it_wraps(reg_data, role, wrapper):
    # their fit hands sample_weight (TransformedTargetRegressor, voting) or
    # **params (a search, fold by fold; voting from scikit-learn 1.8) to the
    # models they wrap
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.ensemble import VotingRegressor
    from sklearn.model_selection import GridSearchCV

    X, y = reg_data
    sw = np.random.RandomState(0).uniform(0.0, 2.0, size=len(y))
    if wrapper == "ttr":
        model = TransformedTargetRegressor(
            Ridge(), func=np.arcsinh, inverse_func=np.sinh
        )
        inner = "regressor_"
    elif wrapper == "search":
        model = GridSearchCV(Ridge(), {"alpha": [0.01, 100.0]}, cv=3)
        inner = "best_estimator_"
    else:
        model = VotingRegressor([("ridge", Ridge()), ("strong", Ridge(alpha=10.0))])
        inner = "named_estimators_"
    teacher, student = (model, Ridge()) if role == "teacher" else (Ridge(), model)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no "fitted without it"
        reg = DistilledRegressor(teacher, student, alpha=0.5).fit(
            X, y, sample_weight=sw
        )
    if role == "teacher":
        weighted = clone(model).fit(X, y, sample_weight=sw)
        fitted, expected = (getattr(m, inner) for m in (reg.teacher_, weighted))
        if wrapper == "voting":
            fitted, expected = fitted["ridge"], expected["ridge"]
        assert_allclose(fitted.coef_, expected.coef_)
    plain = DistilledRegressor(teacher, student, alpha=0.0).fit(X, y, sample_weight=sw)
    expected = clone(student).fit(X, y, sample_weight=sw)
    assert_array_equal(plain.predict(X), expected.predict(X))


@pytest.mark.parametrize("wrapper", ["ttr", "search", "voting", "stacking"])
def test_a_pipeline_inside_a_wrapper_takes_no_bare_sample_weight(reg_data, wrapper):
    # the wrapper hands sample_weight on as it is, which a Pipeline refuses:
    # a teacher is then fitted without it (with a warning), a student that
    # needs weights is refused clearly
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.model_selection import GridSearchCV

    X, y = reg_data
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    pipe = make_pipeline(StandardScaler(), Ridge())
    if wrapper == "ttr":
        model = TransformedTargetRegressor(pipe, func=np.arcsinh, inverse_func=np.sinh)
    elif wrapper == "search":
        model = GridSearchCV(pipe, {"ridge__alpha": [0.1, 1.0]}, cv=3)
    elif wrapper == "voting":
        from sklearn.ensemble import VotingRegressor

        model = VotingRegressor([("pipe", pipe), ("ridge", Ridge())])
    else:
        from sklearn.ensemble import StackingRegressor

        model = StackingRegressor(
            [("pipe", pipe), ("ridge", Ridge())], final_estimator=Ridge(), cv=3
        )
    with pytest.warns(UserWarning, match="fitted without it"):
        DistilledRegressor(model, Ridge(), alpha=0.5).fit(X, y, sample_weight=sw)
    with pytest.raises(TypeError, match="does not accept sample_weight"):
        DistilledRegressor(Ridge(), model, augment="gaussian").fit(X, y)


@pytest.mark.parametrize(
    "teacher_outputs, y_outputs", [(2, 1), (1, 2), (2, 3)]
)
def test_regressor_teacher_with_other_outputs_is_refused(
    reg_data, teacher_outputs, y_outputs
):
    X, y = reg_data
    Y = np.column_stack([y * (k + 1) for k in range(3)])
    teacher_y = y if teacher_outputs == 1 else Y[:, :teacher_outputs]
    fit_y = y if y_outputs == 1 else Y[:, :y_outputs]
    teacher = FrozenEstimator(LinearRegression().fit(X, teacher_y))
    reg = DistilledRegressor(teacher, Ridge(), alpha=0.5)
    with pytest.raises(ValueError, match="teacher's predict returned shape"):
        reg.fit(X, fit_y)


def test_regressor_teacher_cv_and_augment(reg_data):
    X, y = reg_data
    teacher = LinearRegression()
    cv = KFold(4)
    reg = DistilledRegressor(
        teacher, RecordingRegressor(), alpha=1.0, teacher_cv=cv,
        augment="gaussian", augment_size=0.5, random_state=0,
    ).fit(X, y)
    expected = np.zeros(len(y))
    for train, test in cv.split(X):
        expected[test] = clone(teacher).fit(X[train], y[train]).predict(X[test])
    assert_allclose(reg.student_.y_[:120], expected)
    X_new = reg.student_.X_[120:]
    assert X_new.shape == (60, 4)
    assert_allclose(reg.student_.y_[120:], reg.teacher_.predict(X_new))


def test_regressor_student_without_sample_weight(reg_data):
    X, y = reg_data

    class NoWeight(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            self.mean_ = np.mean(y)
            return self

        def predict(self, X):
            return np.full(X.shape[0], self.mean_)

    reg = DistilledRegressor(LinearRegression(), NoWeight(), augment="gaussian")
    with pytest.raises(TypeError, match="does not accept sample_weight"):
        reg.fit(X, y)
    reg.set_params(alpha=1.0)
    reg.fit(X, y)  # generated rows weigh 1 at alpha=1: no weights needed
    assert np.isfinite(reg.student_.mean_)


# ---------------------------------------------------------------- streaming


def test_partial_fit_classifier_is_deterministic_and_learns(data):
    X, y = data
    X = X[:, 1:]
    teacher = FrozenEstimator(RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y))

    def stream(y_chunks):
        clf = DistilledClassifier(
            teacher, SGDClassifier(loss="log_loss", random_state=0), alpha=0.5, T=2.0
        )
        for start in range(0, 150, 50):
            chunk_y = None if y_chunks is None else y_chunks[start : start + 50]
            clf.partial_fit(X[start : start + 50], chunk_y)
        return clf

    a, b = stream(y), stream(y)
    assert_array_equal(a.student_.coef_, b.student_.coef_)
    assert_array_equal(a.classes_, [0, 1, 2])
    pure = stream(None)
    assert not np.allclose(pure.student_.coef_, a.student_.coef_)
    fidelity = np.mean(pure.predict(X) == teacher.predict(X))
    assert fidelity > 0.5


def test_partial_fit_regressor_student_for_classifier(data):
    X, y = data
    X = X[:, 1:]
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    clf = DistilledClassifier(
        teacher, MLPRegressor(hidden_layer_sizes=(8,), random_state=0), alpha=1.0
    )
    for start in range(0, 150, 50):
        clf.partial_fit(X[start : start + 50])
    assert clf.predict_proba(X).shape == (150, 3)



@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_single_output_regressor_student_points_to_multioutput(data, method):
    from sklearn.linear_model import SGDRegressor
    from sklearn.multioutput import MultiOutputRegressor

    X, y = data
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    clf = DistilledClassifier(teacher, SGDRegressor(random_state=0))
    match = (
        r"^The student SGDRegressor\(random_state=0\), a regressor, failed in "
        f"{method} on the multi-output targets"
    )
    with pytest.raises(TypeError, match=match):
        getattr(clf, method)(X, y)
    wrapped = MultiOutputRegressor(SGDRegressor(random_state=0))
    clf = DistilledClassifier(teacher, wrapped)
    getattr(clf, method)(X, y)
    assert clf.predict_proba(X).shape == (len(y), 3)


class _OneColumnRegressor(RegressorMixin, BaseEstimator):
    """Refuses several outputs with its own error class, as CatBoost does
    (LightGBM: a TypeError)."""

    class Refusal(Exception):
        pass

    def fit(self, X, y, sample_weight=None):
        if np.ndim(y) != 1:
            raise self.Refusal("only one target column")
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.mark.parametrize("student", ["own error", "lightgbm"])
def test_regressor_student_refusing_outputs_with_any_error_points_to_multioutput(
    data, student
):
    from sklearn.multioutput import MultiOutputRegressor

    if student == "lightgbm":
        lgb = pytest.importorskip("lightgbm")
        student = lgb.LGBMRegressor(n_estimators=5, verbose=-1)
    else:
        student = _OneColumnRegressor()
    X, y = data
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    clf = DistilledClassifier(teacher, student)
    with pytest.raises(TypeError, match="Wrap it in sklearn.multioutput") as info:
        clf.fit(X, y)
    assert "a regressor, failed in fit on the multi-output targets" in str(info.value)
    clf.set_params(student=MultiOutputRegressor(student)).fit(X, y)
    assert clf.predict_proba(X).shape == (len(y), 3)


def test_multi_output_refusals_are_told_by_a_one_output_fit(data):
    # LassoCV says "use MultiTaskLassoCV" (was the student's bare error);
    # IsotonicRegression refuses X's several features (was advice to wrap
    # it in MultiOutputRegressor, which refuses them alike)
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LassoCV
    from sklearn.multioutput import MultiOutputRegressor

    X, y = data
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    clf = DistilledClassifier(teacher, LassoCV(cv=3))
    with pytest.raises(TypeError, match="Wrap it in sklearn.multioutput"):
        clf.fit(X, y)
    clf.set_params(student=MultiOutputRegressor(LassoCV(cv=3))).fit(X, y)
    assert clf.score(X, y) > 0.5
    clf.set_params(student=IsotonicRegression())
    with pytest.raises(ValueError, match="1 feature") as info:
        clf.fit(X, y)
    assert "MultiOutputRegressor" not in str(info.value)

def test_partial_fit_regressor(reg_data):
    X, y = reg_data
    teacher = FrozenEstimator(LinearRegression().fit(X, y))
    reg = DistilledRegressor(teacher, SGDRegressor(random_state=0), alpha=1.0)
    for _ in range(20):
        for start in range(0, 120, 40):
            reg.partial_fit(X[start : start + 40])
    assert np.corrcoef(reg.predict(X), teacher.predict(X))[0, 1] > 0.99


def test_partial_fit_needs_fitted_frozen_teacher(data):
    X, y = data
    # without a frozen teacher, partial_fit is not offered at all
    clf = DistilledClassifier(LogisticRegression(), SGDClassifier(loss="log_loss"))
    assert not hasattr(clf, "partial_fit")
    reg = DistilledRegressor(LinearRegression(), SGDRegressor())
    assert not hasattr(reg, "partial_fit")
    clf = DistilledClassifier(
        FrozenEstimator(LogisticRegression()), SGDClassifier(loss="log_loss")
    )
    with pytest.raises(NotFittedError):
        clf.partial_fit(X, y)
    reg = DistilledRegressor(FrozenEstimator(LinearRegression()), SGDRegressor())
    with pytest.raises(NotFittedError):
        reg.partial_fit(X, y)


def test_partial_fit_only_with_student_partial_fit(data):
    X, y = data
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression())
    assert not hasattr(clf, "partial_fit")


def test_partial_fit_labels_outside_classes(data):
    X, y = data
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    clf = DistilledClassifier(teacher, SGDClassifier(loss="log_loss"))
    with pytest.raises(ValueError, match="None of the labels in y"):
        clf.partial_fit(X, y + 5)
    clf = DistilledClassifier(teacher, SGDClassifier(loss="log_loss"))
    # (the teacher's 0 and 1 are y's 1 and 2: said; y's 3 it does not know)
    said = r"relabelled \(its 0 as y's 1, its 1 as y's 2\)"
    with pytest.warns(UserWarning, match=said):
        clf.partial_fit(X, y + 1, classes=[0, 1, 2, 3])
    assert_array_equal(clf.classes_, [0, 1, 2, 3])


def test_partial_fit_chunks_of_classes_declared_by_classes(data, recwarn):
    # as scikit-learn's partial_fit: once classes= has fixed every class, a
    # chunk may hold any of them, even only one the teacher does not know
    X, y = data
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    clf = DistilledClassifier(teacher, SGDClassifier(loss="log_loss", random_state=0))
    only_new = np.full(20, 3)
    clf.partial_fit(X[:20], only_new, classes=[0, 1, 2, 3])
    clf.partial_fit(X[20:40], np.where(y[20:40] == 0, 3, 0))  # {0, 3}
    clf.partial_fit(X[40:60], only_new)
    clf.partial_fit(X[60:])
    assert_array_equal(clf.classes_, [0, 1, 2, 3])
    assert_array_equal(clf.student_.classes_, [0, 1, 2, 3])
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]
    # without classes=, a first chunk of labels the teacher does not know is
    # refused for what it is
    clf = DistilledClassifier(teacher, SGDClassifier(loss="log_loss"))
    with pytest.raises(ValueError, match="None of the labels in y"):
        clf.partial_fit(X[:20], only_new)
    with pytest.raises(ValueError, match="strings"):
        clf.partial_fit(X[:20], np.array(["a", "b"] * 10))


def test_partial_fit_refuses_labels_of_another_kind_in_every_chunk(data):
    # True and False equal 1 and 0: against a teacher of classes 0, 1, 2 a
    # chunk of booleans is refused as fit refuses it, at the first call and
    # later, and a later chunk of strings is refused for its kind
    X, y = data
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    with pytest.raises(ValueError, match="cannot be booleans"):
        DistilledClassifier(teacher, SGDClassifier(loss="log_loss")).fit(X, y > 0)
    for first in ({"y": y[:20]}, {"y": None}, {"y": y[:20], "classes": [0, 1, 2]}):
        clf = DistilledClassifier(teacher, SGDClassifier(loss="log_loss"))
        clf.partial_fit(X[:20], **first)
        with pytest.raises(ValueError, match="cannot be booleans"):
            clf.partial_fit(X[20:40], y[20:40] > 0)
        with pytest.raises(ValueError, match="are strings"):
            clf.partial_fit(X[20:40], y[20:40].astype(str))
    clf = DistilledClassifier(teacher, SGDClassifier(loss="log_loss"))
    with pytest.raises(ValueError, match="cannot be booleans"):
        clf.partial_fit(X[:20], y[:20] > 0)
    assert not hasattr(clf, "student_")
    # a teacher of classes 0 and 1, and a class 2 from classes=
    two = y < 2
    teacher = FrozenEstimator(LogisticRegression().fit(X[two], y[two]))
    clf = DistilledClassifier(teacher, SGDClassifier(loss="log_loss"))
    clf.partial_fit(X[:20], y[:20], classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"booleans, but classes_ \[0, 1, 2\]"):
        clf.partial_fit(X[20:40], y[20:40] > 0)
    DistilledClassifier(teacher, SGDClassifier(loss="log_loss")).partial_fit(
        X[two], y[two] > 0
    )  # booleans for the teacher's 0 and 1


@pytest.mark.parametrize("student", [SGDClassifier(random_state=0), GaussianNB()])
def test_partial_fit_after_fit_with_fewer_classes(data, student):
    # fit at alpha=0 gives the student the labels' classes only (here 2 of
    # the teacher's 3): partial_fit goes on with them, as scikit-learn's own
    # fit then partial_fit does, and refuses targets of the third class
    X, y = data
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    two = y < 2
    clf = DistilledClassifier(teacher, student, alpha=0.0).fit(X[two], y[two])
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert_array_equal(clf.student_.classes_, [0, 1])
    plain = clone(student).fit(X[two], y[two]).partial_fit(X[two], y[two])
    clf.partial_fit(X[two], y[two])
    learned = "coef_" if hasattr(plain, "coef_") else "theta_"
    assert_allclose(getattr(clf.student_, learned), getattr(plain, learned))
    assert_array_equal(clf.predict(X), plain.predict(X))
    with pytest.raises(ValueError, match="Begin the stream with partial_fit"):
        clf.partial_fit(X)  # the teacher's targets give weight to class 2


def test_partial_fit_after_fit_of_a_student_with_its_classes_in_another_order(data):
    # SoftLogisticRegression(classes=[2, 1, 0]) keeps its order after fit at
    # alpha=0; the stream goes on with it, as the student alone does
    from skdistill import SoftLogisticRegression

    X, y = data
    X = X[:, 1:]  # (not the row numbers, whose scale slows the solver)
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    student = SoftLogisticRegression(classes=[2, 1, 0])
    clf = DistilledClassifier(teacher, student, alpha=0.0).fit(X[:80], y[:80])
    clf.partial_fit(X[80:], y[80:])
    plain = clone(student).fit(X[:80], y[:80]).partial_fit(X[80:], y[80:])
    assert_array_equal(clf.student_.classes_, [2, 1, 0])
    assert_allclose(clf.student_.coef_, plain.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(clf.predict_proba(X), plain.predict_proba(X)[:, ::-1], atol=1e-8)


def test_partial_fit_alpha_zero_leaves_out_rows_without_label(data):
    # as fit does: at alpha=0 they weigh nothing; a chunk of them only is
    # skipped, and a first chunk needs labels
    X, y = data
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    y_part = np.where(np.arange(len(y)) % 3 == 0, -1, y)
    labeled = y_part != -1
    clf = DistilledClassifier(
        teacher, SGDClassifier(random_state=0), alpha=0.0, unlabeled=-1
    )
    with pytest.raises(ValueError, match="first chunk has no labeled rows"):
        clf.partial_fit(X[:30], np.full(30, -1))
    assert not hasattr(clf, "student_")
    clf.partial_fit(X, y_part)
    plain = SGDClassifier(random_state=0).partial_fit(
        X[labeled], y[labeled], classes=[0, 1, 2]
    )
    assert_allclose(clf.student_.coef_, plain.coef_)
    clf.partial_fit(X[:30], np.full(30, -1))
    assert_allclose(clf.student_.coef_, plain.coef_)


def test_partial_fit_regressor_teacher_for_a_classifier(data, reg_data):
    X, y = reg_data
    teacher = FrozenEstimator(LinearRegression().fit(X, y))
    clf = DistilledClassifier(teacher, SGDClassifier())
    with pytest.raises(TypeError, match="neither predict_proba nor decision_function"):
        clf.partial_fit(X, (y > 0).astype(int))
    assert not hasattr(clf, "classes_")


def test_partial_fit_multi_output_regressor_the_tag_does_not_declare(reg_data):
    # MLPRegressor fits several outputs though its tag says otherwise: the
    # student decides, and its own errors are not turned into advice to
    # wrap it in MultiOutputRegressor
    X, y = reg_data
    Y = np.column_stack([y, -y])
    teacher = FrozenEstimator(LinearRegression().fit(X, Y))
    reg = DistilledRegressor(teacher, MLPRegressor(hidden_layer_sizes=(4,)))
    reg.partial_fit(X, Y)
    assert reg.predict(X).shape == (len(y), 2)
    clf_teacher = FrozenEstimator(LogisticRegression().fit(X, y > 0))
    clf = DistilledClassifier(clf_teacher, MLPRegressor(early_stopping=True))
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        clf.partial_fit(X)


def test_failed_first_partial_fit_leaves_no_fitted_state(data, reg_data):
    X, y = data
    teacher = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y))
    clf = DistilledClassifier(teacher, SGDClassifier(loss="log_loss"))
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X, y + 1)
    fitted = [name for name in vars(clf) if name.endswith("_")]
    assert fitted == []
    with pytest.raises(NotFittedError):
        clf.predict(X)
    # the next call is a first call again, with the parameters set since
    clf.set_params(student=SGDClassifier(loss="modified_huber"))
    with pytest.warns(UserWarning, match="relabelled"):  # (y + 1)
        clf.partial_fit(X, y + 1, classes=[0, 1, 2, 3])
    assert_array_equal(clf.classes_, [0, 1, 2, 3])
    assert clf.student_.loss == "modified_huber"
    # a later call that fails keeps the model of the calls before it
    coef = clf.student_.coef_.copy()
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X, y + 2)
    assert_array_equal(clf.student_.coef_, coef)

    X, y = reg_data
    teacher = FrozenEstimator(LinearRegression().fit(X, y))
    reg = DistilledRegressor(teacher, SGDRegressor(random_state=0), alpha=0.5)
    y_nan = y.copy()
    y_nan[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        reg.partial_fit(X, y_nan)
    assert [name for name in vars(reg) if name.endswith("_")] == []
    reg.partial_fit(X, y)
    assert reg.n_features_in_ == X.shape[1]


def test_refit_student_rebuilds_the_same_training_set(data):
    # With nothing pruned, the refit reproduces the student: same out-of-fold
    # targets, same generated rows, same unlabeled rows.
    X, y = data
    y = y.copy()
    y[::7] = -1
    clf = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(max_iter=1000),
        alpha=0.7,
        T=2.0,
        teacher_cv=3,
        augment="gaussian",
        unlabeled=-1,
        random_state=0,
    ).fit(X, y)
    coef = clf.student_.coef_.copy()
    refit_set = soft_refit_set(clf, X, y)
    refit_student(clf, refit_set, np.ones(coef.shape, dtype=bool))
    assert_allclose(clf.student_.coef_, coef, rtol=1e-10)
    mask = np.abs(coef) > np.median(np.abs(coef))
    refit_student(clf, refit_set, mask)
    assert np.all(clf.student_.coef_[~mask] == 0)


def test_munge_on_dataframe_detects_categories():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    df = pd.DataFrame(
        {
            "a": rng.normal(size=120),
            "b": pd.Categorical(rng.choice([0, 5, 9], size=120)),
            "c": rng.normal(size=120),
        }
    )
    y = (df["a"] > 0).astype(int).to_numpy()
    clf = DistilledClassifier(
        RandomForestClassifier(n_estimators=5, random_state=0),
        RecordingClassifier(),
        augment="munge",
        augment_size=2.0,
        augment_params={"p": 1.0, "s": 1.0},
        random_state=0,
    ).fit(df, y)
    # the student receives a DataFrame with the same columns and dtypes
    X_student = clf.student_.X_
    assert list(X_student.columns) == ["a", "b", "c"]
    assert (X_student.dtypes == df.dtypes).all()
    generated = X_student["b"].to_numpy()[120:]
    # the categorical column is swapped, never averaged
    assert set(np.unique(generated)) <= {0, 5, 9}
    assert len(np.unique(X_student["a"])) > 120  # continuous ones move


class RecordingTree(DecisionTreeClassifier):
    """A decision tree that keeps the rows it was fitted on."""

    def fit(self, X, y, sample_weight=None, check_input=True):
        self.X_seen_ = np.asarray(X)
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def _forest_teacher(X, y):
    return FrozenEstimator(RandomForestClassifier(20, random_state=0).fit(X, y))


def test_auto_augment_gives_tree_students_munge_rows(data):
    X, y = data
    teacher = _forest_teacher(X, y)
    clf = DistilledClassifier(teacher, RecordingTree(max_depth=3), random_state=0)
    clf.fit(X, y)
    assert clf.augment == "auto" and clf.augment_ == "munge"
    # five generated rows per training row (rows are repeated once per class;
    # a generated row equals a training row when MUNGE changed none of it)
    assert 150 * 5 < len(np.unique(clf.student_.X_seen_, axis=0)) <= 150 * 6
    assert_array_equal(clf.predict(X), clf.student_.predict(X))
    same = DistilledClassifier(teacher, RecordingTree(max_depth=3), random_state=0)
    assert_array_equal(same.fit(X, y).student_.X_seen_, clf.student_.X_seen_)
    # augment_size applies to the rows of "auto"; a Pipeline's last step counts
    clf = DistilledClassifier(
        teacher,
        make_pipeline(StandardScaler(), RecordingTree(max_depth=3)),
        augment_size=2.0,
        random_state=0,
    ).fit(X, y)
    assert clf.augment_ == "munge"
    assert 150 * 2 < len(np.unique(clf.student_[-1].X_seen_, axis=0)) <= 150 * 3


@pytest.mark.parametrize(
    "student, params",
    [
        (LogisticRegression(max_iter=1000), {}),  # not a tree
        (RecordingTree(max_depth=3), {"alpha": 0.0}),  # the labels alone
        (RecordingTree(max_depth=3), {"augment": None}),
    ],
)
def test_auto_augment_generates_no_rows_otherwise(data, student, params):
    X, y = data
    clf = DistilledClassifier(_forest_teacher(X, y), student, **params).fit(X, y)
    assert clf.augment_ is None
    if isinstance(student, RecordingTree):
        assert len(np.unique(clf.student_.X_seen_, axis=0)) == 150


def test_auto_augment_needs_a_small_dense_finite_numeric_table():
    pd = pytest.importorskip("pandas")
    tree = DistilledClassifier(LogisticRegression(), DecisionTreeClassifier())
    X = np.random.RandomState(0).normal(size=(AUTO_MAX_ROWS, 3))
    assert resolve_augment(tree, X) == ("munge", 5.0)
    assert resolve_augment(tree, X.astype(np.float32)) == ("munge", 5.0)
    assert resolve_augment(tree, X[:2]) == ("munge", 5.0)
    assert resolve_augment(tree, X[:1]) == (None, None)
    assert resolve_augment(tree, np.vstack([X, X[:1]])) == (None, None)  # too many
    assert resolve_augment(tree, sparse.csr_matrix(X)) == (None, None)
    for bad in (np.nan, np.inf):
        X_bad = X.copy()
        X_bad[3, 1] = bad
        assert resolve_augment(tree, X_bad) == (None, None)
    frame = pd.DataFrame(X[:100], columns=["a", "b", "c"])
    frame["d"] = pd.Categorical(np.arange(100) % 3)
    assert resolve_augment(tree, frame) == ("munge", 5.0)
    with_nan = frame.copy()
    with_nan.loc[5, "d"] = np.nan
    assert resolve_augment(tree, with_nan) == (None, None)
    strings = frame.assign(e=["x", "y"] * 50)
    assert resolve_augment(tree, strings) == (None, None)
    # pandas' nullable numbers are numbers (munge reads them as float64)
    nullable = frame.astype({"a": "Float64"}).assign(e=pd.array(range(100), "Int64"))
    assert resolve_augment(tree, nullable) == ("munge", 5.0)
    nullable.loc[4, "a"] = pd.NA
    assert resolve_augment(tree, nullable) == (None, None)
    flags = frame.assign(e=np.arange(100) % 2 == 0)  # booleans: categorical
    assert resolve_augment(tree, flags) == ("munge", 5.0)
    assert resolve_augment(tree, flags.astype({"e": "boolean"})) == ("munge", 5.0)
    flags_na = flags.astype({"e": "boolean"})
    flags_na.loc[3, "e"] = pd.NA
    assert resolve_augment(tree, flags_na) == (None, None)
    # explicit generators are used whatever the student and the table
    linear = DistilledClassifier(LogisticRegression(), LogisticRegression())
    assert resolve_augment(linear, X) == (None, None)
    linear.set_params(augment="gaussian")
    assert resolve_augment(linear, sparse.csr_matrix(X)) == ("gaussian", 1.0)
    linear.set_params(augment="munge", augment_size=3.0)
    assert resolve_augment(linear, X) == ("munge", 3.0)


def test_auto_augment_is_for_classifiers_only(reg_data):
    X, y = reg_data
    with pytest.raises(ValueError, match="'augment' parameter"):
        DistilledRegressor(LinearRegression(), Ridge(), augment="auto").fit(X, y)
    reg = DistilledRegressor(LinearRegression(), Ridge()).fit(X, y)
    assert reg.augment is None and reg.augment_ is None


class NonFiniteRegressor(LinearRegression):
    """A regressor teacher predicting ``value`` on its first rows."""

    def __init__(self, value=np.nan):
        super().__init__()
        self.value = value

    def predict(self, X):
        prediction = super().predict(X)
        prediction[:3] = self.value
        return prediction


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_regressor_teacher_non_finite_predictions_are_the_teachers(reg_data, value):
    X, y = reg_data
    teacher = NonFiniteRegressor(value)
    with pytest.raises(ValueError, match="teacher's predict returned NaN or infinite"):
        DistilledRegressor(teacher, Ridge()).fit(X, y)
    frozen = FrozenEstimator(clone(teacher).fit(X, y))
    reg = DistilledRegressor(frozen, SGDRegressor(random_state=0))
    with pytest.raises(ValueError, match="on 3 of"):
        reg.partial_fit(X, y)
    with pytest.raises(ValueError, match="on 3 of"):  # a transfer set, no y
        reg.partial_fit(X)


class ListRegressor(LinearRegression):
    """A regressor teacher whose predict is a list of floats."""

    def predict(self, X):
        return super().predict(X).tolist()


def test_regressor_teacher_predicting_a_list(reg_data):
    X, y = reg_data
    listed = DistilledRegressor(ListRegressor(), Ridge()).fit(X, y)
    arrays = DistilledRegressor(LinearRegression(), Ridge()).fit(X, y)
    assert_allclose(listed.student_.coef_, arrays.student_.coef_)


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_callable_augment_must_return_rows_of_xs_kind(data, library):
    module = pytest.importorskip(library)
    X, y = data
    names = [f"x{j}" for j in range(X.shape[1])]
    if library == "pandas":
        frame = module.DataFrame(X, columns=names)
    else:
        frame = module.DataFrame(X, schema=names)

    def as_array(X, n_samples, random_state):
        return np.asarray(X)[:n_samples]

    clf = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), augment=as_array, random_state=0
    )
    with pytest.raises(
        ValueError, match=f"returned a ndarray for a DataFrame X of {library}"
    ):
        clf.fit(frame, y)


def test_callable_augment_must_return_a_series_for_a_series_of_texts():
    pd = pytest.importorskip("pandas")
    from sklearn.feature_extraction.text import CountVectorizer

    texts = pd.Series(["good day", "bad night", "fine", "so so good"] * 10)
    y = np.array([1, 0, 0, 1] * 10)

    def as_list(X, n_samples, random_state):
        return list(X)[:n_samples]

    model = make_pipeline(CountVectorizer(), LogisticRegression())
    clf = DistilledClassifier(model, model, augment=as_list, random_state=0)
    with pytest.raises(ValueError, match="returned a list for a pandas Series X"):
        clf.fit(texts, y)


def test_callable_augment_on_a_column_of_texts():
    from sklearn.feature_extraction.text import TfidfVectorizer

    rng = np.random.RandomState(0)
    texts = rng.choice(["good day", "bad night", "fine", "so so good"], 60)
    y = (np.char.find(texts.astype(str), "good") >= 0).astype(int)

    def resample(X, n_samples, random_state):
        return np.random.RandomState(random_state).choice(X, n_samples)

    clf = DistilledClassifier(
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
        make_pipeline(TfidfVectorizer(), RecordingClassifier()),
        augment=resample,
        random_state=0,
    ).fit(texts, y)
    assert clf.augment_ is resample
    assert clf.student_[-1].X_.shape[0] >= 2 * len(texts)  # repeated per class

    def tabular(X, n_samples, random_state):
        return np.asarray(X)[:n_samples, None]

    with pytest.raises(ValueError, match=r"expected \(n,\) with n > 0"):
        clf.set_params(augment=tabular).fit(texts, y)


def test_augment_params_that_are_not_the_generators_options(data):
    X, y = data
    for augment, params in (("munge", {"scale": 0.3}), ("gaussian", {"sigma": 1.0})):
        clf = DistilledClassifier(
            LogisticRegression(), LogisticRegression(), augment=augment,
            augment_params=params,
        )
        with pytest.raises(TypeError, match="are not options of augment="):
            clf.fit(X, y)
    # the distiller's own: a clear refusal, not "not options" (they are)
    for params in ({"random_state": 5}, {"n_samples": 10}):
        clf = DistilledClassifier(
            LogisticRegression(), LogisticRegression(), augment="munge",
            augment_params=params,
        )
        with pytest.raises(TypeError, match="augment_params may not set"):
            clf.fit(X, y)


def test_generated_rows_refused_by_the_teacher_say_so(data):
    # integer codes of a category are generated as continuous values, which
    # a one-hot encoder that refuses unknown categories refuses
    X, y = data
    X = np.column_stack([X[:, :3], np.arange(len(y)) % 4])
    encode = make_column_transformer(
        (OneHotEncoder(), [3]), remainder="passthrough"
    )
    clf = DistilledClassifier(
        make_pipeline(encode, LogisticRegression(max_iter=1000)),
        make_pipeline(clone(encode), DecisionTreeClassifier(max_depth=3)),
        random_state=0,
    )
    with pytest.raises(ValueError) as info:
        clf.fit(X, y)
    notes = " ".join(getattr(info.value, "__notes__", [str(info.value)]))
    assert "augment='munge' (augment='auto')" in notes
    assert "categorical_features" in notes


def test_regressor_student_without_weights_at_alpha_zero(data):
    # rows without a label weigh nothing at alpha=0: left out, the student
    # is fitted on the labeled rows although it takes no sample_weight
    X, y = data
    y_partial = y.copy()
    y_partial[::3] = -1
    labeled = y_partial != -1
    clf = DistilledClassifier(
        RandomForestClassifier(5, random_state=0), KNeighborsRegressor(),
        alpha=0.0, unlabeled=-1, augment=None,
    ).fit(X, y_partial)
    reference = DistilledClassifier(
        RandomForestClassifier(5, random_state=0), KNeighborsRegressor(),
        alpha=0.0, augment=None,
    ).fit(X[labeled], y[labeled])
    assert_allclose(clf.predict_proba(X), reference.predict_proba(X))
    with pytest.raises(TypeError, match="does not accept sample_weight"):
        clf.set_params(alpha=0.5).fit(X, y_partial)


def test_alpha_zero_without_any_label_is_refused(data):
    X, y = data
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    clf = DistilledClassifier(teacher, LogisticRegression(), alpha=0.0, unlabeled=-1)
    with pytest.raises(ValueError, match="has no labeled row"):
        clf.fit(X, np.full(len(y), -1))


def test_a_callable_augments_rows_are_named_in_errors(data):
    # NaN rows from a callable were blamed on the student, on an X without
    # NaN; a teacher's refusal of its rows got the built-in generators' advice
    X, y = data

    def with_nan(X, n_samples, random_state):
        rows = X[:n_samples].copy()
        rows[0, 0] = np.nan
        return rows

    clf = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), augment=with_nan
    )
    with pytest.raises(ValueError, match="rows returned by augment=.* have missing"):
        clf.fit(X, y)

    def as_text(X, n_samples, random_state):
        return np.full((n_samples, X.shape[1]), "a", dtype=object)

    with pytest.raises(ValueError) as info:
        clf.set_params(augment=as_text).fit(X, y)
    notes = " ".join(getattr(info.value, "__notes__", []))
    assert "On the rows returned by augment=" in notes
    assert "categorical_features" not in notes


def test_regressor_teacher_nan_on_generated_rows_only_is_said_to_be_theirs():
    # the teacher is finite on the training rows and NaN beyond their range:
    # the error points at the generated rows, not at the user's (as the
    # classifier's does)
    from sklearn.isotonic import IsotonicRegression

    rng = np.random.RandomState(0)
    X = rng.rand(60, 1)
    y = X[:, 0] ** 2 + 0.05 * rng.randn(60)
    teacher = IsotonicRegression(out_of_bounds="nan")
    assert np.isfinite(clone(teacher).fit(X, y).predict(X)).all()
    reg = DistilledRegressor(
        teacher, DecisionTreeRegressor(max_depth=3), augment="gaussian", random_state=0
    )
    with pytest.raises(ValueError, match="NaN") as info:
        reg.fit(X, y)
    assert any(
        "generated by augment='gaussian'" in note
        for note in getattr(info.value, "__notes__", ())
    )
