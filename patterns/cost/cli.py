"""The command line: ``python -m patterns.cost [cdk.out] [--markdown] [--message-kb=N]
[--prices=file.json] [--keys]``."""

from __future__ import annotations

from patterns.cost.estimate import estimate
from patterns.cost.prices import PRICES, UNCONFIRMED, load_prices
from patterns.cost.render import render_markdown, render_text


def _option(argv: list[str], name: str) -> str | None:
    values = [a.split("=", 1)[1] for a in argv if a.startswith(f"--{name}=")]
    return values[-1] if values else None


def main(argv: list[str]) -> int:
    if "--keys" in argv:
        for key, price in PRICES.items():
            print(f"{key:<34} ${price.usd:.2f} {price.unit}")
        for unconfirmed in UNCONFIRMED:
            print(f"{unconfirmed.key:<34} (no price) {unconfirmed.unit}")
        return 0
    args = [a for a in argv if not a.startswith("--")]
    message_kb = int(_option(argv, "message-kb") or 1)
    if not 1 <= message_kb <= 1024:
        raise ValueError(f"--message-kb={message_kb}: must be between 1 and 1024 KB")
    price_file = _option(argv, "prices")
    prices = load_prices(price_file) if price_file else PRICES
    costs = estimate(args[0] if args else "cdk.out", message_kb)
    if "--markdown" in argv:
        print("\n".join(render_markdown(c, prices=prices) for c in costs), end="")
    else:
        print(render_text(costs, prices))
    return 0
