"""S3EventRule's event types: their S3 notification names and EventBridge detail-types."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_s3 as s3

from patterns.s3_event_fan_out import S3EventRule


def test_every_event_type_has_its_s3_name() -> None:
    for event_type in s3.EventType:
        assert S3EventRule(event_type).event_name.startswith("s3:")


@pytest.mark.parametrize(
    ("event_type", "detail_types", "detail"),
    [
        (s3.EventType.OBJECT_CREATED_PUT, ["Object Created"], {"reason": ["PutObject"]}),
        (
            s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED,
            ["Object Deleted"],
            {"reason": ["DeleteObject"], "deletion-type": ["Delete Marker Created"]},
        ),
        (
            s3.EventType.LIFECYCLE_EXPIRATION,
            ["Object Deleted"],
            {"reason": ["Lifecycle Expiration"]},
        ),
        (
            s3.EventType.OBJECT_RESTORE,
            ["Object Restore Initiated", "Object Restore Completed", "Object Restore Expired"],
            {},
        ),
        (s3.EventType.OBJECT_TAGGING_PUT, ["Object Tags Added"], {}),
        (s3.EventType.LIFECYCLE_TRANSITION, ["Object Storage Class Changed"], {}),
    ],
)
def test_event_types_map_to_event_bridge_detail_types(
    event_type: s3.EventType, detail_types: list[str], detail: dict[str, Any]
) -> None:
    pattern = S3EventRule(event_type).event_bridge_pattern("bucket")
    assert pattern == {
        "detail-type": detail_types,
        "detail": {"bucket": {"name": ["bucket"]}, **detail},
    }
