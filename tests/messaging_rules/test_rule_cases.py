"""Every rule of MessagingChecks has a failing and a passing plain-CDK app: in
tests/test_messaging_checks.py or in a module of this folder (its ``CASES``)."""

from __future__ import annotations

import importlib
import pkgutil

from patterns.messaging.rules import RULES
from tests import messaging_rules


def _cased() -> dict[str, str]:
    """Rule suffix -> the test module whose CASES hold its apps."""
    modules = ["tests.test_messaging_checks"] + [
        f"tests.messaging_rules.{m.name}"
        for m in pkgutil.iter_modules(messaging_rules.__path__)
        if m.name.startswith("test_")
    ]
    found: dict[str, str] = {}
    for name in modules:
        for suffix in getattr(importlib.import_module(name), "CASES", {}):
            assert suffix not in found, f"{suffix} has cases in {found[suffix]} and {name}"
            found[suffix] = name
    return found


def test_every_rule_has_a_failing_and_a_passing_app() -> None:
    cased = _cased()
    assert sorted(cased) == sorted(r.suffix for r in RULES)
