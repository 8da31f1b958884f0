"""A class on one machine: ``coursekit grade`` on 300 submissions of one notebook, sandboxed.

Run: ``python benchmarks/class_scale.py [--n 300] [--notebook 04] [--jobs <cores>]``. The submissions
are the shipped notebook, half of them filled with the reference solutions; ``--jobs`` defaults to the
number of cores. Prints the wall time and the time per submission per core (wall × jobs / n); the
target is ≤ 2 s per submission per core with the sandbox on. Not part of the test run (minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import io
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import nbformat  # noqa: E402
from solutions.fill import fill_solutions  # noqa: E402

from coursekit.cli import main as coursekit  # noqa: E402

TARGET = 2.0        # seconds per submission per core


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--notebook", default="04")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    shipped = glob.glob(os.path.join(ROOT, "notebooks", f"{args.notebook}_*.ipynb"))[0]
    stub = nbformat.read(shipped, 4)
    solved = fill_solutions(stub)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i in range(args.n):
            path = os.path.join(folder, f"student{i:03d}_{args.notebook}.ipynb")
            nbformat.write(solved if i % 2 == 0 else stub, path)
            paths.append(path)
        report = os.path.join(folder, "report.json")
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = coursekit(["grade", *paths, "--notebook", args.notebook, "--jobs", str(args.jobs),
                              "--json", report])
        wall = time.perf_counter() - started
        rows = json.load(open(report, encoding="utf-8"))["submissions"]
    if code != 0:
        raise RuntimeError(f"coursekit grade exited with {code}")
    per_core = wall * args.jobs / args.n
    full = sum(r["points"] == r["max_points"] for r in rows)
    print(f"coursekit grade: {args.n} submissions of notebook {args.notebook}, --jobs {args.jobs}, sandboxed: "
          f"{wall:.0f} s wall, {per_core:.2f} s per submission per core (target ≤ {TARGET:g} s); "
          f"{full} full marks (expected {(args.n + 1) // 2})")
    return {f"grade {args.n} x notebook {args.notebook} --jobs {args.jobs}": wall, "s per submission per core": per_core}


if __name__ == "__main__":
    main()
