"""``coursekit grade``'s runner: loaded before the notebook's first cell, checked before every use.

A grading cell used to import the kit's runner when it ran, after the notebook's cells, through the
kernel's import machinery: a notebook that patched ``importlib.import_module`` was handed the runner and
could switch its watch off. Now the grader's own cell that runs before any student code
(:meth:`coursekit.exercises._driver.Kernel.start`) calls :func:`prepare`:

1. the runner package, loaded fresh under a private name, leaves ``sys.modules`` again (no name finds it);
2. the audit hook of :mod:`._seal` is installed before a notebook could replace ``sys.addaudithook``;
3. a *handle* is kept as an attribute of ``sys``: the tuple ``(run, intact, intact's code, intact's
   defaults, snapshot)``, and the grader is told its ``id()``.

A grading cell (:func:`coursekit.exercises.grader._grading_source`) finds the handle, checks with the
interpreter's own ``id`` (a builtin whose type it reaches without a name) that it is that tuple (a tuple
cannot be changed, and the runner keeps it alive, so its address is not reused), that ``intact`` still
has its code and defaults, and calls ``intact(snapshot)``: every name in the runner's modules, every
attribute of its classes, the code, defaults and closures of its functions, the builtin functions and
types, and the library functions the runner calls outside a watch (IPython's ``publish_display_data``
and display publisher, ``signal``, ``threading``, ``time``, ``numpy.seterr``, ``warnings``) must be the
objects they were before the notebook ran, else the exercise earns nothing and the message names the
change. The job travels as a Python literal in the cell, so no parser of the kernel reads it first.

What remains, because all of this runs in the student's process: a notebook can rewrite or read a
grading cell before it runs (IPython's input transformers, ``pre_run_cell`` hooks, wrapping
``run_cell``, an audit hook) and so compute answers from the inputs with the library before any watch
starts, or change the result below ``publish`` (the kernel's session and sockets); it can change code
deeper down (a function that numpy or IPython call in turn), reach the runner's mutable state through
``gc`` or plain references (e.g. the set of hooked threads), or use ctypes. The bar is raised, nothing
is proven; expected values never enter the kernel, whatever happens there.
"""

from __future__ import annotations

import sys

_FUNCTION = (lambda: None).__class__
_BUILTIN = [].append.__class__
#: Library functions the runner calls outside a watch: they must be the ones the kernel started with.
_LIBRARY = (("signal", ("signal", "setitimer", "SIGALRM", "ITIMER_REAL")),
            ("threading", ("setprofile", "current_thread", "main_thread", "Thread", "_active")),
            ("time", ("monotonic",)), ("numpy", ("seterr", "asarray", "ndarray")),
            ("warnings", ("catch_warnings", "simplefilter")), ("json", ("loads",)))


def prepare(name: str) -> tuple:
    """Before the first student cell: the handle of the runner package loaded as ``name`` (see the module).

    Each entry of the snapshot is ``(kind, owner, key, value, label)``: ``owner.get(key)`` (kind 0) or
    ``getattr(owner, key)`` (kind 1) must still be ``value``, or ``len(owner)`` (kind 2) still ``value``.
    """
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import publish_display_data
    from . import _runner, _seal, _wire
    _seal._install()
    _wire._function_table()
    _runner._PUBLISH = publish_display_data
    entries = []
    for key, module in list(sys.modules.items()):
        if key == name or key.startswith(name + "."):
            _namespace(module.__dict__, key, entries)
            for value in list(module.__dict__.values()):
                _object(value, name, entries)
    for module_name, names in _LIBRARY:
        space = sys.modules[module_name].__dict__
        for attr in names:
            entries.append((0, space, attr, space.get(attr), f"{module_name}.{attr}"))
            _object(space.get(attr), module_name, entries)
    _object(publish_display_data, publish_display_data.__module__, entries)
    publisher = type(InteractiveShell.instance().display_pub)          # the kernel's display publisher
    publish = publisher.__dict__.get("publish")
    entries.append((0, publisher.__dict__, "publish", publish, f"{publisher.__qualname__}.publish"))
    _object(publish, getattr(publish, "__module__", None) or "?", entries)
    builtins = sys.modules["builtins"].__dict__
    entries += [(0, builtins, k, v, f"builtins.{k}") for k, v in list(builtins.items())
                if type(v) is _BUILTIN or issubclass(type(v), type)]
    handle = (_runner.run, intact, intact.__code__, intact.__defaults__, tuple(entries))
    _KEPT.append(handle)            # a second reference: the handle's address is never reused
    return handle


_KEPT: list = []


def _namespace(space, label: str, entries) -> None:
    entries.append((2, space, None, len(space), f"{label} (a name was added or removed)"))
    entries += [(0, space, key, value, f"{label}.{key}") for key, value in list(space.items())]


def _object(value, module_name: str, entries, _depth: int = 0) -> None:
    """Entries for a function or class of ``module_name`` (and its package): what it is made of."""
    kind = type(value)
    module = getattr(value, "__module__", None) if kind is _FUNCTION or issubclass(kind, type) else None
    if type(module) is not str or not (module == module_name or module.startswith(module_name + ".")):
        if kind in (staticmethod, classmethod) and _depth:
            _object(value.__func__, module_name, entries, _depth)
        return
    label = f"{module}.{value.__qualname__}"
    if kind is _FUNCTION:
        entries += [(1, value, "__code__", value.__code__, f"{label}.__code__"),
                    (1, value, "__defaults__", value.__defaults__, f"{label}.__defaults__")]
        for cell in value.__closure__ or ():
            try:
                entries.append((1, cell, "cell_contents", cell.cell_contents, f"{label} (its closure)"))
            except ValueError:          # an empty cell
                pass
    elif _depth < 3:
        _namespace(value.__dict__, label, entries)
        for item in list(value.__dict__.values()):
            _object(item.fget if type(item) is property else item, module_name, entries, _depth + 1)


def intact(snapshot, _get=getattr, _len=len, _missing=object()):
    """The label of the first thing that changed since :func:`prepare`, else ``None``.

    Uses no global or builtin name (only its defaults, checked by the grading cell), so that a notebook
    cannot redirect what it calls.
    """
    for kind, owner, key, value, label in snapshot:
        if kind == 0:
            now = owner.get(key, _missing)
        elif kind == 1:
            now = _get(owner, key, _missing)
        else:
            if _len(owner) != value:
                return label
            continue
        if now is not value:
            return label
    return None
