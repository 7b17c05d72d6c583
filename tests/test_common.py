"""scikit-learn's estimator checks on every public estimator."""

import numpy as np
import pytest
import sklearn
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from _checks import parametrize_with_checks

from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import (
    LinearRegression,
    Perceptron,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.fixes import parse_version

from skdistill import DistilledClassifier, DistilledRegressor

sklearn_version = parse_version(parse_version(sklearn.__version__).base_version)
# MLPClassifier.fit and MLPRegressor.fit take sample_weight from scikit-learn
# 1.7; before, a DistilledClassifier refuses an MLPClassifier student (a
# classifier fitted on soft targets needs sample_weight) and a
# DistilledRegressor with an MLPRegressor student cannot take sample_weight.
MLP_HAS_SAMPLE_WEIGHT = sklearn_version >= parse_version("1.7")

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
_SGD_WEIGHTS = (
    "the student is fitted by stochastic gradient descent, for which weighting "
    "a row is not the same as repeating it (scikit-learn lists the same check "
    "as failing for SGDClassifier, Perceptron and SGDRegressor themselves)"
)
_SCALER_WEIGHTS = (
    "the Pipeline student's StandardScaler is fitted without weights (a "
    "Pipeline passes sample_weight to its last step only), so its mean and "
    "scale differ between weighting and repeating rows, as for "
    "clone(pipeline).fit(X, y, <last>__sample_weight=w) itself"
)
_XGB_WEIGHTS = (
    "XGBoost sums gradients in float32: weighting a row and repeating it give "
    "teachers that differ by about 1e-7 relatively, above the check's tolerance"
)
_MLP_WEIGHTS = (
    "MLPRegressor.fit takes no sample_weight before scikit-learn 1.7, so the "
    "distiller refuses sample_weight with this student (a TypeError)"
)
_MUNGE_WEIGHTS = (
    "MUNGE pairs each row with its nearest neighbour among the others, so the "
    "generated rows depend on which rows are repeated, not on their weights"
)
_GB_WEIGHTS = (
    "the GradientBoostingClassifier teacher is not sample-weight equivalent "
    "(scikit-learn lists the same check as failing for it); on scikit-learn "
    "1.6 its predictions for this check's data differ between weighting and "
    "repeating rows, from 1.7 they agree and the check passes"
)
_KNN_WEIGHTS = (
    "the k-NN teacher does not accept sample_weight: the teacher is fitted "
    "without it (with a warning) and only the student uses the weights"
)


def _boosting_teachers():
    """XGBoost and LightGBM teachers, when installed."""
    try:
        from xgboost import XGBClassifier, XGBRegressor
    except ImportError:
        pass
    else:
        yield DistilledClassifier(
            XGBClassifier(n_estimators=10, max_depth=3, n_jobs=1, random_state=0),
            LogisticRegression(),
        ), {
            "check_sample_weight_equivalence_on_dense_data": _XGB_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": _XGB_WEIGHTS,
        }
        yield DistilledRegressor(
            XGBRegressor(n_estimators=10, max_depth=3, n_jobs=1, random_state=0),
            Ridge(alpha=1e-3),
        ), {}
    try:
        from lightgbm import LGBMClassifier
    except ImportError:
        pass
    else:
        yield DistilledClassifier(
            LGBMClassifier(n_estimators=10, n_jobs=1, verbose=-1, random_state=0),
            LogisticRegression(),
        ), {}


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
    # a tree student: with the default augment="auto", MUNGE rows on the small
    # dense tables of the checks; with augment=None, rows weighted by targets
    yield DistilledClassifier(
        GradientBoostingClassifier(n_estimators=10, random_state=0),
        DecisionTreeClassifier(max_depth=4, random_state=0),
        alpha=0.8,
    ), {
        "check_sample_weight_equivalence_on_dense_data": _MUNGE_WEIGHTS,
        # sparse data get no generated rows; the teacher decides then
        **(
            {}
            if sklearn_version >= parse_version("1.7")
            else {"check_sample_weight_equivalence_on_sparse_data": _GB_WEIGHTS}
        ),
    }
    yield DistilledClassifier(
        GradientBoostingClassifier(n_estimators=10, random_state=0),
        DecisionTreeClassifier(max_depth=4, random_state=0),
        alpha=0.8,
        augment=None,
    ), (
        {}
        if sklearn_version >= parse_version("1.7")
        else {
            "check_sample_weight_equivalence_on_dense_data": _GB_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": _GB_WEIGHTS,
        }
    )
    yield DistilledClassifier(KNeighborsClassifier(), Ridge(alpha=1e-3), alpha=0.9), {
        "check_sample_weight_equivalence_on_dense_data": _KNN_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _KNN_WEIGHTS,
    }
    # students with partial_fit: partial_fit is offered only with a frozen
    # teacher, so these are checked as plain estimators
    _sgd = {
        "check_sample_weight_equivalence_on_dense_data": _SGD_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _SGD_WEIGHTS,
    }
    yield DistilledClassifier(
        LogisticRegression(), SGDClassifier(loss="log_loss", random_state=0)
    ), _sgd
    yield DistilledClassifier(LogisticRegression(), Perceptron(random_state=0)), _sgd
    if MLP_HAS_SAMPLE_WEIGHT:
        # a valid configuration from scikit-learn 1.7 only; the refusal before
        # is tested by test_mlp_classifier_student_refused_before_1_7
        yield DistilledClassifier(
            LogisticRegression(),
            MLPClassifier(hidden_layer_sizes=(5,), max_iter=300, random_state=0),
        ), {}
    # Pipeline students
    yield DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        make_pipeline(StandardScaler(), LogisticRegression()),
    ), {
        "check_sample_weight_equivalence_on_dense_data": _FOREST_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _FOREST_WEIGHTS,
    }
    yield DistilledClassifier(
        LogisticRegression(),
        make_pipeline(StandardScaler(), DecisionTreeClassifier(max_depth=3, random_state=0)),
        alpha=0.7,
    ), {
        "check_sample_weight_equivalence_on_dense_data": _SCALER_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _SCALER_WEIGHTS,
    }
    yield from _boosting_teachers()

    yield DistilledRegressor(
        RandomForestRegressor(n_estimators=10, random_state=0), Ridge(alpha=1e-3)
    ), {
        "check_sample_weight_equivalence_on_dense_data": _FOREST_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _FOREST_WEIGHTS,
    }
    yield DistilledRegressor(LinearRegression(), Ridge(alpha=1e-3), alpha=0.7), {}
    yield DistilledRegressor(LinearRegression(), SGDRegressor(random_state=0)), {
        "check_sample_weight_equivalence_on_dense_data": _SGD_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _SGD_WEIGHTS,
    }
    yield DistilledRegressor(
        LinearRegression(),
        MLPRegressor(hidden_layer_sizes=(20,), max_iter=1000, random_state=0),
    ), (
        {}
        if MLP_HAS_SAMPLE_WEIGHT
        else {
            check: _MLP_WEIGHTS
            for check in (
                "check_sample_weights_pandas_series",
                "check_sample_weights_not_an_array",
                "check_sample_weights_list",
                "check_sample_weights_shape",
                "check_sample_weights_not_overwritten",
                "check_sample_weight_equivalence_on_dense_data",
            )
        }
    )
    yield DistilledRegressor(
        LinearRegression(), make_pipeline(StandardScaler(), Ridge(alpha=1e-3))
    ), {
        "check_sample_weight_equivalence_on_dense_data": _SCALER_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _SCALER_WEIGHTS,
    }
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


def test_mlp_classifier_student_refused_before_1_7():
    # MLPClassifier.fit takes sample_weight from scikit-learn 1.7: before, the
    # distiller refuses it as a student with a TypeError naming the student;
    # from 1.7 it is a valid student (checked above by the estimator checks).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    y = np.arange(30) % 2
    model = DistilledClassifier(
        LogisticRegression(),
        MLPClassifier(hidden_layer_sizes=(5,), max_iter=300, random_state=0),
    )
    if MLP_HAS_SAMPLE_WEIGHT:
        assert model.fit(X, y).predict_proba(X).shape == (30, 2)
    else:
        with pytest.raises(TypeError, match="student MLPClassifier.*sample_weight"):
            model.fit(X, y)
