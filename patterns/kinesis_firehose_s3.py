"""``KinesisToFirehoseToS3``: a Kinesis data stream delivered by Amazon Data Firehose into S3."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from aws_cdk import (
    Annotations,
    ArnFormat,
    Duration,
    RemovalPolicy,
    Size,
    SizeRoundingBehavior,
    Stack,
    Token,
)
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from patterns import dashboards
from patterns.alarms import create_alarm
from patterns.buckets import create_secure_bucket
from patterns.compliance import acknowledge, acknowledge_all, flatten_cfn_reference
from patterns.firehose_layout import PartitionColumn, location_template
from patterns.firehose_processing import (
    BUFFERING_INTERVAL_MAX,
    ERROR_OUTPUT_TYPE,
    SchemaLocation,
    TransformationTimeout,
    conversion_configuration,
    glue_projection,
    new_database,
    processing_configuration,
    validate_conversion,
    validate_dynamic_partitioning,
    validate_transformation,
)
from patterns.naming import physical_name
from patterns.policies import via_service
from patterns.removal import (
    DATA_REMOVAL_POLICY,
    IN_TRANSIT_REMOVAL_POLICY,
    KEY_PENDING_WINDOW,
    key_removal_policy,
)
from patterns.shard_planning import (
    SHARD_WRITE_MB_PER_SECOND,
    SHARD_WRITE_RECORDS_PER_SECOND,
    StreamThroughput,
)
from patterns.validation import (
    check_duration,
    check_exclusive_with_existing,
    check_not_both,
    check_range,
)

if TYPE_CHECKING:
    from aws_cdk import aws_lambda as lambda_

    from patterns.consumers.stream_lambda import LambdaStreamConsumer
    from patterns.queue_with_dlq import QueueWithDeadLetterQueue

# Kinesis Data Streams: retention from 24 hours to 365 days (8,760 hours).
RETENTION_MIN = Duration.hours(24)
RETENTION_MAX = Duration.hours(8760)
# Default per-region shard quota is 500 in us-east-1, us-west-2 and eu-west-1, 200 elsewhere.
DEFAULT_SHARD_QUOTA = 200
STREAM_NAME_MAX_LENGTH = 128
DELIVERY_STREAM_NAME_MAX_LENGTH = 64
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")

# Amazon Data Firehose buffering hints for S3 destinations.
BUFFERING_SIZE_MIB_RANGE = (1, 128)
PREFIX_MAX_LENGTH = 1024
COMPRESSION_FORMATS = ("UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY")
# The namespaces Firehose evaluates without dynamic partitioning; with it, also the keys.
_EXPRESSION = re.compile(r"!\{([^{}]*)\}")
_VALID_EXPRESSION = re.compile(r"^(timestamp:[^{}]+|firehose:(random-string|error-output-type))$")
_PARTITION_KEY_EXPRESSION = re.compile(r"^partitionKeyFrom(Query|Lambda):([^{}]*)$")


DEFAULT_RETENTION = RETENTION_MIN
DEFAULT_BUFFERING_INTERVAL = Duration.seconds(60)
DEFAULT_BUFFERING_SIZE = Size.mebibytes(64)
DEFAULT_PREFIX = (
    "data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
)
DEFAULT_ERROR_OUTPUT_PREFIX = (
    "errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}"
    "/day=!{timestamp:dd}/"
)
DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR
DEFAULT_ITERATOR_AGE_ALARM = Duration.hours(1)
DEFAULT_DATA_FRESHNESS_ALARM = Duration.minutes(15)
DATA_FRESHNESS_ALARM_MAX = Duration.days(1)
LOG_STREAM_NAME = "DestinationDelivery"

# What Firehose needs to read a Kinesis data stream (Firehose developer guide).
STREAM_READ_ACTIONS = (
    "kinesis:DescribeStream",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
)
# Object-level actions for delivery, limited to the two prefixes; no s3:DeleteObject*.
OBJECT_WRITE_ACTIONS = ("s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject")
BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads")
# What Firehose needs to read the conversion schema and to call the transformation function.
GLUE_SCHEMA_ACTIONS = ("glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions")
LAMBDA_ACTIONS = ("lambda:GetFunctionConfiguration", "lambda:InvokeFunction")
# What CloudWatch Logs needs from the key of an encrypted log group.
LOGS_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)


class KinesisToFirehoseToS3(Construct):
    """A Kinesis data stream that Amazon Data Firehose delivers, compressed, into an S3 bucket.

    Producers write to the stream, which any number of applications can read and replay
    within its retention period; the delivery stream reads it too and writes batches under
    a time-partitioned prefix, and failed records under a separate error prefix. The stream,
    the bucket and the delivery error logs are encrypted with one customer-managed key.
    The delivery role may read only this stream and write only under the two prefixes.
    Alarms watch iterator age, write throttling, data freshness and delivery failures.

    Along the way Firehose can transform records with a Lambda function, convert JSON to
    Parquet or ORC with the schema of a Glue table (one this construct creates from declared
    columns, partitioned like the prefix with partition projection, so Athena queries it with
    no crawler), and partition records by their own fields (dynamic partitioning).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stream: kinesis.IStream | None = None,
        stream_name: str | None = None,
        stream_mode: kinesis.StreamMode | None = None,
        shard_count: int | None = None,
        throughput: StreamThroughput | None = None,
        retention_period: Duration | None = None,
        bucket: s3.IBucket | None = None,
        encryption_key: kms.IKey | None = None,
        delivery_stream_name: str | None = None,
        buffering_interval: Duration = DEFAULT_BUFFERING_INTERVAL,
        buffering_size: Size = DEFAULT_BUFFERING_SIZE,
        compression: firehose.Compression | None = None,
        prefix: str = DEFAULT_PREFIX,
        error_output_prefix: str = DEFAULT_ERROR_OUTPUT_PREFIX,
        transformation_function: lambda_.IFunction | None = None,
        transformation_buffering_interval: Duration | None = None,
        transformation_buffering_size: Size | None = None,
        transformation_retries: int | None = None,
        output_format: firehose.IOutputFormat | None = None,
        input_format: firehose.IInputFormat | None = None,
        columns: Sequence[glue.Column] | None = None,
        table: glue.ITable | None = None,
        database: glue.IDatabase | None = None,
        partition_projections: Mapping[str, glue.PartitionProjectionConfiguration] | None = None,
        dynamic_partitioning_keys: Mapping[str, str] | None = None,
        log_retention: logs.RetentionDays = DEFAULT_LOG_RETENTION,
        removal_policy: RemovalPolicy | None = None,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
        iterator_age_alarm_threshold: Duration = DEFAULT_ITERATOR_AGE_ALARM,
        data_freshness_alarm_threshold: Duration = DEFAULT_DATA_FRESHNESS_ALARM,
    ) -> None:
        """Define the stream, the delivery stream, the bucket, their key, logs and alarms.

        :param stream: An existing stream to deliver, for example one that other applications
            already write to. Its capacity, retention and encryption stay the owner's; if it
            is encrypted, import it with its ``encryption_key`` so the delivery role can
            decrypt. Default: a new stream.
        :param stream_name: Physical name of the new stream. Default: generated by
            CloudFormation (unique, so two instances never collide).
        :param stream_mode: ``PROVISIONED`` (fixed shards, cheapest for a steady, known load)
            or ``ON_DEMAND`` (scales by itself, for unknown or spiky loads). Default:
            ``PROVISIONED`` when ``shard_count`` or ``throughput`` is given, else
            ``ON_DEMAND``: an unplanned stream should not throttle at 1 MB/s.
        :param shard_count: Shards of a provisioned stream, at least 1. Default: planned from
            ``throughput``. Not allowed with ``throughput`` or ``ON_DEMAND``.
        :param throughput: The workload's peak rates; the stream gets
            ``throughput.shard_count`` shards (see ``plan_shard_count``). Default: none.
        :param retention_period: How long the stream keeps records for consumers to read or
            replay, 24 hours to 365 days. Default: 24 hours (no extended-retention charge).
        :param bucket: An existing destination bucket. Its encryption, versioning and
            policies stay the owner's; the delivery role only writes under ``prefix`` and
            ``error_output_prefix``. Objects are encrypted with the bucket's
            ``encryption_key`` if it has one, else by the bucket's default encryption.
            Default: a new versioned, TLS-only bucket encrypted with ``encryption_key``, with
            an access-log bucket.
        :param encryption_key: The customer-managed key for the new stream, the new bucket and
            the delivery error log group. An imported key must already allow CloudWatch Logs
            to use it for that log group. Default: a new key with yearly rotation, retained on
            deletion so that retained data stays readable.
        :param delivery_stream_name: Physical name of the delivery stream. Default: generated
            by CloudFormation.
        :param buffering_interval: Longest time Firehose buffers records before writing an
            object, 0 to 900 seconds. Default: 60 seconds (objects at most a minute behind).
        :param buffering_size: Largest buffer before Firehose writes an object, 1 to 128 MiB.
            Default: 64 MiB (fewer, larger objects for analytics at high rates).
        :param compression: Compression of the delivered objects. Default: ``GZIP``, which
            Athena, Glue and Spark read directly.
        :param prefix: Object key prefix, with optional ``!{timestamp:...}`` and
            ``!{firehose:random-string}`` expressions. It must start with a literal folder
            (the role is limited to it). Default: ``data/year=.../month=.../day=.../hour=.../``
            (Hive-style partitions, so queries can prune by time).
        :param error_output_prefix: Key prefix for records Firehose could not deliver; required
            when ``prefix`` uses expressions, and must then contain
            ``!{firehose:error-output-type}`` if it uses expressions itself. Default:
            ``errors/!{firehose:error-output-type}/year=.../month=.../day=.../``.
        :param transformation_function: A Lambda function Firehose invokes synchronously with
            each buffer of records, before conversion and partitioning; it returns each record
            as ``Ok``, ``Dropped`` or ``ProcessingFailed``. Failed records land under
            ``error_output_prefix`` as ``processing-failed``. The delivery role may invoke only
            this function. Its timeout may be at most 5 minutes. Default: no transformation.
        :param transformation_buffering_interval: Longest time Firehose buffers records before
            invoking the function, 0 to 900 seconds. Default: 60 seconds.
        :param transformation_buffering_size: Largest buffer passed to one invocation, 1 to 3
            whole MiB (the invocation payload limit is 6 MB). Default: 1 MiB.
        :param transformation_retries: Retries of an invocation that timed out or was
            throttled, 0 to 300, before the buffer counts as failed. Default: 3.
        :param output_format: Convert the JSON records to this columnar format with the schema
            of ``columns`` or ``table``: ``firehose.OutputFormat.PARQUET`` (Snappy inside) or
            ``firehose.OutputFormat.ORC``, or a ``ParquetOutputFormat``/``OrcOutputFormat``
            with its own settings. The S3 compression is then ``UNCOMPRESSED`` (the format
            compresses inside) and ``buffering_size`` at least 64 MiB. Records that do not
            match the schema land under ``error_output_prefix`` as
            ``format-conversion-failed``. Default: no conversion.
        :param input_format: How Firehose reads the JSON records for conversion. Default:
            ``firehose.InputFormat.OPENX_JSON``.
        :param columns: The record's columns for the Glue table this construct creates for the
            conversion (``glue.Column(name=..., type=glue.Schema.DOUBLE)``). The table is
            stored under the prefix, has one string partition column per Hive-style
            ``name=!{...}`` folder of ``prefix`` and projects them (no crawler, no
            ``MSCK REPAIR``). Default: none (pass ``table`` instead).
        :param table: An existing Glue table whose schema the conversion uses; the delivery
            role may read only that table's definition. Its partitions and projection stay the
            owner's. Not with ``columns``. Default: none.
        :param database: The Glue database of the new table. Default: a new database.
        :param partition_projections: Projection of some partition columns of the new table,
            by column name, replacing the inferred one: for example
            ``glue.PartitionProjectionConfiguration.integer(min=1, max=100)`` for a key with
            known values, so queries need not name one. Default: inferred from ``prefix``:
            dates for ``!{timestamp:yyyy...}`` (the last 5 years to now), 1-12, 1-31 and 0-23
            for ``MM``, ``dd`` and ``HH``, and injected (queries give the value with ``=``)
            for partition keys.
        :param dynamic_partitioning_keys: Partition keys taken from each JSON record with jq
            (1.6) expressions, for example ``{"truck": ".truck_id"}``, used in ``prefix`` as
            ``!{partitionKeyFromQuery:truck}``. Turns on dynamic partitioning, which needs
            ``buffering_size`` of at least 64 MiB, an ``error_output_prefix``, and can only be
            set when the delivery stream is created: adding or removing it replaces the
            delivery stream. Default: none (partitioned by arrival time only).
        :param log_retention: How long delivery error logs are kept (never ``INFINITE``).
            Default: one year.
        :param removal_policy: What happens to the new stream and the new buckets when they
            leave the stack. Default: the stream is destroyed (it carries records in transit,
            and a retained stream keeps billing shard-hours) and the buckets are retained
            (deleting a stack must not delete data). The new key follows what it encrypts:
            retained while a bucket it encrypts is.
        :param alarm_actions: Actions for every alarm, on alarm and on return to OK.
            Default: none (the alarms are still created).
        :param iterator_age_alarm_threshold: Alarm when reads fall this far behind the newest
            record; records older than the retention period are lost. Between 1 minute and
            the retention period. Default: 1 hour.
        :param data_freshness_alarm_threshold: Alarm when the oldest record not yet in S3 is
            this old. Longer than ``buffering_interval`` plus a minute, at most 1 day.
            Default: 15 minutes.
        """
        super().__init__(scope, construct_id)
        # For add_lambda_consumer: the plan to re-plan, the actions of the consumers' alarms.
        self._throughput, self._alarm_actions = throughput, tuple(alarm_actions)

        effective_retention = retention_period or DEFAULT_RETENTION
        effective_compression = compression or (
            firehose.Compression.UNCOMPRESSED
            if output_format is not None
            else firehose.Compression.GZIP
        )
        validate_transformation(
            function=transformation_function,
            buffering_interval=transformation_buffering_interval,
            buffering_size=transformation_buffering_size,
            retries=transformation_retries,
        )
        validate_dynamic_partitioning(
            keys=dynamic_partitioning_keys,
            buffering_interval=buffering_interval,
            buffering_size=buffering_size,
            prefix=prefix,
            error_output_prefix=error_output_prefix,
        )
        layout = validate_conversion(
            output_format=output_format,
            input_format=input_format,
            columns=columns,
            table=table,
            database=database,
            partition_projections=partition_projections,
            compression=compression,
            buffering_size=buffering_size,
            prefix=prefix,
        )
        _validate(
            stream=stream,
            stream_name=stream_name,
            stream_mode=stream_mode,
            shard_count=shard_count,
            throughput=throughput,
            retention_period=retention_period,
            delivery_stream_name=delivery_stream_name,
            buffering_interval=buffering_interval,
            buffering_size=buffering_size,
            compression=effective_compression,
            prefix=prefix,
            error_output_prefix=error_output_prefix,
            log_retention=log_retention,
            iterator_age_alarm_threshold=iterator_age_alarm_threshold,
            data_freshness_alarm_threshold=data_freshness_alarm_threshold,
            effective_retention=effective_retention if stream is None else RETENTION_MAX,
            dynamic_partitioning_keys=dynamic_partitioning_keys or {},
            has_transformation=transformation_function is not None,
        )
        stack = Stack.of(self)

        # One removal rule (patterns.removal): records in transit go, data stays, keys follow.
        stream_removal = removal_policy or IN_TRANSIT_REMOVAL_POLICY
        data_removal = removal_policy or DATA_REMOVAL_POLICY
        encrypted = [RemovalPolicy.DESTROY]  # the delivery log group
        if stream is None:
            encrypted.append(stream_removal)
        if bucket is None:
            encrypted.append(data_removal)
        self._encryption_key = encryption_key or kms.Key(
            self,
            "EncryptionKey",
            description=f"Encrypts the stream, bucket and delivery logs of {self.node.path}",
            enable_key_rotation=True,
            removal_policy=key_removal_policy(*encrypted),
            pending_window=KEY_PENDING_WINDOW,
        )

        # Stream: new (encrypted with the key, sized by plan) or existing.
        if stream is None:
            planned = shard_count
            if throughput is not None:
                planned = throughput.shard_count
            mode = stream_mode or (
                kinesis.StreamMode.PROVISIONED
                if planned is not None
                else kinesis.StreamMode.ON_DEMAND
            )
            if (
                planned is not None
                and not Token.is_unresolved(planned)
                and planned > DEFAULT_SHARD_QUOTA
            ):
                Annotations.of(self).add_warning_v2(
                    "patterns:ShardQuota",
                    f"{planned} shards exceed the default shard quota of most regions "
                    f"({DEFAULT_SHARD_QUOTA}; 500 in us-east-1, us-west-2 and eu-west-1): "
                    "request a quota increase before deploying, or use ON_DEMAND",
                )
            self._stream: kinesis.IStream = kinesis.Stream(
                self,
                "Stream",
                stream_name=stream_name,
                stream_mode=mode,
                shard_count=planned,
                retention_period=effective_retention,
                encryption=kinesis.StreamEncryption.KMS,
                encryption_key=self._encryption_key,
                removal_policy=stream_removal,
            )
            acknowledge(
                self._stream,
                "AwsSolutions::AwsSolutions-KDS3",
                "A customer-managed key is deliberate: its policy and rotation stay under the "
                "owner's control, it can be shared with consumers in other accounts and "
                "disabled to cut off access, none of which the aws/kinesis key allows.",
            )
        else:
            self._stream = stream
        # Shards of a new provisioned stream, for the capacity lines of the dashboard.
        self._planned_shards: int | None = None
        if stream is None and mode == kinesis.StreamMode.PROVISIONED and planned is not None:
            self._planned_shards = None if Token.is_unresolved(planned) else int(planned)

        # Bucket: new (secure defaults, this key) or existing.
        if bucket is None:
            secure = create_secure_bucket(
                self, encryption_key=self._encryption_key, removal_policy=data_removal
            )
            self._bucket: s3.IBucket = secure.bucket
            destination_key: kms.IKey | None = self._encryption_key
        else:
            self._bucket = bucket
            destination_key = bucket.encryption_key

        # The conversion schema: a new table laid out like the prefix, or the existing one.
        self._database: glue.IDatabase | None = None
        self._table: glue.ITable | None = table
        if columns is not None and output_format is not None:
            self._database = database or new_database(self)
            self._table = self._create_table(
                database=self._database,
                columns=columns,
                output_format=output_format,
                prefix=prefix,
                layout=layout,
                partition_projections=partition_projections or {},
            )

        # Delivery error logs: a fixed, path-derived name so the key policy can name the group.
        log_group_name = "/aws/kinesisfirehose/" + physical_name(self, max_length=128)
        log_group_arn = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=log_group_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        added = self._encryption_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsForTheDeliveryLogGroup",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=list(LOGS_KEY_ACTIONS),
                resources=["*"],
                conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
            )
        )
        if not added.statement_added:
            Annotations.of(self).add_warning_v2(
                "patterns:ImportedKeyPolicy",
                f"encryption_key is imported, so its key policy cannot be changed here: allow "
                f"logs.<region>.amazonaws.com to use it for {log_group_name}, or the log group "
                "cannot be created",
            )
        self._log_group = logs.LogGroup(
            self,
            "DeliveryLogGroup",
            log_group_name=log_group_name,
            retention=log_retention,
            encryption_key=self._encryption_key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        log_stream = logs.LogStream(
            self,
            "DeliveryLogStream",
            log_group=self._log_group,
            log_stream_name=LOG_STREAM_NAME,
            removal_policy=RemovalPolicy.DESTROY,
        )

        # The delivery role: read this stream, write under the two prefixes, log errors. A
        # customer-managed policy (not inline), which the delivery stream waits for: Firehose checks
        # its access to the stream when the delivery stream is created.
        self._role = iam.Role(
            self,
            "DeliveryRole",
            assumed_by=iam.ServicePrincipal(
                "firehose.amazonaws.com",
                conditions={"StringEquals": {"sts:ExternalId": stack.account}},
            ),
            description=f"Lets Amazon Data Firehose deliver {self.node.path} to S3",
        )
        roots = sorted({_static_root(p) for p in (prefix, error_output_prefix) if p})
        object_arns = [f"{self._bucket.bucket_arn}/{root}*" for root in roots]
        delivery_policy = iam.ManagedPolicy(
            self,
            "DeliveryPolicy",
            roles=[self._role],
            statements=self._delivery_statements(
                stack=stack,
                destination_key=destination_key,
                object_arns=object_arns,
                log_stream_arn=stack.format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=f"{log_group_name}:log-stream:{LOG_STREAM_NAME}",
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                ),
                schema=SchemaLocation(self._table) if self._table is not None else None,
                function=transformation_function,
            ),
        )
        acknowledge_all(
            delivery_policy,
            {
                "AwsSolutions::AwsSolutions-IAM5[Resource::"
                + flatten_cfn_reference(stack.resolve(object_arn))
                + "]": (
                    "Firehose names every object it writes (timestamp and random suffix), so "
                    "object permissions can be limited to this pattern's prefix but not to "
                    "single keys."
                )
                for object_arn in object_arns
            },
        )

        encryption_configuration = (
            firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
                kms_encryption_config=firehose.CfnDeliveryStream.KMSEncryptionConfigProperty(
                    awskms_key_arn=destination_key.key_arn
                )
            )
            if destination_key is not None
            else firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
                no_encryption_config="NoEncryption"
            )
        )
        schema = SchemaLocation(self._table) if self._table is not None else None
        # Dynamic partitioning is fixed when a delivery stream is created: Firehose rejects
        # switching it on or off later, although CloudFormation would try an in-place update.
        # A partitioned delivery stream therefore has its own ID, so that the switch is a
        # replacement (a new delivery stream, then the old one deleted) instead of a failure.
        if dynamic_partitioning_keys:
            Annotations.of(self).add_warning_v2(
                "patterns:DynamicPartitioningCreateOnly",
                "dynamic partitioning can only be set when a delivery stream is created: adding "
                "or removing dynamic_partitioning_keys later replaces the delivery stream "
                "(records buffered in the old one when it is deleted are lost, and a fixed "
                "delivery_stream_name must change at the same time)",
            )
        self._cfn_delivery_stream = firehose.CfnDeliveryStream(
            self,
            "PartitionedDeliveryStream" if dynamic_partitioning_keys else "DeliveryStream",
            delivery_stream_name=delivery_stream_name,
            delivery_stream_type="KinesisStreamAsSource",
            kinesis_stream_source_configuration=(
                firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
                    kinesis_stream_arn=self._stream.stream_arn, role_arn=self._role.role_arn
                )
            ),
            extended_s3_destination_configuration=(
                firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                    bucket_arn=self._bucket.bucket_arn,
                    role_arn=self._role.role_arn,
                    prefix=prefix,
                    error_output_prefix=error_output_prefix or None,
                    buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                        interval_in_seconds=buffering_interval.to_seconds(),
                        size_in_m_bs=buffering_size.to_mebibytes(),
                    ),
                    compression_format=effective_compression.value,
                    encryption_configuration=encryption_configuration,
                    cloud_watch_logging_options=(
                        firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                            enabled=True,
                            log_group_name=self._log_group.log_group_name,
                            log_stream_name=log_stream.log_stream_name,
                        )
                    ),
                    s3_backup_mode="Disabled",
                    processing_configuration=processing_configuration(
                        role_arn=self._role.role_arn,
                        function=transformation_function,
                        buffering_interval=transformation_buffering_interval,
                        buffering_size=transformation_buffering_size,
                        retries=transformation_retries,
                        partitioning_keys=dynamic_partitioning_keys,
                    ),
                    dynamic_partitioning_configuration=(
                        firehose.CfnDeliveryStream.DynamicPartitioningConfigurationProperty(
                            enabled=True
                        )
                        if dynamic_partitioning_keys
                        else None
                    ),
                    data_format_conversion_configuration=(
                        conversion_configuration(
                            role_arn=self._role.role_arn,
                            output_format=output_format,
                            input_format=input_format or firehose.InputFormat.OPENX_JSON,
                            schema=schema,
                        )
                        if output_format is not None and schema is not None
                        else None
                    ),
                )
            ),
        )
        self._cfn_delivery_stream.node.add_dependency(delivery_policy)
        self._acknowledge_delivery_stream(self._cfn_delivery_stream)
        if isinstance(transformation_function, lambda_.Function):
            self.node.add_validation(TransformationTimeout(transformation_function))

        self._alarms = self._create_alarms(
            alarm_actions=alarm_actions,
            iterator_age_alarm_threshold=iterator_age_alarm_threshold,
            data_freshness_alarm_threshold=data_freshness_alarm_threshold,
            transformation_function=transformation_function,
            converts=output_format is not None,
            partitions=bool(dynamic_partitioning_keys),
        )

    @property
    def stream(self) -> kinesis.IStream:
        """The Kinesis data stream producers write to: new, or the existing one passed in."""
        return self._stream

    @property
    def delivery_stream(self) -> firehose.CfnDeliveryStream:
        """The Firehose delivery stream that reads the stream and writes to the bucket.

        ``ref`` is its name and ``attr_arn`` its ARN; :meth:`metric_delivery` makes metrics.
        Its construct ID is ``DeliveryStream``, or ``PartitionedDeliveryStream`` with dynamic
        partitioning (which can only be set when a delivery stream is created).
        """
        return self._cfn_delivery_stream

    @property
    def bucket(self) -> s3.IBucket:
        """The destination bucket: new, or the existing one passed in."""
        return self._bucket

    @property
    def encryption_key(self) -> kms.IKey:
        """The customer-managed key of the new stream, the new bucket and the log group."""
        return self._encryption_key

    @property
    def log_group(self) -> logs.ILogGroup:
        """The log group that receives delivery errors."""
        return self._log_group

    @property
    def delivery_role(self) -> iam.IRole:
        """The role Firehose assumes to read the stream and write to the bucket."""
        return self._role

    @property
    def table(self) -> glue.ITable | None:
        """The Glue table whose schema the conversion uses (new or existing), if converting.

        A new one is a ``glue.S3Table``: ``grant_read(role)`` lets an Athena user query it.
        """
        return self._table

    @property
    def database(self) -> glue.IDatabase | None:
        """The Glue database of the new table, if this construct created the table."""
        return self._database

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """The alarms: iterator age (stream and delivery), write throttling, freshness, failures.

        With the options that need them: transformation function errors and Firehose
        processing failures, conversion failures, and the active partition limit. Then those
        of each Lambda consumer (``add_lambda_consumer``).
        """
        return list(self._alarms)

    def metric_delivery(
        self,
        metric_name: str,
        *,
        period: Duration | None = None,
        statistic: str = cloudwatch.Stats.AVERAGE,
    ) -> cloudwatch.Metric:
        """A metric of the delivery stream (namespace ``AWS/Firehose``), by its name dimension.

        ``period`` defaults to 5 minutes.
        """
        return cloudwatch.Metric(
            namespace="AWS/Firehose",
            metric_name=metric_name,
            dimensions_map={"DeliveryStreamName": self._cfn_delivery_stream.ref},
            period=period or Duration.minutes(5),
            statistic=statistic,
        )

    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None:
        """Add this pipeline's section to ``dashboard``.

        The stream: bytes and records in per minute, against the capacity of the planned
        shards for a new provisioned stream (1 MiB and 1,000 records per second each), and
        read and write throttling. The delivery: records read from the stream, delivered to
        S3 and throttled reads, and bytes delivered.
        Then every alarm (iterator ages, throttling, data freshness, delivery success) with
        its threshold.
        """
        stream, total = self._stream, cloudwatch.Stats.SUM
        bytes_capacity: list[tuple[float, str]] = []
        records_capacity: list[tuple[float, str]] = []
        if self._planned_shards is not None:
            shards = self._planned_shards
            per_minute = 60 * shards
            # Kinesis quotes 1 MiB per second per shard (the planner's "MB").
            bytes_per_second = SHARD_WRITE_MB_PER_SECOND * 1024 * 1024
            bytes_capacity = [(per_minute * bytes_per_second, f"{shards} shards")]
            records_capacity = [(per_minute * SHARD_WRITE_RECORDS_PER_SECOND, f"{shards} shards")]
        dashboards.section(
            dashboard,
            f"Kinesis to Firehose to S3 {self.node.path}",
            "What producers write, what the stream can take, and what reaches the bucket.",
            [
                dashboards.graph(
                    "Stream: bytes in (per minute)",
                    [stream.metric_incoming_bytes(statistic=total, label="bytes in")],
                    thresholds=bytes_capacity,
                ),
                dashboards.graph(
                    "Stream: records in (per minute)",
                    [stream.metric_incoming_records(statistic=total, label="records in")],
                    thresholds=records_capacity,
                ),
                dashboards.graph(
                    "Stream: throttled (per minute)",
                    [
                        stream.metric_write_provisioned_throughput_exceeded(
                            statistic=total, label="writes"
                        ),
                        stream.metric_read_provisioned_throughput_exceeded(
                            statistic=total, label="reads"
                        ),
                    ],
                ),
                dashboards.graph(
                    "Delivery: records (per minute)",
                    [
                        self.metric_delivery(
                            "DataReadFromKinesisStream.Records",
                            period=dashboards.PERIOD,
                            statistic=total,
                        ),
                        self.metric_delivery(
                            "DeliveryToS3.Records", period=dashboards.PERIOD, statistic=total
                        ),
                        self.metric_delivery(
                            "ThrottledGetRecords", period=dashboards.PERIOD, statistic=total
                        ),
                    ],
                ),
                dashboards.graph(
                    "Delivery: bytes (per minute)",
                    [
                        self.metric_delivery(
                            "DeliveryToS3.Bytes", period=dashboards.PERIOD, statistic=total
                        )
                    ],
                ),
                *dashboards.alarm_graphs(self._alarms),
            ],
        )

    def add_lambda_consumer(
        self,
        consumer_id: str,
        function: lambda_.IFunction,
        *,
        failure_destination: QueueWithDeadLetterQueue | None = None,
        enhanced_fan_out: bool = False,
        starting_position: lambda_.StartingPosition | None = None,
        batch_size: int = 100,
        max_batching_window: Duration | None = None,
        parallelization_factor: int = 1,
        bisect_batch_on_error: bool = True,
        retry_attempts: int = 3,
        max_record_age: Duration | None = None,
        report_batch_item_failures: bool = True,
        iterator_age_alarm_threshold: Duration | None = None,
    ) -> LambdaStreamConsumer:
        """Let ``function`` read the stream, with bisect-on-error, a retry limit, a maximum
        record age and an on-failure queue on by default (child ``consumer_id``).

        A classic consumer is counted among the stream's readers: a stream planned from
        ``throughput`` is re-planned for them, one given a ``shard_count`` gets a warning.
        The alarms use this pattern's ``alarm_actions``. See
        :class:`~patterns.LambdaStreamConsumer` for the options.
        """
        from aws_cdk import aws_lambda as lambda_

        from patterns.consumers.stream_lambda import (
            DEFAULT_MAX_RECORD_AGE,
            LambdaStreamConsumer,
            classic_readers_plan,
        )

        consumer = LambdaStreamConsumer(
            self,
            consumer_id,
            stream=self._stream,
            function=function,
            failure_destination=failure_destination,
            enhanced_fan_out=enhanced_fan_out,
            starting_position=starting_position or lambda_.StartingPosition.LATEST,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            parallelization_factor=parallelization_factor,
            bisect_batch_on_error=bisect_batch_on_error,
            retry_attempts=retry_attempts,
            max_record_age=max_record_age or DEFAULT_MAX_RECORD_AGE,
            report_batch_item_failures=report_batch_item_failures,
            iterator_age_alarm_threshold=iterator_age_alarm_threshold,
            alarm_actions=self._alarm_actions,
        )
        if not enhanced_fan_out:
            classic = [
                child
                for child in self.node.children
                if isinstance(child, LambdaStreamConsumer) and not child.enhanced_fan_out
            ]
            classic_readers_plan(
                consumer,
                stream=self._stream,
                throughput=self._throughput,
                classic_readers=1 + len(classic),  # the delivery stream reads it too
            )
        self._alarms.extend(consumer.alarms)  # listed (and drawn) with the pattern's own
        return consumer

    def grant_write(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` put records into the stream (and use its key to encrypt them)."""
        return self._stream.grant_write(grantee)

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the stream as another consumer (and decrypt its records)."""
        return self._stream.grant_read(grantee)

    def _delivery_statements(
        self,
        *,
        stack: Stack,
        destination_key: kms.IKey | None,
        object_arns: list[str],
        log_stream_arn: str,
        schema: SchemaLocation | None,
        function: lambda_.IFunction | None,
    ) -> list[iam.PolicyStatement]:
        bucket_arn = self._bucket.bucket_arn
        statements = [
            iam.PolicyStatement(
                sid="ReadSourceStream",
                actions=list(STREAM_READ_ACTIONS),
                resources=[self._stream.stream_arn],
            ),
            iam.PolicyStatement(
                sid="ListDestinationBucket",
                actions=list(BUCKET_ACTIONS),
                resources=[bucket_arn],
            ),
            iam.PolicyStatement(
                sid="WriteUnderDeliveryPrefixes",
                actions=list(OBJECT_WRITE_ACTIONS),
                resources=object_arns,
            ),
            iam.PolicyStatement(
                sid="WriteDeliveryErrorLogs",
                actions=["logs:PutLogEvents"],
                resources=[log_stream_arn],
            ),
        ]
        if schema is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="ReadConversionSchema",
                    actions=list(GLUE_SCHEMA_ACTIONS),
                    resources=[schema.catalog_arn, schema.database_arn, schema.table_arn],
                )
            )
        if function is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="InvokeTransformationFunction",
                    actions=list(LAMBDA_ACTIONS),
                    resources=[function.function_arn],
                )
            )
        stream_key = self._stream.encryption_key
        if stream_key is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="DecryptSourceStream",
                    actions=["kms:Decrypt"],
                    resources=[stream_key.key_arn],
                    conditions={
                        "StringEquals": {
                            "kms:ViaService": via_service(stack, "kinesis"),
                            "kms:EncryptionContext:aws:kinesis:arn": self._stream.stream_arn,
                        }
                    },
                )
            )
        if destination_key is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="EncryptDeliveredObjects",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[destination_key.key_arn],
                    conditions={
                        "StringEquals": {"kms:ViaService": via_service(stack, "s3")},
                        # The bucket ARN is the context when S3 Bucket Keys are on.
                        "StringLike": {
                            "kms:EncryptionContext:aws:s3:arn": [
                                bucket_arn,
                                *object_arns,
                            ]
                        },
                    },
                )
            )
        return statements

    def _acknowledge_delivery_stream(self, delivery_stream: firehose.CfnDeliveryStream) -> None:
        reason = (
            "Firehose rejects server-side encryption of the delivery stream when its source is a "
            "Kinesis data stream; records stay encrypted at rest in the stream (KMS) and in the "
            "bucket, and in transit with TLS."
        )
        acknowledge(delivery_stream, "AwsSolutions::AwsSolutions-KDF1", reason)

    def _create_alarms(
        self,
        *,
        alarm_actions: Sequence[cloudwatch.IAlarmAction],
        iterator_age_alarm_threshold: Duration,
        data_freshness_alarm_threshold: Duration,
        transformation_function: lambda_.IFunction | None,
        converts: bool,
        partitions: bool,
    ) -> list[cloudwatch.Alarm]:
        alarms = self._stream_and_delivery_alarms(
            alarm_actions=alarm_actions,
            iterator_age_alarm_threshold=iterator_age_alarm_threshold,
            data_freshness_alarm_threshold=data_freshness_alarm_threshold,
        )
        five_minutes = Duration.minutes(5)
        if transformation_function is not None:
            alarms.append(
                create_alarm(
                    self,
                    "TransformationErrorsAlarm",
                    metric=transformation_function.metric_errors(
                        period=five_minutes, statistic=cloudwatch.Stats.SUM
                    ),
                    threshold=1,
                    description=(
                        f"The transformation function of {self.node.path} failed; Firehose "
                        "retries, then writes the buffer under the error prefix "
                        "(processing-failed)"
                    ),
                    actions=alarm_actions,
                )
            )
            alarms.append(
                create_alarm(
                    self,
                    "ProcessingFailureAlarm",
                    metric=self.metric_delivery(
                        "ExecuteProcessing.Success",
                        period=five_minutes,
                        statistic=cloudwatch.Stats.MINIMUM,
                    ),
                    threshold=1,
                    comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                    description=(
                        f"Firehose could not invoke the transformation function of "
                        f"{self.node.path}; see the error output prefix (processing-failed)"
                    ),
                    actions=alarm_actions,
                )
            )
        if converts:
            alarms.append(
                create_alarm(
                    self,
                    "ConversionFailureAlarm",
                    metric=self.metric_delivery(
                        "FailedConversion.Records",
                        period=five_minutes,
                        statistic=cloudwatch.Stats.SUM,
                    ),
                    threshold=1,
                    description=(
                        f"Records of {self.node.path} did not match the table schema and were "
                        "written under the error prefix (format-conversion-failed)"
                    ),
                    actions=alarm_actions,
                )
            )
        if partitions:
            alarms.append(
                create_alarm(
                    self,
                    "PartitionCountExceededAlarm",
                    metric=self.metric_delivery(
                        "PartitionCountExceeded",
                        period=five_minutes,
                        statistic=cloudwatch.Stats.MAXIMUM,
                    ),
                    threshold=1,
                    description=(
                        f"{self.node.path} reached its active partition limit; further records "
                        "go under the error prefix until partitions are delivered"
                    ),
                    actions=alarm_actions,
                )
            )
        return alarms

    def _stream_and_delivery_alarms(
        self,
        *,
        alarm_actions: Sequence[cloudwatch.IAlarmAction],
        iterator_age_alarm_threshold: Duration,
        data_freshness_alarm_threshold: Duration,
    ) -> list[cloudwatch.Alarm]:
        one_minute = Duration.minutes(1)
        five_minutes = Duration.minutes(5)
        age = iterator_age_alarm_threshold
        freshness = data_freshness_alarm_threshold
        return [
            create_alarm(
                self,
                "StreamIteratorAgeAlarm",
                metric=self._stream.metric_get_records_iterator_age_milliseconds(
                    period=one_minute, statistic=cloudwatch.Stats.MAXIMUM
                ),
                threshold=age.to_milliseconds(),
                description=(
                    f"A consumer of {self.node.path} reads records at least "
                    f"{age.to_human_string()} old; past the retention period they are lost"
                ),
                actions=alarm_actions,
            ),
            create_alarm(
                self,
                "DeliveryIteratorAgeAlarm",
                metric=self.metric_delivery(
                    "KinesisMillisBehindLatest",
                    period=one_minute,
                    statistic=cloudwatch.Stats.MAXIMUM,
                ),
                threshold=age.to_milliseconds(),
                description=(
                    f"The delivery stream of {self.node.path} is at least "
                    f"{age.to_human_string()} behind the newest record in the stream"
                ),
                actions=alarm_actions,
            ),
            create_alarm(
                self,
                "WriteThroughputExceededAlarm",
                metric=self._stream.metric_write_provisioned_throughput_exceeded(
                    period=five_minutes, statistic=cloudwatch.Stats.SUM
                ),
                threshold=1,
                description=(
                    f"Writes to {self.node.path} were throttled: producers must retry, and "
                    "the stream needs more shards (or ON_DEMAND)"
                ),
                actions=alarm_actions,
            ),
            create_alarm(
                self,
                "PutRecordsFailedRecordsAlarm",
                metric=self._stream.metric(
                    "PutRecords.FailedRecords", period=five_minutes, statistic=cloudwatch.Stats.SUM
                ),
                threshold=1,
                description=(
                    f"PutRecords calls to {self.node.path} rejected records (throttled or an "
                    "internal failure): producers must retry the failed records of the response"
                ),
                actions=alarm_actions,
            ),
            create_alarm(
                self,
                "ReadThroughputExceededAlarm",
                metric=self._stream.metric_read_provisioned_throughput_exceeded(
                    period=five_minutes, statistic=cloudwatch.Stats.SUM
                ),
                threshold=1,
                evaluation_periods=3,
                description=(
                    f"Reads of {self.node.path} were throttled for 15 minutes: its consumers "
                    "share 2 MB/s and 5 reads/s per shard; use enhanced fan-out or more shards"
                ),
                actions=alarm_actions,
            ),
            create_alarm(
                self,
                "ThrottledGetRecordsAlarm",
                # With a Kinesis source, Firehose's throttling is on its reads of the stream
                # (ThrottledRecords counts Direct PUT ingestion, which this pattern has not).
                metric=self.metric_delivery(
                    "ThrottledGetRecords", period=five_minutes, statistic=cloudwatch.Stats.SUM
                ),
                threshold=1,
                evaluation_periods=3,
                description=(
                    f"Firehose's reads of {self.node.path} were throttled for 15 minutes: "
                    "delivery falls behind the stream (see the delivery iterator age); other "
                    "consumers may use up the shards' read quota"
                ),
                actions=alarm_actions,
            ),
            create_alarm(
                self,
                "DataFreshnessAlarm",
                metric=self.metric_delivery(
                    "DeliveryToS3.DataFreshness",
                    period=five_minutes,
                    statistic=cloudwatch.Stats.MAXIMUM,
                ),
                threshold=freshness.to_seconds(),
                description=(
                    f"The oldest record of {self.node.path} not yet in S3 is at least "
                    f"{freshness.to_human_string()} old: delivery is stalled or failing"
                ),
                actions=alarm_actions,
            ),
            create_alarm(
                self,
                "DeliveryFailureAlarm",
                metric=self.metric_delivery(
                    "DeliveryToS3.Success", period=five_minutes, statistic=cloudwatch.Stats.MINIMUM
                ),
                threshold=1,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                description=(
                    f"Some deliveries of {self.node.path} to S3 failed; see the delivery log "
                    "group and the error output prefix"
                ),
                actions=alarm_actions,
            ),
        ]

    def _create_table(
        self,
        *,
        database: glue.IDatabase,
        columns: Sequence[glue.Column],
        output_format: firehose.IOutputFormat,
        prefix: str,
        layout: list[PartitionColumn],
        partition_projections: Mapping[str, glue.PartitionProjectionConfiguration],
    ) -> glue.S3Table:
        """A table over the delivered objects: partitioned like the prefix and projected."""
        serializer = output_format.create_output_format_config().serializer
        is_orc = getattr(serializer, "orc_ser_de", None) is not None
        projections = {
            column.name: partition_projections.get(column.name) or glue_projection(column)
            for column in layout
        }
        table = glue.S3Table(
            self,
            "Table",
            database=database,
            storage=glue.S3TableStorage.from_bucket(self._bucket),
            s3_prefix=_static_root(prefix),
            description=f"Records delivered by {self.node.path}",
            columns=list(columns),
            partition_keys=[glue.Column(name=c.name, type=glue.Schema.STRING) for c in layout],
            data_format=glue.DataFormat.ORC if is_orc else glue.DataFormat.PARQUET,
            partition_projection=projections or None,
            parameters=(
                {
                    "storage.location.template": location_template(
                        self._bucket.bucket_name, prefix, layout
                    )
                }
                if layout
                else None
            ),
        )
        # Only metadata: the data stays in the bucket, and the schema is in this code.
        table.apply_removal_policy(RemovalPolicy.DESTROY)
        return table


def _static_root(prefix: str) -> str:
    """The literal folder of a prefix: up to the last '/' before its first expression."""
    literal = prefix.split("!{", 1)[0]
    return literal[: literal.rfind("/") + 1]


def _check_name(argument: str, name: str | None, max_length: int) -> None:
    if name is None or Token.is_unresolved(name):
        return
    if not 1 <= len(name) <= max_length or not _NAME_PATTERN.match(name):
        raise ValueError(
            f"{argument} {name!r} must be 1 to {max_length} characters of letters, digits, "
            "underscores, hyphens and periods"
        )


def _check_prefix(
    argument: str,
    value: str,
    *,
    is_error_prefix: bool,
    partition_keys: Mapping[str, str] | None = None,
    has_transformation: bool = False,
) -> None:
    if Token.is_unresolved(value):
        return
    if len(value) > PREFIX_MAX_LENGTH:
        raise ValueError(
            f"{argument} may be at most {PREFIX_MAX_LENGTH} characters, got {len(value)}"
        )
    for expression in _EXPRESSION.findall(value):
        if _VALID_EXPRESSION.match(expression):
            continue
        key_match = _PARTITION_KEY_EXPRESSION.match(expression)
        if key_match is None or is_error_prefix or not partition_keys:
            where = (
                "an error_output_prefix holds records that have no partition keys, so Firehose "
                "evaluates there only"
                if is_error_prefix
                else "without dynamic partitioning (dynamic_partitioning_keys) Firehose "
                "evaluates only"
            )
            raise ValueError(
                f"{argument} {value!r} uses the expression '!{{{expression}}}'; {where} "
                "!{timestamp:<format>}, !{firehose:random-string} and "
                "!{firehose:error-output-type}"
            )
        source, key = key_match.groups()
        if source == "Query" and key not in partition_keys:
            raise ValueError(
                f"{argument} {value!r} uses !{{partitionKeyFromQuery:{key}}}, but {key!r} is not "
                f"among dynamic_partitioning_keys ({', '.join(sorted(partition_keys))}); "
                "declare it there with its jq expression"
            )
        if source == "Lambda" and not has_transformation:
            raise ValueError(
                f"{argument} {value!r} uses !{{partitionKeyFromLambda:{key}}}, which only a "
                "transformation_function can return; set one or use partitionKeyFromQuery"
            )
    if not is_error_prefix and ERROR_OUTPUT_TYPE in value:
        raise ValueError(
            f"{argument} {value!r} may not use {ERROR_OUTPUT_TYPE}; it belongs in "
            "error_output_prefix"
        )
    if is_error_prefix and "!{" in value and ERROR_OUTPUT_TYPE not in value:
        raise ValueError(
            f"{argument} {value!r} uses expressions, so Firehose requires it to contain "
            f"{ERROR_OUTPUT_TYPE}"
        )
    root = _static_root(value)
    if value and (not root or root.startswith("/")):
        raise ValueError(
            f"{argument} {value!r} must start with a literal folder such as 'data/' (no "
            "leading '/'), so that the delivery role can be limited to it"
        )


def _validate(
    *,
    stream: kinesis.IStream | None,
    stream_name: str | None,
    stream_mode: kinesis.StreamMode | None,
    shard_count: int | None,
    throughput: StreamThroughput | None,
    retention_period: Duration | None,
    delivery_stream_name: str | None,
    buffering_interval: Duration,
    buffering_size: Size,
    compression: firehose.Compression,
    prefix: str,
    error_output_prefix: str,
    log_retention: logs.RetentionDays,
    iterator_age_alarm_threshold: Duration,
    data_freshness_alarm_threshold: Duration,
    effective_retention: Duration,
    dynamic_partitioning_keys: Mapping[str, str],
    has_transformation: bool,
) -> None:
    check_exclusive_with_existing(
        "stream",
        stream,
        {
            "stream_name": stream_name,
            "stream_mode": stream_mode,
            "shard_count": shard_count,
            "throughput": throughput,
            "retention_period": retention_period,
        },
    )
    check_not_both("shard_count", shard_count, "throughput", throughput)
    if shard_count is not None and not Token.is_unresolved(shard_count) and shard_count < 1:
        raise ValueError(f"shard_count must be at least 1, got {shard_count}")
    if throughput is not None:
        _ = throughput.shard_count  # raises ValueError for an invalid workload
    if stream_mode == kinesis.StreamMode.ON_DEMAND and (
        shard_count is not None or throughput is not None
    ):
        raise ValueError(
            "shard_count and throughput size a PROVISIONED stream; an ON_DEMAND stream scales "
            "by itself: drop them or set stream_mode=PROVISIONED"
        )
    if (
        stream is None
        and stream_mode == kinesis.StreamMode.PROVISIONED
        and shard_count is None
        and throughput is None
    ):
        raise ValueError(
            "stream_mode=PROVISIONED needs shard_count or throughput (see plan_shard_count); "
            "without a plan, use ON_DEMAND"
        )
    check_duration("retention_period", retention_period, RETENTION_MIN, RETENTION_MAX)
    _check_name("stream_name", stream_name, STREAM_NAME_MAX_LENGTH)
    _check_name("delivery_stream_name", delivery_stream_name, DELIVERY_STREAM_NAME_MAX_LENGTH)

    check_duration(
        "buffering_interval", buffering_interval, Duration.seconds(0), BUFFERING_INTERVAL_MAX
    )
    if not buffering_size.is_unresolved():
        mebibytes = buffering_size.to_mebibytes(rounding=SizeRoundingBehavior.NONE)
        check_range("buffering_size", mebibytes, *BUFFERING_SIZE_MIB_RANGE, " MiB")
        if mebibytes != int(mebibytes):
            raise ValueError(f"buffering_size must be a whole number of MiB, got {mebibytes:g} MiB")
    if compression.value not in COMPRESSION_FORMATS:
        raise ValueError(
            f"compression {compression.value!r} is not a Firehose S3 compression format; use "
            f"one of {', '.join(COMPRESSION_FORMATS)}"
        )

    _check_prefix(
        "prefix",
        prefix,
        is_error_prefix=False,
        partition_keys=dynamic_partitioning_keys,
        has_transformation=has_transformation,
    )
    _check_prefix("error_output_prefix", error_output_prefix, is_error_prefix=True)
    if "!{" in prefix and not error_output_prefix:
        raise ValueError(
            f"prefix {prefix!r} uses expressions, so Firehose requires an error_output_prefix "
            f"(for example 'errors/{ERROR_OUTPUT_TYPE}/')"
        )
    if not prefix:
        raise ValueError(
            "prefix may not be empty: objects would land at the bucket root and the delivery "
            "role could not be limited to a folder; use for example 'data/'"
        )

    if log_retention == logs.RetentionDays.INFINITE:
        raise ValueError(
            "log_retention may not be INFINITE: delivery error logs need a set retention; "
            "choose for example RetentionDays.ONE_YEAR"
        )

    check_duration(
        "iterator_age_alarm_threshold",
        iterator_age_alarm_threshold,
        Duration.minutes(1),
        effective_retention,
    )
    if not buffering_interval.is_unresolved():
        check_duration(
            "data_freshness_alarm_threshold",
            data_freshness_alarm_threshold,
            Duration.seconds(buffering_interval.to_seconds() + 60),
            DATA_FRESHNESS_ALARM_MAX,
        )
