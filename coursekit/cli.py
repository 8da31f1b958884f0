"""The ``coursekit`` command.

Subcommands are registered in :data:`SUBCOMMANDS`: name -> (help, add_arguments, run), where
``add_arguments(parser)`` fills an argparse sub-parser and ``run(args)`` returns the exit code. Each
subcommand's implementation is imported only when it runs, so ``coursekit --help`` stays fast. To add
one (e.g. ``lab`` or ``doctor``), write its two functions and add a line to ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import sys


def _grade_arguments(parser):
    from .exercises.grader import add_arguments
    add_arguments(parser)


def _grade_run(args) -> int:
    from .exercises.grader import run
    return run(args)


def _gradescope_arguments(parser):
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK.ipynb",
                        help="the kit notebook(s) the autograder grades (e.g. notebooks/04_loss.ipynb)")
    parser.add_argument("--out", required=True, metavar="DIR", help="where to write autograder.zip")
    parser.add_argument("--tests", metavar="DIR", help="private test files (*.py) to put in the bundle")
    from .exercises.grader import DEFAULT_CELL_TIMEOUT, DEFAULT_SUBMISSION_TIMEOUT, DEFAULT_TIME_LIMIT
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIME_LIMIT, metavar="S",
                        help=f"time limit per exercise (default {DEFAULT_TIME_LIMIT:g})")
    parser.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT, metavar="S",
                        help=f"time limit per cell (default {DEFAULT_CELL_TIMEOUT:g})")
    parser.add_argument("--submission-timeout", type=float, default=DEFAULT_SUBMISSION_TIMEOUT, metavar="S",
                        help=f"time limit per submission (default {DEFAULT_SUBMISSION_TIMEOUT:g})")


def _gradescope_run(args) -> int:
    from .exercises.gradescope import build_bundle
    try:
        path = build_bundle(args.notebooks, args.out, args.tests, args.timeout, args.cell_timeout,
                            args.submission_timeout)
    except ValueError as error:
        print(f"coursekit gradescope: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}: upload it as the assignment's autograder (Configure Autograder -> Zip file upload)")
    return 0


def _lab_arguments(parser):
    parser.add_argument("notebook", nargs="?", default="01",
                        help="the notebook to open: its number (e.g. 05) or a path (default: 01)")
    parser.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    parser.epilog = ("Any other option goes to JupyterLab, e.g. coursekit lab 05 --no-browser --port 8899 "
                     "(or after --: coursekit lab 05 -- --no-browser).")


def _lab_command(target, options: list) -> tuple[list, str | None]:
    """The JupyterLab command for ``target``, and a note for the user (``None`` when there is none)."""
    options = [o for o in options if o != "--"]
    command = [sys.executable, "-m", "jupyter", "lab", str(target), *options]
    note = None
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in options:
        command.append("--allow-root")
        note = ("coursekit lab: running as root, so JupyterLab is started with --allow-root (it refuses to "
                "start as root otherwise); better, run it as an ordinary user")
    return command, note


def _lab_run(args) -> int:
    from pathlib import Path

    from .doctor import notebooks_folder

    folder = notebooks_folder()
    if folder is None:
        print("coursekit lab: no notebooks/ folder here; run it from a clone of the kit", file=sys.stderr)
        return 2
    target = Path(args.notebook)
    if not target.exists():
        matches = sorted(folder.glob(f"{args.notebook.zfill(2)}_*.ipynb"))
        if not matches:
            known = ", ".join(p.name for p in sorted(folder.glob("*.ipynb")))
            print(f"coursekit lab: no notebook {args.notebook!r}; the notebooks are: {known}", file=sys.stderr)
            return 2
        target = matches[0]
    command, note = _lab_command(target, args.jupyter_options or [])
    if note:
        print(note, file=sys.stderr)
    if args.dry_run:
        print(" ".join(command))
        return 0
    return _run_until_stopped(command)


def _run_until_stopped(command: list) -> int:
    """Run JupyterLab; when this process is stopped (Ctrl-C, SIGTERM to its PID), JupyterLab stops too."""
    import signal
    import subprocess

    child = subprocess.Popen(command)

    def stop(signum, frame):
        child.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP) if hasattr(signal, sig.name)}
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:           # Ctrl-C reaches JupyterLab too; wait for it to finish
                continue
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def _doctor_run(args) -> int:
    from .doctor import run
    return run(args)


#: name -> (one-line help, add_arguments(parser), run(args) -> exit code)
SUBCOMMANDS = {
    "lab": ("open the kit in JupyterLab (a notebook by number, e.g. coursekit lab 05)", _lab_arguments, _lab_run),
    "grade": ("grade submitted notebooks, each in a fresh kernel; print a score table",
              _grade_arguments, _grade_run),
    "gradescope": ("build a Gradescope autograder (autograder.zip) for kit notebooks",
                   _gradescope_arguments, _gradescope_run),
    "doctor": ("check that this environment can run the kit (widgets, kernel) and say how to fix it",
               lambda parser: None, _doctor_run),
}


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    parser = argparse.ArgumentParser(prog="coursekit", description="The Neural Network Basics course kit.")
    parser.add_argument("--version", action="version", version=f"coursekit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_arguments, _) in SUBCOMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lab"]:                 # JupyterLab's own options pass through
        passed = argv[argv.index("--") + 1:] if "--" in argv else []
        argv = argv[:argv.index("--")] if "--" in argv else argv
        args, unknown = parser.parse_known_args(argv)
        args.jupyter_options = unknown + passed
    else:
        args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    return SUBCOMMANDS[args.command][2](args)


if __name__ == "__main__":
    sys.exit(main())
