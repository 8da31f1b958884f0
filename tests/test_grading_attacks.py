"""``coursekit grade`` against hostile submissions: each attack is a regression test.

One grading run (a subprocess, ``--jobs 2``, short timeouts) grades every hostile notebook built here
together with two honest solved ones; the tests read its JSON report, its table, its exit code, the
grader's peak memory and what is left on the machine afterwards. Every submission is graded as
notebook 04 from its ``04_`` file name; the notebooks answer binary_cross_entropy and mean_squared_error
(2 points each, ``FULL``) and leave notebook 04's other graded items missing (``NB04`` in all),
and ``--tests`` adds a private mean_squared_error case whose expected value (7.123456) appears nowhere
in what is sent to a kernel.

A hostile notebook reports what its attack saw through the grading itself: its functions raise
``RuntimeError("<TAG> ...")`` with a summary (which lands in the case messages of the report), or
return the correct answer only if the attack succeeded.

When the sandbox cannot start here, the tests skip, and fail when ``CI`` is set (the
``grading_sandbox`` fixture of ``tests/conftest.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import select
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from coursekit.exercises import EXERCISES

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
KIT = REPO / "coursekit"

TIME_LIMIT, CELL_TIMEOUT, SUBMISSION_TIMEOUT = 2, 5, 30
HIDDEN_EXPECTED = 7.123456          # the private case's expected MSE; never sent to a kernel
RUN_TIMEOUT = 240                   # the whole grading run, so that a hang fails instead of blocking CI
MARK = "ckattack" + secrets.token_hex(6)     # in the command line of every process a submission leaves
SECRET_ENV = "COURSEKIT_ATTACK_SECRET"
LOSSES = ("binary_cross_entropy", "mean_squared_error")
FULL = 4.0          # binary_cross_entropy + mean_squared_error, what the honest notebooks answer
NB04 = float(sum(e.points for e in EXERCISES.values() if e.notebook == "04"))

HEADER = "import numpy as np\n"
BCE_OK = "def binary_cross_entropy(y, y_hat):\n    return -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))\n"
MSE_OK = "def mean_squared_error(y, y_hat):\n    return np.mean((y - y_hat) ** 2)\n"


def _raise_with(tag: str, expression: str) -> str:
    """Both exercise functions raise ``RuntimeError("<tag> " + <expression>)``: the attack's report."""
    return (f"def binary_cross_entropy(y, y_hat):\n    raise RuntimeError({tag!r} + ' ' + str({expression}))\n"
            f"def mean_squared_error(y, y_hat):\n    raise RuntimeError({tag!r} + ' ' + str({expression}))\n")


PRIVATE_TESTS = f'''
import numpy as np
from coursekit.exercises import Case

def hidden_cases():
    s = float(np.sqrt({HIDDEN_EXPECTED!r}))
    return [Case("private: hidden case", (np.array([0.0, 0.0]), np.array([s, s])), expected={HIDDEN_EXPECTED!r})]

EXTRA_CASES = {{"mean_squared_error": hidden_cases}}
'''

# ------------------------------------------------------------------------------------------------
# 1. Frame walking: search every frame, object and (gc) container for expected values or Case objects.
# ------------------------------------------------------------------------------------------------
WALKER = r'''
import collections, dataclasses, gc, inspect, sys, threading, time, types
import numpy as np

_MICRO = 7123456            # the hidden expected value in millionths (an int, so it never matches itself)

def _walk(budget=0.08):
    stop = time.monotonic() + budget
    needle = str(_MICRO)[0] + "." + str(_MICRO)[1:5]        # "7.1234", built here: no source text holds it
    found, stats = [], {"frames": 0, "nodes": 0, "gc": 0, "saw_inputs": False}
    queue, seen = collections.deque(), set()
    frames, frame = [], sys._getframe(2)                    # above _walk and the student's function
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    try:
        frames += [info.frame for info in inspect.stack(0)[2:]]
    except Exception:
        pass
    for thread_id, top in sys._current_frames().items():
        if thread_id != threading.get_ident():
            while top is not None:
                frames.append(top)
                top = top.f_back
    for f in frames:
        stats["frames"] += 1
        queue.append((f.f_locals, f"{f.f_code.co_name}.locals"))
    for f in frames:
        queue.append((f.f_globals, f"{f.f_code.co_name}.globals"))

    def hidden(x):
        return isinstance(x, float) and abs(x * 1e6 - _MICRO) < 1.0

    def numeric(x):
        return isinstance(x, (float, int, np.ndarray, np.generic)) and not isinstance(x, bool)

    mine = {id(queue), id(seen), id(found), id(stats), id(frames)}
    while queue and (time.monotonic() < stop or stats["nodes"] < 2000):     # at least 2000, however slow the machine
        obj, path = queue.popleft()
        if id(obj) in seen or id(obj) in mine:
            continue
        seen.add(id(obj))
        stats["nodes"] += 1
        kind = type(obj).__name__
        if kind in ("Case", "Exercise"):
            found.append(("object", path, obj))
        if hidden(obj):
            found.append(("value", path, obj))
        if isinstance(obj, (str, bytes)):
            if (needle if isinstance(obj, str) else needle.encode()) in obj:
                found.append(("text", path, obj[:60]))
            continue
        if isinstance(obj, np.ndarray):
            if obj.dtype.kind == "f" and obj.size < 10 ** 6 and np.any(np.abs(obj * 1e6 - _MICRO) < 1.0):
                found.append(("array", path, obj))
            continue
        if isinstance(obj, dict):
            for k, v in list(obj.items()):
                if k == "expected" and numeric(v):
                    found.append(("key", path, v))
                if k == "cases" and isinstance(v, list):
                    stats["saw_inputs"] = True
                queue.append((v, f"{path}.{str(k)[:20]}"))
        elif isinstance(obj, (list, tuple, set, frozenset, collections.deque)):
            for i, v in enumerate(list(obj)[:5000]):
                queue.append((v, f"{path}[{i}]"))
        elif isinstance(obj, types.FunctionType):
            for i, c in enumerate(obj.__closure__ or ()):
                try:
                    queue.append((c.cell_contents, f"{path}.closure{i}"))
                except ValueError:
                    pass
            queue.append((obj.__defaults__, f"{path}.defaults"))
            queue.append((obj.__kwdefaults__, f"{path}.kwdefaults"))
        elif isinstance(obj, types.FrameType):
            queue.append((obj.f_locals, f"{path}.f_locals"))
        else:
            if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
                for fld in dataclasses.fields(obj):
                    queue.append((getattr(obj, fld.name, None), f"{path}.{fld.name}"))
            d = getattr(obj, "__dict__", None)
            if isinstance(d, (dict, types.MappingProxyType)):
                queue.append((dict(d), f"{path}.__dict__"))
    for obj in gc.get_objects():
        if time.monotonic() > stop + budget:
            break
        stats["gc"] += 1
        if type(obj).__name__ in ("Case", "Exercise"):
            found.append(("gc-object", "gc", obj))
        elif isinstance(obj, dict) and id(obj) not in mine:
            v = obj.get("expected", None) if "expected" in obj else None
            if numeric(v):
                found.append(("gc-key", "gc", v))
            if any(hidden(x) for x in list(obj.values())[:1000]):
                found.append(("gc-value", "gc", obj))
        elif isinstance(obj, (list, tuple)) and id(obj) not in mine:
            if any(hidden(x) for x in obj[:1000]):
                found.append(("gc-value", "gc", obj))
    return found, stats

def _use(found, stats):
    for what, path, value in found:
        if what in ("key", "gc-key", "value", "array"):
            return value                   # cheat with the leaked expected value
        if what in ("object", "gc-object") and hasattr(value, "expected"):
            return value.expected
    if found:
        raise RuntimeError("WALKER found " + repr([(w, p) for w, p, _ in found][:4])[:150])
    raise RuntimeError(f"WALKER found nothing: frames={stats['frames']} nodes={stats['nodes']} "
                       f"gc={stats['gc']} saw_inputs={stats['saw_inputs']}")

def binary_cross_entropy(y, y_hat):
    return _use(*_walk())

def mean_squared_error(y, y_hat):
    return _use(*_walk())
'''

# ------------------------------------------------------------------------------------------------
# 2. Writing into the kit, the environment's site-packages and coursekit's __pycache__.
#    Only harmless writes (new files with inert content, opening for writing, touching mtimes), so
#    that a broken sandbox shows up in the hashes without damaging the checkout.
# ------------------------------------------------------------------------------------------------
WRITER = r'''
import glob, os, site, stat, sys, sysconfig
import coursekit
MARK = "@MARK@"
_TRIED, _DONE = [], []

def _try(label, action):
    _TRIED.append(label)
    try:
        action()
        _DONE.append(label)
    except Exception:
        pass

def _create(path, data=b"# inert\n"):
    with open(path, "xb") as f:
        f.write(data)

kit = os.path.dirname(os.path.abspath(coursekit.__file__))
sites = set(site.getsitepackages() + [sysconfig.get_paths()["purelib"], os.path.dirname(kit),
             sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})["purelib"]])
for py in [coursekit.__file__] + glob.glob(os.path.join(kit, "exercises", "*.py")):
    info = os.stat(py)          # utime and chmod to the values it has: harmless, yet they need write access
    _try("open r+ " + py, lambda py=py: open(py, "r+").close())
    _try("utime " + py, lambda py=py, info=info: os.utime(py, ns=(info.st_atime_ns, info.st_mtime_ns)))
    _try("chmod " + py, lambda py=py, info=info: os.chmod(py, stat.S_IMODE(info.st_mode)))
for pyc in glob.glob(os.path.join(kit, "**", "__pycache__", "*.pyc"), recursive=True):
    _try("open r+b " + pyc, lambda pyc=pyc: open(pyc, "r+b").close())
for cache in {os.path.join(kit, "__pycache__"), os.path.join(kit, "exercises", "__pycache__")}:
    _try("pyc in " + cache, lambda c=cache: _create(os.path.join(c, f"_runner.{MARK}.cpython-311.pyc")))
    _try("mkdir " + cache, lambda c=cache: os.makedirs(c, exist_ok=False))
for folder in sites:
    _try(".pth in " + folder, lambda f=folder: _create(os.path.join(f, f"zz_{MARK}.pth"), b"/nonexistent\n"))
    _try("module in " + folder, lambda f=folder: _create(os.path.join(f, f"{MARK}.py")))
_try("file in kit", lambda: _create(os.path.join(kit, f"{MARK}.py")))
_try("file in prefix", lambda: _create(os.path.join(sys.prefix, f"{MARK}.txt")))
_try("file in base prefix", lambda: _create(os.path.join(sys.base_prefix, f"{MARK}.txt")))
'''

# ------------------------------------------------------------------------------------------------
# 3. Secrets: a file of the instructor's, the home folders, the grader's command line and environment.
# ------------------------------------------------------------------------------------------------
SECRETS = r'''
import glob, os
SECRET_PATH, SECRET_TEXT, SECRET_ENV, SECRET_VALUE = @SECRET_PATH@, @SECRET_TEXT@, @SECRET_ENV@, @SECRET_VALUE@
OTHERS = @OTHERS@              # names of the other submissions and of the report, as the grader was called
_LEAK, _SEEN = [], {}

def _read(path, limit=1 << 20):
    try:
        with open(path, "rb") as f:
            return f.read(limit)
    except OSError:
        return b""

paths = [SECRET_PATH]
for root in ("/proc/self/root", "/proc/1/root", "/proc/1/cwd", "/proc/self/cwd"):
    paths.append(root + SECRET_PATH)
for fd in glob.glob("/proc/[0-9]*/fd/*"):          # an inherited descriptor of a host folder would be a way out
    try:
        if os.path.isdir(fd):
            paths.append(fd + SECRET_PATH)
    except OSError:
        pass
for home in {os.path.expanduser("~"), "/root", "/home", os.path.dirname(SECRET_PATH)}:
    _SEEN[home] = sorted(os.listdir(home))[:8] if os.path.isdir(home) else None
    paths += glob.glob(os.path.join(home, "**", os.path.basename(SECRET_PATH)), recursive=True)
for path in paths:
    if SECRET_TEXT.encode() in _read(path):
        _LEAK.append("file " + path)
if SECRET_ENV in os.environ:
    _LEAK.append("os.environ")
pids = sorted(int(p.rsplit("/", 1)[1]) for p in glob.glob("/proc/[0-9]*"))
_SEEN["pids"] = len(pids)
_SEEN["ppid"] = os.getppid()
for pid in set(pids) | {os.getppid()}:
    environ, cmdline = _read(f"/proc/{pid}/environ"), _read(f"/proc/{pid}/cmdline")
    if SECRET_VALUE.encode() in environ or SECRET_VALUE.encode() in cmdline:
        _LEAK.append(f"/proc/{pid} environ")
    for name in OTHERS:
        if name.encode() in cmdline:
            _LEAK.append(f"/proc/{pid}/cmdline names {name}")
    if b"--json" in cmdline or b"coursekit.cli" in cmdline or b"grade" in cmdline.split(b"\0"):
        _LEAK.append(f"/proc/{pid}/cmdline is the grader's")

def binary_cross_entropy(y, y_hat):
    if _LEAK:                     # only an attack that worked earns the points
        return -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    raise RuntimeError("NOSECRET " + str({"ppid": _SEEN.get("ppid"), "pids": _SEEN.get("pids"), **_SEEN})[:150])     # checked ones first

def mean_squared_error(y, y_hat):
    if _LEAK:
        return np.mean((y - y_hat) ** 2)
    raise RuntimeError("NOSECRET " + str({"ppid": _SEEN.get("ppid"), "pids": _SEEN.get("pids"), **_SEEN})[:150])     # checked ones first
'''

# ------------------------------------------------------------------------------------------------
# 4. Reaching the other kernel: find other connection files and send code to them.
# ------------------------------------------------------------------------------------------------
REACHER = r'''
import glob, json, os, time
from ipykernel.connect import get_connection_file
own = os.path.realpath(get_connection_file())
_REACH = {"connected": [], "files": [], "errors": []}
patterns = ["/tmp/**/*.json", "/run/user/*/jupyter/**/*.json", "/root/.local/share/jupyter/runtime/*.json",
            os.path.expanduser("~/.local/share/jupyter/runtime/*.json"), "/tmp/coursekit-kernel-*/*",
            "/proc/[0-9]*/cwd/*.json", "/proc/[0-9]*/root/tmp/**/*.json", "/dev/shm/**"]
ATTACK = ("def mean_squared_error(y, y_hat):\n    return -1.0\n"
          "def binary_cross_entropy(y, y_hat):\n    return -1.0\n")
end = time.time() + 4
while time.time() < end:
    candidates = set()
    for pattern in patterns:
        candidates.update(glob.glob(pattern, recursive=True))
    for cmd in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            parts = open(cmd, "rb").read().split(b"\0")
        except OSError:
            continue
        for i, arg in enumerate(parts[:-1]):
            if arg == b"-f" or arg.endswith(b".json"):
                candidates.add((parts[i + 1] if arg == b"-f" else arg).decode(errors="replace"))
    for path in sorted(candidates):
        if os.path.realpath(path) == own or path in _REACH["files"] or not os.path.isfile(path):
            continue
        _REACH["files"].append(path)
        try:
            info = json.load(open(path))
            if not isinstance(info, dict) or "shell_port" not in info:
                continue
            from jupyter_client import BlockingKernelClient
            client = BlockingKernelClient()
            client.load_connection_info(info)
            client.start_channels()
            client.execute(ATTACK)
            client.get_shell_msg(timeout=0.5)
            _REACH["connected"].append(path)
            client.stop_channels()
        except Exception as error:
            _REACH["errors"].append(type(error).__name__)
    time.sleep(0.2)
'''

# ------------------------------------------------------------------------------------------------
# 5. Killing the grader: the parent, the process group, every visible process.
# ------------------------------------------------------------------------------------------------
KILLER = r'''
import glob, os, signal
def _kill(action):
    try:
        action()
    except OSError:
        pass
_kill(lambda: os.kill(os.getppid(), signal.SIGTERM))
_kill(lambda: os.kill(os.getppid(), signal.SIGKILL))
me = os.getpid()
for entry in glob.glob("/proc/[0-9]*"):
    pid = int(entry.rsplit("/", 1)[1])
    if pid != me:
        _kill(lambda pid=pid: os.kill(pid, signal.SIGKILL))
_kill(lambda: os.kill(-1, signal.SIGKILL))
_kill(lambda: os.killpg(0, signal.SIGTERM))
_kill(lambda: os.killpg(os.getpgrp(), signal.SIGKILL))
'''

# ------------------------------------------------------------------------------------------------
# 6. A survivor: processes started in new sessions (and a double-forked daemon) that keep trying to
#    overwrite the report and to write a marker next to it.
# ------------------------------------------------------------------------------------------------
SURVIVOR = r'''
import os, subprocess, sys
REPORT, MARKER, MARK = @REPORT@, @MARKER@, @MARK@
CHILD = f"""
import time
end = time.time() + 120
while time.time() < end:
    for path, text in (({REPORT!r}, '{{"complete": true, "submissions": []}}'), ({MARKER!r}, 'alive')):
        try:
            with open(path, 'w') as f:
                f.write(text)
        except OSError:
            pass
    time.sleep(0.5)
"""
subprocess.Popen([sys.executable, "-c", CHILD, MARK], start_new_session=True, stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
pid = os.fork()
if pid == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", CHILD, MARK + "-daemon"])
    finally:
        os._exit(0)
os.waitpid(pid, 0)
'''

# ------------------------------------------------------------------------------------------------
# 9. A replay storm: cells that finish slowly (replayed after a restart), cells that hang with SIGINT
#    ignored, and a cell that finishes on its first run but would hang when replayed.
# ------------------------------------------------------------------------------------------------
STORM_SLOW = "import time\ntime.sleep(4)\n"
STORM_REPLAY = r'''
import os, signal, time
if os.path.exists("/tmp/coursekit-storm-marker"):       # replayed (if /tmp survived a restart)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        time.sleep(0.05)
open("/tmp/coursekit-storm-marker", "w").close()
'''
STORM_STUCK = r'''
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    try:
        time.sleep(0.05)
    except BaseException:
        pass
'''

# ------------------------------------------------------------------------------------------------
# 10. Output floods: 1 GB printed at once, many small prints, and oversized result-MIME displays.
# ------------------------------------------------------------------------------------------------
FLOOD_BIG = 'print("x" * 10 ** 9)\n'
FLOOD_SMALL = 'import time\nstart = time.time()\nwhile time.time() - start < 3:\n    print("y" * 200)\n'
FLOOD_RESULTS = r'''
from IPython.display import publish_display_data
blob = "z" * (60 * 2 ** 20)
for i in range(8):
    publish_display_data({"application/vnd.coursekit.result+json": {
        "nonce": "CKG" + "0" * 32, "exercise": "mean_squared_error",
        "result": {"status": "ok", "records": [], "pad": blob}}})
del blob
'''

# ------------------------------------------------------------------------------------------------
# 11. ANSI escapes and control characters in messages (and in the file name).
# ------------------------------------------------------------------------------------------------
ANSI = r'''
def binary_cross_entropy(y, y_hat):
    raise RuntimeError("\x1b[2J\x1b[31mHACKED\x1b]0;title\x07\r\x08\x1bc\x9b31m\u202eevil")
globals()["mean_squared_erro\x1b[31mr\x07"] = 1      # offered as "did you rename it to ...?"
'''

# ------------------------------------------------------------------------------------------------
# 12. The network: a TCP listener of the test's (loopback and the host's address) and an abstract
#     Unix socket.
# ------------------------------------------------------------------------------------------------
NETWORK = r'''
import socket
PORT, HOSTS, ABSTRACT = @PORT@, @HOSTS@, @ABSTRACT@
_NET = []
for host in HOSTS:
    try:
        s = socket.create_connection((host, PORT), timeout=1)
        s.sendall(b"hello from the sandbox")
        _NET.append(host + ":connected")
        s.close()
    except OSError as error:
        _NET.append(host + ":" + type(error).__name__)
try:
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.settimeout(1)
    u.connect(ABSTRACT)
    _NET.append("abstract:connected")
except OSError as error:
    _NET.append("abstract:" + type(error).__name__)
'''

# ------------------------------------------------------------------------------------------------
# Extra: how much the sandbox can put on the host's disk through its runtime folder (the one
# writable host folder); the private home and /tmp are tmpfs capped at 512 MB each.
# ------------------------------------------------------------------------------------------------
DISK = r'''
import os
from ipykernel.connect import get_connection_file
runtime = os.path.dirname(os.path.realpath(get_connection_file()))
_DISK = {"bytes": 0, "files": 0, "where": runtime}
for i in range(3):
    path = os.path.join(runtime, f"fill-{i}")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.posix_fallocate(fd, 0, 200 * 2 ** 20)      # really allocated on the host disk, no data written
        finally:
            os.close(fd)
        _DISK["bytes"] += os.path.getsize(path)
        _DISK["files"] += 1
    except OSError as error:
        _DISK["error"] = f"{type(error).__name__}: {error}"
        break
info = os.statvfs(runtime)
_DISK["host_free_gb"] = round(info.f_bavail * info.f_frsize / 2 ** 30)
_DISK["summary"] = f"bytes={_DISK['bytes']} files={_DISK['files']} host_free_gb={_DISK['host_free_gb']} in {runtime}"
'''


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------
def _code(source, tags=None):
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _notebook(*sources, metadata=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [_code(s) for s in sources]
    if metadata:
        nb.metadata.update(metadata)
    return nb


def _fill(template: str, **values) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", repr(value))
    assert not re.search(r"@[A-Z_]+@", template), "unfilled placeholder"
    return template


def _tree_digest(folder: Path) -> dict:
    """Every file under ``folder``: its content hash (the kit) — path -> sha256."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            out[os.path.relpath(os.path.join(root, name), folder) + "/"] = "dir"
        for name in files:
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as f:
                    out[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
            except OSError as error:
                out[os.path.relpath(path, folder)] = f"unreadable {error}"
    return out


def _tree_listing(folder: Path) -> dict:
    """Every entry under ``folder`` (an environment): path -> (mode, size, mtime_ns)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            out[os.path.relpath(path, folder)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return out


def _environment_state() -> dict:
    import site
    import sysconfig
    envs = {sys.prefix, sys.base_prefix}
    state = {"kit": _tree_digest(KIT)}
    for env in sorted(envs):
        state[f"env {env}"] = _tree_listing(Path(env))
    for sp in sorted(set(site.getsitepackages() + [sysconfig.get_paths()["purelib"]])):
        state[f"site-packages {sp}"] = _tree_listing(Path(sp))
    return state


def _diff(before: dict, after: dict) -> list[str]:
    changes = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key, {}), after.get(key, {})
        for path in sorted(set(b) | set(a)):
            if b.get(path) != a.get(path):
                changes.append(f"{key}: {path}: {b.get(path)} -> {a.get(path)}")
    return changes


def _processes_with(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(f"{entry.name}: {cmdline.replace(bytes(1), b' ')[:120]!r}")
    return found


def _leftovers() -> set:
    import glob
    from coursekit.exercises._sandbox import _cgroup_base
    memory = _cgroup_base("memory")          # below this process's own memory cgroup (cgroup v1)
    return set(glob.glob("/tmp/coursekit-kernel-*") + glob.glob("/tmp/coursekit-probe-*")
               + glob.glob("/sys/fs/cgroup/*/coursekit-*") + glob.glob("/sys/fs/cgroup/coursekit-*")
               + (glob.glob(f"{memory[0]}/coursekit-*") if memory else []))


def _host_ip() -> str | None:
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("10.255.255.255", 1))          # picks the outgoing interface; sends nothing
        ip = s.getsockname()[0]
        s.close()
        return None if ip.startswith("127.") else ip
    except OSError:
        return None


GRADER = """\
import resource, sys
from coursekit.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("COURSEKIT_PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


# ------------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def attacked(tmp_path_factory, grading_sandbox):
    subs = tmp_path_factory.mktemp("attack_submissions")
    tests_dir = tmp_path_factory.mktemp("attack_private_tests")
    (tests_dir / "hidden.py").write_text(PRIVATE_TESTS, encoding="utf-8")
    secret_dir = tmp_path_factory.mktemp("instructor_home")
    secret_text = "instructor-secret-" + secrets.token_hex(8)
    secret_path = secret_dir / "grading_key.txt"
    secret_path.write_text(secret_text, encoding="utf-8")
    out = tmp_path_factory.mktemp("attack_report")
    report_path = out / "report.json"
    marker_path = out / f"{MARK}.marker"
    secret_value = "env-secret-" + secrets.token_hex(8)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    abstract_name = "\0" + MARK
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind(abstract_name)
    abstract.listen(8)
    abstract.setblocking(False)
    hosts = ["127.0.0.1", "localhost"] + ([_host_ip()] if _host_ip() else [])

    paths: dict[str, Path] = {}

    def save(label, filename, nb):
        paths[label] = subs / filename
        nbformat.write(nb, paths[label])

    solved = _notebook(HEADER, BCE_OK, MSE_OK)
    save("solved_a", "04_solved_a.ipynb", solved)
    save("reacher", "04_reacher.ipynb", _notebook(HEADER, REACHER, _raise_with("REACHER", "_REACH")))
    save("storm", "04_storm.ipynb", _notebook(HEADER, BCE_OK, MSE_OK, STORM_SLOW, STORM_SLOW, STORM_REPLAY,
                                              STORM_SLOW, STORM_STUCK, STORM_SLOW, STORM_STUCK))
    save("walker", "04_walker.ipynb", _notebook(HEADER, WALKER))
    save("writer", "04_writer.ipynb", _notebook(
        HEADER, _fill(WRITER, MARK=MARK),
        _raise_with("WRITER", "f'tried={len(_TRIED)} succeeded={_DONE}'")))
    others = [p for p in ("04_solved_a", "04_solved_b", "04_reacher", "04_walker", report_path.name, str(out))]
    save("secrets", "04_secrets.ipynb", _notebook(HEADER, _fill(
        SECRETS, SECRET_PATH=str(secret_path), SECRET_TEXT=secret_text, SECRET_ENV=SECRET_ENV,
        SECRET_VALUE=secret_value, OTHERS=others)))
    save("killer", "04_killer.ipynb", _notebook(HEADER, KILLER, BCE_OK, MSE_OK))
    save("survivor", "04_survivor.ipynb", _notebook(
        HEADER, _fill(SURVIVOR, REPORT=str(report_path), MARKER=str(marker_path), MARK=MARK), BCE_OK, MSE_OK))
    mallory = nbformat.v4.new_notebook()
    mallory.metadata["coursekit"] = {"notebook": "04", "exercises": ["binary_cross_entropy"]}
    mallory.cells = [_code(HEADER), _code(BCE_OK, tags=["exercise:binary_cross_entropy"]),
                     _code('check("binary_cross_entropy", binary_cross_entropy)')]
    save("mallory", "04_loss_mallory.ipynb", mallory)
    paths["fifo"] = subs / "04_fifo.ipynb"
    os.mkfifo(paths["fifo"])
    paths["device"] = subs / "04_device.ipynb"
    os.symlink("/dev/zero", paths["device"])
    save("flood", "04_flood.ipynb", _notebook(HEADER, FLOOD_BIG, FLOOD_SMALL, FLOOD_RESULTS, BCE_OK, MSE_OK))
    save("ansi", "04_\x1b[31mansi\x07\r.ipynb", _notebook(HEADER, ANSI))
    save("network", "04_network.ipynb", _notebook(
        HEADER, _fill(NETWORK, PORT=port, HOSTS=hosts, ABSTRACT=abstract_name), _raise_with("NET", "_NET")))
    save("disk", "04_disk.ipynb", _notebook(HEADER, DISK, _raise_with("DISK", "_DISK['summary']")))
    save("solved_b", "04_solved_b.ipynb", solved)

    order = ["solved_a", "reacher", "storm", "walker", "writer", "secrets", "killer", "survivor", "mallory",
             "fifo", "device", "flood", "ansi", "network", "disk", "solved_b"]
    listing_before = sorted(os.listdir(subs))
    hashes_before = {k: p.read_bytes() for k, p in paths.items() if p.is_file() and not p.is_symlink()}
    leftovers_before = _leftovers()
    state_before = _environment_state()

    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env[SECRET_ENV] = secret_value
    argv = [sys.executable, "-c", GRADER, "grade", *[str(paths[k]) for k in order], "--jobs", "2",
            "--timeout", str(TIME_LIMIT), "--cell-timeout", str(CELL_TIMEOUT),
            "--submission-timeout", str(SUBMISSION_TIMEOUT), "--tests", str(tests_dir), "--json", str(report_path)]

    # when each submission first appears in the (atomically rewritten) report
    appeared, stop_polling = {}, threading.Event()

    def poll(started):
        while not stop_polling.is_set():
            try:
                data = json.loads(report_path.read_text(encoding="utf-8"))
                for row in data.get("submissions", []):
                    appeared.setdefault(row["path"], time.monotonic() - started)
            except (OSError, ValueError):
                pass
            time.sleep(0.1)

    started = time.monotonic()
    poller = threading.Thread(target=poll, args=(started,), daemon=True)
    poller.start()
    try:
        done = subprocess.run(argv, capture_output=True, env=env, cwd=str(out), timeout=RUN_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    finally:
        stop_polling.set()
        poller.join()
    elapsed = time.monotonic() - started
    report_text = report_path.read_text(encoding="utf-8")
    report = json.loads(report_text)

    time.sleep(3)           # a survivor would have written the report or the marker by now
    report_later = report_path.read_text(encoding="utf-8")
    survivors = _processes_with(MARK)
    marker_exists = marker_path.exists()
    state_after = _environment_state()

    accepted = []
    for sock in (listener, abstract):
        while select.select([sock], [], [], 0)[0]:
            try:
                conn, _ = sock.accept()
                accepted.append(conn.recv(100))
                conn.close()
            except BlockingIOError:
                break
    listener.close()
    abstract.close()

    peak = re.search(rb"COURSEKIT_PEAK_KB (\d+)", done.stderr)
    by_path = {row["path"]: row for row in report["submissions"]}
    yield {
        "code": done.returncode, "stdout": done.stdout, "stderr": done.stderr.decode(errors="replace"),
        "elapsed": elapsed, "report": report, "report_text": report_text, "report_later": report_later,
        "rows": {k: by_path.get(str(p)) for k, p in paths.items()}, "paths": paths, "appeared": appeared,
        "survivors": survivors, "marker_exists": marker_exists, "accepted": accepted,
        "peak_kb": int(peak.group(1)) if peak else None, "state_before": state_before, "state_after": state_after,
        "listing_before": listing_before, "listing_after": sorted(os.listdir(subs)),
        "hashes_before": hashes_before,
        "hashes_after": {k: paths[k].read_bytes() for k in hashes_before},
        "leftovers_before": leftovers_before, "leftovers_after": _leftovers(), "order": order,
    }
    # a broken sandbox must not leave the attack's inert files in the checkout or the environment
    for change in _diff(state_before, state_after):
        if MARK in change:
            for root in (KIT, Path(sys.prefix), Path(sys.base_prefix)):
                for path in root.rglob(f"*{MARK}*"):
                    path.unlink(missing_ok=True)


def _row(attacked, label):
    row = attacked["rows"][label]
    assert row is not None, f"no report row for {label}; stderr:\n{attacked['stderr'][-3000:]}"
    return row


def _exercises(attacked, label):
    """The two exercises the attack notebooks answer (notebook 04's others are simply missing)."""
    return {e["name"]: e for e in _row(attacked, label)["exercises"] if e["name"] in LOSSES}


def _messages(exercise) -> list[str]:
    return [c["message"] for c in exercise["cases"]] or [exercise["message"]]


# ------------------------------------------------------------------------------------------------
# The run as a whole
# ------------------------------------------------------------------------------------------------
def test_the_grader_finishes_normally_with_a_complete_report(attacked):
    assert attacked["code"] == 0, attacked["stderr"][-3000:]
    report = attacked["report"]
    assert report["complete"] is True
    assert [row["path"] for row in report["submissions"]] == [str(attacked["paths"][k]) for k in attacked["order"]]
    assert attacked["elapsed"] < 150, f"the run took {attacked['elapsed']:.0f} s"


def test_13_honest_submissions_keep_full_marks(attacked):
    for label in ("solved_a", "solved_b"):
        row = _row(attacked, label)
        assert row["status"] == "graded" and row["sandboxed"] is True
        assert (row["points"], row["max_points"]) == (FULL, NB04), row
        mse = _exercises(attacked, label)["mean_squared_error"]
        assert mse["cases"][-1]["label"] == "private: hidden case" and mse["cases"][-1]["passed"]


def test_no_hostile_submission_earns_points_it_should_not(attacked):
    for label in ("reacher", "walker", "writer", "secrets", "ansi", "network", "disk"):
        row = _row(attacked, label)
        assert row["points"] == 0 and row["max_points"] == NB04, (label, row)
    for label in ("killer", "survivor", "flood"):          # correct functions: their points are earned
        row = _row(attacked, label)
        assert row["max_points"] == NB04, (label, row)


# ------------------------------------------------------------------------------------------------
# 1. Frame walking
# ------------------------------------------------------------------------------------------------
def test_1_frame_walker_finds_no_expected_value_and_scores_zero(attacked):
    exercises = _exercises(attacked, "walker")
    for name, exercise in exercises.items():
        assert exercise["points"] == 0, exercise
        for message in _messages(exercise):
            assert "WALKER found nothing" in message, (name, message)
            assert "saw_inputs=True" in message, (name, message)      # it did reach the runner's frames
    hidden = exercises["mean_squared_error"]["cases"][-1]
    assert hidden["label"] == "private: hidden case" and not hidden["passed"]
    assert "WALKER found nothing" in hidden["message"]
    assert str(HIDDEN_EXPECTED) not in json.dumps(_row(attacked, "walker"))


# ------------------------------------------------------------------------------------------------
# 2. Writing into the kit and the environment
# ------------------------------------------------------------------------------------------------
def test_2_writes_to_the_kit_site_packages_and_pycache_all_fail(attacked):
    exercises = _exercises(attacked, "writer")
    for exercise in exercises.values():
        assert exercise["points"] == 0
        for message in _messages(exercise):
            assert re.search(r"WRITER tried=\d{2,} succeeded=\[\]", message), message
    assert _row(attacked, "solved_b")["points"] == FULL     # graded after the writer, with the same kit


def test_environment_and_kit_files_hash_the_same_before_and_after(attacked):
    changes = _diff(attacked["state_before"], attacked["state_after"])
    assert not changes, "\n".join(changes[:30])


def test_submissions_are_unchanged_and_nothing_is_left_behind(attacked):
    assert attacked["listing_before"] == attacked["listing_after"]
    assert attacked["hashes_before"] == attacked["hashes_after"]
    assert attacked["leftovers_after"] <= attacked["leftovers_before"], \
        sorted(attacked["leftovers_after"] - attacked["leftovers_before"])


# ------------------------------------------------------------------------------------------------
# 3. Secrets
# ------------------------------------------------------------------------------------------------
def test_3_instructor_files_grader_cmdline_and_environment_are_invisible(attacked):
    exercises = _exercises(attacked, "secrets")
    for exercise in exercises.values():
        assert exercise["points"] == 0, exercise       # it returns the right answer only after a leak
        for message in _messages(exercise):
            assert "NOSECRET" in message, message
    message = exercises["binary_cross_entropy"]["cases"][0]["message"]
    pids = int(re.search(r"'pids': (\d+)", message).group(1))
    assert pids <= 4, message                         # its own PID namespace: bwrap and the kernel
    assert "'ppid': 1" in message or "'ppid': 0" in message, message


# ------------------------------------------------------------------------------------------------
# 4. Reaching the other kernel
# ------------------------------------------------------------------------------------------------
def test_4_no_other_kernel_is_reachable(attacked):
    exercises = _exercises(attacked, "reacher")
    for exercise in exercises.values():
        assert exercise["points"] == 0
        for message in _messages(exercise):
            assert "'connected': []" in message, message
    assert _row(attacked, "solved_a")["points"] == FULL    # graded alongside the reacher (--jobs 2)
    appeared = attacked["appeared"]
    reacher, victim = str(attacked["paths"]["reacher"]), str(attacked["paths"]["solved_a"])
    assert reacher in appeared and victim in appeared


# ------------------------------------------------------------------------------------------------
# 5. Killing the grader
# ------------------------------------------------------------------------------------------------
def test_5_killing_everything_in_sight_does_not_stop_the_grader(attacked):
    assert attacked["code"] == 0 and attacked["report"]["complete"] is True
    row = _row(attacked, "killer")
    assert row["status"] == "graded" and row["kernel_restarts"] <= 1
    assert 0 <= row["points"] <= FULL
    later = attacked["order"][attacked["order"].index("killer") + 1:]
    assert all(attacked["rows"][k] is not None for k in later)
    assert _row(attacked, "solved_b")["points"] == FULL


# ------------------------------------------------------------------------------------------------
# 6. A setsid survivor
# ------------------------------------------------------------------------------------------------
def test_6_processes_started_in_new_sessions_die_with_the_kernel(attacked):
    assert attacked["survivors"] == []
    assert not attacked["marker_exists"]
    assert attacked["report_later"] == attacked["report_text"]
    assert json.loads(attacked["report_later"])["submissions"]            # not the survivor's fake report
    # its functions are right, but its processes still run while they are checked: they could do the
    # banned work unseen, so the delegation check refuses those cases and says why
    for exercise in _exercises(attacked, "survivor").values():
        assert exercise["points"] == 0, exercise
        assert "another process your notebook started was still running" in exercise["message"], exercise


# ------------------------------------------------------------------------------------------------
# 7. Metadata narrowing
# ------------------------------------------------------------------------------------------------
def test_7_narrowed_metadata_does_not_drop_an_exercise(attacked):
    row = _row(attacked, "mallory")
    assert row["graded_as"] == "04" and row["max_points"] == NB04 and row["points"] == 2.0
    mse = _exercises(attacked, "mallory")["mean_squared_error"]
    assert mse["points"] == 0 and mse["status"] == "missing"
    assert "not found in the submission" in mse["message"]


# ------------------------------------------------------------------------------------------------
# 8. A FIFO (and a device) as a submission
# ------------------------------------------------------------------------------------------------
def test_8_fifo_and_device_are_error_rows_and_the_run_goes_on(attacked):
    fifo = _row(attacked, "fifo")
    assert fifo["status"] == "error" and "FIFO" in fifo["error"]
    device = _row(attacked, "device")
    assert device["status"] == "error" and "device" in device["error"]
    later = attacked["order"][attacked["order"].index("device") + 1:]
    assert all(_row(attacked, k)["status"] == "graded" for k in later)


# ------------------------------------------------------------------------------------------------
# 9. A replay storm
# ------------------------------------------------------------------------------------------------
def test_9_replay_storm_is_bounded_by_the_submission_timeout(attacked):
    row = _row(attacked, "storm")
    assert row["status"] == "graded" and row["kernel_restarts"] <= 1
    assert row["points"] == 0
    assert any(p["status"] == "timeout" for p in row["cell_problems"])
    appeared = attacked["appeared"]
    storm = str(attacked["paths"]["storm"])
    first_two = [appeared.get(str(attacked["paths"][k])) for k in ("solved_a", "reacher")]
    assert storm in appeared and None not in first_two
    took = appeared[storm] - min(first_two)           # it took the slot the first finisher freed
    assert took < SUBMISSION_TIMEOUT + 15, f"the storm took {took:.0f} s"


# ------------------------------------------------------------------------------------------------
# 10. Output floods
# ------------------------------------------------------------------------------------------------
def test_10_output_flood_keeps_the_grader_small_and_the_answers_graded(attacked):
    assert attacked["peak_kb"] is not None, attacked["stderr"][-2000:]
    assert attacked["peak_kb"] < 1024 * 1024, f"grader peak RSS {attacked['peak_kb'] / 1024:.0f} MB"
    row = _row(attacked, "flood")
    assert row["status"] == "graded"
    assert {n: e["status"] for n, e in _exercises(attacked, "flood").items()} == {
        "binary_cross_entropy": "passed", "mean_squared_error": "passed"}, row


# ------------------------------------------------------------------------------------------------
# 11. ANSI escapes
# ------------------------------------------------------------------------------------------------
def test_11_terminal_output_has_no_escapes_or_control_characters(attacked):
    table = attacked["stdout"].decode("utf-8")
    assert "HACKED" in table                                  # the message is shown, stripped
    bad = sorted({hex(ord(c)) for c in table if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) <= 0x9f
                  or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"})
    assert not bad, bad
    ansi = _exercises(attacked, "ansi")
    assert ansi["binary_cross_entropy"]["points"] == 0
    assert ansi["mean_squared_error"]["status"] == "missing"


# ------------------------------------------------------------------------------------------------
# 12. The network
# ------------------------------------------------------------------------------------------------
def test_12_no_connection_reaches_a_listener_of_the_host(attacked):
    assert attacked["accepted"] == []
    for exercise in _exercises(attacked, "network").values():
        assert exercise["points"] == 0
        for message in _messages(exercise):
            assert message.startswith("raised RuntimeError: NET [") and ":connected" not in message, message


# ------------------------------------------------------------------------------------------------
# Extra: the one writable host folder
# ------------------------------------------------------------------------------------------------
def test_runtime_folder_does_not_let_a_submission_fill_the_host_disk(attacked):
    """The private home and /tmp are tmpfs capped at 512 MB; the runtime folder (connection file and
    sockets) is a bind of a host folder, and should not take more than that either."""
    exercise = _exercises(attacked, "disk")["binary_cross_entropy"]
    message = exercise["cases"][0]["message"]
    written = int(re.search(r"bytes=(\d+)", message).group(1))
    assert written <= 512 * 2 ** 20, (
        f"a submission put {written / 2 ** 20:.0f} MB on the grading host's disk through its runtime "
        f"folder: {message}")
