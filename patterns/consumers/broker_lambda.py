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
from patterns.consumers import lambda_options
from patterns.consumers.lambda_options import FunctionFacts, LambdaConsumerOptions
from patterns.limits import (
    LAMBDA_MQ_BATCH_SIZE_DEFAULT,
    LAMBDA_MQ_QUEUE_NAME_MAX_LENGTH,
    LAMBDA_MQ_VIRTUAL_HOST_MAX_LENGTH,
)

if TYPE_CHECKING:
    from patterns.amazon_mq import AmazonMqBroker

DEFAULT_BATCH_SIZE = LAMBDA_MQ_BATCH_SIZE_DEFAULT
HTTPS_PORT = 443
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
    """A Lambda function consuming one queue of an ``AmazonMqBroker``.

    Created by [`AmazonMqBroker.add_lambda_consumer`][patterns.AmazonMqBroker.add_lambda_consumer].
    Grants the function what the event
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

        ``function``, ``batch_size``, ``max_batching_window`` and ``alarm_actions`` mean the
        same for every Lambda consumer; their ranges and defaults are those of this event
        source.

        :param broker: The [`AmazonMqBroker`][patterns.AmazonMqBroker] whose queue to
            consume, ActiveMQ or RabbitMQ.
        :param function: The function Lambda invokes with each batch, defined in this app or
            imported with its role (an imported function without one is refused: the
            permissions are granted to that role). A function with a reserved concurrency of
            0 is refused: Lambda would never invoke it.
            Outside any VPC, or in the broker's VPC (a function in another VPC is refused).
        :param queue_name: The queue to consume (1 to 1,000 characters).
        :param secret: A secret with ``username`` and ``password`` of the broker user Lambda
            signs in as. Default: the broker's admin secret; a dedicated user that may only
            read this queue is better where the engine allows it.
        :param virtual_host: RabbitMQ only: the virtual host of the queue, 1 to 200
            characters. Default: ``/``.
        :param batch_size: Messages per invocation, 1 to 10,000. Default: 100.
        :param max_batching_window: How long Lambda gathers messages before invoking, up to
            5 minutes in whole seconds. Default: Lambda's (500 ms).
        :param alarm_actions: What the consumer's alarms do when they fire, for example an
            ``AlarmTopic``'s ``action`` or ``cloudwatch_actions.SnsAction(topic)``.
            Default: none (the alarms change state, and notify no one).
        """
        super().__init__(scope, construct_id)
        from patterns.amazon_mq import BrokerEngine

        options = LambdaConsumerOptions(
            function=function,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            alarm_actions=alarm_actions,
        )
        facts, window = options.check(lambda_options.AMAZON_MQ)
        rabbitmq = broker.engine == BrokerEngine.RABBITMQ
        _validate(queue_name=queue_name, virtual_host=virtual_host, rabbitmq=rabbitmq)
        _check_same_vpc(function, broker)
        broker_path = broker.node.path
        self._function = function
        self._policy = _create_policy(self, broker, facts, broker_path)
        user_secret = secret or broker.admin_secret
        secret_grant = user_secret.grant_read(facts.role)
        self._event_source_mapping = self._create_mapping(
            options,
            broker,
            queue_name=queue_name,
            secret=user_secret,
            virtual_host=virtual_host,
            window=window,
        )
        # Lambda checks the permissions when it creates the mapping.
        self._event_source_mapping.node.add_dependency(self._policy)
        secret_grant.apply_before(self._event_source_mapping)
        _open_to_pollers(broker, rabbitmq)
        self._alarms = options.create_alarms(self, facts, source=broker_path)

    def _create_mapping(
        self,
        options: LambdaConsumerOptions,
        broker: AmazonMqBroker,
        *,
        queue_name: str,
        secret: secretsmanager.ISecret,
        virtual_host: str | None,
        window: float | None,
    ) -> lambda_.CfnEventSourceMapping:
        """The mapping from the broker's queue, signing in with ``secret``."""
        source_access = [
            lambda_.CfnEventSourceMapping.SourceAccessConfigurationProperty(
                type="BASIC_AUTH", uri=secret.secret_arn
            )
        ]
        if virtual_host is not None:
            source_access.append(
                lambda_.CfnEventSourceMapping.SourceAccessConfigurationProperty(
                    type="VIRTUAL_HOST", uri=virtual_host
                )
            )
        mapping = lambda_.CfnEventSourceMapping(
            self,
            "EventSourceMapping",
            function_name=options.function.function_name,
            event_source_arn=broker.broker.attr_arn,
            queues=[queue_name],
            source_access_configurations=source_access,
            batch_size=options.batch_size,
            maximum_batching_window_in_seconds=None if window is None else int(window),
        )
        acknowledge(
            mapping,
            "Serverless::Serverless-LambdaEventSourceMappingDestination",
            "Amazon MQ event source mappings take no on-failure destination: the broker "
            "redelivers a failed message and, past its redelivery limit, moves it to its own "
            "dead-letter queue.",
        )
        return mapping

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


def _create_policy(
    scope: Construct, broker: AmazonMqBroker, facts: FunctionFacts, broker_path: str
) -> iam.ManagedPolicy:
    """What Lambda's pollers need, in a managed policy of the function's role: describe this
    broker, and manage their network interfaces in its subnets and security group."""
    stack = Stack.of(scope)
    interfaces = _ec2_arn(stack, "network-interface", "*")
    policy = iam.ManagedPolicy(
        scope,
        "Policy",
        description=f"Lambda polls {broker_path} for {facts.path}",
        roles=[facts.role],
        statements=[
            iam.PolicyStatement(actions=["mq:DescribeBroker"], resources=[broker.broker.attr_arn]),
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
        policy,
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
    return policy


def _open_to_pollers(broker: AmazonMqBroker, rabbitmq: bool) -> None:
    """The pollers run with the broker's security group: they reach the broker on the port
    Lambda uses (the group admits itself) and Lambda, STS and Secrets Manager over HTTPS."""
    from patterns.amazon_mq import BrokerProtocol
    from patterns.amazon_mq.options import PROTOCOL_PORTS

    group = broker.security_group
    # Lambda's pollers connect over OpenWire (ActiveMQ) or AMQPS (RabbitMQ), with TLS, on the
    # broker's listener port for that protocol.
    protocol = BrokerProtocol.AMQP if rabbitmq else BrokerProtocol.OPENWIRE
    port = PROTOCOL_PORTS[broker.engine][protocol]
    group.add_ingress_rule(group, ec2.Port.tcp(port), f"Lambda pollers on TCP {port} (TLS)")
    group.add_egress_rule(group, ec2.Port.tcp(port), f"Lambda pollers to the broker on TCP {port}")
    group.add_egress_rule(
        ec2.Peer.any_ipv4(),
        ec2.Port.tcp(HTTPS_PORT),
        "Lambda pollers to the Lambda, STS and Secrets Manager endpoints (HTTPS)",
    )


def _ec2_arn(stack: Stack, resource: str, name: str) -> str:
    return stack.format_arn(service="ec2", resource=resource, resource_name=name)


def _broker_subnet_ids(broker: AmazonMqBroker) -> list[str]:
    subnet_ids = broker.broker.subnet_ids
    if isinstance(subnet_ids, list):
        return [str(subnet_id) for subnet_id in subnet_ids]
    return []


def _validate(*, queue_name: str, virtual_host: str | None, rabbitmq: bool) -> None:
    """Refuse a queue name or virtual host the mapping cannot take (the options every
    consumer shares are checked by ``LambdaConsumerOptions``)."""
    if (
        not Token.is_unresolved(queue_name)
        and not 1 <= len(queue_name) <= LAMBDA_MQ_QUEUE_NAME_MAX_LENGTH
    ):
        raise ValueError(
            f"queue_name must be 1 to {LAMBDA_MQ_QUEUE_NAME_MAX_LENGTH} characters, "
            f"got {queue_name!r}"
        )
    if virtual_host is not None and not rabbitmq:
        raise ValueError(
            f"virtual_host ({virtual_host!r}) applies to RabbitMQ brokers only; ActiveMQ has "
            "no virtual hosts: drop it"
        )
    if (
        virtual_host is not None
        and not Token.is_unresolved(virtual_host)
        and not 1 <= len(virtual_host) <= LAMBDA_MQ_VIRTUAL_HOST_MAX_LENGTH
    ):
        raise ValueError(
            f"virtual_host must be 1 to {LAMBDA_MQ_VIRTUAL_HOST_MAX_LENGTH} characters, got "
            f"{virtual_host!r}; leave it out for RabbitMQ's default virtual host '/'"
        )


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
