r"""Toy loss surfaces J(w) as plain numpy functions with exact gradients.

The lecture draws loss landscapes to explain gradient descent, learning rates and optimizers. These are
small, fast stand-ins for a network's J(W): every function takes arrays and broadcasts, so a whole
contour grid is one vectorised call, and every function comes with its gradient, so an optimizer can
walk on it.

Two-parameter surfaces (:class:`ToyFunction`, ``J(w1, w2)``):

* ``"bowl"``           a round bowl: every method works.
* ``"valley"``         an elongated valley (curvatures 0.1 and 4): plain SGD zig-zags across it.
* ``"rosenbrock"``     a curved banana-shaped valley with a flat floor.
* ``"false_minimum"``  a bowl with a narrow dent: a *false local minimum* that catches small steps
  (the lecture's "small learning rate ... gets stuck in false local minima").

One-parameter curve (:class:`ToyFunction1D`, ``J(w)``): :func:`false_minimum_1d`, a parabola with a dent.
From the start ``w = 4.5`` gradient descent with a small learning rate stops in the dent, a stable one
(about 0.3 to 1.9) jumps over it to the global minimum at 0, and one above 2 diverges.

:func:`from_grid` turns any sampled surface (for instance a 2-D slice of a real network's loss from
``coursekit.landscape``) into a :class:`ToyFunction` by bilinear interpolation.

Numpy only; no plotting here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._validation import check_array, lookup


@dataclass(frozen=True)
class ToyFunction:
    """A loss surface J(w1, w2) with its gradient.

    Attributes
    ----------
    name : str
        Registry name, e.g. "valley".
    title : str
        A short description for plot titles.
    value_fn : callable
        ``value_fn(w1, w2)`` -> J, broadcasting over arrays.
    gradient_fn : callable
        ``gradient_fn(w1, w2)`` -> (dJ/dw1, dJ/dw2), broadcasting over arrays.
    xlim, ylim : tuple of float
        A good window to draw (w1 and w2 ranges).
    start : tuple of float
        A default starting point for descent.
    minimum : tuple of float
        The global minimum.
    local_minima : tuple of tuples
        Other (false) local minima, if any.
    lr_scale : float
        Multiplies plain SGD's default learning rate in the optimizer race (steep surfaces need smaller
        steps; the adaptive methods divide by the gradient's size and need no such scale).
    log_levels : bool
        Contours look better on a log scale (for surfaces with a very flat floor).
    """

    name: str
    title: str
    value_fn: Callable
    gradient_fn: Callable
    xlim: tuple
    ylim: tuple
    start: tuple
    minimum: tuple
    local_minima: tuple = ()
    lr_scale: float = 1.0
    log_levels: bool = False

    def value(self, w):
        """J(w) for ``w`` of shape (..., 2); returns shape (...)."""
        w = np.asarray(w, dtype=float)
        return np.asarray(self.value_fn(w[..., 0], w[..., 1]), dtype=float)

    __call__ = value

    def gradient(self, w):
        """dJ/dw for ``w`` of shape (..., 2); returns shape (..., 2)."""
        w = np.asarray(w, dtype=float)
        g1, g2 = self.gradient_fn(w[..., 0], w[..., 1])
        return np.stack(np.broadcast_arrays(g1, g2), axis=-1).astype(float)

    def grid(self, n=101):
        """(W1, W2, J) on an n-by-n grid over ``xlim`` x ``ylim`` (one vectorised evaluation)."""
        w1 = np.linspace(*self.xlim, n)
        w2 = np.linspace(*self.ylim, n)
        W1, W2 = np.meshgrid(w1, w2)
        return W1, W2, np.asarray(self.value_fn(W1, W2), dtype=float)


@dataclass(frozen=True)
class ToyFunction1D:
    """A loss curve J(w) of one weight, with its derivative.

    Attributes
    ----------
    name, title : str
    value_fn, derivative_fn : callable
        Broadcasting functions of one array.
    xlim : tuple of float
        The window to draw.
    start : float
        Default starting weight.
    minimum : float
        The global minimum.
    local_minima : tuple of float
        False local minima.
    """

    name: str
    title: str
    value_fn: Callable
    derivative_fn: Callable
    xlim: tuple
    start: float
    minimum: float
    local_minima: tuple = field(default_factory=tuple)

    def value(self, w):
        return np.asarray(self.value_fn(np.asarray(w, dtype=float)), dtype=float)

    __call__ = value

    def gradient(self, w):
        return np.asarray(self.derivative_fn(np.asarray(w, dtype=float)), dtype=float)


# --------------------------------------------------------------------------------------------------
# The surfaces
# --------------------------------------------------------------------------------------------------
def bowl():
    """J = (w1^2 + w2^2) / 2: a round bowl, minimum at the origin."""
    return ToyFunction(
        name="bowl", title="round bowl",
        value_fn=lambda a, b: 0.5 * (a * a + b * b),
        gradient_fn=lambda a, b: (a, b),
        xlim=(-5.0, 5.0), ylim=(-5.0, 5.0), start=(-4.0, 3.5), minimum=(0.0, 0.0))


VALLEY_CURVATURE = (0.1, 4.0)


def valley():
    """J = (0.1 w1^2 + 4 w2^2) / 2: a long narrow valley (condition number 40)."""
    h1, h2 = VALLEY_CURVATURE
    return ToyFunction(
        name="valley", title="elongated valley",
        value_fn=lambda a, b: 0.5 * (h1 * a * a + h2 * b * b),
        gradient_fn=lambda a, b: (h1 * a, h2 * b),
        xlim=(-6.0, 6.0), ylim=(-3.0, 3.0), start=(-5.0, 2.0), minimum=(0.0, 0.0))


def rosenbrock(b=10.0):
    """J = (1 - w1)^2 + b (w2 - w1^2)^2: a curved valley with a flat floor, minimum at (1, 1)."""
    return ToyFunction(
        name="rosenbrock", title=f"Rosenbrock (b={b:g})",
        value_fn=lambda x, y: (1 - x) ** 2 + b * (y - x * x) ** 2,
        gradient_fn=lambda x, y: (-2 * (1 - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)),
        xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), start=(-1.5, 2.5), minimum=(1.0, 1.0),
        lr_scale=0.1, log_levels=True)


# A bowl with a narrow Gaussian dent: J = |w|_H^2 / 2 - A exp(-|w - c|^2 / (2 s^2)).
DENT_DEPTH, DENT_WIDTH = 2.0, 0.3
DENT_CENTRE_1D = 3.0
DENT_CENTRE_2D = (2.7, 1.6)


def _dent(d2, depth, width):
    return depth * np.exp(-d2 / (2 * width * width))


def false_minimum():
    """A bowl J = (w1^2 + w2^2)/2 with a narrow dent near (2.7, 1.6): a false local minimum on the way down."""
    A, s = DENT_DEPTH, DENT_WIDTH
    c1, c2 = DENT_CENTRE_2D

    def value(a, b):
        return 0.5 * (a * a + b * b) - _dent((a - c1) ** 2 + (b - c2) ** 2, A, s)

    def gradient(a, b):
        e = _dent((a - c1) ** 2 + (b - c2) ** 2, A, s) / (s * s)
        return a + e * (a - c1), b + e * (b - c2)

    local = _local_minimum_2d(gradient, (c1, c2))
    return ToyFunction(
        name="false_minimum", title="bowl with a false local minimum",
        value_fn=value, gradient_fn=gradient,
        xlim=(-3.0, 5.0), ylim=(-2.5, 3.5), start=(4.5, 2.6667), minimum=(0.0, 0.0),
        local_minima=(local,))


def false_minimum_1d():
    """J(w) = w^2/2 - 2 exp(-(w - 3)^2 / 0.18): a parabola with a dent (false local minimum near w = 2.85)."""
    A, s, c = DENT_DEPTH, DENT_WIDTH, DENT_CENTRE_1D

    def value(w):
        return 0.5 * w * w - _dent((w - c) ** 2, A, s)

    def derivative(w):
        return w + _dent((w - c) ** 2, A, s) * (w - c) / (s * s)

    local = _local_minimum_1d(derivative, c)
    return ToyFunction1D(name="false_minimum_1d", title="parabola with a false local minimum",
                         value_fn=value, derivative_fn=derivative, xlim=(-5.0, 5.5), start=4.5,
                         minimum=0.0, local_minima=(local,))


def _local_minimum_1d(derivative, guess, iterations=200):
    """The dent's minimum, by bisection on the derivative's sign change left of the dent centre."""
    lo, hi = guess - 1.0, guess
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        if derivative(mid) > 0:
            hi = mid
        else:
            lo = mid
    return float(0.5 * (lo + hi))


def _local_minimum_2d(gradient, guess, steps=2000, eta=0.02):
    """The dent's minimum, by small gradient steps from its centre (tiny steps cannot leave it)."""
    w = np.array(guess, dtype=float)
    for _ in range(steps):
        w -= eta * np.array(gradient(*w))
    return (float(w[0]), float(w[1]))


# --------------------------------------------------------------------------------------------------
# A sampled surface as a function
# --------------------------------------------------------------------------------------------------
def from_grid(x, y, Z, name="grid", title=None, start=None):
    """A :class:`ToyFunction` from samples ``Z[i, j] = J(x[j], y[i])``, by bilinear interpolation.

    Use it to race optimizers on a 2-D slice of a real network's loss. Outside the grid the surface
    continues as its edge value (the gradient there is 0 across the edge).

    Parameters
    ----------
    x, y : 1-D arrays, strictly increasing
        Grid coordinates along w1 (columns) and w2 (rows), at least 2 each.
    Z : 2-D array, shape (len(y), len(x))
    name, title : str
    start : (float, float), optional
        Default starting point; the grid's highest corner region otherwise (a far corner).
    """
    x = check_array(x, "x", ndim=1, dtype=float)
    y = check_array(y, "y", ndim=1, dtype=float)
    Z = check_array(Z, "Z", ndim=2, dtype=float)
    if len(x) < 2 or len(y) < 2:
        raise ValueError(f"x and y need at least 2 grid points each; received {len(x)} and {len(y)}")
    if Z.shape != (len(y), len(x)):
        raise ValueError(f"Z must have shape (len(y), len(x)) = ({len(y)}, {len(x)}); received {Z.shape}")
    if np.any(np.diff(x) <= 0) or np.any(np.diff(y) <= 0):
        raise ValueError("x and y must be strictly increasing")

    def locate(values, axis):
        v = np.clip(values, axis[0], axis[-1])
        i = np.clip(np.searchsorted(axis, v, side="right") - 1, 0, len(axis) - 2)
        h = axis[i + 1] - axis[i]
        inside = (values >= axis[0]) & (values <= axis[-1])
        return i, (v - axis[i]) / h, h, inside

    def corners(a, b):
        a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
        j, tx, hx, in_x = locate(a, x)
        i, ty, hy, in_y = locate(b, y)
        return (Z[i, j], Z[i, j + 1], Z[i + 1, j], Z[i + 1, j + 1]), tx, ty, hx, hy, in_x, in_y

    def value(a, b):
        (z00, z01, z10, z11), tx, ty, *_ = corners(a, b)
        return (z00 * (1 - tx) + z01 * tx) * (1 - ty) + (z10 * (1 - tx) + z11 * tx) * ty

    def gradient(a, b):
        (z00, z01, z10, z11), tx, ty, hx, hy, in_x, in_y = corners(a, b)
        g1 = ((z01 - z00) * (1 - ty) + (z11 - z10) * ty) / hx
        g2 = ((z10 - z00) * (1 - tx) + (z11 - z01) * tx) / hy
        return np.where(in_x, g1, 0.0), np.where(in_y, g2, 0.0)

    i_min = np.unravel_index(np.argmin(Z), Z.shape)
    minimum = (float(x[i_min[1]]), float(y[i_min[0]]))
    if start is None:
        start = (float(x[0] + 0.9 * (x[-1] - x[0])), float(y[0] + 0.9 * (y[-1] - y[0])))
    return ToyFunction(name=name, title=title or name, value_fn=value, gradient_fn=gradient,
                       xlim=(float(x[0]), float(x[-1])), ylim=(float(y[0]), float(y[-1])),
                       start=tuple(float(s) for s in start), minimum=minimum,
                       log_levels=bool(Z.min() > 0 and Z.max() / max(Z.min(), 1e-12) > 100))


_SURFACES = {"bowl": bowl, "valley": valley, "rosenbrock": rosenbrock, "false_minimum": false_minimum}

NAMES = tuple(_SURFACES)


def get(name) -> ToyFunction:
    """A surface by name ("bowl", "valley", "rosenbrock", "false_minimum") or a ToyFunction as is."""
    if isinstance(name, ToyFunction):
        return name
    return lookup(_SURFACES, name, "toy function")()
