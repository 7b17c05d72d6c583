"""Handing X through to the teacher and the student, and fitting a student on targets."""

import contextlib
import functools
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn import config_context
from sklearn.base import clone, is_classifier
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import (
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.frozen import FrozenEstimator
from sklearn.impute import KNNImputer, MissingIndicator, SimpleImputer
from sklearn.model_selection._search import BaseSearchCV
from sklearn.multioutput import (
    MultiOutputClassifier,
    MultiOutputRegressor,
    RegressorChain,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, TargetEncoder
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.metadata_routing import (
    MetadataRequest,
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    get_routing_for_object,
    process_routing,
)
from sklearn.utils.validation import _check_sample_weight, has_fit_parameter

from ._frames import has_infinity, has_missing, is_dataframe, sum_is_finite
from ._students import fit_student
from .linear_model._soft_logistic import _fit_logistic_regression_soft

_SKIPPED_STEPS = (None, "passthrough", "drop")
_NAN_REMOVERS = (SimpleImputer, KNNImputer, MissingIndicator, OneHotEncoder, TargetEncoder)


def n_rows(X):
    """Number of rows of ``X`` (array, sparse matrix, DataFrame or list), unconverted."""
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    if hasattr(X, "__len__"):
        return len(X)
    return np.asarray(X).shape[0]


def reset_fitted(estimator):
    """Delete what an earlier fit of ``estimator`` set (its attributes ending
    in ``_``), as :class:`~sklearn.preprocessing.StandardScaler`'s ``fit``
    does: a fit that fails then leaves it unfitted, never half of one fit and
    half of another (new ``classes_`` with an old ``student_``)."""
    for name in [n for n in vars(estimator) if n.endswith("_") and n[:2] != "__"]:
        delattr(estimator, name)


def unfitted_on_error(fit):
    """Decorate ``fit``: what an earlier fit set is deleted first
    (:func:`reset_fitted`), and a fit that fails deletes what it set, so that
    the estimator is then unfitted (``NotFittedError``) rather than answering
    from a mixture of two fits."""

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        reset_fitted(self)
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            reset_fitted(self)
            raise

    return wrapper


def route_fit(owner, sample_weight, fit_params):
    """:func:`~sklearn.utils.metadata_routing.process_routing` of ``owner``'s
    ``fit``, with ``sample_weight`` only when given: ``None`` is no metadata
    (passed on, it would be refused when no consumer requests it)."""
    if sample_weight is not None:
        fit_params = {**fit_params, "sample_weight": sample_weight}
    return process_routing(owner, "fit", **fit_params)


def caller_params(estimator, method, params):
    """``params`` routed to ``estimator.<method>``, under its caller's names.

    Metadata routing hands a consumer its parameters under its own names
    (``sample_weight``), renamed from the aliases it requests
    (``set_fit_request(sample_weight="student_weight")``). A meta-estimator
    that routes them again (a distiller, ``cross_val_predict``) expects the
    aliases: this undoes the renaming. A router (a Pipeline) takes its
    caller's names already.
    """
    requests = getattr(
        getattr(get_routing_for_object(estimator), method, None), "requests", None
    )
    if not requests:
        return dict(params)
    return {
        (requests[name] if isinstance(requests.get(name), str) else name): value
        for name, value in params.items()
    }


def index_params(params, indices, n_samples):
    """Rows ``indices`` of the per-row fit parameters; the others as they are.

    A parameter is per-row when it has ``n_samples`` rows (``sample_weight``,
    ``groups``); options such as ``eval_set``, ``verbose`` or
    ``categorical_feature`` are handed on unchanged, as
    :func:`~sklearn.model_selection.cross_validate` does.
    """
    out = {}
    for key, value in params.items():
        if value is not None and not isinstance(value, str):
            if hasattr(value, "__array__") and not hasattr(value, "shape"):
                value = np.asarray(value)
            if (
                hasattr(value, "__len__")
                and getattr(value, "ndim", 1) > 0
                and n_rows(value) == n_samples
            ):
                value = _safe_indexing(value, indices)
        out[key] = value
    return out


def as_table(X):
    """``X`` itself when it has a shape; a list (or other array-like) as an array.

    Arrays, sparse matrices and DataFrames are returned unchanged. Anything
    else (a list of rows) becomes an ndarray, numeric when all its values are
    numbers and of dtype object otherwise, so that its rows can be selected
    and counted without changing its values; rows of different lengths (lists
    of tokens) become a 1-D array of objects, one per row.
    """
    if hasattr(X, "shape"):
        return X
    try:
        array = np.asarray(X)
    except ValueError:
        # ragged: one object per row (documents as lists of tokens, for a
        # vectorizer), or not rows at all (the inner estimators say it)
        try:
            array = np.empty(len(X), dtype=object)
            array[:] = list(X)
        except (TypeError, ValueError):
            return X
        return array
    if array.dtype.kind not in "biufc":
        array = np.asarray(X, dtype=object)
    return array


def check_2d(X):
    """Refuse a 1-D (or scalar) or empty X with scikit-learn's message; X unchanged.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D.
    """
    shape = getattr(X, "shape", None)
    if shape is None:
        try:
            shape = np.asarray(X).shape
        except ValueError:  # ragged: let the inner estimators say it
            return
    ndim = len(shape)
    if ndim == 2 and 0 in shape:
        kind = "sample" if shape[0] == 0 else "feature"
        raise ValueError(
            f"Found array with 0 {kind}(s) (shape={tuple(shape)}) while a minimum "
            "of 1 is required."
        )
    if ndim != 2:
        raise ValueError(
            f"Expected 2D array, got {'scalar' if ndim == 0 else f'{ndim}D'} array "
            "instead. Reshape your data either using array.reshape(-1, 1) if your "
            "data has a single feature or array.reshape(1, -1) if it contains a "
            "single sample."
        )


@contextlib.contextmanager
def blame(role, estimator, method):
    """Name the teacher or the student in an exception it raises.

    A ``ValueError`` or ``TypeError`` keeps its type and message, prefixed by
    ``"The <role> <name> failed in <method>: "``, and is chained to the
    original. Another exception (another library's own, such as
    LightGBM's) is raised as it is, with that sentence as a note.

    Parameters
    ----------
    role : {"teacher", "student"}
    estimator : estimator
        The estimator called inside the block.
    method : str
        The method called (for the message).
    """
    try:
        yield
    except Exception as exc:
        text = str(exc)
        # already named, or teacher_cv's splitter or the cache refusing (not
        # the teacher)
        if text.startswith(
            ("The teacher", "The student", "teacher_cv=", "memory=")
        ) or any(
            note.startswith(("The teacher", "The student"))
            for note in getattr(exc, "__notes__", ())
        ):
            raise
        name = type(estimator).__name__
        if isinstance(estimator, FrozenEstimator):
            name = f"FrozenEstimator({type(estimator.estimator).__name__})"
        message = f"The {role} {name} failed in {method}: {text}"
        if not isinstance(exc, (ValueError, TypeError)):
            # another library's own exception (LightGBMError): kept as it is,
            # with the role in a note
            add_note(exc, f"The {role} {name} failed in {method}.")
            raise
        try:
            new = type(exc)(message)
        except Exception:  # an exception type with another signature
            add_note(exc, message)
            raise exc
        for note in getattr(exc, "__notes__", ()):
            add_note(new, note)
        raise new from exc


def check_sample_weight(sample_weight, X, non_negative=True):
    """``sample_weight`` as a float64 array of one (``non_negative``) weight
    per row of ``X`` (a scalar: that weight for every row), or None.

    All-zero weights are refused, as scikit-learn >= 1.7 does; 1.6 accepts
    them, and the fits would divide by a zero total weight.
    """
    if sample_weight is None:
        return None
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=np.float64, ensure_non_negative=non_negative
    )
    if not np.any(sample_weight):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sample_weight


def add_note(exc, note):
    """``exc.add_note(note)``; on Python 3.10, which has no notes, appended
    to the exception's message."""
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    elif exc.args and isinstance(exc.args[0], str):
        exc.args = (f"{exc.args[0]}\n{note}", *exc.args[1:])


def _nan_flow(estimator):
    """Whether NaN is accepted by ``estimator`` and whether its output is free of NaN.

    An imputer, a :class:`~sklearn.preprocessing.OneHotEncoder` or a
    :class:`~sklearn.preprocessing.TargetEncoder` (NaN is a category) removes
    NaN; a Pipeline accepts NaN when every step that may still see NaN
    accepts it; a ColumnTransformer when all its transformers do.
    """
    if isinstance(estimator, str) or estimator is None:
        return True, estimator == "drop"
    if isinstance(estimator, FrozenEstimator):
        return _nan_flow(estimator.estimator)
    if isinstance(estimator, Pipeline):
        alive = True
        for _, step in estimator.steps:
            accepts, removes = _nan_flow(step)
            if alive and not accepts:
                return False, False
            alive = alive and not removes
        return True, not alive
    if isinstance(estimator, ColumnTransformer):
        flows = [_nan_flow(t) for _, t, _ in estimator.transformers]
        flows.append(_nan_flow(estimator.remainder))
        return all(a for a, _ in flows), all(r for _, r in flows)
    accepts = get_tags(estimator).input_tags.allow_nan
    removes = isinstance(estimator, _NAN_REMOVERS) or (
        type(estimator).__name__ == "IterativeImputer"  # experimental import
    )
    return accepts, accepts and removes


def accepts_nan(estimator):
    """Whether ``estimator`` accepts NaN in its input, as its tags say.

    For a :class:`~sklearn.pipeline.Pipeline` (and a
    :class:`~sklearn.compose.ColumnTransformer`), whose scikit-learn tags say
    False whatever their steps, it is derived from the steps: NaN is accepted
    when every step that can still see a NaN accepts it, a step that removes
    NaN (an imputer, a ``OneHotEncoder``) hiding it from the later ones. A
    :class:`~sklearn.frozen.FrozenEstimator` accepts it when its estimator does.
    """
    return _nan_flow(estimator)[0]


def contains_nan(X):
    """Whether ``X`` has a missing value (NaN in floats, NA in a DataFrame).

    Object arrays and lists other than numbers are not inspected: the inner
    estimators check them.
    """
    if is_dataframe(X) or hasattr(X, "iloc"):  # a DataFrame, a pandas Series
        return has_missing(X)
    data = _float_values(X)
    return data is not None and not sum_is_finite(data) and bool(np.isnan(data).any())


def is_composite(estimator):
    """Whether ``estimator`` (or a frozen one's) is made of other estimators.

    A Pipeline, a ColumnTransformer, or a meta-estimator with an estimator
    among its parameters (a search, ``CalibratedClassifierCV``, bagging,
    voting or stacking, ``OneVsRestClassifier``, ``TransformedTargetRegressor``):
    their ``allow_nan`` tag is their inner models', whatever steps (an
    imputer) those have, so they decide themselves.
    """
    if isinstance(estimator, FrozenEstimator):
        return is_composite(estimator.estimator)
    if isinstance(estimator, (Pipeline, ColumnTransformer)):
        return True
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # not a scikit-learn estimator
        return False
    return any(_holds_estimator(value) for value in params.values())


def _holds_estimator(value):
    """Whether a parameter value is an estimator, or a list of (named) ones."""
    if isinstance(value, (list, tuple)):
        return any(
            _holds_estimator(item[1] if isinstance(item, tuple) else item)
            for item in value
        )
    return hasattr(value, "fit") and not isinstance(value, type)


def _float_values(X):
    """The stored values of ``X`` (a sparse matrix's non-zeros) when they are
    floating point, else None (integers, objects, or not an array)."""
    if sparse.issparse(X):
        data = X.data if hasattr(X, "data") else X.tocoo().data
    else:
        data = X
    if not hasattr(data, "dtype"):
        try:
            data = np.asarray(data)
        except (ValueError, TypeError):
            return None
    return data if data.dtype.kind in "fc" else None


def contains_infinity(X):
    """Whether ``X`` has an infinite number (in its numeric columns)."""
    if is_dataframe(X) or hasattr(X, "iloc"):  # a DataFrame, a pandas Series
        return has_infinity(X)
    data = _float_values(X)
    return data is not None and not sum_is_finite(data) and bool(np.isinf(data).any())


def check_nan(X, teacher, student, *, infinity=False):
    """Refuse NaN in ``X`` unless the teacher and the student both accept it.

    A Pipeline or ColumnTransformer whose steps do not all accept NaN (see
    :func:`accepts_nan`) is left to decide itself, column by column: NaN in a
    column that an imputer or encoder handles passes, NaN reaching a step
    that refuses it raises that step's error (naming the teacher or the
    student). A bare estimator that refuses NaN is refused here.

    With ``infinity`` (at ``predict``), infinite values are refused too, as
    scikit-learn's estimators refusing NaN refuse them.

    Raises
    ------
    ValueError
        Naming the estimators that do not accept NaN.
    """
    refusing = nan_refusers(teacher, student)
    if not refusing:
        return
    data = None if is_dataframe(X) or hasattr(X, "iloc") else _float_values(X)
    if data is not None and sum_is_finite(data):  # one pass for both checks
        return
    if contains_nan(X):
        raise ValueError(nan_message("NaN", refusing))
    if infinity and contains_infinity(X):
        # at predict: fit refused it (the teacher's own check), so does predict
        raise ValueError(nan_message("infinity", refusing))


def nan_refusers(teacher, student, *, composite_decides=True):
    """Names ("the teacher SVC", ...) of the estimators whose tags refuse NaN.

    A Pipeline or ColumnTransformer decides itself, column by column, unless
    ``composite_decides`` is False.
    """
    return [
        f"the {role} {type(estimator).__name__}"
        for role, estimator in (("teacher", teacher), ("student", student))
        if not (
            accepts_nan(estimator) or (composite_decides and is_composite(estimator))
        )
    ]


def nan_message(what, refusing):
    """The error for input X containing ``what``, refused by ``refusing``."""
    verb, tags = (
        ("does", "its allow_nan tag is") if len(refusing) == 1
        else ("do", "their allow_nan tags are")
    )
    message = (
        f"Input X contains {what}, which {' and '.join(refusing)} {verb} not "
        f"accept ({tags} False)."
    )
    if what == "infinity":
        return message + " Replace the infinite values (as fit needed)."
    if not any(name.startswith("the teacher") for name in refusing):
        return message + (
            " Impute the missing values in the student, e.g. "
            "make_pipeline(SimpleImputer(), student), or use a student that "
            "accepts NaN (e.g. a HistGradientBoosting model)."
        )
    # the teacher sees X as given: an imputing student cannot help it
    return message + (
        " Impute the missing values before the distiller, e.g. "
        "make_pipeline(SimpleImputer(), distiller), or in the teacher and the "
        "student (Pipelines that start with an imputer), or use models that "
        "accept NaN (e.g. HistGradientBoosting models)."
    )


def accepts_sample_weight(estimator):
    """Whether ``estimator.fit`` takes ``sample_weight`` (a Pipeline's last step)."""
    if isinstance(estimator, Pipeline):
        last = estimator.steps[-1][1] if estimator.steps else None
        if _resamples(estimator):  # the weights are of rows its sampler drops
            return False
        return last not in _SKIPPED_STEPS and accepts_sample_weight(last)
    if isinstance(estimator, _HANDS_WEIGHTS_ON):
        # its fit hands sample_weight (or **fit_params), as it is, to each of
        # the estimators it wraps: they decide (a search's by fold; a
        # TransformedTargetRegressor without regressor fits a LinearRegression)
        return all(_takes_bare_sample_weight(inner) for inner in _wrapped(estimator))
    return has_fit_parameter(estimator, "sample_weight")


def _wrapped(estimator):
    """The estimators that a model of ``_HANDS_WEIGHTS_ON`` fits."""
    params = estimator.get_params(deep=False)
    for name in ("estimator", "regressor", "base_estimator", "final_estimator"):
        inner = params.get(name)
        if hasattr(inner, "fit"):
            yield inner
    for item in params.get("estimators") or ():
        inner = item[1] if isinstance(item, tuple) else item
        if hasattr(inner, "fit"):
            yield inner


# Meta-estimators whose fit hands sample_weight, as it is, to each estimator
# they wrap (scikit-learn 1.6 to 1.9, without metadata routing; not
# ClassifierChain, whose fit takes no extra parameter without routing)
_HANDS_WEIGHTS_ON = (
    BaseSearchCV,
    TransformedTargetRegressor,
    MultiOutputClassifier,
    MultiOutputRegressor,
    RegressorChain,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)


def _takes_bare_sample_weight(estimator):
    """Whether ``estimator.fit(X, y, sample_weight=w)`` works (without routing).

    A meta-estimator hands ``sample_weight`` on as it is: a Pipeline inside it
    refuses it (it takes ``<step>__sample_weight``).
    """
    return not isinstance(estimator, Pipeline) and accepts_sample_weight(estimator)


def weight_kwargs(estimator, sample_weight, role="student"):
    """Keyword arguments passing ``sample_weight`` to ``estimator.fit``.

    A :class:`~sklearn.pipeline.Pipeline` gets it as ``<last step>__sample_weight``
    (with metadata routing enabled, as ``sample_weight``, routed as the steps
    request it).

    Raises
    ------
    TypeError
        If the estimator does not accept sample weights.
    """
    if sample_weight is None:
        return {}
    if isinstance(estimator, Pipeline) and not _routing_enabled():
        if accepts_sample_weight(estimator):
            path, _ = innermost_step(estimator)
            return {"__".join([*path, "sample_weight"]): sample_weight}
    elif _routing_enabled() or accepts_sample_weight(estimator):
        return {"sample_weight": sample_weight}
    raise TypeError(
        f"The {role} {estimator!r} does not accept sample_weight, which is needed "
        "here (sample_weight given, or rows weighted by alpha < 1). Use a "
        f"{role} whose fit (or, for a Pipeline, whose last step's fit) takes "
        "sample_weight."
    )


def fit_plain(student, X, y, sample_weight=None):
    """``clone(student).fit(X, y)`` with the row weights passed as it takes them."""
    student = clone(student)
    kwargs = weight_kwargs(student, sample_weight)
    with blame("student", student, "fit"):
        try:
            return student.fit(X, y, **kwargs)
        except Exception as exc:
            if is_classifier(student):
                from ._students import add_label_hint  # imports this module

                try:
                    labels = np.unique(np.asarray(y))
                except TypeError:  # labels that do not sort: not the cause
                    labels = None
                if labels is not None:
                    add_label_hint(exc, labels)
            raise


def score_request(estimator):
    """``estimator``'s own metadata request for ``score`` alone.

    A meta-estimator's router lists it, so that a scorer hands ``score`` the
    weights it requests (``set_score_request``) and refuses unrequested
    ones, as for any estimator. Its ``fit`` consumes nothing itself: the
    weights go where its children request them.
    """
    request = MetadataRequest(owner=type(estimator).__name__)
    request.score = estimator._get_metadata_request().score
    return request


class RoutesFitToEstimator:
    """Mixin of a meta-estimator whose ``fit`` routes metadata to ``estimator``."""

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            ``fit`` routes to the estimator's ``fit``; ``score`` takes the
            ``sample_weight`` it requests (``set_score_request``).
        """
        return (
            MetadataRouter(owner=type(self).__name__)
            .add_self_request(score_request(self))
            .add(
                estimator=self.estimator,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        )


def check_coef_settable(model, what):
    """Refuse ``model`` if its ``coef_`` is computed, not stored.

    :class:`~sklearn.svm.SVC` with a linear kernel has ``coef_`` (a read-only
    property of its support vectors), which cannot be replaced by pruned or
    quantized coefficients.
    """
    attribute = getattr(type(model), "coef_", None)
    if isinstance(attribute, property) and attribute.fset is None:
        raise TypeError(
            f"{what} needs a linear model that stores its coefficients; the "
            f"coef_ of {type(model).__name__} is a read-only property computed "
            "from its fitted state, which cannot be replaced. Use a linear "
            "model such as LinearSVC or LogisticRegression."
        )


def _resamples(pipeline):
    """Whether a Pipeline's leading steps resample the rows at fit (a sampler
    in imbalanced-learn's Pipeline, whose leading steps then have no
    ``fit_transform``); scikit-learn's Pipeline only transforms with them."""
    if len(pipeline.steps) < 2 or hasattr(pipeline[:-1], "fit_transform"):
        return False
    return any(hasattr(step, "fit_resample") for _, step in pipeline.steps[:-1])


def _check_no_resampling(student):
    """Refuse a Pipeline student whose leading steps resample the rows.

    In imbalanced-learn's Pipeline a sampler (a step with ``fit_resample``)
    drops or makes rows from the hard labels at fit, and the leading steps
    then have no ``fit_transform``; the soft targets are the given rows', and
    a made row has none. (scikit-learn's Pipeline transforms with such a
    step like with any other.)
    """
    if not _resamples(student):
        return
    for step_name, step in student.steps[:-1]:
        if hasattr(step, "fit_resample"):
            raise ValueError(
                f"The student Pipeline's step {step_name!r} "
                f"({type(step).__name__}) resamples the rows at fit, from the "
                "hard labels; the soft targets are the given rows' (a row it "
                "makes has none), so such a student can be distilled only at "
                "alpha=0. Resample before the distiller, or balance the "
                "student with its class_weight."
            )


def fit_last_step(student, X, y_head, fit_last, sample_weight=None):
    """Fit a clone of ``student``; a Pipeline's leading steps on ``(X, y_head)``.

    Parameters
    ----------
    student : estimator
        The unfitted student, possibly a :class:`~sklearn.pipeline.Pipeline`.
    X : array-like, sparse matrix or DataFrame
        The student's training rows, as given.
    y_head : ndarray of shape (n_samples,)
        Labels for the leading steps of a Pipeline (used by supervised steps
        only, such as a feature selector).
    fit_last : callable
        ``fit_last(estimator, Xt)`` fits the bare student (or the Pipeline's
        last step) on its input ``Xt`` and returns it.
    sample_weight : ndarray of shape (n_samples,), default=None
        The rows' weights. With metadata routing enabled, they go to the
        leading steps that request them; the other leading steps, and all of
        them without routing, are fitted unweighted.

    Returns
    -------
    student : estimator
        The fitted clone.
    """
    student = clone(student)
    if not isinstance(student, Pipeline):
        with blame("student", student, "fit"):
            return fit_last(student, X)
    name, last = student.steps[-1]
    _check_no_resampling(student)
    with blame("student", student, "fit"):
        if len(student.steps) > 1:
            head = student[:-1]
            params = {}
            if (
                sample_weight is not None
                and _routing_enabled()
                and get_routing_for_object(head).consumes("fit", {"sample_weight"})
            ):
                params = {"sample_weight": sample_weight}
            Xt = head.fit_transform(X, y_head, **params)
            if n_rows(Xt) != n_rows(X):
                # the last step's targets are X's rows': refused, as
                # scikit-learn refuses labels of another length
                raise ValueError(
                    f"The Pipeline's leading steps turned {n_rows(X)} rows into "
                    f"{n_rows(Xt)}; a student's steps must keep the rows (one "
                    "target per row)."
                )
            head_steps = head.steps
        else:
            Xt, head_steps = X, []
        if isinstance(last, Pipeline):  # a Pipeline ending in a Pipeline
            fitted = fit_last_step(last, Xt, y_head, fit_last, sample_weight)
        else:
            fitted = fit_last(last, Xt)
    student.steps = [*head_steps, (name, fitted)]
    return student


def fit_on_soft_targets(
    student, path, X, Y, classes, sample_weight=None, *, head_weight=None
):
    """Fit a clone of ``student`` on soft targets ``Y`` by its path.

    A Pipeline's leading steps are fitted on the rows of ``X`` with the label
    of each row's largest target; its last step (or the bare student) by
    :func:`~skdistill._students.fit_student`.

    Parameters
    ----------
    student : estimator
        Unfitted student, possibly a Pipeline.
    path : str
        As returned by :func:`~skdistill._students.student_path`.
    X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_classes)
    classes : ndarray of shape (n_classes,)
    sample_weight : ndarray of shape (n_samples,) or None
        The rows' weights for the last step (the bare student).
    head_weight : ndarray of shape (n_samples,) or None
        The rows' weights for a Pipeline's leading steps, with metadata
        routing, when they differ from ``sample_weight`` (a last step that
        declines the user's weights).

    Returns
    -------
    student : estimator
        The fitted clone.
    """
    if head_weight is None:
        head_weight = sample_weight
    y_head = None
    if isinstance(student, Pipeline) and len(student.steps) > 1:
        y_head = classes[np.argmax(Y, axis=1)]
    return fit_last_step(
        student,
        X,
        y_head,
        lambda last, Xt: fit_student(last, path, Xt, Y, classes, sample_weight),
        head_weight,
    )


def fit_on_targets(student, X, y, sample_weight=None, *, head_weight=None):
    """Fit a clone of ``student`` on ``(X, y)`` weighted by the method's own weights.

    ``sample_weight`` combines the user's weights with the method's (the
    weight ``alpha`` of generated rows), so it is not metadata: the bare
    student, or a Pipeline's last step, gets it whether or not it requests it
    (a student that routes metadata, such as a SparsifyTransformer, hands it
    to its estimator); the leading steps get ``head_weight`` (by default
    ``sample_weight``) as :func:`fit_last_step` says.
    """

    def fit_last(last, Xt):
        with config_context(enable_metadata_routing=False):
            return last.fit(Xt, y, **weight_kwargs(last, sample_weight))

    if head_weight is None:
        head_weight = sample_weight
    return fit_last_step(student, X, y, fit_last, head_weight)


def last_step_input(student, X):
    """What the last step of a fitted Pipeline student sees for ``X`` (else ``X``)."""
    if isinstance(student, Pipeline) and len(student.steps) > 1:
        return student[:-1].transform(X)
    return X


def with_last_step(student, fitted_student, last):
    """``fitted_student`` with its last step replaced by ``last`` (a new object)."""
    if not isinstance(fitted_student, Pipeline):
        return last
    new = clone(student)
    new.steps = [*fitted_student.steps[:-1], (fitted_student.steps[-1][0], last)]
    return new


def innermost_step(student):
    """``(names, model)``: the model at the end of a Pipeline student, through
    Pipelines that end in a Pipeline, and the names of the steps to it
    (``([], student)`` for a bare student)."""
    names = []
    while isinstance(student, Pipeline):
        name, student = student.steps[-1]
        names.append(name)
    return names, student


def last_step(student):
    """The last step of a Pipeline student, or the student itself."""
    if isinstance(student, Pipeline):
        return student.steps[-1][1]
    return student


class RefitSet(NamedTuple):
    """What refitting a distiller's student with coefficients held at 0 needs.

    Built once per pruning run by
    :func:`~skdistill._classifier.soft_refit_set` (it queries the
    teacher) and used by every :func:`refit_student` call.

    Attributes
    ----------
    X : array-like of shape (n_samples, n_inputs)
        Input of the student's last step on the training rows of ``fit``
        (generated and unlabeled rows included): the rows as given for a bare
        student, their transform by the fitted leading steps for a Pipeline.
    Y : ndarray of shape (n_samples, n_classes)
        The soft targets of ``fit``.
    sample_weight : ndarray of shape (n_samples,) or None
        The row weights of ``fit``.
    classes : ndarray of shape (n_classes,)
        The labels of the columns of ``Y``.
    """

    X: object
    Y: np.ndarray
    sample_weight: object
    classes: np.ndarray


def refit_student(distiller, refit_set, coef_mask):
    """Refit a DistilledClassifier's student with some coefficients held at 0.

    The student (or a Pipeline student's last step) is refitted by the
    soft-target solver on ``refit_set``; the fitted leading steps of a
    Pipeline are kept.

    Parameters
    ----------
    distiller : DistilledClassifier
        Fitted; its ``student_`` is replaced (a new object).
    refit_set : RefitSet
        As returned by :func:`~skdistill._classifier.soft_refit_set`.
    coef_mask : ndarray of bool, shape of the coefficients
        ``False`` marks the coefficients held at exactly zero.

    Returns
    -------
    distiller : DistilledClassifier
    """
    last = _fit_logistic_regression_soft(
        clone(last_step(distiller.student)),
        refit_set.X,
        refit_set.Y,
        refit_set.classes,
        sample_weight=refit_set.sample_weight,
        coef_mask=coef_mask,
    )
    distiller.student_ = with_last_step(distiller.student, distiller.student_, last)
    return distiller
