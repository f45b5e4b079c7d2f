"""The cost of each stack as text (terminal), Markdown (docs, ``--format markdown``) or JSON.

Without a price book only the billed quantities are shown; with one, every amount names the
rate it is computed from (``[n]``), listed at the end with its SKU, rate code, AWS's
description and publication date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from patterns.cost.lines import MILLION, Assumptions, Line, StackCost
from patterns.cost.pricelist import PriceBook, Rate, to_json, usd_text
from patterns.cost.rates import RateSpec


@dataclass(frozen=True)
class Row:
    """Lines of one stack with the same item and rate, summed; their amount where priced."""

    item: str
    quantity: float | None
    spec: RateSpec | None
    resources: tuple[str, ...]
    note: str
    rate: Rate | None

    @property
    def usd(self) -> float | None:
        if self.rate is None or self.quantity is None:
            return None
        return self.quantity * self.rate.usd


def rows(lines: Iterable[Line], book: PriceBook | None, summed: bool) -> list[Row]:
    """Rows of lines; ``summed`` merges lines of the same item and rate across resources."""
    grouped: dict[tuple[str, ...], list[Line]] = {}
    for line in lines:
        key = (line.item, line.spec.key if line.spec else "")
        grouped.setdefault(key if summed else (*key, line.resource), []).append(line)
    result = []
    for group in grouped.values():
        first = group[0]
        quantities = [line.quantity for line in group]
        total = None if any(q is None for q in quantities) else sum(q or 0 for q in quantities)
        notes = sorted({line.note for line in group if line.note})
        rate = book.get(first.spec.key) if (book and first.spec) else None
        paths = tuple(line.resource for line in group)
        result.append(Row(first.item, total, first.spec, paths, "; ".join(notes), rate))
    return result


def total(rows_: Iterable[Row]) -> float:
    return sum(row.usd or 0.0 for row in rows_)


def _number(value: float | None) -> str:
    if value is None:
        return "by volume"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def _money(value: float | None) -> str:
    if value is None:
        return "-"
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.10f}".rstrip("0")


class RateIndex:
    """Numbers ``[n]`` for the rates an output uses, in the order they are first used."""

    def __init__(self) -> None:
        self.rates: dict[str, tuple[int, Rate]] = {}

    def ref(self, rate: Rate | None) -> str:
        if rate is None:
            return ""
        if rate.key not in self.rates:
            self.rates[rate.key] = (len(self.rates) + 1, rate)
        return f"[{self.rates[rate.key][0]}]"


def _unpriced(book: PriceBook | None, row: Row) -> str:
    if row.spec is None:
        return ""
    if book is None:
        return f"rate {row.spec.key}"
    return f"no price: {book.missing.get(row.spec.key, 'not in the price list')}"


def _unit(row: Row) -> str:
    if row.rate is not None:
        return row.rate.unit
    return row.spec.unit if row.spec else ""


def render_text(costs: list[StackCost], book: PriceBook | None, assumptions: Assumptions) -> str:
    """Plain-text tables for the terminal."""
    index = RateIndex()
    out: list[str] = []
    for cost in costs:
        out += _text_stack(cost, book, assumptions, index)
    out.append("Assumptions: " + "; ".join(assumptions.describe()) + ".")
    out += _text_rates(book, index)
    return "\n".join(out) + "\n"


def _text_stack(
    cost: StackCost, book: PriceBook | None, assumptions: Assumptions, index: RateIndex
) -> list[str]:
    fixed = rows(cost.fixed, book, summed=True)
    variable = rows(cost.per_million, book, summed=False)
    volume = rows(cost.by_volume, book, summed=True)
    region = f" ({book.region})" if book else ""
    out = [f"== {cost.stack}{region}"]
    priced = book is not None
    out.append("Fixed per month" + (f": {_money(total(fixed))}" if priced else ":"))
    for row in fixed:
        out.append(_text_row(row, book, index, f"{len(row.resources)} resource(s)"))
    per_million = total(variable)
    per_message = f" ({_money(per_million / MILLION)} per message)" if per_million else ""
    out.append(
        "Per million messages" + (f": {_money(per_million)}{per_message}" if priced else ":")
    )
    for row in variable:
        out.append(_text_row(row, book, index, row.resources[0]))
    if priced:
        monthly = total(fixed) + total(variable) * assumptions.messages_per_month / MILLION
        out.append(
            f"Monthly total at {assumptions.messages_per_month:,} messages: {_money(monthly)} "
            "(fixed + per-message; by-volume charges and what is not counted come on top)"
        )
    if volume:
        out.append("By volume (rate shown, not in the totals):")
        for row in volume:
            out.append(_text_row(row, book, index, f"{len(row.resources)} resource(s)"))
    if cost.not_counted:
        out.append("Not counted:")
        for skipped in cost.not_counted:
            out.append(f"  {skipped.resource_type} ({len(skipped.resources)}): {skipped.reason}")
    out.append("")
    return out


def _text_row(row: Row, book: PriceBook | None, index: RateIndex, where: str) -> str:
    amount = f"{_number(row.quantity)} {_unit(row)}"
    if row.rate is not None:
        cost = "" if row.usd is None else f" = {_money(row.usd)}"
        price = f" x ${usd_text(row.rate.usd)}{cost} {index.ref(row.rate)}"
    else:
        price = f" ({_unpriced(book, row)})" if row.spec else ""
    note = f"  -- {row.note}" if row.note else ""
    return f"  {row.item}: {amount}{price}  [{where}]{note}"


def _text_rates(book: PriceBook | None, index: RateIndex) -> list[str]:
    if book is None:
        return [
            "No prices applied: add --region REGION to read them from AWS's Price List Query "
            "API (with --price-cache FILE to keep them for later runs), or --offers DIR for "
            "saved offer files."
        ]
    out = [f"Rates ({book.region}, on-demand, USD):"]
    for number, rate in sorted(index.rates.values(), key=lambda pair: pair[0]):
        out.append(f"  [{number}] {rate.key}: {rate.reference()}")
    return out


# --------------------------------------------------------------------------- markdown


def render_markdown(
    cost: StackCost,
    book: PriceBook | None = None,
    heading: str = "###",
    intro: str = "",
) -> str:
    """A stack's billed quantities; with a price book, their amounts and the rates used."""
    index = RateIndex()
    lines = [f"{heading} {cost.stack}", ""]
    if intro:
        lines += [intro, ""]
    price_head = " rate | amount |" if book else ""
    price_rule = " --- | ---: |" if book else ""
    fixed = rows(cost.fixed, book, summed=True)
    if fixed:
        lines += [
            f"| fixed charge | per month | unit |{price_head} note |",
            f"| --- | ---: | --- |{price_rule} --- |",
        ]
        lines += [_md_row(row, book, index, row.item) for row in fixed]
        lines.append("")
    variable = rows(cost.per_million, book, summed=False)
    if variable:
        lines += [
            f"| message path | per million messages | unit |{price_head} note |",
            f"| --- | ---: | --- |{price_rule} --- |",
        ]
        lines += [_md_row(row, book, index, f"`{row.resources[0]}` {row.item}") for row in variable]
        lines.append("")
    volume = rows(cost.by_volume, book, summed=True)
    if volume:
        items = "; ".join(f"{row.item} ({row.note})" if row.note else row.item for row in volume)
        lines += [f"By volume: {items}.", ""]
    if cost.not_counted:
        lines.append(
            "Not counted: "
            + "; ".join(
                f"`{n.resource_type}` x{len(n.resources)} ({n.reason})" for n in cost.not_counted
            )
            + "."
        )
        lines.append("")
    if book is not None:
        fixed_usd, variable_usd = total(fixed), total(variable)
        lines += [
            f"Fixed: {_money(fixed_usd)} per month; per million messages: "
            f"{_money(variable_usd)} ({_money(variable_usd / MILLION)} per message), "
            "by-volume charges and what is not counted on top.",
            "",
        ]
    if book and index.rates:
        lines += ["Rates:", ""]
        for number, rate in sorted(index.rates.values(), key=lambda pair: pair[0]):
            lines.append(f"- [{number}] `{rate.key}`: {rate.reference()}")
        lines.append("")
    return "\n".join(lines)


def _md_row(row: Row, book: PriceBook | None, index: RateIndex, label: str) -> str:
    price = ""
    if book is not None:
        rate = (
            f"${usd_text(row.rate.usd)} {index.ref(row.rate)}" if row.rate else _unpriced(book, row)
        )
        price = f" {rate} | {_money(row.usd)} |"
    return f"| {label} | {_number(row.quantity)} | {_unit(row)} |{price} {row.note} |"


# --------------------------------------------------------------------------- json


def render_json(costs: list[StackCost], book: PriceBook | None, assumptions: Assumptions) -> str:
    """Every stack's lines, amounts and rates, for machines."""
    stacks: list[dict[str, Any]] = []
    used: dict[str, Rate] = {}
    for cost in costs:
        lines = []
        for line in cost.lines:
            rate = book.get(line.spec.key) if (book and line.spec) else None
            if rate is not None:
                used[rate.key] = rate
            usd = None if rate is None or line.quantity is None else line.quantity * rate.usd
            lines.append(
                {
                    "resource": line.resource,
                    "item": line.item,
                    "basis": line.basis,
                    "quantity": line.quantity,
                    "rate_key": line.spec.key if line.spec else None,
                    "usd": usd,
                    "note": line.note,
                }
            )
        entry: dict[str, Any] = {
            "stack": cost.stack,
            "lines": lines,
            "not_counted": [
                {"type": n.resource_type, "reason": n.reason, "resources": list(n.resources)}
                for n in cost.not_counted
            ],
        }
        if book is not None:
            fixed = total(rows(cost.fixed, book, summed=True))
            variable = total(rows(cost.per_million, book, summed=False))
            entry["fixed_usd_per_month"] = fixed
            entry["usd_per_million_messages"] = variable
            entry["usd_per_message"] = variable / MILLION
            entry["monthly_usd"] = fixed + variable * assumptions.messages_per_month / MILLION
        stacks.append(entry)
    document = {
        "region": book.region if book else None,
        "assumptions": assumptions.describe(),
        "stacks": stacks,
        "rates": {key: to_json(rate) for key, rate in sorted(used.items())},
        "missing_rates": dict(sorted(book.missing.items())) if book else {},
    }
    return json.dumps(document, indent=2) + "\n"
