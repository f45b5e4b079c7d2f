"""QueueWorkerFleet inputs: the queue it takes (a pattern or any ``sqs.IQueue``), the subnets it
refuses, whole numbers, and the compliance gate on a plain app with a fleet."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from patterns import QueueWithDeadLetterQueue, QueueWorkerFleet
from tests.helpers import arn, by_path, new_app, ref

IMAGE = "public.ecr.aws/docker/library/python:3.13-slim"
TASK = "AWS::ECS::TaskDefinition"


def _fleet(stack: cdk.Stack, queue: object, **options: Any) -> QueueWorkerFleet:
    if "cluster" not in options:
        vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
        options["cluster"] = ecs.Cluster(
            stack, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
        )
    return QueueWorkerFleet(
        stack,
        "Fleet",
        queue=queue,  # type: ignore[arg-type]
        image=ecs.ContainerImage.from_registry(IMAGE),
        processing_time=Duration.seconds(20),
        acceptable_latency=Duration.minutes(5),
        **options,
    )


def _environment(template: Template) -> dict[str, Any]:
    task = by_path(template, TASK, "Fleet/TaskDefinition/Resource")
    (container,) = task["Properties"]["ContainerDefinitions"]
    return {item["Name"]: item["Value"] for item in container["Environment"]}


# --- the queue ------------------------------------------------------------------------------


def test_a_plain_queue_is_drained_and_granted() -> None:
    stack = cdk.Stack(new_app(), "Plain")
    queue = sqs.Queue(stack, "Videos", visibility_timeout=Duration.minutes(3))
    _fleet(stack, queue)
    template = Template.from_stack(stack)
    environment = _environment(template)
    assert environment["QUEUE_URL"] == ref(template, "AWS::SQS::Queue", "Videos/Resource")
    assert environment["PROTECTION_MINUTES"] == "3"
    policy = by_path(template, "AWS::IAM::ManagedPolicy", "Fleet/TaskRole/Policy/Resource")
    (consume,) = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "sqs:ReceiveMessage" in s["Action"]
    ]
    assert consume["Resource"] == arn(template, "AWS::SQS::Queue", "Videos/Resource")


def test_a_plain_queues_visibility_timeout_is_checked() -> None:
    stack = cdk.Stack(new_app(), "Plain")
    queue = sqs.Queue(stack, "Videos", visibility_timeout=Duration.seconds(10))
    with pytest.raises(ValueError, match=r"processing_time \(20 s\) is longer than the queue's"):
        _fleet(stack, queue)


def test_an_imported_queue_warns_and_protects_for_the_longest_visibility() -> None:
    stack = cdk.Stack(new_app(), "Imported")
    queue = sqs.Queue.from_queue_arn(stack, "Videos", "arn:aws:sqs:eu-west-1:123456789012:videos")
    _fleet(stack, queue)
    assert _environment(Template.from_stack(stack))["PROTECTION_MINUTES"] == "720"
    Annotations.from_stack(stack).has_warning(
        "/Imported/Fleet",
        Match.string_like_regexp(r"visibility timeout of Imported/Videos is unknown at synth"),
    )


def test_what_is_no_queue_is_refused_naming_what_is_expected() -> None:
    stack = cdk.Stack(new_app(), "Wrong")
    with pytest.raises(
        ValueError,
        match=r"queue must be a QueueWithDeadLetterQueue or an sqs\.IQueue \(sqs\.Queue, "
        r"sqs\.Queue\.from_queue_arn\(\.\.\.\)\), got str",
    ):
        _fleet(stack, "https://sqs.eu-west-1.amazonaws.com/123456789012/videos")


# --- subnets --------------------------------------------------------------------------------


def _queue(stack: cdk.Stack) -> QueueWithDeadLetterQueue:
    return QueueWithDeadLetterQueue(stack, "Videos", visibility_timeout=Duration.minutes(2))


def test_public_subnets_are_refused() -> None:
    stack = cdk.Stack(new_app(), "Public")
    with pytest.raises(
        ValueError,
        match=r"vpc_subnets selects public subnets \(2 of 2\); the workers never get a public "
        r"IP .*could pull no image.*SubnetType\.PRIVATE_WITH_EGRESS",
    ):
        _fleet(
            stack,
            _queue(stack),
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        )


def test_public_subnets_set_after_construction_fail_synth() -> None:
    stack = cdk.Stack(new_app(), "Hatch")
    fleet = _fleet(stack, _queue(stack))
    vpc = fleet.service.cluster.vpc
    service = fleet.service.node.default_child
    assert isinstance(service, ecs.CfnService)
    service.add_property_override(
        "NetworkConfiguration.AwsvpcConfiguration.Subnets",
        [subnet.subnet_id for subnet in vpc.public_subnets],
    )
    # The override is what CloudFormation gets; the L1's own value is what synth can read.
    service.network_configuration = ecs.CfnService.NetworkConfigurationProperty(
        awsvpc_configuration=ecs.CfnService.AwsVpcConfigurationProperty(
            subnets=[subnet.subnet_id for subnet in vpc.public_subnets],
            assign_public_ip="DISABLED",
        )
    )
    with pytest.raises(RuntimeError, match=r"Hatch/Fleet/Service run in public subnets without"):
        Template.from_stack(stack)


def test_isolated_subnets_are_accepted() -> None:
    stack = cdk.Stack(new_app(), "Isolated")
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Work", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
    )
    cluster = ecs.Cluster(
        stack, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
    )
    _fleet(
        stack,
        _queue(stack),
        cluster=cluster,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
    )
    Template.from_stack(stack).resource_count_is("AWS::ECS::Service", 1)


# --- whole numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("max_workers", 10.5, r"max_workers must be a whole number between 1 and 5000, got 10\.5"),
        ("min_workers", 0.5, r"min_workers must be a whole number between 0 and 10, got 0\.5"),
        ("cpu", 256.0, r"cpu must be one of 256, 512, .* got 256\.0"),
        ("memory_limit_mib", 512.0, r"memory_limit_mib 512\.0 is not a Fargate size for cpu 256"),
    ],
)
def test_counts_and_sizes_are_whole_numbers(option: str, value: float, message: str) -> None:
    stack = cdk.Stack(new_app(), "Numbers")
    with pytest.raises(ValueError, match=message):
        _fleet(stack, _queue(stack), **{option: value})


# --- the compliance gate --------------------------------------------------------------------


def _gate_app(tmp_path: Path, **options: Any) -> list[Any]:
    from patterns.alarm_topic import AlarmTopic
    from patterns.compliance import apply_compliance_checks
    from tools.compliance import read_findings

    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Gate")
    alarms = AlarmTopic(stack, "Alarms")
    queue = QueueWithDeadLetterQueue(
        stack, "Videos", visibility_timeout=Duration.minutes(2), alarm_actions=[alarms.action]
    )
    _fleet(stack, queue, **options)
    apply_compliance_checks(app)
    # The plain VPC of this app has findings of its own (flow logs, ...): the fleet's are read.
    with contextlib.suppress(RuntimeError):
        app.synth()
    return [
        finding
        for finding in read_findings(tmp_path)
        if not finding.acknowledged_id and finding.path.startswith("Gate/Fleet/")
    ]


def test_the_gate_finds_nothing_open_on_a_plain_fleet(tmp_path: Path) -> None:
    assert _gate_app(tmp_path) == []


def _acknowledged(construct: Any) -> set[str]:
    from aws_cdk import Validations

    return {
        rule_id
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule_id in entry.data
    }


def test_variables_of_the_users_are_the_users_to_acknowledge() -> None:
    # Documented on the option: only the user knows their values hold no secret. (Without
    # them the fleet acknowledges the rule itself: the gate test above finds nothing open.)
    stack = cdk.Stack(new_app(), "UserEnv")
    users = _fleet(stack, _queue(stack), environment={"CODEC": "h264"})
    assert "AwsSolutions::AwsSolutions-ECS2" not in _acknowledged(users.task_definition)


def test_processing_time_beyond_the_longest_visibility_timeout_is_refused() -> None:
    # With an imported queue the visibility timeout is unknown, but never above 12 hours.
    stack = cdk.Stack(new_app(), "Long")
    queue = sqs.Queue.from_queue_arn(stack, "Videos", "arn:aws:sqs:eu-west-1:123456789012:videos")
    with pytest.raises(
        ValueError,
        match=r"processing_time \(13 hours\) is longer than 12 hours, SQS's longest visibility",
    ):
        QueueWorkerFleet(
            stack,
            "Fleet",
            queue=queue,
            cluster=ecs.Cluster(
                stack,
                "Cluster",
                vpc=ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1),
                container_insights_v2=ecs.ContainerInsights.ENABLED,
            ),
            image=ecs.ContainerImage.from_registry(IMAGE),
            processing_time=Duration.hours(13),
            acceptable_latency=Duration.hours(26),
        )


def test_an_unknown_subnet_group_is_a_value_error() -> None:
    stack = cdk.Stack(new_app(), "Group")
    with pytest.raises(
        ValueError,
        match=r"vpc_subnets selects no subnets of the cluster's VPC: There are no subnet groups "
        r"with name 'Workers'",
    ):
        _fleet(stack, _queue(stack), vpc_subnets=ec2.SubnetSelection(subnet_group_name="Workers"))


def test_environment_values_are_strings() -> None:
    stack = cdk.Stack(new_app(), "Env")
    with pytest.raises(ValueError, match=r"environment maps names to strings .*WORKERS"):
        _fleet(stack, _queue(stack), environment={"WORKERS": 4})
