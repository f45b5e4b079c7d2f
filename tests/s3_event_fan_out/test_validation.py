"""What S3EventFanOut refuses at synth: one ``pytest.raises`` per rule."""

from __future__ import annotations

import re

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from patterns.s3_event_fan_out import S3EventFanOut, S3EventRule
from patterns.s3_event_fan_out.validation import _overlaps
from tests.helpers import by_path
from tests.s3_event_fan_out.common import BUCKET_NAME, CREATED, NOTIFICATION, _stack


def test_notification_delivery_with_a_new_bucket_needs_a_chosen_name() -> None:
    with pytest.raises(
        ValueError, match="delivery=NOTIFICATION with a new bucket needs bucket_name"
    ):
        S3EventFanOut(_stack(), "Images", delivery=NOTIFICATION)


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        (S3EventRule(CREATED), S3EventRule(CREATED, prefix="a/"), True),
        (S3EventRule(CREATED, prefix="a/"), S3EventRule(CREATED, prefix="a/b/"), True),
        (S3EventRule(CREATED), S3EventRule(s3.EventType.OBJECT_CREATED_PUT), True),
        (S3EventRule(CREATED, suffix=".jpg"), S3EventRule(CREATED, suffix="x.jpg"), True),
        (S3EventRule(CREATED, prefix="a/"), S3EventRule(CREATED, prefix="b/"), False),
        (S3EventRule(CREATED, suffix=".jpg"), S3EventRule(CREATED, suffix=".png"), False),
        (S3EventRule(CREATED), S3EventRule(s3.EventType.OBJECT_REMOVED), False),
        (
            S3EventRule(s3.EventType.OBJECT_CREATED_PUT),
            S3EventRule(s3.EventType.OBJECT_CREATED_COPY),
            False,
        ),
    ],
)
def test_overlap_rule(first: S3EventRule, second: S3EventRule, overlap: bool) -> None:
    assert _overlaps(first, second) is overlap
    assert _overlaps(second, first) is overlap


def test_overlapping_rules_are_refused_naming_both() -> None:
    with pytest.raises(
        ValueError,
        match=re.escape(
            "events[0] (s3:ObjectCreated:* prefix='images/') and events[2] "
            "(s3:ObjectCreated:Put prefix='images/raw/') overlap"
        ),
    ):
        S3EventFanOut(
            _stack(),
            "Images",
            delivery=NOTIFICATION,
            bucket_name=BUCKET_NAME,
            events=[
                S3EventRule(CREATED, prefix="images/"),
                S3EventRule(CREATED, prefix="docs/"),
                S3EventRule(s3.EventType.OBJECT_CREATED_PUT, prefix="images/raw/"),
            ],
        )


def test_empty_events_are_refused() -> None:
    with pytest.raises(ValueError, match="events must name at least one S3EventRule"):
        S3EventFanOut(_stack(), "Images", events=[])


def test_filter_value_length_is_checked() -> None:
    with pytest.raises(ValueError, match=r"events\[0\]\.suffix must be 1 to 1024 characters"):
        S3EventFanOut(_stack(), "Images", events=[S3EventRule(CREATED, suffix="x" * 1025)])


def test_tokens_are_not_validated() -> None:
    """A bucket name and a prefix known only at deploy are written as given, not refused."""
    stack = _stack()
    name = cdk.CfnParameter(stack, "Name").value_as_string
    S3EventFanOut(stack, "Images", bucket_name=name, events=[S3EventRule(CREATED, prefix=name)])
    template = Template.from_stack(stack)
    bucket = by_path(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")
    assert bucket["Properties"]["BucketName"] == {"Ref": "Name"}
    rule = by_path(template, "AWS::Events::Rule", "/Images/EventRule/Resource")
    assert rule["Properties"]["EventPattern"]["detail"]["object"] == {
        "key": [{"prefix": {"Ref": "Name"}}]
    }


def test_invalid_delivery_is_refused() -> None:
    with pytest.raises(ValueError, match=r"delivery must be S3EventDelivery\.EVENT_BRIDGE or"):
        S3EventFanOut(_stack(), "Images", delivery="EVENT_BRIDGE")  # type: ignore[arg-type]


def test_event_bridge_only_filters_are_refused_with_notifications() -> None:
    with pytest.raises(ValueError, match=r"events\[0\] .*wildcard, min_size and max_size are"):
        S3EventFanOut(
            _stack(),
            "Images",
            delivery=NOTIFICATION,
            bucket_name=BUCKET_NAME,
            events=[S3EventRule(CREATED, wildcard="a/*.jpg")],
        )


def test_events_event_bridge_does_not_carry_are_refused() -> None:
    with pytest.raises(ValueError, match="S3 does not send this event to EventBridge"):
        S3EventFanOut(_stack(), "Images", events=[S3EventRule(s3.EventType.REPLICATION)])


def test_wildcard_with_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="give wildcard or prefix/suffix, not both"):
        S3EventFanOut(
            _stack(), "Images", events=[S3EventRule(CREATED, prefix="a/", wildcard="a/*.jpg")]
        )


def test_min_size_above_max_size_is_refused() -> None:
    with pytest.raises(ValueError, match="min_size must not exceed max_size"):
        S3EventFanOut(
            _stack(),
            "Images",
            events=[
                S3EventRule(CREATED, min_size=cdk.Size.mebibytes(2), max_size=cdk.Size.bytes(10))
            ],
        )


def test_fifo_topic_is_refused() -> None:
    stack = _stack()
    topic = sns.Topic(stack, "Ordered", fifo=True, topic_name="ordered.fifo")
    with pytest.raises(ValueError, match="is a FIFO topic: S3 event notifications"):
        S3EventFanOut(stack, "Images", topic=topic)


def test_fifo_subscriber_queue_is_refused() -> None:
    fan_out = S3EventFanOut(_stack(), "Images")
    with pytest.raises(ValueError, match=r"add_queue\('Ordered', fifo=True\)"):
        fan_out.add_queue("Ordered", fifo=True)


def test_imported_topic_is_refused_because_s3_could_not_publish() -> None:
    stack = _stack()
    topic = sns.Topic.from_topic_arn(stack, "Imported", "arn:aws:sns:eu-west-1:123456789012:t")
    with pytest.raises(ValueError, match="needs a topic this app owns"):
        S3EventFanOut(stack, "Images", topic=topic)


def test_new_bucket_options_with_existing_bucket_are_refused() -> None:
    stack = _stack()
    bucket = s3.Bucket.from_bucket_name(stack, "Existing", "my-existing-bucket")
    with pytest.raises(ValueError, match="bucket_name, removal_policy configure a new resource"):
        S3EventFanOut(
            stack,
            "Images",
            bucket=bucket,
            bucket_name="another-name",
            removal_policy=RemovalPolicy.DESTROY,
        )


def test_encryption_key_with_existing_bucket_and_topic_is_refused() -> None:
    stack = _stack()
    with pytest.raises(ValueError, match="encryption_key configure a new resource"):
        S3EventFanOut(
            stack,
            "Images",
            bucket=s3.Bucket.from_bucket_name(stack, "Existing", "my-existing-bucket"),
            topic=sns.Topic(stack, "Shared"),
            encryption_key=kms.Key(stack, "Key"),
        )


def test_invalid_bucket_name_is_refused() -> None:
    with pytest.raises(ValueError, match="bucket_name 'Images_Bucket' must be 3 to 63"):
        S3EventFanOut(_stack(), "Images", bucket_name="Images_Bucket")


def test_lifecycle_days_must_be_whole_days() -> None:
    with pytest.raises(
        ValueError, match="noncurrent_version_expiration must be a whole number of days"
    ):
        S3EventFanOut(_stack(), "Images", noncurrent_version_expiration=Duration.hours(12))
