"""The command line: ``python -m patterns.cost [cdk.out] [--region R] [options]``.

Exit 0 when the estimate is printed, 2 on a usage error or an assembly, offer file, cache or
price file that cannot be read (one line on stderr, never a traceback: the parser and entry
point of ``patterns.command_line``, as for ``patterns.checks`` and ``patterns.flows``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from patterns.cloud_assembly import UnreadableAssemblyError
from patterns.command_line import Parser, assembly_parser, fail, parse
from patterns.cost.estimate import estimate
from patterns.cost.lines import Assumptions, StackCost
from patterns.cost.pricelist import (
    PRICING_ENDPOINTS,
    PriceBook,
    PriceCache,
    PriceListError,
    book_from_items,
    live_book,
    load_offers,
    load_overrides,
    with_overrides,
)
from patterns.cost.rates import RateSpec
from patterns.cost.render import render_json, render_markdown, render_text

PROG = "python -m patterns.cost"


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low:,} and {high:,}")
        return value

    return parse


def parser() -> Parser:
    p = assembly_parser(
        prog=PROG,
        description=(
            "Each stack's fixed monthly cost and cost per million messages, read from a "
            "synthesized cloud assembly and priced from AWS's price list."
        ),
        epilog=(
            "Prices: --region reads them from AWS's Price List Query API (AWS credentials "
            "with pricing:GetProducts); --price-cache keeps them, with their publication "
            "dates, so a second run is offline; --offers reads offer files saved from the "
            "Bulk API instead. Without --region only the billed quantities are printed."
        ),
    )
    p.add_argument("--region", help="the AWS region to price the stacks for, e.g. eu-west-1")
    p.add_argument("--offers", metavar="DIR", help="read prices from saved offer files in DIR")
    p.add_argument("--price-cache", metavar="FILE", help="read and keep price-list answers in FILE")
    p.add_argument(
        "--pricing-endpoint",
        choices=PRICING_ENDPOINTS,
        default="us-east-1",
        help="the Price List Query API endpoint (default us-east-1)",
    )
    p.add_argument(
        "--prices", metavar="FILE", help='your own rates, {"<rate key>": usd}, e.g. negotiated'
    )
    p.add_argument(
        "--message-kb",
        type=_bounded(1, 1024),
        default=1,
        metavar="N",
        help="message size in KB, 1-1024 (default 1)",
    )
    p.add_argument(
        "--messages-per-month",
        type=_bounded(0, 10**15),
        default=1_000_000,
        metavar="N",
        help="messages a month, for the monthly total (default 1M)",
    )
    p.add_argument(
        "--lambda-ms",
        type=_bounded(1, 900_000),
        default=100,
        metavar="N",
        help="Lambda duration per invocation in ms (default 100)",
    )
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.add_argument(
        "--keys", action="store_true", help="list the rate keys the stacks use (for --prices)"
    )
    return p


def _specs(costs: list[StackCost]) -> dict[str, RateSpec]:
    specs: dict[str, RateSpec] = {}
    for cost in costs:
        for spec in cost.specs():
            specs.setdefault(spec.key, spec)
    return specs


def _book(args: argparse.Namespace, specs: dict[str, RateSpec]) -> PriceBook | None:
    if args.offers and not args.region:
        raise PriceListError("--offers needs --region: the region whose prices to read")
    if args.prices and not args.region:
        raise PriceListError("--prices needs --region: the region the stacks are priced for")
    if not args.region:
        return None
    if args.offers:
        source = f"offer files in {args.offers}"
        book = book_from_items(specs.values(), load_offers(args.offers), args.region, source)
    else:
        cache = PriceCache(args.price_cache)
        book = live_book(specs.values(), args.region, cache, endpoint_region=args.pricing_endpoint)
    if args.prices:
        book = with_overrides(book, load_overrides(args.prices, specs))
    return book


def main(argv: list[str]) -> int:
    args = parse(parser(), argv)
    if isinstance(args, int):
        return args
    assumptions = Assumptions(args.message_kb, args.messages_per_month, args.lambda_ms)
    try:
        costs = estimate(args.assembly, assumptions)
        specs = _specs(costs)
        if args.keys:
            for key, spec in sorted(specs.items()):
                print(f"{key:<44} {spec.what}")
            return 0
        book = _book(args, specs)
    except (UnreadableAssemblyError, PriceListError) as error:
        return fail(PROG, str(error))
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        # A template whose values are not of CloudFormation's types (hand-edited, truncated).
        kind = type(error).__name__
        return fail(
            PROG,
            f"{args.assembly}: a template holds a value of an unexpected type or form "
            f"({kind}: {error})",
        )
    if args.format == "json":
        print(render_json(costs, book, assumptions), end="")
    elif args.format == "markdown":
        print("\n".join(render_markdown(cost, book) for cost in costs), end="")
    else:
        print(render_text(costs, book, assumptions), end="")
    return 0
