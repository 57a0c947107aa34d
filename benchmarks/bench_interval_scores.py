"""Normalized against absolute conformity scores on synthetic series.

Why ``ConformalRegressor``'s normalized scores have a floor and why
``conformity_score="auto"`` uses them only for windows of 4 steps or more.
Naive persistence (no network, no TensorFlow) on four kinds of series, 400
values each: a stationary AR(1) (phi 0.5), a random walk, a random walk whose
noise grows sixfold over the series (swings that grow, as on airline) and
intermittent demand (Poisson(5) on 15% of the steps, else 0). Each model is
calibrated on the last 20% of the first 300 values and scores 90% one-step
intervals on the last 100; 30 repetitions per kind and window length.

Reported: mean coverage and mean width of both scores, and the ratio of the
widths (normalized over absolute). Where both cover about 90%, a ratio above 1
is the price of a noisy scale; where absolute under-covers (growing swings),
the ratio buys coverage.

Usage::

    python benchmarks/bench_interval_scores.py                # the library's floor
    python benchmarks/bench_interval_scores.py --floor 0.001  # the earlier floor
"""

import argparse
import time
import warnings

import numpy as np
from _environment import print_environment
from sklearn.pipeline import Pipeline

import skseq._intervals
from skseq import ConformalRegressor, NaiveRegressor, SequenceWindower

KINDS = ("ar1", "random walk", "growing swings", "intermittent")
WINDOWS = (2, 3, 4, 6, 12)
REPETITIONS = 30


def make_series(kind, rng, n=400):
    if kind == "ar1":
        noise = rng.normal(size=n)
        values = np.zeros(n)
        for t in range(1, n):
            values[t] = 0.5 * values[t - 1] + noise[t]
        return values
    if kind == "random walk":
        return np.cumsum(rng.normal(size=n))
    if kind == "growing swings":
        return np.cumsum(rng.normal(size=n) * np.linspace(1, 6, n))
    return rng.poisson(5, n) * (rng.random(n) < 0.15).astype(float)


def score(kind, window_length, conformity_score):
    rng = np.random.default_rng(0)
    coverage, width = [], []
    for _ in range(REPETITIONS):
        values = make_series(kind, rng)
        train, test = values[:300], values[300:]
        pipe = Pipeline(
            [("window", SequenceWindower(window_length)), ("model", NaiveRegressor())]
        )
        cr = ConformalRegressor(pipe, 0.9, conformity_score=conformity_score)
        bounds = cr.fit(train).predict_interval(values[300 - window_length : -1])
        coverage.append(np.mean((bounds[:, 0] <= test) & (test <= bounds[:, 1])))
        width.append(np.mean(bounds[:, 1] - bounds[:, 0]))
    return np.mean(coverage), np.mean(width)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--floor",
        type=float,
        default=skseq._intervals.SCALE_FLOOR,
        help="least scale, as a fraction of the calibration windows' median",
    )
    args = parser.parse_args()
    skseq._intervals.SCALE_FLOOR = args.floor
    start = time.perf_counter()
    print_environment()
    print(f"scale floor {args.floor:g} x the median calibration window scale\n")
    print(
        f"{'series':15} {'window':>6} | {'normalized':>16} | {'absolute':>16} | ratio"
    )
    print(f"{'':15} {'':>6} | {'cover':>7} {'width':>8} | {'cover':>7} {'width':>8} |")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kind in KINDS:
            for window_length in WINDOWS:
                norm = score(kind, window_length, "normalized")
                plain = score(kind, window_length, "absolute")
                print(
                    f"{kind:15} {window_length:6d} | {norm[0]:7.3f} {norm[1]:8.2f} | "
                    f"{plain[0]:7.3f} {plain[1]:8.2f} | {norm[1] / plain[1]:5.2f}"
                )
    print(f"\nwall time {time.perf_counter() - start:.0f}s")


if __name__ == "__main__":
    main()
