"""Every command in README.md works as written, after the README's own set-up, in a fresh clone.

The README is read, not copied: every command it shows (```bash blocks, and inline `...` code that
starts like a command) must be listed below, either with how it is run here or with why it is not
(a system change such as ``sudo apt-get``, a GitHub URL with the OWNER placeholder). A command added to
the README without a line here fails the first test. Long-running commands get a cheap variant: the
JupyterLab ones are started, must serve, and are stopped by their PID (which must stop JupyterLab too);
the full test suite is collected and one file run; the benchmarks run with their smallest sizes.
"""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO_ROOT = Path(__file__).resolve().parents[1]
README = (REPO_ROOT / "README.md").read_text()

SETUP = [
    'python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/coursekit lab 01',
    'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest',
]
#: command -> how it runs here: "as written", "serve" (start, check it serves, stop by PID), or a variant
RUN = {
    SETUP[0]: "setup",
    SETUP[1]: "setup",
    ".venv/bin/coursekit lab 05": "serve",
    ".venv/bin/coursekit lab 05 --no-browser --port 8899": "serve",
    ".venv/bin/coursekit lab": "serve",
    ".venv/bin/coursekit doctor": "as written",
    ".venv/bin/jupyter labextension list": "as written",
    ".venv/bin/pip install torch==2.13.0 keras && KERAS_BACKEND=torch .venv/bin/python -m pytest "
    "tests/test_optimizers.py tests/test_callbacks.py":
        ".venv/bin/pip install --dry-run -q torch==2.13.0 keras && KERAS_BACKEND=torch .venv/bin/python -m pytest "
        "-q -p no:cacheprovider tests/test_optimizers.py tests/test_callbacks.py",
    ".venv/bin/coursekit grade notebooks/0[1-3]_*.ipynb --jobs 2 --json report.json": "as written",
    '.venv/bin/coursekit grade notebooks/04_loss.ipynb --notebook 04 --jobs 2 --json report.json --csv grades.csv '
    '--canvas-csv canvas.csv --assignment "Loss functions" --feedback feedback/': "as written",
    ".venv/bin/coursekit gradescope notebooks/04_loss.ipynb --out autograder": "as written",
    ".venv/bin/python tools/run_notebooks.py notebooks/05_*.ipynb": "as written",
    ".venv/bin/python -m ipykernel install --user --name coursekit --display-name \"Python (coursekit)\"": "as written",
    ".venv/bin/python -m benchmarks": ".venv/bin/python -m benchmarks --quick --no-save --only imports",
    ".venv/bin/python -m benchmarks.explorer_latency":
        ".venv/bin/python -m benchmarks.explorer_latency --quick --no-save",
    ".venv/bin/python benchmarks/class_scale.py": ".venv/bin/python benchmarks/class_scale.py --n 2 --jobs 1",
    "sed -i 's#OWNER/coursekit#you/coursekit#g' README.md notebooks/*.ipynb": "as written",
}
NOT_RUN = {
    "sudo apt-get install chromium": "installs a system package (CI's .ci/run installs Chromium itself)",
    "playwright install": "the README says not to run it",
    "sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0": "changes the host's kernel settings",
    'pip install nbgitpuller "coursekit @ git+https://github.com/OWNER/coursekit@main"':
        "a hub image's install from GitHub (OWNER is a placeholder; no GitHub here)",
    '%pip install "coursekit @ git+https://github.com/OWNER/coursekit"': "Colab's install cell (GitHub, OWNER)",
    "pip install -e .": "troubleshooting, in whatever environment runs the user's JupyterLab",
    "pip install ipywidgets ipympl": "troubleshooting, in whatever environment runs the user's JupyterLab",
    "pip install scikit-learn torch==2.13.0": "optional peers of the benchmarks (the reference install covers them)",
    ".venv/bin/python": "names the kit's interpreter in prose (to pick as a kernel), not a command line",
    "coursekit grade": "names the subcommand in prose; its command lines are above",
    "coursekit doctor": "names the subcommand in prose; its command line is above",
}
STARTS = (".venv/bin/", "python3 ", "pip ", "%pip ", "sudo ", "sed ", "playwright ", "jupyter ", "coursekit ")


def readme_commands() -> list[str]:
    """Every command the README shows: lines of ```bash blocks, and inline code that starts like a command."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        found += [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]
    prose = re.sub(r"```.*?```", "", README, flags=re.S)
    found += [code.strip() for code in re.findall(r"`([^`\n]+)`", prose) if code.startswith(STARTS)]
    return list(dict.fromkeys(found))


def test_every_readme_command_is_run_or_excused():
    missing = [c for c in readme_commands() if c not in RUN and c not in NOT_RUN]
    assert not missing, "README commands this test neither runs nor excuses:\n  " + "\n  ".join(missing)
    stale = [c for c in RUN if c not in readme_commands() and c not in SETUP]
    assert not stale, "listed here but no longer in the README:\n  " + "\n  ".join(stale)


def _shell(command, clone, env, timeout=900):
    done = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{command!r} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def _serves(command, clone, env):
    """Start a `coursekit lab` command, wait until JupyterLab answers, stop it by its PID, check it all stops."""
    process = subprocess.Popen(shlex.split(command), cwd=clone, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url, lines, deadline = None, [], time.monotonic() + 120
        while url is None and time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
            lines.append(line)
            match = re.search(r"(http://(?:localhost|127\.0\.0\.1):\d+)/", line)
            url = match.group(1) if match else None
        assert url, f"{command!r} never said where it serves:\n{''.join(lines)[-3000:]}"
        answer, deadline = None, time.monotonic() + 60
        while answer is None:
            try:
                with urllib.request.urlopen(f"{url}/api", timeout=10) as response:   # unauthenticated: the version
                    answer = response.read()
            except OSError as error:
                assert time.monotonic() < deadline, f"{url} did not answer ({error}):\n{''.join(lines)[-3000:]}"
                time.sleep(0.5)
        assert b"version" in answer
        process.send_signal(signal.SIGTERM)                                    # `kill PID` of coursekit lab
        process.wait(timeout=60)
        time.sleep(1)
        with pytest.raises(OSError):                                           # JupyterLab stopped with it
            urllib.request.urlopen(f"{url}/api", timeout=5)
        return "".join(lines)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A fresh clone of this repository's committed HEAD, after the README's two set-up commands."""
    where = tmp_path_factory.mktemp("readme") / "coursekit"
    subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(where)], check=True, timeout=300)
    home = where.parent / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(HOME=str(home), BROWSER="true", PATH=os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(REPO_ROOT))))
    first, lab = SETUP[0].rsplit(" && ", 1)
    _shell(first, where, env)
    log = _serves(lab, where, env)
    second, pytest_command = SETUP[1].rsplit(" && ", 1)
    _shell(second, where, env)
    _shell(f"{pytest_command} --collect-only -q -p no:cacheprovider", where, env)   # the whole suite collects
    _shell(f"{pytest_command} -q -p no:cacheprovider tests/test_activations.py", where, env)
    return where, env, log


ORDERED = [c for c in RUN if c not in SETUP]


@pytest.mark.parametrize("command", ORDERED, ids=range(len(ORDERED)))
def test_readme_command_works_in_a_fresh_clone(clone, command):
    where, env, _ = clone
    how = RUN[command]
    if how == "serve":
        _serves(command, where, env)
        return
    output = _shell(command if how == "as written" else how, where, env)
    if command == ".venv/bin/coursekit doctor":
        hint = re.search(r"everything is ready: (.+) lab$", output, re.M)
        assert hint, output
        _shell(f"{hint.group(1)} lab --dry-run", where, env)                  # the closing hint works as shown
    if command.startswith(".venv/bin/jupyter labextension"):
        assert re.search(r"jupyter-matplotlib .*enabled.*OK", output), output
        assert re.search(r"@jupyter-widgets/jupyterlab-manager .*enabled.*OK", output), output
    if command.startswith("sed "):
        assert "you/coursekit" in (where / "README.md").read_text()


def test_the_setup_opened_jupyterlab(clone):
    assert "running as root" in clone[2] or os.geteuid() != 0
