"""Rules on EventBridge Pipes (``Messaging-PIPE*``): the pipe's role against its source,
enrichment, target and dead-letter target, and what catches a record the pipe cannot deliver.

A pipe reads, enriches and writes with its execution role (RoleArn), never as a service
principal: what it may do is what the role's policies (and, for encrypted resources, the key
policies) allow. Resource policies of the source and target are not needed in one account.
"""

from __future__ import annotations

from collections.abc import Iterator

from patterns.messaging.connections import (
    QUEUE,
    TOPIC,
    Pipe,
    encryption_key,
    function_id,
    is_fifo_queue,
    is_fifo_topic,
    pipes,
    queue_id,
    topic_id,
)
from patterns.messaging.model import (
    Resolved,
    StackModel,
    Target,
    as_bool,
    as_json_object,
)
from patterns.messaging.permissions import (
    customer_key_denies,
    role_may,
    role_trusts,
)
from patterns.messaging.rules.base import (
    ERROR,
    INFO,
    WARNING,
    Hit,
    Rule,
    cannot_follow,
    describe,
    rule,
)
from patterns.messaging.rules.role_checks import missing_grant

PIPES_PERMISSIONS = (
    "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html"
)
PIPES_ERRORS = (
    "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html"
)
PIPES_SQS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html"
PIPES_KINESIS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-kinesis.html"
PIPES_DYNAMODB = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-dynamodb.html"
PIPES_ENRICHMENT = "https://docs.aws.amazon.com/eventbridge/latest/userguide/pipes-enrichment.html"
PIPES_TARGETS = (
    "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-target.html"
)
PIPES_CFN = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-pipes-pipe.html"
)
KMS_KEY_POLICY = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
SQS_KEY_MANAGEMENT = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html"

PIPES_PRINCIPAL = "pipes.amazonaws.com"
STATE_MACHINE = "AWS::StepFunctions::StateMachine"

# Source kind -> what the role must be allowed to read it (eb-pipes-permissions).
SOURCE_ACTIONS = {
    "queue": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    "kinesis": ("kinesis:GetRecords", "kinesis:GetShardIterator"),
    "dynamodb": ("dynamodb:GetRecords", "dynamodb:GetShardIterator"),
    "broker": ("mq:DescribeBroker",),
}
# Target resource type -> actions of which the role needs at least one per group.
TARGET_ACTIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    QUEUE: (("sqs:SendMessage",),),
    TOPIC: (("sns:Publish",),),
    "AWS::Lambda::Function": (("lambda:InvokeFunction",),),
    "AWS::Kinesis::Stream": (("kinesis:PutRecord", "kinesis:PutRecords"),),
    "AWS::KinesisFirehose::DeliveryStream": (("firehose:PutRecord", "firehose:PutRecordBatch"),),
    "AWS::Events::EventBus": (("events:PutEvents",),),
    STATE_MACHINE: (("states:StartExecution", "states:StartSyncExecution"),),
}


def _role(model: StackModel, pipe: Pipe) -> str | None:
    if isinstance(pipe.role, Resolved) and model.type_of(pipe.role.logical_id) == "AWS::IAM::Role":
        return pipe.role.logical_id
    return None


def _resource(model: StackModel, target: Target) -> str | None:
    """The logical ID a pipe's ARN names (through aliases and versions for functions)."""
    function = function_id(model, target)
    if function is not None:
        return function
    return target.logical_id if isinstance(target, Resolved) else None


def _may(model: StackModel, role: str, action: str, resource: str, named: Target | None) -> bool:
    """The role may do ``action`` on the resource, or on the alias or version that names it."""
    aliases = {resource}
    if isinstance(named, Resolved):
        aliases.add(named.logical_id)
    return any(role_may(model, role, action, r) for r in aliases)


def _key_hits(
    model: StackModel, pipe: Pipe, role: str, resource: str, actions: tuple[str, ...], what: str
) -> Iterator[Hit]:
    key = encryption_key(model, resource)
    if key.kind == "unknown":
        note = f"not checked: the key of {what} {resource} is {key.detail}"
        yield Hit(pipe.logical_id, note, INFO)
    for action in actions:
        if customer_key_denies(model, key, role, action):
            yield missing_grant(
                model,
                role,
                pipe.logical_id,
                f"role {role} may not {action} with {key.logical_id}, which encrypts {what} "
                f"{resource}",
            )


def _roles(model: StackModel) -> Iterator[tuple[Pipe, str]]:
    """Every pipe with its role's logical ID ("" when the role is not in the template)."""
    for pipe in pipes(model):
        yield pipe, _role(model, pipe) or ""


@rule(
    "PIPE1",
    ERROR,
    title="An EventBridge pipe's role does not trust pipes.amazonaws.com.",
    why="EventBridge Pipes reads the source and writes the target by assuming the pipe's role; a "
    "role whose trust policy does not admit pipes.amazonaws.com cannot be assumed, so the pipe "
    "never polls its source and the records expire there.",
    fix="Let the service principal pipes.amazonaws.com assume the role (sts:AssumeRole), scoped by "
    "aws:SourceAccount (CDK: iam.Role(assumed_by=iam.ServicePrincipal('pipes.amazonaws.com'))).",
    sources=(PIPES_PERMISSIONS, PIPES_CFN),
)
def pipe_role_trust(model: StackModel) -> Iterator[Hit]:
    for pipe, role in _roles(model):
        if not role:
            yield cannot_follow(pipe.logical_id, "the pipe's role", pipe.role)
            continue
        if not role_trusts(model, role, PIPES_PRINCIPAL):
            yield Hit(pipe.logical_id, f"role {role} cannot be assumed by {PIPES_PRINCIPAL}")


@rule(
    "PIPE2",
    ERROR,
    title="An EventBridge pipe's role may not read its source (or decrypt it).",
    why="The pipe polls the source with its role: without sqs:ReceiveMessage, sqs:DeleteMessage "
    "and sqs:GetQueueAttributes on a queue, kinesis:GetRecords and kinesis:GetShardIterator on a "
    "Kinesis stream, dynamodb:GetRecords and dynamodb:GetShardIterator on a DynamoDB stream, "
    "mq:DescribeBroker on a broker and secretsmanager:GetSecretValue on its credentials, and "
    "kms:Decrypt on a customer-managed key that encrypts the "
    "queue or stream, nothing is read (the pipe is disabled after repeated authorization "
    "errors) and the messages expire in the source.",
    fix="Grant the role read access to the source (CDK: queue.grant_consume_messages(role), "
    "stream.grant_read(role), table.grant_stream_read(role)); the grants include the key.",
    sources=(PIPES_PERMISSIONS, PIPES_ERRORS, SQS_KEY_MANAGEMENT, KMS_KEY_POLICY),
)
def pipe_source_access(model: StackModel) -> Iterator[Hit]:
    for pipe, role in _roles(model):
        if not role:
            continue
        needed = SOURCE_ACTIONS.get(pipe.source_kind)
        source = _resource(model, pipe.source)
        if needed is None or source is None:
            yield cannot_follow(pipe.logical_id, "the pipe's source", pipe.source)
            continue
        missing = [a for a in needed if not role_may(model, role, a, source)]
        if missing:
            yield missing_grant(
                model,
                role,
                pipe.logical_id,
                f"role {role} may not {', '.join(missing)} on {describe(model, source)}",
            )
        if pipe.source_kind in ("queue", "kinesis"):
            yield from _key_hits(model, pipe, role, source, ("kms:Decrypt",), "the source")
        credentials = pipe.source_parameters.get("Credentials")
        secret = credentials.get("BasicAuth") if isinstance(credentials, dict) else None
        if pipe.source_kind == "broker" and secret is not None:
            target = model.resolve(secret)
            resource = target.logical_id if isinstance(target, Resolved) else None
            if not role_may(model, role, "secretsmanager:GetSecretValue", resource):
                yield missing_grant(
                    model,
                    role,
                    pipe.logical_id,
                    f"role {role} may not secretsmanager:GetSecretValue on the broker's "
                    f"credentials {resource or secret}",
                )


def _state_machine_type(model: StackModel, resource: str) -> str:
    kind = model.props(resource).get("StateMachineType", "STANDARD")
    return kind.upper() if isinstance(kind, str) else ""


@rule(
    "PIPE3",
    ERROR,
    title="An EventBridge pipe's enrichment cannot be invoked: the role may not, or it is a "
    "Standard state machine.",
    why="The pipe invokes the enrichment synchronously with its role (lambda:InvokeFunction, or "
    "states:StartSyncExecution on an Express state machine; Standard workflows are not supported "
    "as enrichments); when the call fails, no event reaches the target and the records stay in "
    "the source until they expire.",
    fix="Grant the role lambda:InvokeFunction or states:StartSyncExecution on the enrichment "
    "(CDK: fn.grant_invoke(role)), and enrich with an EXPRESS state machine.",
    sources=(PIPES_ENRICHMENT, PIPES_PERMISSIONS),
)
def pipe_enrichment(model: StackModel) -> Iterator[Hit]:
    for pipe, role in _roles(model):
        if pipe.enrichment is None:
            continue
        enrichment = _resource(model, pipe.enrichment)
        if enrichment is None:
            yield cannot_follow(pipe.logical_id, "the pipe's enrichment", pipe.enrichment)
            continue
        kind = model.type_of(enrichment)
        if kind == STATE_MACHINE:
            if _state_machine_type(model, enrichment) == "STANDARD":
                yield Hit(pipe.logical_id, f"enrichment {enrichment} is a STANDARD state machine")
            action = "states:StartSyncExecution"
        elif kind == "AWS::Lambda::Function":
            action = "lambda:InvokeFunction"
        else:
            continue
        if role and not _may(model, role, action, enrichment, pipe.enrichment):
            yield missing_grant(
                model, role, pipe.logical_id, f"role {role} may not {action} on {enrichment}"
            )


@rule(
    "PIPE4",
    ERROR,
    title="An EventBridge pipe's role may not write to its target (or use the target's key), or "
    "a Standard state machine target is invoked synchronously.",
    why="The pipe delivers with its role: without sqs:SendMessage, sns:Publish, "
    "lambda:InvokeFunction, kinesis:PutRecord(s), firehose:PutRecord(Batch), events:PutEvents or "
    "states:StartExecution on the target, and kms:GenerateDataKey on a customer-managed key that "
    "encrypts it, every delivery fails: an SQS source's messages go to its dead-letter queue or "
    "expire, a stream's records are retried until they expire. A Standard workflow target "
    "accepts only FIRE_AND_FORGET invocations.",
    fix="Grant the role the target's write action (CDK: queue.grant_send_messages(role), "
    "topic.grant_publish(role), fn.grant_invoke(role), ...) and kms:GenerateDataKey on its key; "
    "invoke a Standard state machine with InvocationType FIRE_AND_FORGET.",
    sources=(PIPES_PERMISSIONS, PIPES_TARGETS, PIPES_ERRORS, SQS_KEY_MANAGEMENT),
)
def pipe_target_access(model: StackModel) -> Iterator[Hit]:
    for pipe, role in _roles(model):
        target = _resource(model, pipe.target)
        if target is None:
            yield cannot_follow(pipe.logical_id, "the pipe's target", pipe.target)
            continue
        kind = model.type_of(target)
        if kind == STATE_MACHINE:
            parameters = pipe.properties.get("TargetParameters") or {}
            step = parameters.get("StepFunctionStateMachineParameters") or {}
            invocation = step.get("InvocationType") if isinstance(step, dict) else None
            standard = _state_machine_type(model, target) == "STANDARD"
            if invocation == "REQUEST_RESPONSE" and standard:
                yield Hit(pipe.logical_id, f"STANDARD state machine {target} with REQUEST_RESPONSE")
        if not role:
            continue
        for group in TARGET_ACTIONS.get(kind, ()):
            if not any(_may(model, role, action, target, pipe.target) for action in group):
                yield missing_grant(
                    model,
                    role,
                    pipe.logical_id,
                    f"role {role} may not {' or '.join(group)} on {target}",
                )
        if kind in (QUEUE, TOPIC, "AWS::Kinesis::Stream"):
            yield from _key_hits(model, pipe, role, target, ("kms:GenerateDataKey",), "the target")


@rule(
    "PIPE5",
    WARNING,
    title="An EventBridge pipe reads a Kinesis or DynamoDB stream without a dead-letter target.",
    why="For a stream source the pipe retries a failing batch up to MaximumRetryAttempts or "
    "MaximumRecordAgeInSeconds (both unlimited by default, so the shard stalls until the records "
    "expire) and then discards it; only SourceParameters' DeadLetterConfig keeps the records "
    "that failed.",
    fix="Set DeadLetterConfig (an SQS queue or SNS topic the role may write to) and bounded "
    "MaximumRetryAttempts / MaximumRecordAgeInSeconds in the stream's source parameters.",
    sources=(PIPES_ERRORS, PIPES_KINESIS, PIPES_DYNAMODB),
)
def pipe_stream_without_dlq(model: StackModel) -> Iterator[Hit]:
    for pipe in pipes(model):
        if pipe.source_kind in ("kinesis", "dynamodb") and pipe.dead_letter is None:
            yield Hit(pipe.logical_id, f"{pipe.source_kind} stream source without DeadLetterConfig")


@rule(
    "PIPE6",
    WARNING,
    title="An EventBridge pipe reads an SQS queue that has no dead-letter queue.",
    why="A pipe has no dead-letter target of its own for an SQS source: it retries a message "
    "that fails in the enrichment or target until the queue's maxReceiveCount, and without a "
    "redrive policy that is until the retention period ends, when the message is deleted.",
    fix="Give the source queue a redrive policy to a dead-letter queue (CDK: dead_letter_queue=).",
    sources=(PIPES_ERRORS, PIPES_SQS),
    overlaps=("Serverless-SQSRedrivePolicy", "AwsSolutions-SQS3"),
)
def pipe_queue_without_dlq(model: StackModel) -> Iterator[Hit]:
    for pipe in pipes(model):
        if pipe.source_kind != "queue":
            continue
        queue = queue_id(model, pipe.source)
        if queue is None:
            yield cannot_follow(pipe.logical_id, "the source queue", pipe.source)
        elif not as_json_object(model.props(queue).get("RedrivePolicy")):
            yield Hit(pipe.logical_id, f"source queue {queue} has no redrive policy")


@rule(
    "PIPE7",
    ERROR,
    title="An EventBridge pipe's dead-letter target cannot receive from the pipe's role.",
    why="The pipe sends the records of failed batches to the dead-letter queue or topic with its "
    "role: without sqs:SendMessage or sns:Publish (and kms:GenerateDataKey on a customer-managed "
    "key that encrypts it) the very records it should keep are lost.",
    fix="Grant the role sqs:SendMessage on the dead-letter queue or sns:Publish on the topic "
    "(CDK: queue.grant_send_messages(role)), and the key's kms:GenerateDataKey.",
    sources=(PIPES_PERMISSIONS, PIPES_ERRORS),
)
def pipe_dead_letter_access(model: StackModel) -> Iterator[Hit]:
    for pipe, role in _roles(model):
        if pipe.dead_letter is None or not role:
            continue
        queue, topic = queue_id(model, pipe.dead_letter), topic_id(model, pipe.dead_letter)
        destination = queue or topic
        if destination is None:
            yield cannot_follow(pipe.logical_id, "the pipe's dead-letter target", pipe.dead_letter)
            continue
        action = "sqs:SendMessage" if queue else "sns:Publish"
        if not role_may(model, role, action, destination):
            yield missing_grant(
                model, role, pipe.logical_id, f"role {role} may not {action} on {destination}"
            )
        yield from _key_hits(
            model, pipe, role, destination, ("kms:GenerateDataKey",), "the dead-letter target"
        )


SQS_SEND_MESSAGE = (
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html"
)
PIPES_TARGET_SQS = "https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_PipeTargetSqsQueueParameters.html"


@rule(
    "PIPE8",
    ERROR,
    title="An EventBridge pipe writes to a FIFO queue without a message group ID (or a "
    "deduplication ID the queue needs).",
    why="SQS refuses a message to a FIFO queue without MessageGroupId, and without "
    "MessageDeduplicationId unless the queue has content-based deduplication: every delivery "
    "of the pipe fails.",
    fix="Set TargetParameters.SqsQueueParameters.MessageGroupId (a JSON path of the event, or a "
    "constant), and MessageDeduplicationId or ContentBasedDeduplication on the queue.",
    sources=(PIPES_TARGET_SQS, SQS_SEND_MESSAGE),
)
def pipe_fifo_target(model: StackModel) -> Iterator[Hit]:
    for pipe in pipes(model):
        queue = queue_id(model, pipe.target)
        if queue is None or not is_fifo_queue(model, queue):
            continue
        parameters = pipe.properties.get("TargetParameters") or {}
        sqs = parameters.get("SqsQueueParameters") if isinstance(parameters, dict) else None
        sqs = sqs if isinstance(sqs, dict) else {}
        if not sqs.get("MessageGroupId"):
            yield Hit(pipe.logical_id, f"FIFO queue {queue} without MessageGroupId")
        content_based = as_bool(model.props(queue).get("ContentBasedDeduplication")) is True
        if not sqs.get("MessageDeduplicationId") and not content_based:
            yield Hit(
                pipe.logical_id,
                f"FIFO queue {queue} without MessageDeduplicationId or content-based deduplication",
            )


@rule(
    "PIPE9",
    ERROR,
    title="An EventBridge pipe targets an SNS FIFO topic.",
    why="EventBridge Pipes do not support SNS FIFO topics as a target (the list of pipe targets "
    'says "Amazon SNS topic (SNS FIFO topics not supported)"): the pipe cannot deliver to '
    "it, and what it reads from its source fails or is lost.",
    fix="Target a standard topic, or an SQS FIFO queue (with a message group ID) that the FIFO "
    "topic's consumers read instead, or publish to the FIFO topic from a function the pipe "
    "invokes.",
    sources=(PIPES_TARGETS,),
)
def pipe_fifo_topic_target(model: StackModel) -> Iterator[Hit]:
    for pipe in pipes(model):
        topic = topic_id(model, pipe.target)
        if topic is not None and is_fifo_topic(model, topic):
            yield Hit(pipe.logical_id, f"target {topic} is an SNS FIFO topic")


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    pipe_role_trust,
    pipe_source_access,
    pipe_enrichment,
    pipe_target_access,
    pipe_stream_without_dlq,
    pipe_queue_without_dlq,
    pipe_dead_letter_access,
    pipe_fifo_target,
    pipe_fifo_topic_target,
)
