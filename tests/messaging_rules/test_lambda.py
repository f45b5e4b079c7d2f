"""LAMBDA3 stays silent where a batch holds one message."""

from __future__ import annotations

from tests.messaging_rules.report import Report


def test_a_batch_of_one_message_needs_no_partial_batch_responses(report: Report) -> None:
    assert report.of_stack("Lambda3BatchOfOne") == []
