"""A Gradescope autograder for coursekit notebooks: ``coursekit gradescope NOTEBOOK... --out DIR``.

The bundle (``DIR/autograder.zip``) holds

* ``setup.sh``: run once by Gradescope when it builds the image; installs Python ≥ 3.10 if the image
  lacks it and coursekit, at the version that made the bundle, from the wheel inside the bundle (no
  git host involved; the wheel's dependencies come from PyPI);
* ``run_autograder``: run for each submission; grades ``/autograder/submission/*.ipynb`` with the same
  grader and sandbox as ``coursekit grade`` and writes ``/autograder/results/results.json`` in
  Gradescope's format (``score``, ``execution_time``, ``output``, ``tests[]``);
* ``coursekit_bundle.json`` (which notebooks, which options) and ``tests/`` (the private ``--tests``).

In ``results.json`` each graded item is a visible test with its points; an item's hidden cases (from
``--tests``) are a second test with no points whose output says only passed or failed per case,
visible ``after_published``. When the sandbox cannot start in Gradescope's container, nothing is
graded: the output says why (never graded unsandboxed).
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile

import coursekit

from ._report import printable, write_text_atomically
from ._submission import notebook_number, read_submission
from .grader import DEFAULT_CELL_TIMEOUT, DEFAULT_SUBMISSION_TIMEOUT, DEFAULT_TIME_LIMIT

BUNDLE_FILE = "coursekit_bundle.json"
VENV = "/autograder/venv"

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
cd "$(dirname "$0")"
if ! python3 -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 10)' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip
fi
python3 -m venv "${COURSEKIT_VENV:-%(venv)s}"
"${COURSEKIT_VENV:-%(venv)s}/bin/pip" install -q --disable-pip-version-check ./%(wheel)s
"${COURSEKIT_VENV:-%(venv)s}/bin/python" -c "import coursekit; print('coursekit', coursekit.__version__, 'installed')"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission (as root, in a fresh container).
exec "${COURSEKIT_VENV:-%(venv)s}/bin/python" -m coursekit.exercises.gradescope run \\
  --source /autograder/source --submission /autograder/submission --results /autograder/results/results.json
"""


# ------------------------------------------------------------------------------------------------
# Building the bundle
# ------------------------------------------------------------------------------------------------
def assignment_numbers(notebooks: list[str]) -> list[str]:
    """The kit notebook numbers (``"04"``) of the notebooks an autograder is built for."""
    from . import load_tests
    registry = load_tests(None)
    numbers = []
    for path in notebooks:
        try:
            notebook, _ = read_submission(path)
        except Exception as error:
            raise ValueError(f"cannot read {path}: {error}") from None
        number = notebook_number(notebook, path, registry)
        if number is None:
            raise ValueError(f"{path} is not one of the kit's notebooks with exercises (its metadata "
                             f"'coursekit.notebook' or a file name like 04_loss.ipynb says which)")
        if number not in numbers:
            numbers.append(number)
    return numbers


def _wheel(folder: str) -> str:
    """Build coursekit's wheel from the clone it runs from, into ``folder``; its file name."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(coursekit.__file__)))
    if not os.path.exists(os.path.join(root, "pyproject.toml")):
        raise ValueError("coursekit gradescope builds the kit's wheel from its source: run it from a clone "
                         f"of the kit (installed with pip install -e .); {root} has no pyproject.toml")
    for isolation in (["--no-build-isolation"], []):
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation, "-w", folder,
                               root], capture_output=True, text=True)
        wheels = glob.glob(os.path.join(folder, "coursekit-*.whl"))
        if done.returncode == 0 and wheels:
            return os.path.basename(wheels[0])
    raise ValueError(f"could not build coursekit's wheel: {done.stderr.strip()[-400:]}")


def build_bundle(notebooks: list[str], out: str, tests_dir: str | None = None,
                 time_limit: float = DEFAULT_TIME_LIMIT, cell_timeout: float = DEFAULT_CELL_TIMEOUT,
                 submission_timeout: float = DEFAULT_SUBMISSION_TIMEOUT) -> str:
    """Write ``out/autograder.zip`` for the given kit notebooks; its path."""
    from . import load_tests
    numbers = assignment_numbers(notebooks)
    if tests_dir:
        load_tests(tests_dir)                       # fail now, not in Gradescope, on a broken test file
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        wheel = _wheel(folder)
        files = {"setup.sh": SETUP_SH % {"venv": VENV, "wheel": wheel},
                 "run_autograder": RUN_AUTOGRADER % {"venv": VENV},
                 BUNDLE_FILE: json.dumps({"coursekit_version": coursekit.__version__, "notebooks": numbers,
                                          "time_limit": time_limit, "cell_timeout": cell_timeout,
                                          "submission_timeout": submission_timeout}, indent=2)}
        target = os.path.join(out, "autograder.zip")
        with zipfile.ZipFile(target + ".tmp", "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, text in files.items():
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = (0o755 if name.endswith((".sh", "autograder")) else 0o644) << 16
                bundle.writestr(info, text)
            bundle.write(os.path.join(folder, wheel), wheel)
            for path in sorted(glob.glob(os.path.join(tests_dir, "*.py"))) if tests_dir else []:
                bundle.write(path, f"tests/{os.path.basename(path)}")
        os.replace(target + ".tmp", target)
    return target


# ------------------------------------------------------------------------------------------------
# Results in Gradescope's format
# ------------------------------------------------------------------------------------------------
def _visible_output(exercise: dict) -> str:
    cases = [c for c in exercise.get("cases") or [] if not c.get("hidden")]
    if not cases:
        return printable(exercise.get("message", "")) if not exercise.get("cases") else "only hidden tests"
    lines = [f"{sum(c['passed'] for c in cases)} of {len(cases)} cases passed"]
    for case in cases:
        if not case["passed"]:
            lines.append(f"✗ {printable(case['label'])}: {printable(case['message'])}")
            if case.get("hint"):
                lines.append(f"  Hint: {printable(case['hint'])}")
    return "\n".join(lines)


def results(submission: dict | None, elapsed: float, problem: str = "") -> dict:
    """Gradescope's ``results.json`` for one graded submission (a dict of the JSON report)."""
    if submission is None or submission.get("status") != "graded":
        why = problem or printable((submission or {}).get("error") or "the submission could not be graded")
        return {"score": 0.0, "execution_time": round(elapsed, 1), "output": why, "tests": []}
    tests = []
    for exercise in submission["exercises"]:
        tests.append({"name": exercise["name"], "score": exercise["points"], "max_score": exercise["max_points"],
                      "status": "passed" if exercise["points"] >= exercise["max_points"] else "failed",
                      "output": _visible_output(exercise), "visibility": "visible"})
        hidden = [c for c in exercise.get("cases") or [] if c.get("hidden")]
        if hidden:
            tests.append({"name": f"{exercise['name']} (hidden tests)", "score": 0.0, "max_score": 0.0,
                          "output": "\n".join(f"hidden test {k}: {'passed' if c['passed'] else 'failed'}"
                                              for k, c in enumerate(hidden, 1)),
                          "visibility": "after_published"})
    notes = [f"graded {os.path.basename(submission['path'])} as notebook {submission.get('graded_as')}"]
    notes += [f"cell {p['cell']}: {p['status']}: {printable(p['message'])}" for p in submission.get("cell_problems", [])]
    return {"score": submission["points"], "execution_time": round(elapsed, 1), "output": "\n".join(notes),
            "tests": tests}


# ------------------------------------------------------------------------------------------------
# run_autograder
# ------------------------------------------------------------------------------------------------
def _submitted(folder: str) -> list[str]:
    paths = [p for p in glob.glob(os.path.join(folder, "**", "*.ipynb"), recursive=True)
             if ".ipynb_checkpoints" not in p.split(os.sep)]
    return sorted(paths)


def grade_for_gradescope(source: str, submission_dir: str) -> dict:
    """Grade what was submitted, as the bundle in ``source`` says; Gradescope's results."""
    from ._sandbox import probe
    from .grader import grade
    started = time.monotonic()
    config = json.load(open(os.path.join(source, BUNDLE_FILE), encoding="utf-8"))
    paths = _submitted(submission_dir)
    if not paths:
        return results(None, 0.0, "No notebook (.ipynb) was submitted: upload your notebook file, e.g. "
                                  f"{config['notebooks'][0]}_….ipynb, and submit again.")
    ok, detail = probe()
    if not ok:
        return results(None, time.monotonic() - started, "Not graded: the grading sandbox cannot start in "
                       f"this container ({detail}). Please tell your instructor.")
    tests = os.path.join(source, "tests")
    number = config["notebooks"][0] if len(config["notebooks"]) == 1 else None
    reports = grade(paths, time_limit=config["time_limit"], cell_timeout=config["cell_timeout"],
                    submission_timeout=config["submission_timeout"], notebook=number,
                    tests_dir=tests if os.path.isdir(tests) else None)
    graded = [r.to_dict() for r in reports if r.status == "graded" and r.notebook in config["notebooks"]]
    if not graded:
        first = reports[0].to_dict()
        return results(first, time.monotonic() - started,
                       f"Not graded: {printable(first.get('error') or 'no submitted notebook is one of ' + ', '.join(config['notebooks']))}")
    best = max(graded, key=lambda r: r["points"])
    out = results(best, time.monotonic() - started)
    if len(paths) > 1:
        out["output"] += f"\n{len(paths)} notebooks were submitted; the best-scoring one counts."
    return out


def main(argv=None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m coursekit.exercises.gradescope")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="grade a Gradescope submission (what run_autograder calls)")
    run.add_argument("--source", default="/autograder/source")
    run.add_argument("--submission", default="/autograder/submission")
    run.add_argument("--results", default="/autograder/results/results.json")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        data = grade_for_gradescope(args.source, args.submission)
    except Exception as error:          # Gradescope shows this output; never leave results.json unwritten
        data = results(None, time.monotonic() - started,
                       f"The autograder failed: {type(error).__name__}: {printable(error)}. Please tell your instructor.")
    os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
    write_text_atomically(args.results, json.dumps(data, indent=2, ensure_ascii=False))
    print(json.dumps({k: data[k] for k in ("score", "execution_time")}), data["output"], sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
