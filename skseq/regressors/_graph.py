"""The compiled training function of a Keras model: every epoch in one graph.

One ``tf.function`` runs every epoch and batch of a fit. Its inputs are
named (:class:`GraphData`), the settings compiled into it too
(:class:`GraphSpec`); the scaling of each batch is the one written in
:mod:`skseq._scaling`, run on TensorFlow tensors. ``_graph_cache.py`` keeps
these graphs for later fits of the same architecture.
"""

import threading
from typing import Any, NamedTuple

from skseq._keras import keras
from skseq._scaling import ArrayOps, ScalingStats, scale_targets, scale_windows
from skseq.regressors._adam import fused_adam
from skseq.regressors._layers import n_members


class GraphSpec(NamedTuple):
    """What a training graph compiles in (part of its cache key)."""

    scaling: Any  # the scaling method, a str or None
    window_length: Any  # int: the source is a series to gather windows from
    precompute: bool  # scale the whole data once per call, not per batch
    shuffle: bool
    weighted: bool


class GraphData(NamedTuple):
    """The training data as tensors (or their ``tf.TensorSpec``).

    ``source`` and ``targets`` are float64 (the scaling then matches numpy's
    arithmetic; each batch is cast to float32 once scaled), ``weights``
    float32 and empty when the fit is unweighted.
    """

    source: Any
    targets: Any
    weights: Any
    stats: ScalingStats


def tensorflow_ops(tf):
    """The array operations of :mod:`skseq._scaling`, on TensorFlow tensors."""
    return ArrayOps(
        mean=lambda x, axis: tf.reduce_mean(x, axis=axis, keepdims=True),
        concat=lambda parts, axis: tf.concat(parts, axis=axis),
        zeros_like=tf.zeros_like,
        clip=tf.clip_by_value,
        abs=tf.abs,
        where=tf.where,
        ones_like=tf.ones_like,
    )


class TrainingGraph:
    """The training function of one model, one data layout, one set of settings.

    Parameters
    ----------
    model : keras.Model
        The compiled model whose variables the function trains.
    spec : GraphSpec
        Settings compiled into the function.
    signature : GraphData
        ``tf.TensorSpec`` of each training tensor.
    seeds : keras.random.SeedGenerator
        Draws the permutation of each epoch.
    """

    def __init__(self, model, spec, signature, seeds):
        import tensorflow as tf

        self.tf = tf
        self.ops = tensorflow_ops(tf)
        self.model = model
        self.spec = spec
        self.seeds = seeds
        self.lock = threading.Lock()
        self.loss_fn = _loss_function(model.loss)
        self.members = n_members(model)
        model.optimizer.build(model.trainable_variables)
        self.apply_gradients = fused_adam(model.optimizer, tf) or model.optimizer.apply
        scalar = tf.TensorSpec([], tf.int32)
        index = tf.TensorSpec([None], tf.int32)
        self.run = tf.function(
            self._epochs_function(), input_signature=[signature, index, scalar, scalar]
        )

    def batch(self, data, index):
        """Scaled windows and targets of the windows at ``index``."""
        tf = self.tf
        if self.spec.window_length is None:
            xb = tf.gather(data.source, index)
        else:  # source is the series: window i is steps i .. i + k - 1
            steps = index[:, tf.newaxis] + tf.range(self.spec.window_length)
            xb = tf.gather(data.source, steps)
        yb = tf.gather(data.targets, index)
        method = self.spec.scaling
        scaled_y = scale_targets(method, yb, xb, data.stats, self.ops)
        scaled_x = scale_windows(method, xb, data.stats, self.ops)
        return tf.cast(scaled_x, tf.float32), tf.cast(scaled_y, tf.float32)

    def per_sample_loss(self, xb, yb, training):
        if self.members > 1:  # each member is fitted to the targets
            yb = self.tf.tile(yb, [1, self.members])
        return self.loss_fn(yb, self.model(xb, training=training))

    def loss(self, data, index):
        """Mean loss of the windows at ``index`` (eager; for validation)."""
        xb, yb = self.batch(data, index)
        return self.tf.reduce_mean(self.per_sample_loss(xb, yb, training=False))

    def _epochs_function(self):
        tf, model, spec = self.tf, self.model, self.spec
        variables = model.trainable_variables

        def step(data, index):
            if spec.precompute:
                xb, yb = tf.gather(data.source, index), tf.gather(data.targets, index)
            else:
                xb, yb = self.batch(data, index)
            with tf.GradientTape() as tape:
                per_sample = self.per_sample_loss(xb, yb, training=True)
                if spec.weighted:
                    per_sample = per_sample * tf.gather(data.weights, index)
                # Keras's "sum_over_batch_size" reduction, plus layer penalties.
                loss = tf.reduce_mean(per_sample)
                if model.losses:
                    loss = loss + tf.add_n(model.losses)
                # Times loss_scale_factor, if set; Keras's update divides it out.
                scaled = model.optimizer.scale_loss(loss)
            grads = tape.gradient(scaled, variables)
            self.apply_gradients(grads, variables)
            return loss

        def run(data, train_index, batch_size, epochs):
            if spec.precompute:
                everything = tf.range(tf.shape(data.targets)[0])
                source, targets = self.batch(data, everything)
                data = data._replace(source=source, targets=targets)
            n_samples = tf.shape(train_index)[0]
            n_batches = (n_samples + batch_size - 1) // batch_size
            losses = tf.TensorArray(tf.float32, size=epochs)
            for epoch in tf.range(epochs):
                order = train_index
                if spec.shuffle:
                    order = keras.random.shuffle(order, seed=self.seeds)
                total = tf.constant(0.0)
                for batch in tf.range(n_batches):
                    index = order[batch * batch_size : (batch + 1) * batch_size]
                    size = tf.cast(tf.shape(index)[0], tf.float32)
                    total += step(data, index) * size
                losses = losses.write(epoch, total / tf.cast(n_samples, tf.float32))
            return losses.stack()

        return run


def _loss_function(loss):
    if isinstance(loss, keras.losses.Loss):
        return lambda y_true, y_pred: loss.call(y_true, y_pred)
    return keras.losses.get(loss)
