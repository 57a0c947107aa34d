"""ConformalRegressor on panels: per-series calibration, pooled scaled scores.

The baselines make these fast (no TensorFlow), so the coverage test can
afford many repetitions; the one Keras test is marked.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from conftest import FAST, make_panel
from skseq import (
    ConformalRegressor,
    NaiveRegressor,
    PerSeries,
    SeasonalNaiveRegressor,
    SequenceWindower,
    forecast,
)
from skseq.scoring import panel_predictions

LENGTHS = (80, 70, 60)


def _windower(k=3, **kwargs):
    return SequenceWindower(
        k, id_column="unique_id", time_column="ds", target_column="y", **kwargs
    )


def _pipe(model=None, k=3, **kwargs):
    model = NaiveRegressor() if model is None else model
    return Pipeline([("window", _windower(k, **kwargs)), ("model", model)])


def _frame(seed=0):
    return make_panel(seed, lengths=LENGTHS)


def _scored(cr, frame):
    """Which of predict_interval's rows have a scored target, and the targets."""
    found = panel_predictions(cr.estimator_, frame)
    starts = cr.estimator_[0].transform(frame).starts
    return np.isin(starts, found["panel"].starts), found["y_true"], found["series"]


def _random_walks(rng, n_rows, scales=(1000.0, 1.0, 0.01, 50.0)):
    frames = [
        pd.DataFrame(
            {
                "unique_id": f"s{j}",
                "ds": pd.date_range("2000-01-01", periods=n_rows, freq="MS"),
                "y": scale * (5 + np.cumsum(rng.standard_normal(n_rows))),
            }
        )
        for j, scale in enumerate(scales)
    ]
    return pd.concat(frames, ignore_index=True)


def test_calibrates_on_the_tail_of_every_series():
    """Each series holds out ceil(0.2 n) rows; the clone never saw them."""
    frame = _frame()
    cr = ConformalRegressor(_pipe(), coverage=0.8).fit(frame)
    held_out = [int(np.ceil(0.2 * n)) for n in LENGTHS]
    assert cr.conformity_scores_.shape == (sum(held_out), 1)
    ends = cr.calibration_estimator_[0].series_end_
    for j, (n, tail) in enumerate(zip(LENGTHS, held_out, strict=True)):
        times = frame.loc[frame.unique_id == f"s{j}", "ds"].sort_values()
        assert ends[f"s{j}"] == times.iloc[n - tail - 1]
    # refit=True: the model behind predict is the plain pipeline on all rows.
    np.testing.assert_array_equal(
        cr.predict(frame), clone(_pipe()).fit(frame).predict(frame)
    )
    # A count holds out that many rows of each series; horizon H leaves
    # count - H + 1 scores per series.
    cr = ConformalRegressor(
        _pipe(NaiveRegressor(horizon=3)), coverage=0.8, calibration_size=10
    ).fit(frame)
    assert cr.conformity_scores_.shape == (3 * (10 - 3 + 1), 3)


def test_predict_interval_shapes_and_order():
    frame = _frame()
    cr = ConformalRegressor(_pipe(), coverage=0.8).fit(frame)
    y_pred = cr.predict(frame)
    n = len(y_pred)
    assert cr.predict_interval(frame).shape == (n, 2)
    both = cr.predict_interval(frame, coverage=[0.8, 0.95])
    assert both.shape == (n, 2, 2)
    lower, upper = both[:, 0], both[:, 1]
    assert np.all(lower[:, 0] <= y_pred) and np.all(y_pred <= upper[:, 0])
    # 80% intervals lie inside 95% ones.
    assert np.all(lower[:, 1] <= lower[:, 0]) and np.all(upper[:, 0] <= upper[:, 1])
    np.testing.assert_allclose(both[..., 0], cr.predict_interval(frame, coverage=0.8))
    # Centred on the prediction of the same window, in the pipeline's order.
    np.testing.assert_allclose(both[:, :, 0].mean(axis=1), y_pred)
    cr = ConformalRegressor(
        _pipe(NaiveRegressor(horizon=2)), coverage=0.8, calibration_size=12
    ).fit(frame)
    assert cr.predict_interval(frame).shape == (n, 2, 2)
    assert cr.predict_interval(frame, coverage=[0.5, 0.8]).shape == (n, 2, 2, 2)


def test_one_width_per_series_and_step():
    """Absolute scores: within a series every window has the same width."""
    frame = _frame()
    cr = ConformalRegressor(
        _pipe(NaiveRegressor(horizon=2)),
        coverage=0.8,
        calibration_size=12,
        conformity_score="absolute",
    ).fit(frame)
    width = np.diff(cr.predict_interval(frame), axis=-1)[..., 0]  # (n, H)
    series = cr.estimator_[0].transform(frame).series
    per_series = [np.unique(np.round(width[series == j], 9), axis=0) for j in range(3)]
    assert all(len(w) == 1 for w in per_series)
    # The data's scales are 1000, 0.01 and 5: so are the widths' orders.
    first = np.array([w[0, 0] for w in per_series])
    assert first[0] > 100 * first[2] > 100 * first[1]


@pytest.mark.parametrize("score", ["normalized", "absolute"])
def test_panel_forecast_widths_never_narrow_with_the_step(score):
    """Series that flip sign each step: persistence errs by about 10 at odd
    steps and 0 at even ones; the issued width keeps step 1's."""
    rng = np.random.default_rng(2)
    n = 80
    flips = (-1.0) ** np.arange(n) * 5
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], n),
            "ds": np.tile(np.arange(n), 2),
            "y": np.r_[flips, 100 * flips] + rng.normal(scale=0.1, size=2 * n),
        }
    )
    cr = ConformalRegressor(
        _pipe(NaiveRegressor(horizon=3), k=4), coverage=0.8, conformity_score=score
    ).fit(frame)
    raw = np.quantile(cr.conformity_scores_, 0.8, axis=0)
    assert raw[1] < raw[0] / 10  # step 2's own quantile would narrow
    out = forecast(cr, frame, steps=3, coverage=[0.8, 0.95])
    for c in ("0.8", "0.95"):
        width = (out[f"upper_{c}"] - out[f"lower_{c}"]).to_numpy().reshape(2, 3)
        np.testing.assert_allclose(width[:, 1], width[:, 0])  # step 1's kept
        assert np.all(np.diff(width, axis=1) >= -1e-9 * width.max())


def test_forecast_frame_has_bounds_and_the_point_forecast():
    frame = _frame()
    cr = ConformalRegressor(
        _pipe(NaiveRegressor(horizon=2)), coverage=0.8, calibration_size=12
    ).fit(frame)
    for steps in (2, 5):  # direct, then recursive beyond the horizon
        out = forecast(cr, frame, steps=steps, coverage=0.8)
        plain = forecast(clone(cr.estimator).fit(frame), frame, steps=steps)
        assert list(out.columns) == ["unique_id", "ds", "y", "lower", "upper"]
        pd.testing.assert_frame_equal(out[["unique_id", "ds", "y"]], plain)
        pd.testing.assert_frame_equal(
            out[["unique_id", "ds", "y"]], forecast(cr, frame, steps=steps)
        )
        assert np.all(out.lower <= out.y) and np.all(out.y <= out.upper)
    many = forecast(cr, frame, steps=5, coverage=[0.8, 0.95])
    assert list(many.columns[3:]) == [
        "lower_0.8",
        "upper_0.8",
        "lower_0.95",
        "upper_0.95",
    ]
    assert np.all(many["lower_0.95"] <= many["lower_0.8"])
    assert np.all(many["upper_0.8"] <= many["upper_0.95"])
    np.testing.assert_allclose(many["lower_0.8"], out.lower)
    # Naive forecasts of random-walk-like data: later steps are less sure.
    width = (out.upper - out.lower).to_numpy().reshape(3, 5)
    assert np.all(width[:, -1] > width[:, 0])


def test_recursive_steps_are_calibrated_by_the_recursion():
    """Beyond the horizon, step s uses the errors of s-step recursions."""
    frame = _frame()
    cr = ConformalRegressor(_pipe(), coverage=0.8, conformity_score="absolute")
    cr.fit(frame)
    out = forecast(cr, frame, steps=3, coverage=0.8)
    # Naive persistence: the s-step recursion repeats the origin's value,
    # so its error is y[t + s] - y[t]. Rebuild step 3's scores by hand.
    scores = []
    scales = []
    for j, n in enumerate(LENGTHS):
        y = frame[frame.unique_id == f"s{j}"].sort_values("ds").y.to_numpy()
        head = n - int(np.ceil(0.2 * n))
        scale = np.mean(np.abs(np.diff(y[:head])))
        origins = np.arange(head - 1, n - 3)
        scores.append(np.abs(y[origins + 3] - y[origins]) / scale)
        scales.append(np.mean(np.abs(np.diff(y))))
    scores = np.sort(np.concatenate(scores))
    q = scores[int(np.ceil((len(scores) + 1) * 0.8)) - 1]
    last = out.groupby("unique_id").nth(2)
    np.testing.assert_allclose(last.upper - last.y, q * np.array(scales))


def test_multiplying_one_series_scales_only_its_intervals():
    frame = _frame()
    scaled = frame.copy()
    scaled.loc[scaled.unique_id == "s1", "y"] *= 8
    for score in ("absolute", "normalized"):
        for model in (NaiveRegressor(horizon=2), SeasonalNaiveRegressor(4)):
            cr = ConformalRegressor(
                _pipe(model, k=4), coverage=0.8, conformity_score=score
            )
            a, b = clone(cr).fit(frame), clone(cr).fit(scaled)
            series = a.estimator_[0].transform(frame).series
            factor = np.where(series == 1, 8.0, 1.0)
            factor = factor.reshape(-1, *([1] * (a.predict_interval(frame).ndim - 1)))
            np.testing.assert_allclose(
                b.predict_interval(scaled), a.predict_interval(frame) * factor
            )
            fa = forecast(a, frame, steps=5, coverage=0.8)
            fb = forecast(b, scaled, steps=5, coverage=0.8)
            factor = np.where(fa.unique_id == "s1", 8.0, 1.0)
            for column in ("y", "lower", "upper"):
                np.testing.assert_allclose(fb[column], fa[column] * factor)
    # A series the model never saw is scaled by its own history.
    new = frame[frame.unique_id == "s1"].assign(unique_id="s9", y=lambda f: f.y * 8)
    cr = ConformalRegressor(_pipe(), coverage=0.8).fit(frame)
    out = forecast(cr, pd.concat([frame, new]), steps=3, coverage=0.8)
    s1, s9 = out[out.unique_id == "s1"], out[out.unique_id == "s9"]
    for column in ("y", "lower", "upper"):
        np.testing.assert_allclose(s9[column].to_numpy(), 8 * s1[column].to_numpy())


@pytest.mark.parametrize("score", ["normalized", "absolute"])
def test_coverage_on_exchangeable_panels_is_nominal(score):
    """Random walks of scales 1000 to 0.01, naive forecasts, 150 repetitions.

    Each series holds out 15 rows (60 pooled scores, so the mean coverage
    lies in [0.9, 0.9 + 1/61] in theory); the next 10 values of every series
    are scored one step ahead. Pooled residuals without a per-series scale
    would cover the large series and miss the small ones; here every
    series' coverage is near 0.9 too.
    """
    rng = np.random.default_rng(0)
    cr = ConformalRegressor(
        _pipe(k=2), coverage=0.9, calibration_size=15, conformity_score=score
    )
    inside = []
    for _ in range(150):
        frame = _random_walks(rng, 70)
        train = frame.groupby("unique_id").head(60)
        fitted = clone(cr).fit(train)
        scored, y_true, series = _scored(fitted, frame)
        bounds = fitted.predict_interval(frame)[scored]
        hit = (bounds[:, 0] <= y_true[:, 0]) & (y_true[:, 0] <= bounds[:, 1])
        inside.append(pd.Series(hit, index=series))
    inside = pd.concat(inside)
    per_series = inside.groupby(level=0).mean()
    print(f"{score}: pooled {inside.mean():.3f}, per series", end=" ")
    print(per_series.round(3).to_dict())
    assert len(inside) == 150 * 4 * 10
    assert 0.885 <= inside.mean() <= 0.93
    assert per_series.between(0.86, 0.95).all(), per_series


@pytest.mark.parametrize("score", ["normalized", "absolute"])
def test_coverage_of_recursive_forecasts_is_nominal(score):
    """Three steps ahead from the end of each series, 150 repetitions."""
    rng = np.random.default_rng(1)
    cr = ConformalRegressor(
        _pipe(k=2), coverage=0.8, calibration_size=20, conformity_score=score
    )
    hits = []
    for _ in range(150):
        frame = _random_walks(rng, 63)
        train = frame.groupby("unique_id").head(60)
        out = forecast(clone(cr).fit(train), train, steps=3, coverage=0.8)
        truth = frame.groupby("unique_id").tail(3).y.to_numpy()
        hits.append((out.lower.to_numpy() <= truth) & (truth <= out.upper.to_numpy()))
    hits = np.array(hits).reshape(-1, 4, 3)
    step_coverage = hits.mean(axis=(0, 1))
    print(f"{score}: steps 1-3 {step_coverage.round(3)}")
    assert np.all((0.74 <= step_coverage) & (step_coverage <= 0.87)), step_coverage


def test_future_columns_ride_along():
    frame = _frame().assign(promo=lambda f: (f.ds.dt.month == 12).astype(float))
    cr = ConformalRegressor(
        _pipe(NaiveRegressor(horizon=2), future_columns=["promo"]), coverage=0.8
    ).fit(frame)
    ahead = forecast(_pipe().fit(frame.drop(columns="promo")), frame, steps=4)
    future = ahead.drop(columns="y").assign(promo=0.0)
    with pytest.raises(ValueError, match="pass future="):
        forecast(cr, frame, steps=4, coverage=0.8)
    out = forecast(cr, frame, steps=4, coverage=0.8, future=future)
    plain = forecast(cr.estimator_, frame, steps=4, future=future)
    pd.testing.assert_frame_equal(out[plain.columns], plain)
    assert np.all(out.lower < out.y) and np.all(out.y < out.upper)


def test_clone_and_pickle_give_identical_intervals():
    frame = _frame()
    cr = ConformalRegressor(_pipe(NaiveRegressor(horizon=2)), coverage=0.8).fit(frame)
    expected = cr.predict_interval(frame, coverage=[0.8, 0.9])
    expected_forecast = forecast(cr, frame, steps=5, coverage=0.8)
    again = pickle.loads(pickle.dumps(cr))
    np.testing.assert_array_equal(again.predict_interval(frame, [0.8, 0.9]), expected)
    pd.testing.assert_frame_equal(
        forecast(again, frame, steps=5, coverage=0.8), expected_forecast
    )
    refitted = clone(cr).fit(frame)
    np.testing.assert_array_equal(
        refitted.predict_interval(frame, [0.8, 0.9]), expected
    )
    pd.testing.assert_frame_equal(
        forecast(refitted, frame, steps=5, coverage=0.8), expected_forecast
    )
    # Rows in another order: the same intervals (a panel is ordered by id, time).
    shuffled = frame.sample(frac=1, random_state=3)
    np.testing.assert_array_equal(
        clone(cr).fit(shuffled).predict_interval(shuffled, [0.8, 0.9]), expected
    )


def test_a_refit_on_one_series_forgets_the_panel():
    frame = _frame()
    cr = ConformalRegressor(_pipe(), coverage=0.8).fit(frame)
    series = np.sin(np.arange(80) / 4)
    one = ConformalRegressor(
        Pipeline([("window", SequenceWindower(3)), ("model", NaiveRegressor())]),
        coverage=0.8,
    )
    cr.set_params(estimator=one.estimator).fit(series)
    np.testing.assert_allclose(
        cr.predict_interval(series), clone(one).fit(series).predict_interval(series)
    )
    assert list(forecast(cr, series, 3, coverage=0.8).columns) == [
        "forecast",
        "lower",
        "upper",
    ]


def test_refit_false_keeps_the_calibration_model():
    frame = _frame()
    cr = ConformalRegressor(_pipe(), coverage=0.8, refit=False).fit(frame)
    assert cr.estimator_ is cr.calibration_estimator_
    out = forecast(cr, frame, steps=2, coverage=0.8)
    assert np.all(out.lower <= out.y) and np.all(out.y <= out.upper)
    scored, y_true, _ = _scored(cr, frame)
    assert scored.sum() == cr.conformity_scores_.shape[0]


def test_short_series_are_named_and_still_forecast():
    frame = make_panel(lengths=(80, 70, 6))
    with pytest.warns(UserWarning, match=r"1 series are too short to calibrate.*'s2'"):
        cr = ConformalRegressor(_pipe(k=4), coverage=0.8).fit(frame)
    assert cr.conformity_scores_.shape == (16 + 14, 1)
    out = forecast(cr, frame, steps=2, coverage=0.8)
    assert set(out.unique_id) == {"s0", "s1", "s2"}
    assert out.notna().all().all()
    # A count of rows per series that a series does not have skips it too.
    with pytest.warns(UserWarning, match=r"too short to calibrate on.*: 's2'\."):
        cr = ConformalRegressor(_pipe(), coverage=0.8, calibration_size=60)
        cr.fit(_frame())
    assert cr.conformity_scores_.shape == (2 * 60, 1)


def test_clear_errors():
    frame = _frame()
    with pytest.raises(ValueError, match=r"Too few calibration residuals.*needs at "):
        ConformalRegressor(_pipe(), coverage=0.99).fit(frame)
    with pytest.raises(ValueError, match=r"calibration_size=77 leaves no series"):
        ConformalRegressor(_pipe(), calibration_size=77).fit(frame)
    with pytest.raises(ValueError, match="leaves no series with"):
        ConformalRegressor(_pipe(), calibration_size=0.97).fit(frame)
    with pytest.raises(ValueError, match="on a panel use method='split'"):
        ConformalRegressor(_pipe(), method="aci").fit(frame)
    cr = ConformalRegressor(_pipe(), coverage=0.8, calibration_size=10).fit(frame)
    with pytest.raises(ValueError, match="fitted on a panel"):
        cr.update([1.0, 2.0])
    # Ten rows held out give no error 10 steps after a held-out origin.
    with pytest.raises(ValueError, match=r"a forecast of steps=10 \(horizon=1\)"):
        forecast(cr, frame, steps=10, coverage=0.8)
    with pytest.raises(ValueError, match="coverage must be a fraction"):
        cr.predict_interval(frame, coverage=90)
    with pytest.raises(ValueError, match="one value per window"):
        ConformalRegressor(_pipe()).fit(frame, model__sample_weight=np.ones(10))
    with pytest.raises(TypeError, match="PerSeries fits one model per series"):
        ConformalRegressor(PerSeries(_pipe()), coverage=0.8).fit(frame)
    late = Pipeline([("scale", FunctionTransformer()), *_pipe().steps])
    with pytest.raises(TypeError, match="must be the pipeline's first step"):
        ConformalRegressor(late, coverage=0.8).fit(frame)


@pytest.mark.keras
def test_a_global_network_scales_with_each_series():
    """A Dense network with the panel default scaling (each window's own):
    multiplying one series by 8 multiplies its forecast and bounds by 8."""
    from skseq import DenseRegressor

    frame = _frame()
    scaled = frame.copy()
    scaled.loc[scaled.unique_id == "s1", "y"] *= 8
    cr = ConformalRegressor(_pipe(DenseRegressor(**FAST), k=4), coverage=0.8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fa = forecast(clone(cr).fit(frame), frame, steps=3, coverage=0.8)
        fb = forecast(clone(cr).fit(scaled), scaled, steps=3, coverage=0.8)
    factor = np.where(fa.unique_id == "s1", 8.0, 1.0)
    for column in ("y", "lower", "upper"):
        np.testing.assert_allclose(fb[column], fa[column] * factor, rtol=1e-4)
    assert np.all(fa.lower <= fa.y) and np.all(fa.y <= fa.upper)


def test_compare_on_a_panel_reports_the_intervals():
    """Point columns as for the plain pipeline; coverage, width and Winkler."""
    from skseq import compare

    frame = _frame()
    models = {"naive": _pipe(), "conformal": ConformalRegressor(_pipe(), coverage=0.8)}
    table = compare(models, frame, cv=2, season_length=4)
    for column in ("mae", "rmse", "mase_mean", "mase_median"):
        assert table.loc["conformal", column] == pytest.approx(
            table.loc["naive", column]
        )
    assert np.isnan(table.loc["naive", ["coverage", "mean_width", "winkler"]]).all()
    assert 0 < table.loc["conformal", "coverage"] <= 1
    assert table.loc["conformal", "winkler"] >= table.loc["conformal", "mean_width"] > 0


def test_cli_compare_on_a_panel_with_coverage(tmp_path, capsys, monkeypatch):
    """skseq compare --csv panel --id-column ... --coverage 0.8 (networks stubbed)."""
    from skseq import cli

    def baselines(window_length, epochs, windower, **_):
        return {"Naive": Pipeline([("window", windower), ("m", NaiveRegressor())])}

    monkeypatch.setattr(cli, "architectures", baselines)
    path = tmp_path / "panel.csv"
    _frame().to_csv(path, index=False)
    args = ["compare", "--csv", str(path), "--id-column", "unique_id"]
    args += ["--time-column", "ds", "--column", "y", "--window-length", "3"]
    args += ["--test-size", "6", "--folds", "2", "--coverage", "0.8", "--quiet"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "coverage" in line.split())
    for column in ("coverage", "mean_width", "winkler", "mase_mean"):
        assert column in header.split()
