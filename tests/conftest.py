"""Shared fixtures and the ``keras`` marker.

Markers (registered in pyproject.toml):

- ``keras``: the test fits a Keras model or imports TensorFlow. Test modules
  listed in ``KERAS_MODULES`` are keras throughout; tests elsewhere carry
  ``@pytest.mark.keras`` themselves, and doctests are marked when their
  examples use ``DenseRegressor`` or ``RNNRegressor``.
- ``slow``: long tests (the Keras estimator checks, process pools, clusters).

``make test-fast`` runs ``pytest -m "not keras and not slow"``. A run that
deselects ``keras`` does not even collect the Keras modules (importing one
imports TensorFlow, 5-9 s), and any test that still imports TensorFlow fails,
so the fast set stays fast.
"""

import sys

import numpy as np
import pandas as pd
import pytest

# Tiny, fast network settings for tests that only check behaviour.
FAST = {"epochs": 2, "batch_size": 64, "verbose": 0, "random_state": 0}

# Test modules in which every test fits Keras models (or imports TensorFlow).
KERAS_MODULES = {
    "test_environment.py",
    "test_parameters.py",
    "test_panel_models.py",
    "test_pipeline.py",
    "test_regressors.py",
    "test_scaling_methods.py",
    "test_series_mode.py",
    "test_training_graph.py",
}

# Source modules whose doctest collection imports TensorFlow: every doctest
# in skseq/regressors and skseq/_keras.py fits a model, and skseq/__init__.py
# (no doctests) lists the lazy regressors in __dir__, which pytest's fixture
# scan of the module reads.
_KERAS_SOURCES = ("skseq/__init__.py", "skseq/_keras.py", "skseq/regressors")
_KERAS_NAMES = ("DenseRegressor", "RNNRegressor")


def keras_selected(config):
    """Whether this run's ``-m`` expression can select a ``keras`` test."""
    markexpr = config.getoption("markexpr", "") or ""
    if "keras" not in markexpr:
        return True
    try:
        from _pytest.mark.expression import Expression

        return Expression.compile(markexpr).evaluate(
            lambda name, **kwargs: name == "keras"
        )
    except Exception:  # an unknown pytest: assume keras tests may run
        return True


def pytest_configure(config):
    config._skseq_keras = keras_selected(config)
    if not config._skseq_keras:
        root = config.rootpath
        ignore = config.option.ignore or []
        config.option.ignore = [*ignore, *(str(root / p) for p in _KERAS_SOURCES)]


def pytest_ignore_collect(collection_path, config):
    if not config._skseq_keras and collection_path.name in KERAS_MODULES:
        return True
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in KERAS_MODULES:
            item.add_marker(pytest.mark.keras)
        elif isinstance(item, pytest.DoctestItem):
            source = "".join(example.source for example in item.dtest.examples)
            if any(name in source for name in _KERAS_NAMES):
                item.add_marker(pytest.mark.keras)


@pytest.fixture(autouse=True)
def _reset_keras(request):
    """Start each test from the same Keras global state, if Keras is loaded.

    In a run without keras tests, fail any test that imports TensorFlow.
    """
    if "keras" in sys.modules:
        keras = sys.modules["keras"]
        # free_memory=False: Keras's gc.collect() took 0.2-0.4 s per test once
        # TensorFlow was loaded (most of the suite's time); Python's own
        # collector frees the dead models as it goes.
        keras.backend.clear_session(free_memory=False)
        keras.utils.set_random_seed(0)
    yield
    if not request.config._skseq_keras and "tensorflow" in sys.modules:
        pytest.fail(
            "TensorFlow was imported in a run without keras tests: mark this "
            "test @pytest.mark.keras or list its module in KERAS_MODULES",
            pytrace=False,
        )


@pytest.fixture
def sine():
    """A smooth series of 120 values."""
    return np.sin(np.arange(120) / 4)


@pytest.fixture
def lesson():
    """The classic lesson's nine numbers."""
    return [1, 3, 5, 2, 4, 9, 7, 6, 8]


def make_panel(seed=0, lengths=(40, 30, 24), scales=(1000.0, 0.01, 5.0)):
    """Monthly series of different lengths, starts and scales, rows shuffled."""
    rng = np.random.default_rng(seed)
    frames = []
    for j, (n, scale) in enumerate(zip(lengths, scales, strict=True)):
        t = np.arange(n)
        start = pd.Timestamp("2020-01-01") + pd.DateOffset(months=3 * j)
        frames.append(
            pd.DataFrame(
                {
                    "unique_id": f"s{j}",
                    "ds": pd.date_range(start, periods=n, freq="MS"),
                    "y": scale * (3 + np.sin(t / 2) + 0.1 * rng.standard_normal(n)),
                }
            )
        )
    panel = pd.concat(frames, ignore_index=True)
    return panel.sample(frac=1, random_state=seed).reset_index(drop=True)
