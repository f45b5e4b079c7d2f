"""AWS CDK v2 constructs for application decoupling, secure and loss-free by default.

The public names are re-exported here and loaded on first use, so ``import patterns``
costs almost nothing and pulls in only the aws-cdk-lib modules of the patterns you use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patterns.queue_with_dlq import QueueOptions, QueueWithDeadLetterQueue
    from patterns.s3_event_fan_out import S3EventFanOut, S3EventRule, s3_event_body_filter
    from patterns.sns_fan_out import (
        ExistingQueueSubscriber,
        FanOutQueue,
        ProtocolSubscriber,
        QueueSubscriber,
        SnsToSqsFanOut,
    )

__all__ = [
    "ExistingQueueSubscriber",
    "FanOutQueue",
    "ProtocolSubscriber",
    "QueueOptions",
    "QueueSubscriber",
    "QueueWithDeadLetterQueue",
    "S3EventFanOut",
    "S3EventRule",
    "SnsToSqsFanOut",
    "s3_event_body_filter",
]

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "QueueOptions": "patterns.queue_with_dlq",
    "QueueWithDeadLetterQueue": "patterns.queue_with_dlq",
    "SnsToSqsFanOut": "patterns.sns_fan_out",
    "FanOutQueue": "patterns.sns_fan_out",
    "ExistingQueueSubscriber": "patterns.sns_fan_out",
    "ProtocolSubscriber": "patterns.sns_fan_out",
    "QueueSubscriber": "patterns.sns_fan_out",
    "S3EventFanOut": "patterns.s3_event_fan_out",
    "S3EventRule": "patterns.s3_event_fan_out",
    "s3_event_body_filter": "patterns.s3_event_fan_out",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'patterns' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
