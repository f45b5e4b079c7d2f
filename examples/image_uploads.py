"""Image uploads: every image uploaded under ``images/`` fans out to three queues.

The bucket sends its events to EventBridge (the pattern's default delivery); one rule routes
each upload under ``images/`` once to an encrypted SNS topic; the thumbnail queue receives only
JPEG and PNG images (a filter on the event body), the metadata and audit queues every upload.
Each queue has its own dead-letter queue and alarms, all wired to the stack's alarm topic; the
rule has a dead-letter queue and alarms of its own.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

from examples.common import AlarmTopic
from patterns import S3EventFanOut, S3EventRule


class ImageUploadsStack(Stack):
    """Uploads bucket whose ``images/`` events reach a thumbnail, a metadata and an audit queue."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        alarms = AlarmTopic(self, "Alarms")

        uploads = S3EventFanOut(
            self,
            "Uploads",
            events=[S3EventRule(s3.EventType.OBJECT_CREATED, prefix="images/")],
            alarm_actions=[alarms.action],
        )
        thumbnails = uploads.add_queue(
            "Thumbnails",
            filter_policy_with_message_body=uploads.event_body_filter(
                key_suffixes=[".jpg", ".png"]
            ),
            visibility_timeout=Duration.minutes(5),
        )
        metadata = uploads.add_queue("Metadata", raw_message_delivery=True)
        audit = uploads.add_queue("Audit", retention_period=Duration.days(14))

        CfnOutput(self, "UploadsBucketName", value=uploads.bucket.bucket_name)
        CfnOutput(self, "EventTopicArn", value=uploads.topic.topic_arn)
        for name, subscriber in (
            ("Thumbnails", thumbnails),
            ("Metadata", metadata),
            ("Audit", audit),
        ):
            CfnOutput(self, f"{name}QueueUrl", value=subscriber.queue.queue_url)
            queues = subscriber.queue_with_dead_letter_queue
            assert queues is not None  # add_queue without queue= makes a QueueWithDeadLetterQueue
            CfnOutput(self, f"{name}DeadLetterQueueUrl", value=queues.dead_letter_queue.queue_url)
