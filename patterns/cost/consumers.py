"""What consumers cost: Lambda requests and GB-seconds per million messages, a Fargate fleet's
vCPU- and GB-hours at its minimum size, enhanced fan-out consumers, DynamoDB tables (a KCL
worker fleet's lease tables among them)."""

from __future__ import annotations

import json
import math
from typing import Any

from patterns.cost import rates
from patterns.cost.context import Template, literal, props, referenced, resource_path
from patterns.cost.lines import BY_VOLUME, GB_PER_MILLION_KB, MILLION, PER_MILLION, Line, NotCounted
from patterns.cost.rates import HOURS_PER_MONTH

Rows = list[Line | NotCounted]

_DEFAULT_BATCH = {"AWS::SQS::Queue": 10, "AWS::Kinesis::Stream": 100}
"""Lambda's default batch size per event source (SQS 10, Kinesis 100, Amazon MQ 100)."""


def _batch_size(template: Template, mapping: dict[str, Any]) -> int:
    p = props(mapping)
    given = literal(p.get("BatchSize"))
    if given:
        return int(given)
    source = template.by_id(referenced(p.get("EventSourceArn")))
    return _DEFAULT_BATCH.get(str((source or {}).get("Type")), 100)


def lambda_function(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    p = props(resource)
    batches = [
        _batch_size(template, mapping)
        for _, mapping in template.of_type("AWS::Lambda::EventSourceMapping")
        if referenced(props(mapping).get("FunctionName")) == logical_id
    ]
    batches += [
        1
        for _, sub in template.of_type("AWS::SNS::Subscription")
        if props(sub).get("Protocol") == "lambda"
        and referenced(props(sub).get("Endpoint")) == logical_id
    ]
    transforms = _firehose_transforms(template, logical_id)
    if not batches and transforms:
        return _transform_lines(template, path, resource, transforms)
    if not batches:
        reason = (
            "no event source mapping or SNS subscription invokes it: a deploy-time custom "
            "resource handler, or a trigger whose traffic the template cannot tell"
        )
        return [NotCounted("AWS::Lambda::Function", reason, (path,))]
    arm = "arm64" in (p.get("Architectures") or [])
    memory_mb = int(literal(p.get("MemorySize")) or 128)
    duration_ms = template.assumptions.lambda_duration_ms
    invocations = sum(math.ceil(MILLION / batch) for batch in batches)
    gb_seconds = round(invocations * duration_ms / 1000 * memory_mb / 1024, 4)
    sizes = ", ".join(str(b) for b in batches)
    return [
        Line(path, "Lambda requests", invocations, rates.lambda_requests(arm),
             f"one invocation per full batch of {sizes} message(s)", PER_MILLION),
        Line(path, "Lambda duration", gb_seconds, rates.lambda_duration(arm),
             f"{invocations:,} invocations x {duration_ms} ms x {memory_mb} MB", PER_MILLION),
    ]  # fmt: skip


def _firehose_transforms(template: Template, function_id: str) -> list[float]:
    """Buffer sizes (MB) of the Firehose transformations that invoke the function."""
    sizes = []
    for _, delivery in template.of_type("AWS::KinesisFirehose::DeliveryStream"):
        s3 = props(delivery).get("ExtendedS3DestinationConfiguration") or {}
        for processor in (s3.get("ProcessingConfiguration") or {}).get("Processors") or []:
            parameters = {
                str(p.get("ParameterName")): p.get("ParameterValue")
                for p in processor.get("Parameters") or []
            }
            if (
                processor.get("Type") == "Lambda"
                and referenced(parameters.get("LambdaArn")) == function_id
            ):
                sizes.append(float(literal(parameters.get("BufferSizeInMBs")) or 1))
    return sizes


def _transform_lines(
    template: Template, path: str, resource: dict[str, Any], buffers_mb: list[float]
) -> Rows:
    """A Firehose transformation: one invocation per full buffer of records."""
    p = props(resource)
    arm = "arm64" in (p.get("Architectures") or [])
    memory_mb = int(literal(p.get("MemorySize")) or 128)
    duration_ms = template.assumptions.lambda_duration_ms
    kb = template.assumptions.message_kb
    invocations = sum(math.ceil(MILLION * kb / (size * 1024)) for size in buffers_mb)
    gb_seconds = round(invocations * duration_ms / 1000 * memory_mb / 1024, 4)
    sizes = ", ".join(f"{size:g}" for size in buffers_mb)
    return [
        Line(path, "Lambda requests", invocations, rates.lambda_requests(arm),
             f"a Firehose transformation: one invocation per full {sizes} MB buffer of "
             f"{kb} KB records (a buffer interval that ends first means more)", PER_MILLION),
        Line(path, "Lambda duration", gb_seconds, rates.lambda_duration(arm),
             f"{invocations:,} invocations x {duration_ms} ms x {memory_mb} MB", PER_MILLION),
    ]  # fmt: skip


def _task_size(template: Template, service: dict[str, Any]) -> tuple[float, float, bool] | None:
    definition = template.by_id(referenced(props(service).get("TaskDefinition")))
    if definition is None:
        return None
    p = props(definition)
    cpu, memory = literal(p.get("Cpu")), literal(p.get("Memory"))
    if cpu is None or memory is None:
        return None
    platform = p.get("RuntimePlatform") or {}
    arm = str(platform.get("CpuArchitecture", "")).upper() == "ARM64"
    return int(cpu) / 1024, int(memory) / 1024, arm


def _minimum_tasks(template: Template, logical_id: str, service: dict[str, Any]) -> int:
    for _, target in template.of_type("AWS::ApplicationAutoScaling::ScalableTarget"):
        p = props(target)
        if p.get("ScalableDimension") == "ecs:service:DesiredCount" and logical_id in json.dumps(
            p.get("ResourceId")
        ):
            return int(literal(p.get("MinCapacity")) or 0)
    return int(literal(props(service).get("DesiredCount")) or 1)


def ecs_service(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    path = resource_path(logical_id, resource)
    p = props(resource)
    providers = [str(s.get("CapacityProvider")) for s in p.get("CapacityProviderStrategy") or []]
    fargate = p.get("LaunchType") == "FARGATE" or any(x.startswith("FARGATE") for x in providers)
    if not fargate:
        reason = "tasks on EC2 capacity are billed as the EC2 instances of the cluster"
        return [NotCounted("AWS::ECS::Service", reason, (path,))]
    size = _task_size(template, resource)
    if size is None:
        reason = "task CPU or memory unknown at synth"
        return [NotCounted("AWS::ECS::Service", reason, (path,))]
    vcpu, memory_gb, arm = size
    tasks = _minimum_tasks(template, logical_id, resource)
    spot = (
        " (Fargate Spot is cheaper; the on-demand rate is applied)"
        if "FARGATE_SPOT" in providers
        else ""
    )
    note = f"{tasks} task(s), the fleet's minimum, x {{}} x {HOURS_PER_MONTH} h{spot}"
    return [
        Line(path, "Fargate vCPU-hours", tasks * vcpu * HOURS_PER_MONTH, rates.fargate_vcpu(arm),
             note.format(f"{vcpu:g} vCPU")),
        Line(path, "Fargate GB-hours", tasks * memory_gb * HOURS_PER_MONTH,
             rates.fargate_memory(arm), note.format(f"{memory_gb:g} GB")),
    ]  # fmt: skip


def stream_consumer(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    """An enhanced fan-out consumer: consumer-shard-hours and GB read, on its stream's mode."""
    path = resource_path(logical_id, resource)
    stream = template.by_id(referenced(props(resource).get("StreamARN")))
    kb = template.assumptions.message_kb
    gb = round(kb * GB_PER_MILLION_KB, 4)
    if stream is None:
        reason = "its stream is in another stack: priced with the stream's mode unknown"
        return [NotCounted("AWS::Kinesis::StreamConsumer", reason, (path,))]
    stream_props = props(stream)
    if (stream_props.get("StreamModeDetails") or {}).get("StreamMode") == "ON_DEMAND":
        return [
            Line(path, "enhanced fan-out data out", gb, rates.ON_DEMAND_EFO_DATA,
                 "each record read once by this consumer", PER_MILLION)
        ]  # fmt: skip
    shards = literal(stream_props.get("ShardCount"))
    rows: Rows = [
        Line(path, "enhanced fan-out data out", gb, rates.EFO_DATA,
             "each record read once by this consumer", PER_MILLION)
    ]  # fmt: skip
    if shards is None:
        reason = "consumer-shard-hours: the stream's shard count is unknown at synth"
        rows.append(NotCounted("AWS::Kinesis::StreamConsumer", reason, (path,)))
    else:
        hours = int(shards) * HOURS_PER_MONTH
        note = f"{shards} shards x {HOURS_PER_MONTH} h"
        rows.append(Line(path, "consumer-shard-hours", hours, rates.EFO_CONSUMER_SHARD_HOUR, note))
    return rows


def dynamodb_table(template: Template, logical_id: str, resource: dict[str, Any]) -> Rows:
    """A table (a KCL lease table, for one): capacity-hours or on-demand requests, storage."""
    path = resource_path(logical_id, resource)
    p = props(resource)
    rows: Rows = []
    traffic = "lease renewals and checkpoints of a KCL fleet, or your application's traffic"
    if (
        p.get("BillingMode") == "PAY_PER_REQUEST"
        or resource.get("Type") == "AWS::DynamoDB::GlobalTable"
    ):
        rows += [
            Line(path, "on-demand write request units", None, rates.DYNAMODB_WRITE_REQUEST,
                 traffic, BY_VOLUME),
            Line(path, "on-demand read request units", None, rates.DYNAMODB_READ_REQUEST,
                 traffic, BY_VOLUME),
        ]  # fmt: skip
    else:
        throughput = p.get("ProvisionedThroughput") or {}
        for key, item, spec in (
            ("WriteCapacityUnits", "write capacity unit-hours", rates.DYNAMODB_WCU_HOUR),
            ("ReadCapacityUnits", "read capacity unit-hours", rates.DYNAMODB_RCU_HOUR),
        ):
            units = literal(throughput.get(key))
            if units is None:
                rows.append(NotCounted(resource["Type"], f"{key} unknown at synth", (path,)))
            else:
                note = f"{units} units x {HOURS_PER_MONTH} h (auto scaling may change it)"
                rows.append(Line(path, item, int(units) * HOURS_PER_MONTH, spec, note))
    rows.append(
        Line(path, "table storage", None, rates.DYNAMODB_STORAGE, "GB-month stored", BY_VOLUME)
    )
    recovery = p.get("PointInTimeRecoverySpecification") or {}
    if recovery.get("PointInTimeRecoveryEnabled") is True:
        rows.append(
            Line(path, "point-in-time recovery", None, rates.DYNAMODB_PITR,
                 "GB-month of the table's size", BY_VOLUME)
        )  # fmt: skip
    return rows
