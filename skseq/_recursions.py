"""Fitted classical models as plain recursions that can run past their data.

:mod:`skseq.classical` fits statsmodels models once, then keeps only what
forecasting needs: the state after every training step and the matrices
that move it on. Forecasts from any step of the training series, or from
new values that follow it, then need neither statsmodels nor a refit, and
the fitted estimator pickles as a few numpy arrays.
"""

import numpy as np


class StateSpaceRecursion:
    """A linear Gaussian state-space model fitted by statsmodels.

    ``y_t = d_t + Z a_t + e_t`` and ``a_{t+1} = c + T a_t + R u_t``, with
    ``d_t`` at most linear in ``t`` (ARIMA's constant or drift). ``states[j]``
    is the predicted state ``a_{j|j-1}`` after ``j`` training values, as the
    Kalman filter of the fitted results computed it (exact diffuse start
    included); past the training end the filter is continued here.
    """

    def __init__(self, results):
        filtered = results.filter_results
        if filtered.design.shape[-1] != 1 or filtered.transition.shape[-1] != 1:
            raise ValueError("only time-invariant state-space models are supported")
        self.design = np.array(filtered.design[0, :, 0])
        self.transition = np.array(filtered.transition[:, :, 0])
        self.state_intercept = np.array(filtered.state_intercept[:, 0])
        selection = filtered.selection[:, :, 0]
        self.state_noise = selection @ filtered.state_cov[:, :, 0] @ selection.T
        self.obs_var = float(filtered.obs_cov[0, 0, 0])
        intercept = np.asarray(filtered.obs_intercept, dtype=np.float64)[0]
        self.intercept = float(intercept[0])
        self.drift = float(intercept[1] - intercept[0]) if len(intercept) > 1 else 0.0
        steps = np.arange(len(intercept))
        if not np.allclose(intercept, self.intercept + self.drift * steps):
            raise ValueError("the observation intercept must be linear in time")
        self.states = np.array(filtered.predicted_state.T)  # (n + 1, k)
        self.last_cov = np.array(filtered.predicted_state_cov[:, :, -1])
        self.n = self.states.shape[0] - 1

    def continue_states(self, values):
        """Filter rows of values that follow the training series.

        ``values`` has shape ``(m, L)``: ``m`` continuations of length ``L``.
        Returns the predicted states after each value, ``(m, L, k)``. The
        covariance recursion does not depend on the data, so one pass
        serves every row.
        """
        Z, T, c = self.design, self.transition, self.state_intercept
        m, length = values.shape
        a = np.repeat(self.states[-1][np.newaxis], m, axis=0)
        P = self.last_cov
        out = np.empty((m, length, len(Z)))
        for j in range(length):
            innovation = values[:, j] - a @ Z - self._intercept(self.n + j)
            F = Z @ P @ Z + self.obs_var
            gain = T @ P @ Z / F
            a = a @ T.T + c + np.outer(innovation, gain)
            P = T @ P @ T.T + self.state_noise - np.outer(gain, gain) * F
            P = (P + P.T) / 2
            out[:, j] = a
        return out

    def forecast(self, states, origins, horizon):
        """``horizon`` forecasts from states ``a_{p+1|p}`` at positions ``p``."""
        out = np.empty((len(states), horizon))
        a = states
        for h in range(horizon):
            out[:, h] = a @ self.design + self._intercept(origins + 1 + h)
            a = a @ self.transition.T + self.state_intercept
        return out

    def _intercept(self, step):
        return self.intercept + self.drift * np.asarray(step, dtype=np.float64)


class ThetaRecursion:
    """The Theta method as statsmodels' ``ThetaModel`` fits and forecasts it.

    Simple exponential smoothing of the deseasonalised series, started at
    its first value, plus the drift ``b0`` weighted by ``1 - 1/theta``; the
    forecast from ``t`` observed values is
    ``level_t + w b0 (h - 1 + 1/alpha - (1 - alpha)^t / alpha)``,
    reseasonalised with the seasonal index of the forecast step.
    """

    def __init__(self, results, series, theta, period):
        model = results.model
        self.alpha = float(results.params["alpha"])
        self.b0 = float(results.params["b0"])
        self.weight = (theta - 1) / theta
        self.multiplicative = model.method.startswith("mul")
        seasonal = np.asarray(results._seasonal, dtype=np.float64)
        self.seasonal = seasonal if model.deseasonalize and len(seasonal) else None
        self.period = period
        z = self._deseasonalise(series[np.newaxis], 0)[0]
        levels = self._smooth(z[np.newaxis], z[:1])[0]
        self.states = np.concatenate([[np.nan], levels])[:, np.newaxis]
        self.n = len(series)

    def continue_states(self, values):
        z = self._deseasonalise(values, self.n)
        start = np.full(len(values), self.states[-1, 0])
        return self._smooth(z, start)[:, :, np.newaxis]

    def forecast(self, states, origins, horizon):
        h = np.arange(horizon, dtype=np.float64)
        seen = (origins + 1)[:, np.newaxis]
        if self.alpha > 0:
            h = h + 1 / self.alpha - (1 - self.alpha) ** seen / self.alpha
        out = states[:, :1] + self.weight * self.b0 * h
        if self.seasonal is None:
            return out
        index = (seen + np.arange(horizon)) % self.period
        if self.multiplicative:
            return out * self.seasonal[index]
        return out + self.seasonal[index]

    def _deseasonalise(self, values, start):
        if self.seasonal is None:
            return values
        index = (start + np.arange(values.shape[1])) % self.period
        if self.multiplicative:
            return values / self.seasonal[index]
        return values - self.seasonal[index]

    def _smooth(self, z, start):
        levels = np.empty_like(z)
        level = np.asarray(start, dtype=np.float64)
        for j in range(z.shape[1]):
            level = self.alpha * z[:, j] + (1 - self.alpha) * level
            levels[:, j] = level
        return levels


def align(sequence, train, window_length, recursion):
    """Where ``sequence`` starts in the training series, or ``len(train)``.

    A sequence whose first values (at least one window, or all of it if
    shorter) equal a stretch of the training series, up to the training
    end or to its own end, is taken to be that stretch; of several such
    places the one with the longest overlap wins, then the latest. A shorter
    overlap with the training end counts too if the window's later values
    are the model's own forecasts from there (a recursive forecast feeding
    its predictions back). Any other sequence is taken to follow the
    training series directly.
    """
    n, length = len(train), len(sequence)
    needed = min(window_length, length)
    best, best_overlap = n, 0
    for start in np.flatnonzero(train == sequence[0]):
        overlap = min(length, n - start)
        if overlap < best_overlap:
            continue
        if not np.array_equal(train[start : start + overlap], sequence[:overlap]):
            continue
        if overlap < needed and not _fed_back(recursion, sequence[overlap:needed]):
            continue
        best, best_overlap = int(start), overlap
    return best


def _fed_back(recursion, values):
    """Whether ``values`` are the model's forecasts from the training end."""
    n = recursion.n
    own = recursion.forecast(recursion.states[-1:], np.array([n - 1]), len(values))
    return np.array_equal(own[0], values)


def forecasts(recursion, train, sequence, ends, window_length, horizon):
    """Forecasts after positions ``ends`` of ``sequence``, shape (len(ends), H).

    ``sequence`` is placed where :func:`align` puts it; the values that
    follow the training end continue the training recursion. A sequence
    made only of the model's own forecasts from the training end (the later
    steps of a recursive forecast) continues after the forecasts before it.
    """
    n = len(train)
    start = align(sequence, train, window_length, recursion)
    ends = np.asarray(ends)
    if start == n:
        lead = _lead(recursion, sequence[: min(window_length, len(sequence))])
        if lead is not None:
            sequence = np.concatenate([lead, sequence])
            ends = ends + len(lead)
    origins = start + ends
    states = recursion.states[np.minimum(origins + 1, n)]
    beyond = origins >= n
    if beyond.any():
        tail = sequence[n - start :][np.newaxis]
        continued = recursion.continue_states(tail)[0]
        states[beyond] = continued[origins[beyond] - n]
    return recursion.forecast(states, origins, horizon)


def window_forecasts(recursion, train, windows, horizon):
    """Forecasts after each window of ``windows`` (m, k), aligned one by one.

    Windows that follow the training series are filtered together.
    """
    m, k = windows.shape
    out = np.empty((m, horizon))
    starts = np.array([align(w, train, k, recursion) for w in windows])
    own = _own_forecasts(recursion, k)
    follow = (starts == len(train)) & ~np.isin(windows[:, 0], own)
    if follow.any():
        states = recursion.continue_states(windows[follow])[:, -1]
        origins = np.full(follow.sum(), len(train) + k - 1)
        out[follow] = recursion.forecast(states, origins, horizon)
    for i in np.flatnonzero(~follow):
        out[i] = forecasts(recursion, train, windows[i], [k - 1], k, horizon)[0]
    return out


# A recursive forecast is recognised up to this many steps past the end.
_FED_BACK_STEPS = 1000


def _own_forecasts(recursion, length):
    n = recursion.n
    steps = _FED_BACK_STEPS + length
    return recursion.forecast(recursion.states[-1:], np.array([n - 1]), steps)[0]


def _lead(recursion, values):
    """The own forecasts before ``values``, if ``values`` continue them."""
    own = _own_forecasts(recursion, len(values))
    for j in np.flatnonzero(own[:_FED_BACK_STEPS] == values[0]):
        if j and np.array_equal(own[j : j + len(values)], values):
            return own[:j]
    return None
