"""Reading the input files of ``../shared/pricing``, one reader per format.

This module owns file formats and nothing else: it turns each file into either labelled
:class:`Record` objects (a price and the source's own words for it, to be translated by the
rules) or, for files that already are AWS Price List rows, catalog :class:`Row` objects. It does
not decide what a label means (:mod:`engine.pricing.builder.rules` does) nor which regions ship.

Formats (see ``../shared/pricing/MANIFEST.md``):

* ``karpenter``: ``instance_type,usd_per_hour`` (section 1); the label is the instance type;
* ``ebs``: cloudkeep's JSON, ``[{rzCode, rzType, ebs_prices: {volume: {key: {currency:
  price}}}}]`` (section 2); the label is ``"<volume> <price key>"``, e.g. ``gp3 pricePerGBMonth``;
* ``pricelist``: terracost's Price List extract, ``service, product_family, sku, region,
  attributes_json, unit, usd_price, price_tier_start, description`` (sections 3a and 6.32);
* ``web``: AWS website feeds, ``service, location, region_code, price_name, usd_price, sku,
  rate_code, source_publication_date`` (sections 4 and 5), plus ``unit, aws_set, attributes,
  source`` in the third batch (section 6); the label is ``price_name``;
* ``curated``: ``engine/data/curated_prices.json`` (hand-curated rows with their own sources);
* ``aws_locations.json``: region code <-> Price List location name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.pricing.store import Row, Source, attributes_of, decimal_text


@dataclass(frozen=True)
class Record:
    """One labelled price from a source file, before translation."""

    feed: str
    region: str  # region code; "" for global prices and pricing geographies
    location: str  # the source's location name ("Any" and "" are global)
    label: str
    price: str
    sku: str = ""
    date: str = ""  # the feed's publication date (YYYY-MM-DD), "" when unknown
    description: str = ""  # stored as the row's label; the label itself when empty
    currency: str = "USD"
    attributes: Mapping[str, str] = field(default_factory=dict)


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def karpenter_records(path: Path, feed: str) -> Iterator[Record]:
    # Karpenter's table is for us-east-1 only (its generated file has one region block).
    for record in read_csv(path):
        instance_type = record["instance_type"]
        yield Record(
            feed=feed,
            region="us-east-1",
            location="US East (N. Virginia)",
            label=instance_type,
            price=record["usd_per_hour"],
            description=f"{instance_type} (Karpenter InitialOnDemandPricesAWS)",
        )


def ebs_records(path: Path, feed: str) -> Iterator[Record]:
    for location in json.loads(path.read_text(encoding="utf-8")):
        if location.get("rzType") != "region":
            continue  # local and wavelength zones are not Terraform regions
        for volume, prices in sorted(location.get("ebs_prices", {}).items()):
            for key, by_currency in sorted(prices.items()):
                for currency, price in sorted(by_currency.items()):
                    yield Record(
                        feed=feed,
                        region=str(location.get("rzCode", "")),
                        location=str(location.get("location", "")),
                        label=f"{volume} {key}",
                        price=str(price),
                        currency=str(currency),
                    )


def web_records(path: Path, feeds: Mapping[str, int]) -> Iterator[Record]:
    """The rows of the feeds named in ``feeds`` (feed -> order), the feeds in that order and
    each feed's rows in file order."""
    records = [record for record in read_csv(path) if record["service"] in feeds]
    records.sort(key=lambda record: feeds[record["service"]])  # stable: file order within
    for record in records:
        attributes: dict[str, Any] = json.loads(record.get("attributes") or "{}")
        yield Record(
            feed=record["service"],
            region=record["region_code"],
            location=record["location"],
            label=record["price_name"],
            price=record["usd_price"],
            sku=record["sku"],
            date=(record["source_publication_date"] or "")[:10],
            attributes={str(key): str(value) for key, value in attributes.items()},
        )


def pricelist_rows(path: Path, source: Source, regions: frozenset[str]) -> Iterator[Row]:
    """terracost's extract is already in Price List terms: its ``usagetype`` attribute moves to
    the ``usage_type`` column, and a tier ends where the next tier of the same SKU and unit
    starts (the extract keeps only each tier's start)."""
    records = [
        record for record in read_csv(path) if record["region"] in regions or not record["region"]
    ]
    starts: dict[str, list[Decimal]] = {}
    for record in records:
        starts.setdefault(record["sku"] + "|" + record["unit"], []).append(
            Decimal(record["price_tier_start"] or "0")
        )
    for record in records:
        attributes = json.loads(record["attributes_json"])
        usage_type = str(attributes.pop("usagetype", ""))
        start = Decimal(record["price_tier_start"] or "0")
        later = sorted(s for s in starts[record["sku"] + "|" + record["unit"]] if s > start)
        yield Row(
            service=record["service"],
            family=record["product_family"],
            region=record["region"],
            attributes=attributes_of(attributes),
            usage_type=usage_type,
            unit=record["unit"],
            price=decimal_text(record["usd_price"]),
            currency="USD",
            tier_start=decimal_text(start),
            tier_end=decimal_text(later[0]) if later else "",
            sku=record["sku"],
            description=record["description"],
            source=source.key,
            effective_date=source.effective_date,
        )


def curated_rows(
    spec: Mapping[str, Any], regions: frozenset[str]
) -> tuple[list[Source], list[Row]]:
    """The hand-curated rows; each entry is its own source (its page and recording date)."""
    sources: list[Source] = []
    rows: list[Row] = []
    for entry in spec["rows"]:
        source = Source(
            key=f"curated:{entry['id']}",
            title=entry["source_title"],
            url=entry["source_url"],
            licence=entry["licence"],
            effective_date=entry["effective_date"],
            notes="Hand-curated in engine/data/curated_prices.json; " + entry["description"],
        )
        sources.append(source)
        for region in entry["regions"]:
            if region and region not in regions:
                continue  # "" is a global price (no region), which always ships
            rows.append(
                Row(
                    service=entry["service_code"],
                    family=entry["product_family"],
                    region=region,
                    attributes=attributes_of(entry["attributes"]),
                    usage_type=entry["usage_type"],
                    unit=entry["unit"],
                    price=decimal_text(entry["price_per_unit"]),
                    currency=entry["currency"],
                    tier_start="0",
                    tier_end="",
                    sku="",
                    description=entry["description"],
                    source=source.key,
                    effective_date=entry["effective_date"],
                )
            )
    return sources, rows


def locations(path: Path) -> list[tuple[str, str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return sorted(
        (str(item["code"]), str(item["name"]), str(item["type"]))
        for item in data.values()
        if isinstance(item, dict) and item.get("code")
    )
