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


class WindowData:
    """Training windows, their targets and weights: one type for every stage.

    Fit, scoring, the training graph and ``Model.fit`` all take this object;
    none of them asks which kind of input it came from. It holds either the
    windows themselves (``source`` of shape ``(n_windows, k, n_features)``),
    or, in series mode, only the series they were cut from (``source`` of
    shape ``(n_steps, n_features)``, ``from_series=True``): window ``i`` is
    steps ``i .. i + k - 1``, and training gathers each batch of windows from
    the series, so the windows of a long series are never materialised.
    Many series in one object (their boundaries) and covariates are meant to
    become further fields here, so that no stage has to change its
    signature for them.

    In series mode the value that follows window ``i`` is the last step of
    window ``i + 1``, so the target of window ``i`` is ``X[i + 1, -1, 0]``
    (first feature); with ``horizon`` H the targets are the next H values.
    Windows whose targets are not all known are left out::

        series    s0 s1 s2 s3 s4          (window_length k = 2, horizon 1)
        X[0]     [s0 s1]   -> y[0] = s2
        X[1]        [s1 s2]   -> y[1] = s3
        X[2]           [s2 s3]   -> y[2] = s4
        X[3]              [s3 s4]   -> no target (forecast of s5)

    Parameters
    ----------
    source : ndarray
        The windows, or the series (``from_series=True``).
    y : ndarray of shape (n_windows,) or (n_windows, n_outputs)
        Targets, float64, in the shape the user's ``y`` has (or would have).
    window_length : int
        Steps per window.
    sample_weight : ndarray of shape (n_windows,) or None, default=None
        Weight of each window in the loss.
    from_series : bool, default=False
        Whether ``source`` is the series rather than the windows.
    """

    def __init__(self, source, y, window_length, sample_weight=None, from_series=False):
        self.source = source
        self.y = y
        self.window_length = window_length
        self.sample_weight = sample_weight
        self.from_series = from_series

    @classmethod
    def from_windows(cls, X, y, sample_weight=None):
        """Windows ``(n, k, f)`` with explicit targets."""
        return cls(X, y, X.shape[1], sample_weight)

    @classmethod
    def from_series_windows(cls, X, estimator_name, horizon=1, sample_weight=None):
        """Series mode: rebuild the series from consecutive windows, or raise.

        One weight per given window is accepted; those of the windows
        without targets drop out.
        """
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
        series = np.concatenate([X[:, 0], X[-1, 1:]])
        following = np.asarray(series[window_length:, 0], dtype=np.float64)
        if horizon == 1:
            y = following
        else:
            y = np.array(np.lib.stride_tricks.sliding_window_view(following, horizon))
        if sample_weight is not None and len(sample_weight) == n_windows:
            sample_weight = np.asarray(sample_weight)[: len(y)]
        return cls(series, y, window_length, sample_weight, from_series=True)

    @property
    def n_windows(self):
        """Number of windows with targets."""
        return len(self.y)

    @property
    def targets(self):
        """Targets as a 2-D float64 array, (n_windows, n_outputs)."""
        return self.y.reshape(len(self.y), -1)

    @property
    def windows(self):
        """The windows with targets, (n_windows, k, n_features); a view."""
        if not self.from_series:
            return self.source
        stop = self.n_windows + self.window_length - 1
        view = np.lib.stride_tricks.sliding_window_view(
            self.source[:stop], self.window_length, axis=0
        )
        return view.transpose(0, 2, 1)

    def with_weights(self, sample_weight):
        """The same data with other weights."""
        return WindowData(
            self.source, self.y, self.window_length, sample_weight, self.from_series
        )


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
        data = self._training_data(X, y, sample_weight)
        y_pred = self._predict(data.windows)
        return r2_score(data.y, y_pred, sample_weight=data.sample_weight)

    def series_targets(self, X):
        """Return the windows of ``X`` that have known targets, and the targets.

        In series mode (``y=None``) the targets are not passed but derived
        from the windows: the value(s) that follow each window. This is what
        ``fit`` trains on and what ``score`` and the series-mode scorers
        (:func:`~skseq.make_series_scorer`) compare predictions against.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_length[, n_features])
            Consecutive windows of one series, with the ``window_length`` and
            features seen in fit.

        Returns
        -------
        windows : ndarray of shape (n_targets, window_length, n_features)
            The windows whose following values are all known (a read-only
            view).
        y : ndarray of shape (n_targets,) or (n_targets, horizon)
            Their targets.
        """
        check_is_fitted(self)
        data = self._training_data(self._validate_windows(X, reset=False), None)
        return data.windows, data.y

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

    def _training_data(self, X, y, sample_weight=None):
        """The validated windows ``X`` with their targets and weights."""
        horizon = getattr(self, "horizon", 1)
        if y is None:
            data = WindowData.from_series_windows(
                X, type(self).__name__, horizon, sample_weight
            )
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
            data = WindowData.from_windows(X, y, sample_weight)
        if data.sample_weight is None:
            return data
        sample_weight = _check_sample_weight(
            data.sample_weight, data.y, ensure_non_negative=True
        )
        if not np.any(sample_weight):
            raise ValueError(
                "Sample weights must contain at least one non-zero weight."
            )
        return data.with_weights(sample_weight)

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
