"""Charges per million messages on each message path: SQS requests, SNS publishes and
deliveries, Kinesis PUT payload units or on-demand GB, Firehose GB."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from patterns.cost import rates
from patterns.cost.context import Template, props, referenced, resource_path
from patterns.cost.lines import BY_VOLUME, GB_PER_MILLION_KB, MILLION, PER_MILLION, Line, NotCounted

Rows = list[Line | NotCounted]
"""GB in a million kilobytes (a million messages of 1 KB)."""


def _failure_targets(value: Any) -> Iterator[str]:
    """Logical ids that a resource's properties name as where failed messages go."""
    if isinstance(value, list):
        for entry in value:
            yield from _failure_targets(entry)
    if not isinstance(value, dict):
        return
    for key, entry in value.items():
        if key == "deadLetterTargetArn":
            target = referenced(entry)
        elif key == "DeadLetterConfig" and isinstance(entry, dict):
            target = referenced(entry.get("Arn") or entry.get("TargetArn"))
        elif key == "OnFailure" and isinstance(entry, dict):
            target = referenced(entry.get("Destination"))
        else:
            yield from _failure_targets(entry)
            continue
        if target is not None:
            yield target


def dead_letter_targets(template: Template) -> set[str]:
    """Logical ids of queues that only receive failed messages: redrive targets of queues and
    subscriptions, dead-letter queues of rule targets, on-failure destinations of mappings."""
    return {t for _, resource in template.resources for t in _failure_targets(props(resource))}


def alarm_topics(template: Template) -> set[str]:
    """Logical ids of topics that alarms notify."""
    topics: set[str] = set()
    for kind in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        for _, alarm in template.of_type(kind):
            p = props(alarm)
            for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
                topics.update(t for t in map(referenced, p.get(key) or []) if t is not None)
    return topics


def queue(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    if logical_id in template.remember("dead_letter_targets", dead_letter_targets):
        reason = "a dead-letter queue: billed only for failed messages (3 requests each)"
        return [NotCounted("AWS::SQS::Queue", reason, (path,))]
    fifo = props(resource).get("FifoQueue") is True
    chunks = math.ceil(template.assumptions.message_kb / 64)
    note = f"send, receive and delete of each message, {chunks} x 64 KB chunk(s) each"
    spec = rates.SQS_FIFO if fifo else rates.SQS_STANDARD
    kind = "FIFO" if fifo else "standard"
    return [Line(path, f"{kind} SQS requests", 3 * chunks * MILLION, spec, note, PER_MILLION)]


def topic(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    fifo = props(resource).get("FifoTopic") is True
    kb = template.assumptions.message_kb
    if logical_id in template.remember("alarm_topics", alarm_topics) and not fifo:
        note = "alarm notifications: one publish per alarm state change, not per message"
        return [Line(path, "SNS publish requests", None, rates.SNS_PUBLISH, note, BY_VOLUME)]
    chunks = math.ceil(kb / 64)
    subscriptions = [
        props(s)
        for _, s in template.of_type("AWS::SNS::Subscription")
        if referenced(props(s).get("TopicArn")) == logical_id
    ]
    note = "" if subscriptions else "no subscription in this stack (subscribers elsewhere?)"
    if fifo:
        rows: Rows = [
            Line(path, "FIFO SNS publishes", MILLION, rates.SNS_FIFO_PUBLISH, note, PER_MILLION),
            Line(
                path,
                "FIFO SNS publish payload",
                round(kb * GB_PER_MILLION_KB, 4),
                rates.SNS_FIFO_PAYLOAD,
                f"{kb} KB per message",
                PER_MILLION,
            ),
        ]
    else:
        rows = [
            Line(
                path,
                "SNS publish requests",
                chunks * MILLION,
                rates.SNS_PUBLISH,
                f"{chunks} x 64 KB chunk(s) per message; {note}".rstrip("; "),
                PER_MILLION,
            )
        ]
    by_protocol: dict[str, list[dict[str, Any]]] = {}
    for subscription in subscriptions:
        by_protocol.setdefault(str(subscription.get("Protocol")), []).append(subscription)
    specs = {"sqs": rates.SNS_TO_SQS, "lambda": rates.SNS_TO_LAMBDA}
    for protocol, subs in sorted(by_protocol.items()):
        filtered = sum(1 for s in subs if s.get("FilterPolicy") or s.get("FilterPolicyScope"))
        note = f"one per subscription ({len(subs)}), at most"
        if filtered:
            note += f"; {filtered} filtered subscription(s) get fewer"
        if protocol in specs:
            quantity = len(subs) * MILLION
            item = f"SNS deliveries to {protocol.upper() if protocol == 'sqs' else 'Lambda'}"
            rows.append(Line(path, item, quantity, specs[protocol], note, PER_MILLION))
        else:
            reason = f"SNS deliveries over {protocol} are priced per protocol and not counted here"
            rows.append(NotCounted("AWS::SNS::Subscription", reason, (path,)))
    return rows


def stream(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    kb = template.assumptions.message_kb
    if (props(resource).get("StreamModeDetails") or {}).get("StreamMode") == "ON_DEMAND":
        gb = round(kb * GB_PER_MILLION_KB, 4)
        readers = max(1, _shared_readers(template, logical_id))
        return [
            Line(path, "on-demand data in", gb, rates.ON_DEMAND_IN, "records rounded up to 1 KB",
                 PER_MILLION),
            Line(path, "on-demand data out", round(gb * readers, 4), rates.ON_DEMAND_OUT,
                 f"read once by each of {readers} shared-throughput reader(s)", PER_MILLION),
        ]  # fmt: skip
    units = math.ceil(kb / 25)
    note = f"{units} x 25 KB unit(s) per record"
    return [
        Line(path, "PUT payload units", units * MILLION, rates.PUT_PAYLOAD_UNIT, note, PER_MILLION)
    ]


def _shared_readers(template: Template, stream_id: str) -> int:
    """Readers of a stream through the shared throughput: event source mappings and Firehose."""
    readers = 0
    for _, mapping in template.of_type("AWS::Lambda::EventSourceMapping"):
        if referenced(props(mapping).get("EventSourceArn")) == stream_id:
            readers += 1
    for _, delivery in template.of_type("AWS::KinesisFirehose::DeliveryStream"):
        source = props(delivery).get("KinesisStreamSourceConfiguration") or {}
        if referenced(source.get("KinesisStreamARN")) == stream_id:
            readers += 1
    return readers


def delivery_stream(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    kb = template.assumptions.message_kb
    billed_kb = math.ceil(kb / 5) * 5
    gb = round(billed_kb * GB_PER_MILLION_KB, 4)
    note = f"{kb} KB records are billed as {billed_kb} KB (5 KB increments)"
    rows: Rows = [Line(path, "Firehose ingestion", gb, rates.FIREHOSE_INGESTION, note, PER_MILLION)]
    s3 = props(resource).get("ExtendedS3DestinationConfiguration") or {}
    if (s3.get("DataFormatConversionConfiguration") or {}).get("Enabled") is True:
        conversion_gb = round(kb * GB_PER_MILLION_KB, 4)
        rows.append(
            Line(path, "format conversion", conversion_gb, rates.FIREHOSE_FORMAT_CONVERSION,
                 "GB converted to Parquet or ORC", PER_MILLION)
        )  # fmt: skip
    if (s3.get("DynamicPartitioningConfiguration") or {}).get("Enabled") is True:
        reason = "dynamic partitioning is billed per GB and per object delivered, not counted"
        rows.append(NotCounted("AWS::KinesisFirehose::DeliveryStream", reason, (path,)))
    rows.append(
        Line(path, "objects written to S3", None, rates.S3_PUT,
             "one PUT per buffer flush (buffer size and interval decide how many)", BY_VOLUME)
    )  # fmt: skip
    return rows
