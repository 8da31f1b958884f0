"""How long does ``coursekit grade`` take for a class? Ten submissions, two parallel kernels,
sandbox on and ``--no-sandbox`` side by side in the same run.

Run: ``python benchmarks/grading.py [--jobs 2] [--n 10]``. Each submission is the grading fixture
(every exercise of the course in one notebook, tests/fixtures/grading/all_exercises.ipynb) filled with
the reference solutions, with typical wrong answers, or left as stubs. Prints the wall time of each
run, per submission, and what the sandbox adds per submission; the target is ≤ 30 s for ten
sandboxed submissions on 2 cores. Both runs must give the same scores. Not part of the test run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import nbformat  # noqa: E402
from solutions.fill import fill_solutions, replace_cell  # noqa: E402
from solutions.wrong import WRONG, cell_source  # noqa: E402

from coursekit.cli import main as grade_main  # noqa: E402

FIXTURE = os.path.join(ROOT, "tests", "fixtures", "grading", "all_exercises.ipynb")


def make_submissions(folder: str, n: int) -> list[str]:
    stubs = nbformat.read(FIXTURE, 4)
    solved = fill_solutions(stubs)
    wrong = solved
    seen = set()
    for exercise, _, func in WRONG:
        if exercise not in seen:
            seen.add(exercise)
            wrong = replace_cell(wrong, exercise, cell_source(exercise, func))
    kinds = [("solved", solved), ("wrong", wrong), ("stubs", stubs)]
    paths = []
    for i in range(n):
        kind, nb = kinds[i % 3]
        path = os.path.join(folder, f"student{i:02d}_{kind}.ipynb")
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def main(argv=None) -> dict:
    """Grade ``--n`` submissions with ``--jobs`` kernels; return ``{name: wall seconds}`` (benchmarks runner)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="three submissions only (proves it still runs)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n = 3
    with tempfile.TemporaryDirectory() as folder:
        paths = make_submissions(folder, args.n)
        walls, scores = {}, {}
        for label, extra in (("sandbox", []), ("no sandbox", ["--no-sandbox"])):
            walls[label], scores[label] = _grade(paths, args.jobs, extra, os.path.join(folder, "report.json"))
    print(f"coursekit grade: {args.n} submissions x {len(next(iter(scores['sandbox'].values())))} exercises, "
          f"--jobs {args.jobs}, {os.cpu_count()} CPU(s)")
    for name, points in scores["sandbox"].items():
        print(f"  {name:28s} {sum(points.values()):g} points")
    if scores["sandbox"] != scores["no sandbox"]:
        raise RuntimeError("the sandboxed and the unsandboxed run gave different scores")
    overhead = (walls["sandbox"] - walls["no sandbox"]) * args.jobs / args.n
    print(f"wall time, sandbox on: {walls['sandbox']:.1f} s ({walls['sandbox'] / args.n:.2f} s per submission; "
          f"target ≤ 30 s for 10)")
    print(f"wall time, --no-sandbox: {walls['no sandbox']:.1f} s; the sandbox adds {overhead:+.2f} s per "
          f"submission and kernel")
    return {f"grade {args.n} submissions --jobs {args.jobs}": walls["sandbox"],
            f"grade {args.n} submissions --jobs {args.jobs} --no-sandbox": walls["no sandbox"]}


def _grade(paths, jobs, extra, report):
    """Wall seconds of one ``coursekit grade`` run, and ``{submission: {exercise: points}}``."""
    table, errors = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(table), contextlib.redirect_stderr(errors):
        code = grade_main(["grade", *paths, "--jobs", str(jobs), "--json", report, *extra])
    wall = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"coursekit grade {' '.join(extra)} exited with {code}: {errors.getvalue()}")
    submissions = json.load(open(report, encoding="utf-8"))["submissions"]
    return wall, {os.path.basename(s["path"]): {e["name"]: e["points"] for e in s["exercises"]} for s in submissions}


if __name__ == "__main__":
    main()
