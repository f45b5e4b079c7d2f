"""docs/operating.md cannot drift: every alarm a pattern creates has its runbook row, every row
names an alarm that exists, and the page's code synthesizes."""

from __future__ import annotations

import re
from collections.abc import Callable

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2

from examples.truck_positions import TruckPositionsStack
from patterns import (
    AmazonMqBroker,
    BrokerEngine,
    KinesisToFirehoseToS3,
    QueueWithDeadLetterQueue,
    S3EventFanOut,
    SnsToSqsFanOut,
    StreamWorkerFleet,
)
from tests.helpers import ROOT, new_app

PAGE = ROOT / "docs" / "operating.md"


def _section(heading: str) -> str:
    text = PAGE.read_text()
    return text.split(f"### {heading}\n", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]


def _rows(heading: str) -> set[str]:
    pattern = r"^\| (?:per subscriber: |`S3EventFanOut` with EventBridge delivery: )?`(\w+Alarm)`"
    return set(re.findall(pattern, _section(heading), re.M)) - {"Alarm"}


def _alarm_ids(alarms: list[cloudwatch.Alarm]) -> set[str]:
    return {alarm.node.id for alarm in alarms}


def _queue(stack: cdk.Stack) -> list[cloudwatch.Alarm]:
    return QueueWithDeadLetterQueue(stack, "Queue").alarms


def _fan_out(stack: cdk.Stack) -> list[cloudwatch.Alarm]:
    fan_out = SnsToSqsFanOut(stack, "FanOut")
    fan_out.add_queue("Subscriber")
    uploads = S3EventFanOut(stack, "Uploads")  # EventBridge delivery adds its own two
    uploads.add_queue("Subscriber")
    return [*fan_out.alarms, *uploads.alarms]


def _kinesis(stack: cdk.Stack) -> list[cloudwatch.Alarm]:
    """The defaults, and the TruckPositions example, which converts and partitions too."""
    trucks = TruckPositionsStack(new_app(), "Trucks")
    converting = [c for c in trucks.node.find_all() if isinstance(c, KinesisToFirehoseToS3)]
    fleets = [c for c in trucks.node.find_all() if isinstance(c, StreamWorkerFleet)]
    return [
        *KinesisToFirehoseToS3(stack, "Pipeline").alarms,
        *(alarm for pattern in converting for alarm in pattern.alarms),
        *(alarm for fleet in fleets for alarm in fleet.alarms),  # its geofencing fleet
    ]


def _brokers(stack: cdk.Stack) -> list[cloudwatch.Alarm]:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, restrict_default_security_group=False)
    return [
        alarm
        for engine in BrokerEngine
        for alarm in AmazonMqBroker(stack, engine.name, vpc=vpc, engine=engine).alarms
    ]


@pytest.mark.parametrize(
    ("heading", "build"),
    [
        ("Queue with dead-letter queue", _queue),
        ("SNS to SQS fan-out (and S3 event fan-out)", _fan_out),
        ("Kinesis to Firehose to S3", _kinesis),
        ("Amazon MQ broker", _brokers),
    ],
)
def test_every_alarm_has_a_runbook_row_and_every_row_an_alarm(
    heading: str, build: Callable[[cdk.Stack], list[cloudwatch.Alarm]]
) -> None:
    alarms = _alarm_ids(build(cdk.Stack(new_app(), "Ops")))
    rows = _rows(heading)
    if heading.startswith(("SNS", "Kinesis")):
        # Subscriber queues and a stream consumer's failure destination are queues.
        rows |= _rows("Queue with dead-letter queue")
    if heading.startswith("Kinesis"):
        # TruckPositions has a Lambda consumer and a KCL fleet on its stream.
        rows |= _rows("Lambda consumers and worker fleets")
    assert alarms == rows


def test_the_page_code_synthesizes() -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
    assert len(blocks) == 2  # the dashboard, redrive without AWS
    for code in blocks:
        exec(compile(code, "operating.md", "exec"), {"__name__": "__doc_example__"})
