"""The per-hop table of docs/messaging-checks.md (patterns/messaging/rules/coverage.py) names
only rules that exist, and every rule under some kind of hop."""

from __future__ import annotations

from patterns.messaging.rules import RULES
from patterns.messaging.rules.coverage import COVERAGE, named_rules
from tools.messaging_checks_doc import render_markdown


def test_every_rule_the_table_names_exists() -> None:
    assert named_rules() - {r.suffix for r in RULES} == set()


def test_every_rule_is_named_under_a_kind_of_hop() -> None:
    assert {r.suffix for r in RULES} - named_rules() == set()


def test_every_kind_of_hop_is_listed_once_with_its_reasons() -> None:
    kinds = [hop.kind for hop in COVERAGE]
    assert len(kinds) == len(set(kinds))
    for hop in COVERAGE:
        assert hop.checked or hop.not_checked, hop.kind
        assert all(n.what and n.reason for n in hop.not_checked), hop.kind


def test_the_table_is_in_the_rules_doc() -> None:
    text = render_markdown()
    assert "## What is checked, per kind of hop" in text
    for hop in COVERAGE:
        assert f"| {hop.kind} |" in text
