"""How a check result looks: a compact HTML block in Jupyter, plain text elsewhere.

Everything shown is deterministic (no timings, no object addresses), so nbval can compare it.
"""

from __future__ import annotations

from html import escape

from ._framework import NOT_ATTEMPTED, PASSED, ExerciseResult

_COLORS = {"ok": "#009E73", "bad": "#D55E00", "todo": "#666666"}   # Okabe-Ito green / vermillion


def _points(result: ExerciseResult) -> str:
    unit = "point" if result.max_points == 1 else "points"
    return f"{result.points:g}/{result.max_points:g} {unit}"


def _headline(result: ExerciseResult) -> tuple[str, str]:
    if result.status == PASSED:
        what = "the check passed" if len(result.cases) == 1 else f"all {len(result.cases)} checks passed"
        return "✓", f"{result.name}: {what} — {_points(result)}"
    if result.status == NOT_ATTEMPTED:
        return "…", f"{result.name}: not attempted yet — {_points(result)}"
    n_ok = sum(c.passed for c in result.cases)
    if result.cases:
        return "✗", f"{result.name}: {n_ok} of {len(result.cases)} checks passed — {_points(result)}"
    return "✗", f"{result.name}: {result.status} — {_points(result)}"


def _todo(result: ExerciseResult) -> str:
    """What to do next for an exercise not attempted yet (a function stub, or a variable still None)."""
    if "NotImplementedError" in (result.message or ""):
        return "Write your code in place of `raise NotImplementedError`, run that cell, then this one."
    detail = (result.message or "").removeprefix("not attempted yet: ")
    return f"{detail}: assign your answer to it in the exercise cell, run that cell, then this one."


def as_text(result: ExerciseResult) -> str:
    mark, head = _headline(result)
    lines = [f"{mark} {head}"]
    if result.status == NOT_ATTEMPTED:
        lines.append(f"  {_todo(result)}")
    elif not result.cases and result.message:
        lines.append(f"  {result.message}")
    for case in result.cases:
        if case.passed:
            lines.append(f"  ✓ {case.label}")
        else:
            lines.append(f"  ✗ {case.label}: {case.message}")
            if case.hint:
                lines.append(f"      hint: {case.hint}")
    return "\n".join(lines)


def as_html(result: ExerciseResult) -> str:
    mark, head = _headline(result)
    color = _COLORS["ok"] if result.status == PASSED else (
        _COLORS["todo"] if result.status == NOT_ATTEMPTED else _COLORS["bad"])
    rows = []
    if result.status == NOT_ATTEMPTED:
        rows.append(f"<li>{escape(_todo(result))}</li>")
    elif not result.cases and result.message:
        rows.append(f"<li>{escape(result.message)}</li>")
    for case in result.cases:
        if case.passed:
            rows.append(f'<li><span style="color:{_COLORS["ok"]}">✓</span> {escape(case.label)}</li>')
        else:
            hint = (f'<br><span style="margin-left:1.2em"><b>hint:</b> {escape(case.hint)}</span>'
                    if case.hint else "")
            rows.append(f'<li><span style="color:{_COLORS["bad"]}">✗</span> {escape(case.label)}: '
                        f"{escape(case.message)}{hint}</li>")
    body = f'<ul style="list-style:none;margin:0.2em 0;padding-left:0.8em">{"".join(rows)}</ul>' if rows else ""
    return (f'<div class="coursekit-check" style="border-left:4px solid {color};padding:0.2em 0.6em">'
            f'<b style="color:{color}">{mark} {escape(head)}</b>{body}</div>')
