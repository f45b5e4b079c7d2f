"""What every Lambda consumer shares: the function's timeout and its error and throttle alarms."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from patterns.alarms import create_alarm

# Lambda's default timeout when a function sets none (Function construct and the service).
LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3)
ALARM_PERIOD = Duration.minutes(1)


def function_timeout(function: lambda_.IFunction) -> Duration | None:
    """The function's timeout; ``None`` for an imported function, whose timeout is unknown."""
    if isinstance(function, lambda_.Function):
        return function.timeout or LAMBDA_DEFAULT_TIMEOUT
    return None


def create_function_alarms(
    scope: Construct,
    function: lambda_.IFunction,
    *,
    source: str,
    actions: Sequence[cloudwatch.IAlarmAction],
) -> list[cloudwatch.Alarm]:
    """Alarms on the consumer's errors and throttles (any in a minute), beside its source's."""
    return [
        create_alarm(
            scope,
            "FunctionErrorsAlarm",
            metric=function.metric_errors(period=ALARM_PERIOD, statistic=cloudwatch.Stats.SUM),
            threshold=1,
            description=(
                f"The consumer {function.node.path} of {source} failed: its records are retried "
                "and then kept in the failure destination"
            ),
            actions=actions,
        ),
        create_alarm(
            scope,
            "FunctionThrottlesAlarm",
            metric=function.metric_throttles(period=ALARM_PERIOD, statistic=cloudwatch.Stats.SUM),
            threshold=1,
            description=(
                f"The consumer {function.node.path} of {source} was throttled: raise its "
                "reserved concurrency or lower the event source's maximum concurrency"
            ),
            actions=actions,
        ),
    ]
