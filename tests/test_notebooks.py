"""The notebooks as shipped: lecture order, saved outputs that are clean, and nbval that can fail.

nbval itself (``--nbval-lax`` over notebooks/, configured in pyproject.toml) re-runs every notebook in
the same pytest run and compares the cells marked ``# NBVAL_CHECK_OUTPUT``; these tests check what
nbval does not: the order and titles, the saved outputs, and that a changed number is caught.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"

#: The lecture's order (../shared/DESIGN.md): file stem and the words the title must contain.
LECTURE = [
    ("01_perceptron", "Perceptron"),
    ("02_activation_functions", "Activation Functions"),
    ("03_building_networks", "Building Neural Networks"),
    ("04_loss", "Loss"),
    ("05_gradient_descent", "Gradient Descent"),
    ("06_backpropagation", "Backpropagation"),
    ("07_learning_rates_and_optimizers", "Learning Rate"),
    ("08_mini_batches", "Mini-batches"),
    ("09_overfitting_and_regularization", "Overfitting"),
    ("10_review_digits", "Digits"),
]
PATHS = [NOTEBOOK_DIR / f"{stem}.ipynb" for stem, _ in LECTURE]
MAX_CELL_LINES = 25


def load(path):
    return nbformat.read(path, as_version=4)


def test_the_notebooks_are_the_lecture_in_order():
    found = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))
    assert found == [stem for stem, _ in LECTURE]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_title_intro_and_review(path):
    nb = load(path)
    number = path.stem[:2]
    title = nb.cells[0]
    assert title.cell_type == "markdown"
    first_line = title.source.splitlines()[0]
    expected_words = dict(LECTURE)[path.stem]
    assert first_line.startswith(f"# {number}") and expected_words.lower() in first_line.lower(), first_line
    assert re.search(r"you will|you'll|learn", title.source, re.I), "the notebook opens with what is learned"
    tail = "\n".join(c.source for c in nb.cells[-3:] if c.cell_type == "markdown")
    assert re.search(r"review|summary|recap", tail, re.I), "the notebook ends with a short review"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_saved_outputs_are_clean_complete_and_in_order(path):
    nb = load(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code if c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), "run top to bottom once, in a fresh kernel, then save"
    assert any(c.outputs for c in code), "saved with outputs"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", f"stored error output in:\n{cell.source}"
            if output.output_type == "stream":
                assert output.name != "stderr" or re.fullmatch(r"\s*", output.text), \
                    f"stderr (a warning?) in:\n{cell.source}\n---\n{output.text}"
            text = json.dumps(output.get("data", {})) + output.get("text", "")
            assert "Traceback" not in text and "Warning:" not in text, f"traceback/warning in:\n{cell.source}"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebooks_stay_thin(path):
    for cell in load(path).cells:
        if cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines()]
            assert len(lines) <= MAX_CELL_LINES, f"a {len(lines)}-line cell; move logic into coursekit:\n{cell.source}"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_widgets_leave_a_static_picture(path):
    """Every cell that shows a widget also stores a PNG, so the notebook reads on GitHub and nbviewer."""
    for cell in load(path).cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            data = output.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data and "text/plain" in data \
                    and "Explorer" in str(data.get("text/plain", "")) + str(cell.source):
                assert "image/png" in data, f"widget without a static image:\n{cell.source}"


def test_each_notebook_has_numbers_that_nbval_checks():
    for path in PATHS:
        sources = [c.source for c in load(path).cells if c.cell_type == "code"]
        assert any("# NBVAL_CHECK_OUTPUT" in s for s in sources), f"{path.name} has no checked output"


def test_nbval_catches_a_changed_number(tmp_path):
    """nbval can fail: a checked output that no longer matches what the code prints is reported."""
    source = NOTEBOOK_DIR / "01_perceptron.ipynb"
    nb = load(source)
    for cell in nb.cells:
        if cell.cell_type == "code" and "# NBVAL_CHECK_OUTPUT" in cell.source:
            for output in cell.outputs:
                if output.output_type == "stream":
                    output.text = re.sub(r"0\.002", "0.003", output.text)
                elif "text/plain" in output.get("data", {}):
                    output.data["text/plain"] = re.sub(r"0\.002", "0.003", output.data["text/plain"])
    broken = tmp_path / "01_perceptron.ipynb"
    nbformat.write(nb, broken)
    assert "0.003" in broken.read_text(), "the checked cell must show the lecture's 0.002"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env",
               "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), "-o", "addopts=",
               "--rootdir", str(tmp_path), str(broken)]
    result = subprocess.run(command, cwd=NOTEBOOK_DIR, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "0.003" in result.stdout and "0.002" in result.stdout
