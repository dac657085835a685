"""Static HCL reading: count/for_each expansion, variables, data sources, modules, unknowns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import EngineInputError
from engine.hcl import normalise_hcl2, read_hcl
from engine.hclexpr import Expr
from tests.engine.helpers import tree_files

pytestmark = pytest.mark.unit


def addresses(files: dict[str, bytes], root: str | None = None) -> list[str]:
    return sorted(resource.address for resource in read_hcl(files, root).resources)


def unknowns(files: dict[str, bytes], root: str | None = None) -> dict[str, str]:
    return {u.address: u.reason for u in read_hcl(files, root).unknowns}


def test_normalisation_strips_python_hcl2_quotes_in_one_place() -> None:
    raw = {
        "resource": [
            {
                '"aws_instance"': {
                    '"web"': {
                        "ami": '"ami-1"',
                        "esc": '"a\\"b"',
                        "count": "${var.n}",
                        "name": '"web-${var.env}"',
                        "tags": {'"Name"': '"x"', "Env": '"$${literal}"'},
                        "__is_block__": True,
                    }
                }
            }
        ]
    }
    body = normalise_hcl2(raw)["resource"][0]["aws_instance"]["web"]
    assert body["ami"] == "ami-1"
    assert body["esc"] == 'a"b'
    assert body["count"] == Expr("var.n")
    assert body["name"] == Expr('"web-${var.env}"')
    assert body["tags"] == {"Name": "x", "Env": "${literal}"}
    assert "__is_block__" not in body


def test_literal_count_expands_to_indexed_addresses() -> None:
    files = {"main.tf": b'resource "aws_instance" "web" {\n  count = 3\n  ami = "a"\n}\n'}
    result = read_hcl(files)
    assert [r.address for r in result.resources] == [
        "aws_instance.web[0]",
        "aws_instance.web[1]",
        "aws_instance.web[2]",
    ]
    first = result.resources[0]
    assert (first.type, first.name, first.mode, first.index) == (
        "aws_instance",
        "web",
        "managed",
        0,
    )
    assert first.provider == "registry.terraform.io/hashicorp/aws"
    assert first.module is None
    assert first.attributes == {"ami": "a"}
    assert result.unknowns == []


def test_count_zero_gives_no_instances() -> None:
    files = {"main.tf": b'resource "aws_instance" "web" {\n  count = 0\n}\n'}
    assert addresses(files) == []


def test_for_each_over_literal_map() -> None:
    files = {
        "main.tf": b"""
resource "aws_s3_bucket" "b" {
  for_each = { logs = "l", "data-1" = "d" }
  bucket   = each.value
}
"""
    }
    result = read_hcl(files)
    assert [r.address for r in result.resources] == [
        'aws_s3_bucket.b["data-1"]',
        'aws_s3_bucket.b["logs"]',
    ]
    assert result.resources[0].index == "data-1"
    assert result.resources[0].attributes["bucket"] == "d"


def test_for_each_over_set_and_list_of_strings() -> None:
    files = {
        "main.tf": b"""
resource "aws_iam_user" "u" {
  for_each = toset(["bob", "alice", "bob"])
  name     = each.key
}
resource "aws_iam_group" "g" {
  for_each = ["ops", "dev"]
}
"""
    }
    assert addresses(files) == [
        'aws_iam_group.g["dev"]',
        'aws_iam_group.g["ops"]',
        'aws_iam_user.u["alice"]',
        'aws_iam_user.u["bob"]',
    ]


def test_count_from_variable_default_and_tfvars_override() -> None:
    config = b"""
variable "n" {
  type    = number
  default = 2
}
variable "names" {
  default = ["a"]
}
resource "aws_instance" "web" {
  count         = var.n
  instance_type = "t3.${var.size}"
}
resource "aws_eip" "ip" {
  for_each = toset(var.names)
}
variable "size" {
  default = "micro"
}
"""
    assert addresses({"main.tf": config}) == [
        'aws_eip.ip["a"]',
        "aws_instance.web[0]",
        "aws_instance.web[1]",
    ]
    overridden = {
        "main.tf": config,
        "terraform.tfvars": b'n = 4\nnames = ["x", "y"]\n',
        "prod.auto.tfvars.json": json.dumps({"n": 3, "size": "large"}).encode(),
    }
    result = read_hcl(overridden)
    assert sorted(r.address for r in result.resources) == [
        'aws_eip.ip["x"]',
        'aws_eip.ip["y"]',
        "aws_instance.web[0]",
        "aws_instance.web[1]",
        "aws_instance.web[2]",
    ]
    web = next(r for r in result.resources if r.type == "aws_instance")
    assert web.attributes["instance_type"] == "t3.large"


def test_conditional_count_with_locals() -> None:
    files = {
        "main.tf": b"""
variable "enabled" { default = true }
locals {
  create = var.enabled && length(local.azs) > 1
  azs    = ["a", "b", "c"]
}
resource "aws_nat_gateway" "this" {
  count = local.create ? length(local.azs) : 0
}
"""
    }
    assert addresses(files) == [
        "aws_nat_gateway.this[0]",
        "aws_nat_gateway.this[1]",
        "aws_nat_gateway.this[2]",
    ]


def test_data_source_mode_and_address() -> None:
    files = {
        "main.tf": b"""
data "aws_ami" "ubuntu" {
  most_recent = true
}
data "aws_subnet" "s" {
  count = 2
}
"""
    }
    result = read_hcl(files)
    assert [r.address for r in result.resources] == [
        "data.aws_ami.ubuntu",
        "data.aws_subnet.s[0]",
        "data.aws_subnet.s[1]",
    ]
    assert {r.mode for r in result.resources} == {"data"}
    assert result.resources[0].attributes == {"most_recent": True}


def test_unresolved_count_keeps_one_instance_and_reports_it() -> None:
    files = {
        "main.tf": b"""
data "aws_availability_zones" "available" {}
variable "no_default" {}
resource "aws_subnet" "private" {
  count = length(data.aws_availability_zones.available.names)
}
resource "aws_instance" "x" {
  count = var.no_default
}
resource "aws_eip" "y" {
  for_each = toset(data.aws_availability_zones.available.names)
}
"""
    }
    result = read_hcl(files)
    assert sorted(r.address for r in result.resources) == [
        "aws_eip.y",
        "aws_instance.x",
        "aws_subnet.private",
        "data.aws_availability_zones.available",
    ]
    reasons = {u.address: u.reason for u in result.unknowns}
    assert set(reasons) == {"aws_subnet.private", "aws_instance.x", "aws_eip.y"}
    assert "data.aws_availability_zones.available" in reasons["aws_subnet.private"]
    assert reasons["aws_subnet.private"].startswith("count")
    assert "var.no_default" in reasons["aws_instance.x"]
    assert reasons["aws_eip.y"].startswith("for_each")


def test_local_module_is_loaded_with_prefix_and_arguments() -> None:
    files = {
        "main.tf": b"""
module "web" {
  source   = "./modules/web"
  replicas = 2
}
module "web_set" {
  source   = "./modules/web"
  for_each = toset(["a"])
  replicas = 1
}
""",
        "modules/web/main.tf": b"""
variable "replicas" { default = 5 }
resource "aws_instance" "this" {
  count = var.replicas
}
module "inner" {
  source = "../inner"
}
""",
        "modules/inner/main.tf": b'resource "aws_sqs_queue" "q" {}\n',
    }
    result = read_hcl(files)
    assert sorted(r.address for r in result.resources) == [
        "module.web.aws_instance.this[0]",
        "module.web.aws_instance.this[1]",
        "module.web.module.inner.aws_sqs_queue.q",
        'module.web_set["a"].aws_instance.this[0]',
        'module.web_set["a"].module.inner.aws_sqs_queue.q',
    ]
    queue = next(r for r in result.resources if r.type == "aws_sqs_queue")
    assert queue.module == "module.web.module.inner"
    assert result.unknowns == []


def test_module_sources_that_cannot_be_followed_are_unknowns() -> None:
    files = {
        "main.tf": b"""
module "remote" {
  source = "terraform-aws-modules/vpc/aws"
}
module "outside" {
  source = "../../elsewhere"
}
module "missing" {
  source = "./nope"
}
module "loop" {
  source = "./loop"
}
""",
        "loop/main.tf": b'module "again" {\n  source = "./"\n}\nresource "aws_sqs_queue" "q" {}\n',
    }
    result = read_hcl(files)
    reasons = {u.address: u.reason for u in result.unknowns}
    assert "not local" in reasons["module.remote"]
    assert "leaves the bundle" in reasons["module.outside"]
    assert "not in the bundle" in reasons["module.missing"]
    assert "cycle" in reasons["module.loop.module.again"]
    assert [r.address for r in result.resources] == ["module.loop.aws_sqs_queue.q"]


def test_module_depth_is_limited() -> None:
    files = {
        f"m{i}/main.tf": f'module "n" {{\n  source = "../m{i + 1}"\n}}\n'.encode()
        for i in range(20)
    }
    files["main.tf"] = b'module "n" {\n  source = "./m0"\n}\n'
    files["m20/main.tf"] = b'resource "aws_sqs_queue" "deep" {}\n'
    result = read_hcl(files)
    assert result.resources == []
    assert any("deeper than 16" in u.reason for u in result.unknowns)


def test_provider_meta_argument_and_required_providers() -> None:
    files = {
        "main.tf": b"""
terraform {
  required_providers {
    aws  = { source = "hashicorp/aws" }
    mycloud = { source = "example.com/acme/mycloud" }
  }
}
resource "aws_instance" "east" {}
resource "aws_instance" "west" {
  provider = aws.west
}
resource "mycloud_server" "s" {}
resource "random_pet" "p" {}
"""
    }
    providers = {r.address: r.provider for r in read_hcl(files).resources}
    assert providers == {
        "aws_instance.east": "registry.terraform.io/hashicorp/aws",
        "aws_instance.west": "registry.terraform.io/hashicorp/aws",
        "mycloud_server.s": "example.com/acme/mycloud",
        "random_pet.p": "registry.terraform.io/hashicorp/random",
    }


def test_terraform_json_syntax() -> None:
    document = {
        "variable": {"n": {"default": 2}},
        "resource": {
            "aws_instance": {"web": {"count": "${var.n}", "instance_type": "t3.micro"}},
            "aws_s3_bucket": {"logs": [{"bucket": "logs"}]},
        },
        "data": {"aws_region": {"current": {}}},
    }
    files = {"main.tf.json": json.dumps(document).encode()}
    result = read_hcl(files)
    assert sorted(r.address for r in result.resources) == [
        "aws_instance.web[0]",
        "aws_instance.web[1]",
        "aws_s3_bucket.logs",
        "data.aws_region.current",
    ]


def test_override_files_merge_into_the_original_block() -> None:
    files = {
        "main.tf": b'resource "aws_instance" "web" {\n  count = 1\n  ami = "a"\n}\n',
        "main_override.tf": b'resource "aws_instance" "web" {\n  count = 2\n}\n',
    }
    result = read_hcl(files)
    assert [r.address for r in result.resources] == ["aws_instance.web[0]", "aws_instance.web[1]"]
    assert result.resources[0].attributes == {"ami": "a"}


@pytest.mark.parametrize(
    "content",
    [
        b'resource "aws_instance" "web" {\n  ami = \n}\n',
        b'resource "aws_instance" "web" {\n',
        b"}}}\n",
    ],
    ids=["missing-value", "unclosed-block", "stray-braces"],
)
def test_syntax_error_names_the_file(content: bytes) -> None:
    files = {"ok.tf": b'resource "aws_sqs_queue" "q" {}\n', "broken.tf": content}
    with pytest.raises(EngineInputError) as caught:
        read_hcl(files)
    assert caught.value.code == "hcl_parse_error"
    assert caught.value.message.startswith("broken.tf: ")
    assert len(caught.value.message) < 300


def test_invalid_utf8_and_bad_tf_json_are_parse_errors() -> None:
    with pytest.raises(EngineInputError) as caught:
        read_hcl({"main.tf": b"\xff\xfe\x00bad"})
    assert caught.value.code == "hcl_parse_error"
    with pytest.raises(EngineInputError) as caught:
        read_hcl({"main.tf.json": b"{nope"})
    assert caught.value.code == "hcl_parse_error"
    assert caught.value.message.startswith("main.tf.json: ")


def test_huge_count_is_not_expanded() -> None:
    files = {"main.tf": b'resource "aws_instance" "web" {\n  count = 100000000\n}\n'}
    result = read_hcl(files)
    assert [r.address for r in result.resources] == ["aws_instance.web"]
    assert "expansion limit" in result.unknowns[0].reason


def test_root_defaults_to_shallowest_directory(tmp_path: Path) -> None:
    files = {
        "infra/main.tf": b'resource "aws_sqs_queue" "root" {}\n',
        "infra/modules/x/main.tf": b'resource "aws_sqs_queue" "unused" {}\n',
    }
    assert addresses(files) == ["aws_sqs_queue.root"]
    assert addresses(files, root="infra/modules/x") == ["aws_sqs_queue.unused"]
    with pytest.raises(EngineInputError) as caught:
        read_hcl(files, root="nowhere")
    assert caught.value.code == "no_terraform"


# --- the real terraform-aws-vpc module from the corpus ------------------------------------------


@pytest.fixture(scope="module")
def vpc_files(corpus: Path) -> dict[str, bytes]:
    return tree_files(corpus / "terraform-aws-vpc")


def test_vpc_root_module_with_defaults(vpc_files: dict[str, bytes]) -> None:
    # With default variables the module creates the VPC and manages the default SG/ACL/RT;
    # every subnet list is empty, so no subnets, gateways or NATs.
    assert addresses(vpc_files) == [
        "aws_default_network_acl.this[0]",
        "aws_default_route_table.default[0]",
        "aws_default_security_group.this[0]",
        "aws_vpc.this[0]",
    ]


def test_vpc_complete_example(vpc_files: dict[str, bytes]) -> None:
    result = read_hcl(vpc_files, "examples/complete")
    found = {r.address: r for r in result.resources}
    # single_nat_gateway = true -> exactly one NAT gateway and one EIP, as the manifest says.
    assert [a for a in found if ".aws_nat_gateway." in a] == ["module.vpc.aws_nat_gateway.this[0]"]
    assert [a for a in found if ".aws_eip." in a] == ["module.vpc.aws_eip.nat[0]"]
    assert "module.vpc.aws_vpn_gateway.this[0]" in found
    assert {a for a in found if "aws_customer_gateway" in a} == {
        'module.vpc.aws_customer_gateway.this["IP1"]',
        'module.vpc.aws_customer_gateway.this["IP2"]',
        'module.vpc.aws_customer_gateway.this["IP3"]',
    }
    # manage_default_* = false in the example.
    assert not any("aws_default_" in a for a in found)
    assert found["module.vpc.aws_vpc.this[0]"].attributes["cidr_block"] == "10.0.0.0/16"
    assert found["module.vpc.aws_vpc.this[0]"].module == "module.vpc"
    assert found["data.aws_availability_zones.available"].mode == "data"

    reasons = {u.address: u.reason for u in result.unknowns}
    # Subnet counts hang on the AZ data source: one instance each, reported.
    assert "module.vpc.aws_subnet.private" in found
    assert "data.aws_availability_zones.available" in reasons["module.vpc.aws_subnet.private"]
    # modules/vpc-endpoints was not copied into the corpus.
    assert "not in the bundle" in reasons["module.vpc_endpoints"]


def test_vpc_simple_example(vpc_files: dict[str, bytes]) -> None:
    found = addresses(vpc_files, "examples/simple")
    assert "module.vpc.aws_vpc.this[0]" in found
    assert "module.vpc.aws_subnet.private" in found
    assert unknowns(vpc_files, "examples/simple")["module.vpc.aws_subnet.private"].startswith(
        "count"
    )
    assert not any("aws_nat_gateway" in a for a in found)
