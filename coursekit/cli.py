"""The ``coursekit`` command.

Subcommands are registered in :data:`SUBCOMMANDS`: name -> (help, add_arguments, run), where
``add_arguments(parser)`` fills an argparse sub-parser and ``run(args)`` returns the exit code. Each
subcommand's implementation is imported only when it runs, so ``coursekit --help`` stays fast. To add
one (e.g. ``lab`` or ``doctor``), write its two functions and add a line to ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import sys


def _grade_arguments(parser):
    from .exercises.grader import add_arguments
    add_arguments(parser)


def _grade_run(args) -> int:
    from .exercises.grader import run
    return run(args)


#: name -> (one-line help, add_arguments(parser), run(args) -> exit code)
SUBCOMMANDS = {
    "grade": ("grade submitted notebooks, each in a fresh kernel; print a score table",
              _grade_arguments, _grade_run),
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
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    return SUBCOMMANDS[args.command][2](args)


if __name__ == "__main__":
    sys.exit(main())
