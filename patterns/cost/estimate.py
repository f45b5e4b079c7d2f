"""From a synthesized assembly (or one template) to each stack's cost lines."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from patterns.cost.assembly import stack_templates, template_resources
from patterns.cost.fixed import fixed_lines
from patterns.cost.lines import StackCost
from patterns.cost.variable import variable_lines


def estimate(assembly_dir: str | Path, message_kb: int = 1) -> list[StackCost]:
    """The cost lines of every stack of a synthesized assembly (cdk.out)."""
    costs = []
    for name, template_file in stack_templates(assembly_dir):
        resources = list(template_resources(template_file))
        costs.append(
            StackCost(
                name,
                tuple(fixed_lines(resources)),
                tuple(variable_lines(resources, message_kb)),
            )
        )
    return costs


def estimate_template(template: Mapping[str, Any], message_kb: int = 1) -> StackCost:
    """The cost lines of one template given as a dict (no nested stacks)."""
    resources = [(k, dict(v)) for k, v in template.get("Resources", {}).items()]
    return StackCost(
        "template",
        tuple(fixed_lines(resources)),
        tuple(variable_lines(resources, message_kb)),
    )
