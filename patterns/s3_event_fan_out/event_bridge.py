"""EventBridge delivery: the bucket sends its events to EventBridge, one rule routes them.

The bucket's EventBridge notifications are switched on where the bucket is defined
(:func:`send_events_to_event_bridge`); one rule with a fixed name (:func:`rule_name`) matches
the fan-out's event rules and publishes to the topic (:func:`route_to_topic`), with a
dead-letter queue for what it could not publish; the rule's metrics (:func:`rule_metric`), and
the two alarms (:func:`create_rule_alarms`) and the dashboard section
(:func:`add_delivery_section`) built from the fan-out's ``metric_*`` methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import jsii
from aws_cdk import Annotations, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as eventbridge
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.interfaces.aws_events import IRuleRef
from constructs import Construct

from patterns import dashboards, limits
from patterns.alarms import create_alarm, create_dead_letter_queue_alarm
from patterns.compliance import acknowledge_all, skip_checkov
from patterns.limits import EVENT_BRIDGE_RULE_NAME_MAX_LENGTH, S3_EVENT_BRIDGE_SOURCE
from patterns.metric_options import MAXIMUM, SUM, MetricOptions
from patterns.naming import physical_name
from patterns.s3_event_fan_out.bucket import (
    L2_NOTIFICATIONS_ID,
    acknowledge_notifications_handler,
    own_cfn_bucket,
)
from patterns.s3_event_fan_out.events import S3EventRule
from patterns.service_statements import service_statement

if TYPE_CHECKING:
    from patterns.s3_event_fan_out.construct import S3EventFanOut

EVENTS_SERVICE_PRINCIPAL = "events.amazonaws.com"
# How long the rule target's dead-letter queue keeps events EventBridge could not publish.
DELIVERY_DLQ_RETENTION = Duration.seconds(limits.SQS_RETENTION_MAX_SECONDS)
_RULE_NAME_SUFFIX = "-s3"
EVENTS_NAMESPACE = "AWS/Events"
METRIC_PERIOD = Duration.minutes(5)
_SUM = SUM


@dataclass(frozen=True)
class EventRuleName:
    """The rule's fixed name and ARN, and what names it in descriptions (all known at synth)."""

    name: str
    arn: str
    account: str
    path: str
    """The fan-out's construct path."""


def send_events_to_event_bridge(
    scope: Construct, bucket: s3.IBucket, new_cfn_bucket: s3.CfnBucket | None
) -> None:
    """Switch the bucket's EventBridge notifications on, where this app can.

    :param new_cfn_bucket: the ``AWS::S3::Bucket`` of a bucket the fan-out just created (no
        configuration yet: nothing to keep), or ``None`` for an existing bucket.
    """
    if new_cfn_bucket is not None:
        new_cfn_bucket.notification_configuration = _event_bridge_on(None)
        return
    cfn_bucket = own_cfn_bucket(bucket)
    if cfn_bucket is None:
        Annotations.of(scope).add_warning_v2(
            "patterns:S3EventBridgeNotEnabled",
            f"Bucket {bucket.node.path} is not defined in this app, so {scope.node.path} "
            "cannot switch on its EventBridge notifications: until the bucket's owner does "
            "(NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled: true, "
            "or 'Send notifications to Amazon EventBridge' in the console), no event "
            "reaches the topic",
        )
        return
    existing = cfn_bucket.notification_configuration
    if existing is None and bucket.node.try_find_child(L2_NOTIFICATIONS_ID) is not None:
        # CDK's custom resource owns the configuration already: add EventBridge to it, so
        # it keeps writing what it wrote and this too.
        bucket.enable_event_bridge_notification()
        acknowledge_notifications_handler(
            Stack.of(bucket), bucket.node.find_child(L2_NOTIFICATIONS_ID)
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
    cfn_bucket.notification_configuration = _event_bridge_on(existing)


def _event_bridge_on(
    existing: s3.CfnBucket.NotificationConfigurationProperty | None,
) -> s3.CfnBucket.NotificationConfigurationProperty:
    """``existing`` (or nothing) with EventBridge notifications on."""
    return s3.CfnBucket.NotificationConfigurationProperty(
        event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(
            event_bridge_enabled=True
        ),
        lambda_configurations=existing.lambda_configurations if existing else None,
        queue_configurations=existing.queue_configurations if existing else None,
        topic_configurations=existing.topic_configurations if existing else None,
    )


def route_to_topic(
    scope: Construct,
    name: EventRuleName,
    *,
    bucket: s3.IBucket,
    rules: Sequence[S3EventRule],
    topic: sns.ITopic,
) -> tuple[eventbridge.Rule, sqs.Queue]:
    """One rule for all of ``rules`` (an event matching several is published once), and the
    dead-letter queue of its target."""
    bucket_name = bucket.bucket_name
    patterns = [rule.event_bridge_pattern(bucket_name) for rule in rules]
    single = patterns[0] if len(patterns) == 1 else None
    rule = eventbridge.Rule(
        scope,
        "EventRule",
        rule_name=name.name,
        description=f"S3 events of the bucket of {name.path} for its fan-out topic",
        event_pattern=eventbridge.EventPattern(
            source=[S3_EVENT_BRIDGE_SOURCE],
            detail_type=single["detail-type"] if single else None,
            detail=single["detail"] if single else None,
        ),
    )
    dead_letters = delivery_dead_letter_queue(scope, name)
    rule.add_target(TopicTarget(topic, dead_letters))
    # No event is routed before the topic accepts it (the key is referenced through the
    # topic already); the policies name the rule by ARN, so this makes no cycle.
    topic_policy = topic.node.try_find_child("Policy")
    if topic_policy is not None:
        rule.node.add_dependency(topic_policy)
    if single is None:
        cfn_rule: eventbridge.CfnRule = rule.node.default_child  # type: ignore[assignment]
        cfn_rule.add_property_override("EventPattern.$or", patterns)
    return rule, dead_letters


def rule_metric(rule_name: str, metric_name: str, props: MetricOptions) -> cloudwatch.Metric:
    """A metric of the rule ``rule_name`` (namespace ``AWS/Events``, dimension ``RuleName``).

    ``events.IRule`` has no ``metric_*`` methods to delegate to. Sum over 5 minutes unless
    ``props`` say otherwise.
    """
    options: MetricOptions = {
        "dimensions_map": {"RuleName": rule_name},
        "period": METRIC_PERIOD,
        "statistic": _SUM,
        **props,
    }
    return cloudwatch.Metric(namespace=EVENTS_NAMESPACE, metric_name=metric_name, **options)


def create_rule_alarms(
    fan_out: S3EventFanOut, path: str, actions: Sequence[cloudwatch.IAlarmAction]
) -> list[cloudwatch.Alarm]:
    """The delivery's two alarms, on the fan-out's ``metric_*`` methods.

    A non-empty delivery dead-letter queue (its 1-minute maximum, missing data keeping the
    state, as every dead-letter queue alarm of the library, see
    :func:`patterns.alarms.create_dead_letter_queue_alarm`), and failed invocations (early:
    EventBridge keeps retrying).
    """
    return [
        create_dead_letter_queue_alarm(
            fan_out,
            "DeliveryDeadLetterQueueNotEmptyAlarm",
            messages_visible=fan_out.metric_delivery_dead_letter_queue_messages_visible,
            description=(
                f"EventBridge gave up publishing S3 events of {path} to the "
                "topic; they wait in the delivery dead-letter queue"
            ),
            actions=actions,
        ),
        create_alarm(
            fan_out,
            "FailedInvocationsAlarm",
            metric=fan_out.metric_event_rule_failed_invocations(),
            threshold=1,
            description=(
                f"EventBridge could not publish S3 events of {path} to the topic "
                "(topic policy or key policy?); it retries for up to 24 hours, then moves them "
                "to the delivery dead-letter queue"
            ),
            actions=actions,
        ),
    ]


def add_delivery_section(
    dashboard: cloudwatch.Dashboard,
    fan_out: S3EventFanOut,
    path: str,
    alarms: Sequence[cloudwatch.Alarm],
) -> None:
    """The delivery's dashboard section, on the fan-out's ``metric_*`` methods: events matched,
    published and failed, the delivery dead-letter queue, and each alarm with its threshold."""
    dashboards.section(
        dashboard,
        f"S3 events {path}",
        "Events of the bucket that the EventBridge rule matched and published to the "
        "topic, and what it could not publish.",
        [
            dashboards.graph(
                "Events (per minute)",
                [
                    fan_out.metric_event_rule_triggered_rules(label="matched"),
                    fan_out.metric_event_rule_invocations(label="published"),
                    fan_out.metric_event_rule_failed_invocations(label="failed"),
                ],
            ),
            dashboards.graph(
                "Undelivered: delivery DLQ (messages)",
                [
                    fan_out.metric_delivery_dead_letter_queue_messages_visible(
                        statistic=MAXIMUM, label="waiting"
                    )
                ],
                thresholds=[(1, "alarm")],
            ),
            *dashboards.alarm_graphs(alarms),
        ],
    )


@jsii.implements(eventbridge.IRuleTarget)
class TopicTarget:
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


def delivery_dead_letter_queue(scope: Construct, rule: EventRuleName) -> sqs.Queue:
    """The rule target's DLQ: encrypted (SSE-SQS), TLS only, writable by this rule only."""
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
            source_arn=rule.arn,
            source_account=rule.account,
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
        created_here=True,
    )
    return queue


def rule_name(fan_out: Construct) -> str:
    """The EventBridge rule's name: stack name, construct path and a digest of both.

    Fixed at synth so the topic and key policies can name the rule without referring to it.
    A rule is not retained, so ``cdk destroy`` then ``cdk deploy`` reuses the name safely;
    it changes (and the rule is replaced, losing nothing) only if the construct moves.
    """
    return physical_name(
        fan_out,
        max_length=EVENT_BRIDGE_RULE_NAME_MAX_LENGTH,
        separator="-",
        suffix=_RULE_NAME_SUFFIX,
    )
