"""``python -m patterns.checks cdk.out``: the messaging checks over any synthesized cloud assembly.

Apps in TypeScript, Java, Go or .NET synthesize the same cloud assembly as Python ones, so this
command reads it directly: every stack template (of nested stages and nested stacks too) is
read as one linked model (a hop between stacks is checked like a hop inside one) and goes
through the rules of ``MessagingChecks`` (``patterns.messaging.rules``), and acknowledgements
recorded with ``Validations.of(construct).acknowledge(...)`` in the assembly's metadata apply
as they do in the pack. It needs neither the CDK nor Node.

  --format text|json|sarif   text (default): each finding with its rule ID, level, resource
                             and fix; json: findings and counts (patterns.messaging.report);
                             sarif: SARIF 2.1.0 for code scanning (patterns.messaging.sarif)
  --fail-on error|warning    the level that fails the run (default: error)
  --baseline FILE            fail only on findings FILE does not record; report fixed ones
  --write-baseline FILE      record today's open findings in FILE (the run then exits 0)
  --quiet                    leave out the notes on references that could not be followed
  --docs-url URL             where docs/messaging-checks.md is published (SARIF rule links)

Exit codes: 0 no open finding at or above --fail-on (or a baseline written), 1 at least one
(new against the baseline), 2 a usage error or an unreadable assembly (missing folder, no
manifest.json, a manifest or template that is not JSON, a template the manifest names that is
not there) or baseline; errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from patterns.cloud_assembly import CloudAssembly, UnreadableAssemblyError, read_assembly
from patterns.command_line import Parser, assembly_parser, fail, parse
from patterns.command_line import run as run_command
from patterns.messaging import baseline
from patterns.messaging.assembly import check_stacks
from patterns.messaging.report import (
    Checked,
    ReportedFinding,
    failing,
    open_findings,
    to_json,
    to_text,
)
from patterns.messaging.rules import ERROR, WARNING
from patterns.messaging.sarif import DOCS_URL, to_sarif

PROG = "python -m patterns.checks"
FORMATS = ("text", "json", "sarif")


def collect(assembly: CloudAssembly) -> list[ReportedFinding]:
    """Every finding of the rules over the assembly read as one linked model
    (:func:`patterns.messaging.assembly.check_stacks`), with where it is and whether an
    acknowledgement covers it (errors and warnings only: notes are never acknowledged).

    The one place that reads the rules' findings: the reports (``patterns.messaging.report``,
    ``baseline``, ``sarif``) take :class:`ReportedFinding` s, however they were found.
    """
    return [
        ReportedFinding(
            found.rule_id,
            found.level,
            found.stack,
            found.template_file,
            found.logical_id,
            None if found.path == found.logical_id else found.path,
            found.message,
            found.fix,
            found.acknowledged,
        )
        for found in check_stacks(assembly.stacks, assembly.acknowledgements)
    ]


def run(assembly: Path, *, quiet: bool = False) -> tuple[str, int]:
    """The text report over an assembly and the number of open errors."""
    read = read_assembly(assembly)
    findings = collect(read)
    checked = Checked(str(assembly), len(read.stacks), findings)
    return to_text(checked, quiet=quiet), sum(
        1 for f in open_findings(findings) if f.level == ERROR
    )


# What each option does and its default, as --help and the commands page show it.
_HELP: dict[str, str] = {
    "--format": (
        "text: each open finding with its rule ID, level, resource and fix, then a "
        "summary line; json: findings and counts in one document, for scripts; sarif: "
        "SARIF 2.1.0 for GitHub code scanning. Default: text"
    ),
    "--fail-on": (
        "the lowest level that fails the run (exit 1): error, or warning to fail on "
        "warnings too; notes, acknowledged findings and those in --baseline never fail "
        "it. Default: error"
    ),
    "--baseline": (
        "fail only on findings FILE (written by --write-baseline) does not record, and "
        "list the recorded ones no longer found as FIXED. Default: none (every open "
        "finding counts)"
    ),
    "--write-baseline": (
        "record today's open findings (errors and warnings not acknowledged) in FILE, "
        "print the report and exit 0: commit FILE and pass it to --baseline. Default: "
        "none"
    ),
    "--quiet": (
        "leave out the notes on references that could not be followed (they are still "
        "counted). Default: off (notes are listed)"
    ),
    "--docs-url": (
        "where docs/messaging-checks.md is published: each SARIF rule links to its "
        "section (URL#messaging-sns1). Default: none (the rules carry no link)"
    ),
}


def parser() -> Parser:
    options = assembly_parser(
        prog=PROG,
        description="The messaging checks (the rules of MessagingChecks) over a synthesized "
        "cloud assembly of an app in any CDK language.",
        epilog="Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error or "
        "unreadable assembly. Rules and their fixes: docs/messaging-checks.md.",
    )
    options.add_argument("--format", choices=FORMATS, default="text", help=_HELP["--format"])
    options.add_argument(
        "--fail-on", choices=(ERROR, WARNING), default=ERROR, help=_HELP["--fail-on"]
    )
    options.add_argument("--baseline", type=Path, metavar="FILE", help=_HELP["--baseline"])
    options.add_argument(
        "--write-baseline", type=Path, metavar="FILE", help=_HELP["--write-baseline"]
    )
    options.add_argument("--quiet", action="store_true", help=_HELP["--quiet"])
    options.add_argument("--docs-url", metavar="URL", default=DOCS_URL, help=_HELP["--docs-url"])
    return options


def main(argv: list[str]) -> int:
    args = parse(parser(), argv)
    if isinstance(args, int):
        return args
    return check(args)


def check(args: argparse.Namespace) -> int:
    assembly: Path = args.assembly
    try:
        read = read_assembly(assembly)
        recorded = baseline.read(args.baseline) if args.baseline else None
    except (UnreadableAssemblyError, baseline.BaselineError) as error:
        return fail(PROG, str(error))
    findings = collect(read)
    templates = len(read.stacks)
    checked = Checked(str(assembly), templates, findings)
    if recorded is not None:
        states, fixed = baseline.compare(findings, recorded)
        checked = Checked(str(assembly), templates, findings, str(args.baseline), states, fixed)
    if args.format == "json":
        output = to_json(checked, fail_on=args.fail_on, quiet=args.quiet)
    elif args.format == "sarif":
        output = to_sarif(
            checked,
            assembly=assembly,
            fail_on=args.fail_on,
            quiet=args.quiet,
            docs_url=args.docs_url,
        )
    else:
        output = to_text(checked, quiet=args.quiet)
    if args.write_baseline:
        try:
            written = baseline.write(args.write_baseline, findings)
        except baseline.BaselineError as error:
            return fail(PROG, str(error))
        print(output)
        print(f"{PROG}: wrote {written} finding(s) to {args.write_baseline}", file=sys.stderr)
        return 0
    print(output)
    return 1 if failing(checked, args.fail_on) else 0


if __name__ == "__main__":
    run_command(main, PROG)
