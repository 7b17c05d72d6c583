"""Tests for SparsifyTransformer: magnitude pruning, refit, selection."""

import itertools
import pickle

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectFromModel
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import (
    Lasso,
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
)
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier
from _checks import parametrize_with_checks

from skdistill import DistilledClassifier
from skdistill._sparsify import SparsifyTransformer, cubic_sparsity_schedule
from skdistill.linear_model import SoftLogisticRegression
from skdistill.linear_model._soft_logistic import _fit_logistic_regression_soft

TIGHT = {"tol": 1e-10, "max_iter": 5000}


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_classification(
        n_samples=300,
        n_features=20,
        n_informative=8,
        n_redundant=2,
        n_classes=4,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(
        n_samples=200, n_features=15, n_informative=6, n_targets=2, random_state=0
    )
    return X, y


def _penalized_objective(clf, X, y):
    """scikit-learn's LogisticRegression objective: C * sum(loss) + ||w||^2 / 2."""
    proba = clf.predict_proba(X)
    idx = np.searchsorted(clf.classes_, y)
    loss = -np.log(proba[np.arange(len(y)), idx]).sum()
    return clf.C * loss + 0.5 * float(np.sum(clf.coef_**2))


# ---------------------------------------------------------------- parity


@pytest.mark.parametrize("threshold", [0.05, "mean", "median", "1.2*mean"])
@pytest.mark.parametrize(
    "make_est, target",
    [
        (lambda: LogisticRegression(), "class"),
        (lambda: Ridge(alpha=1.0), "reg"),
        (lambda: LinearSVC(random_state=0), "class"),
    ],
)
def test_feature_support_matches_select_from_model(
    multiclass, regression, threshold, make_est, target
):
    X, y = multiclass if target == "class" else regression
    if target == "reg":
        y = y[:, 0]
    sel = SparsifyTransformer(
        make_est(), threshold=threshold, granularity="feature", refit=False
    ).fit(X, y)
    sfm = SelectFromModel(make_est(), threshold=threshold, prefit=False).fit(X, y)
    assert_array_equal(sel.get_support(), sfm.get_support())
    assert sel.threshold_ == pytest.approx(sfm.threshold_)
    # pruned columns are exactly zero, kept coefficients are unchanged
    coef = np.atleast_2d(sel.estimator_.coef_)
    assert_array_equal(coef[:, ~sel.get_support()], 0)
    assert_array_equal(
        coef[:, sel.get_support()],
        np.atleast_2d(sfm.estimator_.coef_)[:, sfm.get_support()],
    )


# ------------------------------------------------------- sparsity targets


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("refit", [False, True])
def test_coef_sparsity_is_achieved_with_exact_zeros(multiclass, sparsity, refit):
    X, y = multiclass
    sel = SparsifyTransformer(
        LogisticRegression(), sparsity=sparsity, refit=refit
    ).fit(X, y)
    coef = sel.estimator_.coef_
    n_zero = round(sparsity * coef.size)
    assert np.sum(coef == 0) == n_zero
    assert sel.sparsity_ == pytest.approx(n_zero / coef.size)
    assert_array_equal(coef == 0, ~sel.coef_mask_)
    assert sel.coef_mask_.dtype == bool


def test_unrefit_pruning_keeps_largest_magnitudes(multiclass):
    X, y = multiclass
    dense = LogisticRegression().fit(X, y).coef_
    sel = SparsifyTransformer(LogisticRegression(), sparsity=0.6, refit=False).fit(
        X, y
    )
    kept = np.abs(dense[sel.coef_mask_])
    pruned = np.abs(dense[~sel.coef_mask_])
    assert kept.min() >= pruned.max()
    assert sel.threshold_ == kept.min()
    assert_array_equal(sel.estimator_.coef_[sel.coef_mask_], dense[sel.coef_mask_])


def test_ties_are_broken_by_position_as_select_from_model():
    # every coefficient has the same magnitude: the first ones are kept
    X = np.eye(6)
    y = np.arange(6) % 2
    est = FrozenEstimator(Ridge().fit(X, y))
    est.estimator.coef_ = np.ones(6)
    sel = SparsifyTransformer(est, sparsity=0.5).fit(X, y)
    assert_array_equal(sel.coef_mask_, [True, True, True, False, False, False])
    est.estimator.coef_ = np.array([1.0, 3.0, 2.0, 1.0, 3.0, 1.0])
    for k in range(1, 6):
        sel = SparsifyTransformer(est, max_features=k).fit(X, y)
        reference = SelectFromModel(est, max_features=k, threshold=-np.inf)
        assert_array_equal(sel.get_support(), reference.fit(X, y).get_support())


def test_frozen_model_refuses_columns_other_than_its_own():
    # its coefficients follow its own columns: reordered, they would prune
    # the wrong features
    pd = pytest.importorskip("pandas")
    X, y = make_classification(200, 6, n_informative=3, random_state=0)
    frame = pd.DataFrame(X, columns=list("abcdef"))
    model = FrozenEstimator(LogisticRegression().fit(frame, y))
    sel = SparsifyTransformer(model, max_features=2).fit(frame, y)
    kept = np.array(list("abcdef"))[np.argsort(-np.abs(model.coef_[0]))[:2]]
    assert sorted(sel.get_feature_names_out()) == sorted(kept)
    for other in (frame[list("fedcba")], frame.set_axis(list("uvwxyz"), axis=1)):
        with pytest.raises(ValueError, match="differ from those the frozen"):
            SparsifyTransformer(model, max_features=2).fit(other, y)


@pytest.mark.parametrize("threshold", ["mean", "1.5*mean", 0.3])
def test_threshold_prunes_exactly_the_units_below_it_by_default(multiclass, threshold):
    X, y = multiclass
    model = LogisticRegression(max_iter=1000)
    sel = SparsifyTransformer(model, threshold=threshold).fit(X, y)
    # the decision is on the model before pruning, as SelectFromModel's
    coef = clone(model).fit(X, y).coef_
    assert_array_equal(sel.coef_mask_, np.abs(coef) >= sel.threshold_)
    assert sel.method_ == "magnitude"


def test_threshold_below_the_initial_sparsity_is_refused(multiclass):
    X, y = multiclass
    sel = SparsifyTransformer(
        LogisticRegression(max_iter=500),
        threshold="mean",
        initial_sparsity=0.95,
        n_steps=3,
    )
    with pytest.raises(ValueError, match="must not exceed the sparsity that"):
        sel.fit(X, y)


@pytest.mark.parametrize("max_features", [1, 5, 20])
def test_max_features_keeps_exactly_that_many(multiclass, max_features):
    X, y = multiclass
    sel = SparsifyTransformer(LogisticRegression(), max_features=max_features).fit(
        X, y
    )
    assert sel.get_support().sum() == max_features == sel.n_features_
    assert sel.transform(X).shape == (X.shape[0], max_features)
    assert_array_equal(sel.estimator_.coef_[:, ~sel.get_support()], 0)
    sfm = SelectFromModel(
        LogisticRegression(), threshold=-np.inf, max_features=max_features
    ).fit(X, y)
    assert_array_equal(sel.get_support(), sfm.get_support())


def test_feature_granularity_sparsity(multiclass):
    X, y = multiclass
    sel = SparsifyTransformer(
        LogisticRegression(), sparsity=0.75, granularity="feature"
    ).fit(X, y)
    assert sel.n_features_ == 5
    assert sel.sparsity_ == pytest.approx(0.75)
    coef = sel.estimator_.coef_
    assert_array_equal(np.any(coef != 0, axis=0), sel.get_support())


def test_default_is_half_sparsity(multiclass):
    X, y = multiclass
    sel = SparsifyTransformer(LogisticRegression()).fit(X, y)
    assert sel.sparsity_ == pytest.approx(0.5)
    assert sel.sparsity is None  # the parameter is left untouched


# ---------------------------------------------------------------- refit


def test_refit_keeps_zeros_and_lowers_the_training_loss(multiclass):
    X, y = multiclass
    kwargs = {"sparsity": 0.8, "granularity": "coef", "method": "magnitude"}
    no_refit = SparsifyTransformer(LogisticRegression(**TIGHT), refit=False, **kwargs)
    refit = SparsifyTransformer(LogisticRegression(**TIGHT), refit=True, **kwargs)
    no_refit.fit(X, y)
    refit.fit(X, y)
    assert_array_equal(no_refit.coef_mask_, refit.coef_mask_)
    assert_array_equal(refit.estimator_.coef_[~refit.coef_mask_], 0)
    assert np.all(refit.estimator_.coef_[refit.coef_mask_] != 0)
    before = _penalized_objective(no_refit.estimator_, X, y)
    after = _penalized_objective(refit.estimator_, X, y)
    assert after < before
    assert refit.score(X, y) >= no_refit.score(X, y) - 0.02


def test_refit_logistic_equals_masked_solver(multiclass):
    X, y = multiclass
    sel = SparsifyTransformer(LogisticRegression(**TIGHT), sparsity=0.7).fit(X, y)
    direct = _fit_logistic_regression_soft(
        LogisticRegression(**TIGHT),
        X,
        (y[:, None] == np.unique(y)).astype(float),
        np.unique(y),
        coef_mask=sel.coef_mask_,
    )
    assert_allclose(sel.estimator_.coef_, direct.coef_, rtol=1e-5, atol=1e-7)


def test_refit_soft_logistic_regression(multiclass):
    X, y = multiclass
    sel = SparsifyTransformer(SoftLogisticRegression(**TIGHT), sparsity=0.6).fit(X, y)
    ref = SparsifyTransformer(
        LogisticRegression(**TIGHT), sparsity=0.6, method="magnitude"
    ).fit(X, y)
    assert_array_equal(sel.coef_mask_, ref.coef_mask_)
    assert_allclose(sel.estimator_.coef_, ref.estimator_.coef_, rtol=1e-5, atol=1e-7)


def test_refit_distilled_classifier_uses_soft_targets(multiclass):
    X, y = multiclass
    alpha, T = 0.7, 1.0
    student = LogisticRegression(**TIGHT)
    teacher = RandomForestClassifier(n_estimators=20, random_state=0)
    dc = DistilledClassifier(teacher, student, alpha=alpha, T=T)
    sel = SparsifyTransformer(dc, sparsity=0.8).fit(X, y)
    mask = sel.coef_mask_
    pruned = sel.estimator_.student_.coef_
    assert_array_equal(pruned[~mask], 0)

    # the same masked fit, built by hand on the blended soft targets
    proba = np.maximum(sel.estimator_.teacher_.predict_proba(X), np.finfo(float).tiny)
    p_T = softmax(np.log(proba) / T, axis=1)
    classes = sel.estimator_.classes_
    Y = alpha * p_T + (1 - alpha) * (y[:, None] == classes).astype(float)
    direct = _fit_logistic_regression_soft(
        clone(student), X, Y, classes, coef_mask=mask
    )
    assert_allclose(pruned, direct.coef_, rtol=1e-5, atol=1e-7)

    # refitting on the hard labels with the same mask gives another model
    hard = _fit_logistic_regression_soft(
        clone(student), X, (y[:, None] == classes).astype(float), classes,
        coef_mask=mask,
    )
    assert np.abs(hard.coef_ - pruned).max() > 1e-2


@pytest.mark.parametrize("granularity", ["coef", "feature"])
def test_refit_ovr_and_per_output_models(multiclass, regression, granularity):
    X, y = multiclass
    sel = SparsifyTransformer(
        LinearSVC(random_state=0, **TIGHT), sparsity=0.5, granularity=granularity
    ).fit(X, y)
    coef = sel.estimator_.coef_
    assert_array_equal(coef[~sel.coef_mask_], 0)
    # row 0 equals the binary problem "class 0 vs rest" on its kept columns
    cols = sel.coef_mask_[0]
    row = LinearSVC(random_state=0, **TIGHT).fit(X[:, cols], y == 0)
    assert_allclose(coef[0, cols], row.coef_.ravel(), rtol=1e-4, atol=1e-6)

    Xr, Yr = regression
    sel = SparsifyTransformer(Ridge(), sparsity=0.5, granularity=granularity).fit(
        Xr, Yr
    )
    coef = sel.estimator_.coef_
    assert_array_equal(coef[~sel.coef_mask_], 0)
    for k in range(2):
        cols = sel.coef_mask_[k]
        ridge = Ridge().fit(Xr[:, cols], Yr[:, k])
        assert_allclose(coef[k, cols], ridge.coef_)
        assert sel.estimator_.intercept_[k] == pytest.approx(ridge.intercept_)

    # without an intercept (scikit-learn's intercept_ is then the scalar 0.0)
    sel = SparsifyTransformer(
        Ridge(fit_intercept=False), sparsity=0.5, granularity=granularity
    ).fit(Xr, Yr)
    for k in range(2):
        cols = sel.coef_mask_[k]
        ridge = Ridge(fit_intercept=False).fit(Xr[:, cols], Yr[:, k])
        assert_allclose(sel.estimator_.coef_[k, cols], ridge.coef_)
    assert sel.estimator_.intercept_ == 0.0
    assert sel.predict(Xr).shape == Yr.shape


def test_feature_refit_of_other_models(multiclass):
    X, y = multiclass
    est = SGDClassifier(random_state=0)
    sel = SparsifyTransformer(est, max_features=6).fit(X, y)
    support = sel.get_support()
    ref = clone(est).fit(X[:, support], y)
    assert_allclose(sel.estimator_.coef_[:, support], ref.coef_)
    assert_array_equal(sel.estimator_.coef_[:, ~support], 0)
    assert_array_equal(sel.predict(X), ref.predict(X[:, support]))


def test_unsupported_coef_refit_raises(multiclass):
    X, y = multiclass
    # from scikit-learn 1.8, l1_ratio selects the penalty (penalty is
    # deprecated); before, l1_ratio applies only with penalty="elasticnet"
    import sklearn
    from sklearn.utils.fixes import parse_version

    l1_params = dict(l1_ratio=1.0, solver="saga", C=1.0, max_iter=200)
    if parse_version(parse_version(sklearn.__version__).base_version) < parse_version(
        "1.8"
    ):
        l1_params["penalty"] = "elasticnet"
    l1 = LogisticRegression(**l1_params)
    with pytest.raises(ValueError, match="granularity='feature'.*refit=False"):
        SparsifyTransformer(l1, sparsity=0.5).fit(X, y)
    # the advertised alternatives work
    SparsifyTransformer(l1, sparsity=0.5, refit=False).fit(X, y)
    SparsifyTransformer(l1, sparsity=0.5, granularity="feature").fit(X, y)


def test_distilled_non_logistic_student_cannot_refit(multiclass):
    X, y = multiclass
    dc = DistilledClassifier(
        RandomForestClassifier(n_estimators=5, random_state=0), LinearSVC()
    )
    with pytest.raises(ValueError, match="refit=False"):
        SparsifyTransformer(dc, sparsity=0.5).fit(X, y)
    sel = SparsifyTransformer(dc, sparsity=0.5, refit=False).fit(X, y)
    assert sel.sparsity_ == pytest.approx(0.5)


# ------------------------------------------------------------- schedule


def test_gradual_schedule_follows_the_cubic_formula(multiclass):
    X, y = multiclass
    sel = SparsifyTransformer(
        LogisticRegression(), sparsity=0.9, n_steps=5, initial_sparsity=0.2
    ).fit(X, y)
    t = np.arange(1, 6)
    expected = 0.9 + (0.2 - 0.9) * (1 - t / 5) ** 3
    assert_allclose(sel.sparsity_schedule_, expected)
    assert_allclose(cubic_sparsity_schedule(0.2, 0.9, 5), expected)
    assert sel.sparsity_schedule_[-1] == pytest.approx(0.9)
    assert sel.sparsity_ == pytest.approx(round(0.9 * 80) / 80)


def test_gradual_masks_are_cumulative(multiclass, monkeypatch):
    X, y = multiclass
    masks = []
    original = SparsifyTransformer._refit

    def spy(self, estimator, X_raw, X, y, mask, *args):
        masks.append(mask.copy())
        return original(self, estimator, X_raw, X, y, mask, *args)

    monkeypatch.setattr(SparsifyTransformer, "_refit", spy)
    sel = SparsifyTransformer(LogisticRegression(), sparsity=0.9, n_steps=4).fit(X, y)
    assert len(masks) == 4
    n_zero = [int((~m).sum()) for m in masks]
    assert_array_equal(n_zero, np.round(sel.sparsity_schedule_ * 80).astype(int))
    for before, after in itertools.pairwise(masks):
        assert not np.any(after & ~before)  # nothing un-pruned


def test_gradual_with_threshold_and_initial_sparsity_errors(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match="initial_sparsity=0.6 must not exceed"):
        SparsifyTransformer(
            LogisticRegression(), sparsity=0.5, initial_sparsity=0.6, n_steps=3
        ).fit(X, y)
    sel = SparsifyTransformer(
        LogisticRegression(), threshold="mean", n_steps=3, refit=False
    ).fit(X, y)
    one = SparsifyTransformer(LogisticRegression(), threshold="mean", refit=False)
    assert_array_equal(sel.coef_mask_, one.fit(X, y).coef_mask_)


# ---------------------------------------------------------------- frozen


def test_frozen_estimator_is_pruned_without_fitting(multiclass):
    X, y = multiclass
    fitted = LogisticRegression().fit(X, y)
    coef_before = fitted.coef_.copy()
    frozen = FrozenEstimator(fitted)

    class NoFit(LogisticRegression):
        def fit(self, *args, **kwargs):
            raise AssertionError("fit must not be called")

    nofit = NoFit()
    nofit.__dict__.update(fitted.__dict__)
    sel = SparsifyTransformer(FrozenEstimator(nofit), sparsity=0.5).fit(X, y)
    assert sel.sparsity_ == pytest.approx(0.5)
    sel = SparsifyTransformer(frozen, sparsity=0.5, refit=True).fit(X, y)
    assert sel.estimator_ is not fitted
    assert_array_equal(fitted.coef_, coef_before)  # the prefit model is untouched
    kept = sel.coef_mask_
    assert_array_equal(sel.estimator_.coef_[kept], coef_before[kept])  # no refit


# ------------------------------------------------------ selector surface


def test_transform_inverse_transform_and_names(multiclass):
    pd = pytest.importorskip("pandas")
    X, y = multiclass
    names = [f"f{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=names)
    sel = SparsifyTransformer(LogisticRegression(), max_features=4).fit(df, y)
    support = sel.get_support()
    assert_array_equal(sel.feature_names_in_, names)
    assert_array_equal(sel.get_feature_names_out(), np.array(names)[support])
    Xt = sel.transform(df)
    assert_array_equal(Xt, X[:, support])
    back = sel.inverse_transform(Xt)
    assert_array_equal(back[:, support], X[:, support])
    assert_array_equal(back[:, ~support], 0)
    sel.set_output(transform="pandas")
    out = sel.transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(np.array(names)[support])
    # the pruned model predicts on all the original columns
    assert_array_equal(sel.predict(df), sel.estimator_.predict(df))


def test_store_sparse_and_pickle(multiclass):
    import scipy.sparse as sp

    X, y = multiclass
    sel = SparsifyTransformer(
        LogisticRegression(), sparsity=0.9, store_sparse=True
    ).fit(X, y)
    assert sp.issparse(sel.estimator_.coef_)
    assert sel.estimator_.coef_.nnz == 8
    dense = SparsifyTransformer(LogisticRegression(), sparsity=0.9).fit(X, y)
    assert_allclose(sel.predict_proba(X), dense.predict_proba(X))
    shipped = pickle.loads(pickle.dumps(sel.estimator_))
    assert_array_equal(shipped.predict(X), dense.predict(X))


def test_importance_getter_path_and_callable(multiclass):
    X, y = multiclass
    dc = DistilledClassifier(
        RandomForestClassifier(n_estimators=5, random_state=0), LogisticRegression()
    )
    auto = SparsifyTransformer(dc, sparsity=0.5, refit=False).fit(X, y)
    path = SparsifyTransformer(
        dc, sparsity=0.5, refit=False, importance_getter="student_.coef_"
    ).fit(X, y)
    call = SparsifyTransformer(
        dc, sparsity=0.5, refit=False, importance_getter=lambda e: e.student_.coef_
    ).fit(X, y)
    assert_array_equal(auto.coef_mask_, path.coef_mask_)
    assert_array_equal(auto.coef_mask_, call.coef_mask_)
    assert_array_equal(call.estimator_.student_.coef_[~call.coef_mask_], 0)
    with pytest.raises(ValueError, match="not a copy"):
        SparsifyTransformer(
            LogisticRegression(), importance_getter=lambda e: e.coef_.copy()
        ).fit(X, y)


# ------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"sparsity": 1.0}, ValueError, r"'sparsity' parameter .* range \[0.0, 1.0\)"),
        ({"sparsity": -0.1}, ValueError, "'sparsity' parameter"),
        ({"sparsity": 0.5, "threshold": 0.1}, ValueError, "only one of sparsity"),
        ({"threshold": 0.1, "max_features": 2}, ValueError, "only one of sparsity"),
        ({"max_features": 21}, ValueError, r"max_features=21 is larger .* \[1, 20\]"),
        ({"threshold": "average"}, ValueError, "threshold must be a float, 'mean'"),
        ({"threshold": "x*mean"}, ValueError, "threshold must be a float, 'mean'"),
        ({"granularity": "row"}, ValueError, "'granularity' parameter"),
    ],
)
def test_bad_parameters(multiclass, params, error, match):
    X, y = multiclass
    with pytest.raises(error, match=match):
        SparsifyTransformer(LogisticRegression(), **params).fit(X, y)


def test_estimator_without_coefficients(multiclass):
    X, y = multiclass
    with pytest.raises(TypeError, match="RandomForestClassifier.*no `coef_`"):
        SparsifyTransformer(RandomForestClassifier(n_estimators=3)).fit(X, y)


# --------------------------------------------------------- composition


def test_pipeline_and_grid_search():
    X, y = load_digits(return_X_y=True)
    X, y = X[:400], y[:400]
    dc = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(max_iter=300),
    )
    pipe = make_pipeline(
        StandardScaler(), SparsifyTransformer(dc, sparsity=0.5), LogisticRegression()
    )
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.8
    assert pipe[1].transform(pipe[0].transform(X)).shape[1] == pipe[1].n_features_

    end = make_pipeline(StandardScaler(), SparsifyTransformer(dc))
    grid = GridSearchCV(
        end,
        {
            "sparsifytransformer__sparsity": [0.5, 0.8],
            "sparsifytransformer__estimator__alpha": [0.5],
            "sparsifytransformer__estimator__T": [1.0, 2.0],
            "sparsifytransformer__estimator__student__C": [1.0],
        },
        cv=2,
    ).fit(X, y)
    assert grid.best_estimator_[-1].sparsity_ in (0.5, 0.8)
    assert grid.score(X, y) > 0.8


# ------------------------------------------------------ estimator checks


def _distilled():
    return DistilledClassifier(
        RandomForestClassifier(n_estimators=5, random_state=0), LogisticRegression()
    )


_FOREST_WEIGHTS = (
    "the random forest teacher draws bootstrap samples, so weighting a row and "
    "repeating it give different forests"
)
_SEARCH_WEIGHTS = (
    "the default support search chooses its method by an internal 3-fold "
    "cross-validation on the rows and solves the L1 path to a tolerance "
    "relative to its penalty: weighting a row and repeating it change the "
    "folds, and agree only to that tolerance"
)
_CHECKS = [
    (
        SparsifyTransformer(LogisticRegression()),
        {
            "check_sample_weight_equivalence_on_dense_data": _SEARCH_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": _SEARCH_WEIGHTS,
        },
    ),
    (SparsifyTransformer(LogisticRegression(), method="magnitude"), {}),
    (SparsifyTransformer(Ridge(), granularity="feature"), {}),
    (
        SparsifyTransformer(_distilled(), sparsity=0.3),
        {
            "check_sample_weight_equivalence_on_dense_data": _FOREST_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": _FOREST_WEIGHTS,
        },
    ),
]


def _expected_failed(estimator):
    for candidate, expected in _CHECKS:
        if candidate is estimator:
            return expected
    return {}


@parametrize_with_checks(
    [est for est, _ in _CHECKS], expected_failed_checks=_expected_failed
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ---------------------------------------------------------------- Pipeline students


def test_prunes_the_last_step_of_a_pipeline_student_as_a_bare_one():
    X, y = make_classification(
        n_samples=150, n_features=8, n_informative=4, n_classes=3, random_state=0
    )
    X = X * np.arange(1, 9) + 2
    scaler = StandardScaler().fit(X)
    X_scaled = scaler.transform(X)
    lr = LogisticRegression(max_iter=1000).fit(X_scaled, y)
    piped = DistilledClassifier(
        FrozenEstimator(make_pipeline(scaler, lr)),
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        alpha=0.7,
    )
    bare = DistilledClassifier(
        FrozenEstimator(lr), LogisticRegression(max_iter=1000), alpha=0.7
    )
    sel_piped = SparsifyTransformer(piped, sparsity=0.5, n_steps=2).fit(X, y)
    sel_bare = SparsifyTransformer(bare, sparsity=0.5, n_steps=2).fit(X_scaled, y)
    last = sel_piped.estimator_.student_[-1]
    assert np.mean(last.coef_ == 0) == sel_bare.sparsity_ == 0.5
    assert_array_equal(sel_piped.coef_mask_, sel_bare.coef_mask_)
    assert_allclose(last.coef_, sel_bare.estimator_.student_.coef_, rtol=1e-6, atol=1e-9)
    # the fitted scaler is kept; the pruned Pipeline predicts on the raw rows
    assert_allclose(
        sel_piped.predict_proba(X), sel_bare.predict_proba(X_scaled), rtol=1e-6
    )
    # its coefficients are over the Pipeline's features, not X's columns
    with pytest.raises(ValueError, match="cannot select columns of X"):
        sel_piped.transform(X)


def test_pipeline_student_transform_error_comes_first_on_a_mixed_table():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    X = pd.DataFrame({
        "num": pd.array(rng.randint(0, 9, 100), dtype="Int64"),
        "color": pd.Categorical(rng.choice(["r", "g", "b"], 100)),
    })
    y = ((X["num"] > 4) ^ (X["color"] == "r")).astype(int)
    pre = make_column_transformer((OneHotEncoder(), ["color"]), remainder="passthrough")
    teacher = make_pipeline(pre, DecisionTreeClassifier(max_depth=3, random_state=0))
    student = make_pipeline(pre, LogisticRegression())
    sel = SparsifyTransformer(DistilledClassifier(teacher, student), sparsity=0.5)
    sel.fit(X, y)
    with pytest.raises(ValueError, match="cannot select columns of X"):
        sel.transform(X)


def test_refit_of_inner_coefficients_is_refused_with_the_way_out():
    from sklearn.ensemble import RandomForestRegressor

    from skdistill import DistilledRegressor

    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    getter = "named_steps.logisticregression.coef_"
    with pytest.raises(ValueError, match="refit=False"):
        SparsifyTransformer(pipe, sparsity=0.5, importance_getter=getter).fit(X, y)
    pruned = SparsifyTransformer(
        pipe, sparsity=0.5, importance_getter=getter, refit=False
    ).fit(X, y)
    coef = pruned.estimator_[-1].coef_
    assert np.sum(coef == 0) == 3
    assert_array_equal(pruned.predict(X), pruned.estimator_.predict(X))

    Xr, yr = make_regression(n_samples=120, n_features=6, random_state=0)
    distilled = DistilledRegressor(RandomForestRegressor(5, random_state=0), Ridge())
    # a refit is the classifier's only; the error says what to do instead
    with pytest.raises(ValueError, match="make the SparsifyTransformer the student"):
        SparsifyTransformer(distilled, sparsity=0.5).fit(Xr, yr)
    pruned = SparsifyTransformer(distilled, sparsity=0.5, refit=False).fit(Xr, yr)
    assert np.sum(pruned.estimator_.student_.coef_ == 0) == 3


@pytest.mark.parametrize("kind", ["crammer_singer", "multi_task"])
def test_jointly_fitted_rows_are_not_refitted_one_by_one(kind):
    # their rows of coefficients are fitted together: a refit of each row
    # alone would be another model, so granularity="coef" is refused
    from sklearn.linear_model import MultiTaskLasso
    from sklearn.svm import LinearSVC

    rng = np.random.RandomState(0)
    X = rng.standard_normal((120, 10))
    if kind == "crammer_singer":
        y = rng.randint(0, 3, 120)
        estimator = LinearSVC(
            multi_class="crammer_singer", max_iter=10000, random_state=0
        )
    else:
        y = X[:, :3] @ rng.standard_normal((3, 3))
        estimator = MultiTaskLasso(alpha=0.01)
    sparsifier = SparsifyTransformer(
        estimator, sparsity=0.5, granularity="coef", method="magnitude"
    )
    with pytest.raises(ValueError, match="not fitted independently"):
        sparsifier.fit(X, y)
    by_feature = sparsifier.set_params(granularity="feature").fit(X, y)
    assert by_feature.n_features_ <= 5  # whole features pruned, then refitted


def test_prunes_a_distiller_fitted_on_texts():
    # one column of texts, for Pipeline teacher and student that vectorize it
    from sklearn.feature_extraction.text import TfidfVectorizer

    rng = np.random.RandomState(0)
    words = np.array(["good", "great", "fine", "bad", "awful", "poor", "the", "a"])
    y = rng.randint(0, 2, 120)
    texts = np.array([
        " ".join(rng.choice(words[:3] if label else words[3:6], 3))
        + " " + " ".join(rng.choice(words[6:], 2))
        for label in y
    ])
    distiller = DistilledClassifier(
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
    )
    sel = SparsifyTransformer(distiller, sparsity=0.5).fit(texts, y)
    last = sel.estimator_.student_[-1]
    n_coef = last.coef_.size
    assert np.sum(last.coef_ == 0) == round(0.5 * n_coef) and n_coef > 4
    assert not hasattr(sel, "n_features_in_")
    assert_array_equal(sel.predict(texts), sel.estimator_.predict(texts))
    assert sel.score(texts, y) > 0.9
    with pytest.raises(ValueError, match="max_features counts columns of X"):
        SparsifyTransformer(distiller, max_features=2).fit(texts, y)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # multi_class, deprecated
def test_one_vs_rest_logistic_regression_is_not_refitted_jointly():
    # scikit-learn < 1.8's LogisticRegression(multi_class="ovr") fits one
    # binary model per class; refitted by the soft-target solver, it became a
    # multinomial model that still predicted one-vs-rest probabilities
    if "multi_class" not in LogisticRegression().get_params():
        pytest.skip("LogisticRegression has no multi_class parameter")
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    ovr = LogisticRegression(multi_class="ovr", tol=1e-10, max_iter=1000)
    reference = clone(ovr).fit(X, y)
    kept = SparsifyTransformer(ovr, sparsity=0.0).fit(X, y)
    assert_allclose(kept.estimator_.coef_, reference.coef_, atol=1e-6)
    pruned = SparsifyTransformer(ovr, max_features=4, granularity="feature").fit(X, y)
    by_hand = clone(ovr).fit(X[:, pruned.get_support()], y)
    assert_allclose(
        pruned.estimator_.coef_[:, pruned.get_support()], by_hand.coef_, atol=1e-5
    )
    # as a student: the one-vs-rest objective on soft targets, continuous in alpha
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    tiny = DistilledClassifier(teacher, ovr, alpha=1e-9).fit(X, y)
    assert_allclose(tiny.student_.coef_, reference.coef_, atol=1e-4)


class _ShiftedTeacher(LogisticRegression):
    """A teacher with a fit parameter of its own: the rows shifted in fit."""

    def fit(self, X, y, shift=0.0):
        self.shift_ = shift
        return super().fit(X + shift, y)

    def predict_proba(self, X):
        return super().predict_proba(X + self.shift_)


def test_refit_of_a_teacher_cv_distiller_gets_the_fits_routed_parameters():
    # the refit rebuilds the student's targets: out of fold, from a teacher
    # (and its fold clones) fitted with the parameters fit routed to them;
    # without them it refitted on another teacher's targets (weights), or
    # failed to split (groups)
    from sklearn import config_context
    from sklearn.model_selection import GroupKFold

    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    w = np.random.RandomState(0).uniform(0.1, 3.0, len(y))
    groups = np.arange(len(y)) % 8
    with config_context(enable_metadata_routing=True):
        teacher = LogisticRegression().set_fit_request(sample_weight=True)
        student = LogisticRegression().set_fit_request(sample_weight=False)
        shifted = _ShiftedTeacher().set_fit_request(shift=True)
        for teacher_cv, params, teacher in (
            (3, {"sample_weight": w}, teacher),
            (3, {"shift": 2.0}, shifted),
            (GroupKFold(4).set_split_request(groups=True), {"groups": groups}, teacher),
        ):
            distiller = DistilledClassifier(
                teacher, student, alpha=1.0, teacher_cv=teacher_cv
            )
            fitted = clone(distiller).fit(X, y, **params)
            # pruning nothing, the refit gives the fitted student back
            sel = SparsifyTransformer(distiller, threshold=0.0, method="magnitude")
            sel.set_fit_request(sample_weight=True).fit(X, y, **params)
            assert_allclose(
                sel.estimator_.student_.coef_, fitted.student_.coef_, atol=1e-5
            )


def test_refit_of_a_balanced_model_with_sample_weight_prunes_nothing_else():
    # "balanced" counts the labels as the installed scikit-learn does (with
    # sample_weight from 1.7 on, without by 1.6): pruning nothing, the refit
    # is the model fitted alone, on every version
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    w = np.random.RandomState(3).uniform(0.1, 3.0, len(y))
    model = LogisticRegression(class_weight="balanced", tol=1e-10, max_iter=10_000)
    alone = clone(model).fit(X, y, sample_weight=w)
    sel = SparsifyTransformer(model, threshold=0.0, method="magnitude")
    sel.fit(X, y, sample_weight=w)
    assert sel.n_features_ == 6
    assert_allclose(
        sel.estimator_.predict_proba(X), alone.predict_proba(X), atol=1e-6
    )


@pytest.mark.parametrize("random_state", [None, "instance"])
def test_refit_uses_the_rows_fit_generated(random_state):
    # with random_state None (or an instance) the refit drew another seed,
    # hence other rows than those the pruning mask was chosen on
    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    if random_state == "instance":
        random_state = np.random.RandomState(3)
    distiller = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(), augment="munge", random_state=random_state,
    )
    sel = SparsifyTransformer(distiller, threshold=0.0, method="magnitude").fit(X, y)
    fitted = sel.estimator_
    # pruning nothing: the refit on the same rows gives the student back
    coef = fitted.student_.coef_.copy()
    from skdistill._classifier import soft_refit_set
    from skdistill._fitting import refit_student

    refit_student(fitted, soft_refit_set(fitted, X, y), np.ones_like(coef, bool))
    assert_allclose(fitted.student_.coef_, coef, atol=1e-5)


class _CountingTeacher(LogisticRegression):
    n_fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).n_fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("memory", [False, "no location", True])
def test_refit_of_a_teacher_cv_distiller_fits_the_folds_only(tmp_path, memory):
    # the refit needs fit's out-of-fold outputs: the folds' clones again (or
    # the cache), not the teacher on all rows, which fit left in teacher_
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    distiller = DistilledClassifier(
        _CountingTeacher(), LogisticRegression(), alpha=1.0, teacher_cv=3,
        memory={True: str(tmp_path), "no location": joblib.Memory(None)}.get(memory),
    )
    _CountingTeacher.n_fits = 0
    fitted = clone(distiller).fit(X, y)
    assert _CountingTeacher.n_fits == 1 + 3
    _CountingTeacher.n_fits = 0
    sel = SparsifyTransformer(distiller, threshold=0.0, method="magnitude").fit(X, y)
    # the distiller's fit, then its refit's folds again; with memory, both
    # are the first fit's, from the cache
    assert _CountingTeacher.n_fits == (0 if memory is True else 1 + 3 + 3)
    # pruning nothing, the refit on fit's targets gives the student back
    assert_allclose(sel.estimator_.student_.coef_, fitted.student_.coef_, atol=1e-5)


def test_prefit_model_without_names_answers_for_the_selectors_names():
    # a model prefit on an array, the selector fitted on a DataFrame: its
    # predictions refuse reordered columns and warn on an array, as its
    # transform does (before, they read reordered columns silently)
    pd = pytest.importorskip("pandas")
    from sklearn.frozen import FrozenEstimator

    X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = LogisticRegression().fit(X, y)
    sel = SparsifyTransformer(FrozenEstimator(model), sparsity=0.5).fit(frame, y)
    reordered = frame[["d", "c", "b", "a"]]
    methods = ["predict", "predict_proba", "predict_log_proba", "decision_function"]
    for method in methods:
        with pytest.raises(ValueError, match="feature names should match"):
            getattr(sel, method)(reordered)
        with pytest.warns(UserWarning, match="X does not have valid feature names"):
            on_array = getattr(sel, method)(X)
        with pytest.warns(UserWarning, match="fitted without feature names"):
            # the pruned model's own warning: it was fitted on an array
            assert_allclose(getattr(sel, method)(frame), on_array)
    with pytest.raises(ValueError, match="feature names should match"):
        sel.score(reordered, y)
    with pytest.raises(ValueError, match="feature names should match"):
        sel.transform(reordered)


@pytest.mark.parametrize("method", ["auto", "magnitude"])
def test_scalar_sample_weight_is_that_weight_for_every_row(method):
    # as LogisticRegression takes it; "auto" indexed it by the folds' rows
    X, y = make_classification(n_samples=150, n_features=10, random_state=0)
    pruner = SparsifyTransformer(LogisticRegression(), sparsity=0.5, method=method)
    scalar = clone(pruner).fit(X, y, sample_weight=2.0)
    array = clone(pruner).fit(X, y, sample_weight=np.full(len(y), 2.0))
    assert_allclose(scalar.estimator_.coef_, array.estimator_.coef_)
    assert np.count_nonzero(scalar.estimator_.coef_) == 5


@pytest.mark.parametrize(
    "weight, match",
    [(np.zeros(150), "at least one non-zero"), (np.ones(149), "sample_weight")],
)
def test_refit_weights_are_checked(weight, match):
    X, y = make_classification(n_samples=150, n_features=10, random_state=0)
    with pytest.raises(ValueError, match=match):
        SparsifyTransformer(LogisticRegression(), sparsity=0.5).fit(
            X, y, sample_weight=weight
        )


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("granularity, n_targets", [("feature", 1), ("coef", 2)])
@pytest.mark.parametrize("make", [Ridge, LinearRegression, Lasso])
def test_refit_keeps_the_intercept_as_the_estimator_has_it(
    make, granularity, n_targets, fit_intercept
):
    # a float64 intercept made predict float64 on float32 X
    X, y = make_regression(
        n_samples=80, n_features=6, n_targets=n_targets, random_state=0
    )
    X = X.astype(np.float32)
    alone = make(fit_intercept=fit_intercept).fit(X, y)
    pruner = SparsifyTransformer(
        make(fit_intercept=fit_intercept), sparsity=0.5, granularity=granularity
    ).fit(X, y)
    refitted = pruner.estimator_
    assert type(refitted.intercept_) is type(alone.intercept_)
    assert np.asarray(refitted.intercept_).dtype == np.asarray(alone.intercept_).dtype
    assert np.shape(refitted.intercept_) == np.shape(alone.intercept_)
    assert refitted.predict(X).dtype == alone.predict(X).dtype
    # the refit is a refit: on the kept columns, the estimator fitted alone
    kept = refitted.coef_.reshape(n_targets, -1) != 0
    if granularity == "feature" and fit_intercept:
        sub = make().fit(X[:, kept[0]], y)
        assert_allclose(refitted.intercept_, sub.intercept_, rtol=1e-5)


def test_a_nested_pipeline_student_is_refused_saying_why():
    from sklearn.decomposition import PCA

    X, y = make_classification(n_samples=100, n_features=8, random_state=0)
    student = make_pipeline(
        StandardScaler(), make_pipeline(PCA(5), LogisticRegression())
    )
    distiller = DistilledClassifier(LogisticRegression(), student)
    with pytest.raises(TypeError, match="ends in another Pipeline"):
        SparsifyTransformer(distiller, sparsity=0.5).fit(X, y)


def test_an_estimator_writing_into_X_does_not_change_the_rows_pruning_reads():
    # LinearRegression(copy_X=False) centred X in place at the first fit, and
    # the refit on the kept columns read the centred rows (R² -7549)
    from sklearn.linear_model import LinearRegression

    X, y = make_regression(
        n_samples=200, n_features=8, n_informative=4, noise=1.0, random_state=0
    )
    X += 50
    fitted = {
        copy: SparsifyTransformer(
            LinearRegression(copy_X=copy), max_features=4
        ).fit(X.copy(), y)
        for copy in (True, False)
    }
    assert_array_equal(fitted[False].get_support(), fitted[True].get_support())
    for name in ("coef_", "intercept_"):
        assert_allclose(
            getattr(fitted[False].estimator_, name),
            getattr(fitted[True].estimator_, name),
        )
    assert fitted[False].estimator_.score(X, y) > 0.99


def test_a_pipeline_estimator_is_refused_before_its_input_is_read():
    # a Pipeline that encodes a DataFrame of texts and missing values: the
    # refusal of any Pipeline (whose last step weighs the features its
    # leading steps make), not numpy's "could not convert string to float"
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"a": rng.normal(size=100), "b": rng.normal(size=100),
         "s": rng.choice(["u", "v"], 100)}
    )
    X.loc[::7, "a"] = np.nan
    y = (X["b"] > 0).astype(int)
    encode = make_column_transformer(
        (SimpleImputer(), ["a", "b"]), (OneHotEncoder(), ["s"])
    )
    pipe = make_pipeline(encode, LogisticRegression())
    advice = r"Make SparsifyTransformer a step of the Pipeline"
    with pytest.raises(TypeError, match=advice):
        SparsifyTransformer(pipe, sparsity=0.5).fit(X, y)
    getter = "named_steps.logisticregression.coef_"
    with pytest.raises(ValueError) as exc:
        SparsifyTransformer(
            pipe, sparsity=0.5, importance_getter=getter, refit=False
        ).fit(X, y)
    assert "Make SparsifyTransformer a step" in "".join(exc.value.__notes__)
    # as the advice says: the step after the encoding
    pruning = SparsifyTransformer(LogisticRegression(), sparsity=0.5)
    model = make_pipeline(encode, pruning)
    assert model.fit(X, y).score(X, y) > 0.9
    # a scaler keeps the columns one for one: pruned as a whole
    numeric = X[["b"]].assign(c=rng.normal(size=100))
    scaled = make_pipeline(StandardScaler(), LogisticRegression())
    with pytest.raises(TypeError, match=advice):
        SparsifyTransformer(scaled, sparsity=0.5).fit(numeric, y)
    pruned = SparsifyTransformer(
        scaled, sparsity=0.5, importance_getter=getter, refit=False
    ).fit(numeric, y)
    assert pruned.transform(numeric).shape == (100, 1)
