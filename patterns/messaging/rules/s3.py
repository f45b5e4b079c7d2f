"""Rules on S3 event notifications (``Messaging-S3N*``)."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.limits import S3_EVENT_BRIDGE_DETAIL_TYPES
from patterns.messaging.connections import (
    Notification,
    bucket_id,
    event_buckets,
    function_id,
    is_fifo_queue,
    is_fifo_topic,
    notifications,
    queue_id,
    topic_id,
)
from patterns.messaging.model import (
    Resolved,
    StackModel,
    as_bool,
    as_json_object,
    as_list,
)
from patterns.messaging.permissions import (
    lambda_permits,
    policy_admits,
)
from patterns.messaging.rules.base import (
    ERROR,
    SQS_KEY_MANAGEMENT,
    Hit,
    Rule,
    cannot_follow,
    customer_key_hits,
    managed_key_hits,
    rule,
)

S3_PERMISSIONS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html"
S3_FILTERING = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html"
)


def _s3_destinations(model: StackModel) -> Iterator[tuple[Notification, str]]:
    for note in notifications(model):
        if note.kind == "function":
            continue
        destination = (topic_id if note.kind == "topic" else queue_id)(model, note.destination)
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
        bucket = bucket_id(model, note.bucket)
        if note.kind == "function":
            function = function_id(model, note.destination)
            if function is None:
                yield cannot_follow(note.at, "the notification function", note.destination)
            elif not lambda_permits(model, function, "s3.amazonaws.com", bucket):
                yield Hit(note.at, f"no Lambda permission lets s3.amazonaws.com invoke {function}")
            continue
        destination = (topic_id if note.kind == "topic" else queue_id)(model, note.destination)
        if destination is None:
            yield cannot_follow(note.at, f"the notification {note.kind}", note.destination)
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
        yield from managed_key_hits(model, note.at, destination, "s3.amazonaws.com")


@rule(
    "S3N3",
    ERROR,
    title="An S3 event notification's topic or queue uses a customer-managed key that does not "
    "admit S3.",
    why="Without kms:GenerateDataKey* and kms:Decrypt for s3.amazonaws.com in the key policy, S3 "
    "cannot publish to the encrypted destination and the events are lost. A statement for "
    "everyone (Principal *) limited to callers of an account (kms:CallerAccount, "
    "aws:PrincipalAccount) does not admit S3: the service principal is no identity of that "
    "account. A key of another stack, imported by its ARN, keeps the policy that stack gives "
    "it: CDK cannot add S3 to it.",
    fix="Add a key policy statement for s3.amazonaws.com with kms:GenerateDataKey* and "
    "kms:Decrypt, scoped by aws:SourceArn to the bucket.",
    sources=(S3_PERMISSIONS, SQS_KEY_MANAGEMENT),
)
def s3_destination_customer_key(model: StackModel) -> Iterator[Hit]:
    for note, destination in _s3_destinations(model):
        yield from customer_key_hits(model, note.at, destination, "s3.amazonaws.com")


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


S3_EVENTBRIDGE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-event-notifications-eventbridge.html"
CFN_S3_EVENTBRIDGE = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
    "aws-properties-s3-bucket-eventbridgeconfiguration.html"
)


def _sending_buckets(model: StackModel) -> set[str]:
    """Buckets of this template that send their events to EventBridge (or may: unresolved)."""
    found: set[str] = set()
    for bucket, props in model.of_type("AWS::S3::Bucket"):
        config = props.get("NotificationConfiguration")
        bridge = config.get("EventBridgeConfiguration") if isinstance(config, dict) else None
        if isinstance(bridge, dict) and as_bool(bridge.get("EventBridgeEnabled")) is not False:
            found.add(bucket)
    for _, props in model.of_type("Custom::S3BucketNotifications"):
        config = props.get("NotificationConfiguration")
        if isinstance(config, dict) and "EventBridgeConfiguration" in config:
            named = bucket_id(model, model.resolve(props.get("BucketName")))
            if named:
                found.add(named)
    return found


@rule(
    "S3N6",
    ERROR,
    title="An EventBridge rule matches S3 object events of a bucket that does not send events "
    "to EventBridge.",
    why="S3 sends its object events (Object Created, Object Deleted, ...) to EventBridge only "
    "for buckets whose notification configuration turns EventBridge on; for any other bucket "
    "the rule never fires and every event it was written for is missed.",
    fix="Turn on EventBridge for the bucket: NotificationConfiguration.EventBridgeConfiguration."
    "EventBridgeEnabled true (CDK: s3.Bucket(..., event_bridge_enabled=True) or "
    "bucket.enable_event_bridge_notification()).",
    sources=(S3_EVENTBRIDGE, CFN_S3_EVENTBRIDGE),
)
def s3_eventbridge_off(model: StackModel) -> Iterator[Hit]:
    sending: set[str] | None = None
    for events_rule, props in model.of_type("AWS::Events::Rule"):
        pattern = as_json_object(props.get("EventPattern"))
        if not pattern or "aws.s3" not in as_list(pattern.get("source")):
            continue
        kinds = [k for k in as_list(pattern.get("detail-type")) if isinstance(k, str)]
        if kinds and not S3_EVENT_BRIDGE_DETAIL_TYPES.intersection(kinds):
            continue
        named = event_buckets(model, pattern)
        named += [model.resolve(r) for r in as_list(pattern.get("resources"))]
        sending = _sending_buckets(model) if sending is None else sending
        for bucket in sorted({b for b in (bucket_id(model, t) for t in named) if b}):
            if bucket not in sending:
                yield Hit(events_rule, f"{bucket} does not send its events to EventBridge")


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    s3_destination_policy,
    s3_destination_managed_key,
    s3_destination_customer_key,
    s3_overlapping_rules,
    s3_fifo_destination,
    s3_eventbridge_off,
)
