"""What an edge of the flow graph says about its route: what distinguishes an EventBridge rule
from its siblings on the same bus, and a consumer's filter (an event source mapping's or a
pipe's FilterCriteria; an SNS subscription's filter policy is written by ``flows`` itself).
Pure Python over a template.
"""

from __future__ import annotations

import json

from patterns.messaging.model import StackModel, as_json_object, as_list, text_of


def filter_label(criteria: object) -> str:
    """An event source's FilterCriteria as a label line ("" when it has none)."""
    filters = criteria.get("Filters") if isinstance(criteria, dict) else None
    patterns = []
    for item in as_list(filters):
        pattern = as_json_object(item.get("Pattern")) if isinstance(item, dict) else None
        if pattern:
            patterns.append(json.dumps(pattern, sort_keys=True, separators=(",", ":")))
    return f"\nfilter {' or '.join(patterns)}" if patterns else ""


def _is_reference(value: object) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = str(next(iter(value)))
    return key == "Ref" or key.startswith("Fn::")


def _pattern_items(pattern: object, path: str = "") -> list[tuple[str, str]]:
    """An event pattern as (field path, what it matches) pairs; references (a bucket's name,
    drawn as its own hop) are left out."""
    if _is_reference(pattern):
        return []
    if isinstance(pattern, dict):
        items = []
        for key in sorted(pattern):
            items += _pattern_items(pattern[key], f"{path}.{key}" if path else str(key))
        return items
    values = []
    for value in as_list(pattern):
        if _is_reference(value):
            continue
        if isinstance(value, dict):
            values += [
                f"{k} {json.dumps(v) if not isinstance(v, str) else v}"
                for k, v in sorted(value.items())
            ]
        else:
            values.append(str(value))
    return [(path, " | ".join(values))] if values else []


_FIRST = {"source": 0, "detail-type": 1}


def _show(path: str, matched: str) -> str:
    if path in ("source", "detail-type"):
        return matched
    return f"{path.removeprefix('detail.')} {matched}"


def route_labels(model: StackModel) -> dict[str, str]:
    """Each EventBridge rule's label: what distinguishes its route. Among rules on the same bus
    for the same sources, the fields of the pattern they do not all share; for a rule alone
    there, its pattern without the source (the hop into the rule shows where events come from)."""
    groups: dict[tuple[str, str], list[tuple[str, list[tuple[str, str]]]]] = {}
    for rule_id, props in model.of_type("AWS::Events::Rule"):
        pattern = as_json_object(props.get("EventPattern"))
        if not pattern:
            continue
        bus = text_of(model, props.get("EventBusName")) or "default"
        sources = json.dumps(sorted(str(s) for s in as_list(pattern.get("source"))))
        items = sorted(_pattern_items(pattern), key=lambda i: (_FIRST.get(i[0], 2), i[0]))
        groups.setdefault((bus, sources), []).append((rule_id, items))
    labels = {}
    for members in groups.values():
        if len(members) > 1:
            shared = set.intersection(*(set(items) for _, items in members))
        else:
            shared = {item for item in members[0][1] if item[0] == "source"}
        for rule_id, items in members:
            own = [_show(path, matched) for path, matched in items if (path, matched) not in shared]
            every = [
                _show(path, matched) for path, matched in items if path in ("source", "detail-type")
            ]
            labels[rule_id] = ", ".join(own or every)
    return labels
