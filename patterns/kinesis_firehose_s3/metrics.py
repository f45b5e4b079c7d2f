"""The ``metric_*`` methods of ``KinesisToFirehoseToS3``, named like CDK's own.

``metric_stream_*`` are the Kinesis data stream's metrics (``AWS/Kinesis``, by stream name),
the other ``metric_*`` the delivery stream's (``AWS/Firehose``, by delivery stream name),
each after its CloudWatch metric. The alarms and the dashboard (``monitoring``) are built
from them. They are methods of a base class over the two public attributes, as CDK's
``StreamBase`` holds the metrics of every ``IStream``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from constructs import Construct

from patterns.metric_options import MetricOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack


class PipelineMetrics(Construct):
    """The metrics of a stream delivered by Firehose: the base of ``KinesisToFirehoseToS3``."""

    @property
    def stream(self) -> kinesis.IStream:
        """The Kinesis data stream producers write to."""
        raise NotImplementedError

    @property
    def delivery_stream(self) -> firehose.CfnDeliveryStream:
        """The Firehose delivery stream that reads the stream."""
        raise NotImplementedError

    # --- the stream's (AWS/Kinesis) ------------------------------------------------

    def metric_stream_incoming_bytes(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Bytes put into the stream (``IncomingBytes``). Default: average over 5 minutes."""
        return self.stream.metric_incoming_bytes(**props)

    def metric_stream_incoming_records(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Records put into the stream (``IncomingRecords``). Default: average over 5 minutes."""
        return self.stream.metric_incoming_records(**props)

    def metric_stream_put_records_failed_records(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Records ``PutRecords`` rejected (``PutRecords.FailedRecords``), which producers must
        retry. Default: average over 5 minutes."""
        return self.stream.metric_put_records_failed_records(**props)

    def metric_stream_write_provisioned_throughput_exceeded(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Writes throttled by the stream's capacity (``WriteProvisionedThroughputExceeded``).
        Default: average over 5 minutes."""
        return self.stream.metric_write_provisioned_throughput_exceeded(**props)

    def metric_stream_read_provisioned_throughput_exceeded(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """``GetRecords`` calls throttled by the shards' shared read quota
        (``ReadProvisionedThroughputExceeded``). Default: average over 5 minutes."""
        return self.stream.metric_read_provisioned_throughput_exceeded(**props)

    def metric_stream_get_records_iterator_age_milliseconds(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Age of the last record read by any classic consumer
        (``GetRecords.IteratorAgeMilliseconds``). Default: maximum over 5 minutes."""
        return self.stream.metric_get_records_iterator_age_milliseconds(**props)

    # --- the delivery stream's (AWS/Firehose) -------------------------------------

    def metric_delivery(
        self, metric_name: str, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Any metric of the delivery stream (namespace ``AWS/Firehose``), by its name
        dimension. Default: average over 5 minutes."""
        options: MetricOptions = {
            "dimensions_map": {"DeliveryStreamName": self.delivery_stream.ref},
            **props,
        }
        return cloudwatch.Metric(namespace="AWS/Firehose", metric_name=metric_name, **options)

    def _firehose(
        self, metric_name: str, statistic: str, props: MetricOptions
    ) -> cloudwatch.Metric:
        options: MetricOptions = {"statistic": statistic, **props}
        return self.metric_delivery(metric_name, **options)

    def metric_kinesis_millis_behind_latest(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """How far the delivery stream's reads are behind the newest record of the stream
        (``KinesisMillisBehindLatest``). Default: maximum over 5 minutes."""
        return self._firehose("KinesisMillisBehindLatest", cloudwatch.Stats.MAXIMUM, props)

    def metric_data_read_from_kinesis_stream_records(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Records the delivery stream read from the stream
        (``DataReadFromKinesisStream.Records``). Default: sum over 5 minutes."""
        return self._firehose("DataReadFromKinesisStream.Records", cloudwatch.Stats.SUM, props)

    def metric_throttled_get_records(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """The delivery stream's throttled reads of the stream (``ThrottledGetRecords``).
        Default: sum over 5 minutes."""
        return self._firehose("ThrottledGetRecords", cloudwatch.Stats.SUM, props)

    def metric_delivery_to_s3_records(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Records delivered to S3 (``DeliveryToS3.Records``). Default: sum over 5 minutes."""
        return self._firehose("DeliveryToS3.Records", cloudwatch.Stats.SUM, props)

    def metric_delivery_to_s3_bytes(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Bytes delivered to S3 (``DeliveryToS3.Bytes``). Default: sum over 5 minutes."""
        return self._firehose("DeliveryToS3.Bytes", cloudwatch.Stats.SUM, props)

    def metric_delivery_to_s3_data_freshness(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Age in seconds of the oldest record not yet in S3 (``DeliveryToS3.DataFreshness``).
        Default: maximum over 5 minutes."""
        return self._firehose("DeliveryToS3.DataFreshness", cloudwatch.Stats.MAXIMUM, props)

    def metric_delivery_to_s3_success(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Successful S3 puts over all puts, 0 to 1 (``DeliveryToS3.Success``). Default:
        average over 5 minutes."""
        return self._firehose("DeliveryToS3.Success", cloudwatch.Stats.AVERAGE, props)

    def metric_execute_processing_success(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Successful transformation invocations over all, 0 to 1
        (``ExecuteProcessing.Success``). Default: average over 5 minutes."""
        return self._firehose("ExecuteProcessing.Success", cloudwatch.Stats.AVERAGE, props)

    def metric_failed_conversion_records(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Records that did not match the conversion schema (``FailedConversion.Records``).
        Default: sum over 5 minutes."""
        return self._firehose("FailedConversion.Records", cloudwatch.Stats.SUM, props)

    def metric_partition_count_exceeded(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """1 when the active partition limit is reached (``PartitionCountExceeded``). Default:
        maximum over 5 minutes."""
        return self._firehose("PartitionCountExceeded", cloudwatch.Stats.MAXIMUM, props)
