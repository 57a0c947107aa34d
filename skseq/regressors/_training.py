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
architecture (``_graph.py``). With callbacks, or on another Keras backend,
it uses ``fit`` itself.
"""

import sys

import numpy as np

from skseq._keras import keras
from skseq._series import SeriesWindows
from skseq.regressors._graph import forward_function, training_graph

# Predictions run in batches of exactly this many rows (the last one
# padded): float32 kernels choose their blocking by batch size, so a window's
# prediction would otherwise change in the 7th digit with the number of
# windows predicted together.
_PREDICT_BATCH = 512

# Training data up to this many values (16 MB in float32) is scaled whole.
_PRECOMPUTE_VALUES = 2**22


def trains_with_fit(callbacks):
    """Whether training goes through ``keras.Model.fit`` (else the compiled loop)."""
    return bool(callbacks) or keras.backend.backend() != "tensorflow"


def train_model(model, inputs, y, sample_weight, scaler, plan):
    """Train ``model`` in place; return the per-epoch losses.

    Parameters
    ----------
    model : keras.Model
        A compiled model.
    inputs : ndarray of shape (n_windows, window_length, n_features) or SeriesWindows
        Raw windows, or a series whose windows are gathered batch by batch.
    y : ndarray of shape (n_windows, n_outputs)
        Raw targets.
    sample_weight : ndarray of shape (n_windows,) or None
        Weight of each window in the loss.
    scaler : WindowScaler
        Fitted scaling, applied to every batch.
    plan : dict
        ``epochs``, ``batch_size``, ``shuffle``, ``callbacks``, ``verbose``,
        ``train_index`` and ``val_index`` (None without early stopping) and
        ``patience``.

    Returns
    -------
    history : dict
        ``{"loss": [...]}`` and, with a validation set, ``"val_loss"``.
    """
    if trains_with_fit(plan["callbacks"]):
        return _train_with_fit(model, inputs, y, sample_weight, scaler, plan)
    import tensorflow as tf

    if sample_weight is not None and np.all(sample_weight == 1):
        sample_weight = None
    series = isinstance(inputs, SeriesWindows)
    source = inputs.series if series else inputs
    # Raw data stays float64 so that the scaling in the graph matches
    # WindowScaler's numpy arithmetic (a large offset minus its reference
    # loses digits in float32); each batch is cast to float32 once scaled.
    arrays = (
        np.asarray(source, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        np.ones(0, np.float32) if sample_weight is None else sample_weight,
        scaler.x_mean_,
        scaler.x_scale_,
        scaler.y_mean_,
        scaler.y_scale_,
    )
    dtypes = (tf.float64, tf.float64, tf.float32, *[tf.float64] * 4)
    data = tuple(tf.constant(a, d) for a, d in zip(arrays, dtypes, strict=True))
    # The per-window arrays take any number of windows; every other
    # dimension is compiled in.
    per_window, scaling = data[:3], data[3:]
    signature = (
        *(tf.TensorSpec([None, *t.shape[1:]], t.dtype) for t in per_window),
        *(tf.TensorSpec(t.shape, t.dtype) for t in scaling),
    )
    # Small data is scaled once per call of the training function rather
    # than batch by batch: fewer operations per step. Long series keep
    # gathering and scaling each batch, so their windows never exist whole.
    n_values = len(y) * (inputs.window_length if series else 1) * source[0].size
    spec = (
        scaler.method,
        inputs.window_length if series else None,
        bool(n_values <= _PRECOMPUTE_VALUES),
        bool(plan["shuffle"]),
        sample_weight is not None,
    )
    seeds = keras.random.SeedGenerator()  # this fit's shuffling
    train_index = tf.constant(plan["train_index"], tf.int32)
    batch_size = tf.constant(
        min(plan["batch_size"], len(plan["train_index"])), tf.int32
    )
    with training_graph(model, spec, signature, seeds) as graph:
        return _run_epochs(graph, data, train_index, batch_size, plan)


def _run_epochs(graph, data, train_index, batch_size, plan):
    """All epochs in one call, or epoch by epoch to report or validate."""
    tf = graph.tf
    val_index = plan["val_index"]
    if val_index is None and not plan["verbose"]:
        epochs = tf.constant(int(plan["epochs"]), tf.int32)
        losses = graph.run(*data, train_index, batch_size, epochs)
        return {"loss": [float(v) for v in losses.numpy()]}
    history = {"loss": []}
    if val_index is not None:
        history["val_loss"] = []
        val_index = tf.constant(val_index, tf.int32)
    best, best_weights, waited = np.inf, None, 0
    one = tf.constant(1, tf.int32)
    for epoch in range(int(plan["epochs"])):
        history["loss"].append(float(graph.run(*data, train_index, batch_size, one)[0]))
        line = f"Epoch {epoch + 1}/{plan['epochs']} - loss: {history['loss'][-1]:.4g}"
        if val_index is not None:
            val_loss = float(graph.loss(data[0], data[1], val_index, data[3:]))
            history["val_loss"].append(val_loss)
            line += f" - val_loss: {val_loss:.4g}"
            if val_loss < best:
                best, best_weights, waited = val_loss, graph.model.get_weights(), 0
            else:
                waited += 1
        if plan["verbose"]:
            print(line, file=sys.stderr)
        if val_index is not None and waited >= int(plan["patience"]):
            break
    if best_weights is not None:
        graph.model.set_weights(best_weights)
    return history


def predict_model(model, X, scaler):
    """Return the model's outputs in the user's units, float64, (n, n_outputs).

    Windows are scaled batch by batch, so long inputs (a view of a series)
    are never scaled, and so copied, as a whole.
    """
    outputs = []
    with forward_function(model) as forward:
        for start in range(0, len(X), _PREDICT_BATCH):
            windows = X[start : start + _PREDICT_BATCH]
            batch = scaler.transform(windows)
            n_rows = len(batch)
            if n_rows < _PREDICT_BATCH:
                shape = (_PREDICT_BATCH - n_rows, *batch.shape[1:])
                batch = np.concatenate([batch, np.zeros(shape, np.float32)])
            scaled = np.asarray(forward(batch))[:n_rows]
            outputs.append(scaler.inverse_targets(scaled, windows))
    return np.concatenate(outputs)


def _train_with_fit(model, inputs, y, sample_weight, scaler, plan):
    windows = inputs.windows if isinstance(inputs, SeriesWindows) else inputs
    X = scaler.transform(windows)
    targets = scaler.transform_targets(y, windows)
    train, val = plan["train_index"], plan["val_index"]
    callbacks = list(plan["callbacks"] or [])
    validation = None
    if val is not None:
        validation = (X[val], targets[val])
        callbacks.append(
            keras.callbacks.EarlyStopping(
                patience=plan["patience"], restore_best_weights=True
            )
        )
    history = model.fit(
        X[train],
        targets[train],
        sample_weight=None if sample_weight is None else sample_weight[train],
        validation_data=validation,
        epochs=plan["epochs"],
        batch_size=min(plan["batch_size"], len(train)),
        shuffle=plan["shuffle"],
        callbacks=callbacks,
        verbose=plan["verbose"],
    )
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}
