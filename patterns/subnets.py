"""A ``vpc_subnets`` selection resolved against its VPC, with CDK's refusal as the
``ValueError`` of that argument."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2


def selected_subnets(
    vpc: ec2.IVpc, selection: ec2.SubnetSelection, *, whose: str = "the VPC"
) -> ec2.SelectedSubnets:
    """The subnets ``selection`` picks in ``vpc``.

    :param whose: the VPC as the message names it ("the cluster's VPC").
    :raises ValueError: when CDK finds nothing to select (an unknown subnet group, a subnet
        type the VPC lacks), with CDK's own reason.
    """
    try:
        return vpc.select_subnets(
            availability_zones=selection.availability_zones,
            one_per_az=selection.one_per_az,
            subnet_filters=selection.subnet_filters,
            subnet_group_name=selection.subnet_group_name,
            subnets=selection.subnets,
            subnet_type=selection.subnet_type,
        )
    except RuntimeError as failure:  # jsii's error; its text after the first ": " is CDK's
        reason = str(failure).split(": ", 1)[-1]
        raise ValueError(f"vpc_subnets selects no subnets of {whose}: {reason}") from None
