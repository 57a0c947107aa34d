"""Checks of layer-size parameters shared by the network builders."""

from numbers import Integral

from sklearn.utils._param_validation import InvalidParameterError


def check_layer_sizes(estimator, name):
    """Return the parameter ``name`` as a tuple of ints >= 1, or raise."""
    value = getattr(estimator, name)
    sizes = (value,) if isinstance(value, Integral) else tuple(value)
    if not sizes or any(
        isinstance(u, bool) or not isinstance(u, Integral) or u < 1 for u in sizes
    ):
        raise InvalidParameterError(
            f"The {name!r} parameter of {type(estimator).__name__} must be an int "
            f">= 1 or a non-empty tuple of them (one per layer). Got {value!r} "
            "instead."
        )
    return tuple(int(u) for u in sizes)
