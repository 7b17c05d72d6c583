"""polars DataFrames as X: handed through, and read by the transfer-set generators."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skdistill import DistilledClassifier, SparsifyTransformer, gaussian_noise, munge

pl = pytest.importorskip("polars")


def _reads_polars_names():
    """Whether this scikit-learn records a polars frame's column names (1.6
    does not with polars 2)."""
    frame = pl.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
    return hasattr(LogisticRegression().fit(frame, [0, 1, 0, 1]), "feature_names_in_")


needs_names = pytest.mark.skipif(
    not _reads_polars_names(),
    reason="this scikit-learn does not read the column names of a polars frame",
)


@pytest.fixture
def mixed():
    """A polars frame of an integer, a float32, a boolean, a categorical and
    a string column, its pandas twin (when pandas is there), and labels."""
    rng = np.random.RandomState(0)
    n = 80
    columns = {
        "count": rng.randint(0, 50, n),
        "size": rng.normal(size=n).astype(np.float32),
        "flag": rng.rand(n) < 0.5,
        "colour": rng.choice(["red", "green", "blue"], n),
        "city": rng.choice(["a", "b"], n),
    }
    frame = pl.DataFrame(columns).with_columns(pl.col("colour").cast(pl.Categorical))
    y = (columns["count"] > 25).astype(int) ^ columns["flag"]
    return frame, columns, y


@pytest.mark.parametrize("generator", [munge, gaussian_noise])
def test_generators_keep_a_polars_frame_and_its_dtypes(mixed, generator):
    frame, columns, _ = mixed
    out = generator(
        frame, n_samples=200, categorical_features=["colour", "city"], random_state=0
    )
    assert isinstance(out, pl.DataFrame)
    assert out.columns == frame.columns
    assert out.shape == (200, 5)
    # integers become floats (values between two integers), float32 stays
    assert out.schema["count"] == pl.Float64
    assert out.schema["size"] == pl.Float32
    # a boolean, a categorical and a listed string column are copied values
    assert out.schema["flag"] == pl.Boolean
    assert out.schema["colour"] == frame.schema["colour"]
    assert out.schema["city"] == pl.String
    assert set(out["colour"].to_list()) <= set(columns["colour"])
    assert set(out["city"].to_list()) <= {"a", "b"}
    assert out["flag"].null_count() == 0


@pytest.mark.parametrize("generator", [munge, gaussian_noise])
def test_generators_give_the_same_rows_for_polars_as_for_pandas(mixed, generator):
    pd = pytest.importorskip("pandas")
    frame, columns, _ = mixed
    twin = pd.DataFrame(columns).astype({"colour": "category"})
    kwargs = dict(n_samples=150, categorical_features=["colour", "city"])
    out = generator(frame, random_state=3, **kwargs)
    ref = generator(twin, random_state=3, **kwargs)
    for name in ("count", "size"):
        assert_allclose(out[name].to_numpy(), ref[name].to_numpy())
    for name in ("flag", "colour", "city"):
        assert out[name].to_list() == ref[name].tolist()


def test_from_dtype_reads_polars_categorical_enum_and_boolean(mixed):
    frame, columns, _ = mixed
    frame = frame.drop("city").with_columns(
        pl.col("colour").cast(pl.String).cast(pl.Enum(["blue", "green", "red"]))
    )
    out = munge(frame, n_samples=300, random_state=0)  # "from_dtype" by default
    assert out.schema["colour"] == frame.schema["colour"]
    assert set(np.unique(out["flag"].to_numpy())) <= {False, True}
    # the continuous columns are redrawn, the categorical ones copied
    assert not np.isin(out["count"].to_numpy(), columns["count"]).all()


def test_generators_refuse_an_unlisted_string_column_and_nulls(mixed):
    frame, _, _ = mixed
    with pytest.raises(ValueError, match="Column 'city' of X has non-numeric dtype"):
        munge(frame, n_samples=10, random_state=0)
    with_null = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(None)
        .otherwise(pl.col("colour"))
        .alias("colour")
    )
    with pytest.raises(ValueError, match="NaN in a categorical column"):
        munge(
            with_null, n_samples=10, categorical_features=["colour", "city"],
            random_state=0,
        )


@needs_names
def test_auto_augment_on_polars_with_a_pipeline_choosing_columns_by_name():
    X, y = make_classification(n_samples=150, n_features=4, random_state=0)
    names = ["age", "income", "a", "b"]
    frame = pl.DataFrame(X, schema=names)

    def model(last):
        columns = make_column_transformer((StandardScaler(), ["age", "income"]))
        return make_pipeline(columns, last)

    clf = DistilledClassifier(
        model(RandomForestClassifier(n_estimators=20, random_state=0)),
        model(DecisionTreeClassifier(max_depth=3, random_state=0)),
        random_state=0,
    ).fit(frame, y)
    assert clf.augment_ == "munge"
    assert_array_equal(clf.feature_names_in_, names)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "fitted without feature names"
        assert clf.score(frame, y) > 0.8


@needs_names
def test_generated_rows_of_polars_x_are_those_of_pandas_x():
    pd = pytest.importorskip("pandas")
    X, y = make_classification(n_samples=120, n_features=5, random_state=1)
    names = [f"f{j}" for j in range(5)]

    def fitted(frame):
        return DistilledClassifier(
            RandomForestClassifier(n_estimators=20, random_state=0),
            DecisionTreeClassifier(max_depth=4, random_state=0),
            random_state=0,
        ).fit(frame, y)

    a = fitted(pl.DataFrame(X, schema=names))
    b = fitted(pd.DataFrame(X, columns=names))
    assert a.augment_ == b.augment_ == "munge"
    assert_array_equal(a.student_.feature_names_in_, names)
    assert_allclose(
        a.predict_proba(pl.DataFrame(X, schema=names)),
        b.predict_proba(pd.DataFrame(X, columns=names)),
    )


def test_a_boolean_polars_column_is_never_a_number_between(mixed):
    frame, _, y = mixed
    frame = frame.select(["count", "size", "flag"])
    clf = DistilledClassifier(
        RandomForestClassifier(n_estimators=10, random_state=0),
        DecisionTreeClassifier(max_depth=3, random_state=0),
        augment_size=5.0,
        random_state=0,
    ).fit(frame, y)
    assert clf.augment_ == "munge"
    generated = munge(frame, n_samples=400, random_state=0)
    assert generated.schema["flag"] == pl.Boolean


def test_munge_refuses_polars_x_with_nulls_saying_so():
    X, y = make_classification(
        n_samples=60, n_features=3, n_informative=2, n_redundant=0, random_state=0
    )
    frame = pl.DataFrame(X, schema=["a", "b", "c"])
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 5).then(None).otherwise(pl.col("a")).alias("a")
    )
    model = HistGradientBoostingClassifier(max_iter=5)  # takes missing values
    clf = DistilledClassifier(model, model, augment="munge", random_state=0)
    with pytest.raises(ValueError, match="which has missing values"):
        clf.fit(frame, y)


@needs_names
def test_sparsify_fits_its_model_on_the_polars_frame():
    X, y = make_classification(n_samples=100, n_features=6, random_state=0)
    names = [f"f{j}" for j in range(6)]
    frame = pl.DataFrame(X, schema=names)
    sel = SparsifyTransformer(LogisticRegression(), sparsity=0.5).fit(frame, y)
    assert_array_equal(sel.estimator_.feature_names_in_, names)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "fitted without feature names"
        sel.predict(frame)
        sel.predict_proba(frame)
    assert_array_equal(sel.predict(frame), sel.estimator_.predict(frame))


def test_categorical_names_on_multiindex_columns_are_checked():
    pd = pytest.importorskip("pandas")
    columns = pd.MultiIndex.from_tuples([("num", "a"), ("num", "b")])
    frame = pd.DataFrame(np.arange(12.0).reshape(6, 2), columns=columns)
    with pytest.raises(ValueError, match=r"names \['c'\] are not columns of X"):
        munge(frame, n_samples=4, categorical_features=["c"], random_state=0)


def test_generated_rows_of_a_text_series_stay_a_series():
    pd = pytest.importorskip("pandas")
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import FunctionTransformer

    texts = pd.Series(["Good day", "bad night", "fine DAY", "so so"] * 10)
    y = np.array([1, 0, 1, 0] * 10)
    seen = []

    def lower(s):
        seen.append(type(s))
        return s.str.lower()

    def resample(X, n_samples, random_state):
        return X.sample(n_samples, replace=True, random_state=random_state)

    student = make_pipeline(
        FunctionTransformer(lower), CountVectorizer(), LogisticRegression()
    )
    clf = DistilledClassifier(
        make_pipeline(CountVectorizer(), LogisticRegression()), student,
        augment=resample, random_state=0,
    ).fit(texts, y)
    assert clf.score(texts, y) == 1.0
    assert all(kind is pd.Series for kind in seen)
