"""Fan-outs at scale: resources per subscriber, nested stacks, 1,000 subscribers, stack limits."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns import QueueWithDeadLetterQueue, S3EventDelivery, S3EventFanOut, SnsToSqsFanOut
from patterns.alarm_topic import AlarmTopic
from patterns.sns_fan_out import (
    NESTED_STACK_GROUPS,
    NESTED_STACK_RESOURCE_BUDGET,
    STACK_MAX_RESOURCES,
    nested_stack_id,
)
from tests.helpers import ROOT, by_path, logical_id, new_app, synth_stack
from tests.synthesized import SynthesizedOnce

QUEUE = "AWS::SQS::Queue"
POLICY = "AWS::SQS::QueuePolicy"
SUBSCRIPTION = "AWS::SNS::Subscription"
ALARM = "AWS::CloudWatch::Alarm"
NESTED = "AWS::CloudFormation::Stack"
SUBSCRIBERS = 1000
# CloudFormation quotas (hard) a nested stack's template must stay under: its body, uploaded
# through S3, and its parameters and outputs.
TEMPLATE_MAX_BYTES = 1_000_000
TEMPLATE_MAX_PARAMETERS = 200
TEMPLATE_MAX_OUTPUTS = 200


def _types_under(resources: dict[str, Any], path: str) -> Counter[str]:
    return Counter(
        resource["Type"]
        for resource in resources.values()
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


@pytest.fixture(scope="module")
def budget_resources(budget: Template) -> dict[str, Any]:
    """The budget template's resources, read from Node once for every test counting them."""
    return dict(budget.to_json()["Resources"])


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
def test_resources_per_subscriber(budget_resources, path, expected) -> None:
    assert _types_under(budget_resources, path) == expected


def test_shared_subscription_dlq_is_created_once_with_policy_and_alarm(
    budget, budget_resources
) -> None:
    # queue, policy and alarm of the shared DLQ, beside the topic's key, topic, policy, alarms
    assert _types_under(budget_resources, "/Shared/SubscriptionDeadLetterQueue") == Counter(
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


def test_shared_dlq_uses_sse_sqs_and_kms_subscribers_keep_their_own(
    budget, budget_resources
) -> None:
    dlq = by_path(budget, QUEUE, "/Shared/SubscriptionDeadLetterQueue/Resource")
    assert dlq["Properties"] == {"MessageRetentionPeriod": 1_209_600, "SqsManagedSseEnabled": True}
    key = logical_id(budget, "AWS::KMS::Key", "/SharedKms/Kms/EncryptionKey/Resource")
    own = by_path(budget, QUEUE, "/SharedKms/Kms/SubscriptionDeadLetterQueue/Resource")
    assert own["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    # no subscriber needed the shared one, so it was not created
    assert _types_under(budget_resources, "/SharedKms/SubscriptionDeadLetterQueue") == Counter()


# --- nested stacks, small: placement and references -------------------------------------


@dataclass
class NestedApp:
    """The fan-out, its App synthesized once, and which nested stacks hold each child ID."""

    stack: cdk.Stack
    fan_out: SnsToSqsFanOut
    synthesized: SynthesizedOnce
    holders: dict[str, list[tuple[str, cdk.NestedStack]]]

    def nested_stack_of(self, subscriber: str) -> tuple[str, cdk.NestedStack]:
        """The ID and the nested stack of the one nested stack holding ``subscriber``."""
        (holder,) = self.holders.get(subscriber, [])
        return holder


def _holders(fan_out: SnsToSqsFanOut) -> dict[str, list[tuple[str, cdk.NestedStack]]]:
    # One walk of the nested stacks' children rather than one lookup per stack per subscriber.
    holders: dict[str, list[tuple[str, cdk.NestedStack]]] = {}
    for nested in fan_out.subscriber_stacks:
        nested_id = nested.node.id
        for child in nested.node.children:
            holders.setdefault(child.node.id, []).append((nested_id, nested))
    return holders


@pytest.fixture(scope="module")
def nested_app() -> NestedApp:
    app = new_app()
    stack = cdk.Stack(app, "Nested")
    alarms = AlarmTopic(stack, "Alarms")
    existing = sqs.Queue(stack, "Existing", enforce_ssl=True)
    fan_out = SnsToSqsFanOut(stack, "Orders", nested_stacks=True, alarm_actions=[alarms.action])
    for index in range(50):
        fan_out.add_queue(f"Queue{index}")
    fan_out.add_queue("Existing", queue=existing)
    return NestedApp(stack, fan_out, SynthesizedOnce(app), _holders(fan_out))


def test_nested_stacks_hold_the_subscribers_their_ids_hash_to(nested_app) -> None:
    stack, fan_out, synthesized = nested_app.stack, nested_app.fan_out, nested_app.synthesized
    names = [f"Queue{index}" for index in range(50)] + ["Existing"]
    for name in names:
        assert nested_app.nested_stack_of(name)[0] == nested_stack_id(name)
    counts = [
        len(synthesized.template_json(nested)["Resources"]) for nested in fan_out.subscriber_stacks
    ]
    assert sum(counts) == 50 * 10 + 4  # 50 new subscribers of 10, the existing queue's 4
    assert max(counts) <= NESTED_STACK_RESOURCE_BUDGET
    parent = synthesized.template(stack)
    parent.resource_count_is(NESTED, len({nested_stack_id(name) for name in names}))
    parent.resource_count_is(SUBSCRIPTION, 0)


def test_nested_subscribers_reference_the_topic_and_alarm_topic_as_parameters(nested_app) -> None:
    stack, synthesized = nested_app.stack, nested_app.synthesized
    stack_id, holder = nested_app.nested_stack_of("Queue0")
    nested = synthesized.template_json(holder)
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
    subscribers = [c for c in holder.node.children if isinstance(c, QueueWithDeadLetterQueue)]
    assert len(alarms) == 3 * len(subscribers)
    assert all(
        alarm["Properties"]["AlarmActions"] == [{"Ref": alarm_parameter}] for alarm in alarms
    )
    parent = synthesized.template(stack)
    resource = by_path(
        parent, NESTED, f"/Orders/{stack_id}.NestedStack/{stack_id}.NestedStackResource"
    )
    assert resource["Properties"]["Parameters"][topic_parameter] == {
        "Ref": logical_id(parent, "AWS::SNS::Topic", "/Orders/Topic/Resource")
    }


def test_existing_queue_of_the_parent_is_admitted_before_its_nested_subscription(
    nested_app,
) -> None:
    parent = nested_app.synthesized.template(nested_app.stack)
    existing_policy = logical_id(parent, POLICY, "/Existing/Policy/Resource")
    stack_id, _ = nested_app.nested_stack_of("Existing")
    resource = by_path(
        parent, NESTED, f"/Orders/{stack_id}.NestedStack/{stack_id}.NestedStackResource"
    )
    assert existing_policy in resource["DependsOn"]


def test_nested_bucket_notifications_wait_for_every_nested_stack() -> None:
    def build(stack: cdk.Stack) -> None:
        events = S3EventFanOut(
            stack,
            "Uploads",
            nested_stacks=True,
            delivery=S3EventDelivery.NOTIFICATION,  # EventBridge: tests/s3_event_fan_out/
            bucket_name="uploads-nested-test",
        )
        for index in range(50):
            events.add_queue(f"Queue{index}")

    template = synth_stack(build)
    bucket = by_path(template, "AWS::S3::Bucket", "/Uploads/Bucket/Resource")
    nested = set(template.find_resources(NESTED))
    assert len(nested) > 1
    assert nested <= set(bucket["DependsOn"])


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
    # the parent and one nested stack per group (each ID hashes to one of them)
    assert len(thousand) == 1 + NESTED_STACK_GROUPS
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
    # about 8 s: the parent and the smallest nested template (every shape) are linted here.
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
    for index in range(49):  # 7 resources of the topic, 49 x 10 of the subscribers: 497
        fan_out.add_queue(f"Queue{index}")
    with pytest.raises(
        ValueError,
        match=r"subscriber 'Queue49' brings stack Single to 507 resources \(50 subscribers of "
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


# --- placement in nested stacks is stable: no subscriber moves when another leaves --------


def _nested_identity(subscribers: list[str]) -> dict[str, tuple[str, str, object]]:
    """Every resource of a nested fan-out: path -> (template, logical ID, physical name)."""
    app = new_app()
    stack = cdk.Stack(app, "Stable")
    fan_out = SnsToSqsFanOut(stack, "Orders", nested_stacks=True)
    for name in subscribers:
        fan_out.add_queue(name)
    synthesized = SynthesizedOnce(app)
    identity: dict[str, tuple[str, str, object]] = {}
    for owner in [stack, *fan_out.subscriber_stacks]:
        for key, resource in synthesized.template_json(owner)["Resources"].items():
            path = resource.get("Metadata", {}).get("aws:cdk:path")
            if path is not None:
                name = resource.get("Properties", {}).get("QueueName")
                identity[path] = (owner.node.path, key, name)
    return identity


@pytest.mark.scale
def test_removing_a_subscriber_moves_no_other_subscriber() -> None:
    names = [f"Tenant{index}" for index in range(60)]
    before = _nested_identity(names)
    after = _nested_identity([name for name in names if name != "Tenant1"])
    removed = {path for path in before if "/Tenant1/" in path}
    assert removed  # the removed subscriber's own resources go, and only those
    kept = {path: value for path, value in before.items() if path not in removed}
    # a nested stack left empty disappears with its parent resource; nothing else changes
    emptied = set(kept) - set(after)
    assert all(".NestedStack/" in path for path in emptied), emptied
    assert {path: after[path] for path in kept if path in after} == {
        path: value for path, value in kept.items() if path not in emptied
    }
    assert set(after) <= set(before)


@pytest.mark.scale
def test_adding_a_subscriber_moves_no_other_subscriber() -> None:
    names = [f"Tenant{index}" for index in range(60)]
    before = _nested_identity(names)
    after = _nested_identity(["Tenant100", *names])
    assert {path: after[path] for path in before} == before


def test_placement_is_a_function_of_the_subscriber_id_alone() -> None:
    assert nested_stack_id("Tenant7") == nested_stack_id("Tenant7")
    assert nested_stack_id("Tenant7", group="Extra") == "SubscribersExtra"
    used = {nested_stack_id(f"Queue{index}") for index in range(SUBSCRIBERS)}
    assert used == {f"Subscribers{n}" for n in range(1, NESTED_STACK_GROUPS + 1)}


def test_explicit_group_places_a_subscriber_in_its_own_nested_stack() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Grouped")
    fan_out = SnsToSqsFanOut(stack, "Orders", nested_stacks=True)
    fan_out.add_queue("Late", group="Extra1")
    (nested,) = fan_out.subscriber_stacks
    assert nested.node.path == "Grouped/Orders/SubscribersExtra1"
    by_path(
        Template.from_stack(nested), SUBSCRIPTION, "/SubscribersExtra1/Late/Subscription/Resource"
    )


def test_rejects_a_subscriber_past_its_nested_stack_budget(monkeypatch) -> None:
    import patterns.sns_fan_out.placement as module

    monkeypatch.setattr(module, "NESTED_STACK_RESOURCE_BUDGET", 20)
    fan_out = SnsToSqsFanOut(cdk.Stack(new_app(), "Full"), "Orders", nested_stacks=True)
    fan_out.add_queue("A", group="One")
    fan_out.add_queue("B", group="One")
    with pytest.raises(
        ValueError,
        match=r"subscriber 'C' brings nested stack Full/Orders/SubscribersOne to 30 resources; "
        r"a nested stack of subscribers holds at most 20\. Pass group=",
    ):
        fan_out.add_queue("C", group="One")


def test_rejects_group_without_nested_stacks() -> None:
    fan_out = SnsToSqsFanOut(cdk.Stack(new_app(), "Flat"), "Orders")
    with pytest.raises(ValueError, match=r"group 'One' applies with nested_stacks=True only"):
        fan_out.add_queue("A", group="One")


def test_rejects_malformed_group() -> None:
    fan_out = SnsToSqsFanOut(cdk.Stack(new_app(), "Bad"), "Orders", nested_stacks=True)
    with pytest.raises(ValueError, match=r"group 'a b' must be 1 to 32 letters and digits"):
        fan_out.add_queue("A", group="a b")
