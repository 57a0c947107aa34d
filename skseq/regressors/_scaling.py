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

    def fit(self, data):
        data = np.asarray(data, dtype=np.float64)
        n_features = 1 if data.ndim == 1 else data.shape[-1]
        self.mean_ = np.zeros(n_features)
        self.scale_ = np.ones(n_features)
        if self.method is None:
            return self
        flat = data.reshape(-1, n_features)
        # Divide by the largest magnitude first so that values near 1e300
        # do not overflow when squared.
        magnitude = np.max(np.abs(flat), axis=0)
        magnitude[magnitude == 0] = 1.0
        self.mean_ = flat.mean(axis=0)
        scale = (flat / magnitude).std(axis=0) * magnitude
        constant = np.ptp(flat, axis=0) == 0
        scale[constant | ~np.isfinite(scale) | (scale == 0)] = 1.0
        self.scale_ = scale
        return self

    def transform(self, data):
        data = np.asarray(data, dtype=np.float64)
        mean, scale = self._broadcastable(data)
        return ((data - mean) / scale).astype(np.float32)

    def inverse_transform(self, data):
        data = np.asarray(data, dtype=np.float64)
        mean, scale = self._broadcastable(data)
        return data * scale + mean

    def _broadcastable(self, data):
        if data.ndim == 1:
            return self.mean_[0], self.scale_[0]
        return self.mean_, self.scale_
