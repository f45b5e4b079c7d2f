"""``--format sarif``: the findings as a SARIF 2.1.0 log, the format GitHub code scanning and most
CI dashboards read.

One run of the tool ``MessagingChecks`` with one rule entry per rule (its title, why, fix and
sources, as text and as markdown whose sources are links, and a link to its section of
docs/messaging-checks.md when the docs' URL is known),
one result per finding: its level (``error``, ``warning``, or ``note`` for a reference that
could not be followed), the template file and the line of the resource in it, the logical ID
and construct path as a logical location, a fingerprint from the same key as the baseline's,
an acknowledgement as an accepted suppression with its reason, and against a baseline its
``baselineState`` (``new`` or ``unchanged``; fixed entries are listed in the run's properties,
not as results, so that dashboards do not show them as alerts).

Template files are named relative to the source root (the current folder, where CI runs from
the repository root), with ``%SRCROOT%`` as their base, as GitHub code scanning expects paths
relative to the checkout; the log names no folder of the machine it ran on. A template
outside the source root is named by its absolute ``file:`` URI.

Pure Python: it reads the template files only to find the line of each resource.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from patterns.messaging.baseline import entry, key_of
from patterns.messaging.report import Checked, ReportedFinding, counts
from patterns.messaging.rules import ERROR, INFO, RULES, WARNING, Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "MessagingChecks"
DISTRIBUTION = "cdk-decoupling-patterns"
LEVELS: dict[str, str] = {ERROR: "error", WARNING: "warning", INFO: "note"}
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT = "messagingChecksFinding/v1"
# Where docs/messaging-checks.md is published (its rules have anchors there); None while the
# package has no public documentation URL, and then rules carry their full help text only.
DOCS_URL: str | None = None

Locations = dict[tuple[str, str], int]  # (template, logical ID) -> line of the resource


def tool_version() -> str | None:
    """The installed package's version, None when it runs from a source tree."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None


def rule_anchor(rule_id: str) -> str:
    """The anchor of a rule's section in docs/messaging-checks.md (``#messaging-sns1``)."""
    return rule_id.lower()


def resource_lines(text: str) -> dict[str, int]:
    """Logical ID -> the line (from 1) where its resource starts in a template's JSON text.

    Reads CloudFormation's layout as CDK writes it (one key per line); of a template written on
    one line it knows no line, and results point at line 1.
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith('"Resources"')), -1)
    if start < 0:
        return {}
    found: dict[str, int] = {}
    indent: int | None = None
    for number, line in enumerate(lines[start + 1 :], start + 2):
        stripped = line.lstrip()
        depth = len(line) - len(stripped)
        if indent is None and stripped.startswith('"'):
            indent = depth
        if indent is not None and depth < indent and stripped.startswith("}"):
            break
        match = re.match(r'"((?:[^"\\]|\\.)*)"\s*:', stripped)
        if match and depth == indent:
            found.setdefault(match.group(1), number)
    return found


def locate(assembly: Path, templates: Iterable[str]) -> Locations:
    """The line of every resource in the given template files of an assembly."""
    located: Locations = {}
    for template in set(templates):
        try:
            text = (assembly / template).read_text()
        except (OSError, UnicodeDecodeError):
            continue
        for logical_id, line in resource_lines(text).items():
            located[(template, logical_id)] = line
    return located


def artifact_location(file: Path, source_root: Path) -> dict[str, str]:
    """The SARIF artifactLocation of a file: relative to the source root, else absolute."""
    absolute = file.resolve()
    try:
        relative = absolute.relative_to(source_root.resolve())
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": _uri_path(relative), "uriBaseId": SOURCE_ROOT}


def _uri_path(relative: Path) -> str:
    return quote(relative.as_posix())


# Characters a rule's prose uses as text (kms:GenerateDataKey*, dead_letter_queue=,
# [ReportBatchItemFailures]) that markdown would read as syntax.
MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]<>|])")


def _markdown(text: str) -> str:
    return MARKDOWN_SYNTAX.sub(r"\\\1", text)


def rule_entry(current: Rule, docs_url: str | None) -> dict[str, Any]:
    """The rule's entry of the log: its help as text and as markdown (the sources as links),
    and ``helpUri``, its section of the docs, when their URL is known."""
    sources = "\n".join(f"- {url}" for url in current.sources)
    links = "\n".join(f"- <{url}>" for url in current.sources)
    descriptor: dict[str, Any] = {
        "id": current.rule_id,
        "name": current.rule_id,
        "shortDescription": {"text": current.title},
        "fullDescription": {"text": current.why},
        "help": {
            "text": f"{current.why}\n\nFix: {current.fix}\n\nSources:\n{sources}",
            "markdown": (
                f"**Why:** {_markdown(current.why)}\n\n**Fix:** {_markdown(current.fix)}\n\n"
                f"**Sources:**\n\n{links}"
            ),
        },
        "defaultConfiguration": {"level": LEVELS[current.level]},
        "properties": {"tags": ["messaging", "reliability"]},
    }
    if docs_url:
        descriptor["helpUri"] = f"{docs_url}#{rule_anchor(current.rule_id)}"
    return descriptor


def _result(
    finding: ReportedFinding,
    index: dict[str, int],
    location: dict[str, Any],
    baseline_state: str | None,
) -> dict[str, Any]:
    where = finding.path or f"{finding.stack}/{finding.logical_id}"
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": LEVELS[finding.level],
        "message": {"text": f"{finding.message} ({where})"},
        "locations": [location],
        "partialFingerprints": {
            FINGERPRINT: hashlib.sha256("\0".join(key_of(entry(finding))).encode()).hexdigest()
        },
    }
    if finding.acknowledged is not None:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.acknowledged}
        ]
    if baseline_state is not None:
        result["baselineState"] = baseline_state
    return result


def to_sarif(
    checked: Checked,
    *,
    assembly: Path,
    source_root: Path | None = None,
    fail_on: str = ERROR,
    quiet: bool = False,
    docs_url: str | None = DOCS_URL,
) -> str:
    """The SARIF 2.1.0 log of a run (one ``runs`` entry), as JSON text."""
    root = Path(os.getcwd()) if source_root is None else source_root
    index = {current.rule_id: number for number, current in enumerate(RULES)}
    shown = [
        (number, f)
        for number, f in enumerate(checked.findings)
        if not (quiet and f.level == INFO) and f.rule_id in index
    ]
    lines = locate(assembly, {f.template for _, f in shown})
    artifacts = {f.template: artifact_location(assembly / f.template, root) for _, f in shown}
    results = []
    for number, finding in shown:
        location = {
            "physicalLocation": {
                "artifactLocation": artifacts[finding.template],
                "region": {"startLine": lines.get((finding.template, finding.logical_id), 1)},
            },
            "logicalLocations": [
                {
                    "name": finding.logical_id,
                    "fullyQualifiedName": finding.path or f"{finding.stack}/{finding.logical_id}",
                    "kind": "resource",
                }
            ],
        }
        results.append(_result(finding, index, location, checked.state(number)))
    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "rules": [rule_entry(current, docs_url) for current in RULES],
    }
    if docs_url:
        driver["informationUri"] = docs_url
    version = tool_version()
    if version:
        driver["version"] = version
    properties: dict[str, Any] = {
        "templates": checked.templates,
        "failOn": fail_on,
        "summary": counts(checked, fail_on),
    }
    if checked.baseline_file is not None:
        properties["baseline"] = {"file": checked.baseline_file, "fixed": checked.fixed}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "results": results,
                "properties": properties,
            }
        ],
    }
    return json.dumps(log, indent=2)
