"""The dated list-price table of ``REGION`` the estimator applies, and your own price file.

``PRICES`` holds only list prices read on an AWS-owned page (a pricing page, a user guide,
an AWS blog post); each entry names the page and quotes it. ``UNCONFIRMED`` lists the charges
the estimator counts but cannot price, with what the AWS page showed. ``load_prices`` adds
list prices you read yourself (``--prices=file.json``), marked "(yours)" in the tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

REGION = "us-east-1"
PRICES_READ_ON = "2026-11-30"
HOURS_PER_MONTH = 730
"""AWS's monthly hours convention (24 x 365 / 12), used for every hourly charge."""

KMS_PRICING_URL = "https://aws.amazon.com/kms/pricing/"


@dataclass(frozen=True)
class Price:
    """One list price of ``REGION``: ``usd`` per ``unit``, read from ``source``.

    For the prices of ``PRICES``, ``quote`` is the sentence of the AWS-owned page that states
    the price and ``as_of`` the date of the copy read (the date it was read where the copy
    shows none). A price from your own file (``load_prices``) has neither.
    """

    usd: float
    unit: str
    source: str
    quote: str = ""
    as_of: str = ""


PRICES: dict[str, Price] = {
    # https://aws.amazon.com/kms/pricing/ (stored copy, no date on it; read 2026-11-30),
    # "Key Storage": "Each AWS KMS key that you create in KMS costs $1/month. The $1/month
    # charge is the same for symmetric keys, asymmetric keys, each multi-Region key (each
    # primary and each replica multi-region key), keys with imported key material, and keys
    # in custom key stores." The copy at https://aws.amazon.com/fr/kms/pricing/ (English text)
    # adds HMAC keys and "(prorated hourly)".
    "kms_key": Price(
        1.00,
        "per AWS KMS key per month (symmetric, asymmetric, HMAC, multi-Region, imported)",
        KMS_PRICING_URL,
        quote="Each AWS KMS key that you create in KMS costs $1/month.",
        as_of=PRICES_READ_ON,
    ),
    # Same page, same copy: "If you enable automatic key rotation, each newly generated
    # backing key costs an additional $1/month."
    "kms_rotation": Price(
        1.00,
        "per newly generated backing key per month, when automatic rotation is enabled",
        KMS_PRICING_URL,
        quote=(
            "If you enable automatic key rotation, each newly generated backing key costs an "
            "additional $1/month."
        ),
        as_of=PRICES_READ_ON,
    ),
}
"""The list prices this estimator uses: only prices quoted from an AWS-owned page (pricing
page, user guide, AWS blog), each with its URL, date and sentence. Third-party pages are no
source, however often they repeat a number; ``tests/test_cost.py`` checks every entry."""


NOT_FOUND = (
    "no stored copy of this page found; no AWS user guide or AWS blog found that states the rate"
)
"""What the search of ``PRICES_READ_ON`` found for pages with no stored copy."""


@dataclass(frozen=True)
class Unconfirmed:
    """A charge the estimator counts but does not price: no AWS page confirmed the number."""

    key: str
    unit: str
    source: str
    what_the_page_showed: str


UNCONFIRMED: tuple[Unconfirmed, ...] = (
    Unconfirmed(
        "alarm_metric",
        "per standard-resolution alarm metric per month",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "the free tier only: 10 alarm metrics (standard-resolution alarms that list metrics "
        "directly, no Metrics Insights query); the paid rate was not in the stored page",
    ),
    Unconfirmed(
        "high_resolution_alarm_metric",
        "per high-resolution alarm metric per month",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "no rate in the stored page",
    ),
    Unconfirmed(
        "composite_alarm",
        "per composite alarm per month",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "no rate in the stored page",
    ),
    Unconfirmed(
        "dashboard",
        "per custom dashboard per month",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "the free tier only: 3 custom dashboards of up to 50 metrics each",
    ),
    Unconfirmed(
        "secret",
        "per secret per month",
        "https://aws.amazon.com/secrets-manager/pricing/",
        "no stored copy of this page found; the user guide's Pricing section "
        "(docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html#asm_pricing) "
        "states no rate, it links this page (third-party pages quote one)",
    ),
    Unconfirmed(
        "shard_hour",
        "per provisioned shard-hour",
        "https://aws.amazon.com/kinesis/data-streams/pricing/",
        "billing dimensions only (shard hours, PUT payload units of 25 KB)",
    ),
    Unconfirmed(
        "extended_retention_shard_hour",
        "per shard-hour of retention beyond 24 hours, up to 7 days",
        "https://aws.amazon.com/kinesis/data-streams/pricing/",
        "the dimension only",
    ),
    Unconfirmed(
        "on_demand_stream_hour",
        "per on-demand stream-hour",
        "https://aws.amazon.com/kinesis/data-streams/pricing/",
        "the dimension only (a per-hour charge per on-demand stream)",
    ),
    Unconfirmed(
        "put_payload_unit_million",
        "per million PUT payload units (25 KB each)",
        "https://aws.amazon.com/kinesis/pricing/",
        "the unit only: each record counted in 25 KB chunks",
    ),
    Unconfirmed(
        "on_demand_data_in_gb",
        "per GB written to an on-demand stream (records rounded up to 1 KB)",
        "https://aws.amazon.com/kinesis/data-streams/pricing/",
        "the unit only",
    ),
    Unconfirmed(
        "on_demand_data_out_gb",
        "per GB read from an on-demand stream",
        "https://aws.amazon.com/kinesis/data-streams/pricing/",
        "the unit only",
    ),
    Unconfirmed(
        "firehose_ingestion_gb",
        "per GB ingested (records rounded up to 5 KB)",
        "https://aws.amazon.com/kinesis/data-firehose/pricing/",
        "the unit only: tiered per GB ingested in 5 KB increments",
    ),
    Unconfirmed(
        "firehose_format_conversion_gb",
        "per GB converted to Parquet or ORC",
        "https://aws.amazon.com/kinesis/data-firehose/pricing/",
        "the unit only",
    ),
    Unconfirmed(
        "firehose_dynamic_partitioning_gb",
        "per GB delivered with dynamic partitioning (plus per object)",
        "https://aws.amazon.com/kinesis/data-firehose/pricing/",
        "the unit only",
    ),
    Unconfirmed(
        "sqs_standard_request_million",
        "per million standard-queue requests (each 64 KB chunk of payload is one request)",
        "https://aws.amazon.com/sqs/pricing/",
        f"the 64 KB chunk rule (on the SQS features page); {NOT_FOUND}",
    ),
    Unconfirmed(
        "sqs_fifo_request_million",
        "per million FIFO-queue requests (each 64 KB chunk is one request)",
        "https://aws.amazon.com/sqs/pricing/",
        NOT_FOUND,
    ),
    Unconfirmed(
        "sns_standard_publish_million",
        "per million standard-topic publish requests (64 KB chunks)",
        "https://aws.amazon.com/sns/pricing/",
        NOT_FOUND,
    ),
    Unconfirmed(
        "sns_fifo_publish_million",
        "per million FIFO-topic publish requests (plus a payload charge per GB)",
        "https://aws.amazon.com/sns/pricing/",
        NOT_FOUND,
    ),
    Unconfirmed(
        "sns_sqs_delivery_million",
        "per million SNS deliveries to SQS queues",
        "https://aws.amazon.com/sns/pricing/",
        NOT_FOUND,
    ),
    Unconfirmed(
        "broker_instance_hour",
        "per broker instance-hour, by instance type",
        "https://aws.amazon.com/amazon-mq/pricing/",
        NOT_FOUND,
    ),
)


def load_prices(path: str | Path) -> dict[str, Price]:
    """The confirmed prices, plus your own list prices from a JSON file ``{"key": usd, ...}``.

    Keys are those of ``PRICES`` and ``UNCONFIRMED`` (``python -m patterns.cost --keys``); a
    price of yours replaces ours and is marked "(yours)" in the tables.
    """
    known = {**{u.key: u.unit for u in UNCONFIRMED}, **{k: p.unit for k, p in PRICES.items()}}
    prices = dict(PRICES)
    for key, value in json.loads(Path(path).read_text()).items():
        if key not in known:
            raise ValueError(
                f"--prices: unknown price key {key!r} in {path}; known keys: {', '.join(known)}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"--prices: {key}={value!r} in {path}: must be a number of USD >= 0")
        prices[key] = Price(float(value), known[key], f"your price file {path}")
    return prices
