"""Many series in one long frame: checks, ordering, and their windows.

A panel is a long pandas DataFrame with one row per (series, time step):
an id column, a time column, the target column, other numeric columns
(past covariates, known up to each step) and future-known columns
(calendar, promotions: known ahead). :func:`read_panel` checks it and
orders it by (id, time), so that no result depends on the order of the
rows; :class:`PanelWindows` is what :class:`~skseq.SequenceWindower` makes
of it: the ordered values of every series and which windows they hold.
No window ever crosses from one series into the next.

Shared, without TensorFlow, by the windower, the regressors, the
splitter, the scorers and the forecasts.
"""

import warnings
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PanelWindows", "read_panel"]


@dataclass(frozen=True)
class PanelData:
    """A checked panel, ordered by (id, time).

    ``values`` holds the target (column 0) and the past covariates,
    ``known`` the future-known columns (n_rows, n_known), ``bounds`` the
    rows ``[start, stop)`` of each series, ``times`` each row's time (or
    its position in its series when there is no time column), and
    ``order`` the row of the given frame behind each ordered row.
    """

    values: np.ndarray
    known: np.ndarray
    bounds: np.ndarray
    ids: np.ndarray
    times: np.ndarray
    order: np.ndarray
    freqs: tuple  # per series: a pandas offset, an int step, or None


def read_panel(frame, *, id_column, time_column, value_columns, known_columns):
    """Check a long frame and order it by (id, time); return a :class:`PanelData`.

    Raises a ``TypeError`` for a non-frame, non-numeric values or a time
    column that is neither datetimes nor integers, and a ``ValueError`` for
    unknown columns, duplicated (id, time) rows and irregular time steps.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            "A SequenceWindower with id_column, time_column, target_column or "
            "future_columns takes a long pandas DataFrame (one row per series and "
            f"time step); got {type(frame).__name__}."
        )
    named = [c for c in (id_column, time_column) if c is not None]
    wanted = [*named, *value_columns, *known_columns]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(
            f"Unknown column(s) {missing}: the frame has columns "
            f"{[str(c) for c in frame.columns]}."
        )
    for name in (*value_columns, *known_columns):
        dtype = frame[name].dtype
        if not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        ):
            raise TypeError(
                f"Column {name!r} must be numeric (a target, a past covariate or a "
                f"future column), got dtype {dtype}. Encode it as numbers, or drop "
                "it from the frame."
            )
    n_rows = len(frame)
    if id_column is None:
        id_codes, ids = np.zeros(n_rows, np.int64), np.array([0])
    else:
        id_codes, ids = _factorize_sorted(frame[id_column])
    time_values = None
    if time_column is not None:
        time_values = _check_time_dtype(frame[time_column])
    order, cuts = series_order(
        id_codes, None if time_values is None else time_values.view("int64")
    )
    codes = id_codes[order]
    starts = np.concatenate([[0], cuts]) if n_rows else np.zeros(0, np.int64)
    stops = np.concatenate([cuts, [n_rows]]) if n_rows else np.zeros(0, np.int64)
    bounds = np.stack([starts, stops], axis=1).astype(np.int64)
    ids = ids[codes[starts]] if n_rows else ids[:0]
    if time_values is None:
        times = np.arange(n_rows) - np.repeat(starts, stops - starts)
        freqs = (1,) * len(ids)
    else:
        times = time_values[order]
        freqs = _check_regular(times, bounds, ids, time_column)
    values = _as_float(frame, value_columns, order)
    known = _as_float(frame, known_columns, order)
    # Without an id column, series have no names to show.
    series_of = None
    if id_column is not None:
        series_of = partial(_series_holding, ids=ids, bounds=bounds)
    for part, columns in ((values, value_columns), (known, known_columns)):
        refuse_infinite(part, [*columns], "Column", series_of, _NAN_IS_MISSING)
    return PanelData(values, known, bounds, ids, times, order, freqs)


@dataclass(frozen=True)
class PanelWindows:
    """The windows of every series of a panel, and what to score.

    What :class:`~skseq.SequenceWindower` returns for a long frame: the
    series' values in (id, time) order and the first row of each window.
    Window ``i`` is rows ``starts[i] .. starts[i] + window_length - 1`` of
    ``values``; windows lie inside one series. The regressors take it in
    series mode: each window's targets are the values that follow it in
    its own series. ``np.asarray`` gives the windows as an array of shape
    ``(n_windows, window_length, n_features)``.

    Attributes
    ----------
    values : ndarray of shape (n_rows, n_features)
        The target (column 0) and past covariates, float64.
    known : ndarray of shape (n_rows, n_known)
        The future-known columns.
    bounds : ndarray of shape (n_series, 2)
        Rows ``[start, stop)`` of each series.
    ids : ndarray of shape (n_series,)
        Each series' id.
    times : ndarray of shape (n_rows,)
        Each row's time (its position in its series without a time column).
    window_length : int
        Steps per window.
    starts : ndarray of shape (n_windows,)
        First row of each window.
    scored_from : ndarray of shape (n_series,)
        First row of each series whose target is scored: the rows after the
        series' training end when the frame reaches beyond it, else its first.
    """

    values: np.ndarray
    known: np.ndarray
    bounds: np.ndarray
    ids: np.ndarray
    times: np.ndarray
    window_length: int
    starts: np.ndarray
    scored_from: np.ndarray
    columns: Any = None  # (id_column, time_column, target_column) names
    freqs: tuple = ()

    @property
    def shape(self):
        """(n_windows, window_length, n_features), as for windows in an array."""
        return (len(self.starts), self.window_length, self.values.shape[1])

    @property
    def ndim(self):
        return 3

    def __len__(self):
        return len(self.starts)

    def __array__(self, dtype=None, copy=None):
        windows = self.values[self.starts[:, None] + np.arange(self.window_length)]
        return windows if dtype is None else windows.astype(dtype)

    @property
    def series(self):
        """Ordinal of each window's series, shape (n_windows,)."""
        return np.searchsorted(self.bounds[:, 1], self.starts, side="right")

    @property
    def index(self):
        """A frame naming each window: its series' id and the time of its last step."""
        id_name, time_name, _ = self.columns or (None, None, None)
        return pd.DataFrame(
            {
                id_name or "id": self.ids[self.series],
                time_name or "step": self.times[self.starts + self.window_length - 1],
            }
        )

    def select(self, mask_or_index):
        """The same panel with only some of its windows."""
        return replace(self, starts=self.starts[mask_or_index])

    def last_values(self):
        """Each window's last value of the target: naive persistence."""
        return self.values[self.starts + self.window_length - 1, 0]


def panel_targets(panel, horizon, *, scored_only=False, warn=False):
    """Which windows have every target (and future value) known, and the targets.

    Returns ``(mask, y)``: a boolean mask over ``panel.starts`` and the
    targets of the windows it keeps, (n, horizon) float64. A window is kept
    when its inputs, its ``horizon`` following target values and their
    future-known values are all known (not NaN) and inside its own series;
    with ``scored_only`` also when its first target is in the scored part.
    With ``warn``, series too short for one window and its targets are
    named, and windows dropped for missing values counted, in warnings.
    """
    k, starts = panel.window_length, panel.starts
    stops = panel.bounds[panel.series, 1] if len(starts) else starts
    inside = starts + k + horizon <= stops
    values, known = panel.values, panel.known
    finite_rows = np.isfinite(values).all(axis=1)
    target_rows = np.isfinite(values[:, 0]) & np.isfinite(known).all(axis=1)
    ok_inputs = _window_all(finite_rows, starts, k)
    safe = np.where(inside, starts + k, 0)
    ok_targets = _window_all(target_rows, safe, horizon)
    mask = inside & ok_inputs & ok_targets
    if warn:
        short = [
            panel.ids[j] for j, (a, b) in enumerate(panel.bounds) if b - a < k + horizon
        ]
        if short:
            warnings.warn(
                f"{len(short)} series are too short for one window of "
                f"window_length={k} and its horizon={horizon} target(s), and were "
                f"skipped: {name_series(short)}.",
                UserWarning,
                stacklevel=4,
            )
        dropped = int(np.sum(inside & ~(ok_inputs & ok_targets)))
        if dropped:
            warnings.warn(
                f"{dropped} window(s) touch missing values (NaN) in their inputs, "
                "targets or future columns and were left out of training; nothing "
                "was imputed.",
                UserWarning,
                stacklevel=4,
            )
    if scored_only:
        mask &= starts + k >= panel.scored_from[panel.series]
        _warn_on_short_context(panel, k)
    index = starts[mask][:, None] + k + np.arange(horizon)
    return mask, values[index, 0]


def _warn_on_short_context(panel, k):
    """Warn when the scored part of a series lacks the history to score it all.

    The first targets after a series' training end need ``k`` values before
    them in the frame; with fewer (a splitter's ``context`` shorter than the
    window), they cannot be forecast and would drop out of the score unseen.
    """
    first, stop = panel.bounds[:, 0], panel.bounds[:, 1]
    context = panel.scored_from - first
    short = (panel.scored_from > first) & (panel.scored_from < stop) & (context < k)
    if not short.any():
        return
    lost = np.minimum(k - context, stop - panel.scored_from)[short]
    warnings.warn(
        f"{int(lost.sum())} target(s) after the training end of {int(short.sum())} "
        f"series have fewer than window_length={k} values before them and are not "
        "scored: give the frame that much history before the values to score "
        f"(PanelTimeSeriesSplit's context >= {k}).",
        UserWarning,
        stacklevel=5,
    )


def network_source(panel, horizon):
    """The rows the network's windows are gathered from.

    Shape (n_rows, n_features + n_known * horizon).

    The future-known columns are appended ``horizon`` times, shifted up by
    1 .. ``horizon`` rows within each series, so that the last step of a
    window holds the known values of the ``horizon`` steps it forecasts
    (NaN beyond a series' end).
    """
    known = panel.known
    if not known.shape[1]:
        return panel.values
    n_rows = len(known)
    shifted = np.full((n_rows, known.shape[1] * horizon), np.nan)
    stops = np.repeat(panel.bounds[:, 1], panel.bounds[:, 1] - panel.bounds[:, 0])
    rows = np.arange(n_rows)
    for h in range(1, horizon + 1):
        ahead = rows + h
        ok = ahead < stops
        block = slice((h - 1) * known.shape[1], h * known.shape[1])
        shifted[ok, block] = known[ahead[ok]]
    return np.concatenate([panel.values, shifted], axis=1)


def series_order(codes, times=None):
    """Rows in (series, time) order, and where each series after the first starts.

    ``codes`` number each row's series and ``times`` (integers, or None for
    the rows' own order) order the rows within it; returns ``(order, cuts)``,
    the row positions and the positions in ``order`` that start a series.
    """
    if times is None:
        order = np.argsort(codes, kind="stable")
    else:
        order = np.lexsort((times, codes))
    return order, np.flatnonzero(np.diff(codes[order])) + 1


def name_series(ids, limit=10):
    """The first ``limit`` ids as a readable list, and how many more there are."""
    ids = list(ids)
    shown = ", ".join(repr(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _window_all(flags, starts, length):
    """Whether ``flags[s : s + length]`` are all true, for each start ``s``."""
    if not len(starts):
        return np.zeros(0, bool)
    bad = np.concatenate([[0], np.cumsum(~flags)])
    end = np.minimum(starts + length, len(flags))
    return (bad[end] - bad[starts] == 0) & (starts + length <= len(flags))


def _factorize_sorted(column):
    try:
        codes, uniques = pd.factorize(column, sort=True)
    except TypeError as error:
        raise TypeError(
            f"The ids in column {column.name!r} cannot be ordered ({error}); use "
            "ids of one type, such as strings or integers."
        ) from error
    if (codes < 0).any():
        raise ValueError(f"Column {column.name!r} holds missing ids (NaN or None).")
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _check_time_dtype(column):
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if column.isna().any():
            raise ValueError(f"The time column {column.name!r} holds missing times.")
        if getattr(dtype, "tz", None) is not None:
            raise TypeError(
                f"The time column {column.name!r} holds time-zone-aware datetimes "
                f"({dtype.tz}); skseq reads wall-clock times. Convert them, e.g. "
                "frame[col].dt.tz_localize(None) for local times."
            )
        return column.to_numpy(dtype="datetime64[ns]")
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return column.to_numpy(dtype=np.int64)
    raise TypeError(
        f"The time column {column.name!r} must hold datetimes or integers, got "
        f"dtype {dtype}. Parse dates with pd.to_datetime."
    )


def _check_regular(times, bounds, ids, time_column):
    """Each series' frequency; refuse duplicated times and irregular steps."""
    freqs = []
    integer = times.dtype.kind == "i"
    for (a, b), series_id in zip(bounds, ids, strict=True):
        t = times[a:b]
        steps = np.diff(t)
        if len(steps) and (steps == np.zeros(1, steps.dtype)).any():
            at = t[1:][steps == np.zeros(1, steps.dtype)][0]
            raise ValueError(
                f"Duplicated rows: series {series_id!r} has more than one row at "
                f"{time_column}={show_time(at)}. Keep one row per (id, time)."
            )
        if integer:
            if len(steps) and (steps != steps[0]).any():
                raise ValueError(_irregular(series_id, time_column, t, steps))
            freqs.append(int(steps[0]) if len(steps) else 1)
            continue
        if len(t) < 3:
            freqs.append(None)  # too few dates to tell: the panel's own, below
            continue
        freq = pd.DatetimeIndex(t, freq="infer").freq
        if freq is None:
            raise ValueError(_irregular(series_id, time_column, t, steps))
        freqs.append(freq)
    found = [f for f in freqs if f is not None]
    if not integer and found:
        common = max(set(found), key=found.count)
        for j, ((a, b), series_id) in enumerate(zip(bounds, ids, strict=True)):
            if freqs[j] is None:
                if b - a == 2 and pd.Timestamp(times[a]) + common != pd.Timestamp(
                    times[a + 1]
                ):
                    raise ValueError(
                        f"Series {series_id!r} has two rows, {show_time(times[a])} "
                        f"and {show_time(times[a + 1])}, not one step of the panel's "
                        f"frequency {common.freqstr} apart ({time_column!r})."
                    )
                freqs[j] = common
    return tuple(freqs)


def _irregular(series_id, time_column, t, steps):
    return (
        f"The time column {time_column!r} is irregular in series {series_id!r}: "
        f"steps between rows vary (e.g. {show_time(steps[0])} and "
        f"{show_time(steps[(steps != steps[0]).argmax()])}, from {show_time(t[0])} to "
        f"{show_time(t[-1])}), or rows are missing. Give every series one row per "
        "step of a regular frequency (missing values as NaN rows)."
    )


def show_time(value):
    """A time or time step as a user reads it (dates as timestamps)."""
    if isinstance(value, np.datetime64):
        return str(pd.Timestamp(value))
    if isinstance(value, np.timedelta64):
        return str(pd.Timedelta(value))
    return str(value)


_NAN_IS_MISSING = (
    "; only NaN marks a missing value. Replace the infinities with NaN or finite "
    "numbers."
)


def refuse_infinite(values, columns, label, series_of, remedy):
    """Raise a ValueError for inf or -inf in ``values`` (rows x ``columns``).

    The message names the first such column (after ``label``), its count of
    infinities and, with ``series_of`` (the row numbers -> the ids of their
    series), the series holding them; ``remedy`` ends it.
    """
    bad = np.isinf(values)
    if not bad.any():
        return
    col = int(np.flatnonzero(bad.any(axis=0))[0])
    rows = np.flatnonzero(bad[:, col])
    where = "" if series_of is None else f" (series {name_series(series_of(rows), 5)})"
    raise ValueError(
        f"{label} {columns[col]!r} holds {len(rows)} infinite value(s){where}{remedy}"
    )


def _series_holding(rows, ids, bounds):
    """The ids of the series that hold rows ``rows``, in series order."""
    held = np.unique(np.searchsorted(bounds[:, 1], rows, side="right"))
    return [_plain(ids[j]) for j in held]


def _plain(value):
    """A numpy scalar as the Python value it holds (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _as_float(frame, columns, order):
    if not columns:
        return np.zeros((len(frame), 0))
    return frame[list(columns)].to_numpy(dtype=np.float64)[order]


def next_times(panel, steps, which=None):
    """The next ``steps`` times of each series (or of those in ``which``).

    A dict from the series' ordinal to an array of times.
    """
    out = {}
    for j in range(len(panel.bounds)) if which is None else which:
        b = panel.bounds[j, 1]
        last = panel.times[b - 1]
        freq = panel.freqs[j] if panel.freqs else 1
        if isinstance(freq, int | np.integer):
            out[j] = last + freq * np.arange(1, steps + 1)
        elif freq is None:
            raise ValueError(
                f"Series {panel.ids[j]!r} has fewer than three dates and no other "
                "series shows the panel's frequency, so its next times cannot be "
                "named. Give at least three rows."
            )
        else:
            future = pd.date_range(pd.Timestamp(last), periods=steps + 1, freq=freq)
            out[j] = future[1:].to_numpy(dtype="datetime64[ns]")
    return out
