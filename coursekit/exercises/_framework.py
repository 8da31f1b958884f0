"""The machinery shared by ``check()`` in the notebook and by ``coursekit grade``.

An :class:`Exercise` is a list of :class:`Case` objects (inputs and the reference output, computed with
coursekit's own implementation) plus a list of typical :class:`Mistake` objects (each a wrong
implementation or a detector, with the hint to show when the student's output matches it).

Grading happens in two steps, so that the grader can run them in two different processes:

1. :func:`collect` calls the student's function on every case, under a time limit, and returns plain
   records with the outputs *encoded* (:func:`encode`: JSON with numpy arrays as ``.npy`` bytes,
   never pickle). In ``coursekit grade`` this step runs inside the student's kernel.
2. :func:`judge` decodes the outputs and compares them with the reference, finds the matching hint and
   scores the exercise. In ``coursekit grade`` this step runs in the grader's own process, where the
   student's code cannot reach it.

``check()`` runs both steps in one process, through the same encode/decode round trip, so the
notebook shows exactly what the grader will score.
"""

from __future__ import annotations

import base64
import copy
import inspect
import io
import signal
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

#: Default time limit for one exercise (all its cases together), in seconds.
DEFAULT_TIME_LIMIT = 10.0

NOT_ATTEMPTED = "not attempted"
PASSED = "passed"
PARTIAL = "partial"
FAILED = "failed"
TIMEOUT = "timeout"
ERROR = "error"
MISSING = "missing"


# ------------------------------------------------------------------------------------------------
# Cases, mistakes, exercises
# ------------------------------------------------------------------------------------------------
@dataclass
class Case:
    """One test of an exercise.

    Parameters
    ----------
    label : str
        What the case tests, shown to the student ("lecture example: x = [-1, 2] ...").
    args, kwargs :
        The arguments passed to the student's function (deep-copied for every call).
    expected :
        The reference output (computed with coursekit), compared by :func:`compare`.
    judge : callable, optional
        ``judge(output, case) -> None | str``: a custom comparison returning ``None`` when the output
        is right and otherwise a message saying what is wrong. Replaces the default comparison.
    call : callable, optional
        ``call(func, *args, **kwargs) -> output``: how to call the function (default
        ``func(*args, **kwargs)``); e.g. call it several times, or call ``model.predict``.
    rtol, atol : float
        Tolerances of the default comparison (``numpy.allclose``).
    hint : str, optional
        Shown when this case fails and no typical mistake matches.
    names : tuple of str, optional
        Names of the parts of a tuple output, used in messages (e.g. ``("dW1", "db1", "dW2", "db2")``).
    bind : bool
        Whether ``args``/``kwargs`` are exactly what the function receives, so that a wrong signature
        is reported before anything runs (set ``False`` for a ``call`` that passes other arguments).
    """

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    judge: Callable | None = None
    call: Callable | None = None
    rtol: float = 1e-5
    atol: float = 1e-8
    hint: str | None = None
    names: tuple | None = None
    bind: bool = True

    def run(self, func):
        """Call ``func`` on fresh copies of the arguments; return ``(output, args_after_call)``."""
        args, kwargs = copy.deepcopy(self.args), copy.deepcopy(self.kwargs)
        output = self.call(func, *args, **kwargs) if self.call else func(*args, **kwargs)
        return output, args, kwargs

    def check_output(self, output) -> str | None:
        """``None`` if ``output`` is right for this case, else a message."""
        if self.judge is not None:
            return self.judge(output, self)
        return compare(output, self.expected, rtol=self.rtol, atol=self.atol, names=self.names)


@dataclass
class Mistake:
    """A typical wrong answer and the hint that explains it.

    Give either ``impl`` (a wrong implementation with the exercise's signature: the student's output
    matches the mistake when it equals ``impl``'s output on the same case) or ``detect``
    (``detect(output, case) -> bool``, for outputs that are random, e.g. dropout masks).
    """

    hint: str
    impl: Callable | None = None
    detect: Callable | None = None

    def matches(self, output, case: Case) -> bool:
        try:
            with _quiet():
                if self.detect is not None:
                    return bool(self.detect(output, case))
                wrong, _, _ = case.run(self.impl)
                wrong = decode(encode(wrong))
                return compare(output, wrong, rtol=case.rtol, atol=case.atol, equal_nan=True) is None
        except Exception:     # a detector that cannot handle a strange output simply does not match
            return False


@dataclass
class Exercise:
    """An exercise: what the student writes, its test cases, points and typical mistakes.

    Parameters
    ----------
    name : str
        The key used by ``check(name, obj)`` and in grading reports.
    notebook : str
        The notebook it belongs to ("01" ... "10").
    points : float
        Points for a fully correct answer.
    signature : str
        The contract, e.g. ``"perceptron_forward(x, w0, w)"``.
    summary : str
        One line saying what to compute.
    build_cases : callable
        ``build_cases() -> list[Case]``; deterministic (fixed seeds), so the grader's process and the
        student's kernel build identical inputs.
    mistakes : list of Mistake
    kind : {"function", "object"}
        A function the student writes, or an object (e.g. a trained model) the notebook defines.
    variable : str, optional
        The notebook variable holding the answer (default: ``name``).
    pure : bool
        The function must not change its array arguments in place.
    score : callable, optional
        ``score(results: list[CaseResult], outputs: list) -> float`` for partial credit; by default
        all cases must pass for the points.
    """

    name: str
    notebook: str
    points: float
    signature: str
    summary: str
    build_cases: Callable[[], list]
    mistakes: list = field(default_factory=list)
    kind: str = "function"
    variable: str | None = None
    pure: bool = True
    score: Callable | None = None
    _cases: list | None = field(default=None, repr=False)

    @property
    def params(self) -> list[str]:
        if "(" not in self.signature:
            return []
        inside = self.signature[self.signature.index("(") + 1: self.signature.rindex(")")]
        return [p.split("=")[0].strip() for p in inside.split(",") if p.strip()]

    @property
    def var(self) -> str:
        return self.variable or self.name

    def cases(self) -> list[Case]:
        if self._cases is None:
            with _quiet():
                self._cases = list(self.build_cases())
        return self._cases


# ------------------------------------------------------------------------------------------------
# Results
# ------------------------------------------------------------------------------------------------
@dataclass
class CaseResult:
    label: str
    passed: bool
    message: str = ""
    hint: str | None = None

    def to_dict(self) -> dict:
        return {"label": self.label, "passed": self.passed, "message": self.message, "hint": self.hint}


@dataclass
class ExerciseResult:
    """The outcome of one exercise: ``points`` of ``max_points``, a ``status`` and one result per case.

    ``status`` is one of "passed", "partial", "failed", "timeout", "not attempted", "missing", "error".
    In Jupyter it displays as a small HTML block (with a text/plain fallback).
    """

    name: str
    points: float
    max_points: float
    status: str
    message: str = ""
    cases: list = field(default_factory=list)
    notebook: str = ""

    @property
    def score(self) -> float:
        return self.points

    @property
    def max(self) -> float:
        return self.max_points

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def to_dict(self) -> dict:
        return {"name": self.name, "notebook": self.notebook, "points": self.points, "max_points": self.max_points,
                "status": self.status, "message": self.message,
                "cases": [c.to_dict() for c in self.cases]}

    def __str__(self) -> str:
        from ._display import as_text
        return as_text(self)

    def __repr__(self) -> str:
        return f"<ExerciseResult {self.name}: {_fmt_points(self.points)}/{_fmt_points(self.max_points)} {self.status}>"

    def _repr_html_(self) -> str:
        from ._display import as_html
        return as_html(self)

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))

    def _ipython_display_(self):
        # check() already displayed this result in the cell that called it; the cell's own display of
        # its last expression would show it a second time.
        if getattr(self, "_shown_in", None) is not None and self._shown_in == _execution_count():
            return
        _show(self)


def _fmt_points(x: float) -> str:
    return f"{x:g}"


def _execution_count():
    try:
        from IPython import get_ipython
        ip = get_ipython()
        return None if ip is None else ip.execution_count
    except Exception:
        return None


def _show(result: ExerciseResult) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
        if get_ipython() is not None:
            display({"text/plain": str(result), "text/html": result._repr_html_()}, raw=True)
            return
    except Exception:
        pass
    print(str(result))


# ------------------------------------------------------------------------------------------------
# Running the student's code: time limits, quiet numerics
# ------------------------------------------------------------------------------------------------
class TimeLimitExceeded(BaseException):
    """Raised inside the student's function when its time is up (a BaseException, so that a plain
    ``except Exception`` in the student's code does not swallow it)."""


def _raise_time_limit(signum, frame):
    raise TimeLimitExceeded()


class _quiet:
    """Silence numpy floating-point warnings and Python warnings (overflow in a student's exp ...)."""

    def __enter__(self):
        self._err = np.seterr(all="ignore")
        self._warn = warnings.catch_warnings()
        self._warn.__enter__()
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc):
        self._warn.__exit__(*exc)
        np.seterr(**self._err)
        return False


def call_with_time_limit(fn: Callable[[], Any], seconds: float):
    """Run ``fn()``; return ``("returned", value)``, ``("raised", exception)`` or ``("timeout", None)``.

    In the main thread (Jupyter cells, the grader's kernel) a SIGALRM timer interrupts the call; elsewhere
    the call runs in a daemon thread that is abandoned when its time is up. Never raises.
    """
    seconds = max(float(seconds), 0.001)
    use_signal = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if use_signal:
        try:
            old = signal.signal(signal.SIGALRM, _raise_time_limit)
            try:
                signal.setitimer(signal.ITIMER_REAL, seconds)
                try:
                    with _quiet():
                        value = fn()
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            finally:
                signal.signal(signal.SIGALRM, old)
            return "returned", value
        except TimeLimitExceeded:
            return "timeout", None
        except BaseException as error:      # noqa: BLE001 - the student's code may raise anything
            return "raised", error
    box = {}

    def target():
        try:
            with _quiet():
                box["value"] = fn()
        except BaseException as error:      # noqa: BLE001
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True, name="coursekit-check")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return "timeout", None
    if "error" in box:
        return "raised", box["error"]
    return "returned", box.get("value")


def _describe_error(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _type_name(obj) -> str:
    return type(obj).__name__


def collect(exercise: Exercise, obj, time_limit: float = DEFAULT_TIME_LIMIT) -> dict:
    """Step 1: run the student's answer on every case and record the (encoded) outputs.

    Returns a plain dict (JSON-serialisable): ``{"status": "ok" | "not attempted" | "error",
    "message": str, "records": [...]}``; each record has ``status`` ("returned", "raised", "timeout",
    "skipped"), ``output`` (encoded), ``error`` and ``modified`` (names of arguments changed in place).
    Never raises.
    """
    try:
        return _collect(exercise, obj, time_limit)
    except BaseException as error:          # noqa: BLE001 - a broken object must not break check()
        return {"status": ERROR, "message": f"could not run your answer: {_describe_error(error)}",
                "records": []}


def _collect(exercise: Exercise, obj, time_limit: float) -> dict:
    if obj is None:
        return {"status": NOT_ATTEMPTED, "records": [],
                "message": f"`{exercise.var}` is still None"}
    cases = exercise.cases()
    if exercise.kind == "function":
        if not callable(obj):
            return {"status": ERROR, "records": [], "message":
                    f"{exercise.var} must be a function {exercise.signature}; received a value of type {_type_name(obj)}. "
                    f"Define it with def {exercise.signature}:"}
        problem = _signature_problem(exercise, obj, cases)
        if problem:
            return {"status": ERROR, "records": [], "message": problem}
    records = []
    deadline = _now() + time_limit
    timed_out = False
    for case in cases:
        if timed_out:
            records.append({"status": "skipped"})
            continue
        left = deadline - _now()
        if left <= 0:
            timed_out = True
            records.append({"status": "timeout"})
            continue
        holder = {}

        def run(case=case, holder=holder):
            output, args, kwargs = case.run(obj)
            holder["modified"] = _modified(exercise, case, args) if exercise.pure else []
            return encode(output)

        status, value = call_with_time_limit(run, left)
        if status == "returned":
            records.append({"status": "returned", "output": value, "modified": holder.get("modified", [])})
        elif status == "timeout" or isinstance(value, KeyboardInterrupt):
            timed_out = True
            records.append({"status": "timeout"})
        else:
            records.append({"status": "raised", "error": _describe_error(value),
                            "not_implemented": isinstance(value, NotImplementedError)})
    return {"status": "ok", "message": "", "records": records}


def _now() -> float:
    import time
    return time.monotonic()


def _signature_problem(exercise: Exercise, func, cases) -> str | None:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    for case in cases:
        if not case.bind:       # a custom call that passes other arguments
            continue
        try:
            sig.bind(*case.args, **case.kwargs)
        except TypeError:
            name = getattr(func, "__name__", exercise.var)
            return (f"wrong signature: the exercise calls {exercise.signature}, but yours is "
                    f"{name}{sig}. Keep the parameter names and order of the stub")
    return None


def _modified(exercise: Exercise, case: Case, args_after) -> list[str]:
    names = exercise.params
    changed = []
    for i, (before, after) in enumerate(zip(case.args, args_after)):
        if isinstance(before, np.ndarray):
            try:
                same = (isinstance(after, np.ndarray) and before.shape == after.shape
                        and np.array_equal(before, after, equal_nan=before.dtype.kind == "f"))
            except Exception:
                same = False
            if not same:
                changed.append(names[i] if i < len(names) else f"argument {i + 1}")
    return changed


# ------------------------------------------------------------------------------------------------
# Encoding outputs (student kernel -> grader): JSON, arrays as .npy bytes, never pickle
# ------------------------------------------------------------------------------------------------
MAX_ELEMENTS = 2_000_000


class Opaque:
    """An output that is not a number, array, list or tuple: only its type name travels."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name} object>"

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.type_name == self.type_name


def encode(obj, _depth: int = 0):
    """Turn an output into JSON-safe data: numbers, strings, lists/tuples and arrays (.npy, base64)."""
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
    if isinstance(obj, dict):
        return {"opaque": "dict"}
    try:
        array = np.asarray(obj)
        if array.dtype.kind in "biufc":
            return _encode_array(array)
    except Exception:
        pass
    return {"opaque": type(obj).__name__}


def _encode_array(array: np.ndarray):
    if array.dtype.kind not in "biuf" or array.size > MAX_ELEMENTS:
        kind = f"array of dtype {array.dtype}" if array.dtype.kind not in "biuf" else "array too large"
        return {"opaque": kind}
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return {"nd": base64.b64encode(buffer.getvalue()).decode("ascii")}


def decode(data):
    """Inverse of :func:`encode`; only ever builds plain Python/numpy values (no code runs)."""
    if not isinstance(data, dict) or len(data) != 1:
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
        items = [decode(x) for x in value]
        return items if key == "list" else tuple(items)
    if key == "opaque":
        return Opaque(str(value))
    return Opaque("malformed")


# ------------------------------------------------------------------------------------------------
# Comparing
# ------------------------------------------------------------------------------------------------
def fmt(value) -> str:
    """A short, deterministic rendering of a number or an array."""
    if isinstance(value, Opaque):
        return repr(value)
    if isinstance(value, (list, tuple)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        return f"a {kind} of {len(value)} items"
    try:
        array = np.asarray(value, dtype=float)
    except Exception:
        return f"a {_type_name(value)}"
    if array.ndim == 0:
        return f"{float(array):.4g}"
    if array.size > 8:
        return f"an array of shape {array.shape}"
    return np.array2string(array, precision=4, separator=", ", suppress_small=False,
                           formatter={"float_kind": lambda x: f"{x:.4g}"})


def as_numeric(value):
    """``value`` as a numeric array, or ``None`` when it is not numbers."""
    if value is None or isinstance(value, (Opaque, str, dict)):
        return None
    try:
        array = np.asarray(value)
    except Exception:
        return None
    if array.dtype.kind not in "biuf":
        return None
    return array


def compare(output, expected, *, rtol=1e-5, atol=1e-8, names=None, equal_nan=False, _what="") -> str | None:
    """``None`` when ``output`` matches ``expected`` (numbers, arrays, tuples of them), else a message.

    A scalar expectation accepts any one-element array. Shapes must otherwise match exactly.
    """
    what = f"{_what}: " if _what else ""
    if isinstance(expected, tuple):
        n = len(expected)
        parts = "(" + ", ".join(names) + ")" if names else f"{n} values"
        if not isinstance(output, (tuple, list)):
            if output is None:
                return f"{what}returned None; return {parts}"
            return f"{what}expected a tuple of {parts}; got {fmt(output)}"
        if len(output) != n:
            return f"{what}expected {n} values {parts}; got {len(output)}"
        for i, (o, e) in enumerate(zip(output, expected)):
            label = names[i] if names else f"value {i + 1}"
            message = compare(o, e, rtol=rtol, atol=atol, equal_nan=equal_nan, _what=label)
            if message:
                return message
        return None
    if output is None:
        return f"{what}returned None: did you forget the return statement?"
    got = as_numeric(output)
    want = np.asarray(expected, dtype=float)
    if got is None:
        return f"{what}expected {'a number' if want.ndim == 0 else 'an array'}; got {fmt(output)}"
    if want.ndim == 0:
        if got.size != 1:
            return f"{what}expected a single number; got an array of shape {got.shape}"
        got = got.reshape(())
    elif got.shape != want.shape:
        return f"{what}expected shape {want.shape}; got shape {got.shape}"
    got = got.astype(float)
    if not equal_nan and not np.all(np.isfinite(got)) and np.all(np.isfinite(want)):
        return (f"{what}expected {fmt(want)}; got {fmt(got)} (NaN or infinity: something overflowed or "
                f"divided by zero)")
    if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=equal_nan):
        if want.size > 8:
            bad = np.argwhere(~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=equal_nan))[0]
            index = tuple(int(i) for i in bad)
            return (f"{what}wrong values, e.g. at index {index}: expected {want[index]:.4g}, "
                    f"got {got[index]:.4g}")
        return f"{what}expected {fmt(want)}; got {fmt(got)}"
    return None


# ------------------------------------------------------------------------------------------------
# Judging
# ------------------------------------------------------------------------------------------------
def judge(exercise: Exercise, collected: dict, time_limit: float = DEFAULT_TIME_LIMIT) -> ExerciseResult:
    """Step 2: compare the collected outputs with the reference and score the exercise."""
    status = collected.get("status") if isinstance(collected, dict) else None
    message = str(collected.get("message", "")) if isinstance(collected, dict) else ""
    if status == NOT_ATTEMPTED:
        return ExerciseResult(exercise.name, 0, exercise.points, NOT_ATTEMPTED,
                              "not attempted yet: " + (message or "no answer"))
    if status in (ERROR, MISSING):
        return ExerciseResult(exercise.name, 0, exercise.points, status, message)
    cases = exercise.cases()
    records = collected.get("records") if status == "ok" else None
    if not isinstance(records, list) or len(records) != len(cases):
        return ExerciseResult(exercise.name, 0, exercise.points, ERROR,
                              "grading output was incomplete or malformed")
    ran = [r for r in records if isinstance(r, dict) and r.get("status") != "skipped"]
    if ran and all(r.get("status") == "raised" and r.get("not_implemented") is True for r in ran):
        return ExerciseResult(exercise.name, 0, exercise.points, NOT_ATTEMPTED,
                              "not attempted yet: the function still raises NotImplementedError")
    results, outputs = [], []
    timed_out = False
    for case, record in zip(cases, records):
        result, output = _judge_case(exercise, case, record, time_limit)
        timed_out |= isinstance(record, dict) and record.get("status") == "timeout"
        results.append(result)
        outputs.append(output)
    n_passed = sum(r.passed for r in results)
    if n_passed == len(results):
        return ExerciseResult(exercise.name, exercise.points, exercise.points, PASSED,
                              "the only case passed" if len(results) == 1 else f"all {len(results)} cases passed", results)
    points = 0.0
    if exercise.score is not None:
        try:
            points = float(min(max(exercise.score(results, outputs), 0.0), exercise.points))
        except Exception:
            points = 0.0
    first = next(r for r in results if not r.passed)
    text = f"{first.label}: {first.message}"
    if first.hint:
        text += f" Hint: {first.hint}"
    status = TIMEOUT if timed_out else (PARTIAL if points > 0 else FAILED)
    return ExerciseResult(exercise.name, points, exercise.points, status, text, results)


def _judge_case(exercise, case, record, time_limit):
    if not isinstance(record, dict):
        return CaseResult(case.label, False, "no result"), None
    status = record.get("status")
    if status == "skipped":
        return CaseResult(case.label, False, "not run: an earlier case ran out of time"), None
    if status == "timeout":
        return CaseResult(case.label, False, f"did not finish within the time limit ({time_limit:g} s)",
                          "look for a loop that never ends (e.g. a while loop whose condition never "
                          "changes)"), None
    if status == "raised":
        error = str(record.get("error", "an exception"))
        if record.get("not_implemented"):
            return CaseResult(case.label, False, f"raised {error}",
                              "remove the `raise NotImplementedError` line once you have written the code"), None
        return CaseResult(case.label, False, f"raised {error}", case.hint), None
    if status != "returned":
        return CaseResult(case.label, False, "no result"), None
    output = decode(record.get("output"))
    modified = record.get("modified") or []
    if modified:
        names = ", ".join(str(m) for m in modified)
        return CaseResult(case.label, False, f"your function changed its argument {names} in place",
                          "compute a new array (e.g. with np.where or an expression) instead of "
                          "assigning into the input"), output
    try:
        with _quiet():
            message = case.check_output(output)
    except Exception as error:          # a judge that cannot digest a strange output: a failure
        message = f"unexpected output ({fmt(output)}): {_describe_error(error)}"
    if message is None:
        return CaseResult(case.label, True), output
    hint = case.hint
    for mistake in exercise.mistakes:
        if mistake.matches(output, case):
            hint = mistake.hint
            break
    return CaseResult(case.label, False, message, hint), output


def run_check(exercise: Exercise, obj, time_limit: float = DEFAULT_TIME_LIMIT) -> ExerciseResult:
    """Both steps in one process (what ``check()`` does), through the same encode/decode as the grader."""
    collected = collect(exercise, obj, time_limit)
    try:
        return judge(exercise, collected, time_limit)
    except Exception as error:          # pragma: no cover - defensive: check() never raises
        return ExerciseResult(exercise.name, 0, exercise.points, ERROR,
                              f"the checker failed: {_describe_error(error)}")

