"""The shared terraform-aws-modules examples that use only local modules, planned as Terraform
would plan them.

Each ``examples/<repo>/<example>.json`` was worked out independently, by reading the code (and,
for the VPC and security-group examples, cross-checked with ``terraform test`` and a mocked
AWS provider): the exact managed resource instances ``terraform plan`` creates, with their
regions. The engine must produce exactly those, none more (no placeholder, nothing invented);
what Terraform would read from other data sources at plan time (``depends_on_data``) must be
listed as unknown, not priced. An oracle with ``registry`` is of an example that calls registry
modules: it is planned with them fetched from the local test registry (the versions
MANIFEST.txt maps the constraints to), and each call must have been given that version.
"""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.fetch.resolver import fetcher_for
from engine.inventory import Options, collect
from engine.result import build_result
from engine.terraform import plan_upload
from tests.engine.helpers import tree_files
from tests.support.module_fixtures import FetchFactory

pytestmark = pytest.mark.unit

ORACLES = Path(__file__).resolve().parent / "examples"
EXAMPLES = [
    # the ones that fetch from the local test registry use a (local) server
    pytest.param(path, marks=pytest.mark.integration, id=f"{path.parent.name}/{path.stem}")
    if '"registry"' in path.read_text()
    else pytest.param(path, id=f"{path.parent.name}/{path.stem}")
    for path in sorted(ORACLES.glob("*/*.json"))
]


@functools.cache
def _repository(corpus: Path, repo: str) -> dict[str, bytes]:
    return tree_files(corpus / "terraform-aws-modules" / repo)


def _oracle(path: Path) -> tuple[dict[str, Any], str, str]:
    spec = json.loads(path.read_text("utf-8"))
    repo, _, example = spec["example"].partition("/examples/")
    return spec, repo, example


@pytest.mark.parametrize("oracle", EXAMPLES)
def test_example_plans_exactly_what_terraform_would_create(
    corpus: Path, oracle: Path, request: pytest.FixtureRequest
) -> None:
    spec, repo, example = _oracle(oracle)
    files = _repository(corpus, repo)
    remote = None
    if spec.get("registry"):
        fetch_settings: FetchFactory = request.getfixturevalue("fetch_settings")
        remote = fetcher_for(fetch_settings()).resolver()
    [project] = plan_upload(
        files, region="us-east-1", root_module=f"examples/{example}", remote=remote
    )
    result = project.result
    fetched = {
        f"{m.source} {dict(m.detail)['constraint']}": dict(m.detail)["version"]
        for m in result.modules
        if "from_cache" in dict(m.detail)
    }
    assert fetched == spec.get("registry", {})
    got = {
        r.address: (r.effective_region("us-east-1") if r.provider.endswith("/aws") else None)
        for r in result.resources
        if r.mode == "managed"
    }
    assert sorted(got) == sorted(spec["resources"])
    assert got == spec["resources"]  # and each in its region
    unknown = {u.address for u in result.unknowns}
    for address in spec.get("depends_on_data", {}):
        base = address.split("[")[0] if address.endswith("]") else address
        assert base in unknown or address in unknown, address


def test_an_example_uploaded_alone_lists_its_module_as_leaving_the_upload(corpus: Path) -> None:
    example = corpus / "terraform-aws-modules/terraform-aws-vpc/examples/simple"
    result = collect(tree_files(example), "us-east-1")
    [unknown] = [u for u in result.unknowns if u.kind == "module"]
    assert unknown.address == "module.vpc"
    assert "leaves the upload" in unknown.reason
    assert [r for r in result.resources if r.mode == "managed"] == []


def test_a_whole_repository_gives_its_examples_as_projects(corpus: Path) -> None:
    files = _repository(corpus, "terraform-aws-vpc")
    projects = plan_upload(files, region="us-east-1")
    assert [p.path for p in projects] == sorted(
        f"examples/{p.name}"
        for p in (corpus / "terraform-aws-modules/terraform-aws-vpc/examples").iterdir()
    )


def test_the_eks_style_optional_attributes_price_the_node_group(corpus: Path) -> None:
    files = _repository(corpus, "terraform-aws-eks")
    result = build_result(
        files,
        "us-east-1",
        options={
            "root_module": "modules/eks-managed-node-group",
            "variables": {
                "cluster_name": "demo",
                "subnet_ids": ["subnet-1"],
                "instance_types": ["m5.large"],
            },
        },
    )
    groups = [r for r in result["resources"] if r["type"] == "aws_eks_node_group"]
    assert [g["address"] for g in groups] == ["aws_eks_node_group.this[0]"]


def test_the_issues_eks_example_prices_its_two_node_group_instances(corpus: Path) -> None:
    """The example issue 10 measured at $73/month (its managed node group, 2 x m5.large,
    priceNotFound: `capacity_type` came from an optional() attribute left unknown). Its
    node group now comes out of the module with its defaults filled in and is priced in the
    provider's region; the figures are AWS's list prices, checked by hand."""
    files = _repository(corpus, "terraform-aws-eks")
    result = build_result(files, "us-east-1", options={"root_module": "examples/karpenter"})
    resources = {
        r["name"]: r for p in result["estimate"]["projects"] for r in p["breakdown"]["resources"]
    }
    group = resources[
        'module.eks.module.eks_managed_node_group["karpenter"].aws_eks_node_group.this[0]'
    ]
    # m5.large, Linux on demand in eu-west-1: $0.107 an hour; 2 nodes x 730 hours.
    assert Decimal(group["monthlyCost"]) == Decimal("0.107") * 2 * 730
    assert resources["module.eks.aws_eks_cluster.this[0]"]["monthlyCost"] == "73"
    regions = {r["address"]: r["region"] for r in result["resources"]}
    assert regions["module.eks.aws_eks_cluster.this[0]"] == "eu-west-1"
    assert result["estimate"]["summary"].get("resources_not_expanded", 0) == 0


def test_options_select_root_and_values(corpus: Path) -> None:
    files = _repository(corpus, "terraform-aws-vpc")
    collected = collect(
        files, "us-east-1", Options(root_module="examples/simple", workspace="prod")
    )
    assert [p.path for p in collected.projects] == ["examples/simple"]
