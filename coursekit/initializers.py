r"""Weight initializers: step 1 of the lecture's algorithm, "initialize weights randomly ~ N(0, sigma^2)".

"normal" is the lecture's N(0, sigma^2) with sigma = 0.05 (Keras' RandomNormal); Glorot and He scale
sigma with the layer's size, so that deep stacks neither vanish nor explode. For a weight of shape
(n_in, n_out):

================ ==============================================
glorot_uniform   U(-l, l), l = sqrt(6 / (n_in + n_out))  (Keras' default)
glorot_normal    N(0, 2 / (n_in + n_out))
he_uniform       U(-l, l), l = sqrt(6 / n_in)
he_normal        N(0, 2 / n_in)
normal           N(0, 0.05^2)
zeros            0 (biases start here)
================ ==============================================
"""

from __future__ import annotations

import numpy as np

from ._validation import lookup


def glorot_uniform(rng, shape):
    limit = np.sqrt(6.0 / (shape[0] + shape[-1]))
    return rng.uniform(-limit, limit, size=shape)


def glorot_normal(rng, shape):
    return rng.normal(0.0, np.sqrt(2.0 / (shape[0] + shape[-1])), size=shape)


def he_normal(rng, shape):
    return rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


def he_uniform(rng, shape):
    limit = np.sqrt(6.0 / shape[0])
    return rng.uniform(-limit, limit, size=shape)


def normal(rng, shape):
    return rng.normal(0.0, 0.05, size=shape)


def zeros(rng, shape):
    return np.zeros(shape)


#: Every initializer by its Keras name.
INITIALIZERS = {"glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal, "he_normal": he_normal,
                "he_uniform": he_uniform, "normal": normal, "zeros": zeros}


def initialize(initializer, rng, shape):
    """Initial values of ``shape`` from an initializer name (or a function ``f(rng, shape)``)."""
    function = initializer if callable(initializer) else lookup(INITIALIZERS, initializer, "initializer")
    return function(rng, shape)
