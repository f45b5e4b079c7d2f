"""Prices from AWS's price list: GetProducts through a stubbed real ``pricing`` client, offer
files, the cache that makes a second run offline, tiers and your own prices.

Responses are in AWS's structure: AWS's own GetProducts example (botocore's service model) and
SYNTHETIC documents copied from its structure (tests/cost_prices.py); no real price is used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber  # type: ignore[import-untyped]

from patterns.cost import pricelist, rates
from patterns.cost.pricelist import PriceCache, PriceListError
from patterns.cost.rates import RateSpec
from tests.cost_prices import (
    aws_example,
    aws_example_item,
    pricing_client,
    synthetic_item,
    synthetic_offer,
)

REGION = "eu-west-1"
EBS_PIOPS = RateSpec(
    "ebs.piops", "AmazonEC2", "GB-month of io1", "GB-Mo", "EBS:VolumeUsage.piops",
    (("volumeType", "Provisioned IOPS"),),
)  # fmt: skip
"""The product of AWS's GetProducts example (Canada (Central), io1 storage)."""


def _params(spec: RateSpec, region: str, token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "ServiceCode": spec.service,
        "Filters": spec.filters(region),
        "FormatVersion": "aws_v1",
    }
    if token:
        params["NextToken"] = token
    return params


def test_the_aws_example_item_gives_its_sku_rate_code_description_and_date() -> None:
    rate, note = pricelist.select(EBS_PIOPS, [aws_example_item()], "ca-central-1", "example")
    assert rate is not None
    assert note == ""
    assert (rate.sku, rate.rate_code) == (
        "WQGC34PB2AWS8R4U",
        "WQGC34PB2AWS8R4U.JRTCKXETXF.6YS6EN2CT7",
    )
    assert (rate.usd, rate.unit, rate.publication_date) == (0.138, "GB-Mo", "2017-09-01T18:22:01Z")
    assert rate.description.startswith("$0.138 per GB-month of Provisioned IOPS SSD (io1)")
    assert rate.tier == ""


def test_get_products_is_paginated_and_filtered_for_exactly_the_product() -> None:
    client = pricing_client()
    example_output = aws_example()["output"]
    second = synthetic_item(EBS_PIOPS, 0.5, region=REGION, number=2)
    with Stubber(client) as stub:
        stub.add_response("get_products", example_output, _params(EBS_PIOPS, REGION))
        stub.add_response(
            "get_products",
            {"FormatVersion": "aws_v1", "PriceList": [json.dumps(second)]},
            _params(EBS_PIOPS, REGION, example_output["NextToken"]),
        )
        items = pricelist.query(client, EBS_PIOPS, REGION)
        stub.assert_no_pending_responses()
    assert [i["product"]["sku"] for i in items] == ["WQGC34PB2AWS8R4U", "SYNTH00000000002"]
    assert {"Type": "TERM_MATCH", "Field": "regionCode", "Value": REGION} in EBS_PIOPS.filters(
        REGION
    )


def test_the_cache_keeps_each_price_with_its_date_and_a_second_run_is_offline(
    tmp_path: Path,
) -> None:
    client = pricing_client()
    item = synthetic_item(rates.SQS_STANDARD, 4e-7, region=REGION)
    with Stubber(client) as stub:
        stub.add_response(
            "get_products",
            {"FormatVersion": "aws_v1", "PriceList": [json.dumps(item)]},
            _params(rates.SQS_STANDARD, REGION),
        )
        first = pricelist.live_book(
            [rates.SQS_STANDARD], REGION, PriceCache(tmp_path / "c.json"), lambda _: client
        )
    cached = json.loads((tmp_path / "c.json").read_text())
    (entry,) = cached["entries"].values()
    assert entry["items"][0]["publicationDate"] == "2026-10-01T00:00:00Z"

    def offline(_: str) -> Any:
        raise AssertionError("the second run asked the API")

    second = pricelist.live_book(
        [rates.SQS_STANDARD], REGION, PriceCache(tmp_path / "c.json"), offline
    )
    assert second.rates == first.rates
    assert second.rates["sqs.standard"].publication_date == "2026-10-01T00:00:00Z"


def test_an_api_error_is_one_line_not_a_traceback() -> None:
    client = pricing_client()
    with Stubber(client) as stub:
        stub.add_client_error("get_products", "AccessDeniedException", "not authorized")
        with pytest.raises(PriceListError, match=r"did not answer.*not authorized"):
            pricelist.live_book([rates.SQS_STANDARD], REGION, PriceCache(None), lambda _: client)


def test_a_tiered_rate_applies_the_first_paid_tier_and_says_so() -> None:
    tiers = [
        ("0", "1000000", 0.0),
        ("1000000", "100000000000", 4e-7),
        ("100000000000", "Inf", 3e-7),
    ]
    item = synthetic_item(rates.SQS_STANDARD, 0, region=REGION, tiers=tiers)
    rate, _ = pricelist.select(rates.SQS_STANDARD, [item], REGION, "test")
    assert rate is not None
    assert rate.usd == 4e-7
    assert rate.rate_code.endswith("SYNTH00001")
    assert "tier 1,000,000 to 100,000,000,000 Requests of 3" in rate.tier
    assert "free tiers are not subtracted" in rate.tier


def test_products_of_another_region_or_kind_are_not_applied() -> None:
    fifo = synthetic_item(rates.SQS_FIFO, 5e-7, region=REGION, number=1)
    elsewhere = synthetic_item(rates.SQS_STANDARD, 4e-7, region="us-east-1", number=2)
    rate, note = pricelist.select(rates.SQS_STANDARD, [fifo, elsewhere], REGION, "test")
    assert rate is None
    assert "no AWSQueueService product in eu-west-1" in note


def test_an_attribute_the_product_must_not_have_is_not_sent_as_an_empty_filter() -> None:
    filters = rates.FIREHOSE_INGESTION.filters(REGION)
    assert all(f["Value"] for f in filters)
    assert not rates.FIREHOSE_INGESTION.matches(
        {"group": "Event-by-Event Processing", "sourcetype": "Vended Logs"}
    )
    assert rates.FIREHOSE_INGESTION.matches({"group": "Event-by-Event Processing"})


def test_several_matching_products_apply_the_lowest_sku_and_say_so() -> None:
    first = synthetic_item(rates.SQS_STANDARD, 4e-7, region=REGION, number=2)
    second = synthetic_item(rates.SQS_STANDARD, 5e-7, region=REGION, number=1)
    rate, _ = pricelist.select(rates.SQS_STANDARD, [first, second], REGION, "test")
    assert rate is not None
    assert (rate.sku, rate.usd, rate.matched) == ("SYNTH00000000001", 5e-7, 2)
    assert "2 products matched, the lowest SKU applied" in rate.reference()


def test_region_prefixed_and_bare_usage_types_match_but_longer_ones_do_not() -> None:
    spec = rates.DYNAMODB_STORAGE
    assert spec.matches({"usagetype": "TimedStorage-ByteHrs"})
    assert spec.matches({"usagetype": "EUW1-TimedStorage-ByteHrs"})
    assert spec.matches({"usagetype": "EU-TimedStorage-ByteHrs"})
    assert not spec.matches({"usagetype": "EUW1-IA-TimedStorage-ByteHrs"})
    assert not spec.matches({"usagetype": "IA-TimedStorage-ByteHrs"})
    assert rates.KMS_KEY.matches({"usagetype": "eu-west-1-KMS-Keys"})
    assert not rates.KMS_REQUEST.matches({"usagetype": "eu-west-1-KMS-Requests-Asymmetric"})


def test_offer_files_give_the_same_rates_as_the_api(tmp_path: Path) -> None:
    item = synthetic_item(rates.SQS_STANDARD, 4e-7, region=REGION)
    folder = tmp_path / "AWSQueueService" / "current" / REGION
    folder.mkdir(parents=True)
    (folder / "index.json").write_text(json.dumps(synthetic_offer([item], "AWSQueueService")))
    (tmp_path / "notes.json").write_text("{}")  # not an offer file: skipped
    book = pricelist.book_from_items(
        [rates.SQS_STANDARD, rates.SQS_FIFO], pricelist.load_offers(tmp_path), REGION, "offers"
    )
    api, _ = pricelist.select(rates.SQS_STANDARD, [item], REGION, "offers")
    assert book.rates["sqs.standard"] == api
    assert "sqs.fifo" in book.missing


def test_a_folder_without_offer_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PriceListError, match="no offer file"):
        pricelist.load_offers(tmp_path)
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(PriceListError, match=r"broken\.json is not readable JSON"):
        pricelist.load_offers(tmp_path)


def test_your_prices_replace_the_price_list_and_are_marked(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(json.dumps({"sqs.standard": 2e-7}))
    known = {"sqs.standard": rates.SQS_STANDARD}
    (rate,) = pricelist.load_overrides(tmp_path / "p.json", known).values()
    assert (rate.usd, rate.sku) == (2e-7, "")
    assert rate.reference() == f"your price file {tmp_path / 'p.json'}: $0.0000002 per Requests"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"alarms": 0.1}, r"unknown rate key 'alarms'; the stacks' keys: sqs.standard"),
        ({"sqs.standard": -1}, r"sqs.standard=-1: must be a number of USD >= 0"),
        ({"sqs.standard": True}, r"sqs.standard=True: must be a number"),
        ([1], r"expected a JSON object"),
    ],
)
def test_a_bad_price_file_is_refused(tmp_path: Path, content: Any, message: str) -> None:
    (tmp_path / "p.json").write_text(json.dumps(content))
    with pytest.raises(PriceListError, match=message):
        pricelist.load_overrides(tmp_path / "p.json", {"sqs.standard": rates.SQS_STANDARD})


def test_a_cache_of_something_else_is_refused(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text(json.dumps({"entries": {}}))
    with pytest.raises(PriceListError, match="not a price cache of this command"):
        PriceCache(tmp_path / "c.json")
