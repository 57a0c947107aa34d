"""Scorers that work in series mode, where ``y`` is None."""

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import get_scorer, make_scorer
from sklearn.pipeline import Pipeline

from skseq._panel import PanelWindows

__all__ = ["make_series_scorer", "series_predictions"]


def make_series_scorer(metric, *, greater_is_better=True, **kwargs):
    """Turn a metric into a scorer that derives its targets from the series.

    scikit-learn's named scorers call the metric with the ``y`` given to
    ``score``; in series mode that is None and the score table comes out
    all NaN. The returned scorer, when ``y`` is None, takes the windows the
    pipeline makes from ``X``, uses the value that follows each window as
    the true target, and scores the predictions for those windows. With a
    ``y`` it behaves as the plain scorer.

    Parameters
    ----------
    metric : str or callable
        A scikit-learn scorer name such as ``"neg_mean_absolute_error"``, or
        a metric ``metric(y_true, y_pred, **kwargs)``.
    greater_is_better : bool, default=True
        For a callable metric: whether higher values are better (if False
        the scorer returns the negated metric, as ``make_scorer`` does).
    **kwargs : dict
        Extra arguments for a callable metric.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None)``, usable as ``scoring=`` in
        ``cross_validate`` and ``GridSearchCV``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import TimeSeriesSplit, cross_val_score
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import DenseRegressor, SequenceWindower, make_series_scorer
    >>> series = np.sin(np.arange(60) / 3)
    >>> pipe = make_pipeline(SequenceWindower(4),
    ...                      DenseRegressor(epochs=2, random_state=0))
    >>> scores = cross_val_score(pipe, series, cv=TimeSeriesSplit(2),
    ...     scoring=make_series_scorer("neg_mean_absolute_error"))
    >>> scores.shape, bool(np.all(scores <= 0))
    ((2,), True)
    """
    if isinstance(metric, str):
        base = get_scorer(metric)
    elif callable(metric):
        base = make_scorer(metric, greater_is_better=greater_is_better, **kwargs)
    else:
        raise TypeError(
            f"metric must be a scorer name or a callable metric, got {metric!r}"
        )
    return _SeriesScorer(base)


def series_predictions(estimator, X):
    """Return ``(y_true, y_pred, last_values)`` of a fitted series-mode model.

    Parameters
    ----------
    estimator : Pipeline or regressor
        A fitted pipeline ending in a skseq regressor, or the regressor.
    X : array-like
        What the pipeline takes: a series for a windowing pipeline.

    Returns
    -------
    y_true : ndarray of shape (n_targets,) or (n_targets, horizon)
        The value(s) that follow each window whose targets are known.
    y_pred : ndarray of the same shape
        The model's predictions for those windows.
    last_values : ndarray of the same shape
        Each window's last value (first feature): naive persistence.
    """
    if hasattr(estimator, "_each"):  # one model per series
        parts = [series_predictions(m, rows) for m, rows in estimator._each(X)]
        return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))
    if isinstance(estimator, Pipeline):
        X = estimator[:-1].transform(X)
        estimator = estimator[-1]
    windows, y_true = estimator.series_targets(X)
    if isinstance(windows, PanelWindows):
        naive = windows.last_values()
    else:
        naive = windows[:, -1, 0]
    if y_true.ndim == 2:  # horizon > 1: persistence repeats the last value
        naive = np.repeat(naive[:, np.newaxis], y_true.shape[1], axis=1)
    return y_true, estimator.predict(windows), naive


def panel_predictions(estimator, X, season_length=1):
    """Targets, predictions and references of a fitted model on a panel.

    Returns a dict with ``y_true``, ``y_pred``, ``naive`` (each window's last
    value) and ``seasonal`` (the value one season before each target, from
    the window's history: seasonal naive; the last value where the history
    is shorter than a season), each (n_targets, horizon), and ``series`` (the
    id of each target's series) and ``panel`` (the scored windows).
    """
    if hasattr(estimator, "_each"):  # one model per series
        parts = [
            panel_predictions(m, rows, season_length) for m, rows in estimator._each(X)
        ]
        merged = {
            key: np.concatenate([p[key] for p in parts])
            for key in ("y_true", "y_pred", "naive", "seasonal", "series")
        }
        return {**merged, "panel": [p["panel"] for p in parts]}
    final = estimator
    if isinstance(estimator, Pipeline):
        X = estimator[:-1].transform(X)
        final = estimator[-1]
    windows, y_true = final.series_targets(X)
    y_pred = np.asarray(final.predict(windows), dtype=np.float64)
    y_true = y_true.reshape(len(y_true), -1)
    y_pred = y_pred.reshape(len(y_pred), -1)
    horizon = y_true.shape[1]
    origin = windows.starts + windows.window_length - 1
    first = windows.bounds[windows.series, 0]
    steps = np.arange(1, horizon + 1)
    back = origin[:, None] + steps - season_length * np.ceil(steps / season_length)
    back = back.astype(np.int64)
    back = np.where(back >= first[:, None], back, origin[:, None])
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "naive": np.repeat(windows.last_values()[:, None], horizon, axis=1),
        "seasonal": windows.values[back, 0],
        "series": windows.ids[windows.series],
        "panel": windows,
    }


class _SeriesScorer:
    def __init__(self, base):
        self.base = base

    def __call__(self, estimator, X, y=None, **kwargs):
        if y is not None:
            return self.base(estimator, X, y, **kwargs)
        y_true, y_pred, _ = series_predictions(estimator, X)
        return self.base(_Predicted(y_pred), None, y_true, **kwargs)

    def __repr__(self):
        return f"make_series_scorer({self.base!r})"


class _Predicted(RegressorMixin, BaseEstimator):
    """Stands in for a regressor whose predictions are already known."""

    def __init__(self, y_pred):
        self.y_pred = y_pred

    def predict(self, X):
        return self.y_pred
