"""The rules on hops beyond queues and subscriptions to queues: SNS subscriptions by protocol
(Messaging-SUB*), Lambda asynchronous invocation (ASYNC*), EventBridge targets reached through
a role and rules on custom buses (EBT*, EBBUS*), writers into a stream-fed delivery stream
(FHPUT*) and Deny statements that refuse a delivering service (DENY*); each on plain-CDK apps
that fall into its trap and one that does not, all in one App synthesized once.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs

from tests.helpers import inline_function
from tests.messaging_rules.common import (
    LEVELS,
    Case,
    Report,
    fail_stack,
    good_stack,
    synth_cases,
)

Delivery = firehose.CfnDeliveryStream


def _direct_put(stack: cdk.Stack, construct_id: str = "Delivery") -> Delivery:
    """A DirectPut delivery stream into a bucket, its role allowed only to write there."""
    bucket = s3.Bucket(stack, f"{construct_id}Bucket")
    role = iam.Role(
        stack, f"{construct_id}Role", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com")
    )
    bucket.grant_put(role)
    return Delivery(
        stack,
        construct_id,
        extended_s3_destination_configuration=Delivery.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=role.role_arn
        ),
    )


def _stream_fed(stack: cdk.Stack) -> Delivery:
    """A delivery stream that reads a Kinesis stream (no direct puts)."""
    stream = kinesis.Stream(stack, "Stream")
    bucket = s3.Bucket(stack, "Bucket")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"))
    stream.grant_read(role)
    bucket.grant_put(role)
    return Delivery(
        stack,
        "Delivery",
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=Delivery.KinesisStreamSourceConfigurationProperty(
            kinesis_stream_arn=stream.stream_arn, role_arn=role.role_arn
        ),
        extended_s3_destination_configuration=Delivery.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=role.role_arn
        ),
    )


def _firehose_subscription(
    stack: cdk.Stack, delivery: Delivery, role: iam.IRole | None, *, grant: bool = True
) -> None:
    topic = sns.Topic(stack, "Topic")
    dlq = sqs.Queue(stack, "SubscriptionDlq")
    if role is not None and grant:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["firehose:PutRecord", "firehose:PutRecordBatch"],
                resources=[delivery.attr_arn],
            )
        )
    dlq.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("sns.amazonaws.com")],
            actions=["sqs:SendMessage"],
            resources=[dlq.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": topic.topic_arn}},
        )
    )
    # L1: the L2 Subscription refuses a firehose subscription without a role.
    sns.CfnSubscription(
        stack,
        "Subscription",
        topic_arn=topic.topic_arn,
        protocol="firehose",
        endpoint=delivery.attr_arn,
        subscription_role_arn=role.role_arn if role else None,
        redrive_policy={"deadLetterTargetArn": dlq.queue_arn},
    )


def _sns_role(stack: cdk.Stack, service: str = "sns.amazonaws.com") -> iam.Role:
    return iam.Role(stack, "SubscriptionRole", assumed_by=iam.ServicePrincipal(service))


# --- SUB -----------------------------------------------------------------------------------


def good_subscriptions(stack: cdk.Stack) -> None:
    _firehose_subscription(stack, _direct_put(stack), _sns_role(stack))
    url_topic = sns.Topic(stack, "Webhooks")
    url_topic.add_subscription(
        subs.UrlSubscription(
            "https://hooks.example.com/orders",
            dead_letter_queue=sqs.Queue(stack, "WebhookDlq"),
        )
    )


def sub1_fail(stack: cdk.Stack) -> None:
    _firehose_subscription(stack, _direct_put(stack), None)


def sub1_role_fail(stack: cdk.Stack) -> None:
    _firehose_subscription(stack, _direct_put(stack), _sns_role(stack), grant=False)


def sub1_trust_fail(stack: cdk.Stack) -> None:
    _firehose_subscription(stack, _direct_put(stack), _sns_role(stack, "lambda.amazonaws.com"))


def sub2_fail(stack: cdk.Stack) -> None:
    sns.Topic(stack, "Webhooks").add_subscription(
        subs.UrlSubscription("https://hooks.example.com/orders")
    )


# --- ASYNC ---------------------------------------------------------------------------------


def good_async(stack: cdk.Stack) -> None:
    """Functions invoked by SNS and S3, each with an on-failure destination it may send to."""
    failed = sqs.Queue(stack, "Failed", retention_period=cdk.Duration.days(14))
    handler = inline_function(
        stack,
        "Handler",
        on_failure=destinations.SqsDestination(failed),
        retry_attempts=2,
        max_event_age=cdk.Duration.hours(1),
    )
    topic = sns.Topic(stack, "Topic")
    topic.add_subscription(
        subs.LambdaSubscription(handler, dead_letter_queue=sqs.Queue(stack, "SubscriptionDlq"))
    )
    stream = kinesis.Stream(stack, "Stream")
    handler.add_event_source(
        sources.KinesisEventSource(
            stream,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            bisect_batch_on_error=True,
            max_record_age=cdk.Duration.hours(1),
            retry_attempts=3,
            on_failure=sources.SqsDlq(failed),
        )
    )
    with_dlq = inline_function(stack, "WithDlq", dead_letter_queue_enabled=True)
    s3.Bucket(stack, "Uploads").add_object_created_notification(s3n.LambdaDestination(with_dlq))


def async1_fail(stack: cdk.Stack) -> None:
    handler = inline_function(stack, "Handler")
    failed = sqs.Queue(stack, "Failed")
    lambda_.CfnEventInvokeConfig(
        stack,
        "InvokeConfig",
        function_name=handler.function_name,
        qualifier="$LATEST",
        destination_config=lambda_.CfnEventInvokeConfig.DestinationConfigProperty(
            on_failure=lambda_.CfnEventInvokeConfig.OnFailureProperty(destination=failed.queue_arn)
        ),
    )


def async1_fifo_fail(stack: cdk.Stack) -> None:
    failed = sqs.Queue(stack, "Failed", fifo=True)
    handler = inline_function(stack, "Handler")
    failed.grant_send_messages(handler)
    lambda_.CfnEventInvokeConfig(
        stack,
        "InvokeConfig",
        function_name=handler.function_name,
        qualifier="$LATEST",
        destination_config=lambda_.CfnEventInvokeConfig.DestinationConfigProperty(
            on_failure=lambda_.CfnEventInvokeConfig.OnFailureProperty(destination=failed.queue_arn)
        ),
    )


def async1_mapping_fail(stack: cdk.Stack) -> None:
    """A stream mapping's on-failure queue the execution role may not send to."""
    handler = inline_function(stack, "Handler")
    stream = kinesis.Stream(stack, "Stream")
    stream.grant_read(handler)
    failed = sqs.Queue(stack, "Failed")
    lambda_.CfnEventSourceMapping(
        stack,
        "InvokeConfig",
        function_name=handler.function_name,
        event_source_arn=stream.stream_arn,
        starting_position="TRIM_HORIZON",
        destination_config=lambda_.CfnEventSourceMapping.DestinationConfigProperty(
            on_failure=lambda_.CfnEventSourceMapping.OnFailureProperty(destination=failed.queue_arn)
        ),
    )


def async2_fail(stack: cdk.Stack) -> None:
    handler = inline_function(stack, "Handler")
    s3.Bucket(stack, "Uploads").add_object_created_notification(s3n.LambdaDestination(handler))


def async3_fail(stack: cdk.Stack) -> None:
    handler = inline_function(stack, "Handler")
    lambda_.CfnEventInvokeConfig(
        stack,
        "InvokeConfig",
        function_name=handler.function_name,
        qualifier="$LATEST",
        maximum_retry_attempts=5,
        maximum_event_age_in_seconds=30,
    )


# --- EBT, EBBUS, FHPUT ---------------------------------------------------------------------


def good_event_targets(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    stream = kinesis.Stream(
        stack, "Stream", encryption=kinesis.StreamEncryption.KMS, encryption_key=key
    )
    dlq = sqs.Queue(stack, "TargetDlq")
    rule = events.Rule(stack, "Rule", event_pattern=events.EventPattern(source=["aws.ec2"]))
    rule.add_target(targets.KinesisStream(stream, dead_letter_queue=dlq))
    # CDK's KinesisStream target adds no policy for its dead-letter queue (EB5): add it.
    dlq.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["sqs:SendMessage"],
            resources=[dlq.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": rule.rule_arn}},
        )
    )
    bus = events.EventBus(stack, "Orders")
    events.Rule(
        stack,
        "OrderRule",
        event_bus=bus,
        event_pattern=events.EventPattern(source=["com.example.orders"]),
    ).add_target(targets.SqsQueue(sqs.Queue(stack, "OrderQueue"), dead_letter_queue=dlq))
    central = events.EventBus(stack, "Central")
    events.Rule(
        stack,
        "Forward",
        event_bus=bus,
        event_pattern=events.EventPattern(source=["com.example.orders"]),
    ).add_target(targets.EventBus(central, dead_letter_queue=dlq))
    ordered = sqs.Queue(stack, "Ordered", fifo=True, content_based_deduplication=True)
    events.Rule(
        stack,
        "OrderedRule",
        event_bus=bus,
        event_pattern=events.EventPattern(source=["com.example.orders"]),
    ).add_target(targets.SqsQueue(ordered, message_group_id="orders", dead_letter_queue=dlq))
    delivery = _direct_put(stack)
    role = iam.Role(stack, "PutRole", assumed_by=iam.ServicePrincipal("events.amazonaws.com"))
    role.add_to_policy(
        iam.PolicyStatement(actions=["firehose:PutRecord"], resources=[delivery.attr_arn])
    )
    events.CfnRule(
        stack,
        "ToFirehose",
        event_pattern={"source": ["aws.ec2"]},
        targets=[
            events.CfnRule.TargetProperty(
                id="Firehose", arn=delivery.attr_arn, role_arn=role.role_arn
            )
        ],
    )


def _kinesis_rule(stack: cdk.Stack, role: iam.IRole | None) -> None:
    stream = kinesis.Stream(stack, "Stream")
    events.CfnRule(
        stack,
        "Rule",
        event_pattern={"source": ["aws.ec2"]},
        targets=[
            events.CfnRule.TargetProperty(
                id="Stream", arn=stream.stream_arn, role_arn=role.role_arn if role else None
            )
        ],
    )


def ebt1_fail(stack: cdk.Stack) -> None:
    _kinesis_rule(stack, None)


def ebt1_role_fail(stack: cdk.Stack) -> None:
    _kinesis_rule(
        stack, iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("events.amazonaws.com"))
    )


def ebt1_key_fail(stack: cdk.Stack) -> None:
    """The role may put records, but not with the stream's key."""
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    stream = kinesis.Stream(
        stack, "Stream", encryption=kinesis.StreamEncryption.KMS, encryption_key=key
    )
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("events.amazonaws.com"))
    role.add_to_policy(
        iam.PolicyStatement(actions=["kinesis:PutRecord"], resources=[stream.stream_arn])
    )
    events.CfnRule(
        stack,
        "Rule",
        event_pattern={"source": ["aws.ec2"]},
        targets=[
            events.CfnRule.TargetProperty(
                id="Stream", arn=stream.stream_arn, role_arn=role.role_arn
            )
        ],
    )


def ebt2_fail(stack: cdk.Stack) -> None:
    bus = events.EventBus(stack, "Central")
    events.CfnRule(
        stack,
        "Rule",
        event_pattern={"source": ["com.example.orders"]},
        targets=[events.CfnRule.TargetProperty(id="Bus", arn=bus.event_bus_arn)],
    )


def ebt3_fail(stack: cdk.Stack) -> None:
    queue = sqs.Queue(stack, "Ordered", fifo=True, content_based_deduplication=True)
    rule = events.Rule(
        stack, "Rule", event_pattern=events.EventPattern(source=["com.example.orders"])
    )
    rule.add_target(targets.SqsQueue(queue))
    cfn = rule.node.default_child
    assert isinstance(cfn, events.CfnRule)
    cfn.add_property_deletion_override("Targets.0.SqsParameters")


def ebbus1_fail(stack: cdk.Stack) -> None:
    bus = events.EventBus(stack, "Orders")
    events.Rule(
        stack,
        "Rule",
        event_bus=bus,
        event_pattern=events.EventPattern(source=["aws.ec2"]),
    ).add_target(targets.SqsQueue(sqs.Queue(stack, "Queue")))


def fhput1_fail(stack: cdk.Stack) -> None:
    delivery = _stream_fed(stack)
    role = iam.Role(stack, "PutRole", assumed_by=iam.ServicePrincipal("events.amazonaws.com"))
    role.add_to_policy(
        iam.PolicyStatement(actions=["firehose:PutRecord"], resources=[delivery.attr_arn])
    )
    events.CfnRule(
        stack,
        "Rule",
        event_pattern={"source": ["aws.ec2"]},
        targets=[
            events.CfnRule.TargetProperty(
                id="Firehose", arn=delivery.attr_arn, role_arn=role.role_arn
            )
        ],
    )


def fhput1_subscription_fail(stack: cdk.Stack) -> None:
    _firehose_subscription(stack, _stream_fed(stack), _sns_role(stack))


# --- DENY ----------------------------------------------------------------------------------

ORG = "o-a1b2c3d4e5"


def _fan_out(stack: cdk.Stack, key: kms.IKey | None = None) -> sqs.Queue:
    topic = sns.Topic(stack, "Topic")
    queue = sqs.Queue(stack, "Queue", encryption_master_key=key)
    dlq = sqs.Queue(stack, "SubscriptionDlq")
    topic.add_subscription(subs.SqsSubscription(queue, dead_letter_queue=dlq))
    return queue


def _org_only(exempt_services: bool) -> iam.PolicyStatement:
    conditions: dict[str, object] = {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}
    if exempt_services:
        conditions["Bool"] = {"aws:PrincipalIsAWSService": "false"}
    return iam.PolicyStatement(
        sid="OrganizationOnly",
        effect=iam.Effect.DENY,
        principals=[iam.AnyPrincipal()],
        actions=["sqs:SendMessage"],
        resources=["*"],
        conditions=conditions,
    )


def good_denies(stack: cdk.Stack) -> None:
    queue = _fan_out(stack)
    queue.add_to_resource_policy(_org_only(exempt_services=True))
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            sid="TlsOnly",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=["sqs:*"],
            resources=[queue.queue_arn],
            conditions={"Bool": {"aws:SecureTransport": "false"}},
        )
    )


def deny1_fail(stack: cdk.Stack) -> None:
    _fan_out(stack).add_to_resource_policy(_org_only(exempt_services=False))


def deny1_events_fail(stack: cdk.Stack) -> None:
    """An EventBridge rule's queue that refuses everything not from one VPC endpoint."""
    queue = sqs.Queue(stack, "Queue")
    events.Rule(
        stack, "Rule", event_pattern=events.EventPattern(source=["com.example.orders"])
    ).add_target(targets.SqsQueue(queue, dead_letter_queue=sqs.Queue(stack, "TargetDlq")))
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            sid="EndpointOnly",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=["sqs:*"],
            resources=[queue.queue_arn],
            conditions={"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-0a1b2c3d"}},
        )
    )


def deny1_key_fail(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="EndpointOnly",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
            conditions={"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}},
        )
    )
    _fan_out(stack, key)


CASES = {
    "SUB1": Case((sub1_fail, sub1_role_fail, sub1_trust_fail), "Subscription", good_subscriptions),
    "SUB2": Case((sub2_fail,), "Webhooks/", good_subscriptions),
    "ASYNC1": Case(
        (async1_fail, async1_fifo_fail, async1_mapping_fail), "InvokeConfig", good_async
    ),
    "ASYNC2": Case((async2_fail,), "Handler", good_async),
    "ASYNC3": Case((async3_fail,), "InvokeConfig", good_async),
    "EBT1": Case((ebt1_fail, ebt1_role_fail, ebt1_key_fail), "Rule", good_event_targets),
    "EBT2": Case((ebt2_fail,), "Rule", good_event_targets),
    "EBT3": Case((ebt3_fail,), "Rule", good_event_targets),
    "EBBUS1": Case((ebbus1_fail,), "Rule", good_event_targets),
    "FHPUT1": Case((fhput1_fail, fhput1_subscription_fail), "", good_event_targets),
    "DENY1": Case(
        (deny1_fail, deny1_key_fail, deny1_events_fail),
        ("Queue/", "Queue/", "Rule/"),
        good_denies,
    ),
}
FAILS = [(suffix, index) for suffix, case in CASES.items() for index in range(len(case.fails))]
GOOD = sorted({case.good for case in CASES.values()}, key=lambda build: build.__name__)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return synth_cases(tmp_path_factory.mktemp("hops"), CASES)


@pytest.mark.parametrize(("suffix", "index"), FAILS)
def test_the_failing_app_reports_the_rule(report: Report, suffix: str, index: int) -> None:
    found = report.of_stack(fail_stack(suffix, index))
    assert any(
        rule == f"Messaging-{suffix}"
        and level == LEVELS[suffix]
        and path.startswith(CASES[suffix].where(index))
        for rule, level, path in found
    ), found


@pytest.mark.parametrize("build", GOOD, ids=lambda build: build.__name__)
def test_the_passing_app_reports_nothing(report: Report, build: object) -> None:
    assert report.of_stack(good_stack(build)) == []  # type: ignore[arg-type]
