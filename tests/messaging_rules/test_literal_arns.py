"""A literal ARN of an EventBridge rule in a queue policy's ``aws:SourceArn`` names the rule of
the app it spells: ``rule/<bus>/<name>`` on a custom bus, ``rule/<name>`` on the default bus,
within the account and region of the rule's stack.

One App, synthesized once: a ``Rules`` stack (rules with fixed names on a custom bus and on the
default bus, each sending to a queue of the ``Queues`` stack, in the same account and region)
and a ``Queues`` stack whose queue policies admit the rules by literal ARN; the queue whose
policy names a differently named rule (or the rule in another account) is not admitted (EB3).
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs

from patterns.messaging.assembly import check_assembly
from patterns.messaging.rules import Finding
from tests.helpers import CDK_CONTEXT, PATH_METADATA

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
PREFIX = "arn:aws:events:eu-west-1:111111111111:rule/"
# queue construct -> (the rule's bus name or None for the default bus, the ARN its policy admits)
POLICIES = {
    "CustomBusGood": ("billing-bus", PREFIX + "billing-bus/invoice-issued"),
    "DefaultBusGood": (None, PREFIX + "invoice-issued-default"),
    "CustomBusOtherName": ("billing-bus", PREFIX + "billing-bus/another-rule"),
    "CustomBusWithoutBus": ("billing-bus", PREFIX + "invoice-issued-other"),
    "DefaultBusOtherName": (None, PREFIX + "another-rule"),
    "OtherAccount": (None, "arn:aws:events:eu-west-1:222222222222:rule/invoice-issued-acct"),
}
RULE_NAMES = {
    "CustomBusGood": "invoice-issued",
    "DefaultBusGood": "invoice-issued-default",
    "CustomBusOtherName": "invoice-issued-x",
    "CustomBusWithoutBus": "invoice-issued-other",
    "DefaultBusOtherName": "invoice-issued-y",
    "OtherAccount": "invoice-issued-acct",
}
ADMITTED = {"CustomBusGood", "DefaultBusGood"}


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    outdir: Path = tmp_path_factory.mktemp("literal-arns")
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA})
    rules = cdk.Stack(app, "Rules", env=ENV)
    queues = cdk.Stack(app, "Queues", env=ENV)
    bus = events.EventBus(rules, "Bus", event_bus_name="billing-bus")
    for case, (bus_name, arn) in POLICIES.items():
        queue = sqs.Queue(queues, case, enforce_ssl=True)
        queue.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["sqs:SendMessage"],
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                resources=[queue.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": arn}},
            )
        )
        target_queue = sqs.Queue.from_queue_arn(rules, f"{case}Queue", queue.queue_arn)
        dlq = sqs.Queue(rules, f"{case}Dlq", enforce_ssl=True)
        events.CfnRule(
            rules,
            f"{case}Rule",
            name=RULE_NAMES[case],
            event_bus_name=bus.event_bus_name if bus_name else None,
            event_pattern={"source": ["com.acme.billing"]},
            targets=[
                events.CfnRule.TargetProperty(
                    arn=target_queue.queue_arn,
                    id="Queue",
                    dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=dlq.queue_arn),
                )
            ],
        )
    app.synth()
    return check_assembly(outdir)


@pytest.mark.parametrize("case", sorted(POLICIES))
def test_a_literal_rule_arn_admits_the_rule_it_names(findings: list[Finding], case: str) -> None:
    eb3 = [
        f
        for f in findings
        if f.rule_id == "Messaging-EB3" and f.stack == "Rules" and f.logical_id.startswith(case)
    ]
    if case in ADMITTED:
        assert eb3 == []
    else:
        assert [f.level for f in eb3] == ["error"], eb3
