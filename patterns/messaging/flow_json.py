"""``python -m patterns.flows --format json``: the flow graph as one JSON document, version 1::

    {
      "version": 1,
      "assembly": "cdk.out",
      "stack": null,                         # or the --stack it was limited to
      "summary": {"nodes": 9, "hops": 8, "paths": 3, "broken": 1, "atRisk": 2},
      "nodes": [{"id": "Orders/Queue4A7E3555", "kind": "queue", "stack": "Orders",
                 "path": "Orders/Queue", "verdict": "ok",  # ok, at risk or broken
                 "caught": true, "watched": true,        # null where it does not apply
                 "findings": [...]}],
      "hops": [{"source": "<node id>", "target": "<node id>", "kind": "subscription",
                "label": "...", "verdict": "broken", "caught": null, "watched": null,
                "findings": [{"rule": "Messaging-SNS3", "level": "error", "stack": "Orders",
                              "logicalId": "...", "path": "...", "message": "..."}]}],
      "paths": [{"verdict": "broken", "nodes": ["<node id>", ...]}],   # entry to end
      "unplaced": [...]                      # findings on resources outside the paths
    }

``summary.broken`` and ``summary.atRisk`` count nodes and hops, as the text summary does. Keys
are only ever added within a version. Pure Python.
"""

from __future__ import annotations

import json
from typing import Any

from patterns.messaging.flows import AT_RISK, BROKEN, FAILURE, OK, Edge, FlowGraph, Node, paths
from patterns.messaging.rules import Finding

JSON_VERSION = 1
ORDER = [OK, AT_RISK, BROKEN]


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule_id,
        "level": finding.level,
        "stack": finding.stack,
        "logicalId": finding.logical_id,
        "path": finding.path,
        "message": finding.message,
    }


def _element(item: Node | Edge) -> dict[str, Any]:
    return {
        "verdict": item.verdict,
        "caught": item.caught,
        "watched": item.watched,
        "findings": [_finding(f) for f in item.findings],
    }


def path_verdict(graph: FlowGraph, path: list[Edge | Node]) -> str:
    """The worst verdict on a path: its hops and nodes, and where its nodes send failures."""
    items: list[Node | Edge] = list(path)
    for item in path:
        if isinstance(item, Node):
            items += [e for e in graph.out(item.id, FAILURE) if e.origin[1] != ""]
    return max((i.verdict for i in items), key=ORDER.index)


def to_json(graph: FlowGraph, *, assembly: str, stack: str | None = None) -> str:
    """The JSON document described in this module's docstring."""
    found = paths(graph)
    elements: list[Node | Edge] = [*graph.nodes.values(), *graph.edges]
    document = {
        "version": JSON_VERSION,
        "assembly": assembly,
        "stack": stack,
        "summary": {
            "nodes": len(graph.nodes),
            "hops": len(graph.edges),
            "paths": len(found),
            "broken": sum(1 for e in elements if e.verdict == BROKEN),
            "atRisk": sum(1 for e in elements if e.verdict == AT_RISK),
        },
        "nodes": [
            {"id": n.id, "kind": n.kind, "stack": n.stack, "path": n.path, **_element(n)}
            for n in graph.nodes.values()
        ],
        "hops": [
            {"source": e.source, "target": e.target, "kind": e.kind, "label": e.label} | _element(e)
            for e in graph.edges
        ],
        "paths": [
            {
                "verdict": path_verdict(graph, path),
                "nodes": [item.id for item in path if isinstance(item, Node)],
            }
            for path in found
        ],
        "unplaced": [_finding(f) for f in graph.unplaced],
    }
    return json.dumps(document, indent=2)
