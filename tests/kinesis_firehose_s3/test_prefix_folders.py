"""A prefix ends with a folder when its parts are partitions: under record format conversion
(the Glue table reads folders) and dynamic partitioning (each key is a folder)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kinesisfirehose as firehose

from patterns import KinesisToFirehoseToS3
from tests.helpers import new_app
from tests.kinesis_firehose_s3.common import (
    EXISTING_TABLE_ARN,
    build_converting,
    build_partitioned,
    build_pattern,
)


def test_conversion_refuses_a_prefix_without_a_trailing_slash() -> None:
    with pytest.raises(
        ValueError,
        match=r"prefix 'data/year=!\{timestamp:yyyy\}' must end with '/' with record format "
        r"conversion .*start of each object's name.*Use 'data/year=!\{timestamp:yyyy\}/'",
    ):
        build_converting(prefix="data/year=!{timestamp:yyyy}")


def test_conversion_into_an_existing_table_refuses_it_too() -> None:
    stack = cdk.Stack(new_app(), "Test")
    table = glue.S3Table.from_table_arn(stack, "Clicks", EXISTING_TABLE_ARN)
    with pytest.raises(ValueError, match=r"prefix 'clicks' must end with '/'"):
        KinesisToFirehoseToS3(
            stack,
            "Ingest",
            prefix="clicks",
            output_format=firehose.OutputFormat.PARQUET,
            table=table,
        )


def test_dynamic_partitioning_refuses_a_prefix_without_a_trailing_slash() -> None:
    with pytest.raises(
        ValueError,
        match=r"prefix 'data/truck=!\{partitionKeyFromQuery:truck\}' must end with '/' with "
        r"dynamic partitioning",
    ):
        build_partitioned(prefix="data/truck=!{partitionKeyFromQuery:truck}")


def test_plain_delivery_keeps_a_prefix_that_names_objects() -> None:
    # Without partitions, a prefix that starts the object names is a choice: accepted.
    pattern = build_pattern(prefix="data/positions-")
    assert pattern.delivery_stream.node.path == "Test/Ingest/DeliveryStream"
