"""skseq inside scikit-learn's machinery: search, CV, clone, pickle, seeds."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.pipeline import Pipeline

from conftest import FAST
from skseq import DenseRegressor, RNNRegressor, SequenceWindower


def _pipe(model=None, window_length=3):
    model = model if model is not None else RNNRegressor(units=4, **FAST)
    return Pipeline(
        [("window", SequenceWindower(window_length=window_length)), ("model", model)]
    )


def test_cross_validate_with_time_series_split(sine):
    """cross_validate scores every fold with series-mode R²."""
    result = cross_validate(_pipe(), sine, cv=TimeSeriesSplit(n_splits=3))
    assert result["test_score"].shape == (3,)
    assert np.all(np.isfinite(result["test_score"]))


@pytest.mark.slow
def test_grid_search_over_window_length_and_architecture(sine):
    """GridSearchCV compares window lengths and Dense/LSTM/GRU models."""
    grid = GridSearchCV(
        _pipe(),
        {
            "window__window_length": [2, 3, 4],
            "model": [
                DenseRegressor(**FAST),
                RNNRegressor(cell="lstm", units=4, **FAST),
                RNNRegressor(cell="gru", units=4, **FAST),
            ],
        },
        cv=TimeSeriesSplit(n_splits=3),
        error_score="raise",
    ).fit(sine)
    assert len(grid.cv_results_["mean_test_score"]) == 9
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    best = pickle.loads(pickle.dumps(grid.best_estimator_))
    np.testing.assert_array_equal(best.predict(sine), grid.predict(sine))


def test_nested_parameters_and_clone_round_trip():
    """get_params/set_params reach model__units; clone keeps every parameter."""
    pipe = _pipe(RNNRegressor(units=4, optimizer__momentum=0.1, **FAST))
    pipe.set_params(model__units=7, window__window_length=5)
    assert pipe.get_params()["model__units"] == 7
    assert pipe.get_params()["model__optimizer__momentum"] == 0.1
    twin = clone(pipe)
    assert twin.get_params(deep=False).keys() == pipe.get_params(deep=False).keys()
    for name in ("model", "window"):
        assert (
            twin.named_steps[name].get_params() == pipe.named_steps[name].get_params()
        )
    with pytest.raises(ValueError, match="Invalid parameter"):
        pipe.set_params(model__unitz=3)


def test_clone_of_a_fitted_model_is_unfitted(sine):
    """A clone shares no weights with the fitted original."""
    pipe = _pipe().fit(sine)
    twin = clone(pipe)
    assert not hasattr(twin.named_steps["model"], "model_")


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_fitted_pipeline_round_trips_with_identical_predictions(dump, sine, tmp_path):
    """Pickle and joblib round trips predict exactly the same."""
    pipe = _pipe().fit(sine)
    if dump == "pickle":
        loaded = pickle.loads(pickle.dumps(pipe))
    else:
        joblib.dump(pipe, tmp_path / "pipe.joblib")
        loaded = joblib.load(tmp_path / "pipe.joblib")
    np.testing.assert_array_equal(loaded.predict(sine), pipe.predict(sine))


@pytest.mark.parametrize("Regressor", [DenseRegressor, RNNRegressor])
def test_same_random_state_same_predictions_in_one_process(Regressor, sine):
    """Two fits with one random_state agree; another seed differs."""
    params = {**FAST, "random_state": 3}
    a = _pipe(Regressor(**params)).fit(sine).predict(sine)
    b = _pipe(Regressor(**params)).fit(sine).predict(sine)
    c = _pipe(Regressor(**{**params, "random_state": 4})).fit(sine).predict(sine)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    assert np.max(np.abs(a - c)) > 1e-4


def test_random_state_accepts_numpy_ints_and_random_state_instances(sine):
    """np.int64 seeds work like ints; RandomState instances are accepted."""
    a = _pipe(DenseRegressor(**{**FAST, "random_state": np.int64(5)})).fit(sine)
    b = _pipe(DenseRegressor(**{**FAST, "random_state": 5})).fit(sine)
    np.testing.assert_array_equal(a.predict(sine), b.predict(sine))
    rs = np.random.RandomState(0)
    _pipe(DenseRegressor(**{**FAST, "random_state": rs})).fit(sine)


def test_fit_leaves_global_random_state_untouched(sine):
    """Seeding a fit does not change the user's NumPy or Python streams."""
    import random

    np.random.seed(123)
    random.seed(123)
    expected = (np.random.random(), random.random())
    np.random.seed(123)
    random.seed(123)
    _pipe(DenseRegressor(**FAST)).fit(sine)
    assert (np.random.random(), random.random()) == expected
