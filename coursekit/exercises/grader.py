"""``coursekit grade``: score submitted notebooks, each in a fresh kernel.

For each submission:

1. The file is read once (and hashed); it is never written. Invalid JSON or a file that is not a
   notebook is reported as an error for that submission; the others are still graded.
2. A fresh kernel (nbclient) starts in an empty temporary directory and runs every code cell of the
   submission, each with a time limit (cells that only call ``check("name", obj)`` are skipped: the
   grader runs the same tests itself). A cell that raises or times out does not stop the rest. If a
   timed-out cell cannot be interrupted (it swallows ``KeyboardInterrupt``), the kernel is restarted
   and the cells that finished are run again, without the stuck one.
3. Then, per exercise, one grading cell loads :mod:`coursekit.exercises` fresh from disk under a
   private random module name, calls the student's function on each case with a time limit
   (in-kernel timer, plus the cell timeout as a backstop) and prints the encoded outputs tagged with a
   random nonce drawn for that cell (:mod:`coursekit.exercises._kernel`).
4. The grader parses only that tagged line and judges the outputs *in its own process* against the
   reference it computes itself. Printed "passed" lines, a redefined ``check`` or a monkeypatched
   ``coursekit.exercises`` in the kernel therefore cannot award points. (A student who computes the
   right outputs some other way, e.g. by calling coursekit's own implementation, is not detected.)

Submissions are graded concurrently in up to ``jobs`` kernels.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import coursekit
from . import load_tests
from ._framework import DEFAULT_TIME_LIMIT, ERROR, TIMEOUT, ExerciseResult, judge

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CELL_TIMEOUT = 120.0
_PROBE_TIMEOUT = 2
_CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([A-Za-z_]\w*)["']""")
_CHECK_ONLY_LINE = re.compile(r"""^\s*(?:[A-Za-z_]\w*\s*=\s*)?check\(\s*["'][A-Za-z_]\w*["']\s*,\s*[A-Za-z_]\w*\s*\)\s*;?\s*(?:#.*)?$""")


def is_check_cell(source: str) -> bool:
    """A cell that only calls ``check("name", obj)``: the grader skips it (it runs the same tests itself)."""
    lines = [l for l in str(source).splitlines() if l.strip() and not l.strip().startswith("#")]
    return bool(lines) and all(_CHECK_ONLY_LINE.match(l) for l in lines)


class GradingError(Exception):
    """The submission could not be graded at all (unreadable, not a notebook, no kernel)."""


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
    exercises: list = field(default_factory=list)     # ExerciseResult, with .notebook added
    cells: list = field(default_factory=list)         # CellProblem
    restarts: int = 0

    @property
    def points(self) -> float:
        return float(sum(e.points for e in self.exercises))

    @property
    def max_points(self) -> float:
        return float(sum(e.max_points for e in self.exercises))

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "status": self.status, "error": self.error,
                "points": self.points, "max_points": self.max_points,
                "exercises": [e.to_dict() for e in self.exercises],
                "cell_problems": [c.to_dict() for c in self.cells], "kernel_restarts": self.restarts}


@dataclass
class Options:
    time_limit: float = DEFAULT_TIME_LIMIT       # per exercise
    cell_timeout: float = DEFAULT_CELL_TIMEOUT   # per student cell
    tests_dir: str | None = None
    exercises: list | None = None                # force this list of exercises
    jobs: int = 1
    kernel_name: str = "python3"
    startup_timeout: float = 60.0


# ------------------------------------------------------------------------------------------------
# Reading a submission
# ------------------------------------------------------------------------------------------------
def read_submission(path: str):
    """Read and parse a notebook file; return ``(notebook, sha256)``. Raises :class:`GradingError`."""
    import nbformat
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        raise GradingError(f"cannot read the file: {error.strerror or error}") from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GradingError("not a Jupyter notebook: the file is not UTF-8 text") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise GradingError(f"not a Jupyter notebook: invalid JSON at line {error.lineno}, column {error.colno} "
                           f"({error.msg}); was the file saved completely?") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", raw.get("worksheets")), list):
        raise GradingError("not a Jupyter notebook: valid JSON, but without a 'cells' list "
                           "(submit the .ipynb file)")
    try:
        import logging
        logging.getLogger("traitlets").setLevel(logging.ERROR)
        notebook = nbformat.reads(text, as_version=4)
    except Exception as error:
        raise GradingError(f"not a readable Jupyter notebook: {type(error).__name__}: {error}") from None
    return notebook, digest


def expected_exercises(notebook, registry: dict) -> list[str]:
    """The exercises a notebook contains: its metadata, ``exercise:NAME`` cell tags and ``check("NAME"`` calls.

    A notebook that names none is graded on every exercise.
    """
    found = []
    meta = notebook.get("metadata", {}).get("coursekit", {})
    listed = meta.get("exercises") if isinstance(meta, dict) else None
    if isinstance(listed, list):
        found += [n for n in listed if isinstance(n, str)]
    for cell in notebook.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if isinstance(tags, list):
            found += [t.split(":", 1)[1] for t in tags if isinstance(t, str) and t.startswith("exercise:")]
        if cell.get("cell_type") == "code" and isinstance(cell.get("source"), str):
            found += _CHECK_CALL.findall(cell["source"])
    wanted = set(found)
    names = [name for name in registry if name in wanted]
    return names or list(registry)


# ------------------------------------------------------------------------------------------------
# The kernel
# ------------------------------------------------------------------------------------------------
class _Kernel:
    """One kernel driven through nbclient, with cell timeouts, a liveness probe and restarts."""

    TIMEOUT_ENAME = "CoursekitCellTimeout"

    def __init__(self, cwd: str, options: Options):
        self.cwd = cwd
        self.options = options
        self.client = None
        self.module_token = secrets.token_hex(8)

    async def start(self):
        import nbformat
        from nbclient import NotebookClient
        self.client = NotebookClient(
            nbformat.v4.new_notebook(), kernel_name=self.options.kernel_name, allow_errors=True,
            interrupt_on_timeout=True, iopub_timeout=1, record_timing=False,
            startup_timeout=int(self.options.startup_timeout),
            error_on_timeout={"ename": self.TIMEOUT_ENAME, "evalue": "cell timed out", "traceback": []},
            resources={"metadata": {"path": self.cwd}}, shutdown_kernel="immediate")
        self.client.km = self.client.create_kernel_manager()
        env = dict(os.environ)
        env.setdefault("MPLBACKEND", "agg")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        # the kernel's own stderr/stdout (e.g. its transport warnings) stay out of the grader's table
        await self.client.async_start_new_kernel(cwd=self.cwd, env=env, stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL)
        await self.client.async_start_new_kernel_client()
        self.module_token = secrets.token_hex(8)

    async def stop(self):
        client, self.client = self.client, None
        if client is None:
            return
        try:
            if client.kc is not None:
                client.kc.stop_channels()
        except Exception:
            pass
        try:
            if client.km is not None:
                await _maybe_await(client.km.shutdown_kernel(now=True))
        except Exception:
            pass
        try:
            if client.km is not None:
                await _maybe_await(client.km.cleanup_resources())
        except Exception:
            pass

    async def restart(self):
        await self.stop()
        await self.start()

    async def run(self, source: str, timeout: float):
        """Execute ``source``; return ``(status, outputs, message)`` with status ok/error/timeout/dead."""
        import nbformat
        from nbclient.exceptions import DeadKernelError
        client = self.client
        cell = nbformat.v4.new_code_cell(source)
        client.nb.cells.append(cell)
        index = len(client.nb.cells) - 1
        reply = {}

        def on_executed(cell, cell_index, execute_reply):
            reply["content"] = (execute_reply or {}).get("content", {})

        client.on_cell_executed = on_executed
        client.timeout = max(1, int(math.ceil(timeout)))
        try:
            await client.async_execute_cell(cell, index, store_history=False)
        except DeadKernelError:
            return "dead", [], "the kernel died (did the code call os._exit or use up the memory?)"
        except Exception as error:
            return "error", list(cell.get("outputs", [])), f"{type(error).__name__}: {error}"
        finally:
            client.nb.cells[index] = nbformat.v4.new_code_cell("")    # keep memory flat
        content = reply.get("content", {})
        outputs = list(cell.get("outputs", []))
        if content.get("status") == "error":
            if content.get("ename") == self.TIMEOUT_ENAME:
                return "timeout", outputs, f"did not finish within {client.timeout} s"
            return "error", outputs, f"{content.get('ename', 'Error')}: {str(content.get('evalue', ''))[:200]}"
        return "ok", outputs, ""

    async def responsive(self) -> bool:
        status, _, _ = await self.run("pass", _PROBE_TIMEOUT)
        return status == "ok"


async def _maybe_await(value):
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        return await value
    return value


def _grading_source(name: str, nonce: str, token: str, time_limit: float, tests_dir) -> str:
    """The grading cell: load coursekit.exercises fresh under a private name and collect one exercise."""
    module = f"_coursekit_grader_{token}"
    init = os.path.join(PACKAGE_DIR, "__init__.py")
    return f"""\
def _coursekit_grade_{nonce}(_globals):
    import importlib, importlib.util, sys
    package = sys.modules.get({module!r})
    if package is None:
        spec = importlib.util.spec_from_file_location({module!r}, {init!r},
                                                      submodule_search_locations=[{PACKAGE_DIR!r}])
        package = importlib.util.module_from_spec(spec)
        sys.modules[{module!r}] = package
        spec.loader.exec_module(package)
    importlib.import_module({module!r} + "._kernel").run({name!r}, _globals, {nonce!r}, {float(time_limit)!r},
                                                       {tests_dir!r})
try:
    _coursekit_grade_{nonce}(globals())
finally:
    del _coursekit_grade_{nonce}
"""


def _tagged_payload(outputs, nonce: str, name: str):
    """``(payload, problem)``: the one stdout line that starts with ``nonce``, or why there is none."""
    found = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            for line in str(output.get("text", "")).splitlines():
                if line.startswith(nonce):
                    found.append(line[len(nonce):])
    if not found:
        return None, "no grading output (did the notebook replace sys.stdout or print?)"
    if len(found) > 1:
        return None, "the grading output was tampered with (more than one result line)"
    try:
        data = json.loads(found[0])
    except json.JSONDecodeError:
        return None, "the grading output was tampered with (not JSON)"
    if not isinstance(data, dict) or data.get("exercise") != name or not isinstance(data.get("result"), dict):
        return None, "the grading output was tampered with (wrong exercise)"
    return data["result"], ""


# ------------------------------------------------------------------------------------------------
# Grading one submission
# ------------------------------------------------------------------------------------------------
async def grade_submission(path: str, options: Options, registry: dict) -> SubmissionReport:
    report = SubmissionReport(path=path)
    try:
        notebook, report.sha256 = read_submission(path)
    except GradingError as error:
        report.status, report.error = "error", str(error)
        return report
    names = [n for n in (options.exercises or expected_exercises(notebook, registry)) if n in registry]
    cells = [(i, c.get("source", "")) for i, c in enumerate(notebook.cells)
             if c.get("cell_type") == "code" and str(c.get("source", "")).strip() and not is_check_cell(c.get("source", ""))]
    workdir = tempfile.mkdtemp(prefix="coursekit-grade-")
    kernel = _Kernel(workdir, options)
    try:
        try:
            await kernel.start()
        except Exception as error:
            report.status, report.error = "error", f"could not start a kernel: {type(error).__name__}: {error}"
            return report
        finished = []           # cells that ran to the end (with or without an error): replayed after a restart

        async def recover():
            """After a timeout: is the kernel usable? If not, restart it and replay the finished cells."""
            if await kernel.responsive():
                return
            report.restarts += 1
            await kernel.restart()
            for _, source in finished:
                await kernel.run(source, options.cell_timeout)

        for index, source in cells:
            status, _, message = await kernel.run(source, options.cell_timeout)
            if status == "ok":
                finished.append((index, source))
                continue
            report.cells.append(CellProblem(index, "error" if status == "error" else status, message))
            if status == "error":
                finished.append((index, source))
            elif status == "timeout":
                await recover()
            elif status == "dead":
                report.restarts += 1
                await kernel.restart()
                for _, s in finished:
                    await kernel.run(s, options.cell_timeout)

        for name in names:
            exercise = registry[name]
            nonce = "CKG" + secrets.token_hex(16)
            source = _grading_source(name, nonce, kernel.module_token, options.time_limit, options.tests_dir)
            # the in-kernel timer stops a loop at time_limit; the cell timeout is the backstop for code
            # that swallows it (and KeyboardInterrupt)
            status, outputs, message = await kernel.run(source, options.time_limit + max(3.0, options.time_limit / 2))
            payload, problem = _tagged_payload(outputs, nonce, name) if status == "ok" else (None, message)
            if status == "timeout":
                result = ExerciseResult(name, 0, exercise.points, TIMEOUT,
                                        f"did not finish within the time limit ({options.time_limit:g} s) "
                                        f"and could not be interrupted")
                await recover()
            elif status == "dead":
                result = ExerciseResult(name, 0, exercise.points, ERROR, f"grading stopped: {message}")
                report.restarts += 1
                await kernel.restart()
                for _, s in finished:
                    await kernel.run(s, options.cell_timeout)
            elif payload is None:
                result = ExerciseResult(name, 0, exercise.points, ERROR, problem)
            else:
                result = judge(exercise, payload, options.time_limit)
            result.notebook = exercise.notebook
            report.exercises.append(result)
    finally:
        await kernel.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return report


async def _grade_all(paths, options: Options, registry: dict):
    semaphore = asyncio.Semaphore(max(1, int(options.jobs)))

    async def one(path):
        async with semaphore:
            try:
                return await grade_submission(path, options, registry)
            except Exception as error:      # never let one submission stop the others
                return SubmissionReport(path=path, status="error",
                                        error=f"grading failed: {type(error).__name__}: {error}")

    return await asyncio.gather(*(one(p) for p in paths))


def grade(paths, *, time_limit: float = DEFAULT_TIME_LIMIT, cell_timeout: float = DEFAULT_CELL_TIMEOUT,
          tests_dir=None, exercises=None, jobs: int = 1, kernel_name: str = "python3") -> list[SubmissionReport]:
    """Grade notebooks; return one :class:`SubmissionReport` per path (in order).

    Parameters
    ----------
    paths : list of str
        Submitted ``.ipynb`` files.
    time_limit : float
        Seconds allowed per exercise (all its cases together).
    cell_timeout : float
        Seconds allowed per code cell of the submission.
    tests_dir : str, optional
        A directory of private test files (see :mod:`coursekit.exercises`, "Private instructor tests").
    exercises : list of str, optional
        Grade exactly these exercises instead of those the notebook names.
    jobs : int
        Number of kernels grading at the same time.
    """
    tests_dir = os.path.abspath(os.fspath(tests_dir)) if tests_dir else None
    registry = load_tests(tests_dir)
    if exercises:
        unknown = [n for n in exercises if n not in registry]
        if unknown:
            raise ValueError(f"unknown exercise(s) {', '.join(map(repr, unknown))}; known: {', '.join(registry)}")
    options = Options(time_limit=float(time_limit), cell_timeout=float(cell_timeout), tests_dir=tests_dir,
                      exercises=list(exercises) if exercises else None, jobs=int(jobs), kernel_name=kernel_name)
    return asyncio.run(_grade_all([os.fspath(p) for p in paths], options, registry))


# ------------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------------
def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(reports, message_width: int = 70) -> str:
    """The score table: one row per submission and exercise, and a total per submission."""
    rows = [("submission", "exercise", "points", "status", "message")]
    for report in reports:
        name = os.path.basename(report.path)
        if report.status != "graded":
            rows.append((name, "-", "-", "error", _cut(report.error or "", message_width)))
            continue
        for e in report.exercises:
            rows.append((name, e.name, f"{e.points:g}/{e.max_points:g}", e.status, _cut(e.message, message_width)))
        note = ""
        if report.cells:
            note = "cells with problems: " + ", ".join(f"{c.index} ({c.status})" for c in report.cells[:6])
        rows.append((name, "TOTAL", f"{report.points:g}/{report.max_points:g}", "", _cut(note, message_width)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:4], widths)) + "  " + row[4])
        if k == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 7)
    graded = [r for r in reports if r.status == "graded"]
    lines.append("")
    lines.append(f"{len(graded)} of {len(reports)} submission(s) graded"
                 + (f"; {len(reports) - len(graded)} could not be read" if len(graded) < len(reports) else ""))
    return "\n".join(lines).rstrip() + "\n"


def report_json(reports, options: dict | None = None) -> dict:
    return {"coursekit_version": coursekit.__version__, "options": options or {},
            "submissions": [r.to_dict() for r in reports]}


# ------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------
def add_arguments(parser) -> None:
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION.ipynb", help="notebooks to grade")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIME_LIMIT, metavar="S",
                        help=f"time limit per exercise in seconds (default {DEFAULT_TIME_LIMIT:g})")
    parser.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT, metavar="S",
                        help=f"time limit per notebook cell in seconds (default {DEFAULT_CELL_TIMEOUT:g})")
    parser.add_argument("--json", metavar="REPORT.json", help="also write the full report as JSON")
    parser.add_argument("--tests", metavar="DIR", help="directory of private test files (*.py) with extra "
                        "cases or exercises; see the docstring of coursekit.exercises")
    parser.add_argument("--exercises", metavar="NAME[,NAME...]",
                        help="grade these exercises (default: those the notebook names)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="grade N submissions in parallel kernels")


def run(args) -> int:
    """Run ``coursekit grade``; exit code 0 when at least one submission was graded, 2 otherwise."""
    if args.timeout <= 0 or args.cell_timeout <= 0:
        print("coursekit grade: --timeout and --cell-timeout must be positive numbers of seconds", file=sys.stderr)
        return 2
    if args.jobs < 1:
        print(f"coursekit grade: --jobs must be at least 1; received --jobs {args.jobs}", file=sys.stderr)
        return 2
    exercises = [n.strip() for n in args.exercises.split(",") if n.strip()] if args.exercises else None
    started = time.monotonic()
    try:
        reports = grade(args.submissions, time_limit=args.timeout, cell_timeout=args.cell_timeout,
                        tests_dir=args.tests, exercises=exercises, jobs=args.jobs)
    except ValueError as error:
        print(f"coursekit grade: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(format_table(reports))
    if args.json:
        options = {"timeout": args.timeout, "cell_timeout": args.cell_timeout, "tests": args.tests,
                   "exercises": exercises, "jobs": args.jobs}
        try:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(report_json(reports, options), f, indent=2, ensure_ascii=False)
        except OSError as error:
            print(f"coursekit grade: could not write --json {args.json}: {error}", file=sys.stderr)
            return 2
    print(f"graded in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0 if any(r.status == "graded" for r in reports) else 2
