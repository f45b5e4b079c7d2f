"""EventBridge delivery: the bucket's EventBridge switch, the rule and its policies, its
dead-letter queue, metrics and alarms.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk.assertions import Match, Template

from patterns.s3_event_fan_out import S3EventDelivery, S3EventFanOut, S3EventRule
from tests.helpers import by_path, logical_id, new_app, resources_of, synth_stack
from tests.s3_event_fan_out.common import (
    ALARM_TOPIC_ARN,
    BUCKET_NAME,
    CREATED,
    NOTIFICATION,
    _source_condition,
    waits_for,
)


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


def test_rule_waits_for_every_nested_stack_of_subscribers() -> None:
    def build(stack: cdk.Stack) -> None:
        events = S3EventFanOut(stack, "Uploads", nested_stacks=True)
        # Placement hashes each subscriber's ID to a nested stack: these five land in four
        # (two share one), enough to show the rule waits for each; 50 cost seconds of synth.
        for index in range(5):
            events.add_queue(f"Queue{index}")

    template = synth_stack(build)
    rule = by_path(template, "AWS::Events::Rule", "/Uploads/EventRule/Resource")
    nested = set(resources_of(template, "AWS::CloudFormation::Stack"))
    assert len(nested) > 1  # placement spreads the subscribers over several stacks
    assert nested <= set(rule["DependsOn"])


def test_event_bridge_template_has_no_dependency_cycle(template: Template) -> None:
    """The rule waits for the topic policy and the key; they name the rule by the ARN built
    from its name, not by a reference, so neither waits for the rule (synth refuses any
    cycle of the template)."""
    rule = logical_id(template, "AWS::Events::Rule", "/Images/EventRule/Resource")
    for permission in (
        logical_id(template, "AWS::SNS::TopicPolicy", "/Images/FanOut/Topic/Policy/Resource"),
        logical_id(template, "AWS::KMS::Key", "/Images/EncryptionKey/Resource"),
    ):
        assert permission in waits_for(template, rule)
        assert rule not in waits_for(template, permission)


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
