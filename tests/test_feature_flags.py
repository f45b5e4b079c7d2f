"""Our constructs synthesize the same with no feature flags as with those of ``cdk.json``.

An app started without ``cdk init`` has no flags; one started with it has the flags of its CDK
version. The only difference allowed is how IAM lays out policy statements
(``@aws-cdk/aws-iam:minimizePolicies`` merges them and sorts actions): the same grants,
checked statement by statement. What a flag would change otherwise, the construct pins for its
own subtree (``patterns.feature_flags``).
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs

from patterns import (
    AmazonMqBroker,
    KinesisToFirehoseToS3,
    QueueWithDeadLetterQueue,
    QueueWorkerFleet,
    S3EventFanOut,
    SnsToSqsFanOut,
)
from patterns.feature_flags import ECS_SERVICE_FLAGS
from tests.helpers import CDK_CONTEXT, PATH_METADATA, inline_function


def _build(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, restrict_default_security_group=False)
    work = QueueWithDeadLetterQueue(stack, "Work", visibility_timeout=Duration.minutes(2))
    orders = SnsToSqsFanOut(stack, "Orders")
    billing = orders.add_queue("Billing").queue_with_dead_letter_queue
    assert billing is not None
    # The function's own log group: without it, whether CDK makes one is a flag of its own.
    logs_group = logs.LogGroup(stack, "BillingFunctionLogs")
    billing.add_lambda_consumer(inline_function(stack, "BillingFunction", log_group=logs_group))
    S3EventFanOut(stack, "Uploads").add_queue("Thumbnails")
    KinesisToFirehoseToS3(stack, "Trucks")
    AmazonMqBroker(stack, "Broker", vpc=vpc, single_instance=True)
    QueueWorkerFleet(
        stack,
        "Fleet",
        queue=work,
        cluster=ecs.Cluster(
            stack, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
        ),
        image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13"),
        processing_time=Duration.seconds(60),
        acceptable_latency=Duration.minutes(10),
    )


def _template(context: dict[str, Any]) -> dict[str, Any]:
    stack = cdk.Stack(cdk.App(context={**context, **PATH_METADATA}), "Flags")
    _build(stack)
    return dict(cdk.assertions.Template.from_stack(stack).to_json())


@pytest.fixture(scope="module")
def templates() -> tuple[dict[str, Any], dict[str, Any]]:
    return _template({}), _template(CDK_CONTEXT)


def _differences(bare: Any, flagged: Any, path: str = "") -> list[str]:
    if isinstance(bare, dict) and isinstance(flagged, dict):
        found: list[str] = []
        for key in sorted(set(bare) | set(flagged)):
            if key not in bare or key not in flagged:
                found.append(f"{path}/{key}")
            else:
                found += _differences(bare[key], flagged[key], f"{path}/{key}")
        return found
    return [] if bare == flagged else [path]


def _grants(statements: list[dict[str, Any]]) -> set[str]:
    """Each statement as (effect, principal, action, resource, condition) atoms."""
    atoms = set()
    for statement in statements:
        actions = statement.get("Action")
        resources = statement.get("Resource")
        for action in actions if isinstance(actions, list) else [actions]:
            for resource in resources if isinstance(resources, list) else [resources]:
                atoms.add(
                    json.dumps(
                        [
                            statement.get("Effect"),
                            statement.get("Principal"),
                            action,
                            resource,
                            statement.get("Condition"),
                        ],
                        sort_keys=True,
                    )
                )
    return atoms


def _at(template: dict[str, Any], path: str) -> Any:
    node: Any = template
    for key in path.strip("/").split("/"):
        node = node[key]
    return node


def test_only_the_layout_of_policy_statements_differs_and_they_grant_the_same(
    templates: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    bare, flagged = templates
    differences = _differences(bare, flagged)
    assert differences, "no difference at all: the test would not notice a flag"
    for path in differences:
        assert path.endswith("/Statement"), f"{path} differs with the flags of cdk.json"
        assert _grants(_at(bare, path)) == _grants(_at(flagged, path)), path


def test_the_worker_fleet_service_is_the_same_without_flags(
    templates: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    bare, flagged = templates
    (service, other) = (
        next(r for r in t["Resources"].values() if r["Type"] == "AWS::ECS::Service")
        for t in (bare, flagged)
    )
    assert service == other
    properties = service["Properties"]
    assert "DeploymentController" not in properties
    assert "Alarms" not in properties["DeploymentConfiguration"]
    assert set(ECS_SERVICE_FLAGS) <= set(CDK_CONTEXT)
    assert all(CDK_CONTEXT[flag] == value for flag, value in ECS_SERVICE_FLAGS.items())
