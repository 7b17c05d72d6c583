"""Tests for the transfer-set generators."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.special import ndtri
from sklearn.neighbors import NearestNeighbors

from skdistill._transfer import _open_interval, gaussian_noise, munge

GENERATORS = [munge, gaussian_noise]


@pytest.fixture
def X_mixed():
    """Three continuous columns on different scales and an integer category."""
    rng = np.random.RandomState(0)
    n = 300
    X = np.column_stack(
        [
            rng.randn(n),
            10 * rng.randn(n),
            rng.uniform(0, 1, n),
            rng.choice([10.0, 20.0, 30.0], n),
        ]
    )
    return X


@pytest.fixture
def df_mixed():
    rng = np.random.RandomState(0)
    n = 200
    return pd.DataFrame(
        {
            "x": rng.randn(n),
            "colour": pd.Categorical(
                rng.choice(["red", "green", "blue"], n),
                categories=["red", "green", "blue", "unused"],
            ),
            "count": rng.randint(0, 5, n),
            "w": rng.randn(n).astype(np.float32),
            "size": pd.Categorical(rng.choice(["S", "M", "L"], n), ordered=True),
        }
    )


def _nearest_training_distance(X_train, X_query):
    nn = NearestNeighbors(n_neighbors=1).fit(X_train)
    return nn.kneighbors(X_query)[0][:, 0]


# ----------------------------------------------------------------------------
# Output type, shape, reproducibility


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_samples", [None, 1, 7, 1000])
def test_ndarray_shape_and_dtype(generator, dtype, n_samples, X_mixed):
    X = X_mixed.astype(dtype)
    X_new = generator(X, n_samples=n_samples, random_state=0)
    assert isinstance(X_new, np.ndarray)
    assert X_new.dtype == dtype
    expected = X.shape[0] if n_samples is None else n_samples
    assert X_new.shape == (expected, X.shape[1])
    assert np.isfinite(X_new).all()


@pytest.mark.parametrize("generator", GENERATORS)
def test_integer_ndarray_becomes_float64(generator):
    X = np.random.RandomState(0).randint(0, 10, size=(30, 3))
    X_new = generator(X, n_samples=50, random_state=0)
    assert X_new.dtype == np.float64
    # All-categorical input keeps its dtype: every value is copied.
    X_cat = generator(X, n_samples=50, categorical_features=[0, 1, 2], random_state=0)
    assert X_cat.dtype == X.dtype


@pytest.mark.parametrize("generator", GENERATORS)
def test_list_input(generator):
    X = [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]
    assert generator(X, n_samples=4, random_state=0).shape == (4, 2)


@pytest.mark.parametrize("generator", GENERATORS)
def test_dataframe_columns_dtypes_categories(generator, df_mixed):
    X_new = generator(df_mixed, n_samples=333, random_state=0)
    assert isinstance(X_new, pd.DataFrame)
    assert list(X_new.columns) == list(df_mixed.columns)
    assert X_new.shape == (333, df_mixed.shape[1])
    assert isinstance(X_new.index, pd.RangeIndex)
    for name in ["colour", "size"]:  # detected by the default "from_dtype"
        assert X_new[name].dtype == df_mixed[name].dtype  # categories and order
        assert set(X_new[name]) <= set(df_mixed[name])
    assert X_new["x"].dtype == np.float64
    assert X_new["w"].dtype == np.float32
    assert X_new["count"].dtype == np.float64  # continuous integer column


@pytest.mark.parametrize("dtype", ["bool", "boolean"])
@pytest.mark.parametrize("generator", GENERATORS)
def test_dataframe_boolean_columns_are_categorical(generator, dtype):
    rng = np.random.RandomState(0)
    df = pd.DataFrame(
        {"x": rng.randn(60), "flag": (rng.rand(60) < 0.5)}
    ).astype({"flag": dtype})
    X_new = generator(df, n_samples=200, random_state=0)
    # swapped or copied, never a number between False and True
    assert X_new["flag"].dtype == df["flag"].dtype
    assert set(X_new["flag"]) == {False, True}
    assert X_new["x"].dtype == np.float64
    # the same rows as with the column marked categorical by name
    by_name = generator(df, n_samples=200, categorical_features=["flag"], random_state=0)
    pd.testing.assert_frame_equal(X_new, by_name)
    # and when a list of other columns, or None, leaves it out
    df["colour"] = pd.Categorical(rng.choice(["a", "b"], 60))
    listed = generator(
        df, n_samples=200, categorical_features=["colour"], random_state=0
    )
    assert listed["flag"].dtype == df["flag"].dtype
    assert set(listed["flag"]) <= {False, True}
    unlisted = generator(
        df.drop(columns="colour"), n_samples=200, categorical_features=None,
        random_state=0,
    )
    pd.testing.assert_frame_equal(unlisted, X_new)


@pytest.mark.parametrize("generator", GENERATORS)
def test_dataframe_object_column_by_name(generator):
    rng = np.random.RandomState(0)
    df = pd.DataFrame(
        {"x": rng.randn(40), "city": rng.choice(["Oslo", "Lima", "Pune"], 40)}
    )
    X_new = generator(df, n_samples=60, categorical_features=["city"], random_state=0)
    assert X_new["city"].dtype == df["city"].dtype
    assert set(X_new["city"]) <= {"Oslo", "Lima", "Pune"}


@pytest.mark.parametrize("generator", GENERATORS)
def test_deterministic_given_random_state(generator, X_mixed):
    a = generator(X_mixed, n_samples=500, random_state=42)
    b = generator(X_mixed, n_samples=500, random_state=42)
    c = generator(X_mixed, n_samples=500, random_state=43)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    rs = generator(X_mixed, n_samples=500, random_state=np.random.RandomState(42))
    np.testing.assert_array_equal(a, rs)


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize("chunk_size", [1, 2, 7, 64, 10_000])
def test_independent_of_chunk_size(generator, chunk_size, X_mixed):
    kwargs = dict(n_samples=1001, categorical_features=[3], random_state=0)
    reference = generator(X_mixed, chunk_size=4096, **kwargs)
    X_new = generator(X_mixed, chunk_size=chunk_size, **kwargs)
    np.testing.assert_array_equal(X_new, reference)


@pytest.mark.parametrize("generator", GENERATORS)
def test_prefix_is_stable_in_n_samples(generator, X_mixed):
    # Asking for more rows extends the output instead of redrawing it.
    short = generator(X_mixed, n_samples=101, random_state=0)
    long = generator(X_mixed, n_samples=900, random_state=0)
    np.testing.assert_array_equal(long[:101], short)


# ----------------------------------------------------------------------------
# MUNGE behaviour


def test_munge_p0_outputs_copies_of_neighbour_pairs(X_mixed):
    X_new = munge(X_mixed, n_samples=2 * X_mixed.shape[0], p=0.0, random_state=0)
    d = _nearest_training_distance(X_mixed, X_new)
    np.testing.assert_array_equal(d, 0.0)
    # With n_samples = 2 * len(X): one full pass, every row appears as `e`.
    rows = {tuple(r) for r in X_new[::2]}
    assert rows == {tuple(r) for r in X_mixed}


def test_munge_p1_large_s_swaps_whole_rows_with_neighbour():
    rng = np.random.RandomState(0)
    n = 150
    X = np.column_stack([rng.randn(n), rng.randn(n), rng.choice([1.0, 2.0, 3.0], n)])
    X_new = munge(
        X, n_samples=400, p=1.0, s=1e9, categorical_features=[2], random_state=0
    )

    # Reference neighbours computed independently (same metric as documented:
    # standardised continuous columns, a mismatch in the category adds 1).
    Z = np.column_stack([(X[:, :2] - X[:, :2].mean(0)) / X[:, :2].std(0)])
    onehot = (X[:, [2]] == np.array([1.0, 2.0, 3.0])) * np.sqrt(0.5)
    neighbour = NearestNeighbors(n_neighbors=2).fit(np.hstack([Z, onehot]))
    nn_of = neighbour.kneighbors(return_distance=False)[:, 0]

    nn = NearestNeighbors(n_neighbors=1).fit(X[:, :2])
    dist_e, e = nn.kneighbors(X_new[1::2, :2])  # e' gets e's values
    dist_f, f = nn.kneighbors(X_new[0::2, :2])  # e gets e''s values
    assert dist_e.max() < 1e-6 and dist_f.max() < 1e-6
    np.testing.assert_array_equal(f[:, 0], nn_of[e[:, 0]])
    # Categories are swapped too, never averaged.
    np.testing.assert_array_equal(X_new[1::2, 2], X[e[:, 0], 2])
    np.testing.assert_array_equal(X_new[0::2, 2], X[f[:, 0], 2])


def test_munge_categorical_values_present_and_swapped_with_probability_p(X_mixed):
    p = 0.3
    X = X_mixed
    n_samples = 100_000
    X_new = munge(X, n_samples=n_samples, p=p, categorical_features=[3], random_state=0)
    assert set(np.unique(X_new[:, 3])) <= {10.0, 20.0, 30.0}

    # A p=0 run with the same seed outputs the unmodified (e, e') pairs: which
    # rows are paired, and in which order, does not depend on p.
    pairs = munge(
        X, n_samples=n_samples, p=0.0, categorical_features=[3], random_state=0
    )
    cat_e, cat_f = pairs[0::2, 3], pairs[1::2, 3]
    differ = cat_e != cat_f
    assert differ.sum() > 800
    swapped = X_new[0::2, 3] == cat_f
    kept = X_new[0::2, 3] == cat_e
    assert np.all(swapped | kept)
    # Partner row gets the other value: both copies swap together.
    partner_swapped = X_new[1::2, 3] == cat_e
    np.testing.assert_array_equal(swapped[differ], partner_swapped[differ])
    rate = swapped[differ].mean()
    assert abs(rate - p) < 0.05


@pytest.mark.parametrize("s", [1.0, 2.0, 5.0])
def test_munge_continuous_sd_is_distance_over_s(s):
    # 1-D data made of far-apart mutual-nearest-neighbour pairs (a_k, b_k):
    # with p=1, the mean of a generated pair is N((a + b) / 2, sd**2 / 2) with
    # sd = |a - b| / s, whatever the pair's orientation.
    rng = np.random.RandomState(0)
    n_pairs = 100
    a = 1000.0 * np.arange(n_pairs)
    gap = rng.uniform(1, 5, n_pairs)
    X = np.concatenate([a, a + gap])[:, None]
    X_new = munge(X, n_samples=20_000, p=1.0, s=s, random_state=0)[:, 0]
    pair_mean = (X_new[0::2] + X_new[1::2]) / 2
    k = np.rint(pair_mean / 1000).astype(int)
    z = (pair_mean - (a[k] + gap[k] / 2)) / (gap[k] / s / np.sqrt(2))
    assert abs(z.mean()) < 0.05
    assert abs(z.std() - 1) < 0.05


def test_munge_points_lie_near_the_data():
    # Two concentric circles: a generated point must stay near the data, not in
    # the empty space between or inside the rings.
    rng = np.random.RandomState(0)
    n = 400
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(rng.rand(n) < 0.5, 1.0, 3.0)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += 0.02 * rng.randn(n, 2)
    X_new = munge(X, n_samples=4000, p=0.5, s=1.0, random_state=0)
    spread = X.std()
    d_new = _nearest_training_distance(X, X_new)
    assert np.quantile(d_new, 0.99) < 0.15 * spread
    r = np.linalg.norm(X_new, axis=1)
    assert np.mean((r > 1.3) & (r < 2.7)) < 0.01
    # A uniform box over the same data would fail this check.
    box = rng.uniform(X.min(0), X.max(0), size=(4000, 2))
    assert np.quantile(_nearest_training_distance(X, box), 0.99) > 0.15 * spread


def test_munge_last_pass_uses_random_rows():
    # X sorted by a label: a truncated pass must not use only the first rows.
    X = np.arange(200, dtype=float)[:, None] ** 1.5
    X_new = munge(X, n_samples=40, p=0.0, random_state=0)
    assert X_new.max() > X[150, 0]


# ----------------------------------------------------------------------------
# Gaussian noise behaviour


@pytest.mark.parametrize("scale", [0.05, 0.3])
def test_gaussian_noise_std_and_categorical_unchanged(scale):
    rng = np.random.RandomState(0)
    n = 200
    # Column 0 is a categorical row id: copied unchanged, it tells the source row.
    X = np.column_stack(
        [np.arange(n), rng.randn(n), 100 * rng.randn(n), rng.uniform(0, 0.01, n)]
    )
    X_new = gaussian_noise(
        X, n_samples=40_000, scale=scale, categorical_features=[0], random_state=0
    )
    source = X_new[:, 0].astype(int)
    np.testing.assert_array_equal(X_new[:, 0], X[source, 0])
    assert len(np.unique(source)) == n  # resampled from all rows
    residual = X_new[:, 1:] - X[source, 1:]
    expected = scale * X[:, 1:].std(axis=0)
    np.testing.assert_allclose(residual.std(axis=0), expected, rtol=0.03)
    assert np.all(np.abs(residual.mean(axis=0)) < 0.03 * expected)


def test_gaussian_noise_scale_zero_resamples_rows(X_mixed):
    X_new = gaussian_noise(X_mixed, n_samples=500, scale=0.0, random_state=0)
    np.testing.assert_array_equal(_nearest_training_distance(X_mixed, X_new), 0.0)


def test_gaussian_noise_dataframe_categories_untouched(df_mixed):
    X_new = gaussian_noise(df_mixed, n_samples=1000, scale=0.0, random_state=0)
    # With scale=0 every generated row is a training row, categories included.
    merged = X_new.merge(df_mixed.drop_duplicates(), how="left", indicator=True)
    assert (merged["_merge"] == "both").all()


# ----------------------------------------------------------------------------
# categorical_features


def test_categorical_features_equivalent_forms(df_mixed):
    kwargs = dict(n_samples=300, p=0.7, random_state=0)
    ref = munge(df_mixed, categorical_features="from_dtype", **kwargs)
    for spec in [
        [1, 4],
        np.array([False, True, False, False, True]),
        ["colour", "size"],
    ]:
        X_new = munge(df_mixed, categorical_features=spec, **kwargs)
        pd.testing.assert_frame_equal(X_new, ref)


def test_categorical_features_change_treatment(X_mixed):
    # By default an ndarray has no categorical column: the integer-valued
    # column 3 gets continuous values; declared categorical, it never does.
    as_cont = munge(X_mixed, n_samples=500, p=1.0, random_state=0)
    assert not set(np.unique(as_cont[:, 3])) <= {10.0, 20.0, 30.0}
    as_cat = munge(
        X_mixed, n_samples=500, p=1.0, categorical_features=[3], random_state=0
    )
    assert set(np.unique(as_cat[:, 3])) <= {10.0, 20.0, 30.0}


def test_all_categorical_dataframe():
    rng = np.random.RandomState(0)
    df = pd.DataFrame(
        {c: pd.Categorical(rng.choice(list("abc"), 50)) for c in ["u", "v"]}
    )
    for generator in GENERATORS:
        X_new = generator(df, n_samples=80, random_state=0)
        assert (X_new.dtypes == df.dtypes).all()


# ----------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize(
    "params, name",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_samples": -3}, "n_samples"),
        ({"n_samples": 2.5}, "n_samples"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"categorical_features": "auto"}, "categorical_features"),
        ({"random_state": "seed"}, "random_state"),
    ],
)
def test_invalid_common_params(generator, params, name, X_mixed):
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        generator(X_mixed, **params)


@pytest.mark.parametrize(
    "params, name",
    [({"p": -0.1}, "p"), ({"p": 1.5}, "p"), ({"s": 0}, "s"), ({"s": -1.0}, "s")],
)
def test_munge_invalid_params(params, name, X_mixed):
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        munge(X_mixed, **params)


def test_gaussian_noise_invalid_scale(X_mixed):
    with pytest.raises(ValueError, match="'scale' parameter"):
        gaussian_noise(X_mixed, scale=-0.1)


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize(
    "categorical_features, match",
    [
        ([4], r"categorical_features indices must be in \[0, 3\]"),
        ([-1], r"categorical_features indices must be in \[0, 3\]"),
        ([True, False], r"categorical_features as a boolean mask must have shape"),
        (["colour"], "categorical_features given as feature names requires X"),
        ([[0, 1]], "categorical_features must be a 1-D"),
        ([0.5], "categorical_features must be None"),
    ],
)
def test_invalid_categorical_features_ndarray(
    generator, categorical_features, match, X_mixed
):
    with pytest.raises(ValueError, match=match):
        generator(X_mixed, categorical_features=categorical_features)


@pytest.mark.parametrize("generator", GENERATORS)
def test_invalid_categorical_features_dataframe(generator, df_mixed):
    with pytest.raises(ValueError, match=r"categorical_features names \['shape'\]"):
        generator(df_mixed, categorical_features=["colour", "shape"])
    df = df_mixed.assign(city="Oslo")
    with pytest.raises(ValueError, match="Column 'city' .* categorical_features"):
        generator(df)
    df = df_mixed.assign(colour=df_mixed["colour"].astype(str))
    with pytest.raises(ValueError, match="Column 'colour' .* categorical_features"):
        generator(df, categorical_features=["size"])


@pytest.mark.parametrize("generator", GENERATORS)
def test_nan_rejected(generator, X_mixed, df_mixed):
    X = X_mixed.copy()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        generator(X)
    df = df_mixed.copy()
    df.loc[2, "x"] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        generator(df)
    df = df_mixed.copy()
    df.loc[2, "colour"] = np.nan
    with pytest.raises(ValueError, match="NaN in a categorical column"):
        generator(df)


@pytest.mark.parametrize("generator", GENERATORS)
def test_sparse_rejected(generator, X_mixed):
    with pytest.raises(TypeError, match="Sparse input is not supported"):
        generator(sparse.csr_matrix(X_mixed))


def test_munge_needs_two_rows():
    with pytest.raises(ValueError, match="minimum of 2 is required"):
        munge(np.ones((1, 3)))
    with pytest.raises(ValueError, match="at least 2 sample"):
        munge(pd.DataFrame({"a": [1.0]}))
    assert gaussian_noise(np.ones((1, 3)), n_samples=5).shape == (5, 3)


# ----------------------------------------------------------------------------
# Memory


@pytest.mark.parametrize("generator", GENERATORS)
def test_temporary_memory_bounded_by_chunk_size(generator):
    # Beyond the output itself, generating allocates O(chunk_size * n_features).
    X = np.random.RandomState(0).randn(2000, 10)
    generator(X, n_samples=10, random_state=0)  # warm up lazy imports and caches

    def extra_bytes(chunk_size):
        tracemalloc.start()
        try:
            X_new = generator(
                X, n_samples=100_000, chunk_size=chunk_size, random_state=0
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return peak - X_new.nbytes, X_new.nbytes

    extra, output = extra_bytes(500)
    assert extra < 0.25 * output
    # The same measurement sees an unchunked run's temporaries.
    assert extra_bytes(100_000)[0] > output


def test_uniforms_stay_strictly_inside_the_unit_interval():
    # the extremes of a generator's doubles (multiples of 2**-53 in [0, 1))
    extremes = np.array([0.0, 2.0**-53, 0.5 - 2.0**-53, 0.5, 1.0 - 2.0**-53])
    u = _open_interval(extremes.copy())
    assert np.all((u > 0) & (u < 1))
    assert np.all(np.isfinite(ndtri(u)))
    assert np.all(np.diff(u) > 0)  # distinct draws stay distinct, in order


@pytest.mark.parametrize("generator", [munge, gaussian_noise])
@pytest.mark.parametrize("as_frame", [False, True])
def test_float32_output_stays_finite(generator, as_frame):
    # computed in float64, values beyond float32's range are clipped to it
    X = (np.random.RandomState(0).standard_normal((100, 2)) * 1e38).astype(
        np.float32
    )
    if as_frame:
        X = pd.DataFrame(X, columns=["a", "b"])
    params = {"scale": 1.0} if generator is gaussian_noise else {}
    with np.errstate(over="ignore"):
        X_new = np.asarray(generator(X, n_samples=1000, random_state=0, **params))
    assert X_new.dtype == np.float32
    assert np.isfinite(X_new).all()


def test_munge_with_categories_under_global_pandas_output():
    # its one-hot encoding of the categories stays sparse
    from sklearn import config_context

    X = pd.DataFrame(
        {"x": np.arange(8.0), "c": pd.Categorical(list("abab" * 2))}
    )
    expected = munge(X, n_samples=5, random_state=0)
    with config_context(transform_output="pandas"):
        rows = munge(X, n_samples=5, random_state=0)
    pd.testing.assert_frame_equal(rows, expected)


def test_munge_ignores_a_constant_column_of_huge_values():
    # its mean over the rows overflowed: "X contains infinity" on a finite X
    X = np.column_stack([np.random.RandomState(0).randn(200, 3), np.full(200, 1e306)])
    rows = munge(X, n_samples=50, random_state=0)
    assert np.isfinite(rows).all()
    np.testing.assert_array_equal(rows[:, 3], 1e306)
