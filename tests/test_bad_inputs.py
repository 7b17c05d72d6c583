"""Every public estimator and function over bad and unusual inputs.

Each case asserts either the right result or an error whose message names the
problem. The data are tiny so that the whole matrix runs in seconds.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skdistill import (
    DistillationSearchCV,
    DistilledClassifier,
    DistilledRegressor,
    QuantizedLinearModel,
    SoftLogisticRegression,
    SparsifyTransformer,
    check_soft_targets,
    gaussian_noise,
    munge,
    quantize,
)
from skdistill.metrics import (
    count_nonzero_parameters,
    fidelity_score,
    format_report,
    kl_divergence,
    prediction_time,
    serialized_size,
    soft_cross_entropy,
)

N, P = 30, 3


def _X():
    return np.random.RandomState(0).normal(size=(N, P))


def _y():
    return np.arange(N) % 3


def _y_reg():
    X = _X()
    return X @ np.array([1.0, -2.0, 0.5]) + 0.1


# --- expectations ---------------------------------------------------------


def _finite_predictions(est, X):
    pred = est.predict(X)
    assert len(pred) == X.shape[0]
    if hasattr(est, "predict_proba"):
        proba = est.predict_proba(X)
        assert np.all(np.isfinite(proba))
        assert np.all((proba >= 0) & (proba <= 1))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    elif np.asarray(pred).dtype.kind == "f":
        assert np.all(np.isfinite(pred))


def fits(X_for_predict=None):
    """The fit succeeds and its predictions are finite (probabilities valid)."""

    def check(est, X):
        _finite_predictions(est, X if X_for_predict is None else X_for_predict())

    return check


class Raises:
    def __init__(self, exc, match):
        self.exc, self.match = exc, match


class PerEstimator:
    """An expectation that depends on the estimator's name."""

    def __init__(self, by_name):
        self.by_name = by_name


# --- estimators ------------------------------------------------------------

ESTIMATORS = {
    "DistilledClassifier": (
        lambda: DistilledClassifier(LogisticRegression(), LogisticRegression()),
        "classifier",
    ),
    "DistilledClassifier-trees": (
        lambda: DistilledClassifier(
            DecisionTreeClassifier(max_depth=2, random_state=0),
            DecisionTreeClassifier(max_depth=2, random_state=0),
        ),
        "classifier",
    ),
    "DistilledRegressor": (
        lambda: DistilledRegressor(LinearRegression(), Ridge()),
        "regressor",
    ),
    "SparsifyTransformer": (
        lambda: SparsifyTransformer(LogisticRegression(), sparsity=0.5),
        "classifier",
    ),
    "QuantizedLinearModel": (
        lambda: QuantizedLinearModel(LogisticRegression(), n_bits=4),
        "classifier",
    ),
    "SoftLogisticRegression": (lambda: SoftLogisticRegression(), "classifier"),
}


def _target(kind, n=N):
    return (_y() if kind == "classifier" else _y_reg())[:n]


def _with_nan():
    X = _X()
    X[3, 1] = np.nan
    return X


def _with_inf():
    X = _X()
    X[3, 1] = np.inf
    return X


def _sparse(fmt):
    rng = np.random.RandomState(0)
    return sp.random(N, P, density=0.6, format=fmt, random_state=rng)


def _distiller(**params):
    return DistilledClassifier(LogisticRegression(), LogisticRegression(), **params)


def _readonly_memmap(tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, _X())
    return np.load(path, mmap_mode="r")


# (input kind, X maker, y maker, expectation per estimator: default and overrides)
NAN_OK = {"DistilledClassifier-trees"}

FIT_CASES = []


def _fit_case(kind, make_X, make_y, expect, only=None):
    for name, (make_est, est_kind) in ESTIMATORS.items():
        if only is not None and name not in only:
            continue
        exp = expect.by_name(name) if isinstance(expect, PerEstimator) else expect
        FIT_CASES.append(
            pytest.param(make_est, est_kind, make_X, make_y, exp, id=f"{name}-{kind}")
        )


_fit_case(
    "nan",
    lambda tmp: _with_nan(),
    _target,
    PerEstimator(lambda name: fits() if name in NAN_OK else Raises(ValueError, "NaN")),
)
_fit_case("inf", lambda tmp: _with_inf(), _target, Raises(ValueError, "[Ii]nf"))
_fit_case(
    "empty",
    lambda tmp: np.empty((0, P)),
    lambda kind: _target(kind)[:0],
    Raises(ValueError, "0 sample|empty|no labeled sample"),
)
_fit_case(
    "one_row",
    lambda tmp: _X()[:1],
    lambda kind: _target(kind)[:1],
    PerEstimator(
        lambda name: (
            fits(lambda: _X()[:1])
            if name == "DistilledRegressor"
            else Raises(ValueError, "class|sample")
        )
    ),
)
_fit_case(
    "one_class",
    lambda tmp: _X(),
    lambda kind: np.zeros(N, dtype=int) if kind == "classifier" else np.zeros(N),
    PerEstimator(
        lambda name: (
            fits(_X) if name == "DistilledRegressor" else Raises(ValueError, "class")
        )
    ),
)
_fit_case("X_1d", lambda tmp: _X()[:, 0], _target, Raises(ValueError, "2D|2-D"))
_fit_case(
    "X_3d",
    lambda tmp: _X().reshape(N, P, 1),
    _target,
    Raises(ValueError, "dim|2D|2-D"),
)
_fit_case(
    "y_too_short",
    lambda tmp: _X(),
    lambda kind: _target(kind)[:-1],
    Raises(ValueError, "inconsistent|samples|must match"),
)
_fit_case(
    "X_is_a_string",
    lambda tmp: "not an array",
    _target,
    Raises((ValueError, TypeError), "2D|array|string"),
)
_fit_case(
    "object_numbers",
    lambda tmp: _X().astype(object),
    _target,
    fits(_X),
)
_fit_case(
    "object_strings",
    lambda tmp: np.array([["a", "b", "c"]] * N, dtype=object),
    _target,
    Raises(ValueError, "string|convert|could not"),
)
_fit_case(
    "complex",
    lambda tmp: _X() + 1j,
    _target,
    Raises(ValueError, "[Cc]omplex"),
)
for fmt in ["csr", "csc", "coo"]:
    _fit_case(
        f"sparse_{fmt}",
        lambda tmp, fmt=fmt: _sparse(fmt),
        _target,
        fits(lambda: _sparse("csr")),
    )
_fit_case("readonly_memmap", _readonly_memmap, _target, fits(_X))
_fit_case(
    "huge_values",
    lambda tmp: _X() * 1e150,
    _target,
    PerEstimator(
        lambda name: (
            # scikit-learn's trees work in float32
            Raises(ValueError, "[Tt]eacher.*too large.*float32")
            if name == "DistilledClassifier-trees"
            else fits(lambda: _X() * 1e150)
        )
    ),
)
_fit_case(
    "tiny_values", lambda tmp: _X() * 1e-150, _target, fits(lambda: _X() * 1e-150)
)


@pytest.mark.parametrize("make_est, est_kind, make_X, make_y, expect", FIT_CASES)
def test_fit_input_kinds(make_est, est_kind, make_X, make_y, expect, tmp_path):
    X = make_X(tmp_path)
    y = make_y(est_kind)
    est = make_est()
    if isinstance(expect, Raises):
        with pytest.raises(expect.exc, match=expect.match):
            est.fit(X, y)
        return
    snapshot = None if sp.issparse(X) else np.array(X, copy=True)
    est.fit(X, y)
    expect(est, X)
    if snapshot is not None:  # the caller's array is left alone
        np.testing.assert_array_equal(np.asarray(X), snapshot)


# --- sample weights and targets -------------------------------------------

SW_CASES = {
    "too_short": (np.ones(N - 1), Raises(ValueError, "sample_weight")),
    "nan": (np.r_[np.nan, np.ones(N - 1)], Raises(ValueError, "sample_weight.*NaN")),
    "inf": (np.r_[np.inf, np.ones(N - 1)], Raises(ValueError, "sample_weight.*inf")),
    "all_zero": (np.zeros(N), Raises(ValueError, "[Ss]ample weights|sample_weight")),
    # the distillers need weights they can share between teacher and student;
    # the linear models follow LogisticRegression, which accepts them
    "negative": (np.r_[-1.0, np.ones(N - 1)], None),
    "read_only": (np.linspace(0.5, 2.0, N), None),
}


@pytest.mark.parametrize("case", sorted(SW_CASES))
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_sample_weight_kinds(name, case):
    make_est, kind = ESTIMATORS[name]
    sw, expect = SW_CASES[case]
    sw = sw.copy()
    sw.flags.writeable = False
    if case == "negative" and name.startswith("Distilled"):
        expect = Raises(ValueError, "[Nn]egative.*sample_weight")
    X, y = _X(), _target(kind)
    if isinstance(expect, Raises):
        with pytest.raises(expect.exc, match=expect.match):
            make_est().fit(X, y, sample_weight=sw)
        return
    est = make_est().fit(X, y, sample_weight=sw)
    _finite_predictions(est, X)


CLASSIFIERS = sorted(n for n, (_, kind) in ESTIMATORS.items() if kind == "classifier")


@pytest.mark.parametrize("name", CLASSIFIERS)
@pytest.mark.parametrize(
    "case, y, match",
    [
        ("continuous", np.linspace(0, 1, N), "[Uu]nknown label type|continuous"),
        ("nan", np.r_[np.nan, (np.arange(N - 1) % 3).astype(float)], "NaN"),
        (
            "2d",
            np.column_stack([np.arange(N) % 3, np.arange(N) % 2]),
            "multi|1d|shape|soft targets Y must sum to 1",
        ),
    ],
    ids=["continuous", "nan", "2d"],
)
def test_classifier_targets(name, case, y, match):
    make_est, _ = ESTIMATORS[name]
    with pytest.raises(ValueError, match=match):
        make_est().fit(_X(), y)


# --- predicting with bad inputs -------------------------------------------


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_unfitted_estimator_refuses_to_predict(name):
    make_est, _ = ESTIMATORS[name]
    with pytest.raises(NotFittedError):
        make_est().predict(_X())


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_predict_with_wrong_number_of_features(name):
    make_est, kind = ESTIMATORS[name]
    est = make_est().fit(_X(), _target(kind))
    with pytest.raises(ValueError, match="features"):
        est.predict(_X()[:, :2])


# --- mixed DataFrames go to the teacher and the student as given ----------


def _mixed_frame():
    pd = pytest.importorskip("pandas")
    X = _X()
    return pd.DataFrame(
        {
            "num": X[:, 0],
            "colour": pd.Categorical(np.array(["red", "green", "blue"])[_y()]),
            "name": np.array(["x", "y"])[np.arange(N) % 2].astype(object),
            "gap": np.where(np.arange(N) % 5 == 0, np.nan, X[:, 1]),
        }
    )


def _frame_model(final):
    encode = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["colour", "name"]),
        (SimpleImputer(), ["gap"]),
        ("passthrough", ["num"]),
    )
    return make_pipeline(encode, final)


def test_mixed_dataframe_passes_through_to_pipelines():
    # strings, categories and NaN reach pipelines that encode and impute them
    X = _mixed_frame()
    y = _y()
    clf = DistilledClassifier(
        _frame_model(LogisticRegression()), _frame_model(LogisticRegression())
    ).fit(X, y)
    _finite_predictions(clf, X)
    assert list(clf.feature_names_in_) == list(X.columns)


def test_mixed_dataframe_refused_by_a_plain_teacher_names_the_teacher():
    X = _mixed_frame()
    clf = DistilledClassifier(LogisticRegression(), _frame_model(LogisticRegression()))
    with pytest.raises((ValueError, TypeError), match="[Tt]eacher"):
        clf.fit(X, _y())


# --- bad parameters --------------------------------------------------------


BAD_PARAMS = [
    (lambda: _distiller(alpha=1.5), "alpha"),
    (lambda: _distiller(T=0.0), "'T'"),
    (lambda: _distiller(T=-1.0), "'T'"),
    (lambda: _distiller(teacher_response="votes"), "teacher_response"),
    (lambda: _distiller(augment="x"), "augment"),
    (lambda: _distiller(augment_size=0), "augment_size"),
    (lambda: DistilledClassifier("teacher", LogisticRegression()), "teacher"),
    (lambda: DistilledClassifier(LogisticRegression(), "student"), "student"),
    (lambda: DistilledRegressor(LinearRegression(), Ridge(), alpha=-0.1), "alpha"),
    # joblib's n_jobs=0, refused as the distiller's (not as its teacher's
    # failure, with teacher_cv), whatever the path
    (lambda: _distiller(n_jobs=0, teacher_cv=3), "'n_jobs'"),
    (lambda: _distiller(n_jobs=0), "'n_jobs'"),
    (lambda: DistilledRegressor(LinearRegression(), Ridge(), n_jobs=0), "'n_jobs'"),
    (
        lambda: DistillationSearchCV(
            LogisticRegression(), {"student": [LogisticRegression()]}, n_jobs=0
        ),
        "'n_jobs'",
    ),
    (lambda: SparsifyTransformer(LogisticRegression(), sparsity=1.5), "sparsity"),
    (lambda: SparsifyTransformer(LogisticRegression(), n_steps=0), "n_steps"),
    (lambda: QuantizedLinearModel(LogisticRegression(), n_bits=0), "n_bits"),
    (lambda: QuantizedLinearModel(LogisticRegression(), method="median"), "method"),
    (lambda: SoftLogisticRegression(C=-1.0), "'C'"),
]


@pytest.mark.parametrize(
    "make_est, name",
    BAD_PARAMS,
    ids=[f"{i}-{n.strip(chr(39))}" for i, (_, n) in enumerate(BAD_PARAMS)],
)
def test_bad_parameters_name_the_parameter(make_est, name):
    est = make_est()
    y = _y_reg() if isinstance(est, DistilledRegressor) else _y()
    with pytest.raises(ValueError, match=name):
        est.fit(_X(), y)


# --- unfitted, frozen and mismatched teachers ------------------------------


def _fitted_teacher(X=None, y=None):
    return LogisticRegression().fit(_X() if X is None else X, _y() if y is None else y)


TEACHER_CASES = {
    "frozen_unfitted": (
        lambda: DistilledClassifier(
            FrozenEstimator(LogisticRegression()), LogisticRegression()
        ),
        _y,
        (NotFittedError, "not fitted|fitted"),
    ),
    "frozen_disjoint_labels": (
        lambda: DistilledClassifier(
            FrozenEstimator(_fitted_teacher(y=_y() + 10)), LogisticRegression()
        ),
        _y,
        (ValueError, "[Tt]eacher"),
    ),
    "frozen_other_label_type": (
        lambda: DistilledClassifier(
            FrozenEstimator(_fitted_teacher(y=np.array(["a", "b", "c"])[_y()])),
            LogisticRegression(),
        ),
        _y,
        (ValueError, "[Tt]eacher"),
    ),
    "frozen_other_n_features": (
        lambda: DistilledClassifier(
            FrozenEstimator(_fitted_teacher(X=_X()[:, :2])), LogisticRegression()
        ),
        _y,
        (ValueError, "features"),
    ),
    "regressor_teacher_for_classifier": (
        lambda: DistilledClassifier(Ridge(), LogisticRegression()),
        _y,
        ((ValueError, TypeError), "[Tt]eacher"),
    ),
    "classifier_teacher_for_regressor": (
        lambda: DistilledRegressor(LogisticRegression(), Ridge()),
        _y_reg,
        ((ValueError, TypeError), "[Tt]eacher"),
    ),
    "classifier_student_for_regressor": (
        lambda: DistilledRegressor(LinearRegression(), LogisticRegression()),
        _y_reg,
        ((ValueError, TypeError), "[Ss]tudent"),
    ),
    "teacher_without_scores": (
        lambda: DistilledClassifier(_NoScores(), LogisticRegression()),
        _y,
        (TypeError, "[Tt]eacher"),
    ),
    "frozen_teacher_with_cv": (
        lambda: DistilledClassifier(
            FrozenEstimator(_fitted_teacher()), LogisticRegression(), teacher_cv=3
        ),
        _y,
        (ValueError, "teacher_cv"),
    ),
}


class _NoScores(DecisionTreeClassifier):
    """A classifier with predict only."""

    predict_proba = property(lambda self: (_ for _ in ()).throw(AttributeError("no")))


@pytest.mark.parametrize("case", sorted(TEACHER_CASES))
def test_teacher_problems(case):
    make_est, make_y, (exc, match) = TEACHER_CASES[case]
    with pytest.raises(exc, match=match):
        make_est().fit(_X(), make_y())


def test_frozen_teacher_with_overlapping_labels_is_used():
    teacher = _fitted_teacher()
    clf = DistilledClassifier(FrozenEstimator(teacher), LogisticRegression(), alpha=1.0)
    y = np.where(_y() == 2, 3, _y())  # labels {0, 1, 3}: 0 and 1 shared
    # each side has a label the other lacks: said, in case of another encoding
    with pytest.warns(UserWarning, match="another encoding"):
        clf.fit(_X(), y)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2, 3])
    _finite_predictions(clf, _X())


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_labels_numpy_cannot_compare_with_the_teachers_are_refused(alpha):
    # int64 and uint64 labels beyond 2**53 compare as float64: two of three
    # classes were merged (an IndexError, or a classes_ label in neither)
    labels = np.array([5, 2**60 + 1, 2**60 + 2], dtype=np.int64)
    X, codes = _X(), _y()
    y = labels[codes]
    teacher = FrozenEstimator(DecisionTreeClassifier(max_depth=2).fit(X, y))
    clf = DistilledClassifier(teacher, LogisticRegression(), alpha=alpha)
    np.testing.assert_array_equal(clf.fit(X, y).classes_, labels)
    with pytest.raises(ValueError, match=r"beyond 2\*\*53.*astype\(int64\)"):
        clf.fit(X, y.astype(np.uint64))
    with pytest.raises(ValueError, match=r"beyond 2\*\*53"):
        clf.set_params(student=SGDClassifier(loss="log_loss")).partial_fit(
            X, y, classes=labels.astype(np.uint64)
        )


@pytest.mark.parametrize("labels", [["a", "b", "c"], [1, 2, 3]])
def test_frozen_teacher_given_codes_by_a_tool_says_so(labels):
    # StackingClassifier fits its estimators on the codes 0..K-1 of y: refused
    # (strings), or warned about before scikit-learn fails on the columns
    from sklearn.ensemble import StackingClassifier

    y = np.asarray(labels)[_y()]
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0).fit(_X(), y)
    clf = DistilledClassifier(FrozenEstimator(teacher), LogisticRegression())
    stack = StackingClassifier([("distilled", clf)], cv=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(Exception) as info:
            stack.fit(_X(), y)
    said = [str(info.value), *(str(w.message) for w in caught)]
    assert any("FrozenEstimator(distiller)" in text for text in said)
    # what the message suggests works: the stack reads the distiller's
    # probabilities, columns in the labels' order
    clf.fit(_X(), y)
    stack = StackingClassifier([("distilled", FrozenEstimator(clf))], cv=3)
    stack.fit(_X(), y)
    np.testing.assert_array_equal(stack.classes_, np.unique(y))
    np.testing.assert_allclose(stack.transform(_X()), clf.predict_proba(_X()))


# --- transfer-set generators --------------------------------------------------

GENERATORS = {"munge": munge, "gaussian_noise": gaussian_noise}

GEN_CASES = [
    ("nan", _with_nan, Raises(ValueError, "NaN")),
    ("inf", _with_inf, Raises(ValueError, "[Ii]nf")),
    ("empty", lambda: np.empty((0, P)), Raises(ValueError, "sample")),
    ("X_1d", lambda: _X()[:, 0], Raises(ValueError, "2D")),
    ("complex", lambda: _X() + 1j, Raises(ValueError, "[Cc]omplex")),
    (
        "object_strings",
        lambda: np.array([["a", "b", "c"]] * N, dtype=object),
        Raises(ValueError, "string|convert"),
    ),
    ("sparse", lambda: sp.csr_matrix(_X()), Raises(TypeError, "[Ss]parse")),
    ("huge_values", lambda: _X() * 1e307, "finite"),
    ("near_float_max", lambda: np.sign(_X()) * 1.7e308, "finite"),
    ("tiny_values", lambda: _X() * 1e-310, "finite"),
]


@pytest.mark.parametrize(
    "case, make_X, expect", GEN_CASES, ids=[c[0] for c in GEN_CASES]
)
@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_generators(generator, case, make_X, expect):
    func = GENERATORS[generator]
    X = make_X()
    if isinstance(expect, Raises):
        with pytest.raises(expect.exc, match=expect.match):
            func(X, n_samples=10, random_state=0)
        return
    before = X.copy()
    X_new = func(X, n_samples=40, random_state=0)
    assert X_new.shape == (40, P)
    assert np.all(np.isfinite(X_new))
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_generators_bad_parameters(generator):
    func = GENERATORS[generator]
    with pytest.raises(ValueError, match="n_samples"):
        func(_X(), n_samples=0)
    with pytest.raises(ValueError, match="categorical_features"):
        func(_X(), categorical_features=[7])


def test_munge_needs_two_rows_and_names_p():
    with pytest.raises(ValueError, match="sample"):
        munge(_X()[:1], n_samples=4)
    with pytest.raises(ValueError, match="'p'"):
        munge(_X(), p=2.0)
    assert gaussian_noise(_X()[:1], n_samples=4, random_state=0).shape == (4, P)


# --- quantize ----------------------------------------------------------------


def _linear_with(value):
    clf = LogisticRegression().fit(_X(), _y())
    clf.coef_ = clf.coef_.copy()
    clf.coef_[1, 2] = value
    return clf


QUANTIZE_CASES = [
    ("unfitted", lambda: LogisticRegression(), Raises(NotFittedError, "not fitted")),
    ("nan_coef", lambda: _linear_with(np.nan), Raises(ValueError, "coef_")),
    ("inf_coef", lambda: _linear_with(-np.inf), Raises(ValueError, "coef_")),
    (
        "not_linear",
        lambda: DecisionTreeClassifier().fit(_X(), _y()),
        Raises(TypeError, "coef_"),
    ),
    ("huge_coef", lambda: _linear_with(1e308), "finite"),
    ("opposite_huge_coefs", lambda: _linear_with(-1.7e308), "finite"),
    ("tiny_coef", lambda: _linear_with(1e-310), "finite"),
]


@pytest.mark.parametrize(
    "case, make_model, expect", QUANTIZE_CASES, ids=[c[0] for c in QUANTIZE_CASES]
)
@pytest.mark.parametrize("method", ["uniform", "kmeans"])
@pytest.mark.parametrize("n_bits", [1, 4])
def test_quantize(case, make_model, expect, method, n_bits):
    model = make_model()
    if isinstance(expect, Raises):
        with pytest.raises(expect.exc, match=expect.match):
            quantize(model, n_bits=n_bits, method=method, random_state=0)
        return
    if case == "opposite_huge_coefs":
        model.coef_[0, 0] = 1.7e308
    before = model.coef_.copy()
    q = quantize(model, n_bits=n_bits, method=method, random_state=0)
    assert np.all(np.isfinite(q.coef_))
    assert np.all(np.isfinite(q.codebook_))
    np.testing.assert_array_equal(model.coef_, before)


def test_quantize_bad_parameters():
    model = LogisticRegression().fit(_X(), _y())
    with pytest.raises(ValueError, match="n_bits"):
        quantize(model, n_bits=17)
    with pytest.raises(ValueError, match="method"):
        quantize(model, method="log")


# --- metrics -----------------------------------------------------------------

P2 = [[0.5, 0.5], [0.9, 0.1]]

METRIC_CASES = [
    ("fidelity_empty", lambda: fidelity_score([], []), ValueError, "empty"),
    (
        "fidelity_length",
        lambda: fidelity_score([0, 1], [0]),
        ValueError,
        "inconsistent",
    ),
    (
        "fidelity_negative_weight",
        lambda: fidelity_score([0, 1], [0, 1], sample_weight=[1.0, -1.0]),
        ValueError,
        "sample_weight",
    ),
    (
        "fidelity_zero_weights",
        lambda: fidelity_score([0, 1], [0, 1], sample_weight=[0.0, 0.0]),
        ValueError,
        "sample_weight",
    ),
    (
        "kl_empty",
        lambda: kl_divergence(np.empty((0, 2)), np.empty((0, 2))),
        ValueError,
        "p_teacher",
    ),
    (
        "kl_nan",
        lambda: kl_divergence([[np.nan, 1.0]], [[0.5, 0.5]]),
        ValueError,
        "finite",
    ),
    ("kl_1d", lambda: kl_divergence([0.5, 0.5], [0.5, 0.5]), ValueError, "2-D"),
    ("kl_shapes", lambda: kl_divergence(P2, [[1.0, 0.0]]), ValueError, "same shape"),
    (
        "kl_not_summing",
        lambda: kl_divergence([[0.5, 0.6]], [[0.5, 0.5]]),
        ValueError,
        "sum to 1",
    ),
    (
        "kl_negative",
        lambda: kl_divergence([[1.5, -0.5]], [[0.5, 0.5]]),
        ValueError,
        "non-negative",
    ),
    (
        "kl_strings",
        lambda: kl_divergence([["a", "b"]], [[0.5, 0.5]]),
        ValueError,
        "numeric",
    ),
    (
        "ce_empty",
        lambda: soft_cross_entropy(np.empty((0, 2)), np.empty((0, 2))),
        ValueError,
        "p_teacher",
    ),
    (
        "ce_complex",
        lambda: soft_cross_entropy(np.array([[0.5, 0.5]]) + 0j, [[0.5, 0.5]]),
        (ValueError, TypeError),
        "p_teacher|complex|numeric",
    ),
    (
        "count_unfitted",
        lambda: count_nonzero_parameters(LogisticRegression()),
        NotFittedError,
        "not fitted",
    ),
    (
        "count_unfitted_distiller",
        lambda: count_nonzero_parameters(
            DistilledClassifier(LogisticRegression(), LogisticRegression())
        ),
        NotFittedError,
        "not fitted",
    ),
    (
        "count_unfitted_pipeline",
        lambda: count_nonzero_parameters(make_pipeline(LogisticRegression())),
        NotFittedError,
        "not fitted",
    ),
    (
        "time_empty",
        lambda: prediction_time(LogisticRegression().fit(_X(), _y()), np.empty((0, P))),
        ValueError,
        "empty",
    ),
    (
        "time_repeats",
        lambda: prediction_time(
            LogisticRegression().fit(_X(), _y()), _X(), n_repeats=0
        ),
        ValueError,
        "n_repeats",
    ),
    (
        "soft_targets_nan",
        lambda: check_soft_targets([[np.nan, 1.0]]),
        ValueError,
        "NaN|finite",
    ),
    ("soft_targets_sum", lambda: check_soft_targets([[0.2, 0.7]]), ValueError, "sum"),
    (
        "soft_targets_negative",
        lambda: check_soft_targets([[1.2, -0.2]]),
        ValueError,
        "negative",
    ),
    ("soft_targets_1d", lambda: check_soft_targets([0.2, 0.8]), ValueError, "2-D|2D"),
    (
        "soft_targets_columns",
        lambda: check_soft_targets([[0.2, 0.8]], n_classes=3),
        ValueError,
        "3",
    ),
]


@pytest.mark.parametrize(
    "case, call, exc, match", METRIC_CASES, ids=[c[0] for c in METRIC_CASES]
)
def test_metrics_errors_name_the_problem(case, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_metrics_on_one_row_and_read_only_inputs():
    p = np.array([[0.25, 0.75]])
    p.flags.writeable = False
    assert kl_divergence(p, p) == 0.0
    entropy = -(0.25 * np.log(0.25) + 0.75 * np.log(0.75))
    assert soft_cross_entropy(p, p) == pytest.approx(entropy)
    assert fidelity_score(np.array(["a"]), np.array(["a"])) == 1.0
    model = LogisticRegression().fit(_X(), _y())
    assert prediction_time(model, _X()[:1], n_repeats=1) >= 0
    n_expected = np.count_nonzero(model.coef_) + np.count_nonzero(model.intercept_)
    assert count_nonzero_parameters(model) == n_expected
    assert serialized_size(model) > 0
    assert "accuracy" in format_report({"m": {"accuracy": 1.0}})


def test_soft_logistic_with_soft_targets_refuses_bad_rows():
    X = _X()
    Y = np.full((N, 3), 1 / 3)
    Y[0] = [0.5, 0.6, -0.1]
    with pytest.raises(ValueError, match="negative|sum"):
        SoftLogisticRegression().fit(X, Y)


def test_clone_leaves_bad_parameters_for_fit():
    # parameters are validated at fit, never in __init__ or clone
    est = DistilledClassifier(LogisticRegression(), LogisticRegression(), alpha=7)
    assert clone(est).alpha == 7


class FailingFit(DecisionTreeClassifier):
    """A student whose fit raises (after a first, successful fit elsewhere)."""

    def fit(self, X, y, sample_weight=None):
        raise ValueError("cannot fit")


class FailingRegressor(Ridge):
    def fit(self, X, y, sample_weight=None):
        raise ValueError("cannot fit")


def _refit_fails(model, first, second, **failing):
    """Fit ``model`` on ``first``, then, with ``failing`` parameters, on
    ``second``, which raises: the model is then unfitted."""
    estimator = model.fit(*first)
    estimator.set_params(**failing)
    with pytest.raises(ValueError):
        estimator.fit(*second)
    fitted = [name for name in vars(estimator) if name.endswith("_")]
    assert not fitted, fitted
    with pytest.raises(NotFittedError):
        estimator.predict(second[0])


def test_a_failed_refit_leaves_no_half_fitted_model():
    rng = np.random.RandomState(0)
    X3, y3 = rng.standard_normal((60, 4)), np.repeat([10, 11, 12], 20)
    X2, y2 = rng.standard_normal((40, 4)), np.repeat([0, 1], 20)
    # never new classes_ with the old student_
    distiller = DistilledClassifier(LogisticRegression(), DecisionTreeClassifier())
    _refit_fails(distiller, (X3, y3), (X2, y2), student=FailingFit())
    regressor = DistilledRegressor(LinearRegression(), Ridge())
    _refit_fails(
        regressor, (X3, X3[:, 0]), (X2, X2[:, 0]), student=FailingRegressor()
    )
    sparsifier = SparsifyTransformer(LogisticRegression(), sparsity=0.5)
    _refit_fails(sparsifier, (X3, y3), (X2, y2), estimator=FailingFit())
    quantized = QuantizedLinearModel(LogisticRegression())
    _refit_fails(quantized, (X3, y3), (X2, y2), estimator=FailingFit())


def test_refit_keeps_nothing_of_the_first_fit():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((60, 4)), np.repeat([0, 1, 2], 20)
    frame = pd.DataFrame(X, columns=list("abcd"))
    for estimator in (
        QuantizedLinearModel(LogisticRegression()),
        SparsifyTransformer(LogisticRegression(), sparsity=0.5),
        DistilledClassifier(LogisticRegression(), LogisticRegression()),
    ):
        estimator.fit(frame, y).fit(X, y)
        fresh = clone(estimator).fit(X, y)
        assert not hasattr(estimator, "feature_names_in_")
        assert sorted(vars(estimator)) == sorted(vars(fresh))


class OwnFitLogistic(LogisticRegression):
    """A LogisticRegression subclass whose fit means something else."""

    def fit(self, X, y, sample_weight=None):
        self.own_fit_called_ = True
        return super().fit(X, y, sample_weight=sample_weight)


def test_logistic_subclass_with_its_own_fit_is_fitted_by_it():
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((60, 4)), np.repeat([0, 1, 2], 20)
    clf = DistilledClassifier(LogisticRegression(), OwnFitLogistic()).fit(X, y)
    assert clf.student_.own_fit_called_


@pytest.mark.parametrize(
    "make, name, value",
    [
        (
            lambda **p: QuantizedLinearModel(LogisticRegression(), **p),
            "n_bits",
            np.int8(7),
        ),
        (
            lambda **p: QuantizedLinearModel(
                LogisticRegression(), method="kmeans", random_state=0, **p
            ),
            "n_bits",
            np.uint8(8),
        ),
        (
            lambda **p: DistilledClassifier(
                DecisionTreeClassifier(max_depth=3, random_state=0),
                LogisticRegression(),
                **p,
            ),
            "alpha",
            np.float16(0.3),
        ),
        (
            lambda **p: DistilledClassifier(
                LogisticRegression(), LogisticRegression(), **p
            ),
            "T",
            np.float16(3.0),
        ),
        (
            lambda **p: DistilledRegressor(
                DecisionTreeRegressor(max_depth=3, random_state=0), Ridge(), **p
            ),
            "alpha",
            np.float16(0.3),
        ),
        (
            lambda **p: DistilledClassifier(
                DecisionTreeClassifier(max_depth=3, random_state=0),
                DecisionTreeClassifier(max_depth=3, random_state=0),
                augment="munge",
                random_state=0,
                **p,
            ),
            "augment_size",
            np.float16(20.0),
        ),
    ],
)
def test_numpy_scalar_parameters_are_numbers_of_their_value(make, name, value):
    # computed in their own type, an int8 n_bits overflowed 2**n_bits, a
    # float16 alpha made targets that do not sum to one (blamed on the
    # student), a float16 augment_size overflowed the number of rows
    rng = np.random.RandomState(0)
    X = rng.normal(size=(3500 if name == "augment_size" else 150, 3))
    y = X @ [1.0, -2.0, 0.5] if isinstance(make(), DistilledRegressor) else (
        np.arange(len(X)) % 3
    )
    python = value.item()
    expected = make(**{name: python}).fit(X, y)
    fitted = make(**{name: value}).fit(X, y)
    np.testing.assert_allclose(fitted.predict(X[:50]), expected.predict(X[:50]))


def test_a_student_refusing_the_blended_targets_is_told_where_they_leave_y():
    from sklearn.linear_model import PoissonRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    y = rng.poisson(np.exp(X[:, 0])).astype(float)
    PoissonRegressor().fit(X, y)  # y itself is in the student's range
    with pytest.raises(ValueError, match="below 0, where y >= 0") as exc:
        DistilledRegressor(Ridge(), PoissonRegressor(), alpha=0.9).fit(X, y)
    negative = int(np.sum(0.9 * Ridge().fit(X, y).predict(X) + 0.1 * y < 0))
    text = str(exc.value) + "".join(getattr(exc.value, "__notes__", ()))
    assert f"of the 200, {negative} below" in text
    # a teacher that predicts within y's range is distilled
    model = DistilledRegressor(PoissonRegressor(), PoissonRegressor(), alpha=0.9)
    assert np.all(model.fit(X, y).predict(X) > 0)


@pytest.mark.filterwarnings("ignore:The frozen teacher's predictions:UserWarning")
def test_a_student_error_unrelated_to_y_range_gets_no_note_on_it():
    from sklearn.linear_model import GammaRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(100, 3)
    y = X @ [1.0, 2.0, 3.0] + 0.5 * rng.randn(100)  # of both signs
    # blended targets above the largest y, or below 0 where y >= 0: Ridge's
    # own parameter error alone
    for target in (y, np.abs(y).round()):
        with pytest.raises(ValueError, match="alpha") as exc:
            DistilledRegressor(LinearRegression(), Ridge(alpha=-1.0), alpha=0.9).fit(
                X, target
            )
        assert not getattr(exc.value, "__notes__", ())
    # y > 0 and targets at or below 0: a Gamma student is told
    y = np.exp(X[:, 0])
    teacher = FrozenEstimator(LinearRegression().fit(X, y - 2))
    with pytest.raises(ValueError) as exc:
        DistilledRegressor(teacher, GammaRegressor(), alpha=0.9).fit(X, y)
    assert "at or below 0, where y > 0" in "".join(exc.value.__notes__)


def test_a_frozen_regressor_teacher_on_another_scale_of_y_is_warned_of():
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import SGDRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    y = 10 + X @ [1.0, 2.0, 3.0] + 0.1 * rng.randn(200)  # (a price, say)
    # trained elsewhere on the target in thousands
    teacher = FrozenEstimator(Ridge().fit(X, y / 1000))
    with pytest.warns(UserWarning, match=r"R² = -\d.* worse than its mean"):
        DistilledRegressor(teacher, Ridge(), alpha=0.5).fit(X, y)
    Y = np.column_stack([y, -y])
    two = FrozenEstimator(Ridge().fit(X, np.column_stack([y, -y / 1000])))
    with pytest.warns(UserWarning, match=r"against y \(output 1\)"):
        DistilledRegressor(two, Ridge(), alpha=0.5).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # a teacher of y's own scale, and any teacher at alpha=0, are not
        DistilledRegressor(FrozenEstimator(Ridge().fit(X, y)), Ridge()).fit(X, y)
        DistilledRegressor(teacher, Ridge(), alpha=0.0).fit(X, y)
        # nor a teacher fitted here (not frozen), even one worse than the
        # mean in sample, by the distiller or by a search (whose refit
        # freezes the teacher it fitted on all rows)
        poor = DummyRegressor(strategy="quantile", quantile=0.9)
        DistilledRegressor(poor, Ridge()).fit(X, y)
        DistillationSearchCV(poor, {"student": [Ridge()], "alpha": [0.5]}, cv=3).fit(
            X, y
        )
    # partial_fit (a frozen teacher always): its first chunk with y, after
    # one without
    model = DistilledRegressor(teacher, SGDRegressor(random_state=0), alpha=0.5)
    model.partial_fit(X[:50])
    with pytest.warns(UserWarning, match="worse than its mean"):
        model.partial_fit(X[50:150], y[50:150])
