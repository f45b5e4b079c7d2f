"""Rules on Lambda asynchronous invocation (``Messaging-ASYNC*``): S3, SNS and EventBridge
invoke a function asynchronously; what happens to an event the function keeps failing on is
decided by the function's EventInvokeConfig (retries, maximum event age, destinations) and its
dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from patterns.messaging.connections import (
    QUEUE,
    TOPIC,
    event_source_mappings,
    function_id,
    is_fifo_queue,
    is_fifo_topic,
    notifications,
    queue_key,
    rule_targets,
    subscriptions,
)
from patterns.messaging.model import Resolved, StackModel, Target, as_int
from patterns.messaging.permissions import customer_key_denies, role_id, role_may
from patterns.messaging.rules.base import ERROR, WARNING, Hit, Rule, cannot_follow, rule
from patterns.messaging.rules.role_checks import missing_grant

LAMBDA_ASYNC = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html"
LAMBDA_ASYNC_ERRORS = (
    "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html"
)
LAMBDA_ASYNC_RECORDS = (
    "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html"
)
LAMBDA_STREAM_FAILURES = (
    "https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html"
)
CFN_EVENT_INVOKE_CONFIG = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventinvokeconfig.html"

# Destination resource type -> what the execution role must be allowed to send a record.
DESTINATION_ACTIONS = {
    QUEUE: "sqs:SendMessage",
    TOPIC: "sns:Publish",
    "AWS::Lambda::Function": "lambda:InvokeFunction",
    "AWS::Events::EventBus": "events:PutEvents",
    "AWS::S3::Bucket": "s3:PutObject",
}


def _invoke_configs(model: StackModel) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """(EventInvokeConfig, its properties, its function) for every config of the template."""
    for config, props in model.of_type("AWS::Lambda::EventInvokeConfig"):
        yield config, props, function_id(model, model.resolve_function(props.get("FunctionName")))


def _destinations(model: StackModel) -> Iterator[tuple[str, str | None, str, Target, bool]]:
    """(where to report, function, what the destination is, the destination, whether it keeps
    the asynchronous events the function fails on)."""
    for config, props, function in _invoke_configs(model):
        destinations = props.get("DestinationConfig")
        for when in ("OnFailure", "OnSuccess"):
            entry = destinations.get(when) if isinstance(destinations, dict) else None
            if isinstance(entry, dict) and entry.get("Destination"):
                destination = model.resolve(entry["Destination"])
                what = f"the {when} destination"
                yield config, function, what, destination, when == "OnFailure"
    for mapping, props, _, function_target in event_source_mappings(model):
        destinations = props.get("DestinationConfig")
        entry = destinations.get("OnFailure") if isinstance(destinations, dict) else None
        if isinstance(entry, dict) and entry.get("Destination"):
            target = model.resolve(entry["Destination"])
            function = function_id(model, function_target)
            yield mapping, function, "the OnFailure destination", target, False
    for function, props in model.of_type("AWS::Lambda::Function"):
        dead = props.get("DeadLetterConfig")
        if isinstance(dead, dict) and dead.get("TargetArn"):
            target = model.resolve(dead["TargetArn"])
            yield function, function, "the dead-letter queue", target, True


def _destination_id(model: StackModel, target: Target) -> str | None:
    function = function_id(model, target)
    if function is not None:
        return function
    if isinstance(target, Resolved) and model.type_of(target.logical_id) in DESTINATION_ACTIONS:
        return target.logical_id
    return None


@rule(
    "ASYNC1",
    ERROR,
    title="A Lambda failure or success destination (asynchronous invocation, dead-letter queue, "
    "stream event source mapping) cannot receive: FIFO, or the execution role may not send to it.",
    why="Lambda sends the record of an asynchronous invocation, or of a stream batch that "
    "failed, with the function's execution role, to a standard queue or topic, a function, an "
    "event bus or (on failure) a bucket; a "
    "FIFO queue or topic, or a role without sqs:SendMessage, sns:Publish, lambda:InvokeFunction, "
    "events:PutEvents or s3:PutObject (and kms:GenerateDataKey on a customer-managed key) makes "
    "the delivery fail (DestinationDeliveryFailures) and the record of the failed event is lost.",
    fix="Use a standard queue or topic and grant the execution role the send action and the "
    "key (CDK: on_failure=destinations.SqsDestination(queue) grants it).",
    sources=(LAMBDA_ASYNC_RECORDS, CFN_EVENT_INVOKE_CONFIG, LAMBDA_STREAM_FAILURES),
)
def async_destination_access(model: StackModel) -> Iterator[Hit]:
    for at, function, what, target, _ in _destinations(model):
        destination = _destination_id(model, target)
        if destination is None:
            yield cannot_follow(at, what, target)
            continue
        kind = model.type_of(destination)
        if (kind == QUEUE and is_fifo_queue(model, destination)) or (
            kind == TOPIC and is_fifo_topic(model, destination)
        ):
            yield Hit(at, f"{what} {destination} is FIFO, which Lambda does not send to")
        if function is None:
            continue
        role = role_id(model, model.props(function).get("Role"))
        if role is None:
            continue
        action = DESTINATION_ACTIONS[kind]
        named = {destination} | ({target.logical_id} if isinstance(target, Resolved) else set())
        if not any(role_may(model, role, action, r) for r in named):
            yield missing_grant(
                model,
                role,
                at,
                f"role {role} of {function} may not {action} on {what} {destination}",
            )
        key = queue_key(model, destination)
        if customer_key_denies(model, key, role, "kms:GenerateDataKey"):
            yield missing_grant(
                model,
                role,
                at,
                f"role {role} of {function} may not kms:GenerateDataKey with {key.logical_id}, "
                f"which encrypts {destination}",
            )


def async_invokers(model: StackModel) -> Iterator[tuple[str, str]]:
    """(function, what invokes it) for every asynchronous invocation the template wires."""
    for note in notifications(model):
        if note.kind == "function" and (function := function_id(model, note.destination)):
            yield function, f"S3 notifications of {note.at}"
    for sub in subscriptions(model):
        if sub.protocol == "lambda" and (function := function_id(model, sub.endpoint)):
            yield function, f"SNS subscription {sub.logical_id}"
    for events_rule, destination, kind in rule_targets(model):
        if kind == "function":
            yield destination, f"EventBridge rule {events_rule}"


@rule(
    "ASYNC2",
    WARNING,
    title="A function invoked asynchronously (by S3, SNS or EventBridge) has no on-failure "
    "destination or dead-letter queue.",
    why="Lambda retries a failing asynchronous event twice (or as MaximumRetryAttempts says) and "
    "keeps an event it cannot run for up to six hours (MaximumEventAgeInSeconds); then it "
    "discards the event, and without an on-failure destination or a dead-letter queue nothing "
    "keeps it.",
    fix="Give the function an on-failure destination (AWS::Lambda::EventInvokeConfig "
    "DestinationConfig.OnFailure; CDK: on_failure=destinations.SqsDestination(queue)) or a "
    "dead-letter queue (CDK: dead_letter_queue_enabled=True).",
    sources=(LAMBDA_ASYNC_ERRORS, LAMBDA_ASYNC_RECORDS, LAMBDA_ASYNC),
    overlaps=("Serverless-LambdaDLQ", "Serverless-LambdaAsyncFailureDestination"),
)
def async_without_failure_destination(model: StackModel) -> Iterator[Hit]:
    caught = {function for _, function, _, _, keeps in _destinations(model) if keeps}
    for function, invoker in async_invokers(model):
        if function not in caught:
            yield Hit(function, f"invoked asynchronously by {invoker}; failed events are dropped")


@rule(
    "ASYNC3",
    ERROR,
    title="A function's asynchronous invocation settings are outside the range Lambda accepts.",
    why="Lambda rejects an EventInvokeConfig whose MaximumRetryAttempts is outside 0-2 or whose "
    "MaximumEventAgeInSeconds is outside 60-21,600 seconds: the deploy fails.",
    fix="Set MaximumRetryAttempts between 0 and 2 and MaximumEventAgeInSeconds between 60 and "
    "21,600.",
    sources=(CFN_EVENT_INVOKE_CONFIG, LAMBDA_ASYNC_ERRORS),
)
def async_ranges(model: StackModel) -> Iterator[Hit]:
    for config, props, _ in _invoke_configs(model):
        for name, low, high in (
            ("MaximumRetryAttempts", 0, 2),
            ("MaximumEventAgeInSeconds", 60, 21_600),
        ):
            value = as_int(props.get(name)) if name in props else None
            if value is not None and not low <= value <= high:
                yield Hit(config, f"{name} {value} is outside {low}-{high}")


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    async_destination_access,
    async_without_failure_destination,
    async_ranges,
)
