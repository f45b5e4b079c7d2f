"""What the Fargate fleets share (:class:`~patterns.QueueWorkerFleet`,
:class:`~patterns.StreamWorkerFleet`): task sizes, private subnets (also over the final tree),
the Container Insights check, the workers' task, service and scalable target, the running-task
metric, and the attributes every fleet exposes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
from patterns.roles import ManagedPolicyRole
from patterns.subnets import selected_subnets
from patterns.validation import check_whole_number

# ECS: tasks per service (default quota); Fargate stop timeout maximum.
MAX_WORKERS_RANGE = (1, 5000)
STOP_TIMEOUT = Duration.seconds(120)
METRIC_PERIOD = Duration.minutes(1)
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


def check_private_subnets(
    cluster: ecs.ICluster, vpc_subnets: ec2.SubnetSelection | None, *, reaches: str, endpoints: str
) -> ec2.SubnetSelection:
    """Refuse a selection of the cluster VPC's public subnets: the workers never get a public
    IP, so there they could not pull their image or reach AWS. Return the selection, by
    default the private subnets with egress.

    :param reaches: what the workers read, for the message (``"queue"``).
    :param endpoints: the services they call besides ECR, S3 and CloudWatch Logs, for the
        message (``"SQS"``).
    """
    selection = vpc_subnets or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
    selected = selected_subnets(cluster.vpc, selection, whose="the cluster's VPC")
    subnet_ids = list(selected.subnet_ids)
    public = {subnet.subnet_id for subnet in cluster.vpc.public_subnets}
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
    return selection


@jsii.implements(IValidation)
class PrivateSubnets:
    """At synth: the service still runs in private subnets, or with a public IP (subnets can
    be changed through the service's L1 after construction)."""

    def __init__(
        self, cluster: ecs.ICluster, service: ecs.FargateService, *, reaches: str, endpoints: str
    ) -> None:
        self._cluster, self._service = cluster, service
        self._reaches, self._endpoints = reaches, endpoints

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
            f"IP: they could pull no image and reach no {self._reaches}. Select private "
            "subnets (PRIVATE_WITH_EGRESS, or PRIVATE_ISOLATED with VPC endpoints for ECR, S3, "
            f"CloudWatch Logs and {self._endpoints})"
        ]


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
    cluster: ecs.ICluster,
    image: ecs.ContainerImage,
    task_role: iam.IRole,
    cpu: int,
    memory_limit_mib: int,
    environment: Mapping[str, str],
    entry_point: Sequence[str] | None,
    command: Sequence[str] | None,
    vpc_subnets: ec2.SubnetSelection,
    log_retention: logs.RetentionDays,
) -> tuple[ecs.FargateTaskDefinition, ecs.FargateService, logs.ILogGroup]:
    """The workers' task definition (container ``"Worker"``, read-only root, ``/tmp`` scratch
    volume, encrypted logs), and their Fargate service in ``vpc_subnets`` (see
    :func:`check_private_subnets`) with no public IP, rolled back by the deployment circuit
    breaker."""
    execution_role = ManagedPolicyRole(
        scope,
        "ExecutionRole",
        assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
        description=f"ECS pulls the image and writes the logs of {scope.node.path}",
    )
    task_definition = ecs.FargateTaskDefinition(
        scope,
        "TaskDefinition",
        cpu=cpu,
        memory_limit_mib=memory_limit_mib,
        task_role=task_role,
        execution_role=execution_role,
    )
    log_group = create_encrypted_log_group(
        scope, "Logs", retention=log_retention, description=f"the logs of {scope.node.path}"
    )
    # The root file system is read-only; /tmp is a scratch volume on the task's ephemeral
    # storage (20 GiB on Fargate), for work files such as a video being encoded.
    task_definition.add_volume(name="scratch")
    container = task_definition.add_container(
        "Worker",
        image=image,
        entry_point=list(entry_point) if entry_point is not None else None,
        command=list(command) if command is not None else None,
        environment=dict(environment),
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
    return task_definition, service, log_group


def scalable_target(
    scope: Construct,
    *,
    cluster: ecs.ICluster,
    service: ecs.FargateService,
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
        resource_id=f"service/{cluster.cluster_name}/{service.service_name}",
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


def running_tasks_metric(cluster: ecs.ICluster, service: ecs.IService) -> cloudwatch.Metric:
    """Container Insights' ``RunningTaskCount`` of ``service`` (1-minute average)."""
    return cloudwatch.Metric(
        namespace="ECS/ContainerInsights",
        metric_name="RunningTaskCount",
        dimensions_map={
            "ClusterName": cluster.cluster_name,
            "ServiceName": service.service_name,
        },
        period=METRIC_PERIOD,
        statistic=cloudwatch.Stats.AVERAGE,
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
