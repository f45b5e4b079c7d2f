"""From a synthesized assembly (or one template) to each stack's billed lines."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from patterns.cloud_assembly import (
    NESTED_STACK,
    CloudAssembly,
    LoadedStack,
    UnreadableAssemblyError,
    read_assembly,
)
from patterns.cost.context import Template
from patterns.cost.coverage import template_cost
from patterns.cost.lines import Assumptions, StackCost


def estimate(assembly_dir: str | Path, assumptions: Assumptions | None = None) -> list[StackCost]:
    """The billed lines of every stack of a synthesized assembly (cdk.out), each with the
    resources of its nested stacks. Raises ``UnreadableAssemblyError`` (one line) when the
    folder is not a readable assembly or holds no stack."""
    assumed = assumptions or Assumptions()
    read = read_assembly(Path(assembly_dir))
    stacks = [s for s in read.stacks if s.parent is None]
    if not stacks:
        raise UnreadableAssemblyError(f"{assembly_dir}: the assembly holds no stack")
    return [
        template_cost(stack.artifact_id, Template(tuple(_resources(read, stack)), assumed))
        for stack in stacks
    ]


def _resources(read: CloudAssembly, stack: LoadedStack) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (logical ID, resource) of the stack, each nested stack's right after its resource."""
    nested = read.nested_in(stack)
    for logical_id, resource in (stack.template.get("Resources") or {}).items():
        yield logical_id, resource
        if resource.get("Type") == NESTED_STACK and logical_id in nested:
            yield from _resources(read, nested[logical_id])


def estimate_template(
    template: Mapping[str, Any], assumptions: Assumptions | None = None, name: str = "template"
) -> StackCost:
    """The billed lines of one template given as a dict (no nested stacks)."""
    resources = tuple((k, dict(v)) for k, v in (template.get("Resources") or {}).items())
    return template_cost(name, Template(resources, assumptions or Assumptions()))
