"""skseq keeps the terminal quiet without overriding the user's settings."""

import os
import subprocess
import sys

_FIT = """
import os
import numpy as np
from skseq import DenseRegressor, make_windows
X, y = make_windows(np.sin(np.arange(60.0)), 4)
DenseRegressor(epochs=2, verbose=0).fit(X, y).predict(X)
print(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "unset"))
"""


def _run(env_update):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(env_update)
    return subprocess.run(
        [sys.executable, "-c", _FIT],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )


def test_a_fit_prints_nothing_and_leaves_the_environment_alone():
    """No TensorFlow start-up lines, no progress, no env var left behind."""
    result = _run({})
    assert result.stderr == ""
    assert result.stdout == "unset\n"


def test_a_users_own_log_level_is_respected():
    """With TF_CPP_MIN_LOG_LEVEL set by the user, skseq filters nothing."""
    result = _run({"TF_CPP_MIN_LOG_LEVEL": "0"})
    assert result.stdout == "0\n"
    assert "absl::InitializeLog" in result.stderr  # TensorFlow's own start-up line
