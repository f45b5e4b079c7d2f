"""What ``QueueWorkerFleet`` refuses or warns about: its options and the queue's visibility
timeout. What every Fargate fleet checks (task sizes, private subnets, Container Insights) is
in ``fargate``."""

from __future__ import annotations

import math

from aws_cdk import Annotations, Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns.consumers import fargate
from patterns.limits import ECS_TASK_PROTECTION_MINUTES_RANGE, SQS_VISIBILITY_TIMEOUT_MAX_SECONDS
from patterns.validation import seconds_of

PROTECTION_MINUTES_RANGE = ECS_TASK_PROTECTION_MINUTES_RANGE
# SQS's longest visibility timeout (12 hours): how long a worker protects itself when the
# queue's own timeout is unknown (an imported queue); it clears protection after each message.
MAX_VISIBILITY_MINUTES = SQS_VISIBILITY_TIMEOUT_MAX_SECONDS // 60


def validate(
    *,
    processing_time: Duration,
    acceptable_latency: Duration,
    min_workers: int,
    max_workers: int,
    workers: fargate.WorkerOptions,
    visibility_seconds: float | None,
) -> float:
    """Check the options; return the acceptable backlog per worker."""
    fargate.check_workers(min_workers, max_workers, lowest=0)
    workers.check(("QUEUE_URL", "PROTECTION_MINUTES"))
    processing, latency = seconds_of(processing_time), seconds_of(acceptable_latency)
    if processing is None or latency is None:
        raise ValueError(
            "processing_time and acceptable_latency must be known at synth (not tokens): "
            "they set the scaling target"
        )
    if processing <= 0:
        raise ValueError(
            f"processing_time must be positive, got {processing_time.to_human_string()}"
        )
    if processing > MAX_VISIBILITY_MINUTES * 60:
        raise ValueError(
            f"processing_time ({processing_time.to_human_string()}) is longer than 12 hours, "
            "SQS's longest visibility timeout: every message would become visible again while "
            "a worker still works on it. Split the work into messages that take less"
        )
    if latency < processing:
        raise ValueError(
            f"acceptable_latency ({acceptable_latency.to_human_string()}) must be at least "
            f"processing_time ({processing_time.to_human_string()}): the acceptable backlog "
            "per worker, their ratio, must be at least one message"
        )
    if visibility_seconds is not None and processing > visibility_seconds:
        raise ValueError(
            f"processing_time ({processing:g} s) is longer than the queue's visibility_timeout "
            f"({visibility_seconds:g} s): a message would become visible again while a worker "
            "still works on it and be processed twice. Raise the queue's visibility_timeout"
        )
    return latency / processing


def worker_protection_minutes(
    scope: Construct, queue: sqs.IQueue, visibility_seconds: float | None
) -> int:
    """How long a worker protects itself while it holds a message: as long as the message
    stays hidden from the others (the visibility timeout), in whole minutes."""
    if visibility_seconds is None:
        Annotations.of(scope).add_warning_v2(
            "patterns:WorkerQueueVisibilityUnknown",
            f"The visibility timeout of {queue.node.path} is unknown at synth (an imported "
            "queue): processing_time could not be checked against it, and workers protect "
            f"themselves from scale-in for up to {MAX_VISIBILITY_MINUTES} minutes (SQS's "
            "longest visibility timeout) while they hold a message. Make sure processing_time "
            "is within the queue's visibility timeout.",
        )
        return MAX_VISIBILITY_MINUTES
    return max(
        PROTECTION_MINUTES_RANGE[0],
        min(PROTECTION_MINUTES_RANGE[1], math.ceil(visibility_seconds / 60)),
    )
