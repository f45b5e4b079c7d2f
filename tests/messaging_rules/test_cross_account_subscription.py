"""Messaging-SUB3: an SQS subscription to a queue of another account created in the topic's
account waits for a confirmation (sns-send-message-to-sqs-cross-account); the same
subscription created in the queue's account passes.

One App, synthesized once: each case gets a stack of the topic's account (111111111111, with
the topic) and builds a stack of the queue's account (222222222222) beside it; the failing case
subscribes the queue (by its ARN) in the topic's stack, the passing one in the queue's stack.
The stacks need environments (an account each), so the cases are synthesized here rather than
by ``common.synth_cases``.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from patterns.messaging.assembly import check_assembly
from patterns.messaging.rules import Finding
from tests.helpers import CDK_CONTEXT, PATH_METADATA
from tests.messaging_rules.common import Case, fail_stack, good_stack

TOPIC_ACCOUNT = cdk.Environment(account="111111111111", region="eu-west-1")
QUEUE_ACCOUNT = cdk.Environment(account="222222222222", region="eu-west-1")


def _topic_and_queue(stack: cdk.Stack) -> tuple[sns.Topic, cdk.Stack, sqs.Queue, str]:
    """The topic in ``stack``, a queue admitting it in a stack of the queue's account."""
    name = stack.node.id.lower()
    topic = sns.Topic(stack, "Topic", topic_name=f"{name}-events")
    topic_arn = f"arn:aws:sns:eu-west-1:111111111111:{name}-events"
    app = stack.node.scope
    assert isinstance(app, cdk.App)
    queues = cdk.Stack(app, f"{stack.node.id}Queues", env=QUEUE_ACCOUNT)
    queue = sqs.Queue(queues, "Queue", queue_name=f"{name}-inbox", enforce_ssl=True)
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            actions=["sqs:SendMessage"],
            principals=[iam.ServicePrincipal("sns.amazonaws.com")],
            resources=[queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": topic_arn}},
        )
    )
    return topic, queues, queue, topic_arn


def sub3_fail(stack: cdk.Stack) -> None:
    topic, _, _, _ = _topic_and_queue(stack)
    sns.Subscription(
        stack,
        "Subscription",
        topic=topic,
        protocol=sns.SubscriptionProtocol.SQS,
        endpoint=f"arn:aws:sqs:eu-west-1:222222222222:{stack.node.id.lower()}-inbox",
        raw_message_delivery=True,
    )


def sub3_good(stack: cdk.Stack) -> None:
    _, queues, queue, topic_arn = _topic_and_queue(stack)
    sns.Subscription(
        queues,
        "Subscription",
        topic=sns.Topic.from_topic_arn(queues, "Topic", topic_arn),
        protocol=sns.SubscriptionProtocol.SQS,
        endpoint=queue.queue_arn,
        raw_message_delivery=True,
        region="eu-west-1",
    )


CASES = {"SUB3": Case((sub3_fail,), "Subscription", sub3_good)}


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    outdir: Path = tmp_path_factory.mktemp("cross-account-subscription")
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA})
    sub3_fail(cdk.Stack(app, fail_stack("SUB3", 0), env=TOPIC_ACCOUNT))
    sub3_good(cdk.Stack(app, good_stack(sub3_good), env=TOPIC_ACCOUNT))
    app.synth()
    return check_assembly(outdir)


def _sub3(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.stack, f.path, f.level) for f in findings if f.rule_id == "Messaging-SUB3"]


def test_the_topic_owner_subscribing_a_queue_of_another_account_is_an_error(
    findings: list[Finding],
) -> None:
    stack = fail_stack("SUB3", 0)
    assert _sub3(findings) == [(stack, f"{stack}/Subscription/Resource", "error")]


def test_the_queue_owner_subscribing_passes(findings: list[Finding]) -> None:
    assert all(not f[0].startswith(good_stack(sub3_good)) for f in _sub3(findings))
