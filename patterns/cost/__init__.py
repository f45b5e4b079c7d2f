"""Cost of ownership, read from synthesized templates: ``python -m patterns.cost cdk.out``.

Pure Python over the JSON of a cloud assembly (no aws-cdk-lib import), so it runs on any
assembly, yours included, nested stack templates too. For each stack it lists

- the FIXED monthly quantities of what the template creates (alarm metrics, dashboards,
  customer-managed KMS keys, secrets, Kinesis shard-hours or on-demand stream-hours, Amazon
  MQ broker instance-hours) and
- the VARIABLE billable units per million messages (or per GB) of each message path
  (SQS requests, SNS publishes and deliveries, Kinesis PUT payload units, Firehose GB),

each with its assumption, and prices them with the dated list-price table where the price
was read on an AWS-owned page. A quantity whose price could not be confirmed from an AWS page
is still listed, marked "not estimated", never guessed.

Where things are:

- ``prices``: the dated list-price table (``PRICES``, with sources), what is not priced
  (``UNCONFIRMED``), and your own price file (``load_prices``);
- ``assembly``: reading ``cdk.out`` (stacks, resources, nested templates);
- ``fixed`` and ``variable``: a template's resources into billable lines (``lines``:
  ``Line``, ``StackCost``); ``estimate``: both, for each stack of an assembly;
- ``render``: the Markdown and terminal tables; ``cli``: the command (``__main__``).
"""

from __future__ import annotations

from patterns.cost.assembly import stack_templates
from patterns.cost.cli import main
from patterns.cost.estimate import estimate, estimate_template
from patterns.cost.fixed import BROKER_INSTANCES, fixed_lines
from patterns.cost.lines import Line, StackCost
from patterns.cost.prices import (
    HOURS_PER_MONTH,
    PRICES,
    PRICES_READ_ON,
    REGION,
    UNCONFIRMED,
    Price,
    Unconfirmed,
    load_prices,
)
from patterns.cost.render import render_markdown, render_price_table, render_text
from patterns.cost.variable import variable_lines

__all__ = [
    "BROKER_INSTANCES",
    "HOURS_PER_MONTH",
    "PRICES",
    "PRICES_READ_ON",
    "REGION",
    "UNCONFIRMED",
    "Line",
    "Price",
    "StackCost",
    "Unconfirmed",
    "estimate",
    "estimate_template",
    "fixed_lines",
    "load_prices",
    "main",
    "render_markdown",
    "render_price_table",
    "render_text",
    "stack_templates",
    "variable_lines",
]
