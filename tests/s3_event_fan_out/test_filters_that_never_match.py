"""Filters no event of the fan-out could ever match are refused at synth, naming the fix.

An attribute filter policy (S3 events carry no attributes), a size filter on events without
a size, event names spelled for the other delivery or of events the rules do not forward, keys
outside the rules' prefixes and suffixes, a bucket in another Region. And what is sound still
passes: the checks draw no verdict where the event could match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from patterns.s3_event_fan_out import (
    S3EventDelivery,
    S3EventFanOut,
    S3EventRule,
    s3_event_body_filter,
)
from patterns.sns_fan_out import QueueSubscriber
from tests.s3_event_fan_out.common import BUCKET_NAME, CREATED, NOTIFICATION, _stack

EVENT_BRIDGE = S3EventDelivery.EVENT_BRIDGE
REMOVED = s3.EventType.OBJECT_REMOVED
KEY_CONDITIONS = {"key_prefixes": "prefix", "key_suffixes": "suffix"}


def _fan_out(
    delivery: S3EventDelivery = EVENT_BRIDGE, events: list[S3EventRule] | None = None
) -> S3EventFanOut:
    return S3EventFanOut(
        _stack(),
        "Images",
        delivery=delivery,
        events=events,
        bucket_name=BUCKET_NAME if delivery is NOTIFICATION else None,
    )


@pytest.fixture(scope="module")
def refusing() -> Callable[[S3EventDelivery], S3EventFanOut]:
    """The fan-out of a delivery forwarding created objects (the default events), one per
    delivery, shared by the tests whose ``add_queue`` is refused: ``add_queue`` checks its
    options and filter before it creates anything, so a refused call leaves it as it was."""
    fan_outs: dict[S3EventDelivery, S3EventFanOut] = {}

    def fan_out(delivery: S3EventDelivery) -> S3EventFanOut:
        if delivery not in fan_outs:
            fan_outs[delivery] = _fan_out(delivery)
        return fan_outs[delivery]

    return fan_out


def _body_filter_of(subscriber: QueueSubscriber) -> Any:
    """The filter policy of the subscriber's ``AWS::SNS::Subscription``, on the message body."""
    subscription = subscriber.subscription.node.default_child
    assert isinstance(subscription, sns.CfnSubscription)
    assert subscription.filter_policy_scope == "MessageBody"
    return subscription.filter_policy


def test_an_attribute_filter_policy_is_refused(
    refusing: Callable[[S3EventDelivery], S3EventFanOut],
) -> None:
    fan_out = refusing(EVENT_BRIDGE)
    with pytest.raises(
        ValueError,
        match=r"add_queue\('Jpegs', filter_policy=\.\.\.\): S3 events carry no message "
        r"attributes.*filter_policy_with_message_body=fan_out\.event_body_filter",
    ):
        fan_out.add_queue(  # type: ignore[call-arg]  # what an untyped caller may pass
            "Jpegs",
            filter_policy={"kind": sns.SubscriptionFilter.string_filter(allowlist=["jpg"])},
        )


@pytest.mark.parametrize(
    "event_type",
    [
        REMOVED,
        s3.EventType.OBJECT_REMOVED_DELETE,
        s3.EventType.LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED,
        s3.EventType.OBJECT_TAGGING_PUT,
        s3.EventType.OBJECT_ACL_PUT,
    ],
)
@pytest.mark.parametrize("size", ["min_size", "max_size"])
def test_a_size_filter_on_events_without_a_size_is_refused(
    event_type: s3.EventType, size: str
) -> None:
    sizes: dict[str, Any] = {size: cdk.Size.kibibytes(1)}
    rule = S3EventRule(event_type, **sizes)
    with pytest.raises(
        ValueError,
        match=r"events\[0\] \(s3:\w+:\S+ (min|max)_size=1024 bytes\): min_size and "
        r"max_size filter on the object's size, but S3's '[\w ]+' events carry no size.*"
        r"Drop min_size and max_size",
    ):
        _fan_out(events=[rule])


def test_a_size_filter_on_created_objects_is_accepted() -> None:
    fan_out = _fan_out(events=[S3EventRule(CREATED, min_size=cdk.Size.kibibytes(1))])
    assert fan_out.events[0].min_size is not None


@pytest.mark.parametrize(
    ("name", "spelled"),
    [
        ("ObjectCreated:Put", r"'ObjectCreated:Put' arrives as 'Object Created', detail\.reason"),
        ("s3:ObjectRemoved:*", r"'s3:ObjectRemoved:\*' arrives as 'Object Deleted'"),
        ("Replication:OperationNotTracked", r"is not sent to EventBridge at all"),
    ],
)
def test_notification_event_names_under_event_bridge_delivery_are_refused(
    name: str, spelled: str
) -> None:
    with pytest.raises(
        ValueError,
        match=rf"event_names: '{re.escape(name)}' is not an event S3 sends to "
        rf"EventBridge.*detail-type.*{spelled}",
    ):
        s3_event_body_filter(event_names=[name])


@pytest.mark.parametrize("name", ["Object Created", "s3:ObjectCreated:Put", "ObjectCreated:*"])
def test_names_that_are_no_notification_event_name_are_refused(name: str) -> None:
    with pytest.raises(
        ValueError,
        match=rf"event_names: '{re.escape(name)}' is not an eventName of an S3 "
        r"notification.*without the 's3:' prefix and without '\*'",
    ):
        s3_event_body_filter(event_names=[name], delivery=NOTIFICATION)


@pytest.mark.parametrize(
    ("delivery", "body"),
    [
        (EVENT_BRIDGE, {"detail-type": ["ObjectCreated:Put"]}),
        (NOTIFICATION, {"Records": {"eventName": ["Object Created"]}}),
    ],
)
def test_a_hand_written_policy_is_checked_by_value_too(
    refusing: Callable[[S3EventDelivery], S3EventFanOut],
    delivery: S3EventDelivery,
    body: dict[str, Any],
) -> None:
    """Values are checked against the delivery, not only the field names."""
    fan_out = refusing(delivery)
    with pytest.raises(ValueError, match=r"add_queue\('Puts'\): filter_policy_with_message_body"):
        fan_out.add_queue("Puts", filter_policy_with_message_body=_policy(body))


@pytest.mark.parametrize(
    ("delivery", "name"), [(EVENT_BRIDGE, "Object Deleted"), (NOTIFICATION, "ObjectRemoved:Delete")]
)
def test_an_event_the_rules_do_not_forward_is_refused(
    refusing: Callable[[S3EventDelivery], S3EventFanOut], delivery: S3EventDelivery, name: str
) -> None:
    fan_out = refusing(delivery)  # forwards created objects only
    with pytest.raises(
        ValueError,
        match=rf"'{name}' is not an event this fan-out forwards \(its events forward "
        r"\['Object.?Created.*add an S3EventRule for it to events",
    ):
        fan_out.add_queue(
            "Deletions",
            filter_policy_with_message_body=fan_out.event_body_filter(event_names=[name]),
        )


@pytest.mark.parametrize(
    ("delivery", "name", "policy"),
    [
        (EVENT_BRIDGE, "Object Created", {"detail-type": ["Object Created"]}),
        (
            NOTIFICATION,
            "ObjectCreated:CompleteMultipartUpload",
            {"Records": {"eventName": ["ObjectCreated:CompleteMultipartUpload"]}},
        ),
    ],
)
def test_an_event_the_rules_forward_is_accepted(
    delivery: S3EventDelivery, name: str, policy: dict[str, Any]
) -> None:
    fan_out = _fan_out(delivery)
    subscriber = fan_out.add_queue(
        "Created", filter_policy_with_message_body=fan_out.event_body_filter(event_names=[name])
    )
    assert _body_filter_of(subscriber) == policy


@pytest.mark.parametrize("delivery", [EVENT_BRIDGE, NOTIFICATION])
def test_a_key_prefix_outside_the_rules_prefix_is_refused(delivery: S3EventDelivery) -> None:
    fan_out = _fan_out(delivery, [S3EventRule(CREATED, prefix="images/")])
    with pytest.raises(
        ValueError,
        match=r"add_queue\('Videos'\): filter_policy_with_message_body keeps keys "
        r"\[\{'prefix': 'videos/'\}\], but the fan-out forwards only the keys of its events "
        r"\(s3:ObjectCreated:\* prefix='images/'\).*widen events",
    ):
        fan_out.add_queue(
            "Videos",
            filter_policy_with_message_body=fan_out.event_body_filter(key_prefixes=["videos/"]),
        )


@pytest.mark.parametrize(
    ("events", "filters"),
    [
        ([S3EventRule(CREATED, prefix="images/")], {"key_prefixes": ["images/raw/"]}),
        ([S3EventRule(CREATED, prefix="images/raw/")], {"key_prefixes": ["images/"]}),
        ([S3EventRule(CREATED, prefix="images/")], {"key_suffixes": [".jpg"]}),
        (
            [S3EventRule(CREATED, prefix="images/"), S3EventRule(CREATED, prefix="videos/")],
            {"key_prefixes": ["videos/4k/"]},
        ),
        ([S3EventRule(CREATED, wildcard="images/*/raw/*.jpg")], {"key_prefixes": ["images/a"]}),
        ([S3EventRule(CREATED)], {"key_prefixes": ["anything/"]}),
    ],
    ids=["narrower", "wider", "suffix", "second-rule", "wildcard", "no-key-filter"],
)
def test_key_filters_inside_the_rules_range_are_accepted(
    events: list[S3EventRule], filters: dict[str, Any]
) -> None:
    fan_out = _fan_out(events=events)
    subscriber = fan_out.add_queue(
        "Some", filter_policy_with_message_body=fan_out.event_body_filter(**filters)
    )
    ((option, values),) = filters.items()
    keys = [{KEY_CONDITIONS[option]: value} for value in values]
    assert _body_filter_of(subscriber) == {"detail": {"object": {"key": keys}}}


@pytest.mark.parametrize(
    ("events", "filters"),
    [
        ([S3EventRule(CREATED, suffix=".jpg")], {"key_suffixes": [".png"]}),
        ([S3EventRule(CREATED, wildcard="images/*.jpg")], {"key_prefixes": ["videos/"]}),
        (
            [S3EventRule(CREATED, prefix="images/", suffix=".jpg")],
            {"key_prefixes": ["videos/"], "key_suffixes": [".gif"]},
        ),
    ],
    ids=["suffix", "wildcard", "neither-condition"],
)
def test_key_filters_outside_every_rule_are_refused(
    events: list[S3EventRule], filters: dict[str, Any]
) -> None:
    fan_out = _fan_out(events=events)
    with pytest.raises(ValueError, match="none of which the filter matches"):
        fan_out.add_queue(
            "Some", filter_policy_with_message_body=fan_out.event_body_filter(**filters)
        )


def test_keys_that_notifications_url_encode_draw_no_verdict() -> None:
    """A notification carries the key URL-encoded: a prefix with a space is not compared, and
    the subscription keeps the filter as written ("my+" is how "my " arrives)."""
    fan_out = _fan_out(NOTIFICATION, [S3EventRule(CREATED, prefix="my images/")])
    subscriber = fan_out.add_queue(
        "Some", filter_policy_with_message_body=fan_out.event_body_filter(key_prefixes=["my+"])
    )
    assert _body_filter_of(subscriber) == {
        "Records": {"s3": {"object": {"key": [{"prefix": "my+"}]}}}
    }


@pytest.mark.parametrize(
    ("delivery", "body", "message"),
    [
        (EVENT_BRIDGE, {"source": ["aws:s3"]}, r"source 'aws:s3' never matches.*'aws\.s3'"),
        (
            NOTIFICATION,
            {"Records": {"eventSource": ["aws.s3"]}},
            r"Records\.eventSource 'aws\.s3' never matches.*'aws:s3'",
        ),
        (EVENT_BRIDGE, {"detail": ["images/a.jpg"]}, r"detail is an object in the event"),
        (NOTIFICATION, {"Records": ["x"]}, r"Records is an object in the event"),
    ],
)
def test_values_no_s3_event_has_are_refused(
    refusing: Callable[[S3EventDelivery], S3EventFanOut],
    delivery: S3EventDelivery,
    body: dict[str, Any],
    message: str,
) -> None:
    fan_out = refusing(delivery)
    with pytest.raises(ValueError, match=message):
        fan_out.add_queue("Some", filter_policy_with_message_body=_policy(body))


def test_a_bucket_in_another_region_is_refused() -> None:
    stack = cdk.Stack(cdk.App(), "Here", env=cdk.Environment(region="eu-west-1"))
    bucket = s3.Bucket.from_bucket_attributes(
        stack, "Elsewhere", bucket_name="uploads-elsewhere", region="us-east-1"
    )
    with pytest.raises(
        ValueError,
        match=r"bucket Here/Elsewhere is in Region us-east-1, this stack in eu-west-1.*"
        r"Define the fan-out in a stack of the bucket's Region",
    ):
        S3EventFanOut(stack, "Uploads", bucket=bucket)


def _policy(body: dict[str, Any]) -> dict[str, sns.FilterOrPolicy]:
    """A hand-written policy: dictionaries nest, lists are conditions."""
    return {
        name: sns.FilterOrPolicy.policy(_policy(value))
        if isinstance(value, dict)
        else sns.FilterOrPolicy.filter(sns.SubscriptionFilter(conditions=value))
        for name, value in body.items()
    }


def test_an_event_type_that_is_not_an_s3_event_type_is_refused() -> None:
    with pytest.raises(
        ValueError,
        match=r"events\[0\] must be an S3EventRule of an s3\.EventType, got .*"
        r"'s3:ObjectCreated:\*'.*S3EventRule\(s3\.EventType\.OBJECT_CREATED",
    ):
        _fan_out(events=[S3EventRule("s3:ObjectCreated:*")])  # type: ignore[arg-type]


def _rules(count: int, length: int) -> list[S3EventRule]:
    return [S3EventRule(CREATED, prefix=f"{index:02d}" + "p" * length) for index in range(count)]


def test_an_event_pattern_past_what_event_bridge_accepts_is_refused() -> None:
    with pytest.raises(
        ValueError,
        match=r"events: the EventBridge pattern of these 10 rules is about \d+ characters, "
        r"over the 4096 EventBridge accepts.*merge rules",
    ):
        _fan_out(events=_rules(10, 500))


def test_an_event_pattern_past_the_default_quota_is_a_warning() -> None:
    fan_out = _fan_out(events=_rules(4, 500))
    warnings = cdk.assertions.Annotations.from_stack(cdk.Stack.of(fan_out)).find_warning(
        "*", cdk.assertions.Match.string_like_regexp("over the default quota of 2048")
    )
    assert len(warnings) == 1
    assert _fan_out(events=_rules(2, 100)).events  # small patterns: no warning, no error


def test_a_size_condition_on_a_fan_out_of_deletions_is_refused() -> None:
    fan_out = _fan_out(events=[S3EventRule(REMOVED)])
    body = {"detail": {"object": {"size": [{"numeric": [">", 1024]}]}}}
    with pytest.raises(
        ValueError,
        match=r"add_queue\('Big'\): filter_policy_with_message_body filters on "
        r"detail\.object\.size, but the fan-out forwards only events without a size",
    ):
        fan_out.add_queue("Big", filter_policy_with_message_body=_policy(body))
    created = _fan_out(events=[S3EventRule(REMOVED), S3EventRule(CREATED)])
    subscriber = created.add_queue("Big", filter_policy_with_message_body=_policy(body))
    assert _body_filter_of(subscriber) == body
