"""Panels without Keras: the windower on long frames, the splitter, forecasts
with the baselines, and the errors a user meets."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_validate, validation_curve
from sklearn.pipeline import Pipeline

from conftest import make_panel
from skseq import (
    NaiveRegressor,
    PanelTimeSeriesSplit,
    PerSeries,
    SeasonalNaiveRegressor,
    SequenceWindower,
    compare,
    forecast,
    make_series_scorer,
)
from skseq._panel import PanelWindows
from skseq.datasets import load_grunfeld


def windower(k=3, **kwargs):
    return SequenceWindower(
        k, id_column="unique_id", time_column="ds", target_column="y", **kwargs
    )


def naive_pipe(k=3):
    return Pipeline([("window", windower(k)), ("model", NaiveRegressor())])


def test_windows_stay_inside_their_series():
    panel = make_panel()
    windows = windower(4).fit_transform(panel)
    assert isinstance(windows, PanelWindows)
    assert windows.shape == (40 - 3 + 30 - 3 + 24 - 3, 4, 1)
    array = np.asarray(windows)
    for i, start in enumerate(windows.starts):
        series = windows.series[i]
        a, b = windows.bounds[series]
        assert a <= start and start + 4 <= b
        np.testing.assert_array_equal(
            array[i, :, 0], windows.values[start : start + 4, 0]
        )


def test_naive_forecast_is_each_series_last_value():
    """No window and no target crosses series: persistence repeats each own end."""
    panel = make_panel()
    pipe = naive_pipe().fit(panel)
    out = forecast(pipe, panel, steps=3)
    assert list(out.columns) == ["unique_id", "ds", "y"]
    for series_id, rows in panel.groupby("unique_id"):
        last = rows.sort_values("ds").iloc[-1]
        mine = out[out.unique_id == series_id]
        assert len(mine) == 3
        np.testing.assert_array_equal(mine.y, [last.y] * 3)
        expected = pd.date_range(last.ds, periods=4, freq="MS")[1:]
        np.testing.assert_array_equal(mine.ds, expected)


def test_row_order_does_not_matter():
    panel = make_panel()
    reordered = panel.sample(frac=1, random_state=7)
    pipe = Pipeline([("window", windower(4)), ("model", SeasonalNaiveRegressor(2))])
    first = forecast(clone(pipe).fit(panel), panel, steps=4)
    second = forecast(clone(pipe).fit(reordered), reordered, steps=4)
    pd.testing.assert_frame_equal(first, second)


def test_integer_times_continue_with_their_step():
    panel = pd.DataFrame(
        {"unique_id": ["a"] * 5 + ["b"] * 4, "ds": [0, 2, 4, 6, 8, 10, 11, 12, 13],
         "y": np.arange(9.0)}
    )  # fmt: skip
    out = forecast(naive_pipe(2).fit(panel), panel, steps=2)
    assert out.ds.tolist() == [10, 12, 14, 15]


def test_integer_ids_stay_integers_and_a_ragged_end_warns():
    panel = make_panel()
    panel["unique_id"] = panel.unique_id.str[1:].astype(int)
    pipe = naive_pipe().fit(panel)
    assert forecast(pipe, panel, steps=1).unique_id.tolist() == [0, 1, 2]
    last = panel.loc[panel.unique_id == 1, "ds"].max()
    panel.loc[(panel.unique_id == 1) & (panel.ds == last), "y"] = np.nan
    with pytest.warns(UserWarning, match=r"missing values \(NaN\).*: 1\. Drop"):
        out = forecast(pipe, panel, steps=1)
    assert np.isnan(out.y[1]) and np.isfinite(out.y[[0, 2]]).all()


def test_unseen_series_is_forecast_from_its_own_history():
    panel = make_panel()
    pipe = naive_pipe().fit(panel[panel.unique_id != "s2"])
    out = forecast(pipe, panel, steps=1)
    last = panel[panel.unique_id == "s2"].sort_values("ds").y.iloc[-1]
    assert out.loc[out.unique_id == "s2", "y"].item() == last


def test_splitter_never_tests_before_training_end():
    panel = make_panel()
    cv = PanelTimeSeriesSplit(n_splits=3, test_size=4)
    folds = list(cv.split(panel))
    assert len(folds) == cv.get_n_splits() == 3
    for train, test in folds:
        train_end = panel.iloc[train].groupby("unique_id").ds.max()
        pipe = naive_pipe().fit(panel.iloc[train])
        windows = pipe[0].transform(panel.iloc[test])
        scored, y = pipe[-1].series_targets(windows)
        ends = scored.times[scored.starts + scored.window_length]
        ids = scored.ids[scored.series]
        assert len(y) == 3 * 4  # test_size targets of each series
        assert all(end > train_end[i] for end, i in zip(ends, ids, strict=True))
    # The last fold tests each series' last test_size steps.
    last_train = panel.iloc[folds[-1][0]]
    counts = last_train.groupby("unique_id").size()
    assert counts.to_dict() == {"s0": 36, "s1": 26, "s2": 20}


def test_splitter_options():
    panel = make_panel()
    cv = PanelTimeSeriesSplit(n_splits=2, test_size=3, max_train_size=10, context=5)
    for train, test in cv.split(panel):
        sizes = panel.iloc[train].groupby("unique_id").size()
        assert (sizes <= 10).all()
        assert (panel.iloc[test].groupby("unique_id").size() == 8).all()
    calendar = PanelTimeSeriesSplit(n_splits=2, test_size=3, calendar=True)
    for train, test in calendar.split(panel):
        train_end = panel.iloc[train].ds.max()
        test_rows = panel.iloc[test]
        ends = panel.iloc[train].groupby("unique_id").ds.max()
        tested = test_rows[test_rows.ds > train_end].unique_id.unique()
        # Series tested in the fold are cut at the common date; the others
        # (they end before it) still train.
        assert (ends[tested] == train_end).all() and (ends <= train_end).all()
        assert test_rows.ds.max() <= train_end + pd.DateOffset(months=3)
    with pytest.raises(ValueError, match="n_splits must be an int >= 1"):
        next(PanelTimeSeriesSplit(n_splits=0).split(panel))
    renamed = panel.rename(columns={"unique_id": "store"})
    with pytest.raises(ValueError, match=r"id_column='unique_id'\): the frame has no"):
        next(PanelTimeSeriesSplit(n_splits=2, test_size=3).split(renamed))
    no_time = PanelTimeSeriesSplit(2, test_size=3, time_column=None, max_train_size=5)
    with pytest.raises(ValueError, match="needs a time_column"):
        next(no_time.split(panel))


def test_a_context_shorter_than_the_window_warns_about_unscored_targets():
    """With context=1 and windows of 3, the first 2 test values of each series
    cannot be forecast: scoring says how many it leaves out; with the whole
    history (context=None) it does not, nor does a forecast, which scores
    nothing."""
    import warnings

    panel = make_panel()
    pipe = naive_pipe(3)
    for context, expected in ((1, 6), (None, 0)):
        cv = PanelTimeSeriesSplit(n_splits=1, test_size=4, context=context)
        train, test = next(cv.split(panel))
        pipe.fit(panel.iloc[train])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pipe.score(panel.iloc[test])
            forecast(pipe, panel.iloc[test], steps=2)
        lost = [str(w.message) for w in caught if "are not scored" in str(w.message)]
        if expected:
            assert len(lost) == 1 and lost[0].startswith(f"{expected} target(s)")
            assert "context >= 3" in lost[0]
        else:
            assert not lost


def test_grid_search_and_cross_validate_on_a_panel():
    panel = make_panel()
    pipe = Pipeline([("window", windower(3)), ("model", SeasonalNaiveRegressor(1))])
    cv = PanelTimeSeriesSplit(n_splits=2, test_size=3)
    scorer = make_series_scorer("neg_mean_absolute_error")
    search = GridSearchCV(
        pipe, {"model__season_length": [1, 2]}, cv=cv, scoring=scorer
    ).fit(panel)
    assert search.best_params_["model__season_length"] in (1, 2)
    scores = cross_validate(naive_pipe(), panel, cv=cv, scoring=scorer)["test_score"]
    # By hand: the naive errors of the scored targets of each fold.
    for (_, test), score in zip(cv.split(panel), scores, strict=True):
        errors = []
        for _, rows in panel.iloc[test].groupby("unique_id"):
            rows = rows.sort_values("ds")
            y = rows.y.to_numpy()
            errors.extend(np.abs(np.diff(y))[-3:])
        assert score == pytest.approx(-np.mean(errors))


def test_series_scorer_last_is_refused_on_a_panel():
    """``last`` counts one series' targets; a panel is scored by its splitter."""
    panel = make_panel()
    scorer = make_series_scorer("neg_mean_absolute_error", last=2)
    for model in (naive_pipe().fit(panel), PerSeries(naive_pipe()).fit(panel)):
        with pytest.raises(ValueError, match="last=...\\) scores one series"):
            scorer(model, panel)


def test_validation_curve_on_a_panel():
    panel = make_panel()
    pipe = Pipeline([("window", windower(3)), ("model", SeasonalNaiveRegressor(1))])
    train, test = validation_curve(
        pipe,
        panel,
        None,
        param_name="model__season_length",
        param_range=[1, 2],
        cv=PanelTimeSeriesSplit(n_splits=2, test_size=3),
        scoring=make_series_scorer("neg_mean_absolute_error"),
    )
    assert train.shape == test.shape == (2, 2)
    assert np.all(test < 0)


def test_pickle_and_clone_round_trip():
    panel = make_panel()
    pipe = naive_pipe().fit(panel)
    again = pickle.loads(pickle.dumps(pipe))
    pd.testing.assert_frame_equal(forecast(pipe, panel, 2), forecast(again, panel, 2))
    assert clone(pipe).get_params()["window__id_column"] == "unique_id"


def test_missing_targets_and_short_series_warn_by_name():
    panel = make_panel()
    panel.loc[panel.index[:2], "y"] = np.nan
    dates = pd.date_range("2021-01-01", periods=2, freq="MS")
    tiny = pd.DataFrame({"unique_id": "tiny", "ds": dates, "y": [1.0, 2.0]})
    panel = pd.concat([panel, tiny], ignore_index=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        naive_pipe(3).fit(panel)
    messages = [str(w.message) for w in caught]
    assert any("'tiny'" in m and "too short" in m for m in messages)
    assert any(
        "touch missing values" in m and "nothing was imputed" in m for m in messages
    )


@pytest.mark.parametrize(
    "change, error, message",
    [
        (lambda p: p.drop(columns="ds"), ValueError, r"Unknown column\(s\) \['ds'\]"),
        (lambda p: pd.concat([p, p.iloc[:1]]), ValueError, "Duplicated rows: series"),
        (lambda p: p.assign(note="x"), TypeError, "Column 'note' must be numeric"),
        (lambda p: p.drop(index=p.index[p.unique_id == "s0"][5]), ValueError,
         "irregular in series 's0'"),
        (lambda p: p.assign(ds=p.ds.astype(str)), TypeError, "must hold datetimes"),
        (lambda p: p.y.to_numpy(), TypeError, "long pandas DataFrame"),
        (lambda p: p.assign(y=np.where(p.index == p.index[p.unique_id == "s0"][0],
                                        np.inf, p.y)), ValueError,
         r"Column 'y' holds 1 infinite value\(s\) \(series 's0'\);"),
        (lambda p: p.assign(promo=np.where(p.index == p.index[p.unique_id == "s1"][0],
                                            -np.inf, 0.0)), ValueError,
         r"Column 'promo' holds 1 infinite value\(s\) \(series 's1'\)"),
    ],
)  # fmt: skip
def test_bad_frames_get_clear_errors(change, error, message):
    with pytest.raises(error, match=message):
        windower().fit(change(make_panel()))


def test_infinities_are_reported_per_column_and_by_series_id():
    """Each column's own count and series; no series name without an id column."""
    panel = make_panel()
    first = {j: panel.index[panel.unique_id == j][0] for j in ("s0", "s1", "s2")}
    panel.loc[[first["s2"], first["s0"]], "y"] = np.inf
    panel["promo"] = np.where(panel.index == first["s1"], -np.inf, 0.0)
    with pytest.raises(ValueError, match=r"'y' holds 2 .*\(series 's0', 's2'\);"):
        windower().fit(panel)
    one = panel[panel.unique_id == "s0"].drop(columns=["unique_id", "promo"])
    with pytest.raises(ValueError, match=r"'y' holds 1 infinite value\(s\); only"):
        SequenceWindower(3, time_column="ds", target_column="y").fit(one)


def test_unknown_id_or_time_column_is_named_without_a_target_column():
    """The missing column is named, not a complaint about guessing the target."""
    panel = make_panel()
    for kwargs in ({"id_column": "idx"}, {"time_column": "when"}):
        win = SequenceWindower(3, **{"id_column": "unique_id", "time_column": "ds",
                                     **kwargs})  # fmt: skip
        with pytest.raises(ValueError, match=r"Unknown column\(s\) \['(idx|when)'\]"):
            win.fit(panel)


def test_future_rows_are_required_and_checked():
    panel = make_panel()
    panel["promo"] = 0.0
    win = windower(3, future_columns=["promo"])
    pipe = Pipeline([("window", win), ("model", NaiveRegressor())]).fit(panel)
    with pytest.raises(ValueError, match="pass future="):
        forecast(pipe, panel, steps=2)
    future = forecast(naive_pipe().fit(panel.drop(columns="promo")),
                      panel.drop(columns="promo"), steps=2)  # fmt: skip
    future = future.drop(columns="y").assign(promo=1.0)
    out = forecast(pipe, panel, steps=2, future=future)
    assert len(out) == 6
    with pytest.raises(ValueError, match=r"future lacks values of \['promo'\] for 1 "):
        forecast(pipe, panel, steps=2, future=future[future.unique_id != "s1"])
    stranger = pd.concat([future, future.iloc[[0]].assign(unique_id="zz")])
    with pytest.raises(ValueError, match=r"future has rows for 1 id\(s\).*\['zz'\]"):
        forecast(pipe, panel, steps=2, future=stranger)
    infinite = future.assign(promo=np.where(future.unique_id == "s2", np.inf, 1.0))
    with pytest.raises(ValueError, match=r"'promo' holds 2 infinite .*\(series 's2'\)"):
        forecast(pipe, panel, steps=2, future=infinite)


def test_per_series_fits_one_clone_each():
    panel = make_panel()
    local = PerSeries(naive_pipe()).fit(panel)
    assert sorted(local.estimators_) == ["s0", "s1", "s2"]
    pd.testing.assert_frame_equal(
        forecast(local, panel, 2), forecast(naive_pipe().fit(panel), panel, 2)
    )


def test_compare_on_a_panel_reports_mase():
    panel = make_panel()
    models = {
        "naive": naive_pipe(),
        "seasonal": Pipeline(
            [("window", windower(3)), ("model", SeasonalNaiveRegressor(2))]
        ),  # fmt: skip
        "local": PerSeries(naive_pipe()),
    }
    table = compare(models, panel, cv=PanelTimeSeriesSplit(2, test_size=3), seeds=(0,),
                    verbose=0, season_length=1)  # fmt: skip
    assert {"mase_mean", "mase_median", "beats_snaive"} <= set(table.columns)
    # With season_length=1 the seasonal naive reference is naive persistence.
    assert table.loc["naive", "mase_mean"] == pytest.approx(
        table.attrs["snaive_mase"]["mean"]
    )
    assert table.loc["naive", "beats_snaive"] == 0.0
    # PerSeries of a model that learns nothing equals the global one.
    assert table.loc["local", "mase_mean"] == pytest.approx(
        table.loc["naive", "mase_mean"]
    )


def test_grunfeld_panel_windows():
    panel = load_grunfeld()
    win = SequenceWindower(
        4, id_column="firm", time_column="year", target_column="invest"
    )
    windows = win.fit_transform(panel)
    assert windows.shape == (11 * 17, 4, 3)  # invest, then value and capital
    assert win.value_columns_ == ["invest", "value", "capital"]


def test_per_series_skips_series_too_short_for_a_model():
    panel = make_panel()
    tiny = pd.DataFrame(
        {
            "unique_id": "tiny",
            "ds": pd.date_range("2021-01-01", periods=3, freq="MS"),
            "y": [1.0, 2.0, 3.0],
        }
    )
    panel = pd.concat([panel, tiny], ignore_index=True)
    with pytest.warns(UserWarning, match="get no model: 'tiny'"):
        local = PerSeries(naive_pipe(3)).fit(panel)
    assert local.skipped_ == ["tiny"]
    out = forecast(local, panel, steps=2)
    assert sorted(out.unique_id.unique()) == ["s0", "s1", "s2"]


def test_short_series_take_the_panels_frequency_and_tz_is_refused():
    panel = make_panel()
    two = pd.DataFrame(
        {
            "unique_id": "two",
            "ds": pd.to_datetime(["2021-01-01", "2021-02-01"]),
            "y": [1.0, 2.0],
        }
    )
    out = forecast(naive_pipe(2).fit(panel), pd.concat([panel, two]), steps=2)
    mine = out[out.unique_id == "two"].ds
    assert list(mine) == list(pd.to_datetime(["2021-03-01", "2021-04-01"]))
    one = two.iloc[:1]
    with pytest.warns(UserWarning, match="shorter than window_length=2"):
        out = forecast(naive_pipe(2).fit(panel), pd.concat([panel, one]), steps=1)
    assert "two" not in set(out.unique_id)
    aware = panel.assign(ds=panel.ds.dt.tz_localize("Europe/Paris"))
    with pytest.raises(TypeError, match="time-zone-aware"):
        windower().fit(aware)
