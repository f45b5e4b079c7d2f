"""The checks of ``KinesisToFirehoseToS3``'s stream, delivery, log and alarm options.

Each rule raises ``ValueError`` naming the argument, the value and the allowed range or fix,
and skips unresolved tokens. The ranges are checked with the shared helpers; the other rules
are tables of condition and message (``*_RULES``), as aws-cdk-lib's ``validate-queue-props``.
The options of the transformation, dynamic partitioning and conversion are checked in
``processing`` and ``conversion``, with the helpers they share here. AWS's limits come from
``patterns.limits``.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import Duration, Size, SizeRoundingBehavior
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_logs as logs

from patterns.kinesis_firehose_s3.layout import ERROR_OUTPUT_TYPE, static_root
from patterns.limits import (
    FIREHOSE_BUFFERING_INTERVAL_MAX_SECONDS,
    FIREHOSE_BUFFERING_SIZE_MIB_RANGE,
    FIREHOSE_DELIVERY_STREAM_NAME_MAX_LENGTH,
    FIREHOSE_LARGE_BUFFERING_SIZE_MIN_MIB,
    FIREHOSE_PREFIX_MAX_LENGTH,
    FIREHOSE_S3_COMPRESSION_FORMATS,
    KINESIS_RETENTION_MAX_HOURS,
    KINESIS_RETENTION_MIN_HOURS,
    KINESIS_STREAM_NAME_MAX_LENGTH,
)
from patterns.validation import (
    check_duration,
    check_exclusive_with_existing,
    check_not_both,
    check_range,
    check_whole_number,
    check_whole_units,
    is_unresolved_text,
    seconds_of,
)

if TYPE_CHECKING:
    from patterns.kinesis_firehose_s3.options import PipelineOptions

RETENTION_MIN = Duration.hours(KINESIS_RETENTION_MIN_HOURS)
RETENTION_MAX = Duration.hours(KINESIS_RETENTION_MAX_HOURS)
BUFFERING_INTERVAL_MIN = Duration.seconds(0)
BUFFERING_INTERVAL_MAX = Duration.seconds(FIREHOSE_BUFFERING_INTERVAL_MAX_SECONDS)
ITERATOR_AGE_ALARM_MIN = Duration.minutes(1)
# Our choice, not AWS's: a freshness alarm of more than a day would say nothing useful.
DATA_FRESHNESS_ALARM_MAX = Duration.days(1)
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")
# The namespaces Firehose evaluates without dynamic partitioning; with it, also the keys.
_EXPRESSION = re.compile(r"!\{([^{}]*)\}")
_VALID_EXPRESSION = re.compile(r"^(timestamp:[^{}]+|firehose:(random-string|error-output-type))$")
_PARTITION_KEY_EXPRESSION = re.compile(r"^partitionKeyFrom(Query|Lambda):([^{}]*)$")


# MiB of each Size already read (every question to a Size is a round trip to jsii); weak keys,
# as ``patterns.validation.seconds_of`` does for Durations.
_MEBIBYTES: weakref.WeakKeyDictionary[Size, float | None] = weakref.WeakKeyDictionary()


def mebibytes_of(size: Size) -> float | None:
    """``size`` in MiB (not rounded), or ``None`` when it is an unresolved token."""
    if size not in _MEBIBYTES:
        _MEBIBYTES[size] = (
            None if size.is_unresolved() else size.to_mebibytes(rounding=SizeRoundingBehavior.NONE)
        )
    return _MEBIBYTES[size]


def check_whole_mebibytes(argument: str, size: Size | None, low: int, high: int) -> None:
    """``size`` is a whole number of MiB from ``low`` to ``high``; ``None`` and tokens pass."""
    mebibytes = None if size is None else mebibytes_of(size)
    if mebibytes is None:
        return
    if not low <= mebibytes <= high:  # compared in Python; check_range words the refusal
        check_range(argument, mebibytes, low, high, " MiB")
    if mebibytes != int(mebibytes):
        raise ValueError(f"{argument} must be a whole number of MiB, got {mebibytes:g} MiB")


def check_large_buffer(buffering_size: Size, reason: str) -> None:
    """``buffering_size`` of at least 64 MiB, as conversion and dynamic partitioning need."""
    mebibytes = mebibytes_of(buffering_size)
    if mebibytes is not None and mebibytes < FIREHOSE_LARGE_BUFFERING_SIZE_MIN_MIB:
        raise ValueError(
            f"buffering_size must be at least {FIREHOSE_LARGE_BUFFERING_SIZE_MIN_MIB} MiB with "
            f"{reason}, got {mebibytes:g} MiB"
        )


def check_folder_prefix(prefix: str, reason: str) -> None:
    """``prefix`` ends with ``/``, as ``reason`` (conversion, dynamic partitioning) needs.

    Firehose appends the object name to the prefix as it is: without the slash, the last
    partition (``hour=05``) becomes the start of every object's name instead of a folder,
    and a table or query that reads ``.../hour=05/`` finds nothing.
    """
    if is_unresolved_text(prefix) or not prefix or prefix.endswith("/"):
        return
    raise ValueError(
        f"prefix {prefix!r} must end with '/' with {reason}: Firehose appends the object name "
        "to the prefix, so its last part would become the start of each object's name "
        "instead of a folder (partition), and a table or query reading that folder would "
        f"find nothing. Use {prefix + '/'!r}"
    )


def check_name(argument: str, name: str | None, max_length: int) -> None:
    if name is None or is_unresolved_text(name):
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
    if is_unresolved_text(value):
        return
    if len(value) > FIREHOSE_PREFIX_MAX_LENGTH:
        raise ValueError(
            f"{argument} may be at most {FIREHOSE_PREFIX_MAX_LENGTH} characters, got {len(value)}"
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


@dataclass(frozen=True)
class OptionRule:
    """A rule of the options: when ``fails`` holds, ``message`` says why and what to do."""

    fails: Callable[[PipelineOptions], bool]
    message: Callable[[PipelineOptions], str]


STREAM_RULES: tuple[OptionRule, ...] = (
    OptionRule(
        lambda o: (
            o.stream_mode == kinesis.StreamMode.ON_DEMAND
            and (o.shard_count is not None or o.throughput is not None)
        ),
        lambda o: (
            "shard_count and throughput size a PROVISIONED stream; an ON_DEMAND stream "
            "scales by itself: drop them or set stream_mode=PROVISIONED"
        ),
    ),
    OptionRule(
        lambda o: (
            o.stream is None
            and o.stream_mode == kinesis.StreamMode.PROVISIONED
            and o.shard_count is None
            and o.throughput is None
        ),
        lambda o: (
            "stream_mode=PROVISIONED needs shard_count or throughput (see "
            "plan_shard_count); without a plan, use ON_DEMAND"
        ),
    ),
)
DELIVERY_RULES: tuple[OptionRule, ...] = (
    OptionRule(
        lambda o: o.compression_format not in FIREHOSE_S3_COMPRESSION_FORMATS,
        lambda o: (
            f"compression {o.compression_format!r} is not a Firehose S3 compression "
            f"format; use one of {', '.join(FIREHOSE_S3_COMPRESSION_FORMATS)}"
        ),
    ),
)
PREFIX_RULES: tuple[OptionRule, ...] = (
    OptionRule(
        lambda o: "!{" in o.prefix and not o.error_output_prefix,
        lambda o: (
            f"prefix {o.prefix!r} uses expressions, so Firehose requires an "
            f"error_output_prefix (for example 'errors/{ERROR_OUTPUT_TYPE}/')"
        ),
    ),
    OptionRule(
        lambda o: not o.prefix,
        lambda o: (
            "prefix may not be empty: objects would land at the bucket root and the "
            "delivery role could not be limited to a folder; use for example 'data/'"
        ),
    ),
)
LOG_RULES: tuple[OptionRule, ...] = (
    OptionRule(
        lambda o: o.log_retention == logs.RetentionDays.INFINITE,
        lambda o: (
            "log_retention may not be INFINITE: delivery error logs need a set "
            "retention; choose for example RetentionDays.ONE_YEAR"
        ),
    ),
)


def _apply(rules: tuple[OptionRule, ...], options: PipelineOptions) -> None:
    for rule in rules:
        if rule.fails(options):
            raise ValueError(rule.message(options))


def validate(o: PipelineOptions) -> None:
    """The stream, delivery, log and alarm options (``PipelineOptions.validate`` runs it after
    those of the processors and the conversion)."""
    _check_stream(o)
    _check_delivery(o)
    _apply(PREFIX_RULES, o)
    _apply(LOG_RULES, o)
    _check_alarms(o)


def _check_stream(o: PipelineOptions) -> None:
    given: dict[str, object] = {
        "stream_name": o.stream_name,
        "stream_mode": o.stream_mode,
        "shard_count": o.shard_count,
        "throughput": o.throughput,
        "retention_period": o.retention_period,
    }
    check_exclusive_with_existing("stream", o.stream, given)
    check_not_both("shard_count", o.shard_count, "throughput", o.throughput)
    check_whole_number("shard_count", o.shard_count, 1)
    if o.throughput is not None:
        _ = o.throughput.shard_count  # raises ValueError for an invalid workload
    _apply(STREAM_RULES, o)
    check_duration("retention_period", o.retention_period, RETENTION_MIN, RETENTION_MAX)
    check_whole_units("retention_period", o.retention_period, "hours")
    check_name("stream_name", o.stream_name, KINESIS_STREAM_NAME_MAX_LENGTH)


def _check_delivery(o: PipelineOptions) -> None:
    check_name(
        "delivery_stream_name", o.delivery_stream_name, FIREHOSE_DELIVERY_STREAM_NAME_MAX_LENGTH
    )
    check_duration(
        "buffering_interval", o.buffering_interval, BUFFERING_INTERVAL_MIN, BUFFERING_INTERVAL_MAX
    )
    check_whole_units("buffering_interval", o.buffering_interval, "seconds")
    check_whole_mebibytes("buffering_size", o.buffering_size, *FIREHOSE_BUFFERING_SIZE_MIB_RANGE)
    _apply(DELIVERY_RULES, o)
    check_prefix(
        "prefix",
        o.prefix,
        is_error_prefix=False,
        partition_keys=o.partition_keys,
        has_transformation=o.transformation_function is not None,
    )
    check_prefix("error_output_prefix", o.error_output_prefix, is_error_prefix=True)


def _check_alarms(o: PipelineOptions) -> None:
    # An existing stream's retention is the owner's: up to the longest one.
    retention = RETENTION_MAX if o.stream is not None else o.retention_period or RETENTION_MIN
    check_duration(
        "iterator_age_alarm_threshold",
        o.iterator_age_alarm_threshold,
        ITERATOR_AGE_ALARM_MIN,
        retention,
    )
    threshold = o.data_freshness_alarm_threshold
    interval, seconds = seconds_of(o.buffering_interval), seconds_of(threshold)
    highest = seconds_of(DATA_FRESHNESS_ALARM_MAX) or 0
    # Compared in Python; the lower bound is made a Duration only to word a failure.
    if interval is not None and seconds is not None and not interval + 60 <= seconds <= highest:
        check_duration(
            "data_freshness_alarm_threshold",
            threshold,
            Duration.seconds(interval + 60),
            DATA_FRESHNESS_ALARM_MAX,
        )
    check_whole_units("data_freshness_alarm_threshold", threshold, "seconds")
