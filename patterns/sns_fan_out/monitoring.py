"""The alarms and the dashboard section of ``SnsToSqsFanOut``, built from its metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

from patterns import dashboards
from patterns.alarms import create_alarm
from patterns.metric_options import MAXIMUM, SUM

if TYPE_CHECKING:
    from patterns.sns_fan_out.construct import SnsToSqsFanOut
    from patterns.sns_fan_out.subscribers import QueueSubscriber


# The IDs of the topic's alarms, children of the fan-out.
TOPIC_ALARM_IDS = (
    "FailedNotificationsAlarm",
    "FailedToRedriveToDlqAlarm",
    "FilteredOutInvalidAttributesAlarm",
    "FilteredOutInvalidMessageBodyAlarm",
)


def create_topic_alarms(
    fan_out: SnsToSqsFanOut, actions: Sequence[cloudwatch.IAlarmAction], *, path: str
) -> list[cloudwatch.Alarm]:
    """Failed deliveries, failed moves to a subscription DLQ, messages filtered out as malformed.

    ``path`` is the fan-out's construct path, which the descriptions name. The metrics are
    summed (the default of the fan-out's topic metrics) over 5 minutes.
    """
    five_minutes = Duration.minutes(5)
    failed, failed_to_redrive, invalid_attributes, invalid_body = TOPIC_ALARM_IDS
    return [
        create_alarm(
            fan_out,
            failed,
            metric=fan_out.metric_number_of_notifications_failed(period=five_minutes),
            threshold=1,
            description=(
                f"SNS could not deliver messages of {path}; they wait in the "
                "subscription dead-letter queues"
            ),
            actions=actions,
        ),
        create_alarm(
            fan_out,
            failed_to_redrive,
            metric=fan_out.metric_number_of_notifications_failed_to_redrive_to_dlq(
                period=five_minutes
            ),
            threshold=1,
            description=(
                f"Messages of {path} could not be moved to a subscription "
                "dead-letter queue: they are lost unless the cause is fixed"
            ),
            actions=actions,
        ),
        *(
            create_alarm(
                fan_out,
                alarm_id,
                metric=metric(period=five_minutes),
                threshold=1,
                description=(
                    f"Messages of {path} reached no filtered subscriber because "
                    f"{what}: a publisher sends malformed messages, and SNS drops them "
                    "without a dead-letter queue"
                ),
                actions=actions,
            )
            for alarm_id, metric, what in (
                (
                    invalid_attributes,
                    fan_out.metric_number_of_notifications_filtered_out_invalid_attributes,
                    "their message attributes are not valid JSON",
                ),
                (
                    invalid_body,
                    fan_out.metric_number_of_notifications_filtered_out_invalid_message_body,
                    "their body is not valid JSON for a body filter",
                ),
            )
        ),
    ]


# The alarms of a subscriber that the fan-out's section draws as lines of its subscriber
# graphs (DLQ, oldest message, subscription DLQ); any other (a Lambda consumer's errors and
# throttles, one added with add_alarm) gets a graph of its own.
_SUBSCRIBER_LINE_ALARMS = frozenset(
    {
        "DeadLetterQueueNotEmptyAlarm",
        "OldestMessageAgeAlarm",
        "SubscriptionDeadLetterQueueNotEmptyAlarm",
    }
)


def add_section(
    dashboard: cloudwatch.Dashboard,
    *,
    fan_out: SnsToSqsFanOut,
    path: str,
    subscribers: Sequence[QueueSubscriber],
    topic_alarms: Sequence[cloudwatch.Alarm],
) -> None:
    """Add this fan-out's section (``path``: the fan-out's) to ``dashboard``.

    The topic: published, delivered and failed; filtered out (and why); moved to or failed
    to reach a subscription DLQ. Each subscriber, one line each in graphs of up to 25
    subscribers: its backlog, the age of its oldest message, what its DLQ holds (failed
    processing) and what its subscription DLQ holds (undelivered). Then the topic's alarms
    with their thresholds; the per-subscriber alarms watch the lines of those graphs (the
    DLQ graphs draw their threshold, 1 message). Then every other alarm of a subscriber (a
    Lambda consumer's errors and throttles, one added with ``add_alarm``) with its threshold.
    """
    widgets = _topic_graphs(fan_out) + _subscriber_graphs(subscribers)
    widgets.extend(dashboards.alarm_graphs(topic_alarms))
    widgets.extend(
        dashboards.alarm_graphs(
            [
                alarm
                for subscriber in subscribers
                for alarm in subscriber.alarms
                if alarm.node.id not in _SUBSCRIBER_LINE_ALARMS
            ],
            relative_to=path,
        )
    )
    dashboards.section(
        dashboard,
        f"Fan-out {path}",
        f"Topic and {len(subscribers)} queue subscribers.",
        widgets,
        owner=fan_out,
        state=lambda: {
            "queue subscribers": len(subscribers),
            "subscriber alarms": sum(len(subscriber.alarms) for subscriber in subscribers),
        },
    )


def _topic_graphs(fan_out: SnsToSqsFanOut) -> list[cloudwatch.IWidget]:
    """Notifications, filtered out (and why), and subscription DLQ moves: per minute."""
    total = SUM
    return [
        dashboards.graph(
            "Notifications (per minute)",
            [
                fan_out.metric_number_of_messages_published(statistic=total, label="published"),
                fan_out.metric_number_of_notifications_delivered(
                    statistic=total, label="delivered"
                ),
                fan_out.metric_number_of_notifications_failed(statistic=total, label="failed"),
            ],
        ),
        dashboards.graph(
            "Filtered out (per minute)",
            [
                fan_out.metric_number_of_notifications_filtered_out(
                    statistic=total, label="no match"
                ),
                fan_out.metric_number_of_notifications_filtered_out_invalid_attributes(
                    statistic=total, label="bad attributes"
                ),
                fan_out.metric_number_of_notifications_filtered_out_invalid_message_body(
                    statistic=total, label="bad body"
                ),
                fan_out.metric_number_of_notifications_filtered_out_no_message_attributes(
                    statistic=total, label="no attributes"
                ),
            ],
        ),
        dashboards.graph(
            "Subscription dead-letter queues (per minute)",
            [
                fan_out.metric_number_of_notifications_redriven_to_dlq(
                    statistic=total, label="moved to a DLQ"
                ),
                fan_out.metric_number_of_notifications_failed_to_redrive_to_dlq(
                    statistic=total, label="lost: DLQ failed"
                ),
            ],
        ),
    ]


def _subscriber_graphs(subscribers: Sequence[QueueSubscriber]) -> list[cloudwatch.IWidget]:
    """Backlog, oldest message, DLQ and subscription DLQ: one line per subscriber, 25 a graph."""
    maximum = MAXIMUM
    queue_label = "${PROP('Dim.QueueName')}"
    backlogs: list[cloudwatch.IMetric] = []
    ages: list[cloudwatch.IMetric] = []
    failed: list[cloudwatch.IMetric] = []
    # by the Python object: the subscribers sharing a subscription DLQ hold the same one
    undelivered: dict[int, cloudwatch.IMetric] = {}
    for subscriber in subscribers:
        backlogs.append(
            subscriber.metric_approximate_number_of_messages_visible(
                statistic=maximum, label=queue_label
            )
        )
        ages.append(
            subscriber.metric_approximate_age_of_oldest_message(
                statistic=maximum, label=queue_label
            )
        )
        pattern = subscriber.queue_with_dead_letter_queue
        if pattern is not None:
            failed.append(
                pattern.metric_dead_letter_queue_messages_visible(
                    statistic=maximum, label=queue_label
                )
            )
        undelivered.setdefault(
            id(subscriber.subscription_dead_letter_queue),
            subscriber.metric_subscription_dead_letter_queue_messages_visible(
                statistic=maximum, label=queue_label
            ),
        )
    widgets: list[cloudwatch.IWidget] = []
    for title, metrics, thresholds in (
        ("Subscriber backlog (messages)", backlogs, []),
        ("Subscriber oldest message (seconds)", ages, []),
        ("Failed processing: subscriber DLQs (messages)", failed, [(1, "alarm")]),
        (
            "Undelivered: subscription DLQs (messages)",
            list(undelivered.values()),
            [(1, "alarm")],
        ),
    ):
        for group in dashboards.chunks(metrics):
            widgets.append(dashboards.graph(title, group, thresholds=thresholds))
    return widgets
