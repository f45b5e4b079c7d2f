"""SQS rules beyond the failing and passing apps: who counts as a consumer, when equal
retention is not reported."""

from __future__ import annotations

from tests.messaging_rules.report import Report


def test_a_worker_role_makes_the_queue_consumed(report: Report) -> None:
    """No Lambda at all: a container task role that may receive is the consumer."""
    assert ("Messaging-SQS6", "warning", "Queue/Resource") in report.of_stack("MoreFailSQS6")


def test_dead_letter_queues_and_unread_queues_need_no_dead_letter_queue(report: Report) -> None:
    assert "Messaging-SQS6" not in report.rules_of("GoodConsumedQueues")


def test_equal_retention_at_fourteen_days_is_not_reported(report: Report) -> None:
    assert report.of_stack("Sqs7LongestRetention") == []
