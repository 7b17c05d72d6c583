"""ONNX export of every public estimator, against onnxruntime."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skdistill import (
    DistilledClassifier,
    DistilledRegressor,
    QuantizedLinearModel,
    SparsifyTransformer,
    quantize,
)
from skdistill.linear_model import SoftLogisticRegression

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")
skdistill_onnx = pytest.importorskip("skdistill.onnx")

# float32 inference against float64 scikit-learn
PROBA_ATOL = 1e-5
REGRESSION_RTOL = 1e-5


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _binary():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[::2], y[::2]


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X, y


def _forest():
    return RandomForestClassifier(n_estimators=10, random_state=0)


def _onnx(model, X, **options):
    return skl2onnx.to_onnx(
        model, X[:1].astype(np.float32), options=options or None
    ).SerializeToString()


def _run(onx, X):
    session = ort.InferenceSession(onx, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return session.run(None, {name: X.astype(np.float32)})


def _assert_classifier_parity(model, X):
    labels, proba = _run(_onnx(model, X, zipmap=False), X)
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=PROBA_ATOL)
    # the default ZipMap output gives the same probabilities, keyed by class
    labels_zm, proba_zm = _run(_onnx(model, X), X)
    np.testing.assert_array_equal(labels_zm, labels)
    keys = list(proba_zm[0])
    np.testing.assert_allclose(
        [[row[k] for k in keys] for row in proba_zm],
        proba[:, [list(model.classes_).index(k) for k in keys]],
        atol=PROBA_ATOL,
    )


def _classifiers():
    def distilled(student, data=_iris, labels=None, **params):
        def build():
            X, y = data()
            if labels is not None:
                y = np.asarray(labels, dtype=object)[y]
            return DistilledClassifier(_forest(), student, **params).fit(X, y), X

        return build

    def pruned(data):
        def build():
            X, y = data()
            model = SparsifyTransformer(
                DistilledClassifier(_forest(), LogisticRegression(max_iter=1000)),
                sparsity=0.6,
            ).fit(X, y)
            assert model.sparsity_ >= 0.5
            return model, X

        return build

    def pruned_pipeline_student():
        # the pruned coefficients are the student's last step's: no column
        # of X is selected, the pruned distiller is the graph
        X, y = _iris()
        student = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        model = SparsifyTransformer(
            DistilledClassifier(_forest(), student), sparsity=0.5
        ).fit(X, y)
        return model, X

    def quantized(data, n_bits):
        def build():
            X, y = data()
            model = QuantizedLinearModel(
                LogisticRegression(max_iter=1000), n_bits=n_bits
            ).fit(X, y)
            return model, X

        return build

    def soft(data):
        def build():
            X, y = data()
            k = np.unique(y).size
            rng = np.random.RandomState(0)
            Y = 0.8 * np.eye(k)[y] + 0.2 * rng.dirichlet(np.ones(k), size=len(y))
            return SoftLogisticRegression().fit(X, Y), X

        return build

    def selector_pipeline():
        X, y = _iris()
        pipe = make_pipeline(
            SparsifyTransformer(LogisticRegression(), sparsity=0.5),
            LogisticRegression(),
        ).fit(X, y)
        return pipe, X

    def frozen_teacher():
        X, y = _iris()
        teacher = FrozenEstimator(_forest().fit(X, y))
        return DistilledClassifier(teacher, LogisticRegression()).fit(X, y), X

    return [
        ("distilled", distilled(LogisticRegression(max_iter=1000), T=2.0)),
        ("distilled-binary", distilled(LogisticRegression(), _binary)),
        ("distilled-string-labels", distilled(LogisticRegression(), labels=["a", "b", "c"])),
        ("distilled-frozen-teacher", frozen_teacher),
        (
            "distilled-pipeline-student",
            distilled(make_pipeline(StandardScaler(), LogisticRegression())),
        ),
        ("distilled-ridge-student", distilled(Ridge())),
        # grown as a regression tree, shipped as a classifier tree
        (
            "distilled-tree-student",
            distilled(DecisionTreeClassifier(max_depth=4, random_state=0), T=2.0),
        ),
        ("sparsify", pruned(_iris)),
        ("sparsify-binary", pruned(_binary)),
        ("sparsify-in-pipeline", selector_pipeline),
        ("quantized-4", quantized(_iris, 4)),
        ("quantized-8-binary", quantized(_binary, 8)),
        ("quantized-16", quantized(_iris, 16)),  # 2**16 levels and the zero
        # skdistill's predictors as students, whose kind is their model's
        (
            "distilled-quantized-pipeline-student",
            distilled(
                make_pipeline(
                    StandardScaler(),
                    QuantizedLinearModel(LogisticRegression(max_iter=1000), n_bits=4),
                )
            ),
        ),
        (
            "distilled-pruned-student",
            distilled(
                SparsifyTransformer(LogisticRegression(max_iter=1000), sparsity=0.5)
            ),
        ),
        ("sparsify-pipeline-student", pruned_pipeline_student),
        ("soft-logistic", soft(_iris)),
        ("soft-logistic-binary", soft(_binary)),
    ]


CLASSIFIERS = _classifiers()


@pytest.mark.parametrize(
    "build", [b for _, b in CLASSIFIERS], ids=[i for i, _ in CLASSIFIERS]
)
def test_classifier_parity(build):
    model, X = build()
    _assert_classifier_parity(model, X)


def _regressors():
    def distilled():
        X, y = _diabetes()
        model = DistilledRegressor(
            RandomForestRegressor(n_estimators=10, random_state=0), Ridge(alpha=0.1)
        ).fit(X, y)
        return model, X

    def pruned():
        X, y = _diabetes()
        return SparsifyTransformer(Ridge(alpha=0.1), sparsity=0.5).fit(X, y), X

    def quantized():
        X, y = _diabetes()
        return QuantizedLinearModel(Ridge(alpha=0.1), n_bits=6).fit(X, y), X

    return [("distilled", distilled), ("sparsify", pruned), ("quantized", quantized)]


REGRESSORS = _regressors()


@pytest.mark.parametrize(
    "build", [b for _, b in REGRESSORS], ids=[i for i, _ in REGRESSORS]
)
def test_regressor_parity(build):
    model, X = build()
    (predictions,) = _run(_onnx(model, X), X)
    np.testing.assert_allclose(
        np.ravel(predictions), model.predict(X), rtol=REGRESSION_RTOL, atol=1e-3
    )


def test_distilled_graph_is_the_students():
    X, y = _iris()
    model = DistilledClassifier(_forest(), LogisticRegression(max_iter=1000)).fit(X, y)
    ops = {node.op_type for node in _onnx_model(model, X).graph.node}
    student_ops = {node.op_type for node in _onnx_model(model.student_, X).graph.node}
    assert "TreeEnsembleClassifier" not in ops
    assert "LinearClassifier" in ops
    assert ops - {"Identity"} <= student_ops | {"Identity"}


def _onnx_model(model, X):
    return skl2onnx.to_onnx(model, X[:1].astype(np.float32), options={"zipmap": False})


def test_sparsify_gathers_the_surviving_columns():
    X, y = _binary()
    model = SparsifyTransformer(LogisticRegression(), sparsity=0.8).fit(X, y)
    graph = _onnx_model(model, X).graph
    gathers = [n for n in graph.node if n.op_type == "Gather"]
    assert gathers, [n.op_type for n in graph.node]
    coefs = [
        init for init in graph.initializer if init.name.lower().startswith("coef")
    ]
    n_kept = int(model.get_support().sum())
    assert n_kept < X.shape[1]
    # the linear model in the graph has one weight per surviving column
    assert all(np.prod(c.dims) == n_kept for c in coefs), [c.dims for c in coefs]


def test_a_pruned_distiller_with_a_regressor_student_converts():
    # its student fits the log targets: the export was refused with an error
    # about quantizing
    X, y = _iris()
    model = SparsifyTransformer(
        DistilledClassifier(_forest(), Ridge(alpha=0.1)), sparsity=0.5, refit=False
    ).fit(X, y)
    assert 0 < model.get_support().sum() < X.shape[1]
    _assert_classifier_parity(model, X)


def test_quantized_file_shrinks_with_the_bit_width():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((400, 200))
    y = rng.randint(0, 5, 400)
    dense = LogisticRegression(max_iter=300).fit(X, y)
    float_size = len(_onnx(dense, X, zipmap=False))
    q4 = quantize(dense, n_bits=4)
    q4_size = len(_onnx(q4, X, zipmap=False))
    assert q4_size <= float_size / 2, (q4_size, float_size)
    labels, proba = _run(_onnx(q4, X, zipmap=False), X)
    np.testing.assert_array_equal(labels, q4.predict(X))
    np.testing.assert_allclose(proba, q4.predict_proba(X), atol=PROBA_ATOL)


def test_quantize_of_a_distiller_converts():
    X, y = _iris()
    model = DistilledClassifier(_forest(), LogisticRegression(max_iter=1000)).fit(X, y)
    _assert_classifier_parity(quantize(model, n_bits=4), X)


def test_unsupported_quantized_classifier_is_refused():
    from sklearn.linear_model import RidgeClassifier

    X, y = _iris()
    model = QuantizedLinearModel(RidgeClassifier(), n_bits=8).fit(X, y)
    with pytest.raises(NotImplementedError, match="RidgeClassifier"):
        _onnx(model, X, zipmap=False)


@pytest.mark.parametrize(
    "name",
    ["soft-logistic", "quantized-4", "sparsify", "distilled-pruned-student"],
)
def test_double_inputs(name):
    # a float64 input gives a graph computing in double, which onnxruntime
    # loads (outputs typed as declared)
    model, X = dict(CLASSIFIERS)[name]()
    onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False})
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels, proba = session.run(None, {session.get_inputs()[0].name: X})
    assert proba.dtype == np.float64
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-9)


def test_a_selector_is_a_selector_in_its_pipeline_only():
    # a pruned model exported as an earlier step of a pipeline (its column
    # selection) is still a predictor when exported alone afterwards
    X, y = _iris()
    sparsifier = SparsifyTransformer(LogisticRegression(), sparsity=0.5).fit(X, y)
    pipe = make_pipeline(sparsifier, LogisticRegression())
    pipe.fit(X, y)
    sparsifier = pipe[0]
    _assert_classifier_parity(pipe, X)
    _assert_classifier_parity(sparsifier, X)


@pytest.mark.parametrize(
    "name", ["distilled-string-labels", "quantized-4", "soft-logistic-binary"]
)
def test_nocl_gives_class_indices(name):
    model, X = dict(CLASSIFIERS)[name]()
    labels, proba = _run(_onnx(model, X, zipmap=False, nocl=True), X)
    expected = np.searchsorted(model.classes_, model.predict(X))
    np.testing.assert_array_equal(labels, expected)
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=PROBA_ATOL)


def test_pruned_classifier_without_probabilities_converts():
    # LinearSVC's converter has no zipmap option (no probabilities): its
    # second output is the decision function
    from sklearn.svm import LinearSVC

    X, y = _iris()
    model = SparsifyTransformer(LinearSVC(), sparsity=0.5).fit(X, y)
    labels, scores = _run(_onnx(model, X, zipmap=False), X)
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(scores, model.decision_function(X), atol=1e-4)


@pytest.mark.parametrize(
    "kind",
    ["pruned", "pipeline-student", "tree-student", "knn-student", "per-output-student"],
)
def test_multi_output_regressor_declares_its_outputs(kind):
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.tree import DecisionTreeRegressor

    X, y = _diabetes()
    Y = np.column_stack([y, -y, 2 * y])
    teacher = RandomForestRegressor(n_estimators=5, random_state=0)
    model = {
        "pruned": lambda: SparsifyTransformer(Ridge(alpha=0.1), sparsity=0.5),
        "pipeline-student": lambda: DistilledRegressor(
            teacher, make_pipeline(StandardScaler(), Ridge(alpha=0.1))
        ),
        "tree-student": lambda: DistilledRegressor(
            teacher, DecisionTreeRegressor(max_depth=3, random_state=0)
        ),
        # neither coef_ nor n_outputs_
        "knn-student": lambda: DistilledRegressor(teacher, KNeighborsRegressor()),
        "per-output-student": lambda: DistilledRegressor(
            teacher, MultiOutputRegressor(Ridge(alpha=0.1))
        ),
    }[kind]().fit(X, Y)
    graph = _onnx_model(model, X).graph
    dims = [d.dim_value for d in graph.output[0].type.tensor_type.shape.dim]
    assert dims[1:] == [3]
    (predictions,) = _run(_onnx(model, X), X)
    np.testing.assert_allclose(
        predictions, model.predict(X), rtol=REGRESSION_RTOL, atol=1e-3
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fully_pruned_regressor_predicts_its_intercept(dtype):
    X, y = _diabetes()
    model = SparsifyTransformer(Ridge(), threshold=1e9).fit(X, y)
    assert model.n_features_ == 0
    onx = skl2onnx.to_onnx(model, X[:1].astype(dtype)).SerializeToString()
    session = ort.InferenceSession(onx, providers=["CPUExecutionProvider"])
    (predictions,) = session.run(None, {session.get_inputs()[0].name: X.astype(dtype)})
    np.testing.assert_allclose(np.ravel(predictions), model.predict(X), rtol=1e-6)


def test_a_selector_parsed_in_another_thread_is_a_predictor_here():
    # the selector set of a pipeline being parsed belongs to its thread: the
    # same model exported alone meanwhile, from another thread, predicts
    import threading

    from skdistill import onnx as skdistill_onnx

    X, y = _iris()
    sparsifier = SparsifyTransformer(LogisticRegression(), sparsity=0.5).fit(X, y)
    parsing, done = threading.Event(), threading.Event()

    def parse_a_pipeline():  # holds the sparsifier as a selector until done
        skdistill_onnx._selectors().add(id(sparsifier))
        parsing.set()
        done.wait(timeout=60)
        skdistill_onnx._selectors().discard(id(sparsifier))

    other = threading.Thread(target=parse_a_pipeline)
    other.start()
    try:
        assert parsing.wait(timeout=60)
        assert skdistill_onnx._kind(sparsifier) == "classifier"
        _assert_classifier_parity(sparsifier, X)
    finally:
        done.set()
        other.join()


@pytest.mark.parametrize("name", ["LinearSVC", "RidgeClassifier"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_pruned_models_without_probabilities(name, n_classes):
    # as skl2onnx exports them alone: labels and decision scores, no ZipMap
    from sklearn.datasets import make_classification
    from sklearn.linear_model import RidgeClassifier
    from sklearn.svm import LinearSVC

    X, y = make_classification(
        300, 8, n_informative=4, n_classes=n_classes, random_state=0
    )
    model = {"LinearSVC": LinearSVC(), "RidgeClassifier": RidgeClassifier()}[name]
    for fitted in (
        SparsifyTransformer(model, sparsity=0.5).fit(X, y),
        DistilledClassifier(LogisticRegression(), model).fit(X, y),
    ):
        labels, scores = _run(_onnx(fitted, X), X)
        np.testing.assert_array_equal(labels, fitted.predict(X))
        expected = fitted.decision_function(X)
        np.testing.assert_allclose(
            np.ravel(scores), np.ravel(expected), rtol=1e-4, atol=1e-4
        )


@pytest.mark.parametrize("container", ["ColumnTransformer", "FeatureUnion"])
def test_pruned_selector_inside_column_transformer_and_feature_union(container):
    # there, as in a pipeline's earlier steps, it exports its transform
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    selector = SparsifyTransformer(LogisticRegression(max_iter=500), max_features=4)
    if container == "ColumnTransformer":
        model = ColumnTransformer([("select", selector, list(range(30)))])
    else:
        model = FeatureUnion([("select", selector)])
    model.fit(X, y)
    (out,) = _run(_onnx(model, X), X)
    np.testing.assert_allclose(out, model.transform(X), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("container", ["ColumnTransformer", "FeatureUnion", "Pipeline"])
def test_pruned_selector_ending_an_inner_pipeline(container):
    # a pipeline used as a transformer: its last step is used for transform
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion

    X, y = load_breast_cancer(return_X_y=True)
    inner = make_pipeline(
        StandardScaler(), SparsifyTransformer(Ridge(), max_features=3)
    )
    if container == "ColumnTransformer":
        front = ColumnTransformer([("select", inner, list(range(30)))])
    elif container == "FeatureUnion":
        front = FeatureUnion([("select", inner)])
    else:
        front = inner
    model = make_pipeline(front, LogisticRegression(max_iter=1000)).fit(X, y)
    _assert_classifier_parity(model, X)


# -- Pipeline students, quantized models, labels and inputs ------------------


@pytest.mark.parametrize("task", ["classifier", "regressor"])
def test_selector_step_of_a_pipeline_student(task):
    # a SparsifyTransformer that starts a distiller's Pipeline student is a
    # feature selector there (its transform), as in the student alone
    if task == "classifier":
        X, y = _iris()
        student = make_pipeline(
            SparsifyTransformer(LogisticRegression(), sparsity=0.5),
            LogisticRegression(),
        )
        model = DistilledClassifier(_forest(), student).fit(X, y)
        _assert_classifier_parity(model, X)
        return
    X, y = _diabetes()
    student = make_pipeline(SparsifyTransformer(Ridge(), sparsity=0.5), Ridge())
    model = DistilledRegressor(
        RandomForestRegressor(n_estimators=10, random_state=0), student
    ).fit(X, y)
    (pred,) = _run(_onnx(model, X), X)
    np.testing.assert_allclose(
        pred.ravel(), model.predict(X), rtol=REGRESSION_RTOL, atol=1e-3
    )


def _glm_data():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((200, 5))
    y = rng.poisson(np.exp(0.3 * X[:, 0] - 0.2 * X[:, 1]))
    return X, y + 1.0  # positive, for the Gamma and Tweedie(power=1.5) models


@pytest.mark.parametrize("n_bits", [8, 16])
@pytest.mark.parametrize(
    "name", ["Poisson", "Gamma", "Tweedie-identity", "Tweedie-log"]
)
def test_quantized_glm_exports_its_inverse_link(name, n_bits):
    from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor

    estimator = {
        "Poisson": PoissonRegressor(),
        "Gamma": GammaRegressor(),
        "Tweedie-identity": TweedieRegressor(power=0),
        "Tweedie-log": TweedieRegressor(power=1.5),
    }[name]
    X, y = _glm_data()
    model = QuantizedLinearModel(estimator, n_bits=n_bits).fit(X, y)
    (pred,) = _run(_onnx(model, X), X)
    np.testing.assert_allclose(pred.ravel(), model.predict(X), rtol=1e-5)


def test_quantized_model_with_another_prediction_is_refused():
    # PLSRegression predicts from centred X: X @ coef_.T + intercept_ would
    # be silently wrong
    from sklearn.cross_decomposition import PLSRegression

    X, y = _glm_data()
    model = QuantizedLinearModel(PLSRegression(2), n_bits=8).fit(X, y)
    with pytest.raises(NotImplementedError, match="PLSRegression"):
        _onnx(model, X)


@pytest.mark.parametrize("name", ["Ridge", "LinearRegression"])
def test_quantized_multi_output_without_intercept(name):
    from sklearn.datasets import make_regression
    from sklearn.linear_model import LinearRegression

    X, y = make_regression(60, 5, n_targets=3, random_state=0)
    estimator = {"Ridge": Ridge, "LinearRegression": LinearRegression}[name]
    model = QuantizedLinearModel(estimator(fit_intercept=False), n_bits=8)
    model.fit(X, y)
    (pred,) = _run(_onnx(model, X), X)
    assert pred.shape == (60, 3)
    np.testing.assert_allclose(pred, model.predict(X), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("name", ["quantized", "soft-logistic", "regressor-student"])
def test_float_class_labels_are_int64_labels(name):
    # as skl2onnx exports LogisticRegression on labels 0.0, 1.0, 2.0
    X, y = _iris()
    y = y.astype(np.float64)
    model = {
        "quantized": QuantizedLinearModel(LogisticRegression(), n_bits=8),
        "soft-logistic": SoftLogisticRegression(),
        "regressor-student": DistilledClassifier(_forest(), Ridge()),
    }[name].fit(X, y)
    labels, _ = _run(_onnx(model, X, zipmap=False), X)
    assert labels.dtype == np.int64
    _assert_classifier_parity(model, X)


def _pruned_digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X[::4] / 16
    pruned = SparsifyTransformer(LogisticRegression(max_iter=300), sparsity=0.5)
    return X, y[::4], pruned.fit(X, y[::4])


@pytest.mark.parametrize("packing", ["packed", "bytes"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("method", ["uniform", "kmeans"])
@pytest.mark.parametrize("n_bits", [3, 8, 12, 15, 16])
def test_bit_packed_codes_and_zeros(n_bits, method, dtype, packing, monkeypatch):
    # codes of any width and the mask of the zeros, unpacked in the graph (or
    # one byte each, where that is smaller: forced both ways here)
    cost = 0 if packing == "packed" else 10**9
    monkeypatch.setattr(skdistill_onnx, "_UNPACKING_BYTES", cost)
    X, y, pruned = _pruned_digits()
    model = quantize(pruned, n_bits=n_bits, method=method, random_state=0)
    assert model.nonzero_ is not None
    onx = skl2onnx.to_onnx(model, X[:1].astype(dtype), options={"zipmap": False})
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels, proba = session.run(None, {"X": X.astype(dtype)})
    np.testing.assert_array_equal(labels, model.predict(X))
    atol = 1e-9 if dtype == np.float64 else PROBA_ATOL
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=atol)
    # the zeros are one more code (2 ** n_bits, or the codebook's length),
    # in a byte or packed: a mask is stored only where that code does not
    # fit (codes in bytes that fill them, 16-bit ones read as 16 bits)
    in_bytes = n_bits == 8 if packing == "packed" else n_bits <= 8
    spare = 2**n_bits if method == "uniform" else len(model.codebook_)
    mask = max(n_bits, spare.bit_length()) > (8 if in_bytes else 16)
    names = [init.name for init in onx.graph.initializer]
    count = {
        prefix: sum(name.startswith(prefix) for name in names)
        for prefix in ("codes", "packed_bits", "nonzero")
    }
    assert count == {
        "codes": int(in_bytes),
        "packed_bits": int(not in_bytes) + int(mask and packing == "packed"),
        "nonzero": int(mask and packing == "bytes"),
    }


@pytest.mark.parametrize("method", ["uniform", "kmeans"])
@pytest.mark.parametrize("n_features", [20, 400])
def test_quantized_file_of_a_pruned_model_grows_with_the_bit_width(
    n_features, method
):
    # 100 and 2,000 coefficients, 90% zeros: the zeros' mask made the 3- to
    # 5-bit files of 2,000 larger than the 6- and 7-bit ones (3,215 to 3,731
    # bytes against 3,183); they are one more code now, and a k-means
    # codebook gains one 0 for it (not 2 ** n_bits: 133 KB at 15 bits)
    rng = np.random.RandomState(0)
    X = rng.standard_normal((300, n_features))
    y = rng.randint(0, 5, 300)
    pruned = SparsifyTransformer(LogisticRegression(max_iter=300), sparsity=0.9)
    pruned.fit(X, y)
    sizes = []
    for n_bits in (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16):
        model = quantize(pruned, n_bits=n_bits, method=method, random_state=0)
        onx = _onnx(model, X, zipmap=False)
        sizes.append(len(onx))
        labels, proba = _run(onx, X)
        np.testing.assert_array_equal(labels, model.predict(X))
        np.testing.assert_allclose(proba, model.predict_proba(X), atol=PROBA_ATOL)
    assert sizes == sorted(sizes), sizes
    # at most the float graph, its weights again and the nodes that unpack
    # and dequantize (about 1 KB): never a padded codebook
    float_size = len(_onnx(pruned, X, zipmap=False))
    assert sizes[-1] < float_size + 4 * X.shape[1] * 5 + 2_000, (sizes, float_size)


@pytest.mark.parametrize("n_features, n_classes", [(60, 3), (300, 4)])
def test_quantized_file_is_smaller_than_the_float_one(n_features, n_classes):
    # a few hundred coefficients: one byte per code, without the unpacking
    # nodes (a model of tens is smaller as floats: the graph's dequantization
    # costs about 300 bytes); more: bit-packed codes, and the 2 ** 16 uniform
    # levels computed in the graph, never stored
    rng = np.random.RandomState(0)
    X = rng.standard_normal((200, n_features))
    y = rng.randint(0, n_classes, 200)
    dense = LogisticRegression(max_iter=300).fit(X, y)
    float_size = len(_onnx(dense, X, zipmap=False))  # float32 weights
    models = {n_bits: quantize(dense, n_bits=n_bits) for n_bits in (4, 8, 16)}
    sizes = {n_bits: len(_onnx(m, X, zipmap=False)) for n_bits, m in models.items()}
    if n_features < 100:
        assert sizes[4] <= sizes[8] < float_size, (sizes, float_size)
    else:
        assert sizes[4] <= sizes[8] < sizes[16] < 0.75 * float_size, (sizes, float_size)
    for model in models.values():
        labels, proba = _run(_onnx(model, X, zipmap=False), X)
        np.testing.assert_array_equal(labels, model.predict(X))
        np.testing.assert_allclose(proba, model.predict_proba(X), atol=PROBA_ATOL)


def _frame():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    df = pd.DataFrame(
        {"a": rng.standard_normal(120), "color": rng.choice(["red", "blue"], 120)}
    )
    target = df["a"].to_numpy() + (df["color"] == "red").to_numpy()
    return df, target


def _column_student(last):
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    columns = ColumnTransformer(
        [("num", StandardScaler(), ["a"]), ("cat", OneHotEncoder(), ["color"])]
    )
    return make_pipeline(columns, last)


def _run_frame(model, df, **options):
    onx = skl2onnx.to_onnx(model, df[:1], options=options or None)
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    feed = {}
    for given in session.get_inputs():
        column = df[[given.name]].to_numpy()
        dtype = {"tensor(string)": object, "tensor(double)": np.float64}
        feed[given.name] = column.astype(dtype.get(given.type, np.float32))
    return session.run(None, feed)


@pytest.mark.parametrize(
    "name", ["classifier", "regressor-student", "regressor", "pruned-classifier"]
)
def test_column_transformer_student_on_several_inputs(name):
    # a DataFrame gives one ONNX input per column: the student's
    # ColumnTransformer reads them all
    df, target = _frame()
    labels = np.where(target > 0.5, "yes", "no")
    teacher = _column_student(_forest())
    if name == "regressor":
        model = DistilledRegressor(
            _column_student(RandomForestRegressor(n_estimators=10, random_state=0)),
            _column_student(Ridge()),
        ).fit(df, target)
        (pred,) = _run_frame(model, df)
        np.testing.assert_allclose(pred.ravel(), model.predict(df), rtol=1e-5)
        return
    last = Ridge() if name == "regressor-student" else LogisticRegression()
    student = _column_student(last)
    model = DistilledClassifier(teacher, student)
    if name == "pruned-classifier":
        model = SparsifyTransformer(model, sparsity=0.3)
    model.fit(df, labels)
    got, proba = _run_frame(model, df, zipmap=False)
    np.testing.assert_array_equal(got, model.predict(df))
    np.testing.assert_allclose(proba, model.predict_proba(df), atol=PROBA_ATOL)


@pytest.mark.parametrize("data", [_iris, _binary])
def test_network_regressor_student_gives_a_row_of_logits_per_sample(data):
    # skl2onnx's MLPRegressor converter flattens several outputs into one
    # column: n_samples * K labels, silently, before the logits were reshaped
    from sklearn.neural_network import MLPRegressor

    X, y = data()
    X = X[:200]
    y = y[:200]
    network = MLPRegressor(hidden_layer_sizes=(4,), max_iter=300, random_state=0)
    student = make_pipeline(StandardScaler(), network)
    model = DistilledClassifier(LogisticRegression(max_iter=1000), student, T=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    _assert_classifier_parity(model, X)


def test_network_regressor_student_of_several_outputs():
    from sklearn.neural_network import MLPRegressor

    X, y = _diabetes()
    Y = np.column_stack([y, -0.5 * y])
    student = MLPRegressor(hidden_layer_sizes=(4,), max_iter=300, random_state=0)
    model = DistilledRegressor(Ridge(), student)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y)
    (predictions,) = _run(_onnx(model, X), X)
    assert predictions.shape == (len(X), 2)
    np.testing.assert_allclose(predictions, model.predict(X), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize(
    "name", ["LinearSVC", "RidgeClassifier", "SGDClassifier", "Perceptron"]
)
def test_declared_score_columns_are_those_computed(name):
    # a binary classifier without probabilities: skl2onnx computes one score
    # column for LinearSVC and RidgeClassifier, two for the others; every
    # one was declared as one
    import onnx
    from sklearn.datasets import make_classification
    from sklearn.linear_model import Perceptron, RidgeClassifier, SGDClassifier
    from sklearn.svm import LinearSVC

    X, y = make_classification(200, 6, random_state=0)
    student = {
        "LinearSVC": LinearSVC(),
        "RidgeClassifier": RidgeClassifier(),
        "SGDClassifier": SGDClassifier(random_state=0),
        "Perceptron": Perceptron(random_state=0),
    }[name]
    for fitted in (
        SparsifyTransformer(student, sparsity=0.5).fit(X, y),
        DistilledClassifier(LogisticRegression(), student).fit(X, y),
    ):
        onx = _onnx(fitted, X)
        model = onnx.load_from_string(onx)
        onnx.shape_inference.infer_shapes(model, strict_mode=True)
        declared = model.graph.output[1].type.tensor_type.shape.dim[1].dim_value
        labels, scores = _run(onx, X)
        assert scores.shape[1] == declared
        assert declared == (1 if name in ("LinearSVC", "RidgeClassifier") else 2)
        np.testing.assert_array_equal(labels, fitted.predict(X))


def test_a_student_with_its_classes_in_another_order_is_refused_as_such():
    from skdistill import quantize

    X, y = _iris()
    model = DistilledClassifier(
        _forest(), SoftLogisticRegression(classes=[2, 0, 1]), alpha=0.0
    ).fit(X, y)
    with pytest.raises(NotImplementedError, match="in another order"):
        _onnx(model, X)
    pruned = SparsifyTransformer(model, sparsity=0.5, refit=False).fit(X, y)
    with pytest.raises(NotImplementedError, match="in another order") as exc:
        _onnx(pruned, X)
    assert "quantize" not in str(exc.value)
    with pytest.raises(ValueError, match="in another order"):
        quantize(model)
    _run(_onnx(model.student_, X), X)  # as the message advises


@pytest.mark.parametrize(
    "model",
    [
        DistilledClassifier(LogisticRegression(), LogisticRegression()),
        SparsifyTransformer(LogisticRegression()),
        SoftLogisticRegression(),
    ],
    ids=["distiller", "sparsifier", "soft_logistic"],
)
def test_an_unfitted_model_is_refused_as_unfitted(model):
    from sklearn.exceptions import NotFittedError

    X, _ = _iris()
    with pytest.raises(NotFittedError):
        _onnx(model, X)
