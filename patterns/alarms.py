"""CloudWatch alarm helpers shared by every pattern."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from patterns.metric_options import MAXIMUM

# What alarms ask of their metrics, made once per process (each is a jsii round trip).
ONE_MINUTE = Duration.minutes(1)

# A dead-letter queue alarm keeps its state while the queue publishes nothing. SQS publishes
# ApproximateNumberOfMessagesVisible only for an *active* queue ("Reported if the queue is
# active", and a queue without activity for six hours stops reporting):
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/monitoring-using-cloudwatch.html
# A DLQ that holds failed messages but sees no API calls may therefore go silent. NOT_BREACHING
# would turn the alarm OK then, with the messages still waiting; BREACHING would raise every
# idle, empty DLQ. IGNORE keeps ALARM until a datapoint shows the DLQ empty again.
DEAD_LETTER_QUEUE_MISSING_DATA = cloudwatch.TreatMissingData.IGNORE


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

    Missing data counts as healthy by default: an idle queue publishes no datapoints. Alarms
    on dead-letter queues use :func:`create_dead_letter_queue_alarm` instead.
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


def create_dead_letter_queue_alarm(
    scope: Construct,
    construct_id: str,
    *,
    messages_visible: Callable[..., cloudwatch.Metric],
    description: str,
    actions: Sequence[cloudwatch.IAlarmAction] = (),
) -> cloudwatch.Alarm:
    """Alarm while a dead-letter queue holds at least one visible message.

    ``messages_visible`` is the ``metric_*`` method that gives the queue's
    ``ApproximateNumberOfMessagesVisible`` (``IQueue.metric_approximate_number_of_messages_visible``
    or a pattern's own), so the alarm watches what the pattern exposes. The rule is the same for
    every dead-letter queue of the library: the 1-minute maximum against 1; missing data keeps
    the alarm's state (:data:`DEAD_LETTER_QUEUE_MISSING_DATA`), so it never returns to OK while
    failed messages wait in a queue that stopped reporting.
    """
    return create_alarm(
        scope,
        construct_id,
        metric=messages_visible(period=ONE_MINUTE, statistic=MAXIMUM),
        threshold=1,
        description=description,
        actions=actions,
        treat_missing_data=DEAD_LETTER_QUEUE_MISSING_DATA,
    )
