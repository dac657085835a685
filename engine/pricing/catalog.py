"""Reading the price catalog: a read-only SQLite file keyed the way AWS's Price List is.

Schema (``SCHEMA_SQL``)
=======================

``products``  one row per (service code, product family, attributes), unique by construction.
              ``attributes`` is the product's Price List attributes as canonical JSON (sorted
              keys, compact, string values), e.g. ``{"capacitystatus":"Used",...}``.
``prices``    one row per price dimension: product, ``region_code`` (``""`` for global prices),
              ``usage_type`` (AWS usage type when the source gives one, ``""`` otherwise),
              ``unit`` (AWS unit: ``Hrs``, ``GB-Mo``...), ``price_per_unit`` (decimal string),
              ``currency``, tier range ``[tier_start, tier_end)`` (``tier_end`` ``""`` = open),
              ``sku``, ``label_id`` (the source's label for the price, in ``labels``: web-feed
              labels repeat in every region), ``source_id`` and ``effective_date``
              (``YYYY-MM-DD``).
``sources``   every source: key, title, URL, licence, effective date, notes.
``locations`` region code <-> Price List location name (for importing offer files).
``meta``      ``schema_version`` and build information.
``price_list`` a view joining the above into one flat row per price (for humans and tests).

Lookups (:meth:`Catalog.lookup`) match a product by service code, family, region and a subset
of attributes (plus, where AWS itself needs it, a usage type without its regional prefix). When
several sources price the same thing the one with the newest effective date wins; when one
source has several different prices for the same tier the match is flagged ``ambiguous`` and
the highest price is used (a conservative choice, reported to the caller).

The file is opened read-only (``mode=ro``) with one connection per thread, so a threaded
gunicorn worker can share one :class:`Catalog`.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1"

DEFAULT_CATALOG_PATH = Path(__file__).resolve().parent.parent / "data" / "aws_prices.sqlite"

SCHEMA_SQL = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    licence TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    notes TEXT NOT NULL
);
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    service_code TEXT NOT NULL,
    product_family TEXT NOT NULL,
    attributes TEXT NOT NULL
);
CREATE INDEX products_by_family ON products (service_code, product_family);
CREATE TABLE prices (
    product_id INTEGER NOT NULL REFERENCES products (id),
    region_code TEXT NOT NULL,
    usage_type TEXT NOT NULL,
    unit TEXT NOT NULL,
    price_per_unit TEXT NOT NULL,
    currency TEXT NOT NULL,
    tier_start TEXT NOT NULL,
    tier_end TEXT NOT NULL,
    sku TEXT NOT NULL,
    label_id INTEGER NOT NULL REFERENCES labels (id),
    source_id INTEGER NOT NULL REFERENCES sources (id),
    effective_date TEXT NOT NULL,
    PRIMARY KEY (product_id, region_code, usage_type, unit, tier_start, source_id, sku,
                 label_id, price_per_unit)
) WITHOUT ROWID;
CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL
);
CREATE TABLE locations (
    region_code TEXT PRIMARY KEY,
    location TEXT NOT NULL,
    location_type TEXT NOT NULL
) WITHOUT ROWID;
CREATE VIEW price_list AS
    SELECT p.service_code, p.product_family, r.region_code, p.attributes, r.usage_type,
           r.unit, r.price_per_unit, r.currency, r.tier_start, r.tier_end, r.sku,
           l.text AS description, s.key AS source, r.effective_date
    FROM prices r JOIN products p ON p.id = r.product_id JOIN sources s ON s.id = r.source_id
    JOIN labels l ON l.id = r.label_id;
"""

_ATTRIBUTE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
_CACHE_LIMIT = 8192


class CatalogError(Exception):
    """The catalog file is missing, unreadable or of an unknown schema."""


def canonical_attributes(attributes: Mapping[str, Any]) -> str:
    """Canonical JSON for a product's attributes: sorted keys, compact, string values."""
    return json.dumps(
        {str(key): str(value) for key, value in attributes.items()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def to_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise CatalogError(f"not a decimal number: {text!r}") from exc
    if not value.is_finite():
        raise CatalogError(f"not a finite number: {text!r}")
    return value


@dataclass(frozen=True)
class PriceQuery:
    """What to look up. ``usage_type`` matches with or without AWS's regional prefix."""

    service: str
    family: str
    region: str
    attributes: tuple[tuple[str, str], ...] = ()
    usage_type: str | None = None
    units: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        service: str,
        family: str,
        region: str,
        attributes: Mapping[str, str] | None = None,
        *,
        usage_type: str | None = None,
        units: Iterable[str] = (),
    ) -> PriceQuery:
        return cls(
            service,
            family,
            region,
            tuple(sorted((attributes or {}).items())),
            usage_type,
            tuple(units),
        )

    def describe(self) -> str:
        parts = [f"{key}={value}" for key, value in self.attributes]
        if self.usage_type:
            parts.append(f"usagetype~{self.usage_type}")
        region = self.region or "global"
        return f"{self.service} / {self.family} / {region} [{', '.join(parts)}]"


@dataclass(frozen=True)
class PriceRow:
    price: Decimal
    unit: str
    currency: str
    tier_start: Decimal
    tier_end: Decimal | None
    usage_type: str
    sku: str
    description: str
    source: str
    effective_date: str


@dataclass(frozen=True)
class PriceMatch:
    """The chosen price: its tiers (ascending), from one source."""

    tiers: tuple[PriceRow, ...]
    ambiguous: bool = False
    candidates: int = 1

    @property
    def first(self) -> PriceRow:
        return self.tiers[0]

    @property
    def price(self) -> Decimal:
        return self.tiers[0].price

    @property
    def source(self) -> str:
        return self.tiers[0].source

    @property
    def effective_date(self) -> str:
        return self.tiers[0].effective_date


@dataclass(frozen=True)
class SourceInfo:
    key: str
    title: str
    url: str
    licence: str
    effective_date: str
    notes: str

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.key,
            "title": self.title,
            "url": self.url,
            "licence": self.licence,
            "effectiveDate": self.effective_date,
        }


class _Local(threading.local):
    def __init__(self) -> None:
        self.connection: sqlite3.Connection | None = None


@dataclass
class Catalog:
    """A read-only, thread-safe view of one catalog file."""

    path: Path
    _local: _Local = field(default_factory=_Local, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: dict[PriceQuery, PriceMatch | None] = field(default_factory=dict, repr=False)
    _sources: dict[str, SourceInfo] | None = field(default=None, repr=False)
    _meta: dict[str, str] | None = field(default=None, repr=False)
    _regions: list[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    # --- connection ------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection = self._local.connection
        if connection is None:
            connection = open_read_only(self.path)
            self._local.connection = connection
        return connection

    def close(self) -> None:
        """Close this thread's connection (other threads' close when they exit)."""
        connection = self._local.connection
        if connection is not None:
            self._local.connection = None
            connection.close()

    # --- metadata --------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        if self._meta is None:
            rows = self._connection().execute("SELECT key, value FROM meta").fetchall()
            self._meta = {str(key): str(value) for key, value in rows}
        return dict(self._meta)

    def sources(self) -> dict[str, SourceInfo]:
        if self._sources is None:
            rows = self._connection().execute(
                "SELECT key, title, url, licence, effective_date, notes FROM sources ORDER BY key"
            )
            self._sources = {row[0]: SourceInfo(*(str(value) for value in row)) for row in rows}
        return dict(self._sources)

    def location_of(self, region: str) -> str | None:
        row = (
            self._connection()
            .execute("SELECT location FROM locations WHERE region_code = ?", (region,))
            .fetchone()
        )
        return str(row[0]) if row else None

    def regions(self) -> list[str]:
        if self._regions is None:
            rows = self._connection().execute("SELECT DISTINCT region_code FROM prices ORDER BY 1")
            self._regions = [str(row[0]) for row in rows]
        return list(self._regions)

    # --- lookups ---------------------------------------------------------------------------

    def lookup(self, query: PriceQuery) -> PriceMatch | None:
        """The price for ``query`` (``None`` when the catalog has none)."""
        with self._lock:
            if query in self._cache:
                return self._cache[query]
        match = _choose(self._rows(query))
        with self._lock:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[query] = match
        return match

    def _rows(self, query: PriceQuery) -> list[PriceRow]:
        sql = [
            "SELECT r.usage_type, r.unit, r.price_per_unit, r.currency, r.tier_start, r.tier_end,",
            " r.sku, l.text, s.key, r.effective_date",
            " FROM products p JOIN prices r ON r.product_id = p.id",
            " JOIN sources s ON s.id = r.source_id JOIN labels l ON l.id = r.label_id",
            " WHERE p.service_code = ? AND p.product_family = ? AND r.region_code = ?",
        ]
        params: list[str] = [query.service, query.family, query.region]
        for key, value in query.attributes:
            if not _ATTRIBUTE_KEY.fullmatch(key):
                raise CatalogError(f"invalid attribute name {key!r}")
            sql.append(" AND json_extract(p.attributes, ?) = ?")
            params.extend([f'$."{key}"', value])
        rows = self._connection().execute("".join(sql), params).fetchall()
        usage = _usage_type_pattern(query.usage_type)
        units = {unit.lower() for unit in query.units}
        out: list[PriceRow] = []
        for usage_type, unit, price, currency, start, end, sku, desc, source, date in rows:
            if usage is not None and not usage.fullmatch(usage_type):
                continue
            if units and str(unit).lower() not in units:
                continue
            out.append(
                PriceRow(
                    price=to_decimal(price),
                    unit=str(unit),
                    currency=str(currency),
                    tier_start=to_decimal(start),
                    tier_end=to_decimal(end) if end else None,
                    usage_type=str(usage_type),
                    sku=str(sku),
                    description=str(desc),
                    source=str(source),
                    effective_date=str(date),
                )
            )
        return out


def _usage_type_pattern(suffix: str | None) -> re.Pattern[str] | None:
    if suffix is None:
        return None
    # AWS prefixes usage types with a region token ("EU-", "USE1-", "APN1-"...) except in
    # some us-east-1 products; one optional token, never more ("EU-Outposts-X" is not "X").
    return re.compile(r"(?:[A-Za-z0-9]+-)?" + re.escape(suffix))


def _choose(rows: list[PriceRow]) -> PriceMatch | None:
    """Newest source wins; within it, one price per tier (ambiguity flagged)."""
    if not rows:
        return None
    groups: dict[tuple[str, str], list[PriceRow]] = {}
    for row in rows:
        groups.setdefault((row.effective_date, row.source), []).append(row)
    # Newest effective date wins; equal dates go to the first source key (deterministic, as
    # max() returns the first maximal element of the key-sorted list).
    best_key = max(sorted(groups, key=lambda key: key[1]), key=lambda key: key[0])
    chosen = groups[best_key]
    by_tier: dict[Decimal, list[PriceRow]] = {}
    for row in chosen:
        by_tier.setdefault(row.tier_start, []).append(row)
    tiers: list[PriceRow] = []
    ambiguous = False
    for start in sorted(by_tier):
        options = sorted(by_tier[start], key=lambda row: (-row.price, row.sku, row.description))
        if len({row.price for row in options}) > 1:
            ambiguous = True
        tiers.append(options[0])
    return PriceMatch(tuple(tiers), ambiguous=ambiguous, candidates=len(rows))


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to an existing catalog file (never creates one)."""
    if not path.is_file():
        raise CatalogError(f"price catalog not found at {path}")
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        version = connection.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
    except sqlite3.Error as exc:
        raise CatalogError(f"cannot read price catalog {path.name}: {exc}") from exc
    if version is None or version[0] != SCHEMA_VERSION:
        connection.close()
        found = version[0] if version else None
        raise CatalogError(
            f"price catalog {path.name} has schema version {found!r}, expected {SCHEMA_VERSION}"
        )
    return connection


_CATALOGS: dict[Path, Catalog] = {}
_CATALOGS_LOCK = threading.Lock()


def get_catalog(path: str | Path | None = None) -> Catalog:
    """The process-wide :class:`Catalog` for ``path`` (default: the shipped catalog).

    Opening is lazy: a missing file raises :class:`CatalogError` on the first lookup.
    """
    resolved = Path(path).resolve() if path else DEFAULT_CATALOG_PATH
    with _CATALOGS_LOCK:
        catalog = _CATALOGS.get(resolved)
        if catalog is None:
            catalog = Catalog(resolved)
            _CATALOGS[resolved] = catalog
        return catalog
