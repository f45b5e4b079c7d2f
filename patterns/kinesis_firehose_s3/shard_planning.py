"""Shard planning for provisioned Kinesis data streams.

A provisioned shard takes in up to 1 MB/s or 1,000 records/s (whichever comes first) and
serves up to 2 MB/s, shared by every classic (``GetRecords``) consumer of the shard.
Enhanced fan-out consumers get their own 2 MB/s per shard and do not count against it.
``plan_shard_count`` turns a workload's peak rates into the shard count those quotas need.

This module imports nothing from aws-cdk-lib: plan capacity anywhere, even outside CDK.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from patterns.limits import (
    KINESIS_SHARD_READ_MB_PER_SECOND,
    KINESIS_SHARD_WRITE_MB_PER_SECOND,
    KINESIS_SHARD_WRITE_RECORDS_PER_SECOND,
)

# Rounds away float noise before the ceiling (10 * 1.1 is 11.000000000000002, not 11).
_DECIMALS = 9


def plan_shard_count(
    *,
    write_mb_per_second: float,
    write_records_per_second: float = 0,
    read_mb_per_second: float | None = None,
    classic_consumers: int = 1,
    headroom: float = 1.0,
) -> int:
    """The number of provisioned shards a workload needs at its peak.

    ``max(write MB/s / 1, write records/s / 1,000, read MB/s x classic consumers / 2)``,
    times ``headroom``, rounded up, and at least 1.

    :param write_mb_per_second: Peak MB/s that producers write (all producers together).
        Use the peak, not the average: a 5 MB/s stream that spikes to twice that needs 10.
    :param write_records_per_second: Peak records/s that producers write. Default: 0 (sized
        on MB/s only). Many small records hit the 1,000 records/s quota before 1 MB/s.
    :param read_mb_per_second: Peak MB/s that each classic consumer reads. Default: the
        write rate (every consumer keeps up with the producers). Set it higher for
        consumers that catch up after a pause or replay.
    :param classic_consumers: Applications reading with ``GetRecords`` (KCL 1.x, Lambda
        without enhanced fan-out, Amazon Data Firehose). They share each shard's 2 MB/s.
        Default: 1. Enhanced fan-out consumers have their own throughput: do not count them.
    :param headroom: Factor for spare capacity, at least 1. Default: 1.0 (none). With 1.2,
        the stream can absorb a 20 % surge above the planned peak before throttling.
    :raises ValueError: For a negative, infinite or NaN rate, fewer than one classic
        consumer, or a headroom below 1.
    """
    _check_rate("write_mb_per_second", write_mb_per_second)
    _check_rate("write_records_per_second", write_records_per_second)
    if read_mb_per_second is not None:
        _check_rate("read_mb_per_second", read_mb_per_second)
    if isinstance(classic_consumers, bool) or not isinstance(classic_consumers, int):
        raise ValueError(
            f"classic_consumers must be a whole number of at least 1, got {classic_consumers!r}"
        )
    if classic_consumers < 1:
        raise ValueError(
            f"classic_consumers must be at least 1, got {classic_consumers}: the stream has to "
            "be read by something (count Amazon Data Firehose as one)"
        )
    _check_rate("headroom", headroom)
    if headroom < 1:
        raise ValueError(
            f"headroom must be at least 1 (1.0 means no spare capacity), got {headroom:g}; "
            "a headroom below 1 would plan fewer shards than the peak needs"
        )

    per_consumer_read = write_mb_per_second if read_mb_per_second is None else read_mb_per_second
    needed = max(
        write_mb_per_second / KINESIS_SHARD_WRITE_MB_PER_SECOND,
        write_records_per_second / KINESIS_SHARD_WRITE_RECORDS_PER_SECOND,
        per_consumer_read * classic_consumers / KINESIS_SHARD_READ_MB_PER_SECOND,
    )
    return max(1, math.ceil(round(needed * headroom, _DECIMALS)))


@dataclass(frozen=True)
class StreamThroughput:
    """A workload's peak rates, for a construct to size its stream with ``plan_shard_count``.

    The fields are the arguments of [`plan_shard_count`][patterns.plan_shard_count], with the
    same defaults. Give it to ``KinesisToFirehoseToS3(throughput=...)`` instead of a shard
    count; count the delivery stream among ``classic_consumers`` (it reads the whole stream
    with ``GetRecords``), as the default of 1 does. The construct re-plans the stream when
    more classic readers join (``add_lambda_consumer``, ``add_stream_reader``) than
    ``classic_consumers`` counts.

    :param write_mb_per_second: Peak MB/s that producers write (all producers together).
    :param write_records_per_second: Peak records/s that producers write. Default: 0 (sized
        on MB/s only).
    :param read_mb_per_second: Peak MB/s that each classic consumer reads. Default: the
        write rate.
    :param classic_consumers: Applications reading with ``GetRecords``, the delivery stream
        included. Default: 1 (the delivery stream alone).
    :param headroom: Factor for spare capacity, at least 1. Default: 1.0 (none).
    """

    write_mb_per_second: float
    """Peak MB/s that producers write, all together."""
    write_records_per_second: float = 0
    """Peak records/s that producers write; 0: sized on MB/s only."""
    read_mb_per_second: float | None = None
    """Peak MB/s that each classic consumer reads; ``None``: the write rate."""
    classic_consumers: int = 1
    """Applications reading with ``GetRecords``, sharing each shard's 2 MB/s."""
    headroom: float = 1.0
    """Factor for spare capacity; 1.0: none."""

    @property
    def shard_count(self) -> int:
        """The shard count ``plan_shard_count`` plans for these rates.

        Raises ``ValueError`` for an invalid workload (a negative, infinite or NaN rate, fewer
        than one classic consumer, or a headroom below 1).
        """
        return plan_shard_count(
            write_mb_per_second=self.write_mb_per_second,
            write_records_per_second=self.write_records_per_second,
            read_mb_per_second=self.read_mb_per_second,
            classic_consumers=self.classic_consumers,
            headroom=self.headroom,
        )


def _check_rate(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, got {value:g}")
