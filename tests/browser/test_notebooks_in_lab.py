"""Every notebook as a student meets it: JupyterLab in headless Chromium.

For each notebook (``notebooks/*.ipynb`` plus the fixtures): open it, Run All, wait for an idle
kernel, assert that no traceback appeared and every widget rendered (ipympl canvases included),
move every visible slider of every explorer with the keyboard (an explorer without sliders: click
through its toggle buttons), click each button, choose another option in each dropdown and press each
Play widget's play, and assert that every one of these changed its figure; record the latency from key
press (or click) to new pixels. Screenshots go to ``test-results/browser/``, latencies to ``latency.json`` there.
The page is a laptop's, 1280 x 800 with the file browser open, and nothing may be cut off or scroll
sideways. This pass (JupyterLab 4) also times each explorer beside a CPU hog and with a burst of presses
faster than frames; ``test_notebooks_in_lab3.py`` runs the same test in JupyterLab 3 with ipywidgets 7.

Run:  python -m pytest tests/browser -m browser -q
"""
from __future__ import annotations

import json
import re

import pytest

import labdriver as lab_ui
import page_layout
import under_load
import first_picture
from labdriver import FIXTURES, LATENCY, REPO_ROOT, RESULTS

pytestmark = pytest.mark.browser

COURSE_NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
FIXTURE_NOTEBOOKS = sorted(FIXTURES.glob("fixture_*.ipynb"))
NOTEBOOK_PATHS = [f"notebooks/{p.name}" for p in COURSE_NOTEBOOKS] + [
    f"fixtures/{p.name}" for p in FIXTURE_NOTEBOOKS
]


def _slug(nb_path: str) -> str:
    return re.sub(r"[^\w.-]+", "_", nb_path.removesuffix(".ipynb"))


def _fmt_problems(p: dict, page=None) -> str:
    lines = []
    if p["errors"]:
        lines.append("errors:\n  " + "\n  ".join(p["errors"]))
    if p["loading"]:
        lines.append(f"{p['loading']} widget(s) still 'Loading widget...'")
    if p["widgetErrors"]:
        lines.append("widget errors:\n  " + "\n  ".join(p["widgetErrors"]))
    if lines and page is not None and lab_ui.console_errors(page):
        lines.append("browser console errors:\n  " + "\n  ".join(lab_ui.console_errors(page)[-10:]))
    return "\n".join(lines)


def _check_after_run_all(page, nb_path: str, seconds: float, out_dir) -> None:
    """Screenshots, then: no error, every widget rendered, nothing cut off, a quiet browser console."""
    lab_ui.wait_widgets_rendered(page)
    page.wait_for_timeout(300)  # let the last figures paint before the screenshots
    lab_ui.scroll_notebook(page, "top")
    lab_ui.save(out_dir / "00_after_run_all_top.png", page.screenshot())
    lab_ui.scroll_notebook(page, "bottom")
    lab_ui.save(out_dir / "01_after_run_all_bottom.png", page.screenshot())
    found = lab_ui.problems(page)
    if _fmt_problems(found):
        pytest.fail(f"{nb_path} after Run All ({seconds:.1f}s):\n{_fmt_problems(found, page)}", pytrace=False)
    layout = page_layout.layout_problems(page)        # 1280 x 800 with the file browser open: nothing cut off
    assert not layout["problems"], f"{nb_path} at {page.viewport_size}:\n  " + "\n  ".join(layout["problems"])
    print(f"\n{nb_path}: output area {layout['outputWidth']:.0f} px wide beside a {layout['sidebar']:.0f}-px file browser")
    if nb_path.startswith("notebooks/"):
        # Every course notebook has an interactive part (DESIGN.md); none rendered = broken widgets.
        assert found["widgets"] > 0, f"{nb_path}: no widget rendered after Run All"
        # A widget whose state failed to apply logs it only in the browser console (ipympl once
        # logged "Error setting state: ... drawImage" for every explorer while its figure looked fine).
        assert not lab_ui.console_errors(page), (
            f"{nb_path}: browser console errors after Run All:\n  " + "\n  ".join(lab_ui.console_errors(page)))


def _use_controls(page, cell, name: str, has_figure: bool, report: dict, failures: list) -> int:
    """Move every usable slider (or, without sliders, click a picker's toggle buttons), then use every
    button, dropdown and Play control once; record each one's latency. Returns how many were used."""
    sliders = cell.locator(".jp-OutputArea .widget-slider")
    moved = 0
    for j in range(sliders.count()):
        slider = sliders.nth(j)
        if not slider.is_visible():
            continue
        if slider.locator(lab_ui.SLIDER_HANDLE).count() == 0 or slider.locator(lab_ui.SLIDER_DISABLED).count():
            continue
        r = lab_ui.move_slider(page, cell, slider, watch_text=not has_figure)
        moved += 1
        key = r.label if r.label not in report else f"{r.label}#{j}"
        report[key] = r.record()
        if not r.samples_ms:
            failures.append(
                f"{name}: slider {r.label!r} ({r.readout_before} -> {r.readout_after}) "
                f"changed no figure in {r.presses} key presses"
            )

    if sliders.count() == 0:
        # An explorer without sliders (e.g. a picker): click through its toggle buttons.
        groups = cell.locator(".jp-OutputArea .widget-toggle-buttons")
        for j in range(groups.count()):
            if not groups.nth(j).is_visible():
                continue
            r = lab_ui.click_toggle_buttons(page, cell, groups.nth(j), watch_text=not has_figure)
            moved += 1
            report[r.label] = r.record(control="toggle buttons (clicked)")
            if not r.samples_ms:
                failures.append(f"{name}: toggle buttons {r.label!r} changed no figure in {r.presses} clicks")
            break  # one control is enough for a picker

    # Buttons, dropdowns and Play widgets: each used once, each must change the figure.
    for kind, selector, drive in lab_ui.OTHER_CONTROLS:
        controls = cell.locator(selector)
        for j in range(controls.count()):
            control = controls.nth(j)
            if not control.is_visible() or control.locator("[disabled]").count() or \
                    control.get_attribute("disabled") is not None:
                continue
            r = drive(page, cell, control, watch_text=not has_figure)
            moved += 1
            report[f"{kind} {r.label}"] = r.record(control=kind)
            if not r.samples_ms:
                failures.append(f"{name}: {kind} {r.label!r} ({r.readout_before} -> {r.readout_after}) "
                                f"changed no figure")
    return moved


def _exercise_explorer(page, lab, nb_path: str, ex: dict, out_dir, report: dict, failures: list) -> None:
    """Use every control of one explorer; its figure must change (and, in the JupyterLab 4 pass, be timed
    beside a CPU hog too)."""
    cell = lab_ui.cell_locator(page, ex["cell"])
    name = f"cell{ex['cell']:02d}"
    output = cell.locator(".jp-Cell-outputArea")
    output.scroll_into_view_if_needed()
    lab_ui.save(out_dir / f"{name}_before.png", output.screenshot())
    before = lab_ui.figure_snapshots(cell)
    has_figure = bool(before["canvases"] or before["imgs"])
    if nb_path.startswith("notebooks/") and not cell.locator(".coursekit-description").count():
        failures.append(f"{name}: no text description for screen readers (.coursekit-description)")
    report[name] = {}
    moved = _use_controls(page, cell, name, has_figure, report[name], failures)
    after = lab_ui.figure_snapshots(cell)
    lab_ui.save(out_dir / f"{name}_after.png", output.screenshot())
    if moved == 0:
        failures.append(f"{name}: explorer has controls but none could be used (hidden/disabled)")
        return
    # Independent check of the end state: pixels (ipympl) or image source (inline PNG).
    changed = any(
        lab_ui.changed_pixels(a, b) > 0 for a, b in zip(before["canvases"], after["canvases"])
    ) or before["imgs"] != after["imgs"]
    if has_figure and not changed:
        failures.append(f"{name}: figure identical before and after moving {moved} slider(s)")
    for i, png in enumerate(after["canvases"]):
        lab_ui.save(out_dir / f"{name}_figure{i}_after.png", png)
    if lab.measure_load and has_figure:           # after the checks above: it moves the controls again
        loaded = under_load.under_load(page, cell)
        if loaded:
            under_load.LOAD.setdefault(lab.name, {}).setdefault(nb_path, {})[name] = loaded


@pytest.mark.parametrize("nb_path", NOTEBOOK_PATHS)
def test_notebook_runs_and_explorers_respond(page, lab, nb_path):
    out_dir = lab.results / _slug(nb_path)
    lab_ui.open_notebook(page, lab, nb_path)
    try:
        seconds = lab_ui.run_all(page, lab, nb_path)
        _check_after_run_all(page, nb_path, seconds, out_dir)
        report: dict[str, dict] = {}
        failures: list[str] = []
        found_explorers = lab_ui.explorers(page)
        # A picture of every widget output without controls to move (e.g. a live training monitor).
        for i in sorted(set(lab_ui.widget_cells(page)) - {ex["cell"] for ex in found_explorers}):
            output = lab_ui.cell_locator(page, i).locator(".jp-Cell-outputArea")
            output.scroll_into_view_if_needed()
            lab_ui.save(out_dir / f"cell{i:02d}_widget.png", output.screenshot())
        for ex in found_explorers:
            _exercise_explorer(page, lab, nb_path, ex, out_dir, report, failures)

        LATENCY.setdefault(lab.name, {})[nb_path] = report
        print(f"\n{nb_path}: Run All {seconds:.1f}s; latency {json.dumps(report, ensure_ascii=False)}")
        found = lab_ui.problems(page)  # slider callbacks can raise into Output widgets
        if _fmt_problems(found):
            pytest.fail(f"{nb_path} after moving sliders:\n{_fmt_problems(found, page)}", pytrace=False)
        if nb_path.startswith("notebooks/") and lab_ui.console_errors(page):
            failures.append("browser console errors after using the controls:\n    "
                            + "\n    ".join(lab_ui.console_errors(page)))
        if failures:
            pytest.fail(f"{nb_path}:\n  " + "\n  ".join(failures), pytrace=False)
        if found["stderr"]:
            print(f"{nb_path}: stderr (not a failure):\n  " + "\n  ".join(found["stderr"]))
    finally:
        lab.shutdown_session(nb_path)


def test_fixture_explorers_are_found(page, lab):
    """The fixtures hold three explorers; if the suite found none, it would test nothing."""
    lab_ui.open_notebook(page, lab, "fixtures/fixture_ipympl.ipynb")
    try:
        lab_ui.run_all(page, lab, "fixtures/fixture_ipympl.ipynb")
        lab_ui.wait_widgets_rendered(page)
        found = lab_ui.explorers(page)
        assert [(e["sliders"], e["ipympl"] > 0, e["imgs"] > 0) for e in found] == [
            (2, True, False), (1, False, True)
        ], found
    finally:
        lab.shutdown_session("fixtures/fixture_ipympl.ipynb")


def test_a_frozen_figure_is_reported(page, lab):
    """Self-test: a slider that does not redraw its figure must be caught by both checks."""
    nb = "fixtures/selftest/frozen_explorer.ipynb"
    lab_ui.open_notebook(page, lab, nb)
    try:
        lab_ui.run_all(page, lab, nb)
        lab_ui.wait_widgets_rendered(page)
        (ex,) = lab_ui.explorers(page)
        cell = lab_ui.cell_locator(page, ex["cell"])
        before = first_picture.settled_snapshots(page, cell)   # not a blank canvas whose first draw is still on its way
        assert before["canvases"], "the frozen explorer's figure was not found"
        r = lab_ui.move_slider(page, cell, cell.locator(".widget-slider").first, watch_text=False,
                               presses=2, redraw_timeout_ms=2_000)
        after = lab_ui.figure_snapshots(cell)
        assert r.readout_before != r.readout_after  # the slider did move...
        assert r.samples_ms == [], r  # ...but no redraw was (wrongly) detected
        assert lab_ui.changed_pixels(before["canvases"][0], after["canvases"][0]) == 0
    finally:
        lab.shutdown_session(nb)


def test_a_traceback_is_reported(page, lab):
    """Self-test: a notebook whose cell raises must fail the checks above, not pass silently."""
    nb = "fixtures/selftest/broken_traceback.ipynb"
    lab_ui.open_notebook(page, lab, nb)
    try:
        lab_ui.run_all(page, lab, nb)
        found = lab_ui.problems(page)
        assert any("ValueError: fixture error" in e for e in found["errors"]), found
        assert any("(explorer message): FloatingPointError" in e for e in found["errors"]), found
        assert any("(stderr): " in e and "Traceback" in e for e in found["errors"]), found  # DOM check too
    finally:
        lab.shutdown_session(nb)
