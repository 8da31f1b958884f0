"""What grading says: one result per case and per exercise, and how it looks.

A result displays as a compact HTML block in Jupyter and as plain text elsewhere. Everything shown is
deterministic (no timings, no object addresses), so nbval can compare it, and everything a student
wrote (labels from their errors, messages) is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

NOT_ATTEMPTED = "not attempted"
PASSED = "passed"
PARTIAL = "partial"
FAILED = "failed"
TIMEOUT = "timeout"
ERROR = "error"
MISSING = "missing"


@dataclass
class CaseResult:
    label: str
    passed: bool
    message: str = ""
    hint: str | None = None
    hidden: bool = False
    got: str = ""           # the student's output, rendered short (for a case that returned)
    expected: str = ""      # the reference output, rendered short (where the case compares to one)
    zeroes: bool = False    # this failure costs the whole exercise (delegated work, arguments changed in place)

    def to_dict(self) -> dict:
        return {"label": self.label, "passed": self.passed, "message": self.message, "hint": self.hint,
                "hidden": self.hidden, "got": self.got, "expected": self.expected}


@dataclass
class ExerciseResult:
    """The outcome of one exercise: ``points`` of ``max_points``, a ``status`` and one result per case.

    ``status`` is one of "passed", "partial", "failed", "timeout", "not attempted", "missing", "error".
    In Jupyter it displays as a small HTML block (with a text/plain fallback).
    """

    name: str
    points: float
    max_points: float
    status: str
    message: str = ""
    cases: list = field(default_factory=list)
    notebook: str = ""
    concept: str = ""       # the idea behind the exercise: the first hint, shown with any failure
    explain: str = ""       # why the answer is right: shown once it is

    @property
    def score(self) -> float:
        return self.points

    @property
    def max(self) -> float:
        return self.max_points

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def to_dict(self) -> dict:
        return {"name": self.name, "notebook": self.notebook, "points": self.points, "max_points": self.max_points,
                "status": self.status, "message": self.message, "concept": self.concept,
                "explain": self.explain, "cases": [c.to_dict() for c in self.cases]}

    def __str__(self) -> str:
        return as_text(self)

    def __repr__(self) -> str:
        return f"<ExerciseResult {self.name}: {_fmt_points(self.points)}/{_fmt_points(self.max_points)} {self.status}>"

    def _repr_html_(self) -> str:
        return as_html(self)

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))

    def _ipython_display_(self):
        # check() already displayed this result in the cell that called it; the cell's own display of
        # its last expression would show it a second time.
        if getattr(self, "_shown_in", None) is not None and self._shown_in == _execution_count():
            return
        _show(self)


def _fmt_points(x: float) -> str:
    return f"{x:g}"


def _execution_count():
    try:
        from IPython import get_ipython
        ip = get_ipython()
        return None if ip is None else ip.execution_count
    except Exception:
        return None


def _show(result: ExerciseResult) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
        if get_ipython() is not None:
            display({"text/plain": str(result), "text/html": result._repr_html_()}, raw=True)
            return
    except Exception:
        pass
    print(str(result))


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
    if result.concept and not result.passed:
        lines.append(f"  idea: {result.concept}")
    for case in result.cases:
        if case.passed:
            lines.append(f"  ✓ {case.label}")
        else:
            lines.append(f"  ✗ {case.label}: {case.message}")
            if case.hint:
                lines.append(f"      hint: {case.hint}")
    if result.explain and result.passed:
        lines.append(f"  why: {result.explain}")
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
    if result.concept and not result.passed:
        rows.append(f"<li><b>idea:</b> {escape(result.concept)}</li>")
    for case in result.cases:
        if case.passed:
            rows.append(f'<li><span style="color:{_COLORS["ok"]}">✓</span> {escape(case.label)}</li>')
        else:
            hint = (f'<br><span style="margin-left:1.2em"><b>hint:</b> {escape(case.hint)}</span>'
                    if case.hint else "")
            rows.append(f'<li><span style="color:{_COLORS["bad"]}">✗</span> {escape(case.label)}: '
                        f"{escape(case.message)}{hint}</li>")
    if result.explain and result.passed:
        rows.append(f"<li><b>why:</b> {escape(result.explain)}</li>")
    body = f'<ul style="list-style:none;margin:0.2em 0;padding-left:0.8em">{"".join(rows)}</ul>' if rows else ""
    return (f'<div class="coursekit-check" style="border-left:4px solid {color};padding:0.2em 0.6em">'
            f'<b style="color:{color}">{mark} {escape(head)}</b>{body}</div>')
