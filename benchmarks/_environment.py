"""Where a benchmark ran: the machine, the libraries and the source checkout.

Shared by the ``bench_*.py`` scripts in this folder, which import it as
``from _environment import print_environment, source_state`` (a script's own
folder is on ``sys.path`` when it is run as ``python benchmarks/bench_x.py``).

Only the standard library is imported at module level: Keras, TensorFlow and
the other libraries are imported inside the functions that report on them,
so ``bench_backends.py`` can import this module in a parent that never loads
Keras, and in children on other interpreters and Keras backends. TensorFlow
is imported only when it is the Keras backend.
"""

import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version


def source_state():
    """The git commit of the checkout, and whether skseq/ has local changes."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--", "skseq"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    if not changes:
        return f"commit {commit}, skseq/ unmodified"
    return f"commit {commit} + {len(changes)} uncommitted change(s) under skseq/"


def cpu_model():
    """The processor's model name (from /proc/cpuinfo on Linux)."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def usable_cpus():
    """CPUs this process may run on (all of them where that is not known)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count()


def load_average():
    """The 1, 5 and 15 minute load averages, as '0.12 0.34 0.56'."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def package_version(name):
    """The installed version of distribution ``name``, or 'not installed'."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def gpu_count(keras):
    """GPUs the Keras backend sees: TensorFlow's on its own backend, else Keras's."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return len(tf.config.list_physical_devices("GPU"))
    try:
        devices = keras.distribution.list_devices()
    except Exception:  # a backend without Keras's distribution support
        return "unknown"
    return sum(device.lower().startswith("gpu") for device in devices)


def print_environment(python=None, libraries=True):
    """Print the machine, the Python and library versions and the source state.

    ``python`` is the interpreter to name instead of this one: a parent that
    only launches children on it (``bench_backends.py``) passes it, with
    ``libraries=False``, and its children report their own versions.
    Otherwise Keras is imported through ``skseq._keras`` (quietly, on the
    backend ``KERAS_BACKEND`` picks) and the library versions are printed.
    """
    print(f"machine   : {platform.platform()} ({platform.machine()})")
    print(f"processor : {cpu_model()}")
    print(f"CPUs      : {os.cpu_count()} (usable by this process: {usable_cpus()})")
    print(f"load avg  : {load_average()} (1/5/15 min, at start)")
    if python is not None:
        print(f"python    : {python}")
    else:
        numpy = sys.modules.get("numpy")
        numpy_version = numpy.__version__ if numpy else package_version("numpy")
        print(f"python    : {platform.python_version()}   numpy: {numpy_version}")
    if libraries:
        _print_libraries()
    print(f"source    : {source_state()}")


def _print_libraries():
    # skseq._keras first: it imports Keras (and TensorFlow, on its backend)
    # with the start-up noise filtered out, so later imports find it loaded.
    from skseq._keras import keras  # isort: skip

    import sklearn

    import skseq

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tensorflow = tf.__version__
        other = ""
    else:
        tensorflow = package_version("tensorflow")
        other = f"   {backend}: {package_version(backend)}"
    print(f"tensorflow: {tensorflow}   keras: {keras.__version__}{other}")
    print(f"backend   : {backend}   GPUs: {gpu_count(keras)}")
    print(
        f"sklearn   : {sklearn.__version__}   scikeras: "
        f"{package_version('scikeras')}   skseq: {skseq.__version__}"
    )
