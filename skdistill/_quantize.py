"""Quantization of linear coefficients to few-bit codes (uniform or k-means)."""

import copy
import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    _fit_context,
    clone,
    is_classifier,
)
from sklearn.cluster import KMeans
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils import (
    _safe_indexing,
    check_array,
    check_random_state,
    gen_batches,
    get_tags,
)
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.metaestimators import available_if
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import check_is_fitted, validate_data

from ._fitting import (
    RoutesFitToEstimator,
    check_coef_settable,
    check_sample_weight,
    n_rows,
    route_fit,
    unfitted_on_error,
)


# Fitted attributes of scikit-learn's linear models, besides coef_, that hold
# float coefficients: SGD's averaged and unaveraged weights (the averaged
# ones are coef_ itself), LogisticRegressionCV's per-fold paths, the Lars
# path. Predictions never read them; a quantized model drops them, as it
# must not store the float coefficients it replaces.
_FLOAT_COEF_COPIES = (
    "_average_coef",
    "_average_intercept",
    "_standard_coef",
    "_standard_intercept",
    "coef_path_",
    "coefs_paths_",
)


def _code_dtype(n_bits):
    """Smallest unsigned integer dtype holding ``n_bits``-bit codes."""
    return np.dtype(np.uint8) if n_bits <= 8 else np.dtype(np.uint16)


def _pack_codes(codes, n_bits):
    """Bit-pack ``n_bits``-bit codes (``n_bits < 8``) into a uint8 array."""
    bits = np.unpackbits(codes.astype(np.uint8)[:, None], axis=1)[:, 8 - n_bits :]
    return np.packbits(bits.ravel())


def _unpack_codes(packed, n_codes, n_bits):
    """Inverse of :func:`_pack_codes`."""
    bits = np.unpackbits(packed, count=n_codes * n_bits).reshape(n_codes, n_bits)
    padded = np.zeros((n_codes, 8), dtype=np.uint8)
    padded[:, 8 - n_bits :] = bits
    return np.packbits(padded, axis=1).ravel()


def _uniform_codes(values, n_bits):
    """Affine ``n_bits``-bit codes ``round((v - offset) / scale)`` of ``values``.

    Computed on halved values, so that finite values give a finite grid even
    when ``max - min`` exceeds the largest float (the step is then capped at
    the largest float, and the top code is rounded down to it).
    """
    dtype = _code_dtype(n_bits)
    if values.size == 0:
        return np.zeros(0, dtype=dtype), 0.0, 0.0
    offset, hi = float(values.min()), float(values.max())
    n_steps = 2**n_bits - 1
    half_span = hi / 2 - offset / 2  # never overflows
    scale = min(half_span / n_steps * 2, np.finfo(np.float64).max)
    if scale == 0:
        return np.zeros(values.size, dtype=dtype), offset, 0.0
    codes = np.rint((values / 2 - offset / 2) / (scale / 2))
    codes = np.clip(codes, 0, n_steps)
    return codes.astype(dtype), offset, scale


def _uniform_codebook(offset, scale, codes, n_bits):
    """Dequantized levels ``offset + scale * k`` of a uniform code.

    Evaluated as ``2 * (offset / 2 + scale * k / 2)`` (the same value, as
    halving is exact) and capped at the largest float, so that a grid of
    finite values has finite levels.
    """
    if codes.size == 0:
        return np.zeros(0)
    if scale == 0:
        return np.array([offset])
    k = np.arange(2**n_bits, dtype=np.float64)
    fmax = np.finfo(np.float64).max
    with np.errstate(over="ignore"):
        levels = (offset / 2 + scale * (k / 2)) * 2
    return np.clip(levels, -fmax, fmax)


def _check_finite_coef(values, owner):
    """Refuse NaN or infinite coefficients, naming their owner."""
    if not np.all(np.isfinite(values)):
        raise ValueError(
            f"The coefficients (coef_) of {owner} contain NaN or infinity; "
            "quantize needs finite coefficients. Refit the model (e.g. with a "
            "stronger penalty or scaled features)."
        )


# A quantized model is warned of when its error on the outputs (mean square,
# each feature read by its values in X: the intercept is not quantized, so a
# feature's mean moves every output) exceeds this share of the outputs'
# variance, and this multiple of the error read as if every feature had one
# scale: its grid lost the small coefficients of features of a large scale
# (raw columns of very different scales), which standardized features keep.
# Breast cancer's raw columns (LogisticRegression(max_iter=10000)) at 4 bits:
# 4.7 times it and 389 times (accuracy 0.958 to 0.684), at 8 bits 7% and
# 1940 times (0.960); standardized, 0.3% and 1. The user guide's Ridge beside
# a column near 50,000, at 16 bits: 12% (R² 0.998 to 0.874).
_LOST_SHARE = 0.05
_SCALE_FACTOR = 10.0


def _column_moments(X):
    """Mean and variance of each column of ``X``, or None when ``X`` is not
    numeric (read by blocks of rows, without a float copy of ``X``)."""
    try:
        if sp.issparse(X):
            return mean_variance_axis(sp.csr_matrix(X, dtype=np.float64), axis=0)
        n_samples = n_rows(X)
        step = max(1, (1 << 18) // max(1, X.shape[1]))
        shift = sums = squares = None
        for rows in gen_batches(n_samples, step):
            block = check_array(
                _safe_indexing(X, rows), dtype=np.float64, ensure_all_finite=False
            )
            if shift is None:
                shift = np.nan_to_num(block[0])  # sums of x - shift: no cancellation
            block = block - shift
            part = np.nansum(block, axis=0), np.nansum(block**2, axis=0)
            sums = part[0] if sums is None else sums + part[0]
            squares = part[1] if squares is None else squares + part[1]
    except Exception:  # noqa: BLE001 (not a table of numbers: no warning)
        return None
    mean = sums / n_samples
    return shift + mean, np.maximum(squares / n_samples - mean**2, 0.0)


def _warn_of_scales(float_coef, coef, X, n_bits, method):
    """Warn when the quantization lost features of a large scale (see
    ``_LOST_SHARE``)."""
    moments = None if X is None else _column_moments(X)
    if moments is None or moments[0].shape[-1] != float_coef.shape[-1]:
        return
    mean, var = moments
    with np.errstate(all="ignore"):
        error = (coef - float_coef) ** 2
        spread = np.sum(float_coef**2 * var)  # (0 on one row: nothing to read)
        lost = np.sum(error * (mean**2 + var)) / spread
        flat = np.sum(error) / np.sum(float_coef**2)
    if not (spread > 0 and lost > _LOST_SHARE and lost > _SCALE_FACTOR * flat):
        return
    size = np.sqrt(mean**2 + var)
    grid = " on one grid" if method == "uniform" else ""
    warnings.warn(
        f"Quantized to {n_bits} bits{grid}, the coefficients move the "
        f"outputs on X by a mean square {lost:.3g} times their variance (the "
        "columns' root mean squares range from "
        f"{size[size > 0].min():.3g} to {size.max():.3g}): the small "
        "coefficients of features of a large scale are lost among the codes. "
        "Standardize the features first (make_pipeline(StandardScaler(), "
        "QuantizedLinearModel(...))), which keeps them.",
        UserWarning,
    )


def quantize_values(values, *, n_bits=8, method="uniform", random_state=None):
    """Quantize a 1-D array of (non-zero) weights to ``n_bits``-bit codes.

    Parameters
    ----------
    values : ndarray of shape (n_values,)
        The weights to quantize.

    n_bits : int, default=8
        Bits per code, in ``[1, 16]``.

    method : {"uniform", "kmeans"}, default="uniform"
        ``"uniform"``: ``2 ** n_bits`` evenly spaced levels from ``min(values)``
        to ``max(values)`` (affine codes, ``value = offset + scale * code``).
        ``"kmeans"``: a codebook of at most ``2 ** n_bits`` centroids fitted
        by :class:`~sklearn.cluster.KMeans` on the values (weight sharing);
        when there are no more distinct values than codes, the codebook is
        the distinct values themselves (lossless).

    random_state : int, RandomState instance or None, default=None
        Seed of k-means.

    Returns
    -------
    codes : ndarray of shape (n_values,), dtype uint8 or uint16
        Code of each value.

    codebook : ndarray of shape (n_codes,), dtype float64
        Increasing dequantized values; ``codebook[codes]`` approximates
        ``values``. For ``"uniform"`` it is ``offset + scale * arange(n_codes)``.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    _check_finite_coef(values, "the values to quantize")
    n_bits = int(n_bits)  # a Python int: 2**n_bits of a numpy int8 overflows
    if method == "uniform":
        codes, offset, scale = _uniform_codes(values, n_bits)
        return codes, _uniform_codebook(offset, scale, codes, n_bits)
    dtype = _code_dtype(n_bits)
    n_levels = 2**n_bits
    if values.size == 0:
        return np.zeros(0, dtype=dtype), np.zeros(0)
    distinct = np.unique(values)
    if distinct.size <= n_levels:
        return np.searchsorted(distinct, values).astype(dtype), distinct
    # k-means on values scaled by a power of two into [-1, 1] (exact): its
    # squared distances neither overflow for huge nor vanish for tiny values
    exponent = int(np.frexp(np.max(np.abs(values)))[1])
    km = KMeans(n_clusters=n_levels, random_state=check_random_state(random_state))
    km.fit(np.ldexp(values, -exponent)[:, None])
    centers = np.ldexp(km.cluster_centers_.ravel(), exponent)
    # a center is a mean of values: within their range (k-means' rounding
    # could put one just outside, beyond the largest float near it)
    centers = np.clip(centers, distinct[0], distinct[-1])
    order = np.argsort(centers, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[km.labels_].astype(dtype), centers[order]


def other_classes_message(distiller, verb, advice):
    """Why the student of ``distiller`` cannot stand for it: its classes are
    others (a subset) or in another order; ``verb`` is what cannot be done
    ("quantize {}", the distiller's name in the braces), ``advice`` how to do
    it to the student ("Quantize")."""
    student_classes = np.asarray(distiller.student_.classes_).tolist()
    classes = distiller.classes_.tolist()
    if len(student_classes) == len(classes) and set(student_classes) == set(classes):
        why = (
            f"its student's classes {student_classes} are the distiller's "
            f"{classes} in another order (SoftLogisticRegression(classes=...) "
            "at alpha=0), and its outputs' columns follow them"
        )
    else:
        why = (
            f"its student knows the classes {student_classes} and the "
            f"distiller {classes} (the student never saw the others, which the "
            "distiller gives probability 0); the student answers for its "
            "classes only"
        )
    return (
        f"Cannot {verb.format(type(distiller).__name__)}: {why}. {advice} `student_` "
        "itself if that is intended."
    )


def _predicting_model(estimator):
    """The fitted model that predicts for ``estimator``.

    Looks through a FrozenEstimator, a SparsifyTransformer's pruned
    ``estimator_`` and a distiller's ``student_`` (recursively), down to a
    model with ``coef_``, a Pipeline or whatever else predicts.
    """
    while True:
        if isinstance(estimator, FrozenEstimator):
            estimator = estimator.estimator
        elif hasattr(estimator, "coef_"):
            return estimator
        elif hasattr(estimator, "coef_mask_") and hasattr(estimator, "estimator_"):
            estimator = estimator.estimator_
        elif (
            getattr(estimator, "student_", None) is not None
            and not isinstance(estimator, Pipeline)
        ):
            student = estimator.student_
            if is_classifier(estimator) and not is_classifier(student):
                raise TypeError(
                    f"Cannot quantize {estimator!r}: its student {student!r} is a "
                    "regressor fitted on log-probabilities, whose predictions are "
                    "not class labels. Use a linear classifier student."
                )
            from .io import _student_answers_alone  # io imports skops lazily

            if not _student_answers_alone(estimator):
                raise ValueError(
                    other_classes_message(estimator, "quantize {}", "Quantize")
                )
            estimator = student
        else:
            return estimator


def _linear_model(estimator):
    """The fitted linear model that answers for ``estimator``.

    A linear model itself, the ``student_`` of a DistilledClassifier, the
    ``estimator_`` of a SparsifyTransformer (recursively), the inner estimator
    of a FrozenEstimator.
    """
    model = _predicting_model(estimator)
    if isinstance(model, Pipeline):
        # quantize() handles it (a Pipeline with its last step quantized); a
        # QuantizedLinearModel predicts with one linear model, without steps
        raise TypeError(
            f"Cannot quantize {type(estimator).__name__} with a "
            "QuantizedLinearModel: the model that predicts for it is a "
            f"Pipeline (steps {[name for name, _ in model.steps]}), and a "
            "QuantizedLinearModel holds a linear model only, without earlier "
            "steps. Quantize the fitted model with skdistill.quantize (it "
            "returns the Pipeline with its last step quantized), or make "
            "QuantizedLinearModel(<linear model>) the last step of the "
            "student's Pipeline."
        )
    if not hasattr(model, "coef_"):
        raise TypeError(
            f"Cannot quantize {model!r}: it has no `coef_` (nor a `student_` or "
            "pruned `estimator_` with `coef_`). quantize needs a fitted linear "
            "model, DistilledClassifier or SparsifyTransformer."
        )
    check_coef_settable(model, "quantize")
    return model


def _predicting_pipeline(estimator):
    """The fitted Pipeline that predicts for ``estimator`` (itself, a frozen
    one's estimator, a distiller's ``student_``, a sparsifier's pruned
    ``estimator_``), or None."""
    model = _predicting_model(estimator)
    return model if isinstance(model, Pipeline) else None


def _model_has(attr):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        try:
            return hasattr(_linear_model(self.estimator), attr)
        except TypeError:
            return hasattr(self.estimator, attr)

    return check


class QuantizedLinearModel(RoutesFitToEstimator, MetaEstimatorMixin, BaseEstimator):
    """Linear model whose coefficients are stored as few-bit codes.

    ``fit`` fits the estimator (a linear model, a
    :class:`~skdistill.DistilledClassifier` with a linear student, or a
    :class:`~skdistill.SparsifyTransformer`; a prefit one wrapped in
    :class:`~sklearn.frozen.FrozenEstimator` is not refitted), takes the linear
    model that predicts for it and replaces its coefficients by ``n_bits``-bit
    codes. Predictions are exactly those of that linear model with the
    dequantized coefficients; pickling stores only the codes, the codebook and
    the sparsity pattern, not the float coefficients (nor the float copies
    some models keep, which are dropped: SGD's averaged weights,
    LogisticRegressionCV's ``coefs_paths_``, a Lars ``coef_path_``).

    Use :func:`quantize` to compress an already fitted model.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    estimator : estimator
        The model to fit and quantize.

    n_bits : int, default=8
        Bits per coefficient code, in ``[1, 16]``. Codes are held as uint8
        (``n_bits <= 8``) or uint16 in memory; below 8 bits they are
        bit-packed when the model is pickled, so that ``n_bits`` bits per
        coefficient are stored.

    method : {"uniform", "kmeans"}, default="uniform"
        ``"uniform"``: one affine grid of ``2 ** n_bits`` levels per
        coefficient tensor (per-tensor, not per-row), spanning the smallest to
        the largest non-zero coefficient. ``"kmeans"``: weight sharing, a
        codebook of ``2 ** n_bits`` centroids fitted with
        :class:`~sklearn.cluster.KMeans` on the non-zero coefficients.

    random_state : int, RandomState instance or None, default=None
        Seed of k-means (``method="kmeans"``).

    Attributes
    ----------
    estimator_ : estimator
        The linear model used for predictions, with ``coef_`` set to the
        dequantized coefficients (rebuilt from the codes after unpickling).
        For a DistilledClassifier it is the student, for a SparsifyTransformer
        its pruned ``estimator_``.

    codes_ : ndarray of shape (n_nonzero,), dtype uint8 or uint16
        Codes of the non-zero coefficients, in C order of ``coef_``.

    codebook_ : ndarray of shape (n_codes,)
        Dequantized value of each code.

    nonzero_ : ndarray of dtype uint8 or None
        Bit-packed (:func:`numpy.packbits`) pattern of the non-zero
        coefficients; ``None`` when no coefficient is zero.

    coef_ : ndarray
        The dequantized coefficients (exact zeros where the model had zeros).

    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    quantize : Quantize an already fitted model.
    SparsifyTransformer : Prune coefficients to exact zeros first.

    Notes
    -----
    Zeros stay exactly zero: only the non-zero coefficients are quantized and
    the positions of the zeros are stored as a bit mask (one bit per
    coefficient). The codes are bit-packed, so the payload is about
    ``n_coef / 8 + n_nonzero * n_bits / 8`` bytes plus the codebook
    (``8 * 2 ** n_bits`` bytes for k-means, 16 bytes for uniform), against
    ``8 * n_coef`` bytes for float64 coefficients. Intercepts are not
    quantized. A sparse ``coef_`` (after ``sparsify()``) is rebuilt as a CSR
    matrix.

    References
    ----------
    .. [1] S. Han, H. Mao and W. Dally, "Deep Compression: Compressing Deep
       Neural Networks with Pruning, Trained Quantization and Huffman Coding",
       ICLR, 2016.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdistill import QuantizedLinearModel
    >>> X, y = load_iris(return_X_y=True)
    >>> q = QuantizedLinearModel(LogisticRegression(), n_bits=4).fit(X, y)
    >>> q.codes_.dtype, bool(q.codes_.max() < 16)
    (dtype('uint8'), True)
    >>> q.score(X, y)
    0.9...
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "n_bits": [Interval(Integral, 1, 16, closed="both")],
        "method": [StrOptions({"uniform", "kmeans"})],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator, *, n_bits=8, method="uniform", random_state=None):
        self.estimator = estimator
        self.n_bits = n_bits
        self.method = method
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    @unfitted_on_error
    def fit(self, X, y=None, sample_weight=None, **fit_params):
        """Fit the estimator (unless frozen) and quantize its coefficients.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the estimator's ``fit`` when given (so that a
            quantized model can be the student of a
            :class:`~skdistill.DistilledClassifier`, which fits it on soft
            targets through weighted rows).

        **fit_params : dict
            Other parameters of the estimator's ``fit``. A frozen estimator
            takes none: they are ignored, and refused with metadata routing
            enabled (as a frozen estimator's router refuses them).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if isinstance(self.estimator, FrozenEstimator):
            if _routing_enabled():  # refused as by a frozen estimator's router
                route_fit(self, sample_weight, fit_params)
            fitted = self.estimator.estimator
            check_is_fitted(fitted)
        else:
            if _routing_enabled():  # what the estimator requests
                routed = route_fit(self, sample_weight, fit_params)
                fit_params = dict(routed.estimator.fit)
            elif sample_weight is not None:
                fit_params["sample_weight"] = sample_weight
            # all-zero weights refused as scikit-learn >= 1.7 estimators do (on
            # 1.6 LogisticRegression fits them into all-zero coefficients); the
            # estimator is handed the weights as given
            check_sample_weight(fit_params.get("sample_weight"), X, non_negative=False)
            fitted = clone(self.estimator).fit(X, y, **fit_params)
        self._quantize_fitted(fitted)
        float_coef = _linear_model(fitted).coef_
        coef = self.estimator_.coef_
        if sp.issparse(float_coef):
            float_coef, coef = float_coef.toarray(), coef.toarray()
        _warn_of_scales(
            np.asarray(float_coef), np.asarray(coef), X, self._code_bits, self.method
        )
        return self

    def _quantize_fitted(self, fitted):
        """Set the fitted state from the fitted ``fitted`` estimator."""
        # a copy without the float copies of the coefficients (never copied)
        model = copy.copy(_linear_model(fitted))
        for name in _FLOAT_COEF_COPIES:
            vars(model).pop(name, None)
        model = copy.deepcopy(model)
        coef = model.coef_
        self._coef_sparse = sp.issparse(coef)
        coef = np.asarray(coef.toarray() if self._coef_sparse else coef)
        _check_finite_coef(coef, type(model).__name__)
        self._coef_shape = coef.shape
        self._coef_dtype = coef.dtype
        flat = coef.ravel()
        nonzero = flat != 0
        self._grid = None
        # the width of the codes, as fitted: saving reads it, not n_bits,
        # which set_params may have changed since
        self._code_bits = n_bits = int(self.n_bits)  # (not a numpy int8)
        if self.method == "uniform":
            self.codes_, offset, scale = _uniform_codes(
                flat[nonzero].astype(np.float64), n_bits
            )
            self._grid = (offset, scale)
            self.codebook_ = _uniform_codebook(offset, scale, self.codes_, n_bits)
        else:
            self.codes_, self.codebook_ = quantize_values(
                flat[nonzero],
                n_bits=n_bits,
                method=self.method,
                random_state=self.random_state,
            )
        self.nonzero_ = None if nonzero.all() else np.packbits(nonzero)
        model.coef_ = self._dequantize()
        self.estimator_ = model
        for source in (fitted, model):
            if hasattr(source, "n_features_in_"):
                self.n_features_in_ = source.n_features_in_
                if hasattr(source, "feature_names_in_"):
                    self.feature_names_in_ = source.feature_names_in_
                break
        return self

    def _dequantize(self):
        """Rebuild the coefficients from the codes."""
        size = int(np.prod(self._coef_shape))
        flat = np.zeros(size, dtype=np.float64)
        values = self.codebook_[self.codes_]
        if self.nonzero_ is None:
            flat[:] = values
        else:
            nonzero = np.unpackbits(self.nonzero_, count=size).astype(bool)
            flat[nonzero] = values
        coef = flat.reshape(self._coef_shape).astype(self._coef_dtype, copy=False)
        return sp.csr_matrix(coef) if self._coef_sparse else coef

    @property
    def coef_(self):
        """Dequantized coefficients of ``estimator_``."""
        check_is_fitted(self)
        return self.estimator_.coef_

    @property
    def classes_(self):
        """Class labels of ``estimator_`` (classifiers only)."""
        check_is_fitted(self)
        return self.estimator_.classes_

    def __getstate__(self):
        state = super().__getstate__()
        if "estimator_" in state:
            model = copy.copy(state["estimator_"])
            vars(model).pop("coef_", None)
            state = dict(state, estimator_=model)
            if state.get("_grid") is not None:
                state["codebook_"] = None  # rebuilt from (offset, scale)
            n_bits = self._fitted_bits()
            if n_bits < 8:  # n_bits per code on disk, not 8
                codes = state["codes_"]
                state["codes_"] = (len(codes), _pack_codes(codes, n_bits))
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if isinstance(getattr(self, "codes_", None), tuple):
            n_codes, packed = self.codes_
            self.codes_ = _unpack_codes(packed, n_codes, self._fitted_bits())
        if "estimator_" in state:
            if getattr(self, "_grid", None) is not None:
                self.codebook_ = _uniform_codebook(
                    *self._grid, self.codes_, self._fitted_bits()
                )
            self.estimator_.coef_ = self._dequantize()

    def _fitted_bits(self):
        """The width of the fitted codes (``n_bits`` for models saved before
        it was recorded)."""
        return getattr(self, "_code_bits", self.n_bits)

    def _model_X(self, X):
        """Input for ``estimator_``: validated here unless it checks names itself."""
        check_is_fitted(self)
        if hasattr(self.estimator_, "feature_names_in_"):
            return X
        return validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            reset=False,
            ensure_all_finite=not get_tags(self).input_tags.allow_nan,
        )

    @available_if(_model_has("predict"))
    def predict(self, X):
        """Predict with the dequantized linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions of ``estimator_``.
        """
        X = self._model_X(X)
        return self.estimator_.predict(X)

    @available_if(_model_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the dequantized linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities of ``estimator_``.
        """
        X = self._model_X(X)
        return self.estimator_.predict_proba(X)

    @available_if(_model_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the dequantized linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities of ``estimator_``.
        """
        X = self._model_X(X)
        return self.estimator_.predict_log_proba(X)

    @available_if(_model_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the dequantized linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Decision function of ``estimator_``.
        """
        X = self._model_X(X)
        return self.estimator_.decision_function(X)

    @available_if(_model_has("score"))
    def score(self, X, y, sample_weight=None):
        """Score of the dequantized linear model (accuracy or R^2).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            ``estimator_.score(X, y)``.
        """
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        X = self._model_X(X)
        return self.estimator_.score(X, y, **kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        estimator_tags = get_tags(self.estimator)
        tags.estimator_type = estimator_tags.estimator_type
        tags.classifier_tags = estimator_tags.classifier_tags
        tags.regressor_tags = estimator_tags.regressor_tags
        tags.target_tags.required = True
        tags.target_tags.multi_output = estimator_tags.target_tags.multi_output
        tags.target_tags.single_output = estimator_tags.target_tags.single_output
        tags.input_tags.sparse = estimator_tags.input_tags.sparse
        tags.input_tags.allow_nan = estimator_tags.input_tags.allow_nan
        return tags


def quantize(estimator, *, n_bits=8, method="uniform", random_state=None):
    """Store a fitted linear model's coefficients as ``n_bits``-bit codes.

    Parameters
    ----------
    estimator : estimator
        A fitted linear model with ``coef_``, a fitted
        :class:`~skdistill.DistilledClassifier` (its linear ``student_`` is
        quantized) or a fitted :class:`~skdistill.SparsifyTransformer` (its
        pruned ``estimator_``), or a fitted
        :class:`~sklearn.pipeline.Pipeline` ending in one of them (a
        distiller's student may be such a Pipeline), possibly wrapped in
        :class:`~sklearn.frozen.FrozenEstimator`. It is not modified.

    n_bits : int, default=8
        Bits per code, in ``[1, 16]``.

    method : {"uniform", "kmeans"}, default="uniform"
        Per-tensor uniform affine codes, or a k-means codebook (weight
        sharing). See :class:`QuantizedLinearModel`.

    random_state : int, RandomState instance or None, default=None
        Seed of k-means.

    Returns
    -------
    model : QuantizedLinearModel or Pipeline
        A fitted ``QuantizedLinearModel(clone(linear_model), ...)``, where
        ``linear_model`` is the linear model that predicts for ``estimator``
        (the student of a distiller, the pruned model of a sparsifier): it
        predicts with the dequantized coefficients and stores no teacher;
        refitting it fits that unfitted linear model and quantizes again.
        When a :class:`~sklearn.pipeline.Pipeline` predicts (``estimator``
        itself, or the student of a distiller, pruned or not), a copy of it
        whose last step is quantized that way, the earlier steps (fitted)
        unchanged. Loading it (pickle, joblib or skops) needs skdistill; its
        ``estimator_`` is a plain scikit-learn model with the dequantized
        coefficients.

    Examples
    --------
    >>> import pickle
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdistill import quantize
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=2000).fit(X / 16, y)
    >>> q = quantize(clf, n_bits=8)
    >>> bool((q.predict(X / 16) == clf.predict(X / 16)).mean() > 0.99)
    True
    >>> len(pickle.dumps(q)) < len(pickle.dumps(clf))
    True
    """
    if isinstance(estimator, FrozenEstimator):
        estimator = estimator.estimator
    check_is_fitted(estimator)
    pipeline = _predicting_pipeline(estimator)
    if pipeline is not None:
        name, last = pipeline.steps[-1]
        last = quantize(last, n_bits=n_bits, method=method, random_state=random_state)
        shipped = copy.deepcopy(pipeline)  # the fitted steps, not shared
        shipped.steps = shipped.steps[:-1] + [(name, last)]
        return shipped
    # The parameter is the (unfitted) linear model that predicts, never a
    # distiller: its teacher would otherwise be stored with the codes.
    model = QuantizedLinearModel(
        clone(_linear_model(estimator)),
        n_bits=n_bits,
        method=method,
        random_state=random_state,
    )
    model._validate_params()
    return model._quantize_fitted(estimator)
