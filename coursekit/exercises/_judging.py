"""Judging: the student's outputs against the reference, in the grader's own process.

:func:`judge` takes what :func:`coursekit.exercises._runner.collect` recorded (plain data) and the
:class:`~coursekit.exercises._spec.Exercise` with its reference outputs, and scores it: each output
compared (``compare``, or the case's own ``assess``), in-place changes found by comparing the
arguments after the call with the grader's own copy, the hint of the first typical mistake that
matches. :func:`run_check` is ``check()``: collect and judge in one process, through the same wire
round trip the grader uses.
"""

from __future__ import annotations

import json

import numpy as np

from . import _bans
from ._results import ERROR, FAILED, MISSING, NOT_ATTEMPTED, PARTIAL, PASSED, TIMEOUT, CaseResult, ExerciseResult
from ._runner import collect, describe_error
from ._spec import DEFAULT_TIME_LIMIT, Case, Exercise, Mistake, quiet
from ._wire import Opaque, decode, encode, job


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
        return f"a {type(value).__name__}"
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


def matches(mistake: Mistake, output, case: Case) -> bool:
    """Whether the student's output is this typical mistake's (its ``impl`` run here, or its ``detect``)."""
    try:
        with quiet():
            if mistake.detect is not None:
                return bool(mistake.detect(output, case))
            wrong = decode(encode(case.run(mistake.impl)))
            return compare(output, wrong, rtol=case.rtol, atol=case.atol, equal_nan=True) is None
    except Exception:     # a detector that cannot handle a strange output simply does not match
        return False


def changed_in_place(exercise: Exercise, case: Case, after) -> list[str]:
    """The names of the array arguments whose value after the call differs from the grader's copy."""
    if not exercise.pure or not isinstance(after, list):
        return []
    names, changed = exercise.params, []
    for i, before in enumerate(case.args):
        if not isinstance(before, np.ndarray):
            continue
        now = decode(after[i]) if i < len(after) and after[i] is not None else None
        try:
            same = (isinstance(now, np.ndarray) and before.shape == now.shape
                    and np.array_equal(before, now, equal_nan=before.dtype.kind == "f"))
        except Exception:
            same = False
        if not same:
            changed.append(names[i] if i < len(names) else f"argument {i + 1}")
    return changed


def judge(exercise: Exercise, collected: dict, time_limit: float = DEFAULT_TIME_LIMIT) -> ExerciseResult:
    """Compare the collected outputs with the reference and score the exercise."""
    status = collected.get("status") if isinstance(collected, dict) else None
    message = str(collected.get("message", ""))[:500] if isinstance(collected, dict) else ""
    if status == NOT_ATTEMPTED:
        return ExerciseResult(exercise.name, 0, exercise.points, NOT_ATTEMPTED,
                              "not attempted yet: " + (message or "no answer"))
    if status in (ERROR, MISSING):
        return ExerciseResult(exercise.name, 0, exercise.points, status, message)
    cases = exercise.cases()
    records = collected.get("records") if status == "ok" else None
    if not isinstance(records, list) or len(records) != len(cases):
        return ExerciseResult(exercise.name, 0, exercise.points, ERROR, "grading output was incomplete or malformed")
    ran = [r for r in records if isinstance(r, dict) and r.get("status") != "skipped"]
    if ran and all(r.get("status") == "raised" and r.get("not_implemented") is True for r in ran):
        return ExerciseResult(exercise.name, 0, exercise.points, NOT_ATTEMPTED,
                              "not attempted yet: the function still raises NotImplementedError")
    results, outputs = [], []
    for case, record in zip(cases, records):
        result, output = _judge_case(exercise, case, record, time_limit)
        result.hidden = bool(case.hidden)
        if isinstance(record, dict) and record.get("status") == "returned" and not result.passed:
            result.got = fmt(output)
            result.expected = "" if case.assess is not None else fmt(case.expected)
        results.append(result)
        outputs.append(output)
    _zero_looked_up(cases, results)
    if all(r.passed for r in results):
        return ExerciseResult(exercise.name, exercise.points, exercise.points, PASSED,
                              "the only case passed" if len(results) == 1 else f"all {len(results)} cases passed",
                              results, explain=exercise.explain or "")
    points = partial_credit(exercise, cases, results, outputs)
    failed = [r for r in results if not r.passed]
    first = failed[0]
    if len(failed) > 1 and all(r.message == first.message for r in failed):     # e.g. it always raises
        text = f"{first.message} (in {'all' if len(failed) == len(results) else len(failed)} cases)"
    else:
        text = f"{first.label}: {first.message}"
    text += f" Concept: {exercise.concept}" if exercise.concept else ""
    text += f" Hint: {first.hint}" if first.hint else ""
    timed_out = any(isinstance(r, dict) and r.get("status") == "timeout" for r in records)
    status = TIMEOUT if timed_out else (PARTIAL if points > 0 else FAILED)
    return ExerciseResult(exercise.name, points, exercise.points, status, text, results,
                          concept=exercise.concept or "")


def _judge_case(exercise, case, record, time_limit):
    status = record.get("status") if isinstance(record, dict) else None
    if status == "delegated":
        return CaseResult(case.label, False, _bans.message(str(record.get("called", ""))[:200]),
                          "the exercise is to write this computation yourself, with numpy", zeroes=True), None
    if status == "skipped":
        return CaseResult(case.label, False, "not run: an earlier case ran out of time"), None
    if status == "timeout":
        return CaseResult(case.label, False, f"did not finish within the time limit ({time_limit:g} s)",
                          "look for a loop that never ends (e.g. a while loop whose condition never "
                          "changes)"), None
    if status == "raised":
        error = str(record.get("error", "an exception"))[:300]
        if record.get("not_implemented"):
            return CaseResult(case.label, False, f"raised {error}",
                              "remove the `raise NotImplementedError` line once you have written the code"), None
        return CaseResult(case.label, False, f"raised {error}", case.hint), None
    if status != "returned":
        return CaseResult(case.label, False, "no result"), None
    output = decode(record.get("output"))
    modified = changed_in_place(exercise, case, record.get("after"))
    if modified:
        return CaseResult(case.label, False, f"your function changed its argument {', '.join(modified)} in place",
                          exercise.inplace_hint or "compute a new array (e.g. with np.where or an expression) "
                                                   "instead of assigning into the input", zeroes=True), output
    try:
        with quiet():
            message = (case.assess(output, case) if case.assess is not None else
                       compare(output, case.expected, rtol=case.rtol, atol=case.atol, names=case.names))
    except Exception as error:          # an assessor that cannot digest a strange output: a failure
        message = f"unexpected output ({fmt(output)}): {describe_error(error)}"
    if message is None:
        return CaseResult(case.label, True), output
    hint = next((_hint_of(m, case) for m in exercise.mistakes if matches(m, output, case)), case.hint)
    return CaseResult(case.label, False, message, hint), output


#: Said of a case drawn for grading that failed where every case ``check()`` shows passed.
LOOKED_UP = ("right on every input check() shows, wrong on this one, drawn for grading from the same kind: "
             "an answer must compute its result for any input; outputs looked up or special-cased for the "
             "shown inputs earn nothing")


def _zero_looked_up(cases: list, results: list) -> None:
    """Right on every public case, wrong on one drawn for this grading run (``Case.drawn``): the outputs
    were looked up or special-cased, not computed. Such a failure costs the whole exercise."""
    public = [r for c, r in zip(cases, results) if not c.drawn]
    drawn_failed = [r for c, r in zip(cases, results) if c.drawn and not r.passed]
    if public and drawn_failed and all(r.passed for r in public):
        for result in drawn_failed:
            result.message, result.zeroes = f"{LOOKED_UP} ({result.message})", True


def partial_credit(exercise: Exercise, cases: list, results: list, outputs: list) -> float:
    """Points for an answer that passed some cases: each passed case earns its share, rounded to 0.01.

    Nothing when a case delegated to a banned implementation or changed its arguments in place (the
    answer is not the student's own, or breaks the caller), or when the answer returned the same output
    in every case; and cases that a do-nothing answer passes too (returning zeros, or its input) earn
    nothing: only an answer that passes every case gets them. ``exercise.score``, when given, decides.
    """
    if any(r.zeroes for r in results):
        return 0.0
    if exercise.score is not None:
        try:
            return float(min(max(exercise.score(results, outputs), 0.0), exercise.points))
        except Exception:
            return 0.0
    if _one_output_for_all(outputs):      # a constant passes only the cases that happen to expect it
        return 0.0
    earned = sum(1 for r, case in zip(results, cases) if r.passed and not _trivial(exercise, case))
    return round(exercise.points * earned / len(cases), 2)


def _one_output_for_all(outputs: list) -> bool:
    """Whether the answer returned one and the same output in every case (3 or more), whatever it got."""
    returned = [o for o in outputs if o is not None]
    if len(returned) < 3 or len(returned) < len(outputs):
        return False
    try:
        first = encode(returned[0])
        return all(encode(o) == first for o in returned[1:])
    except Exception:       # an output the wire format cannot hold is not a constant we can compare
        return False


def _do_nothing_answers():
    def zeros(*args, **kwargs):
        return np.zeros_like(np.asarray(args[0], dtype=float)) if args else 0.0

    def ones(*args, **kwargs):
        return np.ones_like(np.asarray(args[0], dtype=float)) if args else 1.0

    def echo(*args, **kwargs):
        return args[0] if args else None
    return zeros, ones, echo


def _trivial(exercise: Exercise, case: Case) -> bool:
    """Whether an answer that does nothing (zeros, ones, its input) passes ``case`` (cached on the case)."""
    if exercise.kind != "function":
        return False
    cached = getattr(case, "_trivial", None)
    if cached is None:
        cached = False
        for answer in _do_nothing_answers():
            try:
                with quiet():
                    output = decode(encode(case.run(answer)))
                    message = (case.assess(output, case) if case.assess is not None else
                               compare(output, case.expected, rtol=case.rtol, atol=case.atol, names=case.names))
            except Exception:
                continue
            if message is None:
                cached = True
                break
        case._trivial = cached
    return cached


def _hint_of(mistake: Mistake, case: Case):
    """A mistake's hint: its text, or the worked example it writes for this case."""
    if not callable(mistake.hint):
        return mistake.hint
    try:
        with quiet():
            return str(mistake.hint(case))
    except Exception:           # pragma: no cover - a broken hint must not break the judging
        return None


def run_check(exercise: Exercise, obj, time_limit: float = DEFAULT_TIME_LIMIT) -> ExerciseResult:
    """``check()``: collect and judge in one process, through the same wire format as the grader."""
    try:
        sent = json.loads(json.dumps(job(exercise, time_limit)))
        collected = json.loads(json.dumps(collect(sent, obj)))
        return judge(exercise, collected, time_limit)
    except Exception as error:          # pragma: no cover - defensive: check() never raises
        return ExerciseResult(exercise.name, 0, exercise.points, ERROR, f"the checker failed: {describe_error(error)}")
