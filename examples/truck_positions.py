"""Truck positions: 100 trucks send GPS fixes to a Kinesis stream that lands in S3 for analytics.

Each truck sends one position a second, keyed by ``truck_id``: Kinesis keeps the records of
one partition key in order within their shard, so every truck's track stays in sequence,
and 100 distinct keys spread evenly over the shards. (Keying by a skewed attribute such as
the depot or the route would pile most trucks onto one hot shard and throttle it.) The
stream keeps seven days of positions for other applications (a live map, geofencing) to read
or replay.

Firehose converts the positions along the way: a small Lambda function checks each fix and
turns its epoch-millisecond ``time`` into a timestamp, Firehose writes Parquet (Snappy)
partitioned by truck and hour (``positions/truck=42/hour=2026-11-30-09/``), and a Glue table
with partition projection lets Athena query it at once, with no crawler.

The live map is a Lambda consumer of the stream (see ``_add_live_map``): it reads each
truck's positions in order, several batches per shard at once (never two of one truck), and a
position it cannot handle is isolated (bisect on error), retried twice and then reported to a
failure queue, so one bad fix never holds up the trucks behind it.

Geofencing is a second application on the same stream (see ``_add_geofencing``): a Kinesis
Client Library (KCL 3.x) application on Fargate, ``StreamWorkerFleet``, reading through its
own enhanced fan-out consumer (its own 2 MB/s per shard, about 70 ms from write to read), with
its lease tables created by the stack. The image here is a stand-in that prints the
configuration the fleet passes and waits; replace it with your KCL application's image.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Annotations, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from examples.common import AlarmTopic
from examples.consumer_functions import consumer_function
from examples.network import workers_cluster
from patterns import KinesisToFirehoseToS3, StreamThroughput, StreamWorkerFleet
from patterns.compliance import acknowledge_all, skip_checkov
from patterns.roles import ManagedPolicyRole

TRUCKS = 100
POSITIONS_PER_TRUCK_PER_SECOND = 1
POSITION_RECORD_KB = 0.5  # a JSON fix: truck_id, time, lat, lon, speed_kmh, heading
PEAK_FACTOR = 2  # morning dispatch: every truck starts at once

# Firehose passes base64 records in and expects each back with its recordId and a result:
# Ok (transformed), Dropped (filtered out) or ProcessingFailed (lands under the error prefix).
CHECK_POSITION_CODE = """
import base64, json
from datetime import datetime, timezone


def handler(event, context):
    return {"records": [check(record) for record in event["records"]]}


def check(record):
    try:
        fix = json.loads(base64.b64decode(record["data"]))
        if not (-90 <= fix["lat"] <= 90 and -180 <= fix["lon"] <= 180):
            raise ValueError("position out of range")
        when = datetime.fromtimestamp(fix.pop("time") / 1000, tz=timezone.utc)
        fix["recorded_at"] = when.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    except (ValueError, KeyError, TypeError) as error:
        print(f"record {record['recordId']}: {error}")
        return {"recordId": record["recordId"], "result": "ProcessingFailed",
                "data": record["data"]}
    data = base64.b64encode((json.dumps(fix) + "\\n").encode()).decode()
    return {"recordId": record["recordId"], "result": "Ok", "data": data}
"""

POSITION_COLUMNS = [
    glue.Column(name="truck_id", type=glue.Schema.INTEGER),
    glue.Column(name="recorded_at", type=glue.Schema.TIMESTAMP),
    glue.Column(name="lat", type=glue.Schema.DOUBLE),
    glue.Column(name="lon", type=glue.Schema.DOUBLE),
    glue.Column(name="speed_kmh", type=glue.Schema.DOUBLE),
    glue.Column(name="heading", type=glue.Schema.SMALL_INT),
]


class TruckPositionsStack(Stack):
    """GPS positions of 100 trucks: Kinesis, Firehose to Parquet in S3, a Glue table, alarms."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        alarms = AlarmTopic(self, "Alarms")
        # One key for the stream, the bucket and both log groups.
        key = kms.Key(
            self,
            "Key",
            description="Encrypts the truck positions: stream, bucket and logs",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        check_position = self._check_position_function(key)

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
            encryption_key=key,
            # Five minutes of one truck is about 150 KB of Parquet: fewer, larger objects.
            buffering_interval=Duration.minutes(5),
            prefix="positions/truck=!{partitionKeyFromQuery:truck}/hour=!{timestamp:yyyy-MM-dd-HH}/",
            error_output_prefix="positions-errors/!{firehose:error-output-type}"
            "/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/",
            transformation_function=check_position,
            output_format=firehose.OutputFormat.PARQUET,
            columns=POSITION_COLUMNS,
            dynamic_partitioning_keys={"truck": ".truck_id"},
            # Trucks 1 to 100: queries over the whole fleet need no truck filter.
            partition_projections={
                "truck": glue.PartitionProjectionConfiguration.integer(min=1, max=TRUCKS)
            },
            alarm_actions=[alarms.action],
        )
        Annotations.of(positions).acknowledge_warning(
            "patterns:DynamicPartitioningCreateOnly",
            "TruckPositions partitions by truck from its first deployment and never switches "
            "dynamic partitioning off",
        )

        _add_live_map(self, positions)
        geofencing = _add_geofencing(self, positions, alarms)

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
            description="Parquet under positions/truck=<id>/hour=<yyyy-MM-dd-HH>/",
        )
        CfnOutput(self, "DeliveryStreamName", value=positions.delivery_stream.ref)
        CfnOutput(
            self,
            "GeofencingApplicationName",
            value=geofencing.application_name,
            description="The KCL application: its lease table and metrics namespace",
        )
        CfnOutput(
            self,
            "DeliveryLogGroupName",
            value=positions.log_group.log_group_name,
            description="Delivery errors of the Firehose delivery stream",
        )
        assert positions.database is not None
        assert positions.table is not None
        CfnOutput(
            self,
            "DatabaseName",
            value=positions.database.database_name,
            description="The Glue database to query with Athena",
        )
        CfnOutput(
            self,
            "TableName",
            value=positions.table.table_name,
            description="The positions table: partitions truck and hour, projected",
        )

    def _check_position_function(self, key: kms.IKey) -> lambda_.Function:
        # A fixed log group name lets the key policy admit CloudWatch Logs for this group only.
        log_group_name = f"/aws/lambda/{self.stack_name}/CheckPosition"
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsForTheCheckPositionLogGroup",
                principals=[iam.ServicePrincipal(f"logs.{self.region}.amazonaws.com")],
                actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
                resources=["*"],
                conditions={
                    "ArnEquals": {
                        "kms:EncryptionContext:aws:logs:arn": self.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name=log_group_name,
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
        log_group = logs.LogGroup(
            self,
            "CheckPositionLogs",
            log_group_name=log_group_name,
            retention=logs.RetentionDays.ONE_MONTH,
            encryption_key=key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        role = ManagedPolicyRole(
            self,
            "CheckPositionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Lets the position check of TruckPositions write its logs",
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            "CheckPosition",
            description="Checks each GPS fix and adds recorded_at for the Parquet conversion",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_inline(CHECK_POSITION_CODE),
            role=role,
            log_group=log_group,
            memory_size=256,
            timeout=Duration.minutes(1),
            # About 100 fixes a second reach Firehose, which invokes the check with each
            # buffered megabyte or minute: a few invocations at a time; 10 leave room and keep
            # a runaway from starving the account's other functions.
            reserved_concurrent_executions=10,
            tracing=lambda_.Tracing.ACTIVE,
        )
        # Lambda makes the function wait for its role construct, policy and role alike; the
        # role is already awaited through Role: GetAtt, so depend on the policy only.
        cfn_function = function.node.default_child
        assert isinstance(cfn_function, lambda_.CfnFunction)
        managed_policy = role.managed_policy
        assert managed_policy is not None  # the function's grants created it
        policy = managed_policy.node.default_child
        assert isinstance(policy, iam.CfnManagedPolicy)
        cfn_function.add_override("DependsOn", [policy.logical_id])
        no_dlq = (
            "Firehose invokes the transformation synchronously, so a dead-letter queue "
            "(asynchronous invocations only) would never receive anything; Firehose retries "
            "failed invocations and writes their records under positions-errors/processing-failed/."
        )
        no_vpc = (
            "The function only transforms the records Firehose passes in and calls no other "
            "service or network resource; a VPC would add ENIs and NAT cost without narrowing "
            "any access."
        )
        acknowledge_all(
            function,
            {
                f"{pack}::{pack}-LambdaDLQ": no_dlq
                for pack in ("NIST.800.53.R5", "HIPAA.Security", "Serverless")
            }
            | {
                f"{pack}::{pack}-LambdaInsideVPC": no_vpc
                for pack in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
            },
        )
        acknowledge_all(
            role,
            {
                "AwsSolutions::AwsSolutions-IAM5[Resource::*]": (
                    "X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support "
                    "no resource-level permissions, so AWS documents Resource '*' for them."
                )
            },
        )
        skip_checkov(cfn_function, "CKV_AWS_116", no_dlq)
        skip_checkov(cfn_function, "CKV_AWS_117", no_vpc)
        return function


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


# A stand-in for the geofencing KCL application (no build here): it prints what the fleet
# passes and waits. Your image runs a KCL 3.x worker configured from these variables.
GEOFENCING_IMAGE = "public.ecr.aws/amazoncorretto/amazoncorretto:21-al2023-headless"
GEOFENCING_SCRIPT = """
echo "KCL application $KCL_APPLICATION_NAME reads $KCL_STREAM_NAME ($KCL_RETRIEVAL_MODE" \
  "through $KCL_CONSUMER_NAME), leases in $KCL_LEASE_TABLE"
exec sleep infinity
"""


def _add_geofencing(
    stack: Stack, positions: KinesisToFirehoseToS3, alarms: AlarmTopic
) -> StreamWorkerFleet:
    """Geofencing: a KCL application on Fargate, the stream's second application, reading
    through enhanced fan-out (not a classic reader: the shard plan is unchanged)."""
    return StreamWorkerFleet(
        stack,
        "Geofencing",
        stream=positions,
        cluster=workers_cluster(stack),
        image=ecs.ContainerImage.from_registry(GEOFENCING_IMAGE),
        entry_point=["sh", "-c"],
        command=[GEOFENCING_SCRIPT],
        kcl_version=3,
        enhanced_fan_out=True,
        lag_alarm_threshold=Duration.minutes(5),
        alarm_actions=[alarms.action],
    )
