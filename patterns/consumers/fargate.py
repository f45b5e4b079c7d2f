"""What the Fargate fleets share (:class:`~patterns.QueueWorkerFleet`,
:class:`~patterns.StreamWorkerFleet`): task sizes, private subnets (also over the final tree),
the Container Insights check, the workers' task, service and scalable target, the running-task
metric, and the attributes every fleet exposes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Unpack

import jsii
from aws_cdk import Annotations, Duration, Stack
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct, IValidation

from patterns.compliance import acknowledge
from patterns.consumers.common import create_encrypted_log_group
from patterns.limits import (
    ECS_TASKS_PER_SERVICE_MAX,
    FARGATE_STOP_TIMEOUT_MAX_SECONDS,
    FARGATE_TASK_MEMORY_MIB,
)
from patterns.metric_options import AVERAGE, MetricOptions
from patterns.roles import ManagedPolicyRole
from patterns.subnets import selected_subnets
from patterns.validation import check_whole_number

MAX_WORKERS_RANGE = (1, ECS_TASKS_PER_SERVICE_MAX)
# The longest a worker may take to stop after SIGTERM: Fargate's maximum.
STOP_TIMEOUT = Duration.seconds(FARGATE_STOP_TIMEOUT_MAX_SECONDS)
METRIC_PERIOD = Duration.minutes(1)


@dataclass(frozen=True)
class WorkerOptions:
    """The options of the workers' container every fleet takes, as its constructor takes
    them (each fleet documents their defaults)."""

    image: ecs.ContainerImage
    cpu: int
    memory_limit_mib: int
    environment: Mapping[str, str] | None
    entry_point: Sequence[str] | None
    command: Sequence[str] | None
    log_retention: logs.RetentionDays

    def check(self, reserved_environment: Sequence[str]) -> None:
        """A Fargate task size, and an environment of strings that sets none of the
        variables the fleet sets itself (``reserved_environment``)."""
        check_task_size(self.cpu, self.memory_limit_mib)
        check_environment(self.environment, reserved_environment)


def check_workers(min_workers: int, max_workers: int | None, *, lowest: int) -> None:
    """Whole numbers of workers: ``max_workers`` (when given) within ECS's tasks per
    service, ``min_workers`` from ``lowest`` to it."""
    if max_workers is not None:
        check_whole_number("max_workers", max_workers, *MAX_WORKERS_RANGE)
    ceiling = MAX_WORKERS_RANGE[1] if max_workers is None else max_workers
    check_whole_number("min_workers", min_workers, lowest, ceiling)


def check_environment(environment: Mapping[str, str] | None, reserved: Sequence[str]) -> None:
    """The user's ``environment``: names to strings (ECS passes text), none of the names the
    fleet sets itself (``reserved``)."""
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
    taken = sorted(set(reserved) & set(environment or {}))
    if taken:
        raise ValueError(
            f"environment may not set {', '.join(taken)}: the fleet sets them for the workers"
        )


def check_task_size(cpu: int, memory_limit_mib: int) -> None:
    """Raise ``ValueError`` unless ``cpu`` and ``memory_limit_mib`` are a Fargate task size."""
    if isinstance(cpu, bool) or not isinstance(cpu, int) or cpu not in FARGATE_TASK_MEMORY_MIB:
        raise ValueError(
            f"cpu must be one of {', '.join(map(str, FARGATE_TASK_MEMORY_MIB))} (Fargate CPU "
            f"units), got {cpu}"
        )
    allowed = FARGATE_TASK_MEMORY_MIB[cpu]
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


def check_private_subnets(
    cluster: ecs.ICluster, vpc_subnets: ec2.SubnetSelection | None, *, reaches: str, endpoints: str
) -> tuple[ec2.SubnetSelection, list[str]]:
    """Refuse a selection of the cluster VPC's public subnets: the workers never get a public
    IP, so there they could not pull their image or reach AWS. Return the selection, by
    default the private subnets with egress, and the IDs of the VPC's public subnets (for
    :class:`PrivateSubnets`).

    :param reaches: what the workers read, for the message (``"queue"``).
    :param endpoints: the services they call besides ECR, S3 and CloudWatch Logs, for the
        message (``"SQS"``).
    """
    selection = vpc_subnets or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
    vpc = cluster.vpc
    selected = selected_subnets(vpc, selection, whose="the cluster's VPC")
    subnet_ids = list(selected.subnet_ids)
    public = [subnet.subnet_id for subnet in vpc.public_subnets]
    chosen = [subnet_id for subnet_id in subnet_ids if subnet_id in public]
    if chosen:
        raise ValueError(
            f"vpc_subnets selects public subnets ({len(chosen)} of {len(subnet_ids)}); the "
            "workers never get a public IP (assign_public_ip is off), so there they could pull "
            f"no image, write no log and reach no {reaches}. Select private subnets: "
            "ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS) (behind a NAT "
            "gateway), or PRIVATE_ISOLATED with VPC endpoints for ECR, S3, CloudWatch Logs and "
            f"{endpoints}"
        )
    return selection, public


@jsii.implements(IValidation)
class PrivateSubnets:
    """At synth: the service still runs in private subnets, or with a public IP (subnets can
    be changed through the service's L1 after construction)."""

    def __init__(
        self,
        service: ecs.FargateService,
        public_subnet_ids: Sequence[str],
        *,
        reaches: str,
        endpoints: str,
    ) -> None:
        self._service, self._public_subnet_ids = service, list(public_subnet_ids)
        self._reaches, self._endpoints = reaches, endpoints

    def validate(self) -> list[str]:
        resource = self._service.node.default_child
        if not isinstance(resource, ecs.CfnService):
            return []
        # One resolve for both: the service's network (its subnets resolved with it) and
        # the VPC's public subnets.
        network, public = Stack.of(resource).resolve(
            [resource.network_configuration, self._public_subnet_ids]
        )
        awsvpc = network.get("awsvpcConfiguration") or {} if isinstance(network, dict) else {}
        if not isinstance(awsvpc, dict) or awsvpc.get("assignPublicIp") == "ENABLED":
            return []
        subnets = awsvpc.get("subnets") or []
        if not any(subnet in public for subnet in subnets):
            return []
        return [
            f"the workers of {self._service.node.path} run in public subnets without a public "
            f"IP: they could pull no image and reach no {self._reaches}. Select private "
            "subnets (PRIVATE_WITH_EGRESS, or PRIVATE_ISOLATED with VPC endpoints for ECR, S3, "
            f"CloudWatch Logs and {self._endpoints})"
        ]


@jsii.implements(IValidation)
class AllOf:
    """One validation callback for several checks of a construct (each a ``validate``
    method returning its errors): a callback is a round trip at synth."""

    def __init__(self, *checks: IValidation) -> None:
        self._checks = checks

    def validate(self) -> list[str]:
        return [error for check in self._checks for error in check.validate()]


def check_container_insights(
    scope: Construct, cluster: ecs.ICluster, needed_for: str, *, otherwise: str = ""
) -> None:
    """Raise when a cluster of this app has Container Insights off; warn for an imported one.

    :param needed_for: what reads ``RunningTaskCount``, for the messages ("the backlog per
        worker").
    :param otherwise: what happens without it, ending the warning (", or ...").
    """
    resource = cluster.node.default_child
    if not isinstance(resource, ecs.CfnCluster):
        Annotations.of(scope).add_warning_v2(
            "patterns:ContainerInsightsUnknown",
            f"{needed_for[:1].upper()}{needed_for[1:]} reads Container Insights' "
            "RunningTaskCount: make sure Container Insights is on for this imported "
            f"cluster{otherwise}.",
        )
        return
    settings = resource.cluster_settings
    enabled = isinstance(settings, list) and any(
        _setting_value(setting) in ("enabled", "enhanced") for setting in settings
    )
    if not enabled:
        raise ValueError(
            f"cluster {cluster.node.path} has Container Insights off; {needed_for} reads its "
            "RunningTaskCount. Create the cluster with "
            "container_insights_v2=ecs.ContainerInsights.ENABLED (or ENHANCED)"
        )


def _setting_value(setting: object) -> str | None:
    if isinstance(setting, ecs.CfnCluster.ClusterSettingsProperty):
        return setting.value if setting.name == "containerInsights" else None
    if isinstance(setting, dict) and setting.get("name") == "containerInsights":
        value = setting.get("value")
        return value if isinstance(value, str) else None
    return None


def acknowledge_own_environment(
    task_definition: ecs.TaskDefinition, user_environment: Mapping[str, str] | None, holds: str
) -> None:
    """cdk-nag's AwsSolutions-ECS2 (environment variables) on a fleet's task, when the only
    variables are the fleet's own (``holds`` says what they are): variables of the user's are
    the user's to judge, so then the acknowledgement is theirs."""
    if user_environment:
        return
    acknowledge(
        task_definition,
        "AwsSolutions::AwsSolutions-ECS2",
        f"The environment holds only {holds} that the fleet sets, no secret; secrets belong "
        "in ecs.Secret (add_secret).",
    )


def worker_service(
    scope: Construct,
    *,
    path: str,
    cluster: ecs.ICluster,
    workers: WorkerOptions,
    task_role: iam.IRole,
    own_environment: Mapping[str, str],
    holds: str,
    vpc_subnets: ec2.SubnetSelection,
) -> tuple[ecs.FargateTaskDefinition, ecs.FargateService, logs.ILogGroup]:
    """The workers' task definition (container ``"Worker"``, read-only root, ``/tmp`` scratch
    volume, encrypted logs), and their Fargate service in ``vpc_subnets`` (see
    :func:`check_private_subnets`) with no public IP, rolled back by the deployment circuit
    breaker.

    :param path: the fleet's construct path (``scope.node.path``, read once by the fleet).
    :param own_environment: the variables the fleet sets, after the user's.
    :param holds: what ``own_environment`` holds, for cdk-nag's AwsSolutions-ECS2
        acknowledgement (see :func:`acknowledge_own_environment`).
    """
    execution_role = ManagedPolicyRole(
        scope,
        "ExecutionRole",
        assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
        description=f"ECS pulls the image and writes the logs of {path}",
    )
    task_definition = ecs.FargateTaskDefinition(
        scope,
        "TaskDefinition",
        cpu=workers.cpu,
        memory_limit_mib=workers.memory_limit_mib,
        task_role=task_role,
        execution_role=execution_role,
    )
    log_group = create_encrypted_log_group(
        scope,
        "Logs",
        retention=workers.log_retention,
        description=f"the logs of {path}",
    )
    # The root file system is read-only; /tmp is a scratch volume on the task's ephemeral
    # storage (20 GiB on Fargate), for work files such as a video being encoded.
    task_definition.add_volume(name="scratch")
    container = task_definition.add_container(
        "Worker",
        image=workers.image,
        entry_point=list(workers.entry_point) if workers.entry_point is not None else None,
        command=list(workers.command) if workers.command is not None else None,
        environment={**(workers.environment or {}), **own_environment},
        logging=ecs.LogDrivers.aws_logs(stream_prefix="worker", log_group=log_group),
        stop_timeout=STOP_TIMEOUT,
        readonly_root_filesystem=True,
    )
    container.add_mount_points(
        ecs.MountPoint(container_path="/tmp", source_volume="scratch", read_only=False)
    )
    service = ecs.FargateService(
        scope,
        "Service",
        cluster=cluster,
        task_definition=task_definition,
        assign_public_ip=False,
        vpc_subnets=vpc_subnets,
        min_healthy_percent=100,
        max_healthy_percent=200,
        circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
        platform_version=ecs.FargatePlatformVersion.LATEST,
    )
    acknowledge_own_environment(task_definition, workers.environment, holds)
    return task_definition, service, log_group


def scalable_target(
    scope: Construct,
    *,
    cluster_name: str,
    service_name: str,
    min_workers: int,
    max_workers: int,
) -> appscaling.ScalableTarget:
    """The service's desired count between ``min_workers`` and ``max_workers``, scaled with
    the service-linked role of ECS scaling (as ``ecs.BaseService.auto_scale_task_count``)."""
    stack = Stack.of(scope)
    return appscaling.ScalableTarget(
        scope,
        "ScalableTarget",
        service_namespace=appscaling.ServiceNamespace.ECS,
        resource_id=f"service/{cluster_name}/{service_name}",
        scalable_dimension="ecs:service:DesiredCount",
        min_capacity=min_workers,
        max_capacity=max_workers,
        # The service-linked role ECS scaling uses, instead of a new role with a broad
        # managed policy.
        role=iam.Role.from_role_arn(
            scope,
            "ScalingRole",
            stack.format_arn(
                service="iam",
                region="",
                resource="role/aws-service-role/ecs.application-autoscaling.amazonaws.com",
                resource_name="AWSServiceRoleForApplicationAutoScaling_ECSService",
            ),
        ),
    )


# Container Insights' running tasks of a service: what every fleet scales or alarms on.
RUNNING_TASKS_NAMESPACE = "ECS/ContainerInsights"
RUNNING_TASKS_METRIC = "RunningTaskCount"


def running_tasks_metric(
    cluster_name: str, service_name: str, **props: Unpack[MetricOptions]
) -> cloudwatch.Metric:
    """Container Insights' ``RunningTaskCount`` of the service. Default: 1-minute average."""
    options: MetricOptions = {
        "dimensions_map": {"ClusterName": cluster_name, "ServiceName": service_name},
        "period": METRIC_PERIOD,
        "statistic": AVERAGE,
        **props,
    }
    return cloudwatch.Metric(
        namespace=RUNNING_TASKS_NAMESPACE, metric_name=RUNNING_TASKS_METRIC, **options
    )


def running_tasks_query(
    query_id: str, cluster_name: str, service_name: str
) -> appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty:
    """:func:`running_tasks_metric` (its default 1-minute average) as target tracking takes
    it, written from what Python knows instead of read back from the metric."""
    return metric_query(
        query_id,
        namespace=RUNNING_TASKS_NAMESPACE,
        metric_name=RUNNING_TASKS_METRIC,
        dimensions={"ClusterName": cluster_name, "ServiceName": service_name},
        statistic="Average",
    )


def metric_query(
    query_id: str,
    *,
    namespace: str,
    metric_name: str,
    dimensions: Mapping[str, str],
    statistic: str,
) -> appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty:
    """One metric of a target-tracking policy's math, as CloudFormation spells it."""
    return appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty(
        id=query_id,
        return_data=False,
        metric_stat=appscaling.CfnScalingPolicy.TargetTrackingMetricStatProperty(
            stat=statistic,
            metric=appscaling.CfnScalingPolicy.TargetTrackingMetricProperty(
                namespace=namespace,
                metric_name=metric_name,
                dimensions=[
                    appscaling.CfnScalingPolicy.TargetTrackingMetricDimensionProperty(
                        name=name, value=value
                    )
                    for name, value in dimensions.items()
                ],
            ),
        ),
    )


class FargateFleet(Construct):
    """What every Fargate fleet exposes; its ``__init__`` sets the attributes through
    :func:`worker_service` and :func:`scalable_target`."""

    _service: ecs.FargateService
    _task_definition: ecs.FargateTaskDefinition
    _task_role: iam.IRole
    _log_group: logs.ILogGroup
    _scalable_target: appscaling.ScalableTarget

    @property
    def service(self) -> ecs.FargateService:
        """The Fargate service running the workers."""
        return self._service

    @property
    def task_definition(self) -> ecs.FargateTaskDefinition:
        """The workers' task definition (container ``"Worker"``)."""
        return self._task_definition

    @property
    def task_role(self) -> iam.IRole:
        """The workers' role, with the permissions their fleet grants (and no more)."""
        return self._task_role

    @property
    def log_group(self) -> logs.ILogGroup:
        """The workers' log group, encrypted with its own key."""
        return self._log_group

    @property
    def scalable_target(self) -> appscaling.ScalableTarget:
        """The service's scalable target (desired count between ``min_workers`` and
        ``max_workers``)."""
        return self._scalable_target
