"""S3-notification delivery: the topic and key policies name the bucket; the bucket carries
its topic configurations.
"""

from __future__ import annotations

from aws_cdk.assertions import Match, Template

from tests.helpers import by_path, logical_id
from tests.s3_event_fan_out.common import BUCKET_NAME, _bucket_arn, _resolve_name


def test_topic_policy_lets_s3_publish_only_for_this_bucket_and_account(
    notification_template: Template,
) -> None:
    topic = logical_id(notification_template, "AWS::SNS::Topic", "/Images/FanOut/Topic/Resource")
    notification_template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": topic}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "s3.amazonaws.com"},
                                "Action": "sns:Publish",
                                "Resource": {"Ref": topic},
                                "Condition": {
                                    "ArnEquals": {
                                        "aws:SourceArn": _bucket_arn(
                                            _resolve_name(notification_template)
                                        )
                                    },
                                    "StringEquals": {
                                        "aws:SourceAccount": {"Ref": "AWS::AccountId"}
                                    },
                                },
                            }
                        )
                    ]
                )
            },
        },
    )


def test_key_policy_lets_s3_use_the_topic_key_under_the_same_conditions(
    notification_template: Template,
) -> None:
    key = by_path(notification_template, "AWS::KMS::Key", "/Images/EncryptionKey/Resource")
    topic = by_path(notification_template, "AWS::SNS::Topic", "/Images/FanOut/Topic/Resource")
    key_id = logical_id(notification_template, "AWS::KMS::Key", "/Images/EncryptionKey/Resource")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    s3_statements = [
        statement
        for statement in key["Properties"]["KeyPolicy"]["Statement"]
        if statement.get("Principal") == {"Service": "s3.amazonaws.com"}
    ]
    assert s3_statements == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "ArnEquals": {"aws:SourceArn": _bucket_arn(_resolve_name(notification_template))},
                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
            },
        }
    ]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"


def test_notification_bucket_has_the_name_the_user_chose(notification_template: Template) -> None:
    assert _resolve_name(notification_template) == BUCKET_NAME


def test_notification_configuration_is_on_the_bucket_with_its_filters(
    notification_template: Template,
) -> None:
    topic = logical_id(notification_template, "AWS::SNS::Topic", "/Images/FanOut/Topic/Resource")
    props = by_path(notification_template, "AWS::S3::Bucket", "/Images/Bucket/Resource")[
        "Properties"
    ]
    assert props["NotificationConfiguration"] == {
        "TopicConfigurations": [
            {
                "Event": "s3:ObjectCreated:*",
                "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "images/"}]}},
                "Topic": {"Ref": topic},
            },
            {
                "Event": "s3:ObjectRemoved:Delete",
                "Filter": {
                    "S3Key": {
                        "Rules": [
                            {"Name": "prefix", "Value": "images/"},
                            {"Name": "suffix", "Value": ".jpg"},
                        ]
                    }
                },
                "Topic": {"Ref": topic},
            },
        ]
    }


def test_bucket_waits_for_topic_policy_and_every_subscriber(
    notification_template: Template,
) -> None:
    depends_on = set(
        by_path(notification_template, "AWS::S3::Bucket", "/Images/Bucket/Resource")["DependsOn"]
    )
    expected = {
        logical_id(
            notification_template, "AWS::SNS::TopicPolicy", "/Images/FanOut/Topic/Policy/Resource"
        ),
    }
    for name in ("Thumbnails", "Audit"):
        # the subscription itself depends on the queue policy and the keys it needs
        expected.add(
            logical_id(
                notification_template, "AWS::SNS::Subscription", f"/{name}/Subscription/Resource"
            )
        )
    assert expected <= depends_on
    # the key is already referenced by the bucket's encryption: no redundant DependsOn (W3005)
    key = logical_id(notification_template, "AWS::KMS::Key", "/Images/EncryptionKey/Resource")
    assert key not in depends_on
