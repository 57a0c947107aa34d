"""Conformal intervals on panels: calibration per series, scores pooled.

A panel pipeline (its :class:`~skseq.SequenceWindower` has an ``id_column``
or other frame columns) is calibrated the way one series is, series by
series: the tail of every series is held out, a clone is fitted on the rows
before, and the held-out targets are predicted from the full frame (the
windower scores only the targets after each series' training end, with the
rows before as context). Series come in different units, so each error is
divided by its series' scale before the errors of all series are pooled;
an interval for series ``j`` is its prediction plus or minus the pooled
quantile times ``scale_j``.

The scale of a series is the mean absolute change between its consecutive
values (the error of naive persistence, as in MASE) over its history: the
rows before its training end (the calibration part in ``fit``, the rows up
to ``series_end_`` when predicting a frame that reaches beyond it, every
row of the frame for a forecast). It is in the series' units, so
multiplying a series by a constant multiplies its intervals and leaves the
other series' alone.

Nothing here imports TensorFlow.
"""

import math
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from skseq._intervals import SCALE_FLOOR, as_columns, n_held_out, window_scale
from skseq._panel import name_series
from skseq.windowing import SequenceWindower


def panel_windower(estimator):
    """The panel-mode windower that starts ``estimator``, or None."""
    if not isinstance(estimator, Pipeline):
        return None
    first = estimator.steps[0][1]
    if isinstance(first, SequenceWindower) and first._panel_mode():
        return first
    return None


def unsupported_panel(estimator):
    """Why ``estimator`` reads panels but cannot be calibrated as one, or None."""
    if hasattr(estimator, "_each"):  # PerSeries
        return (
            "ConformalRegressor pools the errors of one global panel pipeline "
            "across series, but PerSeries fits one model per series. Wrap the "
            "panel pipeline itself: ConformalRegressor(pipe)."
        )
    if isinstance(estimator, Pipeline):
        for position, (name, step) in enumerate(estimator.steps):
            if isinstance(step, SequenceWindower) and step._panel_mode() and position:
                return (
                    f"The panel SequenceWindower ({name!r}) must be the pipeline's "
                    f"first step to calibrate on a panel; it is step {position}."
                )
    return None


def split_panel(frame, windower, calibration_size, horizon):
    """The rows to fit on and the rows to score, per series.

    Returns ``(head, scored, skipped)``: the frame of each calibrated
    series' rows before its held-out tail, the frame of those series' rows
    (the tail scored, with the rows before as context), and the ids of the
    series too short to calibrate on (fewer than ``window_length +
    horizon`` rows before their tail: the clone could not learn from them).
    """
    # Fitting checks the frame and names its columns.
    data = clone(windower).fit(frame)._read_panel(frame)
    needed = windower.window_length + horizon
    head_rows, scored_rows, skipped = [], [], []
    for (a, b), series_id in zip(data.bounds, data.ids, strict=True):
        head = (b - a) - n_held_out(calibration_size, b - a)
        if head < needed:
            skipped.append(series_id)
            continue
        head_rows.append(data.order[a : a + head])
        scored_rows.append(data.order[a:b])
    if not head_rows:
        raise ValueError(
            f"calibration_size={calibration_size!r} leaves no series with "
            f"window_length + horizon = {needed} rows before its held-out tail: "
            "use longer series, a smaller calibration_size or a shorter window."
        )
    head = frame.iloc[np.sort(np.concatenate(head_rows))]
    scored = frame.iloc[np.sort(np.concatenate(scored_rows))]
    return head, scored, skipped


def series_scale(panel, history_only=True):
    """Each series' mean absolute change between consecutive target values.

    With ``history_only``, over its rows before ``scored_from`` when the
    frame reaches beyond its training end (else all its rows); otherwise
    over all its rows. A flat history (no change) falls back to a
    thousandth of its mean absolute value, and a history of zeros (or
    without a finite value) to 1, so that every scale is positive and in
    the series' own units: a floor shared across series would not be.
    """
    scales = np.ones(len(panel.bounds))
    for j, (a, b) in enumerate(panel.bounds):
        stop = b
        if history_only and panel.scored_from[j] > a:
            stop = panel.scored_from[j]
        x = panel.values[a:stop, 0]
        steps = np.abs(np.diff(x))
        steps = steps[np.isfinite(steps)]
        level = np.abs(x[np.isfinite(x)])
        if len(steps) and np.mean(steps) > 0:
            scales[j] = np.mean(steps)
        elif len(level) and np.mean(level) > 0:
            scales[j] = 1e-3 * np.mean(level)
    return scales


def window_panel_scale(panel):
    """The scale of each window of ``panel`` (its own mean absolute change)."""
    return window_scale(np.asarray(panel)[:, :, 0])


def _windows_for_model(pipe, panel):
    """What the final step predicts from: the windows, through middle steps."""
    if len(pipe) > 2:
        return pipe[1:-1].transform(panel)
    return panel


def calibrate(estimator, frame, calibration_size, horizon, fit):
    """Fit a clone on each series' head; its errors on the held-out tails.

    ``fit(clone, frame)`` fits a clone. Returns ``(calibrator, errors,
    panel, scales, windows)``: the fitted clone, the absolute errors
    (n_scores, horizon) of all series, series by series, the windower's
    panel of the scored frame (kept for the recursive calibration), the
    unfloored per-series scales and the scored windows.
    """
    windower = panel_windower(estimator)
    head, scored, skipped = split_panel(frame, windower, calibration_size, horizon)
    if skipped:
        warnings.warn(
            f"{len(skipped)} series are too short to calibrate on (fewer than "
            f"window_length + horizon rows before their held-out tail) and give "
            f"no calibration residuals: {name_series(skipped)}. They are still fitted "
            "on and forecast.",
            UserWarning,
            stacklevel=5,  # calibrate, _fit_panel, fit, sklearn's wrapper, user
        )
    calibrator = fit(clone(estimator), head)
    panel = calibrator[0].transform(scored)
    model = calibrator[-1]
    windows, y_true = model.series_targets(_windows_for_model(calibrator, panel))
    y_pred = as_columns(model.predict(windows))
    errors = np.abs(as_columns(y_true) - y_pred)
    scales = series_scale(panel)
    return calibrator, errors, panel, scales, windows


def scored_scale(windows, scales, conformity_score):
    """The divisor of each window's error: its series' or its own scale.

    ``"normalized"`` uses each window's mean absolute change, floored at
    ``SCALE_FLOOR`` (half) of its series' scale.
    """
    scale = scales[windows.series]
    if conformity_score == "normalized":
        return np.maximum(window_panel_scale(windows), SCALE_FLOOR * scale)
    return scale


def recursive_scores(pipe, panel, steps, scales, conformity_score):
    """Scaled errors of recursive forecasts from every held-out origin.

    Each origin is a window ending at a row before a held-out row of its
    series; the forecast from it runs as :func:`skseq.forecast` does
    (``horizon`` values per round, fed back), and step ``s`` is scored
    where its series has a value ``s`` rows after the origin (NaN
    elsewhere). Returns an array of shape (n_origins, steps).
    """
    model = pipe[-1]
    horizon = int(getattr(model, "horizon", 1))
    k = panel.window_length
    if panel.values.shape[1] > 1:
        raise ValueError(
            f"A recursive forecast (steps={steps} > horizon={horizon}) feeds "
            "predictions back, which needs the target alone; this panel has past "
            "covariates. Train with horizon >= steps for a direct forecast."
        )
    origins, owners = [], []
    for j, (a, b) in enumerate(panel.bounds):
        first = max(int(panel.scored_from[j]), a + k)
        ends = np.arange(first - 1, b - 1)
        origins.append(ends)
        owners.append(np.full(len(ends), j))
    ends, owner = np.concatenate(origins), np.concatenate(owners)
    n_ahead = math.ceil(steps / horizon) * horizon
    length = k + n_ahead
    rows = (ends - k + 1)[:, None] + np.arange(length)
    inside = rows < panel.bounds[owner, 1][:, None]
    safe = np.where(inside, rows, 0)
    values = np.where(inside[..., None], panel.values[safe], np.nan)
    known = np.where(inside[..., None], panel.known[safe], np.nan)
    truth = values[:, k : k + steps, 0].copy()
    scale = scales[owner]
    if conformity_score == "normalized":
        scale = np.maximum(window_scale(values[:, :k, 0]), SCALE_FLOOR * scale)
    values[:, k:, 0] = np.nan
    n = len(ends)
    first_rows = np.arange(n) * length
    bounds = np.stack([first_rows, first_rows + length], axis=1)
    # One short series per origin: its window, then the rows to forecast.
    paths = replace(
        panel,
        values=values.reshape(n * length, -1),
        known=known.reshape(n * length, known.shape[2]),
        bounds=bounds,
        ids=panel.ids[owner],
        times=panel.times[safe].reshape(-1),
        scored_from=first_rows.copy(),
        freqs=(),
    )
    origin = first_rows + k - 1
    for _ in range(n_ahead // horizon):
        windows = _windows_for_model(pipe, replace(paths, starts=origin - k + 1))
        predicted = np.asarray(model.predict(windows), dtype=np.float64)
        paths.values[origin[:, None] + 1 + np.arange(horizon), 0] = predicted.reshape(
            n, horizon
        )
        origin = origin + horizon
    forecast = paths.values[(first_rows + k)[:, None] + np.arange(steps), 0]
    return np.abs(truth - forecast) / scale[:, None]


def forecast_scale(pipe, frame, conformity_score):
    """The scale of each series a panel forecast continues, by id."""
    panel = pipe[0].transform(frame)
    scale = series_scale(panel, history_only=False)
    if conformity_score == "normalized":
        k = panel.window_length
        last = [
            window_scale(panel.values[max(b - k, a) : b, 0][np.newaxis])[0]
            for a, b in panel.bounds
        ]
        scale = np.maximum(np.asarray(last), SCALE_FLOOR * scale)
    return pd.Series(scale, index=pd.Index(panel.ids, dtype=object))
