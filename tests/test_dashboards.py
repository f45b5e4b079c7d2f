"""Dashboards: each pattern's section shows what it moves and draws every alarm's threshold."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from examples import EXAMPLES
from patterns import (
    AmazonMqBroker,
    BrokerEngine,
    KinesisToFirehoseToS3,
    QueueWithDeadLetterQueue,
    S3EventFanOut,
    SnsToSqsFanOut,
    StreamThroughput,
)
from patterns.dashboards import MAX_LINES
from tests.helpers import SynthesizedApp, new_app


def _flatten(node: Any) -> str:
    if isinstance(node, str):
        return node
    if "Ref" in node:
        return f"REF({node['Ref']})"
    if "Fn::GetAtt" in node:
        return f"ATT({'.'.join(node['Fn::GetAtt'])})"
    if "Fn::Join" in node:
        delimiter, parts = node["Fn::Join"]
        return str(delimiter).join(_flatten(part) for part in parts)
    raise AssertionError(f"unexpected intrinsic in a dashboard body: {node}")


def widgets_in(dashboard: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The widgets of one dashboard resource, tokens written as REF(...) / ATT(...)."""
    return list(json.loads(_flatten(dashboard["Properties"]["DashboardBody"]))["widgets"])


def widgets_of(template: Template) -> list[dict[str, Any]]:
    """The widgets of the template's one dashboard, tokens written as REF(...) / ATT(...)."""
    (dashboard,) = template.find_resources("AWS::CloudWatch::Dashboard").values()
    return widgets_in(dashboard)


def graphs(widgets: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Metric graphs by title (a title used twice keeps its last graph)."""
    return {
        w["properties"]["title"]: w["properties"]
        for w in widgets
        if w["type"] == "metric" and "metrics" in w["properties"]
    }


def metric_names(graph: dict[str, Any]) -> list[str]:
    return [line[1] if line[0] != "." else "" for line in graph["metrics"]]


def alarm_arns(widgets: list[dict[str, Any]]) -> set[str]:
    return {
        arn for w in widgets for arn in w["properties"].get("annotations", {}).get("alarms", [])
    }


def alarms_of(template: Template) -> set[str]:
    return {f"ATT({key}.Arn)" for key in template.find_resources("AWS::CloudWatch::Alarm")}


def _build(add: Any) -> Template:
    stack = cdk.Stack(new_app(), "Dash")
    dashboard = cloudwatch.Dashboard(stack, "Dashboard")
    add(stack).add_to_dashboard(dashboard)
    return Template.from_stack(stack)


def test_queue_section_shows_backlog_throughput_and_every_alarm_with_its_threshold() -> None:
    template = _build(lambda stack: QueueWithDeadLetterQueue(stack, "Orders"))
    widgets = widgets_of(template)
    assert widgets[0]["type"] == "text"
    assert "Queue Dash/Orders" in widgets[0]["properties"]["markdown"]
    by_title = graphs(widgets)
    assert metric_names(by_title["Backlog (messages)"]) == [
        "ApproximateNumberOfMessagesVisible",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesVisible",
    ]
    assert metric_names(by_title["Throughput (messages per minute)"]) == [
        "NumberOfMessagesSent",
        "NumberOfMessagesReceived",
        "NumberOfMessagesDeleted",
    ]
    assert alarm_arns(widgets) == alarms_of(template)
    assert len(alarms_of(template)) == 2


def test_fan_out_section_shows_filtering_dlq_moves_and_each_subscriber() -> None:
    def build(stack: cdk.Stack) -> SnsToSqsFanOut:
        fan_out = SnsToSqsFanOut(stack, "Orders")
        for name in ("Billing", "Shipping"):
            fan_out.add_queue(name)
        return fan_out

    template = _build(build)
    widgets = widgets_of(template)
    by_title = graphs(widgets)
    assert metric_names(by_title["Filtered out (per minute)"]) == [
        "NumberOfNotificationsFilteredOut",
        "NumberOfNotificationsFilteredOut-InvalidAttributes",
        "NumberOfNotificationsFilteredOut-InvalidMessageBody",
        "NumberOfNotificationsFilteredOut-NoMessageAttributes",
    ]
    assert metric_names(by_title["Subscription dead-letter queues (per minute)"]) == [
        "NumberOfNotificationsRedrivenToDlq",
        "NumberOfNotificationsFailedToRedriveToDlq",
    ]
    assert len(by_title["Subscriber backlog (messages)"]["metrics"]) == 2
    undelivered = by_title["Undelivered: subscription DLQs (messages)"]
    assert len(undelivered["metrics"]) == 2
    assert undelivered["annotations"]["horizontal"] == [
        {"value": 1, "label": "alarm", "yAxis": "left"}
    ]
    # The topic's own alarms are drawn; subscriber alarms are the line at 1 above.
    topic_alarms = {
        f"ATT({key}.Arn)"
        for key, alarm in template.find_resources("AWS::CloudWatch::Alarm").items()
        if alarm["Properties"].get("Namespace") == "AWS/SNS"
    }
    assert topic_alarms
    assert alarm_arns(widgets) == topic_alarms


def test_s3_event_fan_out_section_shows_the_event_bridge_delivery_then_the_fan_out() -> None:
    def build(stack: cdk.Stack) -> S3EventFanOut:
        uploads = S3EventFanOut(stack, "Uploads")
        uploads.add_queue("Thumbnails")
        return uploads

    template = _build(build)
    widgets = widgets_of(template)
    titles = [w["properties"].get("markdown", "").split("\n")[0] for w in widgets]
    assert [t for t in titles if t] == [
        "### S3 events Dash/Uploads",
        "### Fan-out Dash/Uploads/FanOut",
    ]
    by_title = graphs(widgets)
    assert metric_names(by_title["Events (per minute)"]) == [
        "TriggeredRules",
        "Invocations",
        "FailedInvocations",
    ]
    rule_alarms = {
        f"ATT({key}.Arn)"
        for key, alarm in template.find_resources("AWS::CloudWatch::Alarm").items()
        if "/Uploads/" in alarm["Metadata"]["aws:cdk:path"]
        and "/FanOut/" not in alarm["Metadata"]["aws:cdk:path"]
    }
    assert len(rule_alarms) == 2
    assert rule_alarms <= alarm_arns(widgets)


def test_many_subscribers_are_drawn_in_groups_that_stay_readable() -> None:
    def build(stack: cdk.Stack) -> SnsToSqsFanOut:
        fan_out = SnsToSqsFanOut(stack, "Orders")
        for index in range(MAX_LINES + 1):
            fan_out.add_queue(f"Q{index}")
        return fan_out

    widgets = widgets_of(_build(build))
    backlog = [
        w["properties"]
        for w in widgets
        if w["properties"].get("title") == "Subscriber backlog (messages)"
    ]
    assert [len(graph["metrics"]) for graph in backlog] == [MAX_LINES, 1]


@pytest.mark.parametrize(
    ("throughput", "capacity"),
    [(StreamThroughput(write_mb_per_second=3), 3 * 60 * 1024 * 1024), (None, None)],
    ids=["provisioned", "on-demand"],
)
def test_kinesis_section_draws_the_planned_shard_capacity(throughput, capacity) -> None:
    template = _build(lambda stack: KinesisToFirehoseToS3(stack, "Trucks", throughput=throughput))
    widgets = widgets_of(template)
    by_title = graphs(widgets)
    bytes_in = by_title["Stream: bytes in (per minute)"]
    lines = bytes_in.get("annotations", {}).get("horizontal", [])
    assert [line["value"] for line in lines] == ([capacity] if capacity else [])
    assert metric_names(by_title["Stream: throttled (per minute)"]) == [
        "WriteProvisionedThroughputExceeded",
        "ReadProvisionedThroughputExceeded",
    ]
    assert metric_names(by_title["Delivery: records (per minute)"]) == [
        "DataReadFromKinesisStream.Records",
        "DeliveryToS3.Records",
        "ThrottledGetRecords",
    ]
    assert alarm_arns(widgets) == alarms_of(template)


def _broker(engine: BrokerEngine, single: bool) -> Any:
    def build(stack: cdk.Stack) -> AmazonMqBroker:
        vpc = ec2.Vpc(
            stack, "Vpc", max_azs=2, nat_gateways=0, restrict_default_security_group=False
        )
        return AmazonMqBroker(stack, "Broker", vpc=vpc, engine=engine, single_instance=single)

    return build


@pytest.mark.parametrize(("single", "instances"), [(False, ["1", "2"]), (True, ["1"])])
def test_activemq_section_has_a_line_per_instance(single, instances) -> None:
    template = _build(_broker(BrokerEngine.ACTIVEMQ, single))
    widgets = widgets_of(template)
    heap = graphs(widgets)["JVM heap (%) per instance"]
    brokers = [line[-1]["label"] for line in heap["metrics"]]
    assert [broker.rsplit("-", 1)[-1] for broker in brokers] == instances
    assert alarm_arns(widgets) == alarms_of(template)


def test_rabbitmq_section_shows_memory_and_disk_against_their_limits() -> None:
    template = _build(_broker(BrokerEngine.RABBITMQ, False))
    by_title = graphs(widgets_of(template))
    assert metric_names(by_title["Memory (bytes)"]) == ["RabbitMQMemUsed", "RabbitMQMemLimit"]
    assert metric_names(by_title["Free disk (bytes)"]) == [
        "RabbitMQDiskFree",
        "RabbitMQDiskFreeLimit",
    ]


def _graph_lines(widgets: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(metric name, first dimension value) of every line of every metric graph."""
    lines = set()
    for widget in widgets:
        for line in widget["properties"].get("metrics", []):
            if len(line) >= 4 and line[0] != ".":
                lines.add((line[1], line[3]))
    return lines


@pytest.mark.parametrize("stack_name", [example.stack_name for example in EXAMPLES])
def test_every_example_has_one_dashboard_that_shows_every_alarm(
    examples_app: SynthesizedApp, stack_name: str
) -> None:
    """Each alarm is drawn with its threshold, or (one alarm per fan-out subscriber) its
    metric is a line of a subscriber graph."""
    resources = examples_app.template_json(stack_name)["Resources"]  # JSON: no Node round trip
    (dashboard,) = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    widgets = widgets_in(dashboard)
    drawn, lines = alarm_arns(widgets), _graph_lines(widgets)
    alarms = {k: r for k, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert alarms
    for key, alarm in alarms.items():
        if f"ATT({key}.Arn)" in drawn:
            continue
        properties = alarm["Properties"]
        assert "MetricName" in properties, f"math alarm {key} is not drawn"
        dimension = _flatten(properties["Dimensions"][0]["Value"])
        assert (properties["MetricName"], dimension) in lines, (
            f"alarm {alarm['Metadata']['aws:cdk:path']} is neither drawn nor graphed"
        )
