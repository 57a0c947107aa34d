"""One network over many series: scale, future-known inputs, round trips."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from conftest import make_panel
from skseq import DenseRegressor, RNNRegressor, SequenceWindower, forecast
from skseq._panel import PanelWindows


def panel_pipe(model, k=4, **window):
    win = SequenceWindower(
        k, id_column="unique_id", time_column="ds", target_column="y", **window
    )
    return Pipeline([("window", win), ("model", model)])


def test_one_series_scaled_changes_nothing_else():
    """Multiplying one series by a constant scales its forecast, no other's."""
    panel = make_panel()
    pipe = panel_pipe(DenseRegressor((16,), epochs=5, random_state=0, horizon=2))
    before = forecast(clone(pipe).fit(panel), panel, steps=4)
    for factor, rtol in ((8.0, 1e-12), (1000.0, 1e-4)):
        scaled = panel.copy()
        mine = scaled.unique_id == "s1"
        scaled.loc[mine, "y"] *= factor
        after = forecast(clone(pipe).fit(scaled), scaled, steps=4)
        others = before.unique_id != "s1"
        np.testing.assert_allclose(after.y[others], before.y[others], rtol=rtol)
        np.testing.assert_allclose(
            after.y[~others], factor * before.y[~others], rtol=rtol
        )


def test_the_default_scaling_of_a_panel_is_per_window():
    panel = make_panel()
    model = panel_pipe(DenseRegressor(epochs=1, random_state=0)).fit(panel)[-1]
    assert model._scaler.method == "window"
    # One series: unchanged default.
    series = np.sin(np.arange(40) / 3)
    single = Pipeline([("w", SequenceWindower(4)), ("m", DenseRegressor(epochs=1))])
    assert single.fit(series)[-1]._scaler.method == "last+level"


def promo_panel(seed=0, n_series=6, n=80):
    """Series whose value jumps by half its level on promotion days."""
    rng = np.random.default_rng(seed)
    frames = []
    for j in range(n_series):
        level = 10.0 ** rng.uniform(0, 3)
        promo = (rng.random(n) < 0.25).astype(float)
        noise = 0.02 * rng.standard_normal(n)
        frames.append(
            pd.DataFrame(
                {
                    "unique_id": f"p{j}",
                    "ds": np.arange(n),
                    "y": level * (1 + 0.5 * promo + noise),
                    "promo": promo,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_a_promotion_known_ahead_changes_its_days_forecast():
    panel = promo_panel()
    pipe = panel_pipe(
        DenseRegressor((16,), epochs=60, random_state=0, horizon=3),
        future_columns=["promo"],
    ).fit(panel)
    base = panel.groupby("unique_id").ds.max()
    rows = [
        {"unique_id": i, "ds": end + h, "promo": 0.0}
        for i, end in base.items()
        for h in (1, 2, 3)
    ]
    quiet = pd.DataFrame(rows)
    busy = quiet.assign(promo=(quiet.ds == quiet.unique_id.map(base) + 2).astype(float))
    calm = forecast(pipe, panel, steps=3, future=quiet)
    promoted = forecast(pipe, panel, steps=3, future=busy)
    levels = panel[panel.promo == 0].groupby("unique_id").y.mean()
    lift = (promoted.y - calm.y).to_numpy().reshape(-1, 3) / levels.to_numpy()[:, None]
    # The true effect is +0.5 of the level on the promotion day, none else.
    assert np.all(np.abs(lift[:, 1] - 0.5) < 0.15)
    assert np.all(np.abs(lift[:, [0, 2]]) < 0.1)


def test_recurrent_panel_model_round_trips_through_pickle():
    panel = make_panel()
    pipe = panel_pipe(RNNRegressor("gru", 8, epochs=3, random_state=0)).fit(panel)
    again = pickle.loads(pickle.dumps(pipe))
    pd.testing.assert_frame_equal(forecast(pipe, panel, 5), forecast(again, panel, 5))
    windows = pipe[0].transform(panel)
    np.testing.assert_array_equal(pipe.predict(panel), again.predict(panel))
    assert len(pipe.predict(panel)) == len(windows)


def test_same_seed_same_panel_model_whatever_the_row_order():
    panel = make_panel()
    pipe = panel_pipe(DenseRegressor((8,), epochs=3, random_state=1))
    first = forecast(clone(pipe).fit(panel), panel, 3)
    shuffled = panel.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(
        first, forecast(clone(pipe).fit(shuffled), shuffled, 3)
    )


def test_early_stopping_validates_on_every_series_end():
    panel = make_panel()
    model = DenseRegressor(
        (8,), epochs=30, early_stopping=True, n_iter_no_change=3, random_state=0
    )
    windows = SequenceWindower(
        4, id_column="unique_id", time_column="ds", target_column="y"
    ).fit_transform(panel)
    model.fit(windows)
    assert "val_loss" in model.history_
    plan = model._training_plan(len(windows.starts) - 3, 30, windows.series[:-3])
    # Each series gives its last windows to validation, none crosses series.
    val_series = set(windows.series[plan.val_index])
    assert val_series == {0, 1, 2}


def test_panel_training_gathers_windows_batch_by_batch():
    """The windows of a long panel are never materialised whole."""
    import tracemalloc

    n_series, n = 50, 4000
    t = np.arange(n)
    panel = pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(n_series), n),
            "ds": np.tile(t, n_series),
            "y": np.concatenate([np.sin(t / 30 + j) + 2 for j in range(n_series)]),
        }
    )
    windows = SequenceWindower(
        64, id_column="unique_id", time_column="ds", target_column="y"
    ).fit_transform(panel)
    assert isinstance(windows, PanelWindows)
    est = DenseRegressor((8,), epochs=1, batch_size=4096, random_state=0)
    est.fit(windows.select(slice(0, 1000)))  # TensorFlow's one-off set-up
    tracemalloc.start()
    est.fit(windows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The 200,000 windows of 64 steps would take 102 MB as float64.
    assert peak < 10 * windows.values.nbytes
    assert est.predict(windows.select(slice(-3, None))).shape == (3,)


def test_predicting_plain_windows_after_future_columns_is_refused():
    panel = promo_panel(n_series=2, n=30)
    pipe = panel_pipe(DenseRegressor(epochs=1), future_columns=["promo"]).fit(panel)
    with pytest.raises(ValueError, match="fitted on a panel with future columns"):
        pipe[-1].predict(np.zeros((2, 4, 1)))


def test_windows_of_zeros_do_not_make_forecasts_depend_on_units():
    """Intermittent series: all-zero windows are left out and forecast 0."""
    rng = np.random.default_rng(0)
    t = np.arange(40)
    panel = pd.concat(
        [
            pd.DataFrame({"unique_id": "a", "ds": t, "y": 5 + np.sin(t / 2)}),
            pd.DataFrame(
                {
                    "unique_id": "b",
                    "ds": t,
                    "y": (rng.random(40) < 0.3) * rng.integers(1, 5, 40) * 1.0,
                }
            ),
        ]
    )
    pipe = panel_pipe(DenseRegressor(epochs=3, random_state=0))
    with pytest.warns(UserWarning, match="all zero.*left out of training"):
        before = forecast(clone(pipe).fit(panel), panel, steps=1)
    scaled = panel.assign(y=np.where(panel.unique_id == "b", 1024 * panel.y, panel.y))
    with pytest.warns(UserWarning, match="all zero"):
        after = forecast(clone(pipe).fit(scaled), scaled, steps=1)
    assert after.y[0] == before.y[0]  # series a, untouched
    assert after.y[1] == pytest.approx(1024 * before.y[1], rel=1e-12)
    windows = pipe[0].fit_transform(panel)
    zeros = ~np.asarray(windows)[:, :, 0].any(axis=1)
    with pytest.warns(UserWarning, match="all zero"):
        fitted = clone(pipe).fit(panel)
    predicted = fitted[-1].predict(windows)
    assert zeros.any() and np.all(predicted[zeros] == 0)
