"""Cost of ownership, read from synthesized templates: ``python -m patterns.cost cdk.out``.

Pure Python over the JSON of a cloud assembly (no aws-cdk-lib import), so it runs on any
assembly, yours included, nested stack templates too. For each stack it lists

- the FIXED monthly quantities of what the template creates (alarm metrics, dashboards,
  customer-managed KMS keys, secrets, Kinesis shard-hours or on-demand stream-hours, Amazon
  MQ broker instance-hours) and
- the VARIABLE billable units per million messages (or per GB) of each message path
  (SQS requests, SNS publishes and deliveries, Kinesis PUT payload units, Firehose GB),

each with its assumption, and prices them with the dated list-price table below where the
price was read from an official AWS pricing page. A quantity whose price could not be
confirmed from an AWS page is still listed, marked "not estimated", never guessed.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REGION = "us-east-1"
PRICES_READ_ON = "2026-11-30"
HOURS_PER_MONTH = 730
"""AWS's monthly hours convention (24 x 365 / 12), used for every hourly charge."""

KMS_PRICING_URL = "https://aws.amazon.com/kms/pricing/"


@dataclass(frozen=True)
class Price:
    """One list price of ``REGION``, read on ``PRICES_READ_ON`` from ``source``."""

    usd: float
    unit: str
    source: str


PRICES: dict[str, Price] = {
    "kms_key": Price(
        1.00,
        "per AWS KMS key per month (symmetric, asymmetric, HMAC, multi-Region, imported)",
        KMS_PRICING_URL,
    ),
    "kms_rotation": Price(
        1.00,
        "per newly generated backing key per month, when automatic rotation is enabled",
        KMS_PRICING_URL,
    ),
}
"""The list prices this estimator uses. Only prices read on an official AWS pricing page."""


@dataclass(frozen=True)
class Unconfirmed:
    """A charge the estimator counts but does not price: no AWS page confirmed the number."""

    key: str
    unit: str
    source: str
    what_the_page_showed: str


UNCONFIRMED: tuple[Unconfirmed, ...] = (
    Unconfirmed(
        "alarm_metric",
        "per standard-resolution alarm metric per month",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "the free tier only: 10 alarm metrics (standard-resolution alarms that list metrics "
        "directly, no Metrics Insights query); the paid rate was not in the stored page",
    ),
    Unconfirmed(
        "high_resolution_alarm_metric",
        "per high-resolution alarm metric per month",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "no rate in the stored page",
    ),
    Unconfirmed(
        "composite_alarm",
        "per composite alarm per month",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "no rate in the stored page",
    ),
    Unconfirmed(
        "dashboard",
        "per custom dashboard per month",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "the free tier only: 3 custom dashboards of up to 50 metrics each",
    ),
    Unconfirmed(
        "secret",
        "per secret per month",
        "https://aws.amazon.com/secrets-manager/pricing/",
        "no rate in the stored page (third-party pages quote one)",
    ),
    Unconfirmed(
        "shard_hour",
        "per provisioned shard-hour",
        "https://aws.amazon.com/kinesis/data-streams/pricing/",
        "billing dimensions only (shard hours, PUT payload units of 25 KB)",
    ),
    Unconfirmed(
        "extended_retention_shard_hour",
        "per shard-hour of retention beyond 24 hours, up to 7 days",
        "https://aws.amazon.com/kinesis/data-streams/pricing/",
        "the dimension only",
    ),
    Unconfirmed(
        "on_demand_stream_hour",
        "per on-demand stream-hour",
        "https://aws.amazon.com/kinesis/data-streams/pricing/",
        "the dimension only (a per-hour charge per on-demand stream)",
    ),
    Unconfirmed(
        "put_payload_unit_million",
        "per million PUT payload units (25 KB each)",
        "https://aws.amazon.com/kinesis/pricing/",
        "the unit only: each record counted in 25 KB chunks",
    ),
    Unconfirmed(
        "on_demand_data_in_gb",
        "per GB written to an on-demand stream (records rounded up to 1 KB)",
        "https://aws.amazon.com/kinesis/data-streams/pricing/",
        "the unit only",
    ),
    Unconfirmed(
        "on_demand_data_out_gb",
        "per GB read from an on-demand stream",
        "https://aws.amazon.com/kinesis/data-streams/pricing/",
        "the unit only",
    ),
    Unconfirmed(
        "firehose_ingestion_gb",
        "per GB ingested (records rounded up to 5 KB)",
        "https://aws.amazon.com/kinesis/data-firehose/pricing/",
        "the unit only: tiered per GB ingested in 5 KB increments",
    ),
    Unconfirmed(
        "firehose_format_conversion_gb",
        "per GB converted to Parquet or ORC",
        "https://aws.amazon.com/kinesis/data-firehose/pricing/",
        "the unit only",
    ),
    Unconfirmed(
        "firehose_dynamic_partitioning_gb",
        "per GB delivered with dynamic partitioning (plus per object)",
        "https://aws.amazon.com/kinesis/data-firehose/pricing/",
        "the unit only",
    ),
    Unconfirmed(
        "sqs_standard_request_million",
        "per million standard-queue requests (each 64 KB chunk of payload is one request)",
        "https://aws.amazon.com/sqs/pricing/",
        "the 64 KB chunk rule (on the SQS features page); no rate in the stored pages",
    ),
    Unconfirmed(
        "sqs_fifo_request_million",
        "per million FIFO-queue requests (each 64 KB chunk is one request)",
        "https://aws.amazon.com/sqs/pricing/",
        "no rate in the stored pages",
    ),
    Unconfirmed(
        "sns_standard_publish_million",
        "per million standard-topic publish requests (64 KB chunks)",
        "https://aws.amazon.com/sns/pricing/",
        "no rate in the stored pages",
    ),
    Unconfirmed(
        "sns_fifo_publish_million",
        "per million FIFO-topic publish requests (plus a payload charge per GB)",
        "https://aws.amazon.com/sns/pricing/",
        "no rate in the stored pages",
    ),
    Unconfirmed(
        "sns_sqs_delivery_million",
        "per million SNS deliveries to SQS queues",
        "https://aws.amazon.com/sns/pricing/",
        "no rate in the stored pages",
    ),
    Unconfirmed(
        "broker_instance_hour",
        "per broker instance-hour, by instance type",
        "https://aws.amazon.com/amazon-mq/pricing/",
        "no rate in the stored pages",
    ),
)


@dataclass(frozen=True)
class Line:
    """One row of a cost table: what, how many, of which priced unit, and why."""

    resource: str
    item: str
    quantity: float
    price_key: str | None
    note: str = ""

    def price(self, prices: Mapping[str, Price] = PRICES) -> Price | None:
        return prices.get(self.price_key) if self.price_key else None

    def usd(self, prices: Mapping[str, Price] = PRICES) -> float | None:
        price = self.price(prices)
        return None if price is None else round(self.quantity * price.usd, 4)


@dataclass(frozen=True)
class StackCost:
    """The fixed monthly lines and the variable lines of one stack (nested stacks included)."""

    stack: str
    fixed: tuple[Line, ...]
    variable: tuple[Line, ...]

    def fixed_usd(self, prices: Mapping[str, Price] = PRICES) -> float:
        """The monthly sum of the fixed lines that have a price."""
        return round(sum(line.usd(prices) or 0.0 for line in self.fixed), 2)


# --------------------------------------------------------------------------- templates


def _path(logical_id: str, resource: Mapping[str, Any]) -> str:
    return str(resource.get("Metadata", {}).get("aws:cdk:path", logical_id))


def _literal(value: Any) -> Any:
    """The value if it is a literal; None for an intrinsic function (unknown at synth)."""
    if isinstance(value, dict):
        return None
    return value


def _resources(template_file: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (logical id, resource) of a template and of the nested templates it references."""
    template = json.loads(template_file.read_text())
    for logical_id, resource in template.get("Resources", {}).items():
        yield logical_id, resource
        if resource.get("Type") == "AWS::CloudFormation::Stack":
            asset = resource.get("Metadata", {}).get("aws:asset:path")
            if asset and (template_file.parent / asset).exists():
                yield from _resources(template_file.parent / asset)


def stack_templates(assembly_dir: str | Path) -> list[tuple[str, Path]]:
    """(stack name, template file) of every stack in the assembly, stages included."""
    assembly = Path(assembly_dir)
    manifest = json.loads((assembly / "manifest.json").read_text())
    stacks: list[tuple[str, Path]] = []
    for name, artifact in manifest.get("artifacts", {}).items():
        properties = artifact.get("properties", {})
        if artifact.get("type") == "aws:cloudformation:stack":
            stacks.append((name, assembly / properties["templateFile"]))
        elif artifact.get("type") == "cdk:cloud-assembly":
            stacks += stack_templates(assembly / properties["directoryName"])
    return stacks


# --------------------------------------------------------------------------- fixed


def _alarm_lines(path: str, props: Mapping[str, Any]) -> list[Line]:
    metrics = props.get("Metrics")
    if metrics:
        if any("SELECT" in str(m.get("Expression", "")).upper() for m in metrics):
            return [
                Line(
                    path,
                    "Metrics Insights query alarm",
                    1,
                    None,
                    "billed per metric the query analyses, which the template cannot tell",
                )
            ]
        if any("ANOMALY_DETECTION_BAND" in str(m.get("Expression", "")) for m in metrics):
            return [
                Line(
                    path,
                    "anomaly detection alarm",
                    1,
                    None,
                    "billed for the metric and its expected band, not a plain alarm metric",
                )
            ]
        stats = [m for m in metrics if "MetricStat" in m]
        if not stats:
            return [
                Line(
                    path,
                    "expression alarm without listed metrics",
                    1,
                    None,
                    "billed per metric the expression returns (SEARCH), unknown at synth",
                )
            ]
        periods = [int(_literal(m["MetricStat"].get("Period")) or 60) for m in stats]
        high = any(period < 60 for period in periods)
        note = f"metric math over {len(stats)} metric(s): each metric is an alarm metric"
        key = "high_resolution_alarm_metric" if high else "alarm_metric"
        return [Line(path, _alarm_item(high), len(stats), key, note)]
    high = int(_literal(props.get("Period")) or 60) < 60
    key = "high_resolution_alarm_metric" if high else "alarm_metric"
    return [Line(path, _alarm_item(high), 1, key)]


def _alarm_item(high_resolution: bool) -> str:
    return "high-resolution alarm metrics" if high_resolution else "standard alarm metrics"


def _kms_lines(path: str, props: Mapping[str, Any]) -> list[Line]:
    lines = [Line(path, "customer-managed KMS key", 1, "kms_key")]
    if props.get("EnableKeyRotation") is True:
        days = _literal(props.get("RotationPeriodInDays")) or 365
        lines.append(
            Line(
                path,
                "KMS key rotation (backing keys)",
                0,
                "kms_rotation",
                f"automatic rotation every {days} days: each rotation adds one backing key, "
                "+$1.00/month from then on (0 in the first period)",
            )
        )
    return lines


def _stream_lines(path: str, props: Mapping[str, Any]) -> list[Line]:
    mode = (props.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
    retention = _literal(props.get("RetentionPeriodHours")) or 24
    if mode == "ON_DEMAND":
        lines = [
            Line(path, "on-demand stream-hours", HOURS_PER_MONTH, "on_demand_stream_hour"),
        ]
        if int(retention) > 24:
            lines.append(
                Line(
                    path,
                    "extended retention (on-demand)",
                    0,
                    None,
                    f"{retention} h retention: billed per GB-month stored, a variable cost",
                )
            )
        return lines
    shards = _literal(props.get("ShardCount"))
    if shards is None:
        return [Line(path, "shard-hours", 0, None, "shard count unknown at synth")]
    lines = [
        Line(
            path,
            "provisioned shard-hours",
            int(shards) * HOURS_PER_MONTH,
            "shard_hour",
            f"{shards} shard(s) x {HOURS_PER_MONTH} h",
        )
    ]
    if int(retention) > 24:
        lines.append(
            Line(
                path,
                "extended-retention shard-hours",
                int(shards) * HOURS_PER_MONTH,
                "extended_retention_shard_hour",
                f"{retention} h retention"
                + (" (beyond 7 days also billed per GB-month)" if int(retention) > 168 else ""),
            )
        )
    return lines


BROKER_INSTANCES = {"SINGLE_INSTANCE": 1, "ACTIVE_STANDBY_MULTI_AZ": 2, "CLUSTER_MULTI_AZ": 3}
"""Broker instances billed per deployment mode (a RabbitMQ cluster runs three nodes)."""


def _broker_lines(path: str, props: Mapping[str, Any]) -> list[Line]:
    mode = str(props.get("DeploymentMode", "SINGLE_INSTANCE"))
    instances = BROKER_INSTANCES.get(mode, 1)
    instance_type = props.get("HostInstanceType", "?")
    storage = props.get("StorageType") or ("EFS" if props.get("EngineType") == "ACTIVEMQ" else "")
    lines = [
        Line(
            path,
            f"broker instance-hours ({instance_type})",
            instances * HOURS_PER_MONTH,
            "broker_instance_hour",
            f"{mode}: {instances} instance(s) x {HOURS_PER_MONTH} h",
        )
    ]
    if str(storage).upper() == "EFS":
        lines.append(
            Line(path, "broker storage (EFS)", 0, None, "billed per GB-month of stored messages")
        )
    elif storage:
        lines.append(Line(path, f"broker storage ({storage})", 0, None, "not estimated"))
    return lines


def fixed_lines(resources: list[tuple[str, dict[str, Any]]]) -> list[Line]:
    """The monthly quantities of what the template creates, priced where a price is known."""
    lines: list[Line] = []
    for logical_id, resource in resources:
        kind = resource.get("Type")
        props = resource.get("Properties", {})
        path = _path(logical_id, resource)
        if kind == "AWS::CloudWatch::Alarm":
            lines += _alarm_lines(path, props)
        elif kind == "AWS::CloudWatch::CompositeAlarm":
            lines.append(Line(path, "composite alarm", 1, "composite_alarm"))
        elif kind == "AWS::CloudWatch::Dashboard":
            lines.append(Line(path, "dashboard", 1, "dashboard"))
        elif kind == "AWS::KMS::Key":
            lines += _kms_lines(path, props)
        elif kind == "AWS::KMS::ReplicaKey":
            lines.append(
                Line(path, "customer-managed KMS key", 1, "kms_key", "multi-Region replica")
            )
        elif kind == "AWS::SecretsManager::Secret":
            replicas = len(props.get("ReplicaRegions") or [])
            note = f"plus {replicas} replica(s)" if replicas else ""
            lines.append(Line(path, "secret", 1 + replicas, "secret", note))
        elif kind == "AWS::Kinesis::Stream":
            lines += _stream_lines(path, props)
        elif kind == "AWS::AmazonMQ::Broker":
            lines += _broker_lines(path, props)
        elif kind == "AWS::Logs::LogGroup":
            days = props.get("RetentionInDays", "never expire")
            lines.append(
                Line(path, "log group storage", 0, None, f"per GB stored ({days} days retention)")
            )
    return lines


# --------------------------------------------------------------------------- variable


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
        path = _path(logical_id, resource)
        if kind == "AWS::SQS::Queue" and logical_id not in dead_letter:
            lines += _queue_lines(path, props, message_kb)
        elif kind == "AWS::SNS::Topic":
            lines += _topic_lines(logical_id, path, props, resources, message_kb)
        elif kind == "AWS::Kinesis::Stream":
            lines += _stream_variable_lines(path, props, message_kb)
        elif kind == "AWS::KinesisFirehose::DeliveryStream":
            lines += _firehose_lines(path, props)
    return lines


def estimate(assembly_dir: str | Path, message_kb: int = 1) -> list[StackCost]:
    """The cost lines of every stack of a synthesized assembly (cdk.out)."""
    costs = []
    for name, template_file in stack_templates(assembly_dir):
        resources = list(_resources(template_file))
        costs.append(
            StackCost(
                name,
                tuple(fixed_lines(resources)),
                tuple(variable_lines(resources, message_kb)),
            )
        )
    return costs


def estimate_template(template: Mapping[str, Any], message_kb: int = 1) -> StackCost:
    """The cost lines of one template given as a dict (no nested stacks)."""
    resources = [(k, dict(v)) for k, v in template.get("Resources", {}).items()]
    return StackCost(
        "template",
        tuple(fixed_lines(resources)),
        tuple(variable_lines(resources, message_kb)),
    )


# --------------------------------------------------------------------------- rendering


def _usd(value: float | None) -> str:
    return "not estimated" if value is None else f"${value:,.2f}"


def _summed(lines: tuple[Line, ...]) -> list[tuple[str, float, str | None, str]]:
    """Lines of the same item and price summed over the stack: (item, quantity, key, note)."""
    totals: dict[tuple[str, str | None], float] = {}
    notes: dict[tuple[str, str | None], set[str]] = {}
    for line in lines:
        key = (line.item, line.price_key)
        totals[key] = totals.get(key, 0) + line.quantity
        notes.setdefault(key, set())
        if line.note:
            notes[key].add(line.note)
    return [
        (item, quantity, price_key, "; ".join(sorted(notes[(item, price_key)])))
        for (item, price_key), quantity in totals.items()
    ]


def _quantity(value: float, price_key: str | None = "") -> str:
    if not value and price_key is None:
        return "by volume"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _unit_price(price: Price | None) -> str:
    if price is None:
        return "not confirmed"
    return f"${price.usd:.2f}" + ("" if price.source.startswith("https://") else " (yours)")


def render_markdown(
    cost: StackCost,
    heading: str = "###",
    intro: str = "",
    prices: Mapping[str, Price] = PRICES,
) -> str:
    """A stack's fixed table (summed per item) and its per-resource variable table."""
    lines = [f"{heading} {cost.stack}", ""]
    if intro:
        lines += [intro, ""]
    lines += [
        f"Fixed monthly cost: **{_usd(cost.fixed_usd(prices))}** of priced items "
        f"(+ the unpriced quantities below, list prices {REGION}, {PRICES_READ_ON}).",
        "",
        "| fixed item | quantity per month | unit price | monthly | note |",
        "| --- | ---: | --- | ---: | --- |",
    ]
    for item, quantity, key, note in _summed(cost.fixed):
        price = prices.get(key) if key else None
        unit = _unit_price(price)
        monthly = round(quantity * price.usd, 2) if price else None
        amount = _quantity(quantity, key)
        lines.append(f"| {item} | {amount} | {unit} | {_usd(monthly)} | {note} |")
    if not cost.variable:
        lines += ["", "No per-message charge: nothing in this stack bills by request or by GB."]
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "| message path | billable units | per | unit price | note |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for line in cost.variable:
        per = "GB" if line.item.endswith("GB") else "million messages"
        unit = _unit_price(line.price(prices))
        lines.append(
            f"| `{line.resource}` {line.item} | {_quantity(line.quantity)} | {per} | {unit} "
            f"| {line.note} |"
        )
    return "\n".join(lines) + "\n"


def render_price_table() -> str:
    """The dated list-price table with its sources, and what could not be confirmed."""
    lines = [
        f"List prices, region {REGION}, read on {PRICES_READ_ON}:",
        "",
        "| price | unit | source |",
        "| ---: | --- | --- |",
    ]
    lines += [f"| ${p.usd:.2f} | {p.unit} | {p.source} |" for p in PRICES.values()]
    lines += [
        "",
        "Not estimated (counted, not priced): the stored copy of the AWS pricing page did not "
        "show the number, and a third-party page cannot replace it.",
        "",
        "| charge | AWS page | what the page showed |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {u.unit} | {u.source} | {u.what_the_page_showed} |" for u in UNCONFIRMED]
    return "\n".join(lines) + "\n"


def render_text(costs: list[StackCost], prices: Mapping[str, Price] = PRICES) -> str:
    """Plain-text tables for the terminal."""
    out: list[str] = []
    for cost in costs:
        out.append(f"== {cost.stack}: fixed ${cost.fixed_usd(prices):,.2f}/month of priced items")
        for item, quantity, key, note in _summed(cost.fixed):
            price = prices.get(key) if key else None
            monthly = _usd(round(quantity * price.usd, 2) if price else None)
            amount = _quantity(quantity, key)
            out.append(f"  {item:<44} {amount:>10}  {monthly:>14}  {note}")
        out.append("  -- variable, per million messages (per GB for Firehose / on-demand)")
        for line in cost.variable:
            per = _usd(line.usd(prices))
            out.append(
                f"  {line.resource}: {line.item} = {_quantity(line.quantity)} ({per})  {line.note}"
            )
    out.append(
        f"Prices: {REGION}, read {PRICES_READ_ON}; only prices confirmed on AWS pricing pages "
        "are applied (docs/cost.md lists the sources and what is not estimated); add your own "
        "with --prices=file.json (keys: --keys)."
    )
    return "\n".join(out)


def load_prices(path: str | Path) -> dict[str, Price]:
    """The confirmed prices, plus your own list prices from a JSON file ``{"key": usd, ...}``.

    Keys are those of ``PRICES`` and ``UNCONFIRMED`` (``python -m patterns.cost --keys``); a
    price of yours replaces ours and is marked "(yours)" in the tables.
    """
    known = {**{u.key: u.unit for u in UNCONFIRMED}, **{k: p.unit for k, p in PRICES.items()}}
    prices = dict(PRICES)
    for key, value in json.loads(Path(path).read_text()).items():
        if key not in known:
            raise ValueError(
                f"--prices: unknown price key {key!r} in {path}; known keys: {', '.join(known)}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"--prices: {key}={value!r} in {path}: must be a number of USD >= 0")
        prices[key] = Price(float(value), known[key], f"your price file {path}")
    return prices


def _option(argv: list[str], name: str) -> str | None:
    values = [a.split("=", 1)[1] for a in argv if a.startswith(f"--{name}=")]
    return values[-1] if values else None


def main(argv: list[str]) -> int:
    if "--keys" in argv:
        for key, price in PRICES.items():
            print(f"{key:<34} ${price.usd:.2f} {price.unit}")
        for unconfirmed in UNCONFIRMED:
            print(f"{unconfirmed.key:<34} (no price) {unconfirmed.unit}")
        return 0
    args = [a for a in argv if not a.startswith("--")]
    message_kb = int(_option(argv, "message-kb") or 1)
    if not 1 <= message_kb <= 1024:
        raise ValueError(f"--message-kb={message_kb}: must be between 1 and 1024 KB")
    price_file = _option(argv, "prices")
    prices = load_prices(price_file) if price_file else PRICES
    costs = estimate(args[0] if args else "cdk.out", message_kb)
    if "--markdown" in argv:
        print("\n".join(render_markdown(c, prices=prices) for c in costs), end="")
    else:
        print(render_text(costs, prices))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
