"""What synth can tell about a KMS key: AWS-managed, imported, or one we may edit.

An AWS-managed key (``alias/aws/sqs``, ``alias/aws/sns``, ...) has a key policy nobody can
change, so no other service (SNS, S3, EventBridge, CloudWatch) and no other account can use
it: a queue or topic encrypted with it silently drops what those services send. An imported
customer-managed key can be used, but its policy is not in this app, so the pattern cannot
add the statements it needs and must say so.

:func:`aws_managed_alias` is the one detector, pure string logic over a key reference as a
template holds it (ID, ARN or alias, or the literal parts of an intrinsic): the messaging
rules call it on templates, the constructs through :func:`aws_managed_key` (a key object) and
:func:`aws_managed_key_in` (a key property of an L1). The module loads no CDK until one of
those two is called, so the CDK-free ``patterns.messaging`` may import it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_cdk import aws_kms as kms
    from constructs import IConstruct

# An alias of an AWS-managed key: "alias/aws/<service>", alone or ending an ARN; not the
# tail of a longer alias name ("alias/team/alias/aws/x" is a customer's).
_AWS_MANAGED_ALIAS = re.compile(r"(?<![A-Za-z0-9/_-])alias/aws/[A-Za-z0-9/_-]+")


def aws_managed_alias(key_reference: str) -> str | None:
    """The AWS-managed alias (``alias/aws/sqs``, ...) that ``key_reference`` names, or ``None``.

    ``key_reference`` is a key ID, key ARN, alias name or alias ARN as a template holds it, or
    the literal parts of an intrinsic joined (``Fn::Join`` around ``alias/aws/...``).
    """
    found = _AWS_MANAGED_ALIAS.search(key_reference)
    return found.group(0) if found else None


def key_name(key: kms.IKey) -> str:
    """The key's alias name when it has one, else its ARN (for messages)."""
    alias_name = getattr(key, "alias_name", None)
    return alias_name if isinstance(alias_name, str) else key.key_arn


def aws_managed_key(key: kms.IKey) -> str | None:
    """The AWS-managed alias ``key`` is (or names), as far as synth can tell, else ``None``.

    A key created in this app never is; otherwise the alias name and the key ARN are read
    once each, also inside tokens: an ARN built with ``Stack.format_arn`` or ``Fn.join``
    around ``alias/aws/...`` resolves to an intrinsic whose literal parts still name the alias.
    """
    from aws_cdk import aws_kms as kms

    if isinstance(key, kms.Key):
        return None
    alias_name = getattr(key, "alias_name", None)
    if isinstance(alias_name, str):
        found = aws_managed_key_in(key, alias_name)
        if found is not None:
            return found
    return aws_managed_key_in(key, key.key_arn)


def is_aws_managed(key: kms.IKey) -> bool:
    """Whether ``key`` is (an alias of) an AWS-managed key (:func:`aws_managed_key`)."""
    return aws_managed_key(key) is not None


def aws_managed_key_in(scope: IConstruct, key_reference: object) -> str | None:
    """The AWS-managed alias a key property of an L1 in ``scope`` names (``KmsMasterKeyId``), or
    ``None``: for checks over the final state, where only the L1 property is left.

    Asks the jsii runtime only for a token (to resolve it); ``None`` and literals cost nothing.
    """
    if not isinstance(key_reference, str):
        return None
    return aws_managed_alias(literal_text(scope, key_reference))


def is_imported(key: kms.IKey) -> bool:
    """Whether ``key`` was not created in this app (its key policy cannot be edited here)."""
    from aws_cdk import aws_kms as kms

    if isinstance(key, kms.Alias):
        return is_imported(key.alias_target_key)
    return not isinstance(key, kms.Key)


def literal_text(scope: IConstruct, value: str) -> str:
    """The literal parts of ``value`` joined as CloudFormation would (intrinsics left out)."""
    from aws_cdk import Stack

    from patterns.validation import is_unresolved_text

    if not is_unresolved_text(value):
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
