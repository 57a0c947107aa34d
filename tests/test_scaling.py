"""WindowScaler (skseq._scaling): the numpy scaling every Keras fit trains on.

Millisecond tests of the arithmetic; the fits that rely on it (a level shift
of the data shifts the predictions, a series around 1e6 trains like one
around 0) stay end to end in test_forecasting.py and test_regressors.py.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skseq import SequenceWindower, _scaling
from skseq._scaling import METHODS as SCALING_METHODS
from skseq._scaling import ScalingStats, WindowScaler

METHODS = [*SCALING_METHODS, None]


def _windows_and_targets(series, window_length=4, horizon=1):
    """Consecutive windows of ``series`` and the next ``horizon`` values."""
    series = np.asarray(series, dtype=np.float64)
    windows = SequenceWindower(window_length).fit_transform(series)
    n = len(windows) - horizon
    first = series.reshape(len(series), -1)[:, 0]
    targets = np.stack(
        [first[i + window_length : i + window_length + horizon] for i in range(n)]
    )
    return windows[:n], targets


def _two_feature_series(n=60):
    t = np.arange(n, dtype=np.float64)
    return np.column_stack([3 + np.sin(t / 3), 100 * np.cos(t / 5) - 40])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("horizon", [1, 3])
def test_targets_round_trip_through_scaling(method, horizon):
    """inverse_targets(transform_targets(y)) gives y back, in float64."""
    windows, targets = _windows_and_targets(_two_feature_series(), horizon=horizon)
    scaler = WindowScaler(method).fit(windows, targets)
    scaled = scaler.transform_targets(targets, windows)
    assert scaled.dtype == np.float32 and scaled.shape == (len(windows), horizon)
    restored = scaler.inverse_targets(scaled, windows)
    assert restored.dtype == np.float64
    # The float32 cast bounds the round trip's precision.
    assert_allclose(restored, targets, rtol=1e-6, atol=1e-6 * np.abs(targets).max())


@pytest.mark.parametrize("method", ["last", "mean", "standard"])
def test_scaled_training_data_is_standardized(method):
    """On the training data, every feature and target has mean 0 and std 1."""
    windows, targets = _windows_and_targets(_two_feature_series(), horizon=2)
    scaler = WindowScaler(method).fit(windows, targets)
    X = scaler.transform(windows).astype(np.float64)
    assert X.dtype == np.float64 and X.shape == windows.shape
    flat = X.reshape(-1, X.shape[2])
    assert_allclose(flat.mean(axis=0), 0, atol=1e-6)
    assert_allclose(flat.std(axis=0), 1, rtol=1e-5)
    y = scaler.transform_targets(targets, windows).astype(np.float64)
    assert_allclose(y.mean(axis=0), 0, atol=1e-6)
    assert_allclose(y.std(axis=0), 1, rtol=1e-5)


def test_no_scaling_passes_raw_values_through():
    """scaling=None trains on the values as given (only cast to float32)."""
    windows, targets = _windows_and_targets(_two_feature_series())
    scaler = WindowScaler(None).fit(windows, targets)
    assert_array_equal(scaler.transform(windows), windows.astype(np.float32))
    assert_array_equal(
        scaler.transform_targets(targets, windows), targets.astype(np.float32)
    )
    assert_array_equal(scaler.inverse_targets(targets, windows), targets)


@pytest.mark.parametrize(
    "method, reference",
    [
        ("last", lambda w: w[:, -1:, :]),
        ("mean", lambda w: w.mean(axis=1, keepdims=True)),
        ("last+level", lambda w: w[:, -1:, :]),
        ("mean+level", lambda w: w.mean(axis=1, keepdims=True)),
        ("standard", lambda w: np.zeros_like(w[:, :1, :])),
    ],
)
def test_each_window_is_measured_against_its_reference(method, reference):
    """'last' subtracts each window's last value, 'mean' its mean, per feature."""
    windows, targets = _windows_and_targets(_two_feature_series())
    scaler = WindowScaler(method).fit(windows, targets)
    assert_allclose(
        _scaling.reference(method, np.asarray(windows)), reference(np.asarray(windows))
    )
    referenced = np.asarray(windows) - reference(np.asarray(windows))
    flat = referenced.reshape(-1, 2)
    assert_allclose(scaler.stats_.x_mean, flat.mean(axis=0), rtol=1e-12, atol=1e-12)
    assert_allclose(scaler.stats_.x_scale, flat.std(axis=0), rtol=1e-12)
    # Targets are measured against the reference of the first feature.
    y_ref = targets - reference(np.asarray(windows))[:, 0, :1]
    assert_allclose(scaler.stats_.y_mean, y_ref.mean(axis=0), rtol=1e-12, atol=1e-12)
    assert_allclose(scaler.stats_.y_scale, y_ref.std(axis=0), rtol=1e-12)


@pytest.mark.parametrize("method", ["last", "mean"])
def test_window_referencing_makes_scaling_level_free(method):
    """A level shift of the data leaves the scaled data alone and shifts the
    inverted predictions by the same amount: what lets a trained network
    forecast at levels it never saw."""
    windows, targets = _windows_and_targets(np.sin(np.arange(50.0) / 3))
    scaler = WindowScaler(method).fit(windows, targets)
    shifted = np.asarray(windows) + 1000.0
    assert_allclose(scaler.transform(shifted), scaler.transform(windows), atol=1e-4)
    assert_allclose(
        scaler.transform_targets(targets + 1000.0, shifted),
        scaler.transform_targets(targets, windows),
        atol=1e-4,
    )
    scaled = np.linspace(-1, 1, len(windows))[:, None]
    assert_allclose(
        scaler.inverse_targets(scaled, shifted),
        scaler.inverse_targets(scaled, windows) + 1000.0,
    )


@pytest.mark.parametrize("method", ["last", "mean", "standard"])
def test_statistics_gathered_chunk_by_chunk_equal_one_pass(method, monkeypatch):
    """Long training data is reduced in chunks: same statistics as all at once."""
    from skseq import _scaling

    windows, targets = _windows_and_targets(_two_feature_series(200), horizon=2)
    whole = WindowScaler(method).fit(windows, targets)
    # 7 values per chunk: one window of 4 x 2 values per chunk, 196 chunks.
    monkeypatch.setattr(_scaling, "_CHUNK_VALUES", 7)
    chunked = WindowScaler(method).fit(windows, targets)
    monkeypatch.setattr(_scaling, "_CHUNK_VALUES", 8 * 13)  # a ragged last chunk
    ragged = WindowScaler(method).fit(windows, targets)
    # Summation order differs: equal to rounding, relative to the data (~100).
    for name in ScalingStats._fields:
        for scaler in (chunked, ragged):
            assert_allclose(
                getattr(scaler.stats_, name),
                getattr(whole.stats_, name),
                rtol=1e-12,
                atol=1e-12,
            )


@pytest.mark.parametrize("method", ["last", "mean", "standard"])
def test_a_constant_feature_keeps_scale_one(method):
    """A constant feature is not divided by zero: it scales to exactly 0."""
    t = np.arange(40.0)
    windows, targets = _windows_and_targets(
        np.column_stack([np.sin(t), np.full(40, 7.0)])
    )
    scaler = WindowScaler(method).fit(windows, targets)
    assert scaler.stats_.x_scale[1] == 1.0 and scaler.stats_.x_scale[0] != 1.0
    X = scaler.transform(windows)
    assert np.all(np.isfinite(X))
    assert_array_equal(X[:, :, 1], 0.0)


@pytest.mark.parametrize("method", ["last", "mean", "standard"])
def test_a_constant_series_scales_to_zeros_and_back(method):
    """A flat series: every statistic finite, scale 1, predictions of 7 stay 7."""
    windows, targets = _windows_and_targets(np.full(20, 7.0))
    scaler = WindowScaler(method).fit(windows, targets)
    assert_array_equal(scaler.stats_.x_scale, 1.0)
    assert_array_equal(scaler.stats_.y_scale, 1.0)
    zeros = scaler.transform_targets(targets, windows)
    assert_allclose(zeros, 0.0, atol=1e-12)
    assert_allclose(scaler.inverse_targets(zeros, windows), 7.0)


@pytest.mark.parametrize("magnitude", [1e300, 1e-300], ids=["1e300", "1e-300"])
@pytest.mark.parametrize("method", ["last", "mean", "standard"])
def test_huge_and_tiny_magnitudes_neither_overflow_nor_vanish(method, magnitude):
    """Squares of 1e300 would overflow: the statistics stay finite and exact."""
    series = np.sin(np.arange(40.0)) * magnitude
    windows, targets = _windows_and_targets(series)
    with np.errstate(over="raise", invalid="raise"):
        scaler = WindowScaler(method).fit(windows, targets)
    for name in ScalingStats._fields:
        assert np.all(np.isfinite(getattr(scaler.stats_, name)))
    assert 0.1 * magnitude < scaler.stats_.x_scale[0] < 10 * magnitude
    scaled = scaler.transform(windows)
    assert np.all(np.isfinite(scaled)) and np.abs(scaled).max() < 10
    y = scaler.transform_targets(targets, windows)
    assert_allclose(
        scaler.inverse_targets(y, windows), targets, rtol=1e-5, atol=1e-5 * magnitude
    )


def test_float32_and_integer_windows_are_scaled_in_float64():
    """Whatever the windows' dtype, statistics are float64 and equal."""
    ints = np.arange(30).reshape(10, 3, 1) * 1000 + 123456
    targets = np.arange(10.0)[:, None]
    as_int = WindowScaler("standard").fit(ints, targets)
    as_float = WindowScaler("standard").fit(ints.astype(np.float64), targets)
    assert as_int.stats_.x_mean.dtype == np.float64
    assert_array_equal(as_int.stats_.x_mean, as_float.stats_.x_mean)
    assert_array_equal(as_int.stats_.x_scale, as_float.stats_.x_scale)
    small = np.sin(np.arange(30.0)).reshape(10, 3, 1)
    f32 = WindowScaler("last").fit(small.astype(np.float32), targets)
    assert f32.stats_.x_scale.dtype == np.float64
    assert_allclose(
        f32.stats_.x_scale,
        WindowScaler("last").fit(small, targets).stats_.x_scale,
        rtol=1e-6,
    )


def test_a_large_offset_keeps_its_small_movements():
    """Around 1e6, steps of 0.1 survive referencing (float64 before float32)."""
    series = 1e6 + 0.1 * np.sin(np.arange(60) / 3)
    windows, targets = _windows_and_targets(series)
    scaler = WindowScaler("last").fit(windows, targets)
    baseline = WindowScaler("last").fit(windows - 1e6, targets - 1e6)
    assert_allclose(
        scaler.transform(windows), baseline.transform(windows - 1e6), atol=1e-4
    )
    assert_allclose(
        scaler.transform_targets(targets, windows),
        baseline.transform_targets(targets - 1e6, windows - 1e6),
        atol=1e-4,
    )


@pytest.mark.parametrize("scaling", METHODS)
def test_scaled_targets_invert_to_the_users_units(scaling):
    """transform_targets then inverse_targets gives the targets back (numpy)."""
    rng = np.random.default_rng(0)
    windows = 1e3 + rng.normal(size=(30, 4, 2)).cumsum(axis=1)
    targets = windows[:, -1, :1] + rng.normal(size=(30, 1))
    scaler = WindowScaler(scaling).fit(windows, targets)
    scaled = scaler.transform_targets(targets, windows).astype(np.float64)
    np.testing.assert_allclose(
        scaler.inverse_targets(scaled, windows), targets, rtol=1e-6
    )


def test_level_channels_are_the_standardized_references():
    """ "last+level" appends each window's last value, standardized on training."""
    rng = np.random.default_rng(1)
    windows = rng.normal(5.0, 2.0, size=(40, 3, 1))
    scaler = WindowScaler("last+level").fit(windows, windows[:, -1, 0])
    scaled = scaler.transform(windows)
    assert scaled.shape == (40, 3, 2)
    last = windows[:, -1, 0]
    expected = (last - last.mean()) / last.std()
    for step in range(3):  # the same level on every step of a window
        np.testing.assert_allclose(scaled[:, step, 1], expected, rtol=1e-5)
    # x - last is 0 at the last step of every window, before standardizing.
    np.testing.assert_allclose(scaled[:, -1, 0], scaled[0, -1, 0], rtol=1e-6)
    assert WindowScaler("last").fit(windows, last).transform(windows).shape[2] == 1
