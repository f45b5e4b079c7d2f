"""Snapshots leave out what a CDK upgrade changes (tests/helpers.normalized), and only that:
a snapshot diff is a change to what our code deploys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from tests.helpers import ASSET_HASH_PLACEHOLDER, new_app, normalized


def _function_template(
    outdir: Path, code_dir: Path, *, memory_size: int = 128, **app_options: Any
) -> dict[str, Any]:
    """A stack with one Lambda function whose code is the asset ``code_dir``."""
    app = new_app(outdir=str(outdir), **app_options)
    stack = cdk.Stack(app, "Subject")
    lambda_.Function(
        stack,
        "Function",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_asset(str(code_dir)),
        memory_size=memory_size,
    )
    return dict(app.synth().get_stack_by_name("Subject").template)


def by_type(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == resource_type]


def _code(directory: Path, body: str) -> Path:
    directory.mkdir()
    (directory / "index.py").write_text(f"def handler(event, context):\n    {body}\n")
    return directory


@pytest.fixture
def code_dirs(tmp_path: Path) -> tuple[Path, Path]:
    return _code(tmp_path / "a", "return 1"), _code(tmp_path / "b", "return 2")


def test_a_changed_asset_gives_the_same_snapshot(
    tmp_path: Path, code_dirs: tuple[Path, Path]
) -> None:
    first = _function_template(tmp_path / "out1", code_dirs[0])
    second = _function_template(tmp_path / "out2", code_dirs[1])

    def s3_key(template: dict[str, Any]) -> str:
        (function,) = by_type(template, "AWS::Lambda::Function")
        return str(function["Properties"]["Code"]["S3Key"])

    assert s3_key(first) != s3_key(second)  # the raw templates differ by the asset hash
    assert normalized(first) == normalized(second)
    assert s3_key(normalized(first)) == f"{ASSET_HASH_PLACEHOLDER}.zip"


def test_a_changed_property_still_changes_the_snapshot(
    tmp_path: Path, code_dirs: tuple[Path, Path]
) -> None:
    small = _function_template(tmp_path / "out1", code_dirs[0], memory_size=128)
    large = _function_template(tmp_path / "out2", code_dirs[0], memory_size=256)
    assert normalized(small) != normalized(large)


def _parent_of_nested_template(outdir: Path, retention: cdk.Duration) -> dict[str, Any]:
    app = new_app(outdir=str(outdir))
    stack = cdk.Stack(app, "Subject")
    nested = cdk.NestedStack(stack, "Nested")
    sqs.Queue(nested, "Queue", retention_period=retention)
    return dict(app.synth().get_stack_by_name("Subject").template)


def test_a_nested_template_url_is_normalized(tmp_path: Path) -> None:
    """The parent names its nested template by hash: a change inside it is the nested
    template's change (snapshot that one), not the parent's."""
    first = _parent_of_nested_template(tmp_path / "out1", cdk.Duration.days(4))
    second = _parent_of_nested_template(tmp_path / "out2", cdk.Duration.days(5))
    assert first != second
    assert normalized(first) == normalized(second)
    assert ASSET_HASH_PLACEHOLDER in str(normalized(first))


def test_version_metadata_and_bootstrap_checks_are_left_out(
    tmp_path: Path, code_dirs: tuple[Path, Path]
) -> None:
    """What a CDK release decides: the CDKMetadata resource and the bootstrap version rule."""
    full = _function_template(tmp_path / "out1", code_dirs[0], analytics_reporting=True)
    bare = _function_template(
        tmp_path / "out2",
        code_dirs[0],
        analytics_reporting=False,
        default_stack_synthesizer=cdk.DefaultStackSynthesizer(
            generate_bootstrap_version_rule=False
        ),
    )
    assert "CDKMetadata" in full["Resources"]
    assert "CheckBootstrapVersion" in full["Rules"]
    assert full != bare
    assert normalized(full) == normalized(bare)
    assert not {"Rules", "Parameters", "Conditions"} & set(normalized(full))


def test_only_whole_sha256_hashes_are_replaced() -> None:
    """Our own digests (6 hex digits in physical names) and longer hex runs are kept."""
    asset = "a" * 64
    template = {
        "Resources": {
            "Image": {"Properties": {"Tag": f"repo:{asset}", "Name": "orders-1a2b3c"}},
            "Other": {"Properties": {"Value": "b" * 65}},
        }
    }
    result = normalized(template)["Resources"]
    assert result["Image"]["Properties"] == {
        "Tag": f"repo:{ASSET_HASH_PLACEHOLDER}",
        "Name": "orders-1a2b3c",
    }
    assert result["Other"]["Properties"]["Value"] == "b" * 65
