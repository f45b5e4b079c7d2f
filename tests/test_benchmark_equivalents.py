"""The benchmark's hand-written equivalents stay comparable with the patterns: the same
resource types, and constructs, resources and template bytes within the one-sided tolerance
of benchmarks/comparability.py. A pattern change within it needs no edit (`make bench` shows
the drift in BENCHMARKS.md's comparability column; a test run prints no warning for it); a
change beyond it fails until benchmarks/equivalents.py follows."""

from __future__ import annotations

import ast
import inspect
from collections import Counter
from typing import Any

import pytest

from benchmarks import equivalents
from benchmarks.comparability import MAX_EXCESS, MAX_LAG, Drift, Footprint, measure
from benchmarks.equivalents import PAIRS, SUBSCRIBERS, Pair
from tests.helpers import CDK_CONTEXT, PATH_METADATA

# The context `make bench` synthesizes with (benchmarks/bench.py: cdk.json and path metadata).
CONTEXT = {**CDK_CONTEXT, **PATH_METADATA}


@pytest.fixture(scope="module")
def drifts() -> dict[str, Drift]:
    """Per pair, both sides synthesized once per module."""
    return {
        pair.name: Drift(measure(pair.pattern, CONTEXT), measure(pair.hand_written, CONTEXT))
        for pair in PAIRS
    }


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.name for pair in PAIRS])
def test_hand_written_side_is_comparable(drifts: dict[str, Drift], pair: Pair) -> None:
    drift = drifts[pair.name]
    assert drift.problems() == [], (
        f"{pair.name}: benchmarks/equivalents.py no longer builds a comparable stack "
        f"({drift.summary()}); bring {pair.hand_written.__name__} up to the pattern"
    )


# --- the comparison fails when it must -----------------------------------------------------


def _footprint(types: dict[str, int], constructs: int, template_bytes: int) -> Footprint:
    return Footprint(constructs, Counter(types), template_bytes, resources={})


PATTERN = _footprint({"AWS::SQS::Queue": 20, "AWS::CloudWatch::Alarm": 20}, 100, 20_000)


def test_an_equivalent_that_lags_a_little_is_comparable() -> None:
    """The pattern gained two alarms (5%) that the equivalent lacks: no edit needed."""
    lagging = _footprint({"AWS::SQS::Queue": 20, "AWS::CloudWatch::Alarm": 18}, 96, 19_200)
    assert Drift(PATTERN, lagging).problems() == []


@pytest.mark.parametrize(
    ("hand_written", "problem"),
    [
        (
            _footprint(
                {"AWS::SQS::Queue": 20, "AWS::CloudWatch::Alarm": 20, "AWS::KMS::Key": 1},
                100,
                20_000,
            ),
            "builds AWS::KMS::Key, the pattern none",
        ),
        (_footprint({"AWS::SQS::Queue": 40}, 100, 20_000), "builds no AWS::CloudWatch::Alarm"),
        (
            _footprint({"AWS::SQS::Queue": 20, "AWS::CloudWatch::Alarm": 15}, 100, 20_000),
            "resources: the hand-written side has 88%",
        ),
        (
            _footprint({"AWS::SQS::Queue": 20, "AWS::CloudWatch::Alarm": 20}, 85, 20_000),
            "constructs: the hand-written side has 85%",
        ),
        (
            _footprint({"AWS::SQS::Queue": 20, "AWS::CloudWatch::Alarm": 20}, 100, 17_000),
            "template bytes: the hand-written side has 85%",
        ),
        (
            _footprint({"AWS::SQS::Queue": 20, "AWS::CloudWatch::Alarm": 21}, 100, 20_000),
            "flatters the pattern",
        ),
    ],
    ids=[
        "extra-type",
        "missing-type",
        "lags-resources",
        "lags-constructs",
        "lags-bytes",
        "heavier",
    ],
)
def test_an_equivalent_beyond_the_tolerance_is_not_comparable(
    hand_written: Footprint, problem: str
) -> None:
    problems = Drift(PATTERN, hand_written).problems()
    assert any(problem in found for found in problems), problems


def test_the_tolerance_is_one_sided_and_tighter_than_the_synth_target() -> None:
    """A lagging equivalent makes the ratio err against the pattern (conservative); a heavier
    one would flatter it, so it gets less room. Both stay below the 1.1x synth target's margin,
    so drift alone cannot turn a MISS into a PASS."""
    assert 0 < MAX_EXCESS < MAX_LAG <= 0.10


def test_a_real_pattern_change_beyond_the_tolerance_fails() -> None:
    """Synthesized, not made up: a fan-out with one subscriber more than its equivalent."""

    def pattern_with_an_extra_subscriber(scope: Any, construct_id: str) -> None:
        from patterns import SnsToSqsFanOut

        fan_out = SnsToSqsFanOut(scope, construct_id)
        for name in (*SUBSCRIBERS, "Audit"):
            fan_out.add_queue(name)

    drift = Drift(
        measure(pattern_with_an_extra_subscriber, CONTEXT),
        measure(equivalents.sns_to_sqs_fan_out, CONTEXT),
    )
    assert drift.identical_resources == drift.hand_written.resource_count
    assert any(problem.startswith("resources:") for problem in drift.problems())


# --- what the benchmark compares -----------------------------------------------------------


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
