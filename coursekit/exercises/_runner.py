"""Running the student's answer on the inputs of each case: the part that runs in the student's kernel.

:func:`collect` receives a *job* (:func:`coursekit.exercises._wire.job`: the inputs of the cases and
nothing else) and returns plain records: each output encoded, and the array arguments as they were
after the call. It never sees an expected value. In ``coursekit grade`` it runs in the sandboxed
kernel (:func:`run`, loaded fresh from the read-only kit under a private module name); ``check()``
runs it in the notebook. Either way the records are judged by :mod:`coursekit.exercises._judging`.
"""

from __future__ import annotations

import difflib
import inspect
import json
import signal
import threading
import time

import numpy as np

from ._bans import CallWatch, owner, watch_new_threads
from ._calls import call_case
from ._spec import quiet
from ._wire import decode, encode

#: The MIME type of the one display message that carries a grading result back to the grader.
RESULT_MIME = "application/vnd.coursekit.result+json"


class TimeLimitExceeded(BaseException):
    """Raised inside the student's function when its time is up (a BaseException, so that a plain
    ``except Exception`` in the student's code does not swallow it)."""


def _raise_time_limit(signum, frame):
    raise TimeLimitExceeded()


def call_with_time_limit(fn, seconds: float):
    """Run ``fn()``; return ``("returned", value)``, ``("raised", exception)`` or ``("timeout", None)``.

    In the main thread (Jupyter cells, the grader's kernel) a SIGALRM timer interrupts the call; elsewhere
    the call runs in a daemon thread that is abandoned when its time is up. Never raises.
    """
    seconds = max(float(seconds), 0.001)
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        try:
            old = signal.signal(signal.SIGALRM, _raise_time_limit)
            try:
                signal.setitimer(signal.ITIMER_REAL, seconds)
                try:
                    with quiet():
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
            with quiet():
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


def describe_error(error: BaseException) -> str:
    try:
        text = str(error).strip()
    except BaseException:                   # noqa: BLE001 - a student's __str__ may raise
        text = ""
    text = text.splitlines()[0] if text else ""
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def collect(job: dict, obj) -> dict:
    """Run the student's answer on every case of ``job``; return the encoded records. Never raises.

    Returns ``{"status": "ok" | "not attempted" | "error", "message": str, "records": [...]}``; each
    record has ``status`` ("returned", "raised", "timeout", "skipped", "delegated": it called a banned
    implementation, named in ``called``) and, when it returned,
    ``output`` and ``after`` (the encoded array arguments after the call, ``None`` for the others).
    """
    try:
        return _collect(job, obj)
    except BaseException as error:          # noqa: BLE001 - a broken object must not break check()
        return {"status": "error", "message": f"could not run your answer: {describe_error(error)}",
                "records": []}


def _collect(job: dict, obj) -> dict:
    var, signature = job["variable"], job["signature"]
    if obj is None:
        return {"status": "not attempted", "records": [], "message": f"`{var}` is still None"}
    cases = job["cases"]
    if job["kind"] == "function":
        if not callable(obj):
            return {"status": "error", "records": [], "message":
                    f"{var} must be a function {signature}; received a value of type {type(obj).__name__}. "
                    f"Define it with def {signature}:"}
        watch = CallWatch(job.get("bans", ()), job.get("kernel_threads"), job.get("kernel_processes"))
        status, problem = call_with_time_limit(lambda: _watched_signature(var, signature, obj, cases, watch),
                                               float(job["time_limit"]))
        if watch.seen is not None:
            return {"status": "ok", "message": "", "records": [{"status": "delegated", "called": watch.seen}] * len(cases)}
        if status == "returned" and problem:
            return {"status": "error", "records": [], "message": problem}
    records, deadline, timed_out = [], time.monotonic() + float(job["time_limit"]), False
    for case in cases:
        left = deadline - time.monotonic()
        if timed_out or left <= 0:
            records.append({"status": "skipped" if timed_out else "timeout"})
            timed_out = True
            continue
        watch = CallWatch(job.get("bans", ()), job.get("kernel_threads"), job.get("kernel_processes"))
        status, value = call_with_time_limit(lambda case=case: _run_case(obj, case, job["pure"], watch), left)
        if watch.seen is not None:          # it called what the exercise asks to build: no credit
            records.append({"status": "delegated", "called": watch.seen})
        elif status == "returned":
            records.append(value)
        elif status == "timeout" or isinstance(value, KeyboardInterrupt):
            timed_out = True
            records.append({"status": "timeout"})
        else:
            records.append({"status": "raised", "error": describe_error(value),
                            "not_implemented": isinstance(value, NotImplementedError)})
    return {"status": "ok", "message": "", "records": records}


@owner
def _run_case(obj, case: dict, pure: bool, watch) -> dict:
    """One case, all of it under the watch: decoding the inputs, the call, describing what it raised and
    encoding the output and the arguments after it. Encoding runs the student's code too (``__array__``,
    ``__float__``, ``__len__``, ``__iter__``, a raised exception's ``__str__``); what leaves is plain data."""
    with watch:
        args = [decode(a) for a in case["args"]]
        kwargs = {k: decode(v) for k, v in case["kwargs"].items()}
        try:
            output = call_case(obj, case["call"], args, kwargs)
        except (TimeLimitExceeded, KeyboardInterrupt):
            raise
        except BaseException as error:      # noqa: BLE001 - the student's code may raise anything
            return {"status": "raised", "error": describe_error(error),
                    "not_implemented": isinstance(error, NotImplementedError)}
        after = [encode(a) if isinstance(a, np.ndarray) else None for a in args] if pure else None
        return {"status": "returned", "output": encode(output), "after": after}


@owner
def _watched_signature(var, signature, func, cases, watch) -> str | None:
    """:func:`_signature_problem` under the watch: ``inspect.signature`` runs the answer's ``__signature__``."""
    with watch:
        return _signature_problem(var, signature, func, cases)


def _signature_problem(var, signature, func, cases) -> str | None:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    for case in cases:
        if not case["bind"]:        # a named call that passes other arguments
            continue
        try:
            sig.bind(*case["args"], **case["kwargs"])
        except TypeError:
            name = getattr(func, "__name__", var)
            return (f"wrong signature: the exercise calls {signature}, but yours is "
                    f"{name}{sig}. Keep the parameter names and order of the stub")
    return None


def missing_message(job: dict, namespace) -> str:
    """Why the answer is not in the notebook's namespace, with the closest name if it was renamed."""
    var, function = job["variable"], job["kind"] == "function"
    message = f"no {'function' if function else 'variable'} named {var} in the notebook"
    others = set(job.get("others", ()))       # another exercise's answer is not a renamed one
    candidates = [k for k in namespace if isinstance(k, str) and not k.startswith("_") and k not in others]
    close = difflib.get_close_matches(var, candidates, n=1, cutoff=0.6)
    if close:
        message += f" (did you rename it to {close[0]}? keep the name of the stub)"
    elif function:
        message += f" (was its cell deleted, or did it fail to run? define def {job['signature']}:)"
    return message


def run(job, namespace: dict, nonce: str) -> None:
    """In the grader's kernel: collect one job (a dict, or its JSON) and send the records as one display
    message. Never raises."""
    name = "?"
    try:
        job = job if isinstance(job, dict) else json.loads(job)
        name = job["exercise"]
        if job.get("kernel_threads") is not None:
            watch_new_threads()
        if job["variable"] not in namespace:
            payload = {"status": "missing", "message": missing_message(job, namespace), "records": []}
        else:
            payload = collect(job, namespace[job["variable"]])
    except BaseException as error:      # noqa: BLE001 - report, never raise into the kernel
        payload = {"status": "error", "message": f"could not grade: {describe_error(error)}", "records": []}
    publish = _PUBLISH
    if publish is None:
        from IPython.display import publish_display_data as publish
    publish({RESULT_MIME: {"nonce": nonce, "exercise": name, "result": payload}})


#: IPython's publish_display_data, as it was before the notebook's first cell (set by :func:`prepare`).
_PUBLISH = None
