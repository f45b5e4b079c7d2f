"""Queue with dead-letter queue, end to end: redrive, delay, FIFO order and deduplication,
and nothing lost under a consumer that fails some messages (OrdersProcessing, WorkSpike,
E2eQueueOptions)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.e2e.aws import body_contains, new_tag, queue_attributes, receive, receive_none, release
from tests.e2e.local_app import DELAY_SECONDS
from tests.e2e.outputs import StackOutputs

pytestmark = pytest.mark.e2e

# What examples/orders.py and examples/work_spike.py declare.
ORDERS_MAX_RECEIVE_COUNT = 5
VIDEOS_MAX_RECEIVE_COUNT = 5
BATCH_SIZE = 10


def test_message_received_max_receive_count_times_moves_to_dlq(sqs: Any, deployed: StackOutputs):
    queue = deployed["OrdersProcessing"]["OrdersQueueUrl"]
    dlq = deployed["OrdersProcessing"]["OrdersDeadLetterQueueUrl"]
    tag = new_tag()
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"order": tag, "poison": True}))

    # A consumer that fails the order: it receives it and does not delete it, max_receive_count
    # times; while it fails, the order stays in the queue and not in the DLQ.
    for attempt in range(1, ORDERS_MAX_RECEIVE_COUNT + 1):
        [message] = receive(sqs, queue, match=body_contains(tag), expect=1, delete=False)
        assert message["Attributes"]["ApproximateReceiveCount"] == str(attempt)
        release(sqs, queue, message)
    assert receive_none(sqs, dlq, match=body_contains(tag), quiet_s=1) == []

    # The next receive finds the order gone: it moved to the dead-letter queue, unchanged.
    assert receive_none(sqs, queue, match=body_contains(tag), quiet_s=2) == []
    [dead] = receive(sqs, dlq, match=body_contains(tag), expect=1)
    assert json.loads(dead["Body"]) == {"order": tag, "poison": True}


def test_delay_queue_holds_messages_for_its_delay(sqs: Any, deployed: StackOutputs):
    queue = deployed["E2eQueueOptions"]["DelayedQueueUrl"]
    tag = new_tag()
    sent = time.monotonic()
    sqs.send_message(QueueUrl=queue, MessageBody=tag)

    early = receive_none(sqs, queue, match=body_contains(tag), quiet_s=DELAY_SECONDS - 2)
    assert early == [], "a message of a delay queue was visible before its delay"
    [message] = receive(sqs, queue, match=body_contains(tag), expect=1, timeout_s=10)
    assert time.monotonic() - sent >= DELAY_SECONDS - 1
    assert message["Body"] == tag


def test_fifo_queue_keeps_order_per_group_and_drops_duplicates(sqs: Any, deployed: StackOutputs):
    queue = deployed["OrdersProcessing"]["OrderedOrdersQueueUrl"]
    tag = new_tag()
    sent: dict[str, list[str]] = {"alice": [], "bob": []}
    for step in range(5):
        for customer in sent:
            body = f"{tag} {customer} order {step}"
            sqs.send_message(QueueUrl=queue, MessageBody=body, MessageGroupId=customer)
            sent[customer].append(body)
    # The same order sent again within five minutes: content-based deduplication drops it.
    sqs.send_message(QueueUrl=queue, MessageBody=f"{tag} alice order 2", MessageGroupId="alice")

    received = receive(sqs, queue, match=body_contains(tag), expect=11, timeout_s=10)
    by_group: dict[str, list[str]] = {"alice": [], "bob": []}
    for message in received:
        by_group[message["Attributes"]["MessageGroupId"]].append(message["Body"])
    assert by_group == sent  # every order once, each customer's in the order sent


def test_nothing_lost_when_a_consumer_fails_some_messages(sqs: Any, deployed: StackOutputs):
    """N videos in: every one is either transcoded (deleted) or waiting in the DLQ."""
    queue = deployed["WorkSpike"]["VideoQueueUrl"]
    dlq = deployed["WorkSpike"]["VideoDeadLetterQueueUrl"]
    tag = new_tag()
    videos = [f"{tag} video {n:02d}" for n in range(30)]
    poison = set(videos[::7])  # a transcoder crashes on these five, every time
    for start in range(0, len(videos), BATCH_SIZE):
        entries = [
            {"Id": str(n), "MessageBody": body}
            for n, body in enumerate(videos[start : start + BATCH_SIZE])
        ]
        assert not sqs.send_message_batch(QueueUrl=queue, Entries=entries).get("Failed")

    transcoded: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batch = receive(
            sqs, queue, match=body_contains(tag), expect=BATCH_SIZE, timeout_s=2, delete=False
        )
        if not batch and len(transcoded) == len(videos) - len(poison):
            break
        for message in batch:
            if message["Body"] in poison:
                release(sqs, queue, message)  # failed: back to the queue at once
            else:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                transcoded.append(message["Body"])

    dead = [m["Body"] for m in receive(sqs, dlq, match=body_contains(tag), expect=len(poison))]
    assert sorted(transcoded) == sorted(set(videos) - poison)
    assert sorted(dead) == sorted(poison)
    assert len(transcoded) + len(dead) == len(videos)


def test_deployed_redrive_policies_match_the_examples(sqs: Any, deployed: StackOutputs):
    """The emulator runs the redrive the template asked for (not a default of its own)."""
    for stack, queue_key, dlq_key, count in (
        ("OrdersProcessing", "OrdersQueueUrl", "OrdersDeadLetterQueueUrl", 5),
        ("WorkSpike", "VideoQueueUrl", "VideoDeadLetterQueueUrl", 5),
        ("E2eQueueOptions", "DelayedQueueUrl", "DelayedDeadLetterQueueUrl", 2),
    ):
        redrive = json.loads(queue_attributes(sqs, deployed[stack][queue_key])["RedrivePolicy"])
        dlq_arn = queue_attributes(sqs, deployed[stack][dlq_key])["QueueArn"]
        assert redrive == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": count}
