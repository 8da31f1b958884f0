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
