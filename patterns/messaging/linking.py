"""References between the templates of one cloud assembly, followed: a nested stack's
parameters to its parent's values and its outputs into the parent, ``Fn::ImportValue`` to the
export of another stack, ``Fn::GetStackOutput`` to the output it reads.

:class:`AssemblyModel` is the whole assembly as one model: every template's resources under one
set of keys, each reference to another template replaced by what it stands for, so the rules
walk a hop between stacks (a topic in one stack, its subscription and queue in another, a
nested stack's parameter) as they walk a hop inside one. A reference is unknown only where
it leaves the app: a parameter given at deploy, an import no stack of the app exports, a value
read at deploy (an SSM parameter); :meth:`AssemblyModel.reference` names such a reference
briefly (``import Shared-QueueArn``), as the flow graph labels the node it draws for it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from patterns.messaging.model import (
    WILDCARD,
    LiteralValue,
    Location,
    Resolved,
    StackModel,
    Target,
    Unknown,
    get_att_parts,
    sub_parts,
)

if TYPE_CHECKING:
    from patterns.cloud_assembly import LoadedStack

# A reference that cannot be followed, with what could not be followed: an intrinsic of ours,
# never written by CloudFormation, that the linked model resolves to Unknown(reason).
UNFOLLOWED = "Fn::Unfollowed"
_SUB_REFERENCE = re.compile(r"\$\{([^}!][^}]*)\}")


class AssemblyModel(StackModel):
    """Every template of a cloud assembly as one model, references between templates followed.

    A resource's key is its logical ID where no other template uses that ID, else
    ``<template>/<logical ID>`` (nested stacks built from one construct share their IDs);
    :meth:`locate` says which template and logical ID a key names.
    """

    def __init__(self, stacks: list[LoadedStack]) -> None:
        self.stacks = stacks
        self._templates = {s.name: s for s in stacks}
        self._children = {(s.parent, s.parent_resource): s for s in stacks if s.parent}
        # Export name -> the stacks that export it (one per account and region, at most).
        self._exports: dict[str, list[tuple[LoadedStack, Any]]] = {}
        self._linked: dict[tuple[str, str, str], Any] = {}
        self._reasons: dict[str, str] = {}  # unset parameter's key -> what it is
        self._references: dict[str, str] = {}  # reason -> the reference it explains
        self._unset: dict[str, Any] = {}
        self._keys: dict[str, dict[str, str]] = {}
        self._located: dict[str, Location] = {}
        ids = Counter(i for s in stacks for i in (s.template.get("Resources") or {}))
        self._parameter_ids = Counter(
            p for s in stacks if not s.parent for p in (s.template.get("Parameters") or {})
        )
        for stack in stacks:
            keys = self._keys[stack.name] = {}
            for logical_id in stack.template.get("Resources") or {}:
                key = logical_id if ids[logical_id] == 1 else f"{stack.name}/{logical_id}"
                keys[logical_id] = key
                self._located[key] = Location(stack.name, logical_id, stack.template_file)
            for export_name, value in _exports(stack.template):
                self._exports.setdefault(export_name, []).append((stack, value))
        resources: dict[str, dict[str, Any]] = {}
        for stack in stacks:
            keys = self._keys[stack.name]
            for logical_id, resource in (stack.template.get("Resources") or {}).items():
                resources[keys[logical_id]] = self._link_resource(stack, logical_id, resource)
        # Resources that share a physical name (the same stack in several stages).
        self._same_name: dict[tuple[str, str | None], list[str]] = {}
        super().__init__({"Resources": resources, "Parameters": self._unset}, "")
        for key in self.resources:
            name = self.arn_name(key)
            if name is not None:
                self._same_name.setdefault((self.type_of(key), name), []).append(key)

    # --- where a key is --------------------------------------------------------------------

    def locate(self, key: str) -> Location:
        return self._located.get(key) or Location(self.name, key)

    def key_of(self, stack: str, logical_id: str) -> str | None:
        """The key of a resource of one template (None if it has no such resource)."""
        return self._keys.get(stack, {}).get(logical_id)

    # --- references ------------------------------------------------------------------------

    def reference(self, target: Unknown) -> str:
        """What an unknown target refers to, without why it cannot be followed
        (``import Shared-QueueArn`` for the reason ``import Shared-QueueArn, which no stack of
        this app exports``); the reason itself where it is not a reference to another template."""
        return self._references.get(target.reason, target.reason)

    def _unfollowed(self, reference: str, why: str) -> dict[str, str]:
        """A reference that cannot be followed, then why (``why`` starts with its separator);
        :meth:`resolve` reads it as Unknown."""
        reason = f"{reference}{why}"
        self._references[reason] = reference
        return {UNFOLLOWED: reason}

    def resolve(self, value: Any) -> Target:
        if isinstance(value, dict) and len(value) == 1:
            key, argument = next(iter(value.items()))
            if key == UNFOLLOWED:
                return Unknown(str(argument))
            if key == "Ref" and isinstance(argument, str) and argument in self._reasons:
                return Unknown(self._reasons[argument])
        return super().resolve(value)

    def _resolve_text(self, text: str) -> Target:
        """A literal ARN names a resource of the app only in the account and region of its
        stack, where the stack's environment says them (by name alone otherwise): of several
        resources with the name (one per stage, say), the one of the ARN's account."""
        target = super()._resolve_text(text)
        fields = text.split(":", 5)
        if not isinstance(target, Resolved) or len(fields) < 6 or not text.startswith("arn:"):
            return target
        kind = self.type_of(target.logical_id)
        named = self._same_name.get((kind, self.arn_name(target.logical_id)), [])
        for candidate in [target.logical_id, *named]:
            if self._in_environment(candidate, account=fields[4], region=fields[3]):
                return Resolved(candidate, target.attribute)
        return LiteralValue(text)

    def account_of(self, logical_id: str) -> str | None:
        where = self._templates.get(self.locate(logical_id).stack)
        account = (where.environment if where else "").removeprefix("aws://").split("/")[0]
        return account if re.fullmatch(r"\d{12}", account) else None

    def _in_environment(self, key: str, *, account: str, region: str) -> bool:
        where = self._templates.get(self.locate(key).stack)
        environment = (where.environment if where else "").removeprefix("aws://").split("/")
        for stated, known in zip((account, region), environment, strict=False):
            literal = stated and WILDCARD not in stated
            if literal and known and stated != known and not known.startswith("unknown-"):
                return False
        return True

    # --- linking ---------------------------------------------------------------------------

    def _link_resource(
        self, stack: LoadedStack, logical_id: str, resource: dict[str, Any]
    ) -> dict[str, Any]:
        linked = dict(resource)
        if "Properties" in resource:
            linked["Properties"] = self._link(stack, resource["Properties"])
        depends = resource.get("DependsOn")
        if depends is not None:
            keys = self._keys[stack.name]
            names = depends if isinstance(depends, list) else [depends]
            linked["DependsOn"] = [keys.get(str(n), str(n)) for n in names]
        metadata = resource.get("Metadata")
        path = stack.paths.get(logical_id)
        if path and not (isinstance(metadata, dict) and "aws:cdk:path" in metadata):
            linked["Metadata"] = {
                **(metadata if isinstance(metadata, dict) else {}),
                "aws:cdk:path": path,
            }
        return linked

    def _link(self, stack: LoadedStack, value: Any) -> Any:
        if isinstance(value, list):
            return [self._link(stack, item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            key, argument = next(iter(value.items()))
            if key == "Ref" and isinstance(argument, str):
                return self._ref(stack, argument)
            if key == "Fn::GetAtt":
                return self._get_att(stack, argument)
            if key == "Fn::ImportValue":
                return self._import(stack, argument)
            if key == "Fn::GetStackOutput" and isinstance(argument, dict):
                return self._stack_output(stack, argument)
            if key == "Fn::Sub":
                return self._sub(stack, argument)
        return {key: self._link(stack, item) for key, item in value.items()}

    def _ref(self, stack: LoadedStack, name: str) -> Any:
        key = self._keys[stack.name].get(name)
        if key is not None:
            return {"Ref": key}
        if name in (stack.template.get("Parameters") or {}):
            return self._once(stack, "parameter", name, lambda: self._parameter(stack, name))
        return {"Ref": name}  # a pseudo parameter

    def _get_att(self, stack: LoadedStack, argument: Any) -> Any:
        parts = get_att_parts(argument)
        if parts is None:
            return {"Fn::GetAtt": self._link(stack, argument)}
        logical_id, attribute = parts
        key = self._keys[stack.name].get(logical_id)
        if key is None:
            return self._unfollowed(
                f"attribute {attribute} of {logical_id}", f", not in {stack.name}"
            )
        child = self._children.get((stack.name, logical_id))
        if isinstance(attribute, str) and attribute.startswith("Outputs.") and child is not None:
            return self._output(child, attribute.removeprefix("Outputs."))
        return {"Fn::GetAtt": [key, self._link(stack, attribute)]}

    def _parameter(self, stack: LoadedStack, name: str) -> Any:
        definition = (stack.template.get("Parameters") or {}).get(name) or {}
        parent = self._templates.get(stack.parent or "")
        if parent is not None and stack.parent_resource is not None:
            resource = (parent.template.get("Resources") or {}).get(stack.parent_resource) or {}
            properties = resource.get("Properties")
            values = properties.get("Parameters") if isinstance(properties, dict) else None
            if isinstance(values, dict) and name in values:
                return self._link(parent, values[name])
            why = f" of {stack.name}, which its parent does not set"
            return self._unfollowed(f"parameter {name}", why)
        key = name if self._parameter_ids[name] == 1 else f"{stack.name}/{name}"
        self._unset[key] = definition
        kind = str(definition.get("Type", "")) if isinstance(definition, dict) else ""
        if kind.startswith("AWS::SSM::Parameter::Value"):
            where = definition.get("Default", "?")
            self._reasons[key] = f"parameter {name} of {stack.name}, read from SSM {where}"
        else:
            self._reasons[key] = f"parameter {name} of {stack.name}, given at deploy"
        self._references[self._reasons[key]] = f"parameter {name}"
        return {"Ref": key}

    def _output(self, stack: LoadedStack, name: str) -> Any:
        outputs = stack.template.get("Outputs") or {}
        if name not in outputs or not isinstance(outputs[name], dict):
            return self._unfollowed(f"output {name} of {stack.name}", ", which it does not have")
        value = outputs[name].get("Value")
        return self._once(stack, "output", name, lambda: self._link(stack, value))

    def _import(self, stack: LoadedStack, argument: Any) -> Any:
        if not isinstance(argument, str):
            return self._unfollowed("an import", ", whose name is computed at deploy")
        # An import reads the export of its own account and region.
        found = self._exports.get(argument, [])
        if len(found) > 1:
            found = [e for e in found if e[0].environment == stack.environment]
        if len(found) != 1:
            return self._unfollowed(f"import {argument}", ", which no stack of this app exports")
        exporter, value = found[0]
        return self._once(exporter, "export", argument, lambda: self._link(exporter, value))

    def _stack_output(self, stack: LoadedStack, reference: dict[str, Any]) -> Any:
        wanted, name = reference.get("StackName"), reference.get("OutputName")
        for other in self.stacks:
            names = (other.stack_name, other.name, other.name.replace("/", "-"))
            if not other.parent and wanted in names and isinstance(name, str):
                return self._output(other, name)
        return self._unfollowed(f"output {name} of stack {wanted}", ", which is not in this app")

    def _sub(self, stack: LoadedStack, argument: Any) -> Any:
        parts = sub_parts(argument)
        if parts is None:
            return {"Fn::Sub": self._link(stack, argument)}
        text, variables = parts
        linked = {name: self._link(stack, value) for name, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return match.group(0)
            if "." in name:
                value = self._get_att(stack, name.split(".", 1))
            elif name in self._keys[stack.name] or name in (stack.template.get("Parameters") or {}):
                value = self._ref(stack, name)
            else:
                return match.group(0)  # a pseudo parameter
            variable = f"Linked{len(linked)}"
            linked[variable] = value
            return "${" + variable + "}"

        return {"Fn::Sub": [_SUB_REFERENCE.sub(replace, text), linked]}

    def _once(self, stack: LoadedStack, kind: str, name: str, link: Any) -> Any:
        """What a parameter, output or export of a template stands for, linked once."""
        memo = (stack.name, kind, name)
        if memo not in self._linked:
            cycle = f"{kind} {name} of {stack.name}, which refers to itself"
            self._linked[memo] = {UNFOLLOWED: cycle}
            self._linked[memo] = link()
        return self._linked[memo]


def _exports(template: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(export name, value) of each output of the template that is exported by name."""
    for output in (template.get("Outputs") or {}).values():
        export = output.get("Export") if isinstance(output, dict) else None
        name = export.get("Name") if isinstance(export, dict) else None
        if isinstance(name, str):
            yield name, output.get("Value")
