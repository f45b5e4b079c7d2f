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
from patterns.messaging.policies import actions_cover, identity_statements, role_id

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
    for statement in identity_statements(model, role):
        if statement.get("Effect") != "Allow" or not actions_cover(model, statement, action):
            continue
        if "NotResource" in statement or "Resource" not in statement:
            return True
        if any(names_resource(model, r, resource) for r in as_list(statement.get("Resource"))):
            return True
    return False


def role_names(model: StackModel, role: str, action: str, resource: str) -> bool:
    """An Allow statement of the role grants ``action`` on ``resource`` by reference (no
    wildcard resource, no NotAction): the role is meant to read that very resource."""
    for statement in identity_statements(model, role):
        if statement.get("Effect") != "Allow" or "NotAction" in statement:
            continue
        if not actions_cover(model, statement, action):
            continue
        for value in as_list(statement.get("Resource")):
            target = model.resolve(value)
            if isinstance(target, Resolved) and target.logical_id == resource:
                return True
    return False


def _function_role(model: StackModel, function: Any) -> str | None:
    target = model.resolve_function(function)
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == "AWS::Lambda::Function":
        return role_id(model, model.props(target.logical_id).get("Role"))
    return None


def _reading_roles(
    model: StackModel, action: str, resource: str, skip: set[str]
) -> Iterator[Reader]:
    for role, _ in model.of_type("AWS::IAM::Role"):
        if role not in skip and role_names(model, role, action, resource):
            yield Reader(role, "role")


def queue_readers(model: StackModel, queue: str) -> list[Reader]:
    """Event source mappings on the queue and roles that may sqs:ReceiveMessage from it."""
    readers: list[Reader] = []
    skip: set[str] = set()
    for mapping, props in model.of_type("AWS::Lambda::EventSourceMapping"):
        if model.points_to(props.get("EventSourceArn"), queue):
            readers.append(Reader(mapping, "mapping"))
            skip.add(_function_role(model, props.get("FunctionName")) or "")
    readers += _reading_roles(model, "sqs:ReceiveMessage", queue, skip)
    return readers


def stream_consumers(model: StackModel, stream: str) -> list[str]:
    """The enhanced fan-out consumers (AWS::Kinesis::StreamConsumer) registered on the stream."""
    return [
        consumer
        for consumer, props in model.of_type(STREAM_CONSUMER)
        if model.points_to(props.get("StreamARN"), stream)
    ]


def stream_readers(model: StackModel, stream: str) -> list[Reader]:
    """Every reader of the stream: mappings (flagged when they read through a consumer),
    Firehose delivery streams with the stream as source, and roles that may
    kinesis:GetRecords on it (other than those of the mappings and delivery streams)."""
    consumers = set(stream_consumers(model, stream))
    readers: list[Reader] = []
    skip: set[str] = set()
    for mapping, props in model.of_type("AWS::Lambda::EventSourceMapping"):
        source = model.resolve(props.get("EventSourceArn"))
        if not isinstance(source, Resolved):
            continue
        if source.logical_id == stream or source.logical_id in consumers:
            readers.append(Reader(mapping, "mapping", source.logical_id in consumers))
            skip.add(_function_role(model, props.get("FunctionName")) or "")
    for delivery, props in model.of_type("AWS::KinesisFirehose::DeliveryStream"):
        config = props.get("KinesisStreamSourceConfiguration")
        if isinstance(config, dict) and model.points_to(config.get("KinesisStreamARN"), stream):
            readers.append(Reader(delivery, "firehose"))
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
