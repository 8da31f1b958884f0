"""Argument checks shared by the math core.

Every check raises ``ValueError`` or ``TypeError`` whose message names the argument, shows what was
received and says what is allowed, e.g. ``"learning_rate must be a positive number; received
learning_rate=-0.1"``. Students should never see a numpy traceback from deep inside the kit.
"""

from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = {"float32": np.float32, "float64": np.float64}


def short_repr(value, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, with arrays shown by shape and dtype."""
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_dtype(dtype) -> np.dtype:
    """Return float32 or float64 as a numpy dtype; anything else is an error."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be 'float32' or 'float64'; received dtype={short_repr(dtype)}")
    return resolved


def check_number(value, name: str, *, low=None, high=None, low_inclusive=True, high_inclusive=True,
                 integer=False, what=None, allowed=None) -> float | int:
    """Check that ``value`` is a real (or integer) number inside an interval and return it.

    ``low``/``high`` of ``None`` mean unbounded. The message spells the interval the way a
    mathematician writes it, e.g. ``[0, 1)``. ``what`` is the subject of the message when it should
    say more than the argument's name ("Dropout rate must be in [0, 1); received rate=1.5").
    ``allowed`` replaces the interval in words when the reason matters ("an integer >= 2 (both classes
    need a point)").
    """
    what = what or name
    kind = allowed or ("an integer" if integer else "a number")
    bool_like = isinstance(value, (bool, np.bool_))
    ok_type = isinstance(value, numbers.Integral) if integer else isinstance(value, numbers.Real)
    if bool_like or not ok_type:
        raise TypeError(f"{what} must be {kind}; received {name}={short_repr(value)} "
                        f"of type {type(value).__name__}")
    if not integer and not np.isfinite(value):
        raise ValueError(f"{what} must be {allowed or 'a finite number'}; received {name}={value!r}")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        left = "[" if low_inclusive and low is not None else "("
        right = "]" if high_inclusive and high is not None else ")"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{what} must be {allowed or f'in {left}{lo}, {hi}{right}'}; received {name}={value!r}")
    return int(value) if integer else float(value)


def check_bool(value, name: str) -> bool:
    """``value`` if it is True or False (numpy's too); anything else is a TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; received {name}={short_repr(value)} ({type(value).__name__})")
    return bool(value)


def check_positive(value, name: str) -> float:
    """A finite number > 0 (a learning rate, a step size, ...)."""
    check_number(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be a positive number; received {name}={value!r}")
    return float(value)


def check_array(value, name: str, *, ndim=None, dtype=None, finite=True) -> np.ndarray:
    """Convert ``value`` to a numeric array, checking dimensions and that no NaN/inf hides in it."""
    if value is None:
        raise TypeError(f"{name} must be an array of numbers; received {name}=None")
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers; received {short_repr(value)} ({error})") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must contain numbers; received an array of dtype {array.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            shapes = " or ".join({1: "(n_samples,)", 2: "(n_samples, n_features)"}.get(d, f"{d}-D")
                                 for d in allowed)
            raise ValueError(f"{name} must have shape {shapes}; received shape {array.shape}")
    if finite and array.dtype.kind == "f" and not _all_finite(array):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); remove or impute them first")
    return array


def _all_finite(array) -> bool:
    """True if no NaN or inf is in ``array``.

    A NaN or inf makes the sum NaN or inf, so a finite sum proves every entry finite in one pass without a
    temporary (``np.isfinite(X).all()`` builds a boolean array as large as X: 110 ms against 8 ms for the
    sum of a 60,000 x 784 float32 array here). A sum that is not finite may only have overflowed, so the
    entries are then checked one by one.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(array)):
            return True
    return bool(np.all(np.isfinite(array)))


def check_choice(value, name: str, choices) -> str:
    """A string from a fixed set; an unknown one lists the known names."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; "
                         f"received {name}={short_repr(value)}")
    return value


def lookup(registry: dict, name, kind: str):
    """Find ``name`` (case-insensitive) in ``registry``; an unknown name lists the known ones."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} must be a name (str) or a {kind} object; received {short_repr(name)}")
    key = name.lower()
    if key not in registry:
        known = ", ".join(repr(k) for k in registry)
        plural = kind + ("es" if kind.endswith("s") else "s")      # losses, not "losss"
        raise ValueError(f"unknown {kind} {name!r}; known {plural}: {known}")
    return registry[key]


def make_rng(seed, name: str = "seed") -> np.random.Generator:
    """A numpy Generator from an int seed, None (fresh entropy) or an existing Generator (used as it is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    allowed = "None, a non-negative integer or a numpy.random.Generator"
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be {allowed}; received {name}={short_repr(seed)} ({type(seed).__name__})")
    if seed < 0:
        raise ValueError(f"{name} must be {allowed}; received {name}={seed!r}")
    return np.random.default_rng(int(seed))
