"""Helpers of the conformal regressor and the interval metrics (no TensorFlow).

Coverage is always a fraction in (0, 1): 0.9 asks for intervals that hold
the true value nine times in ten. Nothing here imports TensorFlow.
"""

import math
from numbers import Real

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import _num_samples

from skseq.forecasting import forecast as _point_forecast
from skseq.windowing import SequenceWindower

# Guards the ceilings below against float error: (19 + 1) * 0.95 is
# 19.000000000000004 in floating point, whose ceiling would ask for a 20th
# score that does not exist.
_EPS = 1e-9


def check_coverage(coverage, name="coverage", allow_list=False):
    """Return ``coverage`` as a 1-D float array, or raise naming the value.

    Parameters
    ----------
    coverage : float or sequence of float
        Fraction(s) in the open interval (0, 1).
    name : str, default="coverage"
        Parameter name for the message.
    allow_list : bool, default=False
        Whether a sequence of fractions is accepted.

    Returns
    -------
    coverages : ndarray of shape (n_coverages,)
        The fractions, float64.
    """
    values = coverage
    if allow_list and not isinstance(coverage, Real | str) and np.ndim(coverage) == 1:
        values = list(coverage)
        if not values:
            raise InvalidParameterError(
                f"{name} must be a fraction in (0, 1) or a non-empty list of them, "
                "got an empty list."
            )
    else:
        values = [coverage]
    for value in values:
        ok = isinstance(value, Real) and not isinstance(value, bool | np.bool_)
        if not ok or not 0 < value < 1:
            hint = ""
            if ok and 1 < value < 100:
                hint = f" (for {value:g}% pass {value / 100:g})"
            kinds = " or a list of them" if allow_list else ""
            raise InvalidParameterError(
                f"{name} must be a fraction in (0, 1){kinds}, such as 0.9 for "
                f"intervals that hold 90% of the values; got {value!r}{hint}."
            )
    return np.asarray(values, dtype=np.float64)


def scores_needed(coverage):
    """Fewest calibration scores for which the finite-sample quantile exists.

    The interval at coverage ``c`` is the ``ceil((n + 1) c)``-th smallest of
    ``n`` scores, which exists only when ``n >= c / (1 - c)`` (9 at 0.9, 19
    at 0.95).
    """
    return max(1, math.ceil(coverage / (1 - coverage) - _EPS))


def check_enough_scores(n_scores, coverages, context):
    """Raise a ValueError if ``n_scores`` is too few for any of ``coverages``."""
    needed = max(scores_needed(c) for c in np.atleast_1d(coverages))
    if n_scores < needed:
        raise ValueError(
            f"Too few calibration residuals for coverage={_show(coverages)}: "
            f"{context} gives {n_scores}, and the finite-sample quantile needs at "
            f"least {needed}. Use a larger calibration_size, a longer series or a "
            "lower coverage."
        )


def conformal_quantile(scores, level):
    """The ``ceil((n + 1) level)``-th smallest of each column of ``scores``.

    Parameters
    ----------
    scores : ndarray of shape (n_scores, n_columns)
        Conformity scores, one column per step ahead. NaN marks a missing
        score; each column's ``n`` counts its scores that are not NaN.
    level : ndarray of shape (n_columns, n_levels)
        Coverage per column and level. A level whose rank exceeds ``n``
        gives ``inf`` (an unbounded interval, as adaptive conformal inference
        asks for when its target level reaches 1); a rank below 1 gives 0.

    Returns
    -------
    quantiles : ndarray of shape (n_columns, n_levels)
    """
    ordered = np.sort(scores, axis=0)  # NaN sorts last
    n = np.sum(~np.isnan(ordered), axis=0)[:, np.newaxis]
    rank = np.ceil((n + 1) * np.asarray(level) - _EPS).astype(np.int64)
    inside = np.clip(rank, 1, max(len(ordered), 1)) - 1
    columns = np.arange(ordered.shape[1])[:, np.newaxis]
    picked = ordered[inside, columns] if len(ordered) else np.zeros(rank.shape)
    return np.where(rank > n, np.inf, np.where(rank < 1, 0.0, picked))


def count_scores(scores):
    """Fewest scores of any column (NaN marks a missing score)."""
    return int(np.min(np.sum(~np.isnan(scores), axis=0)))


def window_scale(windows):
    """Each window's scale: the mean absolute change between its steps.

    It is the error of naive persistence inside the window, so it grows with
    the level on a multiplicative series (airline) and needs no positive
    values; a window of one step uses its absolute value.

    Parameters
    ----------
    windows : ndarray of shape (n_windows, window_length)
        First feature of each window.

    Returns
    -------
    scale : ndarray of shape (n_windows,)
    """
    windows = np.asarray(windows, dtype=np.float64)
    if windows.shape[1] < 2:
        return np.abs(windows[:, 0])
    return np.mean(np.abs(np.diff(windows, axis=1)), axis=1)


def _show(coverages):
    values = np.atleast_1d(coverages)
    if len(values) == 1:
        return f"{values[0]:g}"
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def window_predictions(estimator, X):
    """First feature of the windows with known targets, targets, predictions.

    Goes through the public ``series_targets`` of the final regressor, as
    :func:`skseq.scoring.series_predictions` does.
    """
    final = estimator
    if isinstance(estimator, Pipeline):
        X = estimator[:-1].transform(X)
        final = estimator[-1]
    windows, y_true = final.series_targets(X)
    return windows[:, :, 0], y_true, final.predict(windows)


def prediction_windows(estimator, X):
    """First feature of every window ``estimator.predict(X)`` predicts from."""
    if isinstance(estimator, Pipeline):
        X = estimator[:-1].transform(X)
    return first_feature(X)


def recursive_paths(estimator, windows, steps):
    """Recursive forecasts of ``steps`` from each window, as ``skseq.forecast``.

    Each round predicts ``horizon`` values from every window at once and
    appends all of them before the window slides, exactly as
    :func:`skseq.forecast` does for one series.
    """
    window_length = windows.shape[1]
    direct = (
        isinstance(estimator, Pipeline)
        and len(estimator.steps) == 2
        and isinstance(estimator[0], SequenceWindower)
    )
    if not direct:  # other pipelines: one forecast per origin
        return np.stack([_point_forecast(estimator, w, steps) for w in windows])
    final = estimator[-1]
    paths = windows.copy()
    while paths.shape[1] - window_length < steps:
        window = paths[:, -window_length:, np.newaxis]
        predicted = as_columns(final.predict(window))
        paths = np.hstack([paths, predicted])
    return paths[:, window_length : window_length + steps]


def find_windower(estimator):
    if not isinstance(estimator, Pipeline):
        return None
    for _, step in estimator.steps:
        if isinstance(step, SequenceWindower):
            return step
    return None


# Normalized scores divide by a window's scale, but never by less than this
# fraction of a typical one (the calibration windows' median scale; on a
# panel, the series' scale). A flat or nearly flat window (intermittent
# demand, a calm spell, a short window's one or two changes) would otherwise
# turn its error into a huge score, and the quantile of those scores into
# intervals many times too wide everywhere else. Measured by
# benchmarks/bench_interval_scores.py (naive forecasts, 90% intervals, 30
# repetitions): with a floor of 1e-3, intermittent demand at windows 2-4 gave
# normalized intervals 82-350 times wider than absolute ones at about the
# same coverage; with 0.5, 1.01-1.36 times, and a stationary AR(1) at
# window 2 1.67 times instead of 3.35.
SCALE_FLOOR = 0.5


def scale_floor(scale, windows):
    """The least divisor of a normalized score: half a typical window's scale.

    In the data's units: the median scale, else the mean (most windows
    flat), else a thousandth of the windows' mean absolute value (every
    window flat), and 1 only for windows of zeros.
    """
    scale = np.asarray(scale, dtype=np.float64)
    for typical in (np.median(scale), np.mean(scale)) if len(scale) else ():
        if typical > 0:
            return SCALE_FLOOR * float(typical)
    level = float(np.mean(np.abs(windows))) if np.size(windows) else 0.0
    return 1e-3 * level if level > 0 else 1.0


def n_held_out(calibration_size, n_rows):
    """Rows held out at the end of a series of ``n_rows`` rows.

    A count is capped at the series' length (a panel's series is then too
    short to calibrate on, and skipped); a fraction is rounded up.
    """
    if isinstance(calibration_size, int | np.integer):
        return min(int(calibration_size), n_rows)
    return int(np.ceil(calibration_size * n_rows - 1e-9))


def take_rows(data, start, stop):
    return _safe_indexing(data, slice(start, stop))


def final_step(estimator):
    return estimator[-1] if isinstance(estimator, Pipeline) else estimator


def slice_params(params, n_values, stop):
    """Fit parameters with one value per sample (weights) cut to the head."""
    return {
        key: take_rows(value, 0, stop) if per_sample(value, n_values) else value
        for key, value in params.items()
    }


def per_sample(value, n_values):
    if isinstance(value, str) or not hasattr(value, "__len__"):
        return False
    try:
        return _num_samples(value) == n_values
    except TypeError:
        return False


def first_feature(X):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        return X[:, np.newaxis]
    return X[:, :, 0] if X.ndim == 3 else X


def as_columns(values):
    values = np.asarray(values, dtype=np.float64)
    return values.reshape(len(values), -1)
