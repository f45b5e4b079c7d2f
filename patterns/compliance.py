"""The compliance gate: cdk-nag packs applied through CDK's ``Validations`` API.

``apply_compliance_checks(app)`` registers the five cdk-nag 3.x packs and this repository's
``MessagingChecks``; synthesis then fails on any unacknowledged error and records every
finding in ``validation-report.json`` in the cloud assembly.
``python -m patterns.compliance cdk.out`` prints a summary per stack and pack.
``acknowledge`` is how the patterns themselves record a justified exception.

cdk-nag is only needed for ``apply_compliance_checks`` (``pip install
cdk-decoupling-patterns[compliance]``); the constructs do not import it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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
REPORT_FILE = "validation-report.json"


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
    from patterns.messaging.pack import MessagingChecks

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


@dataclass(frozen=True)
class Finding:
    """One finding of one pack on one construct."""

    pack: str
    rule: str
    severity: str
    path: str
    acknowledged_id: str | None = None
    reason: str | None = None

    @property
    def stack(self) -> str:
        return self.path.split("/", 1)[0]


def read_findings(assembly_dir: str | Path) -> list[Finding]:
    """Every finding recorded in the assembly's validation report (none if there is no report)."""
    report = Path(assembly_dir) / REPORT_FILE
    if not report.exists():
        return []
    findings: list[Finding] = []
    for plugin in json.loads(report.read_text())["pluginReports"]:
        pack = plugin["pluginName"]
        for violation in plugin.get("violations", []):
            for construct in violation["violatingConstructs"]:
                findings.append(
                    Finding(
                        pack,
                        violation["ruleName"],
                        violation["severity"],
                        construct["constructPath"],
                    )
                )
        for violation in plugin.get("suppressedViolations", []):
            for construct in violation["violatingConstructs"]:
                findings.append(
                    Finding(
                        pack,
                        violation["ruleName"],
                        violation["severity"],
                        construct["constructPath"],
                        violation.get("acknowledgedId"),
                        violation.get("reason"),
                    )
                )
    return findings


def stack_names(assembly_dir: str | Path) -> list[str]:
    """The stacks of a synthesized assembly, in manifest order."""
    manifest = json.loads((Path(assembly_dir) / "manifest.json").read_text())
    return [
        name
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    ]


def summarize(assembly_dir: str | Path) -> tuple[str, int]:
    """A per-stack, per-pack table of errors, warnings and acknowledgements.

    Returns the table and the number of unacknowledged findings.
    """
    findings = read_findings(assembly_dir)
    counts: Counter[tuple[str, str, str]] = Counter()
    for finding in findings:
        kind = "acknowledged" if finding.acknowledged_id else finding.severity
        counts[(finding.stack, finding.pack, kind)] += 1
    stacks = stack_names(assembly_dir)
    width = max([len("stack"), *(len(name) for name in stacks)])
    lines = [f"{'stack':<{width}}  {'pack':<15} {'errors':>6} {'warnings':>8} {'acknowledged':>12}"]
    for stack in stacks:
        for pack in PACKS:
            lines.append(
                f"{stack:<{width}}  {pack:<15} {counts[(stack, pack, 'error')]:>6} "
                f"{counts[(stack, pack, 'warning')]:>8} {counts[(stack, pack, 'acknowledged')]:>12}"
            )
    open_findings = [f for f in findings if not f.acknowledged_id]
    for finding in open_findings:
        lines.append(f"UNACKNOWLEDGED {finding.severity}: {finding.rule} at {finding.path}")
    lines.append(
        f"{len(stacks)} stack(s), {len(PACKS)} packs: {len(open_findings)} unacknowledged "
        f"findings, {len(findings) - len(open_findings)} acknowledged (reasons in "
        "docs/compliance.md)"
    )
    return "\n".join(lines), len(open_findings)


def checkov_skips(assembly_dir: str | Path) -> list[tuple[str, str, str, str]]:
    """Every checkov skip in the assembly's templates: (stack, construct path, check, reason)."""
    skips: list[tuple[str, str, str, str]] = []
    for stack in stack_names(assembly_dir):
        template = json.loads((Path(assembly_dir) / f"{stack}.template.json").read_text())
        for resource in template.get("Resources", {}).values():
            metadata = resource.get("Metadata", {})
            for skip in metadata.get("checkov", {}).get("skip", []):
                path = metadata.get("aws:cdk:path", "?")
                skips.append((stack, path, skip["id"], skip["comment"]))
    return skips


def render_compliance_doc(assembly_dir: str | Path) -> str:
    """docs/compliance.md: every cdk-nag acknowledgement and checkov skip, with its reason."""
    lines = [
        "# Compliance: acknowledgements and skips",
        "",
        "Generated by `make docs` from the synthesized example app; a test fails when it is",
        "stale. Each entry is a rule a pattern cannot satisfy, on the one resource it concerns,",
        "with the reason. Everything else passes the cdk-nag packs "
        f"({', '.join(PACKS)}), cfn-lint and checkov.",
        "",
        "## cdk-nag acknowledgements",
        "",
        "| rule | resource | reason |",
        "| --- | --- | --- |",
    ]
    rows = sorted(
        {
            (f.acknowledged_id or "", f.path, f.reason or "")
            for f in read_findings(assembly_dir)
            if f.acknowledged_id
        }
    )
    lines += [f"| `{rule}` | `{path}` | {reason} |" for rule, path, reason in rows]
    lines += ["", "## checkov skips", "", "| check | resource | reason |", "| --- | --- | --- |"]
    lines += [
        f"| `{check}` | `{path}` | {reason} |"
        for _, path, check, reason in sorted(checkov_skips(assembly_dir))
    ]
    return "\n".join(lines) + "\n"


def describe_stacks(assembly_dir: str | Path) -> str:
    """One line per stack: its name and the description in its template."""
    lines = []
    for stack in stack_names(assembly_dir):
        template = json.loads((Path(assembly_dir) / f"{stack}.template.json").read_text())
        lines.append(f"{stack:<20} {template.get('Description', '')}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if "--list" in argv:
        print(describe_stacks(next((a for a in argv if not a.startswith("--")), "cdk.out")))
        return 0
    markdown = "--markdown" in argv
    paths = [arg for arg in argv if not arg.startswith("--")]
    assembly_dir = paths[0] if paths else "cdk.out"
    if markdown:
        print(render_compliance_doc(assembly_dir), end="")
        return 0
    table, open_count = summarize(assembly_dir)
    print(table)
    return 1 if open_count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
