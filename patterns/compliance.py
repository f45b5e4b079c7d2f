"""The compliance gate: cdk-nag packs applied through CDK's ``Validations`` API.

``apply_compliance_checks(app)`` registers the five cdk-nag 3.x packs and this repository's
``MessagingChecks``; synthesis then fails on any unacknowledged error and records every
finding in ``validation-report.json`` in the cloud assembly.
``acknowledge`` is how the patterns (and your own code) record a justified exception;
``skip_checkov`` records a checkov skip on one resource. The summary of an assembly and
docs/compliance.md are this repository's tooling (``python -m tools.compliance cdk.out``).

cdk-nag is only needed for ``apply_compliance_checks`` (``pip install
cdk-decoupling-patterns[compliance]``); the constructs do not import it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aws_cdk import Acknowledgment, CfnResource, Validations
from constructs import IConstruct

PACKS: tuple[str, ...] = (
    "AwsSolutions",
    "NIST.800.53.R5",
    "HIPAA.Security",
    "PCI.DSS.321",
    "Serverless",
    "Messaging",  # patterns.MessagingChecks: traps between resources (docs/messaging-checks.md)
)


def apply_compliance_checks(scope: IConstruct) -> None:
    """Register the five cdk-nag packs and ``MessagingChecks`` on ``scope`` (normally the App)."""
    from cdk_nag import (
        AwsSolutionsChecks,
        HIPAASecurityChecks,
        NIST80053R5Checks,
        PCIDSS321Checks,
        ServerlessChecks,
    )

    Validations.of(scope).add_plugins(
        AwsSolutionsChecks(scope),
        NIST80053R5Checks(scope),
        HIPAASecurityChecks(scope),
        PCIDSS321Checks(scope),
        ServerlessChecks(scope),
    )
    from patterns.messaging_checks import MessagingChecks

    Validations.of(scope).add_plugins(MessagingChecks(scope))


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one finding on ``scope`` and its children.

    ``rule_id`` carries the pack prefix exactly as synthesis prints it
    (``"AwsSolutions::AwsSolutions-IAM5[Resource::*]"``); without it the acknowledgement
    matches nothing. The reason is published in docs/compliance.md.
    """
    acknowledge_all(scope, {rule_id: reason})


def acknowledge_all(scope: IConstruct, reasons: Mapping[str, str]) -> None:
    """Acknowledge several findings on ``scope`` at once: ``{rule_id: reason}``.

    One call into the jsii runtime for all of them (each call costs about a millisecond).
    """
    for rule_id in reasons:
        pack, separator, _ = rule_id.partition("::")
        if not separator or pack not in (*PACKS, "CloudFormation-Validate"):
            raise ValueError(
                f"rule_id {rule_id!r} must start with a pack prefix such as 'AwsSolutions::'"
            )
    Validations.of(scope).acknowledge(
        *(Acknowledgment(id=rule_id, reason=reason) for rule_id, reason in reasons.items())
    )


def flatten_cfn_reference(node: object) -> str:
    """A resolved value as cdk-nag prints it in finding IDs (its ``flattenCfnReference``), for
    acknowledging a finding on one resource, such as ``AwsSolutions-IAM5[Resource::...]``."""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten_cfn_reference(item) for item in items)
        if "Fn::Sub" in node:
            return flatten_cfn_reference(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_cfn_reference(resource)}.{flatten_cfn_reference(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten_cfn_reference(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten_cfn_reference(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def skip_checkov(resource: CfnResource, check_id: str, reason: str) -> None:
    """Record a checkov skip on one resource, in its template metadata, with its reason.

    checkov reads ``Metadata.checkov.skip`` from CloudFormation templates, so the skip is
    as narrow as the resource, and docs/compliance.md lists it with its reason.
    """
    existing = resource.get_metadata("checkov") or {"skip": []}
    existing["skip"].append({"id": check_id, "comment": reason})
    resource.add_metadata("checkov", existing)
