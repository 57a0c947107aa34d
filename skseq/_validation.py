"""Input checks shared by the windower and the regressors (no TensorFlow)."""

import warnings

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import InvalidParameterError


def reject_bool_params(estimator, names, expected=None):
    """Raise if an integer parameter was given a bool.

    scikit-learn's ``Interval(Integral, ...)`` accepts ``True`` as 1; a window
    or layer size given as a bool is almost surely a mistake. ``expected``
    says what the parameter takes (default: an int >= 1, or "auto" where the
    constraints allow it).
    """
    for name in names:
        value = getattr(estimator, name)
        if isinstance(value, bool):
            if expected is None:
                constraints = getattr(estimator, "_parameter_constraints", {})
                options = (getattr(c, "options", ()) for c in constraints.get(name, ()))
                auto = any("auto" in values for values in options)
                expected = 'an int >= 1 or "auto"' if auto else "an int >= 1"
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(estimator).__name__} must be "
                f"{expected}, not a bool. Got {value!r} instead."
            )


def check_monotonic_index(X, warn_gaps=True, stacklevel=4):
    """Refuse a pandas series whose index is not in increasing time order.

    A shuffled or duplicated index means the rows are not consecutive steps,
    so every window would mix unrelated moments. Plain arrays carry no index
    and cannot be checked. With ``warn_gaps`` (when fitting), an index with
    gaps warns; ``stacklevel`` points the warning at the caller of ``fit``.
    """
    index = getattr(X, "index", None)
    if index is None or not hasattr(index, "is_monotonic_increasing"):
        return
    if not (index.is_monotonic_increasing and index.is_unique):
        raise ValueError(
            "The series' index must be monotonic increasing and unique (time "
            "order): sort it with .sort_index() and drop duplicated steps."
        )
    if warn_gaps:
        _warn_on_index_gaps(index, stacklevel + 1)


# A step this many times the index's median step is a gap: calendar months
# (28-31 days) stay below it; rows left out of a series (two steps for one)
# do not. Dates pandas can give a frequency (business days) never warn.
_GAP_FACTOR = 1.5


def _warn_on_index_gaps(index, stacklevel):
    """Warn when the index has steps much longer than its usual one.

    ``KFold`` or ``ShuffleSplit`` training rows of a series keep their order
    but leave rows out; windows across the gaps mix moments further apart
    than the others, and nothing else would say so.
    """
    if len(index) < 3:
        return
    if isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex, pd.PeriodIndex)):
        steps = np.diff(index.asi8)
    elif pd.api.types.is_integer_dtype(index.dtype):
        steps = np.diff(index.to_numpy(dtype=np.int64))
    else:
        return
    usual = np.median(steps)
    if usual <= 0 or steps.max() <= _GAP_FACTOR * usual:
        return
    if isinstance(index, pd.DatetimeIndex) and _has_frequency(index):
        return
    first = int(np.flatnonzero(steps > _GAP_FACTOR * usual)[0])
    warnings.warn(
        f"The series' index has gaps (first from {index[first]} to "
        f"{index[first + 1]}, more than {_GAP_FACTOR} times its usual step): "
        "windows across a gap join moments further apart than the others. Rows "
        "left out of a series (KFold, ShuffleSplit) do this; split it with "
        "TimeSeriesSplit. If the rows are consecutive steps (trading days, say), "
        "pass the values without the index (series.to_numpy()).",
        UserWarning,
        stacklevel=stacklevel,
    )


def _has_frequency(index):
    """Whether pandas infers a frequency (month ends, business days) for dates."""
    try:
        return pd.DatetimeIndex(index, freq="infer").freq is not None
    except ValueError:  # mixed offsets across a daylight-saving change
        return False
