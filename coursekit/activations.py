r"""Activation functions g(z) and their derivatives g'(z), side by side as on the slides.

======== ================================ ==============================================
name     g(z)                             g'(z)
======== ================================ ==============================================
sigmoid  1 / (1 + e^{-z})                 g(z) (1 - g(z))
tanh     (e^z - e^{-z}) / (e^z + e^{-z})  1 - g(z)^2
relu     max(0, z)                        1 if z > 0 else 0
linear   z                                1
======== ================================ ==============================================

"All activation functions are non-linear" (the lecture) — except ``linear``, kept to show that
a network of linear layers only ever draws straight decision lines.

Each :class:`ActivationFunction` also carries ``derivative_from_output``: the same g'(z) written
with a = g(z), which is what backpropagation has at hand (the slide's g(z)(1 - g(z)) form).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._validation import lookup


def sigmoid(z):
    """g(z) = 1 / (1 + e^(-z)), computed without overflow for any z (also z = ±1000)."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))              # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))[()]   # [()]: a scalar in, a scalar out


def sigmoid_derivative(z):
    """g'(z) = g(z) (1 - g(z))."""
    g = sigmoid(z)
    return g * (1 - g)


def tanh(z):
    """g(z) = (e^z - e^(-z)) / (e^z + e^(-z))."""
    return np.tanh(z)


def tanh_derivative(z):
    """g'(z) = 1 - g(z)^2."""
    return 1 - np.tanh(z) ** 2


def relu(z):
    """g(z) = max(0, z)."""
    return np.maximum(z, 0)


def relu_derivative(z):
    """g'(z) = 1 if z > 0, otherwise 0 (also at z = 0, as in TensorFlow and PyTorch)."""
    z = np.asarray(z)
    return (z > 0).astype(z.dtype if z.dtype.kind == "f" else float)


def linear(z):
    """g(z) = z (no activation)."""
    return np.asarray(z)


def linear_derivative(z):
    """g'(z) = 1."""
    z = np.asarray(z)
    return np.ones_like(z, dtype=z.dtype if z.dtype.kind == "f" else float)


def softmax(z):
    """softmax(z)_k = e^{z_k} / sum_j e^{z_j} along the last axis (shifted by max z: no overflow)."""
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(a, grad_a):
    """Vector-Jacobian product of softmax: dJ/dz = a * (dJ/da - sum_k a_k dJ/da_k)."""
    return a * (grad_a - np.sum(a * grad_a, axis=-1, keepdims=True))


def _sigmoid_backward(a, grad_a):
    """dJ/dz = dJ/da * a (1 - a): the slide's g(z)(1 - g(z)), with a = g(z) at hand."""
    return grad_a * (a * (1 - a))


def _tanh_backward(a, grad_a):
    """dJ/dz = dJ/da * (1 - a^2)."""
    return grad_a * (1 - a * a)


def _relu_backward(a, grad_a):
    """dJ/dz = dJ/da where z > 0 (a > 0), else 0: a mask, no float copy of g'."""
    return grad_a * (a > 0)


def _linear_backward(a, grad_a):
    """dJ/dz = dJ/da (g' = 1)."""
    return grad_a


class ActivationFunction(NamedTuple):
    """An activation g with its derivative g'(z), the derivative written with a = g(z), and its backward.

    ``backward(a, grad_a)`` is the chain rule through g, dJ/dz from a = g(z) and dJ/da: element-wise
    dJ/da * g'(z) for sigmoid, tanh, relu and linear, the full Jacobian product for softmax. Layers call
    it and never look at the name.
    """

    name: str
    function: Callable
    derivative: Callable
    derivative_from_output: Callable
    backward: Callable
    #: g(z) written over z itself (no new array), for a z that is a fresh temporary (loss landscapes)
    in_place: Callable = None

    def __call__(self, z):
        return self.function(z)

    def overwrite(self, z):
        """g(z), written over ``z`` where g allows it (``z`` must be a temporary the caller owns)."""
        return self.function(z) if self.in_place is None else self.in_place(z)


#: The one registry of activations: each name with g, g', g' from the output, and the backward pass.
ACTIVATIONS = {
    "sigmoid": ActivationFunction("sigmoid", sigmoid, sigmoid_derivative, lambda a: a * (1 - a), _sigmoid_backward),
    "tanh": ActivationFunction("tanh", tanh, tanh_derivative, lambda a: 1 - a * a, _tanh_backward,
                               lambda z: np.tanh(z, out=z)),
    "relu": ActivationFunction("relu", relu, relu_derivative, lambda a: (a > 0).astype(a.dtype), _relu_backward,
                               lambda z: np.maximum(z, 0, out=z)),
    "linear": ActivationFunction("linear", linear, linear_derivative, lambda a: np.ones_like(a), _linear_backward,
                                 lambda z: z),
    # softmax has a full Jacobian, not an element-wise derivative: only its backward (a vector-Jacobian product).
    "softmax": ActivationFunction("softmax", softmax, None, None, softmax_backward),
}

NAMES = tuple(ACTIVATIONS)


def get(name) -> ActivationFunction:
    """Look an activation up by name ("sigmoid", "tanh", "relu", "linear", "softmax").

    ``None`` means linear, as in Keras; an :class:`ActivationFunction` is returned unchanged.
    """
    if name is None:
        return ACTIVATIONS["linear"]
    if isinstance(name, ActivationFunction):
        return name
    return lookup(ACTIVATIONS, name, "activation")
