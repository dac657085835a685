"""Plan JSON reading against the REAL plans of the shared corpus, plus synthetic edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import EngineInputError
from engine.inventory import build_inventory
from engine.plan import load_json, looks_like_plan, parse_plan

pytestmark = pytest.mark.unit

CHECKOV = "checkov/tests/terraform/runner/resources"

# Every JSON document in the corpus -> expected resource count or error code.
EXPECTED: dict[str, int | str] = {
    f"{CHECKOV}/plan/tfplan.json": 55,
    f"{CHECKOV}/plan/corrupted-tfplan.json": "not_a_plan",
    f"{CHECKOV}/plan_with_utf_16_encoding/tfplan.json": 3,
    f"{CHECKOV}/plan_with_deleted_resources/tfplan.json": 1,
    f"{CHECKOV}/plan_nested_child_modules_with_connections/tfplan.json": 9,
    "terracost/testdata/aws/terraform-plan.json": 2,
    "terracost/testdata/aws/asg-plan.json": 5,
    "terracost/testdata/aws/eks-plan.json": 3,
    "terracost/examples/terraform-plan.json": 5,
    "terraform-json/testdata/basic/plan.json": 8,
    "terraform-json/testdata/deep_module/plan.json": 1,
    "terraform-json/testdata/moved_block/plan.json": 1,
    "terraform-json/testdata/invalid/plan.json": "invalid_json",
}


# The corpus folders that hold plans; the module repositories beside them hold configurations
# (their few JSON files are data that examples read, not plans).
PLAN_FOLDERS = ("checkov", "terracost", "terraform-json")


def test_every_corpus_json_is_covered(corpus: Path) -> None:
    found = {
        path.relative_to(corpus).as_posix()
        for folder in PLAN_FOLDERS
        for path in (corpus / folder).rglob("*.json")
    }
    assert found == set(EXPECTED)


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_corpus_plan_gives_inventory_or_specific_error(corpus: Path, relative: str) -> None:
    expected = EXPECTED[relative]
    files = {"plan.json": (corpus / relative).read_bytes()}
    if isinstance(expected, str):
        with pytest.raises(EngineInputError) as caught:
            build_inventory(files, "us-east-1")
        assert caught.value.code == expected
        return
    inventory = build_inventory(files, "us-east-1")
    assert inventory["source"] == "plan"
    assert inventory["summary"]["resource_count"] == expected == len(inventory["resources"])
    addresses = [r["address"] for r in inventory["resources"]]
    assert addresses == sorted(addresses)
    assert all(r["provider"].startswith("registry.terraform.io/") for r in inventory["resources"])


def test_utf16_plan_with_bom_is_read_from_bytes(corpus: Path) -> None:
    data = (corpus / CHECKOV / "plan_with_utf_16_encoding/tfplan.json").read_bytes()
    assert data[:2] == b"\xff\xfe"
    document = load_json("tfplan.json", data)
    assert looks_like_plan(document)
    assert len(parse_plan(document).resources) == 3


def test_state_document_is_not_a_plan(corpus: Path) -> None:
    document = load_json("s.json", (corpus / CHECKOV / "plan/corrupted-tfplan.json").read_bytes())
    with pytest.raises(EngineInputError) as caught:
        parse_plan(document, "s.json")
    assert caught.value.code == "not_a_plan"
    assert "state" in caught.value.message


def test_nested_child_modules(corpus: Path) -> None:
    path = corpus / CHECKOV / "plan_nested_child_modules_with_connections/tfplan.json"
    result = parse_plan(load_json("p.json", path.read_bytes()))
    nested = [r for r in result.resources if r.module and r.module.count("module.") >= 2]
    assert nested, "expected resources two module levels deep"
    for resource in nested:
        assert resource.address.startswith(f"{resource.module}.")


def test_deep_module_and_short_provider_name(corpus: Path) -> None:
    path = corpus / "terraform-json/testdata/deep_module/plan.json"
    (resource,) = parse_plan(load_json("p.json", path.read_bytes())).resources
    assert resource.address == "module.foo.module.bar.null_resource.baz"
    assert resource.module == "module.foo.module.bar"
    assert resource.provider == "registry.terraform.io/hashicorp/null"


def test_replace_is_kept_but_pure_delete_is_skipped(corpus: Path) -> None:
    path = corpus / CHECKOV / "plan_with_deleted_resources/tfplan.json"
    document = load_json("p.json", path.read_bytes())
    # The corpus resource is a create-before-destroy replacement: it stays.
    assert document["resource_changes"][0]["change"]["actions"] == ["create", "delete"]
    assert [r.address for r in parse_plan(document).resources] == [
        "aws_secretsmanager_secret.default"
    ]
    document["resource_changes"][0]["change"]["actions"] = ["delete"]
    assert parse_plan(document).resources == []


def _plan(**overrides: object) -> dict[str, object]:
    resource = {
        "address": "aws_instance.web[0]",
        "mode": "managed",
        "type": "aws_instance",
        "name": "web",
        "index": 0,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "values": {"instance_type": "t3.micro"},
    }
    document: dict[str, object] = {
        "format_version": "1.2",
        "terraform_version": "1.5.0",
        "planned_values": {"root_module": {"resources": [resource]}},
        "resource_changes": [{"address": resource["address"], "change": {"actions": ["create"]}}],
    }
    document.update(overrides)
    return document


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.2", "1.10"])
def test_supported_format_versions(version: str) -> None:
    (resource,) = parse_plan(_plan(format_version=version)).resources
    assert resource.index == 0
    assert resource.attributes == {"instance_type": "t3.micro"}


@pytest.mark.parametrize("version", ["2.0", "0.0", "abc", 1.0, None])
def test_unsupported_format_versions(version: object) -> None:
    with pytest.raises(EngineInputError) as caught:
        parse_plan(_plan(format_version=version))
    assert caught.value.code == "unsupported_plan_version"


def test_resource_changes_only_plan_is_read() -> None:
    document = _plan(planned_values=None)
    document["resource_changes"] = [
        {
            "address": "aws_sqs_queue.q",
            "mode": "managed",
            "type": "aws_sqs_queue",
            "name": "q",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "after": {"name": "q"}},
        },
        {
            "address": "aws_sqs_queue.gone",
            "mode": "managed",
            "type": "aws_sqs_queue",
            "name": "gone",
            "change": {"actions": ["delete"], "after": None},
        },
    ]
    assert [r.address for r in parse_plan(document).resources] == ["aws_sqs_queue.q"]


def test_utf8_bom_plan() -> None:
    data = b"\xef\xbb\xbf" + json.dumps(_plan()).encode()
    inventory = build_inventory({"plan.json": data}, "eu-west-1")
    assert inventory["summary"]["resource_count"] == 1
