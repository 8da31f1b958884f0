"""One feedback page per graded submission: self-contained HTML a student can read anywhere.

``coursekit grade ... --feedback DIR`` writes ``DIR/<submission>.html`` (``alice_04.ipynb`` ->
``alice_04.html``) from the report as ``--json`` writes it. A page has no external assets (it works
offline and as an e-mail attachment), fits a phone's width, marks passed and failed with a symbol and
a word as well as a colour (blue and orange, safe for colour-blind readers), and shows for each case
what the student's function gave beside what was expected, with the hint. Hidden cases (the
instructor's ``--tests``) show only whether they passed: no label, inputs, outputs or message.
"""

from __future__ import annotations

import html
import os

from ._report import printable, write_text_atomically

_CSS = """
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:46rem;
padding:1rem;color:#1a1a1a;background:#fff}
h1{font-size:1.35rem;margin:.2rem 0}h2{font-size:1.1rem;margin:0}
.total{font-size:1.15rem;margin:.4rem 0 1rem}
section{border:1px solid #ccc;border-radius:6px;padding:.7rem .9rem;margin:.8rem 0}
.head{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.3rem}
.ok{color:#0b5394}.bad{color:#b45f06}
ul{padding-left:1.1rem;margin:.5rem 0}li{margin:.35rem 0}
code,pre{font:14px/1.35 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.pair{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .6rem;margin:.25rem 0}
.hint{background:#f3f6fa;border-left:3px solid #0b5394;padding:.3rem .6rem;margin:.3rem 0}
.small{color:#555;font-size:.9rem}
"""


def _e(text) -> str:
    return html.escape(printable(text))


def _mark(passed: bool) -> str:
    return '<span class="ok">✓ passed</span>' if passed else '<span class="bad">✗ failed</span>'


def _case(case: dict, number: int) -> str:
    if case.get("hidden"):
        return f"<li>hidden test {number}: {_mark(case['passed'])}</li>"
    parts = [f"<li>{_mark(case['passed'])} — {_e(case['label'])}"]
    if not case["passed"]:
        if case.get("got") or case.get("expected"):
            parts.append('<div class="pair">'
                         + (f"<span>your output</span><code>{_e(case.get('got', ''))}</code>" if case.get("got") else "")
                         + (f"<span>expected</span><code>{_e(case['expected'])}</code>" if case.get("expected") else "")
                         + "</div>")
        parts.append(f"<div><code>{_e(case.get('message', ''))}</code></div>")
        if case.get("hint"):
            parts.append(f'<div class="hint">Hint: {_e(case["hint"])}</div>')
    return "".join(parts) + "</li>"


def _summary(exercise: dict) -> str:
    """"k of n cases passed", or the exercise's message when no case ran (missing, not attempted...)."""
    cases = exercise.get("cases") or []
    if not cases:
        return _e(exercise.get("message", ""))
    passed = sum(1 for c in cases if c["passed"])
    return f"{passed} of {len(cases)} cases passed"


def _exercise(exercise: dict) -> str:
    cases = exercise.get("cases") or []
    hidden = iter(range(1, len(cases) + 1))             # hidden tests are numbered among themselves
    body = "".join(_case(c, next(hidden) if c.get("hidden") else 0) for c in cases)
    return (f'<section><div class="head"><h2>{_e(exercise["name"])}</h2>'
            f'<b>{exercise["points"]:g} / {exercise["max_points"]:g}</b></div>'
            f'<div class="small">{_e(exercise["status"])}: {_summary(exercise)}</div>'
            + (f"<ul>{body}</ul>" if body else "") + "</section>")


def page(submission: dict) -> str:
    """The feedback page of one submission (a dict of the JSON report)."""
    name = os.path.basename(submission["path"])
    notebook = submission.get("graded_as")
    title = f"Feedback on {name}" + (f" — notebook {notebook}" if notebook else "")
    if submission.get("status") != "graded":
        body = f"<p>This submission could not be graded: {_e(submission.get('error') or 'unknown error')}</p>"
    else:
        body = (f'<p class="total">Score: <b>{submission["points"]:g} / {submission["max_points"]:g}</b></p>'
                + "".join(_exercise(e) for e in submission.get("exercises", [])))
        problems = submission.get("cell_problems") or []
        if problems:
            body += ("<section><h2>Cells that did not run cleanly</h2><ul>"
                     + "".join(f"<li>cell {p['cell']}: {_e(p['status'])} — <code>{_e(p['message'])}</code></li>"
                               for p in problems) + "</ul></section>")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(printable(title))}</title><style>{_CSS}</style></head>"
            f"<body><h1>{html.escape(printable(title))}</h1>{body}"
            f'<p class="small">Graded by coursekit.</p></body></html>\n')


def page_names(submissions: list) -> list[str]:
    """``alice_04.ipynb`` -> ``alice_04.html``; equal names (from different folders) get ``-2``, ``-3``..."""
    names, used = [], set()
    for submission in submissions:
        stem = os.path.splitext(os.path.basename(submission["path"]))[0] or "submission"
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in printable(stem))[:120]
        name, k = f"{stem}.html", 2
        while name.lower() in used:
            name, k = f"{stem}-{k}.html", k + 1
        used.add(name.lower())
        names.append(name)
    return names


def write_pages(folder: str, submissions: list) -> list[str]:
    """Write every submission's page into ``folder`` (created); the paths written."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for submission, name in zip(submissions, page_names(submissions)):
        path = os.path.join(folder, name)
        write_text_atomically(path, page(submission))
        paths.append(path)
    return paths
