"""The shared rules: kms:ViaService in the partition's domain, the removal rule, DLQ alarms."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns import KinesisToFirehoseToS3
from patterns.alarms import create_dead_letter_queue_alarm
from patterns.removal import KEY_PENDING_WINDOW, key_removal_policy
from patterns.service_statements import allow_accounts_key_use_via, via_service
from tests.helpers import by_path, new_app

URL_SUFFIX = {"Ref": "AWS::URLSuffix"}


def _via(service: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [f"{service}.", {"Ref": "AWS::Region"}, ".", URL_SUFFIX]]}


def test_via_service_uses_the_partition_url_suffix() -> None:
    stack = cdk.Stack(new_app(), "Via")
    assert stack.resolve(via_service(stack, "sns")) == _via("sns")


def test_cross_account_key_use_is_limited_to_the_service_in_the_partition() -> None:
    stack = cdk.Stack(new_app(), "Via")
    key = kms.Key(stack, "Key")
    allow_accounts_key_use_via(key, ["111122223333"], service="sns", scope=stack)
    statements = by_path(Template.from_stack(stack), "AWS::KMS::Key", "/Key/Resource")[
        "Properties"
    ]["KeyPolicy"]["Statement"]
    (statement,) = [s for s in statements if "Condition" in s]
    assert statement["Condition"] == {"StringEquals": {"kms:ViaService": _via("sns")}}


def test_kinesis_pattern_limits_its_keys_to_the_services_of_the_partition() -> None:
    """The call sites in kinesis_firehose_s3 (DecryptSourceStream, EncryptDeliveredObjects)."""
    stack = cdk.Stack(new_app(), "Via")
    KinesisToFirehoseToS3(stack, "Delivery")
    policy = by_path(
        Template.from_stack(stack), "AWS::IAM::ManagedPolicy", "/Delivery/DeliveryPolicy/Resource"
    )
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    via = {
        sid: statements[sid]["Condition"]["StringEquals"]["kms:ViaService"]
        for sid in ("DecryptSourceStream", "EncryptDeliveredObjects")
    }
    assert via == {"DecryptSourceStream": _via("kinesis"), "EncryptDeliveredObjects": _via("s3")}


@pytest.mark.parametrize(
    ("encrypted", "expected"),
    [
        ((RemovalPolicy.DESTROY,), RemovalPolicy.DESTROY),
        ((RemovalPolicy.DESTROY, RemovalPolicy.DESTROY), RemovalPolicy.DESTROY),
        ((RemovalPolicy.RETAIN,), RemovalPolicy.RETAIN),
        ((RemovalPolicy.DESTROY, RemovalPolicy.RETAIN), RemovalPolicy.RETAIN),
        ((RemovalPolicy.SNAPSHOT,), RemovalPolicy.RETAIN),
        ((RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,), RemovalPolicy.RETAIN),
    ],
)
def test_keys_follow_what_they_encrypt(
    encrypted: tuple[RemovalPolicy, ...], expected: RemovalPolicy
) -> None:
    assert key_removal_policy(*encrypted) == expected


def test_key_removal_policy_needs_what_the_key_encrypts() -> None:
    with pytest.raises(ValueError, match="needs the removal policy of what the key encrypts"):
        key_removal_policy()


def test_the_pending_window_outlasts_the_longest_sqs_retention() -> None:
    assert 14 < KEY_PENDING_WINDOW.to_days() <= 30


def test_dead_letter_queue_alarm_keeps_its_state_when_the_queue_stops_reporting() -> None:
    stack = cdk.Stack(new_app(), "Alarm")
    queue = sqs.Queue(stack, "Dlq")
    create_dead_letter_queue_alarm(
        stack,
        "Alarm",
        messages_visible=queue.metric_approximate_number_of_messages_visible,
        description="failed messages",
    )
    props = by_path(Template.from_stack(stack), "AWS::CloudWatch::Alarm", "/Alarm/Resource")[
        "Properties"
    ]
    assert props["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert props["Statistic"] == "Maximum"
    assert props["Period"] == 60
    assert props["Threshold"] == 1
    assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert props["TreatMissingData"] == "ignore"
    assert props["AlarmDescription"] == "failed messages"
