"""A recurrent network (SimpleRNN, LSTM or GRU) on windows."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skseq._keras import has_gpu, keras
from skseq.regressors._base import _SequenceRegressorBase, store_params
from skseq.regressors._layers import check_layer_sizes, n_members

CELLS = {
    "simple": keras.layers.SimpleRNN,
    "lstm": keras.layers.LSTM,
    "gru": keras.layers.GRU,
}

# go_backwards="auto" on one series with a scaling: the mean of both readings
# up to this many training windows (README, "Reading order": measured on the
# shipped and M3 series, 38-408 windows); beyond, where a fit of long windows
# already takes tens of seconds and the ridge's share shrinks for the same
# reason (the network alone has data enough), one network reads forward.
_AUTO_BOTH_WINDOWS = 512


class RNNRegressor(_SequenceRegressorBase):
    """Recurrent network that reads a window step by step, then predicts.

    A recurrent layer carries a state from one time step to the next, so
    the network sees the order of the window. ``cell="simple"`` is the plain
    recurrent layer of the classic lesson; its gradients vanish or explode
    over long windows, which ``"lstm"`` and ``"gru"`` cells are built to
    avoid (``clipnorm`` guards against the exploding kind).

    On one series, with any scaling but None, the forecast is the mean of
    two such networks, one reading each window oldest step first and one
    newest first (``go_backwards="auto"``), and each starts mirrored:
    each recurrent layer's units are split into two halves with the same
    weights and no connection between them, and the output layer weighs the
    second half by minus the first's weights. Untrained, it forecasts the
    scaling's reference (for ``"last+level"``, the last value plus the
    average step), yet every weight learns from the first update. With
    ``scaling=None`` (the lesson's network) and on a panel it starts as
    Keras draws it.

    Read more in the :ref:`User Guide <series_mode>`.

    Parameters
    ----------
    cell : {"lstm", "gru", "simple"}, default="lstm"
        Recurrent layer: Keras ``LSTM``, ``GRU`` or ``SimpleRNN``.
    units : int or tuple of int, default=32
        Units of the recurrent layer; a tuple stacks one layer per entry,
        each passing its whole sequence to the next.
    dropout : float, default=0.0
        Fraction of the inputs of each recurrent layer dropped in training.
    recurrent_dropout : float, default=0.0
        Fraction of the recurrent state dropped in training.
    go_backwards : bool, "both" or "auto", default="auto"
        Which way the network reads each window. False: oldest step first,
        as Keras does; True: newest step first (Keras's ``go_backwards``, on
        the first recurrent layer), so that the state the output reads last
        holds the oldest lags, the value one season back among them.
        ``"both"``: two networks of this architecture, one reading each way,
        trained side by side on the same batches, each fitted to the targets
        on its own, and the forecast is their mean (about 1.5 times the fit
        time of one). ``"auto"`` is ``"both"`` on one series with a scaling
        and up to 512 training windows, and False beyond, with
        ``scaling=None`` (the lesson's network) and on a panel; the resolved
        value is stored in ``go_backwards_``. Neither
        order wins on every series (README, "Reading order": newest first is
        7-10% better on the airline series and 3-8% worse on sunspots), and
        the mean of the two is within 5% of the best scaling and order on
        each shipped series where either alone is not.
    horizon : int, default=1
        Steps ahead predicted from each window. In series mode the targets
        of a window are the next ``horizon`` values and ``predict`` returns
        shape ``(n_windows, horizon)`` (direct multi-step forecasting).
    epochs : int or "auto", default="auto"
        Passes over the training windows (the most, with early stopping).
        ``"auto"`` trains for half the number of training windows, at least 30
        and at most 100 (38 windows: 30 epochs; 200 windows or more: 100),
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
    learning_rate : float, default=0.005
        Step size of the optimizer. The default is larger than Keras's
        0.001 for Adam, by measurement: it trains a recurrent network on small series
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
        come back in the user's units.
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
        Keep training the fitted network on the next ``fit``.
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
    go_backwards_ : bool or "both"
        The reading order of the fitted network (``go_backwards`` with
        "auto" resolved at the first fit).
    n_features_in_ : int
        ``window_length`` of the windows seen in fit (their second axis).

    See Also
    --------
    DenseRegressor : Feed-forward baseline on the same windows.
    SequenceWindower : Makes the windows from a series.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import RNNRegressor, SequenceWindower
    >>> series = np.sin(np.arange(50) / 5)
    >>> pipe = make_pipeline(SequenceWindower(window_length=4),
    ...                      RNNRegressor(cell="gru", units=8, epochs=2,
    ...                                   random_state=0))
    >>> pipe.fit(series).predict(series).shape
    (47,)
    """

    _parameter_constraints = {
        **_SequenceRegressorBase._parameter_constraints,
        "cell": [StrOptions(set(CELLS))],
        "units": [tuple, list, Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "recurrent_dropout": [Interval(Real, 0, 1, closed="left")],
        "go_backwards": ["boolean", StrOptions({"both", "auto"})],
    }

    def __init__(
        self,
        cell="lstm",
        units=32,
        *,
        dropout=0.0,
        recurrent_dropout=0.0,
        go_backwards="auto",
        horizon=1,
        epochs="auto",
        batch_size=32,
        optimizer="adam",
        learning_rate=0.005,
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

    def _start_at_reference(self, model):
        # Mirrored, the network forecasts the scaling's reference as Dense's
        # zero output layer does, yet every weight learns from the first
        # update (README, "Against classical models").
        mirror_start(model)

    def _bodies(self, window_length, at_reference, n_windows):
        reading = self.go_backwards
        if reading == "auto":
            both = at_reference and n_windows <= _AUTO_BOTH_WINDOWS
            reading = "both" if both else False
        self.go_backwards_ = reading
        if reading != "both":
            return [("", self._body(window_length, reading))]
        return [
            (prefix, self._body(window_length, backwards, prefix))
            for prefix, backwards in (("forward_", False), ("backward_", True))
        ]

    def _body(self, window_length, backwards=False, prefix=""):
        sizes = check_layer_sizes(self, "units")
        layer = CELLS[self.cell]
        return [
            layer(
                units,
                dropout=self.dropout,
                recurrent_dropout=self.recurrent_dropout,
                return_sequences=position < len(sizes) - 1,
                unroll=_unroll(window_length),
                go_backwards=backwards and position == 0,
                # Members are told apart by name (mirror_start); a lone
                # network keeps Keras's names.
                name=f"{prefix}{self.cell}_{position}" if prefix else None,
            )
            for position, units in enumerate(sizes)
        ]

    def _forget_resolved(self):
        super()._forget_resolved()
        vars(self).pop("go_backwards_", None)


def _unroll(window_length):
    # Unrolling turns the per-step graph loop into straight-line ops: much
    # faster for short windows on a CPU. On a GPU the fused cuDNN kernels of
    # LSTM/GRU need the loop, so there it is kept.
    return window_length <= 16 and not has_gpu()


def mirror_start(model):
    """Make a new recurrent network's output 0 while all its weights learn.

    Each recurrent layer's units are split into two equal halves A and B
    (and one unit C left over when their number is odd): B gets A's
    weights and no connection to or from A, so that both carry the same
    states, and the output layer weighs B's states by minus A's weights,
    C's and the level channels' by 0. The untrained network then outputs 0
    (in scaled units, the scaling's reference forecast); unlike an output
    layer of zeros, it passes gradients to the recurrent weights from the
    first update, and the halves part as they learn.
    """
    if n_members(model) == 1:
        recurrent = [la for la in model.layers if isinstance(la, keras.layers.RNN)]
        _mirror_member(recurrent, model.layers[-1])
        return
    for output in model.layers:
        if isinstance(output, keras.layers.Dense) and output.name.endswith("output"):
            prefix = output.name[: -len("output")]
            recurrent = [
                layer
                for layer in model.layers
                if isinstance(layer, keras.layers.RNN) and layer.name.startswith(prefix)
            ]
            _mirror_member(recurrent, output)


def _mirror_member(recurrent, output):
    """Mirror one member: its recurrent layers, in order, and its output layer."""
    halves = None  # the previous layer's (A, B, C) unit indices
    for layer in recurrent:
        units = layer.cell.units
        h = units // 2
        groups = (np.arange(h), np.arange(h, 2 * h), np.arange(2 * h, units))
        kernel, recurrent_kernel, *biases = layer.get_weights()
        for g in range(kernel.shape[1] // units):
            a, b, c = (g * units + part for part in groups)
            if halves is None:  # the window's channels feed both halves
                kernel[:, b] = kernel[:, a]
            else:
                _mirror_block(kernel, halves, (a, b, c))
            _mirror_block(recurrent_kernel, groups, (a, b, c))
            for bias in biases:
                bias[..., b] = bias[..., a]
        layer.set_weights([kernel, recurrent_kernel, *biases])
        halves = groups
    kernel, *rest = output.get_weights()
    a, b, _ = halves
    kernel[b] = -kernel[a]
    kernel[2 * len(a) :] = 0.0
    output.set_weights([kernel, *rest])


def _mirror_block(weights, rows, columns):
    """Copy the A->A block to B->B, cut A->B and B->A, let C feed B as A."""
    (ra, rb, rc), (ca, cb, _) = rows, columns
    weights[np.ix_(rb, cb)] = weights[np.ix_(ra, ca)]
    weights[np.ix_(ra, cb)] = 0.0
    weights[np.ix_(rb, ca)] = 0.0
    weights[np.ix_(rc, cb)] = weights[np.ix_(rc, ca)]
