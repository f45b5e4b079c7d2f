"""The VARIABLE billable units per million messages (or per GB) of each message path: SQS
requests, SNS publishes and deliveries, Kinesis PUT payload units or on-demand GB, Firehose GB."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from patterns.cost.assembly import resource_path
from patterns.cost.lines import Line


def _dead_letter_targets(resources: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """Logical ids of queues that only receive failed messages (redrive targets)."""
    targets: set[str] = set()
    for _, resource in resources:
        policy = resource.get("Properties", {}).get("RedrivePolicy") or {}
        target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
        if isinstance(target, dict) and "Fn::GetAtt" in target:
            targets.add(str(target["Fn::GetAtt"][0]))
    return targets


def _queue_lines(path: str, props: Mapping[str, Any], message_kb: int) -> list[Line]:
    fifo = props.get("FifoQueue") is True
    chunks = math.ceil(message_kb / 64)
    return [
        Line(
            path,
            f"{'FIFO' if fifo else 'standard'} SQS requests (send, receive, delete)",
            3 * chunks,
            "sqs_fifo_request_million" if fifo else "sqs_standard_request_million",
            f"million requests per million messages of ≤{message_kb} KB "
            f"({chunks} x 64 KB chunk(s)), one message per request, no empty receives",
        )
    ]


def _topic_lines(
    logical_id: str,
    path: str,
    props: Mapping[str, Any],
    resources: list[tuple[str, dict[str, Any]]],
    message_kb: int,
) -> list[Line]:
    fifo = props.get("FifoTopic") is True
    chunks = math.ceil(message_kb / 64)
    subscriptions = [
        resource
        for _, resource in resources
        if resource.get("Type") == "AWS::SNS::Subscription"
        and resource.get("Properties", {}).get("TopicArn") == {"Ref": logical_id}
    ]
    to_sqs = [s for s in subscriptions if s["Properties"].get("Protocol") == "sqs"]
    filtered = sum(
        1
        for s in to_sqs
        if s["Properties"].get("FilterPolicy") or s["Properties"].get("FilterPolicyScope")
    )
    note = f"million publishes per million messages of ≤{message_kb} KB"
    if fifo:
        note += "; FIFO topics add a payload charge per GB"
    if not subscriptions:
        note += "; no subscription in this template (alarm notifications, or subscribers elsewhere)"
    lines = [
        Line(
            path,
            f"{'FIFO' if fifo else 'standard'} SNS publish requests",
            chunks,
            "sns_fifo_publish_million" if fifo else "sns_standard_publish_million",
            note,
        )
    ]
    if to_sqs:
        lines.append(
            Line(
                path,
                "SNS deliveries to SQS",
                len(to_sqs),
                "sns_sqs_delivery_million",
                f"one per subscribed queue ({len(to_sqs)}), at most"
                + (f"; {filtered} filtered subscription(s) get fewer" if filtered else ""),
            )
        )
    other = len(subscriptions) - len(to_sqs)
    if other:
        lines.append(
            Line(path, "deliveries to other protocols", other, None, "priced per protocol")
        )
    return lines


def _firehose_lines(path: str, props: Mapping[str, Any]) -> list[Line]:
    lines = [
        Line(
            path,
            "Firehose ingestion GB",
            1,
            "firehose_ingestion_gb",
            "per GB ingested; records are rounded up to 5 KB, so 1 GB of 1 KB records bills 5 GB",
        )
    ]
    s3 = props.get("ExtendedS3DestinationConfiguration") or {}
    if (s3.get("DataFormatConversionConfiguration") or {}).get("Enabled") is True:
        lines.append(Line(path, "format conversion GB", 1, "firehose_format_conversion_gb"))
    if (s3.get("DynamicPartitioningConfiguration") or {}).get("Enabled") is True:
        lines.append(Line(path, "dynamic partitioning GB", 1, "firehose_dynamic_partitioning_gb"))
    return lines


def _stream_variable_lines(path: str, props: Mapping[str, Any], message_kb: int) -> list[Line]:
    mode = (props.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
    if mode == "ON_DEMAND":
        return [
            Line(
                path,
                "on-demand data in GB",
                1,
                "on_demand_data_in_gb",
                "records rounded up to 1 KB",
            ),
            Line(path, "on-demand data out GB", 1, "on_demand_data_out_gb", "per consumer read"),
        ]
    units = math.ceil(message_kb / 25)
    return [
        Line(
            path,
            "PUT payload units",
            units,
            "put_payload_unit_million",
            f"million units per million records of ≤{message_kb} KB (25 KB each)",
        )
    ]


def variable_lines(resources: list[tuple[str, dict[str, Any]]], message_kb: int = 1) -> list[Line]:
    """Billable units per million messages (SQS, SNS, Kinesis) or per GB (Firehose)."""
    dead_letter = _dead_letter_targets(resources)
    lines: list[Line] = []
    for logical_id, resource in resources:
        kind = resource.get("Type")
        props = resource.get("Properties", {})
        path = resource_path(logical_id, resource)
        if kind == "AWS::SQS::Queue" and logical_id not in dead_letter:
            lines += _queue_lines(path, props, message_kb)
        elif kind == "AWS::SNS::Topic":
            lines += _topic_lines(logical_id, path, props, resources, message_kb)
        elif kind == "AWS::Kinesis::Stream":
            lines += _stream_variable_lines(path, props, message_kb)
        elif kind == "AWS::KinesisFirehose::DeliveryStream":
            lines += _firehose_lines(path, props)
    return lines
