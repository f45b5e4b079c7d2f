"""``StreamWorkerFleet``: a Kinesis Client Library (KCL) application on ECS Fargate.

Lambda is one way to read a stream; the KCL (Java, and Node, Python, Ruby, .NET through its
MultiLangDaemon) is the other AWS names: each worker leases shards from a DynamoDB table,
checkpoints its progress there, and the workers share the shards among themselves. What a
team otherwise writes by hand, and where it goes wrong, is built here:

- the tables KCL would create by itself (unencrypted with a customer key, no point-in-time
  recovery, never deleted, one name in every stage), created by the stack instead and named
  per stack and stage (``kcl_tables``), their names passed to the workers;
- the permissions of the KCL documentation for the chosen version and retrieval mode, scoped
  to this stream (or its registered consumer) and these tables, and ``PutMetricData`` only in
  the application's namespace (``patterns.consumers.kcl`` lists them with their sources);
- an enhanced fan-out consumer registered by the stack when chosen, counted with the stream's
  other readers;
- scaling on the application's lag (``MillisBehindLatest``) between a minimum and a maximum
  that never exceeds the stream's shards (a worker without a shard sits idle);
- alarms on the lag, on throttled requests to the tables, and on no worker running while
  records arrive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, Unpack, cast, runtime_checkable

import jsii
from aws_cdk import Annotations, AspectPriority, Aspects, Duration, IAspect, RemovalPolicy, Stack
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct, IValidation

from patterns import dashboards, limits
from patterns.alarms import create_alarm
from patterns.compliance import acknowledge
from patterns.consumers import fargate, kcl
from patterns.consumers.kcl_tables import create_tables, grant_tables
from patterns.consumers.stream_readers import retention_hours_of, stream_readers
from patterns.feature_flags import ECS_SERVICE_FLAGS, pin_feature_flags
from patterns.metric_options import MAXIMUM, SUM, MetricOptions
from patterns.naming import physical_name
from patterns.removal import IN_TRANSIT_REMOVAL_POLICY
from patterns.roles import ManagedPolicyRole
from patterns.validation import check_duration, check_whole_number, seconds_of

# KCL application names become table names, a CloudWatch namespace and a consumer name
# (128 characters at most); the longest table suffix must still fit DynamoDB's 255.
APPLICATION_NAME_MAX_LENGTH = 100
ON_DEMAND_INITIAL_SHARDS = limits.KINESIS_ON_DEMAND_INITIAL_SHARDS
DEFAULT_SCALE_OUT_LAG = Duration.minutes(1)
SCALE_OUT_LAG_MIN = Duration.seconds(10)
DEFAULT_LAG_ALARM = Duration.minutes(10)
LAG_ALARM_MIN = Duration.minutes(1)
RETENTION_MAX = Duration.hours(limits.KINESIS_RETENTION_MAX_HOURS)
# Remove a worker while the lag is below this fraction of scale_out_lag.
SCALE_IN_FRACTION = 0.25
SCALE_OUT_COOLDOWN = Duration.minutes(2)
SCALE_IN_COOLDOWN = Duration.minutes(10)
# No worker running while records arrive, for this many minutes (a deployment replaces
# tasks within a few minutes).
NO_WORKER_MINUTES = 5
THROTTLE_PERIOD = Duration.minutes(5)
NO_RUNNING_WORKER = "IF(FILL(running, 0) < 1 AND FILL(incoming, 0) > 0, 1, 0)"
# What the workers reach, for the public-subnet messages.
_REACHES = {"reaches": "stream", "endpoints": "Kinesis Data Streams, DynamoDB and CloudWatch"}


@runtime_checkable
class HasStream(Protocol):
    """A pattern that exposes its stream (``KinesisToFirehoseToS3``); the fleet
    counts itself among the stream's readers (``patterns.consumers.stream_readers``) either
    way."""

    @property
    def stream(self) -> kinesis.IStream:
        """The stream the fleet reads."""
        ...


class StreamWorkerFleet(fargate.FargateFleet):
    """A KCL application on Fargate reading a Kinesis stream, with its tables, permissions,
    lag scaling and alarms.

    The workers find everything in their environment: ``KCL_APPLICATION_NAME`` (also the
    metrics namespace), ``KCL_STREAM_NAME``, ``KCL_STREAM_ARN``, ``KCL_REGION``,
    ``KCL_LEASE_TABLE``, for KCL 3.x ``KCL_WORKER_METRICS_TABLE`` and
    ``KCL_COORDINATOR_STATE_TABLE``, ``KCL_METRICS_NAMESPACE``, ``KCL_RETRIEVAL_MODE``
    (``POLLING`` or ``FANOUT``) and, with enhanced fan-out, ``KCL_CONSUMER_NAME`` and
    ``KCL_CONSUMER_ARN``. [A KCL application on
    Fargate][a-kcl-application-on-fargate-streamworkerfleet] shows an example;
    [`add_to_dashboard`][patterns.StreamWorkerFleet.add_to_dashboard] draws the fleet on a
    dashboard.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stream: kinesis.IStream | HasStream,
        cluster: ecs.ICluster,
        image: ecs.ContainerImage,
        kcl_version: int = kcl.DEFAULT_KCL_VERSION,
        enhanced_fan_out: bool = False,
        min_workers: int = 1,
        max_workers: int | None = None,
        cpu: int = 512,
        memory_limit_mib: int = 1024,
        environment: Mapping[str, str] | None = None,
        entry_point: Sequence[str] | None = None,
        command: Sequence[str] | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        encryption_key: kms.IKey | None = None,
        removal_policy: RemovalPolicy | None = None,
        scale_out_lag: Duration = DEFAULT_SCALE_OUT_LAG,
        lag_alarm_threshold: Duration = DEFAULT_LAG_ALARM,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
    ) -> None:
        """Define the tables, the workers' task and service, their permissions, scaling and
        alarms.

        :param stream: The stream to read: a
            [`KinesisToFirehoseToS3`][patterns.KinesisToFirehoseToS3] (the
            fleet is then counted among its readers: a classic reader re-plans a stream
            planned from ``throughput``, an enhanced fan-out consumer counts toward the 20 a
            stream allows), or any ``kinesis.IStream`` (import an encrypted one with its
            ``encryption_key`` so the workers may decrypt).
        :param cluster: The ECS cluster (and so the VPC) to run in, with Container Insights on
            (the no-running-worker alarm reads its ``RunningTaskCount``).
        :param image: The KCL application's container image, for example
            ``ecs.ContainerImage.from_registry("public.ecr.aws/...:tag")``.
        :param kcl_version: 3 (lease table with its ``LeaseOwnerToLeaseKeyIndex``, worker
            metrics and coordinator state tables) or 2 (lease table only). Default: 3.
        :param enhanced_fan_out: Register a stream consumer (``AWS::Kinesis::StreamConsumer``,
            named like the application) and read with ``SubscribeToShard``: its own 2 MB/s
            per shard, about 70 ms latency. Default: ``False`` (polling with ``GetRecords``,
            sharing each shard's 2 MB/s and 5 reads/s with the other classic readers).
        :param min_workers: Fewest workers, at least 1 (KCL holds its leases only while a
            worker runs, and the lag the fleet scales on is published by the workers).
            Default: 1.
        :param max_workers: Most workers, at most the stream's shards (KCL gives each shard
            to one worker; more workers sit idle). Default: the stream's shard count when
            known at synth, else 4 (an on-demand stream's initial shards), with a warning.
        :param cpu: Fargate CPU units of a worker (256 to 16,384). Default: 512.
        :param memory_limit_mib: Memory of a worker, a size Fargate allows with ``cpu``.
            Default: 1,024 (a JVM running the KCL).
        :param environment: More environment variables for the workers, for settings that
            are not secret. Default: only the ``KCL_*`` variables this construct sets, for which
            it acknowledges cdk-nag's AwsSolutions-ECS2; with variables of yours, that
            acknowledgement is yours to make (only you know they hold no secret).
        :param entry_point: The container's entry point. Default: the image's.
        :param command: The container's command. Default: the image's.
        :param vpc_subnets: Where the workers run (never public subnets). Default: the
            cluster VPC's private subnets with egress; never a public IP.
        :param log_retention: How long the workers' logs are kept (a log group encrypted with
            its own key). Default: one year.
        :param encryption_key: The customer-managed key of the tables. Default: the stream's
            key when it has one, else the AWS-managed DynamoDB key.
        :param removal_policy: What happens to the tables when they leave the stack. Default:
            destroyed: they hold checkpoints into records in transit (the stream is destroyed
            by default too), and a retained table keeps its fixed name, so the stack could
            not be deployed again. Retain them with the stream you keep.
        :param scale_out_lag: Add a worker while the application lags this far behind the
            newest record (``MillisBehindLatest``); remove one while it lags less than a
            quarter of it. 10 seconds to ``lag_alarm_threshold``. Default: 1 minute.
        :param lag_alarm_threshold: Alarm when the application lags this far behind, 1 minute
            to the stream's retention (records older than that are gone). Default: 10 minutes.
        :param alarm_actions: Actions of the fleet's alarms. Default: none.
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
        owner = stream if isinstance(stream, HasStream) else None
        self._stream = owner.stream if owner is not None else cast(kinesis.IStream, stream)
        resource = self._stream.node.default_child
        self._stream_resource = resource if isinstance(resource, kinesis.CfnStream) else None
        _validate(
            kcl_version=kcl_version,
            min_workers=min_workers,
            max_workers=max_workers,
            workers=workers,
            scale_out_lag=scale_out_lag,
            lag_alarm_threshold=lag_alarm_threshold,
            retention=_retention(self._stream_resource),
        )
        fargate.check_container_insights(self, cluster, "the no-running-worker alarm")
        subnets, public = fargate.check_private_subnets(cluster, vpc_subnets, **_REACHES)

        self._enhanced_fan_out, self._kcl_version = enhanced_fan_out, kcl_version
        # No digest of create-only properties in the name: the tables' key schemas are KCL's
        # and never change, so no edit replaces a table at the same position.
        self._application_name = physical_name(
            self, max_length=APPLICATION_NAME_MAX_LENGTH, separator="-"
        )
        # Counted among the stream's readers, whoever owns the stream (an imported one too):
        # classic readers re-plan a planned stream, fan-out consumers meet the stream's limit.
        stream_readers(self._stream).add(self, enhanced_fan_out=enhanced_fan_out)
        self._max_workers_given = max_workers
        self._max_workers = self._derive_max_workers(max_workers)
        check_whole_number("min_workers", min_workers, 1, self._max_workers)
        self._encryption_key = encryption_key or self._stream.encryption_key

        self._create_state(removal_policy or IN_TRANSIT_REMOVAL_POLICY)
        self._create_workers(cluster, workers, subnets, public)
        self._grant()
        self._scale(min_workers, scale_out_lag)
        self._alarms = self._create_alarms(lag_alarm_threshold, alarm_actions)

    # --- derive --------------------------------------------------------------------------

    def _derive_max_workers(self, max_workers: int | None) -> int:
        """The given maximum, else the stream's shards as the tree stands now (a planned
        stream gains shards as classic readers join it, also after this fleet:
        :attr:`max_workers` and the scalable target follow the final count)."""
        shards = _shard_count(self._stream_resource)
        if max_workers is not None:
            return max_workers
        if shards is not None:
            return shards
        Annotations.of(self).add_warning_v2(
            "patterns:WorkerFleetShardsUnknown",
            f"The stream's shard count is not known at synth (on-demand or imported): "
            f"max_workers defaults to {ON_DEMAND_INITIAL_SHARDS}, an on-demand stream's "
            "initial shards. Pass max_workers (at most the shards the stream will have): "
            "workers beyond the shard count hold no lease and sit idle.",
        )
        return ON_DEMAND_INITIAL_SHARDS

    def _kcl_environment(self) -> dict[str, str]:
        tables = self._tables
        environment = {
            kcl.ENV_APPLICATION_NAME: self._application_name,
            kcl.ENV_METRICS_NAMESPACE: self._application_name,
            kcl.ENV_STREAM_NAME: self._stream.stream_name,
            kcl.ENV_STREAM_ARN: self._stream.stream_arn,
            kcl.ENV_REGION: Stack.of(self).region,
            kcl.ENV_LEASE_TABLE: tables.lease_table.table_name,
            kcl.ENV_RETRIEVAL_MODE: "FANOUT" if self._enhanced_fan_out else "POLLING",
        }
        if tables.worker_metrics_table is not None:
            environment[kcl.ENV_WORKER_METRICS_TABLE] = tables.worker_metrics_table.table_name
        if tables.coordinator_state_table is not None:
            environment[kcl.ENV_COORDINATOR_STATE_TABLE] = tables.coordinator_state_table.table_name
        if self._stream_consumer is not None:
            environment[kcl.ENV_CONSUMER_NAME] = self._application_name
            environment[kcl.ENV_CONSUMER_ARN] = self._stream_consumer.stream_consumer_arn
        return environment

    # --- create --------------------------------------------------------------------------

    def _create_state(self, removal_policy: RemovalPolicy) -> None:
        """The KCL tables and, with enhanced fan-out, the registered stream consumer."""
        self._tables = create_tables(
            self,
            application_name=self._application_name,
            kcl_version=self._kcl_version,
            encryption_key=self._encryption_key,
            removal_policy=removal_policy,
        )
        self._stream_consumer = (
            kinesis.StreamConsumer(
                self,
                "StreamConsumer",
                stream=self._stream,
                stream_consumer_name=self._application_name,
            )
            if self._enhanced_fan_out
            else None
        )

    def _create_workers(
        self,
        cluster: ecs.ICluster,
        workers: fargate.WorkerOptions,
        subnets: ec2.SubnetSelection,
        public_subnet_ids: list[str],
    ) -> None:
        """The workers' role, task and service; checked at synth, over the final tree, for
        private subnets and for no more workers than shards (one validation callback)."""
        path = self.node.path
        self._task_role = _task_role(self, path)
        self._task_definition, self._service, self._log_group = fargate.worker_service(
            self,
            path=path,
            cluster=cluster,
            workers=workers,
            task_role=self._task_role,
            own_environment=self._kcl_environment(),
            holds="the names the KCL needs (application, stream, tables, consumer)",
            vpc_subnets=subnets,
        )
        self._cluster_name, self._service_name = cluster.cluster_name, self._service.service_name
        self.node.add_validation(
            fargate.AllOf(
                fargate.PrivateSubnets(self._service, public_subnet_ids, **_REACHES),
                _WorkersWithinShards(self),
            )
        )

    def _grant(self) -> None:
        """The KCL permissions page (``kcl.KCL_IAM_DOC``), for this version and mode."""
        role, stream = self._task_role, self._stream
        actions = (
            kcl.FAN_OUT_STREAM_ACTIONS if self._enhanced_fan_out else kcl.POLLING_STREAM_ACTIONS
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="KclReadStream", actions=list(actions), resources=[stream.stream_arn]
            )
        )
        if self._stream_consumer is not None:
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid="KclSubscribeToShards",
                    actions=list(kcl.FAN_OUT_CONSUMER_ACTIONS),
                    resources=[self._stream_consumer.stream_consumer_arn],
                )
            )
        if stream.encryption_key is not None:
            stream.encryption_key.grant_decrypt(role)
        grant_tables(role, self._tables, self._kcl_version)
        # PutMetricData names no resource: the namespace condition is its only scope.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="KclPutMetricsInItsNamespace",
                actions=[kcl.METRICS_ACTION],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": self._application_name}},
            )
        )
        acknowledge(
            role,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "cloudwatch:PutMetricData supports no resource-level permissions; the "
            "cloudwatch:namespace condition limits the workers to the application's namespace.",
        )

    def _scale(self, min_workers: int, scale_out_lag: Duration) -> None:
        """Step scaling on the lag between ``min_workers`` and :attr:`max_workers`."""
        self._scalable_target = fargate.scalable_target(
            self,
            cluster_name=self._cluster_name,
            service_name=self._service_name,
            min_workers=min_workers,
            max_workers=self._max_workers,
        )
        if self._max_workers_given is None:
            # The stream's classic readers re-plan its shards at synth (an aspect of default
            # priority); this one runs after it and follows the final count.
            Aspects.of(self._scalable_target).add(
                _MaxWorkersFollowShards(self), priority=AspectPriority.DEFAULT + 100
            )
        out_ms = scale_out_lag.to_milliseconds()
        self._lag = self.metric_millis_behind_latest()
        self._scalable_target.scale_on_metric(
            "LagScaling",
            metric=self._lag,
            scaling_steps=[
                appscaling.ScalingInterval(upper=out_ms * SCALE_IN_FRACTION, change=-1),
                appscaling.ScalingInterval(lower=out_ms, change=1),
            ],
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            cooldown=SCALE_OUT_COOLDOWN,
        )
        self._scale_out_lag_ms = out_ms

    def _create_alarms(
        self, lag_threshold: Duration, actions: Sequence[cloudwatch.IAlarmAction]
    ) -> list[cloudwatch.Alarm]:
        no_worker = cloudwatch.MathExpression(
            expression=NO_RUNNING_WORKER,
            using_metrics={
                "running": self.metric_running_workers(),
                "incoming": self._stream.metric_incoming_records(
                    period=fargate.METRIC_PERIOD, statistic=SUM
                ),
            },
            label="Records arriving while no worker runs",
            period=fargate.METRIC_PERIOD,
        )
        return [
            create_alarm(
                self,
                "LagAlarm",
                metric=self._lag,
                threshold=lag_threshold.to_milliseconds(),
                description=f"The KCL application {self._application_name} lags at least "
                f"{lag_threshold.to_human_string()} behind the newest record of its stream",
                actions=actions,
            ),
            create_alarm(
                self,
                "TableThrottlingAlarm",
                metric=self.metric_throttled_requests(),
                threshold=1,
                description=f"DynamoDB throttled requests to the KCL tables of "
                f"{self._application_name}: workers may lose their leases",
                actions=actions,
            ),
            create_alarm(
                self,
                "NoRunningWorkerAlarm",
                metric=no_worker,
                threshold=1,
                evaluation_periods=NO_WORKER_MINUTES,
                description=f"Records arrive in the stream but no worker of "
                f"{self._application_name} has run for {NO_WORKER_MINUTES} minutes",
                actions=actions,
            ),
        ]

    # --- metrics and dashboard -----------------------------------------------------------

    def metric_millis_behind_latest(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """The application's lag: KCL's application-level ``MillisBehindLatest`` (the
        maximum over its shards), in its namespace, the application name. The fleet scales
        out on it and its lag alarm watches it.

        :param props: Any of the [`MetricOptions`][patterns.metric_options.MetricOptions],
            to override the defaults. Default: the maximum over 1 minute.
        """
        options: MetricOptions = {
            "dimensions_map": kcl.LAG_METRIC_DIMENSIONS,
            "period": fargate.METRIC_PERIOD,
            "statistic": MAXIMUM,
            **props,
        }
        return cloudwatch.Metric(
            namespace=self._application_name, metric_name=kcl.LAG_METRIC, **options
        )

    def metric_running_workers(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """How many workers run: Container Insights' ``RunningTaskCount`` of the service.

        :param props: Any of the [`MetricOptions`][patterns.metric_options.MetricOptions],
            to override the defaults. Default: the average over 1 minute.
        """
        return fargate.running_tasks_metric(self._cluster_name, self._service_name, **props)

    def metric_throttled_requests(
        self, *, period: Duration = THROTTLE_PERIOD
    ) -> cloudwatch.MathExpression:
        """Read and write throttle events of every KCL table (and the lease table's index),
        summed: metric math over each table's ``ReadThrottleEvents`` and
        ``WriteThrottleEvents``. Workers whose lease renewals are throttled may lose their
        leases; the fleet's table throttling alarm fires at 1.

        :param period: The period of each table metric and of the sum. Default: 5 minutes.
        """
        using: dict[str, cloudwatch.IMetric] = {}
        for number, table in enumerate(self._tables.all):
            for kind in ("Read", "Write"):
                using[f"{kind.lower()}{number}"] = table.metric(
                    f"{kind}ThrottleEvents", period=period, statistic=SUM
                )
        return cloudwatch.MathExpression(
            expression=" + ".join(f"FILL({name}, 0)" for name in using),
            using_metrics=using,
            label="Throttled requests to the KCL tables",
            period=period,
        )

    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None:
        """Add this fleet's section to ``dashboard``: how many workers run, how far the
        application lags, and whether DynamoDB throttles its tables.

        The section, titled ``KCL worker fleet <application name>``, holds:

        - *Workers (running tasks)*:
          [`metric_running_workers`][patterns.StreamWorkerFleet.metric_running_workers]
          (at most one worker per shard does work);
        - *Lag (ms behind the newest record)*:
          [`metric_millis_behind_latest`][patterns.StreamWorkerFleet.metric_millis_behind_latest],
          with ``scale_out_lag`` drawn as a line labelled ``scale out``;
        - *Throttled table requests*:
          [`metric_throttled_requests`][patterns.StreamWorkerFleet.metric_throttled_requests];
        - one graph per alarm of [`alarms`][patterns.StreamWorkerFleet.alarms] (lag, table
          throttling, no worker running while records arrive), each with its threshold.

        Call it after creating the fleet, with a dashboard of yours; several patterns can
        share one (see [Dashboards][dashboards]): the stream's own graphs are its pattern's
        section (``KinesisToFirehoseToS3.add_to_dashboard``). A second call with the same
        dashboard adds nothing.

        :param dashboard: The dashboard to add the section to, a ``cloudwatch.Dashboard``
            (usually in the fleet's stack).
        """
        dashboards.section(
            dashboard,
            f"KCL worker fleet {self._application_name}",
            "Workers running (at most one per shard), how far the application lags behind "
            "the newest record, and throttled requests to its lease tables.",
            [
                dashboards.graph("Workers (running tasks)", [self.metric_running_workers()]),
                dashboards.graph(
                    "Lag (ms behind the newest record)",
                    [self.metric_millis_behind_latest()],
                    thresholds=[(self._scale_out_lag_ms, "scale out")],
                ),
                dashboards.graph("Throttled table requests", [self.metric_throttled_requests()]),
                *dashboards.alarm_graphs(self._alarms),
            ],
        )

    # --- expose --------------------------------------------------------------------------

    @property
    def application_name(self) -> str:
        """The KCL application name: the lease table's name and the metrics namespace."""
        return self._application_name

    @property
    def stream(self) -> kinesis.IStream:
        """The stream the workers read."""
        return self._stream

    @property
    def stream_consumer(self) -> kinesis.StreamConsumer | None:
        """The registered enhanced fan-out consumer, or ``None`` when polling."""
        return self._stream_consumer

    @property
    def lease_table(self) -> dynamodb.ITable:
        """The lease table (named like the application)."""
        return self._tables.lease_table

    @property
    def worker_metrics_table(self) -> dynamodb.ITable | None:
        """KCL 3.x's worker metrics table, or ``None`` for KCL 2.x."""
        return self._tables.worker_metrics_table

    @property
    def coordinator_state_table(self) -> dynamodb.ITable | None:
        """KCL 3.x's coordinator state table, or ``None`` for KCL 2.x."""
        return self._tables.coordinator_state_table

    @property
    def encryption_key(self) -> kms.IKey | None:
        """The tables' customer-managed key, or ``None`` (the AWS-managed DynamoDB key)."""
        return self._encryption_key

    @property
    def max_workers(self) -> int:
        """The most workers the fleet scales to (at most the stream's shards): the given
        ``max_workers``, else the stream's shard count (final once the app is synthesized)."""
        if self._max_workers_given is None:
            return _shard_count(self._stream_resource) or self._max_workers
        return self._max_workers_given

    @property
    def enhanced_fan_out(self) -> bool:
        """Whether the workers read through a registered enhanced fan-out consumer."""
        return self._enhanced_fan_out

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """Lag, throttled table requests, and no worker running while records arrive."""
        return list(self._alarms)


def _task_role(scope: Construct, path: str) -> iam.Role:
    return ManagedPolicyRole(
        scope,
        "TaskRole",
        assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
        description=f"KCL workers of {path}: read the stream, use their tables",
    )


def _shard_count(resource: kinesis.CfnStream | None) -> int | None:
    """The shards of a provisioned stream of this app (its ``CfnStream``), when known."""
    shards = None if resource is None else resource.shard_count
    return shards if isinstance(shards, int) else None


def _retention(resource: kinesis.CfnStream | None) -> Duration | None:
    """The stream's retention; ``None`` for an imported stream or a token."""
    hours = retention_hours_of(resource)
    return None if hours is None else Duration.hours(hours)


@jsii.implements(IAspect)
class _MaxWorkersFollowShards:
    """Sets the scalable target's maximum to the fleet's :attr:`max_workers` at synth."""

    def __init__(self, fleet: StreamWorkerFleet) -> None:
        self._fleet = fleet

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, appscaling.CfnScalableTarget):
            node.max_capacity = self._fleet.max_workers


@jsii.implements(IValidation)
class _WorkersWithinShards:
    """At synth, over the final tree: never more workers than the stream's shards (the shard
    count may have been re-planned, or changed through the L1, after the fleet was built)."""

    def __init__(self, fleet: StreamWorkerFleet) -> None:
        self._fleet = fleet

    def validate(self) -> list[str]:
        fleet = self._fleet
        shards = _shard_count(fleet._stream_resource)
        if shards is None:
            return []
        workers = fleet._max_workers_given or shards
        if workers <= shards:
            return []
        return [
            f"max_workers ({workers}) of {fleet.node.path} exceeds the {shards} shard(s) of "
            "its stream: KCL leases each shard to one worker, so the others would sit idle. "
            f"Set max_workers to at most {shards}, or add shards"
        ]


def _validate(
    *,
    kcl_version: int,
    min_workers: int,
    max_workers: int | None,
    workers: fargate.WorkerOptions,
    scale_out_lag: Duration,
    lag_alarm_threshold: Duration,
    retention: Duration | None,
) -> None:
    if kcl_version not in kcl.KCL_VERSIONS:
        raise ValueError(
            f"kcl_version must be 2 or 3 (the KCL major version the workers run), got "
            f"{kcl_version!r}"
        )
    fargate.check_workers(min_workers, max_workers, lowest=1)
    workers.check(kcl.RESERVED_ENVIRONMENT)
    check_duration(
        "lag_alarm_threshold", lag_alarm_threshold, LAG_ALARM_MIN, retention or RETENTION_MAX
    )
    check_duration("scale_out_lag", scale_out_lag, SCALE_OUT_LAG_MIN, lag_alarm_threshold)
    if seconds_of(scale_out_lag) is None:
        raise ValueError("scale_out_lag must be known at synth (not a token): it sets the scaling")
