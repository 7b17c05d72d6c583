"""Tests of streaming: SoftLogisticRegression.partial_fit and the student encodings."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, Perceptron, SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.utils.fixes import parse_version
from sklearn.utils.validation import has_fit_parameter

from skdistill import DistilledClassifier
from skdistill._students import partial_fit_student
from skdistill.linear_model import SoftLogisticRegression
from skdistill.linear_model import _stream

TIGHT = dict(tol=1e-9, max_iter=1000)


def _data(n_classes, n_samples=1200, seed=0):
    return make_classification(
        n_samples=n_samples,
        n_features=8,
        n_informative=5,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )


def _soft(X, n_classes, seed=0):
    rng = np.random.RandomState(seed)
    logits = X @ rng.normal(size=(X.shape[1], n_classes)) / 2.0
    P = np.exp(logits - logits.max(axis=1, keepdims=True))
    return P / P.sum(axis=1, keepdims=True)


def _chunks(n_samples, n_chunks):
    return np.array_split(np.arange(n_samples), n_chunks)


def _params(est):
    return np.r_[np.ravel(est.coef_), est.intercept_]


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_passes_converge_to_fit(n_classes, sparse):
    X, _ = _data(n_classes)
    Y = _soft(X, n_classes)
    sw = np.random.RandomState(1).uniform(0.5, 2.0, size=X.shape[0])
    Xf = sp.csr_matrix(X) if sparse else X
    ref = SoftLogisticRegression(C=0.3, **TIGHT).fit(Xf, Y, sample_weight=sw)
    est = SoftLogisticRegression(C=0.3, **TIGHT)
    for _ in range(4):
        for rows in _chunks(X.shape[0], 4):
            est.partial_fit(Xf[rows], Y[rows], sample_weight=sw[rows])
    assert_array_equal(est.classes_, ref.classes_)
    assert est.coef_.shape == ref.coef_.shape
    assert_allclose(_params(est), _params(ref), rtol=1e-5, atol=1e-6)


def test_hard_labels_match_logistic_regression():
    X, y = _data(3)
    labels = np.array(["a", "b", "c"])[y]
    ref = LogisticRegression(**TIGHT).fit(X, labels)
    est = SoftLogisticRegression(**TIGHT)
    for _ in range(3):
        for rows in _chunks(X.shape[0], 3):
            est.partial_fit(X[rows], labels[rows], classes=["a", "b", "c"])
    assert_array_equal(est.classes_, ref.classes_)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4, atol=1e-6)
    assert_allclose(est.intercept_, ref.intercept_, rtol=1e-4, atol=1e-6)


def test_one_pass_is_close_to_fit():
    X, _ = _data(3, n_samples=2400)
    Y = _soft(X, 3)
    ref = SoftLogisticRegression().fit(X, Y)
    est = SoftLogisticRegression()
    for rows in _chunks(X.shape[0], 4):
        est.partial_fit(X[rows], Y[rows])
    agreement = np.mean(est.predict(X) == ref.predict(X))
    assert agreement >= 0.98
    assert np.max(np.abs(est.coef_ - ref.coef_)) < 0.05


def test_same_chunk_repeated_is_fit_on_it():
    # a chunk seen again replaces its earlier contribution: not counted twice
    X, y = _data(2, n_samples=300)
    ref = SoftLogisticRegression(**TIGHT).fit(X, y)
    est = SoftLogisticRegression(**TIGHT)
    for _ in range(3):
        est.partial_fit(X, y, classes=[0, 1])
    assert_allclose(_params(est), _params(ref), rtol=1e-6, atol=1e-8)
    assert len(est._stream.chunks) == 1


def test_partial_fit_after_fit_continues_from_it():
    X, y = _data(3)
    est = SoftLogisticRegression(**TIGHT).fit(X, y)
    coef = est.coef_.copy()
    # the optimum of this very data: nothing to change; but the stream does
    # not hold fit's rows, which it says
    with pytest.warns(UserWarning, match="does not hold the rows fit saw"):
        est.partial_fit(X, y)
    assert_allclose(est.coef_, coef, rtol=1e-6, atol=1e-8)
    assert est.n_iter_[0] <= 1


def test_a_new_chunk_after_a_repeated_one_warns():
    X, y = _data(2, n_samples=300)
    est = SoftLogisticRegression()
    chunks = [slice(0, 100), slice(100, 200), slice(0, 100)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for rows in chunks:  # passes over fixed chunks: no warning
            est.partial_fit(X[rows], y[rows], classes=[0, 1])
    with pytest.warns(UserWarning, match="identical to an earlier one"):
        est.partial_fit(X[200:], y[200:])
    assert len(est._stream.chunks) == 3


def test_a_chunk_is_recognised_whatever_its_memory_layout():
    X, y = _data(3, n_samples=200)
    est = SoftLogisticRegression()
    for layout in (np.ascontiguousarray, np.asfortranarray):
        est.partial_fit(layout(X[:100]), y[:100], classes=[0, 1, 2])
        est.partial_fit(layout(X[100:]), y[100:])
    assert len(est._stream.chunks) == 2
    # sparse chunks: CSR, or the same rows as CSC or with unsorted indices
    X[np.abs(X) < 1] = 0.0
    est = SoftLogisticRegression()
    first = sp.csr_matrix(X[:100])
    unsorted = first.copy()
    for start, stop in zip(unsorted.indptr[:-1], unsorted.indptr[1:]):
        unsorted.indices[start:stop] = unsorted.indices[start:stop][::-1]
        unsorted.data[start:stop] = unsorted.data[start:stop][::-1]
    unsorted.has_sorted_indices = False
    # a stored zero in the first row, indices sorted (was another chunk: its
    # rows counted twice)
    row = first.indices[: first.indptr[1]]
    j = np.setdiff1d(np.arange(X.shape[1]), row)[0]
    at = int(np.searchsorted(row, j))
    stored_zero = sp.csr_matrix(
        (
            np.insert(first.data, at, 0.0),
            np.insert(first.indices, at, j),
            np.r_[first.indptr[:1], first.indptr[1:] + 1],
        ),
        shape=first.shape,
    )
    assert stored_zero.nnz == first.nnz + 1 and stored_zero.has_canonical_format
    assert (stored_zero != first).nnz == 0
    est.partial_fit(first, y[:100], classes=[0, 1, 2])
    est.partial_fit(sp.csr_matrix(X[100:]), y[100:])
    for again in (sp.csc_matrix(X[:100]), unsorted, stored_zero):
        est.partial_fit(again, y[:100])
    assert len(est._stream.chunks) == 2


def test_state_does_not_store_rows():
    X, y = _data(3, n_samples=4000)
    est = SoftLogisticRegression()
    for rows in _chunks(X.shape[0], 2):
        est.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    # curvature (27 x 27) and one parameter vector per chunk; X is 256 kB
    assert len(pickle.dumps(est)) < X.nbytes / 10


def test_diagonal_curvature_for_many_parameters(monkeypatch):
    monkeypatch.setattr(_stream, "MAX_FULL_CURVATURE", 0)
    X, _ = _data(3, n_samples=2000)
    Y = _soft(X, 3)
    ref = SoftLogisticRegression(**TIGHT).fit(X, Y)
    est = SoftLogisticRegression(**TIGHT)
    for _ in range(3):
        for rows in _chunks(X.shape[0], 4):
            est.partial_fit(X[rows], Y[rows])
    assert est._stream.A.ndim == 1
    assert np.mean(est.predict(X) == ref.predict(X)) >= 0.98
    assert np.max(np.abs(est.coef_ - ref.coef_)) < 0.05


def test_float32():
    X, y = _data(2)
    est = SoftLogisticRegression().partial_fit(X.astype(np.float32), y, classes=[0, 1])
    assert est.coef_.dtype == est.intercept_.dtype == np.float32
    ref = SoftLogisticRegression().fit(X, y)
    assert np.mean(est.predict(X) == ref.predict(X)) >= 0.99


def test_unfitted_frozen_teacher_is_named_in_partial_fit():
    X, y = _data(2)
    teacher = FrozenEstimator(RandomForestClassifier(5))
    clf = DistilledClassifier(teacher, SoftLogisticRegression())
    match = "teacher FrozenEstimator.RandomForestClassifier. failed in partial_fit"
    with pytest.raises(ValueError, match=match + ": .*not fitted"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_partial_fit_errors():
    X, y = _data(3)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        SoftLogisticRegression().partial_fit(X, y)
    est = SoftLogisticRegression().partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="not the same as on the first call"):
        est.partial_fit(X[100:200], y[100:200], classes=[0, 1])
    with pytest.raises(ValueError, match="not in `classes`"):
        est.partial_fit(X[:10], np.full(10, 7))
    with pytest.raises(ValueError, match="3 columns but `classes` has"):
        SoftLogisticRegression().partial_fit(X, _soft(X, 3), classes=[0, 1])
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:10, :5], y[:10])
    # the classes parameter stands in for classes= at the first call
    est = SoftLogisticRegression(classes=[0, 1, 2, 3]).partial_fit(X, y)
    assert_array_equal(est.classes_, [0, 1, 2, 3])


# --------------------------------------------------------- through the distiller


def _stream_problem(seed):
    X, y = make_classification(
        n_samples=3000, n_features=20, n_informative=10, n_classes=3,
        random_state=seed,
    )
    teacher = RandomForestClassifier(50, random_state=seed).fit(X[:1000], y[:1000])
    return teacher, X[1000:2600], X[2600:]


def test_distilled_soft_logistic_stream_matches_batch():
    teacher, X, X_test = _stream_problem(0)
    batch = DistilledClassifier(
        FrozenEstimator(teacher), LogisticRegression(), alpha=1.0
    ).fit(X, teacher.predict(X))
    stream = DistilledClassifier(
        FrozenEstimator(teacher), SoftLogisticRegression(), alpha=1.0
    )
    for rows in _chunks(X.shape[0], 4):
        stream.partial_fit(X[rows])
    t_test = teacher.predict(X_test)
    fid_batch = np.mean(batch.predict(X_test) == t_test)
    fid_stream = np.mean(stream.predict(X_test) == t_test)
    assert fid_stream >= fid_batch - 0.02
    assert_allclose(
        stream.student_.coef_, batch.student_.coef_, atol=0.05 * np.abs(
            batch.student_.coef_).max()
    )


@pytest.mark.parametrize("student", [SGDClassifier(loss="log_loss"), Perceptron()])
def test_one_vs_rest_students_stream_the_argmax(student):
    # with alpha=1 the encoding is the teacher's hard labels: same model
    teacher, X, _ = _stream_problem(0)
    student = clone(student).set_params(random_state=0)
    soft = DistilledClassifier(FrozenEstimator(teacher), student, alpha=1.0)
    hard = clone(student)
    for _ in range(2):
        for rows in _chunks(X.shape[0], 4):
            soft.partial_fit(X[rows])
            hard.partial_fit(
                X[rows], teacher.predict(X[rows]), classes=teacher.classes_
            )
    assert_array_equal(soft.student_.coef_, hard.coef_)


def test_mlp_stream_weighs_its_repeated_rows_as_its_rows():
    # trained by minibatches, a network divides its penalty by each batch's
    # total weight: the repeated rows of a chunk weigh 1 on average, as its
    # rows do, so that the penalty weighs as in a stream of the labels
    if not has_fit_parameter(MLPClassifier(), "sample_weight"):
        pytest.skip("MLPClassifier.partial_fit takes no sample_weight")
    seen = []

    class Spy(MLPClassifier):
        def partial_fit(self, X, y, classes=None, sample_weight=None):
            seen.append((len(y), sample_weight))
            return super().partial_fit(
                X, y, classes=classes, sample_weight=sample_weight
            )

    teacher, X, _ = _stream_problem(0)
    soft = DistilledClassifier(FrozenEstimator(teacher), Spy((5,)), alpha=0.5, T=3.0)
    rows = np.arange(40)
    soft.partial_fit(X[rows], teacher.predict(X[rows]))
    (n_repeated, weight), = seen
    assert n_repeated > 80  # at T=3 every class has some weight
    assert_allclose(np.mean(weight), 1.0)
    seen.clear()
    weights = np.linspace(0.5, 3.0, 40)
    soft.partial_fit(X[rows], teacher.predict(X[rows]), sample_weight=weights)
    (_, weight), = seen
    assert_allclose(np.mean(weight), np.mean(weights))


def test_mlp_stream_soft_at_least_as_good_as_hard():
    # MLPClassifier.partial_fit takes sample_weight from scikit-learn 1.7;
    # before, the student gets the likeliest class of each row, as documented
    # for such students (at alpha=1, the teacher's labels)
    sklearn_version = parse_version(parse_version(sklearn.__version__).base_version)
    if sklearn_version < parse_version("1.7"):
        teacher, X, _ = _stream_problem(0)
        mlp = MLPClassifier((20,), random_state=0)
        soft = DistilledClassifier(FrozenEstimator(teacher), mlp, alpha=1.0)
        hard = clone(mlp)
        for rows in _chunks(X.shape[0], 4):
            soft.partial_fit(X[rows])
            hard.partial_fit(
                X[rows], teacher.predict(X[rows]), classes=teacher.classes_
            )
        for fitted, expected in zip(soft.student_.coefs_, hard.coefs_):
            assert_allclose(fitted, expected)
        return
    gaps = []
    for seed in range(3):
        teacher, X, X_test = _stream_problem(seed)
        mlp = MLPClassifier((20,), random_state=seed)
        soft = DistilledClassifier(FrozenEstimator(teacher), mlp, alpha=1.0)
        hard = clone(mlp)
        for _ in range(3):
            for rows in _chunks(X.shape[0], 4):
                soft.partial_fit(X[rows])
                hard.partial_fit(
                    X[rows], teacher.predict(X[rows]), classes=teacher.classes_
                )
        t_test = teacher.predict(X_test)
        gaps.append(
            np.mean(soft.predict(X_test) == t_test)
            - np.mean(hard.predict(X_test) == t_test)
        )
    # measured: soft ahead by about 0.1 on average (benchmarks/bench_stream.py)
    assert np.mean(gaps) >= -0.02


class _NoWeightClassifier(ClassifierMixin, BaseEstimator):
    """A classifier whose partial_fit takes no sample_weight; records labels."""

    def partial_fit(self, X, y, classes=None):
        self.classes_ = np.asarray(classes)
        self.seen_ = np.asarray(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_student_without_sample_weight():
    X, _ = _data(3, n_samples=20)
    Y = _soft(X, 3)
    classes = np.array([10, 20, 30])
    student = partial_fit_student(_NoWeightClassifier(), X, Y, classes)
    assert_array_equal(student.seen_, classes[Y.argmax(axis=1)])
    with pytest.raises(TypeError, match="without sample_weight"):
        partial_fit_student(_NoWeightClassifier(), X, Y, classes, np.ones(20))


class _CentroidStream(ClassifierMixin, BaseEstimator):
    """An incremental classifier whose fit and partial_fit take no weights."""

    def partial_fit(self, X, y, classes=None):
        if not hasattr(self, "classes_"):
            self.classes_ = np.asarray(classes)
            self.sum_ = np.zeros((len(self.classes_), X.shape[1]))
            self.n_ = np.zeros(len(self.classes_))
        for k, c in enumerate(self.classes_):
            self.sum_[k] += X[y == c].sum(axis=0)
            self.n_[k] += np.sum(y == c)
        return self

    def fit(self, X, y):
        return self.partial_fit(X, y, classes=np.unique(y))

    def predict(self, X):
        centroids = self.sum_ / np.maximum(self.n_, 1)[:, None]
        return self.classes_[((X[:, None, :] - centroids) ** 2).sum(-1).argmin(1)]


def test_a_student_whose_partial_fit_takes_no_weights_gets_the_likeliest_class():
    # as documented; the first call refused it with the batch fit's message
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    clf = DistilledClassifier(teacher, _CentroidStream(), alpha=1.0)
    for chunk in np.array_split(np.arange(300), 3):
        clf.partial_fit(X[chunk], y[chunk])
    # alpha=1: the teacher's labels, so the centroids of its predicted classes
    by_hand = _CentroidStream().fit(X, teacher.predict(X))
    assert_allclose(clf.student_.sum_, by_hand.sum_)
    assert_array_equal(clf.predict(X), by_hand.predict(X))
    # what is neither a classifier nor a regressor is refused clearly
    from sklearn.cluster import MiniBatchKMeans

    with pytest.raises(TypeError, match="neither a classifier nor a regressor"):
        DistilledClassifier(teacher, MiniBatchKMeans(n_init=1)).partial_fit(X, y)


def test_the_first_calls_teacher_labels_every_chunk():
    # a teacher set between calls, with other outputs (decision_function
    # only), was read through its own output method from the first teacher
    from sklearn.svm import LinearSVC

    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    first = FrozenEstimator(LogisticRegression().fit(X, y))
    other = FrozenEstimator(LinearSVC().fit(X, y))
    chunks = [slice(0, 100), slice(100, 200)]
    clf = DistilledClassifier(first, SoftLogisticRegression(), alpha=1.0)
    clf.partial_fit(X[chunks[0]], y[chunks[0]])
    clf.set_params(teacher=other)
    clf.partial_fit(X[chunks[1]], y[chunks[1]])
    reference = DistilledClassifier(first, SoftLogisticRegression(), alpha=1.0)
    for rows in chunks:
        reference.partial_fit(X[rows], y[rows])
    assert clf.teacher_ is first
    assert clf._response_method == "predict_proba"
    assert_allclose(clf.student_.coef_, reference.student_.coef_)


def test_a_chunk_is_recognised_whatever_the_layout_of_its_targets_and_weights():
    # joblib's hash reads strides: Fortran-ordered targets or a strided view
    # of the weights made a repeated chunk a new one (its rows counted twice)
    X, y = _data(3, n_samples=300)
    Y = np.eye(3)[y] * 0.8 + 0.2 / 3
    weights = np.ones((300, 2))
    est = SoftLogisticRegression(C=0.01)
    chunks = _chunks(300, 3)
    for rows in chunks:
        est.partial_fit(X[rows], Y[rows], sample_weight=weights[rows, 0])
    for rows in chunks:
        est.partial_fit(
            X[rows], np.asfortranarray(Y[rows]), sample_weight=weights[rows][:, 0]
        )
    assert len(est._stream.chunks) == 3


def test_classes_are_the_estimators_own():
    # classes_ was the caller's array: changing it changed the predictions
    X, y = _data(2, n_samples=100)
    labels = np.array([20, 30])
    for fit in ("fit", "partial_fit", "param"):
        classes = labels.copy()
        if fit == "param":
            est = SoftLogisticRegression(classes=classes).fit(X, labels[y])
        elif fit == "fit":
            est = SoftLogisticRegression().fit(X, labels[y])
        else:
            est = SoftLogisticRegression().partial_fit(X, labels[y], classes=classes)
        before = est.predict(X)
        classes[:] = [-2, -3]
        assert_array_equal(est.predict(X), before)


@pytest.mark.parametrize("marker", [-1, np.nan])
def test_the_unlabeled_marker_in_classes_is_not_a_class(marker):
    # classes=np.unique(y) of a semi-supervised chunk holds the marker: fit
    # never takes it for a class, and a stream took it for one (-1: a
    # third probability column, proba[:, 1] that of class 0; NaN: an error
    # at the next chunk saying that [0, 1, nan] differs from [0, 1, nan])
    from sklearn.naive_bayes import GaussianNB

    X, y = make_classification(n_samples=400, n_features=5, random_state=0)
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    y_semi = np.where(np.arange(400) < 100, y, marker)
    for student in (SoftLogisticRegression(), SGDClassifier(loss="log_loss"),
                    GaussianNB()):
        fitted = DistilledClassifier(teacher, student, unlabeled=marker).fit(X, y_semi)
        stream = DistilledClassifier(teacher, clone(student), unlabeled=marker)
        for i, start in enumerate(range(0, 400, 100)):
            chunk = slice(start, start + 100)
            classes = np.unique(y_semi) if i == 0 else None
            if i == 3:
                classes = np.unique(y_semi)  # the same classes again
            stream.partial_fit(X[chunk], y_semi[chunk], classes=classes)
        assert_array_equal(stream.classes_, fitted.classes_)
        assert stream.predict_proba(X).shape == (400, 2)
        assert set(stream.predict(X)) <= {0, 1}
