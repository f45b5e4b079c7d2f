"""A ``vpc_subnets`` that selects nothing is the ``ValueError`` of that argument, with CDK's
reason, for every construct that takes one (``patterns.subnets``)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from patterns import AmazonMqBroker
from tests.helpers import new_app


def test_an_unknown_subnet_group_of_a_broker_is_a_value_error() -> None:
    stack = cdk.Stack(new_app(), "Broker")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, restrict_default_security_group=False)
    with pytest.raises(
        ValueError,
        match=r"vpc_subnets selects no subnets of the VPC: There are no subnet groups with "
        r"name 'Brokers' in this VPC",
    ):
        AmazonMqBroker(
            stack, "Broker", vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_group_name="Brokers")
        )
