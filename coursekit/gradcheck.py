r"""Gradient checking: compare backpropagation with finite differences.

The central difference approximates each partial derivative,

    dJ/dw_i ≈ (J(w + eps e_i) - J(w - eps e_i)) / (2 eps),

with an error of order eps^2. The relative error ||a - b|| / (||a|| + ||b||) between the analytic and
the numerical gradient is ~1e-9 or smaller in float64 when backpropagation is right, and ~1 when it is
wrong. Use float64 models: float32 rounding swamps the comparison.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_array, check_positive


def numerical_gradient(f, w, eps=1e-6):
    """Central differences of a scalar function ``f`` at the vector ``w`` (w itself is left unchanged)."""
    eps = check_positive(eps, "eps")
    w = check_array(w, "w", dtype=float)
    grad = np.zeros_like(w)
    flat_w, flat_g = w.reshape(-1), grad.reshape(-1)
    for i in range(flat_w.size):
        original = flat_w[i]
        flat_w[i] = original + eps
        plus = f(w)
        flat_w[i] = original - eps
        minus = f(w)
        flat_w[i] = original
        flat_g[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||), 0 when both are zero."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; received {a.shape} and {b.shape}")
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def check_model_gradients(model, x, y, eps=1e-6):
    """Backpropagation's gradient of a compiled model on (x, y) against central differences.

    Returns ``(relative_error, analytic, numerical)``; dropout is switched off for the comparison.
    """
    if model.dtype != np.float64:
        raise ValueError("check_model_gradients needs a float64 model: Sequential(..., dtype='float64')")
    _, analytic = model.loss_and_gradient(x, y)
    w0 = model.get_flat_weights()

    def loss_at(w):
        model.set_flat_weights(w)
        return model.loss_and_gradient(x, y)[0]

    try:
        numerical = numerical_gradient(loss_at, w0.copy(), eps)
    finally:
        model.set_flat_weights(w0)
    return relative_error(analytic, numerical), analytic, numerical
