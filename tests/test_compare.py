"""compare(), series-mode scorers, pictures and scale-out.

The table's arithmetic, the scorers and the picture are checked on the naive
baselines (milliseconds, no TensorFlow); what only networks have (parameter
counts, seeds, a trained model beating an untrained one) on Keras fits.
"""

import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.pipeline import make_pipeline

from conftest import FAST
from skseq import (
    NaiveRegressor,
    SeasonalNaiveRegressor,
    SequenceWindower,
    compare,
    make_series_scorer,
    plot_comparison,
)


def _models():
    from skseq import DenseRegressor, RNNRegressor

    return {
        "dense": make_pipeline(SequenceWindower(4), DenseRegressor((8,), **FAST)),
        "gru": make_pipeline(SequenceWindower(4), RNNRegressor("gru", 4, **FAST)),
    }


def _baselines(window_length=4):
    return {
        "naive": make_pipeline(SequenceWindower(window_length), NaiveRegressor()),
        "seasonal": make_pipeline(
            SequenceWindower(window_length), SeasonalNaiveRegressor(4)
        ),
    }


@pytest.fixture
def seasonal():
    """A noisy series of period 4, where the seasonal baseline wins."""
    noise = np.random.default_rng(1).normal(0, 0.1, 120)
    return np.tile([1.0, 4.0, 2.0, 8.0], 30) + noise


# The table, on baselines -------------------------------------------------


def test_compare_table_has_one_row_per_model_with_honest_numbers(seasonal):
    """Scores, errors, skill, parameters, times and the paired test."""
    table = compare(_baselines(), seasonal, cv=3, seeds=(0, 1), verbose=0)
    assert list(table.index) == ["naive", "seasonal"]
    scores = table.attrs["scores"]
    assert len(scores) == 2 * 2 * 3  # models x seeds x folds
    assert sorted(scores.columns) == ["fold", "model", "score", "seed"]
    for name in table.index:
        mine = scores[scores.model == name].score
        assert table.loc[name, "score_mean"] == pytest.approx(mine.mean())
        assert table.loc[name, "score_std"] == pytest.approx(mine.std(ddof=0))
    assert np.all(table["rmse"] >= table["mae"])
    assert table.loc["naive", "skill"] == 0.0
    assert table.loc["seasonal", "skill"] == pytest.approx(
        1 - table.loc["seasonal", "mae"] / table.loc["naive", "mae"]
    )
    assert table.loc["seasonal", "skill"] > 0.9
    assert table["score_mean"].idxmax() == "seasonal"
    assert np.isnan(table.loc["seasonal", "p_value"])  # the best model's row
    assert 0 <= table.loc["naive", "p_value"] < 0.01
    assert table.loc["naive", "dm_stat"] > 0  # naive's squared errors are larger
    assert np.all(table["n_params"] == 0)
    assert np.all(table["fit_time_s"] > 0)
    assert table.attrs["scoring"] == "r2_score"


def test_compare_refuses_bad_requests(sine):
    """Different horizons, no seeds or no models are refused up front."""
    models = {
        "one": make_pipeline(SequenceWindower(3), NaiveRegressor()),
        "two": make_pipeline(SequenceWindower(3), NaiveRegressor(horizon=2)),
    }
    with pytest.raises(ValueError, match="same horizon"):
        compare(models, sine, verbose=0)
    with pytest.raises(ValueError, match="at least one seed"):
        compare(_baselines(), sine, seeds=(), verbose=0)
    with pytest.raises(ValueError, match="at least one estimator"):
        compare({}, sine, verbose=0)


def test_diebold_mariano_reports_what_it_can_test():
    """Too few targets give no p-value; identical errors give p = 1."""
    from skseq.compare import _diebold_mariano

    assert np.isnan(_diebold_mariano([1.0, 2.0], [0.0, 0.5])[1])
    assert _diebold_mariano([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])[1] == 1.0
    rng = np.random.default_rng(0)
    worse = rng.normal(2.0, 0.5, 200) ** 2
    better = rng.normal(0.0, 0.5, 200) ** 2
    stat, p = _diebold_mariano(worse, better, horizon=3)
    assert stat > 0 and p < 1e-6


def test_plot_comparison_writes_a_picture(seasonal, tmp_path):
    """The picture has the last-fold forecasts and the score boxes."""
    table = compare(_baselines(), seasonal, cv=2, seeds=(0,), verbose=0)
    path = tmp_path / "comparison.png"
    figure = plot_comparison(table, path)
    left, right = figure.axes
    assert len(left.lines) == 3  # actual + one line per model
    np.testing.assert_array_equal(
        left.lines[0].get_ydata(), table.attrs["last_fold"]["naive"]["y_true"]
    )
    assert [t.get_text() for t in right.get_xticklabels()] == ["naive", "seasonal"]
    assert path.stat().st_size > 10_000


# Series scorers ----------------------------------------------------------


@pytest.mark.parametrize(
    "metric", ["neg_mean_absolute_error", mean_absolute_error], ids=["name", "callable"]
)
def test_series_scorer_works_where_named_scorers_give_nan(metric, sine):
    """cross_validate with a series scorer gives real numbers, not NaN."""
    pipe = _baselines()["naive"]
    cv = TimeSeriesSplit(n_splits=3)
    with pytest.warns(UserWarning, match="Scoring failed"):
        plain = cross_validate(pipe, sine, cv=cv, scoring="neg_mean_absolute_error")
    assert np.all(np.isnan(plain["test_score"]))
    greater = not callable(metric)
    scorer = make_series_scorer(metric, greater_is_better=greater)
    result = cross_validate(pipe, sine, cv=cv, scoring=scorer)
    assert np.all(np.isfinite(result["test_score"]))
    assert np.all(result["test_score"] < 0)


def test_series_scorer_in_grid_search_matches_compare_mae(sine):
    """GridSearchCV with a series scorer ranks on the same MAE compare reports."""
    scorer = make_series_scorer("neg_mean_absolute_error")
    grid = GridSearchCV(
        _baselines()["naive"],
        {"sequencewindower__window_length": [3, 4]},
        cv=TimeSeriesSplit(3),
        scoring=scorer,
        error_score="raise",
    ).fit(sine)
    for window_length, score in zip(
        [3, 4], grid.cv_results_["mean_test_score"], strict=True
    ):
        pipe = _baselines(window_length)["naive"]
        table = compare({"naive": pipe}, sine, cv=3, seeds=(0,), verbose=0)
        # Equal test folds: the mean of fold MAEs is the MAE of all targets.
        assert score == pytest.approx(-table.loc["naive", "mae"])


def test_rows_of_different_windows_are_scored_on_the_same_targets(sine):
    """Every column pairs the models: each fold keeps its last shared targets."""
    models = {"w3": _baselines(3)["naive"], "w9": _baselines(9)["naive"]}
    table = compare(models, sine, cv=3, seeds=(0,), verbose=0)
    columns = ["score_mean", "score_std", "mae", "rmse", "skill"]
    # persistence does not depend on the window: the same targets, the same row
    np.testing.assert_array_equal(table.loc["w3", columns], table.loc["w9", columns])
    expected = []
    for _, test in TimeSeriesSplit(3).split(sine):
        fold = sine[test]
        expected.extend(np.abs(np.diff(fold))[8:])  # the targets after 9 values
    assert table.loc["w3", "mae"] == pytest.approx(np.mean(expected))
    last = table.attrs["last_fold"]
    np.testing.assert_array_equal(last["w3"]["y_true"], last["w9"]["y_true"])


def test_windows_that_leave_a_fold_too_few_shared_targets_are_refused():
    """R² needs two targets; one shared target per fold is a clear error."""
    series = np.sin(np.arange(80) / 3)  # TimeSeriesSplit(3): test folds of 20
    models = {"w3": _baselines(3)["naive"], "w19": _baselines(19)["naive"]}
    with pytest.raises(ValueError, match="fewest test targets of a fold that every"):
        compare(models, series, cv=3, seeds=(0,), verbose=0)


def _window_grid(scorer, windows=(2, 8), test_size=18):
    """Mean test scores of naive persistence over window lengths."""
    grid = GridSearchCV(
        _baselines()["naive"],
        {"sequencewindower__window_length": list(windows)},
        cv=TimeSeriesSplit(2, test_size=test_size),
        scoring=scorer,
        error_score="raise",
    )
    return grid.fit(np.cumsum(np.sin(np.arange(80) / 3) + 0.1)).cv_results_


def test_series_scorer_compares_window_lengths_on_different_targets_by_default():
    """Without ``last``, a longer window scores fewer, later targets of each fold."""
    scores = _window_grid(make_series_scorer("neg_mean_absolute_error"))
    # persistence does not depend on the window; only the targets differ
    assert scores["mean_test_score"][0] != pytest.approx(scores["mean_test_score"][1])


def test_series_scorer_last_scores_every_window_on_the_same_targets():
    """``last=n``: the last n targets of each fold, whatever the window length."""
    seen = []

    def total(y_true, y_pred):
        seen.append(np.asarray(y_true).copy())
        return mean_absolute_error(y_true, y_pred)

    scorer = make_series_scorer(total, greater_is_better=False, last=10)
    scores = _window_grid(scorer, windows=(2, 5, 8))
    np.testing.assert_array_equal(
        scores["mean_test_score"], scores["mean_test_score"][0]
    )
    # 3 windows x 2 folds, 10 targets each; the same targets per fold
    assert [len(t) for t in seen] == [10] * 6
    for targets in (seen[0::2], seen[1::2]):  # candidates outer, folds inner
        for t in targets[1:]:
            np.testing.assert_array_equal(t, targets[0])


def test_series_scorer_last_is_the_metric_on_the_last_targets(sine):
    pipe = _baselines(4)["naive"].fit(sine[:80])
    test = sine[80:]
    scorer = make_series_scorer("neg_mean_absolute_error", last=7)
    expected = mean_absolute_error(test[-7:], test[-8:-1])  # persistence
    assert scorer(pipe, test) == pytest.approx(-expected)
    assert "last=7" in repr(scorer)


def test_series_scorer_last_refuses_a_test_part_with_too_few_targets():
    with pytest.raises(ValueError, match="last=15: the test part has only 10 targets"):
        _window_grid(
            make_series_scorer("neg_mean_absolute_error", last=15), test_size=18
        )


@pytest.mark.parametrize("last", [0, -3, 2.5, True, "10"])
def test_series_scorer_last_must_be_a_positive_int(last):
    with pytest.raises(ValueError, match=r"last must be an int >= 1 or None, got"):
        make_series_scorer("neg_mean_absolute_error", last=last)


# Keras models --------------------------------------------------------------


@pytest.fixture(scope="module")
def trained_and_untrained():
    """compare() of a trained and a barely trained network (shared: 6 fits)."""
    from skseq import DenseRegressor

    models = {
        "trained": make_pipeline(
            SequenceWindower(6), DenseRegressor(epochs=100, random_state=0)
        ),
        "untrained": make_pipeline(
            SequenceWindower(6),
            DenseRegressor(epochs=1, learning_rate=1e-5, ridge_weight=0.0),
        ),
    }
    sine = np.sin(np.arange(120) / 4)
    return compare(models, sine, cv=3, seeds=(0,), verbose=0)


@pytest.mark.keras
def test_compare_skill_and_diebold_mariano_tell_trained_from_untrained(
    trained_and_untrained,
):
    """A trained network beats persistence (skill > 0), an untrained one does
    not, and the paired test finds the untrained one significantly worse."""
    table = trained_and_untrained
    assert table.loc["trained", "skill"] > 0.5
    assert table.loc["untrained", "skill"] < 0
    assert table["score_mean"].idxmax() == "trained"
    assert np.isnan(table.loc["trained", "p_value"])
    assert table.loc["untrained", "p_value"] < 0.01
    # Trainable weights of Dense(100) on 6 steps plus the output layer.
    # Dense(100) on 6 steps, then the output unit on 100 hidden values and
    # the window's level ("last+level").
    assert np.all(table["n_params"] == 6 * 100 + 100 + 101 + 1)
    assert np.all(table["fit_time_s"] > 0)


@pytest.mark.keras
def test_compare_counts_network_parameters_and_seeds_every_fit(sine):
    """n_params counts trainable weights; every seed gives its own fits."""
    table = compare(_models(), sine, cv=2, seeds=(0, 1), verbose=0)
    assert table.loc["dense", "n_params"] == 4 * 8 + 8 + 9 + 1  # 8 hidden + level
    assert table.loc["gru", "n_params"] > 0
    scores = table.attrs["scores"]
    dense = scores[scores.model == "dense"].set_index(["seed", "fold"]).score
    assert dense[0, 0] != dense[1, 0]  # another seed, another network


@pytest.mark.keras
def test_seeded_fit_ignores_other_threads_drawing_from_python_random(sine):
    """Another thread drawing from ``random`` (as a Dask worker's event loop
    does) while a seeded fit runs does not change the fitted network."""
    import random
    import threading
    import time

    from skseq import RNNRegressor

    def weights():
        pipeline = make_pipeline(
            SequenceWindower(4), RNNRegressor("gru", 4, epochs=3, random_state=0)
        )
        return pipeline.fit(sine)[-1].model_.get_weights()

    alone = weights()
    stop = threading.Event()

    def draw():
        while not stop.is_set():
            random.sample(range(100), 10)
            time.sleep(0.0005)

    thread = threading.Thread(target=draw, daemon=True)
    thread.start()
    try:
        disturbed = weights()
    finally:
        stop.set()
        thread.join()
    for a, b in zip(alone, disturbed, strict=True):
        np.testing.assert_array_equal(a, b)


def test_compare_progress_redraws_per_fit_on_a_terminal_and_rarely_in_logs(
    sine, capsys, monkeypatch
):
    """tqdm on stderr: a redraw per fit on a terminal, start and end in a log."""
    import io
    import sys
    import time

    from skseq import NaiveRegressor

    class SlowNaive(NaiveRegressor):
        def fit(self, X, y=None):
            time.sleep(0.15)  # longer than a terminal's redraw interval
            return super().fit(X, y)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    models = {"naive": make_pipeline(SequenceWindower(3), SlowNaive())}
    compare(models, sine, cv=2, seeds=(0, 1), verbose=1)  # capsys: no terminal
    log = capsys.readouterr().err
    assert "4/4 fits" in log and log.endswith("\n")
    assert log.count("\r") == 2
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    compare(models, sine, cv=2, seeds=(0, 1), verbose=1)
    drawn = terminal.getvalue()
    assert drawn.count("\r") >= 5  # start, then after each of the 4 fits
    compare(models, sine, cv=2, seeds=(0, 1), verbose=0)
    assert terminal.getvalue() == drawn
