"""What ``QueueWorkerFleet`` refuses or warns about: its options, the queue's visibility
timeout, Fargate's task sizes, private subnets (also over the final tree), Container
Insights."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import Annotations, Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IValidation

from patterns.validation import check_whole_number, seconds_of

# ECS: tasks per service (default quota).
MAX_WORKERS_RANGE = (1, 5000)
# Task scale-in protection lasts 1 minute to 48 hours (ExpiresInMinutes).
PROTECTION_MINUTES_RANGE = (1, 2880)
# SQS's longest visibility timeout (12 hours): how long a worker protects itself when the
# queue's own timeout is unknown (an imported queue); it clears protection after each message.
MAX_VISIBILITY_MINUTES = 720
# Fargate task sizes: CPU units -> allowed memory (MiB).
FARGATE_MEMORY: dict[int, range | tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: range(1024, 4096 + 1, 1024),
    1024: range(2048, 8192 + 1, 1024),
    2048: range(4096, 16384 + 1, 1024),
    4096: range(8192, 30720 + 1, 1024),
    8192: range(16384, 61440 + 1, 4096),
    16384: range(32768, 122880 + 1, 8192),
}


def validate(
    *,
    processing_time: Duration,
    acceptable_latency: Duration,
    min_workers: int,
    max_workers: int,
    cpu: int,
    memory_limit_mib: int,
    visibility_seconds: float | None,
    environment: Mapping[str, str] | None,
) -> float:
    """Check the options; return the acceptable backlog per worker."""
    check_whole_number("max_workers", max_workers, *MAX_WORKERS_RANGE)
    check_whole_number("min_workers", min_workers, 0, max_workers)
    if isinstance(cpu, bool) or not isinstance(cpu, int) or cpu not in FARGATE_MEMORY:
        raise ValueError(
            f"cpu must be one of {', '.join(map(str, FARGATE_MEMORY))} (Fargate CPU units), "
            f"got {cpu}"
        )
    allowed = FARGATE_MEMORY[cpu]
    if (
        isinstance(memory_limit_mib, bool)
        or not isinstance(memory_limit_mib, int)
        or memory_limit_mib not in allowed
    ):
        shown = (
            f"{allowed.start} to {allowed.stop - 1} in steps of {allowed.step}"
            if isinstance(allowed, range)
            else ", ".join(map(str, allowed))
        )
        raise ValueError(
            f"memory_limit_mib {memory_limit_mib} is not a Fargate size for cpu {cpu}: "
            f"allowed {shown} MiB"
        )
    wrong = sorted(
        name
        for name, value in (environment or {}).items()
        if not isinstance(name, str) or not isinstance(value, str)
    )
    if wrong:
        raise ValueError(
            f"environment maps names to strings (ECS passes text); {', '.join(map(str, wrong))} "
            "has another type: convert it with str(...)"
        )
    reserved = sorted({"QUEUE_URL", "PROTECTION_MINUTES"} & set(environment or {}))
    if reserved:
        raise ValueError(
            f"environment may not set {', '.join(reserved)}: the fleet sets them for the worker"
        )
    processing, latency = seconds_of(processing_time), seconds_of(acceptable_latency)
    if processing is None or latency is None:
        raise ValueError(
            "processing_time and acceptable_latency must be known at synth (not tokens): "
            "they set the scaling target"
        )
    if processing <= 0:
        raise ValueError(
            f"processing_time must be positive, got {processing_time.to_human_string()}"
        )
    if processing > MAX_VISIBILITY_MINUTES * 60:
        raise ValueError(
            f"processing_time ({processing_time.to_human_string()}) is longer than 12 hours, "
            "SQS's longest visibility timeout: every message would become visible again while "
            "a worker still works on it. Split the work into messages that take less"
        )
    if latency < processing:
        raise ValueError(
            f"acceptable_latency ({acceptable_latency.to_human_string()}) must be at least "
            f"processing_time ({processing_time.to_human_string()}): the acceptable backlog "
            "per worker, their ratio, must be at least one message"
        )
    if visibility_seconds is not None and processing > visibility_seconds:
        raise ValueError(
            f"processing_time ({processing:g} s) is longer than the queue's visibility_timeout "
            f"({visibility_seconds:g} s): a message would become visible again while a worker "
            "still works on it and be processed twice. Raise the queue's visibility_timeout"
        )
    return latency / processing


def worker_protection_minutes(
    scope: Construct, queue: sqs.IQueue, visibility_seconds: float | None
) -> int:
    """How long a worker protects itself while it holds a message: as long as the message
    stays hidden from the others (the visibility timeout), in whole minutes."""
    if visibility_seconds is None:
        Annotations.of(scope).add_warning_v2(
            "patterns:WorkerQueueVisibilityUnknown",
            f"The visibility timeout of {queue.node.path} is unknown at synth (an imported "
            "queue): processing_time could not be checked against it, and workers protect "
            f"themselves from scale-in for up to {MAX_VISIBILITY_MINUTES} minutes (SQS's "
            "longest visibility timeout) while they hold a message. Make sure processing_time "
            "is within the queue's visibility timeout.",
        )
        return MAX_VISIBILITY_MINUTES
    return max(
        PROTECTION_MINUTES_RANGE[0],
        min(PROTECTION_MINUTES_RANGE[1], math.ceil(visibility_seconds / 60)),
    )


def _public_subnets_error(subnet_ids: Sequence[str], vpc: ec2.IVpc) -> str | None:
    public = {subnet.subnet_id for subnet in vpc.public_subnets}
    chosen = [subnet_id for subnet_id in subnet_ids if subnet_id in public]
    if not chosen:
        return None
    return (
        f"vpc_subnets selects public subnets ({len(chosen)} of {len(subnet_ids)}); the workers "
        "never get a public IP (assign_public_ip is off), so there they could pull no image, "
        "write no log and reach no queue. Select private subnets: "
        "ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS) (behind a NAT "
        "gateway), or PRIVATE_ISOLATED with VPC endpoints for ECR, S3, CloudWatch Logs and SQS"
    )


def check_private_subnets(cluster: ecs.ICluster, selection: ec2.SubnetSelection) -> None:
    try:
        selected = cluster.vpc.select_subnets(
            availability_zones=selection.availability_zones,
            one_per_az=selection.one_per_az,
            subnet_filters=selection.subnet_filters,
            subnet_group_name=selection.subnet_group_name,
            subnets=selection.subnets,
            subnet_type=selection.subnet_type,
        )
    except RuntimeError as failure:  # CDK's own reason, as the ValueError of this argument
        reason = str(failure).split(": ", 1)[-1]
        raise ValueError(f"vpc_subnets selects no subnets of the cluster's VPC: {reason}") from None
    error = _public_subnets_error(list(selected.subnet_ids), cluster.vpc)
    if error is not None:
        raise ValueError(error)


@jsii.implements(IValidation)
class PrivateSubnets:
    """At synth: the service still runs in private subnets, or with a public IP."""

    def __init__(self, cluster: ecs.ICluster, service: ecs.FargateService) -> None:
        self._cluster, self._service = cluster, service

    def validate(self) -> list[str]:
        resource = self._service.node.default_child
        if not isinstance(resource, ecs.CfnService):
            return []
        network = Stack.of(resource).resolve(resource.network_configuration) or {}
        awsvpc = network.get("awsvpcConfiguration") or {} if isinstance(network, dict) else {}
        if not isinstance(awsvpc, dict) or awsvpc.get("assignPublicIp") == "ENABLED":
            return []
        resolve = Stack.of(resource).resolve
        subnets = [resolve(subnet_id) for subnet_id in awsvpc.get("subnets") or []]
        public = [resolve(subnet.subnet_id) for subnet in self._cluster.vpc.public_subnets]
        if not any(subnet in public for subnet in subnets):
            return []
        return [
            f"the workers of {self._service.node.path} run in public subnets without a public "
            "IP: they could pull no image and reach no queue. Select private subnets "
            "(PRIVATE_WITH_EGRESS, or PRIVATE_ISOLATED with VPC endpoints for ECR, S3, "
            "CloudWatch Logs and SQS)"
        ]


def check_container_insights(scope: Construct, cluster: ecs.ICluster) -> None:
    resource = cluster.node.default_child
    if not isinstance(resource, ecs.CfnCluster):
        Annotations.of(scope).add_warning_v2(
            "patterns:ContainerInsightsUnknown",
            "The backlog per worker divides by Container Insights' RunningTaskCount: make sure "
            "Container Insights is on for this imported cluster, or the fleet scales as if one "
            "worker ran.",
        )
        return
    settings = resource.cluster_settings
    enabled = isinstance(settings, list) and any(
        _setting_value(setting) in ("enabled", "enhanced") for setting in settings
    )
    if not enabled:
        raise ValueError(
            f"cluster {cluster.node.path} has Container Insights off; the backlog per worker "
            "divides by its RunningTaskCount. Create the cluster with "
            "container_insights_v2=ecs.ContainerInsights.ENABLED (or ENHANCED)"
        )


def _setting_value(setting: object) -> str | None:
    if isinstance(setting, ecs.CfnCluster.ClusterSettingsProperty):
        return setting.value if setting.name == "containerInsights" else None
    if isinstance(setting, dict) and setting.get("name") == "containerInsights":
        value = setting.get("value")
        return value if isinstance(value, str) else None
    return None
