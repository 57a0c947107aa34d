"""Train and run a compiled Keras model with little framework overhead.

``keras.Model.fit`` rebuilds its data iterator every epoch and calls Python
callbacks between batches; for the many small fits of a model comparison
that overhead, not arithmetic, dominates. Without user callbacks, skseq
trains with one TensorFlow graph that runs every epoch and batch: the same
optimizer, batch size, number of updates and per-epoch shuffling as
``fit``. With callbacks it uses ``fit`` itself so they behave as documented.
"""

import math
import sys

import numpy as np

from skseq._keras import keras

# Predictions run in batches of exactly this many rows (the last one
# padded): float32 kernels choose their blocking by batch size, so a window's
# prediction would otherwise change in the 7th digit with the number of
# windows predicted together.
_PREDICT_BATCH = 512


def train_model(
    model, X, y, sample_weight, *, epochs, batch_size, shuffle, callbacks, verbose
):
    """Train ``model`` in place and return the mean training loss per epoch.

    Parameters
    ----------
    model : keras.Model
        A compiled model.
    X : ndarray of shape (n_windows, window_length, n_features) or SeriesWindows
        Scaled float32 windows, or a scaled float32 series whose windows are
        gathered batch by batch.
    y : ndarray of shape (n_windows,) or (n_windows, n_outputs), float32
        Scaled targets.
    sample_weight : ndarray of shape (n_windows,) or None
        Weight of each window in the loss.
    epochs, batch_size : int
        Passes over the data and windows per update.
    shuffle : bool
        Shuffle the windows before each epoch.
    callbacks : list of keras.callbacks.Callback or None
        Keras callbacks; when given, training goes through ``Model.fit``.
    verbose : int
        0 is silent; 1 or more prints one line per epoch.

    Returns
    -------
    losses : list of float
        Mean training loss of each epoch.
    """
    y = y.reshape(len(y), -1)
    batch_size = min(batch_size, len(y))
    series = getattr(X, "series", None)
    if callbacks or keras.backend.backend() != "tensorflow":
        if series is not None:
            X = np.ascontiguousarray(X.windows)
        history = model.fit(
            X,
            y,
            sample_weight=sample_weight,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=shuffle,
            callbacks=callbacks,
            verbose=verbose,
        )
        return [float(v) for v in history.history["loss"]]
    if sample_weight is not None and np.all(sample_weight == 1):
        sample_weight = None
    window_length = None if series is None else X.window_length
    run_epochs = _compiled_epochs(
        model, len(y), batch_size, shuffle, sample_weight, window_length
    )
    import tensorflow as tf

    data = [tf.constant(X if series is None else series), tf.constant(y)]
    if sample_weight is not None:
        data.append(tf.constant(np.asarray(sample_weight, dtype=np.float32)))
    if not verbose:
        return [float(v) for v in run_epochs(*data, tf.constant(epochs)).numpy()]
    losses = []
    for epoch in range(epochs):
        losses.append(float(run_epochs(*data, tf.constant(1)).numpy()[0]))
        print(f"Epoch {epoch + 1}/{epochs} - loss: {losses[-1]:.4g}", file=sys.stderr)
    return losses


def predict_model(model, X, transform):
    """Return the model's float64 outputs for windows ``X``, batch by batch.

    ``transform`` scales each batch, so long inputs (a view of a series) are
    never scaled, and so copied, as a whole.
    """
    outputs = []
    for start in range(0, len(X), _PREDICT_BATCH):
        batch = transform(X[start : start + _PREDICT_BATCH])
        n_rows = len(batch)
        if n_rows < _PREDICT_BATCH:
            padding = np.zeros((_PREDICT_BATCH - n_rows, *batch.shape[1:]), batch.dtype)
            batch = np.concatenate([batch, padding])
        outputs.append(np.asarray(model.predict_on_batch(batch))[:n_rows])
    return np.concatenate(outputs).astype(np.float64)


def _compiled_epochs(
    model, n_samples, batch_size, shuffle, sample_weight, window_length
):
    import tensorflow as tf

    optimizer = model.optimizer
    variables = model.trainable_variables
    optimizer.build(variables)
    loss_fn = _loss_function(model.loss)
    seeds = keras.random.SeedGenerator()
    n_batches = math.ceil(n_samples / batch_size)
    weighted = sample_weight is not None

    def step(X, y, w, index):
        if window_length is None:
            xb = tf.gather(X, index)
        else:  # X is the series: window i is steps i .. i + window_length - 1
            xb = tf.gather(X, index[:, tf.newaxis] + tf.range(window_length))
        yb = tf.gather(y, index)
        with tf.GradientTape() as tape:
            pred = model(xb, training=True)
            per_sample = loss_fn(yb, pred)
            if weighted:
                per_sample = per_sample * tf.gather(w, index)
            # Keras's "sum_over_batch_size" reduction, plus layer penalties.
            loss = tf.reduce_mean(per_sample)
            if model.losses:
                loss = loss + tf.add_n(model.losses)
        grads = tape.gradient(loss, variables)
        optimizer.apply(grads, variables)
        return loss

    @tf.function(autograph=True)
    def run_epochs(X, y, *rest):
        *w, epochs = rest
        w = w[0] if weighted else None
        losses = tf.TensorArray(tf.float32, size=epochs)
        for epoch in tf.range(epochs):
            order = tf.range(n_samples)
            if shuffle:
                order = keras.random.shuffle(order, seed=seeds)
            total = tf.constant(0.0)
            for batch in tf.range(n_batches):
                index = order[batch * batch_size : (batch + 1) * batch_size]
                size = tf.cast(tf.shape(index)[0], tf.float32)
                total += step(X, y, w, index) * size
            losses = losses.write(epoch, total / n_samples)
        return losses.stack()

    return run_epochs


def _loss_function(loss):
    if isinstance(loss, keras.losses.Loss):
        return lambda y_true, y_pred: loss.call(y_true, y_pred)
    return keras.losses.get(loss)
