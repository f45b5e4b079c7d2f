"""`python -m patterns.redrive` on LocalStack: a message that failed processing reaches the DLQ,
the command finds the DLQ from the deployed stack and puts the message back, and the source
queue delivers it again (OrdersProcessing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.e2e.aws import ENDPOINT, REGION, body_contains, new_tag, receive, receive_none, release
from tests.e2e.outputs import StackOutputs
from tests.e2e.test_queues import ORDERS_MAX_RECEIVE_COUNT

pytestmark = pytest.mark.e2e

STACK = "OrdersProcessing"


def _redrive(*argv: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it: the standard AWS settings point it at LocalStack."""
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": ENDPOINT,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "patterns.redrive", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_redrive_puts_a_failed_message_back_into_its_source_queue(sqs: Any, deployed: StackOutputs):
    queue = deployed[STACK]["OrdersQueueUrl"]
    dlq = deployed[STACK]["OrdersDeadLetterQueueUrl"]
    dlq_name = dlq.rsplit("/", 1)[-1]
    tag = new_tag()
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"order": tag}))
    for _ in range(ORDERS_MAX_RECEIVE_COUNT):  # the consumer fails it every time
        [message] = receive(sqs, queue, match=body_contains(tag), expect=1, delete=False)
        release(sqs, queue, message)
    assert receive_none(sqs, queue, match=body_contains(tag), quiet_s=2) == []

    listed = _redrive("list", STACK)
    assert listed.returncode == 0, listed.stderr
    assert dlq_name in listed.stdout
    assert "dead-letter queue of " in listed.stdout

    started = _redrive("start", STACK, "--dlq", dlq_name, "--rate", "10", "--wait")
    assert started.returncode == 0, started.stderr
    assert f"{dlq_name}: moving about" in started.stdout
    assert f"{dlq_name}: COMPLETED" in started.stdout

    # The fixed consumer receives the order from the source queue, unchanged, and the DLQ is empty.
    [again] = receive(sqs, queue, match=body_contains(tag), expect=1)
    assert json.loads(again["Body"]) == {"order": tag}
    assert receive_none(sqs, dlq, match=body_contains(tag), quiet_s=1) == []

    status = _redrive("status", STACK, "--dlq", dlq_name)
    assert status.returncode == 0, status.stderr
    assert "COMPLETED" in status.stdout


def test_redrive_names_a_dead_letter_queue_the_stack_does_not_have(deployed: StackOutputs):
    result = _redrive("start", STACK, "--dlq", "no-such-queue")
    assert result.returncode == 2
    assert "--dlq 'no-such-queue' names no dead-letter queue of the stack" in result.stderr
