"""Run notebooks with nbclient as Colab would, and report what a student would see (JSON on stdout).

Run by ``tests/test_colab_notebooks.py`` with the ipywidgets-7 environment's Python; the kernel it starts
gets a stand-in ``google.colab`` (importable and imported at start, as in Colab) from the environment
variables the test sets (``PYTHONPATH``, ``IPYTHONDIR``).

Usage: python run_notebooks_as_colab.py NOTEBOOK... ; prints one JSON object per notebook and line.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARKER = "google.colab stand-in: enable_custom_widget_manager() called"
WIDGET = "application/vnd.jupyter.widget-view+json"


def _text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    return output.get("data", {}).get("text/plain", "")


def report(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors, stream = [], []
    order = []                       # ("marker" | "widget", cell index, output index), in output order
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for j, output in enumerate(cell.get("outputs", [])):
            if output.output_type == "error":
                errors.append(f"code cell {i}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                text = output.text
                if "Traceback" in text or re.search(r"\w+Error\b", text):
                    errors.append(f"code cell {i} (stderr): {text[:800]}")
                else:
                    stream.append(text[:300])
            if MARKER in _text(output):
                order.append(("marker", i, j))
            if WIDGET in output.get("data", {}):
                order.append(("widget", i, j))
    return {"notebook": path.name, "errors": errors, "stderr": stream, "order": order}


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(json.dumps(report(Path(arg))), flush=True)
