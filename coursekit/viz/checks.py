"""Argument checks for the explorers: a bad range, value or data set is a clear error at construction."""

from __future__ import annotations

import numbers

import numpy as np


def check_range(low, high, name):
    """A (low, high) pair with low < high, both finite; clear error otherwise."""
    if not (np.isfinite(low) and np.isfinite(high)) or low >= high:
        raise ValueError(f"{name} must be a range (min, max) with min < max; received ({low}, {high})")
    return float(low), float(high)


def check_in_range(value, bounds, name):
    """A finite number inside ``bounds`` = (low, high); ValueError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; received {name}={value!r}")
    low, high = bounds
    if not (np.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be in [{low:g}, {high:g}] (the slider's range); received {name}={value!r}")
    return float(value)


def check_xy_data(data, name="data"):
    """``data`` = (X, y): X of shape (n, 2) with n >= 2 finite rows, y of n labels 0/1 with both classes."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (X, y); received {type(data).__name__}")
    X, y = np.asarray(data[0], dtype=float), np.asarray(data[1]).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{name}: X must have shape (n_samples, 2) (two features x1, x2); received {X.shape}")
    if len(X) == 0:
        raise ValueError(f"{name} is empty: X has no rows, so there is nothing to draw or train on")
    if len(y) != len(X):
        raise ValueError(f"{name}: X has {len(X)} rows but y has {len(y)} labels")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name}: X contains NaN or infinite values")
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError(f"{name}: y must hold the labels 0 and 1; received values {np.unique(y)[:5]}")
    if len(np.unique(y)) < 2:
        raise ValueError(f"{name}: y must contain both classes 0 and 1; received only {int(y[0])}")
    return X, y.astype(np.int64)


def check_positive_slider(value, value_name, bounds, bounds_name):
    """A log-scale slider's range (both ends > 0, low < high) and its starting value inside it.

    Returns ``(low, high, value)``; the errors name the argument that is wrong.
    """
    from .._validation import check_number

    low, high = check_range(*bounds, bounds_name)
    if low <= 0:
        raise ValueError(f"{bounds_name} must hold positive numbers (it is a log-scale slider); "
                         f"received {bounds_name}={bounds}")
    value = check_number(value, value_name)
    if not low <= value <= high:
        raise ValueError(f"{value_name} must lie in {bounds_name} [{low:g}, {high:g}]; "
                         f"received {value_name}={value!r}")
    return low, high, value
