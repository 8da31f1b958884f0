"""What travels between the grader and a student's kernel: plain data only, never pickle.

* Grader -> kernel: a *job* (:func:`job`) holding, per case, only the **inputs** (arguments, the name
  of the call, whether to bind the signature): never expected values, reference functions, hints or
  case objects.
* Kernel -> grader: per case, the output and the array arguments after the call (for the in-place
  check), each encoded by :func:`encode`: JSON with numbers, strings, lists/tuples and numpy arrays
  as ``.npy`` bytes (``allow_pickle=False``), sizes capped.

:func:`decode` only ever builds numbers, strings, tuples, lists, numpy arrays and numpy
``Generator`` objects of a known bit generator: no code of the other side runs.
"""

from __future__ import annotations

import base64
import functools
import io
import json

import numpy as np

#: Largest array that travels (elements); larger outputs arrive as an opaque placeholder.
MAX_ELEMENTS = 2_000_000
#: Largest result message the grader accepts from a kernel (characters of JSON).
MAX_RESULT_CHARS = 8 * 2 ** 20         # the largest result of the built-in exercises is 0.75 MB
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")


class Opaque:
    """An output that is not a number, array, list or tuple: only its type name travels."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name} object>"

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.type_name == self.type_name


def encode(obj, _depth: int = 0):
    """Turn a value into JSON-safe data: numbers, strings, lists/tuples, arrays (.npy, base64), Generators."""
    if obj is None or isinstance(obj, (bool, str)):
        return {"v": obj if not isinstance(obj, str) else obj[:200]}
    if isinstance(obj, (np.ndarray, np.generic)):
        return _encode_array(np.asarray(obj))
    if isinstance(obj, int):
        return {"v": int(obj)} if abs(obj) < 2 ** 53 else {"f": float.__repr__(float(obj))}
    if isinstance(obj, float):
        return {"f": float.__repr__(float(obj))}
    if isinstance(obj, (list, tuple)) and _depth < 4:
        if len(obj) > 100_000:
            return {"opaque": f"{type(obj).__name__} of {len(obj)} items"}
        return {"list" if isinstance(obj, list) else "tuple": [encode(x, _depth + 1) for x in obj]}
    if isinstance(obj, np.random.Generator):
        state = obj.bit_generator.state
        if state.get("bit_generator") in _BIT_GENERATORS:
            return {"rng": json.loads(json.dumps(state, default=_plain))}
    if isinstance(obj, dict):
        return {"opaque": "dict"}
    if callable(obj):
        return _encode_function(obj, _depth)
    try:
        array = np.asarray(obj)
        if array.dtype.kind in "biufc":
            return _encode_array(array)
    except Exception:
        pass
    return {"opaque": type(obj).__name__}


def _encode_function(obj, depth):
    """A function of :data:`~coursekit.exercises._calls.FUNCTIONS` (or a partial of one with keyword
    values) travels by name; any other function only as an opaque placeholder."""
    FUNCTIONS = _function_table()
    keywords = {}
    if isinstance(obj, functools.partial) and not obj.args:
        obj, keywords = obj.func, obj.keywords
    name = next((n for n, f in FUNCTIONS.items() if f is obj), None)
    if name is None:
        return {"opaque": "function"}
    return {"fn": {"name": name, "kw": {str(k): encode(v, depth + 1) for k, v in keywords.items()}}}


def _decode_function(value, depth):
    FUNCTIONS = _function_table()
    if not isinstance(value, dict) or value.get("name") not in FUNCTIONS or not isinstance(value.get("kw"), dict):
        return Opaque("malformed")
    keywords = {str(k): decode(v, depth + 1) for k, v in value["kw"].items()}
    fn = FUNCTIONS[value["name"]]
    return functools.partial(fn, **keywords) if keywords else fn


_FUNCTIONS = None


def _function_table() -> dict:
    """:data:`coursekit.exercises._calls.FUNCTIONS`, imported once (in ``coursekit grade``, before the
    notebook's first cell: a later import would go through the kernel's import machinery)."""
    global _FUNCTIONS
    if _FUNCTIONS is None:
        from ._calls import FUNCTIONS
        _FUNCTIONS = FUNCTIONS
    return _FUNCTIONS


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value).__name__)


def _encode_array(array: np.ndarray):
    if array.dtype.kind not in "biuf" or array.size > MAX_ELEMENTS:
        kind = f"array of dtype {array.dtype}" if array.dtype.kind not in "biuf" else "array too large"
        return {"opaque": kind}
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return {"nd": base64.b64encode(buffer.getvalue()).decode("ascii")}


def decode(data, _depth: int = 0):
    """Inverse of :func:`encode`; only ever builds plain Python/numpy values (no code runs)."""
    if not isinstance(data, dict) or len(data) != 1 or _depth > 6:
        return Opaque("malformed")
    (key, value), = data.items()
    if key == "v":
        return value if value is None or isinstance(value, (bool, int, float, str)) else Opaque("malformed")
    if key == "f":
        try:
            return float(value)
        except (TypeError, ValueError):
            return Opaque("malformed")
    if key == "nd":
        try:
            array = np.load(io.BytesIO(base64.b64decode(value)), allow_pickle=False)
            return array[()] if array.ndim == 0 else array
        except Exception:
            return Opaque("malformed")
    if key in ("list", "tuple") and isinstance(value, list):
        items = [decode(x, _depth + 1) for x in value]
        return items if key == "list" else tuple(items)
    if key == "rng":
        return _decode_rng(value)
    if key == "fn":
        return _decode_function(value, _depth)
    if key == "opaque":
        return Opaque(str(value)[:100])
    return Opaque("malformed")


def _decode_rng(state):
    try:
        name = state["bit_generator"]
        if name not in _BIT_GENERATORS:
            return Opaque("malformed")
        bit_generator = getattr(np.random, name)()
        bit_generator.state = state
        return np.random.Generator(bit_generator)
    except Exception:
        return Opaque("malformed")


def job(exercise, time_limit: float) -> dict:
    """What the kernel needs to run one exercise: the answer's name and each case's *inputs* only."""
    cases = [{"args": [encode(a) for a in case.args],
              "kwargs": {str(k): encode(v) for k, v in case.kwargs.items()},
              "call": case.call, "bind": bool(case.bind)} for case in exercise.cases()]
    return {"exercise": exercise.name, "variable": exercise.var, "kind": exercise.kind,
            "signature": exercise.signature, "pure": bool(exercise.pure),
            "time_limit": max(float(time_limit), float(getattr(exercise, "time_limit", None) or 0.0)),
            "bans": [str(b) for b in getattr(exercise, "bans", ()) or ()], "others": _others(exercise),
            "cases": cases}


def _others(exercise) -> list:
    """The answer variables of the kit's other exercises (never suggested as a rename of this one)."""
    from . import EXERCISES
    return sorted(e.var for e in EXERCISES.values() if e.var != exercise.var)


def loads_result(text: str):
    """Parse a kernel's result message; ``(payload, problem)``. Refuses oversized or malformed ones."""
    if not isinstance(text, str) or len(text) > MAX_RESULT_CHARS:
        return None, "the grading output was too large"
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None, "the grading output was malformed (not JSON)"
    if not isinstance(data, dict) or not isinstance(data.get("result"), dict):
        return None, "the grading output was malformed"
    return data, ""
