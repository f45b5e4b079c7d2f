"""The filter-policy quota warning counts every subscription of the topic with a filter.

SNS counts the filter policies of a topic's subscriptions, whatever their protocol: those of
``add_subscription`` (Lambda, HTTPS, email, ...) count as much as those of ``add_queue``.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk.assertions import Annotations, Match

import patterns.sns_fan_out.validation as fan_out_validation
from patterns import SnsToSqsFanOut
from tests.helpers import new_app

QUOTA_WORDS = Match.string_like_regexp("SNS allows 1 per topic")


def _filter() -> dict[str, sns.SubscriptionFilter]:
    return {"kind": sns.SubscriptionFilter.string_filter(allowlist=["order"])}


def _email(filtered: bool, address: str = "ops@example.com") -> subs.EmailSubscription:
    return subs.EmailSubscription(address, filter_policy=_filter() if filtered else None)


@pytest.fixture
def quota_of_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fan_out_validation, "FILTER_POLICIES_PER_TOPIC_QUOTA", 1)


def test_counts_the_filters_of_add_subscription(quota_of_one: None) -> None:
    stack = cdk.Stack(new_app(), "Quota")
    fan_out = SnsToSqsFanOut(stack, "F")
    fan_out.add_queue("Billing", filter_policy=_filter())
    fan_out.add_subscription("Mail", _email(filtered=True))
    Annotations.from_stack(stack).has_warning("/Quota/F", QUOTA_WORDS)


def test_counts_a_filter_added_before_the_queues(quota_of_one: None) -> None:
    stack = cdk.Stack(new_app(), "Quota")
    fan_out = SnsToSqsFanOut(stack, "F")
    fan_out.add_subscription("Mail", _email(filtered=True))
    fan_out.add_subscription("Pager", _email(filtered=True, address="pager@example.com"))
    Annotations.from_stack(stack).has_warning("/Quota/F", QUOTA_WORDS)


def test_no_warning_within_the_quota(quota_of_one: None) -> None:
    stack = cdk.Stack(new_app(), "Quota")
    fan_out = SnsToSqsFanOut(stack, "F")
    fan_out.add_queue("Billing", filter_policy=_filter())
    fan_out.add_queue("Audit")
    fan_out.add_subscription("Mail", _email(filtered=False))
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("FilterPolicy"))
    Annotations.from_stack(stack).has_no_warning("*", QUOTA_WORDS)


def test_warns_once_however_far_beyond(quota_of_one: None) -> None:
    stack = cdk.Stack(new_app(), "Quota")
    fan_out = SnsToSqsFanOut(stack, "F")
    for name in ("A", "B", "C"):
        fan_out.add_queue(name, filter_policy=_filter())
    warnings = Annotations.from_stack(stack).find_warning("/Quota/F", QUOTA_WORDS)
    assert len(warnings) == 1
    assert "3 subscriptions of Quota/F have filter policies" in str(warnings[0].entry.data)
