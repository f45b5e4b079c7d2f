"""The options every Lambda consumer takes, declared once (``LambdaConsumerOptions``): the
constructors and the patterns' ``add_lambda_consumer`` methods take them with the same names,
types and defaults, and each event source's limits come from ``patterns.limits``."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_sqs as sqs

from patterns import (
    AmazonMqBroker,
    KinesisToFirehoseToS3,
    LambdaBrokerConsumer,
    LambdaQueueConsumer,
    LambdaStreamConsumer,
    QueueWithDeadLetterQueue,
    limits,
)
from patterns.consumers.lambda_options import LambdaConsumerOptions
from patterns.sns_fan_out.subscribers import QueueSubscriber
from tests.helpers import inline_function, new_app

ROOT = Path(__file__).resolve().parents[1]
CONSUMERS = (LambdaQueueConsumer, LambdaStreamConsumer, LambdaBrokerConsumer)
# The pattern methods that pass the options on, with the consumer they make.
ADD_METHODS = (
    (QueueWithDeadLetterQueue.add_lambda_consumer, LambdaQueueConsumer),
    (QueueSubscriber.add_lambda_consumer, LambdaQueueConsumer),
    (KinesisToFirehoseToS3.add_lambda_consumer, LambdaStreamConsumer),
    (AmazonMqBroker.add_lambda_consumer, LambdaBrokerConsumer),
)


def _parameters(function: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(function).parameters)


def _type(annotation: Any) -> str:
    return str(annotation).removesuffix(" | None")


@pytest.mark.parametrize("cls", CONSUMERS, ids=lambda c: c.__name__)
def test_each_consumer_takes_the_shared_options_keyword_only_with_their_types(cls: type) -> None:
    parameters = _parameters(cls.__init__)  # type: ignore[misc]
    for field in dataclasses.fields(LambdaConsumerOptions):
        if field.name == "report_batch_item_failures" and cls is LambdaBrokerConsumer:
            assert field.name not in parameters  # Amazon MQ takes no partial batch response
            continue
        parameter = parameters[field.name]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, (cls.__name__, field.name)
        assert _type(parameter.annotation) == _type(field.type), (cls.__name__, field.name)


@pytest.mark.parametrize(
    ("cls", "default"),
    [
        (LambdaQueueConsumer, limits.LAMBDA_SQS_BATCH_SIZE_DEFAULT),
        (LambdaStreamConsumer, limits.LAMBDA_KINESIS_BATCH_SIZE_DEFAULT),
        (LambdaBrokerConsumer, limits.LAMBDA_MQ_BATCH_SIZE_DEFAULT),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_batch_size_defaults_are_lambdas(cls: type, default: int) -> None:
    parameters = _parameters(cls.__init__)  # type: ignore[misc]
    assert parameters["batch_size"].default == default


@pytest.mark.parametrize(
    ("method", "cls"), ADD_METHODS, ids=lambda value: getattr(value, "__qualname__", "")
)
def test_add_lambda_consumer_passes_the_consumers_defaults(
    method: Callable[..., Any], cls: type
) -> None:
    """A pattern's add_lambda_consumer re-declares the options it passes on: with the
    consumer's defaults, so a consumer made either way is the same."""
    consumer = _parameters(cls.__init__)  # type: ignore[misc]
    passed = {
        name: parameter for name, parameter in _parameters(method).items() if name in consumer
    }
    assert {"function", "batch_size", "max_batching_window"} <= set(passed)
    for name, parameter in passed.items():
        if name == "function" or consumer[name].default is inspect.Parameter.empty:
            continue
        # None in a method stands for the consumer's default, which it passes on as such.
        assert parameter.default in (consumer[name].default, None), (method.__qualname__, name)


def _queue_consumer(**options: Any) -> None:
    stack = cdk.Stack(new_app(), "Test")
    LambdaQueueConsumer(
        stack,
        "Consumer",
        queue=sqs.Queue(stack, "Queue", visibility_timeout=cdk.Duration.minutes(10)),
        function=inline_function(stack, "Handler"),
        **options,
    )


def _stream_consumer(**options: Any) -> None:
    stack = cdk.Stack(new_app(), "Test")
    LambdaStreamConsumer(
        stack,
        "Consumer",
        stream=kinesis.Stream(stack, "Stream", shard_count=1),
        function=inline_function(stack, "Handler"),
        failure_destination=sqs.Queue(stack, "Failures"),
        **options,
    )


def _broker_consumer(**options: Any) -> None:
    stack = cdk.Stack(new_app(), "Test")
    broker = AmazonMqBroker(stack, "Broker", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))
    LambdaBrokerConsumer(
        stack,
        "Consumer",
        broker=broker,
        function=inline_function(stack, "Handler"),
        queue_name="orders",
        **options,
    )


@pytest.mark.parametrize(
    ("build", "limit"),
    [
        (_queue_consumer, limits.LAMBDA_SQS_BATCH_SIZE_RANGE),
        (_stream_consumer, limits.LAMBDA_KINESIS_BATCH_SIZE_RANGE),
        (_broker_consumer, limits.LAMBDA_MQ_BATCH_SIZE_RANGE),
    ],
    ids=["queue", "stream", "broker"],
)
def test_each_consumer_refuses_a_batch_size_beyond_its_sources_limit(
    build: Callable[..., None], limit: tuple[int, int]
) -> None:
    low, high = limit
    window = {"max_batching_window": cdk.Duration.seconds(1)}  # a queue needs one above 10
    build(batch_size=high, **window)
    with pytest.raises(ValueError, match=rf"batch_size must be .*{low}.*{high}, got {high + 1}"):
        build(batch_size=high + 1, **window)


@pytest.mark.parametrize(
    "build",
    [_queue_consumer, _stream_consumer, _broker_consumer],
    ids=["queue", "stream", "broker"],
)
def test_each_consumer_refuses_a_batching_window_beyond_lambdas(
    build: Callable[..., None],
) -> None:
    seconds = limits.LAMBDA_BATCHING_WINDOW_MAX_SECONDS
    build(max_batching_window=cdk.Duration.seconds(seconds))
    with pytest.raises(ValueError, match=r"max_batching_window must be between 0 .* and 5 minutes"):
        build(max_batching_window=cdk.Duration.seconds(seconds + 1))


def test_the_limits_and_the_kcl_facts_load_no_cdk() -> None:
    """The messaging rules read them from templates alone: importing them loads no CDK."""
    code = (
        "import sys, patterns.limits, patterns.consumers.kcl\n"
        "print(','.join(sorted(m for m in sys.modules\n"
        "    if m.startswith(('aws_cdk', 'jsii', 'constructs', 'cdk_nag')))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    assert result.stdout.strip() == ""
