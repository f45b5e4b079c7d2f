"""Lambda consumers of Kinesis streams: defaults, enhanced fan-out, the shard plan, validation."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from patterns import KinesisToFirehoseToS3, QueueWithDeadLetterQueue, StreamThroughput
from tests.helpers import arn, by_path, inline_function, logical_id, new_app, ref

ESM = "AWS::Lambda::EventSourceMapping"
ALARM = "AWS::CloudWatch::Alarm"
STREAM = "AWS::Kinesis::Stream"


class Built:
    def __init__(self) -> None:
        app = new_app()
        stack = cdk.Stack(app, "Test")
        self.stack = stack
        topic = sns.Topic(stack, "AlarmTopic")
        self.planned = KinesisToFirehoseToS3(
            stack,
            "Planned",
            throughput=StreamThroughput(
                write_mb_per_second=1, read_mb_per_second=3, classic_consumers=1
            ),
            retention_period=Duration.days(2),
            alarm_actions=[cw_actions.SnsAction(topic)],
        )
        self.classic = self.planned.add_lambda_consumer("Map", inline_function(stack, "MapHandler"))
        self.shared_failures = QueueWithDeadLetterQueue(stack, "Failures")
        self.efo = self.planned.add_lambda_consumer(
            "Geofence",
            inline_function(stack, "GeofenceHandler"),
            enhanced_fan_out=True,
            failure_destination=self.shared_failures,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=500,
            max_batching_window=Duration.seconds(5),
            parallelization_factor=10,
            retry_attempts=0,
            max_record_age=Duration.days(2),
            report_batch_item_failures=False,
            iterator_age_alarm_threshold=Duration.minutes(5),
        )
        self.given = KinesisToFirehoseToS3(stack, "Given", shard_count=2)
        self.given.add_lambda_consumer("Reader", inline_function(stack, "GivenHandler"))
        self.template = Template.from_stack(stack)
        self.annotations = Annotations.from_stack(stack)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def template(built: Built) -> Template:
    return built.template


def test_classic_consumer_defaults(template: Template) -> None:
    mapping = by_path(template, ESM, "Planned/Map/EventSourceMapping/Resource")["Properties"]
    assert mapping["EventSourceArn"] == arn(template, STREAM, "Planned/Stream/Resource")
    assert mapping["FunctionName"] == ref(
        template, "AWS::Lambda::Function", "Test/MapHandler/Resource"
    )
    assert mapping["StartingPosition"] == "LATEST"
    assert mapping["BatchSize"] == 100
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 3
    assert mapping["MaximumRecordAgeInSeconds"] == 3600
    assert mapping["ParallelizationFactor"] == 1
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"] == {
        "OnFailure": {
            "Destination": arn(
                template, "AWS::SQS::Queue", "Planned/Map/FailureDestination/Queue/Resource"
            )
        }
    }


def test_default_failure_destination_keeps_14_days_and_alarms(template: Template) -> None:
    queue = by_path(template, "AWS::SQS::Queue", "Planned/Map/FailureDestination/Queue/Resource")
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    alarm = by_path(
        template, ALARM, "Planned/Map/FailureDestination/OldestMessageAgeAlarm/Resource"
    )
    assert alarm["Properties"]["AlarmActions"] == [
        ref(template, "AWS::SNS::Topic", "AlarmTopic/Resource")
    ]


def _statements(template: Template, function: str) -> list[dict[str, Any]]:
    policy = by_path(
        template, "AWS::IAM::Policy", f"Test/{function}/ServiceRole/DefaultPolicy/Resource"
    )
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def test_function_reads_the_stream_and_sends_failures(template: Template) -> None:
    statements = _statements(template, "MapHandler")
    (read,) = [s for s in statements if "kinesis:GetRecords" in s["Action"]]
    assert read["Resource"] == arn(template, STREAM, "Planned/Stream/Resource")
    assert "kinesis:PutRecord" not in read["Action"]
    (decrypt,) = [s for s in statements if "kms:Decrypt" in s["Action"]]
    assert decrypt["Resource"] == arn(template, "AWS::KMS::Key", "Planned/EncryptionKey/Resource")
    (send,) = [s for s in statements if "sqs:SendMessage" in s["Action"]]
    assert send["Resource"] == arn(
        template, "AWS::SQS::Queue", "Planned/Map/FailureDestination/Queue/Resource"
    )
    mapping = by_path(template, ESM, "Planned/Map/EventSourceMapping/Resource")
    assert (
        logical_id(
            template, "AWS::IAM::Policy", "Test/MapHandler/ServiceRole/DefaultPolicy/Resource"
        )
        in mapping["DependsOn"]
    )


def test_iterator_age_alarm_per_consumer(template: Template) -> None:
    alarm = by_path(template, ALARM, "Planned/Map/IteratorAgeAlarm/Resource")["Properties"]
    assert alarm["MetricName"] == "IteratorAge"
    assert alarm["Namespace"] == "AWS/Lambda"
    assert alarm["Statistic"] == "Maximum"
    assert alarm["Threshold"] == 1_800_000  # half of the 1-hour maximum record age
    assert alarm["Dimensions"] == [
        {
            "Name": "FunctionName",
            "Value": ref(template, "AWS::Lambda::Function", "Test/MapHandler/Resource"),
        }
    ]
    assert alarm["AlarmActions"] == [ref(template, "AWS::SNS::Topic", "AlarmTopic/Resource")]
    efo = by_path(template, ALARM, "Planned/Geofence/IteratorAgeAlarm/Resource")["Properties"]
    assert efo["Threshold"] == 300_000
    for name in ("FunctionErrorsAlarm", "FunctionThrottlesAlarm"):
        by_path(template, ALARM, f"Planned/Map/{name}/Resource")


def test_enhanced_fan_out_registers_a_stream_consumer(template: Template) -> None:
    consumer = by_path(
        template, "AWS::Kinesis::StreamConsumer", "Planned/Geofence/StreamConsumer/Resource"
    )
    assert consumer["Properties"]["StreamARN"] == arn(template, STREAM, "Planned/Stream/Resource")
    mapping = by_path(template, ESM, "Planned/Geofence/EventSourceMapping/Resource")["Properties"]
    assert mapping["EventSourceArn"] == {
        "Fn::GetAtt": [
            logical_id(
                template, "AWS::Kinesis::StreamConsumer", "Planned/Geofence/StreamConsumer/Resource"
            ),
            "ConsumerARN",
        ]
    }
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BatchSize"] == 500
    assert mapping["MaximumBatchingWindowInSeconds"] == 5
    assert mapping["ParallelizationFactor"] == 10
    assert mapping["MaximumRetryAttempts"] == 0
    assert mapping["MaximumRecordAgeInSeconds"] == 2 * 24 * 3600
    assert "FunctionResponseTypes" not in mapping
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == arn(
        template, "AWS::SQS::Queue", "Failures/Queue/Resource"
    )
    (subscribe,) = [
        s
        for s in _statements(template, "GeofenceHandler")
        if s["Action"] == ["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"]
    ]
    assert subscribe["Resource"] == {
        "Fn::GetAtt": [
            logical_id(
                template, "AWS::Kinesis::StreamConsumer", "Planned/Geofence/StreamConsumer/Resource"
            ),
            "ConsumerARN",
        ]
    }


def test_classic_consumers_re_plan_the_shards(template: Template, built: Built) -> None:
    # 3 MB/s read by Firehose and the map (EFO does not count): 3 x 2 / 2 = 3 shards; the
    # throughput counted one reader: 3 x 1 / 2 = 2 shards.
    stream = by_path(template, STREAM, "Planned/Stream/Resource")["Properties"]
    assert stream["ShardCount"] == 3
    # Said once, on the pattern, for all its classic readers.
    (info,) = built.annotations.find_info("*", Match.string_like_regexp("Re-planned"))
    assert info.id == "/Test/Planned"
    assert "from 2 to 3 shards for 2 classic readers" in str(info.entry.data)


def test_given_shard_count_warns_about_readers(built: Built, template: Template) -> None:
    assert by_path(template, STREAM, "Given/Stream/Resource")["Properties"]["ShardCount"] == 2
    (warning,) = built.annotations.find_warning(
        "*", Match.string_like_regexp("given as shard_count")
    )
    assert warning.id == "/Test/Given"
    assert "2 shard(s) given as shard_count, read by 2 classic readers" in str(warning.entry.data)


def test_stream_of_any_pattern_instance_is_counted_once_per_consumer() -> None:
    stack = cdk.Stack(new_app(), "Covered")
    pattern = KinesisToFirehoseToS3(
        stack, "Positions", throughput=StreamThroughput(write_mb_per_second=3, classic_consumers=2)
    )
    pattern.add_lambda_consumer("Map", inline_function(stack, "Map"))
    template = Template.from_stack(stack)
    assert by_path(template, STREAM, "Positions/Stream/Resource")["Properties"]["ShardCount"] == 3
    assert (
        Annotations.from_stack(stack).find_info("*", Match.string_like_regexp("Re-planned")) == []
    )


# --- validation: one test per rule ---------------------------------------------------------


class Rules:
    """The patterns the validation tests add refused consumers to: one of the default
    retention, one of 30 days. Every rule refuses before the consumer counts as a reader or
    creates a resource, so one stack serves all the tests (a new consumer ID per call)."""

    def __init__(self) -> None:
        stack = cdk.Stack(new_app(), "Rules")
        self._patterns = {
            None: KinesisToFirehoseToS3(stack, "Stream"),
            30: KinesisToFirehoseToS3(stack, "Stream30", retention_period=Duration.days(30)),
        }
        self._function = inline_function(stack, "Function")
        self._calls = 0

    def add(self, retention_days: int | None = None, **options: Any) -> None:
        self._calls += 1
        self._patterns[retention_days].add_lambda_consumer(
            f"Consumer{self._calls}", self._function, **options
        )


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules()


@pytest.mark.parametrize("batch_size", [0, 10_001])
def test_batch_size_range(rules: Rules, batch_size: int) -> None:
    with pytest.raises(
        ValueError, match=rf"batch_size must be between 1 and 10000, got {batch_size}"
    ):
        rules.add(batch_size=batch_size)


def test_batching_window_at_most_5_minutes(rules: Rules) -> None:
    with pytest.raises(
        ValueError, match=r"max_batching_window must be between 0 seconds and 5 minutes"
    ):
        rules.add(max_batching_window=Duration.minutes(6))


@pytest.mark.parametrize("factor", [0, 11])
def test_parallelization_factor_range(rules: Rules, factor: int) -> None:
    with pytest.raises(
        ValueError, match=rf"parallelization_factor must be between 1 and 10, got {factor}"
    ):
        rules.add(parallelization_factor=factor)


@pytest.mark.parametrize("attempts", [-1, 10_001])
def test_retry_attempts_range(rules: Rules, attempts: int) -> None:
    with pytest.raises(
        ValueError, match=rf"retry_attempts must be between 0 and 10000, got {attempts}"
    ):
        rules.add(retry_attempts=attempts)


@pytest.mark.parametrize("age", [Duration.seconds(59), Duration.days(8)])
def test_max_record_age_range(rules: Rules, age: Duration) -> None:
    with pytest.raises(ValueError, match="max_record_age must be between 1 minute and 7 days"):
        rules.add(30, max_record_age=age)


def test_max_record_age_within_retention(rules: Rules) -> None:
    with pytest.raises(
        ValueError, match=r"max_record_age \(2 days\) exceeds the stream's retention \(24 hours\)"
    ):
        rules.add(max_record_age=Duration.days(2))


def test_starting_position_at_timestamp_refused(rules: Rules) -> None:
    with pytest.raises(
        ValueError, match="starting_position must be LATEST or TRIM_HORIZON, got AT_TIMESTAMP"
    ):
        rules.add(starting_position=lambda_.StartingPosition.AT_TIMESTAMP)


def test_iterator_age_alarm_within_max_record_age(rules: Rules) -> None:
    with pytest.raises(
        ValueError, match="iterator_age_alarm_threshold must be between 1 second and 1 hour"
    ):
        rules.add(iterator_age_alarm_threshold=Duration.hours(2))


def test_existing_stream_skips_the_retention_check() -> None:
    stack = cdk.Stack(new_app(), "Existing")
    stream = kinesis.Stream.from_stream_arn(
        stack, "Stream", "arn:aws:kinesis:eu-west-1:123456789012:stream/existing"
    )
    pattern = KinesisToFirehoseToS3(stack, "Pattern", stream=stream)
    pattern.add_lambda_consumer(
        "Consumer", inline_function(stack, "Function"), max_record_age=Duration.days(7)
    )
    Template.from_stack(stack).resource_count_is(ESM, 1)
