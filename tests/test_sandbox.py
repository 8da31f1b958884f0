"""The sandbox's file view when the kit itself lives under /tmp (a CI clone, a throw-away venv).

The sandbox mounts a private tmpfs on ``/tmp``; the environment and the kit must be bound on top of
it, or the kernel cannot even start (``bwrap: execvp .../.venv/bin/python: No such file``), which is
what a fresh clone under ``/tmp`` met.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

import pytest

from coursekit.exercises import _sandbox


@pytest.fixture
def kit_under_tmp(monkeypatch):
    """A folder under the host's /tmp that the sandbox must see read-only, as it sees the kit."""
    with tempfile.TemporaryDirectory(dir="/tmp") as kit, tempfile.TemporaryDirectory(dir="/tmp") as other, \
            tempfile.TemporaryDirectory(dir="/tmp") as runtime:
        with open(f"{kit}/module.py", "w") as f:
            f.write("VALUE = 42\n")
        with open(f"{other}/secret.txt", "w") as f:
            f.write("not for the sandbox\n")
        paths = _sandbox._read_only_paths() + [kit]
        monkeypatch.setattr(_sandbox, "_read_only_paths", lambda: paths)
        yield kit, other, runtime


def test_a_kit_under_tmp_is_visible_read_only_and_the_rest_of_tmp_is_not(grading_sandbox, kit_under_tmp):
    kit, other, runtime = kit_under_tmp
    script = (f"import os, sys; sys.path.insert(0, {kit!r}); import module; print(module.VALUE)\n"
              f"print(os.path.exists({other + '/secret.txt'!r}))\n"
              f"try:\n    open({kit + '/new.py'!r}, 'w'); print('wrote')\nexcept OSError:\n    print('read-only')\n"
              f"open('/tmp/scratch', 'w').write('x'); print('tmp writable')")
    limits = _sandbox.Limits()
    cmd = _sandbox.command([sys.executable, "-I", "-c", script], runtime, limits)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:4] == ["42", "False", "read-only", "tmp writable"], done.stdout
    assert not __import__("os").path.exists(f"{kit}/new.py")


def test_folders_holding_binds_in_the_private_tmp_get_their_own_read_only_mount():
    """A kit cloned under /tmp (CI) is bound at /tmp/ci/repo/coursekit: /tmp/ci and /tmp/ci/repo would be
    folders of the sandbox's own, writable /tmp, on sys.path. Each such top folder gets a read-only tmpfs."""
    from coursekit.exercises._sandbox import _holders
    paths = ["/usr", "/tmp/ci/repo/coursekit", "/tmp/ci/repo/.venv", "/tmp/venv", "/home/student/a/b"]
    assert _holders(paths, ("/tmp", "/home/student")) == ["/tmp/ci", "/home/student/a"]
    assert _holders(["/tmp/x", "/tmp/x/y"], ("/tmp",)) == []          # /tmp/x is bound read-only itself


# ------------------------------------------------------------------ what a root-run sandbox can reach
def _in_sandbox(script, limits=None, group=None):
    """Run ``script`` with this Python in a fresh sandbox; the finished process."""
    limits = limits or _sandbox.Limits()
    with tempfile.TemporaryDirectory() as runtime:
        cmd = _sandbox.command([sys.executable, "-I", "-c", script], runtime, limits,
                               group.procs_files if group else ())
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_machine_settings_keyrings_and_kernel_interfaces_are_out_of_reach(grading_sandbox):
    """Found by a red-team pass: as root the sandbox's user is the host's root (without capabilities),
    so root-owned files in /proc/sys were writable, and the grader's session keyring was inherited."""
    script = """\
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
def call(number, *args):
    result = libc.syscall(number, *args)
    return "refused" if result == -1 and ctypes.get_errno() == errno.EPERM else f"allowed ({result})"
numbers = {"x86_64": (250, 321, 101), "aarch64": (219, 280, 117)}[os.uname().machine]
print("keyctl", call(numbers[0], 0, -3, 0))         # KEYCTL_GET_KEYRING_ID of the session keyring
print("bpf", call(numbers[1], 0, 0, 0))
print("ptrace", call(numbers[2], 0, 0, 0, 0))        # PTRACE_TRACEME
for path in ("/proc/sys/kernel/printk_ratelimit_burst", "/proc/sys/kernel/hostname", "/dev/null-copy"):
    try:
        open(path, "w").close(); print(path, "writable")
    except OSError as error:
        print(path, errno.errorcode[error.errno])
try:
    print("/proc/keys", repr(open("/proc/keys").read()))
except OSError as error:
    print("/proc/keys", errno.errorcode[error.errno])
if libc.unshare(0x10000000) == 0:                   # CLONE_NEWUSER
    print("nested user namespace")
else:
    print("no nested user namespace", errno.errorcode[ctypes.get_errno()])
"""
    done = _in_sandbox(script)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == ["keyctl refused", "bpf refused", "ptrace refused"], done.stdout
    assert lines[3:6] == ["/proc/sys/kernel/printk_ratelimit_burst EROFS", "/proc/sys/kernel/hostname EROFS",
                          "/dev/null-copy EROFS"], done.stdout
    assert lines[6] in ("/proc/keys ''", "/proc/keys ENOENT", "/proc/keys EACCES"), done.stdout
    assert lines[7].startswith("no nested user namespace"), done.stdout


def test_the_seccomp_program_refuses_its_calls_and_kills_another_architecture():
    """The program's jumps, read back: every refused number lands on EPERM, other numbers on ALLOW."""
    import struct

    from coursekit.exercises import _seccomp
    for machine in ("x86_64", "aarch64"):
        raw = _seccomp.program(machine)
        ops = [struct.unpack("=HBBI", raw[i:i + 8]) for i in range(0, len(raw), 8)]
        arch, numbers = _seccomp._ARCHES[machine]

        def run(nr, audit_arch=arch):
            pc, acc = 0, None
            while True:
                code, jt, jf, k = ops[pc]
                if code == _seccomp._LD_W_ABS:
                    acc = audit_arch if k == _seccomp._ARCH else nr
                    pc += 1
                elif code == _seccomp._RET_K:
                    return k
                else:
                    taken = acc == k if code == _seccomp._JEQ_K else acc >= k
                    pc += 1 + (jt if taken else jf)
        eperm = _seccomp._ERRNO | 1
        assert all(run(numbers[name]) == eperm for name in _seccomp.REFUSED)
        assert run(0) == run(1) == run(60) == _seccomp._ALLOW          # read, write / exit
        assert run(numbers["keyctl"], audit_arch=0x40000003) == _seccomp._KILL_PROCESS
        if machine == "x86_64":
            assert run(0x40000000 + numbers["keyctl"]) == eperm           # the x32 ABI's numbering
    assert _seccomp.program("sparc") is None


def test_shared_memory_is_capped_and_the_whole_sandbox_has_one_memory_limit(grading_sandbox):
    """RLIMIT_AS is per process: without a cgroup, eight processes could hold eight times the limit."""
    import os
    script = """\
import os
try:
    with open("/dev/shm/big", "wb") as f:
        f.write(b"x" * (80 * 2 ** 20))
    print("shm 80 MB written")
except OSError as error:
    print("shm full", error.errno)
os.unlink("/dev/shm/big") if os.path.exists("/dev/shm/big") else None
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        block = bytearray(150 * 2 ** 20)          # zero pages: touch them
        for i in range(0, len(block), 4096):
            block[i] = 1
        os._exit(0)
    children.append(pid)
print("exits", sorted(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children))
"""
    limits = _sandbox.Limits(total_memory_bytes=300 * 2 ** 20)
    group = _sandbox.ProcessGroupLimit(limits.processes, limits.total_memory_bytes)
    try:
        done = _in_sandbox(script, limits, group)
    finally:
        group.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "shm full 28", done.stdout         # ENOSPC at 64 MB
    if os.geteuid() == 0 and "memory" in group.limits:
        assert "-9" in done.stdout.splitlines()[1], done.stdout             # 450 MB > 300 MB: one killed
    assert group.paths == []
