"""EventBridge targets: a policy for another rule's ARN does not admit this rule."""

from __future__ import annotations

from tests.messaging_rules.report import Report


def test_a_queue_policy_for_another_rule_does_not_admit_the_rule(report: Report) -> None:
    assert ("Messaging-EB3", "error", "Rule") in report.of_stack("Eb3OtherRule")


def test_a_target_with_a_dead_letter_queue_is_not_reported(report: Report) -> None:
    assert "Messaging-EB4" not in report.rules_of("Eb3OtherRule")


def test_cdks_kinesis_target_leaves_its_dead_letter_queue_closed_to_the_rule(
    report: Report,
) -> None:
    assert ("Messaging-EB5", "error", "Rule/Resource") in report.of_stack("Eb5KinesisTarget")
