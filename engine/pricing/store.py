"""Writing catalog files: the row model shared by the builder and the offer-file importer.

Rows are written in a canonical order (products sorted by service, family and attributes;
prices by product, region, usage type, unit, tier, source and SKU) so that building twice from
the same inputs gives the same rows, and the committed file diffs cleanly.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from engine.pricing.catalog import SCHEMA_SQL, SCHEMA_VERSION, canonical_attributes


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str
    licence: str
    effective_date: str
    notes: str = ""


@dataclass(frozen=True)
class Row:
    """One price, keyed the way AWS's Price List is."""

    service: str
    family: str
    region: str
    attributes: tuple[tuple[str, str], ...]
    usage_type: str
    unit: str
    price: str
    currency: str
    tier_start: str
    tier_end: str
    sku: str
    description: str
    source: str
    effective_date: str

    def sort_key(self) -> tuple[object, ...]:
        return (
            self.service,
            self.family,
            canonical_attributes(dict(self.attributes)),
            self.region,
            self.usage_type,
            self.unit,
            Decimal(self.tier_start),
            self.source,
            self.sku,
            self.description,
            self.price,
        )


def decimal_text(value: Decimal | str | int) -> str:
    """A plain decimal string without exponent or trailing zeros: ``"0.0104"``, ``"10"``."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def attributes_of(mapping: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(key), str(value)) for key, value in mapping.items()))


def write_catalog(
    path: Path,
    *,
    sources: Iterable[Source],
    rows: Iterable[Row],
    locations: Iterable[tuple[str, str, str]] = (),
    meta: Mapping[str, str] | None = None,
) -> None:
    """Write a complete catalog to ``path`` atomically (a temporary file, then a rename)."""
    _write_atomically(
        path,
        lambda temp: temp.unlink(),
        lambda connection: _fill(connection, sources, rows, locations, meta or {}),
    )


def _write_atomically(
    path: Path,
    prepare: Callable[[Path], object],
    fill: Callable[[sqlite3.Connection], None],
) -> None:
    """Make the catalog ``path`` in a temporary file beside it, then rename that over it.

    ``prepare`` readies the (empty) temporary file: removes it, or copies a catalog over it;
    ``fill`` writes into the database it holds, which is then committed and vacuumed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".catalog-", suffix=".sqlite", dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        prepare(temp)
        connection = sqlite3.connect(temp)
        try:
            fill(connection)
            connection.commit()
            connection.execute("VACUUM")
        finally:
            connection.close()
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def _fill(
    connection: sqlite3.Connection,
    sources: Iterable[Source],
    rows: Iterable[Row],
    locations: Iterable[tuple[str, str, str]],
    meta: Mapping[str, str],
) -> None:
    connection.executescript(SCHEMA_SQL)
    source_list = sorted({source.key: source for source in sources}.values(), key=lambda s: s.key)
    source_ids = {source.key: index for index, source in enumerate(source_list, start=1)}
    connection.executemany(
        "INSERT INTO sources (id, key, title, url, licence, effective_date, notes)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                source_ids[s.key],
                s.key,
                s.title,
                s.url,
                s.licence,
                s.effective_date,
                s.notes,
            )
            for s in source_list
        ],
    )
    ordered = sorted(rows, key=Row.sort_key)
    product_ids: dict[tuple[str, str, str], int] = {}
    for row in ordered:
        key = (row.service, row.family, canonical_attributes(dict(row.attributes)))
        if key not in product_ids:
            product_ids[key] = len(product_ids) + 1
    connection.executemany(
        "INSERT INTO products (id, service_code, product_family, attributes) VALUES (?, ?, ?, ?)",
        [(product_id, *key) for key, product_id in product_ids.items()],
    )
    label_ids: dict[str, int] = {}
    for row in ordered:
        if row.description not in label_ids:
            label_ids[row.description] = len(label_ids) + 1
    connection.executemany(
        "INSERT INTO labels (id, text) VALUES (?, ?)",
        [(label_id, text) for text, label_id in label_ids.items()],
    )
    price_rows = []
    for row in ordered:
        if row.source not in source_ids:
            raise ValueError(f"row refers to unknown source {row.source!r}")
        key = (row.service, row.family, canonical_attributes(dict(row.attributes)))
        price_rows.append(
            (
                product_ids[key],
                row.region,
                row.usage_type,
                row.unit,
                row.price,
                row.currency,
                row.tier_start,
                row.tier_end,
                row.sku,
                label_ids[row.description],
                source_ids[row.source],
                row.effective_date,
            )
        )
    connection.executemany(
        "INSERT INTO prices (product_id, region_code, usage_type, unit, price_per_unit, currency,"
        " tier_start, tier_end, sku, label_id, source_id, effective_date)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        price_rows,
    )
    connection.executemany(
        "INSERT INTO locations (region_code, location, location_type) VALUES (?, ?, ?)",
        sorted(set(locations)),
    )
    all_meta = {"schema_version": SCHEMA_VERSION, **meta}
    connection.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(all_meta.items()))


def merge_catalog(
    source_path: Path,
    output: Path,
    *,
    sources: Iterable[Source],
    rows: Iterable[Row],
    replace: Iterable[str] = (),
) -> None:
    """Copy ``source_path`` to ``output`` with ``rows`` added (atomically).

    Rows of the sources named in ``replace`` are deleted first, so importing the same offer
    file twice replaces it. Much faster than rewriting the whole catalog.
    """
    _write_atomically(
        output,
        lambda temp: shutil.copyfile(source_path, temp),
        lambda connection: _merge(connection, list(sources), list(rows), set(replace)),
    )


def _merge(
    connection: sqlite3.Connection, sources: list[Source], rows: list[Row], replace: set[str]
) -> None:
    for replaced in sorted(replace):
        found = connection.execute("SELECT id FROM sources WHERE key = ?", (replaced,)).fetchone()
        if found is not None:
            connection.execute("DELETE FROM prices WHERE source_id = ?", (found[0],))
            connection.execute("DELETE FROM sources WHERE id = ?", (found[0],))
    source_ids = {key: sid for sid, key in connection.execute("SELECT id, key FROM sources")}
    next_source = max(source_ids.values(), default=0) + 1
    for source in sources:
        if source.key in source_ids:
            continue
        connection.execute(
            "INSERT INTO sources (id, key, title, url, licence, effective_date, notes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (next_source, source.key, source.title, source.url, source.licence,
             source.effective_date, source.notes),
        )  # fmt: skip
        source_ids[source.key] = next_source
        next_source += 1
    products = {
        (service, family, attributes): pid
        for pid, service, family, attributes in connection.execute(
            "SELECT id, service_code, product_family, attributes FROM products"
        )
    }
    labels = {text: lid for lid, text in connection.execute("SELECT id, text FROM labels")}
    next_product = max(products.values(), default=0) + 1
    next_label = max(labels.values(), default=0) + 1
    price_rows = []
    for row in rows:
        key = (row.service, row.family, canonical_attributes(dict(row.attributes)))
        if key not in products:
            connection.execute(
                "INSERT INTO products (id, service_code, product_family, attributes)"
                " VALUES (?, ?, ?, ?)",
                (next_product, *key),
            )
            products[key] = next_product
            next_product += 1
        if row.description not in labels:
            connection.execute(
                "INSERT INTO labels (id, text) VALUES (?, ?)", (next_label, row.description)
            )
            labels[row.description] = next_label
            next_label += 1
        price_rows.append(
            (products[key], row.region, row.usage_type, row.unit, row.price, row.currency,
             row.tier_start, row.tier_end, row.sku, labels[row.description],
             source_ids[row.source], row.effective_date)
        )  # fmt: skip
    connection.executemany(
        "INSERT OR IGNORE INTO prices (product_id, region_code, usage_type, unit, price_per_unit,"
        " currency, tier_start, tier_end, sku, label_id, source_id, effective_date)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        price_rows,
    )
    connection.execute(
        "DELETE FROM products WHERE id NOT IN (SELECT DISTINCT product_id FROM prices)"
    )
    connection.execute("DELETE FROM labels WHERE id NOT IN (SELECT DISTINCT label_id FROM prices)")


def read_all(
    connection: sqlite3.Connection,
) -> tuple[list[Source], list[Row], list[tuple[str, ...]]]:
    """Every source and location (sorted) and every row (in no particular order)."""
    sources = [
        Source(*(str(value) for value in row))
        for row in connection.execute(
            "SELECT key, title, url, licence, effective_date, notes FROM sources ORDER BY key"
        )
    ]
    rows = []
    parsed: dict[str, tuple[tuple[str, str], ...]] = {}
    for record in connection.execute(
        "SELECT service_code, product_family, region_code, attributes, usage_type, unit,"
        " price_per_unit, currency, tier_start, tier_end, sku, description, source,"
        " effective_date FROM price_list"
    ):
        (service, family, region, attributes, usage, unit, price, currency, start, end, sku,
         description, source, date) = record  # fmt: skip
        if attributes not in parsed:
            parsed[attributes] = attributes_of(json.loads(attributes))
        rows.append(
            Row(
                service=service,
                family=family,
                region=region,
                attributes=parsed[attributes],
                usage_type=usage,
                unit=unit,
                price=price,
                currency=currency,
                tier_start=start,
                tier_end=end,
                sku=sku,
                description=description,
                source=source,
                effective_date=date,
            )
        )
    locations = [
        tuple(str(value) for value in row)
        for row in connection.execute(
            "SELECT region_code, location, location_type FROM locations ORDER BY region_code"
        )
    ]
    return sources, rows, locations
