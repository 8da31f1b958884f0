"""A second environment with Colab's widget stack: ipywidgets 7 (and JupyterLab 3 to serve it), cached.

Built once (``python -m venv`` + pip, about a minute with pip's cache) into ``.venv-widgets7`` beside the
repository's ``.venv``, and rebuilt only when :data:`REQUIREMENTS` or ``pyproject.toml`` change. Used by
``tests/test_colab_notebooks.py`` (every notebook under nbclient, as in Colab) and by the browser suite's
second pass (``tests/browser``: JupyterLab 3 + ipywidgets 7.8 in Chromium).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCATION = REPO_ROOT / ".venv-widgets7"
#: Colab's ipywidgets major version; JupyterLab 3 is the last one whose widget manager takes ipywidgets 7
#: (jupyterlab_pygments 0.3 is JupyterLab 4's only: with it JupyterLab 3 lists an incompatible extension).
REQUIREMENTS = ["ipywidgets>=7.7,<8", "jupyterlab>=3.6,<4", "jupyterlab_pygments<0.3"]
INSTALL_TIMEOUT = 900  # s


def _stamp() -> str:
    pyproject = (REPO_ROOT / "pyproject.toml").read_bytes()
    return json.dumps({"requirements": REQUIREMENTS, "pyproject": hashlib.sha256(pyproject).hexdigest()})


def widgets7_python() -> Path:
    """The Python of the ipywidgets-7 environment (with the kit installed, editable), built if needed."""
    python, stamp = LOCATION / "bin" / "python", LOCATION / "coursekit-stamp.json"
    if python.exists() and stamp.exists() and stamp.read_text() == _stamp():
        return python
    shutil.rmtree(LOCATION, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(LOCATION)], check=True, timeout=120)
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS, "-e", str(REPO_ROOT)],
                          capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(f"installing {REQUIREMENTS} and the kit into {LOCATION} failed:\n{done.stderr[-3000:]}")
    stamp.write_text(_stamp())
    return python


def version(python: Path, package: str) -> str:
    """The version of ``package`` installed for ``python``."""
    return subprocess.run([str(python), "-c", f"import importlib.metadata as m; print(m.version({package!r}))"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()
