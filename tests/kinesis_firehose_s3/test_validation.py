"""KinesisToFirehoseToS3: the checks of the stream, delivery, log and alarm options, one test
per rule."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, Size
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs

from patterns import KinesisToFirehoseToS3, StreamThroughput
from tests.helpers import new_app
from tests.kinesis_firehose_s3.common import (
    build_pattern,
    existing_stream_option,
)


def test_rejects_stream_options_with_an_existing_stream() -> None:
    with pytest.raises(ValueError, match=r"retention_period, shard_count configure a new resource"):
        build_pattern(**existing_stream_option(), shard_count=2, retention_period=Duration.days(2))


def test_rejects_shard_count_with_throughput() -> None:
    with pytest.raises(ValueError, match=r"either shard_count or throughput, not both"):
        build_pattern(shard_count=2, throughput=StreamThroughput(write_mb_per_second=1))


def test_rejects_shard_count_below_one() -> None:
    with pytest.raises(ValueError, match=r"shard_count must be at least 1, got 0"):
        build_pattern(shard_count=0)


def test_rejects_an_invalid_throughput() -> None:
    with pytest.raises(ValueError, match=r"classic_consumers must be at least 1, got 0"):
        build_pattern(throughput=StreamThroughput(write_mb_per_second=1, classic_consumers=0))


def test_rejects_a_shard_plan_for_an_on_demand_stream() -> None:
    with pytest.raises(ValueError, match=r"ON_DEMAND stream scales by itself"):
        build_pattern(stream_mode=kinesis.StreamMode.ON_DEMAND, shard_count=2)


def test_rejects_provisioned_without_a_plan() -> None:
    with pytest.raises(ValueError, match=r"PROVISIONED needs shard_count or throughput"):
        build_pattern(stream_mode=kinesis.StreamMode.PROVISIONED)


@pytest.mark.parametrize("retention", [Duration.hours(23), Duration.days(366)])
def test_rejects_retention_outside_24_hours_to_365_days(retention: Duration) -> None:
    with pytest.raises(ValueError, match=r"retention_period must be between 1 day and 365 days"):
        build_pattern(retention_period=retention)


def test_rejects_an_invalid_stream_name() -> None:
    with pytest.raises(ValueError, match=r"stream_name 'gps positions' must be 1 to 128"):
        build_pattern(stream_name="gps positions")


def test_rejects_an_invalid_delivery_stream_name() -> None:
    with pytest.raises(ValueError, match=r"delivery_stream_name '.*' must be 1 to 64"):
        build_pattern(delivery_stream_name="x" * 65)


def test_rejects_buffering_interval_over_900_seconds() -> None:
    with pytest.raises(ValueError, match=r"buffering_interval must be between 0 seconds and 15"):
        build_pattern(buffering_interval=Duration.seconds(901))


@pytest.mark.parametrize("size", [Size.kibibytes(512), Size.mebibytes(129)])
def test_rejects_buffering_size_outside_1_to_128_mib(size: Size) -> None:
    with pytest.raises(ValueError, match=r"buffering_size must be between 1 MiB and 128 MiB"):
        build_pattern(buffering_size=size)


def test_rejects_an_unknown_compression() -> None:
    with pytest.raises(ValueError, match=r"compression 'BZIP2' is not a Firehose S3"):
        build_pattern(compression=firehose.Compression.of("BZIP2"))


def test_rejects_a_prefix_over_1024_characters() -> None:
    with pytest.raises(ValueError, match=r"prefix may be at most 1024 characters, got 1029"):
        build_pattern(prefix="data/" + "x" * 1024)


def test_rejects_an_unknown_prefix_expression() -> None:
    with pytest.raises(ValueError, match=r"expression '!\{partitionKeyFromQuery:id\}'"):
        build_pattern(prefix="data/!{partitionKeyFromQuery:id}/")


def test_rejects_error_output_type_in_the_data_prefix() -> None:
    with pytest.raises(ValueError, match=r"prefix .* may not use !\{firehose:error-output-type\}"):
        build_pattern(prefix="data/!{firehose:error-output-type}/")


def test_rejects_an_error_prefix_expression_without_error_output_type() -> None:
    with pytest.raises(ValueError, match=r"requires it to contain !\{firehose:error-output-type\}"):
        build_pattern(error_output_prefix="errors/!{timestamp:yyyy}/")


def test_rejects_a_prefix_without_a_literal_folder() -> None:
    with pytest.raises(
        ValueError, match=r"prefix '!\{timestamp:yyyy\}/' must start with a literal"
    ):
        build_pattern(prefix="!{timestamp:yyyy}/")


def test_rejects_an_expression_prefix_without_an_error_prefix() -> None:
    with pytest.raises(ValueError, match=r"uses expressions, so Firehose requires an error_output"):
        build_pattern(prefix="data/!{timestamp:yyyy}/", error_output_prefix="")


def test_rejects_an_empty_prefix() -> None:
    with pytest.raises(ValueError, match=r"prefix may not be empty"):
        build_pattern(prefix="")


def test_rejects_infinite_log_retention() -> None:
    with pytest.raises(ValueError, match=r"log_retention may not be INFINITE"):
        build_pattern(log_retention=logs.RetentionDays.INFINITE)


def test_rejects_an_iterator_age_threshold_beyond_the_retention() -> None:
    with pytest.raises(
        ValueError, match=r"iterator_age_alarm_threshold must be between 1 minute and 1 day"
    ):
        build_pattern(iterator_age_alarm_threshold=Duration.hours(25))


def test_rejects_a_freshness_threshold_within_the_buffering_interval() -> None:
    with pytest.raises(
        ValueError, match=r"data_freshness_alarm_threshold must be between 6 minutes and 1 day"
    ):
        build_pattern(
            buffering_interval=Duration.minutes(5),
            data_freshness_alarm_threshold=Duration.minutes(5),
        )


def test_rejects_a_buffering_size_of_partial_mebibytes() -> None:
    with pytest.raises(ValueError, match=r"buffering_size must be a whole number of MiB, got 1.5"):
        build_pattern(buffering_size=Size.kibibytes(1536))


def test_unresolved_tokens_are_not_validated() -> None:
    stack = cdk.Stack(new_app(), "Test")
    shards = cdk.CfnParameter(stack, "Shards", type="Number").value_as_number
    name = cdk.CfnParameter(stack, "Name").value_as_string
    pattern = KinesisToFirehoseToS3(stack, "Ingest", shard_count=shards, stream_name=name)  # type: ignore[arg-type]
    assert isinstance(pattern.stream, kinesis.Stream)
