"""scikit-learn's estimator checks on every public estimator."""

from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor

from skdistill import DistilledClassifier, DistilledRegressor

# Checks that cannot pass for a given instance, with the reason.
_FOREST_WEIGHTS = (
    "the random forest teacher draws bootstrap samples, so weighting a row and "
    "repeating it give different forests (scikit-learn lists the same check as "
    "failing for RandomForestClassifier itself)"
)
_SVC_WEIGHTS = (
    "the SVC teacher itself is not sample-weight equivalent: libsvm's decision "
    "function differs by about 1e-4 between weighting and repeating rows"
)
_KNN_WEIGHTS = (
    "the k-NN teacher does not accept sample_weight: the teacher is fitted "
    "without it (with a warning) and only the student uses the weights"
)


def _instances():
    yield DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(),
    ), {
        "check_sample_weight_equivalence_on_dense_data": _FOREST_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _FOREST_WEIGHTS,
    }
    yield DistilledClassifier(SVC(), LogisticRegression(), T=2.0), {
        "check_sample_weight_equivalence_on_dense_data": _SVC_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _SVC_WEIGHTS,
    }
    yield DistilledClassifier(
        GradientBoostingClassifier(n_estimators=10, random_state=0),
        DecisionTreeClassifier(max_depth=4, random_state=0),
        alpha=0.8,
    ), {}
    yield DistilledClassifier(KNeighborsClassifier(), Ridge(alpha=1e-3), alpha=0.9), {
        "check_sample_weight_equivalence_on_dense_data": _KNN_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _KNN_WEIGHTS,
    }


    yield DistilledRegressor(
        RandomForestRegressor(n_estimators=10, random_state=0), Ridge(alpha=1e-3)
    ), {
        "check_sample_weight_equivalence_on_dense_data": _FOREST_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _FOREST_WEIGHTS,
    }
    yield DistilledRegressor(LinearRegression(), Ridge(alpha=1e-3), alpha=0.7), {}
    yield DistilledRegressor(
        KNeighborsRegressor(), DecisionTreeRegressor(max_depth=5, random_state=0)
    ), {
        "check_sample_weight_equivalence_on_dense_data": _KNN_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _KNN_WEIGHTS,
    }


_ESTIMATORS, _EXPECTED = zip(*_instances())


def _expected_failed_checks(estimator):
    for candidate, expected in zip(_ESTIMATORS, _EXPECTED):
        if candidate is estimator:
            return expected
    return {}


@parametrize_with_checks(
    list(_ESTIMATORS), expected_failed_checks=_expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
