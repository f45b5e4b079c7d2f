"""CDK's validation report of the pack: rule, level and construct path of every finding, as a
user of the pack sees them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Report:
    # (stack, rule ID, severity, construct path below the stack) of every open finding
    findings: list[tuple[str, str, str, str]]

    def of_stack(self, stack: str) -> list[tuple[str, str, str]]:
        return [(r, s, p) for st, r, s, p in self.findings if st == stack]

    def rules_of(self, stack: str) -> set[str]:
        return {rule for rule, _, _ in self.of_stack(stack)}


def read_report(outdir: Path) -> Report:
    report = json.loads((outdir / "validation-report.json").read_text())
    findings: list[tuple[str, str, str, str]] = []
    for plugin in report["pluginReports"]:
        if plugin["pluginName"] != "Messaging":
            continue
        for violation in plugin.get("violations", []):
            for construct in violation["violatingConstructs"]:
                stack, _, rest = construct["constructPath"].partition("/")
                findings.append((stack, violation["ruleName"], violation["severity"], rest))
    return Report(findings)
