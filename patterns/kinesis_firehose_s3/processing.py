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
from typing import TYPE_CHECKING

import jsii
from aws_cdk import Duration, Size, Token
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from constructs import IValidation

from patterns.kinesis_firehose_s3.layout import ERROR_OUTPUT_TYPE, expressions
from patterns.kinesis_firehose_s3.validation import (
    BUFFERING_INTERVAL_MAX,
    BUFFERING_INTERVAL_MIN,
    check_folder_prefix,
    check_large_buffer,
    check_whole_mebibytes,
)
from patterns.limits import (
    FIREHOSE_DYNAMIC_PARTITIONING_BUFFERING_INTERVAL_MIN_SECONDS,
    FIREHOSE_TRANSFORMATION_BUFFERING_INTERVAL_MAX_SECONDS,
    FIREHOSE_TRANSFORMATION_BUFFERING_SIZE_MIB_RANGE,
    FIREHOSE_TRANSFORMATION_RETRIES_RANGE,
    FIREHOSE_TRANSFORMATION_TIMEOUT_MAX_SECONDS,
)
from patterns.validation import (
    check_duration,
    check_whole_number,
    check_whole_units,
    is_unresolved_text,
)

if TYPE_CHECKING:
    from patterns.kinesis_firehose_s3.options import PipelineOptions

PARTITION_KEY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DYNAMIC_PARTITIONING_BUFFERING_INTERVAL_MIN = Duration.seconds(
    FIREHOSE_DYNAMIC_PARTITIONING_BUFFERING_INTERVAL_MIN_SECONDS
)
TRANSFORMATION_BUFFERING_INTERVAL_MAX = Duration.seconds(
    FIREHOSE_TRANSFORMATION_BUFFERING_INTERVAL_MAX_SECONDS
)
TRANSFORMATION_TIMEOUT_MAX = Duration.seconds(FIREHOSE_TRANSFORMATION_TIMEOUT_MAX_SECONDS)
TRANSFORMATION_TIMEOUT_MIN = Duration.seconds(1)
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
        limit = FIREHOSE_TRANSFORMATION_TIMEOUT_MAX_SECONDS
        if timeout <= limit:
            return []
        return [
            f"transformation_function {self._function.node.path} has a timeout of {timeout} "
            f"seconds; Firehose invokes a transformation for at most {limit} seconds "
            "(5 minutes): lower the function's timeout"
        ]


def validate_transformation(o: PipelineOptions) -> None:
    function, retries = o.transformation_function, o.transformation_retries
    if function is None:
        given = {
            "transformation_buffering_interval": o.transformation_buffering_interval,
            "transformation_buffering_size": o.transformation_buffering_size,
            "transformation_retries": retries,
        }
        clashing = sorted(name for name, value in given.items() if value is not None)
        if clashing:
            raise ValueError(
                f"{', '.join(clashing)} configure the Lambda transformation; set "
                "transformation_function too, or drop them"
            )
        return
    interval = o.transformation_buffering_interval
    check_duration(
        "transformation_buffering_interval",
        interval,
        BUFFERING_INTERVAL_MIN,
        TRANSFORMATION_BUFFERING_INTERVAL_MAX,
    )
    check_whole_units("transformation_buffering_interval", interval, "seconds")
    check_whole_mebibytes(
        "transformation_buffering_size",
        o.transformation_buffering_size,
        *FIREHOSE_TRANSFORMATION_BUFFERING_SIZE_MIB_RANGE,
    )
    check_whole_number("transformation_retries", retries, *FIREHOSE_TRANSFORMATION_RETRIES_RANGE)
    if isinstance(function, lambda_.Function):
        check_duration(
            f"the timeout of transformation_function {function.node.path}",
            function.timeout,
            TRANSFORMATION_TIMEOUT_MIN,
            TRANSFORMATION_TIMEOUT_MAX,
        )


def validate_dynamic_partitioning(o: PipelineOptions) -> None:
    keys, prefix = o.dynamic_partitioning_keys, o.prefix
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
    check_large_buffer(o.buffering_size, "dynamic partitioning")
    check_duration(
        "buffering_interval with dynamic partitioning (no zero buffering)",
        o.buffering_interval,
        DYNAMIC_PARTITIONING_BUFFERING_INTERVAL_MIN,
        BUFFERING_INTERVAL_MAX,
    )
    if not o.error_output_prefix:
        raise ValueError(
            "error_output_prefix may not be empty with dynamic partitioning: Firehose "
            "requires one for records whose keys cannot be read (for example "
            f"'errors/{ERROR_OUTPUT_TYPE}/')"
        )
    if is_unresolved_text(prefix):
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
