"""The course documents in docs/: linked from the README, computed ones up to date, the slide map true."""

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["cheat_sheet.md", "cheat_sheet.html", "slide_map.md", "time_estimates.md", "instructor_notes.md",
        "graded_items.md"]


@pytest.mark.parametrize("name", DOCS)
def test_each_document_exists_and_the_readme_links_it(name):
    assert (ROOT / "docs" / name).is_file()
    assert f"(docs/{name})" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_computed_documents_follow_the_notebooks():
    """The stored documents agree with what tools/course_docs.py computes now: the HTML exactly, every graded
    item listed, and each notebook's minutes within one 5-minute step (so a reworded paragraph elsewhere does
    not fail this; a new section or exercise does: run ``python tools/course_docs.py``)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import course_docs

    from coursekit import exercises

    docs = ROOT / "docs"
    assert (docs / "cheat_sheet.html").read_text(encoding="utf-8") == course_docs.render_cheat_sheet_html()
    graded = (docs / "graded_items.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in graded for name in exercises.names())
    stored = dict(re.findall(r"^\| (\d\d_\w+) \|.*\| (\d+) \|$", (docs / "time_estimates.md").read_text(encoding="utf-8"),
                             re.M))
    assert len(stored) == len(course_docs.NOTEBOOKS) == 10
    for path in course_docs.NOTEBOOKS:
        computed = course_docs.minutes(course_docs.notebook_facts(path))
        assert abs(int(stored[path.stem]) - computed) <= 5, (path.stem, stored[path.stem], computed)


def _headings(stem):
    path = next((ROOT / "notebooks").glob(f"{stem}_*.ipynb"))
    return {line.lstrip("#").strip() for cell in nbformat.read(path, as_version=4).cells
            if cell.cell_type == "markdown" for line in cell.source.splitlines() if re.match(r"#{2,3} ", line)}


def test_every_section_the_slide_map_names_exists():
    rows = re.findall(r"^\| (.+?) \| (\d\d) \| (.+?) \|$", (ROOT / "docs" / "slide_map.md").read_text(encoding="utf-8"),
                      re.M)
    assert len(rows) >= 30
    missing = [(notebook, section) for _, notebook, section in rows if section not in _headings(notebook)]
    assert not missing, f"sections named in docs/slide_map.md that the notebooks no longer have: {missing}"


def test_time_estimates_cover_all_ten_notebooks():
    text = (ROOT / "docs" / "time_estimates.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^\| \d\d_\w+ \|", text, re.M)) == 10


def test_the_printable_cheat_sheet_is_self_contained():
    html = (ROOT / "docs" / "cheat_sheet.html").read_text(encoding="utf-8")
    assert "<table>" in html and "@media print" in html
    assert "<script" not in html and "http" not in html.split("<body>")[0]     # prints offline
