"""What the rule test modules of this folder share: one App per module with the
``MessagingChecks`` pack registered, synthesized once, and the validation report CDK writes
(rule ID, level, construct path), read as a user of the pack sees it.

Each module names its rules in ``CASES`` (rule suffix -> failing builds, the construct path the
finding is reported on, passing build); ``tests/messaging_rules/test_rule_cases.py`` checks that
every rule of the pack has its case in some module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import Validations

from patterns import MessagingChecks
from patterns.messaging.rules import RULES
from tests.helpers import CDK_CONTEXT, PATH_METADATA

Build = Callable[[cdk.Stack], None]
# Synthesis reports findings instead of raising, so one App holds failing and passing stacks.
NO_FAIL = {"@aws-cdk/core:failSynthOnValidationErrors": False}
LEVELS = {r.suffix: r.level for r in RULES}


@dataclass(frozen=True)
class Case:
    """A rule's failing apps (each reported at ``at``: one construct path prefix for all, or
    one per failing app) and the app that passes it."""

    fails: tuple[Build, ...]
    at: str | tuple[str, ...]
    good: Build

    def where(self, index: int) -> str:
        return self.at if isinstance(self.at, str) else self.at[index]


@dataclass
class Report:
    # (stack, rule ID, severity, construct path below the stack) of every open finding
    findings: list[tuple[str, str, str, str]]
    outdir: Path

    def of_stack(self, stack: str) -> list[tuple[str, str, str]]:
        return [(r, s, p) for st, r, s, p in self.findings if st == stack]


def fail_stack(suffix: str, index: int) -> str:
    return f"Fail{suffix}n{index}"


def good_stack(build: Build) -> str:
    return "Good" + build.__name__.replace("_", "")


def synth_cases(outdir: Path, cases: dict[str, Case]) -> Report:
    """Every failing app and every passing app of ``cases``, each in its own stack of one App."""
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA, **NO_FAIL})
    for suffix, case in cases.items():
        for index, fail in enumerate(case.fails):
            fail(cdk.Stack(app, fail_stack(suffix, index)))
    for good in {case.good for case in cases.values()}:
        good(cdk.Stack(app, good_stack(good)))
    Validations.of(app).add_plugins(MessagingChecks(app))
    app.synth()
    return read_report(outdir)


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
    return Report(findings, outdir)
