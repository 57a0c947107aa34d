"""Standardize windows and targets with statistics from the training data."""

import numpy as np


class Standardizer:
    """Center and scale each feature (last axis) to unit variance.

    Statistics are taken over every axis but the last, so windows of shape
    ``(n, window_length, n_features)`` share one mean and scale per feature
    across samples and time steps. A constant feature keeps scale 1 (nothing
    is divided by zero). With ``method=None`` it passes data through.
    """

    def __init__(self, method="standard"):
        self.method = method

    def fit(self, data, weights=None):
        """Learn mean and scale; ``weights`` count each row of a 2-D ``data``.

        A series with the number of windows that hold each step as weights
        gives the same statistics as its windows, without making them.
        """
        data = np.asarray(data)
        n_features = 1 if data.ndim == 1 else data.shape[-1]
        self.mean_ = np.zeros(n_features)
        self.scale_ = np.ones(n_features)
        if self.method is None:
            return self
        flat = data.reshape(-1, n_features).astype(np.float64, copy=False)
        # Divide by the largest magnitude first so that values near 1e300
        # do not overflow when squared.
        magnitude = np.max(np.abs(flat), axis=0)
        magnitude[magnitude == 0] = 1.0
        unit = flat / magnitude
        mean = np.average(unit, axis=0, weights=weights)
        scale = np.sqrt(np.average((unit - mean) ** 2, axis=0, weights=weights))
        self.mean_ = mean * magnitude
        scale = scale * magnitude
        constant = np.ptp(flat, axis=0) == 0
        scale[constant | ~np.isfinite(scale) | (scale == 0)] = 1.0
        self.scale_ = scale
        return self

    def transform(self, data):
        """Return standardized ``data`` as float32, the dtype Keras trains in."""
        data = np.asarray(data, dtype=np.float64)
        mean, scale = self._broadcastable(data)
        return ((data - mean) / scale).astype(np.float32)

    def inverse_transform(self, data):
        """Return ``data`` in the original units, float64."""
        data = np.asarray(data, dtype=np.float64)
        mean, scale = self._broadcastable(data)
        return data * scale + mean

    def _broadcastable(self, data):
        if data.ndim == 1:
            return self.mean_[0], self.scale_[0]
        return self.mean_, self.scale_
