"""Real series shipped with skseq, for examples, tests and the demo."""

from importlib.resources import files

import pandas as pd

__all__ = ["load_airline"]


def load_airline():
    """Monthly international airline passengers, January 1949 to December 1960.

    The classic Box & Jenkins "Series G": 144 monthly totals, in thousands of
    passengers, with a rising trend and a yearly season whose swing grows
    with the level. The numbers are those published in Box, G. E. P.,
    Jenkins, G. M. and Reinsel, G. C., *Time Series Analysis: Forecasting and
    Control* (Series G), as also distributed by R's ``AirPassengers``,
    statsmodels and sktime (``load_airline``).

    Returns
    -------
    series : pandas.Series of shape (144,)
        Passengers in thousands, float64, named ``"passengers"``, indexed by
        a monthly ``DatetimeIndex`` (month starts, frequency ``"MS"``).

    Examples
    --------
    >>> from skseq.datasets import load_airline
    >>> series = load_airline()
    >>> series.shape, str(series.index[0].date()), series.iloc[0]
    ((144,), '1949-01-01', np.float64(112.0))
    """
    path = files("skseq.datasets").joinpath("data", "airline.csv")
    with path.open() as handle:
        frame = pd.read_csv(handle)
    index = pd.DatetimeIndex(pd.to_datetime(frame["month"]), freq="MS", name="month")
    return pd.Series(
        frame["passengers"].to_numpy(float), index=index, name="passengers"
    )
