"""Invertible scaling of windows and targets, fitted on the training windows.

``scaling`` chooses what each window is measured against:

- ``"last"``: each window minus its own last value (per feature); targets
  become changes from that last value. A network trained on one level then
  forecasts at another: what a trending series needs.
- ``"mean"``: each window minus its own mean (per feature).
- ``"last+level"`` and ``"mean+level"``: as ``"last"`` and ``"mean"``, and
  the network also gets the level the window was measured against (its
  reference value, standardized with the training statistics and held
  within their range), so that behaviour that depends on the level (a
  stationary series returning to its mean, a sine) can be learned. The
  level travels as extra channels of the scaled windows; the network takes
  it from the last step and joins it before its output layer.
- ``"window"``: each window minus its last value, divided by its own mean
  absolute value (per feature), with the level input as the last value over
  that same divisor. Nothing depends on a series' units: multiplying a
  series by a constant multiplies its forecasts and changes nothing else,
  so series in the thousands and near 0.01 train together (the default for
  panels).
- ``"standard"``: no per-window reference, only the global standardization.
- None: the raw values.

Except for None, the referenced windows and targets are then standardized
with the training data's mean and standard deviation (per feature, per
target). A constant feature keeps scale 1. Predictions are inverted back to
the user's units.

Every method is written once, in terms of a few array operations
(:data:`NUMPY_OPS` here, TensorFlow's in the training graph), so that the
windows a network trains on in the graph and the ones it predicts from in
numpy are scaled by the same expressions (equal to float64 rounding: a
window mean may sum in another order on each side).
"""

from typing import Any, NamedTuple

import numpy as np

METHODS = ("last", "mean", "last+level", "mean+level", "window", "standard")

_CHUNK_VALUES = 2**18  # values per chunk when computing statistics (2 MB)


class ArrayOps(NamedTuple):
    """The array operations the scaling needs, from numpy or TensorFlow."""

    mean: Any  # mean(x, axis, keepdims=True)
    concat: Any  # concat(list_of_arrays, axis)
    zeros_like: Any
    clip: Any  # clip(x, low, high)
    abs: Any = np.abs
    where: Any = np.where
    ones_like: Any = np.ones_like


NUMPY_OPS = ArrayOps(
    mean=lambda x, axis: np.mean(x, axis=axis, keepdims=True),
    concat=lambda parts, axis: np.concatenate(parts, axis=axis),
    zeros_like=np.zeros_like,
    clip=np.clip,
)


class ScalingStats(NamedTuple):
    """Training statistics of a scaling; each a float64 vector.

    ``x_*`` per feature of the referenced windows, ``y_*`` per target of
    the referenced targets, ``level_*`` per feature of the windows'
    reference values (used by the ``+level`` methods only): their mean and
    scale, and the lowest and highest standardized level seen in training.
    """

    x_mean: Any
    x_scale: Any
    y_mean: Any
    y_scale: Any
    level_mean: Any
    level_scale: Any
    level_low: Any
    level_high: Any
    known_mean: Any = np.zeros(0)
    known_scale: Any = np.ones(0)


def reference(method, windows, ops=NUMPY_OPS):
    """Each window's reference value per feature, shape (n, 1, n_features)."""
    if method is not None and (method.startswith("last") or method == "window"):
        return windows[:, -1:, :]
    if method is not None and method.startswith("mean"):
        return ops.mean(windows, axis=1)
    return ops.zeros_like(windows[:, :1, :])


def spread(windows, ops=NUMPY_OPS):
    """Each window's mean absolute value per feature, (n, 1, f); 1 where it is 0.

    The divisor of the ``"window"`` scaling: multiplying a series by a
    constant multiplies it by the constant's magnitude.
    """
    size = ops.mean(ops.abs(windows), axis=1)
    return ops.where(size > 0, size, ops.ones_like(size))


def flat_windows(windows):
    """Whether each window's first feature is all zeros, shape (n,); chunk by chunk."""
    parts = [
        ~np.any(np.asarray(part, dtype=np.float64)[:, :, 0] != 0, axis=1)
        for _, part in _chunks(windows)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, bool)


def has_level_input(method):
    """Whether the network gets the windows' levels as extra channels."""
    return method is not None and (method.endswith("+level") or method == "window")


def n_known(stats):
    """Number of future-known channels the statistics were fitted with."""
    return int(stats.known_mean.shape[0])


def scale_windows(method, windows, stats, ops=NUMPY_OPS):
    """The network's inputs: (n, k, f) values, f levels (``+level``, ``"window"``),
    then the future-known channels, standardized (their last step matters)."""
    known = n_known(stats)
    values = windows[:, :, : windows.shape[2] - known] if known else windows
    ref = reference(method, values, ops)
    if method == "window":
        size = spread(values, ops)
        scaled = ((values - ref) / size - stats.x_mean) / stats.x_scale
        level = ref / size
    else:
        scaled = (values - ref - stats.x_mean) / stats.x_scale
        level = ref
    parts = [scaled]
    if has_level_input(method):
        # Levels beyond the training range (a trend continuing) are held at
        # its edge: the network has learned nothing about levels it never
        # saw, and the referenced window carries the forecast there.
        level = (level - stats.level_mean) / stats.level_scale
        level = ops.clip(level, stats.level_low, stats.level_high)
        parts.append(level + ops.zeros_like(scaled))
    if known:
        future = windows[:, :, windows.shape[2] - known :]
        if method is not None:
            future = (future - stats.known_mean) / stats.known_scale
        parts.append(future)
    return parts[0] if len(parts) == 1 else ops.concat(parts, axis=2)


def target_frame(method, windows, stats, ops=NUMPY_OPS):
    """Per window, the reference and divisor of the targets, each (n, 1)."""
    known = n_known(stats)
    values = windows[:, :, : windows.shape[2] - known] if known else windows
    ref = reference(method, values, ops)[:, 0, :1]
    if method == "window":
        return ref, spread(values[:, :, :1], ops)[:, 0, :]
    return ref, None


def scale_targets(method, targets, windows, stats, ops=NUMPY_OPS):
    """Targets (n, n_outputs) relative to the first feature's reference."""
    ref, size = target_frame(method, windows, stats, ops)
    if size is None:
        return (targets - ref - stats.y_mean) / stats.y_scale
    return ((targets - ref) / size - stats.y_mean) / stats.y_scale


class WindowScaler:
    """Reference windows to themselves, then standardize; invertible.

    Parameters
    ----------
    method : {"last", "mean", "last+level", "mean+level", "window", "standard"} or None
        See the module docstring.
    n_known : int, default=0
        The windows' last ``n_known`` channels are future-known values: they
        are only standardized.
    """

    def __init__(self, method, n_known=0):
        self.method = method
        self.n_known = n_known

    def fit(self, windows, targets):
        """Learn the statistics from (possibly very many) windows, chunk by chunk.

        ``windows`` may be any object whose slices are windows (a view of a
        series, or windows gathered from a panel on demand).
        """
        n_values = windows.shape[2] - self.n_known
        targets = targets.reshape(len(targets), -1)
        zeros, ones = np.zeros(n_values), np.ones(n_values)
        known_zeros, known_ones = np.zeros(self.n_known), np.ones(self.n_known)
        # The identity scaling: what None keeps, and what the targets'
        # references are read with below.
        identity = ScalingStats(
            zeros, ones, np.zeros(targets.shape[1]), np.ones(targets.shape[1]),
            zeros, ones, zeros, zeros, known_zeros, known_ones,
        )  # fmt: skip
        self.stats_ = identity
        if self.method is None:
            return self
        method = self.method

        def pieces():
            for start, part in _chunks(windows):
                part = np.asarray(part, dtype=np.float64)
                yield start, part[:, :, :n_values], part[:, :, n_values:]

        def referenced():
            for _, part, _ in pieces():
                ref = reference(method, part)
                if method == "window":
                    yield (part - ref) / spread(part)
                else:
                    yield part - ref

        def levels():
            for _, part, _ in pieces():
                ref = reference(method, part)
                yield ref / spread(part) if method == "window" else ref

        def future():
            for _, _, part in pieces():
                yield part[:, -1, :]

        x_mean, x_scale = _mean_and_scale(referenced)
        level_mean, level_scale, low, high = zeros, ones, zeros, zeros
        if has_level_input(method):
            level_mean, level_scale, lowest, highest = _mean_and_scale(
                levels, extremes=True
            )
            # Standardizing is increasing, so the extremes map to the extremes.
            low = (lowest - level_mean) / level_scale
            high = (highest - level_mean) / level_scale
        known_mean, known_scale = known_zeros, known_ones
        if self.n_known:
            known_mean, known_scale = _mean_and_scale(future)
        y_ref = []
        for start, part in _chunks(windows):
            part = np.asarray(part, dtype=np.float64)
            ref, size = target_frame(method, part, identity)
            rows = targets[start : start + len(part)]
            y_ref.append((rows - ref) if size is None else (rows - ref) / size)
        y_ref = np.asarray(np.concatenate(y_ref), dtype=np.float64)
        y_mean, y_scale = _mean_and_scale(lambda: [y_ref])
        self.stats_ = ScalingStats(
            x_mean, x_scale, y_mean, y_scale, level_mean, level_scale, low, high,
            known_mean, known_scale,
        )  # fmt: skip
        return self

    def n_inputs(self, n_channels):
        """Channels per step the network gets for windows of ``n_channels``."""
        n_values = n_channels - self.n_known
        return n_channels + (n_values if has_level_input(self.method) else 0)

    def n_level(self, n_channels):
        """How many of the network's channels are levels."""
        return n_channels - self.n_known if has_level_input(self.method) else 0

    def transform(self, windows, dtype=np.float32):
        """Scaled windows, float32 by default (the dtype Keras trains in)."""
        windows = np.asarray(windows, dtype=np.float64)
        return scale_windows(self.method, windows, self.stats_).astype(dtype)

    def transform_targets(self, targets, windows, dtype=np.float32):
        """Scaled targets of ``windows``, shape (n, n_outputs), float32 by default."""
        targets = np.asarray(targets, dtype=np.float64).reshape(len(targets), -1)
        windows = np.asarray(windows, dtype=np.float64)
        scaled = scale_targets(self.method, targets, windows, self.stats_)
        return scaled.astype(dtype)

    def inverse_targets(self, scaled, windows):
        """Predictions back in the user's units, float64, shape (n, n_outputs)."""
        scaled = np.asarray(scaled, dtype=np.float64)
        windows = np.asarray(windows, dtype=np.float64)
        ref, size = target_frame(self.method, windows, self.stats_)
        if size is None:
            return scaled * self.stats_.y_scale + self.stats_.y_mean + ref
        out = (scaled * self.stats_.y_scale + self.stats_.y_mean) * size + ref
        # A window of zeros has no scale: the only forecast from it that does
        # not depend on the series' units is 0 (f(c x) = c f(x) at x = 0).
        flat = ~np.any(windows[:, :, 0] != 0, axis=1)
        out[flat] = 0.0
        return out


def _chunks(windows, values=_CHUNK_VALUES):
    """``(start, windows[start:start + rows])`` of about ``values`` values each."""
    rows = max(1, values // max(1, windows.shape[1] * windows.shape[2]))
    for start in range(0, len(windows), rows):
        yield start, windows[start : start + rows]


def _mean_and_scale(parts, extremes=False):
    """Per-column mean and standard deviation over 2-D or 3-D parts, in two passes.

    ``parts()`` yields the parts afresh for each pass. Values are divided by
    the largest magnitude before squaring, so that numbers near 1e300 do not
    overflow. With ``extremes`` the per-column minimum and maximum are
    returned too, from the first pass.
    """
    total, count, magnitude = 0.0, 0, 0.0
    lowest, highest = np.inf, -np.inf
    for part in parts():
        flat = part.reshape(-1, part.shape[-1])
        total = total + flat.sum(axis=0)
        count += len(flat)
        magnitude = np.maximum(magnitude, np.abs(flat).max(axis=0))
        if extremes:
            lowest = np.minimum(lowest, flat.min(axis=0))
            highest = np.maximum(highest, flat.max(axis=0))
    mean = total / count
    magnitude = np.where(magnitude > 0, magnitude, 1.0)
    squares = 0.0
    for part in parts():
        flat = part.reshape(-1, part.shape[-1])
        squares = squares + (((flat - mean) / magnitude) ** 2).sum(axis=0)
    scale = np.sqrt(squares / count) * magnitude
    scale[~np.isfinite(scale) | (scale <= 1e-12 * magnitude)] = 1.0
    return (mean, scale, lowest, highest) if extremes else (mean, scale)
