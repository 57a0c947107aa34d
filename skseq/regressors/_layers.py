"""Checks of layer-size parameters and the small layers the builders share."""

from numbers import Integral

from sklearn.utils._param_validation import InvalidParameterError

from skseq._keras import keras


def check_layer_sizes(estimator, name):
    """Return the parameter ``name`` as a tuple of ints >= 1, or raise."""
    value = getattr(estimator, name)
    sizes = (value,) if isinstance(value, Integral) else tuple(value)
    if not sizes or any(
        isinstance(u, bool) or not isinstance(u, Integral) or u < 1 for u in sizes
    ):
        raise InvalidParameterError(
            f"The {name!r} parameter of {type(estimator).__name__} must be an int "
            f">= 1 or a non-empty tuple of them (one per layer). Got {value!r} "
            "instead."
        )
    return tuple(int(u) for u in sizes)


def build_network(
    window_shape, n_level, bodies, n_outputs, n_known=0, output_init="glorot_uniform"
):
    """A network on windows: ``body`` layers, then a linear output layer.

    ``bodies`` is a list of ``(prefix, layers)``, one per member: with one
    member the network is that body and its output layer; with several,
    each member reads the same inputs through its own layers (named with its
    prefix) to an output layer of its own, and the network returns every
    member's outputs side by side (:class:`MemberOutputs`; training fits each
    member to the targets, prediction averages them).

    ``output_init`` initializes the output layer's weights (Keras's default,
    or ``"zeros"``: the network starts by forecasting the scaling's
    reference).

    Each step's channels are the window's values, then ``n_level`` level
    channels (from a ``"+level"`` or ``"window"`` scaling), then ``n_known``
    future-known channels (the known inputs of the steps forecast, read
    from the last step). The body reads only the values; the levels and
    the known inputs join the body's output right before the linear output
    layer: they move the forecast linearly, and never pass through the
    recurrent gates or hidden units, where levels beyond those seen in
    training would distort everything else.
    """
    if len(bodies) == 1 and not n_level and not n_known:
        output = keras.layers.Dense(n_outputs, kernel_initializer=output_init)
        return keras.Sequential([keras.Input(window_shape), *bodies[0][1], output])
    inputs = keras.Input(window_shape)
    n_values = window_shape[1] - n_level - n_known
    values = ChannelSlice(0, n_values)(inputs)
    extra = None
    if n_level or n_known:
        extra = ChannelSlice(n_values, window_shape[1], last_step=True)(inputs)
    outputs = []
    for prefix, body in bodies:
        hidden = values
        for layer in body:
            hidden = layer(hidden)
        if extra is not None:
            hidden = keras.layers.Concatenate()([hidden, extra])
        name = f"{prefix}output" if prefix else None
        output = keras.layers.Dense(
            n_outputs, kernel_initializer=output_init, name=name
        )
        outputs.append(output(hidden))
    if len(outputs) == 1:
        return keras.Model(inputs, outputs[0])
    return keras.Model(inputs, MemberOutputs()(outputs))


def n_members(model):
    """How many members' outputs ``model`` returns side by side (1: a plain network)."""
    last = model.layers[-1]
    return len(last.input) if isinstance(last, MemberOutputs) else 1


@keras.saving.register_keras_serializable(package="skseq")
class MemberOutputs(keras.layers.Concatenate):
    """The outputs of a network's members, side by side: (n, members * n_outputs)."""


@keras.saving.register_keras_serializable(package="skseq")
class ChannelSlice(keras.layers.Layer):
    """Channels ``start:stop`` of windows (n, k, c); of their last step only
    with ``last_step=True`` (then shape (n, stop - start))."""

    def __init__(self, start, stop, last_step=False, **kwargs):
        super().__init__(**kwargs)
        self.start, self.stop, self.last_step = int(start), int(stop), last_step

    def call(self, windows):
        if self.last_step:
            return windows[:, -1, self.start : self.stop]
        return windows[:, :, self.start : self.stop]

    def compute_output_shape(self, input_shape):
        if self.last_step:
            return (input_shape[0], self.stop - self.start)
        return (*input_shape[:2], self.stop - self.start)

    def get_config(self):
        return {
            **super().get_config(),
            "start": self.start,
            "stop": self.stop,
            "last_step": self.last_step,
        }
