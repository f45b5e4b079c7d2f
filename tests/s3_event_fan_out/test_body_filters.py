"""Filters on the event body: built for each delivery, reaching the subscription,
refused for the other delivery's format.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from patterns.s3_event_fan_out import S3EventDelivery, S3EventFanOut, s3_event_body_filter
from tests.helpers import by_path, logical_id, synth_stack
from tests.s3_event_fan_out.common import BUCKET_NAME, NOTIFICATION, _stack


@pytest.mark.parametrize(
    ("fixture", "policy"),
    [
        ("template", {"detail": {"object": {"key": [{"suffix": ".jpg"}, {"suffix": ".png"}]}}}),
        (
            "notification_template",
            {"Records": {"s3": {"object": {"key": [{"suffix": ".jpg"}, {"suffix": ".png"}]}}}},
        ),
    ],
)
def test_body_filter_reaches_the_subscription(
    fixture: str, policy: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    template: Template = request.getfixturevalue(fixture)
    template.has_resource_properties(
        "AWS::SNS::Subscription",
        {
            "Endpoint": {
                "Fn::GetAtt": [
                    logical_id(template, "AWS::SQS::Queue", "/Thumbnails/Queue/Resource"),
                    "Arn",
                ]
            },
            "FilterPolicyScope": "MessageBody",
            "FilterPolicy": policy,
        },
    )


def test_body_filter_on_event_names_and_keys() -> None:
    def build(stack: cdk.Stack) -> None:
        direct = S3EventFanOut(stack, "Direct", delivery=NOTIFICATION, bucket_name=BUCKET_NAME)
        direct.add_queue(
            "Puts",
            filter_policy_with_message_body=direct.event_body_filter(
                key_prefixes=["images/raw/"], event_names=["ObjectCreated:Put"]
            ),
        )
        routed = S3EventFanOut(stack, "Routed")
        routed.add_queue(
            "Created",
            filter_policy_with_message_body=routed.event_body_filter(
                key_prefixes=["images/raw/"], event_names=["Object Created"]
            ),
        )

    template = synth_stack(build)
    subscription = by_path(template, "AWS::SNS::Subscription", "/Puts/Subscription/Resource")
    assert subscription["Properties"]["FilterPolicy"] == {
        "Records": {
            "s3": {"object": {"key": [{"prefix": "images/raw/"}]}},
            "eventName": ["ObjectCreated:Put"],
        }
    }
    subscription = by_path(template, "AWS::SNS::Subscription", "/Created/Subscription/Resource")
    assert subscription["Properties"]["FilterPolicy"] == {
        "detail": {"object": {"key": [{"prefix": "images/raw/"}]}},
        "detail-type": ["Object Created"],
    }
    with pytest.raises(ValueError, match="needs at least one of key_prefixes"):
        s3_event_body_filter()


@pytest.mark.parametrize(
    ("delivery", "body", "message"),
    [
        (S3EventDelivery.EVENT_BRIDGE, NOTIFICATION, r"names \['Records'\], but with EventBridge"),
        (NOTIFICATION, S3EventDelivery.EVENT_BRIDGE, r"but with delivery=NOTIFICATION the body"),
    ],
)
def test_body_filter_of_the_other_format_is_refused(
    delivery: S3EventDelivery, body: S3EventDelivery, message: str
) -> None:
    fan_out = S3EventFanOut(_stack(), "Images", delivery=delivery, bucket_name=BUCKET_NAME)
    with pytest.raises(ValueError, match=message):
        fan_out.add_queue(
            "Jpegs",
            filter_policy_with_message_body=s3_event_body_filter(
                key_suffixes=[".jpg"], delivery=body
            ),
        )
