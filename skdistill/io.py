"""Safe, compressed model files: skops with a trust list the project knows."""

import contextlib
import copy
import errno
import io
import json
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from numbers import Integral

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.frozen import FrozenEstimator
from sklearn.neural_network import MLPClassifier, MLPRegressor

from ._optional import import_optional

__all__ = ["dump", "dumps", "load", "loads", "prediction_model", "trusted_types"]

# scikit-learn's losses (sklearn._loss.loss) and their Cython parts
_LOSSES = (
    "AbsoluteError",
    "ExponentialLoss",
    "HalfBinomialLoss",
    "HalfGammaLoss",
    "HalfMultinomialLoss",
    "HalfPoissonLoss",
    "HalfSquaredError",
    "HalfTweedieLoss",
    "HalfTweedieLossIdentity",
    "HuberLoss",
    "PinballLoss",
)

# Types that skops does not trust by default but that hold only data in the
# models this project builds: the project's estimators, fitted trees and
# histogram-boosting predictors, nearest-neighbour search trees and their
# metric, the MLP's optimizer state, dtypes and CSR coefficient matrices.
# Anything else found in a file is refused unless the caller trusts it.
_SKLEARN_TRUSTED = (
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    "sklearn.metrics._dist_metrics.ChebyshevDistance64",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    "numpy.dtype",
    "scipy.sparse._csr.csr_matrix",
    # the list of remainder columns a fitted ColumnTransformer stores on
    # scikit-learn < 1.7 (a list of column names or indices)
    "sklearn.compose._column_transformer._RemainderColsList",
    # a ColumnTransformer's column selector: a pattern and dtypes, no code
    # (numpy.number: the usual dtype_include=np.number)
    "sklearn.compose._column_transformer.make_column_selector",
    "numpy.number",
    # HistGradientBoosting with categorical_features="from_dtype" holds
    # functools.partial(check_array, ...) in its preprocessor: a partial is
    # loaded only around a function that is itself trusted (skops checks
    # both), and check_array validates data only
    "functools.partial",
    "sklearn.utils.validation.check_array",
    # a DistillationSearchCV's default scorer_ (accuracy, or R² for a
    # regressor teacher): scikit-learn's scorer of a scikit-learn metric
    "sklearn.metrics._scorer._Scorer",
    "sklearn.metrics._classification.accuracy_score",
    "sklearn.metrics._regression.r2_score",
    # a fitted HistGradientBoosting's loss, its link and the link's interval,
    # and its bin mapper: numbers and settings, no code (skops trusts them
    # from 0.14; 0.11 to 0.13, the releases numpy < 1.25 can have, did not)
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    *(
        f"sklearn._loss.link.{name}"
        for name in (
            "HalfLogitLink",
            "IdentityLink",
            "Interval",
            "LogLink",
            "LogitLink",
            "MultinomialLogit",
        )
    ),
    *(
        f"sklearn._loss.{module}.{prefix}{name}"
        for module, prefix in (("loss", ""), ("_loss", "Cy"))
        for name in _LOSSES
    ),
    # a distiller's teacher_cv: scikit-learn's splitters hold their settings
    # only (numbers, a seed), no code
    *(
        f"sklearn.model_selection._split.{name}"
        for name in (
            "GroupKFold",
            "GroupShuffleSplit",
            "KFold",
            "LeaveOneGroupOut",
            "LeaveOneOut",
            "LeavePGroupsOut",
            "LeavePOut",
            "PredefinedSplit",
            "RepeatedKFold",
            "RepeatedStratifiedKFold",
            "ShuffleSplit",
            "StratifiedGroupKFold",
            "StratifiedKFold",
            "StratifiedShuffleSplit",
            "TimeSeriesSplit",
        )
    ),
)

# Coefficients are tried in CSR form only when at least this fraction is zero.
_SPARSE_TRY = 0.5


def _skops_io(caller):
    return import_optional("skops.io", caller)


def _project_types():
    from . import (
        DistillationSearchCV,
        DistilledClassifier,
        DistilledRegressor,
        QuantizedLinearModel,
        SoftLogisticRegression,
        SparsifyTransformer,
    )
    from ._teacher import LabelEncodedClassifier
    from .linear_model._stream import _ChunkCurvature, _IncrementalSoftLogistic

    classes = (
        DistillationSearchCV,
        DistilledClassifier,
        DistilledRegressor,
        QuantizedLinearModel,
        SoftLogisticRegression,
        SparsifyTransformer,
        # the fitted teacher of a distiller, for labels its model needs coded
        LabelEncodedClassifier,
        # the state of a SoftLogisticRegression's stream (partial_fit)
        _IncrementalSoftLogistic,
        _ChunkCurvature,
    )
    return tuple(f"{c.__module__}.{c.__qualname__}" for c in classes)


def trusted_types():
    """Types that :func:`load` trusts beyond skops' own defaults.

    Returns
    -------
    names : list of str
        Fully qualified type names: skdistill's estimators and the
        scikit-learn, NumPy and SciPy types that fitted teachers and students
        hold (trees, neighbour search trees, optimizer state, dtypes, CSR
        coefficients), and scikit-learn's cross-validation splitters (a
        ``teacher_cv``). They hold data only.

    Examples
    --------
    >>> from skdistill.io import trusted_types
    >>> "skdistill._classifier.DistilledClassifier" in trusted_types()
    True
    """
    return sorted(set(_project_types()) | set(_SKLEARN_TRUSTED) | set(_cython_losses()))


def _cython_losses():
    """The Cython losses' names as skops writes them: by their ``__module__``,
    which some builds give as ``_loss`` alone (scikit-learn 1.6.1's wheels:
    ``_loss.CyHalfMultinomialLoss``, which a multiclass gradient boosting
    model holds)."""
    from sklearn._loss import _loss

    types = (getattr(_loss, f"Cy{name}", None) for name in _LOSSES)
    return [f"{t.__module__}.{t.__qualname__}" for t in types if t is not None]


def _reachable_estimators(obj, object_arrays=None):
    """The objects that can hold metadata requests (estimators, splitters,
    scorers) reachable from ``obj`` through attributes and containers.

    Parameters and fitted attributes alike (a Pipeline's steps, a
    ColumnTransformer's ``transformers_``, a distiller's ``student_`` and
    ``teacher_cv``, a search's ``scorer_`` and the estimators in its
    ``cv_results_``), each once; metadata requests and arrays of numbers are
    not entered. The arrays of objects met are appended to ``object_arrays``.
    """
    found, seen, stack = [], set(), [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, (str, bytes)):
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            if item.dtype == object:  # a search's param_* columns of estimators
                stack.extend(np.asarray(item).ravel().tolist())
                if object_arrays is not None:
                    object_arrays.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif hasattr(item, "__dict__") and (
            hasattr(item, "get_params") or hasattr(item, "_get_metadata_request")
        ):
            found.append(item)
            stack.extend(
                value
                for name, value in vars(item).items()
                if name != "_metadata_request"
            )
    return found


def _is_pandas_na(value):
    pd = sys.modules.get("pandas")
    return pd is not None and value is pd.NA


def without_requests(model):
    """``model``, or a copy of it in the form skops can store and load.

    Without metadata requests, which skops cannot store (with scikit-learn >=
    1.8 a request refers to its estimator, a cycle that skops follows without
    end); and with an ``unlabeled=pd.NA`` marker as ``np.nan``, which marks
    the same rows (skops stores ``pd.NA`` but cannot load it).

    Requests say only how ``fit`` receives metadata: predictions do not
    change, and a loaded model that is fitted again with metadata routing
    needs its ``set_fit_request`` again. ``model`` is not modified.
    """
    arrays = []
    if not any(
        "_metadata_request" in vars(e) or _is_pandas_na(vars(e).get("unlabeled"))
        for e in _reachable_estimators(model, arrays)
    ):
        return model
    # numpy < 1.25 deep-copies a masked array of objects without copying the
    # objects (a search's param_* columns): those are copied here
    memo = {}
    for array in arrays:
        copied = array.copy()
        items = np.asarray(copied).reshape(-1)
        for k, item in enumerate(np.asarray(array).reshape(-1)):
            items[k] = copy.deepcopy(item, memo)
        memo[id(array)] = copied
    model = copy.deepcopy(model, memo)
    for estimator in _reachable_estimators(model):
        vars(estimator).pop("_metadata_request", None)
        if _is_pandas_na(vars(estimator).get("unlabeled")):
            estimator.unlabeled = np.nan
    return model


def _without_teacher(model):
    """A shallow copy of a fitted distiller that keeps no fitted teacher.

    Its student is reduced by :func:`prediction_model` too.
    """
    small = copy.copy(model)
    teacher = model.teacher
    if isinstance(teacher, FrozenEstimator):
        teacher = teacher.estimator
    small.teacher = clone(teacher)
    if "memory" in small.get_params(deep=False):
        small.memory = None
    vars(small).pop("teacher_", None)
    small.student_ = prediction_model(model.student_)
    return small


def _student_answers_alone(model):
    """Whether ``model.student_`` predicts what the distiller predicts."""
    student = model.student_
    if is_classifier(model):
        return (
            is_classifier(student)
            and hasattr(student, "classes_")
            and len(student.classes_) == len(model.classes_)
            and np.array_equal(np.asarray(student.classes_), model.classes_)
        )
    return is_regressor(model) and is_regressor(student)


def prediction_model(model):
    """Keep only what predicts: the student, with its preprocessing.

    Parameters
    ----------
    model : fitted estimator
        A fitted :class:`~skdistill.DistilledClassifier` or
        :class:`~skdistill.DistilledRegressor` (its ``student_`` is returned,
        or, when the student alone does not answer as the distiller does,
        e.g. a regressor student of a classifier, the distiller without its
        fitted teacher), a :class:`~sklearn.pipeline.Pipeline` (its last step
        is reduced the same way, the preprocessing steps are kept: a
        :class:`~skdistill.SparsifyTransformer` selecting columns with a
        pruned distiller, or a ``SelectFromModel`` or ``RFE`` fitting a
        distiller or a Pipeline ending in one, also within a
        ``ColumnTransformer``, ``FeatureUnion`` or ``FrozenEstimator``,
        keeps its selection without the distiller's teacher), a
        :class:`~skdistill.SparsifyTransformer` (its pruned model), a
        :class:`~skdistill.QuantizedLinearModel` (without the unfitted
        teacher in its parameters), a refitted search such as
        :class:`~skdistill.DistillationSearchCV` or a ``GridSearchCV`` (its
        best estimator, reduced the same way), a
        :class:`~sklearn.frozen.FrozenEstimator`, a
        :class:`~sklearn.calibration.CalibratedClassifierCV` or a
        :class:`~sklearn.compose.TransformedTargetRegressor` (the models
        they hold, reduced the same way; the calibrators and the target's
        transformer kept), a fitted
        :class:`~sklearn.neural_network.MLPClassifier` or
        :class:`~sklearn.neural_network.MLPRegressor` (without what only
        training reads: the solver's state, early stopping's best weights,
        the random state; ``loss_curve_`` and ``validation_scores_`` are
        emptied, and a ``partial_fit`` or warm start of it starts a new
        solver), a :class:`~skdistill.linear_model.SoftLogisticRegression`
        fitted by ``partial_fit`` (without its stream's state, which only
        later ``partial_fit`` calls read; they then start a new stream from
        its coefficients), or any other estimator (returned as is).
        It is not modified.

    Returns
    -------
    model : fitted estimator
        An estimator whose ``predict`` (and ``predict_proba``, when the
        student has it) give the same results as ``model``'s; no fitted
        teacher is reachable from it.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skdistill import DistilledClassifier
    >>> from skdistill.io import prediction_model
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DistilledClassifier(
    ...     KNeighborsClassifier(), LogisticRegression(max_iter=500)
    ... )
    >>> small = prediction_model(clf.fit(X, y))
    >>> type(small).__name__, bool((small.predict(X) == clf.predict(X)).all())
    ('LogisticRegression', True)
    """
    if hasattr(model, "steps"):
        name, last = model.steps[-1]
        # its leading steps transform: reduced as transformers (a pruned
        # distiller selecting columns holds a fitted teacher)
        steps = [(n, _transformer_reduced(step)) for n, step in model.steps[:-1]]
        if last not in (None, "passthrough"):
            last = prediction_model(last)
        steps.append((name, last))
        if all(new is old for (_, new), (_, old) in zip(steps, model.steps)):
            return model
        reduced = copy.copy(model)
        reduced.steps = steps
        return reduced
    if hasattr(model, "best_estimator_"):
        # a refitted search (DistillationSearchCV, GridSearchCV over a
        # distiller): its best estimator predicts for it
        return prediction_model(model.best_estimator_)
    if hasattr(model, "regressor_") and hasattr(model, "transformer"):
        return _target_transformed(model)  # TransformedTargetRegressor
    if isinstance(model, FrozenEstimator):
        inner = prediction_model(model.estimator)
        return model if inner is model.estimator else FrozenEstimator(inner)
    if hasattr(model, "calibrated_classifiers_"):
        return _calibrated_without_teachers(model)
    if hasattr(model, "student_") and hasattr(model, "teacher"):
        if _student_answers_alone(model):
            return prediction_model(model.student_)
        return _without_teacher(model)
    if hasattr(model, "coef_mask_") and hasattr(model, "estimator_"):
        if hasattr(model, "predict"):
            return prediction_model(model.estimator_)
        return model
    if hasattr(model, "codes_") and hasattr(model, "estimator_"):
        small = copy.copy(model)
        small.estimator = clone(model.estimator_)
        return small
    if isinstance(model, (MLPClassifier, MLPRegressor)):
        return _network_without_training_state(model)
    if vars(model).get("_stream") is not None:
        # a streamed SoftLogisticRegression: the stream's curvature and chunk
        # points only serve later partial_fit calls (which then start a new
        # stream from the coefficients, as after fit)
        small = copy.copy(model)
        small._stream = None
        small._stream_dropped = True  # for the warning of a later partial_fit
        return small
    return model


def _transformer_reduced(step):
    """A fitted transformer as :func:`prediction_model` reduces a model, with
    its ``transform`` kept; any other step is returned as is.

    - a :class:`~skdistill.SparsifyTransformer` selecting columns with a
      pruned distiller keeps its selection, the distiller reduced to what
      predicts;
    - a selector fitting a distiller (``SelectFromModel``, ``RFE``), or a
      Pipeline ending in one, keeps it without its fitted teacher (its
      importances may be read through the distiller,
      ``importance_getter="student_.coef_"``);
    - a Pipeline, ``ColumnTransformer``, ``FeatureUnion`` or
      ``FrozenEstimator`` has the transformers it holds reduced so.
    """
    state = vars(step) if hasattr(step, "__dict__") else {}
    if "student_" in state and "teacher" in state:
        # a fitted distiller: a selector's model, or its Pipeline's last step
        return _without_teacher(step)
    if isinstance(step, FrozenEstimator):  # (it answers for its model)
        inner = _transformer_reduced(step.estimator)
        return step if inner is step.estimator else FrozenEstimator(inner)
    fitted = state.get("estimator_")
    if fitted is not None and "coef_mask_" in state:  # a SparsifyTransformer
        small = copy.copy(step)
        small.estimator_ = prediction_model(fitted)
        small.estimator = prediction_model(step.estimator)  # a frozen one's
        same = small.estimator_ is fitted and small.estimator is step.estimator
        return step if same else small
    if fitted is not None:  # a selector's fitted model
        given = getattr(step, "estimator", None)  # a prefit one too
        small_fitted = _transformer_reduced(fitted)
        small_given = given if given is None else _transformer_reduced(given)
        if small_fitted is fitted and small_given is given:
            return step
        small = copy.copy(step)
        small.estimator_ = small_fitted
        small.estimator = small_given
        return small
    for attribute in ("steps", "transformers_", "transformer_list"):
        parts = state.get(attribute)
        if not isinstance(parts, list):
            continue
        reduced = [
            (part[0], _transformer_reduced(part[1]), *part[2:]) for part in parts
        ]
        if all(new[1] is old[1] for new, old in zip(reduced, parts)):
            return step
        small = copy.copy(step)
        setattr(small, attribute, reduced)
        return small
    return step


def _target_transformed(model):
    """A copy of a fitted ``TransformedTargetRegressor`` whose regressor is
    reduced by :func:`prediction_model` (a network without its solver's
    state, a distiller without its teacher)."""
    reduced = prediction_model(model.regressor_)
    if reduced is model.regressor_:
        return model
    small = copy.copy(model)
    small.regressor_ = reduced
    return small


def _calibrated_without_teachers(model):
    """A copy of a fitted ``CalibratedClassifierCV`` whose models (its frozen
    estimator, or the clones it fitted) are reduced by
    :func:`prediction_model`: calibrating a distiller keeps its teacher
    otherwise, which prediction never calls."""
    small = copy.copy(model)
    if isinstance(model.estimator, FrozenEstimator):  # the members' model too
        small.estimator = prediction_model(model.estimator)
    calibrated = []
    for member in model.calibrated_classifiers_:
        if member.estimator is model.estimator:
            reduced = small.estimator  # one object, as in the model
        else:
            reduced = prediction_model(member.estimator)
        if reduced is not member.estimator:
            member = copy.copy(member)
            member.estimator = reduced
        calibrated.append(member)
    small.calibrated_classifiers_ = calibrated
    return small


def _network_without_training_state(network):
    """A copy of a fitted multi-layer perceptron without what only training reads.

    The solver's state (kept for ``partial_fit`` and warm starts, which make a
    new one when it is missing), the random state (drawn again by every fit),
    early stopping's best weights (the final weights, once training ends) and
    the per-epoch ``loss_curve_`` and ``validation_scores_`` (emptied, since
    a warm start appends to them). They are most of the file: a network with
    16 units on 30 features takes 6.4 KB without them, 58 KB with them.
    """
    small = copy.copy(network)
    for name in ("_optimizer", "_random_state"):
        vars(small).pop(name, None)
    if hasattr(network, "_best_coefs"):
        small._best_coefs = network.coefs_
        small._best_intercepts = network.intercepts_
    small.loss_curve_ = []
    # (set by the stochastic solvers only: lbfgs networks have none)
    if getattr(network, "validation_scores_", None) is not None:
        small.validation_scores_ = []
    return small


def _linear_leaves(model):
    """(owner, attribute) of every dense linear model reachable for prediction."""
    if hasattr(model, "steps"):
        for _, step in model.steps:
            if step not in (None, "passthrough"):
                yield from _linear_leaves(step)
        return
    if hasattr(model, "codes_"):
        return  # a QuantizedLinearModel stores codes, not coefficients
    for attr in ("student_", "estimator_"):
        inner = getattr(model, attr, None)
        if inner is not None:
            yield from _linear_leaves(inner)
            return
    coef = getattr(model, "coef_", None)
    if (
        hasattr(model, "sparsify")
        and isinstance(coef, np.ndarray)
        and coef.size
        and np.mean(coef == 0) >= _SPARSE_TRY
    ):
        yield model


def _with_sparse_coef(model):
    """A copy of ``model`` whose mostly-zero linear coefficients are CSR.

    Only models with scikit-learn's ``sparsify`` (they predict from a CSR
    ``coef_``) are converted; returns ``None`` when there is none.
    """
    if not any(True for _ in _linear_leaves(model)):
        return None
    converted = copy.deepcopy(model)
    for leaf in _linear_leaves(converted):
        leaf.sparsify()
    return converted


class _GeneratorNotSaved(RuntimeError):
    """skops cannot save a numpy random Generator with NumPy < 1.25."""


# skops names an object by its id() (a memory address) in the schema, and the
# files of arrays and sparse matrices by the id (or a random uuid)
_SKOPS_ID = re.compile(rb'"__id__": (\d+)')
_SKOPS_FILE = re.compile(rb'"file": "([^"]+)"')
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _zip_entries(entries, compress_type, compresslevel=None):
    """A zip archive of ``(name, bytes)`` entries, every one dated 1980-01-01."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = compress_type
            info.external_attr = 0o644 << 16
            archive.writestr(info, content, compresslevel=compresslevel)
    return out.getvalue()


def _canonical_file(name, content):
    """A file of a skops archive without the bytes that vary between dumps."""
    if name.endswith(".npy"):
        return _without_padding(content)
    if name.endswith(".npz"):  # a zip itself (scipy's save_npz), dated when written
        with zipfile.ZipFile(io.BytesIO(content)) as inner:
            infos = inner.infolist()
            files = [(info.filename, inner.read(info)) for info in infos]
        compress_type = infos[0].compress_type if infos else zipfile.ZIP_STORED
        return _zip_entries(files, compress_type)
    return content


def _shared_values_by_value(schema):
    """The schema with its plain values (strings, numbers, None) named by value.

    skops names them by their id(), so whether two attributes holding ``0.0``
    share a name depends on whether they hold the same Python object, which
    a pickle round trip (joblib's workers) changes. Equal plain values get
    one name instead (loading them as one object changes nothing: they are
    immutable), so the schema depends on the values only.
    """
    tree = json.loads(schema)
    names = {}

    def visit(node):
        if isinstance(node, dict):
            if node.get("is_json") and "__id__" in node:
                key = (node.get("__class__"), json.dumps(node.get("content")))
                node["__id__"] = names.setdefault(key, node["__id__"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(tree)
    return json.dumps(tree, indent=2).encode()


def _reproducible(data, compresslevel):
    """The archive ``data`` with the same bytes for the same fitted model.

    skops writes memory addresses (object ids), random file names, the time
    of writing and the uninitialized padding of record arrays, so two dumps
    of one model, or of two identical fits, differ in their bytes and,
    compressed, in their size. The ids and the file names are renumbered in
    their order of appearance in the schema (the objects they share stay
    shared), every entry is dated 1980-01-01 and the padding is zeroed;
    loading is unchanged. Its entries are compressed here, once, at
    ``compresslevel`` (skops writes them stored); an archive of another
    layout keeps its entries as they are, compressed alike.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    schema = dict(entries).get("schema.json")
    if schema is None:
        return _zip_entries(entries, zipfile.ZIP_DEFLATED, compresslevel)
    schema = _shared_values_by_value(schema)
    ids, files = {}, {}
    for match in _SKOPS_ID.finditer(schema):
        ids.setdefault(match.group(1), str(len(ids)).encode())
    for match in _SKOPS_FILE.finditer(schema):
        name = match.group(1)
        if name not in files:
            files[name] = b"%d.%s" % (len(files), name.rpartition(b".")[2])
    if {name for name, _ in entries} != {"schema.json"} | {f.decode() for f in files}:
        return _zip_entries(entries, zipfile.ZIP_DEFLATED, compresslevel)
    schema = _SKOPS_ID.sub(lambda m: b'"__id__": ' + ids[m.group(1)], schema)
    schema = _SKOPS_FILE.sub(lambda m: b'"file": "' + files[m.group(1)] + b'"', schema)
    renamed = [
        ("schema.json", schema)
        if name == "schema.json"
        else (files[name.encode()].decode(), _canonical_file(name, content))
        for name, content in entries
    ]
    return _zip_entries(renamed, zipfile.ZIP_DEFLATED, compresslevel)


def _without_padding(npy):
    """A ``.npy`` file of a record array with its padding bytes zeroed.

    A fitted tree's nodes are records with bytes between and after their
    fields that are never written (their values are whatever the memory
    held); other files are returned as they are.
    """
    try:
        array = np.load(io.BytesIO(npy), allow_pickle=False)
    except ValueError:  # objects: not records, kept as written
        return npy
    if array.dtype.names is None:
        return npy
    clean = np.zeros(array.shape, dtype=array.dtype)
    for field in array.dtype.names:
        clean[field] = array[field]
    out = io.BytesIO()
    np.save(out, clean, allow_pickle=False)
    return out.getvalue()


def _without_memmaps(model):
    """``model``, or a copy whose ``numpy.memmap`` arrays are plain arrays.

    A model loaded with ``joblib.load(..., mmap_mode="r")``, or whose teacher
    came from a ``joblib.Memory(mmap_mode=...)`` cache, holds memory maps,
    which skops records as such and cannot load back. The copy is a pickle
    round trip in which each memory map is written as the array it holds.
    """
    import copyreg
    import pickle

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    found = []

    def plain(array):
        found.append(True)
        return np.asarray, (np.array(array),)  # a copy, as a plain array

    pickler.dispatch_table[np.memmap] = plain
    try:
        pickler.dump(model)
    except Exception:  # noqa: BLE001 (what pickle refuses: skops decides)
        return model
    return pickle.loads(buffer.getvalue()) if found else model


def _zip_dumps(sio, model, compresslevel):
    model = _without_memmaps(model)
    try:
        # stored: _reproducible reads the entries and compresses them once
        data = sio.dumps(model, compression=zipfile.ZIP_STORED)
        return _reproducible(data, compresslevel)
    except AttributeError as exc:
        if "seed_seq" not in str(exc):
            raise
        # skops reads bit_generator.seed_seq, which NumPy has from 1.25
        raise _GeneratorNotSaved(
            "skops cannot save the numpy random Generator this model holds "
            "(a fitted HistGradientBoosting keeps one) with NumPy < 1.25. "
            "Upgrade NumPy (`pip install 'numpy>=1.25'`) to save this model."
        ) from exc


def dumps(model, *, prediction_only=False, compresslevel=9):
    """The bytes :func:`dump` writes for ``model``.

    Parameters
    ----------
    model : object
        The fitted model.

    prediction_only : bool, default=False
        Store :func:`prediction_model` of ``model`` (the student with its
        preprocessing, no teacher) instead of ``model``.

    compresslevel : int, default=9
        Deflate level of the zip archive, from 0 (deflate entries without
        compression) to 9.

    Returns
    -------
    data : bytes
        A skops archive. Linear coefficients that are mostly zero are stored
        as a CSR matrix when that gives a smaller archive. Metadata requests
        (``set_fit_request``) are not stored: they do not change predictions,
        and skops cannot store them with scikit-learn >= 1.8.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdistill.io import dumps, loads
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=500).fit(X, y)
    >>> bool((loads(dumps(clf)).predict(X) == clf.predict(X)).all())
    True
    """
    sio = _skops_io("skdistill.io.dumps")
    if (
        not isinstance(compresslevel, Integral)
        or isinstance(compresslevel, bool)
        or not 0 <= compresslevel <= 9
    ):
        raise ValueError(
            f"compresslevel must be an integer in [0, 9]; got {compresslevel!r}."
        )
    if prediction_only:
        model = prediction_model(model)
    model = without_requests(model)
    data = _zip_dumps(sio, model, compresslevel)
    sparse = _with_sparse_coef(model)
    if sparse is not None:
        sparse_data = _zip_dumps(sio, sparse, compresslevel)
        if len(sparse_data) < len(data):
            return sparse_data
    return data


def dump(model, file, *, prediction_only=False, compresslevel=9):
    """Save a model to a compressed skops file, atomically.

    The archive is written to a temporary file in the target folder, then
    renamed over ``file``: a failed write (a full disk, an interrupted
    process) leaves any previous file at that path untouched.

    Parameters
    ----------
    model : object
        The fitted model.

    file : str or path-like
        Destination path.

    prediction_only : bool, default=False
        Store only what predicts (see :func:`prediction_model`): the student
        with its preprocessing, no teacher.

    compresslevel : int, default=9
        Deflate level, from 0 to 9.

    See Also
    --------
    load : Load such a file without writing a trust list.
    skops.io.dump : The underlying format.

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdistill.io import dump, load
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=500).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "model.skops")
    ...     dump(clf, path)
    ...     bool((load(path).predict(X) == clf.predict(X)).all())
    True
    """
    _skops_io("skdistill.io.dump")  # named as the caller's function
    data = dumps(model, prediction_only=prediction_only, compresslevel=compresslevel)
    _write_atomically(file, data)


def _file_mode(path):
    """Permissions of a new file (as ``open`` gives), or of the file replaced."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_atomically(file, data):
    """Write ``data`` to a temporary file next to ``file``, then rename it."""
    path = os.fspath(file)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a directory, not a file path.")
    if not os.path.isdir(folder):  # named as open() would (not the temporary)
        raise FileNotFoundError(
            errno.ENOENT, f"No such directory {folder!r} to write", path
        )
    tmp = tempfile.NamedTemporaryFile(
        dir=folder, prefix=".skdistill-", suffix=".tmp", delete=False
    )
    try:
        with tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp.name, _file_mode(path))
        os.replace(tmp.name, path)
    except BaseException:
        try:
            os.unlink(tmp.name)
        except OSError:
            pass
        raise


def _check_trust(untrusted, trusted, source):
    if isinstance(trusted, str):
        trusted = [trusted]  # one type name, as skops accepts it
    elif trusted is not None and (
        isinstance(trusted, bool) or not isinstance(trusted, Iterable)
    ):
        raise TypeError(
            f"trusted must be a list of type names; got {trusted!r}. skops (and "
            "skdistill) no longer accept trusted=True, which trusted any type: "
            "pass the names of the types you trust, as the error of loading "
            "without them lists."
        )
    allowed = set(trusted_types()) | set(trusted or ())
    refused = sorted(set(untrusted) - allowed)
    if refused:
        raise TypeError(
            f"{source} contains types that skdistill does not trust: {refused}. "
            "If you trust the file's origin, pass them in `trusted`."
        )
    return list(untrusted)


def loads(data, *, trusted=None):
    """Load a model from the bytes of a skops archive (see :func:`load`).

    Parameters
    ----------
    data : bytes
        A skops archive, e.g. from :func:`dumps`.

    trusted : list of str, default=None
        Further type names to trust.

    Returns
    -------
    model : object
        The model the bytes hold.
    """
    sio = _skops_io("skdistill.io.loads")
    untrusted = sio.get_untrusted_types(data=data)
    checked = _check_trust(untrusted, trusted, "The data")
    with _on_another_version(io.BytesIO(data)):
        return sio.loads(data, trusted=checked)


def load(file, *, trusted=None):
    """Load a model saved by :func:`dump` (or any skops file) safely.

    The types skops does not trust by default are checked against
    :func:`trusted_types` (skdistill's estimators and the data-only types
    of fitted scikit-learn models) and ``trusted``; a file with any other
    type is refused before anything in it is built.

    Parameters
    ----------
    file : str or path-like
        A skops file.

    trusted : list of str, default=None
        Further type names to trust (only for files of a known origin).

    Returns
    -------
    model : object
        The model the file holds.

    Raises
    ------
    TypeError
        If the file holds a type that is not trusted.
    AttributeError or ImportError
        When a model saved with another version of scikit-learn cannot be
        built with this one; the message names both versions.
    """
    sio = _skops_io("skdistill.io.load")
    untrusted = sio.get_untrusted_types(file=file)
    checked = _check_trust(untrusted, trusted, repr(os.fspath(file)))
    with _on_another_version(file):
        return sio.load(file, trusted=checked)


def _saved_versions(file):
    """The scikit-learn versions a skops file's estimators were saved with.

    Parameters
    ----------
    file : str, path-like or file-like
        A skops file.

    Returns
    -------
    versions : set of str
        The ``_sklearn_version`` of each estimator in the file (empty when
        it holds none, or the file cannot be read).
    """
    try:
        with zipfile.ZipFile(file) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return set()
    versions, stack = set(), [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            recorded = node.get("_sklearn_version")
            if isinstance(recorded, dict) and isinstance(recorded.get("content"), str):
                try:
                    versions.add(str(json.loads(recorded["content"])))
                except ValueError:
                    pass
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return versions


def other_version_note(file):
    """A sentence naming the scikit-learn versions of a file saved with
    another one than this, or None."""
    import sklearn

    others = _saved_versions(file) - {sklearn.__version__}
    if not others:
        return None
    return (
        f"The file was saved with scikit-learn {', '.join(sorted(others))}, and "
        f"this is scikit-learn {sklearn.__version__}: its models do not always "
        "work across versions. Use the version it was saved with, or fit and "
        "save the model again with this one."
    )


@contextlib.contextmanager
def _on_another_version(file):
    """Name the versions in an error of building a model saved with another
    version of scikit-learn (a class or attribute it no longer has)."""
    try:
        yield
    except (AttributeError, ImportError) as exc:
        note = other_version_note(file)
        if note is None:
            raise
        raise type(exc)(f"{exc}. {note}") from exc
