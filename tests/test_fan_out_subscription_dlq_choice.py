"""The one "own key => own subscription DLQ" decision, and that the fan-out follows it.

A subscriber whose new queue is under a customer-managed key keeps a subscription DLQ of its
own, under that key, even when the fan-out shares one (SSE-SQS): undelivered messages must not
rest under weaker encryption than the queue's.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs

from patterns import QueueOptions, SnsToSqsFanOut
from patterns.sns_fan_out.subscribers import keeps_own_subscription_dead_letter_queue
from tests.helpers import new_app


@pytest.mark.parametrize(
    ("options", "keeps_own"),
    [
        ({}, False),
        ({"encryption": sqs.QueueEncryption.SQS_MANAGED}, False),
        ({"encryption": sqs.QueueEncryption.KMS}, True),
        ({"encryption_key": "key"}, True),
    ],
    ids=["default", "sse-sqs", "kms", "given-key"],
)
def test_a_new_queue_keeps_its_own_only_under_a_customer_managed_key(
    options: dict[str, object], keeps_own: bool
) -> None:
    queue_options = QueueOptions(**options)  # type: ignore[typeddict-item]
    assert keeps_own_subscription_dead_letter_queue(None, queue_options) is keeps_own


def test_an_existing_queue_may_share() -> None:
    stack = cdk.Stack(new_app(), "Decide")
    queue = sqs.Queue(stack, "Q", encryption_master_key=kms.Key(stack, "K"))
    assert keeps_own_subscription_dead_letter_queue(queue, QueueOptions()) is False


def test_the_fan_out_shares_by_the_decision() -> None:
    stack = cdk.Stack(new_app(), "Shared")
    fan_out = SnsToSqsFanOut(stack, "F", shared_subscription_dead_letter_queue=True)
    plain = fan_out.add_queue("Plain")
    keyed = fan_out.add_queue("Keyed", encryption=sqs.QueueEncryption.KMS)
    existing = fan_out.add_queue("Existing", queue=sqs.Queue(stack, "Q", enforce_ssl=True))
    shared = fan_out.subscription_dead_letter_queue
    assert shared is not None
    assert plain.subscription_dead_letter_queue is shared
    assert existing.subscription_dead_letter_queue is shared
    own = keyed.subscription_dead_letter_queue
    assert own is not shared
    pattern = keyed.queue_with_dead_letter_queue
    assert pattern is not None
    assert pattern.encryption_key is not None
    assert own.encryption_master_key is pattern.encryption_key
