"""``QueueWorkerFleet``: ECS Fargate workers that drain a queue and scale on the backlog per worker.

AWS's documented approach to scaling on a queue
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-using-sqs-queue.html): track the
*backlog per worker*, the queue's visible messages divided by the running workers, against
the *acceptable backlog per worker*, the longest acceptable latency divided by the time one
message takes. The metric is CloudWatch metric math over ``ApproximateNumberOfMessagesVisible``
and Container Insights' ``RunningTaskCount``, so no custom metric has to be published.

``aws_ecs_patterns.QueueProcessingFargateService`` was the starting point, but it always adds
a step-scaling policy on the visible messages (and CPU scaling) that would fight the target
tracking, and its autoscaling cannot be replaced from Python; this construct builds the same
pieces from ``aws_ecs`` (task definition, container with its log driver, Fargate service) and
adds the backlog scaling, task scale-in protection and the permissions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from aws_cdk import Duration, Stack
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns import dashboards
from patterns.compliance import acknowledge, flatten_cfn_reference
from patterns.consumers import fargate
from patterns.consumers.common import consumed_queue, visibility_timeout_seconds
from patterns.consumers.worker_fleet_checks import validate, worker_protection_minutes
from patterns.feature_flags import ECS_SERVICE_FLAGS, pin_feature_flags
from patterns.metric_options import AVERAGE
from patterns.naming import physical_name
from patterns.roles import ManagedPolicyRole

if TYPE_CHECKING:
    from patterns.queue_with_dlq import QueueWithDeadLetterQueue

# Visible messages over running workers; with none running, over one (no division by zero).
BACKLOG_PER_WORKER = "FILL(visible, 0) / IF(FILL(running, 0) > 0, FILL(running, 0), 1)"
SCALE_OUT_COOLDOWN = Duration.minutes(1)
SCALE_IN_COOLDOWN = Duration.minutes(5)
DEFAULT_MAX_WORKERS = 10
# What the workers reach, for the public-subnet messages.
_REACHES = {"reaches": "queue", "endpoints": "SQS"}


class QueueWorkerFleet(fargate.FargateFleet):
    """Fargate workers that drain a queue and scale on its backlog.

    Each worker receives messages, processes them and deletes them. The fleet scales with
    target tracking on the backlog per worker, from ``min_workers`` (may be 0) to
    ``max_workers``; a worker protects itself from scale-in while it holds a message (ECS task
    scale-in protection through the ECS agent endpoint), so scaling in never stops a worker
    in the middle of a message. [A worker fleet that scales on the
    backlog][a-worker-fleet-that-scales-on-the-backlog] shows an example and what the
    worker's code does; [`add_to_dashboard`][patterns.QueueWorkerFleet.add_to_dashboard]
    draws the fleet on a dashboard.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queue: QueueWithDeadLetterQueue | sqs.IQueue,
        cluster: ecs.ICluster,
        image: ecs.ContainerImage,
        processing_time: Duration,
        acceptable_latency: Duration,
        min_workers: int = 0,
        max_workers: int = DEFAULT_MAX_WORKERS,
        cpu: int = 256,
        memory_limit_mib: int = 512,
        environment: Mapping[str, str] | None = None,
        entry_point: Sequence[str] | None = None,
        command: Sequence[str] | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
    ) -> None:
        """Define the task, the service, its backlog scaling and the workers' permissions.

        :param queue: The queue the workers drain: a
            [`QueueWithDeadLetterQueue`][patterns.QueueWithDeadLetterQueue], or an
            ``sqs.IQueue`` (new or imported; its dead-letter queue, if any, is its owner's).
            For an imported queue, whose visibility timeout synth cannot read, the
            ``processing_time`` check is skipped (a warning says so) and workers protect
            themselves for up to 12 hours, SQS's longest visibility timeout.
        :param cluster: The ECS cluster (and so the VPC) to run in. A new ``ecs.Cluster``
            must have Container Insights on (``container_insights_v2``): the backlog metric
            divides by its ``RunningTaskCount``.
        :param image: The worker's container image, for example
            ``ecs.ContainerImage.from_registry("public.ecr.aws/...:tag")``.
        :param processing_time: How long one message takes a worker (the typical, not the
            worst case). At most the queue's visibility timeout, or a message would become
            visible again while a worker still works on it.
        :param acceptable_latency: How long a message may wait before a worker starts it.
            At least ``processing_time``. The acceptable backlog per worker, the scaling
            target, is ``acceptable_latency / processing_time`` messages.
        :param min_workers: Fewest workers, 0 or more. Default: 0 (no cost while the queue is
            empty; the first message starts a worker within about two minutes).
        :param max_workers: Most workers, 1 to 5,000 (the ECS tasks-per-service quota) and at
            least ``min_workers``. Default: 10.
        :param cpu: Fargate CPU units of a worker (256 to 16,384). Default: 256 (0.25 vCPU).
        :param memory_limit_mib: Memory of a worker, a size Fargate allows with ``cpu``.
            Default: 512.
        :param environment: More environment variables for the worker, for settings that
            are not secret (secrets go in ``task_definition.default_container.add_secret``).
            Default: only ``QUEUE_URL`` and ``PROTECTION_MINUTES``, which this construct sets
            and for which it acknowledges cdk-nag's AwsSolutions-ECS2; with variables of
            yours, that acknowledgement is yours to make (only you know they hold no secret).
        :param entry_point: The container's entry point. Default: the image's.
        :param command: The container's command. Default: the image's.
        :param vpc_subnets: Where the workers run: private subnets, with egress or with VPC
            endpoints for ECR, S3, CloudWatch Logs and SQS. Public subnets are refused: the
            workers never get a public IP, so there they could pull no image and reach no
            queue. Default: the cluster VPC's private subnets with egress.
        :param log_retention: How long the workers' logs are kept (a log group encrypted with
            its own key). Default: one year.
        """
        super().__init__(scope, construct_id)
        pin_feature_flags(self, ECS_SERVICE_FLAGS)  # the same service with or without cdk.json
        workers = fargate.WorkerOptions(
            image=image,
            cpu=cpu,
            memory_limit_mib=memory_limit_mib,
            environment=environment,
            entry_point=entry_point,
            command=command,
            log_retention=log_retention,
        )
        source = consumed_queue("queue", queue)
        visibility_seconds = visibility_timeout_seconds(source)
        self._target_backlog_per_worker = validate(
            processing_time=processing_time,
            acceptable_latency=acceptable_latency,
            min_workers=min_workers,
            max_workers=max_workers,
            workers=workers,
            visibility_seconds=visibility_seconds,
        )
        fargate.check_container_insights(
            self,
            cluster,
            "the backlog per worker",
            otherwise=", or the fleet scales as if one worker ran",
        )
        subnets, public = fargate.check_private_subnets(cluster, vpc_subnets, **_REACHES)
        protection_minutes = worker_protection_minutes(self, source, visibility_seconds)

        self._create_workers(
            cluster,
            workers,
            subnets,
            public,
            {"QUEUE_URL": source.queue_url, "PROTECTION_MINUTES": str(protection_minutes)},
        )
        cluster_name = cluster.cluster_name
        self._grant(source, cluster_name)
        self._scale_on_backlog(source, cluster_name, min_workers, max_workers)

    # --- create --------------------------------------------------------------------------

    def _create_workers(
        self,
        cluster: ecs.ICluster,
        workers: fargate.WorkerOptions,
        subnets: ec2.SubnetSelection,
        public_subnet_ids: list[str],
        own_environment: dict[str, str],
    ) -> None:
        """The workers' role, task and service, checked for private subnets at synth."""
        path = self.node.path
        self._task_role = ManagedPolicyRole(
            self,
            "TaskRole",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description=f"Workers of {path}: consume the queue, protect their task",
        )
        self._task_definition, self._service, self._log_group = fargate.worker_service(
            self,
            path=path,
            cluster=cluster,
            workers=workers,
            task_role=self._task_role,
            own_environment=own_environment,
            holds="the queue URL and the protection length",
            vpc_subnets=subnets,
        )
        self.node.add_validation(
            fargate.PrivateSubnets(self._service, public_subnet_ids, **_REACHES)
        )

    def _grant(self, source: sqs.IQueue, cluster_name: str) -> None:
        """Least privilege: consume this queue (and decrypt with its key), and set scale-in
        protection on the tasks of this cluster only."""
        source.grant_consume_messages(self._task_role)
        stack = Stack.of(self)
        tasks_arn = stack.format_arn(
            service="ecs", resource="task", resource_name=f"{cluster_name}/*"
        )
        self._task_role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ecs:GetTaskProtection", "ecs:UpdateTaskProtection"],
                resources=[tasks_arn],
            )
        )
        acknowledge(
            self._task_role,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::"
            f"{flatten_cfn_reference(stack.resolve(tasks_arn))}]",
            "A worker sets scale-in protection on its own task, whose ID exists only once it "
            "runs: the tasks of this one cluster are the narrowest resource IAM can name.",
        )

    def _scale_on_backlog(
        self, source: sqs.IQueue, cluster_name: str, min_workers: int, max_workers: int
    ) -> None:
        """Target tracking on the backlog per worker and, from zero workers, a step policy
        that starts the first one."""
        service_name = self._service.service_name
        visible = source.metric_approximate_number_of_messages_visible(
            period=fargate.METRIC_PERIOD, statistic=AVERAGE
        )
        running = fargate.running_tasks_metric(cluster_name, service_name)
        self._running_workers = running
        self._backlog_per_worker = cloudwatch.MathExpression(
            expression=BACKLOG_PER_WORKER,
            using_metrics={"visible": visible, "running": running},
            label="Backlog per worker",
            period=fargate.METRIC_PERIOD,
        )
        self._scalable_target = fargate.scalable_target(
            self,
            cluster_name=cluster_name,
            service_name=service_name,
            min_workers=min_workers,
            max_workers=max_workers,
        )
        self._scaling_policy = self._target_tracking(
            _visible_query(source.queue_name),
            fargate.running_tasks_query("running", cluster_name, service_name),
        )
        self._start_first_worker: appscaling.StepScalingPolicy | None = None
        if min_workers == 0:
            # Target tracking adds capacity in proportion to the running workers; with none
            # running, this step policy starts the first one when messages wait.
            self._start_first_worker = self._scalable_target.scale_on_metric(
                "StartFirstWorkerScaling",
                metric=cloudwatch.MathExpression(
                    expression="IF(FILL(running, 0) < 1, FILL(visible, 0), 0)",
                    using_metrics={"visible": visible, "running": running},
                    label="Visible messages while no worker runs",
                    period=fargate.METRIC_PERIOD,
                ),
                scaling_steps=[
                    appscaling.ScalingInterval(upper=0, change=0),
                    appscaling.ScalingInterval(lower=1, change=1),
                ],
                adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
                cooldown=SCALE_OUT_COOLDOWN,
            )

    def _target_tracking(
        self,
        visible: appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty,
        running: appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty,
    ) -> appscaling.CfnScalingPolicy:
        """Target tracking on metric math: the L2 takes single metrics only, so the policy is
        written as CloudFormation documents it (CustomizedMetricSpecification.Metrics)."""
        return appscaling.CfnScalingPolicy(
            self,
            "BacklogPerWorkerScaling",
            policy_name=physical_name(self, max_length=255),
            policy_type="TargetTrackingScaling",
            scaling_target_id=self._scalable_target.scalable_target_id,
            target_tracking_scaling_policy_configuration=appscaling.CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty(
                target_value=self._target_backlog_per_worker,
                scale_out_cooldown=int(SCALE_OUT_COOLDOWN.to_seconds()),
                scale_in_cooldown=int(SCALE_IN_COOLDOWN.to_seconds()),
                customized_metric_specification=appscaling.CfnScalingPolicy.CustomizedMetricSpecificationProperty(
                    metrics=[
                        visible,
                        running,
                        appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty(
                            id="backlog_per_worker",
                            expression=BACKLOG_PER_WORKER,
                            label="Backlog per worker",
                            return_data=True,
                        ),
                    ]
                ),
            ),
        )

    # --- metrics and dashboard -----------------------------------------------------------

    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None:
        """Add this fleet's section to ``dashboard``: how many workers run, and how much
        backlog each one faces against the target the fleet scales to.

        The section, titled ``Worker fleet <construct path>``, holds:

        - *Workers (running tasks)*: Container Insights' ``RunningTaskCount`` of the service,
          the 1-minute average;
        - *Backlog per worker (messages)*: the scaling metric
          [`backlog_per_worker`][patterns.QueueWorkerFleet.backlog_per_worker], with the
          [`target_backlog_per_worker`][patterns.QueueWorkerFleet.target_backlog_per_worker]
          drawn as a line labelled ``target``: above it the fleet adds workers, below it
          removes them;
        - with ``min_workers=0``, the alarms of the step-scaling policy that starts the first
          worker when messages wait and none runs, each with its threshold (their action is
          the scaling policy: they notify no one).

        Call it after creating the fleet, with a dashboard of yours; several patterns can
        share one (see [Dashboards][dashboards]). The queue's own graphs (backlog, dead-letter
        queue) are the queue's section: call its ``add_to_dashboard`` too. A second call with
        the same dashboard adds nothing.

        :param dashboard: The dashboard to add the section to, a ``cloudwatch.Dashboard``
            (usually in the fleet's stack).
        """
        policy = self._start_first_worker
        scaling_alarms = (
            []
            if policy is None
            else [alarm for alarm in (policy.lower_alarm, policy.upper_alarm) if alarm]
        )
        dashboards.section(
            dashboard,
            f"Worker fleet {self.node.path}",
            "Workers running and the backlog each one faces; the fleet scales to keep the "
            "backlog per worker at its target.",
            [
                dashboards.graph("Workers (running tasks)", [self._running_workers]),
                dashboards.graph(
                    "Backlog per worker (messages)",
                    [self._backlog_per_worker],
                    thresholds=[(self._target_backlog_per_worker, "target")],
                ),
                *dashboards.alarm_graphs(scaling_alarms),
            ],
        )

    # --- expose --------------------------------------------------------------------------

    @property
    def backlog_per_worker(self) -> cloudwatch.MathExpression:
        """The scaling metric: visible messages divided by running workers (at least 1)."""
        return self._backlog_per_worker

    @property
    def scaling_policy(self) -> appscaling.CfnScalingPolicy:
        """The target-tracking policy on the backlog per worker."""
        return self._scaling_policy

    @property
    def target_backlog_per_worker(self) -> float:
        """The scaling target: ``acceptable_latency / processing_time`` messages per worker."""
        return self._target_backlog_per_worker


def _visible_query(
    queue_name: str,
) -> appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty:
    """SQS's ``ApproximateNumberOfMessagesVisible`` of the queue (1-minute average), the
    metric ``sqs.IQueue.metric_approximate_number_of_messages_visible`` reads, as the
    target-tracking math takes it."""
    return fargate.metric_query(
        "visible",
        namespace="AWS/SQS",
        metric_name="ApproximateNumberOfMessagesVisible",
        dimensions={"QueueName": queue_name},
        statistic="Average",
    )
