"""``python -m patterns.flows cdk.out``: the message paths of any cloud assembly, each hop judged.

Reads every template of the assembly (any CDK language; nested stacks, stages and several
stacks included), draws the graph of message paths (:mod:`patterns.messaging.flows`) and prints
a summary: every path from an entry point to a consumer or store, with the findings of the
``MessagingChecks`` rules on its hops and the hops whose failures are not caught (no DLQ or
failure destination) or not watched (no alarm with an action). Exits 1 when a hop is broken
(an error of the rules), 0 otherwise, 2 when the folder is not a cloud assembly.

Options: ``--stack NAME`` (one stack and its nested stacks), ``--output PATH`` (writes
PATH.dot and, with Graphviz's ``dot``, PATH.svg and PATH.png), ``--dot`` (print the DOT source
instead of the summary). Needs neither the CDK nor Node; ``dot`` only for pictures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from patterns.messaging.flow_render import render, to_dot, to_text
from patterns.messaging.flows import flow_graph


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m patterns.flows", description=__doc__)
    parser.add_argument("assembly", nargs="?", default="cdk.out", type=Path)
    parser.add_argument("--stack", help="one stack (and its nested stacks)")
    parser.add_argument("--output", type=Path, help="write OUTPUT.dot, .svg and .png")
    parser.add_argument("--dot", action="store_true", help="print the DOT source")
    args = parser.parse_args(argv)
    if not (args.assembly / "manifest.json").is_file():
        print(
            f"{args.assembly} is not a cloud assembly (no manifest.json): run cdk synth first",
            file=sys.stderr,
        )
        return 2
    graph = flow_graph(args.assembly, args.stack)
    if args.stack and not graph.stacks:
        print(f"no stack {args.stack!r} in {args.assembly}", file=sys.stderr)
        return 2
    source = to_dot(graph, args.stack or "message flows")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.with_suffix(".dot").write_text(source)
        render(source, args.output)
    print(source if args.dot else to_text(graph), end="")
    return 1 if graph.broken else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # the output piped into head or less that closed early
        sys.stderr.close()
        sys.exit(1)
