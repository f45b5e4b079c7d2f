"""The cost tables as Markdown (docs/cost.md, ``--markdown``) and as plain text (terminal),
and the dated price table with its sources."""

from __future__ import annotations

from collections.abc import Mapping

from patterns.cost.lines import Line, StackCost
from patterns.cost.prices import PRICES, PRICES_READ_ON, REGION, UNCONFIRMED, Price


def _usd(value: float | None) -> str:
    return "not estimated" if value is None else f"${value:,.2f}"


def _summed(lines: tuple[Line, ...]) -> list[tuple[str, float, str | None, str]]:
    """Lines of the same item and price summed over the stack: (item, quantity, key, note)."""
    totals: dict[tuple[str, str | None], float] = {}
    notes: dict[tuple[str, str | None], set[str]] = {}
    for line in lines:
        key = (line.item, line.price_key)
        totals[key] = totals.get(key, 0) + line.quantity
        notes.setdefault(key, set())
        if line.note:
            notes[key].add(line.note)
    return [
        (item, quantity, price_key, "; ".join(sorted(notes[(item, price_key)])))
        for (item, price_key), quantity in totals.items()
    ]


def _quantity(value: float, price_key: str | None = "") -> str:
    if not value and price_key is None:
        return "by volume"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _unit_price(price: Price | None) -> str:
    if price is None:
        return "not confirmed"
    return f"${price.usd:.2f}" + ("" if price.source.startswith("https://") else " (yours)")


def render_markdown(
    cost: StackCost,
    heading: str = "###",
    intro: str = "",
    prices: Mapping[str, Price] = PRICES,
) -> str:
    """A stack's fixed table (summed per item) and its per-resource variable table."""
    lines = [f"{heading} {cost.stack}", ""]
    if intro:
        lines += [intro, ""]
    lines += [
        f"Fixed monthly cost: **{_usd(cost.fixed_usd(prices))}** of priced items "
        f"(+ the unpriced quantities below, list prices {REGION}, {PRICES_READ_ON}).",
        "",
        "| fixed item | quantity per month | unit price | monthly | note |",
        "| --- | ---: | --- | ---: | --- |",
    ]
    for item, quantity, key, note in _summed(cost.fixed):
        price = prices.get(key) if key else None
        unit = _unit_price(price)
        monthly = round(quantity * price.usd, 2) if price else None
        amount = _quantity(quantity, key)
        lines.append(f"| {item} | {amount} | {unit} | {_usd(monthly)} | {note} |")
    if not cost.variable:
        lines += ["", "No per-message charge: nothing in this stack bills by request or by GB."]
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "| message path | billable units | per | unit price | note |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for line in cost.variable:
        per = "GB" if line.item.endswith("GB") else "million messages"
        unit = _unit_price(line.price(prices))
        lines.append(
            f"| `{line.resource}` {line.item} | {_quantity(line.quantity)} | {per} | {unit} "
            f"| {line.note} |"
        )
    return "\n".join(lines) + "\n"


def render_price_table() -> str:
    """The dated list-price table with its sources, and what could not be confirmed."""
    lines = [
        f"List prices, region {REGION}, read on {PRICES_READ_ON}:",
        "",
        "| price | unit | source (read on) | the page says |",
        "| ---: | --- | --- | --- |",
    ]
    lines += [
        f'| ${p.usd:.2f} | {p.unit} | {p.source} ({p.as_of}) | "{p.quote}" |'
        for p in PRICES.values()
    ]
    lines += [
        "",
        "Not estimated (counted, not priced): no stored copy of an AWS-owned page (pricing "
        f"page, user guide, AWS blog; searched on {PRICES_READ_ON}) shows the number, and a "
        "third-party page cannot replace it.",
        "",
        "| charge | AWS page | what the page showed |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {u.unit} | {u.source} | {u.what_the_page_showed} |" for u in UNCONFIRMED]
    return "\n".join(lines) + "\n"


def render_text(costs: list[StackCost], prices: Mapping[str, Price] = PRICES) -> str:
    """Plain-text tables for the terminal."""
    out: list[str] = []
    for cost in costs:
        out.append(f"== {cost.stack}: fixed ${cost.fixed_usd(prices):,.2f}/month of priced items")
        for item, quantity, key, note in _summed(cost.fixed):
            price = prices.get(key) if key else None
            monthly = _usd(round(quantity * price.usd, 2) if price else None)
            amount = _quantity(quantity, key)
            out.append(f"  {item:<44} {amount:>10}  {monthly:>14}  {note}")
        out.append("  -- variable, per million messages (per GB for Firehose / on-demand)")
        for line in cost.variable:
            per = _usd(line.usd(prices))
            out.append(
                f"  {line.resource}: {line.item} = {_quantity(line.quantity)} ({per})  {line.note}"
            )
    out.append(
        f"Prices: {REGION}, read {PRICES_READ_ON}; only prices confirmed on AWS pricing pages "
        "are applied (docs/cost.md lists the sources and what is not estimated); add your own "
        "with --prices=file.json (keys: --keys)."
    )
    return "\n".join(out)
