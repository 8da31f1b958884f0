"""Slider to pixels in real Chromium, every explorer against a trivial ipympl plot, quiet and under load.

    .venv/bin/python -m benchmarks.explorer_latency            # every notebook (several minutes)
    .venv/bin/python -m benchmarks.explorer_latency --quick    # notebook 01 and the trivial plot only

Runs the browser suite's JupyterLab 4 pass (tests/browser: JupyterLab in headless Chromium at 1280 x 800),
which times each control from key press to new figure pixels, five presses per control, then, with one
busy process per core beside the kernel, three presses on each explorer's first control and a burst of
eight presses 30 ms apart (faster than frames are drawn). The trivial plot (tests/browser/fixtures/
fixture_ipympl.ipynb: one line, two sliders, ``set_ydata`` + ``draw_idle``) is measured in the same run,
so the ratios hold on a busy machine. Prints per explorer the quiet and loaded medians, their ratios to
the trivial plot (target: at most 1.2), and the burst's catch-up (last press to last new pixels: with no
backlog about one update), and writes them to benchmarks/results/explorer-latency-<time>.json.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LATENCY = ROOT / "test-results" / "browser" / "latency.json"
RESULTS = Path(__file__).resolve().parent / "results"
TARGET = 1.2


def measure(quick: bool) -> dict:
    """Run the browser pass (its fixture and the course notebooks, or notebook 01 only) and read latency.json."""
    selection = "fixture_ipympl or 01_perceptron" if quick else "fixture_ipympl or notebooks/"
    if LATENCY.exists():
        LATENCY.unlink()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                           str(ROOT / "tests" / "browser" / "test_notebooks_in_lab.py"), "-k", selection],
                          cwd=ROOT, env=dict(os.environ), capture_output=True, text=True)
    if done.returncode != 0 or not LATENCY.exists():
        raise SystemExit(f"the browser pass failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")
    return json.loads(LATENCY.read_text())


def table(report: dict) -> list[str]:
    summary = report["summary"]["jupyterlab4"]
    lines = [f"trivial ipympl plot: {summary['fixture_quiet_median_ms']} ms quiet, "
             f"{summary['fixture_load_median_ms']} ms under load ({report['_about']['cores']} cores, "
             f"one busy process per core beside the kernel; load average at the end "
             f"{report['_about']['load_average_at_end'][0]:.1f})",
             f"{'explorer':44s} {'quiet ms':>9s} {'ratio':>6s} {'load ms':>8s} {'ratio':>6s} {'catch-up ms':>12s}"]
    for name, row in summary["explorers"].items():
        flags = "" if all(r is not None and r <= TARGET for r in (row["quiet_ratio"], row["load_ratio"])) else \
            f"  > {TARGET}x"
        lines.append(f"{name:44s} {row['quiet_median_ms']!s:>9s} {row['quiet_ratio']!s:>6s} "
                     f"{row['load_median_ms']!s:>8s} {row['load_ratio']!s:>6s} {row['burst_catch_up_ms']!s:>12s}{flags}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.explorer_latency", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="notebook 01 and the trivial plot only")
    parser.add_argument("--no-save", action="store_true", help="do not write a JSON file to benchmarks/results/")
    args = parser.parse_args(argv)
    report = measure(args.quick)
    print("\n".join(table(report)))
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"explorer-latency-{_dt.datetime.now():%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
