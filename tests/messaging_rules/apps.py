"""Plain aws-cdk-lib apps (L2, or L1 where the L2 refuses the trap) that fall into a messaging
trap, and apps that avoid it, one stack each; ``conftest`` synthesizes them all in one App.

``CASES`` names, per rule, the failing stack, the construct path (below the stack) the finding
is reported on, and the passing stack; ``MORE`` holds second failing stacks of rules that
cover more than one kind of resource; ``QUIET`` holds stacks on which a rule must stay silent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs

from tests.helpers import inline_function

Build = Callable[[cdk.Stack], None]

# --- SQS: a consumed queue without a dead-letter queue; retention only equal ------------------


def _mapping(stack: cdk.Stack, queue: sqs.IQueue) -> None:
    function = inline_function(stack, "Function", timeout=Duration.seconds(10))
    queue.grant_consume_messages(function)
    lambda_.CfnEventSourceMapping(
        stack,
        "Mapping",
        function_name=function.function_name,
        event_source_arn=queue.queue_arn,
        function_response_types=["ReportBatchItemFailures"],
    )


def _worker_role(stack: cdk.Stack, construct_id: str = "WorkerRole") -> iam.Role:
    """The task role of a container worker: any compute that assumes a role counts."""
    return iam.Role(stack, construct_id, assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))


def sqs6_fail(stack: cdk.Stack) -> None:
    _mapping(stack, sqs.Queue(stack, "Queue", visibility_timeout=Duration.minutes(2)))


def sqs6_worker_fail(stack: cdk.Stack) -> None:
    sqs.Queue(stack, "Queue").grant_consume_messages(_worker_role(stack))


def sqs7_fail(stack: cdk.Stack) -> None:
    dlq = sqs.Queue(stack, "DeadLetterQueue", retention_period=Duration.days(4))
    sqs.Queue(stack, "Queue", dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq))


def good_consumed_queues(stack: cdk.Stack) -> None:
    """A queue with a dead-letter queue (kept longer) read by a function and a worker; the
    dead-letter queue read by a redrive tool; a queue nobody reads, without one."""
    dlq = sqs.Queue(stack, "DeadLetterQueue", retention_period=Duration.days(14))
    queue = sqs.Queue(
        stack,
        "Queue",
        visibility_timeout=Duration.minutes(2),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
    )
    _mapping(stack, queue)
    queue.grant_consume_messages(_worker_role(stack))
    dlq.grant_consume_messages(_worker_role(stack, "RedriveRole"))
    sqs.Queue(stack, "Unread")


def sqs7_longest_retention(stack: cdk.Stack) -> None:
    """Both at 14 days: the dead-letter queue cannot keep longer, nothing to fix there."""
    dlq = sqs.Queue(stack, "DeadLetterQueue", retention_period=Duration.days(14))
    sqs.Queue(
        stack,
        "Queue",
        retention_period=Duration.days(14),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
    )


def lambda3_batch_of_one(stack: cdk.Stack) -> None:
    """One message per batch: a failure returns that message only, nothing to report."""
    dlq = sqs.Queue(stack, "DeadLetterQueue", retention_period=Duration.days(14))
    queue = sqs.Queue(
        stack,
        "Queue",
        visibility_timeout=Duration.minutes(2),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
    )
    function = inline_function(stack, "Function", timeout=Duration.seconds(10))
    queue.grant_consume_messages(function)
    lambda_.CfnEventSourceMapping(
        stack,
        "Mapping",
        function_name=function.function_name,
        event_source_arn=queue.queue_arn,
        batch_size=1,
    )


# --- SNS: raw delivery on a protocol without it; nested attribute filter policy --------------


def _topic_and_function(stack: cdk.Stack) -> tuple[sns.Topic, lambda_.Function]:
    topic = sns.Topic(stack, "Topic")
    function = inline_function(stack, "Function")
    function.add_permission(
        "FromTopic",
        principal=iam.ServicePrincipal("sns.amazonaws.com"),
        source_arn=topic.topic_arn,
    )
    return topic, function


def sns11_fail(stack: cdk.Stack) -> None:
    topic, function = _topic_and_function(stack)
    sns.CfnSubscription(
        stack,
        "Subscription",
        protocol="lambda",
        topic_arn=topic.topic_arn,
        endpoint=function.function_arn,
        raw_message_delivery=True,
        redrive_policy={"deadLetterTargetArn": sqs.Queue(stack, "Dlq").queue_arn},
    )


def sns12_fail(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    queue = sqs.Queue(stack, "Queue")
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("sns.amazonaws.com")],
            actions=["sqs:SendMessage"],
            resources=[queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": topic.topic_arn}},
        )
    )
    sns.CfnSubscription(
        stack,
        "Subscription",
        protocol="sqs",
        topic_arn=topic.topic_arn,
        endpoint=queue.queue_arn,
        filter_policy={"order": {"status": ["paid"]}},
    )


def good_sns_options(stack: cdk.Stack) -> None:
    """Raw delivery to a queue, a nested policy on the message body, a plain Lambda subscriber."""
    topic, function = _topic_and_function(stack)
    dlq = sqs.Queue(stack, "SubscriptionDlq")
    body_filter = {
        "order": sns.FilterOrPolicy.policy(
            {
                "status": sns.FilterOrPolicy.filter(
                    sns.SubscriptionFilter.string_filter(allowlist=["paid"])
                )
            }
        )
    }
    topic.add_subscription(
        subs.SqsSubscription(
            sqs.Queue(stack, "Queue"),
            raw_message_delivery=True,
            filter_policy_with_message_body=body_filter,
            dead_letter_queue=dlq,
        )
    )
    topic.add_subscription(subs.LambdaSubscription(function, dead_letter_queue=dlq))
    # SNS invokes the function asynchronously: what it fails on goes to a destination (ASYNC2).
    function.configure_async_invoke(on_failure=destinations.SqsDestination(dlq))


# --- S3 to EventBridge -------------------------------------------------------------------------


def _uploads_rule(
    stack: cdk.Stack, bucket: s3.IBucket, detail_type: str = "Object Created"
) -> None:
    queue = sqs.Queue(stack, "Queue")
    events.Rule(
        stack,
        "Rule",
        event_pattern=events.EventPattern(
            source=["aws.s3"],
            detail_type=[detail_type],
            detail={"bucket": {"name": [bucket.bucket_name]}},
        ),
        targets=[targets.SqsQueue(queue, dead_letter_queue=sqs.Queue(stack, "Dlq"))],
    )


def s3n6_fail(stack: cdk.Stack) -> None:
    _uploads_rule(stack, s3.Bucket(stack, "Bucket"))


def s3n6_native_fail(stack: cdk.Stack) -> None:
    """The bucket's own property turns EventBridge off; the rule names it by ARN."""
    bucket = s3.CfnBucket(
        stack,
        "Bucket",
        notification_configuration=s3.CfnBucket.NotificationConfigurationProperty(
            event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(
                event_bridge_enabled=False
            )
        ),
    )
    events.CfnRule(
        stack,
        "Rule",
        event_pattern={
            "source": ["aws.s3"],
            "detail-type": ["Object Deleted"],
            "resources": [bucket.attr_arn],
        },
    )


def good_s3_to_eventbridge(stack: cdk.Stack) -> None:
    """EventBridge on for the bucket; a CloudTrail rule on another bucket needs no setting."""
    _uploads_rule(stack, s3.Bucket(stack, "Bucket", event_bridge_enabled=True))
    other = s3.Bucket(stack, "Audited")
    events.CfnRule(
        stack,
        "ApiCalls",
        event_pattern={
            "source": ["aws.s3"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "resources": [other.bucket_arn],
        },
    )


# --- EventBridge targets -----------------------------------------------------------------------


def _hourly(stack: cdk.Stack, *rule_targets: events.IRuleTarget) -> events.Rule:
    return events.Rule(
        stack, "Rule", schedule=events.Schedule.rate(Duration.hours(1)), targets=list(rule_targets)
    )


def eb4_fail(stack: cdk.Stack) -> None:
    _hourly(stack, targets.SqsQueue(sqs.Queue(stack, "Queue")))


def eb4_function_fail(stack: cdk.Stack) -> None:
    _hourly(stack, targets.LambdaFunction(inline_function(stack, "Function")))


def eb3_other_rule(stack: cdk.Stack) -> None:
    """The queue admits EventBridge, but only for another rule's ARN."""
    other = events.Rule(stack, "Other", schedule=events.Schedule.rate(Duration.hours(1)))
    queue = sqs.Queue(stack, "Queue")
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["sqs:SendMessage"],
            resources=[queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": other.rule_arn}},
        )
    )
    dlq = sqs.Queue(stack, "Dlq")
    events.CfnRule(
        stack,
        "Rule",
        schedule_expression="rate(1 hour)",
        targets=[
            events.CfnRule.TargetProperty(
                arn=queue.queue_arn,
                id="Queue",
                dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=dlq.queue_arn),
            )
        ],
    )


def eb5_fail(stack: cdk.Stack) -> None:
    """The target admits the rule; its dead-letter queue has no policy at all."""
    queue = sqs.Queue(stack, "Queue")
    rule = events.CfnRule(stack, "Rule", schedule_expression="rate(1 hour)")
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["sqs:SendMessage"],
            resources=[queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": rule.attr_arn}},
        )
    )
    rule.targets = [
        events.CfnRule.TargetProperty(
            arn=queue.queue_arn,
            id="Queue",
            dead_letter_config=events.CfnRule.DeadLetterConfigProperty(
                arn=sqs.Queue(stack, "Dlq").queue_arn
            ),
        )
    ]


def eb5_managed_key_fail(stack: cdk.Stack) -> None:
    """CDK adds the dead-letter queue's policy; the AWS-managed key still refuses EventBridge."""
    dlq = sqs.Queue(stack, "Dlq", encryption=sqs.QueueEncryption.KMS_MANAGED)
    _hourly(stack, targets.SqsQueue(sqs.Queue(stack, "Queue"), dead_letter_queue=dlq))


def eb5_kinesis_target(stack: cdk.Stack) -> None:
    """aws-cdk-lib's KinesisStream target (2.275) sets the dead-letter queue but, unlike its
    SqsQueue and SnsTopic targets, adds no queue policy for the rule: events that fail are
    dropped, not kept."""
    rule = events.Rule(stack, "Rule", schedule=events.Schedule.rate(Duration.hours(1)))
    rule.add_target(
        targets.KinesisStream(
            kinesis.Stream(stack, "Stream"), dead_letter_queue=sqs.Queue(stack, "Dlq")
        )
    )


def good_event_targets(stack: cdk.Stack) -> None:
    dlq = sqs.Queue(stack, "Dlq")
    _hourly(
        stack,
        targets.SqsQueue(sqs.Queue(stack, "Queue"), dead_letter_queue=dlq),
        targets.SnsTopic(sns.Topic(stack, "Topic"), dead_letter_queue=dlq),
    )


# --- Firehose reading a stream and writing a bucket --------------------------------------------

Grant = Callable[[kinesis.Stream, s3.Bucket, iam.Role], object]


def _delivery(stack: cdk.Stack, grant: Grant, *, bucket_key: bool = False) -> None:
    stream = kinesis.Stream(stack, "Stream", encryption=kinesis.StreamEncryption.UNENCRYPTED)
    key = kms.Key(stack, "Key", enable_key_rotation=True) if bucket_key else None
    bucket = s3.Bucket(
        stack,
        "Bucket",
        encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=key,
    )
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"))
    grant(stream, bucket, role)
    firehose.CfnDeliveryStream(
        stack,
        "Delivery",
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
            kinesis_stream_arn=stream.stream_arn, role_arn=role.role_arn
        ),
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=role.role_arn
        ),
    )


def _read_without_list_shards(stream: kinesis.Stream, bucket: s3.Bucket, role: iam.Role) -> None:
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords"],
            resources=[stream.stream_arn],
        )
    )
    bucket.grant_put(role)


def _put_without_key(stream: kinesis.Stream, bucket: s3.Bucket, role: iam.Role) -> None:
    stream.grant_read(role)
    role.add_to_policy(
        iam.PolicyStatement(actions=["s3:PutObject"], resources=[bucket.arn_for_objects("*")])
    )


def fh3_fail(stack: cdk.Stack) -> None:
    _delivery(stack, _read_without_list_shards)


def fh4_fail(stack: cdk.Stack) -> None:
    _delivery(stack, lambda stream, bucket, role: stream.grant_read(role))


def fh4_key_fail(stack: cdk.Stack) -> None:
    _delivery(stack, _put_without_key, bucket_key=True)


def _read_and_put(stream: kinesis.Stream, bucket: s3.Bucket, role: iam.Role) -> None:
    stream.grant_read(role)
    bucket.grant_put(role)


def good_firehose_roles(stack: cdk.Stack) -> None:
    _delivery(stack, _read_and_put, bucket_key=True)


def fh3_managed_policy(stack: cdk.Stack) -> None:
    """An AWS-managed policy grants the read: not in the template, so not judged."""

    def grant(stream: kinesis.Stream, bucket: s3.Bucket, role: iam.Role) -> None:
        role.add_managed_policy(
            iam.ManagedPolicy.from_aws_managed_policy_name("AmazonKinesisReadOnlyAccess")
        )
        bucket.grant_put(role)

    _delivery(stack, grant)


def fh3_logging_policy_only(stack: cdk.Stack) -> None:
    """An AWS-managed policy that grants only logging cannot grant the read: still judged."""

    def grant(stream: kinesis.Stream, bucket: s3.Bucket, role: iam.Role) -> None:
        role.add_managed_policy(
            iam.ManagedPolicy.from_aws_managed_policy_name(
                "service-role/AWSLambdaBasicExecutionRole"
            )
        )
        bucket.grant_put(role)

    _delivery(stack, grant)


def fh4_bucket_policy(stack: cdk.Stack) -> None:
    """The bucket policy, not the role's, lets the role write: enough in one account."""

    def grant(stream: kinesis.Stream, bucket: s3.Bucket, role: iam.Role) -> None:
        stream.grant_read(role)
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[role],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects("*")],
            )
        )

    _delivery(stack, grant)


# --- Kinesis readers ---------------------------------------------------------------------------


def _consumers(
    stack: cdk.Stack, stream: kinesis.IStream, count: int
) -> list[kinesis.CfnStreamConsumer]:
    return [
        kinesis.CfnStreamConsumer(
            stack, f"Consumer{index}", consumer_name=f"reader-{index}", stream_arn=stream.stream_arn
        )
        for index in range(count)
    ]


def kin1_fail(stack: cdk.Stack) -> None:
    _consumers(stack, kinesis.Stream(stack, "Stream", shard_count=1), 21)


def kin1_on_demand(stack: cdk.Stack) -> None:
    """21 consumers on an on-demand stream: only On-demand Advantage mode takes them."""
    stream = kinesis.Stream(stack, "Stream", stream_mode=kinesis.StreamMode.ON_DEMAND)
    _consumers(stack, stream, 21)


def _stream_mapping(
    stack: cdk.Stack, construct_id: str, source_arn: str, stream: kinesis.IStream
) -> None:
    function = inline_function(stack, f"{construct_id}Function")
    stream.grant_read(function)
    failures = sqs.Queue(stack, f"{construct_id}Failures")
    failures.grant_send_messages(function)
    lambda_.CfnEventSourceMapping(
        stack,
        construct_id,
        function_name=function.function_name,
        event_source_arn=source_arn,
        starting_position="LATEST",
        bisect_batch_on_function_error=True,
        maximum_record_age_in_seconds=3600,
        destination_config=lambda_.CfnEventSourceMapping.DestinationConfigProperty(
            on_failure=lambda_.CfnEventSourceMapping.OnFailureProperty(
                destination=failures.queue_arn
            )
        ),
    )


def _shared_stream(stack: cdk.Stack, workers: int, classic_mappings: int) -> kinesis.Stream:
    """A stream read by a Firehose delivery stream, worker roles and Lambda mappings."""
    stream = kinesis.Stream(
        stack, "Stream", shard_count=1, encryption=kinesis.StreamEncryption.UNENCRYPTED
    )
    bucket = s3.Bucket(stack, "Bucket")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"))
    _read_and_put(stream, bucket, role)
    firehose.CfnDeliveryStream(
        stack,
        "Delivery",
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
            kinesis_stream_arn=stream.stream_arn, role_arn=role.role_arn
        ),
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=role.role_arn
        ),
    )
    for index in range(workers):
        stream.grant_read(_worker_role(stack, f"Worker{index}"))
    for index in range(classic_mappings):
        _stream_mapping(stack, f"Mapping{index}", stream.stream_arn, stream)
    return stream


def kin2_fail(stack: cdk.Stack) -> None:
    """Firehose, three worker fleets and two Lambda mappings: six readers per shard."""
    _shared_stream(stack, workers=3, classic_mappings=2)


def good_stream_readers(stack: cdk.Stack) -> None:
    """Five shared-throughput readers, and two mappings with a consumer of their own."""
    stream = _shared_stream(stack, workers=3, classic_mappings=1)
    for index, consumer in enumerate(_consumers(stack, stream, 2)):
        _stream_mapping(stack, f"FanOut{index}", consumer.attr_consumer_arn, stream)


@dataclass(frozen=True)
class Case:
    """A rule's failing stack, the construct its finding is on, and its passing stack."""

    fail: Build
    at: str
    good: Build


CASES: dict[str, Case] = {
    "SQS6": Case(sqs6_fail, "Queue/Resource", good_consumed_queues),
    "SQS7": Case(sqs7_fail, "Queue/Resource", good_consumed_queues),
    "SNS11": Case(sns11_fail, "Subscription", good_sns_options),
    "SNS12": Case(sns12_fail, "Subscription", good_sns_options),
    "S3N6": Case(s3n6_fail, "Rule/Resource", good_s3_to_eventbridge),
    "EB4": Case(eb4_fail, "Rule/Resource", good_event_targets),
    "EB5": Case(eb5_fail, "Rule", good_event_targets),
    "FH3": Case(fh3_fail, "Delivery", good_firehose_roles),
    "FH4": Case(fh4_fail, "Delivery", good_firehose_roles),
    "KIN1": Case(kin1_fail, "Stream/Resource", good_stream_readers),
    "KIN2": Case(kin2_fail, "Stream/Resource", good_stream_readers),
}
MORE: dict[str, Case] = {
    "SQS6": Case(sqs6_worker_fail, "Queue/Resource", good_consumed_queues),
    "S3N6": Case(s3n6_native_fail, "Rule", good_s3_to_eventbridge),
    "EB4": Case(eb4_function_fail, "Rule/Resource", good_event_targets),
    "EB5": Case(eb5_managed_key_fail, "Rule/Resource", good_event_targets),
    "FH4": Case(fh4_key_fail, "Delivery", good_firehose_roles),
}
# Stacks checked by name in the service test modules.
QUIET: dict[str, Build] = {
    "Sqs7LongestRetention": sqs7_longest_retention,
    "Lambda3BatchOfOne": lambda3_batch_of_one,
    "Eb3OtherRule": eb3_other_rule,
    "Eb5KinesisTarget": eb5_kinesis_target,
    "Kin1OnDemand": kin1_on_demand,
    "Fh3ManagedPolicy": fh3_managed_policy,
    "Fh3LoggingPolicyOnly": fh3_logging_policy_only,
    "Fh4BucketPolicy": fh4_bucket_policy,
}
GOOD = sorted({case.good for case in CASES.values()}, key=lambda build: build.__name__)


def good_name(build: Build) -> str:
    return "".join(part.title() for part in build.__name__.split("_"))
