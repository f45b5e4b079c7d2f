"""The statements that admit a fan-out's topic to its subscribers' queues and keys.

And the warnings naming what the owner of an imported queue or key must add.

Every statement is scoped by ``aws:SourceArn`` (the topic) and ``aws:SourceAccount``; a
subscription is created only after the policies it needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_cdk import Annotations, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns.service_statements import (
    allow_accounts_key_use_via,
    allow_service_key_use,
    service_statement,
)
from patterns.warnings import IMPORTED_KEY_POLICY, IMPORTED_QUEUE_POLICY

SNS_PRINCIPAL = "sns.amazonaws.com"


@dataclass(frozen=True)
class TopicRef:
    """A fan-out's topic with what its statements name, read from the L2 once per fan-out.

    ``fifo`` is what the fan-out was given (checked against an existing topic), ``path`` is
    read only when a warning needs it.
    """

    topic: sns.ITopic
    arn: str
    account: str
    fifo: bool

    @classmethod
    def of(cls, topic: sns.ITopic, *, fifo: bool, stack: Stack | None = None) -> TopicRef:
        """Read ``topic``'s ARN and account; ``stack``: the stack of a topic this app made.

        A new topic's account is its stack's (reading ``topic.env`` reads the whole
        environment); an imported topic's comes from its ARN.
        """
        account = topic.env.account if stack is None else stack.account
        return cls(topic, topic.topic_arn, account, fifo)


def sns_send_statement(topic: TopicRef, queue_arn: str) -> iam.PolicyStatement:
    """``sns.amazonaws.com`` may send to ``queue_arn`` for ``topic`` (and its account) only."""
    return service_statement(
        SNS_PRINCIPAL,
        actions=["sqs:SendMessage"],
        resources=[queue_arn],
        source_arn=topic.arn,
        source_account=topic.account,
    )


def admit_topic_to_key(key: kms.IKey, topic: TopicRef) -> bool:
    """Let SNS use ``key`` for ``topic`` only; ``False`` when the key is imported."""
    return allow_service_key_use(
        key, SNS_PRINCIPAL, source_arn=topic.arn, source_account=topic.account
    ).statement_added


def admit_topic(scope: Construct, queue: sqs.IQueue, topic: TopicRef) -> None:
    """Let ``topic`` (only) write to a DLQ that was passed in, or say what its owner must add."""
    added = queue.add_to_resource_policy(sns_send_statement(topic, queue.queue_arn))
    if not added.statement_added:
        warn_imported_queue(scope, queue, consequence="SNS drops what it could not deliver")
    key = queue.encryption_master_key
    if key is not None and not admit_topic_to_key(key, topic):
        warn_imported_key(scope, key, queue, topic)


def depend_on_policy(subscription: sns.Subscription, queue: sqs.Queue) -> None:
    """Create ``subscription`` only after the policy that lets SNS write to ``queue``."""
    policy = queue.node.try_find_child("Policy")
    if isinstance(policy, sqs.QueuePolicy):
        subscription.node.add_dependency(policy)


def warn_imported_queue(scope: Construct, queue: sqs.IQueue, *, consequence: str) -> None:
    """Name the queue-policy statement the owner of an imported queue must add for SNS."""
    Annotations.of(scope).add_warning_v2(
        IMPORTED_QUEUE_POLICY.id,
        IMPORTED_QUEUE_POLICY.message(
            queue=queue.node.path,
            principal=SNS_PRINCIPAL,
            source="the topic ARN",
            consequence=consequence,
        ),
    )


def warn_imported_key(scope: Construct, key: kms.IKey, queue: sqs.IQueue, topic: TopicRef) -> None:
    """Name the key-policy statement the owner of an imported key must add for SNS."""
    topic_path = topic.topic.node.path
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": SNS_PRINCIPAL},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {
            "ArnEquals": {
                "aws:SourceArn": (
                    f"<ARN of topic {topic_path}>" if Token.is_unresolved(topic.arn) else topic.arn
                )
            },
            "StringEquals": {
                "aws:SourceAccount": (
                    "<account of the topic>"
                    if Token.is_unresolved(topic.account)
                    else topic.account
                )
            },
        },
    }
    Annotations.of(scope).add_warning_v2(
        IMPORTED_KEY_POLICY.id,
        IMPORTED_KEY_POLICY.message(
            key=f"{key.node.path} of queue {queue.node.path}",
            principal=SNS_PRINCIPAL,
            purpose=f"for topic {topic_path}",
            consequence=(
                "SNS cannot encrypt for the queue (nor its subscription dead-letter queue, "
                "under the same key) and every message is lost"
            ),
            statement=f". The statement: {json.dumps(statement)}",
        ),
    )


def allow_publisher_accounts(
    scope: Construct, topic: TopicRef, key: kms.IKey | None, accounts: list[str]
) -> None:
    """Let principals of ``accounts`` publish, and use ``key`` through SNS only."""
    result = topic.topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowPublishFromNamedAccounts",
            principals=[iam.AccountPrincipal(account) for account in accounts],
            actions=["sns:Publish"],
            resources=[topic.arn],
        )
    )
    if not result.statement_added:
        raise ValueError(
            "publisher_accounts needs a topic whose policy this app owns; the policy of an "
            "imported topic cannot be changed here. Grant the accounts where it is defined"
        )
    if key is not None:
        key_result = allow_accounts_key_use_via(key, accounts, service="sns", scope=scope)
        if not key_result.statement_added:
            raise ValueError(
                "publisher_accounts needs a topic key whose policy this app owns; the "
                "accounts could not encrypt their messages with an imported key"
            )
