"""One name per knob, and the repr a scikit-learn user expects."""

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from conftest import FAST
from skseq import DenseRegressor, RNNRegressor, make_windows


@pytest.fixture
def windows(sine):
    return make_windows(sine, window_length=4)


@pytest.mark.parametrize(
    "params, names",
    [
        ({"learning_rate": 0.01, "optimizer__learning_rate": 0.1}, "learning_rate"),
        ({"clipnorm": 1.0, "optimizer__clipnorm": 2.0}, "clipnorm"),
    ],
)
def test_a_knob_given_twice_is_refused(params, names, windows):
    """learning_rate and optimizer__learning_rate together: a clear error."""
    X, y = windows
    with pytest.raises(ValueError, match=f"both {names}=.*optimizer__{names}="):
        DenseRegressor(**FAST, **params).fit(X, y)


def test_a_routed_learning_rate_alone_is_used(windows):
    """The scikeras spelling on its own still sets the optimizer's rate."""
    X, y = windows
    model = DenseRegressor(**FAST, optimizer__learning_rate=0.05).fit(X, y)
    assert float(model.model_.optimizer.learning_rate) == pytest.approx(0.05)


@pytest.mark.parametrize("name, value", [("learning_rate", 0.01), ("clipnorm", 1.0)])
def test_a_setting_an_optimizer_instance_would_ignore_is_refused(name, value, windows):
    """An instance keeps its own rate: a grid over learning_rate must not no-op."""
    import keras

    X, y = windows
    model = RNNRegressor(
        units=4, optimizer=keras.optimizers.SGD(), **{name: value}, **FAST
    )
    with pytest.raises(ValueError, match=f"{name}=.*optimizer instance"):
        model.fit(X, y)
    instance = keras.optimizers.SGD(learning_rate=0.02)
    fitted = RNNRegressor(units=4, optimizer=instance, **FAST).fit(X, y)
    assert float(fitted.model_.optimizer.learning_rate) == pytest.approx(0.02)


@pytest.mark.parametrize("nested", [False, True])
def test_an_unknown_parameter_is_named_as_scikit_learn_does(nested):
    """set_params names the key in quotes and lists the valid ones, in a pipeline
    too; routed optimizer arguments stay allowed."""
    model = DenseRegressor()
    target = Pipeline([("model", model)]) if nested else model
    key = "model__foo" if nested else "foo"
    message = r"Invalid parameter 'foo' for estimator DenseRegressor\(\)\. Valid "
    with pytest.raises(ValueError, match=message + r"parameters are: \[.*'epochs'"):
        target.set_params(**{key: 1})
    model.set_params(optimizer__momentum=0.9, epochs=3)
    assert model.get_params()["optimizer__momentum"] == 0.9 and model.epochs == 3


def test_repr_shows_changed_parameters_as_python():
    """repr lists the changed parameters only, strings quoted, as scikit-learn does."""
    assert repr(DenseRegressor(hidden_layer_sizes=(32,))) == (
        "DenseRegressor(hidden_layer_sizes=(32,))"
    )
    assert repr(RNNRegressor("gru", epochs=5, optimizer__momentum=0.9)) == (
        "RNNRegressor(cell='gru', epochs=5, optimizer__momentum=0.9)"
    )
    assert repr(DenseRegressor()) == "DenseRegressor()"


def test_html_repr_is_scikit_learns():
    """Notebooks get scikit-learn's estimator diagram with the same text."""
    html = DenseRegressor(hidden_layer_sizes=(32,))._repr_html_()
    assert "sk-estimator" in html
    assert "DenseRegressor(hidden_layer_sizes=(32,))" in html
    assert np.char.count(html, "\t") == 0
