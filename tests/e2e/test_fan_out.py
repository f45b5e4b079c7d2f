"""SNS to SQS fan-out, end to end (OrderFanOut, OrderFanOutFifo): every subscriber gets its
copy, filters hold back what does not match, raw delivery yields the bare body, FIFO keeps
each group's order and drops duplicates, and no message is lost."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.aws import (
    body_contains,
    new_tag,
    queue_attributes,
    receive,
    receive_none,
    sns_envelope,
)
from tests.e2e.outputs import StackOutputs

pytestmark = pytest.mark.e2e

SUBSCRIBERS = ("Shipping", "Billing", "Analytics")


def _publish(sns: Any, topic: str, body: str, fulfilment: str) -> None:
    sns.publish(
        TopicArn=topic,
        Message=body,
        MessageAttributes={"fulfilment": {"DataType": "String", "StringValue": fulfilment}},
    )


def test_one_publish_reaches_every_subscriber_queue(sns: Any, sqs: Any, deployed: StackOutputs):
    stack = deployed["OrderFanOut"]
    tag = new_tag()
    _publish(sns, stack["OrdersTopicArn"], json.dumps({"order": tag}), "physical")
    for name in SUBSCRIBERS:
        got = receive(sqs, stack[f"{name}QueueUrl"], match=body_contains(tag), expect=1)
        assert len(got) == 1, f"{name} did not receive the published order"
        assert (
            receive_none(sqs, stack[f"{name}QueueUrl"], match=body_contains(tag), quiet_s=1) == []
        )


def test_filtered_subscriber_gets_only_matching_messages(
    sns: Any, sqs: Any, deployed: StackOutputs
):
    stack = deployed["OrderFanOut"]
    tag = new_tag()
    _publish(sns, stack["OrdersTopicArn"], f"{tag} e-book", "digital")
    _publish(sns, stack["OrdersTopicArn"], f"{tag} chair", "physical")

    shipping = receive(sqs, stack["ShippingQueueUrl"], match=body_contains(tag), expect=2)
    assert [sns_envelope(m)["Message"] for m in shipping] == [f"{tag} chair"]
    # Unfiltered subscribers get both; by then the e-book would have reached shipping too.
    for name in ("Billing", "Analytics"):
        assert len(receive(sqs, stack[f"{name}QueueUrl"], match=body_contains(tag), expect=2)) == 2
    assert receive_none(sqs, stack["ShippingQueueUrl"], match=body_contains(tag)) == []


def test_raw_delivery_yields_the_bare_body(sns: Any, sqs: Any, deployed: StackOutputs):
    stack = deployed["OrderFanOut"]
    tag = new_tag()
    body = json.dumps({"order": tag, "total": "12.50"})
    _publish(sns, stack["OrdersTopicArn"], body, "physical")

    [billing] = receive(sqs, stack["BillingQueueUrl"], match=body_contains(tag), expect=1)
    assert billing["Body"] == body  # raw: exactly what was published
    assert billing["MessageAttributes"]["fulfilment"]["StringValue"] == "physical"
    [analytics] = receive(sqs, stack["AnalyticsQueueUrl"], match=body_contains(tag), expect=1)
    envelope = sns_envelope(analytics)  # not raw: the SNS envelope around it
    assert envelope["Message"] == body
    assert envelope["TopicArn"] == stack["OrdersTopicArn"]


def test_nothing_lost_in_the_fan_out(sns: Any, sqs: Any, deployed: StackOutputs):
    """N orders in: each subscriber accounts for its share in its queue or subscription DLQ."""
    stack = deployed["OrderFanOut"]
    tag = new_tag()
    orders = 20
    physical = 0
    for n in range(orders):
        fulfilment = "physical" if n % 3 else "digital"
        physical += fulfilment == "physical"
        _publish(sns, stack["OrdersTopicArn"], f"{tag} order {n}", fulfilment)

    expected = {"Shipping": physical, "Billing": orders, "Analytics": orders}
    for name, count in expected.items():
        delivered = receive(sqs, stack[f"{name}QueueUrl"], match=body_contains(tag), expect=count)
        undeliverable = receive_none(
            sqs, stack[f"{name}SubscriptionDeadLetterQueueUrl"], match=body_contains(tag), quiet_s=1
        )
        assert len(delivered) + len(undeliverable) == count, name
        assert len({m["MessageId"] for m in delivered}) == len(delivered), f"{name}: duplicates"


def test_fifo_fan_out_keeps_order_per_group_and_drops_duplicates(
    sns: Any, sqs: Any, deployed: StackOutputs
):
    stack = deployed["OrderFanOutFifo"]
    tag = new_tag()
    published: dict[str, list[str]] = {"alice": [], "bob": []}
    statuses = ("placed", "paid", "shipped", "cancelled")
    for step, status in enumerate(statuses):
        for customer in published:
            body = json.dumps(
                {"tag": tag, "customer": customer, "step": step, "order": {"status": status}}
            )
            sns.publish(TopicArn=stack["OrdersTopicArn"], Message=body, MessageGroupId=customer)
            published[customer].append(body)
    # The same message again: content-based deduplication on the topic drops it.
    sns.publish(
        TopicArn=stack["OrdersTopicArn"], Message=published["alice"][0], MessageGroupId="alice"
    )

    def by_group(messages: list[dict[str, Any]]) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {"alice": [], "bob": []}
        for message in messages:
            groups[message["Attributes"]["MessageGroupId"]].append(sns_envelope(message)["Message"])
        return groups

    ledger = receive(sqs, stack["LedgerQueueUrl"], match=body_contains(tag), expect=9)
    assert by_group(ledger) == published  # each once, in order per customer

    # Inventory filters on the body: only placed and cancelled orders, still in order.
    inventory = receive(sqs, stack["InventoryQueueUrl"], match=body_contains(tag), expect=5)
    wanted = {
        customer: [b for b in bodies if json.loads(b)["order"]["status"] in ("placed", "cancelled")]
        for customer, bodies in published.items()
    }
    assert by_group(inventory) == wanted


def test_deployed_subscriber_queues_admit_only_their_topic(sqs: Any, deployed: StackOutputs):
    """Deployed state, not enforcement (LocalStack enforces no queue policy, docs/testing.md):
    each subscriber queue carries a policy letting only its own topic (aws:SourceArn) send, and
    denying non-TLS access, in both fan-outs and the S3 fan-out."""
    for stack, topic_key, queues in (
        ("OrderFanOut", "OrdersTopicArn", ("Shipping", "Billing", "Analytics")),
        ("OrderFanOutFifo", "OrdersTopicArn", ("Ledger", "Inventory")),
        ("ImageUploads", "EventTopicArn", ("Thumbnails", "Metadata", "Audit")),
    ):
        topic = deployed[stack][topic_key]
        for name in queues:
            attributes = queue_attributes(sqs, deployed[stack][f"{name}QueueUrl"])
            assert "Policy" in attributes, f"{stack} {name}: no queue policy deployed"
            statements = json.loads(attributes["Policy"])["Statement"]
            allows_topic = [
                s
                for s in statements
                if s["Effect"] == "Allow"
                and "sns.amazonaws.com" in json.dumps(s.get("Principal"))
                and topic in json.dumps(s.get("Condition", {}))
            ]
            assert allows_topic, f"{stack} {name}: no statement admits {topic}"
            assert any(
                s["Effect"] == "Deny" and "SecureTransport" in json.dumps(s) for s in statements
            )
