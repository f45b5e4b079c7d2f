"""A synthesized CloudFormation template as a graph the messaging checks can walk.

Pure Python over the template's JSON (no aws_cdk import), so the same code serves the cdk-nag
pack (``patterns.messaging.pack``) and the command that reads any cloud assembly
(``python -m patterns.checks``). References are followed the way CloudFormation resolves
them: ``Ref``, ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Sub``, and literal ARNs, URLs or names that
name a resource of the same template. Whatever cannot be followed (a parameter, an import from
another stack, a resource of another account) is :class:`Unknown`, never a guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# A pseudo parameter or any other unresolved part inside a string: matches any text.
WILDCARD = "\x00"

PSEUDO_PARAMETERS = {
    "AWS::AccountId",
    "AWS::Partition",
    "AWS::Region",
    "AWS::URLSuffix",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
}

# Resource type -> property holding its physical name, to match literal ARNs, URLs and names.
NAME_PROPERTY = {
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::KinesisFirehose::DeliveryStream": "DeliveryStreamName",
    "AWS::IAM::Role": "RoleName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::AmazonMQ::Broker": "BrokerName",
    "AWS::Events::Rule": "Name",
    "AWS::Events::EventBus": "Name",
}

# ARN service (and resource prefix) -> resource type.
ARN_TYPES = {
    "sqs": "AWS::SQS::Queue",
    "sns": "AWS::SNS::Topic",
    "lambda": "AWS::Lambda::Function",
    "s3": "AWS::S3::Bucket",
    "kinesis": "AWS::Kinesis::Stream",
    "firehose": "AWS::KinesisFirehose::DeliveryStream",
    "iam": "AWS::IAM::Role",
    "events": "AWS::Events::Rule",
}


@dataclass(frozen=True)
class Resolved:
    """A reference to a resource of the model (``attribute`` None for ``Ref``): of this
    template, or of the app for the linked model (``linking.AssemblyModel``)."""

    logical_id: str
    attribute: str | None = None


@dataclass(frozen=True)
class LiteralValue:
    """A plain value (an ARN, URL or name) that names no resource of the model."""

    text: str


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be followed: a parameter, an import, an unresolved expression."""

    reason: str


Target = Resolved | LiteralValue | Unknown


@dataclass(frozen=True)
class Location:
    """Where a resource of a model is: its template, its logical ID there, the template's file
    (relative to the cloud assembly; empty for a template read alone)."""

    stack: str
    logical_id: str
    template_file: str = ""


def as_bool(value: Any) -> bool | None:
    """``True``/``False`` for CloudFormation's booleans (also "true"/"false"); None if a token."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_int(value: Any) -> int | None:
    """An integer property (CloudFormation accepts numbers and numeric strings); None if a token."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def as_json_object(value: Any) -> dict[str, Any] | None:
    """A JSON property given as an object or as a JSON string (RedrivePolicy and the like)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


class StackModel:
    """One template: its resources, and references between them followed to their targets."""

    def __init__(self, template: dict[str, Any], name: str = "") -> None:
        self.name = name
        self.template = template
        self.resources: dict[str, dict[str, Any]] = dict(template.get("Resources") or {})
        self.parameters: dict[str, Any] = dict(template.get("Parameters") or {})
        self._names: dict[tuple[str, str], str] = {}
        self._by_type: dict[str, list[tuple[int, str]]] | None = None
        # Indexes built on first use by the rules (resource policies by target, ...).
        self.cache: dict[str, Any] = {}
        for logical_id in self.resources:
            physical = self.arn_name(logical_id)
            if physical is not None:
                self._names[(self.type_of(logical_id), physical)] = logical_id

    # --- resources ---------------------------------------------------------------------------

    def type_of(self, logical_id: str) -> str:
        return str(self.resources.get(logical_id, {}).get("Type", ""))

    def props(self, logical_id: str) -> dict[str, Any]:
        properties = self.resources.get(logical_id, {}).get("Properties") or {}
        return properties if isinstance(properties, dict) else {}

    def of_type(self, *resource_types: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Resources of these types, in template order (indexed on first use)."""
        if self._by_type is None:
            self._by_type = {}
            for position, (logical_id, resource) in enumerate(self.resources.items()):
                kind = str(resource.get("Type", ""))
                self._by_type.setdefault(kind, []).append((position, logical_id))
        found = [entry for kind in set(resource_types) for entry in self._by_type.get(kind, [])]
        if len(resource_types) > 1:
            found.sort()
        for _, logical_id in found:
            yield logical_id, self.props(logical_id)

    def path(self, logical_id: str) -> str:
        """The construct path CDK records in the metadata, else the logical ID."""
        metadata = self.resources.get(logical_id, {}).get("Metadata")
        path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        return str(path or logical_id)

    def arn_name(self, logical_id: str) -> str | None:
        """The resource's fixed name as its ARN spells it after the resource type (None where
        it has none): an EventBridge rule's is ``<bus>/<name>`` on a custom bus, ``<name>`` on
        the default bus (None where the bus cannot be told)."""
        resource_type = self.type_of(logical_id)
        name_property = NAME_PROPERTY.get(resource_type)
        name = self.props(logical_id).get(name_property) if name_property else None
        if not isinstance(name, str):
            return None
        if resource_type != "AWS::Events::Rule" or "EventBusName" not in self.props(logical_id):
            return name
        bus = self.props(logical_id)["EventBusName"]
        target = self.resolve(bus) if not isinstance(bus, str) else LiteralValue(bus)
        if isinstance(target, Resolved):
            bus = self.props(target.logical_id).get("Name")
        elif isinstance(target, LiteralValue) and WILDCARD not in target.text:
            bus = target.text.split(":event-bus/", 1)[-1]
        else:
            bus = None
        if not isinstance(bus, str) or not bus:
            return None
        return name if bus == "default" else f"{bus}/{name}"

    def account_of(self, logical_id: str) -> str | None:
        """The account a resource is deployed in, where its stack's environment says it (a
        template alone does not)."""
        return None

    def target_account(self, target: Target) -> str | None:
        """The account of a resource of the model or of a literal ARN (None: not known)."""
        if isinstance(target, Resolved):
            return self.account_of(target.logical_id)
        if isinstance(target, LiteralValue):
            fields = target.text.split(":", 5)
            if len(fields) == 6 and fields[0] == "arn" and re.fullmatch(r"\d{12}", fields[4]):
                return fields[4]
        return None

    def by_name(self, resource_type: str, name: str) -> str | None:
        return self._names.get((resource_type, name))

    def locate(self, logical_id: str) -> Location:
        """The template and logical ID of a resource (a template alone: this one's)."""
        return Location(self.name, logical_id)

    # --- references --------------------------------------------------------------------------

    def resolve(self, value: Any) -> Target:
        """Follow ``value`` to a resource of this template, a literal, or Unknown."""
        if isinstance(value, dict) and len(value) == 1:
            key, argument = next(iter(value.items()))
            if key == "Ref":
                if not isinstance(argument, str):
                    return Unknown(f"a malformed Ref: {argument!r}")
                if argument in self.resources:
                    return Resolved(argument)
                if argument in self.parameters:
                    return Unknown(f"parameter {argument}")
                return Unknown(f"pseudo parameter {argument}")
            if key == "Fn::GetAtt":
                parts = get_att_parts(argument)
                if parts is None:
                    return Unknown(f"a malformed Fn::GetAtt: {argument!r}")
                if parts[0] in self.resources:
                    return Resolved(parts[0], str(parts[1]))
                return Unknown(f"attribute of {parts[0]}")
            if key == "Fn::ImportValue":
                return Unknown("a value imported from another stack")
            if key in ("Fn::Join", "Fn::Sub"):
                return self._resolve_composite(value)
            return Unknown(f"the result of {key}")
        if isinstance(value, str):
            return self._resolve_text(value)
        return Unknown(f"value {value!r}")

    def _resolve_composite(self, value: Any) -> Target:
        parts = self.flatten(value)
        if parts is None:
            return Unknown("an expression that cannot be evaluated")
        references = [p for p in parts if isinstance(p, Resolved)]
        text = "".join(p if isinstance(p, str) else WILDCARD for p in parts)
        # An ARN or queue URL built around one reference that ends it: that resource.
        if (
            len(references) == 1
            and text.endswith(WILDCARD)
            and text.startswith(("arn:", "https://sqs.", WILDCARD))
        ):
            return references[0]
        return self._resolve_text(text)

    def _resolve_text(self, text: str) -> Target:
        if WILDCARD not in text and not text:
            return LiteralValue(text)
        arn = parse_arn(text)
        if arn is not None:
            resource_type, name = arn
            if WILDCARD not in name and resource_type:
                found = self.by_name(resource_type, name)
                if found:
                    return Resolved(found)
            if WILDCARD in name:
                return Unknown("an ARN built from values that cannot be resolved")
            return LiteralValue(text.replace(WILDCARD, "*"))
        url = re.fullmatch(r"https://sqs\.[^/]+/[^/]+/([^/]+)", text)
        if url and WILDCARD not in url.group(1):
            found = self.by_name("AWS::SQS::Queue", url.group(1))
            return Resolved(found) if found else LiteralValue(text.replace(WILDCARD, "*"))
        if WILDCARD in text:
            return Unknown("a string built from values that cannot be resolved")
        return LiteralValue(text)

    def flatten(self, value: Any) -> list[str | Resolved] | None:
        """A string expression as literal parts and references; anything else as WILDCARD.

        Returns None where the expression holds something that is not a string part.
        """
        if isinstance(value, str):
            return [value]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return [str(value)]
        if not isinstance(value, dict) or len(value) != 1:
            return None
        key, argument = next(iter(value.items()))
        if key == "Ref":
            if isinstance(argument, str) and argument in self.resources:
                return [Resolved(argument)]
            return [WILDCARD]
        if key == "Fn::GetAtt":
            target = self.resolve(value)
            return [target] if isinstance(target, Resolved) else [WILDCARD]
        if key == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            separator, items = argument
            if not isinstance(separator, str) or not isinstance(items, list):
                return None
            out: list[str | Resolved] = []
            for index, item in enumerate(items):
                if index:
                    out.append(separator)
                flat = self.flatten(item)
                if flat is None:
                    return None
                out.extend(flat)
            return out
        if key == "Fn::Sub":
            parts = sub_parts(argument)
            if parts is None:
                return None
            template, variables = parts
            out = []
            for piece in re.split(r"(\$\{[^}]+\})", template):
                if not (piece.startswith("${") and piece.endswith("}")):
                    out.append(piece)
                    continue
                name = piece[2:-1]
                if name.startswith("!"):
                    out.append("${" + name[1:] + "}")
                elif name in variables:
                    flat = self.flatten(variables[name])
                    out.extend(flat if flat is not None else [WILDCARD])
                elif "." in name:
                    out.extend(self.flatten({"Fn::GetAtt": name.split(".", 1)}) or [WILDCARD])
                else:
                    out.extend(self.flatten({"Ref": name}) or [WILDCARD])
            return out
        if key == "Fn::Select" or key.startswith("Fn::"):
            return [WILDCARD]
        return None

    def points_to(self, value: Any, logical_id: str) -> bool:
        target = self.resolve(value)
        return isinstance(target, Resolved) and target.logical_id == logical_id

    def resolve_function(self, value: Any, _through: frozenset[str] = frozenset()) -> Target:
        """A Lambda function from a name, ARN, alias or version reference."""
        target = self.resolve(value)
        if isinstance(target, LiteralValue):
            found = self.by_name("AWS::Lambda::Function", target.text.split(":")[0])
            if found:
                return Resolved(found)
        if isinstance(target, Resolved):
            kind = self.type_of(target.logical_id)
            if kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                if target.logical_id in _through:
                    return Unknown(f"{kind} {target.logical_id}, whose function names itself")
                function = self.props(target.logical_id).get("FunctionName")
                return self.resolve_function(function, _through | {target.logical_id})
            if kind != "AWS::Lambda::Function":
                return Unknown(f"a {kind} is not a function")
        return target


def get_att_parts(argument: Any) -> tuple[str, Any] | None:
    """(logical ID, attribute) of an ``Fn::GetAtt`` argument ("Id.Attr" or [Id, Attr]); None
    where it is malformed (CloudFormation would reject the template)."""
    if isinstance(argument, str):
        parts: list[Any] = argument.split(".", 1)
    elif isinstance(argument, list):
        parts = argument
    else:
        return None
    if len(parts) != 2 or not isinstance(parts[0], str) or not parts[0]:
        return None
    return parts[0], parts[1]


def sub_parts(argument: Any) -> tuple[str, dict[str, Any]] | None:
    """(text, variables) of an ``Fn::Sub`` argument ("text" or [text, {variables}]); None where
    it is malformed."""
    if isinstance(argument, str):
        return argument, {}
    if isinstance(argument, list) and len(argument) == 2:
        text, variables = argument
        if isinstance(text, str) and isinstance(variables, dict):
            return text, variables
    return None


def parse_arn(text: str) -> tuple[str, str] | None:
    """(resource type, name) of an ARN whose service we model; ("", "") for other services."""
    if not text.startswith("arn:") and not text.startswith(WILDCARD + ":"):
        return None
    fields = text.split(":", 5)
    if len(fields) < 6:
        return None
    service, resource = fields[2], fields[5]
    resource_type = ARN_TYPES.get(service, "")
    if service == "lambda":
        if not resource.startswith("function:"):
            return ("", resource)
        return (resource_type, resource.split(":")[1])
    if service == "kinesis":
        return (resource_type, resource.split("/", 1)[1]) if "/" in resource else ("", resource)
    if service == "firehose":
        return (resource_type, resource.split("/", 1)[1]) if "/" in resource else ("", resource)
    if service == "iam":
        if resource.startswith("role/"):
            return (resource_type, resource.rsplit("/", 1)[1])
        return ("", resource)
    if service == "kms":
        return ("", resource)
    if service == "events":
        if resource.startswith("rule/"):
            return (resource_type, resource.removeprefix("rule/"))
        if resource.startswith("event-bus/"):
            return ("AWS::Events::EventBus", resource.removeprefix("event-bus/"))
        return ("", resource)
    return (resource_type, resource)


def text_of(model: StackModel, value: Any) -> str | None:
    """A string expression with unresolved parts as WILDCARD; None if not a string at all."""
    parts = model.flatten(value)
    if parts is None:
        return None
    return "".join(p if isinstance(p, str) else WILDCARD for p in parts)


def is_fifo_name(text: str) -> bool | None:
    if WILDCARD in text or "*" in text:
        return None
    return text.endswith(".fifo")
