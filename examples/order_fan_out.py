"""One order, three applications: an SNS fan-out to shipping, billing and analytics queues.

The order service publishes each order once; every application receives its own copy in its
own queue, so none can slow down or lose messages for another. Shipping only receives
orders that ship (a filter on the ``fulfilment`` message attribute), billing keeps its
queues under a customer-managed key and receives the raw order, analytics receives all.

The FIFO variant keeps the orders of each customer in sequence for a ledger and an
inventory service, with deduplication on the message body.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from examples.common import AlarmTopic
from patterns import SnsToSqsFanOut


class OrderFanOutStack(Stack):
    """A standard topic fanning out orders to shipping, billing and analytics queues."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        alarms = AlarmTopic(self, "Alarms")

        orders = SnsToSqsFanOut(self, "Orders", alarm_actions=[alarms.action])
        shipping = orders.add_queue(
            "Shipping",
            filter_policy={
                "fulfilment": sns.SubscriptionFilter.string_filter(allowlist=["physical"])
            },
            visibility_timeout=Duration.minutes(2),
        )
        billing = orders.add_queue(
            "Billing",
            raw_message_delivery=True,
            encryption=sqs.QueueEncryption.KMS,
        )
        analytics = orders.add_queue("Analytics", retention_period=Duration.days(14))

        CfnOutput(self, "OrdersTopicArn", value=orders.topic.topic_arn)
        for name, subscriber in (
            ("Shipping", shipping),
            ("Billing", billing),
            ("Analytics", analytics),
        ):
            CfnOutput(self, f"{name}QueueUrl", value=subscriber.queue.queue_url)
            CfnOutput(
                self,
                f"{name}SubscriptionDeadLetterQueueUrl",
                value=subscriber.subscription_dead_letter_queue.queue_url,
            )


class OrderFanOutFifoStack(Stack):
    """A FIFO topic keeping each customer's orders in sequence for a ledger and inventory."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        alarms = AlarmTopic(self, "Alarms")

        orders = SnsToSqsFanOut(
            self,
            "Orders",
            fifo=True,
            content_based_deduplication=True,
            fifo_throughput_scope=sns.FifoThroughputScope.MESSAGE_GROUP,
            alarm_actions=[alarms.action],
        )
        ledger = orders.add_queue("Ledger", high_throughput_fifo=True)
        inventory = orders.add_queue(
            "Inventory",
            filter_policy_with_message_body={
                "order": sns.FilterOrPolicy.policy(
                    {
                        "status": sns.FilterOrPolicy.filter(
                            sns.SubscriptionFilter.string_filter(allowlist=["placed", "cancelled"])
                        )
                    }
                )
            },
        )

        CfnOutput(self, "OrdersTopicArn", value=orders.topic.topic_arn)
        for name, subscriber in (("Ledger", ledger), ("Inventory", inventory)):
            CfnOutput(self, f"{name}QueueUrl", value=subscriber.queue.queue_url)
            CfnOutput(
                self,
                f"{name}SubscriptionDeadLetterQueueUrl",
                value=subscriber.subscription_dead_letter_queue.queue_url,
            )
