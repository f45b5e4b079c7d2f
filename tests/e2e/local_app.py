"""Stacks that only the end-to-end suite deploys on LocalStack, kept small.

- ``E2eQueueOptions``: a delay queue (``delivery_delay``) with its DLQ, an option no example
  uses, so the suite can prove the delay with a stopwatch.
- ``OrdersProcessing`` and ``WorkSpike``: the example stacks without their consumers (the
  orders' Lambda function, the videos' Fargate fleet and its VPC): LocalStack cannot run
  Lambda or ECS here, and the suite consumes these queues itself, so a consumer would take
  its messages. The queues, names and outputs are the examples' own.
- ``E2eTruckPositionsStream``: the Kinesis stream of the TruckPositions example (shards
  planned from the same workload, seven days' retention, the same customer-managed key)
  *without* its Firehose delivery stream: LocalStack's Firehose needs Java downloaded at run
  time to read from Kinesis, so TruckPositions itself cannot be deployed locally and its
  delivery to S3 is covered by the template tests only.
- ``E2eS3Overlap``: one bucket and three ``S3EventFanOut`` with EventBridge delivery whose
  rules overlap, which direct S3 notifications refuse: ``Images`` (prefix ``images/``) owns the
  bucket, ``Jpegs`` (suffix ``.jpg``) takes the same bucket's events, ``Either`` has both rules
  in one fan-out (an object matching both must arrive once). Beside them ``Direct``, on a
  bucket of its own, keeps the direct S3 notifications (``delivery=NOTIFICATION``).
"""

from __future__ import annotations

from aws_cdk import App, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from examples.orders import OrdersProcessingStack
from examples.truck_positions import (
    PEAK_FACTOR,
    POSITION_RECORD_KB,
    POSITIONS_PER_TRUCK_PER_SECOND,
    TRUCKS,
)
from examples.work_spike import WorkSpikeStack
from patterns import (
    QueueWithDeadLetterQueue,
    S3EventDelivery,
    S3EventFanOut,
    S3EventRule,
    StreamThroughput,
)

DELAY_SECONDS = 6
RECORDS_PER_SECOND = TRUCKS * POSITIONS_PER_TRUCK_PER_SECOND * PEAK_FACTOR
# The workload TruckPositions sizes its stream for (examples/truck_positions.py).
TRUCK_THROUGHPUT = StreamThroughput(
    write_mb_per_second=RECORDS_PER_SECOND * POSITION_RECORD_KB / 1000,
    write_records_per_second=RECORDS_PER_SECOND,
    classic_consumers=2,
    headroom=1.5,
)


def build_app() -> App:
    app = App()
    OrdersProcessingStack(
        app,
        "OrdersProcessing",
        lambda_consumer=False,
        description="OrdersProcessing without its Lambda consumer (end-to-end tests)",
    )
    WorkSpikeStack(
        app,
        "WorkSpike",
        worker_fleet=False,
        description="WorkSpike without its worker fleet (end-to-end tests)",
    )
    queues = Stack(app, "E2eQueueOptions", description="End-to-end test stack: a delay queue")
    delayed = QueueWithDeadLetterQueue(
        queues, "Delayed", delivery_delay=Duration.seconds(DELAY_SECONDS), max_receive_count=2
    )
    CfnOutput(queues, "DelayedQueueUrl", value=delayed.queue.queue_url)
    CfnOutput(queues, "DelayedDeadLetterQueueUrl", value=delayed.dead_letter_queue.queue_url)

    positions = Stack(
        app,
        "E2eTruckPositionsStream",
        description="End-to-end test stack: the TruckPositions stream without Firehose",
    )
    key = kms.Key(positions, "EncryptionKey", enable_key_rotation=True)
    key.apply_removal_policy(RemovalPolicy.DESTROY)
    stream = kinesis.Stream(
        positions,
        "Stream",
        shard_count=TRUCK_THROUGHPUT.shard_count,
        retention_period=Duration.days(7),
        encryption=kinesis.StreamEncryption.KMS,
        encryption_key=key,
        removal_policy=RemovalPolicy.DESTROY,
    )
    CfnOutput(positions, "StreamName", value=stream.stream_name)

    overlap = Stack(
        app,
        "E2eS3Overlap",
        description="End-to-end test stack: overlapping EventBridge rules on one bucket",
    )
    created = s3.EventType.OBJECT_CREATED
    images = S3EventFanOut(
        overlap,
        "Images",
        events=[S3EventRule(created, prefix="images/")],
        removal_policy=RemovalPolicy.DESTROY,
    )
    jpegs = S3EventFanOut(
        overlap, "Jpegs", bucket=images.bucket, events=[S3EventRule(created, suffix=".jpg")]
    )
    either = S3EventFanOut(
        overlap,
        "Either",
        bucket=images.bucket,
        events=[S3EventRule(created, prefix="images/"), S3EventRule(created, suffix=".jpg")],
    )
    direct = S3EventFanOut(
        overlap,
        "Direct",
        delivery=S3EventDelivery.NOTIFICATION,
        bucket_name="e2e-s3-overlap-direct-notifications",
        events=[S3EventRule(created, prefix="images/")],
        removal_policy=RemovalPolicy.DESTROY,
    )
    CfnOutput(overlap, "BucketName", value=images.bucket.bucket_name)
    CfnOutput(overlap, "DirectBucketName", value=direct.bucket.bucket_name)
    for name, fan_out in (
        ("Images", images),
        ("Jpegs", jpegs),
        ("Either", either),
        ("Direct", direct),
    ):
        subscriber = fan_out.add_queue(name, raw_message_delivery=True)
        CfnOutput(overlap, f"{name}QueueUrl", value=subscriber.queue.queue_url)
    return app


if __name__ == "__main__":
    build_app().synth()
