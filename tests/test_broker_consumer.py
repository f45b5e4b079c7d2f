"""Lambda consumers of Amazon MQ brokers: the mapping, permissions, network, validation."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from patterns import AmazonMqBroker, BrokerEngine
from tests.helpers import by_path, inline_function, logical_id, new_app, ref

ESM = "AWS::Lambda::EventSourceMapping"
BROKER = "AWS::AmazonMQ::Broker"


class Built:
    def __init__(self) -> None:
        app = new_app()
        stack = cdk.Stack(app, "Test")
        self.stack = stack
        topic = sns.Topic(stack, "AlarmTopic")
        vpc = ec2.Vpc(stack, "Vpc", max_azs=3)
        self.active = AmazonMqBroker(
            stack, "Active", vpc=vpc, alarm_actions=[cw_actions.SnsAction(topic)]
        )
        self.consumer = self.active.add_lambda_consumer(
            "Orders", inline_function(stack, "OrdersHandler"), queue_name="orders"
        )
        self.rabbit = AmazonMqBroker(stack, "Rabbit", vpc=vpc, engine=BrokerEngine.RABBITMQ)
        self.rabbit.add_lambda_consumer(
            "Events",
            inline_function(stack, "EventsHandler", vpc=vpc),
            queue_name="events",
            virtual_host="/shop",
            batch_size=10,
            max_batching_window=Duration.seconds(2),
        )
        self.template = Template.from_stack(stack)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def template(built: Built) -> Template:
    return built.template


def test_activemq_mapping(template: Template) -> None:
    mapping = by_path(template, ESM, "Active/Orders/EventSourceMapping")["Properties"]
    assert mapping["EventSourceArn"] == {
        "Fn::GetAtt": [logical_id(template, BROKER, "Active/Broker"), "Arn"]
    }
    assert mapping["FunctionName"] == ref(
        template, "AWS::Lambda::Function", "Test/OrdersHandler/Resource"
    )
    assert mapping["Queues"] == ["orders"]
    assert mapping["BatchSize"] == 100
    assert mapping["SourceAccessConfigurations"] == [
        {
            "Type": "BASIC_AUTH",
            "URI": ref(template, "AWS::SecretsManager::Secret", "Active/AdminSecret/Resource"),
        }
    ]
    assert "MaximumBatchingWindowInSeconds" not in mapping


def test_rabbitmq_mapping_with_virtual_host(template: Template) -> None:
    mapping = by_path(template, ESM, "Rabbit/Events/EventSourceMapping")["Properties"]
    assert mapping["SourceAccessConfigurations"][1] == {"Type": "VIRTUAL_HOST", "URI": "/shop"}
    assert mapping["BatchSize"] == 10
    assert mapping["MaximumBatchingWindowInSeconds"] == 2


def test_event_source_permissions(template: Template) -> None:
    policy = by_path(template, "AWS::IAM::ManagedPolicy", "Active/Orders/Policy/Resource")
    props = policy["Properties"]
    assert props["Roles"] == [
        ref(template, "AWS::IAM::Role", "Test/OrdersHandler/ServiceRole/Resource")
    ]
    statements = props["PolicyDocument"]["Statement"]
    assert statements[0] == {
        "Action": "mq:DescribeBroker",
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [logical_id(template, BROKER, "Active/Broker"), "Arn"]},
    }
    interfaces = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ec2:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":network-interface/*",
            ],
        ]
    }
    create, delete, describe = statements[1:]
    assert create["Action"] == "ec2:CreateNetworkInterface"
    assert create["Resource"][0] == interfaces
    group = logical_id(template, "AWS::EC2::SecurityGroup", "Active/SecurityGroup/Resource")
    assert {"Fn::GetAtt": [group, "GroupId"]} in create["Resource"][1]["Fn::Join"][1]
    broker_subnets = by_path(template, BROKER, "Active/Broker")["Properties"]["SubnetIds"]
    assert [r["Fn::Join"][1][-1] for r in create["Resource"][2:]] == broker_subnets
    assert delete == {
        "Action": "ec2:DeleteNetworkInterface",
        "Effect": "Allow",
        "Resource": interfaces,
    }
    assert describe["Action"] == [
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
    ]
    assert describe["Resource"] == "*"
    default = by_path(
        template, "AWS::IAM::Policy", "Test/OrdersHandler/ServiceRole/DefaultPolicy/Resource"
    )
    (secret,) = [
        s
        for s in default["Properties"]["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in s["Action"]
    ]
    assert secret["Resource"] == ref(
        template, "AWS::SecretsManager::Secret", "Active/AdminSecret/Resource"
    )
    mapping = by_path(template, ESM, "Active/Orders/EventSourceMapping")
    assert (
        logical_id(template, "AWS::IAM::ManagedPolicy", "Active/Orders/Policy/Resource")
        in (mapping["DependsOn"])
    )
    assert (
        logical_id(
            template, "AWS::IAM::Policy", "Test/OrdersHandler/ServiceRole/DefaultPolicy/Resource"
        )
        in mapping["DependsOn"]
    )


def _rules(template: Template, kind: str, group_path: str) -> list[dict[str, Any]]:
    group = logical_id(template, "AWS::EC2::SecurityGroup", f"{group_path}/Resource")
    return [
        resource["Properties"]
        for resource in template.find_resources(f"AWS::EC2::SecurityGroup{kind}").values()
        if resource["Properties"]["GroupId"] == {"Fn::GetAtt": [group, "GroupId"]}
    ]


def test_pollers_reach_the_broker_through_its_own_group(template: Template) -> None:
    group = {
        "Fn::GetAtt": [
            logical_id(template, "AWS::EC2::SecurityGroup", "Active/SecurityGroup/Resource"),
            "GroupId",
        ]
    }
    ingress = _rules(template, "Ingress", "Active/SecurityGroup")
    assert {
        "IpProtocol": "tcp",
        "FromPort": 61617,
        "ToPort": 61617,
        "SourceSecurityGroupId": group,
        "GroupId": group,
        "Description": "Lambda pollers on TCP 61617 (TLS)",
    } in ingress
    egress = _rules(template, "Egress", "Active/SecurityGroup")
    assert {
        "IpProtocol": "tcp",
        "FromPort": 61617,
        "ToPort": 61617,
        "DestinationSecurityGroupId": group,
        "GroupId": group,
        "Description": "Lambda pollers to the broker on TCP 61617",
    } in egress
    group_props = by_path(template, "AWS::EC2::SecurityGroup", "Active/SecurityGroup/Resource")
    assert {
        "CidrIp": "0.0.0.0/0",
        "Description": "Lambda pollers to the Lambda, STS and Secrets Manager endpoints (HTTPS)",
        "FromPort": 443,
        "IpProtocol": "tcp",
        "ToPort": 443,
    } in group_props["Properties"]["SecurityGroupEgress"]
    rabbit = _rules(template, "Ingress", "Rabbit/SecurityGroup")
    assert [rule["FromPort"] for rule in rabbit if "SourceSecurityGroupId" in rule] == [5671]


def test_alarms_use_the_broker_actions(template: Template, built: Built) -> None:
    alarm = by_path(
        template, "AWS::CloudWatch::Alarm", "Active/Orders/FunctionErrorsAlarm/Resource"
    )
    assert alarm["Properties"]["AlarmActions"] == [
        ref(template, "AWS::SNS::Topic", "AlarmTopic/Resource")
    ]
    assert len(built.consumer.alarms) == 2


# --- validation: one test per rule ---------------------------------------------------------


def _add(engine: BrokerEngine = BrokerEngine.ACTIVEMQ, **options: Any) -> None:
    stack = cdk.Stack(new_app(), "Rules")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=3)
    broker = AmazonMqBroker(stack, "Broker", vpc=vpc, engine=engine)
    function = options.pop("function", None) or inline_function(stack, "Function")
    broker.add_lambda_consumer("Consumer", function, **{"queue_name": "orders", **options})


@pytest.mark.parametrize("batch_size", [0, 10_001])
def test_batch_size_range(batch_size: int) -> None:
    with pytest.raises(
        ValueError, match=rf"batch_size must be between 1 and 10000, got {batch_size}"
    ):
        _add(batch_size=batch_size)


def test_batching_window_at_most_5_minutes() -> None:
    with pytest.raises(
        ValueError, match="max_batching_window must be between 0 seconds and 5 minutes"
    ):
        _add(max_batching_window=Duration.minutes(6))


@pytest.mark.parametrize("name", ["", "q" * 1001])
def test_queue_name_length(name: str) -> None:
    with pytest.raises(ValueError, match="queue_name must be 1 to 1000 characters"):
        _add(queue_name=name)


def test_virtual_host_only_for_rabbitmq() -> None:
    with pytest.raises(ValueError, match=r"virtual_host \('/shop'\) applies to RabbitMQ"):
        _add(virtual_host="/shop")


def test_function_in_another_vpc_is_refused() -> None:
    stack = cdk.Stack(new_app(), "OtherVpc")
    broker = AmazonMqBroker(stack, "Broker", vpc=ec2.Vpc(stack, "BrokerVpc", max_azs=3))
    function = inline_function(stack, "Function", vpc=ec2.Vpc(stack, "OtherVpc", max_azs=2))
    with pytest.raises(ValueError, match="runs in another VPC than the broker"):
        broker.add_lambda_consumer("Consumer", function, queue_name="orders")
