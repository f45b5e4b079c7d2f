from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

from patterns import dashboards
from patterns.alarms import create_alarm
from patterns.limits import (
    KINESIS_SHARD_WRITE_MB_PER_SECOND,
    KINESIS_SHARD_WRITE_RECORDS_PER_SECOND,
)
from patterns.metric_options import MAXIMUM, MINIMUM, SUM
from patterns.validation import human_string_of, seconds_of

if TYPE_CHECKING:
    from patterns.kinesis_firehose_s3.construct import KinesisToFirehoseToS3
    from patterns.kinesis_firehose_s3.options import PipelineOptions

DEFAULT_ITERATOR_AGE_ALARM = Duration.hours(1)
DEFAULT_DATA_FRESHNESS_ALARM = Duration.minutes(15)
ONE_MINUTE = Duration.minutes(1)
FIVE_MINUTES = Duration.minutes(5)
AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
BELOW = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm of the pipeline: what it watches, when it fires, what it means."""

    construct_id: str
    metric: cloudwatch.IMetric
    threshold: float
    description: str
    comparison_operator: cloudwatch.ComparisonOperator = AT_LEAST
    evaluation_periods: int = 1


def create_alarms(
    pattern: KinesisToFirehoseToS3, o: PipelineOptions, *, path: str
) -> list[cloudwatch.Alarm]:
    """The stream and delivery alarms, then those of the options that are on."""
    specs = [*_stream_alarms(pattern, o, path), *_delivery_alarms(pattern, o, path)]
    specs += _option_alarms(pattern, o, path)
    return [
        create_alarm(
            pattern,
            spec.construct_id,
            metric=spec.metric,
            threshold=spec.threshold,
            description=spec.description,
            actions=o.alarm_actions,
            comparison_operator=spec.comparison_operator,
            evaluation_periods=spec.evaluation_periods,
        )
        for spec in specs
    ]


def _number(seconds: float) -> float:
    return int(seconds) if seconds == int(seconds) else seconds


def _millis(duration: Duration) -> float:
    seconds = seconds_of(duration)
    return duration.to_milliseconds() if seconds is None else _number(seconds * 1000)


def _seconds(duration: Duration) -> float:
    seconds = seconds_of(duration)
    return duration.to_seconds() if seconds is None else _number(seconds)


def _stream_alarms(
    pattern: KinesisToFirehoseToS3, o: PipelineOptions, path: str
) -> list[AlarmSpec]:
    age = o.iterator_age_alarm_threshold
    return [
        AlarmSpec(
            "StreamIteratorAgeAlarm",
            pattern.metric_stream_get_records_iterator_age_milliseconds(
                period=ONE_MINUTE, statistic=MAXIMUM
            ),
            _millis(age),
            f"A consumer of {path} reads records at least {human_string_of(age)} old; past the "
            "retention period they are lost",
        ),
        AlarmSpec(
            "DeliveryIteratorAgeAlarm",
            pattern.metric_kinesis_millis_behind_latest(period=ONE_MINUTE, statistic=MAXIMUM),
            _millis(age),
            f"The delivery stream of {path} is at least {human_string_of(age)} behind the newest "
            "record in the stream",
        ),
        AlarmSpec(
            "WriteThroughputExceededAlarm",
            pattern.metric_stream_write_provisioned_throughput_exceeded(
                period=FIVE_MINUTES, statistic=SUM
            ),
            1,
            f"Writes to {path} were throttled: producers must retry, and the stream needs "
            "more shards (or ON_DEMAND)",
        ),
        AlarmSpec(
            "PutRecordsFailedRecordsAlarm",
            pattern.metric_stream_put_records_failed_records(period=FIVE_MINUTES, statistic=SUM),
            1,
            f"PutRecords calls to {path} rejected records (throttled or an internal failure): "
            "producers must retry the failed records of the response",
        ),
        AlarmSpec(
            "ReadThroughputExceededAlarm",
            pattern.metric_stream_read_provisioned_throughput_exceeded(
                period=FIVE_MINUTES, statistic=SUM
            ),
            1,
            f"Reads of {path} were throttled for 15 minutes: its consumers share 2 MB/s and "
            "5 reads/s per shard; use enhanced fan-out or more shards",
            evaluation_periods=3,
        ),
    ]


def _delivery_alarms(
    pattern: KinesisToFirehoseToS3, o: PipelineOptions, path: str
) -> list[AlarmSpec]:
    freshness = o.data_freshness_alarm_threshold
    return [
        AlarmSpec(
            "ThrottledGetRecordsAlarm",
            # With a Kinesis source, Firehose's throttling is on its reads of the stream
            # (ThrottledRecords counts Direct PUT ingestion, which this pattern has not).
            pattern.metric_throttled_get_records(period=FIVE_MINUTES, statistic=SUM),
            1,
            f"Firehose's reads of {path} were throttled for 15 minutes: delivery falls "
            "behind the stream (see the delivery iterator age); other consumers may use up "
            "the shards' read quota",
            evaluation_periods=3,
        ),
        AlarmSpec(
            "DataFreshnessAlarm",
            pattern.metric_delivery_to_s3_data_freshness(period=FIVE_MINUTES, statistic=MAXIMUM),
            _seconds(freshness),
            f"The oldest record of {path} not yet in S3 is at least "
            f"{human_string_of(freshness)} old: delivery is stalled or failing",
        ),
        AlarmSpec(
            "DeliveryFailureAlarm",
            pattern.metric_delivery_to_s3_success(period=FIVE_MINUTES, statistic=MINIMUM),
            1,
            f"Some deliveries of {path} to S3 failed; see the delivery log group and the "
            "error output prefix",
            comparison_operator=BELOW,
        ),
    ]


def _option_alarms(
    pattern: KinesisToFirehoseToS3, o: PipelineOptions, path: str
) -> list[AlarmSpec]:
    """The alarms of the transformation, the conversion and dynamic partitioning, if on."""
    specs: list[AlarmSpec] = []
    if o.transformation_function is not None:
        errors = o.transformation_function.metric_errors(period=FIVE_MINUTES, statistic=SUM)
        specs.append(
            AlarmSpec(
                "TransformationErrorsAlarm",
                errors,
                1,
                f"The transformation function of {path} failed; Firehose retries, then writes "
                "the buffer under the error prefix (processing-failed)",
            )
        )
        specs.append(
            AlarmSpec(
                "ProcessingFailureAlarm",
                pattern.metric_execute_processing_success(period=FIVE_MINUTES, statistic=MINIMUM),
                1,
                f"Firehose could not invoke the transformation function of {path}; see the "
                "error output prefix (processing-failed)",
                comparison_operator=BELOW,
            )
        )
    if o.converts:
        specs.append(
            AlarmSpec(
                "ConversionFailureAlarm",
                pattern.metric_failed_conversion_records(period=FIVE_MINUTES, statistic=SUM),
                1,
                f"Records of {path} did not match the table schema and were written under the "
                "error prefix (format-conversion-failed)",
            )
        )
    if o.dynamic_partitioning_keys:
        specs.append(
            AlarmSpec(
                "PartitionCountExceededAlarm",
                pattern.metric_partition_count_exceeded(period=FIVE_MINUTES, statistic=MAXIMUM),
                1,
                f"{path} reached its active partition limit; further records go under the "
                "error prefix until partitions are delivered",
            )
        )
    return specs


def add_section(
    pattern: KinesisToFirehoseToS3,
    dashboard: cloudwatch.Dashboard,
    *,
    path: str,
    planned_shards: int | None,
    alarms: Sequence[cloudwatch.Alarm],
) -> None:
    """The pipeline's dashboard section (see ``KinesisToFirehoseToS3.add_to_dashboard``)."""
    total = SUM
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
        f"Kinesis to Firehose to S3 {path}",
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
