"""``import coursekit`` and ``import coursekit.viz`` in fresh interpreters (the import itself, no startup)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

_PROBE = r"""
import json, sys, time
start = time.perf_counter()
import {module}
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "matplotlib": "matplotlib" in sys.modules,
                  "ipywidgets": "ipywidgets" in sys.modules}}))
"""


def time_import(module, repeats):
    runs = []
    for _ in range(repeats + 1):            # the first run warms the OS file cache; not counted
        out = subprocess.run([sys.executable, "-c", _PROBE.format(module=module)], capture_output=True,
                             text=True, timeout=120)
        if out.returncode != 0:
            return None, out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    runs = runs[1:]
    return statistics.median(r["seconds"] for r in runs), runs[-1]


def run(report, quick=False):
    report.section("5b. import time (fresh interpreter, median)")
    repeats = 1 if quick else 7
    for module in ("coursekit", "coursekit.viz"):
        seconds, info = time_import(module, repeats)
        if seconds is None:
            report.skip(f"import {module}", "python -c", f"failed: {info}")
            continue
        pulled = [name for name in ("matplotlib", "ipywidgets") if info[name]]
        report.row(f"import {module}", f"{repeats} fresh processes", seconds,
                   note="pulls in " + (", ".join(pulled) if pulled else "neither matplotlib nor ipywidgets"))
        report.ratio(f"import_seconds/{module}", seconds)
        if module == "coursekit":
            report.target("import coursekit ≤ 0.2 s, without matplotlib/ipywidgets",
                          seconds <= 0.2 and not pulled, f"{seconds:.3f} s")
