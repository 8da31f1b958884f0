"""Run the benchmarks: ``python -m benchmarks`` (or ``python benchmarks/run.py``) from the repository root.

Prints, section by section, the median of repeated runs (after warm-up) of coursekit and of the libraries
students would use instead, with ratios; then whether each target of issue 6 is met. Writes the results to
``benchmarks/results/<timestamp>.json`` and prints how the ratios moved since the previous JSON there.

    python -m benchmarks                      # everything (about 2-3 minutes plus the grading run)
    python -m benchmarks --only epochs,accuracy
    python -m benchmarks --quick --no-save    # tiny sizes, one repeat: proves the runner still works
    python -m benchmarks --threads 1          # every contestant on one thread (steadier on a busy machine)

Times move ±20 % between runs on a busy 2-core machine; compare the ratios within one run.
Peers that are not installed are skipped with a line saying so (``pip install scikit-learn torch==2.13.0``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

if __package__ in (None, ""):                       # python benchmarks/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"                       # noqa: A001

from benchmarks._common import Report, blas_threads, versions  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _section(module, function, *names):
    """A section runner importing its module only when it runs (so --threads can act before numpy loads)."""
    def run(report, args):
        imported = importlib.import_module(f"benchmarks.{module}")
        return getattr(imported, function)(report, *(getattr(args, name) for name in names))
    return run


SECTIONS = {
    "epochs": _section("training", "run_epochs", "quick", "repeats"),
    "accuracy": _section("training", "run_accuracy", "quick"),
    "landscape": _section("landscapes", "run", "quick"),
    "explorers": _section("delegated", "run_explorers", "quick"),
    "imports": _section("imports", "run", "quick"),
    "grading": _section("delegated", "run_grading", "quick"),
}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_threads(threads):
    """Every BLAS / OpenMP pool (numpy, scikit-learn, PyTorch, and subprocesses) to ``threads`` threads."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    try:                                    # numpy may already be loaded (e.g. main() called from a test)
        from threadpoolctl import threadpool_limits
        threadpool_limits(threads)
    except ImportError:
        pass


def contention_check():
    """Seconds of a small float32 product with 1 thread and with all threads (threadpoolctl), or None.

    On a busy machine multi-threaded BLAS waits for cores other processes hold, and small products
    get many times slower than on one thread; numpy and PyTorch alike.
    """
    try:
        import numpy as np
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    A = np.ones((128, 64), np.float32)
    B = np.ones((64, 128), np.float32)
    result = {}
    for threads in (1, blas_threads()):
        with threadpool_limits(threads):
            A @ B
            start = time.perf_counter()
            for _ in range(200):
                A @ B
            result[threads] = (time.perf_counter() - start) / 200
    return result


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and one repeat (a smoke test)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})")
    parser.add_argument("--repeats", type=int, default=None, help="override the repeats of the epoch timings")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for every contestant's BLAS / OpenMP (default: as installed, = CPU count)")
    parser.add_argument("--no-save", action="store_true", help="do not write a JSON file to benchmarks/results/")
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help="where the JSON files go")
    args = parser.parse_args(argv)
    requested = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in requested if s not in SECTIONS]
    args.sections = [s for s in SECTIONS if s in requested]          # always in the table's order
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def machine():
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "blas_threads": blas_threads(), "loadavg_start": load, "versions": versions()}


def previous_results(directory: Path, quick: bool, threads: int):
    """The latest earlier run of the same kind (quick or not, same BLAS thread count), or (None, None)."""
    files = sorted(p for p in directory.glob("*.json") if p.stem.endswith("-quick") == quick)
    for path in reversed(files):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if data.get("machine", {}).get("blas_threads", threads) == threads:
            return path, data
    return None, None


def print_changes(report, path, before):
    old = before.get("ratios", {})
    shared = [key for key in report.ratios if key in old and old[key]]
    print(f"\n== changes since {path.name} (now / before; < 1 is faster for times and peer ratios) " + "=" * 20)
    if not shared:
        print("  no common measurements")
        return
    for key in shared:
        now, then = report.ratios[key], old[key]
        print(f"  {key:<60} {then:>10.4g} -> {now:<10.4g} {now / then:>6.2f}×")


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.threads:
        limit_threads(args.threads)
    import numpy  # noqa: F401  - loaded first, so blas_threads() sees its BLAS
    info = machine()
    versions_line = ", ".join(f"{k} {v}" for k, v in info["versions"].items() if v)
    print(f"coursekit benchmarks — {info['platform']}, {info['cpus']} CPUs, {info['blas_threads']} BLAS threads")
    print(f"  {versions_line}; load average {info['loadavg_start'][0]:.2f}" if info["loadavg_start"] else "")
    for peer, hint in (("sklearn", "scikit-learn"), ("torch", "torch==2.13.0")):
        if info["versions"].get(peer) is None:
            print(f"  {hint} is not installed: its rows are skipped (pip install {hint})")
    if info["loadavg_start"] and info["loadavg_start"][0] > (info["cpus"] or 1):
        print("  warning: the machine is busy (load average above the CPU count): trust ratios, not times")
    check = contention_check()
    if check and len(check) == 2:
        one, many = (check[k] for k in sorted(check))
        info["small_sgemm_seconds"] = {str(k): v for k, v in check.items()}
        print(f"  128×64 @ 64×128 float32: {one * 1e6:.0f} µs on 1 thread, {many * 1e6:.0f} µs on {max(check)}")
        info["contended"] = many > 2 * one
        if info["contended"]:
            print("  warning: other processes hold the cores: multi-threaded BLAS (numpy and PyTorch alike) is "
                  "waiting for them; the times below are inflated (a quiet machine or --threads 1 gives steadier ones)")
    report = Report(quick=args.quick)
    started = time.perf_counter()
    for name in args.sections:
        SECTIONS[name](report, args)
    elapsed = time.perf_counter() - started

    met = sum(t["met"] for t in report.targets)
    if args.quick:
        print("\n== targets are not judged in a --quick run (tiny sizes, one repeat)")
    else:
        print(f"\n== targets: {met} of {len(report.targets)} met " + "=" * 70)
        if info.get("contended"):
            print("  (other processes held the cores when this run started: multi-threaded times are inflated)")
    for t in report.targets:
        print(f"  {'MET   ' if t['met'] else 'MISSED'} {t['target']}: {t['detail']}")
    info["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S") + ("-quick" if args.quick else "")
    path, before = previous_results(args.results_dir, args.quick, info["blas_threads"])
    if before is not None:
        print_changes(report, path, before)
    result = {"timestamp": stamp, "quick": args.quick, "sections": args.sections, "elapsed_seconds": elapsed,
              "machine": info, "rows": report.rows, "ratios": report.ratios, "targets": report.targets,
              "notes": report.notes}
    if not args.no_save:
        args.results_dir.mkdir(parents=True, exist_ok=True)
        out = args.results_dir / f"{stamp}.json"
        out.write_text(json.dumps(result, indent=1, default=float) + "\n")
        print(f"\nresults written to {out} ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
