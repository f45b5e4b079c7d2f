"""The Kinesis data stream of ``KinesisToFirehoseToS3``: capacity mode, shards, retention, key.

The shard count comes from ``shard_count`` or from a ``StreamThroughput`` plan
(``shard_planning``); an unplanned stream is on-demand.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from aws_cdk import Annotations, Duration
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from constructs import Construct

from patterns.compliance import acknowledge
from patterns.kinesis_firehose_s3.shard_planning import StreamThroughput
from patterns.limits import (
    KINESIS_RETENTION_DEFAULT_HOURS,
    KINESIS_SHARD_QUOTA_DEFAULT,
    KINESIS_SHARD_QUOTA_LARGEST_REGIONS,
)

if TYPE_CHECKING:
    from patterns.kinesis_firehose_s3.options import PipelineOptions

DEFAULT_RETENTION = Duration.hours(KINESIS_RETENTION_DEFAULT_HOURS)


def new_stream(
    scope: Construct, o: PipelineOptions, *, encryption_key: kms.IKey
) -> tuple[kinesis.Stream, int | None]:
    """A new stream (child ``Stream`` of ``scope``) and the shards it was planned with.

    The shard count is that of a new provisioned stream when known at synth (for the
    capacity lines of the dashboard), else ``None``.
    """
    planned = o.shard_count if o.throughput is None else o.throughput.shard_count
    mode = o.stream_mode or (
        kinesis.StreamMode.PROVISIONED if planned is not None else kinesis.StreamMode.ON_DEMAND
    )
    # A number token is a float: an int is known at synth.
    known = planned if isinstance(planned, int) else None
    if known is not None and known > KINESIS_SHARD_QUOTA_DEFAULT:
        Annotations.of(scope).add_warning_v2(
            "patterns:ShardQuota",
            f"{known} shards exceed the default shard quota of most regions "
            f"({KINESIS_SHARD_QUOTA_DEFAULT}; {KINESIS_SHARD_QUOTA_LARGEST_REGIONS} in "
            "us-east-1, us-west-2 and eu-west-1): request a quota increase before deploying, "
            "or use ON_DEMAND",
        )
    stream = kinesis.Stream(
        scope,
        "Stream",
        stream_name=o.stream_name,
        stream_mode=mode,
        shard_count=planned,
        retention_period=o.retention_period or DEFAULT_RETENTION,
        encryption=kinesis.StreamEncryption.KMS,
        encryption_key=encryption_key,
        removal_policy=o.stream_removal,
    )
    acknowledge(
        stream,
        "AwsSolutions::AwsSolutions-KDS3",
        "A customer-managed key is deliberate: its policy and rotation stay under the "
        "owner's control, it can be shared with consumers in other accounts and "
        "disabled to cut off access, none of which the aws/kinesis key allows.",
    )
    provisioned = mode == kinesis.StreamMode.PROVISIONED
    return stream, known if provisioned else None


class ClassicReadersPlan:
    """The shard plan of the pattern's new stream for every classic reader registered in
    ``patterns.consumers.stream_readers`` (the delivery stream, Lambda consumers, worker
    fleets): re-planned in Python each time one joins, and said once at synth, or, when the
    shard count was given and the plan cannot know them, warned about once with their total.

    Every classic reader shares each shard's 2 MB/s and 5 ``GetRecords`` calls per second.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        stream: kinesis.Stream,
        shard_count: int | None,
        throughput: StreamThroughput | None,
    ) -> None:
        self._scope, self._stream = scope, stream
        self._given, self._throughput = shard_count, throughput
        self._planned = self._shards = None if throughput is None else throughput.shard_count

    def readers_changed(self, classic_readers: int) -> None:
        throughput = self._throughput
        if throughput is None or self._shards is None:
            return
        if throughput.classic_consumers >= classic_readers:
            return
        replanned = dataclasses.replace(throughput, classic_consumers=classic_readers).shard_count
        if replanned > self._shards:
            resource = self._stream.node.default_child
            if isinstance(resource, kinesis.CfnStream):
                resource.shard_count = self._shards = replanned

    def at_synth(self, classic_readers: int) -> None:
        if classic_readers <= 1:
            return
        throughput = self._throughput
        if throughput is None:
            shards = self._given
            if isinstance(shards, int) and not isinstance(shards, bool):  # not a token
                Annotations.of(self._scope).add_warning_v2(
                    "patterns:ShardCountNotPlannedForReaders",
                    f"The stream has {shards} shard(s) given as shard_count, read by "
                    f"{classic_readers} classic readers (the delivery stream and "
                    f"{classic_readers - 1} more; each shard's 2 MB/s and 5 reads/s are shared "
                    "by all of them). Pass throughput=StreamThroughput(..., classic_consumers="
                    f"{classic_readers}) to plan for them, or read with enhanced_fan_out=True.",
                )
            return
        if self._shards != self._planned:
            Annotations.of(self._scope).add_info(
                f"Re-planned the stream from {self._planned} to {self._shards} shards for "
                f"{classic_readers} classic readers (throughput counted "
                f"{throughput.classic_consumers})."
            )
