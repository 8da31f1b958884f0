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
import math
import numbers
from importlib import resources
from typing import Iterator

import numpy as np

from ._validation import make_rng

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
# Argument checking (private): every message names the argument, what it received and what is allowed.
# --------------------------------------------------------------------------------------------------
def _received(name, value) -> str:
    return f"received {name}={value!r} ({type(value).__name__})"


def _check_int(name: str, value, minimum: int, what: str | None = None) -> int:
    """Return ``value`` as a Python int if it is an integer >= ``minimum``; raise otherwise."""
    what = what or f"an integer >= {minimum}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}; {_received(name, value)}")
    if value < minimum:
        raise ValueError(f"{name} must be {what}; received {name}={value!r}")
    return int(value)


def _check_real(name: str, value, *, low=None, high=None, low_open=False, high_open=False,
                what: str) -> float:
    """Return ``value`` as a float if it is a finite real number in the given interval; raise otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}; {_received(name, value)}")
    value = float(value)
    bad = not math.isfinite(value)
    if low is not None:
        bad = bad or (value <= low if low_open else value < low)
    if high is not None:
        bad = bad or (value >= high if high_open else value > high)
    if bad:
        raise ValueError(f"{name} must be {what}; received {name}={value!r}")
    return value


def _check_noise(noise) -> float:
    return _check_real("noise", noise, low=0.0, what="a finite number >= 0")


def _check_n_samples(n_samples) -> int:
    return _check_int("n_samples", n_samples, 2, "an integer >= 2 (both classes need a point)")


def _as_Xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    """Check that X and y are arrays with the same number of rows."""
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0:
        raise ValueError(f"X must have one row per sample (at least 1-D); received X with shape {X.shape}")
    if y.ndim == 0:
        raise ValueError(f"y must have one entry per sample (at least 1-D); received y with shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            "X and y must have the same number of rows (one per sample); "
            f"received X with shape {X.shape} and y with shape {y.shape}"
        )
    return X, y


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
    factor = _check_real("factor", factor, low=0.0, high=1.0, low_open=True, high_open=True,
                         what="a number in (0, 1)")
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
    turns = _check_real("turns", turns, low=0.0, high=5.0, low_open=True, what="a number in (0, 5]")
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
    if not isinstance(return_images, (bool, np.bool_)):
        raise TypeError(f"return_images must be True or False; {_received('return_images', return_images)}")
    images, labels = _digits_raw()
    pixels = images.astype(np.float64) / 16.0
    y = labels.astype(np.int64)
    if return_images:
        return pixels, y
    return pixels.reshape(len(pixels), 64), y


# --------------------------------------------------------------------------------------------------
# Splits, epochs, mini-batches, one-hot labels.
# --------------------------------------------------------------------------------------------------
def _allocate(counts: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` among groups in proportion to ``counts`` (largest remainder, ties at random)."""
    quota = counts * (total / counts.sum())
    share = np.floor(quota).astype(np.int64)
    left = total - int(share.sum())
    if left:
        remainder = quota - share
        # sort by remainder (largest first); random keys break ties without favouring a class
        order = np.lexsort((rng.random(len(counts)), -remainder))
        share[order[:left]] += 1
    return np.minimum(share, counts)


def train_test_split(X, y, test_size: float | int = 0.2, seed=None, stratify=False):
    """Split the samples at random into a training set and a test set.

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
        Inputs, one row per sample.
    y : array_like, shape (n_samples, ...)
        Labels (or targets), one entry or row per sample.
    test_size : float in (0, 1) or int, default 0.2
        Fraction of the samples (rounded up, as in scikit-learn) or number of samples for the test
        set. Both sets get at least one sample.
    seed : None, int or numpy.random.Generator
        Source of randomness.
    stratify : bool or array_like, default False
        ``True``: keep the class proportions of ``y`` in both sets (each class is split on its own).
        An array of ``n_samples`` group labels stratifies by those instead (scikit-learn's
        ``stratify=y`` therefore also works). Rows of a 2-D ``y`` (e.g. one-hot) count as classes.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        In scikit-learn's order. Rows keep their pairing; each set is in random order.
    """
    X, y = _as_Xy(X, y)
    n = X.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 samples to split into a training and a test set; received X with shape {X.shape}")
    what = f"a fraction in (0, 1) or an integer in [1, {n - 1}] (n_samples - 1)"
    if isinstance(test_size, (bool, np.bool_)) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"test_size must be {what}; {_received('test_size', test_size)}")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
        if not 1 <= n_test <= n - 1:
            raise ValueError(f"test_size must be {what}; received test_size={test_size!r}")
    else:
        fraction = _check_real("test_size", test_size, low=0.0, high=1.0, low_open=True, high_open=True,
                               what=what)
        n_test = min(max(math.ceil(fraction * n), 1), n - 1)
    rng = make_rng(seed)

    if isinstance(stratify, (bool, np.bool_)):
        groups = y if stratify else None
    elif stratify is None:
        groups = None
    else:
        groups = np.asarray(stratify)
        if groups.ndim == 0 or groups.shape[0] != n:
            raise ValueError(
                "stratify must be True/False or an array with one label per sample; "
                f"received stratify with shape {groups.shape} for X with shape {X.shape}"
            )

    if groups is None:
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    else:
        if groups.ndim == 1:
            _, group_of = np.unique(groups, return_inverse=True)
        else:
            _, group_of = np.unique(groups.reshape(n, -1), axis=0, return_inverse=True)
        group_of = group_of.reshape(n)
        members = [np.flatnonzero(group_of == g) for g in range(group_of.max() + 1)]
        counts = np.array([len(m) for m in members])
        n_test_per_group = _allocate(counts, n_test, rng)
        test_parts, train_parts = [], []
        for m, k in zip(members, n_test_per_group):
            m = rng.permutation(m)
            test_parts.append(m[:k])
            train_parts.append(m[k:])
        test_idx = rng.permutation(np.concatenate(test_parts))
        train_idx = rng.permutation(np.concatenate(train_parts))
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def iterations_per_epoch(n_samples: int, batch_size: int) -> int:
    r"""Number of mini-batches (iterations) needed to pass the whole data set once (one epoch).

    .. math::

        \text{iterations} = \left\lceil \frac{n_\text{samples}}{B} \right\rceil

    The lecture's example: 2000 examples in batches of 500 take 4 iterations per epoch.

    >>> iterations_per_epoch(2000, 500)
    4
    >>> iterations_per_epoch(2001, 500)   # the last batch holds the one sample left over
    5

    Parameters
    ----------
    n_samples : int
        Size of the data set, ``>= 1``.
    batch_size : int
        Samples per batch :math:`B`, ``>= 1``. A batch larger than the data set means one iteration.

    Returns
    -------
    int
    """
    n = _check_int("n_samples", n_samples, 1, "a positive integer")
    b = _check_int("batch_size", batch_size, 1, "a positive integer")
    return -(-n // b)


def minibatches(X, y, batch_size: int, shuffle: bool = True, seed=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Iterate once over the data set (one epoch) in mini-batches of ``batch_size`` samples.

    Every sample appears in exactly one batch. With ``shuffle=True`` the order is a fresh random
    permutation drawn from ``seed``; the last batch holds what is left over and may be smaller.
    There are :func:`iterations_per_epoch` ``(n_samples, batch_size)`` batches.

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
    y : array_like, shape (n_samples, ...)
    batch_size : int
        Samples per batch, ``>= 1``; larger than ``n_samples`` gives a single batch.
    shuffle : bool, default True
        Visit the samples in random order (``False``: in the order given).
    seed : None, int or numpy.random.Generator
        Source of randomness for the shuffle. Pass one Generator for all epochs to get a different,
        reproducible order each epoch.

    Yields
    ------
    X_batch, y_batch : ndarray
        Rows of ``X`` and the matching entries of ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in minibatches(X, y, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    # Checked here, before the first batch is asked for, so a bad argument fails at the call.
    X, y = _as_Xy(X, y)
    b = _check_int("batch_size", batch_size, 1, "a positive integer")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False; {_received('shuffle', shuffle)}")
    n = X.shape[0]
    order = make_rng(seed).permutation(n) if shuffle else np.arange(n)

    def batches():
        for start in range(0, n, b):
            idx = order[start:start + b]
            yield X[idx], y[idx]

    return batches()


def one_hot(y, n_classes: int | None = None) -> np.ndarray:
    """Turn integer class labels into one-hot rows: label ``k`` becomes a row with a 1 in column ``k``.

    >>> one_hot([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])

    Parameters
    ----------
    y : array_like of int, shape (n_samples,)
        Labels ``0 .. n_classes - 1`` (whole-number floats such as ``2.0`` are accepted).
    n_classes : int, optional
        Number of columns; default ``max(y) + 1``.

    Returns
    -------
    ndarray of float64, shape (n_samples, n_classes)
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of integer class labels; received y with shape {y.shape}")
    if y.dtype == np.bool_ or not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)):
        raise TypeError(f"y must hold integer class labels; received y with dtype {y.dtype}")
    if np.issubdtype(y.dtype, np.floating):
        if not np.all(np.isfinite(y)) or not np.array_equal(y, np.round(y)):
            raise ValueError("y must hold whole-number class labels; received non-integer values "
                             f"such as {y[~(np.isfinite(y) & (y == np.round(y)))][0]!r}")
    labels = y.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"y must hold class labels >= 0; received a label {labels.min()}")
    if n_classes is None:
        if labels.size == 0:
            raise ValueError("n_classes must be given when y is empty; received n_classes=None")
        n_classes = int(labels.max()) + 1
    else:
        largest = int(labels.max()) if labels.size else -1
        n_classes = _check_int("n_classes", n_classes, max(largest + 1, 1),
                               f"an integer >= {max(largest + 1, 1)} (max(y) + 1)")
    out = np.zeros((labels.size, n_classes), dtype=np.float64)
    out[np.arange(labels.size), labels] = 1.0
    return out
