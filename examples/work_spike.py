"""A sudden spike of work: 1,000 videos arrive instead of 10, and nothing is lost.

Producers enqueue one message per video and move on; a fleet of Fargate workers drains the
queue at its own pace and scales on the backlog per worker: with videos taking about a
minute each and ten minutes an acceptable wait, each worker may have ten videos waiting, so
1,000 videos call for 100 workers (capped at ``MAX_WORKERS``), and an empty queue for none.
A video that fails five times waits in the dead-letter queue for 14 days; the age alarm tells
operators when the fleet falls behind even at its maximum.

The worker (``WORKER_SCRIPT``, run by the AWS CLI image) takes one video at a time and
protects its task from scale-in while it holds one, so scaling in never stops an encode:
receive, protect, encode, delete, unprotect. Replace the ``sleep`` with your encoder.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from constructs import Construct

from examples.network import workers_cluster
from patterns import QueueWithDeadLetterQueue, QueueWorkerFleet
from patterns.alarm_topic import AlarmTopic
from patterns.roles import ManagedPolicyRole

SECONDS_PER_VIDEO = 60
ACCEPTABLE_WAIT = Duration.minutes(10)
MAX_WORKERS = 50
# The worker image, pulled from a registry (no build here): the AWS CLI, and a shell loop.
WORKER_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.27.0"
WORKER_SCRIPT = """
protect() {
  curl -sf -X PUT "$ECS_AGENT_URI/task-protection/v1/state" \\
    -H 'Content-Type: application/json' -d "$1" > /dev/null
}
while true; do
  message=$(aws sqs receive-message --queue-url "$QUEUE_URL" --wait-time-seconds 20 \\
    --max-number-of-messages 1 --query 'Messages[0].[ReceiptHandle,Body]' --output text)
  [ "$message" = "None" ] && continue
  protect "{\\"ProtectionEnabled\\": true, \\"ExpiresInMinutes\\": $PROTECTION_MINUTES}"
  echo "encoding $(echo "$message" | cut -f2-)" && sleep 60
  aws sqs delete-message --queue-url "$QUEUE_URL" --receipt-handle "$(echo "$message" | cut -f1)"
  protect '{"ProtectionEnabled": false}'
done
"""


class WorkSpikeStack(Stack):
    """Video-transcoding queue that absorbs a spike, drained by a fleet scaling on its backlog."""

    def __init__(
        self, scope: Construct, construct_id: str, *, worker_fleet: bool = True, **kwargs: Any
    ) -> None:
        """``worker_fleet=False`` leaves the VPC, cluster and fleet out (for LocalStack, which
        cannot run ECS tasks here)."""
        super().__init__(scope, construct_id, **kwargs)
        alarms = AlarmTopic(self, "Alarms")
        videos = QueueWithDeadLetterQueue(
            self,
            "Videos",
            # A worker takes one video at a time; twice the typical time before it reappears.
            visibility_timeout=Duration.seconds(2 * SECONDS_PER_VIDEO),
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
        videos.grant_send_messages(producers)

        if worker_fleet:
            fleet = QueueWorkerFleet(
                self,
                "Encoders",
                queue=videos,
                cluster=workers_cluster(self),
                image=ecs.ContainerImage.from_registry(WORKER_IMAGE),
                entry_point=["sh", "-c"],
                command=[WORKER_SCRIPT],
                processing_time=Duration.seconds(SECONDS_PER_VIDEO),
                acceptable_latency=ACCEPTABLE_WAIT,
                min_workers=0,
                max_workers=MAX_WORKERS,
                cpu=1024,
                memory_limit_mib=2048,
            )
            CfnOutput(self, "WorkerServiceName", value=fleet.service.service_name)
        CfnOutput(self, "VideoQueueUrl", value=videos.queue.queue_url)
        CfnOutput(self, "VideoDeadLetterQueueUrl", value=videos.dead_letter_queue.queue_url)
        CfnOutput(self, "ProducerRoleArn", value=producers.role_arn)
