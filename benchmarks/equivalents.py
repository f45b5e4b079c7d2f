"""Hand-written plain-L2 equivalents of each pattern, with the same protections.

The benchmark synthesizes each pattern and its equivalent side by side; the ratio is the
price of the pattern's validation and helpers. Keep each equivalent honest: the same
resources, properties and policies as the pattern's defaults.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Names, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sqs as sqs
from constructs import Construct


def queue_with_dlq(scope: Construct, construct_id: str) -> None:
    """QueueWithDeadLetterQueue's defaults, written out by hand."""
    holder = Construct(scope, construct_id)
    name = Names.unique_resource_name(holder, max_length=71)
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
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
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
    )
