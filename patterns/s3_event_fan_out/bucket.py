"""The fan-out's bucket: a new secure one, and who writes its notification configuration.

A new bucket is :func:`patterns.buckets.create_secure_bucket` with this pattern's defaults.
A bucket's notification configuration has one writer: this pattern writes the bucket's
``NotificationConfiguration`` property, CDK's ``Custom::S3BucketNotifications`` (from
``add_event_notification``) replaces the whole configuration at deploy, so
:class:`SingleNotificationOwner` fails synth when a bucket has both. Where the pattern must use
CDK's custom resource (existing buckets), its findings are acknowledged here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import jsii
from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct, IValidation

from patterns.buckets import (
    DEFAULT_ACCESS_LOG_EXPIRATION,
    DEFAULT_NONCURRENT_VERSION_EXPIRATION,
    SecureBucket,
    create_secure_bucket,
)
from patterns.compliance import acknowledge, acknowledge_all, skip_checkov
from patterns.s3_event_fan_out.events import S3EventDelivery

if TYPE_CHECKING:
    from patterns.s3_event_fan_out.construct import S3EventFanOut

# CDK's singleton handler for notifications set through the L2 API (Custom::S3BucketNotifications).
NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"
# The construct ID CDK gives that custom resource under the bucket.
L2_NOTIFICATIONS_ID = "Notifications"


@dataclass(frozen=True)
class NewBucketOptions:
    """The fan-out's options for a new bucket (``None``: the default), as given."""

    bucket_name: str | None = None
    removal_policy: RemovalPolicy | None = None
    noncurrent_version_expiration: Duration | None = None
    access_log_expiration: Duration | None = None

    def given(self) -> dict[str, object]:
        """Each option by its argument name, for "existing bucket or options" checks."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def new_bucket(
    scope: Construct, options: NewBucketOptions, *, encryption_key: kms.IKey | None
) -> SecureBucket:
    """``Bucket`` and ``AccessLogBucket`` under ``scope``, retained unless told otherwise."""
    return create_secure_bucket(
        scope,
        bucket_name=options.bucket_name,
        encryption_key=encryption_key,
        removal_policy=options.removal_policy or RemovalPolicy.RETAIN,
        noncurrent_version_expiration=(
            options.noncurrent_version_expiration or DEFAULT_NONCURRENT_VERSION_EXPIRATION
        ),
        access_log_expiration=options.access_log_expiration or DEFAULT_ACCESS_LOG_EXPIRATION,
    )


def own_cfn_bucket(bucket: s3.IBucket) -> s3.CfnBucket | None:
    """The ``AWS::S3::Bucket`` of a bucket defined in this app, ``None`` for imported ones."""
    child = bucket.node.default_child
    return child if isinstance(child, s3.CfnBucket) else None


@jsii.implements(IValidation)
class SingleNotificationOwner:
    """Synth fails when the bucket's notifications would be written from two places.

    CDK's ``Custom::S3BucketNotifications`` (from ``add_event_notification``,
    ``enable_event_bridge_notification`` or ``event_bridge_enabled``) runs with
    ``Managed: true`` on a bucket of this app and replaces the bucket's whole notification
    configuration at deploy: the ``NotificationConfiguration`` property this pattern writes
    would silently be lost.
    """

    def __init__(self, fan_out: S3EventFanOut, cfn_bucket: s3.CfnBucket | None) -> None:
        """:param cfn_bucket: the ``AWS::S3::Bucket`` of a new bucket (``None``: look it up)."""
        self._fan_out = fan_out
        self._cfn_bucket = cfn_bucket

    def validate(self) -> list[str]:
        bucket = self._fan_out.bucket
        custom = bucket.node.try_find_child(L2_NOTIFICATIONS_ID)
        if custom is None:
            return []
        cfn_bucket = self._cfn_bucket or own_cfn_bucket(bucket)
        if cfn_bucket is None or cfn_bucket.notification_configuration is None:
            return []
        if self._fan_out.delivery is S3EventDelivery.EVENT_BRIDGE:
            lost = "the EventBridge notifications its rule depends on"
            fix = (
                "subscribe the queue with add_queue(...) (filter with event_body_filter), or "
                "route the events with an events.Rule on source aws.s3 or another "
                "S3EventFanOut on this bucket (EventBridge delivery): the bucket already sends "
                "every event to EventBridge"
            )
        else:
            lost = "its topic configurations"
            fix = (
                "subscribe the queue with add_queue(...) (filter with event_body_filter), or "
                "use delivery=S3EventDelivery.EVENT_BRIDGE, where any number of rules may "
                "take the bucket's events"
            )
        return [
            f"bucket {bucket.node.path} has two notification configurations: the "
            "NotificationConfiguration property (set by S3EventFanOut "
            f"{self._fan_out.node.path}) and CDK's Custom::S3BucketNotifications at "
            f"{custom.node.path}, added by bucket.add_event_notification(...) (or "
            "enable_event_bridge_notification, or a second fan-out with delivery=NOTIFICATION). "
            "At deploy the custom resource (Managed: true) replaces the whole configuration, "
            f"and {lost} would be lost without a warning. Instead of "
            f"bucket.add_event_notification, {fix}"
        ]


def acknowledge_notifications_handler(stack: Stack, notifications: IConstruct) -> None:
    """Record why CDK's notifications custom resource is as it is (existing buckets only).

    The bucket's handler policy is scoped to that bucket; the handler itself is one per stack.
    """
    handler_policy = notifications.node.try_find_child("HandlerPolicy")
    if handler_policy is not None:
        acknowledge_all(
            handler_policy,
            {
                f"{pack}::{pack}-IAMNoInlinePolicy": (
                    "CDK attaches this inline policy to its notifications handler role; it "
                    "allows only s3:GetBucketNotification and s3:PutBucketNotification on this "
                    "one bucket."
                )
                for pack in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
            },
        )
    handler = stack.node.try_find_child(NOTIFICATIONS_HANDLER_ID)
    if not isinstance(handler, Construct) or handler.node.try_find_child("Acknowledged"):
        return
    Construct(handler, "Acknowledged")  # marks the handler as done, creates no resource
    function = handler.node.find_child("Resource")
    acknowledge(
        handler,
        "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
        "service-role/AWSLambdaBasicExecutionRole]",
        "CDK's bucket-notifications handler always attaches this managed policy; it only "
        "lets the function write its own CloudWatch logs.",
    )
    for check_id, reason in (
        (
            "CKV_AWS_115",
            "Deployment-time custom-resource handler of CDK, invoked by CloudFormation once per "
            "change; reserved concurrency would only take capacity from the account.",
        ),
        (
            "CKV_AWS_116",
            "Invoked synchronously by CloudFormation, which reports failures itself; a "
            "dead-letter queue never receives anything from a custom-resource handler.",
        ),
        (
            "CKV_AWS_117",
            "Calls only the S3 control API during deployment; a VPC would need NAT or an "
            "endpoint for no protection gained.",
        ),
    ):
        skip_checkov(function, check_id, reason)  # type: ignore[arg-type]
