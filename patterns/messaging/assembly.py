"""Every template of a cloud assembly: its stacks, those of nested stages, nested stacks.

Read from ``manifest.json`` and the files it names, so it serves apps in any CDK language and
needs neither the CDK nor Node; acknowledgements (``Validations.of(c).acknowledge(...)``) and
each resource's construct path come from the assembly's metadata.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patterns.messaging.rules import PACK_NAME, Finding

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
        stacks += list(_with_nested(folder, name, template, paths))
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


def _with_nested(
    folder: Path,
    name: str,
    template: dict[str, Any],
    paths: dict[str, str],
    parent: tuple[str, str] | None = None,
) -> Iterator[LoadedStack]:
    yield LoadedStack(name, template, paths, *(parent or (None, None)))
    assets: dict[str, str] | None = None
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::CloudFormation::Stack":
            continue
        source = (resource.get("Metadata") or {}).get("aws:asset:path")
        if not source:
            # Without asset metadata, the template URL ends in the asset's object key.
            url = json.dumps((resource.get("Properties") or {}).get("TemplateURL"))
            assets = _asset_files(folder) if assets is None else assets
            source = next((path for key, path in assets.items() if key in url), None)
        if source and (folder / source).is_file():
            nested = json.loads((folder / source).read_text())
            yield from _with_nested(folder, f"{name}/{logical_id}", nested, {}, (name, logical_id))


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
