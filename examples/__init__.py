"""Example stacks, one or more per pattern; ``app.py`` synthesizes all of them."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack
from constructs import Construct

from examples.broker_migration import BrokerMigrationStack
from examples.common import add_dashboard
from examples.image_uploads import ImageUploadsStack
from examples.order_fan_out import OrderFanOutFifoStack, OrderFanOutStack
from examples.orders import OrdersProcessingStack
from examples.truck_positions import TruckPositionsStack
from examples.work_spike import WorkSpikeStack


@dataclass(frozen=True)
class Example:
    """An example stack: its stack name, class and one-line description (shown by cdk ls)."""

    stack_name: str
    stack_class: type[Stack]
    description: str

    def build(self, scope: Construct) -> Stack:
        stack = self.stack_class(scope, self.stack_name, description=self.description)
        add_dashboard(stack)
        return stack


EXAMPLES: tuple[Example, ...] = (
    Example(
        "OrdersProcessing",
        OrdersProcessingStack,
        "Orders queue and FIFO orders queue, each with a 14-day dead-letter queue and alarms",
    ),
    Example(
        "WorkSpike",
        WorkSpikeStack,
        "A queue that absorbs a spike of 1,000 videos; a Fargate fleet scaling on the backlog "
        "per worker drains it",
    ),
    Example(
        "OrderFanOut",
        OrderFanOutStack,
        "One order, three applications: SNS fan-out to shipping (filtered), billing and "
        "analytics queues, each with its DLQ and subscription DLQ",
    ),
    Example(
        "OrderFanOutFifo",
        OrderFanOutFifoStack,
        "FIFO SNS fan-out keeping each customer's orders in sequence for ledger and inventory "
        "FIFO queues",
    ),
    Example(
        "ImageUploads",
        ImageUploadsStack,
        "Uploads under images/ fan out from S3 via SNS to thumbnail, metadata and audit queues",
    ),
    Example(
        "BrokerMigration",
        BrokerMigrationStack,
        "Private ActiveMQ active/standby broker for an on-premises MQTT and OpenWire application",
    ),
    Example(
        "TruckPositions",
        TruckPositionsStack,
        "GPS positions of 100 trucks: Kinesis stream keyed by truck, Firehose to Parquet in S3 "
        "partitioned by truck and hour, a projected Glue table for Athena, alarms",
    ),
)
