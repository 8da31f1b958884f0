"""Latency under load and its summary: a CPU hog beside the kernel, bursts of presses faster than frames,
and each explorer's median against the trivial ipympl plot of the same pass (for latency.json)."""
from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys

from labdriver import (LATENCY, SLIDER_DISABLED, SLIDER_HANDLE, _slider_state, click_toggle_buttons, move_slider,
                       wait_kernel_idle)

# LOAD[pass][notebook][explorer cell]: the timings beside a CPU hog (under_load), for latency.json.
LOAD: dict[str, dict] = {}
#: The trivial ipympl plot every explorer is compared with (the same run, the same pass).
FIXTURE = "fixtures/fixture_ipympl.ipynb"


@contextlib.contextmanager
def cpu_hog(processes: int | None = None):
    """Busy processes beside the kernel, one per core by default: a machine that a class shares."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes or os.cpu_count() or 1)]
    try:
        yield len(hogs)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


SETTLE_JS = r"""
async (root, [quietMs, timeoutMs]) => {
  const pictures = () => [...root.querySelectorAll('.jp-OutputArea canvas, .jp-OutputArea img')]
    .map(el => el.tagName === 'IMG' ? el.src : window.__ckHashCanvas(el)).join('|');
  const start = performance.now();
  let last = pictures(), lastChange = start;
  while (performance.now() - lastChange < quietMs && performance.now() - start < timeoutMs) {
    await new Promise(r => setTimeout(r, 20));
    const now = pictures();
    if (now !== last) { last = now; lastChange = performance.now(); }
  }
  return {lastChange, settled: performance.now() - lastChange >= quietMs};
}
"""


def burst(page, cell, slider, presses: int = 8, gap_ms: int = 30, quiet_ms: int = 2000) -> dict:
    """Press a slider's key ``presses`` times, ``gap_ms`` apart (faster than frames are drawn), then time
    from the last press to the figure's last change: with no backlog that is about one update, however
    many presses came before."""
    handle = slider.locator(SLIDER_HANDLE).first
    handle.scroll_into_view_if_needed()
    state = _slider_state(handle)
    key = "ArrowLeft" if state["now"] > (state["min"] + state["max"]) / 2 else "ArrowRight"
    handle.focus()
    for _ in range(presses):
        page.keyboard.press(key)
        page.wait_for_timeout(gap_ms)
    last_press = page.evaluate("() => performance.now()") - gap_ms
    settle = cell.evaluate(SETTLE_JS, [quiet_ms, 30_000])
    wait_kernel_idle(page)
    return {"presses": presses, "gap_ms": gap_ms, "catch_up_ms": round(max(0.0, settle["lastChange"] - last_press), 1),
            "settled": settle["settled"]}


def under_load(page, cell, presses: int = 3) -> dict | None:
    """With a CPU hog beside the kernel: ``presses`` timed key presses on the explorer's first slider (or
    clicks on its first toggle buttons), then a :func:`burst` of presses faster than frames."""
    sliders = [cell.locator(".jp-OutputArea .widget-slider").nth(j)
               for j in range(cell.locator(".jp-OutputArea .widget-slider").count())]
    sliders = [s for s in sliders if s.is_visible() and s.locator(SLIDER_HANDLE).count()
               and not s.locator(SLIDER_DISABLED).count()]
    toggles = cell.locator(".jp-OutputArea .widget-toggle-buttons")
    if not sliders and not toggles.count():
        return None
    with cpu_hog() as hogs:
        if sliders:
            timed = move_slider(page, cell, sliders[0], watch_text=False, presses=presses)
            caught_up = burst(page, cell, sliders[0])
        else:
            timed = click_toggle_buttons(page, cell, toggles.first, watch_text=False, clicks=presses)
            caught_up = None
    return {"hogs": hogs, "control": timed.label, "median_ms": timed.median_ms, "samples_ms": timed.samples_ms,
            "burst": caught_up}


def _median(samples):
    return round(statistics.median(samples), 1) if samples else None


def latency_summary() -> dict:
    """Per pass: the fixture's median (quiet, under load) and each explorer's, with their ratio to it."""
    summary = {}
    for pass_name, notebooks in LATENCY.items():
        if pass_name.startswith("_"):
            continue
        fixture = notebooks.get(FIXTURE, {})
        first = next(iter(sorted(fixture)), None)
        quiet = _median([t for rec in fixture.get(first, {}).values() for t in rec["samples_ms"]]) if first else None
        loaded = LOAD.get(pass_name, {}).get(FIXTURE, {}).get(first) if first else None
        load = loaded and loaded["median_ms"]
        rows = {}
        for nb, explorers in notebooks.items():
            if not nb.startswith("notebooks/"):
                continue
            for cell, controls in explorers.items():
                median = _median([t for rec in controls.values() for t in rec["samples_ms"]])
                under = LOAD.get(pass_name, {}).get(nb, {}).get(cell) or {}
                rows[f"{nb.removeprefix('notebooks/').removesuffix('.ipynb')} {cell}"] = {
                    "quiet_median_ms": median, "quiet_ratio": median and quiet and round(median / quiet, 2),
                    "load_median_ms": under.get("median_ms"),
                    "load_ratio": under.get("median_ms") and load and round(under["median_ms"] / load, 2),
                    "burst_catch_up_ms": (under.get("burst") or {}).get("catch_up_ms"),
                }
        summary[pass_name] = {"fixture_quiet_median_ms": quiet, "fixture_load_median_ms": load, "explorers": rows}
    return summary
