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
windows never exist whole. With callbacks, or on another Keras backend, it uses
``fit`` itself.
"""

import sys

import numpy as np

from skseq._keras import keras
from skseq._series import SeriesWindows

# Predictions run in batches of exactly this many rows (the last one
# padded): float32 kernels choose their blocking by batch size, so a window's
# prediction would otherwise change in the 7th digit with the number of
# windows predicted together.
_PREDICT_BATCH = 512

# Training data up to this many values (16 MB in float32) is scaled whole.
_PRECOMPUTE_VALUES = 2**22


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
    if plan["callbacks"] or keras.backend.backend() != "tensorflow":
        return _train_with_fit(model, inputs, y, sample_weight, scaler, plan)
    import tensorflow as tf

    if sample_weight is not None and np.all(sample_weight == 1):
        sample_weight = None
    series = isinstance(inputs, SeriesWindows)
    source = inputs.series if series else inputs
    # Small data is scaled once per call of the training function rather
    # than batch by batch: fewer operations per step. Long series keep
    # gathering and scaling each batch, so their windows never exist whole.
    n_values = len(y) * (inputs.window_length if series else 1) * source[0].size
    graph = _Graph(
        model,
        scaler,
        inputs.window_length if series else None,
        precompute=n_values <= _PRECOMPUTE_VALUES,
    )
    # Raw data stays float64 so that the scaling below matches WindowScaler's
    # numpy arithmetic (a large offset minus its reference loses digits in
    # float32); each batch is cast to float32 only once scaled.
    data = (
        tf.constant(np.asarray(source, dtype=np.float64)),
        tf.constant(np.asarray(y, dtype=np.float64)),
        None if sample_weight is None else tf.constant(sample_weight, tf.float32),
    )
    train_index = tf.constant(plan["train_index"], tf.int32)
    batch_size = int(min(plan["batch_size"], len(plan["train_index"])))
    run = graph.epochs_function(batch_size, plan["shuffle"], sample_weight is not None)
    val_index = plan["val_index"]
    if val_index is None and not plan["verbose"]:
        losses = run(*data, train_index, tf.constant(int(plan["epochs"]), tf.int32))
        return {"loss": [float(v) for v in losses.numpy()]}
    history = {"loss": []}
    if val_index is not None:
        history["val_loss"] = []
        val_index = tf.constant(val_index, tf.int32)
    best, best_weights, waited = np.inf, None, 0
    for epoch in range(int(plan["epochs"])):
        one = tf.constant(1, tf.int32)
        history["loss"].append(float(run(*data, train_index, one)[0]))
        line = f"Epoch {epoch + 1}/{plan['epochs']} - loss: {history['loss'][-1]:.4g}"
        if val_index is not None:
            val_loss = float(graph.loss(data[0], data[1], val_index))
            history["val_loss"].append(val_loss)
            line += f" - val_loss: {val_loss:.4g}"
            if val_loss < best:
                best, best_weights, waited = val_loss, model.get_weights(), 0
            else:
                waited += 1
        if plan["verbose"]:
            print(line, file=sys.stderr)
        if val_index is not None and waited >= int(plan["patience"]):
            break
    if best_weights is not None:
        model.set_weights(best_weights)
    return history


def predict_model(model, X, scaler):
    """Return the model's outputs in the user's units, float64, (n, n_outputs).

    Windows are scaled batch by batch, so long inputs (a view of a series)
    are never scaled, and so copied, as a whole.
    """
    outputs = []
    for start in range(0, len(X), _PREDICT_BATCH):
        windows = X[start : start + _PREDICT_BATCH]
        batch = scaler.transform(windows)
        n_rows = len(batch)
        if n_rows < _PREDICT_BATCH:
            padding = np.zeros((_PREDICT_BATCH - n_rows, *batch.shape[1:]), np.float32)
            batch = np.concatenate([batch, padding])
        scaled = np.asarray(model.predict_on_batch(batch))[:n_rows]
        outputs.append(scaler.inverse_targets(scaled, windows))
    return np.concatenate(outputs)


class _Graph:
    """The training graph pieces of one model and one fitted scaling."""

    def __init__(self, model, scaler, window_length, precompute=False):
        import tensorflow as tf

        self.tf = tf
        self.model = model
        self.method = scaler.method
        self.window_length = window_length
        self.precompute = precompute
        constant = lambda v: tf.constant(v, tf.float64)  # noqa: E731
        self.x_mean, self.x_scale = constant(scaler.x_mean_), constant(scaler.x_scale_)
        self.y_mean, self.y_scale = constant(scaler.y_mean_), constant(scaler.y_scale_)
        self.loss_fn = _loss_function(model.loss)
        model.optimizer.build(model.trainable_variables)
        self.apply_gradients = _fused_adam(model.optimizer, tf) or model.optimizer.apply

    def batch(self, source, y, index):
        """Scaled windows and targets of the windows at ``index``."""
        tf = self.tf
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
        xb = (xb - reference - self.x_mean) / self.x_scale
        yb = (yb - reference[:, 0, :1] - self.y_mean) / self.y_scale
        return tf.cast(xb, tf.float32), tf.cast(yb, tf.float32)

    def per_sample_loss(self, xb, yb, training):
        return self.loss_fn(yb, self.model(xb, training=training))

    def loss(self, source, y, index):
        xb, yb = self.batch(source, y, index)
        return self.tf.reduce_mean(self.per_sample_loss(xb, yb, training=False))

    def epochs_function(self, batch_size, shuffle, weighted):
        tf, model = self.tf, self.model
        variables = model.trainable_variables
        seeds = keras.random.SeedGenerator()

        def step(source, y, w, index):
            if self.precompute:
                xb, yb = tf.gather(source, index), tf.gather(y, index)
            else:
                xb, yb = self.batch(source, y, index)
            with tf.GradientTape() as tape:
                per_sample = self.per_sample_loss(xb, yb, training=True)
                if weighted:
                    per_sample = per_sample * tf.gather(w, index)
                # Keras's "sum_over_batch_size" reduction, plus layer penalties.
                loss = tf.reduce_mean(per_sample)
                if model.losses:
                    loss = loss + tf.add_n(model.losses)
            grads = tape.gradient(loss, variables)
            self.apply_gradients(grads, variables)
            return loss

        @tf.function
        def run(source, y, w, train_index, epochs):
            if self.precompute:
                source, y = self.batch(source, y, tf.range(tf.shape(y)[0]))
            n_samples = tf.shape(train_index)[0]
            n_batches = (n_samples + batch_size - 1) // batch_size
            losses = tf.TensorArray(tf.float32, size=epochs)
            for epoch in tf.range(epochs):
                order = train_index
                if shuffle:
                    order = keras.random.shuffle(order, seed=seeds)
                total = tf.constant(0.0)
                for batch in tf.range(n_batches):
                    index = order[batch * batch_size : (batch + 1) * batch_size]
                    size = tf.cast(tf.shape(index)[0], tf.float32)
                    total += step(source, y, w, index) * size
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
    ):
        return None

    def apply(grads, variables):
        if any(variable.dtype != "float32" for variable in variables):
            return optimizer.apply(grads, variables)
        grads = optimizer._clip_gradients(grads)
        step = tf.cast(optimizer.iterations + 1, tf.float32)
        lr = tf.cast(optimizer.learning_rate, tf.float32)
        beta_1 = tf.constant(optimizer.beta_1, tf.float32)
        beta_2 = tf.constant(optimizer.beta_2, tf.float32)
        for grad, variable in zip(grads, variables, strict=True):
            if grad is None:
                continue
            index = optimizer._get_variable_index(variable)
            tf.raw_ops.ResourceApplyAdam(
                var=variable.handle,
                m=optimizer._momentums[index].handle,
                v=optimizer._velocities[index].handle,
                beta1_power=tf.pow(beta_1, step),
                beta2_power=tf.pow(beta_2, step),
                lr=lr,
                beta1=beta_1,
                beta2=beta_2,
                epsilon=tf.constant(optimizer.epsilon, tf.float32),
                grad=tf.cast(grad, tf.float32),
            )
        optimizer.iterations.assign_add(1)

    return apply


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


def _loss_function(loss):
    if isinstance(loss, keras.losses.Loss):
        return lambda y_true, y_pred: loss.call(y_true, y_pred)
    return keras.losses.get(loss)
