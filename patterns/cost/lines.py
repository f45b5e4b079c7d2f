"""The rows of a cost table, and what an estimate assumes.

A ``Line`` is one billed quantity: what, how many (per month, per million messages, or
by volume only), and the price-list product it is billed under (``RateSpec``). A
``NotCounted`` names resources the estimate does not price, with the reason. A stack's
lines and not-counted resources are its ``StackCost``.
"""

from __future__ import annotations

from dataclasses import dataclass

from patterns.cost.rates import RateSpec

FIXED = "fixed"
"""A quantity per month, whatever the traffic (hours, keys, alarm metrics)."""
PER_MILLION = "per million messages"
# Messages in the per-million figures, and the GB a million messages of 1 KB make.
MILLION = 1_000_000
GB_PER_MILLION_KB = MILLION / (1024 * 1024)
"""A quantity per million messages on the resource's message path."""
BY_VOLUME = "by volume"
"""Billed by a volume the template cannot tell (GB stored, GB processed): rate only."""


@dataclass(frozen=True)
class Assumptions:
    """What the estimate assumes about traffic; each is printed next to the numbers."""

    message_kb: int = 1
    messages_per_month: int = MILLION
    lambda_duration_ms: int = 100

    def describe(self) -> list[str]:
        return [
            f"messages of up to {self.message_kb} KB",
            f"{self.messages_per_month:,} messages a month through every message path",
            f"{self.lambda_duration_ms} ms of Lambda duration per invocation",
            "one message per SQS and SNS request (batching lowers requests)",
            "no empty receives (long polling keeps them few)",
            "every SNS subscriber matching (filter policies lower deliveries)",
            f"{730} hours a month for hourly charges",
            "no free tier subtracted",
        ]


@dataclass(frozen=True)
class Line:
    """One billed quantity: ``quantity`` units of ``spec`` per month or per million messages.

    ``quantity`` is in the unit of the price-list rate (``spec.unit``); None for a charge
    ``BY_VOLUME`` whose quantity the template cannot tell.
    """

    resource: str
    item: str
    quantity: float | None
    spec: RateSpec | None
    note: str = ""
    basis: str = FIXED


@dataclass(frozen=True)
class NotCounted:
    """Resources of one type the estimate does not price, and why."""

    resource_type: str
    reason: str
    resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class StackCost:
    """The billed quantities of one stack (nested stacks included) and what is not counted."""

    stack: str
    lines: tuple[Line, ...]
    not_counted: tuple[NotCounted, ...] = ()

    @property
    def fixed(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.basis == FIXED)

    @property
    def per_million(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.basis == PER_MILLION)

    @property
    def by_volume(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.basis == BY_VOLUME)

    def specs(self) -> list[RateSpec]:
        """Every price-list product this stack's lines are billed under, once each."""
        seen: dict[str, RateSpec] = {}
        for line in self.lines:
            if line.spec is not None:
                seen.setdefault(line.spec.key, line.spec)
        return list(seen.values())
