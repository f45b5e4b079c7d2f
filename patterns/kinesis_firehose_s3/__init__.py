"""``KinesisToFirehoseToS3``: a Kinesis data stream delivered by Amazon Data Firehose into S3.

One module per concern:

- ``construct``: the ``KinesisToFirehoseToS3`` construct, its attributes, ``metric_*``,
  ``grant_*`` and ``add_*`` methods; it wires the modules below together.
- ``stream``: the Kinesis data stream (capacity mode, shards, retention, encryption).
- ``shard_planning``: ``plan_shard_count`` and ``StreamThroughput`` (no CDK import).
- ``delivery``: the Firehose delivery stream, its role and policy, its error log group.
- ``processing``: the Lambda transformation and dynamic partitioning (the processors).
- ``conversion``: record format conversion and the Glue table it reads its schema from.
- ``layout``: the prefix read as partition columns and their projection (no CDK import).
- ``monitoring``: the alarms and the dashboard section.
- ``validation``: the checks of the stream and delivery options.

The names are loaded on first use, so the CDK-free planner and layout stay CDK-free to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patterns.kinesis_firehose_s3.construct import KinesisToFirehoseToS3
    from patterns.kinesis_firehose_s3.shard_planning import StreamThroughput, plan_shard_count

__all__ = ["KinesisToFirehoseToS3", "StreamThroughput", "plan_shard_count"]

_EXPORTS: dict[str, str] = {
    "KinesisToFirehoseToS3": "patterns.kinesis_firehose_s3.construct",
    "StreamThroughput": "patterns.kinesis_firehose_s3.shard_planning",
    "plan_shard_count": "patterns.kinesis_firehose_s3.shard_planning",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
