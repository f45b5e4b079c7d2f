"""The newer rules when the two ends of their hop live in different templates.

One App, synthesized once: ``Shared`` (dead-letter queues, a bucket), ``Producer`` (queues, a
topic, streams, buckets), ``Consumer`` (event source mappings, subscriptions, rules, Firehose)
with a nested stack ``Readers``, and a stage ``Prod`` whose ``Rules`` stack sends to the queues
of its ``Targets`` stack; then all of it again in a stage ``Dev``, where every logical ID is in
two templates (the linked model then keys resources ``<template>/<logical ID>``). Each case
builds its part of a hop under a construct of its name in each stack it spans
(``Producer/Sqs6Fail/Queue``, ``Consumer/Sqs6Fail/Mapping``); every rule must fire on its
failing case, on the resource and in the stack that carries the trap, and stay silent on its
fixed control; the older rules (SNS1-8, SQS1-3, LAMBDA1/5/7, CW1, EB1/2, S3N1/2, FH1) fire
on a failing case across stacks too (their passing apps are tested template by template). The
app is read as ``python -m patterns.checks`` reads it (``check_assembly``) and as the plugin
reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, Validations
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns import MessagingChecks
from patterns.messaging.assembly import check_assembly
from patterns.messaging.rules import INFO, Finding
from tests.helpers import CDK_CONTEXT, PATH_METADATA, THIRTY_SECONDS
from tests.messaging_rules.report import Report, read_report

# Synthesis reports findings instead of raising, so one App holds failing and fixed cases.
NO_FAIL = {"@aws-cdk/core:failSynthOnValidationErrors": False}
FOURTEEN_DAYS = Duration.days(14)


class Stacks:
    """The stacks of the app; ``part(stack, case)`` is a case's construct in one of them."""

    def __init__(self, scope: Construct) -> None:
        self.shared = cdk.Stack(scope, "Shared")
        self.producer = cdk.Stack(scope, "Producer")
        self.consumer = cdk.Stack(scope, "Consumer")
        self.readers = cdk.NestedStack(self.consumer, "Readers")
        stage = cdk.Stage(scope, "Prod")
        self.targets = cdk.Stack(stage, "Targets")
        self.rules = cdk.Stack(stage, "Rules")

    @staticmethod
    def part(scope: Construct, case: str) -> Construct:
        found = scope.node.try_find_child(case)
        return found if isinstance(found, Construct) else Construct(scope, case)


def _function(
    scope: Construct, timeout: Duration = THIRTY_SECONDS, *, invoked_async: bool = False
) -> lambda_.Function:
    """A function; one that SNS or EventBridge invokes keeps the events it fails in a DLQ."""
    return lambda_.Function(
        scope,
        "Function",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        timeout=timeout,
        dead_letter_queue_enabled=invoked_async or None,
    )


# --- SQS: a consumed queue without a dead-letter queue; a DLQ kept only as long --------------


def _consume(scope: Construct, queue: sqs.IQueue, *, report_failures: bool = True) -> None:
    function = _function(scope, timeout=Duration.seconds(10))
    queue.grant_consume_messages(function)
    lambda_.CfnEventSourceMapping(
        scope,
        "Mapping",
        function_name=function.function_name,
        event_source_arn=queue.queue_arn,
        function_response_types=["ReportBatchItemFailures"] if report_failures else None,
    )


def _dead_letter(queue: sqs.IQueue) -> sqs.DeadLetterQueue:
    return sqs.DeadLetterQueue(max_receive_count=5, queue=queue)


def sqs6(s: Stacks) -> None:
    """A mapping in Consumer (and one in its nested stack) on a Producer queue without DLQ."""
    visibility = Duration.minutes(2)
    failing = sqs.Queue(s.part(s.producer, "Sqs6Fail"), "Queue", visibility_timeout=visibility)
    _consume(s.part(s.consumer, "Sqs6Fail"), failing)
    nested = sqs.Queue(s.part(s.producer, "Sqs6Nested"), "Queue", visibility_timeout=visibility)
    _consume(s.part(s.readers, "Sqs6Nested"), nested)
    dlq = sqs.Queue(s.part(s.shared, "Sqs6Fixed"), "Dlq", retention_period=FOURTEEN_DAYS)
    fixed = sqs.Queue(
        s.part(s.producer, "Sqs6Fixed"),
        "Queue",
        visibility_timeout=visibility,
        dead_letter_queue=_dead_letter(dlq),
    )
    _consume(s.part(s.readers, "Sqs6Fixed"), fixed)


def sqs7(s: Stacks) -> None:
    """A Producer queue redrives to a Shared DLQ kept as long (4 days) / 14 days."""
    for case, retention in (("Sqs7Fail", Duration.days(4)), ("Sqs7Fixed", FOURTEEN_DAYS)):
        dlq = sqs.Queue(s.part(s.shared, case), "Dlq", retention_period=retention)
        sqs.Queue(s.part(s.producer, case), "Queue", dead_letter_queue=_dead_letter(dlq))


def lambda3(s: Stacks) -> None:
    """A Consumer mapping on a Producer queue that does (not) report batch item failures."""
    for case, report in (("Lambda3Fail", False), ("Lambda3Fixed", True)):
        dlq = sqs.Queue(s.part(s.shared, case), "Dlq", retention_period=FOURTEEN_DAYS)
        queue = sqs.Queue(
            s.part(s.producer, case),
            "Queue",
            visibility_timeout=Duration.minutes(2),
            dead_letter_queue=_dead_letter(dlq),
        )
        _consume(s.part(s.consumer, case), queue, report_failures=report)


# --- SNS: a Producer topic, subscriptions in Consumer or its nested stack --------------------


def sns9(s: Stacks) -> None:
    """A queue in the nested stack that accepts 1 KiB subscribes to a Producer topic."""
    for case, size in (("Sns9Fail", 1_024), ("Sns9Fixed", None)):
        topic = sns.Topic(s.part(s.producer, case), "Topic")
        scope = s.part(s.readers, case)
        dlq = sqs.Queue(scope, "Dlq", retention_period=FOURTEEN_DAYS)
        queue = sqs.Queue(scope, "Queue", max_message_size_bytes=size)
        topic.add_subscription(subs.SqsSubscription(queue, dead_letter_queue=dlq))


def _lambda_subscriber(scope: Construct, topic: sns.ITopic) -> tuple[lambda_.Function, sqs.Queue]:
    function = _function(scope, invoked_async=True)
    function.add_permission(
        "FromTopic",
        principal=iam.ServicePrincipal("sns.amazonaws.com"),
        source_arn=topic.topic_arn,
    )
    dlq = sqs.Queue(scope, "Dlq", retention_period=FOURTEEN_DAYS)
    dlq.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("sns.amazonaws.com")],
            actions=["sqs:SendMessage"],
            resources=[dlq.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": topic.topic_arn}},
        )
    )
    return function, dlq


def sns11(s: Stacks) -> None:
    """Raw delivery on a Lambda subscription in the nested stack to a Producer topic."""
    for case, raw in (("Sns11Fail", True), ("Sns11Fixed", False)):
        topic = sns.Topic(s.part(s.producer, case), "Topic")
        scope = s.part(s.readers, case)
        function, dlq = _lambda_subscriber(scope, topic)
        sns.CfnSubscription(
            scope,
            "Subscription",
            protocol="lambda",
            topic_arn=topic.topic_arn,
            endpoint=function.function_arn,
            raw_message_delivery=raw,
            redrive_policy={"deadLetterTargetArn": dlq.queue_arn},
        )


def sns12(s: Stacks) -> None:
    """A nested filter policy on a Consumer subscription to a Producer topic."""
    for case, scope_name in (("Sns12Fail", None), ("Sns12Fixed", "MessageBody")):
        topic = sns.Topic(s.part(s.producer, case), "Topic")
        scope = s.part(s.consumer, case)
        queue = sqs.Queue(scope, "Queue")
        dlq = sqs.Queue(scope, "Dlq", retention_period=FOURTEEN_DAYS)
        for target in (queue, dlq):
            target.add_to_resource_policy(
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("sns.amazonaws.com")],
                    actions=["sqs:SendMessage"],
                    resources=[target.queue_arn],
                    conditions={"ArnEquals": {"aws:SourceArn": topic.topic_arn}},
                )
            )
        sns.CfnSubscription(
            scope,
            "Subscription",
            protocol="sqs",
            topic_arn=topic.topic_arn,
            endpoint=queue.queue_arn,
            filter_policy={"order": {"status": ["paid"]}},
            filter_policy_scope=scope_name,
            redrive_policy={"deadLetterTargetArn": dlq.queue_arn},
        )


# --- S3 to EventBridge: a Producer bucket, a Consumer rule ------------------------------------


def s3n6(s: Stacks) -> None:
    for case, enabled in (("S3n6Fail", False), ("S3n6Fixed", True)):
        bucket = s3.Bucket(s.part(s.producer, case), "Bucket", event_bridge_enabled=enabled)
        scope = s.part(s.consumer, case)
        pattern = {
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [bucket.bucket_name]}},
        }
        events.CfnRule(scope, "Rule", event_pattern=pattern)
        by_arn = {"source": ["aws.s3"], "resources": [bucket.bucket_arn]}
        events.CfnRule(scope, "ByArn", event_pattern=by_arn)


# --- EventBridge: rules in Prod/Rules, their queues in Prod/Targets ---------------------------


def _admit(scope: Construct, rule: events.CfnRule, *queues: sqs.IQueue) -> None:
    """A queue policy in the rule's stack that lets the rule send to the queues."""
    sqs.CfnQueuePolicy(
        scope,
        "Policy",
        queues=[q.queue_url for q in queues],
        policy_document=iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("events.amazonaws.com")],
                    actions=["sqs:SendMessage"],
                    resources=[q.queue_arn for q in queues],
                    conditions={"ArnEquals": {"aws:SourceArn": rule.attr_arn}},
                )
            ]
        ),
    )


def _rule(scope: Construct, target_arn: str, dlq: sqs.IQueue | None = None) -> events.CfnRule:
    dead_letter = events.CfnRule.DeadLetterConfigProperty(arn=dlq.queue_arn) if dlq else None
    target = events.CfnRule.TargetProperty(
        arn=target_arn, id="Target", dead_letter_config=dead_letter
    )
    return events.CfnRule(scope, "Rule", schedule_expression="rate(1 hour)", targets=[target])


def eventbridge(s: Stacks) -> None:
    def queues(case: str) -> tuple[Construct, sqs.Queue, sqs.Queue]:
        scope = s.part(s.targets, case)
        dlq = sqs.Queue(scope, "Dlq", retention_period=FOURTEEN_DAYS)
        return s.part(s.rules, case), sqs.Queue(scope, "Queue"), dlq

    scope, queue, dlq = queues("EventsFixed")
    _admit(scope, _rule(scope, queue.queue_arn, dlq), queue, dlq)
    scope, queue, _ = queues("Eb4Fail")  # admitted, no dead-letter queue
    _admit(scope, _rule(scope, queue.queue_arn), queue)
    scope, queue, dlq = queues("Eb5Fail")  # the DLQ does not admit the rule
    _admit(scope, _rule(scope, queue.queue_arn, dlq), queue)
    scope, queue, dlq = queues("Eb3Fail")  # the queue admits another rule only
    other = events.CfnRule(scope, "Other", schedule_expression="rate(1 hour)")
    _rule(scope, queue.queue_arn, dlq)
    _admit(scope, other, queue, dlq)
    # A function of Targets invoked by a rule of Rules, with (without) a Lambda permission
    # in the rule's stack.
    for case, permitted in (("Eb3FunctionFail", False), ("FunctionTargetFixed", True)):
        scope, _, dlq = queues(case)
        function = _function(s.part(s.targets, case), invoked_async=True)
        rule = _rule(scope, function.function_arn, dlq)
        _admit(scope, rule, dlq)
        if permitted:
            lambda_.CfnPermission(
                scope,
                "Permission",
                action="lambda:InvokeFunction",
                function_name=function.function_arn,
                principal="events.amazonaws.com",
                source_arn=rule.attr_arn,
            )


# --- Firehose in Consumer, its role in the nested stack, stream in Producer, bucket in Shared -


def _firehose(s: Stacks, case: str, *, read: bool, list_shards: bool, put: bool) -> None:
    stream = kinesis.Stream(
        s.part(s.producer, case), "Stream", encryption=kinesis.StreamEncryption.UNENCRYPTED
    )
    bucket = s3.Bucket(s.part(s.shared, case), "Bucket")
    role = iam.Role(
        s.part(s.readers, case), "Role", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com")
    )
    if read:
        actions = ["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords"]
        actions += ["kinesis:ListShards"] if list_shards else []
        role.add_to_policy(iam.PolicyStatement(actions=actions, resources=[stream.stream_arn]))
    if put:
        bucket.grant_put(role)
    firehose.CfnDeliveryStream(
        s.part(s.consumer, case),
        "Delivery",
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
            kinesis_stream_arn=stream.stream_arn, role_arn=role.role_arn
        ),
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=role.role_arn
        ),
    )


def firehoses(s: Stacks) -> None:
    _firehose(s, "Fh3Fail", read=True, list_shards=False, put=True)
    _firehose(s, "Fh4Fail", read=True, list_shards=True, put=False)
    _firehose(s, "FirehoseFixed", read=True, list_shards=True, put=True)


# --- Kinesis: readers of a Producer stream spread over three templates ------------------------


def _stream_consumers(s: Stacks, case: str, counts: tuple[int, int, int]) -> None:
    stream = kinesis.Stream(s.part(s.producer, case), "Stream", shard_count=1)
    for where, count in zip((s.producer, s.consumer, s.readers), counts, strict=True):
        scope = s.part(where, case)
        for index in range(count):
            kinesis.CfnStreamConsumer(
                scope,
                f"Reader{index}",
                consumer_name=f"{where.node.id}-{index}",
                stream_arn=stream.stream_arn,
            )


def _stream_workers(s: Stacks, case: str, counts: tuple[int, int]) -> None:
    stream = kinesis.Stream(s.part(s.producer, case), "Stream", shard_count=1)
    for where, count in zip((s.consumer, s.readers), counts, strict=True):
        scope = s.part(where, case)
        for index in range(count):
            principal = iam.ServicePrincipal("ecs-tasks.amazonaws.com")
            stream.grant_read(iam.Role(scope, f"Worker{index}", assumed_by=principal))


def kinesis_readers(s: Stacks) -> None:
    _stream_consumers(s, "Kin1Fail", (8, 7, 6))
    _stream_consumers(s, "Kin1Fixed", (8, 7, 5))
    _stream_workers(s, "Kin2Fail", (3, 3))
    _stream_workers(s, "Kin2Fixed", (3, 2))


# --- the older rules' hops, each across stacks (their passing apps are tested per template) ---


def _subscribe(scope: Construct, topic: sns.ITopic, queue: sqs.CfnQueue, **options: Any) -> None:
    sns.CfnSubscription(
        scope, "Sub", topic_arn=topic.topic_arn, protocol="sqs", endpoint=queue.attr_arn, **options
    )


def _notify(scope: Construct, queue: sqs.IQueue) -> None:
    configuration = s3.CfnBucket.QueueConfigurationProperty(
        event="s3:ObjectCreated:*", queue=queue.queue_arn
    )
    s3.CfnBucket(
        scope,
        "Bucket",
        notification_configuration=s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[configuration]
        ),
    )


def _hourly(scope: Construct, queue: sqs.IQueue) -> None:
    target = events.CfnRule.TargetProperty(arn=queue.queue_arn, id="Queue")
    events.CfnRule(scope, "Rule", schedule_expression="rate(1 hour)", targets=[target])


def older_rules(s: Stacks) -> None:
    p = s.part
    # SNS: a Producer topic, the queue and subscription in Consumer; keys and DLQs in Shared.
    topic = sns.Topic(p(s.producer, "Sns1Fail"), "Topic")
    queue = sqs.CfnQueue(p(s.consumer, "Sns1Fail"), "Queue", kms_master_key_id="alias/aws/sqs")
    _subscribe(p(s.consumer, "Sns1Fail"), topic, queue)
    key = kms.Key(p(s.shared, "Sns2Fail"), "Key")  # its policy admits the account only
    topic = sns.Topic(p(s.producer, "Sns2Fail"), "Topic")
    queue = sqs.CfnQueue(p(s.consumer, "Sns2Fail"), "Queue", kms_master_key_id=key.key_arn)
    _subscribe(p(s.consumer, "Sns2Fail"), topic, queue)
    topic = sns.Topic(p(s.producer, "Sns5Fail"), "Topic", fifo=True)
    _subscribe(p(s.consumer, "Sns5Fail"), topic, sqs.CfnQueue(p(s.consumer, "Sns5Fail"), "Queue"))
    dlq = sqs.Queue(p(s.shared, "Sns7Fail"), "Dlq")  # no policy admits the topic
    topic = sns.Topic(p(s.producer, "Sns7Fail"), "Topic")
    queue = sqs.CfnQueue(p(s.consumer, "Sns7Fail"), "Queue")
    _subscribe(
        p(s.consumer, "Sns7Fail"),
        topic,
        queue,
        redrive_policy={"deadLetterTargetArn": dlq.queue_arn},
    )
    topic = sns.Topic(p(s.producer, "Sns8Fail"), "Topic")
    function = _function(p(s.consumer, "Sns8Fail"))  # no permission for the topic
    sns.CfnSubscription(
        p(s.consumer, "Sns8Fail"),
        "Sub",
        topic_arn=topic.topic_arn,
        protocol="lambda",
        endpoint=function.function_arn,
    )
    # SQS: Producer queues redrive to dead-letter queues in Shared.
    dlq = sqs.Queue(p(s.shared, "Sqs1Fail"), "Dlq")
    redrive = {"deadLetterTargetArn": dlq.queue_arn, "maxReceiveCount": 5}
    sqs.CfnQueue(p(s.producer, "Sqs1Fail"), "Queue", fifo_queue=True, redrive_policy=redrive)
    dlq = sqs.Queue(p(s.shared, "Sqs2Fail"), "Dlq", retention_period=Duration.days(1))
    sqs.Queue(p(s.producer, "Sqs2Fail"), "Queue", dead_letter_queue=_dead_letter(dlq))
    denying = sqs.CfnQueue(
        p(s.shared, "Sqs3Fail"), "Dlq", redrive_allow_policy={"redrivePermission": "denyAll"}
    )
    redrive = {"deadLetterTargetArn": denying.attr_arn, "maxReceiveCount": 5}
    sqs.CfnQueue(p(s.producer, "Sqs3Fail"), "Queue", redrive_policy=redrive)
    # Lambda: a Consumer function on a Producer queue (DLQ and key in Shared).
    dlq = sqs.Queue(p(s.shared, "Lambda1Fail"), "Dlq", retention_period=FOURTEEN_DAYS)
    consumed = sqs.Queue(
        p(s.producer, "Lambda1Fail"),
        "Queue",
        visibility_timeout=Duration.seconds(30),  # shorter than the function's 60 s
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=2, queue=dlq),
    )
    scope = p(s.consumer, "Lambda1Fail")
    function = _function(scope, timeout=Duration.seconds(60))
    consumed.grant_consume_messages(function)
    lambda_.CfnEventSourceMapping(
        scope,
        "Mapping",
        function_name=function.function_name,
        event_source_arn=consumed.queue_arn,
        function_response_types=["ReportBatchItemFailures"],
    )
    key = kms.Key(p(s.shared, "Lambda7Fail"), "Key")
    consumed = sqs.Queue(
        p(s.producer, "Lambda7Fail"),
        "Queue",
        encryption_master_key=key,
        visibility_timeout=Duration.minutes(5),
    )
    scope = p(s.consumer, "Lambda7Fail")
    function = _function(scope, timeout=Duration.seconds(10))
    receive = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    function.add_to_role_policy(
        iam.PolicyStatement(actions=receive, resources=[consumed.queue_arn])
    )
    lambda_.CfnEventSourceMapping(
        scope,
        "Mapping",
        function_name=function.function_name,
        event_source_arn=consumed.queue_arn,
        function_response_types=["ReportBatchItemFailures"],
    )
    # An alarm in Consumer notifies a Producer topic under the AWS-managed key.
    managed = kms.Alias.from_alias_name(p(s.producer, "Cw1Fail"), "Managed", "alias/aws/sns")
    topic = sns.Topic(p(s.producer, "Cw1Fail"), "Topic", master_key=managed)
    metric = cw.Metric(namespace="Orders", metric_name="Failed")
    alarm = cw.Alarm(
        p(s.consumer, "Cw1Fail"), "Alarm", metric=metric, threshold=1, evaluation_periods=1
    )
    alarm.add_alarm_action(cw_actions.SnsAction(topic))
    # Rules of Prod/Rules target encrypted queues of Prod/Targets.
    managed_queue = sqs.Queue(
        p(s.targets, "Eb1Fail"), "Queue", encryption=sqs.QueueEncryption.KMS_MANAGED
    )
    _hourly(p(s.rules, "Eb1Fail"), managed_queue)
    key = kms.Key(p(s.targets, "Eb2Fail"), "Key")
    _hourly(
        p(s.rules, "Eb2Fail"),
        sqs.Queue(p(s.targets, "Eb2Fail"), "Queue", encryption_master_key=key),
    )
    # Buckets of Consumer notify queues of Producer.
    _notify(p(s.consumer, "S3n1Fail"), sqs.Queue(p(s.producer, "S3n1Fail"), "Queue"))
    managed_queue = sqs.Queue(
        p(s.producer, "S3n2Fail"), "Queue", encryption=sqs.QueueEncryption.KMS_MANAGED
    )
    _notify(p(s.consumer, "S3n2Fail"), managed_queue)
    # Firehose in Consumer reads a Producer stream under a Shared key its role may not use.
    key = kms.Key(p(s.shared, "Fh1Fail"), "Key")
    stream = kinesis.Stream(
        p(s.producer, "Fh1Fail"),
        "Stream",
        encryption=kinesis.StreamEncryption.KMS,
        encryption_key=key,
    )
    bucket = s3.Bucket(p(s.shared, "Fh1Fail"), "Bucket")
    scope = p(s.consumer, "Fh1Fail")
    role = iam.Role(scope, "Role", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"))
    role.add_to_policy(
        iam.PolicyStatement(
            actions=[
                "kinesis:DescribeStream",
                "kinesis:GetShardIterator",
                "kinesis:GetRecords",
                "kinesis:ListShards",
            ],
            resources=[stream.stream_arn],
        )
    )
    bucket.grant_put(role)
    firehose.CfnDeliveryStream(
        scope,
        "Delivery",
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
            kinesis_stream_arn=stream.stream_arn, role_arn=role.role_arn
        ),
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=role.role_arn
        ),
    )


BUILDS: tuple[Callable[[Stacks], None], ...] = (
    older_rules,
    sqs6,
    sqs7,
    lambda3,
    sns9,
    sns11,
    sns12,
    s3n6,
    eventbridge,
    firehoses,
    kinesis_readers,
)

# (rule, failing case, the template its findings are in, the construct paths they are on as
# fnmatch patterns, fixed case). The nested stack's template is named for its hashed logical ID.
NESTED = "Consumer/Readers*"
EXPECTED: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    ("SQS6", "Sqs6Fail", "Producer", ("Producer/Sqs6Fail/Queue/Resource",), "Sqs6Fixed"),
    ("SQS7", "Sqs7Fail", "Producer", ("Producer/Sqs7Fail/Queue/Resource",), "Sqs7Fixed"),
    ("LAMBDA3", "Lambda3Fail", "Consumer", ("Consumer/Lambda3Fail/Mapping",), "Lambda3Fixed"),
    ("SNS9", "Sns9Fail", NESTED, ("Consumer/Readers/Sns9Fail/Queue/*/Resource",), "Sns9Fixed"),
    ("SNS11", "Sns11Fail", NESTED, ("Consumer/Readers/Sns11Fail/Subscription",), "Sns11Fixed"),
    ("SNS12", "Sns12Fail", "Consumer", ("Consumer/Sns12Fail/Subscription",), "Sns12Fixed"),
    (
        "S3N6",
        "S3n6Fail",
        "Consumer",
        ("Consumer/S3n6Fail/Rule", "Consumer/S3n6Fail/ByArn"),
        "S3n6Fixed",
    ),
    ("EB3", "Eb3Fail", "Prod/Rules", ("Prod/Rules/Eb3Fail/Rule",), "EventsFixed"),
    (
        "EB3",
        "Eb3FunctionFail",
        "Prod/Rules",
        ("Prod/Rules/Eb3FunctionFail/Rule",),
        "FunctionTargetFixed",
    ),
    ("EB4", "Eb4Fail", "Prod/Rules", ("Prod/Rules/Eb4Fail/Rule",), "EventsFixed"),
    ("EB5", "Eb5Fail", "Prod/Rules", ("Prod/Rules/Eb5Fail/Rule",), "EventsFixed"),
    ("FH3", "Fh3Fail", "Consumer", ("Consumer/Fh3Fail/Delivery",), "FirehoseFixed"),
    ("FH4", "Fh4Fail", "Consumer", ("Consumer/Fh4Fail/Delivery",), "FirehoseFixed"),
    ("KIN1", "Kin1Fail", "Producer", ("Producer/Kin1Fail/Stream/Resource",), "Kin1Fixed"),
    ("KIN2", "Kin2Fail", "Producer", ("Producer/Kin2Fail/Stream/Resource",), "Kin2Fixed"),
)
CASE_IDS = [f"{rule_id}-{case}" for rule_id, case, *_ in EXPECTED]
# The older rules: (rule, failing case, template, construct path of the finding).
OLDER: tuple[tuple[str, str, str, str], ...] = (
    ("SNS1", "Sns1Fail", "Consumer", "Consumer/Sns1Fail/Sub"),
    ("SNS2", "Sns2Fail", "Consumer", "Consumer/Sns2Fail/Sub"),
    ("SNS5", "Sns5Fail", "Consumer", "Consumer/Sns5Fail/Sub"),
    ("SNS7", "Sns7Fail", "Consumer", "Consumer/Sns7Fail/Sub"),
    ("SNS8", "Sns8Fail", "Consumer", "Consumer/Sns8Fail/Sub"),
    ("SQS1", "Sqs1Fail", "Producer", "Producer/Sqs1Fail/Queue"),
    ("SQS2", "Sqs2Fail", "Producer", "Producer/Sqs2Fail/Queue/Resource"),
    ("SQS3", "Sqs3Fail", "Producer", "Producer/Sqs3Fail/Queue"),
    ("LAMBDA1", "Lambda1Fail", "Consumer", "Consumer/Lambda1Fail/Mapping"),
    ("LAMBDA5", "Lambda1Fail", "Consumer", "Consumer/Lambda1Fail/Mapping"),
    ("LAMBDA7", "Lambda7Fail", "Consumer", "Consumer/Lambda7Fail/Mapping"),
    ("CW1", "Cw1Fail", "Consumer", "Consumer/Cw1Fail/Alarm/Resource"),
    ("EB1", "Eb1Fail", "Prod/Rules", "Prod/Rules/Eb1Fail/Rule"),
    ("EB2", "Eb2Fail", "Prod/Rules", "Prod/Rules/Eb2Fail/Rule"),
    ("S3N1", "S3n1Fail", "Consumer", "Consumer/S3n1Fail/Bucket"),
    ("S3N2", "S3n2Fail", "Consumer", "Consumer/S3n2Fail/Bucket"),
    ("FH1", "Fh1Fail", "Consumer", "Consumer/Fh1Fail/Delivery"),
)


# The app at its root, and the same stacks again in a stage: every logical ID is then in two
# templates, and the linked model keys each resource as <template>/<logical ID>.
ROOTS = ("", "Dev/")


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("across-stacks")
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA, **NO_FAIL})
    for scope in (app, cdk.Stage(app, "Dev")):
        stacks = Stacks(scope)
        for build in BUILDS:
            build(stacks)
    Validations.of(app).add_plugins(MessagingChecks(app))
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def findings(assembly: Path) -> list[Finding]:
    return [f for f in check_assembly(assembly) if f.acknowledged is None]


def _case_of(path: str) -> str:
    """The case a construct path belongs to: the first segment below the stacks it spans."""
    for part in path.split("/"):
        if part[:1].isupper() and part.endswith(("Fail", "Fixed", "Nested")):
            return part
    return ""


def _under(findings: list[Finding], root: str) -> list[Finding]:
    return [f for f in findings if f.path.startswith("Dev/") == (root == "Dev/")]


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize("expected", EXPECTED, ids=CASE_IDS)
def test_the_rule_fires_across_stacks_on_the_failing_case(
    findings: list[Finding], expected: tuple[str, str, str, tuple[str, ...], str], root: str
) -> None:
    rule_id, case, stack, paths, _ = expected
    hits = [
        f
        for f in _under(findings, root)
        if f.rule_id == f"Messaging-{rule_id}" and f.level != INFO and _case_of(f.path) == case
    ]
    assert hits, f"Messaging-{rule_id} did not fire on {root}{case}"
    assert all(fnmatchcase(f.stack, root + stack) for f in hits), [f.stack for f in hits]
    wanted = {root + p for p in paths}
    assert {p for p in wanted if any(fnmatchcase(f.path, p) for f in hits)} == wanted
    assert all(any(fnmatchcase(f.path, p) for p in wanted) for f in hits), [f.path for f in hits]


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize("older", OLDER, ids=[f"{rule_id}-{case}" for rule_id, case, *_ in OLDER])
def test_the_older_rules_fire_across_stacks(
    findings: list[Finding], older: tuple[str, str, str, str], root: str
) -> None:
    rule_id, _, stack, path = older
    assert (f"Messaging-{rule_id}", root + stack, root + path) in {
        (f.rule_id, f.stack, f.path) for f in findings if f.level != INFO
    }


@pytest.mark.parametrize("expected", EXPECTED, ids=CASE_IDS)
def test_the_rule_is_silent_on_the_fixed_control(
    findings: list[Finding], expected: tuple[str, str, str, tuple[str, ...], str]
) -> None:
    rule_id, fixed = expected[0], expected[4]
    assert [
        (f.path, f.message)
        for f in findings
        if f.rule_id == f"Messaging-{rule_id}" and _case_of(f.path) == fixed
    ] == []


def test_the_fixed_controls_have_no_finding_at_all(findings: list[Finding]) -> None:
    fixed = {expected[4] for expected in EXPECTED}
    assert [(f.rule_id, f.path, f.message) for f in findings if _case_of(f.path) in fixed] == []


def test_the_same_stacks_in_a_stage_find_the_same(findings: list[Finding]) -> None:
    def seen(root: str) -> list[tuple[str, str, str, str]]:
        # A subscription's construct ID names its topic's stack: compare stacks and cases.
        return sorted(
            (f.rule_id, f.level, f.stack.removeprefix(root), _case_of(f.path))
            for f in _under(findings, root)
        )

    assert seen("Dev/") == seen("")


@pytest.mark.parametrize("root", ROOTS)
def test_a_mapping_in_a_nested_stack_makes_the_producer_queue_consumed(
    findings: list[Finding], root: str
) -> None:
    (hit,) = [f for f in _under(findings, root) if _case_of(f.path) == "Sqs6Nested"]
    assert (hit.rule_id, hit.stack, hit.path) == (
        "Messaging-SQS6",
        f"{root}Producer",
        f"{root}Producer/Sqs6Nested/Queue/Resource",
    )


def test_every_reference_between_the_stacks_is_followed(findings: list[Finding]) -> None:
    assert [(f.rule_id, f.path, f.message) for f in findings if f.level == INFO] == []


def test_the_plugin_reports_what_the_command_finds(assembly: Path, findings: list[Finding]) -> None:
    report: Report = read_report(assembly)
    plugin = {(rule, f"{stack}/{path}") for stack, rule, _, path in report.findings}
    command = {(f.rule_id, f.path) for f in findings if f.level != INFO}
    assert plugin == command
