"""AmazonMqBroker: every default proven on the template, for both engines, and every rule."""

from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_amazonmq as amazonmq
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from patterns import AmazonMqBroker, BrokerEngine, BrokerProtocol, MaintenanceWindow
from patterns.amazon_mq import CREATE_ONLY_PROPERTIES
from tests.helpers import ROOT, by_path, logical_id, new_app, synth_stack

BROKER = "AWS::AmazonMQ::Broker"
SG = "AWS::EC2::SecurityGroup"
ALARM = "AWS::CloudWatch::Alarm"
CLIENT_SG_ID = "sg-0123456789abcdef0"


def _build(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=3)
    topic = sns.Topic(stack, "AlarmTopic")
    action = cloudwatch_actions.SnsAction(topic)
    AmazonMqBroker(
        stack,
        "Active",
        vpc=vpc,
        protocols=[BrokerProtocol.OPENWIRE, BrokerProtocol.MQTT],
        allowed_peers=[
            ec2.Peer.ipv4("192.168.0.0/16"),
            ec2.Peer.security_group_id(CLIENT_SG_ID),
        ],
        alarm_actions=[action],
    )
    AmazonMqBroker(stack, "Rabbit", vpc=vpc, engine=BrokerEngine.RABBITMQ)
    dev = AmazonMqBroker(
        stack,
        "Dev",
        vpc=vpc,
        single_instance=True,
        host_instance_type="mq.t3.micro",
        console_access=True,
        audit_log=False,
        broker_name="dev-broker",
        admin_username="ops.admin",
        maintenance_window=MaintenanceWindow(day_of_week="sunday", time_of_day="03:00"),
        create_log_resource_policy=False,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    dev.allow_clients_from(ec2.Peer.ipv4("10.1.0.0/16"))
    shared_key = kms.Key(stack, "SharedKey", enable_key_rotation=True)
    AmazonMqBroker(stack, "Shared", vpc=vpc, encryption_key=shared_key)


@pytest.fixture(scope="module")
def template() -> Template:
    return synth_stack(_build)


def _props(template: Template, path: str) -> dict[str, Any]:
    return dict(by_path(template, BROKER, f"/{path}/Broker")["Properties"])


def _subnet_ids(template: Template, names: list[str]) -> list[dict[str, str]]:
    return [
        {"Ref": logical_id(template, "AWS::EC2::Subnet", f"/Vpc/{name}/Subnet")} for name in names
    ]


def _ingress(template: Template, path: str) -> list[dict[str, Any]]:
    sg = by_path(template, SG, f"/{path}/SecurityGroup/Resource")
    return list(sg["Properties"].get("SecurityGroupIngress", []))


def _alarms(template: Template, path: str) -> dict[str, dict[str, Any]]:
    return {
        resource["Metadata"]["aws:cdk:path"].split("/")[-2]: resource["Properties"]
        for resource in template.find_resources(ALARM).values()
        if f"/{path}/" in resource["Metadata"]["aws:cdk:path"]
    }


# -- high availability, placement, publicity -------------------------------------------------


def test_activemq_is_active_standby_in_two_private_subnets(template: Template) -> None:
    props = _props(template, "Active")
    assert props["EngineType"] == "ACTIVEMQ"
    assert props["DeploymentMode"] == "ACTIVE_STANDBY_MULTI_AZ"
    assert props["SubnetIds"] == _subnet_ids(template, ["PrivateSubnet1", "PrivateSubnet2"])
    assert props["EngineVersion"] == "5.19"
    assert props["HostInstanceType"] == "mq.m5.large"


def test_rabbitmq_is_a_cluster_across_private_subnets(template: Template) -> None:
    props = _props(template, "Rabbit")
    assert props["EngineType"] == "RABBITMQ"
    assert props["DeploymentMode"] == "CLUSTER_MULTI_AZ"
    # The test VPC is environment-agnostic, hence two AZs: one subnet per AZ.
    assert props["SubnetIds"] == _subnet_ids(template, ["PrivateSubnet1", "PrivateSubnet2"])
    assert props["EngineVersion"] == "4.2"
    assert props["HostInstanceType"] == "mq.m7g.large"


def test_single_instance_only_on_request_and_in_one_subnet(template: Template) -> None:
    props = _props(template, "Dev")
    assert props["DeploymentMode"] == "SINGLE_INSTANCE"
    assert props["SubnetIds"] == _subnet_ids(template, ["PrivateSubnet1"])
    assert props["BrokerName"] == "dev-broker"


def test_no_broker_is_publicly_accessible(template: Template) -> None:
    brokers = template.find_resources(BROKER)
    assert len(brokers) == 4
    for broker in brokers.values():
        assert broker["Properties"]["PubliclyAccessible"] is False


def test_upgrades_and_authentication(template: Template) -> None:
    for broker in template.find_resources(BROKER).values():
        assert broker["Properties"]["AutoMinorVersionUpgrade"] is True
        assert broker["Properties"]["AuthenticationStrategy"] == "SIMPLE"


def test_maintenance_window_only_when_given(template: Template) -> None:
    assert _props(template, "Dev")["MaintenanceWindowStartTime"] == {
        "DayOfWeek": "SUNDAY",
        "TimeOfDay": "03:00",
        "TimeZone": "UTC",
    }
    assert "MaintenanceWindowStartTime" not in _props(template, "Active")


def test_broker_name_is_generated_within_limits(template: Template) -> None:
    name = _props(template, "Active")["BrokerName"]
    assert re.fullmatch(r"[0-9A-Za-z_-]{1,50}", name), name


def test_brokers_secrets_and_keys_go_with_the_stack_by_default(template: Template) -> None:
    # One removal rule: messages in transit are destroyed, keys and secrets follow what they
    # protect. A broker retained under its fixed name would block the next deploy.
    for broker in ("Active", "Rabbit", "Dev", "Shared"):
        for path, resource_type in (
            (f"/{broker}/Broker", BROKER),
            (f"/{broker}/AdminSecret/Resource", "AWS::SecretsManager::Secret"),
        ):
            resource = by_path(template, resource_type, path)
            assert resource["DeletionPolicy"] == "Delete", path
            assert resource["UpdateReplacePolicy"] == "Delete", path
    key = by_path(template, "AWS::KMS::Key", "/Active/EncryptionKey/Resource")
    assert key["DeletionPolicy"] == "Delete"
    assert key["UpdateReplacePolicy"] == "Delete"


# -- network ---------------------------------------------------------------------------------


def test_security_group_opens_exactly_the_chosen_ports_to_the_chosen_peers(
    template: Template,
) -> None:
    rules = {
        (rule.get("CidrIp") or rule.get("SourceSecurityGroupId"), rule["FromPort"], rule["ToPort"])
        for rule in _ingress(template, "Active")
    }
    assert rules == {
        ("192.168.0.0/16", 61617, 61617),
        ("192.168.0.0/16", 8883, 8883),
        (CLIENT_SG_ID, 61617, 61617),
        (CLIENT_SG_ID, 8883, 8883),
    }
    for rule in _ingress(template, "Active"):
        assert rule["IpProtocol"] == "tcp"


def test_no_peer_means_no_ingress_and_no_egress(template: Template) -> None:
    assert _ingress(template, "Rabbit") == []
    sg = by_path(template, SG, "/Rabbit/SecurityGroup/Resource")
    egress = sg["Properties"]["SecurityGroupEgress"]
    assert [rule["CidrIp"] for rule in egress] == ["255.255.255.255/32"]  # CDK's "deny all"


def test_console_port_only_with_console_access(template: Template) -> None:
    dev_ports = {(rule["CidrIp"], rule["FromPort"]) for rule in _ingress(template, "Dev")}
    assert dev_ports == {("10.1.0.0/16", 61617), ("10.1.0.0/16", 8162)}
    active_ports = {rule["FromPort"] for rule in _ingress(template, "Active")}
    assert 8162 not in active_ports
    assert _props(template, "Active")["Users"][0]["ConsoleAccess"] is False
    assert _props(template, "Dev")["Users"][0]["ConsoleAccess"] is True


def test_nothing_is_open_to_the_internet(template: Template) -> None:
    for sg in template.find_resources(SG).values():
        for rule in sg["Properties"].get("SecurityGroupIngress", []):
            assert rule.get("CidrIp") != "0.0.0.0/0"
            assert rule.get("CidrIpv6") != "::/0"


def test_broker_uses_its_security_group(template: Template) -> None:
    sg_id = logical_id(template, SG, "/Active/SecurityGroup/Resource")
    assert _props(template, "Active")["SecurityGroups"] == [{"Fn::GetAtt": [sg_id, "GroupId"]}]


# -- credentials -----------------------------------------------------------------------------


def _dynamic_reference(secret_id: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            ["{{resolve:secretsmanager:", {"Ref": secret_id}, ":SecretString:password::}}"],
        ]
    }


def test_password_reaches_the_broker_as_a_dynamic_reference(template: Template) -> None:
    for path in ("Active", "Rabbit", "Dev", "Shared"):
        secret_id = logical_id(
            template, "AWS::SecretsManager::Secret", f"/{path}/AdminSecret/Resource"
        )
        users = _props(template, path)["Users"]
        assert len(users) == 1
        assert users[0]["Password"] == _dynamic_reference(secret_id)


def test_no_literal_password_appears_in_the_template(template: Template) -> None:
    found: list[object] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Password":
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(template.to_json())
    assert len(found) == 4
    for value in found:
        assert not isinstance(value, str), f"literal password in the template: {value!r}"
        assert "{{resolve:secretsmanager:" in json.dumps(value)


def test_generated_password_meets_amazon_mq_rules(template: Template) -> None:
    template.resource_properties_count_is(
        "AWS::SecretsManager::Secret",
        {
            "GenerateSecretString": {
                "GenerateStringKey": "password",
                "PasswordLength": 32,  # 12 to 250
                "ExcludePunctuation": True,  # so never a comma, colon or equals sign
                "IncludeSpace": False,
                "RequireEachIncludedType": True,
                "SecretStringTemplate": json.dumps({"username": "admin"}),
            }
        },
        3,
    )
    dev = by_path(template, "AWS::SecretsManager::Secret", "/Dev/AdminSecret/Resource")
    assert json.loads(dev["Properties"]["GenerateSecretString"]["SecretStringTemplate"]) == {
        "username": "ops.admin"
    }


def test_secret_is_encrypted_with_the_patterns_key(template: Template) -> None:
    secret = by_path(template, "AWS::SecretsManager::Secret", "/Active/AdminSecret/Resource")
    key_id = logical_id(template, "AWS::KMS::Key", "/Active/EncryptionKey/Resource")
    assert secret["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}


def test_rabbitmq_gets_exactly_one_plain_admin_user(template: Template) -> None:
    users = _props(template, "Rabbit")["Users"]
    assert len(users) == 1
    assert set(users[0]) == {"Username", "Password"}
    assert users[0]["Username"] == "admin"


def test_activemq_admin_is_in_the_admin_group(template: Template) -> None:
    assert _props(template, "Active")["Users"][0]["Groups"] == ["admin"]


# -- encryption ------------------------------------------------------------------------------


def test_activemq_data_is_encrypted_with_a_customer_managed_key(template: Template) -> None:
    key_id = logical_id(template, "AWS::KMS::Key", "/Active/EncryptionKey/Resource")
    assert _props(template, "Active")["EncryptionOptions"] == {
        "UseAwsOwnedKey": False,
        "KmsKeyId": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    key = by_path(template, "AWS::KMS::Key", "/Active/EncryptionKey/Resource")
    assert key["Properties"]["EnableKeyRotation"] is True


def test_rabbitmq_uses_the_aws_owned_key(template: Template) -> None:
    assert _props(template, "Rabbit")["EncryptionOptions"] == {"UseAwsOwnedKey": True}


def test_existing_key_is_used_and_no_new_key_is_made(template: Template) -> None:
    key_id = logical_id(template, "AWS::KMS::Key", "/SharedKey/Resource")
    assert _props(template, "Shared")["EncryptionOptions"]["KmsKeyId"] == {
        "Fn::GetAtt": [key_id, "Arn"]
    }
    secret = by_path(template, "AWS::SecretsManager::Secret", "/Shared/AdminSecret/Resource")
    assert secret["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    keys = [
        r["Metadata"]["aws:cdk:path"]
        for r in template.find_resources("AWS::KMS::Key").values()
        if "/Shared/" in r["Metadata"]["aws:cdk:path"]
    ]
    assert keys == []


# -- logs ------------------------------------------------------------------------------------


def test_logs_per_engine(template: Template) -> None:
    assert _props(template, "Active")["Logs"] == {"General": True, "Audit": True}
    assert _props(template, "Rabbit")["Logs"] == {"General": True}
    assert _props(template, "Dev")["Logs"] == {"General": True, "Audit": False}


def test_log_resource_policy_is_scoped_to_this_broker_and_account(template: Template) -> None:
    policy = by_path(
        template, "AWS::Logs::ResourcePolicy", "/Active/LogPublishingPolicy/ResourcePolicy"
    )
    document = json.dumps(policy["Properties"]["PolicyDocument"])
    name = _props(template, "Active")["BrokerName"]
    assert '\\"Principal\\":{\\"Service\\":\\"mq.amazonaws.com\\"}' in document
    assert '\\"Action\\":[\\"logs:CreateLogStream\\",\\"logs:PutLogEvents\\"]' in document
    assert ':log-group:/aws/amazonmq/broker/*\\"' in document
    assert '\\"StringEquals\\":{\\"aws:SourceAccount\\":\\"' in document
    assert '{"Ref": "AWS::AccountId"}' in document
    assert f":broker:{name}:*" in document
    assert '\\"ArnLike\\":{\\"aws:SourceArn\\":\\"arn:' in document


def test_broker_depends_on_its_log_resource_policy(template: Template) -> None:
    policy_id = logical_id(
        template, "AWS::Logs::ResourcePolicy", "/Active/LogPublishingPolicy/ResourcePolicy"
    )
    broker = by_path(template, BROKER, "/Active/Broker")
    assert policy_id in broker["DependsOn"]


def test_log_resource_policy_can_be_left_to_the_account(template: Template) -> None:
    policies = [
        r["Metadata"]["aws:cdk:path"]
        for r in template.find_resources("AWS::Logs::ResourcePolicy").values()
    ]
    assert not any("/Dev/" in path for path in policies)
    assert len(policies) == 3


# -- alarms ----------------------------------------------------------------------------------


def _metric_dimensions(alarm: dict[str, Any]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for query in alarm["Metrics"]:
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            assert metric["Namespace"] == "AWS/AmazonMQ"
            result.setdefault(metric["MetricName"], []).extend(
                f"{d['Name']}={d['Value']}" for d in metric["Dimensions"]
            )
    return result


def test_activemq_alarms_watch_both_instances(template: Template) -> None:
    name = _props(template, "Active")["BrokerName"]
    alarms = _alarms(template, "Active")
    assert set(alarms) == {"CpuUtilizationAlarm", "HeapUsageAlarm", "StorePercentUsageAlarm"}
    for construct_id, metric_name in (
        ("CpuUtilizationAlarm", "CpuUtilization"),
        ("HeapUsageAlarm", "HeapUsage"),
        ("StorePercentUsageAlarm", "StorePercentUsage"),
    ):
        alarm = alarms[construct_id]
        assert _metric_dimensions(alarm) == {metric_name: [f"Broker={name}-1", f"Broker={name}-2"]}
        assert alarm["Threshold"] == 80
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        expression = [q for q in alarm["Metrics"] if q.get("ReturnData", True)]
        assert expression[0]["Expression"] == "MAX([i1, i2])"


def test_single_instance_alarms_watch_instance_one(template: Template) -> None:
    alarms = _alarms(template, "Dev")
    assert _metric_dimensions(alarms["HeapUsageAlarm"]) == {"HeapUsage": ["Broker=dev-broker-1"]}


def test_rabbitmq_alarms_use_the_broker_dimension(template: Template) -> None:
    name = _props(template, "Rabbit")["BrokerName"]
    alarms = _alarms(template, "Rabbit")
    assert set(alarms) == {"SystemCpuUtilizationAlarm", "MemoryUsageAlarm", "DiskFreeAlarm"}
    cpu = alarms["SystemCpuUtilizationAlarm"]
    assert cpu["MetricName"] == "SystemCpuUtilization"
    assert cpu["Dimensions"] == [{"Name": "Broker", "Value": name}]
    assert cpu["Threshold"] == 240  # a cluster reports the sum of three nodes
    assert _metric_dimensions(alarms["MemoryUsageAlarm"]) == {
        "RabbitMQMemUsed": [f"Broker={name}"],
        "RabbitMQMemLimit": [f"Broker={name}"],
    }
    assert alarms["MemoryUsageAlarm"]["Threshold"] == 80
    disk = alarms["DiskFreeAlarm"]
    assert _metric_dimensions(disk) == {
        "RabbitMQDiskFree": [f"Broker={name}"],
        "RabbitMQDiskFreeLimit": [f"Broker={name}"],
    }
    assert disk["ComparisonOperator"] == "LessThanOrEqualToThreshold"
    assert disk["Threshold"] == 2


def test_alarm_actions_on_alarm_and_ok(template: Template) -> None:
    topic_id = logical_id(template, "AWS::SNS::Topic", "/AlarmTopic/Resource")
    for alarm in _alarms(template, "Active").values():
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["OKActions"] == [{"Ref": topic_id}]
    for alarm in _alarms(template, "Rabbit").values():
        assert "AlarmActions" not in alarm


# -- attributes ------------------------------------------------------------------------------


def test_endpoints_per_protocol() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Endpoints")
    vpc = ec2.Vpc(stack, "Vpc")
    broker = AmazonMqBroker(
        stack, "Broker", vpc=vpc, protocols=[BrokerProtocol.MQTT, BrokerProtocol.WSS]
    )
    assert set(broker.endpoints) == {BrokerProtocol.MQTT, BrokerProtocol.WSS}
    broker_id = stack.resolve(broker.broker.ref)["Ref"]
    assert stack.resolve(broker.endpoints[BrokerProtocol.MQTT]) == {
        "Fn::GetAtt": [broker_id, "MqttEndpoints"]
    }
    assert stack.resolve(broker.endpoints[BrokerProtocol.WSS]) == {
        "Fn::GetAtt": [broker_id, "WssEndpoints"]
    }
    assert broker.engine == BrokerEngine.ACTIVEMQ
    assert len(broker.alarms) == 3
    assert broker.log_resource_policy is not None


def test_rabbitmq_with_an_existing_key_warns_that_it_encrypts_the_secret_only() -> None:
    app = new_app()
    stack = cdk.Stack(app, "RabbitKey")
    vpc = ec2.Vpc(stack, "Vpc")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    AmazonMqBroker(stack, "Broker", vpc=vpc, engine=BrokerEngine.RABBITMQ, encryption_key=key)
    Annotations.from_stack(stack).has_warning(
        "/RabbitKey/Broker", Match.string_like_regexp("encrypts the admin secret only")
    )


# -- metrics and escape hatches (CDK conventions) -------------------------------------------


def _metric_facts(stack: cdk.Stack, metric: Any) -> dict[str, Any]:
    return {
        "namespace": metric.namespace,
        "metric": metric.metric_name,
        "dimensions": stack.resolve(metric.dimensions),
        "statistic": metric.statistic,
        "period": metric.period.to_seconds(),
    }


@pytest.fixture(scope="module")
def brokers() -> tuple[cdk.Stack, AmazonMqBroker, AmazonMqBroker]:
    stack = cdk.Stack(new_app(), "Metrics")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    active = AmazonMqBroker(stack, "Active", vpc=vpc, broker_name="active")
    rabbit = AmazonMqBroker(
        stack, "Rabbit", vpc=vpc, engine=BrokerEngine.RABBITMQ, broker_name="rabbit"
    )
    return stack, active, rabbit


@pytest.mark.parametrize(
    ("method", "metric_name", "statistic"),
    [
        ("metric_cpu_utilization", "CpuUtilization", "Maximum"),
        ("metric_heap_usage", "HeapUsage", "Maximum"),
        ("metric_store_percent_usage", "StorePercentUsage", "Maximum"),
        ("metric_current_connections_count", "CurrentConnectionsCount", "Maximum"),
    ],
)
def test_activemq_metric_methods_are_per_instance(
    brokers: tuple[cdk.Stack, AmazonMqBroker, AmazonMqBroker],
    method: str,
    metric_name: str,
    statistic: str,
) -> None:
    stack, active, _ = brokers
    for instance in (1, 2):
        metric = getattr(active, method)(instance=instance)
        assert _metric_facts(stack, metric) == {
            "namespace": "AWS/AmazonMQ",
            "metric": metric_name,
            "dimensions": {"Broker": f"active-{instance}"},
            "statistic": statistic,
            "period": 300,
        }
    # Options pass through, as on CDK's own metric methods.
    tuned = getattr(active, method)(period=cdk.Duration.minutes(1), statistic="Average")
    assert (tuned.period.to_seconds(), tuned.statistic) == (60, "Average")


@pytest.mark.parametrize(
    ("method", "metric_name", "statistic"),
    [
        ("metric_system_cpu_utilization", "SystemCpuUtilization", "Maximum"),
        ("metric_rabbit_mq_mem_used", "RabbitMQMemUsed", "Maximum"),
        ("metric_rabbit_mq_mem_limit", "RabbitMQMemLimit", "Maximum"),
        ("metric_rabbit_mq_disk_free", "RabbitMQDiskFree", "Minimum"),
        ("metric_rabbit_mq_disk_free_limit", "RabbitMQDiskFreeLimit", "Maximum"),
        ("metric_connection_count", "ConnectionCount", "Maximum"),
        ("metric_message_count", "MessageCount", "Maximum"),
    ],
)
def test_rabbitmq_metric_methods_are_per_broker(
    brokers: tuple[cdk.Stack, AmazonMqBroker, AmazonMqBroker],
    method: str,
    metric_name: str,
    statistic: str,
) -> None:
    stack, _, rabbit = brokers
    assert _metric_facts(stack, getattr(rabbit, method)()) == {
        "namespace": "AWS/AmazonMQ",
        "metric": metric_name,
        "dimensions": {"Broker": "rabbit"},
        "statistic": statistic,
        "period": 300,
    }


def test_the_generic_metric_method(
    brokers: tuple[cdk.Stack, AmazonMqBroker, AmazonMqBroker],
) -> None:
    stack, active, rabbit = brokers
    total = active.metric("TotalMessageCount", instance=2)
    assert stack.resolve(total.dimensions) == {"Broker": "active-2"}
    assert total.statistic == "Average"
    assert stack.resolve(active.metric("NetworkIn").dimensions) == {"Broker": "active-1"}
    assert stack.resolve(rabbit.metric("QueueCount").dimensions) == {"Broker": "rabbit"}


def test_a_metric_of_the_other_engine_is_refused(
    brokers: tuple[cdk.Stack, AmazonMqBroker, AmazonMqBroker],
) -> None:
    _, active, rabbit = brokers
    with pytest.raises(
        ValueError, match=r"HeapUsage is a metric of ACTIVEMQ brokers.*runs RABBITMQ"
    ):
        rabbit.metric_heap_usage()
    with pytest.raises(
        ValueError, match=r"RabbitMQMemUsed is a metric of RABBITMQ brokers.*runs ACTIVEMQ"
    ):
        active.metric_rabbit_mq_mem_used()


def test_a_metric_of_an_instance_the_broker_lacks_is_refused(
    brokers: tuple[cdk.Stack, AmazonMqBroker, AmazonMqBroker],
) -> None:
    _, active, rabbit = brokers
    with pytest.raises(ValueError, match=r"instance 3 of the ActiveMQ broker .* use 1 or 2"):
        active.metric_heap_usage(instance=3)
    with pytest.raises(ValueError, match=r"instance 1 given for the RabbitMQ broker"):
        rabbit.metric("QueueCount", instance=1)
    single = _broker(ec2.Vpc(cdk.Stack(new_app(), "Single"), "Vpc"), single_instance=True)
    with pytest.raises(ValueError, match=r"instance 2 .* use 1$"):
        single.metric_cpu_utilization(instance=2)


def test_the_default_child_is_the_cfn_broker_and_escape_hatches_reach_the_template() -> None:
    stack = cdk.Stack(new_app(), "Hatch")
    broker = AmazonMqBroker(stack, "Broker", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))
    assert broker.node.default_child is broker.broker
    cfn_broker = broker.node.default_child
    assert isinstance(cfn_broker, amazonmq.CfnBroker)
    cfn_broker.add_property_override("Configuration", {"Id": "c-1", "Revision": 1})
    props = by_path(Template.from_stack(stack), BROKER, "/Broker/Broker")["Properties"]
    assert props["Configuration"] == {"Id": "c-1", "Revision": 1}


# -- validation: one test per rule -----------------------------------------------------------


@pytest.fixture
def vpc() -> ec2.Vpc:
    app = new_app()
    stack = cdk.Stack(app, "Invalid")
    return ec2.Vpc(stack, "Vpc")


def _broker(vpc: ec2.Vpc, **kwargs: Any) -> AmazonMqBroker:
    return AmazonMqBroker(cdk.Stack.of(vpc), "Broker", vpc=vpc, **kwargs)


def test_unsupported_engine_version(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"engine_version '5\.15' is not supported.*5\.19, 5\.18"):
        _broker(vpc, engine_version="5.15")


def test_mistyped_instance_type(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"host_instance_type 'mq\.m5\.larg' is not supported"):
        _broker(vpc, host_instance_type="mq.m5.larg")


def test_instance_type_of_another_engine_version(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"'mq\.m5\.large' is not supported for RABBITMQ 4\.2"):
        _broker(vpc, engine=BrokerEngine.RABBITMQ, host_instance_type="mq.m5.large")


def test_micro_instance_needs_single_instance(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"'mq\.t3\.micro' only runs single-instance.*single"):
        _broker(vpc, host_instance_type="mq.t3.micro")


def test_rabbitmq_has_no_audit_log(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"audit_log=True applies to ActiveMQ only"):
        _broker(vpc, engine=BrokerEngine.RABBITMQ, audit_log=True)


def test_rabbitmq_lacks_mqtt(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"protocols includes MQTT, which RABBITMQ does not offer"):
        _broker(vpc, engine=BrokerEngine.RABBITMQ, protocols=[BrokerProtocol.MQTT])


def test_protocols_may_not_be_empty(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"protocols is empty"):
        _broker(vpc, protocols=[])


def test_protocols_may_not_repeat(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"protocol 'MQTT' is used twice"):
        _broker(vpc, protocols=[BrokerProtocol.MQTT, BrokerProtocol.MQTT])


def test_peer_may_not_be_the_internet(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"allowed_peers 0\.0\.0\.0/0 would open the broker"):
        _broker(vpc, allowed_peers=[ec2.Peer.any_ipv4()])


def test_later_peer_may_not_be_the_internet(vpc: ec2.Vpc) -> None:
    broker = _broker(vpc)
    with pytest.raises(ValueError, match=r"peer ::/0 would open the broker"):
        broker.allow_clients_from(ec2.Peer.any_ipv6())


def test_bad_broker_name(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"broker_name 'my broker' must be 1 to 50 letters"):
        _broker(vpc, broker_name="my broker")


def test_bad_admin_username(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"admin_username 'admin:root' must be 2 to 100"):
        _broker(vpc, admin_username="admin:root")


def test_single_instance_with_two_subnets(vpc: ec2.Vpc) -> None:
    subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
    with pytest.raises(
        ValueError, match=r"selects 2 subnet\(s\), but a SINGLE_INSTANCE broker takes 1"
    ):
        _broker(vpc, single_instance=True, vpc_subnets=subnets)


def test_active_standby_with_one_subnet(vpc: ec2.Vpc) -> None:
    one = vpc.private_subnets[:1]
    with pytest.raises(ValueError, match=r"ACTIVE_STANDBY_MULTI_AZ broker takes 2"):
        _broker(vpc, vpc_subnets=ec2.SubnetSelection(subnets=one))


def test_public_subnets_are_refused(vpc: ec2.Vpc) -> None:
    public = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)
    with pytest.raises(ValueError, match=r"vpc_subnets selects public subnets"):
        _broker(vpc, vpc_subnets=public)


def test_bad_maintenance_day(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"maintenance_window\.day_of_week 'SUNDEY' must be"):
        _broker(vpc, maintenance_window=MaintenanceWindow(day_of_week="SUNDEY", time_of_day="3:00"))


def test_bad_maintenance_time(vpc: ec2.Vpc) -> None:
    with pytest.raises(ValueError, match=r"maintenance_window\.time_of_day '25:00' must be"):
        _broker(
            vpc, maintenance_window=MaintenanceWindow(day_of_week="MONDAY", time_of_day="25:00")
        )


def test_subnets_must_be_in_different_availability_zones() -> None:
    app = new_app()
    app.node.set_context(
        "availability-zones:account=111111111111:region=us-east-1",
        ["us-east-1a", "us-east-1b"],
    )
    stack = cdk.Stack(
        app, "SameAz", env=cdk.Environment(account="111111111111", region="us-east-1")
    )
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=1,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="A", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            ec2.SubnetConfiguration(name="B", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ],
    )
    isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    with pytest.raises(ValueError, match=r"several subnets in one Availability Zone"):
        AmazonMqBroker(stack, "Broker", vpc=vpc, engine=BrokerEngine.RABBITMQ, vpc_subnets=isolated)


# -- life after the first deploy -------------------------------------------------------------


def _life_app() -> cdk.App:
    app = new_app()
    app.node.set_context(
        "availability-zones:account=111111111111:region=us-east-1",
        ["us-east-1a", "us-east-1b", "us-east-1c"],
    )
    return app


def _add_broker(
    app: cdk.App,
    construct_id: str = "Life",
    stack_name: str = "Life",
    *,
    after: Any = None,
    **kwargs: Any,
) -> cdk.Stack:
    """A stack of ``app`` with one broker; ``after(stack, broker)`` may change it after
    construction. Its name comes from ``stack_name``, never from ``construct_id``."""
    stack = cdk.Stack(
        app,
        construct_id,
        stack_name=stack_name,
        env=cdk.Environment(account="111111111111", region="us-east-1"),
    )
    vpc = ec2.Vpc(stack, "Vpc", max_azs=3)
    if callable(kwargs.get("encryption_key")):
        kwargs["encryption_key"] = kwargs["encryption_key"](stack)
    broker = AmazonMqBroker(stack, "Broker", vpc=vpc, **kwargs)
    if after is not None:
        after(stack, broker)
    return stack


def _one_broker(stack_name: str = "Life", *, after: Any = None, **kwargs: Any) -> Template:
    """One broker in a fresh app (for a change that must fail at synth)."""
    return Template.from_stack(_add_broker(_life_app(), "Life", stack_name, after=after, **kwargs))


def _broker_name(template: Template) -> str:
    return str(by_path(template, BROKER, "/Broker/Broker")["Properties"]["BrokerName"])


def _to_single_instance(stack: cdk.Stack, broker: AmazonMqBroker) -> None:
    broker.broker.deployment_mode = "SINGLE_INSTANCE"
    broker.broker.subnet_ids = list(broker.broker.subnet_ids or [])[:1]


def _client(stack: cdk.Stack, broker: AmazonMqBroker) -> None:
    vpc = stack.node.find_child("Vpc")
    assert isinstance(vpc, ec2.Vpc)
    client_sg = ec2.SecurityGroup(stack, "Client", vpc=vpc)
    client_sg.connections.allow_to(broker, ec2.Port.tcp(61617))


def _private_ranges(stack: cdk.Stack, broker: AmazonMqBroker) -> None:
    broker.connections.allow_default_port_from(ec2.Peer.ipv4("10.0.0.0/8"))
    broker.connections.allow_from(ec2.Peer.ipv4("0.0.0.0/1"), ec2.Port.tcp(61617))
    broker.connections.allow_from(ec2.Peer.ipv6("fd00::/8"), ec2.Port.tcp(61617))


TO_SINGLE_INSTANCE = "toggle single instance (DeploymentMode, SubnetIds)"
REPLACING_EDITS: dict[str, dict[str, Any]] = {
    TO_SINGLE_INSTANCE: {"single_instance": True},
    "another key (EncryptionOptions)": {
        "encryption_key": lambda stack: kms.Key(stack, "OtherKey", enable_key_rotation=True)
    },
    "another subnet selection (SubnetIds)": {
        "vpc_subnets": ec2.SubnetSelection(availability_zones=["us-east-1b", "us-east-1c"])
    },
    "another engine (EngineType, EncryptionOptions)": {"engine": BrokerEngine.RABBITMQ},
}
IN_PLACE_EDITS: dict[str, dict[str, Any]] = {
    "bigger instance": {"host_instance_type": "mq.m5.xlarge"},
    "older version": {"engine_version": "5.18"},
    "more protocols": {"protocols": [BrokerProtocol.OPENWIRE, BrokerProtocol.MQTT]},
    "maintenance window": {
        "maintenance_window": MaintenanceWindow(day_of_week="MONDAY", time_of_day="02:00")
    },
    "console": {"console_access": True},
}
GOOD_TIME_ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/Argentina/Buenos_Aires",
    "UTC+02:00",
    "UTC-05:30",
]


@pytest.fixture(scope="module")
def lives() -> dict[str, Template]:
    """Every broker of the tests below that synthesizes, each in a stack of its own of ONE app
    (synthesized once), by scenario: the same templates as one app per broker (a broker's
    name and logical IDs come from its stack's name and its position below the stack)."""
    scenarios: dict[str, dict[str, Any]] = {
        "default": {},
        "shop-dev": {"stack_name": "shop-dev"},
        "shop-prod": {"stack_name": "shop-prod"},
        "orders": {"broker_name": "orders"},
        "orders, single instance": {"broker_name": "orders", "single_instance": True},
        "retain": {"removal_policy": cdk.RemovalPolicy.RETAIN},
        "to single instance through the L1": {"after": _to_single_instance},
        "connected client": {"after": _client},
        "private ranges": {"after": _private_ranges},
        **REPLACING_EDITS,
        **IN_PLACE_EDITS,
        **{
            f"time zone {zone}": {
                "maintenance_window": MaintenanceWindow(
                    day_of_week="MONDAY", time_of_day="03:00", time_zone=zone
                )
            }
            for zone in GOOD_TIME_ZONES
        },
    }
    app = _life_app()
    stacks = {
        name: _add_broker(app, f"Life{number}", **scenario)
        for number, (name, scenario) in enumerate(scenarios.items())
    }
    return {name: Template.from_stack(stack) for name, stack in stacks.items()}


@pytest.fixture(scope="module")
def default_name(lives: dict[str, Template]) -> str:
    return _broker_name(lives["default"])


@pytest.mark.parametrize("edit", list(REPLACING_EDITS))
def test_an_edit_that_replaces_the_broker_renames_it(
    lives: dict[str, Template], default_name: str, edit: str
) -> None:
    # BrokerName is required and create-only: a replacement under the same name fails with
    # "cannot update a stack when a custom-named resource requires replacing".
    renamed = _broker_name(lives[edit])
    assert renamed != default_name, edit
    assert re.fullmatch(r"[0-9A-Za-z_-]{1,50}", renamed), renamed


@pytest.mark.parametrize("edit", list(IN_PLACE_EDITS))
def test_an_edit_that_updates_in_place_keeps_the_name(
    lives: dict[str, Template], default_name: str, edit: str
) -> None:
    before, after = lives["default"], lives[edit]
    assert _broker_name(after) == default_name, edit
    # ... and CloudFormation updates it in place: same logical ID, no create-only change.
    path = "/Broker/Broker"
    assert logical_id(after, BROKER, path) == logical_id(before, BROKER, path)
    old, new = (by_path(t, BROKER, path)["Properties"] for t in (before, after))
    for prop in ("BrokerName", *CREATE_ONLY_PROPERTIES):
        assert old.get(prop) == new.get(prop), (edit, prop)


def test_a_change_through_the_exposed_l1_after_construction_renames_the_broker(
    lives: dict[str, Template], default_name: str
) -> None:
    assert _broker_name(lives["to single instance through the L1"]) != default_name


def test_the_generated_name_comes_from_the_stack_name_and_position(
    lives: dict[str, Template],
) -> None:
    dev = _broker_name(lives["shop-dev"])
    prod = _broker_name(lives["shop-prod"])
    assert dev.startswith("shopdev-Broker-")
    assert prod.startswith("shopprod-Broker-")
    assert len(dev) <= 50
    assert len(prod) <= 50


def test_a_given_broker_name_is_used_as_is_even_when_create_only_properties_change(
    lives: dict[str, Template],
) -> None:
    assert _broker_name(lives["orders"]) == "orders"
    assert _broker_name(lives["orders, single instance"]) == "orders"


def test_alarms_and_log_policy_follow_the_generated_name(lives: dict[str, Template]) -> None:
    template = lives[TO_SINGLE_INSTANCE]
    name = _broker_name(template)
    alarms = _alarms(template, "Broker")
    assert _metric_dimensions(alarms["HeapUsageAlarm"]) == {"HeapUsage": [f"Broker={name}-1"]}
    policy = by_path(
        template, "AWS::Logs::ResourcePolicy", "/Broker/LogPublishingPolicy/ResourcePolicy"
    )
    assert f":broker:{name}:*" in json.dumps(policy["Properties"]["PolicyDocument"])


# Removal: a broker holds messages in transit (like a queue), so it is destroyed with the
# stack; its admin secret and key follow it. A broker retained under a fixed name would make
# the next deploy of the same stack fail with "already exists".
_BROKER_PARTS = (
    ("/Broker/Broker", BROKER),
    ("/Broker/AdminSecret/Resource", "AWS::SecretsManager::Secret"),
    ("/Broker/EncryptionKey/Resource", "AWS::KMS::Key"),
)


def test_broker_secret_and_key_are_destroyed_with_the_stack_by_default(
    lives: dict[str, Template],
) -> None:
    template = lives["default"]
    for path, resource_type in _BROKER_PARTS:
        resource = by_path(template, resource_type, path)
        assert resource["DeletionPolicy"] == "Delete", path
        assert resource["UpdateReplacePolicy"] == "Delete", path
    key = by_path(template, "AWS::KMS::Key", "/Broker/EncryptionKey/Resource")
    # KMS's pending window (7 to 30 days) is the safety net of a destroyed key.
    assert key["Properties"].get("PendingWindowInDays", 30) >= 7


def test_retain_keeps_broker_secret_and_key_together(lives: dict[str, Template]) -> None:
    template = lives["retain"]
    for path, resource_type in _BROKER_PARTS:
        resource = by_path(template, resource_type, path)
        assert resource["DeletionPolicy"] == "Retain", path
        assert resource["UpdateReplacePolicy"] == "Retain", path


def _log_policy_name(template: Template) -> str:
    policy = by_path(
        template, "AWS::Logs::ResourcePolicy", "/Broker/LogPublishingPolicy/ResourcePolicy"
    )
    return str(policy["Properties"]["PolicyName"])


def test_two_stages_get_two_log_policy_names(lives: dict[str, Template]) -> None:
    dev = _log_policy_name(lives["shop-dev"])
    prod = _log_policy_name(lives["shop-prod"])
    assert dev != prod
    assert dev.startswith("shopdev-")
    assert prod.startswith("shopprod-")
    for name in (dev, prod):
        # PolicyName: 1 to 255 characters, no ':', '*' or '/' (AWS::Logs::ResourcePolicy).
        assert re.fullmatch(r"[^:*/]{1,255}", name), name


def test_the_broker_is_connectable(lives: dict[str, Template]) -> None:
    template = lives["connected client"]
    client_id = logical_id(template, SG, "/Client/Resource")
    ingress = [
        r["Properties"]
        for r in template.find_resources("AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"].get("SourceSecurityGroupId") == {"Fn::GetAtt": [client_id, "GroupId"]}
    ]
    assert len(ingress) == 1
    assert ingress[0]["FromPort"] == 61617
    assert ingress[0]["GroupId"] == {
        "Fn::GetAtt": [logical_id(template, SG, "/Broker/SecurityGroup/Resource"), "GroupId"]
    }


@pytest.mark.parametrize(
    ("opening", "change"),
    [
        (
            "allow_default_port_from_any_ipv4",
            lambda b: b.connections.allow_default_port_from_any_ipv4(),
        ),
        ("allow_from_any_ipv4", lambda b: b.connections.allow_from_any_ipv4(ec2.Port.tcp(61617))),
        (
            "two halves of IPv4",
            lambda b: [
                b.allow_clients_from(ec2.Peer.ipv4("0.0.0.0/1")),
                b.allow_clients_from(ec2.Peer.ipv4("128.0.0.0/1")),
            ],
        ),
        (
            "IPv6 through the security group",
            lambda b: b.security_group.add_ingress_rule(ec2.Peer.any_ipv6(), ec2.Port.tcp(8883)),
        ),
        (
            "two halves of IPv6 on different ports",
            lambda b: [
                b.connections.allow_from(ec2.Peer.ipv6("::/1"), ec2.Port.tcp(61617)),
                b.connections.allow_from(ec2.Peer.ipv6("8000::/1"), ec2.Port.tcp(8883)),
            ],
        ),
        (
            "a separate ingress resource",
            lambda b: ec2.CfnSecurityGroupIngress(
                cdk.Stack.of(b),
                "WorldIngress",
                group_id=b.security_group.security_group_id,
                ip_protocol="tcp",
                from_port=61617,
                to_port=61617,
                cidr_ip="0.0.0.0/0",
            ),
        ),
    ],
)
def test_opening_the_broker_to_the_world_after_construction_fails_at_synth(
    opening: str, change: Any
) -> None:
    with pytest.raises(
        RuntimeError, match=r"security group of the Amazon MQ broker .* every (IPv4|IPv6) address"
    ):
        _one_broker(after=lambda stack, broker: change(broker))


def test_private_ranges_added_after_construction_pass(lives: dict[str, Template]) -> None:
    template = lives["private ranges"]
    cidrs = {rule.get("CidrIp") or rule.get("CidrIpv6") for rule in _ingress(template, "Broker")}
    assert cidrs == {"10.0.0.0/8", "0.0.0.0/1", "fd00::/8"}


@pytest.mark.parametrize("zone", ["Mars/Olympus", "UTC+25:00", "Berlin", ""])
def test_bad_maintenance_time_zone(vpc: ec2.Vpc, zone: str) -> None:
    with pytest.raises(ValueError, match=r"maintenance_window\.time_zone .* must be"):
        _broker(
            vpc,
            maintenance_window=MaintenanceWindow(
                day_of_week="MONDAY", time_of_day="03:00", time_zone=zone
            ),
        )


@pytest.mark.parametrize("zone", GOOD_TIME_ZONES)
def test_good_maintenance_time_zones(lives: dict[str, Template], zone: str) -> None:
    template = lives[f"time zone {zone}"]
    props = by_path(template, BROKER, "/Broker/Broker")["Properties"]
    assert props["MaintenanceWindowStartTime"]["TimeZone"] == zone


def test_allowed_peers_that_together_cover_the_internet_are_refused(vpc: ec2.Vpc) -> None:
    halves = [ec2.Peer.ipv4("0.0.0.0/1"), ec2.Peer.ipv4("128.0.0.0/1")]
    with pytest.raises(ValueError, match=r"allowed_peers admits every IPv4 address"):
        _broker(vpc, allowed_peers=[*halves, ec2.Peer.security_group_id(CLIENT_SG_ID)])


def test_a_world_open_ingress_from_another_stack_fails_at_synth() -> None:
    app = new_app()
    stack = cdk.Stack(app, "BrokerStack")
    broker = AmazonMqBroker(stack, "Broker", vpc=ec2.Vpc(stack, "Vpc"))
    other = cdk.Stack(app, "OtherStack")
    ec2.CfnSecurityGroupIngress(
        other,
        "WorldIngress",
        group_id=broker.security_group.security_group_id,
        ip_protocol="tcp",
        from_port=61617,
        to_port=61617,
        cidr_ip="0.0.0.0/0",
    )
    with pytest.raises(RuntimeError, match=r"broker BrokerStack/Broker admits every IPv4"):
        app.synth()


def test_a_broker_name_set_through_the_l1_is_checked_at_synth() -> None:
    def too_long(stack: cdk.Stack, broker: AmazonMqBroker) -> None:
        broker.broker.broker_name = "b" * 51

    with pytest.raises(RuntimeError, match=r"BrokerName 'b{51}' of Life/Broker must be 1 to 50"):
        _one_broker(after=too_long)


def test_create_only_properties_are_the_schemas() -> None:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # type: ignore[import-untyped]

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", BROKER).schema
    from_schema = {path.removeprefix("/properties/") for path in schema["createOnlyProperties"]}
    assert from_schema - {"BrokerName"} == set(CREATE_ONLY_PROPERTIES)


def test_broker_migration_can_be_destroyed_and_deployed_again(examples_app: Any) -> None:
    # `cdk destroy` then `cdk deploy` with the defaults: nothing the stack leaves behind may
    # hold a name the second deploy needs.
    template = examples_app.template_json("BrokerMigration")
    for logical, resource in template["Resources"].items():
        if resource.get("DeletionPolicy") == "Retain":
            names = [prop for prop in resource.get("Properties", {}) if prop.endswith("Name")]
            assert names == [], f"{logical} ({resource['Type']}) is retained with {names}"
    broker = by_path(Template.from_json(template), BROKER, "/Broker/Broker")
    assert broker["DeletionPolicy"] == "Delete"


def test_a_world_open_group_added_to_the_broker_through_the_l1_fails_at_synth() -> None:
    def second_group(stack: cdk.Stack, broker: AmazonMqBroker) -> None:
        vpc = stack.node.find_child("Vpc")
        assert isinstance(vpc, ec2.Vpc)
        world = ec2.SecurityGroup(stack, "World", vpc=vpc, allow_all_outbound=False)
        world.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(61617))
        broker.broker.security_groups = [
            broker.security_group.security_group_id,
            world.security_group_id,
        ]

    with pytest.raises(RuntimeError, match=r"broker Life/Broker admits every IPv4 address"):
        _one_broker(after=second_group)


# -- the alarms against AWS's recommendations (docs/patterns/amazon_mq.md) -------------------


def _comparison_rows() -> dict[str, tuple[str, int, int]]:
    page = (ROOT / "docs" / "patterns" / "amazon_mq.md").read_text()
    section = page.split("## Alarms and AWS's recommended alarms\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for match in re.finditer(
        r"^\| `(\w+Alarm)` \| (\w+) \|.*\| (\d+)(?: \((\d+)[^)]*\))? \|$", section, re.M
    ):
        alarm, engine, metrics, single = match.groups()
        rows[alarm] = (engine.upper(), int(metrics), int(single or metrics))
    return rows


def _alarm_metric_counts(**kwargs: Any) -> dict[str, int]:
    stack = cdk.Stack(new_app(), "Compared")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, restrict_default_security_group=False)
    AmazonMqBroker(stack, "Broker", vpc=vpc, **kwargs)
    return {
        name: len([q for q in alarm.get("Metrics", []) if "MetricStat" in q]) or 1
        for name, alarm in _alarms(Template.from_stack(stack), "Broker").items()
    }


@pytest.mark.parametrize("engine", list(BrokerEngine))
def test_the_comparison_with_aws_recommendations_lists_every_alarm_and_its_metrics(
    engine: BrokerEngine,
) -> None:
    rows = {a: row for a, row in _comparison_rows().items() if row[0] == engine.value}
    highly_available = _alarm_metric_counts(engine=engine)
    single = (
        _alarm_metric_counts(
            engine=engine, single_instance=True, host_instance_type="mq.m7g.medium"
        )
        if engine == BrokerEngine.RABBITMQ
        else _alarm_metric_counts(single_instance=True)
    )
    assert {alarm: metrics for alarm, (_, metrics, _) in rows.items()} == highly_available
    assert {alarm: metrics for alarm, (_, _, metrics) in rows.items()} == single
