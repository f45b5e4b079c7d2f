"""``LambdaQueueConsumer``: a Lambda function that consumes a ``QueueWithDeadLetterQueue``.

The defaults are AWS's recommendations for SQS event sources
(https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html):

- partial batch responses (``ReportBatchItemFailures``): the function returns the IDs of the
  messages it failed and only those come back, instead of the whole batch;
- a visibility timeout of at least six times the function's timeout plus the batching window,
  so that a message is not received again while an invocation (or its retry after a
  throttle) still works on it;
- failed messages go to the queue's dead-letter queue after ``max_receive_count`` receives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import jsii
from aws_cdk import Annotations, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IValidation

from patterns.compliance import acknowledge
from patterns.consumers import lambda_options
from patterns.consumers.common import (
    consumed_queue,
    function_timeout,
    queue_resource,
    visibility_of,
)
from patterns.consumers.lambda_options import FunctionFacts, LambdaConsumerOptions
from patterns.limits import (
    LAMBDA_SQS_BATCH_SIZE_DEFAULT,
    LAMBDA_SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX,
    LAMBDA_SQS_MAX_CONCURRENCY_RANGE,
    LAMBDA_SQS_VISIBILITY_TIMEOUT_FACTOR,
)
from patterns.validation import check_whole_number, seconds_of

if TYPE_CHECKING:
    from patterns.queue_with_dlq import QueueWithDeadLetterQueue

DEFAULT_BATCH_SIZE = LAMBDA_SQS_BATCH_SIZE_DEFAULT


class LambdaQueueConsumer(Construct):
    """A Lambda function consuming a queue through an event source mapping with safe defaults.

    Created by a queue's
    [`add_lambda_consumer`][patterns.QueueWithDeadLetterQueue.add_lambda_consumer], or
    directly for any ``sqs.IQueue``. The function gets
    permission to consume that queue only (and to decrypt with its key, if it has one), the
    event source mapping reports batch item failures, and alarms watch the function's errors
    and throttles.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queue: QueueWithDeadLetterQueue | sqs.IQueue,
        function: lambda_.IFunction,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batching_window: Duration | None = None,
        max_concurrency: int | None = None,
        report_batch_item_failures: bool = True,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
    ) -> None:
        """Connect ``function`` to ``queue``.

        ``function``, ``batch_size``, ``max_batching_window``, ``report_batch_item_failures``
        and ``alarm_actions`` mean the same for every Lambda consumer; their ranges and
        defaults are those of this event source.

        :param queue: The queue to consume: a
            [`QueueWithDeadLetterQueue`][patterns.QueueWithDeadLetterQueue], or an
            ``sqs.IQueue`` (whose dead-letter queue, if any, is its owner's).
        :param function: The function Lambda invokes with each batch, defined in this app or
            imported with its role (an imported function without one is refused: the
            permissions are granted to that role). A function with a reserved concurrency of
            0 is refused: Lambda would never invoke it.
            Its timeout plus ``max_batching_window`` must not exceed the queue's visibility
            timeout (``ValueError``), and should fit six times into it (warning).
        :param batch_size: 1 to 10,000 messages for a standard queue (more than 10 needs
            ``max_batching_window``), 1 to 10 for a FIFO queue. Default: 10.
        :param max_batching_window: How long Lambda gathers messages before invoking, up to
            5 minutes in whole seconds; not for FIFO queues. Default: none (invoke as soon as
            messages arrive).
        :param max_concurrency: Most concurrent invocations this queue may cause, 2 to 1,000,
            so that a spike in this queue cannot take the whole account's concurrency.
            Default: no limit beyond the function's reserved concurrency.
        :param report_batch_item_failures: The function returns
            ``{"batchItemFailures": [{"itemIdentifier": messageId}, ...]}`` and only the
            messages it names come back; the others are deleted. Default: ``True``; turn it
            off only for a function that fails whole batches on purpose.
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
        source = consumed_queue("queue", queue)
        facts = self._check(options, source, max_concurrency)
        self._function = function
        self._event_source_mapping = self._create_mapping(options, source, max_concurrency)
        self._alarms = options.create_alarms(self, facts, source=queue.node.path)

    def _check(
        self, options: LambdaConsumerOptions, source: sqs.IQueue, max_concurrency: int | None
    ) -> FunctionFacts:
        """Refuse what the mapping cannot take; warn about what AWS advises against."""
        fifo = source.fifo
        facts, window = options.check(lambda_options.SQS_FIFO if fifo else lambda_options.SQS)
        window_seconds = window or 0.0
        _check_queue_options(
            batch_size=options.batch_size,
            max_batching_window=options.max_batching_window,
            window_seconds=window_seconds,
            max_concurrency=max_concurrency,
            fifo=fifo,
        )
        resource = queue_resource(source)
        visibility_seconds = visibility_of(resource)
        timeout = function_timeout(options.function)
        timeout_seconds = None if timeout is None else seconds_of(timeout)
        if visibility_seconds is not None and timeout_seconds is not None:
            _check_visibility(self, visibility_seconds, timeout_seconds, window_seconds)
        if max_concurrency is not None:
            _check_reserved_concurrency(self, facts, max_concurrency)
        # The queue's settings stay editable through the L2 (and its CfnQueue) after this:
        # the rule that prevents double processing is checked again over the final tree.
        self.node.add_validation(
            _VisibilityValidation(source, resource, options.function, window_seconds)
        )
        return facts

    def _create_mapping(
        self, options: LambdaConsumerOptions, source: sqs.IQueue, max_concurrency: int | None
    ) -> lambda_.EventSourceMapping:
        mapping = lambda_.EventSourceMapping(
            self,
            "EventSourceMapping",
            target=options.function,
            event_source_arn=source.queue_arn,
            batch_size=options.batch_size,
            max_batching_window=options.max_batching_window,
            max_concurrency=max_concurrency,
            report_batch_item_failures=options.function_response_types,
        )
        acknowledge(
            mapping,
            "Serverless::Serverless-LambdaEventSourceMappingDestination",
            "SQS event source mappings take no on-failure destination: a message that fails "
            "max_receive_count times moves to the queue's dead-letter queue (kept 14 days).",
        )
        # The mapping polls with the function's role: consume this queue only (and decrypt
        # with its key). The mapping must wait for the grant, or its creation fails.
        source.grant_consume_messages(options.function).apply_before(mapping)
        return mapping

    @property
    def function(self) -> lambda_.IFunction:
        """The consuming function."""
        return self._function

    @property
    def event_source_mapping(self) -> lambda_.EventSourceMapping:
        """The event source mapping from the queue to the function."""
        return self._event_source_mapping

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """The alarms on the function's errors and throttles."""
        return list(self._alarms)


@jsii.implements(IValidation)
class _VisibilityValidation:
    """At synth: the queue's visibility timeout still covers the batching window plus the
    function's timeout."""

    def __init__(
        self,
        queue: sqs.IQueue,
        resource: sqs.CfnQueue | None,
        function: lambda_.IFunction,
        window: float,
    ) -> None:
        self._queue, self._resource = queue, resource
        self._function, self._window = function, window

    def validate(self) -> list[str]:
        visibility = visibility_of(self._resource)
        timeout = function_timeout(self._function)
        timeout_seconds = None if timeout is None else seconds_of(timeout)
        if visibility is None or timeout_seconds is None:
            return []
        error = _visibility_error(visibility, timeout_seconds, self._window)
        if error is None:
            return []
        return [
            f"the visibility timeout of {self._queue.node.path} ({visibility:g} s) is too short "
            f"for its consumer {self._function.node.path}: {error}"
        ]


def _check_queue_options(
    *,
    batch_size: int,
    max_batching_window: Duration | None,
    window_seconds: float,
    max_concurrency: int | None,
    fifo: bool,
) -> None:
    """What only a queue's event source refuses (the batch size range is checked with the
    options every consumer shares)."""
    if fifo and max_batching_window is not None:
        raise ValueError(
            f"max_batching_window ({max_batching_window.to_human_string()}) is not "
            "supported for FIFO queues; drop it (Lambda invokes as soon as messages arrive)"
        )
    check_whole_number("max_concurrency", max_concurrency, *LAMBDA_SQS_MAX_CONCURRENCY_RANGE)
    if (
        isinstance(batch_size, int)
        and batch_size > LAMBDA_SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX
        and window_seconds < 1
        and (max_batching_window is None or not max_batching_window.is_unresolved())
    ):
        raise ValueError(
            f"batch_size {batch_size} is above {LAMBDA_SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX}: "
            "Lambda then needs max_batching_window of at least 1 second (up to 5 minutes)"
        )


def _visibility_error(visibility: float, timeout: float, window: float) -> str | None:
    """Why the visibility timeout cannot hide a message until its invocation ends, if so.

    Lambda reads messages while it gathers a batch, for up to the batching window, and "the
    messages stay in the queue but are hidden for the length of the queue's visibility
    timeout" (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html): a message read at
    the start of the window must be deleted within the visibility timeout, after the window
    and the invocation (at most the function's timeout).
    """
    if visibility >= timeout + window:
        return None
    recommended = LAMBDA_SQS_VISIBILITY_TIMEOUT_FACTOR * timeout + window
    if window == 0:
        reason = (
            f"the queue's visibility_timeout ({visibility:g} s) is shorter than the function's "
            f"timeout ({timeout:g} s): a message would become visible again while the function "
            "still works on it and be processed twice"
        )
    else:
        reason = (
            f"the queue's visibility_timeout ({visibility:g} s) is shorter than "
            f"max_batching_window ({window:g} s) plus the function's timeout ({timeout:g} s) "
            f"= {timeout + window:g} s: Lambda reads messages while it gathers a batch and "
            "each stays hidden only for the visibility timeout from that read, so a message "
            "read early in the window may become visible again before (or while) the "
            "function processes it, and be processed twice"
        )
    return (
        f"{reason}. Raise visibility_timeout to at least {recommended:g} s (six times the "
        "timeout plus the batching window, as AWS recommends), or shorten the window or the "
        "function's timeout"
    )


def _check_visibility(scope: Construct, visibility: float, timeout: float, window: float) -> None:
    error = _visibility_error(visibility, timeout, window)
    if error is not None:
        raise ValueError(error)
    recommended = LAMBDA_SQS_VISIBILITY_TIMEOUT_FACTOR * timeout + window
    if visibility < recommended:
        Annotations.of(scope).add_warning_v2(
            "patterns:VisibilityTimeoutBelowSixTimesFunctionTimeout",
            f"The queue's visibility timeout ({visibility:g} s) is shorter than six times the "
            f"function's timeout ({timeout:g} s) plus the batching window ({window:g} s) = "
            f"{recommended:g} s, which AWS recommends so that retries after throttling do not "
            "make messages visible (and processed) twice.",
        )


def _check_reserved_concurrency(
    scope: Construct, facts: FunctionFacts, max_concurrency: int
) -> None:
    if facts.cfn is None:
        return
    reserved = facts.cfn.reserved_concurrent_executions
    if isinstance(reserved, (int, float)) and reserved < max_concurrency:
        Annotations.of(scope).add_warning_v2(
            "patterns:ReservedConcurrencyBelowMaxConcurrency",
            f"The function's reserved concurrency ({reserved:g}) is below the event source's "
            f"max_concurrency ({max_concurrency}): Lambda would throttle the queue's "
            "invocations. Set max_concurrency at or below the reserved concurrency.",
        )
