"""Messaging-LAMBDA8-11 and Messaging-SNS13: a Lambda filter on the body of a queue that only
receives SNS or S3 envelopes, an SNS attribute filter on S3 events, a handler's
batchItemFailures ignored by its mapping, an Amazon MQ consumer whose role cannot connect, and
stream records discarded with no on-failure destination. Each rule on plain-CDK apps that fall
into its trap and one that does not; then the same traps with producer and consumer in two
stacks, through ``python -m patterns.checks``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_amazonmq as amazonmq
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs

from patterns.checks import collect, main
from patterns.cloud_assembly import read_assembly
from tests.helpers import CDK_CONTEXT, PATH_METADATA, inline_function
from tests.messaging_rules.common import (
    LEVELS,
    Case,
    Report,
    fail_stack,
    good_stack,
    synth_cases,
)

Mapping = lambda_.CfnEventSourceMapping
TEN_SECONDS = cdk.Duration.seconds(10)
PRIORITY_FILTER = {"filters": [{"pattern": json.dumps({"body": {"priority": ["high"]}})}]}
BATCH_HANDLER = """
def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            print(record["body"])
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
"""


def _dlq(scope: Any, construct_id: str) -> sqs.Queue:
    return sqs.Queue(scope, construct_id, retention_period=cdk.Duration.days(14))


def _queue(scope: Any, construct_id: str) -> sqs.Queue:
    """A queue kept by a dead-letter queue, hidden long enough for a 10 s function."""
    return sqs.Queue(
        scope,
        construct_id,
        visibility_timeout=cdk.Duration.minutes(2),
        dead_letter_queue=sqs.DeadLetterQueue(
            queue=_dlq(scope, f"{construct_id}Dlq"), max_receive_count=5
        ),
    )


def _consume(
    scope: Any,
    queue: sqs.IQueue,
    construct_id: str = "Mapping",
    *,
    filters: dict[str, Any] | None = None,
    report: bool = True,
    code: str | None = None,
) -> None:
    function = (
        lambda_.Function(
            scope,
            f"{construct_id}Function",
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler="index.handler",
            code=lambda_.Code.from_inline(code),
            timeout=TEN_SECONDS,
        )
        if code
        else inline_function(scope, f"{construct_id}Function", timeout=TEN_SECONDS)
    )
    queue.grant_consume_messages(function)
    Mapping(
        scope,
        construct_id,
        function_name=function.function_name,
        event_source_arn=queue.queue_arn,
        function_response_types=["ReportBatchItemFailures"] if report else None,
        filter_criteria=filters,
    )


def _subscribe(topic: sns.ITopic, queue: sqs.Queue, **options: Any) -> None:
    dlq = _dlq(queue.stack, f"{queue.node.id}SubscriptionDlq")
    topic.add_subscription(subs.SqsSubscription(queue, dead_letter_queue=dlq, **options))


# --- LAMBDA8: a body filter on a queue that receives only SNS or S3 envelopes -------------------


def lambda8_fail(stack: cdk.Stack) -> None:
    queue = _queue(stack, "Queue")
    _subscribe(sns.Topic(stack, "Topic"), queue)
    _consume(stack, queue, filters=PRIORITY_FILTER)


def lambda8_s3_fail(stack: cdk.Stack) -> None:
    queue = _queue(stack, "Queue")
    s3.Bucket(stack, "Bucket").add_event_notification(
        s3.EventType.OBJECT_CREATED, s3n.SqsDestination(queue)
    )
    _consume(stack, queue, filters=PRIORITY_FILTER)


def good_envelope_filters(stack: cdk.Stack) -> None:
    """Raw delivery; filters on the SNS and S3 envelopes' own keys; a queue another producer
    may send to."""
    topic = sns.Topic(stack, "Topic")
    raw = _queue(stack, "Raw")
    _subscribe(topic, raw, raw_message_delivery=True)
    _consume(stack, raw, "RawMapping", filters=PRIORITY_FILTER)
    wrapped = _queue(stack, "Wrapped")
    _subscribe(topic, wrapped)
    envelope = {"filters": [{"pattern": json.dumps({"body": {"Type": ["Notification"]}})}]}
    _consume(stack, wrapped, "EnvelopeMapping", filters=envelope)
    events = _queue(stack, "Events")
    s3.Bucket(stack, "Bucket").add_event_notification(
        s3.EventType.OBJECT_CREATED, s3n.SqsDestination(events)
    )
    records = {"filters": [{"pattern": json.dumps({"body": {"Records": {"eventName": ["x"]}}})}]}
    _consume(stack, events, "RecordsMapping", filters=records)
    shared = _queue(stack, "Shared")
    _subscribe(topic, shared)
    shared.grant_send_messages(inline_function(stack, "Producer"))
    _consume(stack, shared, "SharedMapping", filters=PRIORITY_FILTER)


# --- SNS13: an attribute filter on a topic S3 publishes to --------------------------------------

EVENT_NAMES = ["ObjectCreated:Put", "ObjectCreated:CompleteMultipartUpload"]


def _uploads_topic(stack: cdk.Stack) -> sns.Topic:
    topic = sns.Topic(stack, "Topic")
    s3.Bucket(stack, "Bucket").add_event_notification(
        s3.EventType.OBJECT_CREATED, s3n.SnsDestination(topic)
    )
    return topic


def _attribute_filter() -> dict[str, sns.SubscriptionFilter]:
    return {"eventName": sns.SubscriptionFilter.string_filter(allowlist=EVENT_NAMES)}


def sns13_fail(stack: cdk.Stack) -> None:
    _subscribe(_uploads_topic(stack), _queue(stack, "Queue"), filter_policy=_attribute_filter())


def sns14_fail(stack: cdk.Stack) -> None:
    """S3 and a function publish: only the function's messages can match."""
    topic = _uploads_topic(stack)
    topic.grant_publish(inline_function(stack, "Producer"))
    _subscribe(topic, _queue(stack, "Queue"), filter_policy=_attribute_filter())


def good_s3_topic_filters(stack: cdk.Stack) -> None:
    """The filter on the message body of S3 events; an attribute filter on a topic S3 does not
    publish to."""
    body = {
        "Records": sns.FilterOrPolicy.policy(
            {
                "eventName": sns.FilterOrPolicy.filter(
                    sns.SubscriptionFilter.string_filter(allowlist=EVENT_NAMES)
                )
            }
        )
    }
    _subscribe(_uploads_topic(stack), _queue(stack, "Queue"), filter_policy_with_message_body=body)
    _subscribe(
        sns.Topic(stack, "OrderEvents"), _queue(stack, "Orders"), filter_policy=_attribute_filter()
    )


# --- LAMBDA9: a handler returns batchItemFailures the mapping ignores ---------------------------


def lambda9_fail(stack: cdk.Stack) -> None:
    _consume(stack, _queue(stack, "Queue"), report=False, code=BATCH_HANDLER)


def good_batch_item_failures(stack: cdk.Stack) -> None:
    _consume(stack, _queue(stack, "Queue"), code=BATCH_HANDLER)


# --- LAMBDA10: an Amazon MQ consumer whose role cannot connect ----------------------------------


def _broker(scope: Any) -> tuple[amazonmq.CfnBroker, secretsmanager.Secret]:
    secret = secretsmanager.Secret(
        scope,
        "BrokerCredentials",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            secret_string_template='{"username": "orders"}', generate_string_key="password"
        ),
    )
    broker = amazonmq.CfnBroker(
        scope,
        "Broker",
        broker_name="orders",
        engine_type="ACTIVEMQ",
        engine_version="5.18",
        host_instance_type="mq.t3.micro",
        deployment_mode="SINGLE_INSTANCE",
        publicly_accessible=False,
        auto_minor_version_upgrade=True,
        users=[
            amazonmq.CfnBroker.UserProperty(
                username="orders",
                password=secret.secret_value_from_json("password").unsafe_unwrap(),
            )
        ],
    )
    return broker, secret


def _broker_consumer(
    scope: Any,
    broker: amazonmq.CfnBroker,
    secret: secretsmanager.ISecret,
    construct_id: str = "Mapping",
) -> lambda_.Function:
    function: lambda_.Function = inline_function(
        scope, f"{construct_id}Function", timeout=TEN_SECONDS
    )
    Mapping(
        scope,
        construct_id,
        function_name=function.function_name,
        event_source_arn=broker.attr_arn,
        queues=["orders.incoming"],
        source_access_configurations=[
            Mapping.SourceAccessConfigurationProperty(type="BASIC_AUTH", uri=secret.secret_arn)
        ],
    )
    return function


NETWORK = [
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
]


def lambda10_fail(stack: cdk.Stack) -> None:
    _broker_consumer(stack, *_broker(stack))


def lambda10_secret_fail(stack: cdk.Stack) -> None:
    """Every permission but the secret's."""
    broker, secret = _broker(stack)
    function = _broker_consumer(stack, broker, secret)
    function.add_to_role_policy(
        iam.PolicyStatement(actions=["mq:DescribeBroker"], resources=[broker.attr_arn])
    )
    function.add_to_role_policy(iam.PolicyStatement(actions=NETWORK, resources=["*"]))


def lambda10_vpc_policy_fail(stack: cdk.Stack) -> None:
    """AWSLambdaVPCAccessExecutionRole grants no ec2:DescribeSecurityGroups nor DescribeVpcs."""
    broker, secret = _broker(stack)
    function = _broker_consumer(stack, broker, secret)
    function.add_to_role_policy(
        iam.PolicyStatement(actions=["mq:DescribeBroker"], resources=[broker.attr_arn])
    )
    secret.grant_read(function)
    assert function.role is not None
    function.role.add_managed_policy(
        iam.ManagedPolicy.from_aws_managed_policy_name(
            "service-role/AWSLambdaVPCAccessExecutionRole"
        )
    )


def good_broker_consumers(stack: cdk.Stack) -> None:
    """Grants written out; the AWS-managed AWSLambdaMQExecutionRole policy; a managed policy
    from outside the app, which may grant what is missing (a note, not a finding)."""
    broker, secret = _broker(stack)
    granted = _broker_consumer(stack, broker, secret, "GrantedMapping")
    granted.add_to_role_policy(
        iam.PolicyStatement(actions=["mq:DescribeBroker"], resources=[broker.attr_arn])
    )
    secret.grant_read(granted)
    granted.add_to_role_policy(iam.PolicyStatement(actions=NETWORK, resources=["*"]))
    managed = _broker_consumer(stack, broker, secret, "ManagedMapping")
    assert managed.role is not None
    managed.role.add_managed_policy(
        iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaMQExecutionRole")
    )
    outside = _broker_consumer(stack, broker, secret, "OutsideMapping")
    assert outside.role is not None
    outside.role.add_managed_policy(
        iam.ManagedPolicy.from_managed_policy_name(stack, "BrokerReaders", "broker-readers")
    )


# --- LAMBDA11: stream records discarded after the retries, kept nowhere -------------------------


def _stream_consumer(
    stack: cdk.Stack, on_failure: Callable[[lambda_.Function], str] | None = None
) -> None:
    stream = kinesis.Stream(stack, "Stream", shard_count=1)
    function = inline_function(stack, "Function", timeout=TEN_SECONDS)
    stream.grant_read(function)
    destination = (
        Mapping.DestinationConfigProperty(
            on_failure=Mapping.OnFailureProperty(destination=on_failure(function))
        )
        if on_failure
        else None
    )
    Mapping(
        stack,
        "Mapping",
        function_name=function.function_name,
        event_source_arn=stream.stream_arn,
        starting_position="TRIM_HORIZON",
        bisect_batch_on_function_error=True,
        maximum_retry_attempts=3,
        maximum_record_age_in_seconds=21_600,
        destination_config=destination,
    )


def lambda11_fail(stack: cdk.Stack) -> None:
    _stream_consumer(stack)


def good_stream_on_failure(stack: cdk.Stack) -> None:
    def failures(function: lambda_.Function) -> str:
        queue = _dlq(stack, "Failures")
        queue.grant_send_messages(function)
        return queue.queue_arn

    _stream_consumer(stack, failures)


SUBSCRIPTION = "Queue/"  # the subscription of the queue to the topic (an ID CDK derives)
CASES = {
    "LAMBDA8": Case((lambda8_fail, lambda8_s3_fail), "Mapping", good_envelope_filters),
    "LAMBDA9": Case((lambda9_fail,), "Mapping", good_batch_item_failures),
    "LAMBDA10": Case(
        (lambda10_fail, lambda10_secret_fail, lambda10_vpc_policy_fail),
        "Mapping",
        good_broker_consumers,
    ),
    "LAMBDA11": Case((lambda11_fail,), "Mapping", good_stream_on_failure),
    "SNS13": Case((sns13_fail,), SUBSCRIPTION, good_s3_topic_filters),
    "SNS14": Case((sns14_fail,), SUBSCRIPTION, good_s3_topic_filters),
}
FAILS = [(suffix, index) for suffix, case in CASES.items() for index in range(len(case.fails))]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return synth_cases(tmp_path_factory.mktemp("envelopes"), CASES)


@pytest.mark.parametrize(("suffix", "index"), FAILS)
def test_the_failing_app_reports_the_rule(report: Report, suffix: str, index: int) -> None:
    found = [
        (rule, level, path)
        for rule, level, path in report.of_stack(fail_stack(suffix, index))
        if path.startswith(CASES[suffix].where(index))
    ]
    assert [(rule, level) for rule, level, _ in found] == [(f"Messaging-{suffix}", LEVELS[suffix])]


@pytest.mark.parametrize("good", sorted({c.good for c in CASES.values()}, key=str))
def test_the_passing_app_reports_nothing(report: Report, good: Callable[..., None]) -> None:
    assert report.of_stack(good_stack(good)) == []


def test_a_failing_app_reports_only_its_own_trap(report: Report) -> None:
    """LAMBDA9 replaces LAMBDA3's warning; LAMBDA11 replaces LAMBDA4's missing destination."""
    for suffix, index in FAILS:
        rules = {r for r, _, _ in report.of_stack(fail_stack(suffix, index))}
        assert rules == {f"Messaging-{suffix}"}, (suffix, index, rules)


# --- the same traps across two stacks, through the command ------------------------------------


def _two_stack_app(outdir: Path) -> None:
    """Every producer in one stack, every consumer in another: the filters, the broker's role
    and the ignored batchItemFailures are judged through the cross-stack references."""
    app = cdk.App(context={**CDK_CONTEXT, **PATH_METADATA}, outdir=str(outdir))
    producers, consumers = cdk.Stack(app, "Producers"), cdk.Stack(app, "Consumers")
    tickets = sns.Topic(producers, "Tickets")
    uploads = _uploads_topic(producers)
    broker, secret = _broker(producers)
    mail = _queue(producers, "Mail")
    escalations = _queue(consumers, "Escalations")
    _subscribe(tickets, escalations)
    _consume(consumers, escalations, "EscalationMapping", filters=PRIORITY_FILTER)
    _subscribe(uploads, _queue(consumers, "Thumbnails"), filter_policy=_attribute_filter())
    _broker_consumer(consumers, broker, secret, "OrdersMapping")
    _consume(consumers, mail, "MailMapping", report=False, code=BATCH_HANDLER)
    app.synth()


@pytest.fixture(scope="module")
def two_stacks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("two-stacks")
    _two_stack_app(outdir)
    return outdir


def test_the_command_finds_each_trap_across_stacks(
    two_stacks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(two_stacks), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    errors = {
        (f["rule"], f["stack"], f["path"].split("/")[1]) for f in findings if f["level"] == "error"
    }
    assert errors == {
        ("Messaging-LAMBDA8", "Consumers", "EscalationMapping"),
        ("Messaging-SNS13", "Consumers", "Thumbnails"),
        ("Messaging-LAMBDA10", "Consumers", "OrdersMapping"),
        ("Messaging-LAMBDA9", "Consumers", "MailMapping"),
    }


def test_a_broker_consumer_with_a_managed_policy_from_outside_is_a_note(report: Report) -> None:
    """The plugin reports no info; the command lists it as a note naming the policy."""
    notes = [
        f
        for f in collect(read_assembly(report.outdir))
        if f.rule_id == "Messaging-LAMBDA10" and f.stack == good_stack(good_broker_consumers)
    ]
    assert [(n.level, (n.path or "").split("/")[1]) for n in notes] == [("info", "OutsideMapping")]
    assert "broker-readers" in notes[0].message
