"""Golden tests: one folder per priced resource type under ``tests/engine/testdata/<type>/``.

Each folder holds ``main.tf`` (the resources, with a ``provider "aws"`` block saying the
region), an optional ``usage.yml`` (an Infracost usage file) and ``expected.json``: per
resource and cost component its name, unit, monthly quantity, price and monthly cost, as the
engine computes them. The test recomputes every folder and compares.

To regenerate after a deliberate change::

    TFQUOTE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/engine/test_golden.py

then review every changed number in ``git diff`` against the AWS price it came from (each
component names its ``priceSource`` and ``priceEffectiveDate``; docs/adding-a-resource.md
says how). A regenerated file is never committed unreviewed.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

import pytest

from engine.costing import calendar
from engine.result import build_result

pytestmark = pytest.mark.unit

TESTDATA = Path(__file__).resolve().parent / "testdata"
FOLDERS = sorted(path for path in TESTDATA.iterdir() if (path / "main.tf").exists())
UPDATE = os.environ.get("TFQUOTE_UPDATE_GOLDEN", "") not in ("", "0", "false")


def _components(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("name", "unit", "monthlyQuantity", "price", "monthlyCost", "usageBased")
    out = []
    for entry in entries:
        item = {key: entry[key] for key in keep if key in entry}
        if entry.get("priceNotFound"):
            item["priceNotFound"] = entry.get("priceNotFoundReason", True)
        if entry.get("usageSource"):
            item["usageSource"] = entry["usageSource"]
        out.append(item)
    return out


def _resource(entry: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": entry["name"],
        "monthlyCost": entry["monthlyCost"],
        "components": _components(entry["costComponents"]),
    }
    if entry.get("subresources"):
        out["subresources"] = [_resource(sub) for sub in entry["subresources"]]
    return out


def golden_view(result: dict[str, Any]) -> dict[str, Any]:
    """The parts of a result a golden file pins (stable, and what a reviewer checks)."""
    estimate = result["estimate"]
    breakdown = estimate["projects"][0]["breakdown"]
    return {
        "totalMonthlyCost": estimate["totalMonthlyCost"],
        "resources": [_resource(entry) for entry in breakdown["resources"]],
        "free": sorted(entry["name"] for entry in breakdown["freeResources"]),
        "unsupported": sorted(entry["name"] for entry in breakdown["unsupportedResources"]),
        "warnings": estimate["metadata"].get("warnings", []),
    }


def run_folder(folder: Path) -> dict[str, Any]:
    files = {"main.tf": (folder / "main.tf").read_bytes()}
    if (folder / "usage.yml").exists():
        files["infracost-usage.yml"] = (folder / "usage.yml").read_bytes()
    return golden_view(build_result(files, "us-east-1"))


#: The day the golden files were reviewed: extended-support charges follow AWS's calendars.
REVIEWED_ON = datetime.date(2026, 12, 1)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda path: path.name)
def test_golden(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendar, "today", lambda: REVIEWED_ON)
    actual = run_folder(folder)
    expected_path = folder / "expected.json"
    if UPDATE:
        expected_path.write_text(json.dumps(actual, indent=2, sort_keys=False) + "\n", "utf-8")
        return
    assert expected_path.exists(), f"no expected.json: run with TFQUOTE_UPDATE_GOLDEN=1 ({folder})"
    assert actual == json.loads(expected_path.read_text("utf-8"))
