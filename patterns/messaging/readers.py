"""Who reads a queue or a stream, and which queues keep what others failed to deliver, as a
template says.

A reader is a Lambda event source mapping, a Firehose delivery stream with a Kinesis source, or
any role whose policies allow the read action on the resource by name: the task role of an ECS
worker, the role of an EC2 instance profile, the role of a Lambda function that polls by
itself. Compute is not modelled kind by kind: whatever assumes a role that may receive from a
queue (or read records from a stream) counts. Pure Python over
:mod:`patterns.messaging.model`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from patterns.messaging.model import (
    WILDCARD,
    Resolved,
    StackModel,
    as_json_object,
    as_list,
)
from patterns.messaging.permissions import actions_cover, role_id, statements

STREAM = "AWS::Kinesis::Stream"
STREAM_CONSUMER = "AWS::Kinesis::StreamConsumer"


@dataclass(frozen=True)
class Reader:
    """One reader of a queue or stream: ``kind`` is ``mapping``, ``firehose`` or ``role``."""

    logical_id: str
    kind: str
    enhanced_fan_out: bool = False  # a mapping that reads through an AWS::Kinesis::StreamConsumer


def names_resource(model: StackModel, value: Any, logical_id: str) -> bool:
    """A policy statement's Resource entry covers the resource ``logical_id``.

    An entry built from references names the resources it references (``arn/*`` of a bucket
    names the bucket); one built from none covers it only with a wildcard.
    """
    parts = model.flatten(value)
    if parts is None:
        return True
    references = [p for p in parts if isinstance(p, Resolved)]
    if references:
        return any(r.logical_id == logical_id for r in references)
    text = "".join(p for p in parts if isinstance(p, str))
    return "*" in text or WILDCARD in text


def role_allows(model: StackModel, role: str, action: str, resource: str) -> bool:
    """An Allow statement of the role's policies covers ``action`` on ``resource``."""
    for statement in _statements_by_role(model).get(role, []):
        if statement.get("Effect") != "Allow" or not actions_cover(model, statement, action):
            continue
        if "NotResource" in statement or "Resource" not in statement:
            return True
        if any(names_resource(model, r, resource) for r in as_list(statement.get("Resource"))):
            return True
    return False


def _statements_by_role(model: StackModel) -> dict[str, list[dict[str, Any]]]:
    """What ``identity_statements`` gives for each role, in one pass over the policies (built
    once per template)."""
    cached: dict[str, list[dict[str, Any]]] | None = model.cache.get("statements-by-role")
    if cached is not None:
        return cached
    by_role: dict[str, list[dict[str, Any]]] = {r: [] for r, _ in model.of_type("AWS::IAM::Role")}
    attached: dict[str, list[str]] = {}
    for role, props in model.of_type("AWS::IAM::Role"):
        for policy in as_list(props.get("Policies")):
            if isinstance(policy, dict):
                by_role[role] += statements(policy.get("PolicyDocument"))
        for value in as_list(props.get("ManagedPolicyArns")):
            target = model.resolve(value)
            if isinstance(target, Resolved):
                attached.setdefault(target.logical_id, []).append(role)
    for policy, props in model.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        holders = list(attached.get(policy, []))
        for value in as_list(props.get("Roles")):
            target = model.resolve(value)
            if isinstance(target, Resolved) and target.logical_id in by_role:
                holders.append(target.logical_id)
        for role in dict.fromkeys(holders):
            by_role[role] += statements(props.get("PolicyDocument"))
    model.cache["statements-by-role"] = by_role
    return by_role


def _named_grants(model: StackModel) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """(role, Allow statement) by the logical ID each statement names in its Resource, built
    once per template: the rules ask per queue and per stream, the roles are read once."""
    index: dict[str, list[tuple[str, dict[str, Any]]]] | None = model.cache.get("named-grants")
    if index is None:
        index = {}
        for role, role_statements in _statements_by_role(model).items():
            for statement in role_statements:
                if statement.get("Effect") != "Allow" or "NotAction" in statement:
                    continue
                for value in as_list(statement.get("Resource")):
                    target = model.resolve(value)
                    if isinstance(target, Resolved):
                        index.setdefault(target.logical_id, []).append((role, statement))
        model.cache["named-grants"] = index
    return index


def roles_naming(model: StackModel, action: str, resource: str) -> list[str]:
    """Roles with an Allow statement that grants ``action`` on ``resource`` by reference (no
    wildcard resource, no NotAction): roles meant to act on that very resource."""
    found: list[str] = []
    for role, statement in _named_grants(model).get(resource, []):
        if role not in found and actions_cover(model, statement, action):
            found.append(role)
    return found


def _function_role(model: StackModel, function: Any) -> str | None:
    target = model.resolve_function(function)
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == "AWS::Lambda::Function":
        return role_id(model, model.props(target.logical_id).get("Role"))
    return None


def _reading_roles(
    model: StackModel, action: str, resource: str, skip: set[str]
) -> Iterator[Reader]:
    for role in roles_naming(model, action, resource):
        if role not in skip:
            yield Reader(role, "role")


def _mappings_by_source(model: StackModel) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Event source mappings by the logical ID of their source, built once per template."""
    index: dict[str, list[tuple[str, dict[str, Any]]]] | None = model.cache.get(
        "mappings-by-source"
    )
    if index is None:
        index = {}
        for mapping, props in model.of_type("AWS::Lambda::EventSourceMapping"):
            source = model.resolve(props.get("EventSourceArn"))
            if isinstance(source, Resolved):
                index.setdefault(source.logical_id, []).append((mapping, props))
        model.cache["mappings-by-source"] = index
    return index


def queue_readers(model: StackModel, queue: str) -> list[Reader]:
    """Event source mappings on the queue and roles that may sqs:ReceiveMessage from it."""
    readers: list[Reader] = []
    skip: set[str] = set()
    for mapping, props in _mappings_by_source(model).get(queue, []):
        readers.append(Reader(mapping, "mapping"))
        skip.add(_function_role(model, props.get("FunctionName")) or "")
    readers += _reading_roles(model, "sqs:ReceiveMessage", queue, skip)
    return readers


def _by_stream(model: StackModel, resource_type: str, *path: str) -> dict[str, list[str]]:
    """Resources of ``resource_type`` by the stream their property at ``path`` names."""
    key = f"by-stream:{resource_type}"
    index: dict[str, list[str]] | None = model.cache.get(key)
    if index is None:
        index = {}
        for logical_id, props in model.of_type(resource_type):
            value: Any = props
            for name in path:
                value = value.get(name) if isinstance(value, dict) else None
            target = model.resolve(value) if value is not None else None
            if isinstance(target, Resolved):
                index.setdefault(target.logical_id, []).append(logical_id)
        model.cache[key] = index
    return index


def stream_consumers(model: StackModel, stream: str) -> list[str]:
    """The enhanced fan-out consumers (AWS::Kinesis::StreamConsumer) registered on the stream."""
    return list(_by_stream(model, STREAM_CONSUMER, "StreamARN").get(stream, []))


def stream_readers(model: StackModel, stream: str) -> list[Reader]:
    """Every reader of the stream: mappings (flagged when they read through a consumer),
    Firehose delivery streams with the stream as source, and roles that may
    kinesis:GetRecords on it (other than those of the mappings and delivery streams)."""
    readers: list[Reader] = []
    skip: set[str] = set()
    by_source = _mappings_by_source(model)
    sources = [(stream, False)] + [(c, True) for c in stream_consumers(model, stream)]
    for source, fan_out in sources:
        for mapping, props in by_source.get(source, []):
            readers.append(Reader(mapping, "mapping", fan_out))
            skip.add(_function_role(model, props.get("FunctionName")) or "")
    deliveries = _by_stream(
        model,
        "AWS::KinesisFirehose::DeliveryStream",
        "KinesisStreamSourceConfiguration",
        "KinesisStreamARN",
    )
    for delivery in deliveries.get(stream, []):
        readers.append(Reader(delivery, "firehose"))
        config = model.props(delivery).get("KinesisStreamSourceConfiguration") or {}
        skip.add(role_id(model, config.get("RoleARN")) or "")
    readers += _reading_roles(model, "kinesis:GetRecords", stream, skip)
    return readers


def _failure_destinations(props: dict[str, Any], *path: str) -> Iterator[Any]:
    current: Any = props
    for key in path:
        current = current.get(key) if isinstance(current, dict) else None
    if current is not None:
        yield current


def dead_letter_queues(model: StackModel) -> set[str]:
    """Queues of this template that keep what something else could not deliver or process:
    SQS and SNS redrive targets, EventBridge target and Lambda dead-letter queues, on-failure
    destinations of event source mappings and of asynchronous invocations."""
    values: list[Any] = []
    for _, props in model.of_type("AWS::SQS::Queue", "AWS::SNS::Subscription"):
        redrive = as_json_object(props.get("RedrivePolicy")) or {}
        values.append(redrive.get("deadLetterTargetArn"))
    for _, props in model.of_type("AWS::Events::Rule"):
        for target in as_list(props.get("Targets")):
            values += _failure_destinations(target, "DeadLetterConfig", "Arn")
    for _, props in model.of_type("AWS::Lambda::Function"):
        values += _failure_destinations(props, "DeadLetterConfig", "TargetArn")
    for _, props in model.of_type(
        "AWS::Lambda::EventSourceMapping", "AWS::Lambda::EventInvokeConfig"
    ):
        values += _failure_destinations(props, "DestinationConfig", "OnFailure", "Destination")
    for _, props in model.of_type("AWS::Pipes::Pipe"):
        for kind in ("KinesisStreamParameters", "DynamoDBStreamParameters"):
            values += _failure_destinations(
                props, "SourceParameters", kind, "DeadLetterConfig", "Arn"
            )
    found: set[str] = set()
    for value in values:
        target = model.resolve(value) if value is not None else None
        if isinstance(target, Resolved) and model.type_of(target.logical_id) == "AWS::SQS::Queue":
            found.add(target.logical_id)
    return found
