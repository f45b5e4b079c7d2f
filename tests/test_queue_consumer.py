"""Lambda consumers of queues: defaults, permissions, alarms and every validation rule."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from patterns import LambdaQueueConsumer, QueueWithDeadLetterQueue, SnsToSqsFanOut
from tests.helpers import arn, by_path, inline_function, logical_id, new_app

ESM = "AWS::Lambda::EventSourceMapping"
ALARM = "AWS::CloudWatch::Alarm"
POLICY = "AWS::IAM::Policy"
TEN_SECONDS = Duration.seconds(10)


def _function(scope: cdk.Stack, name: str, **options: Any) -> lambda_.Function:
    """A consumer with a 10 s timeout unless ``options`` say otherwise."""
    function: lambda_.Function = inline_function(scope, name, **{"timeout": TEN_SECONDS, **options})
    return function


class Built:
    """One stack with the variants the assertions need (one synthesis for the module)."""

    def __init__(self) -> None:
        app = new_app()
        stack = cdk.Stack(app, "Test")
        self.stack = stack
        topic = sns.Topic(stack, "AlarmTopic")
        self.standard = QueueWithDeadLetterQueue(
            stack,
            "Standard",
            visibility_timeout=Duration.minutes(1),
            alarm_actions=[cw_actions.SnsAction(topic)],
        )
        self.consumer = self.standard.add_lambda_consumer(_function(stack, "Handler"))
        self.kms = QueueWithDeadLetterQueue(
            stack, "Kms", encryption=sqs.QueueEncryption.KMS, visibility_timeout=Duration.minutes(2)
        )
        self.kms.add_lambda_consumer(
            _function(stack, "KmsHandler"),
            batch_size=500,
            max_batching_window=Duration.seconds(20),
            max_concurrency=5,
        )
        self.fifo = QueueWithDeadLetterQueue(
            stack, "Fifo", fifo=True, visibility_timeout=Duration.seconds(60)
        )
        self.fifo.add_lambda_consumer(
            _function(stack, "FifoHandler"), batch_size=1, report_batch_item_failures=False
        )
        # Fine for the error rule (30 s >= 10 s) but below 6 x 10 s: a warning.
        self.tight = QueueWithDeadLetterQueue(stack, "Tight")
        self.tight.add_lambda_consumer(_function(stack, "TightHandler"))
        fan_out = SnsToSqsFanOut(stack, "FanOut")
        self.subscriber = fan_out.add_queue("Billing", visibility_timeout=Duration.minutes(1))
        self.subscriber.add_lambda_consumer(_function(stack, "BillingHandler"))
        self.template = Template.from_stack(stack)
        self.annotations = Annotations.from_stack(stack)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def template(built: Built) -> Template:
    return built.template


def test_event_source_mapping_defaults(template: Template) -> None:
    mapping = by_path(template, ESM, "Standard/LambdaConsumer/EventSourceMapping/Resource")[
        "Properties"
    ]
    assert mapping["EventSourceArn"] == arn(template, "AWS::SQS::Queue", "Standard/Queue/Resource")
    assert mapping["FunctionName"] == {
        "Ref": logical_id(template, "AWS::Lambda::Function", "Test/Handler/Resource")
    }
    assert mapping["BatchSize"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "MaximumBatchingWindowInSeconds" not in mapping
    assert "ScalingConfig" not in mapping


def test_options_reach_the_mapping(template: Template) -> None:
    mapping = by_path(template, ESM, "Kms/LambdaConsumer/EventSourceMapping/Resource")["Properties"]
    assert mapping["BatchSize"] == 500
    assert mapping["MaximumBatchingWindowInSeconds"] == 20
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 5}
    fifo = by_path(template, ESM, "Fifo/LambdaConsumer/EventSourceMapping/Resource")["Properties"]
    assert fifo["BatchSize"] == 1
    assert "FunctionResponseTypes" not in fifo


def test_fan_out_subscribers_take_a_consumer(template: Template) -> None:
    mapping = by_path(template, ESM, "FanOut/Billing/LambdaConsumer/EventSourceMapping/Resource")
    assert mapping["Properties"]["EventSourceArn"] == arn(
        template, "AWS::SQS::Queue", "FanOut/Billing/Queue/Resource"
    )


def _statements(template: Template, role_path: str) -> list[dict[str, Any]]:
    policy = by_path(template, POLICY, f"Test/{role_path}/ServiceRole/DefaultPolicy/Resource")
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def test_function_may_consume_its_queue_only(template: Template) -> None:
    (statement,) = [
        s for s in _statements(template, "Handler") if "sqs:ReceiveMessage" in s["Action"]
    ]
    assert statement["Resource"] == arn(template, "AWS::SQS::Queue", "Standard/Queue/Resource")
    assert "sqs:SendMessage" not in statement["Action"]
    assert not [s for s in _statements(template, "Handler") if "kms:Decrypt" in s["Action"]]


def test_function_may_decrypt_with_the_queue_key(template: Template) -> None:
    (statement,) = [s for s in _statements(template, "KmsHandler") if "kms:Decrypt" in s["Action"]]
    assert statement["Resource"] == arn(template, "AWS::KMS::Key", "Kms/EncryptionKey/Resource")


def test_mapping_waits_for_the_grant(template: Template) -> None:
    mapping = by_path(template, ESM, "Standard/LambdaConsumer/EventSourceMapping/Resource")
    policy = logical_id(template, POLICY, "Test/Handler/ServiceRole/DefaultPolicy/Resource")
    assert policy in mapping["DependsOn"]


def test_error_and_throttle_alarms_use_the_queue_actions(built: Built, template: Template) -> None:
    for name, metric in (("Errors", "Errors"), ("Throttles", "Throttles")):
        alarm = by_path(template, ALARM, f"Standard/LambdaConsumer/Function{name}Alarm/Resource")
        props = alarm["Properties"]
        assert props["MetricName"] == metric
        assert props["Namespace"] == "AWS/Lambda"
        assert props["Statistic"] == "Sum"
        assert props["Threshold"] == 1
        assert props["Dimensions"] == [
            {
                "Name": "FunctionName",
                "Value": {
                    "Ref": logical_id(template, "AWS::Lambda::Function", "Test/Handler/Resource")
                },
            }
        ]
        topic = {"Ref": logical_id(template, "AWS::SNS::Topic", "AlarmTopic/Resource")}
        assert props["AlarmActions"] == [topic]
        assert props["OKActions"] == [topic]
    assert len(built.standard.alarms) == 4
    assert built.consumer.alarms[0] in built.standard.alarms


def test_short_visibility_timeout_warns_with_the_numbers(built: Built) -> None:
    built.annotations.has_warning(
        "/Test/Tight/LambdaConsumer",
        Match.string_like_regexp(r"visibility timeout \(30 s\).*timeout \(10 s\).*= 60 s"),
    )
    warnings = built.annotations.find_warning("/Test/Standard/LambdaConsumer", Match.any_value())
    assert warnings == []


def test_one_consumer_per_queue(built: Built) -> None:
    with pytest.raises(ValueError, match="already has a Lambda consumer"):
        built.standard.add_lambda_consumer(_function(built.stack, "Second"))


# --- validation: one test per rule -------------------------------------------------------


def _add(
    queue_options: dict[str, Any] | None = None,
    function_options: dict[str, Any] | None = None,
    **options: Any,
) -> tuple[LambdaQueueConsumer, cdk.Stack]:
    stack = cdk.Stack(new_app(), "Rules")
    queue = QueueWithDeadLetterQueue(
        stack, "Queue", **{"visibility_timeout": Duration.minutes(15), **(queue_options or {})}
    )
    function = _function(stack, "Function", **(function_options or {}))
    return queue.add_lambda_consumer(function, **options), stack


@pytest.mark.parametrize("batch_size", [0, 10_001])
def test_batch_size_range_standard(batch_size: int) -> None:
    with pytest.raises(
        ValueError, match=rf"batch_size must be between 1 and 10000, got {batch_size}"
    ):
        _add(batch_size=batch_size, max_batching_window=Duration.seconds(1))


def test_batch_size_fifo_at_most_10() -> None:
    with pytest.raises(
        ValueError, match=r"batch_size \(FIFO queue\) must be between 1 and 10, got 11"
    ):
        _add({"fifo": True}, batch_size=11)


def test_batching_window_not_for_fifo() -> None:
    with pytest.raises(
        ValueError, match=r"max_batching_window \(1 second\) is not supported for FIFO"
    ):
        _add({"fifo": True}, max_batching_window=Duration.seconds(1))


def test_batching_window_at_most_5_minutes() -> None:
    with pytest.raises(
        ValueError,
        match=r"max_batching_window must be between 0 .* and 5 minutes, got 5 minutes 1 second",
    ):
        _add(max_batching_window=Duration.seconds(301))


def test_batch_above_10_needs_a_window() -> None:
    with pytest.raises(
        ValueError, match=r"batch_size 11 is above 10: .*max_batching_window of at least 1 second"
    ):
        _add(batch_size=11)
    _add(batch_size=11, max_batching_window=Duration.seconds(1))


@pytest.mark.parametrize("max_concurrency", [1, 1001])
def test_max_concurrency_range(max_concurrency: int) -> None:
    with pytest.raises(
        ValueError, match=rf"max_concurrency must be between 2 and 1000, got {max_concurrency}"
    ):
        _add(max_concurrency=max_concurrency)


def test_visibility_shorter_than_timeout_is_an_error() -> None:
    with pytest.raises(
        ValueError,
        match=r"visibility_timeout \(60 s\) is shorter than the function's timeout \(120 s\)"
        r".*at least 720 s",
    ):
        _add({"visibility_timeout": Duration.minutes(1)}, {"timeout": Duration.minutes(2)})


def test_default_function_timeout_is_three_seconds() -> None:
    _, stack = _add({"visibility_timeout": Duration.seconds(10)}, {"timeout": None})
    Annotations.from_stack(stack).has_warning(
        "/Rules/Queue/LambdaConsumer", Match.string_like_regexp(r"timeout \(3 s\).*= 18 s")
    )


def test_reserved_concurrency_below_max_concurrency_warns() -> None:
    _, stack = _add({}, {"reserved_concurrent_executions": 3}, max_concurrency=5)
    Annotations.from_stack(stack).has_warning(
        "/Rules/Queue/LambdaConsumer",
        Match.string_like_regexp(r"reserved concurrency \(3\) is below .*max_concurrency \(5\)"),
    )


def test_imported_function_skips_the_timeout_check() -> None:
    stack = cdk.Stack(new_app(), "Imported")
    queue = QueueWithDeadLetterQueue(stack, "Queue", visibility_timeout=Duration.seconds(1))
    role = iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::123456789012:role/existing")
    function = lambda_.Function.from_function_attributes(
        stack,
        "Fn",
        function_arn="arn:aws:lambda:eu-west-1:123456789012:function:existing",
        role=role,
    )
    queue.add_lambda_consumer(function)
    Template.from_stack(stack).resource_count_is(ESM, 1)


def test_visibility_lowered_after_the_consumer_fails_synth() -> None:
    consumer, stack = _add({"visibility_timeout": Duration.minutes(2)})
    cfn_queue = stack.node.find_child("Queue").node.find_child("Queue").node.default_child
    assert isinstance(cfn_queue, sqs.CfnQueue)
    cfn_queue.visibility_timeout = 5
    with pytest.raises(RuntimeError, match=r"visibility timeout of Rules/Queue/Queue \(5 s\)"):
        Template.from_stack(stack)
    assert consumer.function.node.path == "Rules/Function"
