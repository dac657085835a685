"""The label -> product rules (engine/pricing/rules/*.yaml), checked rule by rule against the
shared feeds: each rule matches the labels it claims and gives the product it says, no rule is
dead, no label is claimed by two rules, and no matched label goes unpriced."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from engine.pricing.builder import INPUTS, SOURCES, labelled_inputs, rule_sets
from engine.pricing.builder.readers import Record
from engine.pricing.builder.rules import Rule, RuleError, RuleSet, load_rule_sets
from tests.support.shared import SHARED, require_shared

pytestmark = pytest.mark.unit

RULE_SETS = rule_sets()
RULES: list[Rule] = [rule for rule_set in RULE_SETS.values() for rule in rule_set.rules]


@dataclass
class Feed:
    """Every record a rule set sees in the build (shipped regions), by label."""

    by_label: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))


@pytest.fixture(scope="module")
def feeds() -> dict[str, Feed]:
    source_dir = require_shared(SHARED / "pricing" / "MANIFEST.md").resolve().parent
    out: dict[str, Feed] = defaultdict(Feed)
    for labelled in labelled_inputs(source_dir):
        for record in labelled.records:
            out[labelled.rule_set[record.feed]].by_label[record.label].append(record)
    return out


def _expected(rule: Rule, overrides: dict[str, Any]) -> dict[str, Any]:
    expected = rule.literal_product()
    for key, value in overrides.items():
        if key == "attributes":
            expected["attributes"] = {**expected["attributes"], **value}
        else:
            expected[key] = value
    # An example states an optional attribute as "" when the label leaves it out.
    expected["attributes"] = {k: v for k, v in expected["attributes"].items() if v}
    expected.setdefault("tier_start", "0")
    expected.setdefault("tier_end", "")
    expected.setdefault("usage_type", "")
    return expected


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule_claims_its_labels_and_gives_its_product(rule: Rule, feeds: dict[str, Feed]) -> None:
    feed = feeds[rule.rule_set]
    rule_set = RULE_SETS[rule.rule_set]
    for label in rule.labels:
        assert label in feed.by_label, f"{rule.id}: label {label!r} is not in the feed"
    cases: list[tuple[str, dict[str, Any], str]] = [
        (label, {}, "") for label in rule.labels if not rule.templated_fields()
    ]
    cases += [(ex.label, dict(ex.product), ex.region) for ex in rule.examples]
    for label, overrides, region in cases:
        records = [r for r in feed.by_label.get(label, []) if not region or r.region == region]
        assert records, (
            f"{rule.id}: example {label!r} is not in the feed ({region or 'any region'})"
        )
        stated = {key for key in overrides if key != "attributes"}
        stated |= {f"attributes.{key}" for key in overrides.get("attributes", {})}
        assert rule.templated_fields() <= stated, (
            f"{rule.id}: example {label!r} must state {sorted(rule.templated_fields() - stated)}"
        )
        expected = _expected(rule, overrides)
        for record in records:
            translation = rule_set.translate(record.label, record.attributes)
            assert translation is not None and translation.rule is rule, (
                f"{label!r} is translated by "
                f"{translation.rule.id if translation else 'no rule'}, not {rule.id}"
            )
            assert translation.product is not None, f"{rule.id}: {label!r} gives no product"
            assert translation.product.as_dict() == expected, f"{rule.id}: {label!r}"


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule_is_not_dead(rule: Rule, feeds: dict[str, Feed]) -> None:
    """A rule that matches nothing shipped is either wrong or obsolete."""
    feed = feeds[rule.rule_set]
    for label, records in feed.by_label.items():
        match = rule.pattern.fullmatch(label)
        if match is None:
            continue
        if any(
            rule.apply(match, r.attributes, RULE_SETS[rule.rule_set].boundaries) for r in records
        ):
            return
    pytest.fail(f"{rule.id} prices no label of the {rule.rule_set} feed in the shipped regions")


@pytest.mark.parametrize("name", sorted(RULE_SETS))
def test_no_label_is_claimed_twice_or_left_unpriced(name: str, feeds: dict[str, Feed]) -> None:
    rule_set: RuleSet = RULE_SETS[name]
    twice: dict[str, list[str]] = {}
    unpriced: list[str] = []
    for label, records in feeds[name].by_label.items():
        rules = rule_set.matching(label)
        if len(rules) > 1:
            twice[label] = [rule.id for rule in rules]
        if rules:
            for record in records:
                translation = rule_set.translate(label, record.attributes)
                if translation is None or translation.product is None:
                    unpriced.append(f"{label} ({record.region or 'global'})")
    assert twice == {}, "labels claimed by more than one rule"
    assert unpriced == [], "labels a rule matches but cannot price (a derive step found no value)"


def test_every_rule_set_is_read_and_every_feed_has_rules() -> None:
    used = {feed.rule_set for spec in INPUTS for feed in spec.feeds}
    used |= {spec.rule_set for spec in INPUTS if spec.rule_set}
    assert used == set(RULE_SETS)
    for spec in INPUTS:
        for source in [feed.source for feed in spec.feeds] + ([spec.source] if spec.source else []):
            assert source in SOURCES, source


# --- the rule engine refuses malformed rules -----------------------------------------------------


def _load(tmp_path: Path, text: str) -> dict[str, RuleSet]:
    (tmp_path / "x.yaml").write_text(text)
    return load_rule_sets({"t": ["0", "10"]}, tmp_path)


GOOD = """
rule_set: x
defaults: {service: S, family: F, unit: Hrs}
rules:
  - id: x-a
    pattern: 'A (?P<n>[0-9]+)'
    product: {attributes: {n: '{n}', gone: ''}}
    examples: [{label: A 1, product: {attributes: {n: '1'}}}]
"""


def test_a_good_rule_file_loads_and_translates(tmp_path: Path) -> None:
    rule_set = _load(tmp_path, GOOD)["x"]
    translation = rule_set.translate("A 7")
    assert translation is not None and translation.product is not None
    assert translation.product.attributes == {"n": "7"}  # empty attributes are left out
    assert rule_set.translate("A x") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("product: {attributes: {n: '{n}', gone: ''}}", "product: {attributes: {n: No}}"),
            "quote",
        ),
        (("'{n}'", "'{m}'"), "unknown variables"),
        (("    examples: [{label: A 1, product: {attributes: {n: '1'}}}]\n", ""), "needs examples"),
        (("pattern: 'A (?P<n>[0-9]+)'", "pattern: 'A ('"), "bad pattern"),
        (("    pattern:", "    label: A 1\n    pattern:"), "exactly one of label and pattern"),
        (("    product:", "    prodcut: {}\n    product:"), "unknown keys"),
    ],
)
def test_malformed_rules_are_refused(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert change[0] in GOOD
    with pytest.raises(RuleError, match=message):
        _load(tmp_path, GOOD.replace(change[0], change[1]))


def test_rule_ids_are_unique_across_files(tmp_path: Path) -> None:
    (tmp_path / "y.yaml").write_text(GOOD.replace("rule_set: x", "rule_set: y"))
    with pytest.raises(RuleError, match="also in"):
        _load(tmp_path, GOOD)


def test_rule_files_may_share_yaml_anchors(tmp_path: Path) -> None:
    """``anchors`` holds YAML anchors for rules to share; the engine does not read it."""
    text = GOOD.replace(
        "rules:\n",
        "anchors:\n  attrs: &attrs {n: '{n}'}\nrules:\n",
    ).replace("product: {attributes: {n: '{n}', gone: ''}}", "product: {attributes: *attrs}")
    rule_set = _load(tmp_path, text)["x"]
    translation = rule_set.translate("A 2")
    assert translation is not None and translation.product is not None
    assert translation.product.attributes == {"n": "2"}
