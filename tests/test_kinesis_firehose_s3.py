"""KinesisToFirehoseToS3: encryption, the delivery role, delivery settings, logs, alarms, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, Size
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from patterns import KinesisToFirehoseToS3, StreamThroughput
from patterns.alarm_topic import AlarmTopic
from patterns.compliance import apply_compliance_checks, read_findings, summarize
from tests.helpers import arn, by_path, logical_id, new_app, ref, resources_of, synth_stack

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
    assert stream["DeletionPolicy"] == "Retain"


def test_planned_stream_is_provisioned_with_the_planned_shards_and_retention(
    two: Template,
) -> None:
    properties = by_path(two, STREAM, "Second/Stream/Resource")["Properties"]
    assert properties["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert properties["ShardCount"] == 10
    assert properties["RetentionPeriodHours"] == 7 * 24


def test_key_rotates_and_is_retained(two: Template) -> None:
    key = by_path(two, "AWS::KMS::Key", "First/EncryptionKey/Resource")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"


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
                "Fn::Join": ["", ["kinesis.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]
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
            "kms:ViaService": {"Fn::Join": ["", ["s3.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}
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
    apply_compliance_checks(app)
    app.synth()
    table, open_count = summarize(tmp_path)
    assert open_count == 0, table
    acknowledged = {f.acknowledged_id for f in read_findings(tmp_path) if f.acknowledged_id}
    assert (
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::analytics-lake/data/*]"
        in acknowledged
    )
