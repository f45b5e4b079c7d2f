"""``python -m patterns.flows cdk.out``: the message paths of any cloud assembly, each hop judged.

Reads every template of the assembly (any CDK language; nested stacks, stages and several
stacks included), draws the graph of message paths (:mod:`patterns.messaging.flows`) and prints
a summary: every path from an entry point to a consumer or store, with the findings of the
``MessagingChecks`` rules on its hops and the hops whose failures are not caught (no DLQ or
failure destination) or not watched (no alarm with an action).

Options: ``--stack NAME`` (one stack and its nested stacks), ``--output PATH`` (writes
PATH.dot and, with Graphviz's ``dot``, PATH.svg and PATH.png), ``--dot`` (print the DOT source
instead of the summary), ``--format text|json`` (the summary, or the graph as JSON:
:mod:`patterns.messaging.flow_json`), ``--fail-on error|warning`` (default error: a broken
hop; warning: a hop at risk too). Needs neither the CDK nor Node; ``dot`` only for pictures.

Exit codes: 0 nothing at or above ``--fail-on``, 1 a hop or node broken (or at risk, with
``--fail-on warning``), 2 a usage error, an unreadable assembly, an unknown ``--stack`` or a
picture that could not be drawn; errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from patterns.cloud_assembly import UnreadableAssemblyError, read_assembly
from patterns.command_line import Parser, assembly_parser, fail, parse
from patterns.command_line import run as run_command
from patterns.messaging.flow_json import to_json
from patterns.messaging.flow_render import render, to_dot, to_text
from patterns.messaging.flows import AT_RISK, BROKEN, Edge, FlowGraph, Node, flow_graph

PROG = "python -m patterns.flows"
FAILING = {"error": (BROKEN,), "warning": (BROKEN, AT_RISK)}


# What each option does and its default, as --help and the commands page show it.
_HELP: dict[str, str] = {
    "--stack": (
        "show only the stack named STACK (its name in the assembly) and its nested "
        "stacks; an unknown name is an error. Default: every stack of the assembly"
    ),
    "--output": (
        "also write the graph to OUTPUT.dot and, with Graphviz's dot installed, draw "
        "OUTPUT.svg and OUTPUT.png. Default: none (no files)"
    ),
    "--dot": (
        "print the graph's DOT source instead of the summary (not with --format json). Default: off"
    ),
    "--format": (
        "text: every path from an entry point to a consumer or store, with the findings "
        "on its hops; json: the graph (nodes, edges and their verdicts), for scripts. "
        "Default: text"
    ),
    "--fail-on": (
        "error: exit 1 when a hop or node is broken (an error finding); warning: also "
        "when one is at risk (a warning finding). Default: error"
    ),
}


def parser() -> Parser:
    options = assembly_parser(
        prog=PROG,
        description="The message paths of a synthesized cloud assembly, each hop judged by "
        "the messaging checks.",
        epilog="Exit codes: 0 clean, 1 a broken hop (or one at risk with --fail-on warning), "
        "2 usage error or unreadable assembly.",
    )
    options.add_argument("--stack", help=_HELP["--stack"])
    options.add_argument("--output", type=Path, help=_HELP["--output"])
    options.add_argument("--dot", action="store_true", help=_HELP["--dot"])
    options.add_argument(
        "--format", choices=("text", "json"), default="text", help=_HELP["--format"]
    )
    options.add_argument(
        "--fail-on", choices=tuple(FAILING), default="error", help=_HELP["--fail-on"]
    )
    return options


def main(argv: list[str]) -> int:
    args = parse(parser(), argv)
    if isinstance(args, int):
        return args
    if args.dot and args.format != "text":
        return fail(PROG, "--dot prints the DOT source: leave out --format (see --help)")
    try:
        read = read_assembly(args.assembly)
    except UnreadableAssemblyError as error:
        return fail(PROG, str(error))
    graph = flow_graph(read, args.stack)
    if args.stack and not graph.stacks:
        return fail(PROG, f"no stack {args.stack!r} in {args.assembly}")
    source = to_dot(graph, args.stack or "message flows")
    if args.output:
        problem = _draw(source, args.output)
        if problem:
            return fail(PROG, problem)
    if args.format == "json":
        print(to_json(graph, assembly=str(args.assembly), stack=args.stack))
    else:
        print(source if args.dot else to_text(graph), end="")
    return 1 if _fails(graph, args) else 0


def _fails(graph: FlowGraph, args: argparse.Namespace) -> bool:
    elements: list[Node | Edge] = [*graph.nodes.values(), *graph.edges]
    verdicts = {e.verdict for e in elements}
    return bool(verdicts & set(FAILING[args.fail_on]))


def _draw(source: str, output: Path) -> str | None:
    """Write OUTPUT.dot and the pictures; what went wrong, in one line, if anything."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.with_suffix(".dot").write_text(source)
        render(source, output)
    except OSError as error:
        return f"cannot write {error.filename or output}: {error.strerror}"
    except RuntimeError as error:  # Graphviz's dot is not installed
        return str(error)
    except subprocess.CalledProcessError as error:
        return f"Graphviz's dot failed (exit {error.returncode}) drawing {output}"
    return None


if __name__ == "__main__":
    run_command(main, PROG)
