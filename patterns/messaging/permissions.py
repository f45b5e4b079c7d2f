"""What the keys and policies of a template allow: key kinds, resource policies, Lambda
permissions, identity policies of roles. Pure Python over :mod:`patterns.messaging.model`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from patterns.keys import aws_managed_alias
from patterns.messaging.model import (
    NAME_PROPERTY,
    LiteralValue,
    Resolved,
    StackModel,
    Unknown,
    as_json_object,
    as_list,
    parse_arn,
    text_of,
)

# --- keys --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyInfo:
    """What encrypts a queue, topic or stream.

    ``kind`` is ``none``, ``aws-managed``, ``customer`` or ``unknown``; ``logical_id`` is the
    AWS::KMS::Key of the model (the template, or the app) for a customer key, else None.
    """

    kind: str
    logical_id: str | None = None
    detail: str = ""


def key_info(model: StackModel, value: Any) -> KeyInfo:
    if value is None:
        return KeyInfo("none")
    target = model.resolve(value)
    if isinstance(target, Resolved):
        kind = model.type_of(target.logical_id)
        if kind == "AWS::KMS::Key":
            return KeyInfo("customer", target.logical_id)
        if kind == "AWS::KMS::Alias":
            alias_name = model.props(target.logical_id).get("AliasName")
            managed = aws_managed_alias(alias_name) if isinstance(alias_name, str) else None
            if managed is not None:
                return KeyInfo("aws-managed", detail=managed)
            return key_info(model, model.props(target.logical_id).get("TargetKeyId"))
        return KeyInfo("unknown", detail=f"a {kind}")
    text = text_of(model, value) or ""
    managed = aws_managed_alias(text)
    if managed is not None:
        return KeyInfo("aws-managed", detail=managed)
    alias = re.search(r"(alias/[^\x00]+)$", text)
    if alias:
        found = model.by_name("AWS::KMS::Alias", alias.group(1))
        if found:
            return key_info(model, {"Ref": found})
    if isinstance(target, Unknown):
        return KeyInfo("unknown", detail=target.reason)
    return KeyInfo("unknown", detail=f"key {text} is not defined in this app")


# --- policies ----------------------------------------------------------------------------------


def statements(document: Any) -> list[dict[str, Any]]:
    document = as_json_object(document) or {}
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]


def actions_cover(model: StackModel, statement: dict[str, Any], action: str) -> bool:
    """The statement's Action list covers ``action`` (NotAction counts as covering)."""
    if "NotAction" in statement:
        return True
    for pattern in as_list(statement.get("Action")):
        if not isinstance(pattern, str):
            return True
        if fnmatchcase(action.lower(), pattern.lower()):
            return True
    return False


def principal_is_service(model: StackModel, statement: dict[str, Any], service: str) -> bool:
    """The statement's principal admits ``service`` (or anyone; unresolvable counts as yes)."""
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return principal is not None and not isinstance(principal, str)
    for kind, values in principal.items():
        for value in as_list(values):
            if not isinstance(value, str):
                if kind == "Service":
                    return True
                continue
            if value == "*" and kind in ("AWS", "Service"):
                return True
            if kind == "Service" and value.lower() == service.lower():
                return True
    return False


def principal_is(model: StackModel, statement: dict[str, Any], logical_id: str) -> bool:
    """The statement's AWS principal names the role ``logical_id`` (or anyone)."""
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for value in as_list(principal.get("AWS")):
        if value == "*" or model.points_to(value, logical_id):
            return True
    return False


def principal_is_account(model: StackModel, statement: dict[str, Any]) -> bool:
    """The statement's AWS principal is the account itself (IAM policies decide)."""
    principal = statement.get("Principal")
    if not isinstance(principal, dict):
        return principal == "*"
    for value in as_list(principal.get("AWS")):
        if value == "*":
            return True
        text = text_of(model, value)
        if text is None:
            continue
        if text.endswith(":root") or re.fullmatch(r"(\d{12}|\x00)", text):
            return True
    return False


def condition_values(statement: dict[str, Any], key: str) -> list[Any] | None:
    """Values the statement's Condition tests ``key`` against (any operator), or None."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return None
    found: list[Any] | None = None
    for operator, tests in condition.items():
        if not isinstance(tests, dict) or "IfExists" in operator or operator.startswith("Not"):
            continue
        for name, values in tests.items():
            if name.lower() == key.lower():
                found = (found or []) + as_list(values)
    return found


def source_matches(model: StackModel, statement: dict[str, Any], source_id: str) -> bool:
    """Any aws:SourceArn condition of the statement admits the resource ``source_id``."""
    values = condition_values(statement, "aws:SourceArn")
    if values is None:
        return True
    for value in values:
        target = model.resolve(value)
        if isinstance(target, Resolved):
            if target.logical_id == source_id:
                return True
            continue
        if isinstance(target, Unknown):
            return True
        if "*" in target.text or "?" in target.text:
            name = model.arn_name(source_id)
            parsed = parse_arn(target.text)
            pattern = parsed[1] if parsed and parsed[0] else target.text.rsplit(":", 1)[-1]
            if name is None or fnmatchcase(name, pattern):
                return True
    return False


def physical_name(model: StackModel, logical_id: str) -> str | None:
    name_property = NAME_PROPERTY.get(model.type_of(logical_id))
    value = model.props(logical_id).get(name_property) if name_property else None
    return value if isinstance(value, str) else None


def resource_covers(model: StackModel, statement: dict[str, Any], logical_id: str) -> bool:
    if "NotResource" in statement or "Resource" not in statement:
        return True
    for value in as_list(statement.get("Resource")):
        target = model.resolve(value)
        if isinstance(target, Resolved):
            if target.logical_id == logical_id:
                return True
            continue
        if isinstance(target, Unknown):
            return True
        if "*" in target.text or "?" in target.text:
            return True
    return False


# Resource policy type -> the property naming what it applies to.
POLICY_TARGETS = {
    "AWS::SQS::QueuePolicy": "Queues",
    "AWS::SQS::QueueInlinePolicy": "Queue",
    "AWS::SNS::TopicPolicy": "Topics",
    "AWS::SNS::TopicInlinePolicy": "TopicArn",
}


def resource_policy_statements(model: StackModel, logical_id: str) -> list[dict[str, Any]]:
    """Every statement of the queue or topic policies of the model that apply to it."""
    index = model.cache.get("policies")
    if index is None:
        index = {}
        for policy_type, target_property in POLICY_TARGETS.items():
            for _, props in model.of_type(policy_type):
                for value in as_list(props.get(target_property)):
                    target = model.resolve(value)
                    if isinstance(target, Resolved):
                        index.setdefault(target.logical_id, []).extend(
                            statements(props.get("PolicyDocument"))
                        )
        model.cache["policies"] = index
    return list(index.get(logical_id, []))


def policy_admits(
    model: StackModel, destination_id: str, service: str, action: str, source_id: str | None
) -> bool:
    """A resource policy of ``destination_id`` lets ``service`` do ``action`` for the source."""
    for statement in resource_policy_statements(model, destination_id):
        if statement.get("Effect") != "Allow":
            continue
        if not principal_is_service(model, statement, service):
            continue
        if not actions_cover(model, statement, action):
            continue
        if not resource_covers(model, statement, destination_id):
            continue
        if source_id is not None and not source_matches(model, statement, source_id):
            continue
        return True
    return False


def lambda_permits(
    model: StackModel, function_id: str, service: str, source_id: str | None
) -> bool:
    """An AWS::Lambda::Permission of the model lets ``service`` invoke the function.

    A permission whose function, principal or source cannot be followed counts as admitting.
    """
    for _, props in model.of_type("AWS::Lambda::Permission"):
        action = props.get("Action")
        if isinstance(action, str) and not fnmatchcase("lambda:invokefunction", action.lower()):
            continue
        target = model.resolve_function(props.get("FunctionName"))
        if isinstance(target, Resolved) and target.logical_id != function_id:
            continue
        if isinstance(target, LiteralValue):
            continue
        principal = props.get("Principal")
        if isinstance(principal, str) and principal not in ("*", service):
            continue
        if source_id is not None and "SourceArn" in props:
            source = model.resolve(props["SourceArn"])
            if isinstance(source, Resolved) and source.logical_id != source_id:
                continue
            if isinstance(source, LiteralValue) and "*" not in source.text:
                continue
        return True
    return False


def key_admits_service(
    model: StackModel, key_id: str, service: str, actions: Iterable[str]
) -> bool:
    """The key policy of ``key_id`` lets ``service`` perform every one of ``actions``."""
    needed = set(actions)
    for statement in statements(model.props(key_id).get("KeyPolicy")):
        if statement.get("Effect") != "Allow" or not principal_is_service(
            model, statement, service
        ):
            continue
        if _callers_of_accounts_only(statement):
            continue
        needed = {a for a in needed if not actions_cover(model, statement, a)}
    return not needed


# Condition keys naming the account of the caller: an AWS service principal (s3.amazonaws.com)
# is no identity of a customer's account, so a test of these against account IDs excludes it.
_CALLER_ACCOUNT_KEYS = ("kms:calleraccount", "aws:principalaccount")


def _callers_of_accounts_only(statement: dict[str, Any]) -> bool:
    """The statement admits everyone (``*``) only for callers of given accounts: it never
    admits a service principal, which a key policy must name (``Service``)."""
    principal = statement.get("Principal")
    everyone = principal == "*" or (
        isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))
    )
    if not everyone:
        return False
    for key in _CALLER_ACCOUNT_KEYS:
        values = condition_values(statement, key)
        if values and all(isinstance(v, str) and re.fullmatch(r"\d{12}", v) for v in values):
            return True
    return False


def identity_statements(model: StackModel, role_id: str) -> list[dict[str, Any]]:
    """Every statement of the inline, attached and managed policies of the role ``role_id``."""
    found: list[dict[str, Any]] = []
    for policy in as_list(model.props(role_id).get("Policies")):
        if isinstance(policy, dict):
            found += statements(policy.get("PolicyDocument"))
    attached = as_list(model.props(role_id).get("ManagedPolicyArns"))
    for policy_id, props in model.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        applies = any(model.points_to(r, role_id) for r in as_list(props.get("Roles")))
        applies = applies or any(model.points_to(a, policy_id) for a in attached)
        if applies:
            found += statements(props.get("PolicyDocument"))
    return found


# --- roles -------------------------------------------------------------------------------------


def role_id(model: StackModel, value: Any) -> str | None:
    target = model.resolve(value)
    if isinstance(target, Resolved) and model.type_of(target.logical_id) == "AWS::IAM::Role":
        return target.logical_id
    return None


def role_may(model: StackModel, role: str, action: str, resource: str | None) -> bool:
    for statement in identity_statements(model, role):
        if statement.get("Effect") != "Allow" or not actions_cover(model, statement, action):
            continue
        if resource is None:
            return True
        for value in as_list(statement.get("Resource")):
            target = model.resolve(value)
            if not isinstance(target, Resolved) or target.logical_id == resource:
                return True
    return False


def role_may_decrypt(model: StackModel, role: str, key: str) -> bool:
    """The key policy lets the role decrypt, directly or by delegating to IAM policies."""
    return role_may_use_key(model, role, key, "kms:Decrypt")


def role_may_use_key(model: StackModel, role: str, key: str, action: str) -> bool:
    """The key policy lets the role do ``action``, directly or by delegating to IAM policies."""
    allowing = [
        s
        for s in statements(model.props(key).get("KeyPolicy"))
        if s.get("Effect") == "Allow" and actions_cover(model, s, action)
    ]
    if any(principal_is(model, s, role) for s in allowing):
        return True
    delegated = any(principal_is_account(model, s) for s in allowing)
    return delegated and role_may(model, role, action, key)


def customer_key_denies(model: StackModel, key: KeyInfo, role: str, action: str) -> bool:
    """``key`` is a customer-managed key of the model whose policy does not let ``role`` do
    ``action`` (directly or by delegating to IAM policies)."""
    return (
        key.kind == "customer"
        and key.logical_id is not None
        and not role_may_use_key(model, role, key.logical_id, action)
    )


def role_trusts(model: StackModel, role: str, service: str) -> bool:
    """The role's trust policy lets ``service`` assume it (an unresolvable principal counts)."""
    return any(
        s.get("Effect") == "Allow"
        and actions_cover(model, s, "sts:AssumeRole")
        and principal_is_service(model, s, service)
        for s in statements(model.props(role).get("AssumeRolePolicyDocument"))
    )


# --- Deny statements ---------------------------------------------------------------------------

# Condition keys a request made by an AWS service principal does not carry (IAM's global
# condition keys: each key's availability): a negated test of one of them is true for it.
ABSENT_FOR_SERVICES = {
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:vpcsourceip",
}
_NEGATED = ("StringNot", "ArnNot", "NotIpAddress")


def _condition_holds(
    model: StackModel, operator: str, key: str, values: list[Any], source_id: str | None
) -> bool | None:
    """Whether one condition test is true for a service principal's delivery; None: unknown."""
    base = operator.split(":", 1)[-1]
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    key = key.lower()
    texts = [str(v).lower() for v in values if isinstance(v, str | bool)]
    if key in ABSENT_FOR_SERVICES or key.startswith("aws:principaltag/"):
        if base == "Null":
            return "true" in texts
        return True if if_exists else base.startswith(_NEGATED)
    if key in ("aws:principalisawsservice", "aws:securetransport") and base == "Bool":
        return "true" in texts  # a service principal's request: true, over TLS
    if key == "aws:sourcearn" and source_id is not None and base.startswith(("Arn", "String")):
        matched = source_matches(model, {"Condition": {"ArnLike": {key: values}}}, source_id)
        return not matched if base.startswith(("ArnNot", "StringNot")) else matched
    return None


def _names_service(statement: dict[str, Any], service: str) -> bool:
    """The statement's principal is everyone or the service, written out (no NotPrincipal)."""
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    aws = [v for v in as_list(principal.get("AWS")) if v == "*"]
    services = [v for v in as_list(principal.get("Service")) if v == service]
    return bool(aws or services)


def deny_applies(
    model: StackModel,
    statement: dict[str, Any],
    service: str,
    action: str,
    resource_id: str,
    source_id: str | None,
) -> bool:
    """A Deny statement certainly refuses ``service`` doing ``action`` on the resource for the
    source (False where a condition cannot be judged: never a guess)."""
    if statement.get("Effect") != "Deny" or not _names_service(statement, service):
        return False
    if "NotAction" in statement or "NotResource" in statement:
        return False
    patterns = as_list(statement.get("Action"))
    if not any(isinstance(p, str) and fnmatchcase(action.lower(), p.lower()) for p in patterns):
        return False
    if "Resource" in statement and not any(
        v == "*" or model.points_to(v, resource_id) for v in as_list(statement["Resource"])
    ):
        return False
    condition = statement.get("Condition")
    if condition is None:
        return True
    if not isinstance(condition, dict):
        return False
    for operator, tests in condition.items():
        if not isinstance(tests, dict):
            return False
        for key, values in tests.items():
            if (
                _condition_holds(model, str(operator), str(key), as_list(values), source_id)
                is not True
            ):
                return False
    return True
