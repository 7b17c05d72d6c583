"""DistillationSearchCV: teacher work done once, results, frontier, budgets, routing."""

import warnings
from collections import Counter

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
)
from _checks import parametrize_with_checks

from skdistill import (
    DistillationSearchCV,
    DistilledClassifier,
    DistilledRegressor,
    FrontierDisplay,
    QuantizedLinearModel,
    SparsifyTransformer,
)
from skdistill._frontier import pareto_front
from skdistill.metrics import fidelity_score


class CountingTeacher(ClassifierMixin, BaseEstimator):
    """A small tree teacher that counts its fits and its calls, by kind."""

    calls = Counter()
    weights = []

    def __init__(self, max_depth=3):
        self.max_depth = max_depth

    def fit(self, X, y, sample_weight=None):
        type(self).calls["fit"] += 1
        type(self).weights.append(sample_weight)
        self.tree_ = DecisionTreeClassifier(
            max_depth=self.max_depth, random_state=0
        ).fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.tree_.classes_
        return self

    def predict_proba(self, X):
        type(self).calls["predict_proba"] += 1
        return self.tree_.predict_proba(X)

    def predict(self, X):
        type(self).calls["predict"] += 1
        return self.tree_.predict(X)


@pytest.fixture
def counting():
    CountingTeacher.calls.clear()
    CountingTeacher.weights.clear()
    return CountingTeacher.calls


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X, y


def _students():
    return [
        LogisticRegression(max_iter=500),
        DecisionTreeClassifier(max_depth=2, random_state=0),
    ]


def _dominates(a, b):
    return np.all(a <= b) and np.any(a < b)


@pytest.mark.parametrize("cv", [2, 3])
@pytest.mark.parametrize(
    "grid",
    [
        {"student": _students()[:1], "alpha": [0.5]},
        {
            "student": _students(),
            "alpha": [0.0, 0.5, 1.0],
            "T": [1.0, 3.0],
            "augment": [None],
        },
        [
            {
                "student": _students()[1:],
                "student__max_depth": [1, 2, 3],
                "augment": [None],
            },
            {"student": _students()[:1], "student__C": [0.1, 1.0], "alpha": [0.9]},
        ],
    ],
)
def test_teacher_work_done_once_per_split(data, counting, grid, cv):
    X, y = data
    search = DistillationSearchCV(CountingTeacher(), grid, cv=cv).fit(X, y)
    n_candidates = len(search.cv_results_["params"])
    assert n_candidates >= 1
    # once per split, once on all rows, whatever the number of candidates
    assert counting["fit"] == cv + 1
    # training-row outputs once per split, and once on all rows for the refit
    assert counting["predict_proba"] == cv + 1
    # test-row predictions once per split (fidelity and the teacher's score)
    assert counting["predict"] == cv
    assert search.best_estimator_.teacher_.estimator is search.teacher_


def test_generated_rows_are_labeled_by_the_teacher_once_per_split(data, counting):
    # augment="auto": MUNGE rows for the tree candidates (alpha > 0), none for
    # the logistic one and at alpha=0; seeded, they are the same rows for both
    # tree candidates of a split
    X, y = data
    tree = DecisionTreeClassifier(max_depth=2, random_state=0)
    grid = {
        "student": [tree, LogisticRegression(max_iter=500)],
        "alpha": [0.0, 0.5, 1.0],
        "random_state": [0],
    }
    search = DistillationSearchCV(CountingTeacher(), grid, cv=2, refit=False)
    search.fit(X, y)
    assert counting["fit"] == 2
    # per split: the training rows once, then the generated rows once
    assert counting["predict_proba"] == 2 * (1 + 1)
    # and the scores are those of the same candidates fitted independently
    splits = list(StratifiedKFold(2).split(X, y))
    for i, params in enumerate(search.cv_results_["params"]):
        scores = []
        for train, test in splits:
            teacher = CountingTeacher().fit(X[train], y[train])
            model = DistilledClassifier(FrozenEstimator(teacher), tree)
            model.set_params(**params).fit(X[train], y[train])
            assert (model.augment_ == "munge") == (
                params["student"] is tree and params["alpha"] > 0
            )
            scores.append(model.score(X[test], y[test]))
        assert search.cv_results_["mean_test_score"][i] == pytest.approx(
            np.mean(scores), abs=1e-12
        )


def test_teacher_cv_outputs_once_per_split_and_value(data, counting):
    X, y = data
    grid = {"student": _students()[:1], "teacher_cv": [None, 2, 3], "alpha": [0.5, 1.0]}
    DistillationSearchCV(CountingTeacher(), grid, cv=2, refit=False).fit(X, y)
    # per split: the teacher, then the clones of teacher_cv=2 and teacher_cv=3
    assert counting["fit"] == 2 * (1 + 2 + 3)
    assert counting["predict_proba"] == 2 * (1 + 2 + 3)
    assert counting["predict"] == 2


def test_refit_with_teacher_cv(data, counting):
    X, y = data
    grid = {"student": _students()[:1], "teacher_cv": [3]}
    search = DistillationSearchCV(CountingTeacher(), grid, cv=2).fit(X, y)
    # 2 splits x (teacher + 3 fold clones), then all rows: teacher + 3 clones
    assert counting["fit"] == 2 * 4 + 4
    assert search.best_estimator_.teacher_cv == 3
    assert search.teacher_ is search.best_estimator_.teacher_


def test_same_scores_as_grid_search_with_frozen_teacher_per_split(data):
    X, y = data
    teacher = DecisionTreeClassifier(max_depth=4, random_state=0)
    # random_state: the tree student's generated rows (augment="auto")
    grid = {
        "student": _students(),
        "alpha": [0.0, 0.7],
        "T": [1.0, 2.0],
        "random_state": [0],
    }
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    search = DistillationSearchCV(teacher, grid, cv=splits, refit=False).fit(X, y)
    for s, (train, test) in enumerate(splits):
        fitted = clone(teacher).fit(X[train], y[train])
        reference = GridSearchCV(
            DistilledClassifier(FrozenEstimator(fitted), _students()[0]),
            grid,
            cv=[(train, test)],
            refit=False,
        ).fit(X, y)
        assert_allclose(
            search.cv_results_[f"split{s}_test_score"],
            reference.cv_results_["split0_test_score"],
        )
        # fidelity: agreement with the split's teacher on the test rows
        params = search.cv_results_["params"][1]
        model = DistilledClassifier(FrozenEstimator(fitted), _students()[0])
        model.set_params(**clone(params, safe=False)).fit(X[train], y[train])
        assert search.cv_results_[f"split{s}_test_fidelity"][1] == pytest.approx(
            fidelity_score(fitted.predict(X[test]), model.predict(X[test]))
        )
    assert list(search.cv_results_["params"]) == list(reference.cv_results_["params"])


def test_same_scores_as_grid_search_with_teacher_cv(data):
    X, y = data
    teacher = DecisionTreeClassifier(max_depth=4, random_state=0)
    grid = {"student": _students()[:1], "teacher_cv": [2, 3], "alpha": [0.6]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = DistillationSearchCV(teacher, grid, cv=cv, refit=False).fit(X, y)
    reference = GridSearchCV(
        DistilledClassifier(teacher, _students()[0]), grid, cv=cv, refit=False
    ).fit(X, y)
    for s in range(3):
        assert_allclose(
            search.cv_results_[f"split{s}_test_score"],
            reference.cv_results_[f"split{s}_test_score"],
        )


def test_augment_candidates(data, counting):
    X, y = data
    grid = {
        "student": _students()[:1],
        "augment": [None, "gaussian"],
        "alpha": [0.9],
        "random_state": [0],
    }
    splits = list(StratifiedKFold(2, shuffle=True, random_state=0).split(X, y))
    search = DistillationSearchCV(CountingTeacher(), grid, cv=splits, refit=False)
    search.fit(X, y)
    assert counting["fit"] == 2
    # the training rows once per split; the generated rows of the one
    # augmented candidate are new rows, labeled by the split's teacher
    assert counting["predict_proba"] == 2 + 2
    _assert_split_scores_of_grid_search(search, CountingTeacher(), grid, X, y, splits)


def _assert_split_scores_of_grid_search(search, teacher, grid, X, y, splits):
    """Each split's scores are GridSearchCV's with the split's teacher frozen."""
    for s, (train, test) in enumerate(splits):
        frozen = FrozenEstimator(clone(teacher).fit(X[train], y[train]))
        reference = GridSearchCV(
            DistilledClassifier(frozen, LogisticRegression()),
            grid,
            cv=[(train, test)],
            refit=False,
            error_score="raise",
        ).fit(X, y)
        assert_allclose(
            search.cv_results_[f"split{s}_test_score"],
            reference.cv_results_["split0_test_score"],
        )


def test_cv_results_columns(data):
    X, y = data
    grid = {
        "student": [
            LogisticRegression(max_iter=500),
            SparsifyTransformer(LogisticRegression(max_iter=500), sparsity=0.8),
        ],
        "alpha": [0.5],
    }
    search = DistillationSearchCV(DecisionTreeClassifier(random_state=0), grid, cv=3)
    search.fit(X, y)
    results = search.cv_results_
    for key in (
        "mean_fit_time",
        "std_fit_time",
        "mean_score_time",
        "params",
        "param_student",
        "param_alpha",
        "split0_test_score",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
        "mean_test_fidelity",
        "std_test_fidelity",
        "student_bytes",
        "student_latency_ms",
        "n_nonzero",
        "n_failed_splits",
        "within_budget",
    ):
        assert len(results[key]) == 2, key
    assert np.all(results["student_bytes"] > 0)
    latency = results["student_latency_ms"]
    assert np.all(np.isfinite(latency)) and np.all(latency > 0)
    fidelity = results["mean_test_fidelity"]
    assert np.all((fidelity >= 0) & (fidelity <= 1))
    # the pruned student keeps fewer non-zero coefficients
    assert results["n_nonzero"][1] < results["n_nonzero"][0]
    assert search.best_score_ == results["mean_test_score"][search.best_index_]
    assert search.best_params_ == results["params"][search.best_index_]
    assert results["rank_test_score"][search.best_index_] == 1
    assert search.score(X, y) == pytest.approx(
        accuracy_score(y, search.best_estimator_.predict(X))
    )
    assert_array_equal(search.classes_, np.unique(y))
    assert search.predict_proba(X).shape == (len(y), 3)
    assert 0 < search.teacher_score_ <= 1


def test_quantized_student_candidates(data):
    # a 4-bit student is searchable: its size counts its packed codes
    X, y = data
    logistic = LogisticRegression(max_iter=500)
    grid = {
        "student": [logistic, QuantizedLinearModel(logistic, n_bits=4)],
        "alpha": [0.5],
    }
    search = DistillationSearchCV(
        DecisionTreeClassifier(random_state=0), grid, cv=3
    ).fit(X, y)
    results = search.cv_results_
    assert np.all(np.isfinite(results["mean_test_score"]))
    assert np.all(results["student_bytes"] > 0)
    quantized = DistilledClassifier(
        DecisionTreeClassifier(random_state=0), grid["student"][1]
    ).fit(X, y)
    assert len(np.unique(quantized.student_.coef_)) <= 2**4 + 1


def test_frontier_is_not_dominated(data):
    X, y = data
    grid = {
        "student": [
            LogisticRegression(max_iter=500),
            DecisionTreeClassifier(random_state=0),
        ],
        "alpha": [0.0, 1.0],
    }
    grid = [grid, {"student": [DecisionTreeClassifier(random_state=0)],
                   "student__max_depth": [1, 2, 3, 5]}]
    search = DistillationSearchCV(
        DecisionTreeClassifier(max_depth=5, random_state=0), grid, cv=3, refit=False
    ).fit(X, y)
    results = search.cv_results_
    costs = np.column_stack(
        [
            -results["mean_test_score"],
            results["student_bytes"],
            results["student_latency_ms"],
        ]
    )
    front = set(search.frontier_.tolist())
    assert front
    for i in range(len(costs)):
        dominated = any(_dominates(costs[j], costs[i]) for j in range(len(costs)))
        assert dominated == (i not in front)
    assert search.frontier_.tolist() == sorted(front)


def test_pareto_front():
    costs = np.array([[1.0, 5.0], [2.0, 2.0], [1.0, 5.0], [3.0, 3.0], [np.nan, 0.0]])
    # duplicates stay, the dominated point and the NaN row go
    assert_array_equal(pareto_front(costs), [0, 1, 2])
    with pytest.raises(ValueError, match="2-D"):
        pareto_front([1.0, 2.0])


def test_ties_go_to_the_smaller_then_the_faster_student():
    search = DistillationSearchCV(
        DecisionTreeClassifier(), {"student": [LogisticRegression()]}
    )
    results = {
        "within_budget": np.ones(3, dtype=bool),
        "mean_test_score": np.array([0.9, 0.9, 0.9]),
        "student_bytes": np.array([100, 100, 90]),
        "student_latency_ms": np.array([2.0, 1.0, 3.0]),
    }
    everywhere = np.ones(3, dtype=bool)  # fitted on every split
    assert search._best_index(results, everywhere) == 2  # the smaller
    results["student_bytes"] = np.array([100, 100, 100])
    # the first: measured latencies would make the choice vary between runs
    assert search._best_index(results, everywhere) == 0
    # unless latency is a budget: then the faster
    search.set_params(max_latency_ms=10.0)
    best = search._best_index(results, everywhere)
    assert best == 1  # on the frontier, which drops its twin
    costs = np.column_stack(
        [-results["mean_test_score"], results["student_bytes"],
         results["student_latency_ms"]]
    )
    assert best in pareto_front(costs)


def test_budgets_choose_best_within_them(data):
    X, y = data
    grid = {
        "student": [DecisionTreeClassifier(random_state=0)],
        "student__max_depth": [1, 2, 4, 8],
    }
    teacher = DecisionTreeClassifier(max_depth=6, random_state=0)
    free = DistillationSearchCV(teacher, grid, cv=3, refit=False).fit(X, y)
    sizes = free.cv_results_["student_bytes"]
    budget = int(np.sort(sizes)[1])  # the two smallest students fit
    search = DistillationSearchCV(teacher, grid, cv=3, max_bytes=budget).fit(X, y)
    results = search.cv_results_
    within = results["student_bytes"] <= budget
    assert_array_equal(results["within_budget"], within)
    assert within[search.best_index_]
    assert search.best_score_ == results["mean_test_score"][within].max()
    assert search.best_estimator_.student_.max_depth == search.best_params_[
        "student__max_depth"
    ]

    fidelity = results["mean_test_fidelity"]
    search = DistillationSearchCV(
        teacher, grid, cv=3, min_fidelity=float(np.median(fidelity)), refit=False
    ).fit(X, y)
    assert search.cv_results_["mean_test_fidelity"][search.best_index_] >= np.median(
        fidelity
    )
    latency = search.cv_results_["student_latency_ms"]
    search = DistillationSearchCV(
        teacher, grid, cv=3, max_latency_ms=1e9, refit=False
    ).fit(X, y)
    assert search.cv_results_["within_budget"].all()
    assert np.all(latency > 0)


def test_no_candidate_within_budget_is_an_error(data):
    X, y = data
    search = DistillationSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"student": [LogisticRegression(max_iter=500)]},
        cv=2,
        max_bytes=1,
    )
    with pytest.raises(ValueError, match="No candidate is within the budgets"):
        search.fit(X, y)
    assert search.cv_results_["within_budget"].tolist() == [False]


@pytest.mark.parametrize(
    "grid, match",
    [
        ({"alpha": [0.5]}, "must set 'student'"),
        ({"student": [Ridge()], "teacher": [Ridge()]}, "cannot search the teacher"),
        ({"student": [Ridge()], "teacher__C": [2]}, "cannot search the teacher"),
        ({"student": [Ridge()], "beta": [1.0]}, "Invalid parameter 'beta'"),
        ({"student": [Ridge()], "unlabeled": [-1]}, "cannot set 'unlabeled'"),
    ],
)
def test_bad_grids(data, counting, grid, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        DistillationSearchCV(CountingTeacher(), grid, cv=2).fit(X, y)
    assert counting["fit"] == 0  # refused before the teacher is fitted


@pytest.mark.parametrize("missing", [None, np.nan])
def test_missing_labels_refused_before_the_teacher(data, counting, missing):
    X, y = data
    labels = np.where(y == 1, "yes", "no").astype(object)
    labels[:3] = missing
    search = DistillationSearchCV(CountingTeacher(), {"student": [Ridge()]}, cv=2)
    with pytest.raises(ValueError, match=r"3 missing label.*unlabeled=np\.nan"):
        search.fit(X, labels)
    with pytest.raises(ValueError, match=r"3 missing label"):
        search.fit(X, np.where(np.arange(len(y)) < 3, np.nan, y))
    assert counting["fit"] == 0


def test_parameter_validation(data):
    X, y = data
    search = DistillationSearchCV(
        DecisionTreeClassifier(), {"student": [Ridge()]}, max_bytes=0
    )
    with pytest.raises(ValueError, match="max_bytes"):
        search.fit(X, y)


def test_refit_false(data):
    X, y = data
    search = DistillationSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"student": _students()},
        cv=2,
        refit=False,
    ).fit(X, y)
    assert not hasattr(search, "best_estimator_")
    assert not hasattr(search, "predict")
    assert search.best_index_ in (0, 1)


def test_sample_weight_without_routing(data):
    X, y = data
    w = np.random.RandomState(0).uniform(0.1, 2.0, len(y))
    teacher = DecisionTreeClassifier(max_depth=4, random_state=0)
    grid = {"student": _students()[:1], "alpha": [0.5, 1.0]}
    splits = list(KFold(2, shuffle=True, random_state=0).split(X))
    search = DistillationSearchCV(teacher, grid, cv=splits, refit=False)
    search.fit(X, y, sample_weight=w)
    # GridSearchCV passes sample_weight to the scorer without metadata routing
    # from scikit-learn 1.7, as DistillationSearchCV does; on 1.6 it scores
    # without weights, so there the weighted test scores are computed directly
    import sklearn
    from sklearn.model_selection import ParameterGrid
    from sklearn.utils.fixes import parse_version

    sklearn_version = parse_version(parse_version(sklearn.__version__).base_version)
    for s, (train, test) in enumerate(splits):
        fitted = clone(teacher).fit(X[train], y[train], sample_weight=w[train])
        distiller = DistilledClassifier(FrozenEstimator(fitted), _students()[0])
        if sklearn_version >= parse_version("1.7"):
            reference = GridSearchCV(
                distiller, grid, cv=[(train, test)], refit=False
            ).fit(X, y, sample_weight=w)
            expected = reference.cv_results_["split0_test_score"]
        else:
            expected = [
                accuracy_score(
                    y[test],
                    clone(distiller)
                    .set_params(**params)
                    .fit(X[train], y[train], sample_weight=w[train])
                    .predict(X[test]),
                    sample_weight=w[test],
                )
                for params in ParameterGrid(grid)
            ]
        assert_allclose(search.cv_results_[f"split{s}_test_score"], expected)


def test_fidelity_is_weighted_whatever_the_scorer(data):
    # the test rows' fidelity weighs them by sample_weight, whether or not
    # the scorer takes the weights
    X, y = data
    w = np.random.RandomState(0).uniform(0.1, 2.0, len(y))
    teacher = DecisionTreeClassifier(max_depth=4, random_state=0)
    splits = list(KFold(2, shuffle=True, random_state=0).split(X))
    grid = {"student": _students()[:1]}

    def unweighted_accuracy(estimator, X, y):
        return accuracy_score(y, estimator.predict(X))

    expected = []
    for train, test in splits:
        fitted = clone(teacher).fit(X[train], y[train], sample_weight=w[train])
        student = DistilledClassifier(FrozenEstimator(fitted), _students()[0]).fit(
            X[train], y[train], sample_weight=w[train]
        )
        expected.append(
            fidelity_score(
                fitted.predict(X[test]), student.predict(X[test]), sample_weight=w[test]
            )
        )
    for scoring in (None, unweighted_accuracy):
        search = DistillationSearchCV(
            teacher, grid, cv=splits, scoring=scoring, refit=False
        ).fit(X, y, sample_weight=w)
        for s in range(2):
            fidelity = search.cv_results_[f"split{s}_test_fidelity"]
            assert_allclose(fidelity, [expected[s]])


def test_labels_of_another_kind_than_a_frozen_teachers_are_refused_first(data):
    # as the distiller refuses them, before the teacher is asked on a split
    X, y = data
    frozen = FrozenEstimator(LogisticRegression(max_iter=500).fit(X, y))
    grid = {"student": _students()[:1]}
    refusals = ((y.astype(str), "are strings"), (y > 0, "cannot be booleans"))
    for labels, match in refusals:
        with pytest.raises(ValueError, match=match) as distiller_error:
            DistilledClassifier(frozen, _students()[0]).fit(X, labels)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # (a frozen teacher)
            with pytest.raises(ValueError) as search_error:
                DistillationSearchCV(frozen, grid, cv=2).fit(X, labels)
        assert str(search_error.value) == str(distiller_error.value)


def test_zero_weights_are_refused_or_fail_the_split_scores(data):
    X, y = data
    grid = {"student": _students()[:1], "alpha": [0.5]}
    teacher = DecisionTreeClassifier(max_depth=4, random_state=0)
    with pytest.raises(ValueError, match="at least one non-zero"):
        DistillationSearchCV(teacher, grid, cv=3).fit(
            X, y, sample_weight=np.zeros(len(y))
        )
    # test rows that all weigh 0: every split score fails (scikit-learn 1.6's
    # accuracy_score divided by their total weight inside the teacher's score)
    w = np.ones(len(y))
    w[: len(y) // 3] = 0
    with pytest.warns(UserWarning, match="teacher could not be scored"):
        with pytest.raises(ValueError, match="Every candidate failed"):
            DistillationSearchCV(teacher, grid, cv=KFold(3)).fit(X, y, sample_weight=w)


def test_metadata_routing_of_sample_weight(data, counting):
    X, y = data
    w = np.random.RandomState(0).uniform(0.1, 2.0, len(y))
    splits = list(KFold(2, shuffle=True, random_state=0).split(X))
    with config_context(enable_metadata_routing=True):
        teacher = CountingTeacher().set_fit_request(sample_weight=True)
        student = LogisticRegression(max_iter=500).set_fit_request(sample_weight=True)
        scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        grid = {"student": [student], "alpha": [0.5, 1.0]}
        search = DistillationSearchCV(teacher, grid, cv=splits, scoring=scorer)
        search.fit(X, y, sample_weight=w)
        for (train, _), weights in zip(splits, CountingTeacher.weights):
            assert_array_equal(weights, w[train])
        assert_array_equal(CountingTeacher.weights[-1], w)  # the refit, all rows
        for s, (train, test) in enumerate(splits):
            fitted = clone(teacher).fit(X[train], y[train], sample_weight=w[train])
            reference = GridSearchCV(
                DistilledClassifier(FrozenEstimator(fitted), student),
                grid,
                cv=[(train, test)],
                scoring=scorer,
                refit=False,
            ).fit(X, y, sample_weight=w)
            assert_allclose(
                search.cv_results_[f"split{s}_test_score"],
                reference.cv_results_["split0_test_score"],
            )
        # an unrequested weight is refused, as scikit-learn does
        unrequested = {"student": [LogisticRegression()], "alpha": [0.5]}
        with pytest.raises(ValueError, match="sample_weight"):
            DistillationSearchCV(CountingTeacher(), unrequested, cv=2).fit(
                X, y, sample_weight=w
            )


def test_dataframe_input(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    search = DistillationSearchCV(
        DecisionTreeClassifier(max_depth=3, random_state=0),
        {"student": _students()[1:]},
        cv=2,
    ).fit(frame, y)
    assert_array_equal(search.feature_names_in_, frame.columns)
    assert search.predict(frame).shape == (len(y),)


def test_regressor_search():
    X, y = make_regression(n_samples=120, n_features=5, noise=5.0, random_state=0)
    search = DistillationSearchCV(
        DecisionTreeRegressor(max_depth=5, random_state=0),
        {"student": [Ridge(), DecisionTreeRegressor(max_depth=2, random_state=0)],
         "alpha": [0.0, 1.0]},
        cv=3,
    ).fit(X, y)
    results = search.cv_results_
    assert np.all(results["mean_test_fidelity"] <= 1)
    # scoring defaults to R2
    assert search.score(X, y) == pytest.approx(search.best_estimator_.score(X, y))
    assert type(search.best_estimator_).__name__ == "DistilledRegressor"


def test_frontier_display(data):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = data
    search = DistillationSearchCV(
        DecisionTreeClassifier(max_depth=5, random_state=0),
        {"student": [DecisionTreeClassifier(random_state=0)],
         "student__max_depth": [1, 2, 4]},
        cv=2,
        refit=False,
    ).fit(X, y)
    display = FrontierDisplay.from_search(search)
    assert display.ax_.get_xscale() == "log"
    assert display.ax_.get_ylabel() == "accuracy"
    assert display.teacher_line_.get_ydata()[0] == pytest.approx(search.teacher_score_)
    assert len(display.annotations_) == len(search.frontier_)
    assert all("max_depth=" in a.get_text() for a in display.annotations_)
    assert len(display.points_.get_offsets()) == 3
    plt.close("all")

    display = FrontierDisplay.from_results(
        {"mean_test_score": [0.9, 0.95, 0.93], "student_bytes": [800, 5000, 9000]}
    )
    assert display.frontier.tolist() == [0, 1]
    assert display.teacher_line_ is None
    plt.close("all")
    with pytest.raises(ValueError, match="student_bytes"):
        FrontierDisplay.from_results({"mean_test_score": [0.9]})


_MUNGE_WEIGHTS = (
    "the tree student's MUNGE rows (augment='auto') pair each row with its "
    "nearest neighbour, so they depend on which rows are repeated, not on "
    "their weights"
)


@parametrize_with_checks(
    [
        # students of different sizes: the best candidate never hangs on a
        # tie of scores and sizes, which measured latencies would decide
        DistillationSearchCV(
            DecisionTreeClassifier(max_depth=3, random_state=0),
            {"student": [DecisionTreeClassifier(max_depth=d, random_state=0)
                         for d in (1, 2)],
             "alpha": [1.0], "random_state": [0]},
            cv=3,
        ),
        DistillationSearchCV(
            DecisionTreeRegressor(max_depth=3, random_state=0),
            {"student": [Ridge()], "alpha": [0.5]},
            cv=3,
        ),
    ],
    expected_failed_checks=lambda estimator: (
        {"check_sample_weight_equivalence_on_dense_data": _MUNGE_WEIGHTS}
        if is_classifier(estimator.teacher)
        else {}
    ),
)
def test_estimator_checks(estimator, check):
    check(estimator)


def test_command_line_search(capsys):
    from skdistill._cli import main

    status = main(
        ["search", "--dataset", "iris", "--teacher", "forest", "--n-estimators", "10",
         "--cv", "2", "--max-bytes", "5000", "--students", "linear,tree"]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "candidates x 2 folds" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if "fidelity" in line)
    rows = lines[header + 1 :]
    assert rows and sum(row.startswith("*") for row in rows) <= 1
    # the best within 5000 bytes is on the frontier and within the budget
    best = next(row for row in rows if row.startswith("*"))
    assert int(best.split()[-3]) <= 5000


def test_command_line_search_usage_errors(capsys):
    from skdistill._cli import main

    with pytest.raises(SystemExit) as exc:
        main(["search", "--csv", "data.csv"])
    assert exc.value.code == 2
    assert "--csv needs --target" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["search", "--dataset", "iris", "--cv", "1"])
    assert exc.value.code == 2
    assert "--cv must be at least 2" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["search", "--students", "linear,forest"])
    assert exc.value.code == 2
    assert "'forest' is not a student kind" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["search", "--dataset", "iris", "--cv", "200"])
    assert exc.value.code == 2
    assert "--cv 200: even the largest class, 0, has 50 rows, fewer than" in (
        capsys.readouterr().err
    )
    with pytest.raises(SystemExit) as exc:
        main(["search", "--dataset", "iris", "--sep", ";"])
    assert exc.value.code == 2
    assert "--sep and --task apply to --csv only" in capsys.readouterr().err


def test_command_line_search_notes_go_to_stderr(tmp_path, capsys):
    # as in `skdistill train`: stdout holds the frontier table only
    pytest.importorskip("pandas")
    from skdistill._cli import main

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    label = np.where(X[:, 0] > 0, "yes", "no").astype(object)
    label[:2] = ""
    lines = ["a,b,c,label"] + [
        f"{a:.3f},{b:.3f},{c:.3f},{t}" for (a, b, c), t in zip(X, label)
    ]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n")
    status = main(
        ["search", "--csv", str(path), "--target", "label", "--teacher", "forest",
         "--n-estimators", "5", "--cv", "2", "--students", "linear"]
    )
    captured = capsys.readouterr()
    assert status == 0
    assert "skdistill: note: dropped 2 of 60 rows" in captured.err
    assert "note:" not in captured.out
    assert "candidates x 2 folds" in captured.out


@pytest.mark.parametrize("teacher_cv", [None, 3])
def test_teacher_that_needs_label_codes(data, teacher_cv):
    # XGBoost's classifiers accept only 0..K-1: every split's teacher, its
    # out-of-fold clones and the final one are fitted on the labels' codes
    xgboost = pytest.importorskip("xgboost")
    X, y = data
    names = np.array(["bird", "cat", "dog"])
    labels = names[y]
    teacher = xgboost.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1)
    grid = {"student": _students()[:1], "alpha": [0.5], "teacher_cv": [teacher_cv]}
    search = DistillationSearchCV(teacher, grid, cv=3).fit(X, labels)
    coded = DistillationSearchCV(teacher, grid, cv=3).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"], coded.cv_results_["mean_test_score"]
    )
    assert_array_equal(search.classes_, names)
    assert_array_equal(search.predict(X), names[coded.predict(X)])
    assert search.teacher_score_ == pytest.approx(coded.teacher_score_)


class _FailingStudent(ClassifierMixin, BaseEstimator):
    """A student whose fit fails when its training rows include ``row``."""

    def __init__(self, row=None):
        self.row = row

    def fit(self, X, y, sample_weight=None):
        if self.row is None or np.any(np.all(np.asarray(X) == self.row, axis=1)):
            raise RuntimeError("this student cannot fit these rows")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_failed_candidates_get_error_score(data):
    X, y = data
    # X[0] is in the training rows of 2 of the 3 folds
    grid = {"student": [_students()[0], _FailingStudent(X[0])], "alpha": [0.5]}
    search = DistillationSearchCV(DecisionTreeClassifier(random_state=0), grid, cv=3)
    failures = "2 candidate fits failed out of a total of 6"
    with pytest.warns(FitFailedWarning, match=failures):
        search.fit(X, y)
    results = search.cv_results_
    scores = np.array([results[f"split{s}_test_score"][1] for s in range(3)])
    assert np.isnan(scores).sum() == 2 and np.isnan(results["mean_test_score"][1])
    # its size and latency come from the split that fitted
    assert results["student_bytes"][1] > 0
    assert np.isfinite(results["student_latency_ms"][1])
    assert not results["within_budget"][1]
    assert 1 not in search.frontier_ and search.best_index_ == 0

    search.set_params(error_score=-1.0)
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    scores = np.array([search.cv_results_[f"split{s}_test_score"][1] for s in range(3)])
    assert np.sum(scores == -1.0) == 2
    assert 1 not in search.frontier_ and search.best_index_ == 0
    assert search.cv_results_["n_failed_splits"].tolist() == [0, 2]
    # drawn from the results, it stays off the front too
    pytest.importorskip("matplotlib").use("Agg")
    from skdistill import FrontierDisplay

    shown = FrontierDisplay.from_results(search.cv_results_)
    assert 1 not in shown.frontier.tolist()
    pytest.importorskip("matplotlib.pyplot").close("all")

    with pytest.raises(RuntimeError, match="cannot fit these rows"):
        search.set_params(error_score="raise").fit(X, y)


def test_all_candidates_failing_is_an_error(data):
    X, y = data
    teacher = DecisionTreeClassifier(random_state=0)
    grid = {"student": [_FailingStudent(X[0])], "alpha": [0.5]}
    with pytest.warns(FitFailedWarning):
        with pytest.raises(ValueError, match="Every candidate failed"):
            DistillationSearchCV(teacher, grid, cv=3).fit(X, y)
    grid = {"student": [_FailingStudent()], "alpha": [0.5]}  # fails everywhere
    with pytest.raises(ValueError, match="All the 3 candidate fits failed"):
        DistillationSearchCV(teacher, grid, cv=3).fit(X, y)


def test_missing_values_reach_a_pipeline_teacher_and_student():
    # a Pipeline's own allow_nan tag says False whatever its steps: the
    # search's split teachers leave the decision to the fitted pipeline
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] > 0).astype(int)
    X[::10, 1] = np.nan
    teacher = make_pipeline(SimpleImputer(), DecisionTreeClassifier(random_state=0))
    student = make_pipeline(SimpleImputer(), LogisticRegression())
    grid = {"student": [student], "alpha": [0.5, 1.0]}
    search = DistillationSearchCV(teacher, grid, cv=3, error_score="raise").fit(X, y)
    reference = GridSearchCV(
        DistilledClassifier(teacher, student), grid, cv=StratifiedKFold(3)
    ).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
    with pytest.raises(ValueError, match="augment='gaussian' generates rows"):
        DistillationSearchCV(
            teacher, {**grid, "augment": ["gaussian"]}, cv=3, error_score="raise"
        ).fit(X, y)
    # with error_score a number, only the candidates that generate rows fail
    mixed = [grid, {**grid, "alpha": [0.5], "augment": ["gaussian"]}]
    with pytest.warns(FitFailedWarning, match="3 candidate fits failed"):
        search = DistillationSearchCV(teacher, mixed, cv=3).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores[:2])) and np.isnan(scores[2])


def test_the_grid_objects_are_left_as_given(data):
    X, y = data
    student = LogisticRegression()
    grid = {"student": [student], "student__C": [0.1, 0.5], "alpha": [0.5, 0.9]}
    search = DistillationSearchCV(
        DecisionTreeClassifier(max_depth=3, random_state=0), grid, cv=2
    ).fit(X, y)
    assert student.C == 1.0 and not hasattr(student, "coef_")
    assert search.best_params_["student"] is student
    assert search.best_estimator_.student_.C == search.best_params_["student__C"]


def test_a_teacher_the_scoring_cannot_score_is_a_warning(data):
    from sklearn.svm import LinearSVC

    X, y = data
    grid = {"student": [LogisticRegression(max_iter=500)], "alpha": [0.5, 1.0]}
    with pytest.warns(UserWarning, match="teacher could not be scored.*LinearSVC"):
        search = DistillationSearchCV(
            LinearSVC(), grid, cv=3, scoring="neg_log_loss"
        ).fit(X, y)
    assert np.isnan(search.teacher_score_)
    reference = GridSearchCV(
        DistilledClassifier(LinearSVC(), LogisticRegression(max_iter=500)),
        {"alpha": [0.5, 1.0]},
        cv=StratifiedKFold(3),
        scoring="neg_log_loss",
    ).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )


def test_a_single_student_not_in_a_list_is_explained(data):
    X, y = data
    with pytest.raises(TypeError, match="wrapped in a list"):
        DistillationSearchCV(
            DecisionTreeClassifier(), {"student": LogisticRegression()}
        ).fit(X, y)


def test_unseeded_generated_rows_are_asked_of_the_teacher_by_each_candidate(
    data, counting
):
    X, y = data
    grid = {
        "student": [DecisionTreeClassifier(max_depth=2, random_state=0)],
        "alpha": [0.5, 1.0],
    }
    search = DistillationSearchCV(CountingTeacher(), grid, cv=2, refit=False)
    search.fit(X, y)
    # random_state=None: each candidate's rows are its own
    assert counting["fit"] == 2
    assert counting["predict_proba"] == 2 * (1 + 2)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_split_teacher_finds_rows_that_joblib_sent_as_a_memory_map(tmp_path, data):
    # joblib sends large arrays to its workers as numpy.memmap: registered
    # rows found there must match the same rows made as an ndarray
    from skdistill._search import _SplitTeacher

    X, y = data
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    rows = np.random.RandomState(0).normal(size=(50, X.shape[1]))
    mapped = np.memmap(tmp_path / "rows", dtype=rows.dtype, mode="w+", shape=rows.shape)
    mapped[:] = rows
    registered = np.full((50, 3), 1 / 3)  # not the tree's answer: read from the cache
    split_teacher = _SplitTeacher.wrap(
        teacher, {"predict_proba": [(X, teacher.predict_proba(X)), (mapped, registered)]},
        light=True,
    )
    assert_array_equal(split_teacher.predict_proba(rows.copy()), registered)
    with pytest.raises(RuntimeError, match="has not computed"):
        split_teacher.predict_proba(rows[:10] + 1.0)


def test_teacher_cv_too_large_for_a_split_names_teacher_cv():
    X = np.arange(16.0).reshape(8, 2)
    y = np.array([0, 1] * 4)  # two rows of each class per training split
    grid = {"student": [LogisticRegression()], "teacher_cv": [3]}
    with pytest.raises(ValueError, match="teacher_cv=3 failed on a split's 4 "):
        DistillationSearchCV(
            DecisionTreeClassifier(random_state=0), grid, cv=StratifiedKFold(2)
        ).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_student_bytes_are_those_of_the_shipped_student():
    pytest.importorskip("skops.io")
    from sklearn.neural_network import MLPClassifier
    from sklearn.utils.validation import has_fit_parameter

    if not has_fit_parameter(MLPClassifier(), "sample_weight"):
        pytest.skip("MLPClassifier.fit has no sample_weight (scikit-learn < 1.7)")

    from skdistill.io import dumps

    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    train, test = np.arange(90), np.arange(90, 120)
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0)
    search = DistillationSearchCV(
        teacher, {"student": [mlp], "alpha": [0.5]}, cv=[(train, test)]
    ).fit(X, y)
    # the same student fitted by hand on the split
    split_teacher = FrozenEstimator(clone(teacher).fit(X[train], y[train]))
    fitted = DistilledClassifier(split_teacher, mlp, alpha=0.5).fit(X[train], y[train])
    shipped = len(dumps(fitted, prediction_only=True))
    assert search.cv_results_["student_bytes"][0] == shipped
    # without the network's training state (its solver, its loss curve)
    assert shipped * 2 < len(dumps(fitted.student_))


def test_a_regressor_student_of_a_classifier_ships_with_its_distiller():
    # the regressor fitted on log-probabilities does not answer alone: what
    # ships is the distiller without its teacher, which the budget measures
    pytest.importorskip("skops.io")
    from sklearn.linear_model import Ridge

    from skdistill.io import dumps

    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    train, test = np.arange(90), np.arange(90, 120)
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    search = DistillationSearchCV(
        teacher, {"student": [Ridge()], "alpha": [0.5]}, cv=[(train, test)]
    ).fit(X, y)
    split_teacher = FrozenEstimator(clone(teacher).fit(X[train], y[train]))
    fitted = DistilledClassifier(split_teacher, Ridge(), alpha=0.5).fit(
        X[train], y[train]
    )
    shipped = len(dumps(fitted, prediction_only=True))
    assert shipped > len(dumps(fitted.student_, prediction_only=True))
    assert search.cv_results_["student_bytes"][0] == shipped
    with pytest.raises(ValueError, match="No candidate is within the budgets"):
        clone(search).set_params(max_bytes=shipped - 1).fit(X, y)


def test_workers_share_the_callers_warning_filters(data):
    # the candidates run through scikit-learn's Parallel, which hands the
    # caller's configuration and (from scikit-learn 1.7) warning filters to
    # the workers: a ConvergenceWarning made an error fails the fit there too
    import sklearn.utils.parallel
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    if not hasattr(sklearn.utils.parallel, "_with_config_and_warning_filters"):
        pytest.skip("this scikit-learn does not hand warning filters to workers")
    X, y = data
    student = MLPClassifier(hidden_layer_sizes=(2,), max_iter=1, random_state=0)
    grid = {"student": [student], "alpha": [0.5]}
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    for n_jobs in (1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            warnings.simplefilter("ignore", FitFailedWarning)
            with pytest.raises(ValueError, match="candidate fits failed"):
                DistillationSearchCV(teacher, grid, cv=2, n_jobs=n_jobs).fit(X, y)


def test_training_rows_read_in_chunks_find_their_outputs():
    # above the teacher's CHUNK_SIZE rows, a distiller asks its split teacher
    # for row chunks of the training rows, which are found by content
    from skdistill._teacher import CHUNK_SIZE

    X, y = make_classification(
        n_samples=2 * CHUNK_SIZE + 2000, n_features=5, random_state=0
    )
    grid = {"student": [LogisticRegression()], "alpha": [0.5]}
    search = DistillationSearchCV(
        DecisionTreeClassifier(max_depth=3, random_state=0), grid, cv=2,
        error_score="raise", refit=False,
    ).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_routing_of_a_grid_without_students_says_what_is_missing():
    search = DistillationSearchCV(DecisionTreeClassifier(), {"alpha": [0.5]})
    with pytest.raises(ValueError, match="must set 'student'"):
        search.get_metadata_routing()


def test_search_without_refit_has_no_best_estimator_answers():
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((90, 4)), np.repeat([0, 1, 2], 30)
    grid = {"student": [LogisticRegression()], "alpha": [0.5, 1.0]}
    search = DistillationSearchCV(LogisticRegression(), grid, cv=3).fit(X, y)
    assert_array_equal(search.classes_, [0, 1, 2])
    # refitted without refit on two classes: nothing of the first fit answers
    search.set_params(refit=False).fit(X[:60], y[:60])
    for attribute in ("classes_", "best_estimator_", "teacher_"):
        assert not hasattr(search, attribute), attribute
    with pytest.raises(AttributeError, match="refit=False"):
        search.score(X[:60], y[:60])
    # a fit that fails on its budgets leaves no best candidate of the last fit
    search.set_params(refit=True).fit(X, y)
    with pytest.raises(ValueError, match="No candidate is within the budgets"):
        search.set_params(max_bytes=1).fit(X, y)
    assert "cv_results_" in vars(search) and not hasattr(search, "best_index_")


def _one_rare_category(n=120):
    rng = np.random.RandomState(0)
    X = rng.randint(0, 3, size=(n, 1)).astype(float)
    X[5, 0] = 9.0  # a category that only one test fold holds
    y = (X[:, 0] == 0) ^ (rng.rand(n) < 0.1)
    return X, y.astype(int)


def test_a_score_that_fails_is_error_score_with_a_warning():
    # as GridSearchCV: the one-hot student meets an unknown category in one
    # test fold; that split scores NaN, and the candidate is not chosen
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    X, y = _one_rare_category()
    strict = make_pipeline(OneHotEncoder(), LogisticRegression())
    lenient = make_pipeline(
        OneHotEncoder(handle_unknown="ignore"), LogisticRegression()
    )
    grid = {"student": [strict, lenient], "alpha": [0.5]}
    cv = KFold(4, shuffle=True, random_state=0)
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    with pytest.warns(UserWarning, match="Scoring failed on 1 of 8"):
        search = DistillationSearchCV(teacher, grid, cv=cv).fit(X, y)
    reference = GridSearchCV(DistilledClassifier(teacher, strict), grid, cv=cv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        reference.fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"],
        reference.cv_results_["mean_test_score"],
    )
    assert np.isnan(search.cv_results_["mean_test_score"][0])
    assert search.best_index_ == 1 and 0 not in search.frontier_
    with pytest.raises(ValueError, match="Found unknown categories"):
        DistillationSearchCV(teacher, grid, cv=cv, error_score="raise").fit(X, y)


def test_scoring_that_returns_a_dict_is_refused(data):
    X, y = data

    def two_scores(estimator, X, y):
        return {"accuracy": accuracy_score(y, estimator.predict(X)), "one": 1.0}

    grid = {"student": _students()[:1], "alpha": [0.5]}
    search = DistillationSearchCV(
        DecisionTreeClassifier(max_depth=3), grid, cv=2, scoring=two_scores
    )
    with pytest.raises(TypeError, match="multi-metric scoring"):
        search.fit(X, y)


def test_default_scoring_weighs_the_test_rows_with_routing(data):
    X, y = data
    w = np.random.RandomState(0).uniform(0.1, 2.0, len(y))
    splits = list(KFold(2, shuffle=True, random_state=0).split(X))
    grid = {"student": _students()[:1], "alpha": [0.5]}
    weighted = make_scorer(accuracy_score)
    without = DistillationSearchCV(
        DecisionTreeClassifier(max_depth=3, random_state=0), grid, cv=splits
    ).fit(X, y, sample_weight=w)
    with config_context(enable_metadata_routing=True):
        teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
        student = LogisticRegression(max_iter=500)
        student.set_fit_request(sample_weight=True)
        grid = {"student": [student], "alpha": [0.5]}
        teacher.set_fit_request(sample_weight=True)
        routed = DistillationSearchCV(teacher, grid, cv=splits).fit(
            X, y, sample_weight=w
        )
        explicit = DistillationSearchCV(
            teacher,
            grid,
            cv=splits,
            scoring=weighted.set_score_request(sample_weight=True),
        ).fit(X, y, sample_weight=w)
    assert_allclose(
        routed.cv_results_["mean_test_score"], explicit.cv_results_["mean_test_score"]
    )
    assert_allclose(
        routed.cv_results_["mean_test_score"], without.cv_results_["mean_test_score"]
    )


def test_no_candidate_to_choose_is_said_for_what_it_is(data):
    X, y = make_regression(n_samples=12, n_features=3, random_state=0)
    from sklearn.model_selection import LeaveOneOut

    grid = {"student": [Ridge(), Ridge(alpha=10.0)], "alpha": [0.5]}
    teacher = DecisionTreeRegressor(max_depth=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # R² of one row: NaN
        with pytest.raises(ValueError, match="mean test score is NaN") as exc:
            DistillationSearchCV(teacher, grid, cv=LeaveOneOut()).fit(X, y)
    assert "budget" not in str(exc.value)
    # the budgets' message reports the candidates that could be chosen only
    X, y = data
    grid = {
        "student": [_FailingStudent(), LogisticRegression(max_iter=500)],
        "alpha": [0.5],
    }
    search = DistillationSearchCV(
        DecisionTreeClassifier(max_depth=3), grid, cv=2, max_bytes=10
    )
    with pytest.warns(FitFailedWarning):
        with pytest.raises(ValueError, match="within the budgets") as exc:
            search.fit(X, y)
    smallest = int(search.cv_results_["student_bytes"][1])
    assert f"the smallest student has {smallest} bytes" in str(exc.value)
    assert "nan" not in str(exc.value)


def test_without_refit_a_search_with_no_choice_warns_like_gridsearchcv():
    # a class of two rows: one test fold lacks it, and neg_log_loss cannot
    # score any candidate there
    X, y = make_classification(
        n_samples=60, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    y[-2:] = 3
    grid = {"student": [LogisticRegression()], "alpha": [0.5, 0.9]}
    teacher = RandomForestClassifier(n_estimators=10, random_state=0)
    kwargs = {"cv": StratifiedKFold(3), "scoring": "neg_log_loss", "refit": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the splits' failures
        expected = GridSearchCV(
            DistilledClassifier(teacher, LogisticRegression()), grid, **kwargs
        ).fit(X, y)
        search = DistillationSearchCV(teacher, grid, **kwargs)
        search.best_index_ = 0  # as left by an earlier fit
        with pytest.warns(UserWarning, match="best_params_ and best_score_ are not"):
            search.fit(X, y)
    for s in range(3):
        key = f"split{s}_test_score"
        assert_allclose(search.cv_results_[key], expected.cv_results_[key])
    assert np.isnan(search.cv_results_["split0_test_score"]).all()
    assert not hasattr(search, "best_index_") and not hasattr(search, "best_params_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(ValueError, match="Every candidate failed"):
            search.set_params(refit=True).fit(X, y)
    # every mean score NaN (R² of one row)
    X, y = make_regression(n_samples=6, n_features=3, random_state=0)
    grid = {"student": [Ridge()], "alpha": [0.5]}
    search = DistillationSearchCV(
        DecisionTreeRegressor(max_depth=2), grid, cv=KFold(6), refit=False
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    assert any("mean test score is NaN" in str(w.message) for w in caught)
    assert np.isnan(search.cv_results_["mean_test_score"]).all()


def test_a_cv_without_splits_is_refused(data):
    X, y = data
    grid = {"student": _students()[:1], "alpha": [0.5]}
    splits = KFold(2).split(X)
    search = DistillationSearchCV(DecisionTreeClassifier(max_depth=3), grid, cv=splits)
    search.fit(X, y)
    with pytest.raises(ValueError, match="gave no split"):
        search.fit(X, y)  # the generator is used up
    with pytest.raises(ValueError, match="gave no split"):
        search.set_params(cv=[]).fit(X, y)


def test_param_columns_have_the_values_dtype(data):
    X, y = data
    grid = {"student": _students(), "alpha": [0.5, 1.0], "T": [2.0]}
    grid["random_state"] = [0]
    search = DistillationSearchCV(DecisionTreeClassifier(max_depth=3), grid, cv=2)
    reference = GridSearchCV(
        DistilledClassifier(DecisionTreeClassifier(), _students()[0]), grid, cv=2
    )
    search.fit(X, y)
    reference.fit(X, y)
    for name in ("param_alpha", "param_T", "param_random_state", "param_student"):
        assert search.cv_results_[name].dtype == reference.cv_results_[name].dtype
    assert search.cv_results_["param_alpha"].dtype == np.float64


def test_teacher_failures_are_named_as_the_teachers():
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder
    from scipy import sparse

    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    grid = {"student": [LogisticRegression()], "alpha": [0.5]}
    with pytest.raises(TypeError, match="The teacher HistGradientBoostingClassifier"):
        DistillationSearchCV(HistGradientBoostingClassifier(), grid, cv=2).fit(
            sparse.csr_matrix(X), y
        )
    # noisy copies of a one-hot column: the teacher's own error, not the search's
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.randint(0, 3, 90), rng.normal(size=90)]).astype(float)
    y = 2 * X[:, 0] + X[:, 1]
    encoder = ColumnTransformer([("oh", OneHotEncoder(), [0])], remainder="passthrough")
    teacher = make_pipeline(encoder, Ridge())
    grid = {"student": [Ridge()], "augment": ["gaussian"], "random_state": [0]}
    search = DistillationSearchCV(teacher, grid, cv=KFold(3), error_score="raise")
    with pytest.raises(ValueError, match="The teacher .*Pipeline.* failed in predict"):
        search.fit(X, y)


def test_a_frozen_teacher_is_warned_about(data):
    # never fitted per split: it may have seen the test rows
    X, y = data
    frozen = FrozenEstimator(DecisionTreeClassifier(max_depth=3).fit(X, y))
    grid = {"student": _students()[:1], "alpha": [0.5]}
    with pytest.warns(UserWarning, match="optimistic"):
        DistillationSearchCV(frozen, grid, cv=2).fit(X, y)


def test_routing_leaves_an_iterator_of_splits_to_fit(data):
    # as GridSearchCV: describing the routing does not use up cv's splits
    X, y = data
    with config_context(enable_metadata_routing=True):
        search = DistillationSearchCV(
            DecisionTreeClassifier(random_state=0).set_fit_request(
                sample_weight=True
            ),
            {
                "student": [
                    LogisticRegression(max_iter=500).set_fit_request(
                        sample_weight=True
                    )
                ],
                "alpha": [0.5],
            },
            cv=(split for split in KFold(3).split(X)),
            scoring=make_scorer(accuracy_score).set_score_request(
                sample_weight=True
            ),
            refit=False,
        )
        search.fit(X, y, sample_weight=np.ones(len(y)))
    assert search.n_splits_ == 3


def test_generated_rows_are_told_apart_by_long_array_parameters(data):
    # numpy shortens the repr of a long array: two candidates whose MUNGE
    # masks differ only in the middle still generate their own rows
    X, y = data
    X = np.hstack([np.round(X), np.zeros((len(y), 1194))])  # 1,200 columns
    mask_a = np.zeros(X.shape[1], bool)
    mask_a[:600] = True
    mask_b = np.zeros(X.shape[1], bool)
    mask_b[:3] = True
    assert repr(mask_a) == repr(mask_b)
    grid = {
        "student": [DecisionTreeClassifier(random_state=0)],
        "alpha": [1.0],
        "augment": ["munge"],
        "augment_params": [
            {"categorical_features": mask_a}, {"categorical_features": mask_b}
        ],
        "random_state": [0],
    }
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    search = DistillationSearchCV(teacher, grid, cv=KFold(3), refit=False)
    search.fit(X, y)
    splits = list(KFold(3).split(X))
    _assert_split_scores_of_grid_search(search, teacher, grid, X, y, splits)


def test_frontier_display_refuses_another_search(data):
    X, y = data
    other = GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=2).fit(X, y)
    with pytest.raises(TypeError, match="must be a fitted DistillationSearchCV"):
        FrontierDisplay.from_search(other)


def _assert_same_search(search, reference, X):
    """The same scores and best model as a GridSearchCV over the distillers."""
    assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
    assert_allclose(
        search.best_estimator_.predict_proba(X),
        reference.best_estimator_.predict_proba(X),
    )


def test_teacher_cv_splitters_get_their_groups_by_routing(data):
    # as GridSearchCV over a distiller whose teacher_cv requests groups
    from sklearn.model_selection import GroupKFold

    X, y = data
    groups = np.arange(len(y)) % 10
    with config_context(enable_metadata_routing=True):
        teacher_cv = GroupKFold(3).set_split_request(groups=True)
        cv = GroupKFold(3).set_split_request(groups=True)
        grid = {
            "student": [LogisticRegression(max_iter=500)],
            "alpha": [0.5, 1.0],
            "teacher_cv": [teacher_cv],
        }
        teacher = LogisticRegression(max_iter=500)
        search = DistillationSearchCV(teacher, grid, cv=cv).fit(X, y, groups=groups)
        reference = GridSearchCV(
            DistilledClassifier(teacher, LogisticRegression(), teacher_cv=teacher_cv),
            grid,
            cv=cv,
        ).fit(X, y, groups=groups)
    _assert_same_search(search, reference, X)


def test_aliased_requests_reach_the_teacher_and_the_students(data):
    # a student requesting sample_weight as "student_weight", a teacher as
    # "teacher_weight": routed to the candidates' distillers under those
    # names (and to the teacher's out-of-fold clones), the scores are
    # GridSearchCV's over the same distillers
    X, y = data
    rng = np.random.RandomState(0)
    w_teacher, w_student = rng.uniform(0.1, 3, len(y)), rng.uniform(0.1, 3, len(y))
    splits = list(KFold(2, shuffle=True, random_state=0).split(X))
    with config_context(enable_metadata_routing=True):
        teacher = LogisticRegression().set_fit_request(sample_weight="teacher_weight")
        student = LogisticRegression(max_iter=500).set_fit_request(
            sample_weight="student_weight"
        )
        grid = {"student": [student], "alpha": [0.5, 1.0], "teacher_cv": [None, 3]}
        search = DistillationSearchCV(
            teacher, grid, cv=splits, scoring="accuracy"
        ).fit(X, y, teacher_weight=w_teacher, student_weight=w_student)
        reference = GridSearchCV(
            DistilledClassifier(teacher, student), grid, cv=splits, scoring="accuracy"
        ).fit(X, y, teacher_weight=w_teacher, student_weight=w_student)
    _assert_same_search(search, reference, X)


def test_a_frozen_teacher_with_teacher_cv_in_the_grid_is_refused(data):
    # as the distiller refuses it: the frozen model's "out-of-fold" outputs
    # were its in-sample ones, scored as if held out
    X, y = data
    frozen = FrozenEstimator(DecisionTreeClassifier(max_depth=3).fit(X, y))
    grid = {"student": [LogisticRegression()], "teacher_cv": [None, 3]}
    with pytest.raises(ValueError, match="teacher_cv needs a teacher that can be"):
        DistillationSearchCV(frozen, grid, cv=2).fit(X, y)
    DistillationSearchCV(frozen, {**grid, "teacher_cv": [None]}, cv=2).fit(X, y)


def test_a_refitted_best_candidate_beyond_max_bytes_warns():
    # the budget holds for the splits' students; an unbounded tree refitted
    # on twice the rows grows beyond it, which the user is told
    pytest.importorskip("skops.io")
    from sklearn.ensemble import RandomForestClassifier

    from skdistill.io import dumps

    X, y = make_classification(
        n_samples=1200, n_features=10, flip_y=0.2, random_state=0
    )
    grid = {"student": [DecisionTreeClassifier(random_state=0)], "alpha": [0.9],
            "augment": [None]}
    teacher = RandomForestClassifier(n_estimators=20, random_state=0)
    probe = DistillationSearchCV(teacher, grid, cv=2, refit=False).fit(X, y)
    budget = int(probe.cv_results_["student_bytes"][0]) + 1
    with pytest.warns(UserWarning, match="refitted on all rows, has.*max_depth"):
        search = DistillationSearchCV(teacher, grid, cv=2, max_bytes=budget).fit(X, y)
    assert len(dumps(search.best_estimator_, prediction_only=True)) > budget
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        DistillationSearchCV(teacher, grid, cv=2, max_bytes=10**7).fit(X, y)


def _refitted_beyond_any_budget(monkeypatch):
    """Make the search's refitted student's file a megabyte larger than it is."""
    import skdistill._search as search_module

    refitted = []
    original_refit, original_bytes = (
        DistillationSearchCV._refit, search_module.student_bytes
    )

    def refit(self, *args):
        original_refit(self, *args)
        refitted.append(True)

    def n_bytes(model):  # the refitted student's file over the budget
        return original_bytes(model) + (10**6 if refitted else 0)

    monkeypatch.setattr(DistillationSearchCV, "_refit", refit)
    monkeypatch.setattr(search_module, "student_bytes", n_bytes)


def test_a_refitted_linear_student_beyond_max_bytes_is_told_of_the_margin(monkeypatch):
    # a logistic student does not grow with the rows; only its compressed
    # file varies by a byte or two: the advice on max_depth would not apply
    _refitted_beyond_any_budget(monkeypatch)
    X, y = make_classification(n_samples=200, random_state=0)
    grid = {"student": [LogisticRegression()], "alpha": [0.5]}
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    with pytest.warns(UserWarning, match="no more parameters.*leave max_bytes a"):
        DistillationSearchCV(teacher, grid, cv=2, max_bytes=10**5).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_refitted_network_beyond_max_bytes_gets_no_tree_advice(monkeypatch):
    # a category that one split's training rows lack: the network refitted on
    # all rows has more input columns, so more weights, than that split's;
    # it has no max_depth to bound, and the advice is a margin
    from sklearn.compose import ColumnTransformer
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.utils.validation import has_fit_parameter

    from skdistill.metrics import count_nonzero_parameters

    if not has_fit_parameter(MLPClassifier(), "sample_weight"):
        pytest.skip("MLPClassifier.fit has no sample_weight (scikit-learn < 1.7)")
    _refitted_beyond_any_budget(monkeypatch)
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.standard_normal((200, 2)), rng.randint(0, 3, 200)])
    X[:10, 2] = 3  # seen by the second split's training rows only
    y = (X[:, 0] > 0).astype(int)
    network = Pipeline(
        [
            ("encode", ColumnTransformer(
                [("onehot", OneHotEncoder(handle_unknown="ignore"), [2])],
                remainder="passthrough",
            )),
            ("mlp", MLPClassifier(hidden_layer_sizes=(4,), max_iter=300,
                                  random_state=0)),
        ]
    )
    grid = {"student": [network], "alpha": [0.5]}
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    search = DistillationSearchCV(teacher, grid, cv=KFold(2), max_bytes=10**5)
    with pytest.warns(UserWarning, match="refitted on all rows") as record:
        search.fit(X, y)
    assert count_nonzero_parameters(search.best_estimator_.student_) > (
        search.cv_results_["n_nonzero"][search.best_index_]
    )
    message = next(
        str(w.message) for w in record if "refitted on all rows" in str(w.message)
    )
    assert "max_depth" not in message and "max_leaf_nodes" not in message
    assert "more non-zero parameters than they had" in message
    assert "leave max_bytes a margin" in message


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_command_line_search_networks_are_fitted_on_every_version(capsys):
    # MLPClassifier.fit takes sample_weight from scikit-learn 1.7 only: before,
    # the default space's network is an MLPRegressor on the log targets, as
    # the main command's, not a candidate that fails on every split
    from sklearn.neural_network import MLPClassifier
    from sklearn.utils.validation import has_fit_parameter

    from skdistill.__main__ import main

    status = main(
        ["search", "--dataset", "iris", "--teacher", "forest", "--n-estimators", "5",
         "--cv", "2", "--students", "mlp"]
    )
    captured = capsys.readouterr()
    assert status == 0 and "failed" not in captured.err
    kind = (
        "MLPClassifier"
        if has_fit_parameter(MLPClassifier(), "sample_weight")
        else "MLPRegressor"
    )
    assert kind in captured.out


def test_a_student_that_cannot_be_measured_gets_error_score(data, monkeypatch):
    # skops cannot save a numpy Generator before numpy 1.25 (a histogram
    # boosting student): that candidate's splits get error_score with a
    # warning, and the search goes on, as for a failed score
    import skdistill._search as search_module

    measure = search_module.student_bytes

    def failing_for_trees(student):
        if isinstance(student, DecisionTreeClassifier):
            raise RuntimeError("cannot save this student here")
        return measure(student)

    monkeypatch.setattr(search_module, "student_bytes", failing_for_trees)
    X, y = data
    grid = {"student": [DecisionTreeClassifier(max_depth=2), LogisticRegression()]}
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    with pytest.warns(UserWarning, match="cannot save this student here"):
        search = DistillationSearchCV(teacher, grid, cv=2).fit(X, y)
    assert np.isnan(search.cv_results_["mean_test_score"][0])
    assert search.cv_results_["student_bytes"][0] == -1
    assert search.best_index_ == 1
    with pytest.raises(RuntimeError, match="cannot save this student here"):
        DistillationSearchCV(teacher, grid, cv=2, error_score="raise").fit(X, y)


def test_splitter_teacher_cv_in_parallel():
    # the teachers' outputs come back from the workers keyed by position, not
    # by the splitter (compared by identity, copied on the way back)
    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    grid = {
        "student": [LogisticRegression()],
        "alpha": [0.5, 0.9],
        "teacher_cv": [KFold(3, shuffle=True, random_state=0), 3],
    }
    teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    serial = DistillationSearchCV(teacher, grid, cv=3, n_jobs=1).fit(X, y)
    parallel = DistillationSearchCV(teacher, grid, cv=3, n_jobs=2).fit(X, y)
    assert_allclose(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert_array_equal(parallel.predict(X), serial.predict(X))


class _LockedState:
    """Fitted state that refuses to be pickled, as a lock does."""

    def __reduce__(self):
        raise TypeError("cannot pickle '_LockedState' object")


class LockedTeacher(CountingTeacher):
    """A teacher whose fitted state cannot be pickled (a lock, a connection)."""

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight=sample_weight)
        self.lock_ = _LockedState()
        return self


def test_unpicklable_fitted_teacher_in_parallel():
    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    teacher = LockedTeacher()
    grid = {"student": [LogisticRegression()], "alpha": [0.5, 0.9]}
    search = DistillationSearchCV(teacher, grid, cv=3, n_jobs=2)
    with pytest.raises(TypeError, match="must pickle once fitted") as info:
        search.fit(X, y)
    assert "_LockedState" in str(info.value)
    # what the message suggests: threads, which pickle nothing
    serial = DistillationSearchCV(teacher, grid, cv=3, n_jobs=1).fit(X, y)
    with joblib.parallel_config(backend="threading"):
        threaded = clone(search).fit(X, y)
    assert_allclose(
        threaded.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


class _PicklingInFitTeacher(CountingTeacher):
    """A teacher whose own fit fails on pickling (it deep-copies a lock)."""

    def fit(self, X, y, sample_weight=None):
        raise TypeError("cannot pickle '_thread.lock' object")


def test_a_teachers_own_pickling_error_is_its_own():
    # the search took any error that spoke of pickling for one between its
    # worker processes, even with n_jobs=1
    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    grid = {"student": [LogisticRegression()], "alpha": [0.5]}
    for n_jobs in (1, 2):
        teacher = _PicklingInFitTeacher()
        search = DistillationSearchCV(teacher, grid, cv=3, n_jobs=n_jobs)
        with pytest.raises(TypeError, match="^The teacher _PicklingInFit"):
            search.fit(X, y)


class _ProbaOnlyClassifier(ClassifierMixin, BaseEstimator):
    """A classifier with predict_proba and no predict."""

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def test_a_teacher_without_predict_is_searched():
    # the distiller reads its probabilities; the search asked it for predict
    # (for the fidelity) and crashed on a bare AttributeError
    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    grid = {"student": [DecisionTreeClassifier(max_depth=2, random_state=0)],
            "alpha": [1.0], "augment": [None]}
    search = DistillationSearchCV(_ProbaOnlyClassifier(), grid, cv=3)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The teacher could not be scored")
        search.fit(X, y)
    reference = GridSearchCV(
        DistilledClassifier(_ProbaOnlyClassifier(), grid["student"][0],
                            alpha=1.0, augment=None),
        {"alpha": [1.0]}, cv=3,
    ).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
    assert 0.5 < search.cv_results_["mean_test_fidelity"][0] <= 1.0


@pytest.mark.parametrize(
    "case", ["one class", "y with NaN", "1-D X", "3-D X", "no column"]
)
def test_bad_input_is_refused_as_the_distiller_refuses_it(case):
    # not as a failure of the teacher, which the search fits first
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    teacher, student = LogisticRegression(), LogisticRegression()
    distiller = DistilledClassifier
    if case == "one class":
        y = np.zeros(60, dtype=int)
    elif case == "y with NaN":
        teacher, student = DecisionTreeRegressor(), Ridge()
        distiller = DistilledRegressor
        y = np.r_[np.nan, X[1:, 0]]
    elif case == "1-D X":
        X = X[:, 0]
    elif case == "3-D X":
        X = X.reshape(60, 2, 2)
    else:
        X = X[:, :0]
    with pytest.raises(ValueError) as expected:
        distiller(teacher, student).fit(X, y)
    search = DistillationSearchCV(teacher, {"student": [student]}, cv=3)
    with pytest.raises(ValueError) as info:
        search.fit(X, y)
    assert str(info.value) == str(expected.value)
    assert "teacher" not in str(info.value).lower()


def test_missing_labels_get_the_searchs_own_advice():
    # the distiller's check (suggesting unlabeled=, which the search refuses)
    # ran first
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    y = y.astype(float)
    y[:5] = np.nan
    search = DistillationSearchCV(LogisticRegression(), {"student": [Ridge()]}, cv=3)
    with pytest.raises(ValueError, match="in a GridSearchCV"):
        search.fit(X, y)


@pytest.mark.parametrize("augment", [None, "gaussian"])
def test_auto_output_is_chosen_on_the_teacher_as_given(augment):
    # a search teacher: its base model has no predict_proba, its fitted best
    # model has; "auto" reads decision_function, as the distiller does
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    X, y = make_classification(
        n_samples=120, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    base = Pipeline([("model", LinearSVC())])
    teacher = GridSearchCV(base, {"model": [LogisticRegression()]}, cv=3)
    grid = {"student": [LogisticRegression()], "alpha": [1.0], "augment": [augment]}
    if augment:  # a seed the search cannot key rows by: no light teacher
        grid["random_state"] = [np.random.RandomState(0)]
    search = DistillationSearchCV(teacher, grid, cv=3, error_score="raise").fit(X, y)
    distiller = DistilledClassifier(teacher, LogisticRegression())
    reference = GridSearchCV(distiller, grid, cv=3).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
    best = search.best_estimator_
    assert best._response_method == "decision_function"
    fresh = clone(distiller).set_params(**search.best_params_).fit(X, y)
    assert fresh._response_method == "decision_function"
    if augment is None:
        assert_allclose(best.predict_proba(X), fresh.predict_proba(X), atol=1e-8)


def test_a_teacher_whose_predict_appears_once_fitted_is_accepted():
    # StackingClassifier hides predict until fitted (final_estimator=None),
    # as the distillers accept it
    from sklearn.ensemble import StackingClassifier

    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    teacher = StackingClassifier(
        [("tree", DecisionTreeClassifier(max_depth=3, random_state=0))], cv=3
    )
    grid = {"student": [LogisticRegression()], "alpha": [0.5, 1.0]}
    search = DistillationSearchCV(teacher, grid, cv=3, error_score="raise").fit(X, y)
    distiller = DistilledClassifier(teacher, LogisticRegression())
    reference = GridSearchCV(distiller, grid, cv=3).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )


def test_a_teacher_cv_refusal_is_named_once():
    from sklearn.svm import LinearSVC

    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = np.r_[np.zeros(15, int), np.ones(14, int), [2], np.arange(30) % 3]
    split = [(np.arange(30), np.arange(30, 60))]  # KFold(3) of its rows lacks 2
    grid = {"student": [LogisticRegression()], "teacher_cv": [KFold(3)]}
    search = DistillationSearchCV(LinearSVC(), grid, cv=split)
    with pytest.raises(ValueError, match="lack a class") as info:
        search.fit(X, y)
    assert str(info.value).count("teacher_cv=") == 1


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_teacher_cv_as_a_list_of_splits(kind):
    # a list is unhashable: the search keyed the teacher's outputs by it and
    # failed with a bare TypeError, where GridSearchCV runs
    if kind == "classifier":
        X, y = make_classification(n_samples=120, n_features=5, random_state=0)
        teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
        base = DistilledClassifier(teacher, LogisticRegression())
    else:
        X, y = make_regression(n_samples=120, n_features=5, random_state=0)
        teacher = DecisionTreeRegressor(max_depth=3, random_state=0)
        base = DistilledRegressor(teacher, Ridge())
    cv = [(np.arange(80), np.arange(80, 120))]
    # a partition of the split's 80 training rows
    folds = [(np.arange(40, 80), np.arange(40)), (np.arange(40), np.arange(40, 80))]
    grid = {
        "student": [clone(base.student)],
        "teacher_cv": [None, folds, 3],
        "alpha": [0.5, 1.0],
    }
    # (no refit: the list's splits are of the split's rows, not all rows)
    search = DistillationSearchCV(
        teacher, grid, cv=cv, refit=False, error_score="raise"
    ).fit(X, y)
    reference = GridSearchCV(
        base, grid, cv=cv, refit=False, error_score="raise"
    ).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )


def test_the_frontier_table_shows_the_chosen_candidate():
    # with min_fidelity, the chosen candidate can be off the frontier (a less
    # faithful one beats it on score and size): the command line's table
    # marked "* = best" on no row
    from types import SimpleNamespace

    from skdistill._cli_search import format_frontier

    results = {
        "params": [{"student": Ridge(), "alpha": a} for a in (0.1, 0.5, 0.9)],
        "mean_test_score": np.array([0.9, 0.8, 0.7]),
        "std_test_score": np.zeros(3),
        "mean_test_fidelity": np.array([0.5, 0.6, 0.95]),
        "student_bytes": np.array([100, 200, 300]),
        "student_latency_ms": np.ones(3),
        "n_nonzero": np.array([3, 3, 3]),
    }
    search = SimpleNamespace(
        cv_results_=results, frontier_=np.array([0]), best_index_=2
    )
    rows = format_frontier(search).splitlines()[1:]
    assert len(rows) == 2
    assert rows[1].startswith("*") and "alpha=0.9" in rows[1]
    assert not rows[0].startswith("*")


def test_candidate_labels_keep_the_prefix_of_a_distillers_parameter_name():
    # a Ridge student's alpha and the distiller's alpha read alike
    from skdistill._frontier_display import describe_candidate

    params = {"student": Ridge(), "student__alpha": 10.0, "alpha": 0.5}
    assert describe_candidate(params) == "Ridge student__alpha=10 alpha=0.5"
    label = describe_candidate({"student": Ridge(), "student__tol": 0.1, "alpha": 0.5})
    assert label == "Ridge tol=0.1 alpha=0.5"


def test_an_unfitted_search_is_a_teacher_whose_scores_are_read(data):
    # its decision_function (students without predict_proba, or asked for
    # it) was looked up on an `estimator` the search does not have
    from sklearn.svm import LinearSVC

    X, y = data
    grids = [
        ({"student": [LinearSVC()], "alpha": [0.5]}, "auto"),
        ({"student": [LogisticRegression()], "alpha": [0.5]}, "decision_function"),
    ]
    for grid, response in grids:
        teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
        search = DistillationSearchCV(teacher, grid, cv=3)
        model = DistilledClassifier(
            search, LogisticRegression(), alpha=1.0, teacher_response=response
        ).fit(X, y)
        frozen = DistilledClassifier(
            FrozenEstimator(clone(search).fit(X, y)),
            LogisticRegression(),
            alpha=1.0,
            teacher_response="decision_function",
        ).fit(X, y)
        assert_allclose(model.student_.coef_, frozen.student_.coef_)


def test_a_student_writing_into_its_rows_leaves_the_others_theirs():
    # a split's rows were one array for all its candidates: a student that
    # centres its input in place (copy_X=False) gave the next candidate
    # centred rows (Ridge scored -7192 where it scores 0.997 alone)
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import LinearRegression

    X, y = make_regression(n_samples=300, n_features=5, noise=1.0, random_state=0)
    X += 50
    teacher = RandomForestRegressor(n_estimators=10, random_state=0)
    grid = {"student": [LinearRegression(copy_X=False), Ridge()], "alpha": [0.5]}
    cv = KFold(3)
    search = DistillationSearchCV(teacher, grid, cv=cv, refit=False).fit(X, y)
    alone = DistillationSearchCV(
        teacher, {"student": [Ridge()], "alpha": [0.5]}, cv=cv, refit=False
    ).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"][1],
        alone.cv_results_["mean_test_score"][0],
    )
    assert search.cv_results_["mean_test_score"][1] > 0.9


@pytest.mark.filterwarnings("ignore:The teacher is a FrozenEstimator:UserWarning")
@pytest.mark.parametrize("refit", [True, False])
def test_a_frozen_teacher_trained_elsewhere_is_warned_of_once(refit):
    # relabelled classes, or another scale of y: the distiller's warnings,
    # which the candidates (fitted in workers) cannot give, once per search
    # whether or not it refits
    said = "The frozen teacher's predictions on the training rows"
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    swapped = FrozenEstimator(LogisticRegression().fit(X, 1 - y))
    grid = {"student": [LogisticRegression()], "alpha": [0.5, 0.8]}
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        DistillationSearchCV(swapped, grid, cv=3, refit=refit).fit(X, y)
    messages = [str(w.message) for w in record if said in str(w.message)]
    assert len(messages) == 1 and "(its 1 as y's 0, its 0 as y's 1)" in messages[0]

    X, y = make_regression(n_samples=200, n_features=4, noise=1.0, random_state=0)
    y = y + 100  # (a price, say), the teacher trained on it in thousands
    thousands = FrozenEstimator(Ridge().fit(X, y / 1000))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        DistillationSearchCV(
            thousands, {"student": [Ridge()], "alpha": [0.5]}, cv=3, refit=refit
        ).fit(X, y)
    messages = [str(w.message) for w in record if said in str(w.message)]
    assert len(messages) == 1 and "worse than its mean" in messages[0]

    # a teacher whose outputs fail on some rows: the candidates that read
    # them get error_score, as before the check (which leaves it to them)
    class Faulty(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.unique(y)
            return self

        def predict_proba(self, X):
            proba = np.full((len(X), 2), 0.5)
            proba[::10] = np.nan
            return proba

    faulty = FrozenEstimator(Faulty().fit(X, y > 100))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = DistillationSearchCV(
            faulty, {"student": [LogisticRegression()], "alpha": [0.0, 0.5]},
            cv=3, refit=refit,
        ).fit(X, y > 100)
    assert np.isnan(search.cv_results_["mean_test_score"][1])
    assert search.best_params_["alpha"] == 0.0

    # teachers of y's own labels and scale, or a grid at alpha=0: no warning
    Xc, yc = make_classification(n_samples=300, n_features=6, random_state=0)
    sound = [
        (FrozenEstimator(LogisticRegression().fit(Xc, yc)), Xc, yc, 0.5),
        (swapped, Xc, yc, 0.0),
        (FrozenEstimator(Ridge().fit(X, y)), X, y, 0.5),
    ]
    for teacher, X_fit, target, alpha in sound:
        student = LogisticRegression() if is_classifier(teacher) else Ridge()
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            DistillationSearchCV(
                teacher, {"student": [student], "alpha": [alpha]}, cv=3, refit=refit
            ).fit(X_fit, target)
        assert not [w for w in record if said in str(w.message)]
