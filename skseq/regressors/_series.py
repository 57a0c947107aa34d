"""Series mode: the targets of consecutive windows come from the windows."""

import numpy as np


class SeriesWindows:
    """The training windows of one series, kept as the series itself.

    ``X`` holds the windows of one series, ``X[i]`` being steps
    ``i .. i + k - 1``. The value that follows window ``i`` is the last step of
    window ``i + 1``, so the target of window ``i`` is ``X[i + 1, -1, 0]``
    (first feature) and the last window, whose next value is unknown, is not
    trained on::

        series    s0 s1 s2 s3 s4          (window_length k = 2)
        X[0]     [s0 s1]   -> y[0] = s2
        X[1]        [s1 s2]   -> y[1] = s3
        X[2]           [s2 s3]   -> y[2] = s4
        X[3]              [s3 s4]   -> no target (forecast of s5)

    Only the series (``n + k - 1`` steps) is stored: training gathers each
    batch of windows from it, so the ``n x k`` windows of a long series are
    never materialised.

    Parameters
    ----------
    series : ndarray of shape (n_steps, n_features)
        The series rebuilt from the windows.
    window_length : int
        Steps per window.
    """

    def __init__(self, series, window_length):
        self.series = series
        self.window_length = window_length
        self.n_windows = len(series) - window_length  # windows with a target

    @classmethod
    def from_windows(cls, X, estimator_name):
        """Rebuild the series from consecutive windows, or raise."""
        n_windows, window_length = X.shape[:2]
        if n_windows < 2:
            raise ValueError(
                "Series mode (y=None) needs at least two consecutive windows, got "
                f"n_windows={n_windows}: the targets are the values that follow "
                "each window. Use a longer series or pass y."
            )
        if window_length > 1 and not _consecutive(X):
            raise ValueError(
                f"{estimator_name} requires y to be passed, but the target y is "
                "None and X is not a sequence of consecutive windows of one series "
                "(X[i + 1, :-1] must equal X[i, 1:]). Series mode (y=None) derives "
                "targets from windows made by SequenceWindower; for other data "
                "pass y."
            )
        return cls(np.concatenate([X[:, 0], X[-1, 1:]]), window_length)

    @property
    def windows(self):
        """Read-only view of the training windows, (n_windows, k, n_features)."""
        view = np.lib.stride_tricks.sliding_window_view(
            self.series[:-1], self.window_length, axis=0
        )
        return view.transpose(0, 2, 1)

    @property
    def targets(self):
        """The value of the first feature that follows each training window."""
        return np.asarray(self.series[self.window_length :, 0], dtype=np.float64)

    def step_counts(self):
        """How many training windows hold each step of the series (last excluded)."""
        steps = np.arange(len(self.series) - 1)
        last = self.n_windows - 1
        first_window = np.maximum(0, steps - self.window_length + 1)
        return np.minimum(steps, last) - first_window + 1


def _consecutive(X, chunk=65536):
    # Compared chunk by chunk so that the windows of a long series (a view)
    # are never materialised as a whole.
    for start in range(0, len(X) - 1, chunk):
        block = X[start : start + chunk + 1]
        if not np.array_equal(block[1:, :-1], block[:-1, 1:]):
            return False
    return True
