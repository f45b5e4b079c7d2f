"""``LambdaStreamConsumer``: a Lambda function that reads a Kinesis data stream, safely.

A failing record in a stream blocks its shard: Lambda retries the batch until it succeeds
or the records expire, and nothing behind it in the shard is processed meanwhile. The
defaults bound that (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html):

- bisect on error: a failing batch is split in two and retried, so the poison record ends up
  alone and the good records around it get through;
- a retry limit and a maximum record age: after them, the batch is given up;
- an on-failure destination, a ``QueueWithDeadLetterQueue``: Lambda sends it the
  batch's details (shard, sequence numbers), kept up to 14 days, so the records can be read
  again from the stream while it retains them;
- partial batch responses: the function names the first record that failed and Lambda
  checkpoints before it, so the records already processed are not processed again.

Order per partition key is kept: with a parallelization factor above 1, Lambda processes
several batches of a shard at once, but never two of the same partition key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import jsii
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns import limits
from patterns.alarms import create_alarm
from patterns.consumers import lambda_options
from patterns.consumers.common import ALARM_PERIOD, consumed_queue
from patterns.consumers.lambda_options import FunctionFacts, LambdaConsumerOptions
from patterns.consumers.stream_readers import stream_readers, stream_retention_hours
from patterns.metric_options import MAXIMUM
from patterns.naming import physical_name
from patterns.validation import (
    check_duration,
    check_whole_number,
    check_whole_units,
    seconds_of,
)

if TYPE_CHECKING:
    from patterns.queue_with_dlq import QueueWithDeadLetterQueue

DEFAULT_BATCH_SIZE = limits.LAMBDA_KINESIS_BATCH_SIZE_DEFAULT
DEFAULT_RETRY_ATTEMPTS = 3
RECORD_AGE_MIN = Duration.seconds(limits.LAMBDA_KINESIS_RECORD_AGE_RANGE_SECONDS[0])
RECORD_AGE_MAX = Duration.seconds(limits.LAMBDA_KINESIS_RECORD_AGE_RANGE_SECONDS[1])
DEFAULT_MAX_RECORD_AGE = Duration.hours(1)
ALARM_MIN = Duration.seconds(1)
# How long the failure destination made here keeps the details of failed batches.
FAILURE_RETENTION = Duration.seconds(limits.SQS_RETENTION_MAX_SECONDS)
STARTING_POSITIONS = ("LATEST", "TRIM_HORIZON")


class LambdaStreamConsumer(Construct):
    """A Lambda function reading a Kinesis stream through an event source mapping.

    Created by a pipeline's
    [`add_lambda_consumer`][patterns.KinesisToFirehoseToS3.add_lambda_consumer], or directly
    for any ``kinesis.IStream``. Classic (shared 2 MB/s per
    shard, polled with ``GetRecords``) or enhanced fan-out (a registered stream consumer with
    its own 2 MB/s per shard, pushed with ``SubscribeToShard``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stream: kinesis.IStream,
        function: lambda_.IFunction,
        failure_destination: QueueWithDeadLetterQueue | sqs.IQueue | None = None,
        enhanced_fan_out: bool = False,
        starting_position: lambda_.StartingPosition = lambda_.StartingPosition.LATEST,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batching_window: Duration | None = None,
        parallelization_factor: int = 1,
        bisect_batch_on_error: bool = True,
        retry_attempts: int = DEFAULT_RETRY_ATTEMPTS,
        max_record_age: Duration = DEFAULT_MAX_RECORD_AGE,
        report_batch_item_failures: bool = True,
        iterator_age_alarm_threshold: Duration | None = None,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
    ) -> None:
        """Connect ``function`` to ``stream``.

        ``function``, ``batch_size``, ``max_batching_window``, ``report_batch_item_failures``
        and ``alarm_actions`` mean the same for every Lambda consumer; their ranges and
        defaults are those of this event source.

        :param stream: The stream to read, new or imported (import an encrypted one with its
            ``encryption_key``, so the function may decrypt).
        :param function: The function Lambda invokes with each batch, defined in this app or
            imported with its role (an imported function without one is refused: the
            permissions are granted to that role). A function with a reserved concurrency of
            0 is refused: Lambda would never invoke it.
        :param failure_destination: Where Lambda sends the details of a batch it gave up on
            (shard, sequence numbers; not the records): a ``QueueWithDeadLetterQueue``
            or an ``sqs.IQueue``, standard (Lambda sends no message group ID, so a FIFO
            queue is refused). Default: a new ``QueueWithDeadLetterQueue`` (child
            ``"FailureDestination"``) keeping them 14 days, with the alarms' actions.
        :param enhanced_fan_out: Read through a registered stream consumer
            (``AWS::Kinesis::StreamConsumer``) with its own 2 MB/s per shard and about 70 ms
            latency, instead of sharing the shard's 2 MB/s and 5 reads/s with the other
            classic readers. A stream takes at most 20 such consumers (50 on an on-demand
            stream with On-demand Advantage), counted with every other reader of the stream
            (``ValueError`` beyond). Default: ``False`` (classic; counted by the shard plan).
        :param starting_position: ``LATEST`` (new records only) or ``TRIM_HORIZON`` (all the
            stream still keeps). Default: ``LATEST``.
        :param batch_size: Records per invocation, 1 to 10,000. Default: 100.
        :param max_batching_window: How long Lambda gathers records before invoking, up to 5
            minutes in whole seconds. Default: none (invoke as soon as records arrive).
        :param parallelization_factor: Concurrent batches per shard, 1 to 10; records of one
            partition key are still processed in order. Default: 1.
        :param bisect_batch_on_error: Split a failing batch in two and retry each half, to
            isolate a poison record. Default: ``True``.
        :param retry_attempts: Retries of a failing batch, 0 to 10,000 (never infinite: a
            poison record would block its shard until it expires). Default: 3.
        :param max_record_age: Give up on records older than this, 1 minute to 7 days and at
            most the stream's retention. Default: 1 hour.
        :param report_batch_item_failures: The function returns
            ``{"batchItemFailures": [{"itemIdentifier": sequenceNumber}]}`` naming the first
            record that failed, and Lambda retries from there. Default: ``True``.
        :param iterator_age_alarm_threshold: Alarm when the function reads records this old.
            Default: half of ``max_record_age``, so the alarm comes before records are given
            up.
        :param alarm_actions: What the consumer's alarms do when they fire, for example an
            ``AlarmTopic``'s ``action`` or ``cloudwatch_actions.SnsAction(topic)``.
            Default: none (the alarms change state, and notify no one).
        """
        super().__init__(scope, construct_id)
        options = LambdaConsumerOptions(
            function=function,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            alarm_actions=alarm_actions,
            report_batch_item_failures=report_batch_item_failures,
        )
        facts, _ = options.check(lambda_options.KINESIS)
        age_threshold = iterator_age_alarm_threshold or Duration.seconds(
            (seconds_of(max_record_age) or 3600) / 2
        )
        _validate(
            starting_position=starting_position,
            parallelization_factor=parallelization_factor,
            retry_attempts=retry_attempts,
            max_record_age=max_record_age,
            retention_hours=stream_retention_hours(stream),
            iterator_age_alarm_threshold=age_threshold,
        )
        failure_queue = _failure_queue(failure_destination)
        # One count of the stream's readers (patterns.consumers.stream_readers): a consumer
        # over the enhanced fan-out limit is refused here, and the classic ones re-plan the
        # shards of a planned stream.
        stream_readers(stream).add(self, enhanced_fan_out=enhanced_fan_out)
        self._function = function
        self._enhanced_fan_out = enhanced_fan_out

        created = self._create_failure_destination(failure_queue, alarm_actions)
        self._failure_destination: QueueWithDeadLetterQueue | sqs.IQueue = (
            created or failure_destination  # type: ignore[assignment]
        )
        failure_queue = created.queue if created is not None else failure_queue
        assert failure_queue is not None
        self._event_source_mapping = self._create_mapping(
            options,
            stream,
            failure_queue,
            starting_position=starting_position,
            parallelization_factor=parallelization_factor,
            bisect_batch_on_error=bisect_batch_on_error,
            retry_attempts=retry_attempts,
            max_record_age=max_record_age,
        )
        self._alarms = [
            self._iterator_age_alarm(facts, age_threshold, max_record_age, alarm_actions),
            *options.create_alarms(self, facts, source=stream.node.path),
            # A failure destination made here is part of the consumer: its alarms too (failed
            # batches waiting, and its own DLQ).
            *(created.alarms if created is not None else []),
        ]

    def _create_failure_destination(
        self, given: sqs.IQueue | None, alarm_actions: Sequence[cloudwatch.IAlarmAction]
    ) -> QueueWithDeadLetterQueue | None:
        """A :class:`QueueWithDeadLetterQueue` keeping failed batches 14 days, unless a queue
        was given."""
        if given is not None:
            return None
        from patterns.queue_with_dlq import QueueWithDeadLetterQueue

        return QueueWithDeadLetterQueue(
            self,
            "FailureDestination",
            retention_period=FAILURE_RETENTION,
            alarm_actions=alarm_actions,
        )

    def _create_mapping(
        self,
        options: LambdaConsumerOptions,
        stream: kinesis.IStream,
        failure_queue: sqs.IQueue,
        *,
        starting_position: lambda_.StartingPosition,
        parallelization_factor: int,
        bisect_batch_on_error: bool,
        retry_attempts: int,
        max_record_age: Duration,
    ) -> lambda_.EventSourceMapping:
        """The mapping from the stream, or from its registered consumer with enhanced fan-out
        (created here), with the grants it waits for."""
        function = options.function
        self._stream_consumer: kinesis.StreamConsumer | None = None
        if self._enhanced_fan_out:
            self._stream_consumer = kinesis.StreamConsumer(
                self,
                "StreamConsumer",
                stream=stream,
                stream_consumer_name=_consumer_name(self),
            )
            source_arn = self._stream_consumer.stream_consumer_arn
            grant = self._stream_consumer.grant_read(function)
        else:
            source_arn = stream.stream_arn
            grant = stream.grant_read(function)
        mapping = lambda_.EventSourceMapping(
            self,
            "EventSourceMapping",
            target=function,
            event_source_arn=source_arn,
            starting_position=starting_position,
            batch_size=options.batch_size,
            max_batching_window=options.max_batching_window,
            parallelization_factor=parallelization_factor,
            bisect_batch_on_error=bisect_batch_on_error,
            retry_attempts=retry_attempts,
            max_record_age=max_record_age,
            report_batch_item_failures=options.function_response_types,
            on_failure=_QueueOnFailure(failure_queue),
        )
        # The mapping reads (and sends failures) with the function's role: it must wait for
        # the grants, or its creation fails.
        grant.apply_before(mapping)
        failure_queue.grant_send_messages(function).apply_before(mapping)
        return mapping

    def _iterator_age_alarm(
        self,
        facts: FunctionFacts,
        threshold: Duration,
        max_record_age: Duration,
        actions: Sequence[cloudwatch.IAlarmAction],
    ) -> cloudwatch.Alarm:
        return create_alarm(
            self,
            "IteratorAgeAlarm",
            metric=self._function.metric("IteratorAge", period=ALARM_PERIOD, statistic=MAXIMUM),
            threshold=threshold.to_milliseconds(),
            description=(
                f"The consumer {facts.path} reads records at least "
                f"{threshold.to_human_string()} old; at "
                f"{max_record_age.to_human_string()} Lambda gives them up to "
                f"{self._failure_destination.node.path}"
            ),
            actions=actions,
        )

    @property
    def function(self) -> lambda_.IFunction:
        """The consuming function."""
        return self._function

    @property
    def event_source_mapping(self) -> lambda_.EventSourceMapping:
        """The event source mapping from the stream (or its stream consumer) to the function."""
        return self._event_source_mapping

    @property
    def stream_consumer(self) -> kinesis.StreamConsumer | None:
        """The registered enhanced fan-out consumer, or ``None`` for a classic consumer."""
        return self._stream_consumer

    @property
    def failure_destination(self) -> QueueWithDeadLetterQueue | sqs.IQueue:
        """The queue that receives the details of batches Lambda gave up on: the one passed
        in, or the ``QueueWithDeadLetterQueue`` made here."""
        return self._failure_destination

    @property
    def enhanced_fan_out(self) -> bool:
        """Whether the consumer reads through enhanced fan-out."""
        return self._enhanced_fan_out

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """Iterator age of the consumer, its errors and throttles, and the alarms of the
        failure destination when the consumer created it."""
        return list(self._alarms)


@jsii.implements(lambda_.IEventSourceDlq)
class _QueueOnFailure:
    """An SQS on-failure destination (as ``aws_lambda_event_sources.SqsDlq``, whose module
    would load SNS as well); the send permission is granted by the consumer."""

    def __init__(self, queue: sqs.IQueue) -> None:
        self._queue = queue

    def bind(
        self, target: lambda_.IEventSourceMapping, target_handler: lambda_.IFunction
    ) -> lambda_.DlqDestinationConfig:
        return lambda_.DlqDestinationConfig(destination=self._queue.queue_arn)


def _failure_queue(
    failure_destination: QueueWithDeadLetterQueue | sqs.IQueue | None,
) -> sqs.IQueue | None:
    """The queue behind ``failure_destination``; a FIFO queue is refused."""
    if failure_destination is None:
        return None
    queue = consumed_queue("failure_destination", failure_destination)
    if queue.fifo:
        raise ValueError(
            f"failure_destination {failure_destination.node.path} is a FIFO queue; Lambda "
            "sends the details of a failed batch without a message group ID, which a FIFO "
            "queue requires, so they would be lost. Pass a standard queue"
        )
    return queue


def _consumer_name(scope: Construct) -> str:
    return physical_name(scope, max_length=128)


def _validate(
    *,
    starting_position: lambda_.StartingPosition,
    parallelization_factor: int,
    retry_attempts: int,
    max_record_age: Duration,
    retention_hours: float | None,
    iterator_age_alarm_threshold: Duration,
) -> None:
    if starting_position.name not in STARTING_POSITIONS:
        raise ValueError(
            f"starting_position must be LATEST or TRIM_HORIZON, got {starting_position.name}"
        )
    check_whole_number(
        "parallelization_factor",
        parallelization_factor,
        *limits.LAMBDA_KINESIS_PARALLELIZATION_FACTOR_RANGE,
    )
    check_whole_number(
        "retry_attempts", retry_attempts, *limits.LAMBDA_KINESIS_RETRY_ATTEMPTS_RANGE
    )
    check_duration("max_record_age", max_record_age, RECORD_AGE_MIN, RECORD_AGE_MAX)
    check_whole_units(
        "max_record_age", max_record_age, "seconds", "Lambda's MaximumRecordAgeInSeconds"
    )
    age = seconds_of(max_record_age)
    if retention_hours is not None and age is not None and age > retention_hours * 3600:
        raise ValueError(
            f"max_record_age ({max_record_age.to_human_string()}) exceeds the stream's "
            f"retention ({retention_hours:g} hours): records expire from the stream first, so "
            "the failure destination would point at records that are gone. Use at most the "
            "retention period, or lengthen it"
        )
    check_duration(
        "iterator_age_alarm_threshold", iterator_age_alarm_threshold, ALARM_MIN, max_record_age
    )
