"""``S3EventFanOut``: S3 object events fanned out to many SQS queues through one SNS topic.

S3 accepts one notification rule per event type and key range, so the same event can reach
only one destination. Sending it to an SNS topic and subscribing every queue to the topic
(:class:`patterns.sns_fan_out.SnsToSqsFanOut`) lifts that limit: each queue gets its own copy,
its own dead-letter queue and, optionally, its own filter on the event body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import jsii
from aws_cdk import Duration, Names, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.interfaces.aws_s3 import IBucketRef
from constructs import Construct, IConstruct

from patterns.buckets import (
    DEFAULT_ACCESS_LOG_EXPIRATION,
    DEFAULT_NONCURRENT_VERSION_EXPIRATION,
    create_secure_bucket,
)
from patterns.compliance import acknowledge, skip_checkov
from patterns.sns_fan_out import ExistingQueueSubscriber, FanOutQueue, SnsToSqsFanOut
from patterns.validation import check_exclusive_with_existing

if TYPE_CHECKING:
    from typing import Unpack

    from patterns.queue_with_dlq import QueueOptions
    from patterns.sns_fan_out import QueueSubscriber

S3_SERVICE_PRINCIPAL = "s3.amazonaws.com"
# S3 FilterRule: "The maximum length is 1,024 characters" (S3 API reference, FilterRule).
FILTER_VALUE_MAX_LENGTH = 1024
# S3 general purpose bucket naming rules: 3 to 63 characters of lowercase letters, digits,
# dots and hyphens, beginning and ending with a letter or digit.
BUCKET_NAME_LENGTH = (3, 63)
_BUCKET_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
# Room kept in a generated bucket name for "-<12-digit account>-<region>" (region <= 16 chars).
_ACCOUNT_REGION_SUFFIX_LENGTH = 1 + 12 + 1 + 16
# CDK's singleton handler for notifications on buckets this stack does not create.
NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"

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


@dataclass(frozen=True)
class S3EventRule:
    """One S3 notification rule: an event type, limited to keys with a prefix and/or suffix.

    :param event_type: The S3 event, for example ``s3.EventType.OBJECT_CREATED`` (every way of
        creating an object) or ``OBJECT_REMOVED_DELETE``.
    :param prefix: Only keys that start with this, for example ``"images/"``.
        Default: every key. Up to 1,024 characters.
    :param suffix: Only keys that end with this, for example ``".jpg"``.
        Default: every key. Up to 1,024 characters.
    """

    event_type: s3.EventType
    prefix: str | None = None
    suffix: str | None = None

    @property
    def event_name(self) -> str:
        """The event as S3 spells it, for example ``s3:ObjectCreated:*``."""
        return S3_EVENT_NAMES[self.event_type]

    def describe(self) -> str:
        """A readable summary, for error messages: ``s3:ObjectCreated:* prefix='images/'``."""
        parts = [self.event_name]
        if self.prefix is not None:
            parts.append(f"prefix={self.prefix!r}")
        if self.suffix is not None:
            parts.append(f"suffix={self.suffix!r}")
        return " ".join(parts)


def s3_event_body_filter(
    *,
    key_prefixes: Sequence[str] = (),
    key_suffixes: Sequence[str] = (),
    event_names: Sequence[str] = (),
) -> dict[str, sns.FilterOrPolicy]:
    """A message-body filter policy on the S3 event, for ``filter_policy_with_message_body``.

    :param key_prefixes: Keep events whose ``Records[].s3.object.key`` starts with one of these.
    :param key_suffixes: Keep events whose key ends with one of these. Prefixes and suffixes
        are alternatives (OR): SNS matches any one condition listed for the same field.
    :param event_names: Keep events whose ``Records[].eventName`` is one of these, spelled as
        S3 writes them in the event, without the ``s3:`` prefix: ``"ObjectCreated:Put"``.

    Keys in S3 events are URL-encoded (a space arrives as ``+``), so filter on encoded keys.
    """
    if not (key_prefixes or key_suffixes or event_names):
        raise ValueError(
            "s3_event_body_filter needs at least one of key_prefixes, key_suffixes or "
            "event_names; leave filter_policy_with_message_body unset to receive every event"
        )
    record: dict[str, sns.FilterOrPolicy] = {}
    if key_prefixes or key_suffixes:
        key_filter = sns.SubscriptionFilter.string_filter(
            match_prefixes=list(key_prefixes) or None,
            match_suffixes=list(key_suffixes) or None,
        )
        record["s3"] = sns.FilterOrPolicy.policy(
            {"object": sns.FilterOrPolicy.policy({"key": sns.FilterOrPolicy.filter(key_filter)})}
        )
    if event_names:
        record["eventName"] = sns.FilterOrPolicy.filter(
            sns.SubscriptionFilter.string_filter(allowlist=list(event_names))
        )
    return {"Records": sns.FilterOrPolicy.policy(record)}


class S3EventFanOut(Construct):
    """S3 events of one bucket fanned out to SQS queues through an encrypted SNS topic.

    For a new bucket the notification configuration is a property of the bucket itself (no
    Lambda-backed custom resource); the bucket is created after the topic policy, the key
    policy and every subscriber, so S3 accepts the configuration and no event of the first
    upload is lost. The topic accepts events from this bucket in this account only.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        events: Sequence[S3EventRule] | None = None,
        bucket: s3.IBucket | None = None,
        bucket_name: str | None = None,
        encryption_key: kms.IKey | None = None,
        removal_policy: RemovalPolicy | None = None,
        noncurrent_version_expiration: Duration | None = None,
        access_log_expiration: Duration | None = None,
        topic: sns.ITopic | None = None,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
    ) -> None:
        """Define the bucket (or use an existing one), the topic and the notification rules.

        :param events: The S3 events to fan out, each an :class:`S3EventRule` (event type and
            optional key prefix/suffix). Rules for overlapping event types must not cover
            overlapping keys: S3 would reject them at deploy time. Default: every object
            created (``s3:ObjectCreated:*``), any key.
        :param bucket: An existing bucket to take events from. Its notifications are set by
            CDK's Lambda-backed custom resource (the only way to change a bucket this stack
            does not create), which keeps notification rules that others set on it.
            Default: a new secure bucket.
        :param bucket_name: Physical name of the new bucket. Default: generated from the
            construct path, the account and the region. The name is fixed at synth time so
            the topic policy can name the bucket before it exists.
        :param encryption_key: Customer-managed key of the new bucket (SSE-KMS with bucket
            keys) and of the new topic. Default: a new key with yearly rotation, retained on
            deletion. With an existing ``topic`` the topic keeps its own encryption.
        :param removal_policy: What happens to the new bucket and its access-log bucket when
            they leave the stack. Default: ``RETAIN``: the bucket holds the data itself; note
            that a retained bucket keeps its fixed name, so re-creating the stack needs
            another ``bucket_name``.
        :param noncurrent_version_expiration: Delete noncurrent object versions after this
            many whole days (at least 1). Default: 90 days.
        :param access_log_expiration: Delete server access logs after this many whole days
            (at least 1). Default: 365 days.
        :param topic: An existing standard topic to publish the events to. FIFO topics are
            refused: S3 cannot publish to them. Its policy and key must let S3 publish if this
            app cannot change them (an imported topic). Default: a new encrypted topic.
        :param alarm_actions: Actions for every alarm, of the topic and of each subscriber,
            on alarm and on return to OK. Default: none (the alarms are still created).
        """
        super().__init__(scope, construct_id)
        rules = tuple(events) if events is not None else (S3EventRule(s3.EventType.OBJECT_CREATED),)
        _validate(
            events=rules,
            bucket=bucket,
            bucket_name=bucket_name,
            encryption_key=encryption_key,
            removal_policy=removal_policy,
            noncurrent_version_expiration=noncurrent_version_expiration,
            access_log_expiration=access_log_expiration,
            topic=topic,
        )
        self._rules = rules
        stack = Stack.of(self)

        self._encryption_key: kms.IKey | None = None
        if bucket is None or topic is None:
            self._encryption_key = encryption_key or kms.Key(
                self,
                "EncryptionKey",
                description=f"Encrypts the bucket and the event topic of {self.node.path}",
                enable_key_rotation=True,
                removal_policy=RemovalPolicy.RETAIN,
            )

        if bucket is None:
            name = bucket_name or _generated_bucket_name(self)
            source_arn = f"arn:{stack.partition}:s3:::{name}"
            source_account = stack.account
        else:
            source_arn = bucket.bucket_arn
            source_account = bucket.env.account

        self._fan_out = SnsToSqsFanOut(
            self,
            "FanOut",
            topic=topic,
            encryption_key=self._encryption_key if topic is None else None,
            alarm_actions=alarm_actions,
        )
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

        self._access_log_bucket: s3.IBucket | None = None
        if bucket is None:
            secure = create_secure_bucket(
                self,
                bucket_name=name,
                encryption_key=self._encryption_key,
                removal_policy=removal_policy or RemovalPolicy.RETAIN,
                noncurrent_version_expiration=(
                    noncurrent_version_expiration or DEFAULT_NONCURRENT_VERSION_EXPIRATION
                ),
                access_log_expiration=access_log_expiration or DEFAULT_ACCESS_LOG_EXPIRATION,
            )
            self._bucket: s3.IBucket = secure.bucket
            self._access_log_bucket = secure.access_log_bucket
            cfn_bucket: s3.CfnBucket = secure.bucket.node.default_child  # type: ignore[assignment]
            cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
                topic_configurations=[
                    _topic_configuration(rule, self._fan_out.topic.topic_arn) for rule in rules
                ]
            )
            for dependency in publish_permissions:
                if dependency is not self._encryption_key:  # already referenced by encryption
                    cfn_bucket.node.add_dependency(dependency)
            self._notifications: IConstruct = cfn_bucket
        else:
            self._bucket = bucket
            destination = _TopicDestination(self._fan_out.topic, publish_permissions)
            for rule in rules:
                bucket.add_event_notification(rule.event_type, destination, *_key_filters(rule))
            notifications = bucket.node.find_child("Notifications")
            self._notifications = notifications.node.find_child("Resource")
            _acknowledge_notifications_handler(stack, notifications)

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
        """The notification rules, in the order given."""
        return self._rules

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
        """Every alarm: the topic's and those of each subscriber."""
        return list(self._fan_out.alarms)

    @overload
    def add_queue(
        self,
        construct_id: str,
        *,
        queue: None = None,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None = None,
        raw_message_delivery: bool = False,
        **queue_options: Unpack[QueueOptions],
    ) -> FanOutQueue: ...

    @overload
    def add_queue(
        self,
        construct_id: str,
        *,
        queue: sqs.IQueue,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None = None,
        raw_message_delivery: bool = False,
    ) -> ExistingQueueSubscriber: ...

    def add_queue(
        self,
        construct_id: str,
        *,
        queue: sqs.IQueue | None = None,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None = None,
        raw_message_delivery: bool = False,
        **queue_options: Unpack[QueueOptions],
    ) -> FanOutQueue | ExistingQueueSubscriber:
        """Subscribe a new queue with its DLQ (or an existing ``queue``) to the events.

        :param construct_id: ID of the subscriber; unique within this pattern.
        :param queue: An existing standard queue to subscribe instead of a new one.
            Default: a new :class:`QueueWithDeadLetterQueue`.
        :param filter_policy_with_message_body: Receive only events whose JSON body matches,
            for example ``s3_event_body_filter(key_suffixes=[".jpg"])``. Default: every event.
            Attribute filter policies are not offered: S3 events carry no message attributes,
            so they would drop every event.
        :param raw_message_delivery: Deliver the S3 event JSON itself instead of the SNS
            envelope around it. Default: ``False`` (the envelope, with its ``Message`` field).
        :param queue_options: Options of a new queue, as for ``QueueWithDeadLetterQueue``;
            ``alarm_actions`` defaults to this pattern's.
        :returns: What ``SnsToSqsFanOut.add_queue`` returns: a ``FanOutQueue`` (queue, DLQ,
            subscription, subscription DLQ, alarms) or, for an existing queue, an
            ``ExistingQueueSubscriber`` (queue, subscription, subscription DLQ, alarms).
        """
        if queue_options.get("fifo"):
            raise ValueError(
                f"add_queue({construct_id!r}, fifo=True): S3 publishes to a standard topic, "
                "which delivers to standard queues only"
            )
        subscriber: FanOutQueue | ExistingQueueSubscriber = self._fan_out.add_queue(
            construct_id,
            queue=queue,  # type: ignore[arg-type]  # either overload: the fan-out checks options
            filter_policy_with_message_body=filter_policy_with_message_body,
            raw_message_delivery=raw_message_delivery,
            **queue_options,
        )
        # Notifications start only once the subscription exists (and, through its own
        # dependencies, the queue policy and keys it needs), so the first events reach
        # every subscriber.
        self._notifications.node.add_dependency(subscriber.subscription)
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


def _generated_bucket_name(scope: Construct) -> str:
    stack = Stack.of(scope)
    base = Names.unique_resource_name(
        scope,
        max_length=BUCKET_NAME_LENGTH[1] - _ACCOUNT_REGION_SUFFIX_LENGTH,
        separator="-",
    ).lower()
    return f"{base}-{stack.account}-{stack.region}"


def _acknowledge_notifications_handler(stack: Stack, notifications: IConstruct) -> None:
    """Record why CDK's notifications custom resource is as it is (existing buckets only).

    The bucket's handler policy is scoped to that bucket; the handler itself is one per stack.
    """
    handler_policy = notifications.node.try_find_child("HandlerPolicy")
    if handler_policy is not None:
        for pack in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"):
            acknowledge(
                handler_policy,
                f"{pack}::{pack}-IAMNoInlinePolicy",
                "CDK attaches this inline policy to its notifications handler role; it allows "
                "only s3:GetBucketNotification and s3:PutBucketNotification on this one bucket.",
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
    bucket: s3.IBucket | None,
    bucket_name: str | None,
    encryption_key: kms.IKey | None,
    removal_policy: RemovalPolicy | None,
    noncurrent_version_expiration: Duration | None,
    access_log_expiration: Duration | None,
    topic: sns.ITopic | None,
) -> None:
    if not events:
        raise ValueError("events must name at least one S3EventRule; got an empty list")
    for index, rule in enumerate(events):
        _check_filter_value(f"events[{index}].prefix", rule.prefix)
        _check_filter_value(f"events[{index}].suffix", rule.suffix)
    for first_index, first in enumerate(events):
        for second_index in range(first_index + 1, len(events)):
            second = events[second_index]
            if _overlaps(first, second):
                raise ValueError(
                    f"events[{first_index}] ({first.describe()}) and events[{second_index}] "
                    f"({second.describe()}) overlap: S3 rejects two rules that share an event "
                    "type for keys both could match; give them disjoint prefixes or suffixes, "
                    "or merge them"
                )
    if topic is not None and topic.fifo:
        raise ValueError(
            f"topic {topic.node.path!r} is a FIFO topic: S3 event notifications can only be "
            "published to standard topics; pass a standard topic or none"
        )
    _check_bucket_name(bucket_name)
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
