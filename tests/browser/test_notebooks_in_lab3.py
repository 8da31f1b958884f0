"""The browser pass again with Colab's widget stack: JupyterLab 3 + ipywidgets 7.8, in a second venv.

Colab itself cannot run here; this is the nearest stack that does. The same test as the JupyterLab 4
pass (imported, so the two never drift apart) runs on every course notebook, against a JupyterLab 3
started from ``.venv-widgets7`` (tests/widgets7_env.py): Run All clean, every control changes its
figure, nothing cut off at 1280 x 800 with the file browser open. Latencies go to latency.json under
"jupyterlab3-ipywidgets7", screenshots to test-results/browser/jupyterlab3-ipywidgets7/.
"""
from __future__ import annotations

import pytest

from under_load import FIXTURE
from test_notebooks_in_lab import COURSE_NOTEBOOKS, test_notebook_runs_and_explorers_respond  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(lab3):
    """This module's pages open on JupyterLab 3 (the conftest's ``page`` fixture asks for ``lab``)."""
    return lab3


def pytest_generate_tests(metafunc):
    """The course notebooks, and the trivial ipympl plot their latencies are compared with (the other
    fixtures test the suite itself, which the first pass does)."""
    if "nb_path" in metafunc.fixturenames:
        for mark in list(metafunc.definition.own_markers):
            if mark.name == "parametrize":
                metafunc.definition.own_markers.remove(mark)
        metafunc.parametrize("nb_path", [f"notebooks/{p.name}" for p in COURSE_NOTEBOOKS] + [FIXTURE])
