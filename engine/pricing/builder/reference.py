"""The catalog reference in ``docs/pricing-catalog.md``: what a catalog holds, per service.

This module owns the generated part of that document: for every service code and product
family, each product *shape* (its set of attribute keys), with the attribute values, units,
usage types, regions, sources and dates the catalog has for it, and the notes of the rule
files that produce it. It is generated from the catalog itself, so it cannot drift from what
a cost function will find (``tests/engine/test_pricing_reference.py`` checks the committed
document); the prose around it is written by hand, outside the markers.

``python -m engine pricing reference [--catalog PATH] [--output docs/pricing-catalog.md]``
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.pricing.builder.rules import RuleSet
from engine.pricing.builder.sources import MAIN_REGIONS
from engine.pricing.catalog import open_read_only

BEGIN = "<!-- BEGIN GENERATED: python -m engine pricing reference -->"
END = "<!-- END GENERATED -->"
DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "pricing-catalog.md"

# Attribute values listed in full up to this many; beyond it, a count and a few examples.
_ALL_VALUES = 8
_EXAMPLES = 4


@dataclass
class _Shape:
    """Every row of one (service, family, attribute keys)."""

    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    units: set[str] = field(default_factory=set)
    usage_types: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    sources: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    tiered: bool = False
    rows: int = 0


def render(catalog: Path, rule_sets: Mapping[str, RuleSet]) -> str:
    """The generated section (without its markers) for the catalog at ``catalog``."""
    connection = open_read_only(catalog)
    try:
        shapes = _shapes(connection)
        sources = {
            str(key): (str(title), str(date))
            for key, title, date in connection.execute(
                "SELECT key, title, effective_date FROM sources ORDER BY key"
            )
        }
    finally:
        connection.close()
    notes = _notes(rule_sets)
    lines: list[str] = []
    for service in sorted(shapes, key=str.lower):
        lines.append(f"### `{service}`")
        lines.append("")
        for note in notes.get(service, []):
            lines.append(f"> {note}")
            lines.append("")
        for (family, keys), shape in sorted(shapes[service].items()):
            lines.extend(_shape_lines(family, keys, shape, sources))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _shapes(connection: sqlite3.Connection) -> dict[str, dict[tuple[str, tuple[str, ...]], _Shape]]:
    out: dict[str, dict[tuple[str, tuple[str, ...]], _Shape]] = defaultdict(dict)
    for (
        service,
        family,
        attributes,
        region,
        usage,
        unit,
        start,
        end,
        source,
        date,
    ) in connection.execute(
        "SELECT service_code, product_family, attributes, region_code, usage_type, unit,"
        " tier_start, tier_end, source, effective_date FROM price_list"
    ):
        parsed: dict[str, str] = json.loads(attributes)
        key = (str(family), tuple(sorted(parsed)))
        shape = out[str(service)].setdefault(key, _Shape())
        for name, value in parsed.items():
            shape.values[name].add(value)
        shape.units.add(str(unit))
        if usage:
            shape.usage_types.add(str(usage))
        shape.regions.add(str(region))
        shape.sources[str(source)].add(str(date))
        shape.tiered = shape.tiered or start != "0" or bool(end)
        shape.rows += 1
    return out


def _shape_lines(
    family: str, keys: Sequence[str], shape: _Shape, sources: Mapping[str, tuple[str, str]]
) -> list[str]:
    name = family or "(no product family)"
    lines = [f"- **{name}** ({shape.rows} price{'' if shape.rows == 1 else 's'})"]
    if keys:
        for name in keys:
            lines.append(f"  - `{name}`: {_values(shape.values[name])}")
    else:
        lines.append("  - no attributes")
    lines.append(f"  - unit: {_values(shape.units)}" + ("; tiered" if shape.tiered else ""))
    if shape.usage_types:
        lines.append(f"  - usage type: {_values(shape.usage_types)}")
    lines.append(f"  - regions: {_regions(shape.regions)}")
    described = []
    for key in sorted(shape.sources):
        dates = sorted(shape.sources[key])
        span = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
        described.append(f"`{key}` ({span})")
    lines.append(f"  - source: {', '.join(described)}")
    return lines


def _values(values: Iterable[str]) -> str:
    ordered = sorted(values, key=_natural)
    shown = [f"`{value}`" if value else '`""`' for value in ordered]
    if len(shown) <= _ALL_VALUES:
        return ", ".join(shown)
    return f"{len(shown)} values, e.g. {', '.join(shown[:_EXAMPLES])}"


def _natural(text: str) -> tuple[object, ...]:
    """Sort "2", "10" and "db.r5.2xlarge" the way a person reads them."""
    parts: list[object] = []
    number = ""
    word = ""
    for char in text:
        if char.isdigit():
            if word:
                parts.append((1, word))
                word = ""
            number += char
        else:
            if number:
                parts.append((0, int(number)))
                number = ""
            word += char
    if number:
        parts.append((0, int(number)))
    if word:
        parts.append((1, word))
    return tuple(parts)


def _regions(regions: set[str]) -> str:
    regional = regions - {""}
    parts = []
    if regional == set(MAIN_REGIONS):
        parts.append(f"all {len(MAIN_REGIONS)} shipped regions")
    elif regional <= set(MAIN_REGIONS) and len(regional) > len(MAIN_REGIONS) // 2:
        missing = [region for region in MAIN_REGIONS if region not in regional]
        parts.append(f"{len(regional)} of the shipped regions (not {', '.join(missing)})")
    elif regional:
        parts.append(", ".join(sorted(regional)))
    if "" in regions:
        parts.append('global (`region_code` `""`)')
    return "; ".join(parts)


def _notes(rule_sets: Mapping[str, RuleSet]) -> dict[str, list[str]]:
    """The description of each rule set, under every service code its rules produce."""
    notes: dict[str, list[str]] = defaultdict(list)
    for rule_set in sorted(rule_sets.values(), key=lambda item: item.name):
        if not rule_set.description:
            continue
        services = sorted({rule.product["service"] for rule in rule_set.rules})
        for service in services:
            text = f"Rule set `{rule_set.name}`: {rule_set.description.strip()}"
            if text not in notes[service]:
                notes[service].append(text)
    return notes


def replace_generated(document: str, generated: str) -> str:
    """``document`` with the text between its markers replaced by ``generated``."""
    start = document.index(BEGIN) + len(BEGIN)
    end = document.index(END)
    return document[:start] + "\n\n" + generated + "\n" + document[end:]


def generated_part(document: str) -> str:
    start = document.index(BEGIN) + len(BEGIN)
    return document[start : document.index(END)].strip("\n") + "\n"
