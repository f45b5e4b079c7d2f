"""Networking (NAT gateways, interface endpoints, public IPv4 addresses, flow logs),
EventBridge and Pipes, the Glue Data Catalog, S3 buckets and CloudWatch Logs."""

from __future__ import annotations

import math
from typing import Any

from patterns.cost import rates
from patterns.cost.context import Template, literal, props, resource_path
from patterns.cost.lines import BY_VOLUME, MILLION, PER_MILLION, Line, NotCounted
from patterns.cost.rates import HOURS_PER_MONTH

Rows = list[Line | NotCounted]


def nat_gateway(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    return [
        Line(path, "NAT gateway-hours", HOURS_PER_MONTH, rates.NAT_HOUR),
        Line(path, "data processed by the NAT gateway", None, rates.NAT_GB,
             "GB the private subnets send to the internet and to AWS APIs without an endpoint",
             BY_VOLUME),
    ]  # fmt: skip


def vpc_endpoint(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    p = props(resource)
    kind = str(p.get("VpcEndpointType", "Gateway"))
    if kind == "Gateway":
        reason = "a gateway endpoint (S3, DynamoDB) has no hourly or data charge"
        return [NotCounted("AWS::EC2::VPCEndpoint", reason, (path,))]
    if kind != "Interface":
        reason = f"a {kind} endpoint is not priced here"
        return [NotCounted("AWS::EC2::VPCEndpoint", reason, (path,))]
    subnets = p.get("SubnetIds")
    zones = len(subnets) if isinstance(subnets, list) else None
    if zones is None:
        reason = "an interface endpoint whose subnets (one charge per zone) are unknown at synth"
        return [NotCounted("AWS::EC2::VPCEndpoint", reason, (path,))]
    name = _service_name(p.get("ServiceName"))
    return [
        Line(path, "interface endpoint-hours", zones * HOURS_PER_MONTH, rates.ENDPOINT_HOUR,
             f"{name}: {zones} Availability Zone(s) x {HOURS_PER_MONTH} h"),
        Line(path, "data processed by the endpoint", None, rates.ENDPOINT_GB,
             "GB sent through the endpoint", BY_VOLUME),
    ]  # fmt: skip


def _service_name(value: Any) -> str:
    """``sqs`` of ``com.amazonaws.<region>.sqs``, literal or joined with the region."""
    if isinstance(value, str):
        return value.rsplit(".", 1)[-1]
    joined = value.get("Fn::Join") if isinstance(value, dict) else None
    if isinstance(joined, list) and len(joined) == 2 and isinstance(joined[1], list):
        parts = [part for part in joined[1] if isinstance(part, str)]
        if parts:
            return "".join(parts).rsplit(".", 1)[-1]
    return "an AWS service"


def elastic_ip(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    note = "a public IPv4 address (a NAT gateway's) is billed per hour in use"
    return [Line(path, "public IPv4 address-hours", HOURS_PER_MONTH, rates.PUBLIC_IPV4_HOUR, note)]


def flow_log(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    note = "GB of flow-log records delivered to CloudWatch Logs (vended-log rate)"
    return [Line(path, "flow logs delivered", None, rates.VENDED_LOGS, note, BY_VOLUME)]


def log_group(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    days = props(resource).get("RetentionInDays", "never expire")
    return [
        Line(path, "log data ingested", None, rates.LOGS_INGESTION, "GB written", BY_VOLUME),
        Line(path, "log data stored", None, rates.LOGS_STORAGE,
             f"GB-month stored ({days} days retention)", BY_VOLUME),
    ]  # fmt: skip


def events_rule(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    p = props(resource)
    bus = p.get("EventBusName")
    pattern = p.get("EventPattern") or {}
    sources = pattern.get("source") if isinstance(pattern, dict) else None
    aws_sources = isinstance(sources, list) and all(str(s).startswith("aws.") for s in sources)
    if bus in (None, "default") and (aws_sources or "ScheduleExpression" in p):
        reason = (
            "a rule on the default bus matching events of AWS services (or a schedule): "
            "AWS service events and rule deliveries to targets carry no EventBridge charge"
        )
        return [NotCounted("AWS::Events::Rule", reason, (path,))]
    chunks = math.ceil(template.assumptions.message_kb / 64)
    note = "custom events published to its bus that this rule matches, 64 KB chunks"
    spec = rates.EVENTBRIDGE_CUSTOM_EVENT
    return [Line(path, "custom events published", chunks * MILLION, spec, note, PER_MILLION)]


def event_bus(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    note = "custom events published to the bus, 64 KB chunks"
    return [
        Line(path, "custom events published", None, rates.EVENTBRIDGE_CUSTOM_EVENT, note, BY_VOLUME)
    ]


def pipe(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    p = props(resource)
    filtered = bool((p.get("SourceParameters") or {}).get("FilterCriteria"))
    batch = _pipe_batch(template, p)
    chunks = math.ceil(template.assumptions.message_kb / 64)
    note = f"one request per 64 KB chunk of each message after filtering ({chunks} chunk(s))"
    if filtered:
        note += "; its filter lowers requests"
    if batch > 1:
        note += f"; reads batches of {batch}, billed per message chunk all the same"
    return [Line(path, "Pipes requests", chunks * MILLION, rates.PIPES_REQUEST, note, PER_MILLION)]


def _pipe_batch(template: Template, p: dict[str, Any]) -> int:
    source = p.get("SourceParameters") or {}
    for key in ("SqsQueueParameters", "KinesisStreamParameters"):
        size = literal((source.get(key) or {}).get("BatchSize"))
        if size:
            return int(size)
    return 1


def glue_database(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    return [Line(path, "Data Catalog objects", 1, rates.GLUE_CATALOG_STORAGE, "the database")]


def glue_table(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    return [
        Line(path, "Data Catalog objects", 1, rates.GLUE_CATALOG_STORAGE,
             "the table (each partition is one more object)"),
        Line(path, "Data Catalog requests", None, rates.GLUE_CATALOG_REQUEST,
             "GetTable reads, e.g. by Firehose's format conversion per batch", BY_VOLUME),
    ]  # fmt: skip


def bucket(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    return [
        Line(path, "S3 Standard storage", None, rates.S3_STORAGE, "GB-month stored", BY_VOLUME),
        Line(path, "S3 PUT requests", None, rates.S3_PUT,
             "objects written (your uploads, Firehose's deliveries)", BY_VOLUME),
    ]  # fmt: skip
