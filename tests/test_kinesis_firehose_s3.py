"""KinesisToFirehoseToS3: encryption, the delivery role, delivery settings, logs, alarms, limits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, Size
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from patterns import KinesisToFirehoseToS3, StreamThroughput
from patterns.alarm_topic import AlarmTopic
from patterns.compliance import apply_compliance_checks
from tests.helpers import arn, by_path, logical_id, new_app, ref, resources_of, synth_stack
from tools.compliance import read_findings, summarize

STREAM = "AWS::Kinesis::Stream"
DELIVERY = "AWS::KinesisFirehose::DeliveryStream"
POLICY = "AWS::IAM::ManagedPolicy"
ALARM = "AWS::CloudWatch::Alarm"
ACCOUNT = "111111111111"


def _under(bucket_arn: dict[str, Any], root: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [bucket_arn, f"/{root}*"]]}


def _statements(template: Template, path: str) -> dict[str, dict[str, Any]]:
    policy = by_path(template, POLICY, path)
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def _alarm(template: Template, path: str) -> dict[str, Any]:
    return dict(by_path(template, ALARM, path)["Properties"])


@pytest.fixture(scope="module")
def two() -> Template:
    """Two instances in one stack: defaults, and a planned stream with custom delivery."""

    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(stack, "First")
        topic = sns.Topic(stack, "AlarmTopic")
        KinesisToFirehoseToS3(
            stack,
            "Second",
            throughput=StreamThroughput(write_mb_per_second=5 * 2, read_mb_per_second=8 * 2),
            retention_period=Duration.days(7),
            buffering_interval=Duration.seconds(300),
            buffering_size=Size.mebibytes(128),
            compression=firehose.Compression.SNAPPY,
            prefix="raw/!{timestamp:yyyy/MM/dd}/",
            error_output_prefix="failed/!{firehose:error-output-type}/",
            log_retention=logs.RetentionDays.THREE_MONTHS,
            alarm_actions=[cloudwatch_actions.SnsAction(topic)],
            iterator_age_alarm_threshold=Duration.hours(6),
            data_freshness_alarm_threshold=Duration.minutes(30),
        )

    return synth_stack(build)


@pytest.fixture(scope="module")
def existing() -> Template:
    """An existing encrypted stream and an existing bucket without a known key."""

    def build(stack: cdk.Stack) -> None:
        key = kms.Key.from_key_arn(
            stack, "StreamKey", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/stream-key"
        )
        stream = kinesis.Stream.from_stream_attributes(
            stack,
            "Stream",
            stream_arn=f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/clicks",
            encryption_key=key,
        )
        bucket = s3.Bucket.from_bucket_name(stack, "Bucket", "analytics-lake")
        KinesisToFirehoseToS3(stack, "Ingest", stream=stream, bucket=bucket)

        keyed_bucket = s3.Bucket.from_bucket_attributes(
            stack,
            "KeyedBucket",
            bucket_name="keyed-lake",
            encryption_key=kms.Key.from_key_arn(
                stack, "BucketKey", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/bucket-key"
            ),
        )
        KinesisToFirehoseToS3(stack, "Keyed", bucket=keyed_bucket)

    return synth_stack(build)


# --- stream -----------------------------------------------------------------------------


def test_default_stream_is_on_demand_24_hours_and_encrypted_with_the_pattern_key(
    two: Template,
) -> None:
    stream = by_path(two, STREAM, "First/Stream/Resource")
    assert stream["Properties"] == {
        "RetentionPeriodHours": 24,
        "StreamEncryption": {
            "EncryptionType": "KMS",
            "KeyId": arn(two, "AWS::KMS::Key", "First/EncryptionKey/Resource"),
        },
        "StreamModeDetails": {"StreamMode": "ON_DEMAND"},
    }
    # Records in transit: the stream goes with the stack (patterns.removal).
    assert (stream["DeletionPolicy"], stream["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_planned_stream_is_provisioned_with_the_planned_shards_and_retention(
    two: Template,
) -> None:
    properties = by_path(two, STREAM, "Second/Stream/Resource")["Properties"]
    assert properties["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert properties["ShardCount"] == 10
    assert properties["RetentionPeriodHours"] == 7 * 24


def test_key_rotates_and_is_retained_with_the_bucket_it_encrypts(two: Template) -> None:
    key = by_path(two, "AWS::KMS::Key", "First/EncryptionKey/Resource")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["Properties"]["PendingWindowInDays"] == 30
    assert key["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize(
    ("options", "stream_policy", "bucket_policy", "key_policy"),
    [
        ({"removal_policy": cdk.RemovalPolicy.DESTROY}, "Delete", "Delete", "Delete"),
        ({"removal_policy": cdk.RemovalPolicy.RETAIN}, "Retain", "Retain", "Retain"),
        ({"existing_bucket": True}, "Delete", None, "Delete"),
    ],
    ids=["destroy", "retain", "existing-bucket"],
)
def test_the_key_follows_what_it_encrypts(options, stream_policy, bucket_policy, key_policy):
    def build(stack: cdk.Stack) -> None:
        extra = dict(options)
        if extra.pop("existing_bucket", False):
            extra["bucket"] = s3.Bucket.from_bucket_name(stack, "Lake", "analytics-lake")
        KinesisToFirehoseToS3(stack, "Ingest", **extra)

    template = synth_stack(build)
    assert by_path(template, STREAM, "Ingest/Stream/Resource")["DeletionPolicy"] == stream_policy
    buckets = [
        r
        for r in resources_of(template, "AWS::S3::Bucket").values()
        if "/Ingest/" in r["Metadata"]["aws:cdk:path"]
    ]
    assert {r["DeletionPolicy"] for r in buckets} == ({bucket_policy} if bucket_policy else set())
    key = by_path(template, "AWS::KMS::Key", "Ingest/EncryptionKey/Resource")
    assert key["DeletionPolicy"] == key_policy


def test_key_lets_cloudwatch_logs_use_it_only_for_the_delivery_log_group(two: Template) -> None:
    key = by_path(two, "AWS::KMS::Key", "First/EncryptionKey/Resource")
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    logs_statement = next(
        s for s in statements if s.get("Sid") == "AllowCloudWatchLogsForTheDeliveryLogGroup"
    )
    log_group_name = by_path(two, "AWS::Logs::LogGroup", "First/DeliveryLogGroup/Resource")[
        "Properties"
    ]["LogGroupName"]
    assert logs_statement["Principal"] == {
        "Service": {"Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}
    }
    assert "kms:*" not in logs_statement["Action"]
    assert logs_statement["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":logs:",
                        {"Ref": "AWS::Region"},
                        ":",
                        {"Ref": "AWS::AccountId"},
                        f":log-group:{log_group_name}",
                    ],
                ]
            }
        }
    }


def test_new_bucket_is_encrypted_with_the_pattern_key(two: Template) -> None:
    bucket = by_path(two, "AWS::S3::Bucket", "First/Bucket/Resource")
    rule = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule == {
        "BucketKeyEnabled": True,
        "ServerSideEncryptionByDefault": {
            "KMSMasterKeyID": arn(two, "AWS::KMS::Key", "First/EncryptionKey/Resource"),
            "SSEAlgorithm": "aws:kms",
        },
    }
    assert bucket["DeletionPolicy"] == "Retain"


# --- delivery role --------------------------------------------------------------------


def test_role_trusts_only_firehose_of_this_account(two: Template) -> None:
    role = by_path(two, "AWS::IAM::Role", "First/DeliveryRole/Resource")
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "AWS::AccountId"}}},
            "Effect": "Allow",
            "Principal": {"Service": "firehose.amazonaws.com"},
        }
    ]
    assert "Policies" not in role["Properties"]  # no inline policy
    assert "RoleName" not in role["Properties"]  # no fixed name to collide


def test_policy_is_attached_to_the_delivery_role_only(two: Template) -> None:
    policy = by_path(two, POLICY, "First/DeliveryPolicy/Resource")
    assert policy["Properties"]["Roles"] == [
        ref(two, "AWS::IAM::Role", "First/DeliveryRole/Resource")
    ]


def test_role_reads_only_this_stream(two: Template) -> None:
    statement = _statements(two, "First/DeliveryPolicy/Resource")["ReadSourceStream"]
    assert statement == {
        "Sid": "ReadSourceStream",
        "Effect": "Allow",
        "Action": [
            "kinesis:DescribeStream",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
        ],
        "Resource": arn(two, STREAM, "First/Stream/Resource"),
    }


def test_role_decrypts_the_stream_only_through_kinesis_for_this_stream(two: Template) -> None:
    statement = _statements(two, "First/DeliveryPolicy/Resource")["DecryptSourceStream"]
    assert statement["Action"] == "kms:Decrypt"
    assert statement["Resource"] == arn(two, "AWS::KMS::Key", "First/EncryptionKey/Resource")
    assert statement["Condition"] == {
        "StringEquals": {
            "kms:ViaService": {
                "Fn::Join": [
                    "",
                    ["kinesis.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}],
                ]
            },
            "kms:EncryptionContext:aws:kinesis:arn": arn(two, STREAM, "First/Stream/Resource"),
        }
    }


def test_role_writes_only_under_the_two_prefixes_and_never_deletes(two: Template) -> None:
    statements = _statements(two, "First/DeliveryPolicy/Resource")
    bucket_arn = arn(two, "AWS::S3::Bucket", "First/Bucket/Resource")
    assert statements["WriteUnderDeliveryPrefixes"]["Action"] == [
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:PutObject",
    ]
    assert statements["WriteUnderDeliveryPrefixes"]["Resource"] == [
        _under(bucket_arn, "data/"),
        _under(bucket_arn, "errors/"),
    ]
    assert statements["ListDestinationBucket"]["Action"] == [
        "s3:GetBucketLocation",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads",
    ]
    assert statements["ListDestinationBucket"]["Resource"] == bucket_arn
    for statement in statements.values():
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert not any("Delete" in action or "*" in action for action in actions), statement


def test_custom_prefixes_scope_the_role_to_their_literal_folders(two: Template) -> None:
    statement = _statements(two, "Second/DeliveryPolicy/Resource")["WriteUnderDeliveryPrefixes"]
    bucket_arn = arn(two, "AWS::S3::Bucket", "Second/Bucket/Resource")
    assert statement["Resource"] == [_under(bucket_arn, "failed/"), _under(bucket_arn, "raw/")]


def test_role_uses_the_bucket_key_only_through_s3_for_this_bucket(two: Template) -> None:
    statement = _statements(two, "First/DeliveryPolicy/Resource")["EncryptDeliveredObjects"]
    bucket_arn = arn(two, "AWS::S3::Bucket", "First/Bucket/Resource")
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert statement["Condition"] == {
        "StringEquals": {
            "kms:ViaService": {
                "Fn::Join": ["", ["s3.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}]]
            }
        },
        "StringLike": {
            "kms:EncryptionContext:aws:s3:arn": [
                bucket_arn,
                _under(bucket_arn, "data/"),
                _under(bucket_arn, "errors/"),
            ]
        },
    }


def test_role_writes_only_to_its_delivery_log_stream(two: Template) -> None:
    statement = _statements(two, "First/DeliveryPolicy/Resource")["WriteDeliveryErrorLogs"]
    assert statement["Action"] == "logs:PutLogEvents"
    joined = statement["Resource"]["Fn::Join"][1][-1]
    assert joined.endswith(":log-stream:DestinationDelivery")
    assert joined.startswith(":log-group:/aws/kinesisfirehose/")


# --- delivery stream ------------------------------------------------------------------


def test_delivery_stream_reads_the_stream_and_writes_gzip_under_the_default_prefixes(
    two: Template,
) -> None:
    delivery = by_path(two, DELIVERY, "First/DeliveryStream")
    role_arn = arn(two, "AWS::IAM::Role", "First/DeliveryRole/Resource")
    properties = delivery["Properties"]
    assert properties["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert "DeliveryStreamName" not in properties
    assert properties["KinesisStreamSourceConfiguration"] == {
        "KinesisStreamARN": arn(two, STREAM, "First/Stream/Resource"),
        "RoleARN": role_arn,
    }
    assert properties["ExtendedS3DestinationConfiguration"] == {
        "BucketARN": arn(two, "AWS::S3::Bucket", "First/Bucket/Resource"),
        "RoleARN": role_arn,
        "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 64},
        "CompressionFormat": "GZIP",
        "Prefix": "data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}"
        "/hour=!{timestamp:HH}/",
        "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}"
        "/month=!{timestamp:MM}/day=!{timestamp:dd}/",
        "EncryptionConfiguration": {
            "KMSEncryptionConfig": {
                "AWSKMSKeyARN": arn(two, "AWS::KMS::Key", "First/EncryptionKey/Resource")
            }
        },
        "CloudWatchLoggingOptions": {
            "Enabled": True,
            "LogGroupName": ref(two, "AWS::Logs::LogGroup", "First/DeliveryLogGroup/Resource"),
            "LogStreamName": ref(two, "AWS::Logs::LogStream", "First/DeliveryLogStream/Resource"),
        },
        "S3BackupMode": "Disabled",
    }


def test_delivery_stream_waits_for_its_policy(two: Template) -> None:
    delivery = by_path(two, DELIVERY, "First/DeliveryStream")
    assert delivery["DependsOn"] == [logical_id(two, POLICY, "First/DeliveryPolicy/Resource")]


def test_custom_buffering_compression_and_prefixes(two: Template) -> None:
    destination = by_path(two, DELIVERY, "Second/DeliveryStream")["Properties"][
        "ExtendedS3DestinationConfiguration"
    ]
    assert destination["BufferingHints"] == {"IntervalInSeconds": 300, "SizeInMBs": 128}
    assert destination["CompressionFormat"] == "Snappy"
    assert destination["Prefix"] == "raw/!{timestamp:yyyy/MM/dd}/"
    assert destination["ErrorOutputPrefix"] == "failed/!{firehose:error-output-type}/"


def test_delivery_log_group_has_retention_and_encryption(two: Template) -> None:
    group = by_path(two, "AWS::Logs::LogGroup", "First/DeliveryLogGroup/Resource")
    assert group["Properties"]["RetentionInDays"] == 365
    assert group["Properties"]["KmsKeyId"] == arn(
        two, "AWS::KMS::Key", "First/EncryptionKey/Resource"
    )
    second = by_path(two, "AWS::Logs::LogGroup", "Second/DeliveryLogGroup/Resource")
    assert second["Properties"]["RetentionInDays"] == 90
    stream = by_path(two, "AWS::Logs::LogStream", "First/DeliveryLogStream/Resource")
    assert stream["Properties"] == {
        "LogGroupName": ref(two, "AWS::Logs::LogGroup", "First/DeliveryLogGroup/Resource"),
        "LogStreamName": "DestinationDelivery",
    }


# --- alarms ---------------------------------------------------------------------------


def test_stream_alarms_watch_this_stream(two: Template) -> None:
    stream_name = ref(two, STREAM, "First/Stream/Resource")
    age = _alarm(two, "First/StreamIteratorAgeAlarm/Resource")
    assert age["Namespace"] == "AWS/Kinesis"
    assert age["MetricName"] == "GetRecords.IteratorAgeMilliseconds"
    assert age["Dimensions"] == [{"Name": "StreamName", "Value": stream_name}]
    assert age["Statistic"] == "Maximum"
    assert age["Threshold"] == 3_600_000
    throttled = _alarm(two, "First/WriteThroughputExceededAlarm/Resource")
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
        alarm = _alarm(two, f"First/{name}/Resource")
        assert alarm["Namespace"] == "AWS/Firehose", name
        assert alarm["MetricName"] == metric, name
        assert alarm["Dimensions"] == dimensions, name
        assert alarm["Statistic"] == statistic, name
        assert alarm["Threshold"] == threshold, name
    failure = _alarm(two, "First/DeliveryFailureAlarm/Resource")
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
        alarm = _alarm(two, f"Second/{name}/Resource")
        assert alarm["AlarmActions"] == [topic], name
        assert alarm["OKActions"] == [topic], name
        assert "AlarmActions" not in _alarm(two, f"First/{name}/Resource")
    assert _alarm(two, "Second/StreamIteratorAgeAlarm/Resource")["Threshold"] == 6 * 3_600_000
    assert _alarm(two, "Second/DataFreshnessAlarm/Resource")["Threshold"] == 1800


# --- two instances, existing resources ------------------------------------------------


def test_two_instances_share_no_physical_name(two: Template) -> None:
    assert len(resources_of(two, DELIVERY)) == 2
    names = [
        group["Properties"]["LogGroupName"]
        for group in resources_of(two, "AWS::Logs::LogGroup").values()
    ]
    assert len(set(names)) == 2
    for resource_type, name_property in (
        (STREAM, "Name"),
        ("AWS::IAM::Role", "RoleName"),
        (POLICY, "ManagedPolicyName"),
        ("AWS::S3::Bucket", "BucketName"),
    ):
        for resource in resources_of(two, resource_type).values():
            assert name_property not in resource["Properties"], resource_type


def test_existing_stream_and_bucket_are_used_not_created(existing: Template) -> None:
    streams = resources_of(existing, STREAM)
    assert [r["Metadata"]["aws:cdk:path"] for r in streams.values()] == [
        "Test/Keyed/Stream/Resource"
    ]
    delivery = by_path(existing, DELIVERY, "Ingest/DeliveryStream")["Properties"]
    assert delivery["KinesisStreamSourceConfiguration"]["KinesisStreamARN"] == (
        f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/clicks"
    )
    destination = delivery["ExtendedS3DestinationConfiguration"]
    assert destination["BucketARN"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::analytics-lake"]]
    }
    # No key known for the bucket: its default encryption applies.
    assert destination["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}
    assert not [
        path
        for path in (
            r["Metadata"]["aws:cdk:path"]
            for r in resources_of(existing, "AWS::S3::Bucket").values()
        )
        if path.startswith("Test/Ingest/")
    ]


def test_existing_stream_key_is_granted_for_that_stream_only(existing: Template) -> None:
    statements = _statements(existing, "Ingest/DeliveryPolicy/Resource")
    stream_arn = f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/clicks"
    assert statements["ReadSourceStream"]["Resource"] == stream_arn
    assert statements["DecryptSourceStream"]["Resource"] == (
        f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/stream-key"
    )
    assert (
        statements["DecryptSourceStream"]["Condition"]["StringEquals"][
            "kms:EncryptionContext:aws:kinesis:arn"
        ]
        == stream_arn
    )
    assert "EncryptDeliveredObjects" not in statements


def test_existing_bucket_with_a_key_gets_objects_encrypted_with_it(existing: Template) -> None:
    key_arn = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/bucket-key"
    destination = by_path(existing, DELIVERY, "Keyed/DeliveryStream")["Properties"][
        "ExtendedS3DestinationConfiguration"
    ]
    assert destination["EncryptionConfiguration"] == {
        "KMSEncryptionConfig": {"AWSKMSKeyARN": key_arn}
    }
    statement = _statements(existing, "Keyed/DeliveryPolicy/Resource")["EncryptDeliveredObjects"]
    assert statement["Resource"] == key_arn


def test_imported_key_warns_that_its_policy_must_allow_logs() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Test")
    key = kms.Key.from_key_arn(stack, "Key", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/shared")
    KinesisToFirehoseToS3(stack, "Ingest", encryption_key=key)
    Annotations.from_stack(stack).has_warning(
        "/Test/Ingest", Match.string_like_regexp("encryption_key is imported")
    )


def test_more_shards_than_the_default_quota_warn() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Test")
    KinesisToFirehoseToS3(stack, "Ingest", shard_count=300)
    Annotations.from_stack(stack).has_warning(
        "/Test/Ingest", Match.string_like_regexp("exceed the default shard quota")
    )


def test_metric_delivery_uses_the_delivery_stream_dimension() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Test")
    pattern = KinesisToFirehoseToS3(stack, "Ingest")
    metric = pattern.metric_delivery("IncomingRecords")
    assert metric.namespace == "AWS/Firehose"
    assert stack.resolve(metric.dimensions) == {
        "DeliveryStreamName": {"Ref": stack.get_logical_id(pattern.delivery_stream)}
    }


# --- validation: one test per rule ----------------------------------------------------


def _build(**options: Any) -> KinesisToFirehoseToS3:
    stack = cdk.Stack(new_app(), "Test")
    return KinesisToFirehoseToS3(stack, "Ingest", **options)


def _existing_stream() -> dict[str, Any]:
    stack = cdk.Stack(new_app(), "Other")
    return {
        "stream": kinesis.Stream.from_stream_arn(stack, "S", "arn:aws:kinesis:eu-west-1:1:stream/s")
    }


def test_rejects_stream_options_with_an_existing_stream() -> None:
    with pytest.raises(ValueError, match=r"retention_period, shard_count configure a new resource"):
        _build(**_existing_stream(), shard_count=2, retention_period=Duration.days(2))


def test_rejects_shard_count_with_throughput() -> None:
    with pytest.raises(ValueError, match=r"either shard_count or throughput, not both"):
        _build(shard_count=2, throughput=StreamThroughput(write_mb_per_second=1))


def test_rejects_shard_count_below_one() -> None:
    with pytest.raises(ValueError, match=r"shard_count must be at least 1, got 0"):
        _build(shard_count=0)


def test_rejects_an_invalid_throughput() -> None:
    with pytest.raises(ValueError, match=r"classic_consumers must be at least 1, got 0"):
        _build(throughput=StreamThroughput(write_mb_per_second=1, classic_consumers=0))


def test_rejects_a_shard_plan_for_an_on_demand_stream() -> None:
    with pytest.raises(ValueError, match=r"ON_DEMAND stream scales by itself"):
        _build(stream_mode=kinesis.StreamMode.ON_DEMAND, shard_count=2)


def test_rejects_provisioned_without_a_plan() -> None:
    with pytest.raises(ValueError, match=r"PROVISIONED needs shard_count or throughput"):
        _build(stream_mode=kinesis.StreamMode.PROVISIONED)


@pytest.mark.parametrize("retention", [Duration.hours(23), Duration.days(366)])
def test_rejects_retention_outside_24_hours_to_365_days(retention: Duration) -> None:
    with pytest.raises(ValueError, match=r"retention_period must be between 1 day and 365 days"):
        _build(retention_period=retention)


def test_rejects_an_invalid_stream_name() -> None:
    with pytest.raises(ValueError, match=r"stream_name 'gps positions' must be 1 to 128"):
        _build(stream_name="gps positions")


def test_rejects_an_invalid_delivery_stream_name() -> None:
    with pytest.raises(ValueError, match=r"delivery_stream_name '.*' must be 1 to 64"):
        _build(delivery_stream_name="x" * 65)


def test_rejects_buffering_interval_over_900_seconds() -> None:
    with pytest.raises(ValueError, match=r"buffering_interval must be between 0 seconds and 15"):
        _build(buffering_interval=Duration.seconds(901))


@pytest.mark.parametrize("size", [Size.kibibytes(512), Size.mebibytes(129)])
def test_rejects_buffering_size_outside_1_to_128_mib(size: Size) -> None:
    with pytest.raises(ValueError, match=r"buffering_size must be between 1 MiB and 128 MiB"):
        _build(buffering_size=size)


def test_rejects_an_unknown_compression() -> None:
    with pytest.raises(ValueError, match=r"compression 'BZIP2' is not a Firehose S3"):
        _build(compression=firehose.Compression.of("BZIP2"))


def test_rejects_a_prefix_over_1024_characters() -> None:
    with pytest.raises(ValueError, match=r"prefix may be at most 1024 characters, got 1029"):
        _build(prefix="data/" + "x" * 1024)


def test_rejects_an_unknown_prefix_expression() -> None:
    with pytest.raises(ValueError, match=r"expression '!\{partitionKeyFromQuery:id\}'"):
        _build(prefix="data/!{partitionKeyFromQuery:id}/")


def test_rejects_error_output_type_in_the_data_prefix() -> None:
    with pytest.raises(ValueError, match=r"prefix .* may not use !\{firehose:error-output-type\}"):
        _build(prefix="data/!{firehose:error-output-type}/")


def test_rejects_an_error_prefix_expression_without_error_output_type() -> None:
    with pytest.raises(ValueError, match=r"requires it to contain !\{firehose:error-output-type\}"):
        _build(error_output_prefix="errors/!{timestamp:yyyy}/")


def test_rejects_a_prefix_without_a_literal_folder() -> None:
    with pytest.raises(
        ValueError, match=r"prefix '!\{timestamp:yyyy\}/' must start with a literal"
    ):
        _build(prefix="!{timestamp:yyyy}/")


def test_rejects_an_expression_prefix_without_an_error_prefix() -> None:
    with pytest.raises(ValueError, match=r"uses expressions, so Firehose requires an error_output"):
        _build(prefix="data/!{timestamp:yyyy}/", error_output_prefix="")


def test_rejects_an_empty_prefix() -> None:
    with pytest.raises(ValueError, match=r"prefix may not be empty"):
        _build(prefix="")


def test_rejects_infinite_log_retention() -> None:
    with pytest.raises(ValueError, match=r"log_retention may not be INFINITE"):
        _build(log_retention=logs.RetentionDays.INFINITE)


def test_rejects_an_iterator_age_threshold_beyond_the_retention() -> None:
    with pytest.raises(
        ValueError, match=r"iterator_age_alarm_threshold must be between 1 minute and 1 day"
    ):
        _build(iterator_age_alarm_threshold=Duration.hours(25))


def test_rejects_a_freshness_threshold_within_the_buffering_interval() -> None:
    with pytest.raises(
        ValueError, match=r"data_freshness_alarm_threshold must be between 6 minutes and 1 day"
    ):
        _build(
            buffering_interval=Duration.minutes(5),
            data_freshness_alarm_threshold=Duration.minutes(5),
        )


def test_rejects_a_buffering_size_of_partial_mebibytes() -> None:
    with pytest.raises(ValueError, match=r"buffering_size must be a whole number of MiB, got 1.5"):
        _build(buffering_size=Size.kibibytes(1536))


def test_unresolved_tokens_are_not_validated() -> None:
    stack = cdk.Stack(new_app(), "Test")
    shards = cdk.CfnParameter(stack, "Shards", type="Number").value_as_number
    name = cdk.CfnParameter(stack, "Name").value_as_string
    pattern = KinesisToFirehoseToS3(stack, "Ingest", shard_count=shards, stream_name=name)  # type: ignore[arg-type]
    assert isinstance(pattern.stream, kinesis.Stream)


# --- compliance gate over two instances and an existing bucket ------------------------


def test_two_instances_and_an_existing_bucket_pass_the_compliance_gate(tmp_path: Path) -> None:
    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Gate")
    # An alarm topic CloudWatch may publish to: its key admits cloudwatch.amazonaws.com
    # (a key without that statement is MessagingChecks' Messaging-CW2, alarms never arrive).
    action = AlarmTopic(stack, "Alarms").action
    KinesisToFirehoseToS3(stack, "First", alarm_actions=[action])
    KinesisToFirehoseToS3(stack, "Second", shard_count=2, alarm_actions=[action])
    KinesisToFirehoseToS3(
        stack,
        "IntoExistingBucket",
        bucket=s3.Bucket.from_bucket_name(stack, "Lake", "analytics-lake"),
        alarm_actions=[action],
    )
    converting = KinesisToFirehoseToS3(
        stack,
        "Converting",
        prefix=TRUCK_PREFIX,
        transformation_function=lambda_.Function.from_function_arn(
            stack, "Enrich", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:enrich"
        ),
        output_format=firehose.OutputFormat.PARQUET,
        columns=POSITION_COLUMNS,
        dynamic_partitioning_keys={"truck": ".truck_id"},
        alarm_actions=[action],
    )
    cdk.Annotations.of(converting).acknowledge_warning(
        "patterns:DynamicPartitioningCreateOnly", "partitioned from the first deployment on"
    )
    apply_compliance_checks(app)
    app.synth()
    table, open_count = summarize(tmp_path)
    assert open_count == 0, table
    acknowledged = {f.acknowledged_id for f in read_findings(tmp_path) if f.acknowledged_id}
    assert (
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::analytics-lake/data/*]"
        in acknowledged
    )


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


# --- transformation, conversion, dynamic partitioning, the query-ready table ------------

GLUE_TABLE = "AWS::Glue::Table"
GLUE_DATABASE = "AWS::Glue::Database"
TRUCK_PREFIX = "positions/truck=!{partitionKeyFromQuery:truck}/hour=!{timestamp:yyyy-MM-dd-HH}/"
EXISTING_TABLE_ARN = f"arn:aws:glue:eu-west-1:{ACCOUNT}:table/lake/clicks"


def _transform(stack: cdk.Stack, construct_id: str = "Transform") -> lambda_.Function:
    return lambda_.Function(
        stack,
        construct_id,
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
        timeout=Duration.minutes(1),
    )


POSITION_COLUMNS = [
    glue.Column(name="truck_id", type=glue.Schema.INTEGER),
    glue.Column(name="recorded_at", type=glue.Schema.TIMESTAMP),
    glue.Column(name="lat", type=glue.Schema.DOUBLE),
    glue.Column(name="lon", type=glue.Schema.DOUBLE),
]


@pytest.fixture(scope="module")
def converted() -> Template:
    """Trucks: everything on; Orc: the default prefix as ORC; Existing: an existing table."""

    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(
            stack,
            "Trucks",
            prefix=TRUCK_PREFIX,
            error_output_prefix="positions-errors/!{firehose:error-output-type}/",
            transformation_function=_transform(stack),
            transformation_buffering_interval=Duration.seconds(120),
            transformation_buffering_size=Size.mebibytes(2),
            transformation_retries=5,
            output_format=firehose.OutputFormat.PARQUET,
            columns=POSITION_COLUMNS,
            partition_projections={
                "truck": glue.PartitionProjectionConfiguration.integer(min=1, max=100)
            },
            dynamic_partitioning_keys={"truck": ".truck_id"},
        )
        KinesisToFirehoseToS3(
            stack,
            "Orc",
            output_format=firehose.OrcOutputFormat(),
            columns=POSITION_COLUMNS,
        )
        KinesisToFirehoseToS3(
            stack,
            "Existing",
            output_format=firehose.OutputFormat.PARQUET,
            table=glue.S3Table.from_table_arn(stack, "Clicks", EXISTING_TABLE_ARN),
        )

    return synth_stack(build)


def _destination(template: Template, path: str) -> dict[str, Any]:
    delivery = by_path(template, DELIVERY, path)
    return dict(delivery["Properties"]["ExtendedS3DestinationConfiguration"])


def _processor(destination: dict[str, Any], kind: str) -> dict[str, Any]:
    processors = destination["ProcessingConfiguration"]["Processors"]
    (found,) = [p for p in processors if p["Type"] == kind]
    return {p["ParameterName"]: p["ParameterValue"] for p in found["Parameters"]}


def test_transformation_invokes_the_function_with_its_buffering_and_retries(
    converted: Template,
) -> None:
    destination = _destination(converted, "Trucks/PartitionedDeliveryStream")
    assert destination["ProcessingConfiguration"]["Enabled"] is True
    assert [p["Type"] for p in destination["ProcessingConfiguration"]["Processors"]] == [
        "Lambda",
        "MetadataExtraction",
    ]
    assert _processor(destination, "Lambda") == {
        "LambdaArn": arn(converted, "AWS::Lambda::Function", "Transform/Resource"),
        "RoleArn": arn(converted, "AWS::IAM::Role", "Trucks/DeliveryRole/Resource"),
        "NumberOfRetries": "5",
        "BufferSizeInMBs": "2",
        "BufferIntervalInSeconds": "120",
    }


def test_transformation_defaults_are_1_mib_60_seconds_3_retries() -> None:
    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(stack, "Ingest", transformation_function=_transform(stack))

    template = synth_stack(build)
    destination = _destination(template, "Ingest/DeliveryStream")
    parameters = _processor(destination, "Lambda")
    assert (parameters["NumberOfRetries"], parameters["BufferSizeInMBs"]) == ("3", "1")
    assert parameters["BufferIntervalInSeconds"] == "60"
    assert "DataFormatConversionConfiguration" not in destination
    assert "DynamicPartitioningConfiguration" not in destination
    assert destination["CompressionFormat"] == "GZIP"


def test_role_may_invoke_only_the_transformation_function(converted: Template) -> None:
    statements = _statements(converted, "Trucks/DeliveryPolicy/Resource")
    assert statements["InvokeTransformationFunction"] == {
        "Sid": "InvokeTransformationFunction",
        "Effect": "Allow",
        "Action": ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
        "Resource": arn(converted, "AWS::Lambda::Function", "Transform/Resource"),
    }
    for sid, statement in statements.items():
        if sid != "InvokeTransformationFunction":
            assert "lambda" not in json.dumps(statement["Action"]), sid
    assert "InvokeTransformationFunction" not in _statements(
        converted, "Orc/DeliveryPolicy/Resource"
    )


def _glue_arn(suffix: list[Any]) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":glue:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                *suffix,
            ],
        ]
    }


def test_role_reads_only_the_schema_of_the_new_table(converted: Template) -> None:
    statement = _statements(converted, "Trucks/DeliveryPolicy/Resource")["ReadConversionSchema"]
    database = ref(converted, GLUE_DATABASE, "Trucks/Database/Resource")
    table = ref(converted, GLUE_TABLE, "Trucks/Table/Table")
    assert statement["Action"] == [
        "glue:GetTable",
        "glue:GetTableVersion",
        "glue:GetTableVersions",
    ]
    assert statement["Resource"] == [
        _glue_arn([":catalog"]),
        _glue_arn([":database/", database]),
        _glue_arn([":table/", database, "/", table]),
    ]


def test_role_reads_only_the_schema_of_an_existing_table(converted: Template) -> None:
    statement = _statements(converted, "Existing/DeliveryPolicy/Resource")["ReadConversionSchema"]
    glue_arn = f"arn:aws:glue:eu-west-1:{ACCOUNT}"
    assert statement["Resource"] == [
        f"{glue_arn}:catalog",
        f"{glue_arn}:database/lake",
        EXISTING_TABLE_ARN,
    ]


def test_conversion_writes_parquet_uncompressed_with_the_new_table_schema(
    converted: Template,
) -> None:
    destination = _destination(converted, "Trucks/PartitionedDeliveryStream")
    assert destination["CompressionFormat"] == "UNCOMPRESSED"
    assert destination["BufferingHints"]["SizeInMBs"] == 64
    conversion = destination["DataFormatConversionConfiguration"]
    assert conversion["Enabled"] is True
    assert conversion["InputFormatConfiguration"] == {"Deserializer": {"OpenXJsonSerDe": {}}}
    # Snappy: Firehose's default inside Parquet.
    assert conversion["OutputFormatConfiguration"] == {"Serializer": {"ParquetSerDe": {}}}
    schema = conversion["SchemaConfiguration"]
    assert schema["TableName"] == ref(converted, GLUE_TABLE, "Trucks/Table/Table")
    assert schema["CatalogId"] == {"Ref": "AWS::AccountId"}
    assert schema["Region"] == {"Ref": "AWS::Region"}
    assert schema["RoleARN"] == arn(converted, "AWS::IAM::Role", "Trucks/DeliveryRole/Resource")
    assert schema["VersionId"] == "LATEST"
    assert schema["DatabaseName"] == ref(converted, GLUE_DATABASE, "Trucks/Database/Resource")


def test_conversion_with_an_existing_table_names_it(converted: Template) -> None:
    destination = _destination(converted, "Existing/DeliveryStream")
    schema = destination["DataFormatConversionConfiguration"]["SchemaConfiguration"]
    assert (schema["CatalogId"], schema["Region"]) == (ACCOUNT, "eu-west-1")
    assert (schema["DatabaseName"], schema["TableName"]) == ("lake", "clicks")
    existing_tables = [
        r["Metadata"]["aws:cdk:path"]
        for r in resources_of(converted, GLUE_TABLE).values()
        if r["Metadata"]["aws:cdk:path"].startswith("Test/Existing/")
    ]
    assert existing_tables == []
    assert not [
        r
        for r in resources_of(converted, GLUE_DATABASE).values()
        if r["Metadata"]["aws:cdk:path"].startswith("Test/Existing/")
    ]


def test_orc_output_format_writes_orc_and_an_orc_table(converted: Template) -> None:
    destination = _destination(converted, "Orc/DeliveryStream")
    assert destination["DataFormatConversionConfiguration"]["OutputFormatConfiguration"] == {
        "Serializer": {"OrcSerDe": {}}
    }
    table = by_path(converted, GLUE_TABLE, "Orc/Table/Table")["Properties"]["TableInput"]
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == (
        "org.apache.hadoop.hive.ql.io.orc.OrcSerde"
    )
    assert table["Parameters"]["classification"] == "orc"


def test_dynamic_partitioning_extracts_the_keys_with_jq(converted: Template) -> None:
    destination = _destination(converted, "Trucks/PartitionedDeliveryStream")
    assert destination["DynamicPartitioningConfiguration"] == {"Enabled": True}
    assert _processor(destination, "MetadataExtraction") == {
        "MetadataExtractionQuery": '{"truck":.truck_id}',
        "JsonParsingEngine": "JQ-1.6",
    }
    assert destination["Prefix"] == TRUCK_PREFIX
    assert destination["ErrorOutputPrefix"] == "positions-errors/!{firehose:error-output-type}/"


def test_dynamic_partitioning_gives_the_delivery_stream_its_own_id(converted: Template) -> None:
    """Switching dynamic partitioning is a replacement, never a failing in-place update."""
    paths = sorted(
        r["Metadata"]["aws:cdk:path"] for r in resources_of(converted, DELIVERY).values()
    )
    assert paths == [
        "Test/Existing/DeliveryStream",
        "Test/Orc/DeliveryStream",
        "Test/Trucks/PartitionedDeliveryStream",
    ]


def test_dynamic_partitioning_warns_that_it_is_create_only() -> None:
    stack = cdk.Stack(new_app(), "Test")
    KinesisToFirehoseToS3(
        stack,
        "Ingest",
        prefix="data/truck=!{partitionKeyFromQuery:truck}/",
        dynamic_partitioning_keys={"truck": ".truck_id"},
    )
    KinesisToFirehoseToS3(stack, "Plain")
    annotations = Annotations.from_stack(stack)
    annotations.has_warning(
        "/Test/Ingest",
        Match.string_like_regexp("can only be set when a delivery stream is created"),
    )
    annotations.has_no_warning("/Test/Plain", Match.string_like_regexp("dynamic partitioning"))


def test_new_table_is_partitioned_like_the_prefix_and_projected(converted: Template) -> None:
    table = by_path(converted, GLUE_TABLE, "Trucks/Table/Table")
    assert table["DeletionPolicy"] == "Delete"
    properties = table["Properties"]
    assert properties["DatabaseName"] == ref(converted, GLUE_DATABASE, "Trucks/Database/Resource")
    table_input = properties["TableInput"]
    assert table_input["TableType"] == "EXTERNAL_TABLE"
    assert table_input["PartitionKeys"] == [
        {"Name": "truck", "Type": "string"},
        {"Name": "hour", "Type": "string"},
    ]
    storage = table_input["StorageDescriptor"]
    assert storage["Columns"] == [
        {"Name": "truck_id", "Type": "int"},
        {"Name": "recorded_at", "Type": "timestamp"},
        {"Name": "lat", "Type": "double"},
        {"Name": "lon", "Type": "double"},
    ]
    assert storage["SerdeInfo"]["SerializationLibrary"] == (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    bucket = ref(converted, "AWS::S3::Bucket", "Trucks/Bucket/Resource")
    assert storage["Location"] == {"Fn::Join": ["", ["s3://", bucket, "/positions/"]]}
    parameters = table_input["Parameters"]
    assert parameters["storage.location.template"] == {
        "Fn::Join": ["", ["s3://", bucket, "/positions/truck=${truck}/hour=${hour}/"]]
    }
    projection = {k: v for k, v in parameters.items() if k.startswith("projection.")}
    assert projection == {
        "projection.enabled": "true",
        "projection.truck.type": "integer",
        "projection.truck.range": "1,100",
        "projection.hour.type": "date",
        "projection.hour.format": "yyyy-MM-dd-HH",
        "projection.hour.range": "NOW-5YEARS,NOW",
        "projection.hour.interval": "1",
        "projection.hour.interval.unit": "HOURS",
    }


def test_default_prefix_projects_year_month_day_hour(converted: Template) -> None:
    table_input = by_path(converted, GLUE_TABLE, "Orc/Table/Table")["Properties"]["TableInput"]
    assert [k["Name"] for k in table_input["PartitionKeys"]] == ["year", "month", "day", "hour"]
    parameters = table_input["Parameters"]
    assert {k: v for k, v in parameters.items() if k.startswith("projection.")} == {
        "projection.enabled": "true",
        "projection.year.type": "date",
        "projection.year.format": "yyyy",
        "projection.year.range": "NOW-5YEARS,NOW",
        "projection.year.interval": "1",
        "projection.year.interval.unit": "YEARS",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
        "projection.hour.type": "integer",
        "projection.hour.range": "0,23",
        "projection.hour.digits": "2",
    }


def test_query_keys_are_injected_unless_projected_otherwise() -> None:
    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(
            stack,
            "Ingest",
            prefix="data/truck=!{partitionKeyFromQuery:truck}/",
            output_format=firehose.OutputFormat.PARQUET,
            columns=POSITION_COLUMNS,
            dynamic_partitioning_keys={"truck": ".truck_id"},
        )

    template = synth_stack(build)
    parameters = by_path(template, GLUE_TABLE, "Ingest/Table/Table")["Properties"]["TableInput"][
        "Parameters"
    ]
    assert parameters["projection.truck.type"] == "injected"


def test_new_database_is_deleted_with_the_stack_and_the_delivery_waits_for_the_policy(
    converted: Template,
) -> None:
    database = by_path(converted, GLUE_DATABASE, "Trucks/Database/Resource")
    assert database["DeletionPolicy"] == "Delete"
    delivery = by_path(converted, DELIVERY, "Trucks/PartitionedDeliveryStream")
    # The table is waited for through the Ref in SchemaConfiguration, the policy explicitly.
    assert delivery["DependsOn"] == [
        logical_id(converted, POLICY, "Trucks/DeliveryPolicy/Resource")
    ]


def test_new_table_can_go_into_an_existing_database() -> None:
    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(
            stack,
            "Ingest",
            output_format=firehose.OutputFormat.PARQUET,
            columns=POSITION_COLUMNS,
            database=glue.Database.from_database_arn(
                stack, "Lake", f"arn:aws:glue:eu-west-1:{ACCOUNT}:database/lake"
            ),
        )

    template = synth_stack(build)
    template.resource_count_is(GLUE_DATABASE, 0)
    table = by_path(template, GLUE_TABLE, "Ingest/Table/Table")
    assert table["Properties"]["DatabaseName"] == "lake"


def test_option_alarms_watch_the_function_and_the_delivery_stream(converted: Template) -> None:
    dimensions = [
        {
            "Name": "DeliveryStreamName",
            "Value": ref(converted, DELIVERY, "Trucks/PartitionedDeliveryStream"),
        }
    ]
    errors = _alarm(converted, "Trucks/TransformationErrorsAlarm/Resource")
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
        alarm = _alarm(converted, f"Trucks/{name}/Resource")
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


def test_table_and_database_attributes() -> None:
    stack = cdk.Stack(new_app(), "Test")
    plain = KinesisToFirehoseToS3(stack, "Plain")
    assert (plain.table, plain.database) == (None, None)
    converting = KinesisToFirehoseToS3(
        stack, "Converting", output_format=firehose.OutputFormat.PARQUET, columns=POSITION_COLUMNS
    )
    assert isinstance(converting.table, glue.S3Table)
    assert converting.database is not None


# --- validation of the options: one test per rule --------------------------------------


def _converting(**options: Any) -> KinesisToFirehoseToS3:
    return _build(output_format=firehose.OutputFormat.PARQUET, columns=POSITION_COLUMNS, **options)


def _partitioned(**options: Any) -> KinesisToFirehoseToS3:
    settings: dict[str, Any] = {
        "prefix": "data/truck=!{partitionKeyFromQuery:truck}/",
        "dynamic_partitioning_keys": {"truck": ".truck_id"},
    }
    settings.update(options)
    return _build(**settings)


def test_rejects_compression_other_than_uncompressed_with_conversion() -> None:
    with pytest.raises(
        ValueError, match=r"compression 'GZIP' is not allowed with output_format.*UNCOMPRESSED"
    ):
        _converting(compression=firehose.Compression.GZIP)


def test_accepts_explicit_uncompressed_with_conversion() -> None:
    _converting(compression=firehose.Compression.UNCOMPRESSED)


def test_rejects_a_buffer_under_64_mib_with_conversion() -> None:
    with pytest.raises(
        ValueError,
        match=r"buffering_size must be at least 64 MiB with record format conversion, got 32",
    ):
        _converting(buffering_size=Size.mebibytes(32))


def test_rejects_a_buffer_under_64_mib_with_dynamic_partitioning() -> None:
    with pytest.raises(
        ValueError, match=r"buffering_size must be at least 64 MiB with dynamic partitioning"
    ):
        _partitioned(buffering_size=Size.mebibytes(16))


def test_rejects_zero_buffering_with_dynamic_partitioning() -> None:
    with pytest.raises(
        ValueError,
        match=r"buffering_interval with dynamic partitioning \(no zero buffering\) must be "
        r"between 1 minute and 15 minutes, got 30 seconds",
    ):
        _partitioned(buffering_interval=Duration.seconds(30))


def test_rejects_a_prefix_key_that_is_not_declared() -> None:
    with pytest.raises(
        ValueError,
        match=r"uses !\{partitionKeyFromQuery:depot\}, but 'depot' is not among "
        r"dynamic_partitioning_keys \(truck\)",
    ):
        _partitioned(prefix="data/depot=!{partitionKeyFromQuery:depot}/")


def test_rejects_a_lambda_key_without_a_transformation_function() -> None:
    with pytest.raises(ValueError, match=r"partitionKeyFromLambda:route\}, which only a"):
        _partitioned(
            prefix="data/truck=!{partitionKeyFromQuery:truck}/!{partitionKeyFromLambda:route}/"
        )


def test_accepts_a_lambda_key_with_a_transformation_function() -> None:
    stack = cdk.Stack(new_app(), "Test")
    KinesisToFirehoseToS3(
        stack,
        "Ingest",
        prefix="data/route=!{partitionKeyFromLambda:route}/truck=!{partitionKeyFromQuery:truck}/",
        dynamic_partitioning_keys={"truck": ".truck_id"},
        transformation_function=_transform(stack),
    )


def test_rejects_dynamic_partitioning_without_an_error_prefix() -> None:
    with pytest.raises(ValueError, match=r"error_output_prefix may not be empty with dynamic"):
        _partitioned(error_output_prefix="")


def test_rejects_dynamic_partitioning_with_no_key_in_the_prefix() -> None:
    with pytest.raises(ValueError, match=r"prefix 'data/' uses no partition key"):
        _partitioned(prefix="data/")


def test_rejects_a_partition_key_in_the_error_prefix() -> None:
    with pytest.raises(
        ValueError, match=r"error_output_prefix holds records that have no partition keys"
    ):
        _partitioned(
            error_output_prefix="errors/!{firehose:error-output-type}/!{partitionKeyFromQuery:truck}/"
        )


def test_rejects_partition_key_expressions_without_dynamic_partitioning() -> None:
    with pytest.raises(
        ValueError, match=r"without dynamic partitioning \(dynamic_partitioning_keys\)"
    ):
        _build(prefix="data/truck=!{partitionKeyFromQuery:truck}/")


def test_rejects_empty_dynamic_partitioning_keys() -> None:
    with pytest.raises(ValueError, match=r"dynamic_partitioning_keys is empty"):
        _partitioned(dynamic_partitioning_keys={})


def test_rejects_an_invalid_partition_key_name() -> None:
    with pytest.raises(ValueError, match=r"dynamic_partitioning_keys has the key 'truck-id'"):
        _partitioned(dynamic_partitioning_keys={"truck-id": ".truck_id"})


def test_rejects_an_empty_jq_expression() -> None:
    with pytest.raises(ValueError, match=r"dynamic_partitioning_keys\['truck'\] is empty"):
        _partitioned(dynamic_partitioning_keys={"truck": " "})


def test_rejects_conversion_without_a_schema() -> None:
    with pytest.raises(ValueError, match=r"output_format needs the schema of the records"):
        _build(output_format=firehose.OutputFormat.PARQUET)


def test_rejects_columns_and_table_together() -> None:
    stack = cdk.Stack(new_app(), "Other")
    with pytest.raises(ValueError, match=r"either columns or table, not both"):
        _converting(table=glue.S3Table.from_table_arn(stack, "T", EXISTING_TABLE_ARN))


def test_rejects_schema_options_without_conversion() -> None:
    with pytest.raises(
        ValueError, match=r"columns, partition_projections describe the record format conversion"
    ):
        _build(
            columns=POSITION_COLUMNS,
            partition_projections={"year": glue.PartitionProjectionConfiguration.injected()},
        )


def test_rejects_new_table_options_with_an_existing_table() -> None:
    stack = cdk.Stack(new_app(), "Other")
    with pytest.raises(ValueError, match=r"database configure a new resource .* with table"):
        _build(
            output_format=firehose.OutputFormat.PARQUET,
            table=glue.S3Table.from_table_arn(stack, "T", EXISTING_TABLE_ARN),
            database=glue.Database.from_database_arn(
                stack, "D", f"arn:aws:glue:eu-west-1:{ACCOUNT}:database/lake"
            ),
        )


def test_rejects_a_schema_with_no_columns() -> None:
    with pytest.raises(ValueError, match=r"columns is empty"):
        _build(output_format=firehose.OutputFormat.PARQUET, columns=[])


@pytest.mark.parametrize(
    ("column_type", "rendered"),
    [
        (glue.Schema.struct([]), "struct<>"),
        (
            glue.Schema.struct([glue.Column(name="top speed", type=glue.Schema.DOUBLE)]),
            "struct<top speed:double>",
        ),
    ],
)
def test_rejects_an_unknown_column_type(column_type: glue.Type, rendered: str) -> None:
    with pytest.raises(
        ValueError, match=rf"columns: 'stats' has the type '{re.escape(rendered)}', which Glue"
    ):
        _build(
            output_format=firehose.OutputFormat.PARQUET,
            columns=[glue.Column(name="stats", type=column_type)],
        )


def test_rejects_a_column_declared_twice() -> None:
    with pytest.raises(ValueError, match=r"columns: 'Lat' is declared twice"):
        _build(
            output_format=firehose.OutputFormat.PARQUET,
            columns=[*POSITION_COLUMNS, glue.Column(name="Lat", type=glue.Schema.DOUBLE)],
        )


def test_rejects_a_partition_column_that_is_also_a_data_column() -> None:
    with pytest.raises(ValueError, match=r"names the partition column 'truck_id', which is also"):
        _converting(
            prefix="data/truck_id=!{partitionKeyFromQuery:truck_id}/",
            dynamic_partitioning_keys={"truck_id": ".truck_id"},
        )


def test_rejects_a_prefix_expression_outside_a_hive_folder_for_a_new_table() -> None:
    with pytest.raises(ValueError, match=r"has the folder '!\{timestamp:yyyy\}': for a queryable"):
        _converting(prefix="data/!{timestamp:yyyy}/")


def test_rejects_a_partition_folder_with_no_inferable_projection() -> None:
    with pytest.raises(
        ValueError, match=r"the folder part=!\{firehose:random-string\} has no projection"
    ):
        _converting(prefix="data/part=!{firehose:random-string}/")


def test_accepts_an_explicit_projection_for_an_uninferable_folder() -> None:
    _converting(
        prefix="data/part=!{firehose:random-string}/",
        partition_projections={"part": glue.PartitionProjectionConfiguration.injected()},
    )


def test_rejects_a_projection_for_an_unknown_partition_column() -> None:
    with pytest.raises(
        ValueError, match=r"partition_projections names 'truck', which is not a partition column"
    ):
        _converting(
            partition_projections={"truck": glue.PartitionProjectionConfiguration.injected()}
        )


def test_rejects_transformation_options_without_a_function() -> None:
    with pytest.raises(
        ValueError, match=r"transformation_retries configure the Lambda transformation"
    ):
        _build(transformation_retries=1)


def _with_function(**options: Any) -> KinesisToFirehoseToS3:
    stack = cdk.Stack(new_app(), "Test")
    return KinesisToFirehoseToS3(
        stack, "Ingest", transformation_function=_transform(stack), **options
    )


def test_rejects_a_transformation_interval_over_900_seconds() -> None:
    with pytest.raises(
        ValueError, match=r"transformation_buffering_interval must be between 0 seconds and 15"
    ):
        _with_function(transformation_buffering_interval=Duration.seconds(901))


@pytest.mark.parametrize("size", [Size.kibibytes(512), Size.mebibytes(4)])
def test_rejects_a_transformation_buffer_outside_1_to_3_mib(size: Size) -> None:
    with pytest.raises(
        ValueError, match=r"transformation_buffering_size must be between 1 MiB and 3 MiB"
    ):
        _with_function(transformation_buffering_size=size)


def test_rejects_transformation_retries_over_300() -> None:
    with pytest.raises(ValueError, match=r"transformation_retries must be between 0 and 300"):
        _with_function(transformation_retries=301)


def test_rejects_a_transformation_function_timeout_over_5_minutes() -> None:
    stack = cdk.Stack(new_app(), "Test")
    slow = lambda_.Function(
        stack,
        "Slow",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
        timeout=Duration.minutes(6),
    )
    with pytest.raises(
        ValueError,
        match=r"the timeout of transformation_function Test/Slow must be between 1 second and "
        r"5 minutes, got 6 minutes",
    ):
        KinesisToFirehoseToS3(stack, "Ingest", transformation_function=slow)


def test_synth_fails_when_the_function_timeout_is_raised_after_construction() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Test")
    function = _transform(stack)
    KinesisToFirehoseToS3(stack, "Ingest", transformation_function=function)
    cfn_function = function.node.default_child
    assert isinstance(cfn_function, lambda_.CfnFunction)
    cfn_function.timeout = 600
    with pytest.raises(RuntimeError, match=r"has a timeout of 600 seconds; Firehose invokes"):
        app.synth()


def test_an_imported_transformation_function_is_accepted() -> None:
    stack = cdk.Stack(new_app(), "Test")
    function = lambda_.Function.from_function_arn(
        stack, "Imported", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:enrich"
    )
    pattern = KinesisToFirehoseToS3(stack, "Ingest", transformation_function=function)
    statement = next(
        s
        for s in stack.resolve(
            pattern.node.find_child("DeliveryPolicy").document.to_json()  # type: ignore[attr-defined]
        )["Statement"]
        if s.get("Sid") == "InvokeTransformationFunction"
    )
    assert statement["Resource"] == f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:enrich"


def test_input_format_chooses_the_json_deserializer() -> None:
    def build(stack: cdk.Stack) -> None:
        KinesisToFirehoseToS3(
            stack,
            "Ingest",
            output_format=firehose.OutputFormat.PARQUET,
            input_format=firehose.InputFormat.HIVE_JSON,
            columns=POSITION_COLUMNS,
        )

    destination = _destination(synth_stack(build), "Ingest/DeliveryStream")
    assert destination["DataFormatConversionConfiguration"]["InputFormatConfiguration"] == {
        "Deserializer": {"HiveJsonSerDe": {}}
    }
