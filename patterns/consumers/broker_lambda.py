"""``LambdaBrokerConsumer``: a Lambda function consuming a queue of an Amazon MQ broker.

Lambda polls the broker from inside its VPC (in the broker's subnets, with the broker's
security group) and signs in with a user's secret; the function itself may stay out of any
VPC, but if it is in one, it must be the broker's
(https://docs.aws.amazon.com/lambda/latest/dg/with-mq.html). The event source mapping takes
no on-failure destination: a message the function keeps failing is redelivered by the broker
and, after its redelivery limit, moved to the broker's dead-letter queue (ActiveMQ.DLQ, or a
RabbitMQ dead-letter exchange).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aws_cdk import Duration, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from patterns.compliance import acknowledge, acknowledge_all, flatten_cfn_reference
from patterns.consumers.common import (
    check_batching_window,
    check_can_run,
    create_function_alarms,
    function_role,
)
from patterns.validation import check_whole_number

if TYPE_CHECKING:
    from patterns.amazon_mq import AmazonMqBroker

# Lambda's Amazon MQ event source limits (CreateEventSourceMapping).
DEFAULT_BATCH_SIZE = 100
BATCH_SIZE_RANGE = (1, 10_000)
QUEUE_NAME_MAX_LENGTH = 1000
# SourceAccessConfiguration URI (the VIRTUAL_HOST value): 1 to 200 characters.
VIRTUAL_HOST_MAX_LENGTH = 200
HTTPS_PORT = 443
# Lambda's pollers connect over OpenWire (ActiveMQ) or AMQPS (RabbitMQ), with TLS.
ACTIVEMQ_POLLER_PORT = 61617
RABBITMQ_POLLER_PORT = 5671
# What the pollers need for their network interfaces in the broker's VPC. EC2's Describe*
# actions support no resource-level permissions; creating and deleting interfaces is limited
# to this account and Region, and creating to the broker's subnets and security group.
DESCRIBE_ACTIONS = (
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
)


class LambdaBrokerConsumer(Construct):
    """A Lambda function consuming one queue of an :class:`AmazonMqBroker`.

    Created by :meth:`AmazonMqBroker.add_lambda_consumer`. Grants the function what the event
    source needs (describe this broker, read the user's secret, manage the pollers' network
    interfaces) in a managed policy of its own, opens the broker's security group to itself
    (the pollers use it) and adds alarms on the function's errors and throttles.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        broker: AmazonMqBroker,
        function: lambda_.IFunction,
        queue_name: str,
        secret: secretsmanager.ISecret | None = None,
        virtual_host: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batching_window: Duration | None = None,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
    ) -> None:
        """Connect ``function`` to the queue ``queue_name`` of ``broker``.

        :param broker: The broker.
        :param function: The consumer, defined in this app or imported with its role.
            Outside any VPC, or in the broker's VPC (a function in another VPC is refused).
        :param queue_name: The queue to consume (1 to 1,000 characters).
        :param secret: A secret with ``username`` and ``password`` of the broker user Lambda
            signs in as. Default: the broker's admin secret; a dedicated user that may only
            read this queue is better where the engine allows it.
        :param virtual_host: RabbitMQ only: the virtual host of the queue, 1 to 200
            characters. Default: ``/``.
        :param batch_size: Messages per invocation, 1 to 10,000. Default: 100.
        :param max_batching_window: Gather messages up to 5 minutes before invoking.
            Default: Lambda's (500 ms).
        :param alarm_actions: Actions of the error and throttle alarms. Default: none.
        """
        super().__init__(scope, construct_id)
        from patterns.amazon_mq import BrokerEngine

        role = function_role(function)
        check_can_run(function)

        rabbitmq = broker.engine == BrokerEngine.RABBITMQ
        window = _validate(
            queue_name=queue_name,
            virtual_host=virtual_host,
            rabbitmq=rabbitmq,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
        )
        _check_same_vpc(function, broker)
        user_secret = secret or broker.admin_secret
        self._function = function

        stack = Stack.of(self)
        interfaces = _ec2_arn(stack, "network-interface", "*")
        self._policy = iam.ManagedPolicy(
            self,
            "Policy",
            description=f"Lambda polls {broker.node.path} for {function.node.path}",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    actions=["mq:DescribeBroker"], resources=[broker.broker.attr_arn]
                ),
                iam.PolicyStatement(
                    actions=["ec2:CreateNetworkInterface"],
                    resources=[
                        interfaces,
                        _ec2_arn(stack, "security-group", broker.security_group.security_group_id),
                        *(
                            _ec2_arn(stack, "subnet", subnet_id)
                            for subnet_id in _broker_subnet_ids(broker)
                        ),
                    ],
                ),
                iam.PolicyStatement(actions=["ec2:DeleteNetworkInterface"], resources=[interfaces]),
                iam.PolicyStatement(actions=list(DESCRIBE_ACTIONS), resources=["*"]),
            ],
        )
        acknowledge_all(
            self._policy,
            {
                "AwsSolutions::AwsSolutions-IAM5[Resource::*]": (
                    "Lambda's pollers describe network interfaces, subnets, security groups "
                    "and VPCs; EC2's Describe* actions support no resource-level permissions."
                ),
                "AwsSolutions::AwsSolutions-IAM5[Resource::"
                + flatten_cfn_reference(stack.resolve(interfaces))
                + "]": (
                    "The pollers' network interfaces get their IDs when Lambda creates them: "
                    "this account's and Region's interfaces are the narrowest resource IAM "
                    "can name (creation is also limited to the broker's subnets and group)."
                ),
            },
        )
        secret_grant = user_secret.grant_read(role)

        source_access = [
            lambda_.CfnEventSourceMapping.SourceAccessConfigurationProperty(
                type="BASIC_AUTH", uri=user_secret.secret_arn
            )
        ]
        if virtual_host is not None:
            source_access.append(
                lambda_.CfnEventSourceMapping.SourceAccessConfigurationProperty(
                    type="VIRTUAL_HOST", uri=virtual_host
                )
            )
        self._event_source_mapping = lambda_.CfnEventSourceMapping(
            self,
            "EventSourceMapping",
            function_name=function.function_name,
            event_source_arn=broker.broker.attr_arn,
            queues=[queue_name],
            source_access_configurations=source_access,
            batch_size=batch_size,
            maximum_batching_window_in_seconds=None if window is None else int(window),
        )
        # Lambda checks the permissions when it creates the mapping.
        self._event_source_mapping.node.add_dependency(self._policy)
        secret_grant.apply_before(self._event_source_mapping)
        acknowledge(
            self._event_source_mapping,
            "Serverless::Serverless-LambdaEventSourceMappingDestination",
            "Amazon MQ event source mappings take no on-failure destination: the broker "
            "redelivers a failed message and, past its redelivery limit, moves it to its own "
            "dead-letter queue.",
        )

        # The pollers run with the broker's security group: they reach the broker on the
        # port Lambda uses (the group admits itself) and Lambda, STS and Secrets Manager over
        # HTTPS.
        port = RABBITMQ_POLLER_PORT if rabbitmq else ACTIVEMQ_POLLER_PORT
        broker.security_group.add_ingress_rule(
            broker.security_group, ec2.Port.tcp(port), f"Lambda pollers on TCP {port} (TLS)"
        )
        broker.security_group.add_egress_rule(
            broker.security_group, ec2.Port.tcp(port), f"Lambda pollers to the broker on TCP {port}"
        )
        broker.security_group.add_egress_rule(
            ec2.Peer.any_ipv4(),
            ec2.Port.tcp(HTTPS_PORT),
            "Lambda pollers to the Lambda, STS and Secrets Manager endpoints (HTTPS)",
        )
        self._alarms = create_function_alarms(
            self, function, source=broker.node.path, actions=alarm_actions
        )

    @property
    def function(self) -> lambda_.IFunction:
        """The consuming function."""
        return self._function

    @property
    def event_source_mapping(self) -> lambda_.CfnEventSourceMapping:
        """The event source mapping from the broker queue to the function."""
        return self._event_source_mapping

    @property
    def policy(self) -> iam.ManagedPolicy:
        """The managed policy with the event source's permissions, attached to the function."""
        return self._policy

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """The alarms on the function's errors and throttles."""
        return list(self._alarms)


def _ec2_arn(stack: Stack, resource: str, name: str) -> str:
    return stack.format_arn(service="ec2", resource=resource, resource_name=name)


def _broker_subnet_ids(broker: AmazonMqBroker) -> list[str]:
    subnet_ids = broker.broker.subnet_ids
    if isinstance(subnet_ids, list):
        return [str(subnet_id) for subnet_id in subnet_ids]
    return []


def _validate(
    *,
    queue_name: str,
    virtual_host: str | None,
    rabbitmq: bool,
    batch_size: int,
    max_batching_window: Duration | None,
) -> float | None:
    """Refuse what the mapping cannot take; the batching window in seconds (None unset)."""
    if not Token.is_unresolved(queue_name) and not 1 <= len(queue_name) <= QUEUE_NAME_MAX_LENGTH:
        raise ValueError(
            f"queue_name must be 1 to {QUEUE_NAME_MAX_LENGTH} characters, got {queue_name!r}"
        )
    if virtual_host is not None and not rabbitmq:
        raise ValueError(
            f"virtual_host ({virtual_host!r}) applies to RabbitMQ brokers only; ActiveMQ has "
            "no virtual hosts: drop it"
        )
    if (
        virtual_host is not None
        and not Token.is_unresolved(virtual_host)
        and not 1 <= len(virtual_host) <= VIRTUAL_HOST_MAX_LENGTH
    ):
        raise ValueError(
            f"virtual_host must be 1 to {VIRTUAL_HOST_MAX_LENGTH} characters, got "
            f"{virtual_host!r}; leave it out for RabbitMQ's default virtual host '/'"
        )
    check_whole_number("batch_size", batch_size, *BATCH_SIZE_RANGE)
    return check_batching_window(max_batching_window)


def _check_same_vpc(function: lambda_.IFunction, broker: AmazonMqBroker) -> None:
    """A function in a VPC must be in the broker's (a function outside any VPC is fine)."""
    if not function.is_bound_to_vpc:
        return
    broker_vpc = _vpc_of(broker.security_group)
    for group in function.connections.security_groups:
        function_vpc = _vpc_of(group)
        if broker_vpc is not None and function_vpc is not None and function_vpc != broker_vpc:
            raise ValueError(
                f"function {function.node.path} runs in another VPC than the broker "
                f"{broker.node.path} (security group {group.node.path}); Lambda's pollers "
                "run in the broker's VPC. Put the function in the broker's VPC or in none"
            )


def _vpc_of(group: ec2.ISecurityGroup) -> object:
    """The VPC of a security group defined in this app, resolved; ``None`` if imported."""
    resource = group.node.default_child
    if not isinstance(resource, ec2.CfnSecurityGroup):
        return None
    return Stack.of(group).resolve(resource.vpc_id)
