"""Conformal prediction intervals around any skseq model or pipeline.

:class:`ConformalRegressor` holds out the end of the training series, fits
the model on what comes before, and measures its errors on the held-out
values: the errors of a model on data it has not seen are what a forecast
will make. Their finite-sample quantile gives intervals whose coverage holds
under exchangeability; adaptive conformal inference (``method="aci"``) keeps
the long-run coverage on series that drift.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    RealNotInt,
    StrOptions,
)
from sklearn.utils.validation import (
    _num_samples,
    check_array,
    check_is_fitted,
    indexable,
)

from skseq._intervals import (
    as_columns,
    check_coverage,
    check_enough_scores,
    conformal_quantile,
    count_scores,
    final_step,
    find_windower,
    n_held_out,
    prediction_windows,
    recursive_paths,
    scale_floor,
    slice_params,
    take_rows,
    window_predictions,
    window_scale,
)
from skseq._panel_intervals import (
    calibrate,
    forecast_scale,
    panel_windower,
    recursive_scores,
    scored_scale,
    series_scale,
    unsupported_panel,
)
from skseq._validation import reject_bool_params
from skseq.forecasting import forecast as _point_forecast
from skseq.scoring import panel_predictions

__all__ = ["ConformalRegressor"]

# conformity_score="auto" normalizes by a window's swings only when the window
# has at least 3 changes to measure them: a scale from one or two changes is
# too noisy (benchmarks/bench_interval_scores.py: on a stationary AR(1) with
# naive forecasts, normalized 90% intervals were 1.67 times wider than
# absolute ones at window 2, 1.29 at 4 and 1.06 at 12, at the same coverage).
_MIN_NORMALIZED_WINDOW = 4


class ConformalRegressor(RegressorMixin, BaseEstimator):
    """Prediction intervals from out-of-sample errors (split conformal).

    ``fit`` holds out the last ``calibration_size`` values of the series,
    fits a clone of ``estimator`` on the values before them, and records
    its errors (conformity scores) on the held-out values, one column per
    step ahead. With ``refit=True`` the model is then fitted again on the
    whole series. An interval at coverage ``c`` is the prediction plus or
    minus the ``ceil((n + 1) c)``-th smallest of the ``n`` scores of its
    step ahead, which contains the true value with probability at least
    ``c`` when the errors are exchangeable.

    On a panel (a pipeline whose windower has an ``id_column``, fitted on a
    long frame) the tail of every series is held out, the errors of all
    series are pooled on a per-series scale, and each series gets its own
    interval: its prediction plus or minus the pooled quantile times its
    scale (see Notes).

    Read more in the :ref:`User Guide <intervals>`.

    Parameters
    ----------
    estimator : estimator object
        A series-mode pipeline (:class:`~skseq.SequenceWindower` followed by
        a skseq regressor), a skseq regressor fitted on windows, or any
        regressor fitted with an explicit ``y``; or a panel pipeline (its
        :class:`~skseq.SequenceWindower` first, with an ``id_column``),
        fitted on a long frame.
    coverage : float, default=0.9
        Fraction of true values the intervals should hold, in (0, 1).
    calibration_size : float or int, default=0.2
        The held-out end of the series: a fraction of its values (rounded
        up) or a number of values. With an explicit ``y``, rows. On a
        panel, of each series: a fraction of its rows or a number of rows
        per series (a series without that many rows plus ``window_length +
        horizon`` gives no scores, with a warning).
    refit : bool, default=True
        Fit ``estimator`` again on all the data after calibration. False
        keeps the model fitted without the held-out values.
    method : {"split", "aci"}, default="split"
        ``"split"``: fixed split-conformal quantiles. ``"aci"``: adaptive
        conformal inference (Gibbs and Candès, 2021): :meth:`update` moves
        the level of the quantile after each observed value, by ``gamma``
        times the difference between the asked miss rate and the miss.
        One series only: a panel takes ``"split"``.
    conformity_score : {"auto", "normalized", "absolute"}, default="auto"
        ``"normalized"``: scores are divided by each window's scale (its
        mean absolute change between steps, never less than half the median
        scale of the calibration windows), and intervals widen and narrow
        with it, as the swings of most real series grow with their level.
        ``"absolute"``: scores are ``|y - y_pred|`` and every interval of a
        step ahead has the same width, the textbook split-conformal
        interval (MAPIE's). ``"auto"`` is ``"normalized"`` in series mode
        (``y=None``: one series or a panel, where each prediction has a
        window of the series behind it) with windows of 4 steps or more,
        and ``"absolute"`` otherwise: with an explicit ``y`` (rows need not
        be windows of a series), with windows of 1 to 3 steps, whose one or
        two changes are too noisy a scale, or when most calibration windows
        of one series are flat (intermittent demand), whose swings say
        nothing of the errors after them. On a panel,
        ``"normalized"`` errors are divided by their window's scale (never
        less than half their series'), ``"absolute"`` ones by their
        series'.
    gamma : float, default=0.005
        Step size of adaptive conformal inference (``method="aci"``).

    Attributes
    ----------
    estimator_ : estimator object
        The model behind :meth:`predict` (refitted on everything when
        ``refit=True``).
    calibration_estimator_ : estimator object
        The model fitted without the held-out values, whose errors are the
        scores (``estimator_`` itself when ``refit=False``).
    conformity_scores_ : ndarray of shape (n_scores, n_outputs)
        The scores in time order, one column per step ahead (per output
        with an explicit ``y``); :meth:`update` rolls them forward. On a
        panel, every series' scaled scores, series by series.
    conformity_score_ : str
        The conformity score in use, ``"normalized"`` or ``"absolute"``
        (``conformity_score`` with ``"auto"`` resolved).
    adapted_coverage_ : ndarray of shape (n_outputs,)
        The level at which each step's quantile is taken: ``coverage``,
        moved by :meth:`update` when ``method="aci"``.
    n_features_in_ : int
        Number of features seen by the fitted model.

    See Also
    --------
    skseq.forecast : With ``coverage=``, a forecast with lower and upper
        bounds.
    skseq.metrics : Coverage, width, Winkler score and pinball loss.

    Notes
    -----
    With ``horizon`` H each of the H steps ahead gets its own quantile,
    from the windows of the held-out values whose H following values are
    all known, so ``calibration_size - H + 1`` scores per step. In series
    mode no step's width is below the step before's: each is the widest
    quantile of the steps up to it. A recursive
    forecast further ahead than H (:meth:`forecast_interval`) is calibrated
    by running the same recursion with ``calibration_estimator_`` from every
    origin in the held-out values. Too few scores for the coverage asked
    raise a ValueError that says how many are needed (9 at 0.9, 19 at 0.95).

    Panels: ``fit`` holds out the last rows of each series, fits a clone on
    the rows before, and predicts the held-out targets from the whole frame
    (the windower scores only the targets after each series' training end,
    with the rows before as their windows' context). Each error is divided
    by a scale in its series' units: its window's (normalized scores, the
    default; floored at half its series' scale) or, with
    ``conformity_score="absolute"``, its series' scale, the mean absolute
    change between consecutive values of the series' history (its rows
    before the held-out tail in ``fit``; its rows up to its training end
    when predicting a frame that reaches beyond it; all its rows for a
    forecast). That scale is in the
    series' units, so series of thousands and of hundredths pool their
    errors, and multiplying one series by a constant multiplies its
    intervals and no other's. A series whose history does not change uses
    a thousandth of its mean absolute value; one of zeros, 1. Series with
    fewer than ``window_length + horizon`` rows before their tail give no
    scores (a warning names them) but are fitted on and forecast. The
    count of scores is the total over series: with a fraction,
    ``sum(ceil(calibration_size * n_j) - H + 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import ConformalRegressor, NaiveRegressor, SequenceWindower
    >>> series = np.sin(np.arange(100) / 4) + np.arange(100) / 50
    >>> pipe = make_pipeline(SequenceWindower(4), NaiveRegressor())
    >>> cr = ConformalRegressor(pipe, coverage=0.9).fit(series)
    >>> cr.predict_interval(series).shape
    (97, 2)
    >>> cr.predict_interval(series, coverage=[0.8, 0.95]).shape
    (97, 2, 2)
    >>> list(cr.forecast_interval(series, steps=3).columns)
    ['forecast', 'lower', 'upper']

    A panel: two series in other units, one interval per series and step.

    >>> import pandas as pd
    >>> from skseq import forecast
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 60),
    ...                       "ds": np.tile(np.arange(60), 2),
    ...                       "y": np.cumsum(rng.normal(size=120))})
    >>> frame.loc[frame.unique_id == "b", "y"] *= 100
    >>> panel_pipe = make_pipeline(SequenceWindower(3, id_column="unique_id",
    ...                                             time_column="ds"),
    ...                            NaiveRegressor())
    >>> cr = ConformalRegressor(panel_pipe, coverage=0.8).fit(frame)
    >>> out = forecast(cr, frame, steps=2, coverage=0.8)
    >>> list(out.columns)
    ['unique_id', 'ds', 'y', 'lower', 'upper']
    >>> width = (out.upper - out.lower).to_numpy()  # b's are about 100 times a's
    >>> len(out), bool(width[2] > 10 * width[0])
    (4, True)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "coverage": [Interval(Real, 0, 1, closed="neither")],
        "calibration_size": [
            Interval(RealNotInt, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "refit": ["boolean"],
        "method": [StrOptions({"split", "aci"})],
        "conformity_score": [StrOptions({"auto", "absolute", "normalized"})],
        "gamma": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        estimator,
        coverage=0.9,
        *,
        calibration_size=0.2,
        refit=True,
        method="split",
        conformity_score="auto",
        gamma=0.005,
    ):
        self.estimator = estimator
        self.coverage = coverage
        self.calibration_size = calibration_size
        self.refit = refit
        self.method = method
        self.conformity_score = conformity_score
        self.gamma = gamma

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **fit_params):
        """Calibrate on the end of the data, then fit the model.

        Parameters
        ----------
        X : array-like
            What ``estimator`` is fitted on: the series, oldest value first,
            for a windowing pipeline; windows for a bare skseq regressor; the
            long frame for a panel pipeline.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            None for series mode; otherwise targets, one row per row of
            ``X`` in time order.
        **fit_params : dict
            Passed to every ``estimator.fit`` call.

        Returns
        -------
        self : ConformalRegressor
            The calibrated regressor.
        """
        for name in list(vars(self)):  # a refit starts from nothing
            if name.endswith("_") and not name.startswith("__"):
                delattr(self, name)
        self._recursive_cache = {}
        self._panel = None
        self.conformity_score_ = self.conformity_score
        if self.conformity_score == "auto":
            swings = y is None and self._window_length(X) >= _MIN_NORMALIZED_WINDOW
            self.conformity_score_ = "normalized" if swings else "absolute"
        if y is None and isinstance(X, pd.DataFrame):
            if panel_windower(self.estimator):
                return self._fit_panel(X, fit_params)
            reason = unsupported_panel(self.estimator)
            if reason is not None:
                raise TypeError(reason)
        X, y = indexable(X, y)  # sparse formats without row slicing become CSR
        n_values = _num_samples(X)
        last = final_step(self.estimator)
        if y is None and not hasattr(last, "series_targets"):
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                f"is None: series mode (y=None) needs a skseq regressor or a "
                f"pipeline ending in one, and {type(last).__name__} is neither."
            )
        context = self._context() if y is None else 0
        n_cal = self._n_calibration(n_values)
        horizon = self._horizon() if y is None else 1
        n_scores = n_cal - horizon + 1
        check_enough_scores(
            n_scores,
            self.coverage,
            f"calibration_size={self.calibration_size!r} of {n_values} values "
            f"({n_cal} held out, horizon={horizon})",
        )
        head = n_values - n_cal
        if head < max(context + horizon, 1):
            raise ValueError(
                f"calibration_size={self.calibration_size!r} holds out {n_cal} of "
                f"n_samples={n_values} values and leaves {head} to fit on; the model "
                f"needs at least window_length + horizon = {context + horizon}."
            )
        head_params = slice_params(fit_params, n_values, head)
        calibrator = clone(self.estimator)
        if y is None:
            calibrator.fit(take_rows(X, 0, head), **head_params)
            tail = take_rows(X, head - context, n_values)
            windows, y_true, y_pred = window_predictions(calibrator, tail)
        else:
            calibrator.fit(take_rows(X, 0, head), take_rows(y, 0, head), **head_params)
            windows = None
            if self.conformity_score_ == "normalized":
                # As predict_interval sees them: through the pipeline's steps.
                windows = prediction_windows(calibrator, take_rows(X, head, n_values))
            y_true = np.asarray(take_rows(y, head, n_values), dtype=np.float64)
            y_pred = calibrator.predict(take_rows(X, head, n_values))
        errors = np.abs(as_columns(y_true) - as_columns(y_pred))
        self._scale_floor = 1.0
        if self.conformity_score_ == "normalized":
            scale = window_scale(windows)
            if self.conformity_score == "auto" and np.median(scale) == 0:
                # Most calibration windows are flat (intermittent demand): their
                # swings say nothing about the errors that follow them.
                self.conformity_score_ = "absolute"
            else:
                self._scale_floor = scale_floor(scale, windows)
                errors = errors / np.maximum(scale, self._scale_floor)[:, np.newaxis]
        self.conformity_scores_ = errors
        self.adapted_coverage_ = np.full(errors.shape[1], float(self.coverage))
        self.calibration_estimator_ = calibrator
        if self.refit:
            self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        else:
            self.estimator_ = calibrator
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        self._series_mode = y is None
        self._one_d = (X.ndim if hasattr(X, "ndim") else np.ndim(X)) == 1
        self._history = None
        if y is None and find_windower(self.estimator) is not None:
            values = check_array(X, ensure_2d=False, dtype=np.float64)
            if values.ndim == 1 or values.shape[1] == 1:
                values = values.reshape(len(values))
                self._history = values[-(context + horizon - 1) :]
                self._calibration_values = values[head - context :]
        return self

    def _fit_panel(self, frame, fit_params):
        """Calibrate on the held-out tail of every series of a long frame."""
        if self.method == "aci":
            raise ValueError(
                "method='aci' adapts the intervals of one series as its values "
                "arrive (update); on a panel use method='split'."
            )
        sized = [k for k, v in fit_params.items() if np.ndim(v) > 0]
        if sized:
            raise ValueError(
                f"Fit parameters with one value per window ({sized}) are not "
                "supported when calibrating on a panel: the calibration fit has "
                "fewer windows than the full fit."
            )
        horizon = self._horizon()
        calibrator, errors, panel, scales, windows = calibrate(
            self.estimator,
            frame,
            self.calibration_size,
            horizon,
            lambda estimator, rows: estimator.fit(rows, **fit_params),
        )
        divisor = scored_scale(windows, scales, self.conformity_score_)
        errors = errors / divisor[:, np.newaxis]
        check_enough_scores(
            len(errors),
            self.coverage,
            f"calibration_size={self.calibration_size!r} of each of the "
            f"{len(panel.ids)} calibrated series (horizon={horizon})",
        )
        self.conformity_scores_ = errors
        self.adapted_coverage_ = np.full(errors.shape[1], float(self.coverage))
        self.calibration_estimator_ = calibrator
        if self.refit:
            self.estimator_ = clone(self.estimator).fit(frame, **fit_params)
        else:
            self.estimator_ = calibrator
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        self._series_mode, self._one_d, self._history = True, False, None
        self._panel = {"panel": panel, "scales": scales}
        return self

    def predict(self, X):
        """The wrapped model's predictions, unchanged.

        Parameters
        ----------
        X : array-like
            What the fitted ``estimator`` predicts from.

        Returns
        -------
        y_pred : ndarray
            ``estimator_.predict(X)``.
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)

    def predict_interval(self, X, coverage=None):
        """Lower and upper bounds around each prediction.

        Parameters
        ----------
        X : array-like
            What the fitted ``estimator`` predicts from; for a regressor
            fitted on a panel, a long frame (its windows are predicted in
            the pipeline's order, each with its series' scale).
        coverage : float or list of float, default=None
            Fraction(s) in (0, 1); None is the ``coverage`` given at
            construction.

        Returns
        -------
        intervals : ndarray
            Shape ``(n, 2)`` (lower, upper) for one coverage and one step
            ahead; ``(n, H, 2)`` with horizon H; a list of ``k`` coverages
            adds a last axis of length ``k``: ``(n, 2, k)`` or
            ``(n, H, 2, k)``.
        """
        check_is_fitted(self)
        coverages, single = self._coverages(coverage)
        y_pred = self.estimator_.predict(X)
        scale = None
        if getattr(self, "_panel", None) is not None:
            panel = self.estimator_[0].transform(X)
            scale = scored_scale(panel, series_scale(panel), self.conformity_score_)
        elif self.conformity_score_ == "normalized":
            scale = self._scale(prediction_windows(self.estimator_, X))
        return self._intervals(y_pred, scale, coverages, single)

    def forecast_interval(self, series, steps=1, coverage=None, *, future=None):
        """Forecast the values after ``series`` with lower and upper bounds.

        ``skseq.forecast(cr, series, steps, coverage=c)`` calls this method.

        Parameters
        ----------
        series : array-like of shape (n_steps,) or (n_steps, 1), or DataFrame
            The series to continue, at least ``window_length`` values; for a
            regressor fitted on a panel, the long frame of the series to
            continue (each from its own last row).
        steps : int, default=1
            Number of future values (per series). Up to ``horizon`` the
            forecast is direct and each step has its own quantile; beyond it
            the forecast is recursive and calibrated by the same recursion
            from each origin in the held-out values.
        coverage : float or list of float, default=None
            Fraction(s) in (0, 1); None is ``coverage``.
        future : DataFrame, default=None
            Panels with ``future_columns``: the future-known values, as for
            :func:`skseq.forecast`.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``forecast``, ``lower``, ``upper`` (with a list of
            coverages, ``lower_<c>`` and ``upper_<c>`` for each, such as
            ``lower_0.8``), indexed by the next ``steps`` dates when
            ``series`` has a regular DatetimeIndex, else by the positions
            after the series. The ``forecast`` column equals
            ``skseq.forecast`` of the fitted model. For a panel, the long
            frame of :func:`skseq.forecast` (id, time and target columns,
            ``steps`` rows per series) with the ``lower`` and ``upper``
            columns added: series ``j``'s bounds are its forecast plus or
            minus the pooled quantile of the step times its scale.
        """
        check_is_fitted(self)
        coverages, single = self._coverages(coverage)
        point = _point_forecast(self.estimator_, series, steps, future=future)
        horizon = self.conformity_scores_.shape[1]
        if steps <= horizon:
            scores = self.conformity_scores_[:, :steps]
        else:
            scores = self._recursive_scores(steps)
        check_enough_scores(
            count_scores(scores),
            coverages,
            f"a forecast of steps={steps} (horizon={horizon})",
        )
        if getattr(self, "_panel", None) is not None:
            return self._panel_forecast(series, point, scores, coverages, single)
        scale = None
        if self.conformity_score_ == "normalized":
            values = check_array(series, ensure_2d=False, dtype=np.float64)
            window_length = self._context()
            last = values.reshape(len(values), -1)[-window_length:, 0]
            scale = self._scale(last[np.newaxis, :])
        interval = self._intervals(
            np.asarray(point)[np.newaxis, :], scale, coverages, False, scores
        )[0]
        if isinstance(point, pd.Series):
            index = point.index
        else:
            start = _num_samples(series)
            index = pd.RangeIndex(start, start + steps)
        frame = pd.DataFrame({"forecast": np.asarray(point)}, index=index)
        for j, c in enumerate(coverages):
            suffix = "" if single else f"_{c:g}"
            frame[f"lower{suffix}"] = interval[:, 0, j]
            frame[f"upper{suffix}"] = interval[:, 1, j]
        frame.attrs["coverage"] = [float(c) for c in coverages]
        return frame

    def _panel_forecast(self, series, point, scores, coverages, single):
        """The panel forecast frame with each series' bounds added."""
        steps = scores.shape[1]
        scale = forecast_scale(self.estimator_, series, self.conformity_score_)
        scale = scale.reindex(point.iloc[:, 0].to_numpy()).to_numpy()
        width = conformal_quantile(scores, np.tile(coverages, (steps, 1)))
        width = np.maximum.accumulate(width, axis=0)  # no step narrower
        step = np.tile(np.arange(steps), len(point) // steps)
        width = width[step] * scale[:, np.newaxis]  # (rows, coverages)
        centre = point.iloc[:, 2].to_numpy(dtype=np.float64)
        frame = point.copy()
        for j, c in enumerate(coverages):
            suffix = "" if single else f"_{c:g}"
            frame[f"lower{suffix}"] = centre - width[:, j]
            frame[f"upper{suffix}"] = centre + width[:, j]
        frame.attrs["coverage"] = [float(c) for c in coverages]
        return frame

    def update(self, new_values):
        """Take in values observed after the series, without refitting.

        Each new value is scored against the forecasts made for it from the
        windows before it (one per step ahead); the scores join the
        calibration scores, which roll forward (the oldest drop out, their
        number stays the same). With ``method="aci"`` each step's level
        moves too: down by ``gamma * (1 - coverage)`` after a hit, up by
        ``gamma * coverage`` after a miss, so the long-run share of misses
        approaches ``1 - coverage`` even when the series drifts.
        Recursive forecasts beyond the horizon keep the calibration of
        ``fit``; with ``method="aci"`` they move with the last step's level.

        Parameters
        ----------
        new_values : array-like of shape (n_new,)
            The next values of the (one-feature) series the regressor was
            fitted on, oldest first. The next call continues after them.

        Returns
        -------
        self : ConformalRegressor
            The updated regressor.
        """
        check_is_fitted(self)
        if getattr(self, "_panel", None) is not None:
            raise ValueError(
                "update takes the next values of one series; this regressor was "
                "fitted on a panel. Fit it again on the frame with the new rows."
            )
        if getattr(self, "_history", None) is None:
            raise ValueError(
                "update needs a regressor fitted in series mode (y=None) on a "
                "one-feature series through a SequenceWindower pipeline."
            )
        new = check_array(new_values, ensure_2d=False, dtype=np.float64)
        new = new.reshape(-1)
        history = self._history
        window_length = self._context()
        horizon = self.conformity_scores_.shape[1]
        full = np.concatenate([history, new])
        windows = np.lib.stride_tricks.sliding_window_view(full[:-1], window_length)
        predicted = as_columns(self._predict_series(full[:-1]))
        scale = np.ones(len(windows))
        if self.conformity_score_ == "normalized":
            scale = self._scale(windows)
        steps = np.arange(horizon)
        for t in range(len(history), len(full)):
            ends = t - 1 - steps  # window ending at t - h forecasts t at step h
            origin = ends - (window_length - 1)
            scores = np.abs(full[t] - predicted[origin, steps]) / scale[origin]
            if self.method == "aci":
                level = self.adapted_coverage_[:, np.newaxis]
                # Each step's own quantile, not the (wider) width issued: a
                # step dominated by an earlier one would otherwise never miss
                # and its level would fall without bound.
                bound = conformal_quantile(self.conformity_scores_, level)[:, 0]
                miss = scores > bound
                # Gibbs & Candès: alpha += gamma * (alpha_target - miss), in
                # terms of coverage = 1 - alpha.
                self.adapted_coverage_ = self.adapted_coverage_ - self.gamma * (
                    (1 - self.coverage) - miss
                )
            self.conformity_scores_ = np.vstack([self.conformity_scores_[1:], scores])
        self._history = full[-len(history) :]
        return self

    def score(self, X, y=None, sample_weight=None):
        """The wrapped model's score (R² for skseq regressors).

        Parameters
        ----------
        X : array-like
            As for :meth:`predict`.
        y : array-like, default=None
            True targets; None in series mode.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            ``estimator_.score(X, y)``.
        """
        check_is_fitted(self)
        if sample_weight is None:
            return self.estimator_.score(X, y)
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    def _validate_params(self):
        check_coverage(self.coverage)
        reject_bool_params(
            self,
            ["calibration_size"],
            expected="a fraction in (0, 1) or an int >= 1 (values held out)",
        )
        super()._validate_params()

    def _coverages(self, coverage):
        if coverage is None:
            return np.array([float(self.coverage)]), True
        single = np.ndim(coverage) == 0
        return check_coverage(coverage, allow_list=True), single

    def _intervals(self, y_pred, scale, coverages, single, scores=None):
        """Bounds of shape (n, n_columns, 2, k), squeezed as documented."""
        scores = self.conformity_scores_ if scores is None else scores
        check_enough_scores(count_scores(scores), coverages, "the calibration")
        y_pred = np.asarray(y_pred, dtype=np.float64)
        one_column = y_pred.ndim == 1
        y_pred = as_columns(y_pred)
        offset = self.adapted_coverage_ - self.coverage
        steps = np.minimum(np.arange(y_pred.shape[1]), len(offset) - 1)
        level = coverages[np.newaxis, :] + offset[steps, np.newaxis]
        width = conformal_quantile(scores, level)
        if self._series_mode:  # columns are steps ahead: no step narrower
            width = np.maximum.accumulate(width, axis=0)
        width = width[np.newaxis]  # (1, columns, k)
        if scale is not None:
            width = width * scale[:, np.newaxis, np.newaxis]
        centre = y_pred[:, :, np.newaxis]
        bounds = np.stack([centre - width, centre + width], axis=2)
        if one_column:
            bounds = bounds[:, 0]
        return bounds[..., 0] if single else bounds

    def _recursive_scores(self, steps):
        """Scores of recursive forecasts of ``steps`` from each held-out origin."""
        if steps in self._recursive_cache:
            return self._recursive_cache[steps]
        if getattr(self, "_panel", None) is not None:
            scores = recursive_scores(
                self.calibration_estimator_,
                self._panel["panel"],
                steps,
                self._panel["scales"],
                self.conformity_score_,
            )
            self._recursive_cache[steps] = scores
            return scores
        values = getattr(self, "_calibration_values", None)
        if values is None:
            raise ValueError(
                f"A recursive forecast of steps={steps} beyond horizon="
                f"{self.conformity_scores_.shape[1]} is calibrated on the held-out "
                "values of a one-feature series in series mode."
            )
        window_length = self._context()
        # Every origin with at least one held-out value after it; step s is
        # scored from the origins whose s-th following value is held out.
        origins = np.arange(window_length - 1, len(values) - 1)
        if len(values) - window_length < steps:
            raise ValueError(
                f"A recursive forecast of steps={steps} is calibrated on held-out "
                f"values {steps} steps after an origin; calibration_size holds out "
                f"only {len(values) - window_length}. Use a larger calibration_size "
                "or fewer steps."
            )
        windows = np.stack([values[e - window_length + 1 : e + 1] for e in origins])
        paths = recursive_paths(self.calibration_estimator_, windows, steps)
        padded = np.concatenate([values, np.full(steps, np.nan)])
        truth = np.stack([padded[e + 1 : e + 1 + steps] for e in origins])
        scores = np.abs(truth - paths)
        if self.conformity_score_ == "normalized":
            scores = scores / self._scale(windows)[:, np.newaxis]
        self._recursive_cache[steps] = scores
        return scores

    def _predict_series(self, values):
        if self._one_d:
            return self.estimator_.predict(values)
        return self.estimator_.predict(values.reshape(-1, 1))

    def _scale(self, windows):
        return np.maximum(window_scale(windows), self._scale_floor)

    def _window_length(self, X):
        """Steps per window: the windower's, else the windows' second axis."""
        windower = find_windower(self.estimator)
        if windower is not None:
            return windower.window_length
        return np.shape(X)[1] if np.ndim(X) >= 2 else 1

    def _context(self):
        windower = find_windower(self.estimator)
        return windower.window_length if windower is not None else 1

    def _horizon(self):
        return int(final_step(self.estimator).get_params().get("horizon", 1))

    def _n_calibration(self, n_values):
        size = self.calibration_size
        if isinstance(size, Integral):
            if size >= n_values:
                raise ValueError(
                    f"calibration_size={size} holds out every one of the "
                    f"{n_values} values; nothing is left to fit on."
                )
        return n_held_out(size, n_values)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "conformity_scores_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.three_d_array = inner.input_tags.three_d_array
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.target_tags.required = inner.target_tags.required
        tags.target_tags.multi_output = inner.target_tags.multi_output
        if inner.regressor_tags is not None:
            tags.regressor_tags.poor_score = inner.regressor_tags.poor_score
        return tags


def series_intervals(estimator, X, coverage=None):
    """Targets, predictions, persistence and intervals of a fitted model.

    The series-mode counterpart of :func:`skseq.scoring.series_predictions`
    for a :class:`ConformalRegressor`: the windows of ``X`` whose following
    values are known, their targets, predictions, last values and
    intervals.

    Parameters
    ----------
    estimator : ConformalRegressor
        Fitted in series mode.
    X : array-like
        What the wrapped model takes: a series for a windowing pipeline.
    coverage : float or list of float, default=None
        As in :meth:`ConformalRegressor.predict_interval`.

    Returns
    -------
    y_true, y_pred, naive : ndarray of shape (n_targets,) or (n_targets, H)
        As returned by :func:`skseq.scoring.series_predictions`.
    intervals : ndarray
        As returned by :meth:`ConformalRegressor.predict_interval` for
        those windows.
    """
    check_is_fitted(estimator)
    coverages, single = estimator._coverages(coverage)
    windows, y_true, y_pred = window_predictions(estimator.estimator_, X)
    scale = None
    if estimator.conformity_score_ == "normalized":
        scale = estimator._scale(windows)
    naive = windows[:, -1]
    if y_true.ndim == 2:
        naive = np.repeat(naive[:, np.newaxis], y_true.shape[1], axis=1)
    intervals = estimator._intervals(y_pred, scale, coverages, single)
    return y_true, y_pred, naive, intervals


def panel_intervals(estimator, X, season_length=1, coverage=None):
    """Scored targets of a panel and their intervals, for a fitted regressor.

    The panel counterpart of :func:`series_intervals`: what
    :func:`skseq.scoring.panel_predictions` returns for the wrapped model,
    and the intervals of those windows.

    Parameters
    ----------
    estimator : ConformalRegressor
        Fitted on a panel.
    X : DataFrame
        A long frame, such as a test fold (each series' history, then its
        test rows).
    season_length : int, default=1
        As in :func:`skseq.scoring.panel_predictions`.
    coverage : float or list of float, default=None
        As in :meth:`ConformalRegressor.predict_interval`.

    Returns
    -------
    found : dict
        As returned by :func:`skseq.scoring.panel_predictions`.
    intervals : ndarray
        As returned by :meth:`ConformalRegressor.predict_interval`, for the
        scored windows only.
    """
    check_is_fitted(estimator)
    found = panel_predictions(estimator.estimator_, X, season_length)
    starts = estimator.estimator_[0].transform(X).starts
    keep = np.isin(starts, found["panel"].starts)
    return found, estimator.predict_interval(X, coverage)[keep]
