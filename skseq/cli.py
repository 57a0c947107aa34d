"""The ``skseq`` command line: ``skseq compare`` and ``python -m skseq compare``."""

import argparse
import importlib.util
import sys
import time

import numpy as np
import pandas as pd
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
    season_length = args.season_length
    if season_length is None and args.csv is None:
        season_length = 12  # the bundled airline series is monthly
    models = architectures(args.window_length, args.epochs, season_length)
    start = time.perf_counter()
    try:
        table = compare(
            models,
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
    if "ETS" in models:
        print(
            f"ETS, ARIMA, Theta: statsmodels, season_length={season_length}, fitted "
            "once per training fold, test folds forecast one step at a time with "
            "the fitted parameters"
        )
    else:
        print("ETS, ARIMA and Theta rows need statsmodels: pip install 'skseq[stats]'")
    if args.plot:
        plot_comparison(table, args.plot)
        print(f"plot written to {args.plot}")
    return 0


def architectures(window_length=12, epochs=100, season_length=None):
    """Naive persistence, Dense, SimpleRNN, LSTM and GRU series-mode pipelines.

    With statsmodels installed, ETS, ARIMA and Theta reference rows
    (:mod:`skseq.classical`) come after naive persistence.

    Parameters
    ----------
    window_length : int, default=12
        Steps per window.
    epochs : int, default=100
        Training epochs of every network.
    season_length : int, default=None
        Season of the classical models; None fits them without a season.

    Returns
    -------
    models : dict of str to Pipeline
        ``SequenceWindower`` + regressor pipelines keyed by architecture.
    """
    from skseq.baselines import NaiveRegressor
    from skseq.regressors import DenseRegressor, RNNRegressor

    regressors = {"Naive": NaiveRegressor()}
    if importlib.util.find_spec("statsmodels") is not None:
        from skseq.classical import ARIMARegressor, ETSRegressor, ThetaRegressor

        regressors["ETS"] = ETSRegressor(season_length)
        regressors["ARIMA"] = ARIMARegressor(season_length)
        regressors["Theta"] = ThetaRegressor(season_length)
    regressors |= {
        "Dense": DenseRegressor(epochs=epochs),
        "SimpleRNN": RNNRegressor(cell="simple", epochs=epochs),
        "LSTM": RNNRegressor(cell="lstm", epochs=epochs),
        "GRU": RNNRegressor(cell="gru", epochs=epochs),
    }
    return {
        name: Pipeline([("window", SequenceWindower(window_length)), ("model", reg)])
        for name, reg in regressors.items()
    }


def _parser():
    parser = argparse.ArgumentParser(
        prog="skseq", description="Learn from sequences with Keras networks."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "compare",
        help="compare naive persistence, ETS, ARIMA, Theta and the networks on a "
        "series",
        description=(
            "Cross-validate naive persistence, ETS, ARIMA and Theta (with "
            "statsmodels installed) and Dense, SimpleRNN, LSTM and GRU "
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
    command.add_argument("--column", help="column of --csv to use")
    command.add_argument("--window-length", type=_positive_int, default=12)
    command.add_argument("--epochs", type=_positive_int, default=100)
    command.add_argument("--folds", type=_positive_int, default=3)
    command.add_argument(
        "--season-length",
        type=_positive_int,
        default=None,
        help="season of the ETS, ARIMA and Theta rows (default: 12 for the "
        "bundled monthly airline series, none for --csv)",
    )
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
