"""Does a window grid pick the window that forecasts better?

On each shipped series (airline, co2, sunspots, nile) the first 80% is the
training part and the last 20% the test part, as in ``bench_quality.py``.
A ``GridSearchCV`` over two windows, the protocol's ``k`` (a year of months,
an 11-year cycle, 5 years of Nile) and ``2k``, with ``DenseRegressor``
defaults, runs on the training part alone in three ways:

* ``TimeSeriesSplit(3)`` with ``make_series_scorer("neg_mean_absolute_error")``:
  each test fold's first ``window_length`` values are inputs only, so the
  window of ``2k`` is scored on fewer, later targets (NaN when a fold is
  shorter than the window);
* ``TimeSeriesSplit(2, test_size=3k)`` with ``last=k``: the last ``k``
  targets of each fold, the same for both windows;
* one holdout: the last 20% of the training part, its test part starting
  ``2k`` values earlier for context, with ``last`` = the held-out count.

Each pick is then judged on the test part: the one-step MAE of each window
fitted on the whole training part. Seeds 0 .. S-1 (``--seeds``, default 3).

Usage::

    python benchmarks/bench_window_choice.py | tee benchmarks/results_window_choice.txt
"""

import argparse
import time

import bench_classical
import numpy as np
from _environment import print_environment

WAYS = ("TimeSeriesSplit(3)", "TimeSeriesSplit(2), last=k", "holdout, last")


def searches(train, k):
    """The three ways to score the windows ``k`` and ``2k``: (cv, last)."""
    from sklearn.model_selection import TimeSeriesSplit

    n = round(0.2 * len(train))
    cut = len(train) - n
    holdout = [(np.arange(cut), np.arange(cut - 2 * k, len(train)))]
    return {
        WAYS[0]: (TimeSeriesSplit(3), None),
        WAYS[1]: (TimeSeriesSplit(2, test_size=3 * k), k),
        WAYS[2]: (holdout, n),
    }


def test_error(train, test, k, seed):
    """One-step MAE on ``test`` of the window ``k`` fitted on all of ``train``."""
    pred, _ = bench_classical.run("dense", train, test, k, None, 1, seed)
    return float(np.mean(np.abs(pred[:-1, 0] - test)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    import warnings

    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    from skseq import SequenceWindower, make_series_scorer

    start = time.perf_counter()
    print_environment()
    print(f"command   : python benchmarks/bench_window_choice.py --seeds {args.seeds}")
    print()
    header = f"{'series':<9} {'seed':>4}  {'test MAE k / 2k':>19}"
    print(header + "".join(f"  {w:>27}" for w in WAYS))
    right = dict.fromkeys(WAYS, 0)
    rows = 0
    for name, train, test, k in bench_classical.shipped_splits():
        for seed in range(args.seeds):
            errors = {w: test_error(train, test, w, seed) for w in (k, 2 * k)}
            best = min(errors, key=errors.get)
            cells = []
            for way, (cv, last) in searches(train, k).items():
                scoring = make_series_scorer("neg_mean_absolute_error", last=last)
                dense = bench_classical.make_model("dense", None, 1, seed)
                search = GridSearchCV(
                    Pipeline([("window", SequenceWindower(k)), ("model", dense)]),
                    {"window__window_length": [k, 2 * k]},
                    cv=cv,
                    scoring=scoring,
                    refit=False,
                )
                with warnings.catch_warnings():  # a NaN score warns; it is shown
                    warnings.simplefilter("ignore", UserWarning)
                    search.fit(train)
                scores = -search.cv_results_["mean_test_score"]
                pick = (k, 2 * k)[int(np.nanargmin(scores))]
                right[way] += pick == best
                cells.append(f"{scores[0]:.4g} / {scores[1]:.4g} -> {pick}")
            rows += 1
            pair = f"{errors[k]:.4g} / {errors[2 * k]:.4g}"
            print(
                f"{name:<9} {seed:>4}  {pair:>19}"
                + "".join(f"  {c:>27}" for c in cells)
            )
    print()
    print("CV MAE of k / 2k -> the window picked; picks of the better test window:")
    print("  " + ", ".join(f"{w}: {right[w]}/{rows}" for w in WAYS))
    print(f"wall time {time.perf_counter() - start:.0f}s")


if __name__ == "__main__":
    main()
