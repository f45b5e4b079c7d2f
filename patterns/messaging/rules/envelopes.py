"""Rules on filters written for a message its sender never sends as such: a Lambda filter on
the body of a queue that receives SNS or S3 envelopes (``Messaging-LAMBDA8``), an SNS filter
policy on message attributes of a topic that S3 publishes to (``Messaging-SNS13``,
``Messaging-SNS14``).

Both judge a queue or topic by *every* sender the cloud assembly shows for it: a rule only finds
something when each sender it sees wraps the message in an envelope the filter cannot match,
and stays silent when anything else may send (a role allowed to, an EventBridge rule, a pipe,
a function that holds the ARN).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from patterns.messaging.connections import (
    notifications,
    queue_id,
    subscriptions,
    topic_id,
)
from patterns.messaging.model import StackModel, as_bool, as_json_object, as_list
from patterns.messaging.permissions import (
    actions_cover,
    resource_policy_statements,
    statements,
)
from patterns.messaging.rules.base import ERROR, WARNING, Hit, Rule, rule
from patterns.messaging.rules.lambda_consumers import sqs_mappings

LAMBDA_FILTERING = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html"
LAMBDA_SQS_FILTERING = "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html"
SNS_RAW_DELIVERY = (
    "https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html"
)
SNS_FILTERING = "https://docs.aws.amazon.com/sns/latest/dg/message-filtering.html"
SNS_FILTER_SCOPE = "https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html"
S3_EVENT_STRUCTURE = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html"
)

# The top-level keys of the JSON a sender puts in a queue's message body.
ENVELOPE_KEYS = {
    "an SNS subscription without raw message delivery": frozenset(
        {
            "Type",
            "MessageId",
            "TopicArn",
            "Subject",
            "Message",
            "Timestamp",
            "SignatureVersion",
            "Signature",
            "SigningCertURL",
            "UnsubscribeURL",
            "MessageAttributes",
        }
    ),
    # An event notification, and the test event S3 sends when the configuration is set.
    "an S3 event notification": frozenset(
        {"Records", "Service", "Event", "Time", "Bucket", "RequestId", "HostId"}
    ),
}
SNS_ENVELOPE = "an SNS subscription without raw message delivery"
# Keys only the SNS envelope has (a published message may well have a Type or a Message): a
# filter on these alone, on a queue whose every sender delivers raw, never matches.
SNS_ONLY_KEYS = frozenset(
    {
        "TopicArn",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    }
)
S3_ENVELOPE = "an S3 event notification"

# Resource types that name a queue or topic without sending to it.
_READERS = frozenset({"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"})
_POLICIES = frozenset({"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role"})


def _references(model: StackModel, value: Any, logical_id: str) -> bool:
    """``value`` (a property tree) refers to ``logical_id`` somewhere."""
    if isinstance(value, dict):
        reference = len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt")
        if reference and model.points_to(value, logical_id):
            return True
        return any(_references(model, v, logical_id) for v in value.values())
    if isinstance(value, list):
        return any(_references(model, v, logical_id) for v in value)
    return False


def _grants(model: StackModel, props: dict[str, Any], action: str, logical_id: str) -> bool:
    """An IAM policy, managed policy or role here allows ``action`` on ``logical_id``."""
    documents = [props.get("PolicyDocument")]
    documents += [p.get("PolicyDocument") for p in as_list(props.get("Policies")) if p]
    for document in documents:
        for statement in statements(document):
            allows = statement.get("Effect") == "Allow" and actions_cover(model, statement, action)
            if allows and _references(model, statement.get("Resource"), logical_id):
                return True
    return False


def _other_senders(
    model: StackModel, destination: str, action: str, known: set[str], consumer_type: str
) -> bool:
    """Something other than the ``known`` senders may send to ``destination``: a resource that
    refers to it and is neither a known sender, its resource policy, a reader (an alarm, an
    event source mapping reading it) nor an IAM policy that allows no ``action`` on it."""
    for statement in resource_policy_statements(model, destination):
        if statement.get("Effect") != "Allow" or not actions_cover(model, statement, action):
            continue
        principal = statement.get("Principal")
        if not (isinstance(principal, dict) and set(principal) == {"Service"}):
            return True
        services = {str(s).lower() for s in as_list(principal.get("Service"))}
        if not services <= {"sns.amazonaws.com", "s3.amazonaws.com"}:
            return True
    policy_types = ("AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy")
    for logical_id, resource in model.resources.items():
        if logical_id == destination or logical_id in known:
            continue
        kind = str(resource.get("Type", ""))
        props = model.props(logical_id)
        if not _references(model, props, destination):
            continue
        if kind in policy_types or kind in _READERS:
            continue
        if kind in _POLICIES:
            if _grants(model, props, action, destination):
                return True
            continue
        if kind == consumer_type == "AWS::Lambda::EventSourceMapping" and _reads(
            model, props, destination
        ):
            continue
        if kind == consumer_type == "AWS::SNS::Subscription" and model.points_to(
            props.get("TopicArn"), destination
        ):
            continue
        return True
    return False


def _reads(model: StackModel, props: dict[str, Any], queue: str) -> bool:
    """An event source mapping reads the queue (and does not send its failures to it)."""
    return model.points_to(props.get("EventSourceArn"), queue) and not _references(
        model, props.get("DestinationConfig"), queue
    )


def queue_envelopes(model: StackModel, queue: str) -> set[str] | None:
    """The envelopes the queue's messages come in when every sender the assembly shows wraps
    them (SNS without raw delivery, S3 notifications); None if any sender may not."""
    found: set[str] = set()
    known: set[str] = set()
    for sub in subscriptions(model):
        if sub.protocol != "sqs" or queue_id(model, sub.endpoint) != queue:
            continue
        if sub.inline or as_bool(sub.properties.get("RawMessageDelivery", False)) is not False:
            return None
        found.add(SNS_ENVELOPE)
        known.add(sub.logical_id)
    for note in notifications(model):
        if note.kind == "queue" and queue_id(model, note.destination) == queue:
            found.add(S3_ENVELOPE)
            known.add(note.at)
    if not found:
        return None
    if _other_senders(model, queue, "sqs:SendMessage", known, "AWS::Lambda::EventSourceMapping"):
        return None
    return found


def raw_sns_only(model: StackModel, queue: str) -> bool:
    """Every sender of the queue the assembly shows is an SNS subscription with raw message
    delivery on (the body is the published message, with no envelope), and there is one."""
    known: set[str] = set()
    for sub in subscriptions(model):
        if sub.protocol != "sqs" or queue_id(model, sub.endpoint) != queue:
            continue
        if sub.inline or as_bool(sub.properties.get("RawMessageDelivery", False)) is not True:
            return False
        known.add(sub.logical_id)
    if not known:
        return False
    for note in notifications(model):
        if note.kind == "queue" and queue_id(model, note.destination) == queue:
            return False
    return not _other_senders(
        model, queue, "sqs:SendMessage", known, "AWS::Lambda::EventSourceMapping"
    )


def _body_keys(pattern: Any) -> set[str] | None:
    """The top-level body keys a filter pattern requires (None: the filter may match any body
    or does not look at the body as JSON)."""
    parsed = pattern if isinstance(pattern, dict) else as_json_object(pattern)
    if not isinstance(parsed, dict):
        return None
    body = parsed.get("body")
    if not isinstance(body, dict) or not body:
        return None
    keys = {str(k) for k in body}
    return None if any(k.startswith("$") for k in keys) else keys


def _mapping_patterns(props: dict[str, Any]) -> list[Any]:
    criteria = props.get("FilterCriteria")
    if not isinstance(criteria, dict):
        return []
    return [f.get("Pattern") for f in as_list(criteria.get("Filters")) if isinstance(f, dict)]


@rule(
    "LAMBDA8",
    ERROR,
    title="A Lambda filter on an SQS queue's body names keys the queue's messages cannot have: "
    "every sender wraps them in an SNS or S3 envelope, or every sender is an SNS subscription "
    "with raw delivery and the filter names only envelope keys.",
    why="A queue subscribed to a topic without raw message delivery receives the SNS JSON "
    "envelope (Type, MessageId, TopicArn, Message, ...), the published message only as the "
    'string in Message; S3 notifications arrive as {"Records": [...]}. With raw message '
    "delivery the body is the published message itself, without the envelope (its message "
    "attributes become SQS message attributes). A filter on keys the body does not have never "
    "matches, and Lambda deletes the messages that no filter matches "
    "from the queue: every message is lost without reaching the function or the dead-letter "
    "queue.",
    fix="Turn on raw message delivery on the subscription (CDK: SqsSubscription(queue, "
    "raw_message_delivery=True)), or filter on the envelope's keys; for S3 notifications, "
    "filter on body.Records; with raw delivery, filter on the published message's keys, and "
    "on its attributes as messageAttributes (outside body).",
    sources=(LAMBDA_FILTERING, LAMBDA_SQS_FILTERING, SNS_RAW_DELIVERY, S3_EVENT_STRUCTURE),
)
def lambda_filter_on_envelope(model: StackModel) -> Iterator[Hit]:
    for mapping, props, queue, _, _ in sqs_mappings(model):
        patterns = _mapping_patterns(props)
        if queue is None or not patterns:
            continue
        required = [_body_keys(p) for p in patterns]
        if any(keys is None for keys in required):
            continue
        envelopes = queue_envelopes(model, queue)
        if not envelopes:
            yield from _raw_delivery_hit(model, mapping, queue, required)
            continue
        allowed = frozenset().union(*(ENVELOPE_KEYS[e] for e in envelopes))
        if all(keys and not keys <= allowed for keys in required):
            named = sorted({k for keys in required if keys for k in keys - allowed})
            yield Hit(
                mapping,
                f"the filter requires body keys {', '.join(named)}, but every message of {queue} "
                f"comes wrapped by {' or '.join(sorted(envelopes))}",
            )


def _raw_delivery_hit(
    model: StackModel, mapping: str, queue: str, required: list[set[str] | None]
) -> Iterator[Hit]:
    """Every filter names only SNS envelope keys, one of them a key only the envelope has, on a
    queue whose subscriptions deliver raw: the envelope the filter looks for is not there."""
    envelope = ENVELOPE_KEYS[SNS_ENVELOPE]
    if not all(keys and keys <= envelope and keys & SNS_ONLY_KEYS for keys in required):
        return
    if not raw_sns_only(model, queue):
        return
    named = sorted({k for keys in required if keys for k in keys})
    yield Hit(
        mapping,
        f"the filter requires SNS envelope keys {', '.join(named)} in the body, but every "
        f"message of {queue} comes from an SNS subscription with raw message delivery, "
        "without the envelope",
    )


def topic_fed_by_s3_only(model: StackModel, topic: str) -> bool | None:
    """None if no S3 notification of the assembly publishes to the topic; True if those are
    its only publishers; False if something else may publish too."""
    cache: dict[str, bool | None] = model.cache.setdefault("s3-only-topics", {})
    if topic not in cache:  # a topic may have a thousand filtered subscriptions: judge it once
        known = {n.at for n in notifications(model) if topic_id(model, n.destination) == topic}
        cache[topic] = (
            not _other_senders(model, topic, "sns:Publish", known, "AWS::SNS::Subscription")
            if known
            else None
        )
    return cache[topic]


def _attribute_filters_on_s3_topics(
    model: StackModel,
) -> Iterator[tuple[str, str, str, bool]]:
    """(subscription, its policy's attribute names, topic, S3 its only publisher) for every
    subscription filtering on message attributes of a topic S3 notifications publish to."""
    for sub in subscriptions(model):
        policy = as_json_object(sub.properties.get("FilterPolicy"))
        scope = sub.properties.get("FilterPolicyScope", "MessageAttributes")
        topic = topic_id(model, sub.topic)
        if not policy or scope != "MessageAttributes" or topic is None:
            continue
        only = topic_fed_by_s3_only(model, topic)
        if only is not None:
            yield sub.logical_id, ", ".join(sorted(str(k) for k in policy)), topic, only


S3_NO_ATTRIBUTES = (
    "S3 publishes its event notifications without message attributes (eventName, the key and "
    "the bucket are in the message body). A filter policy with the MessageAttributes scope "
    "matches only attributes, so no S3 event ever passes it: SNS drops each one for this "
    "subscriber."
)
S3_FILTER_FIX = (
    "Set FilterPolicyScope to MessageBody and write the policy on the event's fields (CDK: "
    "filter_policy_with_message_body={'Records': ...}), or remove the filter policy."
)


@rule(
    "SNS13",
    ERROR,
    title="An SNS subscription filters on message attributes (the default scope) of a topic "
    "only S3 event notifications publish to.",
    why=S3_NO_ATTRIBUTES + " With S3 the topic's only publisher (no other sender in the app, "
    "and a topic policy that admits only S3), the subscriber never receives a message.",
    fix=S3_FILTER_FIX,
    sources=(SNS_FILTERING, SNS_FILTER_SCOPE, S3_EVENT_STRUCTURE),
)
def sns_attribute_filter_on_s3_events(model: StackModel) -> Iterator[Hit]:
    for subscription, names, topic, only in _attribute_filters_on_s3_topics(model):
        if only:
            yield Hit(
                subscription,
                f"filters on attributes {names}, but {topic} is published to only by S3 event "
                "notifications, which carry no message attributes",
            )


@rule(
    "SNS14",
    WARNING,
    title="An SNS subscription filters on message attributes (the default scope) of a topic "
    "S3 event notifications publish to, among others.",
    why=S3_NO_ATTRIBUTES + " Other publishers of the topic may set the attributes, so the "
    "subscriber may still receive their messages; if it was meant to receive the S3 events "
    "too, they are lost.",
    fix=S3_FILTER_FIX + " If the subscriber wants only the other publishers' messages, "
    "acknowledge the finding.",
    sources=(SNS_FILTERING, SNS_FILTER_SCOPE, S3_EVENT_STRUCTURE),
)
def sns_attribute_filter_on_mixed_topic(model: StackModel) -> Iterator[Hit]:
    for subscription, names, topic, only in _attribute_filters_on_s3_topics(model):
        if not only:
            yield Hit(
                subscription,
                f"filters on attributes {names}: the S3 event notifications published to "
                f"{topic} carry none and never match",
            )


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    lambda_filter_on_envelope,
    sns_attribute_filter_on_s3_events,
    sns_attribute_filter_on_mixed_topic,
)
