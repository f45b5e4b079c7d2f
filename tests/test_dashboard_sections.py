"""``add_to_dashboard`` draws each section once, however often it is called, and a fan-out
draws its subscribers' Lambda consumer alarms.

One stack, two dashboards: every pattern's ``add_to_dashboard`` is called once with
``Once`` and twice with ``Twice`` (and the S3 fan-out's inner ``fan_out`` too); the two must
be equal.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch

from patterns import QueueWithDeadLetterQueue, SnsToSqsFanOut
from tests import all_patterns
from tests.helpers import inline_function, new_app
from tests.test_dashboards import alarm_arns, widgets_in


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    """The stack's template as JSON: what these tests read needs no round trip to Node."""
    return all_patterns.template(with_flags=True)


def _widgets(template: dict[str, Any], dashboard: str) -> list[dict[str, Any]]:
    """The widgets of the one dashboard ``dashboard``."""
    (resource,) = [
        value
        for value in template["Resources"].values()
        if value["Type"] == "AWS::CloudWatch::Dashboard"
        and value["Metadata"]["aws:cdk:path"] == f"{all_patterns.STACK}/{dashboard}/Resource"
    ]
    return widgets_in(resource)


def _titles(widgets: list[dict[str, Any]]) -> list[str]:
    return [w["properties"]["markdown"].split("\n")[0] for w in widgets if w["type"] == "text"]


def test_each_section_is_drawn_once_however_often_it_is_added(template: dict[str, Any]) -> None:
    once, twice = (_widgets(template, name) for name in ("Once", "Twice"))
    titles = _titles(twice)
    assert [title for title, count in Counter(titles).items() if count > 1] == []
    assert len(titles) == 7  # S3 delivery, and the six patterns' sections
    assert twice == once


def test_a_subscriber_s_lambda_consumer_alarms_are_drawn_in_the_fan_out_section(
    template: dict[str, Any],
) -> None:
    widgets = _widgets(template, "Once")
    consumer_alarms = {
        f"ATT({key}.Arn)"
        for key, alarm in template["Resources"].items()
        if alarm["Type"] == "AWS::CloudWatch::Alarm"
        and "/Orders/Billing/LambdaConsumer/" in alarm["Metadata"]["aws:cdk:path"]
    }
    assert len(consumer_alarms) == 2
    assert consumer_alarms <= alarm_arns(widgets)
    titles = {w["properties"].get("title") for w in widgets}
    assert {
        "Alarm: Billing/LambdaConsumer/FunctionErrors",
        "Alarm: Billing/LambdaConsumer/FunctionThrottles",
    } <= titles


def test_a_subscriber_added_after_the_dashboard_fails_synthesis_naming_the_fix() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Late")
    orders = SnsToSqsFanOut(stack, "Orders")
    orders.add_queue("Billing")
    orders.add_to_dashboard(cloudwatch.Dashboard(stack, "Dashboard"))
    orders.add_queue("Shipping")
    with pytest.raises(
        Exception,
        match=r"'Fan-out Late/Orders' was drawn with 1 queue subscribers, 3 subscriber alarms; "
        r"there are 2 queue subscribers, 6 subscriber alarms now.*Call add_to_dashboard once",
    ):
        app.synth()


def test_a_consumer_added_after_the_dashboard_fails_synthesis() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Late")
    work = QueueWithDeadLetterQueue(stack, "Work")
    work.add_to_dashboard(cloudwatch.Dashboard(stack, "Dashboard"))
    work.add_lambda_consumer(inline_function(stack, "Handler"))
    with pytest.raises(Exception, match=r"'Queue Late/Work' was drawn with 2 alarms; there are 4"):
        app.synth()
