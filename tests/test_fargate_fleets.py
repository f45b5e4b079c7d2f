"""What both Fargate fleets refuse through ``patterns.consumers.fargate``: subnets are resolved
against the cluster's VPC (any selection of public subnets, not only ``SubnetType.PUBLIC``),
checked again over the final tree, and task sizes must be whole CPU units and MiB."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns import QueueWorkerFleet, StreamWorkerFleet
from tests.helpers import new_app

IMAGE = ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/amazoncorretto:21")


def _cluster(stack: cdk.Stack) -> ecs.Cluster:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, restrict_default_security_group=False)
    return ecs.Cluster(
        stack, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
    )


def _stream_fleet(stack: cdk.Stack, **options: Any) -> StreamWorkerFleet:
    return StreamWorkerFleet(
        stack,
        "Fleet",
        stream=kinesis.Stream(stack, "Stream", shard_count=2),
        cluster=_cluster(stack),
        image=IMAGE,
        **options,
    )


def _queue_fleet(stack: cdk.Stack, **options: Any) -> QueueWorkerFleet:
    return QueueWorkerFleet(
        stack,
        "Fleet",
        queue=sqs.Queue(stack, "Queue", visibility_timeout=Duration.minutes(2)),
        cluster=_cluster(stack),
        image=IMAGE,
        processing_time=Duration.seconds(30),
        acceptable_latency=Duration.minutes(5),
        **options,
    )


FLEETS = [pytest.param(_stream_fleet, id="stream"), pytest.param(_queue_fleet, id="queue")]


@pytest.mark.parametrize("build", FLEETS)
def test_public_subnets_chosen_by_group_name_are_refused(build: Any) -> None:
    stack = cdk.Stack(new_app(), "Public")
    with pytest.raises(
        ValueError, match=r"vpc_subnets selects public subnets \(2 of 2\); the workers never"
    ):
        build(stack, vpc_subnets=ec2.SubnetSelection(subnet_group_name="Public"))


def test_the_stream_fleets_message_names_what_its_workers_reach() -> None:
    stack = cdk.Stack(new_app(), "Public")
    with pytest.raises(ValueError, match=r"reach no stream.*Kinesis Data Streams, DynamoDB"):
        _stream_fleet(stack, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC))


@pytest.mark.parametrize("build", FLEETS)
def test_public_subnets_set_after_construction_fail_synth(build: Any) -> None:
    stack = cdk.Stack(new_app(), "Hatch")
    fleet = build(stack)
    service = fleet.service.node.default_child
    assert isinstance(service, ecs.CfnService)
    service.network_configuration = ecs.CfnService.NetworkConfigurationProperty(
        awsvpc_configuration=ecs.CfnService.AwsVpcConfigurationProperty(
            subnets=[subnet.subnet_id for subnet in fleet.service.cluster.vpc.public_subnets],
            assign_public_ip="DISABLED",
        )
    )
    with pytest.raises(RuntimeError, match=r"Hatch/Fleet/Service run in public subnets without"):
        Template.from_stack(stack)


@pytest.mark.parametrize("build", FLEETS)
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cpu": 512.0, "memory_limit_mib": 1024}, "cpu must be one of"),
        ({"cpu": True}, "cpu must be one of"),
        ({"cpu": 512, "memory_limit_mib": 1024.0}, "memory_limit_mib 1024.0 is not a Fargate"),
    ],
)
def test_task_sizes_are_whole_numbers(build: Any, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build(cdk.Stack(new_app(), "Sizes"), **options)
