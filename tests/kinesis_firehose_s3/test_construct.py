"""KinesisToFirehoseToS3 as a whole: stream, key and bucket, several instances, existing
resources, the compliance gate."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from patterns import KinesisToFirehoseToS3
from patterns.alarm_topic import AlarmTopic
from patterns.compliance import apply_compliance_checks
from tests.helpers import arn, by_path, new_app, resources_of, synth_stack
from tests.kinesis_firehose_s3.common import (
    ACCOUNT,
    DELIVERY,
    POLICY,
    POSITION_COLUMNS,
    STREAM,
    TRUCK_PREFIX,
    policy_statements,
)
from tools.compliance import read_findings, summarize


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
    statements = policy_statements(existing, "Ingest/DeliveryPolicy/Resource")
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
    statement = policy_statements(existing, "Keyed/DeliveryPolicy/Resource")[
        "EncryptDeliveredObjects"
    ]
    assert statement["Resource"] == key_arn


def test_imported_key_warns_that_its_policy_must_allow_logs() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Test")
    key = kms.Key.from_key_arn(stack, "Key", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/shared")
    KinesisToFirehoseToS3(stack, "Ingest", encryption_key=key)
    Annotations.from_stack(stack).has_warning(
        "/Test/Ingest", Match.string_like_regexp("The key encryption_key is imported")
    )


def test_more_shards_than_the_default_quota_warn() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Test")
    KinesisToFirehoseToS3(stack, "Ingest", shard_count=300)
    Annotations.from_stack(stack).has_warning(
        "/Test/Ingest", Match.string_like_regexp("exceed the default shard quota")
    )


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


def test_the_package_exports_the_construct_and_the_planner() -> None:
    """``from patterns.kinesis_firehose_s3 import ...`` works, lazily, for the three names."""
    import patterns
    from patterns import kinesis_firehose_s3 as package

    assert package.KinesisToFirehoseToS3 is patterns.KinesisToFirehoseToS3
    assert package.StreamThroughput is patterns.StreamThroughput
    assert package.plan_shard_count is patterns.plan_shard_count
    assert set(package.__all__) == {"KinesisToFirehoseToS3", "StreamThroughput", "plan_shard_count"}
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        package.Nope  # noqa: B018
