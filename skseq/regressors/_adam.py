"""Keras's Adam update through TensorFlow's fused kernel, when it is safe."""

from skseq._keras import keras

# Private attributes of keras.optimizers.Adam that the fused update reads.
# They are Keras internals, not API: if a Keras release renames one, the
# fused update is skipped and Keras's own update runs instead.
REQUIRED_ATTRIBUTES = (
    "_momentums",
    "_velocities",
    "_get_variable_index",
    "_clip_gradients",
    "iterations",
    "beta_1",
    "beta_2",
    "epsilon",
    "learning_rate",
)


def fused_adam(optimizer, tf):
    """Keras's Adam update as TensorFlow's fused kernel, or None if it differs.

    Keras's Adam runs about ten separate array operations per variable and
    step; ``ResourceApplyAdam`` computes the same float32 expressions
    (``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, ``m += (g - m) *
    (1 - beta_1)``, ``v += (g**2 - v) * (1 - beta_2)``, ``w -= m * alpha /
    (sqrt(v) + epsilon)``) in one pass, which halves a SimpleRNN(500) step
    on a CPU. Options the kernel does not compute (AMSGrad, weight decay,
    EMA, gradient accumulation, loss scaling, subclasses), and a Keras whose
    Adam lacks one of :data:`REQUIRED_ATTRIBUTES`, keep Keras's own update
    (None is returned). The moments and the step counter stay the
    optimizer's own variables, so a warm start continues from them.
    """
    if type(optimizer) is not keras.optimizers.Adam or not all(
        hasattr(optimizer, name) for name in REQUIRED_ATTRIBUTES
    ):
        return None
    if (
        getattr(optimizer, "amsgrad", True)
        or getattr(optimizer, "weight_decay", True)
        or getattr(optimizer, "use_ema", True)
        or getattr(optimizer, "gradient_accumulation_steps", True)
        or getattr(optimizer, "loss_scale_factor", True)
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
