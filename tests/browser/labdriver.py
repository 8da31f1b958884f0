"""Driving JupyterLab 4 in a Playwright page: open, Run All, inspect outputs, move sliders.

Every wait here is bounded. The page must have been opened on a server started with
``--LabApp.expose_app_in_browser=True`` (so ``window.jupyterapp`` exists).
"""
from __future__ import annotations

import io
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RESULTS = REPO_ROOT / "test-results" / "browser"
# LATENCY[pass][notebook][explorer cell][control], quiet (under_load.py: beside a CPU hog); see conftest.py.
LATENCY: dict[str, dict] = {}

KERNEL_READY_TIMEOUT = 90_000   # ms
RUN_ALL_TIMEOUT = 300_000       # ms; a notebook that takes longer is a problem for a class anyway
WIDGETS_TIMEOUT = 30_000        # ms, for "Loading widget..." to disappear
REDRAW_TIMEOUT = 10_000         # ms, per key press
PRESSES_PER_SLIDER = 5

# Installed before any page script runs: wrap drawImage so that the moment an ipympl figure's
# visible canvas receives new pixels is recorded (ipympl draws the PNG it gets from the kernel into
# an offscreen canvas and then drawImage()s that onto the visible one).
INIT_SCRIPT = r"""
(() => {
  const hashCanvas = (c) => {
    try {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const u = new Uint32Array(d.buffer, d.byteOffset, d.byteLength >> 2);
      let h = 2166136261 >>> 0;
      for (let i = 0; i < u.length; i++) { h = Math.imul(h ^ u[i], 16777619) >>> 0; }
      return c.width + 'x' + c.height + ':' + h;
    } catch (e) { return 'unreadable'; }
  };
  window.__ckHashCanvas = hashCanvas;
  const orig = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const r = orig.apply(this, args);
    const st = window.__ckProbe;
    if (st && st.armed && st.t0 !== null && st.tChange === null && st.root.contains(this.canvas)) {
      const t = performance.now();
      if (hashCanvas(this.canvas) !== st.before.get(this.canvas)) { st.tChange = t; st.how = 'canvas'; }
    }
    return r;
  };
})();
"""

# Arms a probe on one cell: records the key press / click time (capture-phase keydown or mousedown) and the first moment
# afterwards that a figure in the cell's output shows different pixels (canvas hash), a new <img>
# has loaded, or -- for explorers without any figure -- the non-slider text changed.
ARM_PROBE = r"""
(root, watchText) => {
  if (window.__ckProbe && window.__ckProbe.mo) window.__ckProbe.mo.disconnect();
  const textOf = () => {
    const parts = [];
    const w = document.createTreeWalker(root.querySelector('.jp-Cell-outputArea') || root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      if (!n.parentElement.closest('.widget-slider')) parts.push(n.textContent);
    }
    return parts.join('');
  };
  const st = {root, armed: true, t0: null, tChange: null, how: null, before: new Map()};
  for (const c of root.querySelectorAll('.jp-OutputArea canvas')) st.before.set(c, window.__ckHashCanvas(c));
  const srcs = new Set([...root.querySelectorAll('.jp-OutputArea img')].map(i => i.src));
  st.textBefore = watchText ? textOf() : null;
  const mark = (how) => { if (st.tChange === null && st.t0 !== null) { st.tChange = performance.now(); st.how = how; } };
  const check = () => {
    if (st.t0 === null || st.tChange !== null) return;
    for (const img of root.querySelectorAll('.jp-OutputArea img')) {
      if (srcs.has(img.src)) continue;
      srcs.add(img.src);
      if (img.complete && img.naturalWidth > 0) mark('img');
      else img.addEventListener('load', () => mark('img'), {once: true});
    }
    if (watchText && textOf() !== st.textBefore) mark('text');
  };
  st.mo = new MutationObserver(check);
  st.mo.observe(root, {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['src']});
  const start = () => { if (st.t0 === null) st.t0 = performance.now(); };
  document.addEventListener('keydown', start, {capture: true, once: true});
  document.addEventListener('mousedown', start, {capture: true, once: true});
  document.addEventListener('change', start, {capture: true, once: true});   // a <select> chosen by script
  window.__ckProbe = st;
}
"""

PANEL = "window.jupyterapp && window.jupyterapp.shell.currentWidget"

KERNEL_IDLE_JS = f"""() => {{
  const p = {PANEL};
  if (!p || !p.sessionContext || !p.context || !p.context.isReady) return false;
  const k = p.sessionContext.session && p.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}}"""

RESET_AND_RUN_ALL_JS = f"""async () => {{
  const app = window.jupyterapp;
  const p = {PANEL};
  // Forget outputs and execution counts saved in the file so completion is unambiguous.
  for (const cell of p.content.widgets) {{
    if (cell.model.type !== 'code') continue;
    cell.model.outputs.clear();
    cell.model.executionCount = null;
  }}
  app.shell.activateById(p.id);
  await app.commands.execute('runmenu:run-all');
}}"""

RUN_ALL_DONE_JS = f"""() => {{
  const p = {PANEL};
  const k = p.sessionContext.session && p.sessionContext.session.kernel;
  if (!k || k.status !== 'idle') return false;
  let sawError = false, allDone = true;
  for (const cell of p.content.widgets) {{
    if (cell.model.type !== 'code') continue;
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    if (prompt && prompt.textContent.includes('*')) return false;
    if (cell.model.outputs.toJSON().some(o => o.output_type === 'error')) sawError = true;
    if (cell.model.sharedModel.getSource().trim() && cell.model.executionCount == null) allDone = false;
  }}
  return allDone || sawError;
}}"""

PROBLEMS_JS = f"""() => {{
  const p = {PANEL};
  const errors = [], stderr = [];
  p.content.widgets.forEach((cell, i) => {{
    if (cell.model.type !== 'code') return;
    for (const o of cell.model.outputs.toJSON()) {{
      if (o.output_type === 'error') errors.push(`cell ${{i}}: ${{o.ename}}: ${{o.evalue}}`);
    }}
    // stderr rendered anywhere in the cell, including inside Output widgets (not in the model)
    for (const el of cell.node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {{
      const t = el.textContent;
      if (t.includes('Traceback') || /\\w+Error\\b/.test(t)) errors.push(`cell ${{i}} (stderr): ${{t.slice(0, 1500)}}`);
      else if (t.trim()) stderr.push(`cell ${{i}}: ${{t.trim().slice(0, 300)}}`);
    }}
  }});
  // Every widget the kernel displayed must have become a widget view (not a text/PNG fallback).
  p.content.widgets.forEach((cell, i) => {{
    if (cell.model.type !== 'code') return;
    const wanted = cell.model.outputs.toJSON().filter(
      o => o.data && o.data['application/vnd.jupyter.widget-view+json']).length;
    const area = cell.node.querySelector('.jp-Cell-outputArea');
    const shown = area ? area.querySelectorAll(
      ':scope > .jp-OutputArea-child > .jp-OutputArea-output > .jupyter-widgets').length : 0;
    if (shown < wanted) errors.push(`cell ${{i}}: ${{wanted}} widget output(s) but only ${{shown}} rendered as widgets`);
    // coursekit explorers catch exceptions in update() and show them in red (#B00020) in their
    // message line instead of a traceback: after Run All or a slider move that is still an error.
    for (const el of cell.node.querySelectorAll('.jp-OutputArea .widget-html span[style]')) {{
      if (getComputedStyle(el).color === 'rgb(176, 0, 32)' && el.textContent.trim())
        errors.push(`cell ${{i}} (explorer message): ${{el.textContent.trim().slice(0, 300)}}`);
    }}
  }});
  // An ipympl figure whose canvas stayed 0x0 never received its first image (nothing to see).
  p.content.widgets.forEach((cell, i) => {{
    for (const div of cell.node.querySelectorAll('.jp-OutputArea .jupyter-matplotlib-canvas-div')) {{
      const c = div.querySelector('canvas');
      if (!c || c.width === 0 || c.height === 0 || div.offsetWidth === 0)
        errors.push(`cell ${{i}}: ipympl figure not drawn (0x0 canvas; see browser console errors below)`);
    }}
  }});
  const text = p.content.node.textContent;
  const loading = (text.match(/Loading widget\\.\\.\\./g) || []).length;
  const widgetErrors = (text.match(/Error displaying widget[^\\n]{{0,120}}/g) || []);
  const widgets = p.content.node.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets').length;
  return {{errors, stderr, loading, widgetErrors, widgets}};
}}"""

EXPLORERS_JS = f"""() => {{
  const p = {PANEL};
  const out = [];
  p.content.widgets.forEach((cell, i) => {{
    if (cell.model.type !== 'code') return;
    const sliders = cell.node.querySelectorAll('.jp-OutputArea .widget-slider');
    const toggles = cell.node.querySelectorAll('.jp-OutputArea .widget-toggle-buttons');
    if (!sliders.length && !toggles.length) return;
    out.push({{
      cell: i,
      sliders: sliders.length,
      toggles: toggles.length,
      ipympl: cell.node.querySelectorAll('.jp-OutputArea .jupyter-matplotlib-canvas-div').length,
      imgs: cell.node.querySelectorAll('.jp-OutputArea img').length,
    }});
  }});
  return out;
}}"""


WIDGET_CELLS_JS = f"""() => {{
  const p = {PANEL};
  const out = [];
  p.content.widgets.forEach((cell, i) => {{
    if (cell.model.type === 'code' && cell.node.querySelector('.jp-OutputArea-output > .jupyter-widgets')) out.push(i);
  }});
  return out;
}}"""


def widget_cells(page) -> list[int]:
    """Indices of the code cells whose output holds a widget (explorers, live monitors, ...)."""
    return page.evaluate(WIDGET_CELLS_JS)


@dataclass
class SliderResult:
    label: str
    kind: str  # canvas | img | text | none
    samples_ms: list = field(default_factory=list)
    presses: int = 0
    readout_before: str = ""
    readout_after: str = ""

    @property
    def median_ms(self):
        return round(statistics.median(self.samples_ms), 1) if self.samples_ms else None

    def record(self, **extra) -> dict:
        """The entry for latency.json (``extra``: e.g. which kind of control it was)."""
        return {"kind": self.kind, "median_ms": self.median_ms, "samples_ms": self.samples_ms,
                "presses": self.presses, "readout": f"{self.readout_before} -> {self.readout_after}", **extra}


CONSOLE: dict = {}  # page -> browser console errors, for failure messages


def console_errors(page) -> list[str]:
    return CONSOLE.get(page, [])


def open_notebook(page, lab, nb_path: str) -> None:
    errs = CONSOLE.setdefault(page, [])
    ignored = getattr(lab, "ignored_console", ())          # regexes of console errors a pass expects

    def record(text):
        if not any(re.search(pattern, text) for pattern in ignored):
            errs.append(text[:500])
    def on_console(message):
        if message.type == "error":      # a failed resource's message does not say which one: add its URL
            url = (message.location or {}).get("url", "")
            record(f"{message.text} ({url})" if message.text.startswith("Failed to load resource") else message.text)
    page.on("console", on_console)
    page.on("pageerror", lambda e: record(f"uncaught: {e}"))
    page.add_init_script(INIT_SCRIPT)
    page.goto(lab.lab_url(nb_path), wait_until="domcontentloaded", timeout=60_000)
    page.wait_for_function(f"() => !!({PANEL}) && !!({PANEL}).content", timeout=60_000)
    # As a student sees it on a laptop: the file browser open beside the notebook (layout_problems checks it).
    page.evaluate("() => { window.jupyterapp.shell.expandLeft(); window.jupyterapp.shell.activateById('filebrowser'); }")
    deadline = time.monotonic() + KERNEL_READY_TIMEOUT / 1000
    while True:
        # A notebook without kernelspec metadata asks which kernel to start: take the default.
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count() and dialog.first.is_visible():
            dialog.first.click()
        if page.evaluate(KERNEL_IDLE_JS):
            s = lab.session_for(nb_path)
            if s and s["kernel"]["execution_state"] == "idle":
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"{nb_path}: kernel not idle within {KERNEL_READY_TIMEOUT / 1000:.0f}s "
                                 f"(sessions: {lab.sessions()})")
        time.sleep(0.2)


def run_all(page, lab, nb_path: str) -> float:
    """Run All via the app command; returns seconds until every cell ran and the kernel is idle."""
    t = time.monotonic()
    page.evaluate(RESET_AND_RUN_ALL_JS)
    page.wait_for_function(RUN_ALL_DONE_JS, timeout=RUN_ALL_TIMEOUT, polling=100)
    # Double-check with the server's view of the kernel.
    deadline = time.monotonic() + 30
    while lab.session_for(nb_path)["kernel"]["execution_state"] != "idle":
        if time.monotonic() > deadline:
            raise AssertionError(f"{nb_path}: server reports a busy kernel 30 s after Run All finished")
        time.sleep(0.1)
    return time.monotonic() - t


def wait_widgets_rendered(page) -> None:
    """Wait (bounded) until no widget is 'Loading...' and every ipympl canvas got its first image.

    Gives up early when the browser console reports a widget that failed to set its state: such a
    widget never renders, and problems() reports it together with the console errors.
    """
    ready_js = f"""() => {{ const n = ({PANEL}).content.node;
        if (n.textContent.includes('Loading widget...')) return false;
        // ipympl canvases get their size with the first image from the kernel
        return [...n.querySelectorAll('.jupyter-matplotlib-canvas-div canvas')].every(c => c.width > 0); }}"""
    deadline = time.monotonic() + WIDGETS_TIMEOUT / 1000
    while time.monotonic() < deadline:
        if page.evaluate(ready_js):
            return
        if any("Error setting state" in e or "Error displaying widget" in e for e in console_errors(page)):
            page.wait_for_timeout(1000)  # let the other widgets finish, then report
            return
        page.wait_for_timeout(100)


def scroll_notebook(page, where: str) -> None:
    """Scroll the notebook so that its first ('top') or last ('bottom') cell is in view."""
    page.evaluate(
        f"""() => {{ const cells = ({PANEL}).content.widgets;
                   const c = cells[{'0' if where == 'top' else 'cells.length - 1'}];
                   if (c) c.node.scrollIntoView({{block: '{'start' if where == 'top' else 'end'}'}}); }}"""
    )
    page.wait_for_timeout(200)


def problems(page) -> dict:
    return page.evaluate(PROBLEMS_JS)


def wait_kernel_idle(page, timeout_ms: int = 30_000) -> None:
    page.wait_for_function(KERNEL_IDLE_JS, timeout=timeout_ms, polling=20)


def cell_locator(page, index: int):
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def explorers(page) -> list[dict]:
    return page.evaluate(EXPLORERS_JS)


def _slider_state(handle) -> dict:
    return handle.evaluate(
        """h => h.hasAttribute('aria-valuenow') ? ({now: parseFloat(h.getAttribute('aria-valuenow')),
                  min: parseFloat(h.getAttribute('aria-valuemin')),
                  max: parseFloat(h.getAttribute('aria-valuemax')),
                  disabled: h.closest('.widget-slider').querySelector('[disabled]') !== null
                            || h.getAttribute('disabled') !== null})
              // ipywidgets 7's jQuery UI slider: the handle's position in percent of the track
              : ({now: parseFloat(h.style.left || h.style.bottom || '0'), min: 0, max: 100,
                  disabled: h.closest('.ui-slider-disabled') !== null})"""
    )


#: A slider's handle and a disabled slider: ipywidgets 8 (noUiSlider), ipywidgets 7 (jQuery UI).
SLIDER_HANDLE = ".noUi-handle, .ui-slider-handle"
SLIDER_DISABLED = ".noUi-target[disabled], .ui-slider-disabled"

NO_CHANGE_GRACE_MS = 1500  # kernel idle this long after the press and still no new pixels: no change


def _await_probe(page, timeout_ms: int) -> dict:
    """Wait for the armed probe: new pixels, or an idle kernel with nothing new after a grace period."""
    try:
        page.wait_for_function(
            f"""() => {{ const s = window.__ckProbe;
                if (s.tChange !== null) return true;
                const k = ({PANEL}).sessionContext.session.kernel;
                return s.t0 !== null && k.status === 'idle' && performance.now() - s.t0 > {NO_CHANGE_GRACE_MS}; }}""",
            timeout=timeout_ms, polling=10,
        )
    except Exception:
        pass
    return page.evaluate(
        "() => { const s = window.__ckProbe; s.armed = false; s.mo.disconnect();"
        " return {t0: s.t0, t: s.tChange, how: s.how}; }"
    )


def _timed_action(page, cell, res, action, watch_text: bool, redraw_timeout_ms: int, after=None) -> None:
    """Arm the redraw probe, act (a key press, a click), record the key-to-pixels time in ``res``, run
    ``after`` (e.g. pause an animation), and let the update finish completely before the next action, so
    samples are independent."""
    cell.evaluate(ARM_PROBE, watch_text)
    action()
    res.presses += 1
    probe = _await_probe(page, redraw_timeout_ms)
    if probe["t"] is not None and probe["t0"] is not None:
        res.samples_ms.append(round(probe["t"] - probe["t0"], 1))
        res.kind = probe["how"]
    if after is not None:
        after()
    wait_kernel_idle(page)
    page.wait_for_timeout(150)


def move_slider(page, cell, slider, *, watch_text: bool, presses: int = PRESSES_PER_SLIDER,
                redraw_timeout_ms: int = REDRAW_TIMEOUT) -> SliderResult:
    """Press arrow keys on the slider's handle; time each key press to the figure's new pixels."""
    label = (slider.locator(".widget-label").first.text_content() or "").strip() if slider.locator(
        ".widget-label").count() else ""
    readout = slider.locator(".widget-readout")
    res = SliderResult(label=label or "(no label)", kind="none")
    res.readout_before = readout.first.text_content().strip() if readout.count() else ""
    handle = slider.locator(SLIDER_HANDLE).first
    handle.scroll_into_view_if_needed()
    key = "ArrowRight"
    for _ in range(presses):
        state = _slider_state(handle)
        if state["now"] >= state["max"]:
            key = "ArrowLeft"
        elif state["now"] <= state["min"]:
            key = "ArrowRight"
        handle.focus()
        _timed_action(page, cell, res, lambda: page.keyboard.press(key), watch_text, redraw_timeout_ms)
    res.readout_after = readout.first.text_content().strip() if readout.count() else ""
    return res


def click_toggle_buttons(page, cell, group, *, watch_text: bool, clicks: int = 3,
                         redraw_timeout_ms: int = REDRAW_TIMEOUT) -> SliderResult:
    """Click the options of a ToggleButtons control (an explorer without sliders, e.g. a picker)."""
    label_loc = group.locator(".widget-label")
    label = (label_loc.first.text_content() or "").strip() if label_loc.count() else ""
    buttons = group.locator("button")
    selected = lambda: [b.strip() for b in group.locator("button.mod-active").all_text_contents()]
    res = SliderResult(label=label or "(toggle)", kind="none")
    res.readout_before = ",".join(selected())
    # Visit other options than the initial one, so the final picture differs from the first.
    options = [i for i in range(buttons.count())
               if "mod-active" not in (buttons.nth(i).get_attribute("class") or "")]
    for i in options[:clicks]:
        _timed_action(page, cell, res, buttons.nth(i).click, watch_text, redraw_timeout_ms)
    res.readout_after = ",".join(selected())
    return res


def click_button(page, cell, button, *, watch_text: bool, redraw_timeout_ms: int = REDRAW_TIMEOUT) -> SliderResult:
    """Click a Button (e.g. "next", "train 5 more epochs") once; time the click to the figure's new pixels."""
    label = (button.text_content() or "").strip() or (button.get_attribute("title") or "").strip()
    res = SliderResult(label=label or "(button)", kind="none")
    button.scroll_into_view_if_needed()
    _timed_action(page, cell, res, button.click, watch_text, redraw_timeout_ms)
    return res


def choose_dropdown(page, cell, dropdown, *, watch_text: bool, redraw_timeout_ms: int = REDRAW_TIMEOUT) -> SliderResult:
    """Choose the first option of a Dropdown other than the current one, as a student would with the mouse."""
    label_loc = dropdown.locator(".widget-label")
    label = (label_loc.first.text_content() or "").strip() if label_loc.count() else ""
    select = dropdown.locator("select")
    res = SliderResult(label=label or "(dropdown)", kind="none")
    current = select.evaluate("s => s.options[s.selectedIndex].text")
    others = [t for t in select.locator("option").all_text_contents() if t != current]
    res.readout_before = current
    if others:
        select.scroll_into_view_if_needed()
        _timed_action(page, cell, res, lambda: select.select_option(label=others[0]), watch_text, redraw_timeout_ms)
    res.readout_after = select.evaluate("s => s.options[s.selectedIndex].text")
    return res


def press_play(page, cell, play, *, watch_text: bool, redraw_timeout_ms: int = REDRAW_TIMEOUT) -> SliderResult:
    """Press a Play widget's play button; time it to the first new frame, then pause the animation."""
    button = play.locator("button").first                        # play / pause (its icon says which)
    res = SliderResult(label="play", kind="none")
    button.scroll_into_view_if_needed()

    def pause_if_playing():
        if button.locator("i.fa-pause").count():
            button.click()
    _timed_action(page, cell, res, button.click, watch_text, redraw_timeout_ms, after=pause_if_playing)
    return res


#: Controls other than sliders and toggle buttons, driven once each: (name, CSS selector, driver).
OTHER_CONTROLS = (
    ("button", ".jp-OutputArea button.widget-button", click_button),
    ("dropdown", ".jp-OutputArea .widget-dropdown", choose_dropdown),
    ("play", ".jp-OutputArea .widget-play", press_play),
)


def figure_snapshots(cell) -> dict:
    """PNG screenshots of each ipympl canvas in the cell, and the src of each <img>."""
    shots = []
    divs = cell.locator(".jupyter-matplotlib-canvas-div")
    for i in range(divs.count()):
        box = divs.nth(i).bounding_box()
        if box and box["width"] > 0 and box["height"] > 0:  # a 0x0 figure is reported by problems()
            shots.append(divs.nth(i).screenshot())
    srcs = cell.locator(".jp-OutputArea img").evaluate_all("els => els.map(e => e.src)")
    return {"canvases": shots, "imgs": srcs}


def changed_pixels(png_a: bytes, png_b: bytes) -> int:
    """Number of pixels whose colour differs by more than a few levels (PIL ships with matplotlib)."""
    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png_a)).convert("RGB"), dtype=np.int16)
    b = np.asarray(Image.open(io.BytesIO(png_b)).convert("RGB"), dtype=np.int16)
    if a.shape != b.shape:
        return max(a.shape[0] * a.shape[1], b.shape[0] * b.shape[1])
    return int((np.abs(a - b).max(axis=2) > 8).sum())


def save(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
