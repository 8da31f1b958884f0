"""The tf.keras and PyTorch code the notebooks show beside coursekit's still runs.

Every ```python block in a notebook's markdown that uses ``tf.`` or ``torch.`` is extracted and executed
against the installed library, with a small prelude that supplies what the snippet takes from its
surroundings (``X``, ``y``, ``model``, ``loss_fn``, ...). A snippet that stops running (an API renamed or
removed, a wrong argument) fails its test, named after its notebook and cell. Optional: each framework's
tests are skipped when it is not installed (CI installs ``tensorflow-cpu`` and ``torch``; see ``.ci/run``).

Two kinds of blocks are not run as examples: the slide's own TensorFlow loop in notebook 05, shown *as the
slide wrote it* before the corrected version (it must keep failing the way the text says, with a
TypeError), and schematic blocks with a literal ``...`` line (03's ``Dense(n1), Dense(n2), ...``).
Each framework's snippets run in one subprocess (TensorFlow with ``KERAS_BACKEND=tensorflow``, since the
test session runs keras on torch), epochs cut to 2 so the whole file takes seconds, not minutes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SLIDE_AS_WRITTEN = "tf.random.normal()"           # notebook 05: the lecture's loop, which cannot run

PRELUDE = {
    "tensorflow": """
import numpy as np
import tensorflow as tf
rng = np.random.default_rng(0)
X = rng.normal(size=(64, 2)).astype("float32")
y = (X[:, :1] > 0).astype("float32")
X_scaled, lr, n = X, 0.1, 3
X_train, y_train, X_val, y_val = X[:48], y[:48], X[48:], y[48:]
model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid")])
model.build((None, 2))
loss_fn = tf.keras.losses.BinaryCrossentropy()
predicted = model(X)
def compute_loss(weights):
    return tf.reduce_sum((weights - 1.0) ** 2)
""",
    "torch": """
import torch
torch.manual_seed(0)
X = torch.randn(64, 2)
y = (X[:, :1] > 0).float()
lr = 0.1
model = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Sigmoid())
loss_fn = torch.nn.BCELoss()
predicted = model(X)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss = loss_fn(model(X), y)
def compute_loss(weights):
    return ((weights - 1.0) ** 2).sum()
""",
}
#: Notebook 10's snippets train on the digits: 64 features, 10 classes (integer labels).
DIGITS_PRELUDE = {
    "tensorflow": """
X_train = rng.normal(size=(100, 64)).astype("float32"); y_train = rng.integers(0, 10, 100)
X_test, y_test = X_train[:20], y_train[:20]
""",
    "torch": """
X_all = torch.randn(100, 64); y_all = torch.randint(0, 10, (100,))
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_all, y_all), batch_size=32, shuffle=True)
""",
}


def _framework_lines(code):
    """Split a block into its tf.keras lines and its PyTorch lines (some blocks show one line of each)."""
    uses_tf, uses_torch = "tf." in code, "torch." in code
    if uses_tf and uses_torch:
        tf_lines = [line for line in code.splitlines() if "torch." not in line]
        torch_lines = [line for line in code.splitlines() if "tf." not in line]
        return {"tensorflow": "\n".join(tf_lines), "torch": "\n".join(torch_lines)}
    if uses_tf:
        return {"tensorflow": code}
    return {"torch": code} if uses_torch else {}


def collect_snippets():
    """(id, framework, code) for every runnable tf.keras / PyTorch block, and the slide-as-written blocks."""
    runnable, slide = [], []
    for path in NOTEBOOKS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "markdown":
                continue
            for k, block in enumerate(re.findall(r"```python\n(.*?)```", cell.source, re.S)):
                for framework, code in _framework_lines(block).items():
                    ident = f"{path.stem[:2]}-cell{index}-{k}-{framework}"
                    if SLIDE_AS_WRITTEN in code:
                        slide.append((ident, framework, code))
                    elif not re.search(r"^\s*\.\.\.\s*$", code, re.M):
                        runnable.append((ident, framework, code))
    return runnable, slide


RUNNABLE, SLIDE = collect_snippets()

RUNNER = r"""
import json, re, sys, traceback
framework, snippets, prelude, digits = json.loads(sys.stdin.read())
results = {}
for ident, code in snippets:
    code = re.sub(r"epochs=\d+", "epochs=2", code)
    code = re.sub(r"range\((\d{2,})\)", "range(2)", code)
    namespace = {}
    try:
        exec(prelude, namespace)
        if ident.startswith("10-"):
            exec(digits, namespace)
        exec(compile(code, ident, "exec"), namespace)
        results[ident] = None
    except Exception as error:
        results[ident] = f"{type(error).__name__}: {error}"
print("RESULTS " + json.dumps(results))
"""


def _installed(framework):
    return importlib.util.find_spec(framework) is not None


def _run(framework, snippets):
    env = dict(os.environ, KERAS_BACKEND="tensorflow" if framework == "tensorflow" else "torch",
               TF_CPP_MIN_LOG_LEVEL="3")
    payload = json.dumps([framework, [(i, c) for i, _, c in snippets], PRELUDE[framework], DIGITS_PRELUDE[framework]])
    done = subprocess.run([sys.executable, "-c", RUNNER], input=payload, capture_output=True, text=True,
                          env=env, timeout=600, cwd=ROOT)
    line = [row for row in done.stdout.splitlines() if row.startswith("RESULTS ")]
    assert line, f"the snippet runner failed:\n{done.stderr[-3000:]}"
    return json.loads(line[-1][len("RESULTS "):])


@pytest.fixture(scope="module")
def outcomes():
    cache = {}

    def get(framework):
        if not _installed(framework):
            pytest.skip(f"{framework} is not installed (optional: CI installs it)")
        if framework not in cache:
            cache[framework] = _run(framework, [s for s in RUNNABLE + SLIDE if s[1] == framework])
        return cache[framework]
    return get


def test_the_notebooks_show_snippets_of_both_frameworks():
    frameworks = {framework for _, framework, _ in RUNNABLE}
    assert frameworks == {"tensorflow", "torch"} and len(RUNNABLE) >= 15, [i for i, _, _ in RUNNABLE]
    assert len(SLIDE) == 1, "notebook 05 shows the slide's loop as written, before the version that runs"


@pytest.mark.parametrize("ident, framework, code", RUNNABLE, ids=[i for i, _, _ in RUNNABLE])
def test_snippet_runs(outcomes, ident, framework, code):
    error = outcomes(framework)[ident]
    assert error is None, f"the {framework} snippet of notebook {ident[:2]} no longer runs: {error}\n---\n{code}"


def test_the_slides_loop_fails_as_the_notebook_says(outcomes):
    ident, framework, code = SLIDE[0]
    error = outcomes(framework)[ident]
    assert error is not None and error.startswith("TypeError"), error
