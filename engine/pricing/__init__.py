"""The offline AWS price catalog: a read-only SQLite file shipped in ``engine/data/``.

* :mod:`engine.pricing.catalog` reads it (thread-safe, read-only, cached lookups);
* :mod:`engine.pricing.builder` rebuilds the shipped file from ``../shared/pricing`` (sources,
  readers, and the label -> product rules in ``engine/pricing/rules/*.yaml``);
* :mod:`engine.pricing.importer` ingests AWS Price List offer files (bulk CSV / JSON);
* :mod:`engine.pricing.cli` is ``python -m engine pricing build|import|info``.

Nothing here touches the network.
"""

from __future__ import annotations

from engine.pricing.catalog import (
    DEFAULT_CATALOG_PATH,
    Catalog,
    CatalogError,
    PriceMatch,
    PriceQuery,
    PriceRow,
    SourceInfo,
    get_catalog,
)

__all__ = [
    "DEFAULT_CATALOG_PATH",
    "Catalog",
    "CatalogError",
    "PriceMatch",
    "PriceQuery",
    "PriceRow",
    "SourceInfo",
    "get_catalog",
]
