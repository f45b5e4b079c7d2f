"""The one typing of the keyword arguments every pattern's ``metric_*`` methods take.

They are those of ``cloudwatch.MetricOptions``, as a ``TypedDict`` for ``**props:
Unpack[MetricOptions]``, so a type checker refuses a misspelt option in users' code as it
does for CDK's own ``metric_*`` methods.
"""

from __future__ import annotations

from typing import TypedDict

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

# CloudWatch's statistics as ``cloudwatch.Stats`` spells them, as plain strings: reading a
# ``Stats`` attribute is a round trip to the jsii runtime, and metrics take the string.
SUM, MAXIMUM, MINIMUM, AVERAGE = "Sum", "Maximum", "Minimum", "Average"


__all__ = [
    "MetricOptions",
]


class MetricOptions(TypedDict, total=False):
    """The keyword arguments of every ``metric_*`` method: those of ``cloudwatch.MetricOptions``.

    Every key is optional. A ``metric_*`` method sets what identifies its metric (namespace,
    name, dimensions) and a statistic and period suited to it (those of the L2's method it
    wraps, or those its docstring names); a key given here overrides what the method sets,
    so ``queue.metric_dead_letter_queue_messages_visible(period=Duration.minutes(1),
    label="DLQ")`` is the method's metric over 1 minute, labelled ``DLQ``.
    """

    account: str
    """The account the metric comes from, for a graph of another account's resource.
    Default: the account of the stack the metric is used in."""
    color: str
    """The line's colour on a graph, a hex code such as ``"#1f77b4"`` (``cloudwatch.Color``
    has the standard ones). Default: CloudWatch chooses one."""
    dimensions_map: dict[str, str]
    """The metric's dimensions, by name. Default: those that identify the resource (the
    queue's ``QueueName``, ...); a map given here replaces them all."""
    id: str
    """The metric's ID in a dashboard widget or alarm, the variable that stands for it in a
    math expression: letters, digits and underscores, starting with a lowercase letter.
    Default: none (CloudWatch assigns one)."""
    label: str
    """The metric's name in a graph's legend; dynamic labels such as ``[max: ${MAX}]`` show
    a summary of the visible range. Default: the method's label, or none (the metric's
    name)."""
    period: Duration
    """The length of each data point: the statistic is taken over this time. Default: the
    method's, else 5 minutes."""
    region: str
    """The Region the metric comes from, for a graph of another Region's resource.
    Default: the Region of the stack the metric is used in."""
    stack_account: str
    """The account of the stack the metric belongs to, when it is drawn in a dashboard of
    another account. Default: the account of the stack it is used in."""
    stack_region: str
    """The Region of the stack the metric belongs to, when it is drawn in a dashboard of
    another Region. Default: the Region of the stack it is used in."""
    statistic: str
    """How the data points of a period are combined: ``"Sum"``, ``"Average"``,
    ``"Maximum"``, ``"Minimum"``, ``"SampleCount"`` or a percentile such as ``"p99"``
    (``cloudwatch.Stats`` spells them). Default: the method's, else ``"Average"``."""
    unit: cloudwatch.Unit
    """Only the data points published with this unit; for a metric published in several
    units, which is rare (graphs ignore it). Default: every data point, whatever its unit."""
    visible: bool
    """Whether a graph draws the metric; ``False`` hides one that a math expression on the
    same graph uses. Default: ``True``."""
