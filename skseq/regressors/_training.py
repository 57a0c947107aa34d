"""Train and run a compiled Keras model with little framework overhead.

``keras.Model.fit`` rebuilds its data iterator every epoch and calls Python
callbacks between batches; for the many small fits of a model comparison
that overhead, not arithmetic, dominates. Without user callbacks, skseq
trains with one TensorFlow graph that runs every epoch and batch: the same
optimizer, batch size, number of updates and loss as ``fit`` (identical
weights with ``shuffle=False``), and a fresh permutation of the windows
every epoch (seeded ``fit`` replays one permutation in every epoch).
Windows are scaled inside the graph: small data once per call, long
series batch by batch, each batch gathered from the series so that its
windows never exist whole. The graph is reused by later fits of the same
architecture (``_graph_cache.py``). With callbacks, or on another Keras backend,
it uses ``fit`` itself.
"""

import sys
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from skseq._keras import keras
from skseq.regressors._graph import GraphData, GraphSpec
from skseq.regressors._graph_cache import forward_function, training_graph
from skseq.regressors._layers import n_members

# Predictions run in batches of exactly this many rows (the last one
# padded): float32 kernels choose their blocking by batch size, so a window's
# prediction would otherwise change in the 7th digit with the number of
# windows predicted together.
_PREDICT_BATCH = 512

# Training data up to this many values (64 MB in float32) is scaled whole,
# once per call, rather than gathered and scaled batch by batch: the windows
# of all 1,428 M3 monthly series (6.8 M values) fit under it.
_PRECOMPUTE_VALUES = 2**24


@dataclass(frozen=True)
class TrainingPlan:
    """Which windows train and validate, and the loop's settings."""

    epochs: int
    batch_size: int  # windows per update, at most the training windows
    shuffle: bool
    callbacks: Any  # list of keras callbacks, or None
    verbose: int
    train_index: np.ndarray
    val_index: Any  # ndarray, or None without early stopping
    patience: int


def trains_with_fit(callbacks):
    """Whether training goes through ``keras.Model.fit`` (else the compiled loop)."""
    return bool(callbacks) or keras.backend.backend() != "tensorflow"


def train_model(model, data, scaler, plan):
    """Train ``model`` in place; return the per-epoch losses.

    Parameters
    ----------
    model : keras.Model
        A compiled model.
    data : WindowData
        Raw windows (or the series they are gathered from), targets, weights.
    scaler : WindowScaler
        Fitted scaling, applied to every batch.
    plan : TrainingPlan
        Training and validation windows, epochs, batch size and the rest.

    Returns
    -------
    history : dict
        ``{"loss": [...]}`` and, with a validation set, ``"val_loss"``.
    """
    if trains_with_fit(plan.callbacks):
        return _train_with_fit(model, data, scaler, plan)
    import tensorflow as tf

    sample_weight = data.sample_weight
    if sample_weight is not None and np.all(sample_weight == 1):
        sample_weight = None
    targets = np.asarray(data.targets, dtype=np.float64)
    if data.starts is not None:
        # A panel: windows start at chosen rows of the source. Targets and
        # weights are laid out by start row, so that one index finds a
        # window and its targets; rows no window starts at are never used.
        starts = data.starts
        aligned = np.zeros((int(starts.max()) + 1, targets.shape[1]))
        aligned[starts] = targets
        targets = aligned
        if sample_weight is not None:
            weights = np.zeros(len(aligned), np.float32)
            weights[starts] = sample_weight
            sample_weight = weights
        val_rows = None if plan.val_index is None else starts[plan.val_index]
        plan = replace(plan, train_index=starts[plan.train_index], val_index=val_rows)
    arrays = GraphData(
        # Raw data stays float64 so that the scaling in the graph matches
        # WindowScaler's numpy arithmetic (a large offset minus its
        # reference loses digits in float32).
        source=np.asarray(data.source, dtype=np.float64),
        targets=targets,
        weights=np.ones(0, np.float32) if sample_weight is None else sample_weight,
        stats=scaler.stats_,
    )
    tensors = GraphData(
        tf.constant(arrays.source, tf.float64),
        tf.constant(arrays.targets, tf.float64),
        tf.constant(arrays.weights, tf.float32),
        type(scaler.stats_)(*(tf.constant(a, tf.float64) for a in scaler.stats_)),
    )
    # The per-window arrays take any number of windows; every other
    # dimension is compiled in.
    signature = GraphData(
        *(
            tf.TensorSpec([None, *t.shape[1:]], t.dtype)
            for t in (tensors.source, tensors.targets, tensors.weights)
        ),
        type(tensors.stats)(*(tf.TensorSpec(t.shape, t.dtype) for t in tensors.stats)),
    )
    # Small data is scaled once per call of the training function rather
    # than batch by batch: fewer operations per step. Long series keep
    # gathering and scaling each batch, so their windows never exist whole.
    # Counted as the network's inputs: a "+level" scaling doubles the channels.
    window_values = data.window_length if data.from_series else 1
    channels = scaler.n_inputs(arrays.source.shape[-1]) / arrays.source.shape[-1]
    n_values = len(targets) * window_values * arrays.source[0].size * channels
    spec = GraphSpec(
        scaling=scaler.method,
        window_length=data.window_length if data.from_series else None,
        precompute=bool(n_values <= _PRECOMPUTE_VALUES),
        shuffle=bool(plan.shuffle),
        weighted=sample_weight is not None,
    )
    seeds = keras.random.SeedGenerator()  # this fit's shuffling
    train_index = tf.constant(plan.train_index, tf.int32)
    batch_size = tf.constant(plan.batch_size, tf.int32)
    with training_graph(model, spec, signature, seeds) as graph:
        return _run_epochs(graph, tensors, train_index, batch_size, plan)


def _run_epochs(graph, data, train_index, batch_size, plan):
    """All epochs in one call, or epoch by epoch to report or validate."""
    tf = graph.tf
    val_index = plan.val_index
    if val_index is None and not plan.verbose:
        epochs = tf.constant(int(plan.epochs), tf.int32)
        losses = graph.run(data, train_index, batch_size, epochs)
        return {"loss": [float(v) for v in losses.numpy()]}
    history = {"loss": []}
    if val_index is not None:
        history["val_loss"] = []
        val_index = tf.constant(val_index, tf.int32)
    best, best_weights, waited = np.inf, None, 0
    one = tf.constant(1, tf.int32)
    for epoch in range(int(plan.epochs)):
        history["loss"].append(float(graph.run(data, train_index, batch_size, one)[0]))
        line = f"Epoch {epoch + 1}/{plan.epochs} - loss: {history['loss'][-1]:.4g}"
        if val_index is not None:
            val_loss = float(graph.loss(data, val_index))
            history["val_loss"].append(val_loss)
            line += f" - val_loss: {val_loss:.4g}"
            if val_loss < best:
                best, best_weights, waited = val_loss, graph.model.get_weights(), 0
            else:
                waited += 1
        if plan.verbose:
            print(line, file=sys.stderr)
        if val_index is not None and waited >= int(plan.patience):
            break
    if best_weights is not None:
        graph.model.set_weights(best_weights)
    return history


def predict_model(model, X, scaler):
    """Return the model's outputs in the user's units, float64, (n, n_outputs).

    Windows are scaled batch by batch, so long inputs (a view of a series)
    are never scaled, and so copied, as a whole. A network of several
    members (``go_backwards="both"``) forecasts their mean.
    """
    outputs = []
    members = n_members(model)
    with forward_function(model) as forward:
        for start in range(0, len(X), _PREDICT_BATCH):
            windows = X[start : start + _PREDICT_BATCH]
            batch = scaler.transform(windows)
            n_rows = len(batch)
            if n_rows < _PREDICT_BATCH:
                shape = (_PREDICT_BATCH - n_rows, *batch.shape[1:])
                batch = np.concatenate([batch, np.zeros(shape, np.float32)])
            scaled = np.asarray(forward(batch))[:n_rows]
            if members > 1:  # the forecast is the members' mean
                scaled = scaled.reshape(n_rows, members, -1).mean(axis=1)
            outputs.append(scaler.inverse_targets(scaled, windows))
    return np.concatenate(outputs)


def _train_with_fit(model, data, scaler, plan):
    windows = data.windows
    X = scaler.transform(windows)
    targets = scaler.transform_targets(data.targets, windows)
    targets = np.tile(targets, (1, n_members(model)))  # each member fits them
    train, val = plan.train_index, plan.val_index
    callbacks = list(plan.callbacks or [])
    validation = None
    if val is not None:
        validation = (X[val], targets[val])
        callbacks.append(
            keras.callbacks.EarlyStopping(
                patience=plan.patience, restore_best_weights=True
            )
        )
    sample_weight = data.sample_weight
    history = model.fit(
        X[train],
        targets[train],
        sample_weight=None if sample_weight is None else sample_weight[train],
        validation_data=validation,
        epochs=plan.epochs,
        batch_size=plan.batch_size,
        shuffle=plan.shuffle,
        callbacks=callbacks,
        verbose=plan.verbose,
    )
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}
