"""Properties that hold for every input (hypothesis)."""

import os

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skdistill import DistilledClassifier
from skdistill._targets import logits_from_output, soften

SETTINGS = dict(
    max_examples=int(os.environ.get("SKDISTILL_HYPOTHESIS_EXAMPLES", 15)),
    derandomize="SKDISTILL_HYPOTHESIS_EXAMPLES" not in os.environ,
    deadline=None,  # no timing in tests
    database=None,  # nothing written to the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def datasets(draw, max_abs=3.0, min_rows=6, max_rows=24):
    """A small classification problem: X, y with every class at least twice."""
    n_classes = draw(st.integers(2, 3))
    n_rows = draw(st.integers(max(min_rows, 2 * n_classes), max_rows))
    n_features = draw(st.integers(1, 4))
    X = draw(
        arrays(
            np.float64,
            (n_rows, n_features),
            elements=st.floats(-max_abs, max_abs, allow_nan=False, width=64),
        )
    )
    order = draw(st.permutations(range(n_rows)))
    y = np.arange(n_rows)[list(order)] % n_classes
    return X, y


temperatures = st.floats(1e-300, 1e300).filter(lambda t: t > 0)
alphas = st.floats(0.0, 1.0)


@settings(**SETTINGS)
@given(data=datasets(max_abs=1e6), alpha=alphas, T=temperatures)
def test_probabilities_are_valid(data, alpha, T):
    X, y = data
    clf = DistilledClassifier(
        LogisticRegression(),
        DecisionTreeClassifier(max_depth=3, random_state=0),
        alpha=alpha,
        T=T,
    ).fit(X, y)
    proba = clf.predict_proba(X)
    assert np.all(np.isfinite(proba))
    assert np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1.0)


@settings(**SETTINGS)
@given(
    logits=arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(2, 4)),
        elements=st.floats(-1e300, 1e300, allow_nan=False),
    ),
    T=temperatures,
)
def test_soft_targets_are_distributions_at_any_temperature(logits, T):
    proba = soften(logits, T)
    assert np.all(np.isfinite(proba))
    assert np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1.0)
    # the teacher's top class keeps the largest target
    top = np.argmax(logits, axis=1)
    assert_array_equal(proba[np.arange(len(top)), top], proba.max(axis=1))


@settings(**SETTINGS)
@given(
    p=arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.just(3)),
        elements=st.floats(0.0, 1.0, allow_nan=False),
    ).filter(lambda p: np.all(p.sum(axis=1) > 0)),
    T=temperatures,
)
def test_targets_from_probabilities_are_distributions(p, T):
    p = p / p.sum(axis=1, keepdims=True)
    classes = np.arange(3)
    proba = soften(logits_from_output(p, classes, classes, "predict_proba"), T)
    assert np.all(np.isfinite(proba))
    assert_allclose(proba.sum(axis=1), 1.0)


@settings(**SETTINGS)
@given(data=datasets(), T=temperatures)
def test_alpha_zero_is_the_plain_student(data, T):
    X, y = data
    student = LogisticRegression(C=0.5)
    clf = DistilledClassifier(LogisticRegression(), student, alpha=0.0, T=T).fit(X, y)
    plain = clone(student).fit(X, y)
    assert_array_equal(clf.student_.coef_, plain.coef_)
    assert_array_equal(clf.student_.intercept_, plain.intercept_)
    assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))


@settings(**SETTINGS)
@given(data=datasets(max_abs=2.0, min_rows=10))
def test_alpha_one_recovers_a_logistic_teacher(data):
    X, y = data
    teacher = LogisticRegression(C=1.0, tol=1e-10, max_iter=5000).fit(X, y)
    student = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10000)
    clf = DistilledClassifier(FrozenEstimator(teacher), student, alpha=1.0, T=1.0)
    clf.fit(X, y)
    assert_allclose(clf.predict_proba(X), teacher.predict_proba(X), atol=2e-4)


@settings(**SETTINGS)
@given(
    data=datasets(),
    seed=st.integers(0, 2**31 - 2),
    augment=st.sampled_from(["munge", "gaussian"]),
)
def test_same_random_state_same_model(data, seed, augment):
    X, y = data
    clf = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), augment=augment, random_state=seed
    )
    a = clone(clf).fit(X, y)
    b = clone(clf).fit(X, y)
    assert_array_equal(a.student_.coef_, b.student_.coef_)
    assert_array_equal(a.student_.intercept_, b.student_.intercept_)


@settings(**SETTINGS)
@given(data=datasets(), alpha=alphas, T=st.floats(0.1, 10.0))
def test_dense_sparse_and_memory_order_give_the_same_model(data, alpha, T):
    X, y = data
    X = np.where(np.abs(X) < 1.0, 0.0, X)
    clf = DistilledClassifier(
        LogisticRegression(tol=1e-10, max_iter=2000),
        LogisticRegression(tol=1e-10, max_iter=2000),
        alpha=alpha,
        T=T,
    )
    ref = clone(clf).fit(np.ascontiguousarray(X), y)
    for X_kind in (np.asfortranarray(X), sp.csr_matrix(X), sp.csc_matrix(X)):
        other = clone(clf).fit(X_kind, y)
        assert_allclose(other.student_.coef_, ref.student_.coef_, rtol=1e-5, atol=1e-6)
        assert_allclose(other.predict_proba(X), ref.predict_proba(X), atol=1e-6)


@settings(**SETTINGS)
@given(
    data=datasets(),
    alpha=alphas,
    T=temperatures,
    frozen=st.booleans(),
    fortran=st.booleans(),
    weighted=st.booleans(),
)
def test_nothing_the_caller_passed_is_modified(
    data, alpha, T, frozen, fortran, weighted
):
    X, y = data
    X = np.asfortranarray(X) if fortran else X
    sw = np.linspace(0.5, 2.0, len(y)) if weighted else None
    teacher = LogisticRegression().fit(X, y) if frozen else LogisticRegression()
    teacher_param = FrozenEstimator(teacher) if frozen else teacher
    student = LogisticRegression()
    clf = DistilledClassifier(teacher_param, student, alpha=alpha, T=T)
    params = clf.get_params(deep=False)
    before = [np.array(a, copy=True) for a in (X, y, sw) if a is not None]
    teacher_coef = teacher.coef_.copy() if frozen else None
    clf.fit(X, y, sample_weight=sw)
    after = [a for a in (X, y, sw) if a is not None]
    for a, b in zip(after, before):
        assert a.tobytes() == b.tobytes()
    assert clf.get_params(deep=False) == params
    assert not hasattr(student, "coef_")  # the student parameter is never fitted
    if frozen:
        assert_array_equal(teacher.coef_, teacher_coef)
    else:
        assert not hasattr(teacher, "coef_")


@pytest.mark.parametrize("mmap_mode", ["r", "r+"])
def test_memory_mapped_input_is_left_alone(tmp_path, mmap_mode):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 3)), np.arange(40) % 2
    np.save(tmp_path / "X.npy", X)
    X_map = np.load(tmp_path / "X.npy", mmap_mode=mmap_mode)
    clf = DistilledClassifier(LogisticRegression(), LogisticRegression(), T=2.0)
    clf.fit(X_map, y)
    assert_array_equal(np.load(tmp_path / "X.npy"), X)
    assert_allclose(clf.predict_proba(X), clone(clf).fit(X, y).predict_proba(X))
