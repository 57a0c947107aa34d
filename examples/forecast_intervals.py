"""Two years of airline passengers with 80% and 95% conformal intervals.

A Dense network (skseq's defaults, window of 12 months) is wrapped in a
ConformalRegressor with its default normalized scores (the swings of the
airline series grow with its level); the last 35% of the series calibrates
the intervals, then the network is refitted on all of it. The 24-month
forecast is recursive and its bands come from the same recursion run from
each held-out origin; no month's band is narrower than the month before.

Run: python examples/forecast_intervals.py  (about 15 s on 2 CPU cores)
Writes docs/_static/forecast_intervals.png and prints the forecast.
"""

from pathlib import Path

from sklearn.pipeline import Pipeline

from skseq import (
    ConformalRegressor,
    DenseRegressor,
    SequenceWindower,
    forecast,
    plot_forecast,
)
from skseq.datasets import load_airline

series = load_airline()
pipe = Pipeline(
    [("window", SequenceWindower(12)), ("model", DenseRegressor(random_state=0))]
)
# 24 recursive steps are calibrated from the origins with 24 held-out values
# after them: 0.35 of 144 holds out 51, which leaves 28 origins for step 24.
cr = ConformalRegressor(pipe, coverage=0.9, calibration_size=0.35).fit(series)
frame = forecast(cr, series, steps=24, coverage=[0.8, 0.95])
print(frame.round(1).to_string())
path = (
    Path(__file__).resolve().parents[1] / "docs" / "_static" / "forecast_intervals.png"
)
plot_forecast(
    series,
    frame,
    history=72,
    path=path,
    title="Airline passengers: Dense network, conformal intervals",
)
print(f"plot written to {path}")
