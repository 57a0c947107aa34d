"""One network over eleven firms: the Grunfeld panel, global against local.

The Grunfeld data (skseq.datasets.load_grunfeld) give the yearly investment
of 11 US firms, 1935-1954, with each firm's market value and capital as
past covariates. Firms differ in size by two orders of magnitude; 20 years
are far too few to train a network on one firm. This example

1. compares, on the same PanelTimeSeriesSplit folds (3 folds, the next 3
   years of every firm), naive persistence, one Dense network trained on
   all firms (global) and one Dense network per firm (local, PerSeries);
2. fits the global network on every year and forecasts 1955-1957 for every
   firm, and draws the history and forecasts of four firms.

Run: python examples/panel.py  (about a minute on 2 CPU cores); writes
docs/_static/panel_forecast.png.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from skseq import (  # noqa: E402
    DenseRegressor,
    NaiveRegressor,
    PanelTimeSeriesSplit,
    PerSeries,
    SequenceWindower,
    compare,
    forecast,
)
from skseq.datasets import load_grunfeld  # noqa: E402

HORIZON = 3
PICTURE = (
    Path(__file__).resolve().parents[1] / "docs" / "_static" / "panel_forecast.png"
)


def pipeline(model):
    window = SequenceWindower(
        4, id_column="firm", time_column="year", target_column="invest"
    )
    return Pipeline([("window", window), ("model", model)])


def main():
    panel = load_grunfeld()
    dense = pipeline(DenseRegressor((32,), horizon=HORIZON, epochs=100))
    models = {
        "naive": pipeline(NaiveRegressor(horizon=HORIZON)),
        "Dense, global": dense,
        "Dense, per firm": PerSeries(dense),
    }
    cv = PanelTimeSeriesSplit(
        n_splits=3, test_size=HORIZON, id_column="firm", time_column="year"
    )
    table = compare(models, panel, cv=cv, seeds=(0, 1, 2), verbose=0)
    columns = ["mae", "mase_mean", "mase_median", "n_params", "fit_time_s", "p_value"]
    print("Grunfeld, 11 firms; 3 folds of the next 3 years; 3 seeds")
    print(table[columns].to_string(float_format=lambda v: f"{v:.3g}"))

    fitted = pipeline(
        DenseRegressor((32,), horizon=HORIZON, epochs=100, random_state=0)
    ).fit(panel)
    future = forecast(fitted, panel, steps=HORIZON)
    firms = ["General Motors", "US Steel", "Westinghouse", "Diamond Match"]
    figure, axes = plt.subplots(1, len(firms), figsize=(14, 3.4))
    for axis, firm in zip(axes, firms, strict=True):
        history = panel[panel.firm == firm]
        mine = future[future.firm == firm]
        axis.plot(history.year, history.invest, color="black", label="investment")
        axis.plot(
            [history.year.iloc[-1], *mine.year],
            [history.invest.iloc[-1], *mine.invest],
            color="tab:blue",
            marker="o",
            label="global Dense forecast",
        )
        axis.set(title=firm, xlabel="year")
    axes[0].set_ylabel("gross investment (1947 $m)")
    axes[0].legend(fontsize="small")
    figure.suptitle("One network for 11 firms of very different sizes")
    figure.tight_layout()
    figure.savefig(PICTURE, dpi=100)
    print(f"\nforecasts 1955-1957 of the first firms:\n{future.head(6).to_string()}")
    print(f"picture written to {PICTURE}")


if __name__ == "__main__":
    main()
