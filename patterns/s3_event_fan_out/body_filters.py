"""Filters on the event body, for the subscriptions of an S3 event fan-out.

S3 events carry no message attributes, so a subscriber filters on the body: the EventBridge
event (``detail``, ``detail-type``) or, with notifications, the S3 event (``Records``).
:func:`s3_event_body_filter` builds such a policy; :func:`check_body_format` refuses one
written for the other delivery's body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import aws_sns as sns

from patterns.s3_event_fan_out.events import S3EventDelivery


def s3_event_body_filter(
    *,
    key_prefixes: Sequence[str] = (),
    key_suffixes: Sequence[str] = (),
    event_names: Sequence[str] = (),
    delivery: S3EventDelivery = S3EventDelivery.EVENT_BRIDGE,
) -> dict[str, sns.FilterOrPolicy]:
    """A message-body filter policy on the S3 event, for ``filter_policy_with_message_body``.

    :param key_prefixes: Keep events whose object key starts with one of these.
    :param key_suffixes: Keep events whose key ends with one of these. Prefixes and suffixes
        are alternatives (OR): SNS matches any one condition listed for the same field.
    :param event_names: Keep events of these types, spelled as the event carries them: with
        EventBridge delivery the ``detail-type`` (``"Object Created"``), with notifications the
        ``Records[].eventName`` without the ``s3:`` prefix (``"ObjectCreated:Put"``).
    :param delivery: The delivery of the fan-out the filter is for: the two carry different
        event bodies (``detail.object.key`` or ``Records[].s3.object.key``).
        Default: ``EVENT_BRIDGE``, the default of ``S3EventFanOut``;
        ``S3EventFanOut.event_body_filter`` passes the fan-out's own.

    Keys in S3 notification events are URL-encoded (a space arrives as ``+``), so filter on
    encoded keys with ``NOTIFICATION`` delivery.
    """
    if not (key_prefixes or key_suffixes or event_names):
        raise ValueError(
            "s3_event_body_filter needs at least one of key_prefixes, key_suffixes or "
            "event_names; leave filter_policy_with_message_body unset to receive every event"
        )
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
