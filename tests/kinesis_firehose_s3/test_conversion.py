"""KinesisToFirehoseToS3: record format conversion and its query-ready Glue table, and their
rules."""

from __future__ import annotations

import re

import aws_cdk as cdk
import pytest
from aws_cdk import Size
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk.assertions import Template

from patterns import KinesisToFirehoseToS3
from tests.helpers import arn, by_path, logical_id, new_app, ref, resources_of, synth_stack
from tests.kinesis_firehose_s3.common import (
    ACCOUNT,
    DELIVERY,
    EXISTING_TABLE_ARN,
    GLUE_DATABASE,
    GLUE_TABLE,
    POLICY,
    POSITION_COLUMNS,
    build_converting,
    build_pattern,
    policy_statements,
    s3_destination,
    schema_arn,
)


def test_role_reads_only_the_schema_of_the_new_table(converted: Template) -> None:
    statement = policy_statements(converted, "Trucks/DeliveryPolicy/Resource")[
        "ReadConversionSchema"
    ]
    database = ref(converted, GLUE_DATABASE, "Trucks/Database/Resource")
    table = ref(converted, GLUE_TABLE, "Trucks/Table/Table")
    assert statement["Action"] == [
        "glue:GetTable",
        "glue:GetTableVersion",
        "glue:GetTableVersions",
    ]
    assert statement["Resource"] == [
        schema_arn([":catalog"]),
        schema_arn([":database/", database]),
        schema_arn([":table/", database, "/", table]),
    ]


def test_role_reads_only_the_schema_of_an_existing_table(converted: Template) -> None:
    statement = policy_statements(converted, "Existing/DeliveryPolicy/Resource")[
        "ReadConversionSchema"
    ]
    glue_arn = f"arn:aws:glue:eu-west-1:{ACCOUNT}"
    assert statement["Resource"] == [
        f"{glue_arn}:catalog",
        f"{glue_arn}:database/lake",
        EXISTING_TABLE_ARN,
    ]


def test_conversion_writes_parquet_uncompressed_with_the_new_table_schema(
    converted: Template,
) -> None:
    destination = s3_destination(converted, "Trucks/PartitionedDeliveryStream")
    assert destination["CompressionFormat"] == "UNCOMPRESSED"
    assert destination["BufferingHints"]["SizeInMBs"] == 64
    conversion = destination["DataFormatConversionConfiguration"]
    assert conversion["Enabled"] is True
    assert conversion["InputFormatConfiguration"] == {"Deserializer": {"OpenXJsonSerDe": {}}}
    # Snappy: Firehose's default inside Parquet.
    assert conversion["OutputFormatConfiguration"] == {"Serializer": {"ParquetSerDe": {}}}
    schema = conversion["SchemaConfiguration"]
    assert schema["TableName"] == ref(converted, GLUE_TABLE, "Trucks/Table/Table")
    assert schema["CatalogId"] == {"Ref": "AWS::AccountId"}
    assert schema["Region"] == {"Ref": "AWS::Region"}
    assert schema["RoleARN"] == arn(converted, "AWS::IAM::Role", "Trucks/DeliveryRole/Resource")
    assert schema["VersionId"] == "LATEST"
    assert schema["DatabaseName"] == ref(converted, GLUE_DATABASE, "Trucks/Database/Resource")


def test_conversion_with_an_existing_table_names_it(converted: Template) -> None:
    destination = s3_destination(converted, "Existing/DeliveryStream")
    schema = destination["DataFormatConversionConfiguration"]["SchemaConfiguration"]
    assert (schema["CatalogId"], schema["Region"]) == (ACCOUNT, "eu-west-1")
    assert (schema["DatabaseName"], schema["TableName"]) == ("lake", "clicks")
    existing_tables = [
        r["Metadata"]["aws:cdk:path"]
        for r in resources_of(converted, GLUE_TABLE).values()
        if r["Metadata"]["aws:cdk:path"].startswith("Test/Existing/")
    ]
    assert existing_tables == []
    assert not [
        r
        for r in resources_of(converted, GLUE_DATABASE).values()
        if r["Metadata"]["aws:cdk:path"].startswith("Test/Existing/")
    ]


def test_orc_output_format_writes_orc_and_an_orc_table(converted: Template) -> None:
    destination = s3_destination(converted, "Orc/DeliveryStream")
    assert destination["DataFormatConversionConfiguration"]["OutputFormatConfiguration"] == {
        "Serializer": {"OrcSerDe": {}}
    }
    table = by_path(converted, GLUE_TABLE, "Orc/Table/Table")["Properties"]["TableInput"]
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == (
        "org.apache.hadoop.hive.ql.io.orc.OrcSerde"
    )
    assert table["Parameters"]["classification"] == "orc"


def test_new_table_is_partitioned_like_the_prefix_and_projected(converted: Template) -> None:
    table = by_path(converted, GLUE_TABLE, "Trucks/Table/Table")
    assert table["DeletionPolicy"] == "Delete"
    properties = table["Properties"]
    assert properties["DatabaseName"] == ref(converted, GLUE_DATABASE, "Trucks/Database/Resource")
    table_input = properties["TableInput"]
    assert table_input["TableType"] == "EXTERNAL_TABLE"
    assert table_input["PartitionKeys"] == [
        {"Name": "truck", "Type": "string"},
        {"Name": "hour", "Type": "string"},
    ]
    storage = table_input["StorageDescriptor"]
    assert storage["Columns"] == [
        {"Name": "truck_id", "Type": "int"},
        {"Name": "recorded_at", "Type": "timestamp"},
        {"Name": "lat", "Type": "double"},
        {"Name": "lon", "Type": "double"},
    ]
    assert storage["SerdeInfo"]["SerializationLibrary"] == (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    bucket = ref(converted, "AWS::S3::Bucket", "Trucks/Bucket/Resource")
    assert storage["Location"] == {"Fn::Join": ["", ["s3://", bucket, "/positions/"]]}
    parameters = table_input["Parameters"]
    assert parameters["storage.location.template"] == {
        "Fn::Join": ["", ["s3://", bucket, "/positions/truck=${truck}/hour=${hour}/"]]
    }
    projection = {k: v for k, v in parameters.items() if k.startswith("projection.")}
    assert projection == {
        "projection.enabled": "true",
        "projection.truck.type": "integer",
        "projection.truck.range": "1,100",
        "projection.hour.type": "date",
        "projection.hour.format": "yyyy-MM-dd-HH",
        "projection.hour.range": "NOW-5YEARS,NOW",
        "projection.hour.interval": "1",
        "projection.hour.interval.unit": "HOURS",
    }


def test_default_prefix_projects_year_month_day_hour(converted: Template) -> None:
    table_input = by_path(converted, GLUE_TABLE, "Orc/Table/Table")["Properties"]["TableInput"]
    assert [k["Name"] for k in table_input["PartitionKeys"]] == ["year", "month", "day", "hour"]
    parameters = table_input["Parameters"]
    assert {k: v for k, v in parameters.items() if k.startswith("projection.")} == {
        "projection.enabled": "true",
        "projection.year.type": "date",
        "projection.year.format": "yyyy",
        "projection.year.range": "NOW-5YEARS,NOW",
        "projection.year.interval": "1",
        "projection.year.interval.unit": "YEARS",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
        "projection.hour.type": "integer",
        "projection.hour.range": "0,23",
        "projection.hour.digits": "2",
    }


def test_query_keys_are_injected_unless_projected_otherwise() -> None:
    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(
            stack,
            "Ingest",
            prefix="data/truck=!{partitionKeyFromQuery:truck}/",
            output_format=firehose.OutputFormat.PARQUET,
            columns=POSITION_COLUMNS,
            dynamic_partitioning_keys={"truck": ".truck_id"},
        )

    template = synth_stack(build)
    parameters = by_path(template, GLUE_TABLE, "Ingest/Table/Table")["Properties"]["TableInput"][
        "Parameters"
    ]
    assert parameters["projection.truck.type"] == "injected"


def test_new_database_is_deleted_with_the_stack_and_the_delivery_waits_for_the_policy(
    converted: Template,
) -> None:
    database = by_path(converted, GLUE_DATABASE, "Trucks/Database/Resource")
    assert database["DeletionPolicy"] == "Delete"
    delivery = by_path(converted, DELIVERY, "Trucks/PartitionedDeliveryStream")
    # The table is waited for through the Ref in SchemaConfiguration, the policy explicitly.
    assert delivery["DependsOn"] == [
        logical_id(converted, POLICY, "Trucks/DeliveryPolicy/Resource")
    ]


def test_new_table_can_go_into_an_existing_database() -> None:
    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(
            stack,
            "Ingest",
            output_format=firehose.OutputFormat.PARQUET,
            columns=POSITION_COLUMNS,
            database=glue.Database.from_database_arn(
                stack, "Lake", f"arn:aws:glue:eu-west-1:{ACCOUNT}:database/lake"
            ),
        )

    template = synth_stack(build)
    template.resource_count_is(GLUE_DATABASE, 0)
    table = by_path(template, GLUE_TABLE, "Ingest/Table/Table")
    assert table["Properties"]["DatabaseName"] == "lake"


def test_table_and_database_attributes() -> None:
    stack = cdk.Stack(new_app(), "Test")
    plain = KinesisToFirehoseToS3(stack, "Plain")
    assert (plain.table, plain.database) == (None, None)
    converting = KinesisToFirehoseToS3(
        stack, "Converting", output_format=firehose.OutputFormat.PARQUET, columns=POSITION_COLUMNS
    )
    assert isinstance(converting.table, glue.S3Table)
    assert converting.database is not None


def test_rejects_compression_other_than_uncompressed_with_conversion() -> None:
    with pytest.raises(
        ValueError, match=r"compression 'GZIP' is not allowed with output_format.*UNCOMPRESSED"
    ):
        build_converting(compression=firehose.Compression.GZIP)


def test_accepts_explicit_uncompressed_with_conversion() -> None:
    pattern = build_converting(compression=firehose.Compression.UNCOMPRESSED)
    Template.from_stack(cdk.Stack.of(pattern)).has_resource_properties(
        "AWS::KinesisFirehose::DeliveryStream",
        {
            "ExtendedS3DestinationConfiguration": {
                "CompressionFormat": "UNCOMPRESSED",
                "DataFormatConversionConfiguration": {"Enabled": True},
            }
        },
    )


def test_rejects_a_buffer_under_64_mib_with_conversion() -> None:
    with pytest.raises(
        ValueError,
        match=r"buffering_size must be at least 64 MiB with record format conversion, got 32",
    ):
        build_converting(buffering_size=Size.mebibytes(32))


def test_rejects_conversion_without_a_schema() -> None:
    with pytest.raises(ValueError, match=r"output_format needs the schema of the records"):
        build_pattern(output_format=firehose.OutputFormat.PARQUET)


def test_rejects_columns_and_table_together() -> None:
    stack = cdk.Stack(new_app(), "Other")
    with pytest.raises(ValueError, match=r"either columns or table, not both"):
        build_converting(table=glue.S3Table.from_table_arn(stack, "T", EXISTING_TABLE_ARN))


def test_rejects_schema_options_without_conversion() -> None:
    with pytest.raises(
        ValueError, match=r"columns, partition_projections describe the record format conversion"
    ):
        build_pattern(
            columns=POSITION_COLUMNS,
            partition_projections={"year": glue.PartitionProjectionConfiguration.injected()},
        )


def test_rejects_new_table_options_with_an_existing_table() -> None:
    stack = cdk.Stack(new_app(), "Other")
    with pytest.raises(ValueError, match=r"database configure a new resource .* with table"):
        build_pattern(
            output_format=firehose.OutputFormat.PARQUET,
            table=glue.S3Table.from_table_arn(stack, "T", EXISTING_TABLE_ARN),
            database=glue.Database.from_database_arn(
                stack, "D", f"arn:aws:glue:eu-west-1:{ACCOUNT}:database/lake"
            ),
        )


def test_rejects_a_schema_with_no_columns() -> None:
    with pytest.raises(ValueError, match=r"columns is empty"):
        build_pattern(output_format=firehose.OutputFormat.PARQUET, columns=[])


@pytest.mark.parametrize(
    ("column_type", "rendered"),
    [
        (glue.Schema.struct([]), "struct<>"),
        (
            glue.Schema.struct([glue.Column(name="top speed", type=glue.Schema.DOUBLE)]),
            "struct<top speed:double>",
        ),
    ],
)
def test_rejects_an_unknown_column_type(column_type: glue.Type, rendered: str) -> None:
    with pytest.raises(
        ValueError, match=rf"columns: 'stats' has the type '{re.escape(rendered)}', which Glue"
    ):
        build_pattern(
            output_format=firehose.OutputFormat.PARQUET,
            columns=[glue.Column(name="stats", type=column_type)],
        )


def test_rejects_a_column_declared_twice() -> None:
    with pytest.raises(ValueError, match=r"columns: 'Lat' is declared twice"):
        build_pattern(
            output_format=firehose.OutputFormat.PARQUET,
            columns=[*POSITION_COLUMNS, glue.Column(name="Lat", type=glue.Schema.DOUBLE)],
        )


def test_rejects_a_partition_column_that_is_also_a_data_column() -> None:
    with pytest.raises(ValueError, match=r"names the partition column 'truck_id', which is also"):
        build_converting(
            prefix="data/truck_id=!{partitionKeyFromQuery:truck_id}/",
            dynamic_partitioning_keys={"truck_id": ".truck_id"},
        )


def test_rejects_a_prefix_expression_outside_a_hive_folder_for_a_new_table() -> None:
    with pytest.raises(ValueError, match=r"has the folder '!\{timestamp:yyyy\}': for a queryable"):
        build_converting(prefix="data/!{timestamp:yyyy}/")


def test_rejects_a_partition_folder_with_no_inferable_projection() -> None:
    with pytest.raises(
        ValueError, match=r"the folder part=!\{firehose:random-string\} has no projection"
    ):
        build_converting(prefix="data/part=!{firehose:random-string}/")


def test_accepts_an_explicit_projection_for_an_uninferable_folder() -> None:
    pattern = build_converting(
        prefix="data/part=!{firehose:random-string}/",
        partition_projections={"part": glue.PartitionProjectionConfiguration.injected()},
    )
    Template.from_stack(cdk.Stack.of(pattern)).has_resource_properties(
        "AWS::Glue::Table",
        {
            "TableInput": {
                "PartitionKeys": [{"Name": "part", "Type": "string"}],
                "Parameters": {"projection.enabled": "true", "projection.part.type": "injected"},
            }
        },
    )


def test_rejects_a_projection_for_an_unknown_partition_column() -> None:
    with pytest.raises(
        ValueError, match=r"partition_projections names 'truck', which is not a partition column"
    ):
        build_converting(
            partition_projections={"truck": glue.PartitionProjectionConfiguration.injected()}
        )


def test_input_format_chooses_the_json_deserializer() -> None:
    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(
            stack,
            "Ingest",
            output_format=firehose.OutputFormat.PARQUET,
            input_format=firehose.InputFormat.HIVE_JSON,
            columns=POSITION_COLUMNS,
        )

    destination = s3_destination(synth_stack(build), "Ingest/DeliveryStream")
    assert destination["DataFormatConversionConfiguration"]["InputFormatConfiguration"] == {
        "Deserializer": {"HiveJsonSerDe": {}}
    }
