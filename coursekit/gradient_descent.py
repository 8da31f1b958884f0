r"""The lecture's gradient descent algorithm, for any differentiable J(w).

    1. Initialize weights randomly ~ N(0, sigma^2)
    2. Loop until convergence:
    3.     Compute gradient dJ(W)/dW
    4.     Update weights W <- W - eta dJ(W)/dW
    5. Return weights

:func:`gradient_descent` runs exactly that on a function given as Python callables and returns the
whole path, so a notebook can draw it on the loss landscape. It never raises on divergence: the
result says ``diverged`` and why, so a learning-rate slider can show what too large a step does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_array, check_number, check_positive


@dataclass
class DescentResult:
    """The outcome of :func:`gradient_descent`.

    Attributes
    ----------
    w : ndarray
        The final weights (the last finite point of the path).
    path : ndarray, shape (steps + 1, n_weights)
        Every weight vector visited, starting with w0.
    losses : ndarray or None
        J(w) at each point of the path, when ``loss`` was given.
    converged : bool
        The gradient norm fell below ``tol``.
    diverged : bool
        The weights or the loss stopped being finite numbers (or exceeded 1e12 in size).
    message : str
        A sentence for the student: converged, diverged (with the learning rate) or ran out of steps.
    """

    w: np.ndarray
    path: np.ndarray
    losses: np.ndarray | None
    converged: bool
    diverged: bool
    message: str

    @property
    def steps(self) -> int:
        return len(self.path) - 1


def gradient_descent_step(w, gradient, learning_rate):
    """One update, W <- W - eta dJ(W)/dW."""
    return w - learning_rate * gradient


def gradient_descent(grad, w0, learning_rate=0.1, steps=100, loss=None, tol=None, blowup=1e12):
    """Run gradient descent from ``w0`` and return the path.

    Parameters
    ----------
    grad : callable
        ``grad(w)`` returns dJ/dw, an array shaped like w.
    w0 : array_like
        Starting weights (a number or a vector).
    learning_rate : float
        The step size eta > 0.
    steps : int
        Maximum number of updates.
    loss : callable, optional
        ``loss(w)`` returns J(w); recorded along the path when given.
    tol : float, optional
        Stop once the gradient's norm is below ``tol`` ("until convergence").
    blowup : float
        Treat weights or losses larger than this as diverged.

    Returns
    -------
    DescentResult
    """
    if not callable(grad):
        raise TypeError(f"grad must be a function w -> dJ/dw; received {type(grad).__name__}")
    if loss is not None and not callable(loss):
        raise TypeError(f"loss must be a function w -> J(w) or None; received {type(loss).__name__}")
    learning_rate = check_positive(learning_rate, "learning_rate")
    steps = check_number(steps, "steps", low=0, integer=True)
    w = check_array(w0, "w0", dtype=float).copy()
    path, values = [w.copy()], []
    converged = diverged = False
    message = f"ran all {steps} steps without meeting the tolerance" if tol is not None else f"ran {steps} steps"
    with np.errstate(over="ignore", invalid="ignore"):
        if loss is not None:
            values.append(float(loss(w)))
        for step in range(steps):
            g = np.asarray(grad(w), dtype=float)
            if g.shape != w.shape:
                raise ValueError(f"grad(w) returned shape {g.shape} but w has shape {w.shape}")
            if tol is not None and np.linalg.norm(g) < tol:
                converged = True
                message = f"converged after {step} steps (|dJ/dw| < {tol:g})"
                break
            w_next = gradient_descent_step(w, g, learning_rate)
            value = float(loss(w_next)) if loss is not None else 0.0
            if not (np.all(np.isfinite(w_next)) and np.isfinite(value)
                    and np.max(np.abs(w_next), initial=0) < blowup and abs(value) < blowup):
                diverged = True
                message = (f"diverged at step {step + 1}: the learning rate {learning_rate:g} is too large "
                           f"for this landscape (each step overshoots further); try a smaller one")
                break
            w = w_next
            path.append(w.copy())
            if loss is not None:
                values.append(value)
    return DescentResult(w=w, path=np.array(path), losses=np.array(values) if loss is not None else None,
                         converged=converged, diverged=diverged, message=message)
