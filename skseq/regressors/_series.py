"""Series mode: the targets of consecutive windows come from the windows."""

import numpy as np


def series_targets(X, estimator_name):
    """Split consecutive windows into training windows and their targets.

    ``X`` holds the windows of one series, ``X[i]`` being steps
    ``i .. i + k - 1``. The value that follows window ``i`` is the last step of
    window ``i + 1``, so ``y[i] = X[i + 1, -1, 0]`` (first feature) and the
    last window, whose next value is unknown, is dropped::

        series    s0 s1 s2 s3 s4          (window_length k = 2)
        X[0]     [s0 s1]   -> y[0] = s2
        X[1]        [s1 s2]   -> y[1] = s3
        X[2]           [s2 s3]   -> y[2] = s4
        X[3]              [s3 s4]   -> no target (forecast of s5)

    Windows that do not overlap like this cannot come from one series; they
    raise rather than train on misaligned targets.
    """
    n_windows, window_length = X.shape[:2]
    if n_windows < 2:
        raise ValueError(
            f"Series mode (y=None) needs at least two consecutive windows, got "
            f"n_windows={n_windows}: the targets are the values that follow each "
            "window. Use a longer series or pass y."
        )
    if window_length > 1 and not _consecutive(X):
        raise ValueError(
            f"{estimator_name} requires y to be passed, but the target y is None "
            "and X is not a sequence of consecutive windows of one series "
            "(X[i + 1, :-1] must equal X[i, 1:]). Series mode (y=None) derives "
            "targets from windows made by SequenceWindower; for other data pass y."
        )
    return X[:-1], np.asarray(X[1:, -1, 0], dtype=np.float64)


def _consecutive(X, chunk=65536):
    # Compared chunk by chunk so that the windows of a long series (a view)
    # are never materialised as a whole.
    for start in range(0, len(X) - 1, chunk):
        block = X[start : start + chunk + 1]
        if not np.array_equal(block[1:, :-1], block[:-1, 1:]):
            return False
    return True
