"""Hand-written plain-L2 equivalents of each pattern, with the same protections.

The benchmark synthesizes each pattern and its equivalent side by side; the ratio is the
price of the pattern's validation and helpers. Keep each equivalent comparable: the
pattern's defaults written with aws-cdk-lib only (nothing from ``patterns``), the same
resource types, and constructs, resources and template bytes within the one-sided tolerance
of ``benchmarks/comparability.py`` (``make bench`` checks it first and stops beyond it; the
drift, as numbers, is in BENCHMARKS.md). A pattern change within the tolerance needs no edit
here. Each equivalent mirrors the pattern's construct IDs, so the two
templates share logical IDs and the benchmark can count the resources identical on both
sides. What the equivalents leave out: the patterns' input validation (the price the ratio
measures) and their cdk-nag acknowledgements and checkov skips (template metadata, which a
hand-written stack would need as well to pass the gate).

Each equivalent is self-contained, so its line count is what a user would write by hand;
``PAIRS`` names each pattern's call next to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aws_cdk import ArnFormat, Duration, Names, NestedStack, RemovalPolicy, Stack
from aws_cdk import aws_amazonmq as amazonmq
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# The subscribers of the fan-out benchmarks (topic + 3 subscribers).
SUBSCRIBERS = ("Billing", "Shipping", "Analytics")


# --- the patterns' calls ---------------------------------------------------------------


def pattern_queue_with_dlq(scope: Construct, construct_id: str) -> None:
    from patterns import QueueWithDeadLetterQueue

    QueueWithDeadLetterQueue(scope, construct_id)


def pattern_sns_fan_out(scope: Construct, construct_id: str) -> None:
    from patterns import SnsToSqsFanOut

    fan_out = SnsToSqsFanOut(scope, construct_id)
    for name in SUBSCRIBERS:
        fan_out.add_queue(name)


def pattern_s3_event_fan_out(scope: Construct, construct_id: str) -> None:
    from patterns import S3EventFanOut

    fan_out = S3EventFanOut(scope, construct_id)
    for name in SUBSCRIBERS:
        fan_out.add_queue(name)


def pattern_kinesis_firehose_s3(scope: Construct, construct_id: str) -> None:
    from patterns import KinesisToFirehoseToS3

    KinesisToFirehoseToS3(scope, construct_id)


def pattern_amazon_mq(scope: Construct, construct_id: str) -> None:
    from patterns import AmazonMqBroker

    AmazonMqBroker(scope, construct_id, vpc=benchmark_vpc(scope))


def benchmark_vpc(scope: Construct) -> ec2.IVpc:
    """The VPC both broker builds receive: imported (no resources), two private subnets.

    Imported rather than new so that the ratio measures the broker, not 20-odd VPC resources
    that both sides would create alike.
    """
    return ec2.Vpc.from_vpc_attributes(
        scope,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"],
        private_subnet_route_table_ids=["rtb-0aaaaaaaaaaaaaaa1", "rtb-0bbbbbbbbbbbbbbb2"],
    )


# --- the hand-written equivalents ------------------------------------------------------


# The DLQ alarms keep their state while the DLQ reports nothing (patterns/alarms.py).
DLQ_ALARM_NOTE = (
    "The alarm returns to OK only when the DLQ reports no visible message; while the DLQ "
    "reports nothing (SQS stops reporting inactive queues) it keeps its state"
)


def queue_with_dlq(scope: Construct, construct_id: str) -> None:
    """QueueWithDeadLetterQueue's defaults, written out by hand."""
    holder = Construct(scope, construct_id)
    name = Names.unique_resource_name(holder, max_length=80 - len(".fifo") - len("-dlq"))
    source_arn = Stack.of(holder).format_arn(
        service="sqs", resource=name, arn_format=ArnFormat.NO_RESOURCE_NAME
    )
    dlq = sqs.Queue(
        holder,
        "DeadLetterQueue",
        queue_name=f"{name}-dlq",
        retention_period=Duration.days(14),
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        redrive_allow_policy=sqs.RedriveAllowPolicy(
            redrive_permission=sqs.RedrivePermission.BY_QUEUE,
            source_queues=[sqs.Queue.from_queue_arn(holder, "SourceQueueRef", source_arn)],
        ),
        removal_policy=RemovalPolicy.DESTROY,
    )
    queue = sqs.Queue(
        holder,
        "Queue",
        queue_name=name,
        retention_period=Duration.days(4),
        visibility_timeout=Duration.seconds(30),
        receive_message_wait_time=Duration.seconds(20),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5),
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.DESTROY,
    )
    cloudwatch.Alarm(
        holder,
        "DeadLetterQueueNotEmptyAlarm",
        metric=dlq.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
        ),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
        alarm_description=(
            f"Messages failed processing and wait in the DLQ of {holder.node.path}. "
            f"{DLQ_ALARM_NOTE}"
        ),
    )
    cloudwatch.Alarm(
        holder,
        "OldestMessageAgeAlarm",
        metric=queue.metric_approximate_age_of_oldest_message(
            period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
        ),
        threshold=900,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=(
            f"The oldest message in {holder.node.path} is at least 15 minutes old: consumers "
            "are falling behind"
        ),
    )


def sns_to_sqs_fan_out(
    scope: Construct,
    construct_id: str,
    subscribers: Sequence[str] = SUBSCRIBERS,
    *,
    nested_stacks: bool = False,
) -> None:
    """SnsToSqsFanOut's defaults with new subscriber queues (three unless told), written out by
    hand; with ``nested_stacks`` each subscriber goes to one of 48 nested stacks chosen by a
    hash of its ID, as the pattern places them (the fan-out scale benchmark's comparison)."""
    holder = Construct(scope, construct_id)
    stack = Stack.of(holder)
    key = kms.Key(
        holder,
        "EncryptionKey",
        description=f"Encrypts the topic of {holder.node.path}",
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.DESTROY,  # follows the topic
        pending_window=Duration.days(30),
    )
    topic = sns.Topic(holder, "Topic", master_key=key, enforce_ssl=True)
    at_least = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    not_breaching = cloudwatch.TreatMissingData.NOT_BREACHING
    cloudwatch.Alarm(
        holder,
        "FailedNotificationsAlarm",
        metric=topic.metric_number_of_notifications_failed(
            period=Duration.minutes(5), statistic=cloudwatch.Stats.SUM
        ),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"SNS could not deliver messages of {holder.node.path}; they wait in the "
            "subscription dead-letter queues"
        ),
    )
    cloudwatch.Alarm(
        holder,
        "FailedToRedriveToDlqAlarm",
        metric=topic.metric(
            "NumberOfNotificationsFailedToRedriveToDlq",
            period=Duration.minutes(5),
            statistic=cloudwatch.Stats.SUM,
        ),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"Messages of {holder.node.path} could not be moved to a subscription "
            "dead-letter queue: they are lost unless the cause is fixed"
        ),
    )
    for reason, what in (
        ("InvalidAttributes", "their message attributes are not valid JSON"),
        ("InvalidMessageBody", "their body is not valid JSON for a body filter"),
    ):
        cloudwatch.Alarm(
            holder,
            f"FilteredOut{reason}Alarm",
            metric=topic.metric(
                f"NumberOfNotificationsFilteredOut-{reason}",
                period=Duration.minutes(5),
                statistic=cloudwatch.Stats.SUM,
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=at_least,
            treat_missing_data=not_breaching,
            alarm_description=(
                f"Messages of {holder.node.path} reached no filtered subscriber because "
                f"{what}: a publisher sends malformed messages, and SNS drops them "
                "without a dead-letter queue"
            ),
        )
    nested: dict[str, NestedStack] = {}
    for subscriber_id in subscribers:
        parent: Construct = holder
        subscriber_stack = stack
        if nested_stacks:
            digest = hashlib.sha256(subscriber_id.encode()).digest()
            stack_id = f"Subscribers{int.from_bytes(digest[:8], 'big') % 48 + 1}"
            if stack_id not in nested:
                description = f"Subscribers of {holder.node.path} ({stack_id})"
                nested[stack_id] = NestedStack(holder, stack_id, description=description)
            parent = subscriber_stack = nested[stack_id]
        subscriber = Construct(parent, subscriber_id)
        path = subscriber.node.path
        name = Names.unique_resource_name(subscriber, max_length=80 - len(".fifo") - len("-dlq"))
        source_arn = subscriber_stack.format_arn(
            service="sqs", resource=name, arn_format=ArnFormat.NO_RESOURCE_NAME
        )
        dlq = sqs.Queue(
            subscriber,
            "DeadLetterQueue",
            queue_name=f"{name}-dlq",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            redrive_allow_policy=sqs.RedriveAllowPolicy(
                redrive_permission=sqs.RedrivePermission.BY_QUEUE,
                source_queues=[sqs.Queue.from_queue_arn(subscriber, "SourceQueueRef", source_arn)],
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
        queue = sqs.Queue(
            subscriber,
            "Queue",
            queue_name=name,
            retention_period=Duration.days(4),
            visibility_timeout=Duration.seconds(30),
            receive_message_wait_time=Duration.seconds(20),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        cloudwatch.Alarm(
            subscriber,
            "DeadLetterQueueNotEmptyAlarm",
            metric=dlq.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=at_least,
            treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
            alarm_description=(
                f"Messages failed processing and wait in the DLQ of {path}. {DLQ_ALARM_NOTE}"
            ),
        )
        cloudwatch.Alarm(
            subscriber,
            "OldestMessageAgeAlarm",
            metric=queue.metric_approximate_age_of_oldest_message(
                period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=900,
            evaluation_periods=1,
            comparison_operator=at_least,
            treat_missing_data=not_breaching,
            alarm_description=(
                f"The oldest message in {path} is at least 15 minutes old: consumers are "
                "falling behind"
            ),
        )
        # SNS may send to the queue and to the subscription DLQ for this topic only.
        conditions = {
            "ArnEquals": {"aws:SourceArn": topic.topic_arn},
            "StringEquals": {"aws:SourceAccount": subscriber_stack.account},
        }
        queue_policy = queue.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("sns.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[queue.queue_arn],
                conditions=conditions,
            )
        )
        subscription_dlq = sqs.Queue(
            subscriber,
            "SubscriptionDeadLetterQueue",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        subscription_dlq.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("sns.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[subscription_dlq.queue_arn],
                conditions=conditions,
            )
        )
        subscription = sns.Subscription(
            subscriber,
            "Subscription",
            topic=topic,
            protocol=sns.SubscriptionProtocol.SQS,
            endpoint=queue.queue_arn,
        )
        cfn_subscription = subscription.node.default_child
        assert isinstance(cfn_subscription, sns.CfnSubscription)
        cfn_subscription.redrive_policy = {"deadLetterTargetArn": subscription_dlq.queue_arn}
        # Subscribe only once SNS may write to both queues: no message lost in between.
        if queue_policy.policy_dependable is not None:
            subscription.node.add_dependency(queue_policy.policy_dependable)
        subscription.node.add_dependency(subscription_dlq.node.find_child("Policy"))
        cloudwatch.Alarm(
            subscriber,
            "SubscriptionDeadLetterQueueNotEmptyAlarm",
            metric=subscription_dlq.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=at_least,
            treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
            alarm_description=(
                f"SNS could not deliver messages to {path}; they wait in its "
                "subscription dead-letter queue"
            ),
        )


def s3_event_fan_out(scope: Construct, construct_id: str) -> None:
    """S3EventFanOut's defaults with three new subscriber queues, written out by hand."""
    holder = Construct(scope, construct_id)
    stack = Stack.of(holder)
    at_least = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    not_breaching = cloudwatch.TreatMissingData.NOT_BREACHING
    key = kms.Key(
        holder,
        "EncryptionKey",
        description=f"Encrypts the bucket and the event topic of {holder.node.path}",
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,  # the retained bucket stays readable
        pending_window=Duration.days(30),
    )
    # The rule's name is fixed at synth so the topic and key policies can name it by ARN
    # without a reference (key policy -> rule -> subscriptions -> topic -> key: a cycle).
    rule_name = Names.unique_resource_name(holder, max_length=64 - 3, separator="-") + "-s3"
    rule_arn = stack.format_arn(service="events", resource="rule", resource_name=rule_name)

    fan_out = Construct(holder, "FanOut")
    topic = sns.Topic(fan_out, "Topic", master_key=key, enforce_ssl=True)
    cloudwatch.Alarm(
        fan_out,
        "FailedNotificationsAlarm",
        metric=topic.metric_number_of_notifications_failed(
            period=Duration.minutes(5), statistic=cloudwatch.Stats.SUM
        ),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"SNS could not deliver messages of {fan_out.node.path}; they wait in the "
            "subscription dead-letter queues"
        ),
    )
    cloudwatch.Alarm(
        fan_out,
        "FailedToRedriveToDlqAlarm",
        metric=topic.metric(
            "NumberOfNotificationsFailedToRedriveToDlq",
            period=Duration.minutes(5),
            statistic=cloudwatch.Stats.SUM,
        ),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"Messages of {fan_out.node.path} could not be moved to a subscription "
            "dead-letter queue: they are lost unless the cause is fixed"
        ),
    )
    for reason, what in (
        ("InvalidAttributes", "their message attributes are not valid JSON"),
        ("InvalidMessageBody", "their body is not valid JSON for a body filter"),
    ):
        cloudwatch.Alarm(
            fan_out,
            f"FilteredOut{reason}Alarm",
            metric=topic.metric(
                f"NumberOfNotificationsFilteredOut-{reason}",
                period=Duration.minutes(5),
                statistic=cloudwatch.Stats.SUM,
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=at_least,
            treat_missing_data=not_breaching,
            alarm_description=(
                f"Messages of {fan_out.node.path} reached no filtered subscriber because "
                f"{what}: a publisher sends malformed messages, and SNS drops them "
                "without a dead-letter queue"
            ),
        )
    # EventBridge may publish (and use the key) for this rule of this account only.
    rule_conditions = {
        "ArnEquals": {"aws:SourceArn": rule_arn},
        "StringEquals": {"aws:SourceAccount": stack.account},
    }
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions=rule_conditions,
        )
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["kms:GenerateDataKey*", "kms:Decrypt"],
            resources=["*"],
            conditions=rule_conditions,
        )
    )

    access_logs = s3.Bucket(
        holder,
        "AccessLogBucket",
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ExpireAccessLogs",
                expiration=Duration.days(365),
                noncurrent_version_expiration=Duration.days(1),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ],
    )
    bucket = s3.Bucket(
        holder,
        "Bucket",
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix="access-logs/",
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ExpireNoncurrentVersionsAndFailedUploads",
                noncurrent_version_expiration=Duration.days(90),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ],
    )
    # The bucket sends its events to EventBridge (a bucket property, no custom resource).
    cfn_bucket = bucket.node.default_child
    assert isinstance(cfn_bucket, s3.CfnBucket)
    cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
        event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(
            event_bridge_enabled=True
        )
    )
    # One rule routes the bucket's created objects to the topic, with a dead-letter queue
    # only this rule may write to, and alarms on failed invocations and on that queue.
    delivery_dlq = sqs.Queue(
        holder,
        "DeliveryDeadLetterQueue",
        retention_period=Duration.days(14),
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.DESTROY,
    )
    delivery_dlq.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["sqs:SendMessage"],
            resources=[delivery_dlq.queue_arn],
            conditions=rule_conditions,
        )
    )
    rule = events.CfnRule(
        Construct(holder, "EventRule"),
        "Resource",
        name=rule_name,
        description=f"S3 events of the bucket of {holder.node.path} for its fan-out topic",
        state="ENABLED",
        event_pattern={
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [bucket.bucket_name]}},
        },
        targets=[
            events.CfnRule.TargetProperty(
                id="Target0",
                arn=topic.topic_arn,
                dead_letter_config=events.CfnRule.DeadLetterConfigProperty(
                    arn=delivery_dlq.queue_arn
                ),
            )
        ],
    )
    rule.node.add_dependency(topic.node.find_child("Policy"))
    cloudwatch.Alarm(
        holder,
        "DeliveryDeadLetterQueueNotEmptyAlarm",
        metric=delivery_dlq.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
        ),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
        alarm_description=(
            f"EventBridge gave up publishing S3 events of {holder.node.path} to the topic; "
            "they wait in the delivery dead-letter queue"
        ),
    )
    cloudwatch.Alarm(
        holder,
        "FailedInvocationsAlarm",
        metric=cloudwatch.Metric(
            namespace="AWS/Events",
            metric_name="FailedInvocations",
            dimensions_map={"RuleName": rule.ref},
            period=Duration.minutes(5),
            statistic=cloudwatch.Stats.SUM,
        ),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"EventBridge could not publish S3 events of {holder.node.path} to the topic "
            "(topic policy or key policy?); it retries for up to 24 hours, then moves them "
            "to the delivery dead-letter queue"
        ),
    )

    for subscriber_id in SUBSCRIBERS:
        subscriber = Construct(fan_out, subscriber_id)
        path = subscriber.node.path
        name = Names.unique_resource_name(subscriber, max_length=80 - len(".fifo") - len("-dlq"))
        source_arn = stack.format_arn(
            service="sqs", resource=name, arn_format=ArnFormat.NO_RESOURCE_NAME
        )
        dlq = sqs.Queue(
            subscriber,
            "DeadLetterQueue",
            queue_name=f"{name}-dlq",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            redrive_allow_policy=sqs.RedriveAllowPolicy(
                redrive_permission=sqs.RedrivePermission.BY_QUEUE,
                source_queues=[sqs.Queue.from_queue_arn(subscriber, "SourceQueueRef", source_arn)],
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
        queue = sqs.Queue(
            subscriber,
            "Queue",
            queue_name=name,
            retention_period=Duration.days(4),
            visibility_timeout=Duration.seconds(30),
            receive_message_wait_time=Duration.seconds(20),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        cloudwatch.Alarm(
            subscriber,
            "DeadLetterQueueNotEmptyAlarm",
            metric=dlq.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=at_least,
            treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
            alarm_description=(
                f"Messages failed processing and wait in the DLQ of {path}. {DLQ_ALARM_NOTE}"
            ),
        )
        cloudwatch.Alarm(
            subscriber,
            "OldestMessageAgeAlarm",
            metric=queue.metric_approximate_age_of_oldest_message(
                period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=900,
            evaluation_periods=1,
            comparison_operator=at_least,
            treat_missing_data=not_breaching,
            alarm_description=(
                f"The oldest message in {path} is at least 15 minutes old: consumers are "
                "falling behind"
            ),
        )
        sns_conditions = {
            "ArnEquals": {"aws:SourceArn": topic.topic_arn},
            "StringEquals": {"aws:SourceAccount": stack.account},
        }
        queue_policy = queue.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("sns.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[queue.queue_arn],
                conditions=sns_conditions,
            )
        )
        subscription_dlq = sqs.Queue(
            subscriber,
            "SubscriptionDeadLetterQueue",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        subscription_dlq.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("sns.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[subscription_dlq.queue_arn],
                conditions=sns_conditions,
            )
        )
        subscription = sns.Subscription(
            subscriber,
            "Subscription",
            topic=topic,
            protocol=sns.SubscriptionProtocol.SQS,
            endpoint=queue.queue_arn,
        )
        cfn_subscription = subscription.node.default_child
        assert isinstance(cfn_subscription, sns.CfnSubscription)
        cfn_subscription.redrive_policy = {"deadLetterTargetArn": subscription_dlq.queue_arn}
        if queue_policy.policy_dependable is not None:
            subscription.node.add_dependency(queue_policy.policy_dependable)
        subscription.node.add_dependency(subscription_dlq.node.find_child("Policy"))
        cloudwatch.Alarm(
            subscriber,
            "SubscriptionDeadLetterQueueNotEmptyAlarm",
            metric=subscription_dlq.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=at_least,
            treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
            alarm_description=(
                f"SNS could not deliver messages to {path}; they wait in its "
                "subscription dead-letter queue"
            ),
        )
        # The first events reach every subscriber: the rule waits for the subscription.
        rule.node.add_dependency(subscription)


def kinesis_firehose_s3(scope: Construct, construct_id: str) -> None:
    """KinesisToFirehoseToS3's defaults, written out by hand."""
    holder = Construct(scope, construct_id)
    stack = Stack.of(holder)
    path = holder.node.path
    key = kms.Key(
        holder,
        "EncryptionKey",
        description=f"Encrypts the stream, bucket and delivery logs of {path}",
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,  # the bucket it encrypts is retained
        pending_window=Duration.days(30),
    )
    stream = kinesis.Stream(
        holder,
        "Stream",
        stream_mode=kinesis.StreamMode.ON_DEMAND,
        retention_period=Duration.hours(24),
        encryption=kinesis.StreamEncryption.KMS,
        encryption_key=key,
        removal_policy=RemovalPolicy.DESTROY,  # records in transit
    )
    access_logs = s3.Bucket(
        holder,
        "AccessLogBucket",
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ExpireAccessLogs",
                expiration=Duration.days(365),
                noncurrent_version_expiration=Duration.days(1),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ],
    )
    bucket = s3.Bucket(
        holder,
        "Bucket",
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix="access-logs/",
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ExpireNoncurrentVersionsAndFailedUploads",
                noncurrent_version_expiration=Duration.days(90),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ],
    )
    # A fixed log group name, so that the key policy can name the group before it exists.
    log_group_name = "/aws/kinesisfirehose/" + Names.unique_resource_name(holder, max_length=128)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogsForTheDeliveryLogGroup",
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=[
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
            ],
            resources=["*"],
            conditions={
                "ArnEquals": {
                    "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name=log_group_name,
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                }
            },
        )
    )
    log_group = logs.LogGroup(
        holder,
        "DeliveryLogGroup",
        log_group_name=log_group_name,
        retention=logs.RetentionDays.ONE_YEAR,
        encryption_key=key,
        removal_policy=RemovalPolicy.DESTROY,
    )
    log_stream = logs.LogStream(
        holder,
        "DeliveryLogStream",
        log_group=log_group,
        log_stream_name="DestinationDelivery",
        removal_policy=RemovalPolicy.DESTROY,
    )
    role = iam.Role(
        holder,
        "DeliveryRole",
        assumed_by=iam.ServicePrincipal(
            "firehose.amazonaws.com",
            conditions={"StringEquals": {"sts:ExternalId": stack.account}},
        ),
        description=f"Lets Amazon Data Firehose deliver {path} to S3",
    )
    object_arns = [f"{bucket.bucket_arn}/data/*", f"{bucket.bucket_arn}/errors/*"]
    delivery_policy = iam.ManagedPolicy(
        holder,
        "DeliveryPolicy",
        roles=[role],
        statements=[
            iam.PolicyStatement(
                sid="ReadSourceStream",
                actions=[
                    "kinesis:DescribeStream",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListShards",
                ],
                resources=[stream.stream_arn],
            ),
            iam.PolicyStatement(
                sid="ListDestinationBucket",
                actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                resources=[bucket.bucket_arn],
            ),
            iam.PolicyStatement(
                sid="WriteUnderDeliveryPrefixes",
                actions=["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                resources=object_arns,
            ),
            iam.PolicyStatement(
                sid="WriteDeliveryErrorLogs",
                actions=["logs:PutLogEvents"],
                resources=[
                    stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name=f"{log_group_name}:log-stream:DestinationDelivery",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            ),
            iam.PolicyStatement(
                sid="DecryptSourceStream",
                actions=["kms:Decrypt"],
                resources=[key.key_arn],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": f"kinesis.{stack.region}.{stack.url_suffix}",
                        "kms:EncryptionContext:aws:kinesis:arn": stream.stream_arn,
                    }
                },
            ),
            iam.PolicyStatement(
                sid="EncryptDeliveredObjects",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{stack.region}.{stack.url_suffix}"},
                    "StringLike": {
                        "kms:EncryptionContext:aws:s3:arn": [bucket.bucket_arn, *object_arns]
                    },
                },
            ),
        ],
    )
    delivery_stream = firehose.CfnDeliveryStream(
        holder,
        "DeliveryStream",
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=(
            firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
                kinesis_stream_arn=stream.stream_arn, role_arn=role.role_arn
            )
        ),
        extended_s3_destination_configuration=(
            firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=bucket.bucket_arn,
                role_arn=role.role_arn,
                prefix=(
                    "data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}"
                    "/hour=!{timestamp:HH}/"
                ),
                error_output_prefix=(
                    "errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}"
                    "/month=!{timestamp:MM}/day=!{timestamp:dd}/"
                ),
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                    interval_in_seconds=60, size_in_m_bs=64
                ),
                compression_format="GZIP",
                encryption_configuration=firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
                    kms_encryption_config=firehose.CfnDeliveryStream.KMSEncryptionConfigProperty(
                        awskms_key_arn=key.key_arn
                    )
                ),
                cloud_watch_logging_options=(
                    firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                        enabled=True,
                        log_group_name=log_group.log_group_name,
                        log_stream_name=log_stream.log_stream_name,
                    )
                ),
                s3_backup_mode="Disabled",
            )
        ),
    )
    # Firehose checks its access to the stream when the delivery stream is created.
    delivery_stream.node.add_dependency(delivery_policy)

    def delivery_metric(metric_name: str, period: Duration, statistic: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/Firehose",
            metric_name=metric_name,
            dimensions_map={"DeliveryStreamName": delivery_stream.ref},
            period=period,
            statistic=statistic,
        )

    at_least = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    not_breaching = cloudwatch.TreatMissingData.NOT_BREACHING
    one_minute, five_minutes = Duration.minutes(1), Duration.minutes(5)
    maximum = cloudwatch.Stats.MAXIMUM
    cloudwatch.Alarm(
        holder,
        "StreamIteratorAgeAlarm",
        metric=stream.metric_get_records_iterator_age_milliseconds(
            period=one_minute, statistic=maximum
        ),
        threshold=3_600_000,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"A consumer of {path} reads records at least 1 hour old; past the retention "
            "period they are lost"
        ),
    )
    cloudwatch.Alarm(
        holder,
        "DeliveryIteratorAgeAlarm",
        metric=delivery_metric("KinesisMillisBehindLatest", one_minute, maximum),
        threshold=3_600_000,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"The delivery stream of {path} is at least 1 hour behind the newest record in "
            "the stream"
        ),
    )
    cloudwatch.Alarm(
        holder,
        "WriteThroughputExceededAlarm",
        metric=stream.metric_write_provisioned_throughput_exceeded(
            period=five_minutes, statistic=cloudwatch.Stats.SUM
        ),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"Writes to {path} were throttled: producers must retry, and the stream needs "
            "more shards (or ON_DEMAND)"
        ),
    )
    cloudwatch.Alarm(
        holder,
        "PutRecordsFailedRecordsAlarm",
        metric=stream.metric(
            "PutRecords.FailedRecords", period=five_minutes, statistic=cloudwatch.Stats.SUM
        ),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"PutRecords calls to {path} rejected records (throttled or an internal failure): "
            "producers must retry the failed records of the response"
        ),
    )
    cloudwatch.Alarm(
        holder,
        "ReadThroughputExceededAlarm",
        metric=stream.metric_read_provisioned_throughput_exceeded(
            period=five_minutes, statistic=cloudwatch.Stats.SUM
        ),
        threshold=1,
        evaluation_periods=3,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"Reads of {path} were throttled for 15 minutes: its consumers share 2 MB/s and "
            "5 reads/s per shard; use enhanced fan-out or more shards"
        ),
    )
    cloudwatch.Alarm(
        holder,
        "ThrottledGetRecordsAlarm",
        metric=delivery_metric("ThrottledGetRecords", five_minutes, cloudwatch.Stats.SUM),
        threshold=1,
        evaluation_periods=3,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"Firehose's reads of {path} were throttled for 15 minutes: delivery falls behind "
            "the stream (see the delivery iterator age); other consumers may use up the "
            "shards' read quota"
        ),
    )
    cloudwatch.Alarm(
        holder,
        "DataFreshnessAlarm",
        metric=delivery_metric("DeliveryToS3.DataFreshness", five_minutes, maximum),
        threshold=900,
        evaluation_periods=1,
        comparison_operator=at_least,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"The oldest record of {path} not yet in S3 is at least 15 minutes old: delivery "
            "is stalled or failing"
        ),
    )
    cloudwatch.Alarm(
        holder,
        "DeliveryFailureAlarm",
        metric=delivery_metric("DeliveryToS3.Success", five_minutes, cloudwatch.Stats.MINIMUM),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treat_missing_data=not_breaching,
        alarm_description=(
            f"Some deliveries of {path} to S3 failed; see the delivery log group and the "
            "error output prefix"
        ),
    )


def amazon_mq_broker(scope: Construct, construct_id: str) -> None:
    """AmazonMqBroker's defaults (ActiveMQ, active/standby) in ``benchmark_vpc``, by hand."""
    vpc = benchmark_vpc(scope)
    holder = Construct(scope, construct_id)
    stack = Stack.of(holder)
    path = holder.node.path
    key = kms.Key(
        holder,
        "EncryptionKey",
        description=f"Encrypts the broker and admin secret of {path}",
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.DESTROY,
    )
    subnet_ids = [subnet.subnet_id for subnet in vpc.select_subnets(one_per_az=True).subnets[:2]]
    encryption = amazonmq.CfnBroker.EncryptionOptionsProperty(
        use_aws_owned_key=False, kms_key_id=key.key_arn
    )
    # The broker's create-only properties: their digest ends its name, so a replacement
    # gets a new name (BrokerName is required and create-only).
    create_only = {
        "AuthenticationStrategy": "SIMPLE",
        "DeploymentMode": "ACTIVE_STANDBY_MULTI_AZ",
        "EncryptionOptions": encryption,
        "EngineType": "ACTIVEMQ",
        "PubliclyAccessible": False,
        "SubnetIds": subnet_ids,
    }
    resolved = json.dumps(
        stack.resolve(create_only), sort_keys=True, separators=(",", ":"), default=str
    )
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:6]
    name = f"{Names.unique_resource_name(holder, max_length=43, separator='-')}-{digest}"
    security_group = ec2.SecurityGroup(
        holder,
        "SecurityGroup",
        vpc=vpc,
        description=f"Clients of the Amazon MQ broker {path}",
        allow_all_outbound=False,
    )
    secret = secretsmanager.Secret(
        holder,
        "AdminSecret",
        description=f"Admin user of the Amazon MQ broker {name}",
        encryption_key=key,
        generate_secret_string=secretsmanager.SecretStringGenerator(
            secret_string_template=json.dumps({"username": "admin"}),
            generate_string_key="password",
            password_length=32,
            exclude_punctuation=True,
            include_space=False,
            require_each_included_type=True,
        ),
        removal_policy=RemovalPolicy.DESTROY,
    )
    broker = amazonmq.CfnBroker(
        holder,
        "Broker",
        broker_name=name,
        engine_type="ACTIVEMQ",
        engine_version="5.19",
        host_instance_type="mq.m5.large",
        deployment_mode="ACTIVE_STANDBY_MULTI_AZ",
        publicly_accessible=False,
        subnet_ids=subnet_ids,
        security_groups=[security_group.security_group_id],
        authentication_strategy="SIMPLE",
        auto_minor_version_upgrade=True,
        encryption_options=encryption,
        logs=amazonmq.CfnBroker.LogListProperty(general=True, audit=True),
        users=[
            amazonmq.CfnBroker.UserProperty(
                username="admin",
                password=secret.secret_value_from_json("password").unsafe_unwrap(),
                console_access=False,
                groups=["admin"],
            )
        ],
    )
    broker.apply_removal_policy(RemovalPolicy.DESTROY)
    log_policy = logs.ResourcePolicy(
        holder,
        "LogPublishingPolicy",
        resource_policy_name=(
            f"{Names.unique_resource_name(holder, max_length=248, separator='-')}-MqLogs"
        ),
        policy_statements=[
            iam.PolicyStatement(
                sid="AllowAmazonMqBrokerLogs",
                principals=[iam.ServicePrincipal("mq.amazonaws.com")],
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[
                    stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="/aws/amazonmq/broker/*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="mq",
                            resource="broker",
                            resource_name=f"{name}:*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                },
            )
        ],
    )
    # Amazon MQ checks for the log policy when it creates the broker.
    broker.node.add_dependency(log_policy)
    # ActiveMQ publishes per instance ("<name>-1", "<name>-2"): alarm on the higher of both.
    for alarm_id, metric_name, what in (
        ("CpuUtilizationAlarm", "CpuUtilization", "CPU utilization"),
        ("HeapUsageAlarm", "HeapUsage", "JVM heap usage"),
        ("StorePercentUsageAlarm", "StorePercentUsage", "persistent store usage"),
    ):
        using: dict[str, cloudwatch.IMetric] = {
            f"i{index}": cloudwatch.Metric(
                namespace="AWS/AmazonMQ",
                metric_name=metric_name,
                dimensions_map={"Broker": f"{name}-{index}"},
                statistic=cloudwatch.Stats.MAXIMUM,
                period=Duration.minutes(5),
            )
            for index in (1, 2)
        }
        cloudwatch.Alarm(
            holder,
            alarm_id,
            metric=cloudwatch.MathExpression(
                expression="MAX([i1, i2])",
                using_metrics=using,
                label=f"{metric_name} (highest instance)",
                period=Duration.minutes(5),
            ),
            threshold=80,
            evaluation_periods=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{what} of the Amazon MQ broker {name} is at least 80%",
        )


@dataclass(frozen=True)
class Pair:
    """A pattern's call and its hand-written equivalent, both ``build(scope, construct_id)``."""

    name: str
    pattern: Callable[[Construct, str], None]
    hand_written: Callable[[Construct, str], None]


PAIRS: tuple[Pair, ...] = (
    Pair("QueueWithDeadLetterQueue", pattern_queue_with_dlq, queue_with_dlq),
    Pair("SnsToSqsFanOut (3 queues)", pattern_sns_fan_out, sns_to_sqs_fan_out),
    Pair("S3EventFanOut (3 queues)", pattern_s3_event_fan_out, s3_event_fan_out),
    Pair("KinesisToFirehoseToS3", pattern_kinesis_firehose_s3, kinesis_firehose_s3),
    Pair("AmazonMqBroker (ActiveMQ)", pattern_amazon_mq, amazon_mq_broker),
)
