"""Where the broker lives and who may reach it: subnets, peers, world-open checks, endpoints.

A broker is never open to the world: a peer that is every address is refused at once, and at
synth the union of every CIDR range its security groups admit (whoever added the rule, in
whichever stack) may not cover every IPv4 or every IPv6 address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Stack, Token
from aws_cdk import aws_amazonmq as amazonmq
from aws_cdk import aws_ec2 as ec2
from constructs import IConstruct

from patterns.amazon_mq.options import SINGLE_INSTANCE_MODE, SUBNET_COUNTS, BrokerProtocol
from patterns.subnets import selected_subnets

# Inline security group rules resolve with the L2's (camelCase) or CloudFormation's keys.
_CIDR_KEYS = ("cidrIp", "cidrIpv6", "CidrIp", "CidrIpv6")
_WORLD = ("0.0.0.0/0", "::/0")


def select_subnets(
    vpc: ec2.IVpc, vpc_subnets: ec2.SubnetSelection | None, deployment_mode: str
) -> list[str]:
    """The IDs of the broker's subnets: private, one per AZ, as many as the mode takes."""
    minimum, maximum = SUBNET_COUNTS[deployment_mode]
    selection = vpc_subnets or ec2.SubnetSelection(one_per_az=True)
    selected = selected_subnets(vpc, selection)
    if selected.has_public:
        raise ValueError(
            "vpc_subnets selects public subnets; the broker must live in private subnets. "
            "Select PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets (or give the VPC some)"
        )
    # The IDs and zones, one read each (CDK lists them in the order of selected.subnets).
    subnet_ids, zones = list(selected.subnet_ids), list(selected.availability_zones)
    if vpc_subnets is None:
        subnet_ids, zones = subnet_ids[:maximum], zones[:maximum]
    if not minimum <= len(subnet_ids) <= maximum:
        wanted = str(minimum) if minimum == maximum else f"{minimum} to {maximum}"
        raise ValueError(
            f"vpc_subnets selects {len(subnet_ids)} subnet(s), but a {deployment_mode} broker "
            f"takes {wanted}, one per Availability Zone; adjust vpc_subnets"
            + (" or set single_instance=False" if deployment_mode == SINGLE_INSTANCE_MODE else "")
        )
    if len(set(zones)) != len(zones):  # the same text twice; unresolved tokens are let through
        resolved = [zone for zone in zones if not Token.is_unresolved(zone)]
        if len(set(resolved)) != len(resolved):
            raise ValueError(
                f"vpc_subnets selects several subnets in one Availability Zone "
                f"({', '.join(zones)}); Amazon MQ needs each in a different AZ: use "
                "SubnetSelection(one_per_az=True)"
            )
    return subnet_ids


def check_peer(argument: str, peer: ec2.IPeer) -> None:
    """Refuse a peer that is every IPv4 or every IPv6 address."""
    if peer.unique_id in _WORLD:
        raise ValueError(
            f"{argument} {peer.unique_id} would open the broker to every address; allow the "
            "clients' security groups (ec2.Peer.security_group_id) or their CIDR ranges"
        )


def check_allowed_peers(allowed_peers: Sequence[ec2.IPeer]) -> None:
    """Refuse peers that are, or together cover, every IPv4 or every IPv6 address."""
    for peer in allowed_peers:
        check_peer("allowed_peers", peer)
    # Security-group peers have no address range and are skipped.
    for error in world_open_errors("allowed_peers", [peer.unique_id for peer in allowed_peers]):
        raise ValueError(error)


def world_open_errors(what: str, cidrs: Sequence[str]) -> list[str]:
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


def ingress_ranges(broker: amazonmq.CfnBroker) -> list[str]:
    """Every CIDR range the broker's final security groups admit.

    The groups are those ``broker`` lists at synth (ours, and any added through it); their
    rules are the inline ones and every ``AWS::EC2::SecurityGroupIngress`` of the app that
    targets them, whoever added it (``connections``, another stack).
    """
    group_ids = {group for group in (broker.security_groups or []) if isinstance(group, str)}
    ranges: list[Any] = []
    construct: IConstruct
    for construct in broker.node.root.node.find_all():
        if isinstance(construct, ec2.CfnSecurityGroup) and construct.attr_group_id in group_ids:
            inline = Stack.of(construct).resolve(construct.security_group_ingress) or []
            for rule in inline if isinstance(inline, list) else []:
                if isinstance(rule, dict):
                    ranges += [rule.get(key) for key in _CIDR_KEYS]
        elif isinstance(construct, ec2.CfnSecurityGroupIngress) and construct.group_id in group_ids:
            ranges += [construct.cidr_ip, construct.cidr_ipv6]
    return [
        cidr for cidr in ranges if isinstance(cidr, str) and cidr and not Token.is_unresolved(cidr)
    ]


# The CfnBroker attribute with each protocol's endpoint URLs.
_ENDPOINT_ATTRIBUTES: Mapping[BrokerProtocol, str] = {
    BrokerProtocol.OPENWIRE: "attr_open_wire_endpoints",
    BrokerProtocol.AMQP: "attr_amqp_endpoints",
    BrokerProtocol.STOMP: "attr_stomp_endpoints",
    BrokerProtocol.MQTT: "attr_mqtt_endpoints",
    BrokerProtocol.WSS: "attr_wss_endpoints",
}


def endpoint_attribute(broker: amazonmq.CfnBroker, protocol: BrokerProtocol) -> list[str]:
    """The broker's endpoint URLs for ``protocol`` (one per broker instance)."""
    endpoints: list[str] = getattr(broker, _ENDPOINT_ATTRIBUTES[protocol])
    return endpoints
