"""The ``KinesisToFirehoseToS3`` construct: it wires the stream, the delivery, the conversion
table and the alarms of the modules beside it, and is what users hold (attributes,
``metric_*``, ``grant_*``, ``add_to_dashboard``, ``add_lambda_consumer``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy, Size
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

from patterns import limits
from patterns.buckets import create_secure_bucket
from patterns.kinesis_firehose_s3 import monitoring
from patterns.kinesis_firehose_s3.conversion import conversion_schema
from patterns.kinesis_firehose_s3.delivery import (
    DEFAULT_BUFFERING_INTERVAL,
    DEFAULT_BUFFERING_SIZE,
    DEFAULT_ERROR_OUTPUT_PREFIX,
    DEFAULT_LOG_RETENTION,
    DEFAULT_PREFIX,
    create_delivery,
)
from patterns.kinesis_firehose_s3.metrics import DeliveryStreamMetrics
from patterns.kinesis_firehose_s3.monitoring import (
    DEFAULT_DATA_FRESHNESS_ALARM,
    DEFAULT_ITERATOR_AGE_ALARM,
)
from patterns.kinesis_firehose_s3.options import PipelineOptions
from patterns.kinesis_firehose_s3.processing import TransformationTimeout
from patterns.kinesis_firehose_s3.shard_planning import StreamThroughput
from patterns.kinesis_firehose_s3.stream import ClassicReadersPlan, new_stream
from patterns.metric_options import AVERAGE, MAXIMUM, SUM, MetricOptions
from patterns.removal import KEY_PENDING_WINDOW, key_removal_policy

if TYPE_CHECKING:
    from aws_cdk import aws_sqs as sqs
    from typing_extensions import Unpack

    from patterns.consumers.stream_lambda import LambdaStreamConsumer
    from patterns.queue_with_dlq import QueueWithDeadLetterQueue


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

    After construction: let producers write with ``grant_write``, add readers with
    ``add_lambda_consumer`` (or ``grant_read`` and ``add_stream_reader`` for one of your own),
    then draw everything with ``add_to_dashboard``. The ``metric_*`` methods take the keyword
    arguments of [`MetricOptions`][patterns.metric_options.MetricOptions] (``period``,
    ``statistic``, ``label``, ...) to change their defaults.
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
        options = PipelineOptions(
            stream=stream,
            stream_name=stream_name,
            stream_mode=stream_mode,
            shard_count=shard_count,
            throughput=throughput,
            retention_period=retention_period,
            bucket=bucket,
            encryption_key=encryption_key,
            delivery_stream_name=delivery_stream_name,
            buffering_interval=buffering_interval,
            buffering_size=buffering_size,
            compression=compression,
            prefix=prefix,
            error_output_prefix=error_output_prefix,
            transformation_function=transformation_function,
            transformation_buffering_interval=transformation_buffering_interval,
            transformation_buffering_size=transformation_buffering_size,
            transformation_retries=transformation_retries,
            output_format=output_format,
            input_format=input_format,
            columns=columns,
            table=table,
            database=database,
            partition_projections=partition_projections,
            dynamic_partitioning_keys=dynamic_partitioning_keys,
            log_retention=log_retention,
            removal_policy=removal_policy,
            alarm_actions=tuple(alarm_actions),
            iterator_age_alarm_threshold=iterator_age_alarm_threshold,
            data_freshness_alarm_threshold=data_freshness_alarm_threshold,
        )
        layout = options.validate()
        # Derive: what later steps read, asked of CDK once.
        self._alarm_actions = options.alarm_actions  # also the Lambda consumers'
        self._path = self.node.path  # descriptions, alarms, dashboard
        # Create: the key, the stream, the bucket, the table, then the delivery.
        self._encryption_key = encryption_key or self._new_key(options)
        self._stream, self._planned_shards = self._stream_of(options)
        self._bucket, destination_key = self._bucket_of(options)
        self._database, self._table = conversion_schema(
            self, options, path=self._path, bucket=self._bucket, layout=layout
        )
        self._deliver(options, destination_key)
        # Expose: the metrics (the alarms are made of them) and the alarms.
        self._delivery_metrics = DeliveryStreamMetrics(self._cfn_delivery_stream.ref)
        self._alarms = monitoring.create_alarms(self, options, path=self._path)

    # --- create ------------------------------------------------------------------------

    def _new_key(self, options: PipelineOptions) -> kms.IKey:
        """One rule (``patterns.removal``): the key follows what it encrypts."""
        return kms.Key(
            self,
            "EncryptionKey",
            description=f"Encrypts the stream, bucket and delivery logs of {self._path}",
            enable_key_rotation=True,
            removal_policy=key_removal_policy(*options.encrypted_removals),
            pending_window=KEY_PENDING_WINDOW,
        )

    def _stream_of(self, options: PipelineOptions) -> tuple[kinesis.IStream, int | None]:
        """The existing stream, or a new one encrypted with the key and sized by plan, whose
        shards are planned for every classic reader (``ClassicReadersPlan``); the planned
        shards of a new provisioned stream draw the capacity lines of the dashboard."""
        from patterns.consumers.stream_readers import stream_readers

        if options.stream is not None:
            return options.stream, None
        stream, planned_shards = new_stream(self, options, encryption_key=self._encryption_key)
        stream_readers(stream).plan = ClassicReadersPlan(
            self, stream=stream, shard_count=options.shard_count, throughput=options.throughput
        )
        return stream, planned_shards

    def _deliver(self, options: PipelineOptions, destination_key: kms.IKey | None) -> None:
        """The delivery (``create_delivery``): a classic reader of the stream, counted in the
        stream's registry, through the transformation function, whose timeout is checked at
        synth."""
        from patterns.consumers.stream_readers import stream_readers

        delivery = create_delivery(
            self,
            options,
            path=self._path,
            stream=self._stream,
            bucket=self._bucket,
            encryption_key=self._encryption_key,
            destination_key=destination_key,
            table=self._table,
        )
        self._log_group, self._role = delivery.log_group, delivery.role
        self._cfn_delivery_stream = delivery.delivery_stream
        function = options.transformation_function
        if isinstance(function, lambda_.Function):
            self.node.add_validation(TransformationTimeout(function))
        stream_readers(self._stream).add(self._cfn_delivery_stream, enhanced_fan_out=False)

    def _bucket_of(self, options: PipelineOptions) -> tuple[s3.IBucket, kms.IKey | None]:
        """The existing bucket and its key, or a new secure one encrypted with the key."""
        if options.bucket is not None:
            return options.bucket, options.bucket.encryption_key
        secure = create_secure_bucket(
            self, encryption_key=self._encryption_key, removal_policy=options.data_removal
        )
        return secure.bucket, self._encryption_key

    @property
    def stream(self) -> kinesis.IStream:
        """The Kinesis data stream producers write to: new, or the existing one passed in."""
        return self._stream

    @property
    def delivery_stream(self) -> firehose.CfnDeliveryStream:
        """The Firehose delivery stream that reads the stream and writes to the bucket.

        ``ref`` is its name and ``attr_arn`` its ARN; the ``metric_*`` methods other than
        ``metric_stream_*`` make its metrics. The L1 itself (no L2 is built), so escape hatches
        are ``add_property_override`` on it. Its construct ID is ``DeliveryStream``, or
        ``PartitionedDeliveryStream`` with dynamic partitioning (which can only be set when a
        delivery stream is created).
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

    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None:
        """Add this pipeline's section to ``dashboard``.

        The stream: bytes and records in per minute, against the capacity of the planned
        shards for a new provisioned stream (1 MiB and 1,000 records per second each), and
        read and write throttling. The delivery: records read from the stream, delivered to
        S3 and throttled reads, and bytes delivered.
        Then every alarm (iterator ages, throttling, data freshness, delivery success) with
        its threshold. Adding it to the same dashboard again adds nothing. Call it after
        ``add_lambda_consumer``: the section draws the alarms listed at that time.

        :param dashboard: The dashboard to add the section to, for example
            ``cloudwatch.Dashboard(stack, "Dashboard")``.
        """
        monitoring.add_section(
            self,
            dashboard,
            path=self._path,
            planned_shards=self._planned_shards,
            alarms=self._alarms,
        )

    def add_lambda_consumer(
        self,
        consumer_id: str,
        function: lambda_.IFunction,
        *,
        failure_destination: QueueWithDeadLetterQueue | sqs.IQueue | None = None,
        enhanced_fan_out: bool = False,
        starting_position: lambda_.StartingPosition | None = None,
        batch_size: int = limits.LAMBDA_KINESIS_BATCH_SIZE_DEFAULT,
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

        Every consumer is counted among the stream's readers (with those added by other
        constructs, ``patterns.consumers.stream_readers``): a stream planned from
        ``throughput`` is re-planned for all its classic readers as they join, and one given a
        ``shard_count`` gets one warning at synth with their total; a consumer beyond the
        stream's enhanced fan-out limit (20) is refused. The alarms use this pattern's
        ``alarm_actions`` and join ``alarms``. The options are those of
        [`LambdaStreamConsumer`][patterns.LambdaStreamConsumer].

        :param consumer_id: ID of the consumer under this construct; unique among its children.
        :param function: The function to invoke with batches of records.
        :param failure_destination: Where Lambda sends the details of a batch it gave up on
            (shard and sequence numbers, not the records): a ``QueueWithDeadLetterQueue`` or
            a standard ``sqs.IQueue``. Default: a new ``QueueWithDeadLetterQueue`` (child
            ``FailureDestination`` of the consumer) that keeps them 14 days.
        :param enhanced_fan_out: Read through a registered stream consumer with its own
            2 MB/s per shard instead of sharing the shard's 2 MB/s with the classic readers.
            Default: ``False`` (classic; counted by the shard plan).
        :param starting_position: ``LATEST`` (new records only) or ``TRIM_HORIZON`` (all the
            stream still keeps). Default: ``LATEST``.
        :param batch_size: Records per invocation, 1 to 10,000. Default: 100.
        :param max_batching_window: How long to gather records before invoking, 0 to
            5 minutes in whole seconds. Default: none (invoke as soon as records arrive).
        :param parallelization_factor: Concurrent batches per shard, 1 to 10; records of one
            partition key stay in order. Default: 1.
        :param bisect_batch_on_error: Split a failing batch in two and retry each half, to
            isolate a poison record. Default: ``True``.
        :param retry_attempts: Retries of a failing batch, 0 to 10,000. Default: 3.
        :param max_record_age: Give up on records older than this, 1 minute to 7 days and at
            most the stream's retention. Default: 1 hour.
        :param report_batch_item_failures: The function returns the ``sequenceNumber`` of the
            first failed record, and Lambda retries from there. Default: ``True``.
        :param iterator_age_alarm_threshold: Alarm when the function reads records this old.
            Default: half of ``max_record_age``, so the alarm comes before records are given
            up.
        :returns: The [`LambdaStreamConsumer`][patterns.LambdaStreamConsumer], with its event
            source mapping, failure destination and alarms.
        """
        from patterns.consumers.common import check_free_id
        from patterns.consumers.stream_lambda import DEFAULT_MAX_RECORD_AGE, LambdaStreamConsumer

        check_free_id(self, consumer_id)

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
        self._alarms.extend(consumer.alarms)  # listed (and drawn) with the pattern's own
        return consumer

    def add_stream_reader(self, reader: Construct, *, enhanced_fan_out: bool) -> None:
        """Count ``reader``, a construct of your own that reads the stream, among its readers.

        The library's consumers and fleets count themselves; call this for a reader you
        build, for example a container service you gave ``grant_read``. A classic reader
        re-plans a stream planned from ``throughput`` like a classic Lambda consumer (one
        given a ``shard_count`` gets a warning at synth instead); enhanced fan-out consumers
        may be at most 20 per stream
        ([Kinesis quotas](https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html)),
        and one beyond is refused with ``ValueError``.

        :param reader: The construct that reads the stream; add each reader once.
        :param enhanced_fan_out: Whether it reads through a registered stream consumer
            (``SubscribeToShard``, its own 2 MB/s per shard) rather than with ``GetRecords``.
        """
        from patterns.consumers.stream_readers import stream_readers

        stream_readers(self._stream).add(reader, enhanced_fan_out=enhanced_fan_out)

    def grant_write(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` put records into the stream (and use its key to encrypt them).

        :param grantee: A role, user or function that produces records.
        :returns: The grant of the IAM statements added to ``grantee``'s policy.
        """
        return self._stream.grant_write(grantee)

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the stream as another consumer (and decrypt its records).

        For a reader of your own; count it with ``add_stream_reader`` too, so the shard plan
        and the enhanced fan-out limit know about it. ``add_lambda_consumer`` does both itself.

        :param grantee: A role, user or function that reads the stream.
        :returns: The grant of the IAM statements added to ``grantee``'s policy.
        """
        return self._stream.grant_read(grantee)

    # --- metrics: the stream's (AWS/Kinesis), from the stream's own metric_* methods ------

    def metric_stream_incoming_bytes(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Bytes put into the stream (``IncomingBytes``). Default: average over 5 minutes."""
        return self._stream.metric_incoming_bytes(**props)

    def metric_stream_incoming_records(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Records put into the stream (``IncomingRecords``). Default: average over 5 minutes."""
        return self._stream.metric_incoming_records(**props)

    def metric_stream_put_records_failed_records(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Records ``PutRecords`` rejected (``PutRecords.FailedRecords``), which producers must
        retry. Default: average over 5 minutes."""
        return self._stream.metric_put_records_failed_records(**props)

    def metric_stream_write_provisioned_throughput_exceeded(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Writes throttled by the stream's capacity (``WriteProvisionedThroughputExceeded``).
        Default: average over 5 minutes."""
        return self._stream.metric_write_provisioned_throughput_exceeded(**props)

    def metric_stream_read_provisioned_throughput_exceeded(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """``GetRecords`` calls throttled by the shards' shared read quota
        (``ReadProvisionedThroughputExceeded``). Default: average over 5 minutes."""
        return self._stream.metric_read_provisioned_throughput_exceeded(**props)

    def metric_stream_get_records_iterator_age_milliseconds(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Age of the last record read by any classic consumer
        (``GetRecords.IteratorAgeMilliseconds``). Default: maximum over 5 minutes."""
        return self._stream.metric_get_records_iterator_age_milliseconds(**props)

    # --- metrics: the delivery stream's (AWS/Firehose), by its name ----------------------

    def metric_delivery(
        self, metric_name: str, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Any metric of the delivery stream (namespace ``AWS/Firehose``, dimension
        ``DeliveryStreamName``). Default: average over 5 minutes.

        :param metric_name: The metric's name as Firehose publishes it, for example
            ``"IncomingRecords"`` or ``"DeliveryToS3.ObjectCount"``.
        """
        return self._delivery_metrics.metric(metric_name, **props)

    def metric_kinesis_millis_behind_latest(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """How far the delivery stream's reads are behind the newest record of the stream
        (``KinesisMillisBehindLatest``). Default: maximum over 5 minutes."""
        return self._delivery_metrics.statistic("KinesisMillisBehindLatest", MAXIMUM, props)

    def metric_data_read_from_kinesis_stream_records(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Records the delivery stream read from the stream
        (``DataReadFromKinesisStream.Records``). Default: sum over 5 minutes."""
        return self._delivery_metrics.statistic("DataReadFromKinesisStream.Records", SUM, props)

    def metric_throttled_get_records(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """The delivery stream's throttled reads of the stream (``ThrottledGetRecords``).
        Default: sum over 5 minutes."""
        return self._delivery_metrics.statistic("ThrottledGetRecords", SUM, props)

    def metric_delivery_to_s3_records(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Records delivered to S3 (``DeliveryToS3.Records``). Default: sum over 5 minutes."""
        return self._delivery_metrics.statistic("DeliveryToS3.Records", SUM, props)

    def metric_delivery_to_s3_bytes(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Bytes delivered to S3 (``DeliveryToS3.Bytes``). Default: sum over 5 minutes."""
        return self._delivery_metrics.statistic("DeliveryToS3.Bytes", SUM, props)

    def metric_delivery_to_s3_data_freshness(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Age in seconds of the oldest record not yet in S3 (``DeliveryToS3.DataFreshness``).
        Default: maximum over 5 minutes."""
        return self._delivery_metrics.statistic("DeliveryToS3.DataFreshness", MAXIMUM, props)

    def metric_delivery_to_s3_success(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Successful S3 puts over all puts, 0 to 1 (``DeliveryToS3.Success``). Default:
        average over 5 minutes."""
        return self._delivery_metrics.statistic("DeliveryToS3.Success", AVERAGE, props)

    def metric_execute_processing_success(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Successful transformation invocations over all, 0 to 1
        (``ExecuteProcessing.Success``). Default: average over 5 minutes."""
        return self._delivery_metrics.statistic("ExecuteProcessing.Success", AVERAGE, props)

    def metric_failed_conversion_records(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Records that did not match the conversion schema (``FailedConversion.Records``).
        Default: sum over 5 minutes."""
        return self._delivery_metrics.statistic("FailedConversion.Records", SUM, props)

    def metric_partition_count_exceeded(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """1 when the active partition limit is reached (``PartitionCountExceeded``). Default:
        maximum over 5 minutes."""
        return self._delivery_metrics.statistic("PartitionCountExceeded", MAXIMUM, props)
