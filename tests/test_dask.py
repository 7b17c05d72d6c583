"""Distillation on a dask cluster: grid search, streaming over a dask array, a lost worker."""

import threading
import time

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from skdistill import DistilledClassifier

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install skdistill[dask])"
)
da = pytest.importorskip("dask.array", reason="dask.array is not installed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=400, n_features=8, n_informative=5, n_classes=3, random_state=0
    )


def _search(n_jobs=None, teacher=None):
    if teacher is None:
        teacher = RandomForestClassifier(n_estimators=10, random_state=0)
    clf = DistilledClassifier(teacher, LogisticRegression(max_iter=500))
    grid = {"alpha": [0.3, 0.9], "T": [1.0, 3.0], "student__C": [0.1, 1.0]}
    return GridSearchCV(clf, grid, cv=3, n_jobs=n_jobs)


def test_grid_search_on_dask_equals_local(client, data):
    X, y = data
    local = _search().fit(X, y)
    with joblib.parallel_config(backend="dask"):
        remote = _search(n_jobs=-1).fit(X, y)
    assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_
    assert_array_equal(
        remote.best_estimator_.student_.coef_, local.best_estimator_.student_.coef_
    )


def test_teacher_inference_and_streaming_over_dask_array(client, data):
    X_small, y_small = data
    teacher = RandomForestClassifier(n_estimators=10, random_state=0).fit(X_small, y_small)
    rng = da.random.RandomState(0)
    X = rng.normal(size=(6000, 8), chunks=(1000, 8))
    assert X.numblocks[0] > 1  # larger than one chunk

    # teacher inference runs block by block on the workers
    proba = X.map_blocks(
        teacher.predict_proba, dtype=np.float64, chunks=(1000, 3)
    ).compute()
    assert proba.shape == (6000, 3)

    def stream(blocks):
        clf = DistilledClassifier(
            FrozenEstimator(teacher),
            SGDClassifier(loss="log_loss", random_state=0),
            alpha=1.0,
            T=2.0,
        )
        seen = []
        for block in blocks:
            chunk = block.compute() if hasattr(block, "compute") else block
            seen.append(chunk.shape[0])
            clf.partial_fit(chunk)
        return clf, seen

    clf, seen = stream(X.to_delayed().ravel())
    assert max(seen) == 1000  # one chunk at a time in this process
    X_local = X.compute()
    reference, _ = stream(np.array_split(X_local, 6))
    assert_array_equal(clf.student_.coef_, reference.student_.coef_)
    assert_allclose(proba, teacher.predict_proba(X_local))


def test_search_survives_a_killed_worker(client, data):
    # A teacher without joblib parallelism of its own, so that every task of
    # the search is one batch of _fit_and_score on a worker.
    X, y = make_classification(
        n_samples=4000, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    teacher = SVC(C=10.0)
    local = _search(teacher=teacher).fit(X, y)
    result = {}

    def run():
        # retries: a batch lost with its worker is submitted again
        with joblib.parallel_config(backend="dask", retries=3):
            result["search"] = _search(n_jobs=-1, teacher=teacher).fit(X, y)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive(), "the search ended before a worker could be killed"
    def exit_soon():  # nested, so that it is pickled by value
        import os
        import threading

        threading.Timer(0.2, os._exit, args=(1,)).start()

    victim = sorted(client.scheduler_info()["workers"])[0]
    client.run(exit_soon, workers=[victim])
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert result["search"].best_params_ == local.best_params_
    assert_allclose(
        result["search"].cv_results_["mean_test_score"],
        local.cv_results_["mean_test_score"],
    )
