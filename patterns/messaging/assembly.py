"""The rules over a cloud assembly read by :mod:`patterns.cloud_assembly` (every template:
stacks, those of nested stages, nested stacks; acknowledgements and construct paths from its
metadata).

:func:`check_assembly` is the one entry point of the checks: every rule over the whole
assembly read as one linked model (:class:`~patterns.messaging.linking.AssemblyModel`), each
finding with its stack, template file, logical ID, construct path, level and acknowledgement.
The command (``python -m patterns.checks``), the pack and the flow graph read it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from patterns.cloud_assembly import LoadedStack, read_assembly
from patterns.messaging.linking import AssemblyModel
from patterns.messaging.rules import INFO, PACK_NAME, Finding, check_template


def acknowledged(finding: Finding, acknowledgements: dict[str, dict[str, str]]) -> str | None:
    """The reason of an acknowledgement on the finding's construct or a parent, if any."""
    ids = (f"{PACK_NAME}::{finding.rule_id}", finding.rule_id)
    path = finding.path
    while path:
        for rule_id in ids:
            reason = acknowledgements.get(path, {}).get(rule_id)
            if reason is not None:
                return reason
        path = path.rpartition("/")[0]
    return None


def check_stacks(
    stacks: list[LoadedStack], acknowledgements: dict[str, dict[str, str]]
) -> list[Finding]:
    """Every rule over the templates as one linked model; findings in rule order, each with
    the reason of the acknowledgement that applies to it (notes are never acknowledged)."""
    return check_model(AssemblyModel(stacks), acknowledgements)


def check_model(model: AssemblyModel, acknowledgements: dict[str, dict[str, str]]) -> list[Finding]:
    """:func:`check_stacks` over a linked model already built (the flow graph reads it too)."""
    findings = []
    for finding in check_template(model):
        if finding.level != INFO:
            reason = acknowledged(finding, acknowledgements)
            if reason is not None:
                finding = replace(finding, acknowledged=reason)
        findings.append(finding)
    return findings


def check_assembly(assembly: Path) -> list[Finding]:
    """Every finding of the rules over a cloud assembly folder (``cdk.out``).

    Raises :class:`~patterns.cloud_assembly.UnreadableAssemblyError` when the folder is not a
    readable cloud assembly.
    """
    read = read_assembly(assembly)
    return check_stacks(read.stacks, read.acknowledgements)
