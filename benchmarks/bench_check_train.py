"""The default regressors on scikit-learn's ``check_regressors_train`` problem.

``check_regressors_train`` asks a regressor for a training R² above 0.5 on
scikit-learn's small regression problem (200 samples of 10 features, each
sample read here as a window of 10 steps, standardized as the check does).
This prints the training R² and the median fit time of ``DenseRegressor()``
and ``RNNRegressor()`` with their defaults (only ``random_state`` set), and
of ``RNNRegressor(go_backwards=False)`` (one network reading forward instead
of the default's two readings), every model fitted in turn in one process,
the first round untimed (graph tracing).

Usage::

    python benchmarks/bench_check_train.py            # 5 timed rounds
    python benchmarks/bench_check_train.py --rounds 2
"""

import argparse
import statistics
import sys
import time

from _environment import print_environment

MODELS = {
    "DenseRegressor()": ("dense", {}),
    "RNNRegressor()": ("rnn", {}),
    "RNNRegressor(go_backwards=False)": ("rnn", {"go_backwards": False}),
}


def check_problem():
    """The data ``check_regressors_train`` fits, scaled as it scales them."""
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils.estimator_checks import _regression_dataset

    X, y = _regression_dataset()
    X = StandardScaler().fit_transform(X)[:200]
    y = StandardScaler().fit_transform(y.reshape(-1, 1))[:200, 0]
    return X, y


def make(kind, params):
    from skseq import DenseRegressor, RNNRegressor

    cls = DenseRegressor if kind == "dense" else RNNRegressor
    return cls(random_state=0, **params)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds")
    args = parser.parse_args()
    print_environment()
    print(f"command   : {' '.join(['python', *sys.argv])}")
    X, y = check_problem()
    times = {name: [] for name in MODELS}
    scores = {}
    for round_ in range(args.rounds + 1):
        for name, (kind, params) in MODELS.items():
            model = make(kind, params)
            start = time.perf_counter()
            model.fit(X, y)
            elapsed = time.perf_counter() - start
            if round_:  # the first round traces the graphs
                times[name].append(elapsed)
            scores[name] = model.score(X, y)
    print(
        "\ncheck_regressors_train's problem: training R² (needs > 0.5), median fit "
        f"over {args.rounds} rounds"
    )
    for name in MODELS:
        fit = statistics.median(times[name])
        print(f"  {name:34s} R² {scores[name]:.3f}   fit {fit:.2f} s")


if __name__ == "__main__":
    main()
