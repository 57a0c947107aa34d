"""Every scaling method trains and predicts the same in numpy and in the graph.

The compiled training loop scales windows with TensorFlow, ``Model.fit`` and
``predict`` with numpy; both run the one implementation in
``skseq._scaling``. These tests fit real (tiny) networks.
"""

import numpy as np
import pytest
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline

from conftest import FAST
from skseq import DenseRegressor, RNNRegressor, SequenceWindower
from skseq._scaling import METHODS

ALL_SCALINGS = [*METHODS, None]


@pytest.mark.parametrize("per_batch", [False, True], ids=["whole", "per-batch"])
@pytest.mark.parametrize("scaling", ALL_SCALINGS)
def test_compiled_loop_scales_as_keras_fit_does(scaling, per_batch, monkeypatch):
    """Same updates as Model.fit (numpy scaling) for every method, both paths."""
    import keras

    from skseq.regressors import _training

    if per_batch:  # long-series path: each batch gathered and scaled in the graph
        monkeypatch.setattr(_training, "_PRECOMPUTE_VALUES", 0)
    series = 50 + 10 * np.sin(np.arange(90) / 3) + np.arange(90) / 4
    params = {**FAST, "epochs": 4, "batch_size": 16, "shuffle": False}
    params["learning_rate"] = 0.001
    params["scaling"] = scaling

    def fit(**extra):
        model = DenseRegressor(hidden_layer_sizes=(8,), **params, **extra)
        return make_pipeline(SequenceWindower(5), model).fit(series)

    compiled = fit()
    with_fit = fit(callbacks=[keras.callbacks.History()])
    np.testing.assert_allclose(
        compiled.predict(series), with_fit.predict(series), rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(
        compiled[-1].history_["loss"], with_fit[-1].history_["loss"], rtol=1e-4
    )


@pytest.mark.parametrize(
    "Regressor", [DenseRegressor, RNNRegressor], ids=["dense", "lstm"]
)
def test_default_scaling_sees_the_level_of_a_window_of_two(Regressor):
    """sin(t) from windows of two values: held-out R² > 0.99 with the defaults.

    Measured against its last value alone, a window of two values is one
    number, x1 - x2, which does not tell where on the curve it is.
    """
    series = np.sin(np.arange(240.0))
    pipe = make_pipeline(SequenceWindower(2), Regressor(random_state=0))
    pipe.fit(series[:200])
    predictions = pipe.predict(series[198:])[:-1]
    assert r2_score(series[200:], predictions) > 0.99


@pytest.mark.parametrize(
    "Regressor", [DenseRegressor, RNNRegressor], ids=["dense", "lstm"]
)
def test_a_trend_is_forecast_at_its_current_level(Regressor):
    """A noisy straight line is continued beyond the levels seen in training."""
    rng = np.random.default_rng(0)
    steps = np.arange(160.0)
    series = 2.0 * steps + rng.normal(0, 1.0, len(steps))
    pipe = make_pipeline(SequenceWindower(6), Regressor(random_state=0))
    pipe.fit(series[:100])  # training levels reach about 200
    predictions = pipe.predict(series[94:])[:-1]  # targets at 200 .. 320
    errors = predictions - series[100:]
    assert np.mean(np.abs(errors)) < 3.0, np.mean(np.abs(errors))


def test_level_channels_double_the_network_inputs(sine):
    """With a "+level" method each step carries its window's level too."""
    X = np.stack([sine, 2 * sine], axis=1)
    pipe = make_pipeline(
        SequenceWindower(4), DenseRegressor(scaling="last+level", **FAST)
    ).fit(X)
    assert pipe[-1].model_.input_shape == (None, 4, 4)
    plain = make_pipeline(SequenceWindower(4), DenseRegressor(scaling="last", **FAST))
    assert plain.fit(X)[-1].model_.input_shape == (None, 4, 2)
