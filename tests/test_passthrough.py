"""X handed through as given: mixed tables, NaN, Pipeline students, labels."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    BaggingClassifier,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    VotingClassifier,
)
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skdistill import DistillationSearchCV, DistilledClassifier, DistilledRegressor

pd = pytest.importorskip("pandas")

LABELS = np.array(["died", "survived"])


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Stores what its fit received; predicts the first class."""

    def fit(self, X, y, sample_weight=None):
        self.X_, self.y_, self.sample_weight_ = X, np.asarray(y), sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class RecordingTeacher(ClassifierMixin, BaseEstimator):
    """Stores every input of predict_proba; answers 0.25 / 0.75."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.seen_ = []
        return self

    def predict_proba(self, X):
        self.seen_.append(X)
        return np.tile([0.25, 0.75], (len(X), 1))


def _table(n=240, with_nan=True, strings=True, seed=0):
    """A passenger-like table: strings, categories, numbers with NaN."""
    rng = np.random.RandomState(seed)
    town = rng.choice(["north", "south", "east"], n)
    deck = rng.choice(["A", "B", "C", "D"], n)
    age = rng.uniform(1, 80, n)
    fare = rng.lognormal(3, 1, n)
    logit = 1.5 * (town == "north") - 1.2 * (deck == "D") + 0.03 * age - 1.0
    y = LABELS[(rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)]
    if with_nan:
        age[rng.uniform(size=n) < 0.15] = np.nan
    df = pd.DataFrame(
        {
            "town": town if strings else pd.Categorical(town),
            "deck": pd.Categorical(deck),
            "age": age,
            "fare": fare,
        }
    )
    return df, y


def _encoder():
    return make_column_transformer(
        (
            OneHotEncoder(handle_unknown="ignore"),
            make_column_selector(dtype_exclude="number"),
        ),
        (
            make_pipeline(SimpleImputer(), StandardScaler()),
            make_column_selector(dtype_include="number"),
        ),
    )


def _pipeline_student():
    return make_pipeline(_encoder(), LogisticRegression(max_iter=1000))


def _teachers():
    yield "hgb", lambda: HistGradientBoostingClassifier(
        categorical_features="from_dtype", max_iter=20, random_state=0
    ), False
    yield "svc_pipeline", lambda: make_pipeline(_encoder(), SVC()), True
    yield "xgboost", _xgb, False
    yield "lightgbm", _lgbm, False


def _xgb():
    xgb = pytest.importorskip("xgboost")
    return xgb.XGBClassifier(
        n_estimators=15, max_depth=3, enable_categorical=True, n_jobs=1, random_state=0
    )


def _lgbm():
    lgbm = pytest.importorskip("lightgbm")
    return lgbm.LGBMClassifier(n_estimators=15, n_jobs=1, verbose=-1, random_state=0)


_STUDENTS = {
    "pipeline_logistic": (
        _pipeline_student,
        "student__logisticregression__C",
        [0.1, 10.0],
    ),
    "small_hgb": (
        lambda: HistGradientBoostingClassifier(
            categorical_features="from_dtype", max_iter=10, max_depth=3, random_state=0
        ),
        "student__l2_regularization",
        [0.0, 1.0],
    ),
}


@pytest.mark.parametrize("student_name", list(_STUDENTS))
@pytest.mark.parametrize(
    "teacher_name, make_teacher, takes_strings",
    list(_teachers()),
    ids=[name for name, _, _ in _teachers()],
)
def test_mixed_table_in_grid_search(
    teacher_name, make_teacher, takes_strings, student_name
):
    make_student, penalty, values = _STUDENTS[student_name]
    df, y = _table(strings=takes_strings and student_name == "pipeline_logistic")
    teacher = make_teacher()
    search = GridSearchCV(
        DistilledClassifier(teacher, make_student()),
        [
            {"alpha": [0.0], penalty: values},
            {"alpha": [0.8], "T": [1.0, 3.0], penalty: values},
        ],
        cv=2,
    ).fit(df, y)
    best = search.best_estimator_
    assert_array_equal(best.classes_, LABELS)
    assert_array_equal(best.feature_names_in_, df.columns)
    # the shipped student alone works on the raw frame, without warnings
    student = best.student_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predicted = student.predict(df)
    assert_array_equal(student.feature_names_in_, df.columns)
    assert set(predicted) <= set(LABELS)
    assert_array_equal(predicted, best.predict(df))
    # it learned something: better than always answering the majority label
    majority = max(np.mean(y == label) for label in LABELS)
    assert np.mean(predicted == y) > majority


def test_frame_reaches_teacher_and_student_with_its_dtypes():
    df, _ = _table(with_nan=False, strings=False)
    y = np.where(np.arange(len(df)) % 3 == 0, -1, np.arange(len(df)) % 2)
    teacher = RecordingTeacher().fit(df, [0, 1])
    clf = DistilledClassifier(
        FrozenEstimator(teacher),
        RecordingClassifier(),
        alpha=0.5,
        augment="munge",
        augment_size=0.5,
        unlabeled=-1,
        random_state=0,
    ).fit(df, y)
    # labeled, unlabeled and generated rows all reach the teacher as frames
    assert len(teacher.seen_) == 3
    for X in teacher.seen_:
        assert isinstance(X, pd.DataFrame)
        assert (X.dtypes == df.dtypes).all()
    # the student's rows (repeated once per class) are a frame too
    X_student = clf.student_.X_
    assert isinstance(X_student, pd.DataFrame)
    assert (X_student.dtypes == df.dtypes).all()
    assert len(X_student) == 2 * (len(df) + len(df) // 2)
    # the teacher's frame is never converted
    assert list(X_student.columns) == list(df.columns)


def test_nan_accepted_when_teacher_and_student_accept_it():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    X = X.copy()
    X[np.random.RandomState(0).uniform(size=X.shape) < 0.1] = np.nan
    teacher = HistGradientBoostingClassifier(max_iter=20, random_state=0)
    student = make_pipeline(SimpleImputer(), LogisticRegression())
    clf = DistilledClassifier(teacher, student, alpha=0.5).fit(X, y)
    assert clf.__sklearn_tags__().input_tags.allow_nan
    assert np.isfinite(clf.predict_proba(X)).all()

    with pytest.raises(ValueError, match="NaN, which the student LogisticRegression"):
        DistilledClassifier(teacher, LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="NaN, which the teacher LogisticRegression"):
        DistilledClassifier(LogisticRegression(), student).fit(X, y)
    # the advice is for the estimator that refuses: an imputing student
    # cannot help a teacher, which sees X as given
    with pytest.raises(ValueError, match="before the distiller") as exc:
        DistilledClassifier(LogisticRegression(), student).fit(X, y)
    assert "in the student" not in str(exc.value)
    with pytest.raises(ValueError, match="in the student") as exc:
        DistilledClassifier(teacher, LogisticRegression()).fit(X, y)
    assert "before the distiller" not in str(exc.value)
    both = "the teacher SVC and the student LogisticRegression do not accept \\(their"
    with pytest.raises(ValueError, match=both):
        DistilledClassifier(SVC(), LogisticRegression()).fit(X, y)
    assert not DistilledClassifier(teacher, LogisticRegression()).__sklearn_tags__(
    ).input_tags.allow_nan
    # generated rows need complete ones: the tag says so
    for augment in ("munge", "gaussian"):
        assert not clone(clf).set_params(augment=augment).__sklearn_tags__(
        ).input_tags.allow_nan
        with pytest.raises(ValueError, match="missing values"):
            clone(clf).set_params(augment=augment).fit(X, y)
    search = DistillationSearchCV(teacher, {"student": [student],
                                            "augment": [None, "munge"]})
    assert not search.__sklearn_tags__().input_tags.allow_nan
    search.set_params(param_grid={"student": [student], "augment": [None]})
    assert search.__sklearn_tags__().input_tags.allow_nan
    reg = DistilledRegressor(
        HistGradientBoostingRegressor(max_iter=20),
        make_pipeline(SimpleImputer(), Ridge()),
    ).fit(X, y.astype(float))
    assert np.isfinite(reg.predict(X)).all()


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_infinity_refused_at_predict_as_at_fit(kind):
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    if kind == "classifier":
        model = DistilledClassifier(LogisticRegression(),
                                    HistGradientBoostingClassifier(max_iter=5))
    else:
        y = y.astype(float)
        model = DistilledRegressor(Ridge(), HistGradientBoostingRegressor(max_iter=5))
    X_inf = X.copy()
    X_inf[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        clone(model).fit(X_inf, y)  # the teacher refuses it
    model.fit(X, y)
    with pytest.raises(ValueError, match="infinity, which the teacher"):
        model.predict(X_inf)


def test_nan_left_to_wrappers_around_pipelines_that_impute():
    # their allow_nan tag is their inner Pipeline's (False), though the
    # Pipeline imputes: they decide, as a bare Pipeline does
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import StackingClassifier

    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    X[np.random.RandomState(0).uniform(size=X.shape) < 0.1] = np.nan

    def imputing():
        return make_pipeline(SimpleImputer(), LogisticRegression())

    for teacher, student in (
        (GridSearchCV(imputing(), {"logisticregression__C": [0.1, 1.0]}, cv=2),
         imputing()),
        (BaggingClassifier(imputing(), n_estimators=3, random_state=0), imputing()),
        (StackingClassifier([("lr", imputing())], cv=2), imputing()),
    ):
        clf = DistilledClassifier(teacher, student, alpha=0.5).fit(X, y)
        assert np.isfinite(clf.predict_proba(X)).all()
    # a wrapper around a model that refuses NaN: its own error, blamed on it
    wrapped = CalibratedClassifierCV(LogisticRegression(), cv=2)
    with pytest.raises(ValueError, match="The teacher CalibratedClassifierCV failed"):
        DistilledClassifier(wrapped, imputing()).fit(X, y)


def test_column_names_of_mixed_types_are_handed_through():
    # scikit-learn's feature-name check refuses them; LightGBM takes them,
    # and the distillers hand X through without feature_names_in_
    pd = pytest.importorskip("pandas")
    lightgbm = pytest.importorskip("lightgbm")
    X, y = make_classification(n_samples=120, n_features=4, random_state=0)
    frame = pd.DataFrame(X, columns=["age", 1, "income", 3])
    teacher = lightgbm.LGBMClassifier(n_estimators=5, verbose=-1)
    student = lightgbm.LGBMClassifier(n_estimators=3, max_depth=2, verbose=-1)
    clf = DistilledClassifier(teacher, student, alpha=0.5, augment=None)
    clf.fit(frame, y)
    assert clf.n_features_in_ == 4 and not hasattr(clf, "feature_names_in_")
    assert clf.predict(frame).shape == (120,)
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.predict(frame.iloc[:, :3])
    reg = DistilledRegressor(
        lightgbm.LGBMRegressor(n_estimators=5, verbose=-1),
        lightgbm.LGBMRegressor(n_estimators=3, verbose=-1),
    ).fit(frame, y.astype(float))
    assert np.isfinite(reg.predict(frame)).all()


def test_inner_refusal_names_the_student_or_the_teacher():
    df, y = _table(with_nan=False)
    teacher = make_pipeline(_encoder(), LogisticRegression())
    with pytest.raises(
        ValueError, match="The student LogisticRegression failed in fit: could not"
    ):
        DistilledClassifier(teacher, LogisticRegression()).fit(df, y)
    with pytest.raises(ValueError, match="The teacher SVC failed in fit: could not"):
        DistilledClassifier(SVC(), _pipeline_student()).fit(df, y)
    clf = DistilledClassifier(teacher, _pipeline_student()).fit(df, y)
    with pytest.raises(ValueError, match="The student Pipeline failed in predict"):
        clf.predict(df.assign(fare="cheap"))


@pytest.mark.parametrize("sample_weight", [False, True])
def test_pipeline_student_alpha_zero_is_plain_pipeline(sample_weight):
    df, y = _table()
    sw = np.random.RandomState(0).uniform(0.5, 2, len(y)) if sample_weight else None
    student = _pipeline_student()
    clf = DistilledClassifier(
        HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=5),
        student,
        alpha=0.0,
    )
    clf.fit(df.assign(town=df["town"].astype("category")), y, sample_weight=sw)
    kwargs = {} if sw is None else {"logisticregression__sample_weight": sw}
    plain = clone(student).fit(df.assign(town=df["town"].astype("category")), y, **kwargs)
    assert_array_equal(clf.student_[-1].coef_, plain[-1].coef_)
    assert_array_equal(clf.student_[-1].intercept_, plain[-1].intercept_)


def test_alpha_zero_takes_any_classifier_student():
    # a student that cannot be fitted on soft targets still gives, at
    # alpha=0, exactly clone(student).fit(X, y)
    from sklearn.neighbors import KNeighborsClassifier

    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    student = make_pipeline(StandardScaler(), KNeighborsClassifier(3))
    clf = DistilledClassifier(LogisticRegression(), student, alpha=0.0).fit(X, y)
    plain = clone(student).fit(X, y)
    assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))
    with pytest.raises(TypeError, match="does not accept sample_weight"):
        clf.set_params(alpha=0.5).fit(X, y)


def _scaled_pair():
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    X = X * [1, 10, 100, 0.1, 1] + 3
    scaler = StandardScaler().fit(X)
    lr = LogisticRegression(max_iter=1000).fit(scaler.transform(X), y)
    raw_teacher = FrozenEstimator(make_pipeline(scaler, lr))
    scaled_teacher = FrozenEstimator(lr)
    return X, scaler.transform(X), y, raw_teacher, scaled_teacher


@pytest.mark.parametrize(
    "last",
    [
        LogisticRegression(max_iter=1000),
        DecisionTreeClassifier(max_depth=3, random_state=0),
        Ridge(alpha=1.0),
    ],
    ids=["soft_logistic", "repeat", "regressor"],
)
def test_pipeline_student_last_step_fitted_as_a_bare_student(last):
    X, X_scaled, y, raw_teacher, scaled_teacher = _scaled_pair()
    sw = np.random.RandomState(0).uniform(0.5, 2, len(y))
    # the fitting path only: no generated rows (the tree's augment="auto")
    piped = DistilledClassifier(
        raw_teacher, make_pipeline(StandardScaler(), last), alpha=0.6, T=2.0,
        augment=None,
    ).fit(X, y, sample_weight=sw)
    bare = DistilledClassifier(
        scaled_teacher, last, alpha=0.6, T=2.0, augment=None
    ).fit(X_scaled, y, sample_weight=sw)
    assert_allclose(piped.predict_proba(X), bare.predict_proba(X_scaled), rtol=1e-8)
    assert type(piped.student_[-1]) is type(last)
    if hasattr(last, "coef_") or isinstance(last, LogisticRegression):
        assert_allclose(piped.student_[-1].coef_, bare.student_.coef_, rtol=1e-8)


def test_pipeline_student_in_regressor():
    X, y = make_regression(n_samples=120, n_features=4, random_state=0)
    X = X * [1, 10, 100, 1000]
    sw = np.random.RandomState(0).uniform(0.5, 2, len(y))
    student = make_pipeline(StandardScaler(), Ridge())
    reg = DistilledRegressor(LinearRegression(), student, alpha=0.0).fit(
        X, y, sample_weight=sw
    )
    plain = clone(student).fit(X, y, ridge__sample_weight=sw)
    assert_array_equal(reg.student_[-1].coef_, plain[-1].coef_)
    reg = DistilledRegressor(
        LinearRegression(), student, augment="gaussian", random_state=0
    ).fit(X, y)
    assert reg.student_[-1].coef_.shape == (4,)


# ---------------------------------------------------------------- labels


@pytest.mark.parametrize("library", ["xgboost", "lightgbm", "catboost"])
def test_boosting_teachers_with_string_labels(library):
    module = pytest.importorskip(library)
    teacher = {
        "xgboost": lambda: module.XGBClassifier(n_estimators=10, n_jobs=1),
        "lightgbm": lambda: module.LGBMClassifier(n_estimators=10, verbose=-1),
        "catboost": lambda: module.CatBoostClassifier(
            iterations=10, verbose=0, thread_count=1, allow_writing_files=False
        ),
    }[library]()
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    labels = np.array(["ant", "bee", "cat"])[y]
    for cv in (None, 2):
        clf = DistilledClassifier(
            teacher, LogisticRegression(max_iter=1000), alpha=0.8, teacher_cv=cv
        ).fit(X, labels)
        assert_array_equal(clf.classes_, ["ant", "bee", "cat"])
        assert set(np.ravel(clf.teacher_.predict(X))) <= {"ant", "bee", "cat"}
        assert np.mean(clf.predict(X) == labels) > 0.6


def test_frozen_teacher_labels_of_another_kind_are_refused():
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    words = np.array(["neg", "pos"])[y]
    clf = DistilledClassifier(teacher, LogisticRegression())
    with pytest.raises(ValueError, match="labels in y are strings.*numbers"):
        clf.fit(X, words)
    with pytest.raises(ValueError, match="None of the labels in y"):
        clf.fit(X, y + 5)
    # a partial overlap is the union; the unknown class gets probability 0
    clf.set_params(alpha=1.0).fit(X, np.where(np.arange(80) < 5, 2, y))
    assert_array_equal(clf.classes_, [0, 1, 2])


def test_frozen_teacher_on_a_pure_transfer_set():
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    teacher = LogisticRegression().fit(X, y)
    clf = DistilledClassifier(
        FrozenEstimator(teacher), LogisticRegression(), unlabeled=-1
    ).fit(X, np.full(len(X), -1))
    assert_array_equal(clf.classes_, [0, 1])
    assert np.mean(clf.predict(X) == teacher.predict(X)) > 0.95


def test_unlabeled_nan_marks_rows():
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    marked = np.where(np.arange(100) % 4 == 0, -1.0, y)
    nan_marked = np.where(marked == -1, np.nan, marked)
    teacher = RandomForestClassifier(n_estimators=5, random_state=0)
    with_minus = DistilledClassifier(teacher, LogisticRegression(), unlabeled=-1.0)
    with_nan = DistilledClassifier(teacher, LogisticRegression(), unlabeled=np.nan)
    with_minus.fit(X, marked)
    with_nan.fit(X, nan_marked)
    assert_array_equal(with_nan.classes_, [0.0, 1.0])
    assert_allclose(with_nan.student_.coef_, with_minus.student_.coef_)


@pytest.mark.parametrize("marker", [np.nan, pd.NA])
@pytest.mark.parametrize("missing", [None, pd.NA])
@pytest.mark.parametrize("container", ["list", "series"])
def test_missing_integer_labels_are_unlabeled_rows(marker, missing, container):
    # integers with None (or pd.NA) are objects, which scikit-learn refuses
    # as labels ("unknown" type): read as the same integers with NaN
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    nan_marked = np.where(np.arange(100) % 4 == 0, np.nan, y)
    marked = [missing if i % 4 == 0 else int(v) for i, v in enumerate(y)]
    if container == "series":
        marked = pd.Series(marked, dtype=object)
    teacher = RandomForestClassifier(n_estimators=5, random_state=0)
    reference = DistilledClassifier(teacher, LogisticRegression(), unlabeled=np.nan)
    reference.fit(X, nan_marked)
    clf = DistilledClassifier(teacher, LogisticRegression(), unlabeled=marker)
    clf.fit(X, marked)
    assert_array_equal(clf.classes_, [0.0, 1.0])
    assert_allclose(clf.student_.coef_, reference.student_.coef_)
    # without a marker, the missing labels are still refused
    with pytest.raises(ValueError, match="unlabeled"):
        clone(clf).set_params(unlabeled=None).fit(X, marked)


@pytest.mark.parametrize("marker", [np.nan, pd.NA])
@pytest.mark.parametrize("missing", [None, pd.NA, np.nan])
def test_missing_string_labels_are_unlabeled_rows(marker, missing):
    """String labels from a table: a missing value marks unlabeled rows,
    whichever of NaN, None and pd.NA the table holds and the user names."""
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    words = np.where(y == 1, "yes", "no").astype(object)
    marked = np.where(np.arange(100) % 4 == 0, "?", words)
    teacher = RandomForestClassifier(n_estimators=5, random_state=0)
    reference = DistilledClassifier(teacher, LogisticRegression(), unlabeled="?")
    reference.fit(X, marked)
    labels = pd.Series(marked, dtype="string" if missing is pd.NA else object)
    labels[marked == "?"] = missing
    clf = DistilledClassifier(teacher, LogisticRegression(), unlabeled=marker)
    clf.fit(X, labels)
    assert_array_equal(clf.classes_, ["no", "yes"])
    assert_allclose(clf.student_.coef_, reference.student_.coef_)


@pytest.mark.parametrize("missing", [None, pd.NA, np.nan])
@pytest.mark.parametrize("unlabeled", [None, "?"])
def test_missing_labels_are_refused_with_the_setting_that_marks_them(
    missing, unlabeled
):
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    labels = pd.Series(np.where(y == 1, "yes", "no"), dtype=object)
    labels[:3] = missing
    clf = DistilledClassifier(
        RandomForestClassifier(n_estimators=5), LogisticRegression(),
        unlabeled=unlabeled,
    )
    with pytest.raises(ValueError, match=r"3 missing label.*unlabeled=np\.nan"):
        clf.fit(X, labels)
    with pytest.raises(ValueError, match=r"3 missing label.*unlabeled=np\.nan"):
        clf.fit(X, np.where(np.arange(40) < 3, np.nan, y.astype(float)))


# ---------------------------------------------------------------- bad input


def test_negative_sample_weight_names_the_parameter():
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    sw = np.ones(40)
    sw[3] = -1
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        DistilledRegressor(LinearRegression(), Ridge()).fit(X, y, sample_weight=sw)
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        DistilledClassifier(LogisticRegression(), LogisticRegression()).fit(
            X, y > 0, sample_weight=sw
        )


def test_regressor_needs_regressor_teacher_and_student():
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    with pytest.raises(TypeError, match="teacher of a DistilledRegressor.*DistilledClassifier"):
        DistilledRegressor(LogisticRegression(), Ridge()).fit(X, y > 0)
    with pytest.raises(TypeError, match="student of a DistilledRegressor must be a regressor"):
        DistilledRegressor(LinearRegression(), LogisticRegression()).fit(X, y)


def test_partial_fit_offered_only_when_it_works():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    assert not hasattr(DistilledClassifier(LogisticRegression(), SGDClassifier()), "partial_fit")
    assert not hasattr(DistilledClassifier(frozen, LogisticRegression()), "partial_fit")
    assert hasattr(DistilledClassifier(frozen, SGDClassifier()), "partial_fit")
    assert not hasattr(DistilledRegressor(LinearRegression(), SGDRegressor()), "partial_fit")


def test_partial_fit_with_2d_y_names_y():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    clf = DistilledClassifier(
        FrozenEstimator(LogisticRegression().fit(X, y)), SGDClassifier(random_state=0)
    )
    with pytest.raises(ValueError, match="y should be a 1d array"):
        clf.partial_fit(X, np.column_stack([y, y]))
    Xr, yr = make_regression(n_samples=60, n_features=4, random_state=0)
    Yr = np.column_stack([yr, yr])
    reg = DistilledRegressor(
        FrozenEstimator(LinearRegression().fit(Xr, Yr)), SGDRegressor(random_state=0)
    )
    # the student decides what it fits (its multi_output tag is not read:
    # MLPRegressor's is False, though it fits several outputs)
    match = "student SGDRegressor failed in partial_fit: y should be a 1d array"
    with pytest.raises(ValueError, match=match):
        reg.partial_fit(Xr, Yr)


def test_a_search_as_the_student_points_to_tuning_from_outside():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2)
    with pytest.raises(TypeError, match="Tune the student from outside"):
        DistilledClassifier(DecisionTreeClassifier(), search).fit(X, y)
    # at alpha=0 it is fitted as it is, on the labels
    clf = DistilledClassifier(DecisionTreeClassifier(), search, alpha=0.0).fit(X, y)
    assert clf.student_.best_params_ == clone(search).fit(X, y).best_params_


def test_precomputed_kernel_teacher_is_cut_by_cross_validation():
    # the pairwise tag, as Pipeline's and GridSearchCV's: cross-validation
    # cuts the kernel's columns like its rows
    from sklearn.metrics.pairwise import rbf_kernel
    from sklearn.model_selection import cross_val_score

    from skdistill import DistillationSearchCV

    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    K = rbf_kernel(X)
    teacher = SVC(kernel="precomputed")
    clf = DistilledClassifier(teacher, LogisticRegression())
    assert clf.__sklearn_tags__().input_tags.pairwise
    scores = cross_val_score(clf, K, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.5)
    grid = {"student": [LogisticRegression()], "alpha": [0.5]}
    with pytest.raises(ValueError, match="precomputed kernel"):
        DistillationSearchCV(SVC(kernel="precomputed"), grid, cv=3).fit(K, y)


@pytest.mark.parametrize(
    "last", [LogisticRegression(), DecisionTreeClassifier(max_depth=2, random_state=0)]
)
def test_pipeline_student_ending_in_a_pipeline(last):
    # make_pipeline(preprocessor, existing_pipeline): the inner Pipeline's
    # last step takes the path of a bare student
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    nested = make_pipeline(StandardScaler(), make_pipeline(StandardScaler(), last))
    flat = make_pipeline(StandardScaler(), StandardScaler(), last)
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    got = DistilledClassifier(teacher, nested, augment=None).fit(X, y)
    expected = DistilledClassifier(teacher, flat, augment=None).fit(X, y)
    assert_allclose(got.predict_proba(X), expected.predict_proba(X))
    # the plain path (alpha=0) with weights: the inner last step gets them
    w = np.linspace(0.5, 2.0, len(y))
    got = DistilledClassifier(teacher, nested, alpha=0.0).fit(X, y, sample_weight=w)
    expected = DistilledClassifier(teacher, flat, alpha=0.0).fit(X, y, sample_weight=w)
    assert_allclose(got.predict_proba(X), expected.predict_proba(X))
    # augment="auto" sees the tree at the end of the inner Pipeline
    auto = DistilledClassifier(teacher, nested, random_state=0).fit(X, y)
    is_tree = isinstance(last, DecisionTreeClassifier)
    assert auto.augment_ == ("munge" if is_tree else None)


def test_one_text_per_row_is_handed_to_vectorizing_pipelines():
    # as Pipeline: X of one text per row reaches teacher and student as given
    from sklearn.feature_extraction.text import TfidfVectorizer

    from skdistill import DistillationSearchCV

    words = np.array(["good fine great", "bad awful poor", "great good", "poor bad"])
    rng = np.random.RandomState(0)
    picks = rng.randint(0, 4, size=40)
    X = words[picks]
    y = (picks % 2 == 0).astype(int)

    def text_model():
        return make_pipeline(TfidfVectorizer(), LogisticRegression())

    clf = DistilledClassifier(text_model(), text_model(), alpha=0.5).fit(X, y)
    assert not hasattr(clf, "n_features_in_")
    assert_array_equal(clf.predict(list(X)), clf.student_.predict(X))
    assert clf.score(X, y) == 1.0
    with pytest.raises(ValueError, match="single string; give an iterable of texts"):
        clf.predict("good fine")
    grid = {"student": [text_model()], "alpha": [0.5]}
    search = DistillationSearchCV(text_model(), grid, cv=2).fit(X, y)
    assert search.best_score_ == 1.0
    # a Series of texts, and a tree student (augment="auto" generates
    # nothing from texts)
    pd = pytest.importorskip("pandas")
    tree_text = make_pipeline(TfidfVectorizer(), DecisionTreeClassifier(max_depth=2))
    clf = DistilledClassifier(text_model(), tree_text).fit(pd.Series(X), y)
    assert clf.augment_ is None
    # numbers in one column are still refused, with scikit-learn's message
    with pytest.raises(ValueError, match="Expected 2D array"):
        DistilledClassifier(text_model(), text_model()).fit(y.astype(float), y)
    # documents given as lists of tokens, of different lengths
    from sklearn.feature_extraction.text import CountVectorizer

    def tokens_model():
        return make_pipeline(CountVectorizer(analyzer=list), LogisticRegression())

    docs = [text.split() for text in X]
    clf = DistilledClassifier(tokens_model(), tokens_model()).fit(docs, y)
    assert_array_equal(clf.predict(docs), clf.student_.predict(docs))
    assert_array_equal(
        DistilledClassifier(tokens_model(), tokens_model(), alpha=0.0)
        .fit(docs, y).student_.predict(docs),
        tokens_model().fit(docs, y).predict(docs),
    )


class _DropsRows(TransformerMixin, BaseEstimator):
    """A step that drops (or adds) rows: no student's leading step."""

    def __init__(self, extra=-10):
        self.extra = extra

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X = np.asarray(X)
        if self.extra < 0:
            return X[: len(X) + self.extra]
        return np.vstack([X, X[: self.extra]])


@pytest.mark.parametrize("extra", [-10, 50])
@pytest.mark.parametrize(
    "last", [DecisionTreeClassifier(max_depth=2), SVC(), LogisticRegression()]
)
def test_leading_steps_must_keep_the_rows(extra, last):
    # the tree and repetition paths paired rows with other rows' targets
    # (silently, with rows added) or crashed in indexing
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    student = make_pipeline(_DropsRows(extra), last)
    clf = DistilledClassifier(LogisticRegression(), student, augment=None)
    with pytest.raises(ValueError, match="leading steps turned 120 rows into"):
        clf.fit(X, y)


def test_a_dataframe_of_sparse_columns_gets_no_generated_rows():
    # pandas sparse columns report their values' numeric kind: "auto" chose
    # MUNGE, which refused them (a TypeError naming no party), where the same
    # values as a CSR matrix get no generated rows
    import scipy.sparse as sp

    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    X[np.abs(X) < 1] = 0.0
    frame = pd.DataFrame.sparse.from_spmatrix(sp.csr_matrix(X))
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    clf = DistilledClassifier(LogisticRegression(), tree).fit(frame, y)
    assert clf.augment_ is None
    reference = DistilledClassifier(LogisticRegression(), tree).fit(
        sp.csr_matrix(X), y
    )
    assert_allclose(clf.predict_proba(frame), reference.predict_proba(sp.csr_matrix(X)))
    with pytest.raises(TypeError, match="Sparse input is not supported"):
        clf.set_params(augment="munge").fit(frame, y)


def test_generated_rows_of_another_kind_than_X_are_refused_saying_so():
    import scipy.sparse as sp

    X, y = make_classification(n_samples=60, n_features=4, random_state=0)

    def sparse_rows(X, n_samples, random_state):
        return sp.csr_matrix(X[:n_samples])

    clf = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), augment=sparse_rows
    )
    with pytest.raises(ValueError, match="returned a sparse csr_matrix for a dense X"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "distiller, teacher, last",
    [
        (DistilledClassifier, LogisticRegression(), LogisticRegression()),
        (DistilledRegressor, Ridge(), Ridge()),
    ],
)
def test_a_student_pipeline_that_resamples_is_refused_at_positive_alpha(
    distiller, teacher, last
):
    imblearn = pytest.importorskip("imblearn")
    from imblearn.under_sampling import RandomUnderSampler

    X, y = make_classification(n_samples=120, weights=[0.8], random_state=0)
    student = imblearn.pipeline.make_pipeline(
        StandardScaler(), RandomUnderSampler(random_state=0), last
    )
    with pytest.raises(ValueError, match="'randomundersampler' .* resamples the rows"):
        distiller(teacher, student, alpha=0.5).fit(X, y)
    plain = distiller(teacher, student, alpha=0.0).fit(X, y)
    assert_allclose(plain.predict(X), clone(student).fit(X, y).predict(X))
    # in scikit-learn's Pipeline, a step with fit_resample only transforms
    sk_student = make_pipeline(StandardScaler(), _Resampling(), last)
    distiller(teacher, sk_student, alpha=0.5).fit(X, y)


class _Resampling(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X

    def fit_resample(self, X, y):
        return X[: len(X) // 2], y[: len(y) // 2]


def test_a_resampling_ensemble_student_is_refused_at_positive_alpha():
    pytest.importorskip("imblearn")
    from imblearn.ensemble import BalancedRandomForestClassifier, RUSBoostClassifier

    X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
    for student in (
        BalancedRandomForestClassifier(n_estimators=5, random_state=0),
        RUSBoostClassifier(n_estimators=5, random_state=0),
    ):
        with pytest.raises(ValueError, match="balances the classes by resampling"):
            DistilledClassifier(LogisticRegression(), student, alpha=0.5).fit(X, y)
        plain = DistilledClassifier(LogisticRegression(), student, alpha=0.0)
        assert_array_equal(
            plain.fit(X, y).predict(X), clone(student).fit(X, y).predict(X)
        )


def test_a_bagging_student_without_bootstrap_is_refused_where_it_ignores_weights():
    from skdistill._students import _BAGGING_SAMPLES_BY_WEIGHT

    X, y = make_classification(
        n_samples=200, n_classes=3, n_informative=4, random_state=0
    )
    student = BaggingClassifier(
        DecisionTreeClassifier(), n_estimators=3, bootstrap=False, random_state=0
    )
    distiller = DistilledClassifier(LogisticRegression(), student, alpha=0.5)
    if _BAGGING_SAMPLES_BY_WEIGHT:
        with pytest.raises(ValueError, match=r"bootstrap=False\) ignores the soft"):
            distiller.fit(X, y)
    else:  # it hands the weights to its trees
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert distiller.fit(X, y).score(X, y) > 0.9


def _self_splitting_students():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
        StackingClassifier,
    )
    from sklearn.linear_model import LogisticRegressionCV, RidgeClassifierCV
    from sklearn.model_selection import StratifiedKFold
    from sklearn.neural_network import MLPClassifier

    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    shuffled = StratifiedKFold(3, shuffle=True, random_state=0)
    return [
        (CalibratedClassifierCV(tree, cv=shuffled), "cross-validates"),
        (StackingClassifier([("t", tree)], cv=shuffled), "cross-validates"),
        (LogisticRegressionCV(cv=3), "cross-validates"),
        (RidgeClassifierCV(), "cross-validates"),
        (SVC(probability=True, random_state=0), "probability=True"),
        (RandomForestClassifier(5, oob_score=True, random_state=0), "oob_score"),
        (MLPClassifier((4,), early_stopping=True, random_state=0), "stops early"),
        (HistGradientBoostingClassifier(early_stopping=True, random_state=0),
         "stops early"),
        (GradientBoostingClassifier(n_iter_no_change=3, random_state=0),
         "stops early"),
        (VotingClassifier(
            [("svc", SVC(probability=True, random_state=0))], voting="soft"
        ),
         r"The student VotingClassifier: SVC\(probability=True\)"),
    ]


@pytest.mark.parametrize(
    "student, match", _self_splitting_students(), ids=lambda v: type(v).__name__
)
def test_students_that_split_their_own_rows_are_refused_on_repeated_rows(
    student, match
):
    # the repetitions of a row, labelled with the other classes, fell on both
    # sides of the student's own split: with shuffled folds a calibrated or
    # stacked student predicted worse than chance, SVC's probabilities were
    # reversed, early stopping stopped after a few iterations, oob_score_ was
    # near 0; with no warning
    from sklearn.neural_network import MLPClassifier
    from sklearn.utils.validation import has_fit_parameter

    if isinstance(student, MLPClassifier) and not has_fit_parameter(
        student, "sample_weight"
    ):
        pytest.skip("this scikit-learn's MLPClassifier takes no sample_weight")
    X, y = make_classification(
        n_samples=120, n_classes=3, n_informative=4, random_state=0
    )
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    with pytest.raises(ValueError, match=match):
        DistilledClassifier(teacher, student, alpha=0.5).fit(X, y)
    # at alpha=0 no row is repeated: the student's own fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = DistilledClassifier(teacher, student, alpha=0.0).fit(X, y)
        alone = clone(student).fit(X, y)
    assert_array_equal(plain.predict(X), alone.predict(X))


def test_students_whose_settings_split_no_rows_are_not_refused():
    # early stopping on the training loss (validation_fraction=None), or
    # ignored (an MLP's lbfgs solver), and a frozen model within a student
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.utils.validation import has_fit_parameter

    from skdistill._students import _BAGGING_SAMPLES_BY_WEIGHT

    X, y = make_classification(
        n_samples=120, n_classes=3, n_informative=4, random_state=0
    )
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    frozen = FrozenEstimator(DecisionTreeClassifier(max_depth=3).fit(X, y))
    students = [
        HistGradientBoostingClassifier(
            max_iter=5, early_stopping=True, validation_fraction=None
        ),
    ]
    if _BAGGING_SAMPLES_BY_WEIGHT:  # (before, it needs a model taking weights)
        students.append(BaggingClassifier(frozen, n_estimators=3, random_state=0))
    mlp = MLPClassifier((4,), solver="lbfgs", early_stopping=True, max_iter=50)
    if has_fit_parameter(mlp, "sample_weight"):
        students.append(mlp)
    for student in students:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = DistilledClassifier(teacher, student, alpha=0.5).fit(X, y)
        assert clf.score(X, y) > 0.5


def test_estimators_within_a_student_count_the_students_rows():
    # min_samples_leaf of a tree in a VotingClassifier counted the repeated
    # rows (leaves of 4 of the student's rows for 20), and early_stopping=
    # "auto" of a histogram boosting model in it was decided on them
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = make_classification(
        n_samples=600, n_classes=3, n_informative=4, random_state=0
    )
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    tree = DecisionTreeClassifier(min_samples_leaf=20, random_state=0)
    voting = VotingClassifier([("tree", tree)], voting="soft")
    for student in (tree, voting):
        clf = DistilledClassifier(teacher, student, alpha=1.0, T=3.0, augment=None)
        clf.fit(X, y)
        fitted = clf.student_ if student is tree else clf.student_.estimators_[0]
        leaves = fitted.apply(X)
        assert np.bincount(leaves)[np.unique(leaves)].min() >= 20
    # the student's parameters are given back
    assert clf.student_.get_params()["tree__min_samples_leaf"] == 20
    hgb = HistGradientBoostingClassifier(max_iter=5, random_state=0)
    rows = np.repeat(np.arange(len(y)), 30)  # more than 10,000 repeated rows
    student = VotingClassifier([("hgb", hgb)], voting="soft")
    clf = DistilledClassifier(teacher, student, alpha=1.0, T=3.0, augment=None)
    clf.fit(X[rows[:6000]], y[rows[:6000]])
    inner = clf.student_.estimators_[0]
    assert not hasattr(inner, "validation_score_") or not len(inner.validation_score_)
    assert clf.student_.get_params()["hgb__early_stopping"] == "auto"


def test_nested_balanced_class_weights_follow_the_soft_class_totals():
    # balanced on the rows repeated once per class, every class counted about
    # n rows: the balancing was lost as soon as alpha > 0
    X, y = make_classification(n_samples=800, weights=[0.945], random_state=0)
    tree = DecisionTreeClassifier(
        max_depth=3, class_weight="balanced", random_state=0
    )
    student = VotingClassifier(
        [("lr", LogisticRegression(class_weight="balanced")), ("dt", tree)]
    )
    plain = clone(student).fit(X, y).predict(X)
    # nearly one-hot targets: nearly the student's own fit
    distilled = DistilledClassifier(LogisticRegression(), student, alpha=1e-6)
    assert_array_equal(distilled.fit(X, y).predict(X), plain)
    # the student keeps its parameters (its fitted clones, the dict they used)
    assert distilled.student_.get_params()["dt__class_weight"] == "balanced"
    assert student.get_params()["dt__class_weight"] == "balanced"


@pytest.mark.filterwarnings("ignore:The teacher Pipeline")
def test_a_resampling_teacher_pipeline_is_fitted_without_the_weights():
    imblearn = pytest.importorskip("imblearn")
    from imblearn.under_sampling import RandomUnderSampler

    X, y = make_classification(n_samples=200, weights=[0.8], random_state=0)
    teacher = imblearn.pipeline.make_pipeline(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    sample_weight = np.linspace(0.5, 2.0, len(y))
    with pytest.warns(UserWarning, match="does not accept sample_weight"):
        clf = DistilledClassifier(teacher, LogisticRegression()).fit(
            X, y, sample_weight=sample_weight
        )
    reference = clone(teacher).fit(X, y)
    assert_allclose(clf.teacher_.predict_proba(X), reference.predict_proba(X))


def _frames_with_one_odd_value():
    """(frame, column, value) of every dtype a user's table holds, with NaN,
    NA, None or infinity in one cell (or none)."""
    rng = np.random.RandomState(0)
    columns = {
        "float": rng.randn(6),
        "float32": rng.randn(6).astype(np.float32),
        "int": np.arange(6),
        "bool": np.ones(6, dtype=bool),
        "text": list("abcdef"),
        "category": pd.Categorical(list("aabbcc")),
        "Float64": pd.array([1.0, 2, 3, 4, 5, 6], dtype="Float64"),
        "Int64": pd.array(range(6), dtype="Int64"),
        "time": pd.date_range("2020", periods=6),
    }
    for name in columns:
        for value in (None, np.nan, np.inf, -np.inf, "NA"):
            frame = pd.DataFrame(columns)
            if value == "NA":
                value = pd.NA if name in ("Float64", "Int64") else None
            if value is not None or name in ("text", "category"):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # (pandas' upcasts)
                        frame.loc[2, name] = value
                except (TypeError, ValueError):  # a dtype that cannot hold it
                    continue
            yield frame, name, value


def test_missing_and_infinite_values_are_found_in_every_column_dtype():
    from skdistill._fitting import contains_infinity, contains_nan

    n_cases = 0
    for frame, name, value in _frames_with_one_odd_value():
        n_cases += 1
        missing = bool(frame.isna().to_numpy().any())
        numbers = frame.select_dtypes(include="number")
        infinite = bool(np.isinf(numbers.to_numpy(float, na_value=0.0)).any())
        assert contains_nan(frame) == missing, (name, value)
        assert contains_infinity(frame) == infinite, (name, value)
        for j in range(frame.shape[1]):  # a Series too
            column = frame.iloc[:, j]
            assert contains_nan(column) == bool(column.isna().any()), (name, value)
    assert n_cases > 30
    # complex numbers too
    assert contains_infinity(pd.Series([1 + 1j, complex(np.inf, 0), 2j]))
    assert contains_nan(pd.DataFrame({"z": [1 + 1j, complex(np.nan, 0)]}))
    # finite floats whose sum overflows have neither
    big = pd.DataFrame({"a": [1e308, 1e308], "b": [0.0, 1.0]})
    assert not contains_infinity(big) and not contains_nan(big)


def test_predict_on_a_dataframe_makes_no_copy_of_it():
    # the check for infinity at predict made a float64 copy of every numeric
    # column (11 times the student's own peak on 1e6 x 30)
    import tracemalloc

    rng = np.random.RandomState(0)
    X, y = make_classification(n_samples=200, n_features=40, random_state=0)
    columns = [f"x{j}" for j in range(40)]
    model = DistilledClassifier(
        HistGradientBoostingClassifier(max_iter=5), LogisticRegression()
    ).fit(pd.DataFrame(X, columns=columns), y)
    big = pd.DataFrame(rng.randn(100_000, 40), columns=columns)  # 32 MB

    def peak(predict):
        tracemalloc.start()
        try:
            predict(big)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    own = peak(model.student_.predict_proba)
    assert peak(model.predict_proba) < own + 0.25 * big.to_numpy().nbytes
