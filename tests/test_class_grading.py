"""Grading a class: the CSV gradebooks, the feedback pages, the wrapped table and the Gradescope bundle.

One grading run (in this process, sandboxed, ``--jobs 2``) grades three submissions of notebook 04:
``alice_04`` (solved), ``bob_04`` (binary cross-entropy right, mean squared error summed instead of
averaged: a typical mistake with a hint) and ``carol_04`` (not a notebook), with a private ``--tests``
case; the tests read what it wrote. The Gradescope tests build a bundle, install it with its own
``setup.sh`` into a private mount at ``/autograder`` (root only: ``unshare --mount``), and run
``run_autograder`` on a solved and on an unanswered submission as Gradescope does.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest

from coursekit.cli import main
from coursekit.exercises import EXERCISES

REPO = Path(__file__).resolve().parent.parent
BCE = "def binary_cross_entropy(y, y_hat):\n    return -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))\n"
MSE = "def mean_squared_error(y, y_hat):\n    return np.mean((y - y_hat) ** 2)\n"
MSE_SUMMED = "def mean_squared_error(y, y_hat):\n    return np.sum((y - y_hat) ** 2)\n"
PRIVATE = '''
import numpy as np
from coursekit.exercises import Case

def hidden():
    return [Case("private: secret-label-zq", (np.array([0.0, 0.0]), np.array([3.0, 3.0])), expected=9.0)]

EXTRA_CASES = {"mean_squared_error": hidden}
'''


def _notebook(*sources) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in ("import numpy as np\n", *sources)]
    return nb


@pytest.fixture(scope="module")
def run(tmp_path_factory, grading_sandbox):
    root = tmp_path_factory.mktemp("class")
    subs, tests = root / "submissions", root / "tests"
    subs.mkdir()
    tests.mkdir()
    (tests / "private.py").write_text(PRIVATE, encoding="utf-8")
    nbformat.write(_notebook(BCE, MSE), subs / "alice_04.ipynb")
    nbformat.write(_notebook(BCE, MSE_SUMMED), subs / "bob_04.ipynb")
    (subs / "carol_04.ipynb").write_text("this is not a notebook", encoding="utf-8")
    paths = [str(subs / n) for n in ("alice_04.ipynb", "bob_04.ipynb", "carol_04.ipynb")]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["grade", *paths, "--notebook", "04", "--exercises", "binary_cross_entropy,mean_squared_error",
                     "--jobs", "2",
                     "--tests", str(tests),
                     "--json", str(root / "report.json"), "--csv", str(root / "grades.csv"),
                     "--canvas-csv", str(root / "canvas.csv"), "--assignment", "Loss functions (1234)",
                     "--feedback", str(root / "feedback")])
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(), "root": root,
            "report": json.loads((root / "report.json").read_text(encoding="utf-8"))}


def _csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_the_run_succeeds(run):
    assert run["code"] == 0, run["stderr"]


def test_csv_round_trips_and_agrees_with_the_json_report(run):
    rows = _csv(run["root"] / "grades.csv")
    assert rows[0] == ["submission", "binary_cross_entropy", "mean_squared_error", "total", "max"]
    by_name = {os.path.basename(s["path"]): s for s in run["report"]["submissions"]}
    assert [r[0] for r in rows[1:]] == ["alice_04.ipynb", "bob_04.ipynb", "carol_04.ipynb"]
    for row in rows[1:]:
        submission = by_name[row[0]]
        points = {e["name"]: e["points"] for e in submission["exercises"]}
        for name, cell in zip(rows[0][1:3], row[1:3]):
            assert (cell == "" and name not in points) or float(cell) == points[name]
        assert float(row[3]) == submission["points"]
    bob = {e["name"]: e["points"] for e in by_name["bob_04.ipynb"]["exercises"]}["mean_squared_error"]
    assert 0 < bob < 2                                  # a sum for the mean: right only where n = 1 or J = 0
    assert rows[1][3:] == ["4", "4"] and rows[2][1:] == ["2", f"{bob:g}", f"{2 + bob:g}", "4"]
    assert rows[3][1:] == ["", "", "0", "4"]          # unreadable: no items, 0 of the assignment's 4


def test_canvas_csv_has_canvas_columns_and_the_id_from_the_file_name(run):
    rows = _csv(run["root"] / "canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Loss functions (1234)"]
    assert rows[1][0] == "Points Possible" and rows[1][5] == "4"
    bob = next(s for s in run["report"]["submissions"] if s["path"].endswith("bob_04.ipynb"))["points"]
    assert {r[3]: r[5] for r in rows[2:]} == {"alice": "4", "bob": f"{bob:g}", "carol": "0"}


def test_csv_cells_from_file_names_cannot_become_spreadsheet_formulas():
    """A hostile file name (the student's to choose) must not run as a formula in the instructor's
    spreadsheet; numbers stay numbers."""
    from coursekit.exercises import gradebook
    name = "=HYPERLINK(\"evil.example\",\"open\")_04.ipynb"
    submission = {"path": f"/s/{name}", "status": "graded", "graded_as": "04", "points": 2.0, "max_points": 4.0,
                  "exercises": [{"name": "binary_cross_entropy", "points": 2.0, "max_points": 2.0}]}
    rows = gradebook.plain_rows([submission])
    assert rows[1] == ["'" + name, "2", "2", "4"]
    canvas, unmatched = gradebook.canvas_rows([submission], "Loss", r"^(?P<id>[^_]+)_")
    assert unmatched == [] and canvas[2][0] == canvas[2][3] == "'" + name.split("_")[0]
    for row in rows[1:] + canvas[2:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_feedback_page_shows_the_hint_and_the_students_output_and_hides_hidden_cases(run):
    folder = run["root"] / "feedback"
    assert sorted(os.listdir(folder)) == ["alice_04.html", "bob_04.html", "carol_04.html"]
    bob = (folder / "bob_04.html").read_text(encoding="utf-8")
    assert "<title>Feedback on bob_04.ipynb — notebook 04</title>" in bob
    assert "sum instead of mean" in bob                  # the mistake's hint
    assert "your output" in bob and "expected" in bob
    assert "hidden test 1:" in bob and "secret-label-zq" not in bob and ">9<" not in bob
    assert re.search(r"\d+ of \d+ cases passed", bob)
    assert "http://" not in bob and "https://" not in bob and "<script" not in bob and "<link" not in bob
    assert 'name="viewport"' in bob
    carol = (folder / "carol_04.html").read_text(encoding="utf-8")
    assert "could not be graded" in carol


def test_table_shows_whole_messages_and_case_counts(run):
    table = run["stdout"]
    assert "…" not in table
    assert max(len(line) for line in table.splitlines()) <= 120      # wrapped (no terminal here: 120 columns)
    table = " ".join(table.split())                                   # the wrapped lines joined
    assert re.search(r"bob_04\.ipynb\s+mean_squared_error\s+[\d.]+/2\s+partial\s+\d+ of 6 cases passed", table)
    assert "sum instead of mean" in table


def test_progress_goes_to_stderr(run):
    assert "3/3" in run["stderr"]


# ------------------------------------------------------------------------------------------------
# Gradescope
# ------------------------------------------------------------------------------------------------
def _root_or_skip():
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        if os.environ.get("CI"):
            pytest.fail("the Gradescope test needs root and unshare (CI runs as root)")
        pytest.skip("needs root and unshare for a private mount at /autograder")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, grading_sandbox):
    out = tmp_path_factory.mktemp("bundle")
    tests = tmp_path_factory.mktemp("bundle_tests")
    (tests / "private.py").write_text(PRIVATE, encoding="utf-8")
    code = main(["gradescope", str(REPO / "notebooks" / "04_loss.ipynb"), "--out", str(out), "--tests", str(tests)])
    assert code == 0
    return out / "autograder.zip"


def test_bundle_holds_setup_run_autograder_the_wheel_and_the_private_tests(bundle):
    names = zipfile.ZipFile(bundle).namelist()
    assert {"setup.sh", "run_autograder", "coursekit_bundle.json", "tests/private.py"} <= set(names)
    assert any(re.fullmatch(r"coursekit-[^/]+\.whl", n) for n in names)


GRADESCOPE = r"""
set -euo pipefail
mount --bind "$1" /autograder
mkdir -p /autograder/source /autograder/submission /autograder/results
cd /autograder/source && python3 -m zipfile -e "$2" . && chmod +x setup.sh run_autograder
cp run_autograder /autograder/run_autograder
bash setup.sh > /autograder/setup.log 2>&1
for case in solved stub; do
  rm -rf /autograder/submission/* /autograder/results/*
  cp "$3/$case.ipynb" /autograder/submission/
  /autograder/run_autograder > /autograder/$case.log 2>&1
  cp /autograder/results/results.json "$3/$case.results.json"
done
/autograder/venv/bin/python -c "import coursekit; print(coursekit.__version__)" > "$3/version.txt"
"""


@pytest.fixture(scope="module")
def gradescope_run(bundle, tmp_path_factory):
    _root_or_skip()
    private = tmp_path_factory.mktemp("autograder_mount")
    work = tmp_path_factory.mktemp("autograder_io")
    nbformat.write(_notebook(BCE, MSE), work / "solved.ipynb")
    shutil.copy(REPO / "notebooks" / "04_loss.ipynb", work / "stub.ipynb")
    made = not os.path.exists("/autograder")
    os.makedirs("/autograder", exist_ok=True)
    try:
        done = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", GRADESCOPE, "-",
                               str(private), str(bundle), str(work)], capture_output=True, text=True, timeout=900)
    finally:
        if made:
            os.rmdir("/autograder")
    logs = {p.name: p.read_text(errors="replace")[-2000:] for p in private.glob("*.log")}
    assert done.returncode == 0, (done.stderr[-2000:], logs)
    return work, logs


def test_setup_sh_installs_an_importable_coursekit(gradescope_run):
    import coursekit
    work, _ = gradescope_run
    assert (work / "version.txt").read_text().strip() == coursekit.__version__


def _schema_ok(results: dict):
    assert set(results) >= {"score", "execution_time", "tests"}
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))


def test_run_autograder_gives_full_marks_to_a_solved_submission(gradescope_run):
    work, logs = gradescope_run
    results = json.loads((work / "solved.results.json").read_text())
    _schema_ok(results)
    assert results["score"] == 4, (results, logs)
    hidden = [t for t in results["tests"] if t["name"] == "mean_squared_error (hidden tests)"]
    assert hidden and hidden[0]["visibility"] == "after_published" and hidden[0]["output"] == "hidden test 1: passed"
    assert "secret-label-zq" not in json.dumps(results)


def test_run_autograder_gives_zero_to_an_unanswered_submission(gradescope_run):
    work, logs = gradescope_run
    results = json.loads((work / "stub.results.json").read_text())
    _schema_ok(results)
    notebook_04 = {n for n, e in EXERCISES.items() if e.notebook == "04"}
    assert results["score"] == 0 and {t["name"] for t in results["tests"] if t["visibility"] == "visible"} == \
        notebook_04, (results, logs)


def test_run_autograder_says_so_when_nothing_was_submitted(bundle, tmp_path):
    from coursekit.exercises.gradescope import BUNDLE_FILE, grade_for_gradescope
    source = tmp_path / "source"
    zipfile.ZipFile(bundle).extract(BUNDLE_FILE, source)
    (tmp_path / "submission").mkdir()
    results = grade_for_gradescope(str(source), str(tmp_path / "submission"))
    assert results["score"] == 0 and "No notebook (.ipynb) was submitted" in results["output"]
