"""Truck positions: 100 trucks send GPS fixes to a Kinesis stream that lands in S3 for analytics.

Each truck sends one position a second, keyed by ``truck_id``: Kinesis keeps the records of
one partition key in order within their shard, so every truck's track stays in sequence,
and 100 distinct keys spread evenly over the shards. (Keying by a skewed attribute such as
the depot or the route would pile most trucks onto one hot shard and throttle it.) The
stream keeps seven days of positions for other applications (a live map, geofencing) to read
or replay; Firehose writes them, compressed, into hourly partitions of the bucket.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from constructs import Construct

from examples.common import AlarmTopic
from patterns import KinesisToFirehoseToS3, StreamThroughput

TRUCKS = 100
POSITIONS_PER_TRUCK_PER_SECOND = 1
POSITION_RECORD_KB = 0.5  # a JSON fix: truck_id, time, lat, lon, speed, heading
PEAK_FACTOR = 2  # morning dispatch: every truck starts at once


class TruckPositionsStack(Stack):
    """GPS positions of 100 trucks: Kinesis stream, Firehose delivery, S3 data lake, alarms."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        alarms = AlarmTopic(self, "Alarms")

        records_per_second = TRUCKS * POSITIONS_PER_TRUCK_PER_SECOND * PEAK_FACTOR
        positions = KinesisToFirehoseToS3(
            self,
            "Positions",
            throughput=StreamThroughput(
                write_mb_per_second=records_per_second * POSITION_RECORD_KB / 1000,
                write_records_per_second=records_per_second,
                classic_consumers=2,  # the Firehose delivery stream and the live map
                headroom=1.5,
            ),
            retention_period=Duration.days(7),
            buffering_interval=Duration.seconds(60),
            prefix="positions/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}"
            "/hour=!{timestamp:HH}/",
            error_output_prefix="positions-errors/!{firehose:error-output-type}"
            "/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/",
            alarm_actions=[alarms.action],
        )

        CfnOutput(
            self,
            "StreamName",
            value=positions.stream.stream_name,
            description="Put each GPS fix here with PartitionKey=truck_id",
        )
        CfnOutput(self, "StreamArn", value=positions.stream.stream_arn)
        CfnOutput(
            self,
            "BucketName",
            value=positions.bucket.bucket_name,
            description="Positions land under positions/year=/month=/day=/hour=/ (GZIP JSON)",
        )
        CfnOutput(self, "DeliveryStreamName", value=positions.delivery_stream.ref)
        CfnOutput(
            self,
            "DeliveryLogGroupName",
            value=positions.log_group.log_group_name,
            description="Delivery errors of the Firehose delivery stream",
        )
