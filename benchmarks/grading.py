"""How long does ``coursekit grade`` take for a class? Ten submissions, two parallel kernels.

Run: ``python benchmarks/grading.py [--jobs 2] [--n 10]``. Each submission is the grading fixture
(every exercise of the course in one notebook, tests/fixtures/grading/all_exercises.ipynb) filled with
the reference solutions, with typical wrong answers, or left as stubs. Prints the wall time of the
whole run and per submission; the target is under 60 s for ten submissions on 2 cores.
Not part of the test run.
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
        report = os.path.join(folder, "report.json")
        table = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(table):
            code = grade_main(["grade", *paths, "--jobs", str(args.jobs), "--json", report])
        wall = time.perf_counter() - started
        submissions = json.load(open(report, encoding="utf-8"))["submissions"]
    print(f"coursekit grade: {args.n} submissions x {len(submissions[0]['exercises'])} exercises, "
          f"--jobs {args.jobs}, {os.cpu_count()} CPU(s)")
    for s in submissions:
        print(f"  {os.path.basename(s['path']):28s} {s['points']:g}/{s['max_points']:g}")
    print(f"wall time: {wall:.1f} s ({wall / args.n:.2f} s per submission; target < 60 s for 10)  exit code {code}")
    if code != 0:
        raise RuntimeError(f"coursekit grade exited with {code}")
    return {f"grade {args.n} submissions --jobs {args.jobs}": wall}


if __name__ == "__main__":
    main()
