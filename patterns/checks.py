"""``python -m patterns.checks cdk.out``: the messaging checks over any synthesized cloud assembly.

Apps in TypeScript, Java, Go or .NET synthesize the same cloud assembly as Python ones, so
this command reads it directly: every stack template (of nested stages and nested stacks
too) is read as one linked model (a hop between stacks is checked like a hop inside one) and
goes through the rules of ``MessagingChecks`` (``patterns.messaging.rules``), and
acknowledgements recorded with ``Validations.of(construct).acknowledge(...)`` in the
assembly's metadata apply as they do in the pack. It prints each finding with its rule ID,
level, resource and fix, and exits 1 if any error is left, 0 otherwise (2 if the folder is
not a cloud assembly). It needs neither the CDK nor Node.

``--quiet`` leaves out the informational notes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from patterns.messaging.assembly import check_stacks, load_stacks
from patterns.messaging.rules import ERROR, INFO, RULES, WARNING


def run(assembly: Path, *, quiet: bool = False) -> tuple[str, int]:
    """The report over an assembly and the number of unacknowledged errors."""
    stacks, acknowledgements = load_stacks(assembly)
    lines: list[str] = []
    counts = {ERROR: 0, WARNING: 0, INFO: 0, "acknowledged": 0}
    for finding in check_stacks(stacks, acknowledgements):
        if finding.acknowledged is not None:
            counts["acknowledged"] += 1
            continue
        counts[finding.level] += 1
        if finding.level == INFO and quiet:
            continue
        where = f"{finding.stack} {finding.path} ({finding.logical_id})"
        lines.append(f"{finding.level.upper():<7} {finding.rule_id:<18} {where}")
        lines.append(f"        {finding.message}")
        if finding.level != INFO:
            lines.append(f"        fix: {finding.fix}")
    lines.append(
        f"{len(stacks)} template(s), {len(RULES)} rules: {counts[ERROR]} error(s), "
        f"{counts[WARNING]} warning(s), {counts['acknowledged']} acknowledged, "
        f"{counts[INFO]} note(s) on references that could not be followed"
    )
    return "\n".join(lines), counts[ERROR]


def main(argv: list[str]) -> int:
    paths = [arg for arg in argv if not arg.startswith("--")]
    assembly = Path(paths[0] if paths else "cdk.out")
    if not (assembly / "manifest.json").is_file():
        print(
            f"{assembly} is not a cloud assembly (no manifest.json): run cdk synth first",
            file=sys.stderr,
        )
        return 2
    report, errors = run(assembly, quiet="--quiet" in argv)
    print(report)
    return 1 if errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # the report piped into head or less that closed early
        sys.stderr.close()
        sys.exit(1)
