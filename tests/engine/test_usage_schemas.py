"""Every priced type honours every usage key Infracost documents for it.

The documented keys are Infracost's own usage-file reference
(``../shared/corpus/infracost-usage/infracost-usage-example.yml``); each priced type declares
its usage schema next to its cost function (``@priced(..., usage=...)``).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from engine.costing import registry
from tests.support.shared import SHARED, require_shared

pytestmark = pytest.mark.unit

EXAMPLE = SHARED / "corpus" / "infracost-usage" / "infracost-usage-example.yml"


def _documented() -> dict[str, set[str]]:
    document: Any = yaml.safe_load(require_shared(EXAMPLE).read_text("utf-8"))
    keys: dict[str, set[str]] = {}
    sections = [
        *document.get("resource_type_default_usage", {}).items(),
        *(
            (address.split(".")[0], values)
            for address, values in document["resource_usage"].items()
        ),
    ]
    for resource_type, values in sections:
        if resource_type.startswith("aws_") and isinstance(values, dict):
            keys.setdefault(resource_type, set()).update(values)
    return keys


def test_priced_types_declare_every_documented_usage_key() -> None:
    types = registry.load()
    missing: dict[str, list[str]] = {}
    for resource_type, keys in _documented().items():
        declared = types.get(resource_type)
        if declared is None or declared.usage is None:
            continue
        absent = sorted(keys - {item.key for item in declared.usage})
        if absent:
            missing[resource_type] = absent
    assert not missing


def test_every_priced_type_declares_its_usage_schema() -> None:
    undeclared = sorted(name for name, entry in registry.load().items() if entry.usage is None)
    assert len(undeclared) <= UNDECLARED_AT_MOST, undeclared


#: Lowered as families declare their schemas; must reach 0.
UNDECLARED_AT_MOST = 0
