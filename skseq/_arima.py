"""The automatic order search of :class:`~skseq.ARIMARegressor`."""

from numbers import Integral

import numpy as np


def check_order(name, order):
    """Raise unless ``order`` is three non-negative ints."""
    if len(order) != 3 or not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 0 for v in order
    ):
        raise ValueError(
            f"{name} must be a tuple of three non-negative ints, got {order!r}."
        )


def trend(differences):
    """A constant without differencing, a drift with one difference."""
    return {0: "c", 1: "t"}.get(differences, "n")


def differences(series, season):
    """``[((0, d, 0), (0, D, 0))]``: the differencing the search keeps.

    One seasonal difference if the STL seasonal strength exceeds 0.64, then
    up to two differences while KPSS (5%) rejects stationarity.
    """
    from statsmodels.tsa.seasonal import STL
    from statsmodels.tsa.stattools import kpss

    seasonal_diff = 0
    if season and len(series) >= 2 * season + 1:
        parts = STL(series, period=season).fit()
        remainder = np.var(parts.resid)
        strength = 1 - remainder / max(np.var(parts.seasonal + parts.resid), 1e-300)
        seasonal_diff = int(strength > 0.64)
    x = series[season:] - series[:-season] if seasonal_diff else series
    diff = 0
    while diff < 2 and len(x) > 10 and np.ptp(x) > 0:
        if kpss(x, regression="c", nlags="auto")[1] >= 0.05:
            break
        x, diff = np.diff(x), diff + 1
    return [((0, diff, 0), (0, seasonal_diff, 0))]


def search(fit, differences, season):
    """Lowest AIC: the seasonal (P, Q) first with (p, q) = (1, 1), then (p, q).

    Two stages of 3 and 5 fits instead of all 18 pairs: seasonal ARIMA fits
    take up to a second each.
    """
    (_, d, _), (_, sd, _) = differences[0]
    seasonal_pq = [(0, 0), (1, 0), (0, 1)] if season else [(0, 0)]
    fitted = {}

    def aic(p, q, sp, sq):
        key = (p, q, sp, sq)
        if key not in fitted:
            fitted[key] = fit((p, d, q), (sp, sd, sq))
        result = fitted[key]
        return np.inf if result is None else result.aic

    sp, sq = min(seasonal_pq, key=lambda pq: aic(1, 1, *pq))
    pq = [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]
    p, q = min(pq, key=lambda pq: aic(*pq, sp, sq))
    return fitted[p, q, sp, sq]
