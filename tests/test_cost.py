"""The cost estimator counts what templates hold, and docs/cost.md cannot go stale."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from patterns import cost
from patterns.cost import coverage, rates
from patterns.cost.lines import Assumptions
from tests.helpers import ROOT, SynthesizedApp
from tools import cost_doc


def _alarm(**props: Any) -> dict[str, Any]:
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": props}


def _metric(metric_id: str, period: int = 60) -> dict[str, Any]:
    return {
        "Id": metric_id,
        "MetricStat": {
            "Metric": {"Namespace": "AWS/SQS", "MetricName": "NumberOfMessagesSent"},
            "Period": period,
            "Stat": "Sum",
        },
        "ReturnData": False,
    }


def _stack(resources: dict[str, Any], **assumed: int) -> cost.StackCost:
    return cost.estimate_template({"Resources": resources}, Assumptions(**assumed))


def _quantity(resources: dict[str, Any], item: str, **assumed: int) -> float | None:
    lines = [line for line in _stack(resources, **assumed).lines if line.item == item]
    assert lines, (item, [line.item for line in _stack(resources, **assumed).lines])
    values = [line.quantity for line in lines]
    return None if None in values else sum(v or 0 for v in values)


def _reasons(resources: dict[str, Any]) -> dict[str, str]:
    return {n.resource_type: n.reason for n in _stack(resources).not_counted}


# --------------------------------------------------------------------------- alarms


def test_an_alarm_on_one_metric_is_one_alarm_metric() -> None:
    alarm = {"A": _alarm(MetricName="X", Namespace="AWS/SQS", Period=60)}
    assert _quantity(alarm, "standard alarm metrics") == 1
    assert _stack(alarm).lines[0].spec == rates.ALARM_METRIC


def test_a_metric_math_alarm_counts_each_metric_it_reads() -> None:
    expression = {"Id": "total", "Expression": "m1 + m2 + m3", "ReturnData": True}
    metrics = [_metric("m1"), _metric("m2"), _metric("m3"), expression]
    assert _quantity({"A": _alarm(Metrics=metrics)}, "standard alarm metrics") == 3


def test_a_high_resolution_alarm_is_counted_apart() -> None:
    alarm = {"A": _alarm(MetricName="X", Namespace="N", Period=10)}
    assert _quantity(alarm, "high-resolution alarm metrics") == 1
    assert _stack(alarm).lines[0].spec == rates.HIGH_RESOLUTION_ALARM_METRIC


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ('SELECT MAX(x) FROM SCHEMA("AWS/SQS")', "Metrics Insights"),
        ("ANOMALY_DETECTION_BAND(m1, 2)", "anomaly detection"),
        ("MAX(SEARCH('{AWS/SQS} MetricName=\"X\"', 'Sum'))", "SEARCH"),
    ],
)
def test_alarms_billed_by_what_synth_cannot_tell_are_not_counted(
    expression: str, reason: str
) -> None:
    metrics = [{"Id": "e", "Expression": expression, "ReturnData": True}]
    if "ANOMALY" in expression:
        metrics.insert(0, _metric("m1"))
    stack = _stack({"A": _alarm(Metrics=metrics)})
    assert stack.lines == ()
    assert reason in _reasons({"A": _alarm(Metrics=metrics)})["AWS::CloudWatch::Alarm"]


def test_dashboards_and_composite_alarms_are_counted() -> None:
    resources = {
        "D": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {}},
        "C": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {}},
    }
    assert _quantity(resources, "dashboard") == 1
    assert _quantity(resources, "composite alarm") == 1


# --------------------------------------------------------------------------- keys, secrets


def test_a_key_is_one_key_month_and_its_requests_are_by_volume() -> None:
    stack = _stack({"K": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}}})
    key, requests = stack.lines
    assert (key.quantity, key.spec, key.basis) == (1, rates.KMS_KEY, cost.FIXED)
    assert "rotated every 365 days" in key.note
    assert (requests.quantity, requests.basis) == (None, cost.BY_VOLUME)


def test_a_secret_counts_its_replicas() -> None:
    props = {"ReplicaRegions": [{"Region": "eu-west-1"}]}
    assert (
        _quantity({"S": {"Type": "AWS::SecretsManager::Secret", "Properties": props}}, "secret")
        == 2
    )


# --------------------------------------------------------------------------- kinesis


def _stream(**props: Any) -> dict[str, Any]:
    return {"Type": "AWS::Kinesis::Stream", "Properties": props}


def test_a_provisioned_stream_bills_shard_hours_and_extended_retention() -> None:
    stream = {"S": _stream(ShardCount=2, RetentionPeriodHours=48)}
    assert _quantity(stream, "provisioned shard-hours") == 2 * cost.HOURS_PER_MONTH
    assert _quantity(stream, "extended-retention shard-hours") == 2 * cost.HOURS_PER_MONTH


def test_a_provisioned_stream_with_24_hours_retention_has_no_extended_retention() -> None:
    items = [line.item for line in _stack({"S": _stream(ShardCount=1)}).lines]
    assert "extended-retention shard-hours" not in items


def test_an_on_demand_stream_bills_stream_hours_and_gb_per_million_records() -> None:
    stream = {"S": _stream(StreamModeDetails={"StreamMode": "ON_DEMAND"})}
    assert _quantity(stream, "on-demand stream-hours") == cost.HOURS_PER_MONTH
    assert _quantity(stream, "on-demand data in") == round(1e6 / 1024**2, 4)


def test_put_payload_units_follow_the_record_size() -> None:
    stream = {"S": _stream(ShardCount=1)}
    assert _quantity(stream, "PUT payload units", message_kb=1) == 1e6
    assert _quantity(stream, "PUT payload units", message_kb=100) == 4e6


def test_an_enhanced_fan_out_consumer_bills_consumer_shard_hours_and_gb() -> None:
    consumer = {
        "Type": "AWS::Kinesis::StreamConsumer",
        "Properties": {"StreamARN": {"Fn::GetAtt": ["S", "Arn"]}, "ConsumerName": "c"},
    }
    resources = {"S": _stream(ShardCount=3), "C": consumer}
    assert _quantity(resources, "consumer-shard-hours") == 3 * cost.HOURS_PER_MONTH
    assert _quantity(resources, "enhanced fan-out data out") == round(1e6 / 1024**2, 4)


# --------------------------------------------------------------------------- amazon mq


def _broker(mode: str, engine: str = "ACTIVEMQ") -> dict[str, Any]:
    props = {"DeploymentMode": mode, "HostInstanceType": "mq.m5.large", "EngineType": engine}
    return {"B": {"Type": "AWS::AmazonMQ::Broker", "Properties": props}}


@pytest.mark.parametrize(
    ("mode", "engine", "option"),
    [
        ("SINGLE_INSTANCE", "ACTIVEMQ", "Single-AZ"),
        ("ACTIVE_STANDBY_MULTI_AZ", "ACTIVEMQ", "Multi-AZ"),
        ("CLUSTER_MULTI_AZ", "RABBITMQ", "Multi-AZ"),
    ],
)
def test_a_broker_bills_broker_hours_at_its_deployment_options_rate(
    mode: str, engine: str, option: str
) -> None:
    (hours, storage) = _stack(_broker(mode, engine)).lines
    assert hours.quantity == cost.HOURS_PER_MONTH
    assert hours.spec is not None
    assert dict(hours.spec.attributes)["deploymentOption"] == option
    assert f"{cost.BROKER_INSTANCES[mode]} instance(s)" in hours.note
    assert storage.basis == cost.BY_VOLUME


# --------------------------------------------------------------------------- message paths


def _queue(fifo: bool = False, dead_letter: str | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"FifoQueue": True} if fifo else {}
    if dead_letter:
        props["RedrivePolicy"] = {
            "deadLetterTargetArn": {"Fn::GetAtt": [dead_letter, "Arn"]},
            "maxReceiveCount": 5,
        }
    return {"Type": "AWS::SQS::Queue", "Properties": props}


def test_a_queue_bills_three_requests_per_message() -> None:
    (line,) = _stack({"Q": _queue()}).per_million
    assert (line.quantity, line.spec) == (3e6, rates.SQS_STANDARD)
    (fifo,) = _stack({"Q": _queue(fifo=True)}).per_million
    assert (fifo.quantity, fifo.spec) == (3e6, rates.SQS_FIFO)


def test_messages_over_64_kb_bill_one_request_per_chunk() -> None:
    assert _quantity({"Q": _queue()}, "standard SQS requests", message_kb=200) == 3 * 4 * 1e6


def test_dead_letter_queues_and_failure_destinations_are_no_message_path() -> None:
    mapping = {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["F", "Arn"]}}}
        },
    }
    rule = {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "Targets": [{"Arn": "x", "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["E", "Arn"]}}}]
        },
    }
    resources = {
        "Q": _queue(dead_letter="D"),
        "D": _queue(),
        "F": _queue(),
        "M": mapping,
        "E": _queue(),
        "R": rule,
    }
    queues = [line for line in _stack(resources).per_million if "SQS" in line.item]
    assert [line.resource for line in queues] == ["Q"]
    assert "dead-letter queue" in _reasons(resources)["AWS::SQS::Queue"]


def _subscription(topic: str, endpoint: str, protocol: str = "sqs", **extra: Any) -> dict[str, Any]:
    props = {"TopicArn": {"Ref": topic}, "Protocol": protocol, "Endpoint": endpoint, **extra}
    return {"Type": "AWS::SNS::Subscription", "Properties": props}


def test_a_topic_bills_one_publish_and_one_delivery_per_subscription() -> None:
    resources = {
        "T": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "S1": _subscription("T", "a"),
        "S2": _subscription("T", "b", FilterPolicy={"kind": ["x"]}),
        "Other": {"Type": "AWS::SNS::Topic", "Properties": {"FifoTopic": True}},
    }
    lines = {(line.resource, line.item): line for line in _stack(resources).lines}
    assert lines[("T", "SNS publish requests")].quantity == 1e6
    deliveries = lines[("T", "SNS deliveries to SQS")]
    assert (deliveries.quantity, deliveries.spec) == (2e6, rates.SNS_TO_SQS)
    assert "1 filtered subscription" in deliveries.note
    assert lines[("Other", "FIFO SNS publishes")].spec == rates.SNS_FIFO_PUBLISH
    assert ("Other", "SNS deliveries to SQS") not in lines


def test_an_alarm_topic_is_billed_by_alarm_state_changes_not_messages() -> None:
    resources = {
        "T": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "A": _alarm(MetricName="X", Namespace="N", Period=60, AlarmActions=[{"Ref": "T"}]),
    }
    (publishes,) = [line for line in _stack(resources).lines if line.resource == "T"]
    assert (publishes.basis, publishes.quantity) == (cost.BY_VOLUME, None)


def test_firehose_bills_ingestion_in_5_kb_increments_and_conversion() -> None:
    s3 = {"DataFormatConversionConfiguration": {"Enabled": True}}
    props = {"ExtendedS3DestinationConfiguration": s3}
    resources = {"F": {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": props}}
    assert _quantity(resources, "Firehose ingestion", message_kb=1) == round(5e6 / 1024**2, 4)
    assert _quantity(resources, "Firehose ingestion", message_kb=6) == round(10e6 / 1024**2, 4)
    assert _quantity(resources, "format conversion") == round(1e6 / 1024**2, 4)


# --------------------------------------------------------------------------- consumers


def _function(memory: int = 512, arm: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"MemorySize": memory}
    if arm:
        props["Architectures"] = ["arm64"]
    return {"Type": "AWS::Lambda::Function", "Properties": props}


def _mapping(source: str, batch: int | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "FunctionName": {"Ref": "Fn"},
        "EventSourceArn": {"Fn::GetAtt": [source, "Arn"]},
    }
    if batch:
        props["BatchSize"] = batch
    return {"Type": "AWS::Lambda::EventSourceMapping", "Properties": props}


def test_a_lambda_consumer_bills_requests_per_batch_and_gb_seconds() -> None:
    resources = {"Q": _queue(), "Fn": _function(memory=512), "M": _mapping("Q", batch=5)}
    assert _quantity(resources, "Lambda requests") == 200_000
    gb_seconds = 200_000 * 0.25 * 0.5
    assert _quantity(resources, "Lambda duration", lambda_duration_ms=250) == gb_seconds
    requests = next(line for line in _stack(resources).lines if line.item == "Lambda requests")
    assert requests.spec == rates.lambda_requests(arm=False)


def test_a_lambda_consumer_takes_its_sources_default_batch_and_architecture() -> None:
    resources = {"S": _stream(ShardCount=1), "Fn": _function(arm=True), "M": _mapping("S")}
    assert _quantity(resources, "Lambda requests") == 10_000
    duration = next(line for line in _stack(resources).lines if line.item == "Lambda duration")
    assert duration.spec == rates.lambda_duration(arm=True)


def test_a_firehose_transformation_is_invoked_once_per_buffer() -> None:
    parameters = [
        {"ParameterName": "LambdaArn", "ParameterValue": {"Fn::GetAtt": ["Fn", "Arn"]}},
        {"ParameterName": "BufferSizeInMBs", "ParameterValue": "2"},
    ]
    processing = {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": parameters}]}
    delivery = {
        "Type": "AWS::KinesisFirehose::DeliveryStream",
        "Properties": {
            "ExtendedS3DestinationConfiguration": {"ProcessingConfiguration": processing}
        },
    }
    resources = {"Fn": _function(memory=1024), "F": delivery}
    assert _quantity(resources, "Lambda requests", message_kb=1) == math.ceil(1e6 / 2048)
    assert _quantity(resources, "Lambda duration", lambda_duration_ms=1000) == math.ceil(1e6 / 2048)


def test_a_function_nothing_invokes_per_message_is_not_counted() -> None:
    assert "deploy-time custom resource" in _reasons({"Fn": _function()})["AWS::Lambda::Function"]


def _fleet(min_capacity: int, arm: bool = False) -> dict[str, Any]:
    platform = {"CpuArchitecture": "ARM64"} if arm else {}
    return {
        "Task": {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": {"Cpu": "1024", "Memory": "2048", "RuntimePlatform": platform},
        },
        "Service": {
            "Type": "AWS::ECS::Service",
            "Properties": {"LaunchType": "FARGATE", "TaskDefinition": {"Ref": "Task"}},
        },
        "Target": {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Properties": {
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": min_capacity,
                "ResourceId": {
                    "Fn::Join": ["", ["service/c/", {"Fn::GetAtt": ["Service", "Name"]}]]
                },
            },
        },
    }


def test_a_fargate_fleet_bills_vcpu_and_gb_hours_at_its_minimum() -> None:
    assert _quantity(_fleet(2), "Fargate vCPU-hours") == 2 * 1 * cost.HOURS_PER_MONTH
    assert _quantity(_fleet(2), "Fargate GB-hours") == 2 * 2 * cost.HOURS_PER_MONTH
    assert _quantity(_fleet(0), "Fargate vCPU-hours") == 0
    vcpu = next(line for line in _stack(_fleet(1, arm=True)).lines if "vCPU" in line.item)
    assert vcpu.spec == rates.fargate_vcpu(arm=True)


def test_a_lease_table_bills_on_demand_requests_and_storage_by_volume() -> None:
    props = {
        "BillingMode": "PAY_PER_REQUEST",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    }
    stack = _stack({"L": {"Type": "AWS::DynamoDB::Table", "Properties": props}})
    specs = {line.spec for line in stack.by_volume}
    assert {rates.DYNAMODB_WRITE_REQUEST, rates.DYNAMODB_READ_REQUEST} <= specs
    assert {rates.DYNAMODB_STORAGE, rates.DYNAMODB_PITR} <= specs


def test_a_provisioned_table_bills_capacity_unit_hours() -> None:
    props = {"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}}
    table = {"L": {"Type": "AWS::DynamoDB::Table", "Properties": props}}
    assert _quantity(table, "write capacity unit-hours") == 2 * cost.HOURS_PER_MONTH
    assert _quantity(table, "read capacity unit-hours") == 5 * cost.HOURS_PER_MONTH


# --------------------------------------------------------------------------- networking, events


def test_a_nat_gateway_bills_hours_and_gb_by_volume() -> None:
    stack = _stack({"N": {"Type": "AWS::EC2::NatGateway", "Properties": {}}})
    assert [(line.spec, line.quantity) for line in stack.lines] == [
        (rates.NAT_HOUR, cost.HOURS_PER_MONTH),
        (rates.NAT_GB, None),
    ]


def test_an_interface_endpoint_bills_an_hour_per_zone_and_a_gateway_endpoint_nothing() -> None:
    service = {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".sqs"]]}
    interface = {
        "VpcEndpointType": "Interface",
        "SubnetIds": ["a", "b", "c"],
        "ServiceName": service,
    }
    endpoint = {"E": {"Type": "AWS::EC2::VPCEndpoint", "Properties": interface}}
    assert _quantity(endpoint, "interface endpoint-hours") == 3 * cost.HOURS_PER_MONTH
    assert "sqs: 3 Availability Zone(s)" in _stack(endpoint).lines[0].note
    gateway = {"G": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Gateway"}}}
    assert "no hourly or data charge" in _reasons(gateway)["AWS::EC2::VPCEndpoint"]


def test_eventbridge_rules_on_aws_events_are_free_and_custom_events_are_billed() -> None:
    aws = {
        "R": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["aws.s3"]}}}
    }
    assert "no EventBridge charge" in _reasons(aws)["AWS::Events::Rule"]
    custom = {
        "R": {
            "Type": "AWS::Events::Rule",
            "Properties": {"EventBusName": "orders", "EventPattern": {"source": ["shop"]}},
        }
    }
    assert _quantity(custom, "custom events published") == 1e6


def test_a_pipe_bills_a_request_per_64_kb_chunk() -> None:
    pipe = {"P": {"Type": "AWS::Pipes::Pipe", "Properties": {"Source": "x", "Target": "y"}}}
    assert _quantity(pipe, "Pipes requests", message_kb=100) == 2e6


def test_a_glue_table_and_database_are_catalog_objects() -> None:
    resources = {
        "D": {"Type": "AWS::Glue::Database", "Properties": {}},
        "T": {"Type": "AWS::Glue::Table", "Properties": {}},
    }
    assert _quantity(resources, "Data Catalog objects") == 2


def test_an_unknown_type_is_listed_as_having_no_cost_rule() -> None:
    reasons = _reasons({"X": {"Type": "AWS::Foo::Bar", "Properties": {}}})
    assert reasons == {"AWS::Foo::Bar": coverage.NO_RULE}


# --------------------------------------------------------------------------- assemblies


def _write_assembly(tmp_path: Path) -> Path:
    nested = {"Resources": {"Alarm": _alarm(MetricName="X", Namespace="N", Period=60)}}
    (tmp_path / "Child.nested.template.json").write_text(json.dumps(nested))
    parent = {
        "Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Queue": _queue(),
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {},
                "Metadata": {"aws:asset:path": "Child.nested.template.json"},
            },
        }
    }
    (tmp_path / "Parent.template.json").write_text(json.dumps(parent))
    manifest = {
        "artifacts": {
            "Parent": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "Parent.template.json"},
            }
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_nested_stack_templates_are_included(tmp_path: Path) -> None:
    (stack,) = cost.estimate(_write_assembly(tmp_path))
    assert stack.stack == "Parent"
    assert [line.item for line in stack.fixed] == [
        "customer-managed KMS key",
        "standard alarm metrics",
    ]


# --------------------------------------------------------------------------- whole apps, docs

WORKER_FLEET_EXTRAS = {
    "LeaseTable": {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {"BillingMode": "PAY_PER_REQUEST"},
    },
    "Stream": _stream(ShardCount=2),
    "Consumer": {
        "Type": "AWS::Kinesis::StreamConsumer",
        "Properties": {"StreamARN": {"Fn::GetAtt": ["Stream", "Arn"]}, "ConsumerName": "kcl"},
    },
}
"""What a KCL worker fleet adds: a lease table and an enhanced fan-out consumer."""


@pytest.fixture(scope="module")
def patterns_outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cost_doc.synth_patterns(tmp_path_factory.mktemp("cost-patterns"))


def test_every_resource_type_is_priced_or_not_counted_with_a_reason(
    examples_app: SynthesizedApp, patterns_outdir: Path
) -> None:
    stacks = cost.estimate(examples_app.outdir) + cost.estimate(patterns_outdir)
    stacks.append(_stack(WORKER_FLEET_EXTRAS))
    for stack in stacks:
        assert not [n for n in stack.not_counted if n.reason == coverage.NO_RULE], stack.stack
    templates = [examples_app.template_json(s.stack) for s in cost.estimate(examples_app.outdir)]
    types = {r["Type"] for t in templates for r in t["Resources"].values()}
    types |= {r["Type"] for r in WORKER_FLEET_EXTRAS.values()}
    assert types <= set(coverage.RULES) | set(coverage.NO_CHARGE)
    assert {
        "AWS::ECS::Service",
        "AWS::Lambda::Function",
        "AWS::EC2::NatGateway",
        "AWS::DynamoDB::Table",
        "AWS::Kinesis::StreamConsumer",
    } <= types


def test_every_alarm_of_the_examples_is_counted(examples_app: SynthesizedApp) -> None:
    for stack in cost.estimate(examples_app.outdir):
        template = examples_app.template_json(stack.stack)
        alarms = [
            r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"
        ]
        counted = {line.resource for line in stack.fixed if "alarm" in line.item}
        assert len(counted) == len(alarms), stack.stack


def test_cost_doc_is_current(examples_app: SynthesizedApp, patterns_outdir: Path) -> None:
    expected = cost_doc.render(patterns_outdir, examples_app.outdir)
    actual = (ROOT / "docs" / "cost.md").read_text()
    assert actual == expected, "docs/cost.md is stale: run `make cost-docs` and commit it"


def test_the_docs_show_no_price() -> None:
    page = (ROOT / "docs" / "cost.md").read_text()
    assert not re.search(r"\$\s?\d", page), re.findall(r".{30}\$\s?\d.{10}", page)[:3]
    for word in ("SYNTH", "WQGC34PB2AWS8R4U", "per GB-month of Provisioned IOPS"):
        assert word not in page


def test_no_text_speaks_of_how_prices_were_looked_for() -> None:
    package = ROOT / "patterns" / "cost"
    texts = [p.read_text() for p in package.glob("*.py")]
    texts.append((ROOT / "docs" / "cost.md").read_text())
    for text in texts:
        for phrase in ("stored cop", "this repository can read", "not confirmed", "searched on"):
            assert phrase not in text.lower(), phrase


def test_each_pattern_page_links_its_cost_section() -> None:
    cost_page = (ROOT / "docs" / "cost.md").read_text()
    for name, page, _ in cost_doc.PATTERN_STACKS:
        assert f"\n### {name}\n" in cost_page
        text = (ROOT / "docs" / "patterns" / f"{page}.md").read_text()
        assert f"(../cost.md#{name.lower()})" in text, page
