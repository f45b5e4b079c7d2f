"""``python -m tools.flows_doc cdk.out``: the message flows of every example stack, drawn by
``python -m patterns.flows`` into docs/flows/<Stack>.{dot,txt,svg,png} (``make flows``).

The README and the pattern pages show these pictures; tests/test_flows.py fails when the DOT
source or the summary no longer match the synthesized examples, or an SVG lacks a node.
"""

from __future__ import annotations

import sys
from pathlib import Path

from examples import EXAMPLES
from patterns.messaging.flow_render import render, to_dot, to_text
from patterns.messaging.flows import flow_graph

DOCS = Path(__file__).resolve().parent.parent / "docs" / "flows"


def main(argv: list[str]) -> int:
    assembly = Path(argv[0] if argv else "cdk.out")
    DOCS.mkdir(parents=True, exist_ok=True)
    for example in EXAMPLES:
        graph = flow_graph(assembly, example.stack_name)
        source = to_dot(graph, example.stack_name)
        output = DOCS / example.stack_name
        output.with_suffix(".dot").write_text(source)
        output.with_suffix(".txt").write_text(to_text(graph))
        render(source, output)
        print(f"{output}.svg: {len(graph.nodes)} node(s), {len(graph.edges)} hop(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
