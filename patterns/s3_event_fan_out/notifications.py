"""S3-notification delivery: the bucket publishes its events to the topic itself.

:func:`allow_bucket_to_publish` admits this bucket of this account to the topic and its key;
a new bucket carries its topic configurations as its own ``NotificationConfiguration``
(:func:`write_topic_configurations`, no custom resource), an existing one gets them from CDK's
``add_event_notification`` (:func:`add_topic_notifications`), with a destination that adds no
unconditioned policy of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.interfaces.aws_s3 import IBucketRef
from constructs import Construct, IConstruct

from patterns.s3_event_fan_out.bucket import (
    L2_NOTIFICATIONS_ID,
    acknowledge_notifications_handler,
)
from patterns.s3_event_fan_out.events import S3EventRule
from patterns.sns_fan_out import SnsToSqsFanOut

S3_SERVICE_PRINCIPAL = "s3.amazonaws.com"


def allow_bucket_to_publish(
    scope: Construct,
    fan_out: SnsToSqsFanOut,
    *,
    bucket: s3.IBucket | None,
    bucket_name: str | None,
) -> list[IConstruct]:
    """Let S3 publish to the topic for this bucket only; returns the topic policy and key.

    S3 tests that it may publish when the configuration is applied: the topic policy and the
    key policy must exist first, so what configures the bucket depends on what this returns.
    A new bucket is named by ``bucket_name``, not by a reference (that would be a cycle).
    """
    stack = Stack.of(scope)
    if bucket is None:
        assert bucket_name is not None  # validate() requires it
        source_arn = f"arn:{stack.partition}:s3:::{bucket_name}"
        source_account = stack.account
    else:
        source_arn = bucket.bucket_arn
        source_account = bucket.env.account
    fan_out.allow_service_publish(
        S3_SERVICE_PRINCIPAL, source_arn=source_arn, source_account=source_account
    )
    publish_permissions: list[IConstruct] = []
    topic_policy = fan_out.topic.node.try_find_child("Policy")
    if topic_policy is not None:
        publish_permissions.append(topic_policy)
    topic_key = fan_out.encryption_key
    if isinstance(topic_key, kms.Key):
        publish_permissions.append(topic_key)
    return publish_permissions


def write_topic_configurations(
    cfn_bucket: s3.CfnBucket,
    *,
    rules: Sequence[S3EventRule],
    topic: sns.ITopic,
    dependencies: Sequence[IConstruct],
) -> s3.CfnBucket:
    """A new bucket's own ``NotificationConfiguration`` (its ``AWS::S3::Bucket``,
    ``cfn_bucket``): one topic configuration per rule.

    Returns the ``AWS::S3::Bucket``, which starts publishing events once it exists.
    """
    cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
        topic_configurations=[_topic_configuration(rule, topic.topic_arn) for rule in rules]
    )
    for dependency in dependencies:
        cfn_bucket.node.add_dependency(dependency)
    return cfn_bucket


def add_topic_notifications(
    bucket: s3.IBucket,
    *,
    rules: Sequence[S3EventRule],
    topic: sns.ITopic,
    dependencies: Sequence[IConstruct],
) -> IConstruct:
    """An existing bucket's notifications through CDK's Lambda-backed custom resource.

    Returns that custom resource, which starts publishing events once it has run.
    """
    destination = _TopicDestination(topic, dependencies)
    for rule in rules:
        bucket.add_event_notification(rule.event_type, destination, *_key_filters(rule))
    notifications = bucket.node.find_child(L2_NOTIFICATIONS_ID)
    acknowledge_notifications_handler(Stack.of(bucket), notifications)
    return notifications.node.find_child("Resource")


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
