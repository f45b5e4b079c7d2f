"""The Kinesis data stream of ``KinesisToFirehoseToS3``: capacity mode, shards, retention, key.

The shard count comes from ``shard_count`` or from a ``StreamThroughput`` plan
(``shard_planning``); an unplanned stream is on-demand.
"""

from __future__ import annotations

import dataclasses

import jsii
from aws_cdk import Annotations, Duration, IAspect, RemovalPolicy, Token
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from constructs import Construct, IConstruct

from patterns.compliance import acknowledge
from patterns.kinesis_firehose_s3.shard_planning import StreamThroughput

# Kinesis Data Streams: retention from 24 hours to 365 days (8,760 hours).
RETENTION_MIN = Duration.hours(24)
RETENTION_MAX = Duration.hours(8760)
DEFAULT_RETENTION = RETENTION_MIN
# Default per-region shard quota is 500 in us-east-1, us-west-2 and eu-west-1, 200 elsewhere.
DEFAULT_SHARD_QUOTA = 200
STREAM_NAME_MAX_LENGTH = 128


def new_stream(
    scope: Construct,
    *,
    stream_name: str | None,
    stream_mode: kinesis.StreamMode | None,
    shard_count: int | None,
    throughput: StreamThroughput | None,
    retention_period: Duration,
    encryption_key: kms.IKey,
    removal_policy: RemovalPolicy,
) -> tuple[kinesis.Stream, int | None]:
    """A new stream (child ``Stream`` of ``scope``) and the shards it was planned with.

    The shard count is that of a new provisioned stream when known at synth (for the
    capacity lines of the dashboard), else ``None``.
    """
    planned = shard_count
    if throughput is not None:
        planned = throughput.shard_count
    mode = stream_mode or (
        kinesis.StreamMode.PROVISIONED if planned is not None else kinesis.StreamMode.ON_DEMAND
    )
    if planned is not None and not Token.is_unresolved(planned) and planned > DEFAULT_SHARD_QUOTA:
        Annotations.of(scope).add_warning_v2(
            "patterns:ShardQuota",
            f"{planned} shards exceed the default shard quota of most regions "
            f"({DEFAULT_SHARD_QUOTA}; 500 in us-east-1, us-west-2 and eu-west-1): "
            "request a quota increase before deploying, or use ON_DEMAND",
        )
    stream = kinesis.Stream(
        scope,
        "Stream",
        stream_name=stream_name,
        stream_mode=mode,
        shard_count=planned,
        retention_period=retention_period,
        encryption=kinesis.StreamEncryption.KMS,
        encryption_key=encryption_key,
        removal_policy=removal_policy,
    )
    acknowledge(
        stream,
        "AwsSolutions::AwsSolutions-KDS3",
        "A customer-managed key is deliberate: its policy and rotation stay under the "
        "owner's control, it can be shared with consumers in other accounts and "
        "disabled to cut off access, none of which the aws/kinesis key allows.",
    )
    planned_shards: int | None = None
    if mode == kinesis.StreamMode.PROVISIONED and planned is not None:
        planned_shards = None if Token.is_unresolved(planned) else int(planned)
    return stream, planned_shards


@jsii.implements(IAspect)
class ClassicReadersPlan:
    """At synth, once for the whole app: plan the shards of the pattern's stream for every
    classic reader registered in ``patterns.consumers.stream_readers`` (the delivery stream,
    Lambda consumers, worker fleets), or warn once, with their total, when the shard count
    was given and the plan cannot know them.

    Every classic reader shares each shard's 2 MB/s and 5 ``GetRecords`` calls per second.
    Attached (``Aspects.of(...)``) to one leaf of the pattern, so it is visited once.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        stream: kinesis.IStream,
        throughput: StreamThroughput | None,
    ) -> None:
        self._scope, self._stream, self._throughput = scope, stream, throughput

    def visit(self, node: IConstruct) -> None:
        from patterns.consumers.stream_readers import stream_readers

        readers = stream_readers(self._stream).classic_readers
        resource = self._stream.node.default_child
        if readers <= 1 or not isinstance(resource, kinesis.CfnStream):
            return
        throughput = self._throughput
        if throughput is None:
            shards = resource.shard_count
            if isinstance(shards, int):  # not ON_DEMAND, nor a token
                Annotations.of(self._scope).add_warning_v2(
                    "patterns:ShardCountNotPlannedForReaders",
                    f"The stream has {shards} shard(s) given as shard_count, read by "
                    f"{readers} classic readers (the delivery stream and "
                    f"{readers - 1} more; each shard's 2 MB/s and 5 reads/s are shared by all "
                    "of them). Pass throughput=StreamThroughput(..., classic_consumers="
                    f"{readers}) to plan for them, or read with enhanced_fan_out=True.",
                )
            return
        if throughput.classic_consumers >= readers:
            return
        planned = throughput.shard_count
        replanned = dataclasses.replace(throughput, classic_consumers=readers).shard_count
        if replanned > planned:
            resource.shard_count = replanned
            Annotations.of(self._scope).add_info(
                f"Re-planned the stream from {planned} to {replanned} shards for "
                f"{readers} classic readers (throughput counted "
                f"{throughput.classic_consumers})."
            )
