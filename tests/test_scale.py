"""Teacher caching across a grid search and parallel teacher inference."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import joblib
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV

from skdistill import DistilledClassifier, DistilledRegressor
from skdistill._teacher import teacher_response

FIT_CALLS = []


class CountingForest(RandomForestClassifier):
    """A forest that records each fit in FIT_CALLS (same process only)."""

    def fit(self, X, y, sample_weight=None):
        FIT_CALLS.append(X.shape[0])
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.fixture
def data():
    return make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=0
    )


def _search(X, y, memory, teacher_cv=None):
    clf = DistilledClassifier(
        CountingForest(n_estimators=15, random_state=0),
        LogisticRegression(max_iter=500),
        memory=memory,
        teacher_cv=teacher_cv,
    )
    grid = {"alpha": [0.2, 0.8], "T": [1.0, 3.0], "student__C": [0.1, 1.0]}
    return GridSearchCV(clf, grid, cv=3).fit(X, y)


@pytest.mark.parametrize("teacher_cv", [None, 2])
def test_memory_caches_teacher_across_grid_search(data, tmp_path, teacher_cv):
    X, y = data
    FIT_CALLS.clear()
    uncached = _search(X, y, memory=None, teacher_cv=teacher_cv)
    n_uncached = len(FIT_CALLS)
    FIT_CALLS.clear()
    cached = _search(X, y, memory=str(tmp_path), teacher_cv=teacher_cv)
    n_cached = len(FIT_CALLS)
    folds = 1 if teacher_cv is None else 1 + teacher_cv  # fits per training set
    assert n_uncached == (8 * 3 + 1) * folds
    assert n_cached == (3 + 1) * folds  # one per CV split, one for the refit
    assert_allclose(
        cached.cv_results_["mean_test_score"], uncached.cv_results_["mean_test_score"]
    )
    assert cached.best_params_ == uncached.best_params_
    assert_array_equal(
        cached.best_estimator_.student_.coef_, uncached.best_estimator_.student_.coef_
    )


def test_memory_object_and_cache_clear(data, tmp_path):
    X, y = data
    memory = joblib.Memory(tmp_path, verbose=0)
    FIT_CALLS.clear()
    clf = DistilledClassifier(
        CountingForest(n_estimators=5, random_state=0), LogisticRegression(), memory=memory
    )
    clf.fit(X, y)
    clf.set_params(alpha=0.9).fit(X, y)
    assert len(FIT_CALLS) == 1
    clf.set_params(teacher__n_estimators=6).fit(X, y)  # other teacher: new key
    assert len(FIT_CALLS) == 2
    clf.fit(X[:200], y[:200])  # other data: new key
    assert len(FIT_CALLS) == 3
    memory.clear(warn=False)
    clf.fit(X, y)
    assert len(FIT_CALLS) == 4


def test_regressor_memory(tmp_path):
    X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    a = DistilledRegressor(LinearRegression(), Ridge(), memory=str(tmp_path)).fit(X, y)
    b = DistilledRegressor(LinearRegression(), Ridge(), memory=str(tmp_path)).fit(X, y)
    c = DistilledRegressor(LinearRegression(), Ridge()).fit(X, y)
    assert_array_equal(a.student_.coef_, c.student_.coef_)
    assert_array_equal(b.student_.coef_, c.student_.coef_)


@pytest.mark.parametrize("method", ["predict_proba", "decision_function", "predict"])
def test_chunked_parallel_inference_identical(data, method):
    X, y = data
    teacher = LogisticRegression(max_iter=500).fit(X, y)
    full = getattr(teacher, method)(X)
    for n_jobs in (1, 2):
        chunked = teacher_response(teacher, X, method, n_jobs=n_jobs, chunk_size=37)
        assert_array_equal(chunked, full)


def test_n_jobs_gives_identical_student():
    X, y = make_classification(n_samples=45_000, n_features=5, random_state=0)
    kwargs = dict(alpha=0.7, T=2.0)
    one = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), n_jobs=1, **kwargs
    ).fit(X, y)
    two = DistilledClassifier(
        LogisticRegression(), LogisticRegression(), n_jobs=2, **kwargs
    ).fit(X, y)
    assert_array_equal(one.student_.coef_, two.student_.coef_)


class LoggingForest(RandomForestClassifier):
    """A forest that appends a line to ``log`` at each fit (any process)."""

    def __init__(self, n_estimators=100, *, random_state=None, log=None):
        super().__init__(n_estimators=n_estimators, random_state=random_state)
        self.log = log

    def fit(self, X, y, sample_weight=None):
        with open(self.log, "a") as f:
            f.write(f"{X.shape[0]}\n")
        return super().fit(X, y, sample_weight=sample_weight)


def _warm_cache(clf, grid, X, y):
    GridSearchCV(clf, grid, cv=3).fit(X, y)


def test_memory_is_shared_by_parallel_workers(data, tmp_path):
    X, y = data
    log = tmp_path / "fits.log"
    clf = DistilledClassifier(
        LoggingForest(n_estimators=10, random_state=0, log=str(log)),
        LogisticRegression(max_iter=500),
        memory=str(tmp_path / "cache"),
    )
    grid = {"alpha": [0.2, 0.8], "student__C": [0.1, 1.0]}
    # Warm the cache in a fresh process, as a cache written by an earlier run.
    # (joblib.Memory writes the function's code next to its entries only in a
    # process that has not called the function before; in this process earlier
    # tests may have, and joblib older than 1.6 lets two workers that both find
    # it missing wipe each other's entries.)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        pool.submit(_warm_cache, clf, grid, X, y).result()
    n_first = len(log.read_text().split())
    assert n_first == 4  # one fit per split and one for the refit
    # Without a shared cache the parallel search would fit the teacher 13 times
    # (4 candidates x 3 folds + refit); with it, the workers and the refit load
    # every output the first search wrote.
    parallel = GridSearchCV(clf, grid, cv=3, n_jobs=2).fit(X, y)
    assert len(log.read_text().split()) == n_first
    serial = GridSearchCV(clf.set_params(memory=None), grid, cv=3).fit(X, y)
    assert_allclose(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


PREDICT_CALLS = []


class CountingLinearRegression(LinearRegression):
    """Records each predict call in PREDICT_CALLS (same process only)."""

    def predict(self, X):
        PREDICT_CALLS.append(X.shape[0])
        return super().predict(X)


def test_frozen_regressor_teacher_is_cached(tmp_path):
    X, y = make_regression(n_samples=90, n_features=3, random_state=0)
    teacher = FrozenEstimator(CountingLinearRegression().fit(X, y))
    reg = DistilledRegressor(teacher, Ridge(), memory=str(tmp_path))
    PREDICT_CALLS.clear()
    grid = {"alpha": [0.2, 0.5, 0.9], "student__alpha": [0.1, 1.0]}
    search = GridSearchCV(reg, grid, cv=3).fit(X, y)
    assert len(PREDICT_CALLS) == 3 + 1  # one per training set, not per candidate
    uncached = GridSearchCV(reg.set_params(memory=None), grid, cv=3).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"], uncached.cv_results_["mean_test_score"]
    )
