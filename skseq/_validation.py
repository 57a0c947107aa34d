"""Input checks shared by the windower and the regressors (no TensorFlow)."""

import warnings

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import InvalidParameterError


def reject_bool_params(estimator, names):
    """Raise if an integer parameter was given a bool.

    scikit-learn's ``Interval(Integral, ...)`` accepts ``True`` as 1; a window
    or layer size given as a bool is almost surely a mistake.
    """
    for name in names:
        value = getattr(estimator, name)
        if isinstance(value, bool):
            constraints = getattr(estimator, "_parameter_constraints", {})
            options = (getattr(c, "options", ()) for c in constraints.get(name, ()))
            auto = any("auto" in values for values in options)
            expected = 'an int >= 1 or "auto"' if auto else "an int >= 1"
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(estimator).__name__} must be "
                f"{expected}, not a bool. Got {value!r} instead."
            )


def check_monotonic_index(X):
    """Refuse a pandas series whose index is not in increasing time order.

    A shuffled or duplicated index means the rows are not consecutive steps,
    so every window would mix unrelated moments. Plain arrays carry no index
    and cannot be checked.
    """
    index = getattr(X, "index", None)
    if index is None or not hasattr(index, "is_monotonic_increasing"):
        return
    if not (index.is_monotonic_increasing and index.is_unique):
        raise ValueError(
            "The series' index must be monotonic increasing and unique (time "
            "order): sort it with .sort_index() and drop duplicated steps."
        )
    _warn_on_index_jumps(index)


def _warn_on_index_jumps(index):
    """Warn when the index is not evenly spaced.

    ``KFold`` or ``ShuffleSplit`` training rows of a series keep their order
    but leave rows out; windows across the gaps mix moments further apart
    than the others, and nothing else would say so. An integer index must
    step evenly; a date index must have a frequency pandas can infer
    (month starts and business days do).
    """
    if len(index) < 3:
        return
    if isinstance(index, pd.DatetimeIndex):
        if pd.DatetimeIndex(index, freq="infer").freq is not None:
            return  # as a panel's times are checked
        steps = np.diff(index.asi8)
    elif pd.api.types.is_integer_dtype(index.dtype):
        steps = np.diff(index.to_numpy(dtype=np.int64))
        if np.all(steps == steps[0]):
            return
    else:
        return
    usual = np.median(steps)
    odd = np.flatnonzero(steps > usual)
    first = int(odd[0]) if len(odd) else int(np.flatnonzero(steps != usual)[0])
    warnings.warn(
        f"The series' index is not evenly spaced (first from {index[first]} to "
        f"{index[first + 1]}): windows across a gap join moments further apart "
        "than the others. Rows left out of a series (KFold, ShuffleSplit) do "
        "this; split it with TimeSeriesSplit. If the rows are consecutive steps "
        "(trading days, say), pass the values without the index "
        "(series.to_numpy()).",
        UserWarning,
        stacklevel=4,
    )
