"""AWS CDK v2 constructs for application decoupling, secure and loss-free by default.

The public names are re-exported here and loaded on first use, so ``import patterns``
costs almost nothing and pulls in only the aws-cdk-lib modules of the patterns you use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patterns.kinesis_firehose_s3 import KinesisToFirehoseToS3
    from patterns.queue_with_dlq import QueueWithDeadLetterQueue
    from patterns.shard_planning import StreamThroughput, plan_shard_count

__all__ = [
    "KinesisToFirehoseToS3",
    "QueueWithDeadLetterQueue",
    "StreamThroughput",
    "plan_shard_count",
]

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "KinesisToFirehoseToS3": "patterns.kinesis_firehose_s3",
    "QueueWithDeadLetterQueue": "patterns.queue_with_dlq",
    "StreamThroughput": "patterns.shard_planning",
    "plan_shard_count": "patterns.shard_planning",
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
