"""What synth can tell about a KMS key: AWS-managed, imported, or one we may edit.

An AWS-managed key (``alias/aws/sqs``, ``alias/aws/sns``, ...) has a key policy nobody can
change, so no other service (SNS, S3, EventBridge, CloudWatch) and no other account can use
it: a queue or topic encrypted with it silently drops what those services send. An imported
customer-managed key can be used, but its policy is not in this app, so the pattern cannot
add the statements it needs and must say so.
"""

from __future__ import annotations

import re

from aws_cdk import Stack, Token
from aws_cdk import aws_kms as kms
from constructs import IConstruct

_AWS_MANAGED = re.compile(r"alias/aws/")


def key_name(key: kms.IKey) -> str:
    """The key's alias name when it has one, else its ARN (for messages)."""
    alias_name = getattr(key, "alias_name", None)
    return alias_name if isinstance(alias_name, str) else key.key_arn


def is_aws_managed(key: kms.IKey) -> bool:
    """Whether ``key`` is (an alias of) an AWS-managed key, as far as synth can tell.

    Looks at the alias name and the key ARN, also inside tokens: an ARN built with
    ``Stack.format_arn`` or ``Fn.join`` around ``alias/aws/...`` resolves to an intrinsic
    whose literal parts still name the alias.
    """
    for value in (getattr(key, "alias_name", None), key.key_arn):
        if isinstance(value, str) and names_aws_managed_key(key, value):
            return True
    return False


def names_aws_managed_key(scope: IConstruct, key_reference: str) -> bool:
    """Whether a key reference as a template holds it (ID, ARN or alias) is AWS-managed.

    For checks over the final state, where only the L1 property is left (``KmsMasterKeyId``).
    """
    return bool(_AWS_MANAGED.search(literal_text(scope, key_reference)))


def is_imported(key: kms.IKey) -> bool:
    """Whether ``key`` was not created in this app (its key policy cannot be edited here)."""
    if isinstance(key, kms.Alias):
        return is_imported(key.alias_target_key)
    return not isinstance(key, kms.Key)


def literal_text(scope: IConstruct, value: str) -> str:
    """The literal parts of ``value`` joined as CloudFormation would (intrinsics left out)."""
    if not Token.is_unresolved(value):
        return value
    return _flatten(Stack.of(scope).resolve(value))


def _flatten(node: object) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(_flatten(item) for item in node)
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(_flatten(item) for item in items)
        if "Fn::Sub" in node:
            template = node["Fn::Sub"]
            return _flatten(template[0] if isinstance(template, list) else template)
    return ""
