"""One model per series: the local counterpart of a global panel model."""

import warnings

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils.validation import check_is_fitted

from skseq._panel import name_series

__all__ = ["PerSeries"]


class PerSeries(MetaEstimatorMixin, BaseEstimator):
    """Fit one clone of a panel pipeline per series ("local" models).

    A global model (one network over every series) is worth its name only
    if it beats the same model fitted to each series alone. ``PerSeries``
    gives that comparison in the same calls: it takes a panel pipeline
    (its :class:`~skseq.SequenceWindower` has an ``id_column``), fits a
    clone of it on each series' rows, and scores, predicts and forecasts
    each series with its own clone, so that it works in
    :func:`~skseq.compare`, :func:`~skseq.forecast`, ``cross_validate`` and
    ``GridSearchCV`` (with :func:`~skseq.make_series_scorer`).

    Parameters
    ----------
    estimator : Pipeline
        A panel pipeline: a :class:`~skseq.SequenceWindower` with an
        ``id_column``, then a series-mode regressor.
    n_jobs : int, default=None
        Series fitted in parallel through joblib; None means 1.

    Attributes
    ----------
    estimators_ : dict
        The fitted clone of each series, by id.
    skipped_ : list
        The ids of the series too short (fewer rows than ``window_length``
        plus ``horizon``) to fit a clone on; they are left out of
        predictions, scores and forecasts, with a warning in fit.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import NaiveRegressor, PerSeries, SequenceWindower, forecast
    >>> panel = pd.DataFrame({"unique_id": ["a"] * 5 + ["b"] * 5,
    ...                       "ds": list(range(5)) * 2,
    ...                       "y": [1., 2, 3, 4, 5, 10, 20, 30, 40, 50]})
    >>> window = SequenceWindower(2, id_column="unique_id", time_column="ds",
    ...                           target_column="y")
    >>> local = PerSeries(make_pipeline(window, NaiveRegressor())).fit(panel)
    >>> forecast(local, panel, steps=1)
      unique_id  ds     y
    0         a   5   5.0
    1         b   5  50.0
    """

    def __init__(self, estimator, n_jobs=None):
        self.estimator = estimator
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        """Fit one clone of ``estimator`` on each series of the panel ``X``.

        Parameters
        ----------
        X : DataFrame
            The long panel.
        y : None
            Ignored (series mode).

        Returns
        -------
        self : PerSeries
            The fitted wrapper.
        """
        if y is not None:
            raise ValueError("PerSeries works in series mode: fit(panel) with y=None.")
        parts = self._parts(X)
        windower = self._windower()
        final = self.estimator[-1] if hasattr(self.estimator, "steps") else None
        needed = windower.window_length + int(
            getattr(final, "get_params", dict)().get("horizon", 1)
        )
        short = [key for key, rows in parts.items() if len(rows) < needed]
        if len(short) == len(parts):
            raise ValueError(
                f"Every series has fewer than {needed} rows (window_length plus "
                "horizon): PerSeries has nothing to fit."
            )
        if short:
            warnings.warn(
                f"{len(short)} series have fewer than {needed} rows (window_length "
                f"plus horizon) and get no model: {name_series(short)}. They are "
                "left out of predictions, scores and forecasts.",
                UserWarning,
                stacklevel=2,
            )
        skip = set(short)
        kept = {key: rows for key, rows in parts.items() if key not in skip}
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_one)(self.estimator, rows) for rows in kept.values()
        )
        self.estimators_ = dict(zip(kept, fitted, strict=True))
        self.skipped_ = short
        return self

    def __sklearn_is_fitted__(self):
        return hasattr(self, "estimators_")

    def predict(self, X):
        """Predictions of every window of every series, each by its own clone.

        Parameters
        ----------
        X : DataFrame
            The long panel; every series in it must have been seen in fit.

        Returns
        -------
        y_pred : ndarray
            Each series' window predictions, series in sorted id order.
        """
        return np.concatenate([model.predict(rows) for model, rows in self._each(X)])

    def score(self, X, y=None):
        """R² over the scored targets of every series, each by its own clone.

        Parameters
        ----------
        X : DataFrame
            The long panel.
        y : None
            Ignored (series mode).

        Returns
        -------
        score : float
            R² of the pooled predictions.
        """
        from sklearn.metrics import r2_score

        from skseq.scoring import series_predictions

        check_is_fitted(self)
        y_true, y_pred, _ = series_predictions(self, X)
        return r2_score(y_true, y_pred)

    def _windower(self):
        from skseq.compare import _windower_of

        windower = _windower_of(self.estimator)
        if windower.id_column is None:
            raise ValueError(
                "PerSeries needs a pipeline whose SequenceWindower has an id_column."
            )
        return windower

    def _parts(self, X):
        if not isinstance(X, pd.DataFrame):
            raise TypeError(
                f"PerSeries takes a long DataFrame, got {type(X).__name__}."
            )
        id_column = self._windower().id_column
        if id_column not in X.columns:
            raise ValueError(f"Unknown column(s) [{id_column!r}] (the id_column).")
        groups = X.groupby(id_column, sort=True, observed=True).indices
        return {key: X.iloc[rows] for key, rows in groups.items()}

    def _clone_for(self, series_id):
        try:
            return self.estimators_[series_id]
        except KeyError:
            raise ValueError(
                f"Series {series_id!r} was not seen in fit: PerSeries has one model "
                "per series it was fitted on."
            ) from None

    def _each(self, X):
        """(fitted clone, rows) of each series in ``X`` that has a model."""
        check_is_fitted(self)
        skipped = set(getattr(self, "skipped_", ()))
        return [
            (self._clone_for(i), rows)
            for i, rows in self._parts(X).items()
            if i not in skipped
        ]


def _fit_one(estimator, rows):
    return clone(estimator).fit(rows)
