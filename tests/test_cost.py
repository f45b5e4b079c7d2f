"""The cost estimator counts what templates hold, and docs/cost.md cannot go stale."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from patterns import cost
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


def _fixed(template: dict[str, Any], item: str) -> float:
    return sum(
        line.quantity for line in cost.estimate_template(template).fixed if line.item == item
    )


def _lines(resources: dict[str, Any], message_kb: int = 1) -> cost.StackCost:
    return cost.estimate_template({"Resources": resources}, message_kb)


# --------------------------------------------------------------------------- alarms


def test_an_alarm_on_one_metric_is_one_alarm_metric() -> None:
    template = {"Resources": {"A": _alarm(MetricName="X", Namespace="AWS/SQS", Period=60)}}
    assert _fixed(template, "standard alarm metrics") == 1


def test_a_metric_math_alarm_counts_each_metric_it_reads() -> None:
    expression = {"Id": "total", "Expression": "m1 + m2 + m3", "ReturnData": True}
    metrics = [_metric("m1"), _metric("m2"), _metric("m3"), expression]
    template = {"Resources": {"A": _alarm(Metrics=metrics)}}
    assert _fixed(template, "standard alarm metrics") == 3


def test_a_high_resolution_alarm_is_counted_apart() -> None:
    template = {"Resources": {"A": _alarm(MetricName="X", Namespace="N", Period=10)}}
    assert _fixed(template, "high-resolution alarm metrics") == 1
    assert _fixed(template, "standard alarm metrics") == 0


def test_a_metrics_insights_alarm_is_listed_without_a_metric_count() -> None:
    query = {"Id": "q", "Expression": 'SELECT MAX(x) FROM SCHEMA("AWS/SQS")', "Period": 60}
    line = _lines({"A": _alarm(Metrics=[query])}).fixed[0]
    assert line.item == "Metrics Insights query alarm"
    assert line.price_key is None


def test_dashboards_and_composite_alarms_are_counted() -> None:
    resources = {
        "D": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {}},
        "C": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {}},
    }
    template = {"Resources": resources}
    assert _fixed(template, "dashboard") == 1
    assert _fixed(template, "composite alarm") == 1


# --------------------------------------------------------------------------- keys, secrets


def test_a_customer_managed_key_costs_its_list_price_and_rotation_is_noted() -> None:
    stack = _lines({"K": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}}})
    key, rotation = stack.fixed
    assert (key.item, key.usd()) == ("customer-managed KMS key", cost.PRICES["kms_key"].usd)
    assert rotation.price_key == "kms_rotation"
    assert "every 365 days" in rotation.note
    assert stack.fixed_usd() == 1.00


def test_a_secret_counts_its_replicas() -> None:
    props = {"ReplicaRegions": [{"Region": "eu-west-1"}]}
    template = {"Resources": {"S": {"Type": "AWS::SecretsManager::Secret", "Properties": props}}}
    assert _fixed(template, "secret") == 2


# --------------------------------------------------------------------------- kinesis


def test_a_provisioned_stream_bills_shard_hours_and_extended_retention() -> None:
    props = {"ShardCount": 2, "RetentionPeriodHours": 48}
    template = {"Resources": {"S": {"Type": "AWS::Kinesis::Stream", "Properties": props}}}
    assert _fixed(template, "provisioned shard-hours") == 2 * cost.HOURS_PER_MONTH
    assert _fixed(template, "extended-retention shard-hours") == 2 * cost.HOURS_PER_MONTH
    assert _fixed(template, "on-demand stream-hours") == 0


def test_a_provisioned_stream_with_24_hours_retention_has_no_extended_retention() -> None:
    template = {
        "Resources": {"S": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}}}
    }
    assert _fixed(template, "extended-retention shard-hours") == 0


def test_an_on_demand_stream_bills_stream_hours_and_gb() -> None:
    props = {"StreamModeDetails": {"StreamMode": "ON_DEMAND"}}
    stack = _lines({"S": {"Type": "AWS::Kinesis::Stream", "Properties": props}})
    assert (
        _fixed(
            {"Resources": {"S": {"Type": "AWS::Kinesis::Stream", "Properties": props}}},
            "on-demand stream-hours",
        )
        == cost.HOURS_PER_MONTH
    )
    assert [line.item for line in stack.variable] == [
        "on-demand data in GB",
        "on-demand data out GB",
    ]


def test_put_payload_units_follow_the_record_size() -> None:
    stream = {"S": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}}}
    assert _lines(stream, message_kb=1).variable[0].quantity == 1
    assert _lines(stream, message_kb=100).variable[0].quantity == 4


# --------------------------------------------------------------------------- amazon mq


def _broker(mode: str, engine: str = "ACTIVEMQ") -> dict[str, Any]:
    props = {"DeploymentMode": mode, "HostInstanceType": "mq.m5.large", "EngineType": engine}
    return {"Resources": {"B": {"Type": "AWS::AmazonMQ::Broker", "Properties": props}}}


def test_a_single_instance_broker_bills_one_instance() -> None:
    assert _fixed(_broker("SINGLE_INSTANCE"), "broker instance-hours (mq.m5.large)") == 730


def test_an_active_standby_broker_bills_two_instances() -> None:
    assert _fixed(_broker("ACTIVE_STANDBY_MULTI_AZ"), "broker instance-hours (mq.m5.large)") == (
        2 * 730
    )


def test_a_rabbitmq_cluster_bills_three_instances() -> None:
    template = _broker("CLUSTER_MULTI_AZ", engine="RABBITMQ")
    assert _fixed(template, "broker instance-hours (mq.m5.large)") == 3 * 730


# --------------------------------------------------------------------------- message paths


def _queue(fifo: bool = False, dead_letter: str | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"FifoQueue": True} if fifo else {}
    if dead_letter:
        props["RedrivePolicy"] = {
            "deadLetterTargetArn": {"Fn::GetAtt": [dead_letter, "Arn"]},
            "maxReceiveCount": 5,
        }
    return {"Type": "AWS::SQS::Queue", "Properties": props}


def test_a_standard_queue_bills_three_standard_requests_per_message() -> None:
    (line,) = _lines({"Q": _queue()}).variable
    assert (line.quantity, line.price_key) == (3, "sqs_standard_request_million")


def test_a_fifo_queue_bills_three_fifo_requests_per_message() -> None:
    (line,) = _lines({"Q": _queue(fifo=True)}).variable
    assert (line.quantity, line.price_key) == (3, "sqs_fifo_request_million")


def test_a_dead_letter_queue_is_no_message_path() -> None:
    stack = _lines({"Q": _queue(dead_letter="Dlq"), "Dlq": _queue()})
    assert [line.resource for line in stack.variable] == ["Q"]


def test_messages_over_64_kb_bill_one_request_per_chunk() -> None:
    (line,) = _lines({"Q": _queue()}, message_kb=200).variable
    assert line.quantity == 3 * 4


def test_a_topic_bills_one_publish_and_one_delivery_per_subscribed_queue() -> None:
    def subscription(queue: str, **extra: Any) -> dict[str, Any]:
        props = {"TopicArn": {"Ref": "T"}, "Protocol": "sqs", "Endpoint": queue, **extra}
        return {"Type": "AWS::SNS::Subscription", "Properties": props}

    resources = {
        "T": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "S1": subscription("a"),
        "S2": subscription("b", FilterPolicy={"kind": ["x"]}),
        "Other": {"Type": "AWS::SNS::Topic", "Properties": {"FifoTopic": True}},
    }
    lines = {(line.resource, line.item): line for line in _lines(resources).variable}
    assert lines[("T", "standard SNS publish requests")].quantity == 1
    deliveries = lines[("T", "SNS deliveries to SQS")]
    assert deliveries.quantity == 2
    assert "1 filtered subscription" in deliveries.note
    assert ("Other", "FIFO SNS publish requests") in lines
    assert ("Other", "SNS deliveries to SQS") not in lines


def test_firehose_bills_ingestion_and_optional_conversion_per_gb() -> None:
    s3 = {"DataFormatConversionConfiguration": {"Enabled": True}}
    props = {"ExtendedS3DestinationConfiguration": s3}
    resources = {"F": {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": props}}
    items = [line.item for line in _lines(resources).variable]
    assert items == ["Firehose ingestion GB", "format conversion GB"]


# --------------------------------------------------------------------------- assemblies


def _write_assembly(tmp_path: Path) -> Path:
    nested = {"Resources": {"Alarm": _alarm(MetricName="X", Namespace="N", Period=60)}}
    (tmp_path / "Child.nested.template.json").write_text(json.dumps(nested))
    parent = {
        "Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
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


def test_the_command_prints_each_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cost.main([str(_write_assembly(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "== Parent: fixed $1.00/month" in out
    assert "2026-11-30" in out


def test_the_command_refuses_a_message_size_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"--message-kb=0: must be between 1 and 1024"):
        cost.main([str(_write_assembly(tmp_path)), "--message-kb=0"])


def test_every_applied_price_names_an_aws_pricing_page() -> None:
    for price in cost.PRICES.values():
        assert price.source.startswith("https://aws.amazon.com/"), price
    assert not set(cost.PRICES) & {u.key for u in cost.UNCONFIRMED}


AWS_OWNED_HOSTS = {"aws.amazon.com", "docs.aws.amazon.com"}
"""Where a list price may come from: AWS pricing pages, AWS blogs and user guides, nothing else."""


def test_every_applied_price_quotes_its_aws_owned_page_with_a_date() -> None:
    for key, price in cost.PRICES.items():
        assert urlparse(price.source).hostname in AWS_OWNED_HOSTS, (key, price.source)
        assert f"${price.usd:g}" in price.quote, (key, price.quote)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", price.as_of), (key, price.as_of)


def test_a_price_of_yours_needs_no_quote(tmp_path: Path) -> None:
    (tmp_path / "prices.json").write_text(json.dumps({"secret": 0.5}))
    price = cost.load_prices(tmp_path / "prices.json")["secret"]
    assert (price.usd, price.quote) == (0.5, "")
    assert price.source == f"your price file {tmp_path / 'prices.json'}"


# --------------------------------------------------------------------------- examples, docs


def test_every_alarm_of_the_examples_is_counted(examples_app: SynthesizedApp) -> None:
    for stack in cost.estimate(examples_app.outdir):
        template = examples_app.template_json(stack.stack)
        alarms = [
            r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"
        ]
        counted = [line for line in stack.fixed if "alarm" in line.item]
        assert len(counted) == len(alarms), stack.stack


def test_cost_doc_is_current(examples_app: SynthesizedApp, tmp_path: Path) -> None:
    expected = cost_doc.render(cost_doc.synth_patterns(tmp_path / "patterns"), examples_app.outdir)
    actual = (ROOT / "docs" / "cost.md").read_text()
    assert actual == expected, "docs/cost.md is stale: run `make cost-docs` and commit it"


def test_your_prices_price_what_is_not_confirmed(tmp_path: Path) -> None:
    (tmp_path / "prices.json").write_text(json.dumps({"alarm_metric": 0.25}))
    prices = cost.load_prices(tmp_path / "prices.json")
    (stack,) = cost.estimate(_write_assembly(tmp_path))
    assert stack.fixed_usd() == 1.00
    assert stack.fixed_usd(prices) == 1.25
    assert "$0.25 (yours)" in cost.render_markdown(stack, prices=prices)


def test_a_price_file_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "prices.json").write_text(json.dumps({"alarms": 0.1}))
    with pytest.raises(ValueError, match=r"unknown price key 'alarms'.*alarm_metric"):
        cost.load_prices(tmp_path / "prices.json")


def test_a_negative_price_is_refused(tmp_path: Path) -> None:
    (tmp_path / "prices.json").write_text(json.dumps({"secret": -1}))
    with pytest.raises(ValueError, match=r"secret=-1 .*must be a number of USD >= 0"):
        cost.load_prices(tmp_path / "prices.json")


def test_keys_lists_every_price_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert cost.main(["--keys"]) == 0
    out = capsys.readouterr().out
    for key in [*cost.PRICES, *(u.key for u in cost.UNCONFIRMED)]:
        assert key in out


def test_each_pattern_page_links_its_cost_section() -> None:
    cost_page = (ROOT / "docs" / "cost.md").read_text()
    for name, page, _ in cost_doc.PATTERN_STACKS:
        assert f"\n### {name}\n" in cost_page
        text = (ROOT / "docs" / "patterns" / f"{page}.md").read_text()
        assert f"(../cost.md#{name.lower()})" in text, page


def test_an_anomaly_detection_alarm_is_not_counted_as_plain_alarm_metrics() -> None:
    band = {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)", "ReturnData": True}
    (line,) = _lines({"A": _alarm(Metrics=[_metric("m1"), band])}).fixed
    assert line.item == "anomaly detection alarm"
    assert line.price_key is None


def test_a_replica_key_costs_a_key() -> None:
    stack = _lines({"R": {"Type": "AWS::KMS::ReplicaKey", "Properties": {}}})
    assert stack.fixed_usd() == cost.PRICES["kms_key"].usd


def test_a_search_expression_alarm_is_listed_without_a_metric_count() -> None:
    search = {"Id": "s", "Expression": "MAX(SEARCH('{AWS/SQS} MetricName=\"X\"', 'Sum'))"}
    (line,) = _lines({"A": _alarm(Metrics=[search])}).fixed
    assert line.item == "expression alarm without listed metrics"
    assert line.price_key is None
