"""plot_forecast: dates on the x axis, one shaded band per coverage."""

import matplotlib
import pytest
from sklearn.pipeline import make_pipeline

from skseq import (
    ConformalRegressor,
    SeasonalNaiveRegressor,
    SequenceWindower,
    forecast,
    plot_forecast,
)
from skseq.datasets import load_airline


@pytest.fixture
def airline_forecast():
    matplotlib.use("Agg")
    series = load_airline()
    pipe = make_pipeline(SequenceWindower(12), SeasonalNaiveRegressor(12))
    cr = ConformalRegressor(pipe, calibration_size=40).fit(series)
    return series, cr


def test_history_forecast_and_bands_on_a_date_axis(airline_forecast, tmp_path):
    series, cr = airline_forecast
    frame = forecast(cr, series, steps=12, coverage=[0.8, 0.95])
    path = tmp_path / "forecast.png"
    figure = plot_forecast(series, frame, history=36, path=path)
    ax = figure.axes[0]
    assert len(ax.collections) == 2  # one band per coverage
    observed, predicted = ax.lines
    assert len(observed.get_xdata()) == 36 and len(predicted.get_xdata()) == 12
    figure.canvas.draw()
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    assert "1959-01" in ticks and "1961-01" in ticks  # dates, not positions
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "95% interval" in labels and "80% interval" in labels
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_one_coverage_band_is_labelled_with_it(airline_forecast):
    series, cr = airline_forecast
    frame = forecast(cr, series, steps=6, coverage=0.9)
    figure = plot_forecast(series.to_numpy(), frame)
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert "90% interval" in labels


def test_a_point_forecast_is_refused(airline_forecast):
    series, cr = airline_forecast
    with pytest.raises(TypeError, match="coverage"):
        plot_forecast(series, forecast(cr, series, steps=3))
