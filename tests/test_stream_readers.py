"""The readers of a Kinesis stream, counted once (``patterns.consumers.stream_readers``): the
enhanced fan-out limit, the shard-budget warning said once with the total; and the inputs the
Lambda stream consumer refuses (FIFO failure destinations, fractional numbers, imported
functions without a role)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template
from constructs import Construct

from patterns import KinesisToFirehoseToS3, QueueWithDeadLetterQueue
from patterns.consumers.stream_readers import stream_readers
from tests.helpers import arn, by_path, inline_function, new_app

ESM = "AWS::Lambda::EventSourceMapping"


def _pattern(stack: cdk.Stack, **options: Any) -> KinesisToFirehoseToS3:
    return KinesisToFirehoseToS3(stack, "Positions", **options)


def _registered(pattern: KinesisToFirehoseToS3, stack: cdk.Stack, count: int) -> None:
    """``count`` enhanced fan-out readers of the user's own, registered with
    ``add_stream_reader`` (cheap to build): the registry counts them as they are added."""
    for index in range(count):
        pattern.add_stream_reader(Construct(stack, f"Reader{index}"), enhanced_fan_out=True)


def _efo(pattern: KinesisToFirehoseToS3, stack: cdk.Stack, count: int, start: int = 0) -> None:
    """``count`` enhanced fan-out consumers made directly (cheap to build), as a user may add
    with ``kinesis.StreamConsumer``: only the final tree knows them, so they count at synth."""
    for index in range(start, start + count):
        kinesis.StreamConsumer(
            stack, f"Own{index}", stream=pattern.stream, stream_consumer_name=f"own-{index}"
        )


def _add_efo_lambda(pattern: KinesisToFirehoseToS3, stack: cdk.Stack, name: str) -> None:
    found = stack.node.try_find_child("Failures")
    failures = found if isinstance(found, sqs.Queue) else sqs.Queue(stack, "Failures")
    pattern.add_lambda_consumer(
        name,
        inline_function(stack, f"{name}Handler"),
        enhanced_fan_out=True,
        failure_destination=failures,
    )


# --- the enhanced fan-out limit ------------------------------------------------------------


def test_a_21st_enhanced_fan_out_consumer_of_a_provisioned_stream_is_refused() -> None:
    stack = cdk.Stack(new_app(), "Efo")
    pattern = _pattern(stack, shard_count=2)
    _registered(pattern, stack, 19)
    _add_efo_lambda(pattern, stack, "Twentieth")
    with pytest.raises(
        ValueError,
        match=r"stream Efo/Positions/Stream has 21 enhanced fan-out consumers .*Kinesis "
        r"registers at most 20 per stream on a provisioned stream .*enhanced_fan_out=False",
    ):
        _add_efo_lambda(pattern, stack, "TwentyFirst")
    # The refused consumer is not counted: a classic one still fits, and the app synthesizes.
    pattern.add_lambda_consumer("Classic", inline_function(stack, "Classic"))
    Template.from_stack(stack).resource_count_is("AWS::Kinesis::StreamConsumer", 1)


def test_consumers_made_directly_count_at_synth_against_the_limit() -> None:
    stack = cdk.Stack(new_app(), "Efo")
    pattern = _pattern(stack, shard_count=2)
    _efo(pattern, stack, 19)
    _add_efo_lambda(pattern, stack, "Twentieth")
    _add_efo_lambda(pattern, stack, "TwentyFirst")  # the registry knows 2: no refusal yet
    with pytest.raises(
        RuntimeError,
        match=r"stream Efo/Positions/Stream has 21 enhanced fan-out consumers .*Efo/Own18",
    ):
        Template.from_stack(stack)


def test_stream_consumers_added_after_the_pattern_count_at_synth() -> None:
    stack = cdk.Stack(new_app(), "Direct")
    pattern = _pattern(stack, shard_count=1)
    _add_efo_lambda(pattern, stack, "Fence")
    _efo(pattern, stack, 20)  # after the Lambda consumer: only the final tree can tell
    with pytest.raises(RuntimeError, match=r"has 21 enhanced fan-out consumers .*Direct/Own19"):
        Template.from_stack(stack)


def test_on_demand_streams_take_more_than_20_only_with_on_demand_advantage() -> None:
    stack = cdk.Stack(new_app(), "OnDemand")
    pattern = _pattern(stack)  # unplanned: ON_DEMAND
    _efo(pattern, stack, 20)
    _add_efo_lambda(pattern, stack, "TwentyFirst")
    Annotations.from_stack(stack).has_warning(
        "/OnDemand/Positions/Stream",
        Match.string_like_regexp(r"21 enhanced fan-out consumers.*On-demand Advantage"),
    )


def test_on_demand_streams_take_at_most_50_counted_at_synth() -> None:
    stack = cdk.Stack(new_app(), "OnDemand")
    pattern = _pattern(stack)  # unplanned: ON_DEMAND
    _efo(pattern, stack, 50)
    _add_efo_lambda(pattern, stack, "FiftyFirst")
    with pytest.raises(RuntimeError, match=r"has 51 enhanced fan-out consumers .*at most 50"):
        Template.from_stack(stack)


def test_a_51st_registered_consumer_of_an_on_demand_stream_is_refused() -> None:
    stack = cdk.Stack(new_app(), "OnDemand")
    pattern = _pattern(stack)  # unplanned: ON_DEMAND
    _registered(pattern, stack, 50)
    with pytest.raises(ValueError, match=r"has 51 enhanced fan-out consumers .*at most 50"):
        _add_efo_lambda(pattern, stack, "FiftyFirst")


def test_the_registry_is_one_per_stream_and_counts_the_delivery_stream() -> None:
    stack = cdk.Stack(new_app(), "Registry")
    pattern = _pattern(stack, shard_count=1)
    pattern.add_lambda_consumer("Map", inline_function(stack, "Map"))
    pattern.add_lambda_consumer("Fence", inline_function(stack, "Fence"), enhanced_fan_out=True)
    readers = stream_readers(pattern.stream)
    assert readers is stream_readers(pattern.stream)
    assert [(r.path.rsplit("/", 1)[-1], r.enhanced_fan_out) for r in readers.readers] == [
        ("DeliveryStream", False),
        ("Map", False),
        ("Fence", True),
    ]
    assert readers.classic_readers == 2
    assert readers.enhanced_fan_out_consumers() == ["Registry/Positions/Fence"]


# --- the shard budget: said once, with the total -------------------------------------------


def test_the_shard_budget_warning_is_said_once_with_the_total() -> None:
    stack = cdk.Stack(new_app(), "Budget")
    pattern = _pattern(stack, shard_count=2)
    for name in ("A", "B", "C", "D", "E", "F"):
        pattern.add_lambda_consumer(name, inline_function(stack, name))
    warnings = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("given as shard_count")
    )
    assert len(warnings) == 1
    assert warnings[0].id == "/Budget/Positions"
    assert "read by 7 classic readers (the delivery stream and 6 more" in str(
        warnings[0].entry.data
    )


def test_classic_readers_made_outside_the_pattern_are_counted() -> None:
    from patterns import LambdaStreamConsumer, StreamThroughput

    stack = cdk.Stack(new_app(), "Outside")
    pattern = _pattern(
        stack, throughput=StreamThroughput(write_mb_per_second=1, read_mb_per_second=3)
    )
    LambdaStreamConsumer(
        stack, "Own", stream=pattern.stream, function=inline_function(stack, "OwnHandler")
    )
    template = Template.from_stack(stack)
    # 3 MB/s read by the delivery stream and the consumer: 3 x 2 / 2 = 3 shards (2 planned).
    stream = by_path(template, "AWS::Kinesis::Stream", "Positions/Stream/Resource")
    assert stream["Properties"]["ShardCount"] == 3


# --- the failure destination ----------------------------------------------------------------


def _consumer(**options: Any) -> cdk.Stack:
    stack = cdk.Stack(new_app(), "Rules")
    pattern = _pattern(stack)
    destination = options.pop("destination", None)
    if destination is not None:
        options["failure_destination"] = destination(stack)
    pattern.add_lambda_consumer("Consumer", inline_function(stack, "Function"), **options)
    return stack


def test_a_fifo_failure_destination_is_refused() -> None:
    with pytest.raises(
        ValueError,
        match=r"failure_destination Rules/Failures is a FIFO queue; .*without a message group "
        r"ID.*Pass a standard queue",
    ):
        _consumer(destination=lambda s: QueueWithDeadLetterQueue(s, "Failures", fifo=True))


def test_an_imported_fifo_failure_destination_is_refused() -> None:
    with pytest.raises(ValueError, match=r"is a FIFO queue"):
        _consumer(
            destination=lambda s: sqs.Queue.from_queue_arn(
                s, "Failures", "arn:aws:sqs:eu-west-1:123456789012:failures.fifo"
            )
        )


def test_a_plain_queue_is_a_failure_destination() -> None:
    stack = _consumer(destination=lambda s: sqs.Queue(s, "Failures"))
    template = Template.from_stack(stack)
    mapping = by_path(template, ESM, "Positions/Consumer/EventSourceMapping/Resource")
    assert mapping["Properties"]["DestinationConfig"] == {
        "OnFailure": {"Destination": arn(template, "AWS::SQS::Queue", "Failures/Resource")}
    }
    template.resource_count_is("AWS::SQS::Queue", 1)  # no FailureDestination made


# --- numbers Lambda takes as integers ------------------------------------------------------


@pytest.fixture(scope="module")
def whole_numbers() -> Callable[..., None]:
    """Add a consumer with ``options`` to one pattern shared by the tests below: each number
    is refused before the consumer counts as a reader or creates a resource (a new consumer
    ID per call)."""
    stack = cdk.Stack(new_app(), "Rules")
    pattern = _pattern(stack)
    function = inline_function(stack, "Function")
    calls = itertools.count()

    def add(**options: Any) -> None:
        pattern.add_lambda_consumer(f"Consumer{next(calls)}", function, **options)

    return add


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("batch_size", 10.5, r"batch_size must be a whole number between 1 and 10000, got 10\.5"),
        (
            "parallelization_factor",
            2.5,
            r"parallelization_factor must be a whole number between 1 and 10, got 2\.5",
        ),
        ("retry_attempts", 1.5, r"retry_attempts must be a whole number between 0 and 10000"),
        (
            "max_batching_window",
            Duration.millis(1500),
            r"max_batching_window must be a whole number of seconds .*got 1\.5 seconds",
        ),
        (
            "max_record_age",
            Duration.millis(90_500),
            r"max_record_age must be a whole number of seconds .*got 90\.5 seconds",
        ),
    ],
)
def test_stream_consumer_numbers_are_whole(
    whole_numbers: Callable[..., None], option: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        whole_numbers(**{option: value})


def test_stream_consumer_refuses_an_imported_function_without_a_role() -> None:
    stack = cdk.Stack(new_app(), "Rules")
    function = lambda_.Function.from_function_arn(
        stack, "Imported", "arn:aws:lambda:eu-west-1:123456789012:function:existing"
    )
    with pytest.raises(ValueError, match=r"function Rules/Imported was imported without its role"):
        _pattern(stack).add_lambda_consumer("Consumer", function)


def test_a_consumer_id_already_taken_is_refused() -> None:
    stack = cdk.Stack(new_app(), "Ids")
    with pytest.raises(ValueError, match=r"consumer_id 'Stream' is taken: Ids/Positions already"):
        _pattern(stack).add_lambda_consumer("Stream", inline_function(stack, "Function"))
