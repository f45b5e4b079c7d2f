"""Fan-outs at scale: resources per subscriber, nested stacks, 1,000 subscribers, stack limits."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns import S3EventDelivery, S3EventFanOut, SnsToSqsFanOut
from patterns.alarm_topic import AlarmTopic
from patterns.sns_fan_out import (
    STACK_MAX_RESOURCES,
    TEMPLATE_MAX_BYTES,
    TEMPLATE_MAX_OUTPUTS,
    TEMPLATE_MAX_PARAMETERS,
)
from tests.helpers import ROOT, by_path, logical_id, new_app, synth_stack

QUEUE = "AWS::SQS::Queue"
POLICY = "AWS::SQS::QueuePolicy"
SUBSCRIPTION = "AWS::SNS::Subscription"
ALARM = "AWS::CloudWatch::Alarm"
NESTED = "AWS::CloudFormation::Stack"
SUBSCRIBERS = 1000


def _types_under(template: Template, path: str) -> Counter[str]:
    return Counter(
        resource["Type"]
        for resource in template.to_json()["Resources"].values()
        if f"{path}/" in resource.get("Metadata", {}).get("aws:cdk:path", "")
    )


# --- resources per subscriber (the budget the docs quote) --------------------------------


def _build_budget(stack: cdk.Stack) -> None:
    existing = sqs.Queue(stack, "Existing", enforce_ssl=True)
    own = SnsToSqsFanOut(stack, "Own")
    own.add_queue("Sse")
    own.add_queue("Kms", encryption=sqs.QueueEncryption.KMS)
    own.add_queue("Existing", queue=existing)
    shared = SnsToSqsFanOut(stack, "Shared", shared_subscription_dead_letter_queue=True)
    shared.add_queue("First")
    shared.add_queue("Second")
    shared_kms = SnsToSqsFanOut(stack, "SharedKms", shared_subscription_dead_letter_queue=True)
    shared_kms.add_queue("Kms", encryption=sqs.QueueEncryption.KMS)
    S3EventFanOut(stack, "Events").add_queue("Sse")
    S3EventFanOut(stack, "SharedEvents", shared_subscription_dead_letter_queue=True).add_queue(
        "Sse"
    )


@pytest.fixture(scope="module")
def budget() -> Template:
    return synth_stack(_build_budget)


SSE = Counter({QUEUE: 3, POLICY: 3, SUBSCRIPTION: 1, ALARM: 3})
SHARED = Counter({QUEUE: 2, POLICY: 2, SUBSCRIPTION: 1, ALARM: 2})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/Own/Sse", SSE),  # queue, DLQ, subscription DLQ, a policy and an alarm each
        ("/Own/Kms", SSE + Counter({"AWS::KMS::Key": 1})),
        ("/Own/Existing", Counter({QUEUE: 1, POLICY: 1, SUBSCRIPTION: 1, ALARM: 1})),
        ("/Shared/First", SHARED),
        ("/Shared/Second", SHARED),
        ("/SharedKms/Kms", SSE + Counter({"AWS::KMS::Key": 1})),
        ("/Events/FanOut/Sse", SSE),
        ("/SharedEvents/FanOut/Sse", SHARED),
    ],
)
def test_resources_per_subscriber(budget, path, expected) -> None:
    assert _types_under(budget, path) == expected


def test_shared_subscription_dlq_is_created_once_with_policy_and_alarm(budget) -> None:
    # queue, policy and alarm of the shared DLQ, beside the topic's key, topic, policy, alarms
    assert _types_under(budget, "/Shared/SubscriptionDeadLetterQueue") == Counter(
        {QUEUE: 1, POLICY: 1}
    )
    by_path(budget, ALARM, "/Shared/SubscriptionDeadLetterQueueNotEmptyAlarm/Resource")


def test_subscribers_redrive_to_the_shared_dlq_after_its_policy(budget) -> None:
    dlq = logical_id(budget, QUEUE, "/Shared/SubscriptionDeadLetterQueue/Resource")
    policy = logical_id(budget, POLICY, "/Shared/SubscriptionDeadLetterQueue/Policy/Resource")
    for name in ("First", "Second"):
        subscription = by_path(budget, SUBSCRIPTION, f"/Shared/{name}/Subscription/Resource")
        assert subscription["Properties"]["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]}
        }
        assert policy in subscription["DependsOn"]


def test_shared_dlq_uses_sse_sqs_and_kms_subscribers_keep_their_own(budget) -> None:
    dlq = by_path(budget, QUEUE, "/Shared/SubscriptionDeadLetterQueue/Resource")
    assert dlq["Properties"] == {"MessageRetentionPeriod": 1_209_600, "SqsManagedSseEnabled": True}
    key = logical_id(budget, "AWS::KMS::Key", "/SharedKms/Kms/EncryptionKey/Resource")
    own = by_path(budget, QUEUE, "/SharedKms/Kms/SubscriptionDeadLetterQueue/Resource")
    assert own["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    # no subscriber needed the shared one, so it was not created
    assert _types_under(budget, "/SharedKms/SubscriptionDeadLetterQueue") == Counter()


# --- nested stacks, small: placement and references -------------------------------------


@pytest.fixture(scope="module")
def nested_app() -> tuple[cdk.Stack, SnsToSqsFanOut]:
    app = new_app()
    stack = cdk.Stack(app, "Nested")
    alarms = AlarmTopic(stack, "Alarms")
    existing = sqs.Queue(stack, "Existing", enforce_ssl=True)
    fan_out = SnsToSqsFanOut(stack, "Orders", nested_stacks=True, alarm_actions=[alarms.action])
    for index in range(50):
        fan_out.add_queue(f"Queue{index}")
    fan_out.add_queue("Existing", queue=existing)
    return stack, fan_out


def test_nested_stacks_fill_in_order_within_the_budget(nested_app) -> None:
    stack, fan_out = nested_app
    counts = [
        len(Template.from_stack(nested).to_json()["Resources"])
        for nested in fan_out.subscriber_stacks
    ]
    assert counts == [480, 24]  # 48 subscribers of 10, then 2 of 10 and the existing queue's 4
    parent = Template.from_stack(stack)
    parent.resource_count_is(NESTED, 2)
    parent.resource_count_is(SUBSCRIPTION, 0)


def test_nested_subscribers_reference_the_topic_and_alarm_topic_as_parameters(nested_app) -> None:
    stack, fan_out = nested_app
    nested = Template.from_stack(fan_out.subscriber_stacks[0]).to_json()
    parameters = sorted(nested["Parameters"])
    assert len(parameters) == 2
    topic_parameter = next(name for name in parameters if "OrdersTopic" in name)
    alarm_parameter = next(name for name in parameters if "AlarmsTopic" in name)
    policy = next(
        resource
        for resource in nested["Resources"].values()
        if resource["Metadata"]["aws:cdk:path"].endswith("/Queue0/Queue/Policy/Resource")
    )
    send = policy["Properties"]["PolicyDocument"]["Statement"][1]
    assert send["Condition"]["ArnEquals"] == {"aws:SourceArn": {"Ref": topic_parameter}}
    alarms = [r for r in nested["Resources"].values() if r["Type"] == ALARM]
    assert len(alarms) == 144
    assert all(
        alarm["Properties"]["AlarmActions"] == [{"Ref": alarm_parameter}] for alarm in alarms
    )
    parent = Template.from_stack(stack)
    resource = by_path(
        parent, NESTED, "/Orders/Subscribers1.NestedStack/Subscribers1.NestedStackResource"
    )
    assert resource["Properties"]["Parameters"][topic_parameter] == {
        "Ref": logical_id(parent, "AWS::SNS::Topic", "/Orders/Topic/Resource")
    }


def test_existing_queue_of_the_parent_is_admitted_before_its_nested_subscription(
    nested_app,
) -> None:
    stack, _ = nested_app
    parent = Template.from_stack(stack)
    existing_policy = logical_id(parent, POLICY, "/Existing/Policy/Resource")
    resource = by_path(
        parent, NESTED, "/Orders/Subscribers2.NestedStack/Subscribers2.NestedStackResource"
    )
    assert existing_policy in resource["DependsOn"]


def test_nested_bucket_notifications_wait_for_every_nested_stack() -> None:
    def build(stack: cdk.Stack) -> None:
        events = S3EventFanOut(
            stack,
            "Uploads",
            nested_stacks=True,
            delivery=S3EventDelivery.NOTIFICATION,  # EventBridge: tests/test_s3_event_fan_out.py
            bucket_name="uploads-nested-test",
        )
        for index in range(50):
            events.add_queue(f"Queue{index}")

    template = synth_stack(build)
    bucket = by_path(template, "AWS::S3::Bucket", "/Uploads/Bucket/Resource")
    nested = [
        logical_id(
            template, NESTED, f"/Subscribers{n}.NestedStack/Subscribers{n}.NestedStackResource"
        )
        for n in (1, 2)
    ]
    assert set(nested) <= set(bucket["DependsOn"])


# --- 1,000 subscribers: every template within CloudFormation's limits --------------------


@pytest.fixture(scope="session")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """1,000 subscribers with nested stacks, synthesized once into a cloud assembly."""
    outdir = tmp_path_factory.mktemp("thousand")
    app = new_app(outdir=str(outdir))
    stack = cdk.Stack(app, "Thousand")
    alarms = AlarmTopic(stack, "Alarms")
    fan_out = SnsToSqsFanOut(stack, "Orders", nested_stacks=True, alarm_actions=[alarms.action])
    for index in range(SUBSCRIBERS):
        fan_out.add_queue(f"Queue{index}")
    app.synth()
    return {path.name: path for path in sorted(outdir.glob("*.template.json"))}


def _load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


@pytest.mark.scale
def test_thousand_subscribers_every_template_within_limits(thousand) -> None:
    assert len(thousand) == 22  # the parent and 21 nested stacks
    for name, path in thousand.items():
        template = _load(path)
        assert len(template["Resources"]) <= STACK_MAX_RESOURCES, name
        assert path.stat().st_size < TEMPLATE_MAX_BYTES, name
        assert len(template.get("Parameters", {})) < TEMPLATE_MAX_PARAMETERS, name
        assert len(template.get("Outputs", {})) < TEMPLATE_MAX_OUTPUTS, name


@pytest.mark.scale
def test_thousand_subscribers_all_subscribed(thousand) -> None:
    subscriptions = sum(
        1
        for path in thousand.values()
        for resource in _load(path)["Resources"].values()
        if resource["Type"] == SUBSCRIPTION
    )
    assert subscriptions == SUBSCRIBERS


@pytest.mark.scale
def test_thousand_subscribers_templates_are_cfn_lint_clean(thousand) -> None:
    # The nested templates differ only in IDs and names, and a full one (450 KB) takes cfn-lint
    # about 8 s: the parent and the last nested template (40 subscribers, every shape) are
    # linted here; all 22 were linted clean by hand when this test was written.
    nested = [path for name, path in thousand.items() if ".nested." in name]
    last = min(nested, key=lambda path: len(_load(path)["Resources"]))
    parent = thousand["Thousand.template.json"]
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--format",
            "parseable",
            "--",
            *(str(path) for path in (parent, last)),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- a single stack past 500 resources fails at synth -------------------------------------


def test_rejects_more_resources_than_one_stack_holds() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Single")
    fan_out = SnsToSqsFanOut(stack, "Orders")
    for index in range(49):  # 5 resources of the topic, 49 x 10 of the subscribers: 495
        fan_out.add_queue(f"Queue{index}")
    with pytest.raises(
        ValueError,
        match=r"subscriber 'Queue49' brings stack Single to 505 resources \(50 subscribers of "
        r"Single/Orders\); CloudFormation allows 500 per stack\. "
        r"Pass SnsToSqsFanOut\(nested_stacks=True\)",
    ):
        fan_out.add_queue("Queue49")


def test_synth_fails_when_other_resources_push_the_stack_past_500() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Crowded")
    fan_out = SnsToSqsFanOut(stack, "Orders")
    for index in range(20):
        fan_out.add_queue(f"Queue{index}")
    for index in range(300):
        cdk.CfnResource(stack, f"Filler{index}", type="AWS::SNS::Topic")
    with pytest.raises(RuntimeError, match=r"holds 50\d resources; CloudFormation allows 500"):
        app.synth()


def test_rejects_subscriber_id_reserved_for_nested_stacks() -> None:
    fan_out = SnsToSqsFanOut(cdk.Stack(new_app(), "Reserved"), "Orders", nested_stacks=True)
    with pytest.raises(ValueError, match=r"construct_id 'Subscribers2' is reserved"):
        fan_out.add_queue("Subscribers2")


def test_rejects_duplicate_subscriber_id_across_nested_stacks() -> None:
    fan_out = SnsToSqsFanOut(cdk.Stack(new_app(), "Duplicate"), "Orders", nested_stacks=True)
    fan_out.add_queue("Billing")
    with pytest.raises(ValueError, match=r"construct_id 'Billing' is already used"):
        fan_out.add_queue("Billing")
