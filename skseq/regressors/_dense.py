"""A fully connected network on flattened windows."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from skseq._keras import keras
from skseq.regressors._base import _SequenceRegressorBase, store_params
from skseq.regressors._layers import check_layer_sizes

ACTIVATIONS = {"relu", "tanh", "sigmoid", "linear", "elu", "gelu", "selu", "swish"}


class DenseRegressor(_SequenceRegressorBase):
    """Feed-forward (Dense) network that predicts from a window of past steps.

    Each window ``(window_length, n_features)`` is flattened and passed
    through the hidden ``Dense`` layers, then one linear output unit per
    target. The network has no notion of order in time: it is the baseline
    that recurrent networks (:class:`RNNRegressor`) have to beat.

    Read more in the :ref:`User Guide <series_mode>`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Units of each hidden layer, as in scikit-learn's ``MLPRegressor``.
    activation : str, default="relu"
        Activation of the hidden layers, one of "relu", "tanh", "sigmoid",
        "linear", "elu", "gelu", "selu", "swish"; ``"linear"`` makes the network
        linear, as in the classic Dense(500) lesson.
    dropout : float, default=0.0
        Fraction of hidden units dropped after each hidden layer in training.
    horizon : int, default=1
        Steps ahead predicted from each window. In series mode the targets
        of a window are the next ``horizon`` values and ``predict`` returns
        shape ``(n_windows, horizon)`` (direct multi-step forecasting).
    epochs : int or "auto", default="auto"
        Passes over the training windows (the most, with early stopping).
        ``"auto"`` trains for half the number of training windows, at least 10
        and at most 100 (38 windows: 19 epochs; 200 windows or more: 100),
        resolved at each :meth:`fit` and stored in ``epochs_``; an int is used
        as given. :meth:`partial_fit` always trains one epoch.
    batch_size : int or "auto", default=32
        Windows per gradient update (capped at the number of windows).
        ``"auto"`` is 32, or the training windows over 16 where that is more
        (512 windows or fewer: 32; 1,600 windows: 100): 16 updates per epoch,
        so a long series trains 2-3 times faster, at a cost in accuracy that
        depends on the series (README, "Long series"); resolved at each
        :meth:`fit` and stored in ``batch_size_``.
    optimizer : str, keras optimizer class or instance, default="adam"
        Keras optimizer. A name or class is built with ``learning_rate``,
        ``clipnorm`` and any routed ``optimizer__<name>`` parameter; an
        instance is copied with its own settings at each fit.
    learning_rate : float, default=0.003
        Step size of the optimizer. The default is larger than Keras's
        0.001 for Adam, by measurement: it trains a Dense network on small series
        (a few hundred windows) enough in 100 epochs, at some cost on small
        noisy ones (user guide, "How the default was chosen").
    clipnorm : float, default=None
        Clip each gradient to this norm (a guard against exploding
        gradients); None does not clip.
    loss : str or callable, default="mse"
        Keras loss minimised in training.
    scaling : str or None, default="auto"
        One of "auto", "last+level", "mean+level", "last", "mean", "window",
        "standard" or None: what each window is measured against before
        standardization. ``"auto"`` is ``"last+level"`` for one series and
        ``"window"`` for a panel (many series).
        ``"last"`` subtracts each window's last value (targets become changes
        from it), so a trending series is forecast at its current level;
        ``"mean"`` subtracts each window's mean. With ``"+level"`` the
        network also gets the level itself (the window's reference value,
        standardized on the training data and held within its range), joined
        to the hidden representation before the linear output layer, so that
        a stationary series' pull towards its mean, or where a short window
        is on a cycle, can be learned. ``"standard"`` only standardizes with
        the training data's mean and standard deviation; None trains on raw
        values. ``"window"`` also divides each window by its own mean
        absolute value, so that nothing depends on a series' units (series
        in the thousands and near 0.01 train together). Predictions always
        come back in the user's units. On one series, with any scaling but
        None, the output layer's weights start at zero, so that training
        starts from the reference forecast (the last value plus the average
        step, for ``"last+level"``); with None, and on a panel (a long frame,
        even of one series), the network starts as a plain Keras one.
    ridge_weight : float in [0, 1] or "auto", default="auto"
        Share of a ridge regression in the forecast: predictions are
        ``(1 - ridge_weight) * network + ridge_weight * ridge``. The ridge
        regression is fitted in closed form on the same windows and targets,
        each measured against the window's mean and standardized, with the
        window's level as one more input (``scaling="mean+level"``) and the
        penalty chosen by generalised cross-validation; on a short series it
        adds well under a millisecond to a fit. ``"auto"`` is 0.5 on one
        series with a scaling, where averaging the two forecasts beat each
        alone on 100 M3 series for every network (README, "Against
        classical models"), up to 512 training windows; beyond, it shrinks
        as ``256 / n_windows`` (0.16 at 1,600 windows), where the network
        alone is nearly as good or better. It is 0 (the network alone)
        with ``scaling=None`` (the lesson's network) and on a panel. 0
        gives the network's own forecast.
    early_stopping : bool, default=False
        Hold out the last ``validation_fraction`` of the training windows
        (in time order, never shuffled: overlapping windows would leak),
        stop when their loss has not improved for ``n_iter_no_change``
        epochs, and restore the best weights.
    validation_fraction : float, default=0.1
        Share of the training windows used for early stopping.
    n_iter_no_change : int, default=10
        Epochs without improvement of the validation loss before stopping.
    shuffle : bool, default=True
        Shuffle the windows before each epoch.
    warm_start : bool, default=False
        Keep training the fitted network on the next ``fit`` instead of
        building a new one.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks for training (training then goes through
        ``keras.Model.fit``, which is slower).
    random_state : int, RandomState or Generator instance, or None, default=None
        Seeds weights, dropout and shuffling; an int makes fits reproducible.
    verbose : int, default=0
        0 is silent; 1 prints the loss of each epoch.
    **kwargs : dict
        Optimizer arguments routed as ``optimizer__<name>=value``.

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict
        ``{"loss": [...]}``, the mean training loss of each epoch (in scaled
        units), plus ``"val_loss"`` with early stopping.
    epochs_ : int
        The epochs the last :meth:`fit` was allowed (``epochs`` with "auto"
        resolved; 1 after :meth:`partial_fit`); early stopping may run fewer,
        ``len(history_["loss"])`` counts all that ran.
    batch_size_ : int
        The windows per update of the last :meth:`fit` or
        :meth:`partial_fit` (``batch_size`` with "auto" resolved).
    ridge_weight_ : float
        The share of the ridge regression in the forecast (``ridge_weight``
        with "auto" resolved at the first fit; later :meth:`partial_fit`
        and ``warm_start`` fits keep it and the ridge regression).
    n_features_in_ : int
        ``window_length`` of the windows seen in fit (their second axis).

    See Also
    --------
    RNNRegressor : Recurrent network (SimpleRNN, LSTM, GRU) on windows.
    SequenceWindower : Makes the windows from a series.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import DenseRegressor, SequenceWindower
    >>> series = np.sin(np.arange(50) / 5)
    >>> pipe = make_pipeline(SequenceWindower(window_length=4),
    ...                      DenseRegressor(epochs=2, random_state=0))
    >>> pipe.fit(series).predict(series).shape
    (47,)
    """

    _auto_min_epochs = 10  # epochs="auto" (see _base): Dense over-fits 38 windows
    _parameter_constraints = {
        **_SequenceRegressorBase._parameter_constraints,
        "hidden_layer_sizes": [tuple, list, Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(ACTIVATIONS)],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        dropout=0.0,
        horizon=1,
        epochs="auto",
        batch_size=32,
        optimizer="adam",
        learning_rate=0.003,
        clipnorm=None,
        loss="mse",
        scaling="auto",
        ridge_weight="auto",
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        shuffle=True,
        warm_start=False,
        callbacks=None,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        store_params(self, locals())

    def _output_init(self, at_reference):
        # An output of 0 is the scaling's reference forecast (the last value
        # for "last+level"): a Dense network starts there instead of at a
        # random function of its window, which the few epochs of a short
        # series did not train away (README, "Against classical models").
        # Panels start as Keras's: there the zero start trained less in the
        # same epochs (M3 panel 0.863 against 0.857). The recurrent networks
        # start mirrored instead (_rnn.py): behind an output layer of zeros
        # their recurrent weights got no gradient at first and trained too
        # slowly.
        return "zeros" if at_reference else "glorot_uniform"

    def _body(self, window_length):
        sizes = check_layer_sizes(self, "hidden_layer_sizes")
        layers = [keras.layers.Flatten()]
        for units in sizes:
            layers.append(keras.layers.Dense(units, activation=self.activation))
            if self.dropout:
                layers.append(keras.layers.Dropout(self.dropout))
        return layers
