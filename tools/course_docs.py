"""Write the course documents that are computed from the notebooks, not typed.

    python tools/course_docs.py          # rewrite docs/time_estimates.md, docs/graded_items.md, docs/cheat_sheet.html
    python tools/course_docs.py --check  # exit 1 if any of them is out of date (tests/test_course_docs.py)

* ``time_estimates.md``: per notebook, the words of text, explorers, code exercises and questions it holds,
  and a student time estimate from them (the rule is printed with the table).
* ``graded_items.md``: what each notebook's graded items probe, from the exercise registry (the
  ``concept`` the grader shows) with their points.
* ``cheat_sheet.html``: ``cheat_sheet.md`` as a printable, self-contained page (no scripts, no web fonts).
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

#: Minutes per unit: words read (technical text, with formulas, read carefully), an explorer tried as its
#: "Try this" asks, a code exercise written and checked, a question answered with the explorer.
WORDS_PER_MINUTE, EXPLORER, CODE_EXERCISE, QUESTION = 120, 5, 10, 3
EXPLORER_CALL = re.compile(r"^\w*(explorer|optimizer_race)\(|^playground$|^explorer$", re.M)


def notebook_facts(path):
    """Words of markdown, explorers shown, code exercises and questions of one notebook."""
    cells = nbformat.read(path, as_version=4).cells
    words = sum(len(re.findall(r"[A-Za-z]+", c.source)) for c in cells if c.cell_type == "markdown")
    code = [c.source for c in cells if c.cell_type == "code"]
    explorers = sum(1 for s in code if EXPLORER_CALL.search(s.strip().splitlines()[-1] if s.strip() else ""))
    exercises = sum("# YOUR CODE HERE" in s for s in code)
    questions = sum("# YOUR ANSWER HERE" in s for s in code)
    return {"words": words, "explorers": explorers, "exercises": exercises, "questions": questions}


def minutes(facts):
    """The estimate, rounded up to 5 minutes."""
    raw = (facts["words"] / WORDS_PER_MINUTE + EXPLORER * facts["explorers"] + CODE_EXERCISE * facts["exercises"]
           + QUESTION * facts["questions"])
    return 5 * math.ceil(raw / 5)


def render_time_estimates():
    rows, total = [], 0
    for path in NOTEBOOKS:
        f = notebook_facts(path)
        m = minutes(f)
        total += m
        rows.append(f"| {path.stem} | {f['words']} | {f['explorers']} | {f['exercises']} | {f['questions']} | {m} |")
    return "\n".join([
        "# Time per notebook",
        "",
        "Estimated student time, computed from each notebook by `tools/course_docs.py` (do not edit by hand):",
        f"words of text at {WORDS_PER_MINUTE} words a minute, plus {EXPLORER} minutes per explorer, "
        f"{CODE_EXERCISE} per code exercise and {QUESTION} per question, rounded up to 5 minutes. "
        "Running a notebook takes seconds; the time is reading, trying and writing. Students new to Python "
        "need more for the code exercises; in class, one notebook fits a 50-75 minute session.",
        "",
        "| notebook | words | explorers | code exercises | questions | minutes |",
        "|---|---|---|---|---|---|",
        *rows,
        f"| **all ten** | | | | | **{total}** (about {total / 60:.0f} hours) |",
        "",
    ])


def render_graded_items():
    from coursekit import exercises

    lines = ["# What the graded items probe", "",
             "Each notebook's graded items, their points, and the idea each one tests (the `concept` the grader "
             "shows with a failed case). Generated from the exercise registry by `tools/course_docs.py`.", ""]
    by_notebook = {}
    for name in exercises.names():
        item = exercises.get(name)
        by_notebook.setdefault(item.notebook, []).append(item)
    for notebook in sorted(by_notebook):
        items = by_notebook[notebook]
        lines += [f"## {notebook} ({sum(i.points for i in items):g} points)", ""]
        lines += [f"* `{i.name}` ({i.points:g}): {i.concept}" for i in items]
        lines.append("")
    return "\n".join(lines)


HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Neural Network Basics — cheat sheet</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; font-size: 7.8pt; margin: 1cm; line-height: 1.2; }}
h1 {{ font-size: 13pt; margin: 0 0 3pt; }} h2 {{ font-size: 10pt; margin: 6pt 0 2pt; }}
table {{ border-collapse: collapse; width: 100%; margin: 2pt 0; }}
th, td {{ border: 1px solid #999; padding: 1pt 3pt; text-align: left; vertical-align: top; }}
th {{ background: #eee; }} code {{ font-size: 7.5pt; }} p {{ margin: 3pt 0; }}
@media print {{ @page {{ margin: 0.8cm; }} body {{ margin: 0; }} a {{ color: black; text-decoration: none; }} }}
</style></head><body>
{body}
</body></html>
"""


def render_cheat_sheet_html():
    import mistune

    text = (DOCS / "cheat_sheet.md").read_text(encoding="utf-8")
    return HTML_PAGE.format(body=mistune.create_markdown(plugins=["table"])(text))


OUTPUTS = {"time_estimates.md": render_time_estimates, "graded_items.md": render_graded_items,
           "cheat_sheet.html": render_cheat_sheet_html}


def main(argv):
    stale = []
    for name, render in OUTPUTS.items():
        path, text = DOCS / name, render()
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote docs/{name}")
    if stale:
        print("out of date (run python tools/course_docs.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
