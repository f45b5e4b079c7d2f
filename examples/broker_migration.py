"""Broker migration: an on-premises application moves its MQTT and OpenWire traffic to Amazon MQ.

The application keeps its clients and protocols; only the broker URL changes. The broker is
an ActiveMQ active/standby pair in the isolated subnets of its own VPC, reachable from the
on-premises network (over a VPN or Direct Connect attachment, not part of this stack) on the
MQTT and OpenWire TLS ports only.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from examples.common import AlarmTopic
from examples.consumer_functions import consumer_function
from examples.network import acknowledge_unused_default_security_group
from patterns import AmazonMqBroker, BrokerProtocol, MaintenanceWindow

# The on-premises network the application runs in (reached through VPN or Direct Connect).
ON_PREMISES_CIDR = "192.168.0.0/16"


class BrokerMigrationStack(Stack):
    """A private ActiveMQ broker for an on-premises MQTT and OpenWire application."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        alarms = AlarmTopic(self, "Alarms")

        flow_log_key = kms.Key(
            self,
            "FlowLogKey",
            description=f"Encrypts the VPC flow logs of {self.stack_name}",
            enable_key_rotation=True,
        )
        flow_log_key.grant_encrypt_decrypt(
            iam.ServicePrincipal(f"logs.{self.region}.amazonaws.com")
        )
        flow_log_group = logs.LogGroup(
            self,
            "FlowLogGroup",
            encryption_key=flow_log_key,
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # A customer-managed policy instead of the inline policy CDK would attach to the role.
        flow_log_role = iam.Role(
            self,
            "FlowLogRole",
            assumed_by=iam.ServicePrincipal("vpc-flow-logs.amazonaws.com"),
            description="Publishes the VPC flow logs to their log group",
        )
        iam.ManagedPolicy(
            self,
            "FlowLogPolicy",
            description="Write VPC flow logs to their one log group",
            roles=[flow_log_role],
            statements=[
                iam.PolicyStatement(
                    actions=[
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogStreams",
                    ],
                    resources=[flow_log_group.log_group_arn],
                )
            ],
        )
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            # No Lambda-backed custom resource to strip the default group: nothing uses it.
            restrict_default_security_group=False,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Broker", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                )
            ],
            flow_logs={
                "All": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(
                        flow_log_group, flow_log_role.without_policy_updates()
                    ),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
        )

        acknowledge_unused_default_security_group(vpc)

        broker = AmazonMqBroker(
            self,
            "Broker",
            vpc=vpc,
            protocols=[BrokerProtocol.MQTT, BrokerProtocol.OPENWIRE],
            allowed_peers=[ec2.Peer.ipv4(ON_PREMISES_CIDR)],
            maintenance_window=MaintenanceWindow(day_of_week="SUNDAY", time_of_day="03:00"),
            alarm_actions=[alarms.action],
        )
        _add_order_consumer(self, vpc, broker)

        for protocol, name in (
            (BrokerProtocol.MQTT, "Mqtt"),
            (BrokerProtocol.OPENWIRE, "OpenWire"),
        ):
            CfnOutput(
                self,
                f"{name}Endpoints",
                value=Fn.join(",", broker.endpoints[protocol]),
                description=f"{protocol.value} endpoints (active and standby); clients fail over",
            )
        CfnOutput(
            self,
            "AdminSecretArn",
            value=broker.admin_secret.secret_arn,
            description="Secrets Manager secret with the broker admin's username and password",
        )


# The migrated application keeps sending orders over OpenWire; a Lambda function now consumes
# the "orders" queue. The broker redelivers an order the function fails and, past its
# redelivery limit, moves it to ActiveMQ.DLQ.
ORDER_HANDLER = """
import base64


def handler(event, context):
    for message in event["messages"]:
        order = base64.b64decode(message["data"]).decode()
        print(f"order {message['messageID']}: {order}")
"""


def _add_order_consumer(stack: Stack, vpc: ec2.Vpc, broker: AmazonMqBroker) -> None:
    """A Lambda consumer of the broker's "orders" queue (the block the consumers work added).

    Lambda's pollers run in the broker's isolated subnets with the broker's security group:
    they reach Lambda, STS and Secrets Manager through interface endpoints (the VPC has no
    route to the internet) that admit that group only.
    """
    endpoints = ec2.SecurityGroup(
        stack,
        "EndpointSecurityGroup",
        vpc=vpc,
        description="Interface endpoints for the Lambda pollers of the broker (HTTPS)",
        allow_all_outbound=False,
    )
    endpoints.add_ingress_rule(
        broker.security_group, ec2.Port.tcp(443), "Lambda pollers of the broker (HTTPS)"
    )
    for name, service in (
        ("LambdaEndpoint", ec2.InterfaceVpcEndpointAwsService.LAMBDA_),
        ("StsEndpoint", ec2.InterfaceVpcEndpointAwsService.STS),
        ("SecretsManagerEndpoint", ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER),
    ):
        vpc.add_interface_endpoint(
            name,
            service=service,
            private_dns_enabled=True,
            open=False,
            security_groups=[endpoints],
        )
    handler = consumer_function(
        stack,
        "OrderHandler",
        code=ORDER_HANDLER,
        description="Consumes the orders queue of the migrated broker",
        timeout=Duration.seconds(30),
        reserved_concurrency=5,
    )
    broker.add_lambda_consumer("Orders", handler, queue_name="orders", batch_size=10)
