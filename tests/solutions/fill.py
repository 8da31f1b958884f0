"""Put reference solutions (or any code) into a notebook's exercise cells.

* :func:`solution_blocks` reads the nbgrader-style ``### BEGIN SOLUTION`` / ``### END SOLUTION`` blocks of
  :mod:`tests.solutions.reference`, one per exercise (keyed by the enclosing ``def`` name).
* :func:`fill_solutions` replaces, in every exercise cell, the stub lines from ``# YOUR CODE HERE`` to
  ``raise NotImplementedError`` by that block, indented like the stub.
* :func:`replace_cell` swaps a whole exercise cell for other code (a wrong answer, a hostile one).

An exercise cell is the code cell tagged ``exercise:NAME``, or else the code cell holding ``def NAME(``
and a ``raise NotImplementedError`` stub; ``digits_model`` is the cell with ``model = None`` and a
top-level ``# YOUR CODE HERE`` (no raise there: Run All must complete).
"""

from __future__ import annotations

import copy
import os
import re
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "reference.py")
_STUB_START = re.compile(r"^(\s*)# YOUR CODE HERE\s*$")
_STUB_END = re.compile(r"^\s*raise NotImplementedError\b.*$")
_ANSWER_LINE = re.compile(r"^(\s*)\w+\s*=\s*None\s*#\s*YOUR (?:ANSWER|CODE) HERE\b.*$")


def solution_blocks(path: str | None = None) -> dict[str, str]:
    """{exercise name: dedented solution code} from a module with BEGIN/END SOLUTION markers
    (default: ``reference.py`` and every ``reference_*.py`` beside it)."""
    if path is None:
        blocks = {}
        for name in sorted(os.listdir(HERE)):
            if name == "reference.py" or (name.startswith("reference_") and name.endswith(".py")):
                blocks.update(solution_blocks(os.path.join(HERE, name)))
        from .answers import question_blocks
        blocks.update(question_blocks())
        return blocks
    blocks, current, inside, lines = {}, None, False, []
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            match = re.match(r"^def (\w+)\(", line)
            if match and not inside:
                current = match.group(1)
            elif line.strip() == "### BEGIN SOLUTION":
                inside, lines = True, []
            elif line.strip() == "### END SOLUTION":
                inside = False
                blocks[current] = textwrap.dedent("\n".join(lines))
            elif inside:
                lines.append(line)
    return blocks


def exercise_cell_index(notebook, name: str, variable: str | None = None) -> int | None:
    """Index of the exercise cell of ``name`` in ``notebook`` (see the module docstring), or ``None``."""
    cells = notebook["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and f"exercise:{name}" in cell.get("metadata", {}).get("tags", []):
            return i
    for i, cell in enumerate(cells):
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] != "code" or "# YOUR CODE HERE" not in src:
            continue
        if re.search(rf"^def {re.escape(name)}\(", src, re.M) and "raise NotImplementedError" in src:
            return i
        if variable and re.search(rf"^{re.escape(variable)}\s*=\s*None", src, re.M) and re.search(r"^# YOUR CODE HERE", src, re.M):
            return i
    return None


def _source(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def fill_cell_source(source: str, block: str, variable: str | None = None) -> str:
    """Replace the stub of ``source`` by ``block``: the lines from ``# YOUR CODE HERE`` to the next
    ``raise NotImplementedError`` (a function stub), or the ``# YOUR CODE HERE`` line alone when no raise
    follows it (a top-level stub such as ``model = None``, which must not raise so that Run All completes).
    Without a ``# YOUR CODE HERE`` line of its own, the whole line ``variable = None ...`` is replaced (an
    answer cell such as ``picked_learning_rate = None  # YOUR CODE HERE``)."""
    lines = source.splitlines()
    for start, line in enumerate(lines):        # an answer line: NAME = None  # YOUR ANSWER HERE
        answer = _ANSWER_LINE.match(line)
        if answer:
            return "\n".join(lines[:start] + [answer.group(1) + b for b in block.splitlines()] + lines[start + 1:])
    for start, line in enumerate(lines):
        match = _STUB_START.match(line)
        if not match:
            continue
        end = next((k for k in range(start + 1, len(lines)) if _STUB_END.match(lines[k])), start)
        indent = match.group(1)
        new = [indent + b if b.strip() else b for b in block.splitlines()]
        return "\n".join(lines[:start] + new + lines[end + 1:])
    if variable:
        answer_line = re.compile(rf"^{re.escape(variable)}\s*=\s*None\b.*$")
        for index, line in enumerate(lines):
            if answer_line.match(line):
                return "\n".join(lines[:index] + block.splitlines() + lines[index + 1:])
    raise ValueError("no stub (# YOUR CODE HERE) in the cell:\n" + source)


def fill_solutions(notebook, blocks: dict[str, str] | None = None, names=None):
    """A copy of ``notebook`` with the solution blocks in every exercise cell found (or only ``names``)."""
    from coursekit.exercises import EXERCISES
    blocks = solution_blocks() if blocks is None else blocks
    notebook = copy.deepcopy(notebook)
    for name, exercise in EXERCISES.items():
        if names is not None and name not in names:
            continue
        index = exercise_cell_index(notebook, name, exercise.variable)
        if index is None or name not in blocks:
            continue
        cell = notebook["cells"][index]
        cell["source"] = fill_cell_source(_source(cell), blocks[name], exercise.var)
    return notebook


def replace_cell(notebook, name: str, source: str):
    """A copy of ``notebook`` whose exercise cell for ``name`` holds ``source`` instead."""
    from coursekit.exercises import EXERCISES
    notebook = copy.deepcopy(notebook)
    index = exercise_cell_index(notebook, name, EXERCISES[name].variable)
    if index is None:
        raise ValueError(f"no exercise cell for {name!r} in the notebook")
    notebook["cells"][index]["source"] = source
    return notebook


def exercise_names_in(notebook) -> list[str]:
    """The exercises whose cells are present in ``notebook``."""
    from coursekit.exercises import EXERCISES
    return [n for n, e in EXERCISES.items() if exercise_cell_index(notebook, n, e.variable) is not None]
