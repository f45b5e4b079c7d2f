"""What the example VPCs share: the Fargate workers' VPC and cluster
(``workers_vpc``, ``workers_cluster``), and the default security
group, left unused instead of closed.

CloudFormation creates every VPC with a default security group that admits traffic from its
own members and sends anywhere; EC2 puts an interface created without a security group into
it (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html), and
it cannot be deleted (https://docs.aws.amazon.com/vpc/latest/userguide/deleting-security-groups.html).
No CloudFormation property removes its rules. CDK's answer, ``restrict_default_security_group``
(the feature flag ``@aws-cdk/aws-ec2:restrictDefaultSecurityGroup``), is a Lambda-backed
custom resource that revokes them at deploy: a function allowed to revoke security group
rules in every stack, which fails checkov's Lambda checks (DLQ, VPC, reserved concurrency)
and needed skips and a template override in each example. The examples switch it off and
keep the group unused instead: every network interface they create gets a security group of
its own (``tests/test_examples.py::test_no_example_uses_a_default_security_group`` checks the
templates), so the default group's rules apply to nothing. The packs' VPCDefaultSecurityGroupClosed
rule accepts only CDK's custom resource, so it is acknowledged here, once for both examples.
Accounts that must have the group closed as well do it once for every VPC: AWS Config's
``vpc-default-security-group-closed`` rule
(https://docs.aws.amazon.com/config/latest/developerguide/vpc-default-security-group-closed.html)
with the ``AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules`` runbook.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs

from patterns.compliance import acknowledge_all
from patterns.consumers.common import create_encrypted_log_group
from patterns.roles import ManagedPolicyRole

# The packs whose VPCDefaultSecurityGroupClosed rule only accepts CDK's custom resource.
_PACKS = ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")

UNUSED_DEFAULT_SECURITY_GROUP = (
    "Nothing in this VPC uses its default security group: every network interface gets a "
    "group of its own (tested on the templates). CloudFormation cannot remove the default "
    "group's rules; CDK's Lambda-backed custom resource that would is left out, and AWS "
    "Config's vpc-default-security-group-closed remediation closes the group account-wide."
)


def acknowledge_unused_default_security_group(vpc: ec2.Vpc) -> None:
    """Acknowledge the packs' closed-default-group rule on ``vpc``, built with
    ``restrict_default_security_group=False``, whose default group nothing uses."""
    if vpc.node.try_find_child("RestrictDefaultSecurityGroupCustomResource") is not None:
        raise ValueError(
            f"vpc {vpc.node.path!r} has CDK's restrict-default-security-group custom resource: "
            "build it with restrict_default_security_group=False, or do not acknowledge"
        )
    acknowledge_all(
        vpc.node.default_child or vpc,
        {
            f"{pack}::{pack}-VPCDefaultSecurityGroupClosed": UNUSED_DEFAULT_SECURITY_GROUP
            for pack in _PACKS
        },
    )


def workers_vpc(stack: Stack) -> ec2.Vpc:
    """Private subnets for Fargate workers, one NAT gateway to reach the registry and AWS,
    flow logs on (``WorkSpike``'s and ``TruckPositions``')."""
    flow_logs = create_encrypted_log_group(
        stack,
        "FlowLogs",
        retention=logs.RetentionDays.ONE_YEAR,
        description=f"the VPC flow logs of {stack.stack_name}",
    )
    flow_log_role = ManagedPolicyRole(
        stack,
        "FlowLogRole",
        assumed_by=iam.ServicePrincipal("vpc-flow-logs.amazonaws.com"),
        description="Publishes the VPC flow logs to their log group",
    )
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=1,
        # No Lambda-backed custom resource to strip the default group: nothing uses it.
        restrict_default_security_group=False,
        subnet_configuration=[
            ec2.SubnetConfiguration(
                name="Egress",
                subnet_type=ec2.SubnetType.PUBLIC,
                cidr_mask=26,
                map_public_ip_on_launch=False,
            ),
            ec2.SubnetConfiguration(
                name="Workers", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
            ),
        ],
        flow_logs={
            "All": ec2.FlowLogOptions(
                destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs, flow_log_role),
                traffic_type=ec2.FlowLogTrafficType.ALL,
            )
        },
    )
    for subnet in vpc.public_subnets:
        acknowledge_all(
            subnet,
            {
                f"{pack}::{pack}-VPCNoUnrestrictedRouteToIGW": (
                    "The public subnets hold only the NAT gateway that lets the private workers "
                    "pull their image; nothing in them gets a public IP (MapPublicIpOnLaunch "
                    "is false)."
                )
                for pack in _PACKS
            },
        )
    acknowledge_unused_default_security_group(vpc)
    return vpc


def workers_cluster(stack: Stack) -> ecs.Cluster:
    """An ECS cluster in :func:`workers_vpc`, with Container Insights on (the fleets scale and
    alarm on its ``RunningTaskCount``)."""
    return ecs.Cluster(
        stack,
        "Cluster",
        vpc=workers_vpc(stack),
        container_insights_v2=ecs.ContainerInsights.ENABLED,
    )
