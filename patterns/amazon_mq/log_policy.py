"""The CloudWatch Logs resource policy that lets Amazon MQ write the broker's logs.

Amazon MQ creates the log groups ``/aws/amazonmq/broker/<broker-id>/{general,audit}`` itself
and checks for this policy when it creates the broker. The policy is account-wide (at most 10
per Region), so its name comes from the stack name and the construct's position, and it
admits only this account's broker of this name (``aws:SourceAccount``, ``aws:SourceArn``).
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from patterns.limits import LOGS_RESOURCE_POLICY_NAME_MAX_LENGTH
from patterns.naming import check_name_length, physical_name

LOG_POLICY_NAME_SUFFIX = "-MqLogs"


def create_log_resource_policy(
    scope: Construct, construct_id: str, *, broker_name: str
) -> logs.ResourcePolicy:
    """The resource policy (child ``construct_id`` of ``scope``) for the broker's logs."""
    stack = Stack.of(scope)
    return logs.ResourcePolicy(
        scope,
        construct_id,
        # The account-wide name: the stack name and position, never the path alone.
        resource_policy_name=physical_name(
            scope,
            max_length=LOGS_RESOURCE_POLICY_NAME_MAX_LENGTH,
            separator="-",
            suffix=LOG_POLICY_NAME_SUFFIX,
        ),
        policy_statements=[
            iam.PolicyStatement(
                sid="AllowAmazonMqBrokerLogs",
                principals=[iam.ServicePrincipal("mq.amazonaws.com")],
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[
                    stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="/aws/amazonmq/broker/*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="mq",
                            resource="broker",
                            resource_name=f"{broker_name}:*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                },
            )
        ],
    )


def log_policy_name_errors(policy: logs.ResourcePolicy, path: str) -> list[str]:
    """The final ``PolicyName`` (also when changed through the L2) is within its limit."""
    cfn_policy = policy.node.default_child
    assert isinstance(cfn_policy, logs.CfnResourcePolicy)
    try:
        check_name_length(
            "PolicyName",
            cfn_policy.policy_name,
            LOGS_RESOURCE_POLICY_NAME_MAX_LENGTH,
            f"the log resource policy of {path}",
        )
    except ValueError as error:
        return [str(error)]
    return []
