"""Questions beside the explorers: right answers pass, slips get their hints, every notebook has some.

The right answers are found as a student could (the kit's own numbers, or trying options in
``check``): no answer key is written here (see tests/solutions/answers.py).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from solutions.answers import NAMES, options, right_answer  # noqa: E402

from coursekit.exercises import EXERCISES, check  # noqa: E402
from coursekit.exercises import questions as Q  # noqa: E402

NOTEBOOKS = sorted((HERE.parent / "notebooks").glob("0[1-9]_*.ipynb"))
QUESTIONS = [EXERCISES[n] for n in NAMES]


def _tags(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [t.split(":", 1)[1] for c in cells for t in c.get("metadata", {}).get("tags", []) if t.startswith("exercise:")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_has_three_graded_items_and_a_question(path):
    number = path.name[:2]
    items = [e.name for e in EXERCISES.values() if e.notebook == number]
    assert len(items) >= 3, items
    assert any(n in NAMES for n in items)
    assert set(items) <= set(_tags(path)), "every graded item of the notebook has its tagged cell"


def test_each_question_is_one_row_of_its_own():
    counts = Counter(n for p in NOTEBOOKS for n in _tags(p))
    assert all(counts[n] == 1 for n in NAMES), counts


@pytest.mark.parametrize("name", NAMES)
def test_right_answer_passes_and_explains(name):
    result = check(name, right_answer(EXERCISES[name]), show=False)
    assert result.passed and result.points == EXERCISES[name].points
    assert result.explain and "why:" in str(result)


@pytest.mark.parametrize("name", NAMES)
def test_unanswered_and_malformed_answers(name):
    assert check(name, None, show=False).status == "not attempted"
    for junk in ("no idea", [1, 2], {"a": 1}, float("nan")):
        result = check(name, junk, show=False)
        assert result.points == 0 and result.status == "failed", (junk, result)
    words = check(name, "no idea", show=False).cases[0].message
    assert ("letter of one option" if options(EXERCISES[name]) else "one number") in words


@pytest.mark.parametrize("name", NAMES)
def test_wrong_answers_show_the_concept_first_then_the_slip(name):
    question = EXERCISES[name]
    right = right_answer(question)
    for mistake in question.mistakes:
        wrong = _value_of(mistake, question, right)
        result = check(name, wrong, show=False)
        assert result.points == 0 and result.cases[0].hint == mistake.hint, (wrong, str(result))
        text = str(result)
        assert text.index("idea:") < text.index("hint:")
        assert "why:" not in text               # the explanation waits for the right answer


def _value_of(mistake, question, right):
    """The wrong answer a mistake detects: an option letter, or a number among the slips'."""
    letters = options(question)
    if letters:
        return next(x for x in letters if mistake.detect(x, question.cases()[0]))
    candidates = [right * k for k in (100, 0.01)] + [float(v) for v in re.findall(r"-?\d+\.?\d*", mistake.hint)]
    candidates += _slip_values(question)
    return next(v for v in candidates if mistake.detect(v, question.cases()[0]))


def _slip_values(question):
    """The wrong numbers listed as slips in questions.py (found by evaluating the closures' cells)."""
    values = []
    for m in question.mistakes:
        for cell in m.detect.__closure__ or ():
            value = cell.cell_contents
            if isinstance(value, (int, float, np.floating)) and not isinstance(value, bool):
                values.append(float(value))
            elif callable(value) and getattr(value, "__name__", "") == "<lambda>":
                values.append(float(value(float(question.cases()[0].expected))))
    return values


@pytest.mark.parametrize("name", [n for n in NAMES if options(EXERCISES[n])])
def test_exactly_one_option_is_right_and_each_wrong_one_says_why(name):
    question = EXERCISES[name]
    results = {x: check(name, x, show=False) for x in options(question)}
    assert sum(r.passed for r in results.values()) == 1
    for letter, result in results.items():
        if not result.passed:
            assert result.cases[0].hint, f"option ({letter}) has no why-not"
    right = next(x for x, r in results.items() if r.passed)
    assert check(name, f" ({right.upper()}) ", show=False).passed     # letters are forgiving


def test_answer_keys_are_not_in_clear_text():
    """Choices keep only a digest of the right letter; numbers are computed by the kit when grading."""
    source = Path(Q.__file__).read_text(encoding="utf-8")
    for name in NAMES:
        question = EXERCISES[name]
        if options(question):
            assert f'right="{right_answer(question)}"' not in source
        elif not float(right_answer(question)).is_integer():
            answer = right_answer(question)
            assert f"{answer:.3f}" not in source and f"{answer:.4g}" not in source, name
    assert Q.digest("linear_depth", "b") != Q.digest("linear_depth", "a")


def test_number_answers_follow_the_kit():
    """Derived at grading time: what the explorers and cells of the notebooks compute."""
    from coursekit import Dense, Sequential
    from coursekit.datasets import iterations_per_epoch
    model = Sequential([Dense(5), Dense(3), Dense(1)])
    model.build(4)
    assert right_answer(EXERCISES["parameter_count"]) == model.count_params() == 47
    assert right_answer(EXERCISES["iterations_1500_64"]) == iterations_per_epoch(1500, 64)
    assert right_answer(EXERCISES["coin_flip_loss"]) == pytest.approx(np.log(2))
    assert right_answer(EXERCISES["kept_activation"]) == pytest.approx(2 / 0.75)
    assert right_answer(EXERCISES["crossing_x1"]) == pytest.approx(1.0)


def test_readme_table_lists_every_graded_item():
    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0].strip("| "): line for line in readme.splitlines() if re.match(r"^\| \d\d \| \[", line)}
    for exercise in EXERCISES.values():
        assert f"`{exercise.name}`" in rows[exercise.notebook].split(" | ")[-1], exercise.name
