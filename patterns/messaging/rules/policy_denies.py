"""Rules on Deny statements (``Messaging-DENY*``): a queue, topic or key policy whose explicit
Deny refuses the AWS service that delivers to it, whatever its Allow statements say.

An explicit Deny overrides every Allow. A request made by a service principal (SNS delivering to
a queue, S3 or EventBridge publishing to a topic, CloudWatch notifying an alarm topic) carries
no organization, VPC or VPC endpoint, so a Deny written for people ("unless the caller is in
our organization", "unless through our VPC endpoint") refuses the service too, unless it exempts
services (``aws:PrincipalIsAWSService``) or tests only what the service's request carries.
A Deny whose condition cannot be judged from the template is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from patterns.messaging.connections import (
    alarm_topics,
    bucket_id,
    notifications,
    queue_id,
    rule_targets,
    subscriptions,
    topic_id,
)
from patterns.messaging.model import StackModel, as_json_object
from patterns.messaging.permissions import (
    deny_applies,
    key_info,
    resource_policy_statements,
    statements,
)
from patterns.messaging.rules.base import ERROR, KEY_ACTIONS, Hit, Rule, rule

IAM_EVALUATION = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
)
IAM_CONDITION_KEYS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
)
IAM_CONDITION_OPERATORS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"

# (at, service, action, destination, source) for every delivery a service makes in a template.
Delivery = tuple[str, str, str, str, str | None]


def service_deliveries(model: StackModel) -> Iterator[Delivery]:
    """Every hop where an AWS service principal writes to a queue or topic of the template."""
    for sub in subscriptions(model):
        topic = topic_id(model, sub.topic)
        queue = queue_id(model, sub.endpoint) if sub.protocol == "sqs" else None
        if queue:
            yield sub.logical_id, "sns.amazonaws.com", "sqs:SendMessage", queue, topic
        redrive = as_json_object(sub.properties.get("RedrivePolicy")) or {}
        dlq = queue_id(model, model.resolve(redrive.get("deadLetterTargetArn")))
        if dlq:
            yield sub.logical_id, "sns.amazonaws.com", "sqs:SendMessage", dlq, topic
    for note in notifications(model):
        bucket = bucket_id(model, note.bucket)
        if note.kind == "topic" and (topic := topic_id(model, note.destination)):
            yield note.at, "s3.amazonaws.com", "sns:Publish", topic, bucket
        if note.kind == "queue" and (queue := queue_id(model, note.destination)):
            yield note.at, "s3.amazonaws.com", "sqs:SendMessage", queue, bucket
    for events_rule, destination, kind in rule_targets(model):
        action = {"topic": "sns:Publish", "queue": "sqs:SendMessage"}.get(kind)
        if action:
            yield events_rule, "events.amazonaws.com", action, destination, events_rule
    for alarm, topic in alarm_topics(model):
        yield alarm, "cloudwatch.amazonaws.com", "sns:Publish", topic, alarm


@rule(
    "DENY1",
    ERROR,
    title="A Deny statement of a queue, topic or key policy refuses the AWS service that delivers "
    "to it.",
    why="An explicit Deny overrides every Allow. A service principal's request (SNS, S3, "
    "EventBridge, CloudWatch) has no organization ID, source VPC or VPC endpoint, so a Deny "
    "unless aws:PrincipalOrgID, aws:SourceVpc or aws:SourceVpce match (or one with no condition, "
    "or one whose aws:SourceArn excludes the sender) refuses every delivery and the messages "
    "are lost.",
    fix="Exempt AWS services from the Deny (add the condition Bool aws:PrincipalIsAWSService "
    "false), or narrow its principal to the callers it is meant for; keep allowing the service "
    "by aws:SourceArn.",
    sources=(IAM_EVALUATION, IAM_CONDITION_KEYS, IAM_CONDITION_OPERATORS),
)
def deny_blocks_service(model: StackModel) -> Iterator[Hit]:
    for at, service, action, destination, source in service_deliveries(model):
        for statement in resource_policy_statements(model, destination):
            if deny_applies(model, statement, service, action, destination, source):
                sid = statement.get("Sid", "a Deny statement")
                yield Hit(
                    at, f"{sid} of {destination}'s policy refuses {service} {action} from {source}"
                )
                break
        key = key_info(model, model.props(destination).get("KmsMasterKeyId"))
        if key.kind != "customer" or key.logical_id is None:
            continue
        for statement in statements(model.props(key.logical_id).get("KeyPolicy")):
            refused = [
                a
                for a in KEY_ACTIONS
                if deny_applies(model, statement, service, a, key.logical_id, source)
            ]
            if refused:
                sid = statement.get("Sid", "a Deny statement")
                yield Hit(
                    at,
                    f"{sid} of the key policy of {key.logical_id}, which encrypts {destination}, "
                    f"refuses {service} {', '.join(refused)}",
                )
                break


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (deny_blocks_service,)
