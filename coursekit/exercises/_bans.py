"""No credit for delegating: while a case runs, the implementations it exercises are off limits.

An :class:`~coursekit.exercises._spec.Exercise` lists what its answer may not call (``bans``:
``"module:qualname"`` prefixes such as ``"coursekit.activations:sigmoid_derivative"`` or ``"torch"``).
:class:`CallWatch` watches every call the answer makes while one case runs (a profile hook on this
thread and on threads it starts): the first call into a banned implementation is recorded and fails
with :class:`Delegated`. The judge then gives the case no credit and says which implementation the
exercise asks the student to build. This checks what runs, not the source text, so an alias, a
``getattr`` or a copy of a banned function's code object is caught as well (for a module ban such as
``"coursekit.losses"``, the code of every function and method defined in it); other coursekit use in
the notebook stays allowed. Everything of the student's that runs while a case is handled runs under
the watch: the call, and converting what it returned to data (``__array__``, ``__float__``, ...).

What would blind the watch is refused too, each recorded and judged like a banned call:

* calling ``sys.setprofile``/``settrace`` (or threading's) while a case runs;
* a notebook that *replaced* ``sys.setprofile``, ``sys.getprofile`` or ``sys._current_frames`` before
  grading (the real ones are C builtins bound to the real ``sys``: a stand-in cannot pass for them);
* in ``coursekit grade``, a Python thread that the notebook started before grading and that is still
  alive while a case runs: a profile hook cannot be set on a thread that already runs (before Python
  3.12), so such a thread could do the banned work unseen (e.g. fed through a queue). The grader tells
  the watch which threads the kernel had before the student's first cell (``kernel_threads``); threads
  started while a case runs get the hook, and keep it for the later cases;
* starting another process while a case runs (``subprocess``, ``os.fork``, ``os.system``, ...: the audit
  hook of :mod:`._seal`, shared, see :func:`._seal.guard_spawning`): its work would be out of sight;
* in ``coursekit grade``, a process the notebook started before grading that is still alive (e.g. a
  helper fed through a pipe). The grader lists the PIDs the sandbox has before the student's first cell
  (``kernel_processes``); the watch reads ``/proc`` in the kernel (the sandbox's own PID namespace) with
  the os functions captured when the runner was loaded, before any student code. Inside, because the
  check must hold while the case runs: the grader sees the sandbox from outside only between cells, and a
  helper could be started in the grading cell itself (by a thread that then ends). Unsandboxed
  (``--no-sandbox``) ``/proc`` lists the whole machine, so there is no process check there.

The watch runs in the student's process, so it raises the bar rather than closing every door: code
written against these internals (ctypes, rewriting the hook's own code objects) can still get round
it, and so can code that reads a case's inputs before the watch starts (see :mod:`._preload`). What is
*graded* does not depend on it: expected values never enter the kernel.
"""

from __future__ import annotations

import importlib
import sys
import threading
from _thread import get_ident as _get_ident
from os import close as _close, getpid as _getpid, listdir as _listdir, open as _open, read as _read

from . import _seal

#: The frameworks whose own implementation of an exercise's concept earns nothing.
FRAMEWORKS = ("torch", "keras", "tensorflow", "sklearn", "jax", "autograd")

#: Calls that would switch the watch off: refused while a case runs.
_TAMPERING = ("sys:setprofile", "sys:settrace", "threading:setprofile", "threading:settrace",
              "builtins:setprofile", "builtins:settrace", "sys:_setprofileallthreads",
              "sys:_settraceallthreads", "threading:setprofile_all_threads", "threading:settrace_all_threads")
#: The sys functions the watch relies on: they must be the interpreter's own.
_RELIED_ON = ("setprofile", "getprofile", "_current_frames")
#: C calls that start another process without an audit event of their own.
_SPAWNING = ("_posixsubprocess:fork_exec",)
#: The os functions the process check reads /proc with (captured when the kit loads).
_PROC_READERS = ((_listdir, "listdir"), (_open, "open"), (_read, "read"), (_close, "close"), (_getpid, "getpid"))
_BUILTIN = [].append.__class__          # builtin_function_or_method, reached without a name to replace
_FUNCTION = (lambda: None).__class__


class Delegated(BaseException):
    """Raised at a banned call (a BaseException, so a plain ``except Exception`` does not hide it)."""


def _c_name(func) -> str:
    module = getattr(func, "__module__", None)
    owner = getattr(func, "__self__", None)
    if module is None and owner is not None:
        module = owner.__name__ if isinstance(owner, type(sys)) else type(owner).__module__
    return f"{module}:{getattr(func, '__qualname__', getattr(func, '__name__', '?'))}"


def _codes(prefixes) -> dict:
    """The code objects of the banned functions already imported: caught even when copied or renamed.

    A ``"module:qualname"`` prefix gives that function or class (its methods, nested classes' too); a
    module prefix (``"coursekit.losses"``) every function and method defined in that module and its
    submodules, so that a copy of a whole class with the module's code objects is caught as well.
    """
    codes = {}
    for prefix in prefixes:
        module_name, _, qualname = prefix.partition(":")
        if qualname:
            obj = sys.modules.get(module_name)
            for part in qualname.split(".") if obj is not None else ():
                obj = getattr(obj, part, None)
            if obj is not None:
                codes.update(dict.fromkeys(_walk(obj, getattr(obj, "__module__", module_name)), prefix))
            continue
        for name, module in list(sys.modules.items()):
            if name == module_name or name.startswith(module_name + "."):
                codes.update((code, f"{name}:{getattr(code, 'co_qualname', code.co_name)}")
                             for code in _module_codes(name, module))
    return codes


#: Per banned module: ``(its namespace, its size when walked, its code objects)``, so that a case does not
#: walk a large framework again unless it changed.
_MODULE_CODES: dict = {}


def _module_codes(name: str, module) -> tuple:
    space = getattr(module, "__dict__", None)
    if not isinstance(space, dict):
        return ()
    cached = _MODULE_CODES.get(name)
    if cached is not None and cached[0] is space and cached[1] == len(space):
        return cached[2]
    codes = tuple(code for value in list(space.values()) for code in _walk(value, name))
    if not name.startswith("coursekit"):    # the kit's modules are small: never from a cache a notebook could fill
        _MODULE_CODES[name] = (space, len(space), codes)
    return codes


def _walk(obj, module_name: str, _seen=None):
    """The code objects of ``obj`` defined in ``module_name``: a function's (nested ones included), or those
    of a class's methods, static/class methods, properties and nested classes. Only C-level attributes are
    read (``type(obj)``, never ``isinstance``), so that no code of an object put in a module runs here."""
    seen = set() if _seen is None else _seen
    kind = type(obj)
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if issubclass(kind, type):
        module = obj.__dict__.get("__module__")
        if type(module) is str and module == module_name:
            for value in list(obj.__dict__.values()):
                yield from _walk(value, module_name, seen)
    elif kind is property:
        for part in (obj.fget, obj.fset, obj.fdel):
            yield from _walk(part, module_name, seen)
    elif kind is staticmethod or kind is classmethod:
        yield from _walk(obj.__func__, module_name, seen)
    elif kind is _FUNCTION:     # its globals, not __module__: a decorator's wrapper copies __module__
        defined_in = obj.__globals__.get("__name__")
        if type(defined_in) is str and defined_in == module_name:
            yield from _nested(obj.__code__)


def _nested(code):
    yield code
    for const in code.co_consts:
        if type(const) is type(code):
            yield from _nested(const)


def shown(key: str) -> str:
    """``"coursekit.activations:sigmoid_derivative"`` as a student writes it."""
    module, _, qualname = key.partition(":")
    return f"{module}.{qualname}" if qualname else module


class CallWatch:
    """A context manager: while active, the first call matching ``bans`` is recorded in ``seen`` and raises.

    ``seen`` is ``None`` (nothing banned was called), ``"ban:<name>"``, ``"tamper:<name>"`` (a call that
    switches the watch off), ``"replaced:<name>"`` (a sys function the watch needs was replaced) or
    ``"thread:<name>"`` (a thread the watch cannot see was running), ``"spawn:<event>"`` (the answer
    started another process) or ``"process:<name>"`` (a process the notebook started was running).
    ``kernel_threads``, ``kernel_processes``: the thread idents and PIDs the kernel had before any student
    code ran (``None`` outside ``coursekit grade``: no thread or process check).
    """

    def __init__(self, bans, kernel_threads=None, kernel_processes=None):
        self.prefixes = tuple(str(b) for b in bans or ())
        self.kernel_threads = None if kernel_threads is None else {t for t in kernel_threads}
        self.kernel_processes = None if kernel_processes is None else {f"{p}" for p in kernel_processes}
        self.seen = None
        self._codes = {}

    def __enter__(self):
        global _ACTIVE
        if not self.prefixes:
            return self
        replaced = _replaced()
        if replaced:
            self._stop("replaced:" + (replaced if "." in replaced else "sys:" + replaced))
        self._check_threads()
        self._check_processes()
        self._codes = _codes(self.prefixes)
        self._previous = sys.getprofile()
        try:
            _seal.guard_spawning(self._spawned)     # another process would do its work out of sight
        except PermissionError:
            self._stop("replaced:sys:addaudithook")
        _ACTIVE = self
        threading.setprofile(_hook)
        sys.setprofile(_hook)
        return self

    def __exit__(self, *exc):
        global _ACTIVE
        if self.prefixes:
            sys.setprofile(self._previous)
            _seal.guard_spawning(None)
            if self.kernel_threads is None:     # in coursekit grade, new threads keep the hook: see watch_new_threads
                threading.setprofile(None)
            _ACTIVE = None
            if self.seen is None:
                try:
                    self._check_threads()
                    self._check_processes()
                except Delegated:
                    pass                        # recorded in self.seen: the case earns nothing
        return False

    def _check_threads(self):
        """Refuse the case while a thread runs that no hook watches (started by the notebook before grading)."""
        if self.kernel_threads is None:
            return
        # no builtin names here (set, int, ...): a notebook could have replaced them in builtins
        unseen = {t for t in sys._current_frames()} - self.kernel_threads - _HOOKED - {_get_ident()}
        if unseen:
            names = sorted(getattr(threading._active.get(t), "name", f"thread {t}") for t in unseen)
            self._stop("thread:" + ", ".join(map(str, names))[:120])

    def _check_processes(self):
        """Refuse the case while a process runs that the notebook started (it could do the work unseen)."""
        if self.kernel_processes is None:
            return
        for function, name in _PROC_READERS:
            if not genuine(function, "posix", name):
                self._stop(f"replaced:os:{name}")
        mine = f"{_getpid()}"
        others = [name for pid, name in live_processes().items() if pid not in self.kernel_processes and pid != mine]
        if others:
            self._stop("process:" + ", ".join(sorted(others))[:120])

    def _spawned(self, event):
        self._stop("spawn:" + event)

    def _observe(self, frame, event, arg):
        if self.seen is not None:
            return
        if event == "call":
            code = frame.f_code
            if code is _EXIT_CODE:          # the watch ending: only the kit's own with-statement may end it
                if frame.f_back is None or frame.f_back.f_code not in _OWNERS:
                    self._stop("tamper:coursekit.exercises._bans:CallWatch.__exit__")
                return
            key = f"{frame.f_globals.get('__name__')}:{getattr(code, 'co_qualname', code.co_name)}"
            hit = (key if key.startswith(self.prefixes) else None) or self._codes.get(code)
            if hit:
                self._stop("ban:" + hit)
        elif event == "c_call":
            if frame.f_code is _EXIT_CODE:
                return
            key = _c_name(arg)
            if key in _TAMPERING:
                self._stop("tamper:" + key)
            elif key in _SPAWNING:
                self._stop("spawn:" + key)
            elif key.startswith(self.prefixes):
                self._stop("ban:" + key)

    def _stop(self, what):
        self.seen = what                        # recorded first: the student may catch what follows
        raise Delegated(what.split(":", 1)[1])


#: The watch of the case running now (one at a time); threads started under a watch keep the hook and
#: answer to whichever watch is active, so a helper thread left over from an earlier case is seen too.
_ACTIVE = None
#: Threads that carry the hook (their idents): the thread check leaves them alone.
_HOOKED: set = set()


def _hook(frame, event, arg):
    if event == "call":
        _HOOKED.add(_get_ident())
    elif event == "return" and frame.f_back is None:     # a thread ends: its ident may be reused
        _HOOKED.discard(_get_ident())
    watch = _ACTIVE
    if watch is not None:
        try:
            watch._observe(frame, event, arg)
        except BaseException:
            _HOOKED.discard(_get_ident())      # a hook that raises is switched off in its thread
            raise


def watch_new_threads() -> None:
    """From now on, every thread this process starts carries the hook (idle while no case is watched).

    ``coursekit grade`` calls it before its first job, so that a thread started while grading, by the
    answer or by the kernel's own machinery, is never mistaken for one the notebook left running.
    """
    threading.setprofile(_hook)


def live_processes() -> dict:
    """``{pid: name}`` of the live processes in ``/proc`` (zombies left out): in ``coursekit grade``, those of
    the kernel's own PID namespace. Read with the os functions captured when the kit loaded."""
    found = {}
    for pid in _listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fd = _open(f"/proc/{pid}/stat", 0)
            try:
                stat = _read(fd, 4096)
            finally:
                _close(fd)
        except OSError:             # it ended meanwhile
            continue
        name, _, rest = stat.partition(b" (")[2].rpartition(b") ")
        if rest[:1] not in (b"Z", b"X", b""):
            found[pid] = f"process {pid} ({name.decode('utf-8', 'replace')})"
    return found


def genuine(func, module_name: str, name: str) -> bool:
    """Whether ``func`` is the interpreter's own builtin ``module_name.name`` (not a stand-in a notebook
    put in its place): a builtin's class, ``__self__`` and ``__name__`` cannot be faked from Python."""
    return (func.__class__ is _BUILTIN and func.__name__ == name
            and getattr(func.__self__, "__name__", None) == module_name
            and (module_name != "sys" or func.__self__ is sys))


def _replaced() -> str | None:
    """The first sys function the watch relies on that is not the interpreter's own, else ``None``."""
    for name in _RELIED_ON:
        if not genuine(sys.__dict__.get(name), "sys", name):
            return name
    return None if genuine(_get_ident, "_thread", "get_ident") else "_thread.get_ident"


_EXIT_CODE = CallWatch.__exit__.__code__
#: The code objects allowed to end a watch (the kit's own ``with watch:`` blocks): see :func:`owner`.
_OWNERS: set = set()


def owner(func):
    """Mark ``func`` as a kit function whose ``with watch:`` block may end the watch."""
    _OWNERS.add(func.__code__)
    return func


#: What the student reads, by the kind of record (``{what}``: the name as written in Python; ``{key}``: as recorded).
_MESSAGES = {
    "replaced": "your notebook replaced {what}; the check for delegated work relies on it, so this case earns "
                "nothing",
    "thread": "a thread your notebook started was still running while the answer was checked ({key}); the "
              "check for delegated work cannot watch it: let your threads finish (join them) first",
    "process": "another process your notebook started was still running while the answer was checked ({key}); "
               "the check for delegated work cannot watch it: stop it (join or terminate it) first",
    "spawn": "your answer started another process ({what}) while it was being checked; the check for delegated "
             "work cannot watch another process, so this case earns nothing",
    "tamper": "your answer called {what} while it was being checked; that switches off the check for delegated "
              "work and is not allowed",
    "ban": "write it with numpy: {what} is what this exercise asks you to build",
}


def message(seen: str) -> str:
    """What the student reads when a case called something banned (or blinded the watch)."""
    kind, _, key = seen.partition(":")
    return _MESSAGES.get(kind, _MESSAGES["ban"]).format(key=key, what=shown(key))


def available(prefix: str) -> bool:
    """Whether the module of ``prefix`` can be imported here (used by the tests)."""
    try:
        importlib.import_module(prefix.partition(":")[0])
        return True
    except Exception:
        return False
