"""S3 event fan-out, end to end (ImageUploads): an upload under the prefix reaches every
queue (the thumbnail queue only for .jpg/.png), one outside the prefix reaches none."""

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
    return [
        record["s3"]["object"]["key"]
        for message in messages
        for record in _s3_event(name, message).get("Records", [])  # skips s3:TestEvent
    ]


def _about(key: str) -> Any:
    return lambda message: key in str(message["Body"])


def test_upload_under_the_prefix_reaches_every_queue(s3: Any, sqs: Any, deployed: StackOutputs):
    stack = deployed["ImageUploads"]
    key = f"images/{new_tag()}.jpg"
    s3.put_object(Bucket=stack["UploadsBucketName"], Key=key, Body=b"\xff\xd8 not really a jpeg")
    for name in QUEUES:
        got = receive(sqs, stack[f"{name}QueueUrl"], match=_about(key), expect=1)
        assert _keys_of(name, got) == [key], f"{name} did not receive the upload event"
        event = _s3_event(name, got[0])["Records"][0]
        assert event["eventName"].startswith("ObjectCreated:")
        assert event["s3"]["bucket"]["name"] == stack["UploadsBucketName"]


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
