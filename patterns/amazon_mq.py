"""``AmazonMqBroker``: a private, highly available Amazon MQ broker (ActiveMQ or RabbitMQ).

For applications that speak open protocols (OpenWire, AMQP, STOMP, MQTT, WSS) and cannot be
re-engineered for SQS and SNS. aws-cdk-lib only has the L1 ``CfnBroker``; this pattern adds
the secure defaults around it: private subnets, a security group that opens exactly the
chosen ports to exactly the chosen peers, a generated admin password that reaches the broker
as a Secrets Manager dynamic reference, CloudWatch logs with their resource policy, a
customer-managed key (ActiveMQ) and alarms on CPU, memory and storage.
"""

from __future__ import annotations

import ipaddress
import json
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import (
    Annotations,
    ArnFormat,
    Duration,
    IStableStringProducer,
    Lazy,
    RemovalPolicy,
    Stack,
    Token,
)
from aws_cdk import aws_amazonmq as amazonmq
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct, IValidation

from patterns import dashboards
from patterns.alarms import create_alarm
from patterns.compliance import acknowledge_all
from patterns.naming import check_name_length, physical_name
from patterns.validation import check_unique

if TYPE_CHECKING:
    from aws_cdk import aws_lambda as lambda_

    from patterns.consumers.broker_lambda import LambdaBrokerConsumer


class BrokerEngine(Enum):
    """The broker engine; the value is CloudFormation's ``EngineType``."""

    ACTIVEMQ = "ACTIVEMQ"
    RABBITMQ = "RABBITMQ"


class BrokerProtocol(Enum):
    """A wire protocol clients use; :data:`PROTOCOL_PORTS` gives its TLS port per engine."""

    OPENWIRE = "OPENWIRE"
    AMQP = "AMQP"
    STOMP = "STOMP"
    MQTT = "MQTT"
    WSS = "WSS"


# The TLS listener ports Amazon MQ opens per engine and protocol (developer guide,
# "Amazon MQ for ActiveMQ/RabbitMQ" > "Listener ports"). RabbitMQ only speaks AMQP 0-9-1
# over TLS (AMQPS) to clients.
PROTOCOL_PORTS: Mapping[BrokerEngine, Mapping[BrokerProtocol, int]] = {
    BrokerEngine.ACTIVEMQ: {
        BrokerProtocol.OPENWIRE: 61617,
        BrokerProtocol.AMQP: 5671,
        BrokerProtocol.STOMP: 61614,
        BrokerProtocol.MQTT: 8883,
        BrokerProtocol.WSS: 61619,
    },
    BrokerEngine.RABBITMQ: {BrokerProtocol.AMQP: 5671},
}
# The web console (ActiveMQ web console; RabbitMQ management UI and HTTP API).
CONSOLE_PORTS: Mapping[BrokerEngine, int] = {
    BrokerEngine.ACTIVEMQ: 8162,
    BrokerEngine.RABBITMQ: 443,
}
DEFAULT_PROTOCOLS: Mapping[BrokerEngine, tuple[BrokerProtocol, ...]] = {
    BrokerEngine.ACTIVEMQ: (BrokerProtocol.OPENWIRE,),
    BrokerEngine.RABBITMQ: (BrokerProtocol.AMQP,),
}

_M5 = ("mq.m5.large", "mq.m5.xlarge", "mq.m5.2xlarge", "mq.m5.4xlarge")
_M7G = (
    "mq.m7g.medium",
    "mq.m7g.large",
    "mq.m7g.xlarge",
    "mq.m7g.2xlarge",
    "mq.m7g.4xlarge",
    "mq.m7g.8xlarge",
    "mq.m7g.12xlarge",
    "mq.m7g.16xlarge",
)
MICRO_INSTANCE_TYPE = "mq.t3.micro"
# Engine versions Amazon MQ supports for new brokers, newest first, with the host instance
# types each accepts (version-management and instance-type pages of the developer guide).
# ActiveMQ runs on mq.m5 (and mq.t3.micro); RabbitMQ 4 only on mq.m7g.
SUPPORTED_VERSIONS: Mapping[BrokerEngine, Mapping[str, tuple[str, ...]]] = {
    BrokerEngine.ACTIVEMQ: {
        "5.19": (MICRO_INSTANCE_TYPE, *_M5),
        "5.18": (MICRO_INSTANCE_TYPE, *_M5),
    },
    BrokerEngine.RABBITMQ: {
        "4.2": _M7G,
        "3.13": (MICRO_INSTANCE_TYPE, *_M5, *_M7G),
    },
}
DEFAULT_ENGINE_VERSIONS: Mapping[BrokerEngine, str] = {
    BrokerEngine.ACTIVEMQ: "5.19",
    BrokerEngine.RABBITMQ: "4.2",
}
DEFAULT_INSTANCE_TYPES: Mapping[BrokerEngine, str] = {
    BrokerEngine.ACTIVEMQ: "mq.m5.large",
    BrokerEngine.RABBITMQ: "mq.m7g.large",
}
# Deployment modes: high availability unless single_instance=True, and how many subnets each
# takes (CreateBroker "subnetIds": one, exactly two, or one per AZ up to three for a cluster).
HA_MODES: Mapping[BrokerEngine, str] = {
    BrokerEngine.ACTIVEMQ: "ACTIVE_STANDBY_MULTI_AZ",
    BrokerEngine.RABBITMQ: "CLUSTER_MULTI_AZ",
}
SINGLE_INSTANCE_MODE = "SINGLE_INSTANCE"
SUBNET_COUNTS: Mapping[str, tuple[int, int]] = {
    SINGLE_INSTANCE_MODE: (1, 1),
    "ACTIVE_STANDBY_MULTI_AZ": (2, 2),
    "CLUSTER_MULTI_AZ": (1, 3),
}

BROKER_NAME_MAX_LENGTH = 50
# AWS::Logs::ResourcePolicy PolicyName: 1 to 255 characters, none of ":", "*" or "/".
LOG_POLICY_NAME_MAX_LENGTH = 255
LOG_POLICY_NAME_SUFFIX = "-MqLogs"
# AWS::AmazonMQ::Broker createOnlyProperties (the resource schema cfn-lint ships), BrokerName
# aside: a change to any of them replaces the broker, so a generated name ends with their
# digest and the replacement can be created under a new name before the old one is deleted.
CREATE_ONLY_PROPERTIES: Mapping[str, str] = {
    "AuthenticationStrategy": "authentication_strategy",
    "DeploymentMode": "deployment_mode",
    "EncryptionOptions": "encryption_options",
    "EngineType": "engine_type",
    "PubliclyAccessible": "publicly_accessible",
    "StorageType": "storage_type",
    "SubnetIds": "subnet_ids",
}
# Inline security group rules resolve with the L2's (camelCase) or CloudFormation's keys.
_CIDR_KEYS = ("cidrIp", "cidrIpv6", "CidrIp", "CidrIpv6")
_BROKER_NAME_PATTERN = re.compile(r"^[0-9A-Za-z_-]{1,50}$")
_USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.~-]{2,100}$")
_TIME_OF_DAY_PATTERN = re.compile(r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$")
# Amazon MQ takes a "Country/City" (IANA) time zone or a UTC offset (AWS::AmazonMQ::Broker
# MaintenanceWindow.TimeZone). Offsets: an optional UTC or GMT, a sign, 0 to 14 hours and
# optional minutes (UTC+02:00, -05:30); names: the IANA database Python ships (zoneinfo).
_UTC_OFFSET_PATTERN = re.compile(r"^(UTC|GMT)?[+-](0?[0-9]|1[0-4])(:[0-5][0-9])?$")
DAYS_OF_WEEK = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
DEFAULT_ADMIN_USERNAME = "admin"
# Amazon MQ passwords: 12 to 250 characters, at least 4 unique, no commas, colons or equals
# signs. Letters and digits only (no punctuation at all) also keep the password safe inside
# connection URIs; 32 of 62 symbols with every type present gives far more than 4 unique.
PASSWORD_LENGTH = 32

ALARM_THRESHOLD_PERCENT = 80
ALARM_PERIOD = Duration.minutes(5)
ALARM_EVALUATION_PERIODS = 3
# RabbitMQ blocks publishers when free disk falls below RabbitMQDiskFreeLimit; alarm while
# there is still room: when free disk is less than twice that limit.
DISK_FREE_ALARM_RATIO = 2
NAMESPACE = "AWS/AmazonMQ"


@dataclass(frozen=True)
class MaintenanceWindow:
    """The weekly start of the maintenance window, when Amazon MQ applies patch upgrades.

    :param day_of_week: ``MONDAY`` to ``SUNDAY``.
    :param time_of_day: 24-hour ``HH:MM``, for example ``"03:00"``.
    :param time_zone: ``UTC`` (default), an IANA ``Country/City`` time zone such as
        ``Europe/Berlin``, or a UTC offset such as ``UTC+02:00``.
    """

    day_of_week: str
    time_of_day: str
    time_zone: str = "UTC"


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
            clients later with :meth:`allow_clients_from`.
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
        self._alarm_actions = tuple(alarm_actions)  # for add_lambda_consumer

        stack = Stack.of(self)
        version = engine_version or DEFAULT_ENGINE_VERSIONS[engine]
        instance_type = host_instance_type or DEFAULT_INSTANCE_TYPES[engine]
        chosen_protocols = tuple(protocols) if protocols is not None else DEFAULT_PROTOCOLS[engine]
        deployment_mode = SINGLE_INSTANCE_MODE if single_instance else HA_MODES[engine]
        publish_audit_log = (engine == BrokerEngine.ACTIVEMQ) if audit_log is None else audit_log
        _validate(
            engine=engine,
            engine_version=version,
            host_instance_type=instance_type,
            deployment_mode=deployment_mode,
            protocols=chosen_protocols,
            allowed_peers=allowed_peers,
            broker_name=broker_name,
            admin_username=admin_username,
            audit_log=publish_audit_log,
            maintenance_window=maintenance_window,
        )
        subnet_ids = _select_subnets(vpc, vpc_subnets, deployment_mode)

        self._engine = engine
        self._ports = tuple(PROTOCOL_PORTS[engine][protocol] for protocol in chosen_protocols)
        if console_access:
            self._ports += (CONSOLE_PORTS[engine],)
        # A generated name is resolved at synth from the broker's final create-only
        # properties, so changes made through ``broker`` after construction count as well.
        # Resolved once (the name appears in dozens of places: alarms, policies, outputs),
        # when synthesis first needs it, by which time the construct tree is final.
        name = broker_name or Lazy.string(_GeneratedBrokerName(self))
        self._broker_name = name

        if encryption_key is not None and engine == BrokerEngine.RABBITMQ:
            Annotations.of(self).add_warning_v2(
                "patterns:AmazonMqBroker:RabbitMqKey",
                "RabbitMQ brokers only support AWS-owned keys for data at rest: "
                "encryption_key encrypts the admin secret only",
            )
        self._encryption_key: kms.IKey = encryption_key or kms.Key(
            self,
            "EncryptionKey",
            description=f"Encrypts the broker and admin secret of {self.node.path}",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )

        self._security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=f"Clients of the Amazon MQ broker {self.node.path}",
            allow_all_outbound=False,
        )
        self._connections = ec2.Connections(
            security_groups=[self._security_group],
            default_port=ec2.Port.tcp(self._ports[0]),
        )
        for peer in allowed_peers:
            self.allow_clients_from(peer)

        self._admin_secret = secretsmanager.Secret(
            self,
            "AdminSecret",
            description=f"Admin user of the Amazon MQ broker {name}",
            encryption_key=self._encryption_key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"username": admin_username}),
                generate_string_key="password",
                password_length=PASSWORD_LENGTH,
                exclude_punctuation=True,
                include_space=False,
                require_each_included_type=True,
            ),
            removal_policy=removal_policy,
        )
        rotation_reason = (
            "Amazon MQ has no managed rotation for broker users: a rotated secret would no "
            "longer match the broker's password. Change it deliberately through a stack update."
        )
        acknowledge_all(
            self._admin_secret,
            {
                "AwsSolutions::AwsSolutions-SMG4": rotation_reason,
                "NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled": rotation_reason,
                "HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled": rotation_reason,
            },
        )

        admin_user: dict[str, object] = {
            "username": admin_username,
            "password": self._admin_secret.secret_value_from_json("password").unsafe_unwrap(),
        }
        if engine == BrokerEngine.ACTIVEMQ:
            admin_user["console_access"] = console_access
            admin_user["groups"] = ["admin"]

        log_list: dict[str, bool] = {"general": True}
        if engine == BrokerEngine.ACTIVEMQ:
            log_list["audit"] = publish_audit_log

        encryption = (
            amazonmq.CfnBroker.EncryptionOptionsProperty(
                use_aws_owned_key=False, kms_key_id=self._encryption_key.key_arn
            )
            if engine == BrokerEngine.ACTIVEMQ
            else amazonmq.CfnBroker.EncryptionOptionsProperty(use_aws_owned_key=True)
        )
        window = (
            amazonmq.CfnBroker.MaintenanceWindowProperty(
                day_of_week=maintenance_window.day_of_week.upper(),
                time_of_day=maintenance_window.time_of_day,
                time_zone=maintenance_window.time_zone,
            )
            if maintenance_window
            else None
        )

        self._broker = amazonmq.CfnBroker(
            self,
            "Broker",
            broker_name=name,
            engine_type=engine.value,
            engine_version=version,
            host_instance_type=instance_type,
            deployment_mode=deployment_mode,
            publicly_accessible=False,
            subnet_ids=subnet_ids,
            security_groups=[self._security_group.security_group_id],
            authentication_strategy="SIMPLE",
            auto_minor_version_upgrade=True,
            encryption_options=encryption,
            logs=amazonmq.CfnBroker.LogListProperty(**log_list),
            maintenance_window_start_time=window,
            users=[amazonmq.CfnBroker.UserProperty(**admin_user)],  # type: ignore[arg-type]
        )
        self._broker.apply_removal_policy(removal_policy)

        self._log_resource_policy: logs.ResourcePolicy | None = None
        if create_log_resource_policy:
            self._log_resource_policy = logs.ResourcePolicy(
                self,
                "LogPublishingPolicy",
                # The account-wide name: the stack name and position, never the path alone.
                resource_policy_name=physical_name(
                    self,
                    max_length=LOG_POLICY_NAME_MAX_LENGTH,
                    separator="-",
                    suffix=LOG_POLICY_NAME_SUFFIX,
                ),
                policy_statements=[
                    iam.PolicyStatement(
                        sid="AllowAmazonMqBrokerLogs",
                        principals=[iam.ServicePrincipal("mq.amazonaws.com")],
                        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[
                            stack.format_arn(
                                service="logs",
                                resource="log-group",
                                resource_name="/aws/amazonmq/broker/*",
                                arn_format=ArnFormat.COLON_RESOURCE_NAME,
                            )
                        ],
                        conditions={
                            "StringEquals": {"aws:SourceAccount": stack.account},
                            "ArnLike": {
                                "aws:SourceArn": stack.format_arn(
                                    service="mq",
                                    resource="broker",
                                    resource_name=f"{name}:*",
                                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                                )
                            },
                        },
                    )
                ],
            )
            # Amazon MQ checks for the policy when it creates the broker.
            self._broker.node.add_dependency(self._log_resource_policy)

        self._endpoints: dict[BrokerProtocol, list[str]] = {
            protocol: _endpoint_attribute(self._broker, protocol) for protocol in chosen_protocols
        }
        self._alarms = (
            self._activemq_alarms(deployment_mode, alarm_actions)
            if engine == BrokerEngine.ACTIVEMQ
            else self._rabbitmq_alarms(deployment_mode, alarm_actions)
        )
        self.node.add_validation(_BrokerValidation(self))

    # -- naming and invariants over the final tree -------------------------------------------

    def _generated_name(self) -> str:
        broker = self._broker
        create_only = {
            cfn_name: getattr(broker, attribute)
            for cfn_name, attribute in CREATE_ONLY_PROPERTIES.items()
            if getattr(broker, attribute) is not None
        }
        return physical_name(
            self, max_length=BROKER_NAME_MAX_LENGTH, separator="-", create_only=create_only
        )

    def _ingress_ranges(self) -> list[str]:
        """Every CIDR range the broker's final security groups admit.

        The groups are those the ``broker`` lists at synth (ours, and any added through it);
        their rules are the inline ones and every ``AWS::EC2::SecurityGroupIngress`` of the
        app that targets them, whoever added it (``connections``, another stack).
        """
        group_ids = {
            group for group in (self._broker.security_groups or []) if isinstance(group, str)
        }
        ranges: list[Any] = []
        for construct in self.node.root.node.find_all():
            if isinstance(construct, ec2.CfnSecurityGroup) and construct.attr_group_id in group_ids:
                inline = Stack.of(construct).resolve(construct.security_group_ingress) or []
                for rule in inline if isinstance(inline, list) else []:
                    if isinstance(rule, dict):
                        ranges += [rule.get(key) for key in _CIDR_KEYS]
            elif (
                isinstance(construct, ec2.CfnSecurityGroupIngress)
                and construct.group_id in group_ids
            ):
                ranges += [construct.cidr_ip, construct.cidr_ipv6]
        return [
            cidr
            for cidr in ranges
            if isinstance(cidr, str) and cidr and not Token.is_unresolved(cidr)
        ]

    def _validate_final_state(self) -> list[str]:
        errors = _world_open_errors(
            f"the security group of the Amazon MQ broker {self.node.path}", self._ingress_ranges()
        )
        name = Stack.of(self).resolve(self._broker.broker_name)
        if (
            isinstance(name, str)
            and not Token.is_unresolved(name)
            and not _BROKER_NAME_PATTERN.match(name)
        ):
            errors.append(
                f"BrokerName {name!r} of {self.node.path} must be 1 to "
                f"{BROKER_NAME_MAX_LENGTH} letters, digits, hyphens and underscores"
            )
        if self._log_resource_policy is not None:
            policy = self._log_resource_policy.node.default_child
            assert isinstance(policy, logs.CfnResourcePolicy)
            try:
                check_name_length(
                    "PolicyName",
                    policy.policy_name,
                    LOG_POLICY_NAME_MAX_LENGTH,
                    f"the log resource policy of {self.node.path}",
                )
            except ValueError as error:
                errors.append(str(error))
        return errors

    # -- alarms ---------------------------------------------------------------------------

    def _activemq_alarms(
        self, deployment_mode: str, actions: Sequence[cloudwatch.IAlarmAction]
    ) -> list[cloudwatch.Alarm]:
        # ActiveMQ publishes per broker instance: dimension Broker = "<name>-1" (and "-2"
        # for the standby of an active/standby pair). The alarm watches the higher of both.
        instances = [1] if deployment_mode == SINGLE_INSTANCE_MODE else [1, 2]
        alarms = []
        for construct_id, metric_name, what in (
            ("CpuUtilizationAlarm", "CpuUtilization", "CPU utilization"),
            ("HeapUsageAlarm", "HeapUsage", "JVM heap usage"),
            ("StorePercentUsageAlarm", "StorePercentUsage", "persistent store usage"),
        ):
            using = {
                f"i{index}": cloudwatch.Metric(
                    namespace=NAMESPACE,
                    metric_name=metric_name,
                    dimensions_map={"Broker": f"{self._broker_name}-{index}"},
                    statistic=cloudwatch.Stats.MAXIMUM,
                    period=ALARM_PERIOD,
                )
                for index in instances
            }
            alarms.append(
                create_alarm(
                    self,
                    construct_id,
                    metric=cloudwatch.MathExpression(
                        expression=f"MAX([{', '.join(using)}])",
                        using_metrics=using,
                        label=f"{metric_name} (highest instance)",
                        period=ALARM_PERIOD,
                    ),
                    threshold=ALARM_THRESHOLD_PERCENT,
                    evaluation_periods=ALARM_EVALUATION_PERIODS,
                    description=(
                        f"{what} of the Amazon MQ broker {self._broker_name} is at least "
                        f"{ALARM_THRESHOLD_PERCENT}%"
                    ),
                    actions=actions,
                )
            )
        return alarms

    def _rabbitmq_alarms(
        self, deployment_mode: str, actions: Sequence[cloudwatch.IAlarmAction]
    ) -> list[cloudwatch.Alarm]:
        # RabbitMQ node metrics with dimension Broker = "<name>" are sums over the nodes of
        # a cluster (three), so CPU is compared with 80% per node times the node count, and
        # memory and disk are compared as ratios of used to limit.
        nodes = 1 if deployment_mode == SINGLE_INSTANCE_MODE else 3

        def metric(metric_name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=NAMESPACE,
                metric_name=metric_name,
                dimensions_map={"Broker": self._broker_name},
                statistic=statistic,
                period=ALARM_PERIOD,
            )

        cpu = create_alarm(
            self,
            "SystemCpuUtilizationAlarm",
            metric=metric("SystemCpuUtilization", cloudwatch.Stats.MAXIMUM),
            threshold=ALARM_THRESHOLD_PERCENT * nodes,
            evaluation_periods=ALARM_EVALUATION_PERIODS,
            description=(
                f"CPU utilization of the Amazon MQ broker {self._broker_name} averages at "
                f"least {ALARM_THRESHOLD_PERCENT}% per node"
            ),
            actions=actions,
        )
        memory = create_alarm(
            self,
            "MemoryUsageAlarm",
            metric=cloudwatch.MathExpression(
                expression="100 * used / limit",
                using_metrics={
                    "used": metric("RabbitMQMemUsed", cloudwatch.Stats.MAXIMUM),
                    "limit": metric("RabbitMQMemLimit", cloudwatch.Stats.MAXIMUM),
                },
                label="RabbitMQ memory used, % of the memory limit",
                period=ALARM_PERIOD,
            ),
            threshold=ALARM_THRESHOLD_PERCENT,
            evaluation_periods=ALARM_EVALUATION_PERIODS,
            description=(
                f"RabbitMQ memory of {self._broker_name} is at least {ALARM_THRESHOLD_PERCENT}% "
                "of its limit; at 100% RabbitMQ blocks every publisher"
            ),
            actions=actions,
        )
        disk = create_alarm(
            self,
            "DiskFreeAlarm",
            metric=cloudwatch.MathExpression(
                expression="free / limit",
                using_metrics={
                    "free": metric("RabbitMQDiskFree", cloudwatch.Stats.MINIMUM),
                    "limit": metric("RabbitMQDiskFreeLimit", cloudwatch.Stats.MAXIMUM),
                },
                label="RabbitMQ free disk, multiple of the free-disk limit",
                period=ALARM_PERIOD,
            ),
            threshold=DISK_FREE_ALARM_RATIO,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=ALARM_EVALUATION_PERIODS,
            description=(
                f"Free disk of {self._broker_name} is at most {DISK_FREE_ALARM_RATIO} times "
                "RabbitMQ's free-disk limit, below which it blocks every publisher"
            ),
            actions=actions,
        )
        return [cpu, memory, disk]

    # -- public API -----------------------------------------------------------------------

    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None:
        """Add this broker's section to ``dashboard``.

        ActiveMQ: CPU, JVM heap, persistent store and connections of each instance (the
        standby of an active/standby pair publishes too). RabbitMQ: CPU, memory against its
        limit, free disk against its limit, connections and messages (sums over the nodes of
        a cluster). Then every alarm with its threshold.
        """
        engine_metrics: list[tuple[str, list[cloudwatch.IMetric]]]

        def metric(name: str, broker: str, statistic: str, label: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=NAMESPACE,
                metric_name=name,
                dimensions_map={"Broker": broker},
                statistic=statistic,
                label=label,
                period=dashboards.PERIOD,
            )

        maximum, minimum = cloudwatch.Stats.MAXIMUM, cloudwatch.Stats.MINIMUM
        if self._engine == BrokerEngine.ACTIVEMQ:
            single = self._broker.deployment_mode == SINGLE_INSTANCE_MODE
            brokers = [f"{self._broker_name}-{index}" for index in ([1] if single else [1, 2])]
            engine_metrics = [
                (
                    title,
                    [metric(name, broker, maximum, broker) for broker in brokers],
                )
                for title, name in (
                    ("CPU (%) per instance", "CpuUtilization"),
                    ("JVM heap (%) per instance", "HeapUsage"),
                    ("Persistent store (%) per instance", "StorePercentUsage"),
                    ("Connections per instance", "CurrentConnectionsCount"),
                )
            ]
        else:
            name = self._broker_name
            engine_metrics = [
                ("CPU (%, sum over nodes)", [metric("SystemCpuUtilization", name, maximum, "cpu")]),
                (
                    "Memory (bytes)",
                    [
                        metric("RabbitMQMemUsed", name, maximum, "used"),
                        metric("RabbitMQMemLimit", name, maximum, "limit"),
                    ],
                ),
                (
                    "Free disk (bytes)",
                    [
                        metric("RabbitMQDiskFree", name, minimum, "free"),
                        metric("RabbitMQDiskFreeLimit", name, maximum, "limit"),
                    ],
                ),
                (
                    "Connections and messages",
                    [
                        metric("ConnectionCount", name, maximum, "connections"),
                        metric("MessageCount", name, maximum, "messages"),
                    ],
                ),
            ]
        dashboards.section(
            dashboard,
            f"Amazon MQ broker {self.node.path}",
            f"{self._engine.value} broker {self._broker_name}: resources and the alarms.",
            [
                *(dashboards.graph(title, metrics) for title, metrics in engine_metrics),
                *dashboards.alarm_graphs(self._alarms),
            ],
        )

    def allow_clients_from(self, peer: ec2.IPeer) -> None:
        """Open exactly this broker's client ports (and console port, if on) to ``peer``."""
        _check_peer("peer", peer)
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
        batch_size: int = 100,
        max_batching_window: Duration | None = None,
    ) -> LambdaBrokerConsumer:
        """Let ``function`` consume the queue ``queue_name`` (child ``consumer_id``).

        Lambda polls from the broker's VPC with the broker's security group, which is opened
        to itself on the poller port and to HTTPS; a function in another VPC is refused.
        The alarms use this broker's ``alarm_actions``. See
        :class:`~patterns.LambdaBrokerConsumer` for the options.
        """
        from patterns.consumers.broker_lambda import LambdaBrokerConsumer

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
        """Let ``grantee`` read the admin username and password (and decrypt them)."""
        return self._admin_secret.grant_read(grantee)

    @property
    def broker(self) -> amazonmq.CfnBroker:
        """The ``AWS::AmazonMQ::Broker`` resource."""
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
    def security_group(self) -> ec2.SecurityGroup:
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


def _endpoint_attribute(broker: amazonmq.CfnBroker, protocol: BrokerProtocol) -> list[str]:
    return {
        BrokerProtocol.OPENWIRE: broker.attr_open_wire_endpoints,
        BrokerProtocol.AMQP: broker.attr_amqp_endpoints,
        BrokerProtocol.STOMP: broker.attr_stomp_endpoints,
        BrokerProtocol.MQTT: broker.attr_mqtt_endpoints,
        BrokerProtocol.WSS: broker.attr_wss_endpoints,
    }[protocol]


def _select_subnets(
    vpc: ec2.IVpc, vpc_subnets: ec2.SubnetSelection | None, deployment_mode: str
) -> list[str]:
    minimum, maximum = SUBNET_COUNTS[deployment_mode]
    selection = vpc_subnets or ec2.SubnetSelection(one_per_az=True)
    selected = vpc.select_subnets(
        availability_zones=selection.availability_zones,
        one_per_az=selection.one_per_az,
        subnet_filters=selection.subnet_filters,
        subnet_group_name=selection.subnet_group_name,
        subnets=selection.subnets,
        subnet_type=selection.subnet_type,
    )
    if selected.has_public:
        raise ValueError(
            "vpc_subnets selects public subnets; the broker must live in private subnets. "
            "Select PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets (or give the VPC some)"
        )
    subnets = list(selected.subnets)
    if vpc_subnets is None:
        subnets = subnets[:maximum]
    if not minimum <= len(subnets) <= maximum:
        wanted = str(minimum) if minimum == maximum else f"{minimum} to {maximum}"
        raise ValueError(
            f"vpc_subnets selects {len(subnets)} subnet(s), but a {deployment_mode} broker "
            f"takes {wanted}, one per Availability Zone; adjust vpc_subnets"
            + (" or set single_instance=False" if deployment_mode == SINGLE_INSTANCE_MODE else "")
        )
    zones = [subnet.availability_zone for subnet in subnets]
    resolved = [zone for zone in zones if not Token.is_unresolved(zone)]
    if len(set(resolved)) != len(resolved):
        raise ValueError(
            f"vpc_subnets selects several subnets in one Availability Zone ({', '.join(zones)}); "
            "Amazon MQ needs each in a different AZ: use SubnetSelection(one_per_az=True)"
        )
    return [subnet.subnet_id for subnet in subnets]


@jsii.implements(IStableStringProducer)
class _GeneratedBrokerName:
    """Produces the generated broker name at synth (see ``AmazonMqBroker._generated_name``)."""

    def __init__(self, broker: AmazonMqBroker) -> None:
        self._broker = broker

    def produce(self) -> str:
        return self._broker._generated_name()


@jsii.implements(IValidation)
class _BrokerValidation:
    """At synth, over the final tree: no world-open security group, names within limits."""

    def __init__(self, broker: AmazonMqBroker) -> None:
        self._broker = broker

    def validate(self) -> list[str]:
        return self._broker._validate_final_state()


def _world_open_errors(what: str, cidrs: Sequence[str]) -> list[str]:
    """An error per IP version whose every address the union of ``cidrs`` covers."""
    networks: dict[int, list[Any]] = {4: [], 6: []}
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue  # not an address range; CloudFormation refuses it
        networks[network.version].append(network)
    errors = []
    for version, found in networks.items():
        if any(net.prefixlen == 0 for net in ipaddress.collapse_addresses(found)):
            errors.append(
                f"{what} admits every IPv{version} address (the ranges "
                f"{', '.join(sorted(map(str, found)))} together cover the whole internet); "
                "a broker is never open to the world: allow the "
                "clients' security groups (broker.connections.allow_from(client, port)) or "
                "their CIDR ranges (allow_clients_from(ec2.Peer.ipv4(...)))"
            )
    return errors


def _check_peer(argument: str, peer: ec2.IPeer) -> None:
    if peer.unique_id in ("0.0.0.0/0", "::/0"):
        raise ValueError(
            f"{argument} {peer.unique_id} would open the broker to every address; allow the "
            "clients' security groups (ec2.Peer.security_group_id) or their CIDR ranges"
        )


def _validate(
    *,
    engine: BrokerEngine,
    engine_version: str,
    host_instance_type: str,
    deployment_mode: str,
    protocols: Sequence[BrokerProtocol],
    allowed_peers: Sequence[ec2.IPeer],
    broker_name: str | None,
    admin_username: str,
    audit_log: bool,
    maintenance_window: MaintenanceWindow | None,
) -> None:
    versions = SUPPORTED_VERSIONS[engine]
    if not Token.is_unresolved(engine_version) and engine_version not in versions:
        raise ValueError(
            f"engine_version {engine_version!r} is not supported for {engine.value}; "
            f"use one of {', '.join(versions)}"
        )
    if not Token.is_unresolved(host_instance_type):
        allowed_types = versions.get(engine_version, ())
        if allowed_types and host_instance_type not in allowed_types:
            raise ValueError(
                f"host_instance_type {host_instance_type!r} is not supported for "
                f"{engine.value} {engine_version}; use one of {', '.join(allowed_types)}"
            )
        if host_instance_type == MICRO_INSTANCE_TYPE and deployment_mode != SINGLE_INSTANCE_MODE:
            raise ValueError(
                f"host_instance_type {MICRO_INSTANCE_TYPE!r} only runs single-instance brokers; "
                "set single_instance=True (development) or choose a larger instance type"
            )

    if not protocols:
        raise ValueError("protocols is empty; choose at least one protocol clients use")
    check_unique("protocol", [protocol.value for protocol in protocols])
    offered = PROTOCOL_PORTS[engine]
    for protocol in protocols:
        if protocol not in offered:
            raise ValueError(
                f"protocols includes {protocol.value}, which {engine.value} does not offer; "
                f"use {', '.join(p.value for p in offered)}"
            )
    for peer in allowed_peers:
        _check_peer("allowed_peers", peer)
    # Security-group peers have no address range and are skipped.
    for error in _world_open_errors("allowed_peers", [peer.unique_id for peer in allowed_peers]):
        raise ValueError(error)

    if (
        broker_name is not None
        and not Token.is_unresolved(broker_name)
        and not _BROKER_NAME_PATTERN.match(broker_name)
    ):
        raise ValueError(
            f"broker_name {broker_name!r} must be 1 to {BROKER_NAME_MAX_LENGTH} letters, "
            "digits, hyphens and underscores"
        )
    if not Token.is_unresolved(admin_username) and not _USERNAME_PATTERN.match(admin_username):
        raise ValueError(
            f"admin_username {admin_username!r} must be 2 to 100 letters, digits and the "
            "characters _ . ~ - (no commas, colons, equals signs or spaces)"
        )

    if engine == BrokerEngine.RABBITMQ and audit_log:
        raise ValueError(
            "audit_log=True applies to ActiveMQ only: RabbitMQ brokers publish general "
            "logs only; drop audit_log"
        )

    if maintenance_window is not None:
        day = maintenance_window.day_of_week
        if not Token.is_unresolved(day) and day.upper() not in DAYS_OF_WEEK:
            raise ValueError(
                f"maintenance_window.day_of_week {day!r} must be one of {', '.join(DAYS_OF_WEEK)}"
            )
        time = maintenance_window.time_of_day
        if not Token.is_unresolved(time) and not _TIME_OF_DAY_PATTERN.match(time):
            raise ValueError(
                f"maintenance_window.time_of_day {time!r} must be 24-hour HH:MM, e.g. '03:00'"
            )
        _check_time_zone(maintenance_window.time_zone)


def _check_time_zone(zone: str) -> None:
    if Token.is_unresolved(zone) or _UTC_OFFSET_PATTERN.match(zone):
        return
    names = zoneinfo.available_timezones()
    if not names or zone in names:  # no time zone database at hand: nothing to check against
        return
    raise ValueError(
        f"maintenance_window.time_zone {zone!r} must be an IANA time zone (Country/City, "
        "e.g. 'Europe/Berlin', or 'UTC') or a UTC offset from UTC-14:00 to UTC+14:00 "
        "(e.g. 'UTC+02:00')"
    )


__all__ = [
    "AmazonMqBroker",
    "BrokerEngine",
    "BrokerProtocol",
    "MaintenanceWindow",
]
