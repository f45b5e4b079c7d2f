"""Reading a synthesized cloud assembly: its stacks, their resources, nested templates too.

Pure Python over the JSON of ``cdk.out`` (no aws-cdk-lib import), so it reads any assembly.
An assembly that cannot be read raises ``AssemblyError`` naming the file and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class AssemblyError(ValueError):
    """The folder is not a readable cloud assembly (no manifest, bad JSON, missing template)."""


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text())
    except FileNotFoundError:
        raise AssemblyError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AssemblyError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(value, dict):
        raise AssemblyError(f"{path}: expected a JSON object")
    return value


def template_resources(template_file: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (logical id, resource) of a template and of the nested templates it references."""
    resources = _read_json(template_file).get("Resources") or {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        yield logical_id, resource
        if resource.get("Type") == "AWS::CloudFormation::Stack":
            asset = resource.get("Metadata", {}).get("aws:asset:path")
            if asset and (template_file.parent / asset).exists():
                yield from template_resources(template_file.parent / asset)


def stack_templates(assembly_dir: str | Path) -> list[tuple[str, Path]]:
    """(stack name, template file) of every stack in the assembly, stages included."""
    assembly = Path(assembly_dir)
    if not assembly.is_dir():
        raise AssemblyError(f"{assembly}: no such folder (synthesize first: cdk synth)")
    if not (assembly / "manifest.json").exists():
        raise AssemblyError(
            f"{assembly}: not a cloud assembly (no manifest.json; synthesize first: cdk synth)"
        )
    manifest = _read_json(assembly / "manifest.json")
    stacks: list[tuple[str, Path]] = []
    for name, artifact in (manifest.get("artifacts") or {}).items():
        properties = artifact.get("properties", {}) if isinstance(artifact, dict) else {}
        kind = artifact.get("type") if isinstance(artifact, dict) else None
        if kind == "aws:cloudformation:stack" and "templateFile" in properties:
            stacks.append((name, assembly / properties["templateFile"]))
        elif kind == "cdk:cloud-assembly" and "directoryName" in properties:
            stacks += stack_templates(assembly / properties["directoryName"])
    return stacks
