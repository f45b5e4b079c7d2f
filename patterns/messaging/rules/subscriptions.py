"""Rules on SNS subscriptions by protocol (``Messaging-SUB*``): what a Firehose subscription
needs to deliver, and what catches a message an HTTP/S endpoint does not take.
"""

from __future__ import annotations

from collections.abc import Iterator

from patterns.messaging.connections import queue_id, subscriptions
from patterns.messaging.model import Resolved, StackModel
from patterns.messaging.permissions import role_id, role_may, role_trusts
from patterns.messaging.rules.base import ERROR, WARNING, Hit, Rule, cannot_follow, rule
from patterns.messaging.rules.role_checks import missing_grant
from patterns.messaging.rules.sns import subscriptions_without_dlq

SNS_FIREHOSE = "https://docs.aws.amazon.com/sns/latest/dg/prereqs-kinesis-data-firehose.html"
SNS_SUBSCRIBE = "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html"
SNS_RETRIES = "https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html"
SNS_HTTP_RETRY = "https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.retry.html"
SNS_DLQ = "https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html"
SNS_SQS_CROSS_ACCOUNT = (
    "https://docs.aws.amazon.com/sns/latest/dg/sns-send-message-to-sqs-cross-account.html"
)
FIREHOSE = "AWS::KinesisFirehose::DeliveryStream"


@rule(
    "SUB1",
    ERROR,
    title="An SNS subscription to a Firehose delivery stream has no role, or a role SNS cannot "
    "use to write to the stream.",
    why="SNS writes to Firehose by assuming the subscription's role (SubscriptionRoleArn): "
    "without it SNS rejects the subscription and the deploy fails; a role that does not trust "
    "sns.amazonaws.com or may not firehose:PutRecord and firehose:PutRecordBatch on the stream "
    "fails every delivery.",
    fix="Set SubscriptionRoleArn to a role that sns.amazonaws.com may assume, with "
    "firehose:PutRecord, firehose:PutRecordBatch and firehose:DescribeDeliveryStream on the "
    "delivery stream (CDK: subscriptions.FirehoseSubscription creates it).",
    sources=(SNS_FIREHOSE, SNS_SUBSCRIBE),
)
def firehose_subscription_role(model: StackModel) -> Iterator[Hit]:
    for sub in subscriptions(model):
        if sub.protocol != "firehose":
            continue
        value = sub.properties.get("SubscriptionRoleArn")
        if value is None:
            yield Hit(sub.logical_id, "firehose subscription without SubscriptionRoleArn")
            continue
        role = role_id(model, value)
        if role is None:
            yield cannot_follow(sub.logical_id, "the subscription role", model.resolve(value))
            continue
        if not role_trusts(model, role, "sns.amazonaws.com"):
            yield Hit(sub.logical_id, f"role {role} cannot be assumed by sns.amazonaws.com")
        stream = sub.endpoint
        resource = (
            stream.logical_id
            if isinstance(stream, Resolved) and model.type_of(stream.logical_id) == FIREHOSE
            else None
        )
        for action in ("firehose:PutRecord", "firehose:PutRecordBatch"):
            if not role_may(model, role, action, resource):
                yield missing_grant(
                    model,
                    role,
                    sub.logical_id,
                    f"role {role} may not {action} on {resource or stream}",
                )


@rule(
    "SUB2",
    WARNING,
    title="An SNS subscription to an HTTP/S endpoint has no redrive policy (dead-letter queue).",
    why="SNS retries an HTTP/S endpoint according to its delivery policy (by default three "
    "retries 20 seconds apart, never more than an hour in total) and then discards the message; "
    "an endpoint down for a minute loses every message sent meanwhile unless a subscription "
    "dead-letter queue keeps it.",
    fix="Give the subscription a RedrivePolicy whose deadLetterTargetArn is an SQS queue that "
    "admits the topic (CDK: UrlSubscription(dead_letter_queue=...)).",
    sources=(SNS_RETRIES, SNS_HTTP_RETRY, SNS_DLQ),
    overlaps=("Serverless-SNSRedrivePolicy",),
)
def http_subscription_without_dlq(model: StackModel) -> Iterator[Hit]:
    yield from subscriptions_without_dlq(model, ("http", "https"))


@rule(
    "SUB3",
    ERROR,
    title="An SQS subscription to a queue of another account is created by the topic's "
    "account: it waits for a confirmation nobody sends.",
    why="When the queue's owner creates the subscription it needs no confirmation; when the "
    "topic's owner creates it, SNS sends a confirmation message to the queue and the "
    "subscription stays PendingConfirmation until someone who reads the queue visits its "
    "SubscribeURL. Until then SNS delivers nothing to the queue, and what the topic publishes "
    "meanwhile is lost to it.",
    fix="Create the subscription in a stack of the queue's account (CDK: "
    "topic.add_subscription in the queue's stack, with the topic from Topic.from_topic_arn), "
    "and let that account subscribe in the topic policy (sns:Subscribe).",
    sources=(SNS_SQS_CROSS_ACCOUNT,),
)
def cross_account_subscription_owner(model: StackModel) -> Iterator[Hit]:
    for sub in subscriptions(model):
        if sub.protocol != "sqs" or sub.inline:
            continue
        owner = model.account_of(sub.logical_id)
        topic_account = model.target_account(sub.topic)
        queue = queue_id(model, sub.endpoint)
        queue_account = (
            model.account_of(queue) if queue is not None else model.target_account(sub.endpoint)
        )
        if owner is None or topic_account != owner or queue_account in (None, owner):
            continue
        yield Hit(
            sub.logical_id,
            f"the subscription is created in the topic's account {owner}, but the queue is in "
            f"account {queue_account}",
        )


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    firehose_subscription_role,
    http_subscription_without_dlq,
    cross_account_subscription_owner,
)
