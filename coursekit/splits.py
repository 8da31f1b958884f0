"""Splits, epochs, mini-batches and one-hot labels: how the lecture's data is cut up for training.

Part of :mod:`coursekit.datasets` (``datasets.train_test_split`` and the rest are these functions).
"""

from __future__ import annotations

import math
import numbers
from typing import Iterator

import numpy as np

from ._validation import check_bool, check_number, make_rng


def as_Xy(X, y) -> tuple[np.ndarray, np.ndarray]:
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
    X, y = as_Xy(X, y)
    n = X.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 samples to split into a training and a test set; received X with shape {X.shape}")
    n_test = _test_count(test_size, n)
    rng = make_rng(seed)
    groups = _groups(stratify, y, n, X.shape)
    if groups is None:
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    else:
        test_idx, train_idx = _stratified_split(groups, n, n_test, rng)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def _test_count(test_size, n):
    """The number of test samples: a fraction of n rounded up (as scikit-learn), or a count in [1, n - 1]."""
    what = f"a fraction in (0, 1) or an integer in [1, {n - 1}] (n_samples - 1)"
    if isinstance(test_size, (bool, np.bool_)) or not isinstance(test_size, numbers.Real):
        check_number(test_size, "test_size", allowed=what)           # the TypeError naming test_size
    if isinstance(test_size, numbers.Integral):
        return check_number(test_size, "test_size", low=1, high=n - 1, integer=True, allowed=what)
    fraction = check_number(test_size, "test_size", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False,
                            allowed=what)
    return min(max(math.ceil(fraction * n), 1), n - 1)


def _groups(stratify, y, n, x_shape):
    """The labels to stratify by: ``y`` for True, the given array, or None (no stratification)."""
    if isinstance(stratify, (bool, np.bool_)):
        return y if stratify else None
    if stratify is None:
        return None
    groups = np.asarray(stratify)
    if groups.ndim == 0 or groups.shape[0] != n:
        raise ValueError("stratify must be True/False or an array with one label per sample; "
                         f"received stratify with shape {groups.shape} for X with shape {x_shape}")
    return groups


def _stratified_split(groups, n, n_test, rng):
    """(test rows, training rows) with each group split on its own, in proportion to its size."""
    if groups.ndim == 1:
        _, group_of = np.unique(groups, return_inverse=True)
    else:
        _, group_of = np.unique(groups.reshape(n, -1), axis=0, return_inverse=True)
    group_of = group_of.reshape(n)
    members = [np.flatnonzero(group_of == g) for g in range(group_of.max() + 1)]
    counts = np.array([len(m) for m in members])
    test_parts, train_parts = [], []
    for m, k in zip(members, _allocate(counts, n_test, rng)):
        m = rng.permutation(m)
        test_parts.append(m[:k])
        train_parts.append(m[k:])
    return rng.permutation(np.concatenate(test_parts)), rng.permutation(np.concatenate(train_parts))


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
    n = check_number(n_samples, "n_samples", low=1, integer=True, allowed="a positive integer")
    b = check_number(batch_size, "batch_size", low=1, integer=True, allowed="a positive integer")
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
    X, y = as_Xy(X, y)
    b = check_number(batch_size, "batch_size", low=1, integer=True, allowed="a positive integer")
    check_bool(shuffle, "shuffle")
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
        n_classes = check_number(n_classes, "n_classes", low=max(largest + 1, 1), integer=True,
                                 allowed=f"an integer >= {max(largest + 1, 1)} (max(y) + 1)")
    out = np.zeros((labels.size, n_classes), dtype=np.float64)
    out[np.arange(labels.size), labels] = 1.0
    return out
