"""The classic lesson's workload: raw Keras versus skseq on nine numbers.

The series ``[1, 3, 5, 2, 4, 9, 7, 6, 8]`` is cut into windows of two values,
each followed by the value to predict (7 windows). Raw Keras trains the
lesson's networks exactly as the lesson does (``Sequential`` +
``model.fit(epochs=200, batch_size=1)``); skseq trains the same networks in a
series-mode pipeline with ``scaling=None``, so both minimise the same loss on
the same raw values. Fits alternate raw, skseq, raw, skseq in one process,
after an untimed warm-up fit of every kind.

Usage::

    python benchmarks/bench_lesson.py            # seeds 0..4, 200 epochs
    python benchmarks/bench_lesson.py --seeds 1 --epochs 20
"""

import argparse
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
    """Build, compile and fit the lesson's network exactly as the lesson does."""
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


def fit_raw_reshuffled(keras, kind, seed, epochs, X, y):
    """The lesson's network, reshuffled by hand before every epoch (untimed).

    Seeded ``Model.fit(shuffle=True)`` replays one permutation in every epoch
    (its tf.data pipeline is rebuilt with the same op seed); skseq draws a new
    one per epoch. This arm gives raw Keras skseq's shuffling, so that the
    accuracy of the two can be compared like for like.
    """
    model = fit_raw(keras, kind, seed, 0, X, y)
    inputs = X[:, :, np.newaxis] if kind == "rnn" else X
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(y))
        model.fit(inputs[order], y[order], batch_size=1, shuffle=False, verbose=0)
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
            random_state=seed,
        )
    else:
        model = RNNRegressor(
            cell="simple",
            units=500,
            epochs=epochs,
            batch_size=1,
            scaling=scaling,
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
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument(
        "--epochs", type=int, default=200, help="epochs per fit (default 200)"
    )
    args = parser.parse_args()

    from skseq._keras import keras  # imports TensorFlow quietly

    print_environment()
    seeds = list(range(args.seeds))
    print(
        f"workload  : series {SERIES.astype(int).tolist()}, windows of {WINDOW} -> "
        f"next value ({len(SERIES) - WINDOW} windows), epochs={args.epochs}, "
        f"batch_size=1, adam, mse, seeds {seeds}"
    )
    X, y = lesson_data()

    # One untimed fit of every kind first: TensorFlow's one-off start-up
    # (thread pools, kernel registration, first graph) is not what we time.
    for kind in KINDS:
        fit_raw(keras, kind, 0, 1, X, y)
        fit_skseq(kind, 0, 1, None)
        fit_skseq(kind, 0, 1, "standard")

    times = {(side, kind): [] for side in ("raw", "skseq", "std") for kind in KINDS}
    results = {key: [] for key in times}
    for kind in KINDS:
        results["reshuffled", kind] = []
    for seed in seeds:
        for kind in KINDS:
            # A B A B: raw Keras, then skseq, on the same seed.
            seconds, model = timed(fit_raw, keras, kind, seed, args.epochs, X, y)
            times["raw", kind].append(seconds)
            results["raw", kind].append(raw_metrics(kind, model, X, y))
            del model
            seconds, pipe = timed(fit_skseq, kind, seed, args.epochs, None)
            times["skseq", kind].append(seconds)
            results["skseq", kind].append(skseq_metrics(pipe, y))
            seconds, pipe = timed(fit_skseq, kind, seed, args.epochs, "standard")
            times["std", kind].append(seconds)
            results["std", kind].append(skseq_metrics(pipe, y))
            del pipe
            model = fit_raw_reshuffled(keras, kind, seed, args.epochs, X, y)
            results["reshuffled", kind].append(raw_metrics(kind, model, X, y))
            del model
            print(
                f"  seed {seed} {LABELS[kind]:<18}: raw {times['raw', kind][-1]:6.2f}"
                f" s  skseq {times['skseq', kind][-1]:6.2f} s  "
                f"skseq(standard) {times['std', kind][-1]:6.2f} s",
                flush=True,
            )

    print()
    print("Wall time of one fit (build + train), median over seeds")
    header = (
        f"{'model':<20}{'raw Keras':>11}{'skseq':>9}{'raw/skseq':>11}"
        f"{'skseq std':>11}{'raw/std':>9}"
    )
    print(header)
    print("-" * len(header))
    totals = {"raw": 0.0, "skseq": 0.0, "std": 0.0}
    for kind in KINDS:
        med = {side: statistics.median(times[side, kind]) for side in totals}
        for side in totals:
            totals[side] += med[side]
        print(
            f"{LABELS[kind]:<20}{med['raw']:9.2f} s{med['skseq']:7.2f} s"
            f"{med['raw'] / med['skseq']:10.1f}x{med['std']:9.2f} s"
            f"{med['raw'] / med['std']:8.1f}x"
        )
    print(
        f"{'total (sum of med.)':<20}{totals['raw']:9.2f} s{totals['skseq']:7.2f} s"
        f"{totals['raw'] / totals['skseq']:10.1f}x{totals['std']:9.2f} s"
        f"{totals['raw'] / totals['std']:8.1f}x"
    )

    print()
    print(
        f"Accuracy over {len(seeds)} seed(s): mean ± std  [min .. max]  "
        "(raw and skseq scaling=None do the same math)"
    )
    names = {
        "raw": "raw Keras",
        "reshuffled": "raw Keras, reshuffled",
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
            mean = statistics.fmean(values["skseq"])
            for side in ("raw", "reshuffled"):
                low, high = min(values[side]), max(values[side])
                verdict = "within" if low <= mean <= high else "OUTSIDE"
                print(
                    f"    -> skseq mean {mean:.4f} is {verdict} the range of "
                    f"{names[side]} [{low:.4f} .. {high:.4f}]"
                )
    print(f"\nload avg at end: {load_average()}")


if __name__ == "__main__":
    main()
