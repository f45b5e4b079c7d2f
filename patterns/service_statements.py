"""Statements that let an AWS service act on behalf of one source only, for resource and key
policies.

A service principal such as ``sns.amazonaws.com`` acts for every AWS customer, so a
statement that names it without conditions lets *any* topic or bucket in any account use
the resource (the "confused deputy"). Every statement built here is scoped by
``aws:SourceArn`` (the one resource the service acts for) and ``aws:SourceAccount`` (its
owner). Shared by the fan-out patterns; imports no pattern.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import IConstruct

from patterns.lookups import stack_of

# What a service needs on a customer-managed key to write to an encrypted topic or queue:
# a data key to encrypt with, and Decrypt to check it (SNS and S3 document both).
KEY_USE_ACTIONS: tuple[str, ...] = ("kms:GenerateDataKey*", "kms:Decrypt")


def source_conditions(source_arn: str, source_account: str) -> dict[str, dict[str, str]]:
    """Conditions that hold only when the service acts for ``source_arn`` of ``source_account``."""
    return {
        "ArnEquals": {"aws:SourceArn": source_arn},
        "StringEquals": {"aws:SourceAccount": source_account},
    }


_PRINCIPALS: dict[str, iam.ServicePrincipal] = {}


def service_principal_of(name: str) -> iam.ServicePrincipal:
    """The ``iam.ServicePrincipal`` of ``name``, made once per process: it holds only the name
    (rendered per stack when synthesized), so every statement may share it, and making one is a
    jsii round trip."""
    if name not in _PRINCIPALS:
        _PRINCIPALS[name] = iam.ServicePrincipal(name)
    return _PRINCIPALS[name]


def service_statement(
    service_principal: str,
    *,
    actions: Sequence[str],
    resources: Sequence[str],
    source_arn: str,
    source_account: str,
) -> iam.PolicyStatement:
    """Allow ``service_principal`` ``actions`` on ``resources``, for one source resource only."""
    return iam.PolicyStatement(
        principals=[service_principal_of(service_principal)],
        actions=list(actions),
        resources=list(resources),
        conditions=source_conditions(source_arn, source_account),
    )


def allow_service_key_use(
    key: kms.IKey, service_principal: str, *, source_arn: str, source_account: str
) -> iam.AddToResourcePolicyResult:
    """Let ``service_principal`` encrypt with ``key`` when it acts for ``source_arn`` only.

    Returns the result of ``add_to_resource_policy``: ``statement_added`` is ``False`` for an
    imported key, whose policy this app cannot change.
    """
    return key.add_to_resource_policy(
        service_statement(
            service_principal,
            actions=KEY_USE_ACTIONS,
            resources=["*"],  # a key policy always applies to its own key
            source_arn=source_arn,
            source_account=source_account,
        ),
        allow_no_op=True,
    )


def via_service(scope: IConstruct, service: str) -> str:
    """The ``kms:ViaService`` value of ``service`` in ``scope``'s Region and partition.

    ``<service>.<region>.<url suffix>``: the suffix is ``amazonaws.com`` in the commercial
    partition but not in every partition (``amazonaws.com.cn`` in China), so it comes from
    the ``AWS::URLSuffix`` pseudo parameter, never a literal.
    """
    stack = stack_of(scope)
    return f"{service}.{stack.region}.{stack.url_suffix}"


def allow_accounts_key_use_via(
    key: kms.IKey, accounts: Sequence[str], *, service: str, scope: IConstruct
) -> iam.AddToResourcePolicyResult:
    """Let principals of ``accounts`` use ``key`` only through ``service`` in this Region.

    Cross-account publishers of an encrypted topic need the key as well; ``kms:ViaService``
    keeps them from using it for anything but requests to that service.
    """
    return key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.AccountPrincipal(account) for account in accounts],
            actions=list(KEY_USE_ACTIONS),
            resources=["*"],
            conditions={"StringEquals": {"kms:ViaService": via_service(scope, service)}},
        ),
        allow_no_op=True,
    )
