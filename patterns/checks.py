"""``python -m patterns.checks cdk.out``: the messaging checks over any synthesized cloud assembly.

Apps in TypeScript, Java, Go or .NET synthesize the same cloud assembly as Python ones, so
this command reads it directly: every stack template (of nested stages and nested stacks
too) goes through the rules of ``MessagingChecks`` (``patterns.messaging_rules``), and
acknowledgements recorded with ``Validations.of(construct).acknowledge(...)`` in the
assembly's metadata apply as they do in the pack. It prints each finding with its rule ID,
level, resource and fix, and exits 1 if any error is left, 0 otherwise (2 if the folder is
not a cloud assembly). It needs neither the CDK nor Node.

``--markdown`` prints docs/messaging-checks.md (every rule, rendered from the definitions);
``--quiet`` leaves out the informational notes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from patterns.messaging_model import StackModel
from patterns.messaging_rules import ERROR, INFO, PACK_NAME, RULES, WARNING, Finding, check_template

ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
LOGICAL_ID = "aws:cdk:logicalId"


@dataclass(frozen=True)
class LoadedStack:
    """One template of the assembly: a stack or a nested stack."""

    name: str
    template: dict[str, Any]
    paths: dict[str, str]  # logical ID -> construct path, from the assembly's metadata


def _artifacts(assembly: Path) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    manifest = json.loads((assembly / "manifest.json").read_text())
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        yield assembly, artifact_id, artifact
        if artifact.get("type") == "cdk:cloud-assembly":
            directory = artifact.get("properties", {}).get("directoryName")
            if directory and (assembly / directory / "manifest.json").exists():
                yield from _artifacts(assembly / directory)


def load_stacks(assembly: Path) -> tuple[list[LoadedStack], dict[str, dict[str, str]]]:
    """Every template of the assembly, and the acknowledgements by construct path."""
    stacks: list[LoadedStack] = []
    acknowledgements: dict[str, dict[str, str]] = {}
    for folder, artifact_id, artifact in _artifacts(assembly):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template_file = artifact.get("properties", {}).get("templateFile")
        if not template_file:
            continue
        name = artifact.get("displayName", artifact_id)
        template = json.loads((folder / template_file).read_text())
        metadata = dict(artifact.get("metadata") or {})
        extra = artifact.get("additionalMetadataFile")
        if extra and (folder / extra).exists():
            metadata.update(json.loads((folder / extra).read_text()))
        paths: dict[str, str] = {}
        for path, entries in metadata.items():
            for entry in entries:
                if entry.get("type") == ACKNOWLEDGED_RULES and isinstance(entry.get("data"), dict):
                    acknowledgements.setdefault(path.lstrip("/"), {}).update(entry["data"])
                if entry.get("type") == LOGICAL_ID and isinstance(entry.get("data"), str):
                    paths.setdefault(entry["data"], path.lstrip("/"))
        stacks += list(_with_nested(folder, name, template, paths))
    return stacks, acknowledgements


def _asset_files(folder: Path) -> dict[str, str]:
    """Object key -> file in the assembly, from its asset manifests (nested stack templates)."""
    files: dict[str, str] = {}
    for manifest in folder.glob("*.assets.json"):
        for asset in json.loads(manifest.read_text()).get("files", {}).values():
            source = asset.get("source", {}).get("path")
            for destination in asset.get("destinations", {}).values():
                if source and destination.get("objectKey"):
                    files[destination["objectKey"]] = source
    return files


def _with_nested(
    folder: Path, name: str, template: dict[str, Any], paths: dict[str, str]
) -> Iterator[LoadedStack]:
    yield LoadedStack(name, template, paths)
    assets: dict[str, str] | None = None
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::CloudFormation::Stack":
            continue
        source = (resource.get("Metadata") or {}).get("aws:asset:path")
        if not source:
            # Without asset metadata, the template URL ends in the asset's object key.
            url = json.dumps((resource.get("Properties") or {}).get("TemplateURL"))
            assets = _asset_files(folder) if assets is None else assets
            source = next((path for key, path in assets.items() if key in url), None)
        if source and (folder / source).is_file():
            nested = json.loads((folder / source).read_text())
            yield from _with_nested(folder, f"{name}/{logical_id}", nested, {})


def acknowledged(finding: Finding, acknowledgements: dict[str, dict[str, str]]) -> str | None:
    """The reason of an acknowledgement on the finding's construct or a parent, if any."""
    ids = (f"{PACK_NAME}::{finding.rule_id}", finding.rule_id)
    path = finding.path
    while path:
        for rule_id in ids:
            reason = acknowledgements.get(path, {}).get(rule_id)
            if reason is not None:
                return reason
        path = path.rpartition("/")[0]
    return None


def run(assembly: Path, *, quiet: bool = False) -> tuple[str, int]:
    """The report over an assembly and the number of unacknowledged errors."""
    stacks, acknowledgements = load_stacks(assembly)
    lines: list[str] = []
    counts = {ERROR: 0, WARNING: 0, INFO: 0, "acknowledged": 0}
    for stack in stacks:
        for found in check_template(StackModel(stack.template, stack.name)):
            finding = found
            if found.path == found.logical_id and found.logical_id in stack.paths:
                finding = replace(found, path=stack.paths[found.logical_id])
            if finding.level != INFO and acknowledged(finding, acknowledgements) is not None:
                counts["acknowledged"] += 1
                continue
            counts[finding.level] += 1
            if finding.level == INFO and quiet:
                continue
            where = f"{stack.name} {finding.path} ({finding.logical_id})"
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


LEVEL_TITLES = {ERROR: "error", WARNING: "warning"}


def render_markdown() -> str:
    """docs/messaging-checks.md: every rule of the pack, from its definition."""
    lines = [
        "# Messaging checks",
        "",
        "Generated from `patterns/messaging_rules.py` by `python -m patterns.checks --markdown`;",
        "a test fails when it is stale.",
        "",
        "`MessagingChecks` is a cdk-nag pack of rules that look across resources: a",
        "subscription and its topic and queue, a queue and its key and policy, an event source",
        "mapping and its function and queue. A rule follows `Ref`, `Fn::GetAtt`, `Fn::Join`,",
        "`Fn::Sub` and literal ARNs, URLs and names to resources of the same template; what it",
        "cannot follow (another stack, an imported resource, a parameter) is only an",
        "informational note, printed by the command and never an error.",
        "",
        "```python",
        "Validations.of(app).add_plugins(MessagingChecks(app))",
        "```",
        "",
        "```",
        "python -m patterns.checks cdk.out            # any CDK language; --quiet hides the notes",
        "```",
        "",
        "The pack reports errors and warnings to cdk-nag on the construct of the resource that",
        "carries the trap (the subscription, the bucket, the event source mapping, the alarm,",
        "the rule, the delivery stream, the broker). The command prints them with the fix,",
        "honours acknowledgements recorded in the assembly, and exits 1 when an error is left.",
        "",
        "Two rules overlap a rule of the Serverless pack, for apps that do not run it: `SNS6`",
        "(Serverless-SNSRedrivePolicy, an error there) and the on-failure destination of",
        "`LAMBDA4` (Serverless-LambdaEventSourceMappingDestination). Nothing else repeats a",
        "check of the five cdk-nag packs.",
        "",
        "Acknowledge a finding with a reason, as for any pack:",
        '`Validations.of(construct).acknowledge(Acknowledgment(id="Messaging::Messaging-SNS6", '
        'reason="..."))`. Errors are traps that fail the deploy or lose messages; warnings are '
        "risks.",
        "",
        "| rule | level | finds |",
        "| --- | --- | --- |",
    ]
    for current in RULES:
        anchor = current.rule_id.lower()
        lines.append(f"| [`{current.rule_id}`](#{anchor}) | {current.level} | {current.title} |")
    for current in RULES:
        lines += [
            "",
            f"## {current.rule_id}",
            "",
            f"- **Level:** {LEVEL_TITLES[current.level]}",
            f"- **Finds:** {current.title}",
            f"- **Why:** {current.why}",
            f"- **Fix:** {current.fix}",
            "- **Source:** " + ", ".join(f"<{url}>" for url in current.sources),
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if "--markdown" in argv:
        print(render_markdown(), end="")
        return 0
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
