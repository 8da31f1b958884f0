"""Shared helpers: interleaved timing with warm-up and medians, the report (table + JSON), peer detection.

Timing is *interleaved*: every repeat runs each contestant once, in turn, so a burst of load from another
process on this 2-core machine slows all contestants alike and the ratios stay meaningful even when the
absolute times move by ±20 %.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import statistics
import time


def peer_available(module: str) -> bool:
    """True if ``module`` (e.g. "torch", "sklearn") can be imported."""
    return importlib.util.find_spec(module) is not None


def blas_threads() -> int:
    """Threads numpy's BLAS uses (threadpoolctl when installed, else the CPU count)."""
    try:
        from threadpoolctl import threadpool_info
        counts = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
        if counts:
            return int(counts[0])
    except Exception:  # noqa: BLE001 - threadpoolctl is optional
        pass
    return os.cpu_count() or 1


def interleaved(contestants: dict, repeats: int, warmup: int = 1, pause: float = 0.0) -> dict:
    """Median seconds of each zero-argument callable, run round-robin ``repeats`` times after ``warmup`` runs.

    ``pause`` seconds of idling before each timed run let the worker threads of the previous contestant's
    thread pool (OpenBLAS, OpenMP) stop spinning; without it, whoever runs right after PyTorch or another
    BLAS finds both cores busy and pays for it.

    The order rotates by one each repeat. Returns ``{name: {"median": s, "min": s, "runs": [s, ...]}}``.
    """
    for _ in range(warmup):
        for fn in contestants.values():
            fn()
    runs = {name: [] for name in contestants}
    names = list(contestants)
    for repeat in range(repeats):
        shift = repeat % len(names)                 # rotate the order: nobody always runs right after X
        for name in names[shift:] + names[:shift]:
            fn = contestants[name]
            if pause:
                time.sleep(pause)
            start = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - start)
    return {name: {"median": statistics.median(t), "min": min(t), "runs": t} for name, t in runs.items()}


def fmt_time(seconds) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


class Report:
    """Rows of the printed table, plus everything that goes into the JSON file.

    ``row(section, work, who, value, ...)`` prints one line at once (a long run shows progress) and
    records it; ``ratio(key, value)`` records a ratio compared against the previous run's JSON;
    ``target(...)`` records whether a target is met (printed, never asserted).
    """

    def __init__(self, quick=False):
        self.quick = quick
        self.rows = []
        self.ratios = {}
        self.targets = []
        self.notes = []
        self._section = None

    def section(self, title):
        self._section = title
        print(f"\n== {title} " + "=" * max(0, 96 - len(title)))
        print(f"  {'work':<30} {'who':<44} {'median':>10} {'vs coursekit':>13}  note")

    def row(self, work, who, seconds=None, *, relative=None, value=None, note=""):
        shown = value if value is not None else fmt_time(seconds)
        rel = "" if relative is None else f"{relative:.2f}×"
        print(f"  {work:<30} {who:<44} {shown:>10} {rel:>13}  {note}".rstrip(), flush=True)
        self.rows.append({"section": self._section, "work": work, "who": who, "seconds": seconds,
                          "value": value, "relative": relative, "note": note})

    def skip(self, work, who, why):
        self.row(work, who, value="skipped", note=why)

    def ratio(self, key, value):
        self.ratios[key] = value

    def target(self, what, met, detail):
        if self.quick:
            print(f"  target (not judged in a --quick run) {what}: {detail}", flush=True)
            return
        mark = "MET   " if met else "MISSED"
        line = f"  target {mark} {what}: {detail}"
        print(line, flush=True)
        self.targets.append({"section": self._section, "target": what, "met": bool(met), "detail": detail})

    def note(self, text):
        print(f"  note: {text}", flush=True)
        self.notes.append({"section": self._section, "note": text})


def versions() -> dict:
    """Installed versions (from package metadata: nothing is imported), None where not installed."""
    from importlib import metadata
    out = {}
    for module, distribution in (("numpy", "numpy"), ("sklearn", "scikit-learn"), ("torch", "torch"),
                                 ("matplotlib", "matplotlib"), ("coursekit", "coursekit")):
        try:
            out[module] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            out[module] = None
    return out
