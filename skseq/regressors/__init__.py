"""The :mod:`skseq.regressors` module holds the Keras sequence regressors.

Importing it imports TensorFlow and Keras.
"""

from skseq.regressors._dense import DenseRegressor
from skseq.regressors._rnn import RNNRegressor

__all__ = ["DenseRegressor", "RNNRegressor"]
