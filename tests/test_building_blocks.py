"""AlarmTopic and ManagedPolicyRole as public constructs: behaviour and their documentation."""

from __future__ import annotations

import inspect
import re

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

import patterns
from patterns import AlarmTopic, ManagedPolicyRole
from tests.doc_blocks import run_block
from tests.helpers import ROOT, arn, by_path, new_app, ref

PAGE = ROOT / "docs" / "building-blocks.md"
KEY, TOPIC = "AWS::KMS::Key", "AWS::SNS::Topic"


@pytest.fixture(scope="module")
def alarm_topic() -> tuple[Template, AlarmTopic]:
    stack = cdk.Stack(new_app(), "Alarms")
    alarms = AlarmTopic(stack, "Alarms")
    metric = cloudwatch.Metric(namespace="Test", metric_name="Errors")
    metric.create_alarm(stack, "Alarm", threshold=1, evaluation_periods=1).add_alarm_action(
        alarms.action
    )
    return Template.from_stack(stack), alarms


def test_the_alarm_topic_is_encrypted_with_its_own_rotated_key(alarm_topic) -> None:
    template, alarms = alarm_topic
    topic = by_path(template, TOPIC, "/Alarms/Topic/Resource")
    assert topic["Properties"]["KmsMasterKeyId"] == arn(template, KEY, "/Alarms/Key/Resource")
    assert by_path(template, KEY, "/Alarms/Key/Resource")["Properties"]["EnableKeyRotation"]
    assert alarms.topic.node.path == "Alarms/Alarms/Topic"
    assert alarms.encryption_key.node.path == "Alarms/Alarms/Key"


def test_cloudwatch_may_use_the_key_only_for_alarms_of_this_account(alarm_topic) -> None:
    template, _ = alarm_topic
    policy = by_path(template, KEY, "/Alarms/Key/Resource")["Properties"]["KeyPolicy"]
    (statement,) = [
        s for s in policy["Statement"] if s.get("Sid") == "AllowCloudWatchAlarmsOfThisAccount"
    ]
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"]["StringEquals"] == {
        "aws:SourceAccount": {"Ref": "AWS::AccountId"}
    }
    assert "aws:SourceArn" in statement["Condition"]["ArnLike"]


def test_the_topic_admits_cloudwatch_of_this_account_and_tls_only(alarm_topic) -> None:
    template, _ = alarm_topic
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Sid": "AllowCloudWatchAlarmsOfThisAccount",
                                "Action": "sns:Publish",
                                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                "Condition": {
                                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
                                },
                            }
                        ),
                    ]
                )
            },
            "Topics": [ref(template, TOPIC, "/Alarms/Topic/Resource")],
        },
    )


def test_the_action_publishes_to_the_topic_and_the_output_names_it(alarm_topic) -> None:
    template, _ = alarm_topic
    topic = ref(template, TOPIC, "/Alarms/Topic/Resource")
    template.has_resource_properties("AWS::CloudWatch::Alarm", {"AlarmActions": [topic]})
    outputs = template.find_outputs("*")
    assert [
        o["Value"] for name, o in outputs.items() if name.startswith("AlarmsAlarmTopicArn")
    ] == [topic]


def test_managed_policy_role_takes_the_options_of_iam_role() -> None:
    """Explicit keyword-only options (typed for mypy), the same as ``iam.Role``'s."""

    def keyword_only(cls: type) -> list[str]:
        parameters = inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
        return [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]

    assert keyword_only(ManagedPolicyRole) == keyword_only(iam.Role)
    stack = cdk.Stack(new_app(), "Roles")
    ManagedPolicyRole(
        stack,
        "Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description="Runs the worker",
        max_session_duration=cdk.Duration.hours(2),
        path="/workers/",
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Role",
        {"Description": "Runs the worker", "MaxSessionDuration": 7200, "Path": "/workers/"},
    )


# --- the page: docs/building-blocks.md ---------------------------------------------------


def _section(name: str) -> str:
    return PAGE.read_text().split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]


def _table(section: str, heading: str) -> list[str]:
    part = section.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"^\| `([a-z_0-9]+)` \|", part, flags=re.MULTILINE)


@pytest.mark.parametrize("cls", [AlarmTopic, ManagedPolicyRole], ids=lambda c: c.__name__)
def test_the_page_lists_every_option_and_attribute(cls: type) -> None:
    section = _section(cls.__name__)
    options = [
        name
        for name, parameter in inspect.signature(cls.__init__).parameters.items()  # type: ignore[misc]
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    assert _table(section, "Options") == options
    own_properties = sorted(
        name
        for name, member in vars(cls).items()
        if isinstance(member, property) and not name.startswith("_")
    )
    assert sorted(_table(section, "Attributes")) == own_properties


@pytest.mark.parametrize("name", ["AlarmTopic", "ManagedPolicyRole"])
def test_both_are_exported_and_linked_from_the_readme(name: str) -> None:
    assert name in patterns.__all__
    assert "docs/building-blocks.md" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize(
    "code", re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
)
def test_the_page_code_blocks_synthesize(code: str) -> None:
    run_block(code)
