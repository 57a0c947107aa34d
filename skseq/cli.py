"""The ``skseq`` command line: ``skseq compare`` and ``skseq forecast``.

Also ``python -m skseq compare``.
"""

import argparse
import importlib.util
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
    if args.command == "compare":
        windows = args.window_length = args.window_length or [12]
        twice = sorted({k for k in windows if windows.count(k) > 1})
        if twice:
            parser.error(f"--window-length lists {twice[0]} more than once")
        if args.id_column is not None or args.time_column is not None:
            if len(windows) > 1:
                parser.error(
                    "several --window-length values are for one series; a panel "
                    "compares one window"
                )
            args.window_length = windows[0]
            return _compare_panel(parser, args)
        if args.test_size is not None:
            parser.error("--test-size is for panels (with --id-column)")
    try:
        series, label = _load_series(args)
    except (OSError, ValueError, KeyError) as error:
        parser.error(str(error))
    if args.command == "forecast":
        return _forecast_command(parser, args, series, label)
    windows = args.window_length
    longest = max(windows)
    # Each fold must hold two targets after its longest window (R² needs two).
    needed = (args.folds + 1) * (longest + 2)
    if len(series) < needed:
        parser.error(
            f"{label} has {len(series)} values; {args.folds} folds with "
            f"window_length={longest} need at least {needed} "
            "((folds + 1) x (window_length + 2)): use fewer folds or a shorter window"
        )
    season_length = args.season_length
    if season_length is None and args.csv is None:
        season_length = 12  # the bundled airline series is monthly
    models = _window_models(windows, args.epochs, season_length)
    start = time.perf_counter()
    no_intervals = ""
    if args.coverage is not None:
        models, no_intervals = _conformal(parser, args, models, len(series), longest)
    try:
        table = compare(
            models,
            series,
            cv=TimeSeriesSplit(n_splits=args.folds),
            seeds=range(args.seeds),
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet else 1,
            dm_loss=args.dm_loss,
        )
    except ValueError as error:
        parser.error(str(error))
    print(
        f"{label}: {len(series)} values, window_length="
        f"{'/'.join(map(str, windows))}, "
        f"epochs={args.epochs}, TimeSeriesSplit(n_splits={args.folds}), "
        f"seeds={args.seeds}, wall time {time.perf_counter() - start:.1f}s"
    )
    print(table.to_string(float_format=lambda v: f"{v:.3g}"))
    print(
        "score: R² on test folds (mean, std over folds x seeds); skill: 1 - MAE / "
        "MAE of naive persistence; p_value: Diebold-Mariano test against the best",
        file=sys.stdout,
    )
    if len(windows) > 1:
        print(
            "Dense (K): the network on windows of K values; every row is scored on "
            f"the same targets, each fold's values after its first {longest}"
        )
    if args.coverage is not None:
        print(
            f"coverage, mean_width, winkler: {args.coverage:g} conformal intervals "
            "on the test folds (share of values inside, mean width, Winkler score)"
            + no_intervals
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
        models = architectures(
            args.window_length, args.epochs, windower=windower, classical=False
        )
        if args.coverage is not None:
            from skseq.conformal import ConformalRegressor

            # Each series' training part holds out its last 20% for calibration.
            models = {
                name: ConformalRegressor(model, args.coverage)
                for name, model in models.items()
            }
        start = time.perf_counter()
        table = compare(
            models,
            frame,
            cv=cv,
            seeds=range(args.seeds),
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet else 1,
            dm_loss=args.dm_loss,
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
    if args.coverage is not None:
        print(
            f"coverage, mean_width, winkler: {args.coverage:g} conformal intervals "
            "on the test folds, calibrated on the last 20% of each series' training "
            "part, errors pooled across series on each series' scale"
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
                frame[time_column] = pd.to_datetime(times, format="mixed")
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


# The networks of every comparison, by row name: Dense, or the recurrent cell.
_NETWORKS = {"Dense": None, "SimpleRNN": "simple", "LSTM": "lstm", "GRU": "gru"}


def architectures(
    window_length=12, epochs="auto", windower=None, season_length=None, classical=True
):
    """Naive persistence, Dense, SimpleRNN, LSTM and GRU series-mode pipelines.

    With statsmodels installed, ETS, ARIMA and Theta reference rows
    (:mod:`skseq.classical`) come after naive persistence.

    Parameters
    ----------
    window_length : int, default=12
        Steps per window.
    epochs : int or "auto", default="auto"
        Training epochs of every network; ``"auto"`` is the networks' default
        (half the training windows, within 30 to 100; 10 to 100 for Dense).
    windower : SequenceWindower, default=None
        The windower of every pipeline (a panel's, for example); None is
        ``SequenceWindower(window_length)``.
    season_length : int, default=None
        Season of the classical models; None fits them without a season.
    classical : bool, default=True
        Whether to add the classical rows (when statsmodels is installed);
        they fit one series, so panels go without them.

    Returns
    -------
    models : dict of str to Pipeline
        ``SequenceWindower`` + regressor pipelines keyed by architecture.
    """
    from skseq.baselines import NaiveRegressor
    from skseq.regressors import DenseRegressor, RNNRegressor

    regressors = {"Naive": NaiveRegressor()}
    if classical and importlib.util.find_spec("statsmodels") is not None:
        from skseq.classical import ARIMARegressor, ETSRegressor, ThetaRegressor

        regressors["ETS"] = ETSRegressor(season_length)
        regressors["ARIMA"] = ARIMARegressor(season_length)
        regressors["Theta"] = ThetaRegressor(season_length)
    regressors |= {
        name: DenseRegressor(epochs=epochs)
        if cell is None
        else RNNRegressor(cell=cell, epochs=epochs)
        for name, cell in _NETWORKS.items()
    }
    if windower is None:
        windower = SequenceWindower(window_length)
    return {
        name: Pipeline([("window", clone(windower)), ("model", reg)])
        for name, reg in regressors.items()
    }


def _window_models(windows, epochs, season_length):
    """``architectures`` for each window: the networks once per window
    (``"Dense (24)"``), naive persistence and the classical rows once (on
    the shortest window, whatever the order given)."""
    models = architectures(min(windows), epochs, season_length=season_length)
    if len(windows) == 1:
        return models
    each = {k: architectures(k, epochs, classical=False) for k in windows}
    rows = {name: m for name, m in models.items() if name not in _NETWORKS}
    for name in _NETWORKS:
        rows |= {f"{name} ({k})": each[k][name] for k in windows}
    return rows


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
    command.add_argument(
        "--window-length",
        type=_positive_int,
        nargs="+",
        action="extend",
        default=None,
        help="steps per window (default 12); several (--window-length 12 24) "
        "give each network one row per window, scored on the same targets",
    )
    command.add_argument("--epochs", type=_epochs, default="auto")
    command.add_argument("--folds", type=_positive_int, default=3)
    command.add_argument(
        "--season-length",
        type=_positive_int,
        default=None,
        help="season of the ETS, ARIMA and Theta rows (default: 12 for the "
        "bundled monthly airline series, none for --csv)",
    )
    command.add_argument("--quiet", action="store_true", help="no progress lines")
    command.add_argument(
        "--coverage",
        type=float,
        help="wrap every model in a ConformalRegressor with this coverage "
        "(a fraction such as 0.9) and report the intervals' coverage, width "
        "and Winkler score",
    )
    command.add_argument(
        "--dm-loss",
        choices=["squared", "winkler"],
        default="squared",
        help="loss of the Diebold-Mariano test (winkler needs --coverage)",
    )
    _add_forecast_command(commands)
    return parser


def _add_forecast_command(commands):
    command = commands.add_parser(
        "forecast",
        help="forecast the values after a series, with conformal intervals",
        description=(
            "Fit a model on the whole series (default: monthly airline passengers "
            "1949-1960), calibrate conformal prediction intervals on its last "
            "values, and print the next --steps values with their lower and "
            "upper bounds."
        ),
    )
    command.add_argument("--csv", help="CSV file holding the series")
    command.add_argument("--column", help="column of --csv to use")
    command.add_argument(
        "--date-column", help="column of --csv with the dates (for dated output)"
    )
    command.add_argument("--steps", type=_positive_int, default=12)
    command.add_argument("--coverage", type=float, default=0.9)
    command.add_argument(
        "--model",
        choices=[name.lower() for name in _FORECAST_MODELS],
        default="dense",
    )
    command.add_argument("--window-length", type=_positive_int, default=12)
    command.add_argument("--epochs", type=_epochs, default="auto")
    command.add_argument(
        "--conformity-score",
        choices=["normalized", "absolute"],
        default="normalized",
        help="normalized (default): intervals scale with each window's swings; "
        "absolute: one width per step ahead",
    )
    command.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random_state of the network: the same seed prints the same forecast",
    )
    command.add_argument("--plot", help="write a picture of the forecast (PNG)")


_FORECAST_MODELS = ["Naive", "SeasonalNaive", *_NETWORKS]


def _forecast_command(parser, args, series, label):
    from skseq.baselines import NaiveRegressor, SeasonalNaiveRegressor
    from skseq.conformal import ConformalRegressor
    from skseq.forecasting import forecast
    from skseq.plotting import plot_forecast

    try:
        series = _with_dates(args, series)
    except (OSError, ValueError, KeyError) as error:
        parser.error(str(error))
    seed = ""  # the baselines draw nothing at random
    if args.model in ("naive", "seasonalnaive"):
        model = NaiveRegressor()
        if args.model == "seasonalnaive":
            model = SeasonalNaiveRegressor(min(12, args.window_length))
        pipe = Pipeline(
            [("window", SequenceWindower(args.window_length)), ("model", model)]
        )
    else:  # the networks import TensorFlow; build only the one asked for
        names = {name.lower(): name for name in _FORECAST_MODELS}
        pipe = architectures(args.window_length, args.epochs)[names[args.model]]
        pipe.set_params(model__random_state=args.seed)
        seed = f", seed={args.seed}"
    start = time.perf_counter()
    try:
        model = ConformalRegressor(
            pipe,
            args.coverage,
            conformity_score=args.conformity_score,
        ).fit(series)
        frame = forecast(model, series, steps=args.steps, coverage=args.coverage)
    except ValueError as error:
        parser.error(str(error))
    print(
        f"{label}: {len(series)} values, model={args.model}, window_length="
        f"{args.window_length}{seed}, coverage={args.coverage:g} "
        f"({args.conformity_score} conformal scores on the last 20%), "
        f"wall time {time.perf_counter() - start:.1f}s"
    )
    print(frame.to_string(float_format=lambda v: f"{v:.4g}"))
    if args.plot:
        plot_forecast(
            series,
            frame,
            history=max(4 * args.steps, 3 * args.window_length),
            path=args.plot,
            title=f"{label}: {args.model}, {args.coverage:.0%} conformal interval",
        )
        print(f"plot written to {args.plot}")
    return 0


def _conformal(parser, args, models, n_values, window_length):
    """Wrap each model; hold out enough of the first fold for the coverage."""
    from skseq._intervals import n_held_out, scores_needed
    from skseq.conformal import ConformalRegressor

    first_train = n_values - args.folds * (n_values // (args.folds + 1))
    needed = scores_needed(args.coverage) if 0 < args.coverage < 1 else 1
    fraction = min(max(0.2, needed / first_train), 0.99)
    held_out = n_held_out(fraction, first_train)
    if first_train - held_out < window_length + 1:
        parser.error(
            f"--coverage {args.coverage:g} needs {held_out} held-out values in the "
            f"first fold's {first_train} training values, leaving fewer than "
            f"window_length + 1 = {window_length + 1} to fit on: use fewer "
            "folds, a shorter window or a lower coverage"
        )
    # A classical model fits on the values left before the held-out ones; in
    # the first fold those can be fewer than its shortest series. It then
    # keeps its point row, without intervals, rather than failing the table.
    head = first_train - held_out
    wrapped, bare = {}, []
    for name, model in models.items():
        minimum = getattr(model[-1], "_min_length", None)
        needs = minimum() if minimum is not None else None
        if needs is not None and head < needs:
            wrapped[name] = model
            bare.append(f"{name} (needs {needs})")
        else:
            wrapped[name] = ConformalRegressor(
                model, args.coverage, calibration_size=fraction
            )
    note = ""
    if bare:
        note = (
            f"; none for {', '.join(bare)}: calibrating in the first fold leaves "
            f"{head} values to fit on"
        )
    return wrapped, note


def _with_dates(args, series):
    """Index a CSV's series by its --date-column (regular dates give dated output)."""
    if args.csv is None or args.date_column is None:
        return series
    frame = pd.read_csv(args.csv)
    if args.date_column not in frame.columns:
        raise ValueError(
            f"--date-column {args.date_column!r} is not in {args.csv}; its columns "
            f"are {list(frame.columns)}"
        )
    dates = pd.DatetimeIndex(pd.to_datetime(frame[args.date_column]), freq="infer")
    return pd.Series(series.to_numpy(), index=dates, name=series.name)


def _epochs(text):
    if text == "auto":
        return text
    try:
        return _positive_int(text)
    except (ValueError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(
            f"must be 'auto' or an integer >= 1, got {text!r}"
        ) from None


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
