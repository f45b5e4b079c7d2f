"""Messaging-LAMBDA8 with raw message delivery: a Lambda filter on the SNS envelope's keys
(body.TopicArn, body.MessageAttributes) of a queue whose only sender is a raw subscription
never matches (raw delivery strips the envelope), so Lambda discards every message. The same
filter without raw delivery passes, and so does a raw queue filtered on keys a published
message may have itself (body.Type) or on a queue another producer may also send to."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns

from tests.helpers import inline_function
from tests.messaging_rules.common import LEVELS, Case, Report, fail_stack, good_stack, synth_cases
from tests.messaging_rules.test_envelopes_and_sources import _consume, _queue, _subscribe

ENVELOPE_FILTER = {
    "filters": [
        {
            "pattern": json.dumps(
                {
                    "body": {
                        "Type": ["Notification"],
                        "MessageAttributes": {"changeType": {"Value": ["PRICE"]}},
                    }
                }
            )
        }
    ]
}
TYPE_FILTER = {"filters": [{"pattern": json.dumps({"body": {"Type": ["PRICE"]}})}]}


def raw_envelope_filter_fail(stack: cdk.Stack) -> None:
    queue = _queue(stack, "Queue")
    _subscribe(sns.Topic(stack, "Topic"), queue, raw_message_delivery=True)
    _consume(stack, queue, filters=ENVELOPE_FILTER)


def good_raw_filters(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    wrapped = _queue(stack, "Wrapped")
    _subscribe(topic, wrapped)
    _consume(stack, wrapped, "WrappedMapping", filters=ENVELOPE_FILTER)
    raw = _queue(stack, "Raw")
    _subscribe(topic, raw, raw_message_delivery=True)
    _consume(stack, raw, "RawMapping", filters=TYPE_FILTER)
    shared = _queue(stack, "Shared")
    _subscribe(topic, shared, raw_message_delivery=True)
    shared.grant_send_messages(inline_function(stack, "Producer"))
    _consume(stack, shared, "SharedMapping", filters=ENVELOPE_FILTER)


# A table of its own: LAMBDA8's own cases are in test_envelopes_and_sources.
RAW_CASES = {"LAMBDA8": Case((raw_envelope_filter_fail,), "Mapping", good_raw_filters)}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return synth_cases(tmp_path_factory.mktemp("raw-delivery-filter"), RAW_CASES)


def test_an_envelope_filter_on_a_raw_queue_is_an_error(report: Report) -> None:
    found = report.of_stack(fail_stack("LAMBDA8", 0))
    assert ("Messaging-LAMBDA8", LEVELS["LAMBDA8"], "Mapping") in found, found


def test_filters_a_raw_body_may_match_pass(report: Report) -> None:
    found = report.of_stack(good_stack(good_raw_filters))
    assert [f for f in found if f[0] == "Messaging-LAMBDA8"] == [], found
