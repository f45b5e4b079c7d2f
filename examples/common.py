"""What every example stack shares: the alarm topic, and one dashboard with all its patterns."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import IConstruct

from patterns.alarm_topic import AlarmTopic

__all__ = ["AlarmTopic", "add_dashboard"]


@runtime_checkable
class _OnDashboard(Protocol):
    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None: ...


def add_dashboard(stack: Stack) -> cloudwatch.Dashboard:
    """One dashboard for ``stack``: a section for each pattern in it, in construct order.

    Patterns inside another pattern (the subscriber queues of a fan-out, the fan-out of an
    S3 event fan-out) are drawn by their parent's section, not again on their own.
    """
    dashboard = cloudwatch.Dashboard(stack, "Dashboard")

    def visit(construct: IConstruct) -> None:
        if isinstance(construct, _OnDashboard):
            construct.add_to_dashboard(dashboard)
            return
        for child in construct.node.children:
            visit(child)

    for child in list(stack.node.children):
        if child is not dashboard:
            visit(child)
    return dashboard
