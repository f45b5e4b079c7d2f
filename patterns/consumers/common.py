"""What the consumers share: timeouts, the function alarms, an encrypted log group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns.alarms import create_alarm
from patterns.limits import (
    LAMBDA_BATCHING_WINDOW_MAX_SECONDS,
    LAMBDA_DEFAULT_TIMEOUT_SECONDS,
    SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
)
from patterns.metric_options import SUM
from patterns.validation import check_duration, check_whole_units, seconds_of

if TYPE_CHECKING:
    from aws_cdk import aws_lambda as lambda_

BATCHING_WINDOW_MAX = Duration.seconds(LAMBDA_BATCHING_WINDOW_MAX_SECONDS)
LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(LAMBDA_DEFAULT_TIMEOUT_SECONDS)
ALARM_PERIOD = Duration.minutes(1)
NO_BATCHING_WINDOW = Duration.seconds(0)


def function_timeout(function: lambda_.IFunction) -> Duration | None:
    """The function's timeout; ``None`` for an imported function, whose timeout is unknown."""
    from aws_cdk import aws_lambda as lambda_  # only Lambda consumers load the Lambda module

    if isinstance(function, lambda_.Function):
        return function.timeout or LAMBDA_DEFAULT_TIMEOUT
    return None


def create_function_alarms(
    scope: Construct,
    function: lambda_.IFunction,
    *,
    path: str,
    source: str,
    actions: Sequence[cloudwatch.IAlarmAction],
) -> list[cloudwatch.Alarm]:
    """Alarms on the consumer's errors and throttles (any in a minute), beside its source's.

    :param path: the function's construct path, for the descriptions.
    """
    return [
        create_alarm(
            scope,
            "FunctionErrorsAlarm",
            metric=function.metric_errors(period=ALARM_PERIOD, statistic=SUM),
            threshold=1,
            description=(
                f"The consumer {path} of {source} failed: its records are retried "
                "and then kept in the failure destination"
            ),
            actions=actions,
        ),
        create_alarm(
            scope,
            "FunctionThrottlesAlarm",
            metric=function.metric_throttles(period=ALARM_PERIOD, statistic=SUM),
            threshold=1,
            description=(
                f"The consumer {path} of {source} was throttled: raise its "
                "reserved concurrency or lower the event source's maximum concurrency"
            ),
            actions=actions,
        ),
    ]


def create_encrypted_log_group(
    scope: Construct, construct_id: str, *, retention: logs.RetentionDays, description: str
) -> logs.LogGroup:
    """A log group encrypted with its own rotated key, which CloudWatch Logs may use only for
    this account's log groups in this region (``kms:EncryptionContext:aws:logs:arn``).

    Operational logs: the group is destroyed with the stack, and its key
    (``<construct_id>Key``, beside it) follows what it encrypts (KMS deletes it only after
    its waiting period, during which it can be restored).
    """
    stack = Stack.of(scope)
    key = kms.Key(
        scope,
        f"{construct_id}Key",
        description=f"Encrypts {description}",
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.DESTROY,
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            actions=[
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                }
            },
        )
    )
    return logs.LogGroup(
        scope,
        construct_id,
        retention=retention,
        encryption_key=key,
        removal_policy=RemovalPolicy.DESTROY,
    )


def check_batching_window(max_batching_window: Duration | None) -> float | None:
    """``max_batching_window`` in seconds: 0 to 300 whole seconds (Lambda's
    ``MaximumBatchingWindowInSeconds`` is an integer); ``None`` when not set or a token."""
    if max_batching_window is None:
        return None
    check_duration(
        "max_batching_window", max_batching_window, NO_BATCHING_WINDOW, BATCHING_WINDOW_MAX
    )
    check_whole_units(
        "max_batching_window",
        max_batching_window,
        "seconds",
        "Lambda's MaximumBatchingWindowInSeconds",
    )
    return seconds_of(max_batching_window)


def consumed_queue(argument: str, queue: object) -> sqs.IQueue:
    """The ``sqs.IQueue`` behind ``queue``: a :class:`QueueWithDeadLetterQueue` (or anything
    else whose ``queue`` attribute is one) or an ``sqs.IQueue`` itself (new or imported).

    Anything else is a ``ValueError`` naming ``argument`` and what it takes.
    """
    if isinstance(queue, sqs.QueueBase):
        return queue
    inner = getattr(queue, "queue", None)
    if isinstance(inner, sqs.QueueBase):
        return inner
    raise ValueError(
        f"{argument} must be a QueueWithDeadLetterQueue or an sqs.IQueue (sqs.Queue, "
        f"sqs.Queue.from_queue_arn(...)), got {type(queue).__name__}"
    )


def check_free_id(scope: Construct, consumer_id: str) -> None:
    """Refuse a ``consumer_id`` that a child of ``scope`` already has (CDK's own error would
    name neither the argument nor the fix)."""
    if scope.node.try_find_child(consumer_id) is not None:
        raise ValueError(
            f"consumer_id {consumer_id!r} is taken: {scope.node.path} already has a child "
            f"{consumer_id!r}; give each consumer its own ID"
        )


def visibility_timeout_seconds(queue: sqs.IQueue) -> float | None:
    """The queue's visibility timeout as the template will have it; ``None`` if unknown."""
    return visibility_of(queue_resource(queue))


def queue_resource(queue: sqs.IQueue) -> sqs.CfnQueue | None:
    """The queue's ``CfnQueue`` when it is defined in this app; ``None`` when imported."""
    resource = queue.node.default_child
    return resource if isinstance(resource, sqs.CfnQueue) else None


def visibility_of(resource: sqs.CfnQueue | None) -> float | None:
    """The visibility timeout of a queue of this app (its ``CfnQueue``) as the template will
    have it; ``None`` for an imported queue or a token."""
    if resource is None:
        return None
    value = resource.visibility_timeout
    if value is None:
        return SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS
    return None if not isinstance(value, (int, float)) else float(value)
