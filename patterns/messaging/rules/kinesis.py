"""Rules on Kinesis data streams and who reads them (``Messaging-KIN*``)."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.limits import (
    KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX,
    KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX_ON_DEMAND_ADVANTAGE,
    KINESIS_SHARD_READ_MB_PER_SECOND,
    KINESIS_SHARD_READS_PER_SECOND,
)
from patterns.messaging.model import StackModel
from patterns.messaging.readers import STREAM, stream_consumers, stream_readers
from patterns.messaging.rules.base import ERROR, WARNING, Hit, Rule, rule

_EFO_MAX = KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX
_EFO_MAX_ADVANTAGE = KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX_ON_DEMAND_ADVANTAGE
KINESIS_ENHANCED_FAN_OUT = "https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html"
KINESIS_REGISTER_CONSUMER = (
    "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html"
)
KINESIS_QUOTAS = "https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html"
LAMBDA_KINESIS = "https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html"


def _on_demand(model: StackModel, stream: str) -> bool:
    details = model.props(stream).get("StreamModeDetails")
    return isinstance(details, dict) and details.get("StreamMode") == "ON_DEMAND"


@rule(
    "KIN1",
    ERROR,
    title=f"More than {_EFO_MAX} enhanced fan-out consumers are registered on one stream.",
    why=f"Kinesis registers up to {_EFO_MAX} enhanced fan-out consumers "
    "(AWS::Kinesis::StreamConsumer) per stream; registering one more fails, and so does the "
    "deploy. Only an on-demand stream in an account that uses On-demand Advantage mode (a "
    f"setting no template shows) takes up to {_EFO_MAX_ADVANTAGE}.",
    fix="Share a consumer between readers that can, read with the shared-throughput API "
    "(GetRecords) where latency allows, or split the records over more than one stream; "
    "acknowledge the finding on an on-demand stream of an account in On-demand Advantage mode.",
    sources=(KINESIS_ENHANCED_FAN_OUT, KINESIS_REGISTER_CONSUMER),
)
def kinesis_too_many_consumers(model: StackModel) -> Iterator[Hit]:
    for stream, _ in model.of_type(STREAM):
        count = len(stream_consumers(model, stream))
        if count > KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX:
            advantage = (
                f" ({_EFO_MAX_ADVANTAGE} only in On-demand Advantage mode)"
                if _on_demand(model, stream)
                else ""
            )
            yield Hit(
                stream,
                f"{count} enhanced fan-out consumers on {stream}, at most "
                f"{KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX}{advantage}",
            )


@rule(
    "KIN2",
    WARNING,
    title="More classic (shared-throughput) readers poll a stream than a shard serves.",
    why="Readers without enhanced fan-out share each shard's "
    f"{KINESIS_SHARD_READS_PER_SECOND} GetRecords calls and {KINESIS_SHARD_READ_MB_PER_SECOND:g} "
    "MB per second; Lambda polls each shard once a second for each event source mapping, and "
    "the other readers (Firehose, Kinesis Client Library workers) poll every shard in a loop "
    f"too. With more than {KINESIS_SHARD_READS_PER_SECOND} such readers the calls are throttled "
    "(ReadProvisionedThroughputExceeded) "
    "even on an idle stream, every reader falls behind, and records expire from the stream "
    "unread once the lag passes its retention. Readers counted: event source mappings on the "
    "stream (not on a consumer), Firehose delivery streams with the stream as source, and any "
    "other role whose policy allows kinesis:GetRecords on it (a worker fleet on ECS or EC2 "
    "counts once per role).",
    fix="Give the readers that need their own throughput an enhanced fan-out consumer (CDK: "
    "kinesis.StreamConsumer and a KinesisConsumerEventSource), or merge readers.",
    sources=(KINESIS_QUOTAS, KINESIS_ENHANCED_FAN_OUT, LAMBDA_KINESIS),
)
def kinesis_shared_readers(model: StackModel) -> Iterator[Hit]:
    for stream, _ in model.of_type(STREAM):
        classic = [r for r in stream_readers(model, stream) if not r.enhanced_fan_out]
        if len(classic) > KINESIS_SHARD_READS_PER_SECOND:
            names = ", ".join(r.logical_id for r in classic)
            yield Hit(
                stream,
                f"{len(classic)} shared-throughput readers of {stream} ({names}) share "
                f"{KINESIS_SHARD_READS_PER_SECOND} reads per second per shard",
            )


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    kinesis_too_many_consumers,
    kinesis_shared_readers,
)
