"""What ``QueueWithDeadLetterQueue`` promises, checked at synth over the final state.

Users can change the queues after construction (``pattern.queue.node.default_child``);
SNS and S3 cannot use an AWS-managed key, SQS refuses names over 80 characters and a
redrive-allow policy with more than 10 sources.
"""

from __future__ import annotations

from collections.abc import Sequence

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
        for queue, cfn in self._queues:
            properties = properties_of(cfn)
            key = aws_managed_key_in(cfn, properties.get("kmsMasterKeyId"))
            if key is not None:
                errors.append(
                    f"{queue.node.path} uses the AWS-managed key {key}: SNS and S3 cannot be "
                    "granted it, so their messages would be lost. Use a customer-managed key "
                    "(encryption=KMS) or SSE-SQS"
                )
            name = properties.get("queueName")
            if (
                isinstance(name, str)
                and len(name) > SQS_QUEUE_NAME_MAX_LENGTH
                and not is_unresolved_text(name)
            ):
                errors.append(
                    f"{queue.node.path} has the name {name!r} of {len(name)} characters; "
                    f"SQS allows at most {SQS_QUEUE_NAME_MAX_LENGTH}"
                )
        if len(self._queues) > 1:
            dead_letter_queue, cfn = self._queues[1]
            sources = by_queue_sources(properties_of(cfn).get("redriveAllowPolicy"))
            if sources is not None and len(sources) > SQS_REDRIVE_ALLOW_MAX_SOURCES:
                errors.append(
                    f"{dead_letter_queue.node.path} admits {len(sources)} source queues; SQS "
                    f"allows at most {SQS_REDRIVE_ALLOW_MAX_SOURCES} in a byQueue redrive-allow "
                    "policy"
                )
        return errors
