"""Messaging-EBBUS2: an EventBridge rule whose target is an event bus of another account of the
app, when no policy of that bus lets the rule's account put events (eb-event-bus-perms): every
event forwarded is refused. The same rule passes when the bus has an AWS::Events::EventBusPolicy
admitting the account, or a Policy property that does.

One App, synthesized once: each case gets a stack of the rule's account (111111111111) and
builds a stack of the bus's account (222222222222) beside it. The stacks need environments, so
the cases are synthesized here rather than by ``common.synth_cases``.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets

from patterns.messaging.assembly import check_assembly
from patterns.messaging.rules import Finding
from tests.helpers import CDK_CONTEXT, PATH_METADATA
from tests.messaging_rules.common import Case, fail_stack, good_stack

RULE_ACCOUNT = cdk.Environment(account="111111111111", region="eu-west-1")
BUS_ACCOUNT = cdk.Environment(account="222222222222", region="eu-west-1")


def _forward(stack: cdk.Stack, *, policy: str | None) -> None:
    """A rule of ``stack`` forwarding to a bus of the other account; ``policy``: none, a
    ``resource`` EventBusPolicy or the bus's ``property``."""
    app = stack.node.scope
    assert isinstance(app, cdk.App)
    central = cdk.Stack(app, f"{stack.node.id}Central", env=BUS_ACCOUNT)
    name = f"{stack.node.id.lower()}-central"
    statement = {
        "Sid": "allow-workload",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": "events:PutEvents",
        "Resource": f"arn:aws:events:eu-west-1:222222222222:event-bus/{name}",
    }
    bus = events.CfnEventBus(
        central,
        "Bus",
        name=name,
        policy={"Version": "2012-10-17", "Statement": [statement]}
        if policy == "property"
        else None,
    )
    if policy == "resource":
        events.CfnEventBusPolicy(
            central,
            "AllowWorkload",
            event_bus_name=bus.ref,
            statement_id="allow-workload",
            statement=statement,
        )
    target_bus = events.EventBus.from_event_bus_arn(
        stack, "CentralBus", f"arn:aws:events:eu-west-1:222222222222:event-bus/{name}"
    )
    rule = events.Rule(
        stack, "Forward", event_pattern=events.EventPattern(source=["com.acme.orders"])
    )
    rule.add_target(targets.EventBus(target_bus))


def ebbus2_fail(stack: cdk.Stack) -> None:
    _forward(stack, policy=None)


def good_bus_policy(stack: cdk.Stack) -> None:
    _forward(stack, policy="resource")


def good_bus_policy_property(stack: cdk.Stack) -> None:
    _forward(stack, policy="property")


CASES = {"EBBUS2": Case((ebbus2_fail,), "Forward", good_bus_policy)}


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    outdir: Path = tmp_path_factory.mktemp("cross-account-bus")
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA})
    ebbus2_fail(cdk.Stack(app, fail_stack("EBBUS2", 0), env=RULE_ACCOUNT))
    for good in (good_bus_policy, good_bus_policy_property):
        good(cdk.Stack(app, good_stack(good), env=RULE_ACCOUNT))
    app.synth()
    return check_assembly(outdir)


def _ebbus2(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.stack, f.path, f.level) for f in findings if f.rule_id == "Messaging-EBBUS2"]


def test_a_rule_forwarding_to_a_bus_of_another_account_without_its_policy_is_an_error(
    findings: list[Finding],
) -> None:
    stack = fail_stack("EBBUS2", 0)
    assert _ebbus2(findings) == [(stack, f"{stack}/Forward/Resource", "error")]


@pytest.mark.parametrize("good", [good_bus_policy, good_bus_policy_property])
def test_a_bus_policy_admitting_the_account_passes(findings: list[Finding], good: object) -> None:
    assert all(not f[0].startswith(good_stack(good)) for f in _ebbus2(findings))  # type: ignore[arg-type]
