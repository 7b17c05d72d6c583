"""Teacher work that does not depend on the student: fitting, outputs, caching."""

import warnings
from collections.abc import Iterator
from numbers import Integral

import joblib
import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    clone,
    is_classifier,
)
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import check_cv, cross_val_predict
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import _safe_indexing, gen_batches, get_tags
from sklearn.utils.metadata_routing import _routing_enabled, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted, check_memory

from ._frames import column_names, concat_rows, is_dataframe, select_columns

# Rows per chunk of teacher inference: bounds the memory of one call.
CHUNK_SIZE = 20_000


def teacher_response(teacher, X, method, *, n_jobs=None, chunk_size=CHUNK_SIZE):
    """Call ``teacher.<method>`` on row chunks, in parallel with joblib.

    Parameters
    ----------
    teacher : fitted estimator
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
    method : str
        ``"predict_proba"``, ``"decision_function"`` or ``"predict"``.
    n_jobs : int, default=None
        Number of parallel jobs (threads by default; the backend can be
        changed with :func:`joblib.parallel_config`).
    chunk_size : int, default=20000
        Rows per call.

    Returns
    -------
    output : ndarray
        The teacher's output for all rows, identical to one call on ``X``
        (but a two-class one-vs-one vote share, centred: see
        :func:`~skdistill._targets.centred_binary_scores`); a new array that
        the caller owns (it may overwrite it).
    """
    from ._targets import centred_binary_scores  # imports this module

    check_column_order(teacher, X, method)
    n_samples = X.shape[0]
    func = getattr(teacher, method)
    if n_samples <= chunk_size:
        output = np.array(_single_output(func(X), method, n_samples), copy=True)
    else:
        batches = list(gen_batches(n_samples, chunk_size))
        chunks = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(func)(_safe_indexing(X, batch)) for batch in batches
        )
        output = np.concatenate(
            [
                np.asarray(_single_output(c, method, b.stop - b.start))
                for c, b in zip(chunks, batches)
            ],
            axis=0,
        )
    if getattr(type(teacher), "_outputs_centred", False):
        return output  # a search split's teacher: centred when computed
    return centred_binary_scores(teacher, output, method)


def _single_output(output, method, n_samples=None):
    """Refuse the list of 2-D arrays of a multi-output or multilabel model,
    and an output of another number of rows than the ``n_samples`` asked.

    Other lists (of values, or of rows) are one output, as an array; a
    sparse matrix, a dense array.
    """
    if isinstance(output, (list, tuple)):
        if output and all(np.ndim(item) == 2 for item in output):
            raise ValueError(
                f"{method} returned a list of {len(output)} arrays: a "
                "multi-output or multilabel teacher cannot be distilled; "
                "skdistill distils one output"
            )
        output = np.asarray(output)
    elif sparse.issparse(output):
        output = output.toarray()
    if n_samples is not None and np.shape(output)[:1] != (n_samples,):
        raise ValueError(
            f"{method} returned {np.shape(output)[0] if np.ndim(output) else 0} "
            f"rows for {n_samples} rows of X; a teacher must answer once per row."
        )
    return output


def _estimator_has(attr):
    def check(self):
        return hasattr(getattr(self, "estimator_", self.estimator), attr)

    return check


class LabelEncodedClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """A classifier fitted on labels encoded as ``0..K-1``, answering in the labels.

    Some classifiers (XGBoost's, for one) accept only the labels ``0..K-1``.
    This wrapper fits a clone of ``estimator`` on the codes of the sorted
    labels, as :class:`~sklearn.ensemble.StackingClassifier` does for its
    estimators, and maps the answers back: ``classes_`` are the original
    labels, ``predict`` returns them, and the columns of ``predict_proba`` and
    ``decision_function`` follow ``classes_``.

    Parameters
    ----------
    estimator : classifier
        The classifier to fit on the codes.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone; its ``classes_`` are ``0..K-1``.

    classes_ : ndarray of shape (n_classes,)
        The original labels; code ``k`` is ``classes_[k]``.

    n_features_in_ : int
        Number of features seen during :term:`fit` (when the estimator has it).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit` (when the estimator has
        them).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdistill._teacher import LabelEncodedClassifier
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> clf = LabelEncodedClassifier(LogisticRegression()).fit(X, ["b", "b", "a", "a"])
    >>> clf.estimator_.classes_, clf.classes_
    (array([0, 1]), array(['a', 'b'], dtype='<U1'))
    >>> clf.predict(X)
    array(['b', 'b', 'a', 'a'], dtype='<U1')
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y, **fit_params):
        """Fit a clone of the estimator on the codes of ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Passed to the estimator as is.
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Parameters of the estimator's ``fit``. The labels of an
            ``eval_set`` (a list of ``(X, y)`` pairs, XGBoost's and LightGBM's
            validation sets) are encoded like ``y``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        encoder = LabelEncoder().fit(y)
        if fit_params.get("eval_set") is not None:
            fit_params = {**fit_params, "eval_set": _encoded_eval_set(
                fit_params["eval_set"], encoder
            )}
        estimator = clone(self.estimator).fit(X, encoder.transform(y), **fit_params)
        codes = np.arange(len(encoder.classes_))
        inner = np.asarray(getattr(estimator, "classes_", codes))
        if inner.shape != codes.shape or not np.array_equal(inner, codes):
            raise ValueError(
                f"The teacher {self.estimator!r} was fitted on the labels encoded "
                f"as {codes.tolist()} but reports classes_ {inner.tolist()}; a "
                "classifier teacher must take its classes from y."
            )
        self.estimator_ = estimator
        self.classes_ = encoder.classes_
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(estimator, name):
                setattr(self, name, getattr(estimator, name))
        return self

    def predict(self, X):
        """Labels predicted by the estimator, mapped back from the codes.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        codes = np.asarray(self.estimator_.predict(X)).reshape(-1)
        return self.classes_[codes.astype(np.intp)]

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the estimator (columns follow ``classes_``).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the estimator (columns follow ``classes_``).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the estimator (columns follow ``classes_``).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            ``fit`` routes to the estimator's ``fit``.
        """
        from ._fitting import RoutesFitToEstimator  # imports this module

        return RoutesFitToEstimator.get_metadata_routing(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags = inner.input_tags
        return tags


def _encoded_eval_set(eval_set, encoder):
    """``eval_set``'s ``(X, y)`` pairs with ``y`` encoded by ``encoder``."""
    pairs = []
    for X_eval, y_eval in eval_set:
        try:
            pairs.append((X_eval, encoder.transform(np.asarray(y_eval).ravel())))
        except ValueError as exc:
            raise ValueError(
                "The labels of eval_set must be among y's labels "
                f"{encoder.classes_.tolist()} (they are encoded like y for a "
                f"teacher fitted on codes): {exc}"
            ) from exc
    return pairs


def needs_encoding(y):
    """Whether the labels ``y`` are anything but the integers ``0..K-1``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)

    Returns
    -------
    needs : bool
        ``False`` when the sorted distinct labels are exactly the integers
        ``0..K-1`` (encoding them would change nothing).
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":  # booleans are not codes
        return True
    labels = np.unique(y)
    return not np.array_equal(labels, np.arange(len(labels)))


def _fit_clone(teacher, X, y, fit_params):
    """Fit a clone of ``teacher``; on the codes of the labels when it needs them.

    A classifier is fitted on the labels as given. When they are not
    ``0..K-1`` and the classifier refuses them (XGBoost's classifiers accept
    only ``0..K-1``), it is fitted on their codes instead, wrapped in
    :class:`LabelEncodedClassifier` so that it answers in the original labels;
    so is one that takes boolean labels but reports integer ``classes_``
    (XGBoost's). If it refuses the codes too, the error on the original labels
    is raised.
    """
    if not (is_classifier(teacher) and needs_encoding(y)):
        return clone(teacher).fit(X, y, **fit_params)
    # The warnings of an attempt that fails are the attempt's, not the user's:
    # they are kept aside and shown only if the attempt succeeds. (With numpy
    # < 1.25, XGBoost's comparison of string labels with its codes warns and
    # then fails with an AttributeError instead of its ValueError.)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitted = clone(teacher).fit(X, y, **fit_params)
        except (ValueError, TypeError, AttributeError) as exc:
            fitted, error = None, exc
    if fitted is not None and _reports_labels(fitted, y):
        for record in caught:
            warnings.warn_explicit(
                record.message, record.category, record.filename, record.lineno
            )
        return fitted
    # it refused the labels, or took booleans but answers in 0/1 (XGBoost
    # does): fit it on their codes
    try:
        return LabelEncodedClassifier(teacher).fit(X, y, **fit_params)
    except Exception as retry:
        if fitted is not None:
            raise
        from ._fitting import add_note  # imports this module

        add_note(
            error,
            "Fitted on the labels encoded as 0..K-1 instead, it failed too: "
            f"{type(retry).__name__}: {retry}",
        )
        raise error from None


def _reports_labels(fitted, y):
    """Whether a classifier fitted on boolean labels reports booleans."""
    classes = getattr(fitted, "classes_", None)
    return not (
        np.asarray(y).dtype.kind == "b"
        and classes is not None
        and np.asarray(classes).dtype.kind != "b"
    )


def _fit_and_respond(teacher, X, y, fit_params, method, folds, n_jobs, cv=None):
    """Fit a clone of ``teacher`` and compute its outputs on the training rows.

    A classifier teacher that refuses labels other than ``0..K-1`` is fitted
    on their codes and answers in the original labels (see
    :func:`_fit_clone`). With ``folds`` (``teacher_cv``'s, drawn by
    :func:`teacher_folds`; ``cv`` names it in errors), the outputs come from
    cross-validated clones, out of fold (:func:`out_of_fold_response`); the
    returned teacher is still fitted on all rows. Module level so that
    :class:`joblib.Memory` can cache it, keyed on the folds themselves (not
    ``cv``, whose next draw a ``RandomState`` seed changes).

    Returns
    -------
    teacher : fitted estimator
    output : ndarray
    output_classes : ndarray or None
        Original labels of the output columns of a classifier.
    """
    from ._fitting import blame  # imports this module

    fitted = _fit_clone(teacher, X, y, fit_params)
    if folds is None:
        with blame("teacher", fitted, method):  # not its fit's failure
            output = teacher_response(fitted, X, method, n_jobs=n_jobs)
        return fitted, output, getattr(fitted, "classes_", None)
    output = out_of_fold_response(
        teacher, fitted, X, y, fit_params, method, cv, n_jobs, folds=folds
    )
    return fitted, output, (np.unique(y) if is_classifier(teacher) else None)


def teacher_folds(teacher, X, y, cv, split_params=None):
    """``teacher_cv``'s folds of the teacher's rows, drawn once.

    Returns ``[(train, test), ...]``, whose test rows are a partition of the
    rows (checked: ``cross_val_predict`` refuses others). A splitter seeded
    with a ``RandomState`` instance draws other folds at its next ``split``:
    the out-of-fold outputs are computed, and cached, on these.
    """
    splitter = check_cv(cv, y, classifier=is_classifier(teacher))
    split_params = split_params or {}
    try:  # the splitter's refusal (GroupKFold without groups) is not the teacher's
        folds = list(splitter.split(X, y, **split_params))
    except (ValueError, TypeError) as exc:
        hint = (
            " Pass groups to fit with metadata routing enabled "
            "(sklearn.set_config(enable_metadata_routing=True)) and "
            "teacher_cv.set_split_request(groups=True)."
            if "groups" in str(exc) and not split_params
            else ""
        )
        raise ValueError(
            f"teacher_cv={cv!r} could not split the teacher's rows: {exc}{hint}"
        ) from exc
    # a splitter that leaves rows out or repeats them (TimeSeriesSplit,
    # ShuffleSplit): cross_val_predict's refusal, named as teacher_cv's
    _check_partition([test for _, test in folds], len(y), f"teacher_cv={cv!r}")
    return folds


def out_of_fold_response(
    teacher, fitted, X, y, fit_params, method, cv, n_jobs=None, split_params=None,
    folds=None,
):
    """Out-of-fold outputs of clones of ``teacher`` on ``X`` (``cv``'s folds).

    ``folds`` are ``cv``'s, already drawn by :func:`teacher_folds`; by
    default they are drawn here (with the routed ``split_params``).

    :func:`~sklearn.model_selection.cross_val_predict` hands a classifier the
    codes ``0..K-1`` of ``y``; the folds' clones are fitted on ``y``'s own
    labels instead (see :class:`_FoldTeacher`), so that what the user keys
    by label (a ``class_weight`` dict, the labels of an ``eval_set``) means
    the same in the folds as in the fit on all rows. ``fitted`` is that fit
    (by :func:`_fit_clone`): when it needed the codes of the labels, so do
    the folds' clones.
    """
    classifier = is_classifier(teacher)
    if folds is None:
        folds = teacher_folds(teacher, X, y, cv, split_params)
    from ._fitting import add_note, caller_params  # imports this module

    if _routing_enabled():
        # cross_val_predict routes them again: under the names the teacher
        # requests (its aliases), not the names they were routed under
        fit_params = caller_params(teacher, "fit", fit_params)
    from ._targets import centred_binary_scores  # imports this module

    folds_teacher = teacher
    if classifier:
        folds_teacher = _FoldTeacher(
            teacher, np.unique(y), encoded=isinstance(fitted, LabelEncodedClassifier)
        )
    try:  # the folds drawn (the routed groups were the splitter's)
        output = cross_val_predict(
            folds_teacher, X, y, cv=folds, method=method, params=fit_params,
            n_jobs=n_jobs,
        )
    except ValueError as exc:
        if "class/es in training fold" not in str(exc):
            add_note(exc, f"In the folds of teacher_cv={cv!r} (out-of-fold outputs).")
            raise
        # cross_val_predict's refusal to place a fold's binary scores among
        # more classes: not the teacher's failure
        probabilities = (
            ", or teacher_response='predict_proba'"
            if hasattr(teacher, "predict_proba") and method != "predict_proba"
            else ""
        )
        if np.unique(y, return_counts=True)[1].min() < 2:
            # a class of one row: in the training rows of one fold at most
            remedy = (
                "A class of y has a single row, which no split into two or "
                "more folds keeps in every fold's training rows: drop that row "
                f"or leave teacher_cv unset{probabilities}."
            )
        else:
            remedy = (
                "Use a splitter that keeps every class in every fold "
                f"(StratifiedKFold, fewer folds){probabilities}."
            )
        raise ValueError(
            f"teacher_cv={cv!r}: a fold's training rows lack a class, and the "
            f"teacher's {method} outputs of such a fold cannot be placed among "
            f"the classes of y ({str(exc).rstrip('.')}). {remedy}"
        ) from exc
    except Exception as exc:  # say which setting asked for the folds
        add_note(exc, f"In the folds of teacher_cv={cv!r} (out-of-fold outputs).")
        raise
    return centred_binary_scores(teacher, output, method)  # as teacher_response


def columns_in_order(output, labels, order):
    """A classifier's ``output``, columns following ``labels``, put in ``order``.

    ``order`` is a permutation of ``labels``. A binary 1-D score (of the
    second label against the first) is negated when the two are swapped.
    """
    labels, order = np.asarray(labels), np.asarray(order)
    if np.array_equal(labels, order):
        return output
    if np.ndim(output) == 1:
        return -np.asarray(output)
    position = {label: k for k, label in enumerate(labels.tolist())}
    return np.asarray(output)[:, [position[label] for label in order.tolist()]]


class _FoldTeacher(LabelEncodedClassifier):
    """The teacher in one fold of ``cross_val_predict``, fitted on the labels.

    ``cross_val_predict`` fits a classifier on the codes ``0..K-1`` of ``y``
    (over all rows) and places its output columns by its ``classes_``; this
    wrapper turns the codes back into ``labels`` for the teacher's ``fit``
    (by :func:`_fit_clone`, or on the fold's own codes when ``encoded``) and
    reports the codes of the classes it was fitted on, sorted, with the
    columns of its outputs in their order: ``cross_val_predict`` reorders
    columns only when a fold lacks a class, and reads them as sorted
    otherwise (a teacher may keep its classes in its own order, as
    CatBoost's ``class_names`` do).

    Parameters
    ----------
    estimator : classifier
        The teacher.
    labels : ndarray of shape (n_classes,)
        The sorted labels of all rows; code ``k`` is ``labels[k]``.
    encoded : bool, default=False
        Fit the teacher on the codes of the fold's labels
        (:class:`LabelEncodedClassifier`), as the fit on all rows needed.
    """

    def __init__(self, estimator, labels, encoded=False):
        self.estimator = estimator
        self.labels = labels
        self.encoded = encoded

    def fit(self, X, y, **fit_params):
        """Fit the teacher on ``labels[y]``; ``classes_`` are the codes it knows."""
        if _routing_enabled():  # from cross_val_predict, under the aliases
            fit_params = dict(process_routing(self, "fit", **fit_params).estimator.fit)
        y = self.labels[np.asarray(y, dtype=np.intp)]
        if self.encoded:
            fitted = LabelEncodedClassifier(self.estimator).fit(X, y, **fit_params)
        else:
            fitted = _fit_clone(self.estimator, X, y, fit_params)
        classes = np.asarray(fitted.classes_)
        codes = np.searchsorted(self.labels, classes)
        if np.any(codes >= len(self.labels)) or not np.array_equal(
            self.labels[np.minimum(codes, len(self.labels) - 1)], classes
        ):
            raise ValueError(
                f"The teacher {self.estimator!r}, fitted on a fold, reports "
                f"classes_ {classes.tolist()[:5]} that are not among y's labels "
                f"{self.labels.tolist()[:5]}; a classifier teacher must take its "
                "classes from y."
            )
        self.estimator_ = fitted
        self.codes_ = codes  # of the teacher's columns, in its order
        self.classes_ = np.sort(codes)
        return self

    def predict(self, X):
        """The codes of the labels the teacher predicts."""
        check_is_fitted(self)
        labels = np.asarray(self.estimator_.predict(X)).reshape(-1)
        return np.searchsorted(self.labels, labels)

    def _respond(self, method, X):
        """The teacher's ``method`` on ``X``, columns in the order of ``classes_``."""
        from ._fitting import blame  # imports this module

        n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
        with blame("teacher", self.estimator, method):  # not its fit's failure
            output = _single_output(getattr(super(), method)(X), method, n_samples)
            return columns_in_order(output, self.codes_, self.classes_)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """The teacher's probabilities, columns in the order of ``classes_``."""
        return self._respond("predict_proba", X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """The teacher's log-probabilities, columns in the order of ``classes_``."""
        return self._respond("predict_log_proba", X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """The teacher's scores, columns in the order of ``classes_``."""
        return self._respond("decision_function", X)


# Rows on which a teacher is asked, in its columns' order and in X's,
# whether it reads the columns by position (check_column_order), chosen
# among the first _ORDER_SCAN_ROWS rows of X where the two orders differ
_ORDER_PROBE_ROWS = 200
_ORDER_SCAN_ROWS = 10_000


# Stands for a missing value of any kind where values are compared
_MISSING = object()


def _missing(values):
    """Mask of the missing values (NaN, None, pd.NA, NaT) of an object array."""
    try:
        import pandas as pd
    except ImportError:  # (a polars DataFrame: None or NaN)
        return np.frompyfunc(
            lambda v: v is None or (isinstance(v, float) and v != v), 1, 1
        )(values).astype(bool)
    return np.asarray(pd.isna(values), dtype=bool)


def _order_probe_rows(X, order):
    """Rows of the DataFrame ``X`` whose values change when its columns are
    read in the ``order`` of the teacher's: up to ``_ORDER_PROBE_ROWS`` of
    them, evenly spaced among the first ``_ORDER_SCAN_ROWS`` rows (rows where
    the permuted columns hold the same values, rare indicators at 0 say,
    answer the same in both orders). Without such rows, rows evenly spaced
    over ``X``.
    """
    head = X.head(_ORDER_SCAN_ROWS)
    moved = np.flatnonzero(np.asarray(order) != np.arange(len(order)))
    try:
        values = np.asarray(head, dtype=object)
        # missing values (NaN, None, pd.NA) as one value: rare indicators
        # coded as missing otherwise, missing in both columns, are alike
        values[_missing(values)] = _MISSING
        differs = np.asarray(
            values[:, moved] != values[:, np.asarray(order)[moved]], dtype=bool
        ).any(axis=1)
    except (TypeError, ValueError):  # values that do not compare
        differs = np.ones(head.shape[0], dtype=bool)
    rows = np.flatnonzero(differs)
    if rows.size == 0:
        rows = np.arange(X.shape[0])
    picked = np.linspace(0, rows.size - 1, min(rows.size, _ORDER_PROBE_ROWS))
    return _safe_indexing(X, np.unique(rows[picked.astype(np.intp)]))


def check_column_order(teacher, X, method):
    """Refuse X whose columns a teacher fitted elsewhere reads by position wrongly.

    A teacher fitted elsewhere on a DataFrame whose columns came in another
    order (same names) answers for other features when it reads X by
    position, as LightGBM does, silently; scikit-learn's estimators and
    XGBoost refuse such X themselves, and a ColumnTransformer reads it by
    name. The teacher is asked on a few rows in both orders: outputs that
    differ are the sign of a positional reading.
    """
    names = getattr(teacher, "feature_names_in_", None)
    if names is None or not is_dataframe(X):
        return
    names, columns = list(names), column_names(X).tolist()
    if names == columns or len(names) != len(columns):
        return
    if set(names) != set(columns):
        return  # other names: the teacher's own check, if any
    order = [columns.index(name) for name in names]
    rows = _order_probe_rows(X, order)
    func = getattr(teacher, method)
    try:
        as_given = np.asarray(func(rows))
        by_name = np.asarray(func(select_columns(rows, order)))
    except Exception:  # noqa: BLE001 (its call on all of X reports a refusal)
        return
    if as_given.shape == by_name.shape and (
        np.allclose(as_given, by_name, equal_nan=True)
        if as_given.dtype.kind in "biuf" and by_name.dtype.kind in "biuf"
        else np.array_equal(as_given, by_name)
    ):
        return
    name = type(getattr(teacher, "estimator", teacher)).__name__
    raise ValueError(
        f"The teacher {name} was fitted on the same columns in another order "
        f"({[str(n) for n in names[:5]]}{' ...' if len(names) > 5 else ''}), "
        "and reads X "
        "by position: its outputs on X would be for other features. Give X "
        "its columns in the teacher's order: X[teacher.feature_names_in_]."
    )


def _frozen_respond(teacher, X, method, n_jobs):
    """Outputs of a frozen teacher on ``X`` (module level, for joblib.Memory)."""
    return teacher_response(teacher, X, method, n_jobs=n_jobs)


def check_teacher_cv(cv, n_samples, teacher):
    """Refuse a ``teacher_cv`` that cannot give out-of-fold outputs of the rows.

    A frozen teacher cannot be refitted on folds; an iterator of splits is
    used up by the first fit (and ``clone`` cannot copy it); a list of splits
    must partition the ``n_samples`` rows the teacher is fitted on. Called
    before the teacher is, so that its message is not the teacher's.
    """
    if cv is not None and isinstance(teacher, FrozenEstimator):
        raise ValueError(
            "teacher_cv needs a teacher that can be refitted on folds; the "
            "teacher is a FrozenEstimator. Set teacher_cv=None."
        )
    if isinstance(cv, Iterator):
        raise ValueError(
            "teacher_cv is an iterator, which the first fit would use up (and "
            "clone cannot copy); pass a list of (train, test) splits or a "
            "splitter."
        )
    if cv is None or isinstance(cv, Integral) or hasattr(cv, "split"):
        return
    _check_partition([test for _, test in cv], n_samples, "teacher_cv's splits")


def _check_partition(tests, n_samples, what):
    """Refuse test sets that do not hold every one of the rows exactly once."""
    tests = [np.asarray(test).ravel() for test in tests]
    rows = np.sort(np.concatenate(tests)) if tests else np.array([], dtype=int)
    if not np.array_equal(rows, np.arange(n_samples)):
        raise ValueError(
            f"{what} must partition the {n_samples} rows the teacher is fitted "
            "on (with unlabeled, the labeled rows, numbered in their order): "
            "every row in exactly one test set, for its out-of-fold output; "
            "use KFold, StratifiedKFold or GroupKFold."
        )


def fit_teacher(
    teacher, X, y, fit_params, method, *, cv=None, memory=None, n_jobs=None,
    split_params=None,
):
    """Fit the teacher (unless frozen) and compute its training-row outputs.

    Parameters
    ----------
    teacher : estimator
        Unfitted teacher, or a :class:`~sklearn.frozen.FrozenEstimator`.
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
    fit_params : dict
        Parameters for the teacher's ``fit``.
    method : str
        Output method of the teacher.
    cv : int, cross-validation generator or iterable, default=None
        Out-of-fold outputs when given.
    memory : None, str or joblib.Memory, default=None
        Cache of the fit and outputs, keyed on the teacher's parameters and
        the data; for a frozen teacher, cache of its outputs, keyed on the
        frozen model and the data (so a grid search queries it once per
        training set).
    n_jobs : int, default=None
        Parallel jobs for inference and cross-validation (not part of the
        cache key: the results do not depend on it).
    split_params : dict, default=None
        Parameters routed to ``cv``'s ``split`` (``groups``).

    Returns
    -------
    teacher_ : fitted estimator
        A classifier that needed its labels encoded is returned wrapped in
        :class:`LabelEncodedClassifier`, which answers in the original
        labels; a frozen teacher is returned as is.
    output : ndarray
        A new array that the caller owns and may overwrite: an output read
        from the cache (possibly a memory map, writable or not) is copied.
    output_classes : ndarray or None
        Labels of the output columns (the original labels of ``y`` or the
        frozen teacher's ``classes_``).
    """
    cache = check_memory(memory)
    if memory is not None:
        # the cache's key: an error here is no error of the teacher's
        keyed = {"the teacher": teacher}
        keyed.update(
            (f"the teacher's fit parameter {name!r}", value)
            for name, value in fit_params.items()
        )
        for what, value in keyed.items():
            try:
                joblib.hash(value)
            except Exception as exc:  # pickling fails in many ways
                raise ValueError(
                    f"memory={memory!r} caches the teacher's fit and outputs keyed "
                    f"on {what}, which joblib cannot hash ({type(exc).__name__}: "
                    f"{str(exc)[:200]}); use memory=None, or values that pickle "
                    "(no lambda)."
                ) from exc
    if isinstance(teacher, FrozenEstimator):  # cv is None (check_teacher_cv)
        respond = cache.cache(_frozen_respond, ignore=["n_jobs"])
        output = respond(teacher, X, method, n_jobs)
        fitted, output_classes = teacher, getattr(teacher, "classes_", None)
    else:
        # the folds drawn before the cache, which is keyed on them: a
        # RandomState-seeded splitter draws anew at each fit, cached or not
        folds = None if cv is None else teacher_folds(teacher, X, y, cv, split_params)
        respond = cache.cache(_fit_and_respond, ignore=["n_jobs", "cv"])
        fitted, output, output_classes = respond(
            teacher, X, y, fit_params, method, folds, n_jobs, cv
        )
    if memory is not None:
        # the cache owns what it returns (a memory map with mmap_mode, whatever
        # its flags say): the caller gets its own copy
        output = np.array(output, copy=True)
    return fitted, output, output_classes


def stack_rows(A, B):
    """Stack two row blocks of the same kind (ndarray, sparse matrix or DataFrame)."""
    if B is None:
        return A
    if sparse.issparse(A):
        return sparse.vstack([A, B], format=A.format)
    if is_dataframe(A) or hasattr(A, "iloc"):  # a DataFrame, a pandas Series
        return concat_rows(A, B)
    return np.concatenate([A, B], axis=0)
