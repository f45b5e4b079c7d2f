"""The prefix read as a table: partition columns, their projections, Glue column types."""

from __future__ import annotations

import pytest

from patterns.kinesis_firehose_s3.layout import (
    PartitionColumn,
    Projection,
    is_glue_type,
    location_template,
    partition_columns,
    projection_for,
)


@pytest.mark.parametrize(
    "type_string",
    [
        "string",
        "INT",
        "bigint",
        "decimal(10,2)",
        "decimal(38)",
        "varchar(64)",
        "array<double>",
        "map<string,array<int>>",
        "struct<lat:double,lon:double,tags:array<string>>",
    ],
)
def test_glue_types_are_known(type_string: str) -> None:
    assert is_glue_type(type_string)


@pytest.mark.parametrize(
    "type_string",
    ["dubble", "struct<>", "struct<top speed:double>", "array<int,int>", "map<string>", "list"],
)
def test_unknown_glue_types_are_rejected(type_string: str) -> None:
    assert not is_glue_type(type_string)


def test_partition_columns_are_the_hive_folders_of_the_prefix() -> None:
    prefix = "positions/v1/truck=!{partitionKeyFromQuery:truck}/hour=!{timestamp:yyyy-MM-dd-HH}/"
    assert partition_columns("prefix", prefix) == [
        PartitionColumn("truck", "partitionKeyFromQuery", "truck"),
        PartitionColumn("hour", "timestamp", "yyyy-MM-dd-HH"),
    ]
    assert location_template("lake", prefix, partition_columns("prefix", prefix)) == (
        "s3://lake/positions/v1/truck=${truck}/hour=${hour}/"
    )


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("data/!{timestamp:yyyy}/", "must be alone in a Hive-style folder"),
        ("data/day=!{timestamp:dd}-!{timestamp:HH}/", "must be alone in a Hive-style folder"),
        ("data/Day=!{timestamp:dd}/", "names the partition column 'Day'"),
        ("data/d=!{timestamp:dd}/d=!{timestamp:HH}/", "uses the partition column 'd' twice"),
    ],
)
def test_prefixes_a_table_cannot_read_are_rejected(prefix: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        partition_columns("prefix", prefix)


@pytest.mark.parametrize(
    ("column", "projection"),
    [
        (PartitionColumn("k", "partitionKeyFromQuery", "k"), Projection("injected")),
        (PartitionColumn("k", "partitionKeyFromLambda", "k"), Projection("injected")),
        (PartitionColumn("m", "timestamp", "MM"), Projection("integer", integer_range=(1, 12, 2))),
        (PartitionColumn("d", "timestamp", "dd"), Projection("integer", integer_range=(1, 31, 2))),
        (PartitionColumn("h", "timestamp", "HH"), Projection("integer", integer_range=(0, 23, 2))),
        (
            PartitionColumn("y", "timestamp", "yyyy"),
            Projection("date", date_format="yyyy", date_unit="YEARS"),
        ),
        (
            PartitionColumn("dt", "timestamp", "yyyy-MM-dd"),
            Projection("date", date_format="yyyy-MM-dd", date_unit="DAYS"),
        ),
        (
            PartitionColumn("hour", "timestamp", "yyyy-MM-dd-HH"),
            Projection("date", date_format="yyyy-MM-dd-HH", date_unit="HOURS"),
        ),
        (
            PartitionColumn("minute", "timestamp", "yyyy-MM-dd-HH-mm"),
            Projection("date", date_format="yyyy-MM-dd-HH-mm", date_unit="MINUTES"),
        ),
        (PartitionColumn("w", "timestamp", "ww"), None),
        (PartitionColumn("r", "firehose", "random-string"), None),
    ],
)
def test_projection_follows_what_firehose_writes(
    column: PartitionColumn, projection: Projection | None
) -> None:
    assert projection_for(column) == projection
