"""``S3EventFanOut``: S3 object events fanned out to many SQS queues through one SNS topic.

S3's direct notifications accept one rule per event type and key range, so the same event can
reach only one destination. Sending it to an SNS topic and subscribing every queue to the topic
(:class:`patterns.sns_fan_out.SnsToSqsFanOut`) lifts that limit: each queue gets its own copy,
its own dead-letter queue and, optionally, its own filter on the event body.

Two ways bring the events to the topic (:class:`S3EventDelivery`): the bucket sends every event
to EventBridge and a rule of this pattern routes the matching ones to the topic (the default:
rules may overlap, filters are richer, no bucket name is fixed), or the bucket publishes to the
topic directly (S3 event notifications, the pattern's first design).

The modules, one concern each (the public names are those imported here):

- ``construct``: :class:`S3EventFanOut` itself, its attributes, metrics, dashboard and
  ``add_queue``;
- ``events``: :class:`S3EventDelivery`, :class:`S3EventRule` and how S3 notifications and
  EventBridge spell each event type;
- ``bucket``: the new secure bucket, and the one writer of a bucket's notification
  configuration;
- ``event_bridge``: EventBridge delivery: the bucket's EventBridge switch, the rule, its
  target, dead-letter queue and alarms;
- ``notifications``: S3-notification delivery: the topic configurations of a new bucket, CDK's
  notifications for an existing one;
- ``body_filters``: :func:`s3_event_body_filter` and the check of a subscriber's body filter;
- ``validation``: what is refused at synth, and why.

The names are loaded on first use: ``S3EventRule`` and ``S3EventDelivery`` need only S3,
``s3_event_body_filter`` only SNS besides, and neither loads the construct.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patterns.s3_event_fan_out.body_filters import s3_event_body_filter
    from patterns.s3_event_fan_out.construct import S3EventFanOut
    from patterns.s3_event_fan_out.events import S3EventDelivery, S3EventRule

__all__ = ["S3EventDelivery", "S3EventFanOut", "S3EventRule", "s3_event_body_filter"]

_EXPORTS: dict[str, str] = {
    "S3EventDelivery": "patterns.s3_event_fan_out.events",
    "S3EventFanOut": "patterns.s3_event_fan_out.construct",
    "S3EventRule": "patterns.s3_event_fan_out.events",
    "s3_event_body_filter": "patterns.s3_event_fan_out.body_filters",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
