"""Cost of ownership, read from synthesized templates: ``python -m patterns.cost cdk.out``.

Pure Python over the JSON of a cloud assembly (no aws-cdk-lib import), so it runs on any
assembly, yours included, nested stack templates too. For each stack it lists

- the FIXED monthly quantities (alarm metrics, dashboards, KMS keys, secrets, shard-hours,
  broker-hours, a Fargate fleet's vCPU- and GB-hours at its minimum, NAT gateway and
  interface endpoint hours, public IPv4 addresses, Glue catalog objects),
- the quantities PER MILLION MESSAGES on each message path (SQS requests, SNS publishes
  and deliveries, Kinesis payload units or GB, Firehose GB, Lambda requests and GB-seconds,
  EventBridge events and Pipes requests),
- the charges billed BY VOLUME the template cannot tell (storage, data processed), and
- every resource NOT COUNTED, with the reason,

and prices them from AWS's price list (the Price List Query API or saved offer files), each
amount traced to a SKU, a rate code, AWS's description and the publication date.

Where things are:

- ``rates``: which price-list product each charge is billed under (``RateSpec``);
- ``pricelist``: reading the price list (API, offer files, cache, your price file);
- ``context``: one template as the rules read it (``cdk.out`` is read by
  ``patterns.cloud_assembly``, as for ``patterns.checks`` and ``patterns.flows``);
- ``fixed``, ``variable``, ``consumers``, ``services``: the rules per resource type;
  ``coverage``: which rule prices each type, and the types with no charge;
- ``lines``: ``Line``, ``NotCounted``, ``StackCost``, ``Assumptions``; ``estimate``: per
  stack; ``render``: text, Markdown and JSON; ``cli``: the command (``__main__``).
"""

from __future__ import annotations

from patterns.cloud_assembly import UnreadableAssemblyError as AssemblyError
from patterns.cost.cli import main
from patterns.cost.coverage import NO_CHARGE, RULES
from patterns.cost.estimate import estimate, estimate_template
from patterns.cost.fixed import BROKER_INSTANCES
from patterns.cost.lines import (
    BY_VOLUME,
    FIXED,
    PER_MILLION,
    Assumptions,
    Line,
    NotCounted,
    StackCost,
)
from patterns.cost.pricelist import (
    PriceBook,
    PriceCache,
    PriceListError,
    Rate,
    book_from_items,
    live_book,
    load_offers,
    load_overrides,
)
from patterns.cost.rates import HOURS_PER_MONTH, RateSpec
from patterns.cost.render import render_json, render_markdown, render_text

__all__ = [
    "BROKER_INSTANCES",
    "BY_VOLUME",
    "FIXED",
    "HOURS_PER_MONTH",
    "NO_CHARGE",
    "PER_MILLION",
    "RULES",
    "AssemblyError",
    "Assumptions",
    "Line",
    "NotCounted",
    "PriceBook",
    "PriceCache",
    "PriceListError",
    "Rate",
    "RateSpec",
    "StackCost",
    "book_from_items",
    "estimate",
    "estimate_template",
    "live_book",
    "load_offers",
    "load_overrides",
    "main",
    "render_json",
    "render_markdown",
    "render_text",
]
