"""A small Lambda function for the consumer examples: inline code, compliant settings.

Each setting answers a compliance rule with a sound fix rather than an acknowledgement:
X-Ray tracing, a reserved concurrency (so one consumer cannot starve the account), a log
group kept one year and encrypted with a customer-managed key, a role whose grants land in a
managed policy, the latest Python runtime. The rules that do not fit a consumer are
acknowledged on the function with the reason.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from patterns.compliance import acknowledge_all, skip_checkov
from patterns.consumers.common import create_encrypted_log_group
from patterns.roles import ManagedPolicyRole

RUNTIME = lambda_.Runtime.PYTHON_3_14


def consumer_function(
    scope: Construct,
    construct_id: str,
    *,
    code: str,
    description: str,
    timeout: Duration,
    reserved_concurrency: int,
    memory_size: int = 256,
) -> lambda_.Function:
    """A Python function running ``code`` (inline, handler ``index.handler``)."""
    role = ManagedPolicyRole(
        scope,
        f"{construct_id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=description,
    )
    stack = Stack.of(scope)
    log_group = create_encrypted_log_group(
        scope,
        f"{construct_id}Logs",
        retention=logs.RetentionDays.ONE_YEAR,
        description=f"the logs of {construct_id}",
    )
    log_group.grant_write(role)
    function = lambda_.Function(
        scope,
        construct_id,
        runtime=RUNTIME,
        handler="index.handler",
        code=lambda_.Code.from_inline(code),
        description=description,
        timeout=timeout,
        memory_size=memory_size,
        reserved_concurrent_executions=reserved_concurrency,
        tracing=lambda_.Tracing.ACTIVE,
        role=role,
        log_group=log_group,
    )
    # The function waits for its role's policy only: its DependsOn on the role itself is
    # already implied by the GetAtt of the role's ARN (cfn-lint W3005).
    cfn_function = function.node.default_child
    assert isinstance(cfn_function, lambda_.CfnFunction)
    managed_policy = role.managed_policy
    assert managed_policy is not None  # the function's grants (logs, X-Ray) created it
    policy = managed_policy.node.default_child
    assert isinstance(policy, iam.CfnManagedPolicy)
    cfn_function.add_override("DependsOn", [stack.get_logical_id(policy)])
    skip_checkov(cfn_function, "CKV_AWS_116", _NO_ASYNC_DLQ)
    skip_checkov(cfn_function, "CKV_AWS_117", _NO_VPC)
    acknowledge_all(
        function,
        {
            "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ": _NO_ASYNC_DLQ,
            "HIPAA.Security::HIPAA.Security-LambdaDLQ": _NO_ASYNC_DLQ,
            "Serverless::Serverless-LambdaDLQ": _NO_ASYNC_DLQ,
            "NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC": _NO_VPC,
            "HIPAA.Security::HIPAA.Security-LambdaInsideVPC": _NO_VPC,
            "PCI.DSS.321::PCI.DSS.321-LambdaInsideVPC": _NO_VPC,
        },
    )
    acknowledge_all(
        role,
        {
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]": (
                "X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no "
                "resource-level permissions, so AWS documents Resource '*' for them."
            )
        },
    )
    return function


_NO_ASYNC_DLQ = (
    "The function is invoked synchronously by an event source mapping, which never uses a "
    "function DLQ; failed records go to the source's DLQ or on-failure destination instead."
)
_NO_VPC = (
    "The example consumer is invoked by an event source mapping and calls no private resource "
    "itself; a VPC would add NAT or endpoints without narrowing its exposure (an Amazon MQ "
    "mapping polls from the broker's VPC on its own)."
)
