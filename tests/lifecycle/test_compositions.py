"""Compositions: the patterns as users combine them, asserted by invariants, not snapshots.

All five patterns in one stack; in two stages (and two stack names) of one account and Region;
across two stacks of one app; inside a user's nested stack; on imported resources; in an app
without this repository's feature flags (cfn-lint and the compliance gate must pass); and
after changes made through the L2 objects the patterns expose.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from patterns import (
    AmazonMqBroker,
    KinesisToFirehoseToS3,
    QueueWithDeadLetterQueue,
    S3EventDelivery,
    S3EventFanOut,
    SnsToSqsFanOut,
)
from patterns.alarm_topic import AlarmTopic
from patterns.compliance import apply_compliance_checks
from tests.helpers import PATH_METADATA, new_app
from tests.lifecycle.replacements import StackTemplate, physical_names
from tools.compliance import read_findings

CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")
ACCOUNT = "111111111111"
REGION = "eu-west-1"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)
VPC_ID = "vpc-0123456789abcdef0"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]

# The construct ID of each pattern in ``build_all``: the first segment of its paths.
PATTERN_IDS = {
    "QueueWithDeadLetterQueue": "Orders",
    "SnsToSqsFanOut": "Events",
    "S3EventFanOut": "Uploads",
    "KinesisToFirehoseToS3": "Positions",
    "AmazonMqBroker": "Broker",
}

# Service limits of the names the templates may fix (AWS documentation of each service).
NAME_LIMITS = {
    "AWS::SQS::Queue": 80,
    "AWS::SNS::Topic": 256,
    "AWS::AmazonMQ::Broker": 50,
    "AWS::S3::Bucket": 63,
    "AWS::Kinesis::Stream": 128,
    "AWS::KinesisFirehose::DeliveryStream": 64,
    "AWS::Logs::LogGroup": 512,
    "AWS::IAM::Role": 64,
    "AWS::IAM::ManagedPolicy": 128,
    "AWS::KMS::Alias": 256,
}


def imported_vpc(scope: cdk.Stack) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        scope,
        "Vpc",
        vpc_id=VPC_ID,
        availability_zones=[f"{REGION}a", f"{REGION}b"],
        private_subnet_ids=SUBNETS,
        private_subnet_route_table_ids=["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"],
    )


def build_all(stack: cdk.Stack) -> dict[str, Any]:
    """The five patterns side by side, as a user with an alarm topic would build them."""
    actions = [AlarmTopic(stack, "Alarms").action]
    orders = QueueWithDeadLetterQueue(stack, "Orders", alarm_actions=actions)
    events = SnsToSqsFanOut(stack, "Events", alarm_actions=actions)
    events.add_queue("Billing")
    events.add_queue("Orders", queue=orders.queue)
    uploads = S3EventFanOut(stack, "Uploads", alarm_actions=actions)
    uploads.add_queue("Thumbnails")
    positions = KinesisToFirehoseToS3(stack, "Positions", shard_count=1, alarm_actions=actions)
    broker = AmazonMqBroker(stack, "Broker", vpc=imported_vpc(stack), alarm_actions=actions)
    return {
        "orders": orders,
        "events": events,
        "uploads": uploads,
        "positions": positions,
        "broker": broker,
    }


def pattern_of(path: str) -> str:
    """The pattern a construct path (``[Stage/]Stack/<pattern id>/...``) belongs to."""
    segments = path.split("/")
    for name, construct_id in PATTERN_IDS.items():
        if construct_id in segments[1:3]:
            return name
    return path


# --- all five in one stack, and in two stages -------------------------------------------


@pytest.fixture(scope="module")
def two_stages() -> dict[str, StackTemplate]:
    """One app, stages Dev and Prod in one account and Region, all five patterns in each."""
    app = new_app()
    stacks = {}
    for stage_name in ("Dev", "Prod"):
        stage = cdk.Stage(app, stage_name, env=ENV)
        stacks[stage_name] = cdk.Stack(stage, "Shop")
        build_all(stacks[stage_name])
    app.synth()
    return {name: StackTemplate.from_stack(stack) for name, stack in stacks.items()}


@pytest.fixture(scope="module")
def two_stack_names() -> dict[str, StackTemplate]:
    """One stack class deployed twice under two stack names (one app per stage, as with
    ``cdk deploy -c stage=...``): the construct paths are the same."""
    stacks = {}
    for stack_name in ("shop-dev", "shop-prod"):
        stack = cdk.Stack(new_app(), "Shop", stack_name=stack_name, env=ENV)
        build_all(stack)
        stacks[stack_name] = StackTemplate.from_stack(stack)
    return stacks


def test_all_five_patterns_in_one_stack_fix_unique_names_within_limits(two_stages):
    names = physical_names(two_stages["Dev"])
    assert {pattern_of(path) for path in names} >= {"QueueWithDeadLetterQueue", "SnsToSqsFanOut"}
    by_name: dict[tuple[str, str], list[str]] = {}
    for path, (resource_type, name) in names.items():
        by_name.setdefault((resource_type, name), []).append(path)
        limit = NAME_LIMITS.get(resource_type)
        assert limit is None or len(name) <= limit, f"{path}: {name!r} is over {limit}"
    assert {key: paths for key, paths in by_name.items() if len(paths) > 1} == {}


def test_all_five_patterns_in_one_stack_create_each_main_resource_once(two_stages):
    resources = [r["Type"] for _, r in two_stages["Dev"].resources()]
    for resource_type in (
        "AWS::AmazonMQ::Broker",
        "AWS::Kinesis::Stream",
        "AWS::KinesisFirehose::DeliveryStream",
    ):
        assert resources.count(resource_type) == 1, resource_type
    assert resources.count("AWS::SNS::Topic") == 3  # alarms, events, uploads
    # Orders' own queue is subscribed, not copied: 2 (Orders) + 3 (Billing) + 3 (Thumbnails)
    # + the subscription DLQ of the existing queue + the uploads' EventBridge delivery DLQ.
    assert resources.count("AWS::SQS::Queue") == 10


def _collisions(stacks: dict[str, StackTemplate], pattern: str) -> set[tuple[str, str]]:
    first, second = (
        {value for path, value in physical_names(templates).items() if pattern_of(path) == pattern}
        for templates in stacks.values()
    )
    return first & second


@pytest.mark.parametrize("pattern", PATTERN_IDS)
def test_two_stages_fix_no_common_physical_name(two_stages, pattern):
    assert _collisions(two_stages, pattern) == set()


@pytest.mark.parametrize("pattern", PATTERN_IDS)
def test_two_stack_names_fix_no_common_physical_name(two_stack_names, pattern):
    assert _collisions(two_stack_names, pattern) == set()


@pytest.mark.parametrize("pattern", PATTERN_IDS)
def test_nothing_retained_keeps_a_fixed_name(two_stages, pattern):
    """``cdk destroy`` leaves retained resources behind; one with a name fixed in the template
    makes the next ``cdk deploy`` fail on "already exists"."""
    retained_names = {
        path: name
        for key, resource in two_stages["Dev"].resources()
        if resource.get("DeletionPolicy", "Delete") != "Delete"
        for path, (_, name) in physical_names({"Resources": {key.logical_id: resource}}).items()
        if pattern_of(path) == pattern
    }
    assert retained_names == {}


# --- an app without this repository's feature flags ---------------------------------------


@dataclass
class PlainApp:
    """The assembly folder of the app without feature flags, and cfn-lint running on it."""

    outdir: Path
    lint: subprocess.Popen[str]


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlainApp]:
    """All five patterns in an app whose context holds none of cdk.json's feature flags,
    with the compliance gate applied. cfn-lint (every rule, as ``make cfn-lint`` runs it)
    starts on its templates at once, in the background, so it uses the second core while
    the other tests synthesize; the tests that read its findings come last."""
    outdir = tmp_path_factory.mktemp("plain")
    app = cdk.App(outdir=str(outdir), context=dict(PATH_METADATA))
    build_all(cdk.Stack(app, "Plain", env=ENV))
    apply_compliance_checks(app)
    app.synth()
    templates = [str(path) for path in sorted(outdir.glob("*.template.json"))]
    lint = subprocess.Popen(
        [CFN_LINT, "--format", "parseable", "--", *templates],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield PlainApp(outdir, lint)
    lint.kill()
    lint.wait()


@pytest.fixture(scope="module")
def plain_lint(plain_app: PlainApp) -> list[str]:
    """cfn-lint's findings on the plain app's templates, one a line."""
    output, _ = plain_app.lint.communicate(timeout=300)
    findings = output.splitlines()
    # 0: clean; 2, 4, 6: errors and/or warnings found; anything else: cfn-lint itself failed.
    assert plain_app.lint.returncode in (0, 2, 4, 6), output
    assert bool(findings) == (plain_app.lint.returncode != 0), output
    return findings


def test_without_feature_flags_the_compliance_gate_has_no_open_finding(plain_app: PlainApp):
    findings = read_findings(plain_app.outdir)
    assert findings, "the gate recorded nothing: was it applied?"
    assert [f for f in findings if not f.acknowledged_id] == []


# --- across two stacks of one app ---------------------------------------------------------


def _two_stacks() -> tuple[cdk.App, cdk.Stack, cdk.Stack]:
    app = new_app()
    return app, cdk.Stack(app, "Owner", env=ENV), cdk.Stack(app, "User", env=ENV)


def _subscriptions(app: cdk.App) -> list[dict[str, Any]]:
    assembly = app.synth()
    return [
        resource
        for stack in assembly.stacks
        for resource in stack.template["Resources"].values()
        if resource["Type"] == "AWS::SNS::Subscription"
    ]


def test_fan_out_subscribes_a_queue_of_another_stack():
    app, owner, user = _two_stacks()
    orders = QueueWithDeadLetterQueue(owner, "Orders")
    SnsToSqsFanOut(user, "Events").add_queue("Orders", queue=orders.queue)
    assert [s["Properties"]["Protocol"] for s in _subscriptions(app)] == ["sqs"]


def test_fan_out_queue_grants_to_a_role_of_another_stack():
    app, owner, user = _two_stacks()
    fan_out = SnsToSqsFanOut(owner, "Events")
    billing = fan_out.add_queue("Billing")
    role = iam.Role(user, "Consumer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    billing.grant_consume_messages(role)
    fan_out.grant_publish(role)
    assert len(_subscriptions(app)) == 1
    policies = Template.from_stack(user).find_resources("AWS::IAM::Policy")
    assert "sqs:ReceiveMessage" in json.dumps(policies)


def test_s3_event_fan_out_on_a_bucket_of_another_stack():
    app, owner, user = _two_stacks()
    bucket = s3.Bucket(owner, "Bucket", enforce_ssl=True)
    S3EventFanOut(user, "Uploads", bucket=bucket).add_queue("Thumbnails")
    assert len(_subscriptions(app)) == 1


def test_kinesis_delivers_a_stream_of_another_stack():
    app, owner, user = _two_stacks()
    key = kms.Key(owner, "Key", enable_key_rotation=True)
    stream = kinesis.Stream(
        owner, "Stream", shard_count=1, encryption=kinesis.StreamEncryption.KMS, encryption_key=key
    )
    KinesisToFirehoseToS3(user, "Positions", stream=stream)
    app.synth()
    assert Template.from_stack(user).find_resources("AWS::Kinesis::Stream") == {}


def test_broker_in_a_vpc_of_another_stack():
    app, owner, user = _two_stacks()
    vpc = ec2.Vpc(
        owner,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
    )
    AmazonMqBroker(user, "Broker", vpc=vpc)
    app.synth()
    Template.from_stack(user).resource_count_is("AWS::AmazonMQ::Broker", 1)


# --- inside a user's nested stack ---------------------------------------------------------

BUILDERS: dict[str, Callable[[cdk.Stack], object]] = {
    "QueueWithDeadLetterQueue": lambda scope: QueueWithDeadLetterQueue(scope, "Orders"),
    "SnsToSqsFanOut": lambda scope: SnsToSqsFanOut(scope, "Events").add_queue("Billing"),
    "S3EventFanOut": lambda scope: S3EventFanOut(scope, "Uploads").add_queue("Thumbnails"),
    "KinesisToFirehoseToS3": lambda scope: KinesisToFirehoseToS3(scope, "Positions", shard_count=1),
    "AmazonMqBroker": lambda scope: AmazonMqBroker(scope, "Broker", vpc=imported_vpc(scope)),
}
MAIN_RESOURCE = {
    "QueueWithDeadLetterQueue": "AWS::SQS::Queue",
    "SnsToSqsFanOut": "AWS::SNS::Topic",
    "S3EventFanOut": "AWS::S3::Bucket",
    "KinesisToFirehoseToS3": "AWS::Kinesis::Stream",
    "AmazonMqBroker": "AWS::AmazonMQ::Broker",
}


@pytest.mark.parametrize("pattern", list(BUILDERS))
def test_pattern_inside_a_nested_stack(pattern):
    stack = cdk.Stack(new_app(), "Root", env=ENV)
    BUILDERS[pattern](cdk.NestedStack(stack, "Inner"))
    templates = StackTemplate.from_stack(stack)
    [inner] = templates.nested.values()
    types = [r["Type"] for r in inner.template["Resources"].values()]
    assert MAIN_RESOURCE[pattern] in types
    assert MAIN_RESOURCE[pattern] not in [
        r["Type"] for r in templates.template["Resources"].values()
    ]
    for path, (resource_type, name) in physical_names(templates).items():
        limit = NAME_LIMITS.get(resource_type)
        assert limit is None or len(name) <= limit, f"{path}: {name!r} is over {limit}"


# --- on imported resources ----------------------------------------------------------------


def test_fan_out_on_an_imported_topic_and_queue():
    stack = cdk.Stack(new_app(), "Imports", env=ENV)
    topic = sns.Topic.from_topic_arn(stack, "Topic", f"arn:aws:sns:{REGION}:{ACCOUNT}:orders")
    queue = sqs.Queue.from_queue_arn(stack, "Queue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:billing")
    fan_out = SnsToSqsFanOut(stack, "Events", topic=topic)
    fan_out.add_queue("Billing", queue=queue)
    fan_out.add_queue("Shipping")
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SNS::Topic", 0)
    subscriptions = template.find_resources("AWS::SNS::Subscription")
    assert {s["Properties"]["TopicArn"] for s in subscriptions.values()} == {topic.topic_arn}
    # The imported queue's policy is the owner's: the pattern says what the owner must add.
    assert any("policy of imported queue Imports/Queue" in entry.data for entry in _warnings(stack))


def _warnings(stack: cdk.Stack) -> list[Any]:
    return [
        entry
        for construct in stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == "aws:cdk:warning"
    ]


def test_queue_with_an_imported_dead_letter_queue():
    stack = cdk.Stack(new_app(), "Imports", env=ENV)
    dlq = sqs.Queue.from_queue_arn(stack, "Dlq", f"arn:aws:sqs:{REGION}:{ACCOUNT}:shared-dlq")
    QueueWithDeadLetterQueue(stack, "Orders", dead_letter_queue=dlq)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SQS::Queue", 1)
    [queue] = template.find_resources("AWS::SQS::Queue").values()
    assert queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == dlq.queue_arn


def test_s3_event_fan_out_on_an_imported_bucket():
    stack = cdk.Stack(new_app(), "Imports", env=ENV)
    bucket = s3.Bucket.from_bucket_name(stack, "Bucket", "existing-uploads")
    S3EventFanOut(stack, "Uploads", bucket=bucket).add_queue("Thumbnails")
    S3EventFanOut(stack, "Direct", bucket=bucket, delivery=S3EventDelivery.NOTIFICATION).add_queue(
        "Thumbnails"
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::S3::Bucket", 0)
    # EventBridge delivery (the default) cannot switch EventBridge on for a bucket the app
    # does not define: synth says its owner must.
    Annotations.from_stack(stack).has_warning(
        "/Imports/Uploads", Match.string_like_regexp("is not defined in this app")
    )
    # Direct notifications: an imported bucket keeps the rules others set on it (not "managed").
    [notifications] = template.find_resources("Custom::S3BucketNotifications").values()
    assert notifications["Properties"]["Managed"] is False


def test_kinesis_on_an_imported_stream_bucket_and_key():
    stack = cdk.Stack(new_app(), "Imports", env=ENV)
    key = kms.Key.from_key_arn(
        stack, "Key", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    stream = kinesis.Stream.from_stream_attributes(
        stack,
        "Stream",
        stream_arn=f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/positions",
        encryption_key=key,
    )
    bucket = s3.Bucket.from_bucket_name(stack, "Bucket", "existing-positions")
    KinesisToFirehoseToS3(stack, "Positions", stream=stream, bucket=bucket, encryption_key=key)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Kinesis::Stream", 0)
    template.resource_count_is("AWS::S3::Bucket", 0)
    template.resource_count_is("AWS::KMS::Key", 0)
    template.resource_count_is("AWS::KinesisFirehose::DeliveryStream", 1)


def test_broker_with_an_imported_vpc_and_key():
    stack = cdk.Stack(new_app(), "Imports", env=ENV)
    key = kms.Key.from_key_arn(
        stack, "Key", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    AmazonMqBroker(stack, "Broker", vpc=imported_vpc(stack), encryption_key=key)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::KMS::Key", 0)
    [broker] = template.find_resources("AWS::AmazonMQ::Broker").values()
    assert broker["Properties"]["EncryptionOptions"]["KmsKeyId"] == key.key_arn
    assert sorted(broker["Properties"]["SubnetIds"]) == SUBNETS


# --- after changes through the exposed L2 objects -----------------------------------------


def _broker_stack() -> tuple[cdk.App, AmazonMqBroker]:
    app = new_app()
    stack = cdk.Stack(app, "Mutated", env=ENV)
    return app, AmazonMqBroker(stack, "Broker", vpc=imported_vpc(stack))


def test_broker_opened_to_a_private_network_through_connections_synthesizes():
    app, broker = _broker_stack()
    broker.connections.allow_from(ec2.Peer.ipv4("10.20.0.0/16"), ec2.Port.tcp(61617))
    resources = app.synth().get_stack_by_name("Mutated").template["Resources"].values()
    rules = [
        rule
        for resource in resources
        for rule in (
            [resource["Properties"]]
            if resource["Type"] == "AWS::EC2::SecurityGroupIngress"
            else resource["Properties"].get("SecurityGroupIngress", [])
            if resource["Type"] == "AWS::EC2::SecurityGroup"
            else []
        )
    ]
    assert [(r.get("CidrIp"), r.get("FromPort"), r.get("ToPort")) for r in rules] == [
        ("10.20.0.0/16", 61617, 61617)
    ]


@pytest.mark.parametrize(
    "open_up",
    [
        pytest.param(lambda b: b.connections.allow_default_port_from_any_ipv4(), id="default port"),
        pytest.param(
            lambda b: b.connections.allow_from(ec2.Peer.any_ipv4(), ec2.Port.tcp(61617)),
            id="any ipv4",
        ),
        pytest.param(
            lambda b: b.security_group.add_ingress_rule(ec2.Peer.any_ipv6(), ec2.Port.tcp(61617)),
            id="security group any ipv6",
        ),
    ],
)
def test_broker_opened_to_the_world_through_its_l2_objects_fails_synth(open_up):
    app, broker = _broker_stack()
    open_up(broker)
    with pytest.raises(Exception, match=r"0\.0\.0\.0/0|::/0"):
        app.synth()


def test_fan_out_queue_switched_to_the_aws_managed_key_fails_synth():
    app = new_app()
    stack = cdk.Stack(app, "Mutated", env=ENV)
    billing = SnsToSqsFanOut(stack, "Events").add_queue("Billing")
    queue = billing.queue.node.default_child
    assert isinstance(queue, sqs.CfnQueue)
    queue.kms_master_key_id = "alias/aws/sqs"
    with pytest.raises(Exception, match="alias/aws/sqs"):
        app.synth()


def test_fan_out_queue_switched_to_another_customer_key_synthesizes():
    app = new_app()
    stack = cdk.Stack(app, "Mutated", env=ENV)
    billing = SnsToSqsFanOut(stack, "Events").add_queue("Billing")
    queue = billing.queue.node.default_child
    assert isinstance(queue, sqs.CfnQueue)
    other = kms.Key(stack, "Other", enable_key_rotation=True)
    queue.kms_master_key_id = other.key_arn
    template = app.synth().get_stack_by_name("Mutated").template
    cfn_key = other.node.default_child
    assert isinstance(cfn_key, kms.CfnKey)
    key_id = stack.resolve(cfn_key.logical_id)
    assert template["Resources"][stack.resolve(queue.logical_id)]["Properties"][
        "KmsMasterKeyId"
    ] == {"Fn::GetAtt": [key_id, "Arn"]}


def test_event_notification_added_to_the_pattern_bucket_keeps_the_pattern_rules():
    """CDK's notifications handler (aws-s3 notifications-resource-handler) puts the custom
    resource's configuration *as is* on a bucket of the stack ("managed"), so a second source
    of configuration on the same bucket silently loses the other's rules."""
    app = new_app()
    stack = cdk.Stack(app, "Mutated", env=ENV)
    uploads = S3EventFanOut(stack, "Uploads")
    uploads.add_queue("Thumbnails")
    audit = sqs.Queue(stack, "Audit", enforce_ssl=True)
    try:
        uploads.bucket.add_event_notification(
            s3.EventType.OBJECT_REMOVED, s3n.SqsDestination(audit)
        )
        template = Template.from_stack(stack)
    except (ValueError, RuntimeError) as error:
        # Refusing it at synth, naming the method, is an acceptable answer too.
        assert "add_event_notification" in str(error)  # noqa: PT017
        return
    # Otherwise exactly one notification configuration reaches S3, and it holds both rules.
    custom = list(template.find_resources("Custom::S3BucketNotifications").values())
    [bucket] = [
        b
        for b in template.find_resources("AWS::S3::Bucket").values()
        if b["Metadata"]["aws:cdk:path"].endswith("Uploads/Bucket/Resource")
    ]
    configurations = [c["Properties"]["NotificationConfiguration"] for c in custom]
    if "NotificationConfiguration" in bucket["Properties"]:
        configurations.append(bucket["Properties"]["NotificationConfiguration"])
    assert len(configurations) == 1, (
        "two notification configurations for the pattern's bucket; at deploy the custom "
        f"resource's replaces the bucket's own: {json.dumps(configurations)}"
    )
    [configuration] = configurations
    assert "TopicConfigurations" in configuration
    assert "QueueConfigurations" in configuration


# --- cfn-lint on the app without feature flags (last: it ran in the background) ---------


def test_without_feature_flags_the_templates_pass_cfn_lint(plain_lint: list[str]):
    # W3045 (access-log buckets granted by ACL) is the next test's, with what it protects.
    assert [match for match in plain_lint if ":W3045:" not in match] == []


def test_without_feature_flags_access_log_buckets_use_a_bucket_policy(plain_lint: list[str]):
    assert [match for match in plain_lint if ":W3045:" in match] == []
