"""The compliance report of a synthesized assembly, and docs/compliance.md (repository tooling).

``python -m tools.compliance cdk.out`` prints a summary per stack and pack (``make synth``)
and exits 1 on an unacknowledged finding; ``--list`` prints the stacks with their
descriptions (``make ls``); ``--markdown`` renders docs/compliance.md (``make docs``).
The gate itself, and the acknowledgement API, are ``patterns.compliance``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from patterns.compliance import PACKS

REPORT_FILE = "validation-report.json"


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
