"""The part of ``coursekit grade`` that runs inside the student's kernel.

The grader loads this package *fresh from disk under a private, random module name* after the student's
cells have run, so nothing the student redefined (``check``, ``coursekit.exercises``, ...) is used. It
only *collects*: it calls the student's function on each case under a time limit and prints the encoded
outputs on one line that starts with a nonce the grader drew for this cell. Whether an output is right
is decided afterwards in the grader's own process, so printing or forging a result line cannot earn
points: only outputs equal to the reference do.
"""

from __future__ import annotations

import difflib
import json
import sys

from . import load_tests
from ._framework import ERROR, MISSING, collect

_REGISTRIES: dict = {}


def _registry(tests_dir):
    """The exercises, with the instructor's test files loaded against *this* private copy of the package.

    While they load, ``coursekit.exercises`` names this copy, so their ``from coursekit.exercises import
    Case`` neither sees what the student's code may have done to the real module nor mixes two copies.
    """
    if tests_dir not in _REGISTRIES:
        package = sys.modules[__package__]
        names = {"coursekit.exercises": package, "coursekit.exercises._framework": sys.modules[__package__ + "._framework"]}
        saved = {name: sys.modules.get(name) for name in names}
        sys.modules.update(names)
        try:
            _REGISTRIES[tests_dir] = load_tests(tests_dir)
        finally:
            for name, module in saved.items():
                if module is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module
    return _REGISTRIES[tests_dir]


def _missing_message(exercise, namespace) -> str:
    what = "function" if exercise.kind == "function" else "variable"
    message = f"no {what} named {exercise.var} in the notebook"
    candidates = [k for k in namespace if isinstance(k, str) and not k.startswith("_")]
    close = difflib.get_close_matches(exercise.var, candidates, n=1, cutoff=0.6)
    if close:
        message += f" (did you rename it to {close[0]}? keep the name of the stub)"
    elif exercise.kind == "function":
        message += f" (was its cell deleted, or did it fail to run? define def {exercise.signature}:)"
    return message


def run(name: str, namespace: dict, nonce: str, time_limit: float, tests_dir=None) -> None:
    """Collect the outputs of exercise ``name`` and print them as ``<nonce><json>``. Never raises."""
    try:
        exercise = _registry(tests_dir)[name]
        if exercise.var not in namespace:
            payload = {"status": MISSING, "message": _missing_message(exercise, namespace), "records": []}
        else:
            payload = collect(exercise, namespace[exercise.var], time_limit)
    except BaseException as error:      # noqa: BLE001 - report, never raise into the kernel
        payload = {"status": ERROR, "message": f"could not grade: {type(error).__name__}: {error}", "records": []}
    try:
        line = nonce + json.dumps({"exercise": name, "result": payload})
    except Exception as error:          # pragma: no cover - the payload is plain data
        line = nonce + json.dumps({"exercise": name, "result": {"status": ERROR, "message": str(error)}})
    stream = sys.stdout
    stream.write("\n" + line + "\n")
    stream.flush()
