"""Reading a synthesized cloud assembly: its stacks, their resources, nested templates too.

Pure Python over the JSON of ``cdk.out`` (no aws-cdk-lib import), so it reads any assembly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any


def resource_path(logical_id: str, resource: Mapping[str, Any]) -> str:
    return str(resource.get("Metadata", {}).get("aws:cdk:path", logical_id))


def literal(value: Any) -> Any:
    """The value if it is a literal; None for an intrinsic function (unknown at synth)."""
    if isinstance(value, dict):
        return None
    return value


def template_resources(template_file: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (logical id, resource) of a template and of the nested templates it references."""
    template = json.loads(template_file.read_text())
    for logical_id, resource in template.get("Resources", {}).items():
        yield logical_id, resource
        if resource.get("Type") == "AWS::CloudFormation::Stack":
            asset = resource.get("Metadata", {}).get("aws:asset:path")
            if asset and (template_file.parent / asset).exists():
                yield from template_resources(template_file.parent / asset)


def stack_templates(assembly_dir: str | Path) -> list[tuple[str, Path]]:
    """(stack name, template file) of every stack in the assembly, stages included."""
    assembly = Path(assembly_dir)
    manifest = json.loads((assembly / "manifest.json").read_text())
    stacks: list[tuple[str, Path]] = []
    for name, artifact in manifest.get("artifacts", {}).items():
        properties = artifact.get("properties", {})
        if artifact.get("type") == "aws:cloudformation:stack":
            stacks.append((name, assembly / properties["templateFile"]))
        elif artifact.get("type") == "cdk:cloud-assembly":
            stacks += stack_templates(assembly / properties["directoryName"])
    return stacks
