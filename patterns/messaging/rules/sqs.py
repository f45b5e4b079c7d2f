"""Rules on SQS queues, their redrive policies and limits (``Messaging-SQS*``)."""

from __future__ import annotations

from collections.abc import Iterator

from patterns import limits
from patterns.limits import SQS_QUEUE_NAME_MAX_LENGTH, NameProblem, name_problems
from patterns.messaging.connections import (
    DEFAULT_RETENTION,
    QUEUE,
    external_fifo,
    is_fifo_queue,
    queue_id,
    redrives,
)
from patterns.messaging.model import (
    LiteralValue,
    Resolved,
    StackModel,
    Unknown,
    as_int,
    as_json_object,
    as_list,
)
from patterns.messaging.readers import dead_letter_queues, queue_readers
from patterns.messaging.rules.base import (
    ERROR,
    QUEUE_QUOTAS,
    WARNING,
    Hit,
    Rule,
    cannot_follow,
    rule,
)

SQS_DLQ = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html"
SQS_DLQ_RETENTION = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html"
SQS_CREATE_QUEUE = (
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"
)


@rule(
    "SQS1",
    ERROR,
    title="A FIFO queue has a standard dead-letter queue, or a standard queue a FIFO one.",
    why="SQS requires the dead-letter queue to be of the same type as its source queue: the "
    "deploy fails.",
    fix="Make the dead-letter queue FIFO for a FIFO queue and standard for a standard one.",
    sources=(SQS_DLQ,),
)
def sqs_dlq_type(model: StackModel) -> Iterator[Hit]:
    for queue, _, target in redrives(model):
        dlq = queue_id(model, target)
        dlq_fifo = is_fifo_queue(model, dlq) if dlq else external_fifo(target)
        if dlq_fifo is None:
            if dlq is None:
                yield cannot_follow(queue, "the dead-letter queue", target)
            continue
        if dlq_fifo != is_fifo_queue(model, queue):
            kind = "FIFO" if is_fifo_queue(model, queue) else "standard"
            yield Hit(queue, f"{kind} queue {queue} redrives to {dlq or target} of the other type")


def _retention(model: StackModel, logical_id: str) -> int | None:
    value = model.props(logical_id).get("MessageRetentionPeriod")
    return DEFAULT_RETENTION if value is None else as_int(value)


@rule(
    "SQS2",
    ERROR,
    title="A standard queue's dead-letter queue keeps messages for less time than the queue.",
    why="A standard queue's message keeps its original enqueue time in the dead-letter queue, "
    "so it expires there once the DLQ's retention has passed since it was first sent: a "
    "message that failed late is deleted at once.",
    fix="Give the dead-letter queue a longer retention period than its source (up to 14 days).",
    sources=(SQS_DLQ_RETENTION,),
)
def sqs_dlq_retention(model: StackModel) -> Iterator[Hit]:
    for queue, _, target in redrives(model):
        dlq = queue_id(model, target)
        if dlq is None or is_fifo_queue(model, queue):
            continue
        source, kept = _retention(model, queue), _retention(model, dlq)
        if source is not None and kept is not None and kept < source:
            yield Hit(
                queue,
                f"dead-letter queue {dlq} keeps messages {kept} s, less than {queue} ({source} s)",
            )


@rule(
    "SQS3",
    ERROR,
    title="A dead-letter queue's redrive allow policy excludes the queue that uses it.",
    why="SQS only moves messages to a dead-letter queue whose RedriveAllowPolicy admits the "
    "source queue; with denyAll, or byQueue without the source, the redrive is refused.",
    fix="Set the DLQ's RedriveAllowPolicy to allowAll, or to byQueue listing the source queue's "
    "ARN.",
    sources=(SQS_DLQ, SQS_CREATE_QUEUE),
)
def sqs_redrive_allow(model: StackModel) -> Iterator[Hit]:
    for queue, _, target in redrives(model):
        dlq = queue_id(model, target)
        if dlq is None:
            continue
        allow = as_json_object(model.props(dlq).get("RedriveAllowPolicy"))
        if not allow:
            continue
        permission = allow.get("redrivePermission")
        if permission == "denyAll":
            yield Hit(queue, f"{dlq} denies every source queue (redrivePermission denyAll)")
        elif permission == "byQueue":
            sources = [model.resolve(s) for s in as_list(allow.get("sourceQueueArns"))]
            if any(isinstance(s, Unknown) for s in sources):
                continue
            if any(isinstance(s, LiteralValue) and "*" in s.text for s in sources):
                continue
            if not any(isinstance(s, Resolved) and s.logical_id == queue for s in sources):
                yield Hit(queue, f"{dlq} admits only other source queues (byQueue)")


@rule(
    "SQS4",
    ERROR,
    title="A queue name breaks SQS's naming rules.",
    why=f"A queue name has at most {SQS_QUEUE_NAME_MAX_LENGTH} characters of letters, digits, "
    "hyphens and underscores, and a FIFO queue's name (only a FIFO queue's) ends in .fifo; "
    "otherwise the deploy fails.",
    fix="Shorten or correct the name, or leave it out and let CloudFormation generate one.",
    sources=(QUEUE_QUOTAS, SQS_CREATE_QUEUE),
)
def sqs_names(model: StackModel) -> Iterator[Hit]:
    for queue, props in model.of_type(QUEUE):
        name = props.get("QueueName")
        if not isinstance(name, str):
            continue
        fifo = is_fifo_queue(model, queue)
        problems = name_problems(name, fifo=fifo, max_length=SQS_QUEUE_NAME_MAX_LENGTH)
        if NameProblem.TOO_LONG in problems:
            yield Hit(
                queue,
                f"queue name {name!r} has {len(name)} characters "
                f"(at most {SQS_QUEUE_NAME_MAX_LENGTH})",
            )
        if NameProblem.BAD_CHARACTERS in problems:
            yield Hit(queue, f"queue name {name!r} has characters other than A-Z a-z 0-9 - _")
        if NameProblem.MISSING_FIFO_SUFFIX in problems:
            yield Hit(queue, f"FIFO queue name {name!r} does not end in .fifo")


SQS_RANGES = (
    ("VisibilityTimeout", 0, limits.SQS_VISIBILITY_TIMEOUT_MAX_SECONDS),
    (
        "MessageRetentionPeriod",
        limits.SQS_RETENTION_MIN_SECONDS,
        limits.SQS_RETENTION_MAX_SECONDS,
    ),
    ("DelaySeconds", 0, limits.SQS_DELIVERY_DELAY_MAX_SECONDS),
    ("MaximumMessageSize", limits.SQS_MESSAGE_SIZE_MIN_BYTES, limits.SQS_MESSAGE_SIZE_MAX_BYTES),
    ("ReceiveMessageWaitTimeSeconds", 0, limits.SQS_RECEIVE_WAIT_MAX_SECONDS),
    (
        "KmsDataKeyReusePeriodSeconds",
        limits.SQS_KMS_DATA_KEY_REUSE_MIN_SECONDS,
        limits.SQS_KMS_DATA_KEY_REUSE_MAX_SECONDS,
    ),
)
MAX_RECEIVE_COUNT = (limits.SQS_MAX_RECEIVE_COUNT_MIN, limits.SQS_MAX_RECEIVE_COUNT_MAX)


@rule(
    "SQS5",
    ERROR,
    title="A queue setting or its redrive maxReceiveCount is outside the range SQS accepts.",
    why=f"SQS rejects the queue (maxReceiveCount {MAX_RECEIVE_COUNT[0]}-"
    f"{MAX_RECEIVE_COUNT[1]:,}, visibility timeout 0-{limits.SQS_VISIBILITY_TIMEOUT_MAX_SECONDS:,} "
    f"s, retention {limits.SQS_RETENTION_MIN_SECONDS}-{limits.SQS_RETENTION_MAX_SECONDS:,} s, "
    f"delay 0-{limits.SQS_DELIVERY_DELAY_MAX_SECONDS} s, message size "
    f"{limits.SQS_MESSAGE_SIZE_MIN_BYTES:,}-{limits.SQS_MESSAGE_SIZE_MAX_BYTES:,} bytes, wait "
    f"time 0-{limits.SQS_RECEIVE_WAIT_MAX_SECONDS} s, data key reuse "
    f"{limits.SQS_KMS_DATA_KEY_REUSE_MIN_SECONDS}-{limits.SQS_KMS_DATA_KEY_REUSE_MAX_SECONDS:,} "
    "s), so the deploy fails; FIFO-only settings on a standard queue fail the same way.",
    fix="Bring the value inside its range.",
    sources=(QUEUE_QUOTAS, SQS_CREATE_QUEUE),
)
def sqs_ranges(model: StackModel) -> Iterator[Hit]:
    for queue, props in model.of_type(QUEUE):
        for name, low, high in SQS_RANGES:
            value = as_int(props.get(name)) if name in props else None
            if value is not None and not low <= value <= high:
                yield Hit(queue, f"{name} {value} is outside {low}-{high}")
        redrive = as_json_object(props.get("RedrivePolicy")) or {}
        count = as_int(redrive.get("maxReceiveCount")) if "maxReceiveCount" in redrive else None
        low, high = MAX_RECEIVE_COUNT
        if count is not None and not low <= count <= high:
            yield Hit(queue, f"maxReceiveCount {count} is outside {low}-{high}")
        if not is_fifo_queue(model, queue):
            for fifo_only in (
                "ContentBasedDeduplication",
                "DeduplicationScope",
                "FifoThroughputLimit",
            ):
                if props.get(fifo_only) not in (None, False, "false"):
                    yield Hit(queue, f"{fifo_only} is set on a standard queue")


LAMBDA_SQS_ERRORS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html"


@rule(
    "SQS6",
    WARNING,
    title="A queue that a function or worker consumes has no dead-letter queue.",
    why="A message the consumer cannot process (a poison message) returns to the queue after "
    "each visibility timeout and is received again, and again, until its retention period "
    "passes and SQS deletes it: it costs a failed run each time, and then it is lost without "
    "trace. A consumer is a Lambda event source mapping on the queue or any role (an ECS task "
    "role, an EC2 instance profile's role, ...) whose policy allows sqs:ReceiveMessage on it; "
    "queues that are themselves dead-letter queues or failure destinations are not checked.",
    fix="Give the queue a RedrivePolicy to a dead-letter queue with a maxReceiveCount of 5 or "
    "more (CDK: dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq)) and "
    "alarm on the dead-letter queue's depth.",
    sources=(SQS_DLQ, LAMBDA_SQS_ERRORS),
    overlaps=("AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"),
)
def sqs_consumer_without_dlq(model: StackModel) -> Iterator[Hit]:
    keeps_failures = dead_letter_queues(model)
    for queue, props in model.of_type(QUEUE):
        if queue in keeps_failures or props.get("RedrivePolicy") is not None:
            continue
        readers = queue_readers(model, queue)
        if readers:
            names = ", ".join(r.logical_id for r in readers)
            yield Hit(queue, f"{queue} is consumed by {names} and has no dead-letter queue")


MAX_RETENTION = limits.SQS_RETENTION_MAX_SECONDS


@rule(
    "SQS7",
    WARNING,
    title="A standard queue's dead-letter queue keeps messages only as long as the queue.",
    why="A standard queue's message keeps its original enqueue time in the dead-letter queue, "
    "so with equal retention periods it expires there at the moment it would have expired in "
    "its source: a message that failed late (after many receives, or while its consumer was "
    "down) is deleted soon after it arrives, before anyone can look at it or redrive it. AWS "
    "recommends a dead-letter queue retention longer than the source's.",
    fix="Give the dead-letter queue a longer retention period than its source (up to 14 days, "
    f"{limits.SQS_RETENTION_MAX_SECONDS:,} s; CDK: retention_period=Duration.days(14)).",
    sources=(SQS_DLQ_RETENTION, SQS_DLQ),
)
def sqs_dlq_retention_equal(model: StackModel) -> Iterator[Hit]:
    for queue, _, target in redrives(model):
        dlq = queue_id(model, target)
        if dlq is None or is_fifo_queue(model, queue):
            continue
        source, kept = _retention(model, queue), _retention(model, dlq)
        # At 14 days the dead-letter queue cannot keep longer: nothing to fix there.
        if source is not None and source == kept and source < MAX_RETENTION:
            yield Hit(queue, f"dead-letter queue {dlq} keeps messages {kept} s, as long as {queue}")


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    sqs_dlq_type,
    sqs_dlq_retention,
    sqs_redrive_allow,
    sqs_names,
    sqs_ranges,
    sqs_consumer_without_dlq,
    sqs_dlq_retention_equal,
)
