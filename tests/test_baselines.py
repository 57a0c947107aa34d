"""The naive baselines: exact forecasts, errors, and their place in pipelines.

Their scikit-learn estimator checks are in test_sklearn_compat.py.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skseq import SequenceWindower, make_windows
from skseq.baselines import NaiveRegressor, SeasonalNaiveRegressor

PERIOD = [1.0, 4.0, 2.0, 8.0]


def _pipe(model, window_length=4):
    return Pipeline(
        [("window", SequenceWindower(window_length=window_length)), ("model", model)]
    )


def _random_walk(n=300, seed=0):
    return np.cumsum(np.random.default_rng(seed).normal(size=n))


# Exact forecasts ---------------------------------------------------------


def test_naive_predicts_the_last_value_of_each_window():
    series = np.array([3.0, 1, 4, 1, 5, 9, 2, 6])
    pred = _pipe(NaiveRegressor(), window_length=3).fit(series).predict(series)
    np.testing.assert_array_equal(pred, [4, 1, 5, 9, 2, 6])
    assert pred.dtype == np.float64 and pred.shape == (6,)


def test_naive_repeats_the_last_value_over_the_horizon():
    series = np.array([3.0, 1, 4, 1, 5, 9, 2, 6])
    pipe = _pipe(NaiveRegressor(horizon=3), window_length=3).fit(series)
    pred = pipe.predict(series)
    assert pred.shape == (6, 3) and pred.dtype == np.float64
    np.testing.assert_array_equal(pred, np.repeat(series[2:, None], 3, axis=1))


def test_seasonal_predicts_the_value_one_season_earlier():
    series = np.arange(10.0) ** 2
    pipe = _pipe(SeasonalNaiveRegressor(season_length=3), window_length=4)
    pred = pipe.fit(series).predict(series)
    # Window i holds steps i..i+3 (t = i + 3); step t + 1 - 3 = i + 1.
    np.testing.assert_array_equal(pred, series[1:8])


def test_seasonal_horizon_wraps_to_the_last_season_seen():
    series = np.arange(10.0) ** 2
    pipe = _pipe(SeasonalNaiveRegressor(3, horizon=5), window_length=4)
    pred = pipe.fit(series).predict(series)
    # t = i + 3; steps t+1..t+5 come from t-2, t-1, t, t-2, t-1.
    expected = np.stack([series[[i + 1, i + 2, i + 3, i + 1, i + 2]] for i in range(7)])
    np.testing.assert_array_equal(pred, expected)


def test_seasonal_with_season_one_is_naive():
    series = _random_walk(40)
    for horizon in (1, 3):
        naive = _pipe(NaiveRegressor(horizon=horizon)).fit(series)
        seasonal = _pipe(SeasonalNaiveRegressor(1, horizon=horizon)).fit(series)
        np.testing.assert_array_equal(naive.predict(series), seasonal.predict(series))


def test_seasonal_is_exact_on_a_periodic_series():
    """R² is exactly 1 for season 4 on a series of period 4, at any horizon."""
    series = np.tile(PERIOD, 10)
    for horizon in (1, 3, 6):
        pipe = _pipe(SeasonalNaiveRegressor(4, horizon=horizon)).fit(series)
        assert pipe.score(series) == 1.0
    assert _pipe(NaiveRegressor()).fit(series).score(series) < 0


def test_naive_beats_seasonal_on_a_random_walk():
    """Persistence is the best forecast of a random walk; it wins by far."""
    series = _random_walk(600)
    naive = _pipe(NaiveRegressor(), window_length=12).fit(series)
    seasonal = _pipe(SeasonalNaiveRegressor(12), window_length=12).fit(series)
    X, y = make_windows(series, window_length=12)
    assert naive.score(series) == pytest.approx(r2_score(y, series[11:-1]))
    naive_mse = np.mean((naive.predict(series)[:-1] - y) ** 2)
    seasonal_mse = np.mean((seasonal.predict(series)[:-1] - y) ** 2)
    assert seasonal_mse > 5 * naive_mse  # 12 steps of noise against 1
    assert naive.score(series) > seasonal.score(series)


def test_last_row_forecasts_beyond_the_series():
    series = np.tile(PERIOD, 5)
    pred = _pipe(SeasonalNaiveRegressor(4, horizon=4)).fit(series).predict(series)
    np.testing.assert_array_equal(pred[-1], PERIOD)


# Explicit y and input shapes ---------------------------------------------


def test_explicit_1d_y_gives_1d_predictions():
    X, y = make_windows(np.arange(12.0), window_length=4)
    for model in (NaiveRegressor(), SeasonalNaiveRegressor(4)):
        pred = model.fit(X, y).predict(X)
        assert pred.shape == (8,) and pred.dtype == np.float64
    np.testing.assert_array_equal(NaiveRegressor().fit(X, y).predict(X), y - 1)


def test_explicit_2d_y_repeats_persistence_per_column():
    X = np.arange(20.0).reshape(5, 4)
    pred = NaiveRegressor().fit(X, np.zeros((5, 3))).predict(X)
    np.testing.assert_array_equal(pred, np.repeat(X[:, -1:], 3, axis=1))
    one_column = NaiveRegressor().fit(X, np.zeros((5, 1))).predict(X)
    assert one_column.shape == (5, 1)


def test_explicit_2d_y_columns_are_steps_ahead_for_seasonal():
    X = np.arange(20.0).reshape(5, 4)
    model = SeasonalNaiveRegressor(2).fit(X, np.zeros((5, 3)))
    np.testing.assert_array_equal(model.predict(X), X[:, [2, 3, 2]])
    assert model.n_outputs_ == 3


def test_uses_the_first_feature_of_3d_windows():
    series = np.column_stack([np.arange(10.0), -np.arange(10.0)])
    pred = _pipe(NaiveRegressor(), window_length=3).fit(series).predict(series)
    np.testing.assert_array_equal(pred, np.arange(2.0, 10.0))


def test_float32_windows_give_float64_predictions():
    X = np.arange(20, dtype=np.float32).reshape(5, 4)
    for model in (NaiveRegressor(), SeasonalNaiveRegressor(3)):
        pred = model.fit(X, np.zeros(5)).predict(X)
        assert pred.dtype == np.float64


def test_predictions_are_writable_copies():
    windows = SequenceWindower(4).fit_transform(np.arange(12.0))  # read-only view
    for model in (NaiveRegressor(), SeasonalNaiveRegressor(4)):
        pred = model.fit(windows).predict(windows)
        pred[:] = 0  # must not raise, nor touch the windows
        assert windows[-1, -1, 0] == 11


def test_fit_stores_only_the_shape_of_the_data():
    model = NaiveRegressor().fit(np.arange(20.0).reshape(5, 4), np.zeros(5))
    public = {k for k in vars(model) if k.endswith("_")}
    assert public == {"n_features_in_", "n_outputs_"}
    assert model.n_features_in_ == 4 and model.n_outputs_ == 1


# Errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, name",
    [
        (NaiveRegressor(horizon=0), "horizon"),
        (NaiveRegressor(horizon=1.5), "horizon"),
        (NaiveRegressor(horizon="2"), "horizon"),
        (SeasonalNaiveRegressor(season_length=0), "season_length"),
        (SeasonalNaiveRegressor(season_length=2.0), "season_length"),
        (SeasonalNaiveRegressor(2, horizon=-1), "horizon"),
    ],
)
def test_invalid_params_are_refused(model, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        _pipe(model).fit(np.arange(20.0))


@pytest.mark.parametrize(
    "model, name",
    [
        (NaiveRegressor(horizon=True), "horizon"),
        (SeasonalNaiveRegressor(season_length=True), "season_length"),
        (SeasonalNaiveRegressor(season_length=4, horizon=False), "horizon"),
    ],
)
def test_bool_params_are_refused(model, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter.*not a bool"):
        _pipe(model).fit(np.arange(20.0))


def test_window_shorter_than_season_is_refused():
    message = (
        "SeasonalNaiveRegressor needs window_length >= season_length=12, got "
        "window_length=4"
    )
    with pytest.raises(ValueError, match=message):
        _pipe(SeasonalNaiveRegressor(), window_length=4).fit(np.arange(40.0))
    X, y = make_windows(np.arange(40.0), window_length=4)
    with pytest.raises(ValueError, match=message):
        SeasonalNaiveRegressor().fit(X, y)


def test_failed_refit_leaves_the_model_unfitted():
    """No stale fit survives: predicting after a failed fit is refused."""
    model = SeasonalNaiveRegressor(4).fit(np.arange(20.0).reshape(4, 5), np.ones(4))
    with pytest.raises(ValueError, match="season_length=4, got window_length=2"):
        model.fit(np.arange(8.0).reshape(4, 2), np.ones(4))
    with pytest.raises(NotFittedError):
        model.predict(np.arange(8.0).reshape(4, 2))


def test_predict_before_fit_is_refused():
    for model in (NaiveRegressor(), SeasonalNaiveRegressor()):
        with pytest.raises(NotFittedError):
            model.predict(np.ones((3, 12)))


def test_series_mode_errors_are_the_networks_errors():
    shuffled = np.random.default_rng(0).normal(size=(10, 4))
    with pytest.raises(ValueError, match="NaiveRegressor requires y to be passed"):
        NaiveRegressor().fit(shuffled)
    windows = SequenceWindower(4).fit_transform(np.arange(6.0))  # 3 windows
    with pytest.raises(ValueError, match="horizon=3 needs at least 4 consecutive"):
        NaiveRegressor(horizon=3).fit(windows)
    X, _ = make_windows(np.arange(20.0), window_length=4)
    with pytest.raises(ValueError, match="horizon=2 but y has 1 column"):
        NaiveRegressor(horizon=2).fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="Did you pass the unwindowed series"):
        NaiveRegressor().fit(X, np.arange(20.0)[: len(X) + 3])


def test_predict_with_other_windows_is_refused():
    model = _pipe(SeasonalNaiveRegressor(4)).fit(np.arange(30.0))
    short = SequenceWindower(3).fit_transform(np.arange(30.0))
    with pytest.raises(ValueError, match="fitted on windows of shape"):
        model[-1].predict(short)


# Pipelines, model selection, persistence (compare: test_compare.py) ------


def test_grid_search_picks_the_right_baseline():
    """Over TimeSeriesSplit, seasonal wins on a seasonal series, naive on a walk."""
    grid = GridSearchCV(
        _pipe(NaiveRegressor(), window_length=8),
        {"model": [NaiveRegressor(), SeasonalNaiveRegressor(4)]},
        cv=TimeSeriesSplit(n_splits=3),
    )
    noise = np.random.default_rng(0).normal(scale=0.1, size=120)
    seasonal = np.tile(PERIOD, 30) + noise
    grid.fit(seasonal)
    assert isinstance(grid.best_params_["model"], SeasonalNaiveRegressor)
    assert grid.best_score_ > 0.95
    assert grid.predict(seasonal).shape == (113,)
    grid.fit(_random_walk(120))
    assert isinstance(grid.best_params_["model"], NaiveRegressor)


@pytest.mark.parametrize(
    "model", [NaiveRegressor(horizon=2), SeasonalNaiveRegressor(4, horizon=3)]
)
def test_clone_and_pickle_round_trip(model):
    series = np.tile(PERIOD, 6) + np.arange(24.0)
    cloned = clone(model)
    assert cloned.get_params() == model.get_params()
    assert not hasattr(cloned, "n_outputs_")
    pipe = _pipe(model).fit(series)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict(series), pipe.predict(series))
    assert restored.score(series) == pipe.score(series)


def test_repr_and_params():
    assert repr(SeasonalNaiveRegressor(4, horizon=2)) == (
        "SeasonalNaiveRegressor(horizon=2, season_length=4)"
    )
    assert NaiveRegressor().get_params() == {"horizon": 1}


def test_tags():
    for model in (NaiveRegressor(), SeasonalNaiveRegressor()):
        tags = model.__sklearn_tags__()
        assert tags.estimator_type == "regressor"
        assert tags.regressor_tags.poor_score
        assert tags.target_tags.required and tags.target_tags.multi_output
        assert tags.input_tags.three_d_array and not tags.input_tags.sparse
