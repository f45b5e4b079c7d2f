"""Inputs the Lambda consumers of queues and brokers refuse, or take and get right: whole
numbers, batching windows against the visibility timeout, imported functions and queues,
RabbitMQ virtual hosts. One ``pytest.raises`` per rule."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from patterns import AmazonMqBroker, BrokerEngine, LambdaQueueConsumer, QueueWithDeadLetterQueue
from tests.helpers import arn, by_path, inline_function, new_app

ESM = "AWS::Lambda::EventSourceMapping"
FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:existing"
TEN_SECONDS = Duration.seconds(10)


def _queue_consumer(
    queue_options: dict[str, Any] | None = None,
    timeout: Duration = TEN_SECONDS,
    **options: Any,
) -> cdk.Stack:
    stack = cdk.Stack(new_app(), "Rules")
    queue = QueueWithDeadLetterQueue(
        stack, "Queue", **{"visibility_timeout": Duration.minutes(15), **(queue_options or {})}
    )
    queue.add_lambda_consumer(inline_function(stack, "Function", timeout=timeout), **options)
    return stack


# --- whole numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("batch_size", 10.5, r"batch_size must be a whole number between 1 and 10000, got 10\.5"),
        (
            "max_concurrency",
            2.5,
            r"max_concurrency must be a whole number between 2 and 1000, got 2\.5",
        ),
    ],
)
def test_queue_consumer_counts_are_whole_numbers(option: str, value: float, message: str) -> None:
    options: dict[str, Any] = {option: value}
    with pytest.raises(ValueError, match=message):
        _queue_consumer(**options)


def test_fifo_queue_consumer_batch_size_is_a_whole_number() -> None:
    with pytest.raises(
        ValueError, match=r"batch_size \(FIFO queue\) must be a whole number between 1 and 10"
    ):
        _queue_consumer({"fifo": True}, batch_size=2.5)


def test_batching_window_is_whole_seconds() -> None:
    with pytest.raises(
        ValueError,
        match=r"max_batching_window must be a whole number of seconds .*got 1\.5 seconds",
    ):
        _queue_consumer(max_batching_window=Duration.millis(1500))


# --- the batching window against the visibility timeout -----------------------------------


def test_batching_window_plus_timeout_beyond_visibility_is_an_error() -> None:
    # 60 s of window + 10 s of timeout: a message read at the window's start reappears at 30 s.
    with pytest.raises(
        ValueError,
        match=r"visibility_timeout \(30 s\) is shorter than max_batching_window \(60 s\) plus "
        r"the function's timeout \(10 s\) = 70 s: .*hidden only for the visibility timeout"
        r".*Raise visibility_timeout to at least 120 s",
    ):
        _queue_consumer(
            {"visibility_timeout": Duration.seconds(30)},
            batch_size=20,
            max_batching_window=Duration.minutes(1),
        )


def test_batching_window_within_visibility_is_a_warning_only() -> None:
    # 20 s + 10 s fit in 40 s (below the recommended 6 x 10 + 20 = 80 s: a warning).
    stack = _queue_consumer(
        {"visibility_timeout": Duration.seconds(40)},
        batch_size=20,
        max_batching_window=Duration.seconds(20),
    )
    mapping = by_path(
        Template.from_stack(stack), ESM, "Queue/LambdaConsumer/EventSourceMapping/Resource"
    )
    assert mapping["Properties"]["MaximumBatchingWindowInSeconds"] == 20
    Annotations.from_stack(stack).has_warning(
        "/Rules/Queue/LambdaConsumer",
        Match.string_like_regexp(r"visibility timeout \(40 s\).*= 80 s"),
    )


def test_visibility_lowered_below_window_plus_timeout_after_construction_fails_synth() -> None:
    stack = _queue_consumer(
        {"visibility_timeout": Duration.minutes(2)},
        batch_size=20,
        max_batching_window=Duration.seconds(60),
    )
    queue = stack.node.find_child("Queue").node.find_child("Queue").node.default_child
    assert isinstance(queue, sqs.CfnQueue)
    queue.visibility_timeout = 65  # above the 10 s timeout, below 60 s + 10 s
    with pytest.raises(
        RuntimeError,
        match=r"visibility timeout of Rules/Queue/Queue \(65 s\) is too short for its consumer "
        r"Rules/Function: .*max_batching_window \(60 s\) plus the function's timeout \(10 s\)",
    ):
        Template.from_stack(stack)


# --- functions imported without a role -----------------------------------------------------


def _imported_function(stack: cdk.Stack) -> lambda_.IFunction:
    return lambda_.Function.from_function_arn(stack, "Imported", FUNCTION_ARN)


ROLE_FIX = (
    r"function Rules/Imported was imported without its role.*"
    r"lambda_\.Function\.from_function_attributes\(.*role=iam\.Role\.from_role_arn"
)


def test_queue_consumer_refuses_an_imported_function_without_a_role() -> None:
    stack = cdk.Stack(new_app(), "Rules")
    queue = QueueWithDeadLetterQueue(stack, "Queue")
    with pytest.raises(ValueError, match=ROLE_FIX):
        queue.add_lambda_consumer(_imported_function(stack))


def test_broker_consumer_refuses_an_imported_function_without_a_role() -> None:
    stack = cdk.Stack(new_app(), "Rules")
    broker = AmazonMqBroker(stack, "Broker", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))
    with pytest.raises(ValueError, match=ROLE_FIX):
        broker.add_lambda_consumer("Consumer", _imported_function(stack), queue_name="orders")


# --- the queue a LambdaQueueConsumer takes -------------------------------------------------


def test_queue_consumer_takes_a_plain_queue() -> None:
    stack = cdk.Stack(new_app(), "Plain")
    queue = sqs.Queue(stack, "Orders", visibility_timeout=Duration.minutes(2))
    LambdaQueueConsumer(stack, "Consumer", queue=queue, function=inline_function(stack, "Function"))
    template = Template.from_stack(stack)
    mapping = by_path(template, ESM, "Consumer/EventSourceMapping/Resource")["Properties"]
    assert mapping["EventSourceArn"] == arn(template, "AWS::SQS::Queue", "Orders/Resource")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_queue_consumer_checks_a_plain_queues_visibility_timeout() -> None:
    stack = cdk.Stack(new_app(), "Plain")
    queue = sqs.Queue(stack, "Orders", visibility_timeout=Duration.seconds(5))
    with pytest.raises(ValueError, match=r"visibility_timeout \(5 s\) is shorter than"):
        LambdaQueueConsumer(
            stack, "Consumer", queue=queue, function=inline_function(stack, "Function")
        )


def test_queue_consumer_refuses_what_is_no_queue() -> None:
    stack = cdk.Stack(new_app(), "Wrong")
    with pytest.raises(
        ValueError,
        match=r"queue must be a QueueWithDeadLetterQueue or an sqs\.IQueue .*got Topic",
    ):
        LambdaQueueConsumer(
            stack,
            "Consumer",
            queue=cdk.aws_sns.Topic(stack, "Topic"),  # type: ignore[arg-type]
            function=inline_function(stack, "Function"),
        )


# --- broker consumers ------------------------------------------------------------------------


def _broker_consumer(engine: BrokerEngine = BrokerEngine.RABBITMQ, **options: Any) -> None:
    stack = cdk.Stack(new_app(), "Rules")
    broker = AmazonMqBroker(stack, "Broker", vpc=ec2.Vpc(stack, "Vpc", max_azs=2), engine=engine)
    broker.add_lambda_consumer(
        "Consumer", inline_function(stack, "Function"), **{"queue_name": "orders", **options}
    )


@pytest.mark.parametrize("virtual_host", ["", "v" * 201])
def test_rabbitmq_virtual_host_is_1_to_200_characters(virtual_host: str) -> None:
    with pytest.raises(
        ValueError,
        match=r"virtual_host must be 1 to 200 characters, got .*leave it out for RabbitMQ's "
        r"default virtual host '/'",
    ):
        _broker_consumer(virtual_host=virtual_host)


def test_broker_consumer_batch_size_is_a_whole_number() -> None:
    with pytest.raises(
        ValueError, match=r"batch_size must be a whole number between 1 and 10000, got 10\.5"
    ):
        _broker_consumer(batch_size=10.5)


def test_broker_consumer_batching_window_is_whole_seconds() -> None:
    # Refused, not truncated to a whole second: the window would not be the one asked for.
    with pytest.raises(
        ValueError,
        match=r"max_batching_window must be a whole number of seconds .*got 1\.5 seconds",
    ):
        _broker_consumer(max_batching_window=Duration.millis(1500))


# --- a function Lambda never invokes -------------------------------------------------------


def test_a_function_with_no_reserved_concurrency_is_refused() -> None:
    stack = cdk.Stack(new_app(), "Rules")
    queue = QueueWithDeadLetterQueue(stack, "Queue")
    with pytest.raises(
        ValueError,
        match=r"function Rules/Function has reserved_concurrent_executions=0, so Lambda never "
        r"invokes it",
    ):
        queue.add_lambda_consumer(
            inline_function(stack, "Function", reserved_concurrent_executions=0)
        )


def test_a_consumer_id_already_taken_is_refused() -> None:
    stack = cdk.Stack(new_app(), "Ids")
    broker = AmazonMqBroker(stack, "Broker", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))
    with pytest.raises(
        ValueError, match=r"consumer_id 'Broker' is taken: Ids/Broker already has a child 'Broker'"
    ):
        broker.add_lambda_consumer("Broker", inline_function(stack, "Function"), queue_name="q")
