"""The benchmark's hand-written equivalents build what the patterns build, so ratios compare
like with like: the same resource types and counts and, since they mirror the patterns'
construct IDs, the same resources with the same properties, policies and dependencies."""

from __future__ import annotations

import ast
import inspect
from collections import Counter
from typing import Any

import aws_cdk as cdk
import pytest

from benchmarks import equivalents
from benchmarks.equivalents import PAIRS, Pair
from tests.helpers import new_app

# Template metadata is left out on purpose: the patterns add cdk-nag acknowledgements and
# checkov skips there, which the equivalents do not repeat (see benchmarks/equivalents.py).
COMPARED_KEYS = ("Type", "Properties", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy")


def _synth(build: Any) -> dict[str, Any]:
    app = new_app()
    stack = cdk.Stack(app, "Bench")
    build(stack, "Subject")
    return dict(app.synth().get_stack_by_name("Bench").template)


@pytest.fixture(scope="module")
def templates() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Per pair: (pattern template, hand-written template), synthesized once per module."""
    return {pair.name: (_synth(pair.pattern), _synth(pair.hand_written)) for pair in PAIRS}


def _resources(template: dict[str, Any]) -> dict[str, Any]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] != "AWS::CDK::Metadata"
    }


def _comparable(resource: dict[str, Any]) -> dict[str, Any]:
    picked = {key: resource[key] for key in COMPARED_KEYS if key in resource}
    if "DependsOn" in picked:
        picked["DependsOn"] = sorted(picked["DependsOn"])
    return picked


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.name for pair in PAIRS])
def test_same_resource_types_and_counts(templates, pair: Pair) -> None:
    pattern, hand_written = templates[pair.name]
    pattern_types = Counter(r["Type"] for r in _resources(pattern).values())
    hand_types = Counter(r["Type"] for r in _resources(hand_written).values())
    assert hand_types == pattern_types


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.name for pair in PAIRS])
def test_same_resources_properties_and_dependencies(templates, pair: Pair) -> None:
    pattern, hand_written = templates[pair.name]
    pattern_resources = _resources(pattern)
    hand_resources = _resources(hand_written)
    assert sorted(hand_resources) == sorted(pattern_resources)
    for logical_id, resource in pattern_resources.items():
        assert _comparable(hand_resources[logical_id]) == _comparable(resource), logical_id


def test_every_pattern_is_benchmarked() -> None:
    names = " ".join(pair.name for pair in PAIRS)
    for pattern in (
        "QueueWithDeadLetterQueue",
        "SnsToSqsFanOut",
        "S3EventFanOut",
        "KinesisToFirehoseToS3",
        "AmazonMqBroker",
    ):
        assert pattern in names


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.name for pair in PAIRS])
def test_hand_written_side_uses_no_pattern_code(pair: Pair) -> None:
    source = inspect.getsource(pair.hand_written)
    names = {
        node.id if isinstance(node, ast.Name) else node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Name | ast.ImportFrom)
    }
    assert not any(name and name.startswith("patterns") for name in names)


def test_equivalents_module_imports_no_pattern_code() -> None:
    """Only the pattern_* calls import patterns, inside themselves; the module itself never."""
    tree = ast.parse(inspect.getsource(equivalents))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert imported
    assert not any(name and name.startswith("patterns") for name in imported)
