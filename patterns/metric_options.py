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
    """The keyword arguments of every ``metric_*`` method: those of ``cloudwatch.MetricOptions``."""

    account: str
    color: str
    dimensions_map: dict[str, str]
    id: str
    label: str
    period: Duration
    region: str
    stack_account: str
    stack_region: str
    statistic: str
    unit: cloudwatch.Unit
    visible: bool
