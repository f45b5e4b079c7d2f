"""The example app as a whole: compliance gate, snapshots, stack metadata, compliance docs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from examples import EXAMPLES
from examples.network import acknowledge_unused_default_security_group
from tests.helpers import ROOT, SynthesizedApp, assert_matches_snapshot, new_app
from tools.compliance import describe_stacks, read_findings, render_compliance_doc, summarize

STACKS = [example.stack_name for example in EXAMPLES]


def test_every_example_is_synthesized(examples_app: SynthesizedApp) -> None:
    names = [stack.stack_name for stack in examples_app.assembly.stacks]
    assert sorted(names) == sorted(STACKS)


def test_no_unacknowledged_compliance_finding(examples_app: SynthesizedApp) -> None:
    table, open_count = summarize(examples_app.outdir)
    assert open_count == 0, table


def test_the_gate_reports_all_five_packs(examples_app: SynthesizedApp) -> None:
    table, _ = summarize(examples_app.outdir)
    for pack in ("AwsSolutions", "NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321", "Serverless"):
        assert pack in table


def test_every_acknowledgement_has_a_specific_reason(examples_app: SynthesizedApp) -> None:
    acknowledged = [f for f in read_findings(examples_app.outdir) if f.acknowledged_id]
    for finding in acknowledged:
        assert finding.reason, finding
        assert len(finding.reason.split()) >= 8, finding


def test_compliance_doc_is_current(examples_app: SynthesizedApp) -> None:
    expected = render_compliance_doc(examples_app.outdir)
    actual = (ROOT / "docs" / "compliance.md").read_text()
    assert actual == expected, "docs/compliance.md is stale: run `make docs` and commit it"


@pytest.mark.parametrize("stack_name", STACKS)
def test_snapshot(examples_app: SynthesizedApp, stack_name: str) -> None:
    assert_matches_snapshot(stack_name, examples_app.template_json(stack_name))


@pytest.mark.parametrize("example", EXAMPLES, ids=STACKS)
def test_stack_has_a_description(examples_app: SynthesizedApp, example) -> None:
    template = examples_app.template_json(example.stack_name)
    assert template["Description"] == example.description


def test_snapshots_have_no_orphans() -> None:
    files = {path.stem for path in Path(ROOT / "tests" / "snapshots").glob("*.json")}
    assert files == set(STACKS)


def test_stack_listing_shows_each_description(examples_app: SynthesizedApp) -> None:
    listing = describe_stacks(examples_app.outdir).splitlines()
    assert len(listing) == len(EXAMPLES)
    for line, example in zip(listing, EXAMPLES, strict=True):
        assert line.split()[0] == example.stack_name
        assert line.endswith(example.description)


@pytest.mark.parametrize("stack_name", STACKS)
def test_every_alarm_notifies_the_one_alarm_topic(
    examples_app: SynthesizedApp, stack_name: str
) -> None:
    resources = examples_app.template_json(stack_name)["Resources"]
    alarm_topics = [
        logical_id
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::SNS::Topic"
        and resource["Metadata"]["aws:cdk:path"].endswith("/Alarms/Topic/Resource")
    ]
    assert len(alarm_topics) == 1
    # Alarms that drive a scaling policy (a worker fleet's) act, they do not notify.
    scaling_policies = [
        {"Ref": logical_id}
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"
    ]
    alarms = [
        r
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        and not any(action in scaling_policies for action in r["Properties"]["AlarmActions"])
    ]
    assert alarms, f"{stack_name} has no alarm"
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": alarm_topics[0]}]


@pytest.mark.parametrize("stack_name", STACKS)
def test_stack_outputs_more_than_the_alarm_topic(
    examples_app: SynthesizedApp, stack_name: str
) -> None:
    outputs = examples_app.template_json(stack_name).get("Outputs", {})
    assert len(outputs) >= 3, sorted(outputs)


# Name properties CloudFormation would otherwise generate (a literal one blocks re-creation).
NAME_PROPERTIES = (
    "BucketName",
    "QueueName",
    "TopicName",
    "BrokerName",
    "Name",
    "StreamName",
    "DeliveryStreamName",
    "LogGroupName",
    "PolicyName",
    "AliasName",
    "TableName",
    "DatabaseName",
)


@pytest.mark.parametrize("stack_name", STACKS)
def test_nothing_retained_keeps_a_name_so_destroy_then_deploy_works(
    examples_app: SynthesizedApp, stack_name: str
) -> None:
    """docs/lifecycle.md: a retained resource with a fixed name would make the next deploy of
    the same stack fail on "already exists"."""
    resources = examples_app.template_json(stack_name)["Resources"]
    retained = {
        logical_id: resource
        for logical_id, resource in resources.items()
        if resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")
    }
    for logical_id, resource in retained.items():
        named = [p for p in NAME_PROPERTIES if p in resource.get("Properties", {})]
        assert not named, f"{stack_name}/{logical_id} is retained and named by {named}"


# Where a resource places network interfaces in subnets, the key of their security groups.
_SUBNET_KEYS = ("SubnetIds", "Subnets")
_SECURITY_GROUP_KEYS = ("SecurityGroupIds", "SecurityGroups", "GroupSet")
# Resources whose interfaces take security groups beside a single SubnetId.
_SINGLE_SUBNET_TYPES = ("AWS::EC2::Instance", "AWS::EC2::NetworkInterface")


def _placements(value: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object under ``value`` that names subnets for network interfaces."""
    if isinstance(value, dict):
        if any(key in value for key in _SUBNET_KEYS):
            yield where, value
        for key, item in value.items():
            yield from _placements(item, f"{where}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _placements(item, where)


@pytest.mark.parametrize("stack_name", STACKS)
def test_no_example_brings_a_lambda_backed_vpc_helper(
    examples_app: SynthesizedApp, stack_name: str
) -> None:
    """examples/network.py: the example VPCs leave the default security group unused instead
    of stripping it with CDK's custom resource, whose Lambda fails the packs' rules."""
    resources = examples_app.template_json(stack_name)["Resources"]
    types = {resource["Type"] for resource in resources.values()}
    assert "Custom::VpcRestrictDefaultSG" not in types
    if "AWS::EC2::VPC" not in types:
        return
    # CDK's own handlers (CustomResourceProvider) sit at <stack>/Custom::<Name>Provider/Handler.
    functions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    for function in functions:
        assert "/Custom::" not in function["Metadata"]["aws:cdk:path"]


@pytest.mark.parametrize("stack_name", STACKS)
def test_no_example_uses_a_default_security_group(
    examples_app: SynthesizedApp, stack_name: str
) -> None:
    """What the acknowledgement of VPCDefaultSecurityGroupClosed rests on: every network
    interface an example creates gets a security group of its own (EC2 attaches the default
    group to an interface created without one), and nothing names the default group."""
    resources = examples_app.template_json(stack_name)["Resources"]
    vpcs = [lid for lid, r in resources.items() if r["Type"] == "AWS::EC2::VPC"]
    text = json.dumps(resources)
    for vpc in vpcs:
        assert f'["{vpc}", "DefaultSecurityGroup"]' not in text
        assert f"{vpc}.DefaultSecurityGroup" not in text
    placements = [
        (f"{logical_id}{where}", found)
        for logical_id, resource in resources.items()
        for where, found in _placements(resource.get("Properties", {}), "")
    ]
    placements += [
        (logical_id, resource.get("Properties", {}))
        for logical_id, resource in resources.items()
        if resource["Type"] in _SINGLE_SUBNET_TYPES
    ]
    assert bool(placements) == bool(vpcs), stack_name
    for where, placement in placements:
        groups = [g for key in _SECURITY_GROUP_KEYS for g in placement.get(key, [])]
        assert groups, f"{stack_name}: {where} places interfaces without a security group"


def test_the_unused_default_group_is_acknowledged_only_without_the_custom_resource() -> None:
    stack = cdk.Stack(new_app(), "Test")
    with_helper = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)
    with pytest.raises(ValueError, match="restrict_default_security_group=False"):
        acknowledge_unused_default_security_group(with_helper)
