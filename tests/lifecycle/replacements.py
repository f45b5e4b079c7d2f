"""Which resources would CloudFormation replace when a stack goes from one template to another?

A small, offline stand-in for the change set that ``cdk diff`` asks CloudFormation for. A
resource is *replaced* (a new physical resource is created and the old one deleted) when

- its identity disappears: CloudFormation knows a resource by the stack that holds it and its
  logical ID, so a logical ID that changes, or a construct that moves to another nested stack,
  deletes the old resource and creates a new one (resources are matched across the two
  versions by their ``aws:cdk:path`` metadata, so a move is reported as the move it is);
- its type changes;
- a property listed in the type's ``createOnlyProperties`` changes, in the CloudFormation
  resource provider schemas that cfn-lint ships; and a create-only property that refers
  (``Ref``/``Fn::GetAtt``/``Fn::Sub``) to a replaced resource changes with it, because the
  referenced physical ID does.

What it does not model: updates that replace only for some values (documented per property
as "Some interruptions" or "Replacement" under conditions the schemas do not encode), and
custom resources. Good enough to say which of *our* stateful resources an edit replaces.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint  # type: ignore[import-untyped]

_SCHEMAS = Path(cfnlint.__file__).resolve().parent / "data" / "schemas"
SCHEMA_REGION = "us-east-1"

NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"

# The resources that hold data or messages: replacing one loses what it holds (or, for a key,
# what it encrypts) unless the user asked for it and drained it first.
STATEFUL_TYPES = frozenset(
    {
        "AWS::SQS::Queue",
        "AWS::Kinesis::Stream",
        "AWS::S3::Bucket",
        "AWS::AmazonMQ::Broker",
        "AWS::KMS::Key",
        "AWS::Logs::LogGroup",
        "AWS::DynamoDB::Table",
    }
)

# The property that holds a resource's physical name, where the template may fix one.
NAME_PROPERTIES: Mapping[str, str] = {
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::AmazonMQ::Broker": "BrokerName",
    "AWS::Logs::ResourcePolicy": "PolicyName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::KinesisFirehose::DeliveryStream": "DeliveryStreamName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::EC2::SecurityGroup": "GroupName",
    "AWS::DynamoDB::Table": "TableName",
}


@cache
def _provider_index() -> dict[str, str]:
    index: dict[str, str] = json.loads(
        (_SCHEMAS / "providers" / f"{SCHEMA_REGION}.json").read_text()
    )
    return index


@cache
def create_only_properties(resource_type: str) -> tuple[tuple[str, ...], ...]:
    """The type's ``createOnlyProperties`` as paths below ``Properties`` (cached).

    Raises ``KeyError`` for a type cfn-lint does not know: an unknown type must not pass as
    "nothing is create-only".
    """
    schema_hash = _provider_index()[resource_type]
    schema = json.loads((_SCHEMAS / "resources" / f"{schema_hash}.json").read_text())
    paths = []
    for pointer in schema.get("createOnlyProperties", []):
        parts = pointer.split("/")
        assert parts[:2] == ["", "properties"], f"{resource_type}: unexpected pointer {pointer}"
        paths.append(tuple(parts[2:]))
    return tuple(paths)


@dataclass(frozen=True)
class StackTemplate:
    """A template and the templates of its nested stacks, by their resources' logical IDs."""

    template: Mapping[str, Any]
    nested: Mapping[str, StackTemplate] = field(default_factory=dict)

    @staticmethod
    def from_file(path: Path) -> StackTemplate:
        """Read a template of a cloud assembly and, recursively, its nested stacks' templates.

        A nested stack's template is the assembly file named by its ``aws:asset:path``
        metadata (what CDK writes for every ``NestedStack``).
        """
        template = json.loads(path.read_text())
        nested = {}
        for logical_id, resource in template.get("Resources", {}).items():
            if resource.get("Type") == NESTED_STACK_TYPE:
                asset = resource.get("Metadata", {}).get("aws:asset:path")
                assert asset, f"nested stack {logical_id} of {path.name} names no template file"
                nested[logical_id] = StackTemplate.from_file(path.parent / asset)
        return StackTemplate(template, nested)

    @staticmethod
    def from_stack(stack: Any) -> StackTemplate:
        """The templates of a ``cdk.Stack`` and its nested stacks, synthesized in-process.

        The app is synthesized once (as ``Stage.synth`` caches it) and the templates are read
        from its assembly, nested ones included.
        """
        import aws_cdk as cdk

        assembly = cdk.Stage.of(stack).synth()  # type: ignore[union-attr]
        return _from_assembly(stack, Path(assembly.directory))

    def resources(
        self, stack: tuple[str, ...] = ()
    ) -> Iterator[tuple[ResourceKey, dict[str, Any]]]:
        """Every resource of this template and of its nested stacks, with its identity."""
        for logical_id, resource in self.template.get("Resources", {}).items():
            yield ResourceKey(stack, logical_id), resource
            if logical_id in self.nested:
                yield from self.nested[logical_id].resources((*stack, logical_id))


def _from_assembly(stack: Any, directory: Path) -> StackTemplate:
    import aws_cdk as cdk

    template = json.loads((directory / stack.template_file).read_text())
    nested = {}
    resolve = stack.resolve
    for child in stack.node.find_all():
        if isinstance(child, cdk.NestedStack) and child.nested_stack_parent is stack:
            resource = child.nested_stack_resource
            assert resource is not None
            nested[resolve(resource.logical_id)] = _from_assembly(child, directory)
    return StackTemplate(template, nested)


@dataclass(frozen=True, order=True)
class ResourceKey:
    """What CloudFormation knows a resource by: its stack (a chain of nested-stack logical IDs
    below the root stack) and its logical ID there."""

    stack: tuple[str, ...]
    logical_id: str

    def __str__(self) -> str:
        return "/".join((*self.stack, self.logical_id))


@dataclass(frozen=True)
class Replacement:
    """One resource that the update would replace (or delete), and why."""

    path: str
    resource_type: str
    reason: str
    name_before: Any = None
    name_after: Any = None
    # The construct path without the segments of nested stacks: where the construct sits in
    # the user's tree, whichever nested stack holds it.
    position: str = ""

    @property
    def stateful(self) -> bool:
        return self.resource_type in STATEFUL_TYPES

    @property
    def renamed(self) -> bool:
        """Whether a fixed physical name changes with the replacement (``True`` without one)."""
        if self.name_before is None or self.name_after is None:
            return True
        return bool(self.name_before != self.name_after)


def replacements(
    before: StackTemplate | Mapping[str, Any], after: StackTemplate | Mapping[str, Any]
) -> dict[str, Replacement]:
    """The resources of ``before`` that the update to ``after`` replaces or deletes.

    Keyed by construct path (``aws:cdk:path``), or by ``stack/.../LogicalId`` for a resource
    without one. A resource deleted without a successor carries the reason ``"removed"``.
    """
    old = _index(before)
    new = _index(after)
    new_by_path = {_path(key, resource): key for key, resource in new.items()}
    # A construct that moves to another nested stack changes its path too: it is matched by
    # its position with the nested stacks' own path segments left out.
    old_nested, new_nested = _nested_stack_paths(old), _nested_stack_paths(new)
    new_by_position = {
        (_position(_path(key, resource), new_nested), resource.get("Type")): key
        for key, resource in new.items()
    }

    found: dict[ResourceKey, Replacement] = {}
    survivors: dict[ResourceKey, ResourceKey] = {}
    for key, resource in old.items():
        path = _path(key, resource)
        resource_type = resource.get("Type", "")
        successor = key if key in new and _path(key, new[key]) == path else new_by_path.get(path)
        if successor is None and key in new:
            successor = key  # same logical ID, path metadata changed (or missing)
        if successor is None:
            moved_to = new_by_position.get((_position(path, old_nested), resource_type))
            if moved_to is None:
                found[key] = Replacement(path, resource_type, "removed")
            else:
                found[key] = _replacement(
                    path, resource, new[moved_to], f"moved to {_path(moved_to, new[moved_to])}"
                )
            continue
        if successor != key:
            found[key] = _replacement(
                path, resource, new[successor], f"moved: {key} -> {successor}"
            )
            continue
        if new[successor].get("Type") != resource_type:
            found[key] = _replacement(
                path, resource, new[successor], f"type {resource_type} -> {new[key].get('Type')}"
            )
            continue
        survivors[key] = successor

    # A create-only property that refers to a replaced resource changes with it: repeat until
    # nothing more is replaced.
    changed = True
    while changed:
        changed = False
        replaced_ids = set(found)
        for key, successor in list(survivors.items()):
            resource, updated = old[key], new[successor]
            reason = _create_only_change(key, resource, updated, replaced_ids)
            if reason is not None:
                found[key] = _replacement(_path(key, resource), resource, updated, reason)
                del survivors[key]
                changed = True
    return {
        item.path: dataclasses.replace(item, position=_position(item.path, old_nested))
        for item in found.values()
    }


def stateful(found: Mapping[str, Replacement]) -> dict[str, Replacement]:
    """Only the replacements of stateful resources (queues, streams, buckets, brokers, keys)."""
    return {path: replacement for path, replacement in found.items() if replacement.stateful}


def physical_names(templates: StackTemplate | Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Every literal physical name the templates fix: ``{path: (type, name)}``.

    Names built with intrinsics (``Fn::Join`` of the stack name, say) are left out: they are
    not the same across stacks by construction.
    """
    names = {}
    for key, resource in _index(templates).items():
        prop = NAME_PROPERTIES.get(resource.get("Type", ""))
        value = resource.get("Properties", {}).get(prop) if prop else None
        if isinstance(value, str):
            names[_path(key, resource)] = (resource["Type"], value)
    return names


def _index(templates: StackTemplate | Mapping[str, Any]) -> dict[ResourceKey, dict[str, Any]]:
    if not isinstance(templates, StackTemplate):
        templates = StackTemplate(templates)
    return dict(templates.resources())


def _nested_stack_paths(resources: Mapping[ResourceKey, Mapping[str, Any]]) -> list[str]:
    """The construct paths of the nested stacks (``.../Name.NestedStack/...Resource``)."""
    paths = []
    for key, resource in resources.items():
        if resource.get("Type") == NESTED_STACK_TYPE:
            path = _path(key, resource)
            if ".NestedStack/" in path:
                paths.append(path.rsplit(".NestedStack/", 1)[0])
    return sorted(paths, key=len, reverse=True)


def _position(path: str, nested_stacks: list[str]) -> str:
    """``path`` without the segments that name nested stacks."""
    for nested in nested_stacks:
        if path.startswith(nested + "/"):
            parent = nested.rsplit("/", 1)[0]
            return _position(f"{parent}/{path[len(nested) + 1 :]}", nested_stacks)
    return path


def _path(key: ResourceKey, resource: Mapping[str, Any]) -> str:
    path = resource.get("Metadata", {}).get("aws:cdk:path")
    return path if isinstance(path, str) else str(key)


def _replacement(
    path: str, old: Mapping[str, Any], new: Mapping[str, Any], reason: str
) -> Replacement:
    resource_type = old.get("Type", "")
    prop = NAME_PROPERTIES.get(resource_type)
    return Replacement(
        path,
        resource_type,
        reason,
        name_before=old.get("Properties", {}).get(prop) if prop else None,
        name_after=new.get("Properties", {}).get(prop) if prop else None,
    )


_MISSING = object()
# Types without a provider schema: custom resources and CDK's version-reporting resource.
_WITHOUT_SCHEMA = frozenset({"AWS::CloudFormation::CustomResource", "AWS::CDK::Metadata"})


def _create_only_change(
    key: ResourceKey,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    replaced: set[ResourceKey],
) -> str | None:
    resource_type = old.get("Type", "")
    if resource_type.startswith("Custom::") or resource_type in _WITHOUT_SCHEMA:
        return None
    for path in create_only_properties(resource_type):
        before = _lookup(old.get("Properties", {}), path)
        after = _lookup(new.get("Properties", {}), path)
        name = "/".join(path)
        if before != after:
            return f"create-only {name} changed"
        refers = _references(after)
        hit = sorted(ref for ref in refers if ResourceKey(key.stack, ref) in replaced)
        if hit:
            return f"create-only {name} refers to replaced {', '.join(hit)}"
    return None


def _lookup(properties: Any, path: tuple[str, ...]) -> Any:
    node = properties
    for index, part in enumerate(path):
        if part == "*":
            if not isinstance(node, list):
                return _MISSING if node is _MISSING else node
            return [_lookup(item, path[index + 1 :]) for item in node]
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _references(value: Any) -> set[str]:
    """Logical IDs that ``value`` refers to through ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub``."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, dict):
        for name, item in value.items():
            if name == "Ref" and isinstance(item, str) and not item.startswith("AWS::"):
                found.add(item)
            elif name == "Fn::GetAtt":
                target = item[0] if isinstance(item, list) else str(item).split(".")[0]
                found.add(target)
            elif name == "Fn::Sub":
                text, local = (item[0], item[1]) if isinstance(item, list) else (item, {})
                found |= {
                    variable.split(".")[0]
                    for variable in re.findall(r"\$\{([^!}][^}]*)\}", text)
                    if not variable.startswith("AWS::") and variable not in local
                }
                found |= _references(local)
            else:
                found |= _references(item)
    return found
