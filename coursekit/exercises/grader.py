"""``coursekit grade``: score submitted notebooks, each in its own sandboxed kernel.

For each submission:

1. The file is opened once, only if it is a regular file below the size limit, and hashed; it is never
   written. Invalid JSON or a file that is not a notebook is an error row for that submission only.
2. What is graded is the instructor's: the exercises of the notebook it is (``--notebook``, else the
   number its metadata or file name gives, else every exercise of the kit), or ``--exercises``. Never the
   submission's own list, tags or check cells: an exercise that is missing scores 0.
3. A fresh kernel starts in a sandbox (:mod:`coursekit.exercises._sandbox`) and runs every code cell
   (``--cell-timeout`` each; cells that only call ``check("name", obj)`` are skipped). A cell that
   raises or times out does not stop the rest; a kernel that cannot be interrupted is restarted once
   and the cells that finished are replayed.
4. Per exercise, a grading cell sends the kernel only the *inputs* of the cases
   (:func:`coursekit.exercises._wire.job`); the kit's runner, loaded fresh from the read-only kit,
   calls the student's answer and sends the outputs back as data. They are judged here, in the
   grader's process (:mod:`coursekit.exercises._judging`), against the reference computed here.
5. ``--submission-timeout`` bounds the whole submission: then its kernel is killed and what was
   graded so far is reported. The JSON report is rewritten atomically after every submission.

Submissions are graded concurrently in up to ``jobs`` kernels.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass

from . import load_tests
from ._judging import judge
from ._report import CellProblem, SubmissionReport, format_table, printable, report_json, write_json_atomically
from ._results import ERROR, MISSING, TIMEOUT, ExerciseResult
from ._spec import DEFAULT_TIME_LIMIT, drawn_for_grading
from ._submission import GradingError, assignment, is_check_cell, read_submission
from ._wire import job, loads_result

DEFAULT_CELL_TIMEOUT = 120.0
DEFAULT_SUBMISSION_TIMEOUT = 600.0


@dataclass
class Options:
    time_limit: float = DEFAULT_TIME_LIMIT                  # per exercise
    cell_timeout: float = DEFAULT_CELL_TIMEOUT              # per student cell
    submission_timeout: float = DEFAULT_SUBMISSION_TIMEOUT  # per submission, everything included
    tests_dir: str | None = None
    exercises: list | None = None                # force this list of exercises
    notebook: str | None = None                  # force this assignment
    jobs: int = 1
    sandbox: bool = True
    startup_timeout: float = 60.0


# ------------------------------------------------------------------------------------------------
# Grading one submission
# ------------------------------------------------------------------------------------------------
def _grading_source(exercise, nonce: str, kernel, time_limit: float) -> str:
    """The grading cell: the runner loaded before the notebook's first cell runs one job of inputs.

    It takes the runner's handle from ``sys`` and uses it only if it is the very tuple the grader's first
    cell made (its ``id()``, asked of the interpreter's own ``id``: the types are reached without a name a
    notebook could redirect) and, for an exercise with bans, if nothing the runner relies on changed since
    (:mod:`._preload`). The job is a Python literal: no parser in the kernel reads it.
    """
    payload = dict(job(exercise, time_limit), kernel_threads=kernel.threads, kernel_processes=kernel.processes)
    return f"""\
def _coursekit_grade_{nonce}(_globals, _type=(0).__class__.__class__, _builtin=[].append.__class__,
                             _function=(lambda: None).__class__, _tuple=().__class__):
    import sys
    handle = getattr(sys, {kernel.runner!r}, None)
    if not (_type(id) is _builtin and id.__name__ == "id" and _type(handle) is _tuple and id(handle) == {kernel.handle!r}
            and _type(handle[1]) is _function and handle[1].__code__ is handle[2] and handle[1].__defaults__ is handle[3]):
        raise RuntimeError("the kit's grading runner, loaded before your notebook's first cell, was replaced or removed")
    changed = handle[1](handle[4]) if {bool(payload["bans"])!r} else None
    if changed is not None:
        raise RuntimeError("your notebook changed " + changed + ", which the check for delegated work relies on, "
                           "so this exercise earns nothing: run your notebook without that change")
    handle[0]({payload!r}, _globals, {nonce!r})
try:
    _coursekit_grade_{nonce}(globals())
finally:
    del _coursekit_grade_{nonce}
"""


def _result_payload(results, nonce: str, name: str):
    """``(payload, problem)`` from the result messages of one grading cell."""
    mine = [r for r in results if isinstance(r, dict) and r.get("nonce") == nonce]
    if not mine:
        return None, ("no grading result came back (did the notebook replace IPython's display machinery, "
                      "or send a message larger than the grader accepts?)")
    if len(mine) > 1:
        return None, "the grading output was tampered with (more than one result)"
    data, problem = loads_result(json.dumps(mine[0]))
    if data is None:
        return None, problem
    if data.get("exercise") != name:
        return None, "the grading output was tampered with (wrong exercise)"
    return data["result"], ""


def _why(status: str, message: str) -> str:
    """What went wrong with the kernel, for "not graded: the kernel <why> again after its one restart"."""
    return "got stuck" if status == "timeout" else f"failed ({message or 'it died'})"


class _Session:
    """One submission's kernel, the cells that finished (replayed after a restart) and the report."""

    def __init__(self, kernel, report: SubmissionReport, options: Options):
        self.kernel, self.report, self.options = kernel, report, options
        self.finished = []
        self.broken = ""             # why, when it was restarted once already and failed again: stop using it
        self.expired = False         # the --submission-timeout has passed: the kernel was killed

    def expire(self) -> None:
        """The submission's time is up: kill its kernel, so that whatever is waiting on it returns now."""
        self.expired = True
        self.kernel.kill()

    def _out_of_time(self, name: str, points: float) -> ExerciseResult:
        return ExerciseResult(name, 0, points, TIMEOUT, "not graded: the submission used up its "
                              f"--submission-timeout of {self.options.submission_timeout:g} s")

    async def recover(self, dead: bool = False, why: str = "got stuck") -> None:
        """After a timeout or a crash: keep a responsive kernel, else restart it once and replay."""
        if self.expired or (not dead and await self.kernel.responsive()):
            return
        if self.expired:                # the deadline passed while it was being asked
            return
        if self.report.restarts >= 1:
            self.broken = why
            return
        self.report.restarts += 1
        await self.kernel.restart()
        for source in self.finished:
            if self.expired:
                return
            await self.kernel.run(source, self.options.cell_timeout)

    async def run_cells(self, cells) -> None:
        for index, source in cells:
            if self.expired:
                self.report.cells.append(CellProblem(index, "skipped", "not run: the --submission-timeout had passed"))
                continue
            if self.broken:
                self.report.cells.append(CellProblem(index, "skipped", f"not run: the kernel {self.broken} again after its one restart"))
                continue
            status, _, message = await self.kernel.run(source, self.options.cell_timeout)
            if status in ("ok", "error"):
                self.finished.append(source)
            if status != "ok":
                self.report.cells.append(CellProblem(index, status, message))
            if status in ("timeout", "dead"):
                await self.recover(dead=status == "dead", why=_why(status, message))

    async def grade(self, exercise) -> ExerciseResult:
        limit = max(self.options.time_limit, getattr(exercise, "time_limit", None) or 0.0)   # e.g. training
        if self.expired:
            return self._out_of_time(exercise.name, exercise.points)
        if self.broken:
            return ExerciseResult(exercise.name, 0, exercise.points, ERROR,
                                  f"not graded: the kernel {self.broken} again after its one restart")
        nonce = "CKG" + secrets.token_hex(16)
        source = _grading_source(exercise, nonce, self.kernel, limit)
        # the in-kernel timer stops a loop at the time limit; the cell timeout is the backstop for code
        # that swallows it (and KeyboardInterrupt)
        status, results, message = await self.kernel.run(source, limit + max(3.0, limit / 2))
        if self.expired:
            return self._out_of_time(exercise.name, exercise.points)
        if status == "timeout":
            await self.recover(why=_why(status, message))
            return ExerciseResult(exercise.name, 0, exercise.points, TIMEOUT,
                                  f"did not finish within the time limit ({limit:g} s) and could not be interrupted")
        if status == "dead":
            await self.recover(dead=True, why=_why(status, message))
            return ExerciseResult(exercise.name, 0, exercise.points, ERROR, f"grading stopped: {message}")
        message = message.replace(self.kernel.runner or "?", "coursekit.exercises")    # its private name
        payload, problem = _result_payload(results, nonce, exercise.name) if status == "ok" else (None, message)
        if payload is None:
            return ExerciseResult(exercise.name, 0, exercise.points, ERROR, problem)
        return judge(exercise, payload, limit)


async def _grade_into(report: SubmissionReport, notebook, names, options: Options, registry: dict):
    from ._driver import Kernel
    cells = [(i, c.get("source", "")) for i, c in enumerate(notebook.cells)
             if c.get("cell_type") == "code" and str(c.get("source", "")).strip()
             and not is_check_cell(c.get("source", ""))]
    kernel = Kernel(sandbox=options.sandbox, startup_timeout=options.startup_timeout)
    session = _Session(kernel, report, options)
    # A hard deadline: kill the kernel rather than cancel the task (nbclient can swallow a cancellation)
    deadline = asyncio.get_running_loop().call_later(options.submission_timeout, session.expire)
    try:
        try:
            await kernel.start()
        except Exception as error:
            if not session.expired:
                report.status, report.error = "error", f"could not start a kernel: {type(error).__name__}: {str(error)[:300]}"
                return
        await session.run_cells(cells)
        for name in names:
            result = await session.grade(registry[name])
            result.notebook = registry[name].notebook
            report.exercises.append(result)
    finally:
        deadline.cancel()
        await kernel.stop()


async def grade_submission(path: str, options: Options, registry: dict) -> SubmissionReport:
    report = SubmissionReport(path=path, sandboxed=options.sandbox)
    try:
        notebook, report.sha256 = read_submission(path)
    except GradingError as error:
        report.status, report.error, report.notebook = "error", str(error), options.notebook
        return report
    names, report.notebook = assignment(notebook, path, registry, options)
    await _grade_into(report, notebook, names, options, registry)
    for result in report.exercises:
        if result.status == MISSING:
            result.message = f"not found in the submission: {result.message}"
    return report


async def _grade_all(paths, options: Options, registry: dict, on_done=None):
    semaphore = asyncio.Semaphore(max(1, int(options.jobs)))
    reports = [None] * len(paths)

    async def one(i, path):
        async with semaphore:
            try:
                reports[i] = await grade_submission(path, options, registry)
            except Exception as error:      # never let one submission stop the others
                reports[i] = SubmissionReport(path=path, status="error",
                                              error=f"grading failed: {type(error).__name__}: {error}")
            if on_done is not None:
                on_done([r for r in reports if r is not None])

    await asyncio.gather(*(one(i, p) for i, p in enumerate(paths)))
    return reports


def grade(paths, *, time_limit: float = DEFAULT_TIME_LIMIT, cell_timeout: float = DEFAULT_CELL_TIMEOUT,
          submission_timeout: float = DEFAULT_SUBMISSION_TIMEOUT, tests_dir=None, exercises=None,
          notebook: str | None = None, jobs: int = 1, sandbox: bool = True, on_done=None) -> list[SubmissionReport]:
    """Grade notebooks; return one :class:`SubmissionReport` per path (in order).

    Parameters
    ----------
    paths : list of str
        Submitted ``.ipynb`` files.
    time_limit : float
        Seconds allowed per exercise (all its cases together).
    cell_timeout : float
        Seconds allowed per code cell of the submission.
    submission_timeout : float
        Seconds allowed per submission, all of it; then its kernel is killed.
    tests_dir : str, optional
        A directory of private test files (see :mod:`coursekit.exercises`, "Private instructor tests").
    exercises : list of str, optional
        Grade exactly these exercises.
    notebook : str, optional
        Grade every submission as this notebook ("04"): its exercises, whatever the submission says.
    jobs : int
        Number of kernels grading at the same time.
    sandbox : bool
        Run each kernel in the bubblewrap sandbox (:func:`coursekit.exercises._sandbox.probe` says
        whether it can start here). ``False`` runs student code with your rights.
    on_done : callable, optional
        ``on_done(reports_so_far)`` after each finished submission (the CLI rewrites the report).
    """
    tests_dir = os.path.abspath(os.fspath(tests_dir)) if tests_dir else None
    registry = load_tests(tests_dir)
    if exercises:
        unknown = [n for n in exercises if n not in registry]
        if unknown:
            raise ValueError(f"unknown exercise(s) {', '.join(map(repr, unknown))}; known: {', '.join(registry)}")
    if notebook is not None:
        notebook = str(notebook).zfill(2)
        known = sorted({e.notebook for e in registry.values()})
        if notebook not in known:
            raise ValueError(f"--notebook {notebook!r} has no exercises; notebooks with exercises: {', '.join(known)}")
    options = Options(time_limit=float(time_limit), cell_timeout=float(cell_timeout),
                      submission_timeout=float(submission_timeout), tests_dir=tests_dir,
                      exercises=list(exercises) if exercises else None, notebook=notebook, jobs=int(jobs),
                      sandbox=bool(sandbox))
    # the cases' random inputs are drawn afresh for this run: outputs prepared for the inputs check()
    # shows (a lookup table) do not pass them (see coursekit.exercises._spec.case_rng)
    with drawn_for_grading(secrets.randbits(63)):
        return asyncio.run(_grade_all([os.fspath(p) for p in paths], options, registry, on_done))


# ------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------
def add_arguments(parser) -> None:
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION.ipynb", help="notebooks to grade")
    parser.add_argument("--notebook", metavar="NN", help="grade every submission as this notebook (e.g. 04): "
                        "its exercises, whatever the submission says (default: the number its metadata or "
                        "file name gives, else all exercises)")
    parser.add_argument("--exercises", metavar="NAME[,NAME...]", help="grade exactly these exercises")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIME_LIMIT, metavar="S",
                        help=f"time limit per exercise in seconds (default {DEFAULT_TIME_LIMIT:g})")
    parser.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT, metavar="S",
                        help=f"time limit per notebook cell in seconds (default {DEFAULT_CELL_TIMEOUT:g})")
    parser.add_argument("--submission-timeout", type=float, default=DEFAULT_SUBMISSION_TIMEOUT, metavar="S",
                        help=f"time limit per submission, all of it, in seconds (default {DEFAULT_SUBMISSION_TIMEOUT:g})")
    parser.add_argument("--json", metavar="REPORT.json", help="also write the full report as JSON (rewritten "
                        "after every submission, so an interrupted run keeps what was graded)")
    parser.add_argument("--csv", metavar="GRADES.csv", help="also write a gradebook: one row per submission, "
                        "a column per graded item, total and max")
    parser.add_argument("--canvas-csv", metavar="CANVAS.csv", help="also write a gradebook in Canvas' import "
                        "format (student from the file name, see --student-pattern; one column, --assignment)")
    parser.add_argument("--assignment", metavar="NAME", help="the Canvas column's name (default: "
                        "'coursekit notebook NN'); Canvas matches an existing assignment by 'Name (id)'")
    parser.add_argument("--student-pattern", metavar="REGEX", default=None, help="how to read the student's "
                        "login from a file name: a regular expression, its group 'id' or its whole match "
                        "(default: the name up to the first '_' or '.': alice_04.ipynb -> alice)")
    parser.add_argument("--feedback", metavar="DIR", help="also write one self-contained HTML feedback page "
                        "per submission into DIR (alice_04.ipynb -> DIR/alice_04.html)")
    parser.add_argument("--tests", metavar="DIR", help="directory of private test files (*.py) with extra "
                        "cases or exercises; see the docstring of coursekit.exercises")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="grade N submissions in parallel kernels")
    parser.add_argument("--no-sandbox", action="store_true", help="run student code WITHOUT the sandbox, with "
                        "your rights (only where the sandbox cannot start and you trust the submissions)")


def _positive(args) -> str | None:
    for flag in ("timeout", "cell_timeout", "submission_timeout"):
        value = getattr(args, flag)
        if not value > 0:
            return f"--{flag.replace('_', '-')} must be a positive number of seconds; received {value:g}"
    if args.jobs < 1:
        return f"--jobs must be at least 1; received --jobs {args.jobs}"
    if getattr(args, "student_pattern", None):
        from .gradebook import check_pattern
        return check_pattern(args.student_pattern)
    return None


def _export(args, reports) -> list[str]:
    """Write the gradebooks and feedback pages asked for; the problems met (each names its flag)."""
    from . import EXERCISES, gradebook
    from .feedback import write_pages
    submissions = [r.to_dict() for r in reports]
    problems = []
    jobs = []
    if args.csv:
        order = list(EXERCISES)         # the kit's order; --tests exercises follow in order of appearance
        jobs.append(("--csv", lambda: gradebook.write_csv(args.csv, gradebook.plain_rows(submissions, order))))
    if args.canvas_csv:
        numbers = sorted({str(s["graded_as"]) for s in submissions if s.get("graded_as")})
        name = args.assignment or ("coursekit notebook " + "+".join(numbers) if numbers else "coursekit")
        rows, unmatched = gradebook.canvas_rows(submissions, name, args.student_pattern
                                                or gradebook.DEFAULT_STUDENT_PATTERN)
        if unmatched:
            problems.append(f"--canvas-csv: --student-pattern found no student in {len(unmatched)} file name(s), "
                            f"left out: {', '.join(printable(os.path.basename(p)) for p in unmatched[:5])}")
        jobs.append(("--canvas-csv", lambda: gradebook.write_csv(args.canvas_csv, rows)))
    if args.feedback:
        jobs.append(("--feedback", lambda: write_pages(args.feedback, submissions)))
    for flag, write in jobs:
        try:
            write()
        except OSError as error:
            problems.append(f"could not write {flag}: {error}")
    return problems


def _progress(total: int):
    """A progress bar with an ETA on stderr; ``update()`` once per finished submission."""
    from tqdm import tqdm
    return tqdm(total=total, unit="submission", file=sys.stderr, dynamic_ncols=True, mininterval=0.5,
                desc="grading", leave=True)


def run(args) -> int:
    """Run ``coursekit grade``. Exit code 0: the run completed and graded at least one submission;
    2: bad arguments, no sandbox, or nothing could be graded."""
    problem = _positive(args)
    if problem:
        print(f"coursekit grade: {problem}", file=sys.stderr)
        return 2
    if args.no_sandbox:
        print("coursekit grade: WARNING: --no-sandbox: student code runs with your rights and can read, "
              "change or delete your files and this report", file=sys.stderr)
    else:
        from ._sandbox import probe
        ok, detail = probe()
        if not ok:
            print(f"coursekit grade: the grading sandbox cannot start here, so nothing was graded: {detail}. "
                  f"(Only for submissions you trust: --no-sandbox.)", file=sys.stderr)
            return 2
        if "NOT enforced" in detail:
            print(f"coursekit grade: warning: {detail}", file=sys.stderr)
    exercises = [n.strip() for n in args.exercises.split(",") if n.strip()] if args.exercises else None
    options = {"timeout": args.timeout, "cell_timeout": args.cell_timeout,
               "submission_timeout": args.submission_timeout, "tests": args.tests, "exercises": exercises,
               "notebook": args.notebook, "jobs": args.jobs, "sandbox": not args.no_sandbox}
    write_failed = []

    def save(reports, complete=False):
        if args.json and not write_failed:
            try:
                write_json_atomically(args.json, report_json(reports, options, complete))
            except OSError as error:
                write_failed.append(f"could not write --json {args.json}: {error}")

    started = time.monotonic()
    bar = _progress(len(args.submissions))

    def done(reports):
        save(reports)
        bar.update(1)

    try:
        reports = grade(args.submissions, time_limit=args.timeout, cell_timeout=args.cell_timeout,
                        submission_timeout=args.submission_timeout, tests_dir=args.tests, exercises=exercises,
                        notebook=args.notebook, jobs=args.jobs, sandbox=not args.no_sandbox, on_done=done)
    except ValueError as error:
        bar.close()
        print(f"coursekit grade: {printable(error)}", file=sys.stderr)
        return 2
    bar.close()
    save(reports, complete=True)
    write_failed += _export(args, reports)
    sys.stdout.write(format_table(reports))
    if write_failed:
        for problem in write_failed:
            print(f"coursekit grade: {problem}", file=sys.stderr)
        return 2
    print(f"graded in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0 if any(r.status == "graded" for r in reports) else 2
