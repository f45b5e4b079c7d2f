"""The alarms and the dashboard section of ``KinesisToFirehoseToS3``.

Both are built from the construct's public ``metric_*`` methods, so what an alarm watches is
what a user gets from the same method: ``metric_stream_*`` for the Kinesis data stream
(``AWS/Kinesis``), the other ``metric_*`` for the delivery stream (``AWS/Firehose``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_

from patterns import dashboards
from patterns.alarms import create_alarm
from patterns.limits import (
    KINESIS_SHARD_WRITE_MB_PER_SECOND,
    KINESIS_SHARD_WRITE_RECORDS_PER_SECOND,
)

if TYPE_CHECKING:
    from patterns.kinesis_firehose_s3.construct import KinesisToFirehoseToS3

DEFAULT_ITERATOR_AGE_ALARM = Duration.hours(1)
DEFAULT_DATA_FRESHNESS_ALARM = Duration.minutes(15)


def create_alarms(
    pattern: KinesisToFirehoseToS3,
    *,
    alarm_actions: Sequence[cloudwatch.IAlarmAction],
    iterator_age_alarm_threshold: Duration,
    data_freshness_alarm_threshold: Duration,
    transformation_function: lambda_.IFunction | None,
    converts: bool,
    partitions: bool,
) -> list[cloudwatch.Alarm]:
    """The stream and delivery alarms, then those of the options that are on."""
    alarms = _stream_and_delivery_alarms(
        pattern,
        alarm_actions=alarm_actions,
        iterator_age_alarm_threshold=iterator_age_alarm_threshold,
        data_freshness_alarm_threshold=data_freshness_alarm_threshold,
    )
    path = pattern.node.path
    five_minutes = Duration.minutes(5)
    if transformation_function is not None:
        alarms.append(
            create_alarm(
                pattern,
                "TransformationErrorsAlarm",
                metric=transformation_function.metric_errors(
                    period=five_minutes, statistic=cloudwatch.Stats.SUM
                ),
                threshold=1,
                description=(
                    f"The transformation function of {path} failed; Firehose "
                    "retries, then writes the buffer under the error prefix "
                    "(processing-failed)"
                ),
                actions=alarm_actions,
            )
        )
        alarms.append(
            create_alarm(
                pattern,
                "ProcessingFailureAlarm",
                metric=pattern.metric_execute_processing_success(
                    period=five_minutes, statistic=cloudwatch.Stats.MINIMUM
                ),
                threshold=1,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                description=(
                    f"Firehose could not invoke the transformation function of "
                    f"{path}; see the error output prefix (processing-failed)"
                ),
                actions=alarm_actions,
            )
        )
    if converts:
        alarms.append(
            create_alarm(
                pattern,
                "ConversionFailureAlarm",
                metric=pattern.metric_failed_conversion_records(
                    period=five_minutes, statistic=cloudwatch.Stats.SUM
                ),
                threshold=1,
                description=(
                    f"Records of {path} did not match the table schema and were "
                    "written under the error prefix (format-conversion-failed)"
                ),
                actions=alarm_actions,
            )
        )
    if partitions:
        alarms.append(
            create_alarm(
                pattern,
                "PartitionCountExceededAlarm",
                metric=pattern.metric_partition_count_exceeded(
                    period=five_minutes, statistic=cloudwatch.Stats.MAXIMUM
                ),
                threshold=1,
                description=(
                    f"{path} reached its active partition limit; further records "
                    "go under the error prefix until partitions are delivered"
                ),
                actions=alarm_actions,
            )
        )
    return alarms


def _stream_and_delivery_alarms(
    pattern: KinesisToFirehoseToS3,
    *,
    alarm_actions: Sequence[cloudwatch.IAlarmAction],
    iterator_age_alarm_threshold: Duration,
    data_freshness_alarm_threshold: Duration,
) -> list[cloudwatch.Alarm]:
    path = pattern.node.path
    one_minute = Duration.minutes(1)
    five_minutes = Duration.minutes(5)
    age = iterator_age_alarm_threshold
    freshness = data_freshness_alarm_threshold
    return [
        create_alarm(
            pattern,
            "StreamIteratorAgeAlarm",
            metric=pattern.metric_stream_get_records_iterator_age_milliseconds(
                period=one_minute, statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=age.to_milliseconds(),
            description=(
                f"A consumer of {path} reads records at least "
                f"{age.to_human_string()} old; past the retention period they are lost"
            ),
            actions=alarm_actions,
        ),
        create_alarm(
            pattern,
            "DeliveryIteratorAgeAlarm",
            metric=pattern.metric_kinesis_millis_behind_latest(
                period=one_minute, statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=age.to_milliseconds(),
            description=(
                f"The delivery stream of {path} is at least "
                f"{age.to_human_string()} behind the newest record in the stream"
            ),
            actions=alarm_actions,
        ),
        create_alarm(
            pattern,
            "WriteThroughputExceededAlarm",
            metric=pattern.metric_stream_write_provisioned_throughput_exceeded(
                period=five_minutes, statistic=cloudwatch.Stats.SUM
            ),
            threshold=1,
            description=(
                f"Writes to {path} were throttled: producers must retry, and "
                "the stream needs more shards (or ON_DEMAND)"
            ),
            actions=alarm_actions,
        ),
        create_alarm(
            pattern,
            "PutRecordsFailedRecordsAlarm",
            metric=pattern.metric_stream_put_records_failed_records(
                period=five_minutes, statistic=cloudwatch.Stats.SUM
            ),
            threshold=1,
            description=(
                f"PutRecords calls to {path} rejected records (throttled or an "
                "internal failure): producers must retry the failed records of the response"
            ),
            actions=alarm_actions,
        ),
        create_alarm(
            pattern,
            "ReadThroughputExceededAlarm",
            metric=pattern.metric_stream_read_provisioned_throughput_exceeded(
                period=five_minutes, statistic=cloudwatch.Stats.SUM
            ),
            threshold=1,
            evaluation_periods=3,
            description=(
                f"Reads of {path} were throttled for 15 minutes: its consumers "
                "share 2 MB/s and 5 reads/s per shard; use enhanced fan-out or more shards"
            ),
            actions=alarm_actions,
        ),
        create_alarm(
            pattern,
            "ThrottledGetRecordsAlarm",
            # With a Kinesis source, Firehose's throttling is on its reads of the stream
            # (ThrottledRecords counts Direct PUT ingestion, which this pattern has not).
            metric=pattern.metric_throttled_get_records(
                period=five_minutes, statistic=cloudwatch.Stats.SUM
            ),
            threshold=1,
            evaluation_periods=3,
            description=(
                f"Firehose's reads of {path} were throttled for 15 minutes: "
                "delivery falls behind the stream (see the delivery iterator age); other "
                "consumers may use up the shards' read quota"
            ),
            actions=alarm_actions,
        ),
        create_alarm(
            pattern,
            "DataFreshnessAlarm",
            metric=pattern.metric_delivery_to_s3_data_freshness(
                period=five_minutes, statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=freshness.to_seconds(),
            description=(
                f"The oldest record of {path} not yet in S3 is at least "
                f"{freshness.to_human_string()} old: delivery is stalled or failing"
            ),
            actions=alarm_actions,
        ),
        create_alarm(
            pattern,
            "DeliveryFailureAlarm",
            metric=pattern.metric_delivery_to_s3_success(
                period=five_minutes, statistic=cloudwatch.Stats.MINIMUM
            ),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            description=(
                f"Some deliveries of {path} to S3 failed; see the delivery log "
                "group and the error output prefix"
            ),
            actions=alarm_actions,
        ),
    ]


def add_section(
    pattern: KinesisToFirehoseToS3,
    dashboard: cloudwatch.Dashboard,
    *,
    planned_shards: int | None,
    alarms: Sequence[cloudwatch.Alarm],
) -> None:
    """The pipeline's dashboard section (see ``KinesisToFirehoseToS3.add_to_dashboard``)."""
    total = cloudwatch.Stats.SUM
    bytes_capacity: list[tuple[float, str]] = []
    records_capacity: list[tuple[float, str]] = []
    if planned_shards is not None:
        shards = planned_shards
        per_minute = 60 * shards
        # Kinesis quotes 1 MiB per second per shard (the planner's "MB").
        bytes_per_second = KINESIS_SHARD_WRITE_MB_PER_SECOND * 1024 * 1024
        bytes_capacity = [(per_minute * bytes_per_second, f"{shards} shards")]
        records_capacity = [
            (per_minute * KINESIS_SHARD_WRITE_RECORDS_PER_SECOND, f"{shards} shards")
        ]
    dashboards.section(
        dashboard,
        f"Kinesis to Firehose to S3 {pattern.node.path}",
        "What producers write, what the stream can take, and what reaches the bucket.",
        [
            dashboards.graph(
                "Stream: bytes in (per minute)",
                [pattern.metric_stream_incoming_bytes(statistic=total, label="bytes in")],
                thresholds=bytes_capacity,
            ),
            dashboards.graph(
                "Stream: records in (per minute)",
                [pattern.metric_stream_incoming_records(statistic=total, label="records in")],
                thresholds=records_capacity,
            ),
            dashboards.graph(
                "Stream: throttled (per minute)",
                [
                    pattern.metric_stream_write_provisioned_throughput_exceeded(
                        statistic=total, label="writes"
                    ),
                    pattern.metric_stream_read_provisioned_throughput_exceeded(
                        statistic=total, label="reads"
                    ),
                ],
            ),
            dashboards.graph(
                "Delivery: records (per minute)",
                [
                    pattern.metric_data_read_from_kinesis_stream_records(
                        period=dashboards.PERIOD, statistic=total
                    ),
                    pattern.metric_delivery_to_s3_records(
                        period=dashboards.PERIOD, statistic=total
                    ),
                    pattern.metric_throttled_get_records(period=dashboards.PERIOD, statistic=total),
                ],
            ),
            dashboards.graph(
                "Delivery: bytes (per minute)",
                [pattern.metric_delivery_to_s3_bytes(period=dashboards.PERIOD, statistic=total)],
            ),
            *dashboards.alarm_graphs(alarms),
        ],
        owner=pattern,
        state=lambda: {"alarms": len(pattern.alarms)},
    )
