"""Import Keras quietly, seed it, and keep its log noise off the terminal.

Importing this module imports TensorFlow and Keras (5-9 s), so only the
regressors import it, never ``import skseq`` or the windower.
"""

import logging
import os
import random
import re
import sys
import tempfile
import threading
from contextlib import contextmanager

import numpy as np

_LEVEL = "TF_CPP_MIN_LOG_LEVEL"

# Start-up lines that TensorFlow's C++ core writes straight to file
# descriptor 2 while it loads (absl "InitializeLog", oneDNN, CPU-feature and
# missing-CUDA notices). TensorFlow 2.21 prints several of them whatever
# TF_CPP_MIN_LOG_LEVEL says, so they are captured during the import and
# dropped; only an explicit level 0 ("show me everything") keeps them.
_STARTUP_NOISE = re.compile(
    rb"^(WARNING: All log messages before absl::InitializeLog"
    rb"|[IW]\d{4} [\d:.]+ +\d+ \S+\] "
    rb"|E\d{4} [\d:.]+ +\d+ (cuda\w*|\w*_platform)\.cc:\d+\] "
    rb"|To enable the following instructions:)"
)


def _import_quietly():
    if "keras" in sys.modules:  # imported before skseq: nothing left to hide
        return sys.modules["keras"]
    user_value = os.environ.get(_LEVEL)
    level = _parse_level(user_value)
    if level is not None and level <= 0:
        import keras

        return keras
    if level is None:  # unset, empty or not a number: hide TensorFlow's INFO
        os.environ[_LEVEL] = "2"
    sys.stderr.flush()
    saved_fd = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import keras

            if keras.backend.backend() == "tensorflow":
                import tensorflow as tf

                tf.config.list_physical_devices()  # device probing logs too
        finally:
            sys.stderr.flush()
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            _restore(user_value)
            captured.seek(0)
            kept = [
                line for line in captured.readlines() if not _STARTUP_NOISE.match(line)
            ]
            if kept:  # the rest goes where it was headed: file descriptor 2
                with open(2, "wb", closefd=False) as stderr:
                    stderr.write(b"".join(kept))
    return keras


def _parse_level(value):
    """The user's TF_CPP_MIN_LOG_LEVEL as an int, or None if unset or not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _restore(user_value):
    # Child processes (loky and Dask workers, the user's own programs) must
    # see the variable exactly as the user set it, or unset.
    if user_value is None:
        os.environ.pop(_LEVEL, None)
    else:
        os.environ[_LEVEL] = user_value


keras = _import_quietly()

# The generator each thread's seeded() block gives Keras (see _KerasDraws).
_seeded_draws = threading.local()


class _KerasDraws:
    """Python's ``random`` module as Keras's seed generator module sees it.

    Keras draws every unseeded initializer's and ``SeedGenerator``'s seed
    from Python's global generator (``random.randint`` in
    ``make_default_seed``). That generator is shared by every thread of the
    process, and a Dask worker's event-loop thread draws from it while a
    task runs (``dask.sizeof`` samples long lists with ``random.sample``
    whenever a heartbeat or message is sized), so a seeded fit on a worker
    got other seeds depending on timing. Inside :func:`seeded` this thread's
    draws come from a generator of the fit's own instead; elsewhere from the
    global one, as before.
    """

    def __getattr__(self, name):
        return getattr(python_generator(), name)


def python_generator():
    """The generator Keras draws seeds from in this thread right now."""
    generator = getattr(_seeded_draws, "generator", None)
    return random if generator is None else generator


def _route_keras_draws():
    from keras.src.random import seed_generator

    if getattr(seed_generator, "python_random", None) is random:
        seed_generator.python_random = _KerasDraws()


_route_keras_draws()


def has_gpu():
    """Whether the Keras backend sees a GPU."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    return any(d.lower().startswith("gpu") for d in keras.distribution.list_devices())


def seed_from(random_state):
    """Turn a ``random_state`` parameter into the int Keras wants, or None.

    An int is used as is (Keras rejects numpy integers, so it is converted);
    a ``RandomState`` or ``Generator`` instance gives its next draw, as
    scikit-learn estimators do with a ``RandomState``.
    """
    if random_state is None:
        return None
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(np.iinfo(np.int32).max))
    return int(random_state)


@contextmanager
def seeded(seed, tensorflow=True):
    """Seed Python, NumPy and Keras for the block; restore Python and NumPy.

    Keras 3 draws its initializers, dropout masks and shuffles from seeds set
    by ``keras.utils.set_random_seed``, which must run right before the model
    is built. The global Python and NumPy generators are put back afterwards
    so a fit does not change the user's random streams.

    With ``tensorflow=False`` TensorFlow's global seed is left alone: setting
    it clears TensorFlow's caches of compiled functions (about 0.1 s to
    rebuild per fit). skseq's own training loop needs no global seed: its
    initializers, dropout layers and shuffling take their seeds from
    Python's generator, seeded here. ``Model.fit`` (with callbacks) needs it
    for its shuffling.

    Keras's draws inside the block come from a ``random.Random(seed)`` of
    this thread (the same stream as the global generator seeded with
    ``seed``), so that other threads drawing from the global generator
    meanwhile (a Dask worker's event loop) cannot change the fit.
    """
    if seed is None:
        yield
        return
    python_state = random.getstate()
    numpy_state = np.random.get_state()
    if tensorflow:
        keras.utils.set_random_seed(seed)
    else:
        random.seed(seed)
        np.random.seed(seed)
    previous = getattr(_seeded_draws, "generator", None)
    _seeded_draws.generator = random.Random(seed)
    try:
        yield
    finally:
        _seeded_draws.generator = previous
        random.setstate(python_state)
        np.random.set_state(numpy_state)


class _DropRetracingWarnings(logging.Filter):
    def filter(self, record):
        return "retracing" not in record.getMessage()


@contextmanager
def quiet_logs():
    """Hide TensorFlow's tf.function retracing warnings for the block.

    A grid search builds many small models of different shapes, which is
    what the warning is about; it says nothing useful to a skseq user. A
    filter is added and removed, so the user's own logging set-up is kept.
    """
    logger = logging.getLogger("tensorflow")
    log_filter = _DropRetracingWarnings()
    logger.addFilter(log_filter)
    try:
        yield
    finally:
        logger.removeFilter(log_filter)
