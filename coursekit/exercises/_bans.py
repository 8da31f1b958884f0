"""No credit for delegating: while a case runs, the implementations it exercises are off limits.

An :class:`~coursekit.exercises._spec.Exercise` lists what its answer may not call (``bans``:
``"module:qualname"`` prefixes such as ``"coursekit.activations:sigmoid_derivative"`` or ``"torch"``).
:class:`CallWatch` watches every call the answer makes while one case runs (a profile hook on this
thread and on threads it starts): the first call into a banned implementation is recorded and fails
with :class:`Delegated`. The judge then gives the case no credit and says which implementation the
exercise asks the student to build. This checks what runs, not the source text, so an alias, a
``getattr`` or a copy of the function's code object is caught as well; other coursekit use in the
notebook stays allowed.
"""

from __future__ import annotations

import importlib
import sys
import threading

#: The frameworks whose own implementation of an exercise's concept earns nothing.
FRAMEWORKS = ("torch", "keras", "tensorflow", "sklearn", "jax", "autograd")

#: Calls that would switch the watch off: refused while a case runs.
_TAMPERING = ("sys:setprofile", "sys:settrace", "threading:setprofile", "threading:settrace",
              "builtins:setprofile", "builtins:settrace")


class Delegated(BaseException):
    """Raised at a banned call (a BaseException, so a plain ``except Exception`` does not hide it)."""


def _c_name(func) -> str:
    module = getattr(func, "__module__", None)
    owner = getattr(func, "__self__", None)
    if module is None and owner is not None:
        module = owner.__name__ if isinstance(owner, type(sys)) else type(owner).__module__
    return f"{module}:{getattr(func, '__qualname__', getattr(func, '__name__', '?'))}"


def _codes(prefixes) -> dict:
    """The code objects of the banned functions already imported: caught even when copied or renamed."""
    codes = {}
    for prefix in prefixes:
        module_name, _, qualname = prefix.partition(":")
        module = sys.modules.get(module_name)
        if module is None or not qualname:
            continue
        obj = module
        for part in qualname.split("."):
            obj = getattr(obj, part, None)
        candidates = [obj] + (list(vars(obj).values()) if isinstance(obj, type) else [])
        for candidate in candidates:
            code = getattr(getattr(candidate, "__func__", candidate), "__code__", None)
            if code is not None:
                codes[code] = prefix
    return codes


def shown(key: str) -> str:
    """``"coursekit.activations:sigmoid_derivative"`` as a student writes it."""
    module, _, qualname = key.partition(":")
    return f"{module}.{qualname}" if qualname else module


class CallWatch:
    """A context manager: while active, the first call matching ``bans`` is recorded in ``seen`` and raises.

    ``seen`` is ``None`` (nothing banned was called), ``"ban:<name>"`` or ``"tamper:<name>"``.
    """

    def __init__(self, bans):
        self.prefixes = tuple(str(b) for b in bans or ())
        self.seen = None
        self._codes = {}

    def __enter__(self):
        if self.prefixes:
            self._codes = _codes(self.prefixes)
            self._previous = sys.getprofile()
            threading.setprofile(self._hook)
            sys.setprofile(self._hook)
        return self

    def __exit__(self, *exc):
        if self.prefixes:
            sys.setprofile(self._previous)
            threading.setprofile(None)
        return False

    def _hook(self, frame, event, arg):
        if self.seen is not None:
            return
        if event == "call":
            code = frame.f_code
            if code is _EXIT_CODE:          # the watch ending: only the kit's own with-statement may end it
                if frame.f_back is None or frame.f_back.f_code not in _OWNERS:
                    self._stop("tamper:coursekit.exercises._bans:CallWatch.__exit__")
                return
            key = f"{frame.f_globals.get('__name__')}:{getattr(code, 'co_qualname', code.co_name)}"
            hit = self._codes.get(code) or (key if key.startswith(self.prefixes) else None)
            if hit:
                self._stop("ban:" + hit)
        elif event == "c_call":
            if frame.f_code is _EXIT_CODE:
                return
            key = _c_name(arg)
            if key in _TAMPERING:
                self._stop("tamper:" + key)
            elif key.startswith(self.prefixes):
                self._stop("ban:" + key)

    def _stop(self, what):
        self.seen = what                        # recorded first: the student may catch what follows
        raise Delegated(what.split(":", 1)[1])


_EXIT_CODE = CallWatch.__exit__.__code__
#: The code objects allowed to end a watch (the kit's own ``with watch:`` blocks): see :func:`owner`.
_OWNERS: set = set()


def owner(func):
    """Mark ``func`` as a kit function whose ``with watch:`` block may end the watch."""
    _OWNERS.add(func.__code__)
    return func


def message(seen: str) -> str:
    """What the student reads when a case called something banned."""
    kind, _, key = seen.partition(":")
    if kind == "tamper":
        return (f"your answer called {shown(key)} while it was being checked; that switches off the check "
                f"for delegated work and is not allowed")
    return f"write it with numpy: {shown(key)} is what this exercise asks you to build"


def available(prefix: str) -> bool:
    """Whether the module of ``prefix`` can be imported here (used by the tests)."""
    try:
        importlib.import_module(prefix.partition(":")[0])
        return True
    except Exception:
        return False
