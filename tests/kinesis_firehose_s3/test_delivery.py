"""KinesisToFirehoseToS3: the delivery role, the delivery stream and its error logs."""

from __future__ import annotations

from aws_cdk.assertions import Template

from tests.helpers import arn, by_path, logical_id, ref
from tests.kinesis_firehose_s3.common import (
    DELIVERY,
    POLICY,
    STREAM,
    object_arn_under,
    policy_statements,
)


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
    statement = policy_statements(two, "First/DeliveryPolicy/Resource")["ReadSourceStream"]
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
    statement = policy_statements(two, "First/DeliveryPolicy/Resource")["DecryptSourceStream"]
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
    statements = policy_statements(two, "First/DeliveryPolicy/Resource")
    bucket_arn = arn(two, "AWS::S3::Bucket", "First/Bucket/Resource")
    assert statements["WriteUnderDeliveryPrefixes"]["Action"] == [
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:PutObject",
    ]
    assert statements["WriteUnderDeliveryPrefixes"]["Resource"] == [
        object_arn_under(bucket_arn, "data/"),
        object_arn_under(bucket_arn, "errors/"),
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
    statement = policy_statements(two, "Second/DeliveryPolicy/Resource")[
        "WriteUnderDeliveryPrefixes"
    ]
    bucket_arn = arn(two, "AWS::S3::Bucket", "Second/Bucket/Resource")
    assert statement["Resource"] == [
        object_arn_under(bucket_arn, "failed/"),
        object_arn_under(bucket_arn, "raw/"),
    ]


def test_role_uses_the_bucket_key_only_through_s3_for_this_bucket(two: Template) -> None:
    statement = policy_statements(two, "First/DeliveryPolicy/Resource")["EncryptDeliveredObjects"]
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
                object_arn_under(bucket_arn, "data/"),
                object_arn_under(bucket_arn, "errors/"),
            ]
        },
    }


def test_role_writes_only_to_its_delivery_log_stream(two: Template) -> None:
    statement = policy_statements(two, "First/DeliveryPolicy/Resource")["WriteDeliveryErrorLogs"]
    assert statement["Action"] == "logs:PutLogEvents"
    joined = statement["Resource"]["Fn::Join"][1][-1]
    assert joined.endswith(":log-stream:DestinationDelivery")
    assert joined.startswith(":log-group:/aws/kinesisfirehose/")


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
