"""References between the templates of one cloud assembly, followed: a nested stack's
parameters to its parent's values and its outputs into the parent, ``Fn::ImportValue`` to the
export of another stack, ``Fn::GetStackOutput`` to the output it reads.

The rules judge each template alone (what they cannot follow is a note); the flow graph reads
templates through :class:`LinkedModel`, whose references into another template of the
assembly resolve to :class:`Linked` (an ``Unknown`` to anything that does not look further).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from patterns.messaging.assembly import LoadedStack
from patterns.messaging.model import Resolved, StackModel, Target, Unknown


@dataclass(frozen=True)
class Linked(Unknown):
    """A resource of another template of the assembly (an export, a nested stack's parent or
    child): unknown to the template's own rules, followed by the flow graph."""

    stack: str = ""
    logical_id: str = ""


class LinkedModel(StackModel):
    """A template whose references to other templates of the assembly resolve to ``Linked``."""

    def __init__(self, loaded: LoadedStack, assembly: Assembly) -> None:
        super().__init__(loaded.template, loaded.name)
        self.loaded = loaded
        self.assembly = assembly

    def resolve(self, value: Any) -> Target:
        target = super().resolve(value)
        if (
            isinstance(target, Resolved)
            and self.type_of(target.logical_id) == "AWS::CloudFormation::Stack"
            and (target.attribute or "").startswith("Outputs.")
        ):
            return self.assembly.output(self.name, target.logical_id, str(target.attribute)[8:])
        if isinstance(target, Unknown) and isinstance(value, dict) and len(value) == 1:
            key, argument = next(iter(value.items()))
            if key == "Ref" and argument in self.parameters:
                return self.assembly.parameter(self, str(argument))
            if key == "Fn::ImportValue" and isinstance(argument, str):
                return self.assembly.export(argument)
            if key == "Fn::GetStackOutput" and isinstance(argument, dict):
                return self.assembly.stack_output(argument)
        return target


class Assembly:
    """Every template of a cloud assembly, with references between templates followed."""

    def __init__(self, stacks: list[LoadedStack]) -> None:
        self.stacks = stacks
        self.models = {s.name: LinkedModel(s, self) for s in stacks}
        self.exports: dict[str, tuple[str, Any]] = {}
        for model in self.models.values():
            for output in (model.template.get("Outputs") or {}).values():
                name = (output.get("Export") or {}).get("Name")
                if isinstance(name, str):
                    self.exports[name] = (model.name, output.get("Value"))

    def _linked(self, model: StackModel, target: Target) -> Target:
        if isinstance(target, Resolved):
            return Linked(f"{model.name}/{target.logical_id}", model.name, target.logical_id)
        return target

    def output(self, stack: str, nested: str, name: str) -> Target:
        child = self.models.get(f"{stack}/{nested}")
        outputs = (child.template.get("Outputs") or {}) if child else {}
        if child is None or name not in outputs:
            return Unknown(f"output {name} of nested stack {nested}")
        return self._linked(child, child.resolve(outputs[name].get("Value")))

    def parameter(self, model: LinkedModel, name: str) -> Target:
        parent = self.models.get(model.loaded.parent or "")
        if parent is None or model.loaded.parent_resource is None:
            return Unknown(f"parameter {name}")
        values = parent.props(model.loaded.parent_resource).get("Parameters") or {}
        if name not in values:
            return Unknown(f"parameter {name}")
        return self._linked(parent, parent.resolve(values[name]))

    def stack_output(self, reference: dict[str, Any]) -> Target:
        """An output of another stack read with Fn::GetStackOutput (CDK's cross-stack reads)."""
        stack, name = reference.get("StackName"), reference.get("OutputName")
        found = [m for m in self.models.values() if stack in (m.name, m.name.replace("/", "-"))]
        outputs = (found[0].template.get("Outputs") or {}) if found else {}
        if not isinstance(name, str) or name not in outputs:
            return Unknown(f"output {name} of stack {stack}")
        return self._linked(found[0], found[0].resolve(outputs[name].get("Value")))

    def export(self, name: str) -> Target:
        if name not in self.exports:
            return Unknown(f"import {name}")
        stack, value = self.exports[name]
        model = self.models[stack]
        return self._linked(model, model.resolve(value))
