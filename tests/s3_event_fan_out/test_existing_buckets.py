"""Existing buckets with both deliveries: imported, of this stack, of another stack, with L2
notifications.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Capture, Match, Template

from patterns.s3_event_fan_out import S3EventFanOut
from tests.helpers import by_path, logical_id, new_app, synth_stack
from tests.s3_event_fan_out.common import BUCKET_NAME, NOTIFICATION


def test_existing_bucket_uses_cdk_custom_resource_keeping_other_rules(
    existing_template: Template,
) -> None:
    topic = logical_id(existing_template, "AWS::SNS::Topic", "/Uploads/FanOut/Topic/Resource")
    notifications = by_path(
        existing_template, "Custom::S3BucketNotifications", "/Existing/Notifications/Resource"
    )
    assert notifications["Properties"]["BucketName"] == "my-existing-bucket"
    assert notifications["Properties"]["Managed"] is False  # merges with rules set by others
    assert notifications["Properties"]["NotificationConfiguration"] == {
        "TopicConfigurations": [
            {
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}},
                "TopicArn": {"Ref": topic},
            }
        ]
    }
    depends_on = set(notifications["DependsOn"])
    assert {
        logical_id(
            existing_template, "AWS::SNS::TopicPolicy", "/Uploads/FanOut/Topic/Policy/Resource"
        ),
        logical_id(existing_template, "AWS::KMS::Key", "/Uploads/EncryptionKey/Resource"),
        logical_id(existing_template, "AWS::SNS::Subscription", "/Loader/Subscription/Resource"),
    } <= depends_on


def test_existing_bucket_topic_policy_names_that_bucket(existing_template: Template) -> None:
    condition = Capture()
    existing_template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Principal": {"Service": "s3.amazonaws.com"}, "Condition": condition}
                        )
                    ]
                )
            }
        },
    )
    assert condition.as_object() == {
        "ArnEquals": {
            "aws:SourceArn": {
                "Fn::Join": [
                    "",
                    ["arn:", {"Ref": "AWS::Partition"}, ":s3:::my-existing-bucket"],
                ]
            }
        },
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    }


def test_existing_bucket_handler_findings_are_acknowledged_and_skipped(
    existing_template: Template,
) -> None:
    function = by_path(
        existing_template,
        "AWS::Lambda::Function",
        "/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Resource",
    )
    skipped = {skip["id"] for skip in function["Metadata"]["checkov"]["skip"]}
    assert skipped == {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117"}
    # the handler's policy is CDK's, scoped to the one bucket
    existing_template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Action": ["s3:GetBucketNotification", "s3:PutBucketNotification"],
                            "Resource": {
                                "Fn::Join": [
                                    "",
                                    ["arn:", {"Ref": "AWS::Partition"}, ":s3:::my-existing-bucket"],
                                ]
                            },
                        }
                    )
                ]
            }
        },
    )


def test_bucket_of_another_stack_of_the_app_synthesizes_without_a_cycle() -> None:
    """The fan-out's stack waits for the bucket's stack, never the reverse (a cycle)."""
    app = new_app()
    owner = cdk.Stack(app, "Owner")
    bucket = s3.Bucket(owner, "Uploads", enforce_ssl=True)
    consumer = cdk.Stack(app, "Consumer")
    fan_out = S3EventFanOut(consumer, "Uploads", bucket=bucket)
    fan_out.add_queue("Loader")
    assembly = app.synth()  # a cycle between the stacks would raise here
    owner_stack = assembly.get_stack_by_name("Owner")
    consumer_stack = assembly.get_stack_by_name("Consumer")
    assert [d.id for d in consumer_stack.dependencies if d.id == "Owner"] == ["Owner"]
    assert "Consumer" not in [d.id for d in owner_stack.dependencies]


def test_imported_bucket_warns_that_its_owner_must_enable_event_bridge() -> None:
    from aws_cdk.assertions import Annotations as AssertAnnotations

    app = new_app()
    stack = cdk.Stack(app, "Imported")
    bucket = s3.Bucket.from_bucket_name(stack, "Existing", "my-existing-bucket")
    S3EventFanOut(stack, "Uploads", bucket=bucket).add_queue("Loader")
    AssertAnnotations.from_stack(stack).has_warning(
        "/Imported/Uploads",
        Match.string_like_regexp("bucket.s owner does.*EventBridgeEnabled: true"),
    )
    template = Template.from_stack(stack)
    template.resource_count_is("Custom::S3BucketNotifications", 0)
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": Match.object_like(
                {"detail": Match.object_like({"bucket": {"name": ["my-existing-bucket"]}})}
            )
        },
    )


def test_bucket_of_another_stack_gets_event_bridge_in_its_own_stack() -> None:
    app = new_app()
    owner = cdk.Stack(app, "Owner")
    bucket = s3.Bucket(owner, "Uploads", enforce_ssl=True)
    consumer = cdk.Stack(app, "Consumer")
    S3EventFanOut(consumer, "Uploads", bucket=bucket).add_queue("Loader")
    owner_template = Template.from_stack(owner)
    owner_template.has_resource_properties(
        "AWS::S3::Bucket",
        {"NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}},
    )
    owner_template.resource_count_is("AWS::Events::Rule", 0)
    consumer_template = Template.from_stack(consumer)
    consumer_template.resource_count_is("AWS::Events::Rule", 1)
    consumer_template.resource_count_is("AWS::S3::Bucket", 0)


def test_bucket_of_another_stack_with_notifications_is_refused_naming_the_fix() -> None:
    app = new_app()
    owner = cdk.Stack(app, "Owner")
    bucket = s3.Bucket(owner, "Uploads", enforce_ssl=True)
    consumer = cdk.Stack(app, "Consumer")
    with pytest.raises(
        ValueError,
        match=(
            r"belongs to stack 'Owner'.*dependency cycle.*S3EventDelivery\.EVENT_BRIDGE"
            r".*from_bucket_name"
        ),
    ):
        S3EventFanOut(consumer, "Uploads", bucket=bucket, delivery=NOTIFICATION)


def test_bucket_with_l2_notifications_gets_event_bridge_through_them() -> None:
    from aws_cdk import aws_s3_notifications as s3n

    def build(stack: cdk.Stack) -> None:
        bucket = s3.Bucket(stack, "Uploads", enforce_ssl=True)
        removed = sqs.Queue(stack, "Removed", enforce_ssl=True)
        bucket.add_event_notification(s3.EventType.OBJECT_REMOVED, s3n.SqsDestination(removed))
        S3EventFanOut(stack, "Images", bucket=bucket).add_queue("Loader")

    template = synth_stack(build)
    custom = by_path(template, "Custom::S3BucketNotifications", "/Uploads/Notifications/Resource")
    configuration = custom["Properties"]["NotificationConfiguration"]
    assert configuration["EventBridgeConfiguration"] == {}
    assert len(configuration["QueueConfigurations"]) == 1  # the user's rule is kept
    assert "NotificationConfiguration" not in by_path(
        template, "AWS::S3::Bucket", "/Uploads/Resource"
    ).get("Properties", {})


def test_notification_fan_out_on_an_event_bridge_bucket_fails_synth() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Both")
    first = S3EventFanOut(stack, "Images")
    first.add_queue("Thumbnails")
    S3EventFanOut(stack, "Direct", bucket=first.bucket, delivery=NOTIFICATION).add_queue("Audit")
    with pytest.raises(Exception, match=r"two notification configurations.*Managed: true"):
        app.synth()


def test_event_bridge_fan_out_keeps_the_topics_of_a_notification_fan_out() -> None:
    def build(stack: cdk.Stack) -> None:
        direct = S3EventFanOut(stack, "Direct", delivery=NOTIFICATION, bucket_name=BUCKET_NAME)
        direct.add_queue("Audit")
        S3EventFanOut(stack, "Routed", bucket=direct.bucket).add_queue("Thumbnails")

    template = synth_stack(build)
    configuration = by_path(template, "AWS::S3::Bucket", "/Direct/Bucket/Resource")["Properties"][
        "NotificationConfiguration"
    ]
    assert configuration["EventBridgeConfiguration"] == {"EventBridgeEnabled": True}
    assert len(configuration["TopicConfigurations"]) == 1


def test_bucket_of_this_app_gets_a_managed_custom_resource_with_notifications() -> None:
    # What the docs say: for an s3.Bucket of the same app CDK's custom resource runs with
    # Managed: true (it owns the whole configuration); Managed: false is for imported buckets.
    def build(stack: cdk.Stack) -> None:
        bucket = s3.Bucket(stack, "Uploads", enforce_ssl=True)
        S3EventFanOut(stack, "Images", bucket=bucket, delivery=NOTIFICATION).add_queue("Loader")

    template = synth_stack(build)
    custom = by_path(template, "Custom::S3BucketNotifications", "/Uploads/Notifications/Resource")
    assert custom["Properties"]["Managed"] is True
    assert len(custom["Properties"]["NotificationConfiguration"]["TopicConfigurations"]) == 1
