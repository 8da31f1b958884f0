r"""Layers: the perceptron stacked into Dense layers, plus Activation and Dropout.

A Dense layer computes, for a whole mini-batch X of shape (n, n_in) at once,

    z = X W + b        (the slide's z_j = w_{0,j} + sum_i x_i w_{i,j}; W is (n_in, n_out), b is w_0)
    a = g(z)

and its backward pass, given dJ/da, applies the chain rule:

    dJ/dz = dJ/da * g'(z)      dJ/dW = X^T dJ/dz      dJ/db = sum over samples of dJ/dz
    dJ/dX = dJ/dz W^T          (handed to the layer before)

A layer asks for its weights in ``build``, as in Keras (``self.W = self.add_weight(shape, initializer)``);
what it gets back is a *view* into its model's one flat weight vector (:mod:`coursekit.weights`), and its
gradients ``dW``, ``db`` are views into the flat gradient. Each activation brings its own backward pass
(:mod:`coursekit.activations`), so ``backward`` reads the same for every g.
"""

from __future__ import annotations

import numpy as np

from . import activations
from ._validation import check_choice, check_number, short_repr
from .initializers import INITIALIZERS
from .weights import WeightStore


class Layer:
    """Base class. A layer maps (n, n_in) to (n, n_out) and passes gradients back.

    A layer with weights asks for them in :meth:`build` with :meth:`add_weight`, which returns a view into
    its model's flat weight vector (see :mod:`coursekit.weights`); the matching gradient view lands in
    ``grads``. :meth:`forward` computes the output, :meth:`backward` turns dJ/d(output) into dJ/d(input).
    """

    kind = "layer"

    def __init__(self, name=None):
        self.name = name
        self.input_dim = None
        self.output_dim = None
        self.params = []     # views into the model's flat parameter vector
        self.grads = []      # views into the model's flat gradient vector
        self.rng = None
        self.is_first = False
        self.weight_store = None   # set by the model (or by the layer itself when called alone)
        self.model = None          # the Sequential this layer belongs to

    def build(self, input_dim: int) -> int:
        """Fix the input size and ask for the weights (:meth:`add_weight`); return the output size."""
        self.input_dim = self.output_dim = input_dim
        return self.output_dim

    def add_weight(self, shape, initializer="zeros"):
        """A new weight of ``shape``, drawn by ``initializer``: a view into the model's flat weight vector.

        Call it from :meth:`build`, e.g. ``self.W = self.add_weight((n_in, n_out), "glorot_uniform")``.
        """
        if self.weight_store is None:
            raise RuntimeError(f"{type(self).__name__}.add_weight is called from build(), which the model (or a "
                               f"first call layer(x)) runs")
        weight, gradient = self.weight_store.add(shape, initializer)
        self.params.append(weight)
        self.grads.append(gradient)
        return weight

    def param_shapes(self):
        """The shapes of this layer's weights, in the order of the flat vector."""
        return [p.shape for p in self.params]

    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, grad_output):
        """dJ/d(output) -> dJ/d(input), storing the gradients of this layer's weights on the way."""
        raise NotImplementedError

    def count_params(self) -> int:
        return int(sum(p.size for p in self.params))

    def __call__(self, x, training=False):
        """``layer(x, training=...)`` as in Keras: the forward pass, also outside a model.

        A layer used on its own builds itself for ``x``'s width on first call (weights from its ``seed``,
        else a fresh random generator).
        """
        x = np.asarray(x, dtype=float) if not isinstance(x, np.ndarray) else x
        if x.ndim != 2:
            raise ValueError(f"a layer takes x of shape (n_samples, n_features); received shape {x.shape}")
        if self.rng is None:
            self.rng = np.random.default_rng(getattr(self, "seed", None))
        if self.input_dim is None:
            WeightStore(np.float64, self.rng).build([self], x.shape[1])
        return self.forward(x, training=training)

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class Dense(Layer):
    """A fully connected layer: every input connects to every output, a = g(X W + b).

    Parameters
    ----------
    units : int
        Number of outputs (perceptrons) n_out.
    activation : str or None
        "sigmoid", "tanh", "relu", "softmax", "linear" or None (= linear), as in ``tf.keras``.
    kernel_initializer : str
        How W is drawn: "glorot_uniform" (Keras' default), "glorot_normal", "he_normal",
        "he_uniform", "normal" (the lecture's N(0, sigma^2), sigma = 0.05) or "zeros". b starts at 0.
    input_shape, input_dim : optional
        Keras-style: give the first layer its input size so the model is built at once.
    """

    kind = "dense"

    def __init__(self, units, activation=None, kernel_initializer="glorot_uniform", *, input_shape=None,
                 input_dim=None, name=None):
        super().__init__(name)
        self.units = check_number(units, "units", low=1, integer=True)
        self.activation = activations.get(activation)
        self.kernel_initializer = check_choice(kernel_initializer, "kernel_initializer", INITIALIZERS)
        if input_shape is not None:
            if isinstance(input_shape, (int, np.integer)):
                input_shape = (input_shape,)
            input_dim = tuple(input_shape)[-1]
        self.requested_input_dim = None if input_dim is None else check_number(input_dim, "input_dim", low=1,
                                                                               integer=True)
        self.x = self.z = self.a = None
        self.W = self.b = None

    @property
    def dW(self):
        """dJ/dW, written by :meth:`backward` (a view into the model's flat gradient)."""
        return self.grads[0]

    @property
    def db(self):
        """dJ/db, written by :meth:`backward`."""
        return self.grads[1]

    def build(self, input_dim):
        self.input_dim, self.output_dim = input_dim, self.units
        self.W = self.add_weight((input_dim, self.units), self.kernel_initializer)
        self.b = self.add_weight((self.units,), "zeros")
        return self.units

    def forward(self, x, training=False):
        """a = g(X W + b)."""
        self.a = self.activation.function(self.forward_z(x))
        return self.a

    def forward_z(self, x):
        """z = X W + b alone (the loss applies g itself when it computes from the logits z)."""
        self.x = x
        self.z = x @ self.W
        self.z += self.b                  # the bias added in place (no second (n, n_out) array)
        return self.z

    def backward(self, grad_output):
        """dJ/da -> dJ/dX: dJ/dz = g's backward (dJ/da * g'(z)), then through z = X W + b."""
        return self.backward_z(self.activation.backward(self.a, grad_output))

    def backward_z(self, grad_z):
        """dJ/dz -> dJ/dX, storing dJ/dW = X^T dJ/dz and dJ/db = sum of dJ/dz in the model's flat gradient."""
        np.matmul(self.x.T, grad_z, out=self.dW)
        np.sum(grad_z, axis=0, out=self.db)
        if self.is_first:
            return None          # nothing before the first layer needs dJ/dX
        return grad_z @ self.W.T

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation.name!r})"


class Activation(Layer):
    """Applies g element-wise (softmax: along each row); no parameters."""

    kind = "activation"

    def __init__(self, activation, name=None):
        super().__init__(name)
        self.activation = activations.get(activation)
        self.z = self.a = None

    def forward(self, x, training=False):
        self.a = self.activation.function(self.forward_z(x))
        return self.a

    def forward_z(self, x):
        self.z = x
        return x

    def backward(self, grad_output):
        return self.activation.backward(self.a, grad_output)

    def backward_z(self, grad_z):
        return grad_z

    def __repr__(self):
        return f"Activation({self.activation.name!r})"


class Dropout(Layer):
    """Dropout: during training, set each activation to 0 with probability ``rate``.

    "Inverted" scaling keeps the expected activation unchanged: the kept ones are multiplied by
    1 / (1 - rate), so nothing needs rescaling at inference, where the layer is the identity
    (``training=False``, used by ``predict`` and ``evaluate``). The lecture's ``Dropout(p=0.5)`` drops half.

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping each unit.
    seed : int, optional
        Seed of this layer's own random generator; by default the model's generator is used.
    """

    kind = "dropout"

    def __init__(self, rate, seed=None, name=None):
        super().__init__(name)
        self.rate = check_number(rate, "rate", what="Dropout rate", low=0, high=1, high_inclusive=False)
        self.seed = seed
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.mask = None

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.mask = None
            return x
        if self.rng is None:
            raise RuntimeError("Dropout has no random generator: add it to a Sequential model or give seed=")
        keep = self.rng.random(x.shape, dtype=x.dtype if x.dtype in (np.float32, np.float64) else np.float64)
        self.mask = (keep >= self.rate) / np.asarray(1 - self.rate, dtype=keep.dtype)
        return x * self.mask

    def backward(self, grad_output):
        return grad_output if self.mask is None else grad_output * self.mask

    def __repr__(self):
        return f"Dropout({self.rate:g})"


def check_layer(layer):
    """``layer`` if it is a coursekit layer, else a TypeError naming what was received."""
    if not isinstance(layer, Layer):
        raise TypeError(f"layers must be coursekit layers such as Dense(4, activation='relu'); "
                        f"received {short_repr(layer)}")
    return layer
