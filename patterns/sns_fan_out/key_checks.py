"""Keys SNS cannot use: the AWS-managed keys, refused when given and checked again at synth.

An AWS-managed key's policy cannot be changed, so it cannot admit SNS (for a queue SNS writes
to) nor other services and accounts (for the topic): every message would be lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import jsii
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import IValidation

from patterns.keys import aws_managed_key, aws_managed_key_in, key_name
from patterns.lookups import default_child


@jsii.implements(IValidation)
class NoAwsManagedKeyValidation:
    """At synth: no AWS-managed key on the topic or on a queue SNS writes to.

    Checked over the final tree because the L2 objects are exposed: setting
    ``queue.node.default_child.kms_master_key_id = "alias/aws/sqs"`` after construction
    would make SNS drop every message for that queue.
    """

    def __init__(
        self, topic: sns.ITopic, queues_sns_writes_to: Callable[[], Iterable[sqs.IQueue]]
    ) -> None:
        self._topic = topic
        self._queues_sns_writes_to = queues_sns_writes_to

    def validate(self) -> list[str]:
        errors = []
        topic_alias = _topic_alias(self._topic)
        if topic_alias is not None:
            errors.append(
                f"topic {self._topic.node.path} is encrypted with the AWS-managed key "
                f"{topic_alias}, whose policy cannot admit AWS services or other accounts: "
                "encrypt it with a customer-managed key"
            )
        seen: set[int] = set()  # the same queue object, met again (no path asked of jsii)
        for queue in self._queues_sns_writes_to():
            if id(queue) in seen:
                continue
            seen.add(id(queue))
            alias = _queue_alias(queue)
            if alias is not None:
                errors.append(
                    f"queue {queue.node.path} is encrypted with the AWS-managed key {alias}, "
                    "whose policy cannot admit SNS: every message SNS sends there is lost. "
                    "Use SSE-SQS or a customer-managed key"
                )
        return errors


def check_queue_key_usable(queue: sqs.IQueue) -> None:
    """Refuse a queue encrypted with the AWS-managed SQS key: SNS cannot use it."""
    key = queue.encryption_master_key
    aws_managed = queue.encryption_type == sqs.QueueEncryption.KMS_MANAGED
    if aws_managed or (key is not None and aws_managed_key(key) is not None):
        raise ValueError(
            f"queue {queue.node.path} is encrypted with the AWS-managed key alias/aws/sqs, "
            "whose policy cannot admit SNS: every message would be dropped. Re-encrypt it "
            "with SSE-SQS or a customer-managed key"
        )


def _topic_alias(topic: sns.ITopic) -> str | None:
    """The AWS-managed alias a topic of this app is encrypted with, as its L1 holds it."""
    cfn = default_child(topic)
    return aws_managed_key_in(cfn, cfn.kms_master_key_id) if isinstance(cfn, sns.CfnTopic) else None


def _queue_alias(queue: sqs.IQueue) -> str | None:
    """The AWS-managed alias a queue is encrypted with: for one of this app, as its L1 holds
    it (the final state); for an imported one, as it was declared."""
    cfn = default_child(queue)
    if isinstance(cfn, sqs.CfnQueue):
        return aws_managed_key_in(cfn, cfn.kms_master_key_id)
    return _declared_alias(queue)


def _declared_alias(queue: sqs.IQueue) -> str | None:
    """The AWS-managed key an imported queue was declared with, or ``None``."""
    if queue.encryption_type == sqs.QueueEncryption.KMS_MANAGED:
        return "alias/aws/sqs"
    key = queue.encryption_master_key
    return key_name(key) if key is not None and aws_managed_key(key) is not None else None
