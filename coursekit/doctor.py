"""``coursekit doctor``: check that this Python environment can run the kit, and say how to fix what is missing.

It answers the two questions behind most classroom problems: "why don't the sliders show?" (the
JupyterLab extensions of ipywidgets and ipympl are missing, or the notebook runs a kernel from another
environment) and "kernel not found" (no ``python3`` kernel spec points at this environment).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys
from pathlib import Path

REQUIRED = ["numpy", "matplotlib", "ipywidgets", "ipympl", "jupyterlab", "ipykernel", "nbclient", "nbformat", "tqdm"]
LAB_EXTENSIONS = {
    "ipywidgets (sliders)": "@jupyter-widgets/jupyterlab-manager",
    "ipympl (%matplotlib widget)": "jupyter-matplotlib",
}


def notebooks_folder() -> Path | None:
    """The kit's notebooks: ./notebooks, or next to the package in a clone (editable install)."""
    for candidate in (Path.cwd() / "notebooks", Path(__file__).resolve().parents[1] / "notebooks"):
        if any(candidate.glob("01_*.ipynb")):
            return candidate
    return None


def _labextension_dirs():
    from jupyter_core.paths import jupyter_path

    return [Path(p) for p in jupyter_path("labextensions")]


def checks():
    """Yield (ok, what, fix) for every check."""
    yield (sys.version_info >= (3, 10), f"Python {sys.version.split()[0]} at {sys.executable}",
           "use Python 3.10 or newer")
    for name in REQUIRED:
        # Looked up, not imported: importing ipympl switches matplotlib's backend of the whole process.
        if importlib.util.find_spec(name) is None:
            yield False, f"{name} cannot be imported (not installed)", f"{sys.executable} -m pip install -e ."
            continue
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = ""
        yield True, f"{name} {version}".strip(), ""
    try:
        dirs = _labextension_dirs()
    except Exception as error:  # noqa: BLE001
        yield False, f"Jupyter paths unavailable ({error})", f"{sys.executable} -m pip install jupyterlab"
        dirs = []
    for what, extension in LAB_EXTENSIONS.items():
        found = any((d / extension / "package.json").exists() for d in dirs)
        yield (found, f"JupyterLab extension for {what}: {extension}",
               f"{sys.executable} -m pip install --force-reinstall ipywidgets ipympl, then restart JupyterLab")
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec("python3")
        kernel_python = spec.argv[0]
        same = kernel_python in ("python", "python3", "{python}") or \
            Path(kernel_python).resolve() == Path(sys.executable).resolve()
        yield (same, f"the python3 kernel runs {kernel_python}",
               f"{sys.executable} -m ipykernel install --sys-prefix  (so notebooks run in this environment)")
    except Exception as error:  # noqa: BLE001
        yield False, f"no python3 kernel ({error})", f"{sys.executable} -m ipykernel install --sys-prefix"
    yield True, _cores_line(), ""
    yield _sandbox_line()
    folder = notebooks_folder()
    yield (folder is not None, f"notebooks at {folder}" if folder else "notebooks/ not found",
           "run coursekit from the folder that holds notebooks/ (a clone of the kit)")


def _sandbox_line():
    """Whether ``coursekit grade`` can run submissions in its sandbox here (it starts a test one)."""
    from .exercises._sandbox import probe

    ok, detail = probe()
    if ok:
        return True, f"grading can be sandboxed: {detail}", ""
    return False, f"grading cannot be sandboxed here: {detail}", ("see README, 'Grade': grade on a Linux host "
                                                                  "or VM where user namespaces work")


def _cores_line():
    """The cores training may use, and where the number comes from (a container's quota on Binder)."""
    import numpy  # noqa: F401 - loads the BLAS that blas_threads() asks about

    from . import blas

    quota = blas.cgroup_cpu_quota()
    cores = blas.usable_cores()
    where = f"container CPU quota {quota:g}" if quota is not None else "no container CPU quota"
    threads = blas.blas_threads()
    starts = f"numpy's BLAS starts {threads} thread(s)" if threads is not None else "numpy's BLAS thread count unknown"
    line = f"{cores} usable CPU core(s) ({where}); {starts}"
    if threads is not None and threads > cores:
        line += f", large models train on {cores}"
    return line


def _coursekit_command() -> str:
    """How to call ``coursekit`` from here: plain when it is on PATH, else by its path in this venv."""
    import shutil
    here = os.path.join(os.path.dirname(sys.executable), "coursekit")
    found = shutil.which("coursekit")
    if found and os.path.realpath(found) == os.path.realpath(here):
        return "coursekit"
    if os.path.exists(here):
        relative = os.path.relpath(here)
        return relative if not relative.startswith("..") else here
    return f"{sys.executable} -m coursekit.cli"


def run(args=None) -> int:
    """Print one line per check; exit code 0 when everything is fine, 1 otherwise."""
    failed = 0
    for ok, what, fix in checks():
        print(f"{'✓' if ok else '✗'} {what}")
        if not ok:
            failed += 1
            print(f"    fix: {fix}")
    print(f"everything is ready: {_coursekit_command()} lab" if not failed else f"{failed} problem(s) found")
    return 0 if not failed else 1
