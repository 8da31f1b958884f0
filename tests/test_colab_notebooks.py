"""Every notebook as Colab runs it: ipywidgets 7, and ``google.colab`` imported when the kernel starts.

A second environment (tests/widgets7_env.py: ``ipywidgets>=7.7,<8``, the kit installed there) runs
each notebook with nbclient. Its kernel imports a stand-in ``google.colab`` at start (an IPython startup
file), as Colab's kernels do; the stand-in's ``enable_custom_widget_manager`` leaves a marker output
where it is called. Asserted: no error output in any notebook, the widget stack really is ipywidgets 7,
and the manager was turned on exactly once per notebook, before the first widget was displayed.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from widgets7_env import REPO_ROOT, version, widgets7_python

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent / "colab"
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def colab_runs(tmp_path_factory):
    python = widgets7_python()
    assert version(python, "ipywidgets").startswith("7."), version(python, "ipywidgets")
    ipython_dir = tmp_path_factory.mktemp("ipython")
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text("import google.colab  # as in every Colab kernel\n")
    work = tmp_path_factory.mktemp("notebooks")               # copies: the repo's notebooks stay as they are
    copies = []
    for path in NOTEBOOKS:
        copies.append(work / path.name)
        copies[-1].write_bytes(path.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(HERE / "stand_in"), "IPYTHONDIR": str(ipython_dir),
           "MPLBACKEND": "agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    done = subprocess.run([str(python), str(HERE / "run_notebooks_as_colab.py"), *map(str, copies)],
                          capture_output=True, text=True, env=env, timeout=1800, cwd=work)
    assert done.returncode == 0, done.stderr[-3000:]
    return {run["notebook"]: run for run in map(json.loads, done.stdout.splitlines())}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean_under_colab_with_ipywidgets_7(colab_runs, path):
    run = colab_runs[path.name]
    assert not run["errors"], "\n".join(run["errors"])
    kinds = [kind for kind, _, _ in run["order"]]
    assert "widget" in kinds, f"{path.name}: no widget displayed"
    assert kinds.count("marker") == 1, f"{path.name}: enable_custom_widget_manager called {kinds.count('marker')} times"
    assert kinds[0] == "marker", f"{path.name}: a widget was displayed before the widget manager was enabled: {run['order']}"
