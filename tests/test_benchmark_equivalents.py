"""The tolerance that decides whether a hand-written equivalent is comparable with its pattern
(benchmarks/comparability.py), on made-up footprints, and what the benchmark compares.

Whether each real equivalent is comparable is checked by `make bench` before it times anything
(benchmarks/bench.py, `--equivalents` alone), not here: a pattern change must not force an edit
of its benchmark twin in the unit loop. Nothing here synthesizes a pattern."""

from __future__ import annotations

import ast
import inspect
from collections import Counter

import pytest

from benchmarks import equivalents
from benchmarks.comparability import MAX_EXCESS, MAX_LAG, Drift, Footprint
from benchmarks.equivalents import PAIRS, Pair

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
    one would flatter it, so it gets less room. Both stay below the 1.15x synth target's margin,
    so drift alone cannot turn a MISS into a PASS."""
    assert 0 < MAX_EXCESS < MAX_LAG <= 0.10


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
