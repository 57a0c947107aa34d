"""A picture of a forecast: history, forecast and its prediction bands."""

import numpy as np
import pandas as pd

__all__ = ["plot_forecast"]


def plot_forecast(series, forecast, *, history=None, ax=None, path=None, title=None):
    """Draw the end of a series, its forecast and shaded interval bands.

    Parameters
    ----------
    series : array-like or pandas.Series
        The observed series, oldest first. A pandas Series with a
        DatetimeIndex puts dates on the x axis.
    forecast : pandas.DataFrame
        The result of ``skseq.forecast(cr, series, steps, coverage=...)``:
        a ``forecast`` column and bounds ``lower``/``upper`` (or
        ``lower_<c>``/``upper_<c>`` per coverage ``c``), indexed by the
        future dates or positions.
    history : int, default=None
        Show only the last ``history`` observed values; None shows all.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; None makes a new figure.
    path : str or path-like, default=None
        Where to save the figure (PNG, SVG, PDF by extension).
    title : str, default=None
        Title of the axes.

    Returns
    -------
    figure : matplotlib.figure.Figure
        The figure drawn on.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import ConformalRegressor, NaiveRegressor, SequenceWindower
    >>> from skseq import forecast, plot_forecast
    >>> series = np.sin(np.arange(200) / 4)
    >>> cr = ConformalRegressor(make_pipeline(SequenceWindower(4), NaiveRegressor()))
    >>> frame = forecast(cr.fit(series), series, steps=6, coverage=[0.8, 0.95])
    >>> figure = plot_forecast(series, frame, history=30)
    >>> len(figure.axes[0].collections)  # one shaded band per coverage
    2
    """
    try:
        import matplotlib

        if path is not None and ax is None:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            "plot_forecast needs matplotlib: pip install 'skseq[plot]'"
        ) from error
    if not isinstance(forecast, pd.DataFrame) or "forecast" not in forecast:
        raise TypeError(
            "forecast must be the DataFrame of skseq.forecast(..., coverage=...), "
            f"with a 'forecast' column; got {type(forecast).__name__}."
        )
    observed = (
        series
        if isinstance(series, pd.Series)
        else pd.Series(
            np.asarray(series, dtype=np.float64).reshape(len(series), -1)[:, 0]
        )
    )
    if history is not None:
        observed = observed.iloc[-history:]
    if ax is None:
        figure, ax = plt.subplots(figsize=(10, 4.5))
    else:
        figure = ax.figure
    ax.plot(
        observed.index, observed.to_numpy(), color="black", lw=1.5, label="observed"
    )
    bands = _bands(forecast)
    for shade, (coverage, lower, upper) in zip(
        np.linspace(0.18, 0.4, len(bands)), bands, strict=True
    ):
        ax.fill_between(
            forecast.index,
            forecast[lower],
            forecast[upper],
            color="tab:blue",
            alpha=shade,
            lw=0,
            label=f"{coverage} interval",
        )
    ax.plot(
        forecast.index, forecast["forecast"], color="tab:blue", lw=2, label="forecast"
    )
    ax.legend(loc="upper left", fontsize="small")
    ax.set(title=title, ylabel=getattr(series, "name", None))
    if isinstance(forecast.index, pd.DatetimeIndex):
        figure.autofmt_xdate()
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=110)
    return figure


def _bands(frame):
    """(label, lower column, upper column), widest first."""
    if "lower" in frame and "upper" in frame:
        coverage = frame.attrs.get("coverage", [None])[0]
        label = "prediction" if coverage is None else f"{coverage:.0%}"
        return [(label, "lower", "upper")]
    bands = []
    for column in frame.columns:
        if column.startswith("lower_") and f"upper_{column[6:]}" in frame:
            bands.append((f"{float(column[6:]):.0%}", column, f"upper_{column[6:]}"))
    return sorted(bands, key=lambda band: -float(band[0].rstrip("%")))
