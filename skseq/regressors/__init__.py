"""The :mod:`skseq.regressors` module holds the Keras sequence regressors.

Importing it imports TensorFlow and Keras.
"""

# First, before anything here can import scikeras (which imports Keras and
# TensorFlow): skseq._keras imports them with their start-up lines hidden.
# Every skseq module that needs TensorFlow lives in this package, so this
# line runs first in every process, loky and Dask workers included.
import skseq._keras  # noqa: F401  (ruff sorts plain imports before from-imports)
from skseq.regressors._dense import DenseRegressor
from skseq.regressors._rnn import RNNRegressor

__all__ = ["DenseRegressor", "RNNRegressor"]
