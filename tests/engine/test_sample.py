"""The README's sample (docs/examples/main.tf + infracost-usage.yml): its total as the README
quotes it, the example job document's, and each cost checked by hand against AWS's
us-east-1 list prices."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.result import build_result

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"

#: resource -> component -> monthly cost, each from its AWS list price (us-east-1).
HAND_CHECKED = {
    "aws_db_instance.main": {
        "Database instance (on-demand, Single-AZ, db.t3.micro)": "13.14",  # $0.018/h x 730
        "Storage (general purpose SSD, gp2)": "2.3",  # 20 GB x $0.115
    },
    "aws_instance.web[0]": {"Instance usage (Linux/UNIX, on-demand, t3.micro)": "7.592"},
    "aws_lambda_function.thumbnails": {
        "Requests": "0.4",  # 2 M requests x $0.20
        "Duration (first 6B)": "5.00001",  # 2 M x 0.3 s x 0.5 GB = 300,000 GB-s x $0.0000166667
    },
    "aws_lb.web": {
        "Application load balancer": "16.425",  # $0.0225/h x 730
        "Load balancer capacity units": "0.04",  # 5 GB processed = 5 LCU-hours x $0.008
    },
    "aws_nat_gateway.main": {"NAT gateway": "32.85"},  # $0.045/h x 730
}

pytestmark = pytest.mark.unit


def _components(resource: dict[str, Any]) -> dict[str, str]:
    found = {c["name"]: c["monthlyCost"] for c in resource.get("costComponents") or []}
    for sub in resource.get("subresources") or []:
        found |= _components(sub)
    return found


def test_the_sample_costs_what_the_readme_says() -> None:
    files = {name: (EXAMPLES / name).read_bytes() for name in ("main.tf", "infracost-usage.yml")}
    estimate = build_result(files, "us-east-1")["estimate"]
    quoted = re.search(
        r'`result\.estimate\.totalMonthlyCost` is `"([0-9.]+)"`', (ROOT / "README.md").read_text()
    )
    assert quoted is not None
    assert estimate["totalMonthlyCost"] == quoted.group(1)
    example = json.loads((EXAMPLES / "job-completed.json").read_text())
    assert example["result"]["estimate"]["totalMonthlyCost"] == quoted.group(1)
    resources = {r["name"]: r for p in estimate["projects"] for r in p["breakdown"]["resources"]}
    for address, expected in HAND_CHECKED.items():
        got = _components(resources[address])
        for name, cost in expected.items():
            assert Decimal(str(got[name])) == Decimal(cost), (address, name)
