"""Rules on CloudWatch alarm actions and EventBridge rule targets (``Messaging-CW*``,
``Messaging-EB*``).
"""

from __future__ import annotations

from collections.abc import Iterator

from patterns.messaging.connections import (
    alarm_topics,
    events_targets,
    is_fifo_queue,
    queue_id,
    rule_targets,
)
from patterns.messaging.model import (
    Resolved,
    StackModel,
    text_of,
)
from patterns.messaging.permissions import (
    lambda_permits,
    policy_admits,
)
from patterns.messaging.rules.base import (
    ERROR,
    INFO,
    SNS_KEY_MANAGEMENT,
    SQS_KEY_MANAGEMENT,
    WARNING,
    Hit,
    Rule,
    customer_key_hits,
    managed_key_hits,
    rule,
)

CW_SNS = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html"
)
EB_TARGETS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html"
EB_SNS_KMS = "https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification"


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
        yield from managed_key_hits(model, alarm, topic, "cloudwatch.amazonaws.com")


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
        yield from customer_key_hits(model, alarm, topic, "cloudwatch.amazonaws.com")


@rule(
    "EB1",
    ERROR,
    title="An EventBridge rule targets a topic or queue encrypted with an AWS-managed key.",
    why="EventBridge delivers as events.amazonaws.com, which an AWS-managed key's policy does "
    "not admit: every invocation fails.",
    fix="Encrypt a queue with SQS-managed encryption (SqsManagedSseEnabled; CDK: "
    "encryption=sqs.QueueEncryption.SQS_MANAGED), which needs no key policy, or encrypt the "
    "queue or topic with a customer-managed key whose policy lets events.amazonaws.com use "
    "kms:GenerateDataKey* and kms:Decrypt.",
    sources=(SNS_KEY_MANAGEMENT, SQS_KEY_MANAGEMENT, EB_SNS_KMS),
)
def events_managed_key(model: StackModel) -> Iterator[Hit]:
    for events_rule, destination, kind in rule_targets(model):
        if kind == "function":
            continue
        yield from managed_key_hits(model, events_rule, destination, "events.amazonaws.com")


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
        yield from customer_key_hits(model, events_rule, destination, "events.amazonaws.com")


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


EB_RETRY = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html"
EB_DLQ = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html"
# What a target ARN names, by resource type here or by the service of a literal ARN.
TARGET_KINDS = {
    "AWS::SQS::Queue": "queue",
    "AWS::SNS::Topic": "topic",
    "AWS::Lambda::Function": "function",
    "AWS::Lambda::Alias": "function",
    "AWS::Lambda::Version": "function",
}
ARN_KINDS = {":sqs:": "queue", ":sns:": "topic", ":lambda:": "function"}


def _target_kind(model: StackModel, arn: object) -> str | None:
    target = model.resolve(arn)
    if isinstance(target, Resolved):
        return TARGET_KINDS.get(model.type_of(target.logical_id))
    text = text_of(model, arn) or ""
    return next((kind for marker, kind in ARN_KINDS.items() if marker in text), None)


@rule(
    "EB4",
    WARNING,
    title="An EventBridge rule's queue, topic or function target has no dead-letter queue.",
    why="When EventBridge cannot deliver an event to a target (a missing permission or key, a "
    "throttled or deleted target) it retries for up to 24 hours and 185 attempts by default, "
    "then drops the event; only a dead-letter queue on the target keeps it.",
    fix="Give each target a DeadLetterConfig whose Arn is a standard SQS queue that admits the "
    "rule (CDK: dead_letter_queue= on the target), and alarm on that queue's depth.",
    sources=(EB_RETRY, EB_DLQ),
    overlaps=("Serverless-EventBusDLQ",),
)
def events_target_without_dlq(model: StackModel) -> Iterator[Hit]:
    for events_rule, target in events_targets(model):
        kind = _target_kind(model, target.get("Arn"))
        dead_letter = target.get("DeadLetterConfig")
        if kind and not (isinstance(dead_letter, dict) and dead_letter.get("Arn")):
            yield Hit(
                events_rule,
                f"{kind} target {target.get('Id', '?')} has no dead-letter queue",
            )


@rule(
    "EB5",
    ERROR,
    title="An EventBridge target's dead-letter queue cannot receive from the rule.",
    why="EventBridge sends an event it could not deliver to the target's dead-letter queue as "
    "events.amazonaws.com: a FIFO queue (EventBridge dead-letter queues are standard queues), a "
    "queue whose policy does not admit the rule, or a queue under a key EventBridge may not "
    "use refuses it, and the event the dead-letter queue was there to keep is lost.",
    fix="Use a standard queue whose policy allows events.amazonaws.com sqs:SendMessage with "
    "aws:SourceArn equal to the rule ARN (CDK: dead_letter_queue= on the target adds it), "
    "encrypted with SQS-managed encryption or a customer-managed key that admits "
    "events.amazonaws.com.",
    sources=(EB_DLQ, EB_TARGETS, SQS_KEY_MANAGEMENT),
)
def events_target_dlq(model: StackModel) -> Iterator[Hit]:
    for events_rule, target in events_targets(model):
        dead_letter = target.get("DeadLetterConfig")
        if not isinstance(dead_letter, dict) or dead_letter.get("Arn") is None:
            continue
        dlq = queue_id(model, model.resolve(dead_letter["Arn"]))
        if dlq is None:
            continue
        if is_fifo_queue(model, dlq):
            yield Hit(events_rule, f"dead-letter queue {dlq} is a FIFO queue")
        service = "events.amazonaws.com"
        if not policy_admits(model, dlq, service, "sqs:SendMessage", events_rule):
            yield Hit(events_rule, f"no policy statement of {dlq} admits the rule")
        yield from managed_key_hits(model, events_rule, dlq, "events.amazonaws.com")
        for hit in customer_key_hits(model, events_rule, dlq, "events.amazonaws.com"):
            if hit.level != INFO:
                yield hit


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    alarm_managed_key,
    alarm_customer_key,
    events_managed_key,
    events_customer_key,
    events_target_policy,
    events_target_without_dlq,
    events_target_dlq,
)
