"""What ``QueueWithDeadLetterQueue`` promises, checked at synth over the final state.

Users can change the queues after construction (``pattern.queue.node.default_child``);
SNS and S3 cannot use an AWS-managed key, SQS refuses names over 80 characters and a
redrive-allow policy with more than 10 sources.
"""

from __future__ import annotations

import jsii
from aws_cdk import Token
from aws_cdk import aws_sqs as sqs
from constructs import IValidation

from patterns.keys import literal_text, names_aws_managed_key
from patterns.queue_with_dlq.options import QUEUE_NAME_MAX_LENGTH, REDRIVE_ALLOW_MAX_SOURCES
from patterns.queue_with_dlq.redrive_allow import redrive_sources


@jsii.implements(IValidation)
class Invariants:
    """At synth: no AWS-managed key, names within 80 characters, at most 10 redrive sources.

    ``own_dead_letter_queue`` is the DLQ the pattern created (``None`` for one passed in,
    whose settings stay its owner's).
    """

    def __init__(self, queue: sqs.IQueue, own_dead_letter_queue: sqs.IQueue | None) -> None:
        self._queue = queue
        self._own_dead_letter_queue = own_dead_letter_queue

    def validate(self) -> list[str]:
        queues: list[sqs.IQueue] = [self._queue]
        if self._own_dead_letter_queue is not None:
            queues.append(self._own_dead_letter_queue)
        errors: list[str] = []
        for queue in queues:
            cfn = queue.node.default_child
            if not isinstance(cfn, sqs.CfnQueue):
                continue
            key_id = cfn.kms_master_key_id
            if isinstance(key_id, str) and names_aws_managed_key(queue, key_id):
                errors.append(
                    f"{queue.node.path} uses the AWS-managed key {literal_text(queue, key_id)}: "
                    "SNS and S3 cannot be granted it, so their messages would be lost. Use a "
                    "customer-managed key (encryption=KMS) or SSE-SQS"
                )
            name = cfn.queue_name
            if (
                isinstance(name, str)
                and not Token.is_unresolved(name)
                and len(name) > QUEUE_NAME_MAX_LENGTH
            ):
                errors.append(
                    f"{queue.node.path} has the name {name!r} of {len(name)} characters; "
                    f"SQS allows at most {QUEUE_NAME_MAX_LENGTH}"
                )
        dead_letter_queue = self._own_dead_letter_queue
        if dead_letter_queue is not None:
            sources = redrive_sources(dead_letter_queue)
            if sources is not None and len(sources) > REDRIVE_ALLOW_MAX_SOURCES:
                errors.append(
                    f"{dead_letter_queue.node.path} admits {len(sources)} source queues; "
                    f"SQS allows at most {REDRIVE_ALLOW_MAX_SOURCES} in a byQueue redrive-allow "
                    "policy"
                )
        return errors
