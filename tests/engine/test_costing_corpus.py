"""Real-world plans and configurations of the shared corpus give complete estimates."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from engine.bench_estimate import configuration
from engine.errors import EngineInputError
from engine.result import build_result
from tests.engine.estimates import component, components, monthly, resource
from tests.engine.helpers import tree_files

pytestmark = pytest.mark.unit

PLANS = [
    "terracost/testdata/aws/terraform-plan.json",
    "terracost/testdata/aws/asg-plan.json",
    "terracost/testdata/aws/eks-plan.json",
    "terracost/examples/terraform-plan.json",
    "checkov/tests/terraform/runner/resources/plan/tfplan.json",
    "checkov/tests/terraform/runner/resources/plan_with_utf_16_encoding/tfplan.json",
    "checkov/tests/terraform/runner/resources/plan_with_deleted_resources/tfplan.json",
    "checkov/tests/terraform/runner/resources/plan_nested_child_modules_with_connections/tfplan.json",
    "terraform-json/testdata/basic/plan.json",
    "terraform-json/testdata/deep_module/plan.json",
    "terraform-json/testdata/moved_block/plan.json",
]


def plan_estimate(corpus: Path, name: str, region: str = "us-east-1") -> dict[str, Any]:
    path = corpus / name
    return build_result({path.name: path.read_bytes()}, region)


def _all_components(entry: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(entry.get("costComponents", []))
    for sub in entry.get("subresources", []):
        out.extend(_all_components(sub))
    return out


@pytest.mark.parametrize("name", PLANS)
def test_corpus_plan_gives_a_complete_estimate(corpus: Path, name: str) -> None:
    result = plan_estimate(corpus, name)
    assert set(result) == {
        "region", "source", "resources", "summary", "unknowns", "estimate",
        "projects", "modules", "warnings", "diff",
    }  # fmt: skip
    doc = result["estimate"]
    json.dumps(doc)  # JSON-serialisable as is
    # Every plan diffs against its prior state (empty for a first apply): past + diff = now.
    assert D(doc["pastTotalMonthlyCost"]) + D(doc["diffTotalMonthlyCost"]) == D(
        doc["totalMonthlyCost"]
    )
    assert result["diff"]["totalMonthlyCost"] == doc["totalMonthlyCost"]
    assert D(doc["totalMonthlyCost"]) >= 0 and D(doc["totalHourlyCost"]) >= 0
    summary = doc["summary"]
    managed = sum(1 for entry in result["resources"] if entry["mode"] == "managed")
    assert summary["totalDetectedResources"] == managed  # nothing silently dropped
    breakdown = doc["projects"][0]["breakdown"]
    listed = len(breakdown["resources"]) + len(breakdown["freeResources"])
    assert listed + len(breakdown["unsupportedResources"]) == managed
    total = D(0)
    for entry in breakdown["resources"]:
        for item in _all_components(entry):
            if item["priceNotFound"]:
                assert item["priceNotFoundReason"], item
                assert item["monthlyCost"] is None
            if item["monthlyCost"] is not None:
                assert D(item["monthlyCost"]) == D(item["price"]) * D(item["monthlyQuantity"])
                total += D(item["monthlyCost"])
    assert D(doc["totalMonthlyCost"]) == total


@pytest.mark.parametrize(
    "name",
    [
        "checkov/tests/terraform/runner/resources/plan/corrupted-tfplan.json",
        "terraform-json/testdata/invalid/plan.json",
    ],
)
def test_broken_corpus_files_still_fail_cleanly(corpus: Path, name: str) -> None:
    with pytest.raises(EngineInputError):
        plan_estimate(corpus, name)


def test_terracost_plan_regions_come_from_provider_configuration(corpus: Path) -> None:
    doc = plan_estimate(corpus, "terracost/testdata/aws/terraform-plan.json")["estimate"]
    lb = resource(doc, "aws_lb.example")
    assert lb["metadata"]["region"] == "eu-west-3"  # provider = aws.paris
    assert monthly(component(doc, "aws_lb.example", "Application load balancer")) == (
        D("0.02646") * 730  # eu-west-3 ALB hours, 2025 web feed
    )
    instance = "module.instance.aws_instance.example"
    assert resource(doc, instance)["metadata"]["region"] == "us-east-1"
    found = components(doc, instance)
    assert monthly(found["Instance usage (Linux/UNIX, on-demand, t2.xlarge)"]) == D("0.1856") * 730
    assert monthly(found["root_block_device/Storage (general purpose SSD, gp2)"]) == 8 * D("0.10")


def test_terracost_examples_plan(corpus: Path) -> None:
    doc = plan_estimate(corpus, "terracost/examples/terraform-plan.json")["estimate"]
    # provider "aws" is eu-west-1 in this plan; aws_instance.example uses aws.paris (eu-west-3)
    db = components(doc, "module.rds.aws_db_instance.db")
    assert monthly(db["Database instance (on-demand, Multi-AZ, db.t3.small)"]) == D("0.072") * 730
    assert monthly(db["Storage (general purpose SSD, gp2)"]) == 10 * D("0.253")
    volume = component(
        doc, "module.ec2.module.ebs.aws_ebs_volume.volume", "Storage (general purpose SSD, gp2)"
    )
    assert monthly(volume) == 20 * D("0.11")  # eu-west-1 gp2, 2023 Price List
    assert volume["priceSource"] == "terracost-eu-west-1"
    assert resource(doc, "aws_instance.example")["metadata"]["region"] == "eu-west-3"


def test_asg_plan_links_launch_template_and_configuration(corpus: Path) -> None:
    doc = plan_estimate(corpus, "terracost/testdata/aws/asg-plan.json")["estimate"]
    lt = components(doc, "module.magento.aws_autoscaling_group.lt")
    usage = lt[
        "module.magento.aws_launch_template.foobar/Instance usage (Linux/UNIX, on-demand, t3.large)"
    ]
    # The template asks for dedicated tenancy: there is no such price, and it says so.
    assert usage["hourlyQuantity"] == "2"
    assert usage["priceNotFound"] is True and "dedicated" in usage["priceNotFoundReason"]
    disk = lt[
        "module.magento.aws_launch_template.foobar/block_device_mapping[0]/Storage (general purpose SSD, gp2)"
    ]
    assert monthly(disk) == 2 * 20 * D("0.11")
    lc = components(doc, "module.magento[0].aws_autoscaling_group.lc[0]")
    assert any(name.startswith("module.magento.aws_launch_configuration.lc/") for name in lc)


def test_eks_plan(corpus: Path) -> None:
    doc = plan_estimate(corpus, "terracost/testdata/aws/eks-plan.json")["estimate"]
    assert (
        monthly(component(doc, "module.eks.aws_eks_cluster.example", "EKS cluster"))
        == D("0.10") * 730
    )
    nodes = components(doc, "module.eks.aws_eks_node_group.example")
    # With a launch template, the nodes are a sub-resource named after it (as in Infracost).
    template = "module.eks.aws_launch_template.foo"
    usage = nodes[f"{template}/Instance usage (Linux/UNIX, on-demand, t3.large)"]
    assert monthly(usage) == D("0.0912") * 730
    disk = nodes[f"{template}/block_device_mapping[0]/Storage (general purpose SSD, gp2)"]
    assert monthly(disk) == 200 * D("0.11")


def test_checkov_plan_uses_provider_defaults_for_computed_attributes(corpus: Path) -> None:
    doc = plan_estimate(corpus, "checkov/tests/terraform/runner/resources/plan/tfplan.json")[
        "estimate"
    ]
    # us-west-2 (the plan's provider); tenancy/storage_type are provider-computed defaults
    db = components(doc, "aws_db_instance.default")
    assert monthly(db["Database instance (on-demand, Single-AZ, db.t3.micro)"]) == D("0.017") * 730
    assert monthly(db["Storage (general purpose SSD, gp2)"]) == 20 * D("0.115")
    notes = resource(doc, "aws_db_instance.default")["metadata"]["notes"]
    assert any(note.startswith("storage_type: not set in the configuration") for note in notes)
    usage = component(
        doc, "aws_instance.web_host", "Instance usage (Linux/UNIX, on-demand, t2.nano)"
    )
    assert monthly(usage) == D("0.0058") * 730
    assert doc["summary"]["supportedResourceCounts"]["aws_neptune_cluster"] == 1


def test_terraform_aws_vpc_complete_example(corpus: Path) -> None:
    files = tree_files(corpus / "terraform-aws-vpc")
    result = build_result(files, "us-east-1", options={"root_module": "examples/complete"})
    doc = result["estimate"]
    # single_nat_gateway = true: one NAT gateway and one EIP, in the example's eu-west-1
    nat = component(doc, "module.vpc.aws_nat_gateway.this[0]", "NAT gateway")
    assert monthly(nat) == D("0.048") * 730
    eip = resource(doc, "module.vpc.aws_eip.nat[0]")
    assert eip["metadata"]["region"] == "eu-west-1"
    assert D(doc["totalMonthlyCost"]) == D("0.048") * 730 + D("0.005") * 730
    assert doc["summary"]["totalSupportedResources"] == 2
    assert result["unknowns"]  # counts from data sources stay reported in the inventory


def test_hundred_resource_configuration(corpus: Path) -> None:
    """The benchmark's configuration prices completely (timing is engine/bench_estimate.py's)."""
    result = build_result(configuration(100), "us-east-1")
    doc = result["estimate"]
    assert doc["summary"]["totalSupportedResources"] == 100
    assert doc["summary"]["totalUnsupportedResources"] == 0
    for entry in doc["projects"][0]["breakdown"]["resources"]:
        for item in _all_components(entry):
            assert not item["priceNotFound"], (entry["name"], item)
