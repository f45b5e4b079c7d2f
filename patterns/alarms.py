"""CloudWatch alarm helpers shared by every pattern."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct


def create_alarm(
    scope: Construct,
    construct_id: str,
    *,
    metric: cloudwatch.IMetric,
    threshold: float,
    description: str,
    actions: Sequence[cloudwatch.IAlarmAction] = (),
    comparison_operator: cloudwatch.ComparisonOperator = (
        cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    ),
    evaluation_periods: int = 1,
    treat_missing_data: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
) -> cloudwatch.Alarm:
    """Create an alarm on ``metric`` that notifies ``actions`` when it fires and when it clears.

    Missing data counts as healthy by default: an idle queue publishes no datapoints.
    """
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=threshold,
        evaluation_periods=evaluation_periods,
        comparison_operator=comparison_operator,
        treat_missing_data=treat_missing_data,
        alarm_description=description,
    )
    if actions:
        alarm.add_alarm_action(*actions)
        alarm.add_ok_action(*actions)
    return alarm
