"""The templates the KinesisToFirehoseToS3 tests share, synthesized once for the package."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, Size
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from patterns import KinesisToFirehoseToS3, StreamThroughput
from tests.helpers import synth_stack
from tests.kinesis_firehose_s3.common import (
    ACCOUNT,
    EXISTING_TABLE_ARN,
    POSITION_COLUMNS,
    TRUCK_PREFIX,
    transform_function,
)


@pytest.fixture(scope="package")
def two() -> Template:
    """Two instances in one stack: defaults, and a planned stream with custom delivery."""

    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(stack, "First")
        topic = sns.Topic(stack, "AlarmTopic")
        KinesisToFirehoseToS3(
            stack,
            "Second",
            throughput=StreamThroughput(write_mb_per_second=5 * 2, read_mb_per_second=8 * 2),
            retention_period=Duration.days(7),
            buffering_interval=Duration.seconds(300),
            buffering_size=Size.mebibytes(128),
            compression=firehose.Compression.SNAPPY,
            prefix="raw/!{timestamp:yyyy/MM/dd}/",
            error_output_prefix="failed/!{firehose:error-output-type}/",
            log_retention=logs.RetentionDays.THREE_MONTHS,
            alarm_actions=[cloudwatch_actions.SnsAction(topic)],
            iterator_age_alarm_threshold=Duration.hours(6),
            data_freshness_alarm_threshold=Duration.minutes(30),
        )

    return synth_stack(build)


@pytest.fixture(scope="package")
def existing() -> Template:
    """An existing encrypted stream and an existing bucket without a known key."""

    def build(stack: cdk.Stack) -> None:
        key = kms.Key.from_key_arn(
            stack, "StreamKey", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/stream-key"
        )
        stream = kinesis.Stream.from_stream_attributes(
            stack,
            "Stream",
            stream_arn=f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/clicks",
            encryption_key=key,
        )
        bucket = s3.Bucket.from_bucket_name(stack, "Bucket", "analytics-lake")
        KinesisToFirehoseToS3(stack, "Ingest", stream=stream, bucket=bucket)

        keyed_bucket = s3.Bucket.from_bucket_attributes(
            stack,
            "KeyedBucket",
            bucket_name="keyed-lake",
            encryption_key=kms.Key.from_key_arn(
                stack, "BucketKey", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/bucket-key"
            ),
        )
        KinesisToFirehoseToS3(stack, "Keyed", bucket=keyed_bucket)

    return synth_stack(build)


@pytest.fixture(scope="package")
def converted() -> Template:
    """Trucks: everything on; Orc: the default prefix as ORC; Existing: an existing table."""

    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(
            stack,
            "Trucks",
            prefix=TRUCK_PREFIX,
            error_output_prefix="positions-errors/!{firehose:error-output-type}/",
            transformation_function=transform_function(stack),
            transformation_buffering_interval=Duration.seconds(120),
            transformation_buffering_size=Size.mebibytes(2),
            transformation_retries=5,
            output_format=firehose.OutputFormat.PARQUET,
            columns=POSITION_COLUMNS,
            partition_projections={
                "truck": glue.PartitionProjectionConfiguration.integer(min=1, max=100)
            },
            dynamic_partitioning_keys={"truck": ".truck_id"},
        )
        KinesisToFirehoseToS3(
            stack,
            "Orc",
            output_format=firehose.OrcOutputFormat(),
            columns=POSITION_COLUMNS,
        )
        KinesisToFirehoseToS3(
            stack,
            "Existing",
            output_format=firehose.OutputFormat.PARQUET,
            table=glue.S3Table.from_table_arn(stack, "Clicks", EXISTING_TABLE_ARN),
        )

    return synth_stack(build)
