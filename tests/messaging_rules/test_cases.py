"""Every new rule: its failing app reports it, at its level, on the construct that carries the
trap; its passing app reports nothing at all (no rule of the pack)."""

from __future__ import annotations

import pytest

from patterns.messaging.rules import RULES
from tests.messaging_rules.apps import CASES, GOOD, MORE, Build, good_name
from tests.messaging_rules.report import Report

LEVELS = {r.suffix: r.level for r in RULES}


@pytest.mark.parametrize("suffix", sorted(CASES))
def test_the_failing_app_reports_the_rule(report: Report, suffix: str) -> None:
    found = report.of_stack(f"Fail{suffix}")
    assert (f"Messaging-{suffix}", LEVELS[suffix], CASES[suffix].at) in found, found


@pytest.mark.parametrize("suffix", sorted(MORE))
def test_the_second_failing_app_reports_the_rule(report: Report, suffix: str) -> None:
    found = report.of_stack(f"MoreFail{suffix}")
    assert (f"Messaging-{suffix}", LEVELS[suffix], MORE[suffix].at) in found, found


@pytest.mark.parametrize("build", GOOD, ids=good_name)
def test_the_passing_app_reports_nothing(report: Report, build: Build) -> None:
    assert report.of_stack(good_name(build)) == []
