"""skdistill.io: compressed skops files, loaded without a hand-written trust list."""

import copy
import errno
import os
import pickle
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.fixes import parse_version
from sklearn.utils.validation import has_fit_parameter

from skdistill import (
    DistillationSearchCV,
    DistilledClassifier,
    DistilledRegressor,
    SparsifyTransformer,
    quantize,
)
from skdistill.linear_model import SoftLogisticRegression
from skdistill import io as skdistill_io
from skdistill.io import dump, dumps, load, loads, prediction_model, trusted_types
from skdistill.metrics import serialized_size

sio = pytest.importorskip("skops.io")


# skops names the arrays in its archive after object ids, so two archives of
# one model can differ by a few bytes.
NAME_SLACK = 32


class CustomScaler(StandardScaler):
    """A type defined outside skdistill and scikit-learn: not trusted."""


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _forest():
    return RandomForestClassifier(n_estimators=10, random_state=0)


def _schema(data):
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        return archive.read("schema.json").decode()


def _outputs(model, X):
    return {
        m: getattr(model, m)(X)
        for m in ("predict", "predict_proba", "decision_function")
        if hasattr(model, m)
    }


# MLPClassifier.fit takes sample_weight from scikit-learn 1.7, which a
# classifier student fitted on soft targets needs; before, the MLP student is
# an MLPRegressor (the regression path), which holds the same optimizer state.
_MLP_STUDENT = (
    MLPClassifier
    if parse_version(parse_version(sklearn.__version__).base_version)
    >= parse_version("1.7")
    else MLPRegressor
)

MODELS = {
    "distilled-forest-logistic": lambda X, y: DistilledClassifier(
        _forest(), LogisticRegression(max_iter=1000)
    ).fit(X, y),
    "distilled-svm-tree-student": lambda X, y: DistilledClassifier(
        SVC(), RandomForestClassifier(n_estimators=3, random_state=0)
    ).fit(X, y),
    "distilled-knn-mlp": lambda X, y: DistilledClassifier(
        KNeighborsClassifier(), _MLP_STUDENT(max_iter=50, random_state=0)
    ).fit(X, y),
    "distilled-regressor": lambda X, y: DistilledRegressor(
        RandomForestRegressor(n_estimators=5, random_state=0), Ridge()
    ).fit(X, X[:, 0] + y),
    "sparsify": lambda X, y: SparsifyTransformer(
        DistilledClassifier(_forest(), LogisticRegression(max_iter=1000)), sparsity=0.5
    ).fit(X, y),
    "quantized": lambda X, y: quantize(
        LogisticRegression(max_iter=1000).fit(X, y), n_bits=4
    ),
    "pipeline": lambda X, y: make_pipeline(
        StandardScaler(), DistilledClassifier(SVC(), LogisticRegression())
    ).fit(X, y),
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", list(MODELS))
def test_round_trip_is_exact_without_a_trust_list(name, tmp_path):
    X, y = _iris()
    model = MODELS[name](X, y)
    path = tmp_path / "model.skops"
    dump(model, path)
    loaded = load(path)
    assert type(loaded) is type(model)
    expected, got = _outputs(model, X), _outputs(loaded, X)
    assert sorted(got) == sorted(expected) and "predict" in got
    for method in expected:
        np.testing.assert_array_equal(got[method], expected[method], err_msg=method)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", list(MODELS))
def test_the_same_model_gives_the_same_bytes(name):
    # skops writes object ids (memory addresses), the time, and the unwritten
    # padding of a tree's node records; the archive does not depend on them,
    # so its size is a property of the fitted model
    X, y = _iris()
    model = MODELS[name](X, y)
    first = dumps(model)
    assert dumps(model) == first
    assert dumps(MODELS[name](X, y)) == first  # a second, identical fit
    # nor on which equal values are one Python object, which a pickle round
    # trip (a joblib worker's copy) changes
    assert dumps(pickle.loads(pickle.dumps(model))) == first
    with zipfile.ZipFile(__import__("io").BytesIO(first)) as archive:
        infos = archive.infolist()
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        names = [i.filename for i in infos]
        schema = archive.read("schema.json").decode()
    arrays = [n for n in names if n != "schema.json"]
    assert "schema.json" in names and all(n.endswith(".npy") for n in arrays)
    # every array file is named in the schema, by its new number
    assert all(f'"{n}"' in schema for n in arrays)
    assert max(int(n.removesuffix(".npy")) for n in arrays) < schema.count("__id__")


def test_files_are_compressed():
    X, y = _digits()
    model = DistilledClassifier(SVC(), LogisticRegression(max_iter=1000)).fit(X, y)
    data = dumps(model)
    assert len(data) < len(sio.dumps(model)) / 2
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}


def test_unknown_types_are_refused_unless_trusted(tmp_path):
    X, y = _iris()
    model = make_pipeline(CustomScaler(), LogisticRegression()).fit(X, y)
    path = tmp_path / "custom.skops"
    dump(model, path)
    name = f"{CustomScaler.__module__}.CustomScaler"
    with pytest.raises(TypeError, match="does not trust") as exc:
        load(path)
    assert name in str(exc.value)
    loaded = load(path, trusted=[name])
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with pytest.raises(TypeError, match="does not trust"):
        loads(path.read_bytes())
    # one name as a string, as skops takes it (not its characters)
    loaded = loads(path.read_bytes(), trusted=name)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    # skops no longer trusts everything with True: a clear error, not a bare one
    with pytest.raises(TypeError, match="trusted must be a list of type names"):
        load(path, trusted=True)


def test_trusted_types_are_only_known_data_types():
    names = trusted_types()
    assert "skdistill._classifier.DistilledClassifier" in names
    assert all(
        n.startswith(("skdistill.", "sklearn.", "numpy.", "scipy.sparse."))
        or n == "functools.partial"  # only around a trusted function
        # scikit-learn's Cython losses, which some builds name by their
        # extension's bare module (1.6.1's wheels: "_loss")
        or n.startswith("_loss.Cy")
        for n in names
    )
    assert not any("function" in n or "builtins" in n for n in names)


def test_a_multiclass_gradient_boosting_teacher_loads_without_a_trust_list():
    # it holds a Cython loss, which skops names by the type's __module__:
    # "_loss.CyHalfMultinomialLoss" on scikit-learn 1.6.1's wheels, where
    # load refused the file dump had written
    pytest.importorskip("skops.io")
    from sklearn.ensemble import GradientBoostingClassifier

    X, y = make_classification(
        n_samples=200, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    teacher = GradientBoostingClassifier(n_estimators=5, random_state=0)
    model = DistilledClassifier(teacher, LogisticRegression()).fit(X, y)
    loaded = loads(dumps(model))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(
        loaded.teacher_.predict_proba(X), model.teacher_.predict_proba(X)
    )


def test_categorical_histogram_boosting_loads_without_a_trust_list():
    # its preprocessor holds functools.partial(check_array, ...)
    if parse_version(np.__version__) < parse_version("1.25"):
        pytest.skip("skops saves HistGradientBoosting's Generator from NumPy 1.25")
    pd = pytest.importorskip("pandas")
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = load_iris(return_X_y=True, as_frame=True)
    X["kind"] = pd.Categorical(np.array(["a", "b", "c"])[np.arange(len(y)) % 3])
    teacher = HistGradientBoostingClassifier(
        max_iter=5, categorical_features="from_dtype"
    )
    model = DistilledClassifier(teacher, teacher).fit(X, y)
    loaded = loads(dumps(model))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    # a partial around an untrusted function is still refused
    import functools

    with pytest.raises(TypeError, match="does not trust"):
        loads(dumps(functools.partial(print, "x")))


def test_prediction_only_drops_the_teacher():
    X, y = _digits()
    model = make_pipeline(
        StandardScaler(), DistilledClassifier(SVC(), LogisticRegression(max_iter=1000))
    ).fit(X, y)
    full, small = dumps(model), dumps(model, prediction_only=True)
    assert "SVC" in _schema(full)
    assert "SVC" not in _schema(small)
    assert len(small) * 5 < len(full)
    loaded = loads(small)
    assert type(loaded[-1]) is LogisticRegression
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_prediction_only_drops_the_teacher_of_a_pruned_distiller_selecting_columns():
    from sklearn.compose import make_column_transformer
    from sklearn.tree import DecisionTreeClassifier

    X, y = _digits()

    def selector():
        student = LogisticRegression(max_iter=1000)
        teacher = RandomForestClassifier(n_estimators=20, random_state=0)
        return SparsifyTransformer(DistilledClassifier(teacher, student), sparsity=0.8)

    from sklearn.feature_selection import RFE, SelectFromModel

    def distiller():
        teacher = RandomForestClassifier(n_estimators=20, random_state=0)
        return DistilledClassifier(teacher, LogisticRegression(max_iter=1000))

    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    last_coef = "named_steps.distilledclassifier.student_.coef_"
    frozen = FrozenEstimator(selector().fit(X, y))
    # a selector step; one within a ColumnTransformer, and within a Pipeline
    # that ends the ColumnTransformer's part (not reduced to its predictor);
    # a prefit one (frozen: its model was taken for the step); scikit-learn's
    # selectors fitting a distiller (which keep it, without its teacher)
    for model in (
        make_pipeline(StandardScaler(), selector(), tree),
        make_pipeline(make_column_transformer((selector(), slice(0, 64))), tree),
        make_pipeline(
            make_column_transformer((make_pipeline(StandardScaler(), selector()),
                                     slice(0, 64))),
            tree,
        ),
        make_pipeline(frozen, tree),
        make_pipeline(SelectFromModel(distiller(), importance_getter="student_.coef_"),
                      tree),
        make_pipeline(
            RFE(distiller(), n_features_to_select=20,
                importance_getter="student_.coef_"),
            tree,
        ),
        make_pipeline(  # a frozen distiller, fitted before
            SelectFromModel(FrozenEstimator(distiller().fit(X, y)),
                            importance_getter="estimator.student_.coef_"),
            tree,
        ),
        make_pipeline(  # selectors fitting a Pipeline that ends in a distiller
            SelectFromModel(make_pipeline(StandardScaler(), distiller()),
                            importance_getter=last_coef),
            tree,
        ),
        make_pipeline(
            RFE(make_pipeline(StandardScaler(), distiller()),
                n_features_to_select=20, importance_getter=last_coef),
            tree,
        ),
    ):
        model.fit(X, y)
        full, small = dumps(model), dumps(model, prediction_only=True)
        # the fitted forest's trees and the distiller's fitted teacher are
        # not shipped (an unfitted one in its parameters is)
        for fitted in ("estimators_", "teacher_"):
            assert f'"{fitted}"' in _schema(full)
            assert f'"{fitted}"' not in _schema(small)
        assert len(small) * 5 < len(full)
        loaded = loads(small)
        np.testing.assert_array_equal(loaded[:-1].transform(X), model[:-1].transform(X))
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
        assert '"teacher_"' in _schema(dumps(model))  # untouched


def test_prediction_model_keeps_a_distiller_with_a_regressor_student():
    X, y = _iris()
    model = DistilledClassifier(FrozenEstimator(_forest().fit(X, y)), Ridge()).fit(X, y)
    small = prediction_model(model)
    assert isinstance(small, DistilledClassifier)
    assert not hasattr(small, "teacher_")
    assert not isinstance(small.teacher, FrozenEstimator)  # no fitted teacher
    assert hasattr(model, "teacher_")  # the model itself is untouched
    np.testing.assert_array_equal(small.predict(X), model.predict(X))
    # fitted trees are in the model's file, not in the small one's (read from
    # the file's schema: skops 0.11 trusts sklearn.tree._tree.Tree by default,
    # so get_untrusted_types does not list it there, while skops >= 0.16 does)
    fitted_tree = "sklearn.tree._tree"
    assert fitted_tree in _schema(dumps(model))
    assert fitted_tree not in _schema(dumps(small))



# MLPClassifier.fit takes sample_weight (the row-repetition path) from
# scikit-learn 1.7
MLP_CLASSIFIER_STUDENT = has_fit_parameter(MLPClassifier(), "sample_weight")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "kind", ["classifier", "early_stopping", "regressor", "regressor_student"]
)
def test_prediction_model_drops_what_only_trains_a_network(kind):
    if kind in ("classifier", "early_stopping") and not MLP_CLASSIFIER_STUDENT:
        pytest.skip("MLPClassifier.fit has no sample_weight")
    X, y = _digits()
    forest = RandomForestClassifier(n_estimators=5, random_state=0)
    if kind == "regressor":
        y = y.astype(float)
        forest = RandomForestRegressor(n_estimators=5, random_state=0)
        distiller, mlp = DistilledRegressor, MLPRegressor(hidden_layer_sizes=(8,))
    elif kind == "regressor_student":  # logits of a classifier: the distiller ships
        distiller, mlp = DistilledClassifier, MLPRegressor(hidden_layer_sizes=(8,))
    else:
        distiller = DistilledClassifier
        mlp = MLPClassifier(
            hidden_layer_sizes=(8,), early_stopping=kind == "early_stopping"
        )
    mlp.set_params(max_iter=30, random_state=0)
    teacher = FrozenEstimator(forest.fit(X, y))
    # (early stopping on repeated rows is refused: at alpha=0, none is)
    params = {"alpha": 0.0} if kind == "early_stopping" else {}
    model = make_pipeline(StandardScaler(), distiller(teacher, mlp, **params))
    model.fit(X, y)
    network = model[-1].student_
    small = prediction_model(model)
    shipped = small[-1] if kind != "regressor_student" else small[-1].student_
    assert shipped is not network
    for name in ("_optimizer", "_random_state"):
        assert hasattr(network, name)  # the fitted model is untouched
        assert not hasattr(shipped, name)
    assert shipped.loss_curve_ == [] and len(network.loss_curve_) > 0
    assert shipped.coefs_ is network.coefs_
    data = dumps(model, prediction_only=True)
    assert len(data) * 2 < len(dumps(network))
    loaded = loads(data)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    if kind != "regressor":
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    if kind != "regressor_student":
        # a warm start of the shipped network starts a new solver
        net = loaded[-1].set_params(warm_start=True, max_iter=2)
        net.fit(loaded[0].transform(X), y)
        assert len(net.loss_curve_) == 2

@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", ["classifier", "regressor", "regressor_student"])
def test_an_lbfgs_network_ships_and_is_searched(kind):
    # lbfgs networks have no validation_scores_ (the stochastic solvers'
    # attribute): their prediction-only file, and a search's sizes, failed
    if kind == "classifier" and not MLP_CLASSIFIER_STUDENT:
        pytest.skip("MLPClassifier.fit has no sample_weight")
    X, y = _digits()
    forest = RandomForestClassifier(n_estimators=5, random_state=0)
    distiller, mlp = DistilledClassifier, MLPRegressor(hidden_layer_sizes=(8,))
    if kind == "classifier":
        mlp = MLPClassifier(hidden_layer_sizes=(8,))
    elif kind == "regressor":
        y = y.astype(float)
        forest = RandomForestRegressor(n_estimators=5, random_state=0)
        distiller = DistilledRegressor
    mlp.set_params(solver="lbfgs", max_iter=30, random_state=0)
    model = distiller(forest, mlp).fit(X, y)
    assert not hasattr(model.student_, "validation_scores_")
    loaded = loads(dumps(model, prediction_only=True))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    search = DistillationSearchCV(forest, {"student": [mlp]}, cv=2).fit(X, y)
    assert search.cv_results_["student_bytes"][0] > 0


def test_a_streamed_student_loads_back_and_streams_on():
    X, y = _digits()
    teacher = FrozenEstimator(RandomForestClassifier(5, random_state=0).fit(X, y))
    model = DistilledClassifier(teacher, SoftLogisticRegression(C=0.1), alpha=0.5)
    for start in range(0, 400, 100):
        model.partial_fit(X[start : start + 100], y[start : start + 100])
    assert model.student_._stream is not None
    loaded = loads(dumps(model))  # the stream's state is data skdistill trusts
    for clf in (model, loaded):
        clf.partial_fit(X[400:500], y[400:500])
    np.testing.assert_allclose(loaded.student_.coef_, model.student_.coef_)
    # shipped without the stream's state, which only later partial_fit reads
    small = prediction_model(model)
    assert small._stream is None and model.student_._stream is not None
    assert len(dumps(model, prediction_only=True)) * 3 < len(dumps(model.student_))
    shipped = loads(dumps(model, prediction_only=True))
    np.testing.assert_array_equal(shipped.predict_proba(X), model.predict_proba(X))
    # streaming on from it starts a new stream, which it says
    with pytest.warns(UserWarning, match="saved without its stream's state"):
        shipped.partial_fit(X[500:600], y[500:600])


def test_quantize_does_not_store_the_teacher():
    X, y = _digits()
    teacher = FrozenEstimator(_forest().fit(X, y))
    model = DistilledClassifier(teacher, LogisticRegression(max_iter=1000)).fit(X, y)
    q = quantize(model, n_bits=4)
    data = dumps(q)
    assert "RandomForest" not in _schema(data)
    assert len(data) < len(dumps(model.student_))
    assert len(pickle.dumps(q)) < len(pickle.dumps(model.student_))
    np.testing.assert_array_equal(loads(data).predict(X), q.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kept", [0.01, 0.05, 0.3])
def test_mostly_zero_coefficients_are_stored_in_the_smaller_form(kept):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((50, 20000))
    y = rng.randint(0, 2, 50)
    model = LogisticRegression(max_iter=5).fit(X, y)
    model.coef_ = np.where(rng.rand(*model.coef_.shape) < kept, model.coef_, 0.0)
    # the two forms as dumps writes them (ids renumbered, fixed dates)
    dense_size = len(skdistill_io._zip_dumps(sio, model, 9))
    csr = copy.deepcopy(model)
    csr.coef_ = sp.csr_matrix(csr.coef_)
    sparse_size = len(skdistill_io._zip_dumps(sio, csr, 9))
    data = dumps(model)
    assert dumps(copy.deepcopy(model)) == data  # reproducible, CSR form included
    assert len(data) <= min(dense_size, sparse_size) + NAME_SLACK
    loaded = loads(data)
    if abs(sparse_size - dense_size) > 2 * NAME_SLACK:
        assert sp.issparse(loaded.coef_) == (sparse_size < dense_size)
    assert not sp.issparse(model.coef_)  # the model itself is untouched
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_allclose(
        loaded.predict_proba(X), model.predict_proba(X), rtol=1e-12, atol=1e-12
    )


def test_dense_coefficients_stay_dense_when_smaller():
    X, y = _iris()
    model = LogisticRegression().fit(X, y)
    loaded = loads(dumps(model))
    assert not sp.issparse(loaded.coef_)


def test_serialized_size_reports_what_dump_writes():
    X, y = _digits()
    dense = DistilledClassifier(SVC(), LogisticRegression(max_iter=1000)).fit(X, y)
    pruned = SparsifyTransformer(dense, sparsity=0.9).fit(X, y)
    student = pruned.estimator_.student_
    assert np.mean(student.coef_ == 0) >= 0.89
    assert abs(serialized_size(student) - len(dumps(student))) <= NAME_SLACK
    assert serialized_size(student) < 0.7 * serialized_size(dense.student_)
    assert serialized_size(student, method="pickle") == len(
        pickle.dumps(student, protocol=5)
    )
    with pytest.raises(ValueError, match="method must be one of"):
        serialized_size(student, method="zip")


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    X, y = _iris()
    model = LogisticRegression().fit(X, y)
    path = tmp_path / "model.skops"
    dump(model, path)
    before = path.read_bytes()

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        dump(LogisticRegression(C=0.01).fit(X, y), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.skops"]


def test_dump_keeps_the_file_mode_of_a_new_file(tmp_path):
    X, y = _iris()
    path = tmp_path / "model.skops"
    dump(LogisticRegression().fit(X, y), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_dump_refuses_a_folder_and_a_bad_level(tmp_path):
    X, y = _iris()
    model = LogisticRegression().fit(X, y)
    with pytest.raises(IsADirectoryError):
        dump(model, tmp_path)
    for level in (10, 5.5, None, True):
        with pytest.raises(ValueError, match="compresslevel"):
            dumps(model, compresslevel=level)
    assert loads(dumps(model, compresslevel=np.int64(5))).coef_.shape == (3, 4)


def test_hist_gradient_boosting_needs_numpy_1_25_for_skops():
    # a fitted HistGradientBoosting holds a numpy random Generator, which
    # skops saves through bit_generator.seed_seq: NumPy has it from 1.25.
    # Before, dumps raises a clear error and compression_report measures
    # every model as a pickle; from 1.25 the file round-trips.
    from sklearn.ensemble import HistGradientBoostingClassifier

    from skdistill.metrics import compression_report

    X, y = _iris()
    model = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, y)
    student = LogisticRegression(max_iter=1000).fit(X, y)
    numpy_version = parse_version(parse_version(np.__version__).base_version)
    report = compression_report({"hgb": model, "lr": student}, X, y, n_repeats=1)
    if numpy_version >= parse_version("1.25"):
        np.testing.assert_array_equal(loads(dumps(model)).predict(X), model.predict(X))
        # file names in the archive hold object ids, of varying length
        assert abs(report["lr"]["bytes"] - len(dumps(student))) <= NAME_SLACK
    else:
        with pytest.raises(RuntimeError, match="NumPy < 1.25"):
            dumps(model)
        assert report["lr"]["bytes"] == len(pickle.dumps(student, protocol=5))
        assert report["hgb"]["bytes"] == len(pickle.dumps(model, protocol=5))


def test_a_teacher_fitted_on_coded_labels_loads_with_its_own_types_trusted():
    xgb = pytest.importorskip("xgboost")
    X, y = _iris()
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = DistilledClassifier(
        xgb.XGBClassifier(n_estimators=3, n_jobs=1), LogisticRegression(max_iter=1000)
    ).fit(X, labels)
    untrusted = sio.get_untrusted_types(data=dumps(model))
    xgboost_types = [t for t in untrusted if t.startswith("xgboost.")]
    # the coded-label wrapper is skdistill's own: only xgboost's types remain
    assert xgboost_types and set(untrusted) - set(trusted_types()) == set(
        xgboost_types
    )
    loaded = loads(dumps(model), trusted=xgboost_types)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.teacher_.predict(X), model.teacher_.predict(X))


def test_prediction_only_reduces_a_search_to_its_best_student():
    X, y = _iris()
    search = DistillationSearchCV(
        RandomForestClassifier(n_estimators=5, random_state=0),
        {"student": [LogisticRegression(max_iter=1000)], "alpha": [0.5, 0.9]},
        cv=2,
    ).fit(X, y)
    small = loads(dumps(search, prediction_only=True))
    assert type(small) is LogisticRegression
    np.testing.assert_array_equal(small.predict_proba(X), search.predict_proba(X))


def test_a_column_selector_loads_without_a_trust_list(tmp_path):
    # make_column_selector holds a pattern and dtypes only
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_selector, make_column_transformer

    X, y = _iris()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = make_pipeline(
        make_column_transformer(
            (StandardScaler(), make_column_selector(dtype_include=np.number))
        ),
        LogisticRegression(max_iter=1000),
    ).fit(frame, y)
    path = tmp_path / "model.skops"
    dump(model, path)
    np.testing.assert_array_equal(
        load(path).predict_proba(frame), model.predict_proba(frame)
    )


def test_models_with_metadata_requests_are_saved_without_them():
    # with scikit-learn >= 1.8 a request refers to its estimator, a cycle that
    # skops follows without end; the requests of fitted inner copies (a
    # ColumnTransformer's transformers_) count too
    from sklearn.compose import ColumnTransformer

    X, y = _iris()
    with sklearn.config_context(enable_metadata_routing=True):
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        student = make_pipeline(
            ColumnTransformer([("scale", scaler, [0, 1, 2, 3])]),
            LogisticRegression(max_iter=500).set_fit_request(sample_weight=True),
        )
        clf = DistilledClassifier(
            _forest().set_fit_request(sample_weight=True), student
        ).fit(X, y, sample_weight=np.ones(len(y)))
    before = pickle.dumps(clf)
    for prediction_only in (False, True):
        loaded = loads(dumps(clf, prediction_only=prediction_only))
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert pickle.dumps(clf) == before  # the model keeps its requests
    assert clf.student_[-1]._get_metadata_request().fit.requests == {
        "sample_weight": True
    }


def test_requests_of_splitters_scorers_and_searched_students_are_not_saved():
    from sklearn.metrics import accuracy_score, make_scorer
    from sklearn.model_selection import GroupKFold

    from skdistill import DistillationSearchCV

    X, y = _iris()
    groups = np.arange(len(y)) % 10
    with sklearn.config_context(enable_metadata_routing=True):
        clf = DistilledClassifier(
            LogisticRegression(max_iter=500), LogisticRegression(max_iter=500),
            teacher_cv=GroupKFold(3).set_split_request(groups=True),
        ).fit(X, y, groups=groups)
        student = LogisticRegression(max_iter=500).set_fit_request(
            sample_weight=False
        )
        search = DistillationSearchCV(
            LogisticRegression(max_iter=500).set_fit_request(sample_weight=False),
            {"student": [student], "alpha": [0.5]},
            cv=3,
            scoring=make_scorer(accuracy_score).set_score_request(sample_weight=True),
        ).fit(X, y, sample_weight=np.ones(len(y)))
    # a distiller with a splitter as teacher_cv loads without a trust list
    np.testing.assert_array_equal(loads(dumps(clf)).predict(X), clf.predict(X))
    data = dumps(search)
    loaded = loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(loaded.predict(X), search.predict(X))
    # the caller's objects keep their requests
    assert student._get_metadata_request().fit.requests == {"sample_weight": False}
    assert clf.teacher_cv._get_metadata_request().split.requests == {"groups": True}


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_search_with_its_default_scorer_loads_without_a_trust_list(task):
    from skdistill import DistillationSearchCV

    if task == "classification":
        X, y = _iris()
        teacher, student = _forest(), LogisticRegression(max_iter=500)
    else:
        X, y = load_iris(return_X_y=True)
        X, y = X[:, :3], X[:, 3]
        teacher, student = RandomForestRegressor(10, random_state=0), Ridge()
    search = DistillationSearchCV(teacher, {"student": [student]}, cv=2).fit(X, y)
    loaded = loads(dumps(search))
    np.testing.assert_allclose(loaded.predict(X), search.predict(X))
    assert loaded.score(X, y) == pytest.approx(search.score(X, y))


def test_a_pandas_na_marker_is_saved_as_nan():
    # skops stores pd.NA but cannot load it; NaN marks the same rows
    pd = pytest.importorskip("pandas")
    X, y = _iris()
    labels = pd.Series(np.array(["a", "b", "c"], dtype=object)[y], dtype=object)
    labels[::4] = pd.NA
    clf = DistilledClassifier(
        LogisticRegression(max_iter=500), LogisticRegression(max_iter=500),
        unlabeled=pd.NA,
    ).fit(X, labels)
    data = dumps(clf)
    loaded = loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert np.isnan(loaded.unlabeled) and clf.unlabeled is pd.NA
    refitted = clone(loaded).fit(X, labels)
    np.testing.assert_allclose(refitted.predict_proba(X), clf.predict_proba(X))


def test_a_model_holding_memory_maps_saves_as_plain_arrays(tmp_path):
    # joblib.load(..., mmap_mode="r") gives memory maps, which skops recorded
    # as numpy.memmap and could not load back (untrusted, then a TypeError)
    import joblib

    X, y = load_iris(return_X_y=True)
    model = DistilledClassifier(
        RandomForestClassifier(n_estimators=5, random_state=0), LogisticRegression()
    ).fit(X, y)
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    mapped = joblib.load(path, mmap_mode="r")
    assert isinstance(mapped.student_.coef_, np.memmap)
    for prediction_only in (True, False):
        loaded = loads(dumps(mapped, prediction_only=prediction_only))
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert isinstance(mapped.student_.coef_, np.memmap)  # the model is left as is


def test_prediction_model_reduces_a_target_transformer_and_a_search(tmp_path):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.model_selection import GridSearchCV

    X, y = load_iris(return_X_y=True)
    # a network inside a TransformedTargetRegressor kept its solver's state
    wrapped = TransformedTargetRegressor(
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, random_state=0),
        transformer=StandardScaler(),
    ).fit(X, X[:, 0])
    small = prediction_model(wrapped)
    assert not hasattr(small.regressor_, "_optimizer")
    assert hasattr(wrapped.regressor_, "_optimizer")  # not modified
    np.testing.assert_array_equal(small.predict(X), wrapped.predict(X))
    assert serialized_size(small) < serialized_size(wrapped) / 3
    # a GridSearchCV over a distiller shipped its fitted teacher
    search = GridSearchCV(
        DistilledClassifier(
            RandomForestClassifier(n_estimators=10, random_state=0),
            LogisticRegression(max_iter=500),
        ),
        {"alpha": [0.5, 0.9]},
        cv=2,
    ).fit(X, y)
    small = prediction_model(search)
    np.testing.assert_array_equal(small.predict_proba(X), search.predict_proba(X))
    assert isinstance(small, LogisticRegression)
    dump(search, tmp_path / "search.skops", prediction_only=True)
    assert isinstance(load(tmp_path / "search.skops"), LogisticRegression)


def test_dump_into_a_missing_folder_names_the_path(tmp_path):
    path = tmp_path / "no_such_folder" / "model.skops"
    model = LogisticRegression().fit(*load_iris(return_X_y=True))
    with pytest.raises(FileNotFoundError) as exc:
        dump(model, path)
    assert exc.value.filename == str(path) and exc.value.errno == errno.ENOENT
    assert not (tmp_path / "no_such_folder").exists()


def test_a_file_of_another_scikit_learn_names_both_versions(tmp_path, monkeypatch):
    # a model of another version that this one cannot build (a class it no
    # longer has): the error says which versions
    import json

    skops_io = pytest.importorskip("skops.io")
    path = tmp_path / "model.skops"
    dump(LogisticRegression().fit(*load_iris(return_X_y=True)), path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(files["schema.json"])
    schema["content"]["content"]["_sklearn_version"]["content"] = '"0.24.2"'
    files["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)

    def fails(*args, **kwargs):
        raise AttributeError("module 'sklearn' has no attribute '_Gone'")

    monkeypatch.setattr(skops_io, "load", fails)
    monkeypatch.setattr(skops_io, "loads", fails)
    expected = (
        "saved with scikit-learn 0.24.2, and this is scikit-learn "
        + sklearn.__version__
    )
    with pytest.raises(AttributeError, match=expected):
        load(path)
    with pytest.raises(AttributeError, match=expected):
        loads(path.read_bytes())
    # a file of this version: the error as it is
    dump(LogisticRegression().fit(*load_iris(return_X_y=True)), path)
    with pytest.raises(AttributeError) as exc:
        load(path)
    assert str(exc.value) == "module 'sklearn' has no attribute '_Gone'"
