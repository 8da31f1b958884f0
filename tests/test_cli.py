"""The ``coursekit`` command: lab, doctor (grade has its own tests)."""

import subprocess
import sys

import pytest

from coursekit import cli, doctor


def test_doctor_passes_in_the_test_environment(capsys, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "✗" not in out and "✓ ipympl" in out and "jupyter-matplotlib" in out
    assert "everything is ready" in out


def test_doctor_leaves_matplotlibs_backend_alone():
    """Importing ipympl would switch the backend of the whole process (and break Agg users)."""
    import matplotlib
    before = matplotlib.get_backend()
    list(doctor.checks())
    assert matplotlib.get_backend() == before


def test_doctor_names_the_fix_for_a_missing_package(capsys, monkeypatch):
    monkeypatch.setattr(doctor, "REQUIRED", ["numpy", "no_such_package_xyz"])
    assert doctor.run() == 1
    out = capsys.readouterr().out
    assert "✗ no_such_package_xyz cannot be imported" in out and "fix:" in out and "pip install -e ." in out


def test_lab_opens_a_notebook_by_number(capsys, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    monkeypatch.setattr(cli.os, "geteuid", lambda: 1000)
    assert cli.main(["lab", "5", "--dry-run"]) == 0
    command = capsys.readouterr().out.strip()
    assert command.startswith(sys.executable) and " -m jupyter lab " in command
    assert command.endswith("notebooks/05_gradient_descent.ipynb")


@pytest.mark.parametrize("argv", [["lab", "05", "--dry-run", "--", "--no-browser", "--port", "8899"],
                                  ["lab", "05", "--no-browser", "--port=8899", "--dry-run"]])
def test_lab_passes_jupyterlab_options_through(argv, capsys, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    monkeypatch.setattr(cli.os, "geteuid", lambda: 1000)
    assert cli.main(argv) == 0
    command = capsys.readouterr().out.strip()
    assert "05_gradient_descent.ipynb --no-browser --port" in command and "8899" in command
    assert "--dry-run" not in command and " -- " not in command


def test_lab_as_root_says_so_and_adds_allow_root(capsys, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    monkeypatch.setattr(cli.os, "geteuid", lambda: 0)
    assert cli.main(["lab", "05", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out.strip().endswith("--allow-root") and "running as root" in err


def test_stopping_lab_by_its_pid_stops_jupyterlab_too(tmp_path):
    """SIGTERM to `coursekit lab` (what a process manager or `kill PID` sends) must not leave the server."""
    import os
    import signal
    import time
    pidfile = tmp_path / "child.pid"
    server = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    lab = subprocess.Popen([sys.executable, "-c", "import sys; from coursekit.cli import _run_until_stopped; "
                            f"sys.exit(_run_until_stopped([sys.executable, '-c', {server!r}]))"])
    deadline = time.monotonic() + 30
    while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(pidfile.read_text())
    lab.send_signal(signal.SIGTERM)
    lab.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        try:
            if os.waitpid(child, os.WNOHANG) != (0, 0):
                return
        except ChildProcessError:
            pass
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the JupyterLab stand-in outlived coursekit lab")


def test_lab_lists_the_notebooks_for_an_unknown_number(capsys, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    assert cli.main(["lab", "42", "--dry-run"]) == 2
    assert "01_perceptron.ipynb" in capsys.readouterr().err


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and all(name in result.stdout for name in ("lab", "grade", "doctor"))


def test_doctor_reports_a_containers_cpu_quota(monkeypatch):
    """On Binder the process sees the host's cores but may use one: doctor says so, and what training does."""
    from coursekit import blas
    monkeypatch.setattr(blas, "cgroup_cpu_quota", lambda root=None: 1.0)
    monkeypatch.setattr(blas, "blas_threads", lambda: 8)
    monkeypatch.setattr(blas.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    line = doctor._cores_line()
    assert line == ("1 usable CPU core(s) (container CPU quota 1); numpy's BLAS starts 8 thread(s), "
                    "large models train on 1")


def test_doctor_cores_line_without_a_known_blas(monkeypatch):
    from coursekit import blas
    monkeypatch.setattr(blas, "cgroup_cpu_quota", lambda root=None: None)
    monkeypatch.setattr(blas, "blas_threads", lambda: None)
    assert doctor._cores_line().endswith("(no container CPU quota); numpy's BLAS thread count unknown")
