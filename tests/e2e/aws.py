"""boto3 clients for LocalStack on 127.0.0.1 and the polling helpers the end-to-end tests share.

SNS and S3 deliver asynchronously, so a test waits for the messages it expects (up to a
timeout) and, to prove a message did *not* arrive, keeps listening for a quiet period after
the messages that should arrive have arrived. Every test tags its messages with a fresh
token and counts only those, so leftovers of an earlier run (or of a user playing with
``make deploy-local``) never confuse it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]

ENDPOINT = "http://127.0.0.1:4566"
REGION = "us-east-1"
# Long enough for LocalStack's asynchronous SNS and S3 delivery on a busy 2-core machine.
DELIVERY_TIMEOUT_S = 20.0
# How long a queue must stay silent to count as "received nothing".
QUIET_PERIOD_S = 4.0

Message = dict[str, Any]


def client(service: str) -> Any:
    """A boto3 client for ``service`` on LocalStack (fake credentials, never the user's)."""
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 3, "mode": "standard"}, proxies={}),
    )


def new_tag() -> str:
    """A fresh token that marks this test's messages."""
    return uuid.uuid4().hex


def receive(
    sqs: Any,
    queue_url: str,
    *,
    match: Callable[[Message], bool],
    expect: int,
    timeout_s: float = DELIVERY_TIMEOUT_S,
    delete: bool = True,
) -> list[Message]:
    """Receive until ``expect`` messages satisfying ``match`` arrived or ``timeout_s`` passed.

    Matching messages are deleted (``delete``); others are left for their owner (made visible
    again at once). Returns the matching messages in the order received.
    """
    found: list[Message] = []
    deadline = time.monotonic() + timeout_s
    while len(found) < expect and time.monotonic() < deadline:
        response = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        for message in response.get("Messages", []):
            if match(message):
                found.append(message)
                if delete:
                    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            else:
                release(sqs, queue_url, message)
    return found


def receive_none(
    sqs: Any, queue_url: str, *, match: Callable[[Message], bool], quiet_s: float = QUIET_PERIOD_S
) -> list[Message]:
    """Everything matching ``match`` that arrives within ``quiet_s`` (the caller expects none)."""
    return receive(sqs, queue_url, match=match, expect=1, timeout_s=quiet_s)


def release(sqs: Any, queue_url: str, message: Message) -> None:
    """Make a received message visible again at once, as a consumer that fails it would."""
    sqs.change_message_visibility(
        QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )


def body_contains(tag: str) -> Callable[[Message], bool]:
    """Match messages whose body (raw or inside the SNS envelope) contains ``tag``."""
    return lambda message: tag in str(message["Body"])


def sns_envelope(message: Message) -> dict[str, Any]:
    """The SNS notification envelope of a non-raw delivery (fails if the body is not one)."""
    envelope = json.loads(message["Body"])
    assert isinstance(envelope, dict), message["Body"]
    assert envelope.get("Type") == "Notification", f"not an SNS envelope: {message['Body']}"
    return envelope


def queue_arn(sqs: Any, queue_url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def queue_attributes(sqs: Any, queue_url: str) -> dict[str, str]:
    response = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])
    return dict(response["Attributes"])
