"""DistilledClassifier.fit on dask arrays: the rows stay on the workers."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.multiclass import OneVsOneClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from skdistill import DistilledClassifier, SoftLogisticRegression

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install skdistill[dask])"
)
da = pytest.importorskip("dask.array", reason="dask.array is not installed")
from dask.sizeof import sizeof  # noqa: E402

# A tight solver tolerance: both fits then reach the same optimum closely.
TIGHT = {"tol": 1e-8, "max_iter": 1000}


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


def _data(n_classes, n_samples=1500, random_state=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        random_state=random_state,
    )
    return X, y


def _teacher(X, y, n=300):
    """A teacher fitted on a sample of the rows, as a user would."""
    forest = RandomForestClassifier(n_estimators=15, random_state=0)
    return FrozenEstimator(forest.fit(X[:n], y[:n]))


def _assert_same_student(remote, local):
    assert type(remote.student_) is type(local.student_)
    assert_array_equal(remote.classes_, local.classes_)
    assert_array_equal(remote.student_.classes_, local.student_.classes_)
    assert remote.student_.coef_.shape == local.student_.coef_.shape
    scale = np.abs(local.student_.coef_).max()
    assert_allclose(
        remote.student_.coef_, local.student_.coef_, rtol=1e-4, atol=1e-5 * scale
    )
    assert_allclose(
        remote.student_.intercept_, local.student_.intercept_, rtol=1e-4, atol=1e-5
    )


@pytest.mark.parametrize(
    "n_classes, student, alpha",
    [
        (2, LogisticRegression(class_weight="balanced", **TIGHT), 0.6),
        (3, LogisticRegression(C=np.inf, fit_intercept=False, **TIGHT), 1.0),
        (3, SoftLogisticRegression(C=2.0, **TIGHT), 0.8),
        (2, LogisticRegression(C=0.5, **TIGHT), 0.0),
    ],
)
def test_fit_on_dask_equals_in_memory(client, n_classes, student, alpha):
    X, y = _data(n_classes)
    teacher = _teacher(X, y)
    Xd = da.from_array(X, chunks=(400, 6))
    yd = da.from_array(y, chunks=400)
    assert Xd.numblocks[0] > 1

    remote = DistilledClassifier(teacher, student, alpha=alpha, T=2.0).fit(Xd, yd)
    local = DistilledClassifier(teacher, student, alpha=alpha, T=2.0).fit(X, y)

    _assert_same_student(remote, local)
    assert isinstance(remote.student_.coef_, np.ndarray)
    assert remote.n_features_in_ == 6
    assert remote.teacher_ is teacher
    assert_array_equal(remote.predict(X), local.predict(X))
    if alpha == 0:  # plain supervised training
        plain = LogisticRegression(C=0.5, **TIGHT).fit(X, y)
        assert_allclose(remote.student_.coef_, plain.coef_, rtol=1e-4, atol=1e-6)


def test_balanced_student_with_sample_weight_at_alpha_zero_is_the_plain_fit(client):
    # "balanced" counts the labels as the installed scikit-learn's
    # LogisticRegression does (with sample_weight from 1.7 on, without by 1.6)
    X, y = _data(3)
    sw = np.random.RandomState(3).uniform(0.1, 3.0, len(y))
    student = LogisticRegression(class_weight="balanced", **TIGHT)
    plain = clone(student).fit(X, y, sample_weight=sw)
    remote = DistilledClassifier(_teacher(X, y), student, alpha=0.0).fit(
        da.from_array(X, chunks=(400, 6)),
        da.from_array(y, chunks=400),
        sample_weight=da.from_array(sw, chunks=400),
    )
    assert_allclose(remote.predict_proba(X), plain.predict_proba(X), atol=1e-6)


def test_weights_whose_total_overflows_are_refused_on_dask(client):
    # the blocks' sums would be infinite: a model of zeros, silently
    X, y = _data(3)
    sw = np.full(len(y), 1e307)
    with pytest.raises(ValueError, match="overflows float64.*multiply C by s"):
        DistilledClassifier(_teacher(X, y), LogisticRegression(), alpha=0.5).fit(
            da.from_array(X, chunks=(400, 6)),
            da.from_array(y, chunks=400),
            sample_weight=da.from_array(sw, chunks=400),
        )


def test_binary_one_vs_one_teacher_on_dask_equals_in_memory(client):
    # its two-class score, a vote share, is centred on the workers as in memory
    X, y = _data(2)
    ovo = OneVsOneClassifier(LinearSVC(random_state=0)).fit(X[:300], y[:300])
    teacher = FrozenEstimator(ovo)
    Xd = da.from_array(X, chunks=(400, 6))
    yd = da.from_array(y, chunks=400)
    student = LogisticRegression(**TIGHT)
    remote = DistilledClassifier(teacher, student, alpha=1.0).fit(Xd, yd)
    local = DistilledClassifier(teacher, student, alpha=1.0).fit(X, y)
    _assert_same_student(remote, local)
    assert np.mean(remote.predict(X) == ovo.predict(X)) > 0.95


def test_empty_blocks_are_skipped(client):
    # rows filtered out of whole blocks (chunk sizes computed): the teacher is
    # not asked about an empty block, the fit is the in-memory one
    X, y = _data(3)
    teacher = _teacher(X, y)
    keep = np.ones(len(y), dtype=bool)
    keep[400:800] = False
    Xd = da.from_array(X, chunks=(400, 6))[da.from_array(keep, chunks=400)]
    Xd.compute_chunk_sizes()
    assert 0 in Xd.chunks[0]
    student = LogisticRegression(**TIGHT)
    remote = DistilledClassifier(teacher, student, T=2.0).fit(Xd, y[keep])
    local = DistilledClassifier(teacher, student, T=2.0, augment=None).fit(
        X[keep], y[keep]
    )
    _assert_same_student(remote, local)


def test_weights_unlabeled_rows_and_label_alignment(client):
    # The teacher knows classes 0 and 2 only, y has 0, 1 and 2, a third of the
    # rows are unlabeled, and the rows have weights: all as in memory.
    X, y = _data(3)
    keep = y != 1
    teacher = FrozenEstimator(
        LogisticRegression().fit(X[keep][:300], y[keep][:300])
    )
    y = y.copy()
    y[::3] = -1
    rng = np.random.RandomState(0)
    sample_weight = rng.uniform(0.2, 3.0, size=len(y))
    rows = (500, 300, 700)  # uneven blocks
    Xd = da.from_array(X, chunks=(rows, 6))
    yd = da.from_array(y, chunks=(250,))  # other chunks than X: aligned by rows
    swd = da.from_array(sample_weight, chunks=(rows,))

    params = dict(alpha=0.7, T=3.0, unlabeled=-1)
    student = LogisticRegression(**TIGHT)
    remote = DistilledClassifier(teacher, student, **params).fit(
        Xd, yd, sample_weight=swd
    )
    local = DistilledClassifier(teacher, student, **params).fit(
        X, y, sample_weight=sample_weight
    )
    assert_array_equal(remote.classes_, [0, 1, 2])
    _assert_same_student(remote, local)

    # in-memory y and weights with a dask X
    again = DistilledClassifier(teacher, student, **params).fit(
        Xd, y, sample_weight=sample_weight
    )
    _assert_same_student(again, local)


def test_client_never_gathers_X(client, monkeypatch):
    X, y = _data(3, n_samples=4000)
    teacher = _teacher(X, y)
    base = da.from_array(X, chunks=(500, 6))

    def on_a_worker_only(block):
        # raises "No worker found" in any process that is not a dask worker,
        # so no part of X can be computed on the client
        distributed.get_worker()
        return block + 0.0

    Xd = base.map_blocks(on_a_worker_only, dtype=X.dtype)
    yd = da.from_array(y, chunks=500)
    with pytest.raises(ValueError, match="No worker found"):
        Xd.compute(scheduler="sync")  # the guard works

    # everything the client receives from the cluster goes through _gather
    received = []
    gather = client._gather

    async def spy(futures, *args, **kwargs):
        result = await gather(futures, *args, **kwargs)
        received.append(sizeof(result))
        return result

    monkeypatch.setattr(client, "_gather", spy)
    student = LogisticRegression(C=0.1, **TIGHT)
    remote = DistilledClassifier(teacher, student, alpha=0.5, T=2.0).fit(Xd, yd)
    monkeypatch.undo()

    assert len(received) > 3  # the solver's sums did come back
    # what came back is a few vectors per evaluation, not X (192 kB here)
    assert max(received) < X.nbytes / 50
    local = DistilledClassifier(teacher, student, alpha=0.5, T=2.0).fit(X, y)
    _assert_same_student(remote, local)


def test_unsupported_students_point_to_partial_fit(client):
    X, y = _data(2, n_samples=200)
    teacher = _teacher(X, y, n=100)
    Xd, yd = da.from_array(X, chunks=(100, 6)), da.from_array(y, chunks=100)
    for student in (
        make_pipeline(StandardScaler(), LogisticRegression()),
        SGDClassifier(loss="log_loss"),
        LogisticRegression(solver="liblinear"),
        LinearSVC(),
    ):
        clf = DistilledClassifier(teacher, student)
        with pytest.raises(TypeError, match=r"partial_fit.*rechunk\(\{1: -1\}\)"):
            clf.fit(Xd, yd)
        assert not hasattr(clf, "student_")


def test_unfitted_teacher_and_other_options_refused(client):
    X, y = _data(2, n_samples=200)
    Xd, yd = da.from_array(X, chunks=(100, 6)), da.from_array(y, chunks=100)
    forest = RandomForestClassifier(n_estimators=5, random_state=0)
    with pytest.raises(ValueError, match="FrozenEstimator"):
        DistilledClassifier(forest, LogisticRegression()).fit(Xd, yd)
    # a frozen model that was never fitted is the teacher's fault, as in memory
    match = "teacher FrozenEstimator.RandomForest.*failed in fit: .*not fitted"
    unfitted = DistilledClassifier(FrozenEstimator(forest), LogisticRegression())
    for data in ((X, y), (Xd, yd)):
        with pytest.raises(ValueError, match=match):
            unfitted.fit(*data)

    teacher = _teacher(X, y, n=100)
    for params in ({"teacher_cv": 3}, {"augment": "gaussian"}):
        with pytest.raises(ValueError, match=next(iter(params))):
            DistilledClassifier(teacher, LogisticRegression(), **params).fit(Xd, yd)
    with pytest.raises(ValueError, match="y has 150"):
        DistilledClassifier(teacher, LogisticRegression()).fit(Xd, yd[:150])

    # X of another width: the teacher's refusal, said to be its own
    match = "teacher FrozenEstimator.RandomForest.*failed in predict_proba: X has 5"
    with pytest.raises(ValueError, match=match):
        DistilledClassifier(teacher, LogisticRegression()).fit(
            da.from_array(X[:, :5], chunks=(100, 5)), yd
        )

    X_nan = X.copy()
    X_nan[150, 0] = np.nan
    # the error names who refuses it
    match = "NaN or infinity, which the student LogisticRegression does not accept"
    with pytest.raises(ValueError, match=match):
        DistilledClassifier(teacher, LogisticRegression()).fit(
            da.from_array(X_nan, chunks=(100, 6)), yd
        )


def test_sparse_blocks_equal_in_memory_sparse_fit(client):
    sp = pytest.importorskip("scipy.sparse")
    X, y = _data(3, n_samples=600)
    X[np.abs(X) < 0.7] = 0.0
    teacher = _teacher(X, y, n=200)
    Xd = da.from_array(X, chunks=(200, 6)).map_blocks(
        sp.csr_matrix, dtype=X.dtype, meta=sp.csr_matrix((0, 0))
    )
    student = LogisticRegression(**TIGHT)
    remote = DistilledClassifier(teacher, student, alpha=0.5).fit(Xd, y)
    local = DistilledClassifier(teacher, student, alpha=0.5).fit(sp.csr_matrix(X), y)
    _assert_same_student(remote, local)


def test_labels_checked_over_all_blocks(client):
    X, y = _data(2, n_samples=300)
    teacher = _teacher(X, y, n=100)
    Xd = da.from_array(X, chunks=(100, 6))
    y_nan = y.astype(float)
    y_nan[::7] = np.nan  # 43 rows, in each of the three blocks
    with pytest.raises(ValueError, match="y has 43 missing label"):
        DistilledClassifier(teacher, LogisticRegression()).fit(Xd, y_nan)
    keep = da.from_array(np.ones(300, dtype=bool), chunks=100)
    y_unknown = da.from_array(y, chunks=100)[keep]  # chunk sizes unknown
    with pytest.raises(ValueError, match="y has unknown chunk sizes"):
        DistilledClassifier(teacher, LogisticRegression()).fit(Xd, y_unknown)


def test_teachers_of_other_targets_refused(client):
    # as in memory: a multilabel teacher, and one that knows the marker
    X, y = _data(3, n_samples=300)
    Xd = da.from_array(X, chunks=(100, 6))
    Y = np.column_stack([y == 0, y == 1]).astype(int)
    multilabel = FrozenEstimator(RandomForestClassifier(n_estimators=3).fit(X, Y))
    with pytest.raises(ValueError, match="fitted on multilabel or multi-output"):
        DistilledClassifier(multilabel, LogisticRegression()).fit(Xd, y)
    y_semi = y.copy()
    y_semi[::3] = -1
    marked = FrozenEstimator(LogisticRegression().fit(X, y_semi))
    clf = DistilledClassifier(marked, LogisticRegression(), unlabeled=-1)
    with pytest.raises(ValueError, match="include the unlabeled marker -1"):
        clf.fit(Xd, y_semi)
