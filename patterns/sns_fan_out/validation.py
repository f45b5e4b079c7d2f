"""What SNS and this pattern refuse in a fan-out's options, its subscribers and filter policies.

Each rule raises ``ValueError`` at synth naming the argument, the value and the limit (as the
SNS developer guide documents it); unresolved tokens are skipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from aws_cdk import Annotations, Token
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns import limits
from patterns.keys import is_aws_managed, key_name
from patterns.limits import SNS_MAX_MESSAGE_BYTES as SNS_MAX_MESSAGE_BYTES
from patterns.limits import SNS_TOPIC_NAME_MAX_LENGTH
from patterns.queue_with_dlq import FIFO_SUFFIX, QueueOptions
from patterns.sns_fan_out.key_checks import check_queue_key_usable
from patterns.sns_fan_out.placement import GROUP_PATTERN, NESTED_STACK_PREFIX
from patterns.validation import check_unique
from patterns.warnings import FILTER_POLICY_QUOTA

# SNS's limits (patterns.limits), under the names this module's checks read.
FILTER_POLICY_MAX_KEYS = limits.SNS_FILTER_POLICY_MAX_KEYS
FILTER_POLICY_MAX_COMBINATIONS = limits.SNS_FILTER_POLICY_MAX_COMBINATIONS
FILTER_POLICIES_PER_TOPIC_QUOTA = limits.SNS_FILTER_POLICIES_PER_TOPIC_QUOTA
FIFO_TOPIC_MAX_SUBSCRIPTIONS = limits.SNS_FIFO_TOPIC_SUBSCRIPTIONS_MAX
MAX_PUBLISHER_ACCOUNTS = limits.SNS_TOPIC_POLICY_PRINCIPALS_MAX
TOPIC_NAME_MAX_LENGTH = SNS_TOPIC_NAME_MAX_LENGTH
_ACCOUNT_ID = re.compile(r"^\d{12}$")


def validate_topic(
    *,
    topic: sns.ITopic | None,
    fifo: bool,
    content_based_deduplication: bool,
    fifo_throughput_scope: sns.FifoThroughputScope | None,
    topic_name: str | None,
    display_name: str | None,
    encryption_key: kms.IKey | None,
    publisher_accounts: Sequence[str],
) -> None:
    if topic is not None:
        clashing = sorted(
            name
            for name, value in {
                "content_based_deduplication": content_based_deduplication or None,
                "fifo_throughput_scope": fifo_throughput_scope,
                "topic_name": topic_name,
                "display_name": display_name,
            }.items()
            if value is not None
        )
        if clashing:
            raise ValueError(
                f"{', '.join(clashing)} configure a new topic and cannot be combined with "
                "topic; set them on the existing topic or drop topic"
            )
        if fifo != topic.fifo:
            raise ValueError(
                f"fifo is {fifo} but the existing topic {topic.node.path} is "
                f"{'FIFO' if topic.fifo else 'standard'}; pass fifo={topic.fifo}"
            )
    elif not fifo:
        for option, value in (
            ("content_based_deduplication", content_based_deduplication or None),
            ("fifo_throughput_scope", fifo_throughput_scope),
        ):
            if value is not None:
                raise ValueError(f"{option} applies to FIFO topics only; set fifo=True")
    if topic_name is not None and not Token.is_unresolved(topic_name):
        base = topic_name[: -len(FIFO_SUFFIX)] if topic_name.endswith(FIFO_SUFFIX) else topic_name
        full_length = len(base) + (len(FIFO_SUFFIX) if fifo else 0)
        if topic_name.endswith(FIFO_SUFFIX) and not fifo:
            raise ValueError(
                f"topic_name {topic_name!r} ends in '.fifo', which SNS reserves for FIFO "
                "topics; set fifo=True or choose another name"
            )
        if not re.fullmatch(r"[A-Za-z0-9_-]+", base) or full_length > TOPIC_NAME_MAX_LENGTH:
            raise ValueError(
                f"topic_name {topic_name!r} must be 1 to {TOPIC_NAME_MAX_LENGTH} characters of "
                "letters, digits, hyphens and underscores (including '.fifo' for FIFO topics)"
            )
    if encryption_key is not None and is_aws_managed(encryption_key):
        raise ValueError(
            f"encryption_key {key_name(encryption_key)!r} is an AWS-managed key, whose policy "
            "cannot admit other services or accounts; pass a customer-managed key"
        )
    for account in publisher_accounts:
        if not Token.is_unresolved(account) and not _ACCOUNT_ID.match(account):
            raise ValueError(
                f"publisher_accounts entry {account!r} must be a 12-digit AWS account ID"
            )
    if len(publisher_accounts) > MAX_PUBLISHER_ACCOUNTS:
        raise ValueError(
            f"publisher_accounts has {len(publisher_accounts)} accounts; a topic policy "
            f"statement names at most {MAX_PUBLISHER_ACCOUNTS} principals"
        )
    check_unique("publisher_accounts entry", publisher_accounts)


def validate_subscriber(
    *,
    construct_id: str,
    topic_fifo: bool,
    nested_stacks: bool,
    subscriber_count: int,
    queue: sqs.IQueue | None,
    queue_fifo: bool,
    filter_policy: Mapping[str, sns.SubscriptionFilter] | None,
    filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None,
    allow_standard_queue_on_fifo_topic: bool,
    group: str | None,
    queue_options: QueueOptions,
) -> None:
    """Raise ``ValueError`` for a queue subscriber SNS or this pattern would refuse.

    Raw delivery needs no check here: an SQS subscription carries every option with it.
    """
    if group is not None and not nested_stacks:
        raise ValueError(
            f"group {group!r} applies with nested_stacks=True only: it names the nested "
            "stack of the subscriber. Drop it, or create the fan-out with nested_stacks=True"
        )
    if group is not None and not GROUP_PATTERN.match(group):
        raise ValueError(
            f"group {group!r} must be 1 to 32 letters and digits: it ends the ID of the "
            f"nested stack ({NESTED_STACK_PREFIX}<group>)"
        )
    if queue is not None and queue_options:
        raise ValueError(
            f"{', '.join(sorted(queue_options))} configure a new queue and cannot be "
            "combined with queue; set them on the existing queue or drop queue"
        )
    if queue_fifo and not topic_fifo:
        raise ValueError(
            f"subscriber {construct_id!r} is a FIFO queue but the topic is standard: SNS "
            "delivers to FIFO queues from FIFO topics only. Use SnsToSqsFanOut(fifo=True) "
            "or a standard queue"
        )
    if topic_fifo and not queue_fifo and not allow_standard_queue_on_fifo_topic:
        raise ValueError(
            f"subscriber {construct_id!r} is a standard queue on a FIFO topic: it would "
            "lose ordering and deduplication. Pass allow_standard_queue_on_fifo_topic=True "
            "to accept that"
        )
    if allow_standard_queue_on_fifo_topic and not topic_fifo:
        raise ValueError(
            "allow_standard_queue_on_fifo_topic=True applies to FIFO topics only; the "
            "topic is standard, so drop it"
        )
    if topic_fifo and subscriber_count >= FIFO_TOPIC_MAX_SUBSCRIPTIONS:
        raise ValueError(
            f"subscriber {construct_id!r} would be subscription "
            f"{subscriber_count + 1} of a FIFO topic; SNS allows at most "
            f"{FIFO_TOPIC_MAX_SUBSCRIPTIONS} subscriptions per FIFO topic"
        )
    size = queue_options.get("max_message_size_bytes")
    if size is not None and not Token.is_unresolved(size) and size < SNS_MAX_MESSAGE_BYTES:
        raise ValueError(
            f"max_message_size_bytes must be at least {SNS_MAX_MESSAGE_BYTES} bytes for a "
            f"subscriber queue, got {size}: SNS publishes messages up to "
            f"{SNS_MAX_MESSAGE_BYTES // 1024} KiB and the "
            "queue would reject the larger ones"
        )
    if queue is not None:
        check_queue_key_usable(queue)
    new_key = queue_options.get("encryption_key")
    if new_key is not None and is_aws_managed(new_key):
        raise ValueError(
            f"encryption_key {key_name(new_key)!r} of subscriber {construct_id!r} is an "
            "AWS-managed key, whose policy cannot admit SNS: every message to the queue and "
            "its subscription dead-letter queue would be lost. Pass a customer-managed key, "
            "or drop encryption_key for SSE-SQS"
        )
    validate_filter_policies(filter_policy, filter_policy_with_message_body)


def warn_beyond_filter_policy_quota(scope: Construct, filter_policies: int, path: str) -> None:
    """Warn when the subscriptions of ``scope``'s topic (at ``path``) with a filter policy
    pass the default quota (all protocols count); called once, at synth, with the final count.
    """
    if filter_policies > FILTER_POLICIES_PER_TOPIC_QUOTA:
        Annotations.of(scope).add_warning_v2(
            FILTER_POLICY_QUOTA.id,
            FILTER_POLICY_QUOTA.message(
                count=str(filter_policies),
                topic=path,
                quota=str(FILTER_POLICIES_PER_TOPIC_QUOTA),
            ),
        )


def validate_filter_policies(
    filter_policy: Mapping[str, sns.SubscriptionFilter] | None,
    filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None,
) -> None:
    """Raise ``ValueError`` for filter policies SNS would reject (5 keys, 150 combinations)."""
    if filter_policy and filter_policy_with_message_body:
        raise ValueError(
            "pass either filter_policy (message attributes) or filter_policy_with_message_body "
            "(message body), not both: a subscription filters on one scope"
        )
    if filter_policy:
        argument = "filter_policy"
        keys = len(filter_policy)
        combinations = math.prod(
            max(len(condition.conditions), 1) for condition in filter_policy.values()
        )
    elif filter_policy_with_message_body:
        argument = "filter_policy_with_message_body"
        keys, combinations = _count_body_policy(filter_policy_with_message_body)
    else:
        return
    if keys > FILTER_POLICY_MAX_KEYS:
        raise ValueError(
            f"{argument} has {keys} keys; SNS allows at most {FILTER_POLICY_MAX_KEYS} "
            "(leaf keys of a nested body policy count)"
        )
    if combinations > FILTER_POLICY_MAX_COMBINATIONS:
        raise ValueError(
            f"{argument} has {combinations} value combinations (the product of the number of "
            f"values per key); SNS allows at most {FILTER_POLICY_MAX_COMBINATIONS}"
        )


def _count_body_policy(policy: Mapping[str, sns.FilterOrPolicy]) -> tuple[int, int]:
    """Leaf keys and value combinations of a (nested) message-body filter policy."""
    keys, combinations = 0, 1
    for value in policy.values():
        if isinstance(value, sns.Policy):
            nested_keys, nested_combinations = _count_body_policy(value.policy_doc)
            keys += nested_keys
            combinations *= nested_combinations
        elif isinstance(value, sns.Filter):
            keys += 1
            combinations *= max(len(value.filter_doc.conditions), 1)
    return keys, combinations
