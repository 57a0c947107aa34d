"""A cache of compiled training graphs and inference functions, per architecture.

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

Set the environment variable ``SKSEQ_GRAPH_CACHE=0`` to turn the cache off
(read at every fit): each fit then traces a graph and an inference
function of its own, which costs time but never changes a result.
"""

import collections
import contextlib
import json
import os
import threading

from skseq._keras import keras, python_generator
from skseq.regressors._graph import TrainingGraph
from skseq.regressors._layers import ChannelSlice

# Graphs of this many architectures are kept, least recently used dropped.
_CACHE_SIZE = 8
_cache = collections.OrderedDict()
_forward_cache = collections.OrderedDict()
_cache_lock = threading.Lock()


@contextlib.contextmanager
def training_graph(model, spec, signature, seeds):
    """Yield a ``TrainingGraph`` that trains ``model``, from the cache if possible.

    ``spec`` (a ``GraphSpec``) holds the settings compiled into the graph;
    ``signature`` the ``GraphData`` of ``tf.TensorSpec`` of the training
    data; ``seeds`` the fit's shuffling ``SeedGenerator``. On exit the
    trained values are in ``model``. A graph in use by another thread is not
    shared: the fit then traces a graph of its own.
    """
    model.optimizer.build(model.trainable_variables)
    graph = _cached(
        _cache,
        _cache_key(model, spec, signature),
        lambda: TrainingGraph(
            _template(model), spec, signature, keras.random.SeedGenerator(0)
        ),
    )
    if graph is None or not graph.lock.acquire(blocking=False):
        yield TrainingGraph(model, spec, signature, seeds)
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


def cache_enabled():
    """Whether fits share graphs (``SKSEQ_GRAPH_CACHE`` is not 0, false, off, no)."""
    value = os.environ.get("SKSEQ_GRAPH_CACHE", "1").strip().lower()
    return value not in {"0", "false", "off", "no"}


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
    """``cache[key]``, made by ``build()`` if missing; None if key is None.

    None too when the cache is turned off (``SKSEQ_GRAPH_CACHE=0``).
    """
    if key is None or not cache_enabled():
        return None
    with _cache_lock:
        entry = cache.get(key)
        if entry is not None:
            cache.move_to_end(key)
            return entry
    # Outside the lock: building a template takes a while. Its initializers
    # draw seeds from the generator Keras uses here (the fit's own inside
    # seeded()); put it back, so that a fit's or user's random stream does
    # not depend on what the cache held.
    generator = python_generator()
    state = generator.getstate()
    try:
        entry = build()
    finally:
        generator.setstate(state)
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
    """The model's layers as a name-free string, or None if not comparable.

    Sequential models and skseq's own functional ones (the ``"+level"``
    networks) qualify; a functional model's layer names, which also link
    its layers, are replaced by their positions.
    """
    if type(model) is not keras.Sequential and not _is_level_network(model):
        return None
    try:
        config = model.get_config()
        # Layer and model names differ between otherwise equal models.
        config["name"] = None
        names = {}
        for position, layer in enumerate(config.get("layers", [])):
            name = layer.get("config", {}).pop("name", None)
            names[layer.pop("name", name)] = f"layer {position}"
        return json.dumps(_renamed(config, names), sort_keys=True)
    except Exception:  # a config that cannot be read or compared: no cache
        return None


def _is_level_network(model):
    return isinstance(model, keras.Model) and any(
        isinstance(layer, ChannelSlice) for layer in model.layers
    )


def _renamed(value, names, reference=False):
    """``value`` with every reference to a layer by name replaced via ``names``.

    Layers refer to each other in ``keras_history`` entries and in the
    model's ``input_layers``/``output_layers``, each ``[name, node, index]``
    (or a list of those); no other string is touched.
    """
    if reference and isinstance(value, list | tuple):
        if value and isinstance(value[0], str):
            return [names.get(value[0], value[0]), *value[1:]]
        return [_renamed(item, names, reference=True) for item in value]
    if isinstance(value, dict):
        return {
            key: _renamed(
                item,
                names,
                key in ("keras_history", "input_layers", "output_layers"),
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_renamed(item, names) for item in value]
    return value


def _rebuilt(model):
    """A new model of the same architecture (Sequential or functional)."""
    return type(model).from_config(model.get_config())


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
                spec._asdict(),
                [(s.shape.as_list(), s.dtype.name) for s in _flat(signature)],
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
    function is in use by another thread, and on other Keras backends
    (the compiled function is TensorFlow's).
    """
    if keras.backend.backend() != "tensorflow":
        yield model.predict_on_batch
        return
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

        self.model = _rebuilt(model)
        self.lock = threading.Lock()
        spec = tf.TensorSpec([None, *model.input_shape[1:]], tf.float32)
        self.call = tf.function(
            lambda x: self.model(x, training=False), input_signature=[spec]
        )

    def __call__(self, batch):
        return self.call(batch).numpy()


def _template(model):
    """A compiled model with the same architecture and settings as ``model``."""
    template = _rebuilt(model)
    optimizer = type(model.optimizer).from_config(model.optimizer.get_config())
    template.compile(optimizer=optimizer, loss=model.loss)
    return template


def _flat(structure):
    import tensorflow as tf

    return tf.nest.flatten(structure)
