"""Shared by the S3 event fan-out tests: the stacks they build and what their policies must name."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from patterns.s3_event_fan_out import S3EventDelivery, S3EventFanOut, S3EventRule
from tests.helpers import by_path, new_app

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


def _resolve_name(template: Template) -> Any:
    return by_path(template, "AWS::S3::Bucket", "/Images/Bucket/Resource")["Properties"][
        "BucketName"
    ]


def _bucket_arn(name: Any) -> dict[str, Any]:
    """The ARN the policies must name: arn:<partition>:s3:::<the bucket's own BucketName>."""
    assert isinstance(name, str), name
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":s3:::{name}"]]}


def _stack() -> cdk.Stack:
    return cdk.Stack(new_app(), "Invalid")


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


def waits_for(template: Template, logical_id: str) -> set[str]:
    """Every resource ``logical_id`` waits for: those it references or names in ``DependsOn``,
    and those they wait for."""
    resources = template.to_json()["Resources"]
    found: set[str] = set()
    pending = [logical_id]
    while pending:
        for target in (_references(resources[pending.pop()]) & set(resources)) - found:
            found.add(target)
            pending.append(target)
    return found
