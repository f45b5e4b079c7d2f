"""``SnsToSqsFanOut``: publish once to an SNS topic, receive in every subscribed queue.

The loss cases of SNS to SQS are closed by construction: each queue's policy admits this
topic only (and is in place before the subscription exists), encrypted queues let SNS use
their key for this topic only, the AWS-managed SQS key (which SNS cannot use) is refused,
and every subscription has its own subscription dead-letter queue for what SNS could not
deliver.

- :mod:`~patterns.sns_fan_out.construct`: the construct, its topic, key, topic policy, grants
- :mod:`~patterns.sns_fan_out.subscribers`: queue and other-protocol subscribers
- :mod:`~patterns.sns_fan_out.topic_statements`: the statements that let SNS write to a subscriber
- :mod:`~patterns.sns_fan_out.placement`: nested stacks and the resource budget of a stack
- :mod:`~patterns.sns_fan_out.validation`: topic, subscriber and filter-policy rules
- :mod:`~patterns.sns_fan_out.key_checks`: keys SNS cannot use, refused and checked at synth
- :mod:`~patterns.sns_fan_out.monitoring`: the alarms and the dashboard section
"""

from patterns.sns_fan_out.construct import SnsToSqsFanOut
from patterns.sns_fan_out.placement import (
    MAX_RESOURCES_PER_SUBSCRIBER,
    NESTED_STACK_GROUPS,
    NESTED_STACK_PREFIX,
    NESTED_STACK_RESOURCE_BUDGET,
    STACK_MAX_RESOURCES,
    nested_stack_id,
)
from patterns.sns_fan_out.subscribers import ProtocolSubscriber, QueueSubscriber
from patterns.sns_fan_out.topic_statements import SNS_PRINCIPAL
from patterns.sns_fan_out.validation import (
    FIFO_TOPIC_MAX_SUBSCRIPTIONS,
    FILTER_POLICIES_PER_TOPIC_QUOTA,
    FILTER_POLICY_MAX_COMBINATIONS,
    FILTER_POLICY_MAX_KEYS,
    MAX_PUBLISHER_ACCOUNTS,
    SNS_MAX_MESSAGE_BYTES,
    TOPIC_NAME_MAX_LENGTH,
    validate_filter_policies,
)

__all__ = [
    "FIFO_TOPIC_MAX_SUBSCRIPTIONS",
    "FILTER_POLICIES_PER_TOPIC_QUOTA",
    "FILTER_POLICY_MAX_COMBINATIONS",
    "FILTER_POLICY_MAX_KEYS",
    "MAX_PUBLISHER_ACCOUNTS",
    "MAX_RESOURCES_PER_SUBSCRIBER",
    "NESTED_STACK_GROUPS",
    "NESTED_STACK_PREFIX",
    "NESTED_STACK_RESOURCE_BUDGET",
    "SNS_MAX_MESSAGE_BYTES",
    "SNS_PRINCIPAL",
    "STACK_MAX_RESOURCES",
    "TOPIC_NAME_MAX_LENGTH",
    "ProtocolSubscriber",
    "QueueSubscriber",
    "SnsToSqsFanOut",
    "nested_stack_id",
    "validate_filter_policies",
]
