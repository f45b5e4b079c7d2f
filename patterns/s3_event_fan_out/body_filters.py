"""Filters on the event body, for the subscriptions of an S3 event fan-out.

S3 events carry no message attributes, so a subscriber filters on the body: the EventBridge
event (``detail``, ``detail-type``) or, with notifications, the S3 event (``Records``).
:func:`s3_event_body_filter` builds such a policy; :func:`check_body_format` refuses one
written for the other delivery's body, and :func:`check_body_values` one whose values no
event of the fan-out carries (event names of the other delivery or of events its rules do
not forward, keys outside the rules' prefixes and suffixes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Token
from aws_cdk import aws_sns as sns

from patterns.s3_event_fan_out.events import (
    EVENT_BRIDGE_DETAIL_TYPES,
    EVENT_BRIDGE_EVENTS,
    NOTIFICATION_EVENT_NAMES,
    S3_EVENT_NAMES,
    SIZE_LESS_EVENTS,
    S3EventDelivery,
    S3EventRule,
    delivered_event_names,
)


def s3_event_body_filter(
    *,
    key_prefixes: Sequence[str] = (),
    key_suffixes: Sequence[str] = (),
    event_names: Sequence[str] = (),
    delivery: S3EventDelivery = S3EventDelivery.EVENT_BRIDGE,
) -> dict[str, sns.FilterOrPolicy]:
    """A message-body filter policy on the S3 event, for ``filter_policy_with_message_body``.

    For a fan-out at hand, its ``event_body_filter`` method is the same with the fan-out's
    ``delivery`` filled in. Give at least one condition; the key conditions and the event
    names must both match (AND). Keys in S3 notification events are URL-encoded (a space
    arrives as ``+``), so filter on encoded keys with ``NOTIFICATION`` delivery.

    :param key_prefixes: Keep events whose object key starts with one of these.
        Default: no condition on the key's start.
    :param key_suffixes: Keep events whose key ends with one of these. Prefixes and suffixes
        are alternatives (OR): SNS matches any one condition listed for the same field.
        Default: no condition on the key's end.
    :param event_names: Keep events of these types, spelled as the event carries them: with
        EventBridge delivery the ``detail-type`` (``"Object Created"``), with notifications the
        ``Records[].eventName`` without the ``s3:`` prefix (``"ObjectCreated:Put"``).
        Default: every event type.
    :param delivery: The delivery of the fan-out the filter is for: the two carry different
        event bodies (``detail.object.key`` or ``Records[].s3.object.key``).
        Default: ``EVENT_BRIDGE``, the default of ``S3EventFanOut``.
    :returns: The policy, keyed by the event body's top-level fields.
    :raises ValueError: Without any condition, or for an event name the delivery's events
        never carry.
    """
    if not (key_prefixes or key_suffixes or event_names):
        raise ValueError(
            "s3_event_body_filter needs at least one of key_prefixes, key_suffixes or "
            "event_names; leave filter_policy_with_message_body unset to receive every event"
        )
    check_event_names("event_names", event_names, delivery)
    key_filter: sns.FilterOrPolicy | None = None
    if key_prefixes or key_suffixes:
        key_filter = sns.FilterOrPolicy.filter(
            sns.SubscriptionFilter.string_filter(
                match_prefixes=list(key_prefixes) or None,
                match_suffixes=list(key_suffixes) or None,
            )
        )
    names_filter = (
        sns.FilterOrPolicy.filter(sns.SubscriptionFilter.string_filter(allowlist=list(event_names)))
        if event_names
        else None
    )
    if delivery is S3EventDelivery.EVENT_BRIDGE:
        policy: dict[str, sns.FilterOrPolicy] = {}
        if key_filter is not None:
            policy["detail"] = sns.FilterOrPolicy.policy(
                {"object": sns.FilterOrPolicy.policy({"key": key_filter})}
            )
        if names_filter is not None:
            policy["detail-type"] = names_filter
        return policy
    record: dict[str, sns.FilterOrPolicy] = {}
    if key_filter is not None:
        record["s3"] = sns.FilterOrPolicy.policy(
            {"object": sns.FilterOrPolicy.policy({"key": key_filter})}
        )
    if names_filter is not None:
        record["eventName"] = names_filter
    return {"Records": sns.FilterOrPolicy.policy(record)}


# Top-level fields of each event body an SNS body filter can name.
_EVENT_BRIDGE_FIELDS = frozenset(
    {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
)


def check_body_format(
    construct_id: str, policy: Mapping[str, sns.FilterOrPolicy], delivery: S3EventDelivery
) -> None:
    """Refuse a body filter that names fields the delivery's event body does not have."""
    fields = set(policy)
    if delivery is S3EventDelivery.EVENT_BRIDGE and not fields <= _EVENT_BRIDGE_FIELDS:
        raise ValueError(
            f"add_queue({construct_id!r}): filter_policy_with_message_body names "
            f"{sorted(fields - _EVENT_BRIDGE_FIELDS)}, but with EventBridge delivery the body "
            f"is an EventBridge event (fields {sorted(_EVENT_BRIDGE_FIELDS)}): the filter would "
            "drop every event. Build it with fan_out.event_body_filter(...)"
        )
    if delivery is S3EventDelivery.NOTIFICATION and fields != {"Records"}:
        raise ValueError(
            f"add_queue({construct_id!r}): filter_policy_with_message_body names "
            f"{sorted(fields)}, but with delivery=NOTIFICATION the body is an S3 event with "
            "the single field 'Records': the filter would drop every event. Build it with "
            "fan_out.event_body_filter(...)"
        )


def check_event_names(
    argument: str,
    names: Sequence[object],
    delivery: S3EventDelivery,
    delivered: frozenset[str] | None = None,
) -> None:
    """Refuse an event name the delivery's events never carry, or (given ``delivered``, what
    the fan-out's rules forward) one of an event the fan-out does not forward."""
    for name in names:
        if not isinstance(name, str) or Token.is_unresolved(name):
            continue  # a condition such as {"prefix": ...}, or known at deploy time only
        if delivery is S3EventDelivery.EVENT_BRIDGE and name not in EVENT_BRIDGE_DETAIL_TYPES:
            raise ValueError(
                f"{argument}: {name!r} is not an event S3 sends to EventBridge. With EventBridge "
                "delivery an event names its type in detail-type"
                f"{_event_bridge_spelling(name)}; the detail-types are "
                f"{sorted(EVENT_BRIDGE_DETAIL_TYPES)}"
            )
        if delivery is S3EventDelivery.NOTIFICATION and name not in NOTIFICATION_EVENT_NAMES:
            raise ValueError(
                f"{argument}: {name!r} is not an eventName of an S3 notification. With "
                "delivery=NOTIFICATION an event names its type in Records[].eventName, one "
                "type each, without the 's3:' prefix and without '*' (for a family use "
                "{'prefix': 'ObjectCreated:'}); the names are "
                f"{sorted(NOTIFICATION_EVENT_NAMES)}"
            )
        if delivered is not None and name not in delivered:
            raise ValueError(
                f"{argument}: {name!r} is not an event this fan-out forwards (its events "
                f"forward {sorted(delivered)}), so the filter would drop every event; add an "
                "S3EventRule for it to events, or filter on the events forwarded"
            )


def _event_bridge_spelling(name: str) -> str:
    """How EventBridge spells a notification-style name, for the error message."""
    for event_type, notification in S3_EVENT_NAMES.items():
        if name in (notification, notification.removeprefix("s3:")):
            if event_type not in EVENT_BRIDGE_EVENTS:
                return f" ({name!r} is not sent to EventBridge at all)"
            detail_types, fields = EVENT_BRIDGE_EVENTS[event_type]
            spelled = " or ".join(repr(detail_type) for detail_type in detail_types)
            told = "".join(f", detail.{field} {values}" for field, values in fields.items())
            return f": {name!r} arrives as {spelled}{told}"
    return ""


def check_body_values(
    construct_id: str,
    policy: Mapping[str, sns.FilterOrPolicy],
    delivery: S3EventDelivery,
    rules: Sequence[S3EventRule],
) -> None:
    """Refuse a body filter whose values no event of the fan-out carries: event names of the
    other delivery or of events the rules do not forward, a source other than S3, keys no
    rule forwards, a nested object given as a value."""
    plain = _plain(policy)
    argument = f"add_queue({construct_id!r}): filter_policy_with_message_body"
    names: tuple[str, ...]
    source: tuple[str, ...]
    key: tuple[str, ...]
    if delivery is S3EventDelivery.EVENT_BRIDGE:
        names, source, key = ("detail-type",), ("source",), ("detail", "object", "key")
        source_value = "aws.s3"
    else:
        names, source = ("Records", "eventName"), ("Records", "eventSource")
        key, source_value = ("Records", "s3", "object", "key"), "aws:s3"
    for path in _nested_objects(delivery):
        conditions = _at(plain, path)
        if isinstance(conditions, list):
            raise ValueError(
                f"{argument}: {'.'.join(path)} is an object in the event, but the filter gives "
                "it a list of values, which no object equals: nest a policy "
                "(sns.FilterOrPolicy.policy({...})), or build it with "
                "fan_out.event_body_filter(...)"
            )
    conditions = _at(plain, names)
    if isinstance(conditions, list):
        check_event_names(
            f"{argument} ({'.'.join(names)})",
            conditions,
            delivery,
            delivered_event_names(rules, delivery),
        )
    conditions = _at(plain, source)
    if isinstance(conditions, list):
        for value in conditions:
            if isinstance(value, str) and value != source_value and not Token.is_unresolved(value):
                raise ValueError(
                    f"{argument}: {'.'.join(source)} {value!r} never matches: every event of "
                    f"this fan-out says {source_value!r}; drop the condition"
                )
    conditions = _at(plain, key)
    if isinstance(conditions, list):
        _check_keys(argument, conditions, delivery, rules)
    size = _at(plain, ("detail", "object", "size"))
    if (
        delivery is S3EventDelivery.EVENT_BRIDGE
        and isinstance(size, list)
        and size
        and all(rule.event_type in SIZE_LESS_EVENTS for rule in rules)
    ):
        raise ValueError(
            f"{argument} filters on detail.object.size, but the fan-out forwards only events "
            "without a size (deletions, tag and ACL changes), so it would drop every event; "
            "drop the size condition"
        )


def _nested_objects(delivery: S3EventDelivery) -> tuple[tuple[str, ...], ...]:
    if delivery is S3EventDelivery.EVENT_BRIDGE:
        return (("detail",), ("detail", "object"), ("detail", "bucket"))
    return (("Records",), ("Records", "s3"), ("Records", "s3", "object"))


def _plain(policy: Mapping[str, sns.FilterOrPolicy]) -> dict[str, Any]:
    """The policy as nested dictionaries, a filter as its list of conditions."""
    plain: dict[str, Any] = {}
    for name, value in policy.items():
        if value.type == sns.FilterOrPolicyType.POLICY:
            plain[name] = _plain(value.policy_doc)  # type: ignore[attr-defined]
        else:
            plain[name] = list(value.filter_doc.conditions)  # type: ignore[attr-defined]
    return plain


def _at(plain: Mapping[str, Any], path: Sequence[str]) -> Any:
    node: Any = plain
    for name in path:
        if not isinstance(node, Mapping) or name not in node:
            return None
        node = node[name]
    return node


# Characters a notification's URL-encoded key keeps as they are: a rule's prefix of other
# characters may arrive encoded in the body, so no verdict is drawn from it.
_UNENCODED = re.compile(r"^[A-Za-z0-9/._-]*$")


def _check_keys(
    argument: str,
    conditions: Sequence[Any],
    delivery: S3EventDelivery,
    rules: Sequence[S3EventRule],
) -> None:
    ranges = [_known_range(rule, delivery) for rule in rules]
    if not conditions or any(key_range is None for key_range in ranges):
        return
    for condition in conditions:
        text = _text(condition)
        if text is None or not _comparable(text, delivery):
            return  # another operator, or a key known at deploy time only: no verdict
        if any(_may_match(condition, head, tail) for head, tail in ranges):  # type: ignore[misc]
            return
    forwarded = "; ".join(rule.describe() for rule in rules)
    raise ValueError(
        f"{argument} keeps keys {conditions}, but the fan-out forwards only the keys of its "
        f"events ({forwarded}), none of which the filter matches: it would drop every event. "
        "Filter on keys inside the events' prefixes and suffixes, or widen events"
    )


def _known_range(
    rule: S3EventRule, delivery: S3EventDelivery
) -> tuple[str | None, str | None] | None:
    """The rule's key range, or ``None`` where it cannot be compared at synth."""
    head, tail = rule.key_range()
    for text in (head, tail):
        if text is not None and not _comparable(text, delivery):
            return None
    return head, tail


def _comparable(text: str, delivery: S3EventDelivery) -> bool:
    if Token.is_unresolved(text):
        return False
    return delivery is S3EventDelivery.EVENT_BRIDGE or bool(_UNENCODED.match(text))


def _text(condition: Any) -> str | None:
    """The text of an exact key or a prefix or suffix condition; ``None`` for others."""
    if isinstance(condition, str):
        return condition
    if isinstance(condition, Mapping) and len(condition) == 1:
        ((operator, value),) = condition.items()
        if operator in ("prefix", "suffix") and isinstance(value, str):
            return value
    return None


def _may_match(condition: Any, head: str | None, tail: str | None) -> bool:
    """Whether a key of the range (``head`` ... ``tail``) can meet the condition."""
    if isinstance(condition, str):
        return (head is None or condition.startswith(head)) and (
            tail is None or condition.endswith(tail)
        )
    ((operator, value),) = condition.items()
    if operator == "prefix":
        return head is None or value.startswith(head) or head.startswith(value)
    return tail is None or value.endswith(tail) or tail.endswith(value)
