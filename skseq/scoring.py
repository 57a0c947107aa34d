"""Scorers that work in series mode, where ``y`` is None."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import get_scorer, make_scorer
from sklearn.pipeline import Pipeline

from skseq._panel import PanelWindows

__all__ = ["make_series_scorer", "series_predictions"]


def make_series_scorer(metric, *, greater_is_better=True, last=None, **kwargs):
    """Turn a metric into a scorer that derives its targets from the series.

    scikit-learn's named scorers call the metric with the ``y`` given to
    ``score``; in series mode that is None and the score table comes out
    all NaN. The returned scorer, when ``y`` is None, takes the windows the
    pipeline makes from ``X``, uses the value that follows each window as
    the true target, and scores the predictions for those windows. With a
    ``y`` it behaves as the plain scorer.

    A test part's first ``window_length`` values are inputs only, so by
    default a longer window is scored on fewer, later targets. With
    ``last=n`` only the last ``n`` targets of each test part are scored,
    the same values for every window length: give the splitter test parts
    of at least ``n`` plus the longest window searched, as in
    ``TimeSeriesSplit(n_splits=2, test_size=n + 24)`` for windows up to 24.

    Parameters
    ----------
    metric : str or callable
        A scikit-learn scorer name such as ``"neg_mean_absolute_error"``, or
        a metric ``metric(y_true, y_pred, **kwargs)``.
    greater_is_better : bool, default=True
        For a callable metric: whether higher values are better (if False
        the scorer returns the negated metric, as ``make_scorer`` does).
    last : int, default=None
        Score only the last ``last`` targets of each test part (one series,
        in series mode; with ``horizon`` H, the last ``last`` windows whose
        H targets are known). A test part with fewer targets raises a
        ``ValueError`` (in ``GridSearchCV``: a NaN score with that message
        as a warning, unless ``error_score="raise"``). None scores every
        target; with a ``y`` given, every row is scored.
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

    Windows of 2 and 8 values scored on the same last 10 values of each
    test part (naive persistence does not depend on the window, so both
    score the same):

    >>> from sklearn.model_selection import GridSearchCV
    >>> from skseq import NaiveRegressor
    >>> pipe = make_pipeline(SequenceWindower(2), NaiveRegressor())
    >>> search = GridSearchCV(pipe, {"sequencewindower__window_length": [2, 8]},
    ...     cv=TimeSeriesSplit(2, test_size=18),
    ...     scoring=make_series_scorer("neg_mean_absolute_error", last=10))
    >>> scores = search.fit(series).cv_results_["mean_test_score"]
    >>> bool(scores[0] == scores[1])
    True
    """
    if isinstance(metric, str):
        base = get_scorer(metric)
    elif callable(metric):
        base = make_scorer(metric, greater_is_better=greater_is_better, **kwargs)
    else:
        raise TypeError(
            f"metric must be a scorer name or a callable metric, got {metric!r}"
        )
    if last is not None and (
        isinstance(last, bool) or not isinstance(last, Integral) or last < 1
    ):
        raise ValueError(f"last must be an int >= 1 or None, got {last!r}.")
    return _SeriesScorer(base, None if last is None else int(last))


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
    return _predictions(estimator, X)[:3]


def _predictions(estimator, X):
    """``series_predictions``, and whether they came from many series."""
    if hasattr(estimator, "_each"):  # one model per series
        parts = [series_predictions(m, rows) for m, rows in estimator._each(X)]
        arrays = (np.concatenate(a) for a in zip(*parts, strict=True))
        return (*arrays, True)
    if isinstance(estimator, Pipeline):
        X = estimator[:-1].transform(X)
        estimator = estimator[-1]
    windows, y_true = estimator.series_targets(X)
    panel = isinstance(windows, PanelWindows)
    naive = windows.last_values() if panel else windows[:, -1, 0]
    if y_true.ndim == 2:  # horizon > 1: persistence repeats the last value
        naive = np.repeat(naive[:, np.newaxis], y_true.shape[1], axis=1)
    return y_true, estimator.predict(windows), naive, panel


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
    def __init__(self, base, last=None):
        self.base = base
        self.last = last

    def __call__(self, estimator, X, y=None, **kwargs):
        if y is not None:
            return self.base(estimator, X, y, **kwargs)
        y_true, y_pred, _, panel = _predictions(estimator, X)
        if self.last is not None:
            if panel:
                raise ValueError(
                    "make_series_scorer(last=...) scores one series; on a panel, "
                    "PanelTimeSeriesSplit gives each test part its history, so "
                    "every window length is scored on the same targets without it."
                )
            if len(y_true) < self.last:
                raise ValueError(
                    f"last={self.last}: the test part has only {len(y_true)} "
                    "targets for this window length; give the splitter test "
                    "parts of at least last plus the longest window_length "
                    "(and horizon - 1)."
                )
            y_true, y_pred = y_true[-self.last :], y_pred[-self.last :]
        return self.base(_Predicted(y_pred), None, y_true, **kwargs)

    def __repr__(self):
        last = "" if self.last is None else f", last={self.last}"
        return f"make_series_scorer({self.base!r}{last})"


class _Predicted(RegressorMixin, BaseEstimator):
    """Stands in for a regressor whose predictions are already known."""

    def __init__(self, y_pred):
        self.y_pred = y_pred

    def predict(self, X):
        return self.y_pred
