"""Rules on Lambda functions that consume queues and streams (``Messaging-LAMBDA*``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from patterns.limits import (
    LAMBDA_DEFAULT_TIMEOUT_SECONDS,
    LAMBDA_SQS_BATCH_SIZE_DEFAULT,
    LAMBDA_SQS_BATCH_SIZE_RANGE,
    LAMBDA_SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX,
    LAMBDA_SQS_FIFO_BATCH_SIZE_RANGE,
    LAMBDA_SQS_VISIBILITY_TIMEOUT_FACTOR,
)
from patterns.messaging.connections import (
    DEFAULT_VISIBILITY,
    QUEUE,
    event_source_mappings,
    is_fifo_queue,
    queue_id,
)
from patterns.messaging.model import (
    Resolved,
    StackModel,
    Target,
    as_bool,
    as_int,
    as_json_object,
    as_list,
    text_of,
)
from patterns.messaging.permissions import (
    KeyInfo,
    key_info,
    role_may_decrypt,
)
from patterns.messaging.rules.base import (
    ERROR,
    INFO,
    KINESIS_KEY_PERMISSIONS,
    WARNING,
    Hit,
    Rule,
    cannot_follow,
    rule,
)
from patterns.messaging.rules.role_checks import execution_role

LAMBDA_SQS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"
LAMBDA_SQS_ERRORS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html"
LAMBDA_KINESIS_ERRORS = (
    "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html"
)
SQS_LAMBDA_TRIGGER = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html"


def _function_timeout(model: StackModel, target: Target) -> int | None:
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == "AWS::Lambda::Function":
        value = model.props(target.logical_id).get("Timeout")
        return LAMBDA_DEFAULT_TIMEOUT_SECONDS if value is None else as_int(value)
    return None


def _visibility(model: StackModel, queue: str) -> int | None:
    value = model.props(queue).get("VisibilityTimeout")
    return DEFAULT_VISIBILITY if value is None else as_int(value)


def sqs_mappings(
    model: StackModel,
) -> Iterator[tuple[str, dict[str, Any], str | None, Target, Target]]:
    for mapping, props, source, function in event_source_mappings(model):
        text = text_of(model, props.get("EventSourceArn")) or ""
        queue = queue_id(model, source)
        if queue is not None or ":sqs:" in text:
            yield mapping, props, queue, source, function


@rule(
    "LAMBDA1",
    ERROR,
    title="A queue's visibility timeout is shorter than the timeout of the function that consumes"
    " it.",
    why="Lambda refuses to create the event source mapping (the deploy fails); were it allowed, "
    "a message would reappear while the function still works on it.",
    fix="Set the queue's visibility timeout to at least six times the function timeout.",
    sources=(LAMBDA_SQS,),
)
def lambda_visibility_below_timeout(model: StackModel) -> Iterator[Hit]:
    for mapping, _, queue, source, function in sqs_mappings(model):
        if queue is None:
            yield cannot_follow(mapping, "the queue", source)
            continue
        timeout = _function_timeout(model, function)
        if timeout is None:
            yield cannot_follow(mapping, "the function", function)
            continue
        visibility = _visibility(model, queue)
        if visibility is not None and visibility < timeout:
            yield Hit(
                mapping,
                f"{queue} hides messages {visibility} s, the function runs up to {timeout} s",
            )


@rule(
    "LAMBDA2",
    WARNING,
    title="A queue's visibility timeout is shorter than six times the consuming function's "
    "timeout (plus the batching window).",
    why="AWS recommends at least six times the function timeout so Lambda can retry a batch "
    "when the function is throttled; shorter, messages return to the queue and count receives "
    "towards the dead-letter queue while still being processed.",
    fix="Set the visibility timeout to at least 6 x function timeout + "
    "MaximumBatchingWindowInSeconds.",
    sources=(LAMBDA_SQS, SQS_LAMBDA_TRIGGER),
)
def lambda_visibility_below_six_times(model: StackModel) -> Iterator[Hit]:
    for mapping, props, queue, _, function in sqs_mappings(model):
        timeout = _function_timeout(model, function)
        if queue is None or timeout is None:
            continue
        visibility = _visibility(model, queue)
        window = as_int(props.get("MaximumBatchingWindowInSeconds", 0)) or 0
        wanted = LAMBDA_SQS_VISIBILITY_TIMEOUT_FACTOR * timeout + window
        if visibility is not None and timeout <= visibility < wanted:
            yield Hit(mapping, f"{queue} hides messages {visibility} s, recommended {wanted} s")


@rule(
    "LAMBDA3",
    WARNING,
    title="An SQS event source mapping of more than one message per batch does not report batch "
    "item failures.",
    why="Without ReportBatchItemFailures Lambda ignores the batchItemFailures a function returns: "
    "a handler that returns them (instead of raising) succeeds, and Lambda deletes the whole "
    "batch, failed messages included, which are lost. A handler that raises returns the whole "
    "batch to the queue instead: processed messages run again and good messages reach the "
    "dead-letter queue with the bad one. With BatchSize 1 a failure concerns one message only, "
    "so the rule does not apply.",
    fix="Set FunctionResponseTypes to [ReportBatchItemFailures] (CDK: "
    "report_batch_item_failures=True) and return batchItemFailures from the function.",
    sources=(LAMBDA_SQS_ERRORS,),
)
def lambda_sqs_partial_batch(model: StackModel) -> Iterator[Hit]:
    for mapping, props, _, _, function in sqs_mappings(model):
        size = as_int(props.get("BatchSize", LAMBDA_SQS_BATCH_SIZE_DEFAULT))
        if size == 1 or returns_batch_item_failures(model, function):
            continue  # one message per batch; or LAMBDA9's error
        if "ReportBatchItemFailures" not in as_list(props.get("FunctionResponseTypes")):
            yield Hit(mapping, "FunctionResponseTypes lacks ReportBatchItemFailures")


# A handler's response naming batchItemFailures: a Python or JSON key, or a JavaScript property.
_BATCH_ITEM_FAILURES = re.compile(r"""["']batchItemFailures["']\s*:|\bbatchItemFailures\s*:""")


def returns_batch_item_failures(model: StackModel, function: Target) -> bool:
    """The function's inline code (Code.ZipFile) builds a response with batchItemFailures."""
    if not (
        isinstance(function, Resolved)
        and model.type_of(function.logical_id) == "AWS::Lambda::Function"
    ):
        return False
    code = model.props(function.logical_id).get("Code")
    inline = code.get("ZipFile") if isinstance(code, dict) else None
    return isinstance(inline, str) and _BATCH_ITEM_FAILURES.search(inline) is not None


@rule(
    "LAMBDA9",
    ERROR,
    title="A function returns batchItemFailures for an SQS event source mapping that does not "
    "report batch item failures.",
    why="The function's inline code catches its failures and returns them as batchItemFailures. "
    "Without ReportBatchItemFailures on the mapping Lambda ignores that response: the "
    "invocation succeeded, so Lambda deletes the whole batch, and every message the function "
    "reported as failed is lost, never retried nor moved to the dead-letter queue.",
    fix="Set FunctionResponseTypes to [ReportBatchItemFailures] on the mapping (CDK: "
    "SqsEventSource(queue, report_batch_item_failures=True)).",
    sources=(LAMBDA_SQS_ERRORS,),
)
def lambda_batch_item_failures_ignored(model: StackModel) -> Iterator[Hit]:
    for mapping, props, _, _, function in sqs_mappings(model):
        if "ReportBatchItemFailures" in as_list(props.get("FunctionResponseTypes")):
            continue
        if returns_batch_item_failures(model, function):
            yield Hit(
                mapping,
                f"{getattr(function, 'logical_id', 'the function')} returns batchItemFailures, "
                "which the mapping ignores (FunctionResponseTypes lacks ReportBatchItemFailures)",
            )


@rule(
    "LAMBDA4",
    WARNING,
    title="A Kinesis or DynamoDB stream event source lacks bisect-on-error, a maximum record age "
    "or an on-failure destination.",
    why="A record the function cannot process blocks its shard and is retried until it "
    "expires from the stream; without bisecting, an age limit and an on-failure destination "
    "the shard stalls and the record is lost without trace.",
    fix="Set BisectBatchOnFunctionError, MaximumRecordAgeInSeconds (or MaximumRetryAttempts) "
    "and DestinationConfig.OnFailure (an SQS queue or SNS topic).",
    sources=(
        LAMBDA_KINESIS_ERRORS,
        "https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html",
    ),
    overlaps=("Serverless-LambdaEventSourceMappingDestination",),
)
def lambda_stream_failures(model: StackModel) -> Iterator[Hit]:
    for mapping, props in stream_mappings(model):
        missing = []
        if as_bool(props.get("BisectBatchOnFunctionError")) is not True:
            missing.append("BisectBatchOnFunctionError")
        age = as_int(props.get("MaximumRecordAgeInSeconds", -1))
        retries = as_int(props.get("MaximumRetryAttempts", -1))
        if age in (None, -1) and retries in (None, -1):
            missing.append("MaximumRecordAgeInSeconds")
        if not _has_on_failure(props) and not _discards(props):  # LAMBDA11 otherwise
            missing.append("DestinationConfig.OnFailure")
        if missing:
            yield Hit(mapping, "missing " + ", ".join(missing))


def _has_on_failure(props: dict[str, Any]) -> bool:
    destination = props.get("DestinationConfig") or {}
    on_failure = destination.get("OnFailure") if isinstance(destination, dict) else None
    return isinstance(on_failure, dict) and bool(on_failure.get("Destination"))


def _discards(props: dict[str, Any]) -> list[str]:
    """The limits after which Lambda discards a stream's records (MaximumRetryAttempts,
    MaximumRecordAgeInSeconds), as set on the mapping; [] when both are unlimited (-1)."""
    limits = []
    for name in ("MaximumRetryAttempts", "MaximumRecordAgeInSeconds"):
        value = as_int(props.get(name, -1))
        if value is not None and value != -1:
            limits.append(f"{name} {value}")
    return limits


def stream_mappings(model: StackModel) -> Iterator[tuple[str, dict[str, Any]]]:
    """(mapping, its properties) for every Kinesis or DynamoDB stream event source mapping."""
    for mapping, props, source, _ in event_source_mappings(model):
        text = text_of(model, props.get("EventSourceArn")) or ""
        is_stream = ":kinesis:" in text or "/stream/" in text
        if isinstance(source, Resolved):
            kind = model.type_of(source.logical_id)
            is_stream = (
                kind in ("AWS::Kinesis::Stream", "AWS::Kinesis::StreamConsumer")
                or (kind == "AWS::DynamoDB::Table" and source.attribute == "StreamArn")
                or kind == "AWS::DynamoDB::GlobalTable"
            )
        if is_stream:
            yield mapping, props


LAMBDA_KINESIS_ON_FAILURE = (
    "https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html"
)


@rule(
    "LAMBDA11",
    ERROR,
    title="A Kinesis or DynamoDB stream event source limits retries or record age but has no "
    "on-failure destination.",
    why="When a batch still fails after MaximumRetryAttempts, or its records are older than "
    "MaximumRecordAgeInSeconds, Lambda discards the records and goes on with the shard. "
    "Without an on-failure destination nothing keeps them, not even a record of which ones "
    "failed: the limits were set so that failures are skipped, and each skipped record is "
    "lost.",
    fix="Set DestinationConfig.OnFailure to an SQS queue or SNS topic (CDK: "
    "KinesisEventSource(..., on_failure=SqsDlq(queue))) and grant the function's role to "
    "send to it.",
    sources=(LAMBDA_KINESIS_ON_FAILURE, LAMBDA_KINESIS_ERRORS),
    overlaps=("Serverless-LambdaEventSourceMappingDestination",),
)
def lambda_stream_discards(model: StackModel) -> Iterator[Hit]:
    for mapping, props in stream_mappings(model):
        limits = _discards(props)
        if limits and not _has_on_failure(props):
            yield Hit(
                mapping,
                f"records are discarded after {' or '.join(limits)} and no OnFailure "
                "destination keeps them",
            )


@rule(
    "LAMBDA5",
    WARNING,
    title="A queue consumed by Lambda moves messages to its dead-letter queue after fewer than 5 "
    "receives.",
    why="Lambda receives a message again when the function is throttled; AWS recommends a "
    "maxReceiveCount of at least 5 so throttling alone does not send good messages to the "
    "dead-letter queue.",
    fix="Set the queue's redrive policy maxReceiveCount to 5 or more.",
    sources=(LAMBDA_SQS_ERRORS, LAMBDA_SQS),
)
def lambda_max_receive_count(model: StackModel) -> Iterator[Hit]:
    for mapping, _, queue, _, _ in sqs_mappings(model):
        if queue is None:
            continue
        redrive = as_json_object(model.props(queue).get("RedrivePolicy")) or {}
        count = as_int(redrive.get("maxReceiveCount")) if "maxReceiveCount" in redrive else None
        if count is not None and count < 5:
            yield Hit(mapping, f"{queue} has maxReceiveCount {count}")


LAMBDA_SQS_PARAMETERS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html"


@rule(
    "LAMBDA6",
    ERROR,
    title="An SQS event source mapping's batch size or batching window does not fit its queue.",
    why="Lambda rejects the mapping: a FIFO queue takes batches of at most 10 and no batching "
    "window; a standard queue takes at most 10,000, and more than 10 only with a batching "
    "window of at least one second. The deploy fails.",
    fix="For a FIFO queue, BatchSize 1-10 without MaximumBatchingWindowInSeconds; for a "
    "standard queue, BatchSize up to 10,000 with a window of at least 1 s above 10.",
    sources=(LAMBDA_SQS_PARAMETERS,),
)
def lambda_sqs_batching(model: StackModel) -> Iterator[Hit]:
    for mapping, props, queue, _, _ in sqs_mappings(model):
        if queue is None:
            continue
        size = as_int(props.get("BatchSize", LAMBDA_SQS_BATCH_SIZE_DEFAULT))
        window = as_int(props.get("MaximumBatchingWindowInSeconds", 0))
        if size is None or window is None:
            continue
        if is_fifo_queue(model, queue):
            if size > LAMBDA_SQS_FIFO_BATCH_SIZE_RANGE[1]:
                yield Hit(
                    mapping,
                    f"BatchSize {size} on FIFO queue {queue} "
                    f"(at most {LAMBDA_SQS_FIFO_BATCH_SIZE_RANGE[1]})",
                )
            if window > 0:
                yield Hit(mapping, f"a batching window on FIFO queue {queue}")
        elif size > LAMBDA_SQS_BATCH_SIZE_RANGE[1]:
            yield Hit(
                mapping, f"BatchSize {size} on {queue} (at most {LAMBDA_SQS_BATCH_SIZE_RANGE[1]:,})"
            )
        elif size > LAMBDA_SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX and window < 1:
            yield Hit(mapping, f"BatchSize {size} without a batching window of at least 1 s")


def _source_key(model: StackModel, source: Target) -> KeyInfo | None:
    """The key of a queue or Kinesis stream event source (None for other sources)."""
    if not isinstance(source, Resolved):
        return None
    kind = model.type_of(source.logical_id)
    props = model.props(source.logical_id)
    if kind == QUEUE:
        return key_info(model, props.get("KmsMasterKeyId"))
    if kind == "AWS::Kinesis::Stream":
        encryption = props.get("StreamEncryption")
        return key_info(model, encryption.get("KeyId") if isinstance(encryption, dict) else None)
    return None


@rule(
    "LAMBDA7",
    ERROR,
    title="A function consumes a queue or stream encrypted with a customer-managed key its "
    "execution role may not decrypt with.",
    why="Lambda polls the queue or reads the stream with the function's execution role; "
    "without kms:Decrypt on the key (from the key policy, or from the role's policies where "
    "the key policy delegates to the account) nothing is ever delivered to the function and "
    "the messages or records expire.",
    fix="Grant the execution role kms:Decrypt on the key (CDK: queue.grant_consume_messages(fn), "
    "stream.grant_read(fn) or key.grant_decrypt(fn)).",
    sources=(SQS_LAMBDA_TRIGGER, KINESIS_KEY_PERMISSIONS),
)
def lambda_source_key(model: StackModel) -> Iterator[Hit]:
    for mapping, _, source, function in event_source_mappings(model):
        key = _source_key(model, source)
        if key is None or key.kind in ("none", "aws-managed"):
            continue
        if key.kind != "customer" or key.logical_id is None:
            yield Hit(mapping, f"not checked: the source's key is {key.detail}", INFO)
            continue
        role = execution_role(model, mapping, function)
        if isinstance(role, Hit):
            yield role
        elif not role_may_decrypt(model, role, key.logical_id):
            yield Hit(mapping, f"role {role} may not kms:Decrypt with {key.logical_id}")


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    lambda_visibility_below_timeout,
    lambda_visibility_below_six_times,
    lambda_sqs_partial_batch,
    lambda_batch_item_failures_ignored,
    lambda_stream_failures,
    lambda_stream_discards,
    lambda_max_receive_count,
    lambda_sqs_batching,
    lambda_source_key,
)
