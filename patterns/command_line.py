"""What the package's commands share so they behave like the tools users know: an argparse
parser whose usage errors are one line on stderr with exit 2, and the entry point that turns a
closed pipe or an unexpected exception into one line and an exit code, never a traceback.

Exit codes: 0 clean, 1 findings (at or above the threshold), 2 usage or unreadable input.
Set ``PATTERNS_DEBUG=1`` to see the traceback of an unexpected exception.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

USAGE = 2


class UsageError(Exception):
    """A command line argparse refused; the message is argparse's, one line."""


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors raised (one line, exit 2) instead of usage text printed."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def assembly_parser(*, prog: str, description: str, epilog: str) -> Parser:
    """A ``Parser`` whose first argument is the cloud assembly to read (default:
    ``cdk.out``), as ``patterns.checks``, ``patterns.flows`` and ``patterns.cost`` take it."""
    options = Parser(prog=prog, description=description, epilog=epilog)
    options.add_argument(
        "assembly",
        nargs="?",
        default=Path("cdk.out"),
        type=Path,
        help=(
            "the cloud assembly to read: the folder cdk synth writes (manifest.json and the "
            "templates), of an app in any CDK language. Default: cdk.out"
        ),
    )
    return options


def parse(parser: Parser, argv: Sequence[str]) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when parsing ended the command (``--help``: 0;
    a usage error, printed as one line on stderr: 2)."""
    try:
        return parser.parse_args(argv)
    except UsageError as error:
        fail(parser.prog, f"{error} (see --help)")
        return USAGE
    except SystemExit as stop:  # --help printed the help
        return stop.code if isinstance(stop.code, int) else 0


def fail(prog: str, message: str) -> int:
    """Print one line ``prog: error: message`` on stderr; the usage exit code."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    return USAGE


def run(main: Callable[[list[str]], int], prog: str) -> NoReturn:
    """``sys.exit(main(sys.argv[1:]))``, with no traceback on the way out."""
    try:
        code = main(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:  # the output piped into head or less that closed early
        sys.stderr.close()
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # a bug, not the input: one line, and how to see more
        if os.environ.get("PATTERNS_DEBUG"):
            raise
        fail(
            prog,
            f"unexpected {type(error).__name__}: {error} (a bug: please report it; "
            "PATTERNS_DEBUG=1 shows the traceback)",
        )
        sys.exit(USAGE)
    sys.exit(code)
