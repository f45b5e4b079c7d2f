"""``AlarmTopic``: an encrypted SNS topic that CloudWatch alarms can publish to.

Kept apart from ``patterns.alarms`` so that the patterns, which only create alarms, do not
load the SNS modules.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns.removal import KEY_PENDING_WINDOW, key_removal_policy


class AlarmTopic(Construct):
    """An encrypted, TLS-only SNS topic that receives every alarm of a stack.

    CloudWatch may use the topic's key only for alarms of this account, which is what lets
    it publish to an encrypted topic at all (with the AWS-managed key it could not). Pass
    ``action`` in the patterns' ``alarm_actions``; subscribe people or tools to ``topic``.
    The stack output ``AlarmTopicArn`` names the topic.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the alarm topic of {stack.stack_name}",
            enable_key_rotation=True,
            # The topic holds no messages at rest and is destroyed with the stack: its key
            # follows it (patterns.removal), after KMS's waiting period.
            removal_policy=key_removal_policy(RemovalPolicy.DESTROY),
            pending_window=KEY_PENDING_WINDOW,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="cloudwatch",
                            resource="alarm",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                },
            )
        )
        topic = sns.Topic(self, "Topic", master_key=key, enforce_ssl=True)
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        self._encryption_key: kms.IKey = key
        self._topic: sns.ITopic = topic
        self._action: cloudwatch.IAlarmAction = cloudwatch_actions.SnsAction(topic)
        CfnOutput(
            self,
            "AlarmTopicArn",
            value=topic.topic_arn,
            description="Subscribe to this topic to receive the stack's alarms",
        )

    @property
    def topic(self) -> sns.ITopic:
        """The SNS topic the alarms publish to: subscribe to it (email, chat, a pager)."""
        return self._topic

    @property
    def encryption_key(self) -> kms.IKey:
        """The customer-managed KMS key that encrypts the topic (rotated yearly)."""
        return self._encryption_key

    @property
    def action(self) -> cloudwatch.IAlarmAction:
        """The alarm action that publishes to the topic: pass it in ``alarm_actions``."""
        return self._action
