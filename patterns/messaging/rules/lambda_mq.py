"""Rules on Lambda functions that consume an Amazon MQ broker (``Messaging-LAMBDA10``)."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.messaging.connections import event_source_mappings
from patterns.messaging.model import Resolved, StackModel, as_list, text_of
from patterns.messaging.permissions import role_may
from patterns.messaging.rules.base import ERROR, Hit, Rule, rule
from patterns.messaging.rules.role_checks import execution_role, missing_grant

LAMBDA_MQ = "https://docs.aws.amazon.com/lambda/latest/dg/with-mq.html#events-mq-permissions"
LAMBDA_MQ_ROLE = "https://docs.aws.amazon.com/lambda/latest/dg/process-messages-with-lambda.html"
LAMBDA_VPC_POLICY = (
    "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
    "AWSLambdaVPCAccessExecutionRole.html"
)
LAMBDA_MQ_POLICY = (
    "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaMQExecutionRole.html"
)
BROKER = "AWS::AmazonMQ::Broker"
NETWORK_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
)
# AWS-managed policies (name after "policy/") -> the actions of the list above they grant, as
# AWS documents them.
MANAGED_GRANTS = {
    "service-role/AWSLambdaMQExecutionRole": (
        "mq:DescribeBroker",
        "secretsmanager:GetSecretValue",
        *NETWORK_ACTIONS,
    ),
    "service-role/AWSLambdaVPCAccessExecutionRole": (
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
    ),
}


def _managed_grants(model: StackModel, role: str) -> set[str]:
    granted: set[str] = set()
    for value in as_list(model.props(role).get("ManagedPolicyArns")):
        text = text_of(model, value) or ""
        for name, actions in MANAGED_GRANTS.items():
            if text.endswith("policy/" + name):
                granted.update(actions)
    return granted


def _secrets(model: StackModel, props: dict[str, object]) -> list[str | None]:
    """The credentials secrets of the mapping (logical IDs; None for one not in the app)."""
    found: list[str | None] = []
    for access in as_list(props.get("SourceAccessConfigurations")):
        if isinstance(access, dict) and access.get("Type") == "BASIC_AUTH":
            target = model.resolve(access.get("URI"))
            found.append(target.logical_id if isinstance(target, Resolved) else None)
    return found


@rule(
    "LAMBDA10",
    ERROR,
    title="A function consumes an Amazon MQ broker, but its execution role lacks the permissions "
    "Lambda needs to connect.",
    why="Lambda reads the broker with the function's execution role: it describes the broker "
    "(mq:DescribeBroker), reads the user name and password from the credentials secret "
    "(secretsmanager:GetSecretValue) and creates network interfaces to reach the broker (the "
    "ec2 network-interface actions). Without them the event source mapping cannot connect, "
    "the function is never invoked and the queue is never consumed: messages pile up on the "
    "broker until they expire.",
    fix="Attach the AWS-managed policy service-role/AWSLambdaMQExecutionRole to the role, or "
    "grant mq:DescribeBroker on the broker, secretsmanager:GetSecretValue on the secret "
    "(CDK: secret.grant_read(fn)) and the ec2 actions CreateNetworkInterface, "
    "DeleteNetworkInterface, DescribeNetworkInterfaces, DescribeSecurityGroups, DescribeSubnets "
    "and DescribeVpcs.",
    sources=(LAMBDA_MQ, LAMBDA_MQ_ROLE, LAMBDA_MQ_POLICY, LAMBDA_VPC_POLICY),
)
def lambda_mq_role(model: StackModel) -> Iterator[Hit]:
    for mapping, props, source, function in event_source_mappings(model):
        text = text_of(model, props.get("EventSourceArn")) or ""
        broker = source.logical_id if isinstance(source, Resolved) else None
        if broker is not None and model.type_of(broker) != BROKER:
            continue
        if broker is None and ":mq:" not in text:
            continue
        role = execution_role(model, mapping, function)
        if isinstance(role, Hit):
            yield role
            continue
        needed: list[tuple[str, str | None]] = [("mq:DescribeBroker", broker)]
        needed += [("secretsmanager:GetSecretValue", s) for s in _secrets(model, props)]
        needed += [(action, None) for action in NETWORK_ACTIONS]
        granted = _managed_grants(model, role)
        missing = sorted(
            {a for a, r in needed if a not in granted and not role_may(model, role, a, r)}
        )
        if missing:
            yield missing_grant(model, role, mapping, f"role {role} may not {', '.join(missing)}")


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (lambda_mq_role,)
