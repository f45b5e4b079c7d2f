"""AWS's limits and rules that both the constructs and the messaging checks read, written once.

Imports no CDK (only the standard library): the constructs' validation, the shard planner and
the rules of ``patterns.messaging`` (which read templates, not constructs) all import it. Each
number sits next to the AWS page that documents it.
"""

from __future__ import annotations

import enum
import re

# --- Kinesis -----------------------------------------------------------------------------------

# https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html: enhanced fan-out
# consumers registered per stream (provisioned and On-demand Standard streams); an on-demand
# stream of an account using On-demand Advantage (an account-level mode) takes 50.
KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX = 20
KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX_ON_DEMAND_ADVANTAGE = 50

# https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html: each shard
# serves 5 GetRecords calls and 2 MB per second, shared by every classic (non-fan-out) reader,
# and takes 1 MB or 1,000 records per second of writes.
KINESIS_SHARD_READS_PER_SECOND = 5
KINESIS_SHARD_READ_MB_PER_SECOND = 2.0
KINESIS_SHARD_WRITE_MB_PER_SECOND = 1.0
KINESIS_SHARD_WRITE_RECORDS_PER_SECOND = 1000.0

# --- SQS ---------------------------------------------------------------------------------------

# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html:
# a queue's (or a received message's) visibility timeout is 0 seconds to 12 hours.
SQS_VISIBILITY_TIMEOUT_MAX_SECONDS = 43_200
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
# (the CreateQueue attributes): what SQS uses when a queue does not set an attribute, and the
# range it accepts for each.
SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30
SQS_RETENTION_MIN_SECONDS = 60  # 1 minute
SQS_RETENTION_MAX_SECONDS = 1_209_600  # 14 days
SQS_DEFAULT_RETENTION_SECONDS = 345_600  # 4 days
SQS_DELIVERY_DELAY_MAX_SECONDS = 900  # 15 minutes
SQS_RECEIVE_WAIT_MAX_SECONDS = 20
SQS_MESSAGE_SIZE_MIN_BYTES = 1_024
SQS_MESSAGE_SIZE_MAX_BYTES = 1_048_576  # 1 MiB
SQS_KMS_DATA_KEY_REUSE_MIN_SECONDS = 60
SQS_KMS_DATA_KEY_REUSE_MAX_SECONDS = 86_400  # 24 hours
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
# (RedrivePolicy): a message moves to the dead-letter queue after 1 to 1,000 receives.
SQS_MAX_RECEIVE_COUNT_MIN = 1
SQS_MAX_RECEIVE_COUNT_MAX = 1_000
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
# (RedriveAllowPolicy.sourceQueueArns): "You can specify up to 10 source queues".
SQS_REDRIVE_ALLOW_MAX_SOURCES = 10
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html:
# a queue name has up to 80 characters: letters, digits, hyphens and underscores; a FIFO
# queue's name ends in ".fifo" (counted in the 80).
SQS_QUEUE_NAME_MAX_LENGTH = 80

# --- SNS ---------------------------------------------------------------------------------------

# https://docs.aws.amazon.com/general/latest/gr/sns.html: the largest message SNS publishes
# (256 KiB); a subscribed queue that accepts less rejects the rest.
SNS_MAX_MESSAGE_BYTES = 262_144
# https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html: a topic name has up to 256
# letters, digits, hyphens and underscores; a FIFO topic's name ends in ".fifo" (counted).
SNS_TOPIC_NAME_MAX_LENGTH = 256

# --- names of queues and topics ----------------------------------------------------------------

# What ends the name of a FIFO queue or topic, and only theirs (the two pages above).
FIFO_SUFFIX = ".fifo"
_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")


class NameProblem(enum.Enum):
    """What is wrong with a queue or topic name (:func:`name_problems`)."""

    TOO_LONG = "too long"
    BAD_CHARACTERS = "characters other than letters, digits, hyphens and underscores"
    MISSING_FIFO_SUFFIX = "a FIFO name that does not end in .fifo"
    FIFO_SUFFIX_ON_STANDARD = "a standard name that ends in .fifo"


def name_problems(name: str, *, fifo: bool, max_length: int) -> list[NameProblem]:
    """What SQS (``max_length`` :data:`SQS_QUEUE_NAME_MAX_LENGTH`) or SNS
    (:data:`SNS_TOPIC_NAME_MAX_LENGTH`) refuses in the literal ``name``, in this order.

    The characters are checked without the ``.fifo`` of a FIFO name; a standard name ending in
    ``.fifo`` has both :attr:`NameProblem.FIFO_SUFFIX_ON_STANDARD` and the dot as a bad character.
    """
    problems = []
    ends_fifo = name.endswith(FIFO_SUFFIX)
    if fifo and not ends_fifo:
        problems.append(NameProblem.MISSING_FIFO_SUFFIX)
    if not fifo and ends_fifo:
        problems.append(NameProblem.FIFO_SUFFIX_ON_STANDARD)
    if len(name) > max_length:
        problems.append(NameProblem.TOO_LONG)
    base = name.removesuffix(FIFO_SUFFIX) if fifo else name
    if not _NAME_CHARACTERS.fullmatch(base):
        problems.append(NameProblem.BAD_CHARACTERS)
    return problems
