"""The compiled training graph of a Keras model, reused across fits.

One ``tf.function`` runs every epoch and batch of a fit. Tracing it and
optimising the traced graph cost about 0.2 s, as much as 200 epochs of the
lesson's Dense network, so graphs are kept: a fit of a model whose
architecture, loss, optimizer settings and data layout match an earlier
fit's borrows that fit's graph. Each cached graph trains its own copy of
the model (a template); a fit copies its freshly initialised weights,
optimizer state and shuffling seed into the template, trains, and copies
the results back. The arithmetic is the same as with a graph of its own, so
a fit gives the same weights whether its graph came from the cache or not.
Inference functions are kept the same way, one per architecture.
"""

import collections
import contextlib
import json
import random
import threading

from skseq._keras import keras

# Graphs of this many architectures are kept, least recently used dropped.
_CACHE_SIZE = 8
_cache = collections.OrderedDict()
_forward_cache = collections.OrderedDict()
_cache_lock = threading.Lock()


@contextlib.contextmanager
def training_graph(model, spec, signature, seeds):
    """Yield a ``_Graph`` that trains ``model``, from the cache if possible.

    ``spec`` holds the settings compiled into the graph (scaling method,
    window length, precompute, shuffle, weighted); ``signature`` the
    ``tf.TensorSpec`` of the training function's arguments; ``seeds`` the
    fit's shuffling ``SeedGenerator``. On exit the trained values are in
    ``model``. A graph in use by another thread is not shared: the fit
    then traces a graph of its own.
    """
    model.optimizer.build(model.trainable_variables)
    graph = _cached(
        _cache,
        _cache_key(model, spec, signature),
        lambda: _Graph(
            _template(model), spec, signature, keras.random.SeedGenerator(0)
        ),
    )
    if graph is None or not graph.lock.acquire(blocking=False):
        yield _Graph(model, spec, signature, seeds)
        return
    try:
        _assign(_state(model), _state(graph.model))
        graph.seeds.state.assign(seeds.state)
        try:
            yield graph
        finally:
            _assign(_state(graph.model), _state(model))
    finally:
        graph.lock.release()


def clear_cache():
    """Forget every cached training graph and inference function."""
    with _cache_lock:
        _cache.clear()
        _forward_cache.clear()


def _state(model):
    """Weights (seed states included) and optimizer variables of ``model``."""
    return [*model.variables, *model.optimizer.variables]


def _assign(values, variables):
    for value, variable in zip(values, variables, strict=True):
        variable.assign(value)


def _cached(cache, key, build):
    """``cache[key]``, made by ``build()`` if missing; None if key is None."""
    if key is None:
        return None
    with _cache_lock:
        entry = cache.get(key)
        if entry is not None:
            cache.move_to_end(key)
            return entry
    # Outside the lock: building a template takes a while. Its initializers
    # draw seeds from Python's generator; put it back, so that a user's
    # random stream does not depend on what the cache held.
    state = random.getstate()
    try:
        entry = build()
    finally:
        random.setstate(state)
    with _cache_lock:
        entry = cache.setdefault(key, entry)
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
    return entry


def _is_keras_module(module):
    return isinstance(module, str) and module.split(".")[0] == "keras"


def _is_keras_own(obj):
    """Whether ``obj`` is an instance of a class Keras itself defines."""
    return _is_keras_module(type(obj).__module__)


def _architecture_key(model):
    """The model's layers as a name-free string, or None if not comparable."""
    if type(model) is not keras.Sequential:
        return None
    try:
        config = model.get_config()
        # Layer and model names differ between otherwise equal models.
        config["name"] = None
        for layer in config.get("layers", []):
            layer.get("config", {}).pop("name", None)
        return json.dumps(config, sort_keys=True)
    except Exception:  # a config that cannot be read or compared: no cache
        return None


def _cache_key(model, spec, signature):
    """What a graph compiles in, as a string; None if it cannot be told."""
    # A user's own loss or optimizer class may hold settings its config does
    # not show (a closure, a subclass attribute): such fits trace their own.
    loss = model.loss
    if not (isinstance(loss, str) or _is_keras_own(loss)):
        return None
    if not _is_keras_own(model.optimizer):
        return None
    architecture = _architecture_key(model)
    if architecture is None:
        return None
    try:
        optimizer = model.optimizer.get_config()
        optimizer.pop("name", None)
        rate = optimizer.get("learning_rate")
        if isinstance(rate, float):
            del optimizer["learning_rate"]  # a variable, copied with the state
        elif not (isinstance(rate, dict) and _is_keras_module(rate.get("module"))):
            return None  # a callable rate is read once, at tracing
        if not isinstance(loss, str):
            loss = keras.losses.serialize(loss)
        return json.dumps(
            [
                architecture,
                type(model.optimizer).__qualname__,
                optimizer,
                loss,
                list(spec),
                [(s.shape.as_list(), s.dtype.name) for s in signature],
            ],
            sort_keys=True,
        )
    except Exception:  # a config that cannot be read or compared: no cache
        return None


@contextlib.contextmanager
def forward_function(model):
    """Yield ``f(batch) -> outputs`` that runs ``model`` for inference.

    Keras compiles a prediction function for every new model; the function
    of an architecture seen before is borrowed instead, with ``model``'s
    weights copied into its template. Falls back to
    ``model.predict_on_batch`` when the architecture cannot be told or its
    function is in use by another thread.
    """
    forward = _cached(_forward_cache, _architecture_key(model), lambda: _Forward(model))
    if forward is None or not forward.lock.acquire(blocking=False):
        yield model.predict_on_batch
        return
    try:
        _assign(model.variables, forward.model.variables)
        yield forward
    finally:
        forward.lock.release()


class _Forward:
    """A compiled inference function of one architecture, on a template."""

    def __init__(self, model):
        import tensorflow as tf

        self.model = keras.Sequential.from_config(model.get_config())
        self.lock = threading.Lock()
        spec = tf.TensorSpec([None, *model.input_shape[1:]], tf.float32)
        self.call = tf.function(
            lambda x: self.model(x, training=False), input_signature=[spec]
        )

    def __call__(self, batch):
        return self.call(batch).numpy()


def _template(model):
    """A compiled model with the same architecture and settings as ``model``."""
    template = keras.Sequential.from_config(model.get_config())
    optimizer = type(model.optimizer).from_config(model.optimizer.get_config())
    template.compile(optimizer=optimizer, loss=model.loss)
    return template


class _Graph:
    """The training function of one model, one data layout, one set of settings.

    Parameters
    ----------
    model : keras.Model
        The compiled model whose variables the function trains.
    spec : tuple
        ``(method, window_length, precompute, shuffle, weighted)``.
    signature : tuple of tf.TensorSpec
        Specs of ``source, y, w, x_mean, x_scale, y_mean, y_scale``.
    seeds : keras.random.SeedGenerator
        Draws the permutation of each epoch.
    """

    def __init__(self, model, spec, signature, seeds):
        import tensorflow as tf

        self.tf = tf
        self.model = model
        self.method, self.window_length, self.precompute, shuffle, weighted = spec
        self.seeds = seeds
        self.lock = threading.Lock()
        self.loss_fn = _loss_function(model.loss)
        model.optimizer.build(model.trainable_variables)
        self.apply_gradients = _fused_adam(model.optimizer, tf) or model.optimizer.apply
        scalar = tf.TensorSpec([], tf.int32)
        index = tf.TensorSpec([None], tf.int32)
        self.run = tf.function(
            self._epochs_function(shuffle, weighted),
            input_signature=[*signature, index, scalar, scalar],
        )

    def batch(self, source, y, index, scaling):
        """Scaled windows and targets of the windows at ``index``."""
        tf = self.tf
        x_mean, x_scale, y_mean, y_scale = scaling
        if self.window_length is None:
            xb = tf.gather(source, index)
        else:  # source is the series: window i is steps i .. i + k - 1
            xb = tf.gather(source, index[:, tf.newaxis] + tf.range(self.window_length))
        yb = tf.gather(y, index)
        if self.method == "last":
            reference = xb[:, -1:, :]
        elif self.method == "mean":
            reference = tf.reduce_mean(xb, axis=1, keepdims=True)
        else:
            reference = tf.zeros_like(xb[:, :1, :])
        xb = (xb - reference - x_mean) / x_scale
        yb = (yb - reference[:, 0, :1] - y_mean) / y_scale
        return tf.cast(xb, tf.float32), tf.cast(yb, tf.float32)

    def per_sample_loss(self, xb, yb, training):
        return self.loss_fn(yb, self.model(xb, training=training))

    def loss(self, source, y, index, scaling):
        """Mean loss of the windows at ``index`` (eager; for validation)."""
        xb, yb = self.batch(source, y, index, scaling)
        return self.tf.reduce_mean(self.per_sample_loss(xb, yb, training=False))

    def _epochs_function(self, shuffle, weighted):
        tf, model = self.tf, self.model
        variables = model.trainable_variables

        def step(source, y, w, index, scaling):
            if self.precompute:
                xb, yb = tf.gather(source, index), tf.gather(y, index)
            else:
                xb, yb = self.batch(source, y, index, scaling)
            with tf.GradientTape() as tape:
                per_sample = self.per_sample_loss(xb, yb, training=True)
                if weighted:
                    per_sample = per_sample * tf.gather(w, index)
                # Keras's "sum_over_batch_size" reduction, plus layer penalties.
                loss = tf.reduce_mean(per_sample)
                if model.losses:
                    loss = loss + tf.add_n(model.losses)
                # Times loss_scale_factor, if set; Keras's update divides it out.
                scaled = model.optimizer.scale_loss(loss)
            grads = tape.gradient(scaled, variables)
            self.apply_gradients(grads, variables)
            return loss

        def run(source, y, w, *args):
            *scaling, train_index, batch_size, epochs = args
            if self.precompute:
                source, y = self.batch(source, y, tf.range(tf.shape(y)[0]), scaling)
            n_samples = tf.shape(train_index)[0]
            n_batches = (n_samples + batch_size - 1) // batch_size
            losses = tf.TensorArray(tf.float32, size=epochs)
            for epoch in tf.range(epochs):
                order = train_index
                if shuffle:
                    order = keras.random.shuffle(order, seed=self.seeds)
                total = tf.constant(0.0)
                for batch in tf.range(n_batches):
                    index = order[batch * batch_size : (batch + 1) * batch_size]
                    size = tf.cast(tf.shape(index)[0], tf.float32)
                    total += step(source, y, w, index, scaling) * size
                losses = losses.write(epoch, total / tf.cast(n_samples, tf.float32))
            return losses.stack()

        return run


def _fused_adam(optimizer, tf):
    """Keras's Adam update as TensorFlow's fused kernel, or None if it differs.

    Keras's Adam runs about ten separate array operations per variable and
    step; ``ResourceApplyAdam`` computes the same float32 expressions
    (``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, ``m += (g - m) *
    (1 - beta_1)``, ``v += (g**2 - v) * (1 - beta_2)``, ``w -= m * alpha /
    (sqrt(v) + epsilon)``) in one pass, which halves a SimpleRNN(500) step
    on a CPU. Options the kernel does not compute (AMSGrad, weight decay,
    EMA, gradient accumulation, loss scaling, subclasses) keep Keras's own
    update. The moments and the step counter stay the optimizer's own
    variables, so a warm start continues from them.
    """
    if (
        type(optimizer) is not keras.optimizers.Adam
        or optimizer.amsgrad
        or optimizer.weight_decay
        or optimizer.use_ema
        or optimizer.gradient_accumulation_steps
        or optimizer.loss_scale_factor
    ):
        return None

    def apply(grads, variables):
        if any(variable.dtype != "float32" for variable in variables):
            return optimizer.apply(grads, variables)
        grads = optimizer._clip_gradients(grads)
        step = tf.cast(optimizer.iterations + 1, tf.float32)
        beta_1 = tf.constant(optimizer.beta_1, tf.float32)
        beta_2 = tf.constant(optimizer.beta_2, tf.float32)
        # The same for every variable of this step.
        shared = {
            "beta1_power": tf.pow(beta_1, step),
            "beta2_power": tf.pow(beta_2, step),
            "lr": tf.cast(optimizer.learning_rate, tf.float32),
            "beta1": beta_1,
            "beta2": beta_2,
            "epsilon": tf.constant(optimizer.epsilon, tf.float32),
        }
        for grad, variable in zip(grads, variables, strict=True):
            if grad is None:
                continue
            index = optimizer._get_variable_index(variable)
            tf.raw_ops.ResourceApplyAdam(
                var=variable.handle,
                m=optimizer._momentums[index].handle,
                v=optimizer._velocities[index].handle,
                grad=tf.cast(grad, tf.float32),
                **shared,
            )
        optimizer.iterations.assign_add(1)

    return apply


def _loss_function(loss):
    if isinstance(loss, keras.losses.Loss):
        return lambda y_true, y_pred: loss.call(y_true, y_pred)
    return keras.losses.get(loss)
