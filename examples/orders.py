"""Orders processing: a standard queue and a FIFO variant, each with its dead-letter queue.

Orders that a consumer fails to process ``max_receive_count`` times move to the DLQ and
wait there for 14 days; the FIFO variant keeps the orders of each customer in sequence.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from examples.common import AlarmTopic
from patterns import QueueWithDeadLetterQueue


class OrdersProcessingStack(Stack):
    """Orders queue (standard) and ordered orders queue (FIFO), with DLQs and alarms."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        alarms = AlarmTopic(self, "Alarms")

        orders = QueueWithDeadLetterQueue(
            self,
            "Orders",
            visibility_timeout=Duration.minutes(2),
            max_receive_count=5,
            alarm_actions=[alarms.action],
        )
        ordered = QueueWithDeadLetterQueue(
            self,
            "OrderedOrders",
            fifo=True,
            content_based_deduplication=True,
            high_throughput_fifo=True,
            encryption=sqs.QueueEncryption.KMS,
            alarm_actions=[alarms.action],
        )
        for name, pattern in (("Orders", orders), ("OrderedOrders", ordered)):
            CfnOutput(self, f"{name}QueueUrl", value=pattern.queue.queue_url)
            CfnOutput(self, f"{name}DeadLetterQueueUrl", value=pattern.dead_letter_queue.queue_url)
