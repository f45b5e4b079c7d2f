"""The statements that let SNS write to a subscriber's queues, and what an owner must add.

Every statement is scoped by ``aws:SourceArn`` (the topic) and ``aws:SourceAccount``; a
subscription is created only after the policies it needs.
"""

from __future__ import annotations

import json

from aws_cdk import Annotations, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns.policies import (
    allow_accounts_key_use_via,
    allow_service_key_use,
    service_statement,
)

SNS_PRINCIPAL = "sns.amazonaws.com"


def sns_send_statement(topic: sns.ITopic, queue_arn: str) -> iam.PolicyStatement:
    return service_statement(
        SNS_PRINCIPAL,
        actions=["sqs:SendMessage"],
        resources=[queue_arn],
        source_arn=topic.topic_arn,
        source_account=topic.env.account,
    )


def admit_topic(scope: Construct, queue: sqs.IQueue, topic: sns.ITopic) -> None:
    """Let ``topic`` (only) write to a DLQ that was passed in, or say what its owner must add."""
    added = queue.add_to_resource_policy(sns_send_statement(topic, queue.queue_arn))
    if not added.statement_added:
        Annotations.of(scope).add_warning_v2(
            "patterns:ImportedQueuePolicy",
            f"The policy of imported queue {queue.node.path} cannot be changed here: its owner "
            "must allow sns.amazonaws.com sqs:SendMessage with aws:SourceArn = the topic ARN "
            "and aws:SourceAccount = its account, or SNS drops what it could not deliver",
        )
    key = queue.encryption_master_key
    if key is not None:
        key_added = allow_service_key_use(
            key, SNS_PRINCIPAL, source_arn=topic.topic_arn, source_account=topic.env.account
        ).statement_added
        if not key_added:
            warn_imported_key(scope, key, queue, topic)


def depend_on_policy(subscription: sns.Subscription, queue: sqs.Queue) -> None:
    """Create ``subscription`` only after the policy that lets SNS write to ``queue``."""
    policy = queue.node.try_find_child("Policy")
    if isinstance(policy, sqs.QueuePolicy):
        subscription.node.add_dependency(policy)


def warn_imported_key(
    scope: Construct, key: kms.IKey, queue: sqs.IQueue, topic: sns.ITopic
) -> None:
    """Name the key-policy statement the owner of an imported key must add for SNS."""
    topic_arn = topic.topic_arn
    account = topic.env.account
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": SNS_PRINCIPAL},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {
            "ArnEquals": {
                "aws:SourceArn": (
                    f"<ARN of topic {topic.node.path}>"
                    if Token.is_unresolved(topic_arn)
                    else topic_arn
                )
            },
            "StringEquals": {
                "aws:SourceAccount": (
                    "<account of the topic>" if Token.is_unresolved(account) else account
                )
            },
        },
    }
    Annotations.of(scope).add_warning_v2(
        "patterns:ImportedKeyPolicy",
        f"The key {key.node.path} of queue {queue.node.path} is imported, so its key policy "
        "cannot be changed here: its owner must add this statement, or SNS cannot encrypt for "
        "the queue (nor its subscription dead-letter queue, under the same key) and every "
        f"message is lost: {json.dumps(statement)}",
    )


def allow_publisher_accounts(
    scope: Construct, topic: sns.ITopic, key: kms.IKey | None, accounts: list[str]
) -> None:
    """Let principals of ``accounts`` publish, and use ``key`` through SNS only."""
    result = topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowPublishFromNamedAccounts",
            principals=[iam.AccountPrincipal(account) for account in accounts],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
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
