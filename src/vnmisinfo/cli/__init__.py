"""The ``vnmisinfo`` command: a thin shell over the library.

Each subcommand lives in its own module here with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; ``main`` only parses
arguments, dispatches and turns known errors into messages and exit codes:
0 ok, 1 error, 2 usage.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

__all__ = ["main"]

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ["score", "match", "train", "evaluate", "calibrate", "corpus_stats", "claimreview",
            "queue", "feedback", "drift", "compare", "narratives"]


def _load(name: str):  # noqa: ANN202 - returns a module
    return import_module(f"vnmisinfo.cli._{name}")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    from vnmisinfo import __version__

    parser = argparse.ArgumentParser(
        prog="vnmisinfo",
        description="Find candidate false or distorted narratives in Vietnamese text. "
        "Scores are triage signals for human reviewers, never verdicts.",
    )
    parser.add_argument("--version", action="version", version=f"vnmisinfo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = _load(name)
        except ModuleNotFoundError as exc:
            if exc.name == f"vnmisinfo.cli._{name}":
                continue
            raise
        # help is %-formatted by argparse, the description is printed as written
        p = sub.add_parser(module.NAME, help=module.HELP,
                           description=module.HELP.replace("%%", "%"))
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def _note_printer(command: str) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints ``vnmisinfo COMMAND: note: MESSAGE``."""

    def show(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        print(f"vnmisinfo {command}: note: {message}", file=sys.stderr)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            # a warning reads as a note of the command, without Python's file and code line
            warnings.showwarning = _note_printer(args.command)
            return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("vnmisinfo: interrupted", file=sys.stderr)
        if partial := _kept_rows(args):
            print(f"vnmisinfo: the rows done so far are kept in {partial}; run the same "
                  "command with --resume to go on", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (| head): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing more reaches the closed pipe
        return 0
    except (ValueError, TypeError, OSError, ModuleNotFoundError) as exc:
        print(f"vnmisinfo {args.command}: error: {exc}", file=sys.stderr)
        if (partial := _kept_rows(args)) and "--resume" not in str(exc):  # not said yet
            print(f"vnmisinfo score: the rows done so far are kept in {partial}; once "
                  "the cause is fixed, run the same command with --resume to go on",
                  file=sys.stderr)
        return 1


def _kept_rows(args: argparse.Namespace) -> str | None:
    """The partial output a stopped ``score`` run keeps for ``--resume``, if it keeps one."""
    output = getattr(args, "output", None) if args.command == "score" else None
    return f"{output}.partial" if output and os.path.exists(f"{output}.ckpt") else None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
