"""Real-data features: trend-proof scaling, horizons, forecasts, early stopping.

forecast()'s own logic (recursion, direct forecasts, dates, errors) is checked
on the naive baselines in milliseconds; the Keras tests fit networks.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from conftest import FAST
from skseq import (
    NaiveRegressor,
    SeasonalNaiveRegressor,
    SequenceWindower,
    forecast,
)

PERIOD = [1.0, 4.0, 2.0, 8.0]


def _pipe(model, window_length=6):
    return make_pipeline(SequenceWindower(window_length), model)


def _dense(**params):
    from skseq import DenseRegressor

    return DenseRegressor(**params)


# forecast() on baselines ---------------------------------------------------


@pytest.mark.parametrize("horizon", [1, 3])
def test_recursive_forecast_feeds_each_prediction_back(horizon):
    """Predictions join the next windows: a seasonal model continues its season.

    With horizon < steps the forecast goes on horizon values at a time.
    """
    series = np.tile(PERIOD, 5)[:-1]  # ends one step into a season
    pipe = _pipe(SeasonalNaiveRegressor(4, horizon=horizon), 4).fit(series)
    future = forecast(pipe, series, steps=10)
    assert future.shape == (10,) and future.dtype == np.float64
    np.testing.assert_array_equal(future, np.tile(PERIOD, 4)[3:13])
    walk = np.cumsum(np.random.default_rng(0).normal(size=30))
    naive = _pipe(NaiveRegressor(horizon=horizon), 4).fit(walk)
    np.testing.assert_array_equal(forecast(naive, walk, steps=5), [walk[-1]] * 5)


def test_direct_forecast_uses_the_last_windows_horizon():
    """With horizon >= steps the forecast is the last window's predictions."""
    series = np.arange(20.0) ** 2
    pipe = _pipe(SeasonalNaiveRegressor(4, horizon=4), 4).fit(series)
    np.testing.assert_array_equal(
        forecast(pipe, series, steps=3), pipe.predict(series)[-1, :3]
    )
    np.testing.assert_array_equal(forecast(pipe, series, steps=3), series[-4:-1])


def test_multivariate_series_forecast_directly_or_not_at_all():
    """Several features: a direct forecast works, a recursive one is refused."""
    t = np.arange(30.0)
    series = np.column_stack([t, -t])
    direct = _pipe(NaiveRegressor(horizon=3), 4).fit(series)
    np.testing.assert_array_equal(forecast(direct, series, steps=2), [29.0, 29.0])
    with pytest.raises(
        ValueError, match="needs a series of one feature; this one has 2"
    ):
        forecast(direct, series, steps=4)
    column = _pipe(NaiveRegressor(), 4).fit(t.reshape(-1, 1))
    assert forecast(column, t.reshape(-1, 1), steps=2).tolist() == [29.0, 29.0]


def test_forecast_of_a_dated_series_is_indexed_by_future_dates():
    """A monthly series gets its forecast on the following months."""
    index = pd.date_range("2000-01-01", periods=60, freq="MS")
    series = pd.Series(np.sin(np.arange(60) / 3), index=index, name="load")
    pipe = _pipe(NaiveRegressor()).fit(series)
    future = forecast(pipe, series, steps=3)
    assert isinstance(future, pd.Series) and future.name == "load"
    assert list(future.index.strftime("%Y-%m")) == ["2005-01", "2005-02", "2005-03"]
    np.testing.assert_array_equal(future, [series.iloc[-1]] * 3)
    assert isinstance(forecast(pipe, series.to_numpy(), steps=3), np.ndarray)


def test_forecast_refuses_bad_requests(sine):
    """Bad steps, a bare estimator or a short series give clear errors."""
    pipe = _pipe(NaiveRegressor()).fit(sine)
    for steps in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="steps must be an int >= 1"):
            forecast(pipe, sine, steps=steps)
    with pytest.raises(TypeError, match="starts with a SequenceWindower"):
        forecast(pipe[-1], sine, steps=2)
    with pytest.raises(ValueError, match="n_samples=3"):
        forecast(pipe, sine[:3], steps=2)


# Keras fits ----------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize("scaling", ["last", "mean", "standard", None])
def test_every_scaling_is_inverted_to_the_users_units(scaling, sine):
    """Whatever the scaling, a level shift of the data shifts the predictions."""
    params = {**FAST, "epochs": 30, "learning_rate": 0.01, "scaling": scaling}
    low = _pipe(_dense(**params)).fit(sine).predict(sine)
    high = _pipe(_dense(**params)).fit(sine + 1000).predict(sine + 1000)
    if scaling is not None:  # raw values at 1000 train differently
        np.testing.assert_allclose(high - 1000, low, atol=1e-3)
    assert np.all(np.abs(high - 1000) < 5)


@pytest.mark.keras
def test_last_value_scaling_extrapolates_a_trend():
    """Trained on a rising series, 'last' forecasts beyond the training range.

    Global standardization cannot: its network saw only levels inside the
    training range and saturates there.
    """
    t = np.arange(200.0)
    series = 0.5 * t + np.sin(t / 3)
    errors = {}
    for scaling in ("last", "standard"):
        model = _dense(epochs=60, learning_rate=0.01, scaling=scaling)
        pipe = _pipe(model.set_params(random_state=0), 8).fit(series[:150])
        test = series[142:]
        errors[scaling] = np.mean(np.abs(pipe.predict(test)[:-1] - test[8:]))
    assert errors["last"] < 1.0
    assert errors["last"] < errors["standard"] / 3


@pytest.mark.keras
@pytest.mark.parametrize("name", ["DenseRegressor", "RNNRegressor"])
def test_horizon_targets_are_the_next_values(name, sine):
    """horizon=H trains on the next H values and predicts (n_windows, H)."""
    import skseq

    Regressor = getattr(skseq, name)
    windows = SequenceWindower(5).fit_transform(sine)
    est = Regressor(horizon=3, **{**FAST, "epochs": 40, "learning_rate": 0.01})
    est.fit(windows)
    pred = est.predict(windows)
    assert pred.shape == (len(windows), 3)
    # Targets of window i are sine[i + 5 : i + 8]; trained well enough to track.
    truth = np.stack([sine[i + 5 : i + 8] for i in range(len(windows) - 3)])
    assert np.mean(np.abs(pred[:-3] - truth)) < 0.2
    assert -1 <= est.score(windows) <= 1


@pytest.mark.keras
def test_horizon_with_explicit_y_needs_one_column_per_step(sine):
    """An explicit y must match the horizon."""
    X = SequenceWindower(4).fit_transform(sine)[:-1]
    with pytest.raises(ValueError, match="horizon=2 but y has 1 column"):
        _dense(horizon=2, **FAST).fit(X, sine[4:])


@pytest.mark.keras
def test_recursive_forecast_continues_a_sine():
    """forecast() feeds predictions back and stays close to the truth."""
    series = np.sin(np.arange(230.0) / 2)
    model = _dense(epochs=80, learning_rate=0.01, random_state=0)
    pipe = _pipe(model, 10).fit(series[:200])
    future = forecast(pipe, series[:200], steps=10)
    assert future.shape == (10,)
    assert np.mean(np.abs(future - series[200:210])) < 0.1
    assert future[0] == pytest.approx(pipe.predict(series[190:200])[0])


@pytest.mark.keras
def test_early_stopping_validates_on_the_last_windows_and_restores_the_best(sine):
    """val_loss is recorded, training stops early, and the best weights return."""
    est = _dense(
        epochs=300,
        learning_rate=0.05,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        random_state=0,
    )
    windows = SequenceWindower(6).fit_transform(sine)
    est.fit(windows)
    history = est.history_
    assert len(history["loss"]) == len(history["val_loss"]) < 300
    best = int(np.argmin(history["val_loss"]))
    assert len(history["val_loss"]) == best + 1 + 5
    # The restored weights reproduce the best validation loss.
    n = len(windows) - 1
    val = slice(n - round(0.2 * n), n)
    scaled_pred = est.model_.predict_on_batch(est._scaler.transform(windows[val]))
    targets = est._scaler.transform_targets(sine[6:][val], windows[val])
    assert np.mean((scaled_pred - targets) ** 2) == pytest.approx(
        history["val_loss"][best], rel=1e-4
    )


@pytest.mark.keras
def test_early_stopping_needs_training_windows(sine):
    """A validation share that leaves nothing to train on is refused."""
    windows = SequenceWindower(6).fit_transform(sine[:10])
    est = _dense(early_stopping=True, validation_fraction=0.9, horizon=3)
    with pytest.raises(ValueError, match="leaves no training window"):
        est.set_params(**FAST).fit(windows)
