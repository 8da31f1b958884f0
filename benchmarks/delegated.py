"""Benchmarks other engineers write in their own files, run from here when they exist.

``benchmarks/explorers_part1.py``, ``benchmarks/explorers_part2.py`` (one update of every explorer: compute
+ Agg redraw) and ``benchmarks/grading.py`` (``coursekit grade`` on ten submissions). The runner accepts
either of two shapes:

* ``CASES``: a list of triples ``(name, make_explorer, move_control)``: ``explorer = make_explorer()`` is
  the setup, and the timed update is ``move_control(explorer, i)`` (the i-th move of a control) followed by
  ``explorer.fig.canvas.draw()``; when the module defines ``time_case(make, move, repeats, warmup)`` that
  function does the timing. Also accepted: ``{name: make}`` / ``(name, make)`` where ``make()`` returns the
  zero-argument ``update()`` to time. The median of repeated runs after warm-up is printed.
* ``main(...)``: called with the keywords it accepts among ``quick`` and ``report`` (the
  :class:`~benchmarks._common.Report`), or with ``argv`` (``["--quick"]`` or ``[]``). It may print its own
  lines; if it returns ``{name: seconds}`` or rows ``[{"name": ..., "seconds": ...}]`` they are recorded.
"""

from __future__ import annotations

import importlib
import inspect
import statistics
import time
import traceback
from pathlib import Path

from ._common import interleaved

HERE = Path(__file__).resolve().parent


def _load(module_name):
    if not (HERE / f"{module_name}.py").exists():
        return None, "not available yet"
    try:
        return importlib.import_module(f"benchmarks.{module_name}"), None
    except Exception as error:  # noqa: BLE001 - a peer's file may be half written
        return None, f"import failed: {type(error).__name__}: {error}"


def _n_params(fn):
    try:
        return len([p for p in inspect.signature(fn).parameters.values()
                    if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY,
                                                                           p.POSITIONAL_OR_KEYWORD)])
    except (TypeError, ValueError):
        return 0


def _time_triple(make, move, repeats, warmup):
    """(make_explorer, move_control): ``move(explorer, i)`` plus a canvas draw is the timed update."""
    explorer = make()
    for i in range(warmup):
        move(explorer, i)
    fig = getattr(explorer, "fig", None)
    times = []
    for i in range(warmup, warmup + repeats):
        start = time.perf_counter()
        move(explorer, i)
        if fig is not None:
            fig.canvas.draw()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _time_case(module, item, repeats):
    """(name, median seconds) of one entry of a module's CASES."""
    if isinstance(item, tuple) and len(item) == 3:
        name, make, move = item
        if _n_params(move) >= 2:                         # move_control(explorer, i)
            timer = getattr(module, "time_case", None)
            if timer is not None:                        # returns the median, or (median, worst)
                result = timer(make, move, repeats=repeats, warmup=max(1, min(5, repeats)))
                return str(name), float(result[0] if isinstance(result, (tuple, list)) else result)
            return str(name), _time_triple(make, move, repeats, warmup=max(1, min(12, repeats)))
        state = make()                                   # (name, setup, update): update(setup())
        update = (lambda: move(state)) if _n_params(move) else move
    else:
        name, make = item if isinstance(item, tuple) else (getattr(item, "name", repr(item)), item)
        made = make()
        update = made if callable(made) else make        # make() returns update(), or is the update
    return str(name), interleaved({"case": update}, repeats=repeats, warmup=1)["case"]["median"]


def _time_cases(report, module, title, repeats, limit):
    worst = None
    cases = module.CASES
    for item in (cases.items() if isinstance(cases, dict) else cases):
        label = str(item[0]) if isinstance(item, tuple) else repr(item)
        try:
            name, seconds = _time_case(module, item, repeats)
        except Exception as error:  # noqa: BLE001 - report and go on with the other cases
            report.skip(title, label, f"raised {type(error).__name__}: {error}")
            traceback.print_exc(limit=3)
            continue
        report.row(title, name, seconds, note="" if limit is None or seconds <= limit else f"> {limit * 1e3:.0f} ms")
        report.ratio(f"{title}_seconds/{name}", seconds)
        worst = seconds if worst is None else max(worst, seconds)
    _close_figures()
    return worst


def _close_figures():
    import sys
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def _call_main(report, main, title, quick):
    params = inspect.signature(main).parameters
    kwargs = {}
    if "quick" in params:
        kwargs["quick"] = quick
    if "report" in params:
        kwargs["report"] = report
    if "argv" in params:
        kwargs["argv"] = ["--quick"] if quick else []
    result = main(**kwargs)
    rows = []
    if isinstance(result, dict):
        rows = [(k, v) for k, v in result.items() if isinstance(v, (int, float))]
    elif isinstance(result, (list, tuple)):
        rows = [(r.get("name"), r.get("seconds")) for r in result if isinstance(r, dict) and "seconds" in r]
    for name, seconds in rows:
        report.row(title, str(name), float(seconds))
        report.ratio(f"{title}_seconds/{name}", float(seconds))
    return max((s for _, s in rows), default=None)


def run_module(report, module_name, title, quick, limit=None):
    """Run one delegated benchmark file; return the worst (largest) median it produced, or None."""
    module, why = _load(module_name)
    if module is None:
        report.skip(title, f"benchmarks/{module_name}.py", why)
        return None
    try:
        if hasattr(module, "CASES"):
            return _time_cases(report, module, title, 1 if quick else 25, limit)
        if hasattr(module, "main"):
            return _call_main(report, module.main, title, quick)
        report.skip(title, f"benchmarks/{module_name}.py", "defines neither CASES nor main")
    except Exception as error:  # noqa: BLE001
        report.skip(title, f"benchmarks/{module_name}.py", f"raised {type(error).__name__}: {error}")
        traceback.print_exc(limit=5)
    return None


def run_explorers(report, quick=False):
    report.section("5a. one explorer update (compute + Agg redraw)")
    import matplotlib
    matplotlib.use("Agg")
    worst = [run_module(report, name, "explorer update", quick, limit=0.05)
             for name in ("explorers_part1", "explorers_part2")]
    measured = [w for w in worst if w is not None]
    if measured:
        report.target("every explorer update ≤ 50 ms", max(measured) <= 0.05, f"slowest {max(measured) * 1e3:.1f} ms"
                      + ("" if len(measured) == 2 else " (one part not available yet)"))


def run_grading(report, quick=False):
    report.section("6. coursekit grade on ten submissions (--jobs 2), sandbox on and off")
    worst = run_module(report, "grading", "grade 10 submissions", quick)
    if worst is not None and not quick:
        report.target("grading 10 sandboxed submissions ≤ 30 s with --jobs 2", worst <= 30, f"{worst:.1f} s")
