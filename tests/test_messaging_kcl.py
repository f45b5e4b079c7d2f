"""Messaging-KCL1: a KCL application's task role may use the tables its workers are told of.

A passing app (``StreamWorkerFleet``, which grants them) and failing ones (a hand-built task
whose role lacks the table grants, or the key's), checked on their synthesized templates.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from patterns import StreamWorkerFleet
from patterns.messaging.model import StackModel
from patterns.messaging.rules import check_template
from tests.helpers import new_app

IMAGE = "public.ecr.aws/docker/library/amazoncorretto:21"


def _findings(stack: cdk.Stack) -> list[Any]:
    template: dict[str, Any] = dict(Template.from_stack(stack).to_json())
    return [
        f
        for f in check_template(StackModel(template, stack.stack_name))
        if f.rule_id == "Messaging-KCL1"
    ]


def _hand_built_task(stack: cdk.Stack, *, grant: bool, key: kms.IKey | None = None) -> None:
    table = dynamodb.Table(
        stack,
        "Leases",
        partition_key=dynamodb.Attribute(name="leaseKey", type=dynamodb.AttributeType.STRING),
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED if key else None,
        encryption_key=key,
    )
    task = ecs.FargateTaskDefinition(stack, "Task")
    task.add_container(
        "Worker",
        image=ecs.ContainerImage.from_registry(IMAGE),
        environment={"KCL_LEASE_TABLE": table.table_name},
    )
    if grant:
        task.task_role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:DescribeTable",
                    "dynamodb:Scan",
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
                resources=[table.table_arn],
            )
        )


def kcl1_fail(stack: cdk.Stack) -> None:
    """Messaging-KCL1's failing app (also in tests/test_messaging_checks.py's CASES)."""
    _hand_built_task(stack, grant=False)


def good_kcl_task(stack: cdk.Stack) -> None:
    """Messaging-KCL1's passing app."""
    _hand_built_task(stack, grant=True)


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(new_app(), "Kcl")


def test_a_stream_worker_fleet_passes(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key")
    stream = kinesis.Stream(stack, "Stream", shard_count=2, encryption_key=key)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, restrict_default_security_group=False)
    cluster = ecs.Cluster(
        stack, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
    )
    StreamWorkerFleet(
        stack,
        "Fleet",
        stream=stream,
        cluster=cluster,
        image=ecs.ContainerImage.from_registry(IMAGE),
    )
    assert _findings(stack) == []


def test_a_task_role_without_the_table_grants_fails(stack: cdk.Stack) -> None:
    _hand_built_task(stack, grant=False)
    (finding,) = _findings(stack)
    assert finding.level == "warning"
    assert "may not dynamodb:DescribeTable, dynamodb:Scan" in finding.message
    assert "(KCL_LEASE_TABLE)" in finding.message


def test_a_task_role_with_the_grants_passes(stack: cdk.Stack) -> None:
    _hand_built_task(stack, grant=True)
    assert _findings(stack) == []


def test_a_table_key_the_role_may_not_use_fails(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key")
    _hand_built_task(stack, grant=True, key=key)
    (finding,) = _findings(stack)
    assert "may not kms:Decrypt" in finding.message
