"""The cost rules look resources up in an index built once per template, not by scanning every
resource for each resource they price (which made an app of N resources cost N² steps)."""

from __future__ import annotations

from typing import Any

from patterns.cost.context import Template
from patterns.cost.lines import Assumptions


class _CountingResources(tuple):  # type: ignore[type-arg]
    scans = 0

    def __iter__(self) -> Any:
        type(self).scans += 1
        return super().__iter__()


def test_lookups_do_not_scan_the_resources() -> None:
    resources = _CountingResources(
        (f"Queue{n}", {"Type": "AWS::SQS::Queue" if n % 2 else "AWS::SNS::Topic"})
        for n in range(100)
    )
    template = Template(resources, Assumptions())
    before = _CountingResources.scans
    for n in range(100):
        assert template.by_id(f"Queue{n}") is not None
        assert len(list(template.of_type("AWS::SQS::Queue"))) == 50
    assert template.by_id(None) is None
    assert template.by_id("Missing") is None
    assert _CountingResources.scans == before
