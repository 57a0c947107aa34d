"""Grid search over window lengths and networks: skseq versus plain scikeras.

The grid is window_length in {2, 4, 8} x {Dense(100, relu), SimpleRNN(32),
LSTM(32), GRU(32)}, each trained for 100 epochs with batch size 32 and
random_state 0, scored by R² over ``TimeSeriesSplit(n_splits=3)`` on the
airline series (144 monthly values), then the best candidate is refitted on
the whole series.

skseq does it in one ``GridSearchCV`` over a series-mode pipeline. The
baseline does the same by hand on plain ``scikeras.wrappers.KerasRegressor``:
windows with numpy, standardization with the training part's mean and
standard deviation (the statistics skseq uses, so both sides see the same
scaled data), a loop over the same folds scoring R² in original units, and a
refit of the best. Runs alternate skseq, scikeras, skseq, ... in one process,
after an untimed warm-up fit of every kind on both sides.

Usage::

    python benchmarks/bench_grid.py                # 100 epochs, 1 repeat each
    python benchmarks/bench_grid.py --quick        # 5 epochs, to try it out
"""

import argparse
import logging
import math
import statistics
import time
import warnings
from collections import Counter

import numpy as np
from _environment import load_average, print_environment
from numpy.lib.stride_tricks import sliding_window_view

WINDOW_LENGTHS = (2, 4, 8)
KINDS = ("dense", "simple", "lstm", "gru")
LABELS = {
    "dense": "Dense(100)",
    "simple": "SimpleRNN(32)",
    "lstm": "LSTM(32)",
    "gru": "GRU(32)",
}
N_SPLITS = 3
BATCH_SIZE = 32
SEED = 0
LEARNING_RATE = 0.001  # Keras's default for Adam, as the scikeras side uses


# --- skseq ---------------------------------------------------------------


def skseq_search(epochs, scaling):
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.pipeline import Pipeline

    from skseq import DenseRegressor, RNNRegressor, SequenceWindower

    # scaling is pinned (not left to the default) so that the baseline below,
    # which standardizes with the training part's statistics, sees the same
    # scaled data as skseq, and so is Adam's step size (Keras's default). The
    # forecast is the network's alone, as the baseline's (the default on one
    # series with a scaling blends it with a ridge regression).
    common = {
        "epochs": epochs,
        "batch_size": BATCH_SIZE,
        "random_state": SEED,
        "scaling": scaling,
        "learning_rate": LEARNING_RATE,
        "ridge_weight": 0.0,
    }
    # One network reading each window forward, as the baseline's Keras layer
    # does (the default on one series is the mean of two readings).
    rnn = {**common, "units": 32, "go_backwards": False}
    models = [
        DenseRegressor(**common),
        RNNRegressor(cell="simple", **rnn),
        RNNRegressor(cell="lstm", **rnn),
        RNNRegressor(cell="gru", **rnn),
    ]
    pipe = Pipeline([("window", SequenceWindower()), ("model", DenseRegressor())])
    return GridSearchCV(
        pipe,
        {"window__window_length": list(WINDOW_LENGTHS), "model": models},
        cv=TimeSeriesSplit(n_splits=N_SPLITS),
    )


def run_skseq(series, epochs, scaling):
    """Fit skseq's grid search; return {(window_length, kind): mean R²}, best."""
    search = skseq_search(epochs, scaling).fit(series)
    results = search.cv_results_
    scores = {
        (params["window__window_length"], _skseq_kind(params["model"])): float(score)
        for params, score in zip(
            results["params"], results["mean_test_score"], strict=True
        )
    }
    best = search.best_params_
    return scores, (best["window__window_length"], _skseq_kind(best["model"]))


def _skseq_kind(model):
    return getattr(model, "cell", "dense")


# --- scikeras by hand ------------------------------------------------------


def build_network(kind, window_length):
    """The layers skseq builds: Dense(100, relu) -> Dense(1), or RNN(32) -> Dense(1)."""
    from skseq._keras import keras

    if kind == "dense":
        layers = [
            keras.Input((window_length,)),
            keras.layers.Dense(100, activation="relu"),
        ]
    else:
        cell = {
            "simple": keras.layers.SimpleRNN,
            "lstm": keras.layers.LSTM,
            "gru": keras.layers.GRU,
        }[kind]
        layers = [keras.Input((window_length, 1)), cell(32)]
    return keras.Sequential([*layers, keras.layers.Dense(1)])


def make_keras_regressor(kind, window_length, epochs):
    from scikeras.wrappers import KerasRegressor

    return KerasRegressor(
        model=build_network,
        model__kind=kind,
        model__window_length=window_length,
        loss="mse",
        optimizer="adam",
        epochs=epochs,
        batch_size=BATCH_SIZE,
        verbose=0,
        random_state=SEED,
    )


def windows_and_targets(part, window_length):
    """Windows of ``part`` that have a following value, and those values."""
    X = sliding_window_view(part, window_length)[:-1]
    return np.array(X), np.array(part[window_length:])


class Scaler:
    """StandardScaler over all values of the training windows (and targets)."""

    def fit(self, values):
        self.mean_ = float(np.mean(values))
        std = float(np.std(values))
        self.scale_ = std if std > 0 else 1.0
        return self

    def transform(self, values):
        return (values - self.mean_) / self.scale_

    def inverse_transform(self, values):
        return values * self.scale_ + self.mean_


def fit_baseline(kind, window_length, epochs, train):
    """Window, scale and fit one candidate on a training part."""
    X, y = windows_and_targets(train, window_length)
    x_scaler, y_scaler = Scaler().fit(X), Scaler().fit(y)
    X = x_scaler.transform(X)
    if kind != "dense":
        X = X[:, :, np.newaxis]
    model = make_keras_regressor(kind, window_length, epochs)
    model.fit(X, y_scaler.transform(y))
    return model, x_scaler, y_scaler


def score_baseline(kind, window_length, fitted, test):
    """R² on the test part's windows, in original units."""
    from sklearn.metrics import r2_score

    model, x_scaler, y_scaler = fitted
    X, y = windows_and_targets(test, window_length)
    X = x_scaler.transform(X)
    if kind != "dense":
        X = X[:, :, np.newaxis]
    pred = y_scaler.inverse_transform(np.asarray(model.predict(X)).ravel())
    return r2_score(y, pred)


def run_scikeras(series, epochs, scaling):
    """The same search by hand; return {(window_length, kind): mean R²}, best."""
    from sklearn.model_selection import TimeSeriesSplit

    del scaling  # the baseline always standardizes, as skseq's "standard"

    folds = list(TimeSeriesSplit(n_splits=N_SPLITS).split(series))
    scores = {}
    for kind in KINDS:
        for window_length in WINDOW_LENGTHS:
            fold_scores = []
            for train_index, test_index in folds:
                try:
                    fitted = fit_baseline(
                        kind, window_length, epochs, series[train_index]
                    )
                    fold_scores.append(
                        score_baseline(kind, window_length, fitted, series[test_index])
                    )
                except Exception as error:  # as GridSearchCV's error_score=nan
                    print(
                        f"  scikeras {LABELS[kind]} L={window_length} failed: {error}"
                    )
                    fold_scores.append(math.nan)
            scores[window_length, kind] = float(np.mean(fold_scores))
    finite = {key: value for key, value in scores.items() if np.isfinite(value)}
    best = max(finite, key=finite.get) if finite else None
    if best is not None:
        fit_baseline(best[1], best[0], epochs, series)  # refit on the whole series
    return scores, best


# --- report ---------------------------------------------------------------


def warm_up(series):
    """One untimed short fit of every kind on both sides (TF start-up costs)."""
    from sklearn.pipeline import Pipeline

    from skseq import DenseRegressor, RNNRegressor, SequenceWindower

    part = series[:40]
    for kind in KINDS:
        if kind == "dense":
            model = DenseRegressor(epochs=1, random_state=SEED)
        else:
            model = RNNRegressor(
                cell=kind, epochs=1, go_backwards=False, random_state=SEED
            )
        Pipeline([("window", SequenceWindower(window_length=4)), ("model", model)]).fit(
            part
        )
        fit_baseline(kind, 4, 1, part)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--epochs", type=int, default=100, help="epochs per fit (default 100)"
    )
    parser.add_argument("--quick", action="store_true", help="5 epochs, to try it out")
    parser.add_argument(
        "--repeats", type=int, default=1, help="timed runs of each side (default 1)"
    )
    parser.add_argument(
        "--scaling",
        default="standard",
        help="skseq's scaling (default 'standard', what the baseline does; "
        "'none' for None; other values are for information only)",
    )
    args = parser.parse_args()
    epochs = 5 if args.quick else args.epochs
    scaling = None if args.scaling.lower() == "none" else args.scaling

    from skseq._keras import keras  # first: imports TensorFlow quietly
    from skseq.datasets import load_airline

    # Model.predict in scikeras retraces a tf.function for every new model;
    # TensorFlow's retracing warnings about that are noise here.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    del keras

    print_environment()
    series = load_airline().to_numpy()
    n_candidates = len(WINDOW_LENGTHS) * len(KINDS)
    print(
        f"workload  : airline ({len(series)} values), window_length "
        f"{list(WINDOW_LENGTHS)} x {[LABELS[k] for k in KINDS]} = {n_candidates} "
        f"candidates x TimeSeriesSplit({N_SPLITS}) = {n_candidates * N_SPLITS} fits "
        f"+ 1 refit; epochs={epochs}, batch_size={BATCH_SIZE}, adam, mse, "
        f"random_state={SEED}"
    )
    print(
        f"scaling   : skseq scaling={scaling!r}; the scikeras baseline standardizes "
        "windows and targets with the training part's mean and std"
        + ("" if scaling == "standard" else " (NOT the same data: information only)")
    )
    warm_up(series)

    times = {"skseq": [], "scikeras": []}
    outcome = {}
    seen = {"skseq": Counter(), "scikeras": Counter()}
    for repeat in range(args.repeats):
        for side, run in (("skseq", run_skseq), ("scikeras", run_scikeras)):
            # scikeras 0.13 predates scikit-learn 1.6+: record (rather than
            # print) any warnings either side raises, and list them below.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.perf_counter()
                outcome[side] = run(series, epochs, scaling)
                times[side].append(time.perf_counter() - start)
            for warning in caught:
                text = f"{warning.category.__name__}: {warning.message}"
                seen[side][text.splitlines()[0][:150]] += 1
            print(f"  run {repeat + 1} {side:<8}: {times[side][-1]:7.1f} s", flush=True)

    sk, base = (statistics.median(times[side]) for side in ("skseq", "scikeras"))
    print()
    print("Wall time, grid search end to end (36 fits + refit), median of runs")
    print(f"  skseq GridSearchCV        : {sk:8.1f} s")
    print(f"  scikeras by hand          : {base:8.1f} s")
    print(f"  ratio scikeras / skseq    : {base / sk:8.1f}x")

    (sk_scores, sk_best), (base_scores, base_best) = (
        outcome["skseq"],
        outcome["scikeras"],
    )
    print()
    print("Mean test R² over the 3 folds (original units)")
    header = f"{'window':>6}  {'model':<14}{'skseq':>10}{'scikeras':>10}{'|diff|':>9}"
    print(header)
    print("-" * len(header))
    diffs = []
    for window_length in WINDOW_LENGTHS:
        for kind in KINDS:
            key = window_length, kind
            diff = abs(sk_scores[key] - base_scores[key])
            diffs.append(diff)
            print(
                f"{window_length:>6}  {LABELS[kind]:<14}{sk_scores[key]:10.4f}"
                f"{base_scores[key]:10.4f}{diff:9.4f}"
            )
    failed = {
        side: sum(not np.isfinite(v) for v in scores.values())
        for side, scores in (("skseq", sk_scores), ("scikeras", base_scores))
    }
    print("-" * len(header))
    print(f"largest |diff| in mean R²: {np.nanmax(diffs):.4f}")
    print(f"candidates with a failed fold (nan): {failed}")
    for side, best, scores in (
        ("skseq", sk_best, sk_scores),
        ("scikeras", base_best, base_scores),
    ):
        if best is None:
            print(f"best {side:<9}: none")
        else:
            print(
                f"best {side:<9}: window_length={best[0]} {LABELS[best[1]]} "
                f"(mean R² {scores[best]:.4f}), refitted on the whole series"
            )
    for side, counter in seen.items():
        print(f"warnings raised during the {side} runs: {sum(counter.values())}")
        for text, count in counter.most_common(5):
            print(f"  {count:4d} x {text}")
    print(f"\nload avg at end: {load_average()}")


if __name__ == "__main__":
    main()
