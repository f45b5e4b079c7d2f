"""Helpers for the tests: synthesizing stacks, reading templates, comparing snapshots."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = ROOT / "tests" / "snapshots"
# The feature flags of cdk.json, so unit tests see the templates a new user gets.
CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]


# As the CDK CLI does: record each resource's construct path in its metadata.
PATH_METADATA = {"aws:cdk:enable-path-metadata": True}


def new_app(**kwargs: Any) -> cdk.App:
    """An App with the project's feature flags and path metadata, as the CLI would make it."""
    return cdk.App(context={**CDK_CONTEXT, **PATH_METADATA}, **kwargs)


THIRTY_SECONDS = cdk.Duration.seconds(30)


def inline_function(
    scope: cdk.Stack,
    construct_id: str,
    *,
    timeout: cdk.Duration | None = THIRTY_SECONDS,
    **options: Any,
) -> Any:
    """A Python Lambda function with inline code, to consume what a test builds (any
    ``lambda_.Function`` option in ``options``; ``timeout=None`` keeps Lambda's 3 s)."""
    from aws_cdk import aws_lambda as lambda_

    return lambda_.Function(
        scope,
        construct_id,
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        timeout=timeout,
        **options,
    )


def synth_stack(build: Callable[[cdk.Stack], object], stack_name: str = "Test") -> Template:
    """Build one stack with ``build`` and return its template (no cdk-nag, for speed)."""
    app = new_app()
    stack = cdk.Stack(app, stack_name)
    build(stack)
    return Template.from_stack(stack)


def resources_of(template: Template, resource_type: str) -> dict[str, Any]:
    """All resources of one type, keyed by logical ID."""
    return dict(template.find_resources(resource_type))


def _at_path(template: Template, resource_type: str, path_suffix: str) -> tuple[str, Any]:
    """The one resource of ``resource_type`` whose construct path ends with ``path_suffix``."""
    matches = [
        (key, resource)
        for key, resource in template.find_resources(resource_type).items()
        if resource.get("Metadata", {}).get("aws:cdk:path", "").endswith(path_suffix)
    ]
    assert len(matches) == 1, (
        f"expected one {resource_type} at *{path_suffix}, found {len(matches)}"
    )
    return matches[0]


def by_path(template: Template, resource_type: str, path_suffix: str) -> dict[str, Any]:
    """The one resource of ``resource_type`` whose construct path ends with ``path_suffix``."""
    return dict(_at_path(template, resource_type, path_suffix)[1])


def logical_id(template: Template, resource_type: str, path_suffix: str) -> str:
    """The logical ID of the resource at ``path_suffix`` (found by path, never hard-coded)."""
    return str(_at_path(template, resource_type, path_suffix)[0])


def ref(template: Template, resource_type: str, path_suffix: str) -> dict[str, Any]:
    """``{"Ref": ...}`` of the resource at ``path_suffix``."""
    return {"Ref": logical_id(template, resource_type, path_suffix)}


def arn(template: Template, resource_type: str, path_suffix: str) -> dict[str, Any]:
    """``{"Fn::GetAtt": [..., "Arn"]}`` of the resource at ``path_suffix``."""
    return {"Fn::GetAtt": [logical_id(template, resource_type, path_suffix), "Arn"]}


@dataclass
class SynthesizedApp:
    """The example app after synthesis: its assembly folder and templates."""

    outdir: Path
    assembly: cdk.cx_api.CloudAssembly

    def template(self, stack_name: str) -> Template:
        return Template.from_json(self.template_json(stack_name))

    def template_json(self, stack_name: str) -> dict[str, Any]:
        stack = self.assembly.get_stack_by_name(stack_name)
        return dict(stack.template)  # a fresh copy


def synthesize_examples(outdir: Path) -> SynthesizedApp:
    """Synthesize the example app (all stacks, compliance gate on) into ``outdir``."""
    from app import build_app

    app = build_app(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA})
    return SynthesizedApp(outdir, app.synth())


def read_examples(outdir: Path) -> SynthesizedApp:
    """The example app as ``synthesize_examples`` left it in ``outdir`` (another process's
    synthesis, read back from disk: the same manifest and templates, no construct tree)."""
    return SynthesizedApp(outdir, cdk.cx_api.CloudAssembly(str(outdir)))


# A CDK asset's hash: the SHA-256 of its content, in hex. It names the asset's S3 object or
# image tag (a Lambda's S3Key, a nested stack's TemplateURL, a container image's tag, the
# aws:asset:* metadata) and changes whenever the bundled content does, e.g. with every CDK
# release that touches one of its own handlers. The library's own digests (physical names)
# are 6 hex digits, never 64, so they stay in the snapshots.
ASSET_HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
ASSET_HASH_PLACEHOLDER = "<asset-hash>"


def _without_asset_hashes(value: Any) -> Any:
    if isinstance(value, str):
        return ASSET_HASH.sub(ASSET_HASH_PLACEHOLDER, value)
    if isinstance(value, list):
        return [_without_asset_hashes(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_asset_hashes(item) for key, item in value.items()}
    return value


def normalized(template: dict[str, Any]) -> dict[str, Any]:
    """The template without what changes with a CDK upgrade rather than with our code.

    Left out: the ``CDKMetadata`` resource and its condition (the CDK version and the
    construct libraries used), the synthesizer's ``BootstrapVersion`` parameter and
    ``CheckBootstrapVersion`` rule (the bootstrap versions a CDK release accepts). Replaced by
    ``<asset-hash>``: asset hashes (``ASSET_HASH``). Everything else stays, including the
    runtime of a CDK-provided handler: a new runtime is a change to what gets deployed.
    """
    template = json.loads(json.dumps(template))
    for section, name in (
        ("Resources", "CDKMetadata"),
        ("Conditions", "CDKMetadataAvailable"),
        ("Parameters", "BootstrapVersion"),
        ("Rules", "CheckBootstrapVersion"),
    ):
        template.get(section, {}).pop(name, None)
        if section in template and not template[section]:
            template.pop(section)
    return dict(_without_asset_hashes(template))


def assert_matches_snapshot(name: str, template: dict[str, Any]) -> None:
    """Compare with ``tests/snapshots/<name>.json``; ``UPDATE_SNAPSHOTS=1`` rewrites it."""
    path = SNAPSHOT_DIR / f"{name}.json"
    actual = normalized(template)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n")
    assert path.exists(), f"no snapshot {path.name}: run `make snapshots` and review the diff"
    expected = json.loads(path.read_text())
    assert actual == expected, (
        f"{name} differs from its snapshot; if the change is intended, run `make snapshots` "
        "and commit the reviewed diff"
    )
