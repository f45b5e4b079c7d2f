"""S3 event fan-out, end to end, through EventBridge (the default delivery).

ImageUploads: an upload under the prefix reaches every queue (the thumbnail queue only for
.jpg/.png), one outside the prefix reaches none. E2eS3Overlap: three fan-outs on one bucket
with overlapping rules (which S3 notifications would refuse) each receive what matches them,
an object matching two rules of one fan-out arrives once, other keys reach no queue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.aws import Message, new_tag, receive, receive_none, sns_envelope
from tests.e2e.outputs import StackOutputs

pytestmark = pytest.mark.e2e

QUEUES = ("Thumbnails", "Metadata", "Audit")
RAW = {"Metadata"}  # examples/image_uploads.py: the metadata queue takes raw delivery


def _s3_event(name: str, message: Message) -> dict[str, Any]:
    body = message["Body"] if name in RAW else sns_envelope(message)["Message"]
    event = json.loads(body)
    assert isinstance(event, dict)
    return event


def _keys_of(name: str, messages: list[Message]) -> list[str]:
    keys = []
    for message in messages:
        event = _s3_event(name, message)
        assert event["source"] == "aws.s3", event  # an EventBridge event, not an S3 record
        keys.append(event["detail"]["object"]["key"])
    return keys


def _about(key: str) -> Any:
    return lambda message: key in str(message["Body"])


def test_upload_under_the_prefix_reaches_every_queue(s3: Any, sqs: Any, deployed: StackOutputs):
    stack = deployed["ImageUploads"]
    key = f"images/{new_tag()}.jpg"
    s3.put_object(Bucket=stack["UploadsBucketName"], Key=key, Body=b"\xff\xd8 not really a jpeg")
    for name in QUEUES:
        got = receive(sqs, stack[f"{name}QueueUrl"], match=_about(key), expect=1)
        assert _keys_of(name, got) == [key], f"{name} did not receive the upload event"
        event = _s3_event(name, got[0])
        assert event["detail-type"] == "Object Created"
        assert event["detail"]["bucket"]["name"] == stack["UploadsBucketName"]


def test_suffix_filter_keeps_other_files_from_the_thumbnail_queue(
    s3: Any, sqs: Any, deployed: StackOutputs
):
    stack = deployed["ImageUploads"]
    key = f"images/{new_tag()}.txt"
    s3.put_object(Bucket=stack["UploadsBucketName"], Key=key, Body=b"notes")
    for name in ("Metadata", "Audit"):
        got = receive(sqs, stack[f"{name}QueueUrl"], match=_about(key), expect=1)
        assert _keys_of(name, got) == [key]
    assert receive_none(sqs, stack["ThumbnailsQueueUrl"], match=_about(key)) == []


def test_upload_outside_the_prefix_reaches_no_queue(s3: Any, sqs: Any, deployed: StackOutputs):
    stack = deployed["ImageUploads"]
    tag = new_tag()
    outside, inside = f"documents/{tag}.jpg", f"images/{tag}.png"
    s3.put_object(Bucket=stack["UploadsBucketName"], Key=outside, Body=b"elsewhere")
    s3.put_object(Bucket=stack["UploadsBucketName"], Key=inside, Body=b"a marker")
    for name in QUEUES:
        # The upload under the prefix, made after, arrives: so the one outside had its chance.
        got = receive(sqs, stack[f"{name}QueueUrl"], match=_about(tag), expect=1)
        got += receive_none(sqs, stack[f"{name}QueueUrl"], match=_about(tag), quiet_s=2)
        assert _keys_of(name, got) == [inside], f"{name} received an upload outside images/"


# --- overlapping rules (E2eS3Overlap) ---------------------------------------------------------

OVERLAP_QUEUES = ("Images", "Jpegs", "Either")


def _overlap_keys(messages: list[Message]) -> list[str]:
    return [json.loads(message["Body"])["detail"]["object"]["key"] for message in messages]


@pytest.mark.parametrize(
    ("key_pattern", "receivers"),
    [
        ("images/{tag}.jpg", {"Images", "Jpegs", "Either"}),  # both rules match
        ("images/{tag}.txt", {"Images", "Either"}),
        ("documents/{tag}.jpg", {"Jpegs", "Either"}),
    ],
)
def test_overlapping_rules_each_receive_the_object_once(
    s3: Any, sqs: Any, deployed: StackOutputs, key_pattern: str, receivers: set[str]
):
    stack = deployed["E2eS3Overlap"]
    tag = new_tag()
    key = key_pattern.format(tag=tag)
    s3.put_object(Bucket=stack["BucketName"], Key=key, Body=b"overlap")
    for name in sorted(receivers):
        got = receive(sqs, stack[f"{name}QueueUrl"], match=_about(tag), expect=1)
        # and no second copy: Either has two matching rules, but one EventBridge rule
        got += receive_none(sqs, stack[f"{name}QueueUrl"], match=_about(tag), quiet_s=2)
        assert _overlap_keys(got) == [key], f"{name}: {got}"
    for name in sorted(set(OVERLAP_QUEUES) - receivers):
        assert receive_none(sqs, stack[f"{name}QueueUrl"], match=_about(tag)) == [], name


def test_key_no_rule_matches_reaches_no_queue(s3: Any, sqs: Any, deployed: StackOutputs):
    stack = deployed["E2eS3Overlap"]
    tag = new_tag()
    s3.put_object(Bucket=stack["BucketName"], Key=f"documents/{tag}.txt", Body=b"nobody")
    marker = f"images/{tag}.jpg"  # every queue receives this one, sent after
    s3.put_object(Bucket=stack["BucketName"], Key=marker, Body=b"marker")
    for name in OVERLAP_QUEUES:
        got = receive(sqs, stack[f"{name}QueueUrl"], match=_about(tag), expect=1)
        got += receive_none(sqs, stack[f"{name}QueueUrl"], match=_about(tag), quiet_s=2)
        assert _overlap_keys(got) == [marker], f"{name} received an object no rule matches"


def test_notification_delivery_still_publishes_s3_records(
    s3: Any, sqs: Any, deployed: StackOutputs
):
    stack = deployed["E2eS3Overlap"]
    tag = new_tag()
    outside, inside = f"documents/{tag}.jpg", f"images/{tag}.jpg"
    s3.put_object(Bucket=stack["DirectBucketName"], Key=outside, Body=b"elsewhere")
    s3.put_object(Bucket=stack["DirectBucketName"], Key=inside, Body=b"direct")
    got = receive(sqs, stack["DirectQueueUrl"], match=_about(tag), expect=1)
    got += receive_none(sqs, stack["DirectQueueUrl"], match=_about(tag), quiet_s=2)
    records = [
        record for message in got for record in json.loads(message["Body"]).get("Records", [])
    ]
    assert [record["s3"]["object"]["key"] for record in records] == [inside]
    assert records[0]["eventName"].startswith("ObjectCreated:")
