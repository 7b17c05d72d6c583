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
- a :class:`~skdistill.QuantizedLinearModel` stores its integer codes and
  codebook in the graph and dequantizes them at run time, so the file
  shrinks with the bit width;
- :class:`~skdistill.linear_model.SoftLogisticRegression` exports the
  sigmoid (binary) or softmax (multiclass) of its linear function.

A :class:`~skdistill.DistillationSearchCV` has no converter: convert its
``best_estimator_``.

Classifiers accept skl2onnx's ``zipmap`` option (``to_onnx(...,
options={"zipmap": False})`` returns the probabilities as a tensor) and its
``nocl`` option (the labels as class indices ``0..K-1``).

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

import copy
import threading

import numpy as np

try:
    from skl2onnx import update_registered_converter
    from skl2onnx._supported_operators import _get_sklearn_operator_name
    from skl2onnx.common._registration import get_converter
    from skl2onnx._parse import (
        _apply_zipmap,
        sklearn_parsers_map,
        update_registered_parser,
    )
    from skl2onnx.algebra.onnx_operator import OnnxSubEstimator
    from skl2onnx.algebra.onnx_ops import (
        OnnxAdd,
        OnnxArgMax,
        OnnxCast,
        OnnxConcat,
        OnnxGather,
        OnnxIdentity,
        OnnxMatMul,
        OnnxMul,
        OnnxReshape,
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
from sklearn.base import is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import FeatureUnion, Pipeline

from ._classifier import DistilledClassifier
from ._quantize import QuantizedLinearModel, _linear_model, _predicting_model
from ._regressor import DistilledRegressor
from ._sparsify import SparsifyTransformer
from .linear_model import SoftLogisticRegression

__all__ = ["register"]

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
    """The kind :func:`_parse` gave the operator (its model's otherwise)."""
    kind = getattr(operator, "skdistill_kind", None)
    return _kind(operator.raw_operator) if kind is None else kind


def _float_type(operator):
    """``(TensorProto type, numpy dtype)`` of the graph's computations: the
    input's precision (double for float64 inputs), float otherwise."""
    if isinstance(operator.inputs[0].type, DoubleTensorType):
        return TensorProto.DOUBLE, np.float64
    return TensorProto.FLOAT, np.float32


def _alias(model):
    return f"Skdistill{type(model).__name__}"


def _parse(scope, model, inputs, custom_parsers=None):
    """Declare the model's outputs: label and probabilities, or one tensor."""
    kind = _kind(model)
    operator = scope.declare_local_operator(_alias(model), model)
    operator.skdistill_kind = kind
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


def _selector_parser(cls, transformers):
    """skl2onnx's parser of ``cls``, with the SparsifyTransformer among
    ``transformers(model)`` (or ending a Pipeline among them) parsed as
    selectors (their ``transform``)."""
    original = sklearn_parsers_map[cls]
    original = getattr(original, "skdistill_original", original)

    def parse(scope, model, inputs, custom_parsers=None):
        selectors = _selectors()
        added = {
            id(step)
            for transformer in transformers(model)
            for step in _transforming(transformer)
            if isinstance(step, SparsifyTransformer) and id(step) not in selectors
        }
        selectors.update(added)
        try:
            return original(scope, model, inputs, custom_parsers=custom_parsers)
        finally:
            selectors.difference_update(added)

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


def _sub_estimator(scope, container, operator, inner, X):
    """The graph of ``inner`` (a scikit-learn estimator) on ``X``."""
    opv = container.target_opset
    if isinstance(inner, Pipeline):  # its steps one after the other
        for _, step in inner.steps[:-1]:
            if step not in (None, "passthrough"):
                X = OnnxSubEstimator(step, X, op_version=opv)
        inner = inner.steps[-1][1]
    # skdistill's predictors whose kind is their inner model's: written here,
    # as skl2onnx's sub-estimators take a class's kind from its base classes
    if isinstance(inner, QuantizedLinearModel):
        _emit_quantized(scope, container, operator, inner, X)
        return
    if isinstance(inner, SparsifyTransformer):
        _emit_pruned(scope, container, operator, inner, X)
        return
    if _operator_kind(operator) != "classifier":
        result = OnnxSubEstimator(inner, X, op_version=opv)
        _outputs_to(scope, container, operator, [result])
        return
    options = {"zipmap": False, "nocl": _nocl(scope, operator)}
    result = OnnxSubEstimator(
        inner, X, op_version=opv, options=_allowed_options(inner, options)
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
    except TypeError:  # refused by the converter, with its message
        return True
    if isinstance(final, Pipeline):
        final = final.steps[-1][1]
    return hasattr(final, "predict_proba")


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
    if classes.dtype.kind in "iub":
        constant = classes.astype(np.int64)
    else:
        constant = np.array([str(c) for c in classes], dtype=object)
    label = OnnxGather(constant, index, axis=0, op_version=opv)
    _outputs_to(scope, container, operator, [label, proba])


def _linear_graph(scope, container, operator, X, weights, intercept, classes):
    """``X @ weights + intercept`` then labels and probabilities or values.

    ``weights`` is an ONNX node or a constant of shape (n_features, n_outputs).
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
        n_out = np.asarray(intercept).reshape(-1).size
        if n_out == 1:
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
    student = model.student_
    X = operator.inputs[0]
    if isinstance(model, DistilledRegressor) or (
        is_classifier(student)
        and np.array_equal(np.asarray(student.classes_), np.asarray(model.classes_))
    ):
        _sub_estimator(scope, container, operator, student, X)
        return
    if is_classifier(student):
        raise NotImplementedError(
            "ONNX export of a DistilledClassifier whose student was fitted on "
            f"{len(student.classes_)} of its {len(model.classes_)} classes."
        )
    # A regressor student predicts the centred log-probabilities (logits).
    opv = container.target_opset
    logits = OnnxCast(
        OnnxSubEstimator(student, X, op_version=opv),
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
    support = model.get_support()
    if not support.any():
        support = support.copy()
        support[0] = True
    linear = _linear_model(model.estimator_)
    reduced = copy.deepcopy(linear)
    coef = linear.coef_
    coef = coef.toarray() if hasattr(coef, "toarray") else np.asarray(coef)
    reduced.coef_ = coef[..., support]
    reduced.n_features_in_ = int(support.sum())
    if hasattr(reduced, "feature_names_in_"):
        del reduced.feature_names_in_
    return reduced, linear, np.flatnonzero(support).astype(np.int64)


def _convert_sparsify(scope, operator, container):
    model = operator.raw_operator
    X = operator.inputs[0]
    if _operator_kind(operator) == "transform":
        opv = container.target_opset
        columns = np.flatnonzero(model.get_support()).astype(np.int64)
        gathered = OnnxGather(X, columns, axis=1, op_version=opv)
        _outputs_to(scope, container, operator, [gathered])
        return
    _emit_pruned(scope, container, operator, model, X)


def _emit_pruned(scope, container, operator, model, X):
    """The predictions of a fitted SparsifyTransformer ``model`` on ``X``."""
    if model._support is None:
        # the pruned coefficients are a Pipeline student's last step: no
        # column of X to select, the pruned distiller is the model
        _sub_estimator(scope, container, operator, model.estimator_, X)
        return
    opv = container.target_opset
    reduced, linear, columns = _reduced_model(model)
    gathered = OnnxGather(X, columns, axis=1, op_version=opv)
    if is_classifier(model.estimator_) and not is_classifier(linear):
        raise NotImplementedError(
            "ONNX export of a pruned distiller with a regressor student."
        )
    if is_classifier(linear) and not np.array_equal(
        np.asarray(linear.classes_), np.asarray(model.classes_)
    ):
        raise NotImplementedError(
            "ONNX export of a pruned student fitted on a subset of the classes."
        )
    _sub_estimator(scope, container, operator, reduced, gathered)


def _dequantized_weights(model, scope, container, float_dtype):
    """Node computing ``coef_.T`` (of ``float_dtype``) from the codes and the
    codebook."""
    size = int(np.prod(model._coef_shape))
    codebook = np.append(model.codebook_, 0.0).astype(float_dtype)
    zero_code = codebook.size - 1  # 2 ** 16 for 16-bit uniform codes
    dtype = next(
        d for d in (np.uint8, np.uint16, np.uint32) if zero_code <= np.iinfo(d).max
    )
    codes = np.full(size, zero_code, dtype=dtype)
    if model.nonzero_ is None:
        codes[:] = model.codes_
    else:
        nonzero = np.unpackbits(model.nonzero_, count=size).astype(bool)
        codes[nonzero] = model.codes_
    codes = codes.reshape(model._coef_shape)
    codes = np.atleast_2d(codes).T.copy()  # (n_features, n_outputs)
    # An initializer of the codes' own integer type (1 or 2 bytes per code).
    name = scope.get_unique_variable_name("codes")
    container.add_initializer(name, None, None, numpy_helper.from_array(codes, name))
    opv = container.target_opset
    index = OnnxCast(name, to=TensorProto.INT64, op_version=opv)
    return OnnxGather(codebook, index, axis=0, op_version=opv)


def _convert_quantized(scope, operator, container):
    model, X = operator.raw_operator, operator.inputs[0]
    _emit_quantized(scope, container, operator, model, X)


def _emit_quantized(scope, container, operator, model, X):
    """The predictions of a fitted QuantizedLinearModel ``model`` on ``X``."""
    linear = model.estimator_
    _check_linear_logistic(linear, "QuantizedLinearModel")
    weights = _dequantized_weights(model, scope, container, _float_type(operator)[1])
    classes = linear.classes_ if is_classifier(linear) else None
    _linear_graph(scope, container, operator, X, weights, linear.intercept_, classes)


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
        if not _has_probabilities(model) and len(model.classes_) == 2:
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
