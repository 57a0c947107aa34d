"""The classical models: statsmodels' forecasts, where predict starts, errors.

Their scikit-learn estimator checks are in test_sklearn_compat.py.
"""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skseq import SequenceWindower, compare, forecast, make_series_scorer, make_windows
from skseq.baselines import NaiveRegressor
from skseq.classical import ARIMARegressor, ETSRegressor, ThetaRegressor
from skseq.datasets import load_airline

pytest.importorskip("statsmodels")

AIRLINE = np.asarray(load_airline(), dtype=np.float64)
TRAIN, TEST = AIRLINE[:115], AIRLINE[115:]
K = 12  # window_length


def _pipe(model, window_length=K):
    return Pipeline([("window", SequenceWindower(window_length)), ("model", model)])


def _statsmodels_ets(series):
    from statsmodels.tsa.statespace.exponential_smoothing import ExponentialSmoothing

    model = ExponentialSmoothing(series, trend=True, damped_trend=True, seasonal=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(disp=False)


@pytest.fixture(scope="module")
def ets():
    """ETS with a season, fitted once on TRAIN (a seasonal fit takes ~1 s)."""
    return _pipe(ETSRegressor(12)).fit(TRAIN)


# Same forecasts as statsmodels --------------------------------------------


def test_last_training_window_forecasts_what_statsmodels_forecasts():
    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.forecasting.theta import ThetaModel

    expected = {
        "ets": _statsmodels_ets(TRAIN).forecast(18),
        "arima": ARIMA(TRAIN, order=(1, 1, 0), trend="t").fit().forecast(18),
        "theta": ThetaModel(TRAIN, period=12).fit().forecast(18),
    }
    models = {
        "ets": ETSRegressor(12, horizon=18),
        "arima": ARIMARegressor(order=(1, 1, 0), horizon=18),
        "theta": ThetaRegressor(12, horizon=18),
    }
    for name, model in models.items():
        pipe = _pipe(model).fit(TRAIN)
        np.testing.assert_allclose(pipe.predict(TRAIN)[-1], expected[name], rtol=1e-9)
        # The last window alone is found at the end of the training series.
        np.testing.assert_allclose(
            pipe.predict(TRAIN[-K:])[0], expected[name], rtol=1e-9
        )
        # forecast() with horizon >= steps is the direct forecast.
        np.testing.assert_allclose(forecast(pipe, TRAIN, 18), expected[name])


def test_recursive_forecast_of_a_linear_model_is_its_multi_step_forecast(ets):
    """forecast() with horizon=1 feeds predictions back; ETS and ARIMA agree."""
    expected = _statsmodels_ets(TRAIN).forecast(18)
    np.testing.assert_allclose(forecast(ets, TRAIN, 18), expected, rtol=1e-9)
    arima = _pipe(ARIMARegressor(order=(2, 1, 0))).fit(TRAIN)
    direct = _pipe(ARIMARegressor(order=(2, 1, 0), horizon=18)).fit(TRAIN)
    np.testing.assert_allclose(
        forecast(arima, TRAIN, 18), forecast(direct, TRAIN, 18), rtol=1e-9
    )


def test_training_windows_get_in_sample_one_step_forecasts(ets):
    pipe = ets
    fitted = _statsmodels_ets(TRAIN).fittedvalues
    np.testing.assert_allclose(pipe.predict(TRAIN)[:-1], fitted[K:], rtol=1e-9)
    # A stretch of the training series starts from the state at that point.
    np.testing.assert_allclose(
        pipe.predict(TRAIN[40:80])[:-1], fitted[40 + K : 80], rtol=1e-9
    )


def test_test_fold_continues_from_the_training_end_with_fixed_parameters(ets):
    """Windows that follow the training series update the fitted state."""
    from statsmodels.tsa.arima.model import ARIMA

    test_fold = AIRLINE[115 - K :]  # the test fold's windows start inside it
    expected = _statsmodels_ets(TRAIN).append(TEST).fittedvalues[115:]
    np.testing.assert_allclose(ets.predict(test_fold)[:-1], expected, rtol=1e-9)
    # A fold that starts right after the training end: its first window is
    # history only.
    arima = _pipe(ARIMARegressor(order=(1, 1, 0))).fit(TRAIN)
    expected = ARIMA(TRAIN, order=(1, 1, 0), trend="t").fit().append(TEST)
    np.testing.assert_allclose(
        arima.predict(TEST)[:-1], expected.fittedvalues[115 + K :], rtol=1e-9
    )


def test_each_forecast_uses_values_up_to_its_window_only():
    for model in (
        ETSRegressor(12),
        ThetaRegressor(12),
        ARIMARegressor(order=(1, 1, 1)),
    ):
        pipe = _pipe(model).fit(TRAIN)
        before = pipe.predict(TEST)
        changed = TEST.copy()
        changed[20:] += 100.0
        after = pipe.predict(changed)
        window_ends = np.arange(K - 1, len(TEST))
        unchanged = window_ends < 20
        np.testing.assert_array_equal(after[unchanged], before[unchanged])
        assert not np.allclose(after[~unchanged], before[~unchanged])


def test_windows_that_are_not_consecutive_are_forecast_one_by_one():
    pipe = _pipe(ThetaRegressor(12, horizon=3)).fit(TRAIN)
    windows = SequenceWindower(K).fit_transform(AIRLINE)[[130, 3, 120, 60]]
    together = pipe[-1].predict(windows)
    alone = np.vstack([pipe[-1].predict(w[np.newaxis]) for w in windows])
    np.testing.assert_allclose(together, alone, rtol=1e-12)
    # Window 3 lies in the training series: its in-sample forecast.
    np.testing.assert_allclose(together[1], pipe.predict(TRAIN)[3], rtol=1e-12)


def test_explicit_y_from_make_windows_fits_the_same_series():
    X, y = make_windows(TRAIN, window_length=K)
    explicit = ThetaRegressor(12).fit(X, y)
    series_mode = _pipe(ThetaRegressor(12)).fit(TRAIN)
    assert explicit.params_ == series_mode[-1].params_
    np.testing.assert_allclose(explicit.predict(X), series_mode.predict(TRAIN)[:-1])
    two = ThetaRegressor(12).fit(X[:-1], np.column_stack([y[:-1], y[1:]]))
    assert two.predict(X[:5]).shape == (5, 2)


# Quality -------------------------------------------------------------------


@pytest.mark.slow
def test_seasonal_models_beat_naive_on_the_airline_test_fold():
    test_fold = AIRLINE[115 - K :]
    naive = np.mean(np.abs(test_fold[K - 1 : -1] - TEST))
    for model in (ETSRegressor(12), ARIMARegressor(12), ThetaRegressor(12)):
        pred = _pipe(model).fit(TRAIN).predict(test_fold)[:-1]
        assert np.mean(np.abs(pred - TEST)) < 0.7 * naive, type(model).__name__


@pytest.mark.slow
def test_automatic_arima_differences_the_airline_season():
    model = _pipe(ARIMARegressor(12)).fit(TRAIN)[-1]
    assert model.seasonal_order_[1] == 1 and model.seasonal_order_[3] == 12
    assert len(model.order_) == 3 and np.isfinite(model.aic_)
    plain = _pipe(ARIMARegressor()).fit(TRAIN)[-1]
    assert plain.seasonal_order_ == (0, 0, 0, 0)


@pytest.mark.slow
def test_fitting_a_normal_series_leaks_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for model in (ETSRegressor(12), ARIMARegressor(12), ThetaRegressor(12)):
            _pipe(model).fit(TRAIN).predict(TEST)


# scikit-learn workflow -----------------------------------------------------


def test_clone_and_pickle_round_trip_predict_identically():
    for model in (ETSRegressor(horizon=2), ARIMARegressor(order=(1, 1, 0))):
        pipe = _pipe(model).fit(TRAIN)
        restored = pickle.loads(pickle.dumps(pipe))
        np.testing.assert_array_equal(restored.predict(TEST), pipe.predict(TEST))
        refit = clone(pipe).fit(TRAIN)
        np.testing.assert_array_equal(refit.predict(TEST), pipe.predict(TEST))
        assert clone(model).get_params() == model.get_params()


@pytest.mark.slow
def test_grid_search_chooses_the_season():
    search = GridSearchCV(
        _pipe(ThetaRegressor()),
        {"model__season_length": [None, 12]},
        cv=TimeSeriesSplit(n_splits=2),
        scoring=make_series_scorer("neg_mean_absolute_error"),
    ).fit(AIRLINE)
    assert search.best_params_ == {"model__season_length": 12}


@pytest.mark.slow
def test_compare_ranks_the_classical_models_with_the_baselines():
    models = {
        "naive": _pipe(NaiveRegressor()),
        "ets": _pipe(ETSRegressor(12)),
        "theta": _pipe(ThetaRegressor(12)),
    }
    table = compare(models, AIRLINE, cv=2, seeds=(0,), verbose=0)
    assert table.loc["ets", "skill"] > 0.3 and table.loc["theta", "skill"] > 0.3
    assert np.isnan(table["p_value"]).sum() == 1


# Errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, needed",
    [(ETSRegressor(12), 26), (ARIMARegressor(12), 28), (ThetaRegressor(12), 24)],
)
def test_too_short_series_is_refused_with_the_lengths(model, needed):
    with pytest.raises(ValueError, match=f"at least {needed} values.*got 20"):
        _pipe(model, window_length=4).fit(AIRLINE[:20])


@pytest.mark.parametrize(
    "model",
    [
        ETSRegressor(season_length=0),
        ETSRegressor(season_length=True),
        ETSRegressor(trend="yes"),
        ARIMARegressor(order=[1, 0, 0]),
        ThetaRegressor(theta=0.5),
        ThetaRegressor(horizon=0),
    ],
)
def test_bad_parameters_are_refused(model):
    with pytest.raises(InvalidParameterError, match="parameter of"):
        _pipe(model).fit(TRAIN)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"order": (1, -1, 0)}, "order must be a tuple of three non-negative"),
        ({"seasonal_order": (0, 1, 1)}, "seasonal_order needs an order"),
        ({"order": (0, 1, 1), "seasonal_order": (0, 1, 1)}, "needs season_length"),
    ],
)
def test_bad_arima_orders_are_refused(params, match):
    with pytest.raises(ValueError, match=match):
        _pipe(ARIMARegressor(**params)).fit(TRAIN)


def test_constant_series_is_refused():
    with pytest.raises(ValueError, match="constant series"):
        _pipe(ETSRegressor()).fit(np.full(40, 3.0))


def test_missing_statsmodels_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "statsmodels", None)
    with pytest.raises(ImportError, match=r"pip install 'skseq\[stats\]'"):
        _pipe(ETSRegressor()).fit(TRAIN)


def test_importing_skseq_imports_neither_statsmodels_nor_tensorflow():
    code = (
        "import sys, skseq, skseq.classical; "
        "print(sorted({'statsmodels', 'tensorflow'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
