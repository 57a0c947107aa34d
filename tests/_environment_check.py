"""One fresh interpreter's view of skseq's environment, for test_environment.py.

Run as ``python tests/_environment_check.py [loky] [dask]``. It fits a seeded
series-mode pipeline, then, for each worker kind named, runs a small grid
search on two worker processes and asks every worker what it sees. The
report is one JSON object on the last line of standard output; standard error
is left to the caller, who checks what TensorFlow printed on it.

Starting interpreters and workers is what costs here (5-9 s of TensorFlow
import each), so one run answers every question at once: the predictions
(cross-process reproducibility), ``TF_CPP_MIN_LOG_LEVEL`` before and after
(left as the user set it), and each worker's variable. A worker that
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
        "workers": {kind: _ON_WORKERS[kind](series) for kind in worker_kinds},
    }
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


def _grid_search(series, n_jobs):
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.pipeline import make_pipeline

    from skseq import DenseRegressor, SequenceWindower

    pipe = make_pipeline(
        SequenceWindower(3),
        DenseRegressor((4,), epochs=2, batch_size=64, random_state=0),
    )
    grid = {"sequencewindower__window_length": [3, 4]}
    GridSearchCV(pipe, grid, cv=TimeSeriesSplit(2), n_jobs=n_jobs).fit(series)


def _on_loky(series):
    from joblib import Parallel, delayed

    _grid_search(series, n_jobs=2)
    # The same two loky workers, reused by joblib.
    states = Parallel(n_jobs=2)(delayed(worker_state)() for _ in range(6))
    return list({state["pid"]: state for state in states}.values())


def _on_dask(series):
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
        with joblib.parallel_backend("dask"):
            _grid_search(series, n_jobs=2)
        return list(client.run(worker_state).values())


_ON_WORKERS = {"loky": _on_loky, "dask": _on_dask}

if __name__ == "__main__":
    main(sys.argv[1:])
