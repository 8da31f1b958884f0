"""The right answers of the questions, found at test time: nothing here spells out an answer key.

A number question's answer is what the kit computes when grading (the case's ``expected``); a choice
question's is the one option that ``check`` accepts (tried one by one, as a student could).
"""

from __future__ import annotations

from coursekit.exercises import check
from coursekit.exercises.questions import EXERCISES as QUESTIONS

NAMES = [q.name for q in QUESTIONS]


def options(question) -> list[str]:
    """The option letters of a choice question (``[]`` for a number question)."""
    return list(question.options or {})


def right_answer(question):
    """The right answer: a float for a number question, the letter for a choice question."""
    letters = options(question)
    if not letters:
        return float(question.cases()[0].expected)
    right = [x for x in letters if check(question.name, x, show=False).passed]
    assert len(right) == 1, f"{question.name}: {len(right)} options are accepted ({right})"
    return right[0]


def question_blocks() -> dict[str, str]:
    """{question: the code of a right answer cell}, for :func:`solutions.fill.fill_solutions`."""
    return {q.name: f"{q.name} = {right_answer(q)!r}" for q in QUESTIONS}
