"""Naive forecasting baselines that fit in the same pipelines as the networks.

A network is only worth its training time if it beats the forecasts that
need none. :class:`NaiveRegressor` repeats the last value of each window
(persistence); :class:`SeasonalNaiveRegressor` repeats the value one season
earlier. Both take windows like :class:`~skseq.DenseRegressor` and
:class:`~skseq.RNNRegressor`, including series mode (``fit(X, y=None)``
after :class:`~skseq.SequenceWindower`), so they can sit in the same
``Pipeline``, ``GridSearchCV`` or :func:`~skseq.compare` call. They learn
nothing and do not import TensorFlow.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval

from skseq._series import SeriesRegressorMixin
from skseq._validation import reject_bool_params

__all__ = ["NaiveRegressor", "SeasonalNaiveRegressor"]


class _SeriesModel(SeriesRegressorMixin, RegressorMixin, BaseEstimator):
    """Checks, fitted test and tags of the models without a network.

    Shared by the baselines and the classical models (:mod:`skseq.classical`):
    integer parameters refuse bools, ``n_outputs_`` marks a fitted model,
    and their tags say that scikit-learn's generic regression problem (no
    series in it) is not theirs to score well on.
    """

    _int_params = ()

    def _validate_params(self):
        # Called by _fit_context: bools first (Interval(Integral) takes True
        # as 1), then the declared constraints.
        reject_bool_params(self, [p for p in self._int_params if p in vars(self)])
        super()._validate_params()

    def __sklearn_is_fitted__(self):
        return hasattr(self, "n_outputs_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # They model the series, not a regression on window values: on
        # scikit-learn's random regression problem they cannot reach R² > 0.5.
        tags.regressor_tags.poor_score = True
        return self._series_tags(tags)


class _BaselineRegressor(_SeriesModel):
    """Shared ``fit``, parameter checks and tags of the baselines."""

    _parameter_constraints = {
        "horizon": [Interval(Integral, 1, None, closed="left")],
    }
    _int_params = ("horizon",)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the windows and targets; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_length[, n_features])
            Windows of consecutive steps, oldest first (2-D means one feature).
        y : array-like of shape (n_windows,) or (n_windows, n_outputs), default=None
            Targets, only checked and used for the shape of the predictions.
            If None (series mode), ``X`` must be the consecutive windows of
            one series, as :class:`~skseq.SequenceWindower` makes them, and
            each window's target is the value that follows it (the next
            ``horizon`` values with ``horizon > 1``).

        Returns
        -------
        self : object
            The fitted regressor.
        """
        # A failed refit must leave the estimator unfitted, not half old and
        # half new (the window shape would be the new one, the outputs old).
        vars(self).pop("n_outputs_", None)
        X = self._validate_windows(X, reset=True)
        self._check_window_length(X.shape[1])
        y = self._training_data(X, y).y
        self._y_ndim = y.ndim
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        return self

    def _check_window_length(self, window_length):
        """Raise if windows of this length cannot be forecast from."""

    def _predict(self, windows):
        windows = np.asarray(windows)  # a panel's windows, gathered
        steps_ahead = np.arange(1, self.n_outputs_ + 1)
        y = windows[:, self._positions(windows.shape[1], steps_ahead), 0]
        y = y.astype(np.float64)  # a new array, also for float32 windows
        return y[:, 0] if self._y_ndim == 1 else y

    def _positions(self, window_length, steps_ahead):
        """Index in the window of the value that forecasts each step ahead."""
        raise NotImplementedError


class NaiveRegressor(_BaselineRegressor):
    """Persistence forecast: each window's last value.

    For a window holding steps ``t - k + 1 .. t``, the forecast of every step
    ``t + h`` is the value at step ``t`` (first feature). On a random walk
    this is the best forecast there is; a model that cannot beat it has
    learned nothing about the series.

    Parameters
    ----------
    horizon : int, default=1
        In series mode (``y=None``), the number of following values each
        window predicts. With an explicit ``y`` of ``m`` columns, predictions
        have ``m`` columns (``m`` must then equal ``horizon`` if
        ``horizon > 1``), each repeating the last value.

    Attributes
    ----------
    n_features_in_ : int
        ``window_length`` of the windows seen in fit (the second axis of
        ``X``), as scikit-learn counts features.

    n_outputs_ : int
        Number of values predicted per window.

    See Also
    --------
    SeasonalNaiveRegressor : The value one season earlier.
    skseq.compare : Its ``skill`` column is relative to this forecast.

    Notes
    -----
    ``fit`` only validates the data (series mode needs consecutive windows
    of one series, as for the networks); predictions depend on the windows
    alone. Predictions are float64 arrays of shape ``(n_windows,)`` for
    ``horizon=1`` in series mode or a 1-D ``y``, ``(n_windows, n_outputs_)``
    otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import Pipeline
    >>> from skseq import SequenceWindower
    >>> from skseq.baselines import NaiveRegressor
    >>> series = np.arange(10.0)
    >>> pipe = Pipeline([("window", SequenceWindower(window_length=3)),
    ...                  ("model", NaiveRegressor())]).fit(series)
    >>> print(pipe.predict(series))
    [2. 3. 4. 5. 6. 7. 8. 9.]
    >>> pipe.set_params(model__horizon=2).fit(series).predict(series)[-2:]
    array([[8., 8.],
           [9., 9.]])
    """

    def __init__(self, horizon=1):
        self.horizon = horizon

    def _positions(self, window_length, steps_ahead):
        return np.full(len(steps_ahead), window_length - 1)


class SeasonalNaiveRegressor(_BaselineRegressor):
    """Seasonal persistence: the value one season before each forecast step.

    For a window holding steps ``t - k + 1 .. t``, the forecast of step
    ``t + h`` is the value (first feature) at step
    ``t + h - season_length * ceil(h / season_length)``: the same moment of
    the last season seen. With ``season_length=1`` this is
    :class:`NaiveRegressor`.

    Parameters
    ----------
    season_length : int, default=12
        Steps per season (12 for monthly data with a yearly cycle). Windows
        must hold at least ``season_length`` steps.
    horizon : int, default=1
        In series mode (``y=None``), the number of following values each
        window predicts. With an explicit ``y`` of ``m`` columns, column
        ``j`` is taken as the forecast ``j + 1`` steps ahead (``m`` must
        equal ``horizon`` if ``horizon > 1``).

    Attributes
    ----------
    n_features_in_ : int
        ``window_length`` of the windows seen in fit (the second axis of
        ``X``), as scikit-learn counts features.

    n_outputs_ : int
        Number of values predicted per window.

    See Also
    --------
    NaiveRegressor : The last value of each window.

    Notes
    -----
    ``fit`` only validates the data and raises a ``ValueError`` if
    ``window_length < season_length``; predictions depend on the windows
    alone. Predictions are float64 arrays of shape ``(n_windows,)`` for
    ``horizon=1`` in series mode or a 1-D ``y``, ``(n_windows, n_outputs_)``
    otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import Pipeline
    >>> from skseq import SequenceWindower
    >>> from skseq.baselines import SeasonalNaiveRegressor
    >>> series = np.array([1.0, 5, 3, 2, 7, 5, 3, 9])
    >>> pipe = Pipeline([("window", SequenceWindower(window_length=3)),
    ...                  ("model", SeasonalNaiveRegressor(season_length=2))])
    >>> print(pipe.fit(series).predict(series))
    [5. 3. 2. 7. 5. 3.]
    >>> pipe.set_params(model__horizon=3).fit(series).predict(series)[-1]
    array([3., 9., 3.])
    """

    _parameter_constraints = {
        **_BaselineRegressor._parameter_constraints,
        "season_length": [Interval(Integral, 1, None, closed="left")],
    }
    _int_params = ("season_length", "horizon")

    def __init__(self, season_length=12, *, horizon=1):
        self.season_length = season_length
        self.horizon = horizon

    def _check_window_length(self, window_length):
        if window_length < self.season_length:
            raise ValueError(
                f"{type(self).__name__} needs window_length >= season_length="
                f"{self.season_length}, got window_length={window_length}: the "
                "value one season before each forecast step must be in the "
                "window. Use longer windows or a shorter season_length."
            )

    def _positions(self, window_length, steps_ahead):
        seasons_back = -(-steps_ahead // self.season_length)  # ceil(h / s)
        return window_length - 1 + steps_ahead - self.season_length * seasons_back
