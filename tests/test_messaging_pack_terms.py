"""The pack on cdk-nag's own terms: its rules listed explicitly (importing a module registers
nothing), levels as an Enum, and the finding handed to cdk-nag built of plain attributes."""

from __future__ import annotations

import importlib
import inspect

from patterns.messaging import rules as package
from patterns.messaging.rules import RULES, Finding, Level, Rule
from patterns.messaging.rules.base import rule

MODULES = (
    "sns",
    "s3",
    "sqs",
    "lambda_consumers",
    "envelopes",
    "lambda_mq",
    "alarms_events",
    "streams_brokers",
    "kinesis",
    "kcl",
    "pipes",
    "subscriptions",
    "lambda_async",
    "event_targets",
    "policy_denies",
)


def test_importing_a_rule_module_again_registers_nothing() -> None:
    before = list(package.RULES)
    module = importlib.import_module("patterns.messaging.rules.sqs")
    importlib.reload(module)
    assert list(package.RULES) == before
    assert len({r.rule_id for r in RULES}) == len(RULES)


def test_every_rule_a_module_defines_is_in_its_list_and_the_packs_list() -> None:
    listed: list[Rule] = []
    for name in MODULES:
        module = importlib.import_module(f"patterns.messaging.rules.{name}")
        defined = {v.rule_id for v in vars(module).values() if isinstance(v, Rule)}
        assert defined == {r.rule_id for r in module.RULES}, name
        listed += module.RULES
    assert [r.rule_id for r in listed] == [r.rule_id for r in RULES]


def test_levels_are_an_enum_whose_values_the_reports_print() -> None:
    assert {r.level for r in RULES} <= set(Level)
    assert all(isinstance(r.level, Level) for r in RULES)
    assert [level.value for level in Level] == ["error", "warning", "info"]
    assert f"{Level.ERROR}" == "error"


def test_rule_makes_a_rule_without_registering_it() -> None:
    made = rule("X1", Level.WARNING, title="t", why="w", fix="f", sources=("s",))(
        lambda model: iter(())
    )
    assert isinstance(made, Rule)
    assert made.rule_id == "Messaging-X1"
    assert made.rule_id not in {r.rule_id for r in RULES}


def test_the_finding_handed_to_cdk_nag_is_plain_attributes() -> None:
    """cdk-nag's IApplyRule declares its fields writable: they are attributes, no property
    whose setter only raises (the pack's tests show cdk-nag reads them)."""
    from patterns.messaging.pack import _Violation

    first = RULES[0]
    finding = Finding(first.rule_id, first.level, "S", "L", "S/L", "message", first.fix)
    violation = _Violation(finding, None)  # type: ignore[arg-type]
    assert violation.rule_suffix_override == first.suffix
    violation.info = "edited"
    assert violation.info == "edited"
    assert not [n for n, v in inspect.getmembers(_Violation) if isinstance(v, property)]
