"""The lesson workload on Keras's TensorFlow and JAX backends, skseq and raw Keras.

On the TensorFlow backend skseq trains with its compiled ``tf.function`` loop;
on any other backend it falls back to ``keras.Model.fit`` (see
``skseq/regressors/_training.py``). This benchmark asks whether running skseq
on JAX would be faster than skseq on TensorFlow, and how plain ``Model.fit``
compares across the two backends.

The parent starts one child process per backend and round (``KERAS_BACKEND``
set before Keras is imported), alternating backends: tensorflow, jax,
tensorflow, jax for two rounds. Each child fits, after one untimed warm-up
fit of every kind, for every seed and both networks:

* skseq: ``Pipeline([SequenceWindower(window_length=2), DenseRegressor or
  RNNRegressor])`` in series mode on ``[1, 3, 5, 2, 4, 9, 7, 6, 8]``
  (7 windows), epochs=200, batch_size=1, default scaling;
* raw Keras: the same network as a ``Sequential`` model
  (Input(2) -> Dense(500, linear) -> Dense(1), or
  Input((2, 1)) -> SimpleRNN(500) -> Dense(1)), adam, mse,
  ``model.fit(epochs=200, batch_size=1, verbose=0)``.

Each timed fit is build + compile + train. The child prints one JSON line;
the parent prints the table and the environment.

Usage::

    python benchmarks/bench_backends.py --python /tmp/jaxvenv/bin/python
    python benchmarks/bench_backends.py --seeds 1 --epochs 20 --rounds 1
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback

import numpy as np
from _environment import gpu_count, load_average, package_version, print_environment

SERIES = np.array([1, 3, 5, 2, 4, 9, 7, 6, 8], dtype=np.float64)
WINDOW = 2
KINDS = ("dense", "rnn")
LABELS = {"dense": "Dense(500, linear)", "rnn": "SimpleRNN(500)"}
SIDES = ("skseq", "raw")
BACKENDS = ("tensorflow", "jax")
MARKER = "BENCH_JSON "
PACKAGES = (
    "keras",
    "tensorflow",
    "jax",
    "jaxlib",
    "numpy",
    "scikit-learn",
    "scikeras",
    "skseq",
)


# --------------------------------------------------------------------- child


def lesson_windows():
    """Windows of two values and the value that follows each (7 of them)."""
    from numpy.lib.stride_tricks import sliding_window_view

    X = sliding_window_view(SERIES, WINDOW)[:-1].astype(np.float32)
    y = SERIES[WINDOW:].astype(np.float32)
    return X, y


def fit_skseq(kind, seed, epochs):
    """Fit bench_lesson's series-mode skseq pipeline; return its last epoch's loss."""
    from bench_lesson import fit_skseq as fit_lesson_pipeline

    pipe = fit_lesson_pipeline(kind, seed, epochs, scaling="last")
    return float(pipe[-1].history_["loss"][-1])


def fit_raw(keras, kind, seed, epochs, X, y):
    """Build, compile and fit the same network with plain Model.fit."""
    keras.utils.set_random_seed(seed)
    if kind == "dense":
        layers = [keras.Input((WINDOW,)), keras.layers.Dense(500, activation="linear")]
    else:
        layers = [keras.Input((WINDOW, 1)), keras.layers.SimpleRNN(500)]
        X = X[:, :, np.newaxis]
    model = keras.Sequential([*layers, keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(X, y, epochs=epochs, batch_size=1, verbose=0)
    return float(history.history["loss"][-1])


def run_child(args):
    """Time the fits on the backend named by KERAS_BACKEND; print one JSON line."""
    report = {
        "requested_backend": os.environ.get("KERAS_BACKEND"),
        "python": platform.python_version(),
        "executable": sys.executable,
        "versions": {name: package_version(name) for name in PACKAGES},
        "load_start": os.getloadavg(),
        "errors": {},
        "times": {},
        "losses": {},
    }
    started = time.perf_counter()
    try:
        # skseq's own import path: it imports Keras (and TensorFlow) quietly.
        from skseq._keras import keras
    except Exception:
        report["errors"]["import skseq._keras"] = traceback.format_exc()
        try:
            import keras
        except Exception:
            report["errors"]["import keras"] = traceback.format_exc()
            print(MARKER + json.dumps(report), flush=True)
            return
    report["backend"] = keras.backend.backend()
    report["import_seconds"] = time.perf_counter() - started
    X, y = lesson_windows()

    fitters = {
        "skseq": lambda kind, seed, epochs: fit_skseq(kind, seed, epochs),
        "raw": lambda kind, seed, epochs: fit_raw(keras, kind, seed, epochs, X, y),
    }
    working = []
    # One untimed warm-up fit of every kind: the process's one-off start-up
    # (thread pools, kernel registration, first compilations) is not timed.
    for side in SIDES:
        for kind in KINDS:
            key = f"{side}/{kind}"
            try:
                fitters[side](kind, 0, args.warmup_epochs)
            except Exception:
                report["errors"][key] = traceback.format_exc()
                continue
            working.append((side, kind))
            report["times"][key] = []
            report["losses"][key] = []

    for seed in range(args.seeds):
        for kind in KINDS:
            for side in SIDES:  # skseq, then raw, on the same seed
                if (side, kind) not in working:
                    continue
                key = f"{side}/{kind}"
                start = time.perf_counter()
                loss = fitters[side](kind, seed, args.epochs)
                report["times"][key].append(time.perf_counter() - start)
                report["losses"][key].append(loss)
    report["load_end"] = os.getloadavg()
    try:
        report["gpus"] = gpu_count(keras)
    except Exception:  # information only: not a failed run
        report["gpus"] = "unknown"
    report["child_seconds"] = time.perf_counter() - started
    print(MARKER + json.dumps(report), flush=True)


# -------------------------------------------------------------------- parent


def launch(args, backend):
    """Run one child on ``backend``; return its report, or a failure report."""
    env = dict(os.environ, KERAS_BACKEND=backend)
    command = [
        args.python,
        os.path.abspath(__file__),
        "--child",
        "--seeds",
        str(args.seeds),
        "--epochs",
        str(args.epochs),
        "--warmup-epochs",
        str(args.warmup_epochs),
    ]
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=args.timeout
        )
    except subprocess.TimeoutExpired as error:
        return {"errors": {"child": f"timed out after {error.timeout} s"}}
    wall = time.perf_counter() - start
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARKER):
            report = json.loads(line[len(MARKER) :])
            report["wall_seconds"] = wall
            if report["errors"] and done.stderr.strip():
                report["stderr_tail"] = done.stderr[-4000:]
            return report
    return {
        "errors": {
            "child": f"exit status {done.returncode}, no report\n"
            f"stdout tail:\n{done.stdout[-2000:]}\nstderr tail:\n{done.stderr[-6000:]}"
        }
    }


def median(values):
    return statistics.median(values) if values else float("nan")


def cell(values):
    return f"{median(values):8.2f} s" if values else f"{'FAILED':>10}"


def print_workload(args):
    """The parent's machine and the workload; the children report their versions."""
    print_environment(python=args.python, libraries=False)
    print(
        f"workload  : series {SERIES.astype(int).tolist()}, windows of {WINDOW} -> "
        f"next value ({len(SERIES) - WINDOW} windows), epochs={args.epochs}, "
        f"batch_size=1, adam, mse, seeds 0..{args.seeds - 1}; one untimed warm-up "
        f"fit ({args.warmup_epochs} epochs) of every kind per child"
    )
    print(
        "timed     : one fit = build + compile + train (skseq: the whole "
        "series-mode pipeline fit)"
    )


def training_path(backend):
    if backend == "tensorflow":
        return "compiled tf.function loop"
    return "Model.fit fallback"


def run_parent(args):
    print_workload(args)
    order = [b for _ in range(args.rounds) for b in args.backends]
    runs = []
    for number, backend in enumerate(order, 1):
        print(f"  run {number}/{len(order)}: KERAS_BACKEND={backend} ...", flush=True)
        report = launch(args, backend)
        report["run"] = number
        report["requested_backend"] = backend
        runs.append(report)
        if "times" in report:
            detail = "  ".join(
                f"{key} " + " ".join(f"{t:.2f}" for t in values)
                for key, values in report["times"].items()
            )
            print(
                f"    done in {report['wall_seconds']:.0f} s (load "
                f"{' '.join(f'{v:.2f}' for v in report['load_end'])}); "
                f"fit seconds: {detail}",
                flush=True,
            )

    print()
    versions = next((r["versions"] for r in runs if "versions" in r), {})
    print(
        "versions  : " + "   ".join(f"{name} {versions.get(name)}" for name in PACKAGES)
    )
    pythons = sorted({r["python"] for r in runs if "python" in r})
    print(f"child python: {', '.join(pythons)}")
    gpus = {r["requested_backend"]: r["gpus"] for r in runs if "gpus" in r}
    if gpus:
        print(f"child GPUs  : {', '.join(f'{b} {n}' for b, n in gpus.items())}")

    print()
    print(
        f"Wall time of one fit, median over seeds 0..{args.seeds - 1} "
        "(each run is a fresh child process)"
    )
    header = (
        f"{'run':<4}{'backend':<12}{'model':<20}{'skseq':>10}{'Model.fit':>11}"
        f"{'fit/skseq':>11}  skseq trains with"
    )
    print(header)
    print("-" * len(header))
    pooled = {}
    for report in runs:
        backend = report["requested_backend"]
        times = report.get("times", {})
        for kind in KINDS:
            row = {side: times.get(f"{side}/{kind}", []) for side in SIDES}
            for side in SIDES:
                pooled.setdefault((backend, side, kind), []).extend(row[side])
            ratio = (
                median(row["raw"]) / median(row["skseq"]) if all(row.values()) else None
            )
            print(
                f"{report['run']:<4}{backend:<12}{LABELS[kind]:<20}"
                f"{cell(row['skseq'])}{cell(row['raw']):>11}"
                f"{'' if ratio is None else f'{ratio:10.1f}x':>11}  "
                f"{training_path(report.get('backend', backend))}"
            )

    print()
    print("All runs pooled: median seconds per fit, and JAX relative to TensorFlow")
    header = (
        f"{'model':<20}{'side':<11}{'tensorflow':>12}{'jax':>10}"
        f"{'jax/tf time':>13}{'jax speed-up':>14}"
    )
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        for side, name in (("skseq", "skseq"), ("raw", "Model.fit")):
            tf_times = pooled.get(("tensorflow", side, kind), [])
            jax_times = pooled.get(("jax", side, kind), [])
            tf_med, jax_med = median(tf_times), median(jax_times)
            both = tf_times and jax_times
            print(
                f"{LABELS[kind]:<20}{name:<11}{cell(tf_times):>12}{cell(jax_times):>10}"
                + (
                    f"{jax_med / tf_med:12.2f}x{tf_med / jax_med:13.2f}x"
                    if both
                    else ""
                )
            )

    print()
    print("Last-epoch training loss, median over seeds (sanity check; skseq's")
    print("loss is on standardised targets, Model.fit's on raw values)")
    for report in runs:
        for key, values in report.get("losses", {}).items():
            print(
                f"  run {report['run']} {report['requested_backend']:<11}{key:<12}"
                f"{median(values):.4g}"
            )

    failures = [r for r in runs if r.get("errors")]
    if failures:
        print()
        print("FAILURES")
        for report in failures:
            for key, text in report["errors"].items():
                print(f"--- run {report['run']} {report['requested_backend']}: {key}")
                print(text.rstrip())
            if "stderr_tail" in report:
                print("--- stderr tail")
                print(report["stderr_tail"].rstrip())
    print(f"\nload avg at end: {load_average()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter for the child processes (default: this one)",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    parser.add_argument("--epochs", type=int, default=200, help="default 200")
    parser.add_argument(
        "--warmup-epochs",
        type=int,
        default=None,
        help="epochs of the untimed warm-up fit (default: same as --epochs)",
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds of all backends (default 2)"
    )
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help="comma-separated KERAS_BACKEND values (default tensorflow,jax)",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds per child (default 1800)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warmup_epochs is None:
        args.warmup_epochs = args.epochs
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if args.child:
        run_child(args)
    else:
        run_parent(args)


if __name__ == "__main__":
    main()
