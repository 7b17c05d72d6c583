"""Magnitude pruning of linear coefficients, as a feature selector."""

import copy
from numbers import Integral, Real
from operator import attrgetter

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LinearRegression,
    MultiTaskElasticNet,
    Perceptron,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
)
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils import get_tags
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
)
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import _BaseDistiller, _is_text_column
from ._classifier import DistilledClassifier, soft_refit_set
from ._regressor import DistilledRegressor
from ._fitting import (
    RoutesFitToEstimator,
    add_note,
    as_table,
    check_2d,
    check_coef_settable,
    check_sample_weight,
    refit_student,
    route_fit,
    unfitted_on_error,
)
from ._frames import is_dataframe
from ._pruning import search_support, set_coefficients
from .linear_model._soft_logistic import (
    SoftLogisticRegression,
    _fit_logistic_regression_soft,
    _supports_soft_targets,
)

# Models whose rows of ``coef_`` are fitted independently of each other, one
# binary problem per class (one-vs-rest) or one regression per output: a row can
# be refitted alone on its own column subset.
_OVR_CLASSIFIERS = (LinearSVC, SGDClassifier, RidgeClassifier, Perceptron)
_PER_OUTPUT_REGRESSORS = (Ridge, LinearRegression, Lasso, ElasticNet)

_DEFAULT_SPARSITY = 0.5


def cubic_sparsity_schedule(initial_sparsity, final_sparsity, n_steps):
    """Sparsity targets of gradual pruning (Zhu and Gupta, 2017).

    Parameters
    ----------
    initial_sparsity : float
        Sparsity ``s_i`` at step 0 (before the first pruning step).
    final_sparsity : float
        Sparsity ``s_f`` reached at the last step.
    n_steps : int
        Number of pruning steps ``n``.

    Returns
    -------
    schedule : ndarray of shape (n_steps,)
        ``s_t = s_f + (s_i - s_f) * (1 - t / n) ** 3`` for ``t = 1, ..., n``.
    """
    t = np.arange(1, n_steps + 1, dtype=np.float64)
    return final_sparsity + (initial_sparsity - final_sparsity) * (1 - t / n_steps) ** 3


def _calculate_threshold(importances, threshold):
    """Interpret ``threshold`` ("mean", "median", "k*mean", float) on importances."""
    if isinstance(threshold, str):
        text = threshold.strip()
        scale = 1.0
        if "*" in text:
            scale_text, text = text.split("*", 1)
            try:
                scale = float(scale_text.strip())
            except ValueError:
                scale = None
            text = text.strip()
        if scale is None or text not in ("mean", "median"):
            raise ValueError(
                "threshold must be a float, 'mean', 'median' or a scaled reference "
                f"such as '1.5*mean' or '0.5*median'; got {threshold!r}."
            )
        reference = np.median(importances) if text == "median" else np.mean(importances)
        return float(scale * reference)
    return float(threshold)


def _estimator_has(attr):
    """Check ``attr`` on the fitted ``estimator_`` if available, else ``estimator``."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


# A Pipeline given as the estimator: its coefficients weigh the features its
# leading steps make, not the columns of X
_PIPELINE_ADVICE = (
    "SparsifyTransformer prunes a linear model (or a distiller's linear "
    "student) that weighs the columns of X; the last step of a Pipeline weighs "
    "the features its leading steps make. Make SparsifyTransformer a step of "
    "the Pipeline, after them: make_pipeline(<leading steps>, "
    "SparsifyTransformer(<linear model>)). (With importance_getter naming the "
    "last step's coefficients and refit=False, a Pipeline whose steps keep the "
    "columns one for one, a scaler, can be pruned as a whole.)"
)


class _CoefAccess:
    """Read and write the pruned coefficient array of a fitted estimator.

    ``importance_getter`` is "auto" (``coef_``, else ``student_.coef_``), an
    attribute path such as ``"student_.coef_"``, or a callable returning the
    coefficient array itself (zeros are then written into it in place).
    """

    def __init__(self, estimator, getter):
        self.estimator = estimator
        self.getter = getter
        self.owner = self.name = None
        if callable(getter):
            return
        if getter == "auto":
            student = getattr(estimator, "student_", None)
            if isinstance(student, Pipeline):
                student = student.steps[-1][1]
            if hasattr(estimator, "coef_"):
                self.owner, self.name = estimator, "coef_"
            elif hasattr(student, "coef_"):
                self.owner, self.name = student, "coef_"
            if self.owner is not None:
                check_coef_settable(self.owner, "SparsifyTransformer")
            elif isinstance(student, Pipeline):
                raise TypeError(
                    "SparsifyTransformer prunes the last step of a Pipeline "
                    f"student; the student of {type(estimator).__name__} ends in "
                    "another Pipeline. Give the student as one flat Pipeline "
                    "(sklearn.pipeline.make_pipeline of all its steps)."
                )
            else:
                raise TypeError(
                    f"SparsifyTransformer needs a linear model with coefficients: "
                    f"the fitted estimator {estimator!r} has no `coef_` (nor a "
                    "`student_` with `coef_`). Use a linear model such as "
                    "LogisticRegression or Ridge, a DistilledClassifier with a "
                    "linear student, or set importance_getter."
                )
        else:
            prefix, _, self.name = getter.rpartition(".")
            try:
                self.owner = attrgetter(prefix)(estimator) if prefix else estimator
                getattr(self.owner, self.name)
            except AttributeError as exc:
                raise TypeError(
                    f"importance_getter={getter!r} does not name a coefficient "
                    f"array of the fitted estimator {estimator!r} (no `coef_` "
                    "found there)."
                ) from exc

    def get(self):
        """Dense float copy of the coefficients (converting sparse ``coef_``)."""
        if self.owner is None:
            coef = self.getter(self.estimator)
        else:
            coef = getattr(self.owner, self.name)
            if sp.issparse(coef):
                coef = coef.toarray()
                setattr(self.owner, self.name, coef)
        if sp.issparse(coef):
            raise TypeError(
                "The callable importance_getter returned a sparse matrix; it must "
                "return the estimator's dense coefficient array."
            )
        coef = np.asarray(coef)
        if coef.dtype.kind != "f" or coef.ndim not in (1, 2):
            raise TypeError(
                "The coefficients given by importance_getter must be a 1-D or 2-D "
                f"float array; got dtype {coef.dtype} and shape {coef.shape}."
            )
        return coef

    def zero(self, mask):
        """Set the coefficients where ``mask`` is False to exactly zero."""
        if self.owner is not None:
            coef = np.array(getattr(self.owner, self.name))
            coef[~mask] = 0.0
            setattr(self.owner, self.name, coef)
            return
        coef = self.getter(self.estimator)
        coef[~mask] = 0.0
        if np.any(np.asarray(self.getter(self.estimator))[~mask] != 0):
            raise ValueError(
                "The callable importance_getter must return the estimator's own "
                "coefficient array (not a copy), so that pruned entries can be "
                "set to zero in it."
            )

    def sparsify(self):
        """Convert the coefficients to a sparse matrix with the owner's ``sparsify``."""
        owner = self.owner if self.owner is not None else self.estimator
        if hasattr(owner, "sparsify"):
            owner.sparsify()


def _onehot(y, classes):
    return (np.asarray(y)[:, None] == np.asarray(classes)[None, :]).astype(np.float64)


def _intercept_like(values, original):
    """``values`` shaped and typed as the estimator's ``intercept_`` was (an
    array, a numpy scalar of X's dtype, or a Python float)."""
    values = np.asarray(values).reshape(np.shape(original))
    values = values.astype(np.result_type(original), copy=False)
    if isinstance(original, np.ndarray):
        return values
    return values[()] if isinstance(original, np.generic) else values.item()


def _read_only(X):
    """A read-only view of an array (anything else as is).

    The pruning reads ``X`` again after the estimator's fit: a model that
    writes into its input (``LinearRegression(copy_X=False)``) then copies
    it, as scikit-learn's estimators do with read-only input, where it
    would have centred the rows the refits read.
    """
    if not isinstance(X, np.ndarray):
        return X
    view = X.view()
    view.flags.writeable = False
    return view


def _fit_on_columns(estimator, X, y, columns, fit_kwargs):
    """Fit ``clone(estimator)`` on the columns of ``X`` where ``columns`` is True.

    With no column left, the model is fitted on one column of zeros, which gets
    a zero coefficient: this fits the intercept alone.
    """
    if np.any(columns):
        X_sub = X[:, np.flatnonzero(columns)]
    else:
        X_sub = np.zeros((X.shape[0], 1))
    sub = clone(estimator).fit(X_sub, y, **fit_kwargs)
    coef = np.asarray(sub.coef_.toarray() if sp.issparse(sub.coef_) else sub.coef_)
    return coef, np.asarray(sub.intercept_, dtype=np.float64)


def _check_prefit_names(estimator, selector):
    """Refuse X whose column names differ from those ``estimator`` was fitted on.

    A prefit model's coefficients follow its own columns: read over X's
    columns in another order (or other columns), they would prune the wrong
    features.
    """
    fitted = getattr(estimator, "feature_names_in_", None)
    given = getattr(selector, "feature_names_in_", None)
    if fitted is None or given is None:
        return
    if not np.array_equal(
        np.asarray(fitted, dtype=object), np.asarray(given, dtype=object)
    ):
        raise ValueError(
            "The columns of X differ from those the frozen estimator was fitted "
            f"on ({list(fitted)[:5]} against {list(given)[:5]}, in order): its "
            "coefficients follow its own columns. Give X the same columns in "
            "the same order."
        )


class SparsifyTransformer(
    RoutesFitToEstimator, SelectorMixin, MetaEstimatorMixin, BaseEstimator
):
    """Prune a linear model's coefficients to exact zeros and select features.

    The estimator is fitted (unless it is a prefit model wrapped in
    :class:`~sklearn.frozen.FrozenEstimator`), the coefficients of smallest
    magnitude are set to exactly zero, and the model is optionally refitted
    with the pruned coefficients held at zero. ``transform`` keeps the
    features whose coefficients are not all zero, like
    :class:`~sklearn.feature_selection.SelectFromModel`, and the pruned model
    ``estimator_`` predicts on the original columns: ``sel.predict(X)`` (or
    ``sel.estimator_.predict(X)``) is the compressed model's prediction.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    estimator : estimator
        A linear model with ``coef_`` (e.g.
        :class:`~sklearn.linear_model.LogisticRegression`,
        :class:`~sklearn.linear_model.Ridge`, :class:`~sklearn.svm.LinearSVC`,
        :class:`~sklearn.linear_model.SGDClassifier`,
        :class:`~skdistill.linear_model.SoftLogisticRegression`) or a
        :class:`~skdistill.DistilledClassifier` with a linear student. It is
        cloned and fitted; a prefit estimator wrapped in
        :class:`~sklearn.frozen.FrozenEstimator` is pruned without any fit
        (``refit`` is then ignored).

    sparsity : float in [0, 1), default=None
        Fraction of the pruning units (coefficients, or features with
        ``granularity="feature"``) set to zero. The number pruned is
        ``round(sparsity * n_units)``, at most ``n_units - 1``. When none of
        ``sparsity``, ``threshold`` and ``max_features`` is given,
        ``sparsity=0.5`` is used.

    threshold : str or float, default=None
        Prune the units whose importance (``|w|`` of a coefficient, or the
        ``norm_order`` norm of a feature's coefficients) is below it. A float,
        ``"mean"``, ``"median"`` or a scaled reference such as ``"1.5*mean"``,
        computed on the importances of the fitted, unpruned model (as
        :class:`~sklearn.feature_selection.SelectFromModel`). With
        ``n_steps > 1`` it fixes the final number of pruned units, which the
        schedule then reaches gradually.

    max_features : int, default=None
        Keep exactly this many features (those with the largest coefficient
        norms) in ``coef_mask_``. Whole features are pruned whatever
        ``granularity`` is. A refit with an L1 penalty (``Lasso``) may set
        some kept features to zero itself: ``get_support`` and
        ``n_features_`` count the features with a non-zero coefficient.

    refit : bool, default=True
        Refit the model after each pruning step with the pruned coefficients
        held at zero (fine-tuning). See Notes for how each model is refitted.

    method : {"auto", "magnitude"}, default="auto"
        How the coefficients to prune, and the final model, are chosen.
        ``"magnitude"``: by ``|w|`` (``n_steps`` prune-and-refit steps; one
        shot with ``n_steps=1``: prune once, refit once). ``"auto"``: for an
        L2- or un-penalized :class:`~sklearn.linear_model.LogisticRegression`
        without ``class_weight`` (or a DistilledClassifier with one as
        student) with ``refit=True`` and ``granularity="coef"``, a sparse
        model is searched on the model's own training objective (soft targets
        of a distiller included) among three candidates with exactly the
        requested number of non-zeros: the L1-path solution where it crosses
        that number, kept as it is (``"l1"``); its support refitted with the
        model's penalty (``"l1_refit"``); and 10-step gradual magnitude
        pruning with refits (``"gradual_magnitude"``). A 3-fold
        cross-validation on the training rows picks the one with the lowest
        held-out cross-entropy (at the best common scale of its logits),
        which is then built on all the rows: **the final coefficients are
        then not necessarily a refit with the model's penalty** (see Notes;
        ``method_`` tells which). Above 50,000 coefficients, whose L1 path
        costs hundreds of fits, gradual magnitude pruning is built alone.
        The ``"magnitude"`` rule applies otherwise, when ``n_steps > 1``, and
        with a ``threshold`` (which prunes exactly the units below it).

    n_steps : int, default=1
        Number of magnitude prune-and-refit steps (``n_steps > 1`` prunes by
        magnitude whatever ``method`` is). With ``n_steps > 1`` the sparsity
        follows the cubic schedule of Zhu and Gupta (2017),
        ``s_t = s_f + (s_i - s_f) * (1 - t / n_steps) ** 3``, ``t = 1..n_steps``;
        masks are cumulative (a pruned unit is never restored).

    initial_sparsity : float in [0, 1), default=0.0
        ``s_i`` of the schedule; it must not exceed the target sparsity.

    granularity : {"coef", "feature"}, default="coef"
        ``"coef"`` prunes single coefficients by ``|w|``; ``"feature"`` prunes
        whole features (a column of ``coef_`` across classes or outputs) ranked
        by the ``norm_order`` norm of their coefficients.

    norm_order : non-zero int, inf, -inf, default=1
        Order of the norm of a feature's coefficients when ``coef_`` is 2-D,
        for ``granularity="feature"``, ``max_features`` and the feature
        importances (as :class:`~sklearn.feature_selection.SelectFromModel`).

    importance_getter : str or callable, default="auto"
        Where the coefficients are. ``"auto"`` uses ``coef_``, else
        ``student_.coef_``; a string is an attribute path (e.g.
        ``"student_.coef_"``); a callable receives the fitted estimator and must
        return its coefficient array itself (pruned entries are zeroed in it).
        Refitting always works on ``coef_`` (or ``student_.coef_``).

    store_sparse : bool, default=False
        Convert the pruned coefficients of ``estimator_`` to a
        :mod:`scipy.sparse` matrix with the model's own ``sparsify()`` method,
        when it has one (e.g. LogisticRegression, LinearSVC, SGD models).

    Attributes
    ----------
    estimator_ : estimator
        The pruned (and refitted) model, with exact zeros in its coefficients;
        it predicts on the original columns. For a frozen estimator, a
        :func:`copy.deepcopy` of the inner estimator. When it was fitted
        without column names and the selector with them (a model prefit on
        an array, pruned on a DataFrame), the selector's ``predict`` and
        other methods check the names of ``X``, as ``transform`` does.

    coef_mask_ : ndarray of bool, shape of the coefficients
        ``False`` marks the pruned coefficients.

    sparsity_ : float
        Achieved fraction of coefficients that are exactly zero.

    threshold_ : float
        Magnitude threshold of the last pruning step: the threshold computed
        from ``threshold``, otherwise the importance of the weakest surviving
        unit (units below it were pruned; ties are broken by position).

    sparsity_schedule_ : ndarray of shape (n_steps,)
        Target sparsity after each pruning step (a single step when the
        support was searched).

    method_ : str
        How the final model was made: ``"magnitude"`` (pruning by ``|w|``),
        or the candidate of the ``method="auto"`` search that was chosen:
        ``"l1"``, ``"l1_refit"`` or ``"gradual_magnitude"``.

    n_features_ : int
        Number of features kept (with at least one non-zero coefficient).

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.feature_selection.SelectFromModel : Feature selection from a
        model's importances, without pruning the model.
    quantize : Store the (pruned) coefficients in fewer bits.

    Notes
    -----
    With ``method="auto"`` and a searchable LogisticRegression (see
    ``method``), the final coefficients are those of the candidate chosen by
    cross-validation. With ``"l1_refit"`` and ``"gradual_magnitude"`` the
    model is refitted on the chosen support as below. With ``"l1"`` the
    coefficients and intercept are the solution of the model's own objective
    (the soft-target cross-entropy and its L2 penalty ``C``) plus an L1
    penalty (an elastic net), at the penalty where the L1 path
    crosses the requested number of non-zeros, restricted to the largest of
    them and solved again there (the relaxed lasso with ``phi = 0``). This
    is not a refit with the model's L2 penalty: the L1 shrinkage is kept,
    as it regularizes where the model's own ``C`` leaves it overfit (many
    features for the rows); cross-validation decides. The model's
    ``C`` is not changed, and ``n_iter_`` is that of its dense fit. Use
    ``method="magnitude"`` for a model that is always the masked refit. The
    coefficients are written into the estimator's ``coef_`` and
    ``intercept_`` (a DistilledClassifier's ``student_``, or the last step
    of its Pipeline student) with exact zeros outside the support.

    How the model is refitted with the mask held fixed (``refit=True``):

    - L2- or un-penalized :class:`~sklearn.linear_model.LogisticRegression`
      and :class:`~skdistill.linear_model.SoftLogisticRegression`: the exact
      soft-target L-BFGS solver with the masked gradient, warm-started from
      the pruned coefficients (one L-BFGS fit per step). The labels become
      one-hot targets; 2-D soft targets given to SoftLogisticRegression are
      used as they are.
    - :class:`~skdistill.DistilledClassifier`: its student is refitted on the
      same training set as in its ``fit`` (built once per pruning run: the
      teacher is queried once, its out-of-fold outputs come from the cache
      with ``memory``); only a LogisticRegression student supports it. With
      a :class:`~sklearn.pipeline.Pipeline` student, its last step is pruned
      and refitted (the fitted leading steps are kept); the coefficients are
      then over the features those steps make, so ``transform`` and
      ``max_features`` are not available and ``n_features_`` counts those
      features.
    - Any other linear model, when the mask prunes whole features
      (``granularity="feature"``, ``max_features``, or a single row of
      coefficients): ``clone(estimator).fit(X[:, support], y)``, written back
      into a full-width copy with zeros on the pruned columns. One cold fit
      per step.
    - ``granularity="coef"`` with several rows of coefficients fitted
      independently (one-vs-rest :class:`~sklearn.svm.LinearSVC`, not
      ``multi_class="crammer_singer"``,
      :class:`~sklearn.linear_model.SGDClassifier`,
      :class:`~sklearn.linear_model.RidgeClassifier`,
      :class:`~sklearn.linear_model.Perceptron` without ``class_weight``;
      multi-output :class:`~sklearn.linear_model.Ridge`, ``LinearRegression``,
      ``Lasso``, ``ElasticNet``, not their multi-task versions): each row is
      refitted alone on its own column subset (one fit per class or output
      per step). Other combinations, e.g. an L1-penalized multinomial
      LogisticRegression, raise a ``ValueError``:
      use ``granularity="feature"`` or ``refit=False``.

    To ship the compressed model, persist ``estimator_`` (pickle, joblib or
    skops); for a DistilledClassifier ``estimator_.student_`` alone suffices.
    The pruned model can be stored in fewer bits with :func:`quantize`.

    References
    ----------
    .. [1] M. Zhu and S. Gupta, "To prune, or not to prune: exploring the
       efficacy of pruning for model compression", arXiv:1710.01878, 2017.
    .. [2] S. Han, J. Pool, J. Tran and W. Dally, "Learning both Weights and
       Connections for Efficient Neural Networks", NIPS, 2015.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdistill import SparsifyTransformer
    >>> X, y = load_iris(return_X_y=True)
    >>> sel = SparsifyTransformer(LogisticRegression(), sparsity=0.5).fit(X, y)
    >>> sel.sparsity_
    0.5
    >>> int((sel.estimator_.coef_ == 0).sum())
    6
    >>> sel.predict(X[:3])
    array([0, 0, 0])
    >>> sel2 = SparsifyTransformer(LogisticRegression(), max_features=2).fit(X, y)
    >>> sel2.get_support()
    array([False, False,  True,  True])
    >>> sel2.transform(X).shape
    (150, 2)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "sparsity": [Interval(Real, 0, 1, closed="left"), None],
        "threshold": [Interval(Real, None, None, closed="both"), str, None],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "refit": ["boolean"],
        "method": [StrOptions({"auto", "magnitude"})],
        "n_steps": [Interval(Integral, 1, None, closed="left")],
        "initial_sparsity": [Interval(Real, 0, 1, closed="left")],
        "granularity": [StrOptions({"coef", "feature"})],
        "norm_order": [
            Interval(Integral, None, -1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf, -np.inf}),
        ],
        "importance_getter": [str, callable],
        "store_sparse": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        *,
        sparsity=None,
        threshold=None,
        max_features=None,
        refit=True,
        method="auto",
        n_steps=1,
        initial_sparsity=0.0,
        granularity="coef",
        norm_order=1,
        importance_getter="auto",
        store_sparse=False,
    ):
        self.estimator = estimator
        self.sparsity = sparsity
        self.threshold = threshold
        self.max_features = max_features
        self.refit = refit
        self.method = method
        self.n_steps = n_steps
        self.initial_sparsity = initial_sparsity
        self.granularity = granularity
        self.norm_order = norm_order
        self.importance_getter = importance_getter
        self.store_sparse = store_sparse

    def _check_target(self, n_features):
        """Return the pruning mode and check the targets are consistent."""
        given = [
            name
            for name in ("sparsity", "threshold", "max_features")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError(
                "Give only one of sparsity, threshold and max_features; got "
                f"{', '.join(f'{n}={getattr(self, n)!r}' for n in given)}."
            )
        if self.max_features is not None and n_features is None:
            raise ValueError(
                "max_features counts columns of X, which is one column of texts "
                "or dicts; use sparsity or threshold."
            )
        if self.max_features is not None and self.max_features > n_features:
            raise ValueError(
                f"max_features={self.max_features} is larger than the number of "
                f"features in X ({n_features}); it must be in [1, {n_features}]."
            )
        if isinstance(self.threshold, str):
            _calculate_threshold(np.zeros(1), self.threshold)  # check the string
        mode = given[0] if given else "sparsity"
        target = None
        if mode == "sparsity":
            target = _DEFAULT_SPARSITY if self.sparsity is None else self.sparsity
        elif mode == "max_features":
            target = 1.0 - self.max_features / n_features
        if target is not None and self.initial_sparsity > target:
            raise ValueError(
                f"initial_sparsity={self.initial_sparsity!r} must not exceed the "
                f"target sparsity {target!r}."
            )
        return mode, target

    def _importances(self, coef, by_feature):
        """Importance of each pruning unit: ``|w|`` or the norm of a feature."""
        if not by_feature:
            return np.abs(coef).ravel()
        if coef.ndim == 1:
            return np.abs(coef)
        return np.linalg.norm(coef, axis=0, ord=self.norm_order)

    def _split_params(self, sample_weight, fit_params, X):
        """Parameters of the estimator's ``fit`` (the weights as given) and
        the refit's sample weights (an array of one per row of ``X``)."""
        if _routing_enabled():
            routed = route_fit(self, sample_weight, fit_params)
            params = dict(routed.estimator.fit)
            sample_weight = params.get("sample_weight")
        else:
            params = dict(fit_params)
            if sample_weight is not None:
                params["sample_weight"] = sample_weight
        # negative weights are the estimator's to refuse (LogisticRegression
        # accepts them)
        return params, check_sample_weight(sample_weight, X, non_negative=False)

    @_fit_context(prefer_skip_nested_validation=False)
    @unfitted_on_error
    def fit(self, X, y=None, sample_weight=None, **fit_params):
        """Fit the estimator, prune its coefficients and optionally refit it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs (passed as given to the estimator, so a DataFrame
            keeps its column names there).

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, for the fit and every refit.

        **fit_params : dict
            Other parameters of the estimator's ``fit`` (routed to it when
            metadata routing is enabled). Ignored for a frozen estimator
            (refused with metadata routing enabled, as a frozen estimator's
            router refuses them).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X_raw = X
        if isinstance(self._inner(), _BaseDistiller):
            # a distiller hands X to its teacher and student as given
            X = X_raw = as_table(X)
            if _is_text_column(X):
                # one column of texts or dicts, for a Pipeline student that
                # vectorizes them: no feature count, as for the distiller
                for name in ("n_features_in_", "feature_names_in_"):
                    self.__dict__.pop(name, None)
            else:
                check_2d(X)
                X = validate_data(self, X, skip_check_array=True)
        else:
            pipeline = isinstance(self._inner(), Pipeline)
            if pipeline and self.importance_getter == "auto":
                # refused before X is read as numbers (a DataFrame of texts
                # that the Pipeline encodes would fail there, unclearly)
                raise TypeError(_PIPELINE_ADVICE)
            allow_nan = get_tags(self).input_tags.allow_nan
            try:
                X = validate_data(
                    self,
                    X,
                    accept_sparse=["csr", "csc"],
                    ensure_all_finite="allow-nan" if allow_nan else True,
                )
            except ValueError as exc:
                if pipeline:
                    add_note(exc, _PIPELINE_ADVICE)
                raise
            if not (is_dataframe(X_raw) or sp.issparse(X_raw)):
                X_raw = X
        n_features = getattr(self, "n_features_in_", None)  # None: texts
        mode, target = self._check_target(n_features)
        fit_kwargs, sample_weight = self._split_params(sample_weight, fit_params, X_raw)

        frozen = isinstance(self.estimator, FrozenEstimator)
        if frozen:
            check_is_fitted(self.estimator.estimator)
            _check_prefit_names(self.estimator.estimator, self)
            estimator = copy.deepcopy(self.estimator.estimator)
        else:
            estimator = clone(self.estimator).fit(_read_only(X_raw), y, **fit_kwargs)
        access = _CoefAccess(estimator, self.importance_getter)
        coef = access.get()
        # a Pipeline student's last step has coefficients over the features
        # its leading steps make, not over the columns of X
        over_X = not isinstance(getattr(estimator, "student_", None), Pipeline)
        n_inputs = n_features if over_X else coef.shape[-1]
        if over_X and coef.shape[-1] != n_features:
            raise ValueError(
                f"The coefficients have shape {coef.shape}, which does not match "
                f"the {n_features} features of X."
            )
        if not over_X and mode == "max_features":
            raise ValueError(
                "max_features counts columns of X, but the student is a Pipeline "
                "whose last step's coefficients are over the features its leading "
                "steps make; use sparsity or threshold."
            )

        by_feature = self.granularity == "feature" or mode == "max_features"
        mask = np.ones(coef.shape, dtype=bool)
        n_units = n_inputs if by_feature else coef.size
        pruned = np.zeros(n_units, dtype=bool)

        threshold = None
        if mode == "threshold":
            importances = self._importances(coef, by_feature)
            threshold = _calculate_threshold(importances, self.threshold)
            n_final = int(np.sum(importances < threshold))
            target = n_final / n_units
            if self.initial_sparsity > target:
                raise ValueError(
                    f"initial_sparsity={self.initial_sparsity!r} must not exceed "
                    f"the sparsity that threshold={self.threshold!r} gives, "
                    f"{target:.4g} ({n_final} of {n_units} pruned)."
                )
        elif mode == "max_features":
            n_final = n_features - self.max_features
        else:
            n_final = min(round(target * n_units), n_units - 1)
        schedule = cubic_sparsity_schedule(self.initial_sparsity, target, self.n_steps)

        do_refit = self.refit and not frozen
        # a distiller's training set queries its teacher: build it once
        training_set = None
        if do_refit and isinstance(estimator, DistilledClassifier):
            try:
                training_set = soft_refit_set(
                    estimator, X_raw, y, sample_weight, fit_params=fit_kwargs
                )
            except NotImplementedError as exc:
                raise ValueError(
                    f"SparsifyTransformer cannot refit {self.estimator!r} with "
                    f"pruned coefficients held at zero ({exc}) Use refit=False, "
                    "or a LogisticRegression student."
                ) from exc
        if do_refit and isinstance(estimator, DistilledRegressor):
            raise ValueError(
                "SparsifyTransformer refits the linear student of a "
                "DistilledClassifier, not of a DistilledRegressor. Use "
                "refit=False to keep its student's coefficients as pruned, or "
                "make the SparsifyTransformer the student: "
                "DistilledRegressor(teacher, SparsifyTransformer(Ridge(), ...))."
            )
        if do_refit and training_set is None and not hasattr(estimator, "coef_"):
            # a refit fits the estimator itself, with its own coef_ held
            raise ValueError(
                f"SparsifyTransformer can refit a linear model, or the linear "
                f"student of a DistilledClassifier, with the pruned coefficients "
                f"held at zero; the coefficients of {type(estimator).__name__} "
                f"are those of an inner estimator (importance_getter="
                f"{self.importance_getter!r}). Use refit=False to keep them as "
                "pruned, or prune the linear model itself (e.g. as a step of "
                "the Pipeline)."
            )
        searched = None  # the searched support (one step), or None
        # a threshold names the units below it (as SelectFromModel): pruned
        # by magnitude, not searched by their number
        search = self.method == "auto" and self.n_steps == 1 and mode != "threshold"
        if search and do_refit and not by_feature:
            searched = search_support(
                estimator, X, y, coef.size - n_final,
                sample_weight=sample_weight, refit_set=training_set,
            )
        keep = None if searched is None else searched.mask
        if keep is not None:
            schedule = np.array([target])
        for step, s_t in enumerate(schedule):
            importances = self._importances(coef, by_feature)
            if step == len(schedule) - 1:
                n_pruned = n_final
            else:
                n_pruned = min(round(s_t * n_units), n_final)
            n_pruned = max(n_pruned, int(pruned.sum()))
            ranked = np.where(pruned, -np.inf, importances)
            if keep is not None:
                ranked[~keep.ravel()] = -np.inf
            # ties pruned from the last: the first are kept, as SelectFromModel
            order = np.lexsort((-np.arange(n_units), ranked))
            pruned[order[:n_pruned]] = True
            if mode == "threshold":
                threshold_ = threshold
            elif n_pruned < n_units:
                threshold_ = float(importances[order[n_pruned]])
            else:
                threshold_ = np.inf
            if by_feature:
                mask[..., pruned] = False
            else:
                mask = ~pruned.reshape(coef.shape)
            access.zero(mask)
            if do_refit and keep is not None and searched.coef is not None:
                # the searched model is kept as it is (not a refit on the mask)
                estimator = set_coefficients(estimator, searched, training_set)
                access = _CoefAccess(estimator, self.importance_getter)
            elif do_refit:
                estimator = self._refit(
                    estimator, X_raw, X, y, mask, sample_weight, fit_kwargs, training_set
                )
                access = _CoefAccess(estimator, self.importance_getter)
                access.zero(mask)  # exact zeros whatever the solver returned
            coef = access.get()

        if self.store_sparse:
            access.sparsify()
        self.estimator_ = estimator
        self.coef_mask_ = mask
        self.sparsity_ = float(np.mean(coef == 0))
        self.threshold_ = threshold_
        self.sparsity_schedule_ = schedule
        self.method_ = "magnitude" if searched is None else searched.method
        support = coef != 0
        support = support.any(axis=0) if support.ndim == 2 else support
        self._support = support if over_X else None
        self.n_features_ = int(support.sum())
        return self

    def _inner(self):
        """The wrapped estimator (inside a FrozenEstimator too)."""
        if isinstance(self.estimator, FrozenEstimator):
            return self.estimator.estimator
        return self.estimator

    def _refit(
        self, estimator, X_raw, X, y, mask, sample_weight, fit_kwargs, training_set
    ):
        """Refit ``estimator`` with the coefficients where ``mask`` is False at 0."""
        if training_set is not None:
            return refit_student(estimator, training_set, mask)
        y_arr = np.asarray(y)
        if y_arr.ndim == 2 and y_arr.shape[1] == 1:
            y_arr = y_arr.ravel()  # a column of labels, as the estimators accept
        if _supports_soft_targets(estimator):
            warm_start = estimator.warm_start
            estimator.warm_start = True
            try:
                _fit_logistic_regression_soft(
                    estimator,
                    X_raw,
                    _onehot(y_arr, estimator.classes_),
                    estimator.classes_,
                    sample_weight=sample_weight,
                    coef_mask=mask,
                    labels=True,
                )
            finally:
                estimator.warm_start = warm_start
            return estimator
        if isinstance(estimator, SoftLogisticRegression):
            return estimator._fit(
                X_raw, y_arr, sample_weight, warm_start=True, coef_mask=mask
            )

        y = np.asarray(y)
        coef = np.array(estimator.coef_, dtype=np.float64)
        intercept = np.array(estimator.intercept_, dtype=np.float64)
        rows = mask.reshape(-1, mask.shape[-1])
        if (rows == rows[0]).all():
            # whole features pruned: refit on the surviving columns
            sub_coef, sub_intercept = _fit_on_columns(
                self.estimator, X, y, rows[0], fit_kwargs
            )
            coef[...] = 0.0
            coef[..., rows[0]] = sub_coef.reshape(coef.shape[:-1] + (-1,))[
                ..., : rows[0].sum()
            ]
            estimator.coef_ = coef.astype(estimator.coef_.dtype, copy=False)
            estimator.intercept_ = _intercept_like(sub_intercept, estimator.intercept_)
            return estimator

        base = self.estimator
        is_ovr = (
            isinstance(base, _OVR_CLASSIFIERS)
            and getattr(base, "class_weight", None) is None
            # Crammer and Singer's LinearSVC fits its rows jointly
            and getattr(base, "multi_class", "ovr") != "crammer_singer"
            and len(getattr(estimator, "classes_", ())) == rows.shape[0] > 2
        )
        is_per_output = (
            isinstance(base, _PER_OUTPUT_REGRESSORS)
            # the multi-task models (ElasticNet's subclasses) fit jointly
            and not isinstance(base, MultiTaskElasticNet)
            and y.ndim == 2
            and y.shape[1] == rows.shape[0]
        )
        if not (is_ovr or is_per_output):
            raise ValueError(
                f"SparsifyTransformer cannot refit {base!r} with single "
                "coefficients held at zero (granularity='coef'): its rows of "
                "coefficients are not fitted independently one-vs-rest or per "
                "output. Use granularity='feature' (refits on the kept columns) "
                "or refit=False."
            )
        for k in range(rows.shape[0]):
            sub = base
            if is_ovr:
                y_k = (y == estimator.classes_[k]).astype(np.int64)
            else:
                y_k = y[:, k]
                alpha = getattr(base, "alpha", None)
                if alpha is not None and np.ndim(alpha) == 1:
                    sub = clone(base).set_params(alpha=float(alpha[k]))
            sub_coef, sub_intercept = _fit_on_columns(
                sub, X, y_k, rows[k], fit_kwargs
            )
            coef[k] = 0.0
            coef[k, rows[k]] = sub_coef.ravel()[: rows[k].sum()]
            if intercept.ndim:  # without an intercept, it is the scalar 0.0
                intercept[k] = np.ravel(sub_intercept)[0]
        estimator.coef_ = coef.astype(estimator.coef_.dtype, copy=False)
        if intercept.ndim:
            estimator.intercept_ = _intercept_like(intercept, estimator.intercept_)
        return estimator

    def _get_support_mask(self):
        check_is_fitted(self)
        if self._support is None:
            raise ValueError(
                "SparsifyTransformer cannot select columns of X: the pruned "
                "coefficients belong to the last step of a Pipeline student and "
                "are over the features its leading steps make. Use predict (or "
                "estimator_) instead of transform."
            )
        return self._support

    def transform(self, X):
        """Keep the columns of ``X`` whose coefficients are not all zero.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, `n_features_in_`)
            Input samples.

        Returns
        -------
        X_r : {ndarray, sparse matrix, DataFrame} of shape (n_samples, n_kept)
            The kept columns.
        """
        self._get_support_mask()  # its own error before X's validation
        return super().transform(X)

    def _model_X(self, X):
        """``X`` for ``estimator_``, its column names checked here when the
        selector was fitted with names and ``estimator_`` without (prefit on
        an array), as ``transform`` checks them."""
        check_is_fitted(self)
        if hasattr(self, "feature_names_in_") and not hasattr(
            self.estimator_, "feature_names_in_"
        ):
            validate_data(self, X, reset=False, skip_check_array=True)
        return X

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict with the pruned model ``estimator_`` on the original columns.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, `n_features_in_`)
            Input samples (all the columns, not the selected ones).

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions of ``estimator_``.
        """
        X = self._model_X(X)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the pruned model ``estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, `n_features_in_`)
            Input samples (all the columns).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities of ``estimator_``.
        """
        X = self._model_X(X)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the pruned model ``estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, `n_features_in_`)
            Input samples (all the columns).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities of ``estimator_``.
        """
        X = self._model_X(X)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the pruned model ``estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, `n_features_in_`)
            Input samples (all the columns).

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Decision function of ``estimator_``.
        """
        X = self._model_X(X)
        return self.estimator_.decision_function(X)

    @available_if(_estimator_has("score"))
    def score(self, X, y, sample_weight=None):
        """Score of the pruned model ``estimator_`` on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, `n_features_in_`)
            Input samples (all the columns).

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            ``estimator_.score(X, y)`` (accuracy or R^2).
        """
        X = self._model_X(X)
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self.estimator_.score(X, y, **kwargs)

    @property
    def classes_(self):
        """Class labels of ``estimator_`` (classifiers only)."""
        check_is_fitted(self)
        return self.estimator_.classes_

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
