"""Rules on EventBridge rules whose targets are reached through a role, rules on a custom bus
that wait for AWS service events, and writers into a delivery stream that only reads a stream
(``Messaging-EBT*``, ``Messaging-EBBUS*``, ``Messaging-FHPUT*``); an event bus as a target is
reached through a role too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from patterns.messaging.connections import (
    encryption_key,
    events_targets,
    is_fifo_queue,
    pipes,
    queue_id,
    subscriptions,
)
from patterns.messaging.model import Resolved, StackModel, Target, as_list, text_of
from patterns.messaging.permissions import (
    actions_cover,
    customer_key_denies,
    role_id,
    role_may,
    role_trusts,
    statements,
)
from patterns.messaging.rules.base import ERROR, WARNING, Hit, Rule, cannot_follow, rule
from patterns.messaging.rules.role_checks import missing_grant

EB_ROLES = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-iam-roles.html"
EB_PUT_TARGETS = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html"
EB_BUS = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_EventBus.html"
EB_BUS_PERMISSIONS = (
    "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html"
)
EB_BUS_TO_BUS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-bus-to-bus.html"
EB_BUS_CONCEPTS = (
    "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-what-is-how-it-works-concepts.html"
)
FIREHOSE_SOURCES = "https://docs.aws.amazon.com/firehose/latest/dev/create-name.html"
FIREHOSE_PUT = "https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecord.html"
FIREHOSE = "AWS::KinesisFirehose::DeliveryStream"

# Targets EventBridge invokes with the target's role: (resource type, ARN marker, actions of
# which the role needs one). SQS, SNS, Lambda, CloudWatch Logs and event buses use resource
# policies instead (eb-events-iam-roles).
ROLE_TARGETS = (
    ("AWS::Kinesis::Stream", ":kinesis:", ("kinesis:PutRecord", "kinesis:PutRecords")),
    (FIREHOSE, ":firehose:", ("firehose:PutRecord", "firehose:PutRecordBatch")),
    ("AWS::StepFunctions::StateMachine", ":states:", ("states:StartExecution",)),
    ("AWS::ECS::Cluster", ":ecs:", ("ecs:RunTask",)),
    ("AWS::CodeBuild::Project", ":codebuild:", ("codebuild:StartBuild",)),
    ("AWS::CodePipeline::Pipeline", ":codepipeline:", ("codepipeline:StartPipelineExecution",)),
    ("AWS::Batch::JobQueue", ":batch:", ("batch:SubmitJob",)),
    ("AWS::Events::ApiDestination", ":api-destination/", ("events:InvokeApiDestination",)),
    ("AWS::Events::EventBus", ":event-bus/", ("events:PutEvents",)),
)
EVENT_BUS = "AWS::Events::EventBus"


def _role_target(
    model: StackModel, arn: object
) -> tuple[Target, str | None, tuple[str, ...]] | None:
    """(the target, its logical ID, the actions its role needs), for targets that use a role."""
    target = model.resolve(arn)
    text = text_of(model, arn) or ""
    for resource_type, marker, actions in ROLE_TARGETS:
        if isinstance(target, Resolved) and model.type_of(target.logical_id) == resource_type:
            return target, target.logical_id, actions
        if marker in text.replace("api-destination/", ":api-destination/"):
            return target, None, actions
    return None


@rule(
    "EBT1",
    ERROR,
    title="An EventBridge rule targets a stream, delivery stream, state machine or other "
    "role-based target without a role, or with a role that may not invoke it (event buses "
    "included).",
    why="EventBridge reaches Kinesis streams, Firehose, Step Functions, ECS, CodeBuild, "
    "CodePipeline, Batch and API destinations (and event buses, when given a role) by assuming "
    "the target's RoleArn: without one the "
    "target is refused or never invoked, and a role that does not trust events.amazonaws.com or "
    "lacks kinesis:PutRecord, firehose:PutRecord, states:StartExecution (and the like, with "
    "kms:GenerateDataKey on a stream's customer-managed key) fails every event.",
    fix="Set the target's RoleArn to a role events.amazonaws.com may assume, allowed the "
    "target's action on it (CDK: the aws_events_targets classes create and grant it).",
    sources=(EB_ROLES, EB_PUT_TARGETS),
)
def events_target_role(model: StackModel) -> Iterator[Hit]:
    for events_rule, target in events_targets(model):
        found = _role_target(model, target.get("Arn"))
        if found is None:
            continue
        resolved, resource, actions = found
        name = resource or getattr(resolved, "text", "the target")
        value = target.get("RoleArn")
        if value is None:
            if "events:PutEvents" not in actions:  # an event bus without a role: EBT2
                yield Hit(events_rule, f"target {name} has no RoleArn")
            continue
        role = role_id(model, value)
        if role is None:
            yield cannot_follow(events_rule, "the target's role", model.resolve(value))
            continue
        if not role_trusts(model, role, "events.amazonaws.com"):
            yield Hit(events_rule, f"role {role} cannot be assumed by events.amazonaws.com")
        if not any(role_may(model, role, action, resource) for action in actions):
            yield missing_grant(
                model,
                role,
                events_rule,
                f"role {role} may not {' or '.join(actions)} on {name}",
            )
        if resource and model.type_of(resource) == "AWS::Kinesis::Stream":
            key = encryption_key(model, resource)
            if customer_key_denies(model, key, role, "kms:GenerateDataKey"):
                yield missing_grant(
                    model,
                    role,
                    events_rule,
                    f"role {role} may not kms:GenerateDataKey with {key.logical_id}, which "
                    f"encrypts {resource}",
                )


@rule(
    "EBT2",
    WARNING,
    title="An EventBridge rule sends to an event bus without a role.",
    why="EventBridge delivers to an event bus of another Region only with the target's RoleArn, "
    "and to another account that admits yours through its organization only with one; AWS "
    "recommends a role for every event bus target. Without it the events are refused where a "
    "role is required.",
    fix="Give the target a RoleArn that events.amazonaws.com may assume, allowed events:PutEvents "
    "on the receiving bus (CDK: targets.EventBus creates one).",
    sources=(EB_BUS_PERMISSIONS, EB_BUS_TO_BUS, EB_PUT_TARGETS),
)
def events_bus_target_role(model: StackModel) -> Iterator[Hit]:
    for events_rule, target in events_targets(model):
        if target.get("RoleArn") is not None:
            continue
        arn = target.get("Arn")
        resolved = model.resolve(arn)
        is_bus = (
            isinstance(resolved, Resolved) and model.type_of(resolved.logical_id) == EVENT_BUS
        ) or ":event-bus/" in (text_of(model, arn) or "")
        if is_bus:
            name = resolved.logical_id if isinstance(resolved, Resolved) else "the bus"
            yield Hit(events_rule, f"event bus target {name} has no RoleArn")


EB_SQS_PARAMETERS = (
    "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html"
)
CFN_SQS_PARAMETERS = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-events-rule-sqsparameters.html"


@rule(
    "EBT3",
    ERROR,
    title="An EventBridge rule targets a FIFO queue without a message group ID.",
    why="EventBridge sends to a FIFO queue only with the target's SqsParameters.MessageGroupId; "
    "without it the target is refused (the deploy fails) or every event to it fails.",
    fix="Set the target's SqsParameters.MessageGroupId (CDK: targets.SqsQueue(queue, "
    "message_group_id=...)).",
    sources=(EB_SQS_PARAMETERS, CFN_SQS_PARAMETERS),
)
def events_fifo_target(model: StackModel) -> Iterator[Hit]:
    for events_rule, target in events_targets(model):
        queue = queue_id(model, model.resolve(target.get("Arn")))
        if queue is None or not is_fifo_queue(model, queue):
            continue
        parameters = target.get("SqsParameters")
        if not (isinstance(parameters, dict) and parameters.get("MessageGroupId")):
            yield Hit(events_rule, f"FIFO queue {queue} without SqsParameters.MessageGroupId")


def _custom_bus(model: StackModel, value: object) -> str | None:
    """The name of a custom bus a rule's EventBusName names (None for the default bus)."""
    if value is None:
        return None
    target = model.resolve(value)
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == "AWS::Events::EventBus":
        return target.logical_id
    text = text_of(model, value) or ""
    name = text.rsplit("event-bus/", 1)[-1]
    if not name or "\x00" in name or name == "default":
        return None
    return name


@rule(
    "EBBUS1",
    WARNING,
    title="An EventBridge rule on a custom event bus matches only events of AWS services.",
    why="AWS services send their events (aws.s3, aws.ec2, ...) to the account's default event "
    "bus; a custom bus receives them only if another rule forwards them to it, so the rule "
    "never fires on its own.",
    fix="Put the rule on the default event bus, or forward the events to the custom bus with a "
    "rule on the default bus whose target is the custom bus.",
    sources=(EB_BUS, EB_BUS_CONCEPTS),
)
def custom_bus_service_events(model: StackModel) -> Iterator[Hit]:
    for events_rule, props in model.of_type("AWS::Events::Rule"):
        bus = _custom_bus(model, props.get("EventBusName"))
        pattern = props.get("EventPattern")
        if bus is None or not isinstance(pattern, dict):
            continue
        sources = as_list(pattern.get("source"))
        if sources and all(
            isinstance(s, str) and s.startswith("aws.") and not s.startswith("aws.partner/")
            for s in sources
        ):
            yield Hit(events_rule, f"rule on bus {bus} waits for {', '.join(sources)} events")


EVENT_BUS = "AWS::Events::EventBus"


def _admits_account(model: StackModel, statement: dict[str, Any], account: str) -> bool:
    """An Allow statement of a bus policy lets ``account`` put events (an unresolvable
    principal, everyone, or an organization condition counts: the templates cannot tell)."""
    if statement.get("Effect") != "Allow" or not actions_cover(
        model, statement, "events:PutEvents"
    ):
        return False
    principal = statement.get("Principal")
    if principal == "*" or "NotPrincipal" in statement:
        return True
    values = as_list(principal.get("AWS")) if isinstance(principal, dict) else [principal]
    for value in values:
        text = text_of(model, value)
        if text is None or "\x00" in text or text == "*" or account in text:
            return True
    return False


def _bus_statements(model: StackModel, bus: str) -> list[dict[str, Any]] | None:
    """The statements of the bus's policies (its Policy property, each EventBusPolicy naming
    it); None where a policy's bus cannot be told, which may be this one."""
    found = statements(model.props(bus).get("Policy"))
    name = model.props(bus).get("Name")
    for _, props in model.of_type("AWS::Events::EventBusPolicy"):
        named = props.get("EventBusName")
        if named is None:
            continue  # the default bus
        target = model.resolve(named)
        if isinstance(target, Resolved):
            if target.logical_id != bus:
                continue
        elif not isinstance(named, str):
            return None
        elif named.rsplit("event-bus/", 1)[-1] != name:
            continue
        if "Statement" in props:
            found += [s for s in as_list(props["Statement"]) if isinstance(s, dict)]
        else:  # the older form: one account (or everyone) by its Principal and Action
            found.append({"Effect": "Allow", **{k: props.get(k) for k in ("Principal", "Action")}})
    return found


@rule(
    "EBBUS2",
    ERROR,
    title="An EventBridge rule sends to an event bus of another account whose policy does not "
    "let the rule's account put events.",
    why="A bus accepts events only from its own account unless its resource-based policy lets "
    "another account (or organization) call events:PutEvents on it: every event the rule "
    "forwards is refused, and after the retries it is dropped.",
    fix="Give the receiving bus a policy (AWS::Events::EventBusPolicy, CDK: "
    "bus.add_to_resource_policy or CfnEventBusPolicy) that allows events:PutEvents for the "
    "sending account (arn:aws:iam::<account>:root) or its organization.",
    sources=(EB_BUS_PERMISSIONS, EB_BUS_TO_BUS),
)
def cross_account_bus_policy(model: StackModel) -> Iterator[Hit]:
    for events_rule, target in events_targets(model):
        bus = model.resolve(target.get("Arn"))
        if not isinstance(bus, Resolved) or model.type_of(bus.logical_id) != EVENT_BUS:
            continue
        sender = model.account_of(events_rule)
        receiver = model.account_of(bus.logical_id)
        if sender is None or receiver is None or sender == receiver:
            continue
        policy = _bus_statements(model, bus.logical_id)
        if policy is None or any(_admits_account(model, s, sender) for s in policy):
            continue
        yield Hit(
            events_rule,
            f"no policy of bus {bus.logical_id} (account {receiver}) lets account {sender} put "
            "events",
        )


def _stream_only(model: StackModel, target: Target) -> str | None:
    """The delivery stream a target names when it reads a Kinesis stream or MSK (no puts)."""
    if not (isinstance(target, Resolved) and model.type_of(target.logical_id) == FIREHOSE):
        return None
    props = model.props(target.logical_id)
    kind = props.get("DeliveryStreamType")
    if kind in ("KinesisStreamAsSource", "MSKAsSource") or props.get(
        "KinesisStreamSourceConfiguration"
    ):
        return target.logical_id
    return None


@rule(
    "FHPUT1",
    ERROR,
    title="An SNS subscription, EventBridge rule or pipe writes to a Firehose delivery stream "
    "that reads a Kinesis stream.",
    why="A delivery stream whose source is a Kinesis data stream (or MSK) takes records only "
    "from that source: Firehose refuses PutRecord and PutRecordBatch on it, so every message "
    "written to it directly is lost.",
    fix="Write to the source Kinesis stream instead, or to a DirectPut delivery stream.",
    sources=(FIREHOSE_SOURCES, FIREHOSE_PUT),
)
def writes_to_stream_sourced_firehose(model: StackModel) -> Iterator[Hit]:
    for sub in subscriptions(model):
        if sub.protocol == "firehose" and (stream := _stream_only(model, sub.endpoint)):
            yield Hit(sub.logical_id, f"{stream} reads a stream and refuses direct puts")
    for events_rule, target in events_targets(model):
        stream = _stream_only(model, model.resolve(target.get("Arn")))
        if stream:
            yield Hit(events_rule, f"{stream} reads a stream and refuses direct puts")
    for pipe in pipes(model):
        if stream := _stream_only(model, pipe.target):
            yield Hit(pipe.logical_id, f"{stream} reads a stream and refuses direct puts")


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    events_target_role,
    events_bus_target_role,
    events_fifo_target,
    custom_bus_service_events,
    cross_account_bus_policy,
    writes_to_stream_sourced_firehose,
)
