"""A rule reports at its own level; a finding may only drop to a note (cdk-nag's validation
report keeps one severity per rule name, so any other level would show wrongly in plugin
mode)."""

from __future__ import annotations

from typing import Any

import pytest

from patterns.messaging.rules.base import ERROR, INFO, WARNING, Hit


@pytest.mark.parametrize("level", [ERROR, WARNING, "critical"])
def test_a_finding_cannot_take_a_level_other_than_its_rules(level: Any) -> None:
    with pytest.raises(ValueError, match="one level per rule"):
        Hit("Queue", "a message", level)


def test_a_finding_may_be_a_note() -> None:
    assert Hit("Queue", "not checked: ...", INFO).level == INFO
    assert Hit("Queue", "a message").level is None
