"""Distillation on a dask cluster: grid search, streaming over a dask array, a lost worker."""

import os
import threading

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skdistill import DistilledClassifier, resilient_dask_backend

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install skdistill[dask])"
)
da = pytest.importorskip("dask.array", reason="dask.array is not installed")


def _local_cluster():
    """Two single-threaded worker processes on loopback."""
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )


@pytest.fixture(scope="module")
def client():
    with _local_cluster() as cluster, distributed.Client(cluster) as client:
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


def _make_gate(directory):
    """An identity function for the teacher's first step that, on a dask
    worker, writes the worker's process id into ``directory`` and then waits
    until the test creates the file ``open`` there. Files, not dask's
    coordination primitives, so that the gate itself needs no connection that
    could time out on a loaded machine. Made by a factory so that cloudpickle
    sends it by value."""

    def gate(X):
        import os
        import time

        try:
            distributed.get_worker()
        except ValueError:  # a local fit: nothing to wait for
            return X
        with open(os.path.join(directory, f"entered-{os.getpid()}"), "w"):
            pass
        deadline = time.monotonic() + 1200
        while not os.path.exists(os.path.join(directory, "open")):
            if time.monotonic() > deadline:
                raise TimeoutError("the test never opened the gate")
            time.sleep(0.05)
        return X

    return gate


def test_search_survives_a_killed_worker(data, tmp_path):
    """A worker that is provably running a batch of the search (held at a
    gate) is killed with SIGKILL; the search ends with the same results as a
    local run."""
    psutil = pytest.importorskip("psutil")
    X, y = data
    gate = FunctionTransformer(_make_gate(str(tmp_path)))
    teacher = make_pipeline(gate, RandomForestClassifier(n_estimators=10, random_state=0))
    local = _search(teacher=teacher).fit(X, y)

    with _local_cluster() as cluster, distributed.Client(cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
        result = {}

        def run():
            try:
                with joblib.parallel_config(backend=resilient_dask_backend(client)):
                    result["search"] = _search(n_jobs=-1, teacher=teacher).fit(X, y)
            except BaseException as exc:  # reported by the main thread
                result["error"] = exc

        thread = threading.Thread(target=run)
        thread.start()
        try:
            # Wait until a batch of the search is running on a worker, held at
            # the gate: that worker provably holds work of the search.
            victim = None
            while victim is None and thread.is_alive():
                entered = sorted(tmp_path.glob("entered-*"))
                if entered:
                    victim = int(entered[0].name.split("-")[1])
                else:
                    thread.join(timeout=0.05)
            assert victim is not None, f"the search ended early: {result!r}"
            assert victim in worker_pids
            process = psutil.Process(victim)
            process.kill()
            process.wait(timeout=600)
        finally:
            (tmp_path / "open").touch()
            thread.join(timeout=1800)
    assert not thread.is_alive()
    assert "error" not in result, repr(result.get("error"))
    remote = result["search"]
    assert remote.best_params_ == local.best_params_
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        assert_allclose(remote.cv_results_[key], local.cv_results_[key])
    assert_array_equal(
        remote.best_estimator_.student_.coef_, local.best_estimator_.student_.coef_
    )
