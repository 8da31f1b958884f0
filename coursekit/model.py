"""``Sequential``: layers stacked into a network, trained the way the lecture describes.

    model = Sequential([Dense(4, activation="sigmoid"), Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=Adam(learning_rate=0.01), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=50, batch_size=32, validation_split=0.2)

``fit`` is the lecture's training procedure: for each epoch, for each mini-batch, process the input
through the network, compute the loss, propagate gradients back, and update the weights.

All weights live in one flat vector (``get_flat_weights`` / ``set_flat_weights``): each layer's ``W`` and
``b`` are views into it, and the gradients likewise, so an optimizer updates the whole network in a few
vectorised operations, and gradient checks and loss landscapes read and write a single vector.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from . import blas
from . import losses as losses_module
from . import optimizers as optimizers_module
from ._validation import check_array, check_choice, check_dtype, check_number, make_rng, short_repr
from .callbacks import Callback, History, ProgressBar
from .layers import check_layer

METRICS = ("accuracy",)


def _check_scale(X, name, dtype):
    """Inputs beyond what the model's dtype holds, or so large that training is hopeless, get a hint now
    (rather than an overflow, and the learning rate blamed, later)."""
    biggest = float(np.max(np.abs(X))) if X.size else 0.0
    limit = float(np.finfo(dtype).max)
    if biggest > limit:
        raise ValueError(f"{name} holds values up to {biggest:.3g}, beyond what {np.dtype(dtype).name} can hold "
                         f"({limit:.3g}): scale the inputs first, e.g. standardise each column, "
                         f"({name} - {name}.mean(axis=0)) / {name}.std(axis=0)")
    if biggest > 1e15:
        warnings.warn(f"{name} holds values up to {biggest:.3g}: networks train on inputs of order 1; scale them "
                      f"first, e.g. ({name} - {name}.mean(axis=0)) / {name}.std(axis=0)", stacklevel=4)


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
        self.metrics = []
        self.stop_training = False
        self._stop_reason = None
        self._params = self._grads = None
        self._auto_built = False
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"layers must be a list of layers, e.g. Sequential([{type(layers).__name__}(...)]); "
                            f"received a single {type(layers).__name__} object")
        for layer in layers or []:
            self.add(layer)

    @property
    def stop_reason(self):
        """Why the last ``fit`` ended before its last epoch (early stopping, divergence), or ``None``."""
        return self._stop_reason

    # ---------------------------------------------------------------- structure
    def add(self, layer):
        """Append a layer.

        As in Keras, a first layer given ``input_shape=`` builds the model at once (so its weights
        exist before ``fit``); adding a layer to such a model, before any training, builds it again.
        """
        check_layer(layer)
        owner = getattr(layer, "_model", None)
        if owner is not None and owner is not self:
            raise ValueError(f"this {type(layer).__name__} layer already belongs to another model (its weights live "
                             f"there, and a second model would silently take them over): create a new "
                             f"{type(layer).__name__}(...) for each model")
        if any(other is layer for other in self.layers):
            raise ValueError(f"this {type(layer).__name__} layer is in the model already: a layer appears once; "
                             f"create a new {type(layer).__name__}(...) for another place")
        layer._model = self
        if self.built and not self._auto_built:
            raise ValueError("cannot add layers to a model that is already built (its weights exist); "
                             "make a new Sequential with all layers instead")
        if layer.name is None:
            count = sum(type(other) is type(layer) for other in self.layers)
            layer.name = layer.kind if count == 0 else f"{layer.kind}_{count}"
        self.layers.append(layer)
        if getattr(self.layers[0], "requested_input_dim", None) is not None:
            self.build()
            self._auto_built = True
        return self

    def build(self, input_shape=None):
        """Create every weight for inputs of ``input_shape`` = (None, n_features), (n_features,) or n_features.

        Weights are drawn from the model's seed; ``fit`` calls this for you on first use.
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
        dim = input_dim
        shapes = []
        for layer in self.layers:
            dim = layer.build(dim)
            shapes.append(layer.param_shapes())
        total = sum(int(np.prod(s)) for layer_shapes in shapes for s in layer_shapes)
        self._params = np.zeros(total, dtype=self.dtype)
        self._grads = np.zeros(total, dtype=self.dtype)
        offset = 0
        for index, (layer, layer_shapes) in enumerate(zip(self.layers, shapes)):
            params, grads = [], []
            for shape in layer_shapes:
                size = int(np.prod(shape))
                params.append(self._params[offset:offset + size].reshape(shape))
                grads.append(self._grads[offset:offset + size].reshape(shape))
                offset += size
            layer.bind(params, grads)
            layer.is_first = index == 0
            if getattr(layer, "seed", None) is None:
                layer.rng = self.rng
            layer.initialize(self.rng)
        self.input_dim, self.output_dim = input_dim, dim
        self.built = True
        self._auto_built = False
        if self.optimizer is not None:
            self.optimizer.build(total, self.dtype)
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
        return self._params.copy()

    def set_flat_weights(self, vector):
        """Set all weights from one vector of length ``count_params()``."""
        self._require_built("set_flat_weights")
        vector = check_array(vector, "vector", ndim=1)
        if vector.shape != self._params.shape:
            raise ValueError(f"vector must have {self._params.size} entries (count_params()); "
                             f"received {vector.size}")
        self._params[...] = vector

    def count_params(self) -> int:
        self._require_built("count_params")
        return int(self._params.size)

    def save_weights(self, path):
        """Save the weights to a ``.npz`` file; ``load_weights`` restores them exactly."""
        path = Path(path)
        if path.suffix != ".npz":
            raise ValueError(f"save_weights writes numpy .npz files; received path={str(path)!r} "
                             f"(use e.g. 'model.weights.npz')")
        np.savez(path, *self.get_weights())

    def load_weights(self, path):
        """Load weights saved by ``save_weights`` into this (identically built) model."""
        path = Path(path)
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError(f"load_weights reads the .npz files that save_weights writes; {str(path)!r} holds a "
                             f"single array (a .npy file). Save with model.save_weights('model.weights.npz')")
        with data:
            expected = [f"arr_{i}" for i in range(len(data.files))]
            if sorted(data.files) != sorted(expected):
                raise ValueError(f"{str(path)!r} was not written by save_weights: its arrays are named "
                                 f"{', '.join(sorted(data.files)[:6])} instead of arr_0, arr_1, ...; build the "
                                 f"list of arrays yourself and call model.set_weights(list_of_arrays)")
            self.set_weights([data[name] for name in expected])

    # ---------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose how to train: the optimizer, the loss J(W), and metrics to report ("accuracy").

        Names follow Keras ("adam", "sgd", "binary_crossentropy", "mse", ...); objects work too.
        """
        optimizer = optimizers_module.get(optimizer)
        owner = getattr(optimizer, "_model", None)
        if owner is not None and owner is not self:
            raise ValueError(f"this {type(optimizer).__name__} optimizer already trains another model (it keeps "
                             f"state per weight of that model, which compiling this one would reset): give each "
                             f"model its own, e.g. compile(optimizer={type(optimizer).__name__}(learning_rate="
                             f"{optimizer.learning_rate:g}))")
        optimizer._model = self
        self.optimizer = optimizer
        self.loss = losses_module.get(loss)
        metrics = list(metrics or [])
        for metric in metrics:
            check_choice("accuracy" if metric == "acc" else metric, "metrics", METRICS)
        self.metrics = ["accuracy" if m == "acc" else m for m in metrics]
        if self.built:
            self.optimizer.build(self._params.size, self.dtype)
        return self

    def _require_compiled(self, what):
        if self.loss is None:
            raise ValueError(f"{what} needs a compiled model: call model.compile(optimizer='adam', "
                             f"loss='binary_crossentropy') first")

    @property
    def _fused(self):
        """True when the last layer's activation and the loss are computed together from the logits z."""
        last = self.layers[-1]
        act = getattr(last, "activation", None)
        return (not self.loss.from_logits and self.loss.fuses_with is not None and act is not None
                and act.name == self.loss.fuses_with and hasattr(last, "backward_z") and hasattr(last, "forward_z"))

    # ---------------------------------------------------------------- data
    def _prepare_x(self, x, name="x"):
        X = check_array(x, name)
        if X.ndim != 2:
            hint = (f"; for one sample use {name}.reshape(1, -1), for one feature {name}.reshape(-1, 1)"
                    if X.ndim == 1 else
                    f"; to feed images or other grids to Dense layers, flatten each sample: "
                    f"{name}.reshape(len({name}), -1)" if X.ndim > 2 else "")
            raise ValueError(f"{name} must have shape (n_samples, n_features); received shape {X.shape}{hint}")
        if len(X) == 0:
            raise ValueError(f"{name} is empty (shape {X.shape}): there is nothing to train on or predict")
        if X.shape[1] == 0:
            raise ValueError(f"{name} has no features (shape {X.shape}): each sample needs at least one column")
        _check_scale(X, name, self.dtype)
        if self.built and X.shape[1] != self.input_dim:
            raise ValueError(f"{name} has {X.shape[1]} features per sample but the model was built for "
                             f"{self.input_dim} (input_shape=({self.input_dim},))")
        return X.astype(self.dtype, copy=False)

    def _prepare_xy(self, x, y, x_name="x", y_name="y"):
        X = self._prepare_x(x, x_name)
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

    # ---------------------------------------------------------------- computation
    def _forward(self, X, training=False):
        for layer in self.layers:
            X = layer.forward(X, training=training)
        return X

    def _loss_and_backward(self, X, Y, training=True):
        """Forward and backward on one batch: per-sample losses, the output, gradient in ``self._grads``."""
        layers = self.layers
        if self._fused:
            # The loss applies the last activation itself: one exponential gives ŷ, the loss and dJ/dz.
            *hidden, last = layers
            for layer in hidden:
                X = layer.forward(X, training=training)
            per_sample, grad_z, last.a = self.loss.fused_from_logits(Y, last.forward_z(X))
            out = last.a
            grad = last.backward_z(grad_z)
            layers = hidden
        else:
            out = self._forward(X, training=training)
            per_sample = self.loss._per_sample(Y, out)
            grad = self.loss._gradient(Y, out)
        for layer in reversed(layers):
            grad = layer.backward(grad)
        return per_sample, out

    def _correct(self, out, Y):
        """Number of correct predictions in a batch (binary: threshold 0.5, or 0 for logits; else argmax)."""
        if out.shape[1] == 1:
            threshold = 0.0 if self.loss.from_logits else 0.5
            return int(np.count_nonzero((out[:, 0] > threshold) == (Y[:, 0] > 0.5)))
        return int(np.count_nonzero(out.argmax(axis=1) == Y.argmax(axis=1)))

    def loss_and_gradient(self, x, y, training=False):
        """J(W) on (x, y) and its gradient dJ/dW as one flat vector (dropout off unless ``training``)."""
        self._require_compiled("loss_and_gradient")
        X, Y = self._prepare_xy(x, y)
        per_sample, _ = self._loss_and_backward(X, Y, training=training)
        return float(np.mean(per_sample)), self._grads.copy()

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
        if x is None or y is None:
            raise ValueError("fit needs training data: model.fit(x, y, epochs=...)")
        batch_size = 32 if batch_size is None else check_number(batch_size, "batch_size", low=1, integer=True)
        epochs = check_number(epochs, "epochs", low=0, integer=True)
        if verbose == "auto":
            verbose = 1
        check_choice(str(verbose), "verbose", ("0", "1", "2"))
        validation_split = check_number(validation_split, "validation_split", low=0, high=1, high_inclusive=False)
        X, Y = self._prepare_xy(x, y)
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("validation_data must be a pair (x_val, y_val)")
            X_val, Y_val = self._prepare_xy(*validation_data, x_name="x_val", y_name="y_val")
        elif validation_split > 0:
            n_val = int(len(X) * validation_split)
            if n_val == 0 or n_val == len(X):
                raise ValueError(f"validation_split={validation_split} leaves {n_val} of {len(X)} samples for "
                                 f"validation; choose a split that keeps samples on both sides")
            X, X_val, Y, Y_val = X[:-n_val], X[-n_val:], Y[:-n_val], Y[-n_val:]
        else:
            X_val = Y_val = None
        rng = self.rng if seed is None else make_rng(seed)
        for layer in self.layers:
            if getattr(layer, "seed", None) is None:
                layer.rng = rng

        history = History()
        if isinstance(callbacks, Callback):
            raise TypeError(f"callbacks must be a list, e.g. callbacks=[{type(callbacks).__name__}(...)]; "
                            f"received a single {type(callbacks).__name__} object")
        if not isinstance(shuffle, bool):
            raise TypeError(f"shuffle must be True or False; received shuffle={shuffle!r}")
        callbacks = list(callbacks or [])
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be coursekit Callback objects such as EarlyStopping(); "
                                f"received {short_repr(cb)}")
        all_callbacks = [history] + callbacks + ([ProgressBar(epochs, verbose)] if verbose else [])
        for cb in all_callbacks:
            cb.set_model(self)
            cb.on_train_begin()
        self.stop_training, self._stop_reason = False, None
        n = len(X)
        work = min(batch_size, n) * sum(int(np.prod(shape)) for layer in self.layers
                                        for shape in layer.param_shapes()[:1])
        with np.errstate(over="ignore", invalid="ignore", under="ignore"), blas.limited(blas.threads_for(work)):
            for epoch in range(epochs):
                for cb in all_callbacks:
                    cb.on_epoch_begin(epoch)
                order = rng.permutation(n) if shuffle else None
                loss_sum, correct = 0.0, 0
                for batch, start in enumerate(range(0, n, batch_size)):
                    # each mini-batch gathers its rows of the shuffled order (a copy of the whole data set
                    # per epoch would cost more than the arithmetic for large data)
                    rows = slice(start, start + batch_size) if order is None else order[start:start + batch_size]
                    xb, yb = X[rows], Y[rows]
                    per_sample, out = self._loss_and_backward(xb, yb)
                    batch_loss = float(per_sample.sum())
                    if not np.isfinite(batch_loss):
                        loss_sum = batch_loss
                        self._diverged(history, epoch, batch)
                        break
                    self.optimizer.apply(self._params, self._grads)
                    loss_sum += batch_loss
                    if self.metrics:
                        correct += self._correct(out, yb)
                logs = {"loss": loss_sum / n}
                if self.metrics:
                    logs["accuracy"] = correct / n
                if X_val is not None and not history.diverged:
                    val = self._evaluate_arrays(X_val, Y_val)
                    logs.update({f"val_{k}": v for k, v in val.items()})
                for cb in all_callbacks:
                    cb.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        for cb in all_callbacks:
            cb.on_train_end()
        if history.stop_reason is None:
            history.stop_reason = self._stop_reason
        if history.diverged and verbose:
            print(history.stop_reason)
        return history

    def _diverged(self, history, epoch, batch):
        lr = self.optimizer.learning_rate
        history.diverged = True
        history.stop_reason = (f"Training stopped in epoch {epoch + 1}, batch {batch + 1}: the loss is no longer a "
                               f"finite number (it diverged). The learning rate ({lr:g}) is probably too large "
                               f"for this problem: try a smaller one, e.g. learning_rate={lr / 10:g}.")
        self.stop_training = True

    # ---------------------------------------------------------------- inference
    def _evaluate_arrays(self, X, Y, batch_size=None):
        loss_sum, correct = 0.0, 0
        step = len(X) if batch_size is None else batch_size
        for start in range(0, len(X), step):
            out = self._forward(X[start:start + step], training=False)
            yb = Y[start:start + step]
            if self._fused:
                loss_sum += float(self.loss.per_sample_from_logits(yb, self.layers[-1].z).sum())
            else:
                loss_sum += float(self.loss._per_sample(yb, out).sum())
            if self.metrics:
                correct += self._correct(out, yb)
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
        X, Y = self._prepare_xy(x, y)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            result = self._evaluate_arrays(X, Y, batch_size)
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in result.items()))
        if return_dict:
            return result
        return result["loss"] if len(result) == 1 else list(result.values())

    def predict(self, x, batch_size=None, verbose=0):
        """The network's outputs ŷ for inputs x (n_samples, n_features), without dropout."""
        X = self._prepare_x(x)
        if not self.built:
            self.build(X.shape[1])
        if batch_size is None:
            return self._forward(X, training=False).copy()
        batch_size = check_number(batch_size, "batch_size", low=1, integer=True)
        return np.concatenate([self._forward(X[s:s + batch_size]).copy() for s in range(0, len(X), batch_size)])

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
