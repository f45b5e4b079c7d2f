"""How ``KinesisToFirehoseToS3`` is put together: metrics held, not inherited (the stream's from
the stream's own ``metric_*`` methods); Kinesis and Firehose rules read from
``patterns.limits``; the stream's readers registered in Python, without asking jsii; the shard
plan following each classic reader as it joins; one read of a stream's retention."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_kinesis as kinesis
from aws_cdk.assertions import Template
from constructs import Construct

from benchmarks.roundtrips import counting
from patterns import KinesisToFirehoseToS3, LambdaStreamConsumer, StreamThroughput
from patterns.consumers.stream_readers import stream_readers, stream_retention_hours
from patterns.limits import FIREHOSE_KINESIS_SOURCE_ACTIONS
from tests.helpers import inline_function, logical_id, new_app
from tests.kinesis_firehose_s3.common import DELIVERY, policy_statements


@pytest.fixture(scope="module")
def built() -> tuple[cdk.Stack, KinesisToFirehoseToS3]:
    stack = cdk.Stack(new_app(), "Composed")
    return stack, KinesisToFirehoseToS3(stack, "Pipeline")


def test_the_metrics_are_held_not_inherited() -> None:
    assert KinesisToFirehoseToS3.__bases__ == (Construct,)
    from patterns.kinesis_firehose_s3 import metrics

    assert not hasattr(metrics, "PipelineMetrics")


def test_stream_metrics_come_from_the_stream(
    built: tuple[cdk.Stack, KinesisToFirehoseToS3],
) -> None:
    stack, pattern = built
    ours = pattern.metric_stream_get_records_iterator_age_milliseconds(period=Duration.minutes(1))
    theirs = pattern.stream.metric_get_records_iterator_age_milliseconds(period=Duration.minutes(1))
    assert (ours.namespace, ours.metric_name, ours.statistic) == (
        theirs.namespace,
        theirs.metric_name,
        theirs.statistic,
    )
    assert stack.resolve(ours.dimensions) == stack.resolve(theirs.dimensions)


def test_delivery_metrics_name_the_delivery_stream(
    built: tuple[cdk.Stack, KinesisToFirehoseToS3],
) -> None:
    stack, pattern = built
    template = Template.from_stack(stack)
    success = pattern.metric_delivery_to_s3_success()
    assert (success.namespace, success.metric_name, success.statistic) == (
        "AWS/Firehose",
        "DeliveryToS3.Success",
        "Average",
    )
    assert stack.resolve(success.dimensions) == {
        "DeliveryStreamName": {"Ref": logical_id(template, DELIVERY, "Pipeline/DeliveryStream")}
    }
    assert pattern.metric_delivery_to_s3_success(statistic="Minimum").statistic == "Minimum"
    assert pattern.metric_throttled_get_records().statistic == "Sum"


def test_the_source_actions_are_the_limits_modules(
    built: tuple[cdk.Stack, KinesisToFirehoseToS3],
) -> None:
    """The delivery role and Messaging-FH3 read one list of what a Firehose source role needs."""
    from patterns.messaging.rules import streams_brokers

    stack, _ = built
    read = policy_statements(Template.from_stack(stack), "Pipeline/DeliveryPolicy/Resource")
    assert read["ReadSourceStream"]["Action"] == list(FIREHOSE_KINESIS_SOURCE_ACTIONS)
    assert (
        vars(streams_brokers)["FIREHOSE_KINESIS_SOURCE_ACTIONS"] is FIREHOSE_KINESIS_SOURCE_ACTIONS
    )


def test_registering_a_reader_asks_nothing_of_jsii() -> None:
    stack = cdk.Stack(new_app(), "Quiet")
    pattern = KinesisToFirehoseToS3(stack, "Pipeline")
    readers = [Construct(stack, f"Reader{index}") for index in range(3)]
    with counting() as counts:
        pattern.add_stream_reader(readers[0], enhanced_fan_out=False)
        pattern.add_stream_reader(readers[1], enhanced_fan_out=True)
        pattern.add_stream_reader(readers[2], enhanced_fan_out=True)
    assert counts.total == 0, counts.summary()
    assert stream_readers(pattern.stream).classic_readers == 2


def test_a_classic_reader_re_plans_the_stream_as_it_joins() -> None:
    stack = cdk.Stack(new_app(), "Joins")
    pattern = KinesisToFirehoseToS3(
        stack, "Pipeline", throughput=StreamThroughput(write_mb_per_second=1, read_mb_per_second=3)
    )
    resource = pattern.stream.node.default_child
    assert isinstance(resource, kinesis.CfnStream)
    assert resource.shard_count == 2  # 3 MB/s read by the delivery stream alone: 3 / 2
    LambdaStreamConsumer(
        stack, "Own", stream=pattern.stream, function=inline_function(stack, "OwnHandler")
    )
    assert resource.shard_count == 3  # before synth: 3 MB/s x 2 readers / 2


def test_a_streams_retention_is_read_in_one_place() -> None:
    stack = cdk.Stack(new_app(), "Retention")
    default = kinesis.Stream(stack, "Default")
    longer = kinesis.Stream(stack, "Longer", retention_period=Duration.hours(48))
    imported = kinesis.Stream.from_stream_arn(
        stack, "Imported", "arn:aws:kinesis:eu-west-1:123456789012:stream/s"
    )
    assert stream_retention_hours(default) == 24
    assert stream_retention_hours(longer) == 48
    assert stream_retention_hours(imported) is None
