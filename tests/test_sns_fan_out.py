"""SnsToSqsFanOut: policies scoped to the topic, subscription DLQs, ordering, FIFO rules, limits."""

from __future__ import annotations

import inspect
import typing

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

import patterns.sns_fan_out.validation as fan_out_module
from patterns import QueueOptions, QueueWithDeadLetterQueue, SnsToSqsFanOut
from tests.helpers import arn, by_path, logical_id, new_app, ref, synth_stack
from tests.synthesized import SynthesizedOnce

QUEUE = "AWS::SQS::Queue"
POLICY = "AWS::SQS::QueuePolicy"
SUBSCRIPTION = "AWS::SNS::Subscription"
KEY = "AWS::KMS::Key"
ALARM = "AWS::CloudWatch::Alarm"
TOPIC_POLICY = "AWS::SNS::TopicPolicy"
BUCKET_ARN = "arn:aws:s3:::example-bucket"


def _topic_ref(template: Template, fan_out: str = "Orders") -> dict[str, str]:
    return ref(template, "AWS::SNS::Topic", f"/{fan_out}/Topic/Resource")


def _sns_send(template: Template, queue_path: str, fan_out: str = "Orders") -> dict[str, object]:
    return {
        "Effect": "Allow",
        "Action": "sqs:SendMessage",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Resource": arn(template, QUEUE, queue_path),
        "Condition": {
            "ArnEquals": {"aws:SourceArn": _topic_ref(template, fan_out)},
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        },
    }


def _tls_deny(template: Template, queue_path: str) -> dict[str, object]:
    return {
        "Effect": "Deny",
        "Action": "sqs:*",
        "Principal": {"AWS": "*"},
        "Resource": arn(template, QUEUE, queue_path),
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _statements(
    resource: dict[str, typing.Any], document: str = "PolicyDocument"
) -> list[typing.Any]:
    return list(resource["Properties"][document]["Statement"])


def _build_standard(stack: cdk.Stack) -> None:
    existing_key = kms.Key(stack, "ExistingKey", enable_key_rotation=True)
    existing = sqs.Queue(
        stack,
        "ExistingQueue",
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=existing_key,
        enforce_ssl=True,
    )
    imported = sqs.Queue.from_queue_arn(
        stack, "ImportedQueue", "arn:aws:sqs:eu-west-1:111122223333:imported"
    )
    publisher = iam.Role(stack, "Publisher", assumed_by=iam.AccountRootPrincipal())

    orders = SnsToSqsFanOut(stack, "Orders", publisher_accounts=["111122223333"])
    orders.add_queue(
        "Shipping",
        filter_policy={
            "fulfilment": sns.SubscriptionFilter.string_filter(allowlist=["physical", "both"]),
        },
    )
    orders.add_queue("Billing", raw_message_delivery=True, encryption=sqs.QueueEncryption.KMS)
    orders.add_queue("Existing", queue=existing)
    orders.add_queue("Imported", queue=imported)
    orders.add_subscription("Email", subs.EmailSubscription("ops@example.com"))
    orders.grant_publish(publisher)
    orders.allow_service_publish(
        "s3.amazonaws.com", source_arn=BUCKET_ARN, source_account="123456789012"
    )

    second = SnsToSqsFanOut(stack, "Returns")
    second.add_queue("Shipping")


@pytest.fixture(scope="module")
def standard_stack() -> cdk.Stack:
    app = new_app()
    stack = cdk.Stack(app, "Annotated")
    _build_standard(stack)
    return stack


@pytest.fixture(scope="module")
def standard(standard_stack: cdk.Stack) -> Template:
    return Template.from_stack(standard_stack)


def _build_fifo(stack: cdk.Stack) -> None:
    orders = SnsToSqsFanOut(
        stack,
        "Orders",
        fifo=True,
        content_based_deduplication=True,
        fifo_throughput_scope=sns.FifoThroughputScope.MESSAGE_GROUP,
    )
    orders.add_queue(
        "Ledger",
        filter_policy_with_message_body={
            "order": sns.FilterOrPolicy.policy(
                {
                    "status": sns.FilterOrPolicy.filter(
                        sns.SubscriptionFilter.string_filter(allowlist=["placed"])
                    )
                }
            )
        },
    )
    orders.add_queue("Audit", allow_standard_queue_on_fifo_topic=True)


@pytest.fixture(scope="module")
def fifo() -> Template:
    return synth_stack(_build_fifo)


# --- queue policy, key policy, subscription DLQ, ordering ---------------------------------


@pytest.mark.parametrize("subscriber", ["Shipping", "Billing"])
def test_queue_policy_admits_only_this_topic_and_denies_plain_http(standard, subscriber) -> None:
    policy = by_path(standard, POLICY, f"/Orders/{subscriber}/Queue/Policy/Resource")
    queue_path = f"/Orders/{subscriber}/Queue/Resource"
    assert _statements(policy) == [_tls_deny(standard, queue_path), _sns_send(standard, queue_path)]


def test_subscription_dlq_has_its_own_policy_for_this_topic(standard) -> None:
    path = "/Orders/Shipping/SubscriptionDeadLetterQueue/Resource"
    policy = by_path(
        standard, POLICY, "/Orders/Shipping/SubscriptionDeadLetterQueue/Policy/Resource"
    )
    assert _statements(policy) == [_tls_deny(standard, path), _sns_send(standard, path)]
    assert policy["Properties"]["Queues"] == [ref(standard, QUEUE, path)]


def test_subscription_dlq_keeps_messages_14_days_with_sse(standard) -> None:
    dlq = by_path(standard, QUEUE, "/Orders/Shipping/SubscriptionDeadLetterQueue/Resource")
    assert dlq["Properties"] == {"MessageRetentionPeriod": 1_209_600, "SqsManagedSseEnabled": True}


def test_subscription_redrives_to_its_own_dlq(standard) -> None:
    subscription = by_path(standard, SUBSCRIPTION, "/Orders/Shipping/Subscription/Resource")
    assert subscription["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": arn(
            standard, QUEUE, "/Orders/Shipping/SubscriptionDeadLetterQueue/Resource"
        )
    }
    assert subscription["Properties"]["Endpoint"] == arn(
        standard, QUEUE, "/Orders/Shipping/Queue/Resource"
    )


def test_subscription_is_created_after_the_policies_that_let_sns_write(standard) -> None:
    subscription = by_path(standard, SUBSCRIPTION, "/Orders/Billing/Subscription/Resource")
    assert set(subscription["DependsOn"]) == {
        logical_id(standard, POLICY, "/Orders/Billing/Queue/Policy/Resource"),
        logical_id(standard, POLICY, "/Orders/Billing/SubscriptionDeadLetterQueue/Policy/Resource"),
        logical_id(standard, KEY, "/Orders/Billing/EncryptionKey/Resource"),
    }


def test_queue_key_lets_sns_encrypt_for_this_topic_only(standard) -> None:
    key = by_path(standard, KEY, "/Orders/Billing/EncryptionKey/Resource")
    sns_statements = [
        s
        for s in _statements(key, "KeyPolicy")
        if s.get("Principal") == {"Service": "sns.amazonaws.com"}
    ]
    assert sns_statements == [
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Principal": {"Service": "sns.amazonaws.com"},
            "Resource": "*",
            "Condition": {
                "ArnEquals": {"aws:SourceArn": _topic_ref(standard)},
                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
            },
        }
    ]


def test_kms_subscriber_encrypts_its_subscription_dlq_with_the_same_key(standard) -> None:
    dlq = by_path(standard, QUEUE, "/Orders/Billing/SubscriptionDeadLetterQueue/Resource")
    assert dlq["Properties"]["KmsMasterKeyId"] == arn(
        standard, KEY, "/Orders/Billing/EncryptionKey/Resource"
    )


def test_filter_policy_and_raw_delivery_render(standard) -> None:
    shipping = by_path(standard, SUBSCRIPTION, "/Orders/Shipping/Subscription/Resource")
    assert shipping["Properties"]["FilterPolicy"] == {"fulfilment": ["physical", "both"]}
    assert "RawMessageDelivery" not in shipping["Properties"]
    billing = by_path(standard, SUBSCRIPTION, "/Orders/Billing/Subscription/Resource")
    assert billing["Properties"]["RawMessageDelivery"] is True
    assert "FilterPolicy" not in billing["Properties"]


# --- existing queues --------------------------------------------------------------------


def test_existing_queue_gets_topic_scoped_policy_key_statement_and_dlq(standard) -> None:
    policy = by_path(standard, POLICY, "/ExistingQueue/Policy/Resource")
    assert _sns_send(standard, "/ExistingQueue/Resource") in _statements(policy)
    key = by_path(standard, KEY, "/ExistingKey/Resource")
    assert any(
        s.get("Principal") == {"Service": "sns.amazonaws.com"}
        and s["Condition"]["ArnEquals"] == {"aws:SourceArn": _topic_ref(standard)}
        for s in _statements(key, "KeyPolicy")
    )
    subscription = by_path(standard, SUBSCRIPTION, "/Orders/Existing/Subscription/Resource")
    assert (
        logical_id(standard, POLICY, "/ExistingQueue/Policy/Resource") in subscription["DependsOn"]
    )
    by_path(standard, QUEUE, "/Orders/Existing/SubscriptionDeadLetterQueue/Resource")


def test_imported_queue_warns_that_its_owner_must_admit_the_topic(standard_stack, standard) -> None:
    annotations = Annotations.from_stack(standard_stack)
    annotations.has_warning(
        "/Annotated/Orders/Imported", Match.string_like_regexp("cannot be changed here")
    )
    by_path(standard, SUBSCRIPTION, "/Orders/Imported/Subscription/Resource")


# --- topic, publishers, alarms ----------------------------------------------------------


def test_topic_is_encrypted_with_its_own_rotating_key(standard) -> None:
    topic = by_path(standard, "AWS::SNS::Topic", "/Orders/Topic/Resource")
    assert topic["Properties"]["KmsMasterKeyId"] == arn(
        standard, KEY, "/Orders/EncryptionKey/Resource"
    )
    key = by_path(standard, KEY, "/Orders/EncryptionKey/Resource")
    assert key["Properties"]["EnableKeyRotation"] is True


def test_topic_policy_denies_plain_http_and_allows_only_named_publishers(standard) -> None:
    policy = by_path(standard, TOPIC_POLICY, "/Orders/Topic/Policy/Resource")
    topic = _topic_ref(standard)
    statements = _statements(policy)
    assert {
        "Sid": "AllowPublishThroughSSLOnly",
        "Effect": "Deny",
        "Action": "sns:Publish",
        "Principal": "*",
        "Resource": topic,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    } in statements
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 2
    accounts = next(s for s in allows if s.get("Sid") == "AllowPublishFromNamedAccounts")
    assert accounts["Principal"] == {
        "AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111122223333:root"]]}
    }
    assert accounts["Action"] == "sns:Publish"
    service = next(s for s in allows if s.get("Principal") == {"Service": "s3.amazonaws.com"})
    assert service["Condition"] == {
        "ArnEquals": {"aws:SourceArn": BUCKET_ARN},
        "StringEquals": {"aws:SourceAccount": "123456789012"},
    }
    assert service["Resource"] == topic


def test_topic_key_admits_service_and_accounts_under_conditions(standard) -> None:
    key = by_path(standard, KEY, "/Orders/EncryptionKey/Resource")
    statements = _statements(key, "KeyPolicy")
    service = next(s for s in statements if s.get("Principal") == {"Service": "s3.amazonaws.com"})
    assert service["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert service["Condition"] == {
        "ArnEquals": {"aws:SourceArn": BUCKET_ARN},
        "StringEquals": {"aws:SourceAccount": "123456789012"},
    }
    accounts = next(s for s in statements if "kms:ViaService" in str(s.get("Condition")))
    assert accounts["Condition"] == {
        "StringEquals": {
            "kms:ViaService": {
                "Fn::Join": ["", ["sns.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}]]
            }
        }
    }


def test_grant_publish_grants_topic_and_key(standard) -> None:
    standard.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": logical_id(standard, "AWS::IAM::Role", "/Publisher/Resource")}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Action": "sns:Publish", "Resource": _topic_ref(standard)}
                        ),
                        Match.object_like(
                            {
                                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                                "Resource": arn(standard, KEY, "/Orders/EncryptionKey/Resource"),
                            }
                        ),
                    ]
                )
            },
        },
    )


def test_topic_alarms_watch_failed_and_unredrivable_notifications(standard) -> None:
    topic_name = {
        "Fn::GetAtt": [
            logical_id(standard, "AWS::SNS::Topic", "/Orders/Topic/Resource"),
            "TopicName",
        ]
    }
    for path, metric in (
        ("/Orders/FailedNotificationsAlarm/Resource", "NumberOfNotificationsFailed"),
        ("/Orders/FailedToRedriveToDlqAlarm/Resource", "NumberOfNotificationsFailedToRedriveToDlq"),
    ):
        alarm = by_path(standard, ALARM, path)["Properties"]
        assert alarm["MetricName"] == metric
        assert alarm["Namespace"] == "AWS/SNS"
        assert alarm["Dimensions"] == [{"Name": "TopicName", "Value": topic_name}]
        assert alarm["Threshold"] == 1


def test_subscription_dlq_alarm_watches_its_queue(standard) -> None:
    alarm = by_path(
        standard, ALARM, "/Orders/Shipping/SubscriptionDeadLetterQueueNotEmptyAlarm/Resource"
    )["Properties"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [
        {
            "Name": "QueueName",
            "Value": {
                "Fn::GetAtt": [
                    logical_id(
                        standard, QUEUE, "/Orders/Shipping/SubscriptionDeadLetterQueue/Resource"
                    ),
                    "QueueName",
                ]
            },
        }
    ]


def test_alarm_actions_reach_every_alarm_and_alarms_are_listed() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Actions")
    topic = sns.Topic(stack, "AlarmTopic")
    from aws_cdk import aws_cloudwatch_actions as actions

    orders = SnsToSqsFanOut(stack, "Orders", alarm_actions=[actions.SnsAction(topic)])
    shipping = orders.add_queue("Shipping")
    # topic: failed, failed to redrive, filtered out for invalid attributes and for an
    # invalid body; queue: DLQ depth, oldest message age, subscription-DLQ depth
    assert len(orders.alarms) == 7
    assert orders.subscribers == [shipping]
    template = Template.from_stack(stack)
    for alarm in template.find_resources(ALARM).values():
        assert alarm["Properties"]["AlarmActions"] == [
            {"Ref": logical_id(template, "AWS::SNS::Topic", "/AlarmTopic/Resource")}
        ]


def test_email_subscription_gets_a_subscription_dlq(standard) -> None:
    standard.has_resource(
        SUBSCRIPTION,
        {
            "Properties": {
                "Protocol": "email",
                "RedrivePolicy": {
                    "deadLetterTargetArn": arn(
                        standard, QUEUE, "/Orders/Email/SubscriptionDeadLetterQueue/Resource"
                    )
                },
            },
            "DependsOn": [
                logical_id(
                    standard, POLICY, "/Orders/Email/SubscriptionDeadLetterQueue/Policy/Resource"
                )
            ],
        },
    )


def test_several_fan_outs_and_subscribers_in_one_stack(standard) -> None:
    standard.resource_count_is("AWS::SNS::Topic", 2)
    # Shipping, Billing, Existing, Imported, Email; Returns/Shipping
    standard.resource_count_is(SUBSCRIPTION, 6)
    by_path(standard, SUBSCRIPTION, "/Returns/Shipping/Subscription/Resource")
    _sns_send(standard, "/Returns/Shipping/Queue/Resource", fan_out="Returns")


def test_resources_per_subscriber_stay_within_budget() -> None:
    template = synth_stack(lambda stack: SnsToSqsFanOut(stack, "F").add_queue("Q"))
    per_subscriber = [
        resource
        for resource in template.to_json()["Resources"].values()
        if "/F/Q/" in resource.get("Metadata", {}).get("aws:cdk:path", "")
    ]
    # 3 queues, 3 queue policies, 1 subscription, 3 alarms
    assert len(per_subscriber) == 10


# --- FIFO -------------------------------------------------------------------------------


def test_fifo_topic_settings(fifo) -> None:
    topic = by_path(fifo, "AWS::SNS::Topic", "/Orders/Topic/Resource")["Properties"]
    assert topic["FifoTopic"] is True
    assert topic["ContentBasedDeduplication"] is True
    assert topic["FifoThroughputScope"] == "MessageGroup"
    assert topic["TopicName"].endswith(".fifo")


def test_fifo_topic_makes_fifo_queues_and_fifo_subscription_dlqs(fifo) -> None:
    queue = by_path(fifo, QUEUE, "/Orders/Ledger/Queue/Resource")["Properties"]
    assert queue["FifoQueue"] is True
    for subscriber in ("Ledger", "Audit"):
        dlq = by_path(fifo, QUEUE, f"/Orders/{subscriber}/SubscriptionDeadLetterQueue/Resource")
        assert dlq["Properties"]["FifoQueue"] is True
        assert dlq["Properties"]["QueueName"].endswith("-sdlq.fifo")


def test_fifo_policies_are_scoped_to_the_topic(fifo) -> None:
    path = "/Orders/Ledger/SubscriptionDeadLetterQueue/Resource"
    policy = by_path(fifo, POLICY, "/Orders/Ledger/SubscriptionDeadLetterQueue/Policy/Resource")
    assert _statements(policy) == [_tls_deny(fifo, path), _sns_send(fifo, path)]
    queue_policy = by_path(fifo, POLICY, "/Orders/Ledger/Queue/Policy/Resource")
    assert _sns_send(fifo, "/Orders/Ledger/Queue/Resource") in _statements(queue_policy)
    subscription = by_path(fifo, SUBSCRIPTION, "/Orders/Ledger/Subscription/Resource")
    assert (
        logical_id(fifo, POLICY, "/Orders/Ledger/Queue/Policy/Resource")
        in subscription["DependsOn"]
    )


def test_fifo_body_filter_renders_nested(fifo) -> None:
    subscription = by_path(fifo, SUBSCRIPTION, "/Orders/Ledger/Subscription/Resource")
    assert subscription["Properties"]["FilterPolicy"] == {"order": {"status": ["placed"]}}
    assert subscription["Properties"]["FilterPolicyScope"] == "MessageBody"


def test_standard_queue_on_fifo_topic_with_opt_in(fifo) -> None:
    queue = by_path(fifo, QUEUE, "/Orders/Audit/Queue/Resource")["Properties"]
    assert "FifoQueue" not in queue


# --- contract ---------------------------------------------------------------------------


def test_queue_options_match_the_queue_pattern_keywords() -> None:
    parameters = inspect.signature(QueueWithDeadLetterQueue.__init__).parameters
    keywords = {n for n, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert set(typing.get_type_hints(QueueOptions)) == keywords


# --- validation: one test per rule ------------------------------------------------------


def _stack() -> cdk.Stack:
    return cdk.Stack(new_app(), "Validation")


def _string_filter(count: int) -> sns.SubscriptionFilter:
    return sns.SubscriptionFilter.string_filter(allowlist=[f"v{i}" for i in range(count)])


def test_rejects_fifo_queue_on_standard_topic() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F")
    with pytest.raises(ValueError, match="FIFO queue but the topic is standard"):
        fan_out.add_queue("Q", fifo=True)


def test_rejects_standard_queue_on_fifo_topic_without_opt_in() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F", fifo=True)
    with pytest.raises(ValueError, match="allow_standard_queue_on_fifo_topic=True"):
        fan_out.add_queue("Q", fifo=False)


def test_rejects_opt_in_on_standard_topic() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F")
    with pytest.raises(ValueError, match="applies to FIFO topics only"):
        fan_out.add_queue("Q", allow_standard_queue_on_fifo_topic=True)


def test_rejects_duplicate_subscriber_id() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F")
    fan_out.add_queue("Q")
    with pytest.raises(ValueError, match="construct_id 'Q' is already used"):
        fan_out.add_queue("Q")


def test_rejects_more_than_five_filter_keys() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F")
    policy = {f"k{i}": _string_filter(1) for i in range(6)}
    with pytest.raises(ValueError, match="filter_policy has 6 keys; SNS allows at most 5"):
        fan_out.add_queue("Q", filter_policy=policy)


def test_rejects_more_than_150_filter_combinations() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F")
    policy = {"a": _string_filter(10), "b": _string_filter(16)}
    with pytest.raises(ValueError, match="160 value combinations"):
        fan_out.add_queue("Q", filter_policy=policy)


def test_rejects_body_filter_with_more_than_five_leaf_keys() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F")
    leaves = {f"k{i}": sns.FilterOrPolicy.filter(_string_filter(1)) for i in range(6)}
    policy = {"order": sns.FilterOrPolicy.policy(leaves)}
    with pytest.raises(ValueError, match="filter_policy_with_message_body has 6 keys"):
        fan_out.add_queue("Q", filter_policy_with_message_body=policy)


def test_rejects_both_filter_scopes() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F")
    with pytest.raises(ValueError, match="not both"):
        fan_out.add_queue(
            "Q",
            filter_policy={"a": _string_filter(1)},
            filter_policy_with_message_body={"a": sns.FilterOrPolicy.filter(_string_filter(1))},
        )


def test_rejects_queue_smaller_than_sns_messages() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F")
    with pytest.raises(ValueError, match="max_message_size_bytes must be at least 262144"):
        fan_out.add_queue("Q", max_message_size_bytes=1024)


def test_rejects_queue_options_with_existing_queue() -> None:
    stack = _stack()
    fan_out = SnsToSqsFanOut(stack, "F")
    queue = sqs.Queue(stack, "Existing")
    with pytest.raises(ValueError, match="max_receive_count configure a new queue"):
        fan_out.add_queue("Q", queue=queue, max_receive_count=3)


def test_rejects_imported_queue_declared_with_the_aws_managed_key() -> None:
    stack = _stack()
    fan_out = SnsToSqsFanOut(stack, "F")
    queue = sqs.Queue.from_queue_attributes(
        stack,
        "Imported",
        queue_arn="arn:aws:sqs:eu-west-1:111122223333:imported",
        key_arn="arn:aws:kms:eu-west-1:111122223333:alias/aws/sqs",
    )
    with pytest.raises(ValueError, match="AWS-managed key alias/aws/sqs"):
        fan_out.add_queue("Q", queue=queue)


def test_rejects_what_the_queue_pattern_rejects() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F")
    with pytest.raises(ValueError, match=r"encryption .* is not allowed"):
        fan_out.add_queue("Q", encryption=sqs.QueueEncryption.KMS_MANAGED)


def test_rejects_fifo_options_on_standard_topic() -> None:
    with pytest.raises(ValueError, match="content_based_deduplication applies to FIFO topics"):
        SnsToSqsFanOut(_stack(), "F", content_based_deduplication=True)


def test_rejects_throughput_scope_on_standard_topic() -> None:
    with pytest.raises(ValueError, match="fifo_throughput_scope applies to FIFO topics"):
        SnsToSqsFanOut(_stack(), "F", fifo_throughput_scope=sns.FifoThroughputScope.TOPIC)


def test_rejects_fifo_mismatch_with_existing_topic() -> None:
    stack = _stack()
    topic = sns.Topic.from_topic_arn(stack, "T", "arn:aws:sns:eu-west-1:111122223333:t.fifo")
    with pytest.raises(ValueError, match="fifo is False but the existing topic"):
        SnsToSqsFanOut(stack, "F", topic=topic)


def test_rejects_new_topic_options_with_existing_topic() -> None:
    stack = _stack()
    topic = sns.Topic.from_topic_arn(stack, "T", "arn:aws:sns:eu-west-1:111122223333:t")
    with pytest.raises(ValueError, match="topic_name configure a new topic"):
        SnsToSqsFanOut(stack, "F", topic=topic, topic_name="other")


def test_rejects_invalid_topic_name() -> None:
    with pytest.raises(ValueError, match="topic_name 'orders!' must be 1 to 256"):
        SnsToSqsFanOut(_stack(), "F", topic_name="orders!")


def test_rejects_aws_managed_topic_key() -> None:
    stack = _stack()
    key = kms.Alias.from_alias_name(stack, "Managed", "alias/aws/sns")
    with pytest.raises(ValueError, match="is an AWS-managed key"):
        SnsToSqsFanOut(stack, "F", encryption_key=key)


def test_rejects_malformed_publisher_account() -> None:
    with pytest.raises(ValueError, match="'1234' must be a 12-digit AWS account ID"):
        SnsToSqsFanOut(_stack(), "F", publisher_accounts=["1234"])


def test_rejects_duplicate_publisher_account() -> None:
    with pytest.raises(ValueError, match="'111122223333' is used twice"):
        SnsToSqsFanOut(_stack(), "F", publisher_accounts=["111122223333"] * 2)


def test_rejects_more_than_200_publisher_accounts() -> None:
    accounts = [f"{i:012d}" for i in range(201)]
    with pytest.raises(ValueError, match="201 accounts"):
        SnsToSqsFanOut(_stack(), "F", publisher_accounts=accounts)


def test_rejects_publisher_accounts_on_imported_topic() -> None:
    stack = _stack()
    topic = sns.Topic.from_topic_arn(stack, "T", "arn:aws:sns:eu-west-1:111122223333:t")
    with pytest.raises(ValueError, match="publisher_accounts needs a topic whose policy"):
        SnsToSqsFanOut(stack, "F", topic=topic, publisher_accounts=["111122223333"])


def test_rejects_service_publish_on_imported_topic() -> None:
    stack = _stack()
    topic = sns.Topic.from_topic_arn(stack, "T", "arn:aws:sns:eu-west-1:111122223333:t")
    fan_out = SnsToSqsFanOut(stack, "F", topic=topic)
    with pytest.raises(ValueError, match="needs a topic this app owns"):
        fan_out.allow_service_publish(
            "s3.amazonaws.com", source_arn=BUCKET_ARN, source_account="111122223333"
        )


def test_rejects_sqs_through_add_subscription() -> None:
    stack = _stack()
    fan_out = SnsToSqsFanOut(stack, "F")
    with pytest.raises(ValueError, match="use add_queue"):
        fan_out.add_subscription("Q", subs.SqsSubscription(sqs.Queue(stack, "Queue")))


def test_rejects_other_protocols_on_fifo_topic() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F", fifo=True)
    with pytest.raises(ValueError, match="FIFO topics deliver to SQS queues only"):
        fan_out.add_subscription("Mail", subs.EmailSubscription("ops@example.com"))


@jsii.implements(sns.ITopicSubscription)
class _RawEmail:
    def bind(self, topic: sns.ITopic) -> sns.TopicSubscriptionConfig:
        return sns.TopicSubscriptionConfig(
            subscriber_id="RawEmail",
            protocol=sns.SubscriptionProtocol.EMAIL,
            endpoint="ops@example.com",
            raw_message_delivery=True,
        )


def test_rejects_raw_delivery_on_protocols_that_cannot_carry_it() -> None:
    fan_out = SnsToSqsFanOut(_stack(), "F")
    with pytest.raises(ValueError, match="raw_message_delivery is not available for protocol"):
        fan_out.add_subscription("Mail", _RawEmail())


def test_rejects_more_subscriptions_than_a_fifo_topic_allows(monkeypatch) -> None:
    monkeypatch.setattr(fan_out_module, "FIFO_TOPIC_MAX_SUBSCRIPTIONS", 1)
    fan_out = SnsToSqsFanOut(_stack(), "F", fifo=True)
    fan_out.add_queue("One")
    with pytest.raises(ValueError, match="at most 1 subscriptions per FIFO topic"):
        fan_out.add_queue("Two")


def test_warns_beyond_the_filter_policy_quota(monkeypatch) -> None:
    monkeypatch.setattr(fan_out_module, "FILTER_POLICIES_PER_TOPIC_QUOTA", 1)
    stack = _stack()
    fan_out = SnsToSqsFanOut(stack, "F")
    for name in ("One", "Two"):
        fan_out.add_queue(name, filter_policy={"a": _string_filter(1)})
    Annotations.from_stack(stack).has_warning(
        "/Validation/F", Match.string_like_regexp("SNS allows 1 per topic")
    )


def test_topic_alarms_on_messages_filtered_out_as_malformed(standard) -> None:
    """AWS's recommended SNS alarms: malformed messages are dropped with no DLQ."""
    for reason in ("InvalidAttributes", "InvalidMessageBody"):
        standard.has_resource_properties(
            ALARM,
            {
                "Namespace": "AWS/SNS",
                "MetricName": f"NumberOfNotificationsFilteredOut-{reason}",
                "Statistic": "Sum",
                "Period": 300,
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "notBreaching",
            },
        )


# --- a queue of another stack of the same app ---------------------------------------------


def _two_stacks(
    build_queue: typing.Callable[[cdk.Stack], sqs.IQueue], **fan_out_options: typing.Any
) -> tuple[cdk.App, cdk.Stack, cdk.Stack]:
    app = new_app()
    topics = cdk.Stack(app, "Topics")
    queues = cdk.Stack(app, "Queues")
    fan_out = SnsToSqsFanOut(topics, "Orders", **fan_out_options)
    fan_out.add_queue("Shipping")
    fan_out.add_queue("Remote", queue=build_queue(queues))
    return app, topics, queues


def _cross_stack_reference(value: dict[str, typing.Any]) -> None:
    """``value`` is a cross-stack reference (an export, or a stack output with new flags)."""
    assert len(value) == 1, value
    assert next(iter(value)) in {"Fn::ImportValue", "Fn::GetStackOutput"}, value


@pytest.mark.parametrize(
    "build_queue",
    [
        pytest.param(lambda s: sqs.Queue(s, "Plain", enforce_ssl=True), id="sqs.Queue"),
        pytest.param(lambda s: QueueWithDeadLetterQueue(s, "Plain").queue, id="pattern"),
        pytest.param(
            lambda s: (
                QueueWithDeadLetterQueue(s, "Plain", encryption=sqs.QueueEncryption.KMS).queue
            ),
            id="pattern-with-key",
        ),
    ],
)
def test_queue_of_another_stack_is_subscribed_from_its_stack(build_queue) -> None:
    app, topics, queues = _two_stacks(build_queue)
    synthesized = SynthesizedOnce(app)  # no DependencyCycle
    remote = synthesized.template(queues)
    subscription = by_path(remote, SUBSCRIPTION, "Remote/Subscription/Resource")
    _cross_stack_reference(subscription["Properties"]["TopicArn"])
    policies = {
        key: resource
        for key, resource in remote.find_resources(POLICY).items()
        if "Remote" not in resource["Metadata"]["aws:cdk:path"]
        and any(
            s.get("Principal") == {"Service": "sns.amazonaws.com"}
            for s in resource["Properties"]["PolicyDocument"]["Statement"]
        )
    }
    (policy_id,) = policies
    assert policy_id in subscription["DependsOn"]
    (send,) = [
        s
        for s in _statements(dict(policies[policy_id]))
        if s.get("Principal") == {"Service": "sns.amazonaws.com"}
    ]
    _cross_stack_reference(send["Condition"]["ArnEquals"]["aws:SourceArn"])
    assert "aws:SourceAccount" in send["Condition"]["StringEquals"]
    dlq = arn(remote, QUEUE, "Remote/SubscriptionDeadLetterQueue/Resource")
    assert subscription["Properties"]["RedrivePolicy"] == {"deadLetterTargetArn": dlq}
    assert (
        logical_id(remote, POLICY, "Remote/SubscriptionDeadLetterQueue/Policy/Resource")
        in subscription["DependsOn"]
    )
    for key_id, key in remote.find_resources(KEY).items():
        assert key_id in subscription["DependsOn"]
        assert any(
            s.get("Principal") == {"Service": "sns.amazonaws.com"}
            for s in _statements(dict(key), "KeyPolicy")
        )
    own = synthesized.template(topics)
    own.resource_count_is(SUBSCRIPTION, 1)  # Shipping only
    by_path(own, SUBSCRIPTION, "/Orders/Shipping/Subscription/Resource")


def test_queue_of_another_stack_with_a_key_of_a_third_stack() -> None:
    app = new_app()
    topics = cdk.Stack(app, "Topics")
    keys = cdk.Stack(app, "Keys")
    queues = cdk.Stack(app, "Queues")
    key = kms.Key(keys, "Key", enable_key_rotation=True)
    queue = sqs.Queue(queues, "Plain", encryption_master_key=key, enforce_ssl=True)
    SnsToSqsFanOut(topics, "Orders").add_queue("Remote", queue=queue)
    key_policy = by_path(SynthesizedOnce(app).template(keys), KEY, "/Key/Resource")
    (statement,) = [
        s
        for s in _statements(key_policy, "KeyPolicy")
        if s.get("Principal") == {"Service": "sns.amazonaws.com"}
    ]
    _cross_stack_reference(statement["Condition"]["ArnEquals"]["aws:SourceArn"])


def test_queue_of_another_stack_with_the_shared_subscription_dlq_and_nested_stacks() -> None:
    app, _, queues = _two_stacks(
        lambda s: sqs.Queue(s, "Plain", enforce_ssl=True),
        shared_subscription_dead_letter_queue=True,
        nested_stacks=True,
    )
    subscription = by_path(
        SynthesizedOnce(app).template(queues), SUBSCRIPTION, "Remote/Subscription/Resource"
    )
    _cross_stack_reference(
        subscription["Properties"]["RedrivePolicy"]["deadLetterTargetArn"],
    )


def test_rejects_a_queue_of_a_stack_the_topic_stack_depends_on() -> None:
    app = new_app()
    topics = cdk.Stack(app, "Topics")
    queues = cdk.Stack(app, "Queues")
    topics.add_stack_dependency(queues)
    fan_out = SnsToSqsFanOut(topics, "Orders")
    with pytest.raises(
        ValueError,
        match=r"add_queue\('Remote', queue=...\): queue Queues/Plain is in stack Queues, where "
        r"its subscription must reference the topic of stack Topics; but Topics already depends "
        r"on Queues",
    ):
        fan_out.add_queue("Remote", queue=sqs.Queue(queues, "Plain"))


def test_rejects_a_queue_of_another_region() -> None:
    app = new_app()
    topics = cdk.Stack(
        app, "Topics", env=cdk.Environment(account="111122223333", region="eu-west-1")
    )
    queues = cdk.Stack(
        app, "Queues", env=cdk.Environment(account="111122223333", region="us-east-1")
    )
    fan_out = SnsToSqsFanOut(topics, "Orders")
    with pytest.raises(ValueError, match=r"is in region us-east-1 \(stack Queues\).*cannot cross"):
        fan_out.add_queue("Remote", queue=sqs.Queue(queues, "Plain"))


def test_rejects_a_queue_of_another_stage() -> None:
    app = new_app()
    topics = cdk.Stack(cdk.Stage(app, "Dev"), "Topics")
    queues = cdk.Stack(cdk.Stage(app, "Prod"), "Queues")
    fan_out = SnsToSqsFanOut(topics, "Orders")
    with pytest.raises(ValueError, match=r"is in another stage \(Prod\).*cannot cross stages"):
        fan_out.add_queue("Remote", queue=sqs.Queue(queues, "Plain"))


def test_rejects_a_queue_of_the_topic_stack_whose_key_is_in_another_stack() -> None:
    app = new_app()
    topics = cdk.Stack(app, "Topics")
    keys = cdk.Stack(app, "Keys")
    key = kms.Key(keys, "Key", enable_key_rotation=True)
    queue = sqs.Queue(topics, "Plain", encryption_master_key=key)
    fan_out = SnsToSqsFanOut(topics, "Orders")
    with pytest.raises(
        ValueError,
        match=r"add_queue\('Local', queue=...\): the key Keys/Key of queue Topics/Plain is in "
        r"stack Keys, and Topics already uses it.*cycle.*Create the key in stack Topics",
    ):
        fan_out.add_queue("Local", queue=queue)


# --- AWS-managed and imported keys ----------------------------------------------------------


def test_rejects_the_aws_managed_sqs_key_for_a_new_subscriber_queue() -> None:
    stack = _stack()
    fan_out = SnsToSqsFanOut(stack, "F")
    key = kms.Alias.from_alias_name(stack, "AwsManaged", "alias/aws/sqs")
    with pytest.raises(
        ValueError, match=r"encryption_key 'alias/aws/sqs' of subscriber 'Q' is an AWS-managed key"
    ):
        fan_out.add_queue("Q", encryption_key=key)


def test_rejects_an_imported_queue_whose_key_arn_token_names_the_aws_managed_key() -> None:
    stack = _stack()
    fan_out = SnsToSqsFanOut(stack, "F")
    queue = sqs.Queue.from_queue_attributes(
        stack,
        "Imported",
        queue_arn="arn:aws:sqs:eu-west-1:111122223333:imported",
        key_arn=stack.format_arn(service="kms", resource="alias/aws/sqs"),
    )
    with pytest.raises(ValueError, match="AWS-managed key alias/aws/sqs"):
        fan_out.add_queue("Q", queue=queue)


def _imported_key(stack: cdk.Stack) -> kms.IKey:
    return kms.Key.from_key_arn(
        stack, "ImportedKey", "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234"
    )


@pytest.mark.parametrize("existing", [False, True], ids=["new-queue", "existing-queue"])
def test_warns_that_an_imported_queue_key_must_admit_sns_for_this_topic(existing) -> None:
    stack = _stack()
    fan_out = SnsToSqsFanOut(stack, "F")
    key = _imported_key(stack)
    if existing:
        fan_out.add_queue("Q", queue=sqs.Queue(stack, "Existing", encryption_master_key=key))
    else:
        fan_out.add_queue("Q", encryption_key=key)
    warnings = Annotations.from_stack(stack).find_warning(
        "/Validation/F/Q", Match.string_like_regexp("ImportedKeyPolicy")
    )
    assert len(warnings) == 1, warnings
    text = str(warnings[0].entry.data)
    for needed in (
        "key policy",
        '"Service": "sns.amazonaws.com"',
        '"Action": ["kms:GenerateDataKey*", "kms:Decrypt"]',
        '"aws:SourceArn"',
        "Validation/F/Topic",
        '"aws:SourceAccount"',
    ):
        assert needed in text, (needed, text)


# --- subscription DLQs of add_subscription ------------------------------------------------


def test_protocol_subscription_dlq_holds_only_scoped_statements(standard) -> None:
    path = "/Orders/Email/SubscriptionDeadLetterQueue/Resource"
    policy = by_path(standard, POLICY, "/Orders/Email/SubscriptionDeadLetterQueue/Policy/Resource")
    assert _statements(policy) == [_tls_deny(standard, path), _sns_send(standard, path)]


def test_protocol_subscription_with_its_own_dlq_gets_a_scoped_statement_only() -> None:
    def build(stack: cdk.Stack) -> None:
        dlq = sqs.Queue(stack, "OwnDlq", enforce_ssl=True)
        SnsToSqsFanOut(stack, "Orders").add_subscription(
            "Email", subs.EmailSubscription("ops@example.com", dead_letter_queue=dlq)
        )

    template = synth_stack(build)
    policy = by_path(template, POLICY, "/OwnDlq/Policy/Resource")
    assert _statements(policy) == [
        _tls_deny(template, "/OwnDlq/Resource"),
        _sns_send(template, "/OwnDlq/Resource"),
    ]
    subscription = by_path(template, SUBSCRIPTION, "/Orders/Topic/ops@example.com/Resource")
    assert subscription["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": arn(template, QUEUE, "/OwnDlq/Resource")
    }
    assert subscription["DependsOn"] == [logical_id(template, POLICY, "/OwnDlq/Policy/Resource")]


# --- removal: keys follow what they encrypt -----------------------------------------------


def test_topic_key_is_destroyed_with_the_topic(standard) -> None:
    key = by_path(standard, KEY, "/Orders/EncryptionKey/Resource")
    topic = by_path(standard, "AWS::SNS::Topic", "/Orders/Topic/Resource")
    assert topic.get("DeletionPolicy", "Delete") == "Delete"
    assert key["DeletionPolicy"] == "Delete"
    assert key["UpdateReplacePolicy"] == "Delete"


# --- invariants over the final tree (changes after construction) --------------------------


def _aws_managed_after_construction(target: str) -> cdk.App:
    app = new_app()
    stack = cdk.Stack(app, "Mutated")
    existing = sqs.Queue(stack, "Existing", enforce_ssl=True)
    fan_out = SnsToSqsFanOut(stack, "Orders")
    new = fan_out.add_queue("New")
    old = fan_out.add_queue("Old", queue=existing)
    cfn: typing.Any = {
        "queue": new.queue,
        "subscription-dlq": new.subscription_dead_letter_queue,
        "existing-queue": existing,
        "existing-subscription-dlq": old.subscription_dead_letter_queue,
        "topic": fan_out.topic,
    }[target].node.default_child
    cfn.kms_master_key_id = "alias/aws/sns" if target == "topic" else "alias/aws/sqs"
    return app


@pytest.mark.parametrize(
    "target",
    ["queue", "subscription-dlq", "existing-queue", "existing-subscription-dlq", "topic"],
)
def test_synth_refuses_an_aws_managed_key_set_after_construction(target) -> None:
    app = _aws_managed_after_construction(target)
    with pytest.raises(RuntimeError, match=r"is encrypted with the AWS-managed key alias/aws/s"):
        app.synth()


# --- the subscriber type (issue 18: one type, composition) ------------------------------


def test_add_queue_returns_one_subscriber_type_for_new_and_existing_queues() -> None:
    stack = cdk.Stack(new_app(), "Kinds")
    existing = sqs.Queue(stack, "Existing", enforce_ssl=True)
    fan_out = SnsToSqsFanOut(stack, "Orders")
    new = fan_out.add_queue("New")
    old = fan_out.add_queue("Old", queue=existing)
    assert type(new) is type(old)
    assert isinstance(new.queue_with_dead_letter_queue, QueueWithDeadLetterQueue)
    assert new.queue_with_dead_letter_queue.node.path == "Kinds/Orders/New"
    assert new.queue is new.queue_with_dead_letter_queue.queue
    assert old.queue_with_dead_letter_queue is None
    assert old.queue is existing
    assert new.subscription.node.path == "Kinds/Orders/New/Subscription"
    assert old.subscription.node.path == "Kinds/Orders/Old/Subscription"
    assert fan_out.subscribers == [new, old]


def test_a_new_queue_subscriber_lists_its_alarms_with_its_queue_pattern() -> None:
    stack = cdk.Stack(new_app(), "Alarms")
    existing = sqs.Queue(stack, "Existing", enforce_ssl=True)
    fan_out = SnsToSqsFanOut(stack, "Orders")
    new = fan_out.add_queue("New")
    old = fan_out.add_queue("Old", queue=existing)
    pattern = new.queue_with_dead_letter_queue
    assert pattern is not None
    assert [alarm.node.id for alarm in new.alarms] == [
        "DeadLetterQueueNotEmptyAlarm",
        "OldestMessageAgeAlarm",
        "SubscriptionDeadLetterQueueNotEmptyAlarm",
    ]
    assert new.alarms == pattern.alarms
    assert [alarm.node.path for alarm in old.alarms] == [
        "Alarms/Orders/Old/SubscriptionDeadLetterQueueNotEmptyAlarm"
    ]


def test_add_lambda_consumer_on_an_existing_queue_subscriber_names_the_fix() -> None:
    stack = cdk.Stack(new_app(), "Consumer")
    existing = sqs.Queue(stack, "Existing", enforce_ssl=True)
    subscriber = SnsToSqsFanOut(stack, "Orders").add_queue("Old", queue=existing)
    function = lambda_.Function(
        stack,
        "Handler",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
    )
    with pytest.raises(ValueError, match=r"Consumer/Existing was passed in with add_queue\(queue"):
        subscriber.add_lambda_consumer(function)


# --- metrics (issue 18: the alarms and dashboard are built from metric_* methods) -------

TOPIC_METRICS = {
    "metric_number_of_messages_published": "NumberOfMessagesPublished",
    "metric_number_of_notifications_delivered": "NumberOfNotificationsDelivered",
    "metric_number_of_notifications_failed": "NumberOfNotificationsFailed",
    "metric_number_of_notifications_filtered_out": "NumberOfNotificationsFilteredOut",
    "metric_number_of_notifications_filtered_out_invalid_attributes": (
        "NumberOfNotificationsFilteredOut-InvalidAttributes"
    ),
    "metric_number_of_notifications_filtered_out_invalid_message_body": (
        "NumberOfNotificationsFilteredOut-InvalidMessageBody"
    ),
    "metric_number_of_notifications_filtered_out_no_message_attributes": (
        "NumberOfNotificationsFilteredOut-NoMessageAttributes"
    ),
    "metric_number_of_notifications_redriven_to_dlq": "NumberOfNotificationsRedrivenToDlq",
    "metric_number_of_notifications_failed_to_redrive_to_dlq": (
        "NumberOfNotificationsFailedToRedriveToDlq"
    ),
}


@pytest.mark.parametrize(("method", "metric_name"), sorted(TOPIC_METRICS.items()))
def test_topic_metric_methods_sum_the_topic_metric(method: str, metric_name: str) -> None:
    stack = cdk.Stack(new_app(), "Metrics")
    fan_out = SnsToSqsFanOut(stack, "Orders")
    metric = getattr(fan_out, method)(label="x")
    assert (metric.namespace, metric.metric_name, metric.statistic) == (
        "AWS/SNS",
        metric_name,
        "Sum",
    )
    assert metric.label == "x"
    assert stack.resolve(metric.dimensions["TopicName"]) == stack.resolve(fan_out.topic.topic_name)
    assert getattr(fan_out, method)(statistic="Maximum").statistic == "Maximum"


def test_topic_alarms_watch_the_metric_methods() -> None:
    stack = cdk.Stack(new_app(), "Alarms")
    fan_out = SnsToSqsFanOut(stack, "Orders")
    watched = {
        alarm.node.id: typing.cast(typing.Any, alarm.node.default_child).metric_name
        for alarm in fan_out.alarms
    }
    assert watched == {
        "FailedNotificationsAlarm": fan_out.metric_number_of_notifications_failed().metric_name,
        "FailedToRedriveToDlqAlarm": (
            fan_out.metric_number_of_notifications_failed_to_redrive_to_dlq().metric_name
        ),
        "FilteredOutInvalidAttributesAlarm": (
            fan_out.metric_number_of_notifications_filtered_out_invalid_attributes().metric_name
        ),
        "FilteredOutInvalidMessageBodyAlarm": (
            fan_out.metric_number_of_notifications_filtered_out_invalid_message_body().metric_name
        ),
    }


def test_subscriber_metric_methods_watch_its_queue_and_subscription_dlq() -> None:
    stack = cdk.Stack(new_app(), "Metrics")
    subscriber = SnsToSqsFanOut(stack, "Orders").add_queue("Billing")
    for metric, queue, metric_name in (
        (
            subscriber.metric_approximate_number_of_messages_visible(),
            subscriber.queue,
            "ApproximateNumberOfMessagesVisible",
        ),
        (
            subscriber.metric_approximate_age_of_oldest_message(),
            subscriber.queue,
            "ApproximateAgeOfOldestMessage",
        ),
        (
            subscriber.metric_subscription_dead_letter_queue_messages_visible(),
            subscriber.subscription_dead_letter_queue,
            "ApproximateNumberOfMessagesVisible",
        ),
    ):
        assert metric.metric_name == metric_name
        assert stack.resolve((metric.dimensions or {})["QueueName"]) == stack.resolve(
            queue.queue_name
        )
