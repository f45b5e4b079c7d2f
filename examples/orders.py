"""Orders processing: a standard queue and a FIFO variant, each with its dead-letter queue.

Orders that a consumer fails to process ``max_receive_count`` times move to the DLQ and
wait there for 14 days; the FIFO variant keeps the orders of each customer in sequence.
A Lambda function consumes the standard queue, ten orders per invocation, and reports the
orders it failed one by one (partial batch response), so one bad order does not send the
other nine back to the queue.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from examples.common import AlarmTopic
from examples.consumer_functions import consumer_function
from patterns import QueueWithDeadLetterQueue

# Partial batch response: return the IDs of the messages that failed, and only those are
# retried (and after max_receive_count receives, moved to the dead-letter queue).
ORDER_HANDLER = """
import json


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            print(f"order {order['id']}: {order.get('total')}")
        except (ValueError, KeyError, TypeError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
"""


class OrdersProcessingStack(Stack):
    """Orders queue (standard) and ordered orders queue (FIFO), with DLQs and alarms."""

    def __init__(
        self, scope: Construct, construct_id: str, *, lambda_consumer: bool = True, **kwargs: Any
    ) -> None:
        """``lambda_consumer=False`` leaves the function out (for LocalStack, which cannot run
        Lambda here: the end-to-end tests consume the queues themselves)."""
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
        if lambda_consumer:
            handler = consumer_function(
                self,
                "OrderHandler",
                code=ORDER_HANDLER,
                description="Processes orders; returns the failed ones as batchItemFailures",
                timeout=Duration.seconds(20),
                reserved_concurrency=20,
            )
            # 2-minute visibility timeout = six times the 20-second function timeout.
            orders.add_lambda_consumer(handler, batch_size=10, max_concurrency=10)
        for name, pattern in (("Orders", orders), ("OrderedOrders", ordered)):
            CfnOutput(self, f"{name}QueueUrl", value=pattern.queue.queue_url)
            CfnOutput(self, f"{name}DeadLetterQueueUrl", value=pattern.dead_letter_queue.queue_url)
