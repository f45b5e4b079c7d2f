"""The alarms and the dashboard section of ``QueueWithDeadLetterQueue``, built from its metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

from patterns import dashboards
from patterns.alarms import ONE_MINUTE, create_alarm, create_dead_letter_queue_alarm
from patterns.metric_options import MAXIMUM, SUM
from patterns.validation import human_string_of, seconds_of

if TYPE_CHECKING:
    from patterns.queue_with_dlq.construct import QueueWithDeadLetterQueue


def create_alarms(
    pattern: QueueWithDeadLetterQueue,
    path: str,
    *,
    owns_dead_letter_queue: bool,
    message_age_threshold: Duration,
    actions: Sequence[cloudwatch.IAlarmAction],
) -> list[cloudwatch.Alarm]:
    """The DLQ alarm (for a DLQ the pattern created) and the oldest-message-age alarm.

    ``path`` is the pattern's construct path, which the descriptions name.
    """
    threshold_seconds = seconds_of(message_age_threshold)
    if threshold_seconds is None:  # a token: CloudWatch needs a number at synth
        threshold_seconds = message_age_threshold.to_seconds()
    alarms: list[cloudwatch.Alarm] = []
    if owns_dead_letter_queue:
        alarms.append(
            create_dead_letter_queue_alarm(
                pattern,
                "DeadLetterQueueNotEmptyAlarm",
                messages_visible=pattern.metric_dead_letter_queue_messages_visible,
                description=(
                    f"Messages failed processing and wait in the DLQ of {path}. "
                    "The alarm returns to OK only when the DLQ reports no visible message; "
                    "while the DLQ reports nothing (SQS stops reporting inactive queues) it "
                    "keeps its state"
                ),
                actions=actions,
            )
        )
    alarms.append(
        create_alarm(
            pattern,
            "OldestMessageAgeAlarm",
            metric=pattern.metric_approximate_age_of_oldest_message(
                period=ONE_MINUTE, statistic=MAXIMUM
            ),
            threshold=threshold_seconds,
            description=(
                f"The oldest message in {path} is at least "
                f"{human_string_of(message_age_threshold)} old: consumers are falling behind"
            ),
            actions=actions,
        )
    )
    return alarms


def add_section(pattern: QueueWithDeadLetterQueue, dashboard: cloudwatch.Dashboard) -> None:
    """Backlog (waiting, in flight, in the DLQ), throughput and one graph per alarm."""
    maximum, total = MAXIMUM, SUM
    dashboards.section(
        dashboard,
        f"Queue {pattern.node.path}",
        "Backlog, throughput and the alarms of the queue and its dead-letter queue.",
        [
            dashboards.graph(
                "Backlog (messages)",
                [
                    pattern.metric_approximate_number_of_messages_visible(
                        statistic=maximum, label="waiting"
                    ),
                    pattern.metric_approximate_number_of_messages_not_visible(
                        statistic=maximum, label="in flight"
                    ),
                    pattern.metric_dead_letter_queue_messages_visible(
                        statistic=maximum, label="in the DLQ"
                    ),
                ],
            ),
            dashboards.graph(
                "Throughput (messages per minute)",
                [
                    pattern.metric_number_of_messages_sent(statistic=total, label="sent"),
                    pattern.metric_number_of_messages_received(statistic=total, label="received"),
                    pattern.metric_number_of_messages_deleted(statistic=total, label="deleted"),
                ],
            ),
            *dashboards.alarm_graphs(pattern.alarms),
        ],
        owner=pattern,
        state=lambda: {"alarms": len(pattern.alarms)},
    )
