"""Fixtures for the browser suite: one JupyterLab server and one headless Chromium per session.

Nothing is installed here. `.ci/run` provides the browser::

    apt-get install -y chromium          # Debian: /usr/bin/chromium
    pip install -e '.[test]'             # brings the playwright package; never `playwright install`

Without them the suite skips, naming those commands -- except when the environment variable
CI is "true": then it fails, so CI can never skip it silently.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from labdriver import FIXTURES, LATENCY, REPO_ROOT, RESULTS
from under_load import LOAD, latency_summary
CHROMIUM = os.environ.get("COURSEKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SERVER_START_TIMEOUT = 90  # s, jupyter lab from cold on 2 cores takes ~5 s
INSTALL_HINT = (
    "the browser suite needs Debian's Chromium and the playwright Python package: "
    "`apt-get install -y chromium` (gives /usr/bin/chromium) and `pip install -e '.[test]'` "
    "(or `pip install playwright`); do NOT run `playwright install`. "
    "Set COURSEKIT_CHROMIUM to use another Chromium binary."
)


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A running `jupyter lab` with its own config, settings, workspaces and runtime dirs."""

    def __init__(self, base: Path, root: Path, python: str = sys.executable, name: str = "jupyterlab4"):
        self.base = base
        self.root = root
        self.python = str(python)   # the environment that runs JupyterLab and the kernels
        self.name = name            # the pass: keys latency.json, names the screenshot folder
        self.results = RESULTS if name == "jupyterlab4" else RESULTS / name
        self.port = _free_port()
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.results / "jupyter-lab.log"
        self.proc: subprocess.Popen | None = None
        self.ignored_console: tuple = ()   # regexes of browser console errors this pass expects
        self.measure_load = name == "jupyterlab4"   # this pass also times each explorer beside a CPU hog

    # --- REST helpers (token in the header, never in logs) ---
    def api(self, method: str, path: str, timeout: float = 10):
        req = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
        return json.loads(body) if body else None

    def sessions(self) -> list[dict]:
        return self.api("GET", "/api/sessions")

    def session_for(self, nb_path: str) -> dict | None:
        for s in self.sessions():
            if s.get("path") == nb_path:
                return s
        return None

    def shutdown_session(self, nb_path: str) -> None:
        s = self.session_for(nb_path)
        if s is not None:
            self.api("DELETE", f"/api/sessions/{s['id']}")

    def lab_url(self, nb_path: str) -> str:
        # `reset` starts from an empty workspace so a previous test's notebook is not reopened.
        return f"{self.url}/lab/tree/{nb_path}?reset&token={self.token}"

    # --- lifecycle ---
    def start(self) -> None:
        dirs = {k: self.base / k for k in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        _write_lab_settings(dirs["settings"])
        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(dirs["config"]),
            JUPYTER_DATA_DIR=str(dirs["data"]),
            JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
            JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
            JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
            IPYTHONDIR=str(dirs["ipython"]),
            PYTHONUNBUFFERED="1",
        )
        cmd = [
            self.python, "-m", "jupyterlab",
            "--no-browser", "--allow-root",
            "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={dirs['settings']}",
            f"--LabApp.workspaces_dir={dirs['workspaces']}",
            "--LabApp.expose_app_in_browser=True",   # window.jupyterapp, for runmenu:run-all
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.terminals_enabled=False",
            # stop idle kernels of finished tests even if a DELETE went missing
            "--MappingKernelManager.cull_idle_timeout=600",
        ]
        self.results.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            cmd, cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with {self.proc.returncode}; log:\n{self._log_tail()}"
                )
            try:
                self.api("GET", "/api/status", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"jupyter lab did not answer within {SERVER_START_TIMEOUT}s; log:\n{self._log_tail()}"
                )
            time.sleep(0.25)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:  # shuts every kernel down, then the server
            self.api("POST", "/api/shutdown", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            # our own process group (start_new_session): server plus its kernels
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._log.close()

    def _log_tail(self, n: int = 4000) -> str:
        try:
            self._log.flush()
            return self.log_path.read_text(errors="replace")[-n:].replace(self.token, "<token>")
        except OSError:
            return "(no log)"


def _write_lab_settings(settings: Path) -> None:
    """User settings for a quiet, deterministic JupyterLab."""
    files = {
        # Render every cell (the default windowing skips off-screen cells, hiding their widgets).
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        # No news/update pop-ups (and no requests to the internet).
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True,
        },
    }
    for rel, content in files.items():
        p = settings / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(content))


def _copy_tree_for_server(root: Path) -> None:
    """The server sees copies only; the repo's notebooks are never modified."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    src_nbs = REPO_ROOT / "notebooks"
    if src_nbs.is_dir():
        shutil.copytree(src_nbs, root / "notebooks", ignore=ignore)
    else:
        (root / "notebooks").mkdir()
    shutil.copytree(FIXTURES, root / "fixtures", ignore=ignore)


@pytest.fixture(scope="module")
def playwright_sync():
    if not Path(CHROMIUM).exists():
        _skip_or_fail(f"{CHROMIUM} not found; {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail(f"the playwright package is not importable; {INSTALL_HINT}")
    pw = sync_playwright().start()
    try:
        yield pw
    finally:
        pw.stop()


@pytest.fixture(scope="module")
def browser(playwright_sync):
    # launch() gives every run a fresh, empty user-data-dir of its own (removed on close).
    b = playwright_sync.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000
    )
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory, playwright_sync) -> LabServer:
    """One JupyterLab for the browser suite (module scope: Playwright's event loop must be gone before
    other tests call asyncio.run, e.g. nbclient in the grader), serving temp copies of notebooks/ and the fixtures."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    root.mkdir()
    _copy_tree_for_server(root)
    server = LabServer(base, root)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def lab3(tmp_path_factory, playwright_sync) -> LabServer:
    """The second pass's JupyterLab: JupyterLab 3 + ipywidgets 7.8, Colab's widget stack, from the cached
    second venv (tests/widgets7_env.py); the kit is installed there too, so its kernels run it."""
    from widgets7_env import widgets7_python

    base = tmp_path_factory.mktemp("jupyterlab3")
    root = base / "root"
    root.mkdir()
    _copy_tree_for_server(root)
    # The notebooks are saved with ipywidgets 8's widget state in their metadata (version 2 models), which
    # JupyterLab 3's widget manager tries to restore when a notebook opens; ipywidgets 7 cannot ("Module
    # @jupyter-widgets/controls, semver range ^2.0.0 is not registered", "Could not instantiate widget" in
    # the console). Run All replaces every widget; this pass starts from the notebooks without that state.
    for path in (root / "notebooks").glob("*.ipynb"):
        notebook = json.loads(path.read_text())
        notebook["metadata"].pop("widgets", None)
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False))
    server = LabServer(base, root, python=widgets7_python(), name="jupyterlab3-ipywidgets7")
    # JupyterLab 3's MathJax 2 (the markdown's formulas) asks for a font at about:blank, which Chromium
    # refuses, and for font files that its nbclassic copy of MathJax lacks (404); neither concerns the kit,
    # and nothing else is excused.
    server.ignored_console = (r"^Access to font at 'about:blank'", r"^Failed to load resource: net::ERR_FAILED \(about:blank\)$",
                              r"^Failed to load resource: .*404.*/static/nbclassic/components/MathJax/fonts/")
    server.start()
    try:
        yield server
    finally:
        server.stop()


#: A laptop screen: 1280 x 800, and the notebook beside JupyterLab's file browser (left sidebar open).
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def pytest_sessionfinish(session, exitstatus):
    if LATENCY:
        RESULTS.mkdir(parents=True, exist_ok=True)
        LATENCY.setdefault("_about", {
            "what": "key press (or click) to new figure pixels in Chromium, ms; per pass, notebook, explorer cell, control",
            "viewport": VIEWPORT, "cores": os.cpu_count(), "load_average_at_end": list(os.getloadavg())})
        report = {"_about": LATENCY.get("_about"), "summary": latency_summary(), "under_load": LOAD,
                  **{k: v for k, v in LATENCY.items() if k != "_about"}}
        (RESULTS / "latency.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not LATENCY:
        return
    tr = terminalreporter
    tr.section("slider-to-redraw latency (key press -> figure pixels changed)")
    for pass_name, notebooks in LATENCY.items():
        if pass_name.startswith("_"):
            continue
        for nb, explorers in notebooks.items():
            for explorer, sliders in explorers.items():
                for slider, rec in sliders.items():
                    med = rec.get("median_ms")
                    med_s = f"{med:7.1f} ms" if med is not None else "   no redraw"
                    tr.write_line(
                        f"{pass_name[:12]:12s} {nb:40s} {explorer:8s} {slider:14s} {rec['kind']:7s} median {med_s}"
                        f"  (n={len(rec['samples_ms'])})"
                    )
    for pass_name, rows in latency_summary().items():
        tr.write_line(f"{pass_name}: trivial ipympl plot (fixture) median {rows['fixture_quiet_median_ms']} ms quiet, "
                      f"{rows['fixture_load_median_ms']} ms under load; per explorer (ms, ratio to the fixture):")
        for explorer, row in rows["explorers"].items():
            tr.write_line(f"  {explorer:48s} quiet {row['quiet_median_ms']} ({row['quiet_ratio']}x)  "
                          f"load {row['load_median_ms']} ({row['load_ratio']}x)  burst catch-up {row['burst_catch_up_ms']}")
    tr.write_line(f"written to {RESULTS / 'latency.json'}")
