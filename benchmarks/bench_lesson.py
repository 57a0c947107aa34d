"""The classic lesson's workload: raw Keras versus skseq on nine numbers.

The series ``[1, 3, 5, 2, 4, 9, 7, 6, 8]`` is cut into windows of two values,
each followed by the value to predict (7 windows). Raw Keras trains the
lesson's networks exactly as the lesson does (``Sequential`` +
``model.fit(epochs=200, batch_size=1)``); skseq trains the same networks in a
series-mode pipeline with ``scaling=None``, so both minimise the same loss on
the same raw values. Fits alternate raw, skseq, raw, skseq in one process,
after an untimed warm-up fit of every kind.

skseq reuses the training graph it compiled for an earlier fit of the same
architecture (the warm-up's, for the first timed fit); the "cold" column
clears that cache before each fit, which is what the first fit of an
architecture in a process costs. Accuracy is compared over more seeds than
are timed, with a Mann-Whitney test, against raw Keras as the lesson runs
it (nothing seeded: fresh initial weights, and a fresh permutation of the
windows every epoch, as skseq draws them) and against raw Keras seeded with
``keras.utils.set_random_seed`` (which then replays one permutation in
every epoch).

Usage::

    python benchmarks/bench_lesson.py     # 5 timed seeds, 20 for accuracy
    python benchmarks/bench_lesson.py --seeds 1 --accuracy-seeds 2 --epochs 20
"""

import argparse
import contextlib
import statistics
import time

import numpy as np
from _environment import load_average, print_environment
from numpy.lib.stride_tricks import sliding_window_view

SERIES = np.array([1, 3, 5, 2, 4, 9, 7, 6, 8], dtype=np.float64)
WINDOW = 2
QUERY = np.array([5.0, 2.0])  # the lesson's question: what follows (5, 2)?
KINDS = ("dense", "rnn")
LABELS = {"dense": "Dense(500, linear)", "rnn": "SimpleRNN(500)"}


def lesson_data():
    """Windows of two values and the value that follows each (7 of them)."""
    X = sliding_window_view(SERIES, WINDOW)[:-1].copy()
    y = SERIES[WINDOW:].copy()
    return X, y


def fit_raw(keras, kind, seed, epochs, X, y):
    """Build, compile and fit the lesson's network exactly as the lesson does.

    With ``seed=None``, as in the lesson, nothing is seeded: initial weights
    and the order of windows in every epoch are drawn afresh. An int seeds
    everything through ``keras.utils.set_random_seed`` first, after which
    ``Model.fit(shuffle=True)`` replays one permutation in every epoch (its
    tf.data pipeline is rebuilt each epoch with the same op seed).
    """
    if seed is None:
        import tensorflow as tf

        tf.random.set_seed(None)  # as in a fresh process: no global seed
    else:
        keras.utils.set_random_seed(seed)
    if kind == "dense":
        model = keras.Sequential(
            [
                keras.Input((WINDOW,)),
                keras.layers.Dense(500, activation="linear"),
                keras.layers.Dense(1),
            ]
        )
    else:
        model = keras.Sequential(
            [
                keras.Input((WINDOW, 1)),
                keras.layers.SimpleRNN(500),
                keras.layers.Dense(1),
            ]
        )
        X = X[:, :, np.newaxis]
    model.compile("adam", "mse")
    model.fit(X, y, epochs=epochs, batch_size=1, verbose=0)
    return model


def raw_metrics(kind, model, X, y):
    """Training MSE on the windows and the prediction for (5, 2)."""
    query = QUERY[np.newaxis, :]
    if kind == "rnn":
        X, query = X[:, :, np.newaxis], query[:, :, np.newaxis]
    # Eager calls: Model.predict would retrace a tf.function for every new
    # model and log TensorFlow's retracing warning (prediction is not timed).
    pred = np.asarray(model(X.astype(np.float32)), dtype=np.float64).ravel()
    forecast = float(np.asarray(model(query.astype(np.float32))).ravel()[0])
    return float(np.mean((pred - y) ** 2)), forecast


# The lesson's Adam runs at Keras's default step size; skseq's defaults differ.
LESSON_LEARNING_RATE = 0.001


def fit_skseq(kind, seed, epochs, scaling):
    """The same work through skseq: a series-mode pipeline on the 9 numbers."""
    from sklearn.pipeline import Pipeline

    from skseq import DenseRegressor, RNNRegressor, SequenceWindower

    if kind == "dense":
        model = DenseRegressor(
            hidden_layer_sizes=(500,),
            activation="linear",
            epochs=epochs,
            batch_size=1,
            scaling=scaling,
            learning_rate=LESSON_LEARNING_RATE,
            random_state=seed,
        )
    else:
        model = RNNRegressor(
            cell="simple",
            units=500,
            epochs=epochs,
            batch_size=1,
            scaling=scaling,
            learning_rate=LESSON_LEARNING_RATE,
            # the lesson's one network, reading forward, with any scaling (on
            # one series with a scaling the default reads both ways)
            go_backwards=False,
            random_state=seed,
        )
    pipe = Pipeline(
        [("window", SequenceWindower(window_length=WINDOW)), ("model", model)]
    )
    return pipe.fit(SERIES)


def skseq_metrics(pipe, y):
    """Training MSE on the 7 windows and the prediction for (5, 2)."""
    pred = pipe.predict(SERIES)[:-1]  # the last window has no target
    forecast = float(pipe.predict(QUERY)[0])
    return float(np.mean((pred - y) ** 2)), forecast


@contextlib.contextmanager
def no_cached_graphs():
    """Fit as the first fit of an architecture would: set skseq's graphs aside."""
    from skseq.regressors import _graph_cache as _graph

    caches = (_graph._cache, _graph._forward_cache)
    saved = [cache.copy() for cache in caches]
    _graph.clear_cache()
    try:
        yield
    finally:
        for cache, entries in zip(caches, saved, strict=True):
            cache.clear()
            cache.update(entries)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def spread(values):
    """'mean ± std  [min .. max]' of a list of numbers."""
    std = statistics.pstdev(values) if len(values) > 1 else 0.0
    return (
        f"{statistics.fmean(values):9.4f} ± {std:7.4f}  "
        f"[{min(values):8.4f} .. {max(values):8.4f}]"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=int, default=5, help="timed seeds 0..N-1 (default 5)"
    )
    parser.add_argument(
        "--accuracy-seeds",
        type=int,
        default=20,
        help="seeds 0..N-1 compared for accuracy, the timed ones included (default 20)",
    )
    parser.add_argument(
        "--epochs", type=int, default=200, help="epochs per fit (default 200)"
    )
    args = parser.parse_args()

    from scipy.stats import mannwhitneyu

    from skseq._keras import keras  # imports TensorFlow quietly

    print_environment()
    n_timed = args.seeds
    seeds = list(range(max(args.seeds, args.accuracy_seeds)))
    print(
        f"workload  : series {SERIES.astype(int).tolist()}, windows of {WINDOW} -> "
        f"next value ({len(SERIES) - WINDOW} windows), epochs={args.epochs}, "
        f"batch_size=1, adam, mse; seeds 0..{n_timed - 1} timed, "
        f"0..{len(seeds) - 1} for accuracy"
    )
    X, y = lesson_data()

    # One untimed fit of every kind first: TensorFlow's one-off start-up
    # (thread pools, kernel registration, first graph) is not what we time.
    for kind in KINDS:
        fit_raw(keras, kind, 0, 1, X, y)
        fit_skseq(kind, 0, 1, None)
        fit_skseq(kind, 0, 1, "standard")

    sides = ("raw", "skseq", "cold", "std", "seeded")
    times = {(side, kind): [] for side in sides for kind in KINDS}
    results = {key: [] for key in times}
    runs = {
        "raw": lambda kind, seed: fit_raw(keras, kind, None, args.epochs, X, y),
        "skseq": lambda kind, seed: fit_skseq(kind, seed, args.epochs, None),
        "cold": lambda kind, seed: fit_skseq(kind, seed, args.epochs, None),
        "std": lambda kind, seed: fit_skseq(kind, seed, args.epochs, "standard"),
        "seeded": lambda kind, seed: fit_raw(keras, kind, seed, args.epochs, X, y),
    }
    for seed in seeds:
        for kind in KINDS:
            # A B A B: raw Keras as the lesson runs it, then skseq seeded
            # with `seed` (its graph cached from earlier fits, then without);
            # seeded raw Keras untimed.
            for side in sides:
                if side == "cold" and seed >= n_timed:
                    continue
                cold = (
                    no_cached_graphs() if side == "cold" else contextlib.nullcontext()
                )
                with cold:
                    seconds, model = timed(runs[side], kind, seed)
                times[side, kind].append(seconds)
                if side in ("raw", "seeded"):
                    results[side, kind].append(raw_metrics(kind, model, X, y))
                else:
                    results[side, kind].append(skseq_metrics(model, y))
                del model
            if seed < n_timed:
                print(
                    f"  seed {seed} {LABELS[kind]:<18}: raw "
                    f"{times['raw', kind][-1]:6.2f} s  skseq "
                    f"{times['skseq', kind][-1]:5.2f} s  cold "
                    f"{times['cold', kind][-1]:5.2f} s  standard "
                    f"{times['std', kind][-1]:5.2f} s",
                    flush=True,
                )

    print()
    print(
        f"Wall time of one fit (build + train), median over seeds 0..{n_timed - 1}; "
        "cold: the first fit of its architecture (no cached graph)"
    )
    columns = (("skseq", "skseq"), ("cold", "cold"), ("std", "standard"))
    header = f"{'model':<20}{'raw Keras':>11}" + "".join(
        f"{name:>10}{'ratio':>7}" for _, name in columns
    )
    print(header)
    print("-" * len(header))
    totals = dict.fromkeys(["raw", *(side for side, _ in columns)], 0.0)
    rows = [(LABELS[kind], kind) for kind in KINDS] + [("total (sum of med.)", None)]
    for label, kind in rows:
        if kind is not None:
            med = {
                side: statistics.median(times[side, kind][:n_timed]) for side in totals
            }
            for side in totals:
                totals[side] += med[side]
        else:
            med = totals
        line = f"{label:<20}{med['raw']:9.2f} s"
        for side, _ in columns:
            line += f"{med[side]:8.2f} s{med['raw'] / med[side]:6.1f}x"
        print(line)

    same = all(
        results["cold", kind][i] == results["skseq", kind][i]
        for kind in KINDS
        for i in range(n_timed)
    )
    print(f"cold and cached-graph fits gave identical results: {same}")

    print()
    print(
        f"Accuracy over seeds 0..{len(seeds) - 1}: mean ± std  [min .. max]; "
        "raw Keras and skseq scaling=None do the same math"
    )
    names = {
        "raw": "raw Keras (as the lesson)",
        "seeded": "raw Keras, seeded",
        "skseq": "skseq (scaling=None)",
        "std": "skseq (standard, info)",
    }
    for kind in KINDS:
        print(f"{LABELS[kind]}")
        for metric, column in (("training MSE (7 windows)", 0), ("predict (5, 2)", 1)):
            print(f"  {metric}")
            values = {side: [r[column] for r in results[side, kind]] for side in names}
            for side, name in names.items():
                print(f"    {name:<24}{spread(values[side])}")
            mean = statistics.fmean(values["skseq"][:n_timed])
            for side in ("raw", "seeded"):
                few = values[side][:n_timed]
                verdict = "within" if min(few) <= mean <= max(few) else "OUTSIDE"
                p_value = mannwhitneyu(values["skseq"], values[side]).pvalue
                print(
                    f"    -> seeds 0..{n_timed - 1}: skseq mean {mean:.4f} is "
                    f"{verdict} {names[side]}'s [{min(few):.4f} .. {max(few):.4f}]; "
                    f"all seeds: Mann-Whitney p = {p_value:.3f}"
                )
    print(f"\nload avg at end: {load_average()}")


if __name__ == "__main__":
    main()
