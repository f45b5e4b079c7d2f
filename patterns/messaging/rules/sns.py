"""Rules on SNS topics and their subscriptions (``Messaging-SNS*``)."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.limits import (
    SNS_MAX_MESSAGE_BYTES,
    SNS_TOPIC_NAME_MAX_LENGTH,
    NameProblem,
    name_problems,
)
from patterns.messaging.connections import (
    TOPIC,
    external_fifo,
    function_id,
    is_fifo_queue,
    is_fifo_topic,
    queue_id,
    sqs_subscriptions,
    subscriptions,
    topic_id,
)
from patterns.messaging.model import (
    Resolved,
    StackModel,
    as_bool,
    as_int,
    as_json_object,
)
from patterns.messaging.permissions import (
    lambda_permits,
    policy_admits,
)
from patterns.messaging.rules.base import (
    ERROR,
    INFO,
    QUEUE_QUOTAS,
    SNS_SQS_ENCRYPTION,
    SQS_KEY_MANAGEMENT,
    WARNING,
    Hit,
    Rule,
    cannot_follow,
    customer_key_hits,
    managed_key_hits,
    rule,
)


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
            yield cannot_follow(sub.logical_id, "the subscribed queue", sub.endpoint)
            continue
        yield from managed_key_hits(model, sub.logical_id, queue, "sns.amazonaws.com")


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
            yield from customer_key_hits(model, sub.logical_id, queue, "sns.amazonaws.com")


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
            yield cannot_follow(sub.logical_id, "the topic", sub.topic)
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
        topic = topic_id(model, sub.topic)
        if topic is None:
            continue
        if sub.protocol != "sqs":
            if is_fifo_topic(model, topic) and sub.protocol:
                yield Hit(sub.logical_id, f"FIFO topic {topic} has a {sub.protocol} subscription")
            continue
        queue = queue_id(model, sub.endpoint)
        queue_fifo = is_fifo_queue(model, queue) if queue else external_fifo(sub.endpoint)
        if queue_fifo and not is_fifo_topic(model, topic):
            yield Hit(sub.logical_id, f"standard topic {topic} feeds FIFO queue {queue or ''}")


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
        queue_fifo = is_fifo_queue(model, queue) if queue else external_fifo(sub.endpoint)
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
    overlaps=("Serverless-SNSRedrivePolicy",),
)
def sns_subscription_without_dlq(model: StackModel) -> Iterator[Hit]:
    yield from subscriptions_without_dlq(model, ("sqs", "lambda", "firehose"))


def subscriptions_without_dlq(model: StackModel, protocols: tuple[str, ...]) -> Iterator[Hit]:
    """The subscriptions of ``protocols`` with no dead-letter queue (an inline subscription of
    a topic cannot have one)."""
    for sub in subscriptions(model):
        if sub.protocol not in protocols:
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
        dlq = queue_id(model, target)
        topic = topic_id(model, sub.topic)
        if dlq is None:
            yield cannot_follow(sub.logical_id, "the subscription dead-letter queue", target)
            continue
        if topic is not None and is_fifo_topic(model, topic) != is_fifo_queue(model, dlq):
            yield Hit(sub.logical_id, f"{dlq} is not of the same type (FIFO/standard) as {topic}")
        if topic is not None and not policy_admits(
            model, dlq, "sns.amazonaws.com", "sqs:SendMessage", topic
        ):
            yield Hit(sub.logical_id, f"no policy statement of {dlq} admits the topic {topic}")
        for hit in managed_key_hits(model, sub.logical_id, dlq, "sns.amazonaws.com"):
            yield hit
        for hit in customer_key_hits(model, sub.logical_id, dlq, "sns.amazonaws.com"):
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
        function = function_id(model, sub.endpoint)
        if function is None:
            yield cannot_follow(sub.logical_id, "the subscribed function", sub.endpoint)
            continue
        if not lambda_permits(model, function, "sns.amazonaws.com", topic_id(model, sub.topic)):
            yield Hit(sub.logical_id, f"no Lambda permission lets the topic invoke {function}")


SNS_QUOTAS = "https://docs.aws.amazon.com/general/latest/gr/sns.html"


@rule(
    "SNS9",
    ERROR,
    title="An SNS subscription delivers to a queue that accepts smaller messages than SNS "
    f"publishes ({SNS_MAX_MESSAGE_BYTES // 1024} KiB).",
    why=f"SNS accepts messages of up to {SNS_MAX_MESSAGE_BYTES // 1024} KiB and, unless raw "
    "delivery is on, wraps each in a JSON envelope (type, IDs, topic ARN, timestamp, "
    "signature and URLs: about 1 KB more). "
    "SQS refuses a message larger than the queue's MaximumMessageSize; SNS treats the refusal "
    "as a client-side error, does not retry it and discards the message unless the "
    "subscription has a dead-letter queue. Every message the topic accepted but the queue does "
    "not is lost, and with a limit of a few KiB that is nearly every delivery.",
    fix="Leave the queue's MaximumMessageSize at its default or set it to at least "
    f"{SNS_MAX_MESSAGE_BYTES:,} bytes.",
    sources=(SNS_QUOTAS, QUEUE_QUOTAS, SNS_DLQ),
)
def sns_queue_message_size(model: StackModel) -> Iterator[Hit]:
    for sub, _, queue in sqs_subscriptions(model):
        if queue is None or "MaximumMessageSize" not in model.props(queue):
            continue
        size = as_int(model.props(queue)["MaximumMessageSize"])
        if size is not None and size < SNS_MAX_MESSAGE_BYTES:
            yield Hit(
                sub.logical_id,
                f"{queue} accepts messages of at most {size} bytes; SNS publishes up to "
                f"{SNS_MAX_MESSAGE_BYTES} bytes plus its envelope",
            )


SNS_CREATE_TOPIC = "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"


@rule(
    "SNS10",
    ERROR,
    title="A topic name or FIFO setting breaks SNS's rules.",
    why=f"A topic name has at most {SNS_TOPIC_NAME_MAX_LENGTH} letters, digits, hyphens and "
    "underscores, and a FIFO topic's name (only a FIFO topic's) ends in .fifo; content-based "
    "deduplication exists "
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
            yield from _topic_name_hits(topic, name, fifo)
        if not fifo and as_bool(props.get("ContentBasedDeduplication")) is True:
            yield Hit(topic, "ContentBasedDeduplication is set on a standard topic")


def _topic_name_hits(topic: str, name: str, fifo: bool) -> Iterator[Hit]:
    problems = name_problems(name, fifo=fifo, max_length=SNS_TOPIC_NAME_MAX_LENGTH)
    if NameProblem.TOO_LONG in problems:
        yield Hit(
            topic,
            f"topic name {name!r} has {len(name)} characters (at most {SNS_TOPIC_NAME_MAX_LENGTH})",
        )
    if NameProblem.BAD_CHARACTERS in problems:
        yield Hit(topic, f"topic name {name!r} has characters other than A-Z a-z 0-9 - _")
    if NameProblem.MISSING_FIFO_SUFFIX in problems:
        yield Hit(topic, f"FIFO topic name {name!r} does not end in .fifo")


SNS_RAW_DELIVERY = (
    "https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html"
)
RAW_PROTOCOLS = ("sqs", "http", "https", "firehose")


@rule(
    "SNS11",
    ERROR,
    title="An SNS subscription turns on raw message delivery for a protocol that has none.",
    why="SNS delivers raw messages (without its JSON envelope) only to Amazon SQS, HTTP/S and "
    "Firehose endpoints; SNS rejects RawMessageDelivery on a lambda, email, email-json, sms or "
    "application subscription and the deploy fails.",
    fix="Remove RawMessageDelivery from the subscription (a function reads the message from "
    "Records[].Sns.Message of the envelope).",
    sources=(SNS_RAW_DELIVERY,),
)
def sns_raw_delivery_protocol(model: StackModel) -> Iterator[Hit]:
    for sub in subscriptions(model):
        raw = as_bool(sub.properties.get("RawMessageDelivery"))
        if raw is True and sub.protocol and sub.protocol not in RAW_PROTOCOLS:
            yield Hit(sub.logical_id, f"RawMessageDelivery on a {sub.protocol} subscription")


SNS_FILTER_CONSTRAINTS = (
    "https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html"
)
SNS_FILTER_SCOPE = "https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html"


@rule(
    "SNS12",
    ERROR,
    title="An SNS filter policy nests keys but filters on message attributes (the default scope).",
    why="Without FilterPolicyScope a filter policy applies to message attributes, which take "
    "only top-level keys; nested keys are for filtering the message body. SNS rejects the "
    "policy and the deploy fails.",
    fix="Set FilterPolicyScope to MessageBody if the policy filters the body (CDK: "
    "filter_policy_with_message_body=), or flatten the policy to attribute names.",
    sources=(SNS_FILTER_CONSTRAINTS, SNS_FILTER_SCOPE),
)
def sns_nested_attribute_filter(model: StackModel) -> Iterator[Hit]:
    for sub in subscriptions(model):
        policy = as_json_object(sub.properties.get("FilterPolicy"))
        scope = sub.properties.get("FilterPolicyScope", "MessageAttributes")
        if not policy or scope != "MessageAttributes":
            continue
        nested = sorted(str(k) for k, v in policy.items() if isinstance(v, dict))
        if nested:
            yield Hit(
                sub.logical_id,
                f"filter policy nests {', '.join(nested)} with scope MessageAttributes",
            )


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    sns_queue_aws_managed_key,
    sns_queue_customer_key,
    sns_queue_policy,
    sns_fifo_mismatch,
    sns_fifo_to_standard,
    sns_subscription_without_dlq,
    sns_subscription_dlq,
    sns_lambda_permission,
    sns_queue_message_size,
    sns_topic_names,
    sns_raw_delivery_protocol,
    sns_nested_attribute_filter,
)
