"""Truck positions: 100 trucks send GPS fixes to a Kinesis stream that lands in S3 for analytics.

Each truck sends one position a second, keyed by ``truck_id``: Kinesis keeps the records of
one partition key in order within their shard, so every truck's track stays in sequence,
and 100 distinct keys spread evenly over the shards. (Keying by a skewed attribute such as
the depot or the route would pile most trucks onto one hot shard and throttle it.) The
stream keeps seven days of positions for other applications (a live map, geofencing) to read
or replay; Firehose writes them, compressed, into hourly partitions of the bucket.

The live map is a Lambda consumer of the stream (see ``_add_live_map``): it reads each
truck's positions in order, several batches per shard at once (never two of one truck), and a
position it cannot handle is isolated (bisect on error), retried twice and then reported to a
failure queue, so one bad fix never holds up the trucks behind it.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from constructs import Construct

from examples.common import AlarmTopic
from examples.consumer_functions import consumer_function
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

        _add_live_map(self, positions)

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


# Positions of one truck arrive in order; on the first one that fails, report it and stop,
# so Lambda retries from there and the truck's later positions are not applied before it.
LIVE_MAP_HANDLER = """
import base64
import json


def handler(event, context):
    for record in event["Records"]:
        try:
            fix = json.loads(base64.b64decode(record["kinesis"]["data"]))
            print(f"truck {fix['truck_id']} at {fix['lat']},{fix['lon']}")
        except (ValueError, KeyError, TypeError):
            return {"batchItemFailures": [{"itemIdentifier": record["kinesis"]["sequenceNumber"]}]}
    return {"batchItemFailures": []}
"""


def _add_live_map(stack: Stack, positions: KinesisToFirehoseToS3) -> None:
    """The live map: a per-truck ordered Lambda consumer (the second classic reader planned)."""
    live_map = consumer_function(
        stack,
        "LiveMapHandler",
        code=LIVE_MAP_HANDLER,
        description="Moves each truck on the live map, in the order of its positions",
        timeout=Duration.seconds(30),
        reserved_concurrency=20,
    )
    positions.add_lambda_consumer(
        "LiveMap",
        live_map,
        batch_size=100,
        parallelization_factor=4,  # 4 batches per shard at once; one truck's stay in order
        retry_attempts=2,
        max_record_age=Duration.minutes(10),  # an older position is no use on a live map
    )
