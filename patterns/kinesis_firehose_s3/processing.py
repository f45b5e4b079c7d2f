"""Transformation and dynamic partitioning of ``KinesisToFirehoseToS3``: the processors.

Firehose can invoke a Lambda function with each buffer of records (transformation) and read
partition keys from each JSON record with jq (dynamic partitioning). Here are the checks of
those options against the Firehose rules (``ValueError`` naming the argument, the value and
the rule) and the processing configuration of the delivery stream.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import jsii
from aws_cdk import Duration, Size, SizeRoundingBehavior, Token
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from constructs import IValidation

from patterns.kinesis_firehose_s3.layout import ERROR_OUTPUT_TYPE, expressions
from patterns.kinesis_firehose_s3.validation import (
    BUFFERING_INTERVAL_MAX,
    check_folder_prefix,
    check_large_buffer,
    check_whole_units,
)
from patterns.validation import check_duration, check_range

PARTITION_KEY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Dynamic partitioning has no zero buffering: intervals from 60 seconds (Firehose developer
# guide, "Dynamic partitioning").
DYNAMIC_PARTITIONING_BUFFERING_INTERVAL_MIN = Duration.seconds(60)
# Lambda transformation (Firehose developer guide, "Transform source data"): buffer hints of
# 0.2-3 MB (whole MiB here) and 0-900 s, 0-300 retries, invocations of at most 5 minutes.
TRANSFORMATION_BUFFERING_SIZE_MIB_RANGE = (1, 3)
TRANSFORMATION_BUFFERING_INTERVAL_MAX = Duration.seconds(900)
TRANSFORMATION_RETRIES_RANGE = (0, 300)
TRANSFORMATION_TIMEOUT_MAX = Duration.minutes(5)
DEFAULT_TRANSFORMATION_BUFFERING_INTERVAL = Duration.seconds(60)
DEFAULT_TRANSFORMATION_BUFFERING_SIZE = Size.mebibytes(1)
DEFAULT_TRANSFORMATION_RETRIES = 3
JQ_ENGINE = "JQ-1.6"
# What Firehose needs to call the transformation function.
LAMBDA_ACTIONS = ("lambda:GetFunctionConfiguration", "lambda:InvokeFunction")


def processing_configuration(
    *,
    role_arn: str,
    function: lambda_.IFunction | None,
    buffering_interval: Duration | None,
    buffering_size: Size | None,
    retries: int | None,
    partitioning_keys: Mapping[str, str] | None,
) -> firehose.CfnDeliveryStream.ProcessingConfigurationProperty | None:
    """The Lambda transformation first, then the jq extraction of the partition keys."""
    processors: list[firehose.CfnDeliveryStream.ProcessorProperty] = []

    def parameter(name: str, value: str) -> firehose.CfnDeliveryStream.ProcessorParameterProperty:
        return firehose.CfnDeliveryStream.ProcessorParameterProperty(
            parameter_name=name, parameter_value=value
        )

    if function is not None:
        interval = buffering_interval or DEFAULT_TRANSFORMATION_BUFFERING_INTERVAL
        size = buffering_size or DEFAULT_TRANSFORMATION_BUFFERING_SIZE
        processors.append(
            firehose.CfnDeliveryStream.ProcessorProperty(
                type="Lambda",
                parameters=[
                    parameter("LambdaArn", function.function_arn),
                    parameter("RoleArn", role_arn),
                    parameter(
                        "NumberOfRetries",
                        str(DEFAULT_TRANSFORMATION_RETRIES if retries is None else retries),
                    ),
                    parameter("BufferSizeInMBs", str(size.to_mebibytes())),
                    parameter("BufferIntervalInSeconds", str(interval.to_seconds())),
                ],
            )
        )
    if partitioning_keys:
        query = ",".join(f"{json.dumps(key)}:{expr}" for key, expr in partitioning_keys.items())
        processors.append(
            firehose.CfnDeliveryStream.ProcessorProperty(
                type="MetadataExtraction",
                parameters=[
                    parameter("MetadataExtractionQuery", "{" + query + "}"),
                    parameter("JsonParsingEngine", JQ_ENGINE),
                ],
            )
        )
    if not processors:
        return None
    return firehose.CfnDeliveryStream.ProcessingConfigurationProperty(
        enabled=True, processors=processors
    )


@jsii.implements(IValidation)
class TransformationTimeout:
    """At synth: Firehose waits at most 5 minutes for a transformation, whatever set the timeout."""

    def __init__(self, function: lambda_.Function) -> None:
        self._function = function

    def validate(self) -> list[str]:
        resource = self._function.node.default_child
        timeout = resource.timeout if isinstance(resource, lambda_.CfnFunction) else None
        if timeout is None or Token.is_unresolved(timeout):
            return []
        limit = TRANSFORMATION_TIMEOUT_MAX.to_seconds()
        if timeout <= limit:
            return []
        return [
            f"transformation_function {self._function.node.path} has a timeout of {timeout} "
            f"seconds; Firehose invokes a transformation for at most {limit} seconds "
            "(5 minutes): lower the function's timeout"
        ]


def validate_transformation(
    *,
    function: lambda_.IFunction | None,
    buffering_interval: Duration | None,
    buffering_size: Size | None,
    retries: int | None,
) -> None:
    if function is None:
        given = {
            "transformation_buffering_interval": buffering_interval,
            "transformation_buffering_size": buffering_size,
            "transformation_retries": retries,
        }
        clashing = sorted(name for name, value in given.items() if value is not None)
        if clashing:
            raise ValueError(
                f"{', '.join(clashing)} configure the Lambda transformation; set "
                "transformation_function too, or drop them"
            )
        return
    check_duration(
        "transformation_buffering_interval",
        buffering_interval,
        Duration.seconds(0),
        TRANSFORMATION_BUFFERING_INTERVAL_MAX,
    )
    check_whole_units("transformation_buffering_interval", buffering_interval, "seconds")
    if buffering_size is not None and not buffering_size.is_unresolved():
        mebibytes = buffering_size.to_mebibytes(rounding=SizeRoundingBehavior.NONE)
        check_range(
            "transformation_buffering_size",
            mebibytes,
            *TRANSFORMATION_BUFFERING_SIZE_MIB_RANGE,
            " MiB",
        )
        if mebibytes != int(mebibytes):
            raise ValueError(
                "transformation_buffering_size must be a whole number of MiB, "
                f"got {mebibytes:g} MiB"
            )
    check_range("transformation_retries", retries, *TRANSFORMATION_RETRIES_RANGE)
    if retries is not None and not Token.is_unresolved(retries) and retries != int(retries):
        raise ValueError(f"transformation_retries must be a whole number, got {retries}")
    if isinstance(function, lambda_.Function):
        timeout = function.timeout
        check_duration(
            f"the timeout of transformation_function {function.node.path}",
            timeout,
            Duration.seconds(1),
            TRANSFORMATION_TIMEOUT_MAX,
        )


def validate_dynamic_partitioning(
    *,
    keys: Mapping[str, str] | None,
    buffering_interval: Duration,
    buffering_size: Size,
    prefix: str,
    error_output_prefix: str,
) -> None:
    if keys is None:
        return
    if not keys:
        raise ValueError(
            "dynamic_partitioning_keys is empty; give at least one key and its jq expression, "
            "for example {'truck': '.truck_id'}, or drop it"
        )
    for key, query in keys.items():
        if not PARTITION_KEY_NAME.match(key):
            raise ValueError(
                f"dynamic_partitioning_keys has the key {key!r}; keys are letters, digits and "
                "underscores, not starting with a digit"
            )
        if not query.strip():
            raise ValueError(
                f"dynamic_partitioning_keys[{key!r}] is empty; give the jq expression that "
                "reads the key from a record, for example '.truck_id'"
            )
    check_large_buffer(buffering_size, "dynamic partitioning")
    check_duration(
        "buffering_interval with dynamic partitioning (no zero buffering)",
        buffering_interval,
        DYNAMIC_PARTITIONING_BUFFERING_INTERVAL_MIN,
        BUFFERING_INTERVAL_MAX,
    )
    if not error_output_prefix:
        raise ValueError(
            "error_output_prefix may not be empty with dynamic partitioning: Firehose "
            "requires one for records whose keys cannot be read (for example "
            f"'errors/{ERROR_OUTPUT_TYPE}/')"
        )
    if Token.is_unresolved(prefix):
        return
    check_folder_prefix(prefix, "dynamic partitioning (each key is a folder)")
    used = [
        namespace
        for namespace, _ in expressions(prefix)
        if namespace in ("partitionKeyFromQuery", "partitionKeyFromLambda")
    ]
    if not used:
        raise ValueError(
            f"prefix {prefix!r} uses no partition key; with dynamic_partitioning_keys Firehose "
            f"requires one, for example 'data/{next(iter(keys))}="
            f"!{{partitionKeyFromQuery:{next(iter(keys))}}}/'"
        )
