"""docs/pricing-catalog.md: its generated reference must describe the shipped catalog."""

from __future__ import annotations

import pytest

from engine.pricing import DEFAULT_CATALOG_PATH
from engine.pricing.builder import rule_sets
from engine.pricing.builder.reference import (
    DOCUMENT,
    END,
    generated_part,
    render,
    replace_generated,
)

pytestmark = pytest.mark.unit


def test_the_catalog_reference_matches_the_shipped_catalog() -> None:
    expected = render(DEFAULT_CATALOG_PATH, rule_sets())
    assert generated_part(DOCUMENT.read_text(encoding="utf-8")) == expected, (
        "docs/pricing-catalog.md is stale: run python -m engine pricing reference"
    )


def test_regenerating_keeps_the_hand_written_text() -> None:
    document = DOCUMENT.read_text(encoding="utf-8")
    again = replace_generated(document, generated_part(document))
    assert again == document
    assert again.rstrip().endswith(END)
