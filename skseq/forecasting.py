"""Forecast the values after a series with a fitted series-mode pipeline."""

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array

from skseq.windowing import SequenceWindower

__all__ = ["forecast"]


def forecast(pipe, series, steps=1, *, coverage=None):
    """Forecast the ``steps`` values that follow ``series``.

    With a model trained for ``horizon >= steps`` the forecast is direct: the
    last window's ``horizon`` predictions. Otherwise it is recursive: each
    prediction is appended to the series and the window slides over it, so
    later steps rest on earlier forecasts (errors compound).

    Parameters
    ----------
    pipe : Pipeline
        A fitted pipeline of a :class:`~skseq.SequenceWindower` and a
        series-mode regressor.
    series : array-like of shape (n_steps,) or (n_steps, 1)
        The series to continue, oldest first, with at least ``window_length``
        values (usually the one the pipeline was trained on).
    steps : int, default=1
        Number of future values.
    coverage : float or list of float, default=None
        With a fitted :class:`~skseq.ConformalRegressor` as ``pipe``, the
        fraction(s) in (0, 1) of future values the bounds should hold; see
        :meth:`~skseq.ConformalRegressor.forecast_interval`.

    Returns
    -------
    forecast : ndarray of shape (steps,), pandas.Series or pandas.DataFrame
        A pandas Series indexed by the next ``steps`` dates when ``series``
        is a pandas Series with a regular DatetimeIndex. With ``coverage``,
        a DataFrame with columns ``forecast``, ``lower`` and ``upper``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseq import DenseRegressor, SequenceWindower, forecast
    >>> series = np.sin(np.arange(60) / 3)
    >>> pipe = make_pipeline(SequenceWindower(6),
    ...                      DenseRegressor(epochs=2, random_state=0)).fit(series)
    >>> forecast(pipe, series, steps=4).shape
    (4,)
    """
    if hasattr(pipe, "forecast_interval"):  # a ConformalRegressor
        if coverage is not None:
            return pipe.forecast_interval(series, steps, coverage=coverage)
        pipe = pipe.estimator_ if hasattr(pipe, "estimator_") else pipe.estimator
    elif coverage is not None:
        raise TypeError(
            "coverage needs a fitted skseq.ConformalRegressor, got "
            f"{type(pipe).__name__}: wrap the pipeline in ConformalRegressor(pipe)."
        )
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    windower = _windower(pipe)
    window_length = windower.window_length
    horizon = getattr(pipe[-1], "horizon", 1)
    values = check_array(series, ensure_2d=False, dtype=np.float64, input_name="series")
    if values.ndim == 2 and values.shape[1] != 1 and steps > horizon:
        raise ValueError(
            f"A recursive forecast feeds predictions back, which needs a series of "
            f"one feature; this one has {values.shape[1]}. Train with horizon >= "
            f"steps={steps} for a direct forecast instead."
        )
    if len(values) < window_length:
        raise ValueError(
            f"The series is too short: got n_samples={len(values)} steps, need at "
            f"least window_length={window_length}."
        )
    history = list(values.reshape(len(values), -1)[-window_length:, 0])
    if values.ndim == 2 and values.shape[1] != 1:
        predicted = _predict_next(pipe, values[-window_length:])[:steps]
    else:
        predicted = []
        while len(predicted) < steps:
            window = np.asarray(history[-window_length:])
            step = _predict_next(
                pipe, window.reshape(-1, 1) if values.ndim == 2 else window
            )
            predicted.extend(step[: steps - len(predicted)])
            history.extend(step)
    return _as_output(np.asarray(predicted[:steps], dtype=np.float64), series)


def _windower(pipe):
    steps = pipe.steps if isinstance(pipe, Pipeline) else []
    for _, step in steps:
        if isinstance(step, SequenceWindower):
            return step
    raise TypeError(
        "forecast needs a fitted Pipeline that starts with a SequenceWindower, "
        f"got {type(pipe).__name__}"
    )


def _predict_next(pipe, window):
    return np.ravel(pipe.predict(window))


def _as_output(values, series):
    index = getattr(series, "index", None)
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return values
    # freq="infer" rather than pd.infer_freq, which warns on pandas >= 3.1.
    freq = index.freq or pd.DatetimeIndex(index, freq="infer").freq
    if freq is None:
        return values
    future = pd.date_range(index[-1], periods=len(values) + 1, freq=freq)[1:]
    return pd.Series(values, index=future, name=getattr(series, "name", None))
