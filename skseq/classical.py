"""Classical forecasting models (statsmodels) as series-mode regressors.

A network is worth its training time only if it beats what a forecaster
reaches for first: exponential smoothing, ARIMA and the Theta method.
:class:`ETSRegressor`, :class:`ARIMARegressor` and :class:`ThetaRegressor`
take the windows a :class:`~skseq.SequenceWindower` makes, like the networks
and the naive baselines, so they sit in the same ``Pipeline``,
``GridSearchCV`` or :func:`~skseq.compare` call. They need statsmodels
(``pip install 'skseq[stats]'``), imported only when they are fitted.

What ``predict`` forecasts from
-------------------------------
``fit`` rebuilds the series from the consecutive windows and fits the model
to it once. ``predict(X)`` rebuilds the series from the windows it is given
and runs the fitted model over it, with the fitted parameters and no refit;
row ``i`` forecasts the value(s) after window ``i`` from the values up to the
end of that window, never later ones:

* Windows of the training series (or of any stretch of it, found by its
  values) continue from the model's state at that point of the training
  series: predicting the training windows gives the in-sample one-step-ahead
  forecasts, and the last window of the training series forecasts what
  follows it.
* Any other windows are taken to follow the training series directly, as a
  test fold of ``TimeSeriesSplit`` follows its training fold: the model's
  state at the training end is updated with their values. So a test fold is
  forecast one step at a time with the model fitted on the training fold,
  and its first ``window_length`` values only serve as history.
* Windows that are not consecutive are forecast one by one, each as above.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval

from skseq import _arima
from skseq._recursions import (
    StateSpaceRecursion,
    ThetaRecursion,
    forecasts,
    window_forecasts,
)
from skseq._series import _consecutive
from skseq.baselines import _SeriesModel

__all__ = ["ARIMARegressor", "ETSRegressor", "ThetaRegressor"]

_NUMBERS = {2: "two", 4: "four"}


class _ClassicalRegressor(_SeriesModel):
    """Shared ``fit``, ``predict``, checks and tags of the classical models."""

    _parameter_constraints = {
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "horizon": [Interval(Integral, 1, None, closed="left")],
    }
    _int_params = ("season_length", "horizon")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to the series the windows were cut from.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_length[, n_features])
            Consecutive windows of one series, oldest first, as
            :class:`~skseq.SequenceWindower` makes them. Only the first
            feature is modelled.
        y : array-like of shape (n_windows,) or (n_windows, n_outputs), default=None
            If None (series mode), each window's target is the value(s) that
            follow it. If given, rows must be in time order with ``y[i, 0]``
            the value after window ``i``: the model is fitted to the first
            window followed by ``y[:, 0]`` (and the last row's later
            columns), which is the series itself for
            :func:`~skseq.make_windows` output.

        Returns
        -------
        self : object
            The fitted regressor.
        """
        vars(self).pop("n_outputs_", None)
        self._check_params()
        X = self._validate_windows(X, reset=True)
        data = self._training_data(X, y)
        if y is None:
            series = data.source[:, 0]
        else:
            targets = data.targets
            series = np.concatenate([X[0, :, 0], targets[:, 0], targets[-1, 1:]])
        series = np.asarray(series, dtype=np.float64)
        name = type(self).__name__
        needed = self._min_length()
        if len(series) < needed:
            raise ValueError(
                f"{name} needs a series of at least {needed} values "
                f"{self._min_length_reason()}, got {len(series)} (from "
                f"n_samples={len(X)} windows of window_length={X.shape[1]}). Use "
                "a longer series or a shorter season_length."
            )
        if np.ptp(series) == 0:
            raise ValueError(
                f"{name} cannot fit a constant series (every value is "
                f"{series[0]!r}); NaiveRegressor forecasts it exactly."
            )
        _import_statsmodels(name)
        with warnings.catch_warnings():
            # statsmodels warns about starting values, missing dates and
            # optimizer steps; convergence is checked and reported below.
            warnings.simplefilter("ignore")
            try:
                results = self._fit_series(series)
            except (np.linalg.LinAlgError, ValueError, IndexError) as error:
                raise ValueError(f"{name} could not fit the series: {error}") from error
        converged = getattr(results, "mle_retvals", None) or {}
        if not converged.get("converged", True):
            warnings.warn(
                f"{name}: the likelihood optimizer did not converge on this series; "
                "the fitted parameters (params_) may be poor. A longer series or "
                "a simpler model (e.g. no season) usually helps.",
                ConvergenceWarning,
                stacklevel=3,
            )
        self._train = series
        self._y_ndim = data.y.ndim
        self.params_ = _named_params(results)
        self.n_outputs_ = 1 if data.y.ndim == 1 else data.y.shape[1]
        return self

    def _predict(self, windows):
        values = np.asarray(windows[:, :, 0], dtype=np.float64)
        n_windows, k = values.shape
        if n_windows > 1 and _consecutive(windows):
            sequence = np.concatenate([values[:, 0], values[-1, 1:]])
            ends = np.arange(k - 1, k - 1 + n_windows)
            y = forecasts(
                self._recursion, self._train, sequence, ends, k, self.n_outputs_
            )
        else:
            y = window_forecasts(self._recursion, self._train, values, self.n_outputs_)
        return y[:, 0] if self._y_ndim == 1 else y

    # The shortest series a fit takes: with a season, two seasons and
    # ``_spare`` more steps; without one, ``_plain_minimum`` (``_plain_reason``).
    _spare, _plain_minimum, _plain_reason = 0, 10, ""

    def _min_length(self):
        if self._seasonal():
            return 2 * self.season_length + self._spare
        return self._plain_minimum

    def _min_length_reason(self):
        if not self._seasonal():
            return f"({self._plain_reason})"
        more = f" and {_NUMBERS[self._spare]} more" if self._spare else ""
        return f"(two seasons of season_length={self.season_length}{more})"

    def _seasonal(self):
        return self.season_length is not None and self.season_length > 1

    def _check_params(self):
        """Checks of parameter combinations, before any data is read."""


class ETSRegressor(_ClassicalRegressor):
    """Exponential smoothing (Holt-Winters ETS) fitted to the series.

    The additive-error state-space form of exponential smoothing
    (statsmodels' ``statespace.ExponentialSmoothing``), by default with a
    damped additive trend, and an additive season when ``season_length`` is
    given. Smoothing parameters, damping and initial states are estimated
    by maximum likelihood. See the module docstring for what ``predict``
    forecasts from.

    Parameters
    ----------
    season_length : int, default=None
        Steps per season (12 for monthly data with a yearly cycle); None or
        1 fits no season. A season needs a series of ``2 * season_length +
        2`` values at least.
    trend : bool, default=True
        Whether the model has a trend.
    damped_trend : bool, default=True
        Whether the trend is damped (flattens out over the horizon); only
        with ``trend=True``.
    horizon : int, default=1
        In series mode, the number of following values each window predicts.

    Attributes
    ----------
    params_ : dict of str to float
        The fitted parameters, named as statsmodels names them.
    n_features_in_ : int
        ``window_length`` of the windows seen in fit.
    n_outputs_ : int
        Number of values predicted per window.

    See Also
    --------
    ARIMARegressor : ARIMA with an automatic order.
    ThetaRegressor : The Theta method.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import SequenceWindower
    >>> from skseq.classical import ETSRegressor
    >>> from skseq.datasets import load_airline
    >>> series = load_airline()
    >>> pipe = make_pipeline(SequenceWindower(6), ETSRegressor(12, horizon=3))
    >>> pipe.fit(series).predict(series).shape
    (139, 3)
    """

    _parameter_constraints = {
        **_ClassicalRegressor._parameter_constraints,
        "trend": ["boolean"],
        "damped_trend": ["boolean"],
    }

    def __init__(self, season_length=None, *, trend=True, damped_trend=True, horizon=1):
        self.season_length = season_length
        self.trend = trend
        self.damped_trend = damped_trend
        self.horizon = horizon

    _spare, _plain_minimum = 2, 10
    _plain_reason = "to estimate the smoothing parameters"

    def _fit_series(self, series):
        from statsmodels.tsa.statespace.exponential_smoothing import (
            ExponentialSmoothing,
        )

        model = ExponentialSmoothing(
            series,
            trend=self.trend,
            damped_trend=self.trend and self.damped_trend,
            seasonal=self.season_length if self._seasonal() else None,
        )
        # 50 iterations (the default) often stop a step short on seasonal
        # series; 200 reach the same likelihood with the optimizer converged.
        results = model.fit(disp=False, maxiter=200, cov_type="none")
        self._recursion = StateSpaceRecursion(results)
        self.aic_ = float(results.aic)
        return results


class ARIMARegressor(_ClassicalRegressor):
    """ARIMA fitted to the series, with an automatic order by default.

    statsmodels' ``ARIMA`` (state space, exact likelihood). With
    ``order=None`` the differencing is chosen first, as auto-ARIMA does: one
    seasonal difference if the season is strong (an STL seasonal strength
    above 0.64), then up to two differences while a KPSS test (5%) rejects
    stationarity; then, by the lowest AIC, the seasonal ``(P, Q)`` among
    ``(0, 0), (1, 0), (0, 1)`` with ``(p, q) = (1, 1)``, and ``(p, q)`` with
    ``p + q <= 2`` (8 fits with a season, 6 without). A constant is included
    without differencing and a drift with one difference. See
    the module docstring for what ``predict`` forecasts from.

    Parameters
    ----------
    season_length : int, default=None
        Steps per season; None or 1 fits no seasonal part.
    order : tuple of 3 int, default=None
        ``(p, d, q)``; None chooses it (and the seasonal order) automatically.
    seasonal_order : tuple of 3 int, default=None
        ``(P, D, Q)`` with a given ``order`` and ``season_length``; None
        means ``(0, 0, 0)`` then.
    horizon : int, default=1
        In series mode, the number of following values each window predicts.

    Attributes
    ----------
    order_ : tuple of int
        The ``(p, d, q)`` fitted.
    seasonal_order_ : tuple of int
        The ``(P, D, Q, season_length)`` fitted (zeros without a season).
    params_ : dict of str to float
        The fitted parameters, named as statsmodels names them.
    aic_ : float
        AIC of the fitted model.
    n_features_in_ : int
        ``window_length`` of the windows seen in fit.
    n_outputs_ : int
        Number of values predicted per window.

    See Also
    --------
    ETSRegressor : Exponential smoothing.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import SequenceWindower
    >>> from skseq.classical import ARIMARegressor
    >>> series = np.cumsum(np.random.default_rng(0).normal(size=60))
    >>> pipe = make_pipeline(SequenceWindower(5), ARIMARegressor(order=(1, 1, 0)))
    >>> pipe.fit(series).predict(series).shape
    (56,)
    """

    _parameter_constraints = {
        **_ClassicalRegressor._parameter_constraints,
        "order": [tuple, None],
        "seasonal_order": [tuple, None],
    }

    def __init__(
        self, season_length=None, *, order=None, seasonal_order=None, horizon=1
    ):
        self.season_length = season_length
        self.order = order
        self.seasonal_order = seasonal_order
        self.horizon = horizon

    _spare, _plain_minimum = 4, 10
    _plain_reason = "to estimate the coefficients"

    def _check_params(self):
        if self.order is None:
            if self.seasonal_order is not None:
                raise ValueError(
                    "seasonal_order needs an order: give both, or neither for the "
                    f"automatic choice; got seasonal_order={self.seasonal_order!r}."
                )
            return
        _arima.check_order("order", self.order)
        if self.seasonal_order is not None:
            _arima.check_order("seasonal_order", self.seasonal_order)
            if not self._seasonal() and any(self.seasonal_order):
                raise ValueError(
                    f"seasonal_order={self.seasonal_order!r} needs season_length > "
                    f"1, got season_length={self.season_length!r}."
                )

    def _fit_series(self, series):
        from statsmodels.tsa.arima.model import ARIMA

        season = self.season_length if self._seasonal() else 0
        if self.order is None:
            candidates = _arima.differences(series, season)
        else:
            seasonal = self.seasonal_order or (0, 0, 0)
            candidates = [(tuple(self.order), tuple(seasonal))]

        def fit(order, seasonal):
            model = ARIMA(
                series,
                order=order,
                seasonal_order=(*seasonal, season) if season else (0, 0, 0, 0),
                trend=_arima.trend(order[1] + seasonal[1]),
            )
            try:  # no standard errors: only the likelihood is needed
                results = model.fit(cov_type="none")
            except (np.linalg.LinAlgError, ValueError):
                if self.order is not None:
                    raise
                return None
            return results if np.isfinite(results.aic) else None

        if self.order is not None:
            best = fit(*candidates[0])
        else:
            best = _arima.search(fit, candidates, season)
        if best is None:
            raise ValueError("no ARIMA order of the search could be fitted")
        self.order_ = tuple(int(v) for v in best.model.order)
        self.seasonal_order_ = tuple(int(v) for v in best.model.seasonal_order)
        self.aic_ = float(best.aic)
        self._recursion = StateSpaceRecursion(best)
        return best


class ThetaRegressor(_ClassicalRegressor):
    """The Theta method (statsmodels' ``ThetaModel``) fitted to the series.

    Simple exponential smoothing with a drift of half the series' linear
    trend (``theta=2``, Assimakopoulos & Nikolopoulos 2000, as Hyndman &
    Billah 2003 show it); with ``season_length``, the series is first
    deseasonalised by a classical decomposition if a test finds the season
    (multiplicative for positive series). See the module docstring for what
    ``predict`` forecasts from.

    Parameters
    ----------
    season_length : int, default=None
        Steps per season; None or 1 deseasonalises nothing. A season needs
        a series of ``2 * season_length`` values at least.
    theta : float, default=2.0
        Weight of the trend line: the drift is ``(1 - 1/theta)`` times its
        slope; ``theta=1`` is simple exponential smoothing.
    horizon : int, default=1
        In series mode, the number of following values each window predicts.

    Attributes
    ----------
    params_ : dict of str to float
        ``b0`` (the slope of the trend line) and ``alpha`` (smoothing).
    n_features_in_ : int
        ``window_length`` of the windows seen in fit.
    n_outputs_ : int
        Number of values predicted per window.

    See Also
    --------
    ETSRegressor : Exponential smoothing with a trend and a season.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import SequenceWindower
    >>> from skseq.classical import ThetaRegressor
    >>> series = np.arange(30.0) + np.sin(np.arange(30))
    >>> pipe = make_pipeline(SequenceWindower(4), ThetaRegressor(horizon=2))
    >>> pipe.fit(series).predict(series).shape
    (27, 2)
    """

    _parameter_constraints = {
        **_ClassicalRegressor._parameter_constraints,
        "theta": [Interval(Real, 1, None, closed="left")],
    }

    def __init__(self, season_length=None, *, theta=2.0, horizon=1):
        self.season_length = season_length
        self.theta = theta
        self.horizon = horizon

    _spare, _plain_minimum = 0, 4
    _plain_reason = "to estimate the trend and the smoothing"

    def _fit_series(self, series):
        from statsmodels.tsa.forecasting.theta import ThetaModel

        seasonal = self._seasonal()
        model = ThetaModel(
            series,
            period=self.season_length if seasonal else 1,
            deseasonalize=seasonal,
        )
        results = model.fit()
        self._recursion = ThetaRecursion(
            results, series, float(self.theta), self.season_length or 1
        )
        return results


def _import_statsmodels(name):
    try:
        import statsmodels  # noqa: F401
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            f"{name} needs statsmodels: pip install 'skseq[stats]'"
        ) from error


def _named_params(results):
    params = results.params
    names = getattr(params, "index", None)
    if names is None:
        names = results.model.param_names
    return {str(k): float(v) for k, v in zip(names, np.asarray(params), strict=True)}
