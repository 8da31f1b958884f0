r"""Losses: how far a prediction ŷ is from the truth y, and the empirical loss J(W).

The lecture's empirical loss is the mean of the per-sample losses over the data set:

    J(W) = 1/n * sum_i L(f(x_i; W), y_i)

Every loss object here is called as ``loss(y_true, y_pred)`` and returns J(W);
``loss.per_sample(y_true, y_pred)`` returns the n values L_i, and ``loss.gradient(y_true, y_pred)``
returns dJ/dŷ (already divided by n), which is where backpropagation starts. Inside training, where the
targets are checked once per ``fit``, the same two are ``loss.forward(y, ŷ)`` and ``loss.backward(y, ŷ)``.

Binary cross-entropy and categorical cross-entropy can also take logits z (``from_logits=True``),
which is both faster and exact: a model whose last layer is ``Dense(1, activation="sigmoid")``
trained with binary cross-entropy uses this path automatically (as Keras does), so
dJ/dz = (ŷ - y) / n needs no division by a tiny ŷ.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_array, lookup, short_repr
from .activations import ACTIVATIONS, sigmoid, softmax

EPSILON = 1e-7   # Keras' clip for probabilities: log(0) never happens


def binary_crossentropy_from_logits(y, z):
    """L(z, y) element by element with ŷ = sigmoid(z): max(z, 0) - z y + log(1 + e^{-|z|}), stable for any z.

    The one copy of this formula: the losses, the loss landscapes and the explorers all use it.
    """
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


class Loss:
    """Base class: ``forward`` (the L_i) and ``backward`` (dJ/dŷ) define a loss; J is the mean of the L_i."""

    name = "loss"
    #: the output activation whose logits this loss can consume directly (fused, exact gradient)
    fuses_with = None
    from_logits = False

    def __call__(self, y_true, y_pred):
        """The empirical loss J(W) = mean of the per-sample losses."""
        predictions = np.asarray(y_pred, dtype=float) if not isinstance(y_pred, np.ndarray) else y_pred
        if predictions.dtype.kind in "fc" and not np.all(np.isfinite(predictions)):
            bad = int(np.sum(~np.isfinite(predictions)))
            raise ValueError(f"y_pred holds {bad} value(s) that are NaN or infinite (of {predictions.size}): the "
                             f"model's outputs are not numbers. Training probably diverged (try a smaller learning "
                             f"rate), or the inputs contain NaN")
        return float(np.mean(self.per_sample(y_true, y_pred)))

    def prepare(self, y_true, y_pred):
        """Validate and reshape ``y_true`` to match ``y_pred``; return both as float arrays."""
        raise NotImplementedError

    def per_sample(self, y_true, y_pred):
        """The loss L_i of every sample, shape (n,)."""
        return self.forward(*self.prepare(y_true, y_pred))

    def gradient(self, y_true, y_pred):
        """dJ/dŷ, the gradient of the empirical loss (mean) with respect to the predictions."""
        return self.backward(*self.prepare(y_true, y_pred))

    # ``forward`` and ``backward`` take targets already checked and shaped by ``prepare``: the model
    # prepares all targets once per ``fit`` and calls these once per mini-batch.
    def forward(self, y, y_pred):
        """The per-sample losses L_i of prepared targets ``y``, shape (n,)."""
        raise NotImplementedError

    def backward(self, y, y_pred):
        """dJ/dŷ for prepared targets ``y`` (J the mean over the batch): where backpropagation starts."""
        raise NotImplementedError

    def __repr__(self):
        extra = ", from_logits=True" if self.from_logits else ""
        return f"{type(self).__name__}({extra.lstrip(', ')})"


def _as_column_targets(y_true, y_pred, loss_name):
    """Targets for element-wise losses: (n,) becomes (n, 1) when the prediction has one column."""
    y_pred = np.asarray(y_pred)
    y = check_array(y_true, "y", ndim=(1, 2))
    if y.ndim == 1 and y_pred.ndim == 2:
        y = y[:, None]
    if y.shape != y_pred.shape:
        raise ValueError(f"{loss_name}: y has shape {y.shape} but the predictions have shape {y_pred.shape}; "
                         f"give one target per output (y of shape {y_pred.shape})")
    return y.astype(y_pred.dtype if y_pred.dtype.kind == "f" else float, copy=False), y_pred


class BinaryCrossentropy(Loss):
    r"""Binary cross-entropy for a probability ŷ in (0, 1) that y = 1.

    L(ŷ, y) = -[ y log ŷ + (1 - y) log(1 - ŷ) ]

    With ``from_logits=True`` the model outputs z and ŷ = sigmoid(z); the loss is then computed as
    max(z, 0) - z y + log(1 + e^{-|z|}), which never overflows. Labels must lie in [0, 1].
    """

    name = "binary_crossentropy"
    fuses_with = ACTIVATIONS["sigmoid"]

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)

    def prepare(self, y_true, y_pred):
        y, y_pred = _as_column_targets(y_true, y_pred, self.name)
        if y.size and (y.min() < 0 or y.max() > 1):
            bad = y[(y < 0) | (y > 1)].flat[0]
            raise ValueError(f"binary_crossentropy needs labels y in [0, 1] (e.g. 0 = fail, 1 = pass); "
                             f"received a label {bad:g}. For more than two classes use "
                             f"sparse_categorical_crossentropy with a softmax output layer")
        return y, y_pred

    def forward(self, y, out):
        if self.from_logits:
            return self.per_sample_from_logits(y, out)
        p = np.clip(out, EPSILON, 1 - EPSILON)
        return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)), axis=-1)

    def backward(self, y, out):
        if self.from_logits:
            return self.backward_from_logits(y, sigmoid(out))
        p = np.clip(out, EPSILON, 1 - EPSILON)
        return (p - y) / (p * (1 - p)) / y.size

    @staticmethod
    def per_sample_from_logits(y, z):
        """L(z, y) with ŷ = sigmoid(z), averaged over the outputs (stable for any z)."""
        return np.mean(binary_crossentropy_from_logits(y, z), axis=-1)

    def forward_from_logits(self, y, z):
        """(L_i, ŷ) from the logits z, ŷ = sigmoid(z)."""
        return self.per_sample_from_logits(y, z), sigmoid(z)

    @staticmethod
    def backward_from_logits(y, y_hat):
        """dJ/dz = (ŷ - y) / (n * outputs), the sigmoid's derivative and the loss's cancelled out."""
        return (y_hat - y) / y.size


class MeanSquaredError(Loss):
    r"""Mean squared error for regression outputs: L(ŷ, y) = (y - ŷ)^2 (mean over outputs)."""

    name = "mean_squared_error"

    def prepare(self, y_true, y_pred):
        return _as_column_targets(y_true, y_pred, self.name)

    def forward(self, y, y_hat):
        return np.mean((y - y_hat) ** 2, axis=-1)

    def backward(self, y, y_hat):
        return 2 * (y_hat - y) / y.size


class CategoricalCrossentropy(Loss):
    r"""Softmax (categorical) cross-entropy: L(ŷ, y) = -sum_k y_k log ŷ_k.

    ``y`` may be one-hot rows of shape (n, K) or integer class labels of shape (n,) — both are
    accepted (Keras splits them into ``categorical_`` and ``sparse_categorical_crossentropy``; both
    names work here). With ``from_logits=True`` the model outputs z and ŷ = softmax(z), computed as
    log-sum-exp, never overflowing.
    """

    name = "categorical_crossentropy"
    fuses_with = ACTIVATIONS["softmax"]

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)

    def prepare(self, y_true, y_pred):
        out = np.asarray(y_pred)
        if out.ndim != 2 or out.shape[1] < 2:
            raise ValueError(f"{self.name} needs one output per class, shape (n_samples, n_classes >= 2); "
                             f"received predictions of shape {out.shape}. For two classes with one output "
                             f"use binary_crossentropy")
        n_classes = out.shape[1]
        y = check_array(y_true, "y", ndim=(1, 2))
        if y.ndim == 1:
            labels = y
            if labels.size and (np.any(labels != np.round(labels)) or labels.min() < 0 or labels.max() >= n_classes):
                raise ValueError(f"{self.name}: integer labels y must be in 0..{n_classes - 1} "
                                 f"(one per output unit); received labels from {labels.min():g} to {labels.max():g}")
            one_hot = np.zeros(out.shape, dtype=out.dtype)
            one_hot[np.arange(len(labels)), labels.astype(np.intp)] = 1
            y = one_hot
        elif y.shape != out.shape:
            raise ValueError(f"{self.name}: one-hot y has shape {y.shape} but the predictions have shape "
                             f"{out.shape}; give integer labels of shape ({out.shape[0]},) or one-hot rows")
        if len(y) != len(out):
            raise ValueError(f"{self.name}: y has {len(y)} rows but the predictions have {len(out)}")
        return y.astype(out.dtype, copy=False), out

    def forward(self, y, out):
        if self.from_logits:
            return self.per_sample_from_logits(y, out)
        p = np.clip(out, EPSILON, 1.0)
        return -np.sum(y * np.log(p), axis=-1)

    def backward(self, y, out):
        if self.from_logits:
            return self.backward_from_logits(y, softmax(out))
        p = np.clip(out, EPSILON, 1.0)
        return -y / p / len(y)

    @staticmethod
    def per_sample_from_logits(y, z):
        """-sum_k y_k log softmax(z)_k = logsumexp(z) - sum_k y_k z_k."""
        z_max = z.max(axis=-1, keepdims=True)
        log_sum_exp = np.log(np.sum(np.exp(z - z_max), axis=-1)) + z_max[:, 0]
        return log_sum_exp - np.sum(y * z, axis=-1)

    def forward_from_logits(self, y, z):
        """(L_i, ŷ) sharing one exponential: e = e^{z - max z}, ŷ = e / sum e, L = log sum e + max z - sum_k y_k z_k."""
        z_max = z.max(axis=-1, keepdims=True)
        e = np.exp(z - z_max)
        sum_e = e.sum(axis=-1, keepdims=True)
        per_sample = np.log(sum_e[:, 0]) + z_max[:, 0] - np.sum(y * z, axis=-1)
        return per_sample, np.divide(e, sum_e, out=e)             # ŷ = softmax(z)

    @staticmethod
    def backward_from_logits(y, y_hat):
        """dJ/dz = (ŷ - y) / n: softmax's Jacobian and the loss's derivative cancelled out."""
        return (y_hat - y) / len(y)


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy named for integer labels (Keras' name); one-hot rows work too."""

    name = "sparse_categorical_crossentropy"


_LOSSES = {
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}

NAMES = tuple(_LOSSES)


def get(loss) -> Loss:
    """A loss object from a Keras name ("binary_crossentropy", "mse", ...) or a :class:`Loss`."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, type) and issubclass(loss, Loss):
        return loss()
    if loss is None:
        raise ValueError("loss is missing: pass loss= to compile(), one of " + ", ".join(repr(n) for n in NAMES))
    if not isinstance(loss, str):
        raise TypeError(f"loss must be a name or a coursekit.losses.Loss; received {short_repr(loss)}")
    return lookup(_LOSSES, loss, "loss")()
