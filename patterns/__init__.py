"""AWS CDK v2 constructs for application decoupling, secure and loss-free by default.

The public names are re-exported here and loaded on first use, so ``import patterns``
costs almost nothing and pulls in only the aws-cdk-lib modules of the patterns you use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patterns.amazon_mq import AmazonMqBroker, BrokerEngine, BrokerProtocol, MaintenanceWindow
    from patterns.consumers.broker_lambda import LambdaBrokerConsumer
    from patterns.consumers.queue_lambda import LambdaQueueConsumer
    from patterns.consumers.stream_lambda import LambdaStreamConsumer
    from patterns.consumers.worker_fleet import QueueWorkerFleet
    from patterns.kinesis_firehose_s3 import KinesisToFirehoseToS3
    from patterns.messaging_checks import MessagingChecks
    from patterns.queue_with_dlq import QueueOptions, QueueWithDeadLetterQueue
    from patterns.s3_event_fan_out import (
        S3EventDelivery,
        S3EventFanOut,
        S3EventRule,
        s3_event_body_filter,
    )
    from patterns.shard_planning import StreamThroughput, plan_shard_count
    from patterns.sns_fan_out import (
        ProtocolSubscriber,
        QueueSubscriber,
        SnsToSqsFanOut,
    )

__all__ = [
    "AmazonMqBroker",
    "BrokerEngine",
    "BrokerProtocol",
    "KinesisToFirehoseToS3",
    "LambdaBrokerConsumer",
    "LambdaQueueConsumer",
    "LambdaStreamConsumer",
    "MaintenanceWindow",
    "MessagingChecks",
    "ProtocolSubscriber",
    "QueueOptions",
    "QueueSubscriber",
    "QueueWithDeadLetterQueue",
    "QueueWorkerFleet",
    "S3EventDelivery",
    "S3EventFanOut",
    "S3EventRule",
    "SnsToSqsFanOut",
    "StreamThroughput",
    "plan_shard_count",
    "s3_event_body_filter",
]

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "AmazonMqBroker": "patterns.amazon_mq",
    "BrokerEngine": "patterns.amazon_mq",
    "BrokerProtocol": "patterns.amazon_mq",
    "KinesisToFirehoseToS3": "patterns.kinesis_firehose_s3",
    "LambdaBrokerConsumer": "patterns.consumers.broker_lambda",
    "LambdaQueueConsumer": "patterns.consumers.queue_lambda",
    "LambdaStreamConsumer": "patterns.consumers.stream_lambda",
    "MaintenanceWindow": "patterns.amazon_mq",
    "MessagingChecks": "patterns.messaging_checks",
    "ProtocolSubscriber": "patterns.sns_fan_out",
    "QueueOptions": "patterns.queue_with_dlq",
    "QueueSubscriber": "patterns.sns_fan_out",
    "QueueWithDeadLetterQueue": "patterns.queue_with_dlq",
    "QueueWorkerFleet": "patterns.consumers.worker_fleet",
    "S3EventDelivery": "patterns.s3_event_fan_out",
    "S3EventFanOut": "patterns.s3_event_fan_out",
    "S3EventRule": "patterns.s3_event_fan_out",
    "SnsToSqsFanOut": "patterns.sns_fan_out",
    "StreamThroughput": "patterns.shard_planning",
    "plan_shard_count": "patterns.shard_planning",
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
