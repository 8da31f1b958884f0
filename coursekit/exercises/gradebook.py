"""Gradebook export of a grading run: a plain CSV (one row per submission) and Canvas' import format.

Both read the report as ``coursekit grade --json`` writes it (``report_json``), so a saved report can be
exported again later. Columns come in a stable order: the kit's exercise order (notebook, then position
in it), whatever order the submissions were graded in.
"""

from __future__ import annotations

import csv
import os
import re

#: The default ``--student-pattern``: the file name up to its first ``_`` or ``.`` (``alice_04.ipynb`` ->
#: ``alice``). A pattern with a named group ``id`` takes that group, else the whole match.
DEFAULT_STUDENT_PATTERN = r"^[^_.]+"


def item_names(submissions: list, order: list | None = None) -> list[str]:
    """Every graded item of the run, in the registry's ``order`` (then first appearance)."""
    seen = []
    for submission in submissions:
        for exercise in submission.get("exercises", []):
            if exercise["name"] not in seen:
                seen.append(exercise["name"])
    rank = {name: i for i, name in enumerate(order or [])}
    return sorted(seen, key=lambda name: (rank.get(name, len(rank)), seen.index(name)))


def _text(value: str) -> str:
    """A text cell that a spreadsheet will not run: a leading ``= + - @`` (or tab, CR) makes Excel,
    LibreOffice and Sheets read a formula (OWASP's "CSV injection"), so it gets a ``'`` in front.
    File names, and so logins read from them, are the students' to choose."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _number(value: float) -> str:
    return f"{float(value):g}"


def _max_points(submission: dict, submissions: list) -> float | None:
    """A submission's maximum; for one that could not be read, the maximum of its assignment's others."""
    if submission.get("status") == "graded":
        return submission["max_points"]
    same = [s["max_points"] for s in submissions if s.get("status") == "graded"
            and s.get("graded_as") == submission.get("graded_as")]
    return max(same) if same else None


def plain_rows(submissions: list, order: list | None = None) -> list[list[str]]:
    """Header and rows: ``submission``, one column per item, ``total``, ``max``."""
    names = item_names(submissions, order)
    rows = [["submission", *names, "total", "max"]]
    for submission in submissions:
        points = {e["name"]: _number(e["points"]) for e in submission.get("exercises", [])}
        maximum = _max_points(submission, submissions)
        rows.append([_text(os.path.basename(submission["path"])), *[points.get(n, "") for n in names],
                     _number(submission.get("points", 0)), "" if maximum is None else _number(maximum)])
    return rows


def student_id(path: str, pattern: str = DEFAULT_STUDENT_PATTERN) -> str | None:
    """The student identifier in a submission's file name, or ``None`` when the pattern does not match."""
    match = re.search(pattern, os.path.basename(path))
    if match is None:
        return None
    return match.group("id") if "id" in match.re.groupindex else match.group(0)


def canvas_rows(submissions: list, assignment: str, pattern: str = DEFAULT_STUDENT_PATTERN):
    """Rows for Canvas' gradebook import, and the files whose name the pattern did not match.

    Canvas matches students by its ``SIS Login ID`` column (or ``ID`` / ``SIS User ID``); the
    identifier from the file name goes there. The ``Points Possible`` row is the one Canvas' own export
    has below the header.
    """
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", _text(assignment)]]
    maxima = [m for m in (_max_points(s, submissions) for s in submissions) if m is not None]
    rows.append(["Points Possible", "", "", "", "", _number(max(maxima)) if maxima else ""])
    unmatched = []
    for submission in submissions:
        login = student_id(submission["path"], pattern)
        if login is None:
            unmatched.append(submission["path"])
            continue
        rows.append([_text(login), "", "", _text(login), "", _number(submission.get("points", 0))])
    return rows, unmatched


def write_csv(path: str, rows: list[list[str]]) -> None:
    """UTF-8 (with the byte-order mark spreadsheet programs look for), RFC 4180 quoting."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)


def check_pattern(pattern: str) -> str | None:
    """A problem with a ``--student-pattern``, said so that it can be fixed, or ``None``."""
    try:
        re.compile(pattern)
    except re.error as error:
        return (f"--student-pattern {pattern!r} is not a regular expression ({error}); e.g. "
                f"'^(?P<id>[^_]+)_' takes the part before the first '_'")
    return None
