"""Input checks shared by the windower and the regressors (no TensorFlow)."""

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
