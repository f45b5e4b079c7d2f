"""The shard planner: the seed's numbers, each quota, headroom and invalid workloads."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from patterns.kinesis_firehose_s3.shard_planning import StreamThroughput, plan_shard_count


def test_seed_case_5_mb_in_8_mb_out_spiking_twice_needs_10_shards() -> None:
    assert plan_shard_count(write_mb_per_second=5 * 2, read_mb_per_second=8 * 2) == 10


def test_write_bandwidth_decides_at_1_mb_per_shard() -> None:
    assert plan_shard_count(write_mb_per_second=3.2) == 4


def test_record_rate_decides_for_small_records() -> None:
    # 0.5 MB/s of 100-byte records is 5,000 records/s: five shards, not one.
    assert plan_shard_count(write_mb_per_second=0.5, write_records_per_second=5000) == 5


def test_read_bandwidth_decides_with_many_classic_consumers() -> None:
    # Four consumers each reading the 2 MB/s written share 2 MB/s per shard: 4 shards.
    assert plan_shard_count(write_mb_per_second=2, classic_consumers=4) == 4


def test_read_defaults_to_the_write_rate_per_consumer() -> None:
    assert plan_shard_count(write_mb_per_second=3, classic_consumers=2) == 3
    assert plan_shard_count(write_mb_per_second=3, read_mb_per_second=3, classic_consumers=2) == 3


def test_headroom_multiplies_before_rounding_up_without_float_noise() -> None:
    # 10 x 1.1 is 11.000000000000002 in floating point; the plan must still be 11.
    assert plan_shard_count(write_mb_per_second=10, headroom=1.1) == 11
    assert plan_shard_count(write_mb_per_second=10, headroom=1.25) == 13


def test_an_idle_workload_still_needs_one_shard() -> None:
    assert plan_shard_count(write_mb_per_second=0) == 1


def test_stream_throughput_plans_the_same() -> None:
    plan = StreamThroughput(write_mb_per_second=10, read_mb_per_second=16)
    assert plan.shard_count == 10


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"write_mb_per_second": -1}, r"write_mb_per_second must be 0 or more, got -1"),
        (
            {"write_mb_per_second": 1, "write_records_per_second": -5},
            r"write_records_per_second must be 0 or more",
        ),
        (
            {"write_mb_per_second": 1, "read_mb_per_second": -0.5},
            r"read_mb_per_second must be 0 or more",
        ),
        ({"write_mb_per_second": math.nan}, r"write_mb_per_second must be a finite number"),
        ({"write_mb_per_second": math.inf}, r"write_mb_per_second must be a finite number"),
        (
            {"write_mb_per_second": 1, "read_mb_per_second": math.nan},
            r"read_mb_per_second must be a finite number",
        ),
        (
            {"write_mb_per_second": 1, "classic_consumers": 0},
            r"classic_consumers must be at least 1",
        ),
        (
            {"write_mb_per_second": 1, "classic_consumers": 1.5},
            r"classic_consumers must be a whole number",
        ),
        ({"write_mb_per_second": 1, "headroom": 0.9}, r"headroom must be at least 1"),
        ({"write_mb_per_second": 1, "headroom": math.nan}, r"headroom must be a finite number"),
        ({"write_mb_per_second": "5"}, r"write_mb_per_second must be a number"),
    ],
)
def test_invalid_workloads_are_rejected(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_shard_count(**arguments)  # type: ignore[arg-type]


@pytest.mark.package
def test_the_planner_does_not_import_aws_cdk() -> None:
    code = (
        "import sys, patterns.kinesis_firehose_s3.shard_planning; "
        "sys.exit(1 if any(m.startswith('aws_cdk') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
