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
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from skseq._panel import PanelWindows, read_panel
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
    id_column : str, default=None
        Panel mode: the column of a long DataFrame (one row per series and
        time step) that names each row's series. Every series is windowed on
        its own; no window crosses from one series into another.
    time_column : str, default=None
        The column of a long DataFrame holding each row's time: datetimes of
        a regular frequency per series, or integers with a constant step. It
        orders the rows, so the frame's row order does not matter. Without
        it, the rows of each series are taken in the frame's order.
    target_column : str, default=None
        The column to forecast, in a long DataFrame. Required there when
        other numeric columns are present.
    future_columns : list of str, default=None
        Columns known ahead (calendar, promotions, prices): a model with
        horizon H gets their values at the H steps it forecasts. All other
        numeric columns of a long DataFrame are past covariates, known up to
        each step.

    Attributes
    ----------
    n_features_in_ : int
        Number of features of the series seen during :term:`fit` (1 for a
        1-D series); the number of columns of a long DataFrame.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when the
        series is a DataFrame whose column names are all strings.

    value_columns_ : list of str
        Panel mode: the target column, then the past covariates.

    series_end_ : pandas.Series
        Panel mode: the last time (or position) of each series, by id, at
        which its target was known in :term:`fit`: its training end. Later
        transforms of a frame that reaches beyond it score only the targets
        after it (see Notes).

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

    Panel mode (``id_column``, ``time_column``, ``target_column`` or
    ``future_columns`` set) takes a long DataFrame and returns a
    :class:`~skseq._panel.PanelWindows`: the windows of every series, with
    what the regressors need to find each window's targets inside its own
    series. When a frame given to ``transform`` reaches beyond a series'
    training end (``series_end_``; a test fold of
    :class:`~skseq.PanelTimeSeriesSplit` holds the series' history followed
    by its test steps), scores (``score``, :func:`~skseq.make_series_scorer`)
    count only the targets after that end; the history serves as context.

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
        "id_column": [str, None],
        "time_column": [str, None],
        "target_column": [str, None],
        "future_columns": [list, tuple, None],
    }

    def __init__(
        self,
        window_length=2,
        *,
        id_column=None,
        time_column=None,
        target_column=None,
        future_columns=None,
    ):
        self.window_length = window_length
        self.id_column = id_column
        self.time_column = time_column
        self.target_column = target_column
        self.future_columns = future_columns

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the series and remember its number of features.

        Parameters
        ----------
        X : array-like of shape (n_steps,) or (n_steps, n_features), or DataFrame
            The series, oldest step first; in panel mode a long DataFrame.
        y : None
            Ignored.

        Returns
        -------
        self : SequenceWindower
            The fitted windower.
        """
        if self._panel_mode():
            self._fit_panel(X)
        else:
            self._validate_series(X, reset=True)
        return self

    def transform(self, X):
        """Cut the series into windows.

        Parameters
        ----------
        X : array-like of shape (n_steps,) or (n_steps, n_features), or DataFrame
            The series, oldest step first, with at least ``window_length``
            steps; in panel mode a long DataFrame with the columns seen in fit.

        Returns
        -------
        windows : ndarray of shape (n_windows, window_length, n_features)
            ``n_windows = n_steps - window_length + 1``. Read-only view; row
            ``i`` holds steps ``i .. i + window_length - 1``. In panel mode a
            :class:`~skseq._panel.PanelWindows` holding the windows of every
            series.
        """
        check_is_fitted(self)
        if self._panel_mode():
            return self._transform_panel(X)
        series = self._validate_series(X, reset=False)
        return _sliding_windows(series, self.window_length)

    def _panel_mode(self):
        names = (self.id_column, self.time_column, self.target_column)
        return any(n is not None for n in names) or self.future_columns is not None

    def _fit_panel(self, frame):
        known = list(self.future_columns or [])
        if not all(isinstance(c, str) for c in known):
            raise ValueError(
                "future_columns must be a list of column names (str); got "
                f"{self.future_columns!r}."
            )
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                "A SequenceWindower with id_column, time_column, target_column or "
                "future_columns takes a long pandas DataFrame (one row per series "
                f"and time step); got {type(frame).__name__}."
            )
        given = [c for c in (self.id_column, self.time_column) if c is not None]
        absent = [c for c in [*given, *known] if c not in frame.columns]
        if absent:  # before guessing the target from the other columns
            raise ValueError(
                f"Unknown column(s) {absent}: the frame has columns "
                f"{[str(c) for c in frame.columns]}."
            )
        named = {self.id_column, self.time_column, *known}
        others = [c for c in frame.columns if c not in named]
        target = self.target_column
        if target is None:
            if len(others) != 1:
                raise ValueError(
                    "target_column must name the column to forecast when the frame "
                    f"has other columns besides the id and time: got {others}."
                )
            target = others[0]
        overlap = {target} & ({self.id_column, self.time_column} | set(known))
        if overlap:
            raise ValueError(
                f"target_column={target!r} is also the id, time or a future column."
            )
        value_columns = [target, *[c for c in others if c != target]]
        panel = read_panel(
            frame,
            id_column=self.id_column,
            time_column=self.time_column,
            value_columns=value_columns,
            known_columns=known,
        )
        self.value_columns_ = value_columns
        self.n_features_in_ = frame.shape[1]
        if all(isinstance(c, str) for c in frame.columns):
            self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        ends = []
        for a, b in panel.bounds:
            known_rows = np.flatnonzero(np.isfinite(panel.values[a:b, 0]))
            ends.append(panel.times[a + known_rows[-1]] if len(known_rows) else None)
        self.series_end_ = pd.Series(ends, index=pd.Index(panel.ids, name="id"))

    def _read_panel(self, frame):
        """The frame checked and ordered with the columns seen in fit."""
        return read_panel(
            frame,
            id_column=self.id_column,
            time_column=self.time_column,
            value_columns=self.value_columns_,
            known_columns=list(self.future_columns or []),
        )

    def _transform_panel(self, frame):
        panel = self._read_panel(frame)
        k = self.window_length
        starts = np.concatenate(
            [np.arange(a, b - k + 1) for a, b in panel.bounds] or [np.zeros(0)]
        ).astype(np.int64)
        # Scores count the targets after each series' training end, when the
        # frame reaches beyond it (a test fold); the training frame itself
        # scores in sample. A series unseen in fit is scored throughout.
        first = panel.bounds[:, 0].copy()
        ends = self.series_end_.reindex(pd.Index(panel.ids, dtype=object))
        seen = ends.notna().to_numpy()
        ends = ends.to_numpy()
        after_end = first + [
            np.searchsorted(panel.times[a:b], end, side="right") if known else 0
            for end, known, (a, b) in zip(ends, seen, panel.bounds, strict=True)
        ]
        beyond = np.any(after_end < panel.bounds[:, 1])
        scored_from = (
            np.where(seen, after_end, first) if beyond and seen.any() else first
        )
        return PanelWindows(
            values=panel.values,
            known=panel.known,
            bounds=panel.bounds,
            ids=panel.ids,
            times=panel.times,
            window_length=k,
            starts=starts,
            scored_from=scored_from,
            columns=(self.id_column, self.time_column, self.value_columns_[0]),
            freqs=panel.freqs,
        )

    def _validate_params(self):
        reject_bool_params(self, ["window_length"])
        super()._validate_params()

    def _validate_series(self, X, reset):
        check_monotonic_index(X, warn_gaps=reset, stacklevel=5)
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

    def set_output(self, *, transform=None):
        """Refuse a DataFrame output: windows are 3-D.

        Parameters
        ----------
        transform : {"default"} or None, default=None
            ``"default"`` and None keep the windows as they are (an array, or
            the panel's windows). ``"pandas"`` and ``"polars"`` raise a
            ``ValueError``: a data frame cannot hold windows of shape
            (n_windows, window_length, n_features).

        Returns
        -------
        self : object
            The windower, unchanged.
        """
        if transform not in (None, "default"):
            raise ValueError(
                f"SequenceWindower cannot set_output(transform={transform!r}): its "
                "windows are 3-D, (n_windows, window_length, n_features), which a "
                "data frame cannot hold. Leave the windower's output as it is."
            )
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def find_windower(model):
    """The :class:`SequenceWindower` step of a pipeline (or of a wrapper's), or None.

    Looks through one level of wrapping (``PerSeries``, ``ConformalRegressor``
    before fit: an ``estimator`` parameter) when ``model`` is no pipeline.
    """
    if not hasattr(model, "steps") and hasattr(model, "estimator"):
        model = model.estimator
    for _, step in getattr(model, "steps", []):
        if isinstance(step, SequenceWindower):
            return step
    return None


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
    check_monotonic_index(series, stacklevel=4)
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
