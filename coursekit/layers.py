r"""Layers: the perceptron stacked into Dense layers, plus Activation and Dropout.

A Dense layer computes, for a whole mini-batch X of shape (n, n_in) at once,

    z = X W + b        (the slide's z_j = w_{0,j} + sum_i x_i w_{i,j}; W is (n_in, n_out), b is w_0)
    a = g(z)

and its backward pass, given dJ/da, applies the chain rule:

    dJ/dz = dJ/da * g'(z)      dJ/dW = X^T dJ/dz      dJ/db = sum over samples of dJ/dz
    dJ/dX = dJ/dz W^T          (handed to the layer before)

Parameters are not owned by the layer: :class:`~coursekit.model.Sequential` keeps every weight in one
flat array and gives each layer *views* into it (``W``, ``b``) and into the flat gradient (``dW``, ``db``).
"""

from __future__ import annotations

import numpy as np

from . import activations
from ._validation import check_choice, check_number, short_repr


def _glorot_uniform(rng, n_in, n_out):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def _glorot_normal(rng, n_in, n_out):
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))


def _he_normal(rng, n_in, n_out):
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


def _he_uniform(rng, n_in, n_out):
    limit = np.sqrt(6.0 / n_in)
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def _normal(rng, n_in, n_out):
    return rng.normal(0.0, 0.05, size=(n_in, n_out))


#: Weight initializers. "normal" is the lecture's N(0, sigma^2) with sigma = 0.05 (Keras' RandomNormal);
#: Glorot/He scale sigma with the layer size so that deep stacks neither vanish nor explode.
INITIALIZERS = {
    "glorot_uniform": _glorot_uniform,
    "glorot_normal": _glorot_normal,
    "he_normal": _he_normal,
    "he_uniform": _he_uniform,
    "normal": _normal,
    "zeros": lambda rng, n_in, n_out: np.zeros((n_in, n_out)),
}


class Layer:
    """Base class. A layer maps (n, n_in) to (n, n_out) and passes gradients back.

    Subclasses with parameters list their shapes in :meth:`param_shapes`; the model allocates them and
    calls :meth:`bind` with views into its flat parameter and gradient vectors.
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

    def build(self, input_dim: int) -> int:
        """Fix the input size; return the output size."""
        self.input_dim = self.output_dim = input_dim
        return self.output_dim

    def param_shapes(self):
        return []

    def bind(self, params, grads):
        self.params, self.grads = list(params), list(grads)

    def initialize(self, rng):
        """Draw initial parameter values into the bound views."""

    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, grad_output):
        raise NotImplementedError

    def count_params(self) -> int:
        return int(sum(np.prod(s) for s in self.param_shapes()))

    def __call__(self, x, training=False):
        """``layer(x, training=...)`` as in Keras: the forward pass, also outside a model.

        A layer used on its own builds itself for ``x``'s width on first call (weights from its ``seed``,
        else a fresh random generator).
        """
        x = np.asarray(x, dtype=float) if not isinstance(x, np.ndarray) else x
        if x.ndim != 2:
            raise ValueError(f"a layer takes x of shape (n_samples, n_features); received shape {x.shape}")
        if self.input_dim is None or self.rng is None:
            self._build_alone(x.shape[1])
        return self.forward(x, training=training)

    def _build_alone(self, input_dim):
        if self.input_dim is None:
            self.build(input_dim)
            shapes = self.param_shapes()
            self.bind([np.zeros(s) for s in shapes], [np.zeros(s) for s in shapes])
            self._standalone = True
        if self.rng is None:
            self.rng = np.random.default_rng(getattr(self, "seed", None))
        if getattr(self, "_standalone", False) and not getattr(self, "_initialized_alone", False):
            self.initialize(self.rng)
            self._initialized_alone = True

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

    @property
    def W(self):
        return self.params[0]

    @property
    def b(self):
        return self.params[1]

    @property
    def dW(self):
        return self.grads[0]

    @property
    def db(self):
        return self.grads[1]

    def build(self, input_dim):
        self.input_dim, self.output_dim = input_dim, self.units
        return self.units

    def param_shapes(self):
        return [(self.input_dim, self.units), (self.units,)]

    def initialize(self, rng):
        self.W[...] = INITIALIZERS[self.kernel_initializer](rng, self.input_dim, self.units)
        self.b[...] = 0

    def forward(self, x, training=False):
        self.a = self.activation.function(self.forward_z(x))
        return self.a

    def forward_z(self, x):
        """z = X W + b alone (training hands the last layer's z to a loss that applies g itself)."""
        self.x = x
        self.z = x @ self.W
        self.z += self.b                  # the bias added in place (no second (n, n_out) array)
        return self.z

    def backward(self, grad_output):
        """dJ/da -> dJ/dX, storing dJ/dW and dJ/db in the model's flat gradient."""
        if self.activation.name == "softmax":
            grad_z = activations.softmax_backward(self.a, grad_output)
        elif self.activation.name == "linear":
            grad_z = grad_output
        elif self.activation.name == "relu":
            grad_z = grad_output * (self.a > 0)      # g'(z) = 1 where z > 0, else 0: a mask, no float copy
        else:
            grad_z = grad_output * self.activation.derivative_from_output(self.a)
        return self.backward_z(grad_z)

    def backward_z(self, grad_z):
        """dJ/dz -> dJ/dX (the chain rule through z = X W + b)."""
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
        if self.activation.name == "softmax":
            return activations.softmax_backward(self.a, grad_output)
        return grad_output * self.activation.derivative_from_output(self.a)

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
    if not isinstance(layer, Layer):
        raise TypeError(f"layers must be coursekit layers such as Dense(4, activation='relu'); "
                        f"received {short_repr(layer)}")
    return layer
