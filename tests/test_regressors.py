"""Behaviour of DenseRegressor and RNNRegressor outside series mode."""

import numpy as np
import pytest
from sklearn.base import clone, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError

from conftest import FAST
from skseq import DenseRegressor, RNNRegressor, SequenceWindower, make_windows

REGRESSORS = [DenseRegressor, RNNRegressor]
CELLS = ["simple", "lstm", "gru"]


@pytest.fixture
def windows(sine):
    return make_windows(sine, window_length=5)


@pytest.mark.parametrize("Regressor", REGRESSORS)
def test_tags_make_it_a_regressor_that_takes_windows(Regressor):
    """scikit-learn sees a regressor that needs y and accepts 3-D windows."""
    est = Regressor()
    tags = get_tags(est)
    assert is_regressor(est)
    assert tags.estimator_type == "regressor"
    assert tags.target_tags.required
    assert tags.input_tags.three_d_array
    assert not tags.input_tags.sparse


@pytest.mark.parametrize("Regressor", REGRESSORS)
def test_2d_and_3d_windows_give_the_same_predictions(Regressor, windows):
    """(n, k) windows are (n, k, 1) windows."""
    X, y = windows
    three_d = Regressor(**FAST).fit(X, y).predict(X)
    two_d = Regressor(**FAST).fit(X[:, :, 0], y).predict(X[:, :, 0])
    np.testing.assert_allclose(three_d, two_d, rtol=1e-6)
    assert three_d.shape == (len(X),) and three_d.dtype == np.float64


@pytest.mark.parametrize("cell", CELLS)
def test_every_cell_fits_multivariate_windows_and_multi_output_y(cell, sine):
    """Windows of 2 features and 2 targets give (n, 2) predictions."""
    series = np.column_stack([sine, np.cos(np.arange(len(sine)) / 4)])
    X, _ = make_windows(series, window_length=4)
    y = np.column_stack([series[4:, 0], series[4:, 1]])
    pred = RNNRegressor(cell=cell, units=(4, 3), **FAST).fit(X, y).predict(X)
    assert pred.shape == (len(X), 2) and np.all(np.isfinite(pred))


def test_parameters_reach_the_keras_model(windows):
    """Layer sizes, activation, cell, stacking and the optimizer are honoured."""
    X, y = windows
    dense = DenseRegressor((7, 5), activation="tanh", dropout=0.1, **FAST).fit(X, y)
    sizes = [layer.units for layer in dense.model_.layers if hasattr(layer, "units")]
    assert sizes == [7, 5, 1]
    hidden = [layer for layer in dense.model_.layers if hasattr(layer, "units")]
    assert hidden[0].activation.__name__ == "tanh"
    rnn = RNNRegressor("gru", (6, 4), learning_rate=0.02, clipnorm=1.0, **FAST)
    rnn.fit(X, y)
    grus = {la.name: la for la in rnn.model_.layers if type(la).__name__ == "GRU"}
    # Two members of two stacked layers each (one reading each way), every
    # one with its own output layer, after which the level joins.
    assert sorted(grus) == [
        f"{member}_gru_{position}"
        for member in ("backward", "forward")
        for position in (0, 1)
    ]
    for member in ("forward", "backward"):
        first, second = grus[f"{member}_gru_0"], grus[f"{member}_gru_1"]
        assert first.return_sequences and not second.return_sequences
        assert (first.units, second.units) == (6, 4)
        assert rnn.model_.get_layer(f"{member}_output").units == 1
    assert float(rnn.model_.optimizer.learning_rate) == pytest.approx(0.02)
    assert rnn.model_.optimizer.clipnorm == 1.0
    assert len(rnn.history_["loss"]) == FAST["epochs"]


def test_go_backwards_reads_each_window_newest_step_first(windows):
    """go_backwards=True is the same network fed each window reversed, and
    only the first of stacked layers reverses (the next reads its output)."""
    X, y = windows
    params = {**FAST, "scaling": None, "ridge_weight": 0.0, "random_state": 3}
    back = RNNRegressor("lstm", (4, 3), go_backwards=True, **params).fit(X, y)
    flipped = RNNRegressor("lstm", (4, 3), **params).fit(X[:, ::-1], y)
    np.testing.assert_allclose(
        back.predict(X), flipped.predict(X[:, ::-1]), rtol=1e-5, atol=1e-6
    )
    layers = [la for la in back.model_.layers if type(la).__name__ == "LSTM"]
    assert [la.go_backwards for la in layers] == [True, False]
    assert not np.allclose(back.predict(X), flipped.predict(X), atol=1e-4)


def _member_forecasts(est, X):
    """Each member's forecast in the user's units, from the fitted network."""
    import keras

    forecasts = []
    for member in ("forward", "backward"):
        output = est.model_.get_layer(f"{member}_output").output
        net = keras.Model(est.model_.inputs, output)
        scaled = net.predict(est._scaler.transform(X), verbose=0)
        forecasts.append(est._scaler.inverse_targets(scaled, X).ravel())
    return forecasts


def test_go_backwards_auto_averages_two_readings_on_one_series(windows):
    """By default on one series with a scaling the network has two members,
    one reading each window oldest first and one newest first, and forecasts
    their mean; the lesson's scaling=None and long series keep one network
    reading forward."""
    X, y = windows
    params = {**FAST, "ridge_weight": 0.0}
    est = RNNRegressor("lstm", 4, **params).fit(X, y)
    assert est.go_backwards == "auto" and est.go_backwards_ == "both"
    lstms = {la.name: la for la in est.model_.layers if type(la).__name__ == "LSTM"}
    assert {n: la.go_backwards for n, la in lstms.items()} == {
        "forward_lstm_0": False,
        "backward_lstm_0": True,
    }
    forward, backward = _member_forecasts(est, X)
    assert np.abs(forward - backward).max() > 1e-4  # two different networks
    np.testing.assert_allclose(est.predict(X), (forward + backward) / 2, rtol=1e-5)
    assert clone(est).go_backwards == "auto"
    cases = [(False, False, 1), (True, True, 1), ("both", "both", 2)]
    for value, resolved, n_lstm in cases:
        one = RNNRegressor("lstm", 4, go_backwards=value, **params).fit(X, y)
        layers = [la for la in one.model_.layers if type(la).__name__ == "LSTM"]
        assert one.go_backwards_ == resolved and len(layers) == n_lstm
    lesson = RNNRegressor("lstm", 4, scaling=None, **params).fit(X, y)
    assert lesson.go_backwards_ is False
    assert len([la for la in lesson.model_.layers if type(la).__name__ == "LSTM"]) == 1
    # Beyond 512 training windows one network reads forward.
    long = make_pipeline(SequenceWindower(5), RNNRegressor("lstm", 4, **params))
    for n_values, resolved in [(517, "both"), (518, False)]:
        long.fit(np.sin(np.arange(n_values) / 3))  # n_values - 5 windows
        assert long[-1].go_backwards_ == resolved


def test_the_two_readings_are_trained_each_on_its_own(windows):
    """Each member is fitted to the targets on its own (not their mean): a
    forward member trains exactly the same whatever the backward one holds."""
    import pickle

    X, y = windows
    params = {**FAST, "epochs": 1, "shuffle": False, "ridge_weight": 0.0}
    est = RNNRegressor("gru", 4, go_backwards="both", **params).fit(X, y)
    other = pickle.loads(pickle.dumps(est))
    output = other.model_.get_layer("backward_output")
    kernel, bias = output.get_weights()
    output.set_weights([3 * kernel + 1, bias - 2])  # another backward member
    for model in (est, other):
        model.partial_fit(X, y)
    for name in ("forward_gru_0", "forward_output"):
        for a, b in zip(
            est.model_.get_layer(name).get_weights(),
            other.model_.get_layer(name).get_weights(),
            strict=True,
        ):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    backward = [m.model_.get_layer("backward_output") for m in (est, other)]
    kernels = [layer.get_weights()[0] for layer in backward]
    assert np.abs(kernels[0] - kernels[1]).max() > 0.1


def test_routed_optimizer_parameters_are_used(windows):
    """optimizer__<name> reaches the optimizer and survives set_params."""
    X, y = windows
    est = DenseRegressor(optimizer="sgd", optimizer__momentum=0.5, **FAST)
    est.set_params(optimizer__learning_rate=0.003)
    est.fit(X, y)
    assert float(est.model_.optimizer.momentum) == pytest.approx(0.5)
    assert float(est.model_.optimizer.learning_rate) == pytest.approx(0.003)
    assert est.get_params()["optimizer__momentum"] == 0.5


def test_warm_start_and_partial_fit_continue_training(windows):
    """partial_fit adds one epoch to the same network."""
    X, y = windows
    est = DenseRegressor(**FAST).fit(X, y)
    model = est.model_
    est.partial_fit(X, y)
    assert est.model_ is model and len(est.history_["loss"]) == FAST["epochs"] + 1


@pytest.mark.parametrize(
    ("n_values", "expected"),
    [(25, 10), (40, 17), (70, 32), (105, 50), (204, 99), (205, 100), (400, 100)],
)
def test_auto_epochs_are_half_the_windows_within_10_to_100_for_dense(
    n_values, expected
):
    """Dense trains for n_windows // 2 epochs, clipped to [10, 100].

    A window of 5 leaves ``n_values - 5`` windows with targets.
    """
    series = np.sin(np.arange(n_values) / 4)
    pipe = make_pipeline(SequenceWindower(5), DenseRegressor((4,), random_state=0))
    est = pipe.fit(series)[-1]
    assert est.epochs == "auto"
    assert est.epochs_ == expected == len(est.history_["loss"])


@pytest.mark.parametrize(("n_values", "expected"), [(25, 30), (40, 30), (70, 32)])
def test_auto_epochs_of_recurrent_networks_are_at_least_30(n_values, expected):
    """Recurrent networks keep a floor of 30 epochs (their 18-step M3 models
    fell behind below it)."""
    series = np.sin(np.arange(n_values) / 4)
    model = RNNRegressor(cell="gru", units=2, random_state=0)
    est = make_pipeline(SequenceWindower(5), model).fit(series)[-1]
    assert est.epochs_ == expected == len(est.history_["loss"])


@pytest.mark.parametrize("Regressor", REGRESSORS)
def test_explicit_epochs_are_honoured_and_auto_survives_clone(Regressor, windows):
    """An int is used as given; clone and get_params keep "auto" unresolved."""
    X, y = windows
    est = Regressor(epochs=3, batch_size=64, random_state=0).fit(X, y)
    assert est.epochs_ == 3 == len(est.history_["loss"])
    auto = Regressor(batch_size=64, random_state=0).fit(X, y)
    assert auto.get_params()["epochs"] == "auto"
    assert clone(auto).get_params()["epochs"] == "auto"
    assert auto.epochs_ == len(X) // 2 == 57


def test_auto_epochs_on_long_series_train_exactly_as_100(sine):
    """From 200 windows on, "auto" is epochs=100: the same network."""
    series = np.sin(np.arange(230) / 4)
    params = {"hidden_layer_sizes": (4,), "random_state": 0}
    auto = make_pipeline(SequenceWindower(5), DenseRegressor(**params)).fit(series)
    fixed = make_pipeline(SequenceWindower(5), DenseRegressor(epochs=100, **params))
    fixed.fit(series)
    np.testing.assert_array_equal(auto.predict(series), fixed.predict(series))


def test_auto_epochs_with_partial_fit_and_early_stopping(windows):
    """partial_fit trains one epoch; early stopping may stop before epochs_."""
    X, y = windows
    est = DenseRegressor((4,), batch_size=64, random_state=0).partial_fit(X, y)
    assert est.epochs_ == 1 == len(est.history_["loss"])
    est = DenseRegressor(
        (4,), early_stopping=True, n_iter_no_change=1, learning_rate=0.1, random_state=0
    ).fit(X, y)
    assert len(est.history_["loss"]) <= est.epochs_ == len(X) // 2


@pytest.mark.parametrize(
    ("n_values", "early_stopping", "expected"),
    [(205, False, 32), (517, False, 32), (518, False, 33), (1605, False, 100),
     (1605, True, 90)],
)  # fmt: skip
def test_auto_batch_size_makes_at_most_16_updates_per_epoch(
    n_values, early_stopping, expected
):
    """ "auto" is 32, or the training windows over 16 (rounded up) where that
    is more; early stopping's validation windows do not count.

    A window of 5 leaves ``n_values - 5`` windows with targets; with early
    stopping 10% of them (160 of 1,600) validate.
    """
    series = np.sin(np.arange(n_values) / 4)
    model = DenseRegressor(
        (4,), epochs=1, batch_size="auto", early_stopping=early_stopping
    )
    est = make_pipeline(SequenceWindower(5), model.set_params(random_state=0))
    est = est.fit(series)[-1]
    assert est.batch_size == "auto"
    assert est.batch_size_ == expected
    assert clone(est).get_params()["batch_size"] == "auto"


def test_auto_batch_size_up_to_512_windows_trains_exactly_as_32():
    """Series of up to 512 windows (every shipped one, M3) train as with 32."""
    series = np.sin(np.arange(517) / 4)
    params = {"hidden_layer_sizes": (4,), "epochs": 2, "random_state": 0}
    auto = DenseRegressor(batch_size="auto", **params)
    auto = make_pipeline(SequenceWindower(5), auto).fit(series)
    fixed = DenseRegressor(**params)
    fixed = make_pipeline(SequenceWindower(5), fixed).fit(series)
    np.testing.assert_array_equal(auto.predict(series), fixed.predict(series))
    assert auto[-1].batch_size_ == fixed[-1].batch_size_ == 32


@pytest.mark.parametrize("Regressor", REGRESSORS)
def test_auto_batch_size_trains_as_the_resolved_int(Regressor):
    """ "auto" on 1,600 windows is exactly batch_size=100, for both networks;
    batch_size_ is the size the updates used (capped at the windows)."""
    series = np.sin(np.arange(1605) / 4)
    small = {"units": 2} if Regressor is RNNRegressor else {"hidden_layer_sizes": (4,)}
    params = {"epochs": 1, "random_state": 0, **small}
    auto = make_pipeline(SequenceWindower(5), Regressor(batch_size="auto", **params))
    fixed = make_pipeline(SequenceWindower(5), Regressor(batch_size=100, **params))
    np.testing.assert_array_equal(
        auto.fit(series).predict(series), fixed.fit(series).predict(series)
    )
    assert auto[-1].batch_size_ == 100
    few = make_pipeline(SequenceWindower(5), Regressor(**params))
    assert few.fit(series[:25])[-1].batch_size_ == 20


def test_default_batch_size_is_32_and_an_int_is_used_as_given():
    series = np.sin(np.arange(1605) / 4)
    model = DenseRegressor((4,), epochs=1, random_state=0)
    pipe = make_pipeline(SequenceWindower(5), model)
    assert pipe.fit(series)[-1].batch_size_ == 32
    assert (
        pipe.set_params(denseregressor__batch_size=8).fit(series)[-1].batch_size_ == 8
    )


def test_scaling_lets_a_series_in_the_hundreds_train(sine):
    """A series around 500 fits as well as the same series around 0."""
    X, y = make_windows(sine, window_length=6)
    params = {**FAST, "epochs": 60, "learning_rate": 0.01}
    small = DenseRegressor(**params).fit(X, y).score(X, y)
    big = DenseRegressor(**params).fit(500 + 100 * X, 500 + 100 * y)
    assert big.score(500 + 100 * X, 500 + 100 * y) == pytest.approx(small, abs=1e-3)
    assert small > 0.9


@pytest.mark.parametrize(
    "series",
    [
        np.full(30, 7.0),
        np.sin(np.arange(30)) * 1e30,
        np.sin(np.arange(30)) * 1e-30,
        np.arange(30, dtype=np.int64),
        np.sin(np.arange(30)).astype(np.float32),
    ],
    ids=["constant", "1e30", "1e-30", "int", "float32"],
)
@pytest.mark.parametrize("Regressor", REGRESSORS)
def test_odd_but_valid_series_give_finite_predictions(Regressor, series):
    """Constant, huge, tiny, integer and float32 series all work."""
    X, y = make_windows(series, window_length=3)
    pred = Regressor(**FAST).fit(X, y).predict(X)
    assert np.all(np.isfinite(pred)) and pred.dtype == np.float64
    if np.ptp(series) == 0:
        np.testing.assert_allclose(pred, 7.0)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"epochs": 0}, "'epochs' parameter"),
        ({"epochs": "many"}, "'epochs' parameter.*'auto'"),
        ({"epochs": 2.5}, "'epochs' parameter"),
        ({"epochs": True}, "not a bool"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"batch_size": "many"}, "'batch_size' parameter.*'auto'"),
        ({"batch_size": 2.5}, "'batch_size' parameter"),
        ({"batch_size": True}, "not a bool"),
        ({"learning_rate": 0}, "'learning_rate' parameter"),
        ({"clipnorm": -1.0}, "'clipnorm' parameter"),
        ({"dropout": 1.0}, "'dropout' parameter"),
        ({"scaling": "minmax"}, "'scaling' parameter"),
        ({"ridge_weight": 1.5}, "'ridge_weight' parameter.*0.0, 1.0"),
        ({"ridge_weight": -0.1}, "'ridge_weight' parameter"),
        ({"ridge_weight": "half"}, "'ridge_weight' parameter.*'auto'"),
        ({"ridge_weight": True}, "'ridge_weight' parameter.*Got True"),
        ({"random_state": -1}, "'random_state' parameter"),
        ({"hidden_layer_sizes": (0,)}, "'hidden_layer_sizes' parameter"),
        ({"hidden_layer_sizes": ()}, "'hidden_layer_sizes' parameter"),
        ({"activation": "softmaxx"}, "'activation' parameter"),
    ],
)
def test_invalid_dense_parameters_fail_at_fit(params, message, windows):
    """Bad hyper-parameters raise a message naming them, at fit only."""
    X, y = windows
    est = DenseRegressor(**{**FAST, **params})
    with pytest.raises(InvalidParameterError, match=message):
        est.fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"cell": "lstmx"}, "'cell' parameter.*'gru'"),
        ({"units": 0}, "'units' parameter"),
        ({"units": (4, 0)}, "'units' parameter"),
        ({"units": True}, "'units' parameter"),
        ({"recurrent_dropout": -0.1}, "'recurrent_dropout' parameter"),
        ({"go_backwards": "yes"}, "'go_backwards' parameter"),
        ({"go_backwards": 1}, "'go_backwards' parameter"),
    ],
)
def test_invalid_rnn_parameters_fail_at_fit(params, message, windows):
    """Unknown cells and empty layers are refused with the valid values."""
    X, y = windows
    with pytest.raises(InvalidParameterError, match=message):
        RNNRegressor(**{**FAST, **params}).fit(X, y)


def test_unknown_optimizer_and_unrouted_keyword_are_refused(windows):
    """Typos in optimizer names and keyword arguments are reported."""
    X, y = windows
    with pytest.raises(ValueError, match="'optimizer' parameter.*'adamm'"):
        DenseRegressor(optimizer="adamm", **FAST).fit(X, y)
    with pytest.raises(ValueError, match="Invalid parameter 'unit'"):
        RNNRegressor(unit=5, **FAST).fit(X, y)


@pytest.mark.parametrize("Regressor", REGRESSORS)
def test_bad_data_is_refused_with_a_clear_message(Regressor, windows):
    """NaN, inf, length mismatch, sparse and 4-D input never reach Keras."""
    import scipy.sparse

    X, y = windows
    est = Regressor(**FAST)
    bad = np.array(X)
    bad[3, 1, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.fit(bad, y)
    bad[3, 1, 0] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        est.fit(bad, y)
    y_nan = y.copy()
    y_nan[0] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        est.fit(X, y_nan)
    with pytest.raises(
        ValueError, match=r"inconsistent numbers of samples: \[115, 114\]"
    ):
        est.fit(X, y[:-1])
    with pytest.raises(TypeError, match="[Ss]parse"):
        est.fit(scipy.sparse.csr_matrix(X[:, :, 0]), y)
    with pytest.raises(ValueError, match="dim 4"):
        est.fit(X[..., np.newaxis], y)
    with pytest.raises(ValueError, match="could not convert"):
        est.fit(np.full((5, 3), "a"), np.ones(5))


def test_unwindowed_y_gets_a_hint(sine):
    """Passing the whole series as y points to series mode."""
    X, _ = make_windows(sine, window_length=5)
    X = np.concatenate([X, sine[-5:].reshape(1, 5, 1)])
    with pytest.raises(ValueError, match="unwindowed series as y"):
        DenseRegressor(**FAST).fit(X, sine)


@pytest.mark.parametrize("Regressor", REGRESSORS)
def test_predict_checks_fit_and_window_shape(Regressor, windows):
    """Predict before fit, or with another window shape, is refused."""
    X, y = windows
    est = Regressor(**FAST)
    with pytest.raises(NotFittedError):
        est.predict(X)
    est.fit(X, y)
    with pytest.raises(ValueError, match=r"windows of shape \(3, 1\).*\(5, 1\)"):
        est.predict(X[:, :3])
    with pytest.raises(ValueError, match="X has 3 features, but .* expecting 5"):
        est.predict(X[:, :3, 0])
    with pytest.raises(ValueError, match=r"windows of shape \(5, 2\)"):
        est.predict(np.concatenate([X, X], axis=2))


def test_divergence_raises_and_leaves_no_model_behind(windows):
    """An exploding loss is reported, and predict then says 'not fitted'
    instead of answering NaN."""
    X, y = windows
    est = DenseRegressor(scaling=None, learning_rate=1e30, optimizer="sgd", **FAST)
    with pytest.raises(FloatingPointError, match="diverged.*learning_rate"):
        est.fit(X * 1e30, y * 1e30)
    with pytest.raises(NotFittedError):
        est.predict(X)
    assert not hasattr(est, "epochs_") and not hasattr(est, "batch_size_")


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_non_finite_predictions_are_reported(windows):
    """Windows far beyond the training data can overflow: predict says so."""
    X, y = windows
    est = DenseRegressor((4,), activation="linear", scaling=None, **FAST).fit(X, y)
    with pytest.warns(RuntimeWarning, match=r"predicted \d+ non-finite value"):
        predictions = est.predict(X[:3] * 1e300)  # inf in float32
    assert not np.isfinite(predictions).all()


def test_divergence_names_the_learning_rate_in_use(windows):
    """With an optimizer instance the message gives the instance's rate."""
    import keras

    X, y = windows
    sgd = keras.optimizers.SGD(learning_rate=1e30)
    est = DenseRegressor(scaling=None, optimizer=sgd, **FAST)
    message = r"instance's learning_rate \(now 1\.0\d*e\+30"  # float32
    with pytest.raises(FloatingPointError, match=message):
        est.fit(X * 1e30, y * 1e30)


def test_a_failed_refit_leaves_the_regressor_unfitted(windows):
    """After a refit that fails, predict says 'not fitted', not stale answers."""
    X, y = windows
    est = DenseRegressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(X[:, :3], y[:-1])
    with pytest.raises(NotFittedError):
        est.predict(X)
    assert not hasattr(est, "epochs_") and not hasattr(est, "batch_size_")


@pytest.mark.parametrize(
    "Regressor, options",
    [
        (DenseRegressor, {}),
        (RNNRegressor, {"clipnorm": 0.05}),
        (DenseRegressor, {"optimizer__amsgrad": True}),
        (RNNRegressor, {"optimizer": "rmsprop"}),
        (DenseRegressor, {"optimizer__loss_scale_factor": 8.0}),
        (DenseRegressor, {"optimizer": "sgd", "optimizer__loss_scale_factor": 8.0}),
    ],
    ids=[
        "dense-adam",
        "rnn-adam-clipnorm",
        "adam-amsgrad",
        "rmsprop",
        "adam-loss-scale",
        "sgd-loss-scale",
    ],
)
def test_compiled_training_is_keras_fit_without_shuffling(Regressor, options, windows):
    """skseq's compiled loop makes the same updates as keras Model.fit.

    With shuffle=False the two paths (Keras callbacks force Model.fit) train
    identically; with shuffling they differ only in the order of windows.
    Plain Adam goes through TensorFlow's fused kernel, clipped or not;
    AMSGrad and other optimizers keep Keras's own update.
    """
    import keras

    X, y = windows
    params = {**FAST, "epochs": 5, "batch_size": 16, "shuffle": False, **options}
    params.setdefault("learning_rate", 0.001)  # Keras's: the update, not the step
    compiled = Regressor(**params).fit(X, y)
    with_fit = Regressor(callbacks=[keras.callbacks.History()], **params).fit(X, y)
    np.testing.assert_allclose(
        compiled.predict(X), with_fit.predict(X), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        compiled.history_["loss"], with_fit.history_["loss"], rtol=1e-4
    )
    n_updates = 5 * -(-len(X) // 16)
    assert int(compiled.model_.optimizer.iterations) == n_updates


def test_warm_start_continues_the_optimizer_state(windows):
    """A warm start goes on from Adam's step count and moments, as Keras does."""
    import keras

    X, y = windows
    params = {**FAST, "epochs": 2, "batch_size": 16, "shuffle": False}
    compiled = DenseRegressor(warm_start=True, **params).fit(X, y).fit(X, y)
    with_fit = DenseRegressor(
        warm_start=True, callbacks=[keras.callbacks.History()], **params
    )
    with_fit.fit(X, y).fit(X, y)
    assert int(compiled.model_.optimizer.iterations) == 4 * -(-len(X) // 16)
    np.testing.assert_allclose(
        compiled.predict(X), with_fit.predict(X), rtol=1e-4, atol=1e-5
    )


def test_numpy_integer_hyper_parameters_work(windows):
    """np.int64 epochs and batch sizes, as a grid over np.arange gives them."""
    X, y = windows
    est = DenseRegressor(epochs=np.int64(2), batch_size=np.int64(16), random_state=0)
    assert len(est.fit(X, y).history_["loss"]) == 2


def test_training_scales_a_large_offset_as_precisely_as_prediction():
    """A series around 1e6 moving by 0.1 is learnt as well as one around 0."""
    series = 0.1 * np.sin(np.arange(300) / 3)
    scores = []
    for offset in (0.0, 1e6):
        model = DenseRegressor((32,), epochs=30, random_state=0, shuffle=False)
        pipe = make_pipeline(SequenceWindower(8), model).fit(offset + series[:240])
        scores.append(pipe.score(offset + series[232:]))
    assert scores[1] == pytest.approx(scores[0], abs=1e-3)
    assert scores[1] > 0.99


def test_bad_optimizer_and_loss_name_the_parameter(windows):
    """A non-optimizer class, refused optimizer arguments and unknown losses."""
    X, y = windows
    with pytest.raises(ValueError, match="Keras optimizer name, class or instance"):
        DenseRegressor(optimizer=dict, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="refused its arguments.*foo"):
        DenseRegressor(optimizer__foo=1, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="'loss' parameter.*'nope'"):
        DenseRegressor(loss="nope", **FAST).fit(X, y)


def test_dense_starts_from_the_reference_forecast_on_one_series(sine):
    """Barely trained (a learning rate of 1e-9), a Dense network on one series
    forecasts each window's last value plus the mean change seen in training:
    its output layer starts at zero. With scaling=None (the lesson's network)
    and on a panel it starts as Keras's."""
    from conftest import make_panel

    def barely(**params):
        params = {"ridge_weight": 0.0, **params}
        return DenseRegressor(learning_rate=1e-9, **{**FAST, **params})

    pipe = make_pipeline(SequenceWindower(5), barely()).fit(sine)
    change = pipe.predict(sine)[:-1] - sine[4:-1]
    np.testing.assert_allclose(change, np.mean(np.diff(sine)[4:]), atol=1e-6)
    raw = make_pipeline(SequenceWindower(5), barely(scaling=None)).fit(sine)
    assert np.ptp(raw.predict(sine) - sine[4:]) > 1e-3
    panel_windower = SequenceWindower(
        5, id_column="unique_id", time_column="ds", target_column="y"
    )
    panel = make_pipeline(panel_windower, barely()).fit(make_panel())
    kernel = panel[-1].model_.layers[-1].get_weights()[0]
    assert np.abs(kernel).max() > 1e-3


@pytest.mark.parametrize(("cell", "units"), [("lstm", 8), ("gru", (5, 4))])
def test_rnn_starts_mirrored_from_the_reference_forecast(sine, cell, units):
    """On one series an untrained recurrent network forecasts the last value
    plus the mean change (two mirrored halves cancel in its output), yet its
    recurrent weights move from the first update, which an output layer of
    zeros would block. With scaling=None and on a panel it starts as Keras's."""
    import keras

    from conftest import make_panel

    def rnn(**params):
        return RNNRegressor(cell, units, **{**FAST, "ridge_weight": 0.0, **params})

    barely = make_pipeline(SequenceWindower(5), rnn(learning_rate=1e-9)).fit(sine)
    change = barely.predict(sine)[:-1] - sine[4:-1]
    np.testing.assert_allclose(change, np.mean(np.diff(sine)[4:]), atol=1e-6)
    once = make_pipeline(SequenceWindower(5), rnn(epochs=1, batch_size=1000))
    once.fit(sine)  # one update
    start = barely[-1].model_.layers
    moved = [
        np.abs(after.get_weights()[1] - before.get_weights()[1]).max()
        for before, after in zip(start, once[-1].model_.layers, strict=True)
        if isinstance(before, keras.layers.RNN)
    ]
    assert min(moved) > 1e-5
    raw = make_pipeline(SequenceWindower(5), rnn(learning_rate=1e-9, scaling=None))
    raw.fit(sine)
    assert np.ptp(raw.predict(sine) - sine[4:]) > 1e-3
    panel_windower = SequenceWindower(
        5, id_column="unique_id", time_column="ds", target_column="y"
    )
    panel = make_pipeline(panel_windower, rnn(learning_rate=1e-9)).fit(make_panel())
    assert panel[-1].go_backwards_ is False  # a panel: one network, reading forward
    layers = panel[-1].model_.layers
    half = [la for la in layers if isinstance(la, keras.layers.RNN)][-1].cell.units // 2
    kernel = layers[-1].get_weights()[0]
    assert np.abs(kernel[:half] + kernel[half : 2 * half]).max() > 1e-3


@pytest.mark.parametrize("Regressor", REGRESSORS)
def test_ridge_weight_blends_the_network_with_a_ridge_regression(Regressor):
    """The forecast is (1 - w) * network + w * ridge: the network is the same
    for every weight, and w=1 is a ridge regression of the targets on the
    windows measured against their means, standardized, with the level as
    one more input, its penalty chosen by generalised cross-validation."""
    from sklearn.linear_model import Ridge

    from skseq._scaling import WindowScaler
    from skseq.regressors._ridge import PENALTIES

    rng = np.random.default_rng(0)
    series = np.cumsum(rng.normal(size=120)) + np.sin(np.arange(120) / 3)
    k = 6

    def forecast(weight):
        est = Regressor(ridge_weight=weight, **{**FAST, "horizon": 2})
        pipe = make_pipeline(SequenceWindower(k), est).fit(series[:100])
        return pipe.predict(series[90:]), est

    network, _ = forecast(0.0)
    ridge, fitted = forecast(1.0)
    blend, _ = forecast(0.25)
    np.testing.assert_allclose(blend, 0.75 * network + 0.25 * ridge, rtol=1e-9)
    assert fitted.ridge_weight_ == 1.0 and fitted._ridge.penalty_ in PENALTIES
    windows = np.lib.stride_tricks.sliding_window_view(series[:100], k)[:, :, None]
    targets = np.lib.stride_tricks.sliding_window_view(series[k:100], 2)
    scaler = WindowScaler("mean+level").fit(windows[:-2], targets)
    X = scaler.transform(windows[:-2]).astype(np.float64)[:, :, :1].reshape(-1, k)
    level = scaler.transform(windows[:-2]).astype(np.float64)[:, -1, 1:]
    Y = scaler.transform_targets(targets, windows[:-2]).astype(np.float64)
    model = Ridge(alpha=fitted._ridge.penalty_).fit(np.hstack([X, level]), Y)
    later = np.lib.stride_tricks.sliding_window_view(series[90:], k)[:, :, None]
    scaled = scaler.transform(later).astype(np.float64)
    inputs = np.hstack([scaled[:, :, 0], scaled[:, -1, 1:]])
    expected = scaler.inverse_targets(model.predict(inputs), later)
    np.testing.assert_allclose(ridge, expected, rtol=1e-4)


def test_ridge_weight_auto_blends_only_one_series_with_a_scaling(sine):
    """ridge_weight="auto" is 0.5 on one series with a scaling up to 512 windows
    and 256 / n beyond, 0 for the lesson's scaling=None and on a panel;
    partial_fit keeps the first fit's ridge."""
    from conftest import make_panel

    def fitted(data, windower=None, **params):
        windower = windower or SequenceWindower(5)
        return make_pipeline(windower, DenseRegressor(**{**FAST, **params})).fit(data)

    one = fitted(sine)[-1]
    assert one.ridge_weight_ == 0.5
    ridge = one._ridge
    one.partial_fit(SequenceWindower(5).fit_transform(sine[::-1].copy()))
    assert one._ridge is ridge
    assert fitted(sine, scaling=None)[-1].ridge_weight_ == 0.0
    assert fitted(sine, scaling=None)[-1]._ridge is None
    long = np.sin(0.3 * np.arange(1024 + 5))  # 1,024 windows of 5 with targets
    assert fitted(long)[-1].ridge_weight_ == 0.25
    assert fitted(long[-512 - 5 :])[-1].ridge_weight_ == 0.5
    panel_windower = SequenceWindower(
        5, id_column="unique_id", time_column="ds", target_column="y"
    )
    assert fitted(make_panel(), panel_windower)[-1].ridge_weight_ == 0.0
    assert fitted(make_panel(), panel_windower, ridge_weight=0.5)[-1]._ridge


def test_a_numpy_generator_seeds_like_a_random_state(windows):
    """random_state=np.random.default_rng(s) is accepted: each fit draws its
    seed from it, so equal generators give equal networks."""
    X, y = windows
    params = {k: v for k, v in FAST.items() if k != "random_state"}
    first, second = (
        DenseRegressor(random_state=np.random.default_rng(7), **params).fit(X, y)
        for _ in range(2)
    )
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    with pytest.raises(InvalidParameterError, match="random_state"):
        DenseRegressor(random_state="seven", **params).fit(X, y)
