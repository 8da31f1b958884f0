"""``Sequential``: layers stacked into a network, trained the way the lecture describes.

    model = Sequential([Dense(4, activation="sigmoid"), Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=Adam(learning_rate=0.01), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=50, batch_size=32, validation_split=0.2)

``fit`` is the lecture's training procedure: for each epoch, for each mini-batch, :meth:`Sequential.train_step`
processes the input through the network, computes the loss, propagates gradients back, and updates the weights.

All weights live in one flat vector (``get_flat_weights`` / ``set_flat_weights``; :mod:`coursekit.weights`):
each layer's ``W`` and ``b`` are views into it, and the gradients likewise, so an optimizer updates the whole
network in a few vectorised operations, and gradient checks and loss landscapes read and write a single vector
(``loss_at``, ``loss_and_gradient(..., weights=)``).
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

from . import fitting
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from . import weights as weights_module
from ._validation import check_array, check_choice, check_dtype, check_number, make_rng
from .callbacks import History
from .layers import check_layer
from .objective import objective_for

METRICS = ("accuracy",)


class Sequential:
    """A plain stack of layers, the output of each feeding the next (``tf.keras.Sequential``).

    Parameters
    ----------
    layers : list of Layer, optional
        E.g. ``[Dense(4, activation="relu"), Dense(1, activation="sigmoid")]``.
    seed : int or numpy Generator, optional
        Every random choice (initial weights, shuffling, dropout) comes from this seed, so the same seed
        gives the same numbers on every run. ``None`` draws fresh randomness.
    dtype : {"float32", "float64"}
        Precision of weights and computations; float64 is used for gradient checks.
    name : str
    """

    def __init__(self, layers=None, *, seed=None, dtype="float32", name="sequential"):
        self.layers = []
        self.name = name
        self.rng = make_rng(seed)
        self.dtype = check_dtype(dtype)
        self.built = False
        self.input_dim = None
        self.optimizer = None
        self.loss = None
        self.objective = None      # the last layer and the loss together (coursekit.objective), set by compile
        self.metrics = []
        self.stop_training = False
        self.stop_reason = None    # why the last fit ended before its last epoch (early stopping, divergence)
        self.weight_store = weights_module.WeightStore(self.dtype, self.rng)
        self._auto_built = False
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"layers must be a list of layers, e.g. Sequential([{type(layers).__name__}(...)]); "
                            f"received a single {type(layers).__name__} object")
        for layer in layers or []:
            self.add(layer)

    # ---------------------------------------------------------------- structure
    def add(self, layer):
        """Append a layer.

        As in Keras, a first layer given ``input_shape=`` builds the model at once (so its weights
        exist before ``fit``); adding a layer to such a model, before any training, builds it again.
        """
        check_layer(layer)
        owner = getattr(layer, "model", None)
        if owner is not None and owner is not self:
            raise ValueError(f"this {type(layer).__name__} layer already belongs to another model (its weights live "
                             f"there, and a second model would silently take them over): create a new "
                             f"{type(layer).__name__}(...) for each model")
        if any(other is layer for other in self.layers):
            raise ValueError(f"this {type(layer).__name__} layer is in the model already: a layer appears once; "
                             f"create a new {type(layer).__name__}(...) for another place")
        layer.model = self
        if self.built and not self._auto_built:
            raise ValueError("cannot add layers to a model that is already built (its weights exist); "
                             "make a new Sequential with all layers instead")
        if layer.name is None:
            count = sum(type(other) is type(layer) for other in self.layers)
            layer.name = layer.kind if count == 0 else f"{layer.kind}_{count}"
        self.layers.append(layer)
        if self.loss is not None:
            self.objective = objective_for(self.loss, layer)
        if getattr(self.layers[0], "requested_input_dim", None) is not None:
            self.build()
            self._auto_built = True
        return self

    def build(self, input_shape=None):
        """Create every weight for inputs of ``input_shape`` = (None, n_features), (n_features,) or n_features.

        Each layer asks for its weights (``add_weight``) and gets views into the model's flat weight vector;
        the initial values are drawn from the model's seed. ``fit`` calls this for you on first use.
        """
        if not self.layers:
            raise ValueError("the model has no layers: give Sequential a list such as [Dense(1)]")
        if input_shape is None:
            input_dim = getattr(self.layers[0], "requested_input_dim", None)
            if input_dim is None:
                raise ValueError("build needs input_shape=(n_features,), or give the first layer input_shape=")
        else:
            shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
            input_dim = check_number(shape[-1], "input_shape[-1]", low=1, integer=True)
        for index, layer in enumerate(self.layers):
            layer.is_first = index == 0
            if getattr(layer, "seed", None) is None:
                layer.rng = self.rng
        self.output_dim = self.weight_store.build(self.layers, input_dim)
        self.input_dim = input_dim
        self.built = True
        self._auto_built = False
        if self.optimizer is not None:
            self.optimizer.build(self.weight_store.size, self.dtype)
        return self

    def _require_built(self, what):
        if not self.built:
            raise ValueError(f"{what} needs a built model: call fit(...) or build(input_shape=(n_features,)) first")

    # ---------------------------------------------------------------- weights
    @property
    def weights(self):
        """The live weight arrays [W1, b1, W2, b2, ...] (views: writing to them changes the model)."""
        self._require_built("weights")
        return [p for layer in self.layers for p in layer.params]

    def get_weights(self):
        """Copies of the weights, [W1, b1, W2, b2, ...] in layer order (Keras' order)."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Set every weight from a list like the one ``get_weights`` returns."""
        current = self.weights
        weights = list(weights)
        expected = ", ".join(str(w.shape) for w in current)
        if len(weights) != len(current):
            raise ValueError(f"set_weights expects {len(current)} arrays with shapes {expected}; "
                             f"received {len(weights)}")
        for index, (target, value) in enumerate(zip(current, weights)):
            value = check_array(value, f"weights[{index}]")
            if value.shape != target.shape:
                raise ValueError(f"weights[{index}] must have shape {target.shape}; received {value.shape} "
                                 f"(expected shapes: {expected})")
        for target, value in zip(current, weights):
            target[...] = value

    def get_flat_weights(self):
        """All weights as one vector (a copy), W1, b1, W2, b2, ... each flattened row by row."""
        self._require_built("get_flat_weights")
        return self.weight_store.values.copy()

    def set_flat_weights(self, vector):
        """Set all weights from one vector of length ``count_params()``."""
        self._require_built("set_flat_weights")
        vector = check_array(vector, "vector", ndim=1)
        if vector.shape != self.weight_store.values.shape:
            raise ValueError(f"vector must have {self.weight_store.size} entries (count_params()); "
                             f"received {vector.size}")
        self.weight_store.values[...] = vector

    def count_params(self) -> int:
        self._require_built("count_params")
        return self.weight_store.size

    def save_weights(self, path):
        """Save the weights to a ``.npz`` file; ``load_weights`` restores them exactly."""
        weights_module.save_npz(path, self.get_weights())

    def load_weights(self, path):
        """Load weights saved by ``save_weights`` into this (identically built) model."""
        self.set_weights(weights_module.load_npz(path))

    # ---------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose how to train: the optimizer, the loss J(W), and metrics to report ("accuracy").

        Names follow Keras ("adam", "sgd", "binary_crossentropy", "mse", ...); objects work too. An optimizer
        given by name gets coursekit's defaults, which are torch.optim's (the update rules the tests check
        step by step), not tf.keras': ``"rmsprop"`` (also the default here, as in Keras) is
        ``RMSprop(learning_rate=0.01, rho=0.99, epsilon=1e-08)``, where tf.keras would use learning_rate=0.001
        and rho=0.9. To train with tf.keras' numbers, pass them: ``RMSprop(learning_rate=0.001, rho=0.9)``.
        A name whose tf.keras defaults differ (rmsprop, adagrad, adadelta) gets a warning saying so, and
        ``print(model.optimizer)`` shows what was chosen.

        When the loss can take the last layer's activation from its logits (sigmoid with binary
        cross-entropy, softmax with categorical cross-entropy), the two are computed together, once and
        stably: that choice is made here (``model.objective``), not per batch.
        """
        optimizer = optimizers_module.get(optimizer)
        owner = getattr(optimizer, "model", None)
        if owner is not None and owner is not self:
            raise ValueError(f"this {type(optimizer).__name__} optimizer already trains another model (it keeps "
                             f"state per weight of that model, which compiling this one would reset): give each "
                             f"model its own, e.g. compile(optimizer={type(optimizer).__name__}(learning_rate="
                             f"{optimizer.learning_rate:g}))")
        optimizer.model = self
        self.optimizer = optimizer
        self.loss = losses_module.get(loss)
        self.objective = objective_for(self.loss, self.layers[-1] if self.layers else None)
        metrics = list(metrics or [])
        for metric in metrics:
            check_choice("accuracy" if metric == "acc" else metric, "metrics", METRICS)
        self.metrics = ["accuracy" if m == "acc" else m for m in metrics]
        if self.built:
            self.optimizer.build(self.weight_store.size, self.dtype)
        return self

    def _require_compiled(self, what):
        if self.loss is None:
            raise ValueError(f"{what} needs a compiled model: call model.compile(optimizer='adam', "
                             f"loss='binary_crossentropy') first")

    # ---------------------------------------------------------------- data
    def prepare_data(self, x, y, x_name="x", y_name="y"):
        """(X, Y) checked and in the model's dtype, Y shaped as the loss needs it (one-hot rows for labels).

        Builds the model for ``x``'s width if it is not built yet.
        """
        X = fitting.check_inputs(x, x_name, self.dtype, self.input_dim if self.built else None)
        y_arr = check_array(y, y_name)
        if y_arr.ndim == 0:
            raise ValueError(f"{y_name} must hold one target per sample ({len(X)} rows, like {x_name}); received "
                             f"the single number {y!r}")
        if len(y_arr) != len(X):
            raise ValueError(f"{x_name} and {y_name} must have the same number of rows (one label per sample); "
                             f"received {x_name} with shape {X.shape} and {y_name} with shape {y_arr.shape}")
        if not self.built:
            self.build(X.shape[1])
        Y = self.loss.prepare(y_arr, np.empty((len(X), self.output_dim), dtype=self.dtype))[0]
        return X, np.ascontiguousarray(Y, dtype=self.dtype)

    def _training_data(self, x, y, validation_data, validation_split):
        """(X, Y, X_val, Y_val) for ``fit``; X_val and Y_val are None without validation."""
        if x is None or y is None:
            raise ValueError("fit needs training data: model.fit(x, y, epochs=...)")
        X, Y = self.prepare_data(x, y)
        if validation_data is None:
            return fitting.split_validation(X, Y, validation_split)
        x_val, y_val = fitting.check_validation_data(validation_data)
        return (X, Y) + self.prepare_data(x_val, y_val, x_name="x_val", y_name="y_val")

    # ---------------------------------------------------------------- computation
    def forward(self, x, training=False, layers=None):
        """The network's output for a checked batch ``x``: each layer's output feeds the next."""
        for layer in self.layers if layers is None else layers:
            x = layer.forward(x, training=training)
        return x

    def backward(self, grad):
        """Backpropagation below the output layer: hand dJ/dh (h the output layer's input, which
        ``objective.backward`` returns) back through the layers before it, each storing its dJ/dW."""
        for layer in reversed(self.layers[:-1]):
            grad = layer.backward(grad)

    def loss_of_batch(self, X, Y, training=False):
        """(L_i of every sample, ŷ) for a checked batch: the network, then the loss (``self.objective``)."""
        hidden = self.forward(X, training=training, layers=self.layers[:-1])
        return self.objective.forward(self.layers[-1], hidden, Y, training=training)

    def train_step(self, x_batch, y_batch):
        """The lecture's training procedure, steps 3 to 6, on one mini-batch; returns (L_i, ŷ).

        When the loss is no longer a finite number (training diverged) the weights are left as they are.
        """
        losses, y_hat = self.loss_of_batch(x_batch, y_batch, training=True)   # 3. process input, 4. compute loss
        if not np.isfinite(losses.sum()):
            return losses, y_hat
        dJ_dh = self.objective.backward(self.layers[-1], y_batch, y_hat)      # 5. propagate gradients back,
        self.backward(dJ_dh)                                                  #    layer by layer
        self.optimizer.apply([self.weight_store.gradients], [self.weight_store.values])   # 6. update weights
        return losses, y_hat

    def loss_and_gradient(self, x, y, training=False, weights=None):
        """J(W) on (x, y) and its gradient dJ/dW as one flat vector (dropout off unless ``training``).

        ``weights``: a flat weight vector to evaluate at instead of the model's own (which stay unchanged).
        """
        self._require_compiled("loss_and_gradient")
        X, Y = self.prepare_data(x, y)
        with self._weights_set_to(weights):
            losses, y_hat = self.loss_of_batch(X, Y, training=training)
            self.backward(self.objective.backward(self.layers[-1], Y, y_hat))
        return float(np.mean(losses)), self.weight_store.gradients.copy()

    def loss_at(self, weights, x, y):
        """J(W) on (x, y) at the flat weight vector ``weights`` (the model's own weights stay unchanged)."""
        self._require_compiled("loss_at")
        X, Y = self.prepare_data(x, y)
        with self._weights_set_to(weights):
            return self._evaluate_arrays(X, Y)["loss"]

    @contextlib.contextmanager
    def _weights_set_to(self, weights):
        saved = None if weights is None else self.get_flat_weights()
        try:
            if weights is not None:
                self.set_flat_weights(weights)
            with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
                yield
        finally:
            if saved is not None:
                self.weight_store.values[...] = saved

    # ---------------------------------------------------------------- training
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, seed=None):
        """Train for ``epochs`` passes over the data in mini-batches of ``batch_size`` (default 32).

        Parameters
        ----------
        x, y : arrays
            Inputs (n_samples, n_features) and targets (labels for classification).
        batch_size : int, optional
            Samples per gradient step; one epoch takes ceil(n / batch_size) iterations.
        epochs : int
            Passes over the whole training set.
        verbose : "auto", 0, 1 or 2
            0 silent, 1 (= "auto") a progress bar, 2 one line per epoch.
        callbacks : list of Callback
            E.g. ``[EarlyStopping(patience=5)]``.
        validation_split : float in [0, 1)
            Fraction of the data (the last rows, before shuffling, as Keras) held out for validation.
        validation_data : (x_val, y_val), optional
            Held-out data; overrides ``validation_split``.
        shuffle : bool
            Shuffle the training rows before each epoch.
        seed : int, optional
            Seed for shuffling and dropout in this call; by default the model's generator continues.

        Returns
        -------
        History
            ``history.history["loss"]``, ``["accuracy"]``, ``["val_loss"]``, ... one value per epoch. If the
            loss becomes NaN or infinite, training stops, says so, and ``history.diverged`` is True.
        """
        self._require_compiled("fit")
        self._auto_built = False          # trained weights are never silently re-drawn by add()
        batch_size, epochs, verbose = fitting.check_fit_arguments(batch_size, epochs, verbose, shuffle)
        X, Y, X_val, Y_val = self._training_data(x, y, validation_data, validation_split)
        rng = self._generator_for_fit(seed)
        history = History()
        callbacks = fitting.CallbackList(history, callbacks, epochs, verbose, self)
        callbacks.on_train_begin()
        self.stop_training, self.stop_reason = False, None
        with fitting.training_numerics(self._multiply_adds_per_batch(min(batch_size, len(X)))):
            for epoch in range(epochs):
                callbacks.on_epoch_begin(epoch)
                logs = self._train_epoch(X, Y, batch_size, rng if shuffle else None, epoch, history)
                logs.update(self._validation_logs(X_val, Y_val, history))
                callbacks.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        callbacks.on_train_end()
        return self._end_of_training(history, verbose)

    def _train_epoch(self, X, Y, batch_size, rng, epoch, history):
        """One pass over the training rows, one ``train_step`` per mini-batch; the epoch's mean loss (and accuracy)."""
        loss_sum, correct = 0.0, 0
        for batch, (x_batch, y_batch) in enumerate(fitting.minibatches(X, Y, batch_size, rng)):
            losses, y_hat = self.train_step(x_batch, y_batch)
            batch_loss = float(losses.sum())
            if not np.isfinite(batch_loss):
                loss_sum = batch_loss
                self._diverged(history, epoch, batch)
                break
            loss_sum += batch_loss
            if self.metrics:
                correct += metrics_module.count_correct(y_hat, y_batch, self.loss.from_logits)
        logs = {"loss": loss_sum / len(X)}
        if self.metrics:
            logs["accuracy"] = correct / len(X)
        return logs

    def _validation_logs(self, X_val, Y_val, history):
        """val_loss (and val_accuracy) after an epoch (none once the training loss has diverged)."""
        if X_val is None or history.diverged:
            return {}
        return {f"val_{k}": v for k, v in self._evaluate_arrays(X_val, Y_val).items()}

    def _generator_for_fit(self, seed):
        """The generator that shuffles and drops out in this ``fit`` (the model's, or a fresh one from ``seed``)."""
        rng = self.rng if seed is None else make_rng(seed)
        for layer in self.layers:
            if getattr(layer, "seed", None) is None:
                layer.rng = rng
        return rng

    def _multiply_adds_per_batch(self, rows):
        return rows * sum(layer.params[0].size for layer in self.layers if layer.params)

    def _diverged(self, history, epoch, batch):
        history.diverged = True
        history.stop_reason = fitting.divergence_message(epoch, batch, self.optimizer.learning_rate)
        self.stop_training = True

    def _end_of_training(self, history, verbose):
        if history.stop_reason is None:
            history.stop_reason = self.stop_reason
        else:
            self.stop_reason = history.stop_reason
        if history.diverged and verbose:
            print(history.stop_reason)
        note = fitting.nan_validation_message(history)
        if note is not None:
            warnings.warn(note, RuntimeWarning, stacklevel=fitting.stacklevel_of_caller())
        return history

    # ---------------------------------------------------------------- inference
    def _evaluate_arrays(self, X, Y, batch_size=None):
        loss_sum, correct = 0.0, 0
        step = len(X) if batch_size is None else batch_size
        for start in range(0, len(X), step):
            yb = Y[start:start + step]
            losses, y_hat = self.loss_of_batch(X[start:start + step], yb)
            loss_sum += float(losses.sum())
            if self.metrics:
                correct += metrics_module.count_correct(y_hat, yb, self.loss.from_logits)
        result = {"loss": loss_sum / len(X)}
        if self.metrics:
            result["accuracy"] = correct / len(X)
        return result

    def evaluate(self, x, y, batch_size=None, verbose=0, return_dict=False):
        """The loss J(W) (and metrics) on (x, y), without dropout.

        Returns the loss alone when no metrics were compiled, otherwise ``[loss, accuracy]``
        (a dict with ``return_dict=True``), as Keras does.
        """
        self._require_compiled("evaluate")
        if batch_size is not None:
            batch_size = check_number(batch_size, "batch_size", low=1, integer=True)
        X, Y = self.prepare_data(x, y)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            result = self._evaluate_arrays(X, Y, batch_size)
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in result.items()))
        if return_dict:
            return result
        return result["loss"] if len(result) == 1 else list(result.values())

    def predict(self, x, batch_size=None, verbose=0):
        """The network's outputs ŷ for inputs x (n_samples, n_features), without dropout."""
        X = fitting.check_inputs(x, "x", self.dtype, self.input_dim if self.built else None)
        if not self.built:
            self.build(X.shape[1])
        if batch_size is None:
            return self.forward(X).copy()
        batch_size = check_number(batch_size, "batch_size", low=1, integer=True)
        return np.concatenate([self.forward(X[s:s + batch_size]).copy() for s in range(0, len(X), batch_size)])

    __call__ = predict

    # ---------------------------------------------------------------- display
    def summary(self, print_fn=print):
        """Print the layers, their output shapes and parameter counts, like Keras' ``summary()``."""
        rows = [("Layer (type)", "Output Shape", "Param #")]
        for layer in self.layers:
            shape = f"(None, {layer.output_dim})" if self.built else "(None, ?)"
            params = str(layer.count_params()) if self.built else "?"
            rows.append((f"{layer.name} ({type(layer).__name__})", shape, params))
        widths = [max(len(r[i]) for r in rows) + 3 for i in range(3)]
        line = "=" * sum(widths)
        lines = [f'Model: "{self.name}"', "".join(c.ljust(w) for c, w in zip(rows[0], widths)).rstrip(), line]
        lines += ["".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows[1:]]
        total = self.count_params() if self.built else "? (not built yet)"
        lines += [line, f"Total params: {total}", f"Trainable params: {total}"]
        print_fn("\n".join(lines))

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}])"
