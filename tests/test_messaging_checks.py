"""MessagingChecks: every rule on an app that falls into its trap and on one that does not.

The apps are built with plain aws-cdk-lib (L1 where the L2 constructs refuse the trap), many
small stacks in one App synthesized once with the pack registered; the assertions read the
validation report CDK writes (rule ID, level, construct path), as a user of the pack sees it.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Duration, SecretValue, Validations
from aws_cdk import aws_amazonmq as amazonmq
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs

from patterns import MessagingChecks
from patterns.checks import main, run
from patterns.compliance import acknowledge
from patterns.messaging.model import LiteralValue, Resolved, StackModel, Unknown
from patterns.messaging.permissions import key_info
from patterns.messaging.rules import RULES
from tests.helpers import CDK_CONTEXT, PATH_METADATA, ROOT, SynthesizedApp
from tests.test_messaging_kcl import good_kcl_task, kcl1_fail
from tools.compliance import read_findings, summarize
from tools.messaging_checks_doc import render_markdown

# Synthesis reports findings instead of raising, so one App holds failing and passing stacks.
NO_FAIL = {"@aws-cdk/core:failSynthOnValidationErrors": False}


# --- building blocks (plain aws-cdk-lib) -------------------------------------------------------


def _service_key(stack: cdk.Stack, construct_id: str, *services: str) -> kms.Key:
    key = kms.Key(stack, construct_id, enable_key_rotation=True)
    for service in services:
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(service)],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
    return key


def _admit(queue: sqs.IQueue, service: str, source_arn: str) -> None:
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(service)],
            actions=["sqs:SendMessage"],
            resources=[queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": source_arn}},
        )
    )


def _l1_subscription(stack: cdk.Stack, topic: sns.ITopic, queue_arn: str, **extra: Any) -> None:
    sns.CfnSubscription(
        stack,
        "Subscription",
        protocol="sqs",
        topic_arn=topic.topic_arn,
        endpoint=queue_arn,
        **extra,
    )


def good_fan_out(stack: cdk.Stack, fifo: bool = False) -> None:
    """Customer-managed key, queue policy, subscription DLQ: what the L2 constructs build."""
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    topic = sns.Topic(stack, "Topic", fifo=fifo)
    queue = sqs.Queue(
        stack,
        "Queue",
        fifo=fifo,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        max_message_size_bytes=262_144,
    )
    dlq = sqs.Queue(stack, "SubscriptionDlq", fifo=fifo)
    topic.add_subscription(subs.SqsSubscription(queue, dead_letter_queue=dlq))


def sns1_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    queue = sqs.CfnQueue(stack, "Queue", kms_master_key_id="alias/aws/sqs")
    _l1_subscription(stack, topic, queue.attr_arn)


def sns2_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    queue = sqs.Queue(stack, "Queue", encryption_master_key=key)
    _admit(queue, "sns.amazonaws.com", topic.topic_arn)
    _l1_subscription(stack, topic, queue.queue_arn)


def sns3_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    queue = sqs.Queue(stack, "Queue")
    _admit(queue, "sns.amazonaws.com", sns.Topic(stack, "OtherTopic").topic_arn)
    _l1_subscription(stack, topic, queue.queue_arn)


def sns4_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    queue = sqs.Queue(stack, "Queue", fifo=True)
    _admit(queue, "sns.amazonaws.com", topic.topic_arn)
    _l1_subscription(stack, topic, queue.queue_arn)


def sns4_lambda_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic", fifo=True)
    sns.CfnSubscription(
        stack,
        "Subscription",
        protocol="lambda",
        topic_arn=topic.topic_arn,
        endpoint=_function(stack).function_arn,
    )


def sns9_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    queue = sqs.Queue(stack, "Queue", max_message_size_bytes=65_536)
    dlq = sqs.Queue(stack, "SubscriptionDlq")
    topic.add_subscription(subs.SqsSubscription(queue, dead_letter_queue=dlq))


def sns10_fail(stack: cdk.Stack) -> None:
    sns.CfnTopic(stack, "Topic", topic_name="orders", fifo_topic=True)


def sns5_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic", fifo=True)
    queue = sqs.Queue(stack, "Queue")
    _admit(queue, "sns.amazonaws.com", topic.topic_arn)
    _l1_subscription(stack, topic, queue.queue_arn)


def sns6_fail(stack: cdk.Stack) -> None:
    sns.Topic(stack, "Topic").add_subscription(subs.SqsSubscription(sqs.Queue(stack, "Queue")))


def sns7_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    queue = sqs.Queue(stack, "Queue")
    _admit(queue, "sns.amazonaws.com", topic.topic_arn)
    dlq = sqs.Queue(stack, "SubscriptionDlq")
    _l1_subscription(
        stack, topic, queue.queue_arn, redrive_policy={"deadLetterTargetArn": dlq.queue_arn}
    )


def sns8_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    function = _function(stack)
    dlq = sqs.Queue(stack, "SubscriptionDlq")
    _admit(dlq, "sns.amazonaws.com", topic.topic_arn)
    sns.CfnSubscription(
        stack,
        "Subscription",
        protocol="lambda",
        topic_arn=topic.topic_arn,
        endpoint=function.function_arn,
        redrive_policy={"deadLetterTargetArn": dlq.queue_arn},
    )


def good_topic_names(stack: cdk.Stack) -> None:
    sns.Topic(
        stack, "Fifo", topic_name="orders_v2.fifo", fifo=True, content_based_deduplication=True
    )
    sns.Topic(stack, "Standard", topic_name="orders-v2")


def good_lambda_subscription(stack: cdk.Stack) -> None:
    dlq = sqs.Queue(stack, "SubscriptionDlq")
    sns.Topic(stack, "Topic").add_subscription(
        # Invoked asynchronously: its dead-letter queue keeps the events it fails on (ASYNC2).
        subs.LambdaSubscription(
            _function(stack, dead_letter_queue_enabled=True), dead_letter_queue=dlq
        )
    )


def s3n1_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    s3.CfnBucket(
        stack,
        "Bucket",
        notification_configuration=s3.CfnBucket.NotificationConfigurationProperty(
            topic_configurations=[
                s3.CfnBucket.TopicConfigurationProperty(
                    event="s3:ObjectCreated:*", topic=topic.topic_arn
                )
            ]
        ),
    )


def s3n2_fail(stack: cdk.Stack) -> None:
    queue = sqs.CfnQueue(stack, "Queue", kms_master_key_id="alias/aws/sqs")
    bucket = s3.CfnBucket(
        stack,
        "Bucket",
        bucket_name="uploads-with-managed-key",
        notification_configuration=s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[
                s3.CfnBucket.QueueConfigurationProperty(
                    event="s3:ObjectCreated:*", queue=queue.attr_arn
                )
            ]
        ),
    )
    sqs.CfnQueuePolicy(
        stack,
        "QueuePolicy",
        queues=[queue.ref],
        policy_document={
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue.attr_arn,
                    "Condition": {"ArnLike": {"aws:SourceArn": bucket.attr_arn}},
                }
            ]
        },
    )


def s3n3_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key", enable_key_rotation=True))
    bucket = s3.Bucket(stack, "Bucket")
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("s3.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={"ArnLike": {"aws:SourceArn": bucket.bucket_arn}},
        )
    )
    cfn_bucket = bucket.node.default_child
    assert isinstance(cfn_bucket, s3.CfnBucket)
    cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
        topic_configurations=[
            s3.CfnBucket.TopicConfigurationProperty(
                event="s3:ObjectCreated:*", topic=topic.topic_arn
            )
        ]
    )


def s3n1_function_fail(stack: cdk.Stack) -> None:
    function = _function(stack)
    s3.CfnBucket(
        stack,
        "Bucket",
        notification_configuration=s3.CfnBucket.NotificationConfigurationProperty(
            lambda_configurations=[
                s3.CfnBucket.LambdaConfigurationProperty(
                    event="s3:ObjectCreated:*", function=function.function_arn
                )
            ]
        ),
    )


def s3n5_fail(stack: cdk.Stack) -> None:
    queue = sqs.Queue(stack, "Queue", fifo=True)
    bucket = s3.CfnBucket(
        stack,
        "Bucket",
        notification_configuration=s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[
                s3.CfnBucket.QueueConfigurationProperty(
                    event="s3:ObjectCreated:*", queue=queue.queue_arn
                )
            ]
        ),
    )
    _admit(queue, "s3.amazonaws.com", bucket.attr_arn)


def s3n4_fail(stack: cdk.Stack) -> None:
    bucket = s3.Bucket(stack, "Bucket")
    bucket.add_event_notification(
        s3.EventType.OBJECT_CREATED,
        s3n.SnsDestination(sns.Topic(stack, "Images")),
        s3.NotificationKeyFilter(prefix="images/"),
    )
    bucket.add_event_notification(
        s3.EventType.OBJECT_CREATED_PUT,
        s3n.SqsDestination(sqs.Queue(stack, "Thumbnails")),
        s3.NotificationKeyFilter(prefix="images/thumbs/"),
    )


def good_s3(stack: cdk.Stack) -> None:
    """Two disjoint rules to a topic and to a queue encrypted with customer-managed keys."""
    bucket = s3.Bucket(stack, "Bucket")
    topic = sns.Topic(
        stack, "Topic", master_key=_service_key(stack, "TopicKey", "s3.amazonaws.com")
    )
    queue = sqs.Queue(
        stack, "Queue", encryption_master_key=kms.Key(stack, "QueueKey", enable_key_rotation=True)
    )
    bucket.add_event_notification(
        s3.EventType.OBJECT_CREATED,
        s3n.SnsDestination(topic),
        s3.NotificationKeyFilter(prefix="a/"),
    )
    bucket.add_event_notification(
        s3.EventType.OBJECT_CREATED,
        s3n.SqsDestination(queue),
        s3.NotificationKeyFilter(prefix="b/"),
    )


def sqs1_fail(stack: cdk.Stack) -> None:
    dlq = sqs.CfnQueue(stack, "DeadLetterQueue")
    sqs.CfnQueue(
        stack,
        "Queue",
        fifo_queue=True,
        redrive_policy={"deadLetterTargetArn": dlq.attr_arn, "maxReceiveCount": 5},
    )


def sqs2_fail(stack: cdk.Stack) -> None:
    dlq = sqs.Queue(stack, "DeadLetterQueue")  # 4 days
    sqs.Queue(
        stack,
        "Queue",
        retention_period=Duration.days(14),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
    )


def sqs3_fail(stack: cdk.Stack) -> None:
    dlq = sqs.CfnQueue(
        stack, "DeadLetterQueue", redrive_allow_policy={"redrivePermission": "denyAll"}
    )
    sqs.CfnQueue(
        stack, "Queue", redrive_policy={"deadLetterTargetArn": dlq.attr_arn, "maxReceiveCount": 5}
    )


def sqs4_fail(stack: cdk.Stack) -> None:
    sqs.CfnQueue(stack, "Queue", queue_name="orders.v2")


def sqs5_fail(stack: cdk.Stack) -> None:
    dlq = sqs.CfnQueue(stack, "DeadLetterQueue")
    sqs.CfnQueue(
        stack,
        "Queue",
        visibility_timeout=50_000,
        redrive_policy={"deadLetterTargetArn": dlq.attr_arn, "maxReceiveCount": 0},
    )


def good_queues(stack: cdk.Stack) -> None:
    """A FIFO pair, a standard pair whose DLQ admits its source by literal ARN, legal names."""
    fifo_dlq = sqs.Queue(stack, "FifoDlq", fifo=True, retention_period=Duration.days(14))
    sqs.Queue(
        stack,
        "FifoQueue",
        fifo=True,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=fifo_dlq),
    )
    dlq = sqs.CfnQueue(
        stack,
        "DeadLetterQueue",
        queue_name="orders-v2_dlq",
        message_retention_period=1_209_600,
        redrive_allow_policy={
            "redrivePermission": "byQueue",
            "sourceQueueArns": [
                cdk.Fn.sub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders-v2")
            ],
        },
    )
    sqs.CfnQueue(
        stack,
        "Queue",
        queue_name="orders-v2",
        visibility_timeout=43_200,
        redrive_policy={"deadLetterTargetArn": dlq.attr_arn, "maxReceiveCount": 1000},
    )


def _function(stack: cdk.Stack, timeout: int = 60, **options: Any) -> lambda_.Function:
    return lambda_.Function(
        stack,
        "Function",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        timeout=Duration.seconds(timeout),
        **options,
    )


def _consumer(
    stack: cdk.Stack, visibility: int, max_receive_count: int = 5, **mapping: Any
) -> None:
    dlq = sqs.Queue(stack, "DeadLetterQueue", retention_period=Duration.days(14))
    queue = sqs.Queue(
        stack,
        "Queue",
        visibility_timeout=Duration.seconds(visibility),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=max_receive_count, queue=dlq),
    )
    function = _function(stack)
    queue.grant_consume_messages(function)
    lambda_.CfnEventSourceMapping(
        stack,
        "Mapping",
        function_name=function.function_name,
        event_source_arn=queue.queue_arn,
        **mapping,
    )


BATCH_FAILURES: dict[str, Any] = {"function_response_types": ["ReportBatchItemFailures"]}


def lambda1_fail(stack: cdk.Stack) -> None:
    _consumer(stack, visibility=30, **BATCH_FAILURES)


def lambda2_fail(stack: cdk.Stack) -> None:
    _consumer(stack, visibility=120, **BATCH_FAILURES)


def lambda3_fail(stack: cdk.Stack) -> None:
    _consumer(stack, visibility=360)


def lambda5_fail(stack: cdk.Stack) -> None:
    _consumer(stack, visibility=360, max_receive_count=2, **BATCH_FAILURES)


def lambda6_fail(stack: cdk.Stack) -> None:
    dlq = sqs.Queue(stack, "DeadLetterQueue", fifo=True, retention_period=Duration.days(14))
    queue = sqs.Queue(
        stack,
        "Queue",
        fifo=True,
        visibility_timeout=Duration.seconds(360),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
    )
    lambda_.CfnEventSourceMapping(
        stack,
        "Mapping",
        function_name=_function(stack).function_name,
        event_source_arn=queue.queue_arn,
        batch_size=20,
        **BATCH_FAILURES,
    )


def lambda7_stream_fail(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    stream = kinesis.Stream(
        stack, "Stream", encryption=kinesis.StreamEncryption.KMS, encryption_key=key
    )
    function = _function(stack)
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords"],
            resources=[stream.stream_arn],
        )
    )
    lambda_.CfnEventSourceMapping(
        stack,
        "Mapping",
        function_name=function.function_name,
        event_source_arn=stream.stream_arn,
        starting_position="LATEST",
        bisect_batch_on_function_error=True,
        maximum_record_age_in_seconds=3600,
        destination_config=lambda_.CfnEventSourceMapping.DestinationConfigProperty(
            on_failure=lambda_.CfnEventSourceMapping.OnFailureProperty(
                destination=sqs.Queue(stack, "Failures").queue_arn
            )
        ),
    )


def good_sqs_consumer(stack: cdk.Stack) -> None:
    """L2 event source on a queue with its own key: six times the timeout plus the batching
    window, partial batches, and the consume grant that includes kms:Decrypt."""
    dlq = sqs.Queue(stack, "DeadLetterQueue", retention_period=Duration.days(14))
    queue = sqs.Queue(
        stack,
        "Queue",
        visibility_timeout=Duration.seconds(6 * 60 + 10),
        encryption_master_key=kms.Key(stack, "Key", enable_key_rotation=True),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
    )
    _function(stack).add_event_source(
        sources.SqsEventSource(
            queue,
            report_batch_item_failures=True,
            batch_size=100,
            max_batching_window=Duration.seconds(10),
        )
    )


def lambda7_fail(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    dlq = sqs.Queue(stack, "DeadLetterQueue", retention_period=Duration.days(14))
    queue = sqs.Queue(
        stack,
        "Queue",
        visibility_timeout=Duration.seconds(360),
        encryption_master_key=key,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
    )
    function = _function(stack)
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            resources=[queue.queue_arn],
        )
    )
    lambda_.CfnEventSourceMapping(
        stack,
        "Mapping",
        function_name=function.function_name,
        event_source_arn=queue.queue_arn,
        **BATCH_FAILURES,
    )


def lambda4_fail(stack: cdk.Stack) -> None:
    stream = kinesis.Stream(stack, "Stream")
    _function(stack).add_event_source(
        sources.KinesisEventSource(stream, starting_position=lambda_.StartingPosition.LATEST)
    )


def good_stream_consumer(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    stream = kinesis.Stream(
        stack, "Stream", encryption=kinesis.StreamEncryption.KMS, encryption_key=key
    )
    _function(stack).add_event_source(
        sources.KinesisEventSource(
            stream,
            starting_position=lambda_.StartingPosition.LATEST,
            bisect_batch_on_error=True,
            max_record_age=Duration.hours(1),
            on_failure=sources.SqsDlq(sqs.Queue(stack, "Failures")),
        )
    )


def _alarm(stack: cdk.Stack, topic: sns.ITopic) -> None:
    metric = cloudwatch.Metric(namespace="AWS/SQS", metric_name="NumberOfMessagesSent")
    alarm = cloudwatch.Alarm(stack, "Alarm", metric=metric, threshold=1, evaluation_periods=1)
    alarm.add_alarm_action(cw_actions.SnsAction(topic))


def cw1_fail(stack: cdk.Stack) -> None:
    managed = kms.Alias.from_alias_name(stack, "SnsKey", "alias/aws/sns")
    _alarm(stack, sns.Topic(stack, "Topic", master_key=managed))


def cw2_fail(stack: cdk.Stack) -> None:
    key = _service_key(stack, "Key", "events.amazonaws.com")
    _alarm(stack, sns.Topic(stack, "Topic", master_key=key))


def good_alarm(stack: cdk.Stack) -> None:
    key = _service_key(stack, "Key", "cloudwatch.amazonaws.com")
    _alarm(stack, sns.Topic(stack, "Topic", master_key=key))


def _schedule(stack: cdk.Stack, target: events.IRuleTarget) -> None:
    events.Rule(stack, "Rule", schedule=events.Schedule.rate(Duration.hours(1)), targets=[target])


def eb1_fail(stack: cdk.Stack) -> None:
    queue = sqs.Queue(stack, "Queue", encryption=sqs.QueueEncryption.KMS_MANAGED)
    _schedule(stack, targets.SqsQueue(queue))


def eb2_fail(stack: cdk.Stack) -> None:
    key = _service_key(stack, "Key", "cloudwatch.amazonaws.com")
    topic = sns.Topic(stack, "Topic", master_key=key)
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
        )
    )
    events.CfnRule(
        stack,
        "Rule",
        schedule_expression="rate(1 hour)",
        targets=[events.CfnRule.TargetProperty(arn=topic.topic_arn, id="Topic")],
    )


def eb3_fail(stack: cdk.Stack) -> None:
    queue = sqs.CfnQueue(stack, "Queue")
    events.CfnRule(
        stack,
        "Rule",
        schedule_expression="rate(1 hour)",
        targets=[events.CfnRule.TargetProperty(arn=queue.attr_arn, id="Queue")],
    )


def eb3_function_fail(stack: cdk.Stack) -> None:
    function = _function(stack)
    events.CfnRule(
        stack,
        "Rule",
        schedule_expression="rate(1 hour)",
        targets=[events.CfnRule.TargetProperty(arn=function.function_arn, id="Function")],
    )


def good_events(stack: cdk.Stack) -> None:
    key = _service_key(stack, "Key", "events.amazonaws.com")
    queue = sqs.Queue(stack, "Queue", encryption_master_key=key)
    topic = sns.Topic(stack, "Topic", master_key=key)
    dlq = sqs.Queue(stack, "TargetDlq")
    _schedule(stack, targets.SqsQueue(queue, dead_letter_queue=dlq))
    events.Rule(
        stack,
        "TopicRule",
        schedule=events.Schedule.rate(Duration.hours(1)),
        targets=[
            targets.SnsTopic(topic, dead_letter_queue=dlq),
            targets.LambdaFunction(
                _function(stack, dead_letter_queue_enabled=True), dead_letter_queue=dlq
            ),
        ],
    )


def _delivery(
    stack: cdk.Stack, grant: Callable[[kinesis.Stream, s3.Bucket, iam.Role], object]
) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    stream = kinesis.Stream(
        stack, "Stream", encryption=kinesis.StreamEncryption.KMS, encryption_key=key
    )
    bucket = s3.Bucket(stack, "Bucket")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"))
    grant(stream, bucket, role)
    firehose.CfnDeliveryStream(
        stack,
        "Delivery",
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
            kinesis_stream_arn=stream.stream_arn, role_arn=role.role_arn
        ),
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=role.role_arn
        ),
    )


def _read_without_key(stream: kinesis.Stream, bucket: s3.Bucket, role: iam.Role) -> None:
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords"],
            resources=[stream.stream_arn],
        )
    )
    bucket.grant_put(role)


def fh1_fail(stack: cdk.Stack) -> None:
    _delivery(stack, _read_without_key)


def fh2_fail(stack: cdk.Stack) -> None:
    _delivery(
        stack, lambda stream, bucket, role: (stream.grant_read(role), bucket.grant_read_write(role))
    )


def good_firehose(stack: cdk.Stack) -> None:
    _delivery(stack, lambda stream, bucket, role: (stream.grant_read(role), bucket.grant_put(role)))


def _broker(stack: cdk.Stack, *, public: bool, password: str) -> None:
    amazonmq.CfnBroker(
        stack,
        "Broker",
        broker_name="orders",
        deployment_mode="SINGLE_INSTANCE",
        engine_type="ACTIVEMQ",
        engine_version="5.18",
        host_instance_type="mq.t3.micro",
        auto_minor_version_upgrade=True,
        publicly_accessible=public,
        users=[amazonmq.CfnBroker.UserProperty(username="admin", password=password)],
    )


SECRET = SecretValue.secrets_manager("broker-admin", json_field="password").unsafe_unwrap()


def mq1_fail(stack: cdk.Stack) -> None:
    _broker(stack, public=True, password=SECRET)


def mq2_fail(stack: cdk.Stack) -> None:
    _broker(stack, public=False, password="correct-horse-battery")


def good_broker(stack: cdk.Stack) -> None:
    _broker(stack, public=False, password=SECRET)


@dataclass(frozen=True)
class Case:
    """A rule's failing stack, the construct the finding is on, and its passing stack."""

    fail: Callable[[cdk.Stack], None]
    at: str
    good: Callable[[cdk.Stack], None]


CASES: dict[str, Case] = {
    "SNS1": Case(sns1_fail, "Subscription", good_fan_out),
    "SNS2": Case(sns2_fail, "Subscription", good_fan_out),
    "SNS3": Case(sns3_fail, "Subscription", good_fan_out),
    "SNS4": Case(sns4_fail, "Subscription", good_fan_out),
    "SNS5": Case(sns5_fail, "Subscription", lambda stack: good_fan_out(stack, fifo=True)),
    "SNS6": Case(sns6_fail, "Queue/", good_fan_out),
    "SNS7": Case(sns7_fail, "Subscription", good_fan_out),
    "SNS8": Case(sns8_fail, "Subscription", good_lambda_subscription),
    "SNS9": Case(sns9_fail, "Queue/", good_fan_out),
    "SNS10": Case(sns10_fail, "Topic", good_topic_names),
    "S3N1": Case(s3n1_fail, "Bucket", good_s3),
    "S3N2": Case(s3n2_fail, "Bucket", good_s3),
    "S3N3": Case(s3n3_fail, "Bucket/Resource", good_s3),
    "S3N4": Case(s3n4_fail, "Bucket/Notifications/Resource", good_s3),
    "S3N5": Case(s3n5_fail, "Bucket", good_s3),
    "SQS1": Case(sqs1_fail, "Queue", good_queues),
    "SQS2": Case(sqs2_fail, "Queue/Resource", good_queues),
    "SQS3": Case(sqs3_fail, "Queue", good_queues),
    "SQS4": Case(sqs4_fail, "Queue", good_queues),
    "SQS5": Case(sqs5_fail, "Queue", good_queues),
    "LAMBDA1": Case(lambda1_fail, "Mapping", good_sqs_consumer),
    "LAMBDA2": Case(lambda2_fail, "Mapping", good_sqs_consumer),
    "LAMBDA3": Case(lambda3_fail, "Mapping", good_sqs_consumer),
    "LAMBDA4": Case(lambda4_fail, "Function/KinesisEventSource:", good_stream_consumer),
    "LAMBDA5": Case(lambda5_fail, "Mapping", good_sqs_consumer),
    "LAMBDA6": Case(lambda6_fail, "Mapping", good_sqs_consumer),
    "LAMBDA7": Case(lambda7_fail, "Mapping", good_sqs_consumer),
    "CW1": Case(cw1_fail, "Alarm/Resource", good_alarm),
    "CW2": Case(cw2_fail, "Alarm/Resource", good_alarm),
    "EB1": Case(eb1_fail, "Rule/Resource", good_events),
    "EB2": Case(eb2_fail, "Rule", good_events),
    "EB3": Case(eb3_fail, "Rule", good_events),
    "FH1": Case(fh1_fail, "Delivery", good_firehose),
    "FH2": Case(fh2_fail, "Delivery", good_firehose),
    "MQ1": Case(mq1_fail, "Broker", good_broker),
    "MQ2": Case(mq2_fail, "Broker", good_broker),
    "KCL1": Case(kcl1_fail, "Task", good_kcl_task),
}
# Second failing apps for rules that cover more than one kind of destination.
MORE_FAILS: dict[str, Case] = {
    "SNS4": Case(sns4_lambda_fail, "Subscription", good_lambda_subscription),
    "S3N1": Case(s3n1_function_fail, "Bucket", good_s3),
    "EB3": Case(eb3_function_fail, "Rule", good_events),
    "LAMBDA7": Case(lambda7_stream_fail, "Mapping", good_stream_consumer),
}
LEVELS = {r.suffix: r.level for r in RULES}
GOOD = sorted({case.good for case in CASES.values()}, key=lambda build: build.__name__)


def _good_name(build: Callable[[cdk.Stack], None]) -> str:
    return "Good" + build.__name__.replace("_", "").replace("<lambda>", "FifoFanOut")


@dataclass
class Report:
    outdir: Path
    # (stack, rule ID, severity, construct path) of every open finding
    findings: list[tuple[str, str, str, str]]
    suppressed: list[tuple[str, str, str]]

    def of_stack(self, stack: str) -> list[tuple[str, str, str]]:
        return [(r, s, p) for st, r, s, p in self.findings if st == stack]


def _report(outdir: Path) -> Report:
    report = json.loads((outdir / "validation-report.json").read_text())
    findings: list[tuple[str, str, str, str]] = []
    suppressed: list[tuple[str, str, str]] = []
    for plugin in report["pluginReports"]:
        if plugin["pluginName"] != "Messaging":
            continue
        for violation in plugin.get("violations", []):
            for construct in violation["violatingConstructs"]:
                path = construct["constructPath"]
                stack, _, rest = path.partition("/")
                findings.append((stack, violation["ruleName"], violation["severity"], rest))
        for violation in plugin.get("suppressedViolations", []):
            for construct in violation["violatingConstructs"]:
                suppressed.append(
                    (violation["ruleName"], violation["reason"], construct["constructPath"])
                )
    return Report(outdir, findings, suppressed)


def imported_queue(stack: cdk.Stack) -> None:
    """A subscription to a queue of another account: nothing to follow, nothing to report."""
    topic = sns.Topic(stack, "Topic")
    queue = sqs.Queue.from_queue_arn(stack, "Other", "arn:aws:sqs:eu-west-1:111122223333:other")
    topic.add_subscription(
        subs.SqsSubscription(queue, dead_letter_queue=sqs.Queue(stack, "SubscriptionDlq"))
    )


def acknowledged(stack: cdk.Stack) -> None:
    """One finding acknowledged as a user would, one through the gate's helper."""
    queue = sqs.CfnQueue(stack, "Queue", queue_name="orders.v2")
    Validations.of(queue).acknowledge(
        Acknowledgment(
            id="Messaging::Messaging-SQS4",
            reason="The queue exists under this name already; a test of acknowledgements.",
        )
    )
    other = sqs.CfnQueue(stack, "Other", queue_name="orders.v3")
    acknowledge(
        other,
        "Messaging::Messaging-SQS4",
        "The queue exists under this name already; the gate's acknowledge helper.",
    )


def cross_stack(app: cdk.App) -> None:
    """A topic in one stack, its subscribers in another: exported, imported, never an error."""
    topic = sns.Topic(cdk.Stack(app, "CrossTopic"), "Topic")
    subscribers = cdk.Stack(app, "CrossSubscribers")
    key = kms.Key(subscribers, "Key", enable_key_rotation=True)
    queue = sqs.Queue(subscribers, "Queue", encryption_master_key=key)
    dlq = sqs.Queue(subscribers, "SubscriptionDlq")
    topic.add_subscription(subs.SqsSubscription(queue, dead_letter_queue=dlq))


class Nested(cdk.NestedStack):
    def __init__(self, scope: cdk.Stack, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        sqs1_fail(self)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    outdir = tmp_path_factory.mktemp("messaging")
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA, **NO_FAIL})
    for suffix, case in CASES.items():
        case.fail(cdk.Stack(app, f"Fail{suffix}"))
    for suffix, case in MORE_FAILS.items():
        case.fail(cdk.Stack(app, f"MoreFail{suffix}"))
    for build in GOOD:
        build(cdk.Stack(app, _good_name(build)))
    imported_queue(cdk.Stack(app, "ImportedQueue"))
    acknowledged(cdk.Stack(app, "Acknowledged"))
    Nested(cdk.Stack(app, "Parent"), "Child")
    cross_stack(app)
    sqs4_fail(cdk.Stack(cdk.Stage(app, "Staged"), "Inner"))
    Validations.of(app).add_plugins(MessagingChecks(app))
    app.synth()
    return _report(outdir)


@pytest.fixture(scope="module")
def command_output(report: Report) -> tuple[str, int]:
    """The command's report over the same assembly, and its count of errors."""
    return run(report.outdir)


def test_every_case_names_a_rule() -> None:
    """The other rules have their cases in tests/messaging_rules/ (test_rule_cases.py)."""
    assert set(CASES) <= {r.suffix for r in RULES}


@pytest.mark.parametrize("suffix", sorted(CASES))
def test_the_failing_app_reports_the_rule(report: Report, suffix: str) -> None:
    case = CASES[suffix]
    found = report.of_stack(f"Fail{suffix}")
    assert any(
        rule == f"Messaging-{suffix}" and level == LEVELS[suffix] and path.startswith(case.at)
        for rule, level, path in found
    ), found


@pytest.mark.parametrize("suffix", sorted(MORE_FAILS))
def test_the_second_failing_app_reports_the_rule(report: Report, suffix: str) -> None:
    found = report.of_stack(f"MoreFail{suffix}")
    assert (f"Messaging-{suffix}", LEVELS[suffix], MORE_FAILS[suffix].at) in found, found


@pytest.mark.parametrize("build", GOOD, ids=_good_name)
def test_the_passing_app_reports_nothing(
    report: Report, build: Callable[[cdk.Stack], None]
) -> None:
    assert report.of_stack(_good_name(build)) == []


def test_an_imported_queue_is_never_an_error(
    report: Report, command_output: tuple[str, int]
) -> None:
    assert report.of_stack("ImportedQueue") == []
    text, _ = command_output
    notes = [line for line in text.splitlines() if "ImportedQueue" in line]
    assert notes, text
    assert all(line.startswith("INFO") for line in notes), text


def test_a_topic_in_another_stack_is_never_an_error(report: Report) -> None:
    assert report.of_stack("CrossTopic") == []
    assert report.of_stack("CrossSubscribers") == []


def test_an_acknowledged_finding_is_suppressed_with_its_reason(
    report: Report, command_output: tuple[str, int]
) -> None:
    assert report.of_stack("Acknowledged") == []
    assert (
        "Messaging-SQS4",
        "The queue exists under this name already; a test of acknowledgements.",
        "Acknowledged/Queue",
    ) in report.suppressed
    assert (
        "Messaging-SQS4",
        "The queue exists under this name already; the gate's acknowledge helper.",
        "Acknowledged/Other",
    ) in report.suppressed
    text, _ = command_output
    assert "Acknowledged" not in text


def test_a_nested_stack_is_checked(report: Report, command_output: tuple[str, int]) -> None:
    assert ("Messaging-SQS1", "error", "Child/Queue") in report.of_stack("Parent")
    text, _ = command_output
    assert any(
        "Messaging-SQS1" in line and "Parent/Child/Queue" in line for line in text.splitlines()
    )


def test_a_stack_of_a_nested_stage_is_checked(
    report: Report, command_output: tuple[str, int]
) -> None:
    assert ("Messaging-SQS4", "error", "Inner/Queue") in report.of_stack("Staged")
    text, _ = command_output
    assert any(
        "Messaging-SQS4" in line and "Staged/Inner/Queue" in line for line in text.splitlines()
    )


def test_the_command_finds_what_the_pack_finds(
    report: Report, command_output: tuple[str, int]
) -> None:
    text, errors = command_output
    for suffix in CASES:
        assert any(
            line.split()[1] == f"Messaging-{suffix}" and f"Fail{suffix}/" in line
            for line in text.splitlines()
            if line and not line.startswith(" ")
        ), suffix
    assert errors == sum(1 for _, _, severity, _ in report.findings if severity == "error")


def test_the_command_exits_non_zero_on_a_trap(report: Report) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "patterns.checks", "--quiet", str(report.outdir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stdout
    assert "ERROR   Messaging-SNS1" in result.stdout
    assert "fix: " in result.stdout


def test_the_command_exits_zero_on_the_examples(examples_app: SynthesizedApp, capsys) -> None:
    assert main([str(examples_app.outdir)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_the_command_needs_a_cloud_assembly(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 2


def test_the_examples_pass_the_pack_in_the_gate(examples_app: SynthesizedApp) -> None:
    assert [f for f in read_findings(examples_app.outdir) if f.pack == "Messaging"] == []
    table, _ = summarize(examples_app.outdir)
    assert "Messaging" in table


def test_the_rules_doc_is_current() -> None:
    actual = (ROOT / "docs" / "messaging-checks.md").read_text()
    assert actual == render_markdown(), (
        "docs/messaging-checks.md is stale: python -m tools.messaging_checks_doc > "
        "docs/messaging-checks.md"
    )


def test_the_rules_doc_lists_each_family_by_number() -> None:
    """A reader finds Messaging-LAMBDA4 after LAMBDA3 and SNS13 after SNS12, whatever order
    the pack runs them in."""
    sections = re.findall(r"^## (Messaging-\S+)$", render_markdown(), re.MULTILINE)
    assert sorted(sections) == sorted(current.rule_id for current in RULES)
    numbered = [re.fullmatch(r"(.*?)(\d+)", section) for section in sections]
    pairs = [(found.group(1), int(found.group(2))) for found in numbered if found]
    assert len(pairs) == len(sections)
    runs = [family for family, _ in itertools.groupby(family for family, _ in pairs)]
    assert len(runs) == len(set(runs)), f"a family split in two: {runs}"
    for (family, number), (next_family, next_number) in itertools.pairwise(pairs):
        assert family != next_family or number < next_number, (family, number, next_number)


def test_every_rule_cites_aws_documentation() -> None:
    for current in RULES:
        assert current.sources, current.rule_id
        # AWS's own documentation (and its knowledge center), nothing third-party.
        assert all(
            url.startswith(("https://docs.aws.amazon.com/", "https://repost.aws/knowledge-center/"))
            for url in current.sources
        ), current.rule_id


# --- references followed by the rules (no CDK: templates by hand) -----------------------------

MODEL = StackModel(
    {
        "Parameters": {"QueueArn": {"Type": "String"}},
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}},
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Alias": {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": "alias/jobs", "TargetKeyId": {"Ref": "Key"}},
            },
        },
    }
)
PSEUDO = [{"Ref": "AWS::Partition"}, ":sqs:", {"Ref": "AWS::Region"}, ":"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Queue"}, Resolved("Queue")),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, Resolved("Queue", "Arn")),
        ({"Fn::GetAtt": "Queue.Arn"}, Resolved("Queue", "Arn")),
        ({"Fn::Sub": "${Queue.Arn}"}, Resolved("Queue", "Arn")),
        (
            {"Fn::Join": ["", ["arn:", *PSEUDO, {"Ref": "AWS::AccountId"}, ":jobs"]]},
            Resolved("Queue"),
        ),
        (
            {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs"},
            Resolved("Queue"),
        ),
        ("arn:aws:sqs:eu-west-1:111122223333:jobs", Resolved("Queue")),
        ("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs", Resolved("Queue")),
        (
            {
                "Fn::Join": [
                    "",
                    ["https://sqs.", {"Ref": "AWS::Region"}, ".amazonaws.com/1/", "jobs"],
                ]
            },
            Resolved("Queue"),
        ),
        (
            "arn:aws:sqs:eu-west-1:111122223333:other",
            LiteralValue("arn:aws:sqs:eu-west-1:111122223333:other"),
        ),
        ({"Ref": "QueueArn"}, Unknown("parameter QueueArn")),
        ({"Fn::ImportValue": "Shared:QueueArn"}, Unknown("a value imported from another stack")),
    ],
)
def test_references_are_followed_to_resources_of_the_template(value: Any, expected: Any) -> None:
    assert MODEL.resolve(value) == expected


@pytest.mark.parametrize(
    ("value", "kind", "key"),
    [
        (None, "none", None),
        ("alias/aws/sqs", "aws-managed", None),
        ({"Fn::Join": ["", ["arn:", *PSEUDO, "alias/aws/sqs"]]}, "aws-managed", None),
        ({"Fn::GetAtt": ["Key", "Arn"]}, "customer", "Key"),
        ({"Ref": "Alias"}, "customer", "Key"),
        ("alias/jobs", "customer", "Key"),
        ("arn:aws:kms:eu-west-1:111122223333:key/1234", "unknown", None),
    ],
)
def test_keys_are_classified(value: Any, kind: str, key: str | None) -> None:
    found = key_info(MODEL, value)
    assert (found.kind, found.logical_id) == (kind, key)


def test_the_pack_needs_the_synthesized_templates(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path / "never-synthesized"))
    sqs4_fail(cdk.Stack(app, "Unsynthesized"))
    with pytest.raises(RuntimeError, match=r"register it with Validations.of\(app\)"):
        MessagingChecks(app).validate_scope(app)
