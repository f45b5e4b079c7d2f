"""The ``AmazonMqBroker`` construct: the L1 ``CfnBroker`` with its secure defaults around it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import jsii
from aws_cdk import Annotations, Duration, RemovalPolicy, Token
from aws_cdk import aws_amazonmq as amazonmq
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct, IValidation

from patterns import limits
from patterns.amazon_mq import log_policy, monitoring, network
from patterns.amazon_mq.admin import admin_user, create_admin_secret
from patterns.amazon_mq.broker_name import GeneratedBrokerName, broker_name_errors
from patterns.amazon_mq.options import (
    DEFAULT_ADMIN_USERNAME,
    BrokerEngine,
    BrokerProtocol,
    BrokerSettings,
    MaintenanceWindow,
    broker_settings,
)
from patterns.metric_options import MAXIMUM, MINIMUM, MetricOptions

if TYPE_CHECKING:
    from typing import Unpack

    from aws_cdk import aws_lambda as lambda_

    from patterns.consumers.broker_lambda import LambdaBrokerConsumer

_MAXIMUM = MAXIMUM


@jsii.implements(ec2.IConnectable)
class AmazonMqBroker(Construct):
    """A private Amazon MQ broker, highly available by default, with secure defaults.

    ActiveMQ runs as an active/standby pair across two Availability Zones, RabbitMQ as a
    three-node cluster; a single instance only on request (development). The broker is never
    publicly accessible. Its security group opens the chosen protocols' TLS ports to the
    chosen peers only. The admin password is generated in Secrets Manager (encrypted with
    the pattern's key) and reaches the broker as a dynamic reference, never as plaintext in
    the template. General (and, for ActiveMQ, audit) logs go to CloudWatch Logs.

    The broker is an ``ec2.IConnectable``: ``client.connections.allow_to(broker, port)``
    works; whatever opens its security group, the union of the CIDR ranges it admits may
    never cover every IPv4 or every IPv6 address (checked at synth over the final tree).
    ``broker.node.default_child`` is the ``CfnBroker``, for properties the pattern does not
    expose.

    After construction: let clients in with ``allow_clients_from`` (or through
    ``connections``), give them ``endpoints`` and the admin secret (``grant_read_admin_secret``)
    or users of your own, connect functions with ``add_lambda_consumer``, then draw everything
    with ``add_to_dashboard``. The ``metric_*`` methods are per engine (the others raise
    ``ValueError``) and take the keyword arguments of
    [`MetricOptions`][patterns.metric_options.MetricOptions] (``period``, ``statistic``,
    ``label``, ...) to change their defaults.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        engine: BrokerEngine = BrokerEngine.ACTIVEMQ,
        engine_version: str | None = None,
        host_instance_type: str | None = None,
        single_instance: bool = False,
        vpc_subnets: ec2.SubnetSelection | None = None,
        protocols: Sequence[BrokerProtocol] | None = None,
        allowed_peers: Sequence[ec2.IPeer] = (),
        console_access: bool = False,
        broker_name: str | None = None,
        admin_username: str = DEFAULT_ADMIN_USERNAME,
        audit_log: bool | None = None,
        encryption_key: kms.IKey | None = None,
        maintenance_window: MaintenanceWindow | None = None,
        create_log_resource_policy: bool = True,
        removal_policy: RemovalPolicy = RemovalPolicy.DESTROY,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
    ) -> None:
        """Define the broker, its security group, admin secret, key, log policy and alarms.

        :param vpc: The VPC whose private subnets host the broker.
        :param engine: ``ACTIVEMQ`` or ``RABBITMQ``. Default: ``ACTIVEMQ``.
        :param engine_version: Major.minor engine version (Amazon MQ applies patches itself).
            Default: the newest supported (ActiveMQ ``5.19``, RabbitMQ ``4.2``).
        :param host_instance_type: Broker instance type, for example ``mq.m5.large``. Default:
            ``mq.m5.large`` (ActiveMQ) or ``mq.m7g.large`` (RabbitMQ). ``mq.t3.micro`` is
            for single-instance brokers only; RabbitMQ 4 runs only on ``mq.m7g``.
        :param single_instance: Deploy one broker instance in one subnet, for development.
            Default: ``False``: active/standby across two AZs (ActiveMQ) or a three-node
            cluster (RabbitMQ), so that losing an instance or an AZ loses no service.
        :param vpc_subnets: The subnets, one per AZ: exactly one for a single instance,
            exactly two for ActiveMQ active/standby, one to three for a RabbitMQ cluster;
            public subnets are refused. Default: the VPC's private subnets, one per AZ, as
            many as the deployment mode takes.
        :param protocols: The protocols clients use; the security group opens their TLS
            ports. ActiveMQ: OPENWIRE (61617), AMQP (5671), STOMP (61614), MQTT (8883), WSS
            (61619); RabbitMQ: AMQP (5671, AMQPS). Default: OPENWIRE (ActiveMQ) or AMQP
            (RabbitMQ).
        :param allowed_peers: Security groups or CIDR ranges (``ec2.Peer``) that may connect
            on those ports. ``0.0.0.0/0`` and ``::/0`` are refused. Default: none; add
            clients later with ``allow_clients_from``.
        :param console_access: Open the web console port (ActiveMQ 8162, RabbitMQ 443) to the
            same peers and, for ActiveMQ, give the admin user console access.
            Default: ``False``: no console port is reachable.
        :param broker_name: Broker name, 1 to 50 letters, digits, hyphens and underscores,
            unique in the account and Region, used as is: it then stays the same when an
            edit replaces the broker (``single_instance``, ``vpc_subnets``,
            ``encryption_key``, ``engine``), and CloudFormation cannot replace a resource
            under the same name, so such an edit needs a new ``broker_name`` too.
            Default: generated from the stack name and the construct's position plus a
            digest of the broker's create-only properties, so an edit that replaces the
            broker also renames it.
        :param admin_username: The admin user's name, 2 to 100 letters, digits and ``_.~-``.
            Default: ``admin``. RabbitMQ creates this single user at broker creation only.
        :param audit_log: Publish the ActiveMQ audit log (JMX and console management actions).
            Default: ``True`` for ActiveMQ; RabbitMQ has no audit log, so ``True`` is refused.
        :param encryption_key: The customer-managed key for the admin secret and, for
            ActiveMQ, the broker's data at rest. Default: a new key with yearly rotation
            that follows ``removal_policy``. RabbitMQ brokers only support AWS-owned keys, so with
            RabbitMQ the key encrypts the secret only.
        :param maintenance_window: When Amazon MQ may apply patch upgrades (automatic minor
            version upgrades are always on). Default: a window Amazon MQ chooses.
        :param create_log_resource_policy: Create the CloudWatch Logs resource policy that
            lets Amazon MQ write this broker's logs. An account holds at most 10 such
            policies per Region; pass ``False`` where an account-wide policy for
            ``/aws/amazonmq/*`` already exists. Default: ``True``.
        :param removal_policy: What happens to the broker, its admin secret and its key when
            they leave the stack (deletion, or replacement by an edit). Default: ``DESTROY``:
            a broker holds messages in transit, as a queue does, so it goes with the stack
            (drain it first), and its secret and key follow it (a deleted key waits out
            KMS's 30-day pending window). ``RETAIN`` keeps all three; a retained broker keeps
            its name, so deploying the same stack again needs it deleted or renamed first.
        :param alarm_actions: Actions for every alarm, on alarm and on return to OK.
            Default: none (the alarms are still created).
        """
        super().__init__(scope, construct_id)
        settings = broker_settings(
            engine=engine,
            engine_version=engine_version,
            host_instance_type=host_instance_type,
            single_instance=single_instance,
            protocols=protocols,
            console_access=console_access,
            audit_log=audit_log,
            broker_name=broker_name,
            admin_username=admin_username,
            maintenance_window=maintenance_window,
        )
        network.check_allowed_peers(allowed_peers)
        subnet_ids = network.select_subnets(vpc, vpc_subnets, settings.deployment_mode)

        self._engine = engine
        self._deployment_mode = settings.deployment_mode
        self._ports = settings.ports
        self._alarm_actions = tuple(alarm_actions)  # for add_lambda_consumer
        # A generated name is resolved at synth from the broker's final create-only
        # properties, so changes made through ``broker`` after construction count as well.
        self._broker_name, generated = self._name_of(broker_name)
        node = self.node
        self._path = path = node.path
        self._encryption_key = self._key_of(encryption_key, removal_policy, path)
        self._security_group, self._connections = self._create_security_group(vpc, path)
        for peer in allowed_peers:
            self.allow_clients_from(peer)
        self._admin_secret = create_admin_secret(
            self,
            "AdminSecret",
            broker_name=self._broker_name,
            admin_username=admin_username,
            encryption_key=self._encryption_key,
            removal_policy=removal_policy,
        )
        self._broker = self._create_broker(settings, subnet_ids, removal_policy)
        # The main child is "Broker", not "Resource" (its ID is a contract): name it the
        # default child so that escape hatches work as on any CDK construct.
        node.default_child = self._broker
        if generated is not None:
            generated.attach(self._broker)
        self._log_resource_policy = (
            self._create_log_resource_policy() if create_log_resource_policy else None
        )
        self._endpoints: dict[BrokerProtocol, list[str]] = {
            protocol: network.endpoint_attribute(self._broker, protocol)
            for protocol in settings.protocols
        }
        self._alarms = monitoring.create_alarms(self, settings.deployment_mode, alarm_actions)
        node.add_validation(_BrokerValidation(self, path, self._valid_broker_name))

    def _name_of(self, broker_name: str | None) -> tuple[str, GeneratedBrokerName | None]:
        """The given name, or a generated one (to attach to the broker once it exists).

        Either is known valid unless a token (a literal was checked), so the final check
        skips it unless changed through the L1.
        """
        if broker_name is not None:
            literal = not Token.is_unresolved(broker_name)
            self._valid_broker_name: str | None = broker_name if literal else None
            return broker_name, None
        generated = GeneratedBrokerName(self)
        self._valid_broker_name = generated.token
        return generated.token, generated

    def _key_of(
        self, encryption_key: kms.IKey | None, removal_policy: RemovalPolicy, path: str
    ) -> kms.IKey:
        """The given key (RabbitMQ: for the secret only, with a warning), or a new one."""
        if encryption_key is not None:
            if self._engine == BrokerEngine.RABBITMQ:
                Annotations.of(self).add_warning_v2(
                    "patterns:AmazonMqBroker:RabbitMqKey",
                    "RabbitMQ brokers only support AWS-owned keys for data at rest: "
                    "encryption_key encrypts the admin secret only",
                )
            return encryption_key
        return kms.Key(
            self,
            "EncryptionKey",
            description=f"Encrypts the broker and admin secret of {path}",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )

    def _create_security_group(
        self, vpc: ec2.IVpc, path: str
    ) -> tuple[ec2.SecurityGroup, ec2.Connections]:
        """The broker's security group (no egress) and its connections on the first port."""
        group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=f"Clients of the Amazon MQ broker {path}",
            allow_all_outbound=False,
        )
        connections = ec2.Connections(
            security_groups=[group], default_port=ec2.Port.tcp(self._ports[0])
        )
        return group, connections

    def _create_broker(
        self, settings: BrokerSettings, subnet_ids: list[str], removal_policy: RemovalPolicy
    ) -> amazonmq.CfnBroker:
        """The ``CfnBroker`` child ``Broker``: private, TLS, logs on, the default child."""
        broker = amazonmq.CfnBroker(
            self,
            "Broker",
            broker_name=self._broker_name,
            engine_type=settings.engine.value,
            engine_version=settings.engine_version,
            host_instance_type=settings.host_instance_type,
            deployment_mode=settings.deployment_mode,
            publicly_accessible=False,
            subnet_ids=subnet_ids,
            security_groups=[self._security_group.security_group_id],
            authentication_strategy="SIMPLE",
            auto_minor_version_upgrade=True,
            encryption_options=_encryption_options(settings.engine, self._encryption_key),
            logs=_log_list(settings),
            maintenance_window_start_time=_maintenance_window(settings.maintenance_window),
            users=[
                admin_user(
                    self._admin_secret,
                    engine=settings.engine,
                    admin_username=settings.admin_username,
                    console_access=settings.console_access,
                )
            ],
        )
        broker.apply_removal_policy(removal_policy)
        return broker

    def _create_log_resource_policy(self) -> logs.ResourcePolicy:
        """The log resource policy, which the broker waits for (Amazon MQ checks for it)."""
        policy = log_policy.create_log_resource_policy(
            self, "LogPublishingPolicy", broker_name=self._broker_name
        )
        self._broker.node.add_dependency(policy)
        return policy

    # -- metrics --------------------------------------------------------------------------

    def metric(
        self, metric_name: str, *, instance: int | None = None, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """The metric ``metric_name`` of this broker (namespace ``AWS/AmazonMQ``).

        For a metric without a method of its own, for example ``"TotalMessageCount"``
        (ActiveMQ) or ``"QueueCount"`` (RabbitMQ). ActiveMQ publishes per broker instance,
        RabbitMQ per broker (the sum over the nodes of a cluster).

        :param metric_name: The metric's name as Amazon MQ publishes it.
        :param instance: ActiveMQ: 1, or 2 for the standby of an active/standby pair.
            RabbitMQ: leave it out (``ValueError`` otherwise). Default: 1 for ActiveMQ.
        :param props: ``cloudwatch.MetricOptions`` keywords (``statistic``, ``period``,
            ``label``, ...). Default: the average over 5 minutes.
        :raises ValueError: For an instance the broker does not have.
        """
        if self._engine == BrokerEngine.RABBITMQ:
            if instance is not None:
                raise ValueError(
                    f"instance {instance} given for the RabbitMQ broker {self._path}: "
                    "RabbitMQ publishes per broker (the sum over its nodes); leave instance out"
                )
        else:
            instance = 1 if instance is None else instance
            instances = monitoring.instance_numbers(self._deployment_mode)
            if instance not in instances:
                raise ValueError(
                    f"instance {instance} of the ActiveMQ broker {self._path} does not "
                    f"exist; use {' or '.join(map(str, instances))}"
                )
        return monitoring.broker_metric(
            self._broker_name, metric_name, instance=instance, props=props
        )

    def metric_cpu_utilization(
        self, *, instance: int = 1, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """ActiveMQ ``CpuUtilization`` (%) of ``instance``. Default: maximum over 5 minutes.

        :param instance: 1, or 2 for the standby of an active/standby pair. Default: 1.
        """
        return self._engine_metric(BrokerEngine.ACTIVEMQ, "CpuUtilization", instance, props)

    def metric_heap_usage(
        self, *, instance: int = 1, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """ActiveMQ ``HeapUsage`` (% of the JVM limit) of ``instance``.

        Default: maximum over 5 minutes.

        :param instance: 1, or 2 for the standby of an active/standby pair. Default: 1.
        """
        return self._engine_metric(BrokerEngine.ACTIVEMQ, "HeapUsage", instance, props)

    def metric_store_percent_usage(
        self, *, instance: int = 1, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """ActiveMQ ``StorePercentUsage`` of ``instance``. Default: maximum over 5 minutes.

        :param instance: 1, or 2 for the standby of an active/standby pair. Default: 1.
        """
        return self._engine_metric(BrokerEngine.ACTIVEMQ, "StorePercentUsage", instance, props)

    def metric_current_connections_count(
        self, *, instance: int = 1, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """ActiveMQ ``CurrentConnectionsCount`` of ``instance``.

        Default: maximum over 5 minutes.

        :param instance: 1, or 2 for the standby of an active/standby pair. Default: 1.
        """
        return self._engine_metric(
            BrokerEngine.ACTIVEMQ, "CurrentConnectionsCount", instance, props
        )

    def metric_system_cpu_utilization(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """RabbitMQ ``SystemCpuUtilization`` (%, summed over nodes).

        Default: maximum over 5 minutes.
        """
        return self._engine_metric(BrokerEngine.RABBITMQ, "SystemCpuUtilization", None, props)

    def metric_rabbit_mq_mem_used(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """RabbitMQ ``RabbitMQMemUsed`` (bytes). Default: maximum over 5 minutes."""
        return self._engine_metric(BrokerEngine.RABBITMQ, "RabbitMQMemUsed", None, props)

    def metric_rabbit_mq_mem_limit(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """RabbitMQ ``RabbitMQMemLimit`` (bytes). Default: maximum over 5 minutes."""
        return self._engine_metric(BrokerEngine.RABBITMQ, "RabbitMQMemLimit", None, props)

    def metric_rabbit_mq_disk_free(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """RabbitMQ ``RabbitMQDiskFree`` (bytes). Default: minimum over 5 minutes."""
        return self._engine_metric(
            BrokerEngine.RABBITMQ,
            "RabbitMQDiskFree",
            None,
            props,
            statistic=MINIMUM,
        )

    def metric_rabbit_mq_disk_free_limit(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """RabbitMQ ``RabbitMQDiskFreeLimit`` (bytes). Default: maximum over 5 minutes."""
        return self._engine_metric(BrokerEngine.RABBITMQ, "RabbitMQDiskFreeLimit", None, props)

    def metric_connection_count(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """RabbitMQ ``ConnectionCount``. Default: maximum over 5 minutes."""
        return self._engine_metric(BrokerEngine.RABBITMQ, "ConnectionCount", None, props)

    def metric_message_count(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """RabbitMQ ``MessageCount`` (ready and unacknowledged).

        Default: maximum over 5 minutes.
        """
        return self._engine_metric(BrokerEngine.RABBITMQ, "MessageCount", None, props)

    def _engine_metric(
        self,
        engine: BrokerEngine,
        metric_name: str,
        instance: int | None,
        props: MetricOptions,
        *,
        statistic: str = _MAXIMUM,
    ) -> cloudwatch.Metric:
        if self._engine != engine:
            raise ValueError(
                f"{metric_name} is a metric of {engine.value} brokers, but {self._path} "
                f"runs {self._engine.value}: use the metric_* methods of its engine"
            )
        options: MetricOptions = {"statistic": statistic}
        options.update(props)
        return self.metric(metric_name, instance=instance, **options)

    # -- public API -----------------------------------------------------------------------

    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None:
        """Add this broker's section to ``dashboard``.

        ActiveMQ: CPU, JVM heap, persistent store and connections of each instance (the
        standby of an active/standby pair publishes too). RabbitMQ: CPU, memory against its
        limit, free disk against its limit, connections and messages (sums over the nodes of
        a cluster). Then every alarm with its threshold. Adding it to the same dashboard again
        adds nothing. Call it after ``add_lambda_consumer``: the section draws the alarms
        listed at that time.

        :param dashboard: The dashboard to add the section to, for example
            ``cloudwatch.Dashboard(stack, "Dashboard")``.
        """
        monitoring.add_to_dashboard(
            self, dashboard, self._alarms, deployment_mode=self._deployment_mode, path=self._path
        )

    def allow_clients_from(self, peer: ec2.IPeer) -> None:
        """Open exactly this broker's client ports (and console port, if on) to ``peer``.

        :param peer: Who may connect, for example ``ec2.Peer.security_group_id(...)`` or
            ``ec2.Peer.ipv4("10.0.0.0/16")``; ``0.0.0.0/0`` and ``::/0`` are refused with
            ``ValueError``. For a construct with ``connections``,
            ``client.connections.allow_to(broker, port)`` works too.
        """
        network.check_peer("peer", peer)
        for port in self._ports:
            self._security_group.add_ingress_rule(
                peer, ec2.Port.tcp(port), f"Amazon MQ clients on TCP {port} (TLS)"
            )

    def add_lambda_consumer(
        self,
        consumer_id: str,
        function: lambda_.IFunction,
        *,
        queue_name: str,
        secret: secretsmanager.ISecret | None = None,
        virtual_host: str | None = None,
        batch_size: int = limits.LAMBDA_MQ_BATCH_SIZE_DEFAULT,
        max_batching_window: Duration | None = None,
    ) -> LambdaBrokerConsumer:
        """Let ``function`` consume the queue ``queue_name`` (child ``consumer_id``).

        Lambda polls from the broker's VPC with the broker's security group, which is opened
        to itself on the poller port and to HTTPS; a function in another VPC is refused.
        The alarms use this broker's ``alarm_actions`` and join ``alarms``. The options are
        those of [`LambdaBrokerConsumer`][patterns.LambdaBrokerConsumer].

        :param consumer_id: ID of the consumer under this broker; unique among its children.
        :param function: The function to invoke: outside any VPC, or in the broker's VPC.
        :param queue_name: The queue to consume (1 to 1,000 characters).
        :param secret: A secret with the ``username`` and ``password`` of the broker user
            Lambda signs in as. Default: the broker's admin secret; a dedicated user that may
            only read this queue is better where the engine allows it.
        :param virtual_host: RabbitMQ only: the virtual host of the queue, 1 to 200
            characters. Default: ``/``.
        :param batch_size: Messages per invocation, 1 to 10,000. Default: 100.
        :param max_batching_window: How long to gather messages before invoking, 0 to
            5 minutes in whole seconds. Default: Lambda's (500 ms).
        :returns: The [`LambdaBrokerConsumer`][patterns.LambdaBrokerConsumer], with its event
            source mapping and alarms.
        """
        from patterns.consumers.broker_lambda import LambdaBrokerConsumer
        from patterns.consumers.common import check_free_id

        check_free_id(self, consumer_id)
        consumer = LambdaBrokerConsumer(
            self,
            consumer_id,
            broker=self,
            function=function,
            queue_name=queue_name,
            secret=secret,
            virtual_host=virtual_host,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            alarm_actions=self._alarm_actions,
        )
        self._alarms.extend(consumer.alarms)  # listed (and drawn) with the broker's own
        return consumer

    def grant_read_admin_secret(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the admin username and password (and decrypt them).

        :param grantee: A role, user or function that signs in as the admin, for example a
            job that creates the application's users.
        :returns: The grant of the IAM statements added to ``grantee``'s policy.
        """
        return self._admin_secret.grant_read(grantee)

    @property
    def broker(self) -> amazonmq.CfnBroker:
        """The ``AWS::AmazonMQ::Broker`` resource (also ``node.default_child``)."""
        return self._broker

    @property
    def broker_name(self) -> str:
        """The broker's name (the ``Broker`` dimension of its metrics).

        A generated name is a token, resolved at synth from the final create-only properties.
        """
        return self._broker_name

    @property
    def engine(self) -> BrokerEngine:
        """The broker engine."""
        return self._engine

    @property
    def security_group(self) -> ec2.ISecurityGroup:
        """The broker's security group: ingress on the chosen ports from the chosen peers."""
        return self._security_group

    @property
    def connections(self) -> ec2.Connections:
        """Network connections of the broker (its security group; default port: the first)."""
        return self._connections

    @property
    def admin_secret(self) -> secretsmanager.ISecret:
        """The secret with the admin user's ``username`` and ``password``."""
        return self._admin_secret

    @property
    def encryption_key(self) -> kms.IKey:
        """The key of the admin secret and (ActiveMQ) the broker's data at rest."""
        return self._encryption_key

    @property
    def endpoints(self) -> dict[BrokerProtocol, list[str]]:
        """Per chosen protocol, the broker's endpoint URLs (one per broker instance)."""
        return dict(self._endpoints)

    @property
    def console_urls(self) -> list[str]:
        """The web console URLs (reachable only with ``console_access=True``)."""
        return self._broker.attr_console_ur_ls

    @property
    def log_resource_policy(self) -> logs.ResourcePolicy | None:
        """The CloudWatch Logs resource policy for the broker's logs, if this pattern made it."""
        return self._log_resource_policy

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """CPU, memory (ActiveMQ heap) and storage alarms, then those of each Lambda consumer."""
        return list(self._alarms)


def _encryption_options(
    engine: BrokerEngine, key: kms.IKey
) -> amazonmq.CfnBroker.EncryptionOptionsProperty:
    """ActiveMQ: the customer-managed key; RabbitMQ takes AWS-owned keys only."""
    if engine == BrokerEngine.ACTIVEMQ:
        return amazonmq.CfnBroker.EncryptionOptionsProperty(
            use_aws_owned_key=False, kms_key_id=key.key_arn
        )
    return amazonmq.CfnBroker.EncryptionOptionsProperty(use_aws_owned_key=True)


def _log_list(settings: BrokerSettings) -> amazonmq.CfnBroker.LogListProperty:
    """General logs always; the audit log is ActiveMQ's only."""
    if settings.engine == BrokerEngine.ACTIVEMQ:
        return amazonmq.CfnBroker.LogListProperty(general=True, audit=settings.audit_log)
    return amazonmq.CfnBroker.LogListProperty(general=True)


def _maintenance_window(
    window: MaintenanceWindow | None,
) -> amazonmq.CfnBroker.MaintenanceWindowProperty | None:
    if window is None:
        return None
    return amazonmq.CfnBroker.MaintenanceWindowProperty(
        day_of_week=window.day_of_week.upper(),
        time_of_day=window.time_of_day,
        time_zone=window.time_zone,
    )


@jsii.implements(IValidation)
class _BrokerValidation:
    """At synth, over the final tree: no world-open security group, names within limits."""

    def __init__(self, broker: AmazonMqBroker, path: str, valid_name: str | None) -> None:
        self._broker = broker
        self._path = path
        self._valid_name = valid_name

    def validate(self) -> list[str]:
        broker = self._broker
        path = self._path
        errors = network.world_open_errors(
            f"the security group of the Amazon MQ broker {path}",
            network.ingress_ranges(broker.broker),
        )
        errors += broker_name_errors(broker.broker, path, valid=self._valid_name)
        if broker.log_resource_policy is not None:
            errors += log_policy.log_policy_name_errors(broker.log_resource_policy, path)
        return errors
