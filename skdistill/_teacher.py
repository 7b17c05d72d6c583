"""Teacher work that does not depend on the student: fitting, outputs, caching."""

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import clone, is_classifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import check_cv, cross_val_predict
from sklearn.utils import _safe_indexing, gen_batches
from sklearn.utils.validation import check_memory

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
        The teacher's output for all rows, identical to one call on ``X``; a
        new array that the caller owns (it may overwrite it).
    """
    n_samples = X.shape[0]
    func = getattr(teacher, method)
    if n_samples <= chunk_size:
        return np.array(func(X), copy=True)
    chunks = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(func)(_safe_indexing(X, batch))
        for batch in gen_batches(n_samples, chunk_size)
    )
    return np.concatenate([np.asarray(c) for c in chunks], axis=0)


def _fit_and_respond(teacher, X, y, fit_params, method, cv, n_jobs):
    """Fit a clone of ``teacher`` and compute its outputs on the training rows.

    With ``cv``, the outputs come from cross-validated clones (out of fold);
    the returned teacher is still fitted on all rows. Module level so that
    :class:`joblib.Memory` can cache it.

    Returns
    -------
    teacher : fitted estimator
    output : ndarray
    output_classes : ndarray or None
        Labels of the output columns of a classifier.
    """
    fitted = clone(teacher).fit(X, y, **fit_params)
    if cv is None:
        output = teacher_response(fitted, X, method, n_jobs=n_jobs)
        return fitted, output, getattr(fitted, "classes_", None)
    classifier = is_classifier(teacher)
    splitter = check_cv(cv, y, classifier=classifier)
    output = cross_val_predict(
        clone(teacher), X, y, cv=splitter, method=method, params=fit_params, n_jobs=n_jobs
    )
    return fitted, output, (np.unique(y) if classifier else None)


def fit_teacher(teacher, X, y, fit_params, method, *, cv=None, memory=None, n_jobs=None):
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
        the data.
    n_jobs : int, default=None
        Parallel jobs for inference and cross-validation (not part of the
        cache key: the results do not depend on it).

    Returns
    -------
    teacher_ : fitted estimator
    output : ndarray
    output_classes : ndarray or None
    """
    if isinstance(teacher, FrozenEstimator):
        if cv is not None:
            raise ValueError(
                "teacher_cv needs a teacher that can be refitted on folds; the "
                "teacher is a FrozenEstimator. Set teacher_cv=None."
            )
        output = teacher_response(teacher, X, method, n_jobs=n_jobs)
        return teacher, output, getattr(teacher, "classes_", None)
    cached = check_memory(memory).cache(_fit_and_respond, ignore=["n_jobs"])
    return cached(teacher, X, y, fit_params, method, cv, n_jobs)


def stack_rows(A, B):
    """Stack two row blocks of the same kind (ndarray, sparse matrix or DataFrame)."""
    if B is None:
        return A
    if sparse.issparse(A):
        return sparse.vstack([A, B], format=A.format)
    if hasattr(A, "iloc"):
        import pandas as pd

        return pd.concat([A, B], ignore_index=True)
    return np.concatenate([A, B], axis=0)
