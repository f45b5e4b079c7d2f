"""Transformation, record format conversion and dynamic partitioning of a Firehose S3 destination.

What ``KinesisToFirehoseToS3`` adds to its L1 delivery stream for the three options: the
validation of each option against the Firehose rules (``ValueError`` naming the argument, the
value and the rule), the processors, the conversion configuration, and where the conversion's
Glue table lives (what the delivery role may read). Nothing here imports a pattern.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import (
    Arn,
    ArnFormat,
    Duration,
    Fn,
    RemovalPolicy,
    Size,
    SizeRoundingBehavior,
    Token,
)
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from constructs import Construct, IValidation

from patterns.firehose_layout import (
    DATE_PROJECTION_END,
    DATE_PROJECTION_START,
    PartitionColumn,
    expressions,
    is_glue_type,
    partition_columns,
    projection_for,
)
from patterns.validation import (
    check_duration,
    check_exclusive_with_existing,
    check_not_both,
    check_range,
)

ERROR_OUTPUT_TYPE = "!{firehose:error-output-type}"
BUFFERING_INTERVAL_MAX = Duration.seconds(900)
PARTITION_KEY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Record format conversion and dynamic partitioning both need buffers of at least 64 MiB
# (Firehose developer guide: "Record format conversion", "Dynamic partitioning"), and dynamic
# partitioning has no zero buffering: intervals from 60 seconds.
CONVERSION_BUFFERING_SIZE_MIN_MIB = 64
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


def new_database(scope: Construct) -> glue.Database:
    database = glue.Database(
        scope,
        "Database",
        description=f"Tables of {scope.node.path}",
    )
    database.apply_removal_policy(RemovalPolicy.DESTROY)
    return database


def glue_projection(column: PartitionColumn) -> glue.PartitionProjectionConfiguration:
    projection = projection_for(column)
    assert projection is not None  # validate_conversion rejected the others
    if projection.kind == "date":
        return glue.PartitionProjectionConfiguration.date(
            format=projection.date_format,
            min=DATE_PROJECTION_START,
            max=DATE_PROJECTION_END,
            step=glue.DateProjectionStep(
                interval=1, interval_unit=glue.DateIntervalUnit(projection.date_unit)
            ),
        )
    if projection.kind == "integer":
        low, high, digits = projection.integer_range
        return glue.PartitionProjectionConfiguration.integer(min=low, max=high, digits=digits)
    return glue.PartitionProjectionConfiguration.injected()


class SchemaLocation:
    """Where a Glue table lives: what the conversion names and the role may read."""

    def __init__(self, table: glue.ITable) -> None:
        components = Arn.split(table.table_arn, ArnFormat.SLASH_RESOURCE_NAME)
        partition = str(components.partition)
        self.region = str(components.region)
        self.account = str(components.account)
        self.table_name = table.table_name
        # A table of this app knows its database; an imported one has only its ARN.
        self.database_name = (
            table.database.database_name
            if isinstance(table, glue.TableBase)
            else Fn.select(0, Fn.split("/", str(components.resource_name)))
        )
        glue_arn = f"arn:{partition}:glue:{self.region}:{self.account}"
        self.catalog_arn = f"{glue_arn}:catalog"
        self.database_arn = f"{glue_arn}:database/{self.database_name}"
        self.table_arn = table.table_arn


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


def conversion_configuration(
    *,
    role_arn: str,
    output_format: firehose.IOutputFormat,
    input_format: firehose.IInputFormat,
    schema: SchemaLocation,
) -> firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty:
    return firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty(
        enabled=True,
        input_format_configuration=input_format.create_input_format_config(),
        output_format_configuration=output_format.create_output_format_config(),
        schema_configuration=firehose.CfnDeliveryStream.SchemaConfigurationProperty(
            catalog_id=schema.account,
            database_name=schema.database_name,
            table_name=schema.table_name,
            region=schema.region,
            role_arn=role_arn,
            version_id="LATEST",
        ),
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


def _check_large_buffer(buffering_size: Size, reason: str) -> None:
    if buffering_size.is_unresolved():
        return
    mebibytes = buffering_size.to_mebibytes(rounding=SizeRoundingBehavior.NONE)
    if mebibytes < CONVERSION_BUFFERING_SIZE_MIN_MIB:
        raise ValueError(
            f"buffering_size must be at least {CONVERSION_BUFFERING_SIZE_MIN_MIB} MiB with "
            f"{reason}, got {mebibytes:g} MiB"
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
    _check_large_buffer(buffering_size, "dynamic partitioning")
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


def validate_conversion(
    *,
    output_format: firehose.IOutputFormat | None,
    input_format: firehose.IInputFormat | None,
    columns: Sequence[glue.Column] | None,
    table: glue.ITable | None,
    database: glue.IDatabase | None,
    partition_projections: Mapping[str, glue.PartitionProjectionConfiguration] | None,
    compression: firehose.Compression | None,
    buffering_size: Size,
    prefix: str,
) -> list[PartitionColumn]:
    """Check the conversion options; return the partition columns of a new table."""
    if output_format is None:
        given = {
            "input_format": input_format,
            "columns": columns,
            "table": table,
            "database": database,
            "partition_projections": partition_projections,
        }
        clashing = sorted(name for name, value in given.items() if value is not None)
        if clashing:
            raise ValueError(
                f"{', '.join(clashing)} describe the record format conversion; set output_format "
                "(for example firehose.OutputFormat.PARQUET) too, or drop them"
            )
        return []
    check_not_both("columns", columns, "table", table)
    if columns is None and table is None:
        raise ValueError(
            "output_format needs the schema of the records: pass columns (a new Glue table) "
            "or table (an existing one)"
        )
    if compression is not None and compression.value != "UNCOMPRESSED":
        raise ValueError(
            f"compression {compression.value!r} is not allowed with output_format: Firehose "
            "requires UNCOMPRESSED S3 compression for converted records (Parquet and ORC "
            "compress inside, Snappy by default); drop compression"
        )
    _check_large_buffer(buffering_size, "record format conversion")
    if table is not None:
        check_exclusive_with_existing(
            "table", table, {"database": database, "partition_projections": partition_projections}
        )
        return []
    assert columns is not None
    if not columns:
        raise ValueError("columns is empty; the conversion schema needs at least one column")
    names: set[str] = set()
    for column in columns:
        type_string = column.type.input_string
        if not Token.is_unresolved(type_string) and not is_glue_type(type_string):
            raise ValueError(
                f"columns: {column.name!r} has the type {type_string!r}, which Glue does not "
                "know; use glue.Schema (STRING, BIG_INT, DOUBLE, TIMESTAMP, ...), decimal(p,s), "
                "char(n), varchar(n), array<...>, map<...,...> or struct<name:type,...>"
            )
        if column.name.lower() in names:
            raise ValueError(f"columns: {column.name!r} is declared twice")
        names.add(column.name.lower())
    if Token.is_unresolved(prefix):
        return []
    layout = partition_columns("prefix", prefix)
    projections = partition_projections or {}
    partition_names = [partition.name for partition in layout]
    for name in projections:
        if name not in partition_names:
            raise ValueError(
                f"partition_projections names {name!r}, which is not a partition column of "
                f"prefix {prefix!r} (its columns: {', '.join(partition_names) or 'none'})"
            )
    for partition in layout:
        if partition.name in names:
            raise ValueError(
                f"prefix {prefix!r} names the partition column {partition.name!r}, which is "
                "also in columns; Athena needs distinct names (for example truck=!{...} beside "
                "a truck_id column)"
            )
        if partition.name not in projections and projection_for(partition) is None:
            raise ValueError(
                f"prefix {prefix!r}: the folder {partition.name}=!{{{partition.namespace}:"
                f"{partition.argument}}} has no projection Athena can infer; pass one in "
                f"partition_projections[{partition.name!r}]"
            )
    return layout
