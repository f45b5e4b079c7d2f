"""Who sends messages to whom, as a template says: subscriptions, S3 notifications, redrive
policies, event source mappings, alarm actions, EventBridge targets and EventBridge pipes, each
followed to the resources of the template (or to a :class:`~patterns.messaging.model.Target`
that names none).

The rules (:mod:`patterns.messaging.rules`) and the flow graph (:mod:`patterns.messaging.flows`)
read the template through these, so both see the same wiring.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from patterns.limits import SQS_DEFAULT_RETENTION_SECONDS, SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS
from patterns.messaging.model import (
    LiteralValue,
    Resolved,
    StackModel,
    Target,
    as_bool,
    as_json_object,
    as_list,
    is_fifo_name,
    text_of,
)
from patterns.messaging.permissions import KeyInfo, key_info

QUEUE = "AWS::SQS::Queue"
TOPIC = "AWS::SNS::Topic"
DEFAULT_RETENTION = SQS_DEFAULT_RETENTION_SECONDS
DEFAULT_VISIBILITY = SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS


# --- SNS subscriptions ---


@dataclass(frozen=True)
class Subscription:
    """An SNS subscription, standalone or inline in a topic."""

    logical_id: str  # where findings are reported
    topic: Target
    protocol: str
    endpoint: Target
    properties: dict[str, Any]
    inline: bool = False  # in the topic's Subscription property (no redrive policy possible)


def subscriptions(model: StackModel) -> Iterator[Subscription]:
    for logical_id, props in model.of_type("AWS::SNS::Subscription"):
        protocol = props.get("Protocol")
        yield Subscription(
            logical_id,
            model.resolve(props.get("TopicArn")),
            protocol.lower() if isinstance(protocol, str) else "",
            model.resolve(props.get("Endpoint")),
            props,
        )
    for logical_id, props in model.of_type(TOPIC):
        for inline in as_list(props.get("Subscription")):
            if isinstance(inline, dict):
                protocol = inline.get("Protocol")
                yield Subscription(
                    logical_id,
                    Resolved(logical_id),
                    protocol.lower() if isinstance(protocol, str) else "",
                    model.resolve(inline.get("Endpoint")),
                    {},
                    inline=True,
                )


def topic_id(model: StackModel, target: Target) -> str | None:
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == TOPIC:
        return target.logical_id
    return None


def queue_id(model: StackModel, target: Target) -> str | None:
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == QUEUE:
        return target.logical_id
    return None


def sqs_subscriptions(model: StackModel) -> Iterator[tuple[Subscription, str | None, str | None]]:
    """(subscription, topic ID or None, queue ID or None) for every sqs subscription."""
    for sub in subscriptions(model):
        if sub.protocol == "sqs":
            yield sub, topic_id(model, sub.topic), queue_id(model, sub.endpoint)


def is_fifo_queue(model: StackModel, logical_id: str) -> bool:
    return as_bool(model.props(logical_id).get("FifoQueue")) is True


def is_fifo_topic(model: StackModel, logical_id: str) -> bool:
    return as_bool(model.props(logical_id).get("FifoTopic")) is True


def queue_key(model: StackModel, logical_id: str) -> KeyInfo:
    return key_info(model, model.props(logical_id).get("KmsMasterKeyId"))


def encryption_key(model: StackModel, logical_id: str) -> KeyInfo:
    """What encrypts a queue, topic or stream (``none`` for other types)."""
    kind = model.type_of(logical_id)
    if kind in (QUEUE, TOPIC):
        return queue_key(model, logical_id)
    if kind == "AWS::Kinesis::Stream":
        encryption = model.props(logical_id).get("StreamEncryption")
        return key_info(model, encryption.get("KeyId") if isinstance(encryption, dict) else None)
    return KeyInfo("none")


def external_fifo(target: Target) -> bool | None:
    return is_fifo_name(target.text) if isinstance(target, LiteralValue) else None


# --- S3 event notifications ---


@dataclass(frozen=True)
class Notification:
    """One notification rule of a bucket (native property or CDK's custom resource)."""

    at: str  # where findings are reported
    bucket: Target
    kind: str  # "topic", "queue" or "function"
    destination: Target
    events: tuple[str, ...]
    prefix: str
    suffix: str


def filter_rules(filter_value: Any, native: bool) -> tuple[str, str]:
    prefix = suffix = ""
    if not isinstance(filter_value, dict):
        return prefix, suffix
    key = filter_value.get("S3Key" if native else "Key") or {}
    for item in as_list(
        key.get("Rules" if native else "FilterRules") if isinstance(key, dict) else []
    ):
        if isinstance(item, dict) and isinstance(item.get("Value"), str):
            name = str(item.get("Name", "")).lower()
            if name == "prefix":
                prefix = item["Value"]
            elif name == "suffix":
                suffix = item["Value"]
    return prefix, suffix


# Where a bucket's notification rules are written, with the names each place uses: the
# bucket's own property (CloudFormation's names, one event per rule) or CDK's custom resource
# for buckets it does not own (the S3 API's names, a list of events, the bucket by name).
_NOTIFICATION_SOURCES = (
    (
        "AWS::S3::Bucket",
        True,
        (
            ("TopicConfigurations", "Topic", "topic"),
            ("QueueConfigurations", "Queue", "queue"),
            ("LambdaConfigurations", "Function", "function"),
        ),
    ),
    (
        "Custom::S3BucketNotifications",
        False,
        (
            ("TopicConfigurations", "TopicArn", "topic"),
            ("QueueConfigurations", "QueueArn", "queue"),
            ("LambdaFunctionConfigurations", "LambdaFunctionArn", "function"),
        ),
    ),
)


def notifications(model: StackModel) -> Iterator[Notification]:
    for resource_type, native, lists in _NOTIFICATION_SOURCES:
        for logical_id, props in model.of_type(resource_type):
            config = props.get("NotificationConfiguration")
            if not isinstance(config, dict):
                continue
            bucket = Resolved(logical_id) if native else model.resolve(props.get("BucketName"))
            for list_name, arn_name, kind in lists:
                for item in as_list(config.get(list_name)):
                    if not isinstance(item, dict):
                        continue
                    if native:
                        events: tuple[str, ...] = (str(item.get("Event", "")),)
                    else:
                        events = tuple(str(e) for e in as_list(item.get("Events")))
                    prefix, suffix = filter_rules(item.get("Filter"), native=native)
                    yield Notification(
                        logical_id,
                        bucket,
                        kind,
                        model.resolve(item.get(arn_name)),
                        events,
                        prefix,
                        suffix,
                    )


def function_id(model: StackModel, target: Target) -> str | None:
    """The function a target names: directly, through an alias or version, or by its name."""
    if isinstance(target, Resolved):
        kind = model.type_of(target.logical_id)
        if kind == "AWS::Lambda::Function":
            return target.logical_id
        if kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            function = model.props(target.logical_id).get("FunctionName")
            return function_id(model, model.resolve_function(function))
        return None
    if isinstance(target, LiteralValue):
        found = model.resolve_function(target.text)  # by name; a LiteralValue again if not found
        return function_id(model, found) if isinstance(found, Resolved) else None
    return None


def bucket_id(model: StackModel, target: Target) -> str | None:
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == "AWS::S3::Bucket":
        return target.logical_id
    return None


# --- SQS redrive ---


def redrives(model: StackModel) -> Iterator[tuple[str, dict[str, Any], Target]]:
    """(queue, its redrive policy, its dead-letter queue target) for every queue with one."""
    for logical_id, props in model.of_type(QUEUE):
        redrive = as_json_object(props.get("RedrivePolicy"))
        if redrive:
            yield logical_id, redrive, model.resolve(redrive.get("deadLetterTargetArn"))


# --- event source mappings ---


def event_source_mappings(
    model: StackModel,
) -> Iterator[tuple[str, dict[str, Any], Target, Target]]:
    """(mapping, its properties, its source, its function) for every event source mapping."""
    for logical_id, props in model.of_type("AWS::Lambda::EventSourceMapping"):
        yield (
            logical_id,
            props,
            model.resolve(props.get("EventSourceArn")),
            model.resolve_function(props.get("FunctionName")),
        )


# --- alarms and EventBridge rules ---


def alarm_topics(model: StackModel) -> Iterator[tuple[str, str]]:
    for alarm, props in model.of_type("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            for action in as_list(props.get(key)):
                topic = topic_id(model, model.resolve(action))
                if topic is not None:
                    yield alarm, topic


def events_targets(model: StackModel) -> Iterator[tuple[str, dict[str, Any]]]:
    """(rule, target) for every target of every EventBridge rule here, as the template
    writes it (``Arn``, ``RoleArn``, ``DeadLetterConfig``, ...)."""
    for events_rule, props in model.of_type("AWS::Events::Rule"):
        for target in as_list(props.get("Targets")):
            if isinstance(target, dict):
                yield events_rule, target


def rule_targets(model: StackModel) -> Iterator[tuple[str, str, str]]:
    """(rule, destination, "topic", "queue" or "function") for the rules' targets here."""
    for events_rule, target in events_targets(model):
        resolved = model.resolve(target.get("Arn"))
        topic, queue = topic_id(model, resolved), queue_id(model, resolved)
        function = function_id(model, resolved)
        if topic:
            yield events_rule, topic, "topic"
        elif queue:
            yield events_rule, queue, "queue"
        elif function:
            yield events_rule, function, "function"


# Metric dimension -> the resource type it names (by name, when the template writes it out).
DIMENSION_TYPES = {
    "QueueName": "AWS::SQS::Queue",
    "TopicName": "AWS::SNS::Topic",
    "FunctionName": "AWS::Lambda::Function",
    "StreamName": "AWS::Kinesis::Stream",
    "DeliveryStreamName": "AWS::KinesisFirehose::DeliveryStream",
    "Broker": "AWS::AmazonMQ::Broker",
}


def event_buckets(model: StackModel, pattern: Any) -> list[Target]:
    """The buckets whose S3 events (sent to EventBridge) a rule matches by name."""
    if not isinstance(pattern, dict) or "aws.s3" not in as_list(pattern.get("source")):
        return []
    detail = pattern.get("detail")
    bucket = detail.get("bucket") if isinstance(detail, dict) else None
    names = as_list(bucket.get("name")) if isinstance(bucket, dict) else []
    found = [model.resolve(name) for name in names]
    return found


def alarm_watches(model: StackModel) -> Iterator[tuple[str, list[Target], list[Target]]]:
    """(alarm, its actions, what its metrics' dimensions name) for every alarm."""
    for alarm, props in model.of_type("AWS::CloudWatch::Alarm"):
        actions = [model.resolve(a) for a in as_list(props.get("AlarmActions"))]
        dimensions = list(as_list(props.get("Dimensions")))
        for metric in as_list(props.get("Metrics")):
            stat = metric.get("MetricStat") if isinstance(metric, dict) else None
            if isinstance(stat, dict) and isinstance(stat.get("Metric"), dict):
                dimensions += as_list(stat["Metric"].get("Dimensions"))
        watched = []
        for dimension in dimensions:
            if not isinstance(dimension, dict):
                continue
            target = model.resolve(dimension.get("Value"))
            named = DIMENSION_TYPES.get(str(dimension.get("Name")))
            if isinstance(target, LiteralValue) and named:
                # An active/standby broker's metrics name each instance: <broker name>-1, -2.
                found = model.by_name(named, target.text) or model.by_name(
                    named, target.text.removesuffix("-1").removesuffix("-2")
                )
                target = Resolved(found) if found else target
            watched.append(target)
        yield alarm, actions, watched


# --- EventBridge Pipes ---

# SourceParameters key -> the kind of source it configures.
PIPE_SOURCE_PARAMETERS = {
    "SqsQueueParameters": "queue",
    "KinesisStreamParameters": "kinesis",
    "DynamoDBStreamParameters": "dynamodb",
    "ActiveMQBrokerParameters": "broker",
    "RabbitMQBrokerParameters": "broker",
    "ManagedStreamingKafkaParameters": "kafka",
    "SelfManagedKafkaParameters": "kafka",
}
# Resource type of a source ARN -> the kind of source.
PIPE_SOURCE_TYPES = {
    QUEUE: "queue",
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::Kinesis::StreamConsumer": "kinesis",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::DynamoDB::GlobalTable": "dynamodb",
    "AWS::AmazonMQ::Broker": "broker",
    "AWS::MSK::Cluster": "kafka",
}
# ARN service -> the kind of source, for sources that are not in the template.
_PIPE_SOURCE_SERVICES = {
    ":sqs:": "queue",
    ":kinesis:": "kinesis",
    ":dynamodb:": "dynamodb",
    ":mq:": "broker",
    ":kafka:": "kafka",
}


@dataclass(frozen=True)
class Pipe:
    """An EventBridge pipe: its source, enrichment, target, dead-letter target and role."""

    logical_id: str
    source: Target
    source_kind: str  # "queue", "kinesis", "dynamodb", "broker", "kafka" or "" (unknown)
    source_parameters: dict[str, Any]  # the SourceParameters entry of its kind ({} if none)
    enrichment: Target | None
    target: Target
    dead_letter: Target | None  # SourceParameters.<stream>.DeadLetterConfig.Arn
    role: Target
    properties: dict[str, Any]


def _pipe_source_kind(model: StackModel, props: dict[str, Any], source: Target) -> str:
    if isinstance(source, Resolved):
        kind = PIPE_SOURCE_TYPES.get(model.type_of(source.logical_id))
        if kind:
            return kind
    parameters = props.get("SourceParameters")
    if isinstance(parameters, dict):
        for key, kind in PIPE_SOURCE_PARAMETERS.items():
            if key in parameters:
                return kind
    text = text_of(model, props.get("Source")) or ""
    return next((kind for service, kind in _PIPE_SOURCE_SERVICES.items() if service in text), "")


def pipes(model: StackModel) -> Iterator[Pipe]:
    for logical_id, props in model.of_type("AWS::Pipes::Pipe"):
        source = model.resolve(props.get("Source"))
        kind = _pipe_source_kind(model, props, source)
        parameters = props.get("SourceParameters")
        own: dict[str, Any] = {}
        if isinstance(parameters, dict):
            for key, key_kind in PIPE_SOURCE_PARAMETERS.items():
                if key_kind == kind and isinstance(parameters.get(key), dict):
                    own = parameters[key]
        dead = own.get("DeadLetterConfig")
        dead_arn = dead.get("Arn") if isinstance(dead, dict) else None
        enrichment = props.get("Enrichment")
        yield Pipe(
            logical_id,
            source,
            kind,
            own,
            model.resolve(enrichment) if enrichment else None,
            model.resolve(props.get("Target")),
            model.resolve(dead_arn) if dead_arn else None,
            model.resolve(props.get("RoleArn")),
            props,
        )
