"""Do skseq's 90% intervals hold 90% of the values they have not seen?

For each bundled series (airline, co2, sunspots, nile) the first 80% is the
training series and the last 20% the test. Every model is fitted once on the
training series and never refitted; on the test it forecasts

* one step ahead: each test value from the ``window_length`` true values
  just before it;
* twelve steps ahead: from every origin in the test whose next 12 values are
  in the test, a recursive forecast of 12 values (``skseq.forecast``).

Methods, all at coverage 0.9:

* ``dense``: ``ConformalRegressor(Pipeline([SequenceWindower, DenseRegressor()]))``,
  the network and the wrapper at their defaults (``epochs="auto"``;
  normalized scores in series mode); calibration on the last
  ``max(20%, 20)`` training values (20 values give 9 origins for a 12-step
  recursion, the fewest a 0.9 quantile needs), then refitted on the whole
  training series;
* ``dense-abs``: the same with ``conformity_score="absolute"`` (one width
  per step ahead, the default before normalized scores);
* ``dense-aci``: ``dense`` with ``method="aci"`` (gamma 0.005) and
  ``update`` after each test value (one step only: no refit, the scores
  roll forward);
* ``dense-gauss``: the refitted network of ``dense`` with Gaussian intervals
  ``+- 1.645 sigma_h`` from its in-sample h-step residuals on the training
  series (what one gets without a held-out set);
* ``snaive`` and ``snaive-abs``: split-conformal seasonal naive (season 12,
  12, 11 and 1), normalized and absolute scores.

Reported: coverage (share of test values inside), mean width and mean
Winkler score per series; the coverage pooled over the four series with its
95% binomial band ``0.9 +- 1.96 sqrt(0.09 / m)``, m the number of distinct
test values (for 12 steps each test value is scored up to 12 times, once per
step from 12 origins, and those hits go together; counting every pair would
make the band about 3 times too narrow, so m counts the values, and the
band is a guide); the width of each step ahead; and, where the network is
more accurate than seasonal naive (MAE), whether its intervals are narrower
(both with the same conformity score). The MAE of each method is given so
that widths can be read against accuracy.

Usage::

    python benchmarks/bench_intervals.py > benchmarks/results_intervals.txt
    python benchmarks/bench_intervals.py --quick   # 5 epochs, to try it out
"""

import argparse
import math
import time

import numpy as np
from _environment import print_environment
from scipy import stats
from sklearn.pipeline import Pipeline

import skseq
from skseq import ConformalRegressor, SeasonalNaiveRegressor, SequenceWindower
from skseq._intervals import recursive_paths
from skseq.datasets import load_airline, load_co2, load_nile, load_sunspots
from skseq.metrics import empirical_coverage, mean_width, winkler_score

COVERAGE = 0.9
STEPS = 12
TRAIN_FRACTION = 0.8
SERIES = {
    "airline": (load_airline, 12, 12),  # loader, window_length, season
    "co2": (load_co2, 12, 12),
    "sunspots": (load_sunspots, 11, 11),
    "nile": (load_nile, 5, 1),
}
METHODS = (
    "dense",
    "dense-abs",
    "dense-aci",
    "dense-gauss",
    "snaive",
    "snaive-abs",
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 epochs")
    parser.add_argument("--seed", type=int, default=0, help="the network's seed")
    args = parser.parse_args()
    epochs = 5 if args.quick else "auto"  # the default network
    start = time.perf_counter()
    print_environment()
    print(
        f"coverage {COVERAGE}, steps 1 and {STEPS}, epochs {epochs}, seed {args.seed}\n"
    )
    results = {}
    for name, (loader, window_length, season) in SERIES.items():
        series = loader().to_numpy()
        results[name] = _run_series(series, window_length, season, epochs, args.seed)
    _report(results)
    print(f"\nwall time {time.perf_counter() - start:.0f}s")


def _run_series(series, window_length, season, epochs, seed):
    n_train = int(TRAIN_FRACTION * len(series))
    train = series[:n_train]
    n_cal = max(math.ceil(0.2 * n_train), STEPS + 8)

    def windowed(model):
        return Pipeline([("window", SequenceWindower(window_length)), ("model", model)])

    dense = windowed(skseq.DenseRegressor(epochs=epochs, random_state=seed))
    models = {
        "dense": ConformalRegressor(dense, COVERAGE, calibration_size=n_cal),
        "dense-abs": ConformalRegressor(
            dense, COVERAGE, calibration_size=n_cal, conformity_score="absolute"
        ),
        "snaive": ConformalRegressor(
            windowed(SeasonalNaiveRegressor(season)), COVERAGE, calibration_size=n_cal
        ),
        "snaive-abs": ConformalRegressor(
            windowed(SeasonalNaiveRegressor(season)),
            COVERAGE,
            calibration_size=n_cal,
            conformity_score="absolute",
        ),
    }
    for model in models.values():
        model.fit(train)
    # One-step: the windows that end before each test value.
    context = series[n_train - window_length :]
    truth = series[n_train:]
    out = {}
    for name, model in models.items():
        interval = model.predict_interval(context)[:-1]
        out[name] = {"one": (truth, model.predict(context)[:-1], interval)}
    aci = ConformalRegressor(dense, COVERAGE, calibration_size=n_cal, method="aci").fit(
        train
    )
    bounds = []
    for t in range(n_train, len(series)):
        frame = aci.forecast_interval(series[:t], 1)
        bounds.append(frame[["lower", "upper"]].to_numpy()[0])
        aci.update(series[t : t + 1])
    out["dense-aci"] = {"one": (truth, None, np.array(bounds))}
    # Twelve steps: a recursive forecast from every test origin.
    origins = range(n_train, len(series) - STEPS + 1)
    targets = np.stack([series[o : o + STEPS] for o in origins])
    for name, model in models.items():
        frames = [model.forecast_interval(series[:o], STEPS) for o in origins]
        interval = np.stack([f[["lower", "upper"]].to_numpy() for f in frames])
        point = np.stack([f["forecast"].to_numpy() for f in frames])
        out[name]["steps"] = (targets, point, interval)
    out["dense-gauss"] = _gaussian(
        models["dense"].estimator_, series, n_train, window_length, origins
    )
    return out


def _gaussian(pipe, series, n_train, window_length, origins):
    """Intervals from the in-sample h-step residuals of the fitted network."""
    z = stats.norm.ppf(0.5 + COVERAGE / 2)
    train = series[:n_train]
    ends = np.arange(window_length - 1, n_train - 1)
    windows = np.stack([train[e - window_length + 1 : e + 1] for e in ends])
    paths = recursive_paths(pipe, windows, STEPS)
    padded = np.concatenate([train, np.full(STEPS, np.nan)])
    truth = np.stack([padded[e + 1 : e + 1 + STEPS] for e in ends])
    sigma = np.nanstd(truth - paths, axis=0, ddof=1)
    context = series[n_train - window_length : -1]
    one_point = pipe.predict(context)
    one = np.stack([one_point - z * sigma[0], one_point + z * sigma[0]], axis=1)
    test_windows = np.stack([series[o - window_length : o] for o in origins])
    steps_point = recursive_paths(pipe, test_windows, STEPS)
    steps = np.stack([steps_point - z * sigma, steps_point + z * sigma], axis=-1)
    targets = np.stack([series[o : o + STEPS] for o in origins])
    return {
        "one": (series[n_train:], one_point, one),
        "steps": (targets, steps_point, steps),
    }


def _report(results):
    print("Table 1: per series (coverage in %, width and Winkler in the series' units)")
    header = (
        f"{'series':9} {'method':12} {'mae1':>7} | {'cov1':>5} {'width1':>8} "
        f"{'winkler1':>9} | {'mae12':>7} {'cov12':>5} {'width12':>8} {'winkler12':>9}"
    )
    print(header)
    print("-" * len(header))
    for series, methods in results.items():
        for method in METHODS:
            row = methods[method]
            line = f"{series:9} {method:12} {_mae(row['one']):>7} | "
            line += _cells(row["one"]) + " | "
            if "steps" in row:
                line += f"{_mae(row['steps']):>7} " + _cells(row["steps"])
            print(line)
    print(
        "\nTable 2: coverage pooled over the four series, with the 95% binomial"
        "\nband of its number of distinct test values"
    )
    for key, label in (("one", "1 step"), ("steps", f"{STEPS} steps")):
        print(f"  {label}:")
        for method in METHODS:
            parts = [r[method][key] for r in results.values() if key in r[method]]
            if not parts:
                continue
            hits = sum(_hits(truth, interval).sum() for truth, _, interval in parts)
            pairs = sum(truth.size for truth, _, _ in parts)
            # Distinct test values: a path of STEPS per origin, origins in a row.
            m = sum(
                t.shape[0] + t.shape[-1] - 1 if t.ndim == 2 else t.size
                for t, _, _ in parts
            )
            band = 1.96 * math.sqrt(COVERAGE * (1 - COVERAGE) / m)
            rate = hits / pairs
            inside = "inside" if abs(rate - COVERAGE) <= band else "OUTSIDE"
            print(
                f"    {method:12} {rate:6.1%} of {pairs:5d} ({m} values)  band "
                f"[{COVERAGE - band:.1%}, {COVERAGE + band:.1%}]  {inside}"
            )
    print(f"\nTable 3: mean width of each step ahead (recursive, 1..{STEPS})")
    for series, methods in results.items():
        for method in METHODS:
            if "steps" not in methods[method]:
                continue
            _, _, interval = methods[method]["steps"]
            widths = np.mean(interval[..., 1] - interval[..., 0], axis=0)
            slack = 1e-9 * np.max(np.abs(interval))  # float rounding of bounds
            grows = "" if np.all(np.diff(widths) >= -slack) else "  (narrows)"
            print(
                f"  {series:9} {method:12} "
                + " ".join(f"{w:6.3g}" for w in widths)
                + grows
            )
    print(
        "\nTable 4: where the network is more accurate than seasonal naive (MAE),"
        "\nare its intervals narrower? (the same conformity score for both)"
    )
    for series, methods in results.items():
        for key, label in (("one", "1 step"), ("steps", f"{STEPS} steps")):
            for net, naive in (("dense", "snaive"), ("dense-abs", "snaive-abs")):
                a, b = methods[net][key], methods[naive][key]
                if _mae(a) == "" or float(_mae(a)) >= float(_mae(b)):
                    verdict = "network not more accurate"
                else:
                    wider = mean_width(a[2]) > mean_width(b[2])
                    verdict = "WIDER" if wider else "narrower"
                print(
                    f"  {series:9} {label:9} {net:11} vs {naive:12} MAE "
                    f"{_mae(a):>7} vs {_mae(b):>7}, width {mean_width(a[2]):8.4g} "
                    f"vs {mean_width(b[2]):8.4g}: {verdict}"
                )


def _mae(row):
    truth, predicted, _ = row
    if predicted is None:
        return ""
    return f"{np.mean(np.abs(truth - predicted)):.4g}"


def _cells(row):
    truth, _, interval = row
    return (
        f"{100 * empirical_coverage(truth, interval):5.1f} "
        f"{mean_width(interval):8.4g} {winkler_score(truth, interval, COVERAGE):9.4g}"
    )


def _hits(truth, interval):
    return (interval[..., 0] <= truth) & (truth <= interval[..., 1])


if __name__ == "__main__":
    main()
