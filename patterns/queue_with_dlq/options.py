"""The options of ``QueueWithDeadLetterQueue``: SQS's documented ranges, the defaults, the checks.

Everything here is refused at synth with a ``ValueError`` that names the argument, the value
and the allowed range (unresolved tokens are skipped). The numbers are AWS's, written once in
:mod:`patterns.limits`; the checks are a table, as aws-cdk-lib's ``validate-queue-props.ts``:
the ranges (:data:`DURATION_RANGES`), then the names, then the rules (:data:`RULES`), each a
condition and its message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypedDict

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs

from patterns import limits
from patterns.keys import is_aws_managed, key_name
from patterns.limits import FIFO_SUFFIX as FIFO_SUFFIX
from patterns.limits import NameProblem, name_problems
from patterns.naming import check_name_length
from patterns.validation import (
    check_duration,
    check_exclusive_with_existing,
    check_range,
    check_whole_number,
    is_unresolved_text,
    seconds_of,
)

# Ranges as the SQS developer guide documents them (CreateQueue attributes).
RETENTION_MIN = Duration.seconds(limits.SQS_RETENTION_MIN_SECONDS)
RETENTION_MAX = Duration.seconds(limits.SQS_RETENTION_MAX_SECONDS)
VISIBILITY_MAX = Duration.seconds(limits.SQS_VISIBILITY_TIMEOUT_MAX_SECONDS)  # 12 hours
DELIVERY_DELAY_MAX = Duration.seconds(limits.SQS_DELIVERY_DELAY_MAX_SECONDS)
RECEIVE_WAIT_MAX = Duration.seconds(limits.SQS_RECEIVE_WAIT_MAX_SECONDS)
MAX_RECEIVE_COUNT_RANGE = (limits.SQS_MAX_RECEIVE_COUNT_MIN, limits.SQS_MAX_RECEIVE_COUNT_MAX)
MESSAGE_SIZE_RANGE = (limits.SQS_MESSAGE_SIZE_MIN_BYTES, limits.SQS_MESSAGE_SIZE_MAX_BYTES)
QUEUE_NAME_MAX_LENGTH = limits.SQS_QUEUE_NAME_MAX_LENGTH
DLQ_SUFFIX = "-dlq"
# Room for both suffixes, so the derived DLQ name of a generated name always fits. Changing it
# would rename (and so replace) the queues of existing stacks.
GENERATED_NAME_MAX_LENGTH = QUEUE_NAME_MAX_LENGTH - len(FIFO_SUFFIX) - len(DLQ_SUFFIX)
REDRIVE_ALLOW_MAX_SOURCES = limits.SQS_REDRIVE_ALLOW_MAX_SOURCES

ZERO = Duration.seconds(0)
MESSAGE_AGE_ALARM_MIN = Duration.minutes(1)
DEFAULT_RETENTION = Duration.seconds(limits.SQS_DEFAULT_RETENTION_SECONDS)
DEFAULT_DLQ_RETENTION = RETENTION_MAX
DEFAULT_VISIBILITY_TIMEOUT = Duration.seconds(limits.SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS)
DEFAULT_RECEIVE_WAIT = RECEIVE_WAIT_MAX
DEFAULT_MAX_RECEIVE_COUNT = 5
DEFAULT_MESSAGE_AGE_ALARM = Duration.minutes(15)


class QueueOptions(TypedDict, total=False):
    """The keyword options of [`QueueWithDeadLetterQueue`][patterns.QueueWithDeadLetterQueue],
    for the patterns that create one for you and pass them on.

    `SnsToSqsFanOut.add_queue` and `S3EventFanOut.add_queue` take them as keyword arguments
    (`fan_out.add_queue("Orders", max_receive_count=3)`). Each key means what the constructor
    parameter of the same name means, with the same range and default; a key left out takes
    the constructor's default, except where the method says otherwise (`fifo` follows the
    topic, `alarm_actions` the fan-out's).
    """

    queue_name: str | None
    """Physical name of the queue; a FIFO name must end in `.fifo`. Default: a name generated
    from the construct path."""
    fifo: bool
    """Make a FIFO queue and a FIFO dead-letter queue. Default: `False`."""
    content_based_deduplication: bool
    """FIFO only: deduplicate on a SHA-256 of the body. Default: `False`."""
    high_throughput_fifo: bool
    """FIFO only: deduplication and throughput quota per message group ID. Default: `False`."""
    retention_period: Duration | None
    """How long the queue keeps a message, 60 s to 14 days. Default: 4 days."""
    visibility_timeout: Duration | None
    """How long a received message stays hidden, 0 s to 12 h. Default: 30 seconds."""
    delivery_delay: Duration | None
    """Delay before a new message becomes visible, 0 s to 15 min. Default: no delay."""
    receive_message_wait_time: Duration | None
    """Long-polling wait of `ReceiveMessage`, 0 to 20 s. Default: 20 seconds."""
    max_message_size_bytes: int | None
    """Largest message accepted, 1,024 to 1,048,576 bytes. Default: the SQS default."""
    max_receive_count: int
    """Receives after which a message moves to the DLQ, 1 to 1,000. Default: 5."""
    dead_letter_queue: sqs.IQueue | None
    """An existing queue to use as the DLQ (FIFO exactly when the queue is). Default: a new
    DLQ."""
    dead_letter_queue_name: str | None
    """Physical name of the new DLQ. Default: the queue's name followed by `-dlq`."""
    dead_letter_retention_period: Duration | None
    """How long the new DLQ keeps a message, 60 s to 14 days. Default: 14 days."""
    encryption: sqs.QueueEncryption | None
    """`SQS_MANAGED` or `KMS`. Default: `SQS_MANAGED`, or `KMS` when `encryption_key` is
    given."""
    encryption_key: kms.IKey | None
    """A customer-managed key for both queues. Default: with `KMS` encryption, a new key with
    yearly rotation."""
    removal_policy: RemovalPolicy
    """What happens to the queues (and a new key) when they leave the stack. Default:
    `DESTROY`."""
    alarm_actions: Sequence[cloudwatch.IAlarmAction]
    """Actions for every alarm, on alarm and on return to OK. Default: none, or the fan-out's
    when a fan-out creates the queue."""
    message_age_alarm_threshold: Duration | None
    """Alarm when the oldest message is at least this old, from 1 minute up to the retention
    period. Default: 15 minutes."""


def derived_dlq_name(name: str, fifo: bool) -> str:
    return f"{strip_fifo(name)}{DLQ_SUFFIX}{FIFO_SUFFIX if fifo else ''}"


def strip_fifo(name: str) -> str:
    return name.removesuffix(FIFO_SUFFIX)


@dataclass(frozen=True)
class QueueSettings:
    """The options as given, with the defaults the checks need applied (``retention_period``,
    ``message_age_alarm_threshold``), and what follows from them."""

    queue_name: str | None
    fifo: bool
    content_based_deduplication: bool
    high_throughput_fifo: bool
    retention_period: Duration
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
    message_age_alarm_threshold: Duration

    @property
    def uses_kms(self) -> bool:
        """A customer-managed key encrypts the queues (given, or new with ``encryption=KMS``)."""
        return self.encryption_key is not None or self.encryption == sqs.QueueEncryption.KMS

    @property
    def queue_encryption(self) -> sqs.QueueEncryption:
        return sqs.QueueEncryption.KMS if self.uses_kms else sqs.QueueEncryption.SQS_MANAGED

    @property
    def dead_letter_retention(self) -> Duration:
        """How long a new DLQ keeps a message."""
        return self.dead_letter_retention_period or DEFAULT_DLQ_RETENTION


class Rule(NamedTuple):
    """One row of the table: when ``fails(settings)``, ``message(settings)`` is the error."""

    fails: Callable[[QueueSettings], bool]
    message: Callable[[QueueSettings], str]


# (argument, minimum, maximum), each checked by ``check_duration``.
DURATION_RANGES: tuple[tuple[str, Duration, Duration], ...] = (
    ("retention_period", RETENTION_MIN, RETENTION_MAX),
    ("dead_letter_retention_period", RETENTION_MIN, RETENTION_MAX),
    ("visibility_timeout", ZERO, VISIBILITY_MAX),
    ("delivery_delay", ZERO, DELIVERY_DELAY_MAX),
    ("receive_message_wait_time", ZERO, RECEIVE_WAIT_MAX),
)


def _fifo_only(option: str) -> Rule:
    return Rule(
        lambda s: not s.fifo and bool(getattr(s, option)),
        lambda s: f"{option}=True applies to FIFO queues only; set fifo=True",
    )


def _dlq_type_mismatch(s: QueueSettings) -> bool:
    return s.dead_letter_queue is not None and s.dead_letter_queue.fifo != s.fifo


def _dlq_type_message(s: QueueSettings) -> str:
    kind = "a FIFO" if not s.fifo else "a standard"
    return (
        f"dead_letter_queue is {kind} queue but fifo is {s.fifo}: SQS requires the "
        "dead-letter queue of a FIFO queue to be FIFO, and of a standard queue standard"
    )


def _outlives_dead_letter_queue(s: QueueSettings) -> bool:
    """A message of a standard DLQ keeps its enqueue time: it must not expire there first."""
    if s.dead_letter_queue is not None:
        return False
    source, kept = seconds_of(s.retention_period), seconds_of(s.dead_letter_retention)
    return source is not None and kept is not None and source > kept


def _aws_managed_key_message(key: kms.IKey | None) -> str:
    return (
        f"encryption_key {key_name(key) if key else None} is an AWS-managed key: its policy "
        "cannot be changed, so it cannot be granted to SNS or S3 and their messages would be "
        "lost. Pass a customer-managed key, or encryption=KMS without encryption_key for a new "
        "one"
    )


ALLOWED_ENCRYPTION = (None, sqs.QueueEncryption.SQS_MANAGED, sqs.QueueEncryption.KMS)

RULES: tuple[Rule, ...] = (
    _fifo_only("content_based_deduplication"),
    _fifo_only("high_throughput_fifo"),
    Rule(_dlq_type_mismatch, _dlq_type_message),
    Rule(
        _outlives_dead_letter_queue,
        lambda s: (
            f"retention_period ({s.retention_period.to_human_string()}) may not exceed "
            f"dead_letter_retention_period ({s.dead_letter_retention.to_human_string()}): a "
            "message keeps its original enqueue time in a standard DLQ and would expire there "
            "before anyone saw it"
        ),
    ),
    Rule(
        lambda s: s.encryption not in ALLOWED_ENCRYPTION,
        lambda s: (
            f"encryption {s.encryption} is not allowed: use SQS_MANAGED (SSE-SQS) or KMS (a "
            "customer-managed key). Unencrypted queues fail compliance, and the AWS-managed "
            "key (KMS_MANAGED) cannot be granted to SNS or S3, so their messages would be lost"
        ),
    ),
    Rule(
        lambda s: s.encryption_key is not None and is_aws_managed(s.encryption_key),
        lambda s: _aws_managed_key_message(s.encryption_key),
    ),
    Rule(
        lambda s: s.encryption_key is not None and s.encryption == sqs.QueueEncryption.SQS_MANAGED,
        lambda s: (
            "encryption_key was given with encryption=SQS_MANAGED; drop encryption_key or use "
            "encryption=KMS"
        ),
    ),
)


def validate(settings: QueueSettings) -> None:
    """Raise ``ValueError`` for the first option SQS or this pattern refuses."""
    s = settings
    for argument, minimum, maximum in DURATION_RANGES:
        check_duration(argument, getattr(s, argument), minimum, maximum)
    check_range("max_message_size_bytes", s.max_message_size_bytes, *MESSAGE_SIZE_RANGE, " bytes")
    check_whole_number("max_receive_count", s.max_receive_count, *MAX_RECEIVE_COUNT_RANGE)
    check_duration(
        "message_age_alarm_threshold",
        s.message_age_alarm_threshold,
        MESSAGE_AGE_ALARM_MIN,
        s.retention_period,
    )
    _check_names(s)
    check_exclusive_with_existing(
        "dead_letter_queue",
        s.dead_letter_queue,
        {
            "dead_letter_queue_name": s.dead_letter_queue_name,
            "dead_letter_retention_period": s.dead_letter_retention_period,
        },
    )
    for rule in RULES:
        if rule.fails(s):
            raise ValueError(rule.message(s))


def _check_names(s: QueueSettings) -> None:
    _check_queue_name("queue_name", s.queue_name, s.fifo)
    _check_queue_name("dead_letter_queue_name", s.dead_letter_queue_name, s.fifo)
    name = s.queue_name
    if s.dead_letter_queue is None and s.dead_letter_queue_name is None and name is not None:
        check_name_length(
            "queue_name without dead_letter_queue_name",
            derived_dlq_name(name, s.fifo),
            QUEUE_NAME_MAX_LENGTH,
            "the dead-letter queue name",
        )


def _check_queue_name(argument: str, name: str | None, fifo: bool) -> None:
    if name is None or is_unresolved_text(name):
        return
    problems = name_problems(name, fifo=fifo, max_length=QUEUE_NAME_MAX_LENGTH)
    if NameProblem.MISSING_FIFO_SUFFIX in problems:
        raise ValueError(f"{argument} {name!r} must end in '.fifo' because fifo is True")
    if NameProblem.FIFO_SUFFIX_ON_STANDARD in problems:
        raise ValueError(
            f"{argument} {name!r} ends in '.fifo', which SQS reserves for FIFO queues; "
            "set fifo=True or choose another name"
        )
    if problems:
        raise ValueError(
            f"{argument} {name!r} must be 1 to {QUEUE_NAME_MAX_LENGTH} characters of "
            "letters, digits, hyphens and underscores (plus '.fifo' for FIFO queues)"
        )
