"""The rows of a cost table: a ``Line`` (what, how many, of which priced unit, why) and a
stack's fixed and variable lines (``StackCost``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from patterns.cost.prices import PRICES, Price


@dataclass(frozen=True)
class Line:
    """One row of a cost table: what, how many, of which priced unit, and why."""

    resource: str
    item: str
    quantity: float
    price_key: str | None
    note: str = ""

    def price(self, prices: Mapping[str, Price] = PRICES) -> Price | None:
        return prices.get(self.price_key) if self.price_key else None

    def usd(self, prices: Mapping[str, Price] = PRICES) -> float | None:
        price = self.price(prices)
        return None if price is None else round(self.quantity * price.usd, 4)


@dataclass(frozen=True)
class StackCost:
    """The fixed monthly lines and the variable lines of one stack (nested stacks included)."""

    stack: str
    fixed: tuple[Line, ...]
    variable: tuple[Line, ...]

    def fixed_usd(self, prices: Mapping[str, Price] = PRICES) -> float:
        """The monthly sum of the fixed lines that have a price."""
        return round(sum(line.usd(prices) or 0.0 for line in self.fixed), 2)
