"""The ridge regression a network's forecast is blended with (``ridge_weight``).

A linear model of the same windows: each window and its targets measured
against the window's mean, standardized with the training statistics, plus
the window's level (``scaling="mean+level"``), regressed with a ridge
penalty chosen by generalised cross-validation. It needs no training loop:
the sums it takes are gathered chunk by chunk, so a long series is never
scaled whole.
"""

import numpy as np

from skseq._scaling import WindowScaler, _chunks

# Penalties tried, on inputs and targets the scaling has standardized.
PENALTIES = np.logspace(-3, 3, 25)
METHOD = "mean+level"
# Values per chunk of windows (0.5 MB): scaling one makes a few copies of it,
# and the network's own training data stays the largest thing in memory.
_CHUNK_VALUES = 2**16


class RidgeForecast:
    """A ridge regression of scaled targets on scaled windows.

    Parameters
    ----------
    n_known : int
        The windows' last ``n_known`` channels are future-known values.
    """

    def __init__(self, n_known=0):
        self.n_known = n_known

    def fit(self, data):
        """Fit to a :class:`~skseq._series.WindowData`'s windows and targets."""
        self.scaler_ = WindowScaler(METHOD, self.n_known)
        windows, targets = data.windows, data.targets
        self.scaler_.fit(windows, targets)
        self.n_values_ = windows.shape[2] - self.n_known
        sums = None
        for start, part in _chunks(windows, _CHUNK_VALUES):
            stop = start + len(part)
            inputs = self._inputs(part)
            scaled = self.scaler_.transform_targets(
                targets[start:stop], part, dtype=np.float64
            )
            w = (
                np.ones(len(inputs))
                if data.sample_weight is None
                else np.asarray(data.sample_weight[start:stop], dtype=np.float64)
            )
            weighted = inputs * w[:, None]
            part_sums = [
                w.sum(),
                np.count_nonzero(w),
                w @ inputs,
                w @ scaled,
                weighted.T @ inputs,
                weighted.T @ scaled,
                np.sum(w @ (scaled * scaled)),
            ]
            sums = (
                part_sums
                if sums is None
                else [a + b for a, b in zip(sums, part_sums, strict=True)]
            )
        total, n_rows, sum_x, sum_y, gram, cross, yy = sums
        mean_x, mean_y = sum_x / total, sum_y / total
        gram = gram - total * np.outer(mean_x, mean_x)
        cross = cross - total * np.outer(mean_x, mean_y)
        yy = yy - total * (mean_y @ mean_y)
        self.coef_, self.penalty_ = _gcv_ridge(gram, cross, yy, n_rows)
        self.intercept_ = mean_y - mean_x @ self.coef_
        return self

    def predict(self, windows):
        """Forecasts in the user's units, float64, (n, n_outputs); chunk by chunk."""
        out = []
        for _, part in _chunks(windows, _CHUNK_VALUES):
            scaled = self._inputs(part) @ self.coef_ + self.intercept_
            out.append(self.scaler_.inverse_targets(scaled, part))
        if not out:
            return np.zeros((0, len(self.intercept_)))
        return np.concatenate(out)

    def _inputs(self, windows):
        """Each step's values, step by step, then the last step's level and
        known channels: (n, window_length * n_values + the rest)."""
        scaled = self.scaler_.transform(windows, dtype=np.float64)
        n = len(scaled)
        return np.concatenate(
            [
                scaled[:, :, : self.n_values_].reshape(n, -1),
                scaled[:, -1, self.n_values_ :],
            ],
            axis=1,
        )


def _gcv_ridge(gram, cross, yy, n_rows):
    """Coefficients and penalty of the centred ridge fit with the lowest
    generalised cross-validation error, from its sums of squares."""
    eigenvalues, vectors = np.linalg.eigh(gram)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    projected = vectors.T @ cross

    def coefficients(penalty):
        return vectors @ (projected / (eigenvalues + penalty)[:, None])

    best = None
    for penalty in PENALTIES:
        coef = coefficients(penalty)
        rss = yy - 2 * np.sum(coef * cross) + np.sum(coef * (gram @ coef))
        dof = np.sum(eigenvalues / (eigenvalues + penalty)) + 1  # + 1: the intercept
        if dof >= n_rows:
            continue
        score = max(rss, 0.0) / (1 - dof / n_rows) ** 2
        if best is None or score < best[0]:
            best = (score, penalty)
    # As many inputs as windows leaves no penalty scored: the strongest.
    penalty = PENALTIES[-1] if best is None else best[1]
    return coefficients(penalty), penalty
