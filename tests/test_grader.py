"""``coursekit grade`` end to end: real kernels, hostile and broken submissions.

One batch (``--jobs 3``) grades every submission built here; the tests read its JSON report. The
submissions are built from the generated fixture notebook (tests/fixtures/grading/all_exercises.ipynb)
and the reference solutions / wrong answers in tests/solutions/.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path

import nbformat
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from solutions.fill import exercise_cell_index, fill_solutions, replace_cell  # noqa: E402
from solutions.delegating import DELEGATING  # noqa: E402
from solutions.wrong import WRONG, cell_source  # noqa: E402

from coursekit.cli import main  # noqa: E402
from coursekit.exercises import EXERCISES, total_points  # noqa: E402

FIXTURE = HERE / "fixtures" / "grading" / "all_exercises.ipynb"
TIME_LIMIT, CELL_TIMEOUT = 2, 3

FAKE_OUTPUT = r'''
print("✓ dense_forward: all 5 checks passed — 2/2 points")
print("dense_forward passed 2/2")
print('{"exercise": "dense_forward", "result": {"status": "ok", "records": []}}')
'''

REDEFINE_CHECK = '''
def check(name, obj, **kwargs):
    print(f"✓ {name}: all checks passed")
    return True
'''

MONKEYPATCH = '''
import numpy
import coursekit.exercises as ce
import coursekit.exercises._judging as judging
import coursekit.exercises._runner as runner
judging.judge = lambda exercise, collected, *a, **k: judging.ExerciseResult(exercise.name, 99, 99, "passed")
judging.compare = lambda *a, **k: None
runner.collect = lambda *a, **k: {"status": "ok", "message": "", "records": []}
runner.run = lambda job, ns, nonce: print(nonce + '{"exercise": "x", "result": {"status": "ok"}}')
ce.EXERCISES["mean_squared_error"].points = 100
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda *a, **k: True
'''

FORGE_WITH_NONCE = r'''
import re
from IPython.display import publish_display_data
def _forge(info):
    """Read the grading cell before it runs, steal its nonce, print and display a forged result first."""
    source = getattr(info, "raw_cell", "") or ""
    if re.search(r"""["']exercise["']: ?["']binary_cross_entropy["']""", source):
        records = [{"status": "returned", "output": {"f": "1.4743"}}] * 5
        for nonce in set(re.findall(r"CKG[0-9a-f]{32}", source)):
            print(nonce + '{"exercise": "binary_cross_entropy", "result": {"status": "ok", "records": []}}')
            publish_display_data({"application/vnd.coursekit.result+json": {
                "nonce": nonce, "exercise": "binary_cross_entropy", "result": {"status": "ok", "records": records}}})
get_ipython().events.register("pre_run_cell", _forge)
'''

WRITE_FILES = '''
import glob, os
open("written_by_student.txt", "w").write("hello")
for path in glob.glob("*.ipynb") + glob.glob("../*.ipynb"):
    try:
        open(path, "w").write("{}")
    except OSError:
        pass
os.makedirs("junk", exist_ok=True)
'''

SWALLOW = '''
import time
def relu_derivative(z):
    while True:
        try:
            time.sleep(0.01)
        except BaseException:
            pass
'''

SWALLOW_CELL = '''
import time
while True:
    try:
        time.sleep(0.01)
    except BaseException:
        pass
'''


# Delegation behind the watch's back: replace the sys function it installs itself with, or hand the
# work to a thread started before grading (a profile hook cannot be set on a running thread).
BLINDED = """import sys, threading
sys.setprofile = lambda hook: None
threading.setprofile = lambda hook: None
from coursekit.activations import sigmoid_derivative
"""
RELAY = """import queue, threading
from coursekit.activations import sigmoid_derivative as _theirs
_jobs, _answers = queue.Queue(), queue.Queue()
def _worker():
    while True:
        z = _jobs.get()
        try:
            _answers.put(_theirs(z))
        except BaseException as error:
            _answers.put(error)
threading.Thread(target=_worker, daemon=True).start()
def sigmoid_derivative(z):
    _jobs.put(z)
    return _answers.get()
"""

# Work done where the watch is not: in a process forked before grading and fed through a pipe; or by a
# runner the notebook changed, reached through importlib (patched) or through the handle the grader keeps.
PROCESS_RELAY = """import multiprocessing as _mp
def _server(conn):
    from coursekit.activations import sigmoid_derivative as theirs
    while True:
        conn.send(theirs(conn.recv()))
_mine, _theirs = _mp.get_context("fork").Pipe()
_mp.get_context("fork").Process(target=_server, args=(_theirs,), daemon=True).start()
def sigmoid_derivative(z):
    _mine.send(z)
    return _mine.recv()
"""
BLIND = """class _Blind:
    seen = None
    def __init__(self, *a, **k):
        pass
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False
"""
HIJACK_IMPORT = BLIND + """import importlib
_real_import_module = importlib.import_module
def _import_module(name, package=None):
    module = _real_import_module(name, package)
    if name.startswith("_coursekit_grader_"):
        module.CallWatch = _Blind
    return module
importlib.import_module = _import_module
from coursekit.activations import sigmoid_derivative
"""
HIJACK_HANDLE = BLIND + """import sys
for _name in dir(sys):
    if _name.startswith("_coursekit_grader_"):
        getattr(sys, _name)[0].__globals__["CallWatch"] = _Blind
from coursekit.activations import sigmoid_derivative
"""


def _alone(source, notebook="02"):
    """A notebook of one cell, graded as ``notebook`` (its other exercises are simply missing)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [_code(source)]
    nb.metadata["coursekit"] = {"notebook": notebook}
    return nb


# The kit's cases are public (check() needs them): their expected outputs can be prepared in a cell.
LOOKUP = """import numpy as np
from coursekit.exercises import EXERCISES
_table = {}
for _case in EXERCISES["sigmoid_derivative"].cases():
    _z = np.asarray(_case.args[0])
    _table[(_z.dtype.str, _z.shape, _z.tobytes())] = _case.expected
def sigmoid_derivative(z):
    z = np.asarray(z)
    return _table[(z.dtype.str, z.shape, z.tobytes())]
"""


def _code(source, tags=None):
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _drop_exercise_cell(nb, name):
    nb = copy.deepcopy(nb)
    del nb.cells[exercise_cell_index(nb, name, EXERCISES[name].variable)]
    return nb


def build_submissions(folder: Path) -> dict[str, Path]:
    stubs = nbformat.read(FIXTURE, 4)
    solved = fill_solutions(stubs)
    paths = {}

    def save(name, nb):
        paths[name] = folder / f"{name}.ipynb"
        nbformat.write(nb, paths[name])

    save("stubs", stubs)
    save("solved", solved)
    wrong = copy.deepcopy(stubs)
    first = {}
    for exercise, hint, func in WRONG:
        first.setdefault(exercise, (hint, func))
    for exercise, (hint, func) in first.items():
        wrong = replace_cell(wrong, exercise, cell_source(exercise, func))
    save("wrong", wrong)
    delegating = copy.deepcopy(stubs)
    for exercise, source in DELEGATING.items():
        delegating = replace_cell(delegating, exercise, source)
    save("delegating", delegating)
    save("blinded", replace_cell(solved, "sigmoid_derivative", BLINDED))
    save("relay", replace_cell(solved, "sigmoid_derivative", RELAY))
    save("lookup", replace_cell(solved, "sigmoid_derivative", LOOKUP))
    for name, source in (("process_relay", PROCESS_RELAY), ("hijack_import", HIJACK_IMPORT),
                         ("hijack_handle", HIJACK_HANDLE)):
        save(name, _alone(source))

    hostile = replace_cell(solved, "perceptron_forward", "def perceptron_forward(x, w0, w):\n    while True:\n        pass\n")
    hostile = replace_cell(hostile, "sigmoid_derivative",
                           "def sigmoid_derivative(z):\n    raise RuntimeError('my code is broken')\n")
    hostile = replace_cell(hostile, "relu_derivative", "import numpy as np\n"
                           "def relu_deriv(z):\n    return np.where(z > 0, 1.0, 0.0)\n")
    hostile = _drop_exercise_cell(hostile, "tanh_derivative")
    hostile = replace_cell(hostile, "dense_forward", cell_source("dense_forward", first["dense_forward"][1]))
    hostile = replace_cell(hostile, "binary_cross_entropy",
                           cell_source("binary_cross_entropy", first["binary_cross_entropy"][1]))
    hostile = replace_cell(hostile, "mean_squared_error",
                           cell_source("mean_squared_error", first["mean_squared_error"][1]))
    hostile.cells += [_code(FAKE_OUTPUT), _code(REDEFINE_CHECK), _code(MONKEYPATCH), _code(FORGE_WITH_NONCE),
                      _code(WRITE_FILES), _code("1 / 0"), _code("while True:\n    pass\n"),
                      _code('check("dense_forward", dense_forward)')]
    save("hostile", hostile)

    swallow = replace_cell(solved, "relu_derivative", SWALLOW)
    swallow.cells.insert(exercise_cell_index(swallow, "dense_forward", None), _code(SWALLOW_CELL))
    save("swallow", swallow)

    private = nbformat.v4.new_notebook()
    private.cells = [_code("def double(x):\n    return 2 * x\n"), _code('check("double", double)')]
    private.metadata["coursekit"] = {"notebook": "99"}
    save("private", private)

    (folder / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (folder / "a_list.ipynb").write_text("[1, 2, 3]", encoding="utf-8")
    (folder / "binary.ipynb").write_bytes(bytes(range(256)))
    paths.update(broken=folder / "broken.ipynb", a_list=folder / "a_list.ipynb", binary=folder / "binary.ipynb")
    return paths


PRIVATE_TESTS = '''
import numpy as np
from coursekit.activations import sigmoid
from coursekit.exercises import Case, Exercise

def more_perceptron_cases():
    x, w0, w = np.array([0.5, 0.5]), -1.0, np.array([1.0, 1.0])
    return [Case("private: a point on the decision line", (x, w0, w), expected=sigmoid(w0 + x @ w))]

EXTRA_CASES = {"perceptron_forward": more_perceptron_cases}
EXERCISES = [Exercise("double", "99", 1, "double(x)", "2 x", lambda: [Case("2 -> 4", (2.0,), expected=4.0)])]
'''


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    paths = build_submissions(folder)
    tests_dir = tmp_path_factory.mktemp("private_tests")
    (tests_dir / "private.py").write_text(PRIVATE_TESTS, encoding="utf-8")
    before = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in paths.items()}
    listing = sorted(p.name for p in folder.iterdir())
    report_path = tmp_path_factory.mktemp("report") / "report.json"
    order = ["swallow", "hostile", "stubs", "solved", "wrong", "delegating", "blinded", "relay", "lookup",
             "process_relay", "hijack_import", "hijack_handle", "private", "broken", "a_list", "binary"]
    argv = ["grade", *[str(paths[n]) for n in order], str(folder / "missing.ipynb"), "--jobs", "3",
            "--timeout", str(TIME_LIMIT), "--cell-timeout", str(CELL_TIMEOUT), "--json", str(report_path),
            "--tests", str(tests_dir)]
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    by_name = {Path(s["path"]).stem: s for s in report["submissions"]}
    after = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in paths.items()}
    return {"code": code, "table": out.getvalue(), "report": report, "by": by_name, "before": before,
            "after": after, "listing_before": listing, "listing_after": sorted(p.name for p in folder.iterdir())}


def exercises(graded, submission):
    return {e["name"]: e for e in graded["by"][submission]["exercises"]}


# ------------------------------------------------------------------------------------------ basics
def test_exit_code_zero_when_something_was_graded(graded):
    assert graded["code"] == 0


def test_stubs_score_zero_not_attempted(graded):
    result = exercises(graded, "stubs")
    assert list(result) == list(EXERCISES)
    assert all(e["points"] == 0 and e["status"] == "not attempted" for e in result.values())
    assert graded["by"]["stubs"]["max_points"] == total_points()


def test_reference_solutions_score_full_marks(graded):
    result = exercises(graded, "solved")
    assert {n: e["status"] for n, e in result.items()} == {n: "passed" for n in EXERCISES}
    assert graded["by"]["solved"]["points"] == total_points()


def test_private_tests_add_cases_and_exercises(graded):
    perceptron = exercises(graded, "solved")["perceptron_forward"]
    assert perceptron["cases"][-1]["label"].startswith("private") and perceptron["status"] == "passed"
    assert exercises(graded, "private") == {"double": exercises(graded, "private")["double"]}
    assert exercises(graded, "private")["double"]["status"] == "passed"


@pytest.mark.parametrize("name", list(dict.fromkeys(n for n, _, _ in WRONG)))
def test_typical_wrong_answer_loses_points_with_its_hint(graded, name):
    hint = next(h for n, h, _ in WRONG if n == name)
    result = exercises(graded, "wrong")[name]
    assert result["points"] < result["max_points"] and result["status"] in ("failed", "partial")
    assert hint in result["message"]


@pytest.mark.parametrize("name", list(DELEGATING))
def test_delegating_to_the_kit_earns_nothing_in_the_sandboxed_kernel_too(graded, name):
    result = exercises(graded, "delegating")[name]
    assert result["points"] == 0 and "write it with numpy: coursekit." in result["message"], result["message"]


@pytest.mark.parametrize("submission, says", [("blinded", "your notebook changed threading.setprofile"),
                                              ("relay", "a thread your notebook started was still running"),
                                              ("lookup", "right on every input check() shows, wrong on this one")])
def test_delegating_behind_the_watchs_back_earns_nothing(graded, submission, says):
    result = exercises(graded, submission)["sigmoid_derivative"]
    assert result["points"] == 0 and says in result["message"], result["message"]
    solved = exercises(graded, "solved")
    kept = [n for n, e in exercises(graded, submission).items() if not EXERCISES[n].bans]
    assert kept and all(exercises(graded, submission)[n]["points"] == solved[n]["points"] for n in kept)


@pytest.mark.parametrize("submission, says", [
    ("process_relay", "another process your notebook started was still running"),
    ("hijack_import", "write it with numpy: coursekit.activations.sigmoid_derivative"),
    ("hijack_handle", "your notebook changed coursekit.exercises._runner.CallWatch, which the check for")])
def test_work_in_another_process_or_a_changed_runner_earns_nothing(graded, submission, says):
    result = exercises(graded, submission)["sigmoid_derivative"]
    assert result["points"] == 0 and says in result["message"], result["message"]


def test_table_lists_every_submission_and_totals(graded):
    table = graded["table"]
    assert "submission" in table.splitlines()[0] and "message" in table.splitlines()[0]
    totals = [line for line in table.splitlines() if line.startswith("solved.ipynb") and " TOTAL " in line]
    assert len(totals) == 1 and f" {total_points():g}/{total_points():g}" in totals[0]
    assert "13 of 17 submission(s) graded; 4 could not be read" in table


# --------------------------------------------------------------------------------- broken files
@pytest.mark.parametrize("name, fragment", [
    ("broken", "invalid JSON at line 1"), ("a_list", "without a 'cells' list"), ("binary", "not UTF-8"),
    ("missing", "cannot read the file")])
def test_unreadable_submission_is_a_clear_error_and_others_are_graded(graded, name, fragment):
    submission = graded["by"][name]
    assert submission["status"] == "error" and fragment in submission["error"]
    assert graded["by"]["solved"]["status"] == "graded"


def test_nothing_graded_gives_a_non_zero_exit_code(tmp_path, capsys):
    (tmp_path / "x.ipynb").write_text("not json")
    assert main(["grade", str(tmp_path / "x.ipynb")]) == 2
    assert "invalid JSON" in capsys.readouterr().out
    assert main(["grade", str(tmp_path / "x.ipynb"), "--exercises", "nope"]) == 2
    assert main(["grade", str(tmp_path / "x.ipynb"), "--tests", str(tmp_path / "none")]) == 2


# ------------------------------------------------------------------------------------ hostility
def test_infinite_loop_loses_only_that_exercise(graded):
    result = exercises(graded, "hostile")
    assert result["perceptron_forward"]["points"] == 0 and result["perceptron_forward"]["status"] == "timeout"
    for name in ("gradient_descent_step", "gradient_descent", "backprop", "adam_step", "make_minibatches",
                 "dropout_forward", "early_stopping_epoch", "train_digits_model"):
        assert result[name]["status"] == "passed", (name, result[name]["message"])


def test_exception_in_an_exercise(graded):
    result = exercises(graded, "hostile")["sigmoid_derivative"]
    assert result["points"] == 0 and "RuntimeError: my code is broken" in result["message"]


def test_deleted_and_renamed_functions(graded):
    result = exercises(graded, "hostile")
    assert result["tanh_derivative"]["status"] == "missing"
    assert "no function named tanh_derivative" in result["tanh_derivative"]["message"]
    assert result["relu_derivative"]["status"] == "missing"
    assert "did you rename it to relu_deriv?" in result["relu_derivative"]["message"]


def test_fake_output_redefined_check_and_monkeypatching_earn_nothing(graded):
    result = exercises(graded, "hostile")
    honest = exercises(graded, "wrong")          # the same wrong answers, without the forgeries
    for name in ("dense_forward", "binary_cross_entropy", "mean_squared_error"):
        assert result[name]["points"] <= honest[name]["points"] < EXERCISES[name].points, (name, result[name])
        assert result[name]["max_points"] == EXERCISES[name].points
    assert "bias b is missing" in result["dense_forward"]["message"]
    assert "sum instead of mean" in result["mean_squared_error"]["message"]
    assert "tampered" in result["binary_cross_entropy"]["message"]     # a forged line next to the real one
    assert graded["by"]["hostile"]["max_points"] == total_points()


def test_cell_errors_and_timeouts_do_not_stop_the_notebook(graded):
    problems = graded["by"]["hostile"]["cell_problems"]
    assert any(p["status"] == "error" and p["message"].startswith("ZeroDivisionError") for p in problems)
    assert any(p["status"] == "timeout" for p in problems)


def test_swallowed_keyboard_interrupt_restarts_the_kernel(graded):
    submission = graded["by"]["swallow"]
    result = exercises(graded, "swallow")
    assert submission["kernel_restarts"] == 1          # the stuck cell; restart-and-replay at most once
    assert result["relu_derivative"]["points"] == 0 and result["relu_derivative"]["status"] == "timeout"
    names = list(result)
    before = names[:names.index("relu_derivative")]
    after = names[names.index("relu_derivative") + 1:]
    assert {result[n]["status"] for n in before} == {"passed"}
    assert all(result[n]["points"] == 0 and "stuck again" in result[n]["message"] for n in after)
    assert any(p["status"] == "timeout" for p in submission["cell_problems"])


def test_submissions_are_never_modified(graded):
    assert graded["before"] == graded["after"]
    assert graded["listing_before"] == graded["listing_after"]     # nothing written next to them


def test_report_has_no_student_controlled_points(graded):
    for submission in graded["report"]["submissions"]:
        for e in submission.get("exercises", []):
            assert 0 <= e["points"] <= e["max_points"]
            if e["name"] in EXERCISES:
                assert e["max_points"] == EXERCISES[e["name"]].points


# ------------------------------------------------------------------- the course's own notebooks
NOTEBOOKS = sorted((HERE.parent / "notebooks").glob("*.ipynb"))


def _with_exercises(paths):
    from solutions.fill import exercise_names_in
    return [p for p in paths if exercise_names_in(nbformat.read(p, 4))]


SHIPPED = _with_exercises(NOTEBOOKS)


@pytest.fixture(scope="session")
def shipped_graded(tmp_path_factory):
    """Every notebook with exercise cells, as shipped and with the reference solutions filled in."""
    folder = tmp_path_factory.mktemp("shipped")
    paths = []
    for path in SHIPPED:
        filled = folder / f"{path.stem}__solved.ipynb"
        nbformat.write(fill_solutions(nbformat.read(path, 4)), filled)
        paths += [str(path), str(filled)]
    report_path = folder / "report.json"
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        main(["grade", *paths, "--jobs", "2", "--json", str(report_path)])
    return {Path(s["path"]).name: s for s in json.loads(report_path.read_text())["submissions"]}


@pytest.mark.slow
@pytest.mark.parametrize("notebook", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_notebook_scores_zero_and_solutions_score_full(shipped_graded, notebook):
    from solutions.fill import exercise_names_in
    names = exercise_names_in(nbformat.read(notebook, 4))
    shipped = {e["name"]: e for e in shipped_graded[notebook.name]["exercises"]}
    solved = {e["name"]: e for e in shipped_graded[f"{notebook.stem}__solved.ipynb"]["exercises"]}
    assert set(names) <= set(shipped)
    assert all(shipped[n]["status"] == "not attempted" and shipped[n]["points"] == 0 for n in names)
    assert all(solved[n]["status"] == "passed" for n in names), {n: solved[n]["message"] for n in names}


def test_stub_notebook_runs_top_to_bottom_without_errors(graded):
    assert graded["by"]["stubs"]["cell_problems"] == []


def test_check_in_a_real_kernel_shows_one_deterministic_html_result():
    """As the last expression of a cell, check() is shown once (HTML + text), never as a second Out[]."""
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.cells = [_code("from coursekit.exercises import check\nimport numpy as np\n"
                      "def relu_derivative(z):\n    return (z >= 0).astype(float)\n"),
                _code('check("relu_derivative", relu_derivative)'),
                _code('r = check("relu_derivative", None)\nr.points, r.status'),
                _code("r")]
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["display_data"]
    assert "use z &gt; 0, not z &gt;= 0" in outputs[0].data["text/html"]
    assert outputs[0].data["text/plain"].startswith("✗ relu_derivative: 3 of 6 checks passed — 0.5/1 point")
    assert "0x" not in outputs[0].data["text/plain"]
    third = nb.cells[2].outputs
    assert [o.output_type for o in third] == ["display_data", "execute_result"]
    assert third[1].data["text/plain"] == "(0, 'not attempted')"
    assert [o.output_type for o in nb.cells[3].outputs] == ["display_data"]    # shown again on request
