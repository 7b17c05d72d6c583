"""Export to ONNX: skl2onnx converters for skdistill's fitted models.

Importing this module registers, with :func:`skl2onnx.update_registered_converter`,
a parser, a shape calculator and a converter for
:class:`~skdistill.DistilledClassifier`, :class:`~skdistill.DistilledRegressor`,
:class:`~skdistill.SparsifyTransformer`, :class:`~skdistill.QuantizedLinearModel`
and :class:`~skdistill.linear_model.SoftLogisticRegression`, so that
``skl2onnx.to_onnx(model, X[:1])`` works for them, alone or inside a
:class:`~sklearn.pipeline.Pipeline`:

- a distiller exports its student's graph only (the teacher is not needed to
  predict);
- a :class:`~skdistill.SparsifyTransformer` that ends a pipeline, or is
  converted alone, exports a gather of the surviving columns followed by the
  pruned model restricted to them; as an earlier step of a pipeline it
  exports the column gather (its ``transform``), as it does inside a
  :class:`~sklearn.compose.ColumnTransformer` or a
  :class:`~sklearn.pipeline.FeatureUnion`;
- a :class:`~skdistill.QuantizedLinearModel` stores its codes bit-packed
  (``n_bits`` bits per coefficient, plus one bit per coefficient for the
  positions of the zeros of a pruned model; one byte each instead where
  that is smaller than the nodes unpacking them, about 700 bytes, the zeros
  then being one more code) and its
  k-means codebook in the
  graph, which dequantizes them at run time (uniform codes as ``offset +
  scale * code``, their levels never stored), so the file shrinks with the
  bit width; onnxruntime folds the dequantization into a constant when it
  loads the model. Exported are the quantized models whose predictions the
  graph computes exactly: :class:`~sklearn.linear_model.LogisticRegression`
  and :class:`~skdistill.linear_model.SoftLogisticRegression` classifiers,
  linear regressors (``X @ coef_.T + intercept_``) and the generalized
  linear models (their inverse link); others
  (:class:`~sklearn.cross_decomposition.PLSRegression`, which centres X)
  raise NotImplementedError;
- :class:`~skdistill.linear_model.SoftLogisticRegression` exports the
  sigmoid (binary) or softmax (multiclass) of its linear function.

A distiller's :class:`~sklearn.pipeline.Pipeline` student starting with a
:class:`~sklearn.compose.ColumnTransformer` reads the graph's several inputs
(``to_onnx(model, df[:1])`` gives one per column of a DataFrame), as the
student alone does.

A :class:`~skdistill.DistillationSearchCV` has no converter: convert its
``best_estimator_``.

Classifiers accept skl2onnx's ``zipmap`` option (``to_onnx(...,
options={"zipmap": False})`` returns the probabilities as a tensor) and its
``nocl`` option (the labels as class indices ``0..K-1``). Numeric labels
(float ones too, as skl2onnx's converters give them) are int64 in the graph.

Examples
--------
>>> import numpy as np
>>> import onnxruntime as ort
>>> import skl2onnx
>>> import skdistill.onnx  # registers the converters
>>> from sklearn.datasets import load_iris
>>> from sklearn.linear_model import LogisticRegression
>>> from sklearn.neighbors import KNeighborsClassifier
>>> from skdistill import DistilledClassifier
>>> X, y = load_iris(return_X_y=True)
>>> X = X.astype(np.float32)
>>> clf = DistilledClassifier(KNeighborsClassifier(), LogisticRegression(max_iter=500))
>>> onx = skl2onnx.to_onnx(clf.fit(X, y), X[:1], options={"zipmap": False})
>>> session = ort.InferenceSession(onx.SerializeToString())
>>> labels, proba = session.run(None, {"X": X})
>>> bool((labels == clf.predict(X)).all())
True
"""

import contextlib
import copy
import threading

import numpy as np

try:
    from skl2onnx import update_registered_converter
    from skl2onnx._supported_operators import _get_sklearn_operator_name
    from skl2onnx.common._registration import get_converter
    from skl2onnx._parse import (
        _apply_zipmap,
        _parse_sklearn,
        sklearn_parsers_map,
        update_registered_parser,
    )
    from skl2onnx.algebra.onnx_operator import OnnxSubEstimator
    from skl2onnx.algebra.onnx_ops import (
        OnnxAdd,
        OnnxArgMax,
        OnnxBitShift,
        OnnxCast,
        OnnxConcat,
        OnnxExp,
        OnnxGather,
        OnnxIdentity,
        OnnxLess,
        OnnxMatMul,
        OnnxMod,
        OnnxMul,
        OnnxReshape,
        OnnxSlice,
        OnnxSoftmax,
    )
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        Int64TensorType,
        guess_tensor_type,
    )
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "skdistill.onnx requires skl2onnx (and onnxruntime to run the models). "
        "You can install them with `pip install skdistill[onnx]`."
    ) from exc

from onnx import TensorProto, numpy_helper
from sklearn import linear_model, svm
from sklearn.base import is_classifier, is_regressor
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

from ._classifier import DistilledClassifier
from ._quantize import (
    QuantizedLinearModel,
    _linear_model,
    _predicting_model,
    other_classes_message,
)
from ._regressor import DistilledRegressor
from ._sparsify import SparsifyTransformer
from .linear_model import SoftLogisticRegression

__all__ = ["register"]

# Regressors whose predict is X @ coef_.T + intercept_, nothing else: the
# quantized ones exported as that formula. Others with a coef_ are refused
# (PLSRegression centres X; the generalized linear models are exported with
# their link, _exported_link).
_LINEAR_REGRESSORS = tuple(
    getattr(module, name)
    for module, name in [(svm, "LinearSVR")]
    + [
        (linear_model, name)
        for name in (
            "ARDRegression",
            "BayesianRidge",
            "ElasticNet",
            "ElasticNetCV",
            "HuberRegressor",
            "Lars",
            "LarsCV",
            "Lasso",
            "LassoCV",
            "LassoLars",
            "LassoLarsCV",
            "LassoLarsIC",
            "LinearRegression",
            "MultiTaskElasticNet",
            "MultiTaskElasticNetCV",
            "MultiTaskLasso",
            "MultiTaskLassoCV",
            "OrthogonalMatchingPursuit",
            "OrthogonalMatchingPursuitCV",
            "PassiveAggressiveRegressor",
            "QuantileRegressor",
            "Ridge",
            "RidgeCV",
            "SGDRegressor",
            "TheilSenRegressor",
        )
    ]
    if hasattr(module, name)  # across scikit-learn versions
)

_CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
}

# SparsifyTransformer steps that the pipeline being parsed uses as feature
# selectors (every step but the last): they export their ``transform``. Held
# while that pipeline is parsed only, and per thread (skl2onnx parses in the
# calling thread): the same model exported alone by another thread at that
# moment is a predictor. Each operator records its kind.
_PARSING = threading.local()


def _selectors():
    """The ids of the selector steps of the pipelines this thread is parsing."""
    if not hasattr(_PARSING, "selectors"):
        _PARSING.selectors = set()
    return _PARSING.selectors


def _kind(model):
    """What the model's graph outputs: "classifier", "regressor" or "transform"."""
    if isinstance(model, SparsifyTransformer):
        if id(model) in _selectors() or not hasattr(model.estimator_, "predict"):
            return "transform"
        return "classifier" if is_classifier(model.estimator_) else "regressor"
    if isinstance(model, QuantizedLinearModel):
        return "classifier" if is_classifier(model.estimator_) else "regressor"
    return "classifier" if is_classifier(model) else "regressor"


def _operator_kind(operator):
    """The kind :func:`_parse` gave the operator (its model's otherwise).

    An operator that skl2onnx parsed itself (a sub-estimator, which skips
    :func:`_parse`) gets its model's kind when first asked, by its shape
    calculator during that parse, while the selectors of the pipeline being
    converted are known; it keeps it for its converter, which runs later.
    """
    kind = getattr(operator, "skdistill_kind", None)
    if kind is None:
        kind = operator.skdistill_kind = _kind(operator.raw_operator)
    return kind


def _float_type(operator):
    """``(TensorProto type, numpy dtype)`` of the graph's computations: the
    input's precision (double for float64 inputs), float otherwise."""
    if isinstance(operator.inputs[0].type, DoubleTensorType):
        return TensorProto.DOUBLE, np.float64
    return TensorProto.FLOAT, np.float32


def _alias(model):
    return f"Skdistill{type(model).__name__}"


def _student_pipeline(model):
    """The fitted Pipeline student whose graph is the predicting ``model``'s
    (a distiller's, or a pruned one's whose pruned step ends it), or None."""
    if isinstance(model, SparsifyTransformer) and model._support is None:
        model = model.estimator_
    if isinstance(model, (DistilledClassifier, DistilledRegressor)) and isinstance(
        model.student_, Pipeline
    ):
        return model.student_
    return None


def _parse(scope, model, inputs, custom_parsers=None):
    """Declare the model's outputs: label and probabilities, or one tensor.

    The leading steps of a Pipeline student are parsed here, by skl2onnx's
    parsers, into the model's inputs (as skl2onnx's Pipeline parser does):
    a ColumnTransformer, which reads several inputs (the columns of a
    DataFrame), can be parsed, not converted as a sub-estimator.
    """
    check_is_fitted(model)  # scikit-learn's error, not a missing attribute's
    kind = _kind(model)
    student = None if kind == "transform" else _student_pipeline(model)
    if student is not None:
        steps = [s for _, s in student.steps[:-1] if s not in (None, "passthrough")]
        with _parsed_as_selectors(steps):
            for step in steps:
                inputs = _parse_sklearn(
                    scope, step, inputs, custom_parsers=custom_parsers
                )
    operator = scope.declare_local_operator(_alias(model), model)
    operator.skdistill_kind = kind
    operator.skdistill_parsed = student  # its last step is the converter's
    operator.inputs = inputs
    if kind != "classifier":
        variable = scope.declare_local_variable(
            "variable", guess_tensor_type(inputs[0].type)
        )
        operator.outputs.append(variable)
        return operator.outputs
    operator.outputs.append(scope.declare_local_variable("label", Int64TensorType()))
    operator.outputs.append(
        scope.declare_local_variable(
            "probabilities", guess_tensor_type(inputs[0].type)
        )
    )
    options = scope.get_options(model, dict(zipmap=True))
    if (isinstance(options["zipmap"], bool) and not options["zipmap"]) or (
        not _has_probabilities(model)
    ):
        return operator.outputs
    return _apply_zipmap(
        options["zipmap"], scope, model, inputs[0].type, operator.outputs
    )


def _transforming(step):
    """``step`` and, for a Pipeline used as a transformer, its last step (and
    so on down): each is used for its ``transform``."""
    while True:
        yield step
        if not isinstance(step, Pipeline):
            return
        step = step.steps[-1][1]


@contextlib.contextmanager
def _parsed_as_selectors(transformers):
    """Within the block, the SparsifyTransformer among ``transformers`` (or
    ending a Pipeline among them) are parsed as selectors (their
    ``transform``)."""
    selectors = _selectors()
    added = {
        id(step)
        for transformer in transformers
        for step in _transforming(transformer)
        if isinstance(step, SparsifyTransformer) and id(step) not in selectors
    }
    selectors.update(added)
    try:
        yield
    finally:
        selectors.difference_update(added)


def _selector_parser(cls, transformers):
    """skl2onnx's parser of ``cls``, with the SparsifyTransformer among
    ``transformers(model)`` (or ending a Pipeline among them) parsed as
    selectors (their ``transform``)."""
    original = sklearn_parsers_map[cls]
    original = getattr(original, "skdistill_original", original)

    def parse(scope, model, inputs, custom_parsers=None):
        with _parsed_as_selectors(transformers(model)):
            return original(scope, model, inputs, custom_parsers=custom_parsers)

    parse.skdistill_original = original
    return parse


def _shape_selector(operator):
    n = operator.raw_operator.n_features_
    operator.outputs[0].type = type(operator.inputs[0].type)([None, n])


def _outputs_to(scope, container, operator, results):
    """Copy the sub-graph ``results`` into the operator's outputs."""
    opv = container.target_opset
    for k, output in enumerate(operator.outputs):
        OnnxIdentity(results[k], op_version=opv, output_names=[output]).add_to(
            scope, container
        )


def _one_input(inputs, model):
    """The one tensor of ``inputs`` that ``model``'s graph reads.

    A model that starts with a ColumnTransformer takes several (one per
    column of a DataFrame); the others read one matrix.
    """
    if len(inputs) == 1:
        return inputs[0]
    names = ", ".join(getattr(i, "onnx_name", str(i)) for i in inputs)
    raise NotImplementedError(
        f"ONNX export of {type(model).__name__} on {len(inputs)} inputs "
        f"({names}): its graph reads one tensor of all the features. Give "
        "skl2onnx one input (initial_types with one tensor, or a numpy array), "
        "or start the student with a ColumnTransformer, which reads several."
    )


def _per_row(predictions, regressor, opv):
    """The node ``predictions`` of a multi-output ``regressor`` as one row of
    outputs per sample: skl2onnx's MLPRegressor converter flattens them to
    one column (n_samples * n_outputs, 1), in row order."""
    n_outputs = _n_outputs(regressor)
    if n_outputs < 2:
        return predictions
    shape = np.array([-1, n_outputs], dtype=np.int64)
    return OnnxReshape(predictions, shape, op_version=opv)


def _sub_estimator(scope, container, operator, inner, inputs):
    """The graph of ``inner`` (a scikit-learn estimator) on the list of
    tensors ``inputs`` (the graph's inputs, several for a model that starts
    with a ColumnTransformer, or one node)."""
    opv = container.target_opset
    if isinstance(inner, Pipeline):  # its steps one after the other
        steps = [s for _, s in inner.steps[:-1] if s not in (None, "passthrough")]
        for step in steps:
            inputs = [OnnxSubEstimator(step, *inputs, op_version=opv)]
        # skl2onnx parses these steps when the graph is added (in the call
        # below), not here; the SparsifyTransformer among them are feature
        # selectors, as skl2onnx's Pipeline parser (_SELECTOR_PARSERS) says
        with _parsed_as_selectors(steps):
            _sub_estimator(scope, container, operator, inner.steps[-1][1], inputs)
        return
    # skdistill's predictors whose kind is their inner model's: written here,
    # as skl2onnx's sub-estimators take a class's kind from its base classes
    if isinstance(inner, QuantizedLinearModel):
        X = _one_input(inputs, inner)
        _emit_quantized(scope, container, operator, inner, X)
        return
    if isinstance(inner, SparsifyTransformer):
        _emit_pruned(scope, container, operator, inner, inputs)
        return
    if isinstance(inner, (DistilledClassifier, DistilledRegressor)):
        _emit_distilled(scope, container, operator, inner, inputs)
        return
    if _operator_kind(operator) != "classifier":
        result = _per_row(OnnxSubEstimator(inner, *inputs, op_version=opv), inner, opv)
        _outputs_to(scope, container, operator, [result])
        return
    options = {"zipmap": False, "nocl": _nocl(scope, operator)}
    result = OnnxSubEstimator(
        inner, *inputs, op_version=opv, options=_allowed_options(inner, options)
    )
    _outputs_to(scope, container, operator, [result[0], result[1]])


def _has_probabilities(model):
    """Whether the classifier's second output is class probabilities.

    Not for a predicting model without ``predict_proba``
    (:class:`~sklearn.svm.LinearSVC`,
    :class:`~sklearn.linear_model.RidgeClassifier`): skl2onnx's converter
    gives its decision scores (one column for two classes), and no
    ``zipmap``, which would not fit them, as skl2onnx does for them alone.
    """
    try:
        final = _predicting_model(model)
    except (TypeError, ValueError):  # refused by the converter, with its message
        return True
    if isinstance(final, Pipeline):
        final = final.steps[-1][1]
    return hasattr(final, "predict_proba")


def _one_score_column(model):
    """Whether skl2onnx's converter of the model that predicts for ``model``
    gives one column of decision scores for two classes: a
    :class:`~sklearn.svm.LinearSVC` or ``RidgeClassifier`` does (the positive
    class's), an ``SGDClassifier``, a ``Perceptron`` or an ``SVC`` without
    probabilities gives two, as classifiers with probabilities do."""
    if _has_probabilities(model):
        return False
    final = _predicting_model(model)
    if isinstance(final, Pipeline):
        final = final.steps[-1][1]
    if isinstance(final, QuantizedLinearModel):
        final = final.estimator_
    return isinstance(
        final,
        (svm.LinearSVC, linear_model.RidgeClassifier, linear_model.RidgeClassifierCV),
    )


def _allowed_options(model, options):
    """The ``options`` that skl2onnx's converter of ``model`` declares
    (:class:`~sklearn.svm.LinearSVC`'s has no ``zipmap``: no probabilities)."""
    try:
        allowed = get_converter(_get_sklearn_operator_name(type(model)))
        allowed = allowed.get_allowed_options()
    except Exception:  # not registered: let skl2onnx say so
        return options
    return {k: v for k, v in options.items() if k in (allowed or {})}


def _nocl(scope, operator):
    """skl2onnx's option ``nocl``: labels are the class indices."""
    return bool(scope.get_options(operator.raw_operator, dict(nocl=False))["nocl"])


def _labels_and_proba(scope, container, operator, logits, classes, *, binary):
    """Labels (``classes[argmax]``) and probabilities (softmax) from logits."""
    opv = container.target_opset
    if binary:
        zero = np.array([0.0], dtype=_float_type(operator)[1])
        zeros = OnnxMul(logits, zero, op_version=opv)
        logits = OnnxConcat(zeros, logits, axis=1, op_version=opv)
    proba = OnnxSoftmax(logits, axis=1, op_version=opv)
    index = OnnxArgMax(logits, axis=1, keepdims=0, op_version=opv)
    if _nocl(scope, operator):  # the class indices, not the labels
        _outputs_to(scope, container, operator, [index, proba])
        return
    classes = np.asarray(classes)
    if classes.dtype.kind in "iubf":
        # skl2onnx declares real labels int64 (its shape calculator), as its
        # own converters give them; float labels are whole numbers, as
        # scikit-learn's classifiers refuse others (a "continuous" target)
        constant = classes.astype(np.int64)
    else:
        constant = np.array([str(c) for c in classes], dtype=object)
    label = OnnxGather(constant, index, axis=0, op_version=opv)
    _outputs_to(scope, container, operator, [label, proba])


def _linear_graph(
    scope,
    container,
    operator,
    X,
    weights,
    intercept,
    classes,
    *,
    n_outputs=1,
    link="identity",
):
    """``X @ weights + intercept`` then labels and probabilities or values.

    ``weights`` is an ONNX node or a constant of shape (n_features,
    n_outputs); ``n_outputs`` and the ``link`` (``"identity"`` or ``"log"``,
    whose inverse gives the values) are for regressors only.
    """
    opv = container.target_opset
    proto, dtype = _float_type(operator)
    X = OnnxCast(X, to=proto, op_version=opv)
    if isinstance(weights, np.ndarray):
        weights = weights.astype(dtype)
    scores = OnnxAdd(
        OnnxMatMul(X, weights, op_version=opv),
        np.asarray(intercept, dtype=dtype).reshape(1, -1),
        op_version=opv,
    )
    if classes is None:
        if link == "log":
            scores = OnnxExp(scores, op_version=opv)
        if n_outputs == 1:
            shape = np.array([-1, 1], dtype=np.int64)
            scores = OnnxReshape(scores, shape, op_version=opv)
        _outputs_to(scope, container, operator, [scores])
        return
    _labels_and_proba(
        scope, container, operator, scores, classes, binary=len(classes) == 2
    )


def _check_linear_logistic(model, what):
    """A linear classifier whose probabilities are sigmoid / softmax of its scores."""
    from sklearn.linear_model import LogisticRegression

    if is_classifier(model) and not isinstance(
        model, (LogisticRegression, SoftLogisticRegression)
    ):
        raise NotImplementedError(
            f"{what}: ONNX export supports LogisticRegression and "
            f"SoftLogisticRegression classifiers, not {type(model).__name__}."
        )


# -- converters ---------------------------------------------------------------


def _convert_distilled(scope, operator, container):
    model = operator.raw_operator
    _emit_distilled(scope, container, operator, model, list(operator.inputs))


def _emit_distilled(scope, container, operator, model, inputs):
    """The predictions of a fitted distiller ``model`` (its student's) on
    the list of tensors ``inputs``."""
    student = model.student_
    if student is getattr(operator, "skdistill_parsed", None):
        student = student.steps[-1][1]  # its other steps made the inputs
    if isinstance(model, DistilledRegressor) or (
        is_classifier(student)
        and np.array_equal(np.asarray(student.classes_), np.asarray(model.classes_))
    ):
        _sub_estimator(scope, container, operator, student, inputs)
        return
    if is_classifier(student):
        raise NotImplementedError(
            other_classes_message(model, "export {} to ONNX", "Export")
        )
    # A regressor student predicts the centred log-probabilities (logits).
    opv = container.target_opset
    logits = OnnxCast(
        _per_row(OnnxSubEstimator(student, *inputs, op_version=opv), student, opv),
        to=_float_type(operator)[0],
        op_version=opv,
    )
    _labels_and_proba(
        scope, container, operator, logits, model.classes_, binary=False
    )


def _reduced_model(model):
    """``(reduced, linear, columns)``: the pruned linear model restricted to
    the surviving ``columns`` of X.

    With no surviving column, the first one is kept with its zero
    coefficients (the model is its intercepts; a linear node of no input
    cannot be built).
    """
    linear = _linear_model(model.estimator_)
    reduced = copy.deepcopy(linear)
    columns = _restrict_to_support(reduced, model.get_support())
    return reduced, linear, columns


def _restrict_to_support(linear, support):
    """Restrict the fitted linear model ``linear`` (in place) to the columns
    of X in the boolean ``support``; returns their indices.

    With no surviving column, the first one is kept with its zero
    coefficients (the model is its intercepts; a linear node of no input
    cannot be built).
    """
    if not support.any():
        support = support.copy()
        support[0] = True
    coef = linear.coef_
    coef = coef.toarray() if hasattr(coef, "toarray") else np.asarray(coef)
    linear.coef_ = coef[..., support]
    linear.n_features_in_ = int(support.sum())
    vars(linear).pop("feature_names_in_", None)
    return np.flatnonzero(support).astype(np.int64)


def _convert_sparsify(scope, operator, container):
    model = operator.raw_operator
    inputs = list(operator.inputs)
    if _operator_kind(operator) == "transform":
        opv = container.target_opset
        X = _one_input(inputs, model)
        columns = np.flatnonzero(model.get_support()).astype(np.int64)
        gathered = OnnxGather(X, columns, axis=1, op_version=opv)
        _outputs_to(scope, container, operator, [gathered])
        return
    _emit_pruned(scope, container, operator, model, inputs)


def _emit_pruned(scope, container, operator, model, inputs):
    """The predictions of a fitted SparsifyTransformer ``model`` on the list
    of tensors ``inputs``."""
    if model._support is None:
        # the pruned coefficients are a Pipeline student's last step: no
        # column of X to select, the pruned distiller is the model
        _sub_estimator(scope, container, operator, model.estimator_, inputs)
        return
    opv = container.target_opset
    X = _one_input(inputs, model)
    student = getattr(model.estimator_, "student_", None)
    if student is not None and is_classifier(model.estimator_) and is_regressor(
        student
    ):
        # a distiller whose regressor student fits the log targets: the same
        # distiller, its student restricted to the surviving columns
        reduced = copy.deepcopy(model.estimator_)
        columns = _restrict_to_support(reduced.student_, model.get_support())
        reduced.n_features_in_ = reduced.student_.n_features_in_
        vars(reduced).pop("feature_names_in_", None)
        gathered = OnnxGather(X, columns, axis=1, op_version=opv)
        _sub_estimator(scope, container, operator, reduced, [gathered])
        return
    if student is not None and not np.array_equal(
        np.asarray(student.classes_), np.asarray(model.estimator_.classes_)
    ):
        raise NotImplementedError(
            other_classes_message(model.estimator_, "export {} to ONNX", "Export")
        )
    reduced, linear, columns = _reduced_model(model)
    gathered = OnnxGather(X, columns, axis=1, op_version=opv)
    if is_classifier(linear) and not np.array_equal(
        np.asarray(linear.classes_), np.asarray(model.classes_)
    ):
        raise NotImplementedError(
            "ONNX export of a pruned student fitted on a subset of the classes."
        )
    _sub_estimator(scope, container, operator, reduced, [gathered])


def _packed_bits(values, n_bits):
    """The ``n_bits`` low bits of each of the integer ``values``, most
    significant first, one value after the other, packed by
    :func:`numpy.packbits` (``n_bits * len(values) / 8`` bytes)."""
    big_endian = np.asarray(values, dtype=">u2").view(np.uint8)  # bits in order
    bits = np.unpackbits(big_endian).reshape(-1, 16)[:, 16 - n_bits :]
    return np.packbits(bits.ravel())


# Bytes the nodes of :func:`_unpacked_bits` add to a file (measured: 650 to
# 700 with skl2onnx 1.17 to 1.20): packing pays when it saves more.
_UNPACKING_BYTES = 700


def _bytes_saved_by_packing(size, n_bits):
    """Bytes saved by packing ``size`` values of ``n_bits`` bits rather than
    storing one byte each (negative: store them as bytes; more than 8 bits
    are always packed)."""
    if n_bits > 8:
        return 1
    return size - (size * n_bits + 7) // 8 - _UNPACKING_BYTES


def _byte_initializer(scope, container, values, prefix):
    """Name of a uint8 initializer holding ``values``, one byte each (raw data:
    a constant node would store them as varints, up to two bytes each)."""
    name = scope.get_unique_variable_name(prefix)
    array = np.ascontiguousarray(values, dtype=np.uint8)
    container.add_initializer(name, None, None, numpy_helper.from_array(array, name))
    return name


def _unpacked_bits(scope, container, packed, count):
    """Node of the ``count`` first bits (0.0 or 1.0, as doubles) of the uint8
    array ``packed`` (in :func:`numpy.unpackbits`' order), itself stored as a
    uint8 initializer: one bit per bit in the file."""
    opv = container.target_opset
    name = scope.get_unique_variable_name("packed_bits")
    packed = packed.reshape(-1, 1)
    container.add_initializer(name, None, None, numpy_helper.from_array(packed, name))
    shifts = np.arange(7, -1, -1, dtype=np.uint8).reshape(1, 8)  # MSB first
    bits = OnnxMod(
        OnnxBitShift(name, shifts, direction="RIGHT", op_version=opv),
        np.array([2], dtype=np.uint8),
        op_version=opv,
    )
    bits = OnnxReshape(
        OnnxCast(bits, to=TensorProto.DOUBLE, op_version=opv),
        np.array([-1], dtype=np.int64),
        op_version=opv,
    )
    return OnnxSlice(
        bits,
        np.array([0], dtype=np.int64),
        np.array([count], dtype=np.int64),
        op_version=opv,
    )


def _dequantized_weights(model, scope, container, float_dtype):
    """Node computing ``coef_.T`` (of ``float_dtype``) from the codes.

    The graph holds the codes bit-packed (``n_bits`` bits per coefficient)
    and unpacks them with shifts (a small model's, for which the unpacking
    nodes would cost more than they save, are one byte each). Zero
    coefficients are one more code (``2 ** n_bits`` for uniform codes, the
    codebook's length for k-means, one bit more when packed if need be);
    where that code does not fit (a byte already full, 16-bit uniform
    codes) a bit mask of the zeros is stored instead. It computes,
    in double precision as :class:`~skdistill.QuantizedLinearModel` does,
    ``offset + scale * code``
    for uniform codes (the ``2 ** n_bits`` levels are never stored) or
    ``codebook_[code]`` for k-means, times the mask. onnxruntime folds all
    of it into one constant weight matrix when it loads the model (its
    optimized graph is a float model's): the file is small, not the graph
    that runs.
    """
    opv = container.target_opset
    shape = np.atleast_2d(np.empty(model._coef_shape)).T.shape  # (n_in, n_out)
    size = int(np.prod(shape))
    if model.codes_.size == 0:  # every coefficient is zero
        return np.zeros(shape, dtype=float_dtype)
    n_bits = model._fitted_bits()
    nonzero = np.ones(size, dtype=bool)
    if model.nonzero_ is not None:
        nonzero = np.unpackbits(model.nonzero_, count=size).astype(bool)
    codes = np.zeros(size, dtype=np.uint16)
    codes[nonzero] = model.codes_
    # from (n_outputs, n_features) in C order, as fitted, to the graph's layout
    codes, nonzero = (
        np.atleast_2d(a.reshape(model._coef_shape)).T.ravel() for a in (codes, nonzero)
    )
    # one byte per code (a small model), or packed codes. The zeros are one
    # more code (2 ** n_bits for uniform codes, the codebook's length for
    # k-means, whose codebook gains one 0) when it fits in a byte or the
    # codes are packed (a bit more each at most): no mask to store, whose
    # bits and unpacking cost more (and made a 4-bit file larger than a
    # 6-bit one); codes in bytes that fill them, and 16-bit uniform codes
    # (read as 16 bits), keep a mask
    as_bytes = _bytes_saved_by_packing(size, n_bits) <= 0
    zero_code, width = None, n_bits
    grid = getattr(model, "_grid", None)  # uniform codes' (offset, scale)
    if not nonzero.all():
        spare = 2**n_bits if grid is not None else len(model.codebook_)
        spare_width = max(n_bits, int(spare).bit_length())
        if spare_width <= (8 if as_bytes else 16):  # (codes are read as 16 bits)
            zero_code, width = spare, spare_width
            codes = np.where(nonzero, codes, zero_code)
            as_bytes = width <= 8 and _bytes_saved_by_packing(size, width) <= 0
    if not as_bytes:
        bits = OnnxReshape(
            _unpacked_bits(scope, container, _packed_bits(codes, width), size * width),
            np.array([size, width], dtype=np.int64),
            op_version=opv,
        )
        powers = 2.0 ** np.arange(width - 1, -1, -1).reshape(-1, 1)  # exact sums
        codes = OnnxReshape(
            OnnxMatMul(bits, powers, op_version=opv),
            np.array(shape, dtype=np.int64),
            op_version=opv,
        )
    else:  # a small model: one byte per code costs less than the unpacking
        codes = OnnxCast(
            _byte_initializer(scope, container, codes.reshape(shape), "codes"),
            to=TensorProto.DOUBLE,
            op_version=opv,
        )
    if grid is not None:  # the levels offset + scale * k, computed
        offset, scale = grid
        weights = OnnxAdd(
            OnnxMul(codes, np.array([scale], dtype=np.float64), op_version=opv),
            np.array([offset], dtype=np.float64),
            op_version=opv,
        )
    else:
        # the codebook in the graph's precision (half the bytes for floats)
        index = OnnxCast(codes, to=TensorProto.INT64, op_version=opv)
        codebook = np.asarray(model.codebook_).astype(float_dtype)
        if zero_code is not None:  # the zeros' code gathers a 0
            codebook = np.concatenate(
                [codebook, np.zeros(zero_code + 1 - len(codebook), float_dtype)]
            )
        weights = OnnxCast(
            OnnxGather(codebook, index, axis=0, op_version=opv),
            to=TensorProto.DOUBLE,
            op_version=opv,
        )
    if zero_code is not None:
        if grid is not None:  # exact zeros where the codes say so
            mask = OnnxCast(
                OnnxLess(codes, np.array([zero_code - 0.5]), op_version=opv),
                to=TensorProto.DOUBLE,
                op_version=opv,
            )
            weights = OnnxMul(weights, mask, op_version=opv)
    elif not nonzero.all():  # exact zeros where the model has zeros
        if _bytes_saved_by_packing(size, 1) > 0:
            mask = OnnxReshape(
                _unpacked_bits(scope, container, np.packbits(nonzero), size),
                np.array(shape, dtype=np.int64),
                op_version=opv,
            )
        else:
            mask = OnnxCast(
                _byte_initializer(scope, container, nonzero.reshape(shape), "nonzero"),
                to=TensorProto.DOUBLE,
                op_version=opv,
            )
        weights = OnnxMul(weights, mask, op_version=opv)
    proto = TensorProto.DOUBLE if float_dtype == np.float64 else TensorProto.FLOAT
    return OnnxCast(weights, to=proto, op_version=opv)


def _convert_quantized(scope, operator, container):
    model, X = operator.raw_operator, operator.inputs[0]
    _emit_quantized(scope, container, operator, model, X)


def _exported_link(linear):
    """``"identity"`` or ``"log"``: the link of the quantized regressor
    ``linear``, whose predictions are the inverse link of ``X @ coef_.T +
    intercept_``, as the graph computes them.

    Raises NotImplementedError for a model whose predictions are anything
    else (:class:`~sklearn.cross_decomposition.PLSRegression` centres X, an
    unknown model may do anything): its graph would be silently wrong.
    """
    if isinstance(linear, (PoissonRegressor, GammaRegressor)):
        return "log"
    if isinstance(linear, TweedieRegressor):
        if linear.link == "auto":  # scikit-learn's choice
            return "identity" if linear.power <= 0 else "log"
        return linear.link
    if isinstance(linear, _LINEAR_REGRESSORS):
        return "identity"
    raise NotImplementedError(
        "QuantizedLinearModel: ONNX export supports linear regressors whose "
        "predictions are X @ coef_.T + intercept_ (LinearRegression, Ridge, "
        "Lasso, ElasticNet, SGDRegressor, ...) and the generalized linear "
        "models PoissonRegressor, GammaRegressor and TweedieRegressor, not "
        f"{type(linear).__name__}."
    )


def _emit_quantized(scope, container, operator, model, X):
    """The predictions of a fitted QuantizedLinearModel ``model`` on ``X``."""
    linear = model.estimator_
    _check_linear_logistic(linear, "QuantizedLinearModel")
    link = None if is_classifier(linear) else _exported_link(linear)
    weights = _dequantized_weights(model, scope, container, _float_type(operator)[1])
    classes = linear.classes_ if is_classifier(linear) else None
    shape = model._coef_shape  # its rows are the outputs (no intercept_ may say)
    n_outputs = shape[0] if len(shape) == 2 else 1
    _linear_graph(
        scope,
        container,
        operator,
        X,
        weights,
        linear.intercept_,
        classes,
        n_outputs=n_outputs,
        link=link,
    )


def _convert_soft_logistic(scope, operator, container):
    model = operator.raw_operator
    coef = model.coef_
    coef = coef.toarray() if hasattr(coef, "toarray") else np.asarray(coef)
    weights = np.atleast_2d(coef).T  # in the graph's precision (_linear_graph)
    _linear_graph(
        scope,
        container,
        operator,
        operator.inputs[0],
        weights,
        model.intercept_,
        model.classes_,
    )


def _shape(operator):
    kind = _operator_kind(operator)
    if kind == "classifier":
        calculate_linear_classifier_output_shapes(operator)
        model = operator.raw_operator
        if len(model.classes_) == 2 and _one_score_column(model):
            scores = operator.outputs[1]  # one column of decision scores
            scores.type = type(scores.type)([None, 1])
    elif kind == "regressor":
        calculate_linear_regressor_output_shapes(operator)
        n_outputs = _n_outputs(operator.raw_operator)
        if n_outputs > 1:  # skl2onnx reads it from a coef_ these may not have
            output = operator.outputs[0]
            output.type = type(output.type)([None, n_outputs])
    else:
        _shape_selector(operator)


def _n_outputs(model):
    """Number of outputs of a regressor, read from its predicting model.

    The rows of its ``coef_``, its ``n_outputs_``, the columns of the
    targets it stores (nearest neighbours, Gaussian process), or its
    per-output models (:class:`~sklearn.multioutput.MultiOutputRegressor`);
    1 when it says none of these.
    """
    final = _predicting_model(model)
    if isinstance(final, Pipeline):
        return _n_outputs(final.steps[-1][1])
    if isinstance(final, QuantizedLinearModel):
        return _n_outputs(final.estimator_)
    coef = getattr(final, "coef_", None)
    if coef is not None:
        return int(coef.shape[0]) if getattr(coef, "ndim", 1) == 2 else 1
    if hasattr(final, "n_outputs_"):
        return int(final.n_outputs_)
    for stored in ("_y", "y_train_"):
        targets = getattr(final, stored, None)
        if getattr(targets, "ndim", 0) == 2:
            return int(targets.shape[1])
    if isinstance(final, MultiOutputRegressor):
        return len(final.estimators_)
    return 1


_CONVERTERS = {
    DistilledClassifier: _convert_distilled,
    DistilledRegressor: _convert_distilled,
    SparsifyTransformer: _convert_sparsify,
    QuantizedLinearModel: _convert_quantized,
    SoftLogisticRegression: _convert_soft_logistic,
}

# skl2onnx's own parsers of the models that use transformers (also when this
# module is imported again), with their SparsifyTransformer as selectors: a
# pipeline's steps but the last, a ColumnTransformer's and a FeatureUnion's
_SELECTOR_PARSERS = {
    Pipeline: _selector_parser(Pipeline, lambda m: [s for _, s in m.steps[:-1]]),
    ColumnTransformer: _selector_parser(
        ColumnTransformer, lambda m: [t for _, t, _ in m.transformers_]
    ),
    FeatureUnion: _selector_parser(
        FeatureUnion, lambda m: [t for _, t in m.transformer_list]
    ),
}


def register():
    """Register the converters with skl2onnx (done when the module is imported).

    Each public estimator gets the alias ``Skdistill<ClassName>``, a parser
    (label and probabilities for classifiers, one tensor otherwise), a shape
    calculator and a converter; classifiers accept skl2onnx's ``zipmap``
    and ``nocl`` (labels as class indices) options.
    """
    for cls, convert in _CONVERTERS.items():
        update_registered_converter(
            cls,
            f"Skdistill{cls.__name__}",
            _shape,
            convert,
            parser=_parse,
            options=_CLASSIFIER_OPTIONS,
        )
    for cls, parse in _SELECTOR_PARSERS.items():
        update_registered_parser(cls, parse)


register()
