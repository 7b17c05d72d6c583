"""Search over students with the teacher fitted once per split; their frontier."""

import pickle
from multiprocessing.pool import MaybeEncodingError
import time
import traceback
import warnings
from inspect import signature
from copy import copy as shallow_copy
from copy import deepcopy
from numbers import Integral, Real

import joblib
import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    _fit_context,
    clone,
    is_classifier,
    is_regressor,
)
from sklearn.exceptions import FitFailedWarning
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import check_scoring, get_scorer_names, r2_score
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.utils import _safe_indexing, gen_batches, get_tags, indexable
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from . import _teacher
from ._base import (
    _GENERATORS,
    N_JOBS_CONSTRAINTS,
    generate_rows,
    resolve_augment,
)
from ._classifier import DistilledClassifier, _warn_relabelled, check_two_classes
from ._fitting import (
    accepts_nan,
    accepts_sample_weight,
    as_table,
    blame,
    caller_params,
    check_sample_weight,
    index_params,
    is_composite,
    n_rows,
    reset_fitted,
    route_fit,
    weight_kwargs,
)
from ._frames import frame_library
from ._frontier import results_front
from ._labels import (
    check_label_overlap,
    check_no_missing_labels,
    labeled_mask,
    missing_labels,
    union_classes,
)
from ._regressor import DistilledRegressor, _as_targets, _warn_off_target
from ._targets import (
    check_fitted_response,
    logits_from_output,
    resolve_response_method,
)
from .metrics import (
    count_nonzero_parameters,
    fidelity_score,
    prediction_time,
    _relative_weights,
    serialized_size,
)

__all__ = ["DistillationSearchCV"]

# Attributes a light split teacher keeps from the fitted teacher (what a
# distiller reads from a frozen teacher besides its outputs).
_KEPT_ATTRIBUTES = (
    "classes_",
    "n_features_in_",
    "feature_names_in_",
    "decision_function_shape",
)
_RESPONSE_METHODS = ("predict", "predict_proba", "decision_function")
# Timed repeats of a student's prediction on 1,000 rows (the fastest kept).
_LATENCY_REPEATS = 3


def _teacher_has(method):
    def check(self):
        return method in self._methods

    return check


def _content_hash(X):
    """Hash of rows, the same for an array and its memory map.

    joblib sends large arrays to its workers as ``numpy.memmap``, whose hash
    differs from that of the ndarray with the same rows.
    """
    if isinstance(X, np.memmap):
        X = np.asarray(X)
    return joblib.hash(X)


def _teacher_tags(estimator):
    """Tags of a split's fitted teacher, for the candidates' input checks.

    ``allow_nan`` as the distillers read it from the teacher itself: a
    Pipeline or ColumnTransformer (whose own tag says False whatever its
    steps) decides for itself, and it has already taken the split's rows.
    """
    tags = deepcopy(get_tags(estimator))
    tags.input_tags.allow_nan = accepts_nan(estimator) or is_composite(estimator)
    return tags


class _TeacherShell(BaseEstimator):
    """What a light split teacher keeps of a fitted teacher: a few attributes, tags."""

    @classmethod
    def of(cls, estimator):
        shell = cls()
        for name in _KEPT_ATTRIBUTES:
            if hasattr(estimator, name):
                setattr(shell, name, getattr(estimator, name))
        shell._tags = _teacher_tags(estimator)
        shell._name = type(estimator).__name__
        return shell

    def fit(self, X, y=None):
        raise RuntimeError("The teacher of a search split is fitted already.")

    def __sklearn_is_fitted__(self):
        return True

    def __sklearn_tags__(self):
        return deepcopy(self._tags)

    def __repr__(self, N_CHAR_MAX=700):
        return f"{self._name}(fitted on a search split)"


class _SplitTeacher(FrozenEstimator):
    """A teacher fitted on one split's rows, answering from precomputed outputs.

    A :class:`~sklearn.frozen.FrozenEstimator` (never refitted) whose
    ``predict``, ``predict_proba`` and ``decision_function`` on the exact rows
    registered in ``cache`` (the same object, or equal data, or one of the
    row chunks the distiller's inference splits them into) return a copy of
    the registered output, and on any other rows ask the fitted teacher. A
    light one holds a :class:`_TeacherShell` instead of the fitted teacher,
    so that it is cheap to send to a worker; asked about rows it does not
    know, it raises.
    """

    # its outputs are the split teacher's as _teacher.teacher_response gives
    # them (a two-class one-vs-one vote share centred), which it does not
    # transform again
    _outputs_centred = True

    @classmethod
    def wrap(cls, estimator, cache, *, light=False, teacher_cv=None):
        self = cls(_TeacherShell.of(estimator) if light else estimator)
        # the folds its training-row outputs come from (None: in sample), for
        # the candidates' errors on them
        self._outputs_teacher_cv = teacher_cv
        self._methods = tuple(m for m in _RESPONSE_METHODS if hasattr(estimator, m))
        self._tags = _teacher_tags(estimator)
        self._light = light
        self._cache = cache
        self._hashes = {}
        return self

    def __getattr__(self, name):
        if name.startswith("_"):  # private state (also while unpickling)
            raise AttributeError(name)
        return super().__getattr__(name)

    def __sklearn_is_fitted__(self):
        return True

    def __sklearn_tags__(self):
        tags = deepcopy(self._tags)
        tags._skip_test = True
        return tags

    def answering_for(self, X, X_own):
        """A copy that answers about ``X_own`` (a candidate's own copy of the
        rows ``X``) what this one answers about ``X``."""
        if X_own is X:
            return self
        new = shallow_copy(self)
        new._cache = {
            method: [
                (X_own if X_ref is X else X_ref, output) for X_ref, output in entries
            ]
            for method, entries in self._cache.items()
        }
        new._hashes = {}
        return new

    def _hash(self, key, X):
        if key not in self._hashes:
            self._hashes[key] = _content_hash(X)
        return self._hashes[key]

    def _lookup(self, method, X):
        entries = self._cache.get(method, ())
        for X_ref, output in entries:
            if X is X_ref:
                return output
        n_X = n_rows(X)
        for k, (X_ref, output) in enumerate(entries):
            n_ref = n_rows(X_ref)
            if n_X == n_ref:
                if _content_hash(X) == self._hash((k, None), X_ref):
                    return output
                continue
            chunk_size = getattr(_teacher, "CHUNK_SIZE", None)
            if chunk_size is None or n_ref <= chunk_size or n_X > chunk_size:
                continue
            # the distiller's inference asks for row chunks of the training rows
            key = _content_hash(X)
            for batch in gen_batches(n_ref, chunk_size):
                if batch.stop - batch.start == n_X and key == self._hash(
                    (k, batch.start), _safe_indexing(X_ref, batch)
                ):
                    return output[batch]
        return None

    def _respond(self, method, X):
        output = self._lookup(method, X)
        if output is not None:
            return np.array(output, copy=True)  # the caller may write into it
        if self._light:
            raise RuntimeError(
                f"The search's precomputed teacher was asked for {method} on rows "
                "it has not computed; this is a bug in DistillationSearchCV."
            )
        return _teacher.teacher_response(self.estimator, X, method)

    @available_if(_teacher_has("predict"))
    def predict(self, X):
        return self._respond("predict", X)

    @available_if(_teacher_has("predict_proba"))
    def predict_proba(self, X):
        return self._respond("predict_proba", X)

    @available_if(_teacher_has("decision_function"))
    def decision_function(self, X):
        return self._respond("decision_function", X)


def student_bytes(student):
    """Bytes of ``student`` as the shipping format writes it.

    :func:`skdistill.io.dump` with ``prediction_only=True`` (compressed
    skops, without what only training reads) when it is available, else the
    pickled size of the same model (:func:`skdistill.metrics.serialized_size`).
    """
    from .io import prediction_model

    return serialized_size(prediction_model(student))


def _output_key(candidate, n_classes=None):
    """The teacher output on the training rows a candidate (a distiller) reads.

    ``n_classes``: the number of labels in y (a binary one-vs-one teacher
    gives per-class scores).

    Returns
    -------
    key : tuple
        ``(teacher_cv, method)``.
    """
    if is_classifier(candidate):
        method = resolve_response_method(
            candidate.teacher, candidate.teacher_response, n_classes
        )
    else:
        method = "predict"
    # alpha=0: the frozen teacher is asked for its in-sample outputs, unused
    teacher_cv = None if candidate.alpha == 0 else candidate.teacher_cv
    try:
        hash(teacher_cv)
    except TypeError:  # a list of splits: keyed by its contents
        teacher_cv = _ByContents(teacher_cv)
    return teacher_cv, method


class _ByContents:
    """An unhashable ``teacher_cv`` (a list of splits) as a key: equal to
    another of the same contents (``joblib.hash``)."""

    def __init__(self, value):
        self.value = value
        self._hash = joblib.hash(value)

    def __eq__(self, other):
        return isinstance(other, _ByContents) and other._hash == self._hash

    def __hash__(self):
        return hash(self._hash)

    def __repr__(self):
        return repr(self.value)


def _key_teacher_cv(teacher_cv):
    """The ``teacher_cv`` of an output key, as the candidates give it."""
    return teacher_cv.value if isinstance(teacher_cv, _ByContents) else teacher_cv


def _generation(candidate, X_train):
    """The rows a candidate generates from a split's training rows.

    None without generated rows; a key (generator, size, parameters, seed)
    when they are the same for every candidate with that key, so that the
    teacher's outputs on them are computed once per split; ``"own"`` when the
    candidate's rows cannot be known in advance (an unseeded or callable
    generator): its teacher then answers about them itself.
    """
    augment, size = resolve_augment(candidate, X_train)
    if augment is None:
        return None
    seed = candidate.random_state
    if not isinstance(augment, str) or not isinstance(seed, Integral):
        return "own"
    # hashed, not repr'd: numpy shortens the repr of a long array with "..."
    params = joblib.hash(sorted((candidate.augment_params or {}).items()))
    return augment, float(size), params, int(seed)


def _prepare_split(
    teacher,
    X,
    y,
    train,
    test,
    fit_params,
    keys,
    scorer,
    score_params,
    generations=None,
    split_params=None,
):
    """Fit the teacher on one split's training rows and compute its outputs once.

    ``generations`` maps ``(generation, method)`` (see :func:`_generation`)
    to a candidate that generates those rows; ``split_params`` maps the
    :func:`joblib.hash` of a ``teacher_cv`` to the parameters routed to its
    ``split`` (``groups``), over all rows.

    Returns
    -------
    fitted : estimator
        The teacher fitted on the training rows.
    responses : list
        The output for each ``(teacher_cv, method)`` of ``keys``, in their
        order, on the training rows (in sample for ``teacher_cv=None``, else
        out of fold): a list, not keyed by the splitters, which compare by
        identity and come back from a worker as copies.
    generated : dict
        ``(generation, method) -> (X_new, output)`` for the generated rows.
    y_teacher : ndarray
        The teacher's predictions on the test rows.
    score : float
        The teacher's test score.
    """
    n_samples = n_rows(X)
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    params = index_params(fit_params, train, n_samples)
    # a classifier that refuses labels other than 0..K-1 (XGBoost) is fitted
    # on their codes, as DistilledClassifier does
    with blame("teacher", teacher, "fit"):
        fitted = _teacher._fit_clone(teacher, X_train, y_train, params)
    for _, method in keys:
        check_fitted_response(fitted, method)
    responses = []
    for teacher_cv, method in keys:
        teacher_cv = _key_teacher_cv(teacher_cv)
        if teacher_cv is None:
            with blame("teacher", fitted, method):
                responses.append(_teacher.teacher_response(fitted, X_train, method))
        else:
            routed = (split_params or {}).get(joblib.hash(teacher_cv), {})
            try:
                output = _teacher.out_of_fold_response(
                    teacher, fitted, X_train, y_train, params, method, teacher_cv,
                    split_params=index_params(routed, train, n_samples),
                )
                # in the sorted labels' order: the candidates read the columns
                # by the split teacher's classes_, in its own order
                if is_classifier(teacher):
                    output = _teacher.columns_in_order(
                        output, np.unique(y_train), fitted.classes_
                    )
                responses.append(output)
            except ValueError as exc:
                prefix = f"teacher_cv={teacher_cv!r}"
                # named already (a fold lacking a class): said once
                text = str(exc).removeprefix(f"{prefix}: ")
                raise ValueError(
                    f"{prefix} failed on a split's {n_rows(X_train)} training "
                    f"rows: {text}"
                ) from exc
    generated = {}
    for (generation, method), candidate in (generations or {}).items():
        try:
            X_new = generate_rows(candidate, X_train, *generation[:2])
            output = _teacher.teacher_response(fitted, X_new, method)
        except Exception:
            # not cached: the candidates that generate these rows fail in
            # their own fit, where error_score applies to them alone
            continue
        generated[generation, method] = X_new, output
    X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
    with blame("teacher", fitted, "predict"):
        y_teacher = _teacher_predictions(fitted, X_test)
    scored = _SplitTeacher.wrap(fitted, {"predict": [(X_test, y_teacher)]})
    test_params = index_params(score_params, test, n_samples)
    try:
        score = _single_score(scorer(scored, X_test, y_test, **test_params))
        failure = None
    except _ScoringError as exc:
        raise TypeError(str(exc)) from None
    except (AttributeError, TypeError, ValueError, ZeroDivisionError) as exc:
        # e.g. a scoring on probabilities and a teacher without predict_proba,
        # or test rows that all weigh 0 (scikit-learn 1.6's accuracy_score
        # divides by their total): the teacher is a reference only, the
        # candidates are still scored
        score, failure = np.nan, f"{type(exc).__name__}: {exc}"
    return fitted, responses, generated, y_teacher, score, failure


# What joblib raises when a worker's fitted teacher cannot be sent back
# (loky: a TypeError or PicklingError; "multiprocessing": MaybeEncodingError)
_TRANSPORT_ERRORS = (
    TypeError, AttributeError, pickle.PicklingError, MaybeEncodingError
)


def _fit_teacher(teacher, X, y, fit_params):
    """The teacher fitted on all rows, for the refit (its errors named)."""
    with blame("teacher", teacher, "fit"):
        return _teacher._fit_clone(teacher, X, y, fit_params)


def _teacher_predictions(fitted, X):
    """``fitted.predict(X)``; a classifier without ``predict`` (which a
    distiller takes: it reads ``predict_proba`` or ``decision_function``)
    predicts the class of its largest output."""
    if hasattr(fitted, "predict"):
        return np.asarray(fitted.predict(X))
    for method in ("predict_proba", "decision_function"):
        if hasattr(fitted, method) and hasattr(fitted, "classes_"):
            output = np.asarray(getattr(fitted, method)(X))
            if output.ndim == 1:  # a binary score: of the second class
                return np.asarray(fitted.classes_)[(output > 0).astype(int)]
            return np.asarray(fitted.classes_)[np.argmax(output, axis=1)]
    raise TypeError(
        f"The fitted teacher {type(fitted).__name__} has no predict, "
        "predict_proba or decision_function: the search cannot score it."
    )


def _own_copy(X):
    """A copy of a split's rows (an array, sparse matrix or pandas DataFrame;
    a polars DataFrame, which nothing writes into, is returned as is)."""
    if isinstance(X, np.ndarray):
        return X.copy(order="K")  # (its layout kept: the same hash)
    if sp.issparse(X):
        return X.copy()
    if frame_library(X) == "pandas":
        return X.copy(deep=True)
    return X


def _fit_and_score(
    base,
    params,
    teacher,
    X_train,
    y_train,
    X_test,
    y_test,
    fit_params,
    scorer,
    score_params,
    y_teacher,
    error_score="raise",
    response_method=None,
    test_weight=None,
):
    """Fit one candidate on one split with the split's teacher; measure it.

    ``response_method``: the teacher output the candidate reads (a
    classifier's), as resolved on the teacher as given, which the split's
    fitted teacher may not give by the same rule (a search whose fitted best
    model has ``predict_proba`` while its base estimator has not).

    ``test_weight``: the test rows' ``sample_weight``, which weighs their
    fidelity whether or not the scorer takes it.

    When the fit fails and ``error_score`` is a number, the split's score is
    ``error_score``, its measurements NaN, and ``"error"`` holds the
    traceback.
    """
    # the candidate's own rows, as GridSearchCV indexes them per candidate:
    # the split's are shared by its candidates, and a student that writes
    # into its input (copy_X=False, StandardScaler(copy=False)) would change
    # the others' rows
    X_own, X_test = _own_copy(X_train), _own_copy(X_test)
    teacher, X_train = teacher.answering_for(X_train, X_own), X_own
    estimator = clone(base).set_params(**clone(params, safe=False))
    given = {"teacher": base.teacher, "teacher_cv": estimator.teacher_cv}
    # the split's outputs replace teacher_cv's folds
    estimator.set_params(teacher=teacher, teacher_cv=None)
    if response_method is not None:
        given["teacher_response"] = estimator.teacher_response
        estimator.set_params(teacher_response=response_method)
    start = time.perf_counter()
    try:
        estimator.fit(X_train, y_train, **fit_params)
    except Exception:
        if isinstance(error_score, str) and error_score == "raise":
            raise
        measured = ("score_time", "fidelity", "bytes", "latency", "n_nonzero")
        return {
            **dict.fromkeys(measured, np.nan),
            "fit_time": time.perf_counter() - start,
            "score": error_score,
            "error": traceback.format_exc(),
        }
    fit_time = time.perf_counter() - start
    # the model that ships (skdistill.io's prediction_only): the student, or
    # the distiller without its teacher where the student alone does not
    # answer for it (a regressor student of a classifier), whose parameters
    # are then the candidate's, not the split's cache
    from .io import prediction_model

    estimator.set_params(**given)
    shipped = prediction_model(estimator)
    try:
        sizes = {
            "bytes": student_bytes(shipped),
            "n_nonzero": count_nonzero_parameters(estimator.student_),
        }
    except Exception:
        # a student that cannot be shipped here (skops cannot save a numpy
        # Generator before numpy 1.25): error_score, as a failed score
        if isinstance(error_score, str) and error_score == "raise":
            raise
        measured = ("score_time", "fidelity", "bytes", "latency", "n_nonzero")
        return {
            **dict.fromkeys(measured, np.nan),
            "fit_time": fit_time,
            "score": error_score,
            "score_error": traceback.format_exc(),
        }
    start = time.perf_counter()
    try:
        score = _single_score(scorer(estimator, X_test, y_test, **score_params))
        score_time = time.perf_counter() - start
        y_student = estimator.predict(X_test)
        if is_classifier(base):
            fidelity = fidelity_score(y_teacher, y_student, sample_weight=test_weight)
        else:
            fidelity = float(  # (weights whose total overflows: relative)
                r2_score(
                    y_teacher, y_student, sample_weight=_relative_weights(test_weight)
                )
            )
        # the shipped model: it receives X as given and answers for the distiller
        latency = 1000 * prediction_time(shipped, X_test, n_repeats=_LATENCY_REPEATS)
    except Exception as exc:
        # as GridSearchCV: a score that fails (an unknown category in the
        # test rows, a log loss on a class the training rows lack) is
        # error_score, with a warning
        if isinstance(exc, _ScoringError):
            raise TypeError(str(exc)) from None
        if isinstance(error_score, str) and error_score == "raise":
            raise
        return {
            "fit_time": fit_time,
            "score_time": time.perf_counter() - start,
            "score": error_score,
            "fidelity": np.nan,
            "latency": np.nan,
            **sizes,
            "score_error": traceback.format_exc(),
        }
    return {
        "fit_time": fit_time,
        "score_time": score_time,
        "score": score,
        "fidelity": fidelity,
        "latency": latency,
        **sizes,
    }


def _timed(func, *args):
    """``(func(*args), seconds it took)``."""
    start = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - start


class _ScoringError(TypeError):
    """``scoring`` returned something other than one number."""


def _single_score(value):
    """The scorer's result as a float; a dict of scores is refused."""
    if isinstance(value, dict):
        raise _ScoringError(
            "scoring returned a dict of scores (multi-metric scoring), which "
            "DistillationSearchCV does not support: it ranks the candidates by "
            "one score. Pass a scoring that returns one number."
        )
    return float(value)


def _warn_or_raise_about_failures(out):
    """Raise when every candidate fit failed; warn which ones did otherwise.

    Also warns of the scores that failed after a fit (as GridSearchCV's
    "Scoring failed" warning).
    """
    scoring_errors = [o["score_error"] for o in out if "score_error" in o]
    if scoring_errors:
        warnings.warn(
            f"Scoring failed on {len(scoring_errors)} of {len(out)} candidate "
            "splits. The score on these splits is set to error_score, and these "
            "candidates are neither on the frontier nor chosen as the best. The "
            f"first failure:\n{scoring_errors[0]}",
            UserWarning,
            stacklevel=3,
        )
    errors = [o["error"] for o in out if "error" in o]
    if not errors:
        return
    counts = {}
    for error in errors:
        counts[error] = counts.get(error, 0) + 1
    summary = "\n".join(
        f"{count} fits failed with the following error:\n{error}"
        for error, count in counts.items()
    )
    if len(errors) == len(out):
        raise ValueError(
            f"All the {len(out)} candidate fits failed. It is very likely that "
            "the search is misconfigured; set error_score='raise' to see the "
            f"first error where it happens.\n\nBelow are more details about "
            f"the failures:\n{summary}"
        )
    warnings.warn(
        f"\n{len(errors)} candidate fits failed out of a total of {len(out)}.\n"
        "The score on these splits is set to error_score, and these candidates "
        "are neither on the frontier nor chosen as the best. Set "
        "error_score='raise' to stop at the first failure.\n\nBelow are more "
        f"details about the failures:\n{summary}",
        FitFailedWarning,
        stacklevel=3,
    )


def _scorer_accepts_sample_weight(scorer):
    """Whether a scorer takes ``sample_weight`` (as GridSearchCV decides it)."""
    accepts = getattr(scorer, "_accept_sample_weight", None)
    if accepts is not None:
        return bool(accepts())
    return "sample_weight" in signature(scorer).parameters


def _search_has(attr):
    def check(self):
        if not self.refit:
            return False
        if hasattr(self, "best_estimator_"):
            return hasattr(self.best_estimator_, attr)
        return hasattr(self._base_estimator(), attr)

    return check


def _param_dtype(values):
    """The dtype of a ``param_*`` column of ``cv_results_``, as GridSearchCV's.

    The values' own dtype when they make a 1-D array of numbers or booleans
    (so that a DataFrame of the results has numeric columns), else object.
    """
    try:
        array = np.array(values)
    except Exception:  # sequences of different lengths, estimators...
        return np.dtype(object)
    if array.ndim != 1 or array.dtype.kind not in "biuf":
        return np.dtype(object)
    return array.dtype


def _grid_dicts(param_grid):
    if isinstance(param_grid, dict):
        return [param_grid]
    return list(param_grid)


class DistillationSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Search over students of one teacher: accuracy against size and latency.

    An exhaustive search, like :class:`~sklearn.model_selection.GridSearchCV`,
    over the parameters of a :class:`~skdistill.DistilledClassifier` (or,
    for a regressor teacher, a :class:`~skdistill.DistilledRegressor`):
    ``student`` (a list of estimators to compare, of any kind), ``alpha``,
    ``T``, ``teacher_cv``, ``augment``, ``student__*``... The teacher's work,
    which does not depend on the candidate, is done once: the teacher is
    fitted once per split (and once on all rows for the refit), its outputs
    on each split's training rows are computed once (once per ``teacher_cv``
    value for out-of-fold outputs) and so are its predictions on the test
    rows. The candidates then run in parallel with joblib.

    Besides the score, each candidate is measured for what shipping it
    costs: the agreement of its predictions with the teacher's (fidelity),
    the size of its student on disk, its prediction time and its number of
    non-zero parameters. ``frontier_`` lists the candidates that no other
    candidate beats on accuracy, size and latency at once, and the best
    candidate is the most accurate one within the budgets.

    Read more in the :ref:`User Guide <search_cv>`.

    Parameters
    ----------
    teacher : estimator
        The unfitted teacher, a classifier or a regressor. It is cloned and
        fitted on every split's training rows and on all rows. A
        :class:`~sklearn.frozen.FrozenEstimator` is used as it is on every
        split, with a ``UserWarning``: trained on rows of X, it has seen the
        test rows, and the scores are optimistic.

    param_grid : dict or list of dicts
        Grid over the distiller's parameters, as in
        :class:`~sklearn.model_selection.GridSearchCV`. Every grid must set
        ``student``; ``teacher`` and its parameters cannot be searched (the
        teacher is fitted once).

    cv : int, cross-validation generator or iterable, default=5
        Splitting strategy, as in :class:`~sklearn.model_selection.GridSearchCV`
        (an int is the number of stratified folds for a classifier).

    scoring : str, callable or None, default=None
        Score of the candidates on the test rows (higher is better); ``None``
        is accuracy for classifiers, R² for regressors, weighted by
        ``sample_weight`` when it is given (with metadata routing too: the
        default scorer requests it).

    max_bytes : int or None, default=None
        Budget on ``student_bytes`` for the choice of the best candidate. The
        budget holds for the students fitted on the splits (their mean
        size); a student whose size grows with its training rows (a tree
        without ``max_depth``) may exceed it once refitted on all rows, which
        a warning says.

    max_latency_ms : float or None, default=None
        Budget on ``student_latency_ms`` (milliseconds per 1,000 rows).

    min_fidelity : float or None, default=None
        Least ``mean_test_fidelity`` of the best candidate.

    refit : bool, default=True
        Refit the best candidate on all rows (``best_estimator_``), with the
        teacher fitted once on all rows. When no candidate can be chosen
        (each one failed on some split, or every mean score is NaN), the
        search raises with ``refit=True`` and warns with ``refit=False``,
        leaving ``best_index_``, ``best_params_`` and ``best_score_`` unset.

    n_jobs : int, default=None
        Parallel jobs (joblib) over the splits' teachers and the candidates,
        one task at a time. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context. With worker processes (the
        default backend), each split's teacher comes back fitted from its
        worker, so it must pickle once fitted; a teacher that cannot (it
        holds a lock or a connection) runs with ``n_jobs=1`` or in threads
        (``joblib.parallel_config(backend="threading")``).

    verbose : int, default=0
        Progress messages.

    error_score : "raise" or float, default=np.nan
        Score of a candidate's split whose fit fails, as in
        :class:`~sklearn.model_selection.GridSearchCV`: with a number, a
        :class:`~sklearn.exceptions.FitFailedWarning` says which candidates
        failed and why, and a candidate with a failed split is neither on
        the frontier nor a choice for ``best_*`` (its size, latency and
        fidelity are those of its other splits); when every fit fails, the
        search raises. A split whose score (or fidelity, or latency) cannot
        be measured after its fit, e.g. a test fold with a category or a
        class the training fold lacks, is treated the same way, with a
        ``UserWarning``. ``"raise"`` stops the search with the first error.
        The teacher's own failures always stop the search, and so does a
        ``scoring`` that returns a dict (multi-metric scoring is not
        supported).

    Attributes
    ----------
    cv_results_ : dict of ndarray
        As in :class:`~sklearn.model_selection.GridSearchCV` (``params``,
        ``param_*``, ``split*_test_score``, ``mean_test_score``,
        ``std_test_score``, ``rank_test_score``, fit and score times), plus
        ``split*_test_fidelity``, ``mean_test_fidelity`` and
        ``std_test_fidelity`` (agreement with the teacher's predictions on
        the test rows; R² against them for a regressor), ``student_bytes``
        (size of the fitted student as :func:`skdistill.io.dump` writes it
        with ``prediction_only=True``, mean over the splits; the distiller
        without its teacher where the student alone does not answer for it,
        e.g. a regressor student of a classifier), ``student_latency_ms``
        (prediction time per 1,000 rows of that model, median over the
        splits), ``n_nonzero`` (non-zero
        parameters of the student, mean over the splits),
        ``n_failed_splits`` (the splits on which the candidate's fit or score
        failed: with a number as ``error_score`` its scores count that
        number, and it is neither on the frontier nor chosen) and
        ``within_budget``.

    frontier_ : ndarray of int
        Indices of the candidates on the Pareto front of ``mean_test_score``
        (higher is better) against ``student_bytes`` and
        ``student_latency_ms`` (lower is better), in increasing order: none
        of them is dominated by another candidate.

    best_index_ : int
        The most accurate candidate within ``max_bytes``,
        ``max_latency_ms`` and ``min_fidelity``; ties go to the smaller
        student, then (with ``max_latency_ms`` only) to the faster one, then
        to the first candidate, so that the choice is reproducible. Not set
        when no candidate can be chosen (``refit=False`` only).

    best_params_ : dict
        Parameters of the best candidate.

    best_score_ : float
        Mean test score of the best candidate.

    best_estimator_ : estimator
        The best candidate refitted on all rows, with the teacher fitted on
        all rows (wrapped in :class:`~sklearn.frozen.FrozenEstimator`, and
        ``teacher_response`` set to the output ``"auto"`` chose on the
        teacher as given, or as the candidate's teacher when it uses
        ``teacher_cv``). Only with ``refit=True``.

    teacher_ : estimator
        The teacher fitted on all rows. Only with ``refit=True``.

    teacher_score_ : float
        Mean test score of the teacher over the splits (with ``scoring``);
        NaN, with a warning, when the scoring cannot score the teacher (e.g.
        a scoring on probabilities and a teacher without ``predict_proba``).

    teacher_test_scores_ : ndarray of shape (n_splits,)
        Test score of the teacher fitted on each split.

    scorer_ : callable
        The scorer used.

    multimetric_ : bool
        False: one scoring (a callable returning several metrics is refused).

    n_splits_ : int
        Number of splits.

    refit_time_ : float
        Seconds of the refit on all rows: the teacher's fit on all rows (run
        in parallel with the splits' teachers) plus the best candidate's.

    classes_ : ndarray of shape (n_classes,)
        Classes of the best estimator (classifiers, ``refit=True``).

    n_features_in_ : int
        Number of features of the best estimator (``refit=True``).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features of the best estimator, when it has them.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : The exhaustive search this follows.
    FrontierDisplay : Accuracy against size, with the frontier.

    Notes
    -----
    Each candidate is fitted as a distiller whose teacher is the split's
    fitted teacher, frozen, whose outputs on the training rows are the
    precomputed ones (out of fold for a candidate with ``teacher_cv``): the
    scores are those of a :class:`~sklearn.model_selection.GridSearchCV`
    over the same candidates with a teacher fitted and frozen per split
    (with ``sample_weight`` and without metadata routing, from scikit-learn
    1.7: ``GridSearchCV`` 1.6 does not weigh its test scores there).
    ``student_latency_ms`` is a measurement, on a machine that may be busy
    with the other candidates: compare it within one search only.

    A candidate whose fit fails gets ``error_score`` for that split (see
    ``error_score``).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skdistill import DistillationSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = DistillationSearchCV(
    ...     RandomForestClassifier(n_estimators=20, random_state=0),
    ...     {"student": [LogisticRegression(max_iter=1000),
    ...                  DecisionTreeClassifier(max_depth=2, random_state=0)],
    ...      "alpha": [0.5, 1.0]},
    ...     cv=3,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])
    4
    >>> search.best_score_ > 0.9
    True
    >>> search.predict(X[:2])
    array([0, 0])
    """

    _parameter_constraints = {
        "teacher": [HasMethods(["fit"])],  # as the distillers: predict may need fitting
        "param_grid": [dict, list],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "max_bytes": [Interval(Integral, 1, None, closed="left"), None],
        "max_latency_ms": [Interval(Real, 0, None, closed="neither"), None],
        "min_fidelity": [Interval(Real, None, 1, closed="right"), None],
        "refit": ["boolean"],
        "n_jobs": N_JOBS_CONSTRAINTS,
        "verbose": ["verbose"],
        "error_score": [StrOptions({"raise"}), Real],
    }

    def __init__(
        self,
        teacher,
        param_grid,
        *,
        cv=5,
        scoring=None,
        max_bytes=None,
        max_latency_ms=None,
        min_fidelity=None,
        refit=True,
        n_jobs=None,
        verbose=0,
        error_score=np.nan,
    ):
        self.teacher = teacher
        self.param_grid = param_grid
        self.cv = cv
        self.scoring = scoring
        self.max_bytes = max_bytes
        self.max_latency_ms = max_latency_ms
        self.min_fidelity = min_fidelity
        self.refit = refit
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.error_score = error_score

    def _distiller_class(self):
        if is_classifier(self.teacher):
            return DistilledClassifier
        if is_regressor(self.teacher):
            return DistilledRegressor
        raise TypeError(
            f"The teacher {self.teacher!r} is neither a classifier nor a "
            "regressor; DistillationSearchCV needs one of them."
        )

    def _base_estimator(self):
        """The distiller every candidate is built from (student set per candidate)."""
        ParameterGrid(self.param_grid)  # its form, with scikit-learn's messages
        student = next(
            (
                grid["student"][0]
                for grid in _grid_dicts(self.param_grid)
                if isinstance(grid, dict) and len(grid.get("student", ())) > 0
            ),
            None,
        )
        return self._distiller_class()(self.teacher, student)

    def _scorer(self, base):
        """The scorer: ``scoring``, by default accuracy or R² (never the
        estimator's own ``score``, so that the teacher is scored from its
        precomputed predictions)."""
        if self.scoring is not None:
            return check_scoring(base, scoring=self.scoring)
        scoring = "accuracy" if is_classifier(base) else "r2"
        scorer = check_scoring(base, scoring=scoring)
        if _routing_enabled():
            # the default weighs the test rows by sample_weight, as without
            # routing (the user cannot set a request on a scorer built here)
            scorer = scorer.set_score_request(sample_weight=True)
        return scorer

    def _students(self):
        """The distinct student objects of the grid, in order."""
        return self._grid_values("student")

    def _teacher_cvs(self):
        """The distinct splitters the grid gives ``teacher_cv``, in order."""
        return [cv for cv in self._grid_values("teacher_cv") if hasattr(cv, "split")]

    def _grid_values(self, name):
        """The distinct objects the grid gives parameter ``name``, in order."""
        values, seen = [], set()
        try:
            grids = _grid_dicts(self.param_grid)
        except TypeError:
            return values
        for grid in grids:
            if not isinstance(grid, dict):
                continue
            for value in grid.get(name, ()):
                if id(value) not in seen:
                    seen.add(id(value))
                    values.append(value)
        return values

    def _grids(self):
        """The dicts of ``param_grid``, each of which must set a student."""
        grids = _grid_dicts(self.param_grid)
        for grid in grids:
            if not isinstance(grid, dict):
                raise TypeError(
                    f"param_grid must be a dict or a list of dicts; got an item "
                    f"{grid!r}."
                )
            if "student" not in grid:
                raise ValueError(
                    "Every grid of param_grid must set 'student' (a list of "
                    f"estimators); got the keys {sorted(grid)}."
                )
        return grids

    def _check_grid(self, base):
        """The candidates' parameters, checked before any teacher is fitted."""
        for grid in self._grids():
            searched = [
                key for key in grid if key == "teacher" or key.startswith("teacher__")
            ]
            if "unlabeled" in grid:
                raise ValueError(
                    "param_grid cannot set 'unlabeled': the teacher is fitted "
                    "once per split, on every row of it. Use DistilledClassifier "
                    "with unlabeled= in a GridSearchCV instead."
                )
            if searched:
                raise ValueError(
                    f"param_grid cannot search the teacher ({searched[0]!r}): "
                    "DistillationSearchCV fits one teacher per split. Search "
                    "the teacher's parameters with a GridSearchCV of their own."
                )
        candidates = list(ParameterGrid(self.param_grid))
        if not candidates:
            raise ValueError("param_grid has no candidate.")
        for params in candidates:
            clone(base).set_params(**clone(params, safe=False))  # parameter names
        return candidates

    def _routed_params(self, sample_weight, params, scorer):
        """Parameters of the teacher's fit, each student's fit, scorer, splitter,
        and (by the hash of each teacher_cv splitter) their splits'."""
        students = self._students()
        if _routing_enabled():
            routed = route_fit(self, sample_weight, params)
            return (
                dict(routed.teacher.fit),
                # each candidate distiller routes them again to its student:
                # under the names the student requests (its aliases)
                [
                    caller_params(student, "fit", routed[f"student{i}"].fit)
                    for i, student in enumerate(students)
                ],
                dict(routed.scorer.score),
                dict(routed.splitter.split),
                {
                    joblib.hash(cv): dict(routed[f"teacher_cv{i}"].split)
                    for i, cv in enumerate(self._teacher_cvs())
                },
            )
        groups = params.pop("groups", None)
        _raise_for_params(params, self, "fit")
        teacher_params = {}
        student_params = {}
        if sample_weight is not None:
            student_params["sample_weight"] = sample_weight
            if accepts_sample_weight(self.teacher):
                teacher_params = weight_kwargs(self.teacher, sample_weight, "teacher")
            else:
                warnings.warn(
                    f"The teacher {self.teacher!r} does not accept sample_weight; "
                    "it is fitted without it. The weights are used for the "
                    "students.",
                    UserWarning,
                )
        split_params = {} if groups is None else {"groups": groups}
        # as GridSearchCV: the weights go to a scorer that accepts them
        score_params = {}
        if sample_weight is not None and _scorer_accepts_sample_weight(scorer):
            score_params["sample_weight"] = sample_weight
        return (
            teacher_params,
            [student_params] * len(students),
            score_params,
            split_params,
            {},
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **params):
        """Fit the teacher once per split, then every candidate; refit the best.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training inputs, passed to the teacher and the candidates as
            given (split by rows).

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Row weights for the teacher and the students, and for the scorer
            when it accepts them (as in
            :class:`~sklearn.model_selection.GridSearchCV`); with metadata
            routing, for whatever requests them.

        **params : dict
            ``groups`` for the splitter; with metadata routing enabled, any
            parameter requested by the teacher, the students, the scorer or
            the splitter.

        Returns
        -------
        self : object
            Fitted search.
        """
        reset_fitted(self)
        base = self._base_estimator()
        candidates = self._check_grid(base)
        classifier = is_classifier(base)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        X, y = indexable(as_table(X), y)
        n_samples = n_rows(X)
        # the user's input refused as a distiller refuses it (the search hands
        # X and y through), not as a failure of the teacher fitted first
        X = base._check_X(X, reset=True)
        if isinstance(self.teacher, FrozenEstimator):
            # as the distiller refuses it: a frozen teacher's "out-of-fold"
            # outputs would be its in-sample ones
            for teacher_cv in self._grid_values("teacher_cv"):
                _teacher.check_teacher_cv(teacher_cv, n_samples, self.teacher)
        if classifier:
            # the search's own advice, before the distiller's check (which
            # suggests unlabeled=, a parameter the grid cannot set)
            check_no_missing_labels(
                missing_labels(np.asarray(y).reshape(-1)),
                f"{type(self).__name__} fits the teacher on every row of a "
                "split, so rows need a label: drop them, or use "
                "DistilledClassifier(..., unlabeled=np.nan) in a GridSearchCV.",
            )
        checked = base._check_y(y, n_samples)  # labels: classification targets
        if classifier and not isinstance(self.teacher, FrozenEstimator):
            check_two_classes(np.unique(checked[0]))
        elif classifier and hasattr(self.teacher, "classes_"):
            # labels of another kind than the frozen teacher's classes: the
            # distiller's refusal, before the teacher is asked on any split
            check_label_overlap(np.unique(checked[0]), self.teacher.classes_)
        sample_weight = check_sample_weight(sample_weight, X)
        if isinstance(self.teacher, FrozenEstimator):
            warnings.warn(
                "The teacher is a FrozenEstimator, so it is not fitted on each "
                "split's training rows: if it was trained on rows of X, it has "
                "seen the test rows, and teacher_score_ and the candidates' "
                "scores (fitted on its outputs) are optimistic. Pass the unfitted "
                "teacher to compare candidates on held-out rows.",
                UserWarning,
            )
        pairwise = [
            type(e).__name__
            for e in (self.teacher, *self._students())
            if get_tags(e).input_tags.pairwise
        ]
        if pairwise:
            raise ValueError(
                f"{pairwise[0]} takes a precomputed kernel (its pairwise tag), whose "
                "columns the search's splits would have to cut like its rows; "
                "DistillationSearchCV does not. Search with GridSearchCV("
                "DistilledClassifier(teacher, student), ...), which cuts both."
            )
        scorer = self._scorer(base)
        (
            teacher_params,
            student_params,
            score_params,
            split_params,
            teacher_cv_params,
        ) = self._routed_params(sample_weight, dict(params), scorer)
        student_index = {id(s): i for i, s in enumerate(self._students())}
        cv = check_cv(self.cv, y, classifier=classifier)
        splits = list(cv.split(X, y, **split_params))
        n_splits = len(splits)
        if n_splits == 0:
            raise ValueError(
                f"cv={self.cv!r} gave no split (an empty list, a generator "
                "already used by an earlier fit, a PredefinedSplit without a test "
                "fold). Pass a splitter or an int, which give their splits at "
                "every fit."
            )
        # each candidate built once (from clones: the grid's objects stay as
        # given), with the teacher output it reads on the training rows
        built = [clone(base).set_params(**clone(p, safe=False)) for p in candidates]
        n_classes = None
        if classifier:
            y_flat = np.asarray(y).reshape(-1)
            labeled = labeled_mask(y_flat, getattr(base, "unlabeled", None))
            n_classes = len(np.unique(y_flat[labeled]))
        output_keys = [_output_key(candidate, n_classes) for candidate in built]
        keys = sorted(set(output_keys), key=repr)
        if self.verbose > 0:
            print(
                f"DistillationSearchCV: the teacher on {n_splits} splits, then "
                f"{len(candidates)} candidates x {n_splits} splits = "
                f"{len(candidates) * n_splits} student fits"
            )

        # per split: the rows each candidate generates (see _generation)
        split_generations = []
        for train, _ in splits:
            X_train = _safe_indexing(X, train)
            split_generations.append([_generation(c, X_train) for c in built])
        # one task per dispatch: joblib's automatic batches, grown on the
        # quick candidates (a linear student), would bundle slow ones (a
        # network) in one worker's batch while the others wait at the end
        parallel = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, batch_size=1)
        jobs = [
            delayed(_prepare_split)(
                self.teacher,
                X,
                y,
                train,
                test,
                teacher_params,
                keys,
                scorer,
                score_params,
                {
                    (generation, method): candidate
                    for candidate, generation, (_, method) in zip(
                        built, generated, output_keys
                    )
                    if generation not in (None, "own")
                },
                teacher_cv_params,
            )
            for (train, test), generated in zip(splits, split_generations)
        ]
        # the refit's teacher on all rows, in parallel with the splits' ones,
        # unless every candidate fits its own (out-of-fold targets)
        if self.refit and any(teacher_cv is None for teacher_cv, _ in keys):
            jobs.append(
                delayed(_timed)(_fit_teacher, self.teacher, X, y, teacher_params)
            )
        prepared = self._run_teachers(parallel, jobs)
        full_teacher, teacher_time = (
            prepared[n_splits] if len(prepared) > n_splits else (None, 0.0)
        )
        prepared = [
            (fitted, {**dict(zip(keys, responses)), **generated}, *rest)
            for fitted, responses, generated, *rest in prepared[:n_splits]
        ]
        if isinstance(self.teacher, FrozenEstimator):
            self._check_frozen_teacher(
                built, output_keys, prepared[0][1], splits[0][0], checked,
                sample_weight,
            )

        tasks = []
        for (train, test), (fitted, outputs, y_teacher, *_), generated in zip(
            splits, prepared, split_generations
        ):
            X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
            X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
            teachers = {}
            for params_, generation, key in zip(candidates, generated, output_keys):
                method = key[1]
                if (key, generation) not in teachers:
                    # light (only the outputs, no fitted teacher to send to
                    # the workers) unless the candidate's rows are its own
                    cache = {method: [(X_train, outputs[key])]}
                    # (the generated rows, unless none were generated or
                    # their generation failed; (None, method) is the key of
                    # the in-sample outputs)
                    if generation not in (None, "own") and (
                        (generation, method) in outputs
                    ):
                        cache[method].append(outputs[generation, method])
                    # light when every row it is asked about is cached;
                    # rows whose generation or labelling failed go to the
                    # fitted teacher, whose own error the candidate reports
                    light = generation is None or (generation, method) in outputs
                    teachers[key, generation] = _SplitTeacher.wrap(
                        fitted, cache, light=light, teacher_cv=_key_teacher_cv(key[0])
                    )
                fit_params = index_params(
                    student_params[student_index[id(params_["student"])]],
                    train,
                    n_samples,
                )
                tasks.append(
                    (
                        params_,
                        teachers[key, generation],
                        X_train,
                        y_train,
                        X_test,
                        y_test,
                        fit_params,
                        index_params(score_params, test, n_samples),
                        y_teacher,
                        method if classifier else None,
                        None if sample_weight is None else sample_weight[test],
                    )
                )
        # candidate-major order of the results, as GridSearchCV
        order = [
            s * len(candidates) + c
            for c in range(len(candidates))
            for s in range(n_splits)
        ]
        out = parallel(
            delayed(_fit_and_score)(
                base, params_, teacher, X_tr, y_tr, X_te, y_te, fp, scorer, sp, y_t,
                self.error_score, method, w_te,
            )
            for params_, teacher, X_tr, y_tr, X_te, y_te, fp, sp, y_t, method, w_te in (
                tasks[i] for i in order
            )
        )
        _warn_or_raise_about_failures(out)

        self.scorer_ = scorer
        self.multimetric_ = False  # one scoring, as GridSearchCV says it
        self.n_splits_ = n_splits
        self.teacher_test_scores_ = np.array([p[3] for p in prepared])
        self.teacher_score_ = float(np.mean(self.teacher_test_scores_))
        failure = next((p[4] for p in prepared if p[4] is not None), None)
        if failure is not None:
            warnings.warn(
                f"The teacher could not be scored with scoring={self.scoring!r} "
                f"({failure.replace('_SplitTeacher', type(self.teacher).__name__)}); "
                "teacher_score_ is NaN. The candidates are scored as usual.",
                UserWarning,
            )
        # the traceback of each candidate split's failed fit or score
        failures = [o.get("error") or o.get("score_error") for o in out]
        failed = np.array([f is not None for f in failures]).reshape(-1, n_splits)
        fitted_everywhere = ~failed.any(axis=1)
        self.cv_results_ = self._format_results(
            candidates, n_splits, out, fitted_everywhere
        )
        self.cv_results_["n_failed_splits"] = failed.sum(axis=1)
        results = self.cv_results_
        self.frontier_ = results_front(results)
        if not fitted_everywhere.any():
            first = next(f for f in failures if f is not None)
            return self._none_to_choose(
                "Every candidate failed (its fit or its score) on at least one "
                "split, so none can be chosen",
                f"The first failure: {first.strip().splitlines()[-1]}",
            )
        if np.isnan(results["mean_test_score"][fitted_everywhere]).all():
            return self._none_to_choose(
                "Every candidate's mean test score is NaN, so none can be chosen",
                f"scoring={self.scoring!r} gave NaN on some split: e.g. R² on a "
                "test fold of one row, or an error_score of NaN.",
            )
        self.best_index_ = self._best_index(results, fitted_everywhere)
        self.best_params_ = results["params"][self.best_index_]
        self.best_score_ = float(results["mean_test_score"][self.best_index_])

        if self.refit:
            start = time.perf_counter()
            best_student = student_params[
                student_index[id(self.best_params_["student"])]
            ]
            self._refit(
                base, X, y, teacher_params, best_student, full_teacher, n_classes,
                teacher_cv_params,
            )
            # with the teacher's fit on all rows, done with the splits' teachers
            self.refit_time_ = teacher_time + time.perf_counter() - start
            if self.max_bytes is not None:
                # the budget held for the splits' students (their mean); a
                # student refitted on more rows may grow (a tree, a forest)
                refitted = student_bytes(self.best_estimator_)
                if refitted > self.max_bytes:
                    student = self.best_estimator_.student_
                    grown = count_nonzero_parameters(student) > (
                        results["n_nonzero"][self.best_index_]
                    )
                    # the parameters that bound a tree's size (of a forest,
                    # of boosting), wherever they are in the student
                    bounds = [
                        name for name in ("max_depth", "max_leaf_nodes")
                        if any(
                            key.rpartition("__")[2] == name
                            for key in student.get_params()
                        )
                    ]
                    if grown and bounds:
                        advice = (
                            "Bound its size by its parameters "
                            f"({', '.join(bounds)})"
                        )
                    elif grown:
                        advice = (
                            "It has more non-zero parameters than they had "
                            "(a network or a linear model has more weights "
                            "when its input has more columns, such as "
                            "categories that some splits did not see); leave "
                            "max_bytes a margin"
                        )
                    else:
                        advice = (
                            "It has no more parameters than they had: its "
                            "compressed file varies by a few bytes with their "
                            "values; leave max_bytes a margin"
                        )
                    warnings.warn(
                        f"The best candidate, refitted on all rows, has "
                        f"{refitted} bytes, more than max_bytes={self.max_bytes} "
                        "(its students on the splits had "
                        f"{results['student_bytes'][self.best_index_]:.0f} on "
                        f"average). {advice}, or choose another candidate of "
                        "cv_results_.",
                        UserWarning,
                    )
        return self

    def _run_teachers(self, parallel, jobs):
        """``parallel(jobs)``: the splits' teachers (and the refit's).

        Each comes back fitted from its worker process; one that cannot be
        pickled once fitted makes joblib raise a bare pickling error, which
        is reworded to say why the search needs it.
        """
        try:
            return parallel(jobs)
        except _TRANSPORT_ERRORS as exc:
            named = (str(exc), *getattr(exc, "__notes__", ()))
            if "pickl" not in str(exc).lower() or any(
                text.startswith(("The teacher", "The student")) for text in named
            ):  # not the transport: the teacher's own error, named already
                raise
            # (multiprocessing's error quotes the whole result: its start)
            text = str(exc) if len(str(exc)) <= 300 else f"{str(exc)[:300]}..."
            raise TypeError(
                f"An object could not be pickled between the search's worker "
                f"processes (n_jobs={self.n_jobs}): {type(exc).__name__}: {text}. "
                "Each split's teacher is fitted in a worker and sent back to the "
                "search, which hands its outputs to every candidate, so the "
                f"teacher {type(self.teacher).__name__} must pickle once fitted, "
                "as well as before (GridSearchCV never sends a fitted one back). "
                "Use n_jobs=1, or threads: with joblib.parallel_config("
                "backend='threading'): search.fit(X, y)."
            ) from exc

    def _refit(
        self, base, X, y, teacher_params, student_params, teacher, n_classes,
        teacher_cv_params,
    ):
        """Fit the best candidate on all rows, the teacher fitted once there.

        ``teacher`` is the teacher fitted on all rows by :meth:`fit` (None
        when every candidate reads out-of-fold outputs).
        """
        best = clone(base).set_params(**clone(self.best_params_, safe=False))
        teacher_cv, method = _output_key(best, n_classes)  # on the teacher as given
        if teacher_cv is not None:
            # out-of-fold targets: the distiller fits the teacher on all rows
            # and its clones on the folds (which get their split's parameters)
            params = self._candidate_fit_params(teacher_params, student_params)
            params.update(teacher_cv_params.get(joblib.hash(best.teacher_cv), {}))
            best.fit(X, y, **params)
            self.teacher_ = best.teacher_
        else:
            self.teacher_ = teacher
            best.set_params(teacher=FrozenEstimator(self.teacher_), teacher_cv=None)
            if is_classifier(best):
                best.set_params(teacher_response=method)
            with warnings.catch_warnings():
                # fitted here, on these rows, or frozen by the user and
                # warned of by fit (see _check_frozen_teacher)
                warnings.filterwarnings(
                    "ignore", "The frozen teacher's predictions", UserWarning
                )
                best.fit(X, y, **student_params)
        self.best_estimator_ = best

    def _check_frozen_teacher(
        self, built, output_keys, outputs, train, checked, sample_weight
    ):
        """Warn of a frozen teacher trained elsewhere, as a distiller's fit does.

        Its classes relabelled against y's, or its predictions on another
        scale of y: read on the first split's training rows, once for the
        search (the candidates are fitted in workers, whose warnings do not
        reach the user, and the refit's distiller is silenced), whenever a
        candidate reads the teacher (``alpha > 0``).
        """
        key = next((k for c, k in zip(built, output_keys) if c.alpha > 0), None)
        if key is None:
            return
        output = outputs[key]
        weight = None if sample_weight is None else sample_weight[train]
        try:
            if isinstance(checked, tuple):  # labels (all given: checked by fit)
                y = checked[0][train]
                teacher_classes = self.teacher.classes_
                classes = union_classes(np.unique(y), teacher_classes)
                logits = logits_from_output(output, teacher_classes, classes, key[1])
                predicted = np.argmax(logits, axis=1)
                y_encoded = np.searchsorted(classes, y)
            else:
                y = checked[train]
                output = _as_targets(output, y.shape[1:], len(y))
        except Exception:  # noqa: BLE001 (the candidates' own errors, error_score)
            return
        if isinstance(checked, tuple):
            _warn_relabelled(predicted, y_encoded, weight, classes, teacher_classes)
        elif weight is None or np.any(weight):  # (all 0: the candidates fail)
            _warn_off_target(output, y, weight)

    def _candidate_fit_params(self, teacher_params, student_params):
        """Fit parameters of a distiller with an unfrozen teacher."""
        if _routing_enabled():  # routed again by the distiller: its aliases
            teacher_params = caller_params(self.teacher, "fit", teacher_params)
            return {**teacher_params, **student_params}
        return dict(student_params)

    def _format_results(self, candidates, n_splits, out, fitted_everywhere):
        n_candidates = len(candidates)

        def table(key):
            return np.array([o[key] for o in out], dtype=np.float64).reshape(
                n_candidates, n_splits
            )

        results = {}
        for key in ("fit_time", "score_time"):
            values = table(key)
            results[f"mean_{key}"] = values.mean(axis=1)
            results[f"std_{key}"] = values.std(axis=1)
        names = sorted({name for params in candidates for name in params})
        for name in names:
            given = {i: p[name] for i, p in enumerate(candidates) if name in p}
            column = np.ma.MaskedArray(
                np.empty(n_candidates, dtype=_param_dtype(list(given.values()))),
                mask=True,
            )
            for i, value in given.items():
                column[i] = value
            results[f"param_{name}"] = column
        results["params"] = candidates
        for key, name in (("score", "test_score"), ("fidelity", "test_fidelity")):
            values = table(key)
            for s in range(n_splits):
                results[f"split{s}_{name}"] = values[:, s]
            results[f"mean_{name}"] = values.mean(axis=1)
            results[f"std_{name}"] = values.std(axis=1)
        means = results["mean_test_score"]
        if not np.isfinite(means).all():  # as GridSearchCV warns
            warnings.warn(
                f"One or more of the test scores are non-finite: {means}",
                category=UserWarning,
            )
        filled = np.where(np.isnan(means), np.nanmin(means) - 1, means) if (
            not np.isnan(means).all()
        ) else np.zeros_like(means)
        results["rank_test_score"] = rankdata(-filled, method="min").astype(np.int32)
        # sizes over the splits that fitted (-1 when none did)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
            for key, name in (("bytes", "student_bytes"), ("n_nonzero", "n_nonzero")):
                mean = np.rint(np.nanmean(table(key), axis=1))
                results[name] = np.where(np.isnan(mean), -1, mean).astype(np.int64)
            results["student_latency_ms"] = np.nanmedian(table("latency"), axis=1)
        within = fitted_everywhere.copy()
        if self.max_bytes is not None:
            within &= results["student_bytes"] <= self.max_bytes
        if self.max_latency_ms is not None:
            within &= results["student_latency_ms"] <= self.max_latency_ms
        if self.min_fidelity is not None:
            within &= results["mean_test_fidelity"] >= self.min_fidelity
        results["within_budget"] = within
        return results

    def _none_to_choose(self, what, why):
        """End a search in which no candidate can be chosen.

        With ``refit=True``, an error; with ``refit=False``, which needs no
        choice, a warning, as :class:`~sklearn.model_selection.GridSearchCV`
        ends with non-finite scores: ``cv_results_`` and ``frontier_`` are
        set, ``best_index_``, ``best_params_`` and ``best_score_`` are not.
        """
        if self.refit:
            raise ValueError(
                f"{what} (cv_results_ and frontier_ are set; the warnings say "
                f"why). {why}"
            )
        warnings.warn(
            f"{what}: best_index_, best_params_ and best_score_ are not set "
            f"(cv_results_ and frontier_ are). {why}",
            UserWarning,
            stacklevel=3,
        )
        return self

    def _best_index(self, results, fitted_everywhere):
        scored = fitted_everywhere & ~np.isnan(results["mean_test_score"])
        within = results["within_budget"] & scored
        if not within.any():
            budgets = ", ".join(
                f"{name}={value!r}"
                for name, value in (
                    ("max_bytes", self.max_bytes),
                    ("max_latency_ms", self.max_latency_ms),
                    ("min_fidelity", self.min_fidelity),
                )
                if value is not None
            )
            # over the candidates that could be chosen but for the budgets
            raise ValueError(
                f"No candidate is within the budgets {budgets}: the smallest "
                f"student has {int(results['student_bytes'][scored].min())} bytes, "
                "the fastest predicts in "
                f"{np.nanmin(results['student_latency_ms'][scored]):.3g} ms "
                "per 1,000 rows and the highest fidelity is "
                f"{np.nanmax(results['mean_test_fidelity'][scored]):.3f}. Loosen a "
                "budget or add smaller students to param_grid (cv_results_ and "
                "frontier_ are set)."
            )
        candidates = np.flatnonzero(within)
        # highest score, then fewest bytes, then (with a latency budget only:
        # latency is measured, and would make the choice vary from run to
        # run) fastest, then the first candidate
        keys = [candidates]
        if self.max_latency_ms is not None:
            keys.append(results["student_latency_ms"][candidates])
        keys += [
            results["student_bytes"][candidates],
            -results["mean_test_score"][candidates],
        ]
        order = np.lexsort(keys)
        return int(candidates[order[0]])

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            ``fit`` routes to the teacher's and the students' ``fit``, the
            scorer's ``score`` and the splitter's ``split``; ``score`` to the
            scorer.
        """
        self._grids()  # a grid without students has no router to describe
        fit = MethodMapping().add(caller="fit", callee="fit")
        router = MetadataRouter(owner=type(self).__name__)
        router.add(teacher=self.teacher, method_mapping=fit)
        for i, student in enumerate(self._students()):
            router.add(**{f"student{i}": student}, method_mapping=fit)
        # the grid's teacher_cv splitters: their split gets (groups) in fit
        for i, cv in enumerate(self._teacher_cvs()):
            router.add(
                **{f"teacher_cv{i}": cv},
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        router.add(
            scorer=self._scorer(self._base_estimator()),
            method_mapping=MethodMapping()
            .add(caller="fit", callee="score")
            .add(caller="score", callee="score"),
        )
        # cv as given, as GridSearchCV: check_cv would use up an iterator
        router.add(
            splitter=self.cv,
            method_mapping=MethodMapping().add(caller="fit", callee="split"),
        )
        return router

    @available_if(_search_has("predict"))
    def predict(self, X):
        """Predict with the best estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predictions of ``best_estimator_``.
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)

    @available_if(_search_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the best estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict_proba(X)

    @available_if(_search_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Logarithm of the class probabilities of the best estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict_log_proba(X)

    @available_if(_search_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the best estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        scores : ndarray
            Decision function of ``best_estimator_``.
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.decision_function(X)

    def score(self, X, y, **params):
        """Score of the best estimator with ``scorer_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.

        **params : dict
            With metadata routing enabled, parameters of the scorer (such as
            ``sample_weight``).

        Returns
        -------
        score : float
            Higher is better.
        """
        best = self._refitted("score")
        if _routing_enabled():
            score_params = process_routing(self, "score", **params).scorer.score
        else:
            _raise_for_params(params, self, "score")
            score_params = {}
        return self.scorer_(best, X, y, **score_params)

    def _refitted(self, what):
        """``best_estimator_``; without it (``refit=False``), an
        AttributeError naming ``what``, as GridSearchCV raises."""
        if not self.refit:
            raise AttributeError(
                f"This {type(self).__name__} was initialized with refit=False: "
                f"{what} is available only after refitting the best candidate "
                "on all rows (refit=True)."
            )
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_

    @property
    def classes_(self):
        """Classes of the best estimator."""
        return self._refitted("classes_").classes_

    @property
    def n_features_in_(self):
        """Number of features seen by the best estimator."""
        return self._refitted("n_features_in_").n_features_in_

    @property
    def feature_names_in_(self):
        """Feature names seen by the best estimator."""
        return self._refitted("feature_names_in_").feature_names_in_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            base_tags = get_tags(self._base_estimator())
        except (TypeError, AttributeError):  # a bad teacher or no student yet
            return tags
        tags.estimator_type = base_tags.estimator_type
        tags.classifier_tags = deepcopy(base_tags.classifier_tags)
        tags.regressor_tags = deepcopy(base_tags.regressor_tags)
        tags.target_tags = deepcopy(base_tags.target_tags)
        student_tags = [get_tags(s) for s in self._students()]
        # the grid's augment values, as the distillers' tags read theirs:
        # generated rows are dense, and need complete ones
        augments = self._grid_values("augment")
        tags.input_tags.sparse = (
            base_tags.input_tags.sparse
            and all(t.input_tags.sparse for t in student_tags)
            and all(a is None or a == "auto" for a in augments)
        )
        tags.input_tags.allow_nan = (
            base_tags.input_tags.allow_nan
            # as the distillers read a student (a Pipeline that imputes takes it)
            and all(accepts_nan(s) for s in self._students())
            and not any(isinstance(a, str) and a in _GENERATORS for a in augments)
        )
        return tags
