"""The fast twin of :func:`coursekit.optimizers.adam_step`: the same Adam step, in place, no temporaries.

Private: read ``adam_step`` for the rule. Each line updates one array of the model's size without
allocating, and the constants stay Python floats, so float32 weights are updated in float32.
"""

from __future__ import annotations

import math

import numpy as np


def adam_update_in_place(w, g, m, v, work, t, learning_rate, beta_1, beta_2, epsilon):
    """Update ``w``, ``m`` and ``v`` in place by step ``t`` of Adam (``work``: scratch of w's size)."""
    m *= beta_1                                                  # m <- beta_1 m + (1 - beta_1) g
    m += np.multiply(g, 1 - beta_1, out=work)
    v *= beta_2                                                  # v <- beta_2 v + (1 - beta_2) g^2
    v += np.multiply(np.square(g, out=work), 1 - beta_2, out=work)
    # eta m_hat / (sqrt(v_hat) + epsilon) with the bias corrections moved onto the scalars (the same
    # number, one pass fewer): eta_t m / (sqrt(v) + epsilon_t), where
    # eta_t = eta sqrt(1 - beta_2^t) / (1 - beta_1^t) and epsilon_t = epsilon sqrt(1 - beta_2^t).
    root_correction = math.sqrt(1 - beta_2 ** t)
    denominator = np.sqrt(v, out=work)
    denominator += epsilon * root_correction
    step = np.divide(m, denominator, out=work)
    step *= learning_rate * root_correction / (1 - beta_1 ** t)
    w -= step
