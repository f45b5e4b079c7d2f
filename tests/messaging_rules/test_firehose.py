"""Firehose roles: what the template cannot show is not judged; a bucket policy can grant."""

from __future__ import annotations

from tests.messaging_rules.report import Report


def test_a_role_with_an_aws_managed_policy_is_not_judged(report: Report) -> None:
    assert report.of_stack("Fh3ManagedPolicy") == []


def test_a_role_whose_only_outside_policy_grants_logging_is_judged(report: Report) -> None:
    assert report.of_stack("Fh3LoggingPolicyOnly") == [("Messaging-FH3", "error", "Delivery")]


def test_a_bucket_policy_that_admits_the_role_lets_it_write(report: Report) -> None:
    assert report.of_stack("Fh4BucketPolicy") == []


def test_a_bucket_key_the_role_may_not_use_is_reported(report: Report) -> None:
    assert ("Messaging-FH4", "error", "Delivery") in report.of_stack("MoreFailFH4")
    assert "Messaging-FH4" not in report.rules_of("GoodFirehoseRoles")
