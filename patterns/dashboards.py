"""CloudWatch dashboard widgets shared by every pattern's ``add_to_dashboard``.

Each pattern adds one section to a dashboard: a title, graphs of what it moves, and one
graph per alarm (an ``AlarmWidget`` draws the alarm's metric with its threshold), so a glance
shows both the traffic and how far it is from paging someone. A section is added once per
dashboard: its title names the construct's path, and a second ``add_to_dashboard`` with the
same dashboard (directly, or through a pattern that contains it) adds nothing.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence

import jsii
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import IConstruct, IValidation

DASHBOARD_WIDTH = 24  # CloudWatch dashboards are 24 grid units wide
WIDTH = 8  # three graphs a row
HEIGHT = 6
PERIOD = Duration.minutes(1)
# More lines than this on one graph are unreadable; a fan-out with more subscribers gets one
# graph per group of this many (CloudWatch itself allows up to 500 metrics per graph).
MAX_LINES = 25


def header(title: str, description: str) -> cloudwatch.TextWidget:
    """A full-width title for a pattern's section of the dashboard."""
    return cloudwatch.TextWidget(
        markdown=f"### {title}\n{description}", width=DASHBOARD_WIDTH, height=2
    )


def graph(
    title: str,
    left: Sequence[cloudwatch.IMetric],
    *,
    right: Sequence[cloudwatch.IMetric] = (),
    thresholds: Sequence[tuple[float, str]] = (),
    stacked: bool = False,
) -> cloudwatch.GraphWidget:
    """A graph of ``left`` (and ``right``) metrics, with ``thresholds`` as labelled lines."""
    return cloudwatch.GraphWidget(
        title=title,
        left=list(left),
        right=list(right),
        left_annotations=[
            cloudwatch.HorizontalAnnotation(value=value, label=label) for value, label in thresholds
        ],
        stacked=stacked,
        width=WIDTH,
        height=HEIGHT,
        period=PERIOD,
    )


def alarm_graphs(
    alarms: Sequence[cloudwatch.Alarm], *, relative_to: str | None = None
) -> list[cloudwatch.IWidget]:
    """One graph per alarm: its metric with the threshold drawn in, titled by what it watches.

    With ``relative_to`` (a construct path), the title is the alarm's path below it, for
    alarms of several parts that share an ID (``Billing/LambdaConsumer/FunctionErrors``).
    """
    widgets: list[cloudwatch.IWidget] = []
    for alarm in alarms:
        name = alarm.node.id
        if relative_to is not None:
            name = alarm.node.path.removeprefix(f"{relative_to}/")
        widgets.append(
            cloudwatch.AlarmWidget(
                alarm=alarm, title=f"Alarm: {name.removesuffix('Alarm')}", width=WIDTH
            )
        )
    return widgets


def chunks(items: Sequence[cloudwatch.IMetric]) -> list[list[cloudwatch.IMetric]]:
    """``items`` in groups of at most :data:`MAX_LINES`."""
    return [list(items[start : start + MAX_LINES]) for start in range(0, len(items), MAX_LINES)]


# The section titles each dashboard already shows (a title names the construct's path).
_SECTIONS: weakref.WeakKeyDictionary[cloudwatch.Dashboard, set[str]] = weakref.WeakKeyDictionary()


@jsii.implements(IValidation)
class _DrawnState:
    """Synth fails when what a section drew has grown since: the later parts are missing.

    A section is drawn once (a second ``add_to_dashboard`` adds nothing), so a subscriber or
    an alarm added after it would silently be left off the dashboard.
    """

    def __init__(self, title: str, state: Callable[[], Mapping[str, int]]) -> None:
        self._title = title
        self._state = state
        self._drawn = dict(state())

    def validate(self) -> list[str]:
        now = dict(self._state())
        if now == self._drawn:
            return []
        return [
            f"The dashboard section {self._title!r} was drawn with {_counts(self._drawn)}; "
            f"there are {_counts(now)} now, and the dashboard does not show the later ones. "
            "Call add_to_dashboard once the subscribers, consumers and alarms are all added"
        ]


def _counts(state: Mapping[str, int]) -> str:
    return ", ".join(f"{count} {what}" for what, count in state.items())


def section(
    dashboard: cloudwatch.Dashboard,
    title: str,
    description: str,
    widgets: Sequence[cloudwatch.IWidget],
    *,
    owner: IConstruct | None = None,
    state: Callable[[], Mapping[str, int]] | None = None,
) -> None:
    """Add a titled section to ``dashboard``: the header, then the widgets, three a row.

    A section whose title the dashboard already shows is not added again, so
    ``add_to_dashboard`` twice does not draw every widget twice. With ``owner`` and ``state``
    (what the section drew, counted: subscribers, alarms), synthesis fails if the count has
    changed by then, naming the fix.
    """
    drawn = _SECTIONS.setdefault(dashboard, set())
    if title in drawn:
        return
    drawn.add(title)
    if owner is not None and state is not None:
        owner.node.add_validation(_DrawnState(title, state))
    dashboard.add_widgets(header(title, description))
    row: list[cloudwatch.IWidget] = []
    for widget in widgets:
        row.append(widget)
        if len(row) * WIDTH == DASHBOARD_WIDTH:
            dashboard.add_widgets(*row)
            row = []
    if row:
        dashboard.add_widgets(*row)
