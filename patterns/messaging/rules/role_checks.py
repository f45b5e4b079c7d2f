"""What the rules say when a role lacks a permission the template shows no grant for: an error,
unless the role also has managed policies from outside the template (an AWS-managed policy such
as AmazonSQSFullAccess, a policy of another stack), which may grant it; then only a note.
"""

from __future__ import annotations

from patterns.messaging.model import LiteralValue, Resolved, StackModel, Target, as_list
from patterns.messaging.permissions import role_id
from patterns.messaging.rules.base import INFO, Hit, cannot_follow

# AWS-managed policies that grant only logging, tracing and network interfaces: never the
# messaging, key or secret actions the rules look for.
NARROW_MANAGED_POLICIES = (
    "service-role/AWSLambdaBasicExecutionRole",
    "service-role/AWSLambdaVPCAccessExecutionRole",
    "AWSXRayDaemonWriteAccess",
    "AWSXrayWriteOnlyAccess",
    "CloudWatchLambdaInsightsExecutionRolePolicy",
)


def outside_policies(model: StackModel, role: str) -> list[str]:
    """The role's managed policies that are not AWS::IAM::ManagedPolicy resources here."""
    found = []
    for value in as_list(model.props(role).get("ManagedPolicyArns")):
        target = model.resolve(value)
        if isinstance(target, Resolved) and model.type_of(target.logical_id) == (
            "AWS::IAM::ManagedPolicy"
        ):
            continue
        if isinstance(target, LiteralValue):
            if target.text.endswith(tuple("policy/" + n for n in NARROW_MANAGED_POLICIES)):
                continue
            found.append(target.text)
        else:
            found.append("a policy of another stack")
    return found


def missing_grant(model: StackModel, role: str, at: str, message: str) -> Hit:
    """The hit for a grant the role lacks: the rule's finding, or a note if it may come from
    a managed policy outside the template."""
    outside = outside_policies(model, role)
    if outside:
        return Hit(
            at,
            f"not checked: {message}, unless its managed policies outside the template "
            f"({', '.join(sorted(outside))}) allow it",
            INFO,
        )
    return Hit(at, message)


def execution_role(model: StackModel, at: str, function: Target) -> str | Hit:
    """The execution role of the Lambda function ``at`` invokes, or the note saying which link
    (the function, its role) cannot be followed."""
    if not (
        isinstance(function, Resolved)
        and model.type_of(function.logical_id) == "AWS::Lambda::Function"
    ):
        return cannot_follow(at, "the function", function)
    role_value = model.props(function.logical_id).get("Role")
    role = role_id(model, role_value)
    if role is None:
        return cannot_follow(at, "the execution role", model.resolve(role_value))
    return role
