"""Prices from AWS's price list: the Price List Query API, saved offer files, a local cache.

Every price comes from a price-list document in AWS's format (the ``GetProducts`` items of
the Price List Query API and the products of a Bulk API offer file are the same document)::

    {"product": {"sku": ..., "productFamily": ..., "attributes": {"usagetype": ..., ...}},
     "serviceCode": ..., "publicationDate": "2026-11-01T00:00:00Z",
     "terms": {"OnDemand": {"<sku>.<term>": {"priceDimensions": {"<rate code>": {
         "description": ..., "unit": ..., "beginRange": "0", "endRange": "Inf",
         "pricePerUnit": {"USD": "0.0000004000"}}}}}}}

``Rate`` keeps what a line's cost traces to: SKU, rate code, AWS's description, the
publication date and the tier applied. ``PriceBook`` holds the rates of one region.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from patterns.cost.rates import RateSpec

PRICING_ENDPOINTS = ("us-east-1", "eu-central-1", "ap-south-1")
"""The regions whose endpoints serve the Price List Query API."""

CACHE_FORMAT = "patterns.cost price cache, version 1"


class PriceListError(ValueError):
    """The price list could not be read (offer files, cache, the API, your price file)."""


@dataclass(frozen=True)
class Rate:
    """One price of the price list, or of your price file: ``usd`` per ``unit``."""

    key: str
    usd: float
    unit: str
    source: str
    sku: str = ""
    rate_code: str = ""
    description: str = ""
    publication_date: str = ""
    tier: str = ""
    matched: int = 1

    def reference(self) -> str:
        """Where the price comes from, in one line."""
        if not self.sku:
            return f"{self.source}: ${usd_text(self.usd)} per {self.unit}"
        tier = f"; {self.tier}" if self.tier else ""
        if self.matched > 1:
            tier += f"; {self.matched} products matched, the lowest SKU applied"
        return (
            f'SKU {self.sku}, rate code {self.rate_code}: "{self.description}" '
            f"(${usd_text(self.usd)} per {self.unit}{tier}; published {self.publication_date}, "
            f"{self.source})"
        )


def usd_text(value: float) -> str:
    """A price as AWS writes it, without exponent: ``0.0000004``, ``0.138``, ``3``."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text or "0"


def _usd(dimension: Mapping[str, Any]) -> float:
    return float(dimension.get("pricePerUnit", {}).get("USD", "nan"))


def _begin(dimension: Mapping[str, Any]) -> float:
    try:
        return float(dimension.get("beginRange", "0"))
    except ValueError:
        return 0.0


def _range(value: str) -> str:
    return value if value == "Inf" else f"{float(value):,.0f}"


def rate_from_item(spec: RateSpec, item: Mapping[str, Any], source: str) -> Rate | None:
    """The on-demand rate of one price-list item; for tiers, the first paid tier."""
    terms = (item.get("terms") or {}).get("OnDemand") or {}
    dimensions = [
        d
        for term in terms.values()
        for d in (term.get("priceDimensions") or {}).values()
        if "USD" in (d.get("pricePerUnit") or {})
    ]
    if not dimensions:
        return None
    dimensions.sort(key=_begin)
    paid = [d for d in dimensions if _usd(d) > 0]
    chosen = paid[0] if paid else dimensions[0]
    tier = ""
    if len(dimensions) > 1:
        tier = (
            f"tier {_range(str(chosen.get('beginRange', '0')))} to "
            f"{_range(str(chosen.get('endRange', 'Inf')))} {chosen.get('unit', '')} of "
            f"{len(dimensions)}: the first paid tier, applied to every unit (free tiers are "
            "not subtracted, cheaper tiers at higher volume are not applied)"
        )
    product = item.get("product") or {}
    return Rate(
        key=spec.key,
        usd=_usd(chosen),
        unit=str(chosen.get("unit", spec.unit)),
        source=source,
        sku=str(product.get("sku", "")),
        rate_code=str(chosen.get("rateCode", "")),
        description=str(chosen.get("description", "")),
        publication_date=str(item.get("publicationDate", "")),
        tier=tier,
    )


def select(
    spec: RateSpec, items: Iterable[Mapping[str, Any]], region: str, source: str
) -> tuple[Rate | None, str]:
    """The rate of the one product ``spec`` names among ``items``, and a note.

    Products of another service or region are skipped; where several products match, the
    one with the lowest SKU is applied and the rate says so (``matched``). The note says why
    no rate was found.
    """
    matching = []
    for item in items:
        product = item.get("product") or {}
        attributes = {str(k): str(v) for k, v in (product.get("attributes") or {}).items()}
        if item.get("serviceCode", attributes.get("servicecode")) != spec.service:
            continue
        if attributes.get("regionCode", region) != region or not spec.matches(attributes):
            continue
        matching.append(item)
    if not matching:
        return None, f"no {spec.service} product in {region} matches {describe(spec)}"
    matching.sort(key=lambda i: str((i.get("product") or {}).get("sku", "")))
    rate = rate_from_item(spec, matching[0], source)
    if rate is None:
        return None, f"the {spec.service} product has no on-demand price in USD"
    return replace(rate, matched=len(matching)), ""


def describe(spec: RateSpec) -> str:
    parts = [f"{name}={value!r}" for name, value in spec.attributes]
    if spec.usage_type:
        parts.append(f"usagetype {'containing' if spec.usage_type_contains else 'ending in'} "
                     f"{spec.usage_type!r}")  # fmt: skip
    return ", ".join(parts) or "the service code"


def parse_items(price_list: Iterable[str | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """GetProducts' ``PriceList`` entries (JSON strings) as documents."""
    items = []
    for entry in price_list:
        item = json.loads(entry) if isinstance(entry, str) else dict(entry)
        if isinstance(item, dict):
            items.append(item)
    return items


# --------------------------------------------------------------------------- offer files


def offer_items(offer: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The products of a Bulk API offer file as price-list documents (the same structure)."""
    on_demand = (offer.get("terms") or {}).get("OnDemand") or {}
    for sku, product in (offer.get("products") or {}).items():
        yield {
            "product": product,
            "serviceCode": offer.get("offerCode", ""),
            "terms": {"OnDemand": on_demand.get(sku, {})},
            "publicationDate": offer.get("publicationDate", ""),
        }


def load_offers(folder: str | Path) -> list[dict[str, Any]]:
    """Every product of the offer files (``*.json`` with ``offerCode`` and ``products``) in a
    folder and its subfolders, e.g. ``current/<region>/index.json`` saved per service."""
    root = Path(folder)
    if not root.is_dir():
        raise PriceListError(f"--offers {folder}: no such folder")
    items: list[dict[str, Any]] = []
    for path in sorted(root.rglob("*.json")):
        try:
            offer = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise PriceListError(f"--offers: {path} is not readable JSON ({error})") from None
        if isinstance(offer, dict) and "offerCode" in offer and "products" in offer:
            items += offer_items(offer)
    if not items:
        raise PriceListError(f"--offers {folder}: no offer file (offerCode, products) found")
    return items


# --------------------------------------------------------------------------- the price book


@dataclass(frozen=True)
class PriceBook:
    """The rates of one region, by rate key, and why a key has none."""

    region: str
    rates: Mapping[str, Rate]
    missing: Mapping[str, str]

    def get(self, key: str) -> Rate | None:
        return self.rates.get(key)


def book_from_items(
    specs: Iterable[RateSpec], items: list[dict[str, Any]], region: str, source: str
) -> PriceBook:
    """The rates of ``specs`` in ``region`` among ``items`` (offer files, a test's documents)."""
    return _book(specs, region, lambda spec: (items, source))


def _book(
    specs: Iterable[RateSpec],
    region: str,
    items_of: Callable[[RateSpec], tuple[list[dict[str, Any]], str]],
) -> PriceBook:
    """The one loop of both books: each spec's rate among the items ``items_of`` gives it (with
    their source), or why it has none."""
    rates: dict[str, Rate] = {}
    missing: dict[str, str] = {}
    for spec in specs:
        items, source = items_of(spec)
        rate, note = select(spec, items, region, source)
        if rate is None:
            missing[spec.key] = note
        else:
            rates[spec.key] = rate
    return PriceBook(region, rates, missing)


# --------------------------------------------------------------------------- the live API


def query(client: Any, spec: RateSpec, region: str) -> list[dict[str, Any]]:
    """GetProducts for one product in one region, every page."""
    paginator = client.get_paginator("get_products")
    items: list[dict[str, Any]] = []
    pages = paginator.paginate(
        ServiceCode=spec.service, Filters=spec.filters(region), FormatVersion="aws_v1"
    )
    for page in pages:
        items += parse_items(page.get("PriceList", []))
    return items


def pricing_client(endpoint_region: str) -> Any:
    """A boto3 ``pricing`` client; boto3 is imported only here, on the live path."""
    try:
        import boto3  # type: ignore[import-untyped]  # optional: the cost extra
    except ImportError:
        raise PriceListError(
            "reading the Price List Query API needs boto3: "
            "pip install boto3 (the package's cost extra) or use --offers DIR"
        ) from None
    return boto3.client("pricing", region_name=endpoint_region)


class PriceCache:
    """Price-list documents read per region and rate, saved to a JSON file with the date read.

    Each document keeps its own ``publicationDate``; a rate found in the cache is not asked
    for again, so a second run over the same stacks is offline.
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path and self.path.exists():
            try:
                data = json.loads(self.path.read_text())
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                raise PriceListError(f"--price-cache {path}: not readable JSON ({error})") from None
            if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
                raise PriceListError(f"--price-cache {path}: not a price cache of this command")
            self.entries = dict(data.get("entries") or {})

    @staticmethod
    def _key(spec: RateSpec, region: str) -> str:
        return f"{region}/{spec.key}"

    def get(self, spec: RateSpec, region: str) -> list[dict[str, Any]] | None:
        entry = self.entries.get(self._key(spec, region))
        return None if entry is None else list(entry.get("items") or [])

    def put(self, spec: RateSpec, region: str, items: list[dict[str, Any]], source: str) -> None:
        self.entries[self._key(spec, region)] = {
            "read": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": source,
            "items": items,
        }

    def source(self, spec: RateSpec, region: str) -> str:
        entry = self.entries.get(self._key(spec, region)) or {}
        return f"{entry.get('source', 'price cache')}, read {entry.get('read', '?')}"

    def save(self) -> None:
        if self.path is None:
            return
        data = {"format": CACHE_FORMAT, "entries": self.entries}
        try:
            self.path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        except OSError as error:
            raise PriceListError(f"--price-cache {self.path}: cannot write ({error})") from None


def live_book(
    specs: Iterable[RateSpec],
    region: str,
    cache: PriceCache,
    client_factory: Any = None,
    endpoint_region: str = "us-east-1",
) -> PriceBook:
    """The rates of ``specs`` in ``region``: from the cache, else from GetProducts (cached)."""
    client = None  # made on the first question the cache cannot answer
    source = f"AWS Price List Query API ({endpoint_region} endpoint)"

    def items_of(spec: RateSpec) -> tuple[list[dict[str, Any]], str]:
        nonlocal client
        items = cache.get(spec, region)
        if items is None:
            if client is None:
                client = (client_factory or pricing_client)(endpoint_region)
            items = _ask(client, spec, region)
            cache.put(spec, region, items, source)
        return items, cache.source(spec, region)

    book = _book(specs, region, items_of)
    cache.save()
    return book


def _ask(client: Any, spec: RateSpec, region: str) -> list[dict[str, Any]]:
    from botocore.exceptions import (  # type: ignore[import-untyped]
        BotoCoreError,
        ClientError,
    )

    try:
        return query(client, spec, region)
    except (BotoCoreError, ClientError) as error:
        raise PriceListError(f"the Price List Query API did not answer: {error}") from None


# --------------------------------------------------------------------------- your prices


def load_overrides(path: str | Path, known: Mapping[str, RateSpec]) -> dict[str, Rate]:
    """Your own prices (negotiated rates) from ``{"<rate key>": usd, ...}``; keys: --keys."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise PriceListError(f"--prices {path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PriceListError(f"--prices {path}: not readable JSON ({error})") from None
    if not isinstance(data, dict):
        raise PriceListError(f"--prices {path}: expected a JSON object of rate key to USD")
    rates = {}
    for key, value in data.items():
        if key not in known:
            raise PriceListError(
                f"--prices {path}: unknown rate key {key!r}; the stacks' keys: "
                f"{', '.join(sorted(known))}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise PriceListError(f"--prices {path}: {key}={value!r}: must be a number of USD >= 0")
        spec = known[key]
        rates[key] = Rate(key, float(value), spec.unit, f"your price file {path}")
    return rates


def with_overrides(book: PriceBook, overrides: Mapping[str, Rate]) -> PriceBook:
    missing = {k: v for k, v in book.missing.items() if k not in overrides}
    return PriceBook(book.region, {**book.rates, **overrides}, missing)


def to_json(rate: Rate) -> dict[str, Any]:
    return asdict(rate)
