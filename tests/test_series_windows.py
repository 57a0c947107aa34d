"""Series-mode training data (skseq._series): the series rebuilt from its windows.

Millisecond tests of what every series-mode fit, Keras or baseline, trains
on; the fits themselves are in test_series_mode.py and test_baselines.py.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skseq import SequenceWindower, make_windows
from skseq._series import WindowData, _consecutive


def _windows(series, window_length):
    return SequenceWindower(window_length).fit_transform(series)


@pytest.mark.parametrize("window_length", [1, 2, 5])
def test_from_windows_rebuilds_the_series(window_length):
    """The series is the first step of each window plus the last window's rest."""
    series = np.arange(20.0) ** 1.5
    data = WindowData.from_series_windows(_windows(series, window_length), "Model")
    assert_array_equal(data.source[:, 0], series)
    assert data.source.shape == (20, 1)
    assert data.window_length == window_length and data.y.ndim == 1


@pytest.mark.parametrize("window_length", [1, 3])
def test_targets_and_windows_are_make_windows_pairs(window_length):
    """Horizon 1: the windows with a following value, and that value."""
    series = np.sin(np.arange(30.0))
    data = WindowData.from_series_windows(_windows(series, window_length), "Model")
    X, y = make_windows(series, window_length)
    assert data.n_windows == len(X) == 30 - window_length
    assert_array_equal(data.windows, X)
    assert_array_equal(data.y, y)
    assert data.y.shape == (len(X),) and data.y.dtype == np.float64


@pytest.mark.parametrize("horizon", [2, 4])
def test_targets_with_a_horizon_are_the_next_values(horizon):
    """Window i (steps i..i+k-1) targets steps i+k .. i+k+H-1; windows whose
    targets run past the series are left out."""
    series = np.arange(12.0) * 10
    k = 3
    all_windows = _windows(series, k)
    data = WindowData.from_series_windows(all_windows, "Model", horizon=horizon)
    assert data.n_windows == len(series) - k - horizon + 1 == len(all_windows) - horizon
    assert data.y.shape == (data.n_windows, horizon)
    for i in range(data.n_windows):
        assert_array_equal(data.y[i], series[i + k : i + k + horizon])
    assert_array_equal(data.windows, all_windows[: data.n_windows])
    data.y[0, 0] = -1  # a copy: the series is untouched
    assert data.source[k, 0] == series[k]


def test_multivariate_windows_target_the_first_feature():
    """With several features every feature is kept; targets are feature 0."""
    series = np.column_stack([np.arange(10.0), -np.arange(10.0), np.ones(10)])
    data = WindowData.from_series_windows(_windows(series, 3), "Model", horizon=2)
    assert_array_equal(data.source, series)
    assert data.windows.shape == (data.n_windows, 3, 3)
    assert_array_equal(data.windows[0], series[:3])
    assert_array_equal(data.y[0], [3.0, 4.0])


def test_windows_are_a_read_only_view_of_the_series():
    """No window is materialised: the view shares the rebuilt series' memory."""
    data = WindowData.from_series_windows(_windows(np.arange(1000.0), 50), "Model")
    windows = data.windows
    assert np.shares_memory(windows, data.source)
    assert not windows.flags.writeable
    assert windows.shape == (950, 50, 1)


def test_too_few_windows_for_the_horizon_are_refused():
    """Series mode needs a window with all its targets; the message says so."""
    windows = _windows(np.arange(6.0), 4)  # 3 windows
    with pytest.raises(ValueError, match="horizon=3 needs at least 4 consecutive"):
        WindowData.from_series_windows(windows, "Model", horizon=3)
    with pytest.raises(ValueError, match="at least 2 consecutive windows.*n_windows=1"):
        WindowData.from_series_windows(windows[:1], "Model")
    assert WindowData.from_series_windows(windows, "Model", horizon=2).n_windows == 1


def test_non_consecutive_windows_are_refused_naming_the_estimator():
    """Shuffled windows cannot be a series: y is required, and named."""
    windows = _windows(np.arange(20.0), 3)
    shuffled = windows[np.random.default_rng(0).permutation(len(windows))]
    with pytest.raises(ValueError, match="MyModel requires y to be passed"):
        WindowData.from_series_windows(shuffled, "MyModel")
    with pytest.raises(ValueError, match="not a sequence of consecutive windows"):
        WindowData.from_series_windows(
            np.ones((4, 3, 1)) * np.arange(4)[:, None, None], "M"
        )


def test_windows_of_one_step_are_always_a_series():
    """With window_length=1 any rows are consecutive: each row is a step."""
    rows = np.random.default_rng(0).normal(size=(10, 1, 2))
    data = WindowData.from_series_windows(rows, "Model")
    assert_array_equal(data.source, rows[:, 0])
    assert_array_equal(data.y, rows[1:, 0, 0])


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_consecutive_check_sees_a_break_at_every_position(chunk):
    """Windows are compared chunk by chunk: a break anywhere, chunk edges
    included, is found, and unbroken windows pass at every chunk size."""
    windows = np.array(_windows(np.arange(15.0), 4))  # 12 windows
    assert _consecutive(windows, chunk=chunk)
    for broken in range(len(windows) - 1):
        X = windows.copy()
        X[broken + 1 :] += 100.0  # window broken + 1 does not follow broken
        assert _consecutive(X[: broken + 1], chunk=chunk)
        assert _consecutive(X[broken + 1 :], chunk=chunk)
        assert not _consecutive(X, chunk=chunk), (broken, chunk)


def test_consecutive_check_accepts_a_long_view_without_copying_it():
    """The default chunked comparison runs over the windows of a long series."""
    windows = _windows(np.arange(300_000.0), 64)
    assert _consecutive(windows)
    assert not _consecutive(windows[::2])
