"""One fresh interpreter's view of skseq's environment, for test_environment.py.

Run as ``python tests/_environment_check.py [loky] [dask]``. It fits a seeded
series-mode pipeline, then, for each worker kind named, runs ``compare`` and
a small grid search (on one series and on a panel) on two worker processes,
the same runs sequentially in this process, and asks every worker what it
sees. On Dask each worker first fits other architectures, so that its
process state differs from this one's. The report is one JSON object on the
last line of standard output; standard error is left to the caller, who
checks what TensorFlow printed on it.

Starting interpreters and workers is what costs here (5-9 s of TensorFlow
import each), so one run answers every question at once: the predictions
(cross-process reproducibility), the largest relative difference between
the workers' results and the sequential ones (exact results in parallel),
``TF_CPP_MIN_LOG_LEVEL`` before and after (left as the user set it), and
each worker's variable. A worker that
loaded TensorFlow and printed nothing shows that the quiet import came first
there: TensorFlow imported any other way prints its start-up lines.
"""

import json
import os
import sys

LEVEL = "TF_CPP_MIN_LOG_LEVEL"


def main(worker_kinds):
    """Fit, search on workers, and print the report as JSON."""
    level_before = os.environ.get(LEVEL)
    import numpy as np
    from sklearn.pipeline import make_pipeline

    from skseq import RNNRegressor, SequenceWindower

    series = np.sin(np.arange(120) / 4)
    pipe = make_pipeline(
        SequenceWindower(3),
        RNNRegressor("gru", 4, epochs=3, batch_size=16, random_state=11),
    )
    report = {
        "predictions": pipe.fit(series).predict(series).tolist(),
        "level_before": level_before,
        "level_after": os.environ.get(LEVEL),
        "workers": {},
    }
    if worker_kinds:
        sequential = _runs(series, n_jobs=None)
        for kind in worker_kinds:
            report["workers"][kind] = _ON_WORKERS[kind](series, sequential)
    print(json.dumps(report))


def worker_state():
    """What a worker process sees: its id, the variable, whether it has TensorFlow."""
    import time

    time.sleep(0.2)  # let every loky worker take a task
    return {
        "pid": os.getpid(),
        "level": os.environ.get(LEVEL),
        "tensorflow_loaded": "tensorflow" in sys.modules,
    }


def _models():
    from sklearn.pipeline import make_pipeline

    from skseq import DenseRegressor, NaiveRegressor, RNNRegressor, SequenceWindower

    fast = {"epochs": 5, "batch_size": 32, "verbose": 0}
    return {
        "naive": make_pipeline(SequenceWindower(4), NaiveRegressor()),
        "dense": make_pipeline(SequenceWindower(4), DenseRegressor((8,), **fast)),
        "gru": make_pipeline(SequenceWindower(4), RNNRegressor("gru", 4, **fast)),
        "lstm": make_pipeline(SequenceWindower(4), RNNRegressor("lstm", 4, **fast)),
    }


def _runs(series, n_jobs):
    """compare's table and a grid's mean test scores, as plain lists."""
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    from skseq import compare

    table = compare(_models(), series, cv=2, seeds=(0, 1), verbose=0, n_jobs=n_jobs)
    grid = GridSearchCV(
        _models()["dense"].set_params(denseregressor__random_state=0),
        {"sequencewindower__window_length": [3, 4]},
        cv=TimeSeriesSplit(2),
        n_jobs=n_jobs,
    ).fit(series)
    columns = ["score_mean", "mae", "skill"]
    panel_table, panel_grid = _panel_runs(series, n_jobs)
    return {
        "table": table[columns].to_numpy().tolist(),
        "grid": grid.cv_results_["mean_test_score"].tolist(),
        "panel_table": panel_table,
        "panel_grid": panel_grid,
    }


def _panel_runs(series, n_jobs):
    """The same on a panel of three series of different scales and lengths."""
    import pandas as pd
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    from skseq import (
        DenseRegressor,
        NaiveRegressor,
        PanelTimeSeriesSplit,
        PerSeries,
        SequenceWindower,
        compare,
        make_series_scorer,
    )

    panel = pd.concat(
        [
            pd.DataFrame(
                {"unique_id": f"s{j}", "ds": range(n), "y": scale * (2 + series[:n])}
            )
            for j, (scale, n) in enumerate([(100.0, 80), (0.1, 60), (3.0, 70)])
        ]
    )
    window = SequenceWindower(
        4, id_column="unique_id", time_column="ds", target_column="y"
    )
    dense = make_pipeline(window, DenseRegressor((8,), epochs=5, horizon=2))
    models = {
        "naive": make_pipeline(window, NaiveRegressor(horizon=2)),
        "dense": dense,
        "local": PerSeries(dense),
    }
    cv = PanelTimeSeriesSplit(n_splits=2, test_size=4)
    table = compare(models, panel, cv=cv, seeds=(0,), verbose=0, n_jobs=n_jobs)
    grid = GridSearchCV(
        dense.set_params(denseregressor__random_state=0),
        {"sequencewindower__window_length": [3, 4]},
        cv=cv,
        scoring=make_series_scorer("neg_mean_absolute_error"),
        n_jobs=n_jobs,
    ).fit(panel)
    columns = ["mae", "mase_mean", "beats_snaive"]
    return (
        table[columns].to_numpy().tolist(),
        grid.cv_results_["mean_test_score"].tolist(),
    )


def _largest_difference(parallel, sequential):
    """The largest relative difference of the parallel results, per result."""
    import numpy as np

    return {
        name: float(
            np.max(
                np.abs(np.subtract(parallel[name], sequential[name]))
                / np.maximum(np.abs(sequential[name]), 1e-12)
            )
        )
        for name in sequential
    }


def _other_fits(series):
    """Fits of other architectures, windows and seeds, run on a worker first."""
    from sklearn.pipeline import make_pipeline

    from skseq import DenseRegressor, RNNRegressor, SequenceWindower

    for window, regressor in [
        (6, DenseRegressor((16,), epochs=3, random_state=1)),
        (5, RNNRegressor("lstm", 3, epochs=3, random_state=2)),
        (4, RNNRegressor("gru", 4, epochs=3, random_state=5)),
    ]:
        make_pipeline(SequenceWindower(window), regressor).fit(series[:100])


def _on_loky(series, sequential):
    from joblib import Parallel, delayed

    difference = _largest_difference(_runs(series, n_jobs=2), sequential)
    # The same two loky workers, reused by joblib.
    states = Parallel(n_jobs=2)(delayed(worker_state)() for _ in range(6))
    states = list({state["pid"]: state for state in states}.values())
    return {"states": states, "difference": difference}


def _on_dask(series, sequential):
    import logging

    import joblib
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # The scheduler's HTTP server still starts: on any free port, so
            # that it does not warn when another cluster holds 8787.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,  # not its notes on slow worker shutdowns
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = list(client.scheduler_info()["workers"])
        warm_up = [
            client.submit(_other_fits, series, workers=[w], pure=False) for w in workers
        ]
        client.gather(warm_up)
        with joblib.parallel_backend("dask"):
            parallel = _runs(series, n_jobs=2)
        states = list(client.run(worker_state).values())
    return {"states": states, "difference": _largest_difference(parallel, sequential)}


_ON_WORKERS = {"loky": _on_loky, "dask": _on_dask}

if __name__ == "__main__":
    main(sys.argv[1:])
