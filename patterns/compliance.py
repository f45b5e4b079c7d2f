"""The compliance gate: cdk-nag packs applied through CDK's ``Validations`` API.

``apply_compliance_checks(app)`` registers the five cdk-nag 3.x packs and this repository's
``MessagingChecks``; synthesis then fails on any unacknowledged error and records every
finding in ``validation-report.json`` in the cloud assembly.
``acknowledge`` is how the patterns (and your own code) record a justified exception;
``skip_checkov`` records a checkov skip on one resource. The acknowledgements and skips of
the patterns themselves, each with its reason, are listed on the Compliance page.

cdk-nag is only needed for ``apply_compliance_checks`` (the package's ``compliance`` extra,
or ``pip install 'cdk-nag>=3,<4'``); the constructs do not import it.

An acknowledgement must name a rule of a pack the gate registers: ``acknowledge`` raises
``ValueError`` for any other ID (a misspelt one would otherwise suppress nothing, silently),
and under the gate synthesis fails on such an ID recorded with CDK's own
``Validations.of(c).acknowledge(...)``.
The rules of the cdk-nag packs are a list shipped with this package, written from the cdk-nag
it is tested with (cdk-nag lists them nowhere public; a test fails when the list is not what
the installed cdk-nag applies); [`rule_ids`][patterns.compliance.rule_ids] returns them.
"""

from __future__ import annotations

import difflib
import functools
import importlib.metadata
import json
import re
import weakref
from collections.abc import Mapping
from typing import Any

import jsii
from aws_cdk import Acknowledgment, CfnResource, Validations
from constructs import IConstruct, IValidation

__all__ = [
    "PACKS",
    "acknowledge",
    "acknowledge_all",
    "apply_compliance_checks",
    "check_rule_id",
    "rule_ids",
    "skip_checkov",
]

PACKS: tuple[str, ...] = (
    "AwsSolutions",
    "NIST.800.53.R5",
    "HIPAA.Security",
    "PCI.DSS.321",
    "Serverless",
    "Messaging",  # patterns.MessagingChecks: traps between resources (docs/messaging-checks.md)
)
"""The packs ``apply_compliance_checks`` registers, by the prefix of their rule IDs: cdk-nag's
AWS Solutions, NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1 and Serverless packs, and
``MessagingChecks``. An acknowledgement names a rule as ``"<pack>::<rule>"``."""
# CDK's own template validation (always on): its IDs are not listed anywhere we can read.
CLOUDFORMATION_VALIDATE = "CloudFormation-Validate"


def apply_compliance_checks(scope: IConstruct) -> None:
    """Register the five cdk-nag packs and ``MessagingChecks`` on ``scope`` (normally the App).

    Call it once, before ``app.synth()``; synthesis then fails on an unacknowledged error of
    any pack. It needs cdk-nag 3.x (the package's ``compliance`` extra).

    :param scope: The App (or a Stage) whose stacks the packs check.
    """
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
    from patterns.messaging.pack import MessagingChecks

    Validations.of(scope).add_plugins(MessagingChecks(scope))
    scope.node.add_validation(_AcknowledgementsNameRules(scope))


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one finding on ``scope`` and its children.

    ``rule_id`` carries the pack prefix exactly as synthesis prints it
    (``"AwsSolutions::AwsSolutions-IAM5[Resource::*]"``); without it the acknowledgement
    matches nothing. (The patterns' own acknowledgements and their reasons are listed in
    docs/compliance.md.)

    :param scope: The construct whose finding (and its children's) is acknowledged.
    :param rule_id: The finding's ID as synthesis prints it, ``"<pack>::<rule>"``, with the
        granular part in brackets where the rule has one (``[Resource::...]``). An ID that
        names no rule of a registered pack raises ``ValueError``, naming close matches.
    :param reason: Why the finding is acceptable here, for a reviewer; it is recorded with
        the acknowledgement in the cloud assembly's metadata.
    :raises ValueError: ``rule_id`` names no rule of the gate's packs (see ``check_rule_id``).
    """
    acknowledge_all(scope, {rule_id: reason})


def acknowledge_all(scope: IConstruct, reasons: Mapping[str, str]) -> None:
    """Acknowledge several findings on ``scope`` at once: ``{rule_id: reason}``.

    Every ID is checked first (see ``acknowledge``); then one call into the jsii runtime
    records them all (each call costs about a millisecond).

    :param scope: The construct whose findings (and its children's) are acknowledged.
    :param reasons: Each finding's ID, as ``acknowledge`` takes it, and the reason it is
        acceptable here.
    :raises ValueError: An ID names no rule of the gate's packs; nothing is recorded then.
    """
    for rule_id in reasons:
        check_rule_id(rule_id)
    Validations.of(scope).acknowledge(
        *(Acknowledgment(id=rule_id, reason=reason) for rule_id, reason in reasons.items())
    )


@jsii.implements(IValidation)
class _AcknowledgementsNameRules:
    """At synth, under the gate: every acknowledgement in the tree that is meant for one of
    its packs names one of their rules, also those made with CDK's own
    ``Validations.of(c).acknowledge(...)``, which checks nothing. IDs of other plugins (a
    prefix that is not close to a pack's name) are theirs to judge."""

    def __init__(self, scope: IConstruct) -> None:
        self._scope = scope

    def validate(self) -> list[str]:
        key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        errors: list[str] = []
        for construct in self._scope.node.find_all():
            for entry in construct.node.metadata:
                if entry.type != key or not isinstance(entry.data, Mapping):
                    continue
                for rule_id in entry.data:
                    if not _meant_for_the_gate(rule_id):
                        continue
                    try:
                        check_rule_id(_without_annotation_prefix(rule_id))
                    except ValueError as error:
                        message = str(error).replace(f"rule_id {rule_id!r}", "", 1).strip()
                        errors.append(
                            f"{construct.node.path}: acknowledgement {rule_id!r} {message}"
                        )
        return errors


def _without_annotation_prefix(rule_id: str) -> str:
    """CDK files an ID without a known prefix as ``Annotation::<id>``: the ID as written."""
    return re.sub(r"^annotation::", "", rule_id, flags=re.IGNORECASE)


def _meant_for_the_gate(rule_id: str) -> bool:
    """A pack's prefix, a pack's rule without its prefix, or a prefix close to a pack's name."""
    written = _without_annotation_prefix(rule_id)
    prefix, separator, _ = written.partition("::")
    if not separator:
        return any(written.startswith(f"{pack}-") for pack in PACKS)
    return prefix in PACKS or bool(difflib.get_close_matches(prefix, PACKS, n=1, cutoff=0.8))


def check_rule_id(rule_id: str) -> None:
    """Raise ``ValueError`` unless ``rule_id`` names a rule of a pack the gate registers.

    ``"Pack::Rule"`` or ``"Pack::Rule[finding]"`` (a granular finding, such as IAM5's
    ``[Resource::...]``). IDs of ``CloudFormation-Validate`` (CDK's template validation) are
    checked for their prefix only; so are cdk-nag's when cdk-nag is not installed (then no
    pack runs and an acknowledgement cannot hide anything).

    :param rule_id: The ID to check, as ``acknowledge`` takes it.
    :raises ValueError: The ID names no rule of a registered pack; the message names the
        closest rule IDs and the packs the gate registers.
    """
    pack, separator, rule = rule_id.partition("::")
    if separator and pack == CLOUDFORMATION_VALIDATE:
        return
    known = rule_ids(pack) if separator and pack in PACKS else frozenset()
    if known is None:
        return
    if rule.split("[", 1)[0] in known:
        return
    where = (
        f"names no rule of the {pack} pack"
        if separator and pack in PACKS
        else "does not start with the prefix of a registered pack"
    )
    candidates = [f"{p}::{r}" for p in PACKS for r in sorted(rule_ids(p) or ())]
    wanted = f"{pack}::{rule.split('[', 1)[0]}" if separator else f"::{rule_id.split('[', 1)[0]}"
    close = difflib.get_close_matches(wanted, candidates, n=3, cutoff=0.6)
    close += [c for c in candidates if c.endswith(wanted.split("::", 1)[1]) and c not in close]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ValueError(
        f"rule_id {rule_id!r} {where}{hint} Acknowledge a finding by the ID synthesis prints, "
        "with its pack prefix ('Pack::Rule', for example 'AwsSolutions::AwsSolutions-IAM4'); "
        f"the gate registers the packs {', '.join(PACKS)} (and CDK's "
        f"{CLOUDFORMATION_VALIDATE})."
    )


def rule_ids(pack: str) -> frozenset[str] | None:
    """The rule IDs of one of the gate's packs (``"AwsSolutions-IAM4"``, ...).

    Those of the cdk-nag packs are the list written for the cdk-nag this package is tested
    with; ``None`` for a cdk-nag pack when cdk-nag is not
    installed or is another version (then its IDs are not checked: a newer cdk-nag may have
    rules the list does not know).

    :param pack: A pack's prefix, one of [`PACKS`][patterns.compliance.PACKS].
    :return: The rule IDs, without the ``<pack>::`` prefix; ``None`` when they cannot be known (see
        above) or for a name that is no pack of the gate.
    """
    if pack == "Messaging":
        from patterns.messaging.rules import RULES

        return frozenset(rule.rule_id for rule in RULES)
    return _cdk_nag_rule_ids().get(pack)


@functools.cache
def _cdk_nag_rule_ids() -> dict[str, frozenset[str]]:
    """Each cdk-nag pack's rule IDs, if the installed cdk-nag is the one they were listed for."""
    from patterns.cdk_nag_rule_ids import CDK_NAG_VERSION, RULE_IDS

    try:
        installed = importlib.metadata.version("cdk-nag")
    except importlib.metadata.PackageNotFoundError:
        return {}
    return RULE_IDS if installed == CDK_NAG_VERSION else {}


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


def skip_checkov(
    resource: CfnResource, check_id: str, reason: str, *, created_here: bool = False
) -> None:
    """Record a checkov skip on one resource, in its template metadata, with its reason.

    checkov reads ``Metadata.checkov.skip`` from CloudFormation templates, so the skip is
    as narrow as the resource, and docs/compliance.md lists it with its reason. A resource's
    ``checkov`` metadata is read once, on its first skip (each read and write is a round trip
    to the jsii runtime); later skips add to what this function wrote. ``created_here``: the
    caller has just created the resource, so it has no ``checkov`` metadata yet and none is
    read (one round trip instead of two); never pass it for a resource users gave.

    :param resource: The CloudFormation resource checkov should not check for ``check_id``,
        e.g. ``bucket.node.default_child``.
    :param check_id: checkov's check ID, e.g. ``"CKV_AWS_18"``.
    :param reason: Why the check does not apply to this resource; checkov prints it as the
        skip's comment.
    :param created_here: ``True`` only when the caller has just created ``resource`` (see
        above). Default: ``False`` (the resource's ``checkov`` metadata is read first and
        kept).
    """
    checkov = _CHECKOV_METADATA.get(resource)
    if checkov is None:
        checkov = {"skip": []} if created_here else None
        checkov = checkov or resource.get_metadata("checkov") or {"skip": []}
        _CHECKOV_METADATA[resource] = checkov
    checkov["skip"].append({"id": check_id, "comment": reason})
    resource.add_metadata("checkov", checkov)


# The ``checkov`` metadata skip_checkov wrote, by resource; weak keys, as in patterns.lookups:
# a resource nobody holds any more (an app synthesized and dropped) is forgotten.
_CHECKOV_METADATA: weakref.WeakKeyDictionary[CfnResource, dict[str, Any]] = (
    weakref.WeakKeyDictionary()
)
