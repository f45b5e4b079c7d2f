"""The S3 events a fan-out takes, and the two ways they reach its topic.

:class:`S3EventDelivery` (EventBridge rule or S3 notifications), :class:`S3EventRule` (an event
type with its key and size filters) and the tables that spell each ``s3.EventType`` the way S3
notifications and EventBridge do.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import Size
from aws_cdk import aws_s3 as s3

from patterns.limits import S3_EVENT_BRIDGE_DETAIL_TYPES


class S3EventDelivery(enum.Enum):
    """How the bucket's events reach the fan-out topic."""

    EVENT_BRIDGE = "EVENT_BRIDGE"
    """The bucket sends every event to the default EventBridge bus; one rule of the pattern
    routes the matching ones to the topic. Rules may overlap (with each other and with other
    consumers of the bucket), filters can use suffixes, wildcards and object sizes, and no bucket
    name is fixed. The SNS message carries the EventBridge event (``detail-type``, ``detail``)."""

    NOTIFICATION = "NOTIFICATION"
    """S3 event notifications publish to the topic directly: one hop less, no EventBridge
    charge, the S3 event format (``Records``). One rule per event type and key range, and a new
    bucket needs a ``bucket_name`` chosen by you (the topic policy must name it)."""


# The wire names of s3.EventType (jsii exposes only the member names to Python).
S3_EVENT_NAMES: dict[s3.EventType, str] = {
    s3.EventType.OBJECT_CREATED: "s3:ObjectCreated:*",
    s3.EventType.OBJECT_CREATED_PUT: "s3:ObjectCreated:Put",
    s3.EventType.OBJECT_CREATED_POST: "s3:ObjectCreated:Post",
    s3.EventType.OBJECT_CREATED_COPY: "s3:ObjectCreated:Copy",
    s3.EventType.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD: (
        "s3:ObjectCreated:CompleteMultipartUpload"
    ),
    s3.EventType.OBJECT_REMOVED: "s3:ObjectRemoved:*",
    s3.EventType.OBJECT_REMOVED_DELETE: "s3:ObjectRemoved:Delete",
    s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED: "s3:ObjectRemoved:DeleteMarkerCreated",
    s3.EventType.OBJECT_RESTORE: "s3:ObjectRestore:*",
    s3.EventType.OBJECT_RESTORE_POST: "s3:ObjectRestore:Post",
    s3.EventType.OBJECT_RESTORE_COMPLETED: "s3:ObjectRestore:Completed",
    s3.EventType.OBJECT_RESTORE_DELETE: "s3:ObjectRestore:Delete",
    s3.EventType.REDUCED_REDUNDANCY_LOST_OBJECT: "s3:ReducedRedundancyLostObject",
    s3.EventType.REPLICATION: "s3:Replication:*",
    s3.EventType.REPLICATION_OPERATION_FAILED_REPLICATION: (
        "s3:Replication:OperationFailedReplication"
    ),
    s3.EventType.REPLICATION_OPERATION_MISSED_THRESHOLD: (
        "s3:Replication:OperationMissedThreshold"
    ),
    s3.EventType.REPLICATION_OPERATION_REPLICATED_AFTER_THRESHOLD: (
        "s3:Replication:OperationReplicatedAfterThreshold"
    ),
    s3.EventType.REPLICATION_OPERATION_NOT_TRACKED: "s3:Replication:OperationNotTracked",
    s3.EventType.LIFECYCLE_EXPIRATION: "s3:LifecycleExpiration:*",
    s3.EventType.LIFECYCLE_EXPIRATION_DELETE: "s3:LifecycleExpiration:Delete",
    s3.EventType.LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED: (
        "s3:LifecycleExpiration:DeleteMarkerCreated"
    ),
    s3.EventType.LIFECYCLE_TRANSITION: "s3:LifecycleTransition",
    s3.EventType.INTELLIGENT_TIERING: "s3:IntelligentTiering",
    s3.EventType.OBJECT_TAGGING: "s3:ObjectTagging:*",
    s3.EventType.OBJECT_TAGGING_PUT: "s3:ObjectTagging:Put",
    s3.EventType.OBJECT_TAGGING_DELETE: "s3:ObjectTagging:Delete",
    s3.EventType.OBJECT_ACL_PUT: "s3:ObjectAcl:Put",
}

# What EventBridge calls each S3 event: its detail-types and, where one detail-type covers
# several notification events, the ``detail`` fields that tell them apart (S3 User Guide,
# "Using EventBridge" and "EventBridge event message structure"). Replication and lost
# reduced-redundancy objects are not sent to EventBridge.
_CREATED = ("Object Created",)
_DELETED = ("Object Deleted",)
_PERMANENT = ["Permanently Deleted"]
_MARKER = ["Delete Marker Created"]
EVENT_BRIDGE_EVENTS: dict[s3.EventType, tuple[tuple[str, ...], dict[str, list[str]]]] = {
    s3.EventType.OBJECT_CREATED: (_CREATED, {}),
    s3.EventType.OBJECT_CREATED_PUT: (_CREATED, {"reason": ["PutObject"]}),
    s3.EventType.OBJECT_CREATED_POST: (_CREATED, {"reason": ["POST Object"]}),
    s3.EventType.OBJECT_CREATED_COPY: (_CREATED, {"reason": ["CopyObject"]}),
    s3.EventType.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD: (
        _CREATED,
        {"reason": ["CompleteMultipartUpload"]},
    ),
    s3.EventType.OBJECT_REMOVED: (_DELETED, {"reason": ["DeleteObject"]}),
    s3.EventType.OBJECT_REMOVED_DELETE: (
        _DELETED,
        {"reason": ["DeleteObject"], "deletion-type": _PERMANENT},
    ),
    s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED: (
        _DELETED,
        {"reason": ["DeleteObject"], "deletion-type": _MARKER},
    ),
    s3.EventType.LIFECYCLE_EXPIRATION: (_DELETED, {"reason": ["Lifecycle Expiration"]}),
    s3.EventType.LIFECYCLE_EXPIRATION_DELETE: (
        _DELETED,
        {"reason": ["Lifecycle Expiration"], "deletion-type": _PERMANENT},
    ),
    s3.EventType.LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED: (
        _DELETED,
        {"reason": ["Lifecycle Expiration"], "deletion-type": _MARKER},
    ),
    s3.EventType.OBJECT_RESTORE: (
        ("Object Restore Initiated", "Object Restore Completed", "Object Restore Expired"),
        {},
    ),
    s3.EventType.OBJECT_RESTORE_POST: (("Object Restore Initiated",), {}),
    s3.EventType.OBJECT_RESTORE_COMPLETED: (("Object Restore Completed",), {}),
    s3.EventType.OBJECT_RESTORE_DELETE: (("Object Restore Expired",), {}),
    s3.EventType.OBJECT_TAGGING: (("Object Tags Added", "Object Tags Deleted"), {}),
    s3.EventType.OBJECT_TAGGING_PUT: (("Object Tags Added",), {}),
    s3.EventType.OBJECT_TAGGING_DELETE: (("Object Tags Deleted",), {}),
    s3.EventType.OBJECT_ACL_PUT: (("Object ACL Updated",), {}),
    s3.EventType.LIFECYCLE_TRANSITION: (("Object Storage Class Changed",), {}),
    s3.EventType.INTELLIGENT_TIERING: (("Object Access Tier Changed",), {}),
}


# Every detail-type S3 sends to EventBridge (each is some event's of the table above), and
# every ``Records[].eventName`` of an S3 notification body: the concrete names (no ``*``)
# without the ``s3:`` prefix of the notification configuration ("ObjectCreated:Put").
EVENT_BRIDGE_DETAIL_TYPES = S3_EVENT_BRIDGE_DETAIL_TYPES
NOTIFICATION_EVENT_NAMES = frozenset(
    name.removeprefix("s3:") for name in S3_EVENT_NAMES.values() if not name.endswith(":*")
)

# Events whose EventBridge ``detail.object`` has no ``size``: deletions (S3 User Guide,
# "EventBridge event message structure": the Object Deleted examples carry key, etag,
# version-id and sequencer only), tags and ACL changes. A size filter never matches them.
SIZE_LESS_EVENTS = frozenset(
    {
        s3.EventType.OBJECT_REMOVED,
        s3.EventType.OBJECT_REMOVED_DELETE,
        s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED,
        s3.EventType.LIFECYCLE_EXPIRATION,
        s3.EventType.LIFECYCLE_EXPIRATION_DELETE,
        s3.EventType.LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED,
        s3.EventType.OBJECT_TAGGING,
        s3.EventType.OBJECT_TAGGING_PUT,
        s3.EventType.OBJECT_TAGGING_DELETE,
        s3.EventType.OBJECT_ACL_PUT,
    }
)


def covers(rule_name: str, event_name: str) -> bool:
    """Whether the notification name ``rule_name`` (``s3:ObjectCreated:*``) covers ``event_name``
    (the same spelling, wildcard or not): equal, or one is the other's ``*`` family."""
    if rule_name == event_name:
        return True
    for wide, narrow in ((rule_name, event_name), (event_name, rule_name)):
        if wide.endswith(":*") and narrow.startswith(wide[:-1]):
            return True
    return False


def delivered_event_names(
    rules: Sequence[S3EventRule], delivery: S3EventDelivery
) -> frozenset[str]:
    """The event names the fan-out's messages carry, as a body filter reads them: EventBridge
    ``detail-type`` values, or the notification ``Records[].eventName`` values."""
    if delivery is S3EventDelivery.EVENT_BRIDGE:
        return frozenset(
            detail_type
            for rule in rules
            if rule.event_type in EVENT_BRIDGE_EVENTS
            for detail_type in EVENT_BRIDGE_EVENTS[rule.event_type][0]
        )
    return frozenset(
        name
        for name in NOTIFICATION_EVENT_NAMES
        if any(covers(rule.event_name, f"s3:{name}") for rule in rules)
    )


@dataclass(frozen=True)
class S3EventRule:
    """One S3 event rule: an event type, limited to keys and sizes that match its filters.

    :param event_type: The S3 event, for example ``s3.EventType.OBJECT_CREATED`` (every way of
        creating an object) or ``OBJECT_REMOVED_DELETE``.
    :param prefix: Only keys that start with this, for example ``"images/"``.
        Default: every key. Up to 1,024 characters (``patterns.limits``).
    :param suffix: Only keys that end with this, for example ``".jpg"``.
        Default: every key. Up to 1,024 characters (``patterns.limits``).
    :param wildcard: EventBridge delivery only: keys matching this pattern, where ``*`` stands
        for any characters (``"images/*/raw/*.jpg"``). Replaces ``prefix`` and ``suffix``
        (give either). Default: every key.
    :param min_size: EventBridge delivery only: objects of at least this size. Events without
        a size (deletions, for example) do not match. Default: any size.
    :param max_size: EventBridge delivery only: objects of at most this size. Default: any size.
    """

    event_type: s3.EventType
    """The S3 event type the rule forwards."""
    prefix: str | None = None
    """What a matching key starts with; ``None``: any start."""
    suffix: str | None = None
    """What a matching key ends with; ``None``: any end."""
    wildcard: str | None = None
    """The key pattern a matching key fits (EventBridge delivery); ``None``: no pattern."""
    min_size: Size | None = None
    """The smallest matching object (EventBridge delivery); ``None``: no lower bound."""
    max_size: Size | None = None
    """The largest matching object (EventBridge delivery); ``None``: no upper bound."""

    @property
    def event_name(self) -> str:
        """The event as S3 notifications spell it, for example ``s3:ObjectCreated:*``."""
        return S3_EVENT_NAMES[self.event_type]

    @property
    def uses_event_bridge_filters(self) -> bool:
        """Whether the rule uses a filter that only EventBridge offers (wildcard, sizes)."""
        return not (self.wildcard is None and self.min_size is None and self.max_size is None)

    def key_range(self) -> tuple[str | None, str | None]:
        """What every key this rule matches starts and ends with (``None``: anything).

        A wildcard gives its text before the first and after the last ``*``; one with escaped
        characters is taken as matching anything.
        """
        if self.wildcard is None:
            return self.prefix, self.suffix
        if "\\" in self.wildcard:
            return None, None
        if "*" not in self.wildcard:
            return self.wildcard, self.wildcard
        head, tail = self.wildcard.split("*", 1)[0], self.wildcard.rsplit("*", 1)[1]
        return head or None, tail or None

    def describe(self) -> str:
        """A readable summary, for error messages: ``s3:ObjectCreated:* prefix='images/'``."""
        parts = [self.event_name]
        for name in ("prefix", "suffix", "wildcard"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        for name in ("min_size", "max_size"):
            size = getattr(self, name)
            if size is not None:
                parts.append(f"{name}={bytes_of(size)} bytes")
        return " ".join(parts)

    def event_bridge_pattern(self, bucket_name: str) -> dict[str, Any]:
        """The EventBridge pattern (without ``source``) of this rule for one bucket.

        ``S3EventFanOut`` builds its rule from these; call it to check what a rule matches, or
        for an EventBridge rule of your own (add ``source=["aws.s3"]``).

        :param bucket_name: The name of the bucket the events come from (a token is fine).
        :returns: The ``detail-type`` and ``detail`` fields of an ``events.EventPattern``.
        """
        detail_types, detail_fields = EVENT_BRIDGE_EVENTS[self.event_type]
        detail: dict[str, Any] = {"bucket": {"name": [bucket_name]}}
        object_filter: dict[str, Any] = {}
        key = self._key_matcher()
        if key is not None:
            object_filter["key"] = [key]
        if self.min_size is not None or self.max_size is not None:
            numeric: list[Any] = []
            if self.min_size is not None:
                numeric += [">=", bytes_of(self.min_size)]
            if self.max_size is not None:
                numeric += ["<=", bytes_of(self.max_size)]
            object_filter["size"] = [{"numeric": numeric}]
        if object_filter:
            detail["object"] = object_filter
        detail.update({name: list(values) for name, values in detail_fields.items()})
        return {"detail-type": list(detail_types), "detail": detail}

    def _key_matcher(self) -> dict[str, str] | None:
        if self.wildcard is not None:
            return {"wildcard": self.wildcard}
        if self.prefix is not None and self.suffix is not None:
            # EventBridge ANDs fields, not matchers of one field: both ends in one wildcard.
            return {"wildcard": f"{_escape_wildcard(self.prefix)}*{_escape_wildcard(self.suffix)}"}
        if self.prefix is not None:
            return {"prefix": self.prefix}
        if self.suffix is not None:
            return {"suffix": self.suffix}
        return None


def bytes_of(size: Size) -> int:
    """The size in bytes, as EventBridge patterns and error messages give it."""
    return int(size.to_bytes())


def _escape_wildcard(text: str) -> str:
    """Literal text inside an EventBridge wildcard pattern: ``*`` and ``\\`` escaped."""
    return text.replace("\\", "\\\\").replace("*", "\\*")
