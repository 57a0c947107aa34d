"""Series mode: the targets of consecutive windows come from the windows.

Shared, without TensorFlow, by the Keras regressors and the baselines.
"""

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sklearn.metrics import r2_score
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from skseq._panel import PanelWindows, network_source, panel_targets

_FLOAT_DTYPES = (np.float64, np.float32)


@dataclass(eq=False)
class WindowData:
    """Training windows, their targets and weights: one type for every stage.

    Fit, scoring, the training graph and ``Model.fit`` all take this object;
    none of them asks which kind of input it came from. It holds either the
    windows themselves (``source`` of shape ``(n_windows, k, n_features)``),
    or, in series mode, only the series they were cut from (``source`` of
    shape ``(n_steps, n_features)``, ``from_series=True``): window ``i`` is
    steps ``i .. i + k - 1``, and training gathers each batch of windows from
    the series, so the windows of a long series are never materialised.
    A panel (many series, :meth:`from_panel`) is a series-mode source too:
    the series' rows one after another, and ``starts``, the first row of
    each window with targets, so that no window crosses from one series
    into the next; future-known values ride along as the source's last
    ``n_known`` columns.

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
    starts : ndarray of shape (n_windows,) or None, default=None
        With ``from_series``: the first row of each window (None: window
        ``i`` starts at row ``i``).
    groups : ndarray of shape (n_windows,) or None, default=None
        The series of each window, for a panel.
    n_known : int, default=0
        The source's last ``n_known`` columns are future-known values.
    """

    source: Any
    y: Any
    window_length: int
    sample_weight: Any = None
    from_series: bool = False
    starts: Any = None
    groups: Any = None
    n_known: int = 0

    @classmethod
    def from_panel(cls, panel, horizon=1, sample_weight=None, warn=True):
        """The windows of a :class:`~skseq._panel.PanelWindows` with targets.

        Windows whose inputs, targets or future values are not all known,
        or whose targets would cross into the next series, are left out
        (with a warning that counts them); series too short for one window
        and its targets are named in a warning.
        """
        mask, y = panel_targets(panel, horizon, warn=warn)
        if not mask.any():
            raise ValueError(
                f"No series of the panel has a window of window_length="
                f"{panel.window_length} followed by horizon={horizon} known "
                "target(s): use longer series or a shorter window."
            )
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)
            if len(sample_weight) == len(panel.starts):
                sample_weight = sample_weight[mask]
        return cls(
            network_source(panel, horizon),
            y[:, 0] if horizon == 1 else y,
            panel.window_length,
            sample_weight,
            from_series=True,
            starts=panel.starts[mask],
            groups=panel.series[mask],
            n_known=panel.known.shape[1] * horizon,
        )

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
        if self.starts is not None:
            return GatheredWindows(self.source, self.starts, self.window_length)
        stop = self.n_windows + self.window_length - 1
        view = np.lib.stride_tricks.sliding_window_view(
            self.source[:stop], self.window_length, axis=0
        )
        return view.transpose(0, 2, 1)

    @property
    def positions(self):
        """The source row each window starts at, (n_windows,)."""
        if self.starts is None:
            return np.arange(self.n_windows)
        return self.starts

    def subset(self, keep):
        """The same data with only the windows where ``keep`` is true."""
        keep = np.asarray(keep, dtype=bool)
        weights = None if self.sample_weight is None else self.sample_weight[keep]
        if not self.from_series:
            return replace(
                self, source=self.source[keep], y=self.y[keep], sample_weight=weights
            )
        groups = None if self.groups is None else self.groups[keep]
        starts = self.positions[keep]
        return replace(
            self, y=self.y[keep], sample_weight=weights, starts=starts, groups=groups
        )

    def with_weights(self, sample_weight):
        """The same data with other weights."""
        return replace(self, sample_weight=sample_weight)


class GatheredWindows:
    """Windows gathered from rows on demand: ``source[starts[i] : starts[i] + k]``.

    Slicing returns an array of just those windows, so statistics and
    predictions run chunk by chunk and the windows of a panel never exist
    whole; ``np.asarray`` gathers them all.
    """

    def __init__(self, source, starts, window_length):
        self.source, self.starts, self.window_length = source, starts, window_length

    @property
    def shape(self):
        return (len(self.starts), self.window_length, self.source.shape[1])

    @property
    def ndim(self):
        return 3

    def __len__(self):
        return len(self.starts)

    def __getitem__(self, rows):
        starts = self.starts[rows]
        return self.source[starts[..., None] + np.arange(self.window_length)]

    def __array__(self, dtype=None, copy=None):
        windows = self[:]
        return windows if dtype is None else windows.astype(dtype)


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
        if isinstance(X, PanelWindows) and y is None:
            windows, y_true = self.series_targets(X)
            if sample_weight is not None:
                raise ValueError(
                    "sample_weight is not supported when scoring a panel; score "
                    "the series separately to weight them."
                )
            return r2_score(y_true, self._predict(windows))
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
        X = self._validate_windows(X, reset=False)
        if isinstance(X, PanelWindows):
            # A panel scores each window whose targets are known and lie in
            # the scored part of its series (after its training end, for a
            # test fold); the windows stay a panel, so predict finds their
            # future-known values.
            horizon = getattr(self, "horizon", 1)
            mask, y = panel_targets(X, horizon, scored_only=True)
            return X.select(mask), y[:, 0] if horizon == 1 else y
        data = self._training_data(X, None)
        return data.windows, data.y

    def _validate_windows(self, X, reset):
        name = type(self).__name__
        if isinstance(X, PanelWindows):
            return self._validate_panel(X, reset)
        if not reset and getattr(self, "_n_known", 0):
            raise ValueError(
                f"{name} was fitted on a panel with future columns: predict from "
                "what its SequenceWindower makes of a frame with those columns, or "
                "use skseq.forecast."
            )
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
            self._n_known = 0
        elif X.shape[2] != self._window_shape[1]:
            raise ValueError(
                f"X has {X.shape[2]} feature(s) per step, but {name} was fitted "
                f"on {self._window_shape[1]}."
            )
        return X

    def _validate_panel(self, panel, reset):
        name = type(self).__name__
        shape = (panel.window_length, panel.values.shape[1])
        if reset:
            self._window_shape = shape
            self._n_known = panel.known.shape[1]
            self.n_features_in_ = panel.window_length
            vars(self).pop("feature_names_in_", None)
            return panel
        if shape != self._window_shape or panel.known.shape[1] != self._n_known:
            raise ValueError(
                f"The panel has windows of shape {shape} (window_length, n_features) "
                f"and {panel.known.shape[1]} future column(s), but {name} was "
                f"fitted on {self._window_shape} and {self._n_known}: use the "
                "window_length and columns of fit."
            )
        return panel

    def _training_data(self, X, y, sample_weight=None):
        """The validated windows ``X`` with their targets and weights."""
        horizon = getattr(self, "horizon", 1)
        if isinstance(X, PanelWindows):
            if y is not None:
                raise ValueError(
                    "A panel (the SequenceWindower's output for a long frame) "
                    "derives its targets from its series; fit it with y=None."
                )
            data = WindowData.from_panel(X, horizon, sample_weight)
        elif y is None:
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

    def _network_windows(self, X):
        """Windows as the network reads them: a panel's with its known values."""
        if isinstance(X, PanelWindows):
            source = network_source(X, getattr(self, "horizon", 1))
            return GatheredWindows(source, X.starts, X.window_length)
        return X

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
