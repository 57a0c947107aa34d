"""The private base of skseq's Keras regressors: the one place for scikeras.

scikeras 0.13.0 is its last release and predates scikit-learn 1.6's tags:
on scikit-learn >= 1.6 a plain ``KerasRegressor`` is not recognised as a
regressor, it reads tags only from ``_more_tags``, and a subclass cannot add
``RegressorMixin`` (method resolution order). Everything skseq does about
that lives here, so that replacing scikeras later touches this file only.

We subclass ``KerasRegressor`` for its parameter routing
(``optimizer__learning_rate``), ``set_params`` and the pickling of Keras
models it registers (its tab-separated ``repr`` is replaced by
scikit-learn's), and override ``fit``/``predict``/``score``: series mode
(``y=None``), scaling, seeding and window-shape checks all need to run
around the Keras model, and scikeras's own ``fit`` toggles process-wide
determinism and accepts ``epochs=0`` silently.
"""

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
from scikeras._saving_utils import pack_keras_model, unpack_keras_model
from scikeras.wrappers import KerasRegressor
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import RegressorTags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from skseq._keras import keras, quiet_logs, seed_from, seeded
from skseq._panel import PanelWindows
from skseq._scaling import METHODS as SCALING_METHODS
from skseq._scaling import WindowScaler, flat_windows
from skseq._series import SeriesRegressorMixin
from skseq._validation import reject_bool_params
from skseq.regressors._layers import build_network, n_members
from skseq.regressors._ridge import RidgeForecast
from skseq.regressors._training import (
    TrainingPlan,
    predict_model,
    train_model,
    trains_with_fit,
)

# Constructor keyword arguments beyond the explicit parameters must be routed
# to the optimizer, as in scikeras (``optimizer__momentum=0.9``).
_ROUTING_PREFIX = "optimizer__"

# epochs="auto": half the number of training windows, within these bounds.
# Chosen by measurement (benchmarks/bench_classical.py, README "Against
# classical models"): 100 epochs over-fit the 38 windows of a 50-value M3
# series; fewer epochs kept helping one step ahead down to 10-20, but below 30
# the recurrent 18-step models (21 windows) fell behind, so 30 is their floor;
# Dense kept improving down to 10 at both horizons, so 10 is its floor (a
# class attribute). CO2's 408 windows still need 100.
_AUTO_MIN_EPOCHS, _AUTO_MAX_EPOCHS = 30, 100

# ridge_weight="auto" on one series with a scaling: the forecast is half the
# network's, half a ridge regression's on the same windows (README, "Against
# classical models": on M3 the blend beat each part alone for every network),
# up to this many windows; beyond, the ridge's share shrinks as 256 / n. In
# benchmarks/bench_long.py's series cut to 400-1,600 windows an even blend
# cost Dense and the LSTM up to 12% on half-hourly demand at 1,600 windows,
# where a share near 0.15 did not; weekly CO2 gained from any share up to 0.5.
_AUTO_RIDGE_WEIGHT, _AUTO_RIDGE_WINDOWS = 0.5, 512

# batch_size="auto" (opt-in): 32 windows per update, larger where an epoch
# would otherwise take more than this many updates; series up to 512 windows
# keep batches of 32. Measured in benchmarks/bench_long.py: on 1,600-1,800
# windows of 48-52 steps it trains recurrent networks 2-3 times faster, as
# good or better on weekly CO2 and 7-15% worse on half-hourly demand, so the
# default stays 32.
_AUTO_MIN_BATCH, _AUTO_BATCHES_PER_EPOCH = 32, 16


class _SequenceRegressorBase(SeriesRegressorMixin, KerasRegressor):
    _parameter_constraints = {
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "optimizer": [str, type, HasMethods(["get_config"])],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "clipnorm": [Interval(Real, 0, None, closed="neither"), None],
        "loss": [str, callable],
        "scaling": [StrOptions({*SCALING_METHODS, "auto"}), None],
        "ridge_weight": [Interval(Real, 0, 1, closed="both"), StrOptions({"auto"})],
        "shuffle": ["boolean"],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
        "random_state": ["random_state", np.random.Generator],
        "verbose": ["verbose"],
    }
    _int_params = ("epochs", "batch_size", "horizon", "n_iter_no_change")
    _auto_min_epochs = _AUTO_MIN_EPOCHS  # epochs="auto"'s floor for this network
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
            (``X[i + 1, -1, 0]``, first feature; the next ``horizon`` values
            with ``horizon > 1``); windows without known targets are left out.
        sample_weight : array-like of shape (n_windows,), default=None
            Weight of each window in the loss. In series mode the weights of
            windows without targets are ignored.

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

    def _predict(self, X):
        windows = self._network_windows(X)
        with quiet_logs():
            y = predict_model(self.model_, windows, self._scaler)
        if self._ridge is not None:
            weight = self.ridge_weight_
            y = (1 - weight) * y + weight * self._ridge.predict(windows)
        # On a panel NaN marks missing values, and a window holding one may
        # forecast NaN; a single series' windows were checked finite.
        bad = ~np.isfinite(y)
        if bad.any() and not isinstance(X, PanelWindows):
            warnings.warn(
                f"{type(self).__name__} predicted {int(bad.sum())} non-finite "
                f"value(s) (inf or NaN) of {bad.size}: the windows are far outside "
                "what the network was trained on, or hold inf/NaN.",
                RuntimeWarning,
                stacklevel=3,
            )
        return y.ravel() if self._y_ndim == 1 else y

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    def _validate_params(self):
        # Called by _fit_context before fit: bools are refused first (an
        # Interval(Integral) would take True as 1), then the declared
        # constraints, then routed keyword arguments.
        reject_bool_params(self, self._int_params)
        reject_bool_params(
            self, ("ridge_weight",), 'a float in the range [0.0, 1.0] or "auto"'
        )
        super()._validate_params()
        self._check_routed_params()
        self._check_one_name_per_knob()
        known = {
            "loss": (keras.losses.get, "'mse', 'mae' or 'huber'"),
            "optimizer": (keras.optimizers.get, "'adam', 'sgd' or 'rmsprop'"),
        }
        for name, (lookup, examples) in known.items():
            value = getattr(self, name)
            if not isinstance(value, str):
                continue
            try:
                lookup(value)
            except ValueError as error:
                raise ValueError(
                    f"The {name!r} parameter of {type(self).__name__} must name a "
                    f"Keras {name} such as {examples}; got {value!r}."
                ) from error

    def _train(self, X, y, sample_weight, epochs, warm_start):
        first = not (warm_start and hasattr(self, "model_"))
        if first and hasattr(self, "model_"):
            del self.model_  # a refit that fails must not leave the old model
            self._forget_resolved()
        X = self._validate_windows(X, reset=first)
        data = self._training_data(X, y, sample_weight)
        method = self._scaler.method if not first else self.scaling
        if method == "auto":  # panels: nothing may depend on a series' units
            method = "window" if data.groups is not None else "last+level"
        if method == "window":
            data = _without_flat_windows(data, type(self).__name__)
        targets = data.targets
        if first:
            self._scaler = WindowScaler(method, data.n_known)
            self._scaler.fit(data.windows, targets)
            self._y_ndim = data.y.ndim
        elif data.y.ndim != self._y_ndim or targets.shape[1] != self._n_outputs():
            raise ValueError(
                "Continuing training needs targets shaped as in the first fit "
                f"({self._n_outputs()} column(s)); got y of shape "
                f"{data.y.shape}: horizon and y must not change between partial_fit "
                "or warm_start calls."
            )
        if isinstance(epochs, str):
            epochs = auto_epochs(data.n_windows, self._auto_min_epochs)
        epochs = int(epochs)
        plan = self._training_plan(data.n_windows, epochs, data.groups)
        # On one series with a scaling, a network may start at the scaling's
        # reference forecast (its subclass says how), and its forecast is
        # blended with a ridge regression ("auto"); the lesson's
        # scaling=None and panels start as Keras draws them, unblended.
        at_reference = method is not None and data.groups is None
        if first:
            self._fit_ridge(data, at_reference)
        seed = seed_from(self.random_state)
        if seed is not None and not first:
            # A continued fit shuffles from a seed of its own, reproducibly:
            # the same sequence of calls gives the same network.
            seed = (seed + len(self.history_["loss"])) % 2**32
        with seeded(seed, trains_with_fit(self.callbacks)), quiet_logs():
            if first:
                window_length, n_channels = data.windows.shape[1:]
                self.model_ = build_network(
                    (window_length, self._scaler.n_inputs(n_channels)),
                    self._scaler.n_level(n_channels),
                    self._bodies(window_length, at_reference, data.n_windows),
                    targets.shape[1],
                    data.n_known,
                    self._output_init(at_reference),
                )
                if at_reference:
                    self._start_at_reference(self.model_)
                self.model_.compile(optimizer=self._make_optimizer(), loss=self.loss)
                self.history_ = {}
            history = train_model(self.model_, data, self._scaler, plan)
        for key, values in history.items():
            self.history_.setdefault(key, []).extend(values)
        losses = history["loss"]
        if not np.all(np.isfinite(losses)):
            epoch = int(np.argmin(np.isfinite(losses))) + 1
            rate = _rate_in_use(self.model_.optimizer)
            del self.model_  # a diverged network must not answer predict
            self._forget_resolved()  # nor keep an earlier fit's settings
            where = (
                "learning_rate"
                if isinstance(self.optimizer, (str, type))
                else "the optimizer instance's learning_rate"
            )
            raise FloatingPointError(
                f"Training diverged: the loss became {losses[epoch - 1]} at epoch "
                f"{epoch}. Lower {where} (now {rate}), set clipnorm, or use "
                "scaling."
            )
        self.epochs_ = epochs
        self.batch_size_ = plan.batch_size
        return self

    def _fit_ridge(self, data, at_reference):
        """Resolve ``ridge_weight`` and fit the ridge regression it blends in."""
        weight = self.ridge_weight
        if weight == "auto":
            weight = auto_ridge_weight(data.n_windows) if at_reference else 0.0
        self.ridge_weight_ = float(weight)
        self._ridge = RidgeForecast(data.n_known).fit(data) if weight > 0 else None

    def _n_outputs(self):
        """Columns the fitted network forecasts (each member's, if several)."""
        return self.model_.output_shape[-1] // n_members(self.model_)

    def _bodies(self, window_length, at_reference, n_windows):
        """The network's members, ``[(name prefix, body layers)]``: one here."""
        return [("", self._body(window_length))]

    def _output_init(self, at_reference):
        """The output layer's initializer (``at_reference``: the network is to
        start at the scaling's reference forecast): Keras's own."""
        return "glorot_uniform"

    def _start_at_reference(self, model):
        """Change a new network's weights in place so that it starts at the
        scaling's reference forecast: kept as Keras drew them."""

    def _forget_resolved(self):
        """Drop the epochs and batch size a previous fit resolved."""
        vars(self).pop("epochs_", None)
        vars(self).pop("batch_size_", None)
        vars(self).pop("ridge_weight_", None)
        vars(self).pop("_ridge", None)

    def _training_plan(self, n_windows, epochs, groups=None):
        """Which windows train and which validate, and the loop's settings.

        Early stopping validates on the LAST windows in time order (never a
        shuffled split: neighbouring windows overlap, so a shuffled split
        leaks). With a horizon of H, the H - 1 training windows just before
        the validation ones are dropped, since their targets reach into the
        validation targets. In a panel, each series gives its own last
        windows (``validation_fraction`` of them, at least one where the
        series has two or more).
        """
        train_index, val_index = np.arange(n_windows), None
        if self.early_stopping and groups is not None:
            train_parts, val_parts = [], []
            cuts = np.flatnonzero(np.diff(groups)) + 1
            for rows in np.split(np.arange(n_windows), cuts):
                n_val = max(1, int(round(self.validation_fraction * len(rows))))
                n_train = len(rows) - n_val - (self.horizon - 1)
                if n_train < 1:
                    train_parts.append(rows)
                    continue
                train_parts.append(rows[:n_train])
                val_parts.append(rows[len(rows) - n_val :])
            if not val_parts:
                raise ValueError(
                    "early_stopping with validation_fraction="
                    f"{self.validation_fraction} leaves no validation window in any "
                    "series: use longer series or a larger validation_fraction."
                )
            train_index = np.concatenate(train_parts)
            val_index = np.concatenate(val_parts)
        elif self.early_stopping:
            n_val = max(1, int(round(self.validation_fraction * n_windows)))
            n_train = n_windows - n_val - (self.horizon - 1)
            if n_train < 1:
                raise ValueError(
                    f"early_stopping with validation_fraction="
                    f"{self.validation_fraction} leaves no training window out of "
                    f"{n_windows}: use more data or a smaller validation_fraction."
                )
            train_index = np.arange(n_train)
            val_index = np.arange(n_windows - n_val, n_windows)
        batch_size = self.batch_size
        if isinstance(batch_size, str):
            batch_size = auto_batch_size(len(train_index))
        return TrainingPlan(
            epochs=epochs,
            batch_size=min(int(batch_size), len(train_index)),
            shuffle=self.shuffle,
            callbacks=self.callbacks,
            verbose=self.verbose,
            train_index=train_index,
            val_index=val_index,
            patience=self.n_iter_no_change,
        )

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
            if not issubclass(self.optimizer, keras.optimizers.Optimizer):
                raise ValueError(
                    f"The 'optimizer' parameter of {type(self).__name__} must be a "
                    "Keras optimizer name, class or instance; got the class "
                    f"{self.optimizer.__name__}."
                )
            return self.optimizer(**kwargs)
        try:
            config = {"class_name": self.optimizer, "config": kwargs}
            return keras.optimizers.get(config)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"The optimizer {self.optimizer!r} of {type(self).__name__} refused "
                f"its arguments {sorted(kwargs)}: {error}"
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

    def _check_one_name_per_knob(self):
        """Refuse settings of which one would silently override the other."""
        defaults = inspect.signature(type(self).__init__).parameters
        params = self.get_params(deep=False)
        for name in ("learning_rate", "clipnorm"):
            value = getattr(self, name)
            if value == defaults[name].default:
                continue
            routed = _ROUTING_PREFIX + name
            if routed in params:
                raise ValueError(
                    f"{type(self).__name__} got both {name}={value!r} and "
                    f"{routed}={params[routed]!r}: they set the same thing and the "
                    f"routed one would win silently. Give only {name}."
                )
            if not isinstance(self.optimizer, (str, type)):
                raise ValueError(
                    f"{type(self).__name__} got {name}={value!r} with an optimizer "
                    f"instance ({type(self.optimizer).__name__}), which keeps its own "
                    f"{name}, so the parameter would be ignored. Set {name} on the "
                    "instance, or pass the optimizer as a name or class."
                )

    def set_params(self, **params):
        """Set parameters, optimizer routing (``optimizer__momentum``) included.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : object
            The estimator.
        """
        valid = self.get_params(deep=False)
        for key in params:
            if key not in valid and not key.startswith(_ROUTING_PREFIX):
                # scikit-learn's wording (scikeras's names neither the key
                # in quotes nor the valid ones).
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {self}. Valid "
                    f"parameters are: {sorted(valid)!r}."
                )
        return super().set_params(**params)

    @classmethod
    def _get_explicit_param_names(cls):
        signature = inspect.signature(cls.__init__)
        return [
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind != p.VAR_KEYWORD
        ]

    def __repr__(self, N_CHAR_MAX=700):
        # scikeras prints every parameter, tab-separated; scikit-learn's repr
        # (the changed parameters only, values as Python literals) is what
        # users of this library read everywhere else.
        return BaseEstimator.__repr__(self, N_CHAR_MAX=N_CHAR_MAX)

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
        return self._series_tags(tags)


def _without_flat_windows(data, name):
    """Leave out the windows whose target feature is all zeros ("window" scaling).

    Such a window has no scale of its own: any forecast from it that does not
    depend on the series' units must be 0, which is what predict returns for
    it, and its targets cannot be put on a unit-free scale to train on.
    """
    flat = flat_windows(data.windows)
    if not flat.any():
        return data
    if flat.all():
        raise ValueError(
            f"{name} with scaling='window' got only windows whose target values are "
            "all zero: they have no scale to learn from. Use longer windows or "
            "another scaling."
        )
    warnings.warn(
        f"{int(flat.sum())} of {len(flat)} training windows have target values that "
        "are all zero; with scaling='window' they have no scale of their own and are "
        "left out of training (their forecast is 0).",
        UserWarning,
        stacklevel=5,
    )
    return data.subset(~flat)


def auto_epochs(n_windows, floor=_AUTO_MIN_EPOCHS):
    """The epochs that ``epochs="auto"`` trains for on ``n_windows`` windows.

    ``n_windows`` counts the windows with targets (all series of a panel
    together, early stopping's validation windows included): half of them,
    at least ``floor`` (30 for recurrent networks, 10 for Dense) and at most
    100, so that a short series is not over-fit and series of 200 windows or
    more train as with ``epochs=100``.
    """
    return int(min(_AUTO_MAX_EPOCHS, max(floor, n_windows // 2)))


def auto_ridge_weight(n_windows):
    """The share ``ridge_weight="auto"`` gives the ridge regression on one
    series with a scaling: 0.5 up to 512 windows, then ``256 / n_windows``
    (0.25 at 1,024 windows), as the network needs the ridge's regularisation
    less the more windows it trains on.
    """
    return _AUTO_RIDGE_WEIGHT * min(1.0, _AUTO_RIDGE_WINDOWS / max(n_windows, 1))


def auto_batch_size(n_windows):
    """The windows per update that ``batch_size="auto"`` trains with.

    ``n_windows`` counts the training windows (without early stopping's
    validation windows): 32, or as many as make 16 updates per epoch where
    that is more (512 windows or fewer: 32; 1,600 windows: 100).
    """
    per_epoch = -(-int(n_windows) // _AUTO_BATCHES_PER_EPOCH)
    return int(max(_AUTO_MIN_BATCH, per_epoch))


def _rate_in_use(optimizer):
    """The optimizer's learning rate as a float, or its description."""
    try:
        return float(optimizer.learning_rate)
    except (TypeError, ValueError):  # a schedule
        return repr(optimizer.learning_rate)


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
