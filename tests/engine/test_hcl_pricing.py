"""Static evaluation of pricing-relevant arguments: variables, tfvars, locals, functions,
modules, dynamic blocks, provider regions and references."""

from __future__ import annotations

from typing import Any

import pytest

from engine.hcl import read_hcl
from engine.hclexpr import Expr, Scope, UnknownValue, evaluate
from engine.model import Resource, Unresolved

pytestmark = pytest.mark.unit


def by_address(files: dict[str, bytes]) -> dict[str, Resource]:
    return {resource.address: resource for resource in read_hcl(files).resources}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('format("%s-%03d", "web", 7)', "web-007"),
        (
            'format("%.2f|%5s|%-3s|%v|%q|%%|%t", 3.14159, "x", "y", 4, "z", true)',
            '3.14|    x|y  |4|"z"|%|true',
        ),
        ('formatlist("%s.large", ["m5", "c5"])', ["m5.large", "c5.large"]),
        ('lookup({small = "t3.micro"}, "large", "m5.large")', "m5.large"),
        ("merge({a = 1}, {b = 2}, {a = 3})", {"a": 3, "b": 2}),
        ("concat([1], [2, 3])", [1, 2, 3]),
        ('length(["a", "b"])', 2),
        ('element(["a", "b"], 3)', "b"),
        ('replace("db.t3.micro", "micro", "small")', "db.t3.small"),
        ('substr("m5.large", 0, 2)', "m5"),
        ('startswith("t3.micro", "t3")', True),
        ('title("gp")', "Gp"),
        ('true ? "gp3" : "gp2"', "gp3"),
        ('"${upper("a")}-${1 + 2}"', "A-3"),
    ],
)
def test_functions_used_in_pricing_arguments(source: str, expected: Any) -> None:
    assert evaluate(Expr(source), Scope()) == expected


@pytest.mark.parametrize(
    "source",
    ['format("%d", 1.5)', 'format("%s")', 'format("%s", "a", "b")', 'format("%9999s", "a")'],
)
def test_bad_format_calls_are_unknown_not_errors(source: str) -> None:
    assert isinstance(evaluate(Expr(source), Scope()), UnknownValue)


def test_variables_tfvars_locals_and_conditionals() -> None:
    files = {
        "main.tf": b"""
variable "env" {
  default = "dev"
}
variable "sizes" {
  default = { dev = "t3.micro", prod = "m5.large" }
}
variable "disk" {
  default = 20
}
locals {
  instance_type = lookup(var.sizes, var.env, "t3.nano")
  disk          = var.env == "prod" ? var.disk * 5 : var.disk
  tags          = merge({ Env = var.env }, { Team = "x" })
}
resource "aws_instance" "web" {
  instance_type = local.instance_type
  root_block_device {
    volume_size = local.disk
    volume_type = format("gp%d", 3)
  }
  tags = local.tags
}
""",
        "terraform.tfvars": b'env = "staging"\n',
        "prod.auto.tfvars": b'env = "prod"\n',
    }
    web = by_address(files)["aws_instance.web"]
    # *.auto.tfvars is applied after terraform.tfvars
    assert web.attributes["instance_type"] == "m5.large"
    assert web.attributes["root_block_device"] == [{"volume_size": 100, "volume_type": "gp3"}]
    assert web.attributes["tags"] == {"Env": "prod", "Team": "x"}


def test_for_each_count_and_modules_with_arguments() -> None:
    files = {
        "main.tf": b"""
module "db" {
  source   = "./modules/db"
  for_each = { primary = "db.r5.large", replica = "db.t3.medium" }
  class    = each.value
  storage  = each.key == "primary" ? 100 : 20
}
""",
        "modules/db/main.tf": b"""
variable "class" {}
variable "storage" {}
variable "nodes" {
  default = 2
}
resource "aws_db_instance" "this" {
  engine            = "postgres"
  instance_class    = var.class
  allocated_storage = var.storage
}
resource "aws_elasticache_cluster" "c" {
  count           = var.nodes
  engine          = "redis"
  node_type       = "cache.t3.micro"
  num_cache_nodes = count.index + 1
}
""",
    }
    found = by_address(files)
    primary = found['module.db["primary"].aws_db_instance.this']
    assert primary.attributes["instance_class"] == "db.r5.large"
    assert primary.attributes["allocated_storage"] == 100
    assert primary.module == 'module.db["primary"]'
    assert found['module.db["replica"].aws_db_instance.this'].attributes["allocated_storage"] == 20
    assert (
        found['module.db["replica"].aws_elasticache_cluster.c[1]'].attributes["num_cache_nodes"]
        == 2
    )


def test_dynamic_blocks_expand_over_known_collections() -> None:
    files = {
        "main.tf": b"""
variable "disks" {
  default = { data = 100, logs = 20 }
}
resource "aws_instance" "web" {
  instance_type = "t3.micro"
  ebs_block_device {
    device_name = "/dev/sdz"
    volume_size = 1
  }
  dynamic "ebs_block_device" {
    for_each = var.disks
    iterator = disk
    content {
      device_name = "/dev/${disk.key}"
      volume_size = disk.value
    }
  }
}
data "aws_availability_zones" "all" {}
resource "aws_instance" "unknown" {
  instance_type = "t3.micro"
  dynamic "ebs_block_device" {
    for_each = data.aws_availability_zones.all.names
    content {
      volume_size = 10
    }
  }
}
""",
    }
    found = by_address(files)
    assert found["aws_instance.web"].attributes["ebs_block_device"] == [
        {"device_name": "/dev/sdz", "volume_size": 1},
        {"device_name": "/dev/data", "volume_size": 100},
        {"device_name": "/dev/logs", "volume_size": 20},
    ]
    unknown = found["aws_instance.unknown"].attributes["ebs_block_device"]
    assert isinstance(unknown, Unresolved)
    assert "data.aws_availability_zones.all" in unknown.reason


def test_provider_regions_aliases_and_module_provider_mapping() -> None:
    files = {
        "main.tf": b"""
variable "region" {
  default = "eu-central-1"
}
variable "other" {}
provider "aws" {
  region = var.region
}
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
provider "aws" {
  alias  = "unknown"
  region = var.other
}
resource "aws_eip" "default" {}
resource "aws_eip" "west" {
  provider = aws.west
}
resource "aws_eip" "unknown" {
  provider = aws.unknown
}
module "child" {
  source    = "./child"
  providers = { aws = aws.west }
}
module "inherit" {
  source = "./child"
}
""",
        "child/main.tf": b'resource "aws_eip" "ip" {}\n',
    }
    found = by_address(files)
    assert found["aws_eip.default"].region == "eu-central-1"
    assert found["aws_eip.west"].region == "us-west-2"
    assert found["aws_eip.unknown"].region is None  # the submitted region applies
    assert found["module.child.aws_eip.ip"].region == "us-west-2"
    assert found["module.inherit.aws_eip.ip"].region == "eu-central-1"


def test_references_and_unresolved_values_keep_their_reason() -> None:
    files = {
        "main.tf": b"""
variable "type" {}
resource "aws_launch_template" "lt" {
  instance_type = var.type
}
resource "aws_autoscaling_group" "asg" {
  min_size = 1
  max_size = 2
  launch_template {
    id      = aws_launch_template.lt.id
    version = "$Latest"
  }
  tags = [{ key = "a", value = "${local.missing}" }]
}
""",
    }
    found = by_address(files)
    asg = found["aws_autoscaling_group.asg"]
    assert asg.references == {"launch_template": ("aws_launch_template.lt",)}
    instance_type = found["aws_launch_template.lt"].attributes["instance_type"]
    assert isinstance(instance_type, Unresolved)
    assert instance_type == "${var.type}"  # still the readable template text
    assert instance_type.reason == "variable var.type has no value"
