"""The checks of ``KinesisToFirehoseToS3``'s stream, delivery, log and alarm options.

Each rule raises ``ValueError`` naming the argument, the value and the allowed range or fix,
and skips unresolved tokens. The options of the transformation, dynamic partitioning and
conversion are checked in ``processing`` and ``conversion``, with the limits they share here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from aws_cdk import Duration, Size, SizeRoundingBehavior, Token
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs

from patterns.kinesis_firehose_s3.layout import ERROR_OUTPUT_TYPE, static_root
from patterns.kinesis_firehose_s3.shard_planning import StreamThroughput
from patterns.kinesis_firehose_s3.stream import RETENTION_MAX, RETENTION_MIN
from patterns.validation import (
    check_duration,
    check_exclusive_with_existing,
    check_not_both,
    check_range,
)

STREAM_NAME_MAX_LENGTH = 128
DELIVERY_STREAM_NAME_MAX_LENGTH = 64
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")

# Amazon Data Firehose buffering hints for S3 destinations.
BUFFERING_INTERVAL_MAX = Duration.seconds(900)
BUFFERING_SIZE_MIB_RANGE = (1, 128)
# Record format conversion and dynamic partitioning both need buffers of at least 64 MiB
# (Firehose developer guide: "Record format conversion", "Dynamic partitioning").
LARGE_BUFFERING_SIZE_MIN_MIB = 64
PREFIX_MAX_LENGTH = 1024
COMPRESSION_FORMATS = ("UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY")
# The namespaces Firehose evaluates without dynamic partitioning; with it, also the keys.
_EXPRESSION = re.compile(r"!\{([^{}]*)\}")
_VALID_EXPRESSION = re.compile(r"^(timestamp:[^{}]+|firehose:(random-string|error-output-type))$")
_PARTITION_KEY_EXPRESSION = re.compile(r"^partitionKeyFrom(Query|Lambda):([^{}]*)$")
DATA_FRESHNESS_ALARM_MAX = Duration.days(1)


def check_large_buffer(buffering_size: Size, reason: str) -> None:
    """``buffering_size`` of at least 64 MiB, as conversion and dynamic partitioning need."""
    if buffering_size.is_unresolved():
        return
    mebibytes = buffering_size.to_mebibytes(rounding=SizeRoundingBehavior.NONE)
    if mebibytes < LARGE_BUFFERING_SIZE_MIN_MIB:
        raise ValueError(
            f"buffering_size must be at least {LARGE_BUFFERING_SIZE_MIN_MIB} MiB with "
            f"{reason}, got {mebibytes:g} MiB"
        )


def check_whole_units(argument: str, value: Duration | None, unit: str) -> None:
    """``value`` is a whole number of ``unit`` (``"seconds"`` or ``"hours"``), as the
    CloudFormation property it becomes is an integer; tokens pass."""
    if value is None or value.is_unresolved():
        return
    amount = value.to_seconds(integral=False) / (3600 if unit == "hours" else 1)
    if amount != int(amount):
        raise ValueError(f"{argument} must be a whole number of {unit}, got {amount:g} {unit}")


def check_folder_prefix(prefix: str, reason: str) -> None:
    """``prefix`` ends with ``/``, as ``reason`` (conversion, dynamic partitioning) needs.

    Firehose appends the object name to the prefix as it is: without the slash, the last
    partition (``hour=05``) becomes the start of every object's name instead of a folder,
    and a table or query that reads ``.../hour=05/`` finds nothing.
    """
    if Token.is_unresolved(prefix) or not prefix or prefix.endswith("/"):
        return
    raise ValueError(
        f"prefix {prefix!r} must end with '/' with {reason}: Firehose appends the object name "
        "to the prefix, so its last part would become the start of each object's name "
        "instead of a folder (partition), and a table or query reading that folder would "
        f"find nothing. Use {prefix + '/'!r}"
    )


def check_name(argument: str, name: str | None, max_length: int) -> None:
    if name is None or Token.is_unresolved(name):
        return
    if not 1 <= len(name) <= max_length or not _NAME_PATTERN.match(name):
        raise ValueError(
            f"{argument} {name!r} must be 1 to {max_length} characters of letters, digits, "
            "underscores, hyphens and periods"
        )


def check_prefix(
    argument: str,
    value: str,
    *,
    is_error_prefix: bool,
    partition_keys: Mapping[str, str] | None = None,
    has_transformation: bool = False,
) -> None:
    if Token.is_unresolved(value):
        return
    if len(value) > PREFIX_MAX_LENGTH:
        raise ValueError(
            f"{argument} may be at most {PREFIX_MAX_LENGTH} characters, got {len(value)}"
        )
    for expression in _EXPRESSION.findall(value):
        if _VALID_EXPRESSION.match(expression):
            continue
        key_match = _PARTITION_KEY_EXPRESSION.match(expression)
        if key_match is None or is_error_prefix or not partition_keys:
            where = (
                "an error_output_prefix holds records that have no partition keys, so Firehose "
                "evaluates there only"
                if is_error_prefix
                else "without dynamic partitioning (dynamic_partitioning_keys) Firehose "
                "evaluates only"
            )
            raise ValueError(
                f"{argument} {value!r} uses the expression '!{{{expression}}}'; {where} "
                "!{timestamp:<format>}, !{firehose:random-string} and "
                "!{firehose:error-output-type}"
            )
        source, key = key_match.groups()
        if source == "Query" and key not in partition_keys:
            raise ValueError(
                f"{argument} {value!r} uses !{{partitionKeyFromQuery:{key}}}, but {key!r} is not "
                f"among dynamic_partitioning_keys ({', '.join(sorted(partition_keys))}); "
                "declare it there with its jq expression"
            )
        if source == "Lambda" and not has_transformation:
            raise ValueError(
                f"{argument} {value!r} uses !{{partitionKeyFromLambda:{key}}}, which only a "
                "transformation_function can return; set one or use partitionKeyFromQuery"
            )
    if not is_error_prefix and ERROR_OUTPUT_TYPE in value:
        raise ValueError(
            f"{argument} {value!r} may not use {ERROR_OUTPUT_TYPE}; it belongs in "
            "error_output_prefix"
        )
    if is_error_prefix and "!{" in value and ERROR_OUTPUT_TYPE not in value:
        raise ValueError(
            f"{argument} {value!r} uses expressions, so Firehose requires it to contain "
            f"{ERROR_OUTPUT_TYPE}"
        )
    root = static_root(value)
    if value and (not root or root.startswith("/")):
        raise ValueError(
            f"{argument} {value!r} must start with a literal folder such as 'data/' (no "
            "leading '/'), so that the delivery role can be limited to it"
        )


def validate(
    *,
    stream: kinesis.IStream | None,
    stream_name: str | None,
    stream_mode: kinesis.StreamMode | None,
    shard_count: int | None,
    throughput: StreamThroughput | None,
    retention_period: Duration | None,
    delivery_stream_name: str | None,
    buffering_interval: Duration,
    buffering_size: Size,
    compression: firehose.Compression,
    prefix: str,
    error_output_prefix: str,
    log_retention: logs.RetentionDays,
    iterator_age_alarm_threshold: Duration,
    data_freshness_alarm_threshold: Duration,
    effective_retention: Duration,
    dynamic_partitioning_keys: Mapping[str, str],
    has_transformation: bool,
) -> None:
    check_exclusive_with_existing(
        "stream",
        stream,
        {
            "stream_name": stream_name,
            "stream_mode": stream_mode,
            "shard_count": shard_count,
            "throughput": throughput,
            "retention_period": retention_period,
        },
    )
    check_not_both("shard_count", shard_count, "throughput", throughput)
    if shard_count is not None and not Token.is_unresolved(shard_count):
        if isinstance(shard_count, bool) or not isinstance(shard_count, int):
            raise ValueError(f"shard_count must be a whole number of shards, got {shard_count!r}")
        if shard_count < 1:
            raise ValueError(f"shard_count must be at least 1, got {shard_count}")
    if throughput is not None:
        _ = throughput.shard_count  # raises ValueError for an invalid workload
    if stream_mode == kinesis.StreamMode.ON_DEMAND and (
        shard_count is not None or throughput is not None
    ):
        raise ValueError(
            "shard_count and throughput size a PROVISIONED stream; an ON_DEMAND stream scales "
            "by itself: drop them or set stream_mode=PROVISIONED"
        )
    if (
        stream is None
        and stream_mode == kinesis.StreamMode.PROVISIONED
        and shard_count is None
        and throughput is None
    ):
        raise ValueError(
            "stream_mode=PROVISIONED needs shard_count or throughput (see plan_shard_count); "
            "without a plan, use ON_DEMAND"
        )
    check_duration("retention_period", retention_period, RETENTION_MIN, RETENTION_MAX)
    check_whole_units("retention_period", retention_period, "hours")
    check_name("stream_name", stream_name, STREAM_NAME_MAX_LENGTH)
    check_name("delivery_stream_name", delivery_stream_name, DELIVERY_STREAM_NAME_MAX_LENGTH)

    check_duration(
        "buffering_interval", buffering_interval, Duration.seconds(0), BUFFERING_INTERVAL_MAX
    )
    check_whole_units("buffering_interval", buffering_interval, "seconds")
    if not buffering_size.is_unresolved():
        mebibytes = buffering_size.to_mebibytes(rounding=SizeRoundingBehavior.NONE)
        check_range("buffering_size", mebibytes, *BUFFERING_SIZE_MIB_RANGE, " MiB")
        if mebibytes != int(mebibytes):
            raise ValueError(f"buffering_size must be a whole number of MiB, got {mebibytes:g} MiB")
    if compression.value not in COMPRESSION_FORMATS:
        raise ValueError(
            f"compression {compression.value!r} is not a Firehose S3 compression format; use "
            f"one of {', '.join(COMPRESSION_FORMATS)}"
        )

    check_prefix(
        "prefix",
        prefix,
        is_error_prefix=False,
        partition_keys=dynamic_partitioning_keys,
        has_transformation=has_transformation,
    )
    check_prefix("error_output_prefix", error_output_prefix, is_error_prefix=True)
    if "!{" in prefix and not error_output_prefix:
        raise ValueError(
            f"prefix {prefix!r} uses expressions, so Firehose requires an error_output_prefix "
            f"(for example 'errors/{ERROR_OUTPUT_TYPE}/')"
        )
    if not prefix:
        raise ValueError(
            "prefix may not be empty: objects would land at the bucket root and the delivery "
            "role could not be limited to a folder; use for example 'data/'"
        )

    if log_retention == logs.RetentionDays.INFINITE:
        raise ValueError(
            "log_retention may not be INFINITE: delivery error logs need a set retention; "
            "choose for example RetentionDays.ONE_YEAR"
        )

    check_duration(
        "iterator_age_alarm_threshold",
        iterator_age_alarm_threshold,
        Duration.minutes(1),
        effective_retention,
    )
    if not buffering_interval.is_unresolved():
        check_duration(
            "data_freshness_alarm_threshold",
            data_freshness_alarm_threshold,
            Duration.seconds(buffering_interval.to_seconds() + 60),
            DATA_FRESHNESS_ALARM_MAX,
        )
    check_whole_units("data_freshness_alarm_threshold", data_freshness_alarm_threshold, "seconds")
