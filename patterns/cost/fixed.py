"""The FIXED monthly quantities of what a template creates: alarm metrics, dashboards,
customer-managed KMS keys, secrets, Kinesis shard-hours or on-demand stream-hours, Amazon MQ
broker instance-hours (log groups and broker storage are listed, billed by volume)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patterns.cost.assembly import literal, resource_path
from patterns.cost.lines import Line
from patterns.cost.prices import HOURS_PER_MONTH


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
        periods = [int(literal(m["MetricStat"].get("Period")) or 60) for m in stats]
        high = any(period < 60 for period in periods)
        note = f"metric math over {len(stats)} metric(s): each metric is an alarm metric"
        key = "high_resolution_alarm_metric" if high else "alarm_metric"
        return [Line(path, _alarm_item(high), len(stats), key, note)]
    high = int(literal(props.get("Period")) or 60) < 60
    key = "high_resolution_alarm_metric" if high else "alarm_metric"
    return [Line(path, _alarm_item(high), 1, key)]


def _alarm_item(high_resolution: bool) -> str:
    return "high-resolution alarm metrics" if high_resolution else "standard alarm metrics"


def _kms_lines(path: str, props: Mapping[str, Any]) -> list[Line]:
    lines = [Line(path, "customer-managed KMS key", 1, "kms_key")]
    if props.get("EnableKeyRotation") is True:
        days = literal(props.get("RotationPeriodInDays")) or 365
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
    retention = literal(props.get("RetentionPeriodHours")) or 24
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
    shards = literal(props.get("ShardCount"))
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
        path = resource_path(logical_id, resource)
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
