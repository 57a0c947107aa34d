"""skseq: scikit-learn estimators that learn from sequences with Keras.

``import skseq`` is light: the windower and the datasets need only numpy,
pandas and scikit-learn. The Keras regressors import TensorFlow the first
time they are used; the classical models import statsmodels when fitted.
"""

from importlib.metadata import PackageNotFoundError, version

from skseq import metrics
from skseq.baselines import NaiveRegressor, SeasonalNaiveRegressor
from skseq.classical import ARIMARegressor, ETSRegressor, ThetaRegressor
from skseq.compare import compare, plot_comparison
from skseq.conformal import ConformalRegressor
from skseq.forecasting import forecast
from skseq.local import PerSeries
from skseq.plotting import plot_forecast
from skseq.scoring import make_series_scorer
from skseq.splitting import PanelTimeSeriesSplit
from skseq.windowing import SequenceWindower, make_windows

try:
    __version__ = version("skseq")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ARIMARegressor",
    "ConformalRegressor",
    "DenseRegressor",
    "ETSRegressor",
    "NaiveRegressor",
    "PanelTimeSeriesSplit",
    "PerSeries",
    "RNNRegressor",
    "SeasonalNaiveRegressor",
    "SequenceWindower",
    "ThetaRegressor",
    "compare",
    "forecast",
    "make_series_scorer",
    "make_windows",
    "metrics",
    "plot_comparison",
    "plot_forecast",
]

_LAZY = {"DenseRegressor", "RNNRegressor"}


def __getattr__(name):
    # PEP 562: the regressors pull in TensorFlow (5-9 s), so they are
    # imported on first access, not with the package.
    if name in _LAZY:
        from skseq import regressors

        return getattr(regressors, name)
    raise AttributeError(f"module 'skseq' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY)
