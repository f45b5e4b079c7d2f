"""Every template of a cloud assembly: its stacks, those of nested stages, nested stacks.

Read from ``manifest.json`` and the files it names, so it serves apps in any CDK language and
needs neither the CDK nor Node; acknowledgements (``Validations.of(c).acknowledge(...)``) and
each resource's construct path come from the assembly's metadata.

:func:`check_assembly` is the one entry point of the checks: every rule over the whole
assembly read as one linked model (:class:`~patterns.messaging.linking.AssemblyModel`), each
finding with its stack, template file, logical ID, construct path, level and acknowledgement.
The command (``python -m patterns.checks``), the pack and the flow graph read it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from patterns.messaging.linking import AssemblyModel
from patterns.messaging.rules import INFO, PACK_NAME, Finding, check_template

ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
LOGICAL_ID = "aws:cdk:logicalId"


@dataclass(frozen=True)
class LoadedStack:
    """One template of the assembly: a stack or a nested stack."""

    name: str
    template: dict[str, Any]
    paths: dict[str, str]  # logical ID -> construct path, from the assembly's metadata
    parent: str | None = None  # the template of the stack that holds this nested stack
    parent_resource: str | None = None  # its AWS::CloudFormation::Stack logical ID there
    template_file: str = ""  # the template's file, relative to the assembly's folder
    stack_name: str = ""  # the CloudFormation stack name (a top-level stack's)
    environment: str = ""  # aws://<account>/<region> (unknown-account for agnostic stacks)


def _artifacts(assembly: Path) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    manifest = json.loads((assembly / "manifest.json").read_text())
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        yield assembly, artifact_id, artifact
        if artifact.get("type") == "cdk:cloud-assembly":
            directory = artifact.get("properties", {}).get("directoryName")
            if directory and (assembly / directory / "manifest.json").exists():
                yield from _artifacts(assembly / directory)


def load_stacks(assembly: Path) -> tuple[list[LoadedStack], dict[str, dict[str, str]]]:
    """Every template of the assembly, and the acknowledgements by construct path."""
    stacks: list[LoadedStack] = []
    acknowledgements: dict[str, dict[str, str]] = {}
    for folder, artifact_id, artifact in _artifacts(assembly):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template_file = artifact.get("properties", {}).get("templateFile")
        if not template_file:
            continue
        name = artifact.get("displayName", artifact_id)
        template = json.loads((folder / template_file).read_text())
        metadata = dict(artifact.get("metadata") or {})
        extra = artifact.get("additionalMetadataFile")
        if extra and (folder / extra).exists():
            metadata.update(json.loads((folder / extra).read_text()))
        paths: dict[str, str] = {}
        for path, entries in metadata.items():
            for entry in entries:
                if entry.get("type") == ACKNOWLEDGED_RULES and isinstance(entry.get("data"), dict):
                    acknowledgements.setdefault(path.lstrip("/"), {}).update(entry["data"])
                if entry.get("type") == LOGICAL_ID and isinstance(entry.get("data"), str):
                    paths.setdefault(entry["data"], path.lstrip("/"))
        stack = LoadedStack(
            name,
            template,
            paths,
            template_file=(folder / template_file).relative_to(assembly).as_posix(),
            stack_name=str(artifact.get("properties", {}).get("stackName") or artifact_id),
            environment=str(artifact.get("environment", "")),
        )
        stacks += list(_with_nested(assembly, folder, stack))
    return stacks, acknowledgements


def _asset_files(folder: Path) -> dict[str, str]:
    """Object key -> file in the assembly, from its asset manifests (nested stack templates)."""
    files: dict[str, str] = {}
    for manifest in folder.glob("*.assets.json"):
        for asset in json.loads(manifest.read_text()).get("files", {}).values():
            source = asset.get("source", {}).get("path")
            for destination in asset.get("destinations", {}).values():
                if source and destination.get("objectKey"):
                    files[destination["objectKey"]] = source
    return files


def _with_nested(assembly: Path, folder: Path, stack: LoadedStack) -> Iterator[LoadedStack]:
    """The stack, then its nested stacks (theirs too), read from the assembly's folder."""
    yield stack
    assets: dict[str, str] | None = None
    for logical_id, resource in (stack.template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::CloudFormation::Stack":
            continue
        source = (resource.get("Metadata") or {}).get("aws:asset:path")
        if not source:
            # Without asset metadata, the template URL ends in the asset's object key.
            url = json.dumps((resource.get("Properties") or {}).get("TemplateURL"))
            assets = _asset_files(folder) if assets is None else assets
            source = next((path for key, path in assets.items() if key in url), None)
        if source and (folder / source).is_file():
            nested = LoadedStack(
                f"{stack.name}/{logical_id}",
                json.loads((folder / source).read_text()),
                {},
                stack.name,
                logical_id,
                (folder / source).relative_to(assembly).as_posix(),
                environment=stack.environment,
            )
            yield from _with_nested(assembly, folder, nested)


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

    Raises ``FileNotFoundError`` or ``ValueError`` (a JSON error) when the folder is not a
    readable cloud assembly.
    """
    stacks, acknowledgements = load_stacks(assembly)
    return check_stacks(stacks, acknowledgements)
