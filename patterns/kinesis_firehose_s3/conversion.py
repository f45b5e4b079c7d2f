"""Record format conversion of ``KinesisToFirehoseToS3`` and the Glue table it reads.

Firehose converts JSON records to Parquet or ORC with the schema of a Glue table: one this
module creates from declared columns (``new_table``: under the prefix, partitioned like it,
with partition projection, so Athena queries it with no crawler), or an existing one. Here are
the checks of the conversion options, the conversion configuration, and where the table lives
(what the delivery role may read).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from aws_cdk import Arn, ArnFormat, Fn, RemovalPolicy
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_s3 as s3
from constructs import Construct

from patterns.kinesis_firehose_s3.layout import (
    DATE_PROJECTION_END,
    DATE_PROJECTION_START,
    PartitionColumn,
    is_glue_type,
    location_template,
    partition_columns,
    projection_for,
    static_root,
)
from patterns.kinesis_firehose_s3.validation import (
    check_folder_prefix,
    check_large_buffer,
)
from patterns.validation import (
    check_exclusive_with_existing,
    check_not_both,
    is_unresolved_text,
)

if TYPE_CHECKING:
    from patterns.kinesis_firehose_s3.options import PipelineOptions

# What Firehose needs to read the conversion schema.
GLUE_SCHEMA_ACTIONS = ("glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions")


def new_database(scope: Construct, *, path: str) -> glue.Database:
    """A database for the new table (child ``Database``); ``path`` is ``scope``'s."""
    database = glue.Database(
        scope,
        "Database",
        description=f"Tables of {path}",
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


def validate_conversion(o: PipelineOptions) -> list[PartitionColumn]:
    """Check the conversion options; return the partition columns of a new table."""
    if o.output_format is None:
        given = {
            "input_format": o.input_format,
            "columns": o.columns,
            "table": o.table,
            "database": o.database,
            "partition_projections": o.partition_projections,
        }
        clashing = sorted(name for name, value in given.items() if value is not None)
        if clashing:
            raise ValueError(
                f"{', '.join(clashing)} describe the record format conversion; set output_format "
                "(for example firehose.OutputFormat.PARQUET) too, or drop them"
            )
        return []
    _check_schema_and_buffers(o)
    if o.table is not None:
        check_exclusive_with_existing(
            "table",
            o.table,
            {"database": o.database, "partition_projections": o.partition_projections},
        )
        return []
    assert o.columns is not None
    names = _check_columns(o.columns)
    if is_unresolved_text(o.prefix):
        return []
    return _check_partitions(o.prefix, names, o.partition_projections or {})


def _check_schema_and_buffers(o: PipelineOptions) -> None:
    check_not_both("columns", o.columns, "table", o.table)
    if o.columns is None and o.table is None:
        raise ValueError(
            "output_format needs the schema of the records: pass columns (a new Glue table) "
            "or table (an existing one)"
        )
    if o.compression is not None and o.compression_format != "UNCOMPRESSED":
        raise ValueError(
            f"compression {o.compression_format!r} is not allowed with output_format: Firehose "
            "requires UNCOMPRESSED S3 compression for converted records (Parquet and ORC "
            "compress inside, Snappy by default); drop compression"
        )
    check_large_buffer(o.buffering_size, "record format conversion")
    check_folder_prefix(o.prefix, "record format conversion (the table reads folders)")


def _check_columns(columns: Sequence[glue.Column]) -> set[str]:
    """The lower-case names of ``columns``, each of a type Glue knows, none twice."""
    if not columns:
        raise ValueError("columns is empty; the conversion schema needs at least one column")
    names: set[str] = set()
    for column in columns:
        type_string = column.type.input_string
        if not is_unresolved_text(type_string) and not is_glue_type(type_string):
            raise ValueError(
                f"columns: {column.name!r} has the type {type_string!r}, which Glue does not "
                "know; use glue.Schema (STRING, BIG_INT, DOUBLE, TIMESTAMP, ...), decimal(p,s), "
                "char(n), varchar(n), array<...>, map<...,...> or struct<name:type,...>"
            )
        if column.name.lower() in names:
            raise ValueError(f"columns: {column.name!r} is declared twice")
        names.add(column.name.lower())
    return names


def _check_partitions(
    prefix: str,
    names: set[str],
    projections: Mapping[str, glue.PartitionProjectionConfiguration],
) -> list[PartitionColumn]:
    """The partition columns of ``prefix``: named apart from the columns, each projected."""
    layout = partition_columns("prefix", prefix)
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


def conversion_schema(
    scope: Construct,
    o: PipelineOptions,
    *,
    path: str,
    bucket: s3.IBucket,
    layout: list[PartitionColumn],
) -> tuple[glue.IDatabase | None, glue.ITable | None]:
    """The conversion schema: a new table laid out like the prefix (and its database), or
    the existing table; none without conversion. ``path`` is ``scope``'s."""
    columns, output_format = o.columns, o.output_format
    if columns is None or output_format is None:
        return None, o.table
    database = o.database or new_database(scope, path=path)
    table = new_table(
        scope,
        path=path,
        database=database,
        bucket=bucket,
        columns=columns,
        output_format=output_format,
        prefix=o.prefix,
        layout=layout,
        partition_projections=o.partition_projections or {},
    )
    return database, table


def new_table(
    scope: Construct,
    *,
    path: str,
    database: glue.IDatabase,
    bucket: s3.IBucket,
    columns: Sequence[glue.Column],
    output_format: firehose.IOutputFormat,
    prefix: str,
    layout: list[PartitionColumn],
    partition_projections: Mapping[str, glue.PartitionProjectionConfiguration],
) -> glue.S3Table:
    """A table over the delivered objects (child ``Table``): partitioned like the prefix and
    projected."""
    serializer = output_format.create_output_format_config().serializer
    is_orc = getattr(serializer, "orc_ser_de", None) is not None
    projections = {
        column.name: partition_projections.get(column.name) or glue_projection(column)
        for column in layout
    }
    table = glue.S3Table(
        scope,
        "Table",
        database=database,
        storage=glue.S3TableStorage.from_bucket(bucket),
        s3_prefix=static_root(prefix),
        description=f"Records delivered by {path}",
        columns=list(columns),
        partition_keys=[glue.Column(name=c.name, type=glue.Schema.STRING) for c in layout],
        data_format=glue.DataFormat.ORC if is_orc else glue.DataFormat.PARQUET,
        partition_projection=projections or None,
        parameters=(
            {"storage.location.template": location_template(bucket.bucket_name, prefix, layout)}
            if layout
            else None
        ),
    )
    # Only metadata: the data stays in the bucket, and the schema is in this code.
    table.apply_removal_policy(RemovalPolicy.DESTROY)
    return table
