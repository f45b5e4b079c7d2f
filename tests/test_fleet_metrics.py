"""The Fargate fleets' metrics: ``metric_*`` take CloudWatch's metric options, and the
target-tracking policy (written as CloudFormation spells it) scales on the very metrics the
fleet exposes and draws."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns import QueueWorkerFleet, StreamWorkerFleet
from tests.helpers import by_path, new_app

IMAGE = ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim")


class Built:
    def __init__(self) -> None:
        self.stack = cdk.Stack(new_app(), "Test")
        vpc = ec2.Vpc(self.stack, "Vpc", max_azs=2, nat_gateways=1)
        cluster = ecs.Cluster(
            self.stack, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
        )
        self.queue_fleet = QueueWorkerFleet(
            self.stack,
            "Workers",
            queue=sqs.Queue(self.stack, "Jobs", visibility_timeout=Duration.minutes(2)),
            cluster=cluster,
            image=IMAGE,
            processing_time=Duration.seconds(60),
            acceptable_latency=Duration.minutes(10),
        )
        self.stream_fleet = StreamWorkerFleet(
            self.stack,
            "Readers",
            stream=kinesis.Stream(self.stack, "Stream", shard_count=2),
            cluster=cluster,
            image=IMAGE,
        )
        self.template = Template.from_stack(self.stack)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def _stat(stack: cdk.Stack, metric: cloudwatch.IMetric) -> dict[str, Any]:
    """A metric as target tracking spells it, from the metric itself."""
    stat = metric.to_metric_config().metric_stat
    assert stat is not None
    return {
        "Stat": stat.statistic,
        "Metric": {
            "Namespace": stat.namespace,
            "MetricName": stat.metric_name,
            "Dimensions": [
                {"Name": dimension.name, "Value": stack.resolve(dimension.value)}
                for dimension in stat.dimensions or []
            ],
        },
    }


def test_backlog_scaling_uses_the_metrics_the_fleet_exposes(built: Built) -> None:
    policy = by_path(
        built.template,
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "Workers/BacklogPerWorkerScaling",
    )
    metrics = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"][
        "CustomizedMetricSpecification"
    ]["Metrics"]
    queries = {query["Id"]: query for query in metrics}
    using = built.queue_fleet.backlog_per_worker.using_metrics
    assert set(using) == {"visible", "running"}
    for name, metric in using.items():
        assert queries[name]["MetricStat"] == _stat(built.stack, metric), name


def test_metric_millis_behind_latest_takes_metric_options(built: Built) -> None:
    metric = built.stream_fleet.metric_millis_behind_latest(
        statistic="p99", period=Duration.minutes(5), label="Lag"
    )
    assert (metric.statistic, metric.period.to_minutes(), metric.label) == ("p99", 5, "Lag")
    assert metric.metric_name == "MillisBehindLatest"
    assert metric.dimensions == {"Operation": "ApplicationLevelMetrics"}
    default = built.stream_fleet.metric_millis_behind_latest()
    assert (default.statistic, default.period.to_minutes()) == ("Maximum", 1)


def test_metric_running_workers_takes_metric_options(built: Built) -> None:
    metric = built.stream_fleet.metric_running_workers(statistic="Minimum", label="Workers")
    assert (metric.namespace, metric.metric_name) == ("ECS/ContainerInsights", "RunningTaskCount")
    assert (metric.statistic, metric.label, metric.period.to_minutes()) == ("Minimum", "Workers", 1)
    assert set(metric.dimensions or {}) == {"ClusterName", "ServiceName"}
