"""KinesisToFirehoseToS3: the metric methods, and the alarms built from them."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk.assertions import Template

from patterns import KinesisToFirehoseToS3
from tests.helpers import new_app, ref, resources_of
from tests.kinesis_firehose_s3.common import (
    ALARM,
    DELIVERY,
    STREAM,
    alarm_properties,
)


def test_stream_alarms_watch_this_stream(two: Template) -> None:
    stream_name = ref(two, STREAM, "First/Stream/Resource")
    age = alarm_properties(two, "First/StreamIteratorAgeAlarm/Resource")
    assert age["Namespace"] == "AWS/Kinesis"
    assert age["MetricName"] == "GetRecords.IteratorAgeMilliseconds"
    assert age["Dimensions"] == [{"Name": "StreamName", "Value": stream_name}]
    assert age["Statistic"] == "Maximum"
    assert age["Threshold"] == 3_600_000
    throttled = alarm_properties(two, "First/WriteThroughputExceededAlarm/Resource")
    assert throttled["MetricName"] == "WriteProvisionedThroughputExceeded"
    assert throttled["Dimensions"] == [{"Name": "StreamName", "Value": stream_name}]
    assert throttled["Statistic"] == "Sum"
    assert throttled["Threshold"] == 1
    assert throttled["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_delivery_alarms_watch_this_delivery_stream(two: Template) -> None:
    dimensions = [
        {"Name": "DeliveryStreamName", "Value": ref(two, DELIVERY, "First/DeliveryStream")}
    ]
    expected = {
        "DeliveryIteratorAgeAlarm": ("KinesisMillisBehindLatest", "Maximum", 3_600_000),
        "DataFreshnessAlarm": ("DeliveryToS3.DataFreshness", "Maximum", 900),
        "DeliveryFailureAlarm": ("DeliveryToS3.Success", "Minimum", 1),
    }
    for name, (metric, statistic, threshold) in expected.items():
        alarm = alarm_properties(two, f"First/{name}/Resource")
        assert alarm["Namespace"] == "AWS/Firehose", name
        assert alarm["MetricName"] == metric, name
        assert alarm["Dimensions"] == dimensions, name
        assert alarm["Statistic"] == statistic, name
        assert alarm["Threshold"] == threshold, name
    failure = alarm_properties(two, "First/DeliveryFailureAlarm/Resource")
    assert failure["ComparisonOperator"] == "LessThanThreshold"


def test_alarm_thresholds_and_actions_follow_the_options(two: Template) -> None:
    topic = ref(two, "AWS::SNS::Topic", "AlarmTopic/Resource")
    for name in (
        "StreamIteratorAgeAlarm",
        "DeliveryIteratorAgeAlarm",
        "WriteThroughputExceededAlarm",
        "DataFreshnessAlarm",
        "DeliveryFailureAlarm",
    ):
        alarm = alarm_properties(two, f"Second/{name}/Resource")
        assert alarm["AlarmActions"] == [topic], name
        assert alarm["OKActions"] == [topic], name
        assert "AlarmActions" not in alarm_properties(two, f"First/{name}/Resource")
    assert (
        alarm_properties(two, "Second/StreamIteratorAgeAlarm/Resource")["Threshold"]
        == 6 * 3_600_000
    )
    assert alarm_properties(two, "Second/DataFreshnessAlarm/Resource")["Threshold"] == 1800


@pytest.fixture(scope="module")
def ingest() -> KinesisToFirehoseToS3:
    """One pattern whose metric methods the tests below call: a metric is no construct, so
    calling them changes nothing the next test reads."""
    return KinesisToFirehoseToS3(cdk.Stack(new_app(), "Test"), "Ingest")


def test_metric_delivery_uses_the_delivery_stream_dimension(ingest: KinesisToFirehoseToS3) -> None:
    pattern = ingest
    stack = cdk.Stack.of(pattern)
    metric = pattern.metric_delivery("IncomingRecords")
    assert metric.namespace == "AWS/Firehose"
    assert stack.resolve(metric.dimensions) == {
        "DeliveryStreamName": {"Ref": stack.get_logical_id(pattern.delivery_stream)}
    }


# The public metric methods: (CloudWatch namespace, metric name, default statistic).
METRIC_METHODS = {
    "metric_stream_incoming_bytes": ("AWS/Kinesis", "IncomingBytes", "Average"),
    "metric_stream_incoming_records": ("AWS/Kinesis", "IncomingRecords", "Average"),
    "metric_stream_put_records_failed_records": (
        "AWS/Kinesis",
        "PutRecords.FailedRecords",
        "Average",
    ),
    "metric_stream_write_provisioned_throughput_exceeded": (
        "AWS/Kinesis",
        "WriteProvisionedThroughputExceeded",
        "Average",
    ),
    "metric_stream_read_provisioned_throughput_exceeded": (
        "AWS/Kinesis",
        "ReadProvisionedThroughputExceeded",
        "Average",
    ),
    "metric_stream_get_records_iterator_age_milliseconds": (
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        "Maximum",
    ),
    "metric_kinesis_millis_behind_latest": ("AWS/Firehose", "KinesisMillisBehindLatest", "Maximum"),
    "metric_data_read_from_kinesis_stream_records": (
        "AWS/Firehose",
        "DataReadFromKinesisStream.Records",
        "Sum",
    ),
    "metric_throttled_get_records": ("AWS/Firehose", "ThrottledGetRecords", "Sum"),
    "metric_delivery_to_s3_records": ("AWS/Firehose", "DeliveryToS3.Records", "Sum"),
    "metric_delivery_to_s3_bytes": ("AWS/Firehose", "DeliveryToS3.Bytes", "Sum"),
    "metric_delivery_to_s3_data_freshness": (
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        "Maximum",
    ),
    "metric_delivery_to_s3_success": ("AWS/Firehose", "DeliveryToS3.Success", "Average"),
    "metric_execute_processing_success": ("AWS/Firehose", "ExecuteProcessing.Success", "Average"),
    "metric_failed_conversion_records": ("AWS/Firehose", "FailedConversion.Records", "Sum"),
    "metric_partition_count_exceeded": ("AWS/Firehose", "PartitionCountExceeded", "Maximum"),
}


@pytest.mark.parametrize("method", sorted(METRIC_METHODS))
def test_metric_methods_name_their_metric_and_resource(
    ingest: KinesisToFirehoseToS3, method: str
) -> None:
    pattern = ingest
    stack = cdk.Stack.of(pattern)
    namespace, metric_name, statistic = METRIC_METHODS[method]
    metric = getattr(pattern, method)()
    assert (metric.namespace, metric.metric_name, metric.statistic) == (
        namespace,
        metric_name,
        statistic,
    )
    assert metric.period.to_seconds() == 300
    resource = pattern.stream.node.default_child
    key = "StreamName"
    if namespace == "AWS/Firehose":
        resource, key = pattern.delivery_stream, "DeliveryStreamName"
    assert isinstance(resource, cdk.CfnResource)
    assert stack.resolve(metric.dimensions) == {key: {"Ref": stack.get_logical_id(resource)}}
    custom = getattr(pattern, method)(period=Duration.minutes(1), statistic="p99", label="x")
    assert (custom.period.to_seconds(), custom.statistic, custom.label) == (60, "p99", "x")


def test_every_metric_method_is_listed() -> None:
    public = {name for name in dir(KinesisToFirehoseToS3) if name.startswith("metric_")}
    assert public == {*METRIC_METHODS, "metric_delivery"}


def test_metric_delivery_keeps_its_period_and_statistic_keywords(
    ingest: KinesisToFirehoseToS3,
) -> None:
    pattern = ingest
    metric = pattern.metric_delivery(
        "IncomingRecords", period=Duration.minutes(1), statistic=cloudwatch.Stats.SUM
    )
    assert (metric.period.to_seconds(), metric.statistic) == (60, "Sum")
    assert pattern.metric_delivery("IncomingRecords").statistic == "Average"


def test_every_alarm_of_the_pattern_watches_one_of_its_metric_methods(
    converted: Template,
) -> None:
    """The alarms are built from the metric methods: same metric, same resource."""
    produced = {(namespace, name) for namespace, name, _ in METRIC_METHODS.values()}
    watched = set()
    for alarm in resources_of(converted, ALARM).values():
        properties = alarm["Properties"]
        if properties["Namespace"] in ("AWS/Kinesis", "AWS/Firehose"):
            watched.add((properties["Namespace"], properties["MetricName"]))
    assert watched
    assert watched <= produced


@pytest.mark.parametrize(
    ("namespace", "metric", "evaluation_periods"),
    [
        ("AWS/Kinesis", "PutRecords.FailedRecords", 1),
        ("AWS/Kinesis", "ReadProvisionedThroughputExceeded", 3),
        ("AWS/Firehose", "ThrottledGetRecords", 3),
    ],
)
def test_recommended_alarms_on_failed_writes_and_throttled_reads(
    two: Template, namespace: str, metric: str, evaluation_periods: int
) -> None:
    """AWS's recommended alarms for the stream and for Firehose reading it."""
    two.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": namespace,
            "MetricName": metric,
            "Statistic": "Sum",
            "Period": 300,
            "Threshold": 1,
            "EvaluationPeriods": evaluation_periods,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        },
    )


def test_option_alarms_watch_the_function_and_the_delivery_stream(converted: Template) -> None:
    dimensions = [
        {
            "Name": "DeliveryStreamName",
            "Value": ref(converted, DELIVERY, "Trucks/PartitionedDeliveryStream"),
        }
    ]
    errors = alarm_properties(converted, "Trucks/TransformationErrorsAlarm/Resource")
    assert (errors["Namespace"], errors["MetricName"], errors["Statistic"]) == (
        "AWS/Lambda",
        "Errors",
        "Sum",
    )
    assert errors["Dimensions"] == [
        {
            "Name": "FunctionName",
            "Value": ref(converted, "AWS::Lambda::Function", "Transform/Resource"),
        }
    ]
    assert (errors["Threshold"], errors["ComparisonOperator"]) == (
        1,
        "GreaterThanOrEqualToThreshold",
    )
    expected = {
        "ProcessingFailureAlarm": ("ExecuteProcessing.Success", "Minimum", "LessThanThreshold"),
        "ConversionFailureAlarm": (
            "FailedConversion.Records",
            "Sum",
            "GreaterThanOrEqualToThreshold",
        ),
        "PartitionCountExceededAlarm": (
            "PartitionCountExceeded",
            "Maximum",
            "GreaterThanOrEqualToThreshold",
        ),
    }
    for name, (metric, statistic, operator) in expected.items():
        alarm = alarm_properties(converted, f"Trucks/{name}/Resource")
        assert alarm["Namespace"] == "AWS/Firehose", name
        assert alarm["MetricName"] == metric, name
        assert alarm["Dimensions"] == dimensions, name
        assert alarm["Statistic"] == statistic, name
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, operator), name


def test_option_alarms_exist_only_with_their_options(converted: Template, two: Template) -> None:
    def names(template: Template, construct: str) -> set[str]:
        return {
            r["Metadata"]["aws:cdk:path"].split("/")[2]
            for r in resources_of(template, ALARM).values()
            if r["Metadata"]["aws:cdk:path"].startswith(f"Test/{construct}/")
        }

    base = {
        "StreamIteratorAgeAlarm",
        "DeliveryIteratorAgeAlarm",
        "WriteThroughputExceededAlarm",
        "PutRecordsFailedRecordsAlarm",
        "ReadThroughputExceededAlarm",
        "ThrottledGetRecordsAlarm",
        "DataFreshnessAlarm",
        "DeliveryFailureAlarm",
    }
    assert names(two, "First") == base
    assert names(converted, "Orc") == base | {"ConversionFailureAlarm"}
    assert names(converted, "Trucks") == base | {
        "TransformationErrorsAlarm",
        "ProcessingFailureAlarm",
        "ConversionFailureAlarm",
        "PartitionCountExceededAlarm",
    }
