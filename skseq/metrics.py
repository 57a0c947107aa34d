"""How good are prediction intervals: coverage, width and proper scores.

Coverage alone rewards intervals that are too wide, width alone rewards
intervals that are too narrow; judge both, or a proper score that weighs
them: the Winkler (interval) score and the pinball loss of the bounds.
Every function takes ``y_interval`` of shape ``y_true.shape + (2,)``, lower
then upper, as :meth:`~skseq.ConformalRegressor.predict_interval` returns
it. :func:`make_interval_scorer` turns them into scorers for
``cross_validate`` and ``GridSearchCV``, also in series mode (``y=None``).
"""

import numpy as np

from skseq._intervals import check_coverage
from skseq.conformal import series_intervals

__all__ = [
    "empirical_coverage",
    "make_interval_scorer",
    "mean_width",
    "pinball_loss",
    "winkler_score",
]


def empirical_coverage(y_true, y_interval):
    """Fraction of true values inside their interval, bounds included.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_interval : array-like of shape ``y_true.shape + (2,)``
        Lower and upper bounds.

    Returns
    -------
    coverage : float
        In [0, 1]; compare it with the coverage asked, within its binomial
        band ``sqrt(c (1 - c) / n)``.

    Examples
    --------
    >>> from skseq.metrics import empirical_coverage
    >>> empirical_coverage([1.0, 2.0, 5.0], [[0, 2], [1, 3], [0, 4]])
    0.666...
    """
    y_true, lower, upper = _check(y_true, y_interval)
    return float(np.mean((lower <= y_true) & (y_true <= upper)))


def mean_width(y_interval):
    """Mean distance between the bounds.

    Parameters
    ----------
    y_interval : array-like of shape (n_samples, 2) or (n_samples, n_outputs, 2)
        Lower and upper bounds.

    Returns
    -------
    width : float
        In the units of the series.

    Examples
    --------
    >>> from skseq.metrics import mean_width
    >>> mean_width([[0, 2], [1, 3], [0, 4]])
    2.666...
    """
    y_interval = np.asarray(y_interval, dtype=np.float64)
    if y_interval.ndim < 2 or y_interval.shape[-1] != 2:
        raise ValueError(
            "y_interval must have a last axis of length 2 (lower, upper); got "
            f"shape {y_interval.shape}."
        )
    return float(np.mean(y_interval[..., 1] - y_interval[..., 0]))


def winkler_score(y_true, y_interval, coverage):
    """Mean Winkler (interval) score: width plus a penalty for each miss.

    For an interval ``[l, u]`` at coverage ``c`` (``a = 1 - c``), the score
    of a true value ``y`` is ``u - l + (2 / a) * (l - y)`` below the
    interval, ``u - l + (2 / a) * (y - u)`` above it and ``u - l`` inside.
    Lower is better; it is a proper score for the ``a / 2`` and
    ``1 - a / 2`` quantiles.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_interval : array-like of shape ``y_true.shape + (2,)``
        Lower and upper bounds.
    coverage : float
        The coverage the intervals were made for, in (0, 1).

    Returns
    -------
    score : float
        In the units of the series.

    Examples
    --------
    >>> from skseq.metrics import winkler_score
    >>> round(winkler_score([1.0, 5.0], [[0, 2], [0, 4]], coverage=0.8), 1)
    8.0
    """
    return float(np.mean(winkler_losses(y_true, y_interval, coverage)))


def winkler_losses(y_true, y_interval, coverage):
    """The Winkler score of each value, shaped as ``y_true``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_interval : array-like of shape ``y_true.shape + (2,)``
        Lower and upper bounds.
    coverage : float
        The coverage the intervals were made for, in (0, 1).

    Returns
    -------
    losses : ndarray of the shape of ``y_true``
        Per value, as :func:`winkler_score` averages them.
    """
    alpha = 1 - check_coverage(coverage)[0]
    y_true, lower, upper = _check(y_true, y_interval)
    below = np.maximum(lower - y_true, 0)
    above = np.maximum(y_true - upper, 0)
    return upper - lower + (2 / alpha) * (below + above)


def pinball_loss(y_true, y_quantile, quantile):
    """Mean pinball (quantile) loss of a predicted quantile.

    ``quantile * (y - q)`` when ``y >= q``, ``(1 - quantile) * (q - y)``
    otherwise; scikit-learn's ``mean_pinball_loss`` with ``alpha=quantile``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_quantile : array-like of the same shape
        Predicted quantile, such as an interval's lower bound.
    quantile : float
        Which quantile, in (0, 1): the lower bound of a 0.9 interval is the
        0.05 quantile, its upper bound the 0.95 quantile.

    Returns
    -------
    loss : float
        Lower is better.

    Examples
    --------
    >>> from skseq.metrics import pinball_loss
    >>> float(pinball_loss([1.0, 3.0], [2.0, 2.0], quantile=0.9))
    0.5
    """
    quantile = check_coverage(quantile, name="quantile")[0]
    y_true = np.asarray(y_true, dtype=np.float64)
    y_quantile = np.asarray(y_quantile, dtype=np.float64)
    if y_true.shape != y_quantile.shape:
        raise ValueError(
            f"y_true has shape {y_true.shape} and y_quantile {y_quantile.shape}; "
            "they must match."
        )
    diff = y_true - y_quantile
    return float(np.mean(np.maximum(quantile * diff, (quantile - 1) * diff)))


_SCORERS = {
    "coverage": 1.0,
    "neg_mean_width": -1.0,
    "neg_winkler": -1.0,
    "neg_pinball": -1.0,
}


def make_interval_scorer(metric, *, coverage=None):
    """A scorer of a :class:`~skseq.ConformalRegressor`'s intervals.

    With ``y=None`` (series mode) the targets are the values that follow
    each window of ``X``, as for :func:`~skseq.make_series_scorer`; with a
    ``y`` the intervals of ``predict_interval(X)`` are scored against it.

    Parameters
    ----------
    metric : {"coverage", "neg_mean_width", "neg_winkler", "neg_pinball"}
        ``"coverage"``: :func:`empirical_coverage`; the others are negated
        so that greater is better, as scikit-learn's ``neg_*`` scorers:
        :func:`mean_width`, :func:`winkler_score` and the mean
        :func:`pinball_loss` of the two bounds (quantiles ``a / 2`` and
        ``1 - a / 2``).
    coverage : float, default=None
        Coverage of the scored intervals; None uses each estimator's
        ``coverage``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import TimeSeriesSplit, cross_validate
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import ConformalRegressor, NaiveRegressor, SequenceWindower
    >>> from skseq.metrics import make_interval_scorer
    >>> series = np.sin(np.arange(300) / 4)
    >>> cr = ConformalRegressor(make_pipeline(SequenceWindower(4), NaiveRegressor()))
    >>> scoring = {"coverage": make_interval_scorer("coverage"),
    ...            "winkler": make_interval_scorer("neg_winkler")}
    >>> result = cross_validate(cr, series, cv=TimeSeriesSplit(2), scoring=scoring)
    >>> result["test_coverage"].shape
    (2,)
    """
    if metric not in _SCORERS:
        raise ValueError(f"metric must be one of {sorted(_SCORERS)}, got {metric!r}.")
    if coverage is not None:
        check_coverage(coverage)
    return _IntervalScorer(metric, coverage)


class _IntervalScorer:
    def __init__(self, metric, coverage):
        self.metric = metric
        self.coverage = coverage

    def __call__(self, estimator, X, y=None, **kwargs):
        coverage = estimator.coverage if self.coverage is None else self.coverage
        if y is None:
            y_true, _, _, intervals = series_intervals(estimator, X, coverage)
        else:
            y_true = np.asarray(y, dtype=np.float64)
            intervals = estimator.predict_interval(X, coverage=coverage)
        return _SCORERS[self.metric] * _interval_metric(
            self.metric, y_true, intervals, coverage
        )

    def __repr__(self):
        return f"make_interval_scorer({self.metric!r}, coverage={self.coverage!r})"


def _interval_metric(metric, y_true, intervals, coverage):
    if metric == "coverage":
        return empirical_coverage(y_true, intervals)
    if metric == "neg_mean_width":
        return mean_width(intervals)
    if metric == "neg_winkler":
        return winkler_score(y_true, intervals, coverage)
    alpha = 1 - coverage
    lower = pinball_loss(y_true, intervals[..., 0], alpha / 2)
    upper = pinball_loss(y_true, intervals[..., 1], 1 - alpha / 2)
    return (lower + upper) / 2


def _check(y_true, y_interval):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_interval = np.asarray(y_interval, dtype=np.float64)
    if y_interval.shape != y_true.shape + (2,):
        raise ValueError(
            f"y_interval must have shape y_true.shape + (2,) = {y_true.shape + (2,)} "
            f"(lower, upper); got {y_interval.shape}."
        )
    return y_true, y_interval[..., 0], y_interval[..., 1]
