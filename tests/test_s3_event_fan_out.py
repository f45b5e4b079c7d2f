"""S3EventFanOut: bucket, EventBridge rule and notifications, policy conditions, validation.

``template`` is the default (EventBridge) delivery, ``notification_template`` the direct
S3 notifications; tests that hold for both use either.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Capture, Match, Template

from patterns.s3_event_fan_out import (
    S3EventDelivery,
    S3EventFanOut,
    S3EventRule,
    s3_event_body_filter,
)
from patterns.s3_event_fan_out.validation import _overlaps
from tests.helpers import by_path, logical_id, new_app, resources_of, synth_stack

ALARM_TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:alarms"
CREATED = s3.EventType.OBJECT_CREATED
NOTIFICATION = S3EventDelivery.NOTIFICATION
BUCKET_NAME = "images-uploads-test"
RULES = (
    S3EventRule(CREATED, prefix="images/"),
    S3EventRule(s3.EventType.OBJECT_REMOVED_DELETE, prefix="images/", suffix=".jpg"),
)


def _alarm_action(stack: cdk.Stack) -> cloudwatch.IAlarmAction:
    from aws_cdk import aws_cloudwatch_actions as actions

    return actions.SnsAction(sns.Topic.from_topic_arn(stack, "AlarmTopic", ALARM_TOPIC_ARN))


def _build_new(stack: cdk.Stack, **options: Any) -> None:
    fan_out = S3EventFanOut(
        stack, "Images", events=RULES, alarm_actions=[_alarm_action(stack)], **options
    )
    fan_out.add_queue(
        "Thumbnails",
        filter_policy_with_message_body=fan_out.event_body_filter(key_suffixes=[".jpg", ".png"]),
    )
    fan_out.add_queue("Audit", raw_message_delivery=True)


@pytest.fixture(scope="module")
def template() -> Template:
    return synth_stack(_build_new)


@pytest.fixture(scope="module")
def notification_template() -> Template:
    return synth_stack(
        lambda stack: _build_new(stack, delivery=NOTIFICATION, bucket_name=BUCKET_NAME)
    )


@pytest.fixture(scope="module")
def existing_template() -> Template:
    def build(stack: cdk.Stack) -> None:
        bucket = s3.Bucket.from_bucket_name(stack, "Existing", "my-existing-bucket")
        fan_out = S3EventFanOut(
            stack,
            "Uploads",
            bucket=bucket,
            events=[S3EventRule(CREATED, suffix=".csv")],
            delivery=NOTIFICATION,
        )
        fan_out.add_queue("Loader")

    return synth_stack(build)


def _resolve_name(template: Template) -> Any:
    return by_path(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")["Properties"][
        "BucketName"
    ]


def _bucket_arn(name: Any) -> dict[str, Any]:
    """The ARN the policies must name: arn:<partition>:s3:::<the bucket's own BucketName>."""
    assert isinstance(name, str), name
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":s3:::{name}"]]}


# --- topic policy and key policy --------------------------------------------------------------


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


# --- bucket -----------------------------------------------------------------------------------


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


def test_notification_bucket_has_the_name_the_user_chose(notification_template: Template) -> None:
    assert _resolve_name(notification_template) == BUCKET_NAME


def test_notification_delivery_with_a_new_bucket_needs_a_chosen_name() -> None:
    with pytest.raises(
        ValueError, match="delivery=NOTIFICATION with a new bucket needs bucket_name"
    ):
        S3EventFanOut(_stack(), "Images", delivery=NOTIFICATION)


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


# --- notifications ----------------------------------------------------------------------------


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


def test_no_custom_resource_or_lambda_for_a_new_bucket(template: Template) -> None:
    template.resource_count_is("Custom::S3BucketNotifications", 0)
    template.resource_count_is("AWS::Lambda::Function", 0)
    template.resource_count_is("AWS::IAM::Role", 0)


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


def test_template_has_no_dependency_cycle(template: Template) -> None:
    resources = template.to_json()["Resources"]
    edges = {name: _references(resource) & set(resources) for name, resource in resources.items()}
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(node: str, trail: tuple[str, ...]) -> None:
        assert node not in visiting, f"dependency cycle: {' -> '.join((*trail, node))}"
        if node in done:
            return
        visiting.add(node)
        for target in edges[node]:
            visit(target, (*trail, node))
        visiting.discard(node)
        done.add(node)

    for name in resources:
        visit(name, ())


def _references(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                found.add(item[0])
            elif key == "DependsOn":
                found.update([item] if isinstance(item, str) else item)
            else:
                found |= _references(item)
    elif isinstance(value, list):
        for item in value:
            found |= _references(item)
    return found


# --- subscribers (inherited from the fan-out) ---------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "policy"),
    [
        ("template", {"detail": {"object": {"key": [{"suffix": ".jpg"}, {"suffix": ".png"}]}}}),
        (
            "notification_template",
            {"Records": {"s3": {"object": {"key": [{"suffix": ".jpg"}, {"suffix": ".png"}]}}}},
        ),
    ],
)
def test_body_filter_reaches_the_subscription(
    fixture: str, policy: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    template: Template = request.getfixturevalue(fixture)
    template.has_resource_properties(
        "AWS::SNS::Subscription",
        {
            "Endpoint": {
                "Fn::GetAtt": [
                    logical_id(template, "AWS::SQS::Queue", "/Thumbnails/Queue/Resource"),
                    "Arn",
                ]
            },
            "FilterPolicyScope": "MessageBody",
            "FilterPolicy": policy,
        },
    )


def test_subscribers_have_dlq_redrive_tls_and_alarms_with_actions(template: Template) -> None:
    for name in ("Thumbnails", "Audit"):
        queue = logical_id(template, "AWS::SQS::Queue", f"/{name}/Queue/Resource")
        dlq = logical_id(template, "AWS::SQS::Queue", f"/{name}/DeadLetterQueue/Resource")
        template.has_resource_properties(
            "AWS::SQS::Queue",
            {
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]},
                    "maxReceiveCount": 5,
                }
            },
        )
        template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": [{"Ref": queue}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Effect": "Deny",
                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                }
                            )
                        ]
                    )
                },
            },
        )
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}],
                "AlarmActions": [ALARM_TOPIC_ARN],
                "OKActions": [ALARM_TOPIC_ARN],
            },
        )


def test_subscriptions_keep_undeliverable_events_in_a_subscription_dlq(
    template: Template,
) -> None:
    for name in ("Thumbnails", "Audit"):
        subscription = by_path(
            template, "AWS::SNS::Subscription", f"/{name}/Subscription/Resource"
        )["Properties"]
        sub_dlq = logical_id(
            template, "AWS::SQS::Queue", f"/{name}/SubscriptionDeadLetterQueue/Resource"
        )
        assert subscription["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [sub_dlq, "Arn"]}
        }
    audit = by_path(template, "AWS::SNS::Subscription", "/Audit/Subscription/Resource")
    assert audit["Properties"]["RawMessageDelivery"] is True


def test_topic_alarms_notify_the_alarm_actions(template: Template) -> None:
    for alarm in ("FailedNotificationsAlarm", "FailedToRedriveToDlqAlarm"):
        props = by_path(template, "AWS::CloudWatch::Alarm", f"/Images/FanOut/{alarm}/Resource")[
            "Properties"
        ]
        assert props["AlarmActions"] == [ALARM_TOPIC_ARN]
        assert props["Dimensions"] == [
            {
                "Name": "TopicName",
                "Value": {
                    "Fn::GetAtt": [
                        logical_id(template, "AWS::SNS::Topic", "/Images/FanOut/Topic/Resource"),
                        "TopicName",
                    ]
                },
            }
        ]


def test_attributes_expose_what_was_built() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Attrs")
    fan_out = S3EventFanOut(stack, "Images", events=RULES)
    first = fan_out.add_queue("First")
    assert fan_out.subscribers == [first]
    assert fan_out.events == RULES
    assert isinstance(fan_out.bucket, s3.Bucket)
    assert fan_out.access_log_bucket is not None
    assert fan_out.encryption_key is fan_out.fan_out.encryption_key
    assert fan_out.topic is fan_out.fan_out.topic
    assert set(first.alarms) <= set(fan_out.alarms)
    assert len(fan_out.alarms) >= 2


@pytest.mark.parametrize(
    ("options", "principal"),
    [
        ({}, "events.amazonaws.com"),
        ({"delivery": NOTIFICATION, "bucket_name": BUCKET_NAME}, "s3.amazonaws.com"),
    ],
)
def test_given_key_encrypts_bucket_and_topic(options: dict[str, Any], principal: str) -> None:
    def build(stack: cdk.Stack) -> None:
        key = kms.Key(stack, "MyKey", enable_key_rotation=True)
        S3EventFanOut(stack, "Images", encryption_key=key, **options)

    template = synth_stack(build)
    key = logical_id(template, "AWS::KMS::Key", "/MyKey/Resource")
    template.resource_count_is("AWS::KMS::Key", 1)
    template.has_resource_properties(
        "AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": [key, "Arn"]}}
    )
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    Match.object_like(
                        {
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": {"Fn::GetAtt": [key, "Arn"]},
                            }
                        }
                    )
                ]
            }
        },
    )
    template.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Principal": {"Service": principal},
                                "Condition": Match.object_like(
                                    {
                                        "StringEquals": {
                                            "aws:SourceAccount": {"Ref": "AWS::AccountId"}
                                        }
                                    }
                                ),
                            }
                        )
                    ]
                )
            }
        },
    )


# --- existing bucket ----------------------------------------------------------------------------


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


def test_existing_standard_topic_receives_the_events() -> None:
    def build(stack: cdk.Stack) -> None:
        key = kms.Key(stack, "TopicKey", enable_key_rotation=True)
        topic = sns.Topic(stack, "Shared", master_key=key, enforce_ssl=True)
        S3EventFanOut(stack, "Images", topic=topic)
        S3EventFanOut(stack, "Direct", topic=topic, delivery=NOTIFICATION, bucket_name=BUCKET_NAME)

    template = synth_stack(build)
    shared = logical_id(template, "AWS::SNS::Topic", "/Shared/Resource")
    template.resource_count_is("AWS::SNS::Topic", 1)
    rule = by_path(template, "AWS::Events::Rule", "/Images/EventRule/Resource")["Properties"]
    assert rule["Targets"][0]["Arn"] == {"Ref": shared}
    props = by_path(template, "AWS::S3::Bucket", "/Direct/Bucket/Resource")["Properties"]
    assert props["NotificationConfiguration"]["TopicConfigurations"][0]["Topic"] == {"Ref": shared}


# --- filters and validation ---------------------------------------------------------------------


def test_body_filter_on_event_names_and_keys() -> None:
    def build(stack: cdk.Stack) -> None:
        direct = S3EventFanOut(stack, "Direct", delivery=NOTIFICATION, bucket_name=BUCKET_NAME)
        direct.add_queue(
            "Puts",
            filter_policy_with_message_body=direct.event_body_filter(
                key_prefixes=["images/raw/"], event_names=["ObjectCreated:Put"]
            ),
        )
        routed = S3EventFanOut(stack, "Routed")
        routed.add_queue(
            "Created",
            filter_policy_with_message_body=routed.event_body_filter(
                key_prefixes=["images/raw/"], event_names=["Object Created"]
            ),
        )

    template = synth_stack(build)
    subscription = by_path(template, "AWS::SNS::Subscription", "/Puts/Subscription/Resource")
    assert subscription["Properties"]["FilterPolicy"] == {
        "Records": {
            "s3": {"object": {"key": [{"prefix": "images/raw/"}]}},
            "eventName": ["ObjectCreated:Put"],
        }
    }
    subscription = by_path(template, "AWS::SNS::Subscription", "/Created/Subscription/Resource")
    assert subscription["Properties"]["FilterPolicy"] == {
        "detail": {"object": {"key": [{"prefix": "images/raw/"}]}},
        "detail-type": ["Object Created"],
    }
    with pytest.raises(ValueError, match="needs at least one of key_prefixes"):
        s3_event_body_filter()


def test_existing_bucket_stack_passes_the_compliance_gate(tmp_path: Any) -> None:
    from patterns.alarm_topic import AlarmTopic
    from patterns.compliance import apply_compliance_checks, summarize

    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "ExistingGate")
    alarms = AlarmTopic(stack, "Alarms")
    bucket = s3.Bucket.from_bucket_name(stack, "Existing", "my-existing-bucket")
    fan_out = S3EventFanOut(
        stack, "Uploads", bucket=bucket, alarm_actions=[alarms.action], delivery=NOTIFICATION
    )
    fan_out.add_queue("Loader")
    apply_compliance_checks(app)
    app.synth()
    table, open_count = summarize(tmp_path)
    assert open_count == 0, table


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        (S3EventRule(CREATED), S3EventRule(CREATED, prefix="a/"), True),
        (S3EventRule(CREATED, prefix="a/"), S3EventRule(CREATED, prefix="a/b/"), True),
        (S3EventRule(CREATED), S3EventRule(s3.EventType.OBJECT_CREATED_PUT), True),
        (S3EventRule(CREATED, suffix=".jpg"), S3EventRule(CREATED, suffix="x.jpg"), True),
        (S3EventRule(CREATED, prefix="a/"), S3EventRule(CREATED, prefix="b/"), False),
        (S3EventRule(CREATED, suffix=".jpg"), S3EventRule(CREATED, suffix=".png"), False),
        (S3EventRule(CREATED), S3EventRule(s3.EventType.OBJECT_REMOVED), False),
        (
            S3EventRule(s3.EventType.OBJECT_CREATED_PUT),
            S3EventRule(s3.EventType.OBJECT_CREATED_COPY),
            False,
        ),
    ],
)
def test_overlap_rule(first: S3EventRule, second: S3EventRule, overlap: bool) -> None:
    assert _overlaps(first, second) is overlap
    assert _overlaps(second, first) is overlap


def test_every_event_type_has_its_s3_name() -> None:
    for event_type in s3.EventType:
        assert S3EventRule(event_type).event_name.startswith("s3:")


def _stack() -> cdk.Stack:
    return cdk.Stack(new_app(), "Invalid")


def test_overlapping_rules_are_refused_naming_both() -> None:
    with pytest.raises(
        ValueError,
        match=re.escape(
            "events[0] (s3:ObjectCreated:* prefix='images/') and events[2] "
            "(s3:ObjectCreated:Put prefix='images/raw/') overlap"
        ),
    ):
        S3EventFanOut(
            _stack(),
            "Images",
            delivery=NOTIFICATION,
            bucket_name=BUCKET_NAME,
            events=[
                S3EventRule(CREATED, prefix="images/"),
                S3EventRule(CREATED, prefix="docs/"),
                S3EventRule(s3.EventType.OBJECT_CREATED_PUT, prefix="images/raw/"),
            ],
        )


def test_empty_events_are_refused() -> None:
    with pytest.raises(ValueError, match="events must name at least one S3EventRule"):
        S3EventFanOut(_stack(), "Images", events=[])


def test_filter_value_length_is_checked() -> None:
    with pytest.raises(ValueError, match=r"events\[0\]\.suffix must be 1 to 1024 characters"):
        S3EventFanOut(_stack(), "Images", events=[S3EventRule(CREATED, suffix="x" * 1025)])


def test_fifo_topic_is_refused() -> None:
    stack = _stack()
    topic = sns.Topic(stack, "Ordered", fifo=True, topic_name="ordered.fifo")
    with pytest.raises(ValueError, match="is a FIFO topic: S3 event notifications"):
        S3EventFanOut(stack, "Images", topic=topic)


def test_fifo_subscriber_queue_is_refused() -> None:
    fan_out = S3EventFanOut(_stack(), "Images")
    with pytest.raises(ValueError, match=r"add_queue\('Ordered', fifo=True\)"):
        fan_out.add_queue("Ordered", fifo=True)


def test_new_bucket_options_with_existing_bucket_are_refused() -> None:
    stack = _stack()
    bucket = s3.Bucket.from_bucket_name(stack, "Existing", "my-existing-bucket")
    with pytest.raises(ValueError, match="bucket_name, removal_policy configure a new resource"):
        S3EventFanOut(
            stack,
            "Images",
            bucket=bucket,
            bucket_name="another-name",
            removal_policy=RemovalPolicy.DESTROY,
        )


def test_encryption_key_with_existing_bucket_and_topic_is_refused() -> None:
    stack = _stack()
    with pytest.raises(ValueError, match="encryption_key configure a new resource"):
        S3EventFanOut(
            stack,
            "Images",
            bucket=s3.Bucket.from_bucket_name(stack, "Existing", "my-existing-bucket"),
            topic=sns.Topic(stack, "Shared"),
            encryption_key=kms.Key(stack, "Key"),
        )


def test_invalid_bucket_name_is_refused() -> None:
    with pytest.raises(ValueError, match="bucket_name 'Images_Bucket' must be 3 to 63"):
        S3EventFanOut(_stack(), "Images", bucket_name="Images_Bucket")


def test_lifecycle_days_must_be_whole_days() -> None:
    with pytest.raises(
        ValueError, match="noncurrent_version_expiration must be a whole number of days"
    ):
        S3EventFanOut(_stack(), "Images", noncurrent_version_expiration=Duration.hours(12))


def test_tokens_are_not_validated() -> None:
    stack = _stack()
    name = cdk.CfnParameter(stack, "Name").value_as_string
    S3EventFanOut(stack, "Images", bucket_name=name, events=[S3EventRule(CREATED, prefix=name)])


def test_existing_queue_can_subscribe() -> None:
    def build(stack: cdk.Stack) -> None:
        queue = sqs.Queue(stack, "Mine", enforce_ssl=True)
        S3EventFanOut(stack, "Images").add_queue("Mine", queue=queue)

    template = synth_stack(build)
    queue = logical_id(template, "AWS::SQS::Queue", "/Mine/Resource")
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Endpoint": {"Fn::GetAtt": [queue, "Arn"]}}
    )


def test_imported_topic_is_refused_because_s3_could_not_publish() -> None:
    stack = _stack()
    topic = sns.Topic.from_topic_arn(stack, "Imported", "arn:aws:sns:eu-west-1:123456789012:t")
    with pytest.raises(ValueError, match="needs a topic this app owns"):
        S3EventFanOut(stack, "Images", topic=topic)


def test_grant_read_covers_objects_and_key() -> None:
    def build(stack: cdk.Stack) -> None:
        from aws_cdk import aws_iam as iam

        role = iam.Role(
            stack, "Consumer", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com")
        )
        S3EventFanOut(stack, "Images").grant_read(role, "images/*")

    template = synth_stack(build)
    statements = by_path(template, "AWS::IAM::Policy", "/Consumer/DefaultPolicy/Resource")[
        "Properties"
    ]["PolicyDocument"]["Statement"]
    actions = {action for statement in statements for action in statement["Action"]}
    assert {"s3:GetObject*", "s3:List*", "kms:Decrypt"} <= actions
    key = logical_id(template, "AWS::KMS::Key", "/Images/EncryptionKey/Resource")
    assert any(statement["Resource"] == {"Fn::GetAtt": [key, "Arn"]} for statement in statements)


# --- the four defects of issue 13 (each failed on the first version) ----------------------------


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


def test_new_bucket_has_no_fixed_name_by_default(template: Template) -> None:
    # A retained bucket with a name fixed at synth makes `cdk destroy` + `cdk deploy` fail
    # with "already exists"; CloudFormation must generate the name.
    bucket = by_path(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")
    assert "BucketName" not in bucket["Properties"]


def test_bucket_of_another_stack_of_the_app_synthesizes_without_a_cycle() -> None:
    app = new_app()
    owner = cdk.Stack(app, "Owner")
    bucket = s3.Bucket(owner, "Uploads", enforce_ssl=True)
    consumer = cdk.Stack(app, "Consumer")
    fan_out = S3EventFanOut(consumer, "Uploads", bucket=bucket)
    fan_out.add_queue("Loader")
    assembly = app.synth()  # raised DependencyCycle before
    owner_stack = assembly.get_stack_by_name("Owner")
    consumer_stack = assembly.get_stack_by_name("Consumer")
    assert [d.id for d in consumer_stack.dependencies if d.id == "Owner"] == ["Owner"]
    assert "Consumer" not in [d.id for d in owner_stack.dependencies]


def test_pattern_without_any_feature_flag_is_cfn_lint_and_compliance_clean(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A user's app may set none of this repository's cdk.json flags: the output must still be
    # free of legacy settings (AccessControl: LogDeliveryWrite, cfn-lint W3045) and findings.
    import subprocess
    import sys
    from pathlib import Path

    from patterns.alarm_topic import AlarmTopic
    from patterns.compliance import apply_compliance_checks, summarize
    from tests.helpers import PATH_METADATA

    monkeypatch.delenv("CDK_CONTEXT_JSON", raising=False)
    app = cdk.App(outdir=str(tmp_path), context=dict(PATH_METADATA))
    assert app.node.try_get_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy") is None
    stack = cdk.Stack(app, "NoFlags")
    alarms = AlarmTopic(stack, "Alarms")
    uploads = S3EventFanOut(stack, "Uploads", alarm_actions=[alarms.action])
    uploads.add_queue("Audit")
    uploads.add_queue(
        "Thumbnails",
        filter_policy_with_message_body=s3_event_body_filter(key_suffixes=[".jpg"]),
    )
    apply_compliance_checks(app)
    app.synth()
    table, open_count = summarize(tmp_path)
    assert open_count == 0, table
    template = json_template(tmp_path / "NoFlags.template.json")
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::S3::Bucket":
            assert "AccessControl" not in resource["Properties"]
    lint = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--format",
            "parseable",
            "--",
            str(tmp_path / "NoFlags.template.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def json_template(path: Any) -> dict[str, Any]:
    import json

    return dict(json.loads(path.read_text()))


# --- EventBridge delivery -------------------------------------------------------------------


def _rule_arn(template: Template) -> dict[str, Any]:
    """The rule's ARN as the policies must name it: built from its Name, not a reference."""
    name = by_path(template, "AWS::Events::Rule", "/Images/EventRule/Resource")["Properties"][
        "Name"
    ]
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":events:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                f":rule/{name}",
            ],
        ]
    }


def _source_condition(template: Template) -> dict[str, Any]:
    return {
        "ArnEquals": {"aws:SourceArn": _rule_arn(template)},
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    }


def test_bucket_sends_its_events_to_event_bridge(template: Template) -> None:
    props = by_path(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")["Properties"]
    assert props["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }
    template.resource_count_is("Custom::S3BucketNotifications", 0)
    template.resource_count_is("AWS::Lambda::Function", 0)


def test_one_rule_routes_every_event_rule_of_this_bucket_to_the_topic(
    template: Template,
) -> None:
    bucket = {"Ref": logical_id(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")}
    rule = by_path(template, "AWS::Events::Rule", "/Images/EventRule/Resource")["Properties"]
    assert rule["EventPattern"] == {
        "source": ["aws.s3"],
        "$or": [
            {
                "detail-type": ["Object Created"],
                "detail": {
                    "bucket": {"name": [bucket]},
                    "object": {"key": [{"prefix": "images/"}]},
                },
            },
            {
                "detail-type": ["Object Deleted"],
                "detail": {
                    "bucket": {"name": [bucket]},
                    "object": {"key": [{"wildcard": "images/*.jpg"}]},
                    "reason": ["DeleteObject"],
                    "deletion-type": ["Permanently Deleted"],
                },
            },
        ],
    }
    topic = logical_id(template, "AWS::SNS::Topic", "/Images/FanOut/Topic/Resource")
    dlq = logical_id(template, "AWS::SQS::Queue", "/Images/DeliveryDeadLetterQueue/Resource")
    assert rule["Targets"] == [
        {
            "Arn": {"Ref": topic},
            "DeadLetterConfig": {"Arn": {"Fn::GetAtt": [dlq, "Arn"]}},
            "Id": "Target0",
        }
    ]
    assert re.fullmatch(r"[.\-_A-Za-z0-9]{1,64}", rule["Name"]), rule["Name"]


def test_a_single_rule_needs_no_or() -> None:
    template = synth_stack(
        lambda stack: S3EventFanOut(
            stack,
            "Images",
            events=[S3EventRule(CREATED, suffix=".jpg", min_size=cdk.Size.kibibytes(1))],
        )
    )
    bucket = {"Ref": logical_id(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")}
    pattern = by_path(template, "AWS::Events::Rule", "/Images/EventRule/Resource")["Properties"][
        "EventPattern"
    ]
    assert pattern == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {
            "bucket": {"name": [bucket]},
            "object": {"key": [{"suffix": ".jpg"}], "size": [{"numeric": [">=", 1024]}]},
        },
    }


def test_topic_policy_admits_only_this_rule_of_this_account(template: Template) -> None:
    topic = logical_id(template, "AWS::SNS::Topic", "/Images/FanOut/Topic/Resource")
    statements = by_path(template, "AWS::SNS::TopicPolicy", "/Images/FanOut/Topic/Policy/Resource")[
        "Properties"
    ]["PolicyDocument"]["Statement"]
    allowed = [
        {key: value for key, value in statement.items() if key != "Sid"}
        for statement in statements
        if statement["Effect"] == "Allow"
    ]
    assert allowed == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": {"Ref": topic},
            "Condition": _source_condition(template),
        }
    ]


def test_topic_key_lets_event_bridge_encrypt_under_the_same_conditions(
    template: Template,
) -> None:
    key = by_path(template, "AWS::KMS::Key", "/Images/EncryptionKey/Resource")
    service_statements = [
        statement
        for statement in key["Properties"]["KeyPolicy"]["Statement"]
        if "Service" in statement.get("Principal", {})
    ]
    assert service_statements == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": _source_condition(template),
        }
    ]


def test_delivery_dead_letter_queue_takes_only_this_rules_failures(template: Template) -> None:
    queue = by_path(template, "AWS::SQS::Queue", "/Images/DeliveryDeadLetterQueue/Resource")
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [
                {
                    "Ref": logical_id(
                        template, "AWS::SQS::Queue", "/Images/DeliveryDeadLetterQueue/Resource"
                    )
                }
            ],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Condition": _source_condition(template),
                            }
                        ),
                    ]
                )
            },
        },
    )


def test_rule_alarms_notify_the_alarm_actions(template: Template) -> None:
    failed = by_path(template, "AWS::CloudWatch::Alarm", "/Images/FailedInvocationsAlarm/Resource")[
        "Properties"
    ]
    assert failed["Namespace"] == "AWS/Events"
    assert failed["MetricName"] == "FailedInvocations"
    assert failed["Dimensions"] == [
        {
            "Name": "RuleName",
            "Value": {
                "Ref": logical_id(template, "AWS::Events::Rule", "/Images/EventRule/Resource")
            },
        }
    ]
    dead_letters = by_path(
        template, "AWS::CloudWatch::Alarm", "/Images/DeliveryDeadLetterQueueNotEmptyAlarm/Resource"
    )["Properties"]
    for props in (failed, dead_letters):
        assert props["AlarmActions"] == props["OKActions"] == [ALARM_TOPIC_ARN]


def test_rule_metrics_are_the_rules_sums_over_five_minutes() -> None:
    stack = cdk.Stack(new_app(), "Metrics")
    fan_out = S3EventFanOut(stack, "Images")
    assert fan_out.event_rule is not None
    rule_name = stack.resolve(fan_out.event_rule.rule_name)
    for method, metric_name in (
        (fan_out.metric_event_rule_triggered_rules, "TriggeredRules"),
        (fan_out.metric_event_rule_invocations, "Invocations"),
        (fan_out.metric_event_rule_failed_invocations, "FailedInvocations"),
    ):
        metric = method()
        assert (metric.namespace, metric.metric_name) == ("AWS/Events", metric_name)
        assert (metric.statistic, metric.period.to_seconds()) == ("Sum", 300)
        assert stack.resolve(metric.dimensions) == {"RuleName": rule_name}
    custom = fan_out.metric_event_rule_failed_invocations(
        period=Duration.minutes(1), statistic="Maximum", label="failed"
    )
    assert (custom.period.to_seconds(), custom.statistic, custom.label) == (60, "Maximum", "failed")


def test_delivery_dlq_metric_is_the_queues_visible_messages() -> None:
    stack = cdk.Stack(new_app(), "Metrics")
    fan_out = S3EventFanOut(stack, "Images")
    assert fan_out.delivery_dead_letter_queue is not None
    metric = fan_out.metric_delivery_dead_letter_queue_messages_visible()
    assert (metric.namespace, metric.metric_name) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert (metric.statistic, metric.period.to_seconds()) == ("Maximum", 300)
    assert stack.resolve(metric.dimensions) == {
        "QueueName": stack.resolve(fan_out.delivery_dead_letter_queue.queue_name)
    }


def test_rule_alarms_watch_what_the_metric_methods_return() -> None:
    stack = cdk.Stack(new_app(), "Metrics")
    fan_out = S3EventFanOut(stack, "Images")
    template = Template.from_stack(stack)

    def watched(alarm: str) -> dict[str, Any]:
        props = by_path(template, "AWS::CloudWatch::Alarm", f"/Images/{alarm}/Resource")[
            "Properties"
        ]
        return {key: props[key] for key in ("Namespace", "MetricName", "Statistic", "Period")} | {
            "Dimensions": {d["Name"]: d["Value"] for d in props["Dimensions"]}
        }

    def expected(metric: cloudwatch.Metric) -> dict[str, Any]:
        return {
            "Namespace": metric.namespace,
            "MetricName": metric.metric_name,
            "Statistic": metric.statistic,
            "Period": metric.period.to_seconds(),
            "Dimensions": stack.resolve(metric.dimensions),
        }

    assert watched("FailedInvocationsAlarm") == expected(
        fan_out.metric_event_rule_failed_invocations()
    )
    assert watched("DeliveryDeadLetterQueueNotEmptyAlarm") == expected(
        fan_out.metric_delivery_dead_letter_queue_messages_visible(
            period=Duration.minutes(1), statistic="Maximum"
        )
    )


@pytest.mark.parametrize(
    "method",
    [
        "metric_event_rule_triggered_rules",
        "metric_event_rule_invocations",
        "metric_event_rule_failed_invocations",
        "metric_delivery_dead_letter_queue_messages_visible",
    ],
)
def test_rule_metrics_with_notifications_are_refused_naming_the_delivery(method: str) -> None:
    fan_out = S3EventFanOut(
        cdk.Stack(new_app(), "Direct"), "Images", delivery=NOTIFICATION, bucket_name=BUCKET_NAME
    )
    with pytest.raises(ValueError, match=f"{method}: .*delivery=NOTIFICATION.*no EventBridge rule"):
        getattr(fan_out, method)()


def test_rule_waits_for_the_topic_policy_and_every_subscriber(template: Template) -> None:
    depends_on = set(
        by_path(template, "AWS::Events::Rule", "/Images/EventRule/Resource")["DependsOn"]
    )
    expected = {
        logical_id(template, "AWS::SNS::TopicPolicy", "/Images/FanOut/Topic/Policy/Resource"),
        *(
            logical_id(template, "AWS::SNS::Subscription", f"/{name}/Subscription/Resource")
            for name in ("Thumbnails", "Audit")
        ),
    }
    assert expected <= depends_on
    # the bucket itself waits for nothing of the fan-out: the rule refers to it
    assert "DependsOn" not in by_path(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")


def test_event_bridge_template_has_no_dependency_cycle(template: Template) -> None:
    test_template_has_no_dependency_cycle(template)


def test_overlapping_rules_are_allowed_with_event_bridge() -> None:
    template = synth_stack(
        lambda stack: S3EventFanOut(
            stack,
            "Images",
            events=[S3EventRule(CREATED, prefix="images/"), S3EventRule(CREATED, suffix=".jpg")],
        )
    )
    pattern = by_path(template, "AWS::Events::Rule", "/Images/EventRule/Resource")["Properties"][
        "EventPattern"
    ]
    assert len(pattern["$or"]) == 2
    template.resource_count_is("AWS::Events::Rule", 1)  # one rule: one copy per event


@pytest.mark.parametrize(
    ("event_type", "detail_types", "detail"),
    [
        (s3.EventType.OBJECT_CREATED_PUT, ["Object Created"], {"reason": ["PutObject"]}),
        (
            s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED,
            ["Object Deleted"],
            {"reason": ["DeleteObject"], "deletion-type": ["Delete Marker Created"]},
        ),
        (
            s3.EventType.LIFECYCLE_EXPIRATION,
            ["Object Deleted"],
            {"reason": ["Lifecycle Expiration"]},
        ),
        (
            s3.EventType.OBJECT_RESTORE,
            ["Object Restore Initiated", "Object Restore Completed", "Object Restore Expired"],
            {},
        ),
        (s3.EventType.OBJECT_TAGGING_PUT, ["Object Tags Added"], {}),
        (s3.EventType.LIFECYCLE_TRANSITION, ["Object Storage Class Changed"], {}),
    ],
)
def test_event_types_map_to_event_bridge_detail_types(
    event_type: s3.EventType, detail_types: list[str], detail: dict[str, Any]
) -> None:
    pattern = S3EventRule(event_type).event_bridge_pattern("bucket")
    assert pattern == {
        "detail-type": detail_types,
        "detail": {"bucket": {"name": ["bucket"]}, **detail},
    }


def test_wildcard_and_sizes_reach_the_pattern() -> None:
    rule = S3EventRule(
        CREATED,
        wildcard="images/*/raw/*.jpg",
        min_size=cdk.Size.bytes(1),
        max_size=cdk.Size.mebibytes(5),
    )
    assert rule.event_bridge_pattern("b")["detail"]["object"] == {
        "key": [{"wildcard": "images/*/raw/*.jpg"}],
        "size": [{"numeric": [">=", 1, "<=", 5 * 1024 * 1024]}],
    }
    # literal * in a prefix is escaped when prefix and suffix become one wildcard
    both = S3EventRule(CREATED, prefix="a*b/", suffix=".jpg").event_bridge_pattern("b")
    assert both["detail"]["object"]["key"] == [{"wildcard": "a\\*b/*.jpg"}]


def test_event_bridge_only_filters_are_refused_with_notifications() -> None:
    with pytest.raises(ValueError, match=r"events\[0\] .*wildcard, min_size and max_size are"):
        S3EventFanOut(
            _stack(),
            "Images",
            delivery=NOTIFICATION,
            bucket_name=BUCKET_NAME,
            events=[S3EventRule(CREATED, wildcard="a/*.jpg")],
        )


def test_events_event_bridge_does_not_carry_are_refused() -> None:
    with pytest.raises(ValueError, match="S3 does not send this event to EventBridge"):
        S3EventFanOut(_stack(), "Images", events=[S3EventRule(s3.EventType.REPLICATION)])


def test_wildcard_with_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="give wildcard or prefix/suffix, not both"):
        S3EventFanOut(
            _stack(), "Images", events=[S3EventRule(CREATED, prefix="a/", wildcard="a/*.jpg")]
        )


def test_min_size_above_max_size_is_refused() -> None:
    with pytest.raises(ValueError, match="min_size must not exceed max_size"):
        S3EventFanOut(
            _stack(),
            "Images",
            events=[
                S3EventRule(CREATED, min_size=cdk.Size.mebibytes(2), max_size=cdk.Size.bytes(10))
            ],
        )


def test_invalid_delivery_is_refused() -> None:
    with pytest.raises(ValueError, match=r"delivery must be S3EventDelivery\.EVENT_BRIDGE or"):
        S3EventFanOut(_stack(), "Images", delivery="EVENT_BRIDGE")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("delivery", "body", "message"),
    [
        (S3EventDelivery.EVENT_BRIDGE, NOTIFICATION, r"names \['Records'\], but with EventBridge"),
        (NOTIFICATION, S3EventDelivery.EVENT_BRIDGE, r"but with delivery=NOTIFICATION the body"),
    ],
)
def test_body_filter_of_the_other_format_is_refused(
    delivery: S3EventDelivery, body: S3EventDelivery, message: str
) -> None:
    fan_out = S3EventFanOut(_stack(), "Images", delivery=delivery, bucket_name=BUCKET_NAME)
    with pytest.raises(ValueError, match=message):
        fan_out.add_queue(
            "Jpegs",
            filter_policy_with_message_body=s3_event_body_filter(
                key_suffixes=[".jpg"], delivery=body
            ),
        )


def test_attributes_of_event_bridge_delivery(template: Template) -> None:
    app = new_app()
    stack = cdk.Stack(app, "Attrs")
    fan_out = S3EventFanOut(stack, "Images")
    assert fan_out.delivery is S3EventDelivery.EVENT_BRIDGE
    assert fan_out.event_rule is not None
    assert fan_out.delivery_dead_letter_queue is not None
    assert len(fan_out.alarms) == 6  # two of the rule, four of the topic
    direct = S3EventFanOut(stack, "Direct", delivery=NOTIFICATION, bucket_name=BUCKET_NAME)
    assert direct.event_rule is None
    assert direct.delivery_dead_letter_queue is None


# --- existing buckets with EventBridge delivery -------------------------------------------------


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


def test_rule_waits_for_every_nested_stack_of_subscribers() -> None:
    def build(stack: cdk.Stack) -> None:
        events = S3EventFanOut(stack, "Uploads", nested_stacks=True)
        for index in range(50):
            events.add_queue(f"Queue{index}")

    template = synth_stack(build)
    rule = by_path(template, "AWS::Events::Rule", "/Uploads/EventRule/Resource")
    nested = set(resources_of(template, "AWS::CloudFormation::Stack"))
    assert len(nested) > 1  # placement spreads the 50 subscribers over several stacks
    assert nested <= set(rule["DependsOn"])


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


@pytest.mark.parametrize("delivery", ["EVENT_BRIDGE", "NOTIFICATION"])
def test_a_queue_of_another_stack_subscribes_without_a_cycle(delivery: str) -> None:
    """As CDK's SqsSubscription: the subscription lives in the queue's stack, deployed after
    the fan-out's, so the events cannot wait for it (that was a DependencyCycle)."""
    from patterns import QueueWithDeadLetterQueue
    from patterns.s3_event_fan_out import S3EventDelivery

    app = new_app()
    owner = cdk.Stack(app, "Owner")
    queue = QueueWithDeadLetterQueue(owner, "Audit").queue
    stack = cdk.Stack(app, "Uploads")
    options: dict[str, Any] = {"delivery": getattr(S3EventDelivery, delivery)}
    if delivery == "NOTIFICATION":
        options["bucket_name"] = "uploads-of-the-owner-test"
    events = S3EventFanOut(stack, "Images", **options)
    events.add_queue("Local")
    events.add_queue("Audit", queue=queue)
    assembly = app.synth()

    owner_template = Template.from_json(assembly.get_stack_by_name("Owner").template)
    owner_template.resource_count_is("AWS::SNS::Subscription", 1)
    fan_out = Template.from_json(assembly.get_stack_by_name("Uploads").template)
    starts = (
        by_path(fan_out, "AWS::Events::Rule", "/Images/EventRule/Resource")
        if delivery == "EVENT_BRIDGE"
        else by_path(fan_out, "AWS::S3::Bucket", "/Images/Bucket/Resource")
    )
    local = logical_id(fan_out, "AWS::SNS::Subscription", "/Local/Subscription/Resource")
    assert local in starts["DependsOn"]  # the subscriber of this stack is still awaited
    assert Annotations.from_stack(stack).find_info(
        "/Uploads/Images", Match.string_like_regexp("queue of stack Owner")
    )


@pytest.mark.parametrize(
    ("options", "key_policy"),
    [
        ({}, "Retain"),  # the new bucket is data, retained: its key stays readable with it
        ({"removal_policy": cdk.RemovalPolicy.DESTROY}, "Delete"),
        ({"existing_bucket": True}, "Delete"),  # only the topic (in transit) is encrypted
    ],
    ids=["default", "destroy", "existing-bucket"],
)
def test_the_key_follows_what_it_encrypts(options: dict[str, Any], key_policy: str) -> None:
    def build(stack: cdk.Stack) -> None:
        extra = dict(options)
        if extra.pop("existing_bucket", False):
            extra["bucket"] = s3.Bucket.from_bucket_name(stack, "Existing", "existing-uploads")
        S3EventFanOut(stack, "Uploads", **extra).add_queue("Thumbnails")

    template = synth_stack(build)
    key = by_path(template, "AWS::KMS::Key", "/Uploads/EncryptionKey/Resource")
    assert (key["DeletionPolicy"], key["UpdateReplacePolicy"]) == (key_policy, key_policy)
    assert key["Properties"]["PendingWindowInDays"] == 30
