"""The options of ``QueueWithDeadLetterQueue``: SQS's documented ranges, the defaults, the checks.

Everything here is refused at synth with a ``ValueError`` that names the argument, the value
and the allowed range (unresolved tokens are skipped): the ranges are the CreateQueue
attributes of the SQS developer guide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypedDict

from aws_cdk import Duration, RemovalPolicy, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs

from patterns.keys import is_aws_managed, key_name
from patterns.limits import SQS_VISIBILITY_TIMEOUT_MAX_SECONDS
from patterns.naming import check_name_length
from patterns.validation import (
    check_duration,
    check_exclusive_with_existing,
    check_range,
    check_whole_number,
    seconds_of,
)

# Ranges as the SQS developer guide documents them (CreateQueue attributes).
RETENTION_MIN = Duration.seconds(60)
RETENTION_MAX = Duration.days(14)
VISIBILITY_MAX = Duration.seconds(SQS_VISIBILITY_TIMEOUT_MAX_SECONDS)  # 12 hours
DELIVERY_DELAY_MAX = Duration.minutes(15)
RECEIVE_WAIT_MAX = Duration.seconds(20)
MAX_RECEIVE_COUNT_RANGE = (1, 1000)
MESSAGE_SIZE_RANGE = (1024, 1_048_576)
QUEUE_NAME_MAX_LENGTH = 80
FIFO_SUFFIX = ".fifo"
DLQ_SUFFIX = "-dlq"
# Room for both suffixes, so the derived DLQ name of a generated name always fits. Changing it
# would rename (and so replace) the queues of existing stacks.
GENERATED_NAME_MAX_LENGTH = QUEUE_NAME_MAX_LENGTH - len(FIFO_SUFFIX) - len(DLQ_SUFFIX)
# Source queues one byQueue redrive-allow policy may name (SQS SetQueueAttributes,
# RedriveAllowPolicy.sourceQueueArns: "You can specify up to 10 source queues").
REDRIVE_ALLOW_MAX_SOURCES = 10
_QUEUE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")

ZERO = Duration.seconds(0)
MESSAGE_AGE_ALARM_MIN = Duration.minutes(1)
DEFAULT_RETENTION = Duration.days(4)
DEFAULT_DLQ_RETENTION = RETENTION_MAX
DEFAULT_VISIBILITY_TIMEOUT = Duration.seconds(30)
DEFAULT_RECEIVE_WAIT = RECEIVE_WAIT_MAX
DEFAULT_MAX_RECEIVE_COUNT = 5
DEFAULT_MESSAGE_AGE_ALARM = Duration.minutes(15)


class QueueOptions(TypedDict, total=False):
    """The keyword options of :class:`QueueWithDeadLetterQueue`, for patterns that pass them on."""

    queue_name: str | None
    fifo: bool
    content_based_deduplication: bool
    high_throughput_fifo: bool
    retention_period: Duration | None
    visibility_timeout: Duration | None
    delivery_delay: Duration | None
    receive_message_wait_time: Duration | None
    max_message_size_bytes: int | None
    max_receive_count: int
    dead_letter_queue: sqs.IQueue | None
    dead_letter_queue_name: str | None
    dead_letter_retention_period: Duration | None
    encryption: sqs.QueueEncryption | None
    encryption_key: kms.IKey | None
    removal_policy: RemovalPolicy
    alarm_actions: Sequence[cloudwatch.IAlarmAction]
    message_age_alarm_threshold: Duration | None


def derived_dlq_name(name: str, fifo: bool) -> str:
    return f"{strip_fifo(name)}{DLQ_SUFFIX}{FIFO_SUFFIX if fifo else ''}"


def strip_fifo(name: str) -> str:
    return name[: -len(FIFO_SUFFIX)] if name.endswith(FIFO_SUFFIX) else name


def _check_queue_name(argument: str, name: str | None, fifo: bool) -> None:
    if name is None or Token.is_unresolved(name):
        return
    if fifo and not name.endswith(FIFO_SUFFIX):
        raise ValueError(f"{argument} {name!r} must end in '.fifo' because fifo is True")
    if not fifo and name.endswith(FIFO_SUFFIX):
        raise ValueError(
            f"{argument} {name!r} ends in '.fifo', which SQS reserves for FIFO queues; "
            "set fifo=True or choose another name"
        )
    base = strip_fifo(name)
    if len(name) > QUEUE_NAME_MAX_LENGTH or not _QUEUE_NAME_PATTERN.match(base):
        raise ValueError(
            f"{argument} {name!r} must be 1 to {QUEUE_NAME_MAX_LENGTH} characters of "
            "letters, digits, hyphens and underscores (plus '.fifo' for FIFO queues)"
        )


def validate(
    *,
    queue_name: str | None,
    fifo: bool,
    content_based_deduplication: bool,
    high_throughput_fifo: bool,
    retention_period: Duration,
    visibility_timeout: Duration | None,
    delivery_delay: Duration | None,
    receive_message_wait_time: Duration | None,
    max_message_size_bytes: int | None,
    max_receive_count: int,
    dead_letter_queue: sqs.IQueue | None,
    dead_letter_queue_name: str | None,
    dead_letter_retention_period: Duration | None,
    encryption: sqs.QueueEncryption | None,
    encryption_key: kms.IKey | None,
    message_age_alarm_threshold: Duration,
) -> None:
    check_duration("retention_period", retention_period, RETENTION_MIN, RETENTION_MAX)
    check_duration(
        "dead_letter_retention_period", dead_letter_retention_period, RETENTION_MIN, RETENTION_MAX
    )
    check_duration("visibility_timeout", visibility_timeout, ZERO, VISIBILITY_MAX)
    check_duration("delivery_delay", delivery_delay, ZERO, DELIVERY_DELAY_MAX)
    check_duration("receive_message_wait_time", receive_message_wait_time, ZERO, RECEIVE_WAIT_MAX)
    check_range("max_message_size_bytes", max_message_size_bytes, *MESSAGE_SIZE_RANGE, " bytes")
    check_whole_number("max_receive_count", max_receive_count, *MAX_RECEIVE_COUNT_RANGE)
    check_duration(
        "message_age_alarm_threshold",
        message_age_alarm_threshold,
        MESSAGE_AGE_ALARM_MIN,
        retention_period,
    )

    if not fifo:
        for option, value in (
            ("content_based_deduplication", content_based_deduplication),
            ("high_throughput_fifo", high_throughput_fifo),
        ):
            if value:
                raise ValueError(f"{option}=True applies to FIFO queues only; set fifo=True")
    _check_queue_name("queue_name", queue_name, fifo)
    _check_queue_name("dead_letter_queue_name", dead_letter_queue_name, fifo)
    if (
        dead_letter_queue is None
        and dead_letter_queue_name is None
        and queue_name is not None
        and not Token.is_unresolved(queue_name)
    ):
        check_name_length(
            "queue_name without dead_letter_queue_name",
            derived_dlq_name(queue_name, fifo),
            QUEUE_NAME_MAX_LENGTH,
            "the dead-letter queue name",
        )

    check_exclusive_with_existing(
        "dead_letter_queue",
        dead_letter_queue,
        {
            "dead_letter_queue_name": dead_letter_queue_name,
            "dead_letter_retention_period": dead_letter_retention_period,
        },
    )
    if dead_letter_queue is not None and dead_letter_queue.fifo != fifo:
        kind = "a FIFO" if dead_letter_queue.fifo else "a standard"
        raise ValueError(
            f"dead_letter_queue is {kind} queue but fifo is {fifo}: SQS requires the "
            "dead-letter queue of a FIFO queue to be FIFO, and of a standard queue standard"
        )

    dlq_retention = dead_letter_retention_period or DEFAULT_DLQ_RETENTION
    source_seconds, dlq_seconds = seconds_of(retention_period), seconds_of(dlq_retention)
    if (
        dead_letter_queue is None
        and source_seconds is not None
        and dlq_seconds is not None
        and source_seconds > dlq_seconds
    ):
        raise ValueError(
            f"retention_period ({retention_period.to_human_string()}) may not exceed "
            f"dead_letter_retention_period ({dlq_retention.to_human_string()}): a message keeps "
            "its original enqueue time in a standard DLQ and would expire there before anyone "
            "saw it"
        )

    if encryption not in (None, sqs.QueueEncryption.SQS_MANAGED, sqs.QueueEncryption.KMS):
        raise ValueError(
            f"encryption {encryption} is not allowed: use SQS_MANAGED (SSE-SQS) or KMS (a "
            "customer-managed key). Unencrypted queues fail compliance, and the AWS-managed "
            "key (KMS_MANAGED) cannot be granted to SNS or S3, so their messages would be lost"
        )
    if encryption_key is not None and is_aws_managed(encryption_key):
        raise ValueError(
            f"encryption_key {key_name(encryption_key)} is an AWS-managed key: its policy "
            "cannot be changed, so it cannot be granted to SNS or S3 and their messages would "
            "be lost. Pass a customer-managed key, or encryption=KMS without encryption_key "
            "for a new one"
        )
    if encryption_key is not None and encryption == sqs.QueueEncryption.SQS_MANAGED:
        raise ValueError(
            "encryption_key was given with encryption=SQS_MANAGED; drop encryption_key or use "
            "encryption=KMS"
        )
