"""The estimate in the engine's HTTP result: next to the unchanged inventory keys."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine import create_app
from engine.inventory import build_inventory
from engine.store import InMemoryEstimateStore
from tests.engine.helpers import SIMPLE_TF, build_tgz, post_estimate

pytestmark = pytest.mark.unit

USAGE = b"""version: 0.1
resource_usage:
  aws_nat_gateway.nat:
    monthly_data_processed_gb: 10
"""
TF = SIMPLE_TF + b'resource "aws_nat_gateway" "nat" {\n  subnet_id = "s"\n}\n'


def test_result_keeps_the_inventory_and_adds_the_estimate(client: FlaskClient) -> None:
    files = {"main.tf": TF, "infracost-usage.yml": USAGE}
    response = post_estimate(client, build_tgz(files))
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()["result"]
    inventory = build_inventory(files, "us-east-1")
    assert {key: result[key] for key in inventory} == inventory
    assert list(result) == [*inventory, "estimate"]
    estimate = result["estimate"]
    assert estimate["version"] == "0.2"
    nat = next(
        entry
        for entry in estimate["projects"][0]["breakdown"]["resources"]
        if entry["name"] == "aws_nat_gateway.nat"
    )
    data = next(item for item in nat["costComponents"] if item["name"] == "Data processed")
    assert D(data["monthlyCost"]) == 10 * D("0.045")
    # t3.micro x 2 + 8 GB gp2 x 2 + NAT hours + 10 GB processed
    expected = 2 * D("0.0104") * 730 + 2 * 8 * D("0.10") + D("0.045") * 730 + 10 * D("0.045")
    assert D(estimate["totalMonthlyCost"]) == expected


def test_options_usage_is_applied_and_validated(client: FlaskClient) -> None:
    bundle = build_tgz({"main.tf": TF})
    usage = {"resource_usage": {"aws_nat_gateway.nat": {"monthly_data_processed_gb": 100}}}
    response = post_estimate(client, bundle, options=json.dumps({"usage": usage}))
    assert response.status_code == 200
    estimate = response.get_json()["result"]["estimate"]
    assert estimate["metadata"]["usage"]["fromOptions"] is True
    assert D(estimate["totalMonthlyUsageCost"]) == 100 * D("0.045")

    bad = post_estimate(client, bundle, options=json.dumps({"usage": [1, 2]}))
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "invalid_option"


def test_unreadable_catalog_degrades_to_reported_missing_prices(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"this is not a database")
    app = create_app(
        {"TESTING": True, "ENGINE_CATALOG_PATH": str(broken)}, store=InMemoryEstimateStore()
    )
    try:
        response = post_estimate(app.test_client(), build_tgz({"main.tf": SIMPLE_TF}))
        assert response.status_code == 200
        estimate = response.get_json()["result"]["estimate"]
        assert estimate["metadata"]["catalog"]["error"]
        item = estimate["projects"][0]["breakdown"]["resources"][0]["costComponents"][0]
        assert item["priceNotFound"] is True
        assert item["priceNotFoundReason"].startswith("price catalog unavailable")
        assert estimate["totalMonthlyCost"] == "0"
    finally:
        app.extensions["engine"].service.shutdown()
