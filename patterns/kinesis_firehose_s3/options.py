"""The options of ``KinesisToFirehoseToS3`` as one value, checked once and read by every step.

``PipelineOptions`` holds what the constructor was given (documented there) and what follows
from it in Python (the compression format, the removal policies, what a new key encrypts),
so no step asks a CDK object for something Python already knows. ``validate`` runs the
checks of every concern in order: transformation, dynamic partitioning, conversion, then the
stream, delivery, log and alarm options.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from aws_cdk import Duration, RemovalPolicy, Size
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from patterns.kinesis_firehose_s3.conversion import validate_conversion
from patterns.kinesis_firehose_s3.layout import PartitionColumn
from patterns.kinesis_firehose_s3.processing import (
    validate_dynamic_partitioning,
    validate_transformation,
)
from patterns.kinesis_firehose_s3.shard_planning import StreamThroughput
from patterns.kinesis_firehose_s3.validation import validate
from patterns.removal import DATA_REMOVAL_POLICY, IN_TRANSIT_REMOVAL_POLICY


@dataclass(frozen=True)
class PipelineOptions:
    """The keyword arguments of ``KinesisToFirehoseToS3`` (documented on its constructor)."""

    stream: kinesis.IStream | None
    stream_name: str | None
    stream_mode: kinesis.StreamMode | None
    shard_count: int | None
    throughput: StreamThroughput | None
    retention_period: Duration | None
    bucket: s3.IBucket | None
    encryption_key: kms.IKey | None
    delivery_stream_name: str | None
    buffering_interval: Duration
    buffering_size: Size
    compression: firehose.Compression | None
    prefix: str
    error_output_prefix: str
    transformation_function: lambda_.IFunction | None
    transformation_buffering_interval: Duration | None
    transformation_buffering_size: Size | None
    transformation_retries: int | None
    output_format: firehose.IOutputFormat | None
    input_format: firehose.IInputFormat | None
    columns: Sequence[glue.Column] | None
    table: glue.ITable | None
    database: glue.IDatabase | None
    partition_projections: Mapping[str, glue.PartitionProjectionConfiguration] | None
    dynamic_partitioning_keys: Mapping[str, str] | None
    log_retention: logs.RetentionDays
    removal_policy: RemovalPolicy | None
    alarm_actions: Sequence[cloudwatch.IAlarmAction]
    iterator_age_alarm_threshold: Duration
    data_freshness_alarm_threshold: Duration

    # --- derived (Python knows them: no CDK object is asked) ----------------------------

    @cached_property
    def compression_format(self) -> str:
        """The S3 compression: the given one, else ``UNCOMPRESSED`` when converting (the
        columnar format compresses inside), else ``GZIP``."""
        if self.compression is not None:
            return str(self.compression.value)
        return "UNCOMPRESSED" if self.output_format is not None else "GZIP"

    @property
    def stream_removal(self) -> RemovalPolicy:
        """The new stream's: records in transit go (see Removal policy on the Lifecycle and
        updates page)."""
        return self.removal_policy or IN_TRANSIT_REMOVAL_POLICY

    @property
    def data_removal(self) -> RemovalPolicy:
        """The new buckets': data stays (see Removal policy on the Lifecycle and updates page)."""
        return self.removal_policy or DATA_REMOVAL_POLICY

    @property
    def encrypted_removals(self) -> list[RemovalPolicy]:
        """The removal policies of what a new key encrypts: the delivery log group (always
        destroyed), the new stream and the new bucket."""
        removals = [RemovalPolicy.DESTROY]
        if self.stream is None:
            removals.append(self.stream_removal)
        if self.bucket is None:
            removals.append(self.data_removal)
        return removals

    @property
    def partition_keys(self) -> Mapping[str, str]:
        return self.dynamic_partitioning_keys or {}

    @property
    def converts(self) -> bool:
        return self.output_format is not None

    def validate(self) -> list[PartitionColumn]:
        """Every check, in order; the partition columns of a new table (else empty)."""
        validate_transformation(self)
        validate_dynamic_partitioning(self)
        layout = validate_conversion(self)
        validate(self)
        return layout
