"""S3EventFanOut's new bucket: secure settings, log bucket, lifecycle, no fixed name, and one
writer of its notification configuration.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from patterns.s3_event_fan_out import S3EventFanOut, S3EventRule
from tests.helpers import by_path, logical_id, new_app, synth_stack
from tests.s3_event_fan_out.common import CREATED, NOTIFICATION


def test_bucket_is_private_encrypted_versioned_logged_and_retained(template: Template) -> None:
    bucket = by_path(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")
    props = bucket["Properties"]
    key_id = logical_id(template, "AWS::KMS::Key", "/Images/EncryptionKey/Resource")
    log_bucket = logical_id(template, "AWS::S3::Bucket", "/Images/AccessLogBucket/Resource")
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {
            "BucketKeyEnabled": True,
            "ServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]},
            },
        }
    ]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": log_bucket},
        "LogFilePrefix": "access-logs/",
    }
    assert props["LifecycleConfiguration"]["Rules"] == [
        {
            "Id": "ExpireNoncurrentVersionsAndFailedUploads",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        }
    ]
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["UpdateReplacePolicy"] == "Retain"


def test_bucket_policy_denies_requests_without_tls(template: Template) -> None:
    bucket = logical_id(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_access_log_bucket_expires_logs_and_is_itself_private(template: Template) -> None:
    props = by_path(template, "AWS::S3::Bucket", "/Images/AccessLogBucket/Resource")["Properties"]
    assert props["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 365
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert props["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}


def test_removal_policy_and_expirations_apply_to_the_new_buckets() -> None:
    template = synth_stack(
        lambda stack: S3EventFanOut(
            stack,
            "Scratch",
            delivery=NOTIFICATION,
            bucket_name="scratch-images-bucket",
            removal_policy=RemovalPolicy.DESTROY,
            noncurrent_version_expiration=Duration.days(7),
            access_log_expiration=Duration.days(30),
        )
    )
    bucket = by_path(template, "AWS::S3::Bucket", "/Scratch/Bucket/Resource")
    logs = by_path(template, "AWS::S3::Bucket", "/Scratch/AccessLogBucket/Resource")
    assert bucket["Properties"]["BucketName"] == "scratch-images-bucket"
    assert bucket["DeletionPolicy"] == logs["DeletionPolicy"] == "Delete"
    rule = bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7}
    assert logs["Properties"]["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 30
    # the fixed name is what the topic policy names
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Condition": Match.object_like(
                                    {
                                        "ArnEquals": {
                                            "aws:SourceArn": {
                                                "Fn::Join": [
                                                    "",
                                                    [
                                                        "arn:",
                                                        {"Ref": "AWS::Partition"},
                                                        ":s3:::scratch-images-bucket",
                                                    ],
                                                ]
                                            }
                                        }
                                    }
                                )
                            }
                        )
                    ]
                )
            }
        },
    )


def test_new_bucket_has_no_fixed_name_by_default(template: Template) -> None:
    # A retained bucket with a name fixed at synth makes `cdk destroy` + `cdk deploy` fail
    # with "already exists"; CloudFormation must generate the name.
    bucket = by_path(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")
    assert "BucketName" not in bucket["Properties"]


def test_no_custom_resource_or_lambda_for_a_new_bucket(template: Template) -> None:
    template.resource_count_is("Custom::S3BucketNotifications", 0)
    template.resource_count_is("AWS::Lambda::Function", 0)
    template.resource_count_is("AWS::IAM::Role", 0)


def test_l2_notification_added_to_the_bucket_fails_synth_naming_the_conflict() -> None:
    # bucket.add_event_notification adds CDK's Custom::S3BucketNotifications (Managed: true),
    # which replaces the bucket's whole notification configuration at deploy: the fan-out's
    # own configuration would silently disappear.
    from aws_cdk import aws_s3_notifications as s3n

    app = new_app()
    stack = cdk.Stack(app, "Wiped")
    uploads = S3EventFanOut(stack, "Uploads")
    uploads.add_queue("Audit")
    removed = sqs.Queue(stack, "Removed", enforce_ssl=True)
    uploads.bucket.add_event_notification(s3.EventType.OBJECT_REMOVED, s3n.SqsDestination(removed))
    with pytest.raises(
        Exception, match=r"Custom::S3BucketNotifications.*bucket.add_event_notification"
    ):
        app.synth()


def test_second_fan_out_on_the_same_bucket_keeps_the_first() -> None:
    def build(stack: cdk.Stack) -> None:
        first = S3EventFanOut(stack, "Images", events=[S3EventRule(CREATED, prefix="images/")])
        first.add_queue("Thumbnails")
        second = S3EventFanOut(
            stack, "Jpegs", bucket=first.bucket, events=[S3EventRule(CREATED, suffix=".jpg")]
        )
        second.add_queue("Archive")

    template = synth_stack(build)
    # no custom resource that would overwrite the configuration the first fan-out set
    template.resource_count_is("Custom::S3BucketNotifications", 0)
    template.resource_count_is("AWS::S3::Bucket", 2)  # the data bucket and its log bucket
