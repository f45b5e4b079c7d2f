"""ManagedPolicyRole: grants land in one managed policy, never in an inline policy."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns.roles import ManagedPolicyRole
from tests.helpers import arn, logical_id, new_app


def test_grants_go_to_the_managed_policy_attached_to_the_role() -> None:
    stack = cdk.Stack(new_app(), "Roles")
    queue = sqs.Queue(stack, "Queue")
    role = ManagedPolicyRole(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    queue.grant_consume_messages(role)
    queue.grant_send_messages(role)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Policy", 0)
    template.resource_count_is("AWS::IAM::ManagedPolicy", 1)
    queue_arn = arn(template, "AWS::SQS::Queue", "/Queue/Resource")
    (policy,) = template.find_resources("AWS::IAM::ManagedPolicy").values()
    assert policy["Properties"]["Roles"] == [
        {"Ref": logical_id(template, "AWS::IAM::Role", "/Role/Resource")}
    ]
    actions: set[str] = set()
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        assert statement["Resource"] == queue_arn
        actions |= set(statement["Action"])
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage"} <= actions
    assert role.managed_policy is not None
    assert role.managed_policy.node.id == "Policy"


def test_a_role_without_grants_synthesizes_without_a_managed_policy() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Roles")
    role = ManagedPolicyRole(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    app.synth()  # an empty AWS::IAM::ManagedPolicy would fail validation here
    Template.from_stack(stack).resource_count_is("AWS::IAM::ManagedPolicy", 0)
    assert role.managed_policy is None


def test_the_managed_policy_appears_with_the_first_grant() -> None:
    stack = cdk.Stack(new_app(), "Roles")
    role = ManagedPolicyRole(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    sqs.Queue(stack, "Queue").grant_send_messages(role)
    assert role.managed_policy is not None
    assert role.managed_policy.node.id == "Policy"
    Template.from_stack(stack).resource_count_is("AWS::IAM::ManagedPolicy", 1)
