"""Cut a series into overlapping windows, without TensorFlow.

A series of ``n`` steps becomes ``n - window_length + 1`` windows of
``window_length`` consecutive steps each::

    series   s0  s1  s2  s3  s4            window_length=2
    window 0 [s0  s1]
    window 1     [s1  s2]
    window 2         [s2  s3]
    window 3             [s3  s4]

The windows are a read-only view of the (validated) series: no value is
copied ``window_length`` times.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from skseq._validation import check_monotonic_index, reject_bool_params

__all__ = ["SequenceWindower", "make_windows"]


class SequenceWindower(TransformerMixin, BaseEstimator):
    """Turn a series into overlapping windows of consecutive steps.

    ``transform`` maps a series of ``n`` steps and ``f`` features to an array
    of shape ``(n - window_length + 1, window_length, f)`` whose row ``i``
    holds steps ``i .. i + window_length - 1``. A 1-D series is a series of
    one feature.

    Read more in the :ref:`User Guide <series_mode>`.

    Parameters
    ----------
    window_length : int, default=2
        Number of consecutive steps in each window. Must be at least 1.

    Attributes
    ----------
    n_features_in_ : int
        Number of features of the series seen during :term:`fit` (1 for a
        1-D series).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when the
        series is a DataFrame whose column names are all strings.

    See Also
    --------
    make_windows : Windows and their following values, outside a pipeline.

    Notes
    -----
    The output is 3-D and channels-last ``(n_windows, window_length,
    n_features)``, the layout Keras recurrent layers expect. It is a
    read-only view of the input: writing to it raises numpy's read-only
    error; use ``np.array(windows)`` for a writable copy.

    Because the output has fewer rows than the input, this transformer must
    be followed by an estimator that understands windows, such as
    :class:`~skseq.DenseRegressor` or :class:`~skseq.RNNRegressor` in
    series mode (``fit(X, y=None)``).

    Examples
    --------
    >>> from skseq import SequenceWindower
    >>> windows = SequenceWindower(window_length=2).fit_transform([1, 3, 5, 2])
    >>> windows.shape
    (3, 2, 1)
    >>> windows[:, :, 0]
    array([[1., 3.],
           [3., 5.],
           [5., 2.]])
    """

    _parameter_constraints = {
        "window_length": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, window_length=2):
        self.window_length = window_length

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the series and remember its number of features.

        Parameters
        ----------
        X : array-like of shape (n_steps,) or (n_steps, n_features)
            The series, oldest step first.
        y : None
            Ignored.

        Returns
        -------
        self : SequenceWindower
            The fitted windower.
        """
        self._validate_series(X, reset=True)
        return self

    def transform(self, X):
        """Cut the series into windows.

        Parameters
        ----------
        X : array-like of shape (n_steps,) or (n_steps, n_features)
            The series, oldest step first, with at least ``window_length``
            steps.

        Returns
        -------
        windows : ndarray of shape (n_windows, window_length, n_features)
            ``n_windows = n_steps - window_length + 1``. Read-only view; row
            ``i`` holds steps ``i .. i + window_length - 1``.
        """
        check_is_fitted(self)
        series = self._validate_series(X, reset=False)
        return _sliding_windows(series, self.window_length)

    def _validate_params(self):
        reject_bool_params(self, ["window_length"])
        super()._validate_params()

    def _validate_series(self, X, reset):
        check_monotonic_index(X)
        if not hasattr(X, "ndim"):  # lists and other sequences
            X = np.asarray(X)
        one_d = X.ndim == 1
        if one_d and not reset and self.n_features_in_ != 1:
            raise ValueError(
                "Expected 2D array, got 1D array instead: this SequenceWindower "
                f"was fitted on a series of {self.n_features_in_} features. "
                "Reshape your data either using array.reshape(-1, 1) if your data "
                "has a single feature or array.reshape(1, -1) if it contains a "
                "single sample."
            )
        if one_d:  # one feature; validate_data below checks the values once
            X = np.asarray(X).reshape(-1, 1)
        series = validate_data(self, X, reset=reset, dtype=_FLOAT_DTYPES)
        _check_long_enough(series.shape[0], self.window_length)
        return series

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def make_windows(series, window_length=2):
    """Windows of a series paired with the value that follows each.

    For users who window outside a pipeline: ``X[i]`` holds steps
    ``i .. i + window_length - 1`` and ``y[i]`` is step ``i + window_length``
    (of the first feature). The last window has no following value and is
    left out.

    Parameters
    ----------
    series : array-like of shape (n_steps,) or (n_steps, n_features)
        The series, oldest step first, with more than ``window_length`` steps.
    window_length : int, default=2
        Number of consecutive steps in each window.

    Returns
    -------
    X : ndarray of shape (n_steps - window_length, window_length, n_features)
        Read-only view of the windows.
    y : ndarray of shape (n_steps - window_length,)
        The value of the first feature right after each window.

    See Also
    --------
    SequenceWindower : The same windows as a scikit-learn transformer.

    Examples
    --------
    >>> from skseq import make_windows
    >>> X, y = make_windows([1, 3, 5, 2, 4], window_length=2)
    >>> X[:, :, 0]
    array([[1., 3.],
           [3., 5.],
           [5., 2.]])
    >>> y
    array([5., 2., 4.])
    """
    if (
        isinstance(window_length, bool)
        or not isinstance(window_length, Integral)
        or window_length < 1
    ):
        raise ValueError(
            "window_length must be an int >= 1, got "
            f"{window_length!r} ({type(window_length).__name__})."
        )
    check_monotonic_index(series)
    series = check_array(
        series, ensure_2d=False, dtype=_FLOAT_DTYPES, input_name="series"
    )
    if series.ndim == 1:
        series = series.reshape(-1, 1)
    _check_long_enough(series.shape[0], window_length, following=1)
    windows = _sliding_windows(series, window_length)
    return windows[:-1], series[window_length:, 0].copy()


_FLOAT_DTYPES = (np.float64, np.float32)


def _sliding_windows(series, window_length):
    # sliding_window_view puts the window axis last: (n, f, k) -> (n, k, f).
    view = np.lib.stride_tricks.sliding_window_view(series, window_length, axis=0)
    return view.transpose(0, 2, 1)


def _check_long_enough(n_steps, window_length, following=0):
    needed = window_length + following
    if n_steps < needed:
        plus = f" plus {following} following value" if following else ""
        raise ValueError(
            f"The series is too short: got n_samples={n_steps} steps, need at "
            f"least {needed} (window_length={window_length}{plus})."
        )
