"""Persistence of fitted skdistill estimators: skops, joblib and ONNX export."""

import io

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skdistill import DistilledClassifier, DistilledRegressor
from skdistill import SparsifyTransformer
from skdistill.linear_model import SoftLogisticRegression

sio = pytest.importorskip("skops.io")


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _binary():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[::3], y[::3]


def _forest():
    return RandomForestClassifier(n_estimators=10, random_state=0)


def _soft_logistic():
    X, y = _iris()
    rng = np.random.RandomState(0)
    Y = 0.8 * np.eye(3)[y] + 0.2 * rng.dirichlet(np.ones(3), size=len(y))
    return SoftLogisticRegression(C=1.0).fit(X, Y), X


def _cases():
    """(id, builder) pairs; a builder returns a fitted model and its inputs."""

    def distilled(teacher, student, data=_iris, **params):
        def build():
            X, y = data()
            return DistilledClassifier(teacher, student, **params).fit(X, y), X

        return build

    def regressor():
        X, y = _iris()
        target = X[:, 0] + 0.5 * y
        X = X[:, 1:]
        model = DistilledRegressor(
            RandomForestRegressor(n_estimators=10, random_state=0), Ridge(), alpha=0.7
        ).fit(X, target)
        return model, X

    cases = [
        (
            "logistic-student",
            distilled(_forest(), LogisticRegression(max_iter=1000), T=2.0),
        ),
        (
            "logistic-student-binary-svc",
            distilled(SVC(), LogisticRegression(), _binary),
        ),
        (
            "tree-student",
            distilled(SVC(), DecisionTreeClassifier(max_depth=3, random_state=0)),
        ),
        ("ridge-student", distilled(_forest(), Ridge(alpha=1.0), T=4.0)),
        (
            "teacher-cv",
            distilled(_forest(), LogisticRegression(max_iter=1000), teacher_cv=3),
        ),
        ("regressor", regressor),
        ("soft-logistic", _soft_logistic),
    ]
    if SparsifyTransformer is not None:

        def sparsified():
            X, y = _iris()
            model = SparsifyTransformer(
                DistilledClassifier(_forest(), LogisticRegression(max_iter=1000)),
                sparsity=0.5,
            ).fit(X, y)
            return model, X

        cases.append(("sparsify", sparsified))
    return cases


CASES = _cases()


def _sklearn_untrusted():
    """Types skops does not trust in plain fitted scikit-learn models.

    With skops 0.16 and scikit-learn 1.9 a fitted tree's ``Tree`` object is
    one; skdistill adds nothing to this list but its own classes.
    """
    X, y = _iris()
    plain = [
        _forest().fit(X, y),
        RandomForestRegressor(n_estimators=2, random_state=0).fit(X, y),
        SVC().fit(X, y),
        LogisticRegression().fit(X, y),
        Ridge().fit(X, y),
    ]
    return {
        name
        for model in plain
        for name in sio.get_untrusted_types(data=sio.dumps(model))
    }


_SKLEARN_UNTRUSTED = _sklearn_untrusted()


def _outputs(model, X):
    out = {}
    for method in ("predict", "predict_proba", "decision_function", "transform"):
        if hasattr(model, method):
            out[method] = getattr(model, method)(X)
    return out


def _assert_same_outputs(model, loaded, X):
    expected, got = _outputs(model, X), _outputs(loaded, X)
    assert sorted(got) == sorted(expected)
    assert "predict" in expected or "transform" in expected
    for method in expected:
        np.testing.assert_array_equal(got[method], expected[method], err_msg=method)


@pytest.mark.parametrize("build", [b for _, b in CASES], ids=[i for i, _ in CASES])
def test_skops_round_trip(build):
    model, X = build()
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    foreign = [
        name
        for name in untrusted
        if not name.startswith("skdistill.") and name not in _SKLEARN_UNTRUSTED
    ]
    assert not foreign, untrusted
    loaded = sio.loads(data, trusted=untrusted)
    assert type(loaded) is type(model)
    _assert_same_outputs(model, loaded, X)


@pytest.mark.parametrize("build", [b for _, b in CASES], ids=[i for i, _ in CASES])
def test_joblib_round_trip(build):
    model, X = build()
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    loaded = joblib.load(buffer)
    _assert_same_outputs(model, loaded, X)


def _onnx_outputs(student, X):
    skl2onnx = pytest.importorskip("skl2onnx")
    ort = pytest.importorskip("onnxruntime")
    onx = skl2onnx.to_onnx(student, X[:1].astype(np.float32))
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    input_name = session.get_inputs()[0].name
    labels, proba = session.run(None, {input_name: X.astype(np.float32)})
    if isinstance(proba, list):  # ZipMap output: one {class: probability} per row
        proba = np.array([[row[c] for c in student.classes_] for row in proba])
    return np.asarray(labels), np.asarray(proba)


@pytest.mark.parametrize("data", [_iris, _binary], ids=["multiclass", "binary"])
def test_onnx_export_of_dense_student(data):
    X, y = data()
    model = DistilledClassifier(
        _forest(), LogisticRegression(max_iter=1000), alpha=0.7, T=2.0
    ).fit(X, y)
    labels, proba = _onnx_outputs(model.student_, X)
    np.testing.assert_array_equal(labels, model.student_.predict(X))
    np.testing.assert_allclose(proba, model.student_.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("data", [_iris, _binary], ids=["multiclass", "binary"])
def test_onnx_export_of_pruned_student(data):
    X, y = data()
    pruned = SparsifyTransformer(
        DistilledClassifier(_forest(), LogisticRegression(max_iter=1000), alpha=0.7),
        sparsity=0.6,
    ).fit(X, y)
    student = pruned.estimator_.student_
    assert np.mean(student.coef_ == 0) >= 0.5
    labels, proba = _onnx_outputs(student, X)
    np.testing.assert_array_equal(labels, student.predict(X))
    np.testing.assert_allclose(proba, student.predict_proba(X), atol=1e-5)
