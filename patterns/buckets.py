"""Secure S3 bucket defaults shared by the patterns that create buckets.

``create_secure_bucket`` makes a data bucket and the access-log bucket beside it: public
access blocked, TLS only, encrypted, versioned, with lifecycle rules that bound what old
versions, failed uploads and logs cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from patterns.compliance import acknowledge, skip_checkov

DEFAULT_NONCURRENT_VERSION_EXPIRATION = Duration.days(90)
DEFAULT_ACCESS_LOG_EXPIRATION = Duration.days(365)
INCOMPLETE_UPLOAD_EXPIRATION = Duration.days(7)


@dataclass(frozen=True)
class SecureBucket:
    """A data bucket and the bucket that receives its server access logs."""

    bucket: s3.Bucket
    access_log_bucket: s3.Bucket


def create_secure_bucket(
    scope: Construct,
    *,
    encryption_key: kms.IKey | None = None,
    removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    noncurrent_version_expiration: Duration = DEFAULT_NONCURRENT_VERSION_EXPIRATION,
    access_log_expiration: Duration = DEFAULT_ACCESS_LOG_EXPIRATION,
) -> SecureBucket:
    """Create ``Bucket`` and ``AccessLogBucket`` under ``scope``.

    The data bucket is encrypted with ``encryption_key`` (SSE-KMS, with S3 bucket keys to
    cut KMS calls) or, without one, with SSE-S3. The log bucket always uses SSE-S3: S3
    server access logging cannot deliver to a bucket whose default encryption is SSE-KMS.
    Both default to ``RETAIN``: a stack deletion must not delete data or audit logs.
    """
    access_logs = s3.Bucket(
        scope,
        "AccessLogBucket",
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        removal_policy=removal_policy,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ExpireAccessLogs",
                expiration=access_log_expiration,
                noncurrent_version_expiration=Duration.days(1),
                abort_incomplete_multipart_upload_after=INCOMPLETE_UPLOAD_EXPIRATION,
            )
        ],
    )
    _acknowledge_log_bucket(access_logs)

    bucket = s3.Bucket(
        scope,
        "Bucket",
        encryption=s3.BucketEncryption.KMS if encryption_key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=encryption_key,
        bucket_key_enabled=encryption_key is not None or None,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix="access-logs/",
        removal_policy=removal_policy,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ExpireNoncurrentVersionsAndFailedUploads",
                noncurrent_version_expiration=noncurrent_version_expiration,
                abort_incomplete_multipart_upload_after=INCOMPLETE_UPLOAD_EXPIRATION,
            )
        ],
    )
    for pack in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"):
        acknowledge(
            bucket,
            f"{pack}::{pack}-S3BucketReplicationEnabled",
            "Cross-region replication needs a second bucket in another region, a choice of "
            "region and a cost the data owner must make; versioning and RETAIN protect the "
            "data in this region.",
        )
    return SecureBucket(bucket=bucket, access_log_bucket=access_logs)


def _acknowledge_log_bucket(access_logs: s3.Bucket) -> None:
    skip_checkov(
        access_logs.node.default_child,  # type: ignore[arg-type]
        "CKV_AWS_18",
        "This is the server access log bucket; logging its own access would write logs about "
        "logs in an endless loop.",
    )
    for pack in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"):
        acknowledge(
            access_logs,
            f"{pack}::{pack}-S3BucketReplicationEnabled",
            "Access logs are an audit copy already; replicating them to a second region is "
            "left to the account's central logging, not this pattern.",
        )
        acknowledge(
            access_logs,
            f"{pack}::{pack}-S3DefaultEncryptionKMS",
            "S3 server access logging can only deliver to a bucket encrypted with SSE-S3; "
            "with SSE-KMS as default encryption the logs would be dropped.",
        )
