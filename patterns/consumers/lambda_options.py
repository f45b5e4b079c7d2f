"""The options every Lambda consumer takes, declared, documented and checked once.

:class:`~patterns.LambdaQueueConsumer`, :class:`~patterns.LambdaStreamConsumer` and
:class:`~patterns.LambdaBrokerConsumer` keep their keyword-only constructors (users, the docs
and ``tests/test_conventions.py`` read those signatures); each gathers the options they share
into one :class:`LambdaConsumerOptions`, which checks them against its event source's limits
(:class:`EventSourceLimits`, from ``patterns.limits``) and builds what they build alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from patterns import limits
from patterns.consumers.common import check_batching_window, create_function_alarms
from patterns.validation import check_whole_number


@dataclass(frozen=True)
class EventSourceLimits:
    """What Lambda allows one kind of event source (``CreateEventSourceMapping``)."""

    batch_size_argument: str
    """How the messages name ``batch_size`` (``"batch_size (FIFO queue)"``)."""
    batch_size_range: tuple[int, int]


SQS = EventSourceLimits("batch_size", limits.LAMBDA_SQS_BATCH_SIZE_RANGE)
SQS_FIFO = EventSourceLimits("batch_size (FIFO queue)", limits.LAMBDA_SQS_FIFO_BATCH_SIZE_RANGE)
KINESIS = EventSourceLimits("batch_size", limits.LAMBDA_KINESIS_BATCH_SIZE_RANGE)
AMAZON_MQ = EventSourceLimits("batch_size", limits.LAMBDA_MQ_BATCH_SIZE_RANGE)


@dataclass(frozen=True)
class FunctionFacts:
    """What the consumers need to know of the function, each read from CDK once."""

    role: iam.IRole
    path: str
    cfn: lambda_.CfnFunction | None
    """The function's resource when it is defined in this app; ``None`` when imported."""


@dataclass(frozen=True)
class LambdaConsumerOptions:
    """The options of every Lambda consumer, as its constructor takes them.

    :param function: The consumer, defined in this app or imported with its role (an imported
        function without one is refused: the event source's permissions go to that role). A
        function with a reserved concurrency of 0 is refused: Lambda would never invoke it.
    :param batch_size: Messages or records per invocation, within the event source's range
        (each constructor says its range and default).
    :param max_batching_window: How long Lambda gathers messages or records before invoking,
        0 to 5 minutes in whole seconds. Default: none (Lambda's own).
    :param report_batch_item_failures: Queues and streams: the function returns
        ``{"batchItemFailures": [{"itemIdentifier": ...}]}`` and Lambda retries only what it
        names. ``None`` for an event source that takes no such response (Amazon MQ).
    :param alarm_actions: Actions of the consumer's alarms (errors and throttles of the
        function, and each consumer's own). Default: none.
    """

    function: lambda_.IFunction
    batch_size: int
    max_batching_window: Duration | None
    alarm_actions: Sequence[cloudwatch.IAlarmAction]
    report_batch_item_failures: bool | None = None

    def check(self, source: EventSourceLimits) -> tuple[FunctionFacts, float | None]:
        """Refuse what no event source takes; the function's facts and the batching window in
        seconds (``None`` unset or a token)."""
        facts = function_facts(self.function)
        check_whole_number(source.batch_size_argument, self.batch_size, *source.batch_size_range)
        return facts, check_batching_window(self.max_batching_window)

    @property
    def function_response_types(self) -> bool | None:
        """``report_batch_item_failures`` as the mapping takes it (``None``: off)."""
        return self.report_batch_item_failures or None

    def create_alarms(
        self, scope: Construct, facts: FunctionFacts, *, source: str
    ) -> list[cloudwatch.Alarm]:
        """The alarms on the function's errors and throttles, with ``alarm_actions``."""
        return create_function_alarms(
            scope, self.function, path=facts.path, source=source, actions=self.alarm_actions
        )


def function_facts(function: lambda_.IFunction) -> FunctionFacts:
    """Its role (``ValueError`` for an imported function without one), path and resource;
    ``ValueError`` for a function Lambda never invokes (reserved concurrency 0)."""
    node = function.node
    path = node.path
    role = function.role
    if role is None:
        raise ValueError(
            f"function {path} was imported without its role, so the event "
            "source's permissions cannot be granted to it; import it with "
            "lambda_.Function.from_function_attributes(scope, id, function_arn=..., "
            "role=iam.Role.from_role_arn(...)), or pass a function defined in this app"
        )
    resource = node.default_child
    cfn = resource if isinstance(resource, lambda_.CfnFunction) else None
    if cfn is not None and cfn.reserved_concurrent_executions == 0:
        raise ValueError(
            f"function {path} has reserved_concurrent_executions=0, so Lambda "
            "never invokes it: every message or record would be retried and then given up. "
            "Give it a reserved concurrency of at least 1 (or none), or disable the consumer "
            "another way"
        )
    return FunctionFacts(role=role, path=path, cfn=cfn)
