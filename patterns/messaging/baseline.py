"""A baseline of the messaging checks: today's open findings, recorded so that later runs fail
only on new ones (``--write-baseline FILE``, then ``--baseline FILE``).

A finding is matched by what stays put while an app evolves: its rule ID and its construct
path (which starts with its stack's path), or, where the assembly records no construct path,
its rule ID, stack name and logical ID. Messages are kept in the file for the reader but never
compared: they name tokens, sizes and other resources that change with unrelated edits. The
same key twice (one rule, one resource, two findings) is matched by count: a third finding of
that rule on that resource is new.

The file (JSON, sorted, one entry per finding, so it diffs well in review)::

    {"version": 1, "findings": [{"rule": "Messaging-SQS2", "stack": "Orders",
      "path": "Orders/Queue/Resource", "logicalId": "QueueABC123", "level": "error",
      "message": "..."}]}

Pure Python.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from patterns.messaging.report import NEW, UNCHANGED, ReportedFinding, is_open

BASELINE_VERSION = 1
Entry = dict[str, str | None]
Key = tuple[str, ...]


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message is one line for the user."""


def entry(finding: ReportedFinding) -> Entry:
    return {
        "rule": finding.rule_id,
        "stack": finding.stack,
        "path": finding.path,
        "logicalId": finding.logical_id,
        "level": finding.level,
        "message": finding.message,
    }


def key_of(item: Entry) -> Key:
    """What a finding is matched by: rule and construct path, else rule, stack and logical ID."""
    if item.get("path"):
        return (str(item["rule"]), str(item["path"]))
    return (str(item["rule"]), str(item["stack"]), str(item["logicalId"]))


def render(findings: Sequence[ReportedFinding]) -> str:
    """The baseline file recording every open finding (errors and warnings not acknowledged)."""
    entries = sorted(
        (entry(f) for f in findings if is_open(f)),
        key=lambda e: (*key_of(e), str(e["message"])),
    )
    return json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n"


def write(path: Path, findings: Sequence[ReportedFinding]) -> int:
    """Write the baseline of ``findings`` to ``path``; the number of entries written."""
    text = render(findings)
    try:
        path.write_text(text)
    except OSError as error:
        raise BaselineError(f"cannot write the baseline {path}: {error.strerror}") from error
    return sum(1 for f in findings if is_open(f))


def read(path: Path) -> list[Entry]:
    """The entries of a baseline file; BaselineError says in one line what is wrong with it."""
    try:
        document: Any = json.loads(path.read_text())
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {error.strerror}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"the baseline {path} is not valid JSON: {error}") from error
    entries = document.get("findings") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or document.get("version") != BASELINE_VERSION
        or not isinstance(entries, list)
        or not all(_valid(e) for e in entries)
    ):
        raise BaselineError(
            f"{path} is not a baseline of python -m patterns.checks (version "
            f"{BASELINE_VERSION}): write one with --write-baseline"
        )
    return list(entries)


def _valid(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and all(isinstance(item.get(k), str) for k in ("rule", "stack", "logicalId"))
        and (item.get("path") is None or isinstance(item["path"], str))
    )


def compare(
    findings: Sequence[ReportedFinding], entries: Sequence[Entry]
) -> tuple[list[str | None], list[Entry]]:
    """Each finding's state against the baseline (NEW, UNCHANGED, or None when not open), in
    order, and the baseline entries that no open finding matches any more (fixed)."""
    remaining = Counter(key_of(e) for e in entries)
    states: list[str | None] = []
    for finding in findings:
        if not is_open(finding):
            states.append(None)
            continue
        key = key_of(entry(finding))
        if remaining[key] > 0:
            remaining[key] -= 1
            states.append(UNCHANGED)
        else:
            states.append(NEW)
    fixed: list[Entry] = []
    for item in entries:
        key = key_of(item)
        if remaining[key] > 0:
            remaining[key] -= 1
            fixed.append(item)
    return states, fixed
