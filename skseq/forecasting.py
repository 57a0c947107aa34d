"""Forecast the values after a series with a fitted series-mode pipeline."""

import math
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array

from skseq._panel import name_series, next_times, refuse_infinite, show_time
from skseq.windowing import find_windower

__all__ = ["forecast"]


def forecast(pipe, series, steps=1, *, future=None, coverage=None):
    """Forecast the ``steps`` values that follow ``series``.

    With a model trained for ``horizon >= steps`` the forecast is direct: the
    last window's ``horizon`` predictions. Otherwise it is recursive: each
    prediction is appended to the series and the window slides over it, so
    later steps rest on earlier forecasts (errors compound).

    Parameters
    ----------
    pipe : Pipeline
        A fitted pipeline of a :class:`~skseq.SequenceWindower` and a
        series-mode regressor.
    series : array-like of shape (n_steps,) or (n_steps, 1), or DataFrame
        The series to continue, oldest first, with at least ``window_length``
        values (usually the one the pipeline was trained on). For a pipeline
        whose windower has an ``id_column`` (panel mode): the long frame of
        every series to forecast; each is continued from its own last row,
        also a series the model never saw.
    steps : int, default=1
        Number of future values (per series).
    future : DataFrame, default=None
        Panel mode with ``future_columns``: the future-known values, one row
        per (id, time) for each series' next steps, with the id, time and
        future columns. The model needs them for every step it forecasts:
        the next ``max(steps, horizon)`` steps (rounded up to a multiple of
        ``horizon`` for a recursive forecast). Rows for later steps are
        ignored; rows for ids that ``series`` lacks raise a ``ValueError``.
    coverage : float or list of float, default=None
        With a fitted :class:`~skseq.ConformalRegressor` as ``pipe``, the
        fraction(s) in (0, 1) of future values the bounds should hold; see
        :meth:`~skseq.ConformalRegressor.forecast_interval`.

    Returns
    -------
    forecast : ndarray of shape (steps,), pandas.Series or DataFrame
        A pandas Series indexed by the next ``steps`` dates when ``series``
        is a pandas Series with a regular DatetimeIndex. In panel mode a
        long DataFrame with the id column, the time column (each series'
        next times: its frequency continued, or the next integers) and the
        forecast in a column named like the target column, ``steps`` rows
        per series. With ``coverage``, a DataFrame with columns
        ``forecast``, ``lower`` and ``upper``; in panel mode the long frame
        with ``lower`` and ``upper`` columns added (``lower_<c>`` and
        ``upper_<c>`` for a list of coverages).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import DenseRegressor, SequenceWindower, forecast
    >>> series = np.sin(np.arange(60) / 3)
    >>> pipe = make_pipeline(SequenceWindower(6),
    ...                      DenseRegressor(epochs=2, random_state=0)).fit(series)
    >>> forecast(pipe, series, steps=4).shape
    (4,)
    """
    if hasattr(pipe, "forecast_interval"):  # a ConformalRegressor
        if coverage is not None:
            return pipe.forecast_interval(
                series, steps, coverage=coverage, future=future
            )
        pipe = pipe.estimator_ if hasattr(pipe, "estimator_") else pipe.estimator
    elif coverage is not None:
        raise TypeError(
            "coverage needs a fitted skseq.ConformalRegressor, got "
            f"{type(pipe).__name__}: wrap the pipeline in ConformalRegressor(pipe)."
        )
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    if hasattr(pipe, "_each"):  # one model per series
        id_column = pipe._windower().id_column
        parts = []
        for model, rows in pipe._each(series):
            mine = None
            if future is not None and id_column in future.columns:
                mine = future[future[id_column] == rows[id_column].iloc[0]]
            parts.append(forecast(model, rows, steps, future=mine))
        return pd.concat(parts, ignore_index=True)
    windower = _windower(pipe)
    if windower._panel_mode():
        return _forecast_panel(pipe, windower, series, steps, future)
    if future is not None:
        raise ValueError(
            "future is for panels whose windower has future_columns; this "
            "pipeline's SequenceWindower has none."
        )
    window_length = windower.window_length
    horizon = getattr(pipe[-1], "horizon", 1)
    values = check_array(series, ensure_2d=False, dtype=np.float64, input_name="series")
    if values.ndim == 2 and values.shape[1] != 1 and steps > horizon:
        raise ValueError(
            f"A recursive forecast feeds predictions back, which needs a series of "
            f"one feature; this one has {values.shape[1]}. Train with horizon >= "
            f"steps={steps} for a direct forecast instead."
        )
    if len(values) < window_length:
        raise ValueError(
            f"The series is too short: got n_samples={len(values)} steps, need at "
            f"least window_length={window_length}."
        )
    history = list(values.reshape(len(values), -1)[-window_length:, 0])
    if values.ndim == 2 and values.shape[1] != 1:
        predicted = _predict_next(pipe, values[-window_length:])[:steps]
    else:
        predicted = []
        while len(predicted) < steps:
            window = np.asarray(history[-window_length:])
            step = _predict_next(
                pipe, window.reshape(-1, 1) if values.ndim == 2 else window
            )
            predicted.extend(step[: steps - len(predicted)])
            history.extend(step)
    return _as_output(np.asarray(predicted[:steps], dtype=np.float64), series)


def _forecast_panel(pipe, windower, frame, steps, future):
    model = pipe[-1]
    horizon = int(getattr(model, "horizon", 1))
    panel = windower.transform(frame)
    k = windower.window_length
    known_columns = list(windower.future_columns or [])
    if steps > horizon and panel.values.shape[1] > 1:
        raise ValueError(
            f"A recursive forecast (steps={steps} > horizon={horizon}) feeds "
            "predictions back, which needs the target alone; this panel has past "
            f"covariates {windower.value_columns_[1:]}. Train with horizon >= steps "
            "for a direct forecast."
        )
    n_ahead = math.ceil(steps / horizon) * horizon
    lengths = panel.bounds[:, 1] - panel.bounds[:, 0]
    short = lengths < k
    if short.all():
        raise ValueError(f"No series has window_length={k} rows to forecast from.")
    if short.any():
        warnings.warn(
            f"{int(short.sum())} series are shorter than window_length={k} and "
            f"are not forecast: {name_series(panel.ids[short])}.",
            UserWarning,
            stacklevel=3,
        )
    keep = np.flatnonzero(~short)
    gaps = [
        panel.ids[j]
        for j in keep
        if not np.isfinite(
            panel.values[panel.bounds[j, 1] - k : panel.bounds[j, 1]]
        ).all()
    ]
    if gaps:
        warnings.warn(
            f"{len(gaps)} series have missing values (NaN) in their last "
            f"window_length={k} rows, so their forecasts are NaN: "
            f"{name_series(gaps)}. Drop or fill the missing rows first.",
            UserWarning,
            stacklevel=3,
        )
    times = next_times(panel, n_ahead, keep)  # a one-row series may be skipped
    known_ahead = _future_rows(
        windower, panel, keep, times, known_columns, future, n_ahead
    )
    # Each kept series: its rows, then n_ahead rows to be forecast.
    values, known, bounds, row_times = [], [], [], []
    at = 0
    for position, j in enumerate(keep):
        a, b = panel.bounds[j]
        ahead = np.full((n_ahead, panel.values.shape[1]), np.nan)
        values.append(np.concatenate([panel.values[a:b], ahead]))
        known.append(np.concatenate([panel.known[a:b], known_ahead[position]]))
        row_times.append(np.concatenate([panel.times[a:b], times[j]]))
        bounds.append((at, at + b - a + n_ahead))
        at += b - a + n_ahead
    bounds = np.asarray(bounds, dtype=np.int64)
    extended = replace(
        panel,
        values=np.concatenate(values),
        known=np.concatenate(known),
        bounds=bounds,
        ids=panel.ids[keep],
        times=np.concatenate(row_times),
        scored_from=bounds[:, 0].copy(),
        freqs=tuple(panel.freqs[j] for j in keep) if panel.freqs else (),
    )
    origin = bounds[:, 1] - n_ahead - 1  # each series' last row
    done = 0
    while done < steps:
        windows = replace(extended, starts=origin - k + 1)
        if len(pipe) > 2:
            windows = pipe[1:-1].transform(windows)
        predicted = np.asarray(model.predict(windows), dtype=np.float64)
        predicted = predicted.reshape(len(keep), -1)
        rows = origin[:, None] + 1 + np.arange(horizon)
        extended.values[rows, 0] = predicted
        origin = origin + horizon
        done += horizon
    id_name, time_name, target_name = extended.columns
    first = bounds[:, 1] - n_ahead
    rows = (first[:, None] + np.arange(steps)).ravel()
    return pd.DataFrame(
        {
            id_name or "id": np.repeat(extended.ids, steps),
            time_name or "step": extended.times[rows],
            target_name: extended.values[rows, 0],
        }
    ).infer_objects()  # the ids keep their type (ints stay ints)


def _future_rows(windower, panel, keep, times, known_columns, future, n_ahead):
    """The future-known values of each kept series' next steps, or raise."""
    if not known_columns:
        if future is not None:
            raise ValueError(
                "future was given, but the pipeline's SequenceWindower has no "
                "future_columns: say which columns are known ahead."
            )
        return [np.zeros((n_ahead, 0)) for _ in keep]
    id_name, time_name = windower.id_column, windower.time_column
    if future is None:
        raise ValueError(
            f"This model uses the future columns {known_columns}: pass future=, a "
            f"frame with {[c for c in (id_name, time_name) if c]} and those columns "
            f"for each series' next {n_ahead} step(s)."
        )
    if not isinstance(future, pd.DataFrame):
        raise TypeError(
            f"future must be a pandas DataFrame, got {type(future).__name__}."
        )
    needed = [c for c in (id_name, time_name, *known_columns) if c is not None]
    missing = [c for c in needed if c not in future.columns]
    if missing:
        raise ValueError(
            f"future lacks the column(s) {missing}; it has {list(future.columns)}."
        )
    if time_name is None:
        raise ValueError(
            "future rows need a time_column to say which step each row is for."
        )
    key = pd.MultiIndex.from_arrays([future[id_name], future[time_name]])
    if key.has_duplicates:
        raise ValueError("future has duplicated (id, time) rows; keep one per step.")
    strangers = pd.Index(future[id_name]).unique().difference(pd.Index(panel.ids))
    if len(strangers):
        raise ValueError(
            f"future has rows for {len(strangers)} id(s) that the forecast frame "
            f"lacks: {[str(i) for i in strangers[:10]]}. Pass future rows only for "
            "the series being forecast."
        )
    values = future[known_columns].to_numpy(dtype=np.float64)
    refuse_infinite(
        values,
        known_columns,
        "future's column",
        lambda rows: pd.Index(future[id_name].to_numpy()[rows]).unique().tolist(),
        ": the model cannot forecast from them. Give finite values for every step "
        "forecast.",
    )
    table = pd.DataFrame(values, index=key)
    rows, lacking = [], {}
    for j in keep:
        wanted = pd.MultiIndex.from_arrays(
            [np.repeat(panel.ids[j], n_ahead).astype(object), times[j]]
        )
        found = table.reindex(wanted)
        absent = found.isna().any(axis=1).to_numpy()
        if absent.any():
            lacking[panel.ids[j]] = [show_time(t) for t in times[j][absent][:3]]
        rows.append(found.to_numpy())
    if lacking:
        shown = "; ".join(f"{i!r} at {t}" for i, t in list(lacking.items())[:10])
        raise ValueError(
            f"future lacks values of {known_columns} for {len(lacking)} series "
            f"(each needs its next {n_ahead} step(s)): {shown}."
        )
    return rows


def _windower(pipe):
    windower = find_windower(pipe) if isinstance(pipe, Pipeline) else None
    if windower is not None:
        return windower
    raise TypeError(
        "forecast needs a fitted Pipeline that starts with a SequenceWindower, "
        f"got {type(pipe).__name__}"
    )


def _predict_next(pipe, window):
    return np.ravel(pipe.predict(window))


def _as_output(values, series):
    index = getattr(series, "index", None)
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return values
    # freq="infer" rather than pd.infer_freq, which warns on pandas >= 3.1.
    freq = index.freq or pd.DatetimeIndex(index, freq="infer").freq
    if freq is None:
        return values
    future = pd.date_range(index[-1], periods=len(values) + 1, freq=freq)[1:]
    return pd.Series(values, index=future, name=getattr(series, "name", None))
