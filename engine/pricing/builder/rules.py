"""The label -> product rule engine: loads ``engine/pricing/rules/*.yaml`` and applies it.

This module owns the *meaning* of the rule files, nothing service-specific: which AWS label
becomes which Price List product is data, in the YAML files; this engine only matches a label
against the rules of its rule set and renders the product the matching rule describes.

A rule file holds one **rule set** (the labels of one feed, e.g. ``s3``)::

    rule_set: s3
    defaults: {service: AmazonS3}          # product fields every rule inherits
    anchors: {...}                         # optional: YAML anchors rules share (not read)
    rules:
      - id: s3-standard-storage             # unique across all files
        why: ...                            # optional: the reason for a non-obvious mapping
        pattern: 'Standard Storage (?P<tier>First 50 TB|Next 450 TB|Over 500 TB) per GB Mo'
        derive:                             # variables, in order; first step that succeeds wins
          start: {from: tier, map: {First 50 TB: "0", Next 450 TB: "51200", ...}}
        product:
          family: Storage
          attributes: {storageClass: General Purpose, volumeType: Standard}
          unit: GB-Mo
          usage_type: TimedStorage-ByteHrs
          tier_start: "{start}"
        examples:                           # checked by tests/engine/test_pricing_rules.py
          - label: Standard Storage Next 450 TB per GB Mo
            product: {tier_start: "51200", tier_end: "512000"}

A rule matches either literal labels (``label: "..."`` or a list of them) or a regular
expression (``pattern:``, matched against the whole label; its named groups are variables).
``derive`` computes more variables, each from a list of steps tried in order:

* ``{value: "<template>"}``: always succeeds;
* ``{from: <variable>, map: {key: value}}``: succeeds when the variable's value is a key;
* ``{from: <variable>, search: <regex>, value: "<template>"}``: succeeds when the regex is
  found in the variable's value; its named groups are visible in ``value``;
* ``{attribute: <name>}``: the feed row's attribute ``<name>`` (e.g. ``Instance Type``), when
  present and not empty.

When no step of a variable succeeds the label is matched but not priced; the rule tests
require that this never happens in the shipped feeds. Templates are strings with ``{name}``
placeholders. Product attributes that render empty are left out (so an optional group can
make an optional attribute). ``tier_end`` ``""`` or ``"Inf"`` means an open tier;
``tier: {boundaries: <name>, number: "<template>"}`` takes a tier's range from the named
boundaries in ``engine/data/curated_prices.json`` (tier 1 is the first).

Rules match in file order and the first match decides, but the tests also require that no
label of a feed matches two rules, so the order never matters in practice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PRODUCT_FIELDS = ("service", "family", "unit", "usage_type", "tier_start", "tier_end")
_FILE_KEYS = ("rule_set", "description", "defaults", "rules")
_RULE_KEYS = frozenset({"id", "why", "label", "pattern", "derive", "product", "examples"})
_PRODUCT_KEYS = frozenset({*_PRODUCT_FIELDS, "attributes", "tier"})
_OPEN_TIER = frozenset({"", "Inf"})


class RuleError(ValueError):
    """A rule file is malformed (reported with the file and rule it is in)."""


@dataclass(frozen=True)
class Product:
    """What a source label means, in Price List terms."""

    service: str
    family: str
    attributes: Mapping[str, str]
    unit: str
    usage_type: str = ""
    tier_start: str = "0"
    tier_end: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "family": self.family,
            "attributes": dict(self.attributes),
            "unit": self.unit,
            "usage_type": self.usage_type,
            "tier_start": self.tier_start,
            "tier_end": self.tier_end,
        }


def render(template: str, variables: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: variables[m[1]], template)


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))


@dataclass(frozen=True)
class Step:
    """One way of computing a variable (see the module docstring)."""

    source: str = ""  # the variable read by ``map`` and ``search``
    mapping: Mapping[str, str] | None = None
    search: re.Pattern[str] | None = None
    template: str | None = None
    attribute: str = ""

    def apply(self, variables: Mapping[str, str], attributes: Mapping[str, str]) -> str | None:
        if self.attribute:
            return attributes.get(self.attribute) or None
        if self.mapping is not None:
            return self.mapping.get(variables[self.source])
        if self.search is not None:
            found = self.search.search(variables[self.source])
            if found is None:
                return None
            groups = {key: value or "" for key, value in found.groupdict().items()}
            return render(self.template or "", {**variables, **groups})
        return render(self.template or "", variables)


@dataclass(frozen=True)
class Example:
    """A label a rule claims, and the product fields that rule's templates give for it."""

    label: str
    product: Mapping[str, Any]
    region: str = ""  # only the feed's rows of this region (when attributes vary by region)


@dataclass(frozen=True)
class Rule:
    id: str
    rule_set: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]  # the literal labels of a ``label:`` rule; empty for ``pattern:``
    derive: tuple[tuple[str, tuple[Step, ...]], ...]
    product: Mapping[str, Any]  # the product spec, defaults applied
    examples: tuple[Example, ...]
    why: str = ""
    path: str = ""

    def apply(
        self,
        match: re.Match[str],
        attributes: Mapping[str, str],
        boundaries: Mapping[str, Sequence[str]],
    ) -> Product | None:
        """The product of a label this rule matched (``None`` if a variable has no value)."""
        variables = {key: value or "" for key, value in match.groupdict().items()}
        for name, steps in self.derive:
            for step in steps:
                value = step.apply(variables, attributes)
                if value is not None:
                    variables[name] = value
                    break
            else:
                return None
        spec = self.product
        fields = {key: render(spec[key], variables) for key in _PRODUCT_FIELDS}
        rendered = {key: render(value, variables) for key, value in spec["attributes"].items()}
        tier_start, tier_end = fields["tier_start"], fields["tier_end"]
        if "tier" in spec:
            bounds = boundaries[spec["tier"]["boundaries"]]
            number = int(render(spec["tier"]["number"], variables))
            tier_start = bounds[number - 1]
            tier_end = bounds[number] if number < len(bounds) else ""
        return Product(
            service=fields["service"],
            family=fields["family"],
            attributes={key: value for key, value in rendered.items() if value},
            unit=fields["unit"],
            usage_type=fields["usage_type"],
            tier_start=tier_start or "0",
            tier_end="" if tier_end in _OPEN_TIER else tier_end,
        )

    def templated_fields(self) -> set[str]:
        """The product fields (``attributes.<key>`` for attributes) whose value depends on the
        label: an example must state each of them."""
        out = {key for key in _PRODUCT_FIELDS if placeholders(self.product[key])}
        out.update(
            f"attributes.{key}"
            for key, value in self.product["attributes"].items()
            if placeholders(value)
        )
        if "tier" in self.product:
            out.update({"tier_start", "tier_end"})
        return out

    def literal_product(self) -> dict[str, Any]:
        """The product fields that do not depend on the label."""
        templated = self.templated_fields()
        out: dict[str, Any] = {
            key: self.product[key] for key in _PRODUCT_FIELDS if key not in templated
        }
        if "tier_end" in out and out["tier_end"] in _OPEN_TIER:
            out["tier_end"] = ""
        out["attributes"] = {
            key: value
            for key, value in self.product["attributes"].items()
            if f"attributes.{key}" not in templated
        }
        return out


@dataclass(frozen=True)
class Translation:
    rule: Rule
    product: Product | None


@dataclass
class RuleSet:
    """The ordered rules of one feed."""

    name: str
    rules: list[Rule] = field(default_factory=list)
    boundaries: Mapping[str, Sequence[str]] = field(default_factory=dict)
    description: str = ""

    def translate(
        self, label: str, attributes: Mapping[str, str] | None = None
    ) -> Translation | None:
        """The first rule that matches ``label`` and its product; ``None`` if none matches."""
        for rule in self.rules:
            match = rule.pattern.fullmatch(label)
            if match is not None:
                return Translation(rule, rule.apply(match, attributes or {}, self.boundaries))
        return None

    def matching(self, label: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.pattern.fullmatch(label) is not None]


# --- loading -------------------------------------------------------------------------------------


def load_rule_sets(
    boundaries: Mapping[str, Sequence[str]],
    directory: Path = RULES_DIR,
) -> dict[str, RuleSet]:
    """Every rule set in ``directory`` (one ``*.yaml`` file each), validated."""
    sets: dict[str, RuleSet] = {}
    ids: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        rule_set = _load_file(path, boundaries)
        if rule_set.name in sets:
            raise RuleError(f"{path.name}: rule set {rule_set.name!r} is defined twice")
        for rule in rule_set.rules:
            if rule.id in ids:
                raise RuleError(f"{path.name}: rule id {rule.id!r} is also in {ids[rule.id]}")
            ids[rule.id] = path.name
        sets[rule_set.name] = rule_set
    return sets


def _load_file(path: Path, boundaries: Mapping[str, Sequence[str]]) -> RuleSet:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    if not isinstance(data, dict) or set(data) - {*_FILE_KEYS, "anchors"}:
        raise RuleError(f"{where}: expected {', '.join(_FILE_KEYS)} and anchors")
    name = _text(data.get("rule_set"), f"{where}: rule_set")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise RuleError(f"{where}: defaults must be a mapping")
    rules = [_load_rule(item, name, defaults, boundaries, where) for item in data["rules"] or []]
    literal: dict[str, str] = {}
    for rule in rules:
        for label in rule.labels:
            if label in literal:
                raise RuleError(f"{where}: label {label!r} is in {literal[label]} and {rule.id}")
            literal[label] = rule.id
    return RuleSet(name, rules, boundaries, str(data.get("description") or ""))


def _load_rule(
    item: Any,
    rule_set: str,
    defaults: Mapping[str, Any],
    boundaries: Mapping[str, Sequence[str]],
    where: str,
) -> Rule:
    if not isinstance(item, dict):
        raise RuleError(f"{where}: a rule must be a mapping, got {item!r}")
    rule_id = _text(item.get("id"), f"{where}: rule id")
    where = f"{where}: rule {rule_id}"
    unknown = set(item) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    if ("label" in item) == ("pattern" in item):
        raise RuleError(f"{where}: give exactly one of label and pattern")
    labels: tuple[str, ...] = ()
    if "label" in item:
        raw = item["label"]
        labels = tuple(
            _text(x, f"{where}: label") for x in (raw if isinstance(raw, list) else [raw])
        )
        if len(set(labels)) != len(labels):
            raise RuleError(f"{where}: a label is listed twice")
        source = "|".join(re.escape(label) for label in labels)
    else:
        source = _text(item["pattern"], f"{where}: pattern")
    try:
        pattern = re.compile(source)
    except re.error as exc:
        raise RuleError(f"{where}: bad pattern: {exc}") from exc

    known = set(pattern.groupindex)
    derive: list[tuple[str, tuple[Step, ...]]] = []
    raw_derive = item.get("derive") or {}
    if not isinstance(raw_derive, dict):
        raise RuleError(f"{where}: derive must be a mapping")
    for name, raw_steps in raw_derive.items():
        steps = raw_steps if isinstance(raw_steps, list) else [raw_steps]
        if not steps:
            raise RuleError(f"{where}: variable {name} has no step")
        derive.append((str(name), tuple(_load_step(s, known, f"{where}: {name}") for s in steps)))
        known.add(str(name))

    product = _load_product({**defaults, **(item.get("product") or {})}, boundaries, where)
    used = {name for key in _PRODUCT_FIELDS for name in placeholders(product[key])}
    for value in product["attributes"].values():
        used |= placeholders(value)
    if "tier" in product:
        used |= placeholders(product["tier"]["number"])
    missing = used - known
    if missing:
        raise RuleError(f"{where}: unknown variables {sorted(missing)}")

    rule = Rule(
        id=rule_id,
        rule_set=rule_set,
        pattern=pattern,
        labels=labels,
        derive=tuple(derive),
        product=product,
        examples=(),
        why=str(item.get("why") or ""),
        path=where,
    )
    examples = tuple(_load_example(x, f"{where}: example") for x in item.get("examples") or [])
    if not examples and (rule.templated_fields() or not labels):
        raise RuleError(f"{where}: a rule whose product depends on the label needs examples")
    return replace(rule, examples=examples)


def _load_step(raw: Any, known: set[str], where: str) -> Step:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: a step must be a mapping, got {raw!r}")
    keys = set(raw)
    if keys == {"value"}:
        return Step(template=_template(raw["value"], known, where))
    if keys == {"attribute"}:
        return Step(attribute=_text(raw["attribute"], where))
    source = str(raw.get("from", ""))
    if source not in known:
        raise RuleError(f"{where}: step reads unknown variable {source!r}")
    if keys == {"from", "map"} and isinstance(raw["map"], dict):
        mapping = {
            _text(k, where, empty=True): _text(v, where, empty=True) for k, v in raw["map"].items()
        }
        return Step(source=source, mapping=mapping)
    if keys == {"from", "search", "value"}:
        try:
            search = re.compile(_text(raw["search"], where))
        except re.error as exc:
            raise RuleError(f"{where}: bad search pattern: {exc}") from exc
        template = _template(raw["value"], known | set(search.groupindex), where)
        return Step(source=source, search=search, template=template)
    raise RuleError(f"{where}: unknown step {raw!r}")


def _load_product(
    raw: Mapping[str, Any], boundaries: Mapping[str, Sequence[str]], where: str
) -> dict[str, Any]:
    unknown = set(raw) - _PRODUCT_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown product keys {sorted(unknown)}")
    product: dict[str, Any] = {
        "service": _text(raw.get("service"), f"{where}: service"),
        "family": _text(raw.get("family"), f"{where}: family"),
        "unit": _text(raw.get("unit"), f"{where}: unit"),
        "usage_type": _text(raw.get("usage_type", ""), where, empty=True),
        "tier_start": _text(raw.get("tier_start", "0"), where),
        "tier_end": _text(raw.get("tier_end", ""), where, empty=True),
    }
    attributes = raw.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise RuleError(f"{where}: attributes must be a mapping")
    product["attributes"] = {
        _text(key, where): _text(value, f"{where}: attribute {key}", empty=True)
        for key, value in attributes.items()
    }
    if "tier" in raw:
        tier = raw["tier"]
        if not isinstance(tier, dict) or set(tier) != {"boundaries", "number"}:
            raise RuleError(f"{where}: tier needs boundaries and number")
        if tier["boundaries"] not in boundaries:
            raise RuleError(f"{where}: unknown tier boundaries {tier['boundaries']!r}")
        if "tier_start" in raw or "tier_end" in raw:
            raise RuleError(f"{where}: give tier or tier_start/tier_end, not both")
        product["tier"] = {
            "boundaries": str(tier["boundaries"]),
            "number": _text(tier["number"], where),
        }
    return product


def _load_example(raw: Any, where: str) -> Example:
    if not isinstance(raw, dict) or "label" not in raw or set(raw) - {"label", "product", "region"}:
        raise RuleError(f"{where}: an example has a label, product and optional region")
    product = raw.get("product") or {}
    if not isinstance(product, dict) or set(product) - _PRODUCT_KEYS:
        raise RuleError(f"{where}: example product keys must be product fields")
    normalised: dict[str, Any] = {
        key: _text(value, where, empty=True)
        for key, value in product.items()
        if key != "attributes"
    }
    if "attributes" in product:
        normalised["attributes"] = {
            _text(k, where): _text(v, where, empty=True) for k, v in product["attributes"].items()
        }
    return Example(
        label=_text(raw["label"], where),
        product=normalised,
        region=_text(raw.get("region", ""), where, empty=True),
    )


def _template(raw: Any, known: set[str], where: str) -> str:
    text = _text(raw, where, empty=True)
    missing = placeholders(text) - known
    if missing:
        raise RuleError(f"{where}: unknown variables {sorted(missing)}")
    return text


def _text(value: Any, where: str, *, empty: bool = False) -> str:
    """A YAML scalar as text. Integers are accepted (``0``, ``51200``); booleans and floats are
    refused, because YAML reads ``No`` as false and ``0.10`` loses its written form."""
    if isinstance(value, bool | float) or value is None:
        raise RuleError(f"{where}: expected a string, got {value!r} (quote it)")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or (not empty and not value):
        raise RuleError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def all_rules(rule_sets: Iterable[RuleSet]) -> list[Rule]:
    return [rule for rule_set in rule_sets for rule in rule_set.rules]
