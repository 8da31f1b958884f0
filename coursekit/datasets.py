"""The lecture's data: "Will I pass this class?", green-vs-red shapes, real digits, splits and mini-batches.

Everything here is numpy only. Every function that draws random numbers takes ``seed=``, which may be

* ``None``  -- fresh, unpredictable randomness on every call;
* an ``int`` -- the same arrays every time (``pass_fail(seed=0)`` is always the same class);
* a :class:`numpy.random.Generator` -- used as it is and advanced, so one generator can drive a whole
  notebook reproducibly.

No function touches numpy's global random state.

Conventions: samples in rows, ``X`` has shape ``(n_samples, n_features)`` and dtype float64, labels ``y``
have shape ``(n_samples,)`` and dtype int64. The two-class shapes are balanced (``n_samples // 2`` points of
class 0, the rest of class 1) and returned in random order.

Examples
--------
>>> from coursekit.datasets import pass_fail, train_test_split, minibatches, iterations_per_epoch
>>> X, y = pass_fail(n_samples=200, seed=0)
>>> X.shape, y.shape
((200, 2), (200,))
>>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
>>> X_train.shape, X_test.shape
((150, 2), (50, 2))
>>> iterations_per_epoch(2000, 500)
4
>>> [len(xb) for xb, yb in minibatches(X_train, y_train, batch_size=64, seed=0)]
[64, 64, 22]
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np

from ._validation import check_bool, check_number, make_rng
from .splits import iterations_per_epoch, minibatches, one_hot, train_test_split  # noqa: F401 - part of datasets

__all__ = [
    "PASS_FAIL_W0",
    "PASS_FAIL_W",
    "pass_fail",
    "circles",
    "xor",
    "moons",
    "spiral",
    "load_digits",
    "train_test_split",
    "iterations_per_epoch",
    "minibatches",
    "one_hot",
]

#: Bias of the rule behind :func:`pass_fail`: a student passes when ``w0 + w1*x1 + w2*x2 + noise > 0``.
PASS_FAIL_W0 = -7.0
#: Weights ``(w1, w2)`` of the rule behind :func:`pass_fail` (per lecture attended, per project hour).
PASS_FAIL_W = (0.5, 0.8)


# --------------------------------------------------------------------------------------------------
# Argument checks (coursekit._validation): every message names the argument, what it received and what is
# allowed.
# --------------------------------------------------------------------------------------------------
def _check_noise(noise) -> float:
    return check_number(noise, "noise", low=0.0, allowed="a finite number >= 0")


def _check_n_samples(n_samples) -> int:
    return check_number(n_samples, "n_samples", low=2, integer=True, allowed="an integer >= 2 (both classes need a point)")


def _two_classes(points0: np.ndarray, points1: np.ndarray, rng: np.random.Generator):
    """Stack class 0 and class 1 points, label them, and shuffle the rows."""
    X = np.concatenate([points0, points1]).astype(np.float64, copy=False)
    y = np.concatenate([np.zeros(len(points0), np.int64), np.ones(len(points1), np.int64)])
    order = rng.permutation(len(y))
    return X[order], y[order]


# --------------------------------------------------------------------------------------------------
# "Will I pass this class?"
# --------------------------------------------------------------------------------------------------
def pass_fail(n_samples: int = 200, noise: float = 1.0, seed=None) -> tuple[np.ndarray, np.ndarray]:
    r"""The lecture's two-feature example problem: *Will I pass this class?*

    Each row is one student:

    * ``x1`` = number of lectures attended, an integer ``0, 1, ..., 12`` (uniform);
    * ``x2`` = hours spent on the final project, a real number uniform in ``[0, 10]``.

    The label is ``1`` (pass) or ``0`` (fail) by a linear rule plus Gaussian noise:

    .. math::

        y = \begin{cases} 1, & w_0 + w_1 x_1 + w_2 x_2 + \varepsilon > 0 \\ 0, & \text{otherwise}\end{cases}
        \qquad w_0 = -7,\; w_1 = 0.5,\; w_2 = 0.8,\; \varepsilon \sim \mathcal{N}(0, \text{noise}^2)

    i.e. pass when ``0.5*x1 + 0.8*x2 + noise > 7`` (constants in :data:`PASS_FAIL_W0`, :data:`PASS_FAIL_W`).
    The average student sits right on the line, so about half pass. The lecture's example student,
    ``x = [4, 5]`` (4 lectures, 5 hours), scores ``0.5*4 + 0.8*5 = 6 < 7``: on the fail side of the rule.
    With the default ``noise=1.0`` a straight line (logistic regression) classifies about 90% of the
    students correctly -- the noise is the part no model can know (e.g. how the exam went).

    Parameters
    ----------
    n_samples : int, default 200
        Number of students, ``>= 2``.
    noise : float, default 1.0
        Standard deviation of the noise :math:`\varepsilon`; ``0`` gives a perfectly linear rule.
    seed : None, int or numpy.random.Generator
        Source of randomness (see the module docstring).

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
        Columns ``x1`` (lectures attended) and ``x2`` (project hours).
    y : ndarray of int64, shape (n_samples,)
        ``1`` = pass, ``0`` = fail.
    """
    n = _check_n_samples(n_samples)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    x1 = rng.integers(0, 12, size=n, endpoint=True).astype(np.float64)
    x2 = rng.uniform(0.0, 10.0, size=n)
    w1, w2 = PASS_FAIL_W
    z = PASS_FAIL_W0 + w1 * x1 + w2 * x2 + noise * rng.standard_normal(n)
    X = np.column_stack([x1, x2])
    y = (z > 0).astype(np.int64)
    return X, y


# --------------------------------------------------------------------------------------------------
# Green vs red points: two classes no straight line can separate.
# --------------------------------------------------------------------------------------------------
def circles(n_samples: int = 200, noise: float = 0.1, factor: float = 0.5, seed=None):
    r"""A small circle inside a large one: class 0 on the outer circle, class 1 on the inner.

    .. math::

        \text{class 0: } x = (\cos t, \sin t) + \varepsilon, \qquad
        \text{class 1: } x = \text{factor}\,(\cos t, \sin t) + \varepsilon, \qquad
        t \sim U[0, 2\pi),\; \varepsilon \sim \mathcal{N}(0, \text{noise}^2 I)

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points, ``>= 2``; ``n_samples // 2`` of class 0, the rest of class 1.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate, ``>= 0``.
    factor : float, default 0.5
        Radius of the inner circle relative to the outer one, in ``(0, 1)``.
    seed : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)
    """
    n = _check_n_samples(n_samples)
    noise = _check_noise(noise)
    factor = check_number(factor, "factor", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False,
                          allowed="a number in (0, 1)")
    rng = make_rng(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = rng.uniform(0.0, 2 * np.pi, size=n0)
    t1 = rng.uniform(0.0, 2 * np.pi, size=n1)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = factor * np.column_stack([np.cos(t1), np.sin(t1)])
    outer += noise * rng.standard_normal(outer.shape)
    inner += noise * rng.standard_normal(inner.shape)
    return _two_classes(outer, inner, rng)


def xor(n_samples: int = 200, noise: float = 0.1, seed=None):
    r"""The XOR pattern: class 1 where ``x1`` and ``x2`` have the same sign, class 0 where they differ.

    Each point is drawn uniformly from one of the four quadrant squares ``0.1 <= |x1|, |x2| <= 1``
    (the two squares of its class chosen with equal probability), then Gaussian noise is added:

    .. math::

        y = \begin{cases} 1, & x_1 x_2 > 0 \\ 0, & x_1 x_2 < 0\end{cases}
        \qquad \text{then } x \leftarrow x + \varepsilon,\; \varepsilon \sim \mathcal{N}(0, \text{noise}^2 I)

    The gap of 0.2 around the axes keeps the default noise from flipping more than a point or two.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points, ``>= 2``; ``n_samples // 2`` of class 0, the rest of class 1.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate, ``>= 0``.
    seed : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)
    """
    n = _check_n_samples(n_samples)
    noise = _check_noise(noise)
    rng = make_rng(seed)

    def quadrant_points(m: int, same_sign: bool) -> np.ndarray:
        magnitude = rng.uniform(0.1, 1.0, size=(m, 2))
        s1 = rng.choice([-1.0, 1.0], size=m)
        s2 = s1 if same_sign else -s1
        points = magnitude * np.column_stack([s1, s2])
        return points + noise * rng.standard_normal(points.shape)

    n0 = n // 2
    return _two_classes(quadrant_points(n0, same_sign=False), quadrant_points(n - n0, same_sign=True), rng)


def moons(n_samples: int = 200, noise: float = 0.1, seed=None):
    r"""Two interleaving half moons, centred on the origin.

    .. math::

        \text{class 0: } x = 0.8\,(\cos t - \tfrac12,\; \sin t - \tfrac14) + \varepsilon, \qquad
        \text{class 1: } x = 0.8\,(\tfrac12 - \cos t,\; \tfrac14 - \sin t) + \varepsilon,

    with :math:`t \sim U[0, \pi]` and :math:`\varepsilon \sim \mathcal{N}(0, \text{noise}^2 I)`: the shape
    of scikit-learn's ``make_moons``, centred and scaled by 0.8 so that it spans ``[-1.2, 1.2]`` like the
    other sets. A straight line gets about 85-90% right; the rest needs a curved boundary.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points, ``>= 2``; ``n_samples // 2`` of class 0, the rest of class 1.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate, ``>= 0``.
    seed : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)
    """
    n = _check_n_samples(n_samples)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    n0 = n // 2
    t0 = rng.uniform(0.0, np.pi, size=n0)
    t1 = rng.uniform(0.0, np.pi, size=n - n0)
    upper = 0.8 * np.column_stack([np.cos(t0) - 0.5, np.sin(t0) - 0.25])
    lower = 0.8 * np.column_stack([0.5 - np.cos(t1), 0.25 - np.sin(t1)])
    upper += noise * rng.standard_normal(upper.shape)
    lower += noise * rng.standard_normal(lower.shape)
    return _two_classes(upper, lower, rng)


def spiral(n_samples: int = 200, noise: float = 0.1, turns: float = 1.5, seed=None):
    r"""Two interleaved spiral arms winding out from the centre; class 1 is class 0 turned by 180 degrees.

    .. math::

        r = 0.15 + 1.35\,s, \qquad \theta = 2\pi \cdot \text{turns} \cdot s + k\pi, \qquad
        x = r\,(\cos\theta, \sin\theta) + \varepsilon

    for class :math:`k \in \{0, 1\}`, :math:`s = \sqrt{u}`, :math:`u \sim U[0, 1]` (so the points are
    spread evenly along each arm) and :math:`\varepsilon \sim \mathcal{N}(0, \text{noise}^2 I)`.
    Neighbouring arms are ``1.35 / (2*turns)`` apart (0.45 for the default 1.5 turns), so the default noise
    leaves them separable -- but only by a curved boundary: a network with two hidden layers of 16-32
    ``tanh`` units learns it, a straight line gets about 65%. The arms end at radius 1.5, so the noise
    pushes a few percent of the points just outside ``[-1.5, 1.5]^2``.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points, ``>= 2``; ``n_samples // 2`` of class 0, the rest of class 1.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate, ``>= 0``.
    turns : float, default 1.5
        How many full turns each arm makes, in ``(0, 5]``. More turns with the same noise are harder.
    seed : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)
    """
    n = _check_n_samples(n_samples)
    noise = _check_noise(noise)
    turns = check_number(turns, "turns", low=0.0, high=5.0, low_inclusive=False, allowed="a number in (0, 5]")
    rng = make_rng(seed)

    def arm(m: int, k: int) -> np.ndarray:
        s = np.sqrt(rng.uniform(0.0, 1.0, size=m))
        r = 0.15 + 1.35 * s
        theta = 2 * np.pi * turns * s + k * np.pi
        points = r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
        return points + noise * rng.standard_normal(points.shape)

    n0 = n // 2
    return _two_classes(arm(n0, 0), arm(n - n0, 1), rng)


# --------------------------------------------------------------------------------------------------
# Real data: handwritten digits.
# --------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    with resources.files("coursekit").joinpath("data", "digits.npz").open("rb") as f:
        with np.load(f, allow_pickle=False) as npz:
            images, labels = npz["images"], npz["labels"]
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_digits(return_images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The real 8x8 handwritten digits: 1797 images of the digits 0-9 (about 180 of each).

    Each image is an 8x8 grid of pixel counts 0..16 (a 32x32 black-and-white scan, each 4x4 block
    counted); here they are divided by 16 so every pixel lies in ``[0, 1]``.

    Parameters
    ----------
    return_images : bool, default False
        ``False``: one row of 64 pixels per image (what a ``Dense`` layer takes).
        ``True``: the images as 8x8 arrays (for ``imshow``).

    Returns
    -------
    X : ndarray of float64, shape (1797, 64) -- or ``images``, shape (1797, 8, 8), if ``return_images``
        Pixel intensities in ``[0, 1]``, row by row (``X[i] == images[i].ravel()``).
    y : ndarray of int64, shape (1797,)
        The digit shown, ``0..9``.

    Notes
    -----
    Source: the test set of *Optical Recognition of Handwritten Digits* by E. Alpaydin and C. Kaynak
    (1998), UCI Machine Learning Repository, https://doi.org/10.24432/C50P49 -- the same copy that
    scikit-learn bundles as ``sklearn.datasets.load_digits``. Licensed under the Creative Commons
    Attribution 4.0 International licence (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/).
    It ships inside coursekit as ``coursekit/data/digits.npz`` (uint8, made by
    ``tools/make_digits_npz.py``), so no download and no scikit-learn are needed.
    """
    check_bool(return_images, "return_images")
    images, labels = _digits_raw()
    pixels = images.astype(np.float64) / 16.0
    y = labels.astype(np.int64)
    if return_images:
        return pixels, y
    return pixels.reshape(len(pixels), 64), y
