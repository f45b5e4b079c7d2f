"""KinesisToFirehoseToS3: the Lambda transformation and dynamic partitioning, and their rules."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, Size
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

from patterns import KinesisToFirehoseToS3
from tests.helpers import arn, new_app, resources_of, synth_stack
from tests.kinesis_firehose_s3.common import (
    ACCOUNT,
    DELIVERY,
    TRUCK_PREFIX,
    build_partitioned,
    build_pattern,
    build_with_function,
    policy_statements,
    processor_parameters,
    s3_destination,
    transform_function,
)


def test_transformation_invokes_the_function_with_its_buffering_and_retries(
    converted: Template,
) -> None:
    destination = s3_destination(converted, "Trucks/PartitionedDeliveryStream")
    assert destination["ProcessingConfiguration"]["Enabled"] is True
    assert [p["Type"] for p in destination["ProcessingConfiguration"]["Processors"]] == [
        "Lambda",
        "MetadataExtraction",
    ]
    assert processor_parameters(destination, "Lambda") == {
        "LambdaArn": arn(converted, "AWS::Lambda::Function", "Transform/Resource"),
        "RoleArn": arn(converted, "AWS::IAM::Role", "Trucks/DeliveryRole/Resource"),
        "NumberOfRetries": "5",
        "BufferSizeInMBs": "2",
        "BufferIntervalInSeconds": "120",
    }


def test_transformation_defaults_are_1_mib_60_seconds_3_retries() -> None:
    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(stack, "Ingest", transformation_function=transform_function(stack))

    template = synth_stack(build)
    destination = s3_destination(template, "Ingest/DeliveryStream")
    parameters = processor_parameters(destination, "Lambda")
    assert (parameters["NumberOfRetries"], parameters["BufferSizeInMBs"]) == ("3", "1")
    assert parameters["BufferIntervalInSeconds"] == "60"
    assert "DataFormatConversionConfiguration" not in destination
    assert "DynamicPartitioningConfiguration" not in destination
    assert destination["CompressionFormat"] == "GZIP"


def test_role_may_invoke_only_the_transformation_function(converted: Template) -> None:
    statements = policy_statements(converted, "Trucks/DeliveryPolicy/Resource")
    assert statements["InvokeTransformationFunction"] == {
        "Sid": "InvokeTransformationFunction",
        "Effect": "Allow",
        "Action": ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
        "Resource": arn(converted, "AWS::Lambda::Function", "Transform/Resource"),
    }
    for sid, statement in statements.items():
        if sid != "InvokeTransformationFunction":
            assert "lambda" not in json.dumps(statement["Action"]), sid
    assert "InvokeTransformationFunction" not in policy_statements(
        converted, "Orc/DeliveryPolicy/Resource"
    )


def test_dynamic_partitioning_extracts_the_keys_with_jq(converted: Template) -> None:
    destination = s3_destination(converted, "Trucks/PartitionedDeliveryStream")
    assert destination["DynamicPartitioningConfiguration"] == {"Enabled": True}
    assert processor_parameters(destination, "MetadataExtraction") == {
        "MetadataExtractionQuery": '{"truck":.truck_id}',
        "JsonParsingEngine": "JQ-1.6",
    }
    assert destination["Prefix"] == TRUCK_PREFIX
    assert destination["ErrorOutputPrefix"] == "positions-errors/!{firehose:error-output-type}/"


def test_dynamic_partitioning_gives_the_delivery_stream_its_own_id(converted: Template) -> None:
    """Switching dynamic partitioning is a replacement, never a failing in-place update."""
    paths = sorted(
        r["Metadata"]["aws:cdk:path"] for r in resources_of(converted, DELIVERY).values()
    )
    assert paths == [
        "Test/Existing/DeliveryStream",
        "Test/Orc/DeliveryStream",
        "Test/Trucks/PartitionedDeliveryStream",
    ]


def test_dynamic_partitioning_warns_that_it_is_create_only() -> None:
    stack = cdk.Stack(new_app(), "Test")
    KinesisToFirehoseToS3(
        stack,
        "Ingest",
        prefix="data/truck=!{partitionKeyFromQuery:truck}/",
        dynamic_partitioning_keys={"truck": ".truck_id"},
    )
    KinesisToFirehoseToS3(stack, "Plain")
    annotations = Annotations.from_stack(stack)
    annotations.has_warning(
        "/Test/Ingest",
        Match.string_like_regexp("can only be set when a delivery stream is created"),
    )
    annotations.has_no_warning("/Test/Plain", Match.string_like_regexp("dynamic partitioning"))


def test_rejects_a_buffer_under_64_mib_with_dynamic_partitioning() -> None:
    with pytest.raises(
        ValueError, match=r"buffering_size must be at least 64 MiB with dynamic partitioning"
    ):
        build_partitioned(buffering_size=Size.mebibytes(16))


def test_rejects_zero_buffering_with_dynamic_partitioning() -> None:
    with pytest.raises(
        ValueError,
        match=r"buffering_interval with dynamic partitioning \(no zero buffering\) must be "
        r"between 1 minute and 15 minutes, got 30 seconds",
    ):
        build_partitioned(buffering_interval=Duration.seconds(30))


def test_rejects_a_prefix_key_that_is_not_declared() -> None:
    with pytest.raises(
        ValueError,
        match=r"uses !\{partitionKeyFromQuery:depot\}, but 'depot' is not among "
        r"dynamic_partitioning_keys \(truck\)",
    ):
        build_partitioned(prefix="data/depot=!{partitionKeyFromQuery:depot}/")


def test_rejects_a_lambda_key_without_a_transformation_function() -> None:
    with pytest.raises(ValueError, match=r"partitionKeyFromLambda:route\}, which only a"):
        build_partitioned(
            prefix="data/truck=!{partitionKeyFromQuery:truck}/!{partitionKeyFromLambda:route}/"
        )


def test_accepts_a_lambda_key_with_a_transformation_function() -> None:
    stack = cdk.Stack(new_app(), "Test")
    prefix = "data/route=!{partitionKeyFromLambda:route}/truck=!{partitionKeyFromQuery:truck}/"
    KinesisToFirehoseToS3(
        stack,
        "Ingest",
        prefix=prefix,
        dynamic_partitioning_keys={"truck": ".truck_id"},
        transformation_function=transform_function(stack),
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::KinesisFirehose::DeliveryStream",
        {
            "ExtendedS3DestinationConfiguration": {
                "Prefix": prefix,
                "DynamicPartitioningConfiguration": {"Enabled": True},
                "ProcessingConfiguration": {
                    "Processors": [
                        Match.object_like({"Type": "Lambda"}),
                        Match.object_like({"Type": "MetadataExtraction"}),
                    ]
                },
            }
        },
    )


def test_rejects_dynamic_partitioning_without_an_error_prefix() -> None:
    with pytest.raises(ValueError, match=r"error_output_prefix may not be empty with dynamic"):
        build_partitioned(error_output_prefix="")


def test_rejects_dynamic_partitioning_with_no_key_in_the_prefix() -> None:
    with pytest.raises(ValueError, match=r"prefix 'data/' uses no partition key"):
        build_partitioned(prefix="data/")


def test_rejects_a_partition_key_in_the_error_prefix() -> None:
    with pytest.raises(
        ValueError, match=r"error_output_prefix holds records that have no partition keys"
    ):
        build_partitioned(
            error_output_prefix="errors/!{firehose:error-output-type}/!{partitionKeyFromQuery:truck}/"
        )


def test_rejects_partition_key_expressions_without_dynamic_partitioning() -> None:
    with pytest.raises(
        ValueError, match=r"without dynamic partitioning \(dynamic_partitioning_keys\)"
    ):
        build_pattern(prefix="data/truck=!{partitionKeyFromQuery:truck}/")


def test_rejects_empty_dynamic_partitioning_keys() -> None:
    with pytest.raises(ValueError, match=r"dynamic_partitioning_keys is empty"):
        build_partitioned(dynamic_partitioning_keys={})


def test_rejects_an_invalid_partition_key_name() -> None:
    with pytest.raises(ValueError, match=r"dynamic_partitioning_keys has the key 'truck-id'"):
        build_partitioned(dynamic_partitioning_keys={"truck-id": ".truck_id"})


def test_rejects_an_empty_jq_expression() -> None:
    with pytest.raises(ValueError, match=r"dynamic_partitioning_keys\['truck'\] is empty"):
        build_partitioned(dynamic_partitioning_keys={"truck": " "})


def test_rejects_transformation_options_without_a_function() -> None:
    with pytest.raises(
        ValueError, match=r"transformation_retries configure the Lambda transformation"
    ):
        build_pattern(transformation_retries=1)


def test_rejects_a_transformation_interval_over_900_seconds() -> None:
    with pytest.raises(
        ValueError, match=r"transformation_buffering_interval must be between 0 seconds and 15"
    ):
        build_with_function(transformation_buffering_interval=Duration.seconds(901))


@pytest.mark.parametrize("size", [Size.kibibytes(512), Size.mebibytes(4)])
def test_rejects_a_transformation_buffer_outside_1_to_3_mib(size: Size) -> None:
    with pytest.raises(
        ValueError, match=r"transformation_buffering_size must be between 1 MiB and 3 MiB"
    ):
        build_with_function(transformation_buffering_size=size)


def test_rejects_transformation_retries_over_300() -> None:
    with pytest.raises(ValueError, match=r"transformation_retries must be between 0 and 300"):
        build_with_function(transformation_retries=301)


def test_rejects_a_transformation_function_timeout_over_5_minutes() -> None:
    stack = cdk.Stack(new_app(), "Test")
    slow = lambda_.Function(
        stack,
        "Slow",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
        timeout=Duration.minutes(6),
    )
    with pytest.raises(
        ValueError,
        match=r"the timeout of transformation_function Test/Slow must be between 1 second and "
        r"5 minutes, got 6 minutes",
    ):
        KinesisToFirehoseToS3(stack, "Ingest", transformation_function=slow)


def test_synth_fails_when_the_function_timeout_is_raised_after_construction() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Test")
    function = transform_function(stack)
    KinesisToFirehoseToS3(stack, "Ingest", transformation_function=function)
    cfn_function = function.node.default_child
    assert isinstance(cfn_function, lambda_.CfnFunction)
    cfn_function.timeout = 600
    with pytest.raises(RuntimeError, match=r"has a timeout of 600 seconds; Firehose invokes"):
        app.synth()


def test_an_imported_transformation_function_is_accepted() -> None:
    stack = cdk.Stack(new_app(), "Test")
    function = lambda_.Function.from_function_arn(
        stack, "Imported", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:enrich"
    )
    pattern = KinesisToFirehoseToS3(stack, "Ingest", transformation_function=function)
    statement = next(
        s
        for s in stack.resolve(
            pattern.node.find_child("DeliveryPolicy").document.to_json()  # type: ignore[attr-defined]
        )["Statement"]
        if s.get("Sid") == "InvokeTransformationFunction"
    )
    assert statement["Resource"] == f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:enrich"
