"""The compiled training graph is reused across fits without changing them."""

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from skseq import DenseRegressor, RNNRegressor, SequenceWindower
from skseq.regressors import _graph_cache as _graph


@pytest.fixture(autouse=True)
def empty_cache():
    _graph.clear_cache()
    yield
    _graph.clear_cache()


@contextmanager
def cached_graphs_busy():
    """Hold every cached graph, as a fit in another thread would."""
    graphs = [*_graph._cache.values(), *_graph._forward_cache.values()]
    for graph in graphs:
        graph.lock.acquire()
    try:
        yield
    finally:
        for graph in graphs:
            graph.lock.release()


def fit(series, random_state=0, **params):
    params = {
        "cell": "gru",
        "units": 8,
        "dropout": 0.2,
        "epochs": 3,
        "batch_size": 16,
        "random_state": random_state,
        **params,
    }
    pipe = make_pipeline(SequenceWindower(window_length=6), RNNRegressor(**params))
    return pipe.fit(series)


def assert_same_fit(a, b, series):
    np.testing.assert_array_equal(a.predict(series), b.predict(series))
    np.testing.assert_array_equal(a[-1].history_["loss"], b[-1].history_["loss"])


def test_a_cached_graph_trains_exactly_as_a_graph_of_its_own(sine):
    """Same weights, dropout masks and shuffles, cached or not."""
    first = fit(sine)  # builds and caches the graph
    assert len(_graph._cache) == 1
    with cached_graphs_busy():
        own = fit(sine)  # the cached graph is taken: traces its own
    again = fit(sine)  # borrows the cached graph
    assert_same_fit(first, own, sine)
    assert_same_fit(first, again, sine)


def test_one_graph_serves_other_seeds_lengths_and_learning_rates(sine):
    """Folds, seeds and learning rates share the graph, each with its own values."""
    fit(sine[:80], random_state=1)
    cached = fit(sine, random_state=2, learning_rate=0.05)
    assert len(_graph._cache) == 1
    with cached_graphs_busy():
        own = fit(sine, random_state=2, learning_rate=0.05)
    assert_same_fit(cached, own, sine)
    other = fit(sine, random_state=3, learning_rate=0.05)
    assert not np.array_equal(other.predict(sine), cached.predict(sine))


def test_predictions_through_a_borrowed_function_are_keras_own(sine):
    """The cached inference function gives what model.predict_on_batch gives."""
    first, second = fit(sine, random_state=0), fit(sine, random_state=1)
    borrowed = [first.predict(sine), second.predict(sine), first.predict(sine)]
    assert len(_graph._forward_cache) == 1
    with cached_graphs_busy():  # falls back to Keras's predict_on_batch
        own = [first.predict(sine), second.predict(sine)]
    np.testing.assert_array_equal(borrowed[0], own[0])
    np.testing.assert_array_equal(borrowed[1], own[1])
    np.testing.assert_array_equal(borrowed[2], own[0])
    assert not np.allclose(own[0], own[1])


def test_a_borrowing_fit_leaves_earlier_models_and_their_optimizer_alone(sine):
    """Weights and Adam's state of a fitted model survive other fits' use."""
    alone = fit(sine, warm_start=True)
    alone.fit(sine)  # continues for 3 more epochs
    interrupted = fit(sine, warm_start=True)
    model = interrupted[-1].model_
    before = [v.numpy() for v in [*model.variables, *model.optimizer.variables]]
    fit(sine, random_state=5, epochs=4)  # borrows the graph in between
    after = [v.numpy() for v in [*model.variables, *model.optimizer.variables]]
    for value, kept in zip(before, after, strict=True):
        np.testing.assert_array_equal(value, kept)
    interrupted.fit(sine)
    assert len(interrupted[-1].history_["loss"]) == 6
    assert_same_fit(alone, interrupted, sine)


def test_concurrent_fits_of_one_architecture_stay_apart(sine):
    """Threads fitting one architecture at once never train the same weights.

    (Threads share Python's random generator, which seeds Keras, so their
    fits are sound but not reproducible; processes are.)
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        pipes = list(pool.map(lambda seed: fit(sine, seed, epochs=20), range(4)))
    predictions = [pipe.predict(sine) for pipe in pipes]
    for i, pipe in enumerate(pipes):
        assert pipe.score(sine) > 0.9
        for other in predictions[i + 1 :]:
            assert not np.allclose(predictions[i], other)


def test_a_loss_of_the_users_own_is_never_shared(windows):
    """Settings a custom loss keeps outside its config must reach training."""
    import keras

    class Pinball(keras.losses.Loss):
        def __init__(self, quantile):
            super().__init__()
            self.quantile = quantile

        def call(self, y_true, y_pred):
            error = y_true - y_pred
            q = self.quantile
            return keras.ops.mean(keras.ops.maximum(q * error, (q - 1) * error), -1)

    X, y = windows
    y = y + np.random.default_rng(0).normal(0, 0.3, len(y))  # quantiles apart
    low, high = (
        DenseRegressor((8,), loss=Pinball(q), epochs=40, random_state=0).fit(X, y)
        for q in (0.1, 0.9)
    )
    assert len(_graph._cache) == 0
    assert np.mean(high.predict(X) - low.predict(X)) > 0.1


def test_building_a_template_leaves_pythons_random_stream_alone(windows):
    """Unseeded fits draw the same numbers whether the cache held a graph or not."""
    import random

    X, y = windows
    draws = []
    for _ in range(2):  # the first fit builds the templates, the second borrows
        random.seed(7)
        DenseRegressor((8,), epochs=1).fit(X, y).predict(X)
        draws.append(random.random())
    assert draws[0] == draws[1]


def test_the_cache_keeps_the_most_recent_architectures(monkeypatch, windows):
    monkeypatch.setattr(_graph, "_CACHE_SIZE", 2)
    X, y = windows
    for units in (4, 5, 6):
        DenseRegressor((units,), epochs=1, random_state=0).fit(X, y)
    assert len(_graph._cache) == 2
    assert all('"units": 4' not in key for key in _graph._cache)


@pytest.fixture
def windows(sine):
    from skseq import make_windows

    return make_windows(sine, window_length=5)


def test_graph_cache_can_be_turned_off(monkeypatch, sine):
    """SKSEQ_GRAPH_CACHE=0: nothing is kept, and the fit is the same."""
    cached = fit(sine)
    monkeypatch.setenv("SKSEQ_GRAPH_CACHE", "0")
    _graph.clear_cache()
    uncached = fit(sine)
    assert len(_graph._cache) == 0 and len(_graph._forward_cache) == 0
    assert_same_fit(cached, uncached, sine)


def test_level_networks_share_one_graph(sine):
    """'+level' networks are functional; later fits still borrow their graph."""
    first = fit(sine, scaling="last+level")
    with cached_graphs_busy():
        own = fit(sine, scaling="last+level")
    again = fit(sine, scaling="last+level")
    assert len(_graph._cache) == 1
    assert_same_fit(first, own, sine)
    assert_same_fit(first, again, sine)


def test_fused_adam_falls_back_to_keras_when_an_internal_is_missing(
    monkeypatch, windows
):
    """A Keras without an attribute the fused update reads trains through Keras."""
    import keras

    from skseq.regressors import _adam

    X, y = windows
    params = {"epochs": 3, "batch_size": 16, "shuffle": False, "random_state": 0}
    fused = DenseRegressor((8,), **params).fit(X, y)
    optimizer = keras.optimizers.Adam()
    optimizer.build(fused.model_.trainable_variables)
    import tensorflow as tf

    assert _adam.fused_adam(optimizer, tf) is not None
    monkeypatch.setattr(
        _adam, "REQUIRED_ATTRIBUTES", (*_adam.REQUIRED_ATTRIBUTES, "_renamed_in_4")
    )
    assert _adam.fused_adam(optimizer, tf) is None
    _graph.clear_cache()
    fallback = DenseRegressor((8,), **params).fit(X, y)
    np.testing.assert_allclose(
        fused.predict(X), fallback.predict(X), rtol=1e-4, atol=1e-5
    )
