"""Shared pytest configuration for all of coursekit's tests.

Keep this file small: a suite's own fixtures belong in that suite's folder
(e.g. ``tests/browser/conftest.py``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding pyproject.toml)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def grading_sandbox() -> str:
    """The grading sandbox starts here (its probe's details); skips when it cannot, and fails under
    ``CI`` (CI runs as root on a VM where user namespaces work, so the sandboxed tests must run)."""
    import os

    from coursekit.exercises._sandbox import probe
    ok, detail = probe()
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"the grading sandbox cannot start on this CI machine: {detail}")
        pytest.skip(detail)
    return detail


# ------------------------------------------------------------------ notebook run time (nbval items)
class NotebookTimer:
    """Adds up the time nbval spends per notebook (its items are the notebook's cells) and prints it.

    Registered as a plugin, not as conftest hooks: a conftest's hooks only see items below its folder,
    and the notebooks live in notebooks/.
    """

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report):
        path = report.nodeid.split("::")[0]
        if path.endswith(".ipynb"):
            self.seconds[path] = self.seconds.get(path, 0.0) + report.duration

    def pytest_terminal_summary(self, terminalreporter):
        if not self.seconds:
            return
        terminalreporter.section("notebook run time (nbval)")
        for path, seconds in sorted(self.seconds.items()):
            terminalreporter.write_line(f"{path:55s} {seconds:6.1f} s")
        terminalreporter.write_line(f"{'all notebooks':55s} {sum(self.seconds.values()):6.1f} s "
                                    f"(target: 180 s on 2 cores)")


def pytest_configure(config):
    config.pluginmanager.register(NotebookTimer(), "coursekit-notebook-timer")


# Notebooks under tests/ are fixtures (for the grader and the browser suite), not lessons: nbval skips them.
collect_ignore_glob = ["**/*.ipynb"]


# Property tests: in CI the examples are derived from the test's name (derandomize), so a run is
# reproducible; locally hypothesis explores new examples each time.
try:
    import os

    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI") == "true":
        _hypothesis_settings.load_profile("ci")
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass
