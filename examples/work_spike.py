"""A sudden spike of work: 1,000 videos arrive instead of 10, and nothing is lost.

Producers enqueue one message per video and move on; a fleet of consumers drains the queue
at its own pace. Each consumer long-polls (20 s) and takes up to 10 messages per receive,
and has a visibility timeout long enough to transcode one batch; a video that fails five
times waits in the dead-letter queue for 14 days. The backlog alarm tells operators when
the fleet falls behind (the signal to scale it out), not when a single request is slow.

A consumer's loop, with the role below (boto3)::

    while True:
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=20
        ).get("Messages", [])
        for message in batch:
            transcode(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from patterns import QueueWithDeadLetterQueue
from patterns.alarm_topic import AlarmTopic
from patterns.roles import ManagedPolicyRole

# One receive returns at most 10 messages (the SQS maximum batch); a consumer should be
# able to finish a whole batch within the visibility timeout.
BATCH_SIZE = 10
SECONDS_PER_VIDEO = 30


class WorkSpikeStack(Stack):
    """Video-transcoding queue that absorbs a spike; consumer role with a least-privilege grant."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        alarms = AlarmTopic(self, "Alarms")
        videos = QueueWithDeadLetterQueue(
            self,
            "Videos",
            visibility_timeout=Duration.seconds(BATCH_SIZE * SECONDS_PER_VIDEO),
            receive_message_wait_time=Duration.seconds(20),
            retention_period=Duration.days(4),
            max_receive_count=5,
            message_age_alarm_threshold=Duration.minutes(30),
            alarm_actions=[alarms.action],
        )
        producers = ManagedPolicyRole(
            self,
            "ProducerRole",
            assumed_by=iam.AccountRootPrincipal(),
            description="Uploaders that enqueue one message per video",
        )
        consumers = ManagedPolicyRole(
            self,
            "ConsumerRole",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description="The transcoding fleet that drains the video queue",
        )
        videos.grant_send_messages(producers)
        videos.grant_consume_messages(consumers)
        CfnOutput(self, "VideoQueueUrl", value=videos.queue.queue_url)
        CfnOutput(self, "VideoDeadLetterQueueUrl", value=videos.dead_letter_queue.queue_url)
        CfnOutput(self, "ConsumerRoleArn", value=consumers.role_arn)
        CfnOutput(self, "ProducerRoleArn", value=producers.role_arn)
