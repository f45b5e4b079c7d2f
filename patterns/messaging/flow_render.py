"""The flow graph as Graphviz DOT (grouped by stack, producers left, consumers right) and as a
text summary of every path; both deterministic, so the docs can be checked against them.

Verdicts read in greyscale too: an ok hop is a thin solid line, a hop at risk a dashed one, a
broken hop a thick dotted red one, and each carries its rule IDs in its label.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from patterns.messaging.flow_model import TRANSFORM
from patterns.messaging.flows import (
    AT_RISK,
    BROKEN,
    DELIVERY,
    FAILURE,
    OK,
    Edge,
    FlowGraph,
    Node,
    paths,
)

SHAPES = {
    "bucket": "cylinder",
    "rule": "diamond",
    "topic": "hexagon",
    "alarm topic": "hexagon",
    "queue": "box3d",
    "dlq": "box3d",
    "stream": "cds",
    "firehose": "cds",
    "broker": "component",
    "function": "ellipse",
    "fleet": "doubleoctagon",
    "pipe": "rarrow",
    "table": "cylinder",
    "state machine": "box",
    "external": "note",
}
STYLE = {
    OK: 'color="#333333", style=solid, penwidth=1.2',
    AT_RISK: 'color="#b9770e", fontcolor="#b9770e", style=dashed, penwidth=2',
    BROKEN: 'color="#c0392b", fontcolor="#c0392b", style=dotted, penwidth=3.5',
}
FILL = {OK: "#ffffff", AT_RISK: "#fdebd0", BROKEN: "#f5b7b1"}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _marks(element: Node | Edge) -> list[str]:
    marks = []
    if element.caught is False:
        marks.append("not caught")
    if element.watched is False:
        marks.append("not watched")
    rules = sorted({f.rule_id.removeprefix("Messaging-") for f in element.findings})
    if rules:
        marks.insert(0, f"{element.verdict.upper()} {' '.join(rules)}")
    return marks


def _node_line(node: Node) -> str:
    label = "\n".join([node.kind, node.label, *_marks(node)])
    style = "filled,dashed" if node.kind == "external" else "filled"
    attributes = [
        f"label={_quote(label)}",
        f"shape={SHAPES.get(node.kind, 'box')}",
        f"style={_quote(style)}",
        f'fillcolor="{FILL[node.verdict]}"',
    ]
    if node.verdict != OK:
        attributes.append(STYLE[node.verdict])
    return f"{_quote(node.id)} [{', '.join(attributes)}];"


def _edge_line(edge: Edge) -> str:
    label = "\n".join([edge.label, *_marks(edge)]) if edge.label else "\n".join(_marks(edge))
    attributes = [f"label={_quote(label)}", STYLE[edge.verdict]]
    if edge.kind in FAILURE:
        attributes.append("arrowhead=empty")
        if edge.verdict == OK:
            attributes[1] = 'color="#777777", fontcolor="#555555", style=dashed, penwidth=1'
    return f"{_quote(edge.source)} -> {_quote(edge.target)} [{', '.join(attributes)}];"


def to_dot(graph: FlowGraph, title: str = "message flows") -> str:
    """Graphviz source: a cluster per stack (nested stacks inside their parent)."""
    lines = [
        f"digraph {_quote(title)} {{",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.3, ranksep=0.6];',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    by_stack: dict[str, list[Node]] = {}
    for node in graph.nodes.values():
        by_stack.setdefault(node.stack, []).append(node)

    def cluster(stack: str, depth: int) -> None:
        children = sorted(s for s in graph.stacks if s.rpartition("/")[0] == stack)
        members = sorted(by_stack.get(stack, []), key=lambda n: n.id)
        if not members and not any(by_stack.get(c) or _has_nodes(c) for c in children):
            return
        pad = "  " * depth
        lines.append(f"{pad}subgraph {_quote('cluster_' + stack)} {{")
        title = graph.titles.get(stack, stack)
        lines.append(f'{pad}  label={_quote(title)}; style=rounded; color="#999999";')
        lines.extend(f"{pad}  {_node_line(n)}" for n in members)
        for child in children:
            cluster(child, depth + 1)
        lines.append(f"{pad}}}")

    def _has_nodes(stack: str) -> bool:
        return any(
            n.stack.startswith(stack + "/") or n.stack == stack for n in graph.nodes.values()
        )

    for stack in graph.stacks:
        if stack.rpartition("/")[0] not in graph.stacks:
            cluster(stack, 1)
    lines.extend(f"  {_node_line(n)}" for n in sorted(by_stack.get("", []), key=lambda n: n.id))
    lines.extend(f"  {_edge_line(e)}" for e in graph.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _name(node: Node) -> str:
    return f"{node.kind} {node.path}"


def to_text(graph: FlowGraph) -> str:
    """Every path from an entry point to a consumer or store, with the hops to look at."""
    found = paths(graph)
    elements: list[Node | Edge] = [*graph.nodes.values(), *graph.edges]
    counts = {v: sum(1 for e in elements if e.verdict == v) for v in (BROKEN, AT_RISK)}
    lines = [
        f"{len(graph.nodes)} node(s), {len(graph.edges)} hop(s), {len(found)} path(s): "
        f"{counts[BROKEN]} broken, {counts[AT_RISK]} at risk",
    ]
    for number, path in enumerate(found, 1):
        hops: list[Node | Edge] = list(path)
        for item in path:
            if isinstance(item, Node):
                # Where a failure goes, and the enrichment or transformation the hop calls.
                hops += [
                    e
                    for e in graph.out(item.id, (*FAILURE, TRANSFORM))
                    if e.origin[1] != "" and e not in hops
                ]
        verdict = max((h.verdict for h in hops), key=[OK, AT_RISK, BROKEN].index)
        chain = " -> ".join(
            _name(item) if isinstance(item, Node) else f"[{item.label.splitlines()[0]}]"
            for item in path
        )
        lines += ["", f"path {number}: {verdict}", f"  {chain}"]
        for item in hops:
            where = _name(item) if isinstance(item, Node) else _hop(graph, item)
            for finding in item.findings:
                lines.append(
                    f"  {finding.level.upper()} {finding.rule_id} at {where}: {finding.message}"
                )
            if item.caught is False:
                lines.append(f"  not caught: {where}")
            if item.watched is False:
                lines.append(f"  not watched: {where}")
    if graph.unplaced:
        lines += ["", "findings on resources outside the message paths:"]
        lines += [
            f"  {f.level.upper()} {f.rule_id} {f.stack} {f.path}: {f.message}"
            for f in graph.unplaced
        ]
    return "\n".join(lines) + "\n"


def _hop(graph: FlowGraph, edge: Edge) -> str:
    source, target = graph.nodes[edge.source], graph.nodes[edge.target]
    kind = "" if edge.kind in DELIVERY else f" ({edge.kind})"
    return f"{source.path} -> {target.path}{kind}"


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render(dot_source: str, output: Path) -> list[Path]:
    """``output``.svg and ``output``.png rendered by Graphviz's ``dot``."""
    if not dot_available():
        raise RuntimeError(
            "Graphviz's dot is needed to render pictures: apt-get install graphviz "
            "(or brew install graphviz), or leave out --output (the summary and --dot need none)"
        )
    written = []
    for fmt in ("svg", "png"):
        target = output.with_suffix(f".{fmt}")
        subprocess.run(
            ["dot", f"-T{fmt}", "-o", str(target)], input=dot_source, text=True, check=True
        )
        written.append(target)
    return written
