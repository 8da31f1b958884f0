"""While a student's model trains for grading, the shipped data cannot be read and no program can start.

:func:`sealed` is a context manager: inside it, an audit hook (:func:`sys.addaudithook`, installed once
per process and idle outside a seal) refuses

* ``open`` of any file under the kit's data directory (``coursekit/data/``, e.g. ``digits.npz``) and of
  scikit-learn's copy of the same digits, whatever the path is spelt like (it is resolved first);
* starting another process: ``os.system``, ``subprocess.Popen``, ``os.exec*``, ``os.posix_spawn*``,
  ``os.spawn*``, ``os.fork``, ``os.forkpty``;

each with a :class:`PermissionError` that says why. The same hook refuses starting a process while the
delegation watch checks a case (:func:`guard_spawning`). Entering a seal also empties the cache of
:func:`coursekit.datasets.load_digits`, so that calling it inside the sealed code has to read the file.

This is an extra guard, not the security boundary: ``coursekit grade`` runs every submission in a sandboxed
kernel. Code inside the seal can still use what it computed before (a table built in an earlier cell):
the held-out cases of :mod:`coursekit.exercises.digits` are made so that such a table is worthless.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import threading

#: Why an ``open`` is refused.
DATA_MESSAGE = ("the digits data files cannot be read while your model trains: train on the X_train, "
                "y_train you receive")
#: Why starting a process is refused.
SPAWN_MESSAGE = ("no other program can be started while your model trains: build and train a coursekit "
                 "model in this process, on the X_train, y_train you receive")
SPAWN_EVENTS = frozenset({"os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                          "os.forkpty", "os.startfile"})


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.depth = 0              # > 0 while sealed (nested seals count)
        self.dirs: tuple = ()       # refused directories (resolved, each ending with os.sep)
        self.files: tuple = ()      # refused single files (resolved)
        self.installed = False
        self.spawn_guard = None     # while a delegation watch runs: called with the event of a process start


_STATE = _State()


def data_directories() -> list[str]:
    """The kit's data directory: beside this package, and of the ``coursekit`` that is imported (if another)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = [os.path.join(here, "data")]
    kit = sys.modules.get("coursekit")
    if getattr(kit, "__file__", None):
        found.append(os.path.join(os.path.dirname(os.path.abspath(kit.__file__)), "data"))
    return sorted({os.path.realpath(d) for d in found})


def _other_copies() -> list[str]:
    """scikit-learn's copy of the same digits (found without importing scikit-learn), if installed."""
    try:
        spec = importlib.util.find_spec("sklearn")
    except (ImportError, ValueError):
        return []
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    return [os.path.realpath(os.path.join(root, "datasets", "data", "digits.csv.gz")) for root in roots]


def _resolved(path) -> str | None:
    if isinstance(path, int):           # a file descriptor: already open
        return None
    try:
        return os.path.realpath(os.fsdecode(os.fspath(path)))
    except (TypeError, ValueError):
        return None


def _refused(path) -> bool:
    resolved = _resolved(path)
    if resolved is None:
        return False
    return resolved in _STATE.files or any((resolved + os.sep).startswith(d) for d in _STATE.dirs)


def _hook(event: str, args) -> None:
    guard = _STATE.spawn_guard
    if guard is not None and event in SPAWN_EVENTS:
        guard(event)                    # the delegation watch records the refusal and raises
    if _STATE.depth <= 0:               # not sealed: the hook costs two comparisons
        return
    if event == "open" and args and _refused(args[0]):
        raise PermissionError(DATA_MESSAGE)
    if event in SPAWN_EVENTS:
        raise PermissionError(SPAWN_MESSAGE)


def _install() -> None:
    with _STATE.lock:
        if not _STATE.installed:
            from ._bans import genuine
            if not genuine(sys.__dict__.get("addaudithook"), "sys", "addaudithook"):
                raise PermissionError("your notebook replaced sys.addaudithook, which the check of this "
                                      "exercise relies on: restart the kernel and run the notebook without it")
            sys.addaudithook(_hook)
            _STATE.installed = True


def guard_spawning(guard) -> None:
    """Call ``guard(event)`` at every start of another process (``None``: stop), through the same audit hook.

    The delegation watch (:class:`coursekit.exercises._bans.CallWatch`) sets it while a case with bans
    runs: work handed to another process is out of its sight. Raises :class:`PermissionError` when
    ``sys.addaudithook`` was replaced, as :func:`sealed` does.
    """
    if guard is not None:
        _install()
    _STATE.spawn_guard = guard


def _forget_loaded_digits() -> None:
    datasets = sys.modules.get("coursekit.datasets")
    cached = getattr(datasets, "_digits_raw", None)
    if hasattr(cached, "cache_clear"):
        cached.cache_clear()


@contextlib.contextmanager
def sealed():
    """Run the body with the kit's data files unreadable and process spawning refused (see the module)."""
    _install()
    with _STATE.lock:
        if _STATE.depth == 0:
            _STATE.dirs = tuple(d.rstrip(os.sep) + os.sep for d in data_directories())
            _STATE.files = tuple(_other_copies())
        _STATE.depth += 1
    try:
        _forget_loaded_digits()
        yield
    finally:
        with _STATE.lock:
            _STATE.depth -= 1


def is_sealed() -> bool:
    """Whether a seal is in force (in this process)."""
    return _STATE.depth > 0
