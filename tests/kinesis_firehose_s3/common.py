"""Constants and helpers shared by the KinesisToFirehoseToS3 tests."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from patterns import KinesisToFirehoseToS3
from tests.helpers import by_path, new_app

STREAM = "AWS::Kinesis::Stream"


DELIVERY = "AWS::KinesisFirehose::DeliveryStream"


POLICY = "AWS::IAM::ManagedPolicy"


ALARM = "AWS::CloudWatch::Alarm"


ACCOUNT = "111111111111"


def object_arn_under(bucket_arn: dict[str, Any], root: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [bucket_arn, f"/{root}*"]]}


def policy_statements(template: Template, path: str) -> dict[str, dict[str, Any]]:
    policy = by_path(template, POLICY, path)
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def alarm_properties(template: Template, path: str) -> dict[str, Any]:
    return dict(by_path(template, ALARM, path)["Properties"])


def build_pattern(**options: Any) -> KinesisToFirehoseToS3:
    stack = cdk.Stack(new_app(), "Test")
    return KinesisToFirehoseToS3(stack, "Ingest", **options)


def existing_stream_option() -> dict[str, Any]:
    stack = cdk.Stack(new_app(), "Other")
    return {
        "stream": kinesis.Stream.from_stream_arn(stack, "S", "arn:aws:kinesis:eu-west-1:1:stream/s")
    }


GLUE_TABLE = "AWS::Glue::Table"


GLUE_DATABASE = "AWS::Glue::Database"


TRUCK_PREFIX = "positions/truck=!{partitionKeyFromQuery:truck}/hour=!{timestamp:yyyy-MM-dd-HH}/"


EXISTING_TABLE_ARN = f"arn:aws:glue:eu-west-1:{ACCOUNT}:table/lake/clicks"


def transform_function(stack: cdk.Stack, construct_id: str = "Transform") -> lambda_.Function:
    return lambda_.Function(
        stack,
        construct_id,
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
        timeout=Duration.minutes(1),
    )


POSITION_COLUMNS = [
    glue.Column(name="truck_id", type=glue.Schema.INTEGER),
    glue.Column(name="recorded_at", type=glue.Schema.TIMESTAMP),
    glue.Column(name="lat", type=glue.Schema.DOUBLE),
    glue.Column(name="lon", type=glue.Schema.DOUBLE),
]


def s3_destination(template: Template, path: str) -> dict[str, Any]:
    delivery = by_path(template, DELIVERY, path)
    return dict(delivery["Properties"]["ExtendedS3DestinationConfiguration"])


def processor_parameters(destination: dict[str, Any], kind: str) -> dict[str, Any]:
    processors = destination["ProcessingConfiguration"]["Processors"]
    (found,) = [p for p in processors if p["Type"] == kind]
    return {p["ParameterName"]: p["ParameterValue"] for p in found["Parameters"]}


def schema_arn(suffix: list[Any]) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":glue:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                *suffix,
            ],
        ]
    }


def build_converting(**options: Any) -> KinesisToFirehoseToS3:
    return build_pattern(
        output_format=firehose.OutputFormat.PARQUET, columns=POSITION_COLUMNS, **options
    )


def build_partitioned(**options: Any) -> KinesisToFirehoseToS3:
    settings: dict[str, Any] = {
        "prefix": "data/truck=!{partitionKeyFromQuery:truck}/",
        "dynamic_partitioning_keys": {"truck": ".truck_id"},
    }
    settings.update(options)
    return build_pattern(**settings)


def build_with_function(**options: Any) -> KinesisToFirehoseToS3:
    stack = cdk.Stack(new_app(), "Test")
    return KinesisToFirehoseToS3(
        stack, "Ingest", transformation_function=transform_function(stack), **options
    )
