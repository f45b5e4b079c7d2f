"""Kinesis, end to end on the TruckPositions stream (E2eTruckPositionsStream, see
``local_app.py``): records put with a partition key come back in order per key.

Firehose delivery to S3 is not run here: LocalStack's Firehose needs Java downloaded at run
time to read from a Kinesis stream. It is covered by the template tests
(tests/kinesis_firehose_s3/) only, listed in docs/testing.md.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.e2e.aws import client, new_tag
from tests.e2e.local_app import TRUCK_THROUGHPUT
from tests.e2e.outputs import StackOutputs

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def kinesis(deployed: StackOutputs) -> Any:
    return client("kinesis")


def _read_all(kinesis: Any, stream: str) -> list[dict[str, Any]]:
    """Every record of every shard, from the start, each shard in sequence order."""
    records: list[dict[str, Any]] = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            records += response["Records"]
            if response.get("MillisBehindLatest", 0) == 0 and not response["Records"]:
                break
            iterator = response.get("NextShardIterator")
    return records


def test_stream_has_the_planned_shards(kinesis: Any, deployed: StackOutputs):
    stream = deployed["E2eTruckPositionsStream"]["StreamName"]
    shards = kinesis.list_shards(StreamName=stream)["Shards"]
    assert len(shards) == TRUCK_THROUGHPUT.shard_count


def test_records_come_back_in_order_per_partition_key(kinesis: Any, deployed: StackOutputs):
    stream = deployed["E2eTruckPositionsStream"]["StreamName"]
    tag = new_tag()
    trucks = [f"truck-{n:03d}" for n in range(8)]
    sent: dict[str, list[int]] = {truck: [] for truck in trucks}
    for second in range(6):  # interleaved, as 8 trucks report each second
        records = [
            {
                "Data": json.dumps({"tag": tag, "truck_id": truck, "t": second}).encode(),
                "PartitionKey": truck,
            }
            for truck in trucks
        ]
        response = kinesis.put_records(StreamName=stream, Records=records)
        assert response["FailedRecordCount"] == 0
        for truck in trucks:
            sent[truck].append(second)

    received: dict[str, list[int]] = {truck: [] for truck in trucks}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        received = {truck: [] for truck in trucks}
        for record in _read_all(kinesis, stream):
            fix = json.loads(record["Data"])
            if fix.get("tag") == tag:
                assert record["PartitionKey"] == fix["truck_id"]
                received[fix["truck_id"]].append(fix["t"])
        if received == sent:
            break
        time.sleep(1)
    assert received == sent  # every fix once, each truck's track in the order sent
