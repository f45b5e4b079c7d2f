"""``QueueWithDeadLetterQueue``: an SQS queue whose failed messages land in a dead-letter queue.

- :mod:`~patterns.queue_with_dlq.construct`: the construct (queues, key, grants, consumers)
- :mod:`~patterns.queue_with_dlq.options`: its options, SQS's ranges, defaults and checks
- :mod:`~patterns.queue_with_dlq.redrive_allow`: sharing a dead-letter queue between queues
- :mod:`~patterns.queue_with_dlq.monitoring`: its alarms and dashboard section
- :mod:`~patterns.queue_with_dlq.invariants`: what synth checks over the final state
"""

from patterns.queue_with_dlq.construct import QueueWithDeadLetterQueue
from patterns.queue_with_dlq.options import (
    DEFAULT_DLQ_RETENTION,
    DEFAULT_MAX_RECEIVE_COUNT,
    DEFAULT_MESSAGE_AGE_ALARM,
    DEFAULT_RECEIVE_WAIT,
    DEFAULT_RETENTION,
    DEFAULT_VISIBILITY_TIMEOUT,
    DELIVERY_DELAY_MAX,
    DLQ_SUFFIX,
    FIFO_SUFFIX,
    GENERATED_NAME_MAX_LENGTH,
    MAX_RECEIVE_COUNT_RANGE,
    MESSAGE_AGE_ALARM_MIN,
    MESSAGE_SIZE_RANGE,
    QUEUE_NAME_MAX_LENGTH,
    RECEIVE_WAIT_MAX,
    REDRIVE_ALLOW_MAX_SOURCES,
    RETENTION_MAX,
    RETENTION_MIN,
    VISIBILITY_MAX,
    QueueOptions,
)

__all__ = [
    "DEFAULT_DLQ_RETENTION",
    "DEFAULT_MAX_RECEIVE_COUNT",
    "DEFAULT_MESSAGE_AGE_ALARM",
    "DEFAULT_RECEIVE_WAIT",
    "DEFAULT_RETENTION",
    "DEFAULT_VISIBILITY_TIMEOUT",
    "DELIVERY_DELAY_MAX",
    "DLQ_SUFFIX",
    "FIFO_SUFFIX",
    "GENERATED_NAME_MAX_LENGTH",
    "MAX_RECEIVE_COUNT_RANGE",
    "MESSAGE_AGE_ALARM_MIN",
    "MESSAGE_SIZE_RANGE",
    "QUEUE_NAME_MAX_LENGTH",
    "RECEIVE_WAIT_MAX",
    "REDRIVE_ALLOW_MAX_SOURCES",
    "RETENTION_MAX",
    "RETENTION_MIN",
    "VISIBILITY_MAX",
    "QueueOptions",
    "QueueWithDeadLetterQueue",
]
