"""What a grading run reports: one :class:`SubmissionReport` per file, the score table for the terminal
(ANSI escapes and control characters stripped from everything a student controls) and the JSON report,
written atomically (a temporary file and a rename) so a run stopped half way leaves what it finished.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass, field

import coursekit


@dataclass
class CellProblem:
    index: int          # position of the cell in the notebook (0-based, counting all cells)
    status: str         # "error" or "timeout"
    message: str

    def to_dict(self):
        return {"cell": self.index, "status": self.status, "message": self.message}


@dataclass
class SubmissionReport:
    path: str
    sha256: str | None = None
    status: str = "graded"          # "graded" or "error"
    error: str | None = None
    notebook: str | None = None     # which assignment it was graded as ("04"), None for all exercises
    exercises: list = field(default_factory=list)     # ExerciseResult, with .notebook added
    cells: list = field(default_factory=list)         # CellProblem
    restarts: int = 0
    sandboxed: bool = True

    @property
    def points(self) -> float:
        return float(sum(e.points for e in self.exercises))

    @property
    def max_points(self) -> float:
        return float(sum(e.max_points for e in self.exercises))

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "status": self.status, "error": self.error,
                "graded_as": self.notebook, "points": self.points, "max_points": self.max_points,
                "exercises": [e.to_dict() for e in self.exercises],
                "cell_problems": [c.to_dict() for c in self.cells], "kernel_restarts": self.restarts,
                "sandboxed": self.sandboxed}


_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text) -> str:
    """``text`` with ANSI escapes and control characters removed and whitespace collapsed: safe for a terminal."""
    text = _CONTROL.sub(" ", _ANSI.sub("", str(text)))
    return " ".join(text.split())


def _cut(text: str, width: int) -> str:
    text = printable(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _message(e) -> str:
    """An exercise's table message: "k of n cases passed; <what went wrong>"."""
    cases = e.cases or []
    if not cases or e.passed:
        return e.message
    return f"{sum(c.passed for c in cases)} of {len(cases)} cases passed; {e.message}"


def format_table(reports, width: int | None = None) -> str:
    """The score table: one row per submission and exercise and a total per submission; whole
    messages, wrapped to ``width`` (default: the terminal's)."""
    import shutil
    import textwrap
    rows = [("submission", "exercise", "points", "status", "message")]
    for report in reports:
        name = _cut(os.path.basename(report.path), 60)
        if report.status != "graded":
            rows.append((name, "-", "-", "error", printable(report.error or "")))
            continue
        for e in report.exercises:
            rows.append((name, e.name, f"{e.points:g}/{e.max_points:g}", e.status, printable(_message(e))))
        notes = [] if report.notebook is None else [f"graded as notebook {report.notebook}"]
        if report.cells:
            notes.append("cells with problems: " + ", ".join(f"{c.index} ({c.status})" for c in report.cells[:6]))
        rows.append((name, "TOTAL", f"{report.points:g}/{report.max_points:g}", "", printable("; ".join(notes))))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    indent = sum(widths) + 2 * 4
    room = max(40, (width or shutil.get_terminal_size((120, 24)).columns) - indent - 1)
    lines = []
    for k, row in enumerate(rows):
        wrapped = textwrap.wrap(row[4], room, break_long_words=True, break_on_hyphens=False) or [""]
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:4], widths)) + "  " + wrapped[0])
        lines += [" " * indent + more for more in wrapped[1:]]
        if k == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 7)
    graded = [r for r in reports if r.status == "graded"]
    lines.append("")
    lines.append(f"{len(graded)} of {len(reports)} submission(s) graded"
                 + (f"; {len(reports) - len(graded)} could not be read" if len(graded) < len(reports) else ""))
    as_numbers = {r.notebook for r in graded}
    if len(as_numbers) > 1:
        lines.append("note: these submissions were graded as different notebooks ("
                     + ", ".join(sorted(str(n) if n else "all exercises" for n in as_numbers))
                     + "); pass --notebook NN to grade them all as one assignment")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def report_json(reports, options: dict | None = None, complete: bool = True) -> dict:
    return {"coursekit_version": coursekit.__version__, "complete": complete, "options": options or {},
            "submissions": [r.to_dict() for r in reports]}


def write_json_atomically(path: str, data: dict) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: readers see the old or the new file."""
    write_text_atomically(path, json.dumps(data, indent=2, ensure_ascii=False))


def write_text_atomically(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
