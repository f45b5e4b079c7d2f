"""Common edits a user makes to a deployed stack, per pattern, and what each may replace.

Each :class:`Edit` builds a stack twice (before and after the edit) and declares which
stateful resources the edit replaces or removes (``replaces``: construct paths below the
stack, or their ends, without ``/Resource`` and without nested-stack segments) and what happens
to the messages. ``test_update_safety`` checks every declaration against
:func:`tests.lifecycle.replacements.replacements`, and the tables of docs/lifecycle.md are
rendered from this list (``python -m tests.lifecycle.edits`` prints them; a test keeps the
page equal to them).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from patterns import (
    AmazonMqBroker,
    KinesisToFirehoseToS3,
    QueueWithDeadLetterQueue,
    S3EventFanOut,
    S3EventRule,
    SnsToSqsFanOut,
    StreamWorkerFleet,
)

Build = Callable[[cdk.Stack], object]

KEPT = "kept: the queues are updated in place"


@dataclass(frozen=True)
class Edit:
    """One edit of a deployed stack: the stack before and after, and what it may replace."""

    pattern: str
    name: str
    before: Build
    after: Build
    messages: str
    replaces: frozenset[str] = field(default_factory=frozenset)
    # Why the edit does not do today what it declares (a defect being fixed elsewhere).
    defect: str | None = None
    # Many subscribers in nested stacks: runs with the scale tests (make scale, in make test).
    scale: bool = False


# --- QueueWithDeadLetterQueue -------------------------------------------------------------


def queue(**options: Any) -> Build:
    def build(stack: cdk.Stack) -> object:
        return QueueWithDeadLetterQueue(stack, "Orders", **options)

    return build


QUEUE = queue()
QUEUE_PAIR = frozenset({"Orders/Queue", "Orders/DeadLetterQueue"})

QUEUE_EDITS = [
    Edit(
        "QueueWithDeadLetterQueue",
        "change the visibility timeout (30 s to 5 min)",
        QUEUE,
        queue(visibility_timeout=Duration.minutes(5)),
        KEPT,
    ),
    Edit(
        "QueueWithDeadLetterQueue",
        "change the retention period (4 to 7 days)",
        QUEUE,
        queue(retention_period=Duration.days(7)),
        KEPT,
    ),
    Edit(
        "QueueWithDeadLetterQueue",
        "change the max receive count (5 to 10)",
        QUEUE,
        queue(max_receive_count=10),
        KEPT,
    ),
    Edit(
        "QueueWithDeadLetterQueue",
        "switch from SSE-SQS to a customer-managed key",
        QUEUE,
        queue(encryption=sqs.QueueEncryption.KMS),
        "kept: SQS encrypts new messages with the key, stored ones stay readable",
    ),
    Edit(
        "QueueWithDeadLetterQueue",
        "make the queues FIFO",
        QUEUE,
        queue(fifo=True),
        "lost unless drained first: both queues are replaced by new ones with new names "
        "(`.fifo`), and the old ones are deleted with what they hold",
        replaces=QUEUE_PAIR,
    ),
    Edit(
        "QueueWithDeadLetterQueue",
        "give the queue an explicit `queue_name`",
        QUEUE,
        queue(queue_name="orders-main"),
        "lost unless drained first: the queue and its DLQ are re-created under the new names",
        replaces=QUEUE_PAIR,
    ),
]

# --- SnsToSqsFanOut -----------------------------------------------------------------------

SUBSCRIBERS = ("Billing", "Shipping", "Audit")


def fan_out(
    subscribers: Sequence[str] = SUBSCRIBERS,
    *,
    options: dict[str, dict[str, Any]] | None = None,
    **fan_out_options: Any,
) -> Build:
    def build(stack: cdk.Stack) -> object:
        pattern = SnsToSqsFanOut(stack, "Orders", **fan_out_options)
        for subscriber in subscribers:
            pattern.add_queue(subscriber, **(options or {}).get(subscriber, {}))
        return pattern

    return build


FAN_OUT = fan_out()
MANY = tuple(f"Q{number}" for number in range(60))
FAN_OUT_NESTED = fan_out(MANY, nested_stacks=True)


def subscriber_queues(
    *names: str, subscription_dlq: bool = True, prefix: str = "Orders/"
) -> frozenset[str]:
    parts = (
        "Queue",
        "DeadLetterQueue",
        *(("SubscriptionDeadLetterQueue",) if subscription_dlq else ()),
    )
    return frozenset(f"{prefix}{name}/{part}" for name in names for part in parts)


FAN_OUT_EDITS = [
    Edit(
        "SnsToSqsFanOut",
        "add a subscriber",
        FAN_OUT,
        fan_out((*SUBSCRIBERS, "Analytics")),
        "kept; the new queue gets messages published after its subscription exists",
    ),
    Edit(
        "SnsToSqsFanOut",
        "remove a subscriber from the middle",
        FAN_OUT,
        fan_out(("Billing", "Audit")),
        "the removed subscriber's queues are deleted with their messages (drain them first); "
        "the others keep theirs",
        replaces=subscriber_queues("Shipping"),
    ),
    Edit(
        "SnsToSqsFanOut",
        "change a subscriber's visibility timeout",
        FAN_OUT,
        fan_out(options={"Shipping": {"visibility_timeout": Duration.minutes(2)}}),
        KEPT,
    ),
    Edit(
        "SnsToSqsFanOut",
        "change a subscriber's max receive count",
        FAN_OUT,
        fan_out(options={"Shipping": {"max_receive_count": 3}}),
        KEPT,
    ),
    Edit(
        "SnsToSqsFanOut",
        "add a filter policy to a subscriber",
        FAN_OUT,
        fan_out(
            options={
                "Shipping": {
                    "filter_policy": {
                        "type": sns.SubscriptionFilter.string_filter(allowlist=["order"])
                    }
                }
            }
        ),
        "kept; messages published while the new policy propagates may still be delivered",
    ),
    Edit(
        "SnsToSqsFanOut",
        "remove a subscriber from the middle, 60 in nested stacks",
        FAN_OUT_NESTED,
        fan_out(tuple(q for q in MANY if q != "Q1"), nested_stacks=True),
        "the removed subscriber's queues are deleted with their messages; no other moves",
        replaces=subscriber_queues("Q1", prefix=""),
        scale=True,
    ),
    Edit(
        "SnsToSqsFanOut",
        "make the topic FIFO",
        FAN_OUT,
        fan_out(fifo=True),
        "lost unless drained first: the topic and every subscriber's queues are replaced",
        replaces=subscriber_queues(*SUBSCRIBERS),
    ),
]

# --- KinesisToFirehoseToS3 ----------------------------------------------------------------


def stream(**options: Any) -> Build:
    def build(stack: cdk.Stack) -> object:
        return KinesisToFirehoseToS3(stack, "Positions", **options)

    return build


STREAM = stream(shard_count=1)
KINESIS_EDITS = [
    Edit(
        "KinesisToFirehoseToS3",
        "change the stream retention (24 h to 7 days)",
        STREAM,
        stream(shard_count=1, retention_period=Duration.days(7)),
        "kept: records stay readable, now for the longer period",
    ),
    Edit(
        "KinesisToFirehoseToS3",
        "change the shard count (1 to 2)",
        STREAM,
        stream(shard_count=2),
        "kept: Kinesis reshards in place",
    ),
    Edit(
        "KinesisToFirehoseToS3",
        "give the stream an explicit `stream_name`",
        STREAM,
        stream(shard_count=1, stream_name="positions"),
        "records not yet delivered are lost: the stream is re-created (and the delivery "
        "stream with it); the bucket keeps what was delivered",
        replaces=frozenset({"Positions/Stream"}),
    ),
]

# --- StreamWorkerFleet (documented on the Kinesis page) -------------------------------------


def existing_vpc(stack: cdk.Stack) -> ec2.IVpc:
    """An existing VPC of two private subnets: cheaper to synthesize than a new one, and the
    fleet (or the broker) is what the edits change."""
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        private_subnet_route_table_ids=["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"],
    )


def kcl_fleet(**options: Any) -> Build:
    image = options.pop("image", "public.ecr.aws/my-team/geofencing:1")

    def build(stack: cdk.Stack) -> object:
        positions = KinesisToFirehoseToS3(stack, "Positions", shard_count=2)
        cluster = ecs.Cluster(
            stack,
            "Cluster",
            vpc=existing_vpc(stack),
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )
        return StreamWorkerFleet(
            stack,
            "Geofencing",
            stream=positions,
            cluster=cluster,
            image=ecs.ContainerImage.from_registry(image),
            **options,
        )

    return build


# Each build is synthesized once (test_update_safety caches by build): edits that start or
# end at the same fleet share it.
KCL_FLEET = kcl_fleet()
KCL_2 = kcl_fleet(kcl_version=2)
KCL_3 = kcl_fleet(kcl_version=3)

KCL_EDITS = [
    Edit(
        "StreamWorkerFleet",
        "change the image, the task size and the scaling",
        KCL_FLEET,
        kcl_fleet(
            image="public.ecr.aws/my-team/geofencing:2",
            cpu=1024,
            memory_limit_mib=2048,
            scale_out_lag=Duration.minutes(2),
        ),
        "kept: a rolling deployment; the new workers take over the leases and go on from "
        "the checkpoints",
    ),
    Edit(
        "StreamWorkerFleet",
        "switch polling to enhanced fan-out",
        KCL_FLEET,
        kcl_fleet(enhanced_fan_out=True),
        "kept: the tables and checkpoints stay; a stream consumer is registered beside",
    ),
    Edit(
        "StreamWorkerFleet",
        "move from KCL 2.x to 3.x (`kcl_version` 2 to 3)",
        KCL_2,
        KCL_3,
        "kept: the lease table gets its index in place, two tables are added",
    ),
    Edit(
        "StreamWorkerFleet",
        "move back from KCL 3.x to 2.x (`kcl_version` 3 to 2)",
        KCL_3,
        KCL_2,
        "kept in the lease table; the worker metrics and coordinator state tables are deleted "
        "(roll the workers back to 2.x first, as KCL's migration guide says)",
        replaces=frozenset({"Geofencing/WorkerMetricsTable", "Geofencing/CoordinatorStateTable"}),
    ),
]

# --- AmazonMqBroker -----------------------------------------------------------------------


def broker(*, other_key: bool = False, **options: Any) -> Build:
    def build(stack: cdk.Stack) -> object:
        vpc = existing_vpc(stack)
        key = kms.Key(stack, "OtherKey", enable_key_rotation=True) if other_key else None
        return AmazonMqBroker(stack, "Broker", vpc=vpc, encryption_key=key, **options)

    return build


BROKER = broker()
BROKER_SINGLE = broker(single_instance=True)
BROKER_REPLACED = (
    "queued messages are lost unless drained first: a new broker (new name) is created, "
    "clients move to its new endpoints, the old one is deleted or retained per `removal_policy`"
)
BROKER_EDITS = [
    Edit(
        "AmazonMqBroker",
        "allow another client network",
        BROKER,
        broker(allowed_peers=[ec2.Peer.ipv4("10.20.0.0/16")]),
        "kept: only the security group changes",
    ),
    Edit(
        "AmazonMqBroker",
        "switch to a single instance",
        BROKER,
        BROKER_SINGLE,
        BROKER_REPLACED,
        replaces=frozenset({"Broker/Broker"}),
    ),
    Edit(
        "AmazonMqBroker",
        "switch from single instance to active/standby",
        BROKER_SINGLE,
        BROKER,
        BROKER_REPLACED,
        replaces=frozenset({"Broker/Broker"}),
    ),
    Edit(
        "AmazonMqBroker",
        "change the broker key",
        BROKER,
        broker(other_key=True),
        BROKER_REPLACED,
        replaces=frozenset({"Broker/Broker", "Broker/EncryptionKey"}),
    ),
]

# --- S3EventFanOut ------------------------------------------------------------------------


def uploads(
    subscribers: Sequence[str] = ("Thumbnails", "Scanner", "Index"),
    *,
    events: Sequence[S3EventRule] | None = None,
    **options: Any,
) -> Build:
    def build(stack: cdk.Stack) -> object:
        pattern = S3EventFanOut(stack, "Uploads", events=events, **options)
        for subscriber in subscribers:
            pattern.add_queue(subscriber)
        return pattern

    return build


UPLOADS = uploads()
S3_EDITS = [
    Edit(
        "S3EventFanOut",
        "add a subscriber",
        UPLOADS,
        uploads(("Thumbnails", "Scanner", "Index", "Audit")),
        "kept; objects stay in the bucket",
    ),
    Edit(
        "S3EventFanOut",
        "remove a subscriber from the middle",
        UPLOADS,
        uploads(("Thumbnails", "Index")),
        "the removed subscriber's queues are deleted with their events; objects stay",
        replaces=frozenset(
            f"Uploads/FanOut/Scanner/{part}"
            for part in ("Queue", "DeadLetterQueue", "SubscriptionDeadLetterQueue")
        ),
    ),
    Edit(
        "S3EventFanOut",
        "add an event rule",
        UPLOADS,
        uploads(
            events=[
                S3EventRule(s3.EventType.OBJECT_CREATED),
                S3EventRule(s3.EventType.OBJECT_REMOVED),
            ]
        ),
        "kept; objects stay in the bucket",
    ),
]

EDITS: list[Edit] = [
    *QUEUE_EDITS,
    *FAN_OUT_EDITS,
    *KINESIS_EDITS,
    *KCL_EDITS,
    *BROKER_EDITS,
    *S3_EDITS,
]


def markdown_tables() -> str:
    """The update-safety tables of docs/lifecycle.md, one per pattern, from ``EDITS``."""
    lines: list[str] = []
    for pattern in dict.fromkeys(edit.pattern for edit in EDITS):
        lines += [f"### {pattern}", "", "| edit | replaces | messages |", "| --- | --- | --- |"]
        for edit in (edit for edit in EDITS if edit.pattern == pattern):
            replaced = ", ".join(f"`{path}`" for path in sorted(edit.replaces)) or "nothing"
            lines.append(f"| {edit.name} | {replaced} | {edit.messages} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown_tables())
