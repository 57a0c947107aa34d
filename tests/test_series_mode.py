"""Series mode: fit(X, y=None) on the consecutive windows of one series."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score
from sklearn.pipeline import Pipeline

from conftest import FAST
from skseq import DenseRegressor, RNNRegressor, SequenceWindower, make_windows


def _pipe(model, window_length=2):
    return Pipeline(
        [("window", SequenceWindower(window_length=window_length)), ("model", model)]
    )


@pytest.fixture(scope="module")
def dense_on_sine():
    """A series-mode pipeline fitted once on the sine fixture, window_length 3."""
    sine = np.sin(np.arange(120) / 4)
    return _pipe(DenseRegressor(**FAST), 3).fit(sine)


def test_targets_are_the_values_that_follow_each_window():
    """Series mode trains on exactly make_windows' (X, y) pairs."""
    series = np.arange(40, dtype=float) ** 1.5
    windows = SequenceWindower(window_length=3).fit_transform(series)
    by_series = DenseRegressor(**FAST).fit(windows)
    X, y = make_windows(series, window_length=3)
    explicit = DenseRegressor(**FAST).fit(X, y)
    np.testing.assert_array_equal(by_series.predict(X), explicit.predict(X))
    np.testing.assert_array_equal(by_series.history_["loss"], explicit.history_["loss"])


@pytest.mark.parametrize("scaling", ["last", "mean", None])
def test_scaling_all_windows_at_once_or_batch_by_batch_is_the_same(
    scaling, monkeypatch, sine
):
    """Small data is scaled once per fit, long series batch by batch: same fit."""
    from skseq.regressors import _training

    def fit():
        model = RNNRegressor(
            units=8, epochs=3, batch_size=16, scaling=scaling, random_state=0
        )
        return _pipe(model, window_length=6).fit(sine)

    whole = fit()
    monkeypatch.setattr(_training, "_PRECOMPUTE_VALUES", 0)
    batched = fit()
    np.testing.assert_allclose(batched.predict(sine), whole.predict(sine), rtol=1e-6)
    np.testing.assert_allclose(
        batched[-1].history_["loss"], whole[-1].history_["loss"], rtol=1e-6
    )


@pytest.mark.parametrize(
    "model",
    [
        DenseRegressor(epochs=150, learning_rate=0.005, random_state=0),
        RNNRegressor(
            cell="gru", units=16, epochs=150, learning_rate=0.005, random_state=0
        ),
    ],
    ids=["dense", "gru"],
)
def test_series_mode_forecasts_held_out_sine_values(model):
    """Trained on sin(t) in series mode, the model predicts unseen values.

    One step is one radian, so targets misaligned by one step share almost no
    variance with the true ones (R² of sin(t + 1) against sin(t) is about
    0.08): R² > 0.9 is out of reach for a model trained on shifted targets.
    """
    series = np.sin(np.arange(300.0))
    pipe = _pipe(model, window_length=8).fit(series[:240])
    test = series[232:]  # the last 8 training values open the first test window
    assert pipe.score(test) > 0.9
    pred = pipe.predict(test)
    assert r2_score(test[8:], pred[:-1]) > 0.9
    misaligned = r2_score(test[9:], pred[:-2])
    assert misaligned < 0.9


def test_predict_returns_one_value_per_window_and_forecasts_last(dense_on_sine, sine):
    """predict(series) has one value per window; the last is the forecast."""
    pred = dense_on_sine.predict(sine)
    assert pred.shape == (len(sine) - 2,) and pred.dtype == np.float64
    np.testing.assert_allclose(pred[-1], dense_on_sine.predict(sine[-3:])[0])
    np.testing.assert_allclose(pred[:5], dense_on_sine.predict(sine[:7]))


def test_lesson_runs_unchanged_and_trains(lesson):
    """The lesson's SimpleRNN(500), Adam, 200 epochs, batch 1, as a pipeline.

    With scaling=None the math is plain Keras's. Seven windows of nearly
    patternless numbers cannot be fitted well (plain Keras reaches a training
    R² of about 0.3 on them too); what holds is that training lowers the loss,
    beats the mean and answers (5, 2) inside the series' range.
    """
    model = RNNRegressor(
        cell="simple",
        units=500,
        epochs=200,
        batch_size=1,
        scaling=None,
        random_state=0,
    )
    pipe = _pipe(model).fit(lesson)
    forecast = pipe.predict([5, 2])
    assert forecast.shape == (1,) and min(lesson) < forecast[0] < max(lesson)
    loss = model.history_["loss"]
    assert len(loss) == 200 and loss[-1] < 0.8 * loss[0]
    assert pipe.score(lesson) > 0


def test_score_without_y_is_r2_on_derived_targets(dense_on_sine, sine):
    """score(X) equals r2_score on the values that follow each window."""
    windows = SequenceWindower(window_length=3).fit_transform(sine)
    est = dense_on_sine[-1]
    expected = r2_score(sine[3:], est.predict(windows[:-1]))
    assert est.score(windows) == pytest.approx(expected)
    assert dense_on_sine.score(sine) == pytest.approx(expected)


def test_explicit_y_wins_over_series_mode(sine):
    """Given y, the windows need not be consecutive."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4, 1))
    est = DenseRegressor(**FAST).fit(X, rng.normal(size=30))
    assert est.predict(X).shape == (30,)


def test_non_consecutive_windows_without_y_are_refused():
    """Shuffled windows cannot give series-mode targets: a clear error."""
    windows = SequenceWindower(window_length=3).fit_transform(np.arange(20.0))
    shuffled = windows[np.random.default_rng(0).permutation(len(windows))]
    with pytest.raises(ValueError, match="not a sequence of consecutive windows"):
        DenseRegressor(**FAST).fit(shuffled)
    with pytest.raises(ValueError, match="requires y to be passed"):
        RNNRegressor(**FAST).fit(np.random.default_rng(0).normal(size=(10, 3)))


def test_one_window_is_too_few_for_series_mode():
    """Series mode needs a window with a following value."""
    with pytest.raises(ValueError, match="at least 2 consecutive windows.*n_windows=1"):
        _pipe(DenseRegressor(**FAST)).fit([1.0, 2.0])


def test_pandas_series_with_datetime_index(dense_on_sine, sine):
    """A pandas Series with a DatetimeIndex works like its values."""
    index = pd.date_range("2000-01-01", periods=len(sine), freq="D")
    series = pd.Series(sine, index=index)
    pipe = _pipe(DenseRegressor(**FAST), 3).fit(series)
    np.testing.assert_array_equal(pipe.predict(series), dense_on_sine.predict(sine))
    with pytest.raises(ValueError, match="monotonic"):
        _pipe(DenseRegressor(**FAST), 3).fit(series.sample(frac=1, random_state=0))


def test_multivariate_series_targets_the_first_feature(sine):
    """With several features, the target is the first one."""
    series = np.column_stack([sine, np.cos(np.arange(len(sine)))])
    windows = SequenceWindower(window_length=3).fit_transform(series)
    est = RNNRegressor(units=4, **FAST).fit(windows)
    expected = r2_score(sine[3:], est.predict(windows[:-1]))
    assert est.score(windows) == pytest.approx(expected)


def test_long_series_trains_without_materialising_its_windows():
    """Series mode gathers windows on the fly: memory grows with the series.

    The 200,000 windows of 64 steps would take 102 MB as float64; numpy
    allocations during fit stay a small multiple of the 1.6 MB series.
    """
    import tracemalloc

    series = np.sin(np.arange(200_000) / 50)
    windows = SequenceWindower(window_length=64).fit_transform(series)
    est = DenseRegressor((8,), epochs=1, batch_size=4096, random_state=0)
    est.fit(windows[:1000])  # TensorFlow's one-off set-up, not measured
    tracemalloc.start()
    est.fit(windows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10 * series.nbytes
    assert est.predict(windows[-3:]).shape == (3,)
