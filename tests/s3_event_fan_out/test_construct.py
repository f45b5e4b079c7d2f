"""S3EventFanOut as a whole: attributes, subscribers, the key and the topic, grants, and no
dependency cycle.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from patterns.s3_event_fan_out import S3EventDelivery, S3EventFanOut
from tests.helpers import by_path, logical_id, new_app, synth_stack
from tests.s3_event_fan_out.common import (
    ALARM_TOPIC_ARN,
    BUCKET_NAME,
    NOTIFICATION,
    RULES,
    waits_for,
)


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


def test_existing_queue_can_subscribe() -> None:
    def build(stack: cdk.Stack) -> None:
        queue = sqs.Queue(stack, "Mine", enforce_ssl=True)
        S3EventFanOut(stack, "Images").add_queue("Mine", queue=queue)

    template = synth_stack(build)
    queue = logical_id(template, "AWS::SQS::Queue", "/Mine/Resource")
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Endpoint": {"Fn::GetAtt": [queue, "Arn"]}}
    )


@pytest.mark.parametrize("delivery", ["EVENT_BRIDGE", "NOTIFICATION"])
def test_a_queue_of_another_stack_subscribes_without_a_cycle(delivery: str) -> None:
    """As CDK's SqsSubscription: the subscription lives in the queue's stack, deployed after
    the fan-out's, so the events cannot wait for it (that would be a dependency cycle)."""
    from patterns import QueueWithDeadLetterQueue

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


def test_template_has_no_dependency_cycle(notification_template: Template) -> None:
    """The bucket waits for the topic policy and the key (S3 checks it may publish when the
    notifications are applied); they name the bucket by the ARN built from its name, not by
    a reference, so neither waits for the bucket (synth refuses any cycle of the template)."""
    template = notification_template
    bucket = logical_id(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")
    for permission in (
        logical_id(template, "AWS::SNS::TopicPolicy", "/Images/FanOut/Topic/Policy/Resource"),
        logical_id(template, "AWS::KMS::Key", "/Images/EncryptionKey/Resource"),
    ):
        assert permission in waits_for(template, bucket)
        assert bucket not in waits_for(template, permission)


def test_the_package_exports_its_four_names() -> None:
    """``from patterns.s3_event_fan_out import ...`` works for the names ``patterns`` exports."""
    import patterns
    from patterns import s3_event_fan_out as package

    assert package.S3EventFanOut is patterns.S3EventFanOut
    assert package.S3EventDelivery is patterns.S3EventDelivery
    assert package.S3EventRule is patterns.S3EventRule
    assert package.s3_event_body_filter is patterns.s3_event_body_filter
    assert set(package.__all__) == {
        "S3EventDelivery",
        "S3EventFanOut",
        "S3EventRule",
        "s3_event_body_filter",
    }
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        package.Nope  # noqa: B018


@pytest.mark.package
@pytest.mark.parametrize(
    ("name", "services"),
    [
        ("S3EventRule", {"aws_events", "aws_iam", "aws_s3"}),  # aws_s3 loads events and iam
        (
            "s3_event_body_filter",
            {"aws_codestarnotifications", "aws_events", "aws_iam", "aws_s3", "aws_sns"},
        ),
    ],
)
def test_the_rule_and_the_body_filter_load_no_construct(name: str, services: set[str]) -> None:
    """Describing events or filters for another stack does not load the fan-out, SQS or KMS."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    code = (
        f"import sys\nfrom patterns.s3_event_fan_out import {name}\n"
        "print(' '.join(sorted(m.split('.')[1] for m in sys.modules\n"
        "    if m.startswith('aws_cdk.aws_') and m.count('.') == 1)))\n"
        "print('patterns.s3_event_fan_out.construct' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    loaded, construct = result.stdout.splitlines()
    assert set(loaded.split()) == services
    assert construct == "False"
