"""Helpers for the cost-estimate tests: run a configuration, find resources and components."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from engine.result import build_result

HOURS = Decimal(730)


def estimate(
    tf: str,
    region: str = "us-east-1",
    *,
    usage: Mapping[str, Any] | None = None,
    files: Mapping[str, bytes] | None = None,
) -> dict[str, Any]:
    bundle = {"main.tf": tf.encode(), **(files or {})}
    options = {"usage": dict(usage)} if usage is not None else {}
    result: dict[str, Any] = build_result(bundle, region, options=options)["estimate"]
    return result


def resources(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    breakdown = doc["projects"][0]["breakdown"]
    return {entry["name"]: entry for entry in breakdown["resources"]}


def resource(doc: Mapping[str, Any], address: str) -> dict[str, Any]:
    found = resources(doc)
    assert address in found, f"{address} not priced; priced: {sorted(found)}"
    return found[address]


def _walk(entry: Mapping[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for component in entry.get("costComponents", []):
        yield path, component
    for sub in entry.get("subresources", []):
        yield from _walk(sub, f"{path}/{sub['name']}" if path else sub["name"])


def components(doc: Mapping[str, Any], address: str) -> dict[str, dict[str, Any]]:
    """``{"name"` or "subresource/name": component}`` for one resource."""
    out: dict[str, dict[str, Any]] = {}
    for path, component in _walk(resource(doc, address), ""):
        out[f"{path}/{component['name']}" if path else component["name"]] = component
    return out


def component(doc: Mapping[str, Any], address: str, name: str) -> dict[str, Any]:
    found = components(doc, address)
    assert name in found, f"{name!r} not in {sorted(found)}"
    return found[name]


def monthly(item: Mapping[str, Any]) -> Decimal:
    value = item["monthlyCost"]
    assert value is not None, item
    return Decimal(value)


def priced_ok(item: Mapping[str, Any]) -> None:
    assert item["priceNotFound"] is False, item.get("priceNotFoundReason")
