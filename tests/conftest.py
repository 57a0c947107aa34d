"""Shared fixtures: Keras state reset between tests, tiny series."""

import sys

import numpy as np
import pytest

# Tiny, fast network settings for tests that only check behaviour.
FAST = {"epochs": 2, "batch_size": 64, "verbose": 0, "random_state": 0}


@pytest.fixture(autouse=True)
def _reset_keras():
    """Start each test from the same Keras global state, if Keras is loaded."""
    if "keras" in sys.modules:
        keras = sys.modules["keras"]
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
    yield


@pytest.fixture
def sine():
    """A smooth series of 120 values."""
    return np.sin(np.arange(120) / 4)


@pytest.fixture
def lesson():
    """The classic lesson's nine numbers."""
    return [1, 3, 5, 2, 4, 9, 7, 6, 8]
