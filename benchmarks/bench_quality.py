"""Forecast quality of skseq's default networks on four real series.

For each bundled series (airline, co2, sunspots, nile) the first 80% trains
and the last 20% is forecast one step ahead: every test value is predicted
from the ``window_length`` values just before it (the true ones, so errors
do not pile up). The score is the mean absolute error (MAE) in the series'
own units.

Models, all with their DEFAULT settings except ``window_length`` and
``random_state``:

* ``naive``: persistence, each value predicted by the one before it;
* ``ridge``: ``make_pipeline(StandardScaler(), Ridge())`` (alpha=1.0) on the
  same lags, ``X`` = the ``window_length`` values before each target;
* ``dense``: ``DenseRegressor()`` (Dense(100, relu), batch 32, epochs
  "auto": half the training windows within 10-100, so airline 51, co2 100,
  sunspots 100, nile 37);
* ``simple``, ``lstm``, ``gru``: ``RNNRegressor(cell=...)`` (32 units,
  batch 32, epochs "auto": the same within 30-100).

Networks are fitted with ``random_state`` 0 .. S-1 (``--seeds``, default 3)
and their MAE is averaged over the seeds (the standard deviation over seeds,
ddof=1, is shown next to it).

Table 1 compares the models. Table 2 repeats ``DenseRegressor`` and
``RNNRegressor(cell="lstm")`` with each ``scaling`` in ``SCALINGS``
("last", "mean", "last+level", "mean+level", "standard", None) to show
which default is best. The default (``scaling="auto"``, which is
"last+level" on one series) is not fitted a second time: its column is the
Table 1 result. Every column with a scaling is blended with the ridge
regression (``ridge_weight="auto"``); the None column is the network alone.

Usage::

    python benchmarks/bench_quality.py            # full run, 3 seeds
    python benchmarks/bench_quality.py --quick    # 5 epochs, to try it out
    # results_window.txt: the monthly series with windows of two years
    python benchmarks/bench_quality.py --series airline co2 \\
        --window-length airline=24 --window-length co2=24
"""

import argparse
import statistics
import sys
import time

import numpy as np
from _environment import print_environment

# One-step-ahead windows per series: a year of months for the monthly ones,
# one ~11-year cycle for sunspots, a few years for the short, noisy Nile.
# The sine (one radian per step) is the window-2 check of level-aware
# scaling: a window of two values measured against its last one hides where
# on the curve it is.
WINDOW_LENGTHS = {"airline": 12, "co2": 12, "sunspots": 11, "nile": 5, "sine": 2}
TRAIN_FRACTION = 0.8
TRAIN_VALUES = {"sine": 200}  # 200 training values, the next 40 held out
NETWORKS = ("dense", "simple", "lstm", "gru")
MODELS = ("naive", "ridge", *NETWORKS)
SCALINGS = ("last", "mean", "last+level", "mean+level", "standard", None)
SCALING_MODELS = ("dense", "lstm")
MATCH_TOLERANCE = 0.05  # within 5% of ridge counts as matching it
QUICK_EPOCHS = 5


# --- data ----------------------------------------------------------------


def load_series():
    from skseq.datasets import load_airline, load_co2, load_nile, load_sunspots

    loaders = {
        "airline": load_airline,
        "co2": load_co2,
        "sunspots": load_sunspots,
        "nile": load_nile,
    }
    series = {name: load().to_numpy(dtype=np.float64) for name, load in loaders.items()}
    series["sine"] = np.sin(np.arange(240.0))
    return series


def split_point(series, name):
    return TRAIN_VALUES.get(name, int(len(series) * TRAIN_FRACTION))


def lag_matrix(values, window_length):
    """The ``window_length`` values before each target, and the targets."""
    from numpy.lib.stride_tricks import sliding_window_view

    X = sliding_window_view(values, window_length)[:-1]
    return X, values[window_length:]


def r2(predictions, targets):
    residual = np.sum((targets - np.asarray(predictions)) ** 2)
    return float(1 - residual / np.sum((targets - targets.mean()) ** 2))


def mae(predictions, targets):
    return float(np.mean(np.abs(np.asarray(predictions) - targets)))


# --- models --------------------------------------------------------------


def naive_mae(series, split):
    return mae(series[split - 1 : -1], series[split:])


def ridge_mae(series, split, window_length):
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_train, y_train = lag_matrix(series[:split], window_length)
    X_test, y_test = lag_matrix(series[split - window_length :], window_length)
    model = make_pipeline(StandardScaler(), Ridge()).fit(X_train, y_train)
    assert np.array_equal(y_test, series[split:])
    return mae(model.predict(X_test), y_test)


def default_scaling():
    from skseq import DenseRegressor, RNNRegressor

    assert DenseRegressor().scaling == RNNRegressor().scaling
    return DenseRegressor().scaling


def make_network(kind, seed, scaling, epochs, overrides=()):
    """A default network; ``overrides`` are (kind or "rnn", name, value)."""
    from skseq import DenseRegressor, RNNRegressor

    params = {"random_state": seed}
    if scaling != default_scaling():
        params["scaling"] = scaling
    if epochs is not None:  # only --quick / --epochs; otherwise the default
        params["epochs"] = epochs
    for target, name, value in overrides:
        if target == kind or (target == "rnn" and kind != "dense"):
            params[name] = value
    if kind == "dense":
        return DenseRegressor(**params)
    return RNNRegressor(cell=kind, **params)


def network_mae(series, split, window_length, kind, seed, scaling, epochs, overrides):
    """Series-mode pipeline fitted on the first values; MAE on the rest."""
    from sklearn.pipeline import Pipeline

    from skseq import SequenceWindower

    pipe = Pipeline(
        [
            ("window", SequenceWindower(window_length=window_length)),
            ("model", make_network(kind, seed, scaling, epochs, overrides)),
        ]
    )
    try:
        pipe.fit(series[:split])
    except FloatingPointError:  # training diverged: reported as nan
        return float("nan"), float("nan")
    # One prediction per window of series[split - k:]; the last window's
    # target lies beyond the series, the others' are series[split:].
    predictions = pipe.predict(series[split - window_length :])
    assert len(predictions) == len(series) - split + 1
    held_out = predictions[:-1], series[split:]
    return mae(*held_out), r2(*held_out)


class Score:
    """MAE over seeds (or a single deterministic value)."""

    def __init__(self, values, r2=()):
        self.values = list(values)
        self.r2 = list(r2)  # held-out R² per seed, for networks

    @property
    def mean(self):
        return float(np.mean(self.values))

    @property
    def std(self):
        return statistics.stdev(self.values) if len(self.values) > 1 else 0.0

    def cell(self, decimals):
        if np.isnan(self.mean):
            return "nan"
        if len(self.values) == 1:
            return f"{self.mean:.{decimals}f}"
        return f"{self.mean:.{decimals}f} ±{self.std:.{decimals}f}"


def geo_mean(values):
    return float(np.exp(np.mean(np.log(values))))


def decimals_for(naive):
    """Enough decimals to compare errors of the size of the naive one."""
    return max(0, 3 - int(np.floor(np.log10(naive))))


# --- tables --------------------------------------------------------------


def print_table(header, rows, first_width=10, width=16):
    print(f"{header[0]:<{first_width}}" + "".join(f"{h:>{width}}" for h in header[1:]))
    print("-" * (first_width + width * (len(header) - 1)))
    for row in rows:
        print(f"{row[0]:<{first_width}}" + "".join(f"{c:>{width}}" for c in row[1:]))


def scaling_name(scaling):
    return "None" if scaling is None else scaling


def print_model_table(names, scores):
    print()
    print("Table 1: one-step-ahead MAE on the last 20% (mean ±std over seeds)")
    print()
    header = ["series", *MODELS]
    rows = []
    for name in names:
        digits = decimals_for(scores[name]["naive"].mean)
        rows.append([name, *(scores[name][m].cell(digits) for m in MODELS)])
    print_table(header, rows)
    print()
    print(
        "Ratios to naive and to ridge (< 1 is better). beats naive: MAE < naive; "
        f"matches ridge: MAE <= {1 + MATCH_TOLERANCE:.2f} x ridge."
    )
    beats = dict.fromkeys(NETWORKS, 0)
    matches = dict.fromkeys(NETWORKS, 0)
    for name in names:
        naive = scores[name]["naive"].mean
        ridge = scores[name]["ridge"].mean
        parts = []
        for kind in NETWORKS:
            value = scores[name][kind].mean
            beat = value < naive
            match = value <= (1 + MATCH_TOLERANCE) * ridge
            beats[kind] += beat
            matches[kind] += match
            verdict_naive = "beats naive" if beat else "LOSES to naive"
            if value < ridge:
                verdict_ridge = "beats ridge"
            elif match:
                verdict_ridge = "matches ridge"
            else:
                verdict_ridge = "WORSE than ridge"
            parts.append(
                f"{kind} {value / naive:.2f}/{value / ridge:.2f} "
                f"({verdict_naive}, {verdict_ridge})"
            )
        print(f"  {name:<9} " + "; ".join(parts))
        print(f"  {'':<9} ridge/naive = {ridge / naive:.2f}")
    print()
    n = len(names)
    for kind in NETWORKS:
        print(
            f"  {kind:<7}: beats naive on {beats[kind]}/{n} series, "
            f"matches or beats ridge on {matches[kind]}/{n}"
        )


def print_scaling_table(names, scores):
    print()
    print(
        "Table 2: MAE by scaling (mean ±std over seeds); "
        f'"{default_scaling()}" is the default (= Table 1); * marks the best per '
        "series"
    )
    overall_wins = dict.fromkeys(SCALINGS, 0)
    overall_relative = {s: [] for s in SCALINGS}
    for kind in SCALING_MODELS:
        print()
        label = "DenseRegressor" if kind == "dense" else f'RNNRegressor(cell="{kind}")'
        print(label)
        header = ["series", *(scaling_name(s) for s in SCALINGS)]
        rows = []
        wins = dict.fromkeys(SCALINGS, 0)
        near = dict.fromkeys(SCALINGS, 0)
        relative = {s: [] for s in SCALINGS}
        for name in names:
            digits = decimals_for(scores[name]["naive"].mean)
            by_scaling = {s: scores[name][(kind, s)] for s in SCALINGS}
            means = {s: by_scaling[s].mean for s in SCALINGS}
            finite = {s: v for s, v in means.items() if np.isfinite(v)}
            best = min(finite, key=finite.get)
            wins[best] += 1
            overall_wins[best] += 1
            for s in SCALINGS:
                if s in finite and finite[s] <= (1 + MATCH_TOLERANCE) * finite[best]:
                    near[s] += 1
                relative[s].append(means[s] / scores[name]["naive"].mean)
                overall_relative[s].append(relative[s][-1])
            rows.append(
                [
                    name,
                    *(
                        by_scaling[s].cell(digits) + ("*" if s == best else " ")
                        for s in SCALINGS
                    ),
                ]
            )
        print_table(header, rows, width=17)
        n = len(names)
        print(
            "  best on     : "
            + ", ".join(f"{scaling_name(s)} {wins[s]}/{n}" for s in SCALINGS)
        )
        print(
            "  within 5%   : "
            + ", ".join(f"{scaling_name(s)} {near[s]}/{n}" for s in SCALINGS)
        )
        print(
            "  geo-mean MAE/naive: "
            + ", ".join(
                f"{scaling_name(s)} {geo_mean(relative[s]):.3f}" for s in SCALINGS
            )
        )
    if "sine" in names:
        print()
        print("Held-out R² on the sine (window 2), lowest over seeds:")
        for kind in SCALING_MODELS:
            cells = [
                f"{scaling_name(s)} {min(scores['sine'][(kind, s)].r2):.4f}"
                for s in SCALINGS
            ]
            print(f"  {kind:<6}: " + ", ".join(cells))
    total = len(names) * len(SCALING_MODELS)
    print()
    print(
        "Overall, best scaling on "
        + ", ".join(f"{scaling_name(s)} {overall_wins[s]}/{total}" for s in SCALINGS)
        + " (series x model)"
    )
    print(
        "Overall geo-mean MAE/naive: "
        + ", ".join(
            f"{scaling_name(s)} {geo_mean(overall_relative[s]):.3f}" for s in SCALINGS
        )
    )


# --- main ----------------------------------------------------------------


def parse_override(text):
    """``"lstm.learning_rate=0.01"`` -> ``("lstm", "learning_rate", 0.01)``."""
    import ast

    target, _, assignment = text.partition(".")
    name, _, value = assignment.partition("=")
    if target not in (*NETWORKS, "rnn") or not name or not value:
        raise SystemExit(f"--param {text!r}: expected KIND.NAME=VALUE")
    try:
        value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        pass  # a plain string such as mae
    return target, name, value


def parse_windows(texts, parser):
    """``SERIES=K`` pairs from ``--window-length``, checked."""
    windows = {}
    for text in texts:
        name, _, value = text.partition("=")
        if name not in WINDOW_LENGTHS or not value.isdigit() or int(value) < 1:
            parser.error(
                f"--window-length expects SERIES=K with SERIES one of "
                f"{', '.join(WINDOW_LENGTHS)} and K a positive integer, got {text!r}"
            )
        windows[name] = int(value)
    return windows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds",
        type=int,
        default=3,
        help="random_state 0 .. SEEDS-1 per network (default 3)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_EPOCHS} epochs per fit instead of the default, to try it out",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="override the networks' epochs (default: their own, 'auto')",
    )
    parser.add_argument(
        "--series",
        nargs="+",
        choices=list(WINDOW_LENGTHS),
        default=list(WINDOW_LENGTHS),
        help="series to run (default: all four)",
    )
    parser.add_argument("--no-scaling-table", action="store_true", help="skip Table 2")
    parser.add_argument(
        "--window-length",
        action="append",
        default=[],
        metavar="SERIES=K",
        help="windows of K values for SERIES instead of WINDOW_LENGTHS's, e.g. "
        "airline=24; repeatable",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KIND.NAME=VALUE",
        help="try a non-default setting, e.g. lstm.learning_rate=0.01 or "
        "rnn.epochs=200 (rnn: every recurrent network); repeatable",
    )
    args = parser.parse_args()
    epochs = args.epochs
    if args.quick and epochs is None:
        epochs = QUICK_EPOCHS

    overrides = [parse_override(text) for text in args.param]
    window_lengths = {**WINDOW_LENGTHS, **parse_windows(args.window_length, parser)}
    start = time.perf_counter()
    print_environment()
    print(f"command   : {' '.join(['python', *sys.argv])}")
    print(
        f"settings  : seeds 0..{args.seeds - 1}, "
        f"epochs {'default (auto)' if epochs is None else epochs}, batch default (32), "
        f"train first {TRAIN_FRACTION:.0%}, test last {1 - TRAIN_FRACTION:.0%}"
    )
    print("ridge     : make_pipeline(StandardScaler(), Ridge()) (alpha=1.0)")
    for target, name, value in overrides:
        print(f"override  : {target}.{name} = {value!r}")
    print()

    series = load_series()
    names = args.series
    default = default_scaling()
    scalings = SCALINGS if not args.no_scaling_table else (default,)
    seeds = range(args.seeds)
    scores = {}
    fit_seconds = {}
    n_fits = 0
    for name in names:
        values = series[name]
        k = window_lengths[name]
        split = split_point(values, name)
        print(
            f"{name}: {len(values)} values, train {split}, test {len(values) - split}, "
            f"window_length {k}",
            flush=True,
        )
        result = {
            "naive": Score([naive_mae(values, split)]),
            "ridge": Score([ridge_mae(values, split, k)]),
        }
        jobs = [(kind, default) for kind in NETWORKS]
        others = [s for s in scalings if s != default]
        jobs += [(kind, s) for kind in SCALING_MODELS for s in others]
        for kind, scaling in jobs:
            tic = time.perf_counter()
            fits = [
                network_mae(values, split, k, kind, seed, scaling, epochs, overrides)
                for seed in seeds
            ]
            maes = [fit[0] for fit in fits]
            seconds = time.perf_counter() - tic
            n_fits += len(maes)
            fit_seconds[kind] = fit_seconds.get(kind, 0.0) + seconds
            score = Score(maes, r2=[fit[1] for fit in fits])
            result[(kind, scaling)] = score
            if scaling == default:
                result[kind] = score
            digits = decimals_for(result["naive"].mean)
            print(
                f"  {kind:<7} scaling={scaling_name(scaling):<9} MAE per seed: "
                + " ".join(f"{m:.{digits}f}" for m in maes)
                + f"   ({seconds / len(maes):.1f} s/fit)",
                flush=True,
            )
        scores[name] = result

    print_model_table(names, scores)
    if not args.no_scaling_table:
        print_scaling_table(names, scores)

    total = time.perf_counter() - start
    print()
    print(
        f"{n_fits} network fits: "
        + ", ".join(f"{kind} {seconds:.0f} s" for kind, seconds in fit_seconds.items())
    )
    print(f"total run time: {total:.1f} s ({total / 60:.1f} min)")


if __name__ == "__main__":
    main()
