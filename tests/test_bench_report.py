"""`make bench`'s report: the targets it holds the patterns to, each verdict from the numbers
(no synthesis)."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import bench
from benchmarks.bench import FanOutResult, ImportResults, SynthResult
from tests.helpers import ROOT


def _synth(name: str, ratio: float, pattern_trips: int, hand_trips: int) -> SynthResult:
    return SynthResult(
        name=name,
        pattern_seconds=ratio,
        hand_seconds=1.0,
        ratio=ratio,
        pattern_lines=1,
        hand_lines=60,
        comparability="",
        pattern_round_trips=pattern_trips,
        hand_round_trips=hand_trips,
        round_trip_kinds="",
    )


def _fan_out(seconds: float, *, hand_written: bool, subscribers: int = 1000) -> FanOutResult:
    templates = [{"resources": 300, "bytes": 300_000}]
    return FanOutResult(
        True, subscribers, 1, seconds, templates, None, "clean", hand_written=hand_written
    )


def _row(lines: list[str], start: str) -> str:
    found = [line for line in lines if line.startswith(start)]
    assert len(found) == 1, (start, lines)
    return found[0]


def _targets(**overrides: Any) -> list[str]:
    arguments: dict[str, Any] = {
        "imports": ImportResults([], 0.01, 0.2),
        "synth": [_synth("QueueWithDeadLetterQueue", 1.1, 30, 26)],
        "fan_out": [_fan_out(9.0, hand_written=False), _fan_out(9.5, hand_written=True)],
        "suite": 40.0,
    }
    return bench.targets(**{**arguments, **overrides})


def test_the_targets() -> None:
    assert bench.TARGET_SYNTH_RATIO == 1.15
    assert bench.TARGET_ROUND_TRIP_RATIO == 1.2
    assert bench.TARGET_SUITE_SECONDS == 45.0


@pytest.mark.parametrize(
    ("pattern_trips", "verdict"), [(31, "PASS"), (32, "MISS")], ids=["1.19x", "1.23x"]
)
def test_round_trips_pass_up_to_1_2x_the_twin(pattern_trips: int, verdict: str) -> None:
    lines = _targets(synth=[_synth("QueueWithDeadLetterQueue", 1.0, pattern_trips, 26)])
    row = _row(lines, "| QueueWithDeadLetterQueue jsii round trips ≤ 1.2x")
    assert f"({pattern_trips} / 26)" in row
    assert row.endswith(f"| {verdict} |")


@pytest.mark.parametrize(("ratio", "verdict"), [(1.15, "PASS"), (1.16, "MISS")])
def test_synth_passes_up_to_1_15x_the_twin(ratio: float, verdict: str) -> None:
    lines = _targets(synth=[_synth("QueueWithDeadLetterQueue", ratio, 26, 26)])
    assert _row(lines, "| QueueWithDeadLetterQueue synth ≤ 1.15x").endswith(f"| {verdict} |")


@pytest.mark.parametrize(("pattern", "hand", "verdict"), [(9.0, 9.5, "PASS"), (10.0, 9.5, "MISS")])
def test_the_large_fan_out_is_no_slower_than_its_hand_written_twin(
    pattern: float, hand: float, verdict: str
) -> None:
    fan_out = [_fan_out(pattern, hand_written=False), _fan_out(hand, hand_written=True)]
    row = _row(_targets(fan_out=fan_out), "| 1,000-subscriber fan-out (nested_stacks=True) no")
    assert row.endswith(f"| {verdict} |")


def test_the_hand_written_fan_out_is_never_the_one_judged_against_the_limits() -> None:
    """The largest hand-written size comes last; the limits row still names the pattern."""
    fan_out = [_fan_out(9.0, hand_written=False), _fan_out(1.0, hand_written=True)]
    row = _row(_targets(fan_out=fan_out), "| 1,000-subscriber fan-out (nested_stacks=True) syn")
    assert "9.00 s" in row


@pytest.mark.parametrize(("suite", "verdict"), [(44.9, "PASS"), (45.0, "MISS")])
def test_the_unit_suite_passes_under_45_seconds(suite: float, verdict: str) -> None:
    assert _row(_targets(suite=suite), "| unit suite < 45 s").endswith(f"| {verdict} |")


def test_the_suite_is_timed_as_make_unit_runs_it() -> None:
    makefile = (ROOT / "Makefile").read_text()
    unit = makefile[makefile.index("\nunit:") :].split("\n\n")[0]
    assert f'-m "{bench.UNIT_MARKER}"' in unit
    assert " ".join(bench.UNIT_OPTIONS) in unit
