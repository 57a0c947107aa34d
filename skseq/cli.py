"""The ``skseq`` command line: ``skseq compare`` and ``python -m skseq compare``."""

import argparse
import sys
import time

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import Pipeline

from skseq.windowing import SequenceWindower

ARCHITECTURES = ("Dense", "SimpleRNN", "LSTM", "GRU")


def main(argv=None):
    """Run the ``skseq`` command line and return its exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments after the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        series, label = _load_series(args)
    except (OSError, ValueError, KeyError) as error:
        parser.error(str(error))
    table = compare_architectures(
        series,
        window_length=args.window_length,
        epochs=args.epochs,
        folds=args.folds,
        random_state=args.random_state,
        progress=not args.quiet,
    )
    print(
        f"{label}: {len(series)} values, window_length={args.window_length}, "
        f"epochs={args.epochs}, TimeSeriesSplit(n_splits={args.folds})"
    )
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    return 0


def compare_architectures(
    series, *, window_length=12, epochs=100, folds=3, random_state=0, progress=True
):
    """Cross-validate Dense, SimpleRNN, LSTM and GRU regressors on one series.

    Each architecture runs in a ``SequenceWindower`` + regressor pipeline in
    series mode, on the same ``TimeSeriesSplit`` folds.

    Parameters
    ----------
    series : array-like of shape (n_steps,)
        The series, oldest value first.
    window_length : int, default=12
        Steps per window.
    epochs : int, default=100
        Training epochs of every network.
    folds : int, default=3
        Number of ``TimeSeriesSplit`` folds.
    random_state : int, default=0
        Seed of every network.
    progress : bool, default=True
        Print one line per fit to standard error.

    Returns
    -------
    table : pandas.DataFrame
        One row per architecture: mean and standard deviation of the R²
        test scores over folds, and the mean fit time in seconds.
    """
    from skseq.regressors import DenseRegressor, RNNRegressor

    models = {
        "Dense": DenseRegressor(random_state=random_state, epochs=epochs),
        "SimpleRNN": RNNRegressor(
            cell="simple", random_state=random_state, epochs=epochs
        ),
        "LSTM": RNNRegressor(cell="lstm", random_state=random_state, epochs=epochs),
        "GRU": RNNRegressor(cell="gru", random_state=random_state, epochs=epochs),
    }
    series = np.asarray(series, dtype=float)
    splits = list(TimeSeriesSplit(n_splits=folds).split(series))
    rows = {}
    for position, (name, model) in enumerate(models.items()):
        scores, times = [], []
        for fold, (train, test) in enumerate(splits, 1):
            pipe = Pipeline(
                [("window", SequenceWindower(window_length)), ("model", clone(model))]
            )
            start = time.perf_counter()
            pipe.fit(series[train])
            times.append(time.perf_counter() - start)
            scores.append(pipe.score(series[test]))
            if progress:
                done = position * folds + fold
                print(
                    f"[{done}/{len(models) * folds}] {name} fold {fold}/{folds}: "
                    f"R2={scores[-1]:.3f} in {times[-1]:.1f}s",
                    file=sys.stderr,
                    flush=True,
                )
        rows[name] = {
            "r2_mean": np.mean(scores),
            "r2_std": np.std(scores),
            "fit_time_s": np.mean(times),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def _parser():
    parser = argparse.ArgumentParser(
        prog="skseq", description="Learn from sequences with Keras networks."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser(
        "compare",
        help="compare Dense, SimpleRNN, LSTM and GRU on a series",
        description=(
            "Cross-validate Dense, SimpleRNN, LSTM and GRU regressors with "
            "TimeSeriesSplit on a series (default: monthly airline passengers "
            "1949-1960) and print R² and fit time per architecture."
        ),
    )
    compare.add_argument("--csv", help="CSV file holding the series")
    compare.add_argument("--column", help="column of --csv to use")
    compare.add_argument("--window-length", type=_positive_int, default=12)
    compare.add_argument("--epochs", type=_positive_int, default=100)
    compare.add_argument("--folds", type=_positive_int, default=3)
    compare.add_argument("--random-state", type=int, default=0)
    compare.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def _load_series(args):
    if args.csv is None:
        if args.column is not None:
            raise ValueError("--column needs --csv")
        from skseq.datasets import load_airline

        return load_airline(), "airline passengers 1949-1960 (Box & Jenkins)"
    frame = pd.read_csv(args.csv)
    column = args.column
    if column is None:
        numeric = frame.select_dtypes("number").columns
        if len(numeric) != 1:
            raise ValueError(
                f"--column is required: {args.csv} has columns {list(frame.columns)}"
            )
        column = numeric[0]
    if column not in frame.columns:
        raise ValueError(
            f"--column {column!r} is not in {args.csv}; its columns are "
            f"{list(frame.columns)}"
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise ValueError(
            f"column {column!r} of {args.csv} must hold numbers only; row {row} "
            f"holds {frame[column].iloc[row]!r}"
        )
    return values, f"{args.csv} [{column}]"
