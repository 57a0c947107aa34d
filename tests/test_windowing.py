"""Tests for SequenceWindower and make_windows (skseq.windowing)."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skseq import SequenceWindower, make_windows

SERIES = [1.0, 3.0, 5.0, 2.0, 4.0]
EXPECTED_K2 = np.array([[1.0, 3.0], [3.0, 5.0], [5.0, 2.0], [2.0, 4.0]])


def windows(X, k):
    return SequenceWindower(window_length=k).fit_transform(X)


def naive_windows(X, k):
    n, f = X.shape
    out = np.empty((n - k + 1, k, f), dtype=X.dtype)
    for i in range(n - k + 1):
        for j in range(k):
            out[i, j, :] = X[i + j, :]
    return out


# --------------------------------------------------------------------------
# 1. Shapes and contents
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_input",
    [
        pytest.param(lambda s: list(s), id="list"),
        pytest.param(lambda s: np.asarray(s), id="numpy"),
        pytest.param(lambda s: pd.Series(s), id="pandas"),
        pytest.param(
            lambda s: pd.Series(s, index=pd.date_range("2024-01-01", periods=len(s))),
            id="pandas-datetimeindex",
        ),
    ],
)
def test_1d_series_gives_overlapping_windows_of_one_feature(make_input):
    """A 1-D series of n values gives (n-k+1, k, 1) windows of consecutive values."""
    W = windows(make_input(SERIES), 2)
    assert W.shape == (4, 2, 1)
    assert_array_equal(W[:, :, 0], EXPECTED_K2)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_window_row_i_holds_steps_i_to_i_plus_k_minus_1(k):
    """Row i of the output holds steps i .. i+k-1, in order."""
    x = np.arange(10.0)
    W = windows(x, k)
    assert W.shape == (10 - k + 1, k, 1)
    for i in range(10 - k + 1):
        assert_array_equal(W[i, :, 0], x[i : i + k])


def test_multivariate_series_keeps_features_on_last_axis():
    """A 2-D (n, f) series gives (n-k+1, k, f) windows, features last."""
    X = np.arange(12.0).reshape(6, 2)
    W = windows(X, 3)
    assert W.shape == (4, 3, 2)
    assert_array_equal(W[0], X[0:3])
    assert_array_equal(W[3], X[3:6])
    assert_array_equal(W, naive_windows(X, 3))


def test_multivariate_dataframe_gives_same_windows_as_its_values():
    """A DataFrame is windowed like its underlying values."""
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [10.0, 20, 30, 40]})
    assert_array_equal(windows(df, 2), windows(df.to_numpy(), 2))


def test_1d_series_equals_single_column_2d_series():
    """A 1-D series of n values is windowed exactly like the (n, 1) column."""
    x = np.array(SERIES)
    assert_array_equal(windows(x, 3), windows(x.reshape(-1, 1), 3))


@pytest.mark.parametrize(
    "in_dtype, out_dtype",
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int32, np.float64),
        (np.int64, np.float64),
    ],
)
def test_float_dtype_is_preserved_and_ints_become_float64(in_dtype, out_dtype):
    """float32 and float64 stay as they are; integers become float64."""
    x = np.array([1, 2, 3, 4], dtype=in_dtype)
    W = windows(x, 2)
    assert W.dtype == out_dtype
    assert_array_equal(W[:, :, 0], [[1, 2], [2, 3], [3, 4]])


def test_python_int_list_becomes_float64():
    """A list of Python ints is windowed as float64."""
    assert windows([1, 2, 3], 2).dtype == np.float64


def test_fortran_ordered_input_gives_same_windows():
    """Memory order of the input does not change the windows."""
    X = np.arange(24.0).reshape(8, 3)
    assert_array_equal(windows(np.asfortranarray(X), 4), windows(X, 4))
    assert_array_equal(windows(np.asfortranarray(X), 4), naive_windows(X, 4))


@pytest.mark.parametrize("k", [1, 3, 5])
def test_series_as_long_as_window_gives_exactly_one_window(k):
    """When n == window_length the output is one window holding the whole series."""
    x = np.arange(float(k))
    W = windows(x, k)
    assert W.shape == (1, k, 1)
    assert_array_equal(W[0, :, 0], x)


def test_window_length_one_gives_each_step_as_a_window():
    """window_length=1 gives n windows of one step each."""
    X = np.arange(6.0).reshape(3, 2)
    assert_array_equal(windows(X, 1), X[:, None, :])


def test_numpy_int64_window_length_is_accepted():
    """A numpy integer window_length works like a Python int."""
    W = SequenceWindower(window_length=np.int64(3)).fit_transform([1.0, 2, 3, 4])
    assert W.shape == (2, 3, 1)


def test_fit_records_number_of_features():
    """fit sets n_features_in_ (1 for a 1-D series) and returns self."""
    windower = SequenceWindower(2)
    assert windower.fit([1.0, 2, 3]) is windower
    assert windower.n_features_in_ == 1
    assert SequenceWindower(2).fit(np.ones((3, 4))).n_features_in_ == 4


def test_transform_accepts_other_series_length_than_fit():
    """A fitted windower windows any series with enough steps and same features."""
    windower = SequenceWindower(2).fit(np.arange(10.0))
    assert windower.transform([1.0, 2.0, 3.0]).shape == (2, 2, 1)


def test_make_windows_pairs_each_window_with_following_value():
    """make_windows returns the windows that have a next value, and that value."""
    X, y = make_windows(SERIES, window_length=2)
    assert X.shape == (3, 2, 1)
    assert_array_equal(X[:, :, 0], EXPECTED_K2[:3])
    assert_array_equal(y, [5.0, 2.0, 4.0])


def test_make_windows_target_is_first_feature_of_multivariate_series():
    """For a 2-D series, y is the first feature right after each window."""
    S = np.arange(10.0).reshape(5, 2)
    X, y = make_windows(S, window_length=2)
    assert X.shape == (3, 2, 2)
    assert_array_equal(y, S[2:, 0])


def test_make_windows_with_one_following_value_gives_one_pair():
    """n == window_length + 1 gives exactly one (window, target) pair."""
    X, y = make_windows([1.0, 2.0, 3.0], window_length=2)
    assert X.shape == (1, 2, 1)
    assert_array_equal(y, [3.0])


# --------------------------------------------------------------------------
# 2. Zero copy, read-only, no mutation
# --------------------------------------------------------------------------


def test_output_is_view_sharing_memory_with_float64_input():
    """Windows of a float64 array share its memory (no value is copied)."""
    x = np.arange(100.0)
    W = windows(x, 10)
    assert np.shares_memory(W, x)
    X2 = np.arange(30.0).reshape(10, 3)
    assert np.shares_memory(windows(X2, 4), X2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_writing_to_windows_raises_read_only_error(dtype):
    """The windows are read-only: assigning into them raises ValueError."""
    W = windows(np.arange(5, dtype=dtype), 2)
    assert not W.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        W[0, 0, 0] = 99.0


def test_make_windows_windows_are_read_only():
    """The X returned by make_windows is read-only."""
    X, _ = make_windows(np.arange(5.0), 2)
    with pytest.raises(ValueError, match="read-only"):
        X[0, 0, 0] = 99.0


def test_writing_to_make_windows_target_does_not_mutate_input():
    """Modifying y from make_windows must not change the caller's series."""
    x = np.arange(6.0)
    _, y = make_windows(x, 2)
    try:
        y *= 10
    except ValueError:
        pass  # a read-only y is an acceptable fix
    assert_array_equal(x, np.arange(6.0))


@pytest.mark.parametrize(
    "make_input",
    [
        pytest.param(lambda: np.arange(8.0), id="float64"),
        pytest.param(lambda: np.arange(8, dtype=np.float32), id="float32"),
        pytest.param(lambda: np.arange(8), id="int"),
        pytest.param(lambda: np.arange(16.0).reshape(8, 2), id="2d"),
        pytest.param(lambda: pd.Series(np.arange(8.0)), id="pandas"),
    ],
)
def test_input_is_never_mutated(make_input):
    """fit, transform and make_windows leave the input unchanged."""
    x = make_input()
    original = x.copy()
    SequenceWindower(3).fit(x).transform(x)
    make_windows(x, 3)
    if isinstance(x, pd.Series):
        pd.testing.assert_series_equal(x, original)
    else:
        assert_array_equal(x, original)
        assert x.dtype == original.dtype
        assert x.flags.writeable


def test_list_input_is_never_mutated():
    """A list passed in is left unchanged."""
    x = [1.0, 2.0, 3.0, 4.0]
    SequenceWindower(2).fit_transform(x)
    make_windows(x, 2)
    assert x == [1.0, 2.0, 3.0, 4.0]


# --------------------------------------------------------------------------
# 3. Property tests
# --------------------------------------------------------------------------

FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def series_and_k(draw):
    n = draw(st.integers(1, 60))
    f = draw(st.integers(1, 3))
    k = draw(st.integers(1, 8))
    X = draw(hnp.arrays(np.float64, (n, f), elements=FINITE))
    return X, k


PROPERTY = settings(deadline=None, max_examples=50, database=None)


@PROPERTY
@given(series_and_k())
def test_property_windows_match_naive_double_loop(data):
    """For n >= k, shape is (n-k+1, k, f) and W[i, j] == X[i + j]; else too short."""
    X, k = data
    n, f = X.shape
    if n >= k:
        W = windows(X, k)
        assert W.shape == (n - k + 1, k, f)
        assert_array_equal(W, naive_windows(X, k))
    else:
        with pytest.raises(ValueError, match="too short") as excinfo:
            windows(X, k)
        assert f"n_samples={n}" in str(excinfo.value)
        assert f"window_length={k}" in str(excinfo.value)


@PROPERTY
@given(series_and_k(), st.data())
def test_property_windows_of_prefix_are_prefix_of_windows(data, draw):
    """windows(X[:m]) == windows(X)[:m-k+1] for every k <= m <= n."""
    X, k = data
    n = X.shape[0]
    if n < k:
        return
    m = draw.draw(st.integers(k, n))
    assert_array_equal(windows(X[:m], k), windows(X, k)[: m - k + 1])


@PROPERTY
@given(series_and_k(), st.data())
def test_property_windows_are_shift_equivariant(data, draw):
    """windows(X[s:]) == windows(X)[s:] for every shift with n - s >= k."""
    X, k = data
    n = X.shape[0]
    if n < k:
        return
    s = draw.draw(st.integers(0, n - k))
    assert_array_equal(windows(X[s:], k), windows(X, k)[s:])


@PROPERTY
@given(series_and_k())
def test_property_make_windows_target_follows_its_window(data):
    """y[i] == X[i + k, 0] and the target index is never inside its own window."""
    S, k = data
    n, f = S.shape
    if n <= k:
        with pytest.raises(ValueError, match="too short"):
            make_windows(S, k)
        return
    X, y = make_windows(S, k)
    assert X.shape == (n - k, k, f)
    assert y.shape == (n - k,)
    for i in range(n - k):
        window_steps = range(i, i + k)
        target_step = i + k
        assert target_step not in window_steps
        assert target_step > max(window_steps)
        assert y[i] == S[target_step, 0]
        assert_array_equal(X[i], S[i : i + k])


# --------------------------------------------------------------------------
# 4. Errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "window_length, match",
    [
        (0, "window_length"),
        (-3, "window_length"),
        (2.0, "window_length"),
        ("3", "window_length"),
        (None, "window_length"),
        (True, "bool"),
        (False, "window_length"),  # rejected by the range check first
    ],
)
def test_invalid_window_length_raises_at_fit_not_at_init(window_length, match):
    """Bad window_length values (bools included) are rejected by fit only."""
    windower = SequenceWindower(window_length=window_length)  # no error
    SequenceWindower().set_params(window_length=window_length)  # no error
    clone(windower)  # no error
    with pytest.raises(ValueError, match=match) as excinfo:
        windower.fit([1.0, 2.0, 3.0, 4.0])
    assert "window_length" in str(excinfo.value)
    with pytest.raises(ValueError, match="window_length"):
        SequenceWindower().set_params(window_length=window_length).fit_transform(
            [1.0, 2.0, 3.0, 4.0]
        )


def test_series_shorter_than_window_names_both_lengths():
    """Fitting a 1-step series with window_length=2 names n_samples and k."""
    with pytest.raises(ValueError, match="too short") as excinfo:
        SequenceWindower(window_length=2).fit([1.0])
    assert "n_samples=1" in str(excinfo.value)
    assert "window_length=2" in str(excinfo.value)


def test_transform_on_series_shorter_than_window_raises():
    """transform refuses a series shorter than the window it was fitted with."""
    windower = SequenceWindower(window_length=3).fit([1.0, 2, 3, 4])
    with pytest.raises(ValueError, match=r"too short.*n_samples=2"):
        windower.transform([1.0, 2.0])


@pytest.mark.parametrize("empty", [[], np.array([]), np.empty((0, 2))])
def test_empty_series_is_rejected(empty):
    """An empty series raises a ValueError mentioning 0 samples."""
    with pytest.raises(ValueError, match="0 sample"):
        SequenceWindower(1).fit(empty)


@pytest.mark.parametrize(
    "bad_value, match",
    [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")],
)
@pytest.mark.parametrize("two_d", [False, True], ids=["1d", "2d"])
def test_non_finite_values_rejected_at_fit_and_transform(bad_value, match, two_d):
    """NaN and infinity are refused both by fit and by transform."""
    bad = np.array([1.0, bad_value, 3.0, 4.0])
    good = np.array([1.0, 2.0, 3.0, 4.0])
    if two_d:
        bad, good = bad.reshape(-1, 1), good.reshape(-1, 1)
    with pytest.raises(ValueError, match=match):
        SequenceWindower(2).fit(bad)
    windower = SequenceWindower(2).fit(good)
    with pytest.raises(ValueError, match=match):
        windower.transform(bad)


def test_string_values_are_rejected():
    """Non-numeric strings cannot be windowed."""
    with pytest.raises(ValueError, match="could not convert"):
        SequenceWindower(2).fit(["a", "b", "c"])


def test_3d_input_is_rejected():
    """A 3-D array is not a series."""
    with pytest.raises(ValueError, match="dim 3"):
        SequenceWindower(2).fit(np.zeros((4, 2, 2)))


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_input_is_rejected_with_type_error(fmt):
    """scipy sparse matrices raise a TypeError mentioning sparse data."""
    X = sp.random(5, 2, density=0.5, format=fmt, random_state=0)
    with pytest.raises(TypeError, match="(?i)sparse"):
        SequenceWindower(2).fit(X)


@pytest.mark.parametrize(
    "X", [np.array([1 + 1j, 2, 3]), np.ones((3, 2)) * (1 + 1j)], ids=["1d", "2d"]
)
def test_complex_input_is_rejected(X):
    """Complex numbers are refused."""
    with pytest.raises(ValueError, match="Complex"):
        SequenceWindower(2).fit(X)


def test_transform_before_fit_raises_not_fitted():
    """transform on an unfitted windower raises NotFittedError."""
    with pytest.raises(NotFittedError):
        SequenceWindower(2).transform([1.0, 2.0, 3.0])


def test_transform_with_fewer_features_than_fit_raises():
    """A series with a different number of features than at fit is refused."""
    windower = SequenceWindower(2).fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match="X has 2 features"):
        windower.transform(np.ones((4, 2)))


def test_transform_1d_after_fit_on_multivariate_raises_reshape_hint():
    """A 1-D series after fitting on 3 features asks the user to reshape."""
    windower = SequenceWindower(2).fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match="Reshape your data"):
        windower.transform(np.ones(4))


def _dated(order):
    index = pd.date_range("2024-01-01", periods=4, freq="D")[order]
    return pd.Series([1.0, 2.0, 3.0, 4.0], index=index)


@pytest.mark.parametrize(
    "order",
    [[1, 0, 2, 3], [3, 2, 1, 0], [0, 0, 2, 3]],
    ids=["shuffled", "reversed", "duplicated"],
)
def test_series_with_unordered_datetime_index_is_rejected(order):
    """fit, transform and make_windows refuse a shuffled or duplicated index."""
    bad = _dated(order)
    with pytest.raises(ValueError, match="monotonic"):
        SequenceWindower(2).fit(bad)
    windower = SequenceWindower(2).fit(_dated([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="monotonic"):
        windower.transform(bad)
    with pytest.raises(ValueError, match="monotonic"):
        make_windows(bad, 2)


def test_dataframe_with_unordered_index_is_rejected():
    """A multivariate DataFrame with an unordered time index is refused."""
    index = pd.date_range("2024-01-01", periods=3)[[2, 0, 1]]
    df = pd.DataFrame({"a": [1.0, 2, 3], "b": [4.0, 5, 6]}, index=index)
    with pytest.raises(ValueError, match="monotonic"):
        SequenceWindower(2).fit(df)


@pytest.mark.parametrize("n, k", [(2, 2), (2, 3), (1, 2)])
def test_make_windows_needs_a_following_value(n, k):
    """make_windows needs more than window_length steps."""
    with pytest.raises(ValueError, match="too short") as excinfo:
        make_windows(np.arange(float(n)), window_length=k)
    assert f"n_samples={n}" in str(excinfo.value)
    assert f"window_length={k}" in str(excinfo.value)


@pytest.mark.parametrize("window_length", [True, False, 0, -1, 2.0, "2", None])
def test_make_windows_rejects_invalid_window_length(window_length):
    """make_windows refuses bools and non-positive or non-integer window lengths."""
    with pytest.raises(ValueError, match="window_length") as excinfo:
        make_windows([1.0, 2, 3, 4, 5], window_length=window_length)
    if isinstance(window_length, bool):
        assert "bool" in str(excinfo.value)


def test_make_windows_accepts_numpy_int_window_length():
    """A numpy integer window_length works in make_windows."""
    X, y = make_windows([1.0, 2, 3, 4], window_length=np.int64(2))
    assert X.shape == (2, 2, 1)
    assert_array_equal(y, [3.0, 4.0])


@pytest.mark.parametrize(
    "bad, match",
    [
        ([1.0, np.nan, 3.0, 4.0], "NaN"),
        ([1.0, np.inf, 3.0, 4.0], "infinity"),
        ([], "0 sample"),
    ],
)
def test_make_windows_validates_series(bad, match):
    """make_windows applies the same value checks as the transformer."""
    with pytest.raises(ValueError, match=match):
        make_windows(bad, 2)


# --------------------------------------------------------------------------
# 5. Light import (one fresh interpreter for the whole light path)
# --------------------------------------------------------------------------


_LIGHT_PATH = """
import contextlib, io, runpy, sys
from sklearn.pipeline import make_pipeline
from skseq import NaiveRegressor, SequenceWindower, make_windows
SequenceWindower(3).fit_transform([1., 2, 3, 4])
make_windows([1., 2, 3, 4], 2)
pipe = make_pipeline(SequenceWindower(2), NaiveRegressor()).fit([1., 2, 3, 4])
pipe.predict([1., 2, 3])
loaded = sorted(m for m in ("tensorflow", "keras", "scikeras") if m in sys.modules)
assert not loaded, f"{loaded} imported before the CLI"
help_text = io.StringIO()
sys.argv = ["skseq", "compare", "--help"]
with contextlib.redirect_stdout(help_text), contextlib.suppress(SystemExit):
    runpy.run_module("skseq", run_name="__main__")
assert "--window-length" in help_text.getvalue(), help_text.getvalue()
assert "--csv" in help_text.getvalue(), help_text.getvalue()
loaded = sorted(m for m in ("tensorflow", "keras", "scikeras") if m in sys.modules)
assert not loaded, f"{loaded} imported by python -m skseq compare --help"
"""


def test_light_path_loads_no_tensorflow_and_is_silent():
    """import skseq, windowing, the baselines and ``python -m skseq compare
    --help`` load no TensorFlow, Keras or scikeras, and print nothing else."""
    result = subprocess.run(
        [sys.executable, "-c", _LIGHT_PATH],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""


def test_pandas_output_is_refused_by_name_and_the_global_setting_is_harmless():
    """set_output(transform="pandas") says why; scikit-learn's global
    transform_output="pandas" leaves the windows an array, in a pipeline too."""
    import sklearn
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    series = np.arange(10.0)
    with pytest.raises(ValueError, match=r"set_output\(transform='pandas'\).*3-D"):
        SequenceWindower(2).set_output(transform="pandas")
    windower = SequenceWindower(2).set_output(transform="default")
    with pytest.raises(ValueError, match="cannot set_output"):
        make_pipeline(FunctionTransformer(), SequenceWindower(2)).set_output(
            transform="pandas"
        )
    with sklearn.config_context(transform_output="pandas"):
        windows = windower.fit_transform(pd.Series(series))
    assert isinstance(windows, np.ndarray) and windows.shape == (9, 2, 1)


def test_rows_left_out_of_an_indexed_series_are_reported():
    """KFold keeps a series' training rows in order but leaves rows out: the
    windows then join distant moments, so fit warns about the gaps (once, not
    again at transform); evenly stepped indexes do not warn."""
    import warnings

    from sklearn.model_selection import KFold

    days = pd.date_range("2000", periods=60)
    dated = pd.Series(np.sin(np.arange(60) / 3), index=days)
    train, _ = next(KFold(3, shuffle=True, random_state=0).split(dated))
    periods = dated.to_period("D")
    for series in (dated, dated.reset_index(drop=True), periods):
        with pytest.warns(UserWarning, match="index has gaps.*KFold") as caught:
            SequenceWindower(4).fit_transform(series.iloc[train])
        assert len([w for w in caught if "index has gaps" in str(w.message)]) == 1
    business = pd.bdate_range("2020", periods=30)
    mid_months = pd.DatetimeIndex([f"2000-{m:02d}-15" for m in range(1, 13)])
    dst = pd.date_range("2021-03-20 12:00", periods=12, freq="D", tz="UTC")
    for index in (
        business,
        pd.DatetimeIndex(list(pd.date_range("2000", periods=30, freq="MS"))),
        mid_months,
        dst.tz_convert("Europe/Berlin"),
        pd.RangeIndex(1871, 1901),
        pd.period_range("2000-01", periods=30, freq="M"),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            SequenceWindower(3).fit(pd.Series(np.arange(len(index), dtype=float),
                                              index=index))  # fmt: skip
