"""The rules of ``MessagingChecks``: message-loss and deploy traps between resources.

Each :class:`Rule` says what it finds, why it matters, how to fix it and which AWS
documentation it rests on; ``docs/messaging-checks.md`` is rendered from these definitions
(``python -m patterns.checks --markdown``) and a test keeps it current. A rule's check walks
one template (:class:`~patterns.messaging_model.StackModel`) and yields :class:`Hit` s on the
resource that carries the trap. What a rule cannot follow (a resource of another stack, an
imported one, an unresolved token) is reported at level ``info`` only, never as an error.

Pure Python: no aws_cdk import, so the command runs without the CDK.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from patterns.messaging_model import (
    WILDCARD,
    KeyInfo,
    Literal,
    Resolved,
    StackModel,
    Target,
    Unknown,
    actions_cover,
    as_bool,
    as_int,
    as_json_object,
    as_list,
    identity_statements,
    is_fifo_name,
    key_admits_service,
    key_info,
    lambda_permits,
    physical_name,
    policy_admits,
    principal_is,
    principal_is_account,
    statements,
    text_of,
)

PACK_NAME = "Messaging"
ERROR = "error"
WARNING = "warning"
INFO = "info"

QUEUE = "AWS::SQS::Queue"
TOPIC = "AWS::SNS::Topic"
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


@dataclass(frozen=True)
class Hit:
    """One finding of a rule on one resource of a template."""

    logical_id: str
    message: str
    level: str | None = None  # the rule's level unless INFO


@dataclass(frozen=True)
class Rule:
    """A rule: its ID suffix, level, documentation and check."""

    suffix: str
    level: str
    title: str
    why: str
    fix: str
    sources: tuple[str, ...]
    check: Callable[[StackModel], Iterator[Hit]] = field(repr=False, compare=False)

    @property
    def rule_id(self) -> str:
        return f"{PACK_NAME}-{self.suffix}"


@dataclass(frozen=True)
class Finding:
    """A hit with its rule, ready to report: ``Messaging-SNS1`` on a resource of a stack."""

    rule_id: str
    level: str
    stack: str
    logical_id: str
    path: str
    message: str
    fix: str


RULES: list[Rule] = []


def rule(
    suffix: str, level: str, *, title: str, why: str, fix: str, sources: tuple[str, ...]
) -> Callable[[Callable[[StackModel], Iterator[Hit]]], Callable[[StackModel], Iterator[Hit]]]:
    def register(
        check: Callable[[StackModel], Iterator[Hit]],
    ) -> Callable[[StackModel], Iterator[Hit]]:
        RULES.append(Rule(suffix, level, title, why, fix, sources, check))
        return check

    return register


def check_template(model: StackModel) -> list[Finding]:
    """Every rule over one template; findings in rule order."""
    findings: list[Finding] = []
    for current in RULES:
        seen: set[tuple[str, str]] = set()
        for hit in current.check(model):
            if (hit.logical_id, hit.message) in seen:
                continue
            seen.add((hit.logical_id, hit.message))
            findings.append(
                Finding(
                    current.rule_id,
                    hit.level or current.level,
                    model.name,
                    hit.logical_id,
                    model.path(hit.logical_id),
                    hit.message,
                    current.fix,
                )
            )
    return findings


def _cannot_follow(logical_id: str, what: str, target: Target) -> Hit:
    reason = target.reason if isinstance(target, Unknown) else f"{getattr(target, 'text', '')}"
    return Hit(logical_id, f"not checked: {what} is not in this stack ({reason})", INFO)


def _name(model: StackModel, logical_id: str) -> str:
    return f"{logical_id} ({model.type_of(logical_id)})"


# --- SNS subscriptions to SQS -----------------------------------------------------------------


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


def _topic_id(model: StackModel, target: Target) -> str | None:
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == TOPIC:
        return target.logical_id
    return None


def _queue_id(model: StackModel, target: Target) -> str | None:
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == QUEUE:
        return target.logical_id
    return None


def sqs_subscriptions(model: StackModel) -> Iterator[tuple[Subscription, str | None, str | None]]:
    """(subscription, topic ID or None, queue ID or None) for every sqs subscription."""
    for sub in subscriptions(model):
        if sub.protocol == "sqs":
            yield sub, _topic_id(model, sub.topic), _queue_id(model, sub.endpoint)


def is_fifo_queue(model: StackModel, logical_id: str) -> bool:
    return as_bool(model.props(logical_id).get("FifoQueue")) is True


def is_fifo_topic(model: StackModel, logical_id: str) -> bool:
    return as_bool(model.props(logical_id).get("FifoTopic")) is True


def queue_key(model: StackModel, logical_id: str) -> KeyInfo:
    return key_info(model, model.props(logical_id).get("KmsMasterKeyId"))


def _managed_key_hits(model: StackModel, at: str, destination: str, service: str) -> Iterator[Hit]:
    key = key_info(model, model.props(destination).get("KmsMasterKeyId"))
    if key.kind == "aws-managed":
        yield Hit(
            at,
            f"{_name(model, destination)} is encrypted with the AWS-managed key {key.detail}, "
            f"whose policy cannot be changed to let {service} use it",
        )


def _customer_key_hits(model: StackModel, at: str, destination: str, service: str) -> Iterator[Hit]:
    key = key_info(model, model.props(destination).get("KmsMasterKeyId"))
    if key.kind == "customer" and key.logical_id is not None:
        if not key_admits_service(model, key.logical_id, service, KEY_ACTIONS):
            yield Hit(
                at,
                f"the key policy of {key.logical_id}, which encrypts {destination}, does not let "
                f"{service} use kms:GenerateDataKey* and kms:Decrypt",
            )
    elif key.kind == "unknown":
        yield Hit(at, f"not checked: the key of {destination} is {key.detail}", INFO)


QUEUE_QUOTAS = (
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html"
)
SNS_SQS_ENCRYPTION = "https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html"
SQS_KEY_MANAGEMENT = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html"


@rule(
    "SNS1",
    ERROR,
    title="An SNS subscription delivers to a queue encrypted with the AWS-managed key "
    "(alias/aws/sqs).",
    why="SNS must use the queue's key to send, and the policy of an AWS-managed key cannot be "
    "changed to let sns.amazonaws.com use it: every delivery fails and the message is lost.",
    fix="Encrypt the queue with a customer-managed key whose policy lets sns.amazonaws.com use "
    "kms:GenerateDataKey* and kms:Decrypt (or use SQS-managed encryption).",
    sources=(SNS_SQS_ENCRYPTION, SQS_KEY_MANAGEMENT),
)
def sns_queue_aws_managed_key(model: StackModel) -> Iterator[Hit]:
    for sub, _, queue in sqs_subscriptions(model):
        if queue is None:
            yield _cannot_follow(sub.logical_id, "the subscribed queue", sub.endpoint)
            continue
        yield from _managed_key_hits(model, sub.logical_id, queue, "sns.amazonaws.com")


@rule(
    "SNS2",
    ERROR,
    title="An SNS subscription delivers to a queue whose customer-managed key does not let SNS "
    "use it.",
    why="Without kms:GenerateDataKey* and kms:Decrypt for sns.amazonaws.com in the key policy, "
    "SNS cannot write to the encrypted queue and the message is lost.",
    fix="Add a key policy statement for the service principal sns.amazonaws.com with "
    "kms:GenerateDataKey* and kms:Decrypt, scoped by aws:SourceArn to the topic.",
    sources=(SNS_SQS_ENCRYPTION,),
)
def sns_queue_customer_key(model: StackModel) -> Iterator[Hit]:
    for sub, _, queue in sqs_subscriptions(model):
        if queue is not None:
            yield from _customer_key_hits(model, sub.logical_id, queue, "sns.amazonaws.com")


SNS_SQS_POLICY = "https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html"


@rule(
    "SNS3",
    ERROR,
    title="No queue policy statement lets the topic send to the subscribed queue.",
    why="SNS delivers to SQS with sqs:SendMessage as sns.amazonaws.com; without a queue policy "
    "statement that allows it for this topic, every delivery is refused and the message is lost.",
    fix="Add a queue policy statement: Allow sns.amazonaws.com sqs:SendMessage on the queue with "
    "the condition aws:SourceArn equal to the topic ARN (CDK: queue.grant_send_messages is not "
    "enough; use the SqsSubscription or add_to_resource_policy).",
    sources=(SNS_SQS_POLICY,),
)
def sns_queue_policy(model: StackModel) -> Iterator[Hit]:
    for sub, topic, queue in sqs_subscriptions(model):
        if queue is None:
            continue
        if topic is None and not isinstance(sub.topic, Resolved):
            yield _cannot_follow(sub.logical_id, "the topic", sub.topic)
            continue
        if not policy_admits(model, queue, "sns.amazonaws.com", "sqs:SendMessage", topic):
            yield Hit(
                sub.logical_id,
                f"no policy statement of {queue} allows sns.amazonaws.com sqs:SendMessage "
                f"from {topic or 'the topic'}",
            )


SNS_FIFO = "https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html"


@rule(
    "SNS4",
    ERROR,
    title="A standard SNS topic is subscribed by a FIFO queue, or a FIFO topic by anything but "
    "an SQS queue.",
    why="A standard topic cannot deliver to an SQS FIFO queue, and a FIFO topic delivers to SQS "
    "queues only: SNS rejects the subscription and the deploy fails.",
    fix="Subscribe a FIFO queue to a FIFO topic; subscribe other endpoints to a standard topic.",
    sources=(SNS_FIFO,),
)
def sns_fifo_mismatch(model: StackModel) -> Iterator[Hit]:
    for sub in subscriptions(model):
        topic = _topic_id(model, sub.topic)
        if topic is None:
            continue
        if sub.protocol != "sqs":
            if is_fifo_topic(model, topic) and sub.protocol:
                yield Hit(sub.logical_id, f"FIFO topic {topic} has a {sub.protocol} subscription")
            continue
        queue = _queue_id(model, sub.endpoint)
        queue_fifo = is_fifo_queue(model, queue) if queue else _external_fifo(sub.endpoint)
        if queue_fifo and not is_fifo_topic(model, topic):
            yield Hit(sub.logical_id, f"standard topic {topic} feeds FIFO queue {queue or ''}")


def _external_fifo(target: Target) -> bool | None:
    return is_fifo_name(target.text) if isinstance(target, Literal) else None


@rule(
    "SNS5",
    WARNING,
    title="A FIFO SNS topic is subscribed by a standard queue.",
    why="SNS delivers a FIFO topic's messages to a standard queue, but without the message group "
    "order or deduplication that made the topic FIFO.",
    fix="Subscribe a FIFO queue, or acknowledge the finding if this consumer does not need order.",
    sources=(SNS_FIFO, "https://docs.aws.amazon.com/sns/latest/dg/fifo-message-grouping.html"),
)
def sns_fifo_to_standard(model: StackModel) -> Iterator[Hit]:
    for sub, topic, queue in sqs_subscriptions(model):
        if topic is None or not is_fifo_topic(model, topic):
            continue
        queue_fifo = is_fifo_queue(model, queue) if queue else _external_fifo(sub.endpoint)
        if queue_fifo is False:
            yield Hit(sub.logical_id, f"FIFO topic {topic} feeds standard queue {queue or ''}")


SNS_DLQ = "https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html"


@rule(
    "SNS6",
    WARNING,
    title="An SNS subscription to a queue or function has no redrive policy (dead-letter queue).",
    why="When SNS cannot deliver (a broken queue policy or key, a throttled or deleted "
    "endpoint) it retries and then discards the message; only a subscription dead-letter queue "
    "keeps it.",
    fix="Give the subscription a RedrivePolicy whose deadLetterTargetArn is an SQS queue that "
    "admits the topic (CDK: dead_letter_queue=).",
    sources=(SNS_DLQ,),
)
def sns_subscription_without_dlq(model: StackModel) -> Iterator[Hit]:
    for sub in subscriptions(model):
        if sub.protocol not in ("sqs", "lambda", "firehose"):
            continue
        if sub.inline:
            yield Hit(sub.logical_id, "an inline topic subscription cannot have a redrive policy")
        elif not as_json_object(sub.properties.get("RedrivePolicy")):
            yield Hit(sub.logical_id, f"{sub.protocol} subscription without a dead-letter queue")


@rule(
    "SNS7",
    ERROR,
    title="An SNS subscription's dead-letter queue cannot receive from the topic.",
    why="SNS moves undeliverable messages to the subscription's dead-letter queue as "
    "sns.amazonaws.com; a queue of the wrong type (FIFO vs standard), without a policy that "
    "admits the topic, or with a key SNS may not use loses the very messages it should keep.",
    fix="Use a queue of the topic's type, with a queue policy that allows sns.amazonaws.com "
    "sqs:SendMessage from the topic and a key SNS may use (customer-managed, or SQS-managed).",
    sources=(SNS_DLQ, SNS_SQS_ENCRYPTION),
)
def sns_subscription_dlq(model: StackModel) -> Iterator[Hit]:
    for sub in subscriptions(model):
        redrive = as_json_object(sub.properties.get("RedrivePolicy"))
        if not redrive:
            continue
        target = model.resolve(redrive.get("deadLetterTargetArn"))
        dlq = _queue_id(model, target)
        topic = _topic_id(model, sub.topic)
        if dlq is None:
            yield _cannot_follow(sub.logical_id, "the subscription dead-letter queue", target)
            continue
        if topic is not None and is_fifo_topic(model, topic) != is_fifo_queue(model, dlq):
            yield Hit(sub.logical_id, f"{dlq} is not of the same type (FIFO/standard) as {topic}")
        if topic is not None and not policy_admits(
            model, dlq, "sns.amazonaws.com", "sqs:SendMessage", topic
        ):
            yield Hit(sub.logical_id, f"no policy statement of {dlq} admits the topic {topic}")
        for hit in _managed_key_hits(model, sub.logical_id, dlq, "sns.amazonaws.com"):
            yield hit
        for hit in _customer_key_hits(model, sub.logical_id, dlq, "sns.amazonaws.com"):
            if hit.level != INFO:
                yield hit


LAMBDA_SNS = "https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html"


@rule(
    "SNS8",
    ERROR,
    title="An SNS subscription invokes a function that has no permission for the topic.",
    why="SNS invokes the function as sns.amazonaws.com; without a Lambda permission (resource "
    "policy) for it every invocation is refused and, after the retries, the message is lost.",
    fix="Add a Lambda permission: lambda:InvokeFunction for sns.amazonaws.com with SourceArn "
    "the topic ARN (CDK: the LambdaSubscription adds it).",
    sources=(LAMBDA_SNS,),
)
def sns_lambda_permission(model: StackModel) -> Iterator[Hit]:
    for sub in subscriptions(model):
        if sub.protocol != "lambda":
            continue
        function = _function_id(model, sub.endpoint)
        if function is None:
            yield _cannot_follow(sub.logical_id, "the subscribed function", sub.endpoint)
            continue
        if not lambda_permits(model, function, "sns.amazonaws.com", _topic_id(model, sub.topic)):
            yield Hit(sub.logical_id, f"no Lambda permission lets the topic invoke {function}")


SNS_QUOTAS = "https://docs.aws.amazon.com/general/latest/gr/sns.html"
SNS_MAX_MESSAGE_BYTES = 262_144


@rule(
    "SNS9",
    WARNING,
    title="An SNS subscription delivers to a queue that accepts smaller messages than SNS "
    "publishes (256 KiB).",
    why="SNS publishes messages up to 256 KiB; a queue whose MaximumMessageSize is smaller "
    "refuses the larger ones, which SNS then retries and drops (or moves to the subscription's "
    "dead-letter queue).",
    fix="Leave the queue's MaximumMessageSize at its default or set it to at least 262,144 bytes.",
    sources=(SNS_QUOTAS, QUEUE_QUOTAS),
)
def sns_queue_message_size(model: StackModel) -> Iterator[Hit]:
    for sub, _, queue in sqs_subscriptions(model):
        if queue is None or "MaximumMessageSize" not in model.props(queue):
            continue
        size = as_int(model.props(queue)["MaximumMessageSize"])
        if size is not None and size < SNS_MAX_MESSAGE_BYTES:
            yield Hit(sub.logical_id, f"{queue} accepts messages of at most {size} bytes")


SNS_CREATE_TOPIC = "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"


@rule(
    "SNS10",
    ERROR,
    title="A topic name or FIFO setting breaks SNS's rules.",
    why="A topic name has at most 256 letters, digits, hyphens and underscores, and a FIFO "
    "topic's name (only a FIFO topic's) ends in .fifo; content-based deduplication exists "
    "for FIFO topics only. SNS rejects the topic and the deploy fails.",
    fix="Correct the name (or leave it out and let CloudFormation generate one), and set "
    "ContentBasedDeduplication only on FIFO topics.",
    sources=(SNS_CREATE_TOPIC, SNS_FIFO),
)
def sns_topic_names(model: StackModel) -> Iterator[Hit]:
    for topic, props in model.of_type(TOPIC):
        fifo = is_fifo_topic(model, topic)
        name = props.get("TopicName")
        if isinstance(name, str):
            base = name.removesuffix(".fifo") if fifo else name
            if len(name) > 256:
                yield Hit(topic, f"topic name {name!r} has {len(name)} characters (at most 256)")
            if not re.fullmatch(r"[A-Za-z0-9_-]+", base):
                yield Hit(topic, f"topic name {name!r} has characters other than A-Z a-z 0-9 - _")
            if fifo and not name.endswith(".fifo"):
                yield Hit(topic, f"FIFO topic name {name!r} does not end in .fifo")
        if not fifo and as_bool(props.get("ContentBasedDeduplication")) is True:
            yield Hit(topic, "ContentBasedDeduplication is set on a standard topic")


# --- S3 event notifications -------------------------------------------------------------------


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


def _filter_rules(filter_value: Any, native: bool) -> tuple[str, str]:
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


def notifications(model: StackModel) -> Iterator[Notification]:
    native = (
        ("TopicConfigurations", "Topic", "topic"),
        ("QueueConfigurations", "Queue", "queue"),
        ("LambdaConfigurations", "Function", "function"),
    )
    for logical_id, props in model.of_type("AWS::S3::Bucket"):
        config = props.get("NotificationConfiguration")
        if not isinstance(config, dict):
            continue
        for list_name, arn_name, kind in native:
            for item in as_list(config.get(list_name)):
                if isinstance(item, dict):
                    prefix, suffix = _filter_rules(item.get("Filter"), native=True)
                    yield Notification(
                        logical_id,
                        Resolved(logical_id),
                        kind,
                        model.resolve(item.get(arn_name)),
                        (str(item.get("Event", "")),),
                        prefix,
                        suffix,
                    )
    api = (
        ("TopicConfigurations", "TopicArn", "topic"),
        ("QueueConfigurations", "QueueArn", "queue"),
        ("LambdaFunctionConfigurations", "LambdaFunctionArn", "function"),
    )
    for logical_id, props in model.of_type("Custom::S3BucketNotifications"):
        config = props.get("NotificationConfiguration")
        if not isinstance(config, dict):
            continue
        for list_name, arn_name, kind in api:
            for item in as_list(config.get(list_name)):
                if isinstance(item, dict):
                    prefix, suffix = _filter_rules(item.get("Filter"), native=False)
                    yield Notification(
                        logical_id,
                        model.resolve(props.get("BucketName")),
                        kind,
                        model.resolve(item.get(arn_name)),
                        tuple(str(e) for e in as_list(item.get("Events"))),
                        prefix,
                        suffix,
                    )


def _function_id(model: StackModel, target: Target) -> str | None:
    """The function a target names: directly, through an alias or version, or by its name."""
    if isinstance(target, Resolved):
        kind = model.type_of(target.logical_id)
        if kind == "AWS::Lambda::Function":
            return target.logical_id
        if kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            function = model.props(target.logical_id).get("FunctionName")
            return _function_id(model, model.resolve_function(function))
        return None
    if isinstance(target, Literal):
        return _function_id(model, model.resolve_function(target.text))
    return None


def _bucket_id(model: StackModel, target: Target) -> str | None:
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == "AWS::S3::Bucket":
        return target.logical_id
    return None


S3_PERMISSIONS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html"
S3_FILTERING = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html"
)


def _s3_destinations(model: StackModel) -> Iterator[tuple[Notification, str]]:
    for note in notifications(model):
        if note.kind == "function":
            continue
        destination = (_topic_id if note.kind == "topic" else _queue_id)(model, note.destination)
        if destination is not None:
            yield note, destination


@rule(
    "S3N1",
    ERROR,
    title="An S3 event notification's topic, queue or function does not admit the bucket.",
    why="S3 validates the destination when the notification is configured: without sns:Publish, "
    "sqs:SendMessage or lambda:InvokeFunction for s3.amazonaws.com from this bucket the deploy "
    "fails (and a later policy change silently drops events).",
    fix="Add a statement to the topic or queue policy (Allow s3.amazonaws.com sns:Publish / "
    "sqs:SendMessage with aws:SourceArn equal to the bucket ARN and aws:SourceAccount), or a "
    "Lambda permission for s3.amazonaws.com with that SourceArn.",
    sources=(S3_PERMISSIONS,),
)
def s3_destination_policy(model: StackModel) -> Iterator[Hit]:
    for note in notifications(model):
        bucket = _bucket_id(model, note.bucket)
        if note.kind == "function":
            function = _function_id(model, note.destination)
            if function is None:
                yield _cannot_follow(note.at, "the notification function", note.destination)
            elif not lambda_permits(model, function, "s3.amazonaws.com", bucket):
                yield Hit(note.at, f"no Lambda permission lets s3.amazonaws.com invoke {function}")
            continue
        destination = (_topic_id if note.kind == "topic" else _queue_id)(model, note.destination)
        if destination is None:
            yield _cannot_follow(note.at, f"the notification {note.kind}", note.destination)
            continue
        action = "sns:Publish" if note.kind == "topic" else "sqs:SendMessage"
        if not policy_admits(model, destination, "s3.amazonaws.com", action, bucket):
            yield Hit(
                note.at, f"no policy statement of {destination} allows s3.amazonaws.com {action}"
            )


@rule(
    "S3N2",
    ERROR,
    title="An S3 event notification's topic or queue is encrypted with an AWS-managed key.",
    why="S3 must use the destination's key to publish, and an AWS-managed key's policy cannot "
    "admit s3.amazonaws.com: the events are never delivered.",
    fix="Encrypt the topic or queue with a customer-managed key whose policy lets "
    "s3.amazonaws.com use kms:GenerateDataKey* and kms:Decrypt.",
    sources=(
        S3_PERMISSIONS,
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ways-to-add-notification-config-"
        "to-bucket.html",
    ),
)
def s3_destination_managed_key(model: StackModel) -> Iterator[Hit]:
    for note, destination in _s3_destinations(model):
        yield from _managed_key_hits(model, note.at, destination, "s3.amazonaws.com")


@rule(
    "S3N3",
    ERROR,
    title="An S3 event notification's topic or queue uses a customer-managed key that does not "
    "admit S3.",
    why="Without kms:GenerateDataKey* and kms:Decrypt for s3.amazonaws.com in the key policy, S3 "
    "cannot publish to the encrypted destination and the events are lost.",
    fix="Add a key policy statement for s3.amazonaws.com with kms:GenerateDataKey* and "
    "kms:Decrypt, scoped by aws:SourceArn to the bucket.",
    sources=(S3_PERMISSIONS,),
)
def s3_destination_customer_key(model: StackModel) -> Iterator[Hit]:
    for note, destination in _s3_destinations(model):
        yield from _customer_key_hits(model, note.at, destination, "s3.amazonaws.com")


def _events_overlap(left: str, right: str) -> bool:
    def norm(event: str) -> tuple[str, str]:
        family, _, detail = event.removeprefix("s3:").partition(":")
        return family, detail or "*"

    (family_a, detail_a), (family_b, detail_b) = norm(left), norm(right)
    return family_a == family_b and (detail_a == detail_b or "*" in (detail_a, detail_b))


def _overlaps(a: Notification, b: Notification) -> bool:
    if not any(_events_overlap(x, y) for x in a.events for y in b.events):
        return False
    prefixes = a.prefix.startswith(b.prefix) or b.prefix.startswith(a.prefix)
    suffixes = a.suffix.endswith(b.suffix) or b.suffix.endswith(a.suffix)
    return prefixes and suffixes


@rule(
    "S3N4",
    ERROR,
    title="Two event notification rules of one bucket overlap (same event type, overlapping "
    "prefix and suffix).",
    why="S3 rejects a notification configuration whose rules could both match one object for "
    "the same event type, so the deploy fails.",
    fix="Send the overlapping events to one destination (an SNS topic that fans out), or make "
    "the prefixes or suffixes disjoint.",
    sources=(S3_FILTERING,),
)
def s3_overlapping_rules(model: StackModel) -> Iterator[Hit]:
    by_bucket: dict[str, list[Notification]] = {}
    for note in notifications(model):
        key = note.bucket.logical_id if isinstance(note.bucket, Resolved) else f"?{note.at}"
        by_bucket.setdefault(key, []).append(note)
    for bucket, notes in by_bucket.items():
        for index, first in enumerate(notes):
            for second in notes[index + 1 :]:
                if _overlaps(first, second):
                    yield Hit(
                        first.at,
                        f"rules {first.events} prefix {first.prefix!r} suffix {first.suffix!r} and "
                        f"{second.events} prefix {second.prefix!r} suffix {second.suffix!r} of "
                        f"{bucket.lstrip('?')} overlap",
                    )


S3_NOTIFICATIONS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/NotificationHowTo.html"


@rule(
    "S3N5",
    ERROR,
    title="An S3 event notification targets a FIFO topic or FIFO queue.",
    why="S3 event notifications support only standard SNS topics and standard SQS queues: the "
    "notification configuration is rejected and the deploy fails.",
    fix="Notify a standard topic or queue, or send the events through EventBridge (which can "
    "target FIFO queues with a message group ID).",
    sources=(S3_NOTIFICATIONS,),
)
def s3_fifo_destination(model: StackModel) -> Iterator[Hit]:
    for note, destination in _s3_destinations(model):
        fifo = is_fifo_topic if note.kind == "topic" else is_fifo_queue
        if fifo(model, destination):
            yield Hit(note.at, f"{destination} is a FIFO {note.kind}")


# --- SQS redrive and limits -------------------------------------------------------------------


SQS_DLQ = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html"
SQS_DLQ_RETENTION = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html"
SQS_CREATE_QUEUE = (
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"
)
DEFAULT_RETENTION = 345_600
DEFAULT_VISIBILITY = 30


def redrives(model: StackModel) -> Iterator[tuple[str, dict[str, Any], Target]]:
    """(queue, its redrive policy, its dead-letter queue target) for every queue with one."""
    for logical_id, props in model.of_type(QUEUE):
        redrive = as_json_object(props.get("RedrivePolicy"))
        if redrive:
            yield logical_id, redrive, model.resolve(redrive.get("deadLetterTargetArn"))


@rule(
    "SQS1",
    ERROR,
    title="A FIFO queue has a standard dead-letter queue, or a standard queue a FIFO one.",
    why="SQS requires the dead-letter queue to be of the same type as its source queue: the "
    "deploy fails.",
    fix="Make the dead-letter queue FIFO for a FIFO queue and standard for a standard one.",
    sources=(SQS_DLQ,),
)
def sqs_dlq_type(model: StackModel) -> Iterator[Hit]:
    for queue, _, target in redrives(model):
        dlq = _queue_id(model, target)
        dlq_fifo = is_fifo_queue(model, dlq) if dlq else _external_fifo(target)
        if dlq_fifo is None:
            if dlq is None:
                yield _cannot_follow(queue, "the dead-letter queue", target)
            continue
        if dlq_fifo != is_fifo_queue(model, queue):
            kind = "FIFO" if is_fifo_queue(model, queue) else "standard"
            yield Hit(queue, f"{kind} queue {queue} redrives to {dlq or target} of the other type")


def _retention(model: StackModel, logical_id: str) -> int | None:
    value = model.props(logical_id).get("MessageRetentionPeriod")
    return DEFAULT_RETENTION if value is None else as_int(value)


@rule(
    "SQS2",
    ERROR,
    title="A standard queue's dead-letter queue keeps messages for less time than the queue.",
    why="A standard queue's message keeps its original enqueue time in the dead-letter queue, "
    "so it expires there once the DLQ's retention has passed since it was first sent: a "
    "message that failed late is deleted at once.",
    fix="Give the dead-letter queue a longer retention period than its source (up to 14 days).",
    sources=(SQS_DLQ_RETENTION,),
)
def sqs_dlq_retention(model: StackModel) -> Iterator[Hit]:
    for queue, _, target in redrives(model):
        dlq = _queue_id(model, target)
        if dlq is None or is_fifo_queue(model, queue):
            continue
        source, kept = _retention(model, queue), _retention(model, dlq)
        if source is not None and kept is not None and kept < source:
            yield Hit(
                queue,
                f"dead-letter queue {dlq} keeps messages {kept} s, less than {queue} ({source} s)",
            )


@rule(
    "SQS3",
    ERROR,
    title="A dead-letter queue's redrive allow policy excludes the queue that uses it.",
    why="SQS only moves messages to a dead-letter queue whose RedriveAllowPolicy admits the "
    "source queue; with denyAll, or byQueue without the source, the redrive is refused.",
    fix="Set the DLQ's RedriveAllowPolicy to allowAll, or to byQueue listing the source queue's "
    "ARN.",
    sources=(SQS_DLQ, SQS_CREATE_QUEUE),
)
def sqs_redrive_allow(model: StackModel) -> Iterator[Hit]:
    for queue, _, target in redrives(model):
        dlq = _queue_id(model, target)
        if dlq is None:
            continue
        allow = as_json_object(model.props(dlq).get("RedriveAllowPolicy"))
        if not allow:
            continue
        permission = allow.get("redrivePermission")
        if permission == "denyAll":
            yield Hit(queue, f"{dlq} denies every source queue (redrivePermission denyAll)")
        elif permission == "byQueue":
            sources = [model.resolve(s) for s in as_list(allow.get("sourceQueueArns"))]
            if any(isinstance(s, Unknown) for s in sources):
                continue
            if any(isinstance(s, Literal) and "*" in s.text for s in sources):
                continue
            if not any(isinstance(s, Resolved) and s.logical_id == queue for s in sources):
                yield Hit(queue, f"{dlq} admits only other source queues (byQueue)")


@rule(
    "SQS4",
    ERROR,
    title="A queue name breaks SQS's naming rules.",
    why="A queue name has at most 80 characters of letters, digits, hyphens and underscores, "
    "and a FIFO queue's name (only a FIFO queue's) ends in .fifo; otherwise the deploy fails.",
    fix="Shorten or correct the name, or leave it out and let CloudFormation generate one.",
    sources=(QUEUE_QUOTAS, SQS_CREATE_QUEUE),
)
def sqs_names(model: StackModel) -> Iterator[Hit]:
    for queue, props in model.of_type(QUEUE):
        name = props.get("QueueName")
        if not isinstance(name, str):
            continue
        fifo = is_fifo_queue(model, queue)
        base = name.removesuffix(".fifo") if fifo else name
        if len(name) > 80:
            yield Hit(queue, f"queue name {name!r} has {len(name)} characters (at most 80)")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", base):
            yield Hit(queue, f"queue name {name!r} has characters other than A-Z a-z 0-9 - _")
        if fifo and not name.endswith(".fifo"):
            yield Hit(queue, f"FIFO queue name {name!r} does not end in .fifo")


SQS_RANGES = (
    ("VisibilityTimeout", 0, 43_200),
    ("MessageRetentionPeriod", 60, 1_209_600),
    ("DelaySeconds", 0, 900),
    ("MaximumMessageSize", 1_024, 1_048_576),
    ("ReceiveMessageWaitTimeSeconds", 0, 20),
    ("KmsDataKeyReusePeriodSeconds", 60, 86_400),
)


@rule(
    "SQS5",
    ERROR,
    title="A queue setting or its redrive maxReceiveCount is outside the range SQS accepts.",
    why="SQS rejects the queue (maxReceiveCount 1-1,000, visibility timeout 0-43,200 s, "
    "retention 60-1,209,600 s, delay 0-900 s, message size 1,024-1,048,576 bytes, wait time "
    "0-20 s, data key reuse 60-86,400 s), so the deploy fails; FIFO-only settings on a standard "
    "queue fail the same way.",
    fix="Bring the value inside its range.",
    sources=(QUEUE_QUOTAS, SQS_CREATE_QUEUE),
)
def sqs_ranges(model: StackModel) -> Iterator[Hit]:
    for queue, props in model.of_type(QUEUE):
        for name, low, high in SQS_RANGES:
            value = as_int(props.get(name)) if name in props else None
            if value is not None and not low <= value <= high:
                yield Hit(queue, f"{name} {value} is outside {low}-{high}")
        redrive = as_json_object(props.get("RedrivePolicy")) or {}
        count = as_int(redrive.get("maxReceiveCount")) if "maxReceiveCount" in redrive else None
        if count is not None and not 1 <= count <= 1000:
            yield Hit(queue, f"maxReceiveCount {count} is outside 1-1000")
        if not is_fifo_queue(model, queue):
            for fifo_only in (
                "ContentBasedDeduplication",
                "DeduplicationScope",
                "FifoThroughputLimit",
            ):
                if props.get(fifo_only) not in (None, False, "false"):
                    yield Hit(queue, f"{fifo_only} is set on a standard queue")


# --- Lambda consumers -------------------------------------------------------------------------


KINESIS_KEY_PERMISSIONS = (
    "https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html"
)
LAMBDA_SQS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"
LAMBDA_SQS_ERRORS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html"
LAMBDA_KINESIS_ERRORS = (
    "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html"
)
SQS_LAMBDA_TRIGGER = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html"


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


def _function_timeout(model: StackModel, target: Target) -> int | None:
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == "AWS::Lambda::Function":
        value = model.props(target.logical_id).get("Timeout")
        return 3 if value is None else as_int(value)
    return None


def _visibility(model: StackModel, queue: str) -> int | None:
    value = model.props(queue).get("VisibilityTimeout")
    return DEFAULT_VISIBILITY if value is None else as_int(value)


def sqs_mappings(
    model: StackModel,
) -> Iterator[tuple[str, dict[str, Any], str | None, Target, Target]]:
    for mapping, props, source, function in event_source_mappings(model):
        text = text_of(model, props.get("EventSourceArn")) or ""
        queue = _queue_id(model, source)
        if queue is not None or ":sqs:" in text:
            yield mapping, props, queue, source, function


@rule(
    "LAMBDA1",
    ERROR,
    title="A queue's visibility timeout is shorter than the timeout of the function that consumes"
    " it.",
    why="Lambda refuses to create the event source mapping (the deploy fails); were it allowed, "
    "a message would reappear while the function still works on it.",
    fix="Set the queue's visibility timeout to at least six times the function timeout.",
    sources=(LAMBDA_SQS,),
)
def lambda_visibility_below_timeout(model: StackModel) -> Iterator[Hit]:
    for mapping, _, queue, source, function in sqs_mappings(model):
        if queue is None:
            yield _cannot_follow(mapping, "the queue", source)
            continue
        timeout = _function_timeout(model, function)
        if timeout is None:
            yield _cannot_follow(mapping, "the function", function)
            continue
        visibility = _visibility(model, queue)
        if visibility is not None and visibility < timeout:
            yield Hit(
                mapping,
                f"{queue} hides messages {visibility} s, the function runs up to {timeout} s",
            )


@rule(
    "LAMBDA2",
    WARNING,
    title="A queue's visibility timeout is shorter than six times the consuming function's "
    "timeout (plus the batching window).",
    why="AWS recommends at least six times the function timeout so Lambda can retry a batch "
    "when the function is throttled; shorter, messages return to the queue and count receives "
    "towards the dead-letter queue while still being processed.",
    fix="Set the visibility timeout to at least 6 x function timeout + "
    "MaximumBatchingWindowInSeconds.",
    sources=(LAMBDA_SQS, SQS_LAMBDA_TRIGGER),
)
def lambda_visibility_below_six_times(model: StackModel) -> Iterator[Hit]:
    for mapping, props, queue, _, function in sqs_mappings(model):
        timeout = _function_timeout(model, function)
        if queue is None or timeout is None:
            continue
        visibility = _visibility(model, queue)
        window = as_int(props.get("MaximumBatchingWindowInSeconds", 0)) or 0
        wanted = 6 * timeout + window
        if visibility is not None and timeout <= visibility < wanted:
            yield Hit(mapping, f"{queue} hides messages {visibility} s, recommended {wanted} s")


@rule(
    "LAMBDA3",
    WARNING,
    title="An SQS event source mapping does not report batch item failures.",
    why="Without ReportBatchItemFailures one failed message returns the whole batch to the "
    "queue: processed messages run again and good messages reach the dead-letter queue with "
    "the bad one.",
    fix="Set FunctionResponseTypes to [ReportBatchItemFailures] (CDK: "
    "report_batch_item_failures=True) "
    "and return batchItemFailures from the function.",
    sources=(LAMBDA_SQS_ERRORS,),
)
def lambda_sqs_partial_batch(model: StackModel) -> Iterator[Hit]:
    for mapping, props, _, _, _ in sqs_mappings(model):
        if "ReportBatchItemFailures" not in as_list(props.get("FunctionResponseTypes")):
            yield Hit(mapping, "FunctionResponseTypes lacks ReportBatchItemFailures")


@rule(
    "LAMBDA4",
    WARNING,
    title="A Kinesis or DynamoDB stream event source lacks bisect-on-error, a maximum record age "
    "or an on-failure destination.",
    why="A record the function cannot process blocks its shard and is retried until it "
    "expires from the stream; without bisecting, an age limit and an on-failure destination "
    "the shard stalls and the record is lost without trace.",
    fix="Set BisectBatchOnFunctionError, MaximumRecordAgeInSeconds (or MaximumRetryAttempts) "
    "and DestinationConfig.OnFailure (an SQS queue or SNS topic).",
    sources=(
        LAMBDA_KINESIS_ERRORS,
        "https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html",
    ),
)
def lambda_stream_failures(model: StackModel) -> Iterator[Hit]:
    for mapping, props, source, _ in event_source_mappings(model):
        text = text_of(model, props.get("EventSourceArn")) or ""
        is_stream = ":kinesis:" in text or "/stream/" in text
        if isinstance(source, Resolved):
            kind = model.type_of(source.logical_id)
            is_stream = (
                kind in ("AWS::Kinesis::Stream", "AWS::Kinesis::StreamConsumer")
                or (kind == "AWS::DynamoDB::Table" and source.attribute == "StreamArn")
                or kind == "AWS::DynamoDB::GlobalTable"
            )
        if not is_stream:
            continue
        missing = []
        if as_bool(props.get("BisectBatchOnFunctionError")) is not True:
            missing.append("BisectBatchOnFunctionError")
        age = as_int(props.get("MaximumRecordAgeInSeconds", -1))
        retries = as_int(props.get("MaximumRetryAttempts", -1))
        if age in (None, -1) and retries in (None, -1):
            missing.append("MaximumRecordAgeInSeconds")
        destination = props.get("DestinationConfig") or {}
        on_failure = destination.get("OnFailure") if isinstance(destination, dict) else None
        if not (isinstance(on_failure, dict) and on_failure.get("Destination")):
            missing.append("DestinationConfig.OnFailure")
        if missing:
            yield Hit(mapping, "missing " + ", ".join(missing))


@rule(
    "LAMBDA5",
    WARNING,
    title="A queue consumed by Lambda moves messages to its dead-letter queue after fewer than 5 "
    "receives.",
    why="Lambda receives a message again when the function is throttled; AWS recommends a "
    "maxReceiveCount of at least 5 so throttling alone does not send good messages to the "
    "dead-letter queue.",
    fix="Set the queue's redrive policy maxReceiveCount to 5 or more.",
    sources=(LAMBDA_SQS_ERRORS, LAMBDA_SQS),
)
def lambda_max_receive_count(model: StackModel) -> Iterator[Hit]:
    for mapping, _, queue, _, _ in sqs_mappings(model):
        if queue is None:
            continue
        redrive = as_json_object(model.props(queue).get("RedrivePolicy")) or {}
        count = as_int(redrive.get("maxReceiveCount")) if "maxReceiveCount" in redrive else None
        if count is not None and count < 5:
            yield Hit(mapping, f"{queue} has maxReceiveCount {count}")


LAMBDA_SQS_PARAMETERS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html"


@rule(
    "LAMBDA6",
    ERROR,
    title="An SQS event source mapping's batch size or batching window does not fit its queue.",
    why="Lambda rejects the mapping: a FIFO queue takes batches of at most 10 and no batching "
    "window; a standard queue takes at most 10,000, and more than 10 only with a batching "
    "window of at least one second. The deploy fails.",
    fix="For a FIFO queue, BatchSize 1-10 without MaximumBatchingWindowInSeconds; for a "
    "standard queue, BatchSize up to 10,000 with a window of at least 1 s above 10.",
    sources=(LAMBDA_SQS_PARAMETERS,),
)
def lambda_sqs_batching(model: StackModel) -> Iterator[Hit]:
    for mapping, props, queue, _, _ in sqs_mappings(model):
        if queue is None:
            continue
        size = as_int(props.get("BatchSize", 10))
        window = as_int(props.get("MaximumBatchingWindowInSeconds", 0))
        if size is None or window is None:
            continue
        if is_fifo_queue(model, queue):
            if size > 10:
                yield Hit(mapping, f"BatchSize {size} on FIFO queue {queue} (at most 10)")
            if window > 0:
                yield Hit(mapping, f"a batching window on FIFO queue {queue}")
        elif size > 10_000:
            yield Hit(mapping, f"BatchSize {size} on {queue} (at most 10,000)")
        elif size > 10 and window < 1:
            yield Hit(mapping, f"BatchSize {size} without a batching window of at least 1 s")


def _source_key(model: StackModel, source: Target) -> KeyInfo | None:
    """The key of a queue or Kinesis stream event source (None for other sources)."""
    if not isinstance(source, Resolved):
        return None
    kind = model.type_of(source.logical_id)
    props = model.props(source.logical_id)
    if kind == QUEUE:
        return key_info(model, props.get("KmsMasterKeyId"))
    if kind == "AWS::Kinesis::Stream":
        encryption = props.get("StreamEncryption")
        return key_info(model, encryption.get("KeyId") if isinstance(encryption, dict) else None)
    return None


@rule(
    "LAMBDA7",
    ERROR,
    title="A function consumes a queue or stream encrypted with a customer-managed key its "
    "execution role may not decrypt with.",
    why="Lambda polls the queue or reads the stream with the function's execution role; "
    "without kms:Decrypt on the key (from the key policy, or from the role's policies where "
    "the key policy delegates to the account) nothing is ever delivered to the function and "
    "the messages or records expire.",
    fix="Grant the execution role kms:Decrypt on the key (CDK: queue.grant_consume_messages(fn), "
    "stream.grant_read(fn) or key.grant_decrypt(fn)).",
    sources=(SQS_LAMBDA_TRIGGER, KINESIS_KEY_PERMISSIONS),
)
def lambda_source_key(model: StackModel) -> Iterator[Hit]:
    for mapping, _, source, function in event_source_mappings(model):
        key = _source_key(model, source)
        if key is None or key.kind in ("none", "aws-managed"):
            continue
        if key.kind != "customer" or key.logical_id is None:
            yield Hit(mapping, f"not checked: the source's key is {key.detail}", INFO)
            continue
        if not (
            isinstance(function, Resolved)
            and model.type_of(function.logical_id) == "AWS::Lambda::Function"
        ):
            yield _cannot_follow(mapping, "the function", function)
            continue
        role_value = model.props(function.logical_id).get("Role")
        role = _role_id(model, role_value)
        if role is None:
            yield _cannot_follow(mapping, "the execution role", model.resolve(role_value))
        elif not _role_may_decrypt(model, role, key.logical_id):
            yield Hit(mapping, f"role {role} may not kms:Decrypt with {key.logical_id}")


# --- CloudWatch alarms and EventBridge rules --------------------------------------------------


CW_SNS = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html"
)
SNS_KEY_MANAGEMENT = (
    "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"
    "#compatibility-with-aws-services"
)
EB_TARGETS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html"
EB_SNS_KMS = "https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification"


def alarm_topics(model: StackModel) -> Iterator[tuple[str, str]]:
    for alarm, props in model.of_type("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            for action in as_list(props.get(key)):
                topic = _topic_id(model, model.resolve(action))
                if topic is not None:
                    yield alarm, topic


@rule(
    "CW1",
    ERROR,
    title="An alarm notifies a topic encrypted with the AWS-managed SNS key (alias/aws/sns).",
    why="CloudWatch publishes alarm notifications as cloudwatch.amazonaws.com, which the "
    "AWS-managed key's policy does not admit: the alarm fires and nobody hears it.",
    fix="Encrypt the alarm topic with a customer-managed key whose policy lets "
    "cloudwatch.amazonaws.com use kms:GenerateDataKey* and kms:Decrypt.",
    sources=(SNS_KEY_MANAGEMENT, CW_SNS),
)
def alarm_managed_key(model: StackModel) -> Iterator[Hit]:
    for alarm, topic in alarm_topics(model):
        yield from _managed_key_hits(model, alarm, topic, "cloudwatch.amazonaws.com")


@rule(
    "CW2",
    ERROR,
    title="An alarm notifies a topic whose customer-managed key does not let CloudWatch use it.",
    why="Without kms:GenerateDataKey* and kms:Decrypt for cloudwatch.amazonaws.com in the key "
    "policy, CloudWatch cannot publish to the encrypted topic.",
    fix="Add a key policy statement for cloudwatch.amazonaws.com with kms:GenerateDataKey* and "
    "kms:Decrypt.",
    sources=(SNS_KEY_MANAGEMENT, CW_SNS),
)
def alarm_customer_key(model: StackModel) -> Iterator[Hit]:
    for alarm, topic in alarm_topics(model):
        yield from _customer_key_hits(model, alarm, topic, "cloudwatch.amazonaws.com")


def rule_targets(model: StackModel) -> Iterator[tuple[str, str, str]]:
    """(rule, destination, "topic", "queue" or "function") for the rules' targets here."""
    for events_rule, props in model.of_type("AWS::Events::Rule"):
        for target in as_list(props.get("Targets")):
            if not isinstance(target, dict):
                continue
            resolved = model.resolve(target.get("Arn"))
            topic, queue = _topic_id(model, resolved), _queue_id(model, resolved)
            function = _function_id(model, resolved)
            if topic:
                yield events_rule, topic, "topic"
            elif queue:
                yield events_rule, queue, "queue"
            elif function:
                yield events_rule, function, "function"


@rule(
    "EB1",
    ERROR,
    title="An EventBridge rule targets a topic or queue encrypted with an AWS-managed key.",
    why="EventBridge delivers as events.amazonaws.com, which an AWS-managed key's policy does "
    "not admit: every invocation fails.",
    fix="Encrypt the target with a customer-managed key whose policy lets events.amazonaws.com "
    "use kms:GenerateDataKey* and kms:Decrypt.",
    sources=(SNS_KEY_MANAGEMENT, SQS_KEY_MANAGEMENT, EB_SNS_KMS),
)
def events_managed_key(model: StackModel) -> Iterator[Hit]:
    for events_rule, destination, kind in rule_targets(model):
        if kind == "function":
            continue
        yield from _managed_key_hits(model, events_rule, destination, "events.amazonaws.com")


@rule(
    "EB2",
    ERROR,
    title="An EventBridge rule targets a topic or queue whose customer-managed key does not admit"
    " EventBridge.",
    why="Without kms:GenerateDataKey* and kms:Decrypt for events.amazonaws.com in the key policy, "
    "EventBridge cannot deliver to the encrypted target.",
    fix="Add a key policy statement for events.amazonaws.com with kms:GenerateDataKey* and "
    "kms:Decrypt.",
    sources=(SNS_KEY_MANAGEMENT, SQS_KEY_MANAGEMENT, EB_SNS_KMS),
)
def events_customer_key(model: StackModel) -> Iterator[Hit]:
    for events_rule, destination, kind in rule_targets(model):
        if kind == "function":
            continue
        yield from _customer_key_hits(model, events_rule, destination, "events.amazonaws.com")


@rule(
    "EB3",
    ERROR,
    title="An EventBridge rule targets a topic, queue or function whose policy does not admit "
    "the rule.",
    why="EventBridge needs sns:Publish, sqs:SendMessage or lambda:InvokeFunction for "
    "events.amazonaws.com in the target's resource policy; without it every event to the "
    "target fails.",
    fix="Add a statement (Allow events.amazonaws.com sns:Publish / sqs:SendMessage with "
    "aws:SourceArn equal to the rule ARN) or a Lambda permission for events.amazonaws.com with "
    "that SourceArn.",
    sources=(EB_TARGETS,),
)
def events_target_policy(model: StackModel) -> Iterator[Hit]:
    for events_rule, destination, kind in rule_targets(model):
        if kind == "function":
            if not lambda_permits(model, destination, "events.amazonaws.com", events_rule):
                yield Hit(events_rule, f"no Lambda permission lets the rule invoke {destination}")
            continue
        action = "sns:Publish" if kind == "topic" else "sqs:SendMessage"
        if not policy_admits(model, destination, "events.amazonaws.com", action, events_rule):
            yield Hit(
                events_rule, f"no policy statement of {destination} admits the rule ({action})"
            )


# --- Kinesis, Firehose, Amazon MQ -------------------------------------------------------------


FIREHOSE_ACCESS = "https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html"
KMS_KEY_POLICY = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
MQ_SECURITY = (
    "https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/using-amazon-mq-securely.html"
)
CFN_DYNAMIC_REFERENCES = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html"
)


def _role_id(model: StackModel, value: Any) -> str | None:
    target = model.resolve(value)
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == "AWS::IAM::Role":
        return target.logical_id
    return None


def _role_may(model: StackModel, role: str, action: str, resource: str | None) -> bool:
    for statement in identity_statements(model, role):
        if statement.get("Effect") != "Allow" or not actions_cover(model, statement, action):
            continue
        if resource is None:
            return True
        for value in as_list(statement.get("Resource")):
            target = model.resolve(value)
            if not isinstance(target, Resolved) or target.logical_id == resource:
                return True
    return False


def _role_may_decrypt(model: StackModel, role: str, key: str) -> bool:
    """The key policy lets the role decrypt, directly or by delegating to IAM policies."""
    key_statements = [
        s
        for s in statements(model.props(key).get("KeyPolicy"))
        if s.get("Effect") == "Allow" and actions_cover(model, s, "kms:Decrypt")
    ]
    if any(principal_is(model, s, role) for s in key_statements):
        return True
    delegated = any(principal_is_account(model, s) for s in key_statements)
    return delegated and _role_may(model, role, "kms:Decrypt", key)


@rule(
    "FH1",
    ERROR,
    title="A Firehose delivery stream reads a Kinesis stream encrypted with a customer-managed "
    "key its role may not use.",
    why="Firehose reads the stream with its role; without kms:Decrypt on the stream's key "
    "(from the key policy, or from the role's policies where the key policy delegates to the "
    "account) every read fails and records expire in the stream.",
    fix="Grant the delivery stream's role kms:Decrypt on the key (CDK: key.grant_decrypt(role)).",
    sources=(FIREHOSE_ACCESS, KINESIS_KEY_PERMISSIONS, KMS_KEY_POLICY),
)
def firehose_stream_key(model: StackModel) -> Iterator[Hit]:
    for stream_id, props in model.of_type("AWS::KinesisFirehose::DeliveryStream"):
        source = props.get("KinesisStreamSourceConfiguration")
        if not isinstance(source, dict):
            continue
        target = model.resolve(source.get("KinesisStreamARN"))
        if not (
            isinstance(target, Resolved)
            and model.type_of(target.logical_id) == "AWS::Kinesis::Stream"
        ):
            yield _cannot_follow(stream_id, "the source stream", target)
            continue
        encryption = model.props(target.logical_id).get("StreamEncryption")
        if not isinstance(encryption, dict):
            continue
        key = key_info(model, encryption.get("KeyId"))
        if key.kind != "customer" or key.logical_id is None:
            if key.kind == "unknown":
                yield Hit(stream_id, f"not checked: the stream key is {key.detail}", INFO)
            continue
        role = _role_id(model, source.get("RoleARN"))
        if role is None:
            yield _cannot_follow(stream_id, "the source role", model.resolve(source.get("RoleARN")))
            continue
        if _role_may_decrypt(model, role, key.logical_id):
            continue
        yield Hit(stream_id, f"role {role} may not kms:Decrypt with {key.logical_id}")


@rule(
    "FH2",
    WARNING,
    title="A Firehose delivery stream's role may delete objects.",
    why="Firehose only writes and lists what it delivers; a role that may also delete turns a "
    "misconfiguration or a compromised stream into lost data.",
    fix="Grant only s3:AbortMultipartUpload, s3:GetBucketLocation, s3:GetObject, s3:ListBucket, "
    "s3:ListBucketMultipartUploads and s3:PutObject (CDK: not bucket.grant_read_write).",
    sources=(FIREHOSE_ACCESS,),
)
def firehose_role_deletes(model: StackModel) -> Iterator[Hit]:
    for stream_id, props in model.of_type("AWS::KinesisFirehose::DeliveryStream"):
        roles = set()
        for key in ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration"):
            config = props.get(key)
            if isinstance(config, dict):
                roles.add(config.get("RoleARN") and _role_id(model, config.get("RoleARN")))
                backup = config.get("S3BackupConfiguration")
                if isinstance(backup, dict):
                    roles.add(_role_id(model, backup.get("RoleARN")))
        for role in sorted(r for r in roles if r):
            for action in ("s3:DeleteObject", "s3:DeleteObjectVersion"):
                if _role_may(model, role, action, None):
                    yield Hit(stream_id, f"role {role} may {action}")
                    break


@rule(
    "MQ1",
    WARNING,
    title="An Amazon MQ broker is publicly accessible.",
    why="A public broker takes connections from the internet; AWS recommends private brokers "
    "reached through the VPC.",
    fix="Set PubliclyAccessible to false and connect through the VPC (or a VPN / PrivateLink).",
    sources=(MQ_SECURITY,),
)
def broker_public(model: StackModel) -> Iterator[Hit]:
    for broker, props in model.of_type("AWS::AmazonMQ::Broker"):
        if as_bool(props.get("PubliclyAccessible")) is True:
            yield Hit(broker, "PubliclyAccessible is true")


@rule(
    "MQ2",
    WARNING,
    title="An Amazon MQ broker user's password is written in the template.",
    why="A literal password (or a parameter without NoEcho) is readable by anyone who can read "
    "the template or the stack, in the console and in the deployment bucket.",
    fix="Take the password from Secrets Manager with a dynamic reference "
    "({{resolve:secretsmanager:...}}; CDK: SecretValue.secrets_manager).",
    sources=(MQ_SECURITY, CFN_DYNAMIC_REFERENCES),
)
def broker_plain_password(model: StackModel) -> Iterator[Hit]:
    for broker, props in model.of_type("AWS::AmazonMQ::Broker"):
        for user in as_list(props.get("Users")):
            if not isinstance(user, dict) or "Password" not in user:
                continue
            password = user["Password"]
            username = user.get("Username", "?")
            if isinstance(password, dict) and set(password) == {"Ref"}:
                parameter = model.parameters.get(password["Ref"])
                if isinstance(parameter, dict) and as_bool(parameter.get("NoEcho")) is not True:
                    yield Hit(
                        broker,
                        f"password of {username} is parameter {password['Ref']} without NoEcho",
                    )
                continue
            text = text_of(model, password)
            if text is not None and "{{resolve:" not in text and WILDCARD not in text:
                yield Hit(broker, f"password of {username} is a literal in the template")


__all__ = [
    "ERROR",
    "INFO",
    "PACK_NAME",
    "RULES",
    "WARNING",
    "Finding",
    "Rule",
    "check_template",
    "physical_name",
]
