"""ConformalRegressor: coverage that holds, intervals that behave, clear errors.

Everything here runs on the naive baselines or on scikit-learn regressors
(milliseconds, no TensorFlow), so the statistical tests can afford many
repetitions; the few Keras tests are marked.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from conftest import FAST
from skseq import (
    ConformalRegressor,
    NaiveRegressor,
    SeasonalNaiveRegressor,
    SequenceWindower,
    forecast,
)
from skseq.datasets import load_airline
from skseq.metrics import make_interval_scorer


def _pipe(model=None, window_length=12):
    model = SeasonalNaiveRegressor(12) if model is None else model
    return Pipeline([("window", SequenceWindower(window_length)), ("model", model)])


def _iid(rng, n, n_features=4):
    X = rng.normal(size=(n, n_features))
    return X, X[:, -1] + rng.normal(size=n)


# scikit-learn's checks fit on 10 to 30 rows; at the default coverage=0.9 the
# finite-sample quantile needs 9 held-out residuals (45 rows at
# calibration_size=0.2) and fit refuses fewer. coverage=0.5 needs one, so the
# checks exercise the estimator rather than that refusal, which is tested
# below. No check is expected to fail.
@parametrize_with_checks(
    [
        ConformalRegressor(NaiveRegressor(), coverage=0.5),
        ConformalRegressor(LinearRegression(), coverage=0.5),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.keras
@pytest.mark.slow
def test_sklearn_compatible_around_a_keras_network():
    """The checks on a wrapped DenseRegressor: every one passes.

    Two epochs (to keep the checks fast) pass check_regressors_train too:
    the default forecast is half a ridge regression's (``ridge_weight``).
    Run through check_estimator here (not parametrize_with_checks) so that
    collecting this module does not import TensorFlow.
    """
    from sklearn.utils.estimator_checks import check_estimator

    from skseq import DenseRegressor

    estimator = ConformalRegressor(DenseRegressor(**FAST), coverage=0.5)
    results = check_estimator(estimator, on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    assert failed == set()


# Coverage ------------------------------------------------------------------


@pytest.mark.parametrize(("coverage", "n_cal"), [(0.9, 24), (0.8, 14), (0.95, 39)])
def test_mean_coverage_on_exchangeable_data_lies_in_the_conformal_band(coverage, n_cal):
    """Over many repetitions coverage is within [c, c + 1/(n + 1)] (MAPIE's test).

    With i.i.d. rows the residuals are exchangeable, and split conformal
    with n scores covers with probability ceil((n + 1) c) / (n + 1), inside
    the band; the tolerance is 4 standard errors of the mean over the
    repetitions (about 0.01 here; the band is 0.04 to 0.07 wide).
    """
    rng = np.random.default_rng(0)
    repetitions, n_test, n_train = 400, 100, 40
    covered = []
    for _ in range(repetitions):
        X, y = _iid(rng, n_train + n_cal + n_test)
        cr = ConformalRegressor(
            LinearRegression(), coverage, calibration_size=n_cal, refit=False
        ).fit(X[:-n_test], y[:-n_test])
        lower, upper = cr.predict_interval(X[-n_test:]).T
        covered.append(np.mean((lower <= y[-n_test:]) & (y[-n_test:] <= upper)))
    a = 1 - coverage
    spread = np.sqrt(a * (1 - a) / (n_cal + 2) + a * (1 - a) / n_test)
    tolerance = 4 * spread / np.sqrt(repetitions)
    mean = np.mean(covered)
    assert coverage - tolerance <= mean <= coverage + 1 / (n_cal + 1) + tolerance


@pytest.mark.parametrize("n_cal", [20, 24, 50])
@pytest.mark.parametrize("coverage", [0.8, 0.9, 0.95])
def test_split_widths_equal_mapies(n_cal, coverage):
    """Same model, same calibration rows: the same intervals as MAPIE's.

    MAPIE asks for n >= 1 / (1 - coverage) scores (20 at 0.95), skseq for the
    n >= coverage / (1 - coverage) at which the quantile exists (19).
    """
    mapie = pytest.importorskip("mapie.regression")
    rng = np.random.default_rng(n_cal)
    X, y = _iid(rng, 60 + n_cal + 20)
    X_fit, y_fit, X_test = X[:-20], y[:-20], X[-20:]
    cr = ConformalRegressor(
        NaiveRegressor(), coverage, calibration_size=n_cal, refit=False
    ).fit(X_fit, y_fit)
    theirs = mapie.SplitConformalRegressor(
        cr.estimator_, confidence_level=coverage, prefit=True
    )
    theirs.conformalize(X_fit[-n_cal:], y_fit[-n_cal:])
    np.testing.assert_allclose(
        cr.predict_interval(X_test), theirs.predict_interval(X_test)[1][:, :, 0]
    )


def test_adaptive_intervals_keep_long_run_coverage_on_a_drifting_series():
    """ACI's realised coverage is within Gibbs & Candès's bound.

    The noise grows tenfold after calibration: the intervals fixed at fit
    under-cover; with ``update`` after each value, ACI's level moves until
    the misses are back near 1 - coverage. Over T steps the realised miss
    rate is within (1 + gamma) / (gamma T) of 1 - coverage, for any series.
    """
    rng = np.random.default_rng(1)
    calm = rng.normal(size=200)
    wild = 10 * rng.normal(size=600)
    series = np.concatenate([calm, wild])
    fixed = ConformalRegressor(
        _pipe(NaiveRegressor(), 3), 0.9, conformity_score="absolute"
    ).fit(calm)
    lower, upper = fixed.predict_interval(series[len(calm) - 3 : -1]).T
    static = np.mean((lower <= wild) & (wild <= upper))
    cr = ConformalRegressor(
        _pipe(NaiveRegressor(), 3),
        0.9,
        method="aci",
        gamma=0.05,
        conformity_score="absolute",
    ).fit(calm)
    hits = []
    for t, value in enumerate(wild):
        lower, upper = cr.forecast_interval(series[: len(calm) + t], 1).iloc[0, 1:]
        hits.append(lower <= value <= upper)
        cr.update([value])
    bound = (1 + 0.05) / (0.05 * len(wild))
    assert abs(np.mean(hits) - 0.9) <= bound
    assert static < 0.9 - bound


def test_update_rolls_scores_forward_without_refitting():
    """update scores each new value with the fitted model and keeps n scores."""
    series = np.sin(np.arange(120) / 3)
    cr = ConformalRegressor(
        _pipe(NaiveRegressor(horizon=2), 4), conformity_score="absolute"
    ).fit(series)
    before = cr.conformity_scores_.copy()
    model = cr.estimator_
    cr.update([0.5, 5.0])
    assert cr.estimator_ is model
    assert cr.conformity_scores_.shape == before.shape
    np.testing.assert_array_equal(cr.conformity_scores_[:-2], before[2:])
    # 5.0 follows 0.5, and the last value of the series for step 2.
    expected = [abs(5.0 - 0.5), abs(5.0 - series[-1])]
    np.testing.assert_allclose(cr.conformity_scores_[-1], expected)
    np.testing.assert_array_equal(cr.adapted_coverage_, [0.9, 0.9])  # split


# Calibration --------------------------------------------------------------


def test_scores_are_errors_on_the_held_out_tail_with_window_context():
    """Scores are the seasonal-naive errors of exactly the last values."""
    series = load_airline()
    cr = ConformalRegressor(
        _pipe(), calibration_size=30, conformity_score="absolute"
    ).fit(series)
    values = series.to_numpy()
    expected = np.abs(values[-30:] - values[-42:-12])
    np.testing.assert_array_equal(cr.conformity_scores_[:, 0], expected)
    assert cr.conformity_scores_.shape == (30, 1)


def test_calibration_model_never_sees_the_held_out_rows():
    """The calibration fit is the model fitted on the rows before the tail."""
    X, y = _iid(np.random.default_rng(2), 100)
    cr = ConformalRegressor(LinearRegression(), calibration_size=0.25).fit(X, y)
    head = LinearRegression().fit(X[:75], y[:75])
    np.testing.assert_allclose(cr.calibration_estimator_.coef_, head.coef_)
    np.testing.assert_allclose(
        cr.conformity_scores_[:, 0], np.abs(y[75:] - head.predict(X[75:]))
    )
    np.testing.assert_allclose(
        cr.estimator_.coef_, LinearRegression().fit(X, y).coef_
    )  # refit=True: the predictions come from the model fitted on everything


def test_fraction_calibration_size_rounds_up():
    series = np.sin(np.arange(101) / 3)
    cr = ConformalRegressor(_pipe(NaiveRegressor(), 4), calibration_size=0.1)
    assert cr.fit(series).conformity_scores_.shape == (11, 1)


def test_a_bool_calibration_size_is_refused():
    """True is not one value held out: an Interval(Integral) would take it as 1."""
    series = np.sin(np.arange(60) / 3)
    cr = ConformalRegressor(_pipe(NaiveRegressor(), 4), calibration_size=True)
    with pytest.raises(InvalidParameterError, match="calibration_size.*not a bool"):
        cr.fit(series)


def test_each_step_ahead_gets_its_own_quantile():
    """With horizon H: (n, H, 2) intervals, n_cal - H + 1 scores per step."""
    series = np.cumsum(np.random.default_rng(3).normal(size=300))
    cr = ConformalRegressor(_pipe(NaiveRegressor(horizon=4), 6), calibration_size=60)
    intervals = cr.fit(series).predict_interval(series)
    assert cr.conformity_scores_.shape == (57, 4)
    assert intervals.shape == (295, 4, 2)
    widths = intervals[0, :, 1] - intervals[0, :, 0]
    assert np.all(np.diff(widths) > 0)  # a random walk spreads out


def test_recursive_forecast_is_calibrated_by_the_same_recursion():
    """Beyond the horizon, step s's width is the quantile of s-step errors.

    Naive persistence forecasts every step with the origin's value, so the
    calibration errors of step s are |y[e + s] - y[e]| over the origins e
    whose s-th following value is held out.
    """
    series = np.cumsum(np.random.default_rng(4).normal(size=200))
    n_cal, steps = 40, 5
    cr = ConformalRegressor(
        _pipe(NaiveRegressor(), 3), calibration_size=n_cal, conformity_score="absolute"
    )
    frame = forecast(cr.fit(series), series, steps=steps, coverage=0.9)
    widest = 0.0
    for s in range(1, steps + 1):
        origins = np.arange(len(series) - n_cal - 1, len(series) - s)
        errors = np.sort(np.abs(series[origins + s] - series[origins]))
        rank = int(np.ceil((len(errors) + 1) * 0.9))
        widest = max(widest, errors[rank - 1])  # no step narrower than before
        width = frame["upper"].iloc[s - 1] - frame["forecast"].iloc[s - 1]
        assert width == pytest.approx(widest)


def test_normalized_scores_scale_each_interval_with_its_window():
    """Width / window scale is one number; scaling the series scales them.

    The scale is the window's mean absolute change, floored at half the
    median scale of the calibration windows (those before the 29 held-out
    values), so that calm windows do not get degenerate intervals.
    """
    series = load_airline().to_numpy()
    cr = ConformalRegressor(_pipe(), conformity_score="normalized").fit(series)
    intervals = cr.predict_interval(series)
    windows = np.lib.stride_tricks.sliding_window_view(series, 12)
    scale = np.mean(np.abs(np.diff(windows, axis=1)), axis=1)
    n_cal = int(np.ceil(0.2 * len(series)))
    floor = 0.5 * np.median(scale[len(series) - n_cal - 12 : len(series) - 12])
    assert np.sum(scale < floor) > 20  # airline's early, calm years
    ratio = (intervals[:, 1] - intervals[:, 0]) / np.maximum(scale, floor)
    np.testing.assert_allclose(ratio, ratio[0])
    scaled = clone(cr).fit(10 * series).predict_interval(10 * series)
    np.testing.assert_allclose(scaled, 10 * intervals)


def test_normalized_scores_cover_the_airline_tail_better_than_absolute():
    """On a series whose swings grow, normalized scores keep coverage late."""
    series = load_airline()
    train, test = series.iloc[:115], series.iloc[115 - 12 :]
    coverage = {}
    for score in ("absolute", "normalized"):
        cr = ConformalRegressor(_pipe(), 0.8, conformity_score=score).fit(train)
        lower, upper = cr.predict_interval(test)[:-1].T
        truth = test.to_numpy()[12:]
        coverage[score] = np.mean((lower <= truth) & (truth <= upper))
    assert coverage["normalized"] > coverage["absolute"]


def test_auto_score_is_normalized_on_series_and_absolute_with_y():
    """The default follows the data: windows of a series, or plain rows."""
    series = load_airline().to_numpy()
    on_series = ConformalRegressor(_pipe()).fit(series)
    assert on_series.conformity_score == "auto"
    assert on_series.conformity_score_ == "normalized"
    same = ConformalRegressor(_pipe(), conformity_score="normalized").fit(series)
    np.testing.assert_array_equal(
        on_series.predict_interval(series), same.predict_interval(series)
    )
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=60)
    rows = ConformalRegressor(LinearRegression()).fit(X, y)
    assert rows.conformity_score_ == "absolute"
    widths = np.diff(rows.predict_interval(X), axis=1)[:, 0]
    assert widths[0] > 1
    np.testing.assert_allclose(widths, widths[0])


def test_default_intervals_follow_the_swings_of_the_series():
    """Calibrated on calm values, the default still covers tenfold noise.

    Normalized scores are errors over the window's swings, so their
    distribution does not change when the noise grows; fixed-width
    (absolute) intervals cover far less of the wild part.
    """
    rng = np.random.default_rng(1)
    calm, wild = rng.normal(size=300), 10 * rng.normal(size=600)
    series = np.concatenate([calm, wild])
    coverage = {}
    for score in ("auto", "absolute"):
        cr = ConformalRegressor(
            _pipe(NaiveRegressor(), 6), 0.9, conformity_score=score
        ).fit(calm)
        lower, upper = cr.predict_interval(series[len(calm) - 6 : -1]).T
        coverage[score] = np.mean((lower <= wild) & (wild <= upper))
    assert coverage["auto"] > 0.85
    assert coverage["absolute"] < 0.5


def test_auto_score_needs_windows_of_four_steps():
    """One or two changes are too noisy a scale: short windows stay absolute."""
    series = load_airline().to_numpy()
    for window_length, expected in ((3, "absolute"), (4, "normalized")):
        cr = ConformalRegressor(_pipe(NaiveRegressor(), window_length)).fit(series)
        assert cr.conformity_score_ == expected


def test_flat_windows_of_intermittent_demand_keep_sensible_intervals():
    """Zero-demand windows have no swing; the scale floor (half the median
    window scale) keeps their intervals from collapsing and the others from
    blowing up, in the data's own units."""
    rng = np.random.default_rng(2)
    demand = (rng.poisson(5, 400) * (rng.random(400) < 0.25)).astype(float)
    truth = demand[300:]
    widths, hits = {}, {}
    for score in ("auto", "absolute"):
        cr = ConformalRegressor(_pipe(NaiveRegressor(), 6), 0.9, conformity_score=score)
        bounds = cr.fit(demand[:300]).predict_interval(demand[294:-1])
        widths[score] = bounds[:, 1] - bounds[:, 0]
        hits[score] = np.mean((bounds[:, 0] <= truth) & (truth <= bounds[:, 1]))
        if score == "auto":
            assert cr.conformity_score_ == "normalized"
            thousands = clone(cr).fit(1000 * demand[:300])
            scaled = thousands.predict_interval(1000 * demand[294:-1])
            np.testing.assert_allclose(
                scaled[:, 1] - scaled[:, 0], 1000 * widths["auto"]
            )
    flat = np.ptp(np.lib.stride_tricks.sliding_window_view(demand[294:-1], 6), 1) == 0
    assert flat.sum() > 10
    assert widths["auto"][flat].min() > 0.3 * np.median(widths["auto"])
    assert widths["auto"].mean() < 2.5 * widths["absolute"].mean()
    assert hits["auto"] >= 0.85


def test_auto_score_is_absolute_when_most_windows_are_flat():
    """At window 4 most windows of 15%-intermittent demand are all zeros."""
    rng = np.random.default_rng(2)
    demand = (rng.poisson(5, 400) * (rng.random(400) < 0.15)).astype(float)
    cr = ConformalRegressor(_pipe(NaiveRegressor(), 4), 0.9).fit(demand)
    assert cr.conformity_score_ == "absolute"
    explicit = ConformalRegressor(
        _pipe(NaiveRegressor(), 4), 0.9, conformity_score="normalized"
    ).fit(demand)
    assert explicit.conformity_score_ == "normalized"
    # Its floor is in the data's units: ten times the data, ten times the widths.
    tenfold = clone(explicit).fit(10 * demand)
    np.testing.assert_allclose(
        tenfold.predict_interval(10 * demand), 10 * explicit.predict_interval(demand)
    )


def test_a_flat_last_window_gets_the_floor_in_every_path():
    """predict_interval, a one-step forecast and the first recursive step
    agree on a series that ends flat: one divisor for all of them."""
    series = load_airline().to_numpy().astype(float)
    series = np.concatenate([series, np.full(12, series[-1])])
    cr = ConformalRegressor(_pipe(NaiveRegressor()), 0.9).fit(series)
    assert cr.conformity_score_ == "normalized"
    last = cr.predict_interval(series)[-1]
    assert last[1] - last[0] > 1  # floored, not collapsed to the flat window's 0
    for steps in (1, 3):
        frame = forecast(cr, series, steps=steps, coverage=0.9)
        np.testing.assert_allclose(frame[["lower", "upper"]].to_numpy()[0], last)


def test_explicit_outputs_are_not_steps_and_keep_their_own_widths():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 3))
    noisy = X @ [1.0, 2.0, 3.0] + 5 * rng.normal(size=100)
    exact = X[:, 0] + 0.1 * rng.normal(size=100)
    cr = ConformalRegressor(LinearRegression()).fit(X, np.c_[noisy, exact])
    width = np.diff(cr.predict_interval(X), axis=-1)[0, :, 0]
    assert width[1] < width[0] / 10


def test_aci_levels_stay_bounded_when_a_step_is_dominated():
    """ACI scores each step against its own quantile, not the wider width
    issued: a step that would narrow never misses against the issued width,
    and its level would sink without bound."""
    rng = np.random.default_rng(2)

    def flips(a, b):
        return (-1.0) ** np.arange(a, b) * 5 + rng.normal(scale=0.1, size=b - a)

    cr = ConformalRegressor(
        _pipe(NaiveRegressor(horizon=3), 3),
        0.9,
        method="aci",
        gamma=0.05,
        conformity_score="absolute",
    ).fit(flips(0, 200))
    cr.update(flips(200, 500))
    assert np.all((cr.adapted_coverage_ > 0.75) & (cr.adapted_coverage_ < 1.05))


@pytest.mark.parametrize("score", ["absolute", "normalized"])
def test_no_step_ahead_is_narrower_than_the_step_before(score):
    """Widths never shrink with the horizon, direct or recursive.

    On a series that flips sign each step, persistence errs by about 2 at
    odd steps and 0 at even ones, so each step's own quantile would
    narrow at step 2; the issued width keeps the widest of the steps so
    far (a wider interval only adds coverage).
    """
    rng = np.random.default_rng(3)
    n = 200
    series = (-1.0) ** np.arange(n) * 5 + rng.normal(scale=0.1, size=n)
    series += np.arange(n) * 0.01
    for horizon, steps in ((4, 4), (1, 4)):
        cr = ConformalRegressor(
            _pipe(NaiveRegressor(horizon=horizon), 3), conformity_score=score
        ).fit(series)
        frame = forecast(cr, series, steps=steps, coverage=0.9)
        width = (frame.upper - frame.lower).to_numpy()
        assert np.all(np.diff(width) >= -1e-9 * width.max())
        assert width[1] == pytest.approx(width[0])  # step 2 kept step 1's width
        if horizon > 1:
            raw = np.quantile(cr.conformity_scores_, 0.9, axis=0)
            assert raw[1] < raw[0] / 5  # each step alone would narrow


# Invariants ---------------------------------------------------------------


@pytest.fixture(params=["absolute", "normalized"])
def fitted(request):
    series = load_airline()
    model = _pipe(SeasonalNaiveRegressor(12, horizon=3))
    cr = ConformalRegressor(model, conformity_score=request.param, calibration_size=40)
    return cr.fit(series), series


def test_nested_coverages_give_nested_intervals(fitted):
    cr, series = fitted
    intervals = cr.predict_interval(series, coverage=[0.8, 0.95])
    assert intervals.shape == (133, 3, 2, 2)
    inner, outer = intervals[..., 0], intervals[..., 1]
    assert np.all(outer[..., 0] <= inner[..., 0])
    assert np.all(inner[..., 1] <= outer[..., 1])
    frame = forecast(cr, series, steps=15, coverage=[0.8, 0.95])
    assert np.all(frame["lower_0.95"] <= frame["lower_0.8"])
    assert np.all(frame["upper_0.8"] <= frame["upper_0.95"])


def test_bounds_hold_the_prediction(fitted):
    cr, series = fitted
    lower, upper = np.moveaxis(cr.predict_interval(series), -1, 0)
    predicted = cr.predict(series)
    assert np.all(lower <= predicted) and np.all(predicted <= upper)
    frame = forecast(cr, series, steps=20, coverage=0.9)
    assert np.all(frame.lower <= frame.forecast)
    assert np.all(frame.forecast <= frame.upper)


def test_forecast_frame_matches_the_point_forecast_and_its_dates(fitted):
    """Dates, forecast column: those of skseq.forecast of the same model."""
    cr, series = fitted
    same = clone(cr.estimator).fit(series)
    for steps in (2, 12):
        frame = forecast(cr, series, steps=steps, coverage=0.9)
        point = forecast(same, series, steps=steps)
        assert list(frame.columns) == ["forecast", "lower", "upper"]
        pd.testing.assert_index_equal(frame.index, point.index)
        np.testing.assert_array_equal(frame["forecast"], point)
        assert str(frame.index[0].date()) == "1961-01-01"
    np.testing.assert_array_equal(forecast(cr, series, steps=5), point[:5])


def test_forecast_without_dates_continues_the_positions():
    series = np.sin(np.arange(80) / 3)
    cr = ConformalRegressor(_pipe(NaiveRegressor(), 4)).fit(series)
    frame = forecast(cr, series, steps=3, coverage=0.9)
    pd.testing.assert_index_equal(frame.index, pd.RangeIndex(80, 83))


def test_refit_rebuilds_the_calibration():
    """No stale scores: a second fit gives what a fresh fit on its data gives."""
    first, second = load_airline().iloc[:100], load_airline().iloc[40:]
    cr = ConformalRegressor(_pipe(), method="aci").fit(first)
    cr.update([400.0, 500.0])
    cr.fit(second)
    fresh = ConformalRegressor(_pipe(), method="aci").fit(second)
    np.testing.assert_array_equal(cr.conformity_scores_, fresh.conformity_scores_)
    np.testing.assert_array_equal(cr.adapted_coverage_, [0.9])
    np.testing.assert_array_equal(
        forecast(cr, second, 12, coverage=0.9),
        forecast(fresh, second, 12, coverage=0.9),
    )


def test_clone_and_pickle_give_identical_intervals(fitted):
    cr, series = fitted
    restored = pickle.loads(pickle.dumps(cr))
    np.testing.assert_array_equal(
        restored.predict_interval(series), cr.predict_interval(series)
    )
    refitted = clone(cr).fit(series)
    np.testing.assert_array_equal(
        refitted.predict_interval(series), cr.predict_interval(series)
    )
    pd.testing.assert_frame_equal(
        forecast(restored, series, 14, coverage=0.8),
        forecast(cr, series, 14, coverage=0.8),
    )


def test_nested_parameters_reach_the_wrapped_pipeline():
    cr = ConformalRegressor(_pipe(NaiveRegressor(), 4))
    assert cr.get_params()["estimator__window__window_length"] == 4
    cr.set_params(estimator__window__window_length=6, coverage=0.8)
    series = np.sin(np.arange(100) / 3)
    assert cr.fit(series).predict_interval(series).shape == (95, 2)


# Errors -------------------------------------------------------------------


@pytest.mark.parametrize("coverage", [90, 1.0, 0.0, -0.1, True, "0.9", np.nan])
def test_coverage_must_be_a_fraction(coverage):
    series = np.sin(np.arange(100) / 3)
    cr = ConformalRegressor(_pipe(NaiveRegressor(), 4), coverage=coverage)
    with pytest.raises(InvalidParameterError, match="coverage must be a fraction"):
        cr.fit(series)
    fitted = ConformalRegressor(_pipe(NaiveRegressor(), 4)).fit(series)
    with pytest.raises(ValueError, match="coverage must be a fraction"):
        fitted.predict_interval(series, coverage=[0.8, coverage])
    with pytest.raises(ValueError, match="coverage must be a fraction"):
        forecast(fitted, series, steps=2, coverage=coverage)


def test_a_percentage_gets_a_hint():
    cr = ConformalRegressor(_pipe(NaiveRegressor(), 4), coverage=90)
    with pytest.raises(ValueError, match=r"for 90% pass 0.9"):
        cr.fit(np.arange(100.0))


def test_too_few_residuals_say_how_many_are_needed():
    series = np.sin(np.arange(60) / 3)
    cr = ConformalRegressor(_pipe(NaiveRegressor(), 4), coverage=0.95)
    with pytest.raises(ValueError, match=r"gives 12.*needs at least 19"):
        cr.fit(series)
    fitted = ConformalRegressor(_pipe(NaiveRegressor(), 4), 0.9).fit(series)
    with pytest.raises(ValueError, match=r"needs at least 19"):
        fitted.predict_interval(series, coverage=0.95)
    with pytest.raises(ValueError, match=r"steps=8.*gives 5.*needs at least 9"):
        forecast(fitted, series, steps=8, coverage=0.9)


def test_calibration_size_leaving_nothing_to_fit_on_is_refused():
    series = np.sin(np.arange(40) / 3)
    cr = ConformalRegressor(_pipe(NaiveRegressor(), 12), calibration_size=30)
    with pytest.raises(ValueError, match=r"holds out 30 of n_samples=40.*leaves 10"):
        cr.fit(series)
    with pytest.raises(ValueError, match="holds out every one of the 40"):
        cr.set_params(calibration_size=40).fit(series)


def test_intervals_before_fit_raise_not_fitted():
    cr = ConformalRegressor(_pipe())
    with pytest.raises(NotFittedError):
        cr.predict_interval(np.arange(30.0))
    with pytest.raises(NotFittedError):
        forecast(cr, np.arange(30.0), steps=2, coverage=0.9)


def test_coverage_needs_a_conformal_regressor():
    series = np.sin(np.arange(40) / 3)
    pipe = _pipe(NaiveRegressor(), 4).fit(series)
    with pytest.raises(TypeError, match="ConformalRegressor"):
        forecast(pipe, series, steps=2, coverage=0.9)


def test_series_mode_needs_a_skseq_model():
    with pytest.raises(ValueError, match="requires y to be passed"):
        ConformalRegressor(LinearRegression()).fit(np.ones((50, 3)))


# Scorers ------------------------------------------------------------------


def test_interval_scorers_work_in_cross_validation_and_grid_search():
    series = load_airline().to_numpy()
    cr = ConformalRegressor(_pipe(NaiveRegressor(), 4), calibration_size=0.3)
    scoring = {
        name: make_interval_scorer(name)
        for name in ("coverage", "neg_mean_width", "neg_winkler", "neg_pinball")
    }
    result = cross_validate(cr, series, cv=TimeSeriesSplit(3), scoring=scoring)
    assert np.all((result["test_coverage"] >= 0) & (result["test_coverage"] <= 1))
    # Winkler is the width plus the penalties of the misses.
    assert np.all(result["test_neg_winkler"] <= result["test_neg_mean_width"])
    search = GridSearchCV(
        cr,
        {"estimator__window__window_length": [4, 8]},
        cv=TimeSeriesSplit(2),
        scoring=make_interval_scorer("neg_winkler"),
        error_score="raise",
    ).fit(series)
    assert search.best_params_["estimator__window__window_length"] in (4, 8)


def test_interval_scorer_with_explicit_targets():
    X, y = _iid(np.random.default_rng(5), 200)
    cr = ConformalRegressor(LinearRegression()).fit(X[:150], y[:150])
    score = make_interval_scorer("coverage", coverage=0.8)(cr, X[150:], y[150:])
    lower, upper = cr.predict_interval(X[150:], coverage=0.8).T
    assert score == np.mean((lower <= y[150:]) & (y[150:] <= upper))


# Keras --------------------------------------------------------------------


@pytest.mark.keras
def test_dense_network_intervals_wrap_the_pipelines_own_forecast():
    """predict and forecast are those of the pipeline fitted the same way."""
    from skseq import DenseRegressor

    series = load_airline()
    pipe = _pipe(DenseRegressor(hidden_layer_sizes=(8,), **FAST))
    cr = ConformalRegressor(pipe, 0.8, calibration_size=30).fit(series)
    same = clone(pipe).fit(series)
    np.testing.assert_allclose(cr.predict(series), same.predict(series))
    frame = forecast(cr, series, steps=14, coverage=0.8)
    np.testing.assert_allclose(frame["forecast"], forecast(same, series, steps=14))
    head = clone(pipe).fit(series.iloc[:-30])
    np.testing.assert_allclose(
        cr.calibration_estimator_.predict(series), head.predict(series)
    )
    assert np.all(frame.lower <= frame.forecast) and np.all(
        frame.forecast <= frame.upper
    )
    restored = pickle.loads(pickle.dumps(cr))
    np.testing.assert_allclose(
        restored.predict_interval(series), cr.predict_interval(series)
    )


# compare ------------------------------------------------------------------


def test_compare_reports_interval_columns_for_conformal_models_only():
    """coverage/mean_width/winkler from all test intervals; NaN without them."""
    from skseq import compare
    from skseq.metrics import empirical_coverage, mean_width, winkler_score

    series = load_airline()
    conformal = ConformalRegressor(_pipe(), 0.8, calibration_size=0.3)
    models = {"plain": _pipe(NaiveRegressor()), "conformal": conformal}
    cv = TimeSeriesSplit(2)
    table = compare(models, series, cv=cv, seeds=(0,), verbose=0)
    assert table.loc["plain", ["coverage", "mean_width", "winkler"]].isna().all()
    truth, intervals = [], []
    for train, test in cv.split(series):
        fitted = clone(conformal).fit(series.iloc[train])
        windows = series.iloc[test]
        intervals.append(fitted.predict_interval(windows)[:-1])
        truth.append(windows.to_numpy()[12:])
    truth, intervals = np.concatenate(truth), np.concatenate(intervals)
    row = table.loc["conformal"]
    assert row["coverage"] == pytest.approx(empirical_coverage(truth, intervals))
    assert row["mean_width"] == pytest.approx(mean_width(intervals))
    assert row["winkler"] == pytest.approx(winkler_score(truth, intervals, 0.8))
    by_winkler = compare(
        {**models, "wide": clone(conformal).set_params(coverage=0.9)},
        series,
        cv=cv,
        seeds=(0,),
        verbose=0,
        dm_loss="winkler",
    )
    best = by_winkler["winkler"].idxmin()
    assert np.isnan(by_winkler.loc[best, "p_value"])
    assert np.isnan(by_winkler.loc["plain", "p_value"])
    other = ({"conformal", "wide"} - {best}).pop()
    assert 0 <= by_winkler.loc[other, "p_value"] <= 1


def test_a_bare_regressor_on_windows_calibrates_like_its_pipeline():
    """Windows in, series mode: the same held-out targets as the pipeline's."""
    series = load_airline().to_numpy()
    windows = SequenceWindower(12).fit_transform(series)
    bare = ConformalRegressor(SeasonalNaiveRegressor(12), calibration_size=30)
    piped = ConformalRegressor(_pipe(), calibration_size=30)
    np.testing.assert_array_equal(
        bare.fit(windows).conformity_scores_, piped.fit(series).conformity_scores_
    )
    np.testing.assert_array_equal(
        bare.predict_interval(windows), piped.predict_interval(series)
    )
    with pytest.raises(ValueError, match="window_length and features used in fit"):
        bare.predict_interval(SequenceWindower(13).fit_transform(series))
    with pytest.raises(ValueError, match="update needs a regressor fitted in series"):
        bare.update([1.0])


def test_batched_calibration_recursion_equals_skseq_forecast():
    """The held-out origins' recursion is skseq.forecast's, horizon at a time."""
    from skseq._intervals import recursive_paths

    series = load_airline().to_numpy()
    pipe = _pipe(SeasonalNaiveRegressor(12, horizon=3)).fit(series)
    windows = np.lib.stride_tricks.sliding_window_view(series[:40], 12)
    expected = np.stack([forecast(pipe, w, steps=7) for w in windows])
    np.testing.assert_array_equal(recursive_paths(pipe, windows, 7), expected)


def test_update_with_horizon_and_normalized_scores_moves_each_step():
    """ACI keeps one level per step ahead; a run of misses raises them all."""
    series = load_airline()
    model = _pipe(SeasonalNaiveRegressor(12, horizon=3))
    cr = ConformalRegressor(
        model, 0.8, method="aci", conformity_score="normalized", gamma=0.05
    ).fit(series)
    cr.update(series.to_numpy()[-12:] * 1.5)  # a jump nobody forecast
    assert cr.adapted_coverage_.shape == (3,)
    assert np.all(cr.adapted_coverage_ > 0.8)
    frame = forecast(cr, np.r_[series, series.to_numpy()[-12:] * 1.5], 3, coverage=0.8)
    assert not frame.isna().any().any()
    assert np.all(frame.lower <= frame.forecast)
