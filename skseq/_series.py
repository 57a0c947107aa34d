"""Series mode: the targets of consecutive windows come from the windows.

Shared, without TensorFlow, by the Keras regressors and the baselines.
"""

import numpy as np
from sklearn.metrics import r2_score
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

_FLOAT_DTYPES = (np.float64, np.float32)


class SeriesWindows:
    """The windows of one series that have known targets, kept as the series.

    ``X`` holds the windows of one series, ``X[i]`` being steps
    ``i .. i + k - 1``. The value that follows window ``i`` is the last step of
    window ``i + 1``, so the target of window ``i`` is ``X[i + 1, -1, 0]``
    (first feature); with ``horizon`` H the targets are the next H values.
    Windows whose targets are not all known are left out::

        series    s0 s1 s2 s3 s4          (window_length k = 2, horizon 1)
        X[0]     [s0 s1]   -> y[0] = s2
        X[1]        [s1 s2]   -> y[1] = s3
        X[2]           [s2 s3]   -> y[2] = s4
        X[3]              [s3 s4]   -> no target (forecast of s5)

    Only the series (``n + k - 1`` steps) is stored: training gathers each
    batch of windows from it, so the windows of a long series are never
    materialised.

    Parameters
    ----------
    series : ndarray of shape (n_steps, n_features)
        The series rebuilt from the windows.
    window_length : int
        Steps per window.
    horizon : int, default=1
        Number of following values each window predicts.
    """

    def __init__(self, series, window_length, horizon=1):
        self.series = series
        self.window_length = window_length
        self.horizon = horizon
        self.n_windows = len(series) - window_length - horizon + 1

    @classmethod
    def from_windows(cls, X, estimator_name, horizon=1):
        """Rebuild the series from consecutive windows, or raise."""
        n_windows, window_length = X.shape[:2]
        if n_windows < horizon + 1:
            raise ValueError(
                f"Series mode (y=None) with horizon={horizon} needs at least "
                f"{horizon + 1} consecutive windows, got n_windows={n_windows}: "
                "the targets are the values that follow each window. Use a longer "
                "series or pass y."
            )
        if window_length > 1 and not _consecutive(X):
            raise ValueError(
                f"{estimator_name} requires y to be passed, but the target y is "
                "None and X is not a sequence of consecutive windows of one series "
                "(X[i + 1, :-1] must equal X[i, 1:]). Series mode (y=None) derives "
                "targets from windows made by SequenceWindower; for other data "
                "pass y."
            )
        return cls(np.concatenate([X[:, 0], X[-1, 1:]]), window_length, horizon)

    @property
    def windows(self):
        """Read-only view of the windows with targets, (n_windows, k, n_features)."""
        stop = self.n_windows + self.window_length - 1
        view = np.lib.stride_tricks.sliding_window_view(
            self.series[:stop], self.window_length, axis=0
        )
        return view.transpose(0, 2, 1)

    @property
    def targets(self):
        """Following value(s) of the first feature: (n_windows,) or (n_windows, H)."""
        following = np.asarray(self.series[self.window_length :, 0], dtype=np.float64)
        if self.horizon == 1:
            return following
        view = np.lib.stride_tricks.sliding_window_view(following, self.horizon)
        return np.array(view)


class SeriesRegressorMixin:
    """Window validation, series-mode targets, ``predict`` and ``score``.

    Subclasses implement ``fit`` and ``_predict(windows)``, where ``windows``
    are validated 3-D windows.
    """

    def predict(self, X):
        """Predict the value(s) that follow each window.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_length[, n_features])
            Windows with the ``window_length`` and features seen in fit.

        Returns
        -------
        y_pred : ndarray of shape (n_windows,) or (n_windows, n_outputs)
            One prediction per window (``horizon`` columns in series mode
            with ``horizon > 1``), in the units of the training targets. In
            series mode the last row forecasts the first unseen value(s).
        """
        check_is_fitted(self)
        return self._predict(self._validate_windows(X, reset=False))

    def score(self, X, y=None, sample_weight=None):
        """Return the coefficient of determination R² of the predictions.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_length[, n_features])
            Windows.
        y : array-like of shape (n_windows,) or (n_windows, n_outputs), default=None
            True targets. If None (series mode), they are derived from ``X``
            as in ``fit`` and windows without known targets are not scored.
        sample_weight : array-like of shape (n_windows,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R² of the predictions against ``y``, averaged over outputs.
        """
        check_is_fitted(self)
        X = self._validate_windows(X, reset=False)
        inputs, y, sample_weight = self._targets(X, y, sample_weight)
        if isinstance(inputs, SeriesWindows):
            inputs = inputs.windows
        return r2_score(y, self._predict(inputs), sample_weight=sample_weight)

    def _validate_windows(self, X, reset):
        name = type(self).__name__
        if not reset and len(getattr(X, "shape", ())) == 3:
            if tuple(X.shape[1:]) != self._window_shape:
                raise ValueError(
                    f"X has windows of shape {tuple(X.shape[1:])} (window_length, "
                    f"n_features), but {name} was fitted on windows of shape "
                    f"{self._window_shape}: predict with the window_length and "
                    "features used in fit."
                )
        X = validate_data(self, X, reset=reset, allow_nd=True, dtype=_FLOAT_DTYPES)
        if X.ndim > 3:
            raise ValueError(
                f"Found array with dim {X.ndim}. {name} expected windows of 2 or 3 "
                "dimensions: (n_windows, window_length[, n_features])."
            )
        if X.ndim == 2:
            X = X[:, :, np.newaxis]
        if reset:
            self._window_shape = tuple(X.shape[1:])
        elif X.shape[2] != self._window_shape[1]:
            raise ValueError(
                f"X has {X.shape[2]} feature(s) per step, but {name} was fitted "
                f"on {self._window_shape[1]}."
            )
        return X

    def _targets(self, X, y, sample_weight):
        """Return inputs (windows or a SeriesWindows), targets and weights."""
        horizon = getattr(self, "horizon", 1)
        if y is None:
            n_given = len(X)
            X = SeriesWindows.from_windows(X, type(self).__name__, horizon)
            y = X.targets
            if sample_weight is not None and len(sample_weight) == n_given:
                # One weight per window given: those without targets drop out.
                sample_weight = np.asarray(sample_weight)[: X.n_windows]
        else:
            y = check_array(
                y, ensure_2d=False, dtype=np.float64, input_name="y", allow_nd=True
            )
            if y.ndim > 2:
                raise ValueError(
                    "y must have shape (n_windows,) or (n_windows, n_outputs); got "
                    f"shape {y.shape}."
                )
            _check_same_length(X, y)
            outputs = 1 if y.ndim == 1 else y.shape[1]
            if horizon > 1 and outputs != horizon:
                raise ValueError(
                    f"horizon={horizon} but y has {outputs} column(s): with an "
                    "explicit y, give one column per step ahead."
                )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, y, ensure_non_negative=True
            )
            if not np.any(sample_weight):
                raise ValueError(
                    "Sample weights must contain at least one non-zero weight."
                )
        return X, y, sample_weight

    def _series_tags(self, tags):
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.input_tags.three_d_array = True
        tags.input_tags.sparse = False
        return tags


def _check_same_length(X, y):
    if len(X) == len(y):
        return
    hint = ""
    if len(y) == len(X) + X.shape[1] - 1:
        hint = (
            " Did you pass the unwindowed series as y? Use series mode (y=None) "
            "or align y with the windows."
        )
    raise ValueError(
        "Found input variables with inconsistent numbers of samples: "
        f"[{len(X)}, {len(y)}] (X windows, y targets).{hint}"
    )


def _consecutive(X, chunk=65536):
    # Compared chunk by chunk so that the windows of a long series (a view)
    # are never materialised as a whole.
    for start in range(0, len(X) - 1, chunk):
        block = X[start : start + chunk + 1]
        if not np.array_equal(block[1:, :-1], block[:-1, 1:]):
            return False
    return True
