"""Importing AWS Price List offer files into a catalog (for users who have internet access).

``python -m engine pricing import FILE... [--catalog PATH] [--region R]... [--family F]...``

Two formats, as AWS publishes them at ``https://pricing.us-east-1.amazonaws.com/offers/v1.0/
aws/<OfferCode>/current/[<region>/]index.{csv,json}``:

* bulk **CSV**: five metadata lines (``"FormatVersion"``, ``"Disclaimer"``, ``"Publication Date"``,
  ``"Version"``, ``"OfferCode"``), then a header (``SKU``, ``OfferTermCode``, ``RateCode``,
  ``TermType``, ... ``Unit``, ``PricePerUnit``, ``Currency``, then one column per product
  attribute: ``Product Family``, ``serviceCode``, ``Location``, ``Instance Type``...);
* bulk **JSON**: ``{"offerCode", "publicationDate", "products": {sku: {"productFamily",
  "attributes"}}, "terms": {"OnDemand": {sku: {term: {"priceDimensions": {rate: {...}}}}}}}``.

Only ``OnDemand`` terms are imported. CSV column titles are turned into the JSON attribute names
(``Volume API Name`` -> ``volumeApiName``, ``usageType`` -> ``usagetype``) so both formats give
the same products. Each file becomes one source (``import:<OfferCode>:<publication date>``);
importing a file again replaces that source's rows. Imported rows carry the file's publication
date as their effective date, so a fresh offer file wins over the bundled (older) data.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.pricing.catalog import open_read_only
from engine.pricing.store import Row, Source, attributes_of, decimal_text, merge_catalog

MAX_METADATA_LINES = 5
_GLOBAL_LOCATIONS = frozenset({"", "Any", "Global"})

# CSV columns describing the price term, not the product.
_TERM_COLUMNS = frozenset(
    {
        "SKU",
        "OfferTermCode",
        "RateCode",
        "TermType",
        "PriceDescription",
        "EffectiveDate",
        "StartingRange",
        "EndingRange",
        "Unit",
        "PricePerUnit",
        "Currency",
        "RelatedTo",
        "LeaseContractLength",
        "PurchaseOption",
        "OfferingClass",
        "Product Family",
    }
)


class OfferFileError(ValueError):
    """The file is not an AWS Price List offer file this importer understands."""


@dataclass
class ImportedFile:
    source: Source
    rows: list[Row] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def attribute_name(column: str) -> str:
    """A CSV column title as the JSON attribute name: ``Volume API Name`` -> ``volumeApiName``."""
    words = [re.sub(r"[^A-Za-z0-9]", "", word) for word in column.split()]
    words = [word for word in words if word]
    if not words:
        return column
    if len(words) == 1:
        return words[0].lower()  # serviceCode -> servicecode, usageType -> usagetype
    return words[0].lower() + "".join(word[:1].upper() + word[1:].lower() for word in words[1:])


def read_offer_file(
    path: Path,
    *,
    locations: Mapping[str, str],
    regions: Iterable[str] = (),
    families: Iterable[str] = (),
) -> ImportedFile:
    """Parse one offer file (format by content: JSON object or CSV with metadata lines)."""
    with path.open("rb") as handle:
        head = handle.read(64).lstrip()
    region_filter = frozenset(regions)
    family_filter = frozenset(families)
    if head.startswith(b"{"):
        return _read_json(path, locations, region_filter, family_filter)
    return _read_csv(path, locations, region_filter, family_filter)


def _source(offer_code: str, published: str, version: str, path: Path) -> Source:
    date = published[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise OfferFileError(f"{path.name}: no valid publication date ({published!r})")
    if not offer_code:
        raise OfferFileError(f"{path.name}: no offer code")
    return Source(
        key=f"import:{offer_code}:{date}",
        title=f"AWS Price List offer file {offer_code}, version {version or '?'}",
        url=f"https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{offer_code}/ ({path.name})",
        licence="AWS Price List (public list prices)",
        effective_date=date,
        notes=f"Imported with python -m engine pricing import from {path.name}",
    )


def _region_of(
    attributes: Mapping[str, str], locations: Mapping[str, str], result: ImportedFile
) -> str | None:
    code = attributes.get("regionCode")
    if code:
        return code
    location = attributes.get("location", "")
    if location in _GLOBAL_LOCATIONS:
        return ""
    code = locations.get(location)
    if code is None:
        result.skip(f"unknown location {location!r}")
    return code


def _read_csv(
    path: Path,
    locations: Mapping[str, str],
    regions: frozenset[str],
    families: frozenset[str],
) -> ImportedFile:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        metadata: dict[str, str] = {}
        for _ in range(MAX_METADATA_LINES):
            line = handle.readline()
            fields = next(csv.reader(io.StringIO(line)), [])
            if len(fields) != 2:
                raise OfferFileError(f"{path.name}: expected 5 metadata lines before the header")
            metadata[fields[0]] = fields[1]
        result = ImportedFile(
            _source(
                metadata.get("OfferCode", ""),
                metadata.get("Publication Date", ""),
                metadata.get("Version", ""),
                path,
            )
        )
        reader = csv.DictReader(handle)
        required = {"SKU", "TermType", "Unit", "PricePerUnit", "Currency", "Product Family"}
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise OfferFileError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        for record in reader:
            if record.get("TermType") != "OnDemand":
                result.skip("not an OnDemand term")
                continue
            attributes = {
                attribute_name(column): value
                for column, value in record.items()
                if column and column not in _TERM_COLUMNS and value
            }
            _add(
                result,
                locations,
                regions,
                families,
                family=record["Product Family"],
                attributes=attributes,
                sku=record["SKU"],
                unit=record["Unit"],
                price=record["PricePerUnit"],
                currency=record["Currency"],
                start=record.get("StartingRange") or "0",
                end=record.get("EndingRange") or "",
                description=record.get("PriceDescription") or "",
            )
    return result


def _read_json(
    path: Path,
    locations: Mapping[str, str],
    regions: frozenset[str],
    families: frozenset[str],
) -> ImportedFile:
    try:
        document = json.loads(path.read_bytes())
    except ValueError as exc:
        raise OfferFileError(f"{path.name}: invalid JSON ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("products"), dict):
        raise OfferFileError(f"{path.name}: not an offer file (no 'products' object)")
    result = ImportedFile(
        _source(
            str(document.get("offerCode", "")),
            str(document.get("publicationDate", "")),
            str(document.get("version", "")),
            path,
        )
    )
    on_demand = (document.get("terms") or {}).get("OnDemand") or {}
    for sku, product in document["products"].items():
        if not isinstance(product, dict):
            continue
        attributes = {
            str(key): str(value) for key, value in (product.get("attributes") or {}).items()
        }
        for term in (on_demand.get(sku) or {}).values():
            for dimension in ((term or {}).get("priceDimensions") or {}).values():
                for currency, price in ((dimension or {}).get("pricePerUnit") or {}).items():
                    _add(
                        result,
                        locations,
                        regions,
                        families,
                        family=str(product.get("productFamily") or ""),
                        attributes=attributes,
                        sku=str(sku),
                        unit=str(dimension.get("unit") or ""),
                        price=str(price),
                        currency=str(currency),
                        start=str(dimension.get("beginRange") or "0"),
                        end=str(dimension.get("endRange") or ""),
                        description=str(dimension.get("description") or ""),
                    )
    return result


def _add(
    result: ImportedFile,
    locations: Mapping[str, str],
    regions: frozenset[str],
    families: frozenset[str],
    *,
    family: str,
    attributes: Mapping[str, str],
    sku: str,
    unit: str,
    price: str,
    currency: str,
    start: str,
    end: str,
    description: str,
) -> None:
    if families and family not in families:
        result.skip("product family filtered out")
        return
    region = _region_of(attributes, locations, result)
    if region is None:
        return
    if regions and region not in regions and region != "":
        result.skip("region filtered out")
        return
    product = dict(attributes)
    service = product.pop("servicecode", "") or result.source.key.split(":")[1]
    usage_type = product.pop("usagetype", "")
    for redundant in ("location", "regionCode"):
        product.pop(redundant, None)
    try:
        result.rows.append(
            Row(
                service=service,
                family=family,
                region=region,
                attributes=attributes_of(product),
                usage_type=usage_type,
                unit=unit,
                price=decimal_text(price),
                currency=currency,
                tier_start=decimal_text(start),
                tier_end="" if end in ("", "Inf") else decimal_text(end),
                sku=sku,
                description=description,
                source=result.source.key,
                effective_date=result.source.effective_date,
            )
        )
    except (ValueError, ArithmeticError):
        result.skip("price or range is not a number")


def import_files(
    catalog_path: Path,
    files: Iterable[Path],
    *,
    output: Path | None = None,
    regions: Iterable[str] = (),
    families: Iterable[str] = (),
) -> list[ImportedFile]:
    """Merge offer files into the catalog at ``catalog_path`` (written to ``output`` or back)."""
    connection = open_read_only(catalog_path)
    try:
        by_name = {
            str(location): str(code)
            for code, location in connection.execute("SELECT region_code, location FROM locations")
        }
    finally:
        connection.close()
    imported = [
        read_offer_file(path, locations=by_name, regions=regions, families=families)
        for path in files
    ]
    merge_catalog(
        catalog_path,
        output or catalog_path,
        sources=[item.source for item in imported],
        rows=[row for item in imported for row in item.rows],
        replace={item.source.key for item in imported},
    )
    return imported


def catalog_summary(path: Path) -> dict[str, Any]:
    """Counts per source (for ``python -m engine pricing info``)."""
    connection = open_read_only(path)
    try:
        counts = dict(
            connection.execute(
                "SELECT s.key, count(*) FROM prices r JOIN sources s ON s.id = r.source_id"
                " GROUP BY s.key ORDER BY s.key"
            ).fetchall()
        )
        sources = connection.execute(
            "SELECT key, effective_date, title FROM sources ORDER BY key"
        ).fetchall()
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error as exc:  # pragma: no cover - open_read_only validated the file
        raise OfferFileError(str(exc)) from exc
    finally:
        connection.close()
    return {
        "path": str(path),
        "bytes": path.stat().st_size,
        "meta": meta,
        "sources": [
            {"id": key, "effectiveDate": date, "title": title, "rows": counts.get(key, 0)}
            for key, date, title in sources
        ],
    }
