"""The private base of skseq's Keras regressors: the one place for scikeras.

scikeras 0.13.0 is its last release and predates scikit-learn 1.6's tags:
on scikit-learn >= 1.6 a plain ``KerasRegressor`` is not recognised as a
regressor, it reads tags only from ``_more_tags``, and a subclass cannot add
``RegressorMixin`` (method resolution order). Everything skseq does about
that lives here, so that replacing scikeras later touches this file only.

We subclass ``KerasRegressor`` for its parameter routing
(``optimizer__learning_rate``), ``set_params``, ``repr`` and the pickling of
Keras models it registers, and override ``fit``/``predict``/``score``:
series mode (``y=None``), scaling, seeding and window-shape checks all need
to run around the Keras model, and scikeras's own ``fit`` toggles
process-wide determinism and accepts ``epochs=0`` silently.
"""

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
from scikeras._saving_utils import pack_keras_model, unpack_keras_model
from scikeras.wrappers import KerasRegressor
from sklearn.base import _fit_context
from sklearn.metrics import r2_score
from sklearn.utils import RegressorTags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from skseq._keras import keras, quiet_logs, seed_from, seeded
from skseq._validation import reject_bool_params
from skseq.regressors._scaling import Standardizer
from skseq.regressors._series import SeriesWindows
from skseq.regressors._training import predict_model, train_model

_FLOAT_DTYPES = (np.float64, np.float32)

# Constructor keyword arguments beyond the explicit parameters must be routed
# to the optimizer, as in scikeras (``optimizer__momentum=0.9``).
_ROUTING_PREFIX = "optimizer__"


class _SequenceRegressorBase(KerasRegressor):
    _parameter_constraints = {
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "optimizer": [str, type, HasMethods(["get_config"])],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "clipnorm": [Interval(Real, 0, None, closed="neither"), None],
        "loss": [str, callable],
        "scaling": [StrOptions({"standard"}), None],
        "shuffle": ["boolean"],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }
    _int_params = ("epochs", "batch_size")
    _routing_prefixes = {"optimizer"}  # read by scikeras's set_params

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Train a new network on windows.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_length[, n_features])
            Windows of consecutive steps, oldest first (2-D means one feature).
        y : array-like of shape (n_windows,) or (n_windows, n_outputs), default=None
            Targets. If None (series mode), ``X`` must be the consecutive
            windows of one series, as :class:`~skseq.SequenceWindower` makes
            them, and each window's target is the value that follows it
            (``X[i + 1, -1, 0]``); the last window has no target.
        sample_weight : array-like of shape (n_windows,), default=None
            Weight of each window in the loss. In series mode the last
            window's weight is ignored.

        Returns
        -------
        self : object
            The fitted regressor.
        """
        return self._train(X, y, sample_weight, self.epochs, self.warm_start)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Train for one more epoch, building the network on the first call.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_length[, n_features])
            Windows, as for :meth:`fit`.
        y : array-like of shape (n_windows,) or (n_windows, n_outputs), default=None
            Targets, or None for series mode.
        sample_weight : array-like of shape (n_windows,), default=None
            Weight of each window in the loss.

        Returns
        -------
        self : object
            The updated regressor.
        """
        return self._train(X, y, sample_weight, 1, True)

    def predict(self, X):
        """Predict the value that follows each window.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_length[, n_features])
            Windows with the ``window_length`` and features seen in fit.

        Returns
        -------
        y_pred : ndarray of shape (n_windows,) or (n_windows, n_outputs)
            One prediction per window, in the units of the training targets.
            In series mode the last element forecasts the first unseen value.
        """
        check_is_fitted(self, "model_")
        return self._predict(self._validate_windows(X, reset=False))

    def _predict(self, X):
        with quiet_logs():
            y = predict_model(self.model_, X, self._x_scaler.transform)
        y = self._y_scaler.inverse_transform(y)
        return y.ravel() if self._y_ndim == 1 else y

    def score(self, X, y=None, sample_weight=None):
        """Return the coefficient of determination R² of the predictions.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_length[, n_features])
            Windows.
        y : array-like of shape (n_windows,) or (n_windows, n_outputs), default=None
            True targets. If None (series mode), they are derived from ``X``
            as in :meth:`fit` and the last window is not scored.
        sample_weight : array-like of shape (n_windows,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R² of ``self.predict(X)`` against ``y``.
        """
        check_is_fitted(self, "model_")
        X = self._validate_windows(X, reset=False)
        inputs, y, sample_weight = self._targets(X, y, sample_weight)
        if isinstance(inputs, SeriesWindows):
            inputs = inputs.windows
        return r2_score(y, self._predict(inputs), sample_weight=sample_weight)

    def _validate_params(self):
        # Called by _fit_context before fit: bools are refused first (an
        # Interval(Integral) would take True as 1), then the declared
        # constraints, then routed keyword arguments.
        reject_bool_params(self, self._int_params)
        super()._validate_params()
        self._check_routed_params()

    def _train(self, X, y, sample_weight, epochs, warm_start):
        first = not (warm_start and hasattr(self, "model_"))
        X = self._validate_windows(X, reset=first)
        inputs, y, sample_weight = self._targets(X, y, sample_weight)
        series_mode = isinstance(inputs, SeriesWindows)
        if first:
            self._x_scaler = Standardizer(self.scaling)
            if series_mode:
                counts = inputs.step_counts()
                self._x_scaler.fit(inputs.series[:-1], weights=counts)
            else:
                self._x_scaler.fit(inputs)
            self._y_scaler = Standardizer(self.scaling).fit(y)
            self._y_ndim = y.ndim
        elif y.ndim != self._y_ndim:
            raise ValueError(
                f"y has {y.ndim} dimension(s), but this {type(self).__name__} was "
                f"fitted on y with {self._y_ndim}."
            )
        if series_mode:
            scaled = self._x_scaler.transform(inputs.series)
            inputs = SeriesWindows(scaled, inputs.window_length)
        else:
            inputs = self._x_scaler.transform(inputs)
        with seeded(seed_from(self.random_state) if first else None), quiet_logs():
            if first:
                self.model_ = self._build_model(
                    X.shape[1:], 1 if y.ndim == 1 else y.shape[1]
                )
                self.model_.compile(optimizer=self._make_optimizer(), loss=self.loss)
                self.history_ = {"loss": []}
            losses = train_model(
                self.model_,
                inputs,
                self._y_scaler.transform(y),
                sample_weight,
                epochs=epochs,
                batch_size=self.batch_size,
                shuffle=self.shuffle,
                callbacks=self.callbacks,
                verbose=self.verbose,
            )
        self.history_["loss"].extend(losses)
        if not np.all(np.isfinite(losses)):
            epoch = int(np.argmin(np.isfinite(losses))) + 1
            raise FloatingPointError(
                f"Training diverged: the loss became {losses[epoch - 1]} at epoch "
                f"{epoch}. Lower learning_rate (now {self.learning_rate}), set "
                "clipnorm, or keep scaling='standard'."
            )
        return self

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
        X = validate_data(
            self,
            X,
            reset=reset,
            allow_nd=True,
            dtype=_FLOAT_DTYPES,
            ensure_min_samples=1,
        )
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

    def _targets(self, X, y, sample_weight):
        """Return training inputs (windows or a series), targets and weights."""
        if y is None:
            X = SeriesWindows.from_windows(X, type(self).__name__)
            y = X.targets
            if sample_weight is not None and len(sample_weight) == len(y) + 1:
                sample_weight = sample_weight[:-1]
        else:
            y = check_array(
                y, ensure_2d=False, dtype=np.float64, input_name="y", allow_nd=True
            )
            if y.ndim > 2:
                raise ValueError(
                    f"y must have shape (n_windows,) or (n_windows, n_outputs); got "
                    f"shape {y.shape}."
                )
            _check_same_length(X, y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, y, ensure_non_negative=True
            )
            if not np.any(sample_weight):
                raise ValueError(
                    "Sample weights must contain at least one non-zero weight."
                )
        return X, y, sample_weight

    def _make_optimizer(self):
        routed = {
            key[len(_ROUTING_PREFIX) :]: value
            for key, value in self.get_params().items()
            if key.startswith(_ROUTING_PREFIX)
        }
        if not isinstance(self.optimizer, (str, type)):
            # An instance keeps its own settings; a fresh copy per fit means
            # cross-validation folds never share optimizer state.
            config = {**self.optimizer.get_config(), **routed}
            return type(self.optimizer).from_config(config)
        kwargs = {"learning_rate": self.learning_rate, **routed}
        if self.clipnorm is not None:
            kwargs.setdefault("clipnorm", self.clipnorm)
        if isinstance(self.optimizer, type):
            return self.optimizer(**kwargs)
        try:
            return keras.optimizers.get(
                {"class_name": self.optimizer, "config": kwargs}
            )
        except ValueError as error:
            raise ValueError(
                f"The 'optimizer' parameter of {type(self).__name__} must name a "
                f"Keras optimizer such as 'adam', 'sgd' or 'rmsprop'; got "
                f"{self.optimizer!r}."
            ) from error

    def _check_routed_params(self):
        declared = set(self._get_explicit_param_names())
        for key in self.get_params(deep=False):
            if key not in declared and not key.startswith(_ROUTING_PREFIX):
                raise ValueError(
                    f"Invalid parameter {key!r} for {type(self).__name__}: extra "
                    "keyword arguments must be routed to the optimizer, e.g. "
                    "optimizer__momentum=0.9."
                )

    @classmethod
    def _get_explicit_param_names(cls):
        signature = inspect.signature(cls.__init__)
        return [
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind != p.VAR_KEYWORD
        ]

    def __getstate__(self):
        # The Keras model is saved to bytes here rather than by scikeras's
        # Model.__reduce__ while pickle walks the state: Keras 3.15's saving
        # path emits a numpy DeprecationWarning that would break callers
        # running with -W error, and only this spot can silence it narrowly.
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        if "model_" in state:
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore",
                    message="__array__ implementation doesn't accept a copy keyword",
                    category=DeprecationWarning,
                )
                _, (model_bytes,) = pack_keras_model(state["model_"])
            state["model_"] = _SavedKerasModel(model_bytes)
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), _SavedKerasModel):
            state["model_"] = unpack_keras_model(state["model_"].data)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "regressor"
        tags.regressor_tags = RegressorTags()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.input_tags.three_d_array = True
        tags.input_tags.sparse = False
        return tags


def store_params(estimator, params):
    """Store constructor arguments as attributes, routed ones included.

    Used as the whole body of the regressors' ``__init__``: scikeras reads
    parameters from the instance ``__dict__``, so nothing else may be set.
    """
    routed = params.pop("kwargs")
    params.pop("self")
    params.pop("__class__", None)
    vars(estimator).update(params)
    vars(estimator).update(routed)


class _SavedKerasModel:
    """A Keras model saved to bytes inside a pickled regressor."""

    def __init__(self, data):
        self.data = data


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
