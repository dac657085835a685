"""Inventory assembly: input selection (plan vs HCL), the exact output shape, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import EngineInputError
from engine.inventory import build_inventory
from tests.engine.helpers import SIMPLE_TF

pytestmark = pytest.mark.unit


def test_hcl_inventory_shape() -> None:
    files = {
        "main.tf": SIMPLE_TF + b'data "aws_ami" "a" {}\n',
        "README.md": b"# not terraform",
    }
    inventory = build_inventory(files, "us-east-1")
    assert inventory == {
        "region": "us-east-1",
        "source": "hcl",
        "resources": [
            {
                "address": "aws_instance.web[0]",
                "type": "aws_instance",
                "name": "web",
                "mode": "managed",
                "provider": "registry.terraform.io/hashicorp/aws",
                "region": "us-east-1",
                "project": ".",
            },
            {
                "address": "aws_instance.web[1]",
                "type": "aws_instance",
                "name": "web",
                "mode": "managed",
                "provider": "registry.terraform.io/hashicorp/aws",
                "region": "us-east-1",
                "project": ".",
            },
            {
                "address": "data.aws_ami.a",
                "type": "aws_ami",
                "name": "a",
                "mode": "data",
                "provider": "registry.terraform.io/hashicorp/aws",
                "region": "us-east-1",
                "project": ".",
            },
        ],
        "summary": {
            "resource_count": 3,
            "by_type": {"aws_ami": 1, "aws_instance": 2},
            "by_mode": {"managed": 2, "data": 1},
            "projects": 1,
            "resources_not_expanded": 0,
            "modules_not_expanded": 0,
        },
        "unknowns": [],
        "projects": [{"path": ".", "resource_count": 3}],
        "modules": [],
        "warnings": [],
    }
    json.dumps(inventory)  # the result must be JSON-serialisable as is


def test_plan_wins_over_hcl(corpus: Path) -> None:
    plan = (corpus / "terracost/testdata/aws/eks-plan.json").read_bytes()
    inventory = build_inventory({"main.tf": SIMPLE_TF, "out/plan.json": plan}, "us-east-1")
    assert inventory["source"] == "plan"
    assert inventory["summary"]["resource_count"] == 3


def test_tf_json_and_tfvars_json_are_not_plans() -> None:
    files = {
        "main.tf.json": json.dumps({"resource": {"aws_sqs_queue": {"q": {}}}}).encode(),
        "x.tfvars.json": b"{}",
        "policy.json": b'{"Version": "2012-10-17"}',
    }
    inventory = build_inventory(files, "us-east-1")
    assert inventory["source"] == "hcl"
    assert [r["address"] for r in inventory["resources"]] == ["aws_sqs_queue.q"]


def test_broken_unrelated_json_does_not_block_hcl() -> None:
    inventory = build_inventory({"main.tf": SIMPLE_TF, "junk.json": b"{oops"}, "us-east-1")
    assert inventory["source"] == "hcl"


def test_invalid_json_alone_is_invalid_json() -> None:
    with pytest.raises(EngineInputError) as caught:
        build_inventory({"plan.json": b"{oops"}, "us-east-1")
    assert caught.value.code == "invalid_json"


@pytest.mark.parametrize(
    "files",
    [{}, {"README.md": b"hi"}, {"vars.tfvars": b"a = 1\n"}, {"data.json": b'{"a": 1}'}],
    ids=["empty", "readme", "tfvars-only", "plain-json"],
)
def test_no_terraform(files: dict[str, bytes]) -> None:
    with pytest.raises(EngineInputError) as caught:
        build_inventory(files, "us-east-1")
    assert caught.value.code == "no_terraform"


def test_additional_plans_are_reported(corpus: Path) -> None:
    plan = (corpus / "terracost/testdata/aws/eks-plan.json").read_bytes()
    inventory = build_inventory({"a.json": plan, "b.json": plan}, "us-east-1")
    assert inventory["unknowns"] == [
        {
            "address": "b.json",
            "reason": "additional plan file ignored; a.json was used",
            "kind": "configuration",
            "project": "a.json",
        }
    ]
