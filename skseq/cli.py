"""The ``skseq`` command line: ``skseq compare`` and ``python -m skseq compare``."""

import argparse
import sys
import time

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import Pipeline

from skseq.compare import compare, plot_comparison
from skseq.windowing import SequenceWindower


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
    if args.id_column is not None or args.time_column is not None:
        return _compare_panel(parser, args)
    if args.test_size is not None:
        parser.error("--test-size is for panels (with --id-column)")
    try:
        series, label = _load_series(args)
    except (OSError, ValueError, KeyError) as error:
        parser.error(str(error))
    needed = (args.folds + 1) * (args.window_length + 1)
    if len(series) < needed:
        parser.error(
            f"{label} has {len(series)} values; {args.folds} folds with "
            f"window_length={args.window_length} need at least {needed} "
            "((folds + 1) x (window_length + 1)): use fewer folds or a shorter window"
        )
    start = time.perf_counter()
    try:
        table = compare(
            architectures(args.window_length, args.epochs),
            series,
            cv=TimeSeriesSplit(n_splits=args.folds),
            seeds=range(args.seeds),
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet else 1,
        )
    except ValueError as error:
        parser.error(str(error))
    print(
        f"{label}: {len(series)} values, window_length={args.window_length}, "
        f"epochs={args.epochs}, TimeSeriesSplit(n_splits={args.folds}), "
        f"seeds={args.seeds}, wall time {time.perf_counter() - start:.1f}s"
    )
    print(table.to_string(float_format=lambda v: f"{v:.3g}"))
    print(
        "score: R² on test folds (mean, std over folds x seeds); skill: 1 - MAE / "
        "MAE of naive persistence; p_value: Diebold-Mariano test against the best",
        file=sys.stdout,
    )
    if args.plot:
        plot_comparison(table, args.plot)
        print(f"plot written to {args.plot}")
    return 0


def _compare_panel(parser, args):
    """``skseq compare --csv ... --id-column ...``: the architectures on a panel."""
    from skseq.splitting import PanelTimeSeriesSplit

    try:
        frame, windower, label = _load_panel(args)
        cv = PanelTimeSeriesSplit(
            n_splits=args.folds,
            test_size=args.test_size,
            id_column=args.id_column,
            time_column=args.time_column,
        )
        models = architectures(args.window_length, args.epochs, windower=windower)
        start = time.perf_counter()
        table = compare(
            models,
            frame,
            cv=cv,
            seeds=range(args.seeds),
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet else 1,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        parser.error(str(error))
    n_series = frame[args.id_column].nunique() if args.id_column else 1
    print(
        f"{label}: {n_series} series, {len(frame)} rows, window_length="
        f"{args.window_length}, epochs={args.epochs}, PanelTimeSeriesSplit(n_splits="
        f"{args.folds}, test_size={args.test_size}), seeds={args.seeds}, wall time "
        f"{time.perf_counter() - start:.1f}s"
    )
    print(table.to_string(float_format=lambda v: f"{v:.3g}"))
    print(
        "one network over every series; mase: MASE per series (mean, median over "
        "series), beats_snaive: share of series with a lower MASE than the seasonal "
        "naive forecast; p_value: Diebold-Mariano test against the best"
    )
    if args.plot:
        plot_comparison(table, args.plot)
        print(f"plot written to {args.plot}")
    return 0


def _load_panel(args):
    if args.csv is None:
        raise ValueError("--id-column and --time-column need --csv")
    frame = pd.read_csv(args.csv)
    time_column = args.time_column
    if time_column is not None and time_column in frame.columns:
        times = frame[time_column]
        if not pd.api.types.is_integer_dtype(times.dtype):
            try:
                frame[time_column] = pd.to_datetime(times)
            except (ValueError, TypeError) as error:
                raise ValueError(
                    f"--time-column {time_column!r} of {args.csv} holds neither "
                    f"integers nor dates ({error})"
                ) from error
    windower = SequenceWindower(
        args.window_length,
        id_column=args.id_column,
        time_column=time_column,
        target_column=args.column,
    )
    return frame, windower, f"{args.csv} [{args.column or 'target'}]"


def architectures(window_length=12, epochs=100, windower=None):
    """Naive persistence, Dense, SimpleRNN, LSTM and GRU series-mode pipelines.

    Parameters
    ----------
    window_length : int, default=12
        Steps per window.
    epochs : int, default=100
        Training epochs of every network.
    windower : SequenceWindower, default=None
        The windower of every pipeline (a panel's, for example); None is
        ``SequenceWindower(window_length)``.

    Returns
    -------
    models : dict of str to Pipeline
        ``SequenceWindower`` + regressor pipelines keyed by architecture.
    """
    from skseq.baselines import NaiveRegressor
    from skseq.regressors import DenseRegressor, RNNRegressor

    regressors = {
        "Naive": NaiveRegressor(),
        "Dense": DenseRegressor(epochs=epochs),
        "SimpleRNN": RNNRegressor(cell="simple", epochs=epochs),
        "LSTM": RNNRegressor(cell="lstm", epochs=epochs),
        "GRU": RNNRegressor(cell="gru", epochs=epochs),
    }
    if windower is None:
        windower = SequenceWindower(window_length)
    return {
        name: Pipeline([("window", clone(windower)), ("model", reg)])
        for name, reg in regressors.items()
    }


def _parser():
    parser = argparse.ArgumentParser(
        prog="skseq", description="Learn from sequences with Keras networks."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "compare",
        help="compare naive persistence, Dense, SimpleRNN, LSTM and GRU on a series",
        description=(
            "Cross-validate naive persistence and Dense, SimpleRNN, LSTM and GRU "
            "regressors with "
            "TimeSeriesSplit on a series (default: monthly airline passengers "
            "1949-1960) and print, per architecture, R² over folds and seeds, "
            "MAE, RMSE, skill against naive persistence, parameters, fit time and "
            "a Diebold-Mariano test against the best."
        ),
    )
    command.add_argument("--csv", help="CSV file holding the series")
    command.add_argument("--plot", help="write a picture of the comparison (PNG)")
    command.add_argument("--seeds", type=_positive_int, default=1)
    command.add_argument("--n-jobs", type=int, default=None)
    command.add_argument("--column", help="column of --csv to use (the target)")
    command.add_argument(
        "--id-column", help="panel: the column of --csv naming each row's series"
    )
    command.add_argument(
        "--time-column", help="panel: the column of --csv with each row's time"
    )
    command.add_argument(
        "--test-size",
        type=_positive_int,
        default=None,
        help="panel: test steps per series and fold",
    )
    command.add_argument("--window-length", type=_positive_int, default=12)
    command.add_argument("--epochs", type=_positive_int, default=100)
    command.add_argument("--folds", type=_positive_int, default=3)
    command.add_argument("--quiet", action="store_true", help="no progress lines")
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
