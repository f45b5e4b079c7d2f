"""One wording per warning ID: every place raising a ``patterns:*`` warning fills the same template.

What it protects: a user who reads (or acknowledges) ``patterns:ImportedQueuePolicy`` gets the
same message whether the fan-out raised it for a subscriber queue or for a subscription
dead-letter queue that was passed in.
"""

from __future__ import annotations

import re
import string

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match

from patterns import SnsToSqsFanOut
from patterns import warnings as pattern_warnings
from patterns.warnings import (
    FILTER_POLICY_QUOTA,
    IMPORTED_KEY_POLICY,
    IMPORTED_QUEUE_POLICY,
    PatternWarning,
)
from tests.helpers import new_app

IMPORTED_ARN = "arn:aws:sqs:eu-west-1:111122223333:imported"
IMPORTED_KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234"


def _all_warnings() -> list[PatternWarning]:
    return [value for value in vars(pattern_warnings).values() if isinstance(value, PatternWarning)]


def _pattern_of(warning: PatternWarning) -> re.Pattern[str]:
    """The template as a regular expression: its fields match anything."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(warning.template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".+?")
    return re.compile("".join(parts), re.S)


def _messages(stack: cdk.Stack, warning: PatternWarning) -> list[str]:
    found = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp(re.escape(warning.id))
    )
    return [str(entry.entry.data) for entry in found]


def test_each_id_has_one_template() -> None:
    warnings = _all_warnings()
    assert {w.id for w in warnings} == {
        IMPORTED_QUEUE_POLICY.id,
        IMPORTED_KEY_POLICY.id,
        FILTER_POLICY_QUOTA.id,
    }
    assert len({w.id for w in warnings}) == len(warnings)
    for warning in warnings:
        assert warning.id.startswith("patterns:"), warning


def test_a_message_needs_every_field() -> None:
    with pytest.raises(KeyError, match="quota"):
        FILTER_POLICY_QUOTA.message(count="201", topic="S/F")


def test_imported_queue_policy_reads_the_same_for_queues_and_dead_letter_queues() -> None:
    stack = cdk.Stack(new_app(), "Worded")
    fan_out = SnsToSqsFanOut(stack, "F")
    imported = sqs.Queue.from_queue_arn(stack, "Imported", IMPORTED_ARN)
    fan_out.add_queue("Queue", queue=imported)
    dlq = sqs.Queue.from_queue_arn(stack, "ImportedDlq", IMPORTED_ARN + "-dlq")
    fan_out.add_subscription(
        "Email", subs.EmailSubscription("ops@example.com", dead_letter_queue=dlq)
    )
    messages = _messages(stack, IMPORTED_QUEUE_POLICY)
    assert len(messages) == 2, messages
    for message in messages:
        assert _pattern_of(IMPORTED_QUEUE_POLICY).match(message), message


def test_imported_key_policy_and_filter_quota_fill_their_templates(monkeypatch) -> None:
    import patterns.sns_fan_out.validation as fan_out_validation

    monkeypatch.setattr(fan_out_validation, "FILTER_POLICIES_PER_TOPIC_QUOTA", 0)
    stack = cdk.Stack(new_app(), "Worded")
    fan_out = SnsToSqsFanOut(stack, "F")
    key = kms.Key.from_key_arn(stack, "ImportedKey", IMPORTED_KEY_ARN)
    fan_out.add_queue(
        "Queue",
        encryption_key=key,
        filter_policy={"kind": cdk.aws_sns.SubscriptionFilter.exists_filter()},
    )
    for warning in (IMPORTED_KEY_POLICY, FILTER_POLICY_QUOTA):
        messages = _messages(stack, warning)
        assert len(messages) == 1, (warning.id, messages)
        assert _pattern_of(warning).match(messages[0]), messages[0]


def test_no_module_writes_a_known_warning_id_itself() -> None:
    """A warning ID of ``patterns.warnings`` is emitted only through its template there."""
    from pathlib import Path

    root = Path(pattern_warnings.__file__).parent
    ids = {warning.id for warning in _all_warnings()}
    written = [
        f"{path.relative_to(root)}: {warning_id}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "warnings.py"
        for warning_id in ids
        if f'"{warning_id}"' in path.read_text()
    ]
    assert written == []


def test_the_kinesis_pipeline_words_an_imported_key_like_the_fan_out() -> None:
    from patterns import KinesisToFirehoseToS3

    stack = cdk.Stack(new_app(), "Worded")
    key = kms.Key.from_key_arn(stack, "ImportedKey", IMPORTED_KEY_ARN)
    KinesisToFirehoseToS3(stack, "Ingest", encryption_key=key)
    messages = _messages(stack, IMPORTED_KEY_POLICY)
    assert len(messages) == 1, messages
    assert _pattern_of(IMPORTED_KEY_POLICY).match(messages[0]), messages[0]
    assert "logs." in messages[0]
