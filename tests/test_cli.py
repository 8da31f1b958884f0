"""The ``coursekit`` command: lab, doctor (grade has its own tests)."""

import subprocess
import sys


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
    assert cli.main(["lab", "5", "--dry-run"]) == 0
    command = capsys.readouterr().out.strip()
    assert command.startswith(sys.executable) and " -m jupyter lab " in command
    assert command.endswith("notebooks/05_gradient_descent.ipynb")


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
