"""From a synthesized assembly (or one template) to each stack's billed lines."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from patterns.cost.assembly import AssemblyError, stack_templates, template_resources
from patterns.cost.context import Template
from patterns.cost.coverage import template_cost
from patterns.cost.lines import Assumptions, StackCost


def estimate(assembly_dir: str | Path, assumptions: Assumptions | None = None) -> list[StackCost]:
    """The billed lines of every stack of a synthesized assembly (cdk.out)."""
    assumed = assumptions or Assumptions()
    stacks = stack_templates(assembly_dir)
    if not stacks:
        raise AssemblyError(f"{assembly_dir}: the assembly holds no stack")
    return [
        template_cost(name, Template(tuple(template_resources(path)), assumed))
        for name, path in stacks
    ]


def estimate_template(
    template: Mapping[str, Any], assumptions: Assumptions | None = None, name: str = "template"
) -> StackCost:
    """The billed lines of one template given as a dict (no nested stacks)."""
    resources = tuple((k, dict(v)) for k, v in (template.get("Resources") or {}).items())
    return template_cost(name, Template(resources, assumptions or Assumptions()))
