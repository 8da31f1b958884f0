"""The kit as Binder builds it: a fresh venv from binder/requirements.txt alone, every notebook run in it.

repo2docker runs ``pip install -r binder/requirements.txt`` from the repository root and ignores
pyproject.toml otherwise. This test does the same in a clean virtual environment (no system
site-packages, no user site, no PYTHONPATH, its own Jupyter dirs) built from a copy of the working
tree, then executes ``notebooks/*.ipynb`` (and the browser-suite fixtures, which use ipywidgets and
ipympl) with nbclient inside it. A dependency missing from pyproject.toml fails here, not in a
classroom.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BINDER = REPO_ROOT / "binder"
FIXTURES = REPO_ROOT / "tests" / "browser" / "fixtures"
PIP_TIMEOUT = 1200  # s
NOTEBOOK_TIMEOUT = 600  # s per notebook, whole notebook
COPY_IGNORE = shutil.ignore_patterns(
    ".git", "*.egg-info", "build", "dist", "__pycache__", ".ipynb_checkpoints", "test-results",
    ".pytest_cache", ".hypothesis", "*.pyc", ".venv", "venv",
)

NOTEBOOKS = [f"notebooks/{p.name}" for p in sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))] + [
    f"fixtures/{p.name}" for p in sorted(FIXTURES.glob("fixture_*.ipynb"))
]

# Runs inside the Binder venv: check the kernel is that venv's Python with the installed kit,
# then execute one notebook with nbclient (a dependency of coursekit itself).
RUNNER = textwrap.dedent(
    r'''
    import sys, nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path, timeout = sys.argv[1], int(sys.argv[2])
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys, coursekit, ipympl, ipywidgets; print(sys.prefix); print(coursekit.__file__)")])
    NotebookClient(probe, timeout=120, kernel_name="python3").execute()
    prefix, kit = probe.cells[0].outputs[0]["text"].split()
    assert prefix == sys.prefix, f"kernel runs {prefix}, not the Binder venv {sys.prefix}"
    assert kit.startswith(sys.prefix), f"kernel imports coursekit from {kit}, not from the venv"

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": "."}})
    try:
        client.execute()
    except CellExecutionError as e:
        print(str(e)[-6000:])
        sys.exit(1)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    if errors:
        print(errors)
        sys.exit(1)
    print("ok")
    '''
)


def _clean_env(venv: Path, home: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV", "CONDA", "IPYTHON", "MPL"))}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PYTHONNOUSERSITE="1",
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "mpl"),
        MPLBACKEND="agg",
    )
    return env


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("binder")
    repo = base / "repo"
    shutil.copytree(REPO_ROOT, repo, ignore=COPY_IGNORE)
    shutil.copytree(FIXTURES, repo / "fixtures", ignore=COPY_IGNORE)
    venv = base / "venv"
    env = _clean_env(venv, base / "home")

    t = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # exactly what repo2docker does, from the repository root
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-r", "binder/requirements.txt"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=PIP_TIMEOUT,
    )
    seconds = time.monotonic() - t
    print(f"\nBinder venv built in {seconds:.0f}s")
    assert pip.returncode == 0, f"pip install -r binder/requirements.txt failed:\n{pip.stdout[-4000:]}\n{pip.stderr[-4000:]}"
    runner = base / "run_notebook.py"
    runner.write_text(RUNNER)
    return {"repo": repo, "venv": venv, "env": env, "runner": runner, "build_seconds": seconds}


def test_binder_files_are_what_binder_reads():
    lines = [l.strip() for l in (BINDER / "requirements.txt").read_text().splitlines()]
    assert "." in lines, "binder/requirements.txt needs a '.' line so Binder installs coursekit itself"
    assert not (BINDER / "environment.yml").exists(), "environment.yml would override requirements.txt"
    assert (BINDER / "runtime.txt").read_text().strip().startswith("python-3.")


@pytest.mark.slow
def test_binder_venv_has_the_lab_extensions(binder_env):
    """Widgets only show in JupyterLab when their front-end extensions are installed."""
    out = subprocess.run(
        [str(binder_env["venv"] / "bin" / "jupyter"), "labextension", "list"],
        env=binder_env["env"], capture_output=True, text=True, timeout=120,
    )
    listing = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)  # drop colour codes
    for ext in ("@jupyter-widgets/jupyterlab-manager", "jupyter-matplotlib"):
        assert re.search(rf"{re.escape(ext)} v\S+ enabled\s+\S*OK", listing), f"{ext} missing:\n{listing}"


@pytest.mark.slow
@pytest.mark.parametrize("nb_path", NOTEBOOKS)
def test_notebook_runs_in_binder_venv(binder_env, nb_path):
    nb = binder_env["repo"] / nb_path
    t = time.monotonic()
    run = subprocess.run(
        [str(binder_env["venv"] / "bin" / "python"), str(binder_env["runner"]), nb.name, str(NOTEBOOK_TIMEOUT)],
        cwd=nb.parent, env=binder_env["env"], capture_output=True, text=True,
        timeout=NOTEBOOK_TIMEOUT + 180,
    )
    print(f"{nb_path}: {time.monotonic() - t:.1f}s in the Binder venv")
    if run.returncode != 0:
        out = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout)[-6000:]
        err = "\n".join(l for l in run.stderr.splitlines() if "running over TCP without encryption" not in l)
        pytest.fail(f"{nb_path} failed in the Binder venv:\n{out}\n{err[-3000:]}", pytrace=False)

