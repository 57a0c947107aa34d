"""Real series shipped with skseq, for examples, tests and the demo.

Each loader reads a small CSV bundled in ``skseq/datasets/data`` and returns a
float64 :class:`pandas.Series` on a regular :class:`pandas.DatetimeIndex` whose
``freq`` is set. The sources and any processing are described in each
loader's docstring and in ``skseq/datasets/data/README.md``.

- :func:`load_airline`: airline passengers, monthly 1949-1960, 144 values;
  trend and a season that grows with it.
- :func:`load_co2`: Mauna Loa CO2, monthly 1958-2001, 526 values; trend and a
  steady season.
- :func:`load_sunspots`: sunspot numbers, yearly 1700-2008, 309 values; cycles
  of about 11 years.
- :func:`load_nile`: Nile flow at Aswan, yearly 1871-1970, 100 values; noise
  and a level shift around 1898.
- :func:`load_grunfeld`: a panel, not a Series: yearly investment, market
  value and capital of 11 US firms, 1935-1954, as a long DataFrame.
"""

from importlib.resources import files

import pandas as pd

__all__ = ["load_airline", "load_co2", "load_grunfeld", "load_nile", "load_sunspots"]

# Year starts in January. An offset object rather than the string "YS", which
# pandas before 2.2 spelled "AS".
_YEARLY = pd.offsets.YearBegin(month=1)


def _load(filename, date_format, freq, name):
    """Read a bundled two-column CSV (date, value) into a float64 Series."""
    path = files("skseq.datasets").joinpath("data", filename)
    with path.open() as handle:
        frame = pd.read_csv(handle, dtype=str)
    date_column, value_column = frame.columns
    dates = pd.to_datetime(frame[date_column], format=date_format)
    index = pd.DatetimeIndex(dates, freq=freq, name=date_column)
    values = frame[value_column].astype(float).to_numpy()
    return pd.Series(values, index=index, name=name)


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
    return _load("airline.csv", "%Y-%m", "MS", "passengers")


def load_co2():
    """Monthly mean atmospheric CO2 at Mauna Loa, March 1958 to December 2001.

    526 monthly concentrations, in parts per million by volume, of carbon
    dioxide in air sampled continuously at Mauna Loa Observatory, Hawaii: a
    steady, slightly accelerating rise with a regular yearly cycle of about
    6 ppm from peak to trough (highest in May, lowest in September or
    October).

    Source: Keeling, C. D. and Whorf, T. P. (2004), *Atmospheric CO2
    concentrations derived from flask air samples at sites in the SIO
    network*, in *Trends: A Compendium of Data on Global Change*, Carbon
    Dioxide Information Analysis Center, Oak Ridge National Laboratory
    (Scripps Institution of Oceanography record), public domain, as
    distributed in weekly form by statsmodels (``statsmodels.datasets.co2``).

    skseq's processing of those 2284 weekly values (59 of them missing): each
    week is assigned to the calendar month of its date label and the
    available weeks of a month are averaged (March 1958 holds a single week,
    March 29); the five months with no data (1958-06, 1958-10 and 1964-02 to
    1964-04) are filled by linear interpolation in time between their
    neighbours; every value is rounded to 2 decimals.

    Returns
    -------
    series : pandas.Series of shape (526,)
        CO2 in ppm, float64, named ``"co2"``, indexed by a monthly
        ``DatetimeIndex`` (month starts, frequency ``"MS"``).

    Examples
    --------
    >>> from skseq.datasets import load_co2
    >>> series = load_co2()
    >>> series.shape, str(series.index[0].date()), series.iloc[0]
    ((526,), '1958-03-01', np.float64(316.1))
    """
    return _load("co2.csv", "%Y-%m", "MS", "co2")


def load_sunspots():
    """Yearly mean sunspot numbers, 1700 to 2008.

    309 yearly means of the (Wolf, or Zurich) international sunspot number,
    in the version published before the 2015 recalibration: a cyclic series
    whose peaks recur about every 11 years with strongly varying heights
    (from near 50 around 1800 to 190.2 in 1957) and troughs near zero.

    Source: National Geophysical Data Center (NOAA), yearly sunspot numbers,
    public domain, as distributed by statsmodels
    (``statsmodels.datasets.sunspots``, column ``SUNACTIVITY``). The values
    are copied unchanged.

    Returns
    -------
    series : pandas.Series of shape (309,)
        Mean sunspot number, float64, named ``"sunspots"``, indexed by a
        yearly ``DatetimeIndex`` (January 1 of each year, frequency
        ``"YS-JAN"``).

    Examples
    --------
    >>> from skseq.datasets import load_sunspots
    >>> series = load_sunspots()
    >>> series.shape, str(series.index[0].date()), series.iloc[0]
    ((309,), '1700-01-01', np.float64(5.0))
    """
    return _load("sunspots.csv", "%Y", _YEARLY, "sunspots")


def load_nile():
    """Annual flow of the river Nile at Aswan, 1871 to 1970.

    100 yearly volumes of discharge, in units of 10^8 cubic metres: a noisy
    series whose level drops around 1898 (the first 28 years average about
    1098, the rest about 850), the textbook change-point example.

    Source: Cobb, G. W. (1978), "The problem of the Nile: conditional
    solution to a changepoint problem", *Biometrika* 65(2), 243-251; also
    R's ``Nile`` and Durbin & Koopman's *Time Series Analysis by State Space
    Methods*. Public domain, as distributed by statsmodels
    (``statsmodels.datasets.nile``, column ``volume``). The values are copied
    unchanged.

    Returns
    -------
    series : pandas.Series of shape (100,)
        Flow in 10^8 m^3, float64, named ``"volume"``, indexed by a yearly
        ``DatetimeIndex`` (January 1 of each year, frequency ``"YS-JAN"``).

    Examples
    --------
    >>> from skseq.datasets import load_nile
    >>> series = load_nile()
    >>> series.shape, str(series.index[0].date()), series.iloc[0]
    ((100,), '1871-01-01', np.float64(1120.0))
    """
    return _load("nile.csv", "%Y", _YEARLY, "volume")


def load_grunfeld():
    """Yearly investment of 11 US firms, 1935 to 1954: a small real panel.

    Grunfeld's (1950) investment data: for each of 11 large firms and each
    year, gross investment, the firm's market value (December 31) and its
    stock of plant and equipment, all in millions of 1947 dollars. 220 rows,
    20 years per firm; the firms differ in size by two orders of magnitude
    (General Motors invests about 600 a year, Diamond Match about 0.6),
    which is what a model trained across series has to cope with. The
    values are those of the original 11-firm data set from Grunfeld's PhD
    thesis as recreated by Kleiber, C. and Zeileis, A. (2010), "The Grunfeld
    Data at 50", *German Economic Review* 11(4), and distributed by
    statsmodels (``statsmodels.datasets.grunfeld``, public domain).

    Returns
    -------
    panel : pandas.DataFrame of shape (220, 5)
        A long frame: ``firm`` (str, the series id), ``year`` (int, the
        time), ``invest`` (the usual target), ``value`` and ``capital``
        (float64), sorted by firm and year.

    Examples
    --------
    >>> from skseq.datasets import load_grunfeld
    >>> panel = load_grunfeld()
    >>> panel.shape, panel.firm.nunique()
    ((220, 5), 11)
    >>> panel.groupby("firm").year.agg(["min", "max"]).iloc[0].tolist()
    [1935, 1954]
    """
    path = files("skseq.datasets").joinpath("data", "grunfeld.csv")
    with path.open() as handle:
        frame = pd.read_csv(
            handle,
            dtype={"firm": str, "year": "int64", "invest": "float64",
                   "value": "float64", "capital": "float64"},
        )  # fmt: skip
    return frame
