"""``S3EventFanOut``: S3 object events fanned out to many SQS queues through one SNS topic.

S3's direct notifications accept one rule per event type and key range, so the same event can
reach only one destination. Sending it to an SNS topic and subscribing every queue to the topic
(:class:`patterns.sns_fan_out.SnsToSqsFanOut`) lifts that limit: each queue gets its own copy,
its own dead-letter queue and, optionally, its own filter on the event body.

Two ways bring the events to the topic (:class:`S3EventDelivery`): the bucket sends every event
to EventBridge and a rule of this pattern routes the matching ones to the topic (the default:
rules may overlap, filters are richer, no bucket name is fixed), or the bucket publishes to the
topic directly (S3 event notifications, the pattern's first design).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import Annotations, Duration, RemovalPolicy, Size, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as eventbridge
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.interfaces.aws_events import IRuleRef
from aws_cdk.interfaces.aws_s3 import IBucketRef
from constructs import Construct, IConstruct, IValidation

from patterns import dashboards
from patterns.alarms import create_alarm, create_dead_letter_queue_alarm
from patterns.buckets import (
    DEFAULT_ACCESS_LOG_EXPIRATION,
    DEFAULT_NONCURRENT_VERSION_EXPIRATION,
    create_secure_bucket,
)
from patterns.compliance import acknowledge, acknowledge_all, skip_checkov
from patterns.naming import deployed_stack, physical_name
from patterns.policies import service_statement
from patterns.removal import DATA_REMOVAL_POLICY, KEY_PENDING_WINDOW, key_removal_policy
from patterns.sns_fan_out import QueueSubscriber, SnsToSqsFanOut
from patterns.validation import check_exclusive_with_existing

if TYPE_CHECKING:
    from typing import Unpack

    from patterns.queue_with_dlq import QueueOptions

S3_SERVICE_PRINCIPAL = "s3.amazonaws.com"
EVENTS_SERVICE_PRINCIPAL = "events.amazonaws.com"
# S3 FilterRule: "The maximum length is 1,024 characters" (S3 API reference, FilterRule).
FILTER_VALUE_MAX_LENGTH = 1024
# S3 general purpose bucket naming rules: 3 to 63 characters of lowercase letters, digits,
# dots and hyphens, beginning and ending with a letter or digit.
BUCKET_NAME_LENGTH = (3, 63)
_BUCKET_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
# CDK's singleton handler for notifications set through the L2 API (Custom::S3BucketNotifications).
NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"
# The construct ID CDK gives that custom resource under the bucket.
_L2_NOTIFICATIONS_ID = "Notifications"
EVENT_BRIDGE_SOURCE = "aws.s3"
# EventBridge rule names: 1 to 64 characters of [.-_A-Za-z0-9] (EventBridge API, PutRule).
RULE_NAME_MAX_LENGTH = 64
# How long the rule target's dead-letter queue keeps events EventBridge could not publish.
DELIVERY_DLQ_RETENTION = Duration.days(14)
_RULE_NAME_SUFFIX = "-s3"


class S3EventDelivery(enum.Enum):
    """How the bucket's events reach the fan-out topic."""

    EVENT_BRIDGE = "EVENT_BRIDGE"
    """The bucket sends every event to the default EventBridge bus; one rule of the pattern
    routes the matching ones to the topic. Rules may overlap (with each other and with other
    consumers of the bucket), filters can use suffixes, wildcards and object sizes, and no bucket
    name is fixed. The SNS message carries the EventBridge event (``detail-type``, ``detail``)."""

    NOTIFICATION = "NOTIFICATION"
    """S3 event notifications publish to the topic directly: one hop less, no EventBridge
    charge, the S3 event format (``Records``). One rule per event type and key range, and a new
    bucket needs a ``bucket_name`` chosen by you (the topic policy must name it)."""


# The wire names of s3.EventType (jsii exposes only the member names to Python).
S3_EVENT_NAMES: dict[s3.EventType, str] = {
    s3.EventType.OBJECT_CREATED: "s3:ObjectCreated:*",
    s3.EventType.OBJECT_CREATED_PUT: "s3:ObjectCreated:Put",
    s3.EventType.OBJECT_CREATED_POST: "s3:ObjectCreated:Post",
    s3.EventType.OBJECT_CREATED_COPY: "s3:ObjectCreated:Copy",
    s3.EventType.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD: (
        "s3:ObjectCreated:CompleteMultipartUpload"
    ),
    s3.EventType.OBJECT_REMOVED: "s3:ObjectRemoved:*",
    s3.EventType.OBJECT_REMOVED_DELETE: "s3:ObjectRemoved:Delete",
    s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED: "s3:ObjectRemoved:DeleteMarkerCreated",
    s3.EventType.OBJECT_RESTORE: "s3:ObjectRestore:*",
    s3.EventType.OBJECT_RESTORE_POST: "s3:ObjectRestore:Post",
    s3.EventType.OBJECT_RESTORE_COMPLETED: "s3:ObjectRestore:Completed",
    s3.EventType.OBJECT_RESTORE_DELETE: "s3:ObjectRestore:Delete",
    s3.EventType.REDUCED_REDUNDANCY_LOST_OBJECT: "s3:ReducedRedundancyLostObject",
    s3.EventType.REPLICATION: "s3:Replication:*",
    s3.EventType.REPLICATION_OPERATION_FAILED_REPLICATION: (
        "s3:Replication:OperationFailedReplication"
    ),
    s3.EventType.REPLICATION_OPERATION_MISSED_THRESHOLD: (
        "s3:Replication:OperationMissedThreshold"
    ),
    s3.EventType.REPLICATION_OPERATION_REPLICATED_AFTER_THRESHOLD: (
        "s3:Replication:OperationReplicatedAfterThreshold"
    ),
    s3.EventType.REPLICATION_OPERATION_NOT_TRACKED: "s3:Replication:OperationNotTracked",
    s3.EventType.LIFECYCLE_EXPIRATION: "s3:LifecycleExpiration:*",
    s3.EventType.LIFECYCLE_EXPIRATION_DELETE: "s3:LifecycleExpiration:Delete",
    s3.EventType.LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED: (
        "s3:LifecycleExpiration:DeleteMarkerCreated"
    ),
    s3.EventType.LIFECYCLE_TRANSITION: "s3:LifecycleTransition",
    s3.EventType.INTELLIGENT_TIERING: "s3:IntelligentTiering",
    s3.EventType.OBJECT_TAGGING: "s3:ObjectTagging:*",
    s3.EventType.OBJECT_TAGGING_PUT: "s3:ObjectTagging:Put",
    s3.EventType.OBJECT_TAGGING_DELETE: "s3:ObjectTagging:Delete",
    s3.EventType.OBJECT_ACL_PUT: "s3:ObjectAcl:Put",
}

# What EventBridge calls each S3 event: its detail-types and, where one detail-type covers
# several notification events, the ``detail`` fields that tell them apart (S3 User Guide,
# "Using EventBridge" and "EventBridge event message structure"). Replication and lost
# reduced-redundancy objects are not sent to EventBridge.
_CREATED = ("Object Created",)
_DELETED = ("Object Deleted",)
_PERMANENT = ["Permanently Deleted"]
_MARKER = ["Delete Marker Created"]
EVENT_BRIDGE_EVENTS: dict[s3.EventType, tuple[tuple[str, ...], dict[str, list[str]]]] = {
    s3.EventType.OBJECT_CREATED: (_CREATED, {}),
    s3.EventType.OBJECT_CREATED_PUT: (_CREATED, {"reason": ["PutObject"]}),
    s3.EventType.OBJECT_CREATED_POST: (_CREATED, {"reason": ["POST Object"]}),
    s3.EventType.OBJECT_CREATED_COPY: (_CREATED, {"reason": ["CopyObject"]}),
    s3.EventType.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD: (
        _CREATED,
        {"reason": ["CompleteMultipartUpload"]},
    ),
    s3.EventType.OBJECT_REMOVED: (_DELETED, {"reason": ["DeleteObject"]}),
    s3.EventType.OBJECT_REMOVED_DELETE: (
        _DELETED,
        {"reason": ["DeleteObject"], "deletion-type": _PERMANENT},
    ),
    s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED: (
        _DELETED,
        {"reason": ["DeleteObject"], "deletion-type": _MARKER},
    ),
    s3.EventType.LIFECYCLE_EXPIRATION: (_DELETED, {"reason": ["Lifecycle Expiration"]}),
    s3.EventType.LIFECYCLE_EXPIRATION_DELETE: (
        _DELETED,
        {"reason": ["Lifecycle Expiration"], "deletion-type": _PERMANENT},
    ),
    s3.EventType.LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED: (
        _DELETED,
        {"reason": ["Lifecycle Expiration"], "deletion-type": _MARKER},
    ),
    s3.EventType.OBJECT_RESTORE: (
        ("Object Restore Initiated", "Object Restore Completed", "Object Restore Expired"),
        {},
    ),
    s3.EventType.OBJECT_RESTORE_POST: (("Object Restore Initiated",), {}),
    s3.EventType.OBJECT_RESTORE_COMPLETED: (("Object Restore Completed",), {}),
    s3.EventType.OBJECT_RESTORE_DELETE: (("Object Restore Expired",), {}),
    s3.EventType.OBJECT_TAGGING: (("Object Tags Added", "Object Tags Deleted"), {}),
    s3.EventType.OBJECT_TAGGING_PUT: (("Object Tags Added",), {}),
    s3.EventType.OBJECT_TAGGING_DELETE: (("Object Tags Deleted",), {}),
    s3.EventType.OBJECT_ACL_PUT: (("Object ACL Updated",), {}),
    s3.EventType.LIFECYCLE_TRANSITION: (("Object Storage Class Changed",), {}),
    s3.EventType.INTELLIGENT_TIERING: (("Object Access Tier Changed",), {}),
}


@dataclass(frozen=True)
class S3EventRule:
    """One S3 event rule: an event type, limited to keys and sizes that match its filters.

    :param event_type: The S3 event, for example ``s3.EventType.OBJECT_CREATED`` (every way of
        creating an object) or ``OBJECT_REMOVED_DELETE``.
    :param prefix: Only keys that start with this, for example ``"images/"``.
        Default: every key. Up to 1,024 characters.
    :param suffix: Only keys that end with this, for example ``".jpg"``.
        Default: every key. Up to 1,024 characters.
    :param wildcard: EventBridge delivery only: keys matching this pattern, where ``*`` stands
        for any characters (``"images/*/raw/*.jpg"``). Replaces ``prefix`` and ``suffix``
        (give either). Default: every key.
    :param min_size: EventBridge delivery only: objects of at least this size. Events without
        a size (deletions, for example) do not match. Default: any size.
    :param max_size: EventBridge delivery only: objects of at most this size. Default: any size.
    """

    event_type: s3.EventType
    prefix: str | None = None
    suffix: str | None = None
    wildcard: str | None = None
    min_size: Size | None = None
    max_size: Size | None = None

    @property
    def event_name(self) -> str:
        """The event as S3 notifications spell it, for example ``s3:ObjectCreated:*``."""
        return S3_EVENT_NAMES[self.event_type]

    @property
    def uses_event_bridge_filters(self) -> bool:
        """Whether the rule uses a filter that only EventBridge offers (wildcard, sizes)."""
        return not (self.wildcard is None and self.min_size is None and self.max_size is None)

    def describe(self) -> str:
        """A readable summary, for error messages: ``s3:ObjectCreated:* prefix='images/'``."""
        parts = [self.event_name]
        for name in ("prefix", "suffix", "wildcard"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        for name in ("min_size", "max_size"):
            size = getattr(self, name)
            if size is not None:
                parts.append(f"{name}={_bytes(size)} bytes")
        return " ".join(parts)

    def event_bridge_pattern(self, bucket_name: str) -> dict[str, Any]:
        """The EventBridge pattern (without ``source``) of this rule for one bucket."""
        detail_types, detail_fields = EVENT_BRIDGE_EVENTS[self.event_type]
        detail: dict[str, Any] = {"bucket": {"name": [bucket_name]}}
        object_filter: dict[str, Any] = {}
        key = self._key_matcher()
        if key is not None:
            object_filter["key"] = [key]
        if self.min_size is not None or self.max_size is not None:
            numeric: list[Any] = []
            if self.min_size is not None:
                numeric += [">=", _bytes(self.min_size)]
            if self.max_size is not None:
                numeric += ["<=", _bytes(self.max_size)]
            object_filter["size"] = [{"numeric": numeric}]
        if object_filter:
            detail["object"] = object_filter
        detail.update({name: list(values) for name, values in detail_fields.items()})
        return {"detail-type": list(detail_types), "detail": detail}

    def _key_matcher(self) -> dict[str, str] | None:
        if self.wildcard is not None:
            return {"wildcard": self.wildcard}
        if self.prefix is not None and self.suffix is not None:
            # EventBridge ANDs fields, not matchers of one field: both ends in one wildcard.
            return {"wildcard": f"{_escape_wildcard(self.prefix)}*{_escape_wildcard(self.suffix)}"}
        if self.prefix is not None:
            return {"prefix": self.prefix}
        if self.suffix is not None:
            return {"suffix": self.suffix}
        return None


def _bytes(size: Size) -> int:
    return int(size.to_bytes())


def _escape_wildcard(text: str) -> str:
    """Literal text inside an EventBridge wildcard pattern: ``*`` and ``\\`` escaped."""
    return text.replace("\\", "\\\\").replace("*", "\\*")


def s3_event_body_filter(
    *,
    key_prefixes: Sequence[str] = (),
    key_suffixes: Sequence[str] = (),
    event_names: Sequence[str] = (),
    delivery: S3EventDelivery = S3EventDelivery.EVENT_BRIDGE,
) -> dict[str, sns.FilterOrPolicy]:
    """A message-body filter policy on the S3 event, for ``filter_policy_with_message_body``.

    :param key_prefixes: Keep events whose object key starts with one of these.
    :param key_suffixes: Keep events whose key ends with one of these. Prefixes and suffixes
        are alternatives (OR): SNS matches any one condition listed for the same field.
    :param event_names: Keep events of these types, spelled as the event carries them: with
        EventBridge delivery the ``detail-type`` (``"Object Created"``), with notifications the
        ``Records[].eventName`` without the ``s3:`` prefix (``"ObjectCreated:Put"``).
    :param delivery: The delivery of the fan-out the filter is for: the two carry different
        event bodies (``detail.object.key`` or ``Records[].s3.object.key``).
        Default: ``EVENT_BRIDGE``, the default of ``S3EventFanOut``;
        ``S3EventFanOut.event_body_filter`` passes the fan-out's own.

    Keys in S3 notification events are URL-encoded (a space arrives as ``+``), so filter on
    encoded keys with ``NOTIFICATION`` delivery.
    """
    if not (key_prefixes or key_suffixes or event_names):
        raise ValueError(
            "s3_event_body_filter needs at least one of key_prefixes, key_suffixes or "
            "event_names; leave filter_policy_with_message_body unset to receive every event"
        )
    key_filter: sns.FilterOrPolicy | None = None
    if key_prefixes or key_suffixes:
        key_filter = sns.FilterOrPolicy.filter(
            sns.SubscriptionFilter.string_filter(
                match_prefixes=list(key_prefixes) or None,
                match_suffixes=list(key_suffixes) or None,
            )
        )
    names_filter = (
        sns.FilterOrPolicy.filter(sns.SubscriptionFilter.string_filter(allowlist=list(event_names)))
        if event_names
        else None
    )
    if delivery is S3EventDelivery.EVENT_BRIDGE:
        policy: dict[str, sns.FilterOrPolicy] = {}
        if key_filter is not None:
            policy["detail"] = sns.FilterOrPolicy.policy(
                {"object": sns.FilterOrPolicy.policy({"key": key_filter})}
            )
        if names_filter is not None:
            policy["detail-type"] = names_filter
        return policy
    record: dict[str, sns.FilterOrPolicy] = {}
    if key_filter is not None:
        record["s3"] = sns.FilterOrPolicy.policy(
            {"object": sns.FilterOrPolicy.policy({"key": key_filter})}
        )
    if names_filter is not None:
        record["eventName"] = names_filter
    return {"Records": sns.FilterOrPolicy.policy(record)}


class S3EventFanOut(Construct):
    """S3 events of one bucket fanned out to SQS queues through an encrypted SNS topic.

    By default (``delivery=S3EventDelivery.EVENT_BRIDGE``) the bucket sends its events to
    EventBridge and one rule of this pattern routes those matching ``events`` to the topic;
    the topic accepts them from that rule in this account only. With
    ``S3EventDelivery.NOTIFICATION`` the bucket publishes to the topic itself; the topic accepts
    events from this bucket in this account only. Either way the notification settings of a
    new bucket are a property of the bucket (no Lambda-backed custom resource), and synthesis
    fails if anything else would overwrite them (``bucket.add_event_notification``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        events: Sequence[S3EventRule] | None = None,
        delivery: S3EventDelivery = S3EventDelivery.EVENT_BRIDGE,
        bucket: s3.IBucket | None = None,
        bucket_name: str | None = None,
        encryption_key: kms.IKey | None = None,
        removal_policy: RemovalPolicy | None = None,
        noncurrent_version_expiration: Duration | None = None,
        access_log_expiration: Duration | None = None,
        topic: sns.ITopic | None = None,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
        shared_subscription_dead_letter_queue: bool = False,
        nested_stacks: bool = False,
    ) -> None:
        """Define the bucket (or use an existing one), the topic and the event routing.

        :param events: The S3 events to fan out, each an :class:`S3EventRule` (event type and
            key or size filters). With EventBridge delivery rules may overlap: an event that
            matches several is still published once. With notifications, rules for overlapping
            event types must cover disjoint keys (S3 would reject them at deploy time), and
            only ``prefix`` and ``suffix`` filters exist. Default: every object created, any key.
        :param delivery: How the events reach the topic, see :class:`S3EventDelivery`.
            Default: ``EVENT_BRIDGE``: overlapping rules, richer filters, no fixed bucket name,
            and other consumers of the bucket keep their own rules. Pass
            ``S3EventDelivery.NOTIFICATION`` (with ``bucket_name`` for a new bucket) to keep
            the direct notifications and the S3 event format of the first version.
        :param bucket: An existing bucket to take events from. A bucket of this app (any stack)
            keeps its owner: EventBridge delivery switches its EventBridge notifications on in
            the owner's stack; notifications need the bucket in this stack. A bucket this app
            does not define (``from_bucket_name``) must already send its events to EventBridge
            (a synth warning says so), or, with notifications, is configured by CDK's
            Lambda-backed custom resource, which keeps the rules others set on it.
            Default: a new secure bucket.
        :param bucket_name: Physical name of the new bucket. Default: generated by
            CloudFormation, so ``cdk destroy`` then ``cdk deploy`` works although the bucket is
            retained. Required with ``delivery=NOTIFICATION``: the topic policy must name the
            bucket before it exists (a reference would be circular); choose a name you will
            not need again, since a retained bucket keeps it.
        :param encryption_key: Customer-managed key of the new bucket (SSE-KMS with bucket
            keys) and of the new topic. Default: a new key with yearly rotation, retained on
            deletion. With an existing ``topic`` the topic keeps its own encryption.
        :param removal_policy: What happens to the new bucket and its access-log bucket when
            they leave the stack. Default: ``RETAIN``: the bucket holds the data itself.
        :param noncurrent_version_expiration: Delete noncurrent object versions after this
            many whole days (at least 1). Default: 90 days.
        :param access_log_expiration: Delete server access logs after this many whole days
            (at least 1). Default: 365 days.
        :param topic: An existing standard topic of this app to publish the events to. FIFO
            topics are refused: neither S3 nor this pattern's rule can publish to them.
            Default: a new encrypted topic.
        :param alarm_actions: Actions for every alarm, of the topic, of the EventBridge rule
            and of each subscriber, on alarm and on return to OK. Default: none (the alarms
            are still created).
        :param shared_subscription_dead_letter_queue: One subscription dead-letter queue for
            all subscribers instead of one each (3 resources fewer per subscriber; the alarm no
            longer tells which subscriber failed), as in ``SnsToSqsFanOut``. Default: ``False``.
        :param nested_stacks: Place the subscribers in nested stacks, filled in the order of
            ``add_queue`` calls, so the fan-out can outgrow the 500 resources of one stack, as
            in ``SnsToSqsFanOut``. Choose it up front: switching replaces every subscriber
            queue. Default: ``False`` (``add_queue`` raises ``ValueError`` past 500).
        """
        super().__init__(scope, construct_id)
        rules = tuple(events) if events is not None else (S3EventRule(s3.EventType.OBJECT_CREATED),)
        _validate(
            events=rules,
            delivery=delivery,
            bucket=bucket,
            bucket_name=bucket_name,
            encryption_key=encryption_key,
            removal_policy=removal_policy,
            noncurrent_version_expiration=noncurrent_version_expiration,
            access_log_expiration=access_log_expiration,
            topic=topic,
        )
        if bucket is not None:
            _check_existing_bucket(self, bucket, delivery)
        self._rules = rules
        self._delivery = delivery
        stack = Stack.of(self)

        self._encryption_key: kms.IKey | None = None
        if bucket is None or topic is None:
            self._encryption_key = encryption_key or kms.Key(
                self,
                "EncryptionKey",
                description=f"Encrypts the bucket and the event topic of {self.node.path}",
                enable_key_rotation=True,
                # Keys follow what they encrypt (patterns.removal): the topic goes with the
                # stack, a new bucket stays by default, so the key stays while it does.
                removal_policy=key_removal_policy(
                    RemovalPolicy.DESTROY,
                    *(() if bucket is not None else (removal_policy or DATA_REMOVAL_POLICY,)),
                ),
                pending_window=KEY_PENDING_WINDOW,
            )

        self._fan_out = SnsToSqsFanOut(
            self,
            "FanOut",
            topic=topic,
            encryption_key=self._encryption_key if topic is None else None,
            alarm_actions=alarm_actions,
            shared_subscription_dead_letter_queue=shared_subscription_dead_letter_queue,
            nested_stacks=nested_stacks,
        )
        self._access_log_bucket: s3.IBucket | None = None
        self._event_rule: eventbridge.Rule | None = None
        self._rule_alarms: list[cloudwatch.Alarm] = []
        self._delivery_dead_letter_queue: sqs.Queue | None = None
        # What must exist before events flow: every subscription is added in add_queue.
        self._starts_events: IConstruct
        if delivery is S3EventDelivery.EVENT_BRIDGE:
            self._bucket = bucket or self._new_bucket(
                bucket_name=bucket_name,
                removal_policy=removal_policy,
                noncurrent_version_expiration=noncurrent_version_expiration,
                access_log_expiration=access_log_expiration,
            )
            self._send_events_to_event_bridge(self._bucket)
            # The policies name the rule by its ARN built from its fixed name, not by a
            # reference: the topic key's policy would otherwise wait for the rule, which waits
            # for the subscriptions, which wait for the topic and so for the key (a cycle).
            self._fan_out.allow_service_publish(
                EVENTS_SERVICE_PRINCIPAL,
                source_arn=stack.format_arn(
                    service="events",
                    resource="rule",
                    resource_name=_rule_name(self),
                ),
                source_account=stack.account,
            )
            self._event_rule = self._route_to_topic(self._bucket, alarm_actions)
            self._starts_events = self._event_rule
        else:
            self._starts_events = self._notify_topic_directly(
                bucket=bucket,
                bucket_name=bucket_name,
                removal_policy=removal_policy,
                noncurrent_version_expiration=noncurrent_version_expiration,
                access_log_expiration=access_log_expiration,
            )
        self.node.add_validation(_SingleNotificationOwner(self))

    def _new_bucket(
        self,
        *,
        bucket_name: str | None,
        removal_policy: RemovalPolicy | None,
        noncurrent_version_expiration: Duration | None,
        access_log_expiration: Duration | None,
    ) -> s3.Bucket:
        secure = create_secure_bucket(
            self,
            bucket_name=bucket_name,
            encryption_key=self._encryption_key,
            removal_policy=removal_policy or RemovalPolicy.RETAIN,
            noncurrent_version_expiration=(
                noncurrent_version_expiration or DEFAULT_NONCURRENT_VERSION_EXPIRATION
            ),
            access_log_expiration=access_log_expiration or DEFAULT_ACCESS_LOG_EXPIRATION,
        )
        self._access_log_bucket = secure.access_log_bucket
        return secure.bucket

    def _send_events_to_event_bridge(self, bucket: s3.IBucket) -> None:
        """Switch the bucket's EventBridge notifications on, where this app can."""
        cfn_bucket = _own_cfn_bucket(bucket)
        if cfn_bucket is None:
            Annotations.of(self).add_warning_v2(
                "patterns:S3EventBridgeNotEnabled",
                f"Bucket {bucket.node.path} is not defined in this app, so {self.node.path} "
                "cannot switch on its EventBridge notifications: until the bucket's owner does "
                "(NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled: true, "
                "or 'Send notifications to Amazon EventBridge' in the console), no event "
                "reaches the topic",
            )
            return
        existing = cfn_bucket.notification_configuration
        if existing is None and bucket.node.try_find_child(_L2_NOTIFICATIONS_ID) is not None:
            # CDK's custom resource owns the configuration already: add EventBridge to it, so
            # it keeps writing what it wrote and this too.
            bucket.enable_event_bridge_notification()
            _acknowledge_notifications_handler(
                Stack.of(bucket), bucket.node.find_child(_L2_NOTIFICATIONS_ID)
            )
            return
        if existing is not None and not isinstance(
            existing, s3.CfnBucket.NotificationConfigurationProperty
        ):
            raise ValueError(
                f"bucket {bucket.node.path} has a NotificationConfiguration this pattern cannot "
                "extend (an unresolved token); set EventBridgeConfiguration EventBridgeEnabled: "
                "true in it yourself and pass the bucket imported by name"
            )
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(
                event_bridge_enabled=True
            ),
            lambda_configurations=existing.lambda_configurations if existing else None,
            queue_configurations=existing.queue_configurations if existing else None,
            topic_configurations=existing.topic_configurations if existing else None,
        )

    def _route_to_topic(
        self, bucket: s3.IBucket, alarm_actions: Sequence[cloudwatch.IAlarmAction]
    ) -> eventbridge.Rule:
        """One rule for all of ``events``: an event matching several is published once."""
        patterns = [rule.event_bridge_pattern(bucket.bucket_name) for rule in self._rules]
        single = patterns[0] if len(patterns) == 1 else None
        rule = eventbridge.Rule(
            self,
            "EventRule",
            rule_name=_rule_name(self),
            description=f"S3 events of the bucket of {self.node.path} for its fan-out topic",
            event_pattern=eventbridge.EventPattern(
                source=[EVENT_BRIDGE_SOURCE],
                detail_type=single["detail-type"] if single else None,
                detail=single["detail"] if single else None,
            ),
        )
        self._delivery_dead_letter_queue = _delivery_dead_letter_queue(self, _rule_name(self))
        rule.add_target(_TopicTarget(self._fan_out.topic, self._delivery_dead_letter_queue))
        # No event is routed before the topic accepts it (the key is referenced through the
        # topic already); the policies name the rule by ARN, so this makes no cycle.
        topic_policy = self._fan_out.topic.node.try_find_child("Policy")
        if topic_policy is not None:
            rule.node.add_dependency(topic_policy)
        if single is None:
            cfn_rule: eventbridge.CfnRule = rule.node.default_child  # type: ignore[assignment]
            cfn_rule.add_property_override("EventPattern.$or", patterns)
        dead_letters = self._delivery_dead_letter_queue
        self._rule_alarms = [
            create_dead_letter_queue_alarm(
                self,
                "DeliveryDeadLetterQueueNotEmptyAlarm",
                queue=dead_letters,
                description=(
                    f"EventBridge gave up publishing S3 events of {self.node.path} to the "
                    "topic; they wait in the delivery dead-letter queue"
                ),
                actions=alarm_actions,
            ),
            create_alarm(
                self,
                "FailedInvocationsAlarm",
                metric=cloudwatch.Metric(
                    namespace="AWS/Events",
                    metric_name="FailedInvocations",
                    dimensions_map={"RuleName": rule.rule_name},
                    period=Duration.minutes(5),
                    statistic=cloudwatch.Stats.SUM,
                ),
                threshold=1,
                description=(
                    f"EventBridge could not publish S3 events of {self.node.path} to the topic "
                    "(topic policy or key policy?); it retries for up to 24 hours, then moves them "
                    "to the delivery dead-letter queue"
                ),
                actions=alarm_actions,
            ),
        ]
        return rule

    def _notify_topic_directly(
        self,
        *,
        bucket: s3.IBucket | None,
        bucket_name: str | None,
        removal_policy: RemovalPolicy | None,
        noncurrent_version_expiration: Duration | None,
        access_log_expiration: Duration | None,
    ) -> IConstruct:
        """S3 event notifications to the topic; returns what starts publishing events."""
        stack = Stack.of(self)
        if bucket is None:
            assert bucket_name is not None  # _validate requires it
            source_arn = f"arn:{stack.partition}:s3:::{bucket_name}"
            source_account = stack.account
        else:
            source_arn = bucket.bucket_arn
            source_account = bucket.env.account
        self._fan_out.allow_service_publish(
            S3_SERVICE_PRINCIPAL, source_arn=source_arn, source_account=source_account
        )
        # S3 tests that it may publish when the configuration is applied: the topic policy
        # and the key policy must exist first.
        publish_permissions: list[IConstruct] = []
        topic_policy = self._fan_out.topic.node.try_find_child("Policy")
        if topic_policy is not None:
            publish_permissions.append(topic_policy)
        topic_key = self._fan_out.encryption_key
        if isinstance(topic_key, kms.Key):
            publish_permissions.append(topic_key)

        if bucket is None:
            self._bucket = self._new_bucket(
                bucket_name=bucket_name,
                removal_policy=removal_policy,
                noncurrent_version_expiration=noncurrent_version_expiration,
                access_log_expiration=access_log_expiration,
            )
            cfn_bucket: s3.CfnBucket = self._bucket.node.default_child  # type: ignore[assignment]
            cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
                topic_configurations=[
                    _topic_configuration(rule, self._fan_out.topic.topic_arn)
                    for rule in self._rules
                ]
            )
            for dependency in publish_permissions:
                if dependency is not self._encryption_key:  # already referenced by encryption
                    cfn_bucket.node.add_dependency(dependency)
            return cfn_bucket
        self._bucket = bucket
        destination = _TopicDestination(self._fan_out.topic, publish_permissions)
        for rule in self._rules:
            bucket.add_event_notification(rule.event_type, destination, *_key_filters(rule))
        notifications = bucket.node.find_child(_L2_NOTIFICATIONS_ID)
        _acknowledge_notifications_handler(Stack.of(bucket), notifications)
        return notifications.node.find_child("Resource")

    @property
    def bucket(self) -> s3.IBucket:
        """The bucket whose events are fanned out: new, or the existing one passed in."""
        return self._bucket

    @property
    def access_log_bucket(self) -> s3.IBucket | None:
        """The bucket receiving the new bucket's server access logs (``None`` if existing)."""
        return self._access_log_bucket

    @property
    def topic(self) -> sns.ITopic:
        """The topic S3 publishes the events to and the queues subscribe to."""
        return self._fan_out.topic

    @property
    def encryption_key(self) -> kms.IKey | None:
        """The key of the new bucket and topic, or ``None`` when both were passed in."""
        return self._encryption_key

    @property
    def events(self) -> tuple[S3EventRule, ...]:
        """The event rules, in the order given."""
        return self._rules

    @property
    def delivery(self) -> S3EventDelivery:
        """How the events reach the topic."""
        return self._delivery

    @property
    def delivery_dead_letter_queue(self) -> sqs.IQueue | None:
        """Where EventBridge moves events it could not publish (``None`` for notifications)."""
        return self._delivery_dead_letter_queue

    @property
    def event_rule(self) -> eventbridge.Rule | None:
        """The EventBridge rule routing the events to the topic (``None`` for notifications)."""
        return self._event_rule

    @property
    def fan_out(self) -> SnsToSqsFanOut:
        """The underlying topic-to-queues fan-out."""
        return self._fan_out

    @property
    def subscribers(self) -> list[QueueSubscriber]:
        """What :meth:`add_queue` returned, in order."""
        return list(self._fan_out.subscribers)

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """Every alarm: the EventBridge rule's, the topic's and those of each subscriber."""
        return [*self._rule_alarms, *self._fan_out.alarms]

    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None:
        """Add this pattern's sections to ``dashboard``: the EventBridge delivery, then the fan-out.

        With EventBridge delivery: events matched, published to the topic, failed and kept in
        the delivery dead-letter queue, and its two alarms with their thresholds. Then the
        fan-out's section (topic and subscribers, see ``SnsToSqsFanOut.add_to_dashboard``).
        """
        rule, dead_letters = self._event_rule, self._delivery_dead_letter_queue
        if rule is not None and dead_letters is not None:

            def rule_metric(name: str, label: str) -> cloudwatch.Metric:
                return cloudwatch.Metric(
                    namespace="AWS/Events",
                    metric_name=name,
                    dimensions_map={"RuleName": rule.rule_name},
                    statistic=cloudwatch.Stats.SUM,
                    label=label,
                )

            dashboards.section(
                dashboard,
                f"S3 events {self.node.path}",
                "Events of the bucket that the EventBridge rule matched and published to the "
                "topic, and what it could not publish.",
                [
                    dashboards.graph(
                        "Events (per minute)",
                        [
                            rule_metric("TriggeredRules", "matched"),
                            rule_metric("Invocations", "published"),
                            rule_metric("FailedInvocations", "failed"),
                        ],
                    ),
                    dashboards.graph(
                        "Undelivered: delivery DLQ (messages)",
                        [
                            dead_letters.metric_approximate_number_of_messages_visible(
                                statistic=cloudwatch.Stats.MAXIMUM, label="waiting"
                            )
                        ],
                        thresholds=[(1, "alarm")],
                    ),
                    *dashboards.alarm_graphs(self._rule_alarms),
                ],
            )
        self._fan_out.add_to_dashboard(dashboard)

    def event_body_filter(
        self,
        *,
        key_prefixes: Sequence[str] = (),
        key_suffixes: Sequence[str] = (),
        event_names: Sequence[str] = (),
    ) -> dict[str, sns.FilterOrPolicy]:
        """:func:`s3_event_body_filter` for the event format of this fan-out's ``delivery``."""
        return s3_event_body_filter(
            key_prefixes=key_prefixes,
            key_suffixes=key_suffixes,
            event_names=event_names,
            delivery=self._delivery,
        )

    def add_queue(
        self,
        construct_id: str,
        *,
        queue: sqs.IQueue | None = None,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None = None,
        raw_message_delivery: bool = False,
        **queue_options: Unpack[QueueOptions],
    ) -> QueueSubscriber:
        """Subscribe a new queue with its DLQ (or an existing ``queue``) to the events.

        :param construct_id: ID of the subscriber; unique within this pattern.
        :param queue: An existing standard queue to subscribe instead of a new one.
            Default: a new :class:`QueueWithDeadLetterQueue`.
        :param filter_policy_with_message_body: Receive only events whose JSON body matches,
            for example ``fan_out.event_body_filter(key_suffixes=[".jpg"])``: the body is the
            EventBridge event (``detail``, ``detail-type``) or, with notifications, the S3
            event (``Records``); a policy on the other format is refused. Default: every event.
            Attribute filter policies are not offered: S3 events carry no message attributes,
            so they would drop every event.
        :param raw_message_delivery: Deliver the S3 event JSON itself instead of the SNS
            envelope around it. Default: ``False`` (the envelope, with its ``Message`` field).
        :param queue_options: Options of a new queue, as for ``QueueWithDeadLetterQueue``;
            ``alarm_actions`` defaults to this pattern's.
        :returns: What ``SnsToSqsFanOut.add_queue`` returns: a ``QueueSubscriber`` (queue,
            the new ``QueueWithDeadLetterQueue`` or ``None``, subscription, subscription DLQ,
            alarms).
        """
        if queue_options.get("fifo"):
            raise ValueError(
                f"add_queue({construct_id!r}, fifo=True): S3 publishes to a standard topic, "
                "which delivers to standard queues only"
            )
        if filter_policy_with_message_body is not None:
            _check_body_format(construct_id, filter_policy_with_message_body, self._delivery)
        subscriber = self._fan_out.add_queue(
            construct_id,
            queue=queue,
            filter_policy_with_message_body=filter_policy_with_message_body,
            raw_message_delivery=raw_message_delivery,
            **queue_options,
        )
        # Events start only once the subscription exists (and, through its own dependencies,
        # the queue policy and keys it needs), so the first events reach every subscriber.
        # A queue of another stack is subscribed in that stack (as CDK's SqsSubscription
        # does), which deploys after this one: waiting for it would be a cycle, so events
        # flow from this stack's deploy on and reach that subscriber once its stack is in.
        if deployed_stack(subscriber.subscription) is deployed_stack(self):
            self._starts_events.node.add_dependency(subscriber.subscription)
        else:
            Annotations.of(self).add_info(
                f"Subscriber {construct_id!r} is a queue of stack "
                f"{Stack.of(subscriber.subscription).node.path}, subscribed in that stack: "
                "events sent before that stack is deployed do not reach it"
            )
        return subscriber

    def grant_read(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Let ``grantee`` read the objects (and decrypt them), for consumers of the events."""
        return self._bucket.grant_read(grantee, objects_key_pattern)


@jsii.implements(s3.IBucketNotificationDestination)
class _TopicDestination:
    """The topic as a notification destination, without the unconditioned policy of CDK's.

    ``aws_s3_notifications.SnsDestination`` adds its own topic-policy statement and, with a
    key, grants S3 the key with no condition; the fan-out already added both, scoped.
    """

    def __init__(self, topic: sns.ITopic, dependencies: Sequence[IConstruct]) -> None:
        self._topic = topic
        self._dependencies = list(dependencies)

    def bind(self, scope: Construct, bucket: IBucketRef) -> s3.BucketNotificationDestinationConfig:
        return s3.BucketNotificationDestinationConfig(
            arn=self._topic.topic_arn,
            type=s3.BucketNotificationDestinationType.TOPIC,
            dependencies=self._dependencies,
        )


def _topic_configuration(
    rule: S3EventRule, topic_arn: str
) -> s3.CfnBucket.TopicConfigurationProperty:
    filter_rules = [
        s3.CfnBucket.FilterRuleProperty(name=name, value=value)
        for name, value in (("prefix", rule.prefix), ("suffix", rule.suffix))
        if value is not None
    ]
    return s3.CfnBucket.TopicConfigurationProperty(
        event=rule.event_name,
        topic=topic_arn,
        filter=(
            s3.CfnBucket.NotificationFilterProperty(
                s3_key=s3.CfnBucket.S3KeyFilterProperty(rules=filter_rules)
            )
            if filter_rules
            else None
        ),
    )


def _key_filters(rule: S3EventRule) -> list[s3.NotificationKeyFilter]:
    if rule.prefix is None and rule.suffix is None:
        return []
    return [s3.NotificationKeyFilter(prefix=rule.prefix, suffix=rule.suffix)]


@jsii.implements(eventbridge.IRuleTarget)
class _TopicTarget:
    """The topic as a rule target, without the unconditioned policy of CDK's ``SnsTopic``.

    ``aws_events_targets.SnsTopic`` lets ``events.amazonaws.com`` publish with no condition;
    the fan-out adds that statement (and the key's) scoped to this rule and account.
    """

    def __init__(self, topic: sns.ITopic, dead_letter_queue: sqs.IQueue) -> None:
        self._topic = topic
        self._dead_letter_queue = dead_letter_queue

    def bind(self, rule: IRuleRef, id: str | None = None) -> eventbridge.RuleTargetConfig:
        return eventbridge.RuleTargetConfig(
            arn=self._topic.topic_arn,
            dead_letter_config=eventbridge.CfnRule.DeadLetterConfigProperty(
                arn=self._dead_letter_queue.queue_arn
            ),
        )


def _delivery_dead_letter_queue(scope: Construct, rule_name: str) -> sqs.Queue:
    """The rule target's DLQ: encrypted (SSE-SQS), TLS only, writable by this rule only."""
    stack = Stack.of(scope)
    queue = sqs.Queue(
        scope,
        "DeliveryDeadLetterQueue",
        retention_period=DELIVERY_DLQ_RETENTION,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.DESTROY,
    )
    queue.add_to_resource_policy(
        service_statement(
            EVENTS_SERVICE_PRINCIPAL,
            actions=["sqs:SendMessage"],
            resources=[queue.queue_arn],
            source_arn=stack.format_arn(service="events", resource="rule", resource_name=rule_name),
            source_account=stack.account,
        )
    )
    acknowledge_all(
        queue,
        {
            "Serverless::Serverless-SQSRedrivePolicy": (
                "This queue is the dead-letter queue of the EventBridge rule's target: it keeps "
                "events EventBridge could not publish for 14 days; a DLQ of a DLQ would only "
                "move them again."
            ),
            "AwsSolutions::AwsSolutions-SQS3": (
                "This queue is the dead-letter queue of an EventBridge target, which cdk-nag "
                "does not recognise because it only looks for SQS redrive policies."
            ),
        },
    )
    skip_checkov(
        queue.node.default_child,  # type: ignore[arg-type]
        "CKV_AWS_27",
        "Encrypted at rest with SSE-SQS (SqsManagedSseEnabled: true); CKV_AWS_27 only "
        "recognises KmsMasterKeyId. EventBridge can always write to SSE-SQS queues.",
    )
    return queue


def _rule_name(fan_out: Construct) -> str:
    """The EventBridge rule's name: stack name, construct path and a digest of both.

    Fixed at synth so the topic and key policies can name the rule without referring to it.
    A rule is not retained, so ``cdk destroy`` then ``cdk deploy`` reuses the name safely;
    it changes (and the rule is replaced, losing nothing) only if the construct moves.
    """
    return physical_name(
        fan_out, max_length=RULE_NAME_MAX_LENGTH, separator="-", suffix=_RULE_NAME_SUFFIX
    )


def _own_cfn_bucket(bucket: s3.IBucket) -> s3.CfnBucket | None:
    """The ``AWS::S3::Bucket`` of a bucket defined in this app, ``None`` for imported ones."""
    child = bucket.node.default_child
    return child if isinstance(child, s3.CfnBucket) else None


def _check_existing_bucket(scope: Construct, bucket: s3.IBucket, delivery: S3EventDelivery) -> None:
    """Refuse what would only fail later (a cycle between stacks, a bus in another account)."""
    stack = Stack.of(scope)
    owner = Stack.of(bucket)
    if (
        delivery is S3EventDelivery.NOTIFICATION
        and _own_cfn_bucket(bucket) is not None
        and owner is not stack
    ):
        raise ValueError(
            f"bucket {bucket.node.path} belongs to stack {owner.stack_name!r}, not "
            f"{stack.stack_name!r}: with delivery=NOTIFICATION its notification "
            "configuration (in its stack) would name this topic while this topic policy "
            "names the bucket, a dependency cycle between the stacks. Use "
            "delivery=S3EventDelivery.EVENT_BRIDGE (the rule and policies stay in this "
            "stack), or import the bucket by its literal name in this stack: "
            "s3.Bucket.from_bucket_name(scope, 'Uploads', '<bucket name>')"
        )
    if delivery is S3EventDelivery.EVENT_BRIDGE:
        account = bucket.env.account
        if not (Token.is_unresolved(account) or Token.is_unresolved(stack.account)) and (
            account != stack.account
        ):
            raise ValueError(
                f"bucket {bucket.node.path} is in account {account}, this stack in "
                f"{stack.account}: S3 sends its events to the default event bus of the "
                "bucket's account, where this stack's rule cannot see them. Forward them to "
                "this account's bus there, or use delivery=S3EventDelivery.NOTIFICATION"
            )


@jsii.implements(IValidation)
class _SingleNotificationOwner:
    """Synth fails when the bucket's notifications would be written from two places.

    CDK's ``Custom::S3BucketNotifications`` (from ``add_event_notification``,
    ``enable_event_bridge_notification`` or ``event_bridge_enabled``) runs with
    ``Managed: true`` on a bucket of this app and replaces the bucket's whole notification
    configuration at deploy: the ``NotificationConfiguration`` property this pattern writes
    would silently be lost.
    """

    def __init__(self, fan_out: S3EventFanOut) -> None:
        self._fan_out = fan_out

    def validate(self) -> list[str]:
        bucket = self._fan_out.bucket
        cfn_bucket = _own_cfn_bucket(bucket)
        custom = bucket.node.try_find_child(_L2_NOTIFICATIONS_ID)
        if cfn_bucket is None or custom is None or cfn_bucket.notification_configuration is None:
            return []
        if self._fan_out.delivery is S3EventDelivery.EVENT_BRIDGE:
            lost = "the EventBridge notifications its rule depends on"
            fix = (
                "subscribe the queue with add_queue(...) (filter with event_body_filter), or "
                "route the events with an events.Rule on source aws.s3 or another "
                "S3EventFanOut on this bucket (EventBridge delivery): the bucket already sends "
                "every event to EventBridge"
            )
        else:
            lost = "its topic configurations"
            fix = (
                "subscribe the queue with add_queue(...) (filter with event_body_filter), or "
                "use delivery=S3EventDelivery.EVENT_BRIDGE, where any number of rules may "
                "take the bucket's events"
            )
        return [
            f"bucket {bucket.node.path} has two notification configurations: the "
            "NotificationConfiguration property (set by S3EventFanOut "
            f"{self._fan_out.node.path}) and CDK's Custom::S3BucketNotifications at "
            f"{custom.node.path}, added by bucket.add_event_notification(...) (or "
            "enable_event_bridge_notification, or a second fan-out with delivery=NOTIFICATION). "
            "At deploy the custom resource (Managed: true) replaces the whole configuration, "
            f"and {lost} would be lost without a warning. Instead of "
            f"bucket.add_event_notification, {fix}"
        ]


# Top-level fields of each event body an SNS body filter can name.
_EVENT_BRIDGE_FIELDS = frozenset(
    {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
)


def _check_body_format(
    construct_id: str, policy: Mapping[str, sns.FilterOrPolicy], delivery: S3EventDelivery
) -> None:
    fields = set(policy)
    if delivery is S3EventDelivery.EVENT_BRIDGE and not fields <= _EVENT_BRIDGE_FIELDS:
        raise ValueError(
            f"add_queue({construct_id!r}): filter_policy_with_message_body names "
            f"{sorted(fields - _EVENT_BRIDGE_FIELDS)}, but with EventBridge delivery the body "
            f"is an EventBridge event (fields {sorted(_EVENT_BRIDGE_FIELDS)}): the filter would "
            "drop every event. Build it with fan_out.event_body_filter(...)"
        )
    if delivery is S3EventDelivery.NOTIFICATION and fields != {"Records"}:
        raise ValueError(
            f"add_queue({construct_id!r}): filter_policy_with_message_body names "
            f"{sorted(fields)}, but with delivery=NOTIFICATION the body is an S3 event with "
            "the single field 'Records': the filter would drop every event. Build it with "
            "fan_out.event_body_filter(...)"
        )


def _acknowledge_notifications_handler(stack: Stack, notifications: IConstruct) -> None:
    """Record why CDK's notifications custom resource is as it is (existing buckets only).

    The bucket's handler policy is scoped to that bucket; the handler itself is one per stack.
    """
    handler_policy = notifications.node.try_find_child("HandlerPolicy")
    if handler_policy is not None:
        acknowledge_all(
            handler_policy,
            {
                f"{pack}::{pack}-IAMNoInlinePolicy": (
                    "CDK attaches this inline policy to its notifications handler role; it "
                    "allows only s3:GetBucketNotification and s3:PutBucketNotification on this "
                    "one bucket."
                )
                for pack in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
            },
        )
    handler = stack.node.try_find_child(NOTIFICATIONS_HANDLER_ID)
    if not isinstance(handler, Construct) or handler.node.try_find_child("Acknowledged"):
        return
    Construct(handler, "Acknowledged")  # marks the handler as done, creates no resource
    function = handler.node.find_child("Resource")
    acknowledge(
        handler,
        "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
        "service-role/AWSLambdaBasicExecutionRole]",
        "CDK's bucket-notifications handler always attaches this managed policy; it only "
        "lets the function write its own CloudWatch logs.",
    )
    for check_id, reason in (
        (
            "CKV_AWS_115",
            "Deployment-time custom-resource handler of CDK, invoked by CloudFormation once per "
            "change; reserved concurrency would only take capacity from the account.",
        ),
        (
            "CKV_AWS_116",
            "Invoked synchronously by CloudFormation, which reports failures itself; a "
            "dead-letter queue never receives anything from a custom-resource handler.",
        ),
        (
            "CKV_AWS_117",
            "Calls only the S3 control API during deployment; a VPC would need NAT or an "
            "endpoint for no protection gained.",
        ),
    ):
        skip_checkov(function, check_id, reason)  # type: ignore[arg-type]


def _check_filter_value(argument: str, value: str | None) -> None:
    if value is None or Token.is_unresolved(value):
        return
    if not 1 <= len(value) <= FILTER_VALUE_MAX_LENGTH:
        raise ValueError(
            f"{argument} must be 1 to {FILTER_VALUE_MAX_LENGTH} characters, got {value!r} "
            f"({len(value)} characters); omit it to match every key"
        )


def _overlaps(first: S3EventRule, second: S3EventRule) -> bool:
    """Whether S3 would reject the two rules together (shared event type and shared keys)."""
    return (
        _event_names_overlap(first.event_name, second.event_name)
        and _affixes_overlap(first.prefix, second.prefix, str.startswith)
        and _affixes_overlap(first.suffix, second.suffix, str.endswith)
    )


def _event_names_overlap(first: str, second: str) -> bool:
    if first == second:
        return True
    for wide, narrow in ((first, second), (second, first)):
        if wide.endswith(":*") and narrow.startswith(wide[:-1]):
            return True
    return False


def _affixes_overlap(first: str | None, second: str | None, test: object) -> bool:
    if first is None or second is None:
        return True  # a rule without the filter covers every key
    if Token.is_unresolved(first) or Token.is_unresolved(second):
        return False  # unknown until deploy time: let S3 decide
    matches = test  # str.startswith or str.endswith
    return bool(matches(first, second) or matches(second, first))  # type: ignore[operator]


def _check_bucket_name(name: str | None) -> None:
    if name is None or Token.is_unresolved(name):
        return
    low, high = BUCKET_NAME_LENGTH
    if not low <= len(name) <= high or not _BUCKET_NAME_PATTERN.match(name) or ".." in name:
        raise ValueError(
            f"bucket_name {name!r} must be {low} to {high} characters of lowercase letters, "
            "digits, dots and hyphens, beginning and ending with a letter or digit"
        )


def _check_whole_days(argument: str, value: Duration | None) -> None:
    if value is None or value.is_unresolved():
        return
    days = value.to_days(integral=False)
    if days < 1 or days != int(days):
        raise ValueError(
            f"{argument} must be a whole number of days, at least 1 (S3 lifecycle rules count "
            f"in days), got {value.to_human_string()}"
        )


def _validate(
    *,
    events: Sequence[S3EventRule],
    delivery: S3EventDelivery,
    bucket: s3.IBucket | None,
    bucket_name: str | None,
    encryption_key: kms.IKey | None,
    removal_policy: RemovalPolicy | None,
    noncurrent_version_expiration: Duration | None,
    access_log_expiration: Duration | None,
    topic: sns.ITopic | None,
) -> None:
    if not isinstance(delivery, S3EventDelivery):
        raise ValueError(
            f"delivery must be S3EventDelivery.EVENT_BRIDGE or S3EventDelivery.NOTIFICATION, "
            f"got {delivery!r}"
        )
    if not events:
        raise ValueError("events must name at least one S3EventRule; got an empty list")
    for index, rule in enumerate(events):
        _check_filter_value(f"events[{index}].prefix", rule.prefix)
        _check_filter_value(f"events[{index}].suffix", rule.suffix)
        _check_filter_value(f"events[{index}].wildcard", rule.wildcard)
        if delivery is S3EventDelivery.EVENT_BRIDGE:
            _check_event_bridge_rule(index, rule)
        elif rule.uses_event_bridge_filters:
            raise ValueError(
                f"events[{index}] ({rule.describe()}): wildcard, min_size and max_size are "
                "filters of EventBridge; S3 notifications filter on prefix and suffix only. "
                "Use delivery=S3EventDelivery.EVENT_BRIDGE or drop them"
            )
    if delivery is S3EventDelivery.NOTIFICATION:
        _check_no_overlap(events)
    if topic is not None and topic.fifo:
        raise ValueError(
            f"topic {topic.node.path!r} is a FIFO topic: S3 event notifications publish to "
            "standard topics only, and this pattern's EventBridge rule sets no message group "
            "ID, which a FIFO topic requires; pass a standard topic or none"
        )
    _check_bucket_name(bucket_name)
    if delivery is S3EventDelivery.NOTIFICATION and bucket is None and bucket_name is None:
        raise ValueError(
            "delivery=NOTIFICATION with a new bucket needs bucket_name: the topic policy must "
            "name the bucket before it exists (a reference to it would be a circular "
            "dependency), so the name is fixed at synth. A retained bucket keeps that name, so "
            "after `cdk destroy` the next `cdk deploy` needs another one (or removal_policy="
            "DESTROY on an emptied bucket). Pass bucket_name='<a name of your choice>', or use "
            "delivery=S3EventDelivery.EVENT_BRIDGE, which needs no fixed name"
        )
    _check_whole_days("noncurrent_version_expiration", noncurrent_version_expiration)
    _check_whole_days("access_log_expiration", access_log_expiration)
    options: dict[str, object] = {
        "bucket_name": bucket_name,
        "removal_policy": removal_policy,
        "noncurrent_version_expiration": noncurrent_version_expiration,
        "access_log_expiration": access_log_expiration,
    }
    if bucket is not None and topic is not None:
        options["encryption_key"] = encryption_key
    check_exclusive_with_existing("bucket", bucket, options)


def _check_event_bridge_rule(index: int, rule: S3EventRule) -> None:
    if rule.event_type not in EVENT_BRIDGE_EVENTS:
        raise ValueError(
            f"events[{index}] ({rule.describe()}): S3 does not send this event to EventBridge "
            "(replication and lost reduced-redundancy objects are notification-only); use "
            "delivery=S3EventDelivery.NOTIFICATION for it"
        )
    if rule.wildcard is not None and (rule.prefix is not None or rule.suffix is not None):
        raise ValueError(
            f"events[{index}] ({rule.describe()}): give wildcard or prefix/suffix, not both; "
            "a wildcard such as 'images/*.jpg' expresses both ends"
        )
    if (
        rule.min_size is not None
        and rule.max_size is not None
        and _bytes(rule.min_size) > _bytes(rule.max_size)
    ):
        raise ValueError(
            f"events[{index}] ({rule.describe()}): min_size must not exceed max_size; no "
            "object would match"
        )


def _check_no_overlap(events: Sequence[S3EventRule]) -> None:
    for first_index, first in enumerate(events):
        for second_index in range(first_index + 1, len(events)):
            second = events[second_index]
            if _overlaps(first, second):
                raise ValueError(
                    f"events[{first_index}] ({first.describe()}) and events[{second_index}] "
                    f"({second.describe()}) overlap: S3 notifications reject two rules that "
                    "share an event type for keys both could match; give them disjoint "
                    "prefixes or suffixes, merge them, or use "
                    "delivery=S3EventDelivery.EVENT_BRIDGE, where rules may overlap"
                )
