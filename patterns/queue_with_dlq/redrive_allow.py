"""Sharing a dead-letter queue: the redrive-allow policy of the DLQ must admit each source.

SQS rejects a redrive policy that names a DLQ which does not admit the queue. A DLQ of this
app whose policy names its sources (``byQueue``) is made to admit one more, up to the SQS
limit of 10 (``RedriveAllowPolicy.sourceQueueArns``); one that denies all is refused; an
imported one gets a warning, as only its owner can admit the queue.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Annotations, Stack, Token
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns.limits import SQS_REDRIVE_ALLOW_MAX_SOURCES as REDRIVE_ALLOW_MAX_SOURCES


def redrive_policy_of(queue: sqs.IQueue) -> Any:
    """The redrive-allow policy of a queue of this app as its template holds it, else None."""
    cfn = queue.node.default_child if isinstance(queue, sqs.Queue) else None
    return cfn.redrive_allow_policy if isinstance(cfn, sqs.CfnQueue) else None


def redrive_sources(queue: sqs.IQueue) -> list[Any] | None:
    """The source queue ARNs of a ``byQueue`` redrive-allow policy, or ``None``."""
    return by_queue_sources(redrive_policy_of(queue))


def by_queue_sources(policy: Any) -> list[Any] | None:
    """The source queue ARNs of ``policy`` (``CfnQueue.redrive_allow_policy``) when it is
    ``byQueue``, else ``None``."""
    if not isinstance(policy, dict) or policy.get("redrivePermission") != "byQueue":
        return None
    sources = policy.get("sourceQueueArns")
    return list(sources) if isinstance(sources, list) else None


def check_shared_dead_letter_queue(
    scope: Construct, dead_letter_queue: sqs.IQueue, queue_name: str | None
) -> None:
    """Refuse a given DLQ whose redrive-allow policy cannot admit another source."""
    if not isinstance(dead_letter_queue, sqs.Queue):
        return
    path = dead_letter_queue.node.path
    policy = redrive_policy_of(dead_letter_queue)
    if isinstance(policy, dict) and policy.get("redrivePermission") == "denyAll":
        raise ValueError(
            f"dead_letter_queue {path} denies every source (redrivePermission denyAll), so SQS "
            "would reject this queue's redrive policy: allow sources on that queue, or omit "
            "dead_letter_queue to give this queue its own DLQ"
        )
    sources = redrive_sources(dead_letter_queue)
    if sources is None:
        return
    if len(sources) >= REDRIVE_ALLOW_MAX_SOURCES:
        raise ValueError(
            f"dead_letter_queue {path} already admits {len(sources)} source queues; SQS allows "
            f"at most {REDRIVE_ALLOW_MAX_SOURCES} in a byQueue redrive-allow policy: omit "
            "dead_letter_queue to give this queue its own DLQ, or share a DLQ created with "
            "RedrivePermission.ALLOW_ALL"
        )
    if (
        queue_name is not None
        and Token.is_unresolved(queue_name)
        and Stack.of(dead_letter_queue).node.path != Stack.of(scope).node.path
    ):
        raise ValueError(
            f"queue_name is only known at deploy time, in stack {Stack.of(scope).stack_name}, "
            f"so dead_letter_queue {path} of stack {Stack.of(dead_letter_queue).stack_name} "
            "cannot name this queue as a source (its template would resolve the name in the "
            "wrong stack or refer back to this one): pass a literal queue_name, or omit "
            "dead_letter_queue"
        )


def admit_source(scope: Construct, dead_letter_queue: sqs.IQueue, source_arn: str) -> None:
    """Let a shared DLQ name this queue as a source (checked by the shared-DLQ check)."""
    if not isinstance(dead_letter_queue, sqs.Queue):
        Annotations.of(scope).add_warning_v2(
            "patterns:ImportedDeadLetterQueue",
            f"The redrive-allow policy of imported dead_letter_queue "
            f"{dead_letter_queue.node.path} is not in this app, yet it must admit this queue "
            "(redrivePermission allowAll, or byQueue naming this queue's ARN); otherwise SQS "
            "rejects this queue's redrive policy at deploy",
        )
        return
    sources = redrive_sources(dead_letter_queue)
    if sources is None:
        return  # no policy (SQS allows every source) or allowAll
    cfn = dead_letter_queue.node.default_child
    assert isinstance(cfn, sqs.CfnQueue)
    cfn.redrive_allow_policy = {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [*sources, source_arn],
    }
