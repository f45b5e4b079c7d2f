"""What ``python -m patterns.checks`` reports: the findings of an assembly, which of them fail
the run, and the text and JSON renderings (SARIF in :mod:`patterns.messaging.sarif`, the
baseline in :mod:`patterns.messaging.baseline`).

Pure Python: it takes a list of :class:`ReportedFinding` s, however they were found, and imports
neither the CDK nor the model.

The JSON format (``--format json``), version 1, one object::

    {
      "version": 1,
      "assembly": "cdk.out",
      "templates": 7,                      # templates read
      "rules": 36,                         # rules run on each
      "failOn": "error",                   # the --fail-on threshold
      "summary": {"errors": 1, "warnings": 2, "notes": 3, "acknowledged": 1,
                  "failing": 1,            # findings that make the exit code 1
                  "new": 1, "unchanged": 2, "fixed": 0},   # the last three with --baseline only
      "findings": [{"rule": "Messaging-SNS3", "level": "error",   # error, warning or info
                    "stack": "Consumer", "template": "Consumer.template.json",
                    "logicalId": "S", "path": "Consumer/S",      # path: null when not recorded
                    "message": "...", "fix": "...",
                    "acknowledged": null,  # or the acknowledgement's reason
                    "baseline": "new"}],   # "new" or "unchanged" with --baseline, else null
      "baseline": "messaging-baseline.json",   # with --baseline, and:
      "fixed": [{"rule": ..., "stack": ..., "path": ..., "logicalId": ..., "level": ...,
                 "message": ...}]          # baseline entries that no finding matches any more
    }

Keys are only ever added within a version; ``--quiet`` leaves the notes (level ``info``) out
of ``findings`` but not out of the counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from patterns.messaging.rules import ERROR, INFO, RULES, WARNING

JSON_VERSION = 1
FAIL_ON: dict[str, tuple[str, ...]] = {ERROR: (ERROR,), WARNING: (ERROR, WARNING)}
NEW, UNCHANGED = "new", "unchanged"


@dataclass(frozen=True)
class ReportedFinding:
    """One finding of a rule on one resource of the assembly, with where it is."""

    rule_id: str
    level: str  # ERROR, WARNING or INFO
    stack: str  # the template's stack name (a nested stack: "<parent>/<its logical ID>")
    template: str  # the template file, relative to the assembly folder, with "/" separators
    logical_id: str
    path: str | None  # the construct path, None where the assembly does not record it
    message: str
    fix: str
    acknowledged: str | None = None  # the reason of an acknowledgement that covers it

    @property
    def location(self) -> str:
        """The construct path, else "<stack> <logical ID>": what the text report names."""
        return self.path or f"{self.stack} {self.logical_id}"


@dataclass(frozen=True)
class Checked:
    """The findings of one run over an assembly, and what was read to find them."""

    assembly: str
    templates: int
    findings: list[ReportedFinding]
    # With a baseline (its file name): NEW or UNCHANGED for each open finding (None for the
    # others), in the order of ``findings``, and the baseline's entries no finding matches.
    baseline_file: str | None = None
    baseline: list[str | None] = field(default_factory=list)
    fixed: list[dict[str, str | None]] = field(default_factory=list)

    def state(self, index: int) -> str | None:
        """NEW or UNCHANGED for the finding at ``index`` against the baseline, else None."""
        return self.baseline[index] if self.baseline_file is not None else None


def is_open(finding: ReportedFinding) -> bool:
    """An error or warning that no acknowledgement covers (what a baseline records)."""
    return finding.level != INFO and finding.acknowledged is None


def open_findings(findings: Sequence[ReportedFinding]) -> list[ReportedFinding]:
    return [f for f in findings if is_open(f)]


def failing(checked: Checked, fail_on: str) -> list[ReportedFinding]:
    """The findings that make the run fail: open, at or above ``fail_on``, not in the baseline."""
    return [
        f
        for index, f in enumerate(checked.findings)
        if is_open(f) and f.level in FAIL_ON[fail_on] and checked.state(index) != UNCHANGED
    ]


def counts(checked: Checked, fail_on: str) -> dict[str, int]:
    """The summary counts of the JSON report (and of the text report's last line)."""
    found = open_findings(checked.findings)
    summary = {
        "errors": sum(1 for f in found if f.level == ERROR),
        "warnings": sum(1 for f in found if f.level == WARNING),
        "notes": sum(1 for f in checked.findings if f.level == INFO),
        "acknowledged": sum(1 for f in checked.findings if f.acknowledged is not None),
        "failing": len(failing(checked, fail_on)),
    }
    if checked.baseline_file is not None:
        states = checked.baseline
        summary |= {
            "new": states.count(NEW),
            "unchanged": states.count(UNCHANGED),
            "fixed": len(checked.fixed),
        }
    return summary


def to_text(checked: Checked, *, quiet: bool = False) -> str:
    """One entry per open finding (level, rule, where, message, fix), fixed ones, a summary.

    Findings recorded in the baseline are counted, not listed: the report shows what is new.
    """
    lines: list[str] = []
    for index, finding in enumerate(checked.findings):
        if finding.acknowledged is not None or checked.state(index) == UNCHANGED:
            continue
        if finding.level == INFO and quiet:
            continue
        where = f"{finding.stack} {finding.path or finding.logical_id} ({finding.logical_id})"
        lines.append(f"{finding.level.upper():<7} {finding.rule_id:<18} {where}")
        lines.append(f"        {finding.message}")
        if finding.level != INFO:
            lines.append(f"        fix: {finding.fix}")
    for entry in checked.fixed:
        where = f"{entry['stack']} {entry['path'] or entry['logicalId']} ({entry['logicalId']})"
        lines.append(f"{'FIXED':<7} {entry['rule']:<18} {where}")
    total = counts(checked, ERROR)
    summary = (
        f"{checked.templates} template(s), {len(RULES)} rules: {total['errors']} error(s), "
        f"{total['warnings']} warning(s), {total['acknowledged']} acknowledged, "
        f"{total['notes']} note(s) on references that could not be followed"
    )
    if checked.baseline_file is not None:
        summary += (
            f"; against the baseline {checked.baseline_file}: {total.get('new', 0)} new, "
            f"{total.get('unchanged', 0)} unchanged (not listed), {total.get('fixed', 0)} fixed"
        )
    lines.append(summary)
    return "\n".join(lines)


def finding_json(finding: ReportedFinding, baseline: str | None) -> dict[str, Any]:
    return {
        "rule": finding.rule_id,
        "level": finding.level,
        "stack": finding.stack,
        "template": finding.template,
        "logicalId": finding.logical_id,
        "path": finding.path,
        "message": finding.message,
        "fix": finding.fix,
        "acknowledged": finding.acknowledged,
        "baseline": baseline,
    }


def to_json(checked: Checked, *, fail_on: str = ERROR, quiet: bool = False) -> str:
    """The JSON report described in this module's docstring."""
    document: dict[str, Any] = {
        "version": JSON_VERSION,
        "assembly": checked.assembly,
        "templates": checked.templates,
        "rules": len(RULES),
        "failOn": fail_on,
        "summary": counts(checked, fail_on),
        "findings": [
            finding_json(f, checked.state(index))
            for index, f in enumerate(checked.findings)
            if not (quiet and f.level == INFO)
        ],
    }
    if checked.baseline_file is not None:
        document["baseline"] = checked.baseline_file
        document["fixed"] = checked.fixed
    return json.dumps(document, indent=2)
