"""Compare models on one series: same folds, several seeds, a paired test."""

import sys
import time

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import TimeSeriesSplit, check_cv

from skseq.conformal import panel_intervals, series_intervals
from skseq.local import PerSeries
from skseq.metrics import empirical_coverage, mean_width, winkler_losses, winkler_score
from skseq.scoring import _Predicted, panel_predictions, series_predictions
from skseq.splitting import PanelTimeSeriesSplit
from skseq.windowing import find_windower

__all__ = ["compare", "plot_comparison"]


def compare(
    models,
    series,
    *,
    cv=None,
    seeds=(0, 1, 2),
    scoring="r2",
    n_jobs=None,
    verbose=1,
    season_length=None,
    dm_loss="squared",
):
    """Cross-validate models on one series (or a panel) and test their differences.

    Every model is fitted on the same time-ordered folds once per seed (the
    seed goes to every ``random_state`` parameter it has). On each test fold
    the targets are the values that follow each window (series mode).

    Parameters
    ----------
    models : dict of str to estimator
        Name to pipeline (or series-mode regressor) to compare.
    series : array-like of shape (n_steps,) or (n_steps, n_features), or DataFrame
        The series, oldest value first; or a long panel frame, for models
        whose :class:`~skseq.SequenceWindower` has an ``id_column``.
    cv : int or cross-validation splitter, default=None
        Time-ordered splitter; None is ``TimeSeriesSplit(n_splits=3)`` and an
        int ``n`` is ``TimeSeriesSplit(n_splits=n)`` (for a panel:
        :class:`~skseq.PanelTimeSeriesSplit` with the windower's columns).
    seeds : sequence of int, default=(0, 1, 2)
        Seeds; each model is fitted once per seed and fold.
    scoring : str, default="r2"
        Name of a scikit-learn regression scorer for the ``score_*`` columns.
    n_jobs : int, default=None
        Fits run in parallel through joblib (any active joblib backend,
        such as Dask's, is used). None means 1.
    verbose : int, default=1
        0 is silent; 1 shows a `tqdm <https://tqdm.github.io>`_ progress bar
        over the fits: a widget in Jupyter (with ``ipywidgets`` installed),
        otherwise a line on standard error. When standard error is not a
        terminal (a pipe, a log file, CI), the line is redrawn at most every
        30 s instead of after every fit, so a log gets a few lines, not one
        per fit.
    season_length : int, default=None
        Panels: the season of the seasonal naive forecast and of MASE's
        denominator. None follows the time column's frequency (12 for
        monthly, 4 quarterly, 7 daily, 24 hourly, 52 weekly, else 1).
    dm_loss : {"squared", "winkler"}, default="squared"
        Loss of the Diebold-Mariano test: squared errors against the best
        model by ``score_mean``, or the Winkler scores of the intervals of
        :class:`~skseq.ConformalRegressor` models against the one with the
        lowest ``winkler`` (NaN for models without intervals).

    Returns
    -------
    table : pandas.DataFrame
        One row per model, indexed by name: ``score_mean`` and ``score_std``
        over folds x seeds, ``mae`` and ``rmse`` on all test targets,
        ``skill`` (1 - MAE / MAE of naive persistence on the same targets),
        ``n_params`` (trainable parameters), ``fit_time_s`` (mean),
        ``dm_stat`` and ``p_value`` of a Diebold-Mariano test of squared
        errors against the best model (by ``score_mean``; NaN on its row).
        With :class:`~skseq.ConformalRegressor` models, ``coverage``,
        ``mean_width`` and ``winkler`` (mean Winkler score) of their
        intervals on all test targets; NaN for models without intervals
        (the columns are left out when no model gives intervals).
        ``table.attrs["scores"]`` holds every (model, seed, fold) score and
        ``table.attrs["last_fold"]`` the last fold's targets and predictions.
        On one series every column scores every model on the same targets:
        a model with a longer window scores fewer per fold (the fold's first
        ``window_length`` values only serve as inputs), so each fold keeps
        its last targets that all models score.
        On a panel also ``mase_mean`` and ``mase_median`` (MASE per series:
        mean absolute error over its test targets, every step ahead, folds
        and seeds, divided by the mean absolute seasonal difference of the
        series' training part in the same fold; then the mean and median
        over series) and ``beats_snaive`` (the share of series whose MASE is
        below the seasonal naive forecast's); the seasonal naive forecast's
        own MASE is in ``table.attrs["snaive_mase"]`` and every series'
        MASE in ``table.attrs["mase"]``.

    See Also
    --------
    plot_comparison : Pictures of a comparison.
    make_series_scorer : The series-mode scorers behind the scores.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import DenseRegressor, RNNRegressor, SequenceWindower, compare
    >>> series = np.sin(np.arange(80) / 3)
    >>> models = {
    ...     "dense": make_pipeline(SequenceWindower(4), DenseRegressor(epochs=2)),
    ...     "gru": make_pipeline(SequenceWindower(4), RNNRegressor("gru", 4, epochs=2)),
    ... }
    >>> table = compare(models, series, cv=2, seeds=(0,), verbose=0)
    >>> list(table.index), "p_value" in table
    (['dense', 'gru'], True)
    """
    if not models:
        raise ValueError("models must name at least one estimator to compare")
    if dm_loss not in ("squared", "winkler"):
        raise ValueError(f"dm_loss must be 'squared' or 'winkler', got {dm_loss!r}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed, e.g. seeds=(0,)")
    horizon = _common_horizon(models)
    windower = _panel_windower(models, series)
    if windower is not None and (cv is None or isinstance(cv, int)):
        cv = PanelTimeSeriesSplit(
            n_splits=3 if cv is None else cv,
            id_column=windower.id_column,
            time_column=windower.time_column,
        )
    if cv is None:
        cv = TimeSeriesSplit(n_splits=3)
    elif isinstance(cv, int):
        cv = TimeSeriesSplit(n_splits=cv)
    cv = check_cv(cv)
    scorer = get_scorer(scoring)
    if windower is not None:
        values = series
        folds = list(cv.split(series))
        take = series.iloc.__getitem__
        season = _season_length(season_length, windower, series)
        # MASE's denominators depend on the fold only: once per fold, not per fit.
        scales = [seasonal_scale(take(train), windower, season) for train, _ in folds]
    else:
        values = (
            series.to_numpy() if hasattr(series, "to_numpy") else np.asarray(series)
        )
        folds = list(cv.split(values))
        take = values.__getitem__
        season, scales = None, [None] * len(folds)
    tasks = [
        (name, seed, fold, train, test)
        for name in models
        for seed in seeds
        for fold, (train, test) in enumerate(folds)
    ]
    run = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fit_and_predict)(
            models[name], take(train), take(test), seed, season, scales[fold]
        )
        for name, seed, fold, train, test in tasks
    )
    results = []
    with _progress_bar(len(tasks), verbose) as bar:
        for result in run:
            results.append(result)
            bar.update()
    return _summarise(tasks, results, scorer, list(models), horizon, dm_loss)


def plot_comparison(table, path=None):
    """Draw a comparison: last-fold forecasts and score distributions.

    Parameters
    ----------
    table : pandas.DataFrame
        The result of :func:`compare`.
    path : str or path-like, default=None
        Where to save the figure (PNG, SVG, PDF by extension); None only
        returns it.

    Returns
    -------
    figure : matplotlib.figure.Figure
        Left: actual values and each model's predictions on the last fold
        (first seed). Right: each model's scores over folds and seeds.
    """
    try:
        import matplotlib

        if path is not None:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            "plot_comparison needs matplotlib: pip install 'skseq[plot]'"
        ) from error
    last = table.attrs["last_fold"]
    scores = table.attrs["scores"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))

    def first_step(values):  # with horizon > 1, plot the one-step forecasts
        return values if values.ndim == 1 else values[:, 0]

    actual = first_step(next(iter(last.values()))["y_true"])
    left.plot(actual, color="black", linewidth=2, label="actual")
    for name, fold in last.items():
        left.plot(first_step(fold["y_pred"]), linewidth=1.2, label=name)
    left.set(title="Last fold: actual vs predicted", xlabel="step in test fold")
    left.legend(fontsize="small")
    names = list(table.index)
    right.boxplot([scores.loc[scores.model == n, "score"] for n in names])
    right.set_xticks(range(1, len(names) + 1), names)
    right.set(title=f"{table.attrs['scoring']} over folds x seeds", ylabel="score")
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=110)
    return figure


def _fit_and_predict(model, train, test, seed, season=None, scale=None):
    model = clone(model)
    clone_coverage = getattr(model, "coverage", None)
    seed_params = {k: seed for k in model.get_params() if k.endswith("random_state")}
    model.set_params(**seed_params)
    start = time.perf_counter()
    model.fit(train)
    fit_time = time.perf_counter() - start
    result = {"fit_time": fit_time, "interval": None, "coverage": None}
    if season is None:
        if hasattr(model, "predict_interval"):  # a ConformalRegressor
            y_true, y_pred, naive, interval = series_intervals(model, test)
            model = model.estimator_
            result.update(interval=interval, coverage=float(clone_coverage))
        else:
            y_true, y_pred, naive = series_predictions(model, test)
        return {
            **result,
            "n_params": _n_params(model),
            "y_true": y_true,
            "y_pred": y_pred,
            "naive": naive,
        }
    if hasattr(model, "predict_interval"):  # a ConformalRegressor
        found, interval = panel_intervals(model, test, season)
        model = model.estimator_
        result.update(interval=interval, coverage=float(clone_coverage))
    else:
        found = panel_predictions(model, test, season)
    denominator = scale.reindex(found["series"]).to_numpy()
    squeeze = (lambda a: a[:, 0]) if found["y_true"].shape[1] == 1 else (lambda a: a)
    return {
        **result,
        "n_params": _n_params(model),
        "y_true": squeeze(found["y_true"]),
        "y_pred": squeeze(found["y_pred"]),
        "naive": squeeze(found["naive"]),
        "seasonal": squeeze(found["seasonal"]),
        "series": found["series"],
        "denominator": denominator,
    }


def _n_params(model):
    final = model[-1] if hasattr(model, "steps") else model
    if hasattr(final, "estimators_"):  # one fitted model per series
        return int(sum(_n_params(m) for m in final.estimators_.values()))
    keras_model = getattr(final, "model_", None)
    if keras_model is None:
        return len(getattr(final, "params_", ()))  # classical models; baselines: 0
    return int(sum(np.prod(v.shape) for v in keras_model.trainable_weights))


def seasonal_scale(frame, windower, season):
    """Per series id: the mean absolute seasonal difference of its target.

    MASE's denominator.

    Computed from the series' own rows in ``frame`` (a training part); with
    fewer than ``season + 1`` known values the lag-1 difference is used, and
    a series whose differences are all zero gets NaN (its MASE is undefined).
    """
    panel = clone(windower).fit(frame)._read_panel(frame)
    scales = []
    for a, b in panel.bounds:
        x = panel.values[a:b, 0]
        lag = season if np.isfinite(x).sum() > season else 1
        diffs = np.abs(x[lag:] - x[:-lag]) if len(x) > lag else np.zeros(0)
        diffs = diffs[np.isfinite(diffs)]
        value = diffs.mean() if len(diffs) else np.nan
        scales.append(value if value > 0 else np.nan)
    return pd.Series(scales, index=pd.Index(panel.ids, dtype=object))


def _windower_of(model):
    windower = find_windower(model)
    if windower is not None:
        return windower
    raise TypeError(
        "Comparing on a panel needs pipelines that start with a SequenceWindower "
        f"with an id_column; got {type(model).__name__}."
    )


def _panel_windower(models, series):
    """The models' panel windower, or None when they work on one series."""
    if not isinstance(series, pd.DataFrame):
        return None
    windowers = {}
    for name, model in models.items():
        try:
            windower = _windower_of(model)
        except TypeError:
            continue
        if windower._panel_mode():
            windowers[name] = windower
    if not windowers:
        return None
    if len(windowers) < len(models):
        missing = sorted(set(models) - set(windowers))
        raise ValueError(
            f"Models {missing} do not window a panel: every model compared on a "
            "panel needs a SequenceWindower with the same id_column and time_column."
        )
    columns = {(w.id_column, w.time_column) for w in windowers.values()}
    if len(columns) > 1:
        raise ValueError(
            f"The models' windowers read different columns {sorted(columns, key=str)}; "
            "compare them on the same id_column and time_column."
        )
    return next(iter(windowers.values()))


_SEASONS = {"M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "W": 52,
            "D": 7, "B": 5, "h": 24, "H": 24}  # fmt: skip


def _season_length(season_length, windower, frame):
    if season_length is not None:
        if (
            isinstance(season_length, bool)
            or not isinstance(season_length, int | np.integer)
            or season_length < 1
        ):
            raise ValueError(
                f"season_length must be an int >= 1 or None, got {season_length!r}."
            )
        return int(season_length)
    panel = clone(windower).fit(frame)._read_panel(frame)
    found = [f for f in panel.freqs if f is not None]
    if not found or isinstance(found[0], int | np.integer):
        return 1
    freq = max(set(found), key=found.count)  # the panel's most common frequency
    base = freq.rule_code.split("-")[0]  # .name warns on pandas >= 3.1
    if base in ("BMS", "BME", "BM", "BQS", "BQE", "BQ"):
        base = base[1:]  # business month or quarter: the same season
    season = _SEASONS.get(base, 1)
    # Every 2 months: a season of 6 steps; no whole season: none.
    return season // freq.n if season % freq.n == 0 else 1


def _panel_columns(table, tasks, results, names):
    """MASE per series, its mean and median, and the share beating seasonal naive."""
    per_series, snaive = {}, None
    for name in names:
        mine = [r for t, r in zip(tasks, results, strict=True) if t[0] == name]
        frame = pd.concat(
            [
                pd.DataFrame(
                    {
                        "series": r["series"],
                        "model": _scaled_error(r["y_pred"], r),
                        "snaive": _scaled_error(r["seasonal"], r),
                    }
                )
                for r in mine
            ]
        )
        grouped = frame.groupby("series", sort=True)[["model", "snaive"]].mean()
        per_series[name] = grouped["model"]
        if snaive is None:
            snaive = grouped["snaive"]
    mase = pd.DataFrame(per_series)
    table["mase_mean"] = [mase[n].mean() for n in names]
    table["mase_median"] = [mase[n].median() for n in names]
    table["beats_snaive"] = [
        float(np.mean((mase[n] < snaive.reindex(mase.index)).to_numpy())) for n in names
    ]
    table.attrs.update(
        mase=mase,
        snaive_mase={"mean": float(snaive.mean()), "median": float(snaive.median())},
    )


def _scaled_error(predicted, result):
    error = np.abs(np.asarray(predicted) - result["y_true"])
    error = error.reshape(len(error), -1).mean(axis=1)
    return error / result["denominator"]


def _summarise(tasks, results, scorer, names, horizon, dm_loss="squared"):
    rows, records, last_fold = {}, [], {}
    n_folds = max(task[2] for task in tasks) + 1
    if "series" not in results[0]:  # one series: every model on the same targets
        results = _common_targets(tasks, results)
    for (name, seed, fold, _, _), result in zip(tasks, results, strict=True):
        score = scorer(_Predicted(result["y_pred"]), None, result["y_true"])
        records.append({"model": name, "seed": seed, "fold": fold, "score": score})
        if fold == n_folds - 1 and name not in last_fold:
            last_fold[name] = result
    scores = pd.DataFrame.from_records(records)
    for name in names:
        mine = [r for t, r in zip(tasks, results, strict=True) if t[0] == name]
        y_true = np.concatenate([r["y_true"] for r in mine])
        errors = np.concatenate([r["y_pred"] for r in mine]) - y_true
        naive = np.concatenate([r["naive"] for r in mine]) - y_true
        model_scores = scores.loc[scores.model == name, "score"]
        rows[name] = {
            "score_mean": model_scores.mean(),
            "score_std": model_scores.std(ddof=0),
            "mae": np.mean(np.abs(errors)),
            "rmse": np.sqrt(np.mean(errors**2)),
            "skill": 1 - np.mean(np.abs(errors)) / np.mean(np.abs(naive)),
            "n_params": mine[0]["n_params"],
            "fit_time_s": np.mean([r["fit_time"] for r in mine]),
            **_interval_columns(mine, y_true),
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
    if dm_loss == "winkler":
        squared = _paired_losses(tasks, results, names, n_folds, _winkler)
        best = table["winkler"].idxmin()
        if not isinstance(best, str) or best not in table.index:
            raise ValueError(
                "dm_loss='winkler' needs at least one ConformalRegressor model"
            )
    else:
        squared = _paired_squared_errors(tasks, results, names, n_folds)
        if table["score_mean"].isna().all():
            fewest = min(len(r["y_true"]) for r in results)
            raise ValueError(
                f"No model has a score: the fewest test targets of a fold that "
                f"every model scores is {fewest}, too few for the scorer (a "
                "model with a longer window scores fewer; the first "
                "window_length values of a fold are inputs only). Use fewer "
                "folds or shorter windows."
            )
        best = table["score_mean"].idxmax()
    tests = {
        name: _diebold_mariano(squared[name], squared[best], horizon) for name in names
    }
    table["dm_stat"] = [np.nan if n == best else tests[n][0] for n in names]
    table["p_value"] = [np.nan if n == best else tests[n][1] for n in names]
    table.attrs.update(
        scores=scores, last_fold=last_fold, scoring=scorer._score_func.__name__
    )
    if "series" in results[0]:
        _panel_columns(table, tasks, results, names)
    if table["coverage"].isna().all():  # no model gives intervals
        for column in ("coverage", "mean_width", "winkler"):
            del table[column]
    return table


def _common_targets(tasks, results):
    """Each one-series result cut to its fold's last targets that all share.

    Targets end together at the end of a fold; a model with a longer window
    starts scoring later, so the shortest result of a fold sets how many
    targets every model keeps there. Results of equal windows are unchanged.
    """
    common = {}
    for (_, _, fold, _, _), result in zip(tasks, results, strict=True):
        common[fold] = min(common.get(fold, np.inf), len(result["y_true"]))
    kept = []
    for (_, _, fold, _, _), result in zip(tasks, results, strict=True):
        n = common[fold]
        if len(result["y_true"]) > n:
            result = {**result}
            for key in ("y_true", "y_pred", "naive", "interval"):
                if result[key] is not None:
                    result[key] = result[key][len(result[key]) - n :]
        kept.append(result)
    return kept


def _interval_columns(mine, y_true):
    """Coverage, mean width and Winkler score of a model's test intervals."""
    if mine[0]["interval"] is None:
        return {"coverage": np.nan, "mean_width": np.nan, "winkler": np.nan}
    intervals = np.concatenate([r["interval"] for r in mine])
    return {
        "coverage": empirical_coverage(y_true, intervals),
        "mean_width": mean_width(intervals),
        "winkler": winkler_score(y_true, intervals, mine[0]["coverage"]),
    }


def _winkler(result):
    if result["interval"] is None:
        return np.full(len(result["y_true"]), np.nan)
    losses = winkler_losses(result["y_true"], result["interval"], result["coverage"])
    return losses.reshape(len(losses), -1).mean(axis=1)


def _squared(result):
    error = result["y_pred"] - result["y_true"]
    return (error**2).reshape(len(error), -1).mean(axis=1)


def _paired_squared_errors(tasks, results, names, n_folds):
    return _paired_losses(tasks, results, names, n_folds, _squared)


def _paired_losses(tasks, results, names, n_folds, loss):
    """Seed-averaged losses of each model on the targets all share.

    ``loss(result)`` gives one loss per target (squared error or Winkler
    score, averaged over the steps ahead).

    Models with longer windows score fewer targets per fold (the first
    ``window_length`` values only serve as inputs); targets end together at
    the end of the fold, so each fold keeps the last values common to all.
    """
    errors = {}
    for (name, _, fold, _, _), result in zip(tasks, results, strict=True):
        errors.setdefault((name, fold), []).append(loss(result))
    squared = {name: [] for name in names}
    for fold in range(n_folds):
        common = min(len(errors[name, fold][0]) for name in names)
        for name in names:
            per_seed = np.stack([e[len(e) - common :] for e in errors[name, fold]])
            squared[name].append(np.mean(per_seed, axis=0))
    return {name: np.concatenate(parts) for name, parts in squared.items()}


def _diebold_mariano(loss_a, loss_b, horizon=1):
    """Diebold-Mariano test of equal expected loss, small-sample corrected.

    The variance of the loss differential is estimated with its
    autocovariances up to lag ``horizon - 1`` (forecasts ``horizon`` steps
    ahead overlap), then corrected as Harvey, Leybourne and Newbold (1997)
    propose; a Student t with ``n - 1`` degrees of freedom gives the
    two-sided p-value. Identical losses give (nan, 1.0); too few targets
    give (nan, nan).
    """
    d = np.asarray(loss_a) - np.asarray(loss_b)
    n = len(d)
    if n and not np.any(d):
        return np.nan, 1.0
    if n < 3 or n <= 2 * horizon:
        return np.nan, np.nan
    centred = d - d.mean()
    variance = np.dot(centred, centred) / n
    for lag in range(1, horizon):
        variance += 2 * np.dot(centred[lag:], centred[:-lag]) / n
    if variance <= 0:
        return np.nan, np.nan
    statistic = d.mean() / np.sqrt(variance / n)
    statistic *= np.sqrt((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n)
    p_value = 2 * stats.t.sf(abs(statistic), df=n - 1)
    return float(statistic), float(p_value)


def _common_horizon(models):
    """The horizon every model forecasts; comparing different ones is refused."""
    horizons = {}
    for name, model in models.items():
        if isinstance(model, PerSeries) or hasattr(model, "predict_interval"):
            model = model.estimator
        final = model[-1] if hasattr(model, "steps") else model
        horizons[name] = int(final.get_params().get("horizon", 1))
    if len(set(horizons.values())) > 1:
        raise ValueError(
            "compare needs models that forecast the same horizon, so that their "
            f"errors are paired on the same targets; got {horizons}."
        )
    return next(iter(horizons.values()))


def _progress_bar(total, verbose):
    """A tqdm bar over ``total`` fits; disabled (prints nothing) if not verbose."""
    if not verbose:  # tqdm.auto is not even imported (it warns in some notebooks)
        return _Silent()
    from tqdm.auto import tqdm
    from tqdm.autonotebook import tqdm as chosen_tqdm
    from tqdm.std import tqdm as text_tqdm

    # Fits take seconds, so a terminal or a notebook widget can redraw after
    # each one; in a pipe or a log file every redraw is another "\r" line.
    live = chosen_tqdm is not text_tqdm or _is_terminal(sys.stderr)
    return tqdm(
        total=total,
        disable=not verbose,
        file=sys.stderr,
        unit="fit",
        mininterval=0.1 if live else 30.0,
        bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} fits [{elapsed}<{remaining}]",
    )


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class _Silent:
    """Stands in for a disabled progress bar."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, n=1):
        pass
