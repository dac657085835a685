"""Building the shipped catalog from the offline price files in ``../shared/pricing``.

``python -m engine pricing build [--source DIR] [--output FILE]``

The package is split by what each part owns (it is not called ``build``, because tools
treat any ``build/`` folder as generated output: git and ruff would ignore it):

* :mod:`~engine.pricing.builder.sources`: every source (origin, licence, date) and which input
  file is read how, translated by which rule set, into rows of which source;
* :mod:`~engine.pricing.builder.readers`: the file formats (one reader each);
* :mod:`~engine.pricing.builder.rules`: the generic rule engine; the label -> product rules
  themselves are data, in ``engine/pricing/rules/*.yaml`` (one file per rule set);
* :mod:`~engine.pricing.builder.reference`: the generated catalog reference in
  ``docs/pricing-catalog.md`` (``python -m engine pricing reference``);
* this module: putting them together (region filter, de-duplication, metadata).

Inputs whose prices come with a human-readable *label* (the AWS website feeds, Karpenter's EC2
table, cloudkeep's EBS file) are translated label by label into Price List products (service
code, product family, attributes, unit, usage type, tier). Labels no rule claims are not
shipped. terracost's Price List extracts are Price List rows already, and
``engine/data/curated_prices.json`` holds a few hand-curated rows and tier boundaries.

Only the main regions (:data:`MAIN_REGIONS`) and, for feeds that say so, global prices are
kept. When two sources price the same product the lookup prefers the newest effective date
(see :mod:`engine.pricing.catalog`). ``aws_pricelist_format_sample_AmazonEC2.csv`` is test data
(fake SKUs) and is never shipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.pricing.builder import readers
from engine.pricing.builder.readers import Record
from engine.pricing.builder.rules import Product, RuleSet, load_rule_sets
from engine.pricing.builder.sources import INPUTS, LOCATIONS_FILE, MAIN_REGIONS, SOURCES, Input
from engine.pricing.catalog import DEFAULT_CATALOG_PATH
from engine.pricing.store import Row, Source, attributes_of, decimal_text, write_catalog

__all__ = [
    "CURATED_PATH",
    "INPUTS",
    "MAIN_REGIONS",
    "SOURCES",
    "BuildResult",
    "LabelledInput",
    "build_catalog",
    "collect",
    "labelled_inputs",
    "load_curated",
    "rule_sets",
]

CURATED_PATH = Path(__file__).resolve().parents[2] / "data" / "curated_prices.json"


@dataclass
class BuildResult:
    sources: list[Source]
    rows: list[Row]
    locations: list[tuple[str, str, str]]
    meta: dict[str, str]
    counts: dict[str, int]


@dataclass(frozen=True)
class LabelledInput:
    """The records of one label-based input file that the build considers (region-filtered),
    with the rule set and source of each feed."""

    input: Input
    records: list[Record]
    rule_set: Mapping[str, str]  # feed -> rule set
    source: Mapping[str, str]  # feed -> source key


def load_curated() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CURATED_PATH.read_text(encoding="utf-8"))
    return data


def rule_sets(curated: Mapping[str, Any] | None = None) -> dict[str, RuleSet]:
    """Every rule set, with the curated tier boundaries they may refer to."""
    tiers = (curated or load_curated())["tiers"]
    boundaries: dict[str, Sequence[str]] = {
        name: [str(bound) for bound in tier["boundaries"]] for name, tier in tiers.items()
    }
    return load_rule_sets(boundaries)


def labelled_inputs(
    source_dir: Path, regions: Iterable[str] = MAIN_REGIONS
) -> Iterator[LabelledInput]:
    """The labelled records of every label-based input, in build order."""
    region_set = frozenset(regions)
    for spec in INPUTS:
        path = source_dir / spec.name
        if spec.reader == "web":
            order = {feed.name: index for index, feed in enumerate(spec.feeds)}
            feeds = {feed.name: feed for feed in spec.feeds}
            records = [
                record
                for record in readers.web_records(path, order)
                if feeds[record.feed].ships(record.region, record.location, region_set)
            ]
            yield LabelledInput(
                spec,
                records,
                {feed.name: feed.rule_set for feed in spec.feeds},
                {feed.name: feed.source for feed in spec.feeds},
            )
        elif spec.reader in ("karpenter", "ebs"):
            read = readers.karpenter_records if spec.reader == "karpenter" else readers.ebs_records
            records = [r for r in read(path, spec.rule_set) if r.region in region_set]
            yield LabelledInput(
                spec, records, {spec.rule_set: spec.rule_set}, {spec.rule_set: spec.source}
            )


def collect(source_dir: Path, regions: Iterable[str] = MAIN_REGIONS) -> BuildResult:
    """Every row the shipped catalog holds, from the files in ``source_dir``."""
    region_set = frozenset(regions)
    curated = load_curated()
    rules = rule_sets(curated)
    rows: list[Row] = []
    counts: dict[str, int] = {}

    def add(new_rows: Iterable[Row]) -> None:
        for row in new_rows:
            rows.append(row)
            counts[row.source] = counts.get(row.source, 0) + 1

    for labelled in labelled_inputs(source_dir, region_set):
        add(_translate(labelled, rules))
    for spec in INPUTS:
        if spec.reader == "pricelist":
            add(readers.pricelist_rows(source_dir / spec.name, SOURCES[spec.source], region_set))

    curated_sources, curated_rows = readers.curated_rows(curated, region_set)
    add(curated_rows)

    meta = {
        "built_by": "python -m engine pricing build",
        "regions": ",".join(sorted(region_set)),
        "currency": "USD",
    }
    for name, tier in sorted(curated["tiers"].items()):
        meta[f"tiers:{name}"] = ",".join(tier["boundaries"])
    for name in sorted([*(spec.name for spec in INPUTS), LOCATIONS_FILE]):
        meta[f"input_sha256:{name}"] = hashlib.sha256((source_dir / name).read_bytes()).hexdigest()
    used_sources = {row.source for row in rows}
    sources = [source for key, source in sorted(SOURCES.items()) if key in used_sources]
    sources.extend(source for source in curated_sources if source.key in used_sources)
    locations = readers.locations(source_dir / LOCATIONS_FILE)
    return BuildResult(sources, rows, locations, meta, counts)


def _translate(labelled: LabelledInput, rules: Mapping[str, RuleSet]) -> Iterator[Row]:
    """The rows of one labelled input. One rate under several labels (or two SKUs with the same
    price) is one row; two different prices for the same thing are both kept, and the lookup
    flags them."""
    seen: set[tuple[object, ...]] = set()
    precedence = labelled.input.precedence_feed
    precedence_labels: set[tuple[str, str]] = set()
    for record in labelled.records:
        if precedence:
            if record.feed == precedence:
                precedence_labels.add((record.region, record.label))
            elif (record.region, record.label) in precedence_labels:
                continue  # the precedence feed's price wins over the other feeds' repeats
        translation = rules[labelled.rule_set[record.feed]].translate(
            record.label, record.attributes
        )
        if translation is None or translation.product is None:
            continue
        source = SOURCES[labelled.source[record.feed]]
        row = _row(translation.product, record, source)
        identity = (*row.sort_key()[:7], row.price)
        if identity in seen:
            continue
        seen.add(identity)
        yield row


def _row(product: Product, record: Record, source: Source) -> Row:
    return Row(
        service=product.service,
        family=product.family,
        region=record.region,
        attributes=attributes_of(product.attributes),
        usage_type=product.usage_type,
        unit=product.unit,
        price=decimal_text(record.price),
        currency=record.currency,
        tier_start=decimal_text(product.tier_start),
        tier_end=decimal_text(product.tier_end) if product.tier_end else "",
        sku=record.sku,
        description=record.description or record.label,
        source=source.key,
        effective_date=record.date or source.effective_date,
    )


def build_catalog(
    source_dir: Path,
    output: Path = DEFAULT_CATALOG_PATH,
    regions: Iterable[str] = MAIN_REGIONS,
) -> BuildResult:
    result = collect(source_dir, regions)
    write_catalog(
        output,
        sources=result.sources,
        rows=result.rows,
        locations=result.locations,
        meta=result.meta,
    )
    return result
