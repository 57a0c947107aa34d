"""Invertible scaling of windows and targets, fitted on the training windows.

``scaling`` chooses what each window is measured against:

- ``"last"``: each window minus its own last value (per feature); targets
  become changes from that last value. A network trained on one level then
  forecasts at another: what a trending series needs.
- ``"mean"``: each window minus its own mean (per feature).
- ``"standard"``: no per-window reference, only the global standardization.
- None: the raw values.

Except for None, the referenced windows and targets are then standardized
with the training data's mean and standard deviation (per feature, per
target). A constant feature keeps scale 1. Predictions are inverted back to
the user's units.
"""

import numpy as np

_CHUNK_VALUES = 2**18  # values per chunk when computing statistics (2 MB)


class WindowScaler:
    """Reference windows to themselves, then standardize; invertible.

    Parameters
    ----------
    method : {"last", "mean", "standard"} or None
        See the module docstring.
    """

    def __init__(self, method):
        self.method = method

    def fit(self, windows, targets):
        """Learn the statistics from (possibly very many) windows, chunk by chunk."""
        n_features = windows.shape[2]
        targets = targets.reshape(len(targets), -1)
        self.x_mean_ = np.zeros(n_features)
        self.x_scale_ = np.ones(n_features)
        self.y_mean_ = np.zeros(targets.shape[1])
        self.y_scale_ = np.ones(targets.shape[1])
        if self.method is None:
            return self
        x_parts = (self._referenced(w) for w in _chunks(windows))
        self.x_mean_, self.x_scale_ = _mean_and_scale(
            x_parts, lambda: (self._referenced(w) for w in _chunks(windows))
        )
        y_ref = targets - self.reference(windows)[:, 0, :1]
        self.y_mean_, self.y_scale_ = _mean_and_scale([y_ref], lambda: [y_ref])
        return self

    def reference(self, windows):
        """Each window's reference value per feature, shape (n, 1, n_features)."""
        if self.method == "last":
            return np.asarray(windows[:, -1:, :], dtype=np.float64)
        if self.method == "mean":
            return np.asarray(windows, dtype=np.float64).mean(axis=1, keepdims=True)
        return np.zeros((len(windows), 1, windows.shape[2]))

    def transform(self, windows):
        """Scaled float32 windows, the dtype Keras trains in."""
        scaled = (self._referenced(windows) - self.x_mean_) / self.x_scale_
        return scaled.astype(np.float32)

    def transform_targets(self, targets, windows):
        """Scaled float32 targets of ``windows``, shape (n, n_outputs)."""
        targets = np.asarray(targets, dtype=np.float64).reshape(len(targets), -1)
        referenced = targets - self.reference(windows)[:, 0, :1]
        return ((referenced - self.y_mean_) / self.y_scale_).astype(np.float32)

    def inverse_targets(self, scaled, windows):
        """Predictions back in the user's units, float64, shape (n, n_outputs)."""
        scaled = np.asarray(scaled, dtype=np.float64)
        return scaled * self.y_scale_ + self.y_mean_ + self.reference(windows)[:, 0, :1]

    def _referenced(self, windows):
        windows = np.asarray(windows, dtype=np.float64)
        return windows - self.reference(windows)


def _chunks(windows):
    rows = max(1, _CHUNK_VALUES // max(1, windows.shape[1] * windows.shape[2]))
    for start in range(0, len(windows), rows):
        yield windows[start : start + rows]


def _mean_and_scale(parts, parts_again):
    """Per-column mean and standard deviation over 2-D or 3-D parts, in two passes.

    Values are divided by the largest magnitude before squaring, so that
    numbers near 1e300 do not overflow.
    """
    total, count, magnitude = 0.0, 0, 0.0
    for part in parts:
        flat = part.reshape(-1, part.shape[-1])
        total = total + flat.sum(axis=0)
        count += len(flat)
        magnitude = np.maximum(magnitude, np.abs(flat).max(axis=0))
    mean = total / count
    magnitude = np.where(magnitude > 0, magnitude, 1.0)
    squares = 0.0
    for part in parts_again():
        flat = part.reshape(-1, part.shape[-1])
        squares = squares + (((flat - mean) / magnitude) ** 2).sum(axis=0)
    scale = np.sqrt(squares / count) * magnitude
    scale[~np.isfinite(scale) | (scale <= 1e-12 * magnitude)] = 1.0
    return mean, scale
