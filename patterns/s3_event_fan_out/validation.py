"""What ``S3EventFanOut`` checks at synth, before it builds anything.

Each check raises ``ValueError`` naming the argument, the value and the fix; unresolved tokens
are left to deploy time. The limits (written in :mod:`patterns.limits`): filter values of 1 to
1,024 characters, bucket names, lifecycle rules in whole days, notification rules that must not
overlap; and what each delivery can carry (EventBridge filters, events S3 sends to EventBridge,
buckets of other stacks or accounts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from aws_cdk import Annotations, Duration, Stack, Token
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import limits
from patterns.s3_event_fan_out.bucket import NewBucketOptions, own_cfn_bucket
from patterns.s3_event_fan_out.events import (
    EVENT_BRIDGE_EVENTS,
    SIZE_LESS_EVENTS,
    S3EventDelivery,
    S3EventRule,
    bytes_of,
    covers,
)
from patterns.validation import check_exclusive_with_existing

_BUCKET_NAME_PATTERN = re.compile(limits.S3_BUCKET_NAME_PATTERN)


def validate(
    *,
    events: Sequence[S3EventRule],
    delivery: S3EventDelivery,
    bucket: s3.IBucket | None,
    new_bucket: NewBucketOptions,
    encryption_key: kms.IKey | None,
    topic: sns.ITopic | None,
) -> None:
    """The options, alone and together (see the module's docstring)."""
    bucket_name = new_bucket.bucket_name
    if not isinstance(delivery, S3EventDelivery):
        raise ValueError(
            f"delivery must be S3EventDelivery.EVENT_BRIDGE or S3EventDelivery.NOTIFICATION, "
            f"got {delivery!r}"
        )
    if not events:
        raise ValueError("events must name at least one S3EventRule; got an empty list")
    for index, rule in enumerate(events):
        if not isinstance(rule, S3EventRule) or not isinstance(rule.event_type, s3.EventType):
            raise ValueError(
                f"events[{index}] must be an S3EventRule of an s3.EventType, got {rule!r}: "
                "write S3EventRule(s3.EventType.OBJECT_CREATED, prefix=...)"
            )
        _check_filter_value(f"events[{index}].prefix", rule.prefix)
        _check_filter_value(f"events[{index}].suffix", rule.suffix)
        _check_filter_value(f"events[{index}].wildcard", rule.wildcard)
        if delivery is S3EventDelivery.EVENT_BRIDGE:
            _check_event_bridge_rule(index, rule)
        elif rule.uses_event_bridge_filters:
            raise ValueError(
                f"events[{index}] ({rule.describe()}): wildcard, min_size and max_size are "
                "filters of EventBridge; S3 notifications filter on prefix and suffix only. "
                "Use delivery=S3EventDelivery.EVENT_BRIDGE or drop them"
            )
    if delivery is S3EventDelivery.NOTIFICATION:
        _check_no_overlap(events)
    if topic is not None and topic.fifo:
        raise ValueError(
            f"topic {topic.node.path!r} is a FIFO topic: S3 event notifications publish to "
            "standard topics only, and this pattern's EventBridge rule sets no message group "
            "ID, which a FIFO topic requires; pass a standard topic or none"
        )
    _check_bucket_name(bucket_name)
    if delivery is S3EventDelivery.NOTIFICATION and bucket is None and bucket_name is None:
        raise ValueError(
            "delivery=NOTIFICATION with a new bucket needs bucket_name: the topic policy must "
            "name the bucket before it exists (a reference to it would be a circular "
            "dependency), so the name is fixed at synth. A retained bucket keeps that name, so "
            "after `cdk destroy` the next `cdk deploy` needs another one (or removal_policy="
            "DESTROY on an emptied bucket). Pass bucket_name='<a name of your choice>', or use "
            "delivery=S3EventDelivery.EVENT_BRIDGE, which needs no fixed name"
        )
    _check_whole_days("noncurrent_version_expiration", new_bucket.noncurrent_version_expiration)
    _check_whole_days("access_log_expiration", new_bucket.access_log_expiration)
    options = new_bucket.given()
    if bucket is not None and topic is not None:
        options["encryption_key"] = encryption_key
    check_exclusive_with_existing("bucket", bucket, options)


def check_event_pattern_size(scope: Construct, events: Sequence[S3EventRule]) -> None:
    """Refuse a rule pattern past what EventBridge accepts; warn past its default quota.

    The pattern is measured as the rule will carry it, with a bucket name of the longest
    allowed length standing in for one known only at deploy time.
    """
    texts = [value for rule in events for value in (rule.prefix, rule.suffix, rule.wildcard)]
    if any(text is not None and Token.is_unresolved(text) for text in texts):
        return
    placeholder = "b" * limits.S3_BUCKET_NAME_MAX_LENGTH
    patterns = [rule.event_bridge_pattern(placeholder) for rule in events]
    whole = {"source": ["aws.s3"], **(patterns[0] if len(patterns) == 1 else {"$or": patterns})}
    size = len(json.dumps(whole, separators=(",", ":")))
    default, most = limits.EVENT_BRIDGE_PATTERN_SIZE_DEFAULT, limits.EVENT_BRIDGE_PATTERN_SIZE_MAX
    if size > most:
        raise ValueError(
            f"events: the EventBridge pattern of these {len(events)} rules is about {size} "
            f"characters, over the {most} EventBridge accepts even with a raised quota: merge "
            "rules (one prefix covering several), or split the events over two S3EventFanOut"
        )
    if size > default:
        Annotations.of(scope).add_warning_v2(
            "patterns:EventPatternSize",
            f"The EventBridge pattern of the events is about {size} characters, over the "
            f"default quota of {default} (adjustable up to {most}): request an increase of "
            "'Event pattern size' in Service Quotas before deploying, or merge rules",
        )


def _has_size(rule: S3EventRule) -> bool:
    return rule.min_size is not None or rule.max_size is not None


def _detail_types(rule: S3EventRule) -> str:
    return ", ".join(repr(name) for name in EVENT_BRIDGE_EVENTS[rule.event_type][0])


# What an S3EventRule may not be with EventBridge delivery, in the order checked: when the
# condition holds, the message (after "events[i] (the rule): ") says why and what to do.
_EVENT_BRIDGE_RULE_CHECKS: tuple[
    tuple[Callable[[S3EventRule], bool], Callable[[S3EventRule], str]], ...
] = (
    (
        lambda rule: rule.event_type not in EVENT_BRIDGE_EVENTS,
        lambda rule: (
            "S3 does not send this event to EventBridge (replication and lost "
            "reduced-redundancy objects are notification-only); use "
            "delivery=S3EventDelivery.NOTIFICATION for it"
        ),
    ),
    (
        lambda rule: rule.wildcard is not None and (rule.prefix, rule.suffix) != (None, None),
        lambda rule: (
            "give wildcard or prefix/suffix, not both; a wildcard such as 'images/*.jpg' "
            "expresses both ends"
        ),
    ),
    (
        lambda rule: _has_size(rule) and rule.event_type in SIZE_LESS_EVENTS,
        lambda rule: (
            "min_size and max_size filter on the object's size, but S3's "
            f"{_detail_types(rule)} events carry no size, so the rule would match no event. "
            "Drop min_size and max_size from this rule (filter deletions by key)"
        ),
    ),
    (
        lambda rule: (
            rule.min_size is not None
            and rule.max_size is not None
            and bytes_of(rule.min_size) > bytes_of(rule.max_size)
        ),
        lambda rule: "min_size must not exceed max_size; no object would match",
    ),
)


def _check_event_bridge_rule(index: int, rule: S3EventRule) -> None:
    for condition, message in _EVENT_BRIDGE_RULE_CHECKS:
        if condition(rule):
            raise ValueError(f"events[{index}] ({rule.describe()}): {message(rule)}")


def _check_no_overlap(events: Sequence[S3EventRule]) -> None:
    for first_index, first in enumerate(events):
        for second_index in range(first_index + 1, len(events)):
            second = events[second_index]
            if _overlaps(first, second):
                raise ValueError(
                    f"events[{first_index}] ({first.describe()}) and events[{second_index}] "
                    f"({second.describe()}) overlap: S3 notifications reject two rules that "
                    "share an event type for keys both could match; give them disjoint "
                    "prefixes or suffixes, merge them, or use "
                    "delivery=S3EventDelivery.EVENT_BRIDGE, where rules may overlap"
                )


def check_existing_bucket(scope: Construct, bucket: s3.IBucket, delivery: S3EventDelivery) -> None:
    """Refuse what would only fail later (a cycle between stacks, a bus in another account)."""
    stack = Stack.of(scope)
    owner = Stack.of(bucket)
    region = bucket.env.region
    if not (Token.is_unresolved(region) or Token.is_unresolved(stack.region)) and (
        region != stack.region
    ):
        raise ValueError(
            f"bucket {bucket.node.path} is in Region {region}, this stack in {stack.region}: "
            "S3 publishes notifications only to a topic in the bucket's Region and sends its "
            "EventBridge events to the default bus of that Region, so no event would reach "
            "this fan-out. Define the fan-out in a stack of the bucket's Region"
        )
    if (
        delivery is S3EventDelivery.NOTIFICATION
        and own_cfn_bucket(bucket) is not None
        and owner is not stack
    ):
        raise ValueError(
            f"bucket {bucket.node.path} belongs to stack {owner.stack_name!r}, not "
            f"{stack.stack_name!r}: with delivery=NOTIFICATION its notification "
            "configuration (in its stack) would name this topic while this topic policy "
            "names the bucket, a dependency cycle between the stacks. Use "
            "delivery=S3EventDelivery.EVENT_BRIDGE (the rule and policies stay in this "
            "stack), or import the bucket by its literal name in this stack: "
            "s3.Bucket.from_bucket_name(scope, 'Uploads', '<bucket name>')"
        )
    if delivery is S3EventDelivery.EVENT_BRIDGE:
        account = bucket.env.account
        if not (Token.is_unresolved(account) or Token.is_unresolved(stack.account)) and (
            account != stack.account
        ):
            raise ValueError(
                f"bucket {bucket.node.path} is in account {account}, this stack in "
                f"{stack.account}: S3 sends its events to the default event bus of the "
                "bucket's account, where this stack's rule cannot see them. Forward them to "
                "this account's bus there, or use delivery=S3EventDelivery.NOTIFICATION"
            )


def _check_filter_value(argument: str, value: str | None) -> None:
    if value is None or Token.is_unresolved(value):
        return
    most = limits.S3_FILTER_VALUE_MAX_LENGTH
    if not 1 <= len(value) <= most:
        raise ValueError(
            f"{argument} must be 1 to {most} characters, got {value!r} "
            f"({len(value)} characters); omit it to match every key"
        )


def _overlaps(first: S3EventRule, second: S3EventRule) -> bool:
    """Whether S3 would reject the two rules together (shared event type and shared keys)."""
    return (
        covers(first.event_name, second.event_name)
        and _affixes_overlap(first.prefix, second.prefix, str.startswith)
        and _affixes_overlap(first.suffix, second.suffix, str.endswith)
    )


def _affixes_overlap(first: str | None, second: str | None, test: object) -> bool:
    if first is None or second is None:
        return True  # a rule without the filter covers every key
    if Token.is_unresolved(first) or Token.is_unresolved(second):
        return False  # unknown until deploy time: let S3 decide
    matches = test  # str.startswith or str.endswith
    return bool(matches(first, second) or matches(second, first))  # type: ignore[operator]


def _check_bucket_name(name: str | None) -> None:
    if name is None or Token.is_unresolved(name):
        return
    low, high = limits.S3_BUCKET_NAME_MIN_LENGTH, limits.S3_BUCKET_NAME_MAX_LENGTH
    if not low <= len(name) <= high or not _BUCKET_NAME_PATTERN.match(name) or ".." in name:
        raise ValueError(
            f"bucket_name {name!r} must be {low} to {high} characters of lowercase letters, "
            "digits, dots and hyphens, beginning and ending with a letter or digit"
        )


def _check_whole_days(argument: str, value: Duration | None) -> None:
    if value is None or value.is_unresolved():
        return
    days = value.to_days(integral=False)
    if days < 1 or days != int(days):
        raise ValueError(
            f"{argument} must be a whole number of days, at least 1 (S3 lifecycle rules count "
            f"in days), got {value.to_human_string()}"
        )
