"""What ``QueueWithDeadLetterQueue`` promises, checked at synth over the final state.

Users can change the queues after construction (``pattern.queue.node.default_child``);
SNS and S3 cannot use an AWS-managed key, SQS refuses names over 80 characters and a
redrive-allow policy with more than 10 sources.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import jsii
from aws_cdk import aws_sqs as sqs
from constructs import IValidation

from patterns.keys import aws_managed_key_in
from patterns.limits import SQS_QUEUE_NAME_MAX_LENGTH, SQS_REDRIVE_ALLOW_MAX_SOURCES
from patterns.lookups import properties_of
from patterns.queue_with_dlq.redrive_allow import by_queue_sources
from patterns.validation import is_unresolved_text


@jsii.implements(IValidation)
class Invariants:
    """At synth: no AWS-managed key, names within 80 characters, at most 10 redrive sources.

    ``queues`` pairs each queue the pattern created with its ``CfnQueue`` (read once, when it
    was created), the queue first and then its own dead-letter queue, if the pattern created
    one (a DLQ passed in keeps its settings its owner's). Only the ``CfnQueue`` properties are
    read here (all of them in one round trip, :func:`~patterns.lookups.properties_of`), the
    queue's path only for a message.
    """

    def __init__(self, queues: Sequence[tuple[sqs.IQueue, sqs.CfnQueue]]) -> None:
        self._queues = tuple(queues)

    def validate(self) -> list[str]:
        errors: list[str] = []
        for index, (queue, cfn) in enumerate(self._queues):
            properties = properties_of(cfn)
            errors.extend(_queue_errors(queue, cfn, properties))
            if index == 1:  # the pattern's own dead-letter queue
                errors.extend(_dead_letter_queue_errors(queue, properties))
        return errors


def _queue_errors(
    queue: sqs.IQueue, cfn: sqs.CfnQueue, properties: Mapping[str, Any]
) -> Iterator[str]:
    key = aws_managed_key_in(cfn, properties.get("kmsMasterKeyId"))
    if key is not None:
        yield (
            f"{queue.node.path} uses the AWS-managed key {key}: SNS and S3 cannot be granted "
            "it, so their messages would be lost. Use a customer-managed key (encryption=KMS) "
            "or SSE-SQS"
        )
    name = properties.get("queueName")
    name = name if isinstance(name, str) else ""
    if len(name) > SQS_QUEUE_NAME_MAX_LENGTH and not is_unresolved_text(name):
        yield (
            f"{queue.node.path} has the name {name!r} of {len(name)} characters; SQS allows "
            f"at most {SQS_QUEUE_NAME_MAX_LENGTH}"
        )


def _dead_letter_queue_errors(queue: sqs.IQueue, properties: Mapping[str, Any]) -> Iterator[str]:
    sources = by_queue_sources(properties.get("redriveAllowPolicy"))
    if sources is not None and len(sources) > SQS_REDRIVE_ALLOW_MAX_SOURCES:
        yield (
            f"{queue.node.path} admits {len(sources)} source queues; SQS allows at most "
            f"{SQS_REDRIVE_ALLOW_MAX_SOURCES} in a byQueue redrive-allow policy"
        )
