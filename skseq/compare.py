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

from skseq.scoring import _Predicted, series_predictions

__all__ = ["compare", "plot_comparison"]


def compare(
    models, series, *, cv=None, seeds=(0, 1, 2), scoring="r2", n_jobs=None, verbose=1
):
    """Cross-validate several models on one series and test their differences.

    Every model is fitted on the same time-ordered folds once per seed (the
    seed goes to every ``random_state`` parameter it has). On each test fold
    the targets are the values that follow each window (series mode).

    Parameters
    ----------
    models : dict of str to estimator
        Name to pipeline (or series-mode regressor) to compare.
    series : array-like of shape (n_steps,) or (n_steps, n_features)
        The series, oldest value first.
    cv : int or cross-validation splitter, default=None
        Time-ordered splitter; None is ``TimeSeriesSplit(n_splits=3)`` and an
        int ``n`` is ``TimeSeriesSplit(n_splits=n)``.
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

    Returns
    -------
    table : pandas.DataFrame
        One row per model, indexed by name: ``score_mean`` and ``score_std``
        over folds x seeds, ``mae`` and ``rmse`` on all test targets,
        ``skill`` (1 - MAE / MAE of naive persistence on the same targets),
        ``n_params`` (trainable parameters), ``fit_time_s`` (mean),
        ``dm_stat`` and ``p_value`` of a Diebold-Mariano test of squared
        errors against the best model (by ``score_mean``; NaN on its row).
        ``table.attrs["scores"]`` holds every (model, seed, fold) score and
        ``table.attrs["last_fold"]`` the last fold's targets and predictions.

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
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed, e.g. seeds=(0,)")
    horizon = _common_horizon(models)
    if cv is None:
        cv = TimeSeriesSplit(n_splits=3)
    elif isinstance(cv, int):
        cv = TimeSeriesSplit(n_splits=cv)
    cv = check_cv(cv)
    scorer = get_scorer(scoring)
    values = series.to_numpy() if hasattr(series, "to_numpy") else np.asarray(series)
    folds = list(cv.split(values))
    tasks = [
        (name, seed, fold, train, test)
        for name in models
        for seed in seeds
        for fold, (train, test) in enumerate(folds)
    ]
    run = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fit_and_predict)(models[name], values[train], values[test], seed)
        for name, seed, fold, train, test in tasks
    )
    results = []
    with _progress_bar(len(tasks), verbose) as bar:
        for result in run:
            results.append(result)
            bar.update()
    return _summarise(tasks, results, scorer, list(models), horizon)


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


def _fit_and_predict(model, train, test, seed):
    model = clone(model)
    seed_params = {k: seed for k in model.get_params() if k.endswith("random_state")}
    model.set_params(**seed_params)
    start = time.perf_counter()
    model.fit(train)
    fit_time = time.perf_counter() - start
    y_true, y_pred, naive = series_predictions(model, test)
    final = model[-1] if hasattr(model, "steps") else model
    keras_model = getattr(final, "model_", None)
    n_params = len(getattr(final, "params_", ()))  # classical models
    if keras_model is not None:
        n_params = int(sum(np.prod(v.shape) for v in keras_model.trainable_weights))
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "naive": naive,
        "fit_time": fit_time,
        "n_params": n_params,
    }


def _summarise(tasks, results, scorer, names, horizon):
    rows, records, last_fold = {}, [], {}
    n_folds = max(task[2] for task in tasks) + 1
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
        }
    squared = _paired_squared_errors(tasks, results, names, n_folds)
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
    best = table["score_mean"].idxmax()
    tests = {
        name: _diebold_mariano(squared[name], squared[best], horizon) for name in names
    }
    table["dm_stat"] = [np.nan if n == best else tests[n][0] for n in names]
    table["p_value"] = [np.nan if n == best else tests[n][1] for n in names]
    table.attrs.update(
        scores=scores, last_fold=last_fold, scoring=scorer._score_func.__name__
    )
    return table


def _paired_squared_errors(tasks, results, names, n_folds):
    """Seed-averaged squared errors of each model on the targets all share.

    Models with longer windows score fewer targets per fold (the first
    ``window_length`` values only serve as inputs); targets end together at
    the end of the fold, so each fold keeps the last values common to all.
    """
    errors = {}
    for (name, _, fold, _, _), result in zip(tasks, results, strict=True):
        error = result["y_pred"] - result["y_true"]
        squared_error = (error**2).reshape(len(error), -1).mean(axis=1)
        errors.setdefault((name, fold), []).append(squared_error)
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
