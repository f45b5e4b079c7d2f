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


# What each option does and its default, as --help and the commands page show it.
_HELP: dict[str, str] = {
    "--region": (
        "the AWS Region to price the stacks for, e.g. eu-west-1: amounts are read from the "
        "Price List Query API (AWS credentials allowed pricing:GetProducts), from --offers "
        "or --price-cache. Default: none, so only the billed quantities are printed, "
        "without prices"
    ),
    "--offers": (
        "read prices from offer files saved from AWS's Bulk API (any *.json with offerCode "
        "and products under DIR, e.g. <service>/current/<region>/index.json) instead of "
        "asking the Query API: no credentials, no network. Needs --region. Default: none "
        "(ask the Query API)"
    ),
    "--price-cache": (
        "keep the Query API's answers, each with its publication date, in the JSON file "
        "FILE (created if missing) and read them from there on the next run, which is "
        "then offline for the same stacks and Region. Used with --region. Default: none "
        "(every run asks the API)"
    ),
    "--pricing-endpoint": (
        "the Region whose endpoint answers the Price List Query API (only these three "
        "serve it); it does not change the Region priced, --region does. Default: us-east-1"
    ),
    "--prices": (
        'your own rates, e.g. negotiated: a JSON object {"<rate key>": <USD per unit>} '
        "that replaces those rates of the price list (--keys lists the keys; an unknown "
        "key is an error). Needs --region. Default: none (the price list's rates)"
    ),
    "--message-kb": (
        "the size of a message in KB, 1 to 1,024: every request, record and GB is counted "
        "from it (SQS and SNS bill 64 KB chunks, Kinesis 25 KB PUT payload units, "
        "Firehose 5 KB increments). Default: 1"
    ),
    "--messages-per-month": (
        "messages a month through every message path, 0 to 10^15: turns the cost per "
        "million messages into the monthly total. Default: 1000000 (one million)"
    ),
    "--lambda-ms": (
        "how long one Lambda invocation runs, in milliseconds, 1 to 900,000 (Lambda's "
        "15-minute limit): the Lambda duration (GB-seconds) of every function on a "
        "message path is counted from it. Default: 100"
    ),
    "--format": (
        "text: tables for the terminal, then the assumptions and every rate used; "
        "markdown: a section per stack, as on the cost page of the docs; json: one "
        "document with every stack's lines, amounts and rates, for scripts. Default: text"
    ),
    "--keys": (
        "print the rate keys the stacks are billed under, each with what it prices, and "
        "exit: the keys --prices takes. Needs no --region. Default: off (print the "
        "estimate)"
    ),
}


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
    p.add_argument("--region", help=_HELP["--region"])
    p.add_argument("--offers", metavar="DIR", help=_HELP["--offers"])
    p.add_argument("--price-cache", metavar="FILE", help=_HELP["--price-cache"])
    p.add_argument(
        "--pricing-endpoint",
        choices=PRICING_ENDPOINTS,
        default="us-east-1",
        help=_HELP["--pricing-endpoint"],
    )
    p.add_argument("--prices", metavar="FILE", help=_HELP["--prices"])
    p.add_argument(
        "--message-kb", type=_bounded(1, 1024), default=1, metavar="N", help=_HELP["--message-kb"]
    )
    p.add_argument(
        "--messages-per-month",
        type=_bounded(0, 10**15),
        default=1_000_000,
        metavar="N",
        help=_HELP["--messages-per-month"],
    )
    p.add_argument(
        "--lambda-ms",
        type=_bounded(1, 900_000),
        default=100,
        metavar="N",
        help=_HELP["--lambda-ms"],
    )
    p.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text", help=_HELP["--format"]
    )
    p.add_argument("--keys", action="store_true", help=_HELP["--keys"])
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
