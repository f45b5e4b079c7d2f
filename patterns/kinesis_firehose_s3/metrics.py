"""The delivery stream's metrics, behind ``KinesisToFirehoseToS3``'s ``metric_*`` methods.

The construct holds a ``DeliveryStreamMetrics`` (composition): its ``metric_stream_*`` methods
delegate to the ``kinesis.IStream``'s own ``metric_*`` methods, the others to this object,
which makes the delivery stream's metrics (``AWS/Firehose``, by delivery stream name, kept in
Python). The pattern builds the delivery stream as an L1 (``CfnDeliveryStream``); the L2
``firehose.DeliveryStream``'s ``metric_*`` methods cover Direct PUT and backup (incoming
bytes and records, ``BackupToS3.*``), none of which this pattern watches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_cloudwatch as cloudwatch

from patterns.metric_options import MetricOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

NAMESPACE = "AWS/Firehose"


class DeliveryStreamMetrics:
    """The metrics of one Firehose delivery stream, named after their CloudWatch metric."""

    def __init__(self, delivery_stream_name: str) -> None:
        self._dimensions = {"DeliveryStreamName": delivery_stream_name}

    def metric(self, metric_name: str, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Any metric of the delivery stream, by its name. Default: average over 5 minutes."""
        options: MetricOptions = {"dimensions_map": self._dimensions, **props}
        return cloudwatch.Metric(namespace=NAMESPACE, metric_name=metric_name, **options)

    def statistic(
        self, metric_name: str, statistic: str, props: MetricOptions
    ) -> cloudwatch.Metric:
        """``metric_name`` with ``statistic`` unless ``props`` names another."""
        options: MetricOptions = {"statistic": statistic, **props}
        return self.metric(metric_name, **options)
