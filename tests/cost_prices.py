"""Price-list documents for the cost tests, in AWS's structure.

``aws_example_item`` is the GetProducts example AWS wrote into botocore's service model
(``botocore/data/pricing/*/examples-1.json``): the format fixture. ``synthetic_item`` copies
its structure for the products a test needs; every value in it is SYNTHETIC (SKUs start with
``SYNTH``, descriptions with ``SYNTHETIC``, prices are made up) and must never reach the docs.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import botocore  # type: ignore[import-untyped]
import botocore.session  # type: ignore[import-untyped]

from patterns.cost.rates import RateSpec

SYNTHETIC = "SYNTHETIC"


def pricing_client() -> Any:
    """A real botocore ``pricing`` client (for ``Stubber``), with dummy credentials."""
    session = botocore.session.get_session()
    return session.create_client(
        "pricing",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def aws_example() -> dict[str, Any]:
    """The GetProducts example (input and output) of botocore's pricing service model."""
    (path,) = Path(botocore.__file__).parent.glob("data/pricing/*/examples-1.json")
    examples = json.loads(path.read_text())["examples"]["GetProducts"]
    return dict(examples[0])


def aws_example_item() -> dict[str, Any]:
    return dict(json.loads(aws_example()["output"]["PriceList"][0]))


def synthetic_item(
    spec: RateSpec,
    usd: float,
    region: str = "eu-west-1",
    number: int = 1,
    tiers: list[tuple[str, str, float]] | None = None,
    published: str = "2026-10-01T00:00:00Z",
) -> dict[str, Any]:
    """A price-list document for ``spec`` in the structure of AWS's example (values made up)."""
    item = copy.deepcopy(aws_example_item())
    sku = f"SYNTH{number:011d}"
    attributes = {
        "servicecode": spec.service,
        "regionCode": region,
        "usagetype": f"EUW1-{spec.usage_type}" if spec.usage_type else "EUW1-Synthetic",
        **dict(spec.attributes),
    }
    if spec.usage_type_contains:
        attributes["usagetype"] = f"EUW1-SyntheticUsage:{spec.usage_type}"
    item["product"] = {
        "productFamily": attributes.get("productFamily", ""),
        "attributes": attributes,
        "sku": sku,
    }
    item["serviceCode"] = spec.service
    item["publicationDate"] = published
    (term,) = item["terms"]["OnDemand"].values()
    template = next(iter(term["priceDimensions"].values()))
    dimensions = {}
    for index, (begin, end, price) in enumerate(tiers or [("0", "Inf", usd)]):
        code = f"{sku}.JRTCKXETXF.SYNTH{index:05d}"
        dimensions[code] = {
            **template,
            "rateCode": code,
            "beginRange": begin,
            "endRange": end,
            "unit": spec.unit,
            "description": f"{SYNTHETIC} ${price} per {spec.unit} of {spec.what}",
            "pricePerUnit": {"USD": f"{price:.10f}"},
        }
    term.update({"sku": sku, "offerTermCode": "JRTCKXETXF", "priceDimensions": dimensions})
    item["terms"]["OnDemand"] = {f"{sku}.JRTCKXETXF": term}
    return item


def synthetic_offer(items: list[dict[str, Any]], offer_code: str) -> dict[str, Any]:
    """A Bulk API offer file (``formatVersion``, ``offerCode``, ``products``, ``terms``) made of
    synthetic documents, as the Bulk API documents its structure."""
    return {
        "formatVersion": "v1.0",
        "disclaimer": f"{SYNTHETIC} offer file for tests",
        "offerCode": offer_code,
        "version": "20261001000000",
        "publicationDate": items[0]["publicationDate"] if items else "",
        "products": {i["product"]["sku"]: i["product"] for i in items},
        "terms": {"OnDemand": {i["product"]["sku"]: i["terms"]["OnDemand"] for i in items}},
    }
