"""QueueWithDeadLetterQueue: defaults, options, policies, key grants, alarms and validation."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from patterns import QueueWithDeadLetterQueue
from patterns.queue_with_dlq import QueueOptions
from tests.helpers import arn, by_path, logical_id, new_app
from tests.synthesized import SynthesizedOnce

QUEUE = "AWS::SQS::Queue"
POLICY = "AWS::SQS::QueuePolicy"
ALARM = "AWS::CloudWatch::Alarm"


class Built:
    """One stack holding every variant the assertions need (one synthesis for the module)."""

    def __init__(self) -> None:
        app = new_app()
        self.stack = cdk.Stack(app, "Test")
        stack = self.stack
        self.default = QueueWithDeadLetterQueue(stack, "Default")
        self.consumer = iam.Role(stack, "Consumer", assumed_by=iam.AccountRootPrincipal())
        self.producer = iam.Role(stack, "Producer", assumed_by=iam.AccountRootPrincipal())
        self.operator = iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal())
        self.kms = QueueWithDeadLetterQueue(
            stack,
            "Kms",
            encryption=sqs.QueueEncryption.KMS,
            retention_period=Duration.days(7),
            visibility_timeout=Duration.minutes(5),
            delivery_delay=Duration.seconds(90),
            receive_message_wait_time=Duration.seconds(5),
            max_message_size_bytes=2048,
            max_receive_count=7,
            dead_letter_retention_period=Duration.days(10),
            message_age_alarm_threshold=Duration.minutes(30),
            alarm_actions=[cw_actions.SnsAction(sns.Topic(stack, "AlarmTopic"))],
        )
        self.kms.grant_consume_messages(self.consumer)
        self.kms.grant_send_messages(self.producer)
        self.redrive_grant = self.kms.grant_redrive(self.operator)
        self.fifo = QueueWithDeadLetterQueue(
            stack,
            "Fifo",
            fifo=True,
            content_based_deduplication=True,
            high_throughput_fifo=True,
        )
        self.named = QueueWithDeadLetterQueue(
            stack, "Named", queue_name="orders", dead_letter_queue_name="orders-failed"
        )
        self.shared_dlq = sqs.Queue(stack, "SharedDlq", enforce_ssl=True)
        self.existing = QueueWithDeadLetterQueue(
            stack, "Existing", dead_letter_queue=self.shared_dlq
        )
        self.own_key = kms.Key(stack, "OwnKey", enable_key_rotation=True)
        self.with_key = QueueWithDeadLetterQueue(stack, "WithKey", encryption_key=self.own_key)
        self.template = Template.from_stack(stack)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def queue(built: Built, name: str, child: str = "Queue") -> dict[str, Any]:
    properties: dict[str, Any] = by_path(built.template, QUEUE, f"/{name}/{child}/Resource")[
        "Properties"
    ]
    return properties


# --- defaults ---------------------------------------------------------------------------


def test_default_queue_settings(built: Built) -> None:
    props = queue(built, "Default")
    assert props["MessageRetentionPeriod"] == 4 * 24 * 3600
    assert props["VisibilityTimeout"] == 30
    assert props["ReceiveMessageWaitTimeSeconds"] == 20
    assert props["SqsManagedSseEnabled"] is True
    assert "DelaySeconds" not in props
    assert "FifoQueue" not in props
    assert props["RedrivePolicy"] == {
        "deadLetterTargetArn": {
            "Fn::GetAtt": [
                logical_id(built.template, QUEUE, "/Default/DeadLetterQueue/Resource"),
                "Arn",
            ]
        },
        "maxReceiveCount": 5,
    }


def test_default_dlq_keeps_messages_14_days_with_same_protection(built: Built) -> None:
    dlq = queue(built, "Default", "DeadLetterQueue")
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert dlq["SqsManagedSseEnabled"] is True
    assert "RedrivePolicy" not in dlq


def test_dlq_admits_only_its_source_queue(built: Built) -> None:
    dlq = queue(built, "Default", "DeadLetterQueue")
    source_name = queue(built, "Default")["QueueName"]
    allow = dlq["RedriveAllowPolicy"]
    assert allow["redrivePermission"] == "byQueue"
    (arn,) = allow["sourceQueueArns"]
    joined = arn["Fn::Join"][1]
    assert joined[-1] == f":{source_name}"
    assert {"Ref": "AWS::AccountId"} in joined
    assert {"Ref": "AWS::Region"} in joined


def test_generated_names_are_unique_and_paired(built: Built) -> None:
    names = [
        r["Properties"]["QueueName"]
        for r in built.template.find_resources(QUEUE).values()
        if "QueueName" in r.get("Properties", {})
    ]
    assert len(names) == 11  # 5 pairs and one queue with an existing DLQ
    assert len(names) == len(set(names))
    assert queue(built, "Default", "DeadLetterQueue")["QueueName"] == (
        queue(built, "Default")["QueueName"] + "-dlq"
    )


@pytest.mark.parametrize("name", ["Default", "Kms", "Fifo"])
def test_both_queues_deny_requests_without_tls(built: Built, name: str) -> None:
    for child in ("Queue", "DeadLetterQueue"):
        queue_id = logical_id(built.template, QUEUE, f"/{name}/{child}/Resource")
        built.template.has_resource_properties(
            POLICY,
            {
                "Queues": [{"Ref": queue_id}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Effect": "Deny",
                                    "Action": "sqs:*",
                                    "Principal": {"AWS": "*"},
                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                }
                            )
                        ]
                    )
                },
            },
        )


def test_default_alarms_watch_dlq_depth_and_message_age(built: Built) -> None:
    dlq_name = {
        "Fn::GetAtt": [
            logical_id(built.template, QUEUE, "/Default/DeadLetterQueue/Resource"),
            "QueueName",
        ]
    }
    queue_name = {
        "Fn::GetAtt": [logical_id(built.template, QUEUE, "/Default/Queue/Resource"), "QueueName"]
    }
    dlq_alarm = by_path(built.template, ALARM, "/Default/DeadLetterQueueNotEmptyAlarm/Resource")
    assert dlq_alarm["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert dlq_alarm["Properties"]["Dimensions"] == [{"Name": "QueueName", "Value": dlq_name}]
    assert dlq_alarm["Properties"]["Threshold"] == 1
    assert dlq_alarm["Properties"]["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    # A DLQ that holds messages but sees no API calls may stop reporting (SQS metrics are
    # published for active queues): the alarm keeps its state instead of returning to OK.
    assert dlq_alarm["Properties"]["TreatMissingData"] == "ignore"
    age_alarm = by_path(built.template, ALARM, "/Default/OldestMessageAgeAlarm/Resource")
    assert age_alarm["Properties"]["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert age_alarm["Properties"]["Dimensions"] == [{"Name": "QueueName", "Value": queue_name}]
    assert age_alarm["Properties"]["Threshold"] == 15 * 60
    assert age_alarm["Properties"]["TreatMissingData"] == "notBreaching"
    assert "AlarmActions" not in dlq_alarm["Properties"]
    assert len(built.default.alarms) == 2


# --- options ----------------------------------------------------------------------------


def test_options_render(built: Built) -> None:
    props = queue(built, "Kms")
    assert props["MessageRetentionPeriod"] == 7 * 24 * 3600
    assert props["VisibilityTimeout"] == 300
    assert props["DelaySeconds"] == 90
    assert props["ReceiveMessageWaitTimeSeconds"] == 5
    assert props["MaximumMessageSize"] == 2048
    assert props["RedrivePolicy"]["maxReceiveCount"] == 7
    assert queue(built, "Kms", "DeadLetterQueue")["MessageRetentionPeriod"] == 10 * 24 * 3600
    age = by_path(built.template, ALARM, "/Kms/OldestMessageAgeAlarm/Resource")["Properties"]
    assert age["Threshold"] == 30 * 60


def test_alarm_actions_on_alarm_and_ok(built: Built) -> None:
    topic = {"Ref": logical_id(built.template, "AWS::SNS::Topic", "/AlarmTopic/Resource")}
    for alarm in ("DeadLetterQueueNotEmptyAlarm", "OldestMessageAgeAlarm"):
        props = by_path(built.template, ALARM, f"/Kms/{alarm}/Resource")["Properties"]
        assert props["AlarmActions"] == [topic]
        assert props["OKActions"] == [topic]


def test_kms_key_is_created_rotated_shared_and_follows_the_queues(built: Built) -> None:
    key_id = logical_id(built.template, "AWS::KMS::Key", "/Kms/EncryptionKey/Resource")
    key = built.template.to_json()["Resources"][key_id]
    assert key["Properties"]["EnableKeyRotation"] is True
    # The queues are destroyed with the stack, so is their key, after the longest KMS waiting
    # period (longer than any message can wait in SQS).
    assert key["DeletionPolicy"] == "Delete"
    assert key["UpdateReplacePolicy"] == "Delete"
    assert key["Properties"]["PendingWindowInDays"] == 30
    for child in ("Queue", "DeadLetterQueue"):
        props = queue(built, "Kms", child)
        assert props["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
        assert "SqsManagedSseEnabled" not in props
    assert built.kms.encryption_key is not None
    assert built.default.encryption_key is None


def test_existing_key_is_used_for_both_queues(built: Built) -> None:
    key_id = logical_id(built.template, "AWS::KMS::Key", "/OwnKey/Resource")
    for child in ("Queue", "DeadLetterQueue"):
        assert queue(built, "WithKey", child)["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert built.with_key.encryption_key is built.own_key


def _policy_statements(built: Built, role: str) -> list[dict[str, Any]]:
    policy = by_path(built.template, "AWS::IAM::Policy", f"/{role}/DefaultPolicy/Resource")
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_grant_consume_messages_includes_visibility_and_key(built: Built) -> None:
    statements = _policy_statements(built, "Consumer")
    queue_arn = arn(built.template, QUEUE, "/Kms/Queue/Resource")
    key_arn = arn(built.template, "AWS::KMS::Key", "/Kms/EncryptionKey/Resource")
    sqs_statement = next(s for s in statements if s["Resource"] == queue_arn)
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"} <= _actions(
        sqs_statement
    )
    key_statement = next(s for s in statements if s["Resource"] == key_arn)
    assert "kms:Decrypt" in _actions(key_statement)


def test_grant_send_messages_includes_key(built: Built) -> None:
    statements = _policy_statements(built, "Producer")
    actions = set().union(*(_actions(s) for s in statements))
    assert "sqs:SendMessage" in actions
    assert {"kms:GenerateDataKey*", "kms:Decrypt"} <= actions
    assert "sqs:ReceiveMessage" not in actions


def test_grant_redrive_covers_move_task_read_delete_and_send(built: Built) -> None:
    statements = _policy_statements(built, "Operator")
    dlq_arn = arn(built.template, QUEUE, "/Kms/DeadLetterQueue/Resource")
    queue_arn = arn(built.template, QUEUE, "/Kms/Queue/Resource")
    on_dlq = set().union(*(_actions(s) for s in statements if s["Resource"] == dlq_arn))
    on_queue = set().union(*(_actions(s) for s in statements if s["Resource"] == queue_arn))
    assert {
        "sqs:StartMessageMoveTask",
        "sqs:CancelMessageMoveTask",
        "sqs:ListMessageMoveTasks",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    } <= on_dlq
    assert "sqs:SendMessage" in on_queue
    assert "sqs:StartMessageMoveTask" not in on_queue


def test_fifo_pair(built: Built) -> None:
    props = queue(built, "Fifo")
    dlq = queue(built, "Fifo", "DeadLetterQueue")
    assert props["FifoQueue"] is True
    assert dlq["FifoQueue"] is True
    assert props["ContentBasedDeduplication"] is True
    assert props["DeduplicationScope"] == "messageGroup"
    assert props["FifoThroughputLimit"] == "perMessageGroupId"
    assert props["QueueName"].endswith(".fifo")
    assert dlq["QueueName"] == props["QueueName"].removesuffix(".fifo") + "-dlq.fifo"
    assert dlq["RedriveAllowPolicy"]["sourceQueueArns"][0]["Fn::Join"][1][-1].endswith(
        props["QueueName"]
    )


def test_given_names_are_used(built: Built) -> None:
    assert queue(built, "Named")["QueueName"] == "orders"
    assert queue(built, "Named", "DeadLetterQueue")["QueueName"] == "orders-failed"


def test_existing_dlq_is_used_and_no_new_dlq_or_dlq_alarm(built: Built) -> None:
    shared_id = logical_id(built.template, QUEUE, "/SharedDlq/Resource")
    assert queue(built, "Existing")["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": [shared_id, "Arn"]
    }
    paths = [r["Metadata"]["aws:cdk:path"] for r in built.template.find_resources(QUEUE).values()]
    assert not any(p.startswith("Test/Existing/DeadLetterQueue") for p in paths)
    assert built.existing.dead_letter_queue is built.shared_dlq
    assert len(built.existing.alarms) == 1


def test_imported_fifo_dlq_is_accepted_for_fifo_queue() -> None:
    stack = cdk.Stack(new_app(), "Imported")
    dlq = sqs.Queue.from_queue_arn(stack, "Dlq", "arn:aws:sqs:eu-west-1:111122223333:failed.fifo")
    pattern = QueueWithDeadLetterQueue(stack, "Q", fifo=True, dead_letter_queue=dlq)
    Template.from_stack(stack).has_resource_properties(
        QUEUE,
        {
            "RedrivePolicy": {
                "deadLetterTargetArn": "arn:aws:sqs:eu-west-1:111122223333:failed.fifo",
                "maxReceiveCount": 5,
            }
        },
    )
    assert pattern.dead_letter_queue is dlq


def test_queue_options_typed_dict_matches_constructor() -> None:
    signature = inspect.signature(QueueWithDeadLetterQueue.__init__)
    keyword_only = {
        name for name, p in signature.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert set(QueueOptions.__annotations__) == keyword_only


def test_unresolved_tokens_are_not_validated() -> None:
    stack = cdk.Stack(new_app(), "Tokens")
    count = cdk.CfnParameter(stack, "Count", type="Number").value_as_number
    retention = cdk.CfnParameter(stack, "Retention", type="Number").value_as_number
    QueueWithDeadLetterQueue(
        stack,
        "Q",
        max_receive_count=count,  # type: ignore[arg-type]
        retention_period=Duration.seconds(retention),
        queue_name=cdk.Fn.ref("AWS::StackName"),
    )
    Template.from_stack(stack).resource_count_is(QUEUE, 2)


# --- validation: one test per rule -------------------------------------------------------

INVALID: list[tuple[dict[str, Any], str]] = [
    (
        {"retention_period": Duration.seconds(59)},
        r"retention_period must be between 1 minute and 14 days, got 59 seconds",
    ),
    ({"retention_period": Duration.days(15)}, r"retention_period must be between .* got 15 days"),
    (
        {"dead_letter_retention_period": Duration.days(15)},
        r"dead_letter_retention_period must be between",
    ),
    (
        {"visibility_timeout": Duration.hours(13)},
        r"visibility_timeout must be between 0 seconds and 12 hours, got 13 hours",
    ),
    (
        {"delivery_delay": Duration.minutes(16)},
        r"delivery_delay must be between 0 seconds and 15 minutes, got 16 minutes",
    ),
    (
        {"receive_message_wait_time": Duration.seconds(21)},
        r"receive_message_wait_time must be between 0 seconds and 20 seconds, got 21 seconds",
    ),
    (
        {"max_message_size_bytes": 1023},
        r"max_message_size_bytes must be between 1024 bytes and 1.04858e\+06 bytes, got 1023 bytes",
    ),
    ({"max_message_size_bytes": 1_048_577}, r"max_message_size_bytes must be between"),
    ({"max_receive_count": 0}, r"max_receive_count must be between 1 and 1000, got 0"),
    ({"max_receive_count": 1001}, r"max_receive_count must be between 1 and 1000, got 1001"),
    (
        {"max_receive_count": 2.5},
        r"max_receive_count must be a whole number between 1 and 1000, got 2.5",
    ),
    (
        {"queue_name": "a" * 78},
        r"queue_name without dead_letter_queue_name gives the dead-letter queue name "
        r"'a{78}-dlq' of 82 characters; the limit is 80",
    ),
    (
        {"queue_name": "a" * 75 + ".fifo", "fifo": True},
        r"queue_name without dead_letter_queue_name gives the dead-letter queue name "
        r"'a{75}-dlq.fifo' of 84 characters; the limit is 80",
    ),
    (
        {"message_age_alarm_threshold": Duration.days(5)},
        r"message_age_alarm_threshold must be between 1 minute and 4 days, got 5 days",
    ),
    (
        {"content_based_deduplication": True},
        r"content_based_deduplication=True applies to FIFO queues only",
    ),
    ({"high_throughput_fifo": True}, r"high_throughput_fifo=True applies to FIFO queues only"),
    (
        {"fifo": True, "queue_name": "orders"},
        r"queue_name 'orders' must end in '.fifo' because fifo is True",
    ),
    ({"queue_name": "orders.fifo"}, r"queue_name 'orders.fifo' ends in '.fifo'.*set fifo=True"),
    ({"queue_name": "bad name!"}, r"queue_name 'bad name!' must be 1 to 80 characters"),
    ({"queue_name": "x" * 81}, r"must be 1 to 80 characters"),
    (
        {"dead_letter_queue_name": "failed.fifo"},
        r"dead_letter_queue_name 'failed.fifo' ends in '.fifo'",
    ),
    (
        {"retention_period": Duration.days(14), "dead_letter_retention_period": Duration.days(7)},
        r"retention_period \(14 days\) may not exceed dead_letter_retention_period \(7 days\)",
    ),
    (
        {"encryption": sqs.QueueEncryption.UNENCRYPTED},
        r"encryption .*UNENCRYPTED.* is not allowed: use SQS_MANAGED",
    ),
    (
        {"encryption": sqs.QueueEncryption.KMS_MANAGED},
        r"encryption .*KMS_MANAGED.* is not allowed.*cannot be granted to SNS or S3",
    ),
]


@pytest.mark.parametrize(("options", "message"), INVALID, ids=[m[:40] for _, m in INVALID])
def test_invalid_options_raise(options: dict[str, Any], message: str) -> None:
    stack = cdk.Stack(new_app(), "Invalid")
    with pytest.raises(ValueError, match=message):
        QueueWithDeadLetterQueue(stack, "Q", **options)


def test_key_with_sqs_managed_encryption_raises() -> None:
    stack = cdk.Stack(new_app(), "Invalid")
    key = kms.Key(stack, "Key")
    with pytest.raises(ValueError, match="encryption_key was given with encryption=SQS_MANAGED"):
        QueueWithDeadLetterQueue(
            stack, "Q", encryption=sqs.QueueEncryption.SQS_MANAGED, encryption_key=key
        )


def test_existing_dlq_with_dlq_options_raises() -> None:
    stack = cdk.Stack(new_app(), "Invalid")
    dlq = sqs.Queue(stack, "Dlq")
    with pytest.raises(
        ValueError,
        match=(
            "dead_letter_queue_name, dead_letter_retention_period configure a new resource "
            "and cannot be combined with dead_letter_queue"
        ),
    ):
        QueueWithDeadLetterQueue(
            stack,
            "Q",
            dead_letter_queue=dlq,
            dead_letter_queue_name="x",
            dead_letter_retention_period=Duration.days(3),
        )


@pytest.mark.parametrize(
    ("fifo", "arn", "message"),
    [
        (
            True,
            "arn:aws:sqs:eu-west-1:111122223333:failed",
            "dead_letter_queue is a standard queue but fifo is True",
        ),
        (
            False,
            "arn:aws:sqs:eu-west-1:111122223333:failed.fifo",
            "dead_letter_queue is a FIFO queue but fifo is False",
        ),
    ],
)
def test_existing_dlq_fifo_mismatch_raises(fifo: bool, arn: str, message: str) -> None:
    stack = cdk.Stack(new_app(), "Invalid")
    dlq = sqs.Queue.from_queue_arn(stack, "Dlq", arn)
    with pytest.raises(ValueError, match=message):
        QueueWithDeadLetterQueue(stack, "Q", fifo=fifo, dead_letter_queue=dlq)


def test_rejected_input_creates_nothing() -> None:
    stack = cdk.Stack(new_app(), "Invalid")
    with pytest.raises(ValueError, match="max_receive_count"):
        QueueWithDeadLetterQueue(stack, "Q", max_receive_count=0)
    assert Template.from_stack(stack).to_json().get("Resources", {}) == {}


def test_two_patterns_in_one_stack_do_not_collide() -> None:
    stack = cdk.Stack(new_app(), "Two")
    QueueWithDeadLetterQueue(stack, "A")
    QueueWithDeadLetterQueue(stack, "B")
    template = Template.from_stack(stack)
    template.resource_count_is(QUEUE, 4)
    names = [r["Properties"]["QueueName"] for r in template.find_resources(QUEUE).values()]
    assert len(set(names)) == 4


# --- grants -------------------------------------------------------------------------------


def test_grant_redrive_returns_a_grant_for_every_statement(built: Built) -> None:
    statements = [s.to_statement_json() for s in built.redrive_grant.principal_statements]
    resolved = built.stack.resolve(statements)
    dlq_arn = arn(built.template, QUEUE, "/Kms/DeadLetterQueue/Resource")
    queue_arn = arn(built.template, QUEUE, "/Kms/Queue/Resource")
    key_arn = arn(built.template, "AWS::KMS::Key", "/Kms/EncryptionKey/Resource")

    def actions_on(resource: dict[str, Any]) -> set[str]:
        return set().union(*(_actions(s) for s in resolved if s["Resource"] == resource))

    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:StartMessageMoveTask"} <= (
        actions_on(dlq_arn)
    )
    assert "sqs:SendMessage" in actions_on(queue_arn)
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= actions_on(key_arn)
    assert built.redrive_grant.success


# --- AWS-managed keys ----------------------------------------------------------------------


def _alias_key(stack: cdk.Stack) -> kms.IKey:
    return kms.Alias.from_alias_name(stack, "K", "alias/aws/sqs")


def _alias_arn_key(stack: cdk.Stack) -> kms.IKey:
    # An ARN built inside tokens (partition, Region and account are pseudo parameters).
    return kms.Key.from_key_arn(
        stack, "K", stack.format_arn(service="kms", resource="alias", resource_name="aws/sqs")
    )


@pytest.mark.parametrize("make_key", [_alias_key, _alias_arn_key], ids=["alias", "arn-token"])
def test_aws_managed_key_is_refused(make_key: Any) -> None:
    stack = cdk.Stack(new_app(), "Invalid")
    with pytest.raises(
        ValueError,
        match=r"encryption_key .* is an AWS-managed key.*cannot be granted to SNS or S3",
    ):
        QueueWithDeadLetterQueue(stack, "Q", encryption_key=make_key(stack))
    assert Template.from_stack(stack).to_json().get("Resources", {}) == {}


@pytest.mark.parametrize("child", ["Queue", "DeadLetterQueue"])
def test_aws_managed_key_set_after_construction_fails_synth(child: str) -> None:
    app = new_app()
    stack = cdk.Stack(app, "Mutated")
    pattern = QueueWithDeadLetterQueue(stack, "Q", encryption=sqs.QueueEncryption.KMS)
    target = pattern.queue if child == "Queue" else pattern.dead_letter_queue
    cfn = target.node.default_child
    assert isinstance(cfn, sqs.CfnQueue)
    cfn.kms_master_key_id = "alias/aws/sqs"
    with pytest.raises(RuntimeError, match=rf"Q/{child} uses the AWS-managed key alias/aws/sqs"):
        app.synth()


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fifo", [False, True])
def test_generated_names_are_unchanged_for_existing_stacks(fifo: bool) -> None:
    """The generated name is the one earlier releases gave: a new name would replace queues."""
    stack = cdk.Stack(new_app(), "Long" * 10, stack_name="a-very-long-stack-name-" * 3)
    pattern = QueueWithDeadLetterQueue(stack, "Pattern" * 8, fifo=fifo)
    expected = cdk.Names.unique_resource_name(pattern, max_length=71)
    suffix = ".fifo" if fifo else ""
    template = Template.from_stack(stack)
    names = {r["Properties"]["QueueName"] for r in template.find_resources(QUEUE).values()}
    assert names == {f"{expected}{suffix}", f"{expected}-dlq{suffix}"}
    assert len(expected) <= 71


def test_name_set_past_the_limit_after_construction_fails_synth() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Mutated")
    pattern = QueueWithDeadLetterQueue(stack, "Q")
    cfn = pattern.dead_letter_queue.node.default_child
    assert isinstance(cfn, sqs.CfnQueue)
    cfn.queue_name = "d" * 81
    with pytest.raises(RuntimeError, match=r"Q/DeadLetterQueue has the name 'd{81}' of 81"):
        app.synth()


# --- removal policy ------------------------------------------------------------------------


def test_retained_queues_keep_their_key() -> None:
    stack = cdk.Stack(new_app(), "Retained")
    QueueWithDeadLetterQueue(
        stack, "Q", encryption=sqs.QueueEncryption.KMS, removal_policy=cdk.RemovalPolicy.RETAIN
    )
    key = by_path(Template.from_stack(stack), "AWS::KMS::Key", "/Q/EncryptionKey/Resource")
    assert key["DeletionPolicy"] == "Retain"
    assert key["UpdateReplacePolicy"] == "Retain"


# --- a dead-letter queue shared by several queues ------------------------------------------


def _source_arns(template: Template, path: str) -> list[Any]:
    return list(
        by_path(template, QUEUE, path)["Properties"]["RedriveAllowPolicy"]["sourceQueueArns"]
    )


def _name_in(source_arn: Any) -> str:
    return str(source_arn["Fn::Join"][1][-1]).lstrip(":")


def test_dlq_of_another_pattern_admits_its_new_source() -> None:
    stack = cdk.Stack(new_app(), "Shared")
    first = QueueWithDeadLetterQueue(stack, "A", queue_name="first")
    QueueWithDeadLetterQueue(
        stack, "B", queue_name="second", dead_letter_queue=first.dead_letter_queue
    )
    template = Template.from_stack(stack)
    allow = by_path(template, QUEUE, "/A/DeadLetterQueue/Resource")["Properties"][
        "RedriveAllowPolicy"
    ]
    assert allow["redrivePermission"] == "byQueue"
    assert [_name_in(a) for a in allow["sourceQueueArns"]] == ["first", "second"]
    second = by_path(template, QUEUE, "/B/Queue/Resource")["Properties"]
    assert second["RedrivePolicy"]["deadLetterTargetArn"] == arn(
        template, QUEUE, "/A/DeadLetterQueue/Resource"
    )


def test_own_dlq_with_a_by_queue_policy_admits_the_new_source() -> None:
    stack = cdk.Stack(new_app(), "Shared")
    other = sqs.Queue(stack, "Other", queue_name="other")
    dlq = sqs.Queue(
        stack,
        "Dlq",
        redrive_allow_policy=sqs.RedriveAllowPolicy(source_queues=[other]),
    )
    QueueWithDeadLetterQueue(stack, "B", queue_name="second", dead_letter_queue=dlq)
    template = Template.from_stack(stack)
    arns = _source_arns(template, "/Dlq/Resource")
    assert arns[0] == arn(template, QUEUE, "/Other/Resource")
    assert [_name_in(a) for a in arns[1:]] == ["second"]


def test_own_dlq_without_a_redrive_allow_policy_is_left_as_it_is(built: Built) -> None:
    shared = by_path(built.template, QUEUE, "/SharedDlq/Resource")
    assert "RedriveAllowPolicy" not in shared.get("Properties", {})


def test_shared_dlq_admits_at_most_ten_sources() -> None:
    stack = cdk.Stack(new_app(), "Shared")
    first = QueueWithDeadLetterQueue(stack, "Q0")
    for index in range(1, 10):
        QueueWithDeadLetterQueue(stack, f"Q{index}", dead_letter_queue=first.dead_letter_queue)
    assert len(_source_arns(Template.from_stack(stack), "/Q0/DeadLetterQueue/Resource")) == 10
    with pytest.raises(
        ValueError,
        match=r"dead_letter_queue Shared/Q0/DeadLetterQueue already admits 10 source queues; "
        r"SQS allows at most 10",
    ):
        QueueWithDeadLetterQueue(stack, "Q10", dead_letter_queue=first.dead_letter_queue)


def test_dlq_that_denies_all_sources_is_refused() -> None:
    stack = cdk.Stack(new_app(), "Shared")
    dlq = sqs.Queue(
        stack,
        "Dlq",
        redrive_allow_policy=sqs.RedriveAllowPolicy(
            redrive_permission=sqs.RedrivePermission.DENY_ALL
        ),
    )
    with pytest.raises(ValueError, match=r"dead_letter_queue Shared/Dlq denies every source"):
        QueueWithDeadLetterQueue(stack, "B", dead_letter_queue=dlq)


def test_imported_dlq_gets_a_warning_about_its_redrive_allow_policy() -> None:
    stack = cdk.Stack(new_app(), "Imported")
    dlq = sqs.Queue.from_queue_arn(stack, "Dlq", "arn:aws:sqs:eu-west-1:111122223333:failed")
    QueueWithDeadLetterQueue(stack, "Q", dead_letter_queue=dlq)
    Annotations.from_stack(stack).has_warning(
        "/Imported/Q",
        Match.string_like_regexp(
            r"redrive-allow policy of imported dead_letter_queue .* must admit this queue"
        ),
    )


def test_dlq_of_a_pattern_in_another_stack_admits_its_new_source_without_a_cycle() -> None:
    app = new_app()
    first_stack = cdk.Stack(app, "First")
    second_stack = cdk.Stack(app, "Second")
    first = QueueWithDeadLetterQueue(first_stack, "A", queue_name="first")
    QueueWithDeadLetterQueue(
        second_stack, "B", queue_name="second", dead_letter_queue=first.dead_letter_queue
    )
    first_template = SynthesizedOnce(app).template(first_stack)  # the whole app: no cycle
    arns = _source_arns(first_template, "/A/DeadLetterQueue/Resource")
    assert [_name_in(a) for a in arns] == ["first", "second"]


def test_deploy_time_name_cannot_be_admitted_by_a_dlq_in_another_stack() -> None:
    app = new_app()
    first = QueueWithDeadLetterQueue(cdk.Stack(app, "First"), "A")
    second_stack = cdk.Stack(app, "Second")
    with pytest.raises(ValueError, match=r"queue_name is only known at deploy time.*First/A/"):
        QueueWithDeadLetterQueue(
            second_stack,
            "B",
            queue_name=cdk.Fn.ref("AWS::StackName"),
            dead_letter_queue=first.dead_letter_queue,
        )


def test_add_alarm_lists_the_alarm_and_draws_it_on_the_dashboard() -> None:
    from aws_cdk import aws_cloudwatch as cloudwatch

    from tests.test_dashboards import alarm_arns, widgets_of

    stack = cdk.Stack(new_app(), "Extra")
    orders = QueueWithDeadLetterQueue(stack, "Orders")
    mine = cloudwatch.Alarm(
        stack,
        "Mine",
        metric=orders.queue.metric_number_of_messages_sent(),
        threshold=1000,
        evaluation_periods=1,
    )
    orders.add_alarm(mine)
    assert orders.alarms[-1] is mine
    orders.add_to_dashboard(cloudwatch.Dashboard(stack, "Dashboard"))
    template = Template.from_stack(stack)
    mine_id = logical_id(template, "AWS::CloudWatch::Alarm", "/Mine/Resource")
    assert f"ATT({mine_id}.Arn)" in alarm_arns(widgets_of(template))


@pytest.mark.parametrize(
    ("method", "metric_name", "role"),
    [
        (
            "metric_approximate_number_of_messages_visible",
            "ApproximateNumberOfMessagesVisible",
            "queue",
        ),
        (
            "metric_approximate_number_of_messages_not_visible",
            "ApproximateNumberOfMessagesNotVisible",
            "queue",
        ),
        ("metric_approximate_age_of_oldest_message", "ApproximateAgeOfOldestMessage", "queue"),
        ("metric_number_of_messages_sent", "NumberOfMessagesSent", "queue"),
        ("metric_number_of_messages_received", "NumberOfMessagesReceived", "queue"),
        ("metric_number_of_messages_deleted", "NumberOfMessagesDeleted", "queue"),
        (
            "metric_dead_letter_queue_messages_visible",
            "ApproximateNumberOfMessagesVisible",
            "dead_letter_queue",
        ),
    ],
)
def test_metric_methods_name_the_queue_they_watch(method: str, metric_name: str, role: str) -> None:
    stack = cdk.Stack(new_app(), "Metrics")
    orders = QueueWithDeadLetterQueue(stack, "Orders")
    metric = getattr(orders, method)(period=Duration.minutes(1), label="x")
    assert metric.namespace == "AWS/SQS"
    assert metric.metric_name == metric_name
    assert metric.label == "x"
    assert metric.period.to_seconds() == 60
    queue = getattr(orders, role)
    assert stack.resolve(metric.dimensions["QueueName"]) == stack.resolve(queue.queue_name)


def test_alarms_are_built_from_the_metric_methods() -> None:
    stack = cdk.Stack(new_app(), "FromMethods")
    orders = QueueWithDeadLetterQueue(stack, "Orders")
    dlq_alarm, age_alarm = orders.alarms
    expected = {
        dlq_alarm: orders.metric_dead_letter_queue_messages_visible(),
        age_alarm: orders.metric_approximate_age_of_oldest_message(),
    }
    for alarm, metric in expected.items():
        cfn = alarm.node.default_child
        assert isinstance(cfn, cdk.aws_cloudwatch.CfnAlarm)
        assert cfn.metric_name == metric.metric_name
        assert stack.resolve(cfn.dimensions) == [
            {"name": "QueueName", "value": stack.resolve((metric.dimensions or {})["QueueName"])}
        ]


def test_exposed_queue_is_typed_as_the_interface() -> None:
    hints = typing.get_type_hints(QueueWithDeadLetterQueue.queue.fget)  # type: ignore[attr-defined]
    assert hints["return"] is sqs.IQueue
