"""Life after the first deploy, on LocalStack with the real CDK CLI (tests/e2e/lifecycle_app.py).

Deploy; send messages; deploy again with edits (a subscriber removed from the middle, one
added, two visibility timeouts changed); the messages sent before the edit are received after
it from the same queues; the edits are applied; then ``cdk destroy`` and ``cdk deploy`` again
succeed with the defaults.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.aws import body_contains, client, new_tag, queue_attributes, receive
from tests.e2e.lifecycle_app import (
    DEFAULT_SUBSCRIBERS,
    DEFAULT_VISIBILITY_S,
    STACK,
    UPLOADS_STACK,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts" / "localstack"
LOCAL = ROOT / ".local"
APP = "python3 -m tests.e2e.lifecycle_app"
OUTPUTS = LOCAL / "outputs-lifecycle.json"

EDITED_SUBSCRIBERS = ("Billing", "Audit", "Analytics")  # Shipping removed, Analytics added
BILLING_VISIBILITY_S = 120
ORDERS_VISIBILITY_S = 90
MESSAGES = 5


def _bootstrapped() -> bool:
    try:
        client("cloudformation").describe_stacks(StackName="CDKToolkit")
    except Exception:  # botocore's ClientError: no such stack
        return False
    return True


def cdk_deploy(stack: str = STACK, **context: str) -> dict[str, str]:
    """``cdk deploy`` of one stack of the lifecycle app with ``-c key=value`` context; its
    outputs."""
    arguments = [stack]
    for key, value in context.items():
        arguments += ["-c", f"{key}={value}"]
    env = {"DEPLOY_APP": APP, "OUTPUTS_FILE": str(OUTPUTS)}
    if _bootstrapped():
        env["SKIP_BOOTSTRAP"] = "1"
    started = time.monotonic()
    subprocess.run(
        [str(SCRIPTS / "deploy.sh"), *arguments], cwd=ROOT, check=True, env={**os.environ, **env}
    )
    print(f"cdk deploy {' '.join(arguments)}: {time.monotonic() - started:.0f}s")
    return dict(json.loads(OUTPUTS.read_text())[stack])


def cdk_destroy(stack: str = STACK) -> None:
    subprocess.run(
        [
            "bash",
            "-c",
            f'source "{SCRIPTS}/cdk-env.sh" && cdk --no-notices destroy --force '
            f'--app "{APP}" --output .local/cdk.out.e2e {stack} >.local/destroy-lifecycle.log 2>&1 '
            "|| { tail -40 .local/destroy-lifecycle.log >&2; exit 1; }",
        ],
        cwd=ROOT,
        check=True,
    )


def wait_for_messages(sqs: Any, queue_url: str, count: int, timeout_s: float = 30) -> None:
    """Wait until ``queue_url`` holds ``count`` messages (without receiving them)."""
    deadline = time.monotonic() + timeout_s
    visible = -1
    while time.monotonic() < deadline:
        visible = int(queue_attributes(sqs, queue_url)["ApproximateNumberOfMessages"])
        if visible >= count:
            return
        time.sleep(0.5)
    pytest.fail(f"{queue_url} holds {visible} messages, not {count}, after {timeout_s:.0f}s")


@dataclass
class BeforeEdit:
    outputs: dict[str, str]
    tag: str
    created: dict[str, str]  # queue URL -> CreatedTimestamp


@pytest.fixture(scope="module")
def sqs(localstack: None) -> Any:
    return client("sqs")


@pytest.fixture(scope="module")
def sns(localstack: None) -> Any:
    return client("sns")


@pytest.fixture(scope="module")
def before_edit(sqs: Any, sns: Any) -> BeforeEdit:
    """The first deploy, and messages waiting in every queue."""
    outputs = cdk_deploy()
    tag = new_tag()
    for number in range(MESSAGES):
        sns.publish(TopicArn=outputs["TopicArn"], Message=f"{tag} event {number}")
        sqs.send_message(QueueUrl=outputs["OrdersQueueUrl"], MessageBody=f"{tag} order {number}")
    urls = [outputs[f"{name}QueueUrl"] for name in (*DEFAULT_SUBSCRIBERS, "Orders")]
    for url in urls:
        wait_for_messages(sqs, url, MESSAGES)
    created = {url: queue_attributes(sqs, url)["CreatedTimestamp"] for url in urls}
    return BeforeEdit(outputs, tag, created)


@pytest.fixture(scope="module")
def after_edit(before_edit: BeforeEdit) -> dict[str, str]:
    """The second deploy: Shipping removed from the middle, Analytics added, Billing's and
    Orders' visibility timeouts changed."""
    return cdk_deploy(
        subscribers=",".join(EDITED_SUBSCRIBERS),
        billing_visibility_s=str(BILLING_VISIBILITY_S),
        orders_visibility_s=str(ORDERS_VISIBILITY_S),
    )


def test_edit_keeps_every_queue_that_stays(sqs: Any, before_edit: BeforeEdit, after_edit):
    for name in ("Billing", "Audit", "Orders"):
        url = after_edit[f"{name}QueueUrl"]
        assert url == before_edit.outputs[f"{name}QueueUrl"], f"{name}'s queue URL changed"
        created = queue_attributes(sqs, url)["CreatedTimestamp"]
        assert created == before_edit.created[url], f"{name}'s queue was re-created"


def test_messages_sent_before_the_edit_are_received_after_it(
    sqs: Any, before_edit: BeforeEdit, after_edit
):
    for name in ("Billing", "Audit", "Orders"):
        got = receive(
            sqs,
            after_edit[f"{name}QueueUrl"],
            match=body_contains(before_edit.tag),
            expect=MESSAGES,
        )
        assert len(got) == MESSAGES, f"{name} lost messages in the update"


def test_edit_is_applied(sqs: Any, sns: Any, before_edit: BeforeEdit, after_edit):
    billing = queue_attributes(sqs, after_edit["BillingQueueUrl"])
    assert billing["VisibilityTimeout"] == str(BILLING_VISIBILITY_S)
    orders = queue_attributes(sqs, after_edit["OrdersQueueUrl"])
    assert orders["VisibilityTimeout"] == str(ORDERS_VISIBILITY_S)
    audit = queue_attributes(sqs, after_edit["AuditQueueUrl"])
    assert audit["VisibilityTimeout"] == str(DEFAULT_VISIBILITY_S)
    # The removed subscriber is gone with its queue; the added one gets what is published now.
    assert "ShippingQueueUrl" not in after_edit
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl=before_edit.outputs["ShippingQueueUrl"])
    tag = new_tag()
    sns.publish(TopicArn=after_edit["TopicArn"], Message=f"{tag} after the edit")
    for name in EDITED_SUBSCRIBERS:
        got = receive(sqs, after_edit[f"{name}QueueUrl"], match=body_contains(tag), expect=1)
        assert len(got) == 1, f"{name} did not receive a message published after the edit"


def test_destroy_then_deploy_again_succeeds(sqs: Any, sns: Any, after_edit):
    """Runs last in this module: the defaults must let a destroyed stack be deployed again."""
    cdk_destroy()
    outputs = cdk_deploy()
    tag = new_tag()
    sns.publish(TopicArn=outputs["TopicArn"], Message=f"{tag} after re-creation")
    for name in DEFAULT_SUBSCRIBERS:
        got = receive(sqs, outputs[f"{name}QueueUrl"], match=body_contains(tag), expect=1)
        assert len(got) == 1, f"{name} did not receive a message after re-creation"
    cdk_destroy()


def test_destroy_then_deploy_again_with_an_s3_event_fan_out(localstack: None):
    """What ``cdk destroy`` retains must not hold a name that the next deploy needs.

    LocalStack lets a stack create a bucket whose name an existing bucket of the same account
    holds, where AWS fails, so the test checks the names rather than the second deploy only.
    """
    s3 = client("s3")
    first = cdk_deploy(UPLOADS_STACK)["BucketName"]
    cdk_destroy(UPLOADS_STACK)
    retained = {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}
    second = cdk_deploy(UPLOADS_STACK)["BucketName"]
    cdk_destroy(UPLOADS_STACK)
    assert second not in retained or first not in retained, (
        f"the retained bucket {first} holds the name the second deploy used"
    )
