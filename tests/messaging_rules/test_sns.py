"""SNS subscription options: what the protocol or the deploy rejects, and message sizes."""

from __future__ import annotations

from patterns.messaging.rules import ERROR, RULES
from tests.messaging_rules.report import Report

LEVELS = {r.suffix: r.level for r in RULES}


def test_a_queue_that_refuses_what_the_topic_accepts_is_an_error() -> None:
    """Every message the topic accepted and the queue refuses is lost (sns9_fail in
    tests/test_messaging_checks.py reports it at this level)."""
    assert LEVELS["SNS9"] == ERROR


def test_raw_delivery_to_a_queue_and_a_nested_body_filter_are_accepted(report: Report) -> None:
    assert {"Messaging-SNS11", "Messaging-SNS12"}.isdisjoint(report.rules_of("GoodSnsOptions"))
