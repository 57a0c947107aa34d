"""The bundled real series: shape, index, and values checked against the sources.

The reference numbers were computed from the original data (the published
Series G for the airline series, statsmodels 0.15.0's bundled datasets for the
others), not from skseq's CSV files, so a wrong or truncated copy fails here.
"""

import numpy as np
import pandas as pd
import pytest

import skseq.datasets
from skseq.datasets import (
    load_airline,
    load_co2,
    load_grunfeld,
    load_nile,
    load_sunspots,
)

MONTHLY = pd.offsets.MonthBegin()
YEARLY = pd.offsets.YearBegin(month=1)

# loader, name, length, freq, first date, last date
SHAPES = [
    (load_airline, "passengers", 144, MONTHLY, "1949-01-01", "1960-12-01"),
    (load_co2, "co2", 526, MONTHLY, "1958-03-01", "2001-12-01"),
    (load_sunspots, "sunspots", 309, YEARLY, "1700-01-01", "2008-01-01"),
    (load_nile, "volume", 100, YEARLY, "1871-01-01", "1970-01-01"),
]


def test_all_loaders_are_exported():
    """__all__ lists exactly the five loaders."""
    names = ["load_airline", "load_co2", "load_grunfeld", "load_nile", "load_sunspots"]
    assert sorted(skseq.datasets.__all__) == names


def test_grunfeld_panel_matches_its_source():
    """11 firms x 20 years; totals from statsmodels 0.15.0's grunfeld data."""
    panel = load_grunfeld()
    assert list(panel.columns) == ["firm", "year", "invest", "value", "capital"]
    assert (
        panel.groupby("firm")
        .year.apply(list)
        .map(lambda years: years == list(range(1935, 1955)))
        .all()
    )
    assert panel.firm.nunique() == 11
    assert panel.invest.sum() == pytest.approx(29328.618)
    assert panel.value.sum() == pytest.approx(217487.117)
    assert panel.capital.sum() == pytest.approx(56563.879)
    row = panel[(panel.firm == "Diamond Match") & (panel.year == 1954)]
    assert row[["invest", "value", "capital"]].to_numpy().tolist() == [
        [5.12, 58.12, 14.33]
    ]


@pytest.mark.parametrize(
    ("loader", "name", "length", "freq", "first", "last"),
    SHAPES,
    ids=[row[1] for row in SHAPES],
)
def test_loader_returns_a_regular_float_series(loader, name, length, freq, first, last):
    """A named float64 Series, no NaN, on a regular, sorted, unique DatetimeIndex."""
    series = loader()
    assert isinstance(series, pd.Series) and series.name == name
    assert series.shape == (length,) and series.dtype == np.float64
    assert not series.isna().any()
    index = series.index
    assert isinstance(index, pd.DatetimeIndex) and index.freq == freq
    assert index.is_monotonic_increasing and index.is_unique
    # freq is not just a label: the dates really are that regular.
    expected = pd.date_range(first, periods=length, freq=freq)
    assert index.equals(expected)
    assert str(index[0].date()) == first and str(index[-1].date()) == last


def test_loaders_return_fresh_copies():
    """Changing one returned series does not change the next one."""
    series = load_nile()
    series.iloc[0] = -1.0
    assert load_nile().iloc[0] == 1120


def test_frequency_strings():
    """Monthly series are month starts, yearly ones January year starts."""
    assert load_airline().index.freqstr == "MS"
    assert load_co2().index.freqstr == "MS"
    yearly = load_sunspots().index.freqstr
    assert yearly == load_nile().index.freqstr
    assert yearly in ("YS-JAN", "AS-JAN")  # the spelling before pandas 2.2


def test_airline_values():
    """The published Series G totals."""
    series = load_airline()
    assert series.iloc[:3].tolist() == [112, 118, 132]
    assert series.sum() == 40363 and series.min() == 104 and series.max() == 622
    assert series.iloc[-1] == 432


def test_co2_values():
    """Monthly means of statsmodels' weekly Mauna Loa record, gaps interpolated."""
    series = load_co2()
    # March 1958 holds one week (1958-03-29: 316.1); December 2001 averages
    # five weeks (370.3, 370.8, 371.2, 371.3, 371.5).
    assert series.iloc[0] == 316.1 and series.iloc[-1] == 371.02
    assert series.iloc[1:3].tolist() == [317.2, 317.43]
    assert series.min() == 313.4 and series.idxmin() == pd.Timestamp("1959-10-01")
    assert series.max() == 373.8 and series.idxmax() == pd.Timestamp("2001-05-01")
    assert series.sum() == pytest.approx(178639.65, abs=1e-6)
    # The five months without data, filled by linear interpolation in time.
    gaps = ["1958-06-01", "1958-10-01", "1964-02-01", "1964-03-01", "1964-04-01"]
    filled = series[gaps]
    assert filled.tolist() == [316.51, 313.46, 320.07, 320.69, 321.36]
    # Rounded to 2 decimals.
    assert np.allclose(series, series.round(2), rtol=0, atol=1e-9)


def test_sunspots_values():
    """statsmodels' SUNACTIVITY column, unchanged."""
    series = load_sunspots()
    assert series.iloc[:5].tolist() == [5, 11, 16, 23, 36]
    assert series.iloc[-1] == 2.9 and series.min() == 0
    assert series.max() == 190.2 and series.idxmax() == pd.Timestamp("1957-01-01")
    assert series.sum() == pytest.approx(15373.4, abs=1e-6)


def test_nile_values():
    """statsmodels' volume column, unchanged, with its level shift near 1898."""
    series = load_nile()
    assert series.iloc[:3].tolist() == [1120, 1160, 963]
    assert series.iloc[-1] == 740 and series.sum() == 91935
    assert series.min() == 456 and series.idxmin() == pd.Timestamp("1913-01-01")
    assert series.max() == 1370 and series.idxmax() == pd.Timestamp("1879-01-01")
    assert series[:"1898"].mean() == pytest.approx(1097.75)
    assert series["1899":].mean() == pytest.approx(849.9722, abs=1e-4)
