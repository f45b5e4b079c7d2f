"""Every resource type a stack holds: the rule that prices it, or why it is not counted.

``RULES`` maps a resource type to the function that turns one resource into billed lines;
``NO_CHARGE`` names the types that carry no charge of their own, with the reason. A type
in neither is listed under "not counted" as a type with no cost rule, so nothing a stack
creates goes unmentioned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from patterns.cost import consumers, fixed, services, variable
from patterns.cost.context import Template, resource_path
from patterns.cost.lines import Line, NotCounted, StackCost

Rule = Callable[[Template, str, dict[str, Any]], list[Line | NotCounted]]


def _both(*rules: Rule) -> Rule:
    def rule(
        template: Template, logical_id: str, resource: dict[str, Any]
    ) -> list[Line | NotCounted]:
        return [row for r in rules for row in r(template, logical_id, resource)]

    return rule


RULES: dict[str, Rule] = {
    "AWS::CloudWatch::Alarm": fixed.alarm,
    "AWS::CloudWatch::CompositeAlarm": fixed.composite_alarm,
    "AWS::CloudWatch::Dashboard": fixed.dashboard,
    "AWS::KMS::Key": fixed.kms_key,
    "AWS::KMS::ReplicaKey": fixed.kms_key,
    "AWS::SecretsManager::Secret": fixed.secret,
    "AWS::Kinesis::Stream": _both(fixed.stream, variable.stream),
    "AWS::Kinesis::StreamConsumer": consumers.stream_consumer,
    "AWS::AmazonMQ::Broker": fixed.broker,
    "AWS::SQS::Queue": variable.queue,
    "AWS::SNS::Topic": variable.topic,
    "AWS::KinesisFirehose::DeliveryStream": variable.delivery_stream,
    "AWS::Lambda::Function": consumers.lambda_function,
    "AWS::ECS::Service": consumers.ecs_service,
    "AWS::DynamoDB::Table": consumers.dynamodb_table,
    "AWS::DynamoDB::GlobalTable": consumers.dynamodb_table,
    "AWS::EC2::NatGateway": services.nat_gateway,
    "AWS::EC2::VPCEndpoint": services.vpc_endpoint,
    "AWS::EC2::EIP": services.elastic_ip,
    "AWS::EC2::FlowLog": services.flow_log,
    "AWS::Logs::LogGroup": services.log_group,
    "AWS::Events::Rule": services.events_rule,
    "AWS::Events::EventBus": services.event_bus,
    "AWS::Pipes::Pipe": services.pipe,
    "AWS::Glue::Database": services.glue_database,
    "AWS::Glue::Table": services.glue_table,
    "AWS::S3::Bucket": services.bucket,
}
"""The rule that prices each resource type."""

_POLICY = "a policy: no charge"
_NETWORK = "part of a VPC's configuration: no charge of its own"

NO_CHARGE: dict[str, str] = {
    "AWS::IAM::Role": "an IAM role: IAM has no charge",
    "AWS::IAM::Policy": "an IAM policy: IAM has no charge",
    "AWS::IAM::ManagedPolicy": "an IAM policy: IAM has no charge",
    "AWS::IAM::InstanceProfile": "an IAM instance profile: IAM has no charge",
    "AWS::SQS::QueuePolicy": _POLICY,
    "AWS::SNS::TopicPolicy": _POLICY,
    "AWS::S3::BucketPolicy": _POLICY,
    "AWS::Logs::ResourcePolicy": _POLICY,
    "AWS::Events::EventBusPolicy": _POLICY,
    "AWS::Lambda::Permission": _POLICY,
    "AWS::SNS::Subscription": "counted on its topic (deliveries per protocol)",
    "AWS::Lambda::EventSourceMapping": (
        "no charge of its own: the invocations it makes are counted on its function"
    ),
    "AWS::Logs::LogStream": "counted on its log group (ingestion and storage)",
    "AWS::Logs::SubscriptionFilter": "no charge of its own; its destination bills what it receives",
    "AWS::ECS::Cluster": "no charge of its own: Fargate tasks are counted on their service",
    "AWS::ECS::TaskDefinition": "no charge of its own: counted on the service that runs it",
    "AWS::ApplicationAutoScaling::ScalableTarget": (
        "no charge; its minimum capacity sizes the fleet counted on the service"
    ),
    "AWS::ApplicationAutoScaling::ScalingPolicy": "no charge (its alarms are counted)",
    "AWS::EC2::VPC": "a VPC has no charge of its own (its NAT gateways and endpoints do)",
    "AWS::EC2::Subnet": _NETWORK,
    "AWS::EC2::RouteTable": _NETWORK,
    "AWS::EC2::Route": _NETWORK,
    "AWS::EC2::SubnetRouteTableAssociation": _NETWORK,
    "AWS::EC2::InternetGateway": _NETWORK + " (data transfer out is not counted)",
    "AWS::EC2::VPCGatewayAttachment": _NETWORK,
    "AWS::EC2::SecurityGroup": _NETWORK,
    "AWS::EC2::SecurityGroupIngress": _NETWORK,
    "AWS::EC2::SecurityGroupEgress": _NETWORK,
    "AWS::EC2::NetworkAcl": _NETWORK,
    "AWS::EC2::NetworkAclEntry": _NETWORK,
    "AWS::EC2::SubnetNetworkAclAssociation": _NETWORK,
    "AWS::AmazonMQ::Configuration": "no charge of its own: counted on its broker",
    "AWS::AmazonMQ::ConfigurationAssociation": "no charge of its own",
    "AWS::Glue::SecurityConfiguration": "no charge of its own",
    "AWS::CloudFormation::Stack": "a nested stack: its resources are counted with this stack",
    "AWS::CDK::Metadata": "CDK's version report: no AWS resource",
    "AWS::CloudFormation::WaitConditionHandle": "no charge",
}
"""Resource types that carry no charge of their own, and why."""

CUSTOM_RESOURCE = (
    "a CloudFormation custom resource: its handler runs at deploy time only (the function, "
    "if in this stack, is listed with the Lambda functions)"
)
NO_RULE = "no cost rule for this resource type: see its service's pricing"


def template_cost(name: str, template: Template) -> StackCost:
    """The billed lines of one stack's resources, and what is not counted, grouped by reason."""
    lines: list[Line] = []
    skipped: dict[tuple[str, str], list[str]] = {}
    for logical_id, resource in template.resources:
        kind = str(resource.get("Type", ""))
        rule = RULES.get(kind)
        if rule is None:
            reason = NO_CHARGE.get(kind) or (
                CUSTOM_RESOURCE
                if kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource"
                else NO_RULE
            )
            skipped.setdefault((kind, reason), []).append(resource_path(logical_id, resource))
            continue
        for row in rule(template, logical_id, resource):
            if isinstance(row, Line):
                lines.append(row)
            else:
                skipped.setdefault((row.resource_type, row.reason), []).extend(row.resources)
    not_counted = tuple(
        NotCounted(kind, reason, tuple(paths)) for (kind, reason), paths in sorted(skipped.items())
    )
    return StackCost(name, tuple(lines), not_counted)
