"""Monthly charges that do not depend on traffic: CloudWatch alarm metrics and dashboards,
KMS keys, secrets, Kinesis shard-hours or on-demand stream-hours, Amazon MQ broker-hours."""

from __future__ import annotations

from typing import Any

from patterns.cost import rates
from patterns.cost.context import Template, literal, props, resource_path
from patterns.cost.lines import BY_VOLUME, Line, NotCounted
from patterns.cost.rates import HOURS_PER_MONTH
from patterns.limits import AMAZON_MQ_BROKER_INSTANCES, KINESIS_RETENTION_DEFAULT_HOURS

Rows = list[Line | NotCounted]


def alarm(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    metrics = props(resource).get("Metrics")
    if not metrics:
        high = int(literal(props(resource).get("Period")) or 60) < 60
        return [_alarm_line(path, 1, high, "")]
    expressions = " ".join(str(m.get("Expression", "")) for m in metrics)
    if "SELECT" in expressions.upper():
        reason = "a Metrics Insights query alarm is billed per metric the query analyses"
        return [NotCounted("AWS::CloudWatch::Alarm", reason, (path,))]
    if "ANOMALY_DETECTION_BAND" in expressions:
        reason = "an anomaly detection alarm is billed for the metric and its band (3 metrics)"
        return [NotCounted("AWS::CloudWatch::Alarm", reason, (path,))]
    stats = [m for m in metrics if "MetricStat" in m]
    if not stats:
        reason = "an expression alarm (SEARCH) is billed per metric it returns, unknown at synth"
        return [NotCounted("AWS::CloudWatch::Alarm", reason, (path,))]
    high = any(int(literal(m["MetricStat"].get("Period")) or 60) < 60 for m in stats)
    note = f"metric math over {len(stats)} metrics: each is an alarm metric"
    return [_alarm_line(path, len(stats), high, note)]


def _alarm_line(path: str, metrics: int, high: bool, note: str) -> Line:
    if high:
        return Line(
            path, "high-resolution alarm metrics", metrics, rates.HIGH_RESOLUTION_ALARM_METRIC, note
        )
    return Line(path, "standard alarm metrics", metrics, rates.ALARM_METRIC, note)


def composite_alarm(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    return [Line(resource_path(logical_id, resource), "composite alarm", 1, rates.COMPOSITE_ALARM)]


def dashboard(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    return [Line(resource_path(logical_id, resource), "dashboard", 1, rates.DASHBOARD)]


def kms_key(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    note = ""
    if props(resource).get("EnableKeyRotation") is True:
        days = literal(props(resource).get("RotationPeriodInDays")) or 365
        note = (
            f"rotated every {days} days: each rotation adds one backing key billed like a key "
            "(the first two rotations only), not counted in the first period"
        )
    if resource.get("Type") == "AWS::KMS::ReplicaKey":
        note = "multi-Region replica"
    lines: Rows = [Line(path, "customer-managed KMS key", 1, rates.KMS_KEY, note)]
    lines.append(
        Line(
            path,
            "KMS requests",
            None,
            rates.KMS_REQUEST,
            "by the number of data keys generated and decrypted; SQS and SNS reuse a data key "
            "for its reuse period, so requests grow with producers and consumers, not messages",
            BY_VOLUME,
        )
    )
    return lines


def secret(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    replicas = len(props(resource).get("ReplicaRegions") or [])
    note = f"plus {replicas} replicas, each billed as a secret" if replicas else ""
    path = resource_path(logical_id, resource)
    return [Line(path, "secret", 1 + replicas, rates.SECRET, note)]


def stream(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    p = props(resource)
    retention = int(literal(p.get("RetentionPeriodHours")) or KINESIS_RETENTION_DEFAULT_HOURS)
    if (p.get("StreamModeDetails") or {}).get("StreamMode") == "ON_DEMAND":
        rows: Rows = [
            Line(path, "on-demand stream-hours", HOURS_PER_MONTH, rates.ON_DEMAND_STREAM_HOUR)
        ]
        if retention > KINESIS_RETENTION_DEFAULT_HOURS:
            reason = f"{retention} h retention of an on-demand stream is billed per GB-month"
            rows.append(NotCounted("AWS::Kinesis::Stream", reason, (path,)))
        return rows
    shards = literal(p.get("ShardCount"))
    if shards is None:
        reason = "a provisioned stream whose shard count is unknown at synth"
        return [NotCounted("AWS::Kinesis::Stream", reason, (path,))]
    hours = int(shards) * HOURS_PER_MONTH
    note = f"{shards} shards x {HOURS_PER_MONTH} h"
    rows = [Line(path, "provisioned shard-hours", hours, rates.SHARD_HOUR, note)]
    if retention > KINESIS_RETENTION_DEFAULT_HOURS:
        extra = " (beyond 7 days also billed per GB-month, not counted)" if retention > 168 else ""
        rows.append(
            Line(
                path,
                "extended-retention shard-hours",
                hours,
                rates.EXTENDED_SHARD_HOUR,
                f"{retention} h retention{extra}",
            )
        )
    return rows


BROKER_INSTANCES = AMAZON_MQ_BROKER_INSTANCES
"""Broker instances per deployment mode (a RabbitMQ cluster runs three nodes)."""


def broker(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    p = props(resource)
    mode = str(p.get("DeploymentMode", "SINGLE_INSTANCE"))
    engine = str(p.get("EngineType", "ACTIVEMQ")).upper()
    instance_type = literal(p.get("HostInstanceType"))
    if instance_type is None:
        return [NotCounted("AWS::AmazonMQ::Broker", "instance type unknown at synth", (path,))]
    multi_az = mode != "SINGLE_INSTANCE"
    option = "Multi-AZ" if multi_az else "Single-AZ"
    note = (
        f"{mode}: {BROKER_INSTANCES.get(mode, 1)} instance(s) billed at the {option} broker-hour "
        f"rate (AWS's description of the rate says what it covers), {HOURS_PER_MONTH} h"
    )
    storage = str(p.get("StorageType") or ("EFS" if engine == "ACTIVEMQ" else "EBS"))
    return [
        Line(
            path,
            f"broker-hours ({instance_type})",
            HOURS_PER_MONTH,
            rates.mq_broker_hour(str(instance_type), engine, multi_az),
            note,
        ),
        Line(
            path,
            f"broker storage ({storage})",
            None,
            rates.mq_storage(engine, storage),
            "GB-month of messages stored (backlog)",
            BY_VOLUME,
        ),
    ]
